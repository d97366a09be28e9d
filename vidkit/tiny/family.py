"""The ``tiny-physics`` entry of vidkit's model-family registry (:mod:`vidkit.sampling.families`).

What ``vk.load`` / ``vk.generate`` need to know about the tiny model: one pipeline class for the
three tasks, 16 frames of 32x32 at 8 fps, 25 steps, guidance 2, pixel-space latents
``[B, 3, F, H, W]`` in ``[-1, 1]`` (decode = ``(x + 1) / 2``), flow matching. Its ``resolve`` hook
maps ``"vidkit/tiny-physics"`` and ``"vidkit/tiny-physics@early"`` to the bundled folders, so
``vk.load`` finds the model through its family and nothing else.

Example:
    >>> from vidkit.tiny.family import tiny_family
    >>> fam = tiny_family()
    >>> fam.tasks, fam.latent_layout
    (('t2v', 'i2v', 'v2v'), 'BCFHW')
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["decode_for_trajectory", "register", "resolve", "tiny_family"]

#: the ids of the bundled model: ``vidkit/tiny-physics`` and its variants (``@early``)
MODEL_ID = "vidkit/tiny-physics"


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


def resolve(model_id: str) -> Path | None:
    """The bundled folder of ``"vidkit/tiny-physics"`` or ``"vidkit/tiny-physics@VARIANT"``
    (``None`` for any other id; an unknown variant raises, listing the bundled ones).

    Example:
        >>> resolve("vidkit/tiny-physics@early").name, resolve("THUDM/CogVideoX-2b")
        ('early', None)
    """
    if model_id != MODEL_ID and not model_id.startswith(MODEL_ID + "@"):
        return None
    from vidkit.sampling.loading import bundled_model

    return bundled_model(model_id)


def tiny_family() -> Any:
    """The :class:`vidkit.sampling.ModelFamily` of the tiny model.

    Example:
        >>> tiny_family().name
        'tiny-physics'
    """
    from vidkit.sampling.families import ModelFamily
    from vidkit.sampling.family_specs import family_spec
    from vidkit.tiny.pipeline import DEFAULT_GUIDANCE

    name = "vidkit.tiny.pipeline:TinyPhysicsPipeline"
    spec = family_spec(
        "tiny-physics",
        # height, width, num_frames, fps, steps, guidance
        (32, 32, 16, 8.0, 25, DEFAULT_GUIDANCE),
        # frame_multiple, frame_offset, size_multiple, latent_layout, flow_matching, decode,
        # gpu_dtype, component_dtypes: pixel-space latents, exactly 16 frames
        (16, 0, 32, "BCFHW", True, decode_for_trajectory, "float32", {}),
        pipelines={"t2v": name, "i2v": name, "v2v": name},
        max_frames=16,
        patterns=(r"(^|/)tiny-physics(@early)?$",),
        class_names=("TinyPhysicsPipeline",),
        resolve=resolve,
        notes="vidkit's bundled 16x32x32 physics model: pixel space, flow matching, CPU-fast",
    )
    return ModelFamily(**spec)


def register() -> Any:
    """Register the family with :func:`vidkit.sampling.register_family` (idempotent).

    Example:
        >>> register().name
        'tiny-physics'
    """
    from vidkit.sampling.families import register_family

    return register_family(tiny_family())
