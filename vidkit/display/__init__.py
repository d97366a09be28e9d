"""Showing videos in notebooks: playable HTML grids, frame strips, and side-by-side tiles.

- :func:`show` displays one video, a list, or a ``{title: video}`` dict as a labelled grid of
  looping, muted, autoplaying ``<video>`` elements (H.264 mp4 in a base64 data URI: plays in
  JupyterLab, Jupyter Notebook, Colab and VS Code) or ``<img>`` GIFs (``codec="gif"``, for viewers
  without H.264). ``return_html=True`` returns the HTML instead of displaying it.
- :func:`video_html` is the HTML of one video (what ``Video._repr_html_`` shows).
- :func:`frame_strip` draws evenly spaced frames with their index and time as a matplotlib Figure,
  one row per video: the view for papers, PDFs and diffs, where a player does not exist.
- :func:`readable_table` shows a DataFrame as a learner should read it: whole sentences (no
  ``...``), whole numbers as integers, blanks instead of NaN, floats rounded.
- :class:`ShownFigure` is the Figure that vidkit's plotting functions return: it shows as a PNG
  when it is a cell's value, in a fresh kernel too (no pyplot figure needs to exist before), and
  it is not a pyplot figure, so the inline backend never shows it a second time.
- :func:`side_by_side` tiles several videos, with their titles, into one Video (to write one mp4
  for a report).

Videos smaller than 128 pixels high are enlarged by a whole factor with nearest-neighbour pixels,
so a 32x32 synthetic scene shows crisp rather than blurred.

Example:
    >>> import numpy as np, vidkit as vk
    >>> a = vk.Video(np.random.rand(8, 32, 32, 3), fps=8)
    >>> html = vk.show({"noise": a, "dark": vk.Video(a.frames * 0.3)}, return_html=True)
    >>> html.count("<video")
    2
    >>> fig = vk.frame_strip(a, n=4)
    >>> len(fig.axes)
    4

The modules: :mod:`~vidkit.display.players` (HTML players, tiles, tables),
:mod:`~vidkit.display.strips` (frame strips and shown figures) and
:mod:`~vidkit.display.report` (a self-contained ``report.html``).
"""

from __future__ import annotations

from typing import Any

from vidkit.display.players import readable_table, show, side_by_side, titled_videos, video_html
from vidkit.display.strips import frame_strip, new_figure

__all__ = [
    "show",
    "video_html",
    "frame_strip",
    "side_by_side",
    "ShownFigure",
    "new_figure",
    "readable_table",
    "titled_videos",
]


def __getattr__(name: str) -> Any:
    if name == "ShownFigure":  # built on first use: importing vidkit does not import matplotlib
        from vidkit.display import strips

        return strips.ShownFigure
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
