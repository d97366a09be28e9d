"""``vk.load``: one entry point over the diffusers video pipelines, with the checks before it.

``vk.load(model)`` takes a hub id, a local diffusers folder, a bundled id (``"vidkit/NAME"``, found
through its family's ``resolve`` hook or in the bundled data folder) or an already built pipeline,
detects the model's family (:mod:`vidkit.sampling.families`) and returns a
:class:`~vidkit.sampling.pipeline.VideoPipeline`. A local folder is checked before diffusers reads
it: ``model_index.json`` parses, every listed component folder exists, every safetensors file has
a header that fits the file.

Example:
    >>> import vidkit as vk
    >>> pipe = vk.load("THUDM/CogVideoX-2b")              # doctest: +SKIP
    >>> pipe.family.name, pipe.tasks                        # doctest: +SKIP
    ('cogvideox', ('t2v', 'v2v'))
    >>> pipe = vk.load("vidkit/tiny-physics")
    >>> pipe.family.name, pipe.tasks
    ('tiny-physics', ('t2v', 'i2v', 'v2v'))
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from vidkit.errors import ModelLoadError, ModelNotFoundError
from vidkit.sampling.devices import (
    OFFLOADS,
    apply_offload,
    apply_vae_memory,
    resolve_device,
    resolve_dtype,
)
from vidkit.sampling.families import (
    ModelFamily,
    detect_family,
    family_for,
    import_pipeline_class,
    normalize_task,
    pipeline_class_for,
    pipeline_class_name,
    read_model_index,
    read_vidkit_json,
)
from vidkit.sampling.knobs import apply_quantize_after_load, quantization_config
from vidkit.sampling.pipeline import VideoPipeline

__all__ = ["bundled_model", "check_model_folder", "load"]


def check_model_folder(path: Path, index: dict[str, Any]) -> None:
    """Before diffusers loads anything: every component listed in ``model_index.json`` has its
    folder, and every ``*.safetensors`` file has a readable header that fits the file.

    Example:
        >>> check_model_folder(Path("."), {"vae": ["diffusers", "AutoencoderKL"]})  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        vidkit.errors.ModelNotFoundError: '.': model_index.json lists the component 'vae' ...
    """
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


def bundled_model(text: str) -> Path | None:
    """``vidkit/NAME[@SUB]`` -> the bundled folder (``None`` for an unknown NAME); an unknown SUB
    raises a ``ModelNotFoundError`` listing the variants.

    Example:
        >>> bundled_model("vidkit/tiny-physics@early").name
        'early'
        >>> bundled_model("vidkit/no-such-model") is None
        True
    """
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
    quantize: str | Any = None,
    base: str | os.PathLike | None = None,
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
        quantize: a preset of :data:`vidkit.sampling.knobs.QUANTIZE_PRESETS` (``"bnb-4bit"``,
            ``"bnb-8bit"``, ``"torchao-int8wo"``, ``"fp8-layerwise"``...) or a diffusers
            ``PipelineQuantizationConfig``; recorded in every video's ``metadata["knobs"]``.
        base: with ``model`` a single ``.safetensors`` or ``.gguf`` transformer file (e.g. a
            community GGUF quantization): the diffusers folder or hub id that gives the other
            components and the transformer's config (``from_single_file``).
        **from_pretrained_kwargs: passed to ``from_pretrained`` (e.g. ``motion_adapter=`` for
            AnimateDiff).

    Weights are loaded with ``use_safetensors=True``; a model without safetensors weights falls
    back, with a warning, to diffusers' ``torch.load(weights_only=True)`` path.

    Example:
        >>> pipe = vk.load("Wan-AI/Wan2.1-T2V-1.3B-Diffusers", offload="model")  # doctest: +SKIP
        >>> import tempfile, vidkit as vk
        >>> folder = vk.testing.save_tiny_pipeline(tempfile.mkdtemp() + "/tiny-ltx", "ltx")
        >>> vk.load(folder).family.name                          # a local diffusers folder
        'ltx'
        >>> vk.load("vidkit/tiny-physics@early").model_id         # a bundled model
        'vidkit/tiny-physics@early'
    """
    if offload is not None and offload not in OFFLOADS:
        raise ValueError(f"offload must be None or one of {list(OFFLOADS)}, got {offload!r}")
    if task is not None:
        task = normalize_task(task)
    dev = resolve_device(device)
    if quantize is not None:
        qcfg = quantization_config(quantize)
        if qcfg is not None:
            if not isinstance(model, (str, os.PathLike)):
                raise ValueError(
                    f"quantize={quantize!r} quantizes while loading weights: pass a hub id or a "
                    "folder, not a built pipeline (quantize='fp8-layerwise' works on any)"
                )
            from_pretrained_kwargs["quantization_config"] = qcfg
    if isinstance(model, (str, os.PathLike)) and Path(os.fspath(model)).suffix in (
        ".gguf",
        ".safetensors",
    ):
        model, from_pretrained_kwargs = _single_file(
            Path(os.fspath(model)), base, dev, dtype, family, from_pretrained_kwargs
        )
    elif base is not None:
        raise ValueError(
            f"base= is for single-file transformers (.safetensors/.gguf); got {model!r}"
        )

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
    apply_vae_memory(vp.pipeline, vae_tiling, vae_slicing)
    if scheduler is not None:
        vp.set_scheduler(scheduler)
    if quantize is not None:
        apply_quantize_after_load(vp.pipeline, quantize, vp.dtype)
    return vp


