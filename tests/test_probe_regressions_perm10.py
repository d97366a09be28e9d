"""Regression tests of permanence's image evidence (:mod:`vidkit.probes.evidence`, issue 13, eighth
pass): a track that ends (starts, has a gap) while the frames still (already) show the object
where its motion puts it is the tracker losing the object, not a vanishing (appearance); an
object that really vanishes leaves the background there and still fails.

The clips are of ``benchmarks/probe_accuracy.py --renderer validation --seed N`` (N = seed //
100003); each test checks the part of the report that was wrong, or the measurement itself.
"""

from __future__ import annotations

import numpy as np
import pytest
from _helpers import assert_passes, failing_sentences, suite_report

from vidkit.probes.evidence import still_seen

RED = (1.0, 0.2, 0.2)


def _moving_square(T: int = 8, lost_after: int = 3) -> tuple[np.ndarray, ...]:
    """A red 5x5 square moving right 4 px a frame over black (48x48); the track sees it in frames
    0..``lost_after`` only."""
    work = np.zeros((T, 48, 48, 3), np.float32)
    for t in range(T):
        x = 2 + 4 * t
        if x + 5 <= 48:
            work[t, 22:27, x : x + 5] = RED
    c = np.full((1, T, 2), np.nan)
    vis = np.zeros((1, T), bool)
    for t in range(lost_after + 1):
        c[0, t], vis[0, t] = (4 + 4 * t, 24), True
    return work, c, np.where(vis, 2.8, np.nan), vis


# --------------------------------------------------------------------------- units
def test_an_object_the_tracker_lost_is_still_seen_where_its_motion_puts_it():
    work, c, r, vis = _moving_square()
    seen = still_seen(work, None, c, r, vis, 0.06)[0]
    assert seen[:4].tolist() == [0, 0, 0, 0]  # seen by the tracker: not looked at
    assert (seen[4:7] == 1).all(), seen  # 3 frames looked at past a moving object's end


def test_a_vanished_object_leaves_the_background_where_its_motion_puts_it():
    work, c, r, vis = _moving_square()
    work[4:] = 0.0
    seen = still_seen(work, None, c, r, vis, 0.06)[0]
    assert (seen[4:7] == -1).all(), seen


def test_a_background_of_the_objects_colour_there_is_no_evidence():
    # the control: the window holds the object's colour in a frame where the object is elsewhere
    # (a red patch of the background where the square would be): that says nothing
    work, c, r, vis = _moving_square()
    work[4:] = 0.0  # the square vanished after frame 3 ...
    work[:, 18:31, 24:40] = RED  # ... onto a red patch of the background, there in every frame
    seen = still_seen(work, None, c, r, vis, 0.06)[0]
    assert not (seen[4:7] == 1).any(), seen


def test_still_seen_rejects_frames_that_are_not_rgb():
    with pytest.raises(ValueError, match="T, H, W, 3"):
        still_seen(
            np.zeros((4, 8, 8)),
            None,
            np.zeros((0, 4, 2)),
            np.zeros((0, 4)),
            np.zeros((0, 4), bool),
            0.06,
        )


# --------------------------------------------------------------------------- suite clips
@pytest.mark.parametrize(
    "seed",
    [
        300039,  # settle, static: a ball came to rest and the tracker lost it ("vanished")
        400158,  # occluded, static: a ball picked up late beside the occluder ("appeared")
        82,  # crossing: a ball came out from behind a larger one, picked up late ("appeared")
        200186,  # crossing: a ball's track hopped to a fragment, the ball re-tracked ("appeared")
    ],
)
def test_an_object_still_in_the_picture_did_not_vanish_or_appear(seed):
    assert_passes(seed, "permanence")


def test_a_ball_that_vanishes_at_rest_still_fails_and_the_frames_show_it_gone():
    # seed 0 vanish 51016 (settle, static): the ball stops being drawn at frame 22
    _, rep = suite_report(51016)
    res = rep.results["permanence"]
    assert res.passed is False, failing_sentences(rep)
    assert any("vanished" in f.sentence for f in res.findings)
    tr = rep.tracks
    lost = [
        i
        for i in range(tr.n_objects)
        if tr.visible[i].any() and 15 <= np.flatnonzero(tr.visible[i])[-1] < 22
    ]
    assert lost, "no track ends before the vanishing"
    assert any((tr.still_seen[i, 22:] == -1).any() for i in lost)
    assert not any((tr.still_seen[i, 22:] == 1).any() for i in lost)


@pytest.mark.parametrize(
    "seed, word",
    [
        (351023, "vanished"),  # toss, static: a whole ball stops being drawn (end flagged merged)
        (351024, "vanished"),  # bounce, shake
        (452015, "appeared"),  # roll, shake: a whole ball starts being drawn (start flagged)
    ],
)
def test_a_merged_flag_does_not_hide_a_whole_ball_the_frames_show_gone(seed, word):
    _, rep = suite_report(seed)
    res = rep.results["permanence"]
    assert res.passed is False, failing_sentences(rep)
    assert any(word in f.sentence for f in res.findings), [f.sentence for f in res.findings]


@pytest.mark.parametrize(
    "seed",
    [
        104,  # occluded: a ball going behind an occluder, 79% of its area left at its end
        400123,  # occluded, shake: likewise (72%)
        300169,  # occluded: a duplicate track on a ball, ending where the ball bounced
        177,  # settle, shake: a ball landing on a resting one, its track taking the joint blob
    ],
)
def test_an_object_going_behind_something_is_still_hidden(seed):
    assert_passes(seed, "permanence")
