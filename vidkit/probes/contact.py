"""Floor contact in a trajectory: which free-flight pieces of
:func:`~vidkit.probes.trajectory.analyze_motion` are a body on a floor (at rest, rolling,
settling into rest, or hopping too low for free flight), and so show no gravity.

Example:
    >>> import vidkit as vk
    >>> m = vk.probes.analyze_motion(vk.synth.render("bounce", seed=0).video)
    >>> [s.supported for s in m.segments[0]]  # four flights between bounces, none on the floor
    [False, False, False, False]
"""

from __future__ import annotations

import numpy as np

from vidkit.probes.segments import Segment
from vidkit.probes.tracking import WHOLE_AREA, Tracks

__all__ = ["hidden_shift", "mark_contact", "mark_flat"]


def mark_contact(tr: Tracks, i: int, segs: list[Segment], sigma: float, cam: float = 0.0) -> None:
    """Mark the pieces of object ``i`` that touch a floor (``supported``), in place.

    - **At rest or rolling**: y constant to the noise level over 3+ frames (friction may slow
      the object sideways, so it is not free flight).
    - **Settling** (``settling`` too): a piece that runs straight into such a rest (the next
      piece starts within 2 frames, at the height where this one ends) while its vertical
      motion slows down (fitted acceleration against its initial vertical velocity) without an
      apex inside the piece (a hop that rises, turns and falls back is free flight). No
      constant gravity brings a body to a *lasting* rest (free flight only stops for an instant,
      at an apex), so the deceleration is the floor's doing: at 8-25 fps the last small
      bounces of a settling ball fall inside one piece, whose quadratic then reads as gravity
      pointing up ("gravity points up", a sideways acceleration, a "kick" into it). The
      slowing down must be measured: a deceleration beyond 3 standard errors of the piece's
      fit, with ``cam`` (the camera's error per frame in a stabilised shot, px) added to its
      noise in quadrature. A body that runs into the floor at a constant speed is not slowed
      down before it lands: with no gravity there, it is a free flight showing the wrong one.
    """
    tol = max(2.0 * tr.pixel_scale, 6 * sigma)
    for s in segs:
        if s.n >= 3 and _vertical_span(tr, i, s) <= tol:
            s.supported = True
    for s, r in zip(segs[:-1], segs[1:]):
        if s.supported or s.fixed_acc or not r.supported or r.frames[0] - s.frames[-1] > 2:
            continue
        vy0, ay = float(s.coef[1, 1]), float(s.coef[1, 2])
        t_end = float(s.frames[-1]) / tr.fps
        vy1 = float(s.vel(t_end)[1])
        y_end = float(tr.centers[i, s.frames[-1], 1])
        y_rest = float(np.median(tr.centers[i, r.frames, 1]))
        # it slows down towards the rest without an apex: a piece that rises, turns and falls
        # back onto the floor is a hop in free flight, however slowly it lands (seed 6
        # wrong_gravity 655041: a 14-frame hop under 2.9 times the gravity, landing slower than
        # it left, was taken for a settling and its gravity never judged)
        apex = vy0 < 0 < vy1
        # a slowing down within its error is no evidence of a floor (seed 16 wrong_gravity
        # 1655079: a ball falling at a constant speed once its gravity is switched off read
        # -1.9 +- 14.3 px/s^2 over the 6 frames into its landing, against the shot's 64, and
        # was taken for a settling: its gravity was never judged)
        slows = vy0 * ay < 0 and abs(ay) > 3 * float(s.acc_se(cam)[1])
        if slows and not apex and abs(vy1) < abs(vy0) and abs(y_end - y_rest) <= tol:
            if _rest_ends_early(tr, i, r, y_rest, abs(ay) / tr.fps**2, tol):
                continue
            s.supported = True
            s.settling = True


def _vertical_span(tr: Tracks, i: int, s: Segment) -> float:
    """How far piece ``s`` of object ``i`` moves vertically (px): the span of its positions, or,
    for a free fit of 6+ frames, that of its fitted curve when smaller.

    The positions' span holds their noise: under a shaken camera over stripes the camera's
    misregistration (0.5 px per frame) jittered a still blob by 2.3 px over 14 frames, over
    the 2 px rest tolerance, and its "free flight" at g = -1.5 px/s^2 (weighing by its small
    standard error) became the reference that a ball's true fall failed against (seed 8 clean
    800033). The fitted curve is the piece's motion without that noise; a free flight that
    rises or falls more than the tolerance keeps a curve spanning as much.
    """
    y = tr.centers[i, s.frames, 1]
    span = float(np.ptp(y))
    if s.n >= 6 and not s.fixed_acc and np.all(np.isfinite(s.coef)):
        span = min(span, float(np.ptp(s.pos(s.frames / tr.fps)[:, 1])))
    return span


