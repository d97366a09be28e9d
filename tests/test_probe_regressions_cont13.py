"""Regression tests of the continuity probe's held pictures (stutter under a moving camera) on
clips of the independent renderer (:mod:`vidkit.validation`) from issue 13's eleventh pass, each
with the cause it pins down; the specs are the clips' render arguments
(``benchmarks/probe_accuracy.py --renderer validation --n-clean 200 --n-violation 48 --seed
0/7``).
"""

from __future__ import annotations

import numpy as np
from _helpers import failing_sentences, validation_report

from vidkit.probes.held import held_pictures

_fails = failing_sentences


def _zoom_spec(**spec):
    return {
        "violation": "stutter",
        "camera": "zoom",
        "blur": 0.0,
        "jpeg": None,
        "occluders": 0,
        **spec,
    }


def test_held_frames_of_a_zoom_whose_corner_fits_read_the_pairs_before_them_still():
    # a zoom of 0.58% a pair (0.64 px at the frame's corners): the corners' fit of a pair tests
    # a still camera by the corners' MEAN shift, which a zoom about the centre does not have, so
    # 7 of its moving pairs read 0.00 px, the two right before the 4 held frames among them; the
    # frame maps the shot was stabilised with read every moving pair at 0.66-1.04 px
    spec = _zoom_spec(
        kind="occluded",
        seed=757062,
        size=[192, 108],
        fps=15.0,
        frames=26,
        background="perlin",
        noise=0.011499999938673785,
        lighting=0.03386932948671443,
    )
    clip, rep = validation_report(spec)
    cam = rep.tracks.shot_camera(0)
    vf = clip.truth["violation_frames"]
    assert np.asarray(cam.dx, float)[vf[0] - 2] == 0.0  # the corners read the pair still
    held = held_pictures(rep.tracks, 0.75)
    assert [(a, b) for a, b, _ in held] == [(vf[0] - 1, vf[-1])]
    assert rep.results["continuity"].passed is False, _fails(rep)


def test_held_frames_of_a_slow_zoom_are_found_on_the_frame_maps():
    # a zoom of 0.26 px a pair at the corners, below STILL_PX in most corners: every pair's
    # corner fit is the identity, so no run of held pairs stands out of them; the frame maps
    # read 0.18-0.30 px in the moving pairs, 0.02 px in the 2 held ones and 0.72 px in the pair
    # after them (3 pairs' worth)
    spec = _zoom_spec(
        kind="settle",
        seed=757044,
        size=[96, 72],
        fps=30.0,
        frames=45,
        background="checker",
        noise=0.018632207849396946,
        lighting=0.01873184419445158,
    )
    clip, rep = validation_report(spec)
    held = held_pictures(rep.tracks, 0.75)
    vf = clip.truth["violation_frames"]
    assert [(a, b) for a, b, _ in held] == [(vf[0] - 1, vf[-1])]
    assert "makes up for it" in held[0][2]
    assert rep.results["continuity"].passed is False, _fails(rep)


def test_a_zoom_slower_than_still_px_has_no_held_pictures():
    # the opposite case: a clean zoom of 0.14 px a pair at the corners (below STILL_PX), whose
    # maps read 0.11-0.29 px a pair; one pair's corner fit read 0.68 px, a "catch-up" after two
    # pairs the maps read at 0.147 and 0.149 px. The slow camera's runs are judged on the maps
    # alone, which put that pair at 0.19 px
    spec = _zoom_spec(
        kind="roll",
        seed=59,
        violation=None,
        size=[96, 72],
        fps=24.0,
        frames=64,
        background="checker",
        noise=0.02116030295206082,
        lighting=0.028368429503053023,
    )
    clip, rep = validation_report(spec)
    assert held_pictures(rep.tracks, 0.75) == []
    assert rep.results["continuity"].passed is not False, _fails(rep)


def test_exact_repeats_in_a_compensated_shot_are_frozen_frames():
    # a slow zoom at 8 fps whose 3 repeated frames are exact copies of the frame before them;
    # stabilised by maps that differ by float rounding, their differences read 1.2e-6, 1.1e-8
    # and 2.7e-9 instead of 0, so the exact-repeat test never saw them, and the maps' own error
    # (0.17-0.46 px a pair against the truth's 0.24) hid the catch-up of the slow camera
    spec = _zoom_spec(
        kind="crossing",
        seed=857071,
        size=[192, 108],
        fps=8.0,
        frames=46,
        background="perlin",
        blur=0.808739758599496,
        noise=0.016431609038244175,
        jpeg=44,
        lighting=0.03892160306857107,
    )
    clip, rep = validation_report(spec)
    vf = clip.truth["violation_frames"]
    assert clip.truth["violation_params"]["mode"] == "exact"
    fd = np.asarray(rep.tracks.frame_diff)
    assert np.all(fd[vf[0] - 1 : vf[-1]] == 0.0)
    # every repeated frame is reported, as an exact repeat or inside a freeze of the object
    # that the repeats hold still (a repeat already inside a freeze is not reported twice)
    fails = [f for f in rep.results["continuity"].findings if f.severity == "fail"]
    assert any("repeats" in f.sentence for f in fails), _fails(rep)
    for t in vf:
        assert any(t - 1 in f.frames and t in f.frames for f in fails), (t, _fails(rep))


def test_copied_frame_maps_of_a_slow_zoom_are_no_held_pictures():
    # the opposite case: a clean zoom of 0.15 px a pair whose corners read 3 pairs still, so
    # the camera held their maps (copied from the frame before) and released the zoom they had
    # held back in the next pair (0.91 px): a "catch-up" after maps that measured nothing
    spec = _zoom_spec(
        kind="toss",
        seed=1000149,
        violation=None,
        size=[96, 72],
        fps=30.0,
        frames=53,
        background="perlin",
        blur=0.6324407214439403,
        noise=0.00906727633830056,
        lighting=0.03114418088520115,
        occluders=1,
    )
    clip, rep = validation_report(spec)
    assert held_pictures(rep.tracks, 0.75) == []
    assert rep.results["continuity"].passed is not False, _fails(rep)
