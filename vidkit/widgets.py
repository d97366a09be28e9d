"""Notebook widgets (ipywidgets 8): a generation panel, a synced side-by-side viewer and a
denoising-trajectory scrubber.

- :class:`CompareViewer` shows several videos side by side with one frame slider and one
  play/pause button for all of them. Playback runs in the browser at the video's frame rate
  (every frame is sent to the page once; play, slider and the shown frame are linked in the
  page), and an animated GIF stands in where widgets cannot run (exported HTML, GitHub).
- :class:`GenerationPanel` drives ``vk.generate`` from a form (prompt, negative prompt, optional
  image or video, steps, guidance, seed, frames), with a progress bar, a live latent preview,
  the result, and "add to comparison" (into a :class:`CompareViewer`).
- :class:`TrajectoryViewer` scrubs through the recorded denoising steps of a result
  (``vk.generate(..., record="trajectory")``).

All three are ordinary ipywidgets boxes: a cell that ends with one displays it. Their state can
be set and read from Python (``viewer.slider.value = 5``, ``panel.generate_button.click()``), which
is how they are tested without a browser.

Example:
    >>> import vidkit as vk
    >>> a, b = vk.synth.render("bounce", seed=0), vk.synth.render("bounce", seed=0, violation="teleport")
    >>> viewer = vk.widgets.CompareViewer({"clean": a.video, "teleport": b.video})
    >>> viewer.slider.value = 12
    >>> viewer.frame
    12
    >>> viewer.frames.selected_index  # in the page the slider drives the shown frame
    12
"""

from __future__ import annotations

import html
import io
import time
import traceback
from collections.abc import Mapping, Sequence
from typing import Any

import ipywidgets as W
import numpy as np

from vidkit.video import Video, as_video

__all__ = ["CompareViewer", "GenerationPanel", "TrajectoryViewer", "frame_png"]

_DISPLAY_HEIGHT = 192
#: GenerationPanel warms up by default for models with at most this many weights
WARMUP_MAX_PARAMS = 50_000_000


def _num_params(pipe: Any) -> int:
    """Weights of a VideoPipeline's diffusers pipeline (all torch modules among its components)."""
    inner = getattr(pipe, "pipeline", pipe)
    total = 0
    for comp in getattr(inner, "components", {}).values():
        params = getattr(comp, "parameters", None)
        if callable(params):
            try:
                total += sum(p.numel() for p in params())
            except (TypeError, RuntimeError):
                continue
    return total


