"""Regression tests of issue 13's fourteenth pass on conservation's colour half (helper cons16), on
clips of the independent renderer (:mod:`vidkit.validation`, development seeds 15 and 16 of
``benchmarks/probe_accuracy.py --n-violation 48``) and on small hand-made tracks, each naming
what the probe got wrong.
"""

from __future__ import annotations

import numpy as np
from _helpers import validation_report

import vidkit as vk
from vidkit.probes.colour_frames import own_colour_frames
from vidkit.probes.track_pieces import borrowed_colour
from vidkit.probes.tracking import Tracks

RED, BLUE, GREY = [0.85, 0.15, 0.2], [0.2, 0.25, 0.85], [0.5, 0.5, 0.5]


def _ball_and_speck(speck_colour: list[float] | None, recolour: bool) -> Tracks:
    # a 6.0 px ball rolling 1.5 px a frame over 30 frames; a 2 px speck (a background ghost, the
    # ball's dark spot) sits inside its disk in frames 1-20, so the tracker flags the ball merged
    # there and it is seen whole only in frame 0 and frames 21-29. With ``recolour`` it turns
    # from red to blue at frame 12; with ``speck_colour`` None the "speck" is a blue ball of the
    # same size that the red one's track took in frames 1-20 (both show blue there)
    T = 30
    rng = np.random.default_rng(1)
    c = np.full((2, T, 2), np.nan)
    c[0, :, 0] = 20.0 + 1.5 * np.arange(T)
    c[0, :, 1] = 40.0
    c[1, 1:21] = c[0, 1:21] + [1.0, 0.5]
    r = np.full((2, T), np.nan)
    r[0] = 6.0 + rng.normal(0, 0.05, T)
    r[1, 1:21] = 2.0 if speck_colour is not None else 6.0
    col = np.zeros((2, T, 3))
    col[0] = RED
    if recolour:
        col[0, 12:] = BLUE
    col[1] = speck_colour if speck_colour is not None else BLUE
    if speck_colour is None:
        col[0, 1:21] = BLUE
    col += rng.normal(0, 0.005, col.shape)
    vis = np.zeros((2, T), bool)
    vis[0] = True
    vis[1, 1:21] = True
    merged = vis.copy()
    merged[0, [0, *range(21, T)]] = False
    no = np.zeros((2, T), bool)
    return Tracks(c, r, np.pi * r**2, col, vis, merged, no, 15.0, (80, 120), np.zeros((80, 120, 3)))


def test_recolour_seen_only_in_frames_merged_with_a_speck_is_a_change():
    # the ball's colour in its merged frames is its own (the blob's densest colour: the speck
    # inside it does not move it); before, only frame 0 showed the old colour, a blip
    tr = _ball_and_speck(GREY, recolour=True)
    assert own_colour_frames(tr, 0, np.r_[0, 21:30], (-np.inf, np.inf), 6.0, 0.15, 0.12).tolist()
    res = vk.probes.conservation(tr)
    assert res.passed is False
    assert any("changed colour" in f.sentence for f in res.findings)


def test_ball_with_a_speck_inside_that_keeps_its_colour_passes():
    res = vk.probes.conservation(_ball_and_speck(GREY, recolour=False))
    assert res.passed, [f.sentence for f in res.findings]


def test_merged_frames_that_show_the_touching_object_colour_are_not_judged():
    # the opposite: in its merged frames the red ball's track shows the colour of the blue ball
    # touching it (the tracker took the other's blob): those frames say nothing of its colour
    tr = _ball_and_speck(None, recolour=False)
    assert own_colour_frames(tr, 0, np.r_[0, 21:30], (-np.inf, np.inf), 6.0, 0.15, 0.12).size == 0
    res = vk.probes.conservation(tr)
    assert res.passed, [f.sentence for f in res.findings]


