"""The tasks beyond t2v/i2v/v2v that :func:`vidkit.generate` plans for a pipeline: first-last
frame (``last_image=``), extension (``video=`` + ``extend=``) and control (``control_video=``,
``mask=``, ``reference_images=``), each prepared to the family's rules and recorded.

Example:
    >>> MODES
    ('first-last-frame', 'extend', 'control')
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from vidkit.sampling.conditioning import (
    describe,
    fit_frames,
    fit_size,
    prepare_extension,
    prepare_image,
    prepare_mask,
    prepare_video,
    target_size,
    to_image,
)
from vidkit.sampling.pipeline import VideoPipeline
from vidkit.sampling.settings import Settings, call_params, infer_task, resolve_settings
from vidkit.video import Video

# --------------------------------------------------------------------------- tasks
#: the task modes beyond t2v / i2v / v2v / condition, each chosen by its own arguments
MODES = ("first-last-frame", "extend", "control")


def task_mode(last_image: Any, extend: Any, control: Mapping[str, Any]) -> str | None:
    """The task mode the arguments ask for (one per call), or None."""
    modes = []
    if last_image is not None:
        modes.append("first-last-frame")
    if extend is not None:
        modes.append("extend")
    if any(v is not None for v in control.values()):
        modes.append("control")
    if len(modes) > 1:
        raise ValueError(f"one task per call: the arguments ask for {' and '.join(modes)}")
    return modes[0] if modes else None


def _params_of(dpipe: Any) -> frozenset[str]:
    return call_params(dpipe)[0]


def plan_mode(
    vp: VideoPipeline, mode: str, image: Any, video: Any, task: str | None, control: Mapping
) -> tuple[str, Any, str | None]:
    """(task, diffusers pipeline, extension method) for a task mode, checked against what the
    pipeline takes; a ``ValueError`` names the family, the pipeline and what would work."""
    fam, name = vp.family, vp.model_id or vp.family.name
    if task is not None and mode != "first-last-frame":
        raise ValueError(f"task= cannot be combined with the {mode} task (it picks its pipeline)")
    if mode == "first-last-frame":
        if image is None:
            raise ValueError(
                "last_image= needs the first frame too: pass image=... and last_image=..."
            )
        if video is not None:
            raise ValueError("first-last-frame takes image= and last_image=, not video=")
        t = infer_task(vp, image, None, task)
        dpipe = vp.for_task(t)
        if "last_image" not in _params_of(dpipe):
            raise ValueError(
                f"{name} ({fam.name}, {type(dpipe).__name__}) takes no last_image: first-last-frame "
                "needs a pipeline with last_image= (WanImageToVideoPipeline with a first-last-frame "
                "or Wan 2.2 checkpoint, SkyReelsV2ImageToVideoPipeline)"
            )
        tr = getattr(dpipe, "transformer", None)
        cfg = getattr(tr, "config", None)
        if (
            getattr(dpipe, "image_encoder", None) is not None
            and getattr(cfg, "image_dim", None)
            and "pos_embed_seq_len" in dict(cfg or {})
            and not getattr(cfg, "pos_embed_seq_len", None)
        ):
            raise ValueError(
                f"{name} ({fam.name}) is an image-to-video checkpoint without first-last-frame "
                "training (its transformer has no pos_embed_seq_len for two CLIP images): use a "
                "first-last-frame checkpoint such as Wan-AI/Wan2.1-FLF2V-14B-720P-Diffusers"
            )
        return t, dpipe, None
    if mode == "extend":
        if video is None:
            raise ValueError("extend= needs the video to continue: pass video=... and extend=N")
        if image is not None:
            raise ValueError("an extension takes video= and extend=, not image=")
        df = _diffusion_forcing_v2v(vp.pipeline)
        if df is not None:
            return "v2v", df, "diffusion-forcing"
        if "condition" in vp.tasks:
            return "condition", vp.for_task("condition"), "condition"
        if "i2v" in vp.tasks:
            return "i2v", vp.for_task("i2v"), "i2v-last-frame"
        raise ValueError(
            f"{name} ({fam.name}) cannot extend a video: that needs a condition pipeline (LTX) or "
            f"an image-to-video checkpoint for the last-frame fallback; it supports {list(vp.tasks)}"
        )
    # control
    if image is not None or video is not None:
        raise ValueError(
            "control takes control_video=, mask= and reference_images=, not image=/video="
        )
    dpipe = vp.pipeline
    params = _params_of(dpipe)
    given = sorted(k for k, v in control.items() if v is not None)
    vace = {"video", "mask", "reference_images"} <= params
    fun = "control_video" in params
    if not (vace or fun):
        raise ValueError(
            f"{name} ({fam.name}, {type(dpipe).__name__}) takes no control inputs {given}: control "
            "needs WanVACEPipeline (control_video=, mask=, reference_images=) or "
            "CogVideoXFunControlPipeline (control_video=)"
        )
    if fun and not vace:
        extra = [k for k in given if k != "control_video"]
        if extra or control.get("control_video") is None:
            raise ValueError(
                f"{type(dpipe).__name__} takes control_video= only, got {given}; mask= and "
                "reference_images= need WanVACEPipeline"
            )
    if control.get("mask") is not None and control.get("control_video") is None:
        raise ValueError("mask= marks what to generate in control_video=: pass control_video too")
    return "control", dpipe, None


def _diffusion_forcing_v2v(dpipe: Any) -> Any:
    """The video-to-video diffusion-forcing pipeline (SkyReels-V2) over ``dpipe``'s components
    when ``dpipe`` is a diffusion-forcing pipeline, else None."""
    params = _params_of(dpipe)
    if "overlap_history" not in params:
        return None
    if "video" in params:
        return dpipe
    import diffusers

    from vidkit.sampling.pipeline import switch_pipeline

    cls = getattr(diffusers, "SkyReelsV2DiffusionForcingVideoToVideoPipeline", None)
    if cls is None:  # pragma: no cover - older diffusers
        return None
    new = switch_pipeline(dpipe, cls)
    cfg = getattr(dpipe, "_progress_bar_config", None)
    if cfg is not None:
        new.set_progress_bar_config(**cfg)
    return new


def mode_settings(
    vp: VideoPipeline,
    mode: str,
    t: str,
    dpipe: Any,
    method: str | None,
    *,
    image: Any,
    video: Any,
    last_image: Any,
    extend: Any,
    control: Mapping[str, Any],
    height: int | None,
    width: int | None,
    num_frames: int | None,
    fps: float | None,
    steps: int | None,
    guidance: float | None,
) -> Settings:
    """:class:`Settings` of a task mode: the inputs prepared to the family's rules, each change
    warned and noted."""
    from vidkit.video import as_video

    fam = vp.family
    if mode == "first-last-frame":
        s = resolve_settings(
            vp,
            t,
            image=image,
            height=height,
            width=width,
            num_frames=num_frames,
            fps=fps,
            steps=steps,
            guidance=guidance,
        )
        last = to_image(last_image)
        w0, h0 = last.size
        s.extra["last_image"] = prepare_image(last, s.height, s.width, notes=s.notes)
        if (h0, w0) != (s.height, s.width):
            s.notes.append(f"last_image of {h0}x{w0} fitted to {s.height}x{s.width}")
        return s
    notes: list[str] = []
    if mode == "extend":
        if num_frames is not None:
            raise ValueError("extend= sets the frame count of an extension; do not pass num_frames")
        v_in = as_video(video)
        h, w = target_size(height, width, vp.defaults, (v_in.height, v_in.width))
        h, w = fit_size(h, w, fam, notes=notes)
        full, cond, total, info = prepare_extension(
            v_in,
            extend,
            h,
            w,
            fam,
            method=method or "condition",
            notes=notes,
            window=int(vp.defaults["num_frames"]),
        )
        s = resolve_settings(
            vp,
            "t2v",
            height=h,
            width=w,
            num_frames=total,
            fps=fps if fps is not None else v_in.fps,
            steps=steps,
            guidance=guidance,
        )
        s.extension = info
        if method == "condition":
            s.video = cond
            s.extra["frame_index"] = 0
        elif method == "diffusion-forcing":
            s.video = full
            s.extra["overlap_history"] = cond.num_frames
            s.extra["base_num_frames"] = info["base_num_frames"]
            s.extra["num_frames"] = total  # the new frames (the pipeline prepends the input)
        else:
            s.image = _first_frame(cond)
            s.prefix = full
    else:  # control
        cv = control.get("control_video")
        src = None
        if cv is not None:
            cv = as_video(cv)
            src = (cv.height, cv.width)
        h, w = target_size(height, width, vp.defaults, src)
        h, w = fit_size(h, w, fam, notes=notes)
        params = _params_of(dpipe)
        if cv is not None:
            cv = prepare_video(cv, h, w, fam, num_frames=num_frames, notes=notes)
            n = cv.num_frames
        else:
            n = fit_frames(
                num_frames if num_frames is not None else int(vp.defaults["num_frames"]),
                fam,
                notes=notes,
            )
        s = resolve_settings(
            vp, "t2v", height=h, width=w, num_frames=n, fps=fps, steps=steps, guidance=guidance
        )
        if "control_video" in params and "reference_images" not in params:
            s.extra["control_video"] = cv.to_pil()  # type: ignore[union-attr]
        else:
            if cv is not None:
                s.extra["video"] = cv.to_pil()
            m = control.get("mask")
            if m is not None:
                frames = prepare_mask(m, n, h, w, notes=notes)
                values = np.unique(np.stack([np.asarray(f) for f in frames]))
                if not set(values.tolist()) <= {0, 255}:
                    notes.append(f"mask binarized at 0.5 by {type(dpipe).__name__}")
                s.extra["mask"] = frames
            refs = control.get("reference_images")
            if refs is not None:
                if not isinstance(refs, (list, tuple)):
                    refs = [refs]
                if not refs:
                    raise ValueError("reference_images is empty; pass images or None")
                pil = [to_image(r) for r in refs]
                for i, r in enumerate(pil):
                    if (r.size[1], r.size[0]) != (h, w):
                        notes.append(
                            f"reference image {i} of {r.size[1]}x{r.size[0]} fitted inside {h}x{w} "
                            f"by {type(dpipe).__name__} (aspect kept, padded)"
                        )
                s.extra["reference_images"] = pil
    s.notes[:0] = notes
    return s


def _first_frame(video: Video) -> Any:
    """The first frame of ``video`` as an RGB PIL image."""
    return to_image(video, frame=0)


def mode_metadata(
    mode: str | None, s: Settings, last_image: Any, extend: Any, control: Mapping[str, Any]
) -> dict[str, Any]:
    """What a task mode records: the mode, its inputs (described) and, for an extension, how
    the result relates to the input."""
    if mode is None:
        return {"mode": None}
    inputs: dict[str, Any] = {}
    if mode == "first-last-frame":
        inputs["last_image"] = describe(last_image)
    elif mode == "extend":
        inputs["extend"] = int(extend)
    else:
        for k, v in control.items():
            if k == "reference_images" and isinstance(v, (list, tuple)):
                inputs[k] = [describe(x) for x in v]
            else:
                inputs[k] = describe(v)
    out: dict[str, Any] = {"mode": mode, "mode_inputs": inputs}
    if s.extension is not None:
        out["extension"] = dict(s.extension)
    return out


def with_prefix(prefix: Video, v: Video) -> Video:
    """The i2v extension fallback's result: the input, then the generated frames after the first
    (which re-draws the input's last frame)."""
    from vidkit.video import concat

    new = Video(v.frames[1:], fps=v.fps)
    out = concat([prefix.with_metadata(), new])
    out.metadata = dict(v.metadata)
    out.metadata["num_frames"] = out.num_frames
    out.fps = v.fps
    return out
