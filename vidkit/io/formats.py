"""The formats vidkit reads and writes, path and fps checks, the vidkit tag, and frame selection.

Example:
    >>> from vidkit.io.formats import path_kind
    >>> [path_kind(p, writing=True) for p in ("clip.MP4", "clip.gif", "frames/")]
    ['.mp4', 'gif', 'frames']
"""

import json
import os
import re
import warnings
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from vidkit.errors import VideoError, VideoTypeError, check_size
from vidkit.files import jsonable
from vidkit.video import (
    Video,
    check_fps,
    fps_frame_count,
    fps_source_frames,
)

PathLike = str | os.PathLike
# what a reader returns: decoded uint8 images, which image each output frame is, fps, metadata
Decoded = tuple[list[np.ndarray], np.ndarray, float, dict[str, Any]]

TAG = "vidkit"
SIDE_CAR = "vidkit.json"
FRAME_RE = re.compile(r"^(\d+)\.(png|jpe?g)$", re.IGNORECASE)
# extension -> (FFmpeg muxer, default codec); ".gif" and frame folders are handled apart
CONTAINERS: dict[str, tuple[str, str]] = {
    ".mp4": ("mp4", "libx264"),
    ".m4v": ("mp4", "libx264"),
    ".mov": ("mov", "libx264"),
    ".mkv": ("matroska", "libx264"),
    ".webm": ("webm", "libvpx-vp9"),
}
_READ_ONLY = (".avi",)
# codec -> (encoder, pixel format, default crf, largest crf (None: no crf), extra options)
CODECS: dict[str, tuple[str, str, int, int | None, dict[str, str]]] = {
    "libx264": ("libx264", "yuv420p", 18, 51, {"preset": "medium"}),
    "libvpx-vp9": (
        "libvpx-vp9",
        "yuv420p",
        30,
        63,
        {"b": "0", "deadline": "good", "cpu-used": "4", "row-mt": "1"},
    ),
    "ffv1": ("ffv1", "bgr0", 0, None, {}),
}
CODEC_ALIASES = {"h264": "libx264", "avc": "libx264", "vp9": "libvpx-vp9"}
CODECS_FOR_EXT = {
    ".mp4": ("libx264",),
    ".m4v": ("libx264",),
    ".mov": ("libx264", "ffv1"),
    ".mkv": ("libx264", "libvpx-vp9", "ffv1"),
    ".webm": ("libvpx-vp9",),
}
# when the next wanted frame is this many frames ahead, seek instead of decoding through
SEEK_MIN = 16
SEEK_GAP = 64
# show a progress bar when reading or writing more than this many pixels (frames x height x width;
# about a few seconds of work)
_PROGRESS_PIXELS = 150_000_000


def progress_bar(total: int, pixels: int, desc: str, iterable: Any = None) -> Any:
    from tqdm.auto import tqdm

    return tqdm(
        iterable,
        total=total,
        desc=desc,
        unit="frame",
        leave=False,
        disable=pixels < _PROGRESS_PIXELS,
    )


def _all_extensions(writing: bool) -> list[str]:
    exts = [*CONTAINERS, ".gif"] + ([] if writing else list(_READ_ONLY))
    return sorted(exts) + ["a folder (path ending in '/')"]


# --------------------------------------------------------------------------- paths and formats
def path_kind(path: PathLike, *, writing: bool) -> str:
    """'frames' for a frame folder, 'gif', or the extension of a container file."""
    text = os.fspath(path)
    if not text:
        raise VideoError("the video path is empty")
    p = Path(text)
    if text.endswith(("/", os.sep)) or (p.is_dir() and not writing):
        return "frames"
    ext = p.suffix.lower()
    if ext == ".gif":
        return "gif"
    if ext in CONTAINERS or (not writing and ext in _READ_ONLY):
        return ext
    if p.is_dir():  # writing to an existing folder without a video extension: frames
        return "frames"
    what = f"extension {ext!r}" if ext else "no extension"
    raise VideoError(
        f"cannot {'write' if writing else 'read'} {text!r}: {what}; expected one of "
        f"{', '.join(_all_extensions(writing))}"
    )


def check_path(path: Any) -> str:
    """The path as text; an empty path (which would mean the current folder) is refused."""
    if not isinstance(path, (str, os.PathLike)):
        raise VideoTypeError(
            f"a video path must be a str or os.PathLike, got {type(path).__name__}"
        )
    text = os.fspath(path)
    if isinstance(text, bytes):
        text = os.fsdecode(text)
    if not text.strip():
        raise VideoError(
            f"the video path is empty ({text!r}); give a file such as 'clip.mp4' or a frame "
            "folder such as 'frames/'"
        )
    return text


def ffmpeg_message(exc: BaseException) -> str:
    msg = getattr(exc, "strerror", None) or str(exc)
    return str(msg).strip()


# --------------------------------------------------------------------------- metadata tag
def _not_json(obj: Any) -> str:
    warnings.warn(
        f"video metadata value {obj!r} of type {type(obj).__name__} is not JSON; stored as its repr",
        stacklevel=5,
    )
    return repr(obj)


def make_tag(video: Video, fps: float) -> str:
    try:
        return json.dumps(
            jsonable(
                {
                    "fps": fps,
                    "num_frames": video.num_frames,
                    "height": video.height,
                    "width": video.width,
                    "metadata": video.metadata,
                    **(
                        {
                            "audio": {
                                "sample_rate": video.sample_rate,
                                "channels": int(video.audio.shape[0]),
                                "samples": int(video.audio.shape[1]),
                            }
                        }
                        if video.has_audio
                        else {}
                    ),
                },
                other=_not_json,
            )
        )
    except (ValueError, RecursionError) as exc:  # "Circular reference detected"
        raise VideoError(
            f"video.metadata cannot be stored as JSON ({exc}): a value refers back to itself; "
            "give the video metadata without the cycle (vk.Video(v.frames, v.fps, metadata=...))"
        ) from None


