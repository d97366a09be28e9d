"""The ``tiny-physics`` entry of vidkit's model-family registry (:mod:`vidkit.models`).

What ``vk.load`` / ``vk.generate`` need to know about the tiny model: one pipeline class for the
three tasks, 16 frames of 32x32 at 8 fps, 25 steps, guidance 2, pixel-space latents
``[B, 3, F, H, W]`` in ``[-1, 1]`` (decode = ``(x + 1) / 2``), flow matching.

Example:
    >>> from vidkit.tiny.family import tiny_family
    >>> fam = tiny_family()          # doctest: +SKIP
    >>> fam.tasks, fam.latent_layout  # doctest: +SKIP
    (('t2v', 'i2v', 'v2v'), 'BCFHW')
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = ["decode_for_trajectory", "register", "tiny_family"]


def decode_for_trajectory(
    pipe: Any, latents: Any, ctx: Mapping[str, Any] | None = None
) -> np.ndarray:
    """Frames ``[B, F, H, W, 3]`` in [0, 1] from step-callback latents (exactly the final decode).

    Example:
        >>> import torch
        >>> decode_for_trajectory(None, torch.zeros(1, 3, 2, 4, 4)).shape
        (1, 2, 4, 4, 3)
    """
    from vidkit.tiny.pipeline import decode_latents

    return decode_latents(latents).detach().cpu().numpy()


def tiny_family() -> Any:
    """The :class:`vidkit.models.ModelFamily` of the tiny model.

    Example:
        >>> tiny_family().name  # doctest: +SKIP
        'tiny-physics'
    """
    from vidkit.models import ModelFamily
    from vidkit.tiny.pipeline import DEFAULT_GUIDANCE

    name = "TinyPhysicsPipeline"
    return ModelFamily(
        name="tiny-physics",
        pipelines={"t2v": name, "i2v": name, "v2v": name},
        height=32,
        width=32,
        num_frames=16,
        fps=8.0,
        steps=25,
        guidance=DEFAULT_GUIDANCE,
        frame_multiple=16,
        size_multiple=32,
        latent_layout="BCFHW",
        flow_matching=True,
        decode=decode_for_trajectory,
        patterns=(r"(^|/)tiny-physics(@early)?$",),
        class_names=(name,),
        gpu_dtype="float32",
        notes="vidkit's bundled 16x32x32 physics model: pixel space, flow matching, CPU-fast",
    )


def register() -> Any:
    """Register the family with :func:`vidkit.models.register_family` (idempotent)."""
    from vidkit.models import register_family

    return register_family(tiny_family())
