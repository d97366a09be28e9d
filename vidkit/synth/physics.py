"""Exact continuous-time motion for the synthetic scenes.

Two engines, both evaluated at arbitrary times (so the frame rate only decides where the motion is
sampled, never the motion itself):

- :class:`Ballistic`: discs under constant gravity, an optional floor and disc-disc contacts.
  Between events every disc moves with constant acceleration, so each event time (floor impact,
  disc contact) is the root of a quadratic (or, for unequal accelerations, a quartic) solved in
  closed form; the trajectory is a list of exact parabolic segments per disc.
- :class:`Pendulum`: a point mass on a rigid massless rod, ``theta'' = -(g / L) sin(theta)``,
  integrated with classical fourth-order Runge-Kutta on sub-steps of 1/200 of the small-angle
  period (position error about 1e-6 px over a clip).

Coordinates are pixels: ``x`` is the column, ``y`` the row, ``y`` grows downward, and a positive
``g`` pulls downward (px/s^2).

Both engines accept *interventions* at given times (the controlled violations of
:mod:`vidkit.synth.violations`): ``teleport`` (shift a position), ``kick`` (multiply an object's
kinetic energy), ``gravity`` (multiply g) and ``floor_restitution`` (change the floor's
coefficient of restitution).

Example:
    >>> import numpy as np
    >>> from vidkit.synth.physics import Ballistic
    >>> world = Ballistic([[10.0, 0.0]], [[0.0, 0.0]], radii=[2.0], g=10.0, floor_y=22.0)
    >>> traj = world.run(t_end=3.0)
    >>> round(traj.events[0]["time"], 6)  # falls 20 px: t = sqrt(2 * 20 / 10)
    2.0
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["Intervention", "Ballistic", "BallisticTrajectory", "Pendulum", "PendulumMotion"]

_EPS_T = 1e-12  # events closer than this (seconds) to the current time are the current event
_MAX_EVENTS = 20000


@dataclass(frozen=True)
class Intervention:
    """A change applied to the world at ``time`` (seconds).

    ``kind`` is ``"teleport"`` (``value``: displacement ``(dx, dy)`` px for :class:`Ballistic`,
    angle change in radians for :class:`Pendulum`), ``"kick"`` (``value``: factor on the kinetic
    energy of object ``obj``), ``"gravity"`` (``value``: factor on g) or ``"floor_restitution"``
    (``value``: the new floor restitution).
    """

    time: float
    kind: str
    obj: int = 0
    value: Any = None


@dataclass
class BallisticTrajectory:
    """Piecewise constant-acceleration motion of ``n`` discs, exact at any time.

    ``starts[i]`` are the segment start times of object ``i``; ``pos``, ``vel``, ``acc`` the state
    at each segment start (arrays ``[segments, 2]``). ``events`` lists floor impacts and contacts.
    """

    starts: list[np.ndarray]
    pos: list[np.ndarray]
    vel: list[np.ndarray]
    acc: list[np.ndarray]
    events: list[dict[str, Any]] = field(default_factory=list)

    def at(self, times: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Positions and velocities ``[n, len(times), 2]`` at the given times (seconds).

        An event that happens exactly at a sample time is already applied at that sample.
        """
        times = np.asarray(times, dtype=np.float64)
        n = len(self.starts)
        p = np.empty((n, times.size, 2))
        v = np.empty((n, times.size, 2))
        for i in range(n):
            idx = np.searchsorted(self.starts[i], times + 1e-12, side="right") - 1
            idx = np.clip(idx, 0, len(self.starts[i]) - 1)
            dt = (times - self.starts[i][idx])[:, None]
            a = self.acc[i][idx]
            p[i] = self.pos[i][idx] + self.vel[i][idx] * dt + 0.5 * a * dt**2
            v[i] = self.vel[i][idx] + a * dt
        return p, v


def _smallest_positive_root(coeffs: list[float], tmax: float) -> float | None:
    """Smallest real root in (eps, tmax] of a polynomial (highest power first)."""
    c = list(coeffs)
    while c and abs(c[0]) < 1e-300:
        c.pop(0)
    if len(c) < 2:
        return None
    if len(c) == 2:
        roots = np.array([-c[1] / c[0]])
    elif len(c) == 3:
        a, b, cc = c
        disc = b * b - 4 * a * cc
        if disc < 0:
            return None
        sq = math.sqrt(disc)
        # numerically stable quadratic roots
        q = -0.5 * (b + math.copysign(sq, b)) if b != 0 else -0.5 * sq
        roots = np.array([q / a, cc / q if q != 0 else -q / a])
    else:
        roots = np.roots(c)
        roots = roots[np.abs(roots.imag) < 1e-7 * (1 + np.abs(roots.real))].real
        # polish with Newton steps for full precision
        poly = np.poly1d(c)
        dpoly = poly.deriv()
        for _ in range(3):
            d = dpoly(roots)
            ok = np.abs(d) > 0
            roots = np.where(ok, roots - poly(roots) / np.where(ok, d, 1.0), roots)
    roots = roots[(roots > _EPS_T) & (roots <= tmax)]
    return float(roots.min()) if roots.size else None


