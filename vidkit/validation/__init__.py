"""An independent validation set for the physics probes: a second scene renderer.

This renderer shares no code with :mod:`vidkit.synth` (it imports nothing from it, checked by the
tests) and makes different choices on purpose, so that probes tuned on ``vk.synth`` scenes are
tested on videos they were not tuned on:

* **drawing**: discs are anti-aliased by supersampling (a 3x3 to 5x5 grid of samples per pixel,
  not an analytic edge ramp), with limb darkening (a radially symmetric shading, so the centroid
  stays at the centre); a rolling ball carries a marker that turns with it;
* **physics**: a semi-implicit Euler integrator with many sub-steps per frame and event-based
  bounces (the contact time is located inside the sub-step, the velocity reflected with the
  restitution, and the rest of the sub-step integrated); balls come to rest and then roll with
  friction; gravity is chosen per clip from a fall duration in frames;
* **world and camera**: the scene lives in a world image larger than the frame; each frame is a
  similarity warp of it (``cv2.warpAffine``), so a pan, a small shake or a slow zoom moves the
  textured background consistently; occluders are static rectangles of the world in front of the
  balls;
* **image formation**: motion blur by accumulating sub-frame renders over the shutter time (the
  camera moves during the exposure too), slow lighting drift, Gaussian sensor noise, 8-bit
  quantisation and optional JPEG compression; non-square frames at 8 to 60 fps;
* **shot cuts**: two independent scenes concatenated.

Each clip comes with its ground truth (:attr:`ValidationClip.truth`): kind, violation and its
frames, camera motion per frame, cut frames, and per-object trajectories in image pixels.

Pixel convention: the centre of pixel ``(row, col)`` has coordinates ``(x, y) = (col, row)``
(the one of OpenCV's warps).

Example:
    >>> from vidkit import validation
    >>> clip = validation.render("bounce", seed=1, camera="pan", size=(160, 120), fps=24)
    >>> clip.video.shape[1:], clip.truth["violation"], len(clip.truth["objects"][0]["x"])
    ((120, 160, 3), None, 32)
    >>> clip = validation.render("toss", seed=2, violation="teleport")
    >>> clip.truth["violation"], clip.truth["violation_frames"][0] > 0
    ('teleport', True)
"""

from __future__ import annotations

from vidkit.validation.clip import ValidationClip, jsonable
from vidkit.validation.dataset import specs, suite
from vidkit.validation.kinds import (
    BACKGROUNDS,
    CAMERAS,
    FPS,
    KINDS,
    SIZES,
    VIOLATION_KINDS,
    VIOLATIONS,
)
from vidkit.validation.rendering import render, render_spec

__all__ = [
    "KINDS",
    "VIOLATIONS",
    "CAMERAS",
    "BACKGROUNDS",
    "SIZES",
    "FPS",
    "VIOLATION_KINDS",
    "ValidationClip",
    "render",
    "render_spec",
    "specs",
    "suite",
]

#: The old private name of :func:`vidkit.validation.clip.jsonable` (benchmarks/probe_accuracy.py).
_jsonable = jsonable
