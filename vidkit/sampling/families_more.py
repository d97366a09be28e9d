"""Registry entries of the families added after the first six (SkyReels-V2, ...).

Each is the keyword arguments of one :class:`~vidkit.sampling.families.ModelFamily` (frame and
size rules, tasks, defaults of the released checkpoints, recommended dtype, trajectory decode);
``families.py`` builds and registers them with the built-in ones (this module does not import it). What diffusers ships and vidkit does not cover yet is
listed, with the reason, in :mod:`vidkit.sampling.coverage`.

Example:
    >>> from vidkit.sampling.families import family_for
    >>> fam = family_for("skyreels-v2")
    >>> fam.tasks, fam.frame_rule, (fam.height, fam.width, fam.num_frames, fam.fps)
    (('t2v', 'i2v'), '4k+1', (544, 960, 97, 24))
"""

from __future__ import annotations

from typing import Any

from vidkit.sampling.decode import (
    decode_allegro,
    decode_cogvideox,
    decode_ltx,
    decode_mochi,
    decode_sana_video,
    decode_wan,
    decode_wan_vace,
)

__all__ = ["more_family_specs"]


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


def more_family_specs() -> list[dict[str, Any]]:
    """The registry entries defined here, as ``ModelFamily`` keyword arguments (built and
    registered by :mod:`vidkit.sampling.families`).

    Example:
        >>> [f["name"] for f in more_family_specs()]
        ['skyreels-v2', 'skyreels-v2-df', 'wan-vace', 'lucy-edit', 'ltx2', 'sana-video', 'helios', 'cogvideox-fun', 'mochi', 'allegro']
    """
    wan_like: dict[str, Any] = {
        "frame_multiple": 4,
        "frame_offset": 1,
        "size_multiple": 16,
        "latent_layout": "BCFHW",
        "flow_matching": True,
        "decode": decode_wan,  # Wan's VAE, latents normalised by latents_mean/std
        "gpu_dtype": "bfloat16",
        "component_dtypes": {"vae": "float32", "image_encoder": "float32"},
    }
    return [
        dict(
            name="skyreels-v2",
            pipelines={"t2v": "SkyReelsV2Pipeline", "i2v": "SkyReelsV2ImageToVideoPipeline"},
            height=544,
            width=960,
            num_frames=97,
            fps=24,
            steps=50,
            guidance=6.0,
            patterns=(r"skyreels-?v2(?!.*-df-)",),
            tasks_for=_skyreels_tasks,
            notes="Skywork/SkyReels-V2-T2V-14B-540P-Diffusers, -I2V-1.3B/14B-540P (Wan-based)",
            **wan_like,
        ),
        dict(
            name="skyreels-v2-df",
            pipelines={
                "t2v": "SkyReelsV2DiffusionForcingPipeline",
                "i2v": "SkyReelsV2DiffusionForcingImageToVideoPipeline",
            },
            height=544,
            width=960,
            num_frames=97,
            fps=24,
            steps=30,
            guidance=6.0,
            patterns=(r"skyreels-?v2-df",),
            fps_arg="fps",
            notes=(
                "Skywork/SkyReels-V2-DF-1.3B/14B-540P-Diffusers: diffusion forcing; longer than "
                "base_num_frames needs overlap_history=... (several passes per call)"
            ),
            **wan_like,
        ),
        dict(
            name="wan-vace",
            # one pipeline class: no video is text-to-video; video= (a control video: depth,
            # pose, gray-filled frames to generate...) with an optional mask= and
            # reference_images= (pipeline kwargs) is video-to-video
            pipelines={"t2v": "WanVACEPipeline", "v2v": "WanVACEPipeline"},
            height=480,
            width=832,
            num_frames=81,
            fps=16,
            steps=50,
            guidance=5.0,
            patterns=(r"vace",),
            prepare_call=_vace_call,
            notes="Wan-AI/Wan2.1-VACE-1.3B-diffusers, -14B (Wan 2.2 VACE-Fun: two experts)",
            **dict(wan_like, decode=decode_wan_vace),
        ),
        dict(
            name="lucy-edit",
            pipelines={"v2v": "LucyEditPipeline"},  # the prompt says how to edit the video
            height=480,
            width=832,
            num_frames=81,
            fps=24,
            steps=50,
            guidance=5.0,
            patterns=(r"lucy-?edit",),
            prepare_call=_vace_call,
            notes="decart-ai/Lucy-Edit-Dev (Wan 2.2 TI2V-5B based instruction video editing)",
            **wan_like,
        ),
        dict(
            name="ltx2",
            pipelines={"t2v": "LTX2Pipeline", "i2v": "LTX2ImageToVideoPipeline"},
            height=512,
            width=768,
            num_frames=121,
            fps=24,
            steps=30,
            guidance=3.0,
            frame_multiple=8,
            frame_offset=1,
            size_multiple=32,
            latent_layout="packed",  # video latents [B, seq, C]; audio latents beside them
            flow_matching=True,
            decode=decode_ltx,  # LTX-Video's unpack + de-normalise + VAE decode
            patterns=(r"ltx-?2",),
            gpu_dtype="bfloat16",
            fps_arg="frame_rate",
            image_per_sample=True,
            notes=(
                "Lightricks/LTX-2: video + audio in one model; vk.generate attaches the "
                "pipeline's audio (a waveform at the vocoder's rate) to each Video"
            ),
        ),
        dict(
            name="sana-video",
            pipelines={"t2v": "SanaVideoPipeline", "i2v": "SanaImageToVideoPipeline"},
            height=480,
            width=832,
            num_frames=81,
            fps=16,
            steps=50,
            guidance=6.0,
            patterns=(r"sana-?video",),
            prepare_call=_sana_video_call,
            notes=(
                "Efficient-Large-Model/SANA-Video_2B_480p_diffusers (Gemma-2 text encoder, Wan "
                "2.1 VAE; the LTX-2-VAE variants need 8k+1 frames)"
            ),
            **dict(wan_like, decode=decode_sana_video),
        ),
        dict(
            name="helios",
            pipelines={"t2v": "HeliosPipeline"},
            height=384,
            width=640,
            num_frames=129,  # what its default 132 gives: whole chunks
            fps=24,
            steps=50,
            guidance=5.0,
            patterns=(r"helios",),
            notes=(
                "BestWishYsh/Helios-Base, -Mid, -Distilled: chunk by chunk (each chunk runs its own "
                "denoising loop: a trajectory shows the chunk being denoised)"
            ),
            # chunks of 9 latent frames (33 frames), each continuing the last: 32k+1 frames
            **dict(wan_like, frame_multiple=32),
        ),
        dict(
            name="cogvideox-fun",
            # video= is the control video (depth, canny, pose... frames), sent as control_video
            pipelines={"v2v": "CogVideoXFunControlPipeline"},
            height=480,
            width=720,
            num_frames=49,
            fps=8,
            steps=50,
            guidance=6.0,
            frame_multiple=4,
            frame_offset=1,
            size_multiple=16,
            latent_layout="BFCHW",
            flow_matching=False,
            decode=decode_cogvideox,
            patterns=(r"cogvideox-fun",),
            gpu_dtype="bfloat16",
            prepare_call=_fun_control_call,
            notes="alibaba-pai/CogVideoX-Fun-V1.1-5b-Control (control video -> video)",
        ),
        dict(
            name="mochi",
            pipelines={"t2v": "MochiPipeline"},
            height=480,
            width=848,
            num_frames=163,
            fps=30,
            steps=64,
            guidance=4.5,
            frame_multiple=6,  # the VAE compresses time 6x: 6k+1 frames
            frame_offset=1,
            size_multiple=16,  # 8x VAE, patch 2
            latent_layout="BCFHW",
            flow_matching=True,
            decode=decode_mochi,
            patterns=(r"mochi",),
            gpu_dtype="bfloat16",
            notes="genmo/mochi-1-preview (fp16/bf16 variants; VAE decode is memory-heavy: tiling)",
        ),
        dict(
            name="allegro",
            pipelines={"t2v": "AllegroPipeline"},
            height=720,
            width=1280,
            num_frames=88,
            fps=15,
            steps=100,
            guidance=7.5,
            frame_multiple=4,  # 4x temporal VAE; the released model makes 88 frames
            frame_offset=0,
            size_multiple=8,
            latent_layout="BCFHW",
            flow_matching=False,
            decode=decode_allegro,
            patterns=(r"allegro",),
            gpu_dtype="bfloat16",
            notes="rhymes-ai/Allegro (the VAE decodes tiled: vae.enable_tiling())",
        ),
    ]
