"""Which of diffusers' video pipelines vidkit covers, and why the others are not covered yet.

:func:`video_pipelines` lists the video pipelines of the installed diffusers by one rule (a
``DiffusionPipeline`` exported by ``diffusers`` whose ``__call__`` takes a frame count
(``num_frames``, ``video_length``, ``frames``) or a parameter naming a video, or whose class name
says ``Video``). Each is either *supported* (a registered family's entry claims it) or on
:data:`NOT_YET_SUPPORTED` with its reason; ``tests/test_family_coverage.py`` fails when a new
diffusers brings a pipeline that is neither. A supported pipeline is tested on a tiny offline
pipeline (:mod:`vidkit.testing`) unless :data:`UNTESTED_CLAIMS` says why not.

Example:
    >>> rows = coverage()
    >>> rows["WanPipeline"]
    'wan'
    >>> rows["Kandinsky5T2VPipeline"].startswith("not yet:")
    True
"""

from __future__ import annotations

import inspect
from typing import Any

__all__ = [
    "NOT_YET_SUPPORTED",
    "UNTESTED_CLAIMS",
    "claimed_pipelines",
    "coverage",
    "video_pipelines",
]

_FRAME_ARGS = ("num_frames", "video_length", "frames")

_DEPRECATED = "deprecated in diffusers (pipelines/deprecated); superseded by the current families"
_NO_TINY = "no tiny offline pipeline built yet"

#: diffusers video pipelines vidkit does not cover yet -> why
NOT_YET_SUPPORTED: dict[str, str] = {
    # AnimateDiff variants
    "AnimateDiffControlNetPipeline": (
        f"ControlNet conditioning frames are not a vk.generate input yet; {_NO_TINY}"
    ),
    "AnimateDiffSparseControlNetPipeline": (
        f"sparse ControlNet conditioning frames are not a vk.generate input yet; {_NO_TINY}"
    ),
    "AnimateDiffVideoToVideoControlNetPipeline": (
        f"ControlNet conditioning frames are not a vk.generate input yet; {_NO_TINY}"
    ),
    "AnimateDiffPAGPipeline": f"perturbed-attention-guidance variant of AnimateDiff; {_NO_TINY}",
    # newer families
    "AnyFlowPipeline": f"AnyFlow (any-step flow map distillation); {_NO_TINY}",
    "AnyFlowFARPipeline": f"AnyFlow frame-autoregressive variant; {_NO_TINY}",
    "ChronoEditPipeline": (
        "image editing that reasons through video frames: its result is an edited image, not a "
        "video task vk.generate has"
    ),
    "ConsisIDPipeline": (
        "identity-preserving text-to-video: its face conditioning needs face-analysis models "
        "(insightface/facexlib) outside diffusers"
    ),
    "CosmosTextToWorldPipeline": (
        f"needs NVIDIA's Cosmos guardrail (cosmos_guardrail package) as safety checker; {_NO_TINY}"
    ),
    "CosmosVideoToWorldPipeline": (
        f"needs NVIDIA's Cosmos guardrail (cosmos_guardrail package) as safety checker; {_NO_TINY}"
    ),
    "Cosmos2VideoToWorldPipeline": (
        f"needs NVIDIA's Cosmos guardrail (cosmos_guardrail package) as safety checker; {_NO_TINY}"
    ),
    "Cosmos2_5_PredictBasePipeline": (
        f"Cosmos 2.5 Predict: Qwen2.5-VL text encoder and Cosmos guardrail; {_NO_TINY}"
    ),
    "Cosmos2_5_TransferPipeline": (
        f"Cosmos 2.5 Transfer: control inputs (depth, edge, segmentation) and Cosmos guardrail; "
        f"{_NO_TINY}"
    ),
    "Cosmos3OmniPipeline": f"Cosmos 3 omni model; {_NO_TINY}",
    "EasyAnimatePipeline": f"EasyAnimate: Qwen2-VL text encoder; {_NO_TINY}",
    "EasyAnimateControlPipeline": f"EasyAnimate control video / camera control; {_NO_TINY}",
    "EasyAnimateInpaintPipeline": f"EasyAnimate inpainting (video + mask); {_NO_TINY}",
    "HeliosPyramidPipeline": f"Helios pyramid sampling (several resolutions per call); {_NO_TINY}",
    "HunyuanSkyreelsImageToVideoPipeline": (
        f"SkyReels-V1 on HunyuanVideo: Llama + CLIP text encoders; {_NO_TINY}"
    ),
    "HunyuanVideoFramepackPipeline": (
        "FramePack: SigLIP image encoder, section-by-section sampling (several denoising loops "
        f"per call, which vidkit's single trajectory does not describe yet); {_NO_TINY}"
    ),
    "HunyuanVideo15Pipeline": (
        "HunyuanVideo-1.5's __call__ takes no callback_on_step_end, so vidkit's step callbacks, "
        f"progress bar and trajectories cannot attach (guidance goes through a guider); {_NO_TINY}"
    ),
    "HunyuanVideo15ImageToVideoPipeline": (
        "HunyuanVideo-1.5 I2V: no callback_on_step_end (no step callbacks, progress or "
        f"trajectories), SigLIP image encoder; {_NO_TINY}"
    ),
    "Kandinsky5T2VPipeline": f"Kandinsky 5: Qwen2.5-VL + CLIP text encoders; {_NO_TINY}",
    "Kandinsky5I2VPipeline": f"Kandinsky 5 I2V: Qwen2.5-VL + CLIP text encoders; {_NO_TINY}",
    "Kandinsky6TI2VAPipeline": (
        f"Kandinsky 6: text/image to video with audio output (no audio track in vidkit's "
        f"generate yet); {_NO_TINY}"
    ),
    "Kandinsky6SRPipeline": "video super-resolution of a finished video: not a generation task",
    "LTX2ConditionPipeline": (
        "LTX-2 conditions at chosen frames: its conditions= list (LTX2VideoCondition) is not built "
        "from vk.generate's inputs yet"
    ),
    "LTX2InContextPipeline": f"LTX-2 in-context (IC-LoRA) conditioning; {_NO_TINY}",
    "LTX2HDRPipeline": f"LTX-2 HDR output; {_NO_TINY}",
    "LTX2DFRPipeline": f"LTX-2 distilled few-step refinement; {_NO_TINY}",
    "LTX2DFRTemporalRefinePipeline": f"LTX-2 temporal refinement stage; {_NO_TINY}",
    "LTX2LatentUpsamplePipeline": (
        "LTX-2 latent upsampler: a second stage over latents of a finished video, not a "
        "generation task"
    ),
    "LTX2VideoDiffusionDecodePipeline": (
        "LTX-2 diffusion decoder: decodes given latents, not a generation task"
    ),
    "LTXLatentUpsamplePipeline": (
        "LTX-Video latent upsampler: a second stage over latents of a finished video, not a "
        "generation task"
    ),
    "LTXI2VLongMultiPromptPipeline": (
        f"LTX-Video long video with a prompt per segment (several passes per call); {_NO_TINY}"
    ),
    "LattePipeline": (
        "Latte makes exactly transformer.config.video_length frames (16; its temporal position "
        "embedding has that length), a rule vidkit's k*m+o frame rules cannot state yet"
    ),
    "MotifVideoPipeline": f"Motif-Video; {_NO_TINY}",
    "MotifVideoImage2VideoPipeline": f"Motif-Video image-to-video; {_NO_TINY}",
    "SanaWMPipeline": f"Sana world model (action/camera conditioned); {_NO_TINY}",
    "SkyReelsV2DiffusionForcingVideoToVideoPipeline": (
        "SkyReels-V2 video extension: the output prepends the input and sampling runs one pass "
        "per overlap window; the extension task of vk.generate is not wired to it yet"
    ),
    "WanAnimatePipeline": (
        "Wan-Animate: needs pose and face videos extracted by the authors' preprocessing "
        "(pose estimator, face crops) outside diffusers"
    ),
    # deprecated
    "I2VGenXLPipeline": _DEPRECATED,
    "PIAPipeline": _DEPRECATED,
    "TextToVideoSDPipeline": _DEPRECATED,
    "TextToVideoZeroPipeline": _DEPRECATED,
    "TextToVideoZeroSDXLPipeline": _DEPRECATED,
    "VideoToVideoSDPipeline": _DEPRECATED,
}

