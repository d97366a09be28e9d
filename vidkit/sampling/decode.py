"""Decode latents to frames, per family, exactly as each pipeline's own final decode does.

Step callbacks see latents in the family's layout (CogVideoX ``[B, F, C, h, w]``, Wan
``[B, C, F, h, w]``, LTX packed ``[B, seq, C]``); a trajectory decodes them with the family's
``decode`` function, so that its last entry equals the pipeline's output. ``ctx`` carries the
call's arguments (num_frames, height, width, kwargs). :func:`decode_generic` is the fallback for
families without a decoder of their own.

Example:
    >>> import torch
    >>> from vidkit.sampling.decode import ltx_latent_grid
    >>> class Pipe:  # what ltx_latent_grid reads from an LTX pipeline
    ...     vae_temporal_compression_ratio, vae_spatial_compression_ratio = 8, 32
    >>> ltx_latent_grid(Pipe(), {"num_frames": 17, "height": 64, "width": 96})
    (3, 2, 3)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = [
    "decode_allegro",
    "decode_animatediff",
    "decode_cogvideox",
    "decode_generic",
    "decode_latents",
    "decode_ltx",
    "decode_mochi",
    "decode_sana_video",
    "decode_svd",
    "decode_wan",
    "decode_wan_vace",
    "ltx_latent_grid",
]


def _postprocess(pipe: Any, video: Any) -> np.ndarray:
    out = pipe.video_processor.postprocess_video(video=video, output_type="np")
    return np.asarray(out, dtype=np.float32)


def decode_cogvideox(pipe: Any, latents: Any, ctx: Mapping[str, Any]) -> np.ndarray:
    # latents [B, F, C, h, w]; CogVideoX 1.5 pads latent frames to its temporal patch size and the
    # pipeline drops the padding before decoding.
    num_frames = ctx.get("num_frames")
    if num_frames:
        wanted = (int(num_frames) - 1) // pipe.vae_scale_factor_temporal + 1
        extra = latents.shape[1] - wanted
        if extra > 0:
            latents = latents[:, extra:]
    return _postprocess(pipe, pipe.decode_latents(latents))


def decode_wan(pipe: Any, latents: Any, ctx: Mapping[str, Any]) -> np.ndarray:
    import torch

    # latents [B, C, F, h, w], normalised with the VAE's per-channel statistics
    vae = pipe.vae
    try:
        from diffusers.hooks import get_module_execution_device  # type: ignore[attr-defined]
    except ImportError:  # pragma: no cover - older diffusers
        get_module_execution_device = None
    device = latents.device
    if get_module_execution_device is not None:
        try:
            device = get_module_execution_device(vae)
        except Exception:  # pragma: no cover
            device = latents.device
    latents = latents.to(device=device, dtype=vae.dtype)
    z = vae.config.z_dim
    mean = (
        torch.tensor(vae.config.latents_mean).view(1, z, 1, 1, 1).to(latents.device, latents.dtype)
    )
    inv_std = 1.0 / torch.tensor(vae.config.latents_std).view(1, z, 1, 1, 1).to(
        latents.device, latents.dtype
    )
    latents = latents / inv_std + mean
    return _postprocess(pipe, vae.decode(latents, return_dict=False)[0])


def decode_wan_vace(pipe: Any, latents: Any, ctx: Mapping[str, Any]) -> np.ndarray:
    # Wan VACE puts the latents of its reference images before the video's latent frames and drops
    # them before decoding
    refs = ctx.get("kwargs", {}).get("reference_images")
    if refs is None:
        n = 0
    elif isinstance(refs, (list, tuple)):
        n = len(refs[0]) if refs and isinstance(refs[0], (list, tuple)) else len(refs)
    else:
        n = 1
    if n:
        latents = latents[:, :, n:]
    return decode_wan(pipe, latents, ctx)


def ltx_latent_grid(pipe: Any, ctx: Mapping[str, Any]) -> tuple[int, int, int]:
    f = (int(ctx["num_frames"]) - 1) // pipe.vae_temporal_compression_ratio + 1
    h = int(ctx["height"]) // pipe.vae_spatial_compression_ratio
    w = int(ctx["width"]) // pipe.vae_spatial_compression_ratio
    return f, h, w


def decode_ltx(pipe: Any, latents: Any, ctx: Mapping[str, Any]) -> np.ndarray:
    import torch

    # latents packed [B, seq, C]; the condition pipeline prepends extra conditioning tokens
    f, h, w = ltx_latent_grid(pipe, ctx)
    ps, pt = pipe.transformer_spatial_patch_size, pipe.transformer_temporal_patch_size
    seq = (f // pt) * (h // ps) * (w // ps)
    if latents.ndim == 3 and latents.shape[1] > seq:
        latents = latents[:, latents.shape[1] - seq :]
    if latents.ndim == 3:
        latents = pipe._unpack_latents(latents, f, h, w, ps, pt)
    vae = pipe.vae
    latents = pipe._denormalize_latents(
        latents, vae.latents_mean, vae.latents_std, vae.config.scaling_factor
    )
    latents = latents.to(ctx.get("dtype") or latents.dtype)
    timestep = None
    if vae.config.timestep_conditioning:
        # The pipeline adds fresh noise (decode_noise_scale) before decoding with a timestep; a
        # trajectory decodes the latents themselves at the same decode timestep, without noise.
        dt = ctx.get("kwargs", {}).get("decode_timestep", 0.0)
        dt = dt if isinstance(dt, list) else [dt] * latents.shape[0]
        timestep = torch.tensor(dt, device=latents.device, dtype=latents.dtype)
    return _postprocess(pipe, vae.decode(latents, timestep, return_dict=False)[0])


def decode_svd(pipe: Any, latents: Any, ctx: Mapping[str, Any]) -> np.ndarray:
    import torch

    # latents [B, F, C, h, w]; the VAE decodes in chunks of decode_chunk_size frames
    chunk = ctx.get("kwargs", {}).get("decode_chunk_size")
    if chunk is None:
        chunk = ctx.get("num_frames") or latents.shape[1]
    if pipe.vae.dtype == torch.float16 and pipe.vae.config.force_upcast:
        pipe.vae.to(dtype=torch.float16)
    frames = pipe.decode_latents(latents, latents.shape[1], int(chunk))
    return _postprocess(pipe, frames)


def decode_animatediff(pipe: Any, latents: Any, ctx: Mapping[str, Any]) -> np.ndarray:
    chunk = ctx.get("kwargs", {}).get("decode_chunk_size", 16)
    return _postprocess(pipe, pipe.decode_latents(latents, chunk))


def decode_mochi(pipe: Any, latents: Any, ctx: Mapping[str, Any]) -> np.ndarray:
    import torch

    # latents [B, C, F, h, w]; de-normalised with the VAE's per-channel mean/std when it has them
    vae, c = pipe.vae, latents.shape[1]
    mean, std = getattr(vae.config, "latents_mean", None), getattr(vae.config, "latents_std", None)
    if mean is not None and std is not None:
        m = torch.tensor(mean).view(1, c, 1, 1, 1).to(latents.device, latents.dtype)
        s = torch.tensor(std).view(1, c, 1, 1, 1).to(latents.device, latents.dtype)
        latents = latents * s / vae.config.scaling_factor + m
    else:
        latents = latents / vae.config.scaling_factor
    return _postprocess(pipe, vae.decode(latents.to(vae.dtype), return_dict=False)[0])


def decode_allegro(pipe: Any, latents: Any, ctx: Mapping[str, Any]) -> np.ndarray:
    # latents [B, C, F, h, w]; the VAE's frames are cropped to the requested count and size
    video = pipe.decode_latents(latents.to(pipe.vae.dtype))
    n, h, w = ctx.get("num_frames"), ctx.get("height"), ctx.get("width")
    if n and h and w:
        video = video[:, :, : int(n), : int(h), : int(w)]
    return _postprocess(pipe, video)


def decode_sana_video(pipe: Any, latents: Any, ctx: Mapping[str, Any]) -> np.ndarray:
    import torch
    from diffusers import AutoencoderKLLTX2Video, AutoencoderKLWan

    # latents [B, C, F, h, w], normalised by the VAE's statistics (Wan or LTX-2 VAE; DC: none);
    # with resolution binning the pipeline resizes the decoded frames back to the asked size
    vae, c = pipe.vae, latents.shape[1]
    latents = latents.to(vae.dtype)
    if isinstance(vae, AutoencoderKLLTX2Video):
        mean, std = vae.latents_mean, vae.latents_std
    elif isinstance(vae, AutoencoderKLWan):
        mean, std = torch.tensor(vae.config.latents_mean), torch.tensor(vae.config.latents_std)
    else:
        mean, std = torch.zeros(c), torch.ones(c)
    mean = mean.view(1, c, 1, 1, 1).to(latents.device, latents.dtype)
    std = std.view(1, c, 1, 1, 1).to(latents.device, latents.dtype)
    video = vae.decode(latents * std + mean, return_dict=False)[0]
    if ctx.get("kwargs", {}).get("use_resolution_binning", True):
        video = pipe.video_processor.resize_and_crop_tensor(
            video, int(ctx["width"]), int(ctx["height"])
        )
    return _postprocess(pipe, video)


def decode_generic(pipe: Any, latents: Any, ctx: Mapping[str, Any]) -> np.ndarray:
    """Best-effort decode for [B, C, F, h, w] latents scaled by ``vae.config.scaling_factor``
    (HunyuanVideo, Mochi-like pipelines)."""
    if latents.ndim != 5:
        raise ValueError(
            f"cannot decode latents of shape {tuple(latents.shape)} for {type(pipe).__name__}: the "
            "generic decoder expects [B, C, F, h, w]; register a ModelFamily with a decode function"
        )
    vae = pipe.vae
    latents = latents.to(vae.dtype) / getattr(vae.config, "scaling_factor", 1.0)
    return _postprocess(pipe, vae.decode(latents, return_dict=False)[0])


def decode_latents(pipe: Any, family: Any, latents: Any, ctx: Mapping[str, Any]) -> np.ndarray:
    """Decode callback latents to frames ``[B, F, H, W, 3]`` with the family's decoder."""
    import torch

    fn = family.decode or decode_generic
    with torch.no_grad():
        out = fn(pipe, latents, ctx)
    return np.clip(np.asarray(out, dtype=np.float32), 0.0, 1.0)
