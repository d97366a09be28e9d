"""Regression tests of issue 13's thirteenth pass on gravity (helper grav15), on clips of the
independent renderer (:mod:`vidkit.validation`, development seeds 13 and 14 of
``benchmarks/probe_accuracy.py --n-violation 48``), each naming what the probes got wrong.
"""

from __future__ import annotations

from _helpers import validation_report


def _fails(res) -> list[str]:
    return [f.sentence for f in res.findings if f.severity == "fail"]


def test_bounce_between_frames_inside_a_piece_is_no_wrong_gravity():
    # seed 13 clean 1300110 (a bounce under a zoom at 12 fps, cut at frame 28): the ball comes
    # back into view at frame 48 and bounces 0.3 of the way from frame 50 to 51; the partition
    # left frames 48-53 one piece (a V), read as g = -591.6 px/s^2 against 102.9. Its residual
    # passed as a parabola under the zoom's corner misfit (0.52 px); a hinge scanned at frame
    # times and midpoints only left 1.74 px^2 (F = 11), at its own time 0.034 px^2 (F = 676
    # against 98.5), so the piece measures no gravity
    spec = {
        "kind": "bounce", "seed": 1300110, "violation": None, "camera": "zoom",
        "size": [160, 120], "fps": 12.0, "frames": 54, "background": "stripes",
        "blur": 0.6240036775910364, "noise": 0.017810594219100803, "jpeg": 62,
        "lighting": 0.007573457433463391, "occluders": 0, "cut": True,
    }  # fmt: skip
    _, rep = validation_report(spec)
    res = rep.results["gravity"]
    assert res.passed is True, _fails(res)


def test_strong_gravity_in_a_piece_after_a_bounce_is_still_caught():
    # the opposite case: seed 14 wrong_gravity 1455047 (a bounce under a zoom at 15 fps, a
    # stronger gravity from frame 16): the 7-frame piece 15-21 is one parabola (no hinge fits it far
    # better) and still fails at g = 707 px/s^2 against 294
    spec = {
        "kind": "bounce", "seed": 1455047, "violation": "wrong_gravity", "camera": "zoom",
        "size": [160, 120], "fps": 15.0, "frames": 29, "background": "checker", "blur": 0.0,
        "noise": 0.009977283554357378, "jpeg": None, "lighting": 0.009962670119125435,
        "occluders": 0,
    }  # fmt: skip
    _, rep = validation_report(spec)
    res = rep.results["gravity"]
    assert any("falls with" in s for s in _fails(res)), _fails(res)


def test_four_frames_before_a_stronger_gravity_are_judged_with_the_camera_at_the_ball():
    # seed 14 wrong_gravity 1455057 (an occluded shot under a shake at 48 fps, gravity 3x from
    # frame 7): the ball's frames 4-10 near its apex are flagged partly hidden (its slow frames'
    # blob is smaller than the blurred fast ones), leaving four frames (0-3) before the change,
    # a 4-frame stretch at 1680 px/s^2 (truth 1582) against the shot's 4773. With the corners'
    # misfit (0.35 px) as the camera's error in every frame its error was 1023 px/s^2 and it
    # passed; the background around the ball reads 0.04-0.09 +- 0.08 px, and with that error
    # (669 px/s^2) it fails
    spec = {
        "kind": "occluded", "seed": 1455057, "violation": "wrong_gravity", "camera": "shake",
        "size": [192, 108], "fps": 48.0, "frames": 48, "background": "checker",
        "blur": 0.7912451990724669, "noise": 0.02427416080713483, "jpeg": 66,
        "lighting": 0.034536979536872424, "occluders": 0, "cut": True,
    }  # fmt: skip
    _, rep = validation_report(spec)
    res = rep.results["gravity"]
    assert any("4-frame stretch" in s for s in _fails(res)), _fails(res)


def test_four_frames_of_the_shot_gravity_under_a_pan_stay_no_finding():
    # the opposite case: seed 13 clean 1300178 (an occluded shot under a pan at 24 fps): the
    # four frames 0-3 read 287 +- 31 px/s^2 with the camera's error measured at the ball (125
    # with the misfit in every frame; truth 242) against the shot's 280: no finding
    spec = {
        "kind": "occluded", "seed": 1300178, "violation": None, "camera": "pan",
        "size": [192, 108], "fps": 24.0, "frames": 29, "background": "checker",
        "blur": 0.8888123092756381, "noise": 0.01904790919283807, "jpeg": None,
        "lighting": 0.014947905617310164, "occluders": 0,
    }  # fmt: skip
    _, rep = validation_report(spec)
    res = rep.results["gravity"]
    assert res.passed is True, _fails(res)
