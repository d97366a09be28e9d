"""Reading tracked trajectories: free-flight segments, fits, events, pendulums.

:func:`analyze_motion` reads them; the physics-consistency probes built on it live beside it in
:mod:`vidkit.probes.dynamics`
(:func:`~vidkit.probes.dynamics.gravity`, :func:`~vidkit.probes.dynamics.bounce`),
:mod:`vidkit.probes.persistence` (:func:`~vidkit.probes.persistence.permanence`,
:func:`~vidkit.probes.size_colour.conservation`) and :mod:`vidkit.probes.kinematics`
(:func:`~vidkit.probes.kinematics.continuity`, :func:`~vidkit.probes.kinematics.smoothness`).
Every probe takes a video (or the :class:`~vidkit.probes.tracking.Tracks` of one) and returns a
:class:`~vidkit.probes.result.ProbeResult`: scores, a pass/fail at a documented threshold, the
failing frames and plain sentences.

How trajectories are read
-------------------------
Each object's reliable frames (visible, whole, not touching another object) are cut into
*free-flight segments*: a run is fitted with ``p(t) = p0 + v0 t + a t^2 / 2`` on both axes and, while
the worst residual exceeds ``max(0.25 px, 4.5 sigma)`` (``sigma``: the position noise, from third
differences), split where two such fits leave the least residual. The joints between segments are
*events*: at each joint the two fitted curves are compared over the frame interval between them.

Which frames are fitted, and what is free flight (the rules that keep clean clips from failing):

- not the **shoulders of a partial occlusion**: next to the frames the tracker set aside (area
  below 85% of the usual one), the frames whose area is still short of the usual one by more
  than its noise (the object slides in or out of cover; the visible part's centroid is not the
  centre);
- not the frames where **another object, hidden at the time, crosses** this one's disc (its path
  taken as the line between where it was last and next seen): in front and undetected it cuts
  a notch out of the mask, enough to read as a kick or a collision that gains energy;
- a piece that **settles into a lasting rest** (decelerating vertically into a piece at rest at
  the height where it ends) is contact with the floor, not free flight (``settling``): no
  constant gravity brings a body to a lasting rest, and at 8-25 fps the last small bounces fall
  inside one piece whose quadratic reads as upward gravity;
- only a rest that **lasts**: a piece that slows into a flat stretch and is seen to leave its
  height sooner than an apex of its own acceleration stays flat is turning at an apex (gravity
  that points up makes a sinking body slow, stop and rise), not settling;
- a piece that reaches the object's **floor** (its lowest height) and is **too flat for free
  flight** with the shot's gravity (over ``D`` frames a fall spans at least ``g (D/2)^2 / 2``)
  is on the floor too: the last hops of a settling ball merged into one piece
  (:mod:`vidkit.probes.contact`);
- pieces of 2-4 frames fall with the **gravity of their shot**: the median g of its free-flight
  pieces of 5+ frames, or, where there are none (2-4 frames per flight at a low frame rate), the
  downward acceleration that lets the short pieces of the shot fit best (``_short_gravity``).

- the closest approach of the two curves is a **position jump** (0 for a bounce or a kick: the
  position is continuous, only the velocity changes);
- the velocities where the curves meet give the **restitution** ``e = |v_after / v_before|`` of a
  floor bounce (vertical velocity turns from down to up) and the **speed ratio** of any other
  joint (a kick in mid-air, a collision);
- a joint is a **collision** when another object touches this one there and moves itself; a
  body that stays put across the contact (a floor or wall region tracked as an object, a heavy
  body at rest: ``_stays_put``) takes no energy, and the joint is this object's own bounce,
  wall bounce or kick, judged on its own velocities.

A trajectory that lies on a circle and swings (x not linear in time; its bend away from a straight
line beyond three times the camera's error in the shot) is read as a **pendulum**
(:mod:`vidkit.probes.pendulum`): the
pivot and rod length come from a circle fit, the angle ``theta(t)`` from the pivot, and
``theta'' = -(g / L) sin(theta)`` gives g (least squares, with ``theta''`` from a 5-point
Savitzky-Golay derivative), before and after the best single change point for the consistency
check.

The fits themselves (:class:`Segment`, :class:`Event`) are in :mod:`vidkit.probes.segments`.

Thresholds (all arguments of the probes)
----------------------------------------
=============  ==========================================================================
gravity        each segment's g within ``rel_tol`` (10%) + 3 standard errors (the camera's
               error at the object added to their noise in a stabilised shot,
               :func:`camera_acc_se`) of the expected
               g when ``expected_g`` is given, else of the median g of all segments (each
               weighted by its precision, ``n / se^2``; the standard error of that
               reference piece adds to the segment's in quadrature); g must
               not point up; horizontal acceleration in free flight below ``rel_tol * |g|``
bounce         restitution ``e <= 1 + tol`` (0.05) at floor bounces; speed ratio
               ``<= 1 + tol`` at joints where nothing touches the object (mid-air kicks);
               pair kinetic energy ``<= (1 + tol)`` times its value before a collision;
               pendulum swing energy not rising by more than ``tol``
permanence     no object ends or starts (or has a gap) more than ``margin`` px away from the
               frame border, unless it is hidden by another object
conservation   radius within ``size_tol`` (15%) of the object's median radius, colour within
               ``color_tol`` (0.12 RGB distance) of its median colour
continuity     position jump at a joint below ``max(jump_px, 6 sigma)`` (3 px); no frozen step
               (an object that stops dead for a frame while its neighbours predict a step of
               more than ``max(0.75 px, 6 sigma)``, and more than ``6 x`` the camera fit's
               misfit for a single still step in a stabilised shot; or a frame that repeats
               the previous one exactly)
smoothness     log dimensionless jerk (LDLJ) of each free-flight segment's speed above
               ``min_ldlj`` (-12), unless its jerk is what the position noise explains
=============  ==========================================================================

Time reversal
-------------
A reversed clip is caught only where the physics is not time-symmetric: a reversed inelastic bounce
has ``e = 1/e_floor > 1`` (bounce), a reversed inelastic collision gains kinetic energy (bounce),
a ball resting on the floor that leaps up gains energy (bounce). Ballistic flight, undamped
pendulums, uniform motion and elastic collisions look physical backwards; docs/probes.md gives the
measured recall per scene kind.

Example:
    >>> import vidkit as vk
    >>> scene = vk.synth.render("bounce", seed=0)                 # doctest: +SKIP
    >>> vk.probes.gravity(scene.video).scores["g"]                # doctest: +SKIP
    398.7
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from vidkit.probes.camera_local import camera_bend
from vidkit.probes.contact import mark_contact, mark_flat
from vidkit.probes.pendulum import fit_pendulum
from vidkit.probes.result import Finding, ProbeResult
from vidkit.probes.segments import Event, Segment, fit_segment
from vidkit.probes.small_linalg import pinv
from vidkit.probes.tracking import Tracks, mask_runs, track

__all__ = [
    "analyze_motion",
    "Motion",
    "Segment",
    "Event",
    "camera_acc_se",
    "camera_misfit",
    "camera_noise",
    "shot_jitter",
    "frames_text",
    "joint_events",
    "mask_runs",
    "runs_noise",
    "no_objects",
    "nothing_whole",
    "resolve_motion",
]


# --------------------------------------------------------------------------- inputs
def _tracks(video: Any, fps: float | None = None) -> Tracks:
    if isinstance(video, Tracks):
        if fps is not None and float(fps) != video.fps:
            raise ValueError(
                f"fps={fps} was given but these Tracks were made at {video.fps:g} fps; track "
                "the video again with the right fps"
            )
        return video
    return track(video, fps=fps)


def frames_text(frames: Any) -> str:
    fr = sorted({int(f) for f in frames})
    if not fr:
        return "no frames"
    if len(fr) == 1:
        return f"frame {fr[0]}"
    if fr == list(range(fr[0], fr[-1] + 1)):
        return f"frames {fr[0]}-{fr[-1]}"
    if len(fr) <= 6:
        return "frames " + ", ".join(map(str, fr))
    return f"{len(fr)} frames between {fr[0]} and {fr[-1]}"


# --------------------------------------------------------------------------- fits
@dataclass
class Motion:
    """Everything the trajectory probes read from a :class:`Tracks`."""

    tracks: Tracks
    sigma: np.ndarray  # position noise per object (px)
    segments: list[list[Segment]]
    events: list[list[Event]]
    pendulum: list[dict[str, Any] | None] = field(default_factory=list)


def _position_noise(pos: np.ndarray) -> float:
    """Robust position noise (px) from third differences (zero for constant acceleration)."""
    if pos.shape[0] < 6:
        return 0.0
    d3 = np.diff(pos, n=3, axis=0).reshape(-1)
    # var(third difference of white noise) = 20 sigma^2
    return float(1.4826 * np.median(np.abs(d3)) / np.sqrt(20.0))


def runs_noise(pos: np.ndarray, mask: np.ndarray) -> float:
    """Position noise (px): the median over the runs of 6+ ``mask`` frames of their third
    differences' robust noise (0 without one); with the whole frames, :class:`Motion`'s sigma.

    Example:
        >>> rng = np.random.default_rng(0)
        >>> pts = np.c_[np.arange(20.0), np.zeros(20)] + rng.normal(0, 0.2, (20, 2))
        >>> 0.1 < runs_noise(pts, np.ones(20, bool)) < 0.4
        True
    """
    noise = [_position_noise(pos[r]) for r in mask_runs(mask) if r.size >= 6]
    return float(np.median(noise)) if noise else 0.0


def camera_noise(tr: Tracks, i: int) -> float:
    """Median misfit (px of the original frames) of the camera motion compensated in object
    ``i``'s shot; 0 for a static camera."""
    cam = tr.shot_camera(tr.shot_of(i))
    if cam is None or not getattr(cam, "moving", False):
        return 0.0
    r = np.asarray(cam.residual, float)
    r = r[np.isfinite(r)]
    return float(np.median(r)) * tr.pixel_scale if r.size else 0.0