class Ballistic:
    """Discs under gravity with an optional floor and disc-disc contacts, solved exactly.

    Args:
        p0: initial centres ``[n, 2]`` (x, y) in px.
        v0: initial velocities ``[n, 2]`` in px/s.
        radii: disc radii ``[n]`` in px (used for floor and disc contacts).
        masses: masses ``[n]`` (default: proportional to ``radius**2``).
        g: gravity in px/s^2, positive downward.
        floor_y: the floor's y coordinate (a disc touches it when ``y + r == floor_y``), or None.
        e_floor: coefficient of restitution of floor impacts.
        e_pair: coefficient of restitution of disc-disc contacts (1 = elastic, 0 = perfectly
            inelastic). Momentum is conserved exactly in every contact.
        rest_speed: a floor bounce slower than this (px/s) leaves the disc resting on the floor.

    Example:
        >>> w = Ballistic([[0.0, 0.0], [10.0, 0.0]], [[5.0, 0.0], [0.0, 0.0]], radii=[1, 1])
        >>> p, v = w.run(4.0).at(np.array([4.0]))
        >>> v[:, 0].round(6).tolist()  # equal masses, elastic: velocities exchanged
        [[0.0, 0.0], [5.0, 0.0]]
    """

    def __init__(
        self,
        p0: Any,
        v0: Any,
        radii: Any,
        masses: Any = None,
        *,
        g: float = 0.0,
        floor_y: float | None = None,
        e_floor: float = 1.0,
        e_pair: float = 1.0,
        rest_speed: float | None = None,
    ) -> None:
        self.p0 = np.array(p0, dtype=np.float64).reshape(-1, 2)
        self.v0 = np.array(v0, dtype=np.float64).reshape(-1, 2)
        n = self.p0.shape[0]
        self.radii = np.broadcast_to(np.asarray(radii, dtype=np.float64), (n,)).copy()
        self.masses = (
            self.radii**2
            if masses is None
            else np.broadcast_to(np.asarray(masses, dtype=np.float64), (n,)).copy()
        )
        if self.v0.shape != self.p0.shape:
            raise ValueError(f"p0 {self.p0.shape} and v0 {self.v0.shape} must have equal shapes")
        self.g = float(g)
        self.floor_y = None if floor_y is None else float(floor_y)
        self.e_floor = float(e_floor)
        self.e_pair = float(e_pair)
        # below ~0.01 px of bounce height the disc is at rest (avoids the Zeno cascade)
        self.rest_speed = (
            float(rest_speed) if rest_speed is not None else math.sqrt(2 * abs(self.g) * 0.01)
        )

    def run(
        self, t_end: float, interventions: list[Intervention] | tuple = ()
    ) -> BallisticTrajectory:
        """Simulate from t=0 to ``t_end`` seconds, applying ``interventions`` at their times."""
        n = self.p0.shape[0]
        p = self.p0.copy()
        v = self.v0.copy()
        g = self.g
        e_floor = self.e_floor
        resting = np.zeros(n, dtype=bool)
        pending = sorted(interventions, key=lambda iv: iv.time)
        starts: list[list[float]] = [[] for _ in range(n)]
        pos: list[list[np.ndarray]] = [[] for _ in range(n)]
        vel: list[list[np.ndarray]] = [[] for _ in range(n)]
        acc: list[list[np.ndarray]] = [[] for _ in range(n)]
        events: list[dict[str, Any]] = []

        def accel() -> np.ndarray:
            a = np.zeros((n, 2))
            a[:, 1] = np.where(resting, 0.0, g)
            return a

        def record(t: float) -> None:
            a = accel()
            for i in range(n):
                if starts[i] and abs(starts[i][-1] - t) <= _EPS_T:
                    pos[i][-1], vel[i][-1], acc[i][-1] = p[i].copy(), v[i].copy(), a[i].copy()
                else:
                    starts[i].append(t)
                    pos[i].append(p[i].copy())
                    vel[i].append(v[i].copy())
                    acc[i].append(a[i].copy())

        # interventions at t=0 apply before the first segment
        t = 0.0
        while pending and pending[0].time <= _EPS_T:
            g, e_floor = self._apply(pending.pop(0), p, v, resting, g, e_floor)
        record(t)
        for _ in range(_MAX_EVENTS):
            if t >= t_end:
                break
            a = accel()
            horizon = t_end - t
            best: float | None = None
            best_events: list[tuple[str, Any]] = []

            def consider(tau: float | None, ev: tuple[str, Any]) -> None:
                nonlocal best, best_events
                if tau is None:
                    return
                if best is None or tau < best - 1e-13:
                    best, best_events = tau, [ev]
                elif abs(tau - best) <= 1e-13:
                    best_events.append(ev)

            if pending:
                consider(max(pending[0].time - t, 0.0), ("intervention", None))
            if self.floor_y is not None:
                for i in range(n):
                    if resting[i]:
                        continue
                    # y + vy tau + a/2 tau^2 = floor_y - r, hitting while moving down
                    dy = p[i, 1] - (self.floor_y - self.radii[i])
                    tau = _smallest_positive_root([0.5 * a[i, 1], v[i, 1], dy], horizon)
                    if tau is not None and v[i, 1] + a[i, 1] * tau > 0:
                        consider(tau, ("floor", i))
            for i in range(n):
                for j in range(i + 1, n):
                    dp = p[j] - p[i]
                    dv = v[j] - v[i]
                    da = 0.5 * (a[j] - a[i])
                    rr = self.radii[i] + self.radii[j]
                    # |dp + dv tau + da tau^2|^2 = rr^2
                    coeffs = [
                        float(da @ da),
                        float(2 * dv @ da),
                        float(dv @ dv + 2 * dp @ da),
                        float(2 * dp @ dv),
                        float(dp @ dp - rr * rr),
                    ]
                    tau = _smallest_positive_root(coeffs, horizon)
                    if tau is None:
                        continue
                    dpc = dp + dv * tau + da * tau**2
                    dvc = dv + 2 * da * tau
                    if float(dpc @ dvc) < 0:  # approaching at contact
                        consider(tau, ("pair", (i, j)))
            if best is None or best > horizon:
                break
            # advance everything to the event
            p += v * best + 0.5 * a * best**2
            v += a * best
            t += best
            for what, who in best_events:
                if what == "intervention":
                    while pending and pending[0].time <= t + 1e-9:
                        iv = pending.pop(0)
                        g, e_floor = self._apply(iv, p, v, resting, g, e_floor)
                        events.append(
                            {"type": iv.kind, "time": t, "object": iv.obj, "value": iv.value}
                        )
                elif what == "floor":
                    i = who
                    p[i, 1] = self.floor_y - self.radii[i]
                    impact = float(v[i, 1])
                    v[i, 1] = -e_floor * impact
                    if abs(v[i, 1]) < self.rest_speed and g >= 0:
                        v[i, 1] = 0.0
                        resting[i] = True
                    events.append(
                        {
                            "type": "bounce",
                            "time": t,
                            "object": int(i),
                            "speed_in": impact,
                            "speed_out": float(-v[i, 1]),
                        }
                    )
                else:
                    i, j = who
                    self._contact(i, j, p, v)
                    events.append(
                        {"type": "collision", "time": t, "object": int(i), "other": int(j)}
                    )
            record(t)
        return BallisticTrajectory(
            starts=[np.array(s) for s in starts],
            pos=[np.array(x) for x in pos],
            vel=[np.array(x) for x in vel],
            acc=[np.array(x) for x in acc],
            events=events,
        )

    def _contact(self, i: int, j: int, p: np.ndarray, v: np.ndarray) -> None:
        """Impulse along the line of centres; conserves momentum exactly."""
        nvec = p[j] - p[i]
        nvec = nvec / np.linalg.norm(nvec)
        u = float((v[j] - v[i]) @ nvec)  # < 0 when approaching
        mi, mj = self.masses[i], self.masses[j]
        impulse = -(1 + self.e_pair) * u / (1 / mi + 1 / mj)
        v[i] -= impulse / mi * nvec
        v[j] += impulse / mj * nvec

    def _apply(
        self,
        iv: Intervention,
        p: np.ndarray,
        v: np.ndarray,
        resting: np.ndarray,
        g: float,
        e_floor: float,
    ) -> tuple[float, float]:
        if iv.kind == "teleport":
            p[iv.obj] += np.asarray(iv.value, dtype=np.float64)
            resting[iv.obj] = False
        elif iv.kind == "kick":
            v[iv.obj] *= math.sqrt(float(iv.value))
            resting[iv.obj] = False
        elif iv.kind == "gravity":
            g = g * float(iv.value)
            if g < 0:
                resting[:] = False
        elif iv.kind == "floor_restitution":
            e_floor = float(iv.value)
        else:  # pragma: no cover - guarded by callers
            raise ValueError(f"unknown intervention {iv.kind!r}")
        return g, e_floor


