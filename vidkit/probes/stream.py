"""Read a video in chunks at a working resolution, for probes on long or large clips.

:func:`open_frames` takes a :class:`vidkit.Video`, a ``[T, H, W, 3]`` array or the path of a
video file and returns a :class:`FrameSource`: the clip's size, frame rate and length, and
:meth:`FrameSource.chunks`, which yields float32 RGB frames in [0, 1] resized to the working size,
``chunk`` frames at a time. A file is decoded with PyAV one frame at a time and scaled by
swscale as it is decoded, so memory holds one chunk at the working size, never the whole clip at
full size.

Example:
    >>> import numpy as np, vidkit as vk
    >>> src = open_frames(vk.Video(np.zeros((10, 64, 96, 3), np.float32), fps=8), max_side=48)
    >>> src.size, src.work_size, [c.shape[0] for _, c in src.chunks(4)]
    ((64, 96), (32, 48), [4, 4, 2])
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from vidkit.video import Video, as_video

__all__ = ["FrameSource", "SERIAL_PX", "open_frames", "opencv_threads", "work_size"]


def work_size(size: tuple[int, int], max_side: int | None) -> tuple[int, int]:
    """The working ``(H, W)`` for frames of ``size``: the long side at most ``max_side`` (aspect
    kept, even sizes above 16 px), or ``size`` itself when it is small enough or ``max_side`` is
    None.

    Example:
        >>> work_size((1080, 1920), 384)
        (216, 384)
    """
    H, W = int(size[0]), int(size[1])
    if max_side is None or max(H, W) <= max_side:
        return H, W
    s = max_side / max(H, W)
    h = max(1, int(round(H * s)))
    w = max(1, int(round(W * s)))
    return h, w


@dataclass
class FrameSource:
    """A clip to read in chunks (see :func:`open_frames`).

    Attributes:
        size: ``(H, W)`` of the original frames.
        work_size: ``(h, w)`` the frames are resized to.
        fps: frames per second.
        num_frames: number of frames (for a file: the container's count, corrected once read).
        path: the file, or None for an in-memory video.
    """

    size: tuple[int, int]
    work_size: tuple[int, int]
    fps: float
    num_frames: int
    path: str | None = None
    _video: Video | None = None

    @property
    def scale(self) -> float:
        """Original pixels per working pixel (horizontal)."""
        return self.size[1] / self.work_size[1]

    def chunks(self, chunk: int = 32) -> Iterator[tuple[int, np.ndarray]]:
        """Yield ``(first_frame, frames[t, h, w, 3] float32 in [0, 1])`` at the working size."""
        import cv2

        if chunk < 1:
            raise ValueError(f"chunk must be >= 1 frame, got {chunk}")
        h, w = self.work_size
        if self._video is not None:
            fr = self._video.frames
            for a in range(0, fr.shape[0], chunk):
                part = np.asarray(fr[a : a + chunk], np.float32)
                if (h, w) != self.size:
                    part = np.stack(
                        [cv2.resize(f, (w, h), interpolation=cv2.INTER_AREA) for f in part]
                    )
                yield a, part
            return
        import av

        with av.open(str(self.path), mode="r", metadata_errors="replace") as container:
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            buf: list[np.ndarray] = []
            start = 0
            n = 0
            for frame in container.decode(stream):
                if (frame.height, frame.width) != (h, w):
                    rgb = frame.reformat(width=w, height=h, format="rgb24", interpolation="AREA")
                else:
                    rgb = frame.reformat(format="rgb24")
                buf.append(rgb.to_ndarray())
                n += 1
                if len(buf) == chunk:
                    yield start, np.stack(buf).astype(np.float32) * (1 / 255)
                    start += len(buf)
                    buf = []
            if buf:
                yield start, np.stack(buf).astype(np.float32) * (1 / 255)
            self.num_frames = n


def open_frames(
    video: Any, *, fps: float | None = None, max_side: int | None = None
) -> FrameSource:
    """A :class:`FrameSource` for a Video, an array, a ``vk.synth`` Scene or a video file path.

    Args:
        video: the clip (a path is read lazily, in chunks).
        fps: override the frame rate.
        max_side: the working size's long side (None: the original size).

    Example:
        >>> src = open_frames("clip.mp4", max_side=384)  # doctest: +SKIP
    """
    if hasattr(video, "video") and isinstance(video.video, Video):
        video = video.video  # a vk.synth Scene
    if isinstance(video, (str, os.PathLike)):
        p = Path(video)
        if not p.is_file():
            raise FileNotFoundError(f"no video file at {str(p)!r}")
        from vidkit.io import probe_video

        info = probe_video(p)
        if info.get("format") in ("gif", "frames"):  # small formats: read whole
            from vidkit.io import read_video

            return open_frames(read_video(p), fps=fps, max_side=max_side)
        H, W = int(info["height"]), int(info["width"])
        f = float(info["fps"]) if fps is None else float(fps)
        n = int(info.get("num_frames") or info.get("frames") or 0)
        src = FrameSource((H, W), work_size((H, W), max_side), f, n, str(p))
    elif (
        isinstance(video, Video)
        or isinstance(video, np.ndarray)
        or type(video).__module__.startswith("torch")
    ):
        v = video if isinstance(video, Video) else as_video(video)
        f = v.fps if fps is None else float(fps)
        H, W = v.frames.shape[1:3]
        src = FrameSource((H, W), work_size((H, W), max_side), f, v.num_frames, None, v)
    else:
        raise TypeError(
            "expected a vidkit Video, a [T, H, W, 3] array, a vk.synth Scene or the path of a "
            f"video file, got {type(video).__name__}"
        )
    if not np.isfinite(src.fps) or src.fps <= 0:
        raise ValueError(f"fps must be a positive number, got {src.fps!r}")
    return src


#: working frames of at most this many pixels run OpenCV on one thread: its thread pool's
#: hand-over costs more CPU than it saves on a frame this small (the full report of the bench
#: scene, paired runs on 2 cores: 0.95x the CPU at 64x64, 0.94x at 128x128, 1.0x at 256x256:
#: there a second thread may shorten the wall time) and OpenCV's results are the same on any
#: thread count (the report's hashes: hash.py, 88 clips)
SERIAL_PX = 128 * 128


@contextlib.contextmanager
def opencv_threads(pixels: int) -> Iterator[None]:
    """OpenCV on one thread while a clip of working frames of ``pixels`` px at most is
    analysed (SERIAL_PX); the caller's thread count is set back afterwards.

    Example:
        >>> import cv2
        >>> n = cv2.getNumThreads()
        >>> with opencv_threads(64 * 64):
        ...     inside = cv2.getNumThreads()
        >>> inside == min(n, 1) or n <= 1, cv2.getNumThreads() == n
        (True, True)
    """
    import cv2

    n = cv2.getNumThreads()
    serial = pixels <= SERIAL_PX and n > 1
    if serial:
        cv2.setNumThreads(1)
    try:
        yield
    finally:
        if serial:
            cv2.setNumThreads(n)
