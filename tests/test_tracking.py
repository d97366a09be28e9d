"""Weight-free tracker: sub-pixel centroids, identities, backgrounds, noise, bad input."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import vidkit as vk
from vidkit.probes import Tracks, track
from vidkit.probes.tracking import temporal_median


def _disc(img: np.ndarray, cx: float, cy: float, r: float, color) -> None:
    """Antialiased disc (one-pixel edge ramp), drawn here independently of vk.synth."""
    h, w = img.shape[:2]
    ys, xs = np.mgrid[0:h, 0:w]
    a = np.clip(r + 0.5 - np.hypot(xs - cx, ys - cy), 0, 1)[..., None]
    img[:] = img * (1 - a) + np.asarray(color, np.float32) * a


def _background(kind: str, h: int, w: int, rng: np.random.Generator) -> np.ndarray:
    if kind == "plain":
        return np.full((h, w, 3), 0.5, np.float32)
    if kind == "noise":
        return np.clip(0.5 + 0.06 * rng.standard_normal((h, w, 1)), 0, 1).repeat(3, 2)
    ys, xs = np.mgrid[0:h, 0:w]
    stripes = 0.5 + 0.1 * np.sin(2 * np.pi * (xs + 0.5 * ys) / 17.0)
    return np.repeat(stripes[..., None], 3, axis=2).astype(np.float32)


def _movie(paths, radii, colors, *, bg="plain", noise=0.0, size=(48, 64), seed=0):
    """Frames with discs along the given paths ``[n, T, 2]``."""
    rng = np.random.default_rng(seed)
    h, w = size
    base = _background(bg, h, w, rng).astype(np.float32)
    T = paths.shape[1]
    frames = np.repeat(base[None], T, axis=0)
    for t in range(T):
        for p, r, c in zip(paths, radii, colors):
            _disc(frames[t], p[t, 0], p[t, 1], r, c)
    if noise:
        frames = frames + rng.normal(0, noise, frames.shape).astype(np.float32)
    return vk.Video(np.clip(frames, 0, 1), fps=12)


@pytest.mark.parametrize("bg", ["plain", "noise", "texture"])
@pytest.mark.parametrize("noise", [0.0, 0.03])
def test_subpixel_centroid_and_radius(bg: str, noise: float) -> None:
    T = 12
    t = np.arange(T)
    path = np.stack([8.3 + 3.7 * t, 10.6 + 0.25 * t**2], axis=-1)[None]
    v = _movie(path, [4.2], [(0.9, 0.15, 0.1)], bg=bg, noise=noise)
    tr = track(v)
    assert tr.n_objects == 1
    err = np.hypot(*(tr.centers[0] - path[0]).T)
    rel = tr.reliable(0)
    assert rel.sum() >= T - 1
    # sub-pixel: a tenth of a pixel without noise, a fifth with sensor noise 0.03
    assert np.max(err[rel]) < (0.1 if noise == 0 else 0.2), err
    assert np.median(tr.radii[0]) == pytest.approx(4.2, rel=0.04)
    assert np.all(tr.visible[0])


def test_identities_kept_through_contact_and_crossing() -> None:
    T = 16
    t = np.arange(T)
    a = np.stack([6 + 3.0 * t, np.full(T, 20.0)], axis=-1)
    b = np.stack([54 - 3.0 * t, np.full(T, 27.0)], axis=-1)  # passes 7 px below: touches
    v = _movie(np.stack([a, b]), [4.0, 4.0], [(0.9, 0.1, 0.1), (0.1, 0.2, 0.9)])
    tr = track(v)
    assert tr.n_objects == 2
    first = np.argsort(tr.centers[:, 0, 0])  # object starting on the left is a
    for k, truth in zip(first, (a, b)):
        vis = tr.visible[k]
        assert vis.sum() >= T - 1
        assert np.nanmax(np.hypot(*(tr.centers[k, vis] - truth[vis]).T)) < 1.0
    # colours are told apart, so no frame is left without both objects
    assert tr.visible.sum() >= 2 * T - 2


def test_slow_object_covering_pixels_most_of_the_time() -> None:
    # moves 6 px in 24 frames with radius 5: the median background holds the disc
    T = 24
    path = np.stack([20 + 0.25 * np.arange(T), np.full(T, 24.0)], axis=-1)[None]
    v = _movie(path, [5.0], [(0.1, 0.7, 0.2)], bg="plain")
    tr = track(v)
    assert tr.n_objects == 1
    assert tr.visible[0].all()
    assert np.max(np.hypot(*(tr.centers[0] - path[0]).T)) < 0.15
    assert np.median(tr.radii[0]) == pytest.approx(5.0, rel=0.04)


def test_brightness_flicker_does_not_make_foreground() -> None:
    T = 12
    path = np.stack([10 + 3.0 * np.arange(T), np.full(T, 20.0)], axis=-1)[None]
    v = _movie(path, [4.0], [(0.9, 0.8, 0.1)])
    frames = v.frames.copy()
    frames[5] *= 0.7
    tr = track(vk.Video(frames, fps=12))
    assert tr.n_objects == 1 and tr.visible[0].all()
    assert tr.gain[5] == pytest.approx(0.7, abs=0.02)


def test_a_dozen_objects() -> None:
    T, n = 10, 12
    paths = []
    for k in range(n):
        row, col = divmod(k, 4)
        x0, y0 = 8 + 16 * col, 10 + 16 * row
        paths.append(np.stack([x0 + 0.6 * np.arange(T), y0 + 0.4 * np.arange(T)], axis=-1))
    colors = [(0.9, 0.1, 0.1), (0.1, 0.8, 0.2), (0.1, 0.2, 0.9), (0.9, 0.8, 0.1)] * 3
    v = _movie(np.stack(paths), [3.0] * n, colors, size=(56, 72))
    tr = track(v)
    assert tr.n_objects == n
    assert tr.visible.all()


def test_synth_scene_matches_truth_in_every_kind() -> None:
    for kind in vk.synth.KINDS:
        scene = vk.synth.render(kind, seed=1, camera_noise=0.02, background="texture")
        tr = track(scene.video)
        truth = scene.truth
        assert tr.n_objects == truth.num_objects, kind
        for i in range(tr.n_objects):
            # match tracks to truth by the first frame
            j = int(np.argmin(np.hypot(*(truth.centers[:, 0] - tr.centers[i, 0]).T)))
            ok = tr.reliable(i)
            err = np.hypot(*(tr.centers[i, ok] - truth.centers[j, ok]).T)
            assert np.median(err) < 0.15, (kind, np.median(err))


def test_static_video_has_no_objects() -> None:
    v = _movie(np.full((1, 8, 2), 20.0), [4.0], [(0.9, 0.1, 0.1)])
    tr = track(v)
    assert tr.n_objects == 0
    assert tr.to_frame().empty


def test_grayscale_array_is_tracked() -> None:
    T = 8
    frames = np.full((T, 32, 32), 0.2, np.float32)
    for t in range(T):
        ys, xs = np.mgrid[0:32, 0:32]
        frames[t] += 0.7 * np.clip(4.5 - np.hypot(xs - 5 - 3 * t, ys - 16), 0, 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "grayscale frames converted to RGB"
        tr = track(frames)
    assert tr.n_objects == 1
    assert tr.centers[0, 3, 0] == pytest.approx(14.0, abs=0.1)


def test_tracks_table_and_repr() -> None:
    T = 8
    path = np.stack([6 + 3.0 * np.arange(T), np.full(T, 16.0)], axis=-1)[None]
    tr = track(_movie(path, [3.5], [(0.9, 0.1, 0.1)], size=(32, 40)))
    df = tr.to_frame()
    assert list(df.columns[:5]) == ["object", "frame", "time", "x", "y"]
    assert len(df) == T
    assert "1 objects over 8 frames" in repr(tr)
    assert isinstance(tr, Tracks) and tr.times[1] == pytest.approx(1 / 12)


def test_bad_input_is_rejected_clearly() -> None:
    with pytest.raises(ValueError, match="at least 4"):
        track(vk.Video(np.zeros((3, 16, 16, 3))))
    with pytest.raises(TypeError, match="Video"):
        track([1, 2, 3])
    with pytest.raises(ValueError, match="fps"):
        track(vk.Video(np.zeros((5, 16, 16, 3))), fps=-1)
    with pytest.raises(ValueError, match="min_area"):
        track(vk.Video(np.zeros((5, 16, 16, 3))), min_area=0)


@pytest.mark.parametrize("T", [1, 2, 5, 16, 33])
def test_temporal_median_equals_numpy(T: int) -> None:
    x = np.random.default_rng(T).random((T, 5, 6, 3)).astype(np.float32)
    assert np.array_equal(temporal_median(x), np.median(x, axis=0).astype(np.float32))
