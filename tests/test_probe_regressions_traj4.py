"""Regression tests of the trajectory probes (gravity, bounce, continuity) on clips of the
independent renderer (:mod:`vidkit.validation`): false alarms on clean clips and violations
that passed, each with the cause it pins down (issue 13, fourth pass).

The specs are clips of ``benchmarks/probe_accuracy.py --seed 0`` and ``--seed 1``; each test
checks the part of the report that was wrong (not only the verdict).
"""

from __future__ import annotations

import numpy as np
import pytest
from _helpers import failing_sentences, suite_report

import vidkit as vk
from vidkit.probes.trajectory import analyze_motion

_fails = failing_sentences


def _freezes(rep) -> list:
    return [f for f in rep.results["continuity"].findings if "froze" in f.sentence]


# --------------------------------------------------------------------------- clean clips
def test_gravity_reference_is_not_set_by_a_poorly_measured_piece():
    # a ball dropped at 30 fps after a cut: two free-flight pieces of 5 frames, the second
    # starting at a motion-blurred bounce frame (its centroid 2.6 px off, its g 20% low with a
    # standard error of 300 px/s^2); the length-weighted median took that piece as the
    # reference and failed the well-measured one (se 70) against it. Then the ball lands
    # 1.2 px above its rest height, hops for a frame and settles: a "freeze" before a rest.
    clip, rep = suite_report(60)
    assert rep.results["gravity"].passed is True, _fails(rep)
    assert rep.results["continuity"].passed is True, _fails(rep)
    # the reference of the second shot is the well-measured piece's g, near the truth
    g_true = max(clip.truth["g"])
    fitted = [f.value for f in rep.results["gravity"].findings if "fitted gravity" in f.sentence]
    assert any(abs(v - g_true) < 0.05 * g_true for v in fitted), fitted


def test_one_short_step_in_a_stabilised_shot_is_not_a_freeze():
    # shaking camera, compensated (corner misfit 0.4 px): the map of one frame errs by ~1.3 px
    # against its neighbour, so one step of the ball reads 0.18 px between steps of 1.1-3 px
    clip, rep = suite_report(15)
    assert rep.results["continuity"].passed is True, _fails(rep)
    assert not _freezes(rep)
    clip, rep = suite_report(100084)
    assert not _freezes(rep), _fails(rep)


def test_ball_at_rest_after_landing_in_a_stabilised_shot_is_not_a_held_apex():
    # after a cut, a panning camera (compensated, corner misfit 0.18 px): the ball lands and
    # rests; one frame's map errs by 0.5 px, and the quadratic through the 4 resting frames
    # after the run, carried 8 frames back, "moved" 15 px. The extrapolation's error takes the
    # camera misfit as the position noise (the ball's own noise, 0.09 px, does not show it)
    clip, rep = suite_report(115)
    assert not _freezes(rep), _fails(rep)


def test_slow_head_on_collision_is_still_a_collision():
    # two balls meet at ~1 px per frame each: both move, so the joint is a collision of the
    # pair (its energy judged together), not a wall bounce of either one alone
    rep = vk.probes.physics(vk.synth.render("collision", seed=4).video)
    assert rep.results["bounce"].passed is True, _fails(rep)
    m = analyze_motion(rep.tracks)
    kinds = {ev.kind for evs in m.events for ev in evs}
    assert "collision" in kinds


# --------------------------------------------------------------------------- violations
@pytest.mark.xfail(
    strict=True,
    reason="with the direct camera alignment (camera_dense) the frozen frames 18-22 share one "
    "map, but the low-contrast ball is mis-detected in frame 20 (radius 0.6 px, marked merged), "
    "which splits the still run into two of 1-2 steps: the freeze goes unseen (a moving-camera "
    "stutter miss, counted in docs/probes.md section 7)",
)
def test_stutter_on_a_shaking_camera_is_caught():
    # the whole frame repeats for 4 frames (noise added after): the stabilised ball stands
    # still for 3+ steps; one still step in a stabilised shot is not enough, three are
    clip, rep = suite_report(157006)
    vf = clip.truth["violation_frames"]
    fr = [f for x in _freezes(rep) for f in x.frames]
    assert fr and min(fr) <= vf[-1] and max(fr) >= vf[0] - 1, _fails(rep)


def test_stutter_before_a_partly_hidden_stretch_is_caught():
    # the ball freezes for 4 frames, then jumps on to where it should be, where its area dips
    # (unreliable frames): the motion after the freeze is read from the partly hidden frames
    clip, rep = suite_report(57001)
    vf = clip.truth["violation_frames"]
    fr = [f for x in _freezes(rep) for f in x.frames]
    assert fr and min(fr) <= vf[-1] and max(fr) >= vf[0] - 1, _fails(rep)


def test_exact_repeat_on_a_panning_camera_is_caught_while_the_ball_is_hidden():
    # the video repeats frame 15 four times while the ball is behind an occluder: no object is
    # in view, but the camera pans, so the whole picture should move
    clip, rep = suite_report(57013)
    vf = clip.truth["violation_frames"]
    rep_c = rep.results["continuity"]
    assert rep_c.passed is False, _fails(rep)
    # every repeated frame is reported: as exact repeats, or (since the eleventh pass reads a
    # slow pan's motion on the frame maps) as one held picture while the camera moves on
    fails = [f for f in rep_c.findings if f.severity == "fail"]
    assert any("repeats" in f.sentence or "show one picture" in f.sentence for f in fails)
    assert {t for f in fails for t in f.frames} >= set(vf), _fails(rep)


def test_energy_gain_at_a_floor_tracked_as_an_object_is_judged():
    # the floor strip is tracked as a large object; the ball touching it made the bounce a
    # "collision" whose partner has no fit, so its energy was never judged. A partner that does
    # not move takes no energy: the joint is the ball's own bounce.
    clip, rep = suite_report(56011)
    vf = clip.truth["violation_frames"][0]
    b = rep.results["bounce"]
    assert b.passed is False, _fails(rep)
    hit = [
        f
        for f in b.findings
        if f.severity == "fail" and min(f.frames) - 2 <= vf <= max(f.frames) + 2
    ]
    assert hit and "floor" in hit[0].sentence
    assert np.isfinite(hit[0].value) and hit[0].value > 1.05
