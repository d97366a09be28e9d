""":class:`TrajectoryViewer`: scrub through the recorded denoising steps of a generated video
(``vk.generate(..., record="trajectory")`` or ``record="x0"``).

Example:
    >>> import vidkit as vk
    >>> out = vk.generate(vk.load("vidkit/tiny-physics"), prompt="a ball", steps=2, record="x0")
    >>> TrajectoryViewer(out).step_index
    1
"""

from __future__ import annotations

from typing import Any

import ipywidgets as W
import numpy as np

from vidkit.video import Video
from vidkit.widgets.frames import DISPLAY_HEIGHT, frame_png

__all__ = ["TrajectoryViewer"]


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

    def __init__(self, result: Any, *, height: int = DISPLAY_HEIGHT) -> None:
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
