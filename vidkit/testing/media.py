"""Synthetic test videos (smooth content for codec round trips and I/O benchmarks).

Example:
    >>> from vidkit.testing.media import smooth_video
    >>> smooth_video(4, 16, 16).fps
    12.0
"""

from __future__ import annotations

from typing import Any


def smooth_video(t: int = 24, h: int = 48, w: int = 64, fps: float = 12.0) -> Any:
    """A smooth synthetic test video: moving colour gradients and a soft-edged ball.

    Smooth content is what video codecs keep well, so it is the reference input for codec round
    trips and I/O benchmarks (a hard-edged scene measures chroma subsampling instead).

    Example:
        >>> v = smooth_video(8, 32, 32)
        >>> v.shape
        (8, 32, 32, 3)
    """
    import numpy as np

    from vidkit.video import Video

    tt = np.arange(t)[:, None, None] / t
    y = np.arange(h)[None, :, None] / h
    x = np.arange(w)[None, None, :] / w
    r = 0.5 + 0.35 * np.sin(2 * np.pi * (x + tt))
    g = 0.5 + 0.35 * np.cos(2 * np.pi * (y - tt))
    b = 0.4 + 0.3 * x * y + 0 * tt
    frames = np.stack(np.broadcast_arrays(r, g, b), -1)
    d = np.sqrt((x - 0.2 - 0.6 * tt) ** 2 + (y - 0.5) ** 2)
    ball = np.clip((0.15 - d) * 12, 0, 1)[..., None]
    frames = frames * (1 - ball) + ball * np.array([0.9, 0.85, 0.2])
    return Video(frames.astype(np.float32), fps=fps, metadata={"scene": "smooth", "seed": 0})
