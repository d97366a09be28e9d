"""Sampling: ``generate``, ``sweep`` and schedulers by name (``generate_many``: :mod:`vidkit.batch`).

``vk.generate`` runs any diffusers video pipeline (through the vidkit wrapper from ``vk.load``, or
a raw pipeline) and returns :class:`vidkit.Video` objects whose metadata records everything needed
to reproduce them. The task follows from the inputs (an image makes it image-to-video, a video
video-to-video); sizes and frame counts are fitted to the family's rules with a warning; each
sample gets its own seeded generator, so sample i of a batch equals the same seed run alone.

Callbacks (see :mod:`vidkit.callbacks`) get one uniform :class:`~vidkit.callbacks.StepState` per
step; ``record="trajectory"`` stores the decoded denoising trajectory in
``video.metadata["trajectory"]`` (a :class:`~vidkit.callbacks.Trajectory`, whose last entry
equals the video).

Example:
    >>> import vidkit as vk
    >>> pipe = vk.testing.tiny_pipeline("wan", "t2v")
    >>> v = vk.generate(pipe, prompt="a red ball bounces", seed=1, steps=2)
    >>> v.metadata["seed"], v.metadata["task"], v.metadata["scheduler"]
    (1, 't2v', 'FlowMatchEulerDiscreteScheduler')
    >>> grid = vk.sweep(pipe, prompt="a ball", seed=[0, 1], guidance=[1.0, 5.0], steps=2)
    >>> grid.table["seed"].tolist(), grid.table["guidance"].tolist()
    ([0, 0, 1, 1], [1.0, 5.0, 1.0, 5.0])
"""

from __future__ import annotations

import functools
import inspect
import itertools
import sys
import time
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

import numpy as np

from vidkit.callbacks import Progress, StepDriver, TrajectoryRecorder
from vidkit.conditioning import (
    describe,
    fit_frames,
    fit_size,
    prepare_image,
    prepare_prompts,
    prepare_video,
    target_size,
    to_image,
)
from vidkit.errors import ArgumentError
from vidkit.models import (
    ModelFamily,
    VideoPipeline,
    normalize_task,
    owner_of,
)
from vidkit.video import Video

__all__ = [
    "SCHEDULERS",
    "SweepResult",
    "generate",
    "make_scheduler",
    "scheduler_names",
    "sweep",
]

# --------------------------------------------------------------------------- schedulers
# name -> (diffusers class, extra config); "flow" entries are for flow-matching models
_NOISE_SCHEDULERS: dict[str, tuple[str, dict[str, Any]]] = {
    "euler": ("EulerDiscreteScheduler", {}),
    "euler-a": ("EulerAncestralDiscreteScheduler", {}),
    "heun": ("HeunDiscreteScheduler", {}),
    "ddim": ("DDIMScheduler", {}),
    "ddpm": ("DDPMScheduler", {}),
    "unipc": ("UniPCMultistepScheduler", {}),
    "dpm++": ("DPMSolverMultistepScheduler", {"algorithm_type": "dpmsolver++"}),
    "dpm++-karras": (
        "DPMSolverMultistepScheduler",
        {"algorithm_type": "dpmsolver++", "use_karras_sigmas": True},
    ),
    "dpm++-sde": ("DPMSolverMultistepScheduler", {"algorithm_type": "sde-dpmsolver++"}),
    "cogvideox-ddim": ("CogVideoXDDIMScheduler", {}),
    "cogvideox-dpm": ("CogVideoXDPMScheduler", {}),
}
_FLOW_SCHEDULERS: dict[str, tuple[str, dict[str, Any]]] = {
    "flow-euler": ("FlowMatchEulerDiscreteScheduler", {}),
    "flow-heun": ("FlowMatchHeunDiscreteScheduler", {}),
    # UniPC / DPM-Solver++ on a flow-matching model need these settings, otherwise they silently
    # treat the velocity as epsilon (REFERENCES §8)
    "flow-unipc": (
        "UniPCMultistepScheduler",
        {"prediction_type": "flow_prediction", "use_flow_sigmas": True},
    ),
    "flow-dpm++": (
        "DPMSolverMultistepScheduler",
        {
            "prediction_type": "flow_prediction",
            "use_flow_sigmas": True,
            "algorithm_type": "dpmsolver++",
        },
    ),
}
# short names resolve to the flow variant on flow-matching models
_FLOW_ALIASES = {
    "euler": "flow-euler",
    "heun": "flow-heun",
    "unipc": "flow-unipc",
    "dpm++": "flow-dpm++",
}
_NAME_ALIASES = {
    "dpmpp": "dpm++",
    "dpm-solver++": "dpm++",
    "dpmsolver++": "dpm++",
    "euler_a": "euler-a",
    "euler-ancestral": "euler-a",
    "uni-pc": "unipc",
    "flow_euler": "flow-euler",
    "flow-match-euler": "flow-euler",
    "flow-dpmpp": "flow-dpm++",
}
SCHEDULERS: tuple[str, ...] = tuple(_NOISE_SCHEDULERS) + tuple(_FLOW_SCHEDULERS)

