"""Frozen runs of an object: it stops dead while the motion on both sides says it moves (the
stutter part of :func:`vidkit.probes.kinematics.continuity`).

Example:
    >>> from vidkit.probes.freeze import frozen_runs
    >>> frozen_runs(motion, 0, lim=0.75)  # doctest: +SKIP
    [(14, 17, 'while it moves 6.0 px per frame before and 5.8 after')]
"""

from __future__ import annotations

import numpy as np

from vidkit.probes.segments import Event
from vidkit.probes.small_linalg import pinv
from vidkit.probes.tracking import Tracks
from vidkit.probes.trajectory import camera_noise, mask_runs, runs_noise, shot_jitter

__all__ = ["frozen_runs", "contacts"]


def contacts(tr: Tracks, i: int, events: list[Event], sigma: float) -> list[tuple[int, int]]:
    """The joints of object ``i``'s pieces where it hit something: ``(last frame before, first
    frame after)`` of each joint where a velocity component reverses (a floor bounce, a wall,
    a head-on collision), in the fitted velocities of both pieces (beyond 3 standard errors)
    and in the positions themselves: the displacements over the (up to) 2 frames before the
    joint and over those after it point the way the fitted velocities do, on that axis, each
    beyond ``3 sqrt(2)`` times the position noise (``sigma``, or the camera maps' misfit in a
    stabilised shot).

    Physics does not carry a motion across a contact: a fit to the frames before a bounce,
    carried past it, says the ball goes on falling through the floor (seed 2 clean 200022: a
    settling ball's last hop, its apex steps 0.5-0.9 px, read as a freeze against 23 px that
    fits across the bounces on both sides predicted). A frozen object reverses nothing: its
    positions stop. The positions must show the turn because a piece of 2-4 frames is fitted
    with the shot's gravity fixed, and a still piece so fitted gets an upward velocity from
    the fixed gravity alone (seed 0 stutter 57008: a ball held 3 frames on the floor at 48
    fps, the held piece's fitted velocity "up"), and two such pieces around a picture held at
    the top of a hop read as a bounce, down then up, where the positions went up then down
    (vk.synth bounce seed 26, stutter at 16 fps).

    Example:
        >>> contacts(motion.tracks, 0, motion.events[0], motion.sigma[0])  # doctest: +SKIP
        [(11, 12), (25, 26)]
    """
    out = []
    p, vis = tr.centers[i], tr.visible[i]
    noise = 3 * np.sqrt(2) * max(float(sigma), camera_noise(tr, i))
    for ev in events:
        f0, f1 = int(ev.frame_before), int(ev.frame_after)
        va, vb = np.asarray(ev.v_before, float), np.asarray(ev.v_after, float)
        sa = np.sqrt(np.maximum(np.asarray(ev.var_before, float), 0.0))
        sb = np.sqrt(np.maximum(np.asarray(ev.var_after, float), 0.0))
        turns = (va * vb < 0) & (np.abs(va) > 3 * sa) & (np.abs(vb) > 3 * sb)
        e0 = next((f for f in (f0 - 2, f0 - 1) if f >= 0 and vis[f]), None)
        e1 = next((f for f in (f1 + 2, f1 + 1) if f < tr.num_frames and vis[f]), None)
        if not turns.any() or e0 is None or e1 is None or not (vis[f0] and vis[f1]):
            continue
        d0, d1 = p[f0] - p[e0], p[e1] - p[f1]
        # the positions turn the same way as the fits: into the surface, then out of it (the
        # top of a hop turns the other way: up, then down)
        same = (np.sign(d0) == np.sign(va)) & (np.sign(d1) == np.sign(vb))
        seen = turns & same & (np.abs(d0) > noise) & (np.abs(d1) > noise)
        if bool(np.any(seen)):
            out.append((f0, f1))
    return out


