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

from vidkit.widgets.compare_viewer import CompareViewer
from vidkit.widgets.frames import DISPLAY_HEIGHT, frame_png
from vidkit.widgets.generation_panel import WARMUP_MAX_PARAMS, GenerationPanel
from vidkit.widgets.trajectory_viewer import TrajectoryViewer

__all__ = [
    "CompareViewer",
    "GenerationPanel",
    "TrajectoryViewer",
    "frame_png",
    "DISPLAY_HEIGHT",
    "WARMUP_MAX_PARAMS",
]
