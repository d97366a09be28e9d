"""Which tracks of a window the report judges: :func:`drop_short` keeps the tracks seen long
enough (or solid movers on their way, or objects coming out from behind something) and drops
the tracks that hop about (:func:`_hops`, :func:`_comes_out_again`). Moved out of
:mod:`vidkit.probes.report` unchanged.

Example:
    >>> import numpy as np, vidkit as vk
    >>> from vidkit.probes import track
    >>> from vidkit.probes.report_tracks import drop_short
    >>> frames = np.zeros((8, 32, 32, 3), np.float32)
    >>> for t in range(8):
    ...     frames[t, 10:14, 2 + 3 * t : 6 + 3 * t] = (1.0, 0.2, 0.2)
    >>> tr = track(vk.Video(frames, fps=8))
    >>> drop_short(tr, 5).n_objects, drop_short(tr, 9).n_objects
    (1, 0)
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from vidkit.probes.persistence import COLOR_TOL
from vidkit.probes.physics_report import MIN_TRACK
from vidkit.probes.tracking import WHOLE_AREA, Tracks

__all__: list[str] = []


def drop_short(tr: Tracks, min_frames: int, movers: bool = False) -> Tracks:
    """Tracks seen in at least ``min_frames`` frames: a blob seen for a few frames is texture,
    noise or compression showing through, not an object the probes can judge. With ``movers``
    (a moving camera, whose share of 30% of the window is the strict one) a solid object on
    its way (:meth:`~vidkit.probes.tracking.Tracks.steady_mover`) is kept too: a ball seen for
    a moment before it vanishes or goes behind something is judged. (On a fixed camera it was
    measured to add a false appearance, seed 1 clean 100159, and no recall.) So is an object
    coming out from behind something (:func:`_comes_out_again`); a track that hops about
    (:func:`_hops`) is dropped however long."""
    keep = tr.visible.sum(axis=1) >= min_frames
    if movers:
        keep |= np.array([tr.steady_mover(i, MIN_TRACK) for i in range(tr.n_objects)], bool)
    keep |= _comes_out_again(tr, keep)
    keep &= ~np.array([_hops(tr, i) for i in range(tr.n_objects)], bool)
    if keep.all():
        return tr
    return replace(
        tr,
        centers=tr.centers[keep],
        radii=tr.radii[keep],
        areas=tr.areas[keep],
        colors=tr.colors[keep],
        visible=tr.visible[keep],
        merged=tr.merged[keep],
        at_border=tr.at_border[keep],
        cam_shift=tr.cam_shift[keep] if tr.cam_shift.shape[0] == keep.size else tr.cam_shift,
        cam_se=tr.cam_se[keep] if tr.cam_se.shape[0] == keep.size else tr.cam_se,
        still_seen=tr.still_seen[keep] if tr.still_seen.shape[0] == keep.size else tr.still_seen,
        smear=tr.smear[keep] if tr.smear.shape[0] == keep.size else tr.smear,
    )


def _hops(tr: Tracks, i: int) -> bool:
    """Whether track ``i`` hops about rather than moves: its median speed (px per frame, over
    the gaps between the frames it is seen in) is beyond its diameter and the median change of
    its velocity from one step to the next is beyond that speed. An object's motion is smooth
    (gravity, a bounce now and then: the velocity changes far less than it is); a track that
    the association carried from one noise or compression speck to another jumps each step in
    a new direction (seed 2 clean 200114: 2.5 px tracks hopping 20-70 px a frame "appeared")."""
    f = np.flatnonzero(tr.visible[i])
    if f.size < 5:
        return False
    p = tr.centers[i, f]
    dt = np.diff(f).astype(float)
    v = np.diff(p, axis=0) / dt[:, None]
    dv = np.hypot(*np.diff(v, axis=0).T)
    speed = float(np.median(np.hypot(*v.T)))
    r = float(np.nanmedian(tr.radii[i, f]))
    return bool(speed > 2 * r and float(np.median(dv)) > speed)


#: the fewest frames of a piece that comes out from behind something to be kept: between an
#: occluder and its vanishing a ball was seen in 4 (seed 12 vanish 1251056, 25 fps: out from
#: behind the occluder at frame 13, gone at 17); MIN_TRACK (5) dropped it and the vanishing
COME_OUT_MIN = 4


def _comes_out_again(tr: Tracks, keep: np.ndarray) -> np.ndarray:
    """The short tracks that are a kept object coming out from behind something: seen in
    :data:`COME_OUT_MIN` or more frames, partly visible when first seen (its area below 85% of its
    usual one: it emerges), after a kept track of the same look (colour within
    ``persistence.COLOR_TOL``, radius within a factor 1.5) that was partly visible when last
    seen (it went behind something) in the same shot. An occluder hides an object for as long
    as it takes to cross it, which makes the second piece short, but it is the object itself,
    not texture: dropping it hid a ball that came out and then vanished (seed 2 vanish 251012
    and 251019)."""
    out = np.zeros(tr.n_objects, bool)

    def usual(i: int) -> tuple[float, float, np.ndarray] | None:
        ok = tr.reliable(i)
        if ok.sum() < 2:
            return None
        area = float(np.percentile(tr.areas[i, ok], 75))
        return area, float(np.median(tr.radii[i, ok])), np.median(tr.colors[i, ok], axis=0)

    looks = [usual(i) for i in range(tr.n_objects)]
    for j in np.flatnonzero(~keep):
        vis = np.flatnonzero(tr.visible[j])
        lj = looks[j]
        if vis.size < COME_OUT_MIN or lj is None or not tr.areas[j, vis[0]] < WHOLE_AREA * lj[0]:
            continue
        b = int(vis[0])
        for i in np.flatnonzero(keep):
            li = looks[i]
            vi = np.flatnonzero(tr.visible[i])
            if li is None or vi.size == 0 or tr.shot_of(i) != tr.shot_of(j):
                continue
            a = int(vi[-1])
            if not (
                a < b
                and tr.areas[i, a] < WHOLE_AREA * li[0]
                and not tr.at_border[i, a]
                and float(np.linalg.norm(li[2] - lj[2])) <= COLOR_TOL
                and abs(np.log(lj[1] / li[1])) <= np.log(1.5)
            ):
                continue
            out[j] = True
            break
    return out