def frozen_runs(
    tr: Tracks,
    i: int,
    sigma: float,
    lim: float,
    hits: list[tuple[int, int]] | None = None,
    fall: np.ndarray | None = None,
) -> list[tuple[int, int, str]]:
    """Runs of frames where object ``i`` stops although its motion says it should move.

    A run is consecutive steps below ``max(0.1 px, 4 sigma, c)`` (``c``: the camera maps' misfit
    in a stabilised shot, below; 0 for a static camera). Fits to the (up to) 4 reliable
    frames ending at its first frame and starting at its last frame (within 6 frames) give the
    motion on each side (where fewer than 3 such frames are reliable, the frames where the
    object is seen partly hidden stand in for the first test below: their centroid is off by a
    fraction of the radius, far less than the steps a freeze is judged against; not for the
    held apex, whose fits are carried across the run). The run is a freeze when

    - the speed on both sides exceeds ``lim`` px/frame, the median step on each side exceeds
      ``lim / 2`` (an object that comes to rest just after a hop has a fitted speed but no
      steps: it settled, it did not freeze) and the motion carries on in the same direction (within 60
      degrees; a pendulum's end or an apex turns back), or
    - it lasts 2+ steps and both fits, carried across the run, move by more than ``2 lim``
      (the object hangs still where its acceleration would have moved it: a held apex).

    In a stabilised shot (moving camera) every position carries the error of its frame's
    camera map (the corners' misfit ``c``, :func:`~vidkit.probes.trajectory.camera_noise`,
    0.3-0.6 px after stabilisation): one short step among normal ones is what two maps that err
    in opposite directions give (a 2 px step read as 0.2 px was measured on clean shaking
    clips). A run of a single still step (counted over the frames where the object is seen)
    is then a freeze only when the motion on both sides exceeds ``6 max(sigma, c)`` px per
    frame as well; 2+ consecutive still steps need the maps to cancel the motion twice. The
    held apex's extrapolation error takes ``max(sigma, 0.05 px, c)`` as the position noise.

    A partly hidden still run of 2 to 8 steps after which the object is out of sight at once (no
    frames after it to fit), or before which it was, is a freeze when the motion on its other
    side passes the first test alone: a moving object that goes behind something shows less
    and less of itself (and more and more as it comes out), a frozen one keeps its visible part.
    So is one before which the object was seen only coming out from behind something (fewer
    than 3 reliable frames, its visible area growing at every step: :func:`_emerging`), judged
    on the motion after it alone: the centroid of a partly hidden object moves with the edge
    that hides it. No run is judged for an object whose positions span no more than
    its radius (:func:`_gets_somewhere`).

    ``fall``: per frame, the vertical acceleration (px per frame^2, down) the object falls with
    there (its free flight's gravity; 0 on a floor or unknown): a 3-frame side's line carries
    it across the run (:func:`_local_fit`), for the held apex's test.

    ``hits``: the object's contacts (:func:`contacts`). The fits on each side take no frame
    beyond a contact (physics does not carry a motion across one: a fit to a fall, carried
    past the bounce, goes through the floor), and a run with a contact within it is no freeze
    (its object turned there).

    Returns ``(first, last, description)`` per freeze.
    """
    out: list[tuple[int, int, str]] = []
    ok = tr.reliable(i)
    seen = tr.visible[i] & ~tr.at_border[i]
    if not _gets_somewhere(tr, i):
        return out
    hits = hits or []
    if sigma <= 0:
        # no run of 6 whole frames measured it: read it on the runs of its seen frames (with
        # sigma 0 a still step is one under 0.1 px, and the centroid of a partly hidden object
        # held still in frames carrying fresh sensor noise moves more: seed 12 stutter 1257042,
        # a ball going behind an occluder, held 2 frames, steps of 0.26 and 0.23 px while its
        # seen frames read a noise of 0.29 and 0.13 px)
        sigma = runs_noise(tr.centers[i], seen)
    fall = np.zeros(tr.num_frames) if fall is None else np.asarray(fall, float)
    _frozen_in(tr, i, sigma, lim, ok, None, out, seen, hits, fall)
    # a freeze while the object is partly hidden (its area below the usual one: behind an
    # occluder's edge, touching another object) is a freeze too: the visible part stops dead,
    # its area with it (the area of a moving, partly hidden object changes, and so does the
    # centroid of its visible part)
    if (seen & ~ok).any():
        _frozen_in(tr, i, sigma, lim, seen, ok, out, seen, hits, fall)
    return out


