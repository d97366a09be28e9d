""":class:`CompareViewer`: videos side by side with one frame slider and one play/pause control
for all (playback runs in the browser; an animated GIF stands in where widgets cannot run).

Example:
    >>> import vidkit as vk
    >>> from vidkit.widgets.compare_viewer import CompareViewer
    >>> viewer = CompareViewer({"a": vk.synth.render("bounce", seed=0).video})
    >>> viewer.num_frames
    32
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

import ipywidgets as W
import numpy as np

from vidkit.video import Video, as_video
from vidkit.widgets.frames import DISPLAY_HEIGHT, frame_png

__all__ = ["CompareViewer"]


def _items(videos: Any) -> list[tuple[str, Video]]:
    if isinstance(videos, Video):
        return [("video", videos)]
    if isinstance(videos, Mapping):
        items = [(str(k), v) for k, v in videos.items()]
    elif isinstance(videos, Sequence) and not isinstance(videos, (str, bytes)):
        items = [(str(i), v) for i, v in enumerate(videos)]
    else:
        raise TypeError(
            f"videos must be a Video, a list of videos or a dict {{title: video}}, got "
            f"{type(videos).__name__}"
        )
    out = []
    for title, v in items:
        try:
            out.append((title, as_video(v)))
        except FileNotFoundError as exc:
            raise FileNotFoundError(f"video {title!r}: {exc}") from None
        except (TypeError, ValueError) as exc:
            raise TypeError(f"video {title!r}: {exc}") from None
    return out


def _png_b64(png: bytes) -> str:
    import base64

    return base64.b64encode(png).decode("ascii")


class CompareViewer(W.VBox):
    """Videos side by side with one frame slider and one play/pause control for all.

    Playback runs in the browser at the video's frame rate: every frame of every video is sent to
    the page once, as a PNG, when the viewer is shown, one small HTML view per frame in an
    ``ipywidgets.Stack``; the ``Play`` button, the frame slider and the stack's selected frame
    are linked in the page (``jslink``), so playing and scrubbing never wait for the kernel. The
    kernel still sees the slider (``viewer.frame``) and can set it. Shorter videos hold their last
    frame; small frames are enlarged with sharp pixels (``image-rendering: pixelated``).

    Where widgets cannot run (a notebook exported to HTML without widget state, GitHub), the
    viewer shows its static fallback instead: the videos side by side as one looping animated
    GIF (``static_html()``).

    Args:
        videos: a dict ``{title: video}``, a list of videos, or one video.
        height: display height in pixels (small frames are enlarged, pixels kept sharp).
        fps: playback rate of the play button (default: the first video's).

    Attributes:
        slider: the frame ``IntSlider``; ``play``: the ``Play`` widget linked to it (in the
            browser); ``frames``: the ``Stack`` of per-frame views linked to the slider;
            ``titles``: the videos' labels; ``fps``: the playback rate.

    Example:
        >>> import vidkit as vk
        >>> a = vk.synth.render("bounce", seed=0)
        >>> b = vk.synth.render("bounce", seed=0, violation="teleport")
        >>> viewer = CompareViewer({"a": a.video, "b": b.video}, height=128)
        >>> viewer.titles, viewer.num_frames, len(viewer.frames.children)
        (['a', 'b'], 32, 32)
        >>> viewer.slider.value = 5  # the kernel can move the slider; a cell ending in `viewer` shows it
        >>> viewer.frame
        5
    """

    def __init__(
        self, videos: Any, *, height: int = DISPLAY_HEIGHT, fps: float | None = None
    ) -> None:
        items = _items(videos)
        if not items:
            raise ValueError("CompareViewer needs at least one video")
        if isinstance(height, bool) or not isinstance(height, (int, np.integer)) or height < 16:
            raise ValueError(f"height must be an int >= 16 (pixels), got {height!r}")
        self.height = int(height)
        self._videos: list[Video] = []
        self.titles: list[str] = []
        self._cache: dict[tuple[int, int], bytes] = {}
        rate = float(fps) if fps is not None else items[0][1].fps
        if not rate > 0:
            raise ValueError(f"fps must be positive, got {fps!r}")
        self.fps = rate
        self.slider = W.IntSlider(
            value=0, min=0, max=0, description="frame", continuous_update=True, readout=False
        )
        self.play = W.Play(
            value=0, min=0, max=0, step=1, interval=max(10, int(1000 / rate)), repeat=True
        )
        self.play.description = "play"
        self.frames = W.Stack([], selected_index=None)
        self.frames.add_class("vidkit-compare-cells")
        self._link = W.jslink((self.play, "value"), (self.slider, "value"))
        self._frame_link = W.jslink((self.slider, "value"), (self.frames, "selected_index"))
        controls = W.HBox([self.play, self.slider])
        super().__init__([controls, self.frames])
        self.add_class("vidkit-compare-viewer")
        for title, v in items:
            self._videos.append(v)
            self.titles.append(title)
        self._rebuild()
        # the page links them itself; this keeps the kernel's copy in step when Python sets it
        self.slider.observe(self._on_frame, names="value")

    def _on_frame(self, change: dict[str, Any]) -> None:
        if self.frames.selected_index != change["new"]:
            self.frames.selected_index = int(change["new"])

    # ------------------------------------------------------------------ content
    @property
    def videos(self) -> dict[str, Video]:
        """``{title: video}`` shown."""
        return dict(zip(self.titles, self._videos))

    @property
    def frame(self) -> int:
        """The frame shown (the slider's value)."""
        return int(self.slider.value)

    @property
    def num_frames(self) -> int:
        """Frames of the longest video."""
        return max(v.num_frames for v in self._videos)

    def frame_html(self, frame: int) -> str:
        """The HTML of one frame of all videos (what the page shows at that slider position).

                Example:
        >>> import vidkit as vk
                    >>> from vidkit.widgets import CompareViewer
                    >>> viewer = CompareViewer({"a": vk.synth.render("bounce", seed=0).video})
                    >>> "vidkit-frame" in viewer.frame_html(0)
                    True
        """
        frame = int(frame)
        if not 0 <= frame < self.num_frames:
            raise IndexError(f"frame {frame} is outside 0..{self.num_frames - 1}")
        cells = []
        for i, title in enumerate(self.titles):
            png = _png_b64(self.png(i, frame))
            cells.append(
                '<div style="display:inline-block;margin:0 10px 4px 0;vertical-align:top">'
                f'<div style="font-weight:bold">{html.escape(title)}</div>'
                f'<img class="vidkit-frame" src="data:image/png;base64,{png}" '
                f'style="height:{self.height}px;width:auto;image-rendering:pixelated"/></div>'
            )
        v = self._videos[0]
        time_line = (
            f'<div class="vidkit-time" style="font:12px monospace;color:#555">'
            f"{frame + 1}/{self.num_frames}  t = {frame / v.fps:.2f} s</div>"
        )
        return time_line + "<div>" + "".join(cells) + "</div>"

    def _rebuild(self) -> None:
        top = self.num_frames - 1
        keep = min(self.frame, top)
        views = []
        for f in range(self.num_frames):
            view = W.HTML(self.frame_html(f))
            view.add_class("vidkit-frame-view")
            views.append(view)
        self.frames.children = tuple(views)
        self.slider.max = top
        self.play.max = top
        self.slider.value = keep
        self.frames.selected_index = keep

    def add(self, title: str, video: Any) -> CompareViewer:
        """Add a video (e.g. from a :class:`GenerationPanel`); returns self.

                Example:
        >>> import vidkit as vk
                    >>> from vidkit.widgets import CompareViewer
                    >>> viewer = CompareViewer({"a": vk.synth.render("bounce", seed=0).video})
                    >>> viewer.add("seed 3", vk.synth.render("bounce", seed=3).video).titles
                    ['a', 'seed 3']
        """
        if not isinstance(title, str) or not title:
            raise ValueError(f"title must be a non-empty string, got {title!r}")
        if title in self.titles:
            raise ValueError(f"a video titled {title!r} is already shown; choose another title")
        self._videos.append(as_video(video))
        self.titles.append(title)
        self._rebuild()
        return self

    def png(self, index: int, frame: int) -> bytes:
        """PNG bytes of ``frame`` of video ``index`` at its own size (cached; the page enlarges
                it with sharp pixels).

                Example:
        >>> import vidkit as vk
                    >>> from vidkit.widgets import CompareViewer
                    >>> viewer = CompareViewer({"a": vk.synth.render("bounce", seed=0).video})
                    >>> viewer.png(0, 5)[:4]
                    b'\\x89PNG'
        """
        v = self._videos[index]
        f = min(int(frame), v.num_frames - 1)
        key = (index, f)
        if key not in self._cache:
            self._cache[key] = frame_png(v.frames[f], None)
        return self._cache[key]

    # ------------------------------------------------------------------ static fallback
    def static_html(self) -> str:
        """The videos side by side as one looping animated GIF (with their titles): what the
                viewer shows where widgets cannot run.

                Example:
        >>> import vidkit as vk
                    >>> from vidkit.widgets import CompareViewer
                    >>> viewer = CompareViewer({"a": vk.synth.render("bounce", seed=0).video})
                    >>> html = viewer.static_html()
                    >>> "data:image/gif;base64," in html
                    True
        """
        from vidkit.display import side_by_side, video_html

        def sharp(v: Video) -> Video:  # whole-factor enlargement: titles fit, pixels stay sharp
            zoom = max(1, -(-min(self.height, 128) // v.height))
            if zoom == 1:
                return v
            frames = np.repeat(np.repeat(v.frames, zoom, axis=1), zoom, axis=2)
            return Video(frames, fps=v.fps)

        grid = side_by_side({t: sharp(v) for t, v in self.videos.items()})
        return (
            '<div class="vidkit-compare-static">'
            + video_html(grid, codec="gif", fps=self.fps, caption=False)
            + '<div style="font:11px monospace;color:#777">CompareViewer (static copy: run the '
            "notebook for the slider and the play button)</div></div>"
        )

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        bundle = super()._repr_mimebundle_(**kwargs) or {}
        bundle = dict(bundle)
        bundle["text/html"] = self.static_html()
        return bundle