def shot_jitter(tr: Tracks, k: int) -> float:
    """The camera's error (px, per axis) that the background around the objects of shot ``k``
    shows beyond its own measuring error, where the shot was not compensated (judged still,
    or assumed still for want of texture); 0 where it shows none.

    Around every object, in every frame, the background was aligned to the background model
    (:func:`~vidkit.probes.camera_local.camera_error`: a shift ``d`` with standard error
    ``e``). A still camera leaves ``d / e`` standard normal: the shot moved when the sum of
    ``(d / e)^2`` over the measured frames (``e`` under 1 px) exceeds its count ``N`` by
    more than ``5 sqrt(2 N)`` (far beyond chance), and then by the excess scatter
    ``sqrt(mean(d^2) - mean(e^2))``: a camera the corners missed (a shake over stripes, a slow
    pan over a ramp) shows in the background around the object.

    Example:
        >>> shot_jitter(motion.tracks, 0)  # doctest: +SKIP
        0.0
    """
    if not (tr.cam_shift.ndim == 3 and tr.cam_shift.shape[:2] == tr.centers.shape[:2]):
        return 0.0
    objs = [i for i in range(tr.n_objects) if tr.shot_of(i) == k]
    if not objs:
        return 0.0
    d = tr.cam_shift[objs].reshape(-1)
    e = tr.cam_se[objs].reshape(-1)
    ok = np.isfinite(d) & np.isfinite(e) & (e > 0) & (e < 1.0 * tr.pixel_scale)
    n = int(ok.sum())
    if n < 8:
        return 0.0
    d, e = d[ok], e[ok]
    if float(np.sum((d / e) ** 2)) <= n + 5.0 * np.sqrt(2.0 * n):
        return 0.0
    return float(np.sqrt(max(float(np.mean(d**2) - np.mean(e**2)), 0.0)))


