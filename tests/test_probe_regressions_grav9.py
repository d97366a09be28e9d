"""Regressions of the seventh accuracy pass on gravity under a moving camera (grav9): the
camera's error is measured where each object is (vidkit.probes.camera_local) and propagated
into the error of each piece's fitted acceleration."""

from __future__ import annotations

import numpy as np
import pytest
from _helpers import suite_report

from vidkit.probes.camera_local import local_shift
from vidkit.probes.segments import fit_segment
from vidkit.probes.tracking import Tracks
from vidkit.probes.trajectory import camera_acc_se, shot_jitter


def _texture(h: int = 64, w: int = 64) -> np.ndarray:
    import cv2

    rng = np.random.default_rng(3)
    return cv2.GaussianBlur((rng.random((h, w)) * 255).astype(np.float32), (0, 0), 2.0)


def test_local_shift_reads_a_subpixel_shift():
    import cv2

    ref = _texture()
    img = cv2.warpAffine(ref, np.array([[1.0, 0, 0.4], [0, 1, -0.3]]), (64, 64))
    mask = np.zeros((64, 64), bool)
    mask[4:-4, 4:-4] = True
    d, se = local_shift(img, ref, mask)
    assert d == pytest.approx([0.4, -0.3], abs=0.05)
    assert np.all(se < 0.05)


def test_local_shift_leaves_the_direction_along_stripes_unmeasured():
    # vertical stripes show a horizontal shift, never a vertical one (the aperture problem):
    # the error along them must be large, not the small one of the measured direction
    x = np.arange(64, dtype=np.float32)
    ref = np.tile(128 + 40 * np.sin(2 * np.pi * x / 9), (64, 1)).astype(np.float32)
    d, se = local_shift(ref, ref, np.ones((64, 64), bool))
    assert se[0] < 0.1
    assert se[1] > 1e3


def test_local_shift_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="one shape"):
        local_shift(np.zeros((4, 4)), np.zeros((4, 5)), np.ones((4, 4), bool))


def _tracks_with_camera_shift(d: np.ndarray, e: float) -> Tracks:
    T = d.shape[0]
    t = np.arange(T, dtype=float)
    c = np.stack([10 + 2 * t, 20 + 0.5 * t], axis=1)[None] + d[None]
    vis = np.ones((1, T), bool)
    return Tracks(
        c,
        np.full((1, T), 4.0),
        np.full((1, T), 50.0),
        np.full((1, T, 3), 0.5),
        vis,
        np.zeros_like(vis),
        np.zeros_like(vis),
        25.0,
        (64, 96),
        np.zeros((64, 96, 3), np.float32),
        cam_shift=d[None],
        cam_se=np.full((1, T, 2), e),
    )


def test_camera_error_at_the_object_enters_the_acceleration_error():
    # a still shot whose background around the object drifts smoothly by ~1.5 px (a camera the
    # corners missed): the piece's own residuals cannot show a smooth bend, the background
    # around the object does, and it widens the error of the piece's acceleration; a
    # background that stays put (shifts within their own error) leaves the fit's own error
    rng = np.random.default_rng(0)
    T = 20
    fr = np.arange(T)
    drift = np.zeros((T, 2))
    drift[:, 1] = 1.5 * np.sin(2 * np.pi * fr / 40)
    tr = _tracks_with_camera_shift(drift, 0.05)
    assert shot_jitter(tr, 0) > 0.5
    seg = fit_segment(0, fr, tr.centers[0], tr.fps, sigma=0.05)
    se = camera_acc_se(tr, seg)
    assert se[1] > 5 * seg.se_acc[1]
    assert se[1] >= abs(seg.g)  # the bend the drift put into the piece is within its error
    calm = _tracks_with_camera_shift(rng.normal(0, 0.05, (T, 2)), 0.05)
    assert shot_jitter(calm, 0) == 0.0
    seg2 = fit_segment(0, fr, calm.centers[0], calm.fps, sigma=0.05)
    assert np.allclose(camera_acc_se(calm, seg2), seg2.se_acc)


def test_missed_shake_over_stripes_is_not_read_as_gravity():
    # seed 3 clean 300024 (shake, a cut): the second shot (stripes) has too few corners for the
    # camera to be measured and is assumed still while the camera shakes by ~1 px; its ball
    # glides and the shake bent three pieces into "falls" of 76-238 px/s^2 (gravity failed).
    # The background around the ball shows the shake: its error now enters the pieces' errors
    clip, rep = suite_report(300024)
    assert rep.camera[1].status == "static"
    i = next(k for k in range(rep.tracks.n_objects) if rep.tracks.shot_of(k) == 1)
    assert np.isfinite(rep.tracks.cam_shift[i, rep.tracks.visible[i]]).all()
    assert shot_jitter(rep.tracks, 1) > 0.2
    assert rep.results["gravity"].passed is not False, rep.results["gravity"].sentence


def test_missed_slow_zoom_is_not_read_as_gravity():
    # seed 3 clean 300134 (8 fps, a cut): the second shot's slow zoom-out (8% over 23 frames)
    # reads as still in every frame pair; the crossing balls' straight paths bent into
    # g = 2.85 and -1.70 px/s^2 (tolerance 2.65). Their background shows the zoom
    clip, rep = suite_report(300134)
    assert rep.camera[1].status == "static"
    assert shot_jitter(rep.tracks, 1) > 0.2
    assert rep.results["gravity"].passed is not False, rep.results["gravity"].sentence
