"""Operations on Videos: :func:`as_video` (any form to a Video), :func:`concat`, :func:`psnr`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from vidkit.errors import VideoError, VideoTypeError

if TYPE_CHECKING:  # pragma: no cover
    pass
from vidkit.video.checks import DEFAULT_FPS, describe_array
from vidkit.video.core import Video
from vidkit.video.hooks import get_hook
from vidkit.video.tensors import is_pil, is_torch_tensor


def as_video(
    x: Any,
    *,
    layout: str | None = None,
    value_range: tuple[float, float] | None = None,
    fps: float | None = None,
) -> Video:
    """Convert one video in any supported form to a :class:`Video`.

    Accepts a Video (returned as is), a numpy array (``layout`` default THWC), a torch tensor
    (``layout`` default TCHW), a list of PIL images, or a path to a video file / frame folder.

    Example:
        >>> import torch, vidkit as vk
        >>> vk.as_video(torch.rand(4, 3, 8, 8)).shape
        (4, 8, 8, 3)
    """
    import os

    if isinstance(x, Video):
        return x
    if isinstance(x, (str, os.PathLike)):
        return get_hook("read")(x)
    f = DEFAULT_FPS if fps is None else fps
    if isinstance(x, np.ndarray):
        return Video.from_numpy(x, layout=layout or "THWC", value_range=value_range, fps=f)
    if is_torch_tensor(x):
        return Video.from_torch(x, layout=layout or "TCHW", value_range=value_range, fps=f)
    if isinstance(x, (list, tuple)) and x and is_pil(x[0]):
        return Video.from_pil(x, fps=f)
    raise VideoTypeError(
        f"cannot convert {describe_array(x)} to a Video; expected a Video, numpy array, torch tensor, "
        "list of PIL images or a path"
    )


def concat(videos: Sequence[Video]) -> Video:
    """Concatenate videos in time (same size; fps and metadata of the first).

    Example:
        >>> import numpy as np, torch, vidkit as vk
        >>> v = vk.Video(np.zeros((8, 32, 48, 3)), fps=8)
        >>> vk.concat([v, v]).num_frames == 2 * v.num_frames
        True
    """
    videos = list(videos)
    if not videos:
        raise VideoError("concat needs at least one video")
    for i, v in enumerate(videos):
        if not isinstance(v, Video):
            raise VideoTypeError(f"item {i} is {type(v).__name__}, expected a Video")
        if v.shape[1:] != videos[0].shape[1:]:
            raise VideoError(
                f"video {i} has frames {v.height}x{v.width}, video 0 has "
                f"{videos[0].height}x{videos[0].width}: resize before concatenating"
            )
    out = videos[0]._replace(np.concatenate([v.frames for v in videos], axis=0), audio=False)
    voiced = [v for v in videos if v.has_audio]
    if voiced:
        rate = voiced[0].sample_rate
        channels = max(v.audio.shape[0] for v in voiced)  # type: ignore[union-attr]
        if any(v.sample_rate != rate for v in voiced):
            raise VideoError(
                f"cannot concatenate audio tracks of different sample rates "
                f"{sorted({v.sample_rate for v in voiced})}; resample the audio first"
            )
        parts = []
        for v in videos:
            n = int(round(v.duration * rate))  # type: ignore[operator]
            part = np.zeros((channels, n), np.float32)
            if v.has_audio:
                src = v.audio[:, :n]  # type: ignore[index]
                part[:, : src.shape[1]] = src  # mono is broadcast to every channel
            parts.append(part)
        out._audio, out._sample_rate = np.concatenate(parts, axis=1), rate
    return out


def psnr(a: Video | np.ndarray, b: Video | np.ndarray) -> float:
    """Peak signal-to-noise ratio in dB between two same-shaped videos (or frames) in [0, 1].

    Identical inputs give ``inf``.

    Example:
        >>> import numpy as np, torch, vidkit as vk
        >>> v = vk.Video(np.zeros((8, 32, 48, 3)), fps=8)
        >>> vk.psnr(v, v), round(vk.psnr(v, vk.Video(v.frames + 0.1)), 1)
        (inf, 20.0)
    """
    fa = a.frames if isinstance(a, Video) else np.asarray(a, np.float32)
    fb = b.frames if isinstance(b, Video) else np.asarray(b, np.float32)
    if fa.shape != fb.shape:
        raise VideoError(f"psnr needs equal shapes, got {fa.shape} and {fb.shape}")
    mse = float(np.mean((fa.astype(np.float64) - fb.astype(np.float64)) ** 2))
    return float("inf") if mse == 0 else float(10 * np.log10(1.0 / mse))