# what the released pipelines pass to set_timesteps (a scheduler must accept it)
_FAMILY_TIMESTEP_ARGS = {"ltx": ("sigmas", "mu")}
# families whose pipelines need one scheduler kind (SVD: continuous EDM timesteps)
_FAMILY_ONLY = {"svd": ("euler",)}


def _is_flow(family: ModelFamily | None, scheduler: Any) -> bool:
    if family is not None and family.name != "generic":
        return bool(family.flow_matching)
    cfg = getattr(scheduler, "config", {}) or {}
    return (
        type(scheduler).__name__.startswith("FlowMatch")
        or bool(cfg.get("use_flow_sigmas"))
        or cfg.get("prediction_type") == "flow_prediction"
    )


def _sched_class(name: str) -> type:
    import diffusers

    return getattr(diffusers, name)


def scheduler_names(pipe: Any) -> list[str]:
    """The scheduler names valid for this model (flow-matching models get the flow variants).

    Example:
        >>> scheduler_names(vk.testing.tiny_pipeline("wan"))  # doctest: +SKIP
        ['euler', 'heun', 'unipc', 'dpm++', 'flow-euler', 'flow-heun', 'flow-unipc', 'flow-dpm++']
    """
    vp = _as_video_pipeline(pipe)
    fam = vp.family
    if fam.name in _FAMILY_ONLY:
        return list(_FAMILY_ONLY[fam.name])
    needs = _FAMILY_TIMESTEP_ARGS.get(fam.name, ())

    def ok(cls_name: str) -> bool:
        params = inspect.signature(_sched_class(cls_name).set_timesteps).parameters
        return all(n in params for n in needs)

    if _is_flow(fam, vp.scheduler):
        names = [a for a, f in _FLOW_ALIASES.items() if ok(_FLOW_SCHEDULERS[f][0])]
        return names + [n for n, (c, _) in _FLOW_SCHEDULERS.items() if ok(c)]
    names = [n for n, (c, _) in _NOISE_SCHEDULERS.items() if ok(c)]
    if fam.name != "cogvideox":
        names = [n for n in names if not n.startswith("cogvideox")]
    return names


def make_scheduler(name: str | Any, pipe: Any, **overrides: Any) -> Any:
    """A scheduler for ``pipe`` by name, built with ``from_config`` from the pipeline's own config.

    Names: ``"euler"``, ``"euler-a"``, ``"heun"``, ``"ddim"``, ``"ddpm"``, ``"unipc"``, ``"dpm++"``,
    ``"dpm++-karras"``, ``"dpm++-sde"``, ``"cogvideox-ddim"``, ``"cogvideox-dpm"``, and for
    flow-matching models (Wan, LTX, HunyuanVideo) ``"flow-euler"``, ``"flow-heun"``,
    ``"flow-unipc"``, ``"flow-dpm++"`` (``"euler"``, ``"unipc"``... map to these there). Flow
    UniPC / DPM-Solver++ get ``prediction_type="flow_prediction", use_flow_sigmas=True`` and the
    model's shift as ``flow_shift``. A scheduler object is returned as is. Unknown or unsuitable
    names raise a ``ValueError`` listing the valid ones.

    Example:
        >>> s = make_scheduler("unipc", vk.testing.tiny_pipeline("wan"))   # doctest: +SKIP
        >>> s.config.prediction_type, s.config.use_flow_sigmas            # doctest: +SKIP
        ('flow_prediction', True)
    """
    if not isinstance(name, str):
        if hasattr(name, "set_timesteps") and hasattr(name, "step"):
            return name
        raise TypeError(f"scheduler must be a name or a diffusers scheduler, got {name!r}")
    vp = _as_video_pipeline(pipe)
    valid = scheduler_names(vp)
    key = _NAME_ALIASES.get(name.strip().lower(), name.strip().lower())
    if key not in valid:
        why = "unknown scheduler"
        if key in SCHEDULERS:
            kind = "flow-matching" if _is_flow(vp.family, vp.scheduler) else "noise-prediction"
            why = f"scheduler {name!r} does not suit this {kind} model ({vp.family.name})"
        else:
            why = f"unknown scheduler {name!r}"
        raise ValueError(f"{why}; valid names here: {valid}")
    base = dict(vp.scheduler.config)
    flow = _is_flow(vp.family, vp.scheduler)
    if flow:
        key = _FLOW_ALIASES.get(key, key)
        cls_name, extra = _FLOW_SCHEDULERS[key]
        shift = base.get("flow_shift") if base.get("use_flow_sigmas") else None
        shift = shift if shift is not None else base.get("shift", base.get("flow_shift", 1.0))
        extra = dict(extra)
        if cls_name.startswith("FlowMatch"):
            extra["shift"] = shift
        else:
            extra["flow_shift"] = shift
            # a flow base config has no beta schedule; do not carry a stale prediction type
            base.pop("prediction_type", None)
    else:
        cls_name, extra = _NOISE_SCHEDULERS[key]
    cfg = {**extra, **overrides}
    cls = _sched_class(cls_name)
    # keep only what the target understands (a flow config's "shift" means nothing to UniPC,
    # which takes "flow_shift" instead), so from_config has nothing to complain about
    known = set(inspect.signature(cls.__init__).parameters) - {"self"}
    base = {k: v for k, v in base.items() if k in known}
    return cls.from_config(base, **cfg)


