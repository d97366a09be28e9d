"""The registry entries of the built-in families: what vidkit knows about each of them.

Each entry is the keyword arguments of one :class:`~vidkit.sampling.families.ModelFamily`: a row
of the defaults table (the released checkpoints' size, frames, fps, steps, guidance), a row of the
rules table (frame and size rules, latent layout, flow matching, trajectory decode, dtype on an
accelerator) and the family's own fields (its diffusers pipeline class per task, hub-id patterns,
per-checkpoint hooks, notes), joined by :func:`~vidkit.sampling.family_specs.family_specs`. The
tables hold one row per family, so that the families are compared at a glance.
:mod:`vidkit.sampling.families` builds and registers the entries (this module does not import
it). What diffusers ships and vidkit does not cover yet is listed, with the reason, in
:mod:`vidkit.sampling.coverage`.

Example:
    >>> from vidkit.sampling.families import family_for
    >>> fam = family_for("skyreels-v2")
    >>> fam.tasks, fam.frame_rule, (fam.height, fam.width, fam.num_frames, fam.fps)
    (('t2v', 'i2v'), '4k+1', (544, 960, 97, 24))
"""

from __future__ import annotations

import inspect
from typing import Any

from vidkit.sampling.decode import (
    decode_allegro,
    decode_animatediff,
    decode_cogvideox,
    decode_generic,
    decode_ltx,
    decode_mochi,
    decode_sana_video,
    decode_svd,
    decode_wan,
    decode_wan_vace,
)
from vidkit.sampling.family_specs import WAN_DTYPES, family_specs

__all__ = ["builtin_family_specs"]


# --------------------------------------------------------------------------- per-checkpoint hooks
def _cog_tasks(pipe: Any) -> tuple[str, ...]:
    tr, vae = getattr(pipe, "transformer", None), getattr(pipe, "vae", None)
    if tr is None or vae is None:
        return ("t2v", "i2v", "v2v")
    if tr.config.in_channels == 2 * vae.config.latent_channels:
        return ("i2v",)
    return ("t2v", "v2v")


def _cog_defaults(pipe: Any, d: dict) -> dict:
    tr = getattr(pipe, "transformer", None)
    if tr is None:
        return d
    c = tr.config
    scale = getattr(pipe, "vae_scale_factor_spatial", 8)
    d = dict(d, height=int(c.sample_height * scale), width=int(c.sample_width * scale))
    d["num_frames"] = int(c.sample_frames)
    if getattr(c, "patch_size_t", None):  # CogVideoX 1.5
        d["fps"] = 16
    return d


def _wan_tasks(pipe: Any) -> tuple[str, ...]:
    tr, vae = getattr(pipe, "transformer", None), getattr(pipe, "vae", None)
    if tr is None or vae is None:
        return ("t2v", "i2v", "v2v")
    if getattr(pipe.config, "expand_timesteps", False):  # Wan 2.2 TI2V: one model, both tasks
        return ("t2v", "i2v")
    if tr.config.in_channels == vae.config.z_dim:
        # Wan 2.2 A14B: two experts; WanVideoToVideoPipeline takes one transformer only
        two_experts = getattr(pipe, "transformer_2", None) is not None
        return ("t2v",) if two_experts else ("t2v", "v2v")
    return ("i2v",)


def _wan_defaults(pipe: Any, d: dict) -> dict:
    if getattr(pipe.config, "expand_timesteps", False):  # Wan 2.2 TI2V-5B
        return dict(d, height=704, width=1280, num_frames=121, fps=24)
    return d


def _svd_defaults(pipe: Any, d: dict) -> dict:
    unet = getattr(pipe, "unet", None)
    n = getattr(getattr(unet, "config", None), "num_frames", None)
    return dict(d, num_frames=int(n)) if n else d


def _call_defaults(pipe: Any, d: dict) -> dict:
    """Defaults read from a pipeline's ``__call__`` signature (generic family)."""
    try:
        params = inspect.signature(type(pipe).__call__).parameters
    except (TypeError, ValueError):  # pragma: no cover
        return d
    d = dict(d)
    for ours, theirs in (
        ("height", "height"),
        ("width", "width"),
        ("num_frames", "num_frames"),
        ("steps", "num_inference_steps"),
        ("guidance", "guidance_scale"),
    ):
        p = params.get(theirs)
        if (
            p is not None
            and isinstance(p.default, (int, float))
            and not isinstance(p.default, bool)
        ):
            d[ours] = p.default
    # heights given as None in the signature come from the transformer/unet config
    return d


