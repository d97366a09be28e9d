"""Gaussian statistics, Fréchet distance, kernel distance, bootstrap: numerics and edge cases."""

from __future__ import annotations

import os
import socket
import warnings

import numpy as np
import pytest
import scipy.linalg
import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from vidkit.metrics.frechet import (
    GaussianStats,
    SampleSizeWarning,
    SingularCovarianceWarning,
    bootstrap,
    fd_from_features,
    frechet_distance,
    kernel_distance,
    polynomial_mmd,
)


def _pytorch_fid(mu1, s1, mu2, s2):
    """The pytorch-fid formula (sqrtm of the product), without the deprecated disp= argument."""
    covmean = scipy.linalg.sqrtm(s1 @ s2)
    if np.iscomplexobj(covmean):
        covmean = covmean.real
    diff = mu1 - mu2
    return float(diff @ diff + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean))


def _gaussians(rng, d=48, n=400):
    a = rng.normal(size=(n, d)) @ (np.eye(d) + 0.3 * rng.normal(size=(d, d)) / np.sqrt(d))
    b = rng.normal(0.2, 1.3, size=(n, d)) @ (np.eye(d) + 0.3 * rng.normal(size=(d, d)) / np.sqrt(d))
    return a, b


def test_fd_matches_scipy_sqrtm(rng):
    a, b = _gaussians(rng)
    mu1, s1, mu2, s2 = a.mean(0), np.cov(a, rowvar=False), b.mean(0), np.cov(b, rowvar=False)
    ref = _pytorch_fid(mu1, s1, mu2, s2)
    for method in ("cholesky", "eigh", "sqrtm"):
        got = frechet_distance(mu1, s1, mu2, s2, method=method)
        assert abs(got - ref) / ref <= 1e-8, method


def test_fd_uses_symmetric_eigenproblems_only(rng, monkeypatch):
    a, b = _gaussians(rng, d=16, n=100)
    s1, s2 = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    seen = []
    real_eigh = scipy.linalg.eigh

    def spy(m, *args, **kw):
        mats = [m, *(x for x in args[:1] if isinstance(x, np.ndarray))]
        seen.extend(np.abs(x - x.T).max() / np.abs(x).max() for x in mats)
        return real_eigh(m, *args, **kw)

    monkeypatch.setattr(scipy.linalg, "eigh", spy)
    monkeypatch.setattr(np.linalg, "eigvalsh", lambda *a, **k: pytest.fail("eigvalsh used"))
    monkeypatch.setattr(np.linalg, "eigvals", lambda *a, **k: pytest.fail("eigvals used"))
    got = frechet_distance(a.mean(0), s1, b.mean(0), s2)
    got_eigh = frechet_distance(a.mean(0), s1, b.mean(0), s2, method="eigh")
    assert seen and max(seen) < 1e-12
    monkeypatch.undo()
    # the wrong formula (symmetric solver on the non-symmetric product) gives another number
    wrong_tr = np.sqrt(np.clip(scipy.linalg.eigh(s1 @ s2, eigvals_only=True), 0, None)).sum()
    ref = _pytorch_fid(a.mean(0), s1, b.mean(0), s2)
    wrong = float(np.sum((a.mean(0) - b.mean(0)) ** 2) + np.trace(s1 + s2) - 2 * wrong_tr)
    assert abs(got - ref) / ref < 1e-9 and abs(got_eigh - ref) / ref < 1e-9
    assert abs(wrong - ref) / ref > 1e-3


def test_singular_covariance_warns_and_stays_accurate(rng):
    d = 40
    a, b = rng.normal(size=(10, d)), rng.normal(0.5, 1, size=(12, d))  # N < d: rank <= N-1
    sa, sb = GaussianStats().update(a), GaussianStats().update(b)
    s1, s2 = sa.cov(), sb.cov()
    with pytest.warns(SingularCovarianceWarning, match="singular"):
        got = frechet_distance(sa.mean, s1, sb.mean, s2)
    with pytest.warns(SingularCovarianceWarning):
        got_eigh = frechet_distance(sa.mean, s1, sb.mean, s2, method="eigh")
    # independent: eigenvalues of the product (general solver), clipped, high-precision sum
    ev = np.clip(np.linalg.eigvals(s1 @ s2).real, 0, None)
    ref = float(np.sum((sa.mean - sb.mean) ** 2) + np.trace(s1 + s2) - 2 * np.sqrt(ev).sum())
    assert np.isfinite(got)
    assert abs(got - ref) / ref < 1e-6 and abs(got_eigh - ref) / ref < 1e-6


def test_sample_size_warnings(rng):
    mu, s = np.zeros(3), np.eye(3)
    with pytest.warns(SampleSizeWarning, match="bias"):
        frechet_distance(mu, s, mu, s, n1=100, n2=100)
    with pytest.warns(SampleSizeWarning, match="different sizes"):
        frechet_distance(mu, s, mu, s, n1=4096, n2=3000)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert frechet_distance(mu, s, mu, s, n1=2048, n2=2048) == pytest.approx(0, abs=1e-12)


