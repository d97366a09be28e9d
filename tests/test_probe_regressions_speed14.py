"""Issue 13's twelfth pass on the speed of small clips (helper speed14): every shortcut gives
numpy's and OpenCV's own values to the bit, and the report of a small clip is the same
whichever way it is reached (gray frames kept from pass 1 or converted again, OpenCV on one
thread or on its pool)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

import vidkit as vk
from vidkit.probes import medians, report, stream
from vidkit.probes.small_linalg import pinv


def _same(a, b) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def test_pinv_is_numpys_to_the_bit():
    rng = np.random.default_rng(0)
    for i in range(600):
        n, m = (int(v) for v in rng.integers(1, 7, 2))
        a = rng.normal(size=(n, m))
        if i % 3 == 0:
            a = a @ a.T  # a normal matrix, as the fits take
        if i % 5 == 0:
            a[:, 0] = 0.0  # singular: a null direction (cut off)
        if i % 11 == 0:
            a = np.zeros((n, m))
        assert _same(pinv(a), np.linalg.pinv(a)), (n, m, i)
    a32 = rng.normal(size=(4, 4)).astype(np.float32)  # other dtypes: numpy itself
    assert _same(pinv(a32), np.linalg.pinv(a32))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_percentile_is_numpys_to_the_bit(dtype):
    rng = np.random.default_rng(1)
    for i in range(300):
        n = int(rng.integers(1, 5000))
        x = (rng.random(n) * 50).astype(dtype)
        if i % 3 == 0:
            x = np.round(x)  # ties
        if i % 7 == 0:
            x[int(rng.integers(0, n))] = np.nan
        q = (75, 25, 50, 0, 100, 33.3)[i % 6]
        got, want = medians.percentile(x, q), np.percentile(x, q)
        assert np.array_equal(got, want, equal_nan=True) and type(got) is type(want), (n, q)


def test_median_above_is_the_medians_test():
    rng = np.random.default_rng(2)
    for i in range(2000):
        n = int(rng.integers(1, 300)) if i % 2 else 4096
        k = i % 4
        if k == 0:
            x = rng.random(n)
        elif k == 1:
            x = np.round(rng.random(n) * 8) / 16  # exact ties at the level
        elif k == 2:
            x = np.where(rng.random(n) < 0.5, 0.25, rng.random(n))  # the middle pair on it
        else:
            x = rng.random(n)
            x[0] = np.nan
        x = x.astype((np.float32, np.float64)[i % 2])
        assert medians.median_above(x, 0.25) == bool(medians.median(x) > 0.25), i


def test_opencv_threads_serial_on_small_frames_and_set_back():
    n = cv2.getNumThreads()
    try:
        cv2.setNumThreads(2)
        with stream.opencv_threads(64 * 64):
            assert cv2.getNumThreads() == 1
        assert cv2.getNumThreads() == 2
        with stream.opencv_threads(384 * 216):  # a working frame of a real clip: the pool
            assert cv2.getNumThreads() == 2
        with pytest.raises(RuntimeError), stream.opencv_threads(64 * 64):
            raise RuntimeError("the caller's count is set back after an error too")
        assert cv2.getNumThreads() == 2
    finally:
        cv2.setNumThreads(n)


def _digest(rep) -> list:
    out = [rep.verdict]
    for name, r in sorted(rep.results.items()):
        out.append((name, r.verdict, [(f.severity, f.frames, f.sentence) for f in r.findings]))
    t = rep.tracks
    out += [np.asarray(getattr(t, k)).tobytes() for k in ("centers", "radii", "cam_shift")]
    return out


def test_small_clip_report_is_the_same_with_kept_grays_and_on_the_pool(monkeypatch):
    # the bench scene (64x64 bounce with camera noise): pass 1's gray frames kept for the
    # camera's look, the flows and the camera error, OpenCV on one thread, against the
    # frames converted again per use (KEEP_GRAYS_PX 0) on OpenCV's pool (SERIAL_PX 0)
    v = vk.synth.render("bounce", seed=3, size=64, camera_noise=0.02, colors=["yellow"]).video
    fast = _digest(vk.probes.physics(v))
    n = cv2.getNumThreads()
    try:
        cv2.setNumThreads(2)
        monkeypatch.setattr(report, "KEEP_GRAYS_PX", 0)
        monkeypatch.setattr(stream, "SERIAL_PX", 0)
        slow = _digest(vk.probes.physics(v))
    finally:
        cv2.setNumThreads(n)
    assert fast == slow