def camera_misfit(tr: Tracks, i: int) -> float:
    """The camera's error per frame (px) in object ``i``'s shot: the compensated camera's median
    corner misfit (:func:`camera_noise`), or, in a shot left uncompensated, the jitter its
    background shows around the objects (:func:`shot_jitter`); 0 for a still camera.

    Example:
        >>> camera_misfit(motion.tracks, 0)  # doctest: +SKIP
        0.0
    """
    return camera_noise(tr, i) or shot_jitter(tr, tr.shot_of(i))


def camera_at_object(
    tr: Tracks, i: int, frames: np.ndarray | list[int], c: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """The background's shift around object ``i`` in ``frames`` (``Tracks.cam_shift``, the
    camera's error where the object is), its standard error (``Tracks.cam_se``), both
    ``(len(frames), 2)``, and per frame and axis whether that measurement is at hand and more
    precise than the shot's typical camera error ``c`` (where not, ``c`` stands for it); None
    where the tracks carry no such measurement.

    Example:
        >>> d, e, measured = camera_at_object(motion.tracks, 0, [3, 4, 5], 0.4)  # doctest: +SKIP
    """
    if not (tr.cam_shift.ndim == 3 and tr.cam_shift.shape[:2] == tr.centers.shape[:2]):
        return None
    d, e = tr.cam_shift[i, frames], tr.cam_se[i, frames]
    return d, e, np.isfinite(d) & np.isfinite(e) & (e < c)


def camera_acc_se(tr: Tracks, s: Segment) -> np.ndarray:
    """Standard errors of piece ``s``'s fitted acceleration ``(ax, ay)`` (px/s^2), its own
    noise and the camera's error at the object together.

    The camera's error where the object is, frame by frame, is measured
    (:func:`~vidkit.probes.camera_local.camera_error`: the background around the object
    against the background model, a shift ``d_t`` with standard error ``e_t``). A piece's
    acceleration is a weighted sum of its positions, ``a = sum w_t p_t`` (the least-squares
    weights of its design). Each frame's camera error is the measurement where it is more
    precise than the shot's typical camera error ``c`` (in a stabilised shot the fit's median
    corner misfit, :func:`camera_noise`; in a shot left uncompensated the jitter its
    background shows, :func:`shot_jitter`), else ``c``: the misregistration bends the piece by
    ``sum w_t d_t`` (measured frames) with an uncertainty ``sqrt(sum w_t^2 err_t^2)``; both add
    in quadrature to the fit's own error (its residual RMS, at least the object's position
    noise). The corners' median misfit is a whole-frame figure: too large where the texture
    around the object pins the map (a wrong gravity then passed), too small where the camera
    moved and the corners missed it (a glide's path bent into a fall). The result is never
    below the one from ``c`` alone: in a stabilised shot the background is read against a
    model built from the same maps, in an uncompensated one against the median of the moving
    frames themselves (the shifts read there come out attenuated). A still shot whose
    background shows no motion keeps the fit's own error.

    Example:
        >>> se = camera_acc_se(motion.tracks, motion.segments[0][0])  # doctest: +SKIP
    """
    own = np.asarray(s.se_acc, float)
    i = s.object
    c = camera_noise(tr, i)
    if c == 0.0:
        c = shot_jitter(tr, tr.shot_of(i))
    if s.fixed_acc or s.n < 4 or not np.all(np.isfinite(own)) or c == 0.0:
        return s.acc_se(c)
    at = camera_at_object(tr, i, s.frames, c)
    if at is None:
        return s.acc_se(c)
    d, e, meas = at
    dt = (s.frames - s.frames[0]) / tr.fps
    X = np.stack([np.ones_like(dt), dt, 0.5 * dt**2], axis=1)
    w = pinv(X)[2]  # a = w @ p
    cam = camera_bend(w, d, e, meas, c)
    out = np.array([float(np.hypot(own[ax], cam[ax])) for ax in range(2)])
    # in a stabilised shot the background is read against a model built from the same
    # maps: it shows an error the corners' misfit misses, but its small standard error is no
    # proof that the map is better than that misfit at the object (seed 1 clean 100032: a 60
    # fps piece after a bounce, 0.01 px read there, failed on the blur of its contact frame
    # that the misfit had covered). Measured again (grav14): with no floor there, 2 more wrong
    # gravities are caught on seeds 11-12 (1155042, 1155072: a 3x gravity read 58.7 px/s^2
    # against 25.4, limit 50 with the floor, 21 without) and 1 of their 400 clean clips fails
    # (seed 12 clean 1200195: three balls under a shake at 60 fps all bend to -1400 px/s^2 in
    # frames 18-22 against 411, a stabilisation error that the background around each ball
    # reads as 52 +- 360 px/s^2); of the clean clips of seeds 9-10 it covered, 900062 and
    # 1000191 were the object's own error (dynamics: a bounce inside a piece, a ball partly
    # hidden with no merge). In a shot left uncompensated whose background shows the
    # camera's motion the model is the median of those moving frames itself, and the shifts
    # read against it are attenuated (seed 0 clean 39, a glide under a shake the corners
    # missed: the shifts around the ball follow the true shake with a slope of 0.4-0.5 and
    # leave 0.4-0.5 px of it, three times their standard error): the jitter is the floor there
    out = np.maximum(out, s.acc_se(c))
    return out


def _segment_costs(pos: np.ndarray, acc_short: np.ndarray | None = None) -> np.ndarray:
    """RSS (both axes) of a constant-acceleration fit to every span ``[i, j)`` of a run.

    Spans of 5+ points get a free quadratic. A quadratic through 3 or 4 points fits almost
    anything (a jump included), so spans of 2-4 points get a straight line after removing the
    known acceleration ``acc_short`` (px/frame^2 per axis; none: a plain line). Computed from
    prefix sums of centred moments, all spans at once.
    """
    n = pos.shape[0]
    t = np.arange(n, dtype=np.float64) - (n - 1) / 2
    y = pos - pos.mean(axis=0)
    zero = np.zeros(1)
    P = [np.concatenate([zero, np.cumsum(t**k)]) for k in range(5)]
    Y = [[np.concatenate([zero, np.cumsum(y[:, a] * t**k)]) for k in range(3)] for a in range(2)]
    Y2 = [np.concatenate([zero, np.cumsum(y[:, a] ** 2)]) for a in range(2)]
    acc = np.zeros(2) if acc_short is None else np.asarray(acc_short, float)
    ii, jj = np.triu_indices(n + 1, k=2)
    cost = np.full((n + 1, n + 1), np.inf)
    for deg, sel in ((1, (jj - ii) <= 4), (2, (jj - ii) >= 5)):
        i, j = ii[sel], jj[sel]
        if i.size == 0:
            continue
        S = np.empty((i.size, deg + 1, deg + 1))
        for a in range(deg + 1):
            for b in range(deg + 1):
                S[:, a, b] = P[a + b][j] - P[a + b][i]
        tot = np.zeros(i.size)
        for ax in range(2):
            h = 0.5 * acc[ax] if deg == 1 else 0.0  # fit y - h t^2 with a line
            v = np.stack(
                [
                    Y[ax][k][j] - Y[ax][k][i] - h * (P[k + 2][j] - P[k + 2][i])
                    for k in range(deg + 1)
                ],
                axis=1,
            )
            yy = (
                (Y2[ax][j] - Y2[ax][i])
                - 2 * h * (Y[ax][2][j] - Y[ax][2][i])
                + h * h * (P[4][j] - P[4][i])
            )
            beta = np.linalg.solve(S, v[..., None])[..., 0]
            tot += yy - np.sum(beta * v, axis=1)
        cost[i, j] = np.maximum(tot, 0.0)
    return cost


def _split_run(pos: np.ndarray, penalty: float, acc_short: np.ndarray | None = None) -> list[slice]:
    """Optimal partition of a run into constant-acceleration pieces (RSS + penalty per piece)."""
    return _partition(pos, penalty, acc_short)[0]


def _partition(
    pos: np.ndarray, penalty: float, acc_short: np.ndarray | None = None, ends: bool = True
) -> tuple[list[slice], float]:
    """:func:`_split_run`'s pieces and their total cost (RSS + penalty per piece); with
    ``ends=False`` no 2-point piece at all (each piece then says something about the
    acceleration)."""
    n = pos.shape[0]
    if n < 4:
        cost = _segment_costs(pos, acc_short)[0, n] if n >= 2 else 0.0
        return [slice(0, n)], float(cost) + penalty
    cost = _segment_costs(pos, acc_short)
    # a 2-point piece fits any pair exactly and could bridge a jump: only at the run's ends
    idx = np.arange(1, n - 2) if ends else np.arange(0, n - 1)
    cost[idx, idx + 2] = np.inf
    best = np.full(n + 1, np.inf)
    prev = np.zeros(n + 1, int)
    best[0] = 0.0
    for j in range(2, n + 1):
        cand = best[:j] + cost[:j, j] + penalty
        k = int(np.argmin(cand))
        best[j], prev[j] = cand[k], k
    cuts = []
    j = n
    while j > 0:
        cuts.append(j)
        j = prev[j]
    cuts = [0, *reversed(cuts)]
    return [slice(a, b) for a, b in zip(cuts[:-1], cuts[1:])], float(best[n])


def _pieces(
    tr: Tracks, i: int, run: np.ndarray, pen: float, acc: np.ndarray | None, sigma: float
) -> list[np.ndarray]:
    """The frames of each constant-acceleration piece of a run (:func:`_split_run`), less the
    frame at a joint that lies on neither side's curve.

    A frame whose exposure holds the contact of a bounce (or the start of any change of
    velocity) is blurred over both motions; its centroid is the average over the exposure, on
    neither parabola, and a ball touching the floor may be squashed or shadowed. The partition
    puts every frame in some piece (a 2-point piece is no fit), so that frame bends the piece it
    joins: a 5-frame piece read as upward gravity, a rebound read too slow for an energy gain.
    At each joint, the last frame of the piece before and the first frame of the piece after
    are checked against the curve of their own piece fitted without them and against the curve
    of the piece on the other side (:func:`_misfit`); one that misses both by more than
    ``max(0.25 px, 4.5 x`` its prediction error) is left out and the two sides of the run are
    partitioned again, each on its own.
    """
    pos = tr.centers[i]
    pieces = [run[sl] for sl in _split_run(pos[run], pen, acc)]
    floor = 0.25 * tr.pixel_scale
    best, cut = 1.0, -1
    for a, b in zip(pieces[:-1], pieces[1:]):
        for c, own, other in ((a[-1], a[:-1], b), (b[0], b[1:], a)):
            ratios = [
                _misfit(pos, own, c, acc, sigma, floor),
                _misfit(pos, other, c, acc, sigma, floor),
            ]
            r = min(ratios)
            if r > best:
                best, cut = r, int(np.searchsorted(run, c))
    if cut < 0:
        return pieces
    return _pieces(tr, i, run[:cut], pen, acc, sigma) + _pieces(
        tr, i, run[cut + 1 :], pen, acc, sigma
    )


def _misfit(
    pos: np.ndarray,
    frames: np.ndarray,
    c: int,
    acc: np.ndarray | None,
    sigma: float,
    floor: float,
) -> float:
    """How far frame ``c``'s position is from the curve fitted to ``frames`` (extrapolated to
    ``c``), in units of ``max(floor, 4.5 x`` the prediction error): a free quadratic on 5+
    frames (or 4 without a known acceleration), a line after removing ``acc`` (px/frame^2) on
    3-4 frames; 0 (no judgement) with fewer frames.

    The prediction error is ``s sqrt(1 + h)``: ``s`` the fit's residual standard deviation, never
    below the position noise ``sigma``, ``h`` the leverage of frame ``c`` in the fit.
    """
    n = frames.size
    if n >= 5 or (n == 4 and acc is None):
        deg = 2
    elif n >= 3 and acc is not None:
        deg = 1
    else:
        return 0.0
    t = (frames - c).astype(float)
    y = pos[frames].astype(float)
    if deg == 1:
        y = y - 0.5 * np.asarray(acc, float)[None, :] * t[:, None] ** 2
    X = np.stack([t**k for k in range(deg + 1)], axis=1)
    if not np.all(np.isfinite(y)):
        return 0.0
    coef, *_ = np.linalg.lstsq(X, y, rcond=None)
    res = y - X @ coef
    dof = n - (deg + 1)
    s2 = float(np.sum(res**2)) / (2 * dof) if dof > 0 else 0.0
    s2 = max(s2, sigma**2)
    h = float(pinv(X.T @ X)[0, 0])  # x_c = (1, 0, 0): the fit's value at t = 0
    d = float(np.hypot(*(pos[c] - coef[0])))
    return d / max(floor, 4.5 * np.sqrt(s2 * (1.0 + h)))


def _short_gravity(tr: Tracks, runs: list[list[np.ndarray]], pens: list[float]) -> float:
    """The common vertical acceleration (px/frame^2) that lets short pieces fit best, for clips
    with no free-flight piece of 5+ frames (low frame rates: 2-4 frames between bounces).

    Without it the short pieces are straight lines, and a 3-frame fall's curvature reads as a
    jump at every joint (continuity) or a speed-up (bounce). The candidates are the vertical
    second differences seen in the runs (and 0); each is scored by the total cost of the optimal
    partitions of all runs (:func:`_partition`, short pieces falling with it, no 2-point piece:
    a pair fits any acceleration, and a free pair at a run's end let a bounce inside the next
    3-frame piece pass for a weaker gravity), so bounces fall between pieces instead of pulling
    the estimate. A non-zero value is kept only when it
    explains more residual than one piece's penalty (the split rule's 4.5-sigma misfit).
    """
    d2 = [np.diff(tr.centers[i, r, 1], n=2) for i, rr in enumerate(runs) for r in rr if r.size >= 3]
    if not d2:
        return 0.0
    allv = np.concatenate(d2)
    allv = allv[np.isfinite(allv)]
    if allv.size == 0:
        return 0.0
    # down the image only: the probes take that as gravity's direction (gravity that points up
    # is a finding of its own), and at 2-4 frames per flight a bounce inside a 3-frame piece
    # fits an upward "gravity" as well as a true fall fits the real one
    allv = allv[allv > 0]
    if allv.size == 0:
        return 0.0
    cands = np.unique(np.round(np.quantile(allv, np.linspace(0, 1, 25)), 4))

    def total(g: float) -> float:
        acc = np.array([0.0, g])
        return sum(
            _partition(tr.centers[i, r], pens[i], acc, ends=False)[1]
            for i, rr in enumerate(runs)
            for r in rr
            if r.size >= 3
        )

    base = total(0.0)
    costs = [total(float(c)) for c in cands]
    k = int(np.argmin(costs))
    if costs[k] < base - max(pens, default=0.0):
        return float(cands[k])
    return 0.0


def analyze_motion(video: Any, *, fps: float | None = None) -> Motion:
    """Free-flight segments, events and pendulum fits of every tracked object.

    The probes call this; it is public so a notebook can show what they read.

    Example:
        >>> m = vk.probes.analyze_motion(scene.video)  # doctest: +SKIP
        >>> [len(s) for s in m.segments]  # doctest: +SKIP
        [3]
    """
    tr = _tracks(video, fps)
    fps_ = tr.fps
    sigmas, pend_all, runs_all, pens = [], [], [], []
    whole = _whole(tr)
    for i in range(tr.n_objects):
        runs = [r for r in mask_runs(whole[i]) if r.size >= 2]
        sigma = runs_noise(tr.centers[i], whole[i])
        sigmas.append(sigma)
        # the camera's error in the object's shot bends a straight path: no pendulum arc from it
        pend_all.append(fit_pendulum(tr, i, sigma, camera_misfit(tr, i)))
        runs_all.append(runs)
        # splitting a run pays off when it removes more residual than a 4.5-sigma misfit
        pens.append(2 * max(0.12 * tr.pixel_scale, 4.5 * sigma) ** 2)

    def segment(accs: list[np.ndarray | None]) -> list[list[Segment]]:
        out = []
        for i in range(tr.n_objects):
            a_i = None if pend_all[i] is not None else accs[i]
            segs = []
            for run in runs_all[i]:
                for fr in _pieces(tr, i, run, pens[i], a_i, sigmas[i]):
                    if fr.size < 2:
                        continue
                    if fr.size <= 4:
                        fixed = np.zeros(2) if a_i is None else np.asarray(a_i) * fps_**2
                        segs.append(
                            fit_segment(i, fr, tr.centers[i, fr], fps_, fixed, sigma=sigmas[i])
                        )
                    else:
                        segs.append(fit_segment(i, fr, tr.centers[i, fr], fps_, sigma=sigmas[i]))
            out.append(segs)
        return out

    # pass 1: short pieces as lines; the common gravity of each shot (another shot may show the
    # scene at another scale) from its long free-flight pieces (not those in contact with a
    # floor: resting, rolling or settling into rest show no gravity);
    # pass 2: short pieces fall with that gravity (a piece of 3 frames between bounces is a
    # parabola too)
    segs_all = segment([None] * tr.n_objects)
    cams = [camera_misfit(tr, i) for i in range(tr.n_objects)]
    for i, segs in enumerate(segs_all):
        mark_contact(tr, i, segs, sigmas[i], cams[i])
    accs: list[np.ndarray | None] = [None] * tr.n_objects
    for sid in sorted({tr.shot_of(i) for i in range(tr.n_objects)}):
        objs = [i for i in range(tr.n_objects) if tr.shot_of(i) == sid and pend_all[i] is None]
        long_ay = [
            s.g
            for i in objs
            for s in segs_all[i]
            if s.n >= 5 and not s.supported and np.ptp(tr.centers[i, s.frames, 1]) > 0.5
        ]
        if long_ay:
            g_common = float(np.median(long_ay)) / fps_**2
        else:
            # no long free flight to read gravity from (low frame rate, short hops): the
            # acceleration that the short pieces share
            g_common = _short_gravity(
                tr, [runs_all[i] if i in objs else [] for i in range(tr.n_objects)], pens
            )
        if g_common != 0.0:
            for i in objs:
                accs[i] = np.array([0.0, g_common])
    if any(a is not None for a in accs):
        segs_all = segment(accs)
        for i, segs in enumerate(segs_all):
            mark_contact(tr, i, segs, sigmas[i], cams[i])
            if accs[i] is not None:
                mark_flat(tr, i, segs, sigmas[i], float(accs[i][1]), whole[i])
    events_all = [joint_events(tr, i, segs, sigmas[i]) for i, segs in enumerate(segs_all)]
    return Motion(tr, np.asarray(sigmas), segs_all, events_all, pend_all)


def _whole(tr: Tracks) -> np.ndarray:
    """``[n, T]``: the frames whose centre the trajectory fits may use: reliable
    (:meth:`Tracks.reliable`) and not crossed by another object while that one is hidden.

    An object that goes out of sight in a crossing (in front of another one, undetected inside
    its blob, or behind it) still covers part of the other's disc: in front it cuts a notch out
    of the other's mask, whose centroid then drifts by a fraction of a radius, too little to
    show as a size change (a 5 px ball in front of a 17 px one takes 9% of its area) but enough
    to read as a kick or an energy gain in a collision. The hidden object's path is taken as the
    straight line between where it was last and next seen; the frames where that path overlaps
    the other's disc are not used (like the frames of a partial occlusion).
    """
    if tr.n_objects == 0:
        return np.zeros((0, tr.num_frames), bool)
    ok = np.stack([_shoulders(tr, i) for i in range(tr.n_objects)])
    for j in range(tr.n_objects):
        vis = np.flatnonzero(tr.visible[j])
        if vis.size < 2:
            continue
        r_j = float(np.nanmedian(tr.radii[j, vis]))
        for a, b in zip(vis[:-1], vis[1:]):
            if b - a < 2:
                continue
            fr = np.arange(a + 1, b)
            w = ((fr - a) / (b - a))[:, None]
            path = (1 - w) * tr.centers[j, a] + w * tr.centers[j, b]
            d = np.hypot(*(tr.centers[:, fr] - path[None]).transpose(2, 0, 1))
            cover = tr.visible[:, fr] & (d < tr.radii[:, fr] + r_j)
            cover[j] = False
            ok[:, fr] &= ~cover
    return ok


def _shoulders(tr: Tracks, i: int) -> np.ndarray:
    """Object ``i``'s reliable frames, less the shoulders of its partly hidden stretches.

    The tracker marks a frame unreliable (``merged``) where the object's area dips below 85% of
    its usual area (partly behind something) or it touches another object; on either side of
    such a stretch the object slides in and out of cover, its area already (or still) short of
    the usual one by more than its noise, and the centroid of the visible part is pulled away
    from the centre by a fraction of a pixel per frame: at an apex behind an occluder that bends
    the fitted parabola (a g twice the true one) and reads as a kick. Those frames, walking out
    from the stretch while the area stays below ``usual - max(3 noise, 3%)``, are left out too.
    """
    ok = tr.reliable(i).copy()
    vis = tr.visible[i]
    hold = vis & tr.merged[i]
    if not hold.any() or ok.sum() < 4:
        return ok
    a = tr.areas[i]
    ref = a[ok]
    usual = float(np.nanpercentile(ref, 75))
    noise = tr.area_noise(i)
    low = vis & (a < usual - max(3 * noise, 0.03 * usual))
    T = tr.num_frames
    for f in np.flatnonzero(hold):
        for step in (-1, 1):
            g = f + step
            while 0 <= g < T and ok[g] and low[g]:
                ok[g] = False
                g += step
    return ok


def _stays_put(tr: Tracks, j: int, i: int, f0: int, f1: int) -> bool:
    """Whether object ``j`` stays where it is across object ``i``'s joint ``f0``-``f1``.

    A body that does not move before or after a contact (a floor or a wall region tracked as
    an object, a heavy body at rest) takes no energy and gives none: the joint is then a
    bounce, a wall bounce or a kick of ``i`` alone, judged on ``i``'s own velocities, not a
    collision of a pair whose energy cannot be measured (``j`` has no free-flight fit). Still
    means: seen on both sides of the joint (within 2 frames) and its centre staying within
    15% of ``i``'s travel over those frames of its median position (relative: two slow balls
    that meet head-on move a pixel or two each, and both take part).
    """
    T = tr.num_frames
    w = np.arange(max(f0 - 2, 0), min(f1 + 3, T))
    vj = w[tr.visible[j, w]]
    if vj.size < 2 or vj[0] > f0 or vj[-1] < f1:
        return False
    cj = tr.centers[j, vj]
    spread = float(np.max(np.hypot(*(cj - np.median(cj, axis=0)).T)))
    vi = w[tr.visible[i, w]]
    travel = float(np.sum(np.hypot(*np.diff(tr.centers[i, vi], axis=0).T))) if vi.size else 0.0
    return spread <= 0.15 * travel


def joint_events(tr: Tracks, i: int, segs: list[Segment], sigma: float) -> list[Event]:
    out: list[Event] = []
    fps = tr.fps
    for a, b in zip(segs[:-1], segs[1:]):
        f0, f1 = int(a.frames[-1]), int(b.frames[0])
        tau = np.linspace(f0, f1, 41) / fps
        gap = np.hypot(*(a.pos(tau) - b.pos(tau)).T)
        k = int(np.argmin(gap))
        tc = float(tau[k])
        va, vb = a.vel(tc), b.vel(tc)
        jump = float(gap[k])
        # another object close by at the joint: a collision
        other = None
        for j in range(tr.n_objects):
            if j == i:
                continue
            near = False
            for f in range(max(f0 - 1, 0), min(f1 + 2, tr.num_frames)):
                if tr.visible[j, f] and tr.visible[i, f]:
                    d = np.hypot(*(tr.centers[j, f] - tr.centers[i, f]))
                    if d <= tr.radii[i, f] + tr.radii[j, f] + 1.5 * tr.pixel_scale:
                        near = True
                if tr.merged[i, f] and tr.merged[j, f]:
                    near = True
            if near and not _stays_put(tr, j, i, f0, f1):
                other = j
                break
        sa, sb = float(np.hypot(*va)), float(np.hypot(*vb))
        ratio = sb / sa if sa > 1e-6 else (np.inf if sb > 1e-6 else 1.0)
        if other is not None:
            kind = "collision"
        elif va[1] > 0 and vb[1] < 0 and abs(vb[0] - va[0]) < 0.5 * max(abs(va[1]), 1):
            kind = "bounce"
        elif va[0] * vb[0] < 0 and abs(vb[1] - va[1]) < 0.5 * max(abs(va[0]), 1):
            kind = "wall"
        else:
            kind = "kick"
        rest = float("nan")
        if kind == "bounce":
            rest = float(-vb[1] / va[1]) if abs(va[1]) > 1e-6 else float("inf")
        elif kind == "wall":
            rest = float(-vb[0] / va[0]) if abs(va[0]) > 1e-6 else float("inf")
        out.append(
            Event(
                i,
                f0,
                f1,
                tc,
                jump,
                va,
                vb,
                kind,
                rest,
                float(ratio),
                other,
                a.vel_var(tc),
                b.vel_var(tc),
            )
        )
    return out


def resolve_motion(video: Any, fps: float | None, motion: Motion | None) -> Motion:
    if motion is not None:
        return motion
    if isinstance(video, Motion):
        return video
    return analyze_motion(video, fps=fps)


def nothing_whole(name: str, k: int) -> ProbeResult:
    why = f"no object is seen whole (away from the border, not touching another) in {k}+ frames"
    return ProbeResult(
        name,
        passed=None,
        sentence=f"cannot judge: {why}",
        findings=[Finding(name, f"cannot judge: {why}", "info")],
    )


def no_objects(name: str, m: Motion) -> ProbeResult | None:
    if m.tracks.n_objects == 0:
        return ProbeResult(
            name,
            passed=None,
            sentence="no moving object found, so there is nothing to measure",
            findings=[Finding(name, "no moving object found", severity="warn")],
        )
    return None
