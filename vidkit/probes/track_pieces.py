"""Which frames of a track show one whole object, for the persistence probes
(:mod:`vidkit.probes.persistence`).

A classical tracker breaks a track where an object is lost for a moment (picked up again under a
new number), lets a track hop to another blob (an identity switch, two tracks swapping at a
crossing) and reports frames where an object's disc overlaps another's. Read as they are, such
tracks make size and colour "changes" and vanishings that are the tracker's, not the video's:

* :func:`join_pieces`: a track that stops and one that starts where its motion predicts (radius
  within a factor 2, same shot, colour deliberately not compared so a recolour stays visible) are
  one object;
* ``identity_splits``: a track whose size and colour step at once, its centre off its path, is
  judged on each side of the step (unless the larger side is smeared by its own motion,
  :func:`blur_allowance`), and so is one that hops between two places it rests at;
* ``swapped_colour``: a colour change that another object it met takes the old colour of is a swap;
* ``borrowed_colour``: a colour change to the colour of an object hidden then in its blob (seen last,
  or first, touching it) is the tracker following that object through the joint blob;
* ``inside_other`` / ``clear_of_others``: frames where the object's disc overlaps another's, or where it
  is clear of every other object.

Example:
    >>> from vidkit.probes.track_pieces import join_pieces
    >>> scene = vk.synth.render("projectile", seed=0)  # doctest: +SKIP
    >>> tracks, pieces = join_pieces(vk.probes.track(scene.video))  # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from vidkit.probes.medians import median
from vidkit.probes.tracking import Tracks

__all__ = [
    "blur_allowance",
    "borrowed_colour",
    "clear_of_others",
    "identity_splits",
    "inside_other",
    "path_goes_on",
    "join_pieces",
    "piece_label",
    "piece_owner",
    "reappears_as_predicted",
    "same_object",
    "swapped_colour",
]


def _example_tracks() -> Tracks:
    """Tracks for the examples: a blue ball of radius 4 moving right 2 px a frame, seen in
    frames 0-4 (track 0) and picked up again in frames 6-9 where its motion predicts (track 1),
    and a red ball at rest (track 2); 10 frames of 64x48 at 10 fps."""
    T = 10
    t = np.arange(T)
    c = np.full((3, T, 2), np.nan)
    vis = np.zeros((3, T), bool)
    c[0, :5] = np.stack([10 + 2.0 * t[:5], np.full(5, 24.0)], axis=1)
    c[1, 6:] = np.stack([10 + 2.0 * t[6:], np.full(4, 24.0)], axis=1)
    c[2] = [50.0, 10.0]
    vis[0, :5] = vis[1, 6:] = vis[2] = True
    r = np.where(vis, 4.0, np.nan)
    col = np.zeros((3, T, 3))
    col[:2, :, 2] = 1.0
    col[2, :, 0] = 1.0
    z = np.zeros((3, T), bool)
    return Tracks(
        c, r, np.pi * r**2, col, vis, z.copy(), z.copy(), 10.0, (48, 64), np.zeros((48, 64, 3))
    )


def blur_allowance(tr: Tracks, i: int, fr: np.ndarray) -> np.ndarray:
    """How far object ``i`` moves in each of the frames ``fr``, in units of its radius, where
    that is more than one radius (0 elsewhere): the length of a motion-blur smear it may carry.

    The step of a frame is the larger of the moves from the frame before and to the frame after
    (frames where the object is seen); the radius is the median over ``fr``.

    Example:
        >>> import numpy as np
        >>> from vidkit.probes.tracking import Tracks
        >>> c = np.array([[[0, 0], [1, 0], [12, 0], [13, 0]]], float)
        >>> tr = Tracks(c, np.full((1, 4), 4.0), np.full((1, 4), 50.0), np.zeros((1, 4, 3)),
        ...             np.ones((1, 4), bool), np.zeros((1, 4), bool), np.zeros((1, 4), bool),
        ...             10.0, (32, 32), np.zeros((32, 32, 3)))
        >>> blur_allowance(tr, 0, np.arange(4)).round(2).tolist()
        [0.0, 2.75, 2.75, 0.0]
    """
    vis = np.flatnonzero(tr.visible[i])
    out = np.zeros(fr.size)
    if vis.size < 2 or fr.size == 0:
        return out
    r_ref = float(np.nanmedian(tr.radii[i, fr]))
    if not np.isfinite(r_ref) or r_ref <= 0:
        return out
    p = tr.centers[i, vis]
    gap = np.diff(vis).astype(float)
    step = np.hypot(*np.diff(p, axis=0).T) / gap  # per frame
    before = np.concatenate([[0.0], step])
    after = np.concatenate([step, [0.0]])
    per = np.maximum(before, after) / r_ref
    k = np.searchsorted(vis, fr)
    k = np.clip(k, 0, vis.size - 1)
    val = np.where(vis[k] == fr, per[k], 0.0)
    return np.where(val > 1.0, val, 0.0)


def same_object(tr: Tracks, i: int, j: int, a: int, b: int) -> bool:
    """Whether track ``j``, first seen at frame ``b``, continues track ``i``, last seen at frame
    ``a < b``: of a similar size (radius within a factor 2) and where ``i``'s motion predicts.

    Example:
        >>> same_object(_example_tracks(), 0, 1, 4, 6)
        True
    """
    oki, okj = tr.reliable(i), tr.reliable(j)  # whole, not merged with another object
    ri = tr.radii[i, : a + 1][oki[: a + 1]]
    rj = tr.radii[j, b:][okj[b:]]
    ri, rj = ri[np.isfinite(ri)], rj[np.isfinite(rj)]
    if ri.size == 0 or rj.size == 0:
        return False
    q = float(np.median(rj[:5])) / max(float(np.median(ri[-5:])), 1e-6)
    if not 0.5 <= q <= 2.0:
        return False
    pos = tr.centers[i].copy()
    pos[b] = tr.centers[j, b]
    vis = oki.copy()  # fit the motion on frames where it was seen whole, not merged
    vis[b] = True
    return reappears_as_predicted(tr, i, a, b, centers=pos, visible=vis)


def _predicted(centers: np.ndarray, visible: np.ndarray, a: int, b: int) -> np.ndarray:
    """Where the motion over the last (up to 6) ``visible`` frames up to ``a`` puts the object
    at frame ``b`` (a parabola from 5 frames on, else a line); needs 2+ such frames."""
    fr = np.flatnonzero(visible[: a + 1])[-6:]
    p = centers[fr]
    deg = 2 if fr.size >= 5 else 1
    return np.array([np.polyval(np.polyfit(fr - a, p[:, k], deg), b - a) for k in range(2)])


def reappears_as_predicted(
    tr: Tracks,
    i: int,
    a: int,
    b: int,
    *,
    centers: np.ndarray | None = None,
    visible: np.ndarray | None = None,
) -> bool:
    """Whether object ``i``, unseen between frames ``a`` and ``b``, comes back at ``b`` where
    its motion before ``a`` predicts (within two radii and 3 px, growing with the gap).

    Example:
        >>> tr = _example_tracks()
        >>> both = np.where(tr.visible[0][:, None], tr.centers[0], tr.centers[1])
        >>> reappears_as_predicted(tr, 0, 4, 6, centers=both)
        True
    """
    centers = tr.centers[i] if centers is None else centers
    visible = tr.visible[i] if visible is None else visible
    fr = np.flatnonzero(visible[: a + 1])[-6:]
    if fr.size < 2:
        return False
    p = centers[fr]
    pred = _predicted(centers, visible, a, b)
    step = float(np.hypot(*(p[-1] - p[-2]))) / max(int(fr[-1] - fr[-2]), 1)
    r = float(np.nanmedian(tr.radii[i])) if np.isfinite(tr.radii[i]).any() else 0.0
    gate = 2 * r + 3 * tr.pixel_scale + 0.3 * (step + tr.pixel_scale) * (b - a)
    if np.hypot(*(centers[b] - pred)) <= gate:
        return True
    # a short gap: within reach of where it was last seen (it may have bounced unseen)
    steps = np.hypot(*np.diff(p, axis=0).T) / np.maximum(np.diff(fr), 1)
    reach = 2 * r + 3 * tr.pixel_scale + 1.5 * (float(steps.max()) + tr.pixel_scale) * (b - a)
    return bool(b - a <= 5 and np.hypot(*(centers[b] - p[-1])) <= reach)


# --------------------------------------------------------------------------- conservation
def _pick_up_links(tr: Tracks) -> dict[int, int]:
    """``{j: i}``: track ``i`` continues track ``j`` (the same object, picked up again).

    Judged on the frames where each is whole (:meth:`~vidkit.probes.tracking.Tracks.reliable`,
    3+ of them): ``j``'s last such frame ``a`` comes before ``i``'s first ``b``, at most
    ``max(12, fps)`` frames before it (the tracker's own limit for joining across a gap), in the
    same shot; ``j`` is not seen after ``b`` and ``i`` not whole before ``a``; their radii agree
    within a factor 2 and ``i`` starts where ``j``'s motion predicts (:func:`same_object`).
    Colour is not compared (a recoloured object is still the same object). Each track has at most
    one successor and one predecessor: the nearest in time wins, then the nearest to where the
    motion predicts.
    """
    T = tr.num_frames
    rel = [np.flatnonzero(tr.reliable(k)) for k in range(tr.n_objects)]
    vis = [np.flatnonzero(tr.visible[k]) for k in range(tr.n_objects)]
    max_gap = max(12, int(round(tr.fps)))
    cands = []
    for j in range(tr.n_objects):
        if rel[j].size < 3:
            continue
        a = int(rel[j][-1])
        for i in range(tr.n_objects):
            if i == j or rel[i].size < 3 or tr.shot_of(i) != tr.shot_of(j):
                continue
            b = int(rel[i][0])
            if not a < b <= a + max_gap or b >= T:
                continue
            if int(vis[j][-1]) > b:
                continue  # j is still seen once i is whole: two objects
            if same_object(tr, j, i, a, b):
                # nearest in time first; at a tie (two objects came out of a crossing in one
                # frame), the one nearest to where j's motion predicts (seed 2 clean 200011:
                # the lower track number took a ball's place, 28 px off against 2 px)
                miss = float(
                    np.hypot(*(tr.centers[i, b] - _predicted(tr.centers[j], tr.reliable(j), a, b)))
                )
                cands.append((b - a, miss, j, i))
    links: dict[int, int] = {}
    taken: set[int] = set()
    for _, _, j, i in sorted(cands):
        if j in links or i in taken:
            continue
        links[j] = i
        taken.add(i)
    return links


def join_pieces(tr: Tracks) -> tuple[Tracks, list[list[tuple[int, int, int]]]]:
    """The tracks with each chain of pieces of one object (:func:`_pick_up_links`) joined into
    one row, and per row its pieces ``(track, first frame, end frame)``: frames before the
    next piece's first whole frame are the earlier piece's.

    Example:
        >>> import numpy as np
        >>> from vidkit.probes.tracking import Tracks
        >>> T = 12
        >>> c = np.full((2, T, 2), np.nan); r = np.full((2, T), np.nan)
        >>> vis = np.zeros((2, T), bool); vis[0, :5] = True; vis[1, 7:] = True
        >>> c[:, :, 0] = 10 + 2 * np.arange(T); c[:, :, 1] = 16; r[vis] = 3.0
        >>> c[~vis] = np.nan
        >>> tr = Tracks(c, r, np.pi * r**2, np.full((2, T, 3), 0.5), vis, np.zeros_like(vis),
        ...             np.zeros_like(vis), 10.0, (32, 48), np.zeros((32, 48, 3)))
        >>> joined, pieces = join_pieces(tr)
        >>> joined.n_objects, pieces
        (1, [[(0, 0, 7), (1, 7, 12)]])
    """
    links = _pick_up_links(tr)
    if not links:
        return tr, [[(k, 0, tr.num_frames)] for k in range(tr.n_objects)]
    T = tr.num_frames
    starts = [k for k in range(tr.n_objects) if k not in set(links.values())]
    rows: list[list[tuple[int, int, int]]] = []
    for k in starts:
        chain = [k]
        while chain[-1] in links and len(chain) <= tr.n_objects:
            chain.append(links[chain[-1]])
        edges = [0] + [int(np.flatnonzero(tr.reliable(n))[0]) for n in chain[1:]] + [T]
        rows.append([(n, edges[q], edges[q + 1]) for q, n in enumerate(chain)])
    n = len(rows)
    arrays = {
        "centers": np.full((n, T, 2), np.nan),
        "radii": np.full((n, T), np.nan),
        "areas": np.full((n, T), np.nan),
        "colors": np.full((n, T, 3), np.nan),
        "visible": np.zeros((n, T), bool),
        "merged": np.zeros((n, T), bool),
        "at_border": np.zeros((n, T), bool),
    }
    if tr.still_seen.shape == tr.visible.shape:
        arrays["still_seen"] = np.zeros((n, T), np.int8)
    if tr.smear.shape == tr.visible.shape:
        arrays["smear"] = np.full((n, T), np.nan)
    for q, pieces in enumerate(rows):
        for k, f0, f1 in pieces:
            for key, arr in arrays.items():
                arr[q, f0:f1] = getattr(tr, key)[k, f0:f1]
    shot = np.array([tr.shot_of(p[0][0]) for p in rows], int)
    return replace(tr, **arrays, shot=shot), rows


def clear_of_others(tr: Tracks, i: int, margin: float = 2.0) -> np.ndarray:
    """``[T]``: frames where object ``i`` is seen and no other object's disk comes within
    ``margin`` px of its own (nothing it could be merged with or hidden behind is tracked).

    Example:
        >>> bool(clear_of_others(_example_tracks(), 2).all())
        True
    """
    T = tr.num_frames
    out = tr.visible[i].copy()
    m = margin * tr.pixel_scale
    for j in range(tr.n_objects):
        if j == i:
            continue
        both = out & tr.visible[j]
        if not both.any():
            continue
        f = np.flatnonzero(both)
        d = np.hypot(*(tr.centers[i, f] - tr.centers[j, f]).T)
        near = d <= np.nan_to_num(tr.radii[i, f]) + np.nan_to_num(tr.radii[j, f]) + m
        out[f[near]] = False
    return out[:T]


def inside_other(tr: Tracks, i: int) -> np.ndarray:
    """``[T]``: frames where object ``i``'s disk overlaps another tracked object's disk (their
    centres closer than the sum of the radii less one pixel), while the tracker kept them apart.

    Two objects' images cannot overlap and stay two blobs unless the tracker split one object's
    blob (a piece of a large ball, cut off by a floor line or compression, tracked on its own)
    or took a piece of one for the other: the size and colour measured there are not those of
    one whole object. Touching objects (centres the sum of the radii apart) keep their frames.

    Example:
        >>> bool(inside_other(_example_tracks(), 0).any())
        False
    """
    T = tr.num_frames
    out = np.zeros(T, bool)
    for j in range(tr.n_objects):
        if j == i:
            continue
        f = np.flatnonzero(tr.visible[i] & tr.visible[j])
        if f.size == 0:
            continue
        d = np.hypot(*(tr.centers[i, f] - tr.centers[j, f]).T)
        reach = np.nan_to_num(tr.radii[i, f]) + np.nan_to_num(tr.radii[j, f]) - tr.pixel_scale
        out[f[d < reach]] = True
    return out


def _smeared(tr: Tracks, i: int, frames: np.ndarray) -> bool:
    """Whether object ``i`` moves more than its diameter per frame between two of ``frames``
    (consecutive ones): a motion-blurred object grows and takes the background's colour there
    (see :func:`blur_allowance`)."""
    if frames.size < 2:
        return False
    p = tr.centers[i, frames]
    step = np.hypot(*np.diff(p, axis=0).T) / np.diff(frames)
    r = float(np.nanmedian(tr.radii[i, frames]))
    return bool(np.isfinite(r) and (step > 2 * r).any())


def identity_splits(
    tr: Tracks, i: int, fr: np.ndarray, size_tol: float, color_tol: float
) -> list[np.ndarray]:
    """``fr`` (object ``i``'s judged frames) split where the track jumps to another object.

    Between two consecutive judged frames, a step in size (the median radius of up to 3
    frames on each side, 2 at an end of the track, differs by more than ``size_tol``) and in
    colour (their median colours
    more than ``color_tol`` apart) at once is the tracker switching to another blob (another
    object, an occluder, a patch of background), not one object changing: a resize keeps the
    colour. Each side is then judged as an object of its own. Not where the object moves more
    than its diameter per frame on the larger side (:func:`_smeared`): a falling ball's smear
    grows and fades toward the background, then turns sharp as it lands (a smear never shrinks
    the matte); nor where its path runs on through the step (:func:`_path_goes_on`): a recolour
    moves the measured size too (the soft matte weighs the shaded rim by its contrast with the
    background), and another blob lies off the object's path. A step in size alone splits the
    track where it rests on both sides and its centre moved by more than the two radii in
    between (:func:`_hops_between_rests`). The frame at the step may be past the size after it
    instead of at it (the blob taken over comes out from behind something and grows); and a
    track partly hidden on both sides of a step in colour, a V in size that shows no step, is
    split where its path does not run on (:func:`_hidden_switch`).

    Example:
        >>> tr = _example_tracks()
        >>> [p.size for p in identity_splits(tr, 2, np.arange(10), 0.15, 0.12)]
        [10]
    """
    if fr.size < 5:
        return [fr]
    r = tr.radii[i, fr]
    c = tr.colors[i, fr]
    cuts = []
    last = 0
    for k in range(1, fr.size):
        # 3 frames a side, 2 at either end of the track: a change that lasts 2 frames at an
        # end counts (:func:`conservation`), so a switch of blobs there is split off too (seed
        # 12 clean 1200165: a 2.1 px residue in frames 0-3, then a piece of a 16 px ball)
        if k - last < (2 if last == 0 else 3) or fr.size - k < 2:
            continue
        rb, ra = float(median(r[max(last, k - 3) : k])), float(median(r[k : k + 3]))
        if not (np.isfinite(rb) and np.isfinite(ra)) or min(rb, ra) <= 0:
            continue
        step_r = max(rb, ra) / min(rb, ra) - 1
        if not step_r > size_tol:
            if _hidden_switch(tr, i, fr, last, k, size_tol, color_tol):
                cuts.append(k)
                last = k
            continue  # no step in size: no switch, whatever the colour (the test below)
        cb = np.median(c[max(last, k - 3) : k], axis=0)
        ca = np.median(c[k : k + 3], axis=0)
        step_c = float(np.linalg.norm(ca - cb))
        # the step is between frames k - 1 and k: frame k already looks like those after it
        at_k = abs(r[k] / ra - 1) <= size_tol and np.linalg.norm(c[k] - ca) <= color_tol
        # or frame k is off the size before by more than the tolerance, past the size after
        # it, in the colour after it: the blob taken over comes out from behind something and
        # grows, a ramp on the side after the step (seed 14 clean 1400209: a track on an
        # occluder's 5.6 px blob took a 4.5 px ball coming out from behind it at 1.4, 2.4,
        # 3.4, 3.9 px in frames 25-28)
        past = (r[k] / rb - 1) * np.sign(ra - rb)
        at_k = at_k or bool(
            past > size_tol
            and abs(r[k] - rb) >= abs(ra - rb)
            and np.linalg.norm(c[k] - ca) <= color_tol
        )
        # a fast object smears (its matte grows and fades toward the background where it moves
        # more than its diameter per frame): a smeared side says nothing about identity
        # A smear never shrinks the matte: whole frames of 72 static clips kept 0.97-1.02 of
        # the true area for streaks up to 6 px and 1.5-4.4 times it beyond the diameter (seed
        # 7 vanish 751023); a smeared side smaller than the other by more than ``size_tol`` is
        # another blob (seed 12 clean 1200165: 2.1 px against 7.5 px, "moving" 4.5 px a frame
        # between frames 0 and 3, where the track hopped between blobs)
        sm_b = _smeared(tr, i, fr[max(last, k - 3) : k]) and rb * (1 + size_tol) >= ra
        sm_a = _smeared(tr, i, fr[k : k + 3]) and ra * (1 + size_tol) >= rb
        sharp = not (sm_b or sm_a)
        if step_r > size_tol and at_k and _hops_between_rests(tr, i, fr, last, k, rb, ra):
            cuts.append(k)  # another blob, whatever its colour
            last = k
            continue
        if step_r > size_tol and step_c > color_tol and at_k and sharp:
            if _path_goes_on(tr, i, fr[max(last, k - 3) : k], fr[k : k + 3], min(rb, ra)):
                continue  # the object's own blob: its measured size went with its colour
            cuts.append(k)
            last = k
    return np.split(fr, cuts)


def _hidden_switch(
    tr: Tracks, i: int, fr: np.ndarray, last: int, k: int, size_tol: float, color_tol: float
) -> bool:
    """Whether object ``i``'s track goes behind something and comes out on another object
    between judged frames ``fr[k - 1]`` and ``fr[k]``: its radius there lies more than
    ``size_tol`` below its level 3-7 frames away on both sides (partly hidden on both, a V,
    so the 3 frames a side show no step in size), its colour steps by more than ``color_tol``
    between the two frames (each within it of its own side's 3 frames) and its path does not
    run on through the step (:func:`_path_goes_on`: an object recoloured behind something
    comes out on its path). Seed 13 clean 1300135: a 7.5 px ball went behind an occluder
    (7.2 to 3.6 px in frames 23-28) and the track came out on a 6.4 px ball of another colour
    moving the other way (4.0 to 6.3 px in frames 29-35): "changed size at frame 26: 7.4 px
    before, 4.4 px from then on (-41%)"."""
    lo, hi = max(last, k - 7), min(fr.size, k + 8)
    if k - 3 - lo < 2 or hi - (k + 3) < 2 or k - last < 3 or fr.size - k < 3:
        return False
    r, c = tr.radii[i, fr], tr.colors[i, fr]
    lb, la = float(median(r[lo : k - 3])), float(median(r[k + 3 : hi]))
    if not (r[k - 1] < (1 - size_tol) * lb and r[k] < (1 - size_tol) * la):
        return False
    cb, ca = np.median(c[k - 3 : k], axis=0), np.median(c[k : k + 3], axis=0)
    if not (
        np.linalg.norm(ca - cb) > color_tol
        and np.linalg.norm(c[k - 1] - cb) <= color_tol
        and np.linalg.norm(c[k] - ca) <= color_tol
    ):
        return False
    return not _path_goes_on(tr, i, fr[k - 3 : k], fr[k : k + 3], min(lb, la))


def _hops_between_rests(
    tr: Tracks, i: int, fr: np.ndarray, last: int, k: int, rb: float, ra: float
) -> bool:
    """Whether object ``i`` rests before and after judged frame ``fr[k]`` (up to 3 judged
    frames a side, from ``fr[last]``: no step of more than a quarter of its radius, 1 px at
    least, a frame) and its centre moved by more than the two radii ``rb + ra`` in between:
    the track went from one resting blob to another (seed 12 clean 1200118: two background
    ghosts of one colour in a checker, 9.4 px and 4.6 px, each still to 0.1 px, 29 px apart).
    A resting object resized stays where it is; a moving one runs on (:func:`_path_goes_on`).
    """
    sides = (fr[max(last, k - 3) : k], fr[k : k + 3])
    x = tr.centers[i]
    for side, r in zip(sides, (rb, ra)):
        if side.size < 2:
            return False
        steps = np.hypot(*np.diff(x[side], axis=0).T) / np.diff(side)
        if not (steps <= max(0.25 * r, 1.0 * tr.pixel_scale)).all():
            return False
    jump = float(np.hypot(*(x[int(sides[1][0])] - x[int(sides[0][-1])])))
    return jump > rb + ra


def _path_goes_on(tr: Tracks, i: int, before: np.ndarray, after: np.ndarray, r: float) -> bool:
    """Whether object ``i``'s path runs on through a step between the judged frames ``before``
    and ``after`` (2+ each): the first frame after lies where the last two before carry the
    object on at their velocity, and the last frame before where the first two after carry it
    back, each within a quarter of the radius ``r`` (1 px at least: a moving camera's
    stabilisation leaves up to that much residue).

    The soft matte weighs an object's shaded rim by its contrast with the background under it,
    so a recoloured object's measured radius steps too (seed 4 recolor 454021: a resting ball
    read 3.9 px green and 3.3 px blue, -16%, the centre steady to 0.5 px): a step in size and
    colour at once says "another blob" only where the blob is elsewhere too. The blob the
    tracker switches to is another object, an occluder or a residue patch, whose centroid lies
    off the object's path (seed 0 clean 177: a ghost's track taking the ball, 3.5 px off it
    for a 3.8 px ball); a blob merged with residue shifts its centroid as the residue goes
    (seed 0 clean 43: 6 px).
    """
    if before.size < 2 or after.size < 2 or not np.isfinite(r):
        return False
    x = tr.centers[i]
    a, b = int(before[-2]), int(before[-1])
    c, d = int(after[0]), int(after[1])
    fwd = x[b] + (x[b] - x[a]) * (c - b) / (b - a)
    back = x[c] - (x[d] - x[c]) * (c - b) / (d - c)
    tol = max(0.25 * r, 1.0 * tr.pixel_scale)
    err = max(float(np.hypot(*(x[c] - fwd))), float(np.hypot(*(x[b] - back))))
    if err <= tol:
        return True
    # a thrown or falling object's path curves (gravity), across unseen frames most: one
    # constant acceleration through 3 frames on each side carries it on (seed 7 recolor
    # 754055: a ball recoloured while behind an occluder, 7 frames from its last whole frame
    # to its first; seed 7 resize 753042: a tossed ball 1.4 px off the straight line one
    # frame on); another blob lies off any one such path
    f = np.r_[before[-3:], after[:3]].astype(int)
    if f.size < 5:
        return False
    # within the object's own centroid noise about such a path (twice the median misfit of its
    # other runs of 6 frames; 0.25 px at least): a partly hidden object's centroid shifts by a
    # fraction of its radius, which a curve through 6 frames takes up only in part (seed 7 clean
    # 700066: a rolling ball under an occluder's edge, 0.4-0.8 px off; the two paths above,
    # 0.2 px and 0.1 px)
    # and the acceleration that of gravity (down the frame): across a long gap a parabola
    # passes near any two short pieces of path, and one that turns the object back sideways
    # is two objects (seed 7 clean 700145: a track that took the other ball where they crossed,
    # 23 frames later); its sideways part, over the span, bends the path by under ``tol``
    t = (f - b).astype(float)
    a_x = 2 * float(np.polyfit(t, x[f, 0], 2)[0])
    if abs(a_x) * float(np.ptp(t)) ** 2 / 8 > tol:
        return False
    own = _path_misfit(tr, i)
    return bool(_misfit(x[f], t) <= min(tol, max(2 * own, 0.25 * tr.pixel_scale)))


def _misfit(p: np.ndarray, t: np.ndarray) -> float:
    """The largest distance (px) of the points ``p`` ([n, 2], at times ``t``) from the one
    constant-acceleration path that fits them best."""
    fit = np.polyfit(t, p, 2)
    res = p - np.stack([np.polyval(fit[:, k], t) for k in range(2)], axis=1)
    return float(np.max(np.hypot(*res.T)))


def _path_misfit(tr: Tracks, i: int) -> float:
    """The median :func:`_misfit` of object ``i``'s runs of 6 consecutive reliable frames (inf
    with none): the noise of its centroid about a smooth path."""
    ok = np.flatnonzero(tr.reliable(i))
    vals = [
        _misfit(tr.centers[i, ok[k : k + 6]], ok[k : k + 6].astype(float))
        for k in range(0, ok.size - 5)
        if ok[k + 5] - ok[k] == 5
    ]
    return float(np.median(vals)) if vals else float("inf")


def path_goes_on(tr: Tracks, i: int, before: np.ndarray, after: np.ndarray, r: float) -> bool:
    """Public name of :func:`_path_goes_on` (whether object ``i``'s path runs on from the
    frames ``before`` to the frames ``after``).

    Example:
        >>> tr = _example_tracks()
        >>> path_goes_on(tr, 2, np.arange(0, 3), np.arange(3, 6), 4.0)
        True
    """
    return _path_goes_on(tr, i, before, after, r)


def swapped_colour(
    tr: Tracks,
    i: int,
    fr: np.ndarray,
    k: int,
    was: np.ndarray,
    now: np.ndarray,
    color_tol: float,
) -> bool:
    """Whether object ``i``'s change of colour from ``was`` to ``now`` at frame ``k`` (``fr``: its
    judged frames) is two tracks exchanging their objects: another object, which came within
    touching distance of it since its last judged frame before ``k``, had before then the colour
    ``now`` (its last 3 frames seen) and shows ``was`` in 2+ frames seen after. Where two objects of one size
    cross, the tracker may give each track the other's blob as they part; a recoloured object
    changes alone. Two objects that both came within touching distance of one third object
    in that time met too (they crossed behind or over it). The colour ``was`` may also go on
    under a third track that touched either of them then (picked up where they met).

    Example:
        >>> red, blue = np.array([1.0, 0, 0]), np.array([0, 0, 1.0])
        >>> swapped_colour(_example_tracks(), 2, np.arange(10), 5, red, blue, 0.12)
        False
    """
    prior = fr[fr < k]
    post = fr[fr >= k]
    if prior.size == 0 or post.size == 0:
        return False
    t0 = int(prior[-1])
    c_before, c_after = np.asarray(was, float), np.asarray(now, float)
    m = 2.0 * tr.pixel_scale
    had_now, shows_was = [], []  # the tracks of colour ``now`` before, and ``was`` after
    for j in range(tr.n_objects):
        if j == i:
            continue
        vis = np.flatnonzero(tr.visible[j])
        before, later = vis[vis <= t0], vis[vis > t0]
        if before.size and (
            np.linalg.norm(np.median(tr.colors[j, before[-3:]], axis=0) - c_after) <= color_tol
        ):
            had_now.append(j)
        if (np.linalg.norm(tr.colors[j, later] - c_before, axis=1) <= color_tol).sum() >= 2:
            shows_was.append(j)
    for j in had_now:
        if j in shows_was and _touch(tr, i, j, t0, k, m).any():
            return True
    # or the exchange went through a third track: the object of colour ``now`` met object
    # ``i`` and its track ended or went astray, while object ``i``'s own blob went on under
    # a track that was picked up where they met (seed 2 clean 200165: two balls crossed, a
    # residue track took the purple one, and the purple one's track the orange one)
    for j in had_now:
        if not _touch(tr, i, j, t0, k, m).any():
            continue
        for q in shows_was:
            if q != j and (_touch(tr, i, q, t0, k, m).any() or _touch(tr, j, q, t0, k, m).any()):
                return True
    for j in (j for j in had_now if j in shows_was):
        # or both passed over (or behind) one third object in between: the tracker may
        # exchange two tracks inside its blob without their own blobs ever touching (seed 3
        # clean 300140: two balls of one size crossed behind a larger one)
        for q in range(tr.n_objects):
            if q not in (i, j) and _touch(tr, i, q, t0, k, m).any():
                if _touch(tr, j, q, t0, k, m).any():
                    return True
    return False


def _touch(tr: Tracks, i: int, j: int, t0: int, k: int, m: float) -> np.ndarray:
    """Whether objects ``i`` and ``j`` come within touching distance (plus ``m`` px), per frame
    from ``t0`` to ``k`` where both are seen."""
    both = np.flatnonzero(tr.visible[i] & tr.visible[j])
    both = both[(both >= t0) & (both <= k)]
    if both.size == 0:
        return np.zeros(0, bool)
    d = np.hypot(*(tr.centers[i, both] - tr.centers[j, both]).T)
    return d <= np.nan_to_num(tr.radii[i, both]) + np.nan_to_num(tr.radii[j, both]) + m


def borrowed_colour(tr: Tracks, i: int, run: np.ndarray, now: np.ndarray, color_tol: float) -> bool:
    """Whether object ``i``'s colour ``now`` over the frames ``run`` is another object's, hidden
    then in ``i``'s blob: an object of that colour (its median, within ``color_tol``), unseen in
    every frame of the run, was seen last before it (or is seen first after it) touching object
    ``i``, in that colour then. Where two objects overlap the detector sees one blob whose soft
    matte takes the colour of the one in front, and the track that goes on through the blob
    shows that object's colour until they part (seed 0 clean 131: a green ball's track took the
    blue one's colour while the blue one's track had ended against it). A recoloured object
    takes a colour that no object hidden beside it has.

    Example:
        >>> swapped = np.array([0.0, 0, 1.0])
        >>> borrowed_colour(_example_tracks(), 2, np.array([5, 6]), swapped, 0.12)
        False
    """
    run = np.asarray(run, int)
    if run.size == 0:
        return False
    a, b = int(run[0]), int(run[-1])
    now = np.asarray(now, float)
    m = 2.0 * tr.pixel_scale

    def whole(k: int) -> np.ndarray:
        return tr.reliable(k) if tr.reliable(k).sum() >= 3 else tr.visible[k]

    # the usual radii: where they touch, each one's blob is a part of it
    r_i = float(np.nanmedian(tr.radii[i, whole(i)])) if whole(i).any() else 0.0
    for j in range(tr.n_objects):
        if j == i or tr.shot_of(j) != tr.shot_of(i) or tr.visible[j, a : b + 1].any():
            continue
        own = whole(j)
        if not own.any() or np.linalg.norm(np.median(tr.colors[j, own], axis=0) - now) > color_tol:
            continue
        r_j = float(np.nanmedian(tr.radii[j, own]))
        vis = np.flatnonzero(tr.visible[j])
        ends = [vis[vis < a][-1:], vis[vis > b][:1]]
        for t in np.concatenate(ends).astype(int):
            if not tr.visible[i, t]:
                continue
            if np.linalg.norm(tr.colors[j, t] - now) > color_tol:
                # the object seen there is not of that colour then: no object of colour
                # ``now`` hid in ``i``'s blob (seed 15 recolor 1554071: a grey 1.8 px residue
                # blob, 0.31 off the new colour, last seen beside a ball recoloured 1 frame later)
                continue
            d = float(np.hypot(*(tr.centers[i, t] - tr.centers[j, t])))
            if d <= r_i + r_j + m:
                return True
    return False


def piece_owner(pieces: list[tuple[int, int, int]], frames: list[int]) -> int:
    """The track (of a joined row's pieces) that holds the first of ``frames``.

    Example:
        >>> piece_owner([(0, 0, 6), (1, 6, 10)], [7])
        1
    """
    f = frames[0] if frames else 0
    return next((k for k, f0, f1 in pieces if f0 <= f < f1), pieces[0][0])


def piece_label(pieces: list[tuple[int, int, int]], frames: list[int]) -> str:
    """``"3"``, or for a joined row ``"3 (picked up again as object 5)"``.

    Example:
        >>> piece_label([(0, 0, 6), (1, 6, 10)], [7])
        '0 (picked up again as object 1)'
    """
    first = pieces[0][0]
    if len(pieces) == 1:
        return str(first)
    later = ", ".join(str(k) for k, _, _ in pieces[1:])
    return f"{first} (picked up again as object {later})"
