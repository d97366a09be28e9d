"""Where a model runs: device and dtype by name, CPU offload, VAE tiling and slicing.

Example:
    >>> resolve_device("cpu"), resolve_dtype("auto", "cpu")
    ('cpu', torch.float32)
"""

from __future__ import annotations

import warnings
from typing import Any

from vidkit.sampling.families import ModelFamily

__all__ = [
    "OFFLOADS",
    "apply_offload",
    "apply_vae_memory",
    "has_accelerator",
    "resolve_device",
    "resolve_dtype",
]


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
    from vidkit.video import check_device

    check_device(device)  # a valid device string, and present on this machine
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


OFFLOADS = ("model", "sequential", "group")


def has_accelerator() -> bool:
    """Whether a CUDA or XPU accelerator is present (offload needs one).

    Example:
        >>> isinstance(has_accelerator(), bool)
        True
    """
    import torch

    if torch.cuda.is_available():
        return True
    xpu = getattr(torch, "xpu", None)
    return bool(xpu is not None and xpu.is_available())


def apply_offload(pipe: Any, offload: str, device: str) -> bool:
    """Enable CPU offload on ``pipe``; on a machine without an accelerator warn and skip.

    Returns True when offload was enabled.

    Example:
        >>> import warnings
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")  # "offload='model' skipped: it needs a GPU"
        ...     apply_offload(object(), "model", "cpu")
        False
    """
    if offload not in OFFLOADS:
        raise ValueError(f"offload must be None or one of {list(OFFLOADS)}, got {offload!r}")
    if not has_accelerator() or device.startswith("cpu"):
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


def apply_vae_memory(pipe: Any, tiling: bool | None, slicing: bool | None) -> list[str]:
    """Enable (or disable) VAE tiling/slicing; returns the calls made, e.g. ``['vae.enable_tiling']``.

    Example:
        >>> apply_vae_memory(object(), None, None)
        []
    """
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
