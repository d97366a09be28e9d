"""Evaluation metrics: FVD / KVD with documented protocols, Fréchet distance, feature extractors,
CLIP score.

Names are imported lazily (on first use), so ``import vidkit.metrics`` stays cheap and a missing
optional piece only fails when it is used.

Example:
    >>> import vidkit as vk
    >>> fvd = vk.metrics.FVD(extractor="i3d", weights="i3d_pretrained_400.pt")  # doctest: +SKIP
    >>> fvd.update(real_videos, real=True); fvd.update(fake_videos, real=False)  # doctest: +SKIP
    >>> result = fvd.compute(); float(result), result.provenance["preset"]  # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import Any

# public name -> module (relative to this package) that defines it
_LAZY: dict[str, str] = {
    # extractor contract
    "FeatureExtractor": "extractors",
    "CallableExtractor": "extractors",
    "as_extractor": "extractors",
    "get_extractor": "extractors",
    "videos_to_batch": "extractors",
    "hash_file": "extractors",
    "hash_state_dict": "extractors",
    # I3D
    "I3D": "i3d",
    "InceptionI3d": "i3d",
    # statistics and distances
    "GaussianStats": "gaussian_stats",
    "frechet_distance": "frechet",
    "polynomial_mmd": "frechet",
    "kernel_distance": "frechet",
    "bootstrap": "frechet",
    "fd_from_features": "frechet",
    "distance_interval": "intervals",
    "mean_interval": "intervals",
    # protocols and results
    "Protocol": "protocols",
    "PRESETS": "protocols",
    "get_protocol": "protocols",
    "Score": "protocols",
    # metric objects and one-call functions
    "FVD": "video_distance",
    "KVD": "video_distance",
    "fvd": "video_distance",
    "kvd": "video_distance",
    # CLIP score, VideoMAE, synthetic-scene encoder (modules owned by the CLIP/encoder work)
    "clip_score": "clip",
    "clip_consistency": "clip",
    "CLIPFeatures": "clip",
    "CLIPScore": "clip",
    "CLIPScoreResult": "clip",
    "CLIPConsistencyResult": "clip",
    "load_clip": "clip_model",
    "make_tiny_clip": "clip_model",
    "clip_image_features": "clip",
    "clip_text_features": "clip",
    "convert_videomaev2_checkpoint": "videomae",
    "VideoMAE": "videomae",
    "SynthEncoder": "synth_encoder",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'vidkit.metrics' has no attribute {name!r}")
    mod_name = f"{__name__}.{_LAZY[name]}"
    try:
        module = importlib.import_module(mod_name)
    except ModuleNotFoundError as exc:
        if exc.name != mod_name:
            raise
        raise AttributeError(
            f"vidkit.metrics.{name} lives in {mod_name}, which is not available in this install"
        ) from exc
    try:
        value = getattr(module, name)
    except AttributeError:
        raise AttributeError(f"{mod_name} does not define {name!r}") from None
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
