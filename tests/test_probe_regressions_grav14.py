"""Regression tests of issue 13's twelfth pass on gravity and bounces (helper grav14), on clips of
the independent renderer (:mod:`vidkit.validation`, development seeds 10, 11 and 12 of
``benchmarks/probe_accuracy.py --n-violation 48``), each naming what the probes got wrong.
"""

from __future__ import annotations

from _helpers import validation_report


def _fails(res) -> list[str]:
    return [f.sentence for f in res.findings if f.severity == "fail"]


def test_ball_behind_an_occluder_corner_without_a_merge_carries_its_hidden_share():
    # seed 10 clean 1000191 (a toss at 60 fps under a zoom): the ball passes behind an
    # occluder's corner, 88-96% visible in the renderer, with no merged frame; its radius reads
    # 12.34-12.84 px against its own 13.20 (spread 0.08 px), and its 5-frame piece read
    # g = 1955 px/s^2 against 1342 (covered today by the corners' misfit floor of the camera's
    # error too, which does not hold without it: the frames carry the hidden share's shift)
    spec = {
        "kind": "toss", "seed": 1000191, "violation": None, "camera": "zoom",
        "size": [160, 120], "fps": 60.0, "frames": 43, "background": "perlin",
        "blur": 0.8238360710527288, "noise": 0.020280906611464717, "jpeg": None,
        "lighting": 0.03637618950776075, "occluders": 1,
    }  # fmt: skip
    _, rep = validation_report(spec)
    res = rep.results["gravity"]
    assert res.passed is True, _fails(res)


def test_ball_going_behind_an_occluder_does_not_accelerate_sideways():
    # seed 11 clean 1100053 (8 fps, still camera): in the two frames before its merge with
    # the occluder the ball reads radii 13.71 and 13.47 px against 14.08 and its centroid lags
    # 0.1 and 0.8 px behind the renderer's; its 5-frame piece read -16.4 px/s^2 sideways
    # against a limit of 15.1. Refitted with those frames' centroid shift it holds no finding
    spec = {
        "kind": "occluded", "seed": 1100053, "violation": None, "camera": "static",
        "size": [256, 144], "fps": 8.0, "frames": 63, "background": "checker",
        "blur": 0.2661452460861321, "noise": 0.0064915596577021445, "jpeg": None,
        "lighting": 0.012328737128699837, "occluders": 0,
    }  # fmt: skip
    _, rep = validation_report(spec)
    res = rep.results["gravity"]
    assert not any("sideways" in s for s in _fails(res)), _fails(res)


def test_energy_gain_after_a_long_fall_is_read_with_the_shot_gravity():
    # seed 12 energy_gain 1256048 (12 fps, restitution 1.37 at the second bounce): the 6-frame
    # rebound's free quadratic read its velocity at the contact as 32.5 +- 2.6 px/s, so
    # e = 1.32 +- 0.11 passed; under the shot's gravity (29.0-29.9 px/s^2 from the long pieces,
    # which the piece's own 22.6 agrees with) e = 1.40 fails. The first bounce (e = 0.54)
    # stays no finding
    spec = {
        "kind": "toss", "seed": 1256048, "violation": "energy_gain", "camera": "static",
        "size": [96, 72], "fps": 12.0, "frames": 63, "background": "gradient",
        "blur": 0.6908885101989799, "noise": 0.003567348990514014, "jpeg": 49,
        "lighting": 0.006151102332473349, "occluders": 0,
    }  # fmt: skip
    _, rep = validation_report(spec)
    res = rep.results["bounce"]
    fails = [f for f in res.findings if f.severity == "fail"]
    assert fails and all(f.frames[0] >= 50 for f in fails), _fails(res)


def test_bounce_left_inside_a_piece_is_no_upward_gravity():
    # seed 9 clean 900062 (a toss under a zoom at 8 fps): the partition left the bounce
    # between frames 27 and 28 inside a 7-frame piece, 0.84 px rms off its best parabola (a V
    # in the renderer's path), read as gravity pointing up at 53 px/s^2; a hinge there leaves
    # 0.13 px rms (F = 126 against 34.1), so the piece measures no gravity. A true upward
    # gravity (seed 12 wrong_gravity 1255050, 9 frames at -84 px/s^2) is still caught
    spec = {
        "kind": "toss", "seed": 900062, "violation": None, "camera": "zoom", "size": [96, 72],
        "fps": 8.0, "frames": 42, "background": "gradient", "blur": 0.785732110135317,
        "noise": 0.02208774178375958, "jpeg": 40, "lighting": 0.0073196353866174044,
        "occluders": 0,
    }  # fmt: skip
    _, rep = validation_report(spec)
    res = rep.results["gravity"]
    assert not any("points up" in s for s in _fails(res)), _fails(res)
    up = {
        "kind": "crossing", "seed": 1255050, "violation": "wrong_gravity", "camera": "static",
        "size": [128, 96], "fps": 25.0, "frames": 31, "background": "gradient", "blur": 0.0,
        "noise": 0.003971000533599356, "jpeg": 67, "lighting": 0.018286701266595595,
        "occluders": 0,
    }  # fmt: skip
    _, rep = validation_report(up)
    assert any("points up" in s for s in _fails(rep.results["gravity"]))
