"""Regression tests of issue 13's fourteenth pass on bounces, collisions and stutter (helper
mot16), on clips of the independent renderer (:mod:`vidkit.validation`, development seeds 15
and 16 of ``benchmarks/probe_accuracy.py --n-violation 48``), each naming what the probes got
wrong.
"""

from __future__ import annotations

from _helpers import validation_report


def _fails(rep, probe):
    return [f.sentence for f in rep.results[probe].findings if f.severity == "fail"]


def test_apex_across_a_gap_of_unused_frames_is_no_floor_bounce():
    # seed 15 clean 1500067 (8 fps, a toss after a cut): frames 28-37 around the apex are
    # unreliable; the two pieces of the one parabola met near its top, where their
    # extrapolated vertical velocities (+6.8 and -11.2 px/s, the truth about 0) read as a
    # floor bounce of restitution 1.65. The ball left frame 27 rising and came back falling
    spec = {
        "kind": "bounce", "seed": 1500067, "violation": None, "camera": "static",
        "size": [256, 144], "fps": 8.0, "frames": 43, "background": "checker",
        "blur": 0.6722203372843473, "noise": 0.023105416814014516, "jpeg": None,
        "lighting": 0.01114257381627162, "occluders": 0, "cut": True,
    }  # fmt: skip
    _, rep = validation_report(spec)
    assert _fails(rep, "bounce") == []


def test_energy_gain_at_a_low_frame_rate_bounce_is_still_found():
    # seed 15 energy_gain 1556085 (8 fps, still camera): a rebound of restitution > 1 between
    # two adjacent pieces, falling before and rising after (no apex in between)
    spec = {
        "kind": "bounce", "seed": 1556085, "violation": "energy_gain", "camera": "static",
        "size": [128, 96], "fps": 8.0, "frames": 61, "background": "gradient", "blur": 0.0,
        "noise": 0.016828133961352, "jpeg": 66, "lighting": 0.02568536825137583,
        "occluders": 0,
    }  # fmt: skip
    _, rep = validation_report(spec)
    assert any("restitution" in s for s in _fails(rep, "bounce")), _fails(rep, "bounce")


def test_crossing_under_a_shake_keeps_the_pairs_relative_energy():
    # seed 16 clean 1600123 (two balls crossing under an uncompensated shake, 24 fps): after
    # the joint both balls' velocities are off by the same (-8, -23) px/s (the picture's),
    # their total kinetic energy read +111%; the energy a collision can change, about the
    # pair's centre of mass (the relative velocity), read +10%
    spec = {
        "kind": "crossing", "seed": 1600123, "violation": None, "camera": "shake",
        "size": [256, 144], "fps": 24.0, "frames": 51, "background": "perlin", "blur": 0.0,
        "noise": 0.0227637008212044, "jpeg": 85, "lighting": 0.027921376062881257,
        "occluders": 0,
    }  # fmt: skip
    _, rep = validation_report(spec)
    assert _fails(rep, "bounce") == []


def test_top_of_a_short_hop_at_60_fps_is_no_held_apex():
    # seed 15 clean 1500151 (60 fps, a 7-frame hop): lines through the 3 frames on each side
    # of its top said it moves 3.9 px over frames 42-44 (the truth 0.12 px); falling with the
    # ball's gravity (0.91 px per frame^2, the truth 0.87) they say 0.7 and 0.2 px
    spec = {
        "kind": "bounce", "seed": 1500151, "violation": None, "camera": "static",
        "size": [128, 96], "fps": 60.0, "frames": 52, "background": "stripes",
        "blur": 0.6493518004737535, "noise": 0.013947450137095752, "jpeg": 60,
        "lighting": 0.004436916472404988, "occluders": 0,
    }  # fmt: skip
    _, rep = validation_report(spec)
    assert not any("froze" in s for s in _fails(rep, "continuity")), _fails(rep, "continuity")


def test_held_apex_at_8_fps_is_still_a_freeze():
    # seed 16 stutter 1657064 (8 fps, a ball held in frames 8-10 in flight): the motion on
    # both sides, carried across with the ball's fall, says it moves 5 px there
    spec = {
        "kind": "settle", "seed": 1657064, "violation": "stutter", "camera": "static",
        "size": [320, 180], "fps": 8.0, "frames": 31, "background": "perlin",
        "blur": 0.8679602883959585, "noise": 0.02056668929884981, "jpeg": 68,
        "lighting": 0.03419880917653047, "occluders": 0,
    }  # fmt: skip
    _, rep = validation_report(spec)
    assert any("froze" in s for s in _fails(rep, "continuity")), _fails(rep, "continuity")
