"""The camera table a user reads: every pair of a compensated shot has its motion, also the pairs
its corners did not measure (read from the maps the frames were stabilised with)."""

from __future__ import annotations

import numpy as np

import vidkit as vk
from vidkit import validation


def test_a_compensated_pan_has_a_motion_for_every_frame_pair():
    # notebook 04's clip: a pan over a faint texture; the corners measure 7 of its 31 pairs and
    # the direct alignment the rest. The table showed NaN for 24 pairs marked "compensated",
    # and the notebook's camera plot only its last 5 pairs
    clip = validation.render("occluded", seed=0, camera="pan", size=(192, 108), fps=24)
    cam = vk.probes.physics(clip.video).camera_table()
    assert len(cam) == 31 and set(cam["status"]) == {"compensated"}
    assert np.isfinite(cam[["dx", "dy", "rotation_deg", "zoom"]].to_numpy()).all()
    by = cam["measured_by"]
    assert set(by) == {"corners", "frame maps"}
    # one pan: the pairs read from the maps move the way the corners' pairs do, at a pan's pace
    corners, maps = cam.loc[by == "corners", "dx"], cam.loc[by == "frame maps", "dx"]
    assert np.sign(corners.median()) == np.sign(maps.median()) != 0
    assert (maps.abs() < 3).all() and (cam["zoom"].sub(1).abs() < 0.01).all()
