"""The settings of one :func:`vidkit.generate` call: argument checks, the task inferred from
the inputs, and :class:`Settings` resolved from the model's defaults and the family's rules.

Example:
    >>> check_settings(steps=4, guidance=2.0)
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
from collections.abc import Sequence
from typing import Any

import numpy as np

from vidkit.errors import ArgumentError
from vidkit.sampling.conditioning import (
    fit_frames,
    fit_size,
    prepare_image,
    prepare_video,
    target_size,
    to_image,
)
from vidkit.sampling.families import normalize_task
from vidkit.sampling.pipeline import VideoPipeline
from vidkit.video import Video


def call_params(pipe: Any) -> tuple[frozenset[str], bool]:
    """(the names the pipeline's ``__call__`` takes, whether it takes ``**kwargs``); read once per
    pipeline class.

    Example:
        >>> class Pipe:
        ...     def __call__(self, prompt, num_frames=9, **kw): ...
        >>> sorted(call_params(Pipe())[0]), call_params(Pipe())[1]
        (['kw', 'num_frames', 'prompt'], True)
    """
    return _call_params(type(pipe).__call__)


@functools.lru_cache(maxsize=256)
def _call_params(call: Any) -> tuple[frozenset[str], bool]:
    # keyed on the function object itself: a class whose __call__ is replaced reads it again
    params = inspect.signature(call).parameters
    var_kw = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
    return frozenset(params) - {"self"}, var_kw


def infer_task(vp: VideoPipeline, image: Any, video: Any, task: str | None) -> str:
    """The task from the inputs (an image: i2v, a video: v2v, both: condition), checked against
    what the checkpoint supports."""
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
        return "condition"
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
    return t


def seed_list(seed: Any) -> tuple[list[int], bool]:
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
#: arguments :func:`generate` sets itself; a pipeline kwarg may not name them
RESERVED_KWARGS = frozenset(
    {
        "generator",
        "output_type",
        "callback_on_step_end",
        "callback_on_step_end_tensor_inputs",
        "num_videos_per_prompt",
        "return_dict",
    }
)


@dataclasses.dataclass
class Settings:
    """The settings of one :func:`generate` call, resolved: what was given, else the model's
    default (``pipe.defaults``, the one place defaults come from), fitted to the family's rules.

    Example:
        >>> import vidkit as vk
        >>> pipe = vk.testing.tiny_pipeline("wan", "t2v")
        >>> s = resolve_settings(pipe, "t2v", num_frames=8)
        >>> s.num_frames, s.steps == pipe.defaults["steps"]
        (9, True)
    """

    height: int
    width: int
    num_frames: int
    fps: float
    steps: int
    guidance: float | None
    notes: list[str] = dataclasses.field(default_factory=list)
    image: Any = None  # the prepared first frame (PIL) for i2v / condition
    video: Video | None = None  # the prepared input video for v2v / condition
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)  # task inputs (last_image...)
    extension: dict[str, Any] | None = None  # what an extension records (see prepare_extension)
    prefix: Video | None = None  # frames put before every result (the i2v extension fallback)


def resolve_settings(
    pipe: VideoPipeline,
    task: str,
    *,
    image: Any = None,
    video: Any = None,
    height: int | None = None,
    width: int | None = None,
    num_frames: int | None = None,
    fps: float | None = None,
    steps: int | None = None,
    guidance: float | None = None,
) -> Settings:
    """Every setting of a call: given values over ``pipe.defaults``; sizes and frame counts fitted
    to the family's rules (each change warned and noted); the image and video prepared.

    ``None`` means the model's default; an image or video without a size given sets the output
    size from its own (fitted). See :class:`Settings` for an example.
    """
    d, fam, notes = pipe.defaults, pipe.family, []
    source_hw = None
    first = None
    if image is not None:
        first = to_image(image)  # read once (a path is not decoded twice), prepared below
        source_hw = (first.size[1], first.size[0])
    elif isinstance(video, Video):
        source_hw = (video.height, video.width)
    h, w = target_size(height, width, d, source_hw)
    h, w = fit_size(h, w, fam, notes=notes)
    in_video = None
    if task == "v2v" or (task == "condition" and video is not None):
        in_video = prepare_video(video, h, w, fam, num_frames=num_frames, notes=notes)
        n_frames = in_video.num_frames
    else:
        n_frames = fit_frames(
            num_frames if num_frames is not None else int(d["num_frames"]), fam, notes=notes
        )
    return Settings(
        height=h,
        width=w,
        num_frames=n_frames,
        fps=float(fps if fps is not None else d["fps"]),
        steps=int(steps if steps is not None else d["steps"]),
        guidance=guidance if guidance is not None else d["guidance"],
        notes=notes,
        image=prepare_image(first, h, w, notes=notes) if first is not None else None,
        video=in_video,
    )
