"""FVD/KVD metric objects, protocols and extractors, with cheap extractors (no I3D here)."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
import torch

import vidkit as vk
from vidkit.metrics.extractors import as_extractor, videos_to_batch
from vidkit.metrics.frechet import fd_from_features, polynomial_mmd
from vidkit.metrics.protocols import (
    PRESETS,
    Protocol,
    Score,
    get_protocol,
    protocol_table,
    tf1_resize_matrix,
)

DOCS = Path(__file__).resolve().parents[1] / "docs" / "metrics.md"


def _stats_extractor(x: torch.Tensor) -> torch.Tensor:
    """[B, C, T, H, W] in [-1, 1] -> per-channel mean, std and temporal difference (9-d)."""
    diff = (x[:, :, 1:] - x[:, :, :-1]).abs().mean(dim=(2, 3, 4))
    return torch.cat([x.mean(dim=(2, 3, 4)), x.std(dim=(2, 3, 4)), diff], dim=1)


def _videos(rng, n, t=6, h=20, w=24, shift=0.0):
    out = []
    for _ in range(n):
        base = rng.random((1, h, w, 3)) * 0.6 + shift
        noise = rng.random((t, h, w, 3)) * 0.3
        out.append(vk.Video(np.clip(base + noise, 0, 1).astype(np.float32)))
    return out


def _metric(cls=vk.metrics.FVD, **kw):
    kw.setdefault("preset", "styleganv")
    kw.setdefault("num_frames", 4)
    kw.setdefault("resolution", 16)
    return cls(extractor=_stats_extractor, progress=False, **kw)


def test_fvd_equals_fd_of_protocol_features(rng):
    real, fake = _videos(rng, 12), _videos(rng, 10, shift=0.1)
    m = _metric(keep_features=True)
    m.update(real[:5], real=True).update(real[5:], real=True).update(fake, real=False)
    with pytest.warns(vk.metrics.frechet.SampleSizeWarning):
        score = m.compute()
    # by hand: frames 0..3, uint8 rounding, squash to 16x16, [-1, 1], the same extractor
    p = m.protocol

    def feats(vids):
        batch = torch.stack([p.prepare_video(v) for v in vids])
        return _stats_extractor(batch.permute(0, 2, 1, 3, 4) * 2 - 1).double().numpy()

    ref = fd_from_features(feats(real), feats(fake), ddof=0, warn=False)
    assert float(score) == pytest.approx(ref, rel=1e-6)  # float32 features, other batching
    np.testing.assert_allclose(m.real_stats.features, feats(real), rtol=1e-6)
    prov = score.provenance
    for key in (
        "preset",
        "n_real",
        "n_fake",
        "frames",
        "stride",
        "offset",
        "resolution",
        "resize",
        "extractor",
        "weight_hash",
        "covariance_divisor",
        "fd_method",
        "vidkit_version",
    ):
        assert key in prov, key
    assert (prov["n_real"], prov["n_fake"], prov["frames"], prov["covariance_divisor"]) == (
        12,
        10,
        4,
        "N",
    )
    assert prov["vidkit_version"] == vk.__version__
    assert prov["features"] == "extractor output" and "bn_eps" not in prov
    # the tf preset divides by N-1: a different number, recorded as such
    t = _metric(preset="tf").update(real, real=True).update(fake, real=False).compute(warn=False)
    assert t.provenance["covariance_divisor"] == "N-1" and float(t) != pytest.approx(float(score))


def test_score_is_float_like():
    s = Score(12.5, "fvd", {"preset": "tf", "n_real": 2, "n_fake": 2, "frames": 16})
    assert float(s) == 12.5 and f"{s:.1f}" == "12.5" and s < 13 and s >= 12.5 and round(s) == 12
    assert "FVD 12.5" in repr(s) and "tf" in repr(s)
    assert s.to_dict()["provenance.preset"] == "tf"


def test_frame_sampling_count_stride_offset():
    p = get_protocol("styleganv", num_frames=4, stride=3, offset=2)
    assert p.frame_indices(20).tolist() == [2, 5, 8, 11]
    assert p.span == 10
    with pytest.raises(ValueError, match="video 7 has 11 frames.*needs 12"):
        p.frame_indices(11, index=7)
    r = get_protocol("styleganv", num_frames=4, offset="random", seed=3)
    starts = {int(r.frame_indices(30, index=i)[0]) for i in range(40)}
    assert len(starts) > 5 and min(starts) >= 0 and max(starts) <= 26
    assert r.frame_indices(30, index=5).tolist() == r.frame_indices(30, index=5).tolist()
    # frames really come from those indices
    frames = np.zeros((20, 8, 8, 3), np.float32)
    frames[:, 0, 0, 0] = np.arange(20) / 255.0
    got = get_protocol("styleganv", num_frames=4, stride=3, offset=2, resolution=8).prepare_video(
        vk.Video(frames)
    )
    assert (got[:, 0, 0, 0] * 255).round().tolist() == [2, 5, 8, 11]


def test_short_video_error_names_its_index(rng):
    m = _metric()
    m.update(_videos(rng, 3), real=True)
    vids = _videos(rng, 3)
    vids[1] = vids[1][:3]  # 3 frames < 4 needed
    with pytest.raises(ValueError, match="video 1 has 3 frames"):
        m.update(vids, real=True)


def test_mixed_sizes_lengths_and_batches(rng):
    vids = [
        _videos(rng, 1, t=5, h=20, w=24)[0],
        _videos(rng, 1, t=9, h=31, w=17)[0],
        _videos(rng, 1, t=4, h=16, w=16)[0],
    ]
    feats = _metric().features(vids)
    assert feats.shape == (3, 9) and feats.dtype == np.float64
    # a uint8 batch tensor in BCTHW and the same videos as a list agree
    arr = np.stack([v.uint8 for v in _videos(rng, 3, t=4, h=16, w=16)])  # BTHWC
    t_bcthw = torch.from_numpy(arr).permute(0, 4, 1, 2, 3)
    f1 = _metric().features(t_bcthw, layout="BCTHW")
    f2 = _metric().features([vk.Video(a) for a in arr])
    np.testing.assert_allclose(f1, f2, rtol=1e-6)
    with pytest.raises(ValueError, match="value_range"):  # float outside [0, 1] is not guessed
        _metric().features(torch.rand(2, 4, 3, 8, 8) * 2 - 1)
    ok = _metric().features(torch.rand(2, 4, 3, 8, 8) * 2 - 1, value_range=(-1, 1))
    assert ok.shape == (2, 9)
    with pytest.raises(TypeError, match="item 1"):
        _metric().update([vids[0], np.zeros((4, 8, 8, 3))], real=True)


def test_too_few_videos_and_nan_features(rng):
    m = _metric()
    m.update(_videos(rng, 1), real=True).update(_videos(rng, 3), real=False)
    with pytest.raises(ValueError, match="real side has 1 video"):
        m.compute()

    def nan_for_bright(x):
        f = _stats_extractor(x)
        f[x.mean(dim=(1, 2, 3, 4)) > 0.5] = float("nan")
        return f

    vids = _videos(rng, 4)
    vids[2] = vk.Video(np.ones((6, 20, 24, 3), np.float32))
    bad = vk.metrics.FVD(
        extractor=nan_for_bright, num_frames=4, resolution=16, batch_size=2, progress=False
    )
    bad.update(_videos(rng, 3), real=False)
    with pytest.raises(ValueError, match="NaN or inf features for video 2"):
        bad.update(vids, real=False)


def test_real_stats_cache_roundtrip_and_mismatch(tmp_path, rng):
    real, fake = _videos(rng, 6), _videos(rng, 6, shift=0.2)
    m = _metric().update(real, real=True).update(fake, real=False)
    ref = float(m.compute(warn=False))
    path = m.save_real_stats(tmp_path / "real_stats.npz")
    m2 = _metric().load_real_stats(path).update(fake, real=False)
    assert float(m2.compute(warn=False)) == pytest.approx(ref, rel=1e-12)
    m3 = _metric(preset="tf")
    with pytest.raises(ValueError, match="protocol"):
        m3.load_real_stats(path)
    m3.load_real_stats(path, strict=False)
    assert m3.real_stats.count == 6
    m.reset(real=False)
    assert m.real_stats.count == 6 and m.fake_stats.count == 0


def test_kvd_object_and_functions(rng):
    real, fake = _videos(rng, 8), _videos(rng, 7, shift=0.15)
    k = _metric(vk.metrics.KVD).update(real, real=True).update(fake, real=False)
    score = k.compute()
    ref = polynomial_mmd(k.real_stats.features, k.fake_stats.features)
    assert float(score) == pytest.approx(ref, rel=1e-12)
    assert score.metric == "kvd" and score.provenance["estimator"] == "full"
    blocks = _metric(vk.metrics.KVD, estimator="blocks", block_size=4)
    sb = blocks.update(real, real=True).update(fake, real=False).compute()
    assert sb.std is not None and sb.provenance["block_size"] == 4
    one = vk.metrics.kvd(
        real, fake, extractor=_stats_extractor, num_frames=4, resolution=16, progress=False
    )
    assert float(one) == pytest.approx(ref, rel=1e-12)
    f = vk.metrics.fvd(
        real,
        fake,
        extractor=_stats_extractor,
        num_frames=4,
        resolution=16,
        progress=False,
        warn=False,
        bootstrap_resamples=30,
    )
    assert f.ci is not None and f.ci[0] <= float(f) <= f.ci[1]
    assert f.provenance["bootstrap"]["resamples"] == 30
    with pytest.raises(ValueError, match="keep_features"):
        _metric().update(real, real=True).update(fake, real=False).compute(
            bootstrap_resamples=10, warn=False
        )


def test_tf1_resize_matrix_semantics():
    m = tf1_resize_matrix(4, 8).numpy()
    # TF1 resize_bilinear (half_pixel_centers=False): output i samples input i * 4 / 8
    src = np.arange(8) * 0.5
    x = np.array([1.0, 3.0, 7.0, 15.0])
    expected = np.interp(src, np.arange(4), x)
    np.testing.assert_allclose(m @ x, expected)
    np.testing.assert_allclose(m.sum(1), 1.0)
    # differs from PyTorch's half-pixel bilinear (the styleganv / cdfvd presets)
    v = vk.Video(np.random.default_rng(0).random((4, 12, 12, 3)).astype(np.float32))
    a = get_protocol("tf", num_frames=4, resolution=30).prepare_video(v)
    b = get_protocol("styleganv", num_frames=4, resolution=30).prepare_video(v)
    assert (a - b).abs().max() > 1e-2


def test_cdfvd_short_side_crop_drops_the_borders():
    frames = np.full((4, 40, 80, 3), 0.5, np.float32)
    frames[:, :, :15] = 1.0  # left and right bands outside the central square
    frames[:, :, -15:] = 0.0
    p = get_protocol("cdfvd", num_frames=4, crop_size=32, resolution=16)
    out = p.prepare_video(vk.Video(frames))
    assert out.shape == (4, 3, 16, 16)
    # centre square of 32 from a 32x64 resize: bands (7.5 px each side after resize) are cut
    # no trace of the bright/dark bands; cd-fvd's `.byte()` truncation leaves 127 or 128
    assert float(out.max() - out.min()) <= 1 / 255 + 1e-6
    assert float((out - 0.5).abs().max()) < 1.5 / 255


def test_protocol_validation_and_presets():
    assert set(PRESETS) == {"styleganv", "tf", "cdfvd"}
    with pytest.raises(ValueError, match="unknown FVD preset"):
        get_protocol("fvd2048")
    with pytest.raises(ValueError, match="stride"):
        Protocol("x", stride=0)
    with pytest.raises(ValueError, match="offset"):
        Protocol("x", offset=-1)
    with pytest.raises(ValueError, match="crop_size"):
        Protocol("x", resize="short-side-crop")
    with pytest.raises(TypeError, match="unknown protocol fields"):
        get_protocol("tf").replace(frames=3)
    assert get_protocol("tf").cov_ddof == 1 and get_protocol("cdfvd").crop_size == 256


def test_docs_table_matches_code():
    text = DOCS.read_text(encoding="utf-8")
    assert protocol_table() in text


def test_extractor_contract():
    lin = torch.nn.Linear(3, 5)
    ext = as_extractor(lambda x: lin(x.mean(dim=(2, 3, 4))), name="lin", layout="BCTHW")
    assert ext.weight_hash is None and ext.dim == 0
    out = ext(torch.rand(3, 4, 3, 8, 8))
    assert out.shape == (3, 5) and out.dtype == np.float64 and ext.dim == 5
    mod = as_extractor(
        torch.nn.Sequential(torch.nn.Flatten(), torch.nn.LazyLinear(4)), layout="BTHWC"
    )
    mod(torch.rand(2, 2, 3, 4, 4))
    assert isinstance(mod.weight_hash, str) and len(mod.weight_hash) == 16
    assert as_extractor(ext) is ext
    with pytest.raises(TypeError, match="feature extractor"):
        as_extractor(42)
    with pytest.raises(ValueError, match="unknown extractor"):
        as_extractor("inception")
    with pytest.raises(ValueError, match="same|shape"):
        videos_to_batch([vk.Video(np.zeros((2, 4, 4, 3))), vk.Video(np.zeros((3, 4, 4, 3)))])
    wrong_dim = as_extractor(lambda x: x.flatten(1)[:, :3], dim=4)
    with pytest.raises(ValueError, match="3-d features, but dim is 4"):
        wrong_dim(torch.rand(1, 2, 3, 2, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert videos_to_batch(torch.zeros(1, 2, 3, 4, 4, dtype=torch.uint8)).dtype == torch.float32


def test_fvd_name_is_the_function_after_submodule_import():
    import importlib

    mod = importlib.import_module("vidkit.metrics.video_distance")
    assert callable(vk.metrics.fvd) and vk.metrics.fvd is mod.fvd
    assert vk.metrics.FVD is mod.FVD and vk.metrics.kvd is mod.kvd
