"""Regression tests of the shot cuts (:mod:`vidkit.probes.cuts`) on clips of the independent
renderer (:mod:`vidkit.validation`), issue 13's sixth pass.

The clips are named by their seed in the suites of ``benchmarks/probe_accuracy.py`` (seeds 0-2);
each test names what the probes got wrong on it and checks the part of the report that was wrong.
"""

from __future__ import annotations

import numpy as np
import pytest
from _helpers import failing_sentences, suite_report

from vidkit.probes.cuts import find_cuts, thumbnail, thumbnail_colours


# ------------------------------------------------------------------------- cuts to a new palette
@pytest.mark.parametrize(
    "seed",
    [
        # clean toss, shaking camera at 10 fps, 96x72, checks -> another scene 22% darker: the
        # normalised thumbnail changes in a third of its pixels, 5x the shaking pairs around it
        # (the cut rule for a part of the picture wanted 6x): "frame 18 is 13% brighter than its
        # neighbours (flicker)"
        200027,
        # clean occluded ball, zoom at 48 fps, checks -> a darker scene: a fifth of the
        # thumbnail changed, 5.1x around it: "frame 25 is 6% brighter than its neighbours"
        200089,
        # vanish, zoom at 60 fps: faint green stripes -> faint green noise 25% brighter; 3% of
        # the normalised thumbnail changed by half a standard deviation (the brightness step was
        # the only finding: "frame 32 is 11% darker than its neighbours (flicker)")
        251029,
        # wrong gravity, shake at 25 fps: a plain green wall -> purple checks; 8% of the
        # normalised thumbnail changed ("frame 34 is 13% darker than its neighbours (flicker)")
        255009,
    ],
)
def test_cut_to_a_new_palette_is_a_cut_not_flicker(seed):
    clip, rep = suite_report(seed)
    assert rep.cuts == clip.truth["cuts"]
    assert rep.results["flicker"].passed is True, failing_sentences(rep)
    if clip.truth["violation"] is None:
        # a clean clip: the cut was its only "failure"
        assert rep.verdict != "fail", failing_sentences(rep)


# ------------------------------------------------------------------------- the colour rule itself
def _scene(colour, texture, rng, n=12, h=36, w=64):
    base = np.asarray(colour, np.float32)[None, None, :] * (1 + 0.2 * texture[..., None])
    return [
        np.clip(base + rng.normal(0, 0.01, (h, w, 3)), 0, 1).astype(np.float32) for _ in range(n)
    ]


def test_colour_histogram_cut_and_flash():
    rng = np.random.default_rng(0)
    yy, xx = np.mgrid[0:36, 0:64]
    stripes = np.sin(xx / 3.0 + yy / 5.0).astype(np.float32)
    shifted = np.sin(xx / 3.0 + yy / 5.0 + 0.3).astype(np.float32)
    frames = _scene((0.3, 0.6, 0.3), stripes, rng) + _scene((0.6, 0.3, 0.6), shifted, rng)
    th, col = zip(*(thumbnail_colours(f) for f in frames))
    np.testing.assert_allclose(th[3], thumbnail(frames[3]), atol=1e-5)
    # stripes shifted by a tenth of their period in another palette: the normalised gray
    # thumbnail changes 4x more than around it but in no pixel by half a standard deviation,
    # the colours all change -> a cut with the histograms, none without
    assert find_cuts(np.stack(th)) == []
    assert find_cuts(np.stack(th), colours=np.stack(col)) == [12]
    # a flash (the whole frame 40% brighter) moves the colours but not the normalised picture
    flash = [f * (1.4 if k == 6 else 1.0) for k, f in enumerate(frames[:12])]
    th, col = zip(*(thumbnail_colours(np.clip(f, 0, 1)) for f in flash))
    assert find_cuts(np.stack(th), colours=np.stack(col)) == []


def test_dark_flash_over_a_noise_free_scene_is_flicker_not_a_cut():
    # vk.synth free fall over a texture without sensor noise, frames 16-17 at 65% brightness:
    # the colour histogram moved by 0.95 and the normalised thumbnail by 0.065 (clipping and
    # quantisation), 3x the floor of the pairs around it: read as cuts at 16 and 18, which
    # split the flash off into a shot of its own and hid frames 15-18 from the flicker probe
    import vidkit as vk

    scene = vk.synth.render(
        "free_fall", seed=12, violation="flicker", background="texture", camera_noise=0.0
    )
    rep = vk.probes.physics(scene.video)
    assert rep.cuts == []
    assert {16, 17} <= set(rep.results["flicker"].failed_frames)


def test_colours_must_match_the_frames():
    th = np.zeros((5, 8, 8), np.float32)
    with pytest.raises(ValueError, match="one histogram per frame"):
        find_cuts(th, colours=np.zeros((4, 64)))
    with pytest.raises(ValueError, match=r"\[H, W, 3\]"):
        thumbnail_colours(np.zeros((8, 8)))