def test_fd_bad_inputs():
    mu, s = np.zeros(3), np.eye(3)
    with pytest.raises(ValueError, match="method"):
        frechet_distance(mu, s, mu, s, method="svd")
    with pytest.raises(ValueError, match=r"\[3, 3\]"):
        frechet_distance(mu, np.eye(2), mu, s)
    with pytest.raises(ValueError, match="dimension mismatch"):
        frechet_distance(mu, s, np.zeros(2), np.eye(2))
    with pytest.raises(ValueError, match="NaN"):
        frechet_distance(mu, s, mu + np.nan, s)
    with pytest.raises(ValueError, match="symmetric"):
        frechet_distance(mu, np.triu(np.ones((3, 3))), mu, s)
    with pytest.raises(ValueError, match="at least 2"):
        fd_from_features(np.zeros((1, 3)), np.zeros((5, 3)))
    bad = np.ones((4, 3))
    bad[2, 1] = np.inf
    with pytest.raises(ValueError, match="row 2"):
        fd_from_features(bad, np.ones((4, 3)))


def test_stats_merge_of_shards_equals_all_at_once(rng):
    x = rng.normal(3.0, 2.0, size=(1000, 24))
    full = GaussianStats().update(x)
    shards = [GaussianStats().update(p) for p in np.array_split(x, 4)]
    merged = GaussianStats()
    for s in shards:
        merged.merge(s)
    assert merged.count == 1000
    np.testing.assert_allclose(merged.mean, x.mean(0), rtol=1e-12)
    for ddof in (0, 1):
        np.testing.assert_allclose(merged.cov(ddof), full.cov(ddof), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(full.cov(ddof), np.cov(x, rowvar=False, ddof=ddof), rtol=1e-10)
    # batches of different sizes via update, too
    inc = GaussianStats()
    for p in np.array_split(x, [1, 7, 300]):
        inc.update(p)
    np.testing.assert_allclose(inc.cov(), full.cov(), rtol=1e-10, atol=1e-12)


def test_stats_are_accurate_far_from_the_origin(rng):
    """Raw sums of x x^T lose all digits at mean 1e6, std 1; shifted sums do not."""
    x = rng.normal(1e6, 1.0, size=(2000, 8))
    s = GaussianStats()
    for p in np.array_split(x, 5):
        s.update(p)
    ref = np.cov(x, rowvar=False, ddof=0)
    assert np.abs(s.cov() - ref).max() < 1e-6
    raw = (x.T @ x) / len(x) - np.outer(x.mean(0), x.mean(0))
    assert np.abs(raw - ref).max() > 1e-3  # what the naive accumulation would give


def test_stats_save_load_roundtrip(tmp_path, rng):
    s = GaussianStats(keep_features=True).update(rng.normal(size=(50, 6)))
    s.meta = {"protocol": {"preset": "tf"}, "weight_hash": "abc"}
    path = s.save(tmp_path / "real")
    assert path.suffix == ".npz"
    t = GaussianStats.load(path)
    assert t.count == 50 and t.meta == s.meta and t.keep_features
    np.testing.assert_array_equal(t.cov(), s.cov())
    np.testing.assert_array_equal(t.features, s.features)
    t.update(rng.normal(size=(5, 6)))  # still usable
    assert t.count == 55
    np.savez(tmp_path / "other.npz", a=np.zeros(3))
    with pytest.raises(ValueError, match="not a vidkit GaussianStats"):
        GaussianStats.load(tmp_path / "other.npz")
    with pytest.raises(ValueError, match="empty"):
        GaussianStats().save(tmp_path / "empty.npz")
    with pytest.raises(FileNotFoundError):
        GaussianStats.load(tmp_path / "missing.npz")


def test_stats_bad_inputs():
    s = GaussianStats().update(np.zeros((3, 4)))
    with pytest.raises(ValueError, match="dim 5"):
        s.update(np.zeros((2, 5)))
    with pytest.raises(ValueError, match="matrix"):
        s.update(np.zeros(4))
    with pytest.raises(TypeError, match="numeric"):
        s.update(np.array([["a"]]))
    with pytest.raises(ValueError, match="at least 2"):
        GaussianStats().update(np.zeros((1, 4))).cov(ddof=1)
    with pytest.raises(ValueError, match="keep_features"):
        _ = s.features
    with pytest.raises(ValueError, match="ddof"):
        s.cov(ddof=2)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _fvd_case(rng):
    """Twelve small videos (the first 6 real, the last 6 fake) drawn from ``rng``, and an FVD on a
    cheap extractor: the same case in every process of the sync test and in the single process."""
    import vidkit as vk

    vids = [vk.Video(np.full((4, 8, 8, 3), v, np.float32)) for v in rng.random(12)]
    vids = [vk.Video(v.frames * rng.random((1, 8, 8, 3)).astype(np.float32)) for v in vids]
    m = vk.metrics.FVD(
        extractor=lambda t: t.mean(dim=(2, 3, 4)) + t.std(dim=(2, 3, 4)),
        preset="styleganv",
        num_frames=4,
        resolution=8,
        progress=False,
    )
    return vids, m


def _sync_worker(rank: int, world: int, port: int, out_dir: str) -> None:
    """One process of a 2-process gloo group: shard-local stats and an FVD, then sync."""
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    torch.set_num_threads(1)
    dist.init_process_group("gloo", rank=rank, world_size=world)
    try:
        rng = np.random.default_rng(0)
        x = rng.normal(5.0, 2.0, size=(90, 7))
        mine = x[:40] if rank == 0 else x[40:]  # unequal shards
        s = GaussianStats(keep_features=True).update(mine).sync()
        np.save(os.path.join(out_dir, f"cov{rank}.npy"), s.cov())
        np.save(os.path.join(out_dir, f"feat{rank}.npy"), s.features)

        vids, m = _fvd_case(rng)
        half = slice(0, 3) if rank == 0 else slice(3, 6)
        m.update(vids[:6][half], real=True).update(vids[6:][half], real=False)
        score = m.compute(warn=False)
        np.save(
            os.path.join(out_dir, f"fvd{rank}.npy"),
            np.array([float(score), score.provenance["n_real"]]),
        )
    finally:
        dist.destroy_process_group()


def test_two_process_sync(tmp_path):
    mp.spawn(_sync_worker, args=(2, _free_port(), str(tmp_path)), nprocs=2, join=True)
    rng = np.random.default_rng(0)
    x = rng.normal(5.0, 2.0, size=(90, 7))
    for rank in (0, 1):
        np.testing.assert_allclose(
            np.load(tmp_path / f"cov{rank}.npy"), np.cov(x, rowvar=False, ddof=0), rtol=1e-10
        )
        np.testing.assert_array_equal(np.load(tmp_path / f"feat{rank}.npy"), x)
    # the synced FVD equals the single-process FVD on all 6 + 6 videos
    vids, m = _fvd_case(rng)
    m.update(vids[:6], real=True).update(vids[6:], real=False)
    single = float(m.compute(warn=False))
    for rank in (0, 1):
        value, n_real = np.load(tmp_path / f"fvd{rank}.npy")
        assert n_real == 6
        assert value == pytest.approx(single, rel=1e-9)


def _mmd_direct(x, y):
    """Unbiased MMD^2 with k = (x.y/d + 1)^3, straight from the definition (double loops)."""
    d = x.shape[1]

    def k(a, b):
        return (a @ b / d + 1.0) ** 3

    m, n = len(x), len(y)
    kxx = sum(k(x[i], x[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    kyy = sum(k(y[i], y[j]) for i in range(n) for j in range(n) if i != j) / (n * (n - 1))
    kxy = sum(k(x[i], y[j]) for i in range(m) for j in range(n)) / (m * n)
    return kxx + kyy - 2 * kxy


def test_polynomial_mmd_matches_direct_formula(rng):
    x, y = rng.normal(size=(23, 5)), rng.normal(0.3, 1.1, size=(31, 5))
    ref = _mmd_direct(x, y)
    assert polynomial_mmd(x, y) == pytest.approx(ref, rel=1e-10)
    assert polynomial_mmd(x, y, chunk_size=4) == pytest.approx(ref, rel=1e-10)  # tiled
    value, std = kernel_distance(x, y, estimator="full")
    assert value == pytest.approx(ref, rel=1e-10) and np.isnan(std)
    # block estimator: the mean of the per-block unbiased estimates
    v, s = kernel_distance(x, y, estimator="blocks", block_size=12)
    blocks = [_mmd_direct(a, b) for a, b in zip(np.array_split(x, 3), np.array_split(y, 3))]
    assert v == pytest.approx(np.mean(blocks), rel=1e-10)
    assert s == pytest.approx(np.std(blocks, ddof=1) / np.sqrt(3), rel=1e-10)
    v1, _ = kernel_distance(x, y, estimator="subsets", n_subsets=5, subset_size=10, seed=1)
    v2, _ = kernel_distance(x, y, estimator="subsets", n_subsets=5, subset_size=10, seed=1)
    assert v1 == v2
    with pytest.raises(ValueError, match="estimator"):
        kernel_distance(x, y, estimator="exact")
    with pytest.raises(ValueError, match="at least 2"):
        polynomial_mmd(x[:1], y)


def test_bootstrap_ci_contains_estimate(rng):
    a, b = rng.normal(size=(80, 4)), rng.normal(0.4, 1.2, size=(80, 4))

    def stat(x, y):
        return fd_from_features(x, y, warn=False)

    res = bootstrap(stat, a, b, n_resamples=60, seed=0)
    assert res.estimate == pytest.approx(stat(a, b))
    assert res.low <= res.estimate <= res.high
    assert res.std > 0 and len(res.samples) == 60
    assert res.bias > 0  # resampling duplicates rows and inflates the FD: why the shift exists
    pct = bootstrap(stat, a, b, n_resamples=60, seed=0, method="percentile")
    assert pct.low - res.low == pytest.approx(res.bias)
    with pytest.raises(ValueError, match="method"):
        bootstrap(stat, a, b, method="bca")
    with pytest.raises(ValueError, match="n_resamples"):
        bootstrap(stat, a, b, n_resamples=1)
