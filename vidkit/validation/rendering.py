"""Rendering a validation clip (:func:`render`) and re-rendering one from its spec."""

from __future__ import annotations

import math
from typing import Any

import cv2
import numpy as np

from vidkit.validation.clip import ValidationClip
from vidkit.validation.kinds import BACKGROUNDS, CAMERAS, KINDS, VIOLATION_KINDS, VIOLATIONS
from vidkit.validation.shot import render_shot, seq
from vidkit.video import Video

# --------------------------------------------------------------------------------------------
# public API


def _check_size(size: Any) -> tuple[int, int]:
    try:
        w, h = (int(size[0]), int(size[1]))
    except (TypeError, ValueError, IndexError):
        raise TypeError(f"size must be a pair (width, height) of ints, got {size!r}") from None
    if w < 64 or h < 48 or w > 1920 or h > 1080:
        raise ValueError(f"size must be between 64x48 and 1920x1080 (width, height), got {w}x{h}")
    return w, h


def render(
    kind: str,
    *,
    seed: int = 0,
    violation: str | None = None,
    camera: str = "static",
    size: tuple[int, int] = (160, 120),
    fps: float = 24.0,
    frames: int = 32,
    background: str = "perlin",
    blur: float = 0.5,
    noise: float = 0.01,
    jpeg: int | None = None,
    lighting: float = 0.02,
    occluders: int = 0,
    cut: bool | int = False,
    attempt: int | None = None,
    violation_params: dict[str, Any] | None = None,
) -> ValidationClip:
    """Render one validation clip and its ground truth (deterministic in all arguments).

    Args:
        kind: one of :data:`KINDS`.
        seed: the scene's seed (layout, colours, background, camera path, noise).
        violation: None for a clean clip, or one of :data:`VIOLATIONS` (see
            :data:`VIOLATION_KINDS` for the kinds each applies to). A clip with a violation uses
            the same layout as the clean clip of the same arguments and ``attempt``.
        camera: ``"static"``, ``"pan"`` (8-25% of the frame over the clip), ``"shake"`` (0.7-2.5
            px jitter, up to 0.4 degrees of roll) or ``"zoom"`` (0.84x-1.22x over the clip).
        size: ``(width, height)``, from 64x48 to 1920x1080.
        fps: frames per second (timing of the physics; 8-60 is the tested range).
        frames: number of frames, 16 to 256.
        background: one of :data:`BACKGROUNDS`.
        blur: shutter time as a fraction of the frame interval (0 = no motion blur, up to 1).
        noise: standard deviation of the Gaussian sensor noise (in [0, 1] units).
        jpeg: JPEG quality (10-95) applied to every frame, or None.
        lighting: amplitude of the slow global lighting drift (fraction of the brightness).
        occluders: number of extra static occluders placed at random (``occluded`` kind adds one
            on the ball's path by itself).
        cut: False, True (a cut at a frame drawn from the seed) or the first frame of the second
            shot; the second shot is another scene (kind, background, camera path) of the same
            size and fps. A violation is placed in the first shot.
        attempt: force one layout attempt (``truth["attempt"]`` of another clip) instead of
            searching for the first layout where the scene and violation fit.
        violation_params: optional ``frame``, ``object`` and, per violation, ``frames``
            (stutter), ``mode`` (wrong_gravity: up, reverse, off, strong), ``e`` (energy_gain).

    Returns:
        :class:`ValidationClip`.

    Example:
        >>> from vidkit import validation
        >>> clip = validation.render("crossing", seed=4, camera="shake", size=(96, 72), fps=12)
        >>> clip.video.fps, len(clip.truth["objects"]) >= 2
        (12.0, True)
    """
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; valid kinds are {list(KINDS)}")
    if violation is not None and violation not in VIOLATIONS:
        raise ValueError(
            f"unknown violation {violation!r}; valid violations are {list(VIOLATIONS)} or None"
        )
    if violation is not None and kind not in VIOLATION_KINDS[violation]:
        raise ValueError(
            f"violation {violation!r} does not apply to kind {kind!r}; it applies to {list(VIOLATION_KINDS[violation])}"
        )
    if camera not in CAMERAS:
        raise ValueError(f"unknown camera {camera!r}; valid cameras are {list(CAMERAS)}")
    if background not in BACKGROUNDS:
        raise ValueError(
            f"unknown background {background!r}; valid backgrounds are {list(BACKGROUNDS)}"
        )
    w, h = _check_size(size)
    fps = float(fps)
    if not (math.isfinite(fps) and 1.0 <= fps <= 240.0):
        raise ValueError(f"fps must be between 1 and 240, got {fps!r}")
    if not isinstance(frames, (int, np.integer)) or not 16 <= int(frames) <= 256:
        raise ValueError(f"frames must be an int from 16 to 256, got {frames!r}")
    frames = int(frames)
    if not 0.0 <= float(blur) <= 1.0:
        raise ValueError(f"blur (shutter fraction) must be in [0, 1], got {blur!r}")
    if not 0.0 <= float(noise) <= 0.2:
        raise ValueError(f"noise must be in [0, 0.2], got {noise!r}")
    if jpeg is not None and not 10 <= int(jpeg) <= 95:
        raise ValueError(f"jpeg quality must be None or 10-95, got {jpeg!r}")
    if not 0.0 <= float(lighting) <= 0.2:
        raise ValueError(f"lighting must be in [0, 0.2], got {lighting!r}")
    if not isinstance(occluders, (int, np.integer)) or not 0 <= int(occluders) <= 3:
        raise ValueError(f"occluders must be an int from 0 to 3, got {occluders!r}")
    vparams = dict(violation_params or {})
    unknown = set(vparams) - {"frame", "object", "frames", "mode", "e"}
    if unknown:
        raise ValueError(
            f"unknown violation_params {sorted(unknown)}; valid: frame, object, frames, mode, e"
        )

    crng = seq(seed, 31337)
    cut_at: int | None = None
    if cut is not False and cut is not None:
        cut_at = (
            int(crng.integers(int(0.4 * frames), int(0.6 * frames) + 1))
            if cut is True
            else int(cut)
        )
        if not 16 <= cut_at <= frames - 16:
            raise ValueError(
                f"a cut needs at least 16 frames per shot; got cut at {cut_at} of {frames}"
            )
    n1 = frames if cut_at is None else cut_at
    shot1 = render_shot(
        kind,
        seed,
        violation,
        camera,
        (w, h),
        fps,
        n1,
        background,
        float(blur),
        int(occluders),
        attempt,
        vparams,
    )
    shots = [shot1]
    if cut_at is not None:
        kind2 = str(crng.choice([k for k in KINDS if k != kind]))
        bg2 = str(crng.choice([b for b in BACKGROUNDS if b not in (background, "plain")]))
        shots.append(
            render_shot(
                kind2,
                seed + 7919,
                None,
                camera,
                (w, h),
                fps,
                frames - n1,
                bg2,
                float(blur),
                int(occluders),
                None,
                {},
            )
        )
    pixels = np.concatenate([s.frames for s in shots], axis=0)
    # -- image formation: lighting drift, sensor noise, quantisation, compression
    nrng = seq(seed, 555)
    t = np.arange(frames) / max(frames - 1, 1)
    phase, cyc = nrng.uniform(0, 2 * math.pi), nrng.uniform(0.3, 1.0)
    gain = 1.0 + float(lighting) * np.sin(2 * math.pi * cyc * t + phase)
    tint = 1.0 + 0.3 * float(lighting) * np.outer(
        np.sin(2 * math.pi * cyc * t + phase + 1.0), nrng.uniform(-1, 1, 3)
    )
    freeze = None
    if shot1.truth.get("stutter_mode") == "frozen":
        f0 = shot1.truth["violation_frames"][0]
        freeze = (f0, len(shot1.truth["violation_frames"]))
        gain[f0 : f0 + freeze[1]] = gain[f0 - 1]
        tint[f0 : f0 + freeze[1]] = tint[f0 - 1]
    pixels = pixels * (gain[:, None, None, None] * tint[:, None, None, :]).astype(np.float32)
    if noise > 0:
        pixels = pixels + nrng.normal(0.0, float(noise), pixels.shape).astype(np.float32)
    u8 = np.clip(np.round(pixels * 255.0), 0, 255).astype(np.uint8)
    if jpeg is not None:
        for k in range(frames):
            ok, buf = cv2.imencode(".jpg", u8[k][..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, int(jpeg)])
            u8[k] = cv2.imdecode(buf, cv2.IMREAD_COLOR)[..., ::-1]
    if shot1.truth.get("stutter_mode") == "exact":
        f0 = shot1.truth["violation_frames"][0]
        u8[f0 : f0 + len(shot1.truth["violation_frames"])] = u8[f0 - 1]
    # -- truth
    truth = dict(shot1.truth)
    objects = []
    cam_motion = np.zeros((frames, 2, 3))
    cam_shift = np.zeros((frames, 2))
    cam_scale = np.ones(frames)
    cam_angle = np.zeros(frames)
    start = 0
    for si, s in enumerate(shots):
        n = s.frames.shape[0]
        sl = slice(start, start + n)
        cam_motion[sl] = s.truth["camera_motion"]
        cam_shift[sl] = s.truth["camera_shift"]
        cam_scale[sl] = s.truth["camera_scale"]
        cam_angle[sl] = s.truth["camera_angle"]
        for o in s.truth["objects"]:
            full = {}
            for key in ("x", "y", "radius", "visible_fraction", "world_x", "world_y"):
                arr = np.full(frames, np.nan)
                arr[sl] = o[key]
                full[key] = arr
            visf = np.zeros(frames)
            visf[sl] = o["visible_fraction"]
            full["visible_fraction"] = visf
            full["visible"] = visf >= 0.5
            cols = np.full((frames, 3), np.nan)
            cols[sl] = o["colors"]
            full.update(color=o["color"], colors=cols, depth=o["depth"], shot=si)
            objects.append(full)
        start += n
    truth.update(
        objects=objects,
        camera_motion=cam_motion,
        camera_shift=cam_shift,
        camera_scale=cam_scale,
        camera_angle=cam_angle,
        cuts=[] if cut_at is None else [cut_at],
        shots=[[0, frames]] if cut_at is None else [[0, cut_at], [cut_at, frames]],
        g=[s.truth["g"] for s in shots],
        kinds=[s.truth["kind"] for s in shots],
        backgrounds=[s.truth["background"] for s in shots],
        lighting_gain=gain,
        seed=int(seed),
        violation=violation,
        fps=fps,
        size=(w, h),
        frames=frames,
        options={
            "background": background,
            "blur": float(blur),
            "noise": float(noise),
            "jpeg": jpeg,
            "lighting": float(lighting),
            "occluders": int(occluders),
            "cut": cut_at,
        },
    )
    truth.setdefault("violation_frames", [])
    meta = {
        "source": "vidkit.validation",
        "kind": kind,
        "violation": violation,
        "camera": camera,
        "seed": int(seed),
    }
    return ValidationClip(Video(u8, fps=fps, metadata=meta), truth)


def render_spec(spec: dict[str, Any], retries: int = 6) -> ValidationClip:
    """Render one spec of :func:`specs`; if its layout cannot hold the violation, try the next
    seeds (``seed + 1000003 * k``, k = 1..retries), deterministically.

    The seed actually used is ``clip.truth["seed"]``.

    Example:
        >>> from vidkit import validation
        >>> spec = validation.specs(1, 0, seed=0)[0]
        >>> validation.render_spec(spec).truth["seed"] == spec["seed"]
        True
    """
    if not isinstance(spec, dict) or "kind" not in spec:
        raise TypeError(f"spec must be a dict of render() arguments with a 'kind', got {spec!r}")
    last: ValueError | None = None
    base = int(spec.get("seed", 0))
    for k in range(retries + 1):
        try:
            return render(**{**spec, "seed": base + 1000003 * k})
        except ValueError as exc:
            if "could not lay out" not in str(exc):
                raise
            last = exc
    assert last is not None
    raise last
