"""Regression tests of the camera's corner fits (:mod:`vidkit.probes.camera`) on clips of the
independent renderer (:mod:`vidkit.validation`), issue 13's sixth pass.

The clips are named by their seed in the suites of ``benchmarks/probe_accuracy.py``; each test
names what the probes got wrong on it and checks the part of the report that was wrong.
"""

from __future__ import annotations

import numpy as np
from _helpers import failing_sentences, suite_report

from vidkit.probes.camera_cluster import rest_stays_put


def test_corners_all_on_one_ball_over_a_smooth_gradient_are_no_camera_motion():
    # a stutter clip on a STILL camera, 160x120 at 24 fps: a large shaded ball holds 30 of the
    # frame's ~33 corners, a smooth gradient the rest of it; the corners' similarity (the
    # ball's glide plus a 1.6% "zoom") beat a still camera on the textured pixels (the ball's
    # rim), so the shot was "the camera moves (51.2 px) ... only 0% of the corners move
    # together: cannot judge"; the gradient away from the ball shows that it stays put
    clip, rep = suite_report(257024)
    assert clip.truth["camera"] == "static"
    assert [c.status for c in rep.camera] == ["static"], [c.reason for c in rep.camera]
    assert rep.verdict == "fail", rep.summary
    assert rep.results["continuity"].passed is False
    froze = [f for f in rep.results["continuity"].findings if "froze" in f.sentence]
    assert froze, failing_sentences(rep)
    # at the stutter (frames 12-15 hold one picture)
    assert any(set(f.frames) & set(clip.truth["violation_frames"]) for f in froze)


def test_still_elsewhere_measures_the_shift_of_a_smooth_gradient():
    # the direct check behind it: a horizontal ramp of 0.8 gray levels a pixel, shifted by 2 px,
    # moves by 2 px away from a (made-up) corner cluster; left as it is, it stays put
    H, W = 96, 128
    ramp = np.tile(np.arange(W, dtype=np.float32) * 0.8 + 20, (H, 1))
    shifted = np.tile((np.arange(W, dtype=np.float32) - 2.0) * 0.8 + 20, (H, 1))
    cluster = np.array([[60.0, 40.0], [66, 44], [62, 50], [70, 46], [64, 42]])
    move = np.array([[1.0, 0, 2.0], [0, 1.0, 0]])
    g0, g1 = ramp.astype(np.uint8), shifted.astype(np.uint8)
    # the ramp moved with the cluster: the rest of the frame does not stay put
    assert not rest_stays_put(g0, g1, move, cluster, None)
    # the ramp stayed where it was while the cluster moved by 2 px: it does
    assert rest_stays_put(g0, g0.copy(), move, cluster, None)
    # nothing shaded away from the cluster (a plain frame): the check says no
    flat = np.full((H, W), 90, np.uint8)
    assert not rest_stays_put(flat, flat, move, cluster, None)
