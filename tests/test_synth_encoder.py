"""SynthEncoder: bundled weights, extractor contract, and FVD behaviour on synthetic scenes."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import vidkit as vk
from vidkit.metrics.extractors import FeatureExtractor
from vidkit.metrics.synth_encoder import (
    SynthEncoder,
    default_weights,
    prepare_clips,
    resample_clips,
)

N = 64  # videos per set
GRAVITY = ("free_fall", "projectile", "bounce", "pendulum")


# small tensors: one thread is faster than two, and the suite shares two cores
pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def enc() -> SynthEncoder:
    return SynthEncoder()


def _scenes(kinds, seed0, violation=None, **kw):
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for i in range(N):
            out.append(
                vk.synth.render(kinds[i % len(kinds)], seed=seed0 + i, violation=violation, **kw)
            )
    return out


def _metric(enc, reference) -> vk.metrics.FVD:
    """FVD with the SynthEncoder on the frames it was trained on (every 2nd of 32, 32 px)."""
    m = vk.metrics.FVD(enc, num_frames=16, stride=2, resolution=32, progress=False)
    return m.update([s.video for s in reference], real=True)


def _against(m, scenes) -> float:
    m.reset(real=False).update([s.video for s in scenes], real=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # N=64 <= 128-d: singular covariances, known bias
        return float(m.compute(warn=False))


def test_bundled_weights_and_contract(enc):
    assert default_weights().is_file()
    assert isinstance(enc, FeatureExtractor)
    assert enc.name == "synth-encoder" and enc.dim == 128
    assert isinstance(enc.weight_hash, str) and len(enc.weight_hash) == 16
    assert enc.kinds == list(vk.synth.KINDS)
    assert enc.violations == ["none", *vk.synth.VIOLATIONS]
    assert "not literature FVD" in enc.preprocess["comparable_with"]
    n_params = sum(p.numel() for p in enc.model.parameters())
    assert 200_000 <= n_params <= 2_000_000
    vids = [vk.synth.render("bounce", seed=s).video for s in range(6)]
    feats = enc(vids)
    assert feats.shape == (6, 128) and feats.dtype == np.float64
    # batch-size independent (GroupNorm, eval mode)
    np.testing.assert_allclose(enc(vids, batch_size=1), feats, atol=1e-5)
    # other lengths and sizes go through the documented protocol
    v = vk.synth.render("uniform", seed=1, frames=20, size=(48, 80)).video
    assert enc([v]).shape == (1, 128)


def test_input_protocol():
    x = torch.rand(2, 32, 3, 64, 64)
    clips = resample_clips(x)
    assert clips.shape == (2, 16, 3, 32, 32)
    # every second frame of a 32-frame clip, area-like antialiased downsampling
    ref = torch.nn.functional.interpolate(
        x[:, ::2].reshape(-1, 3, 64, 64), size=(32, 32), mode="bilinear", antialias=True
    ).reshape(2, 16, 3, 32, 32)
    torch.testing.assert_close(clips, ref.clamp(0, 1))
    inp = prepare_clips(x)
    assert inp.shape == (2, 6, 16, 32, 32)
    torch.testing.assert_close(inp[:, :3], (clips * 2 - 1).transpose(1, 2))
    torch.testing.assert_close(inp[:, 3:, 1:], (inp[:, :3, 1:] - inp[:, :3, :-1]))
    assert float(inp[:, 3:, 0].abs().max()) == 0.0
    with pytest.raises(ValueError, match=r"\[b, T, 3, H, W\]"):
        prepare_clips(torch.rand(2, 3, 16, 32, 32))


def test_trained_heads_recognise_scenes(enc):
    # held-out seeds far from the training range; a trained encoder names the kind
    vids, kinds = [], []
    for i, kind in enumerate(vk.synth.KINDS * 4):
        vids.append(vk.synth.render(kind, seed=900_000 + i).video)
        kinds.append(kind)
    pred = enc.predict(vids)
    acc = np.mean([p["kind"] == k for p, k in zip(pred, kinds)])
    assert acc >= 0.8
    assert set(pred[0]["violation_probs"]) == set(enc.violations)


def test_fvd_separates_every_violation(enc):
    """FVD(clean, clean') is far below FVD(clean, violated) for each violation, same base scenes."""
    kinds_all = list(vk.synth.KINDS)
    metric = {"all": _metric(enc, _scenes(kinds_all, 500_000))}
    metric["gravity"] = _metric(enc, _scenes(GRAVITY, 510_000))
    base = {
        "all": _against(metric["all"], _scenes(kinds_all, 520_000)),
        "gravity": _against(metric["gravity"], _scenes(GRAVITY, 520_000)),
    }
    ratios = {}
    for violation in vk.synth.VIOLATIONS:
        group = "gravity" if violation in ("wrong_gravity", "reverse") else "all"
        kinds = GRAVITY if group == "gravity" else kinds_all
        bad = _against(metric[group], _scenes(kinds, 520_000, violation=violation))
        ratios[violation] = bad / base[group]
    weak = {v: round(r, 2) for v, r in ratios.items() if r < 3.0}
    assert not weak, f"FVD(clean, violated) / FVD(clean, clean') too small: {weak}; all: {ratios}"


def test_fvd_grows_with_camera_noise(enc):
    kinds = list(vk.synth.KINDS)
    metric = _metric(enc, _scenes(kinds, 600_000))
    fvds = [
        _against(metric, _scenes(kinds, 610_000, camera_noise=noise))
        for noise in (0.0, 0.05, 0.1, 0.2)
    ]
    assert all(a < b for a, b in zip(fvds, fvds[1:])), fvds
    assert fvds[-1] > 3 * fvds[0], fvds
    # the one-call function gives the same number as the accumulator
    ref = [s.video for s in _scenes(kinds, 600_000)]
    noisy = [s.video for s in _scenes(kinds, 610_000, camera_noise=0.2)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        one = vk.metrics.fvd(
            ref,
            noisy,
            extractor=enc,
            num_frames=16,
            stride=2,
            resolution=32,
            progress=False,
            warn=False,
        )
    assert float(one) == pytest.approx(fvds[-1], rel=1e-6)
    assert one.provenance["weight_hash"] == enc.weight_hash


def test_training_entry_point_smoke(tmp_path):
    from vidkit.metrics.train_synth_encoder import main

    out = tmp_path / "se"
    assert main(["--out", str(out), "--steps", "2", "--n-train", "16", "--n-val", "8",
                 "--batch-size", "8", "--threads", "1", "--eval-every", "1"]) == 0  # fmt: skip
    for name in ("synth_encoder.safetensors", "metrics.json", "training.png", "README.md"):
        assert (out / name).is_file(), name
    small = SynthEncoder(out / "synth_encoder.safetensors")
    assert small.dim == 128 and small.weight_hash != SynthEncoder().weight_hash
    assert "--steps 2" in (out / "README.md").read_text()


def test_missing_weights_message(tmp_path):
    with pytest.raises(FileNotFoundError, match="train_synth_encoder"):
        SynthEncoder(tmp_path / "nope.safetensors")
