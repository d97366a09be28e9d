"""``vk.generate``: run a diffusers video pipeline and get :class:`vidkit.Video` objects back.

The task follows from the inputs (an image makes it image-to-video, a video video-to-video); sizes
and frame counts are fitted to the family's rules with a warning; each sample gets its own seeded
generator, so sample i of a batch equals the same seed run alone. The returned videos' metadata
records everything needed to reproduce them. Callbacks (:mod:`vidkit.sampling.callbacks`) get one
uniform ``StepState`` per step; ``record="trajectory"`` stores the decoded denoising trajectory in
``video.metadata["trajectory"]``.

Example:
    >>> import vidkit as vk
    >>> pipe = vk.testing.tiny_pipeline("wan", "t2v")
    >>> v = vk.generate(pipe, prompt="a red ball bounces", seed=1, steps=2, progress=False)
    >>> v.metadata["seed"], v.metadata["task"], v.metadata["scheduler"]
    (1, 't2v', 'FlowMatchEulerDiscreteScheduler')
"""

from __future__ import annotations

import functools
import inspect
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from typing import Any

import numpy as np

from vidkit.errors import ArgumentError
from vidkit.files import jsonable
from vidkit.sampling.callbacks import Progress, StepDriver, TrajectoryRecorder
from vidkit.sampling.conditioning import (
    describe,
    fit_frames,
    fit_size,
    prepare_image,
    prepare_prompts,
    prepare_video,
    target_size,
    to_image,
)
from vidkit.sampling.families import normalize_task
from vidkit.sampling.pipeline import VideoPipeline, as_video_pipeline
from vidkit.sampling.schedulers import make_scheduler
from vidkit.video import Video

__all__ = ["MAX_STEPS", "check_settings", "generate"]


def _recordable(x: Any) -> Any:
    """``x`` for the metadata: JSON (:func:`vidkit.files.jsonable`), large arrays and other
    objects as a short description."""
    return jsonable(x, other=describe, max_items=16)


def _call_params(pipe: Any) -> tuple[set[str], bool]:
    params = inspect.signature(type(pipe).__call__).parameters
    var_kw = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
    return set(params) - {"self"}, var_kw


def _peak_memory(device: str) -> tuple[int | None, str]:
    import torch

    if device.startswith("cuda") and torch.cuda.is_available():
        return int(torch.cuda.max_memory_allocated()), "cuda_max_allocated"
    try:
        import resource

        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        scale = 1 if sys.platform == "darwin" else 1024
        return int(rss * scale), "process_max_rss"
    except (ImportError, OSError):  # pragma: no cover - Windows
        return None, "unavailable"


def _device_str(vp: VideoPipeline) -> str:
    dev = vp.device
    return str(dev) if dev is not None else "cpu"


def _infer_task(
    vp: VideoPipeline, image: Any, video: Any, task: str | None
) -> tuple[str, str | None]:
    """The task from the inputs; returns (task, note)."""
    if task is not None:
        t = normalize_task(task)
    elif image is not None and video is not None:
        t = "condition"
    elif video is not None:
        t = "v2v"
    elif image is not None:
        t = "i2v"
    else:
        t = "t2v"
    if t not in vp.tasks and task is None and t == "v2v" and "condition" in vp.tasks:
        return "condition", None
    if t not in vp.tasks:
        given = {
            "t2v": "a text prompt only",
            "i2v": "an image",
            "v2v": "a video",
            "condition": "image/video conditions",
        }[t]
        need = {
            "t2v": "a prompt",
            "i2v": "image=...",
            "v2v": "video=...",
            "condition": "task='condition'",
        }
        hints = ", ".join(f"{x} ({need[x]})" for x in vp.tasks)
        raise ValueError(
            f"{vp.model_id or vp.family.name} ({vp.family.name}) cannot take {given}: {t} is not "
            f"supported; it supports {hints}"
        )
    return t, None


