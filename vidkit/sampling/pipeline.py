"""The loaded model: :class:`VideoPipeline`, a thin wrapper over a diffusers video pipeline.

It knows the model's family (tasks, default sizes, frame rules), switches task without reloading
the weights (``from_pipe`` over the same components) and always exposes the diffusers pipeline
itself as ``.pipeline``. :func:`as_video_pipeline` finds the wrapper of a raw diffusers pipeline
(or wraps it once), so every vidkit function takes either.

Example:
    >>> import vidkit as vk
    >>> pipe = vk.testing.tiny_pipeline("wan", "t2v")
    >>> v2v = pipe.for_task("v2v")
    >>> v2v.transformer is pipe.pipeline.transformer, as_video_pipeline(v2v).task
    (True, 'v2v')
"""

from __future__ import annotations

import contextlib
import json
import os
import weakref
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from vidkit.sampling.devices import apply_offload, has_accelerator
from vidkit.sampling.families import (
    TASK_NAMES,
    VIDKIT_JSON,
    ModelFamily,
    family_for,
    normalize_task,
    pipeline_class_for,
    pipeline_class_name,
    remember_family,
)
from vidkit.sampling.schedulers import make_scheduler

__all__ = ["VideoPipeline", "as_video_pipeline", "owner_of"]

# diffusers pipeline -> the VideoPipeline that owns it (so a raw pipeline finds its defaults)
_OWNERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