def frame_png(frame: np.ndarray, height: int | None = _DISPLAY_HEIGHT) -> bytes:
    """One float frame ``[H, W, 3]`` in [0, 1] as PNG bytes, enlarged by an integer factor
    (nearest neighbour, so pixels stay sharp) to about ``height`` pixels.

    Example:
        >>> frame_png(np.zeros((16, 16, 3)), height=64)[:4]
        b'\\x89PNG'
    """
    from PIL import Image

    arr = np.asarray(frame)
    if arr.ndim != 3 or arr.shape[-1] != 3:
        raise ValueError(f"a frame must be [H, W, 3], got shape {arr.shape}")
    img = Image.fromarray(np.round(np.clip(arr, 0, 1) * 255).astype(np.uint8))
    if height:
        zoom = max(1, int(height) // max(1, img.height))
        if zoom > 1:
            img = img.resize((img.width * zoom, img.height * zoom), Image.NEAREST)
    buf = io.BytesIO()
    img.save(buf, format="PNG", compress_level=1)
    return buf.getvalue()


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
        self, videos: Any, *, height: int = _DISPLAY_HEIGHT, fps: float | None = None
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


class TrajectoryViewer(W.VBox):
    """Scrub through the denoising steps of a generated video.

    Args:
        result: a Video made with ``vk.generate(..., record="trajectory")`` (or ``"x0"``), or
            the :class:`vidkit.callbacks.Trajectory` itself.
        height: display height in pixels.

    The step slider picks a recorded step, labelled "k/N" with the step's number in the run (its
    timestep and noise level are shown beside it); it starts at the result. The frame slider
    (with play) picks the frame; with ``x0`` recorded, the predicted clean video at that step
    is shown beside the current latents' decoding.

    Example:
        >>> import vidkit as vk
        >>> pipe = vk.load("vidkit/tiny-physics")
        >>> out = vk.generate(pipe, prompt="a red ball falls", steps=4, record="x0")
        >>> viewer = TrajectoryViewer(out)  # a cell ending in `viewer` shows it
        >>> len(viewer.step_slider.options), viewer.frame_slider.max
        (4, 15)
    """

    def __init__(self, result: Any, *, height: int = _DISPLAY_HEIGHT) -> None:
        traj = result
        if isinstance(result, Video):
            traj = result.metadata.get("trajectory")
            if traj is None:
                raise ValueError(
                    "this video has no recorded trajectory; generate it with "
                    "vk.generate(..., record='trajectory')"
                )
        if not hasattr(traj, "videos") or not hasattr(traj, "steps"):
            raise TypeError(
                f"expected a Video with metadata['trajectory'] or a Trajectory, got "
                f"{type(result).__name__}"
            )
        if len(traj.videos) == 0:
            raise ValueError("the trajectory is empty")
        self.trajectory = traj
        self.height = int(height)
        n_steps = len(traj.videos)
        n_frames = max(v.num_frames for v in traj.videos)
        # the slider's options are the recorded steps, labelled with their 1-based step number
        # of the run, so the readout and the info line say the same ("15/25")
        self.step_slider = W.SelectionSlider(
            options=[(f"{s + 1}/{traj.num_steps}", k) for k, s in enumerate(traj.steps)],
            value=n_steps - 1,
            description="step",
            continuous_update=True,
        )
        self.frame_slider = W.IntSlider(value=0, min=0, max=n_frames - 1, description="frame")
        fps = traj.videos[-1].fps
        self.play = W.Play(
            value=0, min=0, max=n_frames - 1, interval=max(10, int(1000 / fps)), repeat=True
        )
        self._link = W.jslink((self.play, "value"), (self.frame_slider, "value"))
        self.info = W.Label()
        self.image = W.Image(format="png", layout=W.Layout(height=f"{self.height}px", width="auto"))
        self.x0_image: W.Image | None = None
        pad = W.Layout(margin="0 10px 0 0")
        cells = [W.VBox([W.HTML("<b>latents (decoded)</b>"), self.image], layout=pad)]
        if getattr(traj, "x0", None):
            self.x0_image = W.Image(
                format="png", layout=W.Layout(height=f"{self.height}px", width="auto")
            )
            cells.append(W.VBox([W.HTML("<b>predicted clean video (x0)</b>"), self.x0_image]))
        super().__init__(
            [
                W.HBox([self.step_slider, self.info]),
                W.HBox([self.play, self.frame_slider]),
                W.HBox(cells),
            ]
        )
        self.add_class("vidkit-trajectory-viewer")
        self.step_slider.observe(self._update, names="value")
        self.frame_slider.observe(self._update, names="value")
        self._update()

    def static_html(self) -> str:
        """Up to six recorded steps (picked by noise level) as looping GIFs, labelled with their
        step: what the viewer shows where widgets cannot run (exported HTML, GitHub).

        Example:
            >>> import vidkit as vk
            >>> out = vk.generate(vk.load("vidkit/tiny-physics"), prompt="a ball", steps=4, record="x0")
            >>> html = TrajectoryViewer(out).static_html()
            >>> html.count("<img")
            4
        """
        from vidkit.display import show

        t = self.trajectory
        n = len(t.videos)
        sig = [s for s in t.sigmas]
        if all(s is not None for s in sig) and n > 6:
            arr = np.asarray(sig, dtype=float)
            picks = {int(np.argmin(np.abs(arr - s))) for s in (1.0, 0.8, 0.6, 0.4, 0.2)}
        else:
            picks = {int(i) for i in np.linspace(0, n - 1, min(n, 6)).round()}
        picks.add(n - 1)
        vids = {f"step {t.steps[k] + 1}/{t.num_steps}": t.videos[k] for k in sorted(picks)}
        grid = show(vids, codec="gif", height=min(self.height, 128), return_html=True)
        return (
            f'<div class="vidkit-trajectory-static">{grid}<div style="font:11px monospace;'
            'color:#777">TrajectoryViewer (static copy: run the notebook to scrub every step)'
            "</div></div>"
        )

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        bundle = dict(super()._repr_mimebundle_(**kwargs) or {})
        bundle["text/html"] = self.static_html()
        return bundle

    @property
    def step_index(self) -> int:
        """Index of the shown step in the trajectory's recorded steps."""
        return int(self.step_slider.value)

    def _update(self, change: Any = None) -> None:
        k, f = self.step_index, int(self.frame_slider.value)
        t = self.trajectory
        v = t.videos[k]
        self.image.value = frame_png(v.frames[min(f, v.num_frames - 1)], self.height)
        if self.x0_image is not None and t.x0:
            x = t.x0[k]
            self.x0_image.value = frame_png(x.frames[min(f, x.num_frames - 1)], self.height)
        sigma = t.sigmas[k] if k < len(t.sigmas) else None
        sig = f", noise level sigma {sigma:.3g}" if sigma is not None else ""
        first = " (pure noise)" if t.steps[k] == 0 else ""
        last = " (the result)" if k == len(t.steps) - 1 else ""
        self.info.value = f"timestep {t.timesteps[k]:.4g}{sig}{first}{last}"


class GenerationPanel(W.VBox):
    """A form around ``vk.generate``: prompt, negative prompt, optional image or video, steps,
    guidance, seed, frames; Generate with a progress bar and a live latent preview; the result;
    and "add to comparison".

    Args:
        pipe: a loaded model (``vk.load``, ``vk.testing.tiny_pipeline``) or a diffusers pipeline.
        viewer: the :class:`CompareViewer` that "add to comparison" fills (default: a new one,
            shown under the panel once something is added).
        height: display height of the preview and the result.
        warmup: run one 1-step generation when the panel is made, so that the first press of
            Generate is as fast as the next ones (imports, first-call set-up of torch and of the
            video encoder happen then). ``None`` (default): only for small models (under
            :data:`WARMUP_MAX_PARAMS` weights), where it takes a fraction of a second; for big
            models the status line says that the first run includes one-time set-up.

    With "record denoising steps" ticked, every step is recorded (up to 50 steps; beyond, about
    ten), so the :class:`TrajectoryViewer` under the result starts at step 1.

    Attributes:
        result: the last generated :class:`~vidkit.Video` (None before the first).
        comparison: ``{label: video}`` added so far; ``viewer``: their CompareViewer.
        error: the last error message (also shown in ``status``), or None.

    Example:
        >>> import vidkit as vk
        >>> panel = vk.widgets.GenerationPanel(vk.load("vidkit/tiny-physics"))
        >>> panel.prompt.value = "a red ball falls"  # what filling the form does
        >>> panel.steps.value = 4
        >>> panel.generate().shape  # what pressing Generate does; a cell ending in `panel` shows it
        (16, 32, 32, 3)
    """

    def __init__(
        self,
        pipe: Any,
        *,
        viewer: CompareViewer | None = None,
        height: int = _DISPLAY_HEIGHT,
        warmup: bool | None = None,
    ) -> None:
        from vidkit.sampling import as_video_pipeline

        try:
            self.pipe = as_video_pipeline(pipe)
        except (TypeError, ValueError) as exc:
            raise TypeError(
                f"GenerationPanel needs a loaded model (vk.load) or a diffusers pipeline: {exc}"
            ) from None
        d = dict(self.pipe.defaults)
        self.height = int(height)
        self.result: Video | None = None
        self.error: str | None = None
        self.comparison: dict[str, Video] = {}
        self.viewer = viewer
        steps = int(d.get("steps") or 20)
        frames = int(d.get("num_frames") or 16)
        guidance = float(d.get("guidance") if d.get("guidance") is not None else 5.0)

        wide = W.Layout(width="98%")
        self.prompt = W.Textarea(
            value="a red ball bounces to the right on a grey floor",
            description="prompt",
            layout=W.Layout(width="98%", height="56px"),
        )
        self.negative_prompt = W.Text(value="", description="negative", layout=wide)
        self.image_upload = W.FileUpload(accept="image/*", multiple=False, description="image")
        self.video_upload = W.FileUpload(
            accept=".mp4,.webm,.gif,.mov,.mkv", multiple=False, description="video"
        )
        self.strength = W.FloatSlider(
            value=0.7, min=0.05, max=1.0, step=0.05, description="strength"
        )
        self.steps = W.IntSlider(value=steps, min=1, max=max(100, steps), description="steps")
        self.guidance = W.FloatSlider(
            value=guidance, min=0.0, max=max(20.0, guidance), step=0.5, description="guidance"
        )
        self.seed = W.BoundedIntText(value=0, min=0, max=2**31 - 1, description="seed")
        self.frames = W.BoundedIntText(value=frames, min=1, max=1024, description="frames")
        self.record = W.Checkbox(value=False, description="record denoising steps", indent=False)
        self.generate_button = W.Button(description="Generate", button_style="primary", icon="play")
        self.add_button = W.Button(description="add to comparison", icon="plus", disabled=True)
        self.progress = W.IntProgress(value=0, min=0, max=steps, description="steps")
        self.status = W.HTML("")
        # hidden until the first step draws into it (an empty Image shows a broken-image icon)
        self.preview = W.Image(
            format="png", layout=W.Layout(height=f"{self.height}px", display="none")
        )
        self._preview_hint = W.HTML(
            f"<div style='height:{self.height}px;width:{self.height}px;display:flex;"
            "align-items:center;justify-content:center;color:#888;border:1px dashed #ccc'>"
            "the noisy latents appear here while it generates</div>"
        )
        self.output = W.HTML(
            f"<div style='height:{self.height}px;display:flex;align-items:center;color:#888'>"
            "press Generate</div>"
        )
        self._warm = False
        self._extra = W.VBox([])
        self.generate_button.on_click(self._on_generate)
        self.add_button.on_click(self._on_add)
        form = W.VBox(
            [
                self.prompt,
                self.negative_prompt,
                W.HBox([self.image_upload, self.video_upload, self.strength]),
                W.HBox([self.steps, self.guidance]),
                W.HBox([self.seed, self.frames, self.record]),
                W.HBox([self.generate_button, self.progress, self.add_button]),
                self.status,
            ]
        )
        results = W.HBox(
            [
                W.VBox(
                    [W.HTML("<b>live preview (latents)</b>"), self._preview_hint, self.preview],
                    layout=W.Layout(margin="0 12px 0 0"),
                ),
                W.VBox([W.HTML("<b>result</b>"), self.output]),
            ],
            layout=W.Layout(flex_flow="row wrap"),
        )
        super().__init__([form, results, self._extra])
        self.add_class("vidkit-generation-panel")
        if warmup is None:
            warmup = _num_params(self.pipe) <= WARMUP_MAX_PARAMS
        if warmup:
            self.warm_up()
        else:
            self.status.value = (
                "<span style='color:#777'>the first run also sets the model up (one-time, "
                "slower); later runs are faster</span>"
            )

    def warm_up(self) -> float:
        """One 1-step generation with the form's prompt (not kept), so that one-time set-up
                (imports, torch's first calls, the video encoder) is done before the first press;
                returns its seconds.

                Example:
        >>> import vidkit as vk
                    >>> panel = vk.widgets.GenerationPanel(vk.load("vidkit/tiny-physics"))
                    >>> seconds = panel.warm_up()
                    >>> seconds >= 0
                    True
        """
        from vidkit.display import video_html
        from vidkit.sampling import generate

        t0 = time.perf_counter()
        kw = self.settings()
        kw["steps"] = 1
        kw.pop("record", None)
        try:
            video = generate(self.pipe, callbacks=[self._on_step], progress=False, **kw)
            video = video[0] if isinstance(video, list) else video
            video_html(video, height=self.height)
        except Exception as exc:  # noqa: BLE001 - a warm-up must never stop the panel
            self.status.value = (
                f"<span style='color:#777'>warm-up skipped ({html.escape(type(exc).__name__)}); "
                "the first run includes set-up</span>"
            )
            return time.perf_counter() - t0
        # back to the state before any run
        self.preview.layout.display = "none"
        self._preview_hint.layout.display = None
        self.progress.value = 0
        self._warm = True
        dt = time.perf_counter() - t0
        self.status.value = f"<span style='color:#777'>ready (warmed up in {dt:.1f} s)</span>"
        return dt

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        # where widgets cannot run (exported HTML, GitHub): the last result, if any, and a note
        bundle = dict(super()._repr_mimebundle_(**kwargs) or {})
        note = (
            '<div style="font:11px monospace;color:#777">GenerationPanel (static copy: run the '
            "notebook to generate)</div>"
        )
        shown = self.output.value if self.result is not None else ""
        bundle["text/html"] = f'<div class="vidkit-panel-static">{shown}{note}</div>'
        return bundle

    # ------------------------------------------------------------------ inputs
    def _upload(self, upload: W.FileUpload) -> tuple[str, bytes] | None:
        value = upload.value
        if not value:
            return None
        item = value[0] if isinstance(value, (list, tuple)) else next(iter(value.values()))
        content = item["content"]
        return str(item.get("name", "upload")), bytes(content)

    def _condition(self) -> dict[str, Any]:
        import tempfile
        from pathlib import Path

        from PIL import Image

        img = self._upload(self.image_upload)
        vid = self._upload(self.video_upload)
        if img and vid:
            raise ValueError("give an image or a video to condition on, not both")
        if img:
            return {"image": Image.open(io.BytesIO(img[1])).convert("RGB")}
        if vid:
            from vidkit.io import read_video

            suffix = Path(vid[0]).suffix or ".mp4"
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / f"upload{suffix}"
                path.write_bytes(vid[1])
                video = read_video(path)
            return {"video": video, "strength": float(self.strength.value)}
        return {}

    def settings(self) -> dict[str, Any]:
        """The ``vk.generate`` arguments the form holds now (without callbacks).

                Example:
        >>> import vidkit as vk
                    >>> panel = vk.widgets.GenerationPanel(vk.load("vidkit/tiny-physics"))
                    >>> panel.steps.value = 12
                    >>> panel.settings()["steps"]
                    12
        """
        kw: dict[str, Any] = {
            "prompt": self.prompt.value.strip(),
            "seed": int(self.seed.value),
            "steps": int(self.steps.value),
            "guidance": float(self.guidance.value),
            "num_frames": int(self.frames.value),
        }
        if not kw["prompt"]:
            raise ValueError("the prompt is empty")
        if self.negative_prompt.value.strip():
            kw["negative_prompt"] = self.negative_prompt.value.strip()
        if self.record.value:
            from vidkit.callbacks import TrajectoryRecorder

            kw["record"] = TrajectoryRecorder(every=1 if kw["steps"] <= 50 else None, x0=True)
        kw.update(self._condition())
        return kw

    # ------------------------------------------------------------------ actions
    def _on_step(self, state: Any) -> None:
        from vidkit.callbacks import latent_rgb, latents_to_bfchw

        self.progress.max = max(1, int(state.num_steps))
        self.progress.value = min(self.progress.max, int(state.step) + 1)
        try:
            lat = latents_to_bfchw(state.latents, state.layout, state.pipeline, state.context)
            rgb = latent_rgb(lat)[0]
            self.preview.value = frame_png(rgb[rgb.shape[0] // 2], self.height)
            if self.preview.layout.display == "none":
                self.preview.layout.display = None
                self._preview_hint.layout.display = "none"
        except Exception:  # noqa: BLE001 - a preview must never stop the generation
            pass

    def generate(self) -> Video | None:
        """Run ``vk.generate`` with the form's settings (what the Generate button does); returns
                the video, or None after an error (shown in the panel and kept in ``.error``).

                Example:
        >>> import vidkit as vk
                    >>> panel = vk.widgets.GenerationPanel(vk.load("vidkit/tiny-physics"))
                    >>> panel.steps.value = 4
                    >>> video = panel.generate()
                    >>> video.num_frames, panel.error
                    (16, None)
        """
        from vidkit.display import video_html
        from vidkit.sampling import generate

        self.error = None
        self.generate_button.disabled = True
        self.add_button.disabled = True
        self.progress.value = 0
        self.progress.bar_style = ""
        self.status.value = (
            "generating..." if self._warm else "generating... (first run: includes set-up)"
        )
        t0 = time.perf_counter()
        try:
            kw = self.settings()
            video = generate(self.pipe, callbacks=[self._on_step], progress=False, **kw)
        except Exception as exc:  # noqa: BLE001 - shown in the panel, kept in .error
            self.error = f"{type(exc).__name__}: {exc}"
            self.status.value = f"<span style='color:#c33'>error: {html.escape(self.error)}</span>"
            self.progress.bar_style = "danger"
            self._traceback = traceback.format_exc()
            return None
        finally:
            self.generate_button.disabled = False
        if isinstance(video, list):
            video = video[0]
        self.result = video
        self._warm = True
        self.progress.bar_style = "success"
        self.output.value = video_html(video, height=self.height)
        self.add_button.disabled = False
        dt = time.perf_counter() - t0
        self.status.value = (
            f"done in {dt:.1f} s: {video.num_frames} frames {video.height}x{video.width}, "
            f"seed {kw['seed']}"
        )
        extra: list[Any] = []
        if kw.get("record") and video.metadata.get("trajectory") is not None:
            extra.append(TrajectoryViewer(video, height=self.height))
        if self.viewer is not None and self.comparison:
            extra.append(self.viewer)
        self._extra.children = tuple(extra)
        return video

    def _on_generate(self, button: Any = None) -> None:
        self.generate()

    def add_to_comparison(self, label: str | None = None) -> str:
        """Add the last result to :attr:`comparison` and the viewer; returns its label.

                Example:
        >>> import vidkit as vk
                    >>> panel = vk.widgets.GenerationPanel(vk.load("vidkit/tiny-physics"))
                    >>> panel.steps.value = 4
                    >>> video = panel.generate()
                    >>> panel.add_to_comparison("4 steps")
                    '4 steps'
                    >>> list(panel.comparison)
                    ['4 steps']
        """
        if self.result is None:
            raise ValueError("nothing to add: generate a video first")
        meta = self.result.metadata
        if label is None:
            prompt = str(meta.get("prompt") or self.prompt.value).strip()
            if len(prompt) > 60:
                prompt = prompt[:59] + "…"
            base = f"{prompt} · seed {meta.get('seed', self.seed.value)} · {meta.get('steps', '?')} steps"
            label, n = base, 2
            while label in self.comparison:
                label, n = f"{base} ({n})", n + 1
        clean = self.result.with_metadata()
        clean.metadata.pop("trajectory", None)
        self.comparison[label] = clean
        if self.viewer is None:
            self.viewer = CompareViewer({label: clean}, height=self.height)
        else:
            self.viewer.add(label, clean)
        if self.viewer not in self._extra.children:
            self._extra.children = (*self._extra.children, self.viewer)
        self.status.value = f"added to the comparison as {html.escape(label)!r}"
        return label

    def _on_add(self, button: Any = None) -> None:
        try:
            self.add_to_comparison()
        except ValueError as exc:
            self.error = str(exc)
            self.status.value = f"<span style='color:#c33'>{html.escape(str(exc))}</span>"
