"""Figures that show themselves: frame strips and the Figure class vidkit's plots draw into.

- :func:`frame_strip` draws evenly spaced frames with their index and time as a matplotlib Figure,
  one row per video: the view for papers, PDFs and diffs, where a player does not exist.
- :class:`ShownFigure` is the Figure that vidkit's plotting functions return: it shows as a PNG
  when it is a cell's value, in a fresh kernel too (no pyplot figure needs to exist before), and
  it is not a pyplot figure, so the inline backend never shows it a second time.
- :func:`new_figure` makes one.

Example:
    >>> import numpy as np, vidkit as vk
    >>> fig = vk.frame_strip(vk.Video(np.random.rand(8, 16, 16, 3), fps=8), n=4)
    >>> len(fig.axes), type(fig).__name__
    (4, 'ShownFigure')
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

import numpy as np

from vidkit.display.players import titled_videos

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["frame_strip", "ShownFigure", "new_figure"]


# --------------------------------------------------------------------------- figures
def _shown_figure_class() -> type:
    from matplotlib.figure import Figure

    class ShownFigure(Figure):
        """A matplotlib Figure that displays itself as a PNG when it is a cell's value.

        A bare ``matplotlib.figure.Figure`` shows only if the notebook's matplotlib backend was
        activated before (by some pyplot figure); in a fresh kernel it prints
        ``<Figure size ... with N Axes>``. This subclass has ``_repr_png_``, so IPython renders it
        whatever the backend. It is not managed by pyplot: the inline backend does not show it
        again at the end of the cell, and it is freed like any object. End a cell with it (no
        ``;``) or call ``display(fig)``; ``fig.savefig(...)`` works as usual.

        Example:
            >>> import numpy as np, vidkit as vk
            >>> fig = vk.frame_strip(vk.Video(np.zeros((4, 8, 8, 3))))
            >>> fig._repr_png_()[:4]  # what a cell ending in `fig` shows
            b'\\x89PNG'
        """

        def _repr_png_(self) -> bytes:
            buf = io.BytesIO()
            self.savefig(buf, format="png", bbox_inches="tight", facecolor="white")
            return buf.getvalue()

    ShownFigure.__module__ = __name__
    ShownFigure.__qualname__ = "ShownFigure"
    return ShownFigure


def __getattr__(name: str) -> Any:
    if name == "ShownFigure":  # built on first use: importing vidkit does not import matplotlib
        global ShownFigure
        ShownFigure = _shown_figure_class()
        return ShownFigure
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def new_figure(**kwargs: Any) -> Figure:
    """A :class:`ShownFigure` (keyword arguments as ``matplotlib.figure.Figure``): what vidkit's
    plotting functions draw into, so that their figures show in a fresh kernel.

    Example:
        >>> fig = new_figure(figsize=(4, 3))
        >>> ax = fig.subplots()
        >>> fig._repr_png_()[:4]
        b'\\x89PNG'
    """
    cls = globals().get("ShownFigure") or __getattr__("ShownFigure")
    return cls(**kwargs)


# --------------------------------------------------------------------------- frame strips
def _strip_indices(num_frames: int, n: int) -> np.ndarray:
    k = min(n, num_frames)
    return np.unique(np.round(np.linspace(0, num_frames - 1, k)).astype(int))


def _label(index: int, fps: float, times: bool) -> str:
    return f"#{index}  {index / fps:.2f}s" if times else f"#{index}"


def frame_strip(
    video: Any,
    n: int = 8,
    *,
    title: str | None = None,
    ax: Axes | None = None,
    times: bool = True,
) -> Figure:
    """Evenly spaced frames of a video (or one row per video) as a matplotlib Figure.

    Args:
        video: a Video or array, or a list / dict ``{title: video}`` for one row per video.
        n: frames per row (fewer when a video is shorter); the first and last frames are included.
        title: a title over the whole figure.
        ax: draw the strip of a single video into this Axes as one image (ticks label the frames);
            returns ``ax.figure``.
        times: label frames with their time in seconds as well as their index.

    Returns:
        A :class:`ShownFigure` (``n`` axes per row when ``ax`` is None): it displays when it is a
        cell's value, in a fresh kernel too; save it with ``fig.savefig("strip.png")``.

    Example:
        >>> import numpy as np, vidkit as vk
        >>> real, fake = vk.Video(np.zeros((16, 16, 16, 3))), vk.Video(np.ones((16, 16, 16, 3)))
        >>> fig = vk.frame_strip({"real": real, "fake": fake}, n=6, title="seed 0")
        >>> len(fig.axes), fig._suptitle.get_text()
        (12, 'seed 0')
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive int (frames per row), got {n!r}")
    items = titled_videos(video, None)
    if ax is not None:
        if len(items) != 1:
            raise ValueError(f"ax= takes a single video, got {len(items)}; leave ax=None for rows")
        name, v = items[0]
        idx = _strip_indices(v.num_frames, n)
        gap = max(1, v.width // 32)
        tiles = []
        for j, i in enumerate(idx):
            tiles.append(v.frames[i])
            if j < len(idx) - 1:
                tiles.append(np.ones((v.height, gap, 3), np.float32))
        ax.imshow(np.concatenate(tiles, axis=1), interpolation="nearest")
        ax.set_xticks([(v.width + gap) * j + v.width / 2 for j in range(len(idx))])
        ax.set_xticklabels([_label(int(i), v.fps, times).replace("  ", "\n") for i in idx])
        ax.tick_params(axis="x", length=0, labelsize=8)
        ax.set_yticks([])
        if title is not None:
            ax.set_title(title)
        return ax.figure  # type: ignore[return-value]

    rows = len(items)
    cols = max(len(_strip_indices(v.num_frames, n)) for _, v in items)
    aspect = max(v.width / v.height for _, v in items)
    cell = 1.7
    fig = new_figure(
        figsize=(cols * cell * min(aspect, 2.5), rows * (cell + 0.35) + (0.4 if title else 0))
    )
    fig.set_layout_engine("constrained")
    axes = fig.subplots(rows, cols, squeeze=False)
    for r, (name, v) in enumerate(items):
        idx = _strip_indices(v.num_frames, n)
        for c in range(cols):
            a = axes[r, c]
            a.set_xticks([])
            a.set_yticks([])
            if c >= len(idx):
                a.set_axis_off()
                continue
            i = int(idx[c])
            a.imshow(v.frames[i], interpolation="nearest" if v.height < 256 else "antialiased")
            a.set_title(_label(i, v.fps, times), fontsize=8)
        if name is not None:
            axes[r, 0].set_ylabel(name, fontsize=10)
    if title is not None:
        fig.suptitle(title)
    return fig
