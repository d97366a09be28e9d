"""Regression tests of permanence (issue 13, tenth pass): causes measured in the image and in the
tracks, not exceptions.

* cut or vanish: the gray-level map between two normalised thumbnails is the one that leaves the
  fewest pixels unexplained (both ways), refined by an orthogonal fit; a least-squares fit on a
  flat wall's mid-tones left the floor band "changed", and a large ball leaving a still shot
  was read as a cut (so its vanishing fell between two shots);
* the frames say "gone" (``-1``) only where the object, where its motion puts it, would be
  wholly in view; then a frame-edge excuse does not hold against them (a moving camera's
  stabilised canvas is not the frame);
* an object that looks like the background where it is (``FAINT``: it does not stand out
  from its surroundings, or a frame where it is elsewhere holds its colour there) cannot be
  seen gone: specks of a jpeg'd floor band are no vanishing;

The clips are of ``benchmarks/probe_accuracy.py --renderer validation --n-violation 48 --seed N``
(N = seed // 100003), named by their render arguments.
"""

from __future__ import annotations

import numpy as np
from _helpers import failing_sentences, validation_report

from vidkit.probes.cuts import find_cuts, thumbnail_colours
from vidkit.probes.evidence import FAINT, still_seen

_BASE = {"noise": 0.0, "jpeg": None, "lighting": 0.0, "occluders": 0, "attempt": 0}


def _spec(**kw) -> dict:
    return {**_BASE, **kw}


# --------------------------------------------------------------------------- units
def test_a_large_ball_leaving_a_flat_wall_is_not_a_cut():
    # a flat wall over a lighter floor band; a bright ball (a fifth of the picture) leaves at
    # frame 6: the normalised thumbnails differ by an affine map outside the ball only
    rng = np.random.default_rng(0)
    frames = []
    yy, xx = np.mgrid[:72, :96]
    for t in range(12):
        f = np.full((72, 96, 3), 0.3, np.float32)
        f[62:] = (0.55, 0.5, 0.5)
        if t < 6:
            f[np.hypot(xx - 48, yy - 44) <= 15] = (0.7, 0.9, 0.3)
        frames.append(np.clip(f + rng.normal(0, 0.01, f.shape), 0, 1).astype(np.float32))
    th = [thumbnail_colours(f) for f in frames]
    g = np.stack([a for a, _ in th])
    h = np.stack([b for _, b in th])
    assert find_cuts(g, None, h) == []
    # a new shot (another wall and floor) is still a cut
    other = [np.clip(1.0 - f[::-1], 0, 1) for f in frames[6:]]
    th2 = [thumbnail_colours(f) for f in frames[:6] + other]
    assert find_cuts(np.stack([a for a, _ in th2]), None, np.stack([b for _, b in th2])) == [6]


def test_gone_only_where_the_object_would_be_wholly_in_view():
    # a red square moving right 4 px a frame reaches the right edge and leaves: the windows
    # where its motion puts it run out of the frame, so the frames cannot say "gone"
    work = np.zeros((8, 48, 48, 3), np.float32)
    c = np.full((1, 8, 2), np.nan)
    vis = np.zeros((1, 8), bool)
    for t in range(5):
        x = 24 + 4 * t
        work[t, 22:27, x : min(x + 5, 48)] = (1.0, 0.2, 0.2)
        c[0, t], vis[0, t] = (x + 2, 24), True
    r = np.where(vis, 2.8, np.nan)
    seen = still_seen(work, None, c, r, vis, 0.06, background=np.zeros((48, 48, 3), np.float32))
    assert not (seen[0, 5:] == -1).any()
    # the same square stopping in open view (not drawn from frame 5 on) is gone there
    work2 = np.zeros_like(work)
    c2 = c.copy()
    for t in range(5):
        x = 4 + 4 * t
        work2[t, 22:27, x : x + 5] = (1.0, 0.2, 0.2)
        c2[0, t] = (x + 2, 24)
    seen2 = still_seen(work2, None, c2, r, vis, 0.06, background=np.zeros((48, 48, 3), np.float32))
    assert (seen2[0, 5:8] == -1).sum() >= 2


