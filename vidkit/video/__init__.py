"""The one video type of vidkit.

Convention, stated once: a :class:`Video` holds ``frames``, a float32 numpy array of shape
``[T, H, W, 3]`` with values in ``[0, 1]``, plus ``fps`` and a ``metadata`` dict. Every other form
(uint8 arrays, ``[T, C, H, W]`` arrays, torch tensors in ``[B, T, C, H, W]`` or ``[B, C, T, H, W]``,
values in ``[-1, 1]``, lists of PIL images, diffusers pipeline outputs) is converted at the edges, by
explicit functions that are told the layout and value range. Nothing is guessed silently: float
values outside the declared range raise a ``ValueError`` that says which range to declare.

Example:
    >>> import numpy as np, vidkit as vk
    >>> v = vk.Video(np.zeros((8, 32, 48, 3), np.float32), fps=8)
    >>> v.shape, v.duration
    ((8, 32, 48, 3), 1.0)
    >>> v.resize(16, 24).center_crop(16, 16).shape
    (8, 16, 16, 3)
"""

from __future__ import annotations

from vidkit.errors import ArgumentError as ArgumentError
from vidkit.errors import VideoError as VideoError
from vidkit.errors import VideoTypeError as VideoTypeError
from vidkit.errors import check_size as check_size
from vidkit.video.audio import MAX_AUDIO_CHANNELS as MAX_AUDIO_CHANNELS
from vidkit.video.audio import check_audio as check_audio
from vidkit.video.checks import DEFAULT_FPS as DEFAULT_FPS
from vidkit.video.checks import check_fps as check_fps
from vidkit.video.checks import describe_array as describe_array
from vidkit.video.core import Video as Video
from vidkit.video.core import stack as stack
from vidkit.video.core import unstack as unstack
from vidkit.video.hooks import HOOK_NAMES as HOOK_NAMES
from vidkit.video.hooks import set_hook as set_hook
from vidkit.video.ops import as_video as as_video
from vidkit.video.ops import concat as concat
from vidkit.video.ops import psnr as psnr
from vidkit.video.tensors import check_device as check_device
from vidkit.video.tensors import is_pil as is_pil
from vidkit.video.tensors import is_torch_tensor as is_torch_tensor
from vidkit.video.timing import fps_frame_count as fps_frame_count
from vidkit.video.timing import fps_source_frames as fps_source_frames

__all__ = [
    "Video",
    "VideoError",
    "as_video",
    "check_audio",
    "concat",
    "stack",
    "unstack",
    "psnr",
]
