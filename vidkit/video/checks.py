"""Checks of the arguments every Video takes: fps, whole numbers, frame sizes, metadata."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

import numpy as np

from vidkit.errors import VideoError, VideoTypeError, check_size

if TYPE_CHECKING:  # pragma: no cover
    pass


DEFAULT_FPS = 8.0
RANGE_TOL = 1e-3  # float slack allowed outside the declared value range (decoder rounding)
LAYOUTS_3D = ("THWC", "TCHW", "CTHW")
LAYOUTS_BATCH = ("BTCHW", "BCTHW", "BTHWC")


def describe_array(x: Any) -> str:
    """A short description of an array-like for error messages.

    Example:
        >>> describe_array(np.zeros((2, 3), np.uint8))
        'ndarray of shape (2, 3) and dtype uint8'
    """
    shape = getattr(x, "shape", None)
    dtype = getattr(x, "dtype", None)
    if shape is not None:
        return f"{type(x).__name__} of shape {tuple(shape)} and dtype {dtype}"
    return f"{type(x).__name__}"


def check_fps(value: Any, what: str = "fps") -> float:
    """``value`` as a positive finite float; the error names ``what`` and the value given.

    Example:
        >>> check_fps(8)
        8.0
        >>> check_fps(0, "frame rate")
        Traceback (most recent call last):
        ...
        vidkit.errors.VideoError: frame rate must be a positive number, got 0
    """
    if isinstance(value, (bool, np.bool_)) or value is None or isinstance(value, (str, bytes)):
        raise VideoTypeError(f"{what} must be a number (frames per second), got {value!r}")
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise VideoTypeError(
            f"{what} must be a number (frames per second), got {describe_array(value)}"
        ) from None
    if not np.isfinite(out) or out <= 0:
        raise VideoError(f"{what} must be a positive number, got {value!r}")
    return out


def whole_number(value: Any, what: str, lo: int = 1) -> int:
    """``value`` as an int >= ``lo``: ints and integral floats; 2.5, NaN, inf and text raise."""
    if isinstance(value, (bool, np.bool_)):
        raise VideoTypeError(f"{what} must be an integer, got {value!r}")
    if isinstance(value, (int, np.integer)):
        out = int(value)
    elif (
        isinstance(value, (float, np.floating)) and np.isfinite(value) and float(value).is_integer()
    ):
        out = int(value)
    elif isinstance(value, (float, np.floating)):
        raise VideoError(f"{what} must be a whole number, got {value!r}")
    else:
        raise VideoTypeError(f"{what} must be an integer, got {describe_array(value)}")
    if out < lo:
        raise VideoError(f"{what} must be >= {lo}, got {value!r}")
    return out


def check_frame_bytes(num_frames: int, height: int, width: int, what: str) -> None:
    """Refuse (SizeLimitError) a float32 ``[T, H, W, 3]`` result over the size limit."""
    check_size(
        float(num_frames) * height * width * 3 * 4,
        f"{what} ({num_frames} frames of {height}x{width}, float32)",
    )


def copy_metadata(metadata: dict[str, Any], what: str = "metadata") -> dict[str, Any]:
    """A deep copy of ``metadata``; a value that cannot be copied raises naming its key."""
    try:
        return copy.deepcopy(metadata)
    except Exception as exc:
        for key, value in metadata.items():
            try:
                copy.deepcopy(value)
            except Exception:
                raise VideoTypeError(
                    f"{what}[{key!r}] holds a {type(value).__name__} that cannot be copied "
                    f"({exc}); keep plain values (numbers, strings, lists, dicts, arrays) in "
                    "video metadata"
                ) from None
        raise VideoTypeError(f"{what} cannot be copied ({exc})") from None
