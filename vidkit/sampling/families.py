"""Model families: what vidkit knows about each family of video models, and the registry.

A family (CogVideoX, Wan, LTX-Video, Stable Video Diffusion, AnimateDiff, HunyuanVideo, anything
else through ``generic``) is one small :class:`ModelFamily` entry: its diffusers pipeline class per
task, default sizes, frame rules, latent layout and decoder. This module holds the registry; the
built-in entries are tables in :mod:`vidkit.sampling.families_more`. :func:`detect_family` finds
the family of a hub id, a local folder or a pipeline object. A new family (such as vidkit's own
``tiny-physics`` model, registered by :mod:`vidkit.tiny`) registers itself with
:func:`register_family`; its ``resolve`` hook maps its own ids (``"vidkit/tiny-physics"``) to a
local folder before any hub look-up.

Example:
    >>> fam = detect_family("Wan-AI/Wan2.1-T2V-1.3B-Diffusers")
    >>> fam.name, fam.tasks, fam.frame_rule
    ('wan', ('t2v', 'i2v', 'v2v'), '4k+1')
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import warnings
import weakref
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from vidkit.errors import ModelLoadError

__all__ = [
    "TASKS",
    "ModelFamily",
    "detect_family",
    "families",
    "family_for",
    "family_of",
    "import_pipeline_class",
    "normalize_task",
    "pipeline_class_for",
    "pipeline_class_name",
    "read_model_index",
    "read_vidkit_json",
    "register_family",
    "remember_family",
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
TASK_NAMES = {
    "t2v": "text-to-video",
    "i2v": "image-to-video",
    "v2v": "video-to-video",
    "condition": "image/video conditions at chosen frames",
}
VIDKIT_JSON = "vidkit.json"


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
        max_frames: the most frames the model makes (``None``: no limit); a longer input video
            is resampled to it.
        resolve: ``resolve(model_id) -> folder or None`` maps an id of this family to a local
            diffusers folder (bundled models such as ``"vidkit/tiny-physics"``) before any hub
            look-up.
        refine_defaults: ``refine_defaults(pipeline, defaults) -> defaults`` from the checkpoint's
            configuration (CogVideoX 1.5 is 768x1360, 81 frames).
        prepare_call: ``prepare_call(pipeline, task, settings, kwargs) -> kwargs``: the family's
            own conditioning preparation, applied to the pipeline arguments ``vk.generate`` built
            (before the user's pipeline kwargs, which win); e.g. Wan VACE takes ``num_frames``
            beside its control video.
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
    max_frames: int | None = None
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
    prepare_call: Callable[[Any, str, Any, dict], dict] | None = None
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
        most = f" (at most {self.max_frames})" if self.max_frames is not None else ""
        return f"{self.frame_multiple}k{off}{most}"

    def valid_frames(self, n: int) -> int:
        """The allowed frame count nearest to ``n`` (ties round up; at least the smallest allowed).

        Example:
            >>> family_for("ltx").valid_frames(20)
            17
        """
        m, off = max(1, self.frame_multiple), self.frame_offset
        n = int(n)
        k = max(0, round((n - off) / m + 1e-9))
        best = max(k * m + off, m + off if off == 0 else off)
        if self.max_frames is not None and best > self.max_frames:
            # the longest allowed count the model can make (the tiny model: exactly 16)
            best = max(off, (self.max_frames - off) // m * m + off)
        return best

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
# diffusers pipeline -> the family it was loaded or wrapped with (a forced family sticks to it)
_KNOWN: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def register_family(family: ModelFamily, *, replace: bool = False) -> ModelFamily:
    """Add a family to the registry (used by ``vidkit.tiny`` for ``"tiny-physics"``).

    Example:
        >>> fam = ModelFamily("my-model", {"t2v": "mypkg.pipeline:MyPipeline"}, num_frames=17)
        >>> register_family(fam).name, family_for("my-model").num_frames
        ('my-model', 17)
        >>> _ = _REGISTRY.pop("my-model")  # (the example leaves the registry as it was)
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
        >>> {"wan", "skyreels-v2", "generic"} <= set(families())
        True
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


def remember_family(pipeline: Any, family: ModelFamily) -> None:
    """Record that ``pipeline`` belongs to ``family`` (done by ``VideoPipeline``), so that
    :func:`family_of` finds a family that was forced at load time."""
    try:
        _KNOWN[pipeline] = family
    except TypeError:  # pragma: no cover - objects without weak references
        pass


def family_of(pipeline: Any) -> ModelFamily:
    """The family of a diffusers pipeline object: the one vidkit loaded or wrapped it with, else
    the family its class belongs to (``generic`` when none).

    Example:
        >>> family_of(object()).name
        'generic'
    """
    try:
        fam = _KNOWN.get(pipeline)
    except TypeError:  # pragma: no cover
        fam = None
    return fam if fam is not None else family_for(pipeline)


def pipeline_class_name(obj: Any) -> str:
    """The bare class name of a pipeline class or of a ``"package.module:Class"`` string.

    Example:
        >>> pipeline_class_name("vidkit.tiny.pipeline:TinyPhysicsPipeline")
        'TinyPhysicsPipeline'
    """
    if isinstance(obj, str):
        return obj.replace(":", ".").rpartition(".")[2]
    return obj.__name__


def _family_from_class_name(cls_name: str) -> ModelFamily | None:
    for fam in _REGISTRY.values():
        if fam.name == "generic":
            continue
        names = {pipeline_class_name(c) for c in fam.pipelines.values()} | set(fam.class_names)
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
        saved = read_vidkit_json(path)
        if saved.get("family") in _REGISTRY:
            return _REGISTRY[saved["family"]]
        cls_name = read_model_index(path).get("_class_name") or ""
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
            f"{family.name} models do not support {task} ({TASK_NAMES[task]}); "
            f"supported tasks: {list(family.tasks)}"
        )
    cls = family.pipelines[task]
    if isinstance(cls, str):
        cls = import_pipeline_class(cls)
    return cls


def import_pipeline_class(name: str) -> type:
    """A pipeline class from ``"WanPipeline"`` (diffusers) or ``"package.module:Class"``; a bare
    name outside diffusers is looked up among the imported ``DiffusionPipeline`` subclasses.

    Example:
        >>> import_pipeline_class("diffusers:WanPipeline").__name__
        'WanPipeline'
    """
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


# --------------------------------------------------------------------------- built-in families
def _builtin_families() -> list[ModelFamily]:
    from vidkit.sampling.families_more import builtin_family_specs

    return [ModelFamily(**spec) for spec in builtin_family_specs()]


for _fam in _builtin_families():
    register_family(_fam)


# --------------------------------------------------------------------------- saved folders
def read_model_index(path: Path) -> dict[str, Any]:
    """``path/model_index.json`` as a dict, checked: JSON, an object, ``_class_name`` a string.

    Example:
        >>> read_model_index(Path("no-such-folder"))  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        FileNotFoundError: ...
    """
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


def read_vidkit_json(path: Path) -> dict[str, Any]:
    """The ``vidkit.json`` a :meth:`VideoPipeline.save_pretrained` folder holds (family, task,
    defaults); ``{}`` when there is none or it cannot be read (with a warning).

    Example:
        >>> read_vidkit_json(Path("no-such-folder"))
        {}
    """
    f = path / VIDKIT_JSON
    if not f.is_file():
        return {}
    try:
        return json.loads(f.read_text())
    except (OSError, json.JSONDecodeError):
        warnings.warn(f"ignoring unreadable {f}", stacklevel=3)
        return {}
