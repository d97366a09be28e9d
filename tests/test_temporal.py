"""Temporal probes: VBench flicker formula, flicker detection, warping error, dynamic degree."""

from __future__ import annotations

import numpy as np
import pytest

import vidkit as vk
from vidkit.probes import (
    dynamic_degree_classical,
    flicker,
    occlusion_mask,
    optical_flow,
    vbench_temporal_flickering,
    warping_error,
)


def _texture(h: int = 48, w: int = 48, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    ys, xs = np.mgrid[0:h, 0:w]
    base = 0.5 + 0.2 * np.sin(xs / 3.1) * np.cos(ys / 4.3) + 0.05 * rng.standard_normal((h, w))
    return np.clip(np.stack([base, base * 0.9, 1 - base], -1), 0, 1).astype(np.float32)


def _panning(T: int = 8, step: int = 2) -> vk.Video:
    """A textured image sliding ``step`` px per frame (exact integer shifts)."""
    big = _texture(48, 48 + step * T)
    frames = np.stack([big[:, step * t : step * t + 48] for t in range(T)])
    return vk.Video(frames, fps=8)


# --------------------------------------------------------------------------- flicker
def test_vbench_flicker_formula_by_hand() -> None:
    frames = np.zeros((4, 2, 2, 3), np.uint8)
    frames[1] = 255
    frames[3] = 51
    # MAE per pair: 255, 255, 51 -> mean 187 -> (255 - 187) / 255
    v = vk.Video(frames)
    assert vbench_temporal_flickering(v) == pytest.approx((255 - 187) / 255)
    assert vbench_temporal_flickering(vk.Video(np.zeros((3, 4, 4, 3)))) == 1.0


def test_flicker_detects_the_flickering_frames() -> None:
    for seed in range(3):
        scene = vk.synth.render("uniform", seed=seed, violation="flicker", camera_noise=0.02)
        res = flicker(scene.video)
        assert res.passed is False
        bad = scene.truth.violation["frames"]
        assert set(bad) <= set(res.failed_frames), (bad, res.failed_frames)
        assert "than its neighbours" in res.sentence
        clean = flicker(vk.synth.render("uniform", seed=seed, camera_noise=0.02).video)
        assert clean.passed is True and clean.scores["max_jump"] < 0.01


def test_flicker_on_dark_video_and_short_video() -> None:
    dark = np.zeros((6, 8, 8, 3), np.float32)
    dark[3] = 0.02
    assert flicker(vk.Video(dark)).passed is False
    with pytest.raises(ValueError, match="at least 3"):
        flicker(vk.Video(np.zeros((2, 8, 8, 3))))


# --------------------------------------------------------------------------- warping error
def test_occlusion_tests_of_lai_et_al() -> None:
    z = np.zeros((8, 8, 2), np.float32)
    assert not occlusion_mask(z, z).any()
    fw = np.zeros((8, 8, 2), np.float32)
    fw[..., 0] = 2.0
    bw = -fw
    assert not occlusion_mask(fw, bw).any()  # consistent translation
    assert occlusion_mask(fw, fw).all()  # forward-backward mismatch |4|^2 > 0.01*8 + 0.5
    fw2 = np.zeros((8, 8, 2), np.float32)
    fw2[:, 4:, 0] = 3.0  # motion boundary between columns 3 and 4
    occ = occlusion_mask(fw2, -fw2)
    assert occ[:, 3].all() and not occ[:, 0].any()


def test_warping_error_static_panning_and_spike() -> None:
    still = vk.Video(np.repeat(_texture()[None], 5, axis=0))
    res = warping_error(still)
    assert res.scores["warping_error"] == pytest.approx(0.0, abs=1e-7)
    assert res.passed is True
    pan = _panning()
    flow = optical_flow(pan.frames[0], pan.frames[1])
    assert np.median(flow[8:-8, 8:-8, 0]) == pytest.approx(-2.0, abs=0.25)
    res = warping_error(pan)
    assert res.passed is True and res.scores["warping_error"] < 0.005
    frames = pan.frames.copy()
    frames[4] = np.random.default_rng(1).random(frames[4].shape)
    res = warping_error(vk.Video(frames, fps=8))
    assert res.passed is False
    assert {3, 4} <= set(res.failed_frames)
    assert res.details["pair_error"].shape == (7,)
    with pytest.raises(ValueError, match="method"):
        optical_flow(frames[0], frames[1], method="raft")


# --------------------------------------------------------------------------- dynamic degree
def test_dynamic_degree_rule() -> None:
    static = dynamic_degree_classical(vk.Video(np.repeat(_texture()[None], 6, axis=0), fps=8))
    assert static.passed is False and "static" in static.sentence
    moving = dynamic_degree_classical(_panning(T=8, step=3))
    assert moving.passed is True
    # thresholds: 6 * min(H, W) / 256 px and round(4 * N / 16) pairs
    assert moving.threshold["flow_px"] == pytest.approx(6 * 48 / 256)
    assert moving.threshold["pairs"] == round(4 * 8 / 16)
    # fps 16: every second frame is kept (interval round(16 / 8))
    fast = dynamic_degree_classical(vk.Video(_panning(T=8).frames, fps=16))
    assert fast.details["interval"] == 2 and fast.details["pair_flow"].shape == (3,)
