"""Masks -> Tracks for the model-based trackers: the input check and the per-frame mask statistics.

A promptable video segmentation model (:class:`~vidkit.probes.model_trackers_sam.Sam2VideoTracker`)
gives one mask per object and frame; :func:`tracks_from_masks` (and :class:`MaskStats`, frame by
frame) turns such masks into the same :class:`~vidkit.probes.tracking.Tracks` as the classical
tracker (x = column, y = row, pixel centres at integer coordinates), so every probe reads them.
:func:`tracker_video` is the input check every model tracker shares.

Example:
    >>> import numpy as np, vidkit as vk
    >>> from vidkit.probes.model_trackers_masks import tracks_from_masks
    >>> m = np.zeros((1, 4, 16, 16), bool)
    >>> m[0, :, 2:6, 3:7] = True
    >>> tracks_from_masks(m, vk.Video(np.zeros((4, 16, 16, 3)), fps=8)).centers[0, 0].tolist()
    [4.5, 3.5]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from vidkit.probes.tracking import MIN_FRAMES, Tracks, temporal_median
from vidkit.video import Video, as_video

__all__ = ["MaskStats", "tracker_video", "tracks_from_masks"]


# --------------------------------------------------------------------------- inputs
def tracker_video(video: Any) -> Video:
    """The Video a model tracker reads: a Video, a ``[T, H, W, 3]`` array or a vk.synth Scene.

    Raises a TypeError for anything else and a ValueError for a clip shorter than
    :data:`~vidkit.probes.tracking.MIN_FRAMES` frames.

    Example:
        >>> import numpy as np
        >>> tracker_video(np.zeros((4, 8, 8, 3))).shape
        (4, 8, 8, 3)
    """
    if isinstance(video, Video):
        v = video
    elif isinstance(video, np.ndarray) or type(video).__module__.startswith("torch"):
        v = as_video(video)
    elif hasattr(video, "video") and isinstance(video.video, Video):  # a vk.synth Scene
        v = video.video
    else:
        raise TypeError(
            f"expected a vidkit Video (or a [T, H, W, 3] array), got {type(video).__name__}"
        )
    if v.num_frames < MIN_FRAMES:
        raise ValueError(
            f"the video has {v.num_frames} frames; tracking and the physics probes need at least "
            f"{MIN_FRAMES}"
        )
    return v


# --------------------------------------------------------------------------- masks -> Tracks
class MaskStats:
    """Per-frame accumulator: the masks of ``n`` objects in one frame -> their Tracks fields.

    Masks are coverage in [0, 1] (a bool mask is coverage 0 or 1) on the video's pixel grid. The
    centroid is the coverage-weighted mean pixel position (pixel centres at integer coordinates),
    the area the summed coverage, the colour the coverage-weighted mean colour of the frame.

    Example:
        >>> import numpy as np, vidkit as vk
        >>> v = vk.Video(np.zeros((4, 8, 8, 3)), fps=8)
        >>> acc = MaskStats(1, 4, 8, 8, min_area=2.0)
        >>> m = np.zeros((1, 8, 8), bool)
        >>> m[0, 2:4, 2:4] = True
        >>> for t in range(4):
        ...     acc.add(t, m, v.frames[t])
        >>> acc.tracks(v, fps=8).areas[0].tolist()
        [4.0, 4.0, 4.0, 4.0]
    """

    def __init__(self, n: int, T: int, H: int, W: int, min_area: float) -> None:
        self.n, self.T, self.H, self.W = n, T, H, W
        self.min_area = float(min_area)
        self.centers = np.full((n, T, 2), np.nan)
        self.areas = np.full((n, T), np.nan)
        self.colors = np.full((n, T, 3), np.nan)
        self.visible = np.zeros((n, T), bool)
        self.merged = np.zeros((n, T), bool)
        self.border = np.zeros((n, T), bool)
        self._xs = np.arange(W, dtype=np.float64)
        self._ys = np.arange(H, dtype=np.float64)

    def add(
        self, t: int, masks: np.ndarray, frame: np.ndarray, present: np.ndarray | None = None
    ) -> None:
        import cv2

        m = np.asarray(masks)
        if m.shape != (self.n, self.H, self.W):
            raise ValueError(
                f"frame {t}: expected masks of shape {(self.n, self.H, self.W)} (objects, H, W), "
                f"got {m.shape}"
            )
        a = m.astype(np.float32) if m.dtype == bool else np.clip(m, 0, 1).astype(np.float32)
        solid = a >= 0.5
        k3 = np.ones((3, 3), np.uint8)
        grown = [
            cv2.dilate(solid[i].astype(np.uint8), k3).astype(bool) if solid[i].any() else solid[i]
            for i in range(self.n)
        ]
        for i in range(self.n):
            ai = a[i]
            area = float(ai.sum(dtype=np.float64))
            if area < self.min_area or (present is not None and not present[i]):
                continue
            cx = float(ai.sum(axis=0, dtype=np.float64) @ self._xs / area)
            cy = float(ai.sum(axis=1, dtype=np.float64) @ self._ys / area)
            col = np.tensordot(ai, frame, axes=([0, 1], [0, 1])) / area
            s = solid[i]
            self.centers[i, t] = (cx, cy)
            self.areas[i, t] = area
            self.colors[i, t] = col
            self.visible[i, t] = True
            self.border[i, t] = bool(s[0].any() or s[-1].any() or s[:, 0].any() or s[:, -1].any())
            # touching (a 1-px gap or less) or overlapping another object's mask: occlusion,
            # contact; size and colour are unreliable there, as with the classical tracker
            self.merged[i, t] = any(
                j != i and bool((grown[i] & solid[j]).any()) for j in range(self.n)
            )

    def tracks(self, video: Video, fps: float) -> Tracks:
        stats = _frame_stats(video.frames)
        radii = np.sqrt(np.maximum(self.areas, 0) / np.pi)
        return Tracks(
            centers=self.centers,
            radii=radii,
            areas=self.areas,
            colors=self.colors,
            visible=self.visible,
            merged=self.merged,
            at_border=self.border,
            fps=float(fps),
            size=(self.H, self.W),
            **stats,
        )


def _frame_stats(frames: np.ndarray) -> dict[str, Any]:
    """Background, noise and frame-to-frame change of a video, as the classical tracker reports.

    ``frame_diff`` (mean absolute difference of consecutive frames) is what the stutter check
    reads; the others describe the video for the report.
    """
    T = frames.shape[0]
    frame_diff = np.mean(np.abs(np.diff(frames, axis=0)), axis=(1, 2, 3))
    # the background from at most 64 evenly spaced frames bounds the cost on long clips
    idx = np.unique(np.linspace(0, T - 1, min(T, 64)).round().astype(int))
    bg = temporal_median(frames[idx])
    resid = (frames[idx] - bg[None]).reshape(-1)
    step = max(1, resid.size // 40_000)
    sample = resid[::step]
    sigma = float(1.4826 * np.median(np.abs(sample - np.median(sample))))
    thr = max(0.06, 5 * sigma)
    change = np.empty(T - 1)
    for t in range(T - 1):
        d = np.abs(frames[t + 1] - frames[t]).max(axis=-1)
        change[t] = float(np.mean(d > thr))
    return {
        "background": bg,
        "noise": sigma,
        "threshold": float(max(0.06, 4 * sigma)),
        "gain": np.ones(T),
        "frame_change": change,
        "frame_diff": frame_diff,
    }


def tracks_from_masks(
    masks: Any,
    video: Video | np.ndarray,
    *,
    fps: float | None = None,
    min_area: float = 2.0,
) -> Tracks:
    """Turn per-object masks into :class:`~vidkit.probes.tracking.Tracks`.

    Args:
        masks: ``[n, T, H, W]`` bool masks or coverage in [0, 1], on the video's pixel grid (one
            mask per object and frame; an empty mask means not visible).
        video: the video the masks belong to (for colours and the frame statistics).
        fps: override the video's frame rate.
        min_area: a mask with less coverage (px) counts as not visible.

    Returns:
        Tracks with, per object and frame: the coverage-weighted centroid ``(x, y)`` (x = column,
        y = row, pixel centres at integer coordinates), area (summed coverage), radius
        ``sqrt(area / pi)``, mean colour under the mask, ``visible``, ``at_border`` (the mask
        reaches the first or last row or column) and ``merged`` (the mask touches or overlaps
        another object's mask).

    Example:
        >>> import numpy as np, vidkit as vk
        >>> v = vk.Video(np.zeros((4, 16, 16, 3)), fps=8)
        >>> m = np.zeros((1, 4, 16, 16), bool)
        >>> m[0, :, 4:8, 6:10] = True
        >>> tr = tracks_from_masks(m, v)
        >>> tr.centers[0, 0].tolist(), float(tr.areas[0, 0])
        ([7.5, 5.5], 16.0)
    """
    v = tracker_video(video)
    if type(masks).__module__.startswith("torch"):
        masks = masks.detach().cpu().numpy()
    m = np.asarray(masks)
    if m.ndim != 4:
        raise ValueError(
            f"masks must be [n, T, H, W] (objects, frames, rows, columns), got {m.shape}"
        )
    T, H, W = v.num_frames, v.height, v.width
    if m.shape[1:] != (T, H, W):
        raise ValueError(
            f"masks of shape {m.shape} do not fit the video ({T} frames of {H}x{W}); expected "
            f"({m.shape[0]}, {T}, {H}, {W})"
        )
    if not (m.dtype == bool or np.issubdtype(m.dtype, np.number)):
        raise TypeError(f"masks must be bool or numeric, got dtype {m.dtype}")
    if m.dtype != bool and (np.nanmin(m, initial=0) < 0 or np.nanmax(m, initial=0) > 1):
        raise ValueError("numeric masks must be coverage in [0, 1]")
    f = v.fps if fps is None else float(fps)
    if not np.isfinite(f) or f <= 0:
        raise ValueError(f"fps must be a positive number, got {fps!r}")
    acc = MaskStats(m.shape[0], T, H, W, min_area)
    for t in range(T):
        acc.add(t, m[:, t], v.frames[t])
    return acc.tracks(v, f)