#: pipelines a family entry claims that no tiny offline pipeline tests yet -> why
UNTESTED_CLAIMS: dict[str, str] = {
    "HunyuanVideoImageToVideoPipeline": (
        "Llava-Llama + CLIP encoders: tiny tokenizers and image processor not built in code yet"
    ),
    "AnimateDiffSDXLPipeline": "no tiny SDXL UNet + two CLIP text encoders built yet",
}


def _takes_video(cls: type) -> bool:
    try:
        params = inspect.signature(cls.__call__).parameters
    except (TypeError, ValueError):  # pragma: no cover
        return False
    return "Video" in cls.__name__ or any(p in _FRAME_ARGS or "video" in p for p in params)


def video_pipelines() -> dict[str, type]:
    """The video pipelines of the installed diffusers, by class name.

    The rule: a ``DiffusionPipeline`` subclass exported by ``diffusers`` whose ``__call__`` takes a
    frame count (``num_frames``, ``video_length`` or ``frames``) or a parameter whose name contains
    ``video``, or whose class name contains ``Video``.

    Example:
        >>> pipes = video_pipelines()
        >>> "WanPipeline" in pipes, "FluxPipeline" in pipes
        (True, False)
    """
    import diffusers

    out: dict[str, type] = {}
    for name in dir(diffusers):
        if not name.endswith("Pipeline"):
            continue
        try:
            cls = getattr(diffusers, name)
        except (ImportError, AttributeError, RuntimeError):  # an optional backend is missing
            continue
        if (
            inspect.isclass(cls)
            and issubclass(cls, diffusers.DiffusionPipeline)
            and _takes_video(cls)
        ):
            out[name] = cls
    return dict(sorted(out.items()))


def claimed_pipelines() -> dict[str, str]:
    """Pipeline class name -> the registered family whose entry claims it (its task pipelines
    and ``class_names``).

    Example:
        >>> claimed_pipelines()["SkyReelsV2ImageToVideoPipeline"]
        'skyreels-v2'
    """
    from vidkit.sampling.families import families, pipeline_class_name

    out: dict[str, str] = {}
    for fam in families().values():
        names = [pipeline_class_name(c) for c in fam.pipelines.values()] + list(fam.class_names)
        for n in names:
            out.setdefault(n, fam.name)
    return out


def coverage() -> dict[str, Any]:
    """Every video pipeline of the installed diffusers -> its family name, or ``"not yet: <why>"``,
    or ``"unknown"`` (neither: what the coverage test fails on).

    Example:
        >>> coverage()["SkyReelsV2DiffusionForcingPipeline"]
        'skyreels-v2-df'
    """
    claimed = claimed_pipelines()
    out: dict[str, Any] = {}
    for name in video_pipelines():
        if name in claimed:
            out[name] = claimed[name]
        elif name in NOT_YET_SUPPORTED:
            out[name] = f"not yet: {NOT_YET_SUPPORTED[name]}"
        else:
            out[name] = "unknown"
    return out
