"""Checking an audio track (samples and sample rate) for :meth:`Video.with_audio`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from vidkit.errors import VideoError, VideoTypeError

if TYPE_CHECKING:  # pragma: no cover
    pass
from vidkit.video.checks import describe_array
from vidkit.video.tensors import is_torch_tensor, tensor_to_numpy

# --------------------------------------------------------------------------- module functions
#: the most audio channels a track may have
MAX_AUDIO_CHANNELS = 8


def check_audio(samples: Any, sample_rate: Any) -> tuple[np.ndarray, int]:
    """Validated audio: (float32 C-contiguous samples ``[channels, n]``, the integer sample rate).

    ``samples`` is ``[n]`` (mono) or ``[channels, n]`` with 1..8 channels, float, finite and in
    ``[-1, 1]``; ``sample_rate`` a positive integer.

    Example:
        >>> import numpy as np
        >>> check_audio(np.zeros(100), 8000)[0].shape
        (1, 100)
        >>> check_audio(np.zeros(100), 0)
        Traceback (most recent call last):
        vidkit.errors.VideoError: sample_rate must be a positive integer number of samples per second, got 0
    """
    if isinstance(sample_rate, bool) or not isinstance(
        sample_rate, (int, float, np.integer, np.floating)
    ):
        raise VideoTypeError(f"sample_rate must be an integer (Hz), got {sample_rate!r}")
    if not np.isfinite(sample_rate) or sample_rate <= 0 or int(sample_rate) != sample_rate:
        raise VideoError(
            "sample_rate must be a positive integer number of samples per second, got "
            f"{sample_rate!r}"
        )
    if is_torch_tensor(samples):
        samples = tensor_to_numpy(samples)
    if not isinstance(samples, np.ndarray):
        try:
            samples = np.asarray(samples)
        except Exception:
            raise VideoTypeError(
                f"audio samples must be a float array [channels, n], got {describe_array(samples)}"
            ) from None
    if not np.issubdtype(samples.dtype, np.floating):
        raise VideoTypeError(
            f"audio samples must be floats in [-1, 1], got {describe_array(samples)}; divide int16 "
            "samples by 32768"
        )
    arr = samples[None] if samples.ndim == 1 else samples
    if arr.ndim != 2 or arr.shape[1] == 0:
        raise VideoError(
            f"audio samples must be [channels, n] (or [n] for mono) with n >= 1, got "
            f"{describe_array(samples)}"
        )
    if not 1 <= arr.shape[0] <= MAX_AUDIO_CHANNELS:
        hint = "; transpose [n, channels] to [channels, n]" if arr.shape[1] <= 8 else ""
        raise VideoError(
            f"audio samples must be [channels, n] with 1..{MAX_AUDIO_CHANNELS} channels, got "
            f"{describe_array(samples)}{hint}"
        )
    arr = np.ascontiguousarray(arr, dtype=np.float32)
    if not np.isfinite(arr).all():
        raise VideoError(
            f"audio samples contain NaN or infinite values ({describe_array(samples)})"
        )
    peak = float(np.abs(arr).max())
    if peak > 1.0 + 1e-6:
        raise VideoError(
            f"audio samples must lie in [-1, 1], got a peak of {peak:.4g}; scale them (e.g. "
            "samples / abs(samples).max())"
        )
    return arr, int(sample_rate)
