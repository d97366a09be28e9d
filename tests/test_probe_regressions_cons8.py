"""Regression tests of conservation and continuity on clips of the independent renderer
(:mod:`vidkit.validation`, ``benchmarks/probe_accuracy.py --seed 2``), issue 13's sixth pass:
two false alarms (a smeared ball's size reference, an occluder's centroid read as a stutter) and
three violations that were missed (a resize next to an occluder, a freeze just before the ball
goes behind the occluder, a freeze on a zooming camera). Each test checks the part of the report
that was wrong, not only the verdict.
"""

from __future__ import annotations

import numpy as np
from _helpers import failing_sentences, suite_report

_fails = failing_sentences


def test_smeared_tossed_ball_keeps_its_size():
    # a 3.2 px ball tossed at 25 fps moves more than its radius in all its whole frames but one:
    # the median over them (4.1 px, grown by the smear) was its reference, and its two slowest
    # frames at the end (3.4 px) read as a 16% shrink and a colour change
    clip, rep = suite_report(200055)
    res = rep.results["conservation"]
    assert res.passed is True, _fails(rep)
    assert res.scores["max_color_change"] <= 0.12


def test_occluder_centroid_pushed_by_a_passing_ball_is_not_a_stutter():
    # the static occluder is tracked as an object; a ball passing behind it moves its centroid
    # by a pixel or two for a few frames, and the frames between read as a freeze of 9 frames
    clip, rep = suite_report(200054)
    assert rep.results["continuity"].passed is True, _fails(rep)
    tr = rep.tracks
    still = [i for i in range(tr.n_objects) if tr.visible[i].all()]
    assert still, "the occluder is tracked over the whole clip"
    i = still[0]
    span = np.hypot(*np.ptp(tr.centers[i], axis=0))
    assert span < np.nanmedian(tr.radii[i])  # it goes nowhere: no motion to freeze


def test_resize_next_to_an_occluder_is_caught():
    # the ball (3.8 px) is seen at its old size only in frames flagged as partly hidden (before
    # it goes behind the occluder and in the 3 frames after it comes out), then grows to 5.3 px
    # at frame 31: the plateau at the step and the frames across the hidden stretch hold 4.2 px
    clip, rep = suite_report(253026)
    res = rep.results["conservation"]
    assert res.passed is False, rep.summary
    f = res.findings[0]
    assert "changed size" in f.sentence
    assert 28 <= f.frames[0] <= clip.truth["violation_frames"][0]


def test_freeze_before_the_ball_goes_behind_the_occluder_is_caught():
    # the ball freezes at frames 15-17 while it is already partly behind the occluder, and then
    # is out of sight: no frames after the freeze to fit, the area kept over 3 still steps
    clip, rep = suite_report(257012)
    res = rep.results["continuity"]
    assert res.passed is False, rep.summary
    f = res.findings[0]
    assert "froze" in f.sentence and "out of sight" in f.sentence
    assert set(clip.truth["violation_frames"]) & set(f.frames)


def test_freeze_on_a_zooming_camera_is_caught():
    # frozen frames on a zooming camera: the ball's stabilised steps read 0.03-0.13 px, above
    # the still threshold of 0.1 px that ignored the camera maps' misfit (0.34 px)
    clip, rep = suite_report(257011)
    res = rep.results["continuity"]
    assert res.passed is False, rep.summary
    f = next(f for f in res.findings if "froze" in f.sentence)
    assert set(clip.truth["violation_frames"]) & set(f.frames)