def _generic_tasks(pipe: Any) -> tuple[str, ...]:
    try:
        params = inspect.signature(type(pipe).__call__).parameters
    except (TypeError, ValueError):  # pragma: no cover
        return ("t2v",)
    tasks = []
    if "prompt" in params and "image" not in params and "video" not in params:
        tasks.append("t2v")
    if "image" in params:
        tasks.append("i2v")
    if "video" in params:
        tasks.append("v2v")
    return tuple(tasks) or ("t2v",)


def _skyreels_tasks(pipe: Any) -> tuple[str, ...]:
    """A SkyReels-V2 T2V checkpoint (16 input channels) or I2V one (36: + mask + image latents)."""
    tr, vae = getattr(pipe, "transformer", None), getattr(pipe, "vae", None)
    if tr is None or vae is None:
        return ("t2v", "i2v")
    return ("t2v",) if tr.config.in_channels == vae.config.z_dim else ("i2v",)


def _vace_call(pipe: Any, task: str, settings: Any, kwargs: dict) -> dict:
    """Wan VACE and Lucy Edit: the input video and the generated video have the same frame count
    (the pipelines' own default is 81, whatever the video)."""
    kwargs = dict(kwargs)
    if task == "v2v":
        kwargs["num_frames"] = settings.num_frames
    return kwargs


def _sana_video_call(pipe: Any, task: str, settings: Any, kwargs: dict) -> dict:
    """Sana-Video counts frames in ``frames``."""
    return {**kwargs, "frames": settings.num_frames}


def _fun_control_call(pipe: Any, task: str, settings: Any, kwargs: dict) -> dict:
    """CogVideoX-Fun control takes the prepared video as ``control_video``."""
    kwargs = dict(kwargs)
    if "video" in kwargs:
        kwargs["control_video"] = kwargs.pop("video")
    return kwargs


# the generation defaults of the released checkpoints (DEFAULT_FIELDS):
#   height, width, num_frames, fps, steps, guidance
_DEFAULTS: dict[str, tuple[Any, ...]] = {
    "cogvideox": (480, 720, 49, 8, 50, 6.0),
    "wan": (480, 832, 81, 16, 50, 5.0),
    "ltx": (480, 704, 161, 25, 50, 3.0),
    "svd": (576, 1024, 14, 7, 25, 3.0),
    "animatediff": (512, 512, 16, 8, 25, 7.5),
    "hunyuanvideo": (320, 512, 61, 15, 30, 6.0),
    "generic": (512, 512, 16, 8.0, 50, None),  # ModelFamily's own defaults
    "skyreels-v2": (544, 960, 97, 24, 50, 6.0),
    "skyreels-v2-df": (544, 960, 97, 24, 30, 6.0),
    "wan-vace": (480, 832, 81, 16, 50, 5.0),
    "lucy-edit": (480, 832, 81, 24, 50, 5.0),
    "ltx2": (512, 768, 121, 24, 30, 3.0),
    "sana-video": (480, 832, 81, 16, 50, 6.0),
    "helios": (384, 640, 129, 24, 50, 5.0),  # 129 frames: what its default 132 gives (whole chunks)
    "cogvideox-fun": (480, 720, 49, 8, 50, 6.0),
    "mochi": (480, 848, 163, 30, 64, 4.5),
    "allegro": (720, 1280, 88, 15, 100, 7.5),
}

