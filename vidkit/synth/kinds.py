"""The six scene kinds: initial conditions from the seed, and their exact motion.

Each builder draws its free parameters from the seed (every draw always happens, in a fixed order,
so fixing one parameter leaves the others unchanged), overrides them with the caller's
``kind_params``, and returns a :class:`Setup` whose ``simulate(interventions)`` gives the motion at
the frame times. Defaults are chosen so that the objects stay inside the frame for the whole clip:
positions and speeds are fractions of the usable frame extent, and gravity is derived from the clip
duration ``D = frames / fps`` (so doubling ``fps`` and ``frames`` together samples the very same
motion twice as densely).

Example:
    >>> import numpy as np
    >>> from vidkit.synth.kinds import Context, build
    >>> ctx = Context(height=64, width=64, frames=32, fps=16.0)
    >>> setup = build("bounce", np.random.default_rng(0), ctx)
    >>> setup.simulate().centers.shape
    (1, 32, 2)
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from vidkit.synth.physics import Ballistic, Intervention, Pendulum

__all__ = [
    "KINDS",
    "KIND_PARAMS",
    "N_OBJECTS",
    "Context",
    "Motion",
    "Setup",
    "as_number",
    "build",
    "inside",
]

KINDS: tuple[str, ...] = ("free_fall", "projectile", "bounce", "pendulum", "collision", "uniform")
N_OBJECTS: dict[str, int] = {k: (2 if k == "collision" else 1) for k in KINDS}
#: Keyword parameters each kind accepts (all optional; unset ones are drawn from the seed).
KIND_PARAMS: dict[str, tuple[str, ...]] = {
    "free_fall": ("x0", "y0", "vy0", "fall_fraction"),
    "projectile": ("x0", "y0", "vx", "vy0"),
    "bounce": ("x0", "y0", "vx", "floor_y", "first_impact"),
    "pendulum": ("pivot", "length", "theta0", "omega0", "swings"),
    "collision": ("mode", "positions", "velocities", "masses", "collision_time"),
    "uniform": ("x0", "y0", "vx", "vy"),
}
# the kinds whose motion is driven by gravity g (wrong_gravity applies to these only)
GRAVITY_KINDS = ("free_fall", "projectile", "bounce", "pendulum")


@dataclass(frozen=True)
class Context:
    """Frame geometry and timing shared by every kind."""

    height: int
    width: int
    frames: int
    fps: float

    @property
    def duration(self) -> float:
        """Clip duration ``frames / fps`` in seconds (the time scale of the defaults)."""
        return self.frames / self.fps

    @property
    def times(self) -> np.ndarray:
        """Frame times ``k / fps`` in seconds."""
        return np.arange(self.frames, dtype=np.float64) / self.fps

    def frame_of(self, time: float) -> int:
        """First frame at or after ``time``."""
        return int(math.ceil(time * self.fps - 1e-9))

    def box(self, r: float) -> tuple[float, float, float, float]:
        """Centre range ``(x_lo, x_hi, y_lo, y_hi)`` keeping a disc of radius r (plus its
        antialiased rim and half a pixel of slack) inside the frame."""
        return r + 0.5, self.width - 1.5 - r, r + 0.5, self.height - 1.5 - r


@dataclass
class Motion:
    """Physical motion sampled at the frame times: ``centers``/``velocities`` ``[n, T, 2]``."""

    centers: np.ndarray
    velocities: np.ndarray
    events: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Setup:
    """A resolved clean scene of one kind (before any violation)."""

    kind: str
    radii: np.ndarray
    params: dict[str, Any]
    constants: dict[str, Any]
    engine: Callable[[list[Intervention]], Motion]
    floor_y: float | None = None
    pivot: tuple[float, float] | None = None
    words: dict[str, str] = field(default_factory=dict)
    _clean: Motion | None = field(default=None, repr=False)

    @property
    def n(self) -> int:
        return int(self.radii.size)

    def simulate(self, interventions: list[Intervention] | tuple = ()) -> Motion:
        """The motion at the frame times, with ``interventions`` applied."""
        if not interventions:
            if self._clean is None:
                self._clean = self.engine([])
            return self._clean
        return self.engine(list(interventions))


def inside(centers: np.ndarray, radii: np.ndarray, ctx: Context, tol: float = 1e-6) -> bool:
    """True when every disc (``radii`` ``[n]`` or ``[n, T]``) lies in the frame in every frame."""
    r = radii if radii.ndim == 2 else np.broadcast_to(radii[:, None], centers.shape[:2])
    x, y = centers[..., 0], centers[..., 1]
    return bool(
        np.all(x >= r - tol)
        and np.all(x <= ctx.width - 1 - r + tol)
        and np.all(y >= r - tol)
        and np.all(y <= ctx.height - 1 - r + tol)
    )


def _pick(kp: dict[str, Any], name: str, drawn: Any) -> Any:
    return kp[name] if kp.get(name) is not None else drawn


def as_number(value: Any, what: str, *, positive: bool = False) -> float:
    """``value`` as a finite float (``positive``: also above 0), else a ValueError naming ``what``.

    The one check behind the scene kinds' parameters and the violations' parameters.

    Example:
        >>> as_number("2.5", "vx"), as_number(3, "violation parameter 'factor'", positive=True)
        (2.5, 3.0)
        >>> as_number(float("inf"), "vx")
        Traceback (most recent call last):
        ...
        ValueError: vx must be finite, got inf
    """
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be a number, got {value!r}") from None
    if positive:
        if not math.isfinite(out) or out <= 0:
            raise ValueError(f"{what} must be a positive number, got {value!r}")
    elif not math.isfinite(out):
        raise ValueError(f"{what} must be finite, got {value!r}")
    return out


def _num(kp: dict[str, Any], name: str, drawn: float) -> float:
    return as_number(_pick(kp, name, drawn), name)


def _ballistic_engine(ctx: Context, world: Ballistic) -> Callable[[list[Intervention]], Motion]:
    def engine(interventions: list[Intervention]) -> Motion:
        traj = world.run(float(ctx.times[-1]) + 1e-9, interventions)
        p, v = traj.at(ctx.times)
        events = []
        for ev in traj.events:
            ev = dict(ev)
            ev["frame"] = ctx.frame_of(ev["time"])
            events.append(ev)
        return Motion(p, v, events)

    return engine


def _free_fall(rng, ctx, radii, kp, g, restitution) -> Setup:
    r = float(radii[0])
    x_lo, x_hi, y_lo, y_hi = ctx.box(r)
    lx, ly, d = x_hi - x_lo, y_hi - y_lo, ctx.duration
    draws = rng.uniform([0.15, 0.02, -0.10, 0.70], [0.85, 0.12, 0.05, 0.85])
    x0 = _num(kp, "x0", x_lo + draws[0] * lx)
    y0 = _num(kp, "y0", y_lo + draws[1] * ly)
    vy0 = _num(kp, "vy0", draws[2] * ly / d)
    frac = _num(kp, "fall_fraction", draws[3])
    if g is None:
        g = 2 * (frac * ly - vy0 * d) / d**2
    else:  # gravity given: the fall fraction follows from it
        frac = (vy0 * d + 0.5 * g * d**2) / ly
    world = Ballistic([[x0, y0]], [[0.0, vy0]], radii, g=g)
    return Setup(
        "free_fall",
        radii,
        {"x0": x0, "y0": y0, "vy0": vy0, "fall_fraction": frac},
        {"g": g},
        _ballistic_engine(ctx, world),
    )


def _projectile(rng, ctx, radii, kp, g, restitution) -> Setup:
    r = float(radii[0])
    x_lo, x_hi, y_lo, y_hi = ctx.box(r)
    lx, ly, d = x_hi - x_lo, y_hi - y_lo, ctx.duration
    side = 1.0 if rng.random() < 0.5 else -1.0
    span, start, ystart, up, yend = rng.uniform(
        [0.55, 0.0, 0.15, 0.0, 0.85], [0.85, 0.15, 0.45, 1.0, 0.97]
    )
    vx = _num(kp, "vx", side * span * lx / d)
    side = 1.0 if vx >= 0 else -1.0
    x0 = _num(kp, "x0", x_lo + start * lx if side > 0 else x_hi - start * lx)
    y0 = _num(kp, "y0", y_lo + ystart * ly)
    target = y_lo + yend * ly
    if g is None:
        vy0 = _num(kp, "vy0", -up * ly / d)
        g = 2 * (target - y0 - vy0 * d) / d**2
    else:
        # gravity given: choose the launch speed so the flight still ends inside the frame
        vy0 = _num(kp, "vy0", (target - y0 - 0.5 * g * d**2) / d)
    world = Ballistic([[x0, y0]], [[vx, vy0]], radii, g=g)
    return Setup(
        "projectile",
        radii,
        {"x0": x0, "y0": y0, "vx": vx, "vy0": vy0},
        {"g": g},
        _ballistic_engine(ctx, world),
        words={"direction": "right" if vx >= 0 else "left"},
    )


def _bounce(rng, ctx, radii, kp, g, restitution) -> Setup:
    r = float(radii[0])
    x_lo, x_hi, y_lo, _ = ctx.box(r)
    lx, d = x_hi - x_lo, ctx.duration
    floor_rows = max(2, round(0.1 * ctx.height))
    side = 1.0 if rng.random() < 0.5 else -1.0
    speed, xstart, ystart, e_draw, t1 = rng.uniform(
        [0.1, 0.0, 0.0, 0.65, 0.2], [0.45, 1.0, 0.1, 0.85, 0.3]
    )
    floor_y = _num(kp, "floor_y", ctx.height - floor_rows - 0.5)
    contact = floor_y - r
    vx = _num(kp, "vx", side * speed * lx / d)
    travel = min(abs(vx) * d, lx)
    lo = x_lo if vx >= 0 else x_lo + travel
    x0 = _num(kp, "x0", lo + xstart * (lx - travel))
    y0 = _num(kp, "y0", y_lo + ystart * max(contact - y_lo, 0.0))
    e = float(restitution) if restitution is not None else float(e_draw)
    first = _num(kp, "first_impact", t1 * d)
    if g is None:
        g = 2 * (contact - y0) / first**2
    else:  # gravity given: the first impact follows from it
        first = math.sqrt(2 * max(contact - y0, 0.0) / g)
    world = Ballistic([[x0, y0]], [[vx, 0.0]], radii, g=g, floor_y=floor_y, e_floor=e)
    return Setup(
        "bounce",
        radii,
        {"x0": x0, "y0": y0, "vx": vx, "floor_y": floor_y, "first_impact": first},
        {"g": g, "restitution": e, "floor_y": floor_y, "floor_row": int(round(floor_y + 0.5))},
        _ballistic_engine(ctx, world),
        floor_y=floor_y,
        words={"direction": "right" if vx > 0 else "left"},
    )


def _pendulum(rng, ctx, radii, kp, g, restitution) -> Setup:
    r = float(radii[0])
    x_lo, x_hi, y_lo, y_hi = ctx.box(r)
    d = ctx.duration
    side = 1.0 if rng.random() < 0.5 else -1.0
    off, amp, lfrac, swings = rng.uniform([-0.08, 0.35, 0.6, 1.0], [0.08, 0.8, 0.85, 1.8])
    pivot = _pick(kp, "pivot", None)
    if pivot is None:
        pivot = ((ctx.width - 1) / 2 + off * ctx.width, max(2.0, 0.08 * ctx.height))
    try:
        pivot = (float(pivot[0]), float(pivot[1]))
    except (TypeError, IndexError, ValueError):
        raise ValueError(f"pivot must be a pair (x, y) in px, got {pivot!r}") from None
    theta0 = _num(kp, "theta0", side * amp)
    reach = min(pivot[0] - x_lo, x_hi - pivot[0]) / max(abs(math.sin(theta0)), 1e-6)
    length = _num(kp, "length", max(min(lfrac * (y_hi - pivot[1]), reach), 2.0))
    omega0 = _num(kp, "omega0", 0.0)
    swings = _num(kp, "swings", swings)
    if g is None:
        g = length * (2 * math.pi * swings / d) ** 2
    else:  # gravity given: the (small-angle) number of swings follows from it
        swings = d * math.sqrt(g / length) / (2 * math.pi)
    pend = Pendulum(pivot, length, theta0, omega0, g=g)

    def engine(interventions: list[Intervention]) -> Motion:
        m = pend.run(ctx.times, interventions)
        events = [dict(ev, frame=ctx.frame_of(ev["time"])) for ev in m.events]
        return Motion(m.centers[None], m.velocities[None], events)

    return Setup(
        "pendulum",
        radii,
        {
            "pivot": list(pivot),
            "length": length,
            "theta0": theta0,
            "omega0": omega0,
            "swings": swings,
        },
        {"g": g, "length": length, "pivot": list(pivot), "theta0": theta0},
        engine,
        pivot=pivot,
        words={"side": "right" if theta0 > 0 else "left"},
    )


def _collision(rng, ctx, radii, kp, g, restitution) -> Setup:
    if g not in (None, 0, 0.0):
        raise ValueError(
            f"g does not apply to kind 'collision' (balls on a table, no gravity), got g={g}"
        )
    d = ctx.duration
    r1, r2 = float(radii[0]), float(radii[1])
    rmax = max(r1, r2)
    x_lo, x_hi, y_lo, y_hi = ctx.box(rmax)
    lx, ly = x_hi - x_lo, y_hi - y_lo
    mode_draw = "1d" if rng.random() < 0.5 else "2d"
    tc, cx, cy, phi, s1, s2, w1, w2 = rng.uniform(
        [0.35, -0.1, -0.1, 0.25, 0.25, 0.25, -0.15, -0.15],
        [0.55, 0.1, 0.1, 0.6, 0.5, 0.5, 0.15, 0.15],
    )
    phi_sign = 1.0 if rng.random() < 0.5 else -1.0
    mode = str(_pick(kp, "mode", mode_draw)).lower()
    if mode not in ("1d", "2d"):
        raise ValueError(f"collision mode must be '1d' or '2d', got {mode!r}")
    masses = _pick(kp, "masses", None)
    masses = np.array([r1**2, r2**2] if masses is None else masses, dtype=np.float64).reshape(-1)
    if masses.shape != (2,) or np.any(masses <= 0):
        raise ValueError(f"masses must be two positive numbers, got {kp.get('masses')!r}")
    e = 1.0 if restitution is None else float(restitution)
    t_c = _num(kp, "collision_time", tc * d)
    c = np.array([(x_lo + x_hi) / 2 + cx * lx, (y_lo + y_hi) / 2 + cy * ly])
    if mode == "1d":
        nvec = np.array([1.0, 0.0])
        w1 = w2 = 0.0
    else:
        ang = phi_sign * phi
        nvec = np.array([math.cos(ang), math.sin(ang)])
    vel = np.array([[s1 * lx / d, w1 * ly / d], [-s2 * lx / d, w2 * ly / d]])
    pos = np.stack([c - r1 * nvec, c + r2 * nvec]) - vel * t_c
    if kp.get("positions") is not None:
        pos = np.asarray(kp["positions"], dtype=np.float64).reshape(2, 2)
    if kp.get("velocities") is not None:
        vel = np.asarray(kp["velocities"], dtype=np.float64).reshape(2, 2)
    world = Ballistic(pos, vel, radii, masses, g=0.0, e_pair=e)
    return Setup(
        "collision",
        radii,
        {
            "mode": mode,
            "positions": pos.tolist(),
            "velocities": vel.tolist(),
            "masses": masses.tolist(),
            "collision_time": t_c,
        },
        {"g": 0.0, "restitution": e, "masses": masses.tolist()},
        _ballistic_engine(ctx, world),
        words={"mode": mode},
    )


def _uniform(rng, ctx, radii, kp, g, restitution) -> Setup:
    if g not in (None, 0, 0.0):
        raise ValueError(f"g does not apply to kind 'uniform' (constant velocity), got g={g}")
    r = float(radii[0])
    x_lo, x_hi, y_lo, y_hi = ctx.box(r)
    lx, ly, d = x_hi - x_lo, y_hi - y_lo, ctx.duration
    ang, frac, ux, uy = rng.uniform([0, 0.4, 0, 0], [2 * math.pi, 0.8, 1, 1])
    cos, sin = math.cos(ang), math.sin(ang)
    lmax = min(lx / max(abs(cos), 1e-9), ly / max(abs(sin), 1e-9))
    vx = _num(kp, "vx", frac * lmax * cos / d)
    vy = _num(kp, "vy", frac * lmax * sin / d)
    dx, dy = vx * d, vy * d
    xa, xb = max(x_lo, x_lo - dx), min(x_hi, x_hi - dx)
    ya, yb = max(y_lo, y_lo - dy), min(y_hi, y_hi - dy)
    x0 = _num(kp, "x0", xa + ux * max(xb - xa, 0.0))
    y0 = _num(kp, "y0", ya + uy * max(yb - ya, 0.0))
    world = Ballistic([[x0, y0]], [[vx, vy]], radii, g=0.0)
    return Setup(
        "uniform",
        radii,
        {"x0": x0, "y0": y0, "vx": vx, "vy": vy},
        {"g": 0.0, "speed": math.hypot(vx, vy)},
        _ballistic_engine(ctx, world),
        words={"direction": _compass(vx, vy)},
    )


def _compass(vx: float, vy: float) -> str:
    """Direction words for a velocity in image coordinates (y down)."""
    speed = math.hypot(vx, vy)
    if speed == 0:
        return "nowhere"
    cx, cy = vx / speed, vy / speed
    horiz = "right" if cx > 0 else "left"
    vert = "down" if cy > 0 else "up"
    if abs(cx) >= 0.92:
        return horiz
    if abs(cy) >= 0.92:
        return vert
    return f"{vert} and to the {horiz}"


_BUILDERS = {
    "free_fall": _free_fall,
    "projectile": _projectile,
    "bounce": _bounce,
    "pendulum": _pendulum,
    "collision": _collision,
    "uniform": _uniform,
}


def build(
    kind: str,
    rng: np.random.Generator,
    ctx: Context,
    radii: np.ndarray | None = None,
    *,
    g: float | None = None,
    restitution: float | None = None,
    kind_params: dict[str, Any] | None = None,
    max_tries: int = 60,
) -> Setup:
    """Draw a clean scene of ``kind`` from ``rng`` whose objects stay inside the frame.

    Draws are repeated (deterministically, from the same generator) until the clean motion keeps
    every disc inside the frame; if explicitly given parameters make that impossible the last
    draw is kept and the objects may leave the frame (``truth.visible`` then says so).
    """
    if kind not in _BUILDERS:
        raise ValueError(f"unknown kind {kind!r}; valid kinds are {list(KINDS)}")
    kp = dict(kind_params or {})
    unknown = sorted(set(kp) - set(KIND_PARAMS[kind]))
    if unknown:
        raise ValueError(
            f"unknown parameter(s) {unknown} for kind {kind!r}; it accepts {list(KIND_PARAMS[kind])}"
        )
    if restitution is not None and kind not in ("bounce", "collision"):
        raise ValueError(
            f"restitution applies to 'bounce' and 'collision' only, not {kind!r} (got {restitution})"
        )
    if restitution is not None and not (0 <= float(restitution) and math.isfinite(restitution)):
        raise ValueError(f"restitution must be a finite number >= 0, got {restitution!r}")
    if g is not None and kind in GRAVITY_KINDS and (not math.isfinite(g) or g <= 0):
        raise ValueError(f"g must be a positive number (px/s^2, downward), got {g!r}")
    if radii is None:
        radii = rng.uniform(0.06, 0.085, size=N_OBJECTS[kind]) * min(ctx.height, ctx.width)
    radii = np.maximum(np.asarray(radii, dtype=np.float64), 1.0)
    setup = None
    ok = False
    for _ in range(max_tries):
        setup = _BUILDERS[kind](rng, ctx, radii, kp, g, restitution)
        motion = setup.simulate()
        ok = inside(motion.centers, radii, ctx)
        if kind == "collision":
            ok = ok and sum(ev["type"] == "collision" for ev in motion.events) == 1
        if ok:
            break
    assert setup is not None
    if not ok:
        warnings.warn(
            f"{kind}: with the given parameters the objects leave the frame "
            f"(truth.visible marks where they are outside)",
            stacklevel=3,
        )
    return setup
