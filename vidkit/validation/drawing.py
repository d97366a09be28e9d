"""Drawing the validation scenes: textured backgrounds, the floor, ball colours, supersampled discs
and occluders."""

from __future__ import annotations

import colorsys
import math

import cv2
import numpy as np

from vidkit.validation.kinds import BACKGROUNDS, SceneError

# --------------------------------------------------------------------------------------------
# colours and textures


def hsv(h: float, s: float, v: float) -> np.ndarray:
    return np.array(colorsys.hsv_to_rgb(h % 1.0, s, v), dtype=np.float64)


def _value_noise(rng: np.random.Generator, h: int, w: int, base: float, octaves: int) -> np.ndarray:
    """Multi-octave value noise in [0, 1] (random grids upsampled with bicubic interpolation)."""
    out = np.zeros((h, w), np.float32)
    amp, total = 1.0, 0.0
    cell = base
    for _ in range(octaves):
        gh, gw = max(2, int(h / cell) + 2), max(2, int(w / cell) + 2)
        grid = rng.random((gh, gw)).astype(np.float32)
        up = cv2.resize(grid, (int(gw * cell), int(gh * cell)), interpolation=cv2.INTER_CUBIC)
        oy, ox = (
            int(rng.integers(0, max(1, up.shape[0] - h))),
            int(rng.integers(0, max(1, up.shape[1] - w))),
        )
        out += amp * up[oy : oy + h, ox : ox + w]
        total += amp
        amp *= 0.5
        cell = max(2.0, cell / 2.0)
    out /= total
    lo, hi = np.percentile(out, [1, 99])
    return np.clip((out - lo) / max(hi - lo, 1e-6), 0, 1)


def make_background(
    rng: np.random.Generator, kind: str, h: int, w: int
) -> tuple[np.ndarray, np.ndarray]:
    """A world background image ``(h, w, 3)`` float32 and its mean colour."""
    hue = rng.random()
    base = hsv(hue, rng.uniform(0.05, 0.35), rng.uniform(0.3, 0.85))
    other = hsv(hue + rng.uniform(-0.15, 0.15), rng.uniform(0.05, 0.4), rng.uniform(0.3, 0.85))
    if kind == "plain":
        img = np.broadcast_to(base.astype(np.float32), (h, w, 3)).copy()
    elif kind == "perlin":
        amp = rng.uniform(0.25, 0.9)
        n = _value_noise(rng, h, w, rng.uniform(12, 48), int(rng.integers(2, 5)))[..., None]
        other = base + amp * (other - base) + rng.uniform(-0.12, 0.12)
        img = (1 - n) * base + n * np.clip(other, 0, 1)
    elif kind == "stripes":
        theta = rng.uniform(0, math.pi)
        period = rng.uniform(5, 30)
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        phase = (xx * math.cos(theta) + yy * math.sin(theta)) / period
        s = 0.5 + 0.5 * np.tanh(2.5 * np.sin(2 * math.pi * phase))
        amp = rng.uniform(0.04, 0.14)
        img = base + amp * (s[..., None] - 0.5) * np.sign(rng.uniform(-1, 1))
    elif kind == "gradient":
        theta = rng.uniform(0, 2 * math.pi)
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        p = xx * math.cos(theta) + yy * math.sin(theta)
        p = (p - p.min()) / max(float(p.max() - p.min()), 1e-6)
        img = (1 - p[..., None]) * base + p[..., None] * other
        img = img + 0.015 * (_value_noise(rng, h, w, 6.0, 2)[..., None] - 0.5)
    elif kind == "checker":
        cell = rng.uniform(6, 28)
        ss = 4
        yy, xx = np.mgrid[0 : h * ss, 0 : w * ss].astype(np.float32)
        theta = rng.uniform(-0.4, 0.4)
        u = ((xx + 0.5) / ss * math.cos(theta) + (yy + 0.5) / ss * math.sin(theta)) / cell
        v = (-(xx + 0.5) / ss * math.sin(theta) + (yy + 0.5) / ss * math.cos(theta)) / cell
        c = ((np.floor(u) + np.floor(v)) % 2).astype(np.float32)
        c = cv2.resize(c, (w, h), interpolation=cv2.INTER_AREA)
        amp = rng.uniform(0.04, 0.14)
        img = base + amp * (c[..., None] - 0.5)
    else:
        raise ValueError(f"unknown background {kind!r}; valid backgrounds are {list(BACKGROUNDS)}")
    img = np.clip(np.asarray(img, np.float32), 0, 1)
    return img, img.reshape(-1, 3).mean(axis=0).astype(np.float64)


