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

import contextlib
import functools
import sys
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

import numpy as np

from vidkit.files import jsonable
from vidkit.sampling.callbacks import Progress, StepDriver, TrajectoryRecorder
from vidkit.sampling.conditioning import (
    describe,
    prepare_prompts,
)
from vidkit.sampling.knobs import apply_knobs, check_knobs, recorded_quantize
from vidkit.sampling.pipeline import VideoPipeline, as_video_pipeline
from vidkit.sampling.schedulers import make_scheduler
from vidkit.sampling.settings import (
    MAX_STEPS,
    RESERVED_KWARGS,
    Settings,
    call_params,
    check_settings,
    infer_task,
    resolve_settings,
    seed_list,
)
from vidkit.sampling.tasks import mode_metadata, mode_settings, plan_mode, task_mode, with_prefix
from vidkit.video import Video

__all__ = ["MAX_STEPS", "Settings", "check_settings", "generate", "resolve_settings"]


def _recordable(x: Any) -> Any:
    """``x`` for the metadata: JSON (:func:`vidkit.files.jsonable`), large arrays and other
    objects as a short description."""
    return jsonable(x, other=describe, max_items=16)


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


def _check_call(
    task: str, strength: Any, negative_prompt: Any, record: Any, callbacks: Any
) -> list[Callable[..., Any]]:
    """The arguments that depend on the task; returns the callbacks as a list."""
    if strength is not None and task not in ("v2v", "condition"):
        raise ValueError(
            f"strength applies to video-to-video (pass video=...), not to {task}; "
            f"got strength={strength}"
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
        return [callbacks]
    return list(callbacks)


def _check_pipeline_kwargs(dpipe: Any, pipeline_kwargs: Mapping[str, Any]) -> frozenset[str]:
    """The names the pipeline's ``__call__`` takes, after checking ``pipeline_kwargs`` against them."""
    params, var_kw = call_params(dpipe)
    bad = set(pipeline_kwargs) & RESERVED_KWARGS
    if bad:
        raise ValueError(f"{sorted(bad)} are set by vidkit.generate; do not pass them")
    unknown = set(pipeline_kwargs) - params
    if unknown and not var_kw:
        raise TypeError(
            f"{type(dpipe).__name__} does not take {sorted(unknown)}; it takes "
            f"{sorted(params - RESERVED_KWARGS)}"
        )
    return params


def _prompts(
    family: Any, prompt: Any, params: frozenset[str], embeds_given: bool
) -> tuple[list[str | None], bool]:
    """(one prompt per sample group, whether the pipeline gets them as ``prompt=``)."""
    if not family.text_conditioned and "prompt" not in params:
        if prompt is not None:
            warnings.warn(
                f"{family.name} models take no text prompt: the prompt is recorded but not used",
                stacklevel=3,
            )
        return prepare_prompts(prompt, required=False), False
    return prepare_prompts(prompt, required=not embeds_given), "prompt" in params


def _pipeline_arguments(
    vp: VideoPipeline,
    dpipe: Any,
    task: str,
    s: Settings,
    params: frozenset[str],
    negative_prompt: str | None,
    strength: float | None,
    pipeline_kwargs: Mapping[str, Any],
) -> dict[str, Any]:
    """The diffusers call's keyword arguments shared by every batch (no prompt or generator)."""
    fam = vp.family
    kw: dict[str, Any] = {"num_inference_steps": s.steps, "output_type": "np"}
    if "height" in params:
        kw["height"], kw["width"] = s.height, s.width
    if "num_frames" in params and task != "v2v":
        kw["num_frames"] = s.num_frames
    if s.guidance is not None and fam.guidance_arg and fam.guidance_arg in params:
        kw[fam.guidance_arg] = float(s.guidance)
    if fam.fps_arg and fam.fps_arg in params and fam.fps_arg not in pipeline_kwargs:
        kw[fam.fps_arg] = s.fps if fam.fps_arg != "fps" else int(round(s.fps))
    if negative_prompt is not None:
        if "negative_prompt" not in params:
            raise ValueError(f"{type(dpipe).__name__} takes no negative_prompt")
        kw["negative_prompt"] = negative_prompt
    if s.image is not None:
        kw["image"] = s.image
    if s.video is not None:
        kw["video"] = s.video.to_pil()
    if strength is not None:
        kw["denoise_strength" if task == "condition" else "strength"] = float(strength)
    kw.update(s.extra)
    for k, v in vp.call_defaults.items():
        if k in params and k not in pipeline_kwargs:
            kw[k] = v
    if fam.prepare_call is not None:  # the family's own conditioning preparation
        kw = fam.prepare_call(dpipe, task, s, kw)
    kw.update(pipeline_kwargs)
    return kw


def _recorder(record: Any) -> TrajectoryRecorder | None:
    """The trajectory recorder ``record`` asks for (reset for this call), or None."""
    rec = None
    if isinstance(record, TrajectoryRecorder):
        rec = record
    elif record in ("trajectory", "x0"):
        rec = TrajectoryRecorder(x0=record == "x0")
    if rec is not None:
        rec.reset()
    return rec


def _batch_call_kwargs(
    kw: Mapping[str, Any],
    chunk: Sequence[tuple[str | None, int]],
    family: Any,
    task: str,
    params: frozenset[str],
    use_prompt: bool,
    driver: StepDriver | None,
) -> dict[str, Any]:
    """The arguments of one pipeline call: the shared ones plus this batch's prompts and
    generators (one seeded CPU generator per sample, so a sample does not depend on its batch)."""
    import torch

    call_kw = dict(kw)
    call_kw["generator"] = [torch.Generator("cpu").manual_seed(s) for _, s in chunk]
    per_sample_image = "image" in kw and family.image_per_sample
    if per_sample_image and len(chunk) > 1:
        call_kw["image"] = [kw["image"]] * len(chunk)
        if "last_image" in kw:
            call_kw["last_image"] = [kw["last_image"]] * len(chunk)
    if task == "v2v" and "video" in kw and len(chunk) > 1:
        call_kw["video"] = [kw["video"]] * len(chunk)
    if len(chunk) == 1 and "reference_images" in params:
        # WanVACEPipeline takes one prompt string and one generator only (one sample per call)
        call_kw["generator"] = call_kw["generator"][0]
    if use_prompt and len(chunk) == 1 and "reference_images" in params:
        call_kw["prompt"] = chunk[0][0]
    elif use_prompt:
        call_kw["prompt"] = [p for p, _ in chunk]
    elif "num_videos_per_prompt" in params and not per_sample_image:
        call_kw["num_videos_per_prompt"] = len(chunk)
    if driver is not None:
        call_kw["callback_on_step_end"] = driver
        call_kw["callback_on_step_end_tensor_inputs"] = ["latents"]
    return call_kw


def _run_pipeline(
    dpipe: Any, call_kw: Mapping[str, Any], driver: StepDriver | None, device: str
) -> tuple[Any, dict[str, Any]]:
    """One pipeline call: (its frames, what each of its videos records about the call)."""
    import torch

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
    interrupted = bool(getattr(dpipe, "_interrupt", False))
    audio = pipeline_audio(dpipe, out, call_kw)
    return frames, {
        "_audio": audio,
        "scheduler": type(dpipe.scheduler).__name__,
        "scheduler_config": _scheduler_info(dpipe.scheduler),
        "wall_time_s": round(wall, 6),
        "peak_memory_bytes": peak,
        "peak_memory_kind": peak_kind,
        "interrupted": interrupted,
        "steps_completed": (driver.last_step + 1) if driver is not None else None,
        "steps_run": driver.num_steps if driver is not None and driver.num_steps else None,
    }


def pipeline_audio(dpipe: Any, out: Any, call_kw: Mapping[str, Any]) -> tuple[Any, int] | None:
    """The waveform a joint audio-video pipeline returned beside the frames (LTX-2's ``audio``),
    as ``(float32 [batch, channels, n] in [-1, 1], sample rate)``; None when it returned none
    (or only latents).

    Example:
        >>> import types, torch
        >>> out = types.SimpleNamespace(frames=None, audio=torch.zeros(2, 2, 800))
        >>> pipe = types.SimpleNamespace(vocoder=types.SimpleNamespace(
        ...     config=types.SimpleNamespace(output_sampling_rate=24000)))
        >>> samples, rate = pipeline_audio(pipe, out, {})
        >>> samples.shape, rate
        ((2, 2, 800), 24000)
    """

    audio = getattr(out, "audio", None)
    if audio is None or call_kw.get("output_type") == "latent":
        return None
    arr = audio.detach().float().cpu().numpy() if hasattr(audio, "detach") else np.asarray(audio)
    if arr.ndim == 2:  # [batch, n]: mono
        arr = arr[:, None, :]
    if arr.ndim != 3 or not np.isfinite(arr).all():
        return None
    vocoder = getattr(dpipe, "vocoder", None)
    rate = getattr(getattr(vocoder, "config", None), "output_sampling_rate", None)
    rate = rate or getattr(dpipe, "audio_sampling_rate", None)
    if not rate:
        return None
    return np.clip(arr, -1.0, 1.0).astype(np.float32), int(rate)


def _step_context(
    s: Settings, task: str, kw: Mapping[str, Any], offset: int, num_calls: int
) -> dict[str, Any]:
    """What step callbacks (and trajectory decoding) know about one pipeline call."""
    return {
        "num_frames": s.num_frames,
        "height": s.height,
        "width": s.width,
        "fps": s.fps,
        "task": task,
        "sample_offset": offset,
        "num_calls": num_calls,
        "kwargs": kw,
        "dtype": None,
    }


def _videos(
    frames: Any,
    chunk: Sequence[tuple[str | None, int]],
    offset: int,
    s: Settings,
    meta: Mapping[str, Any],
    recorder: TrajectoryRecorder | None,
) -> list[Video]:
    """The batch's videos, each with the call's metadata plus its prompt, seed and index."""
    vids = Video.from_pipeline_output(frames, fps=s.fps)
    if len(vids) != len(chunk):
        raise RuntimeError(f"the pipeline returned {len(vids)} videos for a batch of {len(chunk)}")
    meta = dict(meta)
    audio = meta.pop("_audio", None)
    if audio is not None:  # a joint audio-video model (LTX-2): each video carries its track
        samples, rate = audio
        vids = [v.with_audio(samples[j], rate) for j, v in enumerate(vids)]
        meta["audio"] = {"sample_rate": rate, "channels": int(samples.shape[1])}
    created = datetime.now(timezone.utc).isoformat(timespec="seconds")
    for j, ((prompt, seed), v) in enumerate(zip(chunk, vids)):
        v.metadata = {**meta, "prompt": prompt, "seed": seed, "sample_index": offset + j}
        if v.metadata["steps_completed"] is None:
            v.metadata["steps_completed"] = s.steps
        v.metadata["created"] = created
        if recorder is not None:
            v.metadata["trajectory"] = recorder.trajectory(offset + j)
    return vids


def _common_metadata(
    vp: VideoPipeline,
    dpipe: Any,
    task: str,
    s: Settings,
    *,
    negative_prompt: str | None,
    strength: float | None,
    image: Any,
    video: Any,
    device: str,
    batch_size: int,
    pipeline_kwargs: Mapping[str, Any],
) -> dict[str, Any]:
    """What every video of the call records (the per-sample entries are added after)."""
    import torch

    return {
        "task": task,
        "family": vp.family.name,
        "model_id": vp.model_id,
        "pipeline": type(dpipe).__name__,
        "negative_prompt": negative_prompt,
        "steps": s.steps,
        "guidance": None if s.guidance is None else float(s.guidance),
        "num_frames": s.num_frames,
        "height": s.height,
        "width": s.width,
        "fps": s.fps,
        "strength": strength,
        "image": describe(image),
        "video": describe(video),
        "device": device,
        "dtype": str(vp.dtype).replace("torch.", ""),
        "batch_size": batch_size,
        "pipeline_kwargs": _recordable(pipeline_kwargs),
        "adjustments": list(s.notes),
        "vidkit_version": _version("vidkit"),
        "diffusers_version": _version("diffusers"),
        "torch_version": torch.__version__,
    }


def generate(
    pipe: Any,
    prompt: str | Sequence[str] | None = None,
    image: Any = None,
    video: Any = None,
    *,
    last_image: Any = None,
    extend: int | None = None,
    control_video: Any = None,
    mask: Any = None,
    reference_images: Any = None,
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
    cache: Any = None,
    attention_backend: str | None = None,
    compile: bool | str | dict | None = None,
    lora: str | Any = None,
    lora_scale: float | Mapping[str, float] = 1.0,
    **pipeline_kwargs: Any,
) -> Video | list[Video]:
    """Generate videos with a diffusers video pipeline; returns :class:`vidkit.Video` (+metadata).

    Args:
        pipe: a :class:`~vidkit.sampling.VideoPipeline` (``vk.load``) or a raw diffusers pipeline.
        prompt: a prompt or a list of prompts.
        image: first-frame image (path, PIL, array, tensor or a Video frame) -> image-to-video.
        video: input video (Video, path, array, PIL list) -> video-to-video (with ``extend``:
            the video to continue).
        last_image: the last frame, with ``image`` the first -> first-last-frame (Wan
            first-last-frame and Wan 2.2 I2V checkpoints, SkyReels-V2 I2V): fitted to the
            output size like ``image``.
        extend: with ``video``, continue it by at least this many new frames (rounded up to the
            family's frame rule, noted). LTX: the last ``8k+1`` input frames are a video
            condition at frame 0 of a longer generation (the result starts with them,
            regenerated); families with image-to-video: a labelled fallback, image-to-video from
            the last frame appended to the input (the result starts with the input exactly).
            ``metadata["extension"]`` says which, with the frame counts.
        control_video, mask, reference_images: control (a pipeline that takes them:
            ``WanVACEPipeline`` takes all three: a control video, a mask (white: generate, black:
            keep; one image or one per frame) and reference images; ``CogVideoXFunControlPipeline``
            takes ``control_video``). The control video is fitted to the family's frame and size
            rules; the mask to the control video.
        seed: an int, or a list of seeds; ``None`` draws one (recorded).
        steps, guidance, num_frames, height, width, fps: ``None`` takes the model's default
            (``pipe.defaults``, see :func:`resolve_settings`); sizes and frame counts are fitted
            to the family's rules with a warning. ``fps`` is the output's frame rate (and the
            conditioning of fps-conditioned models).
        negative_prompt: as in diffusers.
        strength: video-to-video denoising strength in [0, 1] (1 ignores the input).
        scheduler: a name (``"unipc"``, ``"euler"``, ``"flow-euler"``, ``"dpm++"``, ``"ddim"``...)
            or scheduler object for this call only.
        callbacks: callables ``fn(state)`` called after every step (see
            :mod:`vidkit.sampling.callbacks`).
        record: ``"trajectory"`` (decoded latents every few steps), ``"x0"`` (also the predicted
            clean video) or a :class:`~vidkit.sampling.callbacks.TrajectoryRecorder`; the result
            is ``video.metadata["trajectory"]``.
        task: force a task (``"condition"`` for LTX's condition pipeline).
        batch_size: samples per pipeline call (each still has its own generator).
        progress: show a ``tqdm.auto`` bar over all steps.
        cache, attention_backend, compile, lora, lora_scale: speed knobs for this call only
            (:mod:`vidkit.sampling.knobs`): a diffusers cache hook (name or config), an attention
            backend, ``compile_repeated_blocks``/``torch.compile``, a safetensors LoRA at a scale.
            A two-expert Wan 2.2 A14B pipeline gets one LoRA file in both experts, or one file
            per expert with ``lora={"transformer": high, "transformer_2": low}`` (e.g. a
            few-step distillation LoRA pair); ``lora_scale`` is one number or one per expert.
            All are undone after the call and recorded in ``metadata["knobs"]``
            (``lora_components``: each component that held the LoRA, its file and scale).
        **pipeline_kwargs: passed to the diffusers pipeline unchanged (e.g. ``max_sequence_length``).

    Returns:
        One Video for one prompt and one int seed; otherwise a list over prompts x seeds
        (prompt-major). ``metadata`` holds every parameter, the seed, model id, scheduler, wall
        time (of the pipeline call that made it) and peak memory.

    Example:
        >>> import vidkit as vk
        >>> pipe = vk.testing.tiny_pipeline("wan", "t2v")
        >>> vs = vk.generate(pipe, prompt="a ball", seed=[0, 1], steps=2, progress=False)
        >>> [v.metadata["seed"] for v in vs], vs[0].metadata["steps"]
        ([0, 1], 2)
        >>> v = vk.generate(pipe, prompt="...", video=vs[0], strength=0.6, steps=2,
        ...                 progress=False)
        >>> v.metadata["task"]
        'v2v'
    """
    # 1. Check the settings, before a model is loaded or a pipeline switched
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
    knobs = {
        "cache": cache,
        "attention_backend": attention_backend,
        "compile": compile,
        "lora": lora,
        "lora_scale": lora_scale,
    }
    check_knobs(**knobs)

    # 2. The model and the task: an image makes it image-to-video, a video video-to-video;
    #    last_image, extend and the control inputs pick the first-last-frame, extension and
    #    control tasks (each checked against what the pipeline takes)
    vp = as_video_pipeline(pipe)
    fam = vp.family
    control = {"control_video": control_video, "mask": mask, "reference_images": reference_images}
    mode = task_mode(last_image, extend, control)
    method = None
    if mode is None:
        t = infer_task(vp, image, video, task)
        dpipe = vp.for_task(t)
    else:
        t, dpipe, method = plan_mode(vp, mode, image, video, task, control)
    callbacks = _check_call(t, strength, negative_prompt, record, callbacks)
    params = _check_pipeline_kwargs(dpipe, pipeline_kwargs)

    # 3. Prompts and seeds: every prompt with every seed
    prompts, use_prompt = _prompts(fam, prompt, params, "prompt_embeds" in pipeline_kwargs)
    seeds, single_seed = seed_list(seed)
    single = (isinstance(prompt, str) or prompt is None) and single_seed

    # 4. Settings: given, else the model's defaults; fitted to the family's rules
    given = {
        "height": height,
        "width": width,
        "num_frames": num_frames,
        "fps": fps,
        "steps": steps,
        "guidance": guidance,
    }
    if mode is None:
        s = resolve_settings(vp, t, image=image, video=video, **given)
    else:
        s = mode_settings(
            vp,
            mode,
            t,
            dpipe,
            method,
            image=image,
            video=video,
            last_image=last_image,
            extend=extend,
            control=control,
            **given,
        )

    # 5. The pipeline's arguments
    kw = _pipeline_arguments(vp, dpipe, t, s, params, negative_prompt, strength, pipeline_kwargs)

    # 6. Callbacks: trajectory recording and the progress bar are callbacks too
    recorder = _recorder(record)
    if recorder is not None:
        callbacks.append(recorder)
    bar = None
    if progress and not any(isinstance(c, Progress) for c in callbacks):
        bar = Progress(desc=f"{fam.name} {t}")
        callbacks.append(bar)

    # 7. Batches of (prompt, seed)
    if t == "condition" and batch_size > 1:
        # LTX's condition pipeline encodes one set of conditions for the whole batch, with noise
        # from the first generator only: batching would break per-sample seeding
        warnings.warn("the condition task runs one sample per call (batch_size=1)", stacklevel=2)
        batch_size = 1
    if method == "diffusion-forcing" and batch_size > 1:
        warnings.warn("a diffusion-forcing extension runs one sample per call", stacklevel=2)
        batch_size = 1
    if "reference_images" in params and batch_size > 1:
        warnings.warn(
            f"{type(dpipe).__name__} takes one prompt per call: batch_size=1", stacklevel=2
        )
        batch_size = 1
    items = [(p, sd) for p in prompts for sd in seeds]
    chunks = [items[i : i + batch_size] for i in range(0, len(items), batch_size)]
    device = _device_str(vp)
    common = _common_metadata(
        vp,
        dpipe,
        t,
        s,
        negative_prompt=negative_prompt,
        strength=strength,
        image=image,
        video=video,
        device=device,
        batch_size=batch_size,
        pipeline_kwargs=pipeline_kwargs,
    )
    common.update(mode_metadata(mode, s, last_image, extend, control))

    # 8. Run the pipeline once per batch (this call's scheduler; restored after)
    results: list[Video] = []
    sched_name = scheduler if isinstance(scheduler, str) else None
    orig_sched = dpipe.scheduler
    prev_bar_cfg = getattr(dpipe, "_progress_bar_config", None)
    # no knob given: nothing to apply or undo (apply_knobs would record {})
    knob_ctx = (
        apply_knobs(vp, dpipe, steps=s.steps, **knobs)
        if any(
            knobs[k] not in (None, False) for k in ("cache", "attention_backend", "compile", "lora")
        )
        else contextlib.nullcontext({})
    )
    try:
        common["knobs"] = {**knob_ctx.__enter__(), "quantize": recorded_quantize(dpipe)}
        if scheduler is not None:
            dpipe.scheduler = make_scheduler(scheduler, vp)
        if callbacks and hasattr(dpipe, "set_progress_bar_config") and bar is not None:
            dpipe.set_progress_bar_config(disable=True)
        for ci, chunk in enumerate(chunks):
            ctx = _step_context(s, t, kw, ci * batch_size, len(chunks))
            driver = StepDriver(callbacks, fam, ctx) if callbacks else None
            call_kw = _batch_call_kwargs(kw, chunk, fam, t, params, use_prompt, driver)
            frames, run = _run_pipeline(dpipe, call_kw, driver, device)

            # 9. Videos with their metadata
            meta = {**common, "scheduler_name": sched_name, **run}
            vids = _videos(frames, chunk, ci * batch_size, s, meta, recorder)
            if s.prefix is not None:  # the extension fallback: the input, then the new frames
                vids = [with_prefix(s.prefix, v) for v in vids]
            if mode == "extend":
                for v in vids:
                    v.metadata["num_frames"] = v.num_frames
            results.extend(vids)
            if run["interrupted"] and ci + 1 < len(chunks):
                warnings.warn(
                    f"generation interrupted: {len(items) - len(results)} of {len(items)} "
                    "samples were not generated",
                    stacklevel=2,
                )
                break
    finally:
        knob_ctx.__exit__(None, None, None)
        # restored only when replaced: a diffusers pipeline's __setattr__ re-registers its config
        if dpipe.scheduler is not orig_sched:
            dpipe.scheduler = orig_sched
        if (
            prev_bar_cfg is not None
            and hasattr(dpipe, "set_progress_bar_config")
            and getattr(dpipe, "_progress_bar_config", None) is not prev_bar_cfg
        ):
            dpipe._progress_bar_config = prev_bar_cfg
        if bar is not None:
            bar.close()
        for cb in callbacks:
            if isinstance(cb, Progress) and cb is not bar:
                cb.close()

    # 10. One video for one prompt and one seed, else the list
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
