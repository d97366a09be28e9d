"""Regression tests of issue 13's seventh pass on stutter (held frames) and shot cuts, on clips of
the independent renderer (:mod:`vidkit.validation`, ``benchmarks/probe_accuracy.py --seed 3``).

A stutter of the renderer holds the whole frame (the camera's motion and the lighting with it)
for 2-4 frames; in its "frozen" mode the held frames get fresh sensor noise. Each test names what
the probes got wrong on a clip and checks the part of the report that was wrong.
"""

from __future__ import annotations

from _helpers import failing_sentences, suite_report, suite_spec

import vidkit as vk
from vidkit import validation

_fails = failing_sentences


def _overlaps(finding, frames) -> bool:
    return bool(set(finding.frames) & set(frames))


def test_held_frames_of_a_shaking_camera_are_a_stutter():
    # the ball had come to rest on the floor (its track cannot show a freeze), but the stutter
    # held the whole picture, the camera's shake included: 4 pairs with no camera motion and no
    # change beyond sensor noise, between pairs where the camera moved 1.5 px
    clip, rep = suite_report(357018)
    vf = clip.truth["violation_frames"]
    res = rep.results["continuity"]
    assert res.passed is False, res.sentence
    held = [f for f in res.findings if "one picture" in f.sentence]
    assert held and _overlaps(held[0], vf), [f.sentence for f in res.findings]


def test_held_frames_while_the_ball_is_hidden_are_a_stutter():
    # the ball was behind the occluder for the whole stutter: only the camera shows it
    clip, rep = suite_report(357030)
    vf = clip.truth["violation_frames"]
    res = rep.results["continuity"]
    assert res.passed is False, res.sentence
    assert any(_overlaps(f, vf) and "one picture" in f.sentence for f in res.findings)


def test_no_cut_after_held_frames():
    # 4 held frames of a fast ball: the pair after them shows 5 frames of motion (and of the
    # lighting drift) at once, 3.3x the pairs around it with 8x their colour change, and was
    # read as a cut that split the shot at the stutter and hid it
    clip, rep = suite_report(357031)
    assert rep.cuts == [], rep.cuts
    res = rep.results["continuity"]
    assert res.passed is False, res.sentence
    assert any(_overlaps(f, clip.truth["violation_frames"]) for f in res.findings)


def _assert_held_at_the_stutter(seed: int, probe: str, phrase: str) -> None:
    """The suite clip ``seed`` fails ``probe`` with a held-frames finding (its sentence has
    ``phrase``) that overlaps the stutter's frames."""
    clip, rep = suite_report(seed)
    res = rep.results[probe]
    assert res.passed is False, res.sentence
    held = [f for f in res.findings if phrase in f.sentence]
    assert held and _overlaps(held[0], clip.truth["violation_frames"]), res.sentence


def test_cut_under_a_shaking_camera_is_found_by_its_lost_corners():
    # a shaking camera over stripes changes 40% of every pair's normalised thumbnail, so the cut
    # stood only 1.9x above the pairs around it; its palette moved 0.96 (28x around it) and not
    # one tracked corner survived it. Missed, the brightness step at the cut read as flicker
    clip, rep = suite_report(300186)
    assert rep.cuts == clip.truth["cuts"] == [31]
    assert rep.results["flicker"].passed is not False, _fails(rep)
    assert rep.verdict != "fail", _fails(rep)


def test_held_light_while_the_ball_is_hidden_is_a_stutter():
    # static camera, the ball behind the occluder for the whole stutter: nothing in view moves,
    # only the lighting's drift shows time passing, and it stops for 3 pairs and then makes up
    # for them at once (-0.05% per frame, then -0.18%)
    _assert_held_at_the_stutter(357015, "flicker", "holds still")


def test_quantised_light_drift_is_not_held_light():
    # a noise-free 8-bit, JPEG-compressed gradient: the light's drift moves pixels by whole
    # steps, so most pairs change no pixel beyond the noise's spread (0); the brightness change
    # is measured over every pixel within 3/255, not only the unchanged ones
    clip = validation.render_spec(suite_spec(353029))
    res = vk.probes.flicker(clip.video)
    assert not [f for f in res.findings if "holds still" in f.sentence], res.sentence


def test_a_shake_turning_at_a_high_frame_rate_holds_no_picture():
    # at 60 fps the shake turns through 0.24-0.31 px per frame for two pairs in a row, within
    # the camera map's misfit (0.35 px) and with the compensated frames close to the noise: a
    # held pair's corners do not move at all (its map is the identity, under camera.STILL_PX)
    _, rep = suite_report(189)
    res = rep.results["continuity"]
    assert not [f for f in res.findings if "one picture" in f.sentence], res.sentence


def test_held_frames_under_compressed_noise_are_a_stutter():
    # JPEG 50 over sensor noise: the held pairs differ by 1.24 times the tracker's robust noise
    # sigma, above the Gaussian floor (1.13), but by less than half of the pairs that the
    # camera moved (a moved pair keeps its map's resampling and misfit on every edge)
    _assert_held_at_the_stutter(157006, "continuity", "one picture")


def test_an_object_moving_through_identity_camera_maps_holds_no_picture():
    # a 10 fps shake turning through two pairs measured as the identity while a ball rolls in
    # view: 0.9% of the compensated pixels change beyond the tracker's threshold, while a held
    # picture changes only what noise does (0-0.08%)
    _, rep = suite_report(100048)
    res = rep.results["continuity"]
    assert not [f for f in res.findings if "one picture" in f.sentence], res.sentence