def _background_moved(tr: Tracks, i: int, cam: float, still_lim: float) -> np.ndarray:
    """``[T-1]``: steps where object ``i`` moved against the background around it, in a shot
    left uncompensated whose background shows the camera moved (:func:`shot_jitter` > 0).

    There the object's position carries the camera's motion: a ball moving 2.3 px per frame
    one way while a 10 fps shake moves the picture 1.9 px the other way stands still in the
    frame (seed 1 clean 100120: 0.34 px, read as a freeze). The background around the object
    was aligned to the background model in every frame (``Tracks.cam_shift``, with standard
    error ``cam_se``): the object's step less the background's step is its motion in the
    scene. A step moved when that exceeds ``still_lim`` and twice the length of its standard
    error (per axis ``sqrt(se_t^2 + se_t+1^2)``; a frozen picture leaves the difference at its
    noise: beyond twice that in 2% of steps), with both frames measured to better than a pixel.
    All False where no such measurement is at hand (a compensated or truly still shot).
    """
    T = tr.num_frames
    out = np.zeros(max(T - 1, 0), bool)
    have = tr.cam_shift.ndim == 3 and tr.cam_shift.shape[:2] == tr.centers.shape[:2]
    if cam > 0 or not have or T < 2 or shot_jitter(tr, tr.shot_of(i)) == 0.0:
        return out
    cs, se = tr.cam_shift[i], tr.cam_se[i]
    d_bg = np.diff(cs, axis=0)
    d_se = np.hypot(se[1:], se[:-1])
    good = np.all(np.isfinite(d_bg) & np.isfinite(d_se), axis=1)
    good &= np.all(se[1:] < tr.pixel_scale, axis=1) & np.all(se[:-1] < tr.pixel_scale, axis=1)
    rel = np.hypot(*(np.diff(tr.centers[i], axis=0) - d_bg).T)
    err = np.hypot(*d_se.T)
    with np.errstate(invalid="ignore"):
        out[good] = (rel[good] > still_lim) & (rel[good] > 2 * err[good])
    return out


def _own_noise(tr: Tracks, i: int, sigma: float, cam: float) -> float:
    """The noise of object ``i``'s centroid itself (px), which is all a held picture's steps
    show: ``sigma`` (the positions' noise from their third differences), less the jitter of a
    camera left uncompensated (:func:`shot_jitter`), which a held picture holds too.

    In a shot left uncompensated whose background shows the camera shake, ``sigma`` holds the
    shake: a 3 px ball on a 15 fps shake over stripes (seed 7 clean 700048) had ``sigma`` 0.74
    px, its background jittering 0.82 px, and steps of 1.7-2.2 px between moving frames read
    as "still" (below ``4 sigma``). The centroid's own noise is then ``sqrt(sigma^2 - j^2)``,
    and at least what the noise of its area says of its rim: the area's noise ``dA`` (px^2,
    :meth:`Tracks.area_noise`) spread over the rim of a disc of area ``A`` and radius ``r``
    moves the centroid by about ``dA r / (sqrt(2) A)`` per axis (0.06 px there; at or above
    ``sigma`` on the still clips of seed 7), never above ``sigma``. Elsewhere ``sigma``; in a
    stabilised shot (``cam`` > 0) the maps' misfit is allowed for apart.
    """
    jit = shot_jitter(tr, tr.shot_of(i)) if cam <= 0 else 0.0
    if jit <= 0:
        return sigma
    ok = tr.reliable(i)
    ar = tr.areas[i, ok]
    ar = ar[np.isfinite(ar)]
    rim = 0.0
    A = float(np.median(ar)) if ar.size >= 5 else 0.0
    if A > 0:
        rim = tr.area_noise(i, min_frames=5) * np.sqrt(A / np.pi) / (np.sqrt(2.0) * A)
    return max(float(np.sqrt(max(sigma**2 - jit**2, 0.0))), min(sigma, rim))


