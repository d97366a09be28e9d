"""GIF files through Pillow: reading with the frame timing, writing with a palette per frame.

Example:
    >>> import numpy as np, vidkit as vk
    >>> from vidkit.io.gif import gif_durations, gif_open
    >>> path = vk.write_video("/tmp/vidkit_gif_doc.gif", vk.Video(np.random.rand(3, 8, 8, 3), fps=10))
    >>> with gif_open(path) as im:
    ...     gif_durations(im)
    [100, 100, 100]
"""

import contextlib
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from vidkit.errors import VideoError
from vidkit.io.container import fps_of_tag
from vidkit.io.formats import Decoded, make_tag, parse_tag, source_indices
from vidkit.video import (
    Video,
)


# --------------------------------------------------------------------------- GIF (Pillow)
def gif_open(path: Path) -> Any:
    from PIL import Image, UnidentifiedImageError

    try:
        im = Image.open(path)
        im.load()
    except Image.DecompressionBombError as exc:
        raise VideoError(f"cannot read {str(path)!r}: {exc}") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise VideoError(f"cannot read {str(path)!r}: not a readable GIF ({exc})") from None
    if im.format != "GIF":
        raise VideoError(f"{str(path)!r} is a {im.format} image, not a GIF")
    return im


# what Pillow raises on a damaged GIF (a truncated block, an index past the frames, bad LZW data)
_GIF_DAMAGE = (OSError, IndexError, ValueError, EOFError, SyntaxError, struct.error)


@contextlib.contextmanager
def gif_damage(path: Path) -> Iterator[None]:
    """Turn Pillow's errors on a damaged GIF into a VideoError naming the file (vidkit's own
    errors, such as a refused size, pass through)."""
    try:
        yield
    except VideoError:
        raise
    except _GIF_DAMAGE as exc:
        raise VideoError(
            f"cannot decode {str(path)!r}: the GIF is damaged ({type(exc).__name__}: {exc})"
        ) from None


def gif_durations(im: Any) -> list[int]:
    out = []
    for i in range(im.n_frames):
        im.seek(i)
        out.append(int(im.info.get("duration", 0) or 0))
    im.seek(0)
    return out


def gif_tag_plausible(tag: dict[str, Any], fps: float, durations: list[int]) -> bool:
    """Whether a GIF's vidkit tag (``num_frames`` at ``fps``) agrees with the GIF's own timeline.

    The tag is a hint: vidkit writes ``num_frames`` frames at ``fps`` with delays rounded to 10 ms
    and merges identical neighbours, so the delays must add up to ``num_frames / fps`` (within
    10 ms) and there are no more GIF frames than tagged ones.
    """
    n = tag.get("num_frames")
    if not isinstance(n, int) or isinstance(n, bool) or n < len(durations):
        return False
    return abs(sum(durations) - n * 1000.0 / fps) <= 10.0


def read_gif(path: Path, frames: Any, fps: float | None) -> Decoded:
    im = gif_open(path)
    try:
        tag = parse_tag(im.info["comment"], str(path)) if "comment" in im.info else None
        durations = gif_durations(im)
        # browsers show delays of <= 10 ms as 100 ms
        shown = [d if d > 10 else 100 for d in durations]
        tag_fps = fps_of_tag(tag)
        if tag_fps and gif_tag_plausible(tag, tag_fps, durations):
            # vidkit GIF: frames at k / fps; identical consecutive frames were merged by the encoder
            file_fps, count = tag_fps, int(tag["num_frames"])
            starts = np.concatenate([[0], np.cumsum(durations)[:-1]])
            times = (np.arange(count) + 0.5) * 1000.0 / file_fps
            gif_index = np.clip(
                np.searchsorted(starts, times, side="right") - 1, 0, len(durations) - 1
            )
        else:
            file_fps = 1000.0 / float(np.median(shown))
            count = len(durations)
            gif_index = np.arange(count)
        idx = source_indices(frames, count, file_fps, fps, repr(str(path)), im.size[::-1])
        want, order = np.unique(gif_index[idx], return_inverse=True)
        images = []
        for g in want.tolist():
            im.seek(g)
            images.append(np.asarray(im.convert("RGB")))
    finally:
        im.close()
    return images, order.reshape(-1), file_fps, (tag or {}).get("metadata") or {}


def write_gif(tmp: Path, video: Video, fps: float) -> None:
    from PIL import Image

    images = [
        Image.fromarray(f).quantize(256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
        for f in video.uint8
    ]
    # GIF delays are in 1/100 s: round the cumulative times so the timeline does not drift
    ends = np.round(np.arange(1, video.num_frames + 1) * 100.0 / fps).astype(int) * 10
    durations = np.diff(np.concatenate([[0], ends])).tolist()
    images[0].save(
        tmp,
        format="GIF",
        save_all=True,
        append_images=images[1:],
        duration=durations,
        loop=0,
        comment=make_tag(video, fps),
    )


# --------------------------------------------------------------------------- PNG frame folders
