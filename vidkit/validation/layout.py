"""Laying out a validation scene: radii, initial states per kind, occluders, and the checks that a
shot is clean."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from vidkit.validation.camera import Camera
from vidkit.validation.drawing import ball_color, hsv
from vidkit.validation.kinds import KINDS, SceneError
from vidkit.validation.physics import Body, World

# --------------------------------------------------------------------------------------------
# scene kinds


@dataclass
class Layout:
    bodies: list[Body]
    world: World
    occluders: list[tuple[np.ndarray, np.ndarray]]  # (world rect x0,y0,x1,y1 ; colour)


def _radius(
    rng: np.random.Generator,
    w: float,
    h: float,
    lo: float = 3.0,
    hi_frac: float = 0.2,
    lo_scale: float = 1.0,
) -> float:
    lo = lo * lo_scale  # a camera that zooms out shrinks the ball: keep >= lo px in the image
    hi = max(min(40.0, hi_frac * min(w, h)), lo + 0.5)
    if rng.random() < 0.3:  # large objects
        return float(rng.uniform(0.5 * (lo + hi), hi))
    # log-uniform: small objects as often as medium ones
    return float(math.exp(rng.uniform(math.log(lo), math.log(hi))))


def kind_layout(
    rng: np.random.Generator,
    kind: str,
    stage: np.ndarray,
    fps: float,
    frames: int,
    colors: list[np.ndarray],
    lo_scale: float = 1.0,
) -> Layout:
    x0, y0, x1, y1 = (float(v) for v in stage)
    w, h = x1 - x0, y1 - y0
    dur = frames / fps
    floor_y = y1 - max(4.0, rng.uniform(0.06, 0.16) * h)
    shade = float(rng.uniform(0.0, 0.35))

    def col() -> np.ndarray:
        c = ball_color(rng, colors)
        colors.append(c)
        return c

    if kind in ("toss", "occluded") and (kind == "toss" or rng.random() < 0.6):
        r = _radius(rng, w, h, lo_scale=lo_scale, hi_frac=0.15)
        side = 1 if rng.random() < 0.5 else -1
        bx = x0 + r + 2 + rng.uniform(0, 0.25) * w
        by = rng.uniform(y0 + 0.45 * h, floor_y - r - 1)
        apex = rng.uniform(y0 + r + 3, y0 + 0.35 * h)
        if apex >= by - 4:
            raise SceneError("no room for an arc")
        t_apex = rng.uniform(0.25, 0.55) * dur
        g = 2 * (by - apex) / t_apex**2
        vy = -g * t_apex
        travel = rng.uniform(0.35, 0.75) * (w - 2 * r - 4)
        vx = travel / dur
        if side < 0:
            bx, vx = x1 - (bx - x0), -vx
        # the clip may open mid-flight
        t0 = rng.uniform(0.0, 0.2) * t_apex
        bx, by, vy = bx + vx * t0, by + vy * t0 + 0.5 * g * t0**2, vy + g * t0
        e = rng.uniform(0.5, 0.85)
        b = Body(bx, by, vx, vy, r, col(), shade=shade)
        world = World(g, floor_y, e, friction=rng.uniform(0.05, 0.3), v_rest=math.sqrt(2 * g * 0.6))
        lay = Layout([b], world, [])
    elif kind in ("bounce", "settle"):
        r = _radius(rng, w, h, lo_scale=lo_scale, hi_frac=0.18 if kind == "bounce" else 0.25)
        bx = rng.uniform(x0 + r + 3, x1 - r - 3)
        by = rng.uniform(y0 + r + 2, y0 + 0.35 * h)
        drop = floor_y - r - by
        if drop < 6:
            raise SceneError("no room to drop")
        lo, hi = (0.2, 0.45) if kind == "bounce" else (0.1, 0.25)
        t_fall = rng.uniform(lo, hi) * dur
        g = 2 * drop / t_fall**2
        vx = rng.uniform(-0.25, 0.25) * w / dur
        e = rng.uniform(0.55, 0.85) if kind == "bounce" else rng.uniform(0.25, 0.5)
        b = Body(bx, by, vx, rng.uniform(-0.1, 0.1) * drop / t_fall, r, col(), shade=shade)
        world = World(g, floor_y, e, friction=rng.uniform(0.1, 0.4), v_rest=math.sqrt(2 * g * 0.6))
        lay = Layout([b], world, [])
    elif kind == "roll":
        r = _radius(rng, w, h, lo_scale=lo_scale, lo=4.0, hi_frac=0.28)
        travel = rng.uniform(0.3, 0.7) * (w - 2 * r - 6)
        t_stop = rng.uniform(0.6, 1.6) * dur
        v0 = 2 * travel / t_stop
        g = 2 * 0.5 * h / (0.4 * dur) ** 2
        decel = v0 / t_stop
        side = 1 if rng.random() < 0.5 else -1
        bx = x0 + r + 3 + rng.uniform(0, 0.2) * w
        vx = v0
        if side < 0:
            bx, vx = x1 - (bx - x0), -v0
        b = Body(bx, floor_y - r, vx, 0.0, r, col(), resting=True, marker=True, shade=shade)
        world = World(g, floor_y, 0.5, friction=decel / g, v_rest=1e9)
        lay = Layout([b], world, [])
    elif kind in ("glide", "occluded"):
        r = _radius(rng, w, h, lo_scale=lo_scale, hi_frac=0.15)
        ang = rng.uniform(0, 2 * math.pi)
        travel = rng.uniform(0.3, 0.7) * min(w, h) * (1.4 if abs(math.cos(ang)) > 0.7 else 1.0)
        v = travel / dur
        cx, cy = (
            rng.uniform(x0 + 0.35 * w, x1 - 0.35 * w),
            rng.uniform(y0 + 0.35 * h, y1 - 0.35 * h),
        )
        vx, vy = v * math.cos(ang), v * math.sin(ang)
        b = Body(cx - vx * dur / 2, cy - vy * dur / 2, vx, vy, r, col(), shade=shade)
        lay = Layout([b], World(0.0, None), [])
    elif kind == "crossing":
        n = 2 if rng.random() < 0.65 else 3
        gravity = rng.random() < 0.5
        px, py = rng.uniform(x0 + 0.3 * w, x1 - 0.3 * w), rng.uniform(y0 + 0.3 * h, y1 - 0.4 * h)
        tc = rng.uniform(0.35, 0.65) * dur
        g = 0.0
        if gravity:
            g = 2 * rng.uniform(0.15, 0.35) * h / (0.5 * dur) ** 2
        a0 = rng.uniform(0, 2 * math.pi)
        bodies = []
        depths = rng.permutation(n)
        for k in range(n):
            r = _radius(rng, w, h, lo_scale=lo_scale, hi_frac=0.12)
            ang = a0 + k * (2 * math.pi / n) + rng.uniform(-0.35, 0.35)
            v = rng.uniform(0.25, 0.55) * min(w, h) / (0.5 * dur)
            vx, vy = v * math.cos(ang), v * math.sin(ang) * (0.6 if gravity else 1.0)
            t = -tc
            bx = px + vx * t
            by = py + vy * t + 0.5 * g * t * t
            bodies.append(
                Body(bx, by, vx, vy + g * t, r, col(), depth=float(depths[k]), shade=shade)
            )
        world = World(
            g,
            floor_y if gravity else None,
            rng.uniform(0.5, 0.85),
            0.2,
            math.sqrt(2 * max(g, 1e-6) * 0.6),
        )
        lay = Layout(bodies, world, [])
    else:
        raise ValueError(f"unknown kind {kind!r}; valid kinds are {list(KINDS)}")
    return lay


# --------------------------------------------------------------------------------------------
# one shot


def frame_positions(states: np.ndarray, cam: Camera, fps: float, frames: int, substeps: int):
    """Image-space x, y, r of every body at every frame time ``(n, T)`` each."""
    idx = (np.arange(frames) + 1) * substeps
    xs, ys, rs = [], [], []
    for k in range(frames):
        m = cam.matrix(k / fps)
        s = math.hypot(m[0, 0], m[1, 0])
        p = states[:, idx[k], :2] @ m[:, :2].T + m[:, 2]
        xs.append(p[:, 0])
        ys.append(p[:, 1])
        rs.append(states[:, idx[k], 2] * s)
    return np.array(xs).T, np.array(ys).T, np.array(rs).T


def is_inside(x: float, y: float, r: float, w: int, h: int, margin: float) -> bool:
    return (
        r + margin - 0.5 <= x <= w - 0.5 - r - margin
        and r + margin - 0.5 <= y <= h - 0.5 - r - margin
    )


def touches(rect: np.ndarray, x: float, y: float, r: float, pad: float) -> bool:
    return (rect[0] - r - pad < x < rect[2] + r + pad) and (
        rect[1] - r - pad < y < rect[3] + r + pad
    )


def check_clean(
    lay: Layout,
    states: np.ndarray,
    wstates: np.ndarray,
    cam: Camera,
    kind: str,
    fps: float,
    frames: int,
    substeps: int,
    size: tuple[int, int],
) -> tuple[np.ndarray, ...]:
    w, h = size
    xs, ys, rs = frame_positions(states, cam, fps, frames, substeps)
    for j in range(len(lay.bodies)):
        for k in range(frames):
            if not is_inside(xs[j, k], ys[j, k], rs[j, k], w, h, 1.0):
                raise SceneError("an object leaves the frame")
        path = np.hypot(np.diff(wstates[j, :, 0]), np.diff(wstates[j, :, 1]))
        if path.sum() < max(8.0, 1.5 * rs[j].mean()):
            raise SceneError("an object barely moves")
        if path.max() > 0.22 * min(w, h) + rs[j].mean():
            raise SceneError("an object moves too fast")
    if kind == "settle":
        rest = np.abs(np.diff(wstates[0, :, 1])) < 0.05
        if rest.sum() < 0.25 * frames or not rest[-1]:
            raise SceneError("the ball does not settle")
    if kind == "crossing":
        n = len(lay.bodies)
        for a in range(n):
            for b in range(a + 1, n):
                d = np.hypot(xs[a] - xs[b], ys[a] - ys[b]).min()
                if d > 0.8 * (rs[a].mean() + rs[b].mean()):
                    raise SceneError("paths do not cross")
    for rect, _ in lay.occluders:
        for j in range(len(lay.bodies)):
            for k in (0, 1, frames - 2, frames - 1):
                if touches(rect, wstates[j, k, 0], wstates[j, k, 1], wstates[j, k, 2], 1.0):
                    raise SceneError("an object is behind an occluder at the start or end")
    return xs, ys, rs


def add_occluder_on_path(
    rng: np.random.Generator,
    lay: Layout,
    states: np.ndarray,
    substeps: int,
    frames: int,
    colors: list[np.ndarray],
    bg_mean: np.ndarray,
    min_side: float,
) -> None:
    """Place a static occluder that hides the ball completely for 1 to 4 frames mid-clip.

    The occluder covers the ball over the whole exposure of the hidden frames (half a frame on
    each side, so motion blur does not leak), and the ball must be seen entirely before it goes
    behind and after it comes out.
    """
    n_hidden = int(rng.integers(1, 5))
    kc = int(rng.integers(int(0.35 * frames), int(0.6 * frames)))
    i0, i1 = int((kc + 0.5) * substeps), int((kc + n_hidden + 0.5) * substeps) + 1
    seg = states[0, i0:i1]
    r = float(seg[:, 2].max())
    rect = np.array(
        [
            seg[:, 0].min() - r - 1.5,
            seg[:, 1].min() - r - 1.5,
            seg[:, 0].max() + r + 1.5,
            seg[:, 1].max() + r + 1.5,
        ]
    )
    # make it look like a post or a box: extend it across the direction of motion
    vx, vy = seg[-1, 0] - seg[0, 0], seg[-1, 1] - seg[0, 1]
    if abs(vx) >= abs(vy):
        extra = max(rng.uniform(0, 0.6) * (rect[3] - rect[1] + 10), min_side - (rect[3] - rect[1]))
        up = rng.uniform(0.2, 0.8) * extra
        rect[1] -= up
        rect[3] += extra - up
        grow = max(0.0, min_side * 0.5 - (rect[2] - rect[0])) / 2
        rect[0] -= grow
        rect[2] += grow
    else:
        extra = max(rng.uniform(0, 0.6) * (rect[2] - rect[0] + 10), min_side - (rect[2] - rect[0]))
        left = rng.uniform(0.2, 0.8) * extra
        rect[0] -= left
        rect[2] += extra - left
        grow = max(0.0, min_side * 0.5 - (rect[3] - rect[1])) / 2
        rect[1] -= grow
        rect[3] += grow
    if lay.world.floor_y is not None:
        rect[3] = min(rect[3], lay.world.floor_y + 2)
    wst = states[:, (np.arange(frames) + 1) * substeps]
    hidden = [touches(rect, wst[0, k, 0], wst[0, k, 1], wst[0, k, 2], 0.5) for k in range(frames)]
    before = [k for k in range(kc) if not hidden[k]]
    after = [k for k in range(kc + n_hidden, frames) if not hidden[k]]
    if not before or not after or before[-1] < 1 or after[0] > frames - 3:
        raise SceneError("the ball is not seen entering and leaving the occluder")
    if any(hidden[k] for k in range(before[-1])) or any(hidden[k] for k in range(after[0], frames)):
        raise SceneError("the ball goes behind the occluder twice")
    lay.occluders.append((rect, _occluder_color(rng, colors, bg_mean)))


def _occluder_color(
    rng: np.random.Generator, colors: list[np.ndarray], bg_mean: np.ndarray
) -> np.ndarray:
    for _ in range(100):
        c = hsv(
            rng.uniform(0.05, 0.15) if rng.random() < 0.6 else rng.random(),
            rng.uniform(0.1, 0.5),
            rng.uniform(0.15, 0.8),
        )
        if all(np.linalg.norm(c - a) > 0.25 for a in colors) and np.linalg.norm(c - bg_mean) > 0.2:
            return c
    raise SceneError("no occluder colour")


def random_occluder(
    rng: np.random.Generator,
    lay: Layout,
    stage: np.ndarray,
    colors: list[np.ndarray],
    bg_mean: np.ndarray,
) -> None:
    x0, y0, x1, y1 = stage
    w, h = x1 - x0, y1 - y0
    ow, oh = rng.uniform(0.08, 0.22) * w, rng.uniform(0.12, 0.4) * h
    ox, oy = rng.uniform(x0 + 2, x1 - ow - 2), rng.uniform(y0 + 2, y1 - oh - 2)
    rect = np.array([ox, oy, ox + ow, oy + oh])
    if lay.world.floor_y is not None:
        rect[3] = min(rect[3], lay.world.floor_y + 2)
        if rect[3] - rect[1] < 6:
            raise SceneError("no room for an occluder")
    lay.occluders.append((rect, _occluder_color(rng, colors, bg_mean)))
