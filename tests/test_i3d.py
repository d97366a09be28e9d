"""I3D: state-dict compatibility and numerical parity with cd-fvd's port, weights handling.

cd-fvd is imported only through ``cdfvd.third_party.i3d`` and ``cdfvd.utils.metric_utils``:
``cdfvd.fvd`` imports ``cdfvd.utils.data_utils`` and the VideoMAE utilities, which import
torchvision (not installable beside this torch). The modules used here do not, so nothing is
stubbed; cd-fvd's ``get_i3d_logits`` loop (in ``cdfvd.fvd``) is reproduced with its own pieces
(``preprocess_i3d``, ``InceptionI3d``, ``FeatureStats.append_torch``) and its 3-line
``compute_fvd_from_stats`` formula without the ``disp=`` argument that SciPy 1.17 deprecates.
"""

from __future__ import annotations

import hashlib
import io
import warnings

import numpy as np
import pytest
import scipy.linalg
import torch

import vidkit as vk
from vidkit.metrics import i3d as i3d_mod
from vidkit.metrics.i3d import I3D, InceptionI3d, same_padding

cd_i3d = pytest.importorskip("cdfvd.third_party.i3d.pytorch_i3d")
cd_utils = pytest.importorskip("cdfvd.third_party.i3d.utils")
cd_stats = pytest.importorskip("cdfvd.utils.metric_utils")

T = 10  # >= 9 frames (I3D minimum); fewer than 16 keeps the CPU cost down


def _cdfvd_random_state(seed: int = 0) -> dict[str, torch.Tensor]:
    """cd-fvd's InceptionI3d with its own random init, plus random BatchNorm statistics (so that
    the BatchNorm epsilon and the running stats matter in the comparison)."""
    torch.manual_seed(seed)
    net = cd_i3d.InceptionI3d(400, in_channels=3).eval()
    g = torch.Generator().manual_seed(seed + 1)
    sd = net.state_dict()
    for k, v in sd.items():
        if k.endswith("running_var"):
            v.copy_(torch.rand(v.shape, generator=g) * 0.5 + 0.05)
        elif k.endswith("running_mean"):
            v.copy_(torch.randn(v.shape, generator=g) * 0.1)
        elif k.endswith("bn.weight"):
            v.copy_(torch.rand(v.shape, generator=g) + 0.5)
        elif k.endswith("bn.bias"):
            v.copy_(torch.randn(v.shape, generator=g) * 0.1)
    return sd


@pytest.fixture(scope="module")
def cd_setup(tmp_path_factory):
    """Random cd-fvd weights saved to a file, 4 uint8 videos, and cd-fvd's own features."""
    sd = _cdfvd_random_state(0)
    path = tmp_path_factory.mktemp("i3d") / "i3d_pretrained_400.pt"
    torch.save(sd, path)
    net = cd_i3d.InceptionI3d(400, in_channels=3).eval()
    net.load_state_dict(sd)
    rng = np.random.default_rng(0)
    # smooth random content (upsampled noise) of two sizes' worth of detail
    low = rng.integers(0, 256, (4, T, 12, 12, 3)).astype(np.float32)
    vids = np.repeat(np.repeat(low, 4, axis=2), 4, axis=3)
    vids = np.clip(vids + rng.normal(0, 20, vids.shape), 0, 255).astype(np.uint8)  # [4,T,48,48,3]
    real = cd_stats.FeatureStats(capture_mean_cov=True, capture_all=True)
    fake = cd_stats.FeatureStats(capture_mean_cov=True, capture_all=True)
    with torch.no_grad():  # cd-fvd's get_i3d_logits, batch by batch
        for stats, batch in ((real, vids[:2]), (fake, vids[2:])):
            stats.append_torch(net(cd_utils.preprocess_i3d(batch)), num_gpus=1, rank=0)
    return {"path": path, "sd": sd, "videos": vids, "real": real, "fake": fake}


