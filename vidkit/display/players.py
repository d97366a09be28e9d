"""Playable videos in notebooks: HTML grids, the HTML of one video, side-by-side tiles, tables.

- :func:`show` displays one video, a list, or a ``{title: video}`` dict as a labelled grid of
  looping, muted, autoplaying ``<video>`` elements (H.264 mp4 in a base64 data URI: plays in
  JupyterLab, Jupyter Notebook, Colab and VS Code) or ``<img>`` GIFs (``codec="gif"``, for viewers
  without H.264). ``return_html=True`` returns the HTML instead of displaying it. A video with an
  audio track (:meth:`vidkit.Video.with_audio`) plays with its sound (AAC muxed into the mp4):
  browsers do not autoplay sound, so such a player starts on its play button; ``muted=True``
  autoplays it silently instead.
- :func:`video_html` is the HTML of one video (what ``Video._repr_html_`` shows).
- :func:`side_by_side` tiles several videos, with their titles, into one Video.
- :func:`readable_table` shows a DataFrame as a learner should read it.
- :func:`titled_videos` is the input rule all of them share (a video, a list, a batch, a dict).

Example:
    >>> import numpy as np, vidkit as vk
    >>> a = vk.Video(np.random.rand(8, 32, 32, 3), fps=8)
    >>> vk.show([a, a], titles=["x", "y"], return_html=True).count("<figcaption")
    2
"""

from __future__ import annotations

import base64
import html as _html
import math
import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from vidkit.video import Video, as_video, is_pil, is_torch_tensor, unstack

__all__ = ["show", "video_html", "side_by_side", "readable_table", "titled_videos"]

_MIN_DISPLAY_HEIGHT = 128
_MAX_ZOOM = 8
_CODECS = {"h264": ("mp4", "video/mp4"), "vp9": ("webm", "video/webm"), "gif": ("gif", "image/gif")}


# --------------------------------------------------------------------------- inputs
def titled_videos(
    videos: Any, titles: Sequence[Any] | None = None
) -> list[tuple[str | None, Video]]:
    """The videos that :func:`show`, :func:`side_by_side` and ``frame_strip`` accept, as a list of
    ``(title, Video)``: a Video, an array or tensor (5-D: a batch), a pipeline output, a path, a
    list of those (``titles`` labels them) or a dict ``{title: video}``.

    Example:
        >>> import numpy as np, vidkit as vk
        >>> v = vk.Video(np.zeros((2, 8, 8, 3)))
        >>> [(t, x.shape) for t, x in titled_videos({"a": v, "b": v})]
        [('a', (2, 8, 8, 3)), ('b', (2, 8, 8, 3))]
        >>> titled_videos([])
        Traceback (most recent call last):
        ...
        ValueError: nothing to show: the list or dict of videos is empty
    """
    if isinstance(videos, Mapping):
        if titles is not None:
            raise ValueError("titles come from the dict keys; do not pass titles= with a dict")
        items = [(str(k), _one_video(v, f"videos[{k!r}]")) for k, v in videos.items()]
    else:
        vids = _many_videos(videos)
        if titles is None:
            items = [(None, v) for v in vids]
        else:
            if isinstance(titles, str) or not isinstance(titles, Sequence):
                raise TypeError(f"titles must be a list of strings, got {type(titles).__name__}")
            if len(titles) != len(vids):
                raise ValueError(f"got {len(titles)} titles for {len(vids)} videos")
            items = [(None if t is None else str(t), v) for t, v in zip(titles, vids)]
    if not items:
        raise ValueError("nothing to show: the list or dict of videos is empty")
    return items


def _one_video(x: Any, what: str) -> Video:
    if isinstance(x, Video):
        return x
    if hasattr(x, "frames") and not isinstance(x, np.ndarray) and not is_torch_tensor(x):
        out = Video.from_pipeline_output(x)
        if len(out) != 1:
            raise ValueError(f"{what} holds a batch of {len(out)} videos; pass it on its own")
        return out[0]
    try:
        return as_video(x)
    except TypeError as exc:
        raise TypeError(f"{what}: {exc}") from None


def _many_videos(x: Any) -> list[Video]:
    if isinstance(x, Video):
        return [x]
    if isinstance(x, (str, os.PathLike)):
        return [as_video(x)]
    if isinstance(x, np.ndarray) or is_torch_tensor(x):
        if x.ndim == 5:  # diffusers conventions: np output BTHWC, pt output BTCHW
            return unstack(x, "BTCHW" if is_torch_tensor(x) else "BTHWC")
        return [as_video(x)]
    if hasattr(x, "frames"):
        return list(Video.from_pipeline_output(x))
    if isinstance(x, (list, tuple)):
        if x and is_pil(x[0]):
            return [as_video(list(x))]
        return [_one_video(v, f"videos[{i}]") for i, v in enumerate(x)]
    raise TypeError(
        f"cannot show {type(x).__name__}; expected a Video, an array or tensor, a pipeline output, "
        "a list of those, or a dict {title: video}"
    )


