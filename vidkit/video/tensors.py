"""Recognising and converting torch tensors and PIL images, and checking torch devices."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from vidkit.errors import ArgumentError, VideoError, VideoTypeError

if TYPE_CHECKING:  # pragma: no cover
    pass
from vidkit.video.checks import describe_array


def is_torch_tensor(x: Any) -> bool:
    """Whether ``x`` is a torch tensor (without importing torch).

    Example:
        >>> is_torch_tensor(np.zeros(2))
        False
    """
    mod = type(x).__module__
    return mod.startswith("torch") and type(x).__name__ in ("Tensor", "Parameter")


def is_pil(x: Any) -> bool:
    """Whether ``x`` is a PIL image.

    Example:
        >>> is_pil(np.zeros((2, 2, 3)))
        False
    """
    try:
        from PIL import Image
    except ImportError:  # pragma: no cover
        return False
    return isinstance(x, Image.Image)


def tensor_to_numpy(t: Any) -> np.ndarray:
    if not is_torch_tensor(t):
        raise VideoTypeError(f"expected a torch tensor, got {describe_array(t)}")
    import torch

    if t.is_meta:
        raise VideoError(
            f"a meta tensor has a shape {tuple(t.shape)} but no data; give a tensor on a real "
            "device"
        )
    if t.layout != torch.strided:
        raise VideoTypeError(
            f"a {t.layout} tensor is not a video; call .to_dense() first (shape {tuple(t.shape)})"
        )
    if t.is_quantized:
        raise VideoTypeError("a quantized tensor is not a video; call .dequantize() first")
    if t.is_complex():
        raise VideoTypeError(f"complex tensors are not videos, got dtype {t.dtype}")
    t = t.detach().cpu()
    if t.is_floating_point() and t.dtype not in (torch.float32, torch.float64):
        t = t.float()  # float16, bfloat16, float8: numpy has no or a lossy match
    return t.numpy()


def check_device(device: Any) -> Any:
    """A torch device for ``device``, refusing one that is not present (a clear error instead of
    torch's assertion).

    Example:
        >>> check_device("cpu")
        device(type='cpu')
    """
    import torch

    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError, ValueError):
        raise ArgumentError(
            f"device must be 'cpu', 'cuda', 'cuda:1', 'mps'..., got {device!r}"
        ) from None
    if dev.type == "cuda":
        if not torch.cuda.is_available():
            raise ArgumentError(
                f"device={device!r} but no CUDA GPU is available (torch.cuda.is_available() is "
                "False); use 'cpu'"
            )
        if dev.index is not None and dev.index >= torch.cuda.device_count():
            raise ArgumentError(
                f"device={device!r} but only {torch.cuda.device_count()} CUDA GPU(s) are present"
            )
    elif dev.type == "mps":
        mps = getattr(torch.backends, "mps", None)
        if mps is None or not mps.is_available():
            raise ArgumentError(f"device={device!r} but MPS is not available on this machine")
    return dev
