"""Reading a video file or frame folder (:func:`read_video`) and probing it (:func:`probe_video`)."""

from pathlib import Path
from typing import Any

import numpy as np

from vidkit.errors import VideoError
from vidkit.io.container import (
    container_count,
    container_tag,
    fps_of_tag,
    open_input,
    read_container,
    stream_rate,
)
from vidkit.io.formats import SIDE_CAR, PathLike, check_fps_arg, check_path, parse_tag, path_kind
from vidkit.io.frame_folder import frame_files, read_frames
from vidkit.io.gif import gif_damage, gif_durations, gif_open, gif_tag_plausible, read_gif
from vidkit.video import (
    DEFAULT_FPS,
    Video,
)


def read_video(
    path: PathLike, frames: Any = None, *, fps: float | None = None, audio: bool = True
) -> Video:
    """Read a video file or PNG frame folder into a :class:`~vidkit.Video`.

    Args:
        path: an ``.mp4/.m4v/.mov/.mkv/.webm/.avi/.gif`` file, or a folder of frame images
            (``000000.png``, ...).
        frames: which frames: ``None`` (all), an int ``N`` (the first N), a ``slice``, or a list /
            array of indices (negative counts from the end; order and repeats kept). Only frames up
            to the last requested one are decoded; far-in frames are reached by seeking.
        fps: resample to this frame rate (nearest frames in time, like
            :meth:`Video.resample`); ``frames`` then indexes the resampled frames.
        audio: read the file's audio track too when it has one (default): ``video.audio``
            (float32 ``[channels, n]``) and ``video.sample_rate`` (the rate it was written with).
            A full read (at any ``fps``) keeps the whole track; a contiguous range of frames
            (``frames=N`` or ``frames=slice(a, b)``) keeps the audio under it; other selections
            read no audio. ``audio=False`` skips decoding it.

    Returns:
        A Video with the file's fps (exact for files vidkit wrote) and the metadata stored by
        :func:`write_video` (empty for other files).

    Raises:
        FileNotFoundError: no such file or folder.
        ValueError: (:class:`~vidkit.VideoError`) unknown extension, unreadable or damaged file,
            no video stream, no frames, frame indices out of range.

    Example:
        >>> import tempfile, numpy as np, vidkit as vk
        >>> path = vk.write_video(tempfile.mkdtemp() + "/clip.mp4",
        ...                       vk.Video(np.random.rand(24, 16, 16, 3), fps=16))
        >>> vk.read_video(path, frames=slice(10, 20)).num_frames
        10
        >>> v = vk.read_video(path, frames=slice(4, 20), fps=8)  # frames of the 8 fps video: 12
        >>> v.num_frames, v.fps, v.shape[1:]
        (8, 8.0, (16, 16, 3))
    """
    text = check_path(path)
    p = Path(text).expanduser()
    if not p.exists():
        raise FileNotFoundError(f"no video at {text!r}")
    if fps is not None:
        fps = check_fps_arg(fps)
    kind = path_kind(p if p.is_dir() else text, writing=False)
    track = None
    if kind == "frames":
        if not p.is_dir():
            raise FileNotFoundError(f"{text!r} is not a folder of frames")
        decoded = read_frames(p, frames, fps)
    elif p.is_dir():
        raise VideoError(f"{text!r} is a folder; a {kind} file was expected")
    elif kind == "gif":
        with gif_damage(p):
            decoded = read_gif(p, frames, fps)
    else:
        if p.stat().st_size == 0:
            raise VideoError(f"cannot read {text!r}: the file is empty (0 bytes)")
        decoded, track = read_container(p, frames, fps, audio=bool(audio))
    images, order, file_fps, meta = decoded
    if any(im.shape != images[0].shape for im in images):
        sizes = sorted({im.shape[:2] for im in images})
        raise VideoError(f"the frame size changes within {text!r}: {sizes}; read it in parts")
    if not isinstance(meta, dict):
        meta = {"metadata": meta}
    out = Video._from_uint8_frames(
        images, order, fps=fps if fps is not None else file_fps, metadata=meta
    )
    if track is not None:
        out = out.with_audio(*track)
    return out


def probe_video(path: PathLike) -> dict[str, Any]:
    """Describe a video without decoding its frames.

    Returns a dict with ``frames`` (count), ``fps``, ``size`` (``(height, width)``), ``height``,
    ``width``, ``duration`` (seconds), ``codec``, ``format``, ``pix_fmt``, ``bit_rate`` and the
    ``metadata`` stored by :func:`write_video`.

    Example:
        >>> import tempfile, numpy as np, vidkit as vk
        >>> path = vk.write_video(tempfile.mkdtemp() + "/clip.mp4",
        ...                       vk.Video(np.zeros((9, 48, 64, 3)), fps=8))
        >>> info = vk.probe_video(path)
        >>> info["frames"], info["fps"], info["size"]
        (9, 8.0, (48, 64))
    """
    text = check_path(path)
    p = Path(text).expanduser()
    if not p.exists():
        raise FileNotFoundError(f"no video at {text!r}")
    kind = path_kind(p if p.is_dir() else text, writing=False)
    info: dict[str, Any] = {"path": str(p), "pix_fmt": None, "bit_rate": None}
    if kind == "frames":
        from PIL import Image

        files = frame_files(p)
        if not files:
            raise VideoError(f"folder {text!r} has no frame images (000000.png, ...)")
        side = p / SIDE_CAR
        tag = parse_tag(side.read_text(), str(side)) if side.is_file() else None
        with Image.open(files[0]) as im:
            width, height = im.size
            codec = im.format.lower() if im.format else "png"
        count, fps = len(files), fps_of_tag(tag) or DEFAULT_FPS
        info.update(format="frames", codec=codec)
    elif p.is_dir():
        raise VideoError(f"{text!r} is a folder; a {kind} file was expected")
    elif kind == "gif":
        im = gif_open(p)
        try:
            tag = parse_tag(im.info["comment"], str(p)) if "comment" in im.info else None
            width, height = im.size
            with gif_damage(p):
                raw = gif_durations(im)
            durations = [d if d > 10 else 100 for d in raw]
        finally:
            im.close()
        if fps_of_tag(tag) and gif_tag_plausible(tag, fps_of_tag(tag), raw):
            count, fps = int(tag["num_frames"]), fps_of_tag(tag)
        else:
            count, fps = len(durations), 1000.0 / float(np.median(durations))
        info.update(format="gif", codec="gif", pix_fmt="pal8")
    else:
        if p.stat().st_size == 0:
            raise VideoError(f"cannot read {text!r}: the file is empty (0 bytes)")
        container = open_input(p)
        try:
            stream = container.streams.video[0]
            tag = container_tag(container, p)
            count = container_count(p, stream, tag, container)
            rate = stream_rate(stream)
            fps = fps_of_tag(tag) or (float(rate) if rate else DEFAULT_FPS)
            cc = stream.codec_context
            height, width = cc.height, cc.width
            info.update(
                format=container.format.name,
                codec=cc.name,
                pix_fmt=cc.pix_fmt,
                bit_rate=cc.bit_rate or container.bit_rate or None,
            )
        finally:
            container.close()
    th, tw = (tag.get("height"), tag.get("width")) if tag else (None, None)
    if isinstance(th, int) and isinstance(tw, int) and 0 < th <= height and 0 < tw <= width:
        height, width = th, tw  # the tag's true size is a crop of the padded one, never larger
    info.update(
        frames=int(count),
        fps=float(fps),
        height=int(height),
        width=int(width),
        size=(int(height), int(width)),
        duration=count / fps,
        metadata=(tag or {}).get("metadata") or {},
    )
    return info