def _seed_list(seed: Any) -> tuple[list[int], bool]:
    if seed is None:
        return [int(np.random.SeedSequence().entropy % (2**31))], True
    if isinstance(seed, (bool, float, str)) or not isinstance(seed, (int, np.integer, Sequence)):
        raise TypeError(f"seed must be an int or a list of ints, got {seed!r}")
    if isinstance(seed, (int, np.integer)):
        s = [int(seed)]
        single = True
    else:
        s = list(seed)
        single = False
        if not s:
            raise ValueError("seed list is empty")
    for x in s:
        if isinstance(x, bool) or not isinstance(x, (int, np.integer)):
            raise TypeError(f"seeds must be integers, got {x!r}")
        if not 0 <= int(x) < 2**63:
            raise ValueError(f"seeds must be in [0, 2**63), got {x}")
    return [int(x) for x in s], single


def _check_number(name: str, v: Any, lo: float | None = None, hi: float | None = None) -> None:
    if v is None:
        return
    if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number, got {v!r}")
    if not np.isfinite(v):
        raise ArgumentError(f"{name} must be a finite number, got {v!r}")
    if lo is not None and v < lo or hi is not None and v > hi:
        rng = f"[{lo}, {hi}]" if hi is not None else f">= {lo}"
        raise ValueError(f"{name} must be in {rng}, got {v}")


#: the most denoising steps vk.generate accepts (schedulers are trained on 1000 timesteps)
MAX_STEPS = 10_000


def check_settings(**settings: Any) -> None:
    """The cheap checks of generate's scalar settings; ``None`` means the model's default.

    Raises a ``TypeError``/``ValueError`` naming the setting before any model is loaded.

    Example:
        >>> check_settings(steps=4, guidance=2.0, num_frames=16, height=32, width=32)
        >>> check_settings(steps=0)
        Traceback (most recent call last):
        ValueError: steps must be in [1, 10000], got 0
    """
    steps = settings.get("steps")
    _check_number("steps", steps, 1, MAX_STEPS)
    if steps is not None and int(steps) != steps:
        raise TypeError(f"steps must be an integer, got {steps!r}")
    _check_number("guidance", settings.get("guidance"), 0)
    _check_number("strength", settings.get("strength"), 0, 1)
    _check_number("fps", settings.get("fps"), 1e-6)
    for key in ("num_frames", "height", "width"):
        v = settings.get(key)
        if v is None:
            continue
        number = isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)
        if not number or not np.isfinite(v) or int(v) != v:
            raise TypeError(f"{key} must be an integer, got {v!r}")
        if v < 1:
            raise ValueError(f"{key} must be >= 1, got {v}")
    batch_size = settings.get("batch_size", 1)
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)):
        raise TypeError(f"batch_size must be a positive int, got {batch_size!r}")
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    n, h, w = (settings.get(k) for k in ("num_frames", "height", "width"))
    if n is not None and h is not None and w is not None:
        from vidkit.errors import check_size

        check_size(
            float(batch_size) * n * h * w * 3 * 4,
            f"generating {batch_size} video(s) of {int(n)} frames of {int(h)}x{int(w)}",
        )


