"""Writing a video to a file or frame folder, atomically (:func:`write_video`)."""

import os
import shutil
import uuid
import warnings
from pathlib import Path
from typing import Any

from vidkit.errors import VideoError, VideoTypeError
from vidkit.io.container import write_container
from vidkit.io.formats import (
    SIDE_CAR,
    PathLike,
    check_path,
    check_write_fps,
    ffmpeg_message,
    path_kind,
)
from vidkit.io.frame_folder import is_frame_folder, write_frames
from vidkit.io.gif import write_gif
from vidkit.video import (
    as_video,
)


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
    text = check_path(path)
    kind = path_kind(text, writing=True)
    video = as_video(video)
    fps = check_write_fps(video.fps if fps is None else fps)
    final = Path(text).expanduser()
    if kind != "frames" and final.is_dir():
        raise IsADirectoryError(f"cannot write {text!r}: a folder of that name exists")
    if kind == "frames" and final.exists() and not final.is_dir():
        raise FileExistsError(f"cannot write frames to {text!r}: a file of that name exists")
    if final.exists() and not overwrite:
        raise FileExistsError(f"{text!r} exists; pass overwrite=True to replace it")
    if kind == "frames" and final.is_dir() and not is_frame_folder(final):
        raise FileExistsError(
            f"refusing to replace folder {text!r}: it holds files other than frames and "
            f"{SIDE_CAR}; choose an empty or new folder"
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
            write_frames(tmp, video, fps)
            _replace_folder(tmp, final)
        else:
            if kind == "gif":
                write_gif(tmp, video, fps)
            else:
                write_container(tmp, kind, video, fps, codec, crf, options)
            os.replace(tmp, final)
    except BaseException as exc:
        if tmp.is_dir():
            shutil.rmtree(tmp, ignore_errors=True)
        elif tmp.exists():
            tmp.unlink()
        if _is_ffmpeg_error(exc):
            raise VideoError(f"cannot write {text!r}: {ffmpeg_message(exc)}") from None
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