# the rules (RULE_FIELDS): frame_multiple, frame_offset, size_multiple, latent_layout,
#   flow_matching, decode, gpu_dtype, component_dtypes
_RULES: dict[str, tuple[Any, ...]] = {
    "cogvideox": (4, 1, 16, "BFCHW", False, decode_cogvideox, "bfloat16", {}),
    "wan": (4, 1, 16, "BCFHW", True, decode_wan, "bfloat16", WAN_DTYPES),
    "ltx": (8, 1, 32, "packed", True, decode_ltx, "bfloat16", {}),
    "svd": (1, 0, 8, "BFCHW", False, decode_svd, "float16", {}),
    "animatediff": (1, 0, 8, "BCFHW", False, decode_animatediff, "float16", {}),
    "hunyuanvideo": (4, 1, 16, "BCFHW", True, decode_generic, "bfloat16", {}),
    "generic": (1, 0, 8, "BCFHW", False, decode_generic, "bfloat16", {}),
    # Wan's VAE, latents normalised by latents_mean/std
    "skyreels-v2": (4, 1, 16, "BCFHW", True, decode_wan, "bfloat16", WAN_DTYPES),
    "skyreels-v2-df": (4, 1, 16, "BCFHW", True, decode_wan, "bfloat16", WAN_DTYPES),
    "wan-vace": (4, 1, 16, "BCFHW", True, decode_wan_vace, "bfloat16", WAN_DTYPES),
    "lucy-edit": (4, 1, 16, "BCFHW", True, decode_wan, "bfloat16", WAN_DTYPES),
    # video latents [B, seq, C] (audio latents beside them); LTX-Video's unpack + de-normalise +
    # VAE decode
    "ltx2": (8, 1, 32, "packed", True, decode_ltx, "bfloat16", {}),
    "sana-video": (4, 1, 16, "BCFHW", True, decode_sana_video, "bfloat16", WAN_DTYPES),
    # chunks of 9 latent frames (33 frames), each continuing the last: 32k+1 frames
    "helios": (32, 1, 16, "BCFHW", True, decode_wan, "bfloat16", WAN_DTYPES),
    "cogvideox-fun": (4, 1, 16, "BFCHW", False, decode_cogvideox, "bfloat16", {}),
    # the VAE compresses time 6x (6k+1 frames); 8x VAE, patch 2
    "mochi": (6, 1, 16, "BCFHW", True, decode_mochi, "bfloat16", {}),
    # 4x temporal VAE; the released model makes 88 frames
    "allegro": (4, 0, 8, "BCFHW", False, decode_allegro, "bfloat16", {}),
}


