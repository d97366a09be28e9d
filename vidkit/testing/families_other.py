"""Tiny components of the other families: AnimateDiff, HunyuanVideo, Mochi, Allegro, Sana-Video.

Example:
    >>> from vidkit.testing.families_other import mochi
    >>> sorted(mochi("t2v", 0))
    ['scheduler', 'text_encoder', 'tokenizer', 'transformer', 'vae']
"""

from __future__ import annotations

from typing import Any

from vidkit.testing.encoders import (
    clip_text_encoder,
    clip_tokenizer,
    seeded,
    text_components,
    tiny_gemma_tokenizer,
    tiny_text_encoder,
    tiny_text_model,
    tiny_tokenizer,
)
from vidkit.testing.families_cog_ltx_svd import four_level_vae
from vidkit.testing.families_wan import wan


def animatediff(task: str, seed: int) -> dict[str, Any]:
    """AnimateDiff: a Stable Diffusion UNet made a motion UNet by a MotionAdapter, a CLIP text
    encoder and an image VAE (frames decoded one by one)."""
    from diffusers import AutoencoderKL, DDIMScheduler, MotionAdapter, UNet2DConditionModel

    tok = clip_tokenizer()
    with seeded(seed):
        unet = UNet2DConditionModel(
            block_out_channels=(32, 64),
            layers_per_block=1,
            sample_size=16,
            in_channels=4,
            out_channels=4,
            down_block_types=("CrossAttnDownBlock2D", "DownBlock2D"),
            up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
            cross_attention_dim=32,
            norm_num_groups=2,
        )
    with seeded(seed):
        motion_adapter = MotionAdapter(
            block_out_channels=(32, 64),
            motion_layers_per_block=1,
            motion_norm_num_groups=2,
            motion_num_attention_heads=4,
        )
    with seeded(seed):
        vae = AutoencoderKL(
            block_out_channels=[32, 64],
            in_channels=3,
            out_channels=3,
            down_block_types=["DownEncoderBlock2D", "DownEncoderBlock2D"],
            up_block_types=["UpDecoderBlock2D", "UpDecoderBlock2D"],
            latent_channels=4,
        )
    text_encoder = clip_text_encoder(len(tok), hidden=32, seed=seed)
    # the scheduler of the AnimateDiff examples (DDIM, linear betas, no clipping)
    scheduler = DDIMScheduler(
        beta_start=0.00085,
        beta_end=0.012,
        beta_schedule="linear",
        clip_sample=False,
        steps_offset=1,
    )
    return {
        "unet": unet,
        "motion_adapter": motion_adapter,
        "vae": vae,
        "scheduler": scheduler,
        "text_encoder": text_encoder,
        "tokenizer": tok,
        "feature_extractor": None,
        "image_encoder": None,
    }


def hunyuanvideo(task: str, seed: int) -> dict[str, Any]:
    """HunyuanVideo: dual-stream DiT, a Llama text encoder (hidden states) and a CLIP text encoder
    (pooled), both with letter-level tokenizers built in code."""
    from diffusers import (
        AutoencoderKLHunyuanVideo,
        FlowMatchEulerDiscreteScheduler,
        HunyuanVideoTransformer3DModel,
    )
    from transformers import LlamaConfig, LlamaModel, LlamaTokenizer

    letters = "abcdefghijklmnopqrstuvwxyz0123456789.,"
    vocab = {t: i for i, t in enumerate(["<s>", "<pad>", "</s>", "<unk>"])}
    for c in letters + "\u2581":
        vocab.setdefault(c, len(vocab))
    tok = LlamaTokenizer(
        vocab=vocab,
        merges=[],
        bos_token="<s>",
        eos_token="</s>",
        unk_token="<unk>",
        pad_token="<pad>",
    )
    tok2 = clip_tokenizer()
    tok.model_max_length = 16
    ids = {"pad_token_id": 1, "bos_token_id": 0, "eos_token_id": 2}
    text_encoder = tiny_text_model(
        LlamaModel, LlamaConfig, len(tok), 16, seed, hidden_act="gelu", **ids
    )
    text_encoder_2 = clip_text_encoder(len(tok2), hidden=8, seed=seed, projection_dim=32)
    with seeded(seed):
        transformer = HunyuanVideoTransformer3DModel(
            in_channels=4,
            out_channels=4,
            num_attention_heads=2,
            attention_head_dim=10,
            num_layers=1,
            num_single_layers=1,
            num_refiner_layers=1,
            patch_size=1,
            patch_size_t=1,
            guidance_embeds=True,
            text_embed_dim=16,
            pooled_projection_dim=8,
            rope_axes_dim=(2, 4, 4),
        )
    vae = four_level_vae(
        AutoencoderKLHunyuanVideo,
        seed,
        ("HunyuanVideoDownBlock3D", "HunyuanVideoUpBlock3D"),
        act_fn="silu",
        norm_num_groups=4,
        scaling_factor=0.476986,
        spatial_compression_ratio=8,
        temporal_compression_ratio=4,
        mid_block_add_attention=True,
    )
    return {
        "transformer": transformer,
        "vae": vae,
        "scheduler": FlowMatchEulerDiscreteScheduler(shift=7.0),
        "text_encoder": text_encoder,
        "text_encoder_2": text_encoder_2,
        "tokenizer": tok,
        "tokenizer_2": tok2,
    }