def _gets_somewhere(tr: Tracks, i: int) -> bool:
    """Whether object ``i``'s positions (where it is seen) span more than its radius.

    An object at rest (an occluder, a resting ball, a static blob) has no motion to freeze:
    its centroid is pushed back and forth by what passes behind it or merges with it for a
    few frames (a pixel or two, seed 2 clean 200054: an occluder's centroid went 1.5 px down
    for 8 frames while a ball passed behind it, and the frames between read as a stutter),
    and fits on such frames give it a speed it never had. A moving object that freezes goes
    somewhere before or after (a freeze is judged against 0.75 px per frame or more on both
    sides).
    """
    vis = tr.visible[i]
    if vis.sum() < 2:
        return False
    p = tr.centers[i, vis]
    r = float(np.nanmedian(tr.radii[i, vis]))
    span = float(np.hypot(*np.ptp(p, axis=0)))
    return bool(np.isfinite(r) and span > r)


def _frozen_in(
    tr: Tracks,
    i: int,
    sigma: float,
    lim: float,
    ok: np.ndarray,
    reliable: np.ndarray | None,
    out: list[tuple[int, int, str]],
    seen: np.ndarray,
    hits: list[tuple[int, int]],
    fall: np.ndarray,
) -> None:
    """:func:`frozen_runs` over the frames ``ok``; with ``reliable`` given, only the runs that
    hold an unreliable frame and keep their area (within 5%), appended to ``out``. ``seen``:
    the frames whose centroid may stand in for the sides' fits and count a run's length."""
    p = tr.centers[i]
    T = tr.num_frames
    cam = camera_noise(tr, i)
    # in a stabilised shot a frozen object's step reads the difference of two frames' camera
    # maps at its place (their misfit ``cam``, 0.3-0.6 px), not 0 (seed 2 stutter 257011 on a
    # zoom: the frozen ball's steps read 0.03-0.13 px); the sides must still move more than
    # ``lim`` (0.75 px per frame or more) for a freeze
    still_own = max(0.1 * tr.pixel_scale, 4 * _own_noise(tr, i, sigma, cam))
    still_lim = max(still_own, cam)
    steps = np.full(T - 1, np.inf)
    both = ok[:-1] & ok[1:]
    steps[both] = np.hypot(*(p[1:] - p[:-1])[both].T)
    frozen = (steps < still_lim) & ~_background_moved(tr, i, cam, still_lim)
    steps_seen = np.full(T - 1, np.inf)
    both_s = seen[:-1] & seen[1:]
    steps_seen[both_s] = np.hypot(*(p[1:] - p[:-1])[both_s].T)
    for run in mask_runs(frozen):
        a, b = int(run[0]), int(run[-1]) + 1  # frames a..b show the same position
        if reliable is not None:
            # 2+ still steps: one short step of an unreliable centroid (touching another
            # object, partly hidden) is as likely its jitter as a freeze
            if b - a < 2 or reliable[a : b + 1].all() or any(a <= y and x <= b for x, y, _ in out):
                continue
            ar = tr.areas[i, a : b + 1]
            if not np.all(np.isfinite(ar)) or ar.max() - ar.min() > _area_tol(tr, i, ar.min()):
                continue
            if np.any(steps_seen[a:b] >= still_own) and ar.max() - ar.min() > 0.05 * ar.min():
                # still only within the camera maps' misfit and its area kept only within its
                # noise: the two allowances do not stack (seed 0 clean 150: a 2 px residue blob,
                # its area 12-14 px^2, read as frozen on a wrongly compensated static shot)
                continue
        if any(a <= f0 and f1 <= b for f0, f1 in hits):
            continue  # the object turned within the run (a hop's top between two bounces)
        # the sides' fits stop at a contact: physics carries no motion across one
        lo = max([a - 6, 0] + [f1 for _, f1 in hits if f1 <= a])
        hi = min([b + 6, T - 1] + [f0 for f0, _ in hits if f0 >= b])
        before = [f for f in range(lo, a + 1) if ok[f]][-4:]
        after = [f for f in range(b, hi + 1) if ok[f]][:4]
        stand_in = len(before) < 3 or len(after) < 3
        if len(before) < 3:
            before = [f for f in range(lo, a + 1) if ok[f] or seen[f]][-4:]
        if len(after) < 3:
            after = [f for f in range(b, hi + 1) if ok[f] or seen[f]][:4]
        if reliable is not None and (len(before) < 3) != (len(after) < 3):
            # the object goes out of sight right after a still run with its area kept (or comes
            # into view right before it): a moving object that goes behind something shows less
            # and less of itself (its visible area shrinks to nothing as it goes, and grows
            # from nothing as it comes out), a frozen one keeps its visible part and is gone
            # (or there) in one step; the motion on the side where it is seen says it moves
            went = len(after) < 3
            side, at = (before, a) if went else (after, b)
            unseen = (
                b + 1 < T and not tr.visible[i, b + 1]
                if went
                else a > 0 and not tr.visible[i, a - 1]
            )
            if unseen and b - a <= 8:  # a short hold: an object that comes to rest stays put
                c = _local_fit(np.asarray(side), p[side], at=at)
                sv = float(np.hypot(*c[:, 1]))
                med = _median_step(p, np.asarray(side))
                moved = float(np.hypot(*(p[b] - p[a]))) / (b - a)
                if sv > lim and med > 0.5 * lim and moved < 0.25 * sv:
                    why = (
                        f"while it moves {sv:.1f} px per frame before and then goes out of sight"
                        if went
                        else f"as it comes into view, while it moves {sv:.1f} px per frame after"
                    )
                    out.append((a, b, why))
            continue
        # a side cut short by a contact holds what physics carries on: 2 frames (one step) give
        # its velocity to sqrt(2) times the position noise, for the first test below only (vk.synth
        # collision seed 34: a ball held 4 frames one step before it hits another)
        short = len(before) < 3 or len(after) < 3
        need_b = 2 if lo > max(a - 6, 0) else 3
        need_a = 2 if hi < min(b + 6, T - 1) else 3
        if len(before) < need_b or len(after) < need_a:
            continue
        cin = _local_fit(np.asarray(before), p[before], at=a)
        cout = _local_fit(np.asarray(after), p[after], at=b)
        vin, vout = cin[:, 1], cout[:, 1]
        si, so = float(np.hypot(*vin)), float(np.hypot(*vout))
        same_way = si > 0 and so > 0 and float(vin @ vout) / (si * so) > 0.5
        n = b - a
        moved = float(np.hypot(*(p[b] - p[a]))) / n  # per step, during the run
        # a freeze moves a small fraction of the expected step (compression or noise may make
        # one step short, not stop it)
        # the object moves on both sides: the median of its steps there, not only the fits
        med_in = _median_step(p, np.asarray(before))
        med_out = _median_step(p, np.asarray(after))
        lim_here = lim
        step_share = 0.5  # of lim_here, that the median steps on both sides must exceed
        if _still_length(steps_seen, a, b, still_lim) < 2:
            # one still step in a stabilised shot (the maps' misfit), and on any camera one
            # still step judged on the steps around it (:func:`_side_step_noise`)
            lim_here = max(lim, 6 * max(sigma, cam, _side_step_noise(p, before, after)))
            step_share = 1.0
        if (
            min(si, so) > lim_here
            and min(med_in, med_out) > step_share * lim_here
            and same_way
            and moved < 0.25 * min(si, so)
        ):
            out.append((a, b, f"while it moves {si:.1f} px per frame before and {so:.1f} after"))
            continue
        if short:
            continue
        if reliable is not None and n <= 8 and _emerging(tr, i, reliable, before, after, a):
            # seen before the run only coming out from behind something (its visible area
            # growing at every step: it moves there, but the centroid of its visible part moves
            # with the edge that hides it, not with it): the motion after it, seen whole, says
            # how it moves. A short hold only: an object that comes to rest stays put for long
            c = _local_fit(np.asarray(after), p[after], at=b)
            sv = float(np.hypot(*c[:, 1]))
            if sv > lim_here and med_out > 0.5 * lim_here and moved < 0.25 * sv:
                out.append(
                    (a, b, f"as it comes into view, while it moves {sv:.1f} px per frame after")
                )
                continue
        if stand_in:
            continue  # a held apex is read from extrapolated fits: reliable frames only
        # a 3-frame side is a line, which carried across an apex overshoots by the fall it
        # leaves out (seed 15 clean 1500151, 60 fps: at a 7-frame hop's top, lines through
        # frames 40-42 and 44-46 said 3.9 px over frames 42-44, the truth 0.12 px; falling with
        # the object's gravity, 0.91 px per frame^2 (the truth 0.87), they say 0.7 and 0.2 px):
        # the object's fall there is carried with it
        cin = _local_fit(np.asarray(before), p[before], at=a, fall=float(np.min(fall[before])))
        cout = _local_fit(np.asarray(after), p[after], at=b, fall=float(np.min(fall[after])))
        fwd = float(np.hypot(*[np.polyval(c[::-1], n) - c[0] for c in cin]))
        bwd = float(np.hypot(*[np.polyval(c[::-1], -n) - c[0] for c in cout]))
        # what a fit on 3-4 noisy points says n frames away is uncertain (its standard error
        # grows like n^2 for a quadratic): the motion it predicts must stand out of that. In a
        # stabilised shot each position also carries its frame's map error (the corners'
        # misfit), which the object's own third differences need not show
        noise = max(sigma, 0.05 * tr.pixel_scale, cam)
        if reliable is not None:
            # the partly seen frames' centroids carry the error of a part for the whole
            noise = max(noise, _part_error(tr, i, reliable, before + after))
        sure = min(
            fwd - 3 * _extrapolation_se(np.asarray(before) - a, n, noise),
            bwd - 3 * _extrapolation_se(np.asarray(after) - b, -n, noise),
        )
        # a held apex: a short hold (a long one is an object at rest, and fits carried over
        # many frames say little)
        if 2 <= n <= 8 and sure > 2 * lim_here and moved * n < 0.25 * min(fwd, bwd):
            out.append(
                (a, b, f"where its motion before and after says it moves {min(fwd, bwd):.1f} px")
            )


