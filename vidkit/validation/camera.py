"""The validation camera: a similarity warp of the world image per frame (pan, shake, zoom)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import cv2
import numpy as np

from vidkit.validation.kinds import CAMERAS

# --------------------------------------------------------------------------------------------
# camera


@dataclass
class Camera:
    mode: str
    width: int
    height: int
    duration: float  # seconds from frame 0 to the last frame
    c0: np.ndarray  # world position of the image centre at t = 0
    pan: np.ndarray = field(default_factory=lambda: np.zeros(2))
    ease: bool = False
    shake: list[tuple[float, float, float, float, float]] = field(default_factory=list)
    rot_amp: float = 0.0
    rot_freq: float = 0.0
    rot_phase: float = 0.0
    zoom_end: float = 1.0

    def params(self, t: float) -> tuple[float, float, float, float]:
        """``(cx, cy, scale, angle_rad)`` at time t (seconds)."""
        u = t / self.duration if self.duration > 0 else 0.0
        cx, cy = float(self.c0[0]), float(self.c0[1])
        s, th = 1.0, 0.0
        if self.mode == "pan":
            e = (
                u
                if not self.ease
                else (0.5 - 0.5 * math.cos(math.pi * min(max(u, 0), 1)) + (u - min(max(u, 0), 1)))
            )
            cx += self.pan[0] * e
            cy += self.pan[1] * e
        elif self.mode == "shake":
            for ax, ay, f, px, py in self.shake:
                cx += ax * math.sin(2 * math.pi * f * t + px)
                cy += ay * math.sin(2 * math.pi * f * 1.13 * t + py)
            th = self.rot_amp * math.sin(2 * math.pi * self.rot_freq * t + self.rot_phase)
        elif self.mode == "zoom":
            s = 1.0 + (self.zoom_end - 1.0) * u
        return cx, cy, s, th

    def matrix(self, t: float) -> np.ndarray:
        """2x3 world -> image matrix at time t."""
        cx, cy, s, th = self.params(t)
        c, sn = math.cos(th) * s, math.sin(th) * s
        ox, oy = (self.width - 1) / 2.0, (self.height - 1) / 2.0
        return np.array(
            [[c, -sn, ox - c * cx + sn * cy], [sn, c, oy - sn * cx - c * cy]], np.float64
        )

    def view_box(self, t: float) -> np.ndarray:
        """World bounding box ``(x0, y0, x1, y1)`` of what the image sees at time t."""
        m = self.matrix(t)
        inv = cv2.invertAffineTransform(m)
        q = np.array(
            [
                [-0.5, -0.5],
                [self.width - 0.5, -0.5],
                [-0.5, self.height - 0.5],
                [self.width - 0.5, self.height - 0.5],
            ]
        )
        p = q @ inv[:, :2].T + inv[:, 2]
        return np.array([p[:, 0].min(), p[:, 1].min(), p[:, 0].max(), p[:, 1].max()])


def make_camera(
    rng: np.random.Generator, mode: str, w: int, h: int, duration: float, fps: float
) -> Camera:
    cam = Camera(mode, w, h, duration, np.zeros(2))
    if mode == "pan":
        frac = rng.uniform(0.08, 0.25)
        ang = rng.uniform(-0.45, 0.45) + (math.pi if rng.random() < 0.5 else 0.0)
        if rng.random() < 0.15:  # a tilt
            ang = math.pi / 2 * (1 if rng.random() < 0.5 else -1) + rng.uniform(-0.3, 0.3)
        dist = frac * (w if abs(math.cos(ang)) > 0.7 else h)
        cam.pan = dist * np.array([math.cos(ang), math.sin(ang)])
        cam.ease = bool(rng.random() < 0.4)
    elif mode == "shake":
        amp = rng.uniform(0.7, 2.5)
        nyq = fps / 2.0
        for _ in range(3):
            f = rng.uniform(0.7, min(5.0, 0.6 * nyq))
            cam.shake.append(
                (
                    amp * rng.uniform(0.3, 0.6),
                    amp * rng.uniform(0.3, 0.6),
                    f,
                    rng.uniform(0, 6.3),
                    rng.uniform(0, 6.3),
                )
            )
        cam.rot_amp = math.radians(rng.uniform(0.0, 0.4))
        cam.rot_freq = rng.uniform(0.3, min(2.0, 0.4 * nyq))
        cam.rot_phase = rng.uniform(0, 6.3)
    elif mode == "zoom":
        cam.zoom_end = rng.uniform(1.08, 1.22) if rng.random() < 0.7 else rng.uniform(0.84, 0.93)
    elif mode != "static":
        raise ValueError(f"unknown camera {mode!r}; valid cameras are {list(CAMERAS)}")
    return cam


def layout_world(cam: Camera, fps: float, frames: int) -> tuple[tuple[int, int], np.ndarray]:
    """Place the camera in a world big enough for every view; world size and the stage box.

    The stage is the part of the world seen in every frame (the intersection of the views), so
    objects kept inside it stay in the image.
    """
    times = np.linspace(-0.5 / fps, (frames - 0.5) / fps, 4 * frames + 1)
    boxes = np.array([cam.view_box(float(t)) for t in times])
    if cam.mode == "static":
        return (cam.width, cam.height), np.array([-0.5, -0.5, cam.width - 0.5, cam.height - 0.5])
    margin = 4.0
    lo = boxes[:, :2].min(axis=0) - margin
    hi = boxes[:, 2:].max(axis=0) + margin
    shift = -lo
    cam.c0 = cam.c0 + shift
    size = (int(math.ceil(hi[0] - lo[0])) + 1, int(math.ceil(hi[1] - lo[1])) + 1)
    inner = np.array(
        [boxes[:, 0].max(), boxes[:, 1].max(), boxes[:, 2].min(), boxes[:, 3].min()]
    ) + np.array([shift[0], shift[1], shift[0], shift[1]])
    # a rotated view's axis-aligned box is larger than the view: shrink the stage for it
    rot = abs(cam.rot_amp) * max(cam.width, cam.height)
    inner += np.array([rot + 1, rot + 1, -rot - 1, -rot - 1])
    return size, inner