def _scheduler_info(sched: Any) -> dict[str, Any]:
    cfg = {k: v for k, v in dict(sched.config).items() if not k.startswith("_")}
    return _jsonable(cfg)


# --------------------------------------------------------------------------- helpers
def _as_video_pipeline(pipe: Any) -> VideoPipeline:
    """The vidkit wrapper of ``pipe``: a raw diffusers pipeline built by a VideoPipeline finds its
    owner (and its defaults); any other is wrapped once (family defaults)."""
    if isinstance(pipe, VideoPipeline):
        return pipe
    if not hasattr(pipe, "components") or not callable(pipe):
        raise TypeError(
            f"expected a vidkit VideoPipeline (vk.load) or a diffusers pipeline, got "
            f"{type(pipe).__name__}"
        )
    vp = owner_of(pipe)
    if vp is None:
        vp = VideoPipeline(pipe)
    if vp.pipeline is not pipe:
        for task, p in vp._pipes.items():
            if p is pipe:
                vp = vp.use_task(task)
                break
    return vp


def _jsonable(x: Any) -> Any:
    """A JSON-safe copy of ``x`` (numbers, strings, lists, dicts; others as short text)."""
    if x is None or isinstance(x, (bool, int, float, str)):
        if isinstance(x, float) and not np.isfinite(x):
            return str(x)
        return x
    if isinstance(x, np.generic):
        return _jsonable(x.item())
    if isinstance(x, Mapping):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if isinstance(x, np.ndarray) and x.size <= 16:
        return _jsonable(x.tolist())
    return describe(x)


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


def _check_settings(**settings: Any) -> None:
    """The cheap checks of generate's scalar settings; ``None`` means the model's default."""
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
    _check_settings(
        steps=steps,
        guidance=guidance,
        strength=strength,
        fps=fps,
        num_frames=num_frames,
        height=height,
        width=width,
        batch_size=batch_size,
    )
    vp = _as_video_pipeline(pipe)
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
        "pipeline_kwargs": _jsonable(pipeline_kwargs),
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


# --------------------------------------------------------------------------- sweep
_SWEEPABLE = (
    "prompt",
    "seed",
    "guidance",
    "steps",
    "strength",
    "scheduler",
    "num_frames",
    "height",
    "width",
    "negative_prompt",
)


