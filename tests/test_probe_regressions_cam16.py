"""Regression tests of issue 13's fourteenth pass on the camera (helper cam16), on clips of the
independent renderer (:mod:`vidkit.validation`, development seeds 13-16 of
``benchmarks/probe_accuracy.py --n-violation 48``), each naming what the probes got wrong.
"""

from __future__ import annotations

import numpy as np
from _helpers import validation_report

# seed 15 recolor 1554048: a ball rolling under a shaking camera over faint perlin noise
SHAKE_PERLIN = {
    "kind": "roll", "seed": 1554048, "violation": "recolor", "camera": "shake",
    "size": [96, 72], "fps": 8.0, "frames": 25, "background": "perlin", "blur": 0.0,
    "noise": 0.017977584529279857, "jpeg": None, "lighting": 0.011435876501599482,
    "occluders": 0,
}  # fmt: skip


def _stabilised_error(clip, cam) -> float:
    """The largest distance (px, at the frame's corners) between the camera's maps of the
    frames and the renderer's truth."""
    from vidkit.probes.camera_dense import corner_moves, invert_affine

    H, W = clip.video.frames.shape[1:3]
    truth = clip.truth["camera_motion"]
    ox, oy = cam.origin
    errs = []
    for t, m in enumerate(cam.to_ref):
        m = m.copy()
        m[0, 2] += ox
        m[1, 2] += oy
        errs.append(corner_moves(m, invert_affine(truth[t]), W, H))
    return float(max(errs))


def test_shaking_camera_over_faint_texture_is_aligned_where_the_balls_rims_disagree():
    # the direct alignment at the renderer's true camera: the frame's textured quarter held the
    # ball's rim, and every disagreeing textured pixel was on the ball (710 of 710 at frame 5),
    # so 8 of 24 frames agreed on less than 60% and were refused (more than a quarter: the
    # shot was "not a plain shift/rotation/zoom", cannot judge, a missed recolour). Over the
    # pixels textured in both frames the true map agrees on 0.67-0.72
    from vidkit import validation
    from vidkit.probes.camera_dense import DENSE_MIN_AGREE, dense_align, dense_gray

    clip = validation.render_spec(SHAKE_PERLIN)
    fr = np.asarray(clip.video.frames, np.float32)
    truth = clip.truth["camera_motion"]
    g0 = dense_gray(fr[0])
    _, own = dense_align(g0, dense_gray(fr[5]), truth[5])
    _, both = dense_align(g0, dense_gray(fr[5]), truth[5], both=True)
    assert own["agree"] < DENSE_MIN_AGREE <= both["agree"], (own["agree"], both["agree"])
    clip, rep = validation_report(SHAKE_PERLIN)
    cam = rep.camera[0]
    assert cam.status == "compensated", cam.reason
    assert _stabilised_error(clip, cam) < 0.5
    res = rep.results["conservation"]
    assert res.passed is False, res.reason
    assert any("changed colour" in f.sentence for f in res.findings if f.severity == "fail")


def test_shaking_camera_over_faint_texture_clean_twin_passes():
    # the same shot without the recolour: judged now (the camera compensated), and it passes
    _, rep = validation_report(SHAKE_PERLIN, violation=None)
    assert rep.camera[0].status == "compensated", rep.camera[0].reason
    assert rep.results["conservation"].passed is True
    assert rep.results["permanence"].passed is True
    assert rep.verdict == "pass", [
        f.sentence for r in rep.results.values() for f in r.findings if f.severity == "fail"
    ]


def test_zoom_over_a_plain_background_is_not_followed_by_the_look_from_a_still_camera():
    # seed 13 clean 1300188 (a ball settling under a slow zoom over a nearly plain background):
    # the corners read a still camera and the look from a still camera (_dense_moving) keeps the
    # frame's own textured quarter. Over the pixels textured in both frames it accepted an
    # alignment that follows the ball (errors up to 16.8 px against the renderer's truth, a
    # zoom of 1.24x): the shot stays static, as on main, and passes
    spec = {
        "kind": "settle", "seed": 1300188, "violation": None, "camera": "zoom",
        "size": [96, 72], "fps": 8.0, "frames": 35, "background": "perlin",
        "blur": 0.8542780315000527, "noise": 0.0043759070670090616, "jpeg": None,
        "lighting": 0.01211783871981217, "occluders": 0,
    }  # fmt: skip
    _, rep = validation_report(spec)
    assert rep.camera[0].status == "static", rep.camera[0].reason
    assert rep.verdict == "pass"
