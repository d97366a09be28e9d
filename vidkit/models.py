"""Load video diffusion models: one entry point over the diffusers video pipelines.

``vk.load(model)`` takes a hub id, a local diffusers folder or an already built pipeline, detects
the model *family* (CogVideoX, Wan, LTX-Video, Stable Video Diffusion, AnimateDiff; anything else,
HunyuanVideo included, through a generic path) and returns a :class:`VideoPipeline`: a thin wrapper
that knows the family's tasks, default sizes and frame rules, switches task without reloading the
weights (``from_pipe``), and always exposes the diffusers pipeline itself as ``.pipeline``.

A family is one small :class:`ModelFamily` entry in a registry; a new family (such as vidkit's own
``tiny-physics`` model) registers itself with :func:`register_family`.

Example:
    >>> import vidkit as vk
    >>> pipe = vk.load("THUDM/CogVideoX-2b")              # doctest: +SKIP
    >>> pipe.family.name, pipe.tasks                        # doctest: +SKIP
    ('cogvideox', ('t2v', 'v2v'))
    >>> pipe.pipeline                                       # the diffusers CogVideoXPipeline
    ...                                                     # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import dataclasses
import inspect
import json
import os
import re
import warnings
import weakref
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from vidkit.errors import ModelLoadError, ModelNotFoundError

__all__ = [
    "TASKS",
    "ModelFamily",
    "VideoPipeline",
    "families",
    "family_for",
    "detect_family",
    "load",
    "normalize_task",
    "pipeline_class_for",
    "register_family",
    "resolve_device",
    "resolve_dtype",
]

TASKS = ("t2v", "i2v", "v2v", "condition")
_TASK_ALIASES = {
    "t2v": "t2v",
    "text-to-video": "t2v",
    "text2video": "t2v",
    "txt2vid": "t2v",
    "i2v": "i2v",
    "image-to-video": "i2v",
    "image2video": "i2v",
    "img2vid": "i2v",
    "v2v": "v2v",
    "video-to-video": "v2v",
    "video2video": "v2v",
    "vid2vid": "v2v",
    "condition": "condition",
    "conditioning": "condition",
}
_TASK_NAMES = {
    "t2v": "text-to-video",
    "i2v": "image-to-video",
    "v2v": "video-to-video",
    "condition": "image/video conditions at chosen frames",
}
_VIDKIT_JSON = "vidkit.json"


def normalize_task(task: str) -> str:
    """Canonical task name (``"t2v"``, ``"i2v"``, ``"v2v"``, ``"condition"``) from any common spelling.

    Example:
        >>> normalize_task("Image-to-Video")
        'i2v'
    """
    if not isinstance(task, str):
        raise TypeError(f"task must be a string such as 't2v', got {type(task).__name__}")
    key = task.strip().lower().replace("_", "-").replace(" ", "-")
    if key not in _TASK_ALIASES:
        raise ValueError(
            f"unknown task {task!r}; expected one of {list(TASKS)} (or spelled out, "
            "e.g. 'image-to-video')"
        )
    return _TASK_ALIASES[key]


# --------------------------------------------------------------------------- family registry
@dataclasses.dataclass(frozen=True)
class ModelFamily:
    """What vidkit needs to know about one family of video models.

    Attributes:
        name: registry key, e.g. ``"wan"``.
        pipelines: task -> diffusers pipeline class name (or class) for that task.
        height, width, num_frames, fps, steps, guidance: generation defaults of the released
            checkpoints (a checkpoint can refine them through ``refine_defaults``).
        frame_multiple, frame_offset: valid frame counts are ``k * frame_multiple + frame_offset``
            (Wan ``4k+1``, LTX ``8k+1``); ``1, 0`` means any count.
        size_multiple: height and width must be multiples of this.
        latent_layout: layout of the ``latents`` tensor the pipeline hands to step callbacks:
            ``"BFCHW"``, ``"BCFHW"`` or ``"packed"`` ([B, seq, C], LTX).
        flow_matching: the model is trained with flow matching (rectified flow).
        decode: ``decode(pipe, latents, ctx) -> frames`` turns latents as seen in a step callback
            into frames ``[B, F, H, W, 3]`` in [0, 1] exactly as the pipeline's own final decode
            does (used for trajectories); ``None`` means the generic decode.
        patterns: regular expressions matched (case-insensitively) against hub ids and folders.
        class_names: extra diffusers pipeline class names that belong to the family.
        text_conditioned: whether the pipelines take a text prompt.
        gpu_dtype: dtype used on an accelerator when ``dtype="auto"``.
        component_dtypes: per-component dtypes on an accelerator (e.g. Wan's VAE in float32).
        guidance_arg: the pipeline argument that receives ``guidance`` (SVD: ``max_guidance_scale``).
        fps_arg: pipeline argument that receives the frame rate, if the model is fps-conditioned.
        tasks_for: ``tasks_for(pipeline) -> tasks`` for checkpoints that do not cover every task of
            the family (a CogVideoX I2V checkpoint cannot do T2V).
        image_per_sample: the image-to-video pipeline wants one image per sample of a batch.
        resolve: ``resolve(model_id) -> folder or None`` maps an id of this family to a local
            diffusers folder (bundled models such as ``"vidkit/tiny-physics"``) before any hub
            look-up.
        refine_defaults: ``refine_defaults(pipeline, defaults) -> defaults`` from the checkpoint's
            configuration (CogVideoX 1.5 is 768x1360, 81 frames).
        notes: one line shown in ``repr``.

    Example:
        >>> fam = family_for("wan")
        >>> fam.valid_frames(50), fam.frame_rule
        (49, '4k+1')
    """

    name: str
    pipelines: Mapping[str, Any]
    height: int = 512
    width: int = 512
    num_frames: int = 16
    fps: float = 8.0
    steps: int = 50
    guidance: float | None = None
    frame_multiple: int = 1
    frame_offset: int = 0
    size_multiple: int = 8
    latent_layout: str = "BCFHW"
    flow_matching: bool = False
    decode: Callable[..., Any] | None = None
    patterns: tuple[str, ...] = ()
    class_names: tuple[str, ...] = ()
    text_conditioned: bool = True
    gpu_dtype: str = "bfloat16"
    component_dtypes: Mapping[str, str] = dataclasses.field(default_factory=dict)
    guidance_arg: str | None = "guidance_scale"
    fps_arg: str | None = None
    tasks_for: Callable[[Any], tuple[str, ...]] | None = None
    image_per_sample: bool = False
    resolve: Callable[[str], Any] | None = None
    refine_defaults: Callable[[Any, dict], dict] | None = None
    notes: str = ""

    @property
    def tasks(self) -> tuple[str, ...]:
        """The tasks of the family (a given checkpoint may cover fewer, see ``tasks_for``)."""
        return tuple(t for t in TASKS if t in self.pipelines)

    @property
    def frame_rule(self) -> str:
        """The frame rule as text, e.g. ``"4k+1"`` or ``"any"``."""
        if self.frame_multiple <= 1 and self.frame_offset == 0:
            return "any"
        off = f"+{self.frame_offset}" if self.frame_offset else ""
        return f"{self.frame_multiple}k{off}"

    def valid_frames(self, n: int) -> int:
        """The allowed frame count nearest to ``n`` (ties round up; at least the smallest allowed).

        Example:
            >>> family_for("ltx").valid_frames(20)
            17
        """
        m, off = max(1, self.frame_multiple), self.frame_offset
        n = int(n)
        k = max(0, round((n - off) / m + 1e-9))
        best = k * m + off
        return max(best, m + off if off == 0 else off)

    def valid_size(self, n: int) -> int:
        """``n`` rounded to the nearest multiple of ``size_multiple`` (at least one multiple)."""
        m = max(1, self.size_multiple)
        return max(m, int(round(int(n) / m)) * m)

    @property
    def defaults(self) -> dict[str, Any]:
        """Generation defaults: height, width, num_frames, fps, steps, guidance."""
        return {
            "height": self.height,
            "width": self.width,
            "num_frames": self.num_frames,
            "fps": self.fps,
            "steps": self.steps,
            "guidance": self.guidance,
        }


_REGISTRY: dict[str, ModelFamily] = {}
# diffusers pipeline -> the VideoPipeline that owns it (so a raw pipeline finds its defaults)
_OWNERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def register_family(family: ModelFamily, *, replace: bool = False) -> ModelFamily:
    """Add a family to the registry (used by ``vidkit.tiny`` for ``"tiny-physics"``).

    Example:
        >>> fam = ModelFamily("my-model", {"t2v": "MyPipeline"}, class_names=("MyPipeline",))
        >>> register_family(fam).name  # doctest: +SKIP
        'my-model'
    """
    if not isinstance(family, ModelFamily):
        raise TypeError(f"register_family takes a ModelFamily, got {type(family).__name__}")
    for task in family.pipelines:
        if task not in TASKS:
            raise ValueError(f"family {family.name!r}: unknown task {task!r}; tasks are {TASKS}")
    if family.name in _REGISTRY and not replace:
        if _REGISTRY[family.name] == family:
            return family
        raise ValueError(f"a family named {family.name!r} is already registered; pass replace=True")
    _REGISTRY[family.name] = family
    return family


def families() -> dict[str, ModelFamily]:
    """All registered families by name (a copy).

    Example:
        >>> sorted(families())[:3]
        ['animatediff', 'cogvideox', 'generic']
    """
    _ensure_plugins()
    return dict(_REGISTRY)


def _ensure_plugins() -> None:
    """Import optional modules that register families of their own (vidkit.tiny)."""
    if "tiny-physics" in _REGISTRY:
        return
    import importlib.util

    if importlib.util.find_spec("vidkit.tiny") is not None:
        try:
            importlib.import_module("vidkit.tiny")
        except Exception as exc:  # a broken plug-in must not break loading other models
            warnings.warn(f"vidkit.tiny could not be imported: {exc}", stacklevel=3)


def family_for(name_or_pipeline: Any) -> ModelFamily:
    """The :class:`ModelFamily` for a family name, a pipeline class name, or a pipeline object.

    Example:
        >>> family_for("CogVideoXImageToVideoPipeline").name
        'cogvideox'
    """
    if isinstance(name_or_pipeline, ModelFamily):
        return name_or_pipeline
    _ensure_plugins()
    if isinstance(name_or_pipeline, str):
        key = name_or_pipeline.strip()
        low = key.lower()
        aliases = {
            "cogvideo": "cogvideox",
            "cog": "cogvideox",
            "wan2.1": "wan",
            "wan2.2": "wan",
            "ltx-video": "ltx",
            "ltxvideo": "ltx",
            "stable-video-diffusion": "svd",
            "hunyuan": "hunyuanvideo",
            "hunyuan-video": "hunyuanvideo",
        }
        low = aliases.get(low, low)
        if low in _REGISTRY:
            return _REGISTRY[low]
        fam = _family_from_class_name(key)
        if fam is not None:
            return fam
        raise ValueError(
            f"unknown model family {name_or_pipeline!r}; known families: {sorted(_REGISTRY)} "
            "(or a diffusers pipeline class name)"
        )
    fam = _family_from_class_name(type(name_or_pipeline).__name__)
    return fam if fam is not None else _REGISTRY["generic"]


def _class_name(obj: Any) -> str:
    if isinstance(obj, str):
        return obj.replace(":", ".").rpartition(".")[2]
    return obj.__name__


def _family_from_class_name(cls_name: str) -> ModelFamily | None:
    for fam in _REGISTRY.values():
        if fam.name == "generic":
            continue
        names = {_class_name(c) for c in fam.pipelines.values()} | set(fam.class_names)
        if cls_name in names:
            return fam
    return None


def detect_family(model: str | os.PathLike | Any) -> ModelFamily:
    """Detect the family of a pipeline object, a local diffusers folder or a hub id.

    Local folders are recognised by ``model_index.json``'s ``_class_name``; hub ids by the
    families' name patterns; unknown models fall back to the ``generic`` family.

    Example:
        >>> detect_family("Wan-AI/Wan2.1-T2V-1.3B-Diffusers").name
        'wan'
        >>> detect_family("hunyuanvideo-community/HunyuanVideo").name
        'hunyuanvideo'
    """
    _ensure_plugins()
    if not isinstance(model, (str, os.PathLike)):
        return family_for(model)
    path = Path(model).expanduser()
    index = path / "model_index.json"
    if index.is_file():
        saved = _read_vidkit_json(path)
        if saved.get("family") in _REGISTRY:
            return _REGISTRY[saved["family"]]
        cls_name = _read_model_index(path).get("_class_name") or ""
        fam = _family_from_class_name(cls_name)
        if fam is not None:
            return fam
    text = str(model)
    for fam in _REGISTRY.values():
        if any(re.search(p, text, flags=re.IGNORECASE) for p in fam.patterns):
            return fam
    return _REGISTRY["generic"]


def pipeline_class_for(family: ModelFamily, task: str) -> type:
    """The diffusers pipeline class of ``family`` for ``task``.

    Example:
        >>> pipeline_class_for(family_for("wan"), "v2v").__name__
        'WanVideoToVideoPipeline'
    """
    task = normalize_task(task)
    if task not in family.pipelines:
        raise ValueError(
            f"{family.name} models do not support {task} ({_TASK_NAMES[task]}); "
            f"supported tasks: {list(family.tasks)}"
        )
    cls = family.pipelines[task]
    if isinstance(cls, str):
        cls = _import_class(cls)
    return cls


def _import_class(name: str) -> type:
    """A pipeline class from ``"WanPipeline"`` (diffusers) or ``"package.module:Class"``."""
    import importlib

    if ":" in name or "." in name:
        mod, _, attr = name.replace(":", ".").rpartition(".")
        return getattr(importlib.import_module(mod), attr)
    import diffusers

    try:
        return getattr(diffusers, name)
    except AttributeError:
        pass
    # a pipeline class defined outside diffusers (e.g. vidkit.tiny's) is found among the
    # DiffusionPipeline subclasses imported so far
    todo = [diffusers.DiffusionPipeline]
    while todo:
        cls = todo.pop()
        if cls.__name__ == name:
            return cls
        todo.extend(cls.__subclasses__())
    raise ValueError(
        f"no pipeline class {name!r} in diffusers {getattr(diffusers, '__version__', '?')} or among "
        "the imported DiffusionPipeline subclasses; give the family a class object or a "
        "'package.module:Class' string"
    )


# --------------------------------------------------------------------------- per-family decoding
# Each decoder mirrors the pipeline's own final decode so that a trajectory's last entry equals the
# pipeline's output. ``ctx`` carries the call's arguments (num_frames, height, width, kwargs).


def _postprocess(pipe: Any, video: Any) -> np.ndarray:
    out = pipe.video_processor.postprocess_video(video=video, output_type="np")
    return np.asarray(out, dtype=np.float32)


def _decode_cogvideox(pipe: Any, latents: Any, ctx: Mapping[str, Any]) -> np.ndarray:
    # latents [B, F, C, h, w]; CogVideoX 1.5 pads latent frames to its temporal patch size and the
    # pipeline drops the padding before decoding.
    num_frames = ctx.get("num_frames")
    if num_frames:
        wanted = (int(num_frames) - 1) // pipe.vae_scale_factor_temporal + 1
        extra = latents.shape[1] - wanted
        if extra > 0:
            latents = latents[:, extra:]
    return _postprocess(pipe, pipe.decode_latents(latents))


def _decode_wan(pipe: Any, latents: Any, ctx: Mapping[str, Any]) -> np.ndarray:
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


def _ltx_latent_grid(pipe: Any, ctx: Mapping[str, Any]) -> tuple[int, int, int]:
    f = (int(ctx["num_frames"]) - 1) // pipe.vae_temporal_compression_ratio + 1
    h = int(ctx["height"]) // pipe.vae_spatial_compression_ratio
    w = int(ctx["width"]) // pipe.vae_spatial_compression_ratio
    return f, h, w


def _decode_ltx(pipe: Any, latents: Any, ctx: Mapping[str, Any]) -> np.ndarray:
    import torch

    # latents packed [B, seq, C]; the condition pipeline prepends extra conditioning tokens
    f, h, w = _ltx_latent_grid(pipe, ctx)
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


def _decode_svd(pipe: Any, latents: Any, ctx: Mapping[str, Any]) -> np.ndarray:
    import torch

    # latents [B, F, C, h, w]; the VAE decodes in chunks of decode_chunk_size frames
    chunk = ctx.get("kwargs", {}).get("decode_chunk_size")
    if chunk is None:
        chunk = ctx.get("num_frames") or latents.shape[1]
    if pipe.vae.dtype == torch.float16 and pipe.vae.config.force_upcast:
        pipe.vae.to(dtype=torch.float16)
    frames = pipe.decode_latents(latents, latents.shape[1], int(chunk))
    return _postprocess(pipe, frames)


def _decode_animatediff(pipe: Any, latents: Any, ctx: Mapping[str, Any]) -> np.ndarray:
    chunk = ctx.get("kwargs", {}).get("decode_chunk_size", 16)
    return _postprocess(pipe, pipe.decode_latents(latents, chunk))


def _decode_generic(pipe: Any, latents: Any, ctx: Mapping[str, Any]) -> np.ndarray:
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


# --------------------------------------------------------------------------- per-checkpoint tasks
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
        return ("t2v", "v2v")
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


def _builtin_families() -> list[ModelFamily]:
    return [
        ModelFamily(
            name="cogvideox",
            pipelines={
                "t2v": "CogVideoXPipeline",
                "i2v": "CogVideoXImageToVideoPipeline",
                "v2v": "CogVideoXVideoToVideoPipeline",
            },
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
            decode=_decode_cogvideox,
            patterns=(r"cogvideox",),
            class_names=("CogVideoXFunControlPipeline",),
            gpu_dtype="bfloat16",
            tasks_for=_cog_tasks,
            image_per_sample=True,
            refine_defaults=_cog_defaults,
            notes="THUDM/CogVideoX-2b (fp16), -5b, -5b-I2V, CogVideoX1.5-5b",
        ),
        ModelFamily(
            name="wan",
            pipelines={
                "t2v": "WanPipeline",
                "i2v": "WanImageToVideoPipeline",
                "v2v": "WanVideoToVideoPipeline",
            },
            height=480,
            width=832,
            num_frames=81,
            fps=16,
            steps=50,
            guidance=5.0,
            frame_multiple=4,
            frame_offset=1,
            size_multiple=16,
            latent_layout="BCFHW",
            flow_matching=True,
            decode=_decode_wan,
            patterns=(r"wan-ai/", r"\bwan[-_ ]?2\.[12]", r"wan2\.[12]"),
            gpu_dtype="bfloat16",
            component_dtypes={"vae": "float32", "image_encoder": "float32"},
            tasks_for=_wan_tasks,
            refine_defaults=_wan_defaults,
            notes="Wan-AI/Wan2.1-T2V-1.3B-Diffusers, Wan2.1-I2V-14B-480P, Wan2.2-TI2V-5B, A14B",
        ),
        ModelFamily(
            name="ltx",
            pipelines={
                "t2v": "LTXPipeline",
                "i2v": "LTXImageToVideoPipeline",
                "condition": "LTXConditionPipeline",
            },
            height=480,
            width=704,
            num_frames=161,
            fps=25,
            steps=50,
            guidance=3.0,
            frame_multiple=8,
            frame_offset=1,
            size_multiple=32,
            latent_layout="packed",
            flow_matching=True,
            decode=_decode_ltx,
            patterns=(r"ltx-?video", r"lightricks/ltx(?!-?2)"),
            gpu_dtype="bfloat16",
            fps_arg="frame_rate",
            image_per_sample=True,
            notes="Lightricks/LTX-Video (0.9.x)",
        ),
        ModelFamily(
            name="svd",
            pipelines={"i2v": "StableVideoDiffusionPipeline"},
            height=576,
            width=1024,
            num_frames=14,
            fps=7,
            steps=25,
            guidance=3.0,
            size_multiple=8,
            latent_layout="BFCHW",
            flow_matching=False,
            decode=_decode_svd,
            patterns=(r"stable-video-diffusion", r"\bsvd\b", r"svd[-_]xt"),
            text_conditioned=False,
            gpu_dtype="float16",
            guidance_arg="max_guidance_scale",
            fps_arg="fps",
            image_per_sample=True,
            refine_defaults=_svd_defaults,
            notes="stabilityai/stable-video-diffusion-img2vid(-xt); image only, no prompt",
        ),
        ModelFamily(
            name="animatediff",
            pipelines={"t2v": "AnimateDiffPipeline", "v2v": "AnimateDiffVideoToVideoPipeline"},
            height=512,
            width=512,
            num_frames=16,
            fps=8,
            steps=25,
            guidance=7.5,
            size_multiple=8,
            latent_layout="BCFHW",
            flow_matching=False,
            decode=_decode_animatediff,
            patterns=(r"animatediff", r"animatelcm"),
            class_names=("AnimateDiffSDXLPipeline",),
            gpu_dtype="float16",
            notes="a full AnimateDiff pipeline folder, or a base SD model + motion_adapter=...",
        ),
        ModelFamily(
            name="hunyuanvideo",
            pipelines={"t2v": "HunyuanVideoPipeline", "i2v": "HunyuanVideoImageToVideoPipeline"},
            height=320,
            width=512,
            num_frames=61,
            fps=15,
            steps=30,
            guidance=6.0,
            frame_multiple=4,
            frame_offset=1,
            size_multiple=16,
            latent_layout="BCFHW",
            flow_matching=True,
            decode=_decode_generic,
            patterns=(r"hunyuan-?video(?!-?1\.5)",),
            gpu_dtype="bfloat16",
            notes="generic path (hunyuanvideo-community/HunyuanVideo)",
        ),
        ModelFamily(
            name="generic",
            pipelines={},
            latent_layout="BCFHW",
            decode=_decode_generic,
            tasks_for=_generic_tasks,
            refine_defaults=_call_defaults,
            notes="any other DiffusionPipeline; tasks from its __call__ signature",
        ),
    ]


for _fam in _builtin_families():
    register_family(_fam)


# --------------------------------------------------------------------------- device and dtype
def resolve_device(device: Any = "auto") -> str:
    """``"auto"`` -> ``"cuda"`` when a CUDA GPU is present, else ``"mps"``, else ``"cpu"``.

    Example:
        >>> resolve_device("cpu")
        'cpu'
    """
    import torch

    if device is None or device == "auto":
        if torch.cuda.is_available():
            return "cuda"
        mps = getattr(torch.backends, "mps", None)
        if mps is not None and mps.is_available():
            return "mps"
        return "cpu"
    if not isinstance(device, (str, torch.device)):
        raise TypeError(f"device must be 'auto', a string or a torch.device, got {device!r}")
    from vidkit.video import _check_device

    _check_device(device)  # a valid device string, and present on this machine
    return str(device)


_DTYPES = {
    "float32": "float32",
    "fp32": "float32",
    "float": "float32",
    "float16": "float16",
    "fp16": "float16",
    "half": "float16",
    "bfloat16": "bfloat16",
    "bf16": "bfloat16",
}


def resolve_dtype(dtype: Any, device: str, family: ModelFamily | None = None) -> Any:
    """A torch dtype: ``"auto"`` is float32 on CPU and the family's GPU dtype on an accelerator
    (bfloat16 falls back to float16 on GPUs without bfloat16 support).

    Example:
        >>> resolve_dtype("auto", "cpu")
        torch.float32
    """
    import torch

    if isinstance(dtype, torch.dtype):
        return dtype
    if dtype is None or dtype == "auto":
        if device.startswith("cpu"):
            return torch.float32
        name = family.gpu_dtype if family is not None else "bfloat16"
        if device.startswith("mps"):
            return torch.float16
        if name == "bfloat16" and device.startswith("cuda") and not torch.cuda.is_bf16_supported():
            name = "float16"
        return getattr(torch, name)
    if isinstance(dtype, str) and dtype.lower() in _DTYPES:
        return getattr(torch, _DTYPES[dtype.lower()])
    raise ValueError(
        f"dtype must be 'auto', a torch dtype or one of {sorted(set(_DTYPES))}, got {dtype!r}"
    )


# --------------------------------------------------------------------------- the wrapper
class VideoPipeline:
    """A loaded video model: the diffusers pipeline plus what vidkit knows about its family.

    Attributes:
        pipeline: the diffusers pipeline of the current task (use it as diffusers' docs say).
        family: the :class:`ModelFamily`.
        task: current task; ``tasks``: the tasks this checkpoint supports.
        model_id: hub id or folder it came from.
        defaults: generation defaults (height, width, num_frames, fps, steps, guidance).
        call_defaults: extra pipeline arguments used by every ``generate`` call unless given
            (e.g. ``{"max_sequence_length": 16}`` for the tiny test pipelines).

    Switching task (:meth:`for_task`, or passing an image/video to ``vk.generate``) builds the other
    pipeline class with ``from_pipe`` over the same component objects: no weights are reloaded.

    Example:
        >>> pipe = vk.testing.tiny_pipeline("wan", "t2v")  # doctest: +SKIP
        >>> v2v = pipe.for_task("v2v")                       # doctest: +SKIP
        >>> v2v.transformer is pipe.pipeline.transformer     # doctest: +SKIP
        True
    """

    def __init__(
        self,
        pipeline: Any,
        *,
        family: ModelFamily | str | None = None,
        task: str | None = None,
        model_id: str | None = None,
        defaults: Mapping[str, Any] | None = None,
        call_defaults: Mapping[str, Any] | None = None,
        offload: str | None = None,
        device: str | None = None,
    ) -> None:
        if isinstance(pipeline, VideoPipeline):
            raise TypeError("pipeline is already a VideoPipeline")
        if not hasattr(pipeline, "components") or not callable(pipeline):
            raise TypeError(
                f"expected a diffusers DiffusionPipeline, got {type(pipeline).__name__}"
            )
        self.family = family_for(family) if family is not None else family_for(pipeline)
        self._pipes: dict[str, Any] = {}
        self._offload = offload
        self._device = device
        own_task = self._task_of(pipeline)
        self._pipes[own_task] = pipeline
        _register_owner(pipeline, self)
        self._task = own_task
        self.model_id = model_id or _name_or_path(pipeline)
        if self.family.tasks_for is not None:
            self.tasks = tuple(self.family.tasks_for(pipeline))
        else:
            self.tasks = self.family.tasks
        d = self.family.defaults
        if self.family.refine_defaults is not None:
            d = self.family.refine_defaults(pipeline, dict(d))
        if defaults:
            unknown = set(defaults) - set(d)
            if unknown:
                raise ValueError(f"unknown defaults {sorted(unknown)}; known: {sorted(d)}")
            d.update(defaults)
        self.defaults: dict[str, Any] = d
        self.call_defaults: dict[str, Any] = dict(call_defaults or {})
        if task is not None:
            self.for_task(task)
            self._task = normalize_task(task)

    # ------------------------------------------------------------------ tasks
    def _task_of(self, pipeline: Any) -> str:
        name = type(pipeline).__name__
        for task, cls in self.family.pipelines.items():
            if _class_name(cls) == name:
                return task
        if self.family.tasks_for is not None:
            return self.family.tasks_for(pipeline)[0]
        return "t2v"

    @property
    def task(self) -> str:
        """The current task (the task of :attr:`pipeline`)."""
        return self._task

    @property
    def pipeline(self) -> Any:
        """The diffusers pipeline of the current task."""
        return self._pipes[self._task]

    def for_task(self, task: str) -> Any:
        """The diffusers pipeline for ``task``, sharing this model's weights (built once, cached).

        Raises a ``ValueError`` naming the supported tasks when the checkpoint cannot do ``task``.

        Example:
            >>> pipe.for_task("v2v")  # doctest: +SKIP
        """
        task = normalize_task(task)
        if task in self._pipes:
            return self._pipes[task]
        if task not in self.tasks:
            extra = ""
            if task in self.family.tasks:
                extra = (
                    f" ({self.family.name} has {task} models, but this checkpoint is not one: load "
                    f"a {task} checkpoint)"
                )
            raise ValueError(
                f"{self.model_id or self.family.name} does not support {task} "
                f"({_TASK_NAMES[task]}); it supports {list(self.tasks)}{extra}"
            )
        if self.family.name == "generic":
            raise ValueError(
                f"{type(self.pipeline).__name__} (generic family) has no known {task} pipeline; "
                f"it supports {list(self.tasks)}"
            )
        if _class_name(self.family.pipelines[task]) == type(self.pipeline).__name__:
            self._pipes[task] = self.pipeline  # one pipeline class serves several tasks
            return self.pipeline
        cls = pipeline_class_for(self.family, task)
        new = _switch_pipeline(self.pipeline, cls)
        cfg = getattr(self.pipeline, "_progress_bar_config", None)
        if cfg is not None:
            new.set_progress_bar_config(**cfg)
        if self._offload:
            _apply_offload(new, self._offload, self._device or "cuda")
        self._pipes[task] = new
        _register_owner(new, self)
        return new

    def use_task(self, task: str) -> VideoPipeline:
        """Make ``task`` the current task (``.pipeline`` changes); returns ``self``."""
        self.for_task(task)
        self._task = normalize_task(task)
        return self

    # --------------------------------------------------------------- helpers
    @property
    def device(self) -> Any:
        """Execution device of the pipeline (where the denoiser runs)."""
        if self._offload and _has_accelerator():
            return self.pipeline._execution_device  # offload hooks decide
        param = self._denoiser_param()
        if param is not None:
            return param.device
        return getattr(self.pipeline, "device", None)

    def _denoiser_param(self) -> Any:
        for name in ("transformer", "unet"):
            comp = getattr(self.pipeline, name, None)
            if comp is not None and hasattr(comp, "parameters"):
                return next(comp.parameters(), None)
        return None

    @property
    def dtype(self) -> Any:
        """Dtype of the denoiser (transformer or unet): the dtype most of its parameters have
        (diffusers keeps a few modules in float32 inside half-precision models)."""
        for name in ("transformer", "unet"):
            comp = getattr(self.pipeline, name, None)
            if comp is not None and hasattr(comp, "parameters"):
                counts: dict[Any, int] = {}
                for prm in comp.parameters():
                    if prm.is_floating_point():
                        counts[prm.dtype] = counts.get(prm.dtype, 0) + 1
                if counts:
                    return max(counts, key=counts.__getitem__)
        return getattr(self.pipeline, "dtype", None)

    @property
    def scheduler(self) -> Any:
        """The scheduler shared by every task's pipeline."""
        return self.pipeline.scheduler

    def set_scheduler(self, scheduler: Any, **overrides: Any) -> Any:
        """Replace the scheduler (a name such as ``"unipc"`` or a scheduler object) in every task.

        Returns the new scheduler. See :func:`vidkit.sampling.make_scheduler` for the names.

        Example:
            >>> pipe.set_scheduler("unipc")  # doctest: +SKIP
        """
        from vidkit.sampling import make_scheduler

        sched = make_scheduler(scheduler, self, **overrides)
        for p in self._pipes.values():
            p.scheduler = sched
        return sched

    def save_pretrained(self, path: str | os.PathLike) -> Path:
        """Save as a diffusers folder (safetensors) plus ``vidkit.json`` (family, task, defaults).

        Example:
            >>> pipe.save_pretrained("my-model")  # doctest: +SKIP
        """
        path = Path(path)
        self.pipeline.save_pretrained(path, safe_serialization=True)
        meta = {
            "family": self.family.name,
            "task": self.task,
            "model_id": self.model_id,
            "defaults": self.defaults,
            "call_defaults": self.call_defaults,
        }
        (path / _VIDKIT_JSON).write_text(json.dumps(meta, indent=2))
        return path

    def generate(self, *args: Any, **kwargs: Any) -> Any:
        """Shortcut for :func:`vidkit.generate` with this pipeline."""
        from vidkit.sampling import generate

        return generate(self, *args, **kwargs)

    def __repr__(self) -> str:
        return (
            f"VideoPipeline({self.model_id!r}, family={self.family.name}, task={self.task}, "
            f"tasks={list(self.tasks)}, pipeline={type(self.pipeline).__name__}, "
            f"device={self.device}, dtype={self.dtype})"
        )


def _register_owner(pipeline: Any, owner: VideoPipeline) -> None:
    try:
        _OWNERS[pipeline] = owner
    except TypeError:  # pragma: no cover - objects without weak references
        pass


def owner_of(pipeline: Any) -> VideoPipeline | None:
    """The :class:`VideoPipeline` that built or wraps this diffusers pipeline, if any."""
    try:
        return _OWNERS.get(pipeline)
    except TypeError:  # pragma: no cover
        return None


def _name_or_path(pipeline: Any) -> str | None:
    cfg = getattr(pipeline, "config", None)
    name = cfg.get("_name_or_path") if isinstance(cfg, Mapping) else None
    return str(name) if name else None


def _component_dtypes(pipe: Any) -> set:
    import torch

    return {
        c.dtype
        for c in pipe.components.values()
        if isinstance(c, torch.nn.Module) and hasattr(c, "dtype")
    }


def _switch_pipeline(pipe: Any, cls: type) -> Any:
    """``cls.from_pipe(pipe)`` without changing the dtype of any shared component.

    diffusers' ``from_pipe`` ends with ``new.to(dtype)`` (default float32), which would cast the
    shared modules in place; with one dtype in use we pass it, with mixed dtypes (Wan's float32 VAE
    beside a bfloat16 transformer) we build the pipeline from the same component objects directly.
    """
    dtypes = _component_dtypes(pipe)
    if len(dtypes) <= 1:
        dtype = next(iter(dtypes)) if dtypes else None
        kwargs = {"dtype": dtype} if dtype is not None else {}
        with _quiet_diffusers():  # from_pipe's .to(dtype) warns about fp32 modules: a no-op here
            return cls.from_pipe(pipe, **kwargs)
    expected, optional = cls._get_signature_keys(cls)
    comps = pipe.components
    kwargs = {k: comps[k] for k in expected if k in comps}
    cfg = dict(pipe.config)
    for k in optional:
        if k in cfg and not k.startswith("_"):
            kwargs[k] = cfg[k]
    for k in expected:
        kwargs.setdefault(k, None)
    return cls(**kwargs)


@contextlib.contextmanager
def _quiet_diffusers():
    """Silence diffusers' warnings (not errors) inside the block."""
    from diffusers.utils import logging as dlogging

    level = dlogging.get_verbosity()
    dlogging.set_verbosity_error()
    try:
        yield
    finally:
        dlogging.set_verbosity(level)


def _read_model_index(path: Path) -> dict[str, Any]:
    """``path/model_index.json`` as a dict, checked: JSON, an object, ``_class_name`` a string."""
    f = path / "model_index.json"
    try:
        data = json.loads(f.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise ModelLoadError(f"{str(f)!r} is not a text file (not UTF-8 JSON)") from None
    except json.JSONDecodeError as exc:
        raise ModelLoadError(
            f"{str(f)!r} is not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
        ) from None
    if not isinstance(data, dict):
        raise ModelLoadError(
            f'{str(f)!r} must hold a JSON object ({{"_class_name": ..., "vae": [...]}}), '
            f"got a {type(data).__name__}"
        )
    cls_name = data.get("_class_name")
    if cls_name is not None and not isinstance(cls_name, str):
        raise ModelLoadError(
            f'{str(f)!r}: "_class_name" must be a pipeline class name (a string), got {cls_name!r}'
        )
    return data


def _check_model_folder(path: Path, index: dict[str, Any]) -> None:
    """Before diffusers loads anything: every component listed in ``model_index.json`` has its
    folder, and every ``*.safetensors`` file has a readable header that fits the file."""
    for name, value in index.items():
        if name.startswith("_") or not isinstance(value, (list, tuple)) or len(value) != 2:
            continue
        if value[0] is None or value[1] is None:  # an optional component left out
            continue
        if not (path / name).is_dir():
            raise ModelNotFoundError(
                f"{str(path)!r}: model_index.json lists the component {name!r} "
                f"({value[0]}.{value[1]}) but the folder {str(path / name)!r} is missing"
            )
    for f in sorted(path.glob("*/*.safetensors")) + sorted(path.glob("*.safetensors")):
        _check_safetensors(f)


def _check_safetensors(f: Path) -> None:
    """Refuse a corrupt or truncated safetensors file, naming it and the cause."""
    size = f.stat().st_size
    try:
        with open(f, "rb") as fh:
            head = fh.read(8)
            if len(head) < 8:
                raise ValueError(f"the file has {size} bytes, fewer than a header")
            n = int.from_bytes(head, "little")
            if n > size - 8:
                raise ValueError(f"the header claims {n} bytes but the file has {size}")
            header = json.loads(fh.read(n))
        if not isinstance(header, dict):
            raise ValueError("the header is not a JSON object")
        end = max(
            (int(v["data_offsets"][1]) for k, v in header.items() if k != "__metadata__"),
            default=0,
        )
        if 8 + n + end != size:
            raise ValueError(
                f"the tensors need {8 + n + end} bytes but the file has {size} (truncated or padded)"
            )
    except (ValueError, KeyError, TypeError, IndexError, UnicodeDecodeError) as exc:
        raise ModelLoadError(f"corrupt safetensors weights {str(f)!r}: {exc}") from None


def _bundled_model(text: str) -> Path | None:
    """``vidkit/NAME[@SUB]`` -> the bundled folder; an unknown NAME or SUB raises listing them."""
    from vidkit._config import data_dir

    name, _, sub = text[len("vidkit/") :].partition("@")
    root = data_dir() / name
    if not name or not (root / "model_index.json").is_file():
        return None
    if not sub:
        return root
    if (root / sub / "model_index.json").is_file():
        return root / sub
    variants = sorted(
        d.name for d in root.iterdir() if d.is_dir() and (d / "model_index.json").is_file()
    )
    shown = ", ".join([f"vidkit/{name}"] + [f"vidkit/{name}@{v}" for v in variants])
    raise ModelNotFoundError(f"{text!r}: vidkit/{name} has no variant {sub!r}; it has {shown}")


def _read_vidkit_json(path: Path) -> dict[str, Any]:
    f = path / _VIDKIT_JSON
    if not f.is_file():
        return {}
    try:
        return json.loads(f.read_text())
    except (OSError, json.JSONDecodeError):
        warnings.warn(f"ignoring unreadable {f}", stacklevel=3)
        return {}


# --------------------------------------------------------------------------- offload and tiling
_OFFLOADS = ("model", "sequential", "group")


def _has_accelerator() -> bool:
    import torch

    if torch.cuda.is_available():
        return True
    xpu = getattr(torch, "xpu", None)
    return bool(xpu is not None and xpu.is_available())


def _apply_offload(pipe: Any, offload: str, device: str) -> bool:
    """Enable CPU offload on ``pipe``; on a machine without an accelerator warn and skip.

    Returns True when offload was enabled.
    """
    if offload not in _OFFLOADS:
        raise ValueError(f"offload must be None or one of {list(_OFFLOADS)}, got {offload!r}")
    if not _has_accelerator() or device.startswith("cpu"):
        warnings.warn(
            f"offload={offload!r} skipped: it needs a GPU (accelerator), and this machine has none "
            "(diffusers would raise); the model stays on the CPU",
            stacklevel=3,
        )
        return False
    if offload == "model":
        pipe.enable_model_cpu_offload(device=device)
    elif offload == "sequential":
        pipe.enable_sequential_cpu_offload(device=device)
    else:
        import torch

        pipe.enable_group_offload(
            onload_device=torch.device(device),
            offload_device=torch.device("cpu"),
            offload_type="leaf_level",
            use_stream=True,
        )
    return True


def _apply_vae_memory(pipe: Any, tiling: bool | None, slicing: bool | None) -> list[str]:
    """Enable (or disable) VAE tiling/slicing; returns the calls made, e.g. ``['vae.enable_tiling']``."""
    calls: list[str] = []
    vae = getattr(pipe, "vae", None)
    if vae is None:
        if tiling or slicing:
            warnings.warn(f"{type(pipe).__name__} has no VAE: tiling/slicing ignored", stacklevel=3)
        return calls
    for flag, name in ((tiling, "tiling"), (slicing, "slicing")):
        if flag is None:
            continue
        method = f"{'enable' if flag else 'disable'}_{name}"
        fn = getattr(vae, method, None)
        if fn is None:
            if flag:
                warnings.warn(f"{type(vae).__name__} has no {method}(); skipped", stacklevel=3)
            continue
        fn()
        calls.append(f"vae.{method}")
    return calls


# --------------------------------------------------------------------------- load
def _looks_like_path(s: str) -> bool:
    return (
        s.startswith((".", "/", "~", "\\"))
        or os.path.isabs(s)
        or s.count("/") > 1
        or (os.sep != "/" and os.sep in s)
        or "/" not in s
    )


def load(
    model: str | os.PathLike | Any,
    task: str | None = None,
    device: str = "auto",
    dtype: Any = "auto",
    offload: str | None = None,
    vae_tiling: bool | None = None,
    scheduler: Any = None,
    *,
    vae_slicing: bool | None = None,
    family: str | ModelFamily | None = None,
    trust_remote_code: bool = False,
    revision: str | None = None,
    variant: str | None = None,
    defaults: Mapping[str, Any] | None = None,
    **from_pretrained_kwargs: Any,
) -> VideoPipeline:
    """Load a video diffusion model from a hub id, a local diffusers folder, or a pipeline object.

    Args:
        model: hub id (``"THUDM/CogVideoX-2b"``), local folder with ``model_index.json``, or an
            existing diffusers pipeline / :class:`VideoPipeline`.
        task: ``"t2v"``, ``"i2v"``, ``"v2v"`` or ``"condition"``; ``None`` keeps the checkpoint's own
            pipeline class. Other tasks are reached later without reloading (``from_pipe``).
        device: ``"auto"`` (cuda, then mps, then cpu), or a device string.
        dtype: ``"auto"`` (float32 on CPU; the family's half precision on a GPU, Wan's VAE kept in
            float32), or a torch dtype / name.
        offload: ``None``, ``"model"`` (``enable_model_cpu_offload``), ``"sequential"``
            (``enable_sequential_cpu_offload``) or ``"group"`` (``enable_group_offload``). Without a
            GPU it warns and is skipped (diffusers raises there).
        vae_tiling: ``True`` calls ``vae.enable_tiling()`` (``False`` disables; ``None`` leaves it).
        scheduler: a scheduler name (``"unipc"``, ``"euler"``, ...) or object; see
            :func:`vidkit.sampling.make_scheduler`.
        vae_slicing: ``True`` calls ``vae.enable_slicing()``.
        family: force the family instead of detecting it.
        trust_remote_code: passed to diffusers only when you set it (default False).
        revision, variant: hub revision and weight variant (e.g. ``"fp16"``).
        defaults: override generation defaults (height, width, num_frames, fps, steps, guidance).
        **from_pretrained_kwargs: passed to ``from_pretrained`` (e.g. ``motion_adapter=`` for
            AnimateDiff).

    Weights are loaded with ``use_safetensors=True``; a model without safetensors weights falls
    back, with a warning, to diffusers' ``torch.load(weights_only=True)`` path.

    Example:
        >>> pipe = vk.load("Wan-AI/Wan2.1-T2V-1.3B-Diffusers", offload="model")  # doctest: +SKIP
        >>> pipe = vk.load("./my-tiny-model")                                    # doctest: +SKIP
    """
    if offload is not None and offload not in _OFFLOADS:
        raise ValueError(f"offload must be None or one of {list(_OFFLOADS)}, got {offload!r}")
    if task is not None:
        task = normalize_task(task)
    dev = resolve_device(device)

    if isinstance(model, VideoPipeline):
        vp = model
        fam = vp.family
    elif not isinstance(model, (str, os.PathLike)):
        if not hasattr(model, "components"):
            raise TypeError(
                f"model must be a hub id, a folder path or a diffusers pipeline, got "
                f"{type(model).__name__}"
            )
        fam = family_for(family) if family is not None else family_for(model)
        vp = VideoPipeline(model, family=fam, defaults=defaults, offload=offload, device=dev)
        if dtype != "auto" or dev != "cpu":
            _place(vp.pipeline, dev, resolve_dtype(dtype, dev, fam), offload, fam, convert=True)
    else:
        vp = _load_from_pretrained(
            model,
            task=task,
            device=dev,
            dtype=dtype,
            offload=offload,
            family=family,
            trust_remote_code=trust_remote_code,
            revision=revision,
            variant=variant,
            defaults=defaults,
            kwargs=from_pretrained_kwargs,
        )
        fam = vp.family
    if task is not None:
        vp.use_task(task)
    _apply_vae_memory(vp.pipeline, vae_tiling, vae_slicing)
    if scheduler is not None:
        vp.set_scheduler(scheduler)
    return vp


def _place(
    pipe: Any, device: str, dtype: Any, offload: str | None, fam: ModelFamily, convert: bool
) -> None:
    import torch

    if convert:
        pipe.to(dtype=dtype)
        if dtype != torch.float32 and not device.startswith("cpu"):
            for name, dt in fam.component_dtypes.items():
                comp = getattr(pipe, name, None)
                if isinstance(comp, torch.nn.Module):
                    comp.to(dtype=getattr(torch, dt))
    if offload and _apply_offload(pipe, offload, device):
        return
    pipe.to(device)


def _load_from_pretrained(
    model: str | os.PathLike,
    *,
    task: str | None,
    device: str,
    dtype: Any,
    offload: str | None,
    family: str | ModelFamily | None,
    trust_remote_code: bool,
    revision: str | None,
    variant: str | None,
    defaults: Mapping[str, Any] | None,
    kwargs: dict[str, Any],
) -> VideoPipeline:
    import torch
    from diffusers import DiffusionPipeline

    text = os.fspath(model)
    path = Path(text).expanduser()
    if not path.is_dir() and text.startswith("vidkit/"):
        # vidkit's bundled models: "vidkit/NAME" is data/NAME, "vidkit/NAME@SUB" is data/NAME/SUB
        bundled = _bundled_model(text)
        if bundled is not None:
            path = bundled
    if not path.is_dir():
        # a family may map its own ids to bundled folders (e.g. "vidkit/tiny-physics")
        fam0 = family_for(family) if family is not None else detect_family(text)
        if fam0.resolve is not None:
            found = fam0.resolve(text)
            if found is not None:
                path = Path(found)
    local = path.is_dir()
    if not local and (_looks_like_path(text) or path.exists()):
        hint = " (it exists but is not a folder)" if path.exists() else ""
        raise ModelNotFoundError(
            f"no model folder at {str(path)!r}{hint}: expected a diffusers folder with "
            "model_index.json, or a hub id such as 'THUDM/CogVideoX-2b'"
        )
    if local and not (path / "model_index.json").is_file():
        raise ModelNotFoundError(
            f"{str(path)!r} is a folder but has no model_index.json: it is not a diffusers pipeline "
            "folder (save one with pipeline.save_pretrained(folder))"
        )
    index = _read_model_index(path) if local else {}
    if local:
        _check_model_folder(path, index)
    saved = _read_vidkit_json(path) if local else {}
    fam = family_for(family) if family is not None else detect_family(path if local else text)
    torch_dtype = resolve_dtype(dtype, device, fam)
    if torch_dtype != torch.float32 and fam.component_dtypes and not device.startswith("cpu"):
        dt_arg: Any = {"default": torch_dtype}
        dt_arg.update({k: getattr(torch, v) for k, v in fam.component_dtypes.items()})
    else:
        dt_arg = torch_dtype

    index_class = index.get("_class_name")
    if task is not None and task in fam.pipelines:
        cls: Any = pipeline_class_for(fam, task)
    elif index_class and any(_class_name(c) == index_class for c in fam.pipelines.values()):
        # the folder's own class, resolved through the family (works for classes outside
        # diffusers, which DiffusionPipeline.from_pretrained cannot find)
        cls = _import_class(index_class)
    else:
        cls = DiffusionPipeline
    load_kwargs: dict[str, Any] = dict(kwargs)
    load_kwargs["dtype"] = dt_arg
    if revision is not None:
        load_kwargs["revision"] = revision
    if variant is not None:
        load_kwargs["variant"] = variant
    if trust_remote_code:
        load_kwargs["trust_remote_code"] = True
    target = str(path) if local else text
    try:
        try:
            pipe = cls.from_pretrained(target, use_safetensors=True, **load_kwargs)
        except (OSError, ValueError) as exc:
            if "safetensors" not in str(exc).lower():
                raise
            warnings.warn(
                f"{target}: no safetensors weights ({exc}); loading .bin weights through "
                "diffusers' torch.load(weights_only=True)",
                stacklevel=3,
            )
            pipe = cls.from_pretrained(target, use_safetensors=False, **load_kwargs)
    except Exception as exc:
        if not local and os.environ.get("HF_HUB_OFFLINE", "0") not in ("0", "", "false"):
            raise ModelLoadError(
                f"could not load {text!r}: HF_HUB_OFFLINE is set and it is not in the local cache; "
                f"download it first or pass a local folder ({type(exc).__name__}: {exc})"
            ) from exc
        raise
    if family is None and fam.name == "generic":
        fam = family_for(pipe)
    saved_defaults = dict(saved.get("defaults") or {})
    if defaults:
        saved_defaults.update(defaults)
    vp = VideoPipeline(
        pipe,
        family=fam,
        model_id=saved.get("model_id") or text,
        defaults=saved_defaults or None,
        call_defaults=saved.get("call_defaults"),
        offload=offload,
        device=device,
    )
    if hasattr(pipe, "set_progress_bar_config"):
        pipe.set_progress_bar_config(disable=True)
    _place(pipe, device, torch_dtype, offload, fam, convert=False)
    return vp
