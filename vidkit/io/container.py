"""Container files (mp4, m4v, mov, mkv, webm, avi) through PyAV: opening, decoding with seeks,
writing.

Example:
    >>> import numpy as np, vidkit as vk
    >>> from vidkit.io.container import container_tag, open_input
    >>> path = vk.write_video("/tmp/vidkit_container_doc.mkv", vk.Video(np.zeros((4, 8, 8, 3)), fps=5))
    >>> with open_input(path) as container:
    ...     tag = container_tag(container, path)
    >>> tag["num_frames"], tag["fps"]
    (4, 5.0)
"""

import math
import warnings
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from vidkit.errors import VideoError
from vidkit.io.audio import add_audio_stream, encode_audio, read_audio
from vidkit.io.formats import (
    CODEC_ALIASES,
    CODECS,
    CODECS_FOR_EXT,
    CONTAINERS,
    MAX_WRITE_FPS,
    MIN_WRITE_FPS,
    SEEK_GAP,
    SEEK_MIN,
    TAG,
    Decoded,
    ffmpeg_message,
    fps_fraction,
    make_tag,
    parse_tag,
    progress_bar,
    source_indices,
)
from vidkit.video import (
    DEFAULT_FPS,
    Video,
)


def open_input(path: Path) -> Any:
    import av

    try:
        container = av.open(str(path), mode="r", metadata_errors="replace")
    except av.error.EOFError:
        raise VideoError(
            f"cannot read {str(path)!r}: the file ends before any video data (empty or truncated)"
        ) from None
    except av.error.FileNotFoundError:  # removed since it was found (e.g. a store item replaced)
        raise FileNotFoundError(f"no video at {str(path)!r}") from None
    except av.error.FFmpegError as exc:
        raise VideoError(
            f"cannot read {str(path)!r}: not a readable video file ({ffmpeg_message(exc)})"
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


def container_tag(container: Any, path: Path) -> dict[str, Any] | None:
    for key, value in container.metadata.items():
        if key.lower() == TAG:
            return parse_tag(value, str(path))
    return None


def stream_rate(stream: Any) -> Fraction | None:
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
    rate = stream_rate(stream)
    duration = container.duration
    if not rate or not duration or duration <= 0:
        return False
    expected = duration / 1_000_000 * float(rate)
    return abs(n - expected) <= 0.5 + 0.002 * float(rate)


def container_count(
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
        raise VideoError(f"cannot read {str(path)!r}: {ffmpeg_message(exc)}") from None


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
        if k - runs[-1][-1] > SEEK_GAP:
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
    rate = stream_rate(stream)
    can_seek = rate is not None and stream.time_base is not None and count > SEEK_MIN
    results: list[np.ndarray | None] = [None] * len(want)
    slot_of = {int(k): i for i, k in enumerate(want)}

    cc = stream.codec_context
    pixels = len(want) * (cc.height or 0) * (cc.width or 0)

    def collect(frames: Iterator[tuple[int, Any]], run: np.ndarray) -> None:
        last = int(run[-1])
        todo = set(run.tolist())
        k = -1
        with progress_bar(len(run), pixels, f"reading {path.name}") as bar:
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
                if i == 0 and run[0] < SEEK_MIN:
                    collect(_decode_sequential(container, stream, rewind=False), run)
                else:
                    collect(_decode_from(container, stream, int(run[0]), rate), run)
        except _SeekFailed:
            results[:] = [None] * len(want)
            collect(_decode_sequential(container, stream, rewind=True), want)
    except av.error.FFmpegError as exc:
        raise VideoError(
            f"cannot decode {str(path)!r}: the file is damaged ({ffmpeg_message(exc)})"
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


def read_container(
    path: Path, frames: Any, fps: float | None, audio: bool = False
) -> tuple[Decoded, tuple[np.ndarray, int] | None]:
    """The decoded frames, and the audio under them when ``audio`` (see :func:`read_video`)."""
    container = open_input(path)
    track = None
    try:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        tag = container_tag(container, path)
        count = container_count(path, stream, tag, container)
        if count == 0:
            raise VideoError(f"{str(path)!r} contains no video frames (an empty video)")
        rate = stream_rate(stream)
        file_fps = fps_of_tag(tag) or (float(rate) if rate else DEFAULT_FPS)
        cc = stream.codec_context
        size = (int(cc.height or 0), int(cc.width or 0))
        idx = source_indices(frames, count, file_fps, fps, repr(str(path)), size)
        want, inverse = np.unique(idx, return_inverse=True)
        frames_all = frames is None and fps is None
        arrays = _decode_container(path, container, stream, want, count, frames_all)
        if audio:
            track = _audio_for(read_audio(path, tag), idx, frames, fps, file_fps)
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


def fps_of_tag(tag: dict[str, Any] | None) -> float | None:
    if not tag:
        return None
    try:
        value = float(tag.get("fps"))
    except (TypeError, ValueError):
        return None
    # a tag is a hint: a rate no file can store (write_video's bounds) is ignored
    return value if MIN_WRITE_FPS <= value <= MAX_WRITE_FPS else None


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


def write_container(
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

    fmt, default_codec = CONTAINERS[ext]
    name = CODEC_ALIASES.get((codec or default_codec).lower(), (codec or default_codec).lower())
    if name not in CODECS:
        raise VideoError(
            f"unknown codec {codec!r}; expected one of {sorted(CODECS) + sorted(CODEC_ALIASES)}"
        )
    if name not in CODECS_FOR_EXT[ext]:
        raise VideoError(
            f"codec {codec!r} cannot be written to {ext} files; use {CODECS_FOR_EXT[ext]}"
        )
    encoder, pix_fmt, default_crf, max_crf, extra = CODECS[name]
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
        container.metadata[TAG] = make_tag(video, fps)
        rate = fps_fraction(fps)
        stream = container.add_stream(encoder, rate=rate)
        stream.width, stream.height, stream.pix_fmt = width, height, pix_fmt
        stream.options = opts
        audio_stream = add_audio_stream(container, ext, video) if video.has_audio else None
        yuv = pix_fmt.startswith("yuv")
        flags = _scaler_flags("write")
        reformatter = VideoReformatter()
        if yuv:  # tag BT.709 limited range, the web standard, and convert with the same matrix
            cc = stream.codec_context
            cc.colorspace, cc.color_primaries, cc.color_trc, cc.color_range = 1, 1, 1, 1
        bar = progress_bar(len(frames), frames.size // 3, f"writing {ext}", frames)
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
            encode_audio(container, audio_stream, video)
    finally:
        container.close()


# extension -> audio encoder muxed with the video; its sample rates (None: any)


def _rgb_to_frame(arr: np.ndarray) -> Any:
    import av

    return av.VideoFrame.from_ndarray(arr, format="rgb24")