def paint_floor(
    rng: np.random.Generator, img: np.ndarray, floor_y: float, bg_mean: np.ndarray
) -> np.ndarray:
    """Paint a floor (planks or tiles) below ``floor_y`` into the world image; its mean colour."""
    h, w = img.shape[:2]
    darker = bg_mean.mean() > 0.45
    shift = -rng.uniform(0.18, 0.3) if darker else rng.uniform(0.18, 0.3)
    col = np.clip(bg_mean * rng.uniform(0.8, 1.1, 3) + shift, 0.05, 0.95)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    plank = rng.uniform(14, 40)
    seams = (np.abs(((xx + rng.uniform(0, plank)) % plank) - plank / 2) > plank / 2 - 0.8).astype(
        np.float32
    )
    grain = _value_noise(rng, h, w, rng.uniform(3, 8), 2) - 0.5
    tex = col[None, None, :] * (1 + 0.12 * grain[..., None]) - 0.06 * seams[..., None]
    # anti-aliased top edge of the floor: pixel row y covers [y - 0.5, y + 0.5]
    a = np.clip(yy - floor_y + 0.5, 0, 1)[..., None]
    out = img * (1 - a) + np.clip(tex, 0, 1) * a
    return out.astype(np.float32), col


def ball_color(
    rng: np.random.Generator, avoid: list[np.ndarray], min_dist: float = 0.33
) -> np.ndarray:
    for _ in range(200):
        c = hsv(rng.random(), rng.uniform(0.55, 0.95), rng.uniform(0.55, 1.0))
        if all(np.linalg.norm(c - a) >= min_dist for a in avoid):
            return c
    raise SceneError("no ball colour contrasts with the scene")


# --------------------------------------------------------------------------------------------
# rasterisation


def disc(
    img: np.ndarray,
    cx: float,
    cy: float,
    r: float,
    color: np.ndarray,
    shade: float,
    marker: float | None,
    full: bool = False,
) -> np.ndarray | None:
    """Composite a supersampled disc onto ``img`` in place and return its coverage (over the
    whole frame with ``full``, else over its bounding box; None when it is outside the frame).

    Coverage is the fraction of an ``ss x ss`` grid of sub-pixel samples inside the disc.
    """
    hgt, wid = img.shape[:2]
    ix0, iy0 = max(0, int(math.floor(cx - r - 1))), max(0, int(math.floor(cy - r - 1)))
    ix1, iy1 = min(wid, int(math.ceil(cx + r + 2))), min(hgt, int(math.ceil(cy + r + 2)))
    if ix0 >= ix1 or iy0 >= iy1:
        return None
    ss = 5 if r < 6 else (4 if r < 16 else 3)
    sub = (np.arange(ss) + 0.5) / ss - 0.5
    xs = (np.arange(ix0, ix1)[:, None] + sub[None, :]).reshape(-1) - cx
    ys = (np.arange(iy0, iy1)[:, None] + sub[None, :]).reshape(-1) - cy
    inside = (ys[:, None] ** 2 + xs[None, :] ** 2) <= r * r
    cov = inside.reshape(iy1 - iy0, ss, ix1 - ix0, ss).mean(axis=(1, 3)).astype(np.float32)
    px = np.arange(ix0, ix1)[None, :] - cx
    py = np.arange(iy0, iy1)[:, None] - cy
    d2 = (px * px + py * py) / (r * r)
    tone = (1.0 - shade * np.clip(d2, 0, 1)).astype(np.float32)[..., None] * color.astype(
        np.float32
    )
    if marker is not None:
        mx, my = 0.55 * r * math.cos(marker), 0.55 * r * math.sin(marker)
        md = np.sqrt((px - mx) ** 2 + (py - my) ** 2)
        ma = np.clip(0.28 * r + 0.5 - md, 0, 1).astype(np.float32)[..., None]
        tone = tone * (1 - 0.6 * ma)
    a = cov[..., None]
    region = img[iy0:iy1, ix0:ix1]
    region *= 1 - a
    region += a * tone
    if full:
        full = np.zeros((hgt, wid), np.float32)
        full[iy0:iy1, ix0:ix1] = cov
        return full
    return cov


def occluder_layer(
    size: tuple[int, int], occluders: list[tuple[np.ndarray, np.ndarray]], rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """World-size premultiplied RGB and alpha of the occluders (anti-aliased edges, a little texture)."""
    w, h = size
    rgb = np.zeros((h, w, 3), np.float32)
    alpha = np.zeros((h, w), np.float32)
    xx = np.arange(w, dtype=np.float32)
    yy = np.arange(h, dtype=np.float32)
    for rect, color in occluders:
        ax = np.clip(np.minimum(xx + 0.5 - rect[0], rect[2] - (xx - 0.5)), 0, 1)
        ay = np.clip(np.minimum(yy + 0.5 - rect[1], rect[3] - (yy - 0.5)), 0, 1)
        a = ay[:, None] * ax[None, :]
        grain = 1 + 0.08 * (_value_noise(rng, h, w, 5.0, 2) - 0.5)
        tone = color.astype(np.float32)[None, None, :] * grain[..., None]
        rgb = rgb * (1 - a[..., None]) + tone * a[..., None]
        alpha = alpha + a * (1 - alpha)
    return rgb, alpha
