"""Free-flight pieces of a trajectory and the joints between them: the :class:`Segment` fits
(constant acceleration on both axes, with honest standard errors) and the :class:`Event` record
of a joint, as :func:`~vidkit.probes.trajectory.analyze_motion` makes them.

Example:
    >>> import numpy as np
    >>> from vidkit.probes.segments import fit_segment
    >>> fr = np.arange(10)
    >>> t = fr / 25.0
    >>> pos = np.stack([10 + 30 * t, 20 + 0.5 * 400 * t**2], axis=1)
    >>> round(fit_segment(0, fr, pos, 25.0).g)
    400
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from vidkit.probes.small_linalg import pinv

__all__ = ["Segment", "Event", "fit_segment"]


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
    supported: bool = False  # in contact with a floor (resting, rolling, settling): not free flight
    settling: bool = False  # decelerates into a lasting rest (a landing): contact, not flight
    cov: np.ndarray = field(default_factory=lambda: np.zeros((2, 3, 3)), repr=False)
    # the noise (px, per axis) behind ``cov``: the residual RMS, never below the position noise
    noise: np.ndarray = field(default_factory=lambda: np.zeros(2), repr=False)
    # the standard error of the acceleration for unit noise (from the design alone)
    unit_acc_se: float = field(default=float("inf"), repr=False)

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

    def acc_se(self, extra_noise: float = 0.0) -> np.ndarray:
        """Standard errors of ``(ax, ay)`` with a second, independent position noise of
        ``extra_noise`` px added in quadrature to the noise behind the fit (a stabilised shot's
        camera misfit: a slow drift of the maps that the object's own residuals do not show);
        ``se_acc`` for 0. An exact fit (no noise) gets the error of the extra noise alone.

        Example:
            >>> import numpy as np
            >>> fr = np.arange(10)
            >>> pos = np.stack([fr * 1.0, 0.5 * fr**2 * 0.64], axis=1)
            >>> seg = fit_segment(0, fr, pos, 25.0, sigma=0.3)
            >>> bool(np.allclose(seg.acc_se(0.4), seg.se_acc * 0.5 / 0.3))
            True
        """
        out = np.asarray(self.se_acc, float).copy()
        if extra_noise <= 0:
            return out
        for ax in range(2):
            if not np.isfinite(out[ax]):
                continue
            n = float(self.noise[ax])
            if n > 0:
                out[ax] *= float(np.hypot(n, extra_noise)) / n
            else:
                out[ax] = extra_noise * self.unit_acc_se
        return out


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


def _design(dt: np.ndarray, deg: int) -> np.ndarray:
    cols = [np.ones_like(dt)]
    if deg >= 1:
        cols.append(dt)
    if deg >= 2:
        cols.append(0.5 * dt**2)
    return np.stack(cols, axis=1)


def fit_segment(
    obj: int,
    frames: np.ndarray,
    pos: np.ndarray,
    fps: float,
    acc: np.ndarray | None = None,
    sigma: float = 0.0,
    extra_var: np.ndarray | None = None,
) -> Segment:
    """Least-squares constant-acceleration fit (or fixed acceleration when ``acc`` is given).

    Coefficient covariances use the residual variance, never below ``sigma^2`` (the position
    noise), so short exact fits still carry an honest uncertainty. ``extra_var``: a variance
    (px^2) of each frame's position beyond that noise (a partly hidden frame's centroid shift,
    squared), one per frame or ``(n, 2)`` per frame and axis; the fit is then weighted by
    ``1 / (noise^2 + extra_var)`` and its covariance is that of the weighted fit.

    Example:
        >>> fr = np.arange(6)
        >>> pos = np.stack([2.0 * fr, 1.0 * fr], axis=1)
        >>> pos[0] += 3.0  # the first frame is off by 3 px, and said to be
        >>> plain = fit_segment(0, fr, pos, 1.0, np.zeros(2), 0.1)
        >>> seg = fit_segment(0, fr, pos, 1.0, np.zeros(2), 0.1, np.r_[9.0, np.zeros(5)])
        >>> [round(float(v), 1) for v in plain.vel(2.0)], [round(float(v), 1) for v in seg.vel(2.0)]
        ([1.6, 0.6], [1.9, 0.9])
    """
    t = frames / fps
    t0 = float(t[0])
    dt = t - t0
    n = frames.size
    coef = np.zeros((2, 3))
    se = np.full(2, np.inf)
    cov = np.zeros((2, 3, 3))
    noise = np.zeros(2)
    unit_se = np.inf
    rss = 0.0
    fixed = acc is not None or n < 3
    xtx_of: dict[int, np.ndarray] = {}  # (X^T X)^+ per degree: both axes share their design
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
        r = y - X @ c
        npar = deg + 1
        s2 = float(r @ r) / (n - npar) if n > npar else 0.0
        s2 = max(s2, sigma**2)
        if extra_var is not None:
            ev = np.asarray(extra_var, float)
            w = 1.0 / (s2 + (ev if ev.ndim == 1 else ev[:, ax]))
            xtx = pinv(X.T @ (w[:, None] * X))
            c = xtx @ (X.T @ (w * y))
            r = y - X @ c
            cv = xtx
        else:
            if deg not in xtx_of:
                xtx_of[deg] = pinv(X.T @ X)
            xtx = xtx_of[deg]
            cv = s2 * xtx
        coef[ax, : deg + 1] = c
        if acc is not None:
            coef[ax, 2] = float(acc[ax])
        noise[ax] = float(np.sqrt(s2))
        cov[ax, :npar, :npar] = cv
        if deg == 2 and n > 3:
            se[ax] = float(np.sqrt(max(cv[2, 2], 0.0)))
            if extra_var is None:
                unit_se = float(np.sqrt(max(xtx[2, 2], 0.0)))
        rss += float(r @ r)
    yv = pos[:, 1]
    tot = float(np.sum((yv - yv.mean()) ** 2))
    ry = yv - (coef[1, 0] + coef[1, 1] * dt + 0.5 * coef[1, 2] * dt**2)
    r2 = 1.0 - float(ry @ ry) / tot if tot > 1e-12 else 1.0
    return Segment(
        obj,
        frames.copy(),
        t0,
        coef,
        rss,
        se,
        r2,
        fixed_acc=fixed,
        cov=cov,
        noise=noise,
        unit_acc_se=unit_se,
    )