def _single_file(
    file: Path,
    base: Any,
    device: str,
    dtype: Any,
    family: Any,
    kwargs: dict[str, Any],
) -> tuple[Any, dict[str, Any]]:
    """A single-file transformer (``.safetensors`` or ``.gguf``) with the rest from ``base``:
    (the model to load, the from_pretrained kwargs with ``transformer=`` set)."""
    import diffusers

    if not file.is_file():
        raise ModelNotFoundError(f"no single-file transformer at {str(file)!r}")
    if base is None:
        raise ValueError(
            f"{file.name}: a single-file transformer needs base= (the diffusers folder or hub id "
            "that gives the other components and the transformer's config)"
        )
    base_path = Path(os.fspath(base)).expanduser()
    if base_path.is_dir():
        index = read_model_index(base_path)
    else:
        from diffusers import DiffusionPipeline

        index = dict(DiffusionPipeline.load_config(str(base)))
    fam = (
        family_for(family)
        if family is not None
        else detect_family(base_path if base_path.is_dir() else str(base))
    )
    entry = index.get("transformer") or index.get("unet")
    if not entry:
        raise ModelLoadError(f"{str(base)!r} lists no transformer/unet in model_index.json")
    cls = getattr(diffusers, entry[1], None)
    if cls is None or not hasattr(cls, "from_single_file"):
        raise ModelLoadError(
            f"{entry[1]} cannot be loaded from a single file (no from_single_file)"
        )
    torch_dtype = resolve_dtype(dtype, device, fam)
    sf_kwargs: dict[str, Any] = {
        "config": str(base_path) if base_path.is_dir() else str(base),
        "subfolder": "transformer" if "transformer" in index else "unet",
        "torch_dtype": torch_dtype,
    }
    if file.suffix == ".gguf":
        from diffusers.utils import is_gguf_available

        if not is_gguf_available():
            raise ModelLoadError(
                f"{file.name}: loading GGUF needs the gguf package (pip install gguf)"
            )
        sf_kwargs["quantization_config"] = diffusers.GGUFQuantizationConfig(
            compute_dtype=torch_dtype
        )
    else:
        _check_safetensors(file)
    comp = cls.from_single_file(str(file), **sf_kwargs)
    kwargs = dict(kwargs)
    kwargs["transformer" if "transformer" in index else "unet"] = comp
    return base, kwargs


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
    if offload and apply_offload(pipe, offload, device):
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
    if not path.is_dir():
        # a family maps its own ids to local folders (e.g. "vidkit/tiny-physics[@early]")
        fam0 = family_for(family) if family is not None else detect_family(text)
        if fam0.resolve is not None:
            found = fam0.resolve(text)
            if found is not None:
                path = Path(found)
    if not path.is_dir() and text.startswith("vidkit/"):
        # other bundled models: "vidkit/NAME" is data/NAME, "vidkit/NAME@SUB" is data/NAME/SUB
        bundled = bundled_model(text)
        if bundled is not None:
            path = bundled
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
    index = read_model_index(path) if local else {}
    if local:
        check_model_folder(path, index)
    saved = read_vidkit_json(path) if local else {}
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
    elif index_class and any(pipeline_class_name(c) == index_class for c in fam.pipelines.values()):
        # the folder's own class, resolved through the family (works for classes outside
        # diffusers, which DiffusionPipeline.from_pretrained cannot find)
        cls = import_pipeline_class(index_class)
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
