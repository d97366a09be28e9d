"""Regression tests of issue 13's twelfth pass on continuity (helper cont14), on clips of the
independent renderer (:mod:`vidkit.validation`, development seeds 11 and 12 of
``benchmarks/probe_accuracy.py --n-violation 48``), each naming what the probes got wrong.
"""

from __future__ import annotations

from _helpers import validation_report


def _continuity(spec: dict) -> list[str]:
    _, rep = validation_report(spec)
    res = rep.results["continuity"]
    return [f.sentence for f in res.findings if f.severity == "fail"]


def test_one_noisy_step_of_a_slow_small_ball_is_no_freeze():
    # seed 11 clean 1100171 (a 3.5 px ball crossing at 8 fps, JPEG 46): truth 1.27-1.30 px per
    # frame; its frames 3 and 4 read 0.35 and 0.83 px off against the motion, one step of
    # 0.11 px, "froze in frames 3-4" against fits of 2.0 and 1.9 px per frame (a 4-point
    # quadratic's end slope errs by 1.57 times the position error). The steps around it (1.46,
    # 1.12, 1.94 and 1.96, 1.12, 1.61 px) put the position error at 0.29 px, 6x that above
    # their medians
    spec = {
        "kind": "crossing", "seed": 1100171, "violation": None, "camera": "static",
        "size": [128, 96], "fps": 8.0, "frames": 55, "background": "checker",
        "blur": 0.5483481279151046, "noise": 0.01648421882639062, "jpeg": 46,
        "lighting": 0.02449592418950192, "occluders": 1, "attempt": 4,
    }  # fmt: skip
    fails = _continuity(spec)
    assert not any("froze" in s for s in fails), fails


def test_held_frames_of_a_settling_ball_are_still_a_freeze():
    # the opposite case, a still camera: seed 11 stutter 1157077 (frames 14-15 hold frame 13,
    # 10 fps): the ball stops for 2 steps, found as a freeze
    spec = {
        "kind": "settle", "seed": 1157077, "violation": "stutter", "camera": "static",
        "size": [128, 96], "fps": 10.0, "frames": 49, "background": "gradient",
        "blur": 0.4418251059524152, "noise": 0.02138907390042178, "jpeg": None,
        "lighting": 0.008689986225514104, "occluders": 0, "attempt": 6,
    }  # fmt: skip
    fails = _continuity(spec)
    assert any("froze in frames 13-15" in s for s in fails), fails


def test_fast_bounce_at_a_low_frame_rate_is_no_jump():
    # seed 11 clean 1100055 (a ball bouncing at 12 fps, bounces 6 frames apart): every fitted
    # piece had g = 0 (pieces of 2-4 frames, the shot's gravity unmeasured) and its falls,
    # 1.6, 9.2 then 17.4 px a step, read as "jumped 17 px, 2x its usual step" (and 20 and
    # 22 px at the other bounces); its positions' second differences read 8.3 px a frame
    # per frame (truth 8.3), what gravity adds to a step
    spec = {
        "kind": "bounce", "seed": 1100055, "violation": None, "camera": "static",
        "size": [160, 120], "fps": 12.0, "frames": 49, "background": "gradient",
        "blur": 0.25938769950500723, "noise": 0.024312577358389827, "jpeg": None,
        "lighting": 0.0008115841257113665, "occluders": 0, "cut": True, "attempt": 0,
    }  # fmt: skip
    fails = _continuity(spec)
    assert not any("jumped" in s for s in fails), fails


def test_teleport_of_a_falling_ball_at_a_low_frame_rate_is_still_a_jump():
    # the opposite case: seed 12 teleport 1250036 (a toss at 8 fps, the ball put 35 px away
    # at frame 11) is still a jump with gravity's step read on the positions
    spec = {
        "kind": "toss", "seed": 1250036, "violation": "teleport", "camera": "static",
        "size": [160, 120], "fps": 8.0, "frames": 26, "background": "perlin",
        "blur": 0.6848268669683325, "noise": 0.008764163247913868, "jpeg": None,
        "lighting": 0.015975689201730266, "occluders": 0, "attempt": 0,
    }  # fmt: skip
    fails = _continuity(spec)
    assert any("jumped 35 px between frames 10 and 11" in s for s in fails), fails


