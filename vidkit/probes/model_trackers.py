"""Model-based trackers for the physics probes: SAM 2 / EdgeTAM / SAM 3 video masks, CoTracker points.

The classical tracker (:func:`vidkit.probes.track`) needs no weights and stays the default. Where it
struggles (real footage, heavy clutter, long occlusions), a learned tracker can supply the tracks
instead. Each tracker here is a callable ``tracker(video) -> Tracks`` returning the same
:class:`~vidkit.probes.tracking.Tracks` as the classical one (x = column, y = row, pixel centres at
integer coordinates, original pixel coordinates), so every probe reads it unchanged:

* :class:`Sam2VideoTracker`: a promptable video segmentation model from transformers
  (``Sam2VideoModel``, ``EdgeTamVideoModel`` or ``Sam3TrackerVideoModel``) loaded from a local folder
  or a hub id. Each object is prompted (points or a box at a frame; by default the centroid of every
  object the classical tracker finds, at its first clean frame) and propagated through the video
  with transformers' video inference session; each object's mask per frame becomes its centroid,
  area, radius, colour and visibility (:func:`tracks_from_masks`).
* :class:`CoTrackerTracker`: CoTracker 3 point tracks through ``torch.hub.load`` on a local clone of
  the repository and a local checkpoint. A few query points on each object (found by the classical
  tracker) are tracked; the object's centre per frame is the median of its points' positions
  (each shifted by its offset from the centre at the query frame); its radius and colour come from
  the classical tracker.

Nothing is downloaded unless a hub id that is not cached is given to :class:`Sam2VideoTracker`
(transformers then fetches it, as ``from_pretrained`` always does). ``trust_remote_code`` is never
set; weights are read by transformers (safetensors) or ``torch.load(weights_only=True)``.

Example:
    >>> import vidkit as vk
    >>> from vidkit.probes.model_trackers import Sam2VideoTracker
    >>> sam = Sam2VideoTracker("facebook/sam2.1-hiera-tiny", device="cuda")  # doctest: +SKIP
    >>> rep = vk.probes.physics("clip.mp4", tracker=sam)  # doctest: +SKIP
    >>> tracks = sam(vk.synth.render("bounce", seed=0).video)  # doctest: +SKIP
    >>> vk.probes.gravity(tracks).sentence  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from vidkit.probes.model_trackers_cotracker import CoTrackerTracker
from vidkit.probes.model_trackers_masks import tracks_from_masks
from vidkit.probes.model_trackers_sam import (
    MODEL_FAMILIES,
    Prompt,
    Sam2VideoTracker,
    prompts_from_tracks,
)
from vidkit.probes.tracking import Tracks, track
from vidkit.video import Video

__all__ = [
    "CoTrackerTracker",
    "as_tracker",
    "MODEL_FAMILIES",
    "Prompt",
    "Sam2VideoTracker",
    "prompts_from_tracks",
    "tracks_from_masks",
]


def as_tracker(tracker: Any) -> Callable[[Video], Tracks]:
    """Check that ``tracker`` is ``"classical"`` or a callable ``tracker(video) -> Tracks``.

    Example:
        >>> as_tracker("classical") is track
        True
    """
    if tracker is None or (isinstance(tracker, str) and tracker == "classical"):
        return track
    if callable(tracker):
        return tracker
    raise ValueError(
        f"tracker must be 'classical' or a callable video -> Tracks (such as Sam2VideoTracker or "
        f"CoTrackerTracker), got {tracker!r}"
    )
