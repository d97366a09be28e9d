"""Physics-IQ: motion masks identical to the reference loop; metrics and scores by hand."""

from __future__ import annotations

import numpy as np
import pytest

import vidkit as vk
from vidkit.probes import (
    motion_masks,
    motion_masks_reference,
    physiq,
    physiq_metrics,
    physiq_score,
)


@pytest.mark.parametrize("shape", [(6, 16, 16), (7, 33, 47), (4, 3, 5), (3, 64, 40)])
def test_batched_masks_identical_to_reference_loop(shape) -> None:
    rng = np.random.default_rng(sum(shape))
    frames = (rng.random((*shape, 3)) * 255).astype(np.uint8)
    a, b = motion_masks(frames), motion_masks_reference(frames)
    assert a.dtype == np.uint8 and a.shape == shape
    assert np.array_equal(a, b)
    assert not a[0].any()
    assert set(np.unique(a)) <= {0, 255}


@pytest.mark.parametrize("kind", ["bounce", "pendulum", "collision"])
def test_masks_identical_on_synth_scenes(kind: str) -> None:
    scene = vk.synth.render(kind, seed=2, camera_noise=0.02, background="texture")
    a = motion_masks(scene.video)
    assert np.array_equal(a, motion_masks_reference(scene.video))
    assert np.array_equal(
        motion_masks(scene.video, threshold=25),
        motion_masks_reference(scene.video, threshold=25),
    )


def test_mask_sees_a_moving_bright_square() -> None:
    frames = np.zeros((5, 40, 40, 3), np.uint8)
    for t in range(5):
        frames[t, 10:20, 5 + 5 * t : 15 + 5 * t] = 200
    m = motion_masks(frames)
    assert m[3, 15, 24] == 255  # the square's leading part
    assert m[3, 35, 35] == 0


def _block_masks(T: int, cells: list[list[tuple[int, int]]], grid: int = 4) -> np.ndarray:
    """Masks [T, 4*grid, 4*grid] whose 4x4 blocks are on where listed: exact after // 4."""
    m = np.zeros((T, 4 * grid, 4 * grid), np.uint8)
    for t, on in enumerate(cells):
        for r, c in on:
            m[t, 4 * r : 4 * r + 4, 4 * c : 4 * c + 4] = 255
    return m


def test_metrics_identical_inputs() -> None:
    m = _block_masks(3, [[], [(0, 0), (1, 1)], [(2, 2)]])
    frames = (np.random.default_rng(0).random((3, 16, 16, 3)) * 255).astype(np.uint8)
    out = physiq_metrics(m, m, fps=1, real_frames=frames, gen_frames=frames)
    assert out["spatial_iou"] == 1.0
    assert out["spatiotemporal_iou"] == 1.0
    assert out["weighted_spatial_iou"] == 1.0
    assert out["mse"] == 0.0
    assert out["size"] == (4, 4)


def test_metrics_known_overlaps_by_hand() -> None:
    # after resizing to 4x4 cells: real moves at (0,0) in frames 0-1 and (0,1) in frame 1;
    # generated moves at (0,0) in frame 0 and (1,1) in frames 1-2
    real = _block_masks(3, [[(0, 0)], [(0, 0), (0, 1)], []])
    gen = _block_masks(3, [[(0, 0)], [(1, 1)], [(1, 1)]])
    out = physiq_metrics(real, gen, fps=1)
    # per frame IoU: 1/1, 0/3, 0/1 (frame 2: union = 1 cell)
    assert out["spatiotemporal_iou_per_frame"] == [1.0, 0.0, 0.0]
    assert out["spatiotemporal_iou"] == pytest.approx(1 / 3)
    # OR over time: real {(0,0), (0,1)}, gen {(0,0), (1,1)} -> 1 / 3
    assert out["spatial_iou"] == pytest.approx(1 / 3)
    # W_real: (0,0)=2/3, (0,1)=1/3; W_gen: (0,0)=1/3, (1,1)=2/3
    # sum min = 1/3 ; sum max = 2/3 + 1/3 + 2/3 = 5/3  -> 0.2
    assert out["weighted_spatial_iou"] == pytest.approx(0.2)
    assert np.isnan(out["mse"])


