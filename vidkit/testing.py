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

Example:
    >>> import vidkit as vk
    >>> pipe = vk.testing.tiny_pipeline("wan", "t2v")
    >>> video = vk.generate(pipe, prompt="a red ball bounces", steps=2)
    >>> video.shape
    (9, 16, 16, 3)
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from vidkit.sampling import VideoPipeline

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

# every tiny pipeline: name -> (registry family, tasks). A name is a family, or a checkpoint type
# inside one (Wan 2.2 A14B: a high-noise transformer + a low-noise transformer_2; Wan 2.2 TI2V-5B:
# one transformer on a 48-channel VAE, text- and image-to-video).
TINY_PIPELINES: dict[str, tuple[str, tuple[str, ...]]] = {
    "cogvideox": ("cogvideox", ("t2v", "i2v", "v2v")),
    "wan": ("wan", ("t2v", "i2v", "v2v")),
    "ltx": ("ltx", ("t2v", "i2v", "condition")),
    "svd": ("svd", ("i2v",)),
    "wan2.2-a14b": ("wan", ("t2v", "i2v")),
    "wan2.2-ti2v": ("wan", ("t2v", "i2v")),
    "wan-vace": ("wan-vace", ("t2v", "v2v")),
    "skyreels-v2": ("skyreels-v2", ("t2v", "i2v")),
    "skyreels-v2-df": ("skyreels-v2-df", ("t2v", "i2v")),
    "lucy-edit": ("lucy-edit", ("v2v",)),
    "ltx2": ("ltx2", ("t2v", "i2v")),
    "sana-video": ("sana-video", ("t2v", "i2v")),
    "helios": ("helios", ("t2v",)),
    "hunyuanvideo": ("hunyuanvideo", ("t2v",)),
    "animatediff": ("animatediff", ("t2v", "v2v")),
    "cogvideox-fun": ("cogvideox-fun", ("v2v",)),
    "mochi": ("mochi", ("t2v",)),
    "allegro": ("allegro", ("t2v",)),
}

# the first four families -> tasks (the set the sampling, model and batch tests run everywhere;
# tests/test_families.py runs every entry of TINY_PIPELINES)
TINY_FAMILIES: dict[str, tuple[str, ...]] = {
    name: TINY_PIPELINES[name][1] for name in ("cogvideox", "wan", "ltx", "svd")
}

# generation defaults that fit the tiny configurations (stored with the pipeline); the tiny text
# encoders and CogVideoX's positional embedding expect prompts of at most 16 tokens
TINY_DEFAULTS: dict[str, dict[str, Any]] = {
    "cogvideox": {"height": 16, "width": 16, "num_frames": 9, "steps": 2, "fps": 8},
    "wan": {"height": 16, "width": 16, "num_frames": 9, "steps": 2, "fps": 16},
    "ltx": {"height": 32, "width": 32, "num_frames": 9, "steps": 2, "fps": 24},
    "svd": {"height": 32, "width": 32, "num_frames": 3, "steps": 2, "fps": 7},
    "wan2.2-a14b": {"height": 16, "width": 16, "num_frames": 9, "steps": 2, "fps": 16},
    "wan2.2-ti2v": {"height": 32, "width": 32, "num_frames": 9, "steps": 2, "fps": 24},
    "skyreels-v2": {"height": 16, "width": 16, "num_frames": 9, "steps": 2, "fps": 24},
    "skyreels-v2-df": {"height": 16, "width": 16, "num_frames": 9, "steps": 2, "fps": 24},
    "wan-vace": {"height": 16, "width": 16, "num_frames": 9, "steps": 2, "fps": 16},
    "lucy-edit": {"height": 32, "width": 32, "num_frames": 9, "steps": 2, "fps": 24},
    "ltx2": {"height": 32, "width": 32, "num_frames": 9, "steps": 2, "fps": 24},
    "sana-video": {"height": 32, "width": 32, "num_frames": 9, "steps": 2, "fps": 16},
    "helios": {"height": 16, "width": 16, "num_frames": 33, "steps": 2, "fps": 24},
    "hunyuanvideo": {"height": 16, "width": 16, "num_frames": 9, "steps": 2, "fps": 15},
    "animatediff": {"height": 32, "width": 32, "num_frames": 4, "steps": 2, "fps": 8},
    "cogvideox-fun": {"height": 16, "width": 16, "num_frames": 9, "steps": 2, "fps": 8},
    "mochi": {"height": 16, "width": 16, "num_frames": 7, "steps": 2, "fps": 30},
    "allegro": {"height": 16, "width": 16, "num_frames": 8, "steps": 2, "fps": 15},
}