class VideoPipeline:
    """A loaded video model: the diffusers pipeline plus what vidkit knows about its family.

    Attributes:
        pipeline: the diffusers pipeline of the current task (use it as diffusers' docs say).
        family: the :class:`ModelFamily`.
        task: current task; ``tasks``: the tasks this checkpoint supports.
        model_id: hub id or folder it came from.
        defaults: generation defaults (height, width, num_frames, fps, steps, guidance).
        call_defaults: extra pipeline arguments used by every ``generate`` call unless given
            (e.g. ``{"max_sequence_length": 16}`` for the tiny test pipelines).

    Switching task (:meth:`for_task`, or passing an image/video to ``vk.generate``) builds the other
    pipeline class with ``from_pipe`` over the same component objects: no weights are reloaded.

    Example:
        >>> import vidkit as vk
        >>> pipe = vk.testing.tiny_pipeline("wan", "t2v")
        >>> v2v = pipe.for_task("v2v")
        >>> v2v.transformer is pipe.pipeline.transformer
        True
    """

    def __init__(
        self,
        pipeline: Any,
        *,
        family: ModelFamily | str | None = None,
        task: str | None = None,
        model_id: str | None = None,
        defaults: Mapping[str, Any] | None = None,
        call_defaults: Mapping[str, Any] | None = None,
        offload: str | None = None,
        device: str | None = None,
    ) -> None:
        if isinstance(pipeline, VideoPipeline):
            raise TypeError("pipeline is already a VideoPipeline")
        if not hasattr(pipeline, "components") or not callable(pipeline):
            raise TypeError(
                f"expected a diffusers DiffusionPipeline, got {type(pipeline).__name__}"
            )
        self.family = family_for(family) if family is not None else family_for(pipeline)
        self._pipes: dict[str, Any] = {}
        self._offload = offload
        self._device = device
        own_task = self._task_of(pipeline)
        self._pipes[own_task] = pipeline
        _register_owner(pipeline, self)
        self._task = own_task
        self.model_id = model_id or _name_or_path(pipeline)
        if self.family.tasks_for is not None:
            self.tasks = tuple(self.family.tasks_for(pipeline))
        else:
            self.tasks = self.family.tasks
        d = self.family.defaults
        if self.family.refine_defaults is not None:
            d = self.family.refine_defaults(pipeline, dict(d))
        if defaults:
            unknown = set(defaults) - set(d)
            if unknown:
                raise ValueError(f"unknown defaults {sorted(unknown)}; known: {sorted(d)}")
            d.update(defaults)
        self.defaults: dict[str, Any] = d
        self.call_defaults: dict[str, Any] = dict(call_defaults or {})
        if task is not None:
            self.for_task(task)
            self._task = normalize_task(task)

    # ------------------------------------------------------------------ tasks
    def _task_of(self, pipeline: Any) -> str:
        name = type(pipeline).__name__
        for task, cls in self.family.pipelines.items():
            if pipeline_class_name(cls) == name:
                return task
        if self.family.tasks_for is not None:
            return self.family.tasks_for(pipeline)[0]
        return "t2v"

    @property
    def task(self) -> str:
        """The current task (the task of :attr:`pipeline`)."""
        return self._task

    @property
    def pipeline(self) -> Any:
        """The diffusers pipeline of the current task."""
        return self._pipes[self._task]

    def for_task(self, task: str) -> Any:
        """The diffusers pipeline for ``task``, sharing this model's weights (built once, cached).

        Raises a ``ValueError`` naming the supported tasks when the checkpoint cannot do ``task``.

        Example:
            >>> import vidkit as vk
            >>> type(vk.testing.tiny_pipeline("wan", "t2v").for_task("v2v")).__name__
            'WanVideoToVideoPipeline'
        """
        task = normalize_task(task)
        if task in self._pipes:
            return self._pipes[task]
        if task not in self.tasks:
            extra = ""
            if task in self.family.tasks:
                extra = (
                    f" ({self.family.name} has {task} models, but this checkpoint is not one: load "
                    f"a {task} checkpoint)"
                )
            raise ValueError(
                f"{self.model_id or self.family.name} does not support {task} "
                f"({TASK_NAMES[task]}); it supports {list(self.tasks)}{extra}"
            )
        if self.family.name == "generic":
            raise ValueError(
                f"{type(self.pipeline).__name__} (generic family) has no known {task} pipeline; "
                f"it supports {list(self.tasks)}"
            )
        if pipeline_class_name(self.family.pipelines[task]) == type(self.pipeline).__name__:
            self._pipes[task] = self.pipeline  # one pipeline class serves several tasks
            return self.pipeline
        cls = pipeline_class_for(self.family, task)
        new = switch_pipeline(self.pipeline, cls)
        cfg = getattr(self.pipeline, "_progress_bar_config", None)
        if cfg is not None:
            new.set_progress_bar_config(**cfg)
        if self._offload:
            apply_offload(new, self._offload, self._device or "cuda")
        self._pipes[task] = new
        _register_owner(new, self)
        return new

    def use_task(self, task: str) -> VideoPipeline:
        """Make ``task`` the current task (``.pipeline`` changes); returns ``self``."""
        self.for_task(task)
        self._task = normalize_task(task)
        return self

    # --------------------------------------------------------------- helpers
    @property
    def device(self) -> Any:
        """Execution device of the pipeline (where the denoiser runs)."""
        if self._offload and has_accelerator():
            return self.pipeline._execution_device  # offload hooks decide
        param = self._denoiser_param()
        if param is not None:
            return param.device
        return getattr(self.pipeline, "device", None)

    def _denoiser_param(self) -> Any:
        for name in ("transformer", "unet"):
            comp = getattr(self.pipeline, name, None)
            if comp is not None and hasattr(comp, "parameters"):
                return _first_parameter(comp)
        return None

    @property
    def dtype(self) -> Any:
        """Dtype of the denoiser (transformer or unet): the dtype most of its parameters have
        (diffusers keeps a few modules in float32 inside half-precision models)."""
        for name in ("transformer", "unet"):
            comp = getattr(self.pipeline, name, None)
            if comp is not None and hasattr(comp, "parameters"):
                counts = _float_dtype_counts(comp)
                if counts:
                    return max(counts, key=counts.__getitem__)
        return getattr(self.pipeline, "dtype", None)

    @property
    def scheduler(self) -> Any:
        """The scheduler shared by every task's pipeline."""
        return self.pipeline.scheduler

    def set_scheduler(self, scheduler: Any, **overrides: Any) -> Any:
        """Replace the scheduler (a name such as ``"unipc"`` or a scheduler object) in every task.

        Returns the new scheduler. See :func:`vidkit.sampling.make_scheduler` for the names.

        Example:
            >>> import vidkit as vk
            >>> type(vk.testing.tiny_pipeline("wan").set_scheduler("unipc")).__name__
            'UniPCMultistepScheduler'
        """
        sched = make_scheduler(scheduler, self, **overrides)
        for p in self._pipes.values():
            p.scheduler = sched
        return sched

    def save_pretrained(self, path: str | os.PathLike) -> Path:
        """Save as a diffusers folder (safetensors) plus ``vidkit.json`` (family, task, defaults).

        Example:
            >>> import tempfile, vidkit as vk
            >>> folder = vk.testing.tiny_pipeline("wan").save_pretrained(tempfile.mkdtemp())
            >>> vk.load(folder).family.name
            'wan'
        """
        path = Path(path)
        self.pipeline.save_pretrained(path, safe_serialization=True)
        meta = {
            "family": self.family.name,
            "task": self.task,
            "model_id": self.model_id,
            "defaults": self.defaults,
            "call_defaults": self.call_defaults,
        }
        (path / VIDKIT_JSON).write_text(json.dumps(meta, indent=2))
        return path

    def __repr__(self) -> str:
        return (
            f"VideoPipeline({self.model_id!r}, family={self.family.name}, task={self.task}, "
            f"tasks={list(self.tasks)}, pipeline={type(self.pipeline).__name__}, "
            f"device={self.device}, dtype={self.dtype})"
        )


