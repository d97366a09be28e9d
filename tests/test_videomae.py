"""VideoMAE extractor (cd-fvd protocol) on tiny random models built in code (offline)."""

from __future__ import annotations

import importlib.util
from functools import partial
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from vidkit import Video
from vidkit.metrics.extractors import FeatureExtractor, get_extractor
from vidkit.metrics.videomae import VideoMAE, convert_videomaev2_checkpoint


@pytest.fixture(autouse=True, scope="module")
def _one_torch_thread():
    # small tensors: one thread is faster than two, and the suite shares two cores
    old = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(old)


def _tiny_config(**kw):
    from transformers import VideoMAEConfig

    base = dict(
        image_size=16,
        patch_size=4,
        num_frames=8,
        tubelet_size=2,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=4,
        intermediate_size=48,
        num_labels=5,
    )
    base.update(kw)
    return VideoMAEConfig(**base)


def _cdfvd_vit():
    """cd-fvd's own VideoMAE-v2 module, loaded by file (its package utils import torchvision)."""
    cdfvd = pytest.importorskip("cdfvd")
    path = Path(cdfvd.__file__).parent / "third_party" / "VideoMAEv2" / "videomaev2_finetune.py"
    spec = importlib.util.spec_from_file_location("_cdfvd_videomaev2_finetune", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def v2_reference():
    mod = _cdfvd_vit()
    torch.manual_seed(0)
    ref = mod.VisionTransformer(
        img_size=16,
        patch_size=4,
        embed_dim=32,
        depth=2,
        num_heads=4,
        mlp_ratio=2,
        qkv_bias=True,
        norm_layer=partial(torch.nn.LayerNorm, eps=1e-6),
        num_classes=7,
        all_frames=16,
        tubelet_size=2,
        use_mean_pooling=True,
    ).eval()
    with torch.no_grad():  # random non-trivial biases and norms, so every mapped tensor matters
        for p in ref.parameters():
            p.add_(0.1 * torch.randn_like(p))
    return ref


def test_videomaev2_conversion_matches_cdfvd(v2_reference, tmp_path):
    # a .pth as OpenGVLab ships it: {"module": state_dict}
    pth = tmp_path / "tiny_v2.pth"
    torch.save({"module": v2_reference.state_dict()}, pth)
    folder = convert_videomaev2_checkpoint(pth, tmp_path / "conv", num_heads=4, image_size=16)
    ext = VideoMAE(folder, device="cpu")
    assert isinstance(ext, FeatureExtractor) and ext.dim == 32
    rng = np.random.default_rng(0)
    u8 = rng.integers(0, 256, size=(3, 16, 20, 24, 3), dtype=np.uint8)
    ours = ext([Video(v) for v in u8])
    # cd-fvd preprocess_videomae: (B,T,H,W,C) uint8 -> /255 -> [C,T,H,W] squashed bilinear
    x = torch.from_numpy(u8).permute(0, 4, 1, 2, 3).float() / 255
    x = torch.stack(
        [F.interpolate(v, size=(16, 16), mode="bilinear", align_corners=False) for v in x]
    )
    with torch.no_grad():
        ref = v2_reference.forward_features(x).double().numpy()
    np.testing.assert_allclose(ours, ref, atol=1e-5)
    assert ext.preprocess["normalize"] == "none"
    assert "eps=1e-06" in ext.preprocess["feature"]
    # the classifier head came across too
    with torch.no_grad():
        logits_ref = v2_reference(x)
        logits = ext.model(pixel_values=x.permute(0, 2, 1, 3, 4)).logits
    np.testing.assert_allclose(logits.numpy(), logits_ref.numpy(), atol=1e-4)


def test_native_classification_checkpoint(tmp_path):
    from transformers import VideoMAEForVideoClassification

    torch.manual_seed(1)
    model = VideoMAEForVideoClassification(_tiny_config()).eval()
    model.save_pretrained(tmp_path / "cls")
    ext = get_extractor("videomae", model=tmp_path / "cls", device="cpu")
    rng = np.random.default_rng(1)
    vids = [Video(rng.random((8, 16, 16, 3)).astype(np.float32)) for _ in range(2)]
    feats = ext(vids)
    pix = torch.from_numpy(np.stack([v.frames for v in vids])).permute(0, 1, 4, 2, 3)
    with torch.no_grad():
        hidden = model.videomae(pixel_values=pix).last_hidden_state
        expect = model.fc_norm(hidden.mean(1))
        logits = model(pixel_values=pix).logits
    np.testing.assert_allclose(feats, expect.double().numpy(), atol=1e-5)
    # the feature is exactly what the classifier reads
    with torch.no_grad():
        via_feats = model.classifier(torch.from_numpy(feats).float())
    np.testing.assert_allclose(via_feats.numpy(), logits.numpy(), atol=1e-4)
    # a 24-frame video is read at 8 evenly spaced frames
    long = Video(rng.random((24, 16, 16, 3)).astype(np.float32))
    idx = np.round(np.linspace(0, 23, 8)).astype(int)
    np.testing.assert_allclose(ext(long), ext(Video(long.frames[idx])), atol=1e-6)
    # ImageNet mean/std (the checkpoint's own training normalisation) is opt-in and changes features
    normed = VideoMAE(tmp_path / "cls", device="cpu", normalize=True)
    assert normed.preprocess["normalize"]["mean"] == [0.485, 0.456, 0.406]
    assert np.abs(normed(vids) - feats).max() > 1e-3


def test_self_supervised_model_checkpoint(tmp_path):
    from transformers import VideoMAEModel

    torch.manual_seed(2)
    model = VideoMAEModel(_tiny_config(use_mean_pooling=False)).eval()
    model.save_pretrained(tmp_path / "ssl")
    ext = VideoMAE(str(tmp_path / "ssl"), device="cpu")
    assert ext.feature == "mean of layernorm(last hidden state)"
    x = torch.rand(2, 8, 3, 16, 16)
    with torch.no_grad():
        expect = model(pixel_values=x).last_hidden_state.mean(1)
    np.testing.assert_allclose(ext(x), expect.double().numpy(), atol=1e-5)


def test_errors(tmp_path, v2_reference):
    with pytest.raises(OSError, match="could not load a VideoMAE config"):
        VideoMAE(tmp_path / "nothing-here", device="cpu")
    with pytest.raises(TypeError, match="VideoMAE model"):
        VideoMAE(torch.nn.Linear(2, 2))
    pth = tmp_path / "raw.pth"
    torch.save(v2_reference.state_dict(), pth)
    with pytest.raises(ValueError, match="convert_videomaev2_checkpoint"):
        VideoMAE(pth)
    state = dict(v2_reference.state_dict())
    state["blocks.0.gamma_1"] = torch.ones(32)
    with pytest.raises(ValueError, match="layer scale"):
        convert_videomaev2_checkpoint(state, tmp_path / "bad", num_heads=4)
    with pytest.raises(ValueError, match="num_heads"):
        convert_videomaev2_checkpoint(dict(v2_reference.state_dict()), tmp_path / "bad2")
    with pytest.raises(FileNotFoundError):
        convert_videomaev2_checkpoint(tmp_path / "missing.pth", tmp_path / "bad3")