def _part_error(tr: Tracks, i: int, reliable: np.ndarray, frames: list[int]) -> float:
    """The largest error (px) of object ``i``'s centroid over ``frames`` where it is seen only in
    part (not ``reliable``): ``r |1 - A / A_w|`` (at most ``r``), for its visible area ``A``
    against its median area ``A_w`` where whole (``r``: that area's radius).

    The centroid of the visible part of a disc cut by a straight edge lies off its centre by
    about ``r (1 - f)`` for a visible fraction ``f`` (0.42 r at half, 0.09 r at 0.9, up to r
    for a sliver), and a blob that takes in more than the object is off by as much: a held
    apex's fits carried across a run must stand out of that (seed 6 clean 600176: a ball at
    rest on the floor whose track took a 40 px^2 speck 9 px away for one frame, 6% of its 625
    px^2, and the fit through it said the ball moves 2.8 px).
    """
    part = [f for f in frames if not reliable[f]]
    if not part or not reliable.any():
        return 0.0
    whole = float(np.nanmedian(tr.areas[i, reliable]))
    if not np.isfinite(whole) or whole <= 0:
        return 0.0
    r = float(np.sqrt(whole / np.pi))
    off = np.abs(1.0 - tr.areas[i, part] / whole)
    return r * float(np.nanmin([np.nanmax(np.append(off, 0.0)), 1.0]))