def mochi(task: str, seed: int) -> dict[str, Any]:
    """Mochi 1: asymmetric DiT on a 12-channel VAE (8x spatial, 6x temporal: 6k+1 frames)."""
    from diffusers import (
        AutoencoderKLMochi,
        FlowMatchEulerDiscreteScheduler,
        MochiTransformer3DModel,
    )

    with seeded(seed):
        transformer = MochiTransformer3DModel(
            patch_size=2,
            num_attention_heads=2,
            attention_head_dim=8,
            num_layers=2,
            pooled_projection_dim=16,
            in_channels=12,
            out_channels=None,
            qk_norm="rms_norm",
            text_embed_dim=32,
            time_embed_dim=4,
            activation_fn="swiglu",
            max_sequence_length=16,
        )
    with seeded(seed):
        vae = AutoencoderKLMochi(
            latent_channels=12,
            out_channels=3,
            encoder_block_out_channels=(32, 32, 32, 32),
            decoder_block_out_channels=(32, 32, 32, 32),
            layers_per_block=(1, 1, 1, 1, 1),
        )
    return {
        "transformer": transformer,
        "vae": vae,
        "scheduler": FlowMatchEulerDiscreteScheduler(),
        **text_components(seed),
    }


def allegro(task: str, seed: int) -> dict[str, Any]:
    """Allegro: DiT with a T5 encoder on a 4-channel VAE (8x spatial, 4x temporal); DDIM."""
    from diffusers import AllegroTransformer3DModel, AutoencoderKLAllegro, DDIMScheduler

    with seeded(seed):
        transformer = AllegroTransformer3DModel(
            num_attention_heads=2,
            attention_head_dim=12,
            in_channels=4,
            out_channels=4,
            num_layers=1,
            cross_attention_dim=24,
            sample_width=8,
            sample_height=8,
            sample_frames=8,
            caption_channels=24,
        )
    vae = four_level_vae(
        AutoencoderKLAllegro,
        seed,
        ("AllegroDownBlock3D", "AllegroUpBlock3D"),
        norm_num_groups=2,
        temporal_compression_ratio=4,
    )
    vae.enable_tiling()  # diffusers' Allegro VAE decodes only tiled
    # Its tiles are 24 frames x 320 pixels: a tiny video would fit no tile and decode to zeros.
    # Tiles of 8 frames x 16 pixels (no overlap) decode the tiny videos (8k frames, 16k pixels).
    vae.kernel = (8, 16, 16)
    vae.stride = (8, 16, 16)
    tok = tiny_tokenizer()
    return {
        "transformer": transformer,
        "vae": vae,
        "scheduler": DDIMScheduler(),
        "tokenizer": tok,
        "text_encoder": tiny_text_encoder(len(tok), d_model=24, seed=seed),
    }


def sana_video(task: str, seed: int) -> dict[str, Any]:
    """Sana-Video: linear-attention DiT, Gemma-2 text encoder, Wan 2.1 VAE."""
    from diffusers import DPMSolverMultistepScheduler, SanaVideoTransformer3DModel
    from transformers import Gemma2Config, Gemma2Model

    tok = tiny_gemma_tokenizer()
    cfg = Gemma2Config(
        head_dim=16,
        hidden_size=8,
        intermediate_size=64,
        max_position_embeddings=64,
        num_attention_heads=2,
        num_hidden_layers=1,
        num_key_value_heads=2,
        vocab_size=len(tok),
        attn_implementation="eager",
    )
    with seeded(seed):
        text_encoder = Gemma2Model(cfg).eval()
    with seeded(seed):
        transformer = SanaVideoTransformer3DModel(
            in_channels=16,
            out_channels=16,
            num_attention_heads=2,
            attention_head_dim=12,
            num_layers=2,
            num_cross_attention_heads=2,
            cross_attention_head_dim=12,
            cross_attention_dim=24,
            caption_channels=8,
            mlp_ratio=2.5,
            dropout=0.0,
            attention_bias=False,
            sample_size=8,
            patch_size=(1, 2, 2),
            norm_elementwise_affine=False,
            norm_eps=1e-6,
            qk_norm="rms_norm_across_heads",
            rope_max_seq_len=32,
        )
    comps = wan("t2v", seed)
    return {
        "transformer": transformer,
        "vae": comps["vae"],
        "scheduler": DPMSolverMultistepScheduler(),
        "text_encoder": text_encoder,
        "tokenizer": tok,
    }
