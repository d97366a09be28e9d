"""Array conversions behind Video: dtypes, layouts, value ranges, channels.

Example:
    >>> import numpy as np
    >>> from vidkit.video.arrays import check_layout, check_range, dtype_rule
    >>> check_layout("tchw", ("TCHW", "THWC")), check_range((-1, 1)), dtype_rule(np.float16)
    ('TCHW', (-1.0, 1.0), 'float')
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from vidkit.errors import VideoError, VideoTypeError

if TYPE_CHECKING:  # pragma: no cover
    pass
from vidkit.video.checks import LAYOUTS_3D, RANGE_TOL, describe_array


def _is_torch_dtype(dtype: Any) -> bool:
    return type(dtype).__module__.startswith("torch") and type(dtype).__name__ == "dtype"


def dtype_rule(dtype: Any) -> str:
    """One rule for every conversion out of a Video: ``"uint8"`` (0..255) or ``"float"`` (values in
    ``value_range``); other dtypes (int16, bool, complex...) raise: casting [0, 1] floats to them
    would give zeros."""
    if _is_torch_dtype(dtype):
        if str(dtype) == "torch.uint8":
            return "uint8"
        if dtype.is_floating_point:
            return "float"
    else:
        try:
            dt = np.dtype(dtype)
        except TypeError:
            raise VideoTypeError(
                f"dtype must be uint8 or a float dtype (numpy or torch), got {dtype!r}"
            ) from None
        if dt == np.uint8:
            return "uint8"
        if np.issubdtype(dt, np.floating):
            return "float"
    shown = dtype if _is_torch_dtype(dtype) else np.dtype(dtype)
    raise VideoTypeError(
        f"dtype must be uint8 (values 0..255) or a float dtype (values in value_range), got "
        f"{shown}; casting [0, 1] frames to another integer type would round them to 0 and 1 "
        "(take video.uint8 and convert it yourself)"
    )


def numpy_dtype(dtype: Any) -> np.dtype:
    """The numpy dtype for ``dtype`` (numpy or torch; bfloat16 and float8 have none)."""
    if not _is_torch_dtype(dtype):
        return np.dtype(dtype)
    name = str(dtype).replace("torch.", "")
    if name in ("uint8", "float16", "float32", "float64"):
        return np.dtype(name)
    raise VideoTypeError(f"numpy has no {dtype}; use as_numpy=False (a torch tensor) for it")


def torch_dtype(dtype: Any) -> Any:
    import torch

    if _is_torch_dtype(dtype):
        return dtype
    return torch.from_numpy(np.zeros(0, np.dtype(dtype))).dtype


def check_layout(layout: str, allowed: Sequence[str]) -> str:
    if not isinstance(layout, str) or layout.upper() not in allowed:
        hint = ""
        if isinstance(layout, str) and layout.split(":")[0] in ("cpu", "cuda", "mps", "xpu"):
            hint = f"; for a device pass device={layout!r}"
        raise VideoError(f"layout must be one of {list(allowed)}, got {layout!r}{hint}")
    return layout.upper()


def check_range(value_range: tuple[float, float]) -> tuple[float, float]:
    try:
        lo, hi = (float(value_range[0]), float(value_range[1]))
    except (TypeError, IndexError, ValueError):
        raise VideoError(
            f"value_range must be a pair (low, high) such as (0, 1) or (-1, 1), got {value_range!r}"
        ) from None
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise VideoError(
            f"value_range must be two finite numbers such as (0, 1) or (-1, 1), got {value_range!r}"
        )
    if not hi > lo:
        raise VideoError(f"value_range must have low < high, got {value_range!r}")
    return lo, hi


def _to_float01(arr: np.ndarray, value_range: tuple[float, float] | None) -> np.ndarray:
    """Convert a numeric array to float32 in [0, 1] under the stated convention."""
    if arr.dtype == np.bool_:
        return arr.astype(np.float32)
    if arr.dtype == np.uint8:
        if value_range is not None and tuple(value_range) != (0, 255):
            raise VideoError(
                f"uint8 frames are always full range 0..255; value_range={value_range!r} does not apply"
            )
        out = arr.astype(np.float32)
        out /= np.float32(255.0)  # in place: one float array, not two
        return out
    if arr.dtype == np.uint16:
        return arr.astype(np.float32) / np.float32(65535.0)
    if np.issubdtype(arr.dtype, np.floating):
        lo, hi = check_range(value_range if value_range is not None else (0.0, 1.0))
        out = arr.astype(np.float32, copy=True)
        if out.size:
            if not np.isfinite(out).all():
                bad = int(np.argmax(~np.isfinite(out).reshape(out.shape[0], -1).all(axis=1)))
                raise VideoError(f"frames contain NaN or inf values (first in frame {bad})")
            mn, mx = float(out.min()), float(out.max())
            span = hi - lo
            if mn < lo - RANGE_TOL * span or mx > hi + RANGE_TOL * span:
                hint = ""
                if value_range is None and mn >= -1 - 1e-3 and mx <= 1 + 1e-3:
                    hint = "; if they are in [-1, 1], pass value_range=(-1, 1)"
                elif value_range is None and mx > 1.5 and mn >= 0 and mx <= 255.5:
                    hint = "; if they are 0..255 floats, pass value_range=(0, 255)"
                raise VideoError(
                    f"float frames have values in [{mn:.4g}, {mx:.4g}] but the declared value_range is "
                    f"({lo:g}, {hi:g}){hint}"
                )
            if (lo, hi) != (0.0, 1.0):
                out = (out - np.float32(lo)) / np.float32(hi - lo)
            np.clip(out, 0.0, 1.0, out=out)
        return out
    if np.issubdtype(arr.dtype, np.integer):
        raise VideoTypeError(
            f"integer frames of dtype {arr.dtype} are ambiguous; give uint8 (0..255) or float frames "
            "with an explicit value_range"
        )
    raise VideoTypeError(f"unsupported frame dtype {arr.dtype}; expected uint8 or a float dtype")


def _fix_channels(frames: np.ndarray) -> np.ndarray:
    """Frames [T,H,W,C] -> [T,H,W,3]; gray and RGBA are converted with a note."""
    c = frames.shape[-1]
    if c == 3:
        return frames
    if c == 1:
        warnings.warn(
            "grayscale frames (1 channel) converted to RGB by repeating the channel",
            stacklevel=4,
        )
        return np.repeat(frames, 3, axis=-1)
    if c == 4:
        warnings.warn("RGBA frames (4 channels): the alpha channel was dropped", stacklevel=4)
        return np.ascontiguousarray(frames[..., :3])
    raise VideoError(
        f"frames have {c} channels in the channel position; expected 3 (RGB), 1 (gray) or 4 (RGBA). "
        "If the channel axis is elsewhere, pass the right layout (THWC, TCHW or CTHW)"
    )


def frames_from_array(
    arr: np.ndarray, layout: str, value_range: tuple[float, float] | None
) -> np.ndarray:
    layout = check_layout(layout, LAYOUTS_3D)
    if arr.ndim == 3 and layout == "THWC":
        # [T, H, W] gray video
        arr = arr[..., None]
    if arr.ndim != 4:
        raise VideoError(
            f"a video array must have 4 dimensions ({layout}), got {describe_array(arr)}; "
            "for a single image add a time axis, for a batch use vk.unstack"
        )
    if layout == "TCHW":
        arr = arr.transpose(0, 2, 3, 1)
    elif layout == "CTHW":
        arr = arr.transpose(1, 2, 3, 0)
    if arr.shape[0] == 0:
        raise VideoError(f"the video is empty (0 frames): {describe_array(arr)}")
    if arr.shape[1] == 0 or arr.shape[2] == 0:
        raise VideoError(f"frames have zero height or width: {describe_array(arr)}")
    frames = _to_float01(np.asarray(arr), value_range)
    return np.ascontiguousarray(_fix_channels(frames))