def _emerging(
    tr: Tracks, i: int, reliable: np.ndarray, before: list[int], after: list[int], a: int
) -> bool:
    """Whether object ``i`` comes out from behind something just before the still run that
    starts at ``a``: fewer than 3 ``reliable`` frames before it, 3+ after, and over the frames
    before it (with ``a``) its visible area grows at every step, by more than
    :func:`_area_tol` in all; an object does that only by moving (a partly hidden object at
    rest keeps its visible area)."""
    if int(reliable[before].sum()) >= 3 or int(reliable[after].sum()) < 3:
        return False
    side = sorted(set(before) | {a})
    ar = tr.areas[i, side]
    if ar.size < 3 or not np.all(np.isfinite(ar)) or not np.all(np.diff(ar) > 0):
        return False
    return float(ar[-1] - ar[0]) > _area_tol(tr, i, float(ar.min()))


def _area_tol(tr: Tracks, i: int, area: float) -> float:
    """How much object ``i``'s area may change over a frozen run (px^2): 5% of ``area``, or 3
    times the noise of its area over its reliable frames (MAD) when larger (a small object on a
    zooming camera or a blurred edge: a frozen object's measured area still jitters by that)."""
    return max(0.05 * max(area, 1e-9), 3 * tr.area_noise(i, min_frames=5))


