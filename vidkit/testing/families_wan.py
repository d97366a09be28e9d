"""Tiny components of the Wan lineage: Wan 2.1 and 2.2, SkyReels-V2, Wan VACE, Lucy Edit, Helios.

Example:
    >>> from vidkit.testing.families_wan import wan
    >>> sorted(wan("t2v", 0))
    ['scheduler', 'text_encoder', 'tokenizer', 'transformer', 'transformer_2', 'vae']
"""

from __future__ import annotations

from typing import Any

from vidkit.testing.encoders import clip_vision, seeded, text_components

#: the tiny Wan-type DiT (Wan, SkyReels-V2, VACE, Helios): 2 layers, 2 heads of 12, text width 32
WAN_DIT: dict[str, Any] = {
    "patch_size": (1, 2, 2),
    "num_attention_heads": 2,
    "attention_head_dim": 12,
    "text_dim": 32,
    "freq_dim": 256,
    "ffn_dim": 32,
    "num_layers": 2,
    "cross_attn_norm": True,
    "qk_norm": "rms_norm_across_heads",
}


def wan(task: str, seed: int) -> dict[str, Any]:
    from diffusers import FlowMatchEulerDiscreteScheduler, WanTransformer3DModel

    vae = wan_vae(seed, z_dim=16)
    i2v = task == "i2v"
    # I2V: noise latents (16) + first-frame mask (4) + image latents (16)
    transformer = wan_transformer(
        WanTransformer3DModel, seed, 36 if i2v else 16, 16, image_dim=4 if i2v else None
    )
    scheduler = FlowMatchEulerDiscreteScheduler(shift=7.0)
    comps = {
        "transformer": transformer,
        "vae": vae,
        "scheduler": scheduler,
        **text_components(seed, umt5=True),  # Wan's text encoder is UMT5
    }
    if i2v:
        comps.update(wan_image_encoder(seed))
    if task in ("t2v", "i2v"):
        comps["transformer_2"] = None
    return comps


def wan_transformer(cls: Any, seed: int, in_channels: int, out_channels: int, **extra: Any) -> Any:
    """A tiny Wan-type transformer (Wan, SkyReels-V2, VACE): :data:`WAN_DIT` with rotary positions
    for 32 tokens; ``extra`` adds to or overrides the configuration (VACE blocks, more layers).

    Example:
        >>> from diffusers import WanTransformer3DModel
        >>> tr = wan_transformer(WanTransformer3DModel, 0, 16, 16, num_layers=1)
        >>> tr.config.num_layers, tr.config.rope_max_seq_len
        (1, 32)
    """
    config = {**WAN_DIT, "rope_max_seq_len": 32, **extra}
    with seeded(seed):
        return cls(in_channels=in_channels, out_channels=out_channels, **config)


def wan_vae(seed: int, z_dim: int, **extra: Any) -> Any:
    """A tiny Wan video VAE (base width 3, one block per level, 4x temporal compression) with
    ``z_dim`` latent channels; ``extra`` adds to the configuration (Wan 2.2's patched VAE)."""
    from diffusers import AutoencoderKLWan

    config = {
        "base_dim": 3,
        "dim_mult": [1, 1, 1, 1],
        "num_res_blocks": 1,
        "temperal_downsample": [False, True, True],
        **extra,
    }
    with seeded(seed):
        return AutoencoderKLWan(z_dim=z_dim, **config)


def wan_image_encoder(seed: int) -> dict[str, Any]:
    """The tiny CLIP image encoder and processor of Wan's (and SkyReels-V2's) I2V checkpoints, as
    the pipeline components ``image_encoder`` and ``image_processor``."""
    clip = clip_vision(4, seed, layers=2, heads=2, inter=16)
    return {"image_encoder": clip["encoder"], "image_processor": clip["processor"]}


def wan22_a14b(task: str, seed: int) -> dict[str, Any]:
    """Wan 2.2 A14B: a high-noise expert (``transformer``) and a low-noise expert
    (``transformer_2``) that takes over below ``boundary_ratio * 1000``; its I2V model has no CLIP
    image encoder (the image enters as latents only)."""
    from diffusers import WanTransformer3DModel

    comps = wan("t2v", seed)
    in_ch = 36 if task == "i2v" else 16
    comps["transformer"] = wan_transformer(WanTransformer3DModel, seed, in_ch, 16)
    comps["transformer_2"] = wan_transformer(WanTransformer3DModel, seed + 1, in_ch, 16)
    comps["boundary_ratio"] = 0.875 if task == "t2v" else 0.9
    if task == "i2v":
        comps.update(image_encoder=None, image_processor=None)
    return comps


