"""Schedulers by name: ``make_scheduler("unipc", pipe)`` builds the right one for the model.

Names map to diffusers scheduler classes; on flow-matching models (Wan, LTX, HunyuanVideo, the tiny
model) the short names map to their flow variants, with the settings those need
(``prediction_type="flow_prediction", use_flow_sigmas=True`` and the model's shift).

Example:
    >>> import vidkit as vk
    >>> pipe = vk.testing.tiny_pipeline("wan", "t2v")
    >>> s = make_scheduler("unipc", pipe)
    >>> type(s).__name__, s.config.prediction_type, s.config.use_flow_sigmas
    ('UniPCMultistepScheduler', 'flow_prediction', True)
"""

from __future__ import annotations

import inspect
from typing import Any

from vidkit.sampling.families import ModelFamily, family_of

__all__ = ["SCHEDULERS", "make_scheduler", "scheduler_names"]

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


def _family_and_scheduler(pipe: Any) -> tuple[ModelFamily, Any]:
    """The family and current scheduler of a VideoPipeline or of a diffusers pipeline."""
    fam = getattr(pipe, "family", None)
    if isinstance(fam, ModelFamily) and hasattr(pipe, "scheduler"):
        return fam, pipe.scheduler
    if not hasattr(pipe, "components") or not callable(pipe):
        raise TypeError(
            f"expected a vidkit VideoPipeline (vk.load) or a diffusers pipeline, got "
            f"{type(pipe).__name__}"
        )
    return family_of(pipe), pipe.scheduler


def _sched_class(name: str) -> type:
    import diffusers

    return getattr(diffusers, name)


def scheduler_names(pipe: Any) -> list[str]:
    """The scheduler names valid for this model (flow-matching models get the flow variants).

    Example:
        >>> import vidkit as vk
        >>> scheduler_names(vk.testing.tiny_pipeline("wan"))[:4]
        ['euler', 'heun', 'unipc', 'dpm++']
    """
    fam, current = _family_and_scheduler(pipe)
    if fam.name in _FAMILY_ONLY:
        return list(_FAMILY_ONLY[fam.name])
    needs = _FAMILY_TIMESTEP_ARGS.get(fam.name, ())

    def ok(cls_name: str) -> bool:
        params = inspect.signature(_sched_class(cls_name).set_timesteps).parameters
        return all(n in params for n in needs)

    if _is_flow(fam, current):
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
        >>> import vidkit as vk
        >>> s = make_scheduler("dpm++", vk.testing.tiny_pipeline("wan"))
        >>> s.config.prediction_type, s.config.use_flow_sigmas
        ('flow_prediction', True)
    """
    if not isinstance(name, str):
        if hasattr(name, "set_timesteps") and hasattr(name, "step"):
            return name
        raise TypeError(f"scheduler must be a name or a diffusers scheduler, got {name!r}")
    fam, current = _family_and_scheduler(pipe)
    valid = scheduler_names(pipe)
    key = _NAME_ALIASES.get(name.strip().lower(), name.strip().lower())
    if key not in valid:
        why = "unknown scheduler"
        if key in SCHEDULERS:
            kind = "flow-matching" if _is_flow(fam, current) else "noise-prediction"
            why = f"scheduler {name!r} does not suit this {kind} model ({fam.name})"
        else:
            why = f"unknown scheduler {name!r}"
        raise ValueError(f"{why}; valid names here: {valid}")
    base = dict(current.config)
    flow = _is_flow(fam, current)
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
