"""Rendering one validation shot: image formation (motion blur, lighting, noise) and the attempts at
a valid scene."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from vidkit.validation.camera import layout_world, make_camera
from vidkit.validation.drawing import disc, make_background, occluder_layer, paint_floor
from vidkit.validation.kinds import (
    BACKGROUNDS,
    CAMERAS,
    KINDS,
    MAX_ATTEMPTS,
    VIOLATIONS,
    SceneError,
)
from vidkit.validation.layout import (
    add_occluder_on_path,
    check_clean,
    frame_positions,
    kind_layout,
    random_occluder,
)
from vidkit.validation.physics import simulate
from vidkit.validation.violations import place_violation


@dataclass
class _Shot:
    frames: np.ndarray  # (T, H, W, 3) float32, before lighting and noise
    truth: dict[str, Any]


def seq(seed: int, *key: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([int(seed) & 0xFFFFFFFF, *key]))


_CODES = {name: i + 1 for i, name in enumerate((*KINDS, *VIOLATIONS, *CAMERAS, *BACKGROUNDS))}


def render_shot(
    kind: str,
    seed: int,
    violation: str | None,
    camera: str,
    size: tuple[int, int],
    fps: float,
    frames: int,
    background: str,
    blur: float,
    occluders: int,
    attempt: int | None,
    vparams: dict[str, Any],
) -> _Shot:
    w, h = size
    attempts = [attempt] if attempt is not None else list(range(MAX_ATTEMPTS))
    last: Exception | None = None
    for att in attempts:
        try:
            return _try_shot(
                kind,
                seed,
                att,
                violation,
                camera,
                size,
                fps,
                frames,
                background,
                blur,
                occluders,
                vparams,
            )
        except SceneError as exc:
            last = exc
    raise ValueError(
        f"could not lay out a {kind!r} scene with violation={violation!r}, camera={camera!r}, "
        f"size={w}x{h}, fps={fps:g}, frames={frames} (seed {seed}): {last}; try another seed or "
        "more frames"
    )


def _try_shot(
    kind: str,
    seed: int,
    att: int,
    violation: str | None,
    camera: str,
    size: tuple[int, int],
    fps: float,
    frames: int,
    background: str,
    blur: float,
    n_occ: int,
    vparams: dict[str, Any],
) -> _Shot:
    w, h = size
    rng = seq(seed, att, _CODES[kind], _CODES[camera])
    substeps = max(6, int(math.ceil(480.0 / fps)))
    cam = make_camera(rng, camera, w, h, (frames - 1) / fps, fps)
    cam.c0 = np.array([(w - 1) / 2.0, (h - 1) / 2.0])
    wsize, stage = layout_world(cam, fps, frames)
    if stage[2] - stage[0] < 40 or stage[3] - stage[1] < 30:
        raise SceneError("the stage seen in every frame is too small")
    bg_rng = seq(seed, att, 7777, _CODES[kind], _CODES[background])
    world_img, bg_mean = make_background(bg_rng, background, wsize[1], wsize[0])
    colors: list[np.ndarray] = [bg_mean]
    lay = kind_layout(rng, kind, stage, fps, frames, colors, 1.0 / min(1.0, cam.zoom_end))
    floor_col = None
    if lay.world.floor_y is not None:
        world_img, floor_col = paint_floor(bg_rng, world_img, lay.world.floor_y, bg_mean)
        for b in lay.bodies:
            if np.linalg.norm(b.color - floor_col) < 0.3:
                raise SceneError("ball colour too close to the floor")
        colors.append(floor_col)
    states, bounces = simulate(lay.bodies, lay.world, fps, frames, substeps, {})
    wstates = states[:, (np.arange(frames) + 1) * substeps]
    if kind == "occluded":
        add_occluder_on_path(rng, lay, states, substeps, frames, colors, bg_mean, 0.1 * min(w, h))
    for _ in range(n_occ):
        random_occluder(rng, lay, stage, colors, bg_mean)
    xs, ys, rs = check_clean(lay, states, wstates, cam, kind, fps, frames, substeps, size)

    vis_override = np.ones((len(lay.bodies), frames), bool)
    colors_per_frame = [[b.color] * frames for b in lay.bodies]
    vtruth: dict[str, Any] = {
        "violation_frames": [],
        "violation_object": None,
        "violation_params": {},
    }
    freeze: tuple[int, int, str] | None = None
    n_blur = 1 if blur <= 0 else (3 if blur < 0.35 else 5)
    offsets = [0.0] if n_blur == 1 else [float(o) for o in np.linspace(-blur / 2, blur / 2, n_blur)]
    offsets[len(offsets) // 2] = 0.0  # the middle sample is the frame time (truth, visibility)
    if violation is not None:
        vrng = seq(seed, att, _CODES[violation], 99)
        states, vtruth, vis_override, colors_per_frame, freeze = place_violation(
            vrng,
            violation,
            lay,
            states,
            bounces,
            cam,
            kind,
            fps,
            frames,
            substeps,
            size,
            stage,
            colors,
            vparams,
            offsets,
        )
    # -- render
    occ_rgb, occ_a = (
        occluder_layer(wsize, lay.occluders, seq(seed, att, 4242))
        if lay.occluders
        else (None, None)
    )
    order = np.argsort([b.depth for b in lay.bodies])  # back to front
    out = np.zeros((frames, h, w, 3), np.float32)
    vis_frac = np.zeros((len(lay.bodies), frames))
    static = camera == "static"
    for k in range(frames):
        acc = np.zeros((h, w, 3), np.float32)
        for si, off in enumerate(offsets):
            center = si == len(offsets) // 2
            t = (k + off) / fps
            i = int(round((k + 1 + off) * substeps))
            m = cam.matrix(t)
            if static:
                img = world_img.copy()
            else:
                img = cv2.warpAffine(
                    world_img, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT
                )
            s = math.hypot(m[0, 0], m[1, 0])
            th = math.atan2(m[1, 0], m[0, 0])
            covs: list[tuple[int, np.ndarray | None]] = []
            for j in order:
                if not vis_override[j, k]:
                    continue
                b = lay.bodies[j]
                x, y, r, ang = states[j, i]
                p = m[:, :2] @ np.array([x, y]) + m[:, 2]
                cov = disc(
                    img,
                    float(p[0]),
                    float(p[1]),
                    float(r * s),
                    colors_per_frame[j][k],
                    b.shade,
                    (ang + th) if b.marker else None,
                    full=center,
                )
                if center:
                    covs.append((j, cov))
            if occ_rgb is not None:
                if static:
                    orgb, oa = occ_rgb, occ_a
                else:
                    orgb = cv2.warpAffine(
                        occ_rgb, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT
                    )
                    oa = cv2.warpAffine(
                        occ_a, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT
                    )
                img = img * (1 - oa[..., None]) + orgb
            else:
                oa = None
            if center:
                # visible fraction: coverage not hidden by objects in front nor by occluders
                front = np.zeros((h, w), np.float32)
                for j, cov in reversed(covs):
                    area = math.pi * (states[j, i, 2] * s) ** 2
                    if cov is None:
                        continue
                    seen = cov * (1 - front)
                    if oa is not None:
                        seen = seen * (1 - oa)
                    vis_frac[j, k] = float(seen.sum()) / area
                    front = front + cov * (1 - front)
            acc += img
        out[k] = acc / len(offsets)
    # displayed trajectories (after a violation's re-simulation)
    xs, ys, rs = frame_positions(states, cam, fps, frames, substeps)
    if freeze is not None:
        f0, nfz, _ = freeze
        out[f0 : f0 + nfz] = out[f0 - 1]
        for arr in (xs, ys, rs, vis_frac):
            arr[:, f0 : f0 + nfz] = arr[:, f0 - 1 : f0]
    objects = []
    for j, b in enumerate(lay.bodies):
        objects.append(
            {
                "x": xs[j],
                "y": ys[j],
                "radius": rs[j],
                "visible_fraction": np.clip(vis_frac[j], 0, 1),
                "visible": vis_frac[j] >= 0.5,
                "color": b.color,
                "colors": np.array(colors_per_frame[j]),
                "depth": b.depth,
                "world_x": states[j, (np.arange(frames) + 1) * substeps, 0],
                "world_y": states[j, (np.arange(frames) + 1) * substeps, 1],
            }
        )
    m0inv = cv2.invertAffineTransform(cam.matrix(0.0))
    motion, shift, scale, angle = [], [], [], []
    ctr = np.array([(w - 1) / 2.0, (h - 1) / 2.0])
    for k in range(frames):
        mk = cam.matrix(k / fps)
        rel = np.vstack([mk, [0, 0, 1]]) @ np.vstack([m0inv, [0, 0, 1]])
        motion.append(rel[:2])
        shift.append(rel[:2, :2] @ ctr + rel[:2, 2] - ctr)
        scale.append(math.hypot(rel[0, 0], rel[1, 0]))
        angle.append(math.degrees(math.atan2(rel[1, 0], rel[0, 0])))
    truth = {
        "kind": kind,
        "camera": camera,
        "camera_motion": np.array(motion),
        "camera_shift": np.array(shift),
        "camera_scale": np.array(scale),
        "camera_angle": np.array(angle),
        "objects": objects,
        "occluders": [np.asarray(r) for r, _ in lay.occluders],
        "floor_y": lay.world.floor_y,
        "g": lay.world.g,
        "restitution": lay.world.restitution,
        "bounce_frames": sorted(
            {
                int(math.ceil(s / substeps - 1))
                for _, s, _ in bounces
                if 0 < s / substeps - 1 < frames
            }
        ),
        "background": background,
        "attempt": att,
        "stutter_mode": freeze[2] if freeze else None,
        **vtruth,
    }
    return _Shot(out, truth)