def _check_codec(codec: str) -> str:
    if not isinstance(codec, str) or codec.lower() not in _CODECS:
        raise ValueError(f"codec must be one of {sorted(_CODECS)}, got {codec!r}")
    return codec.lower()


def _check_height(height: Any) -> int | None:
    if height is None:
        return None
    if isinstance(height, bool) or not isinstance(height, (int, np.integer)) or height < 1:
        raise ValueError(f"height must be a positive int (pixels), got {height!r}")
    return int(height)


# --------------------------------------------------------------------------- HTML
def _zoom(video: Video, height: int | None) -> tuple[int, int]:
    """(whole-number pixel zoom, display height)."""
    shown = height if height is not None else video.height
    if height is None and video.height < _MIN_DISPLAY_HEIGHT:
        shown = video.height * math.ceil(_MIN_DISPLAY_HEIGHT / video.height)
    zoom = max(1, min(_MAX_ZOOM, shown // video.height))
    return zoom, shown


def _encode(video: Video, codec: str, fps: float | None) -> bytes:
    from vidkit.io import write_video

    ext = _CODECS[codec][0]
    with tempfile.TemporaryDirectory(prefix="vidkit-show-") as tmp:
        path = write_video(Path(tmp) / f"video.{ext}", video, fps=fps)
        return path.read_bytes()


def video_html(
    video: Any,
    *,
    fps: float | None = None,
    height: int | None = None,
    codec: str = "h264",
    title: str | None = None,
    caption: bool = True,
    muted: bool = False,
) -> str:
    """HTML that plays one video inline (a ``<video>``, or an ``<img>`` for ``codec="gif"``).

    Args:
        video: a Video (or anything :func:`vidkit.as_video` accepts).
        fps: playback frame rate (default ``video.fps``).
        height: display height in pixels (default: the video's, small videos enlarged to >= 128).
        codec: ``"h264"`` (mp4, default), ``"vp9"`` (webm; not playable in VS Code) or ``"gif"``.
        title: a label above the video.
        caption: a line below with frames, size and fps.
        muted: for a video with an audio track: ``False`` (default) muxes the sound and the player
            waits for its play button (browsers block autoplay with sound); ``True`` leaves the
            sound out and autoplays. The sound is also left out with ``codec="gif"`` and with an
            ``fps`` other than the video's own (it would no longer match the frames). Videos
            without audio always autoplay, muted.

    Example:
        >>> import numpy as np, vidkit as vk
        >>> html = video_html(vk.Video(np.zeros((4, 16, 16, 3))), title="zeros")
        >>> html.startswith("<figure"), "data:video/mp4;base64," in html, "zeros" in html
        (True, True, True)
    """
    video = _one_video(video, "video")
    codec = _check_codec(codec)
    height = _check_height(height)
    if not isinstance(muted, (bool, np.bool_)):
        raise TypeError(f"muted must be True or False, got {muted!r}")
    sound = (
        video.has_audio
        and not muted
        and codec != "gif"
        and (fps is None or float(fps) == video.fps)
    )
    zoom, shown = _zoom(video, height)
    frames = video.frames
    if zoom > 1:
        frames = np.repeat(np.repeat(frames, zoom, axis=1), zoom, axis=2)
    encoded = Video(frames, fps=video.fps)  # pixels only: metadata may not be JSON or copyable
    if sound:
        encoded = encoded.with_audio(video.audio, video.sample_rate)
    data = base64.b64encode(_encode(encoded, codec, fps)).decode("ascii")
    mime = _CODECS[codec][1]
    style = f"height:{shown}px;width:auto;display:block;margin:auto"
    if shown > encoded.height:
        style += ";image-rendering:pixelated"
    if codec == "gif":
        media = f'<img src="data:{mime};base64,{data}" style="{style}"/>'
    else:
        play = "loop playsinline controls" if sound else "autoplay loop muted playsinline controls"
        media = (
            f'<video {play} style="{style}">'
            f'<source src="data:{mime};base64,{data}" type="{mime}"/></video>'
        )
    parts = [
        '<figure class="vidkit-video" style="margin:0;display:inline-block;text-align:center">'
    ]
    if title is not None:
        parts.append(
            '<figcaption style="font-weight:bold;font-size:13px;margin-bottom:2px">'
            f"{_html.escape(str(title))}</figcaption>"
        )
    parts.append(media)
    if caption:
        rate = video.fps if fps is None else float(fps)
        parts.append(
            '<div style="font:11px monospace;color:#777">'
            f"{video.num_frames} frames &middot; {video.height}&times;{video.width} &middot; "
            f"{rate:g} fps{' &middot; sound' if sound else ''}</div>"
        )
    parts.append("</figure>")
    return "".join(parts)


def show(
    videos: Any,
    *,
    fps: float | None = None,
    columns: int | None = None,
    height: int | None = None,
    titles: Sequence[str] | None = None,
    codec: str = "h264",
    return_html: bool = False,
    muted: bool = False,
) -> str | None:
    """Display videos in a notebook as a labelled grid of looping players.

    Args:
        videos: a Video, an array/tensor (``[T,H,W,3]`` numpy, ``[T,C,H,W]`` torch; 5-dim arrays
            are batches in diffusers' layout: numpy ``BTHWC``, torch ``BTCHW``), a diffusers
            pipeline output, a list of these, or a dict ``{title: video}``.
        fps: playback frame rate for all (default: each video's own).
        columns: videos per row (default: as many as fit the width).
        height: display height in pixels (default: natural; small videos enlarged to >= 128).
        titles: labels for a list of videos (a dict's keys are its titles).
        codec: ``"h264"`` (default), ``"gif"`` (for viewers without H.264) or ``"vp9"``.
        return_html: return the HTML string instead of displaying it.
        muted: leave out the sound of videos with an audio track and autoplay them (default:
            they play with sound from their play button; see :func:`video_html`).

    Example:
        >>> import numpy as np, vidkit as vk
        >>> real, fake = vk.Video(np.zeros((4, 16, 16, 3))), vk.Video(np.ones((4, 16, 16, 3)))
        >>> vk.show({"real": real, "generated": fake}, columns=2)  # a notebook shows the grid
        <IPython.core.display.HTML object>
        >>> html = vk.show([real, fake], titles=["a", "b"], codec="gif", return_html=True)
        >>> html.count("<img"), html.count("<figcaption")
        (2, 2)
    """
    items = titled_videos(videos, titles)
    codec = _check_codec(codec)
    height = _check_height(height)
    if columns is not None and (
        isinstance(columns, bool) or not isinstance(columns, (int, np.integer)) or columns < 1
    ):
        raise ValueError(f"columns must be a positive int, got {columns!r}")
    cells = [
        video_html(v, fps=fps, height=height, codec=codec, title=t, muted=muted) for t, v in items
    ]
    if columns is None:
        layout = "display:flex;flex-wrap:wrap;gap:10px;align-items:flex-start"
    else:
        layout = f"display:grid;grid-template-columns:repeat({int(columns)},max-content);gap:10px"
    page = f'<div class="vidkit-show" style="{layout}">' + "".join(cells) + "</div>"
    if return_html:
        return page
    from IPython.display import HTML, display

    display(HTML(page))
    return None


# --------------------------------------------------------------------------- tables
def readable_table(
    table: Any, *, digits: int = 3, index: bool = False, caption: str | None = None
) -> Any:
    """A DataFrame styled for reading: full cell text (pandas cuts long text at 50 characters),
    float columns holding only whole numbers shown as integers, missing values as blank cells,
    other floats with ``digits`` significant digits; long text wraps.

    Args:
        table: a pandas DataFrame (or anything ``pd.DataFrame`` accepts).
        digits: significant digits of floats.
        index: show the index (off by default: a 0, 1, 2... index says nothing).
        caption: a caption above the table.

    Returns:
        A pandas ``Styler``: it displays as HTML when it is a cell's value (``.to_html()`` for a
        page).

    Example:
        >>> import pandas as pd
        >>> html = readable_table(pd.DataFrame({"object": [0.0, None], "g": [9.81234, 3.0]})).to_html()
        >>> "9.81" in html and "nan" not in html.lower()
        True
    """
    import pandas as pd

    if isinstance(digits, bool) or not isinstance(digits, (int, np.integer)) or digits < 1:
        raise ValueError(f"digits must be a positive int, got {digits!r}")
    df = table if isinstance(table, pd.DataFrame) else pd.DataFrame(table)
    df = df.copy()
    for col in df.columns:
        s = df[col]
        if pd.api.types.is_float_dtype(s):
            vals = s.dropna()
            if len(vals) and np.all(np.isfinite(vals)) and np.all(vals == np.round(vals)):
                df[col] = s.astype("Int64")

    def fmt(x: Any) -> str:
        if x is None or x is pd.NA or (isinstance(x, (float, np.floating)) and np.isnan(x)):
            return ""
        if isinstance(x, (bool, np.bool_)):
            return str(bool(x))
        if isinstance(x, (float, np.floating)):
            return f"{x:.{digits}g}" if abs(x) < 10**digits else f"{x:.0f}"
        if isinstance(x, (list, tuple, np.ndarray)):
            return ", ".join(fmt(v) for v in x)
        return str(x)

    styler = (
        df.style.format(fmt)
        .set_properties(**{"white-space": "normal", "text-align": "left", "max-width": "40em"})
        .set_table_styles([{"selector": "th", "props": [("text-align", "left")]}])
    )
    if not index:
        styler = styler.hide(axis="index")
    if caption:
        styler = styler.set_caption(caption)
    return styler


# --------------------------------------------------------------------------- side by side
def _text_bar(text: str, width: int, height: int, background: float) -> np.ndarray:
    from PIL import Image, ImageDraw, ImageFont

    shade = int(round(255 * background))
    ink = 0 if background > 0.5 else 255
    img = Image.new("RGB", (width, height), (shade, shade, shade))
    draw = ImageDraw.Draw(img)
    size = max(8, int(height * 0.7))
    try:
        font = ImageFont.load_default(size=size)
    except TypeError:  # pragma: no cover - Pillow without FreeType
        font = ImageFont.load_default()
    while True:
        left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
        if right - left <= width - 4 or len(text) <= 1:
            break
        text = text[:-2] + "…"
    draw.text(
        ((width - (right - left)) / 2 - left, (height - (bottom - top)) / 2 - top),
        text,
        fill=(ink, ink, ink),
        font=font,
    )
    return np.asarray(img, dtype=np.float32) / 255.0


def side_by_side(
    videos: Any,
    *,
    titles: Sequence[str] | None = None,
    columns: int | None = None,
    gap: int = 4,
    background: float = 1.0,
) -> Video:
    """Tile several videos into one Video, with their titles drawn above them.

    Videos are brought to a common height (the largest, keeping aspect ratios) and to the first
    video's fps; shorter videos hold their last frame. Good for writing one comparison mp4.

    Args:
        videos: a list or a dict ``{title: video}`` (any forms :func:`show` accepts).
        titles: labels for a list (a dict's keys are its titles); ``None`` draws no labels.
        columns: tiles per row (default: all in one row).
        gap: pixels between tiles.
        background: grey level of gaps and label bars, in [0, 1].

    Example:
        >>> import tempfile, numpy as np, vidkit as vk
        >>> real, fake = vk.Video(np.zeros((4, 32, 32, 3))), vk.Video(np.ones((6, 16, 16, 3)))
        >>> grid = vk.display.side_by_side({"real": real, "fake": fake})
        >>> grid.num_frames, grid.height > 32, grid.width > 64  # label bar above, gap between
        (6, True, True)
        >>> vk.write_video(tempfile.mkdtemp() + "/compare.mp4", grid).name
        'compare.mp4'
    """
    items = titled_videos(videos, titles)
    if isinstance(gap, bool) or not isinstance(gap, (int, np.integer)) or gap < 0:
        raise ValueError(f"gap must be an int >= 0 (pixels), got {gap!r}")
    if not 0.0 <= float(background) <= 1.0:
        raise ValueError(f"background must be a grey level in [0, 1], got {background!r}")
    n = len(items)
    cols = n if columns is None else int(columns)
    if cols < 1:
        raise ValueError(f"columns must be a positive int, got {columns!r}")
    fps = items[0][1].fps
    height = max(v.height for _, v in items)
    vids = []
    for _, v in items:
        if v.fps != fps:
            v = v.resample(fps=fps)
        if v.height != height:
            v = v.resize(height)
        vids.append(v)
    length = max(v.num_frames for v in vids)
    labelled = any(t is not None for t, _ in items)
    bar = max(12, height // 8) if labelled else 0
    rows = math.ceil(n / cols)
    col_w = [max(vids[i].width for i in range(c, n, cols)) for c in range(cols)]
    total_w = sum(col_w) + gap * (cols + 1)
    total_h = rows * (height + bar) + gap * (rows + 1)
    canvas = np.full((length, total_h, total_w, 3), float(background), np.float32)
    for i, ((t, _), v) in enumerate(zip(items, vids)):
        r, c = divmod(i, cols)
        y = gap + r * (height + bar + gap)
        x = gap + sum(col_w[:c]) + gap * c + (col_w[c] - v.width) // 2
        if bar and t is not None:
            canvas[:, y : y + bar, x : x + v.width] = _text_bar(t, v.width, bar, float(background))
        frames = v.frames
        if v.num_frames < length:
            frames = np.concatenate([frames, np.repeat(frames[-1:], length - v.num_frames, 0)])
        canvas[:, y + bar : y + bar + height, x : x + v.width] = frames
    meta = {"side_by_side": [t for t, _ in items]}
    return Video(canvas, fps=fps, metadata=meta)