def _median_step(p: np.ndarray, frames: np.ndarray) -> float:
    """Median step (px per frame) of the positions ``p`` over ``frames`` (sorted)."""
    if frames.size < 2:
        return 0.0
    d = np.hypot(*np.diff(p[frames], axis=0).T) / np.maximum(np.diff(frames), 1)
    return float(np.median(d))


def _side_step_noise(p: np.ndarray, before: list[int], after: list[int]) -> float:
    """The position error (px, per axis) that the steps next to a single still step show: the
    scatter of the step lengths on each side about their side's mean (pooled; a step is two
    positions' difference, ``sqrt(2)`` times their error), 0 with fewer than 2 steps a side.

    One still step is two positions' errors away from a normal step, and a track's ``sigma``
    (from third differences over the whole track) may understate them where it is judged:
    seed 11 clean 1100171, a 3.5 px ball crossing at 8 fps, truth 1.27-1.30 px per frame, read
    one step of 0.11 px (its frames 3 and 4 off by 0.35 and 0.83 px against the motion) with
    ``sigma`` 0.20 px where its true error is 0.22-0.28 px per axis; the 3 steps on each side
    (1.46, 1.12, 1.94 and 1.96, 1.12, 1.61 px) read 0.29 px. The sides' fits carried to the
    run's ends read 2.0 and 1.9 px per frame: a 4-point quadratic's end slope has a standard
    error of 1.57 times the position error per axis, so the steps themselves are asked too.

    Example:
        >>> pts = np.array([[0.0, 0], [1.5, 0], [2.6, 0], [4.5, 0], [4.6, 0], [6.6, 0], [7.7, 0]])
        >>> round(_side_step_noise(pts, [0, 1, 2, 3], [4, 5, 6]), 2)
        0.35
    """
    ss, dof = 0.0, 0
    for frames in (before, after):
        if len(frames) < 3:
            return 0.0
        f = np.asarray(frames)
        d = np.hypot(*np.diff(p[f], axis=0).T) / np.maximum(np.diff(f), 1)
        ss += float(np.sum((d - d.mean()) ** 2))
        dof += d.size - 1
    return float(np.sqrt(ss / dof / 2.0)) if dof > 0 else 0.0


def _still_length(steps: np.ndarray, a: int, b: int, still_lim: float) -> int:
    """Number of consecutive still steps (below ``still_lim``) around the run ``a``-``b``."""
    lo, hi = a, b  # steps lo..hi-1
    while lo > 0 and steps[lo - 1] < still_lim:
        lo -= 1
    while hi < steps.size and steps[hi] < still_lim:
        hi += 1
    return hi - lo


def _extrapolation_se(offsets: np.ndarray, at: float, sigma: float) -> float:
    """Standard error (px, per axis) of the position that :func:`_local_fit` on frames at
    ``offsets`` (from its origin) predicts at ``at``, for position noise ``sigma``."""
    deg = 2 if offsets.size >= 4 else 1
    X = np.vander(offsets.astype(float), deg + 1, increasing=True)
    x = np.array([float(at) ** k for k in range(deg + 1)])
    cov = pinv(X.T @ X)
    return float(sigma * np.sqrt(max(float(x @ cov @ x), 0.0)))


def _local_fit(frames: np.ndarray, pos: np.ndarray, at: int, fall: float = 0.0) -> np.ndarray:
    """Per axis ``[p, v, a/2]`` (px, px/frame) of a quadratic (line for 3 points) around ``at``;
    a line's vertical axis falls with ``fall`` (px per frame^2, down) where one is given."""
    deg = 2 if frames.size >= 4 else 1
    out = np.zeros((2, 3))
    for k in range(2):
        acc = fall if (deg == 1 and k == 1) else 0.0
        y = pos[:, k] - 0.5 * acc * (frames - at) ** 2
        c = np.polyfit(frames - at, y, deg)[::-1]
        out[k, : c.size] = c
        if acc:
            out[k, 2] = 0.5 * acc
    return out
