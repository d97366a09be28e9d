"""Regression tests of permanence (issue 13, eleventh pass, helper perm13): causes measured in
the tracks against the renderer's truth, not exceptions.

* across a gap, a track is extrapolated from the frames where it was seen whole (not merged with
  another blob) when that fit's own residuals give it a standard error within twice the gate's
  allowance for the object's size: a crossing's joint-blob centres sent a thrown ball's
  prediction 34 px off where it came out, its pieces were never joined and its vanishing after
  the crossing went unseen; a residue speck's hops (2.9 px residuals, 36 px of standard error
  16 frames on) and a fit through one stray detection (2 whole frames) keep the old prediction.

The clips are of ``benchmarks/probe_accuracy.py --renderer validation --n-violation 48 --seed N``
(N = seed // 100003), named by their render arguments.
"""

from __future__ import annotations

import numpy as np
import pytest

import vidkit as vk
from vidkit import validation
from vidkit.probes.association import Track, predict_whole
from vidkit.probes.detection import Det


def _det(x: float, y: float, merged: bool = False) -> Det:
    return Det(x, y, 20.0, np.full(3, 0.8), (0, 0, 1, 1), merged, 1)


# --------------------------------------------------------------------------- units
def test_whole_frame_prediction_and_its_measured_error():
    # a parabola seen whole, then 3 frames merged with another blob whose centre pulls it off
    tr = Track()
    for t in range(6):
        tr.add(t, _det(10.0 + 3 * t, 50.0 - 8 * t + 0.5 * t * t))
    for t in range(6, 9):
        tr.add(t, _det(40.0, 40.0, merged=True))
    p, se = predict_whole(tr, 16)
    assert np.allclose(p, [58.0, 50.0]) and se < 1e-6
    # a speck hopping about one place: the fit's residuals make its prediction worthless
    rng = np.random.default_rng(0)
    sp = Track()
    for t in range(6):
        sp.add(t, _det(*(40.0 + rng.normal(0, 3, 2))))
    _, se = predict_whole(sp, 22)
    assert se > 20.0
    # fewer than 3 whole frames leave no residual to measure the error with
    two = Track()
    two.add(0, _det(1.0, 1.0))
    two.add(1, _det(2.0, 2.0))
    two.add(2, _det(9.0, 9.0, merged=True))
    assert predict_whole(two, 5)[1] == np.inf


_VANISH_AFTER_CROSSING = [
    {
        "kind": "crossing", "seed": 751061, "violation": "vanish", "camera": "static",
        "size": [256, 144], "fps": 12.0, "frames": 52, "background": "checker", "blur": 0.0,
        "noise": 0.022695842151244098, "jpeg": None, "lighting": 0.026190713434368868,
        "occluders": 0, "attempt": 0,
    },
    {
        "kind": "crossing", "seed": 651037, "violation": "vanish", "camera": "pan",
        "size": [128, 96], "fps": 30.0, "frames": 60, "background": "gradient",
        "blur": 0.7960163832137854, "noise": 0.01038016712469906, "jpeg": None,
        "lighting": 0.038099655556015966, "occluders": 0, "attempt": 0,
    },
]  # fmt: skip


@pytest.mark.parametrize("spec", _VANISH_AFTER_CROSSING, ids=lambda s: str(s["seed"]))
def test_vanish_just_after_a_crossing_is_caught(spec):
    # the ball passes behind another and vanishes a few frames after it came out: the piece it
    # came out as is joined to the track before the crossing, so its end is judged
    clip = validation.render_spec(spec)
    res = vk.probes.physics(clip.video).results["permanence"]
    fails = [f.sentence for f in res.findings if f.severity == "fail"]
    assert any("vanished" in s for s in fails), res.sentence


_CLEAN = [
    # a glide under a pan over a jpeg'd gradient: the tracked ball hops 3 px about its path
    {
        "kind": "glide", "seed": 700172, "violation": None, "camera": "pan", "size": [96, 72],
        "fps": 48.0, "frames": 52, "background": "gradient", "blur": 0.6852079831967458,
        "noise": 0.022318976736550013, "jpeg": 48, "lighting": 0.004813358082178722,
        "occluders": 0, "attempt": 1,
    },
    # a crossing whose small ball's last detection before the crossing is a stray 12 px off
    {
        "kind": "crossing", "seed": 300203, "violation": None, "camera": "static",
        "size": [96, 72], "fps": 25.0, "frames": 41, "background": "perlin",
        "blur": 0.3583120633423612, "noise": 0.015218917869988188, "jpeg": 40,
        "lighting": 0.033619034857014125, "occluders": 0, "attempt": 3,
    },
]  # fmt: skip


@pytest.mark.parametrize("spec", _CLEAN, ids=lambda s: str(s["seed"]))
def test_noisy_whole_frames_do_not_join_residue(spec):
    clip = validation.render_spec(spec)
    res = vk.probes.physics(clip.video).results["permanence"]
    assert not [f for f in res.findings if f.severity == "fail"], res.sentence