def parse_tag(text: Any, where: str) -> dict[str, Any] | None:
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    try:
        tag = json.loads(text)
    except (TypeError, ValueError):
        warnings.warn(f"ignoring an unreadable vidkit tag in {where}", stacklevel=4)
        return None
    return tag if isinstance(tag, dict) else None


def fps_fraction(fps: float) -> Fraction:
    return Fraction(fps).limit_denominator(100_000)


def check_fps_arg(fps: Any, what: str = "fps") -> float:
    return check_fps(fps, what)


# the stored frame rate is a fraction with a denominator up to 100000 (fps_fraction); FFmpeg
# time bases are 32-bit, so rates beyond a million frames per second do not round-trip
MIN_WRITE_FPS = 1e-5
MAX_WRITE_FPS = 1e6


def check_write_fps(fps: Any) -> float:
    value = check_fps(fps, "fps")
    if not MIN_WRITE_FPS <= value <= MAX_WRITE_FPS:
        raise VideoError(
            f"fps={fps!r} cannot be stored in a video file: the frame rate must be between "
            f"{MIN_WRITE_FPS:g} and {MAX_WRITE_FPS:g} frames per second"
        )
    return value


# --------------------------------------------------------------------------- frame selection
def _resolve_frames(frames: Any, count: int, where: str) -> np.ndarray:
    """Turn ``frames=`` into an int64 array of indices in ``[0, count)`` (requested order)."""
    if frames is None:
        return np.arange(count, dtype=np.int64)
    if isinstance(frames, (bool, np.bool_)):
        raise VideoTypeError(
            f"frames must be None, an int, a slice or a list of ints, got {frames!r}"
        )
    if isinstance(frames, (int, np.integer)):
        n = int(frames)
        if n < 1:
            raise VideoError(f"frames={n}: the number of frames to read must be >= 1")
        if n > count:
            raise VideoError(f"frames={n} asks for more frames than {where} has ({count})")
        return np.arange(n, dtype=np.int64)
    if isinstance(frames, slice):
        sel = range(count)[frames]  # lazy: only the selected indices are allocated
        idx = np.arange(sel.start, sel.stop, sel.step, dtype=np.int64)
        if idx.size == 0:
            raise VideoError(f"frames={frames!r} selects no frames of {where} ({count} frames)")
        return idx
    if isinstance(frames, range):
        frames = list(frames)
    if isinstance(frames, (str, bytes)) or not isinstance(frames, (Sequence, np.ndarray)):
        raise VideoTypeError(
            f"frames must be None, an int, a slice or a list of ints, got {type(frames).__name__}"
        )
    idx = np.asarray(frames)
    if idx.ndim != 1:
        raise VideoError(f"frame indices must be a flat list, got shape {idx.shape}")
    if idx.size == 0:
        raise VideoError("frames=[] selects no frames")
    if idx.dtype == np.bool_ or not np.issubdtype(idx.dtype, np.integer):
        raise VideoTypeError(
            f"frame indices must be integers, got {idx.dtype} values {idx[:5].tolist()}"
        )
    idx = idx.astype(np.int64)
    bad = idx[(idx >= count) | (idx < -count)]
    if bad.size:
        raise VideoError(
            f"frame indices {bad[:8].tolist()} out of range for {where} with {count} frames "
            f"(valid: 0..{count - 1}, or -{count}..-1 from the end)"
        )
    return np.where(idx < 0, idx + count, idx)


def _selected_count(frames: Any, count: int) -> int:
    """How many frames ``frames=`` selects out of ``count``, without allocating (an upper bound
    for forms that are checked later)."""
    if frames is None:
        return count
    if isinstance(frames, (int, np.integer)) and not isinstance(frames, (bool, np.bool_)):
        return min(max(int(frames), 0), count)
    if isinstance(frames, slice):
        return len(range(count)[frames])
    try:
        return len(frames)
    except TypeError:
        return count


def source_indices(
    frames: Any,
    count: int,
    file_fps: float,
    fps: float | None,
    where: str,
    size: tuple[int, int] | None = None,
) -> np.ndarray:
    """File frame indices to read, after optional resampling to ``fps`` (as Video.resample).

    With ``size`` (the frame height and width), refuses up front (``SizeLimitError``) a read
    whose frames would exceed the size limit, before any index or frame is allocated.
    """
    out_count = count if fps is None else fps_frame_count(count, file_fps, fps)
    if size is not None and size[0] > 0 and size[1] > 0:
        n = _selected_count(frames, out_count)
        how = f"reading {where}" + ("" if fps is None else f" at fps={fps:g}")
        check_size(
            float(n) * (size[0] * size[1] * 15 + 64), f"{how} ({n} frames of {size[0]}x{size[1]})"
        )
    if fps is None:
        return _resolve_frames(frames, count, where)
    check_size(
        8.0 * _selected_count(frames, out_count), f"the frame index of {where} at {fps:g} fps"
    )
    pos = _resolve_frames(frames, out_count, f"{where} at {fps:g} fps")
    return fps_source_frames(pos, count, file_fps, fps)


# --------------------------------------------------------------------------- containers (PyAV)
