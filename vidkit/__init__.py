"""vidkit: a Jupyter-first toolkit for AI video generation.

Composable helpers for sampling, conditioning and evaluation of text/image/video-to-video
diffusion models, one video type everywhere (:class:`vidkit.Video`), and synthetic physics scenes
with exact ground truth.

Example:
    >>> import vidkit as vk
    >>> import tempfile
    >>> scene = vk.synth.render("bounce", seed=0)
    >>> vk.write_video(tempfile.mkdtemp() + "/bounce.mp4", scene.video).name
    'bounce.mp4'
    >>> vk.show({"bounce": scene.video})  # in a notebook: the playing video
    <IPython.core.display.HTML object>

Submodules and names are imported lazily, so ``import vidkit`` stays fast.
"""

from __future__ import annotations

import importlib
from typing import Any

from vidkit.errors import (
    ArgumentError,
    ModelLoadError,
    ModelNotFoundError,
    SizeLimitError,
    StatisticsError,
    VideoError,
    VideoTypeError,
    VidkitError,
    max_video_bytes,
    set_max_video_bytes,
)
from vidkit.video import Video, as_video, concat, psnr, set_hook, stack, unstack

__version__ = "0.1.0"

# public name -> module that defines it (imported on first use)
_LAZY_NAMES: dict[str, str] = {
    "read_video": "vidkit.io",
    "write_video": "vidkit.io",
    "probe_video": "vidkit.io",
    "show": "vidkit.display",
    "frame_strip": "vidkit.display",
    "video_html": "vidkit.display",
    "side_by_side": "vidkit.display",
    "load": "vidkit.sampling",
    "generate": "vidkit.sampling",
    "sweep": "vidkit.sampling",
    "generate_many": "vidkit.sampling",
    "compare": "vidkit.comparison",
    "Leaderboard": "vidkit.comparison",
}
_LAZY_MODULES = (
    "io",
    "display",
    "synth",
    "metrics",
    "probes",
    "sampling",
    "conditioning",
    "callbacks",
    "testing",
    "tiny",
    "widgets",
    "comparison",
    "cli",
    "errors",
    "validation",
)
# modules that moved: the old attribute names lead to them
_MODULE_PATHS = {"conditioning": "vidkit.sampling.conditioning"}

__all__ = [
    "ArgumentError",
    "ModelLoadError",
    "ModelNotFoundError",
    "SizeLimitError",
    "StatisticsError",
    "Video",
    "VideoError",
    "VideoTypeError",
    "VidkitError",
    "max_video_bytes",
    "set_max_video_bytes",
    "__version__",
    "as_video",
    "concat",
    "psnr",
    "stack",
    "unstack",
    *_LAZY_NAMES,
    *_LAZY_MODULES,
]


def _read_video(path: Any) -> Video:
    from vidkit.io import read_video

    return read_video(path)


def _video_html(video: Video) -> str:
    from vidkit.display import video_html

    return video_html(video)


# video.py sits below io and display: the package wires what a Video needs from them
set_hook("read", _read_video)
set_hook("html", _video_html)


def __getattr__(name: str) -> Any:
    if name in _LAZY_NAMES:
        value = getattr(importlib.import_module(_LAZY_NAMES[name]), name)
        globals()[name] = value
        return value
    if name in _LAZY_MODULES:
        module = importlib.import_module(_MODULE_PATHS.get(name, f"vidkit.{name}"))
        globals()[name] = module
        return module
    raise AttributeError(f"module 'vidkit' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
