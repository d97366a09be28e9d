"""Tiny components of CogVideoX (and CogVideoX-Fun), LTX-Video, LTX-2 and Stable Video Diffusion.

Example:
    >>> from vidkit.testing.families_cog_ltx_svd import ltx
    >>> sorted(ltx("t2v", 0))
    ['scheduler', 'text_encoder', 'tokenizer', 'transformer', 'vae']
"""

from __future__ import annotations

from typing import Any

from vidkit.testing.encoders import clip_vision, seeded, text_components, tiny_gemma_tokenizer


def four_level_vae(cls: Any, seed: int, blocks: tuple[str, str], **extra: Any) -> Any:
    """A tiny 3D VAE of ``cls`` with four levels of width 8 (one layer per block, 8x spatial
    compression), RGB in and out and 4 latent channels, as CogVideoX's, HunyuanVideo's and
    Allegro's are built; ``blocks`` names its down and up block types, ``extra`` adds to its
    configuration.

    Example:
        >>> from diffusers import AutoencoderKLCogVideoX
        >>> vae = four_level_vae(AutoencoderKLCogVideoX, 0, ("CogVideoXDownBlock3D",
        ...                      "CogVideoXUpBlock3D"), norm_num_groups=2)
        >>> vae.config.block_out_channels, vae.config.latent_channels
        ((8, 8, 8, 8), 4)
    """
    down, up = blocks
    with seeded(seed):
        return cls(
            in_channels=3,
            out_channels=3,
            down_block_types=(down,) * 4,
            up_block_types=(up,) * 4,
            block_out_channels=(8, 8, 8, 8),
            latent_channels=4,
            layers_per_block=1,
            **extra,
        )


def cogvideox(task: str, seed: int) -> dict[str, Any]:
    from diffusers import (
        AutoencoderKLCogVideoX,
        CogVideoXDDIMScheduler,
        CogVideoXTransformer3DModel,
    )

    common = {
        "time_embed_dim": 2,
        "text_embed_dim": 32,
        "num_layers": 1,
        "sample_width": 2,
        "sample_height": 2,
        "sample_frames": 9,
        "patch_size": 2,
        "temporal_compression_ratio": 4,
        "max_text_seq_length": 16,
    }
    with seeded(seed):
        if task == "i2v":
            # image latents are concatenated on channels (4 + 4); RoPE needs head dim 16
            transformer = CogVideoXTransformer3DModel(
                num_attention_heads=2,
                attention_head_dim=16,
                in_channels=8,
                out_channels=4,
                use_rotary_positional_embeddings=True,
                use_learned_positional_embeddings=True,
                **common,
            )
        else:
            transformer = CogVideoXTransformer3DModel(
                num_attention_heads=4, attention_head_dim=8, in_channels=4, out_channels=4, **common
            )
    vae = four_level_vae(
        AutoencoderKLCogVideoX,
        seed,
        ("CogVideoXDownBlock3D", "CogVideoXUpBlock3D"),
        norm_num_groups=2,
        temporal_compression_ratio=4,
    )
    # the scheduler configuration of the released CogVideoX checkpoints
    scheduler = CogVideoXDDIMScheduler(
        beta_schedule="scaled_linear",
        beta_start=0.00085,
        beta_end=0.012,
        prediction_type="v_prediction",
        rescale_betas_zero_snr=True,
        set_alpha_to_one=True,
        clip_sample=False,
        snr_shift_scale=3.0,
        timestep_spacing="trailing",
    )
    return {
        "transformer": transformer,
        "vae": vae,
        "scheduler": scheduler,
        **text_components(seed),
    }


def cogvideox_fun(task: str, seed: int) -> dict[str, Any]:
    """CogVideoX-Fun control: the CogVideoX transformer reads the control video's latents beside
    the noisy ones (4 + 4 input channels)."""
    return cogvideox("i2v", seed)


def ltx_vae(cls: Any, seed: int, **config: Any) -> Any:
    """A tiny LTX-type video VAE (LTX-Video's, LTX-2's ``cls``): no patching, a causal encoder and
    a non-causal decoder, encoding and decoding whole clips (not frame by frame)."""
    with seeded(seed):
        vae = cls(patch_size=1, patch_size_t=1, encoder_causal=True, decoder_causal=False, **config)
    vae.use_framewise_encoding = False
    vae.use_framewise_decoding = False
    return vae


