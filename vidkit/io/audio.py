"""Audio tracks in container files: choosing the encoder, encoding and decoding (PyAV).

Example:
    >>> import numpy as np, vidkit as vk
    >>> from pathlib import Path
    >>> from vidkit.io.audio import read_audio
    >>> tone = np.sin(np.linspace(0, 800, 16000, dtype=np.float32))[None]
    >>> v = vk.Video(np.zeros((8, 16, 16, 3)), fps=8).with_audio(tone, 16000)
    >>> path = vk.write_video("/tmp/vidkit_audio_doc.mp4", v)
    >>> samples, rate = read_audio(Path(path), None)
    >>> samples.shape[0], rate
    (1, 16000)
"""

import warnings
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from vidkit.errors import VideoError
from vidkit.io.formats import ffmpeg_message
from vidkit.video import (
    Video,
)

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


def add_audio_stream(container: Any, ext: str, video: Video) -> Any:
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


def encode_audio(container: Any, stream: Any, video: Video) -> None:
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


def read_audio(path: Path, tag: dict[str, Any] | None) -> tuple[np.ndarray, int] | None:
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
        warnings.warn(f"ignoring an unreadable audio track: {ffmpeg_message(exc)}", stacklevel=4)
        return None
    if not parts:
        return None
    samples = np.concatenate(parts, axis=1).astype(np.float32)
    n = info.get("samples")
    if isinstance(n, int) and 0 < n <= samples.shape[1]:
        samples = samples[:, :n]  # the encoder pads the last frame
    np.clip(samples, -1.0, 1.0, out=samples)  # lossy codecs overshoot a little
    return np.ascontiguousarray(samples), rate
