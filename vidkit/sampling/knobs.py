"""Speed and memory knobs: one argument each, mapped onto diffusers' own mechanisms.

=====================  ==================================================================
vidkit argument        diffusers counterpart
=====================  ==================================================================
``cache=``             ``transformer.enable_cache(config)`` with ``FirstBlockCacheConfig``,
                       ``PyramidAttentionBroadcastConfig``, ``FasterCacheConfig``,
                       ``TaylorSeerCacheConfig``, ``MagCacheConfig``; ``disable_cache()`` after
``attention_backend=`` ``transformer.set_attention_backend(name)`` (attention_dispatch); the
                       previous backend of every processor is restored after the call
``compile=``           ``transformer.compile_repeated_blocks(...)`` (``"blocks"``/``True``) or
                       ``transformer.compile(...)`` (``"full"``); undone after the call
``lora=``              ``pipe.load_lora_weights(file)`` (safetensors; into both experts of a
                       two-expert Wan 2.2 A14B pipeline: ``load_into_transformer_2=True``),
                       ``set_adapters`` with ``lora_scale``, unloaded after the call
``quantize=`` (load)   :data:`QUANTIZE_PRESETS` -> ``PipelineQuantizationConfig`` or
                       ``enable_layerwise_casting`` (``"fp8-layerwise"``)
=====================  ==================================================================

:func:`apply_knobs` applies the call-time knobs for one ``vk.generate`` call and leaves the pipeline
as it found it. A knob the family's pipeline lacks raises a :class:`KnobError` naming the family and
the knob.

Example:
    >>> import vidkit as vk
    >>> pipe = vk.testing.tiny_pipeline("wan", "t2v")
    >>> v = vk.generate(pipe, prompt="a ball", steps=2, cache="first-block", progress=False)
    >>> v.metadata["knobs"]["cache"]["name"]
    'FirstBlockCacheConfig'
    >>> pipe.pipeline.transformer.is_cache_enabled
    False
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

__all__ = [
    "CACHES",
    "COMPILE_MODES",
    "QUANTIZE_PRESETS",
    "KnobError",
    "apply_knobs",
    "apply_quantize_after_load",
    "cache_config",
    "check_knobs",
    "denoisers",
    "quantization_config",
]


class KnobError(ValueError):
    """A knob the family's pipeline does not support (names the family and the knob)."""


#: cache names -> diffusers config class names (``diffusers.hooks``)
CACHES: dict[str, str] = {
    "first-block": "FirstBlockCacheConfig",
    "pab": "PyramidAttentionBroadcastConfig",
    "faster-cache": "FasterCacheConfig",
    "taylorseer": "TaylorSeerCacheConfig",
    "magcache": "MagCacheConfig",
}

COMPILE_MODES = ("blocks", "full")

#: the denoisers a ``lora=`` mapping may name: a two-expert Wan 2.2 A14B pipeline's high-noise
#: ``transformer`` and low-noise ``transformer_2``
LORA_EXPERTS = ("transformer", "transformer_2")

#: quantization presets -> (diffusers backend, its kwargs); ``fp8-layerwise`` is not a
#: quantization config but ``enable_layerwise_casting`` (float8 storage, compute in the load dtype)
QUANTIZE_PRESETS: dict[str, tuple[str, dict[str, Any]]] = {
    "bnb-4bit": (
        "bitsandbytes_4bit",
        {"load_in_4bit": True, "bnb_4bit_quant_type": "nf4", "bnb_4bit_compute_dtype": "bfloat16"},
    ),
    "bnb-8bit": ("bitsandbytes_8bit", {"load_in_8bit": True}),
    "torchao-int8wo": ("torchao", {"quant_type": "int8wo"}),
    "torchao-int4wo": ("torchao", {"quant_type": "int4wo"}),
    "torchao-float8wo": ("torchao", {"quant_type": "float8wo_e4m3"}),
    "fp8-layerwise": ("layerwise_casting", {"storage_dtype": "float8_e4m3fn"}),
}


def _family_name(vp: Any, dpipe: Any) -> str:
    return f"family {vp.family.name!r} ({type(dpipe).__name__})"