# --------------------------------------------------------------------------- generate
def generate(
    pipe: Any,
    prompt: str | Sequence[str] | None = None,
    image: Any = None,
    video: Any = None,
    *,
    seed: int | Sequence[int] | None = 0,
    steps: int | None = None,
    guidance: float | None = None,
    num_frames: int | None = None,
    height: int | None = None,
    width: int | None = None,
    negative_prompt: str | None = None,
    strength: float | None = None,
    scheduler: str | Any = None,
    callbacks: Sequence[Callable[..., Any]] = (),
    record: str | TrajectoryRecorder | None = None,
    task: str | None = None,
    fps: float | None = None,
    batch_size: int = 1,
    progress: bool = True,
    **pipeline_kwargs: Any,
) -> Video | list[Video]:
    """Generate videos with a diffusers video pipeline; returns :class:`vidkit.Video` (+metadata).

    Args:
        pipe: a :class:`~vidkit.models.VideoPipeline` (``vk.load``) or a raw diffusers pipeline.
        prompt: a prompt or a list of prompts.
        image: first-frame image (path, PIL, array, tensor or a Video frame) -> image-to-video.
        video: input video (Video, path, array, PIL list) -> video-to-video.
        seed: an int, or a list of seeds; ``None`` draws one (recorded).
        steps, guidance, num_frames, height, width, negative_prompt: as in diffusers; ``None``
            takes the model's defaults (``pipe.defaults``). Sizes and frame counts are fitted to
            the family's rules with a warning.
        strength: video-to-video denoising strength in [0, 1] (1 ignores the input).
        scheduler: a name (``"unipc"``, ``"euler"``, ``"flow-euler"``, ``"dpm++"``, ``"ddim"``...)
            or scheduler object for this call only.
        callbacks: callables ``fn(state)`` called after every step (see :mod:`vidkit.callbacks`).
        record: ``"trajectory"`` (decoded latents every few steps), ``"x0"`` (also the predicted
            clean video) or a :class:`~vidkit.callbacks.TrajectoryRecorder`; the result is
            ``video.metadata["trajectory"]``.
        task: force a task (``"condition"`` for LTX's condition pipeline).
        fps: frame rate of the output (and of fps-conditioned models); default the model's.
        batch_size: samples per pipeline call (each still has its own generator).
        progress: show a ``tqdm.auto`` bar over all steps.
        **pipeline_kwargs: passed to the diffusers pipeline unchanged (e.g. ``max_sequence_length``).

    Returns:
        One Video for one prompt and one int seed; otherwise a list over prompts x seeds
        (prompt-major). ``metadata`` holds every parameter, the seed, model id, scheduler, wall
        time (of the pipeline call that made it) and peak memory.

    Example:
        >>> v = vk.generate(pipe, prompt="a ball", seed=3, steps=20)               # doctest: +SKIP
        >>> v = vk.generate(pipe, prompt="...", image="first.png")                  # doctest: +SKIP
        >>> vs = vk.generate(pipe, prompt="...", video=v, strength=0.6, seed=[0, 1])  # doctest: +SKIP
    """
    import torch

    # ---- validate scalar arguments (before a model is loaded or a pipeline switched)
    check_settings(
        steps=steps,
        guidance=guidance,
        strength=strength,
        fps=fps,
        num_frames=num_frames,
        height=height,
        width=width,
        batch_size=batch_size,
    )
    vp = as_video_pipeline(pipe)
    fam = vp.family
    notes: list[str] = []
    t, _ = _infer_task(vp, image, video, task)
    dpipe = vp.for_task(t)
    d = vp.defaults

    if strength is not None and t not in ("v2v", "condition"):
        raise ValueError(
            f"strength applies to video-to-video (pass video=...), not to {t}; got strength={strength}"
        )
    if negative_prompt is not None and not isinstance(negative_prompt, str):
        raise TypeError(f"negative_prompt must be a string, got {type(negative_prompt).__name__}")
    if record is not None and not (
        isinstance(record, TrajectoryRecorder) or record in ("trajectory", "x0")
    ):
        raise ValueError(
            f"record must be None, 'trajectory', 'x0' or a TrajectoryRecorder, got {record!r}"
        )
    if isinstance(callbacks, Callable) and not isinstance(callbacks, Sequence):
        callbacks = [callbacks]
    callbacks = list(callbacks)

    params, var_kw = _call_params(dpipe)
    reserved = {
        "generator",
        "output_type",
        "callback_on_step_end",
        "callback_on_step_end_tensor_inputs",
        "num_videos_per_prompt",
        "return_dict",
    }
    bad = set(pipeline_kwargs) & reserved
    if bad:
        raise ValueError(f"{sorted(bad)} are set by vidkit.generate; do not pass them")
    if not var_kw:
        unknown = set(pipeline_kwargs) - params
        if unknown:
            raise TypeError(
                f"{type(dpipe).__name__} does not take {sorted(unknown)}; it takes "
                f"{sorted(params - reserved)}"
            )

    # ---- prompts and seeds
    prompt_embeds_given = "prompt_embeds" in pipeline_kwargs
    if not fam.text_conditioned and "prompt" not in params:
        if prompt is not None:
            warnings.warn(
                f"{fam.name} models take no text prompt: the prompt is recorded but not used",
                stacklevel=2,
            )
        prompts: list[str | None] = prepare_prompts(prompt, required=False)
        use_prompt = False
    else:
        prompts = prepare_prompts(prompt, required=not prompt_embeds_given)
        use_prompt = "prompt" in params
    seeds, single_seed = _seed_list(seed)
    single = isinstance(prompt, str) or prompt is None
    single = single and single_seed

    # ---- sizes and frames
    source_hw = None
    if image is not None:
        img0 = to_image(image)
        source_hw = (img0.size[1], img0.size[0])
    elif video is not None:
        if isinstance(video, Video):
            source_hw = (video.height, video.width)
    h, w = target_size(height, width, d, source_hw)
    h, w = fit_size(h, w, fam, notes=notes)
    n_frames = None
    in_video: Video | None = None
    if t in ("v2v",) or (t == "condition" and video is not None):
        in_video = prepare_video(video, h, w, fam, num_frames=num_frames, notes=notes)
        n_frames = in_video.num_frames
    else:
        n_frames = fit_frames(
            num_frames if num_frames is not None else int(d["num_frames"]), fam, notes=notes
        )
    out_fps = float(fps if fps is not None else d.get("fps", 8.0))
    n_steps = int(steps if steps is not None else d["steps"])
    g = guidance if guidance is not None else d.get("guidance")

    # ---- pipeline arguments
    kw: dict[str, Any] = {"num_inference_steps": n_steps, "output_type": "np"}
    if "height" in params:
        kw["height"], kw["width"] = h, w
    if "num_frames" in params and t not in ("v2v",):
        kw["num_frames"] = n_frames
    if g is not None and fam.guidance_arg and fam.guidance_arg in params:
        kw[fam.guidance_arg] = float(g)
    if fam.fps_arg and fam.fps_arg in params and fam.fps_arg not in pipeline_kwargs:
        kw[fam.fps_arg] = out_fps if fam.fps_arg != "fps" else int(round(out_fps))
    if negative_prompt is not None:
        if "negative_prompt" not in params:
            raise ValueError(f"{type(dpipe).__name__} takes no negative_prompt")
        kw["negative_prompt"] = negative_prompt
    cond_image = None
    if image is not None:
        cond_image = prepare_image(image, h, w, notes=notes)
        kw["image"] = cond_image
    if in_video is not None:
        kw["video"] = in_video.to_pil()
    if strength is not None:
        if t == "condition":
            kw["denoise_strength"] = float(strength)
        else:
            kw["strength"] = float(strength)
    for k, v in vp.call_defaults.items():
        if k in params and k not in pipeline_kwargs:
            kw[k] = v
    kw.update(pipeline_kwargs)

    # ---- scheduler for this call
    orig_sched = dpipe.scheduler
    sched_name = scheduler if isinstance(scheduler, str) else None
    if scheduler is not None:
        dpipe.scheduler = make_scheduler(scheduler, vp)

    # ---- callbacks and recording
    recorder: TrajectoryRecorder | None = None
    if isinstance(record, TrajectoryRecorder):
        recorder = record
    elif record in ("trajectory", "x0"):
        recorder = TrajectoryRecorder(x0=record == "x0")
    if recorder is not None:
        recorder.reset()
        callbacks.append(recorder)
    bar = None
    if progress and not any(isinstance(c, Progress) for c in callbacks):
        bar = Progress(desc=f"{fam.name} {t}")
        callbacks.append(bar)

    if t == "condition" and batch_size > 1:
        # LTX's condition pipeline encodes one set of conditions for the whole batch, with noise
        # from the first generator only: batching would break per-sample seeding
        warnings.warn("the condition task runs one sample per call (batch_size=1)", stacklevel=2)
        batch_size = 1
    items = [(p, s) for p in prompts for s in seeds]
    chunks = [items[i : i + batch_size] for i in range(0, len(items), batch_size)]
    device = _device_str(vp)
    common_meta = {
        "task": t,
        "family": fam.name,
        "model_id": vp.model_id,
        "pipeline": type(dpipe).__name__,
        "negative_prompt": negative_prompt,
        "steps": n_steps,
        "guidance": None if g is None else float(g),
        "num_frames": n_frames,
        "height": h,
        "width": w,
        "fps": out_fps,
        "strength": strength,
        "image": describe(image),
        "video": describe(video),
        "device": device,
        "dtype": str(vp.dtype).replace("torch.", ""),
        "batch_size": batch_size,
        "pipeline_kwargs": _recordable(pipeline_kwargs),
        "adjustments": list(notes),
        "vidkit_version": _version("vidkit"),
        "diffusers_version": _version("diffusers"),
        "torch_version": torch.__version__,
    }

    results: list[Video] = []
    interrupted_any = False
    prev_bar_cfg = getattr(dpipe, "_progress_bar_config", None)
    try:
        if callbacks and hasattr(dpipe, "set_progress_bar_config") and bar is not None:
            dpipe.set_progress_bar_config(disable=True)
        for ci, chunk in enumerate(chunks):
            if interrupted_any:
                warnings.warn(
                    f"generation interrupted: {len(items) - len(results)} of {len(items)} samples "
                    "were not generated",
                    stacklevel=2,
                )
                break
            ctx = {
                "num_frames": n_frames,
                "height": h,
                "width": w,
                "fps": out_fps,
                "task": t,
                "sample_offset": ci * batch_size,
                "num_calls": len(chunks),
                "kwargs": kw,
                "dtype": None,
            }
            driver = StepDriver(callbacks, fam, ctx) if callbacks else None
            call_kw = dict(kw)
            gens = [torch.Generator("cpu").manual_seed(s) for _, s in chunk]
            call_kw["generator"] = gens
            if cond_image is not None and fam.image_per_sample and len(chunk) > 1:
                call_kw["image"] = [cond_image] * len(chunk)
            if in_video is not None and t == "v2v" and len(chunk) > 1:
                call_kw["video"] = [kw["video"]] * len(chunk)
            if use_prompt:
                call_kw["prompt"] = [p for p, _ in chunk]
            elif "num_videos_per_prompt" in params and not (
                cond_image is not None and fam.image_per_sample
            ):
                call_kw["num_videos_per_prompt"] = len(chunk)
            if driver is not None:
                call_kw["callback_on_step_end"] = driver
                call_kw["callback_on_step_end_tensor_inputs"] = ["latents"]
            if device.startswith("cuda") and torch.cuda.is_available():
                torch.cuda.reset_peak_memory_stats()
            t0 = time.perf_counter()
            if driver is not None:
                driver.attach(dpipe)
            try:
                with torch.inference_mode():
                    out = dpipe(**call_kw)
            finally:
                if driver is not None:
                    driver.detach()
            wall = time.perf_counter() - t0
            peak, peak_kind = _peak_memory(device)
            frames = out.frames if hasattr(out, "frames") else out[0]
            vids = Video.from_pipeline_output(frames, fps=out_fps)
            if len(vids) != len(chunk):
                raise RuntimeError(
                    f"the pipeline returned {len(vids)} videos for a batch of {len(chunk)}"
                )
            interrupted = bool(getattr(dpipe, "_interrupt", False))
            interrupted_any = interrupted_any or interrupted
            done = (driver.last_step + 1) if driver is not None else None
            total = driver.num_steps if driver is not None and driver.num_steps else None
            for j, ((p, s), v) in enumerate(zip(chunk, vids)):
                idx = ci * batch_size + j
                meta = dict(common_meta)
                meta.update(
                    prompt=p,
                    seed=s,
                    sample_index=idx,
                    scheduler=type(dpipe.scheduler).__name__,
                    scheduler_name=sched_name,
                    scheduler_config=_scheduler_info(dpipe.scheduler),
                    wall_time_s=round(wall, 6),
                    peak_memory_bytes=peak,
                    peak_memory_kind=peak_kind,
                    interrupted=interrupted,
                    steps_completed=done if done is not None else n_steps,
                    steps_run=total,
                    created=datetime.now(timezone.utc).isoformat(timespec="seconds"),
                )
                if recorder is not None:
                    meta["trajectory"] = recorder.trajectory(idx)
                v.metadata = meta
                results.append(v)
    finally:
        if scheduler is not None:
            dpipe.scheduler = orig_sched
        if prev_bar_cfg is not None and hasattr(dpipe, "set_progress_bar_config"):
            dpipe._progress_bar_config = prev_bar_cfg
        if bar is not None:
            bar.close()
        for cb in callbacks:
            if isinstance(cb, Progress) and cb is not bar:
                cb.close()
    if single and len(results) == 1:
        return results[0]
    return results


@functools.cache
def _version(name: str) -> str | None:
    try:
        from importlib.metadata import version

        return version(name)
    except Exception:  # pragma: no cover
        return None


def _scheduler_info(sched: Any) -> dict[str, Any]:
    cfg = {k: v for k, v in dict(sched.config).items() if not k.startswith("_")}
    return _recordable(cfg)
