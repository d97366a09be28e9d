"""Tiny offline video pipelines for tests, CPU demos and notebooks.

Every pipeline here is a real diffusers pipeline (``CogVideoXPipeline``, ``WanPipeline``,
``LTXPipeline``, ``StableVideoDiffusionPipeline``, ...) built entirely in code with random weights
and tiny sizes, after the ``get_dummy_components`` configurations in diffusers' own tests. The T5
tokenizer those tests download from the hub is built here in code (a unigram vocabulary of a few
dozen pieces), so nothing touches the network. Weights are seeded: the same call gives the same
pipeline, bit for bit.

The output is noise-like (the weights are random), but shapes, schedulers, callbacks, latent
layouts and decoding are the real ones, so everything vidkit does with a large model can be tested
here in a fraction of a second.

The package's modules: ``encoders`` (tiny tokenizers and text/image encoders, ``seeded``),
``families_wan``, ``families_cog_ltx_svd`` and ``families_other`` (the per-family component
builders), ``pipelines`` (the registries, :func:`tiny_components`, :func:`tiny_pipeline`) and
``media`` (:func:`smooth_video`).

Example:
    >>> import vidkit as vk
    >>> pipe = vk.testing.tiny_pipeline("wan", "t2v")
    >>> video = vk.generate(pipe, prompt="a red ball bounces", steps=2)
    >>> video.shape
    (9, 16, 16, 3)
"""

from __future__ import annotations

# seeded and TINY_DEFAULTS are not in __all__ (as before the split); vidkit.testing_tasks imports
# them from here
from vidkit.testing.encoders import (
    seeded,  # noqa: F401
    tiny_gemma_tokenizer,
    tiny_text_encoder,
    tiny_tokenizer,
)
from vidkit.testing.media import smooth_video
from vidkit.testing.pipelines import (
    TINY_DEFAULTS,  # noqa: F401
    TINY_FAMILIES,
    TINY_PIPELINES,
    save_tiny_pipeline,
    tiny_components,
    tiny_pipeline,
)

__all__ = [
    "TINY_FAMILIES",
    "TINY_PIPELINES",
    "tiny_components",
    "tiny_gemma_tokenizer",
    "tiny_pipeline",
    "tiny_tokenizer",
    "tiny_text_encoder",
    "save_tiny_pipeline",
    "smooth_video",
]