def denoisers(dpipe: Any) -> list[tuple[str, Any]]:
    """The pipeline's denoising networks: ``transformer`` (and ``transformer_2`` of two-expert
    models), ``unet``, or ``denoiser`` (vidkit's tiny model).

    Example:
        >>> import vidkit as vk
        >>> [n for n, _ in denoisers(vk.testing.tiny_pipeline("wan", "t2v").pipeline)]
        ['transformer']
    """
    out = []
    for name in ("transformer", "transformer_2", "unet", "denoiser"):
        m = getattr(dpipe, name, None)
        if m is not None:
            out.append((name, m))
    return out


def supported_knobs(pipe: Any) -> dict[str, bool]:
    """Which call-time knobs a pipeline takes, by the same tests the knobs make when applied:
    ``cache`` (a denoiser with diffusers' cache hooks), ``attention_backend`` (attention
    processors that dispatch through diffusers' ``attention_dispatch``), ``compile_blocks``
    (a denoiser that declares ``_repeated_blocks``; ``compile="full"`` works on any), ``lora``
    (the pipeline has a LoRA loader).

    Example:
        >>> import vidkit as vk
        >>> supported_knobs(vk.testing.tiny_pipeline("wan", "t2v"))
        {'cache': True, 'attention_backend': True, 'compile_blocks': True, 'lora': True}
        >>> supported_knobs(vk.testing.tiny_pipeline("svd", "i2v"))["cache"]
        False
    """
    from diffusers.models.cache_utils import CacheMixin

    dpipe = getattr(pipe, "pipeline", pipe)
    nets = [m for _, m in denoisers(dpipe)]

    def dispatches(m: Any) -> bool:
        if not hasattr(m, "set_attention_backend"):
            return False
        return any(
            hasattr(getattr(mod, "processor", None), "_attention_backend") for mod in m.modules()
        )

    return {
        "cache": bool(nets) and all(isinstance(m, CacheMixin) for m in nets),
        "attention_backend": bool(nets) and all(dispatches(m) for m in nets),
        "compile_blocks": bool(nets) and all(getattr(m, "_repeated_blocks", None) for m in nets),
        "lora": hasattr(dpipe, "load_lora_weights"),
    }


# --------------------------------------------------------------------------- cache
def cache_config(cache: Any, *, steps: int = 50, timestep: Any = None) -> Any:
    """A diffusers cache config from a name (:data:`CACHES`) or a config object (returned as is).

    ``timestep`` is a zero-argument callable giving the current timestep (PAB and FasterCache need
    it; :func:`apply_knobs` passes the pipeline's ``current_timestep``). ``"magcache"`` without
    calibrated ratios runs in calibration mode (it records ratios and skips nothing); pass a
    ``MagCacheConfig(mag_ratios=...)`` to skip.

    Example:
        >>> cache_config("first-block")
        FirstBlockCacheConfig(threshold=0.05)
        >>> cache_config("nope")
        Traceback (most recent call last):
        ValueError: cache must be one of ['first-block', 'pab', 'faster-cache', 'taylorseer', 'magcache'] or a diffusers cache config object, got 'nope'
    """
    import diffusers.hooks as hooks

    if not isinstance(cache, str):
        if type(cache).__name__ not in CACHES.values():
            raise TypeError(
                f"cache must be a name or a diffusers cache config ({', '.join(CACHES.values())}), "
                f"got {type(cache).__name__}"
            )
        return cache
    name = cache.lower().replace("_", "-")
    if name not in CACHES:
        raise ValueError(
            f"cache must be one of {list(CACHES)} or a diffusers cache config object, got {cache!r}"
        )
    cls = getattr(hooks, CACHES[name])
    tcb = timestep if timestep is not None else (lambda: 500)
    if name == "first-block":
        return cls(threshold=0.05)
    if name == "pab":
        return cls(spatial_attention_block_skip_range=2, current_timestep_callback=tcb)
    if name == "faster-cache":
        return cls(
            spatial_attention_block_skip_range=2,
            current_timestep_callback=tcb,
            is_guidance_distilled=True,
        )
    if name == "taylorseer":
        return cls(cache_interval=2, disable_cache_before_step=1)
    return cls(num_inference_steps=int(steps), calibrate=True)


