"""Frame folders: numbered PNG (or JPEG) frames plus ``vidkit.json``.

Example:
    >>> import numpy as np, vidkit as vk
    >>> from vidkit.io.frame_folder import frame_files, is_frame_folder
    >>> path = vk.write_video("/tmp/vidkit_frames_doc/", vk.Video(np.zeros((3, 8, 8, 3)), fps=10))
    >>> [p.name for p in frame_files(path)], is_frame_folder(path)
    (['000000.png', '000001.png', '000002.png'], True)
"""

from pathlib import Path
from typing import Any

import numpy as np

from vidkit.errors import VideoError
from vidkit.io.container import fps_of_tag
from vidkit.io.formats import FRAME_RE, SIDE_CAR, Decoded, make_tag, parse_tag, source_indices
from vidkit.video import (
    DEFAULT_FPS,
    Video,
)


def frame_files(folder: Path) -> list[Path]:
    files = [p for p in folder.iterdir() if p.is_file() and FRAME_RE.match(p.name)]
    return sorted(files, key=lambda p: int(FRAME_RE.match(p.name).group(1)))  # type: ignore[union-attr]


def read_frames(folder: Path, frames: Any, fps: float | None) -> Decoded:
    from PIL import Image, UnidentifiedImageError

    files = frame_files(folder)
    if not files:
        raise VideoError(
            f"folder {str(folder)!r} has no frame images; expected files named 000000.png, "
            "000001.png, ... (or .jpg)"
        )
    side = folder / SIDE_CAR
    tag = parse_tag(side.read_text(), str(side)) if side.is_file() else None
    file_fps = fps_of_tag(tag) or DEFAULT_FPS
    try:
        with Image.open(files[0]) as im:
            size = im.size[::-1]
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise VideoError(f"cannot read frame image {str(files[0])!r}: {exc}") from None
    idx = source_indices(frames, len(files), file_fps, fps, repr(str(folder)), size)
    want, order = np.unique(idx, return_inverse=True)
    images: list[np.ndarray] = []
    for k in want.tolist():
        try:
            with Image.open(files[k]) as im:
                images.append(np.asarray(im.convert("RGB")))
        except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
            raise VideoError(f"cannot read frame image {str(files[k])!r}: {exc}") from None
        if images[-1].shape != images[0].shape:
            raise VideoError(
                f"frame image {files[k].name} has size {images[-1].shape[:2]}, but "
                f"{files[want[0]].name} has {images[0].shape[:2]}: all frames must match"
            )
    return images, order.reshape(-1), file_fps, (tag or {}).get("metadata") or {}


def write_frames(tmp: Path, video: Video, fps: float) -> None:
    from PIL import Image

    tmp.mkdir()
    digits = max(6, len(str(video.num_frames - 1)))
    for i, f in enumerate(video.uint8):
        Image.fromarray(f).save(tmp / f"{i:0{digits}d}.png", compress_level=1)
    (tmp / SIDE_CAR).write_text(make_tag(video, fps))


def is_frame_folder(folder: Path) -> bool:
    return all(p.name == SIDE_CAR or FRAME_RE.match(p.name) for p in folder.iterdir())


# --------------------------------------------------------------------------- public API
