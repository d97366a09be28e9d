"""Sampling: load a video model, prepare its conditions, sample videos.

The package follows the flow of a generation, one module per step:

======================  ===========================================================================
``families``            what vidkit knows about each family of models, and the registry
                        (``families.families()`` lists it; not re-exported here, so that the
                        name ``vidkit.sampling.families`` stays the module)
``decode``              latents -> frames as each pipeline's final decode does (trajectories)
``devices``             device and dtype by name, CPU offload, VAE tiling/slicing
``pipeline``            :class:`VideoPipeline`: the loaded model (one diffusers pipeline per task)
``loading``             ``vk.load``: ids, folders and bundled models, checked before loading
``conditioning``        prompts, images and videos fitted to the family's rules
``schedulers``          schedulers by name
``callbacks``           step callbacks: progress, previews, trajectories, interruption
``generation``          ``vk.generate``
``sweeps``              ``vk.sweep`` over a grid of settings
``batch``               ``vk.generate_many``: prompts x seeds into a run store, resumable, sharded
======================  ===========================================================================

Example:
    >>> import vidkit as vk
    >>> pipe = vk.load("vidkit/tiny-physics")                              # load
    >>> first = vk.synth.render("bounce", seed=0, size=32).video[0]         # a condition
    >>> v = vk.generate(pipe, prompt="a red ball bounces", image=first, seed=1, steps=2,
    ...                 progress=False)                                     # sample
    >>> v.metadata["task"], v.metadata["seed"], v.shape
    ('i2v', 1, (16, 32, 32, 3))
"""

from __future__ import annotations

from vidkit.sampling.batch import generate_many
from vidkit.sampling.devices import resolve_device, resolve_dtype
from vidkit.sampling.families import (
    TASKS,
    ModelFamily,
    detect_family,
    family_for,
    normalize_task,
    pipeline_class_for,
    register_family,
)
from vidkit.sampling.generation import MAX_STEPS, check_settings, generate
from vidkit.sampling.loading import load
from vidkit.sampling.pipeline import VideoPipeline, as_video_pipeline, owner_of
from vidkit.sampling.schedulers import SCHEDULERS, make_scheduler, scheduler_names
from vidkit.sampling.sweeps import SweepResult, sweep

__all__ = [
    "MAX_STEPS",
    "SCHEDULERS",
    "TASKS",
    "ModelFamily",
    "SweepResult",
    "VideoPipeline",
    "as_video_pipeline",
    "check_settings",
    "detect_family",
    "family_for",
    "generate",
    "generate_many",
    "load",
    "make_scheduler",
    "normalize_task",
    "owner_of",
    "pipeline_class_for",
    "register_family",
    "resolve_device",
    "resolve_dtype",
    "scheduler_names",
    "sweep",
]