def _describe_config(cfg: Any) -> dict[str, Any]:
    fields = {}
    if dataclasses.is_dataclass(cfg):
        for f in dataclasses.fields(cfg):
            v = getattr(cfg, f.name)
            if callable(v) or hasattr(v, "shape"):
                continue
            fields[f.name] = v if isinstance(v, (int, float, str, bool, type(None))) else str(v)
    return {"name": type(cfg).__name__, "config": fields}


# --------------------------------------------------------------------------- checks
def check_knobs(
    cache: Any = None,
    attention_backend: Any = None,
    compile: Any = None,
    lora: Any = None,
    lora_scale: Any = 1.0,
) -> None:
    """The cheap checks of the call-time knobs (``compile`` may be a dict: ``target`` =
    ``"blocks"``/``"full"`` plus ``torch.compile`` options, e.g. ``{"backend": "eager"}``), before any model is touched.

    Example:
        >>> check_knobs(cache="first-block", compile="blocks")
        >>> check_knobs(compile="fast")
        Traceback (most recent call last):
        ValueError: compile must be None, False, True, 'blocks', 'full' or a dict of torch.compile options, got 'fast'
    """
    if cache is not None:
        cache_config(cache)
    if attention_backend is not None:
        from diffusers.models.attention_dispatch import AttentionBackendName

        names = [b.value for b in AttentionBackendName]
        if not isinstance(attention_backend, str) or attention_backend.lower() not in names:
            raise ValueError(f"attention_backend must be one of {names}, got {attention_backend!r}")
    if not (
        compile in (None, False, True) or compile in COMPILE_MODES or isinstance(compile, dict)
    ):
        raise ValueError(
            "compile must be None, False, True, 'blocks', 'full' or a dict of torch.compile "
            f"options, got {compile!r}"
        )
    if isinstance(lora, Mapping):
        _check_experts("lora", lora)
        for expert, path in lora.items():
            _check_lora_file(path, f"lora[{expert!r}]")
    elif lora is not None:
        _check_lora_file(lora, "lora")
    if isinstance(lora_scale, Mapping):
        _check_experts("lora_scale", lora_scale)
        for expert, scale in lora_scale.items():
            if isinstance(scale, bool) or not isinstance(scale, (int, float)):
                raise TypeError(f"lora_scale[{expert!r}] must be a number, got {scale!r}")
    elif isinstance(lora_scale, bool) or not isinstance(lora_scale, (int, float)):
        raise TypeError(
            f"lora_scale must be a number or a mapping of {LORA_EXPERTS} to numbers, "
            f"got {lora_scale!r}"
        )


def _check_experts(name: str, mapping: Mapping) -> None:
    if not mapping:
        raise ValueError(f"{name} is an empty mapping; name at least one of {LORA_EXPERTS}")
    bad = [k for k in mapping if k not in LORA_EXPERTS]
    if bad:
        raise ValueError(
            f"{name} maps denoisers to LoRAs: its keys must be among {LORA_EXPERTS}, got {bad}"
        )


def _check_lora_file(lora: Any, name: str) -> Path:
    p = Path(os.fspath(lora)) if isinstance(lora, (str, os.PathLike)) else None
    if p is None:
        raise TypeError(
            f"{name} must be a path to a .safetensors file (or, for lora, a mapping of "
            f"{LORA_EXPERTS} to such paths), got {type(lora).__name__}"
        )
    if p.suffix != ".safetensors":
        raise ValueError(f"{name} must be a .safetensors file (weights only), got {str(p)!r}")
    if not p.is_file():
        raise FileNotFoundError(f"{name} file {str(p)!r} does not exist")
    return p