def test_borrowed_colour_needs_the_object_in_that_colour_where_it_touched():
    # a green ball (track 0) whose track shows blue from frame 5 on; a residue blob (track 1)
    # seen last at frame 4 beside it: blue in its other frames but grey at frame 4 (seed 15
    # recolor 1554071: a grey 1.8 px blob, 0.31 off the new colour, beside the ball one frame
    # before its recolour)
    T = 10
    c = np.full((2, T, 2), 20.0)
    c[0, :, 0] = 20.0 + np.arange(T)
    c[1, :, 0] = 30.0
    vis = np.ones((2, T), bool)
    vis[1, 5:] = False
    r = np.where(vis, 4.0, np.nan)
    col = np.zeros((2, T, 3))
    col[0] = [0.1, 0.8, 0.2]
    col[0, 5:] = BLUE
    col[1] = BLUE
    no = np.zeros((2, T), bool)
    tr = Tracks(c, r, np.pi * r**2, col, vis, no, no, 10.0, (40, 80), np.zeros((40, 80, 3)))
    run = np.arange(5, T)
    assert borrowed_colour(tr, 0, run, np.array(BLUE), 0.12)  # blue there: it hid in the blob
    tr.colors[1, 4] = GREY
    assert not borrowed_colour(tr, 0, run, np.array(BLUE), 0.12)


def _recolour_found(spec: dict) -> list[str]:
    _, rep = validation_report(spec)
    res = rep.results["conservation"]
    return [f.sentence for f in res.findings if "changed colour" in f.sentence]


def test_rolling_ball_with_a_blob_inside_it_changes_colour():
    # seed 15 recolor 1554083 (a roll at 15 fps, static camera, 96x72): a 10.6 px ball turns
    # from (0.97, 0.71, 0.39) to (0.83, 0.05, 0.42) at frame 18; a 3-6.5 px blob inside its disk
    # in frames 4-17 flagged it merged in frames 1-25, and its old colour was judged in frame 0
    # only: no finding. It reads (0.94-0.96, 0.69-0.70, 0.36-0.40) in those frames, 0.02-0.04
    # off the truth
    spec = {
        "kind": "roll", "seed": 1554083, "violation": "recolor", "camera": "static",
        "size": [96, 72], "fps": 15.0, "frames": 33, "background": "gradient",
        "blur": 0.5111197008498523, "noise": 0.020861548794569258, "jpeg": 45,
        "lighting": 0.03041127233167951, "occluders": 0, "attempt": 0,
    }  # fmt: skip
    assert _recolour_found(spec)


def test_settling_ball_recoloured_as_it_lands_changes_colour():
    # seed 16 recolor 1654078 (a settle at 8 fps, static camera, 320x180): a 7.7 px ball turns
    # from (0.29, 0.72, 0.79) to (0.04, 0.60, 0.05) at frame 8; before, it is whole in frame 5
    # only (a streaked fall, then frames 6-7 merged with a 4 px ghost at its bounce): no finding
    spec = {
        "kind": "settle", "seed": 1654078, "violation": "recolor", "camera": "static",
        "size": [320, 180], "fps": 8.0, "frames": 24, "background": "gradient",
        "blur": 0.7463264527906677, "noise": 0.009516395534943252, "jpeg": None,
        "lighting": 0.03924738746587874, "occluders": 1, "attempt": 0,
    }  # fmt: skip
    assert _recolour_found(spec)


def test_ball_recoloured_beside_a_residue_blob_changes_colour():
    # seed 15 recolor 1554071 (a crossing at 10 fps, static camera, 96x72): a 4.4 px ball turns
    # from (0.49, 0.80, 0.15) to (0.26, 0.38, 0.89) at frame 19, merged with the other ball in
    # frames 17-21; a residue track (median colour the new one) was last seen at frame 18
    # beside it as a grey 1.8 px blob, and the change was taken for its colour borrowed
    spec = {
        "kind": "crossing", "seed": 1554071, "violation": "recolor", "camera": "static",
        "size": [96, 72], "fps": 10.0, "frames": 60, "background": "checker",
        "blur": 0.6850769811323736, "noise": 0.01942148489688774, "jpeg": 66,
        "lighting": 0.03362641850305337, "occluders": 1, "attempt": 8,
    }  # fmt: skip
    assert _recolour_found(spec)