def _first_parameter(module: Any) -> Any:
    """``next(module.parameters(), None)``, found by the same depth-first walk without building
    ``parameters()``'s nested generators (``vk.generate`` reads the device on every call)."""
    if not hasattr(module, "_modules") or not hasattr(module, "_parameters"):
        return next(module.parameters(), None)
    stack = [module]
    while stack:
        mod = stack.pop()
        if mod is None:
            continue
        for prm in mod._parameters.values():
            if prm is not None:
                return prm
        if mod._modules:
            stack.extend(reversed(mod._modules.values()))
    return None


def _float_dtype_counts(module: Any) -> dict[Any, int]:
    """How many floating-point parameters of each dtype ``module`` has, dtypes in the order
    ``module.parameters()`` first meets them (each parameter counted once).

    The same walk as ``parameters()`` (modules depth-first in registration order), without its
    generator layers and names: about half the time on a 1.3B transformer (``vk.generate`` reads
    the dtype on every call).
    """
    counts: dict[Any, int] = {}
    if not hasattr(module, "_modules") or not hasattr(module, "_parameters"):
        for prm in module.parameters():
            if prm.is_floating_point():
                counts[prm.dtype] = counts.get(prm.dtype, 0) + 1
        return counts
    seen: set[int] = set()  # ids of the modules and parameters met (all alive: no reuse)
    stack = [module]
    while stack:
        mod = stack.pop()
        if mod is None or id(mod) in seen:
            continue
        seen.add(id(mod))
        for prm in mod._parameters.values():
            if prm is not None and id(prm) not in seen:
                seen.add(id(prm))
                if prm.is_floating_point():
                    counts[prm.dtype] = counts.get(prm.dtype, 0) + 1
        if mod._modules:
            stack.extend(reversed(mod._modules.values()))
    return counts


def _register_owner(pipeline: Any, owner: VideoPipeline) -> None:
    remember_family(pipeline, owner.family)
    try:
        _OWNERS[pipeline] = owner
    except TypeError:  # pragma: no cover - objects without weak references
        pass


def owner_of(pipeline: Any) -> VideoPipeline | None:
    """The :class:`VideoPipeline` that built or wraps this diffusers pipeline, if any.

    Example:
        >>> owner_of(object()) is None
        True
    """
    try:
        return _OWNERS.get(pipeline)
    except TypeError:  # pragma: no cover
        return None


def _name_or_path(pipeline: Any) -> str | None:
    cfg = getattr(pipeline, "config", None)
    name = cfg.get("_name_or_path") if isinstance(cfg, Mapping) else None
    return str(name) if name else None


def _component_dtypes(pipe: Any) -> set:
    import torch

    return {
        c.dtype
        for c in pipe.components.values()
        if isinstance(c, torch.nn.Module) and hasattr(c, "dtype")
    }


def switch_pipeline(pipe: Any, cls: type) -> Any:
    """``cls.from_pipe(pipe)`` without changing the dtype of any shared component.

    diffusers' ``from_pipe`` ends with ``new.to(dtype)`` (default float32), which would cast the
    shared modules in place; with one dtype in use we pass it, with mixed dtypes (Wan's float32 VAE
    beside a bfloat16 transformer) we build the pipeline from the same component objects directly.

    Example:
        >>> from diffusers import WanVideoToVideoPipeline
        >>> from vidkit.testing import tiny_pipeline
        >>> t2v = tiny_pipeline("wan", "t2v").pipeline
        >>> v2v = switch_pipeline(t2v, WanVideoToVideoPipeline)
        >>> type(v2v).__name__, v2v.transformer is t2v.transformer
        ('WanVideoToVideoPipeline', True)
    """
    dtypes = _component_dtypes(pipe)
    if len(dtypes) <= 1:
        dtype = next(iter(dtypes)) if dtypes else None
        kwargs = {"dtype": dtype} if dtype is not None else {}
        with _quiet_diffusers():  # from_pipe's .to(dtype) warns about fp32 modules: a no-op here
            return cls.from_pipe(pipe, **kwargs)
    expected, optional = cls._get_signature_keys(cls)
    comps = pipe.components
    kwargs = {k: comps[k] for k in expected if k in comps}
    cfg = dict(pipe.config)
    for k in optional:
        if k in cfg and not k.startswith("_"):
            kwargs[k] = cfg[k]
    for k in expected:
        kwargs.setdefault(k, None)
    return cls(**kwargs)


@contextlib.contextmanager
def _quiet_diffusers():
    """Silence diffusers' warnings (not errors) inside the block."""
    from diffusers.utils import logging as dlogging

    level = dlogging.get_verbosity()
    dlogging.set_verbosity_error()
    try:
        yield
    finally:
        dlogging.set_verbosity(level)


def as_video_pipeline(pipe: Any) -> VideoPipeline:
    """The vidkit wrapper of ``pipe``: a raw diffusers pipeline built by a VideoPipeline finds its
    owner (and its defaults); any other is wrapped once (family defaults).

    Example:
        >>> import vidkit as vk
        >>> pipe = vk.testing.tiny_pipeline("wan", "t2v")
        >>> as_video_pipeline(pipe.pipeline) is pipe
        True
    """
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