@dataclass
class PendulumMotion:
    """Sampled pendulum motion: angle and angular velocity at the sample times."""

    theta: np.ndarray
    omega: np.ndarray
    centers: np.ndarray  # [T, 2]
    velocities: np.ndarray  # [T, 2]
    g: np.ndarray  # gravity in effect at each sample [T]
    events: list[dict[str, Any]] = field(default_factory=list)


class Pendulum:
    """A rigid pendulum: pivot ``(x, y)``, rod ``length`` (px), angle from the downward vertical.

    ``theta > 0`` puts the bob to the right of the pivot: ``x = px + L sin(theta)``,
    ``y = py + L cos(theta)`` (y down). Integrated with RK4 on steps of at most ``period / steps``.

    Example:
        >>> pend = Pendulum((32.0, 4.0), 40.0, theta0=0.3, g=400.0)
        >>> m = pend.run(np.linspace(0, 1, 5))
        >>> m.centers.shape
        (5, 2)
    """

    def __init__(
        self,
        pivot: Any,
        length: float,
        theta0: float,
        omega0: float = 0.0,
        *,
        g: float,
        steps_per_period: int = 200,
    ) -> None:
        self.pivot = np.asarray(pivot, dtype=np.float64).reshape(2)
        self.length = float(length)
        self.theta0 = float(theta0)
        self.omega0 = float(omega0)
        self.g = float(g)
        self.steps_per_period = int(steps_per_period)

    def _step(self, th: float, om: float, h: float, k: float) -> tuple[float, float]:
        def f(a: float, b: float) -> tuple[float, float]:
            return b, -k * math.sin(a)

        k1 = f(th, om)
        k2 = f(th + 0.5 * h * k1[0], om + 0.5 * h * k1[1])
        k3 = f(th + 0.5 * h * k2[0], om + 0.5 * h * k2[1])
        k4 = f(th + h * k3[0], om + h * k3[1])
        return (
            th + h / 6 * (k1[0] + 2 * k2[0] + 2 * k3[0] + k4[0]),
            om + h / 6 * (k1[1] + 2 * k2[1] + 2 * k3[1] + k4[1]),
        )

    def run(
        self, times: np.ndarray, interventions: list[Intervention] | tuple = ()
    ) -> PendulumMotion:
        """Angles, centres and velocities at increasing ``times`` (interventions at sample times)."""
        times = np.asarray(times, dtype=np.float64)
        pending = sorted(interventions, key=lambda iv: iv.time)
        g = self.g
        th, om, t = self.theta0, self.omega0, 0.0
        thetas = np.empty(times.size)
        omegas = np.empty(times.size)
        gs = np.empty(times.size)
        events: list[dict[str, Any]] = []
        for s, ts in enumerate(times):
            # integrate to ts with short steps (step bound from the current g)
            k = g / self.length
            period = 2 * math.pi / math.sqrt(abs(k)) if k != 0 else math.inf
            hmax = period / self.steps_per_period if math.isfinite(period) else 1e-2
            span = ts - t
            if span > 0:
                nsteps = max(1, math.ceil(span / hmax))
                h = span / nsteps
                for _ in range(nsteps):
                    th, om = self._step(th, om, h, k)
                t = ts
            while pending and pending[0].time <= ts + 1e-9:
                iv = pending.pop(0)
                if iv.kind == "teleport":
                    th += float(iv.value)
                elif iv.kind == "kick":
                    om *= math.sqrt(float(iv.value))
                elif iv.kind == "gravity":
                    g *= float(iv.value)
                else:
                    raise ValueError(f"intervention {iv.kind!r} does not apply to a pendulum")
                events.append({"type": iv.kind, "time": float(ts), "object": 0, "value": iv.value})
            thetas[s], omegas[s], gs[s] = th, om, g
        L = self.length
        centers = np.stack(
            [self.pivot[0] + L * np.sin(thetas), self.pivot[1] + L * np.cos(thetas)], axis=-1
        )
        velocities = np.stack([L * np.cos(thetas) * omegas, -L * np.sin(thetas) * omegas], -1)
        return PendulumMotion(thetas, omegas, centers, velocities, gs, events)