class SweepResult(Mapping):
    """The results of :func:`sweep`: a table of parameters and one Video per grid cell.

    It is a mapping ``{label: Video}`` (so ``vk.show(result)`` shows a labelled grid), with
    ``.table`` (a pandas DataFrame: one row per cell, the swept parameters, label, wall time and
    the Video's index) and ``.videos()`` (the mapping as a dict).

    Example:
        >>> res = vk.sweep(pipe, prompt="a ball", seed=[0, 1], guidance=[2, 6])  # doctest: +SKIP
        >>> res.table                                                             # doctest: +SKIP
        >>> vk.show(res)                                                          # doctest: +SKIP
        >>> res.get_video(seed=1, guidance=6)                                     # doctest: +SKIP
    """

    def __init__(self, axes: dict[str, list[Any]], rows: list[dict[str, Any]], videos: list[Video]):
        import pandas as pd

        self.axes = axes
        self._videos = videos
        self.table = pd.DataFrame(rows)

    def __getitem__(self, key: str | int) -> Video:
        if isinstance(key, (int, np.integer)):
            return self._videos[int(key)]
        labels = list(self.table["label"])
        if key not in labels:
            raise KeyError(f"no cell labelled {key!r}; labels: {labels}")
        return self._videos[labels.index(key)]

    def __iter__(self) -> Iterator[str]:
        return iter(list(self.table["label"]))

    def __len__(self) -> int:
        return len(self._videos)

    def videos(self) -> dict[str, Video]:
        """``{label: Video}`` in grid order."""
        return dict(zip(self.table["label"], self._videos))

    def get_video(self, **params: Any) -> Video:
        """The Video of the cell with these parameter values (e.g. ``seed=1, guidance=6``)."""
        unknown = set(params) - set(self.axes)
        if unknown:
            raise KeyError(f"{sorted(unknown)} are not swept axes; axes: {list(self.axes)}")
        mask = np.ones(len(self.table), bool)
        for k, v in params.items():
            mask &= (self.table[k] == v).to_numpy()
        hits = np.flatnonzero(mask)
        if len(hits) != 1:
            raise KeyError(f"{params} matches {len(hits)} cells, expected one")
        return self._videos[int(hits[0])]

    def _repr_html_(self) -> str:
        from vidkit.display import show

        cols = len(next(reversed(self.axes.values()))) if self.axes else None
        return show(self.videos(), columns=cols, return_html=True)

    def __repr__(self) -> str:
        shape = " x ".join(f"{k}[{len(v)}]" for k, v in self.axes.items()) or "1"
        return f"SweepResult({shape} = {len(self)} videos)"


def sweep(pipe: Any, **params: Any) -> SweepResult:
    """Run :func:`generate` over the grid of every list-valued parameter.

    Any of ``prompt, seed, guidance, steps, strength, scheduler, num_frames, height, width,
    negative_prompt`` may be a list; the grid is their product (first axis slowest). Other
    arguments (``image``, ``video``, pipeline kwargs) are passed to every call.

    Example:
        >>> res = vk.sweep(pipe, prompt="a ball", seed=[0, 1], guidance=[2.0, 6.0], steps=2)  # doctest: +SKIP
        >>> list(res)                                                           # doctest: +SKIP
        ['seed=0, guidance=2.0', 'seed=0, guidance=6.0', 'seed=1, guidance=2.0', ...]
    """
    axes: dict[str, list[Any]] = {}
    fixed: dict[str, Any] = {}
    for k, v in params.items():
        if k in _SWEEPABLE and isinstance(v, (list, tuple)):
            if not v:
                raise ValueError(f"sweep axis {k!r} is empty")
            axes[k] = list(v)
        else:
            fixed[k] = v
    if "record" in fixed and fixed["record"] is not None and not isinstance(fixed["record"], str):
        raise ValueError(
            "sweep records trajectories with record='trajectory' (a recorder is shared)"
        )
    rows: list[dict[str, Any]] = []
    videos: list[Video] = []
    combos = list(itertools.product(*axes.values())) if axes else [()]
    checked = (
        "steps",
        "guidance",
        "strength",
        "fps",
        "num_frames",
        "height",
        "width",
        "batch_size",
    )
    for combo in combos:  # every cell's settings, before the first generation
        cell = {**fixed, **dict(zip(axes, combo))}
        _check_settings(**{k: cell[k] for k in checked if k in cell})
    for combo in combos:
        cell = dict(zip(axes, combo))
        label = ", ".join(f"{k}={_short(v)}" for k, v in cell.items()) or "default"
        v = generate(pipe, **fixed, **cell)
        if isinstance(v, list):  # pragma: no cover - guarded by axes handling
            raise ValueError("sweep cells must produce one video; pass lists as axes")
        videos.append(v)
        rows.append(
            {
                **cell,
                "label": label,
                "wall_time_s": v.metadata.get("wall_time_s"),
                "seed_used": v.metadata.get("seed"),
            }
        )
    return SweepResult(axes, rows, videos)


def _short(v: Any) -> str:
    s = str(v)
    return s if len(s) <= 40 else s[:37] + "..."