def test_a_blob_that_looks_like_its_surroundings_is_faint():
    # a 5x5 patch barely off a plain band: its core is within 1.5 thresholds of its ring
    work = np.full((6, 48, 48, 3), 0.3, np.float32)
    c = np.full((1, 6, 2), np.nan)
    vis = np.zeros((1, 6), bool)
    for t in range(4):
        work[t, 22:27, 4 + 4 * t : 9 + 4 * t] = 0.34
        c[0, t], vis[0, t] = (6 + 4 * t, 24), True
    r = np.where(vis, 2.8, np.nan)
    bg = np.full((48, 48, 3), 0.3, np.float32)
    seen = still_seen(work, None, c, r, vis, 0.06, background=bg)
    assert seen[0, 4] == FAINT
    # the same patch standing out (a ball) is looked for as usual
    work[:4][work[:4] > 0.33] = 0.9
    assert still_seen(work, None, c, r, vis, 0.06, background=bg)[0, 4] != FAINT


# --------------------------------------------------------------------------- clips
def test_a_large_ball_vanishing_in_a_still_shot_is_no_cut():
    # seed 7 vanish 751059: a 16 px ball rolling over stripes stops being drawn at frame 12;
    # read as a cut, its track ended with its shot
    clip, rep = validation_report(
        _spec(
            kind="roll",
            seed=751059,
            violation="vanish",
            camera="static",
            size=[96, 72],
            fps=30.0,
            frames=36,
            background="stripes",
            blur=0.8615243387852127,
            noise=0.00502782008466119,
            lighting=0.02754354502496003,
            attempt=1,
        )
    )
    assert rep.cuts == []
    assert rep.results["permanence"].passed is False
    assert "vanished" in rep.results["permanence"].sentence


def test_a_vanishing_in_open_view_under_a_pan_is_caught():
    # seed 8 vanish 851025: the ball vanishes in open view at frame 28; its end was taken as at
    # the frame border (the canvas coordinates of a panning camera, not the frame's)
    clip, rep = validation_report(
        _spec(
            kind="bounce",
            seed=851025,
            violation="vanish",
            camera="pan",
            size=[96, 72],
            fps=10.0,
            frames=45,
            background="stripes",
            blur=0.8643464717292657,
            noise=0.02035733941303841,
            lighting=0.029139044221574442,
        )
    )
    perm = rep.results["permanence"]
    assert perm.passed is False, failing_sentences(rep)
    assert "vanished" in perm.sentence and perm.failed_frames[0] == 28


def test_specks_of_a_floor_band_do_not_appear_or_vanish():
    # seed 8 clean 800184: 2-3 px specks of a jpeg'd floor band (its own colour) were tracked
    clip, rep = validation_report(
        _spec(
            kind="occluded",
            seed=800184,
            violation=None,
            camera="static",
            size=[192, 108],
            fps=15.0,
            frames=55,
            background="gradient",
            blur=0.3251631431698916,
            noise=0.003553630683987242,
            jpeg=59,
            lighting=0.00906554691067397,
            cut=True,
            attempt=1,
        )
    )
    assert rep.results["permanence"].passed is True, failing_sentences(rep)


def test_faint_is_judged_at_the_objects_size_at_its_end():
    # seed 8 appear 852057: a 10 px ball appears at frame 11 on a track that, after a crossing,
    # went on as a 3 px ball; at the track's median radius the ring lay inside the ball and it
    # looked "faint", excusing the appearance
    clip, rep = validation_report(
        _spec(
            kind="crossing",
            seed=852057,
            violation="appear",
            camera="shake",
            size=[256, 144],
            fps=15.0,
            frames=37,
            background="checker",
            blur=0.0,
            noise=0.010404559180144251,
            lighting=0.011372446026261867,
            attempt=1,
        )
    )
    perm = rep.results["permanence"]
    assert perm.passed is False, failing_sentences(rep)
    assert "appeared" in perm.sentence and perm.failed_frames[0] == 11