# --------------------------------------------------------------------------- apply
@contextlib.contextmanager
def apply_knobs(
    vp: Any,
    dpipe: Any,
    *,
    steps: int,
    cache: Any = None,
    attention_backend: str | None = None,
    compile: Any = None,
    lora: Any = None,
    lora_scale: float | Mapping[str, float] = 1.0,
) -> Iterator[dict[str, Any]]:
    """Apply the call-time knobs to ``dpipe`` for the ``with`` block; yields what they record.

    Everything is undone on exit (cache disabled, attention backends and compiled forwards
    restored, the LoRA unloaded), so the pipeline is left as found.

    Example:
        >>> import vidkit as vk
        >>> pipe = vk.testing.tiny_pipeline("wan", "t2v")
        >>> with apply_knobs(pipe, pipe.pipeline, steps=2, cache="taylorseer") as rec:
        ...     pipe.pipeline.transformer.is_cache_enabled
        True
        >>> rec["cache"]["name"], pipe.pipeline.transformer.is_cache_enabled
        ('TaylorSeerCacheConfig', False)
    """
    check_knobs(cache, attention_backend, compile, lora, lora_scale)
    record: dict[str, Any] = {}
    nets = denoisers(dpipe)
    who = _family_name(vp, dpipe)
    with contextlib.ExitStack() as stack:
        if lora is not None:
            record.update(_apply_lora(stack, dpipe, lora, lora_scale, who))
        if cache is not None:
            record["cache"] = _apply_cache(stack, dpipe, nets, cache, steps, who)
        if attention_backend is not None:
            record["attention_backend"] = _apply_attention(stack, nets, attention_backend, who)
        if compile not in (None, False):
            record["compile"] = _apply_compile(stack, nets, compile, who)
        yield record


def _apply_cache(
    stack: contextlib.ExitStack, dpipe: Any, nets: list, cache: Any, steps: int, who: str
) -> dict[str, Any]:
    from diffusers.models.cache_utils import CacheMixin

    targets = [(n, m) for n, m in nets if isinstance(m, CacheMixin)]
    if not targets:
        kinds = ", ".join(type(m).__name__ for _, m in nets) or "no denoiser"
        raise KnobError(
            f"{who} does not support cache=: its denoiser ({kinds}) has no diffusers cache hooks "
            "(enable_cache)"
        )
    for _, m in targets:
        if m.is_cache_enabled:
            raise KnobError(f"{who}: a cache is already enabled on the denoiser; disable it first")

    def timestep() -> Any:
        t = getattr(dpipe, "current_timestep", None)
        return 500 if t is None else t

    for _, m in targets:
        cfg = cache_config(cache, steps=steps, timestep=timestep)
        m.enable_cache(cfg)
        stack.callback(m.disable_cache)
    rec = _describe_config(cfg)
    rec["modules"] = [n for n, _ in targets]
    return rec


def _apply_attention(stack: contextlib.ExitStack, nets: list, backend: str, who: str) -> str:
    from diffusers.models.attention_dispatch import _AttentionBackendRegistry

    targets = [(n, m) for n, m in nets if hasattr(m, "set_attention_backend")]
    if not targets:
        raise KnobError(f"{who} does not support attention_backend=: no set_attention_backend")
    old_active = _AttentionBackendRegistry._active_backend
    saved = []
    for _, m in targets:
        for mod in m.modules():
            proc = getattr(mod, "processor", None)
            if proc is not None and hasattr(proc, "_attention_backend"):
                saved.append((proc, proc._attention_backend))

    def restore() -> None:
        for proc, b in saved:
            proc._attention_backend = b
        _AttentionBackendRegistry.set_active_backend(old_active)

    if not saved:
        kinds = ", ".join(type(m).__name__ for _, m in nets)
        raise KnobError(
            f"{who} does not support attention_backend=: {kinds} has no attention processors "
            "that dispatch through diffusers' attention_dispatch"
        )
    stack.callback(restore)
    for _, m in targets:
        try:
            m.set_attention_backend(backend)
        except (RuntimeError, ImportError) as exc:
            raise KnobError(
                f"{who}: attention_backend={backend!r} is not usable here: {exc}"
            ) from exc
    return backend.lower()


