"""Self-contained HTML reports: inline videos, figures and tables in one file.

A report is built from sections; videos are embedded as base64 mp4 (or gif) so the single
``report.html`` can be mailed or opened offline, and figures as base64 PNG.

Example:
    >>> import vidkit as vk
    >>> from vidkit.report import Report
    >>> import tempfile
    >>> scene = vk.synth.render("bounce", seed=0)
    >>> rep = Report("Demo").add_videos({"bounce": scene.video})
    >>> path = rep.save(tempfile.mkdtemp() + "/demo/report.html")
    >>> path.name, "data:video/mp4;base64," in path.read_text()
    ('report.html', True)
"""

from __future__ import annotations

import base64
import html
import io
import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from vidkit.video import Video

__all__ = ["Report", "plot_trajectories"]

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2em auto;max-width:1100px;
color:#222;padding:0 1em}
h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.25em;margin-top:1.6em;border-bottom:1px solid #ddd}
.grid{display:flex;flex-wrap:wrap;gap:14px}.cell{text-align:center;font-size:.85em;max-width:260px}
.cell video,.cell img{image-rendering:pixelated;image-rendering:crisp-edges;border:1px solid #ccc;
background:#000}
table{border-collapse:collapse;font-size:.8em;margin:.6em 0;max-width:100%;table-layout:auto}
td,th{border:1px solid #ccc;padding:3px 5px;vertical-align:top}
td{max-width:34em;overflow-wrap:break-word}th{background:#f3f3f3}.note{color:#555;font-size:.9em}figure{margin:.6em 0}
figure img{max-width:100%}
"""


def _figure_png(fig: Any) -> bytes:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight", facecolor="white")
    plt.close(fig)
    return buf.getvalue()


def _video_bytes(video: Video, fmt: str = "mp4") -> bytes:
    from vidkit.io import write_video

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"v.{fmt}"
        write_video(path, video)
        return path.read_bytes()


class Report:
    """An HTML report made of titled sections of text, videos, figures and tables.

    Args:
        title: the page title.
        display_height: pixel height at which videos are shown (upscaled, pixelated).

    Example:
        >>> rep = Report("Synthetic scenes")
        >>> rep = rep.add_text("Three scenes rendered by vk.synth.")  # add_* return the report
        >>> "Synthetic scenes" in rep.html()
        True
    """

    def __init__(self, title: str, *, display_height: int = 192) -> None:
        self.title = str(title)
        self.display_height = int(display_height)
        self._parts: list[str] = []

    def add_heading(self, text: str) -> Report:
        """Start a new section."""
        self._parts.append(f"<h2>{html.escape(text)}</h2>")
        return self

    def add_text(self, text: str, *, note: bool = False) -> Report:
        """A paragraph of plain text (escaped)."""
        cls = ' class="note"' if note else ""
        self._parts.append(f"<p{cls}>{html.escape(text)}</p>")
        return self

    def add_videos(
        self,
        videos: Mapping[str, Video] | Sequence[Video],
        *,
        captions: Mapping[str, str] | None = None,
    ) -> Report:
        """Inline looping videos side by side, each with its title (and an optional caption)."""
        items = (
            list(videos.items())
            if isinstance(videos, Mapping)
            else [(str(i), v) for i, v in enumerate(videos)]
        )
        cells = []
        for title, video in items:
            if not isinstance(video, Video):
                raise TypeError(f"video {title!r} is {type(video).__name__}, expected a vk.Video")
            h = self.display_height
            w = round(h * video.width / video.height)
            # small videos are enlarged here by a whole factor with sharp (nearest) pixels: a
            # browser scaling a 64 px video to 192 px blurs it, whatever the CSS asks
            zoom = max(1, h // video.height)
            if zoom > 1:
                frames = np.repeat(np.repeat(video.frames, zoom, axis=1), zoom, axis=2)
                video = Video(frames, fps=video.fps)
            b64 = base64.b64encode(_video_bytes(video)).decode("ascii")
            cap = html.escape(title)
            if captions and title in captions:
                cap += f"<br><span class='note'>{html.escape(captions[title])}</span>"
            cells.append(
                f'<div class="cell"><video autoplay loop muted playsinline width="{w}" height="{h}" '
                f'src="data:video/mp4;base64,{b64}"></video><div>{cap}</div></div>'
            )
        self._parts.append(f'<div class="grid">{"".join(cells)}</div>')
        return self

    def add_figure(self, fig: Any, *, caption: str | None = None) -> Report:
        """A matplotlib figure as an inline PNG (the figure is closed)."""
        b64 = base64.b64encode(_figure_png(fig)).decode("ascii")
        cap = f"<figcaption class='note'>{html.escape(caption)}</figcaption>" if caption else ""
        self._parts.append(
            f'<figure><img style="max-width:100%" src="data:image/png;base64,{b64}">{cap}</figure>'
        )
        return self

    def add_table(self, table: Any, *, float_format: str = "{:.4g}") -> Report:
        """A pandas DataFrame (or list of dicts) as an HTML table: missing values (NaN, None)
        are blank cells, whole-number floats are shown as integers, long text wraps."""
        import pandas as pd

        df = table if isinstance(table, pd.DataFrame) else pd.DataFrame(list(table))

        def cell(x: Any, f: str = float_format) -> str:
            if x is None or (isinstance(x, (float, np.floating)) and not np.isfinite(x)):
                return "" if x is None or np.isnan(x) else str(x)
            if isinstance(x, (float, np.floating)) and float(x).is_integer() and abs(x) < 1e15:
                return str(int(x))
            if isinstance(x, (float, np.floating)):
                return f.format(x)
            return str(x)

        fmt = {c: cell for c in df.columns}
        # headers wrap at spaces: "warping_error" -> "warping error" (the page fits 1280 px)
        df = df.rename(columns={c: str(c).replace("_", " ") for c in df.columns})
        fmt = {str(c).replace("_", " "): f for c, f in fmt.items()}
        self._parts.append(
            df.to_html(index=False, escape=True, formatters=fmt, border=0, na_rep="")
        )
        return self

    def add_html(self, fragment: str) -> Report:
        """Raw trusted HTML (e.g. an object's ``_repr_html_``)."""
        self._parts.append(fragment)
        return self

    def html(self) -> str:
        """The whole page as a string."""
        body = "\n".join(self._parts)
        return (
            f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(self.title)}"
            f"</title><style>{_CSS}</style></head><body><h1>{html.escape(self.title)}</h1>\n"
            f"{body}\n</body></html>"
        )

    def _repr_html_(self) -> str:
        return self.html()

    def save(self, path: str | os.PathLike) -> Path:
        """Write the page atomically (temporary file + rename); returns the path."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(self.html())
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; give the usual file mode
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return path


def plot_trajectories(
    centers: np.ndarray,
    *,
    visible: np.ndarray | None = None,
    fps: float = 1.0,
    size: tuple[int, int] | None = None,
    labels: Sequence[str] | None = None,
    title: str | None = None,
    ax: Any = None,
) -> Any:
    """Plot object trajectories: image-plane path (left) and y(t) (right).

    Args:
        centers: ``[n_objects, T, 2]`` (x, y) pixel coordinates, y pointing down.
        visible: ``[n_objects, T]`` booleans; invisible samples are not drawn.
        fps: frames per second, for the time axis.
        size: (H, W) of the frame, to draw its border and keep the aspect.

    Returns:
        A :class:`vidkit.display.ShownFigure` (it displays as a cell's value, in a fresh kernel
        too); with ``ax`` given, the figure of those axes.

    Example:
        >>> import vidkit as vk
        >>> scene = vk.synth.render("projectile", seed=0)
        >>> fig = plot_trajectories(scene.truth.centers, fps=scene.video.fps,
        ...                         size=scene.video.shape[1:3])
        >>> len(fig.axes), type(fig).__name__
        (2, 'ShownFigure')
    """
    from vidkit.display.strips import new_figure

    c = np.asarray(centers, dtype=float)
    if c.ndim == 2:
        c = c[None]
    if c.ndim != 3 or c.shape[-1] != 2:
        raise ValueError(f"centers must be [n_objects, T, 2], got shape {c.shape}")
    vis = np.ones(c.shape[:2], bool) if visible is None else np.asarray(visible, bool)
    if ax is None:
        fig = new_figure(figsize=(9, 3.6))
        axes = fig.subplots(1, 2)
    else:
        axes = ax
        fig = axes[0].figure
    t = np.arange(c.shape[1]) / fps
    for i in range(c.shape[0]):
        lab = labels[i] if labels is not None else f"object {i}"
        xy = np.where(vis[i][:, None], c[i], np.nan)
        axes[0].plot(xy[:, 0], xy[:, 1], ".-", label=lab, ms=4)
        axes[1].plot(t, xy[:, 1], ".-", label=lab, ms=4)
    if size is not None:
        h, w = size
        axes[0].set_xlim(-0.5, w - 0.5)
        axes[0].set_ylim(h - 0.5, -0.5)
    else:
        axes[0].invert_yaxis()
    axes[0].set_aspect("equal")
    axes[0].set_xlabel("x (px)")
    axes[0].set_ylabel("y (px, down)")
    axes[0].set_title("path in the image")
    axes[1].invert_yaxis()
    axes[1].set_xlabel("t (s)")
    axes[1].set_ylabel("y (px, down)")
    axes[1].set_title("height over time")
    axes[1].legend(fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