_WORDS = (
    "a the an of in on at with and to is red blue green yellow white black ball balls box cube "
    "bounces bouncing falls rolls moves slides collides drops floor wall table sky water scene "
    "video dog cat monkey dance dancing running person car street tree light slow fast motion "
    "camera small large two one"
).split()


def tiny_tokenizer(model_max_length: int = 16) -> Any:
    """A tiny T5 tokenizer built in code (unigram model, pad=0, eos=1, unk=2; no network).

    It splits words like a sentencepiece T5 tokenizer (``▁`` marks a word start); words outside
    its small vocabulary fall back to single letters.

    Example:
        >>> tok = tiny_tokenizer()
        >>> tok("a red ball").input_ids
        [3, 14, 20, 1]
    """
    from transformers import T5Tokenizer

    pieces = [("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0)]
    pieces += [("\u2581" + w, -1.0 - 0.01 * i) for i, w in enumerate(_WORDS)]
    pieces += [("\u2581", -8.0)]
    pieces += [(c, -10.0) for c in "abcdefghijklmnopqrstuvwxyz0123456789.,!?'-"]
    tok = T5Tokenizer(vocab=pieces, extra_ids=0)
    tok.model_max_length = model_max_length
    return tok


def tiny_text_encoder(vocab_size: int, d_model: int = 32, seed: int = 0, umt5: bool = False) -> Any:
    """A tiny random ``T5EncoderModel`` (``UMT5EncoderModel`` for Wan) in eval mode (no dropout).

    Example:
        >>> enc = tiny_text_encoder(vocab_size=100)
        >>> enc.config.d_model, enc.training
        (32, False)
    """
    import torch
    from transformers import T5Config, T5EncoderModel, UMT5Config, UMT5EncoderModel

    config_cls, model_cls = (UMT5Config, UMT5EncoderModel) if umt5 else (T5Config, T5EncoderModel)
    cfg = config_cls(
        vocab_size=vocab_size,
        d_model=d_model,
        d_kv=8,
        d_ff=37,
        num_layers=2,
        num_heads=4,
        relative_attention_num_buckets=8,
        dropout_rate=0.0,
        pad_token_id=0,
        eos_token_id=1,
        decoder_start_token_id=0,
    )
    with seeded(seed):
        model = model_cls(cfg)
    return model.eval().to(torch.float32)


@contextlib.contextmanager
def seeded(seed: int):
    """Seed torch's global generator inside the block, restoring the caller's state after.

    Example:
        >>> import torch
        >>> with seeded(0):
        ...     a = torch.rand(2)
        >>> with seeded(0):
        ...     b = torch.rand(2)
        >>> bool((a == b).all())
        True
    """
    import torch

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        yield


def _text_components(seed: int, umt5: bool = False) -> dict[str, Any]:
    tok = tiny_tokenizer()
    return {"tokenizer": tok, "text_encoder": tiny_text_encoder(len(tok), seed=seed, umt5=umt5)}


def _clip_vision(
    hidden: int, seed: int, *, layers: int, heads: int, inter: int, size: int = 32, patch: int = 1
) -> dict[str, Any]:
    import transformers
    from transformers import CLIPVisionConfig, CLIPVisionModelWithProjection

    cfg = CLIPVisionConfig(
        hidden_size=hidden,
        projection_dim=hidden,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        image_size=size,
        intermediate_size=inter,
        patch_size=patch,
    )
    with seeded(seed):
        encoder = CLIPVisionModelWithProjection(cfg).eval()
    # transformers v5 names the torchvision-free processor CLIPImageProcessorPil; older versions
    # only have CLIPImageProcessor (itself PIL-based there).
    proc_cls = (
        getattr(transformers, "CLIPImageProcessorPil", None) or transformers.CLIPImageProcessor
    )
    processor = proc_cls(crop_size=size, size=size)
    return {"encoder": encoder, "processor": processor}


def _cogvideox(task: str, seed: int) -> dict[str, Any]:
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
    with seeded(seed):
        vae = AutoencoderKLCogVideoX(
            in_channels=3,
            out_channels=3,
            down_block_types=("CogVideoXDownBlock3D",) * 4,
            up_block_types=("CogVideoXUpBlock3D",) * 4,
            block_out_channels=(8, 8, 8, 8),
            latent_channels=4,
            layers_per_block=1,
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
        **_text_components(seed),
    }


def _cogvideox_fun(task: str, seed: int) -> dict[str, Any]:
    """CogVideoX-Fun control: the CogVideoX transformer reads the control video's latents beside
    the noisy ones (4 + 4 input channels)."""
    return _cogvideox("i2v", seed)


def _wan(task: str, seed: int) -> dict[str, Any]:
    from diffusers import AutoencoderKLWan, FlowMatchEulerDiscreteScheduler, WanTransformer3DModel

    with seeded(seed):
        vae = AutoencoderKLWan(
            base_dim=3,
            z_dim=16,
            dim_mult=[1, 1, 1, 1],
            num_res_blocks=1,
            temperal_downsample=[False, True, True],
        )
    i2v = task == "i2v"
    with seeded(seed):
        transformer = WanTransformer3DModel(
            patch_size=(1, 2, 2),
            num_attention_heads=2,
            attention_head_dim=12,
            # I2V: noise latents (16) + first-frame mask (4) + image latents (16)
            in_channels=36 if i2v else 16,
            out_channels=16,
            text_dim=32,
            freq_dim=256,
            ffn_dim=32,
            num_layers=2,
            cross_attn_norm=True,
            qk_norm="rms_norm_across_heads",
            rope_max_seq_len=32,
            image_dim=4 if i2v else None,
        )
    scheduler = FlowMatchEulerDiscreteScheduler(shift=7.0)
    comps = {
        "transformer": transformer,
        "vae": vae,
        "scheduler": scheduler,
        **_text_components(seed, umt5=True),  # Wan's text encoder is UMT5
    }
    if i2v:
        clip = _clip_vision(4, seed, layers=2, heads=2, inter=16)
        comps["image_encoder"] = clip["encoder"]
        comps["image_processor"] = clip["processor"]
    if task in ("t2v", "i2v"):
        comps["transformer_2"] = None
    return comps


def _wan_transformer(cls: Any, seed: int, in_channels: int, out_channels: int, **extra: Any) -> Any:
    """A tiny Wan-type transformer (Wan, SkyReels-V2): 2 layers, 2 heads of 12."""
    with seeded(seed):
        return cls(
            patch_size=(1, 2, 2),
            num_attention_heads=2,
            attention_head_dim=12,
            in_channels=in_channels,
            out_channels=out_channels,
            text_dim=32,
            freq_dim=256,
            ffn_dim=32,
            num_layers=2,
            cross_attn_norm=True,
            qk_norm="rms_norm_across_heads",
            rope_max_seq_len=32,
            **extra,
        )


def _wan22_a14b(task: str, seed: int) -> dict[str, Any]:
    """Wan 2.2 A14B: a high-noise expert (``transformer``) and a low-noise expert
    (``transformer_2``) that takes over below ``boundary_ratio * 1000``; its I2V model has no CLIP
    image encoder (the image enters as latents only)."""
    from diffusers import WanTransformer3DModel

    comps = _wan("t2v", seed)
    in_ch = 36 if task == "i2v" else 16
    comps["transformer"] = _wan_transformer(WanTransformer3DModel, seed, in_ch, 16)
    comps["transformer_2"] = _wan_transformer(WanTransformer3DModel, seed + 1, in_ch, 16)
    comps["boundary_ratio"] = 0.875 if task == "t2v" else 0.9
    if task == "i2v":
        comps.update(image_encoder=None, image_processor=None)
    return comps


def _wan22_ti2v(task: str, seed: int) -> dict[str, Any]:
    """Wan 2.2 TI2V-5B: one transformer on a 48-channel, 16x spatially compressing VAE;
    ``expand_timesteps`` gives each latent frame its own timestep (the first frame is the image)."""
    from diffusers import AutoencoderKLWan, UniPCMultistepScheduler, WanTransformer3DModel

    with seeded(seed):
        vae = AutoencoderKLWan(
            base_dim=3,
            z_dim=48,
            in_channels=12,
            out_channels=12,
            is_residual=True,
            patch_size=2,
            latents_mean=[0.0] * 48,
            latents_std=[1.0] * 48,
            dim_mult=[1, 1, 1, 1],
            num_res_blocks=1,
            scale_factor_spatial=16,
            scale_factor_temporal=4,
            temperal_downsample=[False, True, True],
        )
    comps = {
        "transformer": _wan_transformer(WanTransformer3DModel, seed, 48, 48),
        "transformer_2": None,
        "vae": vae,
        # the released TI2V-5B scheduler: UniPC on flow sigmas, shift 5
        "scheduler": UniPCMultistepScheduler(
            prediction_type="flow_prediction", use_flow_sigmas=True, flow_shift=5.0
        ),
        "boundary_ratio": None,
        "expand_timesteps": True,
        **_text_components(seed, umt5=True),
    }
    if task == "i2v":
        comps.update(image_encoder=None, image_processor=None)
    return comps


def _skyreels_v2(task: str, seed: int, *, df: bool = False) -> dict[str, Any]:
    """SkyReels-V2 (a Wan-based transformer): T2V/I2V checkpoints (I2V: 36 input channels and a
    CLIP image encoder) and the diffusion-forcing (DF) checkpoints (16 channels, all tasks)."""
    from diffusers import SkyReelsV2Transformer3DModel, UniPCMultistepScheduler

    comps = _wan("t2v", seed)
    comps.pop("transformer_2", None)
    i2v = task == "i2v" and not df
    comps["transformer"] = _wan_transformer(
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
        clip = _clip_vision(4, seed, layers=2, heads=2, inter=16)
        comps["image_encoder"] = clip["encoder"]
        comps["image_processor"] = clip["processor"]
    return comps


def _skyreels_v2_df(task: str, seed: int) -> dict[str, Any]:
    return _skyreels_v2(task, seed, df=True)


def _wan_vace(task: str, seed: int) -> dict[str, Any]:
    """Wan VACE: a Wan transformer with VACE blocks that read the control video, its mask and
    reference images (96 = 2 x 16 video-latent channels + 64 mask channels)."""
    from diffusers import WanVACETransformer3DModel

    comps = _wan("t2v", seed)
    comps["transformer"] = _wan_transformer(
        WanVACETransformer3DModel, seed, 16, 16, vace_layers=[0, 1], vace_in_channels=96
    )
    comps["transformer_2"] = None
    return comps


def _lucy_edit(task: str, seed: int) -> dict[str, Any]:
    """Lucy Edit (on Wan 2.2 TI2V-5B): the transformer reads the noisy latents and the input
    video's latents side by side (2 x 48 channels) and edits the video as the prompt says."""
    from diffusers import WanTransformer3DModel

    comps = _wan22_ti2v("t2v", seed)
    comps["transformer"] = _wan_transformer(WanTransformer3DModel, seed, 96, 48)
    return comps


def _helios(task: str, seed: int) -> dict[str, Any]:
    """Helios: a Wan-type transformer that generates chunk after chunk, reading compressed
    history latents (multi-term memory patches), with its own multi-stage scheduler."""
    from diffusers import HeliosScheduler, HeliosTransformer3DModel

    comps = _wan("t2v", seed)
    comps.pop("transformer_2", None)
    with seeded(seed):
        comps["transformer"] = HeliosTransformer3DModel(
            patch_size=(1, 2, 2),
            num_attention_heads=2,
            attention_head_dim=12,
            in_channels=16,
            out_channels=16,
            text_dim=32,
            freq_dim=256,
            ffn_dim=32,
            num_layers=2,
            cross_attn_norm=True,
            qk_norm="rms_norm_across_heads",
            rope_dim=(4, 4, 4),
            has_multi_term_memory_patch=True,
            guidance_cross_attn=True,
            zero_history_timestep=True,
            is_amplify_history=False,
        )
    comps["scheduler"] = HeliosScheduler(stage_range=[0, 1], stages=1, use_dynamic_shifting=True)
    return comps


def _clip_tokenizer(model_max_length: int = 16) -> Any:
    """A letter-level CLIP tokenizer built in code (start=0, end=pad=unk=1; ``</w>`` ends words)."""
    from transformers import CLIPTokenizer

    vocab = {"<|startoftext|>": 0, "<|endoftext|>": 1}
    for c in "abcdefghijklmnopqrstuvwxyz0123456789.,":
        vocab.setdefault(c, len(vocab))
        vocab.setdefault(c + "</w>", len(vocab))
    end = "<|endoftext|>"
    tok = CLIPTokenizer(
        vocab=vocab,
        merges=[],
        unk_token=end,
        bos_token="<|startoftext|>",
        eos_token=end,
        pad_token=end,
    )
    tok.model_max_length = model_max_length
    return tok


def _animatediff(task: str, seed: int) -> dict[str, Any]:
    """AnimateDiff: a Stable Diffusion UNet made a motion UNet by a MotionAdapter, a CLIP text
    encoder and an image VAE (frames decoded one by one)."""
    from diffusers import AutoencoderKL, DDIMScheduler, MotionAdapter, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel

    tok = _clip_tokenizer()
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
    with seeded(seed):
        text_encoder = CLIPTextModel(
            CLIPTextConfig(
                bos_token_id=0,
                eos_token_id=1,
                pad_token_id=1,
                hidden_size=32,
                intermediate_size=37,
                num_attention_heads=4,
                num_hidden_layers=2,
                vocab_size=len(tok),
            )
        ).eval()
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


def _hunyuanvideo(task: str, seed: int) -> dict[str, Any]:
    """HunyuanVideo: dual-stream DiT, a Llama text encoder (hidden states) and a CLIP text encoder
    (pooled), both with letter-level tokenizers built in code."""
    from diffusers import (
        AutoencoderKLHunyuanVideo,
        FlowMatchEulerDiscreteScheduler,
        HunyuanVideoTransformer3DModel,
    )
    from transformers import (
        CLIPTextConfig,
        CLIPTextModel,
        LlamaConfig,
        LlamaModel,
        LlamaTokenizer,
    )

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
    tok2 = _clip_tokenizer()
    tok.model_max_length = 16
    with seeded(seed):
        text_encoder = LlamaModel(
            LlamaConfig(
                hidden_size=16,
                intermediate_size=37,
                num_attention_heads=4,
                num_hidden_layers=2,
                vocab_size=len(tok),
                pad_token_id=1,
                bos_token_id=0,
                eos_token_id=2,
                hidden_act="gelu",
            )
        ).eval()
    with seeded(seed):
        text_encoder_2 = CLIPTextModel(
            CLIPTextConfig(
                hidden_size=8,
                intermediate_size=37,
                num_attention_heads=4,
                num_hidden_layers=2,
                vocab_size=len(tok2),
                bos_token_id=0,
                eos_token_id=1,
                pad_token_id=1,
                projection_dim=32,
            )
        ).eval()
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
    with seeded(seed):
        vae = AutoencoderKLHunyuanVideo(
            in_channels=3,
            out_channels=3,
            latent_channels=4,
            down_block_types=("HunyuanVideoDownBlock3D",) * 4,
            up_block_types=("HunyuanVideoUpBlock3D",) * 4,
            block_out_channels=(8, 8, 8, 8),
            layers_per_block=1,
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


def _mochi(task: str, seed: int) -> dict[str, Any]:
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
        **_text_components(seed),
    }


def _allegro(task: str, seed: int) -> dict[str, Any]:
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
    with seeded(seed):
        vae = AutoencoderKLAllegro(
            in_channels=3,
            out_channels=3,
            down_block_types=("AllegroDownBlock3D",) * 4,
            up_block_types=("AllegroUpBlock3D",) * 4,
            block_out_channels=(8, 8, 8, 8),
            latent_channels=4,
            layers_per_block=1,
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


def tiny_gemma_tokenizer(model_max_length: int = 16) -> Any:
    """A tiny Gemma tokenizer built in code: byte-pair encoding over single letters (no merges),
    with Gemma's special tokens (pad=0, eos=1, bos=2); no network.

    Example:
        >>> tok = tiny_gemma_tokenizer()
        >>> len(tok) < 60, tok.pad_token_id
        (True, 0)
    """
    from transformers import GemmaTokenizer

    vocab = {t: i for i, t in enumerate(["<pad>", "<eos>", "<bos>", "<unk>", "<mask>"])}
    for c in "abcdefghijklmnopqrstuvwxyz0123456789.,\u2581":
        vocab.setdefault(c, len(vocab))
    tok = GemmaTokenizer(vocab=vocab, merges=[])
    tok.model_max_length = model_max_length
    return tok


def _ltx2(task: str, seed: int) -> dict[str, Any]:
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
    with seeded(seed):
        vae = AutoencoderKLLTX2Video(
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
            patch_size=1,
            patch_size_t=1,
            encoder_causal=True,
            decoder_causal=False,
        )
    vae.use_framewise_encoding = False
    vae.use_framewise_decoding = False
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


def _sana_video(task: str, seed: int) -> dict[str, Any]:
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
    comps = _wan("t2v", seed)
    return {
        "transformer": transformer,
        "vae": comps["vae"],
        "scheduler": DPMSolverMultistepScheduler(),
        "text_encoder": text_encoder,
        "tokenizer": tok,
    }


def _ltx(task: str, seed: int) -> dict[str, Any]:
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
    with seeded(seed):
        vae = AutoencoderKLLTXVideo(
            latent_channels=8,
            block_out_channels=(8, 8, 8, 8),
            spatio_temporal_scaling=(True, True, False, False),
            layers_per_block=(1, 1, 1, 1, 1),
            decoder_block_out_channels=(8, 8, 8, 8),
            decoder_layers_per_block=(1, 1, 1, 1, 1),
            decoder_spatio_temporal_scaling=(True, True, False, False),
            patch_size=1,
            patch_size_t=1,
            encoder_causal=True,
            decoder_causal=False,
        )
    vae.use_framewise_encoding = False
    vae.use_framewise_decoding = False
    scheduler = FlowMatchEulerDiscreteScheduler()
    return {
        "transformer": transformer,
        "vae": vae,
        "scheduler": scheduler,
        **_text_components(seed),
    }


def _svd(task: str, seed: int) -> dict[str, Any]:
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
    clip = _clip_vision(32, seed, layers=2, heads=4, inter=37, size=224, patch=14)
    return {
        "unet": unet,
        "image_encoder": clip["encoder"],
        "scheduler": scheduler,
        "vae": vae,
        "feature_extractor": clip["processor"],
    }


_BUILDERS = {
    "cogvideox": _cogvideox,
    "wan": _wan,
    "ltx": _ltx,
    "svd": _svd,
    "wan2.2-a14b": _wan22_a14b,
    "wan2.2-ti2v": _wan22_ti2v,
    "skyreels-v2": _skyreels_v2,
    "skyreels-v2-df": _skyreels_v2_df,
    "wan-vace": _wan_vace,
    "lucy-edit": _lucy_edit,
    "ltx2": _ltx2,
    "sana-video": _sana_video,
    "helios": _helios,
    "hunyuanvideo": _hunyuanvideo,
    "animatediff": _animatediff,
    "cogvideox-fun": _cogvideox_fun,
    "mochi": _mochi,
    "allegro": _allegro,
}


def _check(family: str, task: str) -> tuple[str, str]:
    from vidkit.sampling import normalize_task

    if not isinstance(family, str):
        raise TypeError(f"family must be a string such as 'wan', got {type(family).__name__}")
    fam = family.lower().replace("_", "-")
    fam = {"cogvideo": "cogvideox", "cog": "cogvideox", "stable-video-diffusion": "svd"}.get(
        fam, fam
    )
    if fam not in TINY_PIPELINES:
        raise ValueError(
            f"no tiny pipeline for family {family!r}; available: {sorted(TINY_PIPELINES)}"
        )
    t = normalize_task(task)
    if t not in TINY_PIPELINES[fam][1]:
        raise ValueError(
            f"family {fam!r} has no task {task!r}; its tiny pipelines cover "
            f"{list(TINY_PIPELINES[fam][1])}"
        )
    return fam, t


def tiny_components(family: str, task: str = "t2v", *, seed: int = 0) -> dict[str, Any]:
    """The components (``transformer``/``unet``, ``vae``, ``scheduler``, text/image encoders) of a
    tiny pipeline, seeded so that the same arguments give the same weights.

    Example:
        >>> comps = tiny_components("ltx", "t2v")
        >>> sorted(comps)
        ['scheduler', 'text_encoder', 'tokenizer', 'transformer', 'vae']
    """
    fam, t = _check(family, task)
    return _BUILDERS[fam](t, int(seed))


def tiny_pipeline(
    family: str = "wan", task: str = "t2v", *, seed: int = 0, device: str = "cpu"
) -> VideoPipeline:
    """A random-weight tiny diffusers video pipeline wrapped as a :class:`vidkit.sampling.VideoPipeline`.

    Families and tasks: ``cogvideox`` (t2v, i2v, v2v), ``wan`` (t2v, i2v, v2v), ``ltx`` (t2v, i2v,
    condition), ``svd`` (i2v), and the rest of :data:`TINY_PIPELINES` (Wan 2.2 A14B and TI2V-5B,
    Wan VACE, SkyReels-V2 and its diffusion-forcing models, Mochi, Allegro). No network is used. Two denoising steps take well under a second
    on a CPU (SVD a little more). The underlying diffusers pipeline is ``.pipeline``; the wrapper
    switches tasks with ``from_pipe`` (shared weights) where the checkpoint allows it.

    Example:
        >>> pipe = tiny_pipeline("cogvideox", "t2v")
        >>> type(pipe.pipeline).__name__, pipe.task
        ('CogVideoXPipeline', 't2v')
    """
    from vidkit.sampling import VideoPipeline, family_for, pipeline_class_for

    fam, t = _check(family, task)
    comps = tiny_components(fam, t, seed=seed)
    spec = family_for(TINY_PIPELINES[fam][0])
    cls = pipeline_class_for(spec, t)
    pipe = cls(**comps)
    for comp in pipe.components.values():  # eval mode, as from_pretrained leaves models (the
        if hasattr(comp, "eval") and hasattr(comp, "training"):  # Allegro VAE has dropout)
            comp.eval()
    pipe.set_progress_bar_config(disable=True)
    pipe.to(device)
    call_defaults = {} if fam in ("svd", "animatediff") else {"max_sequence_length": 16}
    if fam == "hunyuanvideo":  # the released template's system prompt exceeds 16 tokens
        call_defaults["prompt_template"] = {"template": "{}", "crop_start": 0}
    if fam == "sana-video":  # no long system prompt before the tiny encoder's 16 tokens
        call_defaults.update(complex_human_instruction=[], use_resolution_binning=False)
    return VideoPipeline(
        pipe,
        family=spec,
        task=t,
        model_id=f"vidkit-tiny/{fam}-{t}",
        defaults=TINY_DEFAULTS[fam],
        call_defaults=call_defaults,
    )


def save_tiny_pipeline(
    path: str | os.PathLike, family: str = "wan", task: str = "t2v", *, seed: int = 0
) -> Path:
    """Build :func:`tiny_pipeline` and save it as a diffusers folder (safetensors) at ``path``.

    The folder loads back with ``vk.load(path)`` in any process (used by ``vk.generate_many``).

    Example:
        >>> import tempfile, vidkit as vk
        >>> folder = save_tiny_pipeline(tempfile.mkdtemp() + "/tiny-wan", "wan", "t2v")
        >>> pipe = vk.load(folder)
        >>> pipe.family.name, pipe.task
        ('wan', 't2v')
    """
    pipe = tiny_pipeline(family, task, seed=seed)
    return pipe.save_pretrained(path)


def smooth_video(t: int = 24, h: int = 48, w: int = 64, fps: float = 12.0) -> Any:
    """A smooth synthetic test video: moving colour gradients and a soft-edged ball.

    Smooth content is what video codecs keep well, so it is the reference input for codec round
    trips and I/O benchmarks (a hard-edged scene measures chroma subsampling instead).

    Example:
        >>> v = smooth_video(8, 32, 32)
        >>> v.shape
        (8, 32, 32, 3)
    """
    import numpy as np

    from vidkit.video import Video

    tt = np.arange(t)[:, None, None] / t
    y = np.arange(h)[None, :, None] / h
    x = np.arange(w)[None, None, :] / w
    r = 0.5 + 0.35 * np.sin(2 * np.pi * (x + tt))
    g = 0.5 + 0.35 * np.cos(2 * np.pi * (y - tt))
    b = 0.4 + 0.3 * x * y + 0 * tt
    frames = np.stack(np.broadcast_arrays(r, g, b), -1)
    d = np.sqrt((x - 0.2 - 0.6 * tt) ** 2 + (y - 0.5) ** 2)
    ball = np.clip((0.15 - d) * 12, 0, 1)[..., None]
    frames = frames * (1 - ball) + ball * np.array([0.9, 0.85, 0.2])
    return Video(frames.astype(np.float32), fps=fps, metadata={"scene": "smooth", "seed": 0})