def ltx(task: str, seed: int) -> dict[str, Any]:
    from diffusers import AutoencoderKLLTXVideo, FlowMatchEulerDiscreteScheduler
    from diffusers.models.transformers import LTXVideoTransformer3DModel

    with seeded(seed):
        transformer = LTXVideoTransformer3DModel(
            in_channels=8,
            out_channels=8,
            patch_size=1,
            patch_size_t=1,
            num_attention_heads=4,
            attention_head_dim=8,
            cross_attention_dim=32,
            num_layers=1,
            caption_channels=32,
        )
    vae = ltx_vae(
        AutoencoderKLLTXVideo,
        seed,
        latent_channels=8,
        block_out_channels=(8, 8, 8, 8),
        spatio_temporal_scaling=(True, True, False, False),
        layers_per_block=(1, 1, 1, 1, 1),
        decoder_block_out_channels=(8, 8, 8, 8),
        decoder_layers_per_block=(1, 1, 1, 1, 1),
        decoder_spatio_temporal_scaling=(True, True, False, False),
    )
    scheduler = FlowMatchEulerDiscreteScheduler()
    return {
        "transformer": transformer,
        "vae": vae,
        "scheduler": scheduler,
        **text_components(seed),
    }


def ltx2(task: str, seed: int) -> dict[str, Any]:
    """LTX-2: one transformer denoising video and audio latents together, a Gemma-3 text encoder
    read through text connectors, a video VAE, an audio VAE (mel spectrograms) and a vocoder."""
    from diffusers import (
        AutoencoderKLLTX2Audio,
        AutoencoderKLLTX2Video,
        FlowMatchEulerDiscreteScheduler,
        LTX2VideoTransformer3DModel,
    )
    from diffusers.pipelines.ltx2 import LTX2TextConnectors, LTX2Vocoder
    from transformers import Gemma3Config, Gemma3ForConditionalGeneration

    tok = tiny_gemma_tokenizer()
    cfg = Gemma3Config(
        text_config={
            "vocab_size": len(tok),
            "hidden_size": 32,
            "intermediate_size": 32,
            "num_hidden_layers": 2,
            "num_attention_heads": 4,
            "num_key_value_heads": 1,
            "head_dim": 8,
            "max_position_embeddings": 64,
            "sliding_window": 16,
            "layer_types": ["full_attention", "full_attention"],
        },
        vision_config={
            "hidden_size": 16,
            "intermediate_size": 32,
            "num_hidden_layers": 1,
            "num_attention_heads": 2,
            "image_size": 28,
            "patch_size": 14,
        },
        mm_tokens_per_image=4,
    )
    with seeded(seed):
        text_encoder = Gemma3ForConditionalGeneration(cfg).eval()
    hidden, layers = cfg.text_config.hidden_size, cfg.text_config.num_hidden_layers
    with seeded(seed):
        transformer = LTX2VideoTransformer3DModel(
            in_channels=4,
            out_channels=4,
            patch_size=1,
            patch_size_t=1,
            num_attention_heads=2,
            attention_head_dim=8,
            cross_attention_dim=16,
            audio_in_channels=4,
            audio_out_channels=4,
            audio_num_attention_heads=2,
            audio_attention_head_dim=4,
            audio_cross_attention_dim=8,
            num_layers=2,
            qk_norm="rms_norm_across_heads",
            caption_channels=hidden,
            rope_double_precision=False,
            rope_type="split",
        )
    connector = {"num_attention_heads": 4, "attention_head_dim": 8, "num_layers": 1}
    with seeded(seed):
        connectors = LTX2TextConnectors(
            caption_channels=hidden,
            text_proj_in_factor=layers + 1,  # every hidden state of the text encoder
            **{f"video_connector_{k}": v for k, v in connector.items()},
            **{f"audio_connector_{k}": v for k, v in connector.items()},
            video_connector_num_learnable_registers=None,
            audio_connector_num_learnable_registers=None,
            connector_rope_base_seq_len=32,
            rope_theta=10000.0,
            rope_double_precision=False,
            causal_temporal_positioning=False,
            rope_type="split",
        )
    vae = ltx_vae(
        AutoencoderKLLTX2Video,
        seed,
        in_channels=3,
        out_channels=3,
        latent_channels=4,
        block_out_channels=(8,),
        decoder_block_out_channels=(8,),
        layers_per_block=(1,),
        decoder_layers_per_block=(1, 1),
        spatio_temporal_scaling=(True,),
        decoder_spatio_temporal_scaling=(True,),
        decoder_inject_noise=(False, False),
        downsample_type=("spatial",),
        upsample_residual=(False,),
        upsample_factor=(1,),
        timestep_conditioning=False,
    )
    with seeded(seed):
        audio_vae = AutoencoderKLLTX2Audio(
            base_channels=4,
            output_channels=2,
            ch_mult=(1,),
            num_res_blocks=1,
            attn_resolutions=None,
            in_channels=2,
            resolution=32,
            latent_channels=2,
            norm_type="pixel",
            causality_axis="height",
            dropout=0.0,
            mid_block_add_attention=False,
            sample_rate=16000,
            mel_hop_length=160,
            is_causal=True,
            mel_bins=8,
        )
    with seeded(seed):
        vocoder = LTX2Vocoder(
            in_channels=2 * 8,  # audio VAE output channels x mel bins
            hidden_channels=32,
            out_channels=2,
            upsample_kernel_sizes=[4, 4],
            upsample_factors=[2, 2],
            resnet_kernel_sizes=[3],
            resnet_dilations=[[1, 3, 5]],
            leaky_relu_negative_slope=0.1,
            output_sampling_rate=16000,
        )
    return {
        "transformer": transformer,
        "vae": vae,
        "audio_vae": audio_vae,
        "scheduler": FlowMatchEulerDiscreteScheduler(),
        "text_encoder": text_encoder,
        "tokenizer": tok,
        "connectors": connectors,
        "vocoder": vocoder,
    }


