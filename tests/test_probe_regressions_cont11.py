"""Regression tests of issue 13's ninth pass on continuity: freezes judged only on motion that
physics carries on (not across a contact), with the error of a partly seen centroid, jumps that
the object's own motion gives, and exact repeats of noisy frames; on clips of the independent
renderer (:mod:`vidkit.validation`, ``benchmarks/probe_accuracy.py --seed N``).

Each test names what the probes got wrong on a clip and checks the part of the report that was
wrong.
"""

from __future__ import annotations

import pytest
from _helpers import failing_sentences, suite_report

from vidkit.probes.freeze import contacts
from vidkit.probes.trajectory import analyze_motion

_fails = failing_sentences


def _caught_at_violation(seed: int, words: str) -> None:
    """The suite clip ``seed`` fails continuity with a finding that says ``words`` at its
    violation's frames."""
    clip, rep = suite_report(seed)
    res = rep.results["continuity"]
    assert res.passed is False, res.sentence
    vf = set(clip.truth["violation_frames"])
    assert any(words in f.sentence and set(f.frames) & vf for f in res.findings), res.findings


@pytest.mark.parametrize(
    "seed, turn",
    [
        # static settle at 10 fps: the last hop (apex steps 0.5-0.9 px, position noise 0.38 px)
        # between bounces at frames 30/31 and 38, read as frozen in frames 32-36 against 23 px
        # that fits across both bounces predicted
        (200022, (30, 31)),
        # static bounce at 8 fps: a 1.5 px hop after the bounce at 33/34, read as frozen 34-38
        (500135, (33, 34)),
        # static settle at 15 fps: a hop between the bounces at 20/21 and 25/26, frozen 22-24
        (600216, (20, 21)),
    ],
)
def test_hop_between_two_bounces_is_not_a_freeze(seed, turn):
    clip, rep = suite_report(seed)
    assert rep.results["continuity"].passed is True, _fails(rep)
    # the bounce before the hop is a contact: the side's fit stops there
    m = analyze_motion(rep.tracks)
    assert turn in contacts(rep.tracks, 0, m.events[0], m.sigma[0])


def test_ball_held_on_the_floor_by_a_stutter_is_still_a_freeze():
    # seed 0 stutter, static bounce at 48 fps: the picture held for 2 frames just as the ball
    # reached the floor; the held piece's fit with the shot's gravity fixed gets an upward
    # velocity, but its positions do not turn: no contact, and the freeze stands
    _caught_at_violation(57008, "froze")
    clip, rep = suite_report(57008)
    m = analyze_motion(rep.tracks)
    assert (13, 14) not in contacts(rep.tracks, 0, m.events[0], m.sigma[0])


def test_a_speck_in_a_resting_balls_track_is_no_held_apex():
    # seed 6 clean, static glide with a cut: the second shot's ball comes to rest on the floor
    # (unreliable there: touching the floor's edge); its track took a 40 px^2 speck 9 px away
    # for one frame (the ball: 625 px^2), and the fit through it said the ball moves 2.8 px over
    # its rest. A centroid of 6% of the object is off by most of its radius.
    clip, rep = suite_report(600176)
    assert rep.results["continuity"].passed is True, _fails(rep)
    # (the fourteenth pass, size16: the speck was a piece of the resting ball held in the
    # background next to the floor; the background repair now takes the steady colour the
    # frames show there, the speck and two residue tracks are gone: 2 tracks, not 4)


def test_fall_from_the_top_of_a_hop_is_not_a_jump():
    # seed 3 clean, shake glide cut to a settle at 10 fps: an 11 px step right after the top of
    # a 6 px hop (the shot's gravity misread as -13 px/s^2 from a piece mostly at rest, so the
    # fixed-gravity pieces do not meet); the 3 frames before it carry it to within 1.3 px
    clip, rep = suite_report(300090)
    assert rep.results["continuity"].passed is True, _fails(rep)


def test_exact_repeat_of_noisy_frames_behind_an_occluder_is_a_freeze():
    # seed 6 stutter, static occluded at 24 fps: two frames repeated exactly, sensor noise
    # included, while the ball was behind the occluder (nothing in view moves, but no camera
    # repeats its noise)
    _caught_at_violation(657038, "sensor noise included")


@pytest.mark.parametrize(
    "kind, seed, background",
    [
        # held at the top of a hop between two bounces, at 16 fps: the fixed-gravity pieces
        # around the held picture read "down, then up" (a bounce) where the positions went up,
        # then down: no contact, and the held apex stands
        ("bounce", 26, "noise"),
        # held for 4 frames one step before the ball hits another: the side after the run is
        # cut at the collision, and its one step says the ball moves 0.8 px per frame
        ("collision", 34, "texture"),
    ],
)
def test_stutter_next_to_a_contact_is_still_caught(kind, seed, background):
    import vidkit as vk

    scene = vk.synth.render(
        kind, seed=seed, violation="stutter", background=background, camera_noise=0.02
    )
    res = vk.probes.physics(scene.video).results["continuity"]
    assert res.passed is False, res.sentence
    assert any("froze" in f.sentence for f in res.findings), res.findings
