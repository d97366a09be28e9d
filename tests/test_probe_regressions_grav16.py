"""Regression tests of issue 13's fourteenth pass on gravity (helper grav16), on clips of the
independent renderer (:mod:`vidkit.validation`, development seeds 13-16 of
``benchmarks/probe_accuracy.py --n-violation 48``), each naming what the probes got wrong:
a gravity that changed while the ball was behind an occluder, judged by one parabola through
its free flight on both sides of the gap (:mod:`vidkit.probes.dynamics_gaps`).
"""

from __future__ import annotations

from _helpers import validation_report


def _fails(res) -> list[str]:
    return [f.sentence for f in res.findings if f.severity == "fail"]


def _gaps(res) -> list[str]:
    return [s for s in _fails(res) if "no constant gravity puts it" in s]


def test_stronger_gravity_behind_an_occluder_fails_across_the_gap():
    # seed 15 wrong_gravity 1555084 (an occluded shot under a shake at 60 fps, gravity 3.07x
    # from frame 16, while the ball is hidden): the pieces on either side, 0-4 (607 px/s^2)
    # and 22-26 (1723), each carry a camera error of 507 px/s^2 and passed against each
    # other. One parabola through both misses by 1.6 px; joining them adds a chi-square of
    # 168 against 16.3 (99.9%, 3 parameters)
    spec = {
        "kind": "occluded", "seed": 1555084, "violation": "wrong_gravity", "camera": "shake",
        "size": [96, 72], "fps": 60.0, "frames": 33, "background": "perlin",
        "blur": 0.29879458135977544, "noise": 0.014569085385063123, "jpeg": None,
        "lighting": 0.013158786787862998, "occluders": 0,
    }  # fmt: skip
    _, rep = validation_report(spec)
    res = rep.results["gravity"]
    assert _gaps(res), _fails(res)


def test_gravity_switched_off_behind_an_occluder_fails_across_the_gap():
    # seed 16 wrong_gravity 1655079 (a pan at 15 fps, gravity off from frame 17, the ball
    # passing behind an occluder in frames 19-40): after the gap it falls at a constant speed
    # (-2.2 +- 14 px/s^2 over frames 41-46) into a bounce. That piece was taken for a ball
    # settling onto the floor (it "slowed down" by -2 px/s^2) and never judged, and alone it
    # is too short to fail (30 px/s^2 with its contact frame weighed); one parabola through
    # frames 0-19 (63 px/s^2) and 41-46 misses by 5.1 px (chi-square 4026 against 16.3)
    spec = {
        "kind": "occluded", "seed": 1655079, "violation": "wrong_gravity", "camera": "pan",
        "size": [192, 108], "fps": 15.0, "frames": 50, "background": "perlin", "blur": 0.0,
        "noise": 0.0036187652281520493, "jpeg": None, "lighting": 0.03695614830304569,
        "occluders": 1,
    }  # fmt: skip
    _, rep = validation_report(spec)
    res = rep.results["gravity"]
    assert _gaps(res), _fails(res)


def test_hidden_bounce_and_apex_in_a_gap_are_no_wrong_gravity():
    # the opposite case: seed 14 clean 1400048 (a still camera at 10 fps): the ball falls out
    # of sight at frame 8, bounces off the floor unseen (frames 9-11), turns at its apex and
    # is seen falling again from frame 16. Both sides fall, and one parabola misses by 15.8 px;
    # but frames 0-7 carried on reach the floor (the lowest height the ball is seen at) inside
    # the gap, where the ball is not seen: a bounce may hide there, and the joint is not judged
    spec = {
        "kind": "occluded", "seed": 1400048, "violation": None, "camera": "static",
        "size": [160, 120], "fps": 10.0, "frames": 54, "background": "checker",
        "blur": 0.33612339739516406, "noise": 0.01679918674194907, "jpeg": None,
        "lighting": 0.0056215321187750526, "occluders": 0, "cut": True,
    }  # fmt: skip
    _, rep = validation_report(spec)
    res = rep.results["gravity"]
    assert not _gaps(res), _fails(res)


def test_slow_camera_error_left_in_a_crossing_is_under_the_miss_floor():
    # the opposite case: seed 14 clean 1400103 (two balls crossing under a pan at 48 fps that
    # was judged still, its motion left in the tracks): each ball's sides around the crossing
    # exceed the chi-square limit (91 and 85 against 16.3) but the best parabola misses by
    # 0.47-0.51 px, under the 1 px floor (MISS_PX)
    spec = {
        "kind": "crossing", "seed": 1400103, "violation": None, "camera": "pan",
        "size": [256, 144], "fps": 48.0, "frames": 28, "background": "stripes",
        "blur": 0.20205382287707577, "noise": 0.017139363825999145, "jpeg": None,
        "lighting": 0.023975425001381362, "occluders": 0,
    }  # fmt: skip
    _, rep = validation_report(spec)
    res = rep.results["gravity"]
    assert res.passed is True, _fails(res)