def test_state_dict_keys_match_the_cdfvd_port(cd_setup):
    mine = InceptionI3d().state_dict()
    theirs = cd_setup["sd"]
    assert list(mine) == list(theirs) or set(mine) == set(theirs)
    assert {k: tuple(v.shape) for k, v in mine.items()} == {
        k: tuple(v.shape) for k, v in theirs.items()
    }
    ext = I3D(weights=cd_setup["path"])  # strict=True load
    assert ext.weight_hash == hashlib.sha256(cd_setup["path"].read_bytes()).hexdigest()[:16]
    assert ext.provenance()["weights"] == str(cd_setup["path"])


def test_features_and_fvd_match_cdfvd(cd_setup):
    real_ref = cd_setup["real"].get_all().astype(np.float64)
    fake_ref = cd_setup["fake"].get_all().astype(np.float64)
    videos = [vk.Video(v) for v in cd_setup["videos"]]

    metric = vk.metrics.FVD(
        weights=cd_setup["path"],
        preset="styleganv",
        num_frames=T,
        keep_features=True,
        progress=False,
    )
    metric.update(videos[:2], real=True).update(videos[2:], real=False)
    ref = np.concatenate([real_ref, fake_ref])
    mine = np.concatenate([metric.real_stats.features, metric.fake_stats.features])
    assert np.abs(ref).mean() > 1e-2  # features are not degenerate
    assert np.linalg.norm(mine - ref) / np.linalg.norm(ref) <= 1e-4
    assert np.abs(mine - ref).max() / np.abs(ref).max() <= 1e-4

    # cd-fvd's compute_fvd_from_stats formula on its own FeatureStats (/N covariance)
    mu_r, s_r = cd_setup["real"].get_mean_cov()
    mu_f, s_f = cd_setup["fake"].get_mean_cov()
    covmean = scipy.linalg.sqrtm(s_r @ s_f)
    ref_fvd = float(np.real(np.square(mu_r - mu_f).sum() + np.trace(s_f + s_r - covmean * 2)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # N=2: small-N and singular-covariance warnings
        score = metric.compute()
    assert ref_fvd > 0
    assert abs(float(score) - ref_fvd) / ref_fvd <= 1e-4
    assert score.provenance["weight_hash"] == metric.extractor.weight_hash
    assert (score.provenance["bn_eps"], score.provenance["features"]) == (1e-5, "logits")


def test_bn_eps_is_checked(cd_setup):
    """A different BatchNorm eps (TF's 1e-3) moves the features: the parity test can fail."""
    batch = torch.from_numpy(cd_setup["videos"][:1]).permute(0, 1, 4, 2, 3)  # BTCHW uint8
    ref = cd_setup["real"].get_all()[:1].astype(np.float64)
    tf_eps = I3D(weights=cd_setup["path"], bn_eps=1e-3)(batch)
    assert np.linalg.norm(tf_eps - ref) / np.linalg.norm(ref) > 1e-3


def test_pool_features_and_logits_are_consistent():
    """features='pool' gives the 1024-d vector whose logits layer output is the 400 logits."""
    ext_logits = I3D(weights=None, seed=1)
    ext_pool = I3D(weights=None, seed=1, features="pool")
    assert (ext_pool.dim, ext_logits.dim) == (1024, 400)
    x = torch.rand(1, 9, 3, 193, 193)
    pool = ext_pool(x)
    logits = ext_logits(x)
    w = ext_logits.net.logits.conv3d.weight.detach().double().reshape(400, 1024).numpy()
    b = ext_logits.net.logits.conv3d.bias.detach().double().numpy()
    np.testing.assert_allclose(pool @ w.T + b, logits, rtol=1e-4, atol=1e-6)


def test_fused_matches_reference_on_odd_sizes():
    net = InceptionI3d().eval()
    i3d_mod._random_init(net, 3)
    fast = net.fused()
    x = torch.rand(1, 3, 9, 193, 201) * 2 - 1
    with torch.inference_mode():
        a, b = net(x), fast(x)
    assert torch.linalg.norm(a - b) / torch.linalg.norm(a) < 1e-5


def test_same_padding_matches_the_reference_rule():
    unit = cd_i3d.Unit3D(3, 4, kernel_shape=[7, 7, 7], stride=(2, 2, 2))
    for size in (7, 8, 9, 16, 111, 112, 224):
        pad = unit.compute_pad(0, size)
        assert same_padding(size, 7, 2) == (pad // 2, pad - pad // 2)
    assert same_padding(28, 3, 1) == (1, 1)


def test_random_init_is_tagged_and_seeded():
    a, b, c = (I3D(weights=None, seed=s, fused=False) for s in (0, 0, 1))
    assert a.weight_hash.startswith("random-init seed=0")
    assert a.weight_hash == b.weight_hash != c.weight_hash
    assert "NOT the FVD weights" in a.provenance()["weights"]


def test_input_checks():
    ext = I3D(weights=None)
    with pytest.raises(ValueError, match="at least 9 frames"):
        ext(torch.rand(1, 8, 3, 32, 32))
    with pytest.raises(ValueError, match="224x224"):
        InceptionI3d()(torch.zeros(1, 3, 9, 256, 256))
    with pytest.raises(ValueError, match="features"):
        I3D(weights=None, features="pre_logits")


def test_missing_weights_offline_names_file_and_url(tmp_path, monkeypatch):
    monkeypatch.setenv("VIDKIT_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("VIDKIT_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")

    def no_network(*a, **k):  # pragma: no cover - must not be reached
        raise AssertionError("network used")

    monkeypatch.setattr(i3d_mod.urllib.request, "urlopen", no_network)
    with pytest.raises(FileNotFoundError) as err:
        I3D()
    msg = str(err.value)
    assert "i3d_pretrained_400.pt" in msg and i3d_mod.I3D_URL in msg and "weights=None" in msg


class _FakeResponse(io.BytesIO):
    headers = {"content-length": "0"}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_download_path_checks_sha256_without_network(tmp_path, monkeypatch):
    """The download code path with urlopen replaced by a local byte stream (no network)."""
    net = InceptionI3d()
    i3d_mod._random_init(net, 5)
    buf = io.BytesIO()
    torch.save(net.state_dict(), buf)
    payload = buf.getvalue()
    digest = hashlib.sha256(payload).hexdigest()
    monkeypatch.setenv("VIDKIT_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("VIDKIT_DATA", str(tmp_path / "data"))
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("VIDKIT_OFFLINE", raising=False)
    urls = []

    def fake_urlopen(url, timeout=None):
        urls.append(url)
        return _FakeResponse(payload)

    monkeypatch.setattr(i3d_mod.urllib.request, "urlopen", fake_urlopen)
    with pytest.raises(ValueError, match="sha256"):
        i3d_mod.resolve_i3d_weights(expected_sha256="0" * 64)
    assert not (tmp_path / "cache" / "i3d_pretrained_400.pt").exists()
    path = i3d_mod.resolve_i3d_weights(expected_sha256=digest)
    assert urls == [i3d_mod.I3D_URL, i3d_mod.I3D_URL]
    assert path.read_bytes() == payload
    assert (tmp_path / "cache" / "i3d_pretrained_400.pt.sha256").read_text().strip() == digest
    ext = I3D()  # found in the cache now: no second download
    assert len(urls) == 2 and ext.weight_hash == digest[:16]
    # a file that changed after download is refused
    path.write_bytes(payload[:-1] + b"x")
    with pytest.raises(ValueError, match="changed since it was downloaded"):
        I3D()


def test_safe_loading_formats(tmp_path):
    from safetensors.torch import save_file

    net = InceptionI3d()
    i3d_mod._random_init(net, 2)
    sd = {k: v.contiguous() for k, v in net.state_dict().items()}
    st = tmp_path / "i3d.safetensors"
    save_file(sd, str(st))
    from vidkit.metrics.extractors import hash_state_dict

    assert hash_state_dict(I3D(weights=st).net) == hash_state_dict(net)
    bad = tmp_path / "pickled.pt"
    torch.save({"state_dict": sd, "obj": _FakeResponse(b"")}, bad)  # arbitrary object: unsafe
    with pytest.raises(ValueError, match="weights_only"):
        I3D(weights=bad)
    wrong = tmp_path / "wrong.pt"
    torch.save({"conv.weight": torch.zeros(1)}, wrong)
    with pytest.raises(ValueError, match="InceptionI3d"):
        I3D(weights=wrong)
