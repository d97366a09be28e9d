"""Reading and writing videos: mp4 (H.264), webm (VP9), gif and PNG frame folders.

PyAV (FFmpeg's libraries, in process) is the engine for container files; Pillow writes and reads
GIF and PNG frames. Every function returns or takes a :class:`vidkit.Video`.

Formats, chosen by the path:

============================  =====================================================================
``*.mp4``, ``*.m4v``, ``*.mov``  H.264 (libx264), yuv420p, BT.709 tags, ``crf=18`` by default; AAC audio
``*.mkv``                      H.264 by default; ``codec="ffv1"`` gives a bit-exact lossless file
``*.webm``                     VP9 (libvpx-vp9), yuv420p, ``crf=30`` by default; Opus audio
``*.gif``                      256-colour palette per frame (lossy), timing exact to 10 ms
``folder/`` or a folder        PNG frames ``000000.png, 000001.png, ...`` (exact) + ``vidkit.json``
============================  =====================================================================

Reading also accepts ``*.avi`` and frame folders of ``.jpg`` files.

Rules worth knowing:

- **fps and metadata** are stored in the file: a JSON tag named ``vidkit`` in the container metadata
  (mp4/mov/mkv/webm), the GIF comment, or ``vidkit.json`` in a frame folder. The tag holds
  ``{"fps", "num_frames", "height", "width", "metadata"}``; :func:`read_video` restores ``fps``
  exactly and ``video.metadata`` as JSON gives it back (tuples become lists; numpy values become
  numbers and lists; other objects are stored as their ``repr`` with a warning). Files written by
  other tools read with their own frame rate and empty metadata.
- **Odd sizes**: yuv420p (mp4, webm) needs an even width and height, so odd frames are padded by
  repeating the last row/column; the true size is stored in the tag and :func:`read_video` crops it
  back. Other players show the one extra row/column.
- **Atomic writes**: a video is written to a hidden temporary file in the target folder and renamed
  over the final name only when complete, so an interrupted write never leaves a half file behind.
- **Partial reads**: ``frames=`` decodes only up to the last requested frame and converts only the
  requested frames; when the first requested frame is far in, it seeks to the keyframe before it and
  identifies frames by their timestamps (falling back to decoding from the start when timestamps
  do not identify frames, as in variable-frame-rate files).
- **Colour**: frames are written as BT.709 limited range (tagged, so players and other readers
  agree) with area-averaged chroma, and read with interpolated chroma and exact rounding, which
  keeps ~3 dB more PSNR than FFmpeg's default conversion (``benchmarks/bench_io.py``).
- **Audio**: a video with an audio track (:meth:`Video.with_audio`) is written with it: AAC in
  mp4/m4v/mov/mkv, Opus in webm (at the track's sample rate when the encoder takes it, else the
  next higher one; the tag keeps the original rate and length, so :func:`read_video` gives back
  the same rate and sample count). GIF and frame folders hold no audio (a warning says so).
  :func:`read_video` reads the audio track of any file that has one (``audio=False`` skips it).
- **Damaged files**: a full read of a file that ends before its header says returns the frames
  that decode, with a warning; asking for frames past the damage raises.

Example:
    >>> import numpy as np, vidkit as vk
    >>> v = vk.Video(np.random.rand(16, 32, 32, 3), fps=8, metadata={"seed": 0})
    >>> path = vk.write_video("/tmp/vidkit_doc.mp4", v)
    >>> w = vk.read_video(path, frames=slice(4, 8))
    >>> w.shape, w.fps, w.metadata
    ((4, 32, 32, 3), 8.0, {'seed': 0})
    >>> vk.probe_video(path)["frames"]
    16
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import shutil
import struct
import uuid
import warnings
from collections.abc import Iterator, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from vidkit.errors import VideoError, VideoTypeError, check_size
from vidkit.files import jsonable
from vidkit.video import (
    DEFAULT_FPS,
    Video,
    as_video,
    check_fps,
    fps_frame_count,
    fps_source_frames,
)

__all__ = ["read_video", "write_video", "probe_video", "use_bundled_ffmpeg"]

PathLike = str | os.PathLike
# what a reader returns: decoded uint8 images, which image each output frame is, fps, metadata
_Decoded = tuple[list[np.ndarray], np.ndarray, float, dict[str, Any]]

_TAG = "vidkit"
_SIDE_CAR = "vidkit.json"
_FRAME_RE = re.compile(r"^(\d+)\.(png|jpe?g)$", re.IGNORECASE)
# extension -> (FFmpeg muxer, default codec); ".gif" and frame folders are handled apart
_CONTAINERS: dict[str, tuple[str, str]] = {
    ".mp4": ("mp4", "libx264"),
    ".m4v": ("mp4", "libx264"),
    ".mov": ("mov", "libx264"),
    ".mkv": ("matroska", "libx264"),
    ".webm": ("webm", "libvpx-vp9"),
}
_READ_ONLY = (".avi",)
# codec -> (encoder, pixel format, default crf, largest crf (None: no crf), extra options)
_CODECS: dict[str, tuple[str, str, int, int | None, dict[str, str]]] = {
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
_CODEC_ALIASES = {"h264": "libx264", "avc": "libx264", "vp9": "libvpx-vp9"}
_CODECS_FOR_EXT = {
    ".mp4": ("libx264",),
    ".m4v": ("libx264",),
    ".mov": ("libx264", "ffv1"),
    ".mkv": ("libx264", "libvpx-vp9", "ffv1"),
    ".webm": ("libvpx-vp9",),
}
# when the next wanted frame is this many frames ahead, seek instead of decoding through
_SEEK_MIN = 16
_SEEK_GAP = 64
# show a progress bar when reading or writing more than this many pixels (frames x height x width;
# about a few seconds of work)
_PROGRESS_PIXELS = 150_000_000


def _progress(total: int, pixels: int, desc: str, iterable: Any = None) -> Any:
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
    exts = [*_CONTAINERS, ".gif"] + ([] if writing else list(_READ_ONLY))
    return sorted(exts) + ["a folder (path ending in '/')"]


# --------------------------------------------------------------------------- paths and formats
def _kind(path: PathLike, *, writing: bool) -> str:
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
    if ext in _CONTAINERS or (not writing and ext in _READ_ONLY):
        return ext
    if p.is_dir():  # writing to an existing folder without a video extension: frames
        return "frames"
    what = f"extension {ext!r}" if ext else "no extension"
    raise VideoError(
        f"cannot {'write' if writing else 'read'} {text!r}: {what}; expected one of "
        f"{', '.join(_all_extensions(writing))}"
    )


def _check_path(path: Any) -> str:
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


def _ffmpeg_message(exc: BaseException) -> str:
    msg = getattr(exc, "strerror", None) or str(exc)
    return str(msg).strip()


# --------------------------------------------------------------------------- metadata tag
def _not_json(obj: Any) -> str:
    warnings.warn(
        f"video metadata value {obj!r} of type {type(obj).__name__} is not JSON; stored as its repr",
        stacklevel=5,
    )
    return repr(obj)


def _make_tag(video: Video, fps: float) -> str:
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


def _parse_tag(text: Any, where: str) -> dict[str, Any] | None:
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    try:
        tag = json.loads(text)
    except (TypeError, ValueError):
        warnings.warn(f"ignoring an unreadable vidkit tag in {where}", stacklevel=4)
        return None
    return tag if isinstance(tag, dict) else None


def _fps_fraction(fps: float) -> Fraction:
    return Fraction(fps).limit_denominator(100_000)


def _check_fps(fps: Any, what: str = "fps") -> float:
    return check_fps(fps, what)


# the stored frame rate is a fraction with a denominator up to 100000 (_fps_fraction); FFmpeg
# time bases are 32-bit, so rates beyond a million frames per second do not round-trip
_MIN_WRITE_FPS = 1e-5
_MAX_WRITE_FPS = 1e6


def _check_write_fps(fps: Any) -> float:
    value = check_fps(fps, "fps")
    if not _MIN_WRITE_FPS <= value <= _MAX_WRITE_FPS:
        raise VideoError(
            f"fps={fps!r} cannot be stored in a video file: the frame rate must be between "
            f"{_MIN_WRITE_FPS:g} and {_MAX_WRITE_FPS:g} frames per second"
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


def _source_indices(
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
def _open_input(path: Path) -> Any:
    import av

    try:
        container = av.open(str(path), mode="r", metadata_errors="replace")
    except av.error.EOFError:
        raise VideoError(
            f"cannot read {str(path)!r}: the file ends before any video data (empty or truncated)"
        ) from None
    except av.error.FFmpegError as exc:
        raise VideoError(
            f"cannot read {str(path)!r}: not a readable video file ({_ffmpeg_message(exc)})"
        ) from None
    if not container.streams.video:
        kinds = sorted({s.type for s in container.streams})
        container.close()
        if not kinds:
            raise VideoError(
                f"{str(path)!r} has no streams at all: an empty video (no frames were written)"
            )
        raise VideoError(
            f"{str(path)!r} has no video stream (streams found: {', '.join(kinds)}); "
            "expected a video file"
        )
    if container.streams.video[0].codec_context is None:
        name = getattr(getattr(container.streams.video[0], "codec", None), "name", "unknown")
        container.close()
        raise VideoError(
            f"cannot read {str(path)!r}: no decoder for its video stream (codec {name!r}); the "
            "file is damaged or uses a codec this FFmpeg build lacks"
        )
    return container


def _container_tag(container: Any, path: Path) -> dict[str, Any] | None:
    for key, value in container.metadata.items():
        if key.lower() == _TAG:
            return _parse_tag(value, str(path))
    return None


def _stream_rate(stream: Any) -> Fraction | None:
    for name in ("average_rate", "guessed_rate", "base_rate"):
        rate = getattr(stream, name, None)
        if rate:
            return Fraction(rate)
    return None


def _count_packets(path: Path) -> int:
    """Number of video packets, by demuxing only (no decoding)."""
    import av

    n = 0
    with av.open(str(path), metadata_errors="replace") as c:
        for packet in c.demux(c.streams.video[0]):
            if packet.size:
                n += 1
    return n


def _tag_count_plausible(path: Path, container: Any, stream: Any, n: int) -> bool:
    """Whether a tag's ``num_frames`` agrees with what the file itself says.

    The tag is a hint, never an allocation size: it must not exceed the file's size in bytes
    (every frame is at least one byte of packet) and must match the container's duration times
    the stream's frame rate within half a frame (plus 2 ms: Matroska times are in milliseconds).
    """
    if n < 1 or n > path.stat().st_size:
        return False
    rate = _stream_rate(stream)
    duration = container.duration
    if not rate or not duration or duration <= 0:
        return False
    expected = duration / 1_000_000 * float(rate)
    return abs(n - expected) <= 0.5 + 0.002 * float(rate)


def _container_count(
    path: Path, stream: Any, tag: dict[str, Any] | None, container: Any = None
) -> int:
    if stream.frames and stream.frames > 0:
        return int(stream.frames)
    hint = tag.get("num_frames") if tag else None
    if (
        container is not None
        and isinstance(hint, int)
        and not isinstance(hint, bool)
        and _tag_count_plausible(path, container, stream, hint)
    ):
        return hint
    import av

    try:
        return _count_packets(path)
    except av.error.FFmpegError as exc:
        raise VideoError(f"cannot read {str(path)!r}: {_ffmpeg_message(exc)}") from None


class _SeekFailed(Exception):
    """Timestamps do not identify frames (variable frame rate, missing pts, inexact seek)."""


def _scaler_flags(kind: str) -> Any:
    """swscale flags for the YUV <-> RGB conversions.

    Reading: interpolated chroma with exact rounding. swscale's default replicates chroma
    samples; interpolating them gives 3 to 9 dB more PSNR on a yuv420p round trip (2-3 dB
    through H.264), for ~1.4 ms per 256x256 frame (benchmarks/bench_io.py).
    Writing: area-averaged chroma, 1-2 dB better than the default on saturated edges.
    """
    from av.video.reformatter import Interpolation as I

    if kind == "read":
        return I.BILINEAR | I.ACCURATE_RND | I.FULL_CHR_H_INT
    return I.AREA | I.ACCURATE_RND | I.FULL_CHR_H_INP


def _frame_to_rgb(frame: Any, reformatter: Any) -> np.ndarray:
    """Convert one decoded frame to uint8 RGB ``[H, W, 3]`` (only requested frames get here).

    One reformatter serves a whole read: it keeps its swscale context between frames (building
    one per frame costs more than decoding).
    """
    rgb = reformatter.reformat(frame, format="rgb24", interpolation=_scaler_flags("read"))
    return rgb.to_ndarray()


def _decode_sequential(container: Any, stream: Any, rewind: bool) -> Iterator[tuple[int, Any]]:
    if rewind:
        container.seek(0)
    yield from enumerate(container.decode(stream))


def _decode_from(
    container: Any, stream: Any, target: int, rate: Fraction
) -> Iterator[tuple[int, Any]]:
    """Seek to the keyframe at or before frame ``target``; yield (pts-based index, frame)."""
    tb = stream.time_base
    start = stream.start_time or 0
    ts = start + math.floor(Fraction(target) / rate / tb)
    container.seek(ts, backward=True, any_frame=False, stream=stream)
    first = True
    for frame in container.decode(stream):
        if frame.pts is None:
            raise _SeekFailed
        pos = (frame.pts - start) * tb * rate
        k = round(pos)
        if abs(pos - k) > 0.25 or (first and k > target):
            raise _SeekFailed
        first = False
        yield k, frame


def _plan_runs(want: np.ndarray) -> list[np.ndarray]:
    """Split sorted unique indices into runs decoded contiguously (a seek starts each run)."""
    runs: list[list[int]] = [[int(want[0])]]
    for k in want[1:]:
        if k - runs[-1][-1] > _SEEK_GAP:
            runs.append([int(k)])
        else:
            runs[-1].append(int(k))
    return [np.asarray(r) for r in runs]


class _EndedEarly(Exception):
    """The stream ended before a wanted frame (its header promised more frames)."""

    def __init__(self, last: int, missing: list[int]) -> None:
        super().__init__(last, missing)
        self.last, self.missing = last, missing


def _decode_container(
    path: Path, container: Any, stream: Any, want: np.ndarray, count: int, frames_all: bool
) -> list[np.ndarray]:
    """Decode frames ``want`` (sorted, unique) and return their RGB arrays in that order.

    Raises _EndedEarly (with the frames decoded so far in ``results``) when the stream ends first.
    """
    import av
    from av.video.reformatter import VideoReformatter

    reformatter = VideoReformatter()
    rate = _stream_rate(stream)
    can_seek = rate is not None and stream.time_base is not None and count > _SEEK_MIN
    results: list[np.ndarray | None] = [None] * len(want)
    slot_of = {int(k): i for i, k in enumerate(want)}

    cc = stream.codec_context
    pixels = len(want) * (cc.height or 0) * (cc.width or 0)

    def collect(frames: Iterator[tuple[int, Any]], run: np.ndarray) -> None:
        last = int(run[-1])
        todo = set(run.tolist())
        k = -1
        with _progress(len(run), pixels, f"reading {path.name}") as bar:
            for k, frame in frames:
                if k in todo:
                    results[slot_of[k]] = _frame_to_rgb(frame, reformatter)
                    todo.discard(k)
                    bar.update()
                if k >= last:
                    break
        if todo:
            raise _EndedEarly(k, sorted(todo))

    try:
        try:
            if not can_seek:
                raise _SeekFailed
            for i, run in enumerate(_plan_runs(want)):
                if i == 0 and run[0] < _SEEK_MIN:
                    collect(_decode_sequential(container, stream, rewind=False), run)
                else:
                    collect(_decode_from(container, stream, int(run[0]), rate), run)
        except _SeekFailed:
            results[:] = [None] * len(want)
            collect(_decode_sequential(container, stream, rewind=True), want)
    except av.error.FFmpegError as exc:
        raise VideoError(
            f"cannot decode {str(path)!r}: the file is damaged ({_ffmpeg_message(exc)})"
        ) from None
    except _EndedEarly as end:
        if frames_all and end.last >= 0 and all(r is not None for r in results[: end.last + 1]):
            # a full read of a file whose header over-counts (truncated copy, edit lists):
            # return what decodes, loudly
            warnings.warn(
                f"{str(path)!r} reports {count} frames but only {end.last + 1} decode; "
                f"returning {end.last + 1}",
                stacklevel=4,
            )
            return results[: end.last + 1]  # type: ignore[return-value]
        raise VideoError(
            f"{str(path)!r} ended after frame {end.last} although it reports {count} frames; "
            f"frames {end.missing[:8]} could not be decoded"
        ) from None
    return results  # type: ignore[return-value]


def _read_container(
    path: Path, frames: Any, fps: float | None, audio: bool = False
) -> tuple[_Decoded, tuple[np.ndarray, int] | None]:
    """The decoded frames, and the audio under them when ``audio`` (see :func:`read_video`)."""
    container = _open_input(path)
    track = None
    try:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        tag = _container_tag(container, path)
        count = _container_count(path, stream, tag, container)
        if count == 0:
            raise VideoError(f"{str(path)!r} contains no video frames (an empty video)")
        rate = _stream_rate(stream)
        file_fps = _tag_fps(tag) or (float(rate) if rate else DEFAULT_FPS)
        cc = stream.codec_context
        size = (int(cc.height or 0), int(cc.width or 0))
        idx = _source_indices(frames, count, file_fps, fps, repr(str(path)), size)
        want, inverse = np.unique(idx, return_inverse=True)
        frames_all = frames is None and fps is None
        arrays = _decode_container(path, container, stream, want, count, frames_all)
        if audio:
            track = _audio_for(_read_audio(path, tag), idx, frames, fps, file_fps)
    finally:
        container.close()
    images = [_crop_to_tag(a, tag) for a in arrays]
    order = inverse.reshape(-1)[: len(images)] if frames_all else inverse.reshape(-1)
    return (images, order, file_fps, (tag or {}).get("metadata") or {}), track


def _audio_for(
    track: tuple[np.ndarray, int] | None,
    idx: np.ndarray,
    frames: Any,
    fps: float | None,
    file_fps: float,
) -> tuple[np.ndarray, int] | None:
    """The part of the audio track under the frames read: all of it for a full read (at any
    ``fps``), the span of a contiguous range of frames, nothing for other selections."""
    if track is None or frames is None:
        return track
    if fps is not None or len(idx) == 0 or not np.all(np.diff(idx) == 1):
        return None
    samples, rate = track
    a = int(round(int(idx[0]) / file_fps * rate))
    b = int(round((int(idx[-1]) + 1) / file_fps * rate))
    part = samples[:, a:b]
    return (np.ascontiguousarray(part), rate) if part.shape[1] else None


def _tag_fps(tag: dict[str, Any] | None) -> float | None:
    if not tag:
        return None
    try:
        value = float(tag.get("fps"))
    except (TypeError, ValueError):
        return None
    # a tag is a hint: a rate no file can store (write_video's bounds) is ignored
    return value if _MIN_WRITE_FPS <= value <= _MAX_WRITE_FPS else None


def _crop_to_tag(image: np.ndarray, tag: dict[str, Any] | None) -> np.ndarray:
    """Remove the padding added for yuv420p (the true size is in the tag)."""
    if not tag:
        return image
    h, w = tag.get("height"), tag.get("width")
    if (
        isinstance(h, int)
        and isinstance(w, int)
        and 0 < h <= image.shape[0]
        and 0 < w <= image.shape[1]
    ):
        return image[:h, :w]
    return image


def _write_container(
    tmp: Path,
    ext: str,
    video: Video,
    fps: float,
    codec: str | None,
    crf: int | None,
    options: dict[str, Any] | None,
) -> None:
    import av
    from av.video.reformatter import VideoReformatter

    fmt, default_codec = _CONTAINERS[ext]
    name = _CODEC_ALIASES.get((codec or default_codec).lower(), (codec or default_codec).lower())
    if name not in _CODECS:
        raise VideoError(
            f"unknown codec {codec!r}; expected one of {sorted(_CODECS) + sorted(_CODEC_ALIASES)}"
        )
    if name not in _CODECS_FOR_EXT[ext]:
        raise VideoError(
            f"codec {codec!r} cannot be written to {ext} files; use {_CODECS_FOR_EXT[ext]}"
        )
    encoder, pix_fmt, default_crf, max_crf, extra = _CODECS[name]
    opts = dict(extra)
    if crf is not None:
        if max_crf is None:
            raise VideoError(f"crf does not apply to the lossless codec {name!r}")
        if (
            isinstance(crf, bool)
            or not isinstance(crf, (int, np.integer))
            or not 0 <= crf <= max_crf
        ):
            raise VideoError(f"crf for {name} must be an int in 0..{max_crf}, got {crf!r}")
    if max_crf is not None:
        opts["crf"] = str(int(crf if crf is not None else default_crf))
    opts.update({str(k): str(v) for k, v in (options or {}).items()})

    frames = video.uint8
    if pix_fmt == "yuv420p" and (video.height % 2 or video.width % 2):
        pad = ((0, 0), (0, video.height % 2), (0, video.width % 2), (0, 0))
        frames = np.pad(frames, pad, mode="edge")
    height, width = frames.shape[1:3]

    container_options = (
        {"movflags": "+faststart+use_metadata_tags"} if fmt in ("mp4", "mov") else {}
    )
    container = av.open(str(tmp), mode="w", format=fmt, container_options=container_options)
    try:
        container.metadata[_TAG] = _make_tag(video, fps)
        rate = _fps_fraction(fps)
        stream = container.add_stream(encoder, rate=rate)
        stream.width, stream.height, stream.pix_fmt = width, height, pix_fmt
        stream.options = opts
        audio_stream = _add_audio_stream(container, ext, video) if video.has_audio else None
        yuv = pix_fmt.startswith("yuv")
        flags = _scaler_flags("write")
        reformatter = VideoReformatter()
        if yuv:  # tag BT.709 limited range, the web standard, and convert with the same matrix
            cc = stream.codec_context
            cc.colorspace, cc.color_primaries, cc.color_trc, cc.color_range = 1, 1, 1, 1
        bar = _progress(len(frames), frames.size // 3, f"writing {ext}", frames)
        for i, arr in enumerate(bar):
            frame = _rgb_to_frame(arr)
            if yuv:
                frame = reformatter.reformat(
                    frame,
                    format=pix_fmt,
                    dst_colorspace="ITU709",
                    dst_color_range="MPEG",
                    interpolation=flags,
                )
            frame.pts = i
            frame.time_base = 1 / rate
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
        bar.close()
        if audio_stream is not None:
            _encode_audio(container, audio_stream, video)
    finally:
        container.close()


# extension -> audio encoder muxed with the video; its sample rates (None: any)
_AUDIO_CODECS: dict[str, tuple[str, tuple[int, ...] | None]] = {
    ".mp4": ("aac", None),
    ".m4v": ("aac", None),
    ".mov": ("aac", None),
    ".mkv": ("aac", None),
    ".webm": ("libopus", (48000, 24000, 16000, 12000, 8000)),
}
_AAC_RATES = (96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000)


def _audio_encoder(ext: str) -> tuple[str, tuple[int, ...]]:
    """The audio encoder for ``ext`` that this FFmpeg build has (Opus, else Vorbis for webm)."""
    import av

    name, rates = _AUDIO_CODECS[ext]
    candidates = [name] + (["opus", "libvorbis", "vorbis"] if ext == ".webm" else [])
    for cand in candidates:
        try:
            codec = av.codec.Codec(cand, "w")
        except Exception:
            continue
        return cand, tuple(codec.audio_rates or ()) or (rates or _AAC_RATES)
    raise VideoError(f"this FFmpeg build has no audio encoder for {ext} files (tried {candidates})")


def _add_audio_stream(container: Any, ext: str, video: Video) -> Any:
    """An audio stream for ``video``'s track: its own sample rate when the encoder takes it, else
    the nearest higher rate the encoder has (the file's tag keeps the original for reading)."""
    encoder, rates = _audio_encoder(ext)
    sr = int(video.sample_rate)  # type: ignore[arg-type]
    rate = sr if sr in rates else min((r for r in rates if r >= sr), default=max(rates))
    stream = container.add_stream(encoder, rate=rate)
    channels = int(video.audio.shape[0])  # type: ignore[union-attr]
    stream.layout = {1: "mono", 2: "stereo"}.get(channels, f"{channels}c")
    if encoder in ("aac", "libopus", "opus"):
        stream.bit_rate = 64_000 * channels
    return stream


def _encode_audio(container: Any, stream: Any, video: Video) -> None:
    import av

    samples = np.ascontiguousarray(video.audio, dtype=np.float32)  # [channels, n]
    layout = stream.layout.name
    sr = int(video.sample_rate)  # type: ignore[arg-type]
    target = stream.codec_context
    resampler = av.AudioResampler(
        format=target.format.name, layout=layout, rate=target.rate, frame_size=target.frame_size
    )
    chunk = 1 << 14
    for start in range(0, samples.shape[1], chunk):
        frame = av.AudioFrame.from_ndarray(samples[:, start : start + chunk], "fltp", layout)
        frame.sample_rate = sr
        frame.pts = start
        frame.time_base = Fraction(1, sr)
        for out in resampler.resample(frame):
            for packet in stream.encode(out):
                container.mux(packet)
    for out in resampler.resample(None):
        for packet in stream.encode(out):
            container.mux(packet)
    for packet in stream.encode(None):
        container.mux(packet)


def _read_audio(path: Path, tag: dict[str, Any] | None) -> tuple[np.ndarray, int] | None:
    """The file's first audio track as (float32 ``[channels, n]`` in [-1, 1], sample rate), at the
    rate vidkit wrote it with (the tag) or the stream's own; None without an audio track."""
    import av

    with av.open(str(path), metadata_errors="replace") as container:
        if not container.streams.audio:
            return None
        return _decode_audio(container, container.streams.audio[0], tag)


def _decode_audio(
    container: Any, stream: Any, tag: dict[str, Any] | None
) -> tuple[np.ndarray, int] | None:
    import av

    info = (tag or {}).get("audio") if isinstance((tag or {}).get("audio"), dict) else {}
    want = info.get("sample_rate") if isinstance(info.get("sample_rate"), int) else None
    rate = want if want and want > 0 else int(stream.codec_context.sample_rate or 0)
    if rate <= 0:
        return None
    layout = stream.codec_context.layout.name if stream.codec_context.layout else "mono"
    resampler = av.AudioResampler(format="fltp", layout=layout, rate=rate)
    parts: list[np.ndarray] = []
    try:
        for frame in container.decode(stream):
            frame.pts = None  # the resampler follows the sample count, not the timestamps
            parts.extend(f.to_ndarray() for f in resampler.resample(frame))
        parts.extend(f.to_ndarray() for f in resampler.resample(None))
    except av.error.FFmpegError as exc:
        warnings.warn(f"ignoring an unreadable audio track: {_ffmpeg_message(exc)}", stacklevel=4)
        return None
    if not parts:
        return None
    samples = np.concatenate(parts, axis=1).astype(np.float32)
    n = info.get("samples")
    if isinstance(n, int) and 0 < n <= samples.shape[1]:
        samples = samples[:, :n]  # the encoder pads the last frame
    np.clip(samples, -1.0, 1.0, out=samples)  # lossy codecs overshoot a little
    return np.ascontiguousarray(samples), rate


def _rgb_to_frame(arr: np.ndarray) -> Any:
    import av

    return av.VideoFrame.from_ndarray(arr, format="rgb24")


# --------------------------------------------------------------------------- GIF (Pillow)
def _gif_open(path: Path) -> Any:
    from PIL import Image, UnidentifiedImageError

    try:
        im = Image.open(path)
        im.load()
    except Image.DecompressionBombError as exc:
        raise VideoError(f"cannot read {str(path)!r}: {exc}") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise VideoError(f"cannot read {str(path)!r}: not a readable GIF ({exc})") from None
    if im.format != "GIF":
        raise VideoError(f"{str(path)!r} is a {im.format} image, not a GIF")
    return im


# what Pillow raises on a damaged GIF (a truncated block, an index past the frames, bad LZW data)
_GIF_DAMAGE = (OSError, IndexError, ValueError, EOFError, SyntaxError, struct.error)


@contextlib.contextmanager
def _gif_damage(path: Path) -> Iterator[None]:
    """Turn Pillow's errors on a damaged GIF into a VideoError naming the file (vidkit's own
    errors, such as a refused size, pass through)."""
    try:
        yield
    except VideoError:
        raise
    except _GIF_DAMAGE as exc:
        raise VideoError(
            f"cannot decode {str(path)!r}: the GIF is damaged ({type(exc).__name__}: {exc})"
        ) from None


def _gif_durations(im: Any) -> list[int]:
    out = []
    for i in range(im.n_frames):
        im.seek(i)
        out.append(int(im.info.get("duration", 0) or 0))
    im.seek(0)
    return out


def _gif_tag_plausible(tag: dict[str, Any], fps: float, durations: list[int]) -> bool:
    """Whether a GIF's vidkit tag (``num_frames`` at ``fps``) agrees with the GIF's own timeline.

    The tag is a hint: vidkit writes ``num_frames`` frames at ``fps`` with delays rounded to 10 ms
    and merges identical neighbours, so the delays must add up to ``num_frames / fps`` (within
    10 ms) and there are no more GIF frames than tagged ones.
    """
    n = tag.get("num_frames")
    if not isinstance(n, int) or isinstance(n, bool) or n < len(durations):
        return False
    return abs(sum(durations) - n * 1000.0 / fps) <= 10.0


def _read_gif(path: Path, frames: Any, fps: float | None) -> _Decoded:
    im = _gif_open(path)
    try:
        tag = _parse_tag(im.info["comment"], str(path)) if "comment" in im.info else None
        durations = _gif_durations(im)
        # browsers show delays of <= 10 ms as 100 ms
        shown = [d if d > 10 else 100 for d in durations]
        tag_fps = _tag_fps(tag)
        if tag_fps and _gif_tag_plausible(tag, tag_fps, durations):
            # vidkit GIF: frames at k / fps; identical consecutive frames were merged by the encoder
            file_fps, count = tag_fps, int(tag["num_frames"])
            starts = np.concatenate([[0], np.cumsum(durations)[:-1]])
            times = (np.arange(count) + 0.5) * 1000.0 / file_fps
            gif_index = np.clip(
                np.searchsorted(starts, times, side="right") - 1, 0, len(durations) - 1
            )
        else:
            file_fps = 1000.0 / float(np.median(shown))
            count = len(durations)
            gif_index = np.arange(count)
        idx = _source_indices(frames, count, file_fps, fps, repr(str(path)), im.size[::-1])
        want, order = np.unique(gif_index[idx], return_inverse=True)
        images = []
        for g in want.tolist():
            im.seek(g)
            images.append(np.asarray(im.convert("RGB")))
    finally:
        im.close()
    return images, order.reshape(-1), file_fps, (tag or {}).get("metadata") or {}


def _write_gif(tmp: Path, video: Video, fps: float) -> None:
    from PIL import Image

    images = [
        Image.fromarray(f).quantize(256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
        for f in video.uint8
    ]
    # GIF delays are in 1/100 s: round the cumulative times so the timeline does not drift
    ends = np.round(np.arange(1, video.num_frames + 1) * 100.0 / fps).astype(int) * 10
    durations = np.diff(np.concatenate([[0], ends])).tolist()
    images[0].save(
        tmp,
        format="GIF",
        save_all=True,
        append_images=images[1:],
        duration=durations,
        loop=0,
        comment=_make_tag(video, fps),
    )


# --------------------------------------------------------------------------- PNG frame folders
def _frame_files(folder: Path) -> list[Path]:
    files = [p for p in folder.iterdir() if p.is_file() and _FRAME_RE.match(p.name)]
    return sorted(files, key=lambda p: int(_FRAME_RE.match(p.name).group(1)))  # type: ignore[union-attr]


def _read_frames(folder: Path, frames: Any, fps: float | None) -> _Decoded:
    from PIL import Image, UnidentifiedImageError

    files = _frame_files(folder)
    if not files:
        raise VideoError(
            f"folder {str(folder)!r} has no frame images; expected files named 000000.png, "
            "000001.png, ... (or .jpg)"
        )
    side = folder / _SIDE_CAR
    tag = _parse_tag(side.read_text(), str(side)) if side.is_file() else None
    file_fps = _tag_fps(tag) or DEFAULT_FPS
    try:
        with Image.open(files[0]) as im:
            size = im.size[::-1]
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise VideoError(f"cannot read frame image {str(files[0])!r}: {exc}") from None
    idx = _source_indices(frames, len(files), file_fps, fps, repr(str(folder)), size)
    want, order = np.unique(idx, return_inverse=True)
    images: list[np.ndarray] = []
    for k in want.tolist():
        try:
            with Image.open(files[k]) as im:
                images.append(np.asarray(im.convert("RGB")))
        except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
            raise VideoError(f"cannot read frame image {str(files[k])!r}: {exc}") from None
        if images[-1].shape != images[0].shape:
            raise VideoError(
                f"frame image {files[k].name} has size {images[-1].shape[:2]}, but "
                f"{files[want[0]].name} has {images[0].shape[:2]}: all frames must match"
            )
    return images, order.reshape(-1), file_fps, (tag or {}).get("metadata") or {}


def _write_frames(tmp: Path, video: Video, fps: float) -> None:
    from PIL import Image

    tmp.mkdir()
    digits = max(6, len(str(video.num_frames - 1)))
    for i, f in enumerate(video.uint8):
        Image.fromarray(f).save(tmp / f"{i:0{digits}d}.png", compress_level=1)
    (tmp / _SIDE_CAR).write_text(_make_tag(video, fps))


def _is_frame_folder(folder: Path) -> bool:
    return all(p.name == _SIDE_CAR or _FRAME_RE.match(p.name) for p in folder.iterdir())


# --------------------------------------------------------------------------- public API
def read_video(
    path: PathLike, frames: Any = None, *, fps: float | None = None, audio: bool = True
) -> Video:
    """Read a video file or PNG frame folder into a :class:`~vidkit.Video`.

    Args:
        path: an ``.mp4/.m4v/.mov/.mkv/.webm/.avi/.gif`` file, or a folder of frame images
            (``000000.png``, ...).
        frames: which frames: ``None`` (all), an int ``N`` (the first N), a ``slice``, or a list /
            array of indices (negative counts from the end; order and repeats kept). Only frames up
            to the last requested one are decoded; far-in frames are reached by seeking.
        fps: resample to this frame rate (nearest frames in time, like
            :meth:`Video.resample`); ``frames`` then indexes the resampled frames.
        audio: read the file's audio track too when it has one (default): ``video.audio``
            (float32 ``[channels, n]``) and ``video.sample_rate`` (the rate it was written with).
            A full read (at any ``fps``) keeps the whole track; a contiguous range of frames
            (``frames=N`` or ``frames=slice(a, b)``) keeps the audio under it; other selections
            read no audio. ``audio=False`` skips decoding it.

    Returns:
        A Video with the file's fps (exact for files vidkit wrote) and the metadata stored by
        :func:`write_video` (empty for other files).

    Raises:
        FileNotFoundError: no such file or folder.
        ValueError: (:class:`~vidkit.VideoError`) unknown extension, unreadable or damaged file,
            no video stream, no frames, frame indices out of range.

    Example:
        >>> import tempfile, numpy as np, vidkit as vk
        >>> path = vk.write_video(tempfile.mkdtemp() + "/clip.mp4",
        ...                       vk.Video(np.random.rand(24, 16, 16, 3), fps=16))
        >>> vk.read_video(path, frames=slice(10, 20)).num_frames
        10
        >>> v = vk.read_video(path, frames=slice(4, 20), fps=8)  # frames of the 8 fps video: 12
        >>> v.num_frames, v.fps, v.shape[1:]
        (8, 8.0, (16, 16, 3))
    """
    text = _check_path(path)
    p = Path(text).expanduser()
    if not p.exists():
        raise FileNotFoundError(f"no video at {text!r}")
    if fps is not None:
        fps = _check_fps(fps)
    kind = _kind(p if p.is_dir() else text, writing=False)
    track = None
    if kind == "frames":
        if not p.is_dir():
            raise FileNotFoundError(f"{text!r} is not a folder of frames")
        decoded = _read_frames(p, frames, fps)
    elif p.is_dir():
        raise VideoError(f"{text!r} is a folder; a {kind} file was expected")
    elif kind == "gif":
        with _gif_damage(p):
            decoded = _read_gif(p, frames, fps)
    else:
        if p.stat().st_size == 0:
            raise VideoError(f"cannot read {text!r}: the file is empty (0 bytes)")
        decoded, track = _read_container(p, frames, fps, audio=bool(audio))
    images, order, file_fps, meta = decoded
    if any(im.shape != images[0].shape for im in images):
        sizes = sorted({im.shape[:2] for im in images})
        raise VideoError(f"the frame size changes within {text!r}: {sizes}; read it in parts")
    if not isinstance(meta, dict):
        meta = {"metadata": meta}
    out = Video._from_uint8_frames(
        images, order, fps=fps if fps is not None else file_fps, metadata=meta
    )
    if track is not None:
        out = out.with_audio(*track)
    return out


def probe_video(path: PathLike) -> dict[str, Any]:
    """Describe a video without decoding its frames.

    Returns a dict with ``frames`` (count), ``fps``, ``size`` (``(height, width)``), ``height``,
    ``width``, ``duration`` (seconds), ``codec``, ``format``, ``pix_fmt``, ``bit_rate`` and the
    ``metadata`` stored by :func:`write_video`.

    Example:
        >>> import tempfile, numpy as np, vidkit as vk
        >>> path = vk.write_video(tempfile.mkdtemp() + "/clip.mp4",
        ...                       vk.Video(np.zeros((9, 48, 64, 3)), fps=8))
        >>> info = vk.probe_video(path)
        >>> info["frames"], info["fps"], info["size"]
        (9, 8.0, (48, 64))
    """
    text = _check_path(path)
    p = Path(text).expanduser()
    if not p.exists():
        raise FileNotFoundError(f"no video at {text!r}")
    kind = _kind(p if p.is_dir() else text, writing=False)
    info: dict[str, Any] = {"path": str(p), "pix_fmt": None, "bit_rate": None}
    if kind == "frames":
        from PIL import Image

        files = _frame_files(p)
        if not files:
            raise VideoError(f"folder {text!r} has no frame images (000000.png, ...)")
        side = p / _SIDE_CAR
        tag = _parse_tag(side.read_text(), str(side)) if side.is_file() else None
        with Image.open(files[0]) as im:
            width, height = im.size
            codec = im.format.lower() if im.format else "png"
        count, fps = len(files), _tag_fps(tag) or DEFAULT_FPS
        info.update(format="frames", codec=codec)
    elif p.is_dir():
        raise VideoError(f"{text!r} is a folder; a {kind} file was expected")
    elif kind == "gif":
        im = _gif_open(p)
        try:
            tag = _parse_tag(im.info["comment"], str(p)) if "comment" in im.info else None
            width, height = im.size
            with _gif_damage(p):
                raw = _gif_durations(im)
            durations = [d if d > 10 else 100 for d in raw]
        finally:
            im.close()
        if _tag_fps(tag) and _gif_tag_plausible(tag, _tag_fps(tag), raw):
            count, fps = int(tag["num_frames"]), _tag_fps(tag)
        else:
            count, fps = len(durations), 1000.0 / float(np.median(durations))
        info.update(format="gif", codec="gif", pix_fmt="pal8")
    else:
        if p.stat().st_size == 0:
            raise VideoError(f"cannot read {text!r}: the file is empty (0 bytes)")
        container = _open_input(p)
        try:
            stream = container.streams.video[0]
            tag = _container_tag(container, p)
            count = _container_count(p, stream, tag, container)
            rate = _stream_rate(stream)
            fps = _tag_fps(tag) or (float(rate) if rate else DEFAULT_FPS)
            cc = stream.codec_context
            height, width = cc.height, cc.width
            info.update(
                format=container.format.name,
                codec=cc.name,
                pix_fmt=cc.pix_fmt,
                bit_rate=cc.bit_rate or container.bit_rate or None,
            )
        finally:
            container.close()
    th, tw = (tag.get("height"), tag.get("width")) if tag else (None, None)
    if isinstance(th, int) and isinstance(tw, int) and 0 < th <= height and 0 < tw <= width:
        height, width = th, tw  # the tag's true size is a crop of the padded one, never larger
    info.update(
        frames=int(count),
        fps=float(fps),
        height=int(height),
        width=int(width),
        size=(int(height), int(width)),
        duration=count / fps,
        metadata=(tag or {}).get("metadata") or {},
    )
    return info


def write_video(
    path: PathLike,
    video: Any,
    fps: float | None = None,
    *,
    crf: int | None = None,
    codec: str | None = None,
    options: dict[str, Any] | None = None,
    overwrite: bool = True,
) -> Path:
    """Write a video atomically; the format follows the path (see the module docstring).

    Args:
        path: ``*.mp4`` (H.264), ``*.webm`` (VP9), ``*.gif``, ``*.mov``, ``*.mkv``, or a folder
            (path ending in ``/``) of PNG frames. Parent folders are created.
        video: a :class:`~vidkit.Video` (or anything :func:`vidkit.as_video` accepts).
        fps: frame rate to store (default: ``video.fps``).
        crf: quality for H.264 (0..51, default 18) or VP9 (0..63, default 30); lower is better.
        codec: ``"h264"``, ``"vp9"`` (``.webm``/``.mkv``) or ``"ffv1"`` (bit-exact lossless,
            ``.mkv``/``.mov``); default by extension.
        options: extra encoder options passed to FFmpeg, e.g. ``{"preset": "slow", "g": "16"}``.
        overwrite: replace an existing video (default); ``False`` raises ``FileExistsError``.

    Returns:
        The final path.

    Example:
        >>> import os, tempfile, numpy as np, vidkit as vk
        >>> d = tempfile.mkdtemp()
        >>> path = vk.write_video(os.path.join(d, "out", "clip.mp4"), vk.Video(np.zeros((4, 16, 16, 3))), crf=12)
        >>> path.relative_to(d), vk.probe_video(path)["frames"]
        (PosixPath('out/clip.mp4'), 4)
    """
    text = _check_path(path)
    kind = _kind(text, writing=True)
    video = as_video(video)
    fps = _check_write_fps(video.fps if fps is None else fps)
    final = Path(text).expanduser()
    if kind != "frames" and final.is_dir():
        raise IsADirectoryError(f"cannot write {text!r}: a folder of that name exists")
    if kind == "frames" and final.exists() and not final.is_dir():
        raise FileExistsError(f"cannot write frames to {text!r}: a file of that name exists")
    if final.exists() and not overwrite:
        raise FileExistsError(f"{text!r} exists; pass overwrite=True to replace it")
    if kind == "frames" and final.is_dir() and not _is_frame_folder(final):
        raise FileExistsError(
            f"refusing to replace folder {text!r}: it holds files other than frames and "
            f"{_SIDE_CAR}; choose an empty or new folder"
        )
    if kind not in ("frames", "gif"):
        if codec is not None and not isinstance(codec, str):
            raise VideoTypeError(f"codec must be a string such as 'h264', got {codec!r}")
    elif codec is not None or crf is not None or options:
        raise VideoError(f"codec, crf and options apply to mp4/webm/mov/mkv files, not to {text!r}")

    parent = final.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        blocker = next((a for a in [parent, *parent.parents] if a.is_file()), parent)
        raise NotADirectoryError(
            f"cannot write {text!r}: {str(blocker)!r} is a file, not a folder"
        ) from None
    except PermissionError:
        raise PermissionError(
            f"cannot write {text!r}: no permission to create folder {str(parent)!r}"
        ) from None
    if not os.access(parent, os.W_OK):
        raise PermissionError(f"cannot write {text!r}: no permission to write in {str(parent)!r}")

    if video.has_audio and kind in ("frames", "gif"):
        warnings.warn(
            f"{text!r}: {kind} files cannot hold audio; the audio track is not written (write an "
            ".mp4 or .webm to keep it)",
            stacklevel=2,
        )
    tmp = parent / f".{final.name or 'frames'}.{uuid.uuid4().hex[:8]}.tmp{final.suffix}"
    try:
        if kind == "frames":
            _write_frames(tmp, video, fps)
            _replace_folder(tmp, final)
        else:
            if kind == "gif":
                _write_gif(tmp, video, fps)
            else:
                _write_container(tmp, kind, video, fps, codec, crf, options)
            os.replace(tmp, final)
    except BaseException as exc:
        if tmp.is_dir():
            shutil.rmtree(tmp, ignore_errors=True)
        elif tmp.exists():
            tmp.unlink()
        if _is_ffmpeg_error(exc):
            raise VideoError(f"cannot write {text!r}: {_ffmpeg_message(exc)}") from None
        raise
    return final


def _is_ffmpeg_error(exc: BaseException) -> bool:
    try:
        import av
    except ImportError:  # pragma: no cover
        return False
    return isinstance(exc, av.error.FFmpegError)


def _replace_folder(tmp: Path, final: Path) -> None:
    """Move the finished frame folder ``tmp`` to ``final``, replacing an old frame folder."""
    old = None
    if final.exists():
        old = final.parent / f".{final.name}.{uuid.uuid4().hex[:8]}.old"
        os.replace(final, old)
    try:
        os.replace(tmp, final)
    except BaseException:
        if old is not None:
            os.replace(old, final)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def use_bundled_ffmpeg() -> str:
    """Point mediapy at imageio-ffmpeg's bundled ``ffmpeg`` program and return its path.

    vidkit itself reads and writes with PyAV and needs no ``ffmpeg`` program; this helper makes
    ``mediapy.read_video`` / ``mediapy.show_video`` work on machines without a system ffmpeg.

    Example:
        >>> import mediapy
        >>> import vidkit as vk
        >>> exe = vk.io.use_bundled_ffmpeg()
        >>> mediapy.video_is_available()
        True
    """
    import imageio_ffmpeg
    import mediapy

    exe = imageio_ffmpeg.get_ffmpeg_exe()
    mediapy.set_ffmpeg(exe)
    return exe