def builtin_family_specs() -> list[dict[str, Any]]:
    """The registry entries of the built-in families, as ``ModelFamily`` keyword arguments (built
    and registered, in this order, by :mod:`vidkit.sampling.families`).

    Example:
        >>> [f["name"] for f in builtin_family_specs()][:7]
        ['cogvideox', 'wan', 'ltx', 'svd', 'animatediff', 'hunyuanvideo', 'generic']
        >>> [f["name"] for f in builtin_family_specs()][7:]
        ['skyreels-v2', 'skyreels-v2-df', 'wan-vace', 'lucy-edit', 'ltx2', 'sana-video', 'helios', 'cogvideox-fun', 'mochi', 'allegro']
    """
    own: dict[str, dict[str, Any]] = {
        "cogvideox": dict(
            pipelines={
                "t2v": "CogVideoXPipeline",
                "i2v": "CogVideoXImageToVideoPipeline",
                "v2v": "CogVideoXVideoToVideoPipeline",
            },
            patterns=(r"^(?!.*cogvideox-fun).*cogvideox",),  # (Fun ids: cogvideox-fun)
            tasks_for=_cog_tasks,
            image_per_sample=True,
            refine_defaults=_cog_defaults,
            notes="THUDM/CogVideoX-2b (fp16), -5b, -5b-I2V, CogVideoX1.5-5b",
        ),
        "wan": dict(
            pipelines={
                "t2v": "WanPipeline",
                "i2v": "WanImageToVideoPipeline",
                "v2v": "WanVideoToVideoPipeline",
            },
            # (Wan VACE ids belong to the wan-vace family)
            patterns=(r"^(?!.*vace).*wan-ai/", r"^(?!.*vace).*\bwan[-_ ]?2\.[12]"),
            tasks_for=_wan_tasks,
            refine_defaults=_wan_defaults,
            notes="Wan-AI/Wan2.1-T2V-1.3B-Diffusers, Wan2.1-I2V-14B-480P, Wan2.2-TI2V-5B, A14B",
        ),
        "ltx": dict(
            pipelines={
                "t2v": "LTXPipeline",
                "i2v": "LTXImageToVideoPipeline",
                "condition": "LTXConditionPipeline",
            },
            patterns=(r"ltx-?video", r"lightricks/ltx(?!-?2)"),
            fps_arg="frame_rate",
            image_per_sample=True,
            notes="Lightricks/LTX-Video (0.9.x)",
        ),
        "svd": dict(
            pipelines={"i2v": "StableVideoDiffusionPipeline"},
            patterns=(r"stable-video-diffusion", r"\bsvd\b", r"svd[-_]xt"),
            text_conditioned=False,
            guidance_arg="max_guidance_scale",
            fps_arg="fps",
            image_per_sample=True,
            refine_defaults=_svd_defaults,
            notes="stabilityai/stable-video-diffusion-img2vid(-xt); image only, no prompt",
        ),
        "animatediff": dict(
            pipelines={"t2v": "AnimateDiffPipeline", "v2v": "AnimateDiffVideoToVideoPipeline"},
            patterns=(r"animatediff", r"animatelcm"),
            class_names=("AnimateDiffSDXLPipeline",),
            notes="a full AnimateDiff pipeline folder, or a base SD model + motion_adapter=...",
        ),
        "hunyuanvideo": dict(
            pipelines={"t2v": "HunyuanVideoPipeline", "i2v": "HunyuanVideoImageToVideoPipeline"},
            patterns=(r"hunyuan-?video(?!-?1\.5)",),
            notes="generic path (hunyuanvideo-community/HunyuanVideo)",
        ),
        "generic": dict(
            pipelines={},
            tasks_for=_generic_tasks,
            refine_defaults=_call_defaults,
            notes="any other DiffusionPipeline; tasks from its __call__ signature",
        ),
        "skyreels-v2": dict(
            pipelines={"t2v": "SkyReelsV2Pipeline", "i2v": "SkyReelsV2ImageToVideoPipeline"},
            patterns=(r"skyreels-?v2(?!.*-df-)",),
            tasks_for=_skyreels_tasks,
            notes="Skywork/SkyReels-V2-T2V-14B-540P-Diffusers, -I2V-1.3B/14B-540P (Wan-based)",
        ),
        "skyreels-v2-df": dict(
            pipelines={
                "t2v": "SkyReelsV2DiffusionForcingPipeline",
                "i2v": "SkyReelsV2DiffusionForcingImageToVideoPipeline",
            },
            patterns=(r"skyreels-?v2-df",),
            fps_arg="fps",
            notes=(
                "Skywork/SkyReels-V2-DF-1.3B/14B-540P-Diffusers: diffusion forcing; longer than "
                "base_num_frames needs overlap_history=... (several passes per call)"
            ),
        ),
        "wan-vace": dict(
            # one pipeline class: no video is text-to-video; video= (a control video: depth,
            # pose, gray-filled frames to generate...) with an optional mask= and
            # reference_images= (pipeline kwargs) is video-to-video
            pipelines={"t2v": "WanVACEPipeline", "v2v": "WanVACEPipeline"},
            patterns=(r"vace",),
            prepare_call=_vace_call,
            notes="Wan-AI/Wan2.1-VACE-1.3B-diffusers, -14B (Wan 2.2 VACE-Fun: two experts)",
        ),
        "lucy-edit": dict(
            pipelines={"v2v": "LucyEditPipeline"},  # the prompt says how to edit the video
            patterns=(r"lucy-?edit",),
            prepare_call=_vace_call,
            notes="decart-ai/Lucy-Edit-Dev (Wan 2.2 TI2V-5B based instruction video editing)",
        ),
        "ltx2": dict(
            pipelines={"t2v": "LTX2Pipeline", "i2v": "LTX2ImageToVideoPipeline"},
            patterns=(r"ltx-?2",),
            fps_arg="frame_rate",
            image_per_sample=True,
            notes=(
                "Lightricks/LTX-2: video + audio in one model; vk.generate attaches the "
                "pipeline's audio (a waveform at the vocoder's rate) to each Video"
            ),
        ),
        "sana-video": dict(
            pipelines={"t2v": "SanaVideoPipeline", "i2v": "SanaImageToVideoPipeline"},
            patterns=(r"sana-?video",),
            prepare_call=_sana_video_call,
            notes=(
                "Efficient-Large-Model/SANA-Video_2B_480p_diffusers (Gemma-2 text encoder, Wan "
                "2.1 VAE; the LTX-2-VAE variants need 8k+1 frames)"
            ),
        ),
        "helios": dict(
            pipelines={"t2v": "HeliosPipeline"},
            patterns=(r"helios",),
            notes=(
                "BestWishYsh/Helios-Base, -Mid, -Distilled: chunk by chunk (each chunk runs its own "
                "denoising loop: a trajectory shows the chunk being denoised)"
            ),
        ),
        "cogvideox-fun": dict(
            # video= is the control video (depth, canny, pose... frames), sent as control_video
            pipelines={"v2v": "CogVideoXFunControlPipeline"},
            patterns=(r"cogvideox-fun",),
            prepare_call=_fun_control_call,
            notes="alibaba-pai/CogVideoX-Fun-V1.1-5b-Control (control video -> video)",
        ),
        "mochi": dict(
            pipelines={"t2v": "MochiPipeline"},
            patterns=(r"mochi",),
            notes="genmo/mochi-1-preview (fp16/bf16 variants; VAE decode is memory-heavy: tiling)",
        ),
        "allegro": dict(
            pipelines={"t2v": "AllegroPipeline"},
            patterns=(r"allegro",),
            notes="rhymes-ai/Allegro (the VAE decodes tiled: vae.enable_tiling())",
        ),
    }
    return family_specs(_DEFAULTS, _RULES, own)
