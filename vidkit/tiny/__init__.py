"""vidkit's bundled tiny video diffusion model ("tiny-physics"), trained from scratch on CPU.

A 16-frame 32x32 text/image/video-to-video model of synthetic physics scenes (a coloured ball that
falls, is thrown, bounces or moves uniformly), small enough to train in about an hour and sample in
under a second on two CPU cores: the course model of vidkit.

- :mod:`vidkit.tiny.text`: word-level tokenizer and tiny transformer text encoder;
- :mod:`vidkit.tiny.network`: the denoiser (space-time factorised transformer, pixel space);
- :mod:`vidkit.tiny.pipeline`: :class:`TinyPhysicsPipeline`, a diffusers ``DiffusionPipeline``;
- :mod:`vidkit.tiny.data`: training scenes and prompts;
- :mod:`vidkit.tiny.recipe`: the shipped configuration, fresh components and the training losses;
- :mod:`vidkit.tiny.train`: the training loop and ``vidkit train-tiny``.

Example:
    >>> import vidkit as vk
    >>> pipe = vk.tiny.load_pipeline()
    >>> frames = pipe("a red ball falls", num_inference_steps=4).frames[0]
    >>> frames.shape
    (16, 32, 32, 3)
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any

from vidkit.tiny.network import TinyVideoDenoiser
from vidkit.tiny.pipeline import (
    DEFAULT_GUIDANCE,
    TinyPhysicsPipeline,
    TinyPhysicsPipelineOutput,
    decode_latents,
)
from vidkit.tiny.text import TinyTextEncoder, build_tokenizer

__all__ = [
    "DEFAULT_GUIDANCE",
    "MODEL_ID",
    "TinyPhysicsPipeline",
    "TinyPhysicsPipelineOutput",
    "TinyTextEncoder",
    "TinyVideoDenoiser",
    "build_tokenizer",
    "decode_latents",
    "load_pipeline",
    "model_path",
]

#: The id under which ``vk.load`` knows the bundled model.
MODEL_ID = "vidkit/tiny-physics"


def model_path(early: bool = False) -> Path:
    """The bundled model folder (``data/tiny-physics``, or its ``early/`` checkpoint).

    Example:
        >>> model_path().name
        'tiny-physics'
    """
    from vidkit._config import data_dir

    path = data_dir() / "tiny-physics"
    return path / "early" if early else path


def load_pipeline(
    path: str | os.PathLike | None = None, *, early: bool = False, **kwargs: Any
) -> TinyPhysicsPipeline:
    """Load the bundled tiny model (or one saved at ``path``) as a :class:`TinyPhysicsPipeline`.

    Example:
        >>> pipe = load_pipeline()
        >>> pipe.default_size
        (16, 32, 32)
    """
    folder = Path(path) if path is not None else model_path(early)
    if not (folder / "model_index.json").is_file():
        raise FileNotFoundError(
            f"no tiny-physics model at {folder} (model_index.json missing); train one with "
            "`vidkit train-tiny --out DIR` or give the folder of a saved pipeline"
        )
    pipe = TinyPhysicsPipeline.from_pretrained(str(folder), **kwargs)
    pipe.set_progress_bar_config(disable=True)
    return pipe


def _register_family() -> None:
    """Register ``tiny-physics`` with :mod:`vidkit.sampling.families` (which imports this package to find
    the family); a missing or changed registry only disables ``vk.load("vidkit/tiny-physics")``."""
    try:
        from vidkit.tiny.family import register

        register()
    except Exception as exc:  # the registry is optional for using the pipeline itself
        warnings.warn(f"tiny-physics family not registered: {exc}", stacklevel=2)


_register_family()
