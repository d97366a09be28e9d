"""Regression tests of issue 13's eleventh pass on gravity (helper grav13), on clips of the
independent renderer (:mod:`vidkit.validation`, development seeds 1, 3 and 6 of
``benchmarks/probe_accuracy.py --n-violation 48``), each naming what the probes got wrong.
"""

from __future__ import annotations

import pytest
from _helpers import validation_report

# a gravity made 2.6-2.8 times stronger partway through, under a moving camera: the corners'
# median misfit, taken as independent noise of every frame, made the camera's term of a piece's
# error 4-6 times the fit's own error (the camera's true bend at the object is a sixth of that
# term, measured against the renderer's camera), so the stronger fall passed; the error measured
# from the background around the object keeps the tolerance at what the frames allow
_STRONG = [
    {
        "kind": "bounce", "seed": 350022, "violation": "wrong_gravity", "camera": "pan",
        "size": [96, 72], "fps": 12.0, "frames": 36, "background": "stripes",
        "blur": 0.8736689160824258, "noise": 0.01230863233432413, "jpeg": 53,
        "lighting": 0.01598495961008064, "occluders": 0, "attempt": 0,
    },
    {
        "kind": "occluded", "seed": 650053, "violation": "wrong_gravity", "camera": "zoom",
        "size": [96, 72], "fps": 24.0, "frames": 43, "background": "gradient",
        "blur": 0.3625356974491456, "noise": 0.019677208557820482, "jpeg": None,
        "lighting": 0.031791906644785234, "occluders": 0, "attempt": 4,
    },
]  # fmt: skip


@pytest.mark.parametrize("spec", _STRONG, ids=lambda s: str(s["seed"]))
def test_stronger_gravity_under_a_moving_camera_is_caught(spec):
    clip, rep = validation_report(spec)
    assert clip.truth["violation_params"]["mode"] == "strong"
    res = rep.results["gravity"]
    assert res.passed is False, res.sentence
    bad = [f for f in res.findings if f.severity == "fail"]
    vf = clip.truth["violation_frames"][0]
    # the failing piece starts at or after the change of gravity
    assert any(int(f.frames[0]) >= vf - 3 for f in bad), [f.sentence for f in bad]
    # the same scene with one gravity throughout passes
    _, clean = validation_report(spec, violation=None)
    assert clean.results["gravity"].passed is True, clean.results["gravity"].sentence


def test_blurred_last_frame_before_a_bounce_at_the_cut_is_weighed_by_its_misfit():
    # seed 1 clean 100032 (a bounce at 60 fps under a slow zoom, cut at frame 22 where the ball
    # touches the floor): the track's last frame before the cut is blurred over the contact,
    # 0.73 px off the curve of the piece's other four frames where the noise is 0.06 px, and
    # bent the rise to g = 1.6e4 px/s^2 against 1.97e4; it was covered only by the corners'
    # misfit floor of the camera's error, which overstated the camera's bend
    spec = {
        "kind": "bounce", "seed": 100032, "violation": None, "camera": "zoom",
        "size": [192, 108], "fps": 60.0, "frames": 50, "background": "perlin",
        "blur": 0.851455119451543, "noise": 0.009938481715613783, "jpeg": None,
        "lighting": 0.004961497718448951, "occluders": 1, "cut": True, "attempt": 0,
    }  # fmt: skip
    _, rep = validation_report(spec)
    res = rep.results["gravity"]
    assert res.passed is True, [f.sentence for f in res.findings if f.severity == "fail"]


def test_ball_leaving_an_occluder_partly_hidden_is_weighed_by_its_hidden_share():
    # seed 4 clean 400109 (a ball coming out from behind an occluder at 10 fps under a pan):
    # 2-3 frames after its merged run it is still 92% and 98% visible, unflagged, its centroid
    # 0.57 and 0.17 px off (the renderer's truth); a 5-frame fall read 28 px/s^2 against 13.
    # Its radius there (8.88 and 9.21 px against 9.3) gives the hidden share, and the frames
    # carry the centroid shift it implies; once the camera's error is no longer floored at the
    # corners' misfit, that shift is what keeps the clean clip passing
    spec = {
        "kind": "occluded", "seed": 400109, "violation": None, "camera": "pan",
        "size": [160, 120], "fps": 10.0, "frames": 56, "background": "stripes", "blur": 0.0,
        "noise": 0.01818292851487244, "jpeg": None, "lighting": 0.020233416499681835,
        "occluders": 0, "attempt": 0,
    }  # fmt: skip
    _, rep = validation_report(spec)
    res = rep.results["gravity"]
    assert res.passed is True, [f.sentence for f in res.findings if f.severity == "fail"]
