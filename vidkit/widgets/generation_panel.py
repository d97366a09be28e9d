""":class:`GenerationPanel`: a form around ``vk.generate`` (prompt, negative prompt, optional
image or video, steps, guidance, seed, frames) with a progress bar, a live latent preview, the
result and "add to comparison" (into a :class:`~vidkit.widgets.CompareViewer`).

Example:
    >>> import vidkit as vk
    >>> panel = GenerationPanel(vk.load("vidkit/tiny-physics"), warmup=False)
    >>> panel.result is None
    True
"""

from __future__ import annotations

import html
import io
import time
import traceback
from typing import Any

import ipywidgets as W

from vidkit.video import Video
from vidkit.widgets.compare_viewer import CompareViewer
from vidkit.widgets.frames import DISPLAY_HEIGHT, frame_png
from vidkit.widgets.trajectory_viewer import TrajectoryViewer

__all__ = ["WARMUP_MAX_PARAMS", "GenerationPanel"]

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
        height: int = DISPLAY_HEIGHT,
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
