"""Regression tests of conservation and continuity on clips of the independent renderer
(:mod:`vidkit.validation`, ``benchmarks/probe_accuracy.py --seed 2``), issue 13's sixth pass:
two false alarms (a smeared ball's size reference, an occluder's centroid read as a stutter) and
three violations that were missed (a resize next to an occluder, a freeze just before the ball
goes behind the occluder, a freeze on a zooming camera). Each test checks the part of the report
that was wrong, not only the verdict.
"""

from __future__ import annotations

import numpy as np
from _helpers import assert_passes, failing_sentences, line_tracks, suite_report

_fails = failing_sentences


def test_smeared_tossed_ball_keeps_its_size():
    # a 3.2 px ball tossed at 25 fps moves more than its radius in all its whole frames but one:
    # the median over them (4.1 px, grown by the smear) was its reference, and its two slowest
    # frames at the end (3.4 px) read as a 16% shrink and a colour change
    clip, rep = suite_report(200055)
    res = rep.results["conservation"]
    assert res.passed is True, _fails(rep)
    assert res.scores["max_color_change"] <= 0.12


def test_occluder_centroid_pushed_by_a_passing_ball_is_not_a_stutter():
    # the static occluder is tracked as an object; a ball passing behind it moves its centroid
    # by a pixel or two for a few frames, and the frames between read as a freeze of 9 frames
    clip, rep = suite_report(200054)
    assert rep.results["continuity"].passed is True, _fails(rep)
    tr = rep.tracks
    # the occluder was tracked as an object while the background repair painted it over; it is
    # background now (ghost10), and where it is still tracked it goes nowhere: no motion to freeze
    for i in range(tr.n_objects):
        if tr.visible[i].all():
            span = np.hypot(*np.ptp(tr.centers[i], axis=0))
            assert span < np.nanmedian(tr.radii[i])


def test_resize_next_to_an_occluder_is_caught():
    # the ball (3.8 px) is seen at its old size only in frames flagged as partly hidden (before
    # it goes behind the occluder and in the 3 frames after it comes out), then grows to 5.3 px
    # at frame 31: the plateau at the step and the frames across the hidden stretch hold 4.2 px
    clip, rep = suite_report(253026)
    res = rep.results["conservation"]
    assert res.passed is False, rep.summary
    f = res.findings[0]
    assert "changed size" in f.sentence
    assert 28 <= f.frames[0] <= clip.truth["violation_frames"][0]


def test_freeze_before_the_ball_goes_behind_the_occluder_is_caught():
    # the ball freezes at frames 15-17 while it is already partly behind the occluder, and then
    # is out of sight: no frames after the freeze to fit, the area kept over 3 still steps
    clip, rep = suite_report(257012)
    res = rep.results["continuity"]
    assert res.passed is False, rep.summary
    f = res.findings[0]
    assert "froze" in f.sentence and "out of sight" in f.sentence
    assert set(clip.truth["violation_frames"]) & set(f.frames)


def test_freeze_on_a_zooming_camera_is_caught():
    # frozen frames on a zooming camera: the ball's stabilised steps read 0.03-0.13 px, above
    # the still threshold of 0.1 px that ignored the camera maps' misfit (0.34 px)
    clip, rep = suite_report(257011)
    res = rep.results["continuity"]
    assert res.passed is False, rep.summary
    f = next(f for f in res.findings if "froze" in f.sentence)
    assert set(clip.truth["violation_frames"]) & set(f.frames)


def _emerging_tracks(frozen: bool):
    """One ball (radius 4) unseen in frames 0-4 (behind something), then seen partly hidden in
    frames 5-7 (area 30 of 50), whole from frame 8 on, moving 2 px a frame; ``frozen``: it
    stays put in frames 5-7 (keeping its visible area) instead of coming out (area growing)."""
    T = 20
    vis = np.zeros((1, T), bool)
    vis[0, 5:] = True
    x = 10 + 2.0 * np.arange(T)
    area = np.full(T, 50.0)
    if frozen:
        x[5:8] = x[7]
        area[5:8] = 30.0
    else:
        area[5:8] = [20.0, 32.0, 44.0]
    tr = line_tracks(vis, x[None], 4.0, np.full((1, T, 3), 0.5))
    tr.areas[0] = np.where(vis[0], area, np.nan)
    tr.merged[0, 5:8] = True  # partly hidden: not reliable
    return tr


def test_freeze_as_the_ball_comes_into_view_is_caught():
    # the mirror of 257012: a ball that comes out from behind something frozen keeps its visible
    # part (area and centroid) for 2+ frames; one that moves out grows from nothing
    from vidkit.probes import continuity

    res = continuity(_emerging_tracks(frozen=True))
    assert res.passed is False
    assert "comes into view" in res.findings[0].sentence
    assert list(res.findings[0].frames) == [5, 6, 7]
    assert continuity(_emerging_tracks(frozen=False)).passed is True


def test_residue_blob_still_within_the_camera_misfit_is_not_a_stutter():
    # seed 0 clean 150, a static shot compensated as a moving one (misfit 0.42 px): a 2 px
    # residue blob sits still (steps 0.1 px) for 4 frames with its area within its noise but
    # not within 5% (12-14 px^2); the still threshold raised to the camera misfit and the area
    # kept only within its noise would stack into a freeze
    assert_passes(150, "continuity")


def test_freeze_while_coming_out_from_behind_the_occluder_is_caught():
    # seed 1 stutter 157023 (60 fps): the ball comes out from behind the occluder (visible area
    # 16, 34, 53, 64 px^2), freezes there for 3 steps and then jumps on whole: the centroid of
    # the emerging part gave no speed before the freeze to judge it against
    clip, rep = suite_report(157023)
    res = rep.results["continuity"]
    assert res.passed is False, rep.summary
    f = next(f for f in res.findings if "froze" in f.sentence)
    assert "comes into view" in f.sentence
    assert set(clip.truth["violation_frames"]) & set(f.frames)
