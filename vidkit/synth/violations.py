"""Controlled physics violations: each changes exactly the one thing it names.

| name            | main parameter (default)            | what changes                                         |
|-----------------|-------------------------------------|------------------------------------------------------|
| ``teleport``    | ``distance`` px (3.5 radii)         | one jump at ``frame``; motion continues from there   |
| ``vanish``      | ``frame``                           | the object is not drawn from ``frame`` on            |
| ``appear``      | ``frame``                           | the object is not drawn before ``frame``             |
| ``resize``      | ``factor`` (1.6)                    | drawn radius times ``factor`` from ``frame`` on      |
| ``recolor``     | ``color`` (an unused palette name)  | colour from ``frame`` on                             |
| ``wrong_gravity``| ``factor`` (0.35)                  | g times ``factor`` from ``frame`` on                 |
| ``energy_gain`` | ``restitution`` (1.25) for bounce,  | floor restitution from ``frame`` on (bounce); else   |
|                 | ``factor`` (2.0) otherwise          | kinetic energy times ``factor`` at ``frame``         |
| ``reverse``     | (none)                              | playback runs backward in time                       |
| ``flicker``     | ``amount`` (0.35)                   | brightness ``1 +- amount`` on a few frames           |
| ``stutter``     | ``hold`` (4)                        | one physical step shown ``hold`` times, then resumes |

``frame`` (the start) is drawn from the seed in the middle half of the clip, among frames where the
objects stay inside the image (and, for vanish/appear, where the object is well away from the
border); ``object`` picks which ball (collision scenes). Both can be given in
``violation_params``. The seed stream of violations is separate from the scene's, so a scene with a
violation has the very same base scene as the clean one with the same seed.

Example:
    >>> import vidkit as vk
    >>> s = vk.synth.render("free_fall", seed=1, violation="teleport")
    >>> s.truth.violation["name"], s.truth.violation["frame"] > 0
    ('teleport', True)
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from vidkit.synth.drawing import PALETTE, color_rgb
from vidkit.synth.kinds import GRAVITY_KINDS, Context, Motion, Setup, as_number, inside
from vidkit.synth.physics import Intervention

__all__ = ["VIOLATIONS", "VIOLATION_PARAMS", "Applied", "apply"]

VIOLATIONS: tuple[str, ...] = (
    "teleport",
    "vanish",
    "appear",
    "resize",
    "recolor",
    "wrong_gravity",
    "energy_gain",
    "reverse",
    "flicker",
    "stutter",
)
#: Parameters each violation accepts in ``violation_params`` (``frame``/``object`` for all).
VIOLATION_PARAMS: dict[str, tuple[str, ...]] = {
    "teleport": ("distance", "angle"),
    "vanish": (),
    "appear": (),
    "resize": ("factor",),
    "recolor": ("color",),
    "wrong_gravity": ("factor",),
    "energy_gain": ("factor", "restitution"),
    "reverse": (),
    "flicker": ("amount", "frames", "signs"),
    "stutter": ("hold",),
}
MIN_FRAMES = 6


@dataclass
class Applied:
    """A violation applied: the physical motion and the per-shown-frame appearance arrays."""

    motion: Motion
    frame_index: np.ndarray  # [T] physical step shown by each frame
    radii: np.ndarray  # [n, T] per shown frame
    colors: np.ndarray  # [n, T, 3]
    present: np.ndarray  # [n, T] object exists (drawn) in that shown frame
    brightness: np.ndarray  # [T]
    reverse: bool
    info: dict[str, Any]


def _positive(vp: dict[str, Any], key: str, default: float) -> float:
    return as_number(vp.get(key, default), f"violation parameter {key!r}", positive=True)


def _finite(vp: dict[str, Any], key: str) -> float:
    return as_number(vp[key], f"violation parameter {key!r}")


def _candidates(ctx: Context, rng: np.random.Generator, vp: dict[str, Any]) -> list[int]:
    t = ctx.frames
    lo, hi = max(2, math.ceil(0.25 * t)), min(t - 3, math.floor(0.75 * t))
    order = [int(k) for k in rng.permutation(np.arange(lo, hi + 1))]
    if vp.get("frame") is not None:
        k = vp["frame"]
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= t - 1:
            raise ValueError(
                f"violation frame must be an integer in [1, {t - 1}] for {t} frames, got {k!r}"
            )
        return [int(k)]
    return order


def _floor_ok(setup: Setup, centers: np.ndarray, radii: np.ndarray) -> bool:
    if setup.floor_y is None:
        return True
    r = radii if radii.ndim == 2 else radii[:, None]
    return bool(np.all(centers[..., 1] + r <= setup.floor_y + 1e-6))


def _away_from_border(c: np.ndarray, r: float, ctx: Context) -> bool:
    gap = max(r, 2.0)
    return bool(
        c[0] - r >= gap
        and c[0] + r <= ctx.width - 1 - gap
        and c[1] - r >= gap
        and c[1] + r <= ctx.height - 1 - gap
    )


def apply(
    name: str,
    setup: Setup,
    ctx: Context,
    clean: Motion,
    colors: np.ndarray,
    rng: np.random.Generator,
    params: dict[str, Any] | None = None,
) -> Applied:
    """Apply violation ``name`` to a clean scene; ``colors`` ``[n, 3]`` are the object colours.

    Raises ``ValueError`` for unknown names/parameters and for combinations that have no
    meaning (e.g. ``wrong_gravity`` in a scene without gravity).
    """
    if name not in VIOLATIONS:
        raise ValueError(f"unknown violation {name!r}; valid violations are {list(VIOLATIONS)}")
    vp = dict(params or {})
    allowed = (*VIOLATION_PARAMS[name], "frame", "object")
    unknown = sorted(set(vp) - set(allowed))
    if unknown:
        raise ValueError(
            f"unknown parameter(s) {unknown} for violation {name!r}; it accepts {list(allowed)}"
        )
    if ctx.frames < MIN_FRAMES:
        raise ValueError(f"violations need at least {MIN_FRAMES} frames, got frames={ctx.frames}")
    if name == "wrong_gravity" and setup.kind not in GRAVITY_KINDS:
        raise ValueError(
            f"violation 'wrong_gravity' needs gravity; kind {setup.kind!r} has none "
            f"(use one of {list(GRAVITY_KINDS)})"
        )
    n, t = setup.n, ctx.frames
    obj_draw = int(rng.integers(n))
    obj = vp.get("object", obj_draw)
    if isinstance(obj, bool) or not isinstance(obj, (int, np.integer)) or not 0 <= obj < n:
        raise ValueError(f"violation object must be an integer in [0, {n - 1}], got {obj!r}")
    obj = int(obj)
    cands = _candidates(ctx, rng, vp)
    radii = np.repeat(setup.radii[:, None], t, axis=1).astype(np.float64)
    cols = np.repeat(np.asarray(colors, dtype=np.float64)[:, None, :], t, axis=1)
    present = np.ones((n, t), dtype=bool)
    brightness = np.ones(t)
    frame_index = np.arange(t)
    times = ctx.times
    r_obj = float(setup.radii[obj])
    info: dict[str, Any] = {"name": name, "object": obj}
    resolved: dict[str, Any] = {"object": obj}

    def first_valid(trials, warn: bool = True):
        """First (frame, payload) trial whose check passes; else the first, with a warning.

        With ``warn=False`` an invalid outcome returns None instead (the caller tries another
        default)."""
        first = None
        for k, payload, check in trials:
            if first is None:
                first = (k, payload)
            if check():
                return k, payload
        if not warn:
            return None
        warnings.warn(
            f"violation {name!r}: no start frame keeps the scene valid (objects inside the frame); "
            f"using frame {first[0]}",
            stacklevel=4,
        )
        return first

    def with_defaults(make_trials, options):
        """Try each default of the main parameter in turn (only the last one may warn)."""
        for i, value in enumerate(options):
            got = first_valid(make_trials(value), warn=i == len(options) - 1)
            if got is not None:
                return value, got
        raise AssertionError("unreachable")  # pragma: no cover

    motion = clean
    if name == "teleport":
        dist = _positive(vp, "distance", 3.5 * r_obj)
        angles = rng.uniform(0, 2 * math.pi, size=(len(cands), 12))
        if vp.get("angle") is not None:
            angles = np.full((len(cands), 1), _finite(vp, "angle"))

        def trials():
            for ci, k in enumerate(cands):
                for a in angles[ci]:
                    if setup.pivot is not None:
                        length = float(setup.constants["length"])
                        if dist >= 2 * length:
                            raise ValueError(
                                f"teleport distance {dist:g} px exceeds the pendulum's reach "
                                f"(2 x length = {2 * length:g} px)"
                            )
                        value: Any = math.copysign(2 * math.asin(dist / (2 * length)), math.cos(a))
                    else:
                        value = (dist * math.cos(a), dist * math.sin(a))
                    iv = Intervention(float(times[k]), "teleport", obj, value)
                    m = setup.simulate([iv])
                    yield (
                        k,
                        (m, float(a)),
                        lambda m=m: (
                            inside(m.centers, setup.radii, ctx)
                            and _floor_ok(setup, m.centers, setup.radii)
                        ),
                    )

        k, (motion, angle) = first_valid(trials())
        delta = motion.centers[obj, k] - clean.centers[obj, k]
        info.update(frame=k, distance=dist, size=dist, delta=delta.tolist())
        resolved.update(frame=k, distance=dist, angle=angle)
    elif name in ("vanish", "appear"):
        last_contact = max(
            [ev["frame"] for ev in clean.events if ev["type"] == "collision"], default=None
        )

        def trials():
            for k in cands:

                def check(k=k):
                    if not _away_from_border(clean.centers[obj, k], r_obj, ctx):
                        return False
                    if last_contact is not None:
                        # a hidden ball must not push a visible one
                        return k > last_contact if name == "vanish" else k < last_contact
                    return True

                yield k, None, check

        k, _ = first_valid(trials())
        if name == "vanish":
            present[obj, k:] = False
        else:
            present[obj, :k] = False
        info.update(frame=k, position=clean.centers[obj, k].tolist())
        resolved.update(frame=k)
    elif name == "resize":
        # default: grow by 1.6, or shrink by 1/1.6 where growing would leave the frame
        options = [_positive(vp, "factor", 1.6)] if "factor" in vp else [1.6, 1 / 1.6]
        if options[0] == 1:
            raise ValueError("violation 'resize' needs factor != 1")

        def trials(factor):
            for k in cands:
                rr = radii.copy()
                rr[obj, k:] *= factor
                yield k, rr, lambda rr=rr: inside(clean.centers, rr, ctx)

        factor, (k, radii) = with_defaults(trials, options)
        info.update(
            frame=k, factor=factor, size=factor, radius_before=r_obj, radius_after=r_obj * factor
        )
        resolved.update(frame=k, factor=factor)
    elif name == "recolor":
        used = {color_rgb(c)[0] for c in colors}
        spare = [c for c in PALETTE if c not in used]
        drawn = spare[int(rng.integers(len(spare)))]
        cname, rgb = color_rgb(vp.get("color", drawn))
        if np.allclose(rgb, colors[obj]):
            raise ValueError(
                f"violation 'recolor' needs a colour different from the object's ({cname})"
            )
        k = cands[0]
        cols[obj, k:] = rgb
        info.update(frame=k, color=cname, rgb=rgb.tolist(), size=cname)
        spec = vp.get("color", drawn)
        resolved.update(frame=k, color=spec if isinstance(spec, str) else rgb.tolist())
    elif name == "wrong_gravity":
        factor = vp.get("factor", 0.35)
        try:
            factor = float(factor)
        except (TypeError, ValueError):
            raise ValueError(
                f"violation parameter 'factor' must be a number, got {factor!r}"
            ) from None
        if not math.isfinite(factor) or factor == 1:
            raise ValueError(
                f"violation 'wrong_gravity' needs a finite factor != 1, got {factor!r}"
            )

        def trials():
            for k in cands:
                m = setup.simulate([Intervention(float(times[k]), "gravity", 0, factor)])
                yield (
                    k,
                    m,
                    lambda m=m: (
                        inside(m.centers, setup.radii, ctx)
                        and _floor_ok(setup, m.centers, setup.radii)
                    ),
                )

        k, motion = first_valid(trials())
        g = float(setup.constants["g"])
        info.update(frame=k, factor=factor, size=factor, g_before=g, g_after=g * factor)
        resolved.update(frame=k, factor=factor)
    elif name == "energy_gain":
        if setup.kind == "bounce":
            if "factor" in vp:
                raise ValueError(
                    "for kind 'bounce', energy_gain takes 'restitution' (> 1), not 'factor'"
                )
            e_new = _positive(vp, "restitution", 1.25)
            if e_new <= 1:
                raise ValueError(f"energy_gain needs restitution > 1 for a bounce, got {e_new}")

            def trials():
                for k in cands:
                    m = setup.simulate(
                        [Intervention(float(times[k]), "floor_restitution", 0, e_new)]
                    )
                    bounces = [
                        ev for ev in m.events if ev["type"] == "bounce" and ev["time"] >= times[k]
                    ]
                    yield (
                        k,
                        (m, bounces),
                        lambda m=m, b=bounces: bool(b) and inside(m.centers, setup.radii, ctx),
                    )

            k, (motion, bounces) = first_valid(trials())
            info.update(
                from_frame=k,
                frame=bounces[0]["frame"] if bounces else k,
                restitution=e_new,
                restitution_before=float(setup.constants["restitution"]),
                size=e_new,
            )
            resolved.update(frame=k, restitution=e_new)
        else:
            if "restitution" in vp:
                raise ValueError(
                    f"energy_gain takes 'restitution' only for kind 'bounce'; for {setup.kind!r} use 'factor'"
                )
            # default: kinetic energy x2, or x1.5 / x1.25 where more would leave the frame
            options = [_positive(vp, "factor", 2.0)] if "factor" in vp else [2.0, 1.5, 1.25]
            if options[0] <= 1:
                raise ValueError(
                    f"energy_gain needs factor > 1 (kinetic energy multiplier), got {options[0]}"
                )
            speed = np.linalg.norm(clean.velocities[obj], axis=-1)

            def trials(factor):
                for k in cands:
                    m = setup.simulate([Intervention(float(times[k]), "kick", obj, factor)])
                    yield (
                        k,
                        m,
                        lambda m=m, k=k: (
                            speed[k] >= 0.3 * speed.max() > 0
                            and inside(m.centers, setup.radii, ctx)
                        ),
                    )

            factor, (k, motion) = with_defaults(trials, options)
            info.update(frame=k, factor=factor, size=factor, speed_before=float(speed[k]))
            resolved.update(frame=k, factor=factor)
    elif name == "reverse":
        frame_index = frame_index[::-1].copy()
        info.update(frame=0)
    elif name == "flicker":
        amount = _positive(vp, "amount", 0.35)
        if amount >= 1:
            raise ValueError(f"flicker amount must be in (0, 1), got {amount}")
        count = max(1, t // 10)
        picked = sorted(
            int(x) for x in rng.choice(cands, size=min(count, len(cands)), replace=False)
        )
        signs = rng.choice([-1.0, 1.0], size=len(picked))
        if vp.get("frames") is not None:
            picked = sorted({int(f) for f in vp["frames"]})
            if not picked or picked[0] < 0 or picked[-1] >= t:
                raise ValueError(f"flicker frames must be in [0, {t - 1}], got {vp['frames']!r}")
            signs = np.resize(signs, len(picked))
        elif vp.get("frame") is not None:
            picked = [cands[0]]
            signs = signs[:1]
        if vp.get("signs") is not None:
            signs = np.sign(np.asarray(vp["signs"], dtype=np.float64).reshape(-1))
            if signs.size != len(picked) or np.any(signs == 0):
                raise ValueError(
                    f"flicker signs must be {len(picked)} values of +1/-1, got {vp['signs']!r}"
                )
        brightness[picked] = 1.0 + signs * amount
        info.update(
            frame=picked[0],
            frames=picked,
            amount=amount,
            size=amount,
            brightness=brightness[picked].tolist(),
        )
        resolved.update(frames=picked, amount=amount, signs=signs.tolist())
    elif name == "stutter":
        hold = vp.get("hold", 4)
        if isinstance(hold, bool) or not isinstance(hold, (int, np.integer)) or hold < 2:
            raise ValueError(
                f"stutter hold must be an integer >= 2 (times a frame is shown), got {hold!r}"
            )
        # the hold must end before the last frame, so the resumed motion is seen
        fits = [k for k in cands if k + hold <= t - 1]
        if not fits:
            raise ValueError(
                f"stutter hold={hold} from frame {cands[0] if len(cands) == 1 else 'any'} does "
                f"not fit in {t} frames (the motion must resume before the end)"
            )
        k = fits[0]
        frame_index = np.concatenate([np.arange(k + 1), np.full(hold - 1, k), np.arange(k + 1, t)])[
            :t
        ]
        info.update(
            frame=k + 1,
            held_step=k,
            hold=int(hold),
            size=int(hold),
            frames=list(range(k + 1, k + hold)),
        )
        resolved.update(frame=k, hold=int(hold))
    if name in ("reverse", "flicker", "stutter", "wrong_gravity"):
        info.pop("object")  # these act on the whole scene, not on one object
    info["_params"] = resolved  # what reproduces this violation exactly (popped by render)
    return Applied(
        motion=motion,
        frame_index=frame_index,
        radii=radii,
        colors=cols,
        present=present,
        brightness=brightness,
        reverse=name == "reverse",
        info=info,
    )
