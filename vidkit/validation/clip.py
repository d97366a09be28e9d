"""The ground-truth container of a validation clip (:class:`ValidationClip`)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from vidkit.video import Video

# --------------------------------------------------------------------------------------------
# ground truth container


@dataclass
class ValidationClip:
    """A rendered clip and its ground truth.

    Attributes:
        video: the clip (:class:`vidkit.Video`, uint8-quantised frames).
        truth: ``kind``, ``violation`` (None when clean), ``violation_frames``,
            ``violation_object``, ``violation_params``, ``camera``, ``camera_motion`` (T x 2 x 3:
            maps frame-0 image coordinates of the shot to frame t), ``camera_shift`` (T x 2:
            displacement of the background at the image centre since the shot's first frame),
            ``camera_scale``, ``camera_angle`` (degrees), ``cuts`` (first frame of each new shot),
            ``shots``, ``objects`` (per object: ``x``, ``y``, ``radius``, ``visible``,
            ``visible_fraction`` per frame in image pixels, ``color``, ``shot``), ``occluders``
            (world rectangles), ``g`` (px/s^2 at zoom 1, per shot), ``options`` and ``seed``.

    Example:
        >>> from vidkit import validation
        >>> clip = validation.render("glide", seed=0, size=(96, 72), frames=24)
        >>> [key in clip.truth["objects"][0] for key in ("x", "y", "radius", "visible")]
        [True, True, True, True]
    """

    video: Video
    truth: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """A short name: ``kind/violation/camera/seed``."""
        t = self.truth
        return f"{t['kind']}/{t['violation'] or 'clean'}/{t['camera']}/{t['seed']}"

    def truth_json(self) -> str:
        """The truth as a JSON string (numpy arrays become lists).

        Example:
            >>> from vidkit import validation
            >>> '"kind": "roll"' in validation.render("roll", seed=0, frames=24).truth_json()
            True
        """
        return json.dumps(jsonable(self.truth))


def jsonable(x: Any) -> Any:
    if isinstance(x, dict):
        return {str(k): jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [jsonable(v) for v in x]
    if isinstance(x, np.ndarray):
        return jsonable(x.tolist())
    if isinstance(x, (np.floating,)):
        return float(x)
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (np.bool_,)):
        return bool(x)
    if isinstance(x, float):
        return round(x, 4)
    return x