def _apply_compile(stack: contextlib.ExitStack, nets: list, compile: Any, who: str) -> dict:
    import torch

    options = dict(compile) if isinstance(compile, dict) else {}
    mode = options.pop("target", "blocks") if isinstance(compile, dict) else compile
    mode = "blocks" if mode is True else mode
    if mode not in COMPILE_MODES:
        raise ValueError(f"compile's target must be one of {COMPILE_MODES}, got {mode!r}")
    touched: list[torch.nn.Module] = []
    for _, m in nets:
        if mode == "blocks":
            if not getattr(m, "_repeated_blocks", None):
                raise KnobError(
                    f"{who} does not support compile='blocks': {type(m).__name__} declares no "
                    "_repeated_blocks (use compile='full')"
                )
            names = set(m._repeated_blocks)
            touched += [s for s in m.modules() if type(s).__name__ in names]
        else:
            touched.append(m)
    saved = [(s, s._compiled_call_impl) for s in touched]

    def restore() -> None:
        for s, impl in saved:
            s._compiled_call_impl = impl

    stack.callback(restore)
    for _, m in nets:
        if mode == "blocks":
            m.compile_repeated_blocks(**options)
        else:
            m.compile(**options)
    return {"mode": mode, "options": {k: str(v) for k, v in options.items()}}


def _lora_targets(dpipe: Any, lora: Any, who: str) -> list[tuple[str | None, Path]]:
    """(denoiser, file) pairs to load: ``None`` is diffusers' default target (the components the
    file's keys name: ``transformer``, ``unet``, text encoders); ``"transformer_2"`` the low-noise
    expert of a two-expert pipeline. One file goes into both experts of a two-expert pipeline."""
    two = getattr(dpipe, "transformer_2", None) is not None and "transformer_2" in getattr(
        type(dpipe), "_lora_loadable_modules", ()
    )
    if not isinstance(lora, Mapping):
        path = Path(os.fspath(lora))
        return [(None, path)] + ([("transformer_2", path)] if two else [])
    targets: list[tuple[str | None, Path]] = []
    for expert, file in lora.items():
        if expert == "transformer_2" and not two:
            raise KnobError(
                f"{who} has no second expert: lora={{'transformer_2': ...}} needs a two-expert "
                "pipeline (Wan 2.2 A14B: transformer + transformer_2)"
            )
        if expert == "transformer" and getattr(dpipe, "transformer", None) is None:
            raise KnobError(f"{who} has no transformer: lora={{'transformer': ...}} cannot load")
        targets.append((expert, Path(os.fspath(file))))
    return targets


def _apply_lora(
    stack: contextlib.ExitStack, dpipe: Any, lora: Any, scale: Any, who: str
) -> dict[str, Any]:
    """Load ``lora`` as one adapter (into both experts of a two-expert pipeline, or the experts a
    mapping names), activate it at ``scale`` (one number, or one per expert) and unload it when
    ``stack`` closes; returns what the videos record."""
    if not hasattr(dpipe, "load_lora_weights"):
        raise KnobError(f"{who} does not support lora=: its pipeline has no LoRA loader")
    from diffusers.utils import USE_PEFT_BACKEND

    if not USE_PEFT_BACKEND:
        raise KnobError(f"lora= needs the peft package (pip install peft); {who}")
    targets = _lora_targets(dpipe, lora, who)
    before = list(dpipe.get_active_adapters()) if hasattr(dpipe, "get_active_adapters") else []
    name = f"vidkit_lora_{len(before)}"

    def unload() -> None:
        if before:
            dpipe.delete_adapters(name)
            dpipe.set_adapters(before)
        else:
            dpipe.unload_lora_weights()

    for i, (expert, path) in enumerate(targets):
        into = {"load_into_transformer_2": True} if expert == "transformer_2" else {}
        dpipe.load_lora_weights(str(path.parent), weight_name=path.name, adapter_name=name, **into)
        if i == 0:  # from here on, whatever was loaded is unloaded, even if a later load fails
            stack.callback(unload)
    holders = [c for c, names in dpipe.get_list_adapters().items() if name in names]
    if isinstance(scale, Mapping) and set(scale) - set(holders):
        raise ValueError(
            f"lora_scale names {sorted(set(scale) - set(holders))}, which hold no LoRA here "
            f"({who}: the LoRA went into {holders})"
        )
    files = {e or "*": str(p) for e, p in targets}

    def scale_of(component: str) -> float:
        if isinstance(scale, Mapping):
            return float(scale.get(component, 1.0))
        return float(scale)

    weights: Any = {c: scale_of(c) for c in holders} if isinstance(scale, Mapping) else float(scale)
    dpipe.set_adapters([name], adapter_weights=[weights])
    return {
        "lora": str(targets[0][1]) if not isinstance(lora, Mapping) else dict(files),
        "lora_scale": (
            {k: float(v) for k, v in scale.items()} if isinstance(scale, Mapping) else float(scale)
        ),
        # every component that holds the adapter: its file and the scale it runs at
        "lora_components": {
            c: {
                "file": files.get(c) or files.get("*") or files["transformer"],
                "scale": scale_of(c),
            }
            for c in holders
        },
    }


