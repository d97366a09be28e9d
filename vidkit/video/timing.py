"""Frame rate changes: how many frames, and which source frames, a new fps gives."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from vidkit.errors import check_size

if TYPE_CHECKING:  # pragma: no cover
    pass


def fps_frame_count(num_frames: int, fps: float, new_fps: float) -> int:
    """How many frames a video of ``num_frames`` at ``fps`` has at ``new_fps`` (no allocation).

    Example:
        >>> fps_frame_count(8, 8.0, 16.0), fps_frame_count(8, 8.0, 3.0)
        (16, 3)
    """
    count = np.floor(num_frames / fps * new_fps + 1e-9)
    return max(1, int(count)) if np.isfinite(count) and count < 2**62 else 2**62


def fps_indices(num_frames: int, fps: float, new_fps: float) -> np.ndarray:
    """Source frame shown at each time ``k / new_fps`` of a video of ``num_frames`` at ``fps``.

    Sample and hold (``floor``): ties never alternate, unlike ``np.round`` (half to even), which
    turned 8 -> 16 fps into the uneven pattern 0, 0, 1, 2, 2, 2, 3, 4, ...
    """
    count = fps_frame_count(num_frames, fps, new_fps)
    check_size(8.0 * count, f"the frame index of {count} frames at {new_fps:g} fps")
    return fps_source_frames(np.arange(count), num_frames, fps, new_fps)


def fps_source_frames(
    positions: np.ndarray, num_frames: int, fps: float, new_fps: float
) -> np.ndarray:
    """Source frame of each output position ``k`` (time ``k / new_fps``), held (``floor``).

    Example:
        >>> fps_source_frames(np.arange(6), 3, 8.0, 16.0).tolist()
        [0, 0, 1, 1, 2, 2]
    """
    idx = np.floor(np.asarray(positions, dtype=np.int64) * (fps / new_fps) + 1e-6).astype(np.int64)
    return np.minimum(idx, num_frames - 1)
