"""Regression tests of the gravity probe (ninth pass of issue 13) on clips of the independent
renderer (:mod:`vidkit.validation`), dev seeds of ``benchmarks/probe_accuracy.py``.

Each test names what went wrong on its clip (a contact frame bending a short fall, a bounce
inside one unsplit piece read as a parabola, a rolling ball read as a pendulum, a hop under a
wrong gravity taken for a settling) and checks the part of the report that was wrong.
"""

from __future__ import annotations

import numpy as np
import pytest
from _helpers import failing_sentences, suite_report

import vidkit as vk
from vidkit.probes.dynamics import _is_parabola
from vidkit.probes.segments import fit_segment

_fails = failing_sentences


@pytest.mark.parametrize(
    "seed",
    [
        # toss, 30 fps, blur: the last frame before the bounce (its exposure holds the contact)
        # sits 0.42 px off the fall and bent the 5-frame piece 42-46 to g = 135 against 250
        200146,
        # settle, 24 fps: the frame before a bounce 0.5 px off; 5 frames read as g = 3.4
        200036,
        # settle, 48 fps: a hop between a bounce and the rest, both ends touching the floor
        500073,
    ],
)
def test_a_frame_at_a_contact_does_not_bend_a_short_fall_into_a_gravity_change(seed):
    _, rep = suite_report(seed)
    assert rep.results["gravity"].passed is not False, _fails(rep)


def test_a_bounce_inside_one_unsplit_piece_is_no_parabola():
    # toss, 60 fps: a bounce inside 6 frames (32-37), too short on either side to pay a piece's
    # penalty, was fitted as one parabola with g = -8228 px/s^2 (residual 0.94 px where the
    # position noise is 0.28): it measures no gravity
    _, rep = suite_report(400124)
    assert rep.results["gravity"].passed is not False, _fails(rep)


def test_a_residual_beyond_the_noise_is_no_parabola():
    fps, fr = 60.0, np.arange(6)
    t = fr / fps
    y = 50 + 200 * t + 0.5 * 900 * t**2
    track = np.zeros((1, 6, 2))
    track[0, :, 1] = y
    tr = vk.probes.Tracks(
        track,
        np.full((1, 6), 4.0),
        np.full((1, 6), 50.0),
        np.zeros((1, 6, 3)),
        np.ones((1, 6), bool),
        np.zeros((1, 6), bool),
        np.zeros((1, 6), bool),
        fps,
        (72, 96),
        np.zeros((72, 96, 3)),
    )
    s = fit_segment(0, fr, track[0], fps)
    assert _is_parabola(tr, s, 0.1)
    v = np.concatenate([y[:3], y[2] - (y[3:] - y[2])])  # a V: a bounce at frame 2
    track[0, :, 1] = v
    s = fit_segment(0, fr, track[0], fps)
    assert not _is_parabola(tr, s, 0.1)


# the rolling ball of seed 2 clean 200114 read as a pendulum: tests/test_probe_regressions_perm8.py
# (test_rolling_ball_of_200114_is_not_failed, no longer an xfail)


def test_a_hop_under_a_wrong_gravity_is_free_flight_not_a_settling():
    # occluded, zoom: after the occluder the ball hops under 2.9 times the gravity for 14
    # frames and lands slower than it left, into a rest; the hop was taken for a settling
    # (contact) and its gravity never judged
    clip, rep = suite_report(655041)
    (vf,) = clip.truth["violation_frames"]
    fails = [f for f in rep.results["gravity"].findings if f.severity == "fail"]
    assert fails and all(min(f.frames) >= vf for f in fails), _fails(rep)