def test_metrics_empty_masks_and_frame_window() -> None:
    empty = np.zeros((12, 16, 16), np.uint8)
    out = physiq_metrics(empty, empty, fps=2)
    assert out["spatial_iou"] == out["spatiotemporal_iou"] == out["weighted_spatial_iou"] == 1.0
    assert out["frames"] == 10  # the first fps * 5 frames
    frames_a = np.zeros((12, 16, 16, 3), np.uint8)
    frames_b = np.full((12, 16, 16, 3), 255, np.uint8)
    out = physiq_metrics(empty, empty, fps=2, real_frames=frames_a, gen_frames=frames_b)
    assert out["mse"] == pytest.approx(1.0)


def test_metrics_bad_input() -> None:
    with pytest.raises(ValueError, match="same frame size"):
        physiq_metrics(np.zeros((3, 16, 16), np.uint8), np.zeros((3, 8, 8), np.uint8), fps=1)
    with pytest.raises(ValueError, match="same number of frames"):
        physiq_metrics(np.zeros((3, 16, 16), np.uint8), np.zeros((2, 16, 16), np.uint8), fps=1)
    with pytest.raises(TypeError, match="uint8"):
        physiq_metrics(np.zeros((3, 16, 16)), np.zeros((3, 16, 16)), fps=1)
    with pytest.raises(ValueError, match="fps"):
        physiq_metrics(np.zeros((3, 16, 16), np.uint8), np.zeros((3, 16, 16), np.uint8), fps=0)


def test_score_formulas_by_hand() -> None:
    m = {"spatiotemporal_iou": 0.2, "spatial_iou": 0.3, "weighted_spatial_iou": 0.1, "mse": 0.02}
    v = {"spatiotemporal_iou": 0.4, "spatial_iou": 0.6, "weighted_spatial_iou": 0.5, "mse": 0.01}
    # original: mean(0.5, 0.5, 0.2) - (0.02 - 0.01) = 0.4 - 0.01
    assert physiq_score(m, v) == pytest.approx(39.0)
    # verified: mean(0.5, 0.5, 0.2, 0.01 / 0.02) = 0.425
    assert physiq_score(m, v, "verified") == pytest.approx(42.5)
    better = {"spatiotemporal_iou": 0.9, "spatial_iou": 0.9, "weighted_spatial_iou": 0.9, "mse": 0}
    assert physiq_score(better, v) == 100.0 and physiq_score(better, v, "verified") == 100.0
    zero = dict(v, spatial_iou=0.0)
    assert physiq_score(dict(m, spatial_iou=0.0), zero, "verified") == pytest.approx(
        100 * np.mean([0.5, 1.0, 0.2, 0.5])
    )
    with pytest.raises(ValueError, match="variant"):
        physiq_score(m, v, "other")
    with pytest.raises(ValueError, match="missing"):
        physiq_score({"mse": 0.1}, v)


def test_physiq_probe_on_videos() -> None:
    real = vk.synth.render("bounce", seed=3, colors=["yellow"]).video
    take2 = vk.synth.render("bounce", seed=3, colors=["yellow"], camera_noise=0.01).video
    same = physiq(real, real, real2=take2)
    assert same.scores["spatiotemporal_iou"] == 1.0 and same.scores["mse"] == 0.0
    assert same.scores["score_verified"] == 100.0 and same.passed is True
    other = vk.synth.render("bounce", seed=4, colors=["yellow"]).video
    res = physiq(other, real, real2=take2)
    assert res.scores["spatiotemporal_iou"] < 0.9
    assert res.scores["score"] < same.scores["score"]
    alone = physiq(other, real)
    assert alone.passed is None and "score" not in alone.scores
    with pytest.raises(ValueError, match="resize"):
        physiq(vk.synth.render("bounce", seed=3, size=32).video, real)