def mark_flat(
    tr: Tracks, i: int, segs: list[Segment], sigma: float, g: float, ok: np.ndarray
) -> None:
    """Mark as ``supported`` (in place) the pieces of object ``i`` that lie on its floor and are
    too flat for free flight under the shot's gravity ``g`` (px/frame^2, down).

    Over ``D`` frames a body falling with ``g`` spans at least ``g (D/2)^2 / 2`` px vertically
    (apex in the middle); a piece whose vertical span stays short of that by more than the
    contact tolerance (``tol = max(2 px, 6 sigma)``, as for a rest), that stays within ``2 tol``
    of the floor (hops of the order of the rest tolerance) and reaches the lowest height the
    object is seen at (its floor, within ``tol``) is the body on the floor: the last
    small hops of a settling ball, blurred and jittered by a compensated camera, merged into one
    piece that ends the clip or a gap (so that the rest it settles into is not seen to follow),
    whose quadratic reads as gravity near zero or pointing up. A free flight under a wrong
    gravity that bounces off the floor spans more than that (a ball after a bounce under a
    third of the gravity still rose 6 px, 3 tol, in 9 frames: it stays a free flight).
    """
    if g <= 0 or not ok.any():
        return
    tol = max(2.0 * tr.pixel_scale, 6 * sigma)
    floor = float(np.nanmax(tr.centers[i, ok, 1]))
    for s in segs:
        if s.supported or s.fixed_acc or s.n < 4:
            continue
        y = tr.centers[i, s.frames, 1]
        d = float(s.frames[-1] - s.frames[0])
        need = 0.5 * g * (d / 2) ** 2
        span = float(np.ptp(y))
        if span <= 2 * tol and span + tol < need and float(np.max(y)) >= floor - tol:
            s.supported = True


def _rest_ends_early(
    tr: Tracks, i: int, rest: Segment, y_rest: float, acc: float, tol: float
) -> bool:
    """Whether object ``i`` is seen leaving the height of the ``rest`` piece sooner than an apex
    of vertical acceleration ``acc`` (px/frame^2) stays within ``tol`` of its height
    (``2 sqrt(2 tol / acc)`` frames): then the "rest" may be an apex, not a lasting rest.

    A body slowing down vertically into a flat stretch is either settling onto a floor or
    turning at an apex under an acceleration against its motion (gravity pointing up: it sinks,
    slows down, stops and rises again). Only a rest that lasts tells them apart; at a weak
    acceleration an apex stays flat for many frames. The object's later positions count while
    it is seen at 85%+ of its usual area (partly hidden, the visible part's centroid is not the
    centre), reliable or not (touching an occluder still shows where it is); a track that ends,
    or stays at the height to its end, gives no evidence against the rest.
    """
    if acc <= 0:
        return False
    window = 2.0 * np.sqrt(2.0 * tol / acc)
    T = tr.num_frames
    f0 = int(rest.frames[0])
    rel = tr.reliable(i)
    usual = float(np.nanmedian(tr.areas[i, rel])) if rel.any() else float("nan")
    if not np.isfinite(usual):
        return False
    for f in range(int(rest.frames[-1]) + 1, T):
        if f - f0 >= window:
            return False
        if not tr.visible[i, f] or not tr.areas[i, f] >= WHOLE_AREA * usual:
            continue
        if abs(float(tr.centers[i, f, 1]) - y_rest) > tol:
            return True
    return False


def hidden_shift(
    tr: Tracks, i: int, frames: np.ndarray, ref: np.ndarray | None = None
) -> np.ndarray:
    """Per frame of ``frames``, how far object ``i``'s centroid may sit off its centre because
    part of it is hidden (px): within 3 frames of one where it touched something (an
    occluder's edge, another object), a frame that reads a radius ``r`` below the object's own
    ``R`` (the median over its frames touching nothing and not at the border) misses a share
    ``phi = 1 - (r / R)^2`` of its disc, a cap whose centroid lies about ``0.9 R`` from the
    centre: the visible part's centroid moves by ``0.9 R phi / (1 - phi)``. Measured on seed 4
    clean 400109 (a ball leaving an occluder under a pan, unflagged 2-3 frames after its merged
    run): radii 8.88 and 9.21 px against 9.3 give 0.81 and 0.17 px, the renderer's truth 0.62
    and 0.17 px; they bent a 5-frame fall to 28 px/s^2 against 13. 0 elsewhere.

    ``ref``: the frames whose radii give ``R`` and its spread (default: all of the object's
    frames touching nothing). A track that took another object inside an occluder holds two
    radii, and their spread hides the dip of a ball half behind the occluder; the frames
    around one joint show the radius of the object seen there (seed 13 clean 1300135: 7.5
    and 6.4 px balls in one track, a piece of radii 4.70-6.17 px after the occluder against
    6.25 in the 21 frames after it).

    Example:
        >>> hidden_shift(motion.tracks, 0, motion.segments[0][0].frames)  # doctest: +SKIP
    """
    out = np.zeros(len(frames))
    merged = np.flatnonzero(tr.merged[i])
    free = tr.visible[i] & ~tr.merged[i] & ~tr.at_border[i] & np.isfinite(tr.radii[i])
    if ref is not None:
        own = np.zeros_like(free)
        own[np.asarray(ref, int)] = True
        free &= own
    if int(free.sum()) < 3:
        return out
    big = float(np.median(tr.radii[i, free]))
    # away from a merge, a radius below the object's own by more than 3 robust spreads of its
    # free frames' radii (never under 0.1 px) is a part hidden too: seed 10 clean 1000191, a
    # ball passing behind an occluder's corner at 60 fps with no merge, read radii 12.34-12.84
    # px against 13.20 (spread 0.08 px) where the renderer shows 88-96% of it, and its 5-frame
    # piece read g = 1955 px/s^2 against 1342
    spread = 1.4826 * float(np.median(np.abs(tr.radii[i, free] - big)))
    short = max(3.0 * spread, 0.1 * tr.pixel_scale)
    for k, f in enumerate(np.asarray(frames, int)):
        r = float(tr.radii[i, f])
        if not np.isfinite(r) or r >= big:
            continue
        near = merged.size > 0 and np.min(np.abs(merged - f)) <= 3
        if not near and big - r <= short:
            continue
        phi = min(1.0 - (r / big) ** 2, 0.9)
        out[k] = 0.9 * big * phi / (1.0 - phi)
    return out
