"""Placing a violation (teleport, vanish, wrong gravity, ...) in a validation shot."""

from __future__ import annotations

import math
from typing import Any

import cv2
import numpy as np

from vidkit.validation.camera import Camera
from vidkit.validation.drawing import ball_color
from vidkit.validation.kinds import VIOLATION_KINDS, SceneError
from vidkit.validation.layout import Layout, frame_positions, is_inside, touches
from vidkit.validation.physics import Body, World, simulate

# --------------------------------------------------------------------------------------------
# violations


def place_violation(
    rng: np.random.Generator,
    violation: str,
    lay: Layout,
    states: np.ndarray,
    bounces: list[tuple[int, float, float]],
    cam: Camera,
    kind: str,
    fps: float,
    frames: int,
    substeps: int,
    size: tuple[int, int],
    stage: np.ndarray,
    colors: list[np.ndarray],
    vparams: dict[str, Any],
    offsets: list[float],
) -> tuple[np.ndarray, dict[str, Any], np.ndarray, list[list[np.ndarray]], Any]:
    """Choose where and how a violation happens in a clean layout (raises SceneError if it
    cannot be placed plainly visible). Returns the (possibly re-simulated) states, the
    violation's truth, per-frame visibility and colours, and the stutter freeze (or None)."""
    if kind not in VIOLATION_KINDS[violation]:
        raise ValueError(
            f"violation {violation!r} does not apply to kind {kind!r}; it applies to {list(VIOLATION_KINDS[violation])}"
        )
    w, h = size
    n = len(lay.bodies)
    vis = np.ones((n, frames), bool)
    cols = [[b.color] * frames for b in lay.bodies]
    xs, ys, rs = frame_positions(states, cam, fps, frames, substeps)
    step = np.zeros((n, frames))
    step[:, 1:] = np.hypot(np.diff(xs, axis=1), np.diff(ys, axis=1))
    wst = states[:, (np.arange(frames) + 1) * substeps]
    lo_f, hi_f = max(3, int(0.3 * frames)), min(frames - 5, int(0.7 * frames))
    if lo_f > hi_f:
        raise SceneError("clip too short for a violation")

    def clear(
        j: int, k: int, pad: float = 3.0, xy: tuple[float, float, float] | None = None
    ) -> bool:
        """Object j at frame k fully visible: inside the image away from the border, not behind
        an occluder, not overlapping another object."""
        if k < 0 or k >= frames:
            return False
        x, y, r = (xs[j, k], ys[j, k], rs[j, k]) if xy is None else xy
        if not is_inside(x, y, r, w, h, 4.0):
            return False
        m = cam.matrix(k / fps)
        inv = cv2.invertAffineTransform(m)
        wx, wy = inv[:, :2] @ np.array([x, y]) + inv[:, 2]
        s = math.hypot(m[0, 0], m[1, 0])
        if any(touches(rect, wx, wy, r / s, pad) for rect, _ in lay.occluders):
            return False
        for o in range(n):
            if o != j and math.hypot(xs[o, k] - x, ys[o, k] - y) < rs[o, k] + r + pad:
                return False
        return True

    def moving(j: int, k: int) -> bool:
        return step[j, max(k - 1, 1) : k + 2].min() >= 0.7

    objs = [int(vparams["object"])] if "object" in vparams else list(rng.permutation(n))
    frames_try = (
        [int(vparams["frame"])]
        if "frame" in vparams
        else list(rng.permutation(np.arange(lo_f, hi_f + 1)))
    )
    truth: dict[str, Any] = {
        "violation_object": None,
        "violation_frames": [],
        "violation_params": {},
    }
    freeze = None
    t_step = lambda f: int(round((f + 0.5) * substeps))  # noqa: E731  (between frames f-1 and f)

    def settle(new_states: np.ndarray) -> tuple[np.ndarray, ...]:
        return frame_positions(new_states, cam, fps, frames, substeps)

    for j in objs:
        for f in frames_try:
            if violation == "vanish":
                if all(clear(j, k) for k in range(f - 2, f + 3)) and moving(j, f):
                    vis[j, f:] = False
                    truth.update(violation_object=j, violation_frames=[f])
                    return states, _vt(truth, violation), vis, cols, freeze
            elif violation == "appear":
                if (
                    all(clear(j, k) for k in range(f, min(frames, f + 5)))
                    and moving(j, f)
                    and f >= 4
                ):
                    vis[j, :f] = False
                    truth.update(violation_object=j, violation_frames=[f])
                    return states, _vt(truth, violation), vis, cols, freeze
            elif violation == "recolor":
                if not all(clear(j, k) for k in range(f - 1, f + 3)):
                    continue
                old = lay.bodies[j].color
                try:
                    new = ball_color(rng, [old, *[c for c in colors if c is not old]], 0.4)
                except SceneError:
                    continue
                if np.linalg.norm(new - old) < 0.45:
                    continue
                cols[j] = [old] * f + [new] * (frames - f)
                truth.update(
                    violation_object=j,
                    violation_frames=[f],
                    violation_params={"old": old, "new": new},
                )
                return states, _vt(truth, violation), vis, cols, freeze
            elif violation == "stutter":
                nfz = int(vparams.get("frames", rng.integers(2, 5)))
                if f + nfz >= frames - 2:
                    continue
                if step[j, f : f + nfz + 1].min() < 1.5 or step[j, f : f + nfz + 1].sum() < max(
                    6.0, 0.6 * rs[j, f]
                ):
                    continue
                mode = "exact" if rng.random() < 0.5 else "frozen"
                freeze = (f, nfz, mode)
                truth.update(
                    violation_object=j,
                    violation_frames=list(range(f, f + nfz)),
                    violation_params={"repeated": nfz, "mode": mode},
                )
                return states, _vt(truth, violation), vis, cols, freeze
            elif violation == "teleport":
                if not (
                    clear(j, f - 1) and moving(j, f - 1) or clear(j, f - 1) and kind == "settle"
                ):
                    continue
                local = step[j, max(1, f - 3) : f + 3].max()
                dmin = max(4 * local, 3 * rs[j, f], 0.12 * min(w, h), 10.0)
                for _ in range(12):
                    d = rng.uniform(dmin, max(dmin * 1.6, dmin + 4))
                    a = rng.uniform(0, 2 * math.pi)
                    dx, dy = d * math.cos(a), d * math.sin(a)
                    m = cam.matrix(f / fps)
                    s = math.hypot(m[0, 0], m[1, 0])
                    inv = cv2.invertAffineTransform(m)
                    wdx, wdy = inv[:, :2] @ np.array([dx, dy])
                    ev = {"teleport": (j, t_step(f), float(wdx), float(wdy))}
                    new, _ = simulate(lay.bodies, lay.world, fps, frames, substeps, ev)
                    nx, ny, nr = settle(new)
                    jump = math.hypot(nx[j, f] - xs[j, f], ny[j, f] - ys[j, f])
                    if jump < dmin:
                        continue
                    ok = all(
                        is_inside(nx[o, k], ny[o, k], nr[o, k], w, h, 1.0)
                        for o in range(n)
                        for k in range(frames)
                    )
                    if ok and all(
                        clear(j, k, xy=(nx[j, k], ny[j, k], nr[j, k]))
                        for k in range(f, min(frames, f + 3))
                    ):
                        truth.update(
                            violation_object=j,
                            violation_frames=[f],
                            violation_params={
                                "jump_px": jump,
                                "usual_step_px": float(local),
                                "scale": s,
                            },
                        )
                        return new, _vt(truth, violation), vis, cols, freeze
            elif violation == "resize":
                if not all(clear(j, k, pad=rs[j, f] * 0.7 + 3) for k in range(f - 1, f + 3)):
                    continue
                r0 = lay.bodies[j].r
                for _ in range(6):
                    fac = rng.uniform(0.55, 0.7) if rng.random() < 0.5 else rng.uniform(1.35, 1.6)
                    if fac * rs[j, f] < 3.0:
                        fac = rng.uniform(1.35, 1.6)
                    if fac * r0 > 0.3 * min(w, h):
                        fac = rng.uniform(0.55, 0.7)
                    if fac * rs[j, f] < 3.0:
                        continue
                    new, _ = simulate(
                        lay.bodies,
                        lay.world,
                        fps,
                        frames,
                        substeps,
                        {"resize": (j, t_step(f), fac)},
                    )
                    nx, ny, nr = settle(new)
                    ok = all(
                        is_inside(nx[o, k], ny[o, k], nr[o, k], w, h, 1.0)
                        for o in range(n)
                        for k in range(frames)
                    )
                    if ok and all(
                        clear(j, k, xy=(nx[j, k], ny[j, k], nr[j, k]))
                        for k in range(f, min(frames, f + 3))
                    ):
                        truth.update(
                            violation_object=j,
                            violation_frames=[f],
                            violation_params={"factor": fac},
                        )
                        return new, _vt(truth, violation), vis, cols, freeze
            elif violation == "wrong_gravity":
                if lay.world.g <= 0:
                    break
                mode = str(vparams.get("mode") or rng.choice(["up", "reverse", "off", "strong"]))
                if mode not in ("up", "reverse", "off", "strong"):
                    raise ValueError(
                        f"wrong_gravity mode must be up, reverse, off or strong, got {mode!r}"
                    )
                if mode == "up":
                    world = World(-lay.world.g, None, lay.world.restitution, 0.0, 0.0)
                    y0, y1 = stage[1], stage[3]
                    bodies = [
                        Body(
                            b.x,
                            (y0 + y1) - b.y,
                            b.vx,
                            -b.vy,
                            b.r,
                            b.color,
                            b.depth,
                            False,
                            b.marker,
                            b.shade,
                        )
                        for b in lay.bodies
                    ]
                    new, _ = simulate(bodies, world, fps, frames, substeps, {})
                    nx, ny, nr = settle(new)
                    if all(
                        is_inside(nx[o, k], ny[o, k], nr[o, k], w, h, 1.0)
                        for o in range(n)
                        for k in range(frames)
                    ):
                        truth.update(
                            violation_object=j,
                            violation_frames=[0],
                            violation_params={"mode": "up", "g": -lay.world.g},
                        )
                        return new, _vt(truth, violation), vis, cols, freeze
                    continue
                # the ball must be in free flight around f (no bounce within the window)
                kb = [s / substeps - 1 for b_, s, _ in bounces if b_ == j]
                if any(f - 4 <= kk <= f + 6 for kk in kb):
                    continue
                if np.abs(np.diff(wst[j, max(0, f - 4) : f + 6, 1])).min() < 0.05:
                    continue
                fac = {"reverse": -1.0, "off": 0.0, "strong": float(rng.uniform(2.5, 3.5))}[mode]
                new, _ = simulate(
                    lay.bodies, lay.world, fps, frames, substeps, {"gravity": (t_step(f), fac)}
                )
                nx, ny, nr = settle(new)
                end = min(frames, f + 8)
                if end - f < 6:
                    continue
                dev = np.hypot(nx[j, f:end] - xs[j, f:end], ny[j, f:end] - ys[j, f:end]).max()
                if dev < max(6.0, 0.06 * h):
                    continue
                if not all(
                    is_inside(nx[o, k], ny[o, k], nr[o, k], w, h, 1.0)
                    for o in range(n)
                    for k in range(frames)
                ):
                    continue
                truth.update(
                    violation_object=j,
                    violation_frames=[f],
                    violation_params={"mode": mode, "factor": fac, "deviation_px": float(dev)},
                )
                return new, _vt(truth, violation), vis, cols, freeze
            elif violation == "energy_gain":
                break  # handled below (per bounce, not per frame)
        if violation == "energy_gain":
            cands = [(bi, s, v) for bi, (b_, s, v) in enumerate(bounces) if b_ == j]
            rng.shuffle(cands)
            g = lay.world.g
            floor = lay.world.floor_y
            for _, s, v in cands:
                kf = s / substeps - 1
                if not (0.2 * frames <= kf <= frames - 6):
                    continue
                k_of = sum(1 for (b_, s2, _) in bounces if b_ == j and s2 < s)
                # plainly visible: the ball fell at least 10 px (and a radius) before this
                # bounce, and rebounds at least 5 px (and half a radius) higher than it fell
                fall = v * v / (2 * g)
                rad = lay.bodies[j].r
                if fall < max(10.0, rad):
                    continue
                room = (floor - rad) - (stage[1] + rad + 2)
                e_max = math.sqrt(2 * g * max(room, 0)) / v
                e = min(float(vparams.get("e", rng.uniform(1.3, 1.6))), 0.97 * e_max)
                if e < 1.2 or (e * e - 1) * fall < max(5.0, 0.5 * rad):
                    continue
                new, _ = simulate(
                    lay.bodies, lay.world, fps, frames, substeps, {"bounce_e": (j, k_of, e)}
                )
                nx, ny, nr = settle(new)
                if not all(
                    is_inside(nx[o, k], ny[o, k], nr[o, k], w, h, 1.0)
                    for o in range(n)
                    for k in range(frames)
                ):
                    continue
                # the first frame whose exposure (motion blur) sees the rebound
                f = next(
                    k
                    for k in range(frames)
                    if max(round((k + 1 + o) * substeps) for o in offsets) > s
                )
                truth.update(
                    violation_object=j,
                    violation_frames=[f],
                    violation_params={
                        "restitution": e,
                        "fall_px": fall,
                        "rebound_px": e * e * fall,
                        "bounce": k_of,
                        "normal_restitution": lay.world.restitution,
                    },
                )
                return new, _vt(truth, violation), vis, cols, freeze
    raise SceneError(f"no place for a {violation} in this layout")


def _vt(truth: dict[str, Any], violation: str) -> dict[str, Any]:
    out = {**truth, "violation": violation}
    out["violation_frames"] = [int(f) for f in truth["violation_frames"]]
    out["violation_object"] = int(truth["violation_object"])
    return out
