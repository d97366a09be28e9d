"""The exceptions vidkit raises on purpose, and the size limit on what it allocates.

Every error vidkit raises about its input is a :class:`VidkitError`, and also the builtin type that
code written before this module caught (``ValueError``, ``TypeError``, ``OSError``), so both
``except vk.VidkitError`` and ``except ValueError`` work:

=============================  =======================  ==============================================
class                          also a                   raised for
=============================  =======================  ==============================================
:class:`VidkitError`           ``Exception``            the root: catch it for any vidkit error
:class:`VideoError`            ``ValueError``           a video, a video file or an argument of a
                                                        video operation is not of the expected form
:class:`VideoTypeError`        ``TypeError``            an argument of the wrong type (frames, dtype,
                                                        tensor kind, fps as a string...)
:class:`SizeLimitError`        ``ValueError``           refused up front: the result would need more
                                                        memory than :func:`max_video_bytes`
:class:`StatisticsError`       ``ValueError``           impossible Gaussian statistics (covariance not
                                                        symmetric PSD, count < 2, mismatched dims) or a
                                                        statistics file that is not one
:class:`ArgumentError`         ``ValueError``           a bad setting of generate/sweep/compare or a
                                                        device that is not there
:class:`ModelLoadError`        ``OSError``              a model folder that cannot be loaded (corrupt
                                                        weights, broken ``model_index.json``...)
:class:`ModelNotFoundError`    ``FileNotFoundError``    no such model folder, component or variant
=============================  =======================  ==============================================

The size limit: operations whose output size comes from an argument or from a file
(``read_video(fps=...)``, ``Video.resize``, ``Video.resample``, ``vk.generate`` sizes) compute the
bytes they would allocate first and refuse with :class:`SizeLimitError` above the limit, 8 GiB by
default. Change it with :func:`set_max_video_bytes` or the ``VIDKIT_MAX_BYTES`` environment variable
(bytes, or with a unit: ``512M``, ``16G``).

Example:
    >>> import vidkit as vk
    >>> try:
    ...     vk.Video([[[[0.5, 0.5, 0.5]]]], fps="fast")
    ... except vk.VidkitError as exc:
    ...     print(type(exc).__name__, "-", exc)
    VideoTypeError - fps must be a number (frames per second), got 'fast'
"""

from __future__ import annotations

import os
import re

__all__ = [
    "ArgumentError",
    "ModelLoadError",
    "ModelNotFoundError",
    "SizeLimitError",
    "StatisticsError",
    "VideoError",
    "VideoTypeError",
    "VidkitError",
    "check_size",
    "format_bytes",
    "max_video_bytes",
    "set_max_video_bytes",
]


class VidkitError(Exception):
    """Root of every error vidkit raises on purpose (bad input, unreadable file, refused size)."""


class VideoError(VidkitError, ValueError):
    """A video (or its source) does not have the form that was expected."""


class VideoTypeError(VidkitError, TypeError):
    """An argument has the wrong type (frames, dtype, tensor kind, a number given as text...)."""


class SizeLimitError(VideoError):
    """Refused before allocating: the result would be larger than :func:`max_video_bytes`."""


class StatisticsError(VidkitError, ValueError):
    """Impossible or inconsistent Gaussian statistics (FVD inputs or a statistics file)."""


class ArgumentError(VidkitError, ValueError):
    """A bad setting (generation, comparison, device) found before any work started."""


class ModelLoadError(VidkitError, OSError):
    """A model could not be loaded; the message names the file and the cause."""


class ModelNotFoundError(ModelLoadError, FileNotFoundError):
    """No such model folder, component folder or bundled variant."""


# --------------------------------------------------------------------------- the size limit
_DEFAULT_MAX_BYTES = 8 * 1024**3
_UNITS = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4}
_max_bytes: int | None = None  # set by set_max_video_bytes; None: environment or default


def _parse_bytes(text: str) -> int:
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?\s*", str(text), flags=re.IGNORECASE)
    if not m:
        raise ArgumentError(
            f"VIDKIT_MAX_BYTES must be a number of bytes such as 8589934592 or 8G, got {text!r}"
        )
    value = int(float(m.group(1)) * _UNITS[m.group(2).upper()])
    if value < 1:
        raise ArgumentError(f"VIDKIT_MAX_BYTES must be positive, got {text!r}")
    return value


def max_video_bytes() -> int:
    """The largest allocation (in bytes) vidkit makes for one video or one batch of frames.

    :func:`set_max_video_bytes` wins, then ``$VIDKIT_MAX_BYTES``, else 8 GiB.

    Example:
        >>> from vidkit.errors import max_video_bytes
        >>> max_video_bytes() > 0
        True
    """
    if _max_bytes is not None:
        return _max_bytes
    env = os.environ.get("VIDKIT_MAX_BYTES")
    return _parse_bytes(env) if env else _DEFAULT_MAX_BYTES


def set_max_video_bytes(limit: int | str | None) -> int:
    """Set the size limit (bytes, or a string like ``"16G"``); ``None`` restores the default.

    Returns the limit now in force.

    Example:
        >>> import vidkit as vk
        >>> vk.set_max_video_bytes("16G")
        17179869184
        >>> vk.set_max_video_bytes(None) == 8 * 1024**3
        True
    """
    global _max_bytes
    if limit is None:
        _max_bytes = None
    elif isinstance(limit, str):
        _max_bytes = _parse_bytes(limit)
    elif isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ArgumentError(f"the size limit must be a positive number of bytes, got {limit!r}")
    else:
        _max_bytes = int(limit)
    return max_video_bytes()


def format_bytes(n: float) -> str:
    """``17179869184`` -> ``'16.0 GiB'``.

    Example:
        >>> format_bytes(3 * 1024**2)
        '3.0 MiB'
    """
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if abs(n) < 1024 or unit == "PiB":
            return f"{n:.0f} B" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} PiB"  # pragma: no cover


def check_size(nbytes: float, what: str) -> None:
    """Raise :class:`SizeLimitError` when ``nbytes`` (what ``what`` would allocate) is over the limit.

    Example:
        >>> check_size(10**6, "a small video")
        >>> check_size(10**15, "read_video(fps=1e9)")  # doctest: +IGNORE_EXCEPTION_DETAIL
        Traceback (most recent call last):
        ...
        vidkit.errors.SizeLimitError: read_video(fps=1e9) would allocate 909.5 TiB, over the limit
    """
    limit = max_video_bytes()
    if nbytes > limit:
        raise SizeLimitError(
            f"{what} would allocate {format_bytes(nbytes)}, over vidkit's limit of "
            f"{format_bytes(limit)}; raise it with vk.set_max_video_bytes(...) or "
            "VIDKIT_MAX_BYTES if you mean it"
        )