# --------------------------------------------------------------------------- quantize
def quantization_config(preset: Any, components: tuple[str, ...] = ("transformer",)) -> Any:
    """The diffusers ``PipelineQuantizationConfig`` of a preset name (:data:`QUANTIZE_PRESETS`);
    a ``PipelineQuantizationConfig`` is returned as is; ``"fp8-layerwise"`` returns ``None`` (it is
    applied after loading by :func:`apply_quantize_after_load`).

    Example:
        >>> q = quantization_config("bnb-4bit")
        >>> q.quant_backend, q.quant_kwargs["load_in_4bit"], q.components_to_quantize
        ('bitsandbytes_4bit', True, ['transformer'])
    """
    import torch
    from diffusers import PipelineQuantizationConfig

    if isinstance(preset, PipelineQuantizationConfig):
        return preset
    if not isinstance(preset, str) or preset not in QUANTIZE_PRESETS:
        raise ValueError(
            f"quantize must be one of {list(QUANTIZE_PRESETS)} or a diffusers "
            f"PipelineQuantizationConfig, got {preset!r}"
        )
    backend, kwargs = QUANTIZE_PRESETS[preset]
    if backend == "layerwise_casting":
        return None
    kw = {k: getattr(torch, v) if k.endswith("_dtype") else v for k, v in kwargs.items()}
    if backend == "torchao":
        # diffusers' and transformers' TorchAoConfig differ: a per-component mapping
        from diffusers.utils import is_torchao_available

        if not is_torchao_available():
            raise KnobError(f"quantize={preset!r} needs the torchao package (pip install torchao)")
        from diffusers import TorchAoConfig

        return PipelineQuantizationConfig(
            quant_mapping={c: TorchAoConfig(**kw) for c in components}
        )
    return PipelineQuantizationConfig(
        quant_backend=backend, quant_kwargs=kw, components_to_quantize=list(components)
    )


def apply_quantize_after_load(pipe: Any, preset: Any, compute_dtype: Any) -> dict[str, Any]:
    """What a preset does after loading (``fp8-layerwise``: ``enable_layerwise_casting`` of the
    denoisers); returns what the pipeline's videos record as ``knobs["quantize"]``.

    Example:
        >>> import torch, vidkit as vk
        >>> pipe = vk.testing.tiny_pipeline("wan", "t2v")
        >>> apply_quantize_after_load(pipe.pipeline, "fp8-layerwise", torch.float32)["preset"]
        'fp8-layerwise'
    """
    import torch

    rec: dict[str, Any] = {"preset": preset if isinstance(preset, str) else type(preset).__name__}
    if not denoisers(pipe):
        raise KnobError(f"quantize=: {type(pipe).__name__} has no transformer/unet/denoiser")
    if preset == "fp8-layerwise":
        for _, m in denoisers(pipe):
            if not hasattr(m, "enable_layerwise_casting"):
                raise KnobError(
                    f"quantize='fp8-layerwise' needs a diffusers model; {type(m).__name__} has no "
                    "enable_layerwise_casting"
                )
            m.enable_layerwise_casting(
                storage_dtype=torch.float8_e4m3fn, compute_dtype=compute_dtype
            )
        rec["storage_dtype"] = "float8_e4m3fn"
        rec["compute_dtype"] = str(compute_dtype).replace("torch.", "")
    for _, m in denoisers(pipe):
        m._vidkit_quantize = rec
    return rec


def recorded_quantize(dpipe: Any) -> dict[str, Any] | None:
    """The quantization :func:`apply_quantize_after_load` recorded on the pipeline's denoiser."""
    for _, m in denoisers(dpipe):
        rec = getattr(m, "_vidkit_quantize", None)
        if rec is not None:
            return rec
    return None
