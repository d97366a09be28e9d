"""Physics-consistency probes on tracked trajectories.

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

- the closest approach of the two curves is a **position jump** (0 for a bounce or a kick: the
  position is continuous, only the velocity changes);
- the velocities where the curves meet give the **restitution** ``e = |v_after / v_before|`` of a
  floor bounce (vertical velocity turns from down to up) and the **speed ratio** of any other
  joint (a kick in mid-air, a collision).

A trajectory that lies on a circle and swings (x not linear in time) is read as a **pendulum**: the
pivot and rod length come from a circle fit, the angle ``theta(t)`` from the pivot, and
``theta'' = -(g / L) sin(theta)`` gives g (least squares, with ``theta''`` from a 5-point
Savitzky-Golay derivative), before and after the best single change point for the consistency
check.

Thresholds (all arguments of the probes)
----------------------------------------
=============  ==========================================================================
gravity        each segment's g within ``rel_tol`` (10%) + 3 standard errors of the expected
               g when ``expected_g`` is given, else of the median g of all segments; g must
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
               more than 0.75 px, or a frame that repeats the previous one exactly)
smoothness     log dimensionless jerk (LDLJ) of each free-flight segment's speed above
               ``min_ldlj`` (-12)
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

from vidkit.probes.result import Finding, ProbeResult, merge_results
from vidkit.probes.tracking import Tracks, track

__all__ = [
    "gravity",
    "bounce",
    "permanence",
    "conservation",
    "continuity",
    "smoothness",
    "dimensionless_jerk",
    "log_dimensionless_jerk",
    "analyze_motion",
    "Motion",
    "Segment",
    "Event",
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


def _frames_text(frames: Any) -> str:
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
class Segment:
    """One free-flight piece of a trajectory: constant acceleration on both axes.

    ``coef`` is ``[[x0, vx, ax], [y0, vy, ay]]`` for ``p(t) = p0 + v (t - t0) + a (t - t0)^2 / 2``
    (t in seconds). ``fixed_acc`` marks fits whose acceleration was fixed (too few points).
    """

    object: int
    frames: np.ndarray
    t0: float
    coef: np.ndarray
    rss: float
    se_acc: np.ndarray  # standard errors of (ax, ay); inf when not estimable
    r2: float
    fixed_acc: bool = False
    supported: bool = False  # vertically at rest (on the floor): not free flight
    cov: np.ndarray = field(default_factory=lambda: np.zeros((2, 3, 3)), repr=False)

    @property
    def n(self) -> int:
        return int(self.frames.size)

    @property
    def g(self) -> float:
        """Vertical acceleration (px/s^2, positive down)."""
        return float(self.coef[1, 2])

    def pos(self, t: Any) -> np.ndarray:
        dt = np.asarray(t, float) - self.t0
        return np.stack([c[0] + c[1] * dt + 0.5 * c[2] * dt**2 for c in self.coef], axis=-1)

    def vel(self, t: Any) -> np.ndarray:
        dt = np.asarray(t, float) - self.t0
        return np.stack([c[1] + c[2] * dt for c in self.coef], axis=-1)

    def vel_var(self, t: float) -> np.ndarray:
        """Variance of the fitted velocity at time ``t`` (per axis, (px/s)^2)."""
        j = np.array([0.0, 1.0, float(t) - self.t0])
        return np.array([float(j @ c @ j) for c in self.cov])


@dataclass
class Event:
    """A joint between two consecutive segments of one object."""

    object: int
    frame_before: int
    frame_after: int
    time: float
    jump: float  # closest approach of the two fitted curves (px)
    v_before: np.ndarray
    v_after: np.ndarray
    kind: str  # "bounce", "wall", "collision", "kick" or "jump"
    restitution: float = float("nan")
    speed_ratio: float = float("nan")
    other: int | None = None
    var_before: np.ndarray = field(default_factory=lambda: np.zeros(2), repr=False)
    var_after: np.ndarray = field(default_factory=lambda: np.zeros(2), repr=False)

    @property
    def speed_ratio_se(self) -> float:
        """Standard error of ``speed_ratio`` (first-order propagation of the fits' errors)."""
        return _ratio_se(self.v_before, self.var_before, self.v_after, self.var_after)

    @property
    def restitution_se(self) -> float:
        """Standard error of ``restitution`` (vertical for floors, horizontal for walls)."""
        ax = 1 if self.kind == "bounce" else 0
        vb, va = abs(self.v_after[ax]), abs(self.v_before[ax])
        if va < 1e-9 or vb < 1e-9:
            return float("inf")
        e = vb / va
        return float(e * np.sqrt(self.var_after[ax] / vb**2 + self.var_before[ax] / va**2))


def _speed_var(v: np.ndarray, var: np.ndarray) -> float:
    s2 = float(v @ v)
    return float((v**2) @ var / s2) if s2 > 1e-18 else float(np.sum(var))


def _ratio_se(va: np.ndarray, vara: np.ndarray, vb: np.ndarray, varb: np.ndarray) -> float:
    sa, sb = float(np.hypot(*va)), float(np.hypot(*vb))
    if sa < 1e-9:
        return float("inf")
    r = sb / sa
    rel = _speed_var(vb, varb) / max(sb * sb, 1e-18) + _speed_var(va, vara) / (sa * sa)
    return float(r * np.sqrt(rel)) if sb > 1e-9 else float(np.sqrt(_speed_var(vb, varb)) / sa)


@dataclass
class Motion:
    """Everything the trajectory probes read from a :class:`Tracks`."""

    tracks: Tracks
    sigma: np.ndarray  # position noise per object (px)
    segments: list[list[Segment]]
    events: list[list[Event]]
    pendulum: list[dict[str, Any] | None] = field(default_factory=list)


def _design(dt: np.ndarray, deg: int) -> np.ndarray:
    cols = [np.ones_like(dt)]
    if deg >= 1:
        cols.append(dt)
    if deg >= 2:
        cols.append(0.5 * dt**2)
    return np.stack(cols, axis=1)


def _fit(
    obj: int,
    frames: np.ndarray,
    pos: np.ndarray,
    fps: float,
    acc: np.ndarray | None = None,
    sigma: float = 0.0,
) -> Segment:
    """Least-squares constant-acceleration fit (or fixed acceleration when ``acc`` is given).

    Coefficient covariances use the residual variance, never below ``sigma^2`` (the position
    noise), so short exact fits still carry an honest uncertainty.
    """
    t = frames / fps
    t0 = float(t[0])
    dt = t - t0
    n = frames.size
    coef = np.zeros((2, 3))
    se = np.full(2, np.inf)
    cov = np.zeros((2, 3, 3))
    rss = 0.0
    fixed = acc is not None or n < 3
    for ax in range(2):
        y = pos[:, ax]
        if acc is not None:
            a = float(acc[ax])
            y = y - 0.5 * a * dt**2
            deg = min(1, n - 1)
        else:
            deg = min(2, n - 1)
        X = _design(dt, deg)
        c, *_ = np.linalg.lstsq(X, y, rcond=None)
        coef[ax, : deg + 1] = c
        if acc is not None:
            coef[ax, 2] = float(acc[ax])
        r = y - X @ c
        npar = deg + 1
        s2 = float(r @ r) / (n - npar) if n > npar else 0.0
        s2 = max(s2, sigma**2)
        cv = s2 * np.linalg.pinv(X.T @ X)
        cov[ax, :npar, :npar] = cv
        if deg == 2 and n > 3:
            se[ax] = float(np.sqrt(max(cv[2, 2], 0.0)))
        rss += float(r @ r)
    yv = pos[:, 1]
    tot = float(np.sum((yv - yv.mean()) ** 2))
    ry = yv - (coef[1, 0] + coef[1, 1] * dt + 0.5 * coef[1, 2] * dt**2)
    r2 = 1.0 - float(ry @ ry) / tot if tot > 1e-12 else 1.0
    return Segment(obj, frames.copy(), t0, coef, rss, se, r2, fixed_acc=fixed, cov=cov)


def _position_noise(pos: np.ndarray) -> float:
    """Robust position noise (px) from third differences (zero for constant acceleration)."""
    if pos.shape[0] < 6:
        return 0.0
    d3 = np.diff(pos, n=3, axis=0).reshape(-1)
    # var(third difference of white noise) = 20 sigma^2
    return float(1.4826 * np.median(np.abs(d3)) / np.sqrt(20.0))


def _camera_noise(tr: Tracks, i: int) -> float:
    """Median misfit (px of the original frames) of the camera motion compensated in object
    ``i``'s shot; 0 for a static camera."""
    cams = getattr(tr, "camera", None) or []
    k = int(tr.shot[i]) if getattr(tr, "shot", None) is not None and len(tr.shot) > i else 0
    cam = cams[k] if 0 <= k < len(cams) else None
    if cam is None or not getattr(cam, "moving", False):
        return 0.0
    r = np.asarray(cam.residual, float)
    r = r[np.isfinite(r)]
    return float(np.median(r)) * tr.pixel_scale if r.size else 0.0


def _runs(mask: np.ndarray) -> list[np.ndarray]:
    idx = np.flatnonzero(mask)
    if idx.size == 0:
        return []
    cuts = np.flatnonzero(np.diff(idx) > 1) + 1
    return [r for r in np.split(idx, cuts)]


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
    n = pos.shape[0]
    if n < 4:
        return [slice(0, n)]
    cost = _segment_costs(pos, acc_short)
    # a 2-point piece fits any pair exactly and could bridge a jump: only at the run's ends
    idx = np.arange(1, n - 2)
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
    return [slice(a, b) for a, b in zip(cuts[:-1], cuts[1:])]


def _circle(pos: np.ndarray) -> tuple[np.ndarray, float, float]:
    """Algebraic (Kasa) circle fit: centre, radius, rms distance residual."""
    x, y = pos[:, 0], pos[:, 1]
    A = np.stack([x, y, np.ones_like(x)], axis=1)
    b = x**2 + y**2
    c, *_ = np.linalg.lstsq(A, b, rcond=None)
    cx, cy = c[0] / 2, c[1] / 2
    r = float(np.sqrt(max(c[2] + cx**2 + cy**2, 0.0)))
    res = np.hypot(x - cx, y - cy) - r
    return np.array([cx, cy]), r, float(np.sqrt(np.mean(res**2)))


def _pendulum(tr: Tracks, i: int, sigma: float) -> dict[str, Any] | None:
    """Read object ``i`` as a pendulum when its path is a swinging circular arc."""
    ok = tr.reliable(i)
    fr = np.flatnonzero(ok)
    if fr.size < 8:
        return None
    pos = tr.centers[i, fr]
    centre, L, rms = _circle(pos)
    H, W = tr.size
    ps = tr.pixel_scale
    if not np.isfinite(L) or L < 3 * ps or L > 4 * max(H, W) or rms > max(0.3 * ps, 4 * sigma):
        return None
    # a pendulum hangs below its pivot and swings: x is not linear in time
    if np.median(pos[:, 1]) <= centre[1]:
        return None
    # the path must be curved: a straight line leaves (much) more residual than the circle
    d = pos - pos.mean(axis=0)
    line_rms = float(np.sqrt(np.linalg.svd(d, compute_uv=False)[-1] ** 2 / len(d)))
    if line_rms < max(0.5 * ps, 3 * rms):
        return None
    lin = np.polyfit(fr, pos[:, 0], 1)
    if np.sqrt(np.mean((np.polyval(lin, fr) - pos[:, 0]) ** 2)) < max(0.5 * ps, 5 * sigma):
        return None
    theta = np.arctan2(pos[:, 0] - centre[0], pos[:, 1] - centre[1])
    if np.ptp(theta) < np.deg2rad(8):
        return None
    from scipy.signal import savgol_filter

    dt = 1.0 / tr.fps
    # theta'' from a 5-point quadratic (Savitzky-Golay) on runs of consecutive frames
    accs, sins, mids = [], [], []
    for run in _runs(np.isin(np.arange(fr.max() + 1), fr)):
        if run.size < 5:
            continue
        t = theta[np.searchsorted(fr, run)]
        accs.append(savgol_filter(t, 5, 2, deriv=2, delta=dt)[2:-2])
        sins.append(np.sin(t)[2:-2])
        mids.append(run[2:-2])
    if not mids or sum(m.size for m in mids) < 6:
        return None
    acc, s, mid_frames = np.concatenate(accs), np.concatenate(sins), np.concatenate(mids)

    def kfit(sel: np.ndarray) -> tuple[float, float, float]:
        ss = float(s[sel] @ s[sel])
        if ss < 1e-9 or sel.sum() < 3:
            return float("nan"), float("inf"), float("inf")
        k = -float(s[sel] @ acc[sel]) / ss
        r = acc[sel] + k * s[sel]
        rss = float(r @ r)
        dof = max(int(sel.sum()) - 1, 1)
        return k, float(np.sqrt(rss / dof / ss)), rss

    k, kse, _ = kfit(np.ones(mid_frames.size, bool))
    # the best single change of g (least residual of two regressions)
    best, split = np.inf, None
    for c in range(3, mid_frames.size - 2):
        sel = np.arange(mid_frames.size) < c
        r1, r2 = kfit(sel)[2], kfit(~sel)[2]
        if r1 + r2 < best:
            best, split = r1 + r2, sel
    if split is None:
        split = mid_frames < np.median(mid_frames)
    k1, k1se, _ = kfit(split)
    k2, k2se, _ = kfit(~split)
    omega = np.gradient(theta, fr / tr.fps)
    return {
        "pivot": centre,
        "length": L,
        "rms": rms,
        "frames": fr,
        "theta": theta,
        "omega": omega,
        "g": k * L,
        "g_se": kse * L,
        "g_parts": (k1 * L, k2 * L),
        "g_parts_se": (k1se * L, k2se * L),
        "part_frames": (mid_frames[split], mid_frames[~split]),
        "fps": tr.fps,
    }


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
    for i in range(tr.n_objects):
        runs = [r for r in _runs(tr.reliable(i)) if r.size >= 2]
        noise = [_position_noise(tr.centers[i, r]) for r in runs if r.size >= 6]
        sigma = float(np.median(noise)) if noise else 0.0
        sigmas.append(sigma)
        pend_all.append(_pendulum(tr, i, sigma))
        runs_all.append(runs)
        # splitting a run pays off when it removes more residual than a 4.5-sigma misfit
        pens.append(2 * max(0.12 * tr.pixel_scale, 4.5 * sigma) ** 2)

    def segment(acc: np.ndarray | None) -> list[list[Segment]]:
        out = []
        for i in range(tr.n_objects):
            a_i = None if pend_all[i] is not None else acc
            segs = []
            for run in runs_all[i]:
                for sl in _split_run(tr.centers[i, run], pens[i], a_i):
                    fr = run[sl]
                    if fr.size < 2:
                        continue
                    if fr.size <= 4:
                        fixed = np.zeros(2) if a_i is None else np.asarray(a_i) * fps_**2
                        segs.append(_fit(i, fr, tr.centers[i, fr], fps_, fixed, sigma=sigmas[i]))
                    else:
                        segs.append(_fit(i, fr, tr.centers[i, fr], fps_, sigma=sigmas[i]))
            out.append(segs)
        return out

    # pass 1: short pieces as lines; the common gravity from the long free-flight pieces;
    # pass 2: short pieces fall with that gravity (a piece of 3 frames between bounces is a
    # parabola too)
    segs_all = segment(None)
    long_ay = [
        s.g
        for i, ss in enumerate(segs_all)
        if pend_all[i] is None
        for s in ss
        if s.n >= 5 and np.ptp(tr.centers[i, s.frames, 1]) > 0.5
    ]
    g_common = float(np.median(long_ay)) if long_ay else 0.0
    if g_common != 0.0:
        segs_all = segment(np.array([0.0, g_common / fps_**2]))
    events_all = []
    for i, segs in enumerate(segs_all):
        for s in segs:
            y = tr.centers[i, s.frames, 1]
            # vertically at rest (resting or rolling on a floor): y constant to noise level;
            # friction may slow it down sideways, so it is not free flight
            if np.ptp(y) <= max(2.0 * tr.pixel_scale, 6 * sigmas[i]) and s.n >= 3:
                s.supported = True
        events_all.append(_events(tr, i, segs, sigmas[i]))
    return Motion(tr, np.asarray(sigmas), segs_all, events_all, pend_all)


def _events(tr: Tracks, i: int, segs: list[Segment], sigma: float) -> list[Event]:
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
            if near:
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


def _motion(video: Any, fps: float | None, motion: Motion | None) -> Motion:
    if motion is not None:
        return motion
    if isinstance(video, Motion):
        return video
    return analyze_motion(video, fps=fps)


def _nothing_whole(name: str, k: int) -> ProbeResult:
    why = f"no object is seen whole (away from the border, not touching another) in {k}+ frames"
    return ProbeResult(
        name,
        passed=None,
        sentence=f"cannot judge: {why}",
        findings=[Finding(name, f"cannot judge: {why}", "info")],
    )


def _no_objects(name: str, m: Motion) -> ProbeResult | None:
    if m.tracks.n_objects == 0:
        return ProbeResult(
            name,
            passed=None,
            sentence="no moving object found, so there is nothing to measure",
            findings=[Finding(name, "no moving object found", severity="warn")],
        )
    return None


# --------------------------------------------------------------------------- gravity
def gravity(
    video: Any,
    *,
    expected_g: float | None = None,
    scale: float | None = None,
    fps: float | None = None,
    rel_tol: float = 0.10,
    motion: Motion | None = None,
    _one_shot: bool = False,
) -> ProbeResult:
    """Fit gravity per free-flight segment; check it against ``expected_g`` or for consistency.

    Every free-flight segment (split at bounces, contacts and jumps) is fitted with
    ``y(t) = y0 + v0 t + g t^2 / 2``; g is reported in px/s^2 (positive = down), or in m/s^2 when
    ``scale`` (pixels per metre) is given, with R^2 and the residual RMS. A segment fails when
    its g differs from the reference by more than ``max(rel_tol * |ref|, floor)`` plus three
    standard errors (``rel_tol`` 10%; ``floor`` 0.01 px/frame^2 against ``expected_g``, 0.03
    px/frame^2 in the consistency check, what tracking resolves near g = 0). The reference is
    ``expected_g`` when given (same units as the report), otherwise the length-weighted median g
    of all segments and objects (so a change of gravity partway through is caught without it).
    Gravity that points up (median below ``-0.03 px/frame^2``) fails, and so does horizontal
    acceleration in free flight (same tolerance). A pendulum is read with its own model
    (``g = L * theta'' / -sin(theta)``), before and after its best change point.

    ``wrong_gravity`` is caught as: a segment inconsistent with the others (gravity changed
    partway), upward gravity, or (with ``expected_g``) the wrong magnitude; a video that is wrong
    from its first frame with no ``expected_g`` is only caught when g points up.

    Example:
        >>> res = vk.probes.gravity(vk.synth.render("free_fall", seed=0).video)  # doctest: +SKIP
        >>> res.passed, round(res.scores["g"])  # doctest: +SKIP
        (True, 26)
    """
    name = "gravity"
    if scale is not None and (not np.isfinite(scale) or scale <= 0):
        raise ValueError(f"scale must be a positive number of pixels per metre, got {scale!r}")
    if expected_g is not None and not np.isfinite(float(expected_g)):
        raise ValueError(f"expected_g must be a finite number, got {expected_g!r}")
    if not 0 < rel_tol < 1:
        raise ValueError(f"rel_tol must be in (0, 1), got {rel_tol}")
    m = _motion(video, fps, motion)
    empty = _no_objects(name, m)
    if empty is not None:
        return empty
    tr0 = m.tracks
    shot_ids = sorted({tr0.shot_of(i) for i in range(tr0.n_objects)})
    if len(shot_ids) > 1 and not _one_shot:
        # each shot is judged alone (another shot may show the scene at another scale)
        parts = []
        for sid in shot_ids:
            keep = [tr0.shot_of(i) == sid for i in range(tr0.n_objects)]
            view = Motion(
                tr0,
                m.sigma,
                [sg if k else [] for sg, k in zip(m.segments, keep)],
                m.events,
                [p if k else None for p, k in zip(m.pendulum, keep)],
            )
            parts.append(
                gravity(
                    tr0,
                    expected_g=expected_g,
                    scale=scale,
                    rel_tol=rel_tol,
                    motion=view,
                    _one_shot=True,
                )
            )
        return merge_results(name, parts)
    unit = "m/s^2" if scale else "px/s^2"
    k = 1.0 / scale if scale else 1.0
    tr = m.tracks
    # the tolerance never drops below 0.03 px/frame^2 (what tracking resolves near g = 0)
    g_floor = 0.03 * tr.pixel_scale * tr.fps**2 / rel_tol
    flight = [
        s
        for i, segs in enumerate(m.segments)
        if m.pendulum[i] is None
        for s in segs
        if s.n >= 4 and not s.fixed_acc and not s.supported
    ]
    pends = [(i, p) for i, p in enumerate(m.pendulum) if p is not None and np.isfinite(p["g"])]
    findings: list[Finding] = []
    failed: list[int] = []
    details: dict[str, Any] = {"segments": flight, "pendulum": dict(pends), "unit": unit}
    if not flight and not pends:
        return ProbeResult(
            name,
            passed=None,
            scores={},
            sentence="no free flight (4+ frames between contacts) to fit gravity on",
            findings=[Finding(name, "no free-flight segment long enough to fit gravity", "info")],
            details=details,
        )

    # the reference comes from the pieces that show gravity best (5+ frames or a fall of 3+ px),
    # when there are any: a short, nearly flat piece weighs little on g
    def telling(s: Segment) -> bool:
        return s.n >= 5 or float(np.ptp(tr.centers[s.object, s.frames, 1])) >= 3 * tr.pixel_scale

    pool = [s for s in flight if telling(s)] or flight
    gs = np.array([s.g for s in pool] + [p["g"] for _, p in pends])
    ws = np.array([s.n for s in pool] + [p["frames"].size for _, p in pends], float)
    order = np.argsort(gs)
    cw = np.cumsum(ws[order])
    g_med = float(gs[order][np.searchsorted(cw, cw[-1] / 2)])
    ref = float(expected_g) / k if expected_g is not None else g_med
    # against an expected g the floor is 0.01 px/frame^2; in the consistency check (where the
    # reference is itself measured, tracking biases of both sides add up) 0.03
    floor = g_floor if expected_g is None else g_floor / 3
    tol_abs = rel_tol * max(abs(ref), floor)
    worst = 0.0
    for s in flight:
        se = float(s.se_acc[1]) if np.isfinite(s.se_acc[1]) else 0.0
        dev = abs(s.g - ref)
        lim = tol_abs + 3 * se
        worst = max(worst, dev / max(abs(ref), g_floor))
        fr = s.frames
        if dev > lim:
            what = "the expected" if expected_g is not None else "the median of all segments"
            findings.append(
                Finding(
                    name,
                    f"object {s.object} falls with g = {s.g * k:.4g} {unit} in "
                    f"{_frames_text(fr)}, {_g_diff(s.g, ref, lim, floor, k, unit)} "
                    f"{what} ({ref * k:.4g} {unit})",
                    "fail",
                    s.object,
                    fr,
                    s.g * k,
                    ref * k,
                )
            )
            failed.extend(fr.tolist())
        ax = float(s.coef[0, 2])
        se_x = float(s.se_acc[0]) if np.isfinite(s.se_acc[0]) else 0.0
        lim_x = rel_tol * max(abs(ref), g_floor) + 3 * se_x
        # only a piece that clearly falls is in free flight (a ball rolling or sliding on a
        # floor may slow down sideways: friction)
        flying = abs(ref) > g_floor and s.g > 0.5 * ref
        if flying and abs(ax) > lim_x:
            findings.append(
                Finding(
                    name,
                    f"object {s.object} accelerates sideways at {ax * k:.3g} {unit} in "
                    f"{_frames_text(fr)}; in free flight the horizontal velocity stays constant",
                    "fail",
                    s.object,
                    fr,
                    ax * k,
                    lim_x * k,
                )
            )
            failed.extend(fr.tolist())
    for i, p in pends:
        for gh, se, fr in zip(p["g_parts"], p["g_parts_se"], p["part_frames"]):
            if not np.isfinite(gh):
                continue
            dev = abs(gh - ref)
            worst = max(worst, dev / max(abs(ref), g_floor))
            if dev > tol_abs + 3 * se:
                findings.append(
                    Finding(
                        name,
                        f"pendulum (object {i}) swings as if g = {gh * k:.4g} {unit} in "
                        f"{_frames_text(fr)}, {_g_diff(gh, ref, tol_abs + 3 * se, floor, k, unit)}"
                        f" the reference ({ref * k:.4g} {unit})",
                        "fail",
                        i,
                        fr,
                        gh * k,
                        ref * k,
                    )
                )
                failed.extend(np.asarray(fr).tolist())
    if g_med < -rel_tol * g_floor - 3 * np.median([s.se_acc[1] for s in flight] or [0.0]):
        up_fr = [f for s in flight if s.g < 0 for f in s.frames.tolist()]
        findings.append(
            Finding(
                name,
                f"gravity points up: objects accelerate upward at {-g_med * k:.4g} {unit}",
                "fail",
                None,
                up_fr,
                g_med * k,
                0.0,
            )
        )
        failed.extend(up_fr)
    r2 = float(np.mean([s.r2 for s in flight])) if flight else float("nan")
    rms = (
        float(np.sqrt(sum(s.rss for s in flight) / max(sum(2 * s.n for s in flight), 1)))
        if flight
        else float("nan")
    )
    n_seg = len(flight) + 2 * len(pends)
    passed = not any(f.severity == "fail" for f in findings)
    if passed:
        sentence = (
            f"gravity {g_med * k:.4g} {unit} fits {n_seg} free-flight segment(s) "
            f"(R^2 {r2:.4f}, residual {rms:.2f} px)"
            if flight
            else f"the pendulum swings with g = {g_med * k:.4g} {unit}"
        )
        if expected_g is not None:
            sentence += (
                f", within {tol_abs * k:.3g} {unit} (+3 standard errors) of the expected "
                f"{float(expected_g):.4g}"
            )
    else:
        sentence = next(f.sentence for f in findings if f.severity == "fail")
    findings.insert(
        0,
        Finding(
            name,
            f"fitted gravity {g_med * k:.4g} {unit} over {n_seg} segment(s)",
            "info",
            None,
            [],
            g_med * k,
            float(expected_g) if expected_g is not None else float("nan"),
        ),
    )
    return ProbeResult(
        name,
        passed=passed,
        scores={
            "g": g_med * k,
            "r2": r2,
            "rms_px": rms,
            "segments": float(n_seg),
            "max_rel_dev": worst,
        },
        threshold={"rel_tol": rel_tol, "expected_g": expected_g},
        failed_frames=failed,
        sentence=sentence,
        findings=findings,
        details=details,
    )


def _g_diff(g: float, ref: float, lim: float, floor: float, k: float, unit: str) -> str:
    """How far ``g`` is from ``ref``, in words: a percentage when the reference is large enough
    for one to mean something, else the difference and the tolerance."""
    if abs(ref) >= floor:
        return f"{100 * (g - ref) / abs(ref):+.0f}% from"
    return f"{(g - ref) * k:+.4g} {unit} (tolerance {lim * k:.3g} {unit}) from"


# --------------------------------------------------------------------------- bounce
def bounce(
    video: Any,
    *,
    fps: float | None = None,
    tol: float = 0.05,
    motion: Motion | None = None,
) -> ProbeResult:
    """Find bounces and measure restitution ``e = |v_after / v_before|``; flag energy gains.

    Pieces of fewer than 3 frames give no reliable velocity: the pieces on either side of them
    are compared directly.
    Floor bounces (vertical velocity turning from down to up) fail when ``e > 1 + tol + 3 se``
    (``se``: the standard error of e from the two fits); wall bounces likewise on the horizontal
    velocity. A speed-up at a joint where nothing touches the object (a mid-air kick) fails when
    the speed ratio exceeds ``1 + tol + 3 se``; at a collision the pair's kinetic energy
    (mass ~ area) must not exceed ``(1 + tol)^2 + 3 se`` times its value before. A pendulum fails when
    its swing energy ``L^2 w^2 / 2 + g L (1 - cos theta)`` steps up by more than ``tol`` (and 4
    standard errors) at some frame.

    Example:
        >>> res = vk.probes.bounce(vk.synth.render("bounce", seed=0).video)  # doctest: +SKIP
        >>> res.scores["restitution"]  # doctest: +SKIP
        0.8
    """
    name = "bounce"
    if not 0 <= tol < 1:
        raise ValueError(f"tol must be in [0, 1), got {tol}")
    m = _motion(video, fps, motion)
    empty = _no_objects(name, m)
    if empty is not None:
        return empty
    tr = m.tracks
    findings: list[Finding] = []
    failed: list[int] = []
    es: list[float] = []
    n_checked = 0
    done_pairs: set[frozenset] = set()
    # joints between pieces of 3+ frames (a 2-frame piece gives no reliable velocity: the
    # pieces on either side of it are compared directly, across it)
    long_events = [
        _events(tr, i, [s for s in m.segments[i] if s.n >= 3], m.sigma[i])
        if m.pendulum[i] is None
        else []
        for i in range(tr.n_objects)
    ]
    for i, evs in enumerate(long_events):
        for ev in evs:
            if ev.jump > max(3.0 * tr.pixel_scale, 6 * m.sigma[i]):
                continue  # a jump, not a bounce: continuity reports it
            fr = [ev.frame_before, ev.frame_after]
            if ev.kind in ("bounce", "wall"):
                n_checked += 1
                es.append(ev.restitution)
                if ev.restitution > 1 + tol + 3 * ev.restitution_se:
                    findings.append(
                        Finding(
                            name,
                            f"object {i} bounced off the {'floor' if ev.kind == 'bounce' else 'wall'} "
                            f"between frames {fr[0]} and {fr[1]} with restitution "
                            f"{ev.restitution:.2f} > 1: it left faster than it arrived",
                            "fail",
                            i,
                            fr,
                            ev.restitution,
                            1 + tol,
                        )
                    )
                    failed.extend(fr)
                else:
                    findings.append(
                        Finding(
                            name,
                            f"object {i} bounced between frames {fr[0]} and {fr[1]}, "
                            f"restitution {ev.restitution:.2f}",
                            "info",
                            i,
                            fr,
                            ev.restitution,
                            1 + tol,
                        )
                    )
            elif ev.kind == "kick":
                n_checked += 1
                # rolling or sliding on a floor: contact and a turning marker make the speed
                # jitter, so a kick there must be four times clearer
                tol_k = 4 * tol if _on_floor(m.segments[i], ev) else tol
                # in a stabilised shot the speeds also carry the camera fit's error (a slow
                # drift of the chained maps, which the object's own position noise does not
                # show): the corners' misfit is the floor of the noise behind the ratio's error
                se_k = ev.speed_ratio_se * max(1.0, _camera_noise(tr, i) / max(m.sigma[i], 1e-9))
                if ev.speed_ratio > 1 + tol_k + 3 * se_k:
                    sa, sb = np.hypot(*ev.v_before), np.hypot(*ev.v_after)
                    findings.append(
                        Finding(
                            name,
                            f"object {i} sped up from {sa:.0f} to {sb:.0f} px/s between frames "
                            f"{fr[0]} and {fr[1]} with nothing touching it (energy x"
                            f"{ev.speed_ratio**2:.2f})",
                            "fail",
                            i,
                            fr,
                            ev.speed_ratio,
                            1 + tol_k,
                        )
                    )
                    failed.extend(fr)
            elif ev.kind == "collision" and ev.other is not None:
                partner = [
                    e
                    for e in long_events[ev.other]
                    if e.kind == "collision"
                    and e.other == i
                    and e.frame_before <= ev.frame_after
                    and ev.frame_before <= e.frame_after
                ]
                if not partner:
                    continue
                pe = partner[0]
                key = frozenset({(i, ev.frame_before), (ev.other, pe.frame_before)})
                if key in done_pairs:
                    continue
                done_pairs.add(key)
                n_checked += 1
                mi = np.nanmedian(tr.areas[i][tr.reliable(i)]) if tr.reliable(i).any() else 1.0
                mj = (
                    np.nanmedian(tr.areas[ev.other][tr.reliable(ev.other)])
                    if tr.reliable(ev.other).any()
                    else 1.0
                )
                ke0 = mi * ev.v_before @ ev.v_before + mj * pe.v_before @ pe.v_before
                ke1 = mi * ev.v_after @ ev.v_after + mj * pe.v_after @ pe.v_after
                ratio = float(ke1 / ke0) if ke0 > 1e-9 else float("inf")
                # first-order error of the ratio from the velocity fits
                var0 = 4 * (
                    mi**2 * (ev.v_before**2) @ ev.var_before
                    + mj**2 * (pe.v_before**2) @ pe.var_before
                )
                var1 = 4 * (
                    mi**2 * (ev.v_after**2) @ ev.var_after + mj**2 * (pe.v_after**2) @ pe.var_after
                )
                se = ratio * np.sqrt(var0 / max(ke0, 1e-18) ** 2 + var1 / max(ke1, 1e-18) ** 2)
                if ratio > (1 + tol) ** 2 + 3 * se:
                    findings.append(
                        Finding(
                            name,
                            f"objects {i} and {ev.other} collided near frame {fr[1]} and their "
                            f"kinetic energy rose by {100 * (ratio - 1):.0f}%",
                            "fail",
                            i,
                            fr,
                            ratio,
                            (1 + tol) ** 2,
                        )
                    )
                    failed.extend(fr)
    for i, p in enumerate(m.pendulum):
        if p is None or not np.isfinite(p["g"]):
            continue
        n_checked += 1
        step = _energy_step(p)
        if step is None:
            continue
        k_frame, ratio, se = step
        if ratio > 1 + tol and ratio - 1 > 4 * se:
            fr = p["frames"][p["frames"] >= k_frame]
            findings.append(
                Finding(
                    name,
                    f"the pendulum (object {i}) gains energy: its swing energy steps up by "
                    f"{100 * (ratio - 1):.0f}% at frame {k_frame}",
                    "fail",
                    i,
                    [k_frame],
                    ratio,
                    1 + tol,
                )
            )
            failed.append(k_frame)
    if n_checked == 0:
        return ProbeResult(
            name,
            passed=None,
            sentence="no bounce, collision or other velocity change to check",
            findings=[Finding(name, "no bounce or collision seen", "info")],
        )
    passed = not any(f.severity == "fail" for f in findings)
    e_med = float(np.median(es)) if es else float("nan")
    if passed:
        sentence = (
            f"{len(es)} bounce(s), restitution {e_med:.2f}; no energy gain"
            if es
            else "no energy gain at any velocity change"
        )
    else:
        sentence = next(f.sentence for f in findings if f.severity == "fail")
    return ProbeResult(
        name,
        passed=passed,
        scores={
            "restitution": e_med,
            "max_restitution": float(np.max(es)) if es else float("nan"),
            "bounces": float(len(es)),
        },
        threshold=1 + tol,
        failed_frames=failed,
        sentence=sentence,
        findings=findings,
        details={"events": [e for evs in m.events for e in evs]},
    )


def _on_floor(segs: list[Segment], ev: Event) -> bool:
    """Whether both pieces around an event rest or roll on a floor (``supported``)."""
    before = [s for s in segs if s.frames[-1] == ev.frame_before]
    after = [s for s in segs if s.frames[0] == ev.frame_after]
    return bool(before and after and before[0].supported and after[0].supported)


def _energy_step(p: dict[str, Any]) -> tuple[int, float, float] | None:
    """Best single step in a pendulum's swing energy: (first frame after, ratio, its std error).

    Energy per unit mass ``L^2 w^2 / 2 + g L (1 - cos theta)`` with ``w`` from a 5-point
    quadratic (Savitzky-Golay) derivative of theta over consecutive frames; the step splits the
    series into two constant levels with the least squared error.
    """
    from scipy.signal import savgol_filter

    fr, th = p["frames"], p["theta"]
    L, g = p["length"], p["g"]
    runs = _runs(np.isin(np.arange(fr.max() + 1), fr))
    fs, es = [], []
    dt = 1.0 / p["fps"]
    for run in runs:
        if run.size < 7:
            continue
        t = th[np.searchsorted(fr, run)]
        w = savgol_filter(t, 5, 2, deriv=1, delta=dt)
        fs.append(run[2:-2])
        es.append((0.5 * (L * w) ** 2 + g * L * (1 - np.cos(t)))[2:-2])
    if not fs:
        return None
    f = np.concatenate(fs)
    e = np.concatenate(es)
    n = e.size
    if n < 8 or np.mean(e) <= 0:
        return None
    c1 = np.cumsum(e)
    c2 = np.cumsum(e * e)
    best, k_best = np.inf, -1
    for k in range(4, n - 3):
        m1, m2 = c1[k - 1] / k, (c1[-1] - c1[k - 1]) / (n - k)
        sse = (c2[k - 1] - k * m1**2) + (c2[-1] - c2[k - 1] - (n - k) * m2**2)
        if sse < best:
            best, k_best = sse, k
    if k_best < 0:
        return None
    m1 = c1[k_best - 1] / k_best
    m2 = (c1[-1] - c1[k_best - 1]) / (n - k_best)
    if m1 <= 0:
        return None
    sd = np.sqrt(max(best, 0.0) / max(n - 2, 1))
    se = sd * np.sqrt(1 / k_best + 1 / (n - k_best)) / m1
    return int(f[k_best]), float(m2 / m1), float(se)


# --------------------------------------------------------------------------- permanence
def permanence(
    video: Any,
    *,
    fps: float | None = None,
    margin: float = 2.0,
    motion: Motion | None = None,
) -> ProbeResult:
    """Objects must not vanish or appear away from the frame border.

    A track that starts after the first frame, ends before the last, or has a gap fails unless,
    at that moment, the object touches (or is within ``margin`` px of) the frame border or is
    hidden by another object (its predicted position lies in another object's blob), or a track
    that ended earlier predicts the new one (same size within a factor 2, where its motion puts
    it: the object went behind something and was picked up again under a new number).

    Example:
        >>> scene = vk.synth.render("projectile", seed=0, violation="vanish")  # doctest: +SKIP
        >>> vk.probes.permanence(scene.video).sentence  # doctest: +SKIP
        'object 0 vanished at (31, 20) after frame 13, away from the frame border'
    """
    name = "permanence"
    m = _motion(video, fps, motion)
    empty = _no_objects(name, m)
    if empty is not None:
        return empty
    tr = m.tracks
    H, W = tr.size
    T = tr.num_frames
    findings: list[Finding] = []
    failed: list[int] = []
    margin = margin * tr.pixel_scale

    def near_border(i: int, f: int) -> bool:
        if tr.at_border[i, f]:
            return True
        x, y = tr.centers[i, f]
        r = tr.radii[i, f] if np.isfinite(tr.radii[i, f]) else 0.0
        return bool(
            x - r <= margin or y - r <= margin or x + r >= W - 1 - margin or y + r >= H - 1 - margin
        )

    def hidden(i: int, frames: range) -> bool:
        return any(tr.merged[i, f] for f in frames if 0 <= f < T)

    def partial(i: int, f: int) -> bool:
        """Only part of the object shows at frame ``f`` (emerging from / going behind
        something): its area is well below its usual one."""
        ok = tr.reliable(i)
        if ok.sum() < 3:
            ok = tr.visible[i]  # seen whole too rarely: its usual area over every frame
        if ok.sum() < 3 or not np.isfinite(tr.areas[i, f]):
            return False
        return bool(tr.areas[i, f] < 0.72 * np.median(tr.areas[i, ok]))

    firsts = {}
    lasts = {}
    for i in range(tr.n_objects):
        vis = np.flatnonzero(tr.visible[i])
        if vis.size:
            firsts[i], lasts[i] = int(vis[0]), int(vis[-1])

    def continued(i: int) -> bool:
        """Track ``i`` starts where an earlier track that ended (behind something, unseen)
        predicts its object to be: the same object, picked up again under a new number."""
        b = firsts[i]
        return any(
            j != i
            and lasts[j] < b
            and tr.shot_of(j) == tr.shot_of(i)  # each shot is judged alone
            and _same_object(tr, j, i, lasts[j], b)
            for j in lasts
        )

    def continues(i: int) -> bool:
        """Track ``i`` ends and a later track starts where its motion predicts."""
        a = lasts[i]
        return any(
            j != i
            and firsts[j] > a
            and tr.shot_of(j) == tr.shot_of(i)  # each shot is judged alone
            and _same_object(tr, i, j, a, firsts[j])
            for j in firsts
        )

    for i in range(tr.n_objects):
        vis = np.flatnonzero(tr.visible[i])
        if vis.size == 0:
            continue
        s0, s1 = tr.span(i)
        first, last = int(vis[0]), int(vis[-1])
        if (
            first > s0
            and not near_border(i, first)
            and not hidden(i, range(first - 1, first + 1))
            and not partial(i, first)
            and not continued(i)
        ):
            x, y = tr.centers[i, first]
            findings.append(
                Finding(
                    name,
                    f"object {i} appeared at ({x:.0f}, {y:.0f}) in frame {first}, away from the "
                    "frame border",
                    "fail",
                    i,
                    [first],
                    float(first),
                    0.0,
                )
            )
            failed.append(first)
        if (
            last < s1 - 1
            and not near_border(i, last)
            and not hidden(i, range(last, last + 2))
            and not partial(i, last)
            and not continues(i)
        ):
            x, y = tr.centers[i, last]
            findings.append(
                Finding(
                    name,
                    f"object {i} vanished at ({x:.0f}, {y:.0f}) after frame {last}, away from "
                    "the frame border",
                    "fail",
                    i,
                    [last + 1],
                    float(last + 1),
                    float(T - 1),
                )
            )
            failed.append(last + 1)
        gaps = np.flatnonzero(np.diff(vis) > 1)
        for g in gaps:
            a, b = int(vis[g]), int(vis[g + 1])
            missing = range(a + 1, b)
            if near_border(i, a) or near_border(i, b) or hidden(i, missing):
                continue
            if partial(i, a) or partial(i, b) or _reappears_as_predicted(tr, i, a, b):
                continue  # passed behind something and came out where its motion says
            x, y = tr.centers[i, a]
            findings.append(
                Finding(
                    name,
                    f"object {i} vanished at ({x:.0f}, {y:.0f}) for {_frames_text(missing)} and "
                    "came back",
                    "fail",
                    i,
                    list(missing),
                    float(len(missing)),
                    0.0,
                )
            )
            failed.extend(missing)
    passed = not findings
    sentence = (
        f"all {tr.n_objects} object(s) stay in view or leave through the border"
        if passed
        else findings[0].sentence
    )
    return ProbeResult(
        name,
        passed=passed,
        scores={"events": float(len(findings)), "objects": float(tr.n_objects)},
        threshold=margin,
        failed_frames=failed,
        sentence=sentence,
        findings=findings,
    )


def _same_object(tr: Tracks, i: int, j: int, a: int, b: int) -> bool:
    """Whether track ``j``, first seen at frame ``b``, continues track ``i``, last seen at frame
    ``a < b``: of a similar size (radius within a factor 2) and where ``i``'s motion predicts."""
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
    return _reappears_as_predicted(tr, i, a, b, centers=pos, visible=vis)


def _reappears_as_predicted(
    tr: Tracks,
    i: int,
    a: int,
    b: int,
    *,
    centers: np.ndarray | None = None,
    visible: np.ndarray | None = None,
) -> bool:
    """Whether object ``i``, unseen between frames ``a`` and ``b``, comes back at ``b`` where
    its motion before ``a`` predicts (within two radii and 3 px, growing with the gap)."""
    centers = tr.centers[i] if centers is None else centers
    visible = tr.visible[i] if visible is None else visible
    fr = np.flatnonzero(visible[: a + 1])[-6:]
    if fr.size < 2:
        return False
    p = centers[fr]
    deg = 2 if fr.size >= 5 else 1
    pred = np.array([np.polyval(np.polyfit(fr - a, p[:, k], deg), b - a) for k in range(2)])
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
def _change_runs(bad: np.ndarray, frames: np.ndarray) -> list[np.ndarray]:
    sel = frames[bad]
    if sel.size == 0:
        return []
    cuts = np.flatnonzero(np.diff(sel) > 1) + 1
    return np.split(sel, cuts)


def _lasting(runs: list[np.ndarray], fr: np.ndarray) -> list[np.ndarray]:
    """Runs of 3+ frames, or 2+ at either end of the object's reliable frames: a change of size
    or colour lasts; a blip of one or two frames is motion blur, noise or compression."""
    out = []
    for r in runs:
        at_end = int(r[0]) == int(fr[0]) or int(r[-1]) == int(fr[-1])
        if r.size >= 3 or (r.size >= 2 and at_end):
            out.append(r)
    return out


def _change_text(
    run: np.ndarray, fr: np.ndarray, odd: str, usual: str
) -> tuple[str, list[int], bool]:
    """Words and frames for a run of frames whose value (``odd``) differs from the usual one.

    A run at the start means the object changed *to* the usual value after it; a run at the end
    means it changed from then on; the frames returned are those after the change.
    """
    first, last = int(run[0]), int(run[-1])
    if first == int(fr[0]) and last < int(fr[-1]):
        nxt = int(fr[np.searchsorted(fr, last) + 1])
        return f"at frame {nxt}: {odd} before, {usual} from then on", fr[fr >= nxt].tolist(), True
    if last == int(fr[-1]) and first > int(fr[0]):
        return f"at frame {first}: {usual} before, {odd} from then on", run.tolist(), False
    return f"in {_frames_text(run)}: {odd} instead of {usual}", run.tolist(), False


def conservation(
    video: Any,
    *,
    fps: float | None = None,
    size_tol: float = 0.15,
    color_tol: float = 0.12,
    motion: Motion | None = None,
) -> ProbeResult:
    """Objects keep their size (radius) and colour.

    In every reliable frame (whole, not touching another object) the radius must stay within
    ``size_tol`` (15%) of the object's median radius and the mean colour within ``color_tol``
    (Euclidean RGB distance, 0..1 scale) of its median colour. Frame brightness changes are
    divided out by the tracker first, so global flicker is not a colour change.

    Example:
        >>> scene = vk.synth.render("uniform", seed=0, violation="resize")  # doctest: +SKIP
        >>> vk.probes.conservation(scene.video).passed  # doctest: +SKIP
        False
    """
    name = "conservation"
    if not 0 < size_tol < 1 or not 0 < color_tol < 2:
        raise ValueError(
            f"size_tol must be in (0, 1) and color_tol in (0, 2), got {size_tol}, {color_tol}"
        )
    m = _motion(video, fps, motion)
    empty = _no_objects(name, m)
    if empty is not None:
        return empty
    tr = m.tracks
    findings: list[Finding] = []
    failed: list[int] = []
    worst_size, worst_color = 0.0, 0.0
    for i in range(tr.n_objects):
        ok = tr.reliable(i)
        fr = np.flatnonzero(ok)
        if fr.size < 3:
            continue
        r = tr.radii[i, fr]
        r_ref = float(np.median(r))
        rel = r / r_ref - 1
        worst_size = max(worst_size, float(np.max(np.abs(rel))))
        for run in _lasting(_change_runs(np.abs(rel) > size_tol, fr), fr):
            idx = np.searchsorted(fr, run)
            v = float(np.median(r[idx]))
            text, frames, before = _change_text(run, fr, f"{v:.1f} px", f"{r_ref:.1f} px")
            pct = 100 * ((r_ref / v if before else v / r_ref) - 1)
            findings.append(
                Finding(
                    name,
                    f"object {i} changed size {text} ({pct:+.0f}%)",
                    "fail",
                    i,
                    frames,
                    float(v / r_ref - 1),
                    size_tol,
                )
            )
            failed.extend(frames)
        c = tr.colors[i, fr]
        c_ref = np.median(c, axis=0)
        dc = np.sqrt(np.sum((c - c_ref) ** 2, axis=1))
        worst_color = max(worst_color, float(np.max(dc)))
        for run in _lasting(_change_runs(dc > color_tol, fr), fr):
            idx = np.searchsorted(fr, run)
            v = np.median(c[idx], axis=0)
            text, frames, _ = _change_text(
                run,
                fr,
                f"RGB ({v[0]:.2f}, {v[1]:.2f}, {v[2]:.2f})",
                f"RGB ({c_ref[0]:.2f}, {c_ref[1]:.2f}, {c_ref[2]:.2f})",
            )
            findings.append(
                Finding(
                    name,
                    f"object {i} changed colour {text}",
                    "fail",
                    i,
                    frames,
                    float(np.max(dc[idx])),
                    color_tol,
                )
            )
            failed.extend(frames)
    if not any(tr.reliable(i).sum() >= 3 for i in range(tr.n_objects)):
        return _nothing_whole(name, 3)
    passed = not findings
    sentence = (
        f"sizes stay within {100 * worst_size:.0f}% and colours within {worst_color:.2f}"
        if passed
        else findings[0].sentence
    )
    return ProbeResult(
        name,
        passed=passed,
        scores={"max_size_change": worst_size, "max_color_change": worst_color},
        threshold={"size_tol": size_tol, "color_tol": color_tol},
        failed_frames=failed,
        sentence=sentence,
        findings=findings,
    )


# --------------------------------------------------------------------------- continuity
def continuity(
    video: Any,
    *,
    fps: float | None = None,
    jump_px: float = 3.0,
    freeze_px: float = 0.75,
    motion: Motion | None = None,
) -> ProbeResult:
    """Teleports (position jumps against the predicted motion) and stutter (frozen frames).

    **Teleport**: at every joint between two free-flight segments (and across short gaps) the
    two fitted curves must meet somewhere between the two frames; a closest approach above
    ``max(jump_px, 6 sigma)`` px is a jump ("object 0 jumped 14 px between frames 11 and 12, 6x
    its usual step").

    **Stutter**: an object that stays put (moves less than ``max(0.1 px, 4 sigma)`` per frame) for
    one or more frames while the motion fitted just before and just after it is faster than
    ``lim = max(freeze_px, 6 sigma)`` px per frame and carries on in the same direction (within
    60 degrees), or that stays put for 2+ frames where the fits on both sides, carried across,
    move by more than ``2 lim`` (a held apex); or a frame that repeats the previous one exactly
    while the other frame pairs change.

    Example:
        >>> scene = vk.synth.render("projectile", seed=1, violation="teleport")  # doctest: +SKIP
        >>> vk.probes.continuity(scene.video).passed  # doctest: +SKIP
        False
    """
    name = "continuity"
    if jump_px <= 0 or freeze_px <= 0:
        raise ValueError(f"jump_px and freeze_px must be positive, got {jump_px}, {freeze_px}")
    m = _motion(video, fps, motion)
    empty = _no_objects(name, m)
    if empty is not None:
        return empty
    tr = m.tracks
    findings: list[Finding] = []
    failed: list[int] = []
    worst_jump = 0.0
    for i in range(tr.n_objects):
        vis = np.flatnonzero(tr.visible[i])
        steps = np.hypot(*np.diff(tr.centers[i, vis], axis=0).T) / np.maximum(np.diff(vis), 1)
        usual = float(np.median(steps)) if steps.size else 0.0
        lim = max(jump_px * tr.pixel_scale, 6 * m.sigma[i])
        for ev in m.events[i]:
            worst_jump = max(worst_jump, ev.jump)
            a, b = ev.frame_before, ev.frame_after
            if b - a > 2:
                continue  # unseen for a while (behind something): anything may have happened
            step = float(np.hypot(*(tr.centers[i, b] - tr.centers[i, a])))
            # a teleport is a step well beyond the usual one around it (a fast bounce between
            # two coarse fits is not): the median step of the 4 frames on each side
            near = (vis >= a - 4) & (vis <= b + 4)
            loc = vis[near]
            ls = np.hypot(*np.diff(tr.centers[i, loc], axis=0).T) / np.maximum(np.diff(loc), 1)
            ls = ls[~((loc[:-1] == a) & (loc[1:] == b))]
            usual_here = max(float(np.median(ls)) if ls.size else usual, usual) * (b - a)
            if ev.jump > lim and step > 1.5 * usual_here and step - usual_here > lim:
                times = f", {step / usual:.0f}x its usual step" if usual > 0.05 else ""
                between = f"between frames {a} and {b}"
                findings.append(
                    Finding(
                        name,
                        f"object {i} jumped {step:.0f} px {between}{times}",
                        "fail",
                        i,
                        [a, b],
                        ev.jump,
                        lim,
                    )
                )
                failed.extend([a, b])
        # frozen runs: the object stops dead while the motion on both sides says it moves
        lim_f = max(freeze_px * tr.pixel_scale, 6 * m.sigma[i])
        for a, b, why in _frozen_runs(tr, i, m.sigma[i], lim_f):
            still = float(np.hypot(*(tr.centers[i, b] - tr.centers[i, a])))
            findings.append(
                Finding(
                    name,
                    f"object {i} froze in frames {a}-{b} (moved {still:.2f} px) {why} (stutter)",
                    "fail",
                    i,
                    range(a, b + 1),
                    still,
                    lim_f,
                )
            )
            failed.extend(range(a, b + 1))
    # frames that repeat the previous one exactly (noise-free videos) while objects move
    fd = tr.frame_diff
    if tr.n_objects > 0 and np.count_nonzero(fd > 0) >= fd.size // 2:
        for t in np.flatnonzero(fd == 0):
            t = int(t)
            if any(t in f.frames and t + 1 in f.frames for f in findings):
                continue
            if not np.any(tr.visible[:, t] & tr.visible[:, t + 1]):
                continue  # nothing in view to move (the objects have left the frame)
            findings.append(
                Finding(
                    name,
                    f"frame {t + 1} repeats frame {t} exactly while the rest of the video moves "
                    "(a frozen frame)",
                    "fail",
                    None,
                    [t, t + 1],
                    0.0,
                    0.0,
                )
            )
            failed.extend([t, t + 1])
    if not findings and not any(tr.reliable(i).sum() >= 4 for i in range(tr.n_objects)):
        return _nothing_whole(name, 4)
    passed = not findings
    sentence = (
        f"motion is continuous (largest mismatch at a joint {worst_jump:.1f} px)"
        if passed
        else findings[0].sentence
    )
    return ProbeResult(
        name,
        passed=passed,
        scores={"max_jump_px": worst_jump, "events": float(len(findings))},
        threshold={"jump_px": jump_px, "freeze_px": freeze_px},
        failed_frames=failed,
        sentence=sentence,
        findings=findings,
    )


def _frozen_runs(tr: Tracks, i: int, sigma: float, lim: float) -> list[tuple[int, int, str]]:
    """Runs of frames where object ``i`` stops although its motion says it should move.

    A run is consecutive steps below ``max(0.1 px, 4 sigma)``. Fits to the (up to) 4 reliable
    frames ending at its first frame and starting at its last frame (within 6 frames) give the
    motion on each side. The run is a freeze when

    - the speed on both sides exceeds ``lim`` px/frame and the motion carries on in the same
      direction (within 60 degrees; a pendulum's end or an apex turns back), or
    - it lasts 2+ steps and both fits, carried across the run, move by more than ``2 lim``
      (the object hangs still where its acceleration would have moved it: a held apex).

    Returns ``(first, last, description)`` per freeze.
    """
    ok = tr.reliable(i)
    p = tr.centers[i]
    T = tr.num_frames
    still_lim = max(0.1 * tr.pixel_scale, 4 * sigma)
    steps = np.full(T - 1, np.inf)
    both = ok[:-1] & ok[1:]
    steps[both] = np.hypot(*(p[1:] - p[:-1])[both].T)
    frozen = steps < still_lim
    out = []
    for run in _runs(frozen):
        a, b = int(run[0]), int(run[-1]) + 1  # frames a..b show the same position
        before = [f for f in range(a - 6, a + 1) if f >= 0 and ok[f]][-4:]
        after = [f for f in range(b, b + 7) if f < T and ok[f]][:4]
        if len(before) < 3 or len(after) < 3:
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
        if min(si, so) > lim and same_way and moved < 0.25 * min(si, so):
            out.append((a, b, f"while it moves {si:.1f} px per frame before and {so:.1f} after"))
            continue
        fwd = float(np.hypot(*[np.polyval(c[::-1], n) - c[0] for c in cin]))
        bwd = float(np.hypot(*[np.polyval(c[::-1], -n) - c[0] for c in cout]))
        # what a fit on 3-4 noisy points says n frames away is uncertain (its standard error
        # grows like n^2 for a quadratic): the motion it predicts must stand out of that
        noise = max(sigma, 0.05 * tr.pixel_scale)
        sure = min(
            fwd - 3 * _extrapolation_se(np.asarray(before) - a, n, noise),
            bwd - 3 * _extrapolation_se(np.asarray(after) - b, -n, noise),
        )
        # a held apex: a short hold (a long one is an object at rest, and fits carried over
        # many frames say little)
        if 2 <= n <= 8 and sure > 2 * lim and moved * n < 0.25 * min(fwd, bwd):
            out.append(
                (a, b, f"where its motion before and after says it moves {min(fwd, bwd):.1f} px")
            )
    return out


def _extrapolation_se(offsets: np.ndarray, at: float, sigma: float) -> float:
    """Standard error (px, per axis) of the position that :func:`_local_fit` on frames at
    ``offsets`` (from its origin) predicts at ``at``, for position noise ``sigma``."""
    deg = 2 if offsets.size >= 4 else 1
    X = np.vander(offsets.astype(float), deg + 1, increasing=True)
    x = np.array([float(at) ** k for k in range(deg + 1)])
    cov = np.linalg.pinv(X.T @ X)
    return float(sigma * np.sqrt(max(float(x @ cov @ x), 0.0)))


def _local_fit(frames: np.ndarray, pos: np.ndarray, at: int) -> np.ndarray:
    """Per axis ``[p, v, a/2]`` (px, px/frame) of a quadratic (line for 3 points) around ``at``."""
    deg = 2 if frames.size >= 4 else 1
    out = np.zeros((2, 3))
    for k in range(2):
        c = np.polyfit(frames - at, pos[:, k], deg)[::-1]
        out[k, : c.size] = c
    return out


# --------------------------------------------------------------------------- smoothness
def dimensionless_jerk(movement: Any, fs: float) -> float:
    """Dimensionless jerk of a speed profile (Hogan & Sternad; siva82kb/smoothness definition).

    ``DJ = -(T^3 / v_peak^2) * sum((d^2 v / dt^2)^2) * dt`` with ``T = len(movement) / fs``,
    second differences for ``d^2 v / dt^2`` and ``v_peak = max |v|``.

    Example:
        >>> import numpy as np
        >>> t = np.arange(-1, 1, 0.01)
        >>> round(dimensionless_jerk(np.exp(-5 * t**2), fs=100.0), 5)
        -335.74684
    """
    v = np.asarray(movement, dtype=np.float64).reshape(-1)
    if v.size < 3:
        raise ValueError(f"a speed profile needs at least 3 samples, got {v.size}")
    if not np.isfinite(fs) or fs <= 0:
        raise ValueError(f"fs must be a positive sampling rate, got {fs!r}")
    peak = float(np.max(np.abs(v)))
    if peak == 0:
        raise ValueError("the speed profile is all zeros: dimensionless jerk is undefined")
    dt = 1.0 / fs
    dur = v.size * dt
    jerk = np.diff(v, 2) / dt**2
    return float(-(dur**3 / peak**2) * np.sum(jerk**2) * dt)


def log_dimensionless_jerk(movement: Any, fs: float) -> float:
    """Log dimensionless jerk, ``LDLJ = -ln |DJ|`` (higher is smoother).

    Example:
        >>> import numpy as np
        >>> t = np.arange(-1, 1, 0.01)
        >>> round(log_dimensionless_jerk(np.exp(-5 * t**2), fs=100.0), 5)
        -5.81636
    """
    dj = dimensionless_jerk(movement, fs)
    return float(-np.log(abs(dj))) if dj != 0 else float("inf")


def smoothness(
    video: Any,
    *,
    fps: float | None = None,
    min_ldlj: float = -12.0,
    motion: Motion | None = None,
) -> ProbeResult:
    """Log dimensionless jerk (LDLJ) of each object's speed profile.

    The speed ``|p'(t)|`` (central differences of the tracked centre) of every run of 6+ reliable
    frames between joints is scored with :func:`log_dimensionless_jerk`; a run fails below
    ``min_ldlj``. The score is the lowest LDLJ. Joints (bounces) are excluded: they are
    physical velocity jumps, judged by the bounce probe.

    Example:
        >>> vk.probes.smoothness(scene.video).scores["ldlj"]  # doctest: +SKIP
        -4.1
    """
    name = "smoothness"
    m = _motion(video, fps, motion)
    empty = _no_objects(name, m)
    if empty is not None:
        return empty
    tr = m.tracks
    findings: list[Finding] = []
    failed: list[int] = []
    values: list[float] = []
    for i in range(tr.n_objects):
        # continuous runs of reliable frames, cut at the joints between segments
        # a piece at rest on a floor has a speed of noise: no jerk to score
        pieces = [s.frames for s in m.segments[i] if not s.supported]
        if m.pendulum[i] is not None:
            pieces = _runs(tr.reliable(i))
        for fr in pieces:
            if fr.size < 6 or np.any(np.diff(fr) != 1):
                continue
            p = tr.centers[i, fr]
            v = np.hypot(*np.gradient(p, axis=0).T) * tr.fps
            if np.max(v) < 1e-6:
                continue
            ldlj = log_dimensionless_jerk(v, tr.fps)
            values.append(ldlj)
            if ldlj < min_ldlj:
                findings.append(
                    Finding(
                        name,
                        f"object {i} moves jerkily in {_frames_text(fr)} (LDLJ {ldlj:.1f} < "
                        f"{min_ldlj:g})",
                        "fail",
                        i,
                        fr,
                        ldlj,
                        min_ldlj,
                    )
                )
                failed.extend(fr.tolist())
    if not values:
        return ProbeResult(
            name,
            passed=None,
            sentence="no run of 6+ frames of motion to score",
            findings=[Finding(name, "no trajectory long enough for LDLJ", "info")],
        )
    worst = float(np.min(values))
    passed = not findings
    return ProbeResult(
        name,
        passed=passed,
        scores={"ldlj": worst, "mean_ldlj": float(np.mean(values))},
        threshold=min_ldlj,
        failed_frames=failed,
        sentence=(
            f"trajectories are smooth (lowest LDLJ {worst:.1f}, threshold {min_ldlj:g})"
            if passed
            else findings[0].sentence
        ),
        findings=findings,
    )