def test_rolling_ball_whose_track_was_swapped_before_its_recolour_changes_colour():
    # seed 14 recolor 1454066 (a roll at 24 fps, static camera, 192x108): a 25.8 px ball turns
    # from (0.99, 0.64, 0.19) to (0.93, 0.11, 0.59) at frame 21. A ghost track at its resting
    # place took the ball at frame 15 (and the ball's track the ghost): the ball's old colour
    # (0.89, 0.58, 0.17, 22.5 px) in merged frames 15-20 matched the other track's median
    # colour (the ball's, before the swap) and was not judged: no finding
    spec = {
        "kind": "roll", "seed": 1454066, "violation": "recolor", "camera": "static",
        "size": [192, 108], "fps": 24.0, "frames": 31, "background": "perlin",
        "blur": 0.2472622286402475, "noise": 0.01892911339361304, "jpeg": 46,
        "lighting": 0.03854182297582244, "occluders": 0, "attempt": 1,
    }  # fmt: skip
    assert _recolour_found(spec)


def _flicker_tracks(echo: bool) -> Tracks:
    # a 6.0 px ball whose colour reads (0.47, 0.18, 0.50) and, in frames 20-29 (to the end),
    # (0.40, 0.16, 0.37); with ``echo`` that second level also shows in frames 4, 8-9 and 13
    # before it (a shaded ball's matte flipping between its middle's colour and its rim's)
    T = 30
    rng = np.random.default_rng(2)
    c = np.zeros((1, T, 2))
    c[0, :, 0] = 20.0 + 1.5 * np.arange(T)
    c[0, :, 1] = 40.0
    r = 6.0 + rng.normal(0, 0.05, (1, T))
    col = np.tile([0.47, 0.18, 0.50], (1, T, 1))
    col[0, 20:] = [0.40, 0.16, 0.37]
    if echo:
        col[0, [4, 8, 9, 13]] = [0.40, 0.16, 0.37]
    col += rng.normal(0, 0.005, col.shape)
    vis = np.ones((1, T), bool)
    no = np.zeros((1, T), bool)
    return Tracks(c, r, np.pi * r**2, col, vis, no, no, 48.0, (80, 120), np.zeros((80, 120, 3)))


def test_colour_that_flips_between_two_levels_is_no_change():
    res = vk.probes.conservation(_flicker_tracks(echo=True))
    assert res.passed, [f.sentence for f in res.findings]


def test_a_step_to_a_colour_not_seen_before_is_still_a_change():
    # the opposite: the second colour only after the step
    res = vk.probes.conservation(_flicker_tracks(echo=False))
    assert res.passed is False
    assert any("changed colour" in f.sentence for f in res.findings)


def test_colour_run_in_the_middle_also_seen_on_both_sides_is_no_change():
    # seed 13 clean 1300156 (a crossing at 15 fps, shaking camera, 256x144): a 6.5 px shaded
    # ball read (0.54, 0.08, 0.63) and, in frames 1, 10-11, 31-33, 40 and 51, (0.41-0.43,
    # 0.12-0.14, 0.44-0.49): "changed colour in frames 31-33"; these are its colours
    tr = _flicker_tracks(echo=False)
    tr.colors[0] = [0.54, 0.08, 0.63]
    tr.colors[0, [1, 10, 11, 16, 17, 18, 24, 28]] = [0.42, 0.13, 0.46]
    res = vk.probes.conservation(tr)
    assert res.passed, [f.sentence for f in res.findings]
    tr.colors[0, [24, 28]] = [0.54, 0.08, 0.63]  # the run's colour on one side only: a change
    assert vk.probes.conservation(tr).passed is False


def test_rolling_ball_whose_colour_flips_before_its_last_frames_is_no_change():
    # seed 16 clean 1600198 (a roll at 48 fps, static camera, 96x72): a 7.2 px ball read
    # (0.47, 0.18, 0.50) and (0.39-0.42, 0.15-0.17, 0.35-0.40) in frames 6, 10, 13-14, 17-18
    # and 31-35: "changed colour at frame 32"
    spec = {
        "kind": "roll", "seed": 1600198, "violation": None, "camera": "static",
        "size": [96, 72], "fps": 48.0, "frames": 36, "background": "perlin",
        "blur": 0.2562421231613971, "noise": 0.0031269750093954178, "jpeg": 79,
        "lighting": 0.001135696392420429, "occluders": 0, "attempt": 0,
    }  # fmt: skip
    assert not _recolour_found(spec)