def wan22_ti2v(task: str, seed: int) -> dict[str, Any]:
    """Wan 2.2 TI2V-5B: one transformer on a 48-channel, 16x spatially compressing VAE;
    ``expand_timesteps`` gives each latent frame its own timestep (the first frame is the image)."""
    from diffusers import UniPCMultistepScheduler, WanTransformer3DModel

    vae = wan_vae(  # Wan 2.2's VAE: 2x2 pixel patches, residual blocks
        seed,
        z_dim=48,
        in_channels=12,
        out_channels=12,
        is_residual=True,
        patch_size=2,
        latents_mean=[0.0] * 48,
        latents_std=[1.0] * 48,
        scale_factor_spatial=16,
        scale_factor_temporal=4,
    )
    comps = {
        "transformer": wan_transformer(WanTransformer3DModel, seed, 48, 48),
        "transformer_2": None,
        "vae": vae,
        # the released TI2V-5B scheduler: UniPC on flow sigmas, shift 5
        "scheduler": UniPCMultistepScheduler(
            prediction_type="flow_prediction", use_flow_sigmas=True, flow_shift=5.0
        ),
        "boundary_ratio": None,
        "expand_timesteps": True,
        **text_components(seed, umt5=True),
    }
    if task == "i2v":
        comps.update(image_encoder=None, image_processor=None)
    return comps


def skyreels_v2(task: str, seed: int, *, df: bool = False) -> dict[str, Any]:
    """SkyReels-V2 (a Wan-based transformer): T2V/I2V checkpoints (I2V: 36 input channels and a
    CLIP image encoder) and the diffusion-forcing (DF) checkpoints (16 channels, all tasks)."""
    from diffusers import SkyReelsV2Transformer3DModel, UniPCMultistepScheduler

    comps = wan("t2v", seed)
    comps.pop("transformer_2", None)
    i2v = task == "i2v" and not df
    comps["transformer"] = wan_transformer(
        SkyReelsV2Transformer3DModel,
        seed,
        36 if i2v else 16,
        16,
        image_dim=4 if i2v else None,
    )
    # the released checkpoints' scheduler: UniPC on flow sigmas, shift 8 (DF: one copy per frame)
    comps["scheduler"] = UniPCMultistepScheduler(
        prediction_type="flow_prediction", use_flow_sigmas=True, flow_shift=8.0
    )
    if i2v:
        comps.update(wan_image_encoder(seed))
    return comps


def skyreels_v2_df(task: str, seed: int) -> dict[str, Any]:
    return skyreels_v2(task, seed, df=True)


def wan_vace(task: str, seed: int) -> dict[str, Any]:
    """Wan VACE: a Wan transformer with VACE blocks that read the control video, its mask and
    reference images (96 = 2 x 16 video-latent channels + 64 mask channels)."""
    from diffusers import WanVACETransformer3DModel

    comps = wan("t2v", seed)
    comps["transformer"] = wan_transformer(
        WanVACETransformer3DModel, seed, 16, 16, vace_layers=[0, 1], vace_in_channels=96
    )
    comps["transformer_2"] = None
    return comps


def lucy_edit(task: str, seed: int) -> dict[str, Any]:
    """Lucy Edit (on Wan 2.2 TI2V-5B): the transformer reads the noisy latents and the input
    video's latents side by side (2 x 48 channels) and edits the video as the prompt says."""
    from diffusers import WanTransformer3DModel

    comps = wan22_ti2v("t2v", seed)
    comps["transformer"] = wan_transformer(WanTransformer3DModel, seed, 96, 48)
    return comps


def helios(task: str, seed: int) -> dict[str, Any]:
    """Helios: a Wan-type transformer that generates chunk after chunk, reading compressed
    history latents (multi-term memory patches), with its own multi-stage scheduler."""
    from diffusers import HeliosScheduler, HeliosTransformer3DModel

    comps = wan("t2v", seed)
    comps.pop("transformer_2", None)
    with seeded(seed):
        comps["transformer"] = HeliosTransformer3DModel(
            **WAN_DIT,  # with Helios' own rotary dimensions and history memory
            in_channels=16,
            out_channels=16,
            rope_dim=(4, 4, 4),
            has_multi_term_memory_patch=True,
            guidance_cross_attn=True,
            zero_history_timestep=True,
            is_amplify_history=False,
        )
    comps["scheduler"] = HeliosScheduler(stage_range=[0, 1], stages=1, use_dynamic_shifting=True)
    return comps