def svd(task: str, seed: int) -> dict[str, Any]:
    from diffusers import (
        AutoencoderKLTemporalDecoder,
        EulerDiscreteScheduler,
        UNetSpatioTemporalConditionModel,
    )

    # diffusers' test configuration, slimmed (one layer per block, 4 heads) to run in about a second
    with seeded(seed):
        unet = UNetSpatioTemporalConditionModel(
            block_out_channels=(32, 64),
            layers_per_block=1,
            sample_size=32,
            in_channels=8,
            out_channels=4,
            down_block_types=("CrossAttnDownBlockSpatioTemporal", "DownBlockSpatioTemporal"),
            up_block_types=("UpBlockSpatioTemporal", "CrossAttnUpBlockSpatioTemporal"),
            cross_attention_dim=32,
            num_attention_heads=4,
            projection_class_embeddings_input_dim=96,
            addition_time_embed_dim=32,
        )
    # the scheduler configuration of the released SVD checkpoints
    scheduler = EulerDiscreteScheduler(
        beta_start=0.00085,
        beta_end=0.012,
        beta_schedule="scaled_linear",
        interpolation_type="linear",
        num_train_timesteps=1000,
        prediction_type="v_prediction",
        sigma_max=700.0,
        sigma_min=0.002,
        steps_offset=1,
        timestep_spacing="leading",
        timestep_type="continuous",
        use_karras_sigmas=True,
    )
    with seeded(seed):  # three blocks: 4x spatial compression (32x32 frames -> 8x8 latents)
        vae = AutoencoderKLTemporalDecoder(
            block_out_channels=[32, 32, 64],
            in_channels=3,
            out_channels=3,
            down_block_types=["DownEncoderBlock2D"] * 3,
            latent_channels=4,
        )
    # SVD always resizes the conditioning image to 224x224 for its image encoder
    clip = clip_vision(32, seed, layers=2, heads=4, inter=37, size=224, patch=14)
    return {
        "unet": unet,
        "image_encoder": clip["encoder"],
        "scheduler": scheduler,
        "vae": vae,
        "feature_extractor": clip["processor"],
    }