def test_slow_zoom_of_a_plain_scene_shows_no_held_picture():
    # seed 11 clean 1100086 (a zoom of 0.45 px a pair at the corners, 10 fps): the corners'
    # fit reads every pair as the identity and the frames differ by their noise alone, and
    # "frames 21-26 show one picture"; the frame maps read 0.38-0.77 px in those pairs, 0.87
    # of the shot's median (0.70): the camera moves through them. Likewise seed 12 clean
    # 1200047 (0.36 px against 0.48)
    spec = {
        "kind": "glide", "seed": 1100086, "violation": None, "camera": "zoom",
        "size": [192, 108], "fps": 10.0, "frames": 39, "background": "stripes",
        "blur": 0.7124651802535555, "noise": 0.009164393539415457, "jpeg": 58,
        "lighting": 0.03228177608793753, "occluders": 0, "attempt": 0,
    }  # fmt: skip
    fails = _continuity(spec)
    assert not any("one picture" in s for s in fails), fails


def test_held_pictures_of_a_zoom_and_a_shake_are_still_found():
    # the opposite cases (reported as held pictures, or as the freeze of the object they hold
    # still): seed 11 stutter 1157044 (a zoom, 4 held pairs whose maps read
    # 0.02-0.05 px against the shot's 0.28) and 1157078 (a shake at 30 fps, 3 held pairs at
    # 0.07, 0.18 and 0.27 px against 0.91)
    zoom = {
        "kind": "glide", "seed": 1157044, "violation": "stutter", "camera": "zoom",
        "size": [96, 72], "fps": 8.0, "frames": 24, "background": "stripes",
        "blur": 0.45365700132899667, "noise": 0.006377697461755862, "jpeg": None,
        "lighting": 0.03752536053225029, "occluders": 1, "attempt": 5,
    }  # fmt: skip
    fails = _continuity(zoom)
    assert any("6-10" in s and ("one picture" in s or "froze" in s) for s in fails), fails
    shake = {
        "kind": "roll", "seed": 1157078, "violation": "stutter", "camera": "shake",
        "size": [320, 180], "fps": 30.0, "frames": 60, "background": "perlin",
        "blur": 0.4411031762743766, "noise": 0.01813147519496729, "jpeg": None,
        "lighting": 0.02017297016481049, "occluders": 0, "attempt": 1,
    }  # fmt: skip
    fails = _continuity(shake)
    assert any("35-38" in s and ("one picture" in s or "froze" in s) for s in fails), fails


def test_held_ball_going_behind_an_occluder_with_no_measured_sigma_is_a_freeze():
    # seed 12 stutter 1257042 (frames 19-20 hold frame 18, 30 fps, JPEG 41): the ball goes
    # behind an occluder and is never whole for 6 frames in a row, so its sigma read 0 and a
    # still step had to be under 0.1 px; its held, partly hidden centroid moved 0.26 and 0.23
    # px (fresh sensor noise). Its seen frames' positions read a noise of 0.29 and 0.13 px
    spec = {
        "kind": "occluded", "seed": 1257042, "violation": "stutter", "camera": "static",
        "size": [192, 108], "fps": 30.0, "frames": 53, "background": "checker",
        "blur": 0.7513897961979867, "noise": 0.022817060237733774, "jpeg": 41,
        "lighting": 0.00011382004327421757, "occluders": 1, "attempt": 1,
    }  # fmt: skip
    fails = _continuity(spec)
    assert any("froze in frames 18-20" in s for s in fails), fails
