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
from vidkit.probes.dynamics import _telling_fall
from vidkit.probes.segments import fit_segment
from vidkit.probes.trajectory import Motion

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
    # a piece whose residual is far beyond the position noise holds a change, not a gravity
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

    def judged(y: np.ndarray) -> bool:
        track[0, :, 1] = y
        s = fit_segment(0, fr, track[0], fps, sigma=0.1)
        m = Motion(tr, np.array([0.1]), [[s]], [[]], [None])
        # a reference far from the piece's g: only whether it is a parabola decides
        return _telling_fall(m, s, ref=s.g + 1e5, tol_abs=0.0, se_ref=0.0)

    assert judged(y)
    assert not judged(np.concatenate([y[:3], y[2] - (y[3:] - y[2])]))  # a V: a bounce
