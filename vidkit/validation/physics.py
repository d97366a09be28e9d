"""The validation physics: a semi-implicit Euler integrator with event-based bounces."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

# --------------------------------------------------------------------------------------------
# physics: semi-implicit Euler with event-based bounces


@dataclass
class Body:
    x: float
    y: float
    vx: float
    vy: float
    r: float
    color: np.ndarray
    depth: float = 0.0
    resting: bool = False
    marker: bool = False
    shade: float = 0.0


@dataclass
class World:
    g: float  # px/s^2, downwards positive
    floor_y: float | None  # world y of the floor's top edge (None: no floor)
    restitution: float = 0.7
    friction: float = 0.0  # rolling deceleration as a fraction of g
    v_rest: float = 0.0


def simulate(
    bodies: list[Body],
    world: World,
    fps: float,
    frames: int,
    substeps: int,
    events: dict[str, Any],
) -> tuple[np.ndarray, list[tuple[int, float, float]]]:
    """Integrate the bodies; states ``(n, N, 4)`` = x, y, r, roll angle at every sub-step.

    Sub-step ``i`` is at time ``(i - substeps) / (fps * substeps)`` (so frame k is at sub-step
    ``(k + 1) * substeps``), giving half a frame of margin on each side for motion blur.
    Returns the states and the bounce log ``(body, sub-step position, impact speed)``.
    """
    dt = 1.0 / (fps * substeps)
    n_steps = (frames + 1) * substeps + 1
    out = np.zeros((len(bodies), n_steps, 4))
    st = [[b.x, b.y, b.vx, b.vy, b.r, 0.0, b.resting] for b in bodies]
    g = world.g
    bounces: list[tuple[int, float, float]] = []
    n_bounce = [0] * len(bodies)
    tele = events.get("teleport")  # (body, step, dx, dy)
    resize = events.get("resize")  # (body, step, factor)
    gchange = events.get("gravity")  # (step, factor)
    ebad = events.get("bounce_e")  # (body, bounce index, e)
    floor = world.floor_y
    for i in range(n_steps):
        if gchange is not None and i == gchange[0]:
            g = world.g * gchange[1]
            for s in st:
                if g < 0:
                    s[6] = False
        for j, s in enumerate(st):
            if tele is not None and i == tele[1] and j == tele[0]:
                s[0] += tele[2]
                s[1] += tele[3]
                if floor is not None and s[1] > floor - s[4]:
                    s[1] = floor - s[4]
            if resize is not None and i == resize[1] and j == resize[0]:
                s[4] *= resize[2]
                if floor is not None and (s[6] or s[1] > floor - s[4]):
                    s[1] = floor - s[4]
            if i > 0:
                x, y, vx, vy, r, ang, rest = s
                if rest:
                    dv = world.friction * abs(g) * dt
                    vx = 0.0 if abs(vx) <= dv else vx - math.copysign(dv, vx)
                    x += vx * dt
                    y = floor - r if floor is not None else y
                else:
                    vy += g * dt
                    xn, yn = x + vx * dt, y + vy * dt
                    if floor is not None and vy > 0 and yn > floor - r:
                        yc = floor - r
                        frac = 0.0 if yn == y else min(max((yc - y) / (yn - y), 0.0), 1.0)
                        e = world.restitution
                        if ebad is not None and ebad[0] == j and ebad[1] == n_bounce[j]:
                            e = ebad[2]
                        bounces.append((j, i - 1 + frac, abs(vy)))
                        n_bounce[j] += 1
                        vy = -e * vy
                        if abs(vy) < world.v_rest:
                            vy, rest, yn = 0.0, True, yc
                        else:
                            yn = yc + vy * (1 - frac) * dt
                    x, y = xn, yn
                ang += (vx * dt) / max(r, 1e-6)
                s[:] = [x, y, vx, vy, r, ang, rest]
            out[j, i] = (s[0], s[1], s[4], s[5])
    return out, bounces
