"""Synthetic physics scenes with exact ground truth and controlled violations.

Six kinds of scene (:data:`KINDS`), rendered with antialiased discs whose rendered centroid is the
true centre to a fraction of a pixel, each with a :class:`Truth` (centres, radii, velocities,
visibility, colours, events, constants) and, on request, one of ten controlled violations
(:data:`VIOLATIONS`) that changes exactly what it names. :func:`dataset` writes many scenes as
mp4 files plus a :class:`datasets.Dataset` index.

Example:
    >>> import vidkit as vk
    >>> scene = vk.synth.render("bounce", seed=0, violation="teleport")
    >>> scene.prompt.split()[2]
    'ball'
    >>> scene.truth.violation["name"]
    'teleport'
"""

from __future__ import annotations

from vidkit.synth.drawing import BACKGROUNDS, PALETTE

# vk.synth.dataset is the function (its module is synth/export.py); the heavy `datasets`
# library is imported inside the function only
from vidkit.synth.export import combinations, dataset
from vidkit.synth.kinds import KIND_PARAMS, KINDS
from vidkit.synth.scenes import Scene, Truth, describe, render
from vidkit.synth.violations import VIOLATION_PARAMS, VIOLATIONS

__all__ = [
    "KINDS",
    "VIOLATIONS",
    "BACKGROUNDS",
    "PALETTE",
    "KIND_PARAMS",
    "VIOLATION_PARAMS",
    "Scene",
    "Truth",
    "describe",
    "render",
    "dataset",
    "combinations",
]
