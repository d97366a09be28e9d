"""CLIP score and CLIP consistency on a tiny random CLIP built in code (offline)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from vidkit import Video
from vidkit.metrics import clip as vclip
from vidkit.metrics.clip import (
    CLIPScore,
    clip_consistency,
    clip_image_features,
    clip_score,
    make_tiny_clip,
)

PROMPTS = ["a red ball bounces", "a blue cube falls on the floor", "two balls collide"]


# small tensors: one thread is faster than two, and the suite shares two cores
pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def tiny_clip(tmp_path_factory) -> str:
    # "openai" in the folder name: torchmetrics only loads such names by path
    return str(make_tiny_clip(tmp_path_factory.mktemp("m") / "openai-tiny-clip", image_size=32))


@pytest.fixture(scope="module")
def videos() -> list[Video]:
    rng = np.random.default_rng(0)
    out = []
    for _ in range(3):
        base = rng.random((1, 40, 48, 3))
        drift = 0.2 * rng.random((5, 40, 48, 3))
        out.append(Video(np.clip(0.7 * base + drift, 0, 1).astype(np.float32), fps=8))
    return out


def _loaded_pair(path: str):
    from transformers import CLIPModel, CLIPProcessor

    return CLIPModel.from_pretrained(path).eval(), CLIPProcessor.from_pretrained(path)


class _FeatureAdapter(torch.nn.Module):
    """torchmetrics 1.9 expects get_*_features to return tensors; transformers 5 returns outputs."""

    def __init__(self, model):
        super().__init__()
        self.model = model
        self.config = model.config

    def get_image_features(self, *args, **kwargs):
        return self.model.get_image_features(*args, **kwargs).pooler_output

    def get_text_features(self, *args, **kwargs):
        return self.model.get_text_features(*args, **kwargs).pooler_output


def test_parity_with_torchmetrics(tiny_clip, videos):
    from torchmetrics.functional.multimodal.clip_score import _clip_score_update
    from torchmetrics.multimodal.clip_score import CLIPScore as TMCLIPScore

    model, processor = _loaded_pair(tiny_clip)
    if clip_score(videos, PROMPTS, model=(model, processor)).per_video.mean() < 0:
        with torch.no_grad():  # a random model: make the set's mean positive so the clamp is idle
            model.text_projection.weight.neg_()
    adapter = _FeatureAdapter(model)
    tm = TMCLIPScore(model_name_or_path=lambda: (adapter, processor))
    per_frame_tm = []
    for v, p in zip(videos, PROMPTS):
        frames = torch.from_numpy(v.uint8).permute(0, 3, 1, 2)  # uint8 [T, 3, H, W]
        tm.update(frames, [p] * v.num_frames)
        s, _ = _clip_score_update(list(frames), [p] * v.num_frames, adapter, processor)
        per_frame_tm.append(s.detach().numpy())
    ours = clip_score(videos, PROMPTS, model=(model, processor))
    assert ours.score > 1.0
    assert abs(ours.score - float(tm.compute())) <= 1e-4
    for a, b in zip(ours.per_frame, per_frame_tm):
        np.testing.assert_allclose(a, b, atol=1e-4)
    # and by path, loaded by vidkit itself: the same numbers up to the sign flip above
    by_path = clip_score(videos, PROMPTS, model=tiny_clip, device="cpu")
    sign = 1.0 if np.allclose(by_path.per_frame[0], per_frame_tm[0], atol=1e-4) else -1.0
    for a, b in zip(by_path.per_frame, per_frame_tm):
        np.testing.assert_allclose(sign * a, b, atol=1e-4)
    assert by_path.provenance["model"] == tiny_clip
    assert by_path.provenance["clamp"] == "mean"
    assert by_path.provenance["n_videos"] == 3


def test_float_frames_not_rescaled_twice(tiny_clip):
    # float [0, 1] frames and their uint8 version give the same score
    rng = np.random.default_rng(1)
    v = Video(rng.random((3, 32, 32, 3)).astype(np.float32))
    a = clip_score(v, "a red ball", model=tiny_clip, device="cpu")
    b = clip_score(Video(v.uint8), "a red ball", model=tiny_clip, device="cpu")
    assert a.score == pytest.approx(b.score, abs=1e-9)
    # a white frame reaches the model as (1 - mean) / std, not (1/255 - mean) / std
    model, processor = _loaded_pair(tiny_clip)
    white = Video(np.ones((1, 32, 32, 3), np.float32))
    mean = torch.tensor(vclip.CLIP_MEAN).view(1, 3, 1, 1)
    std = torch.tensor(vclip.CLIP_STD).view(1, 3, 1, 1)
    pix = ((1.0 - mean) / std).expand(1, 3, 32, 32)
    with torch.no_grad():
        ref = model.get_image_features(pixel_values=pix).pooler_output.double()
    ref = (ref / ref.norm(dim=-1, keepdim=True)).numpy()
    for pre in ("processor", "vbench"):
        got = clip_image_features(white, model=tiny_clip, preprocess=pre, device="cpu")[0]
        np.testing.assert_allclose(got, ref, atol=1e-5)
    # the hazard being guarded against: floats straight into the processor are rescaled again
    bad = processor.image_processor(images=[white.frames[0]], return_tensors="pt")["pixel_values"]
    assert float((bad - pix).abs().max()) > 1.0


def test_clamp_conventions(tiny_clip):
    # solid-colour frames: the tiny random model gives scores of both signs on them
    cols = np.array([[0, 0, 0], [1, 1, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0]], np.float32)
    colours = Video(np.broadcast_to(cols[:, None, None, :], (6, 32, 32, 3)).copy())
    videos = [colours, colours[::-1], colours[1:5]]
    model, processor = _loaded_pair(tiny_clip)
    pos = clip_score(videos, PROMPTS, model=(model, processor))
    # flipping the text projection negates every cosine exactly
    with torch.no_grad():
        model.text_projection.weight.neg_()
    neg = clip_score(videos, PROMPTS, model=(model, processor))
    neg_clamped = clip_score(videos, PROMPTS, model=(model, processor), per_sample_clamp=True)
    for a, b in zip(pos.per_frame, neg.per_frame):
        np.testing.assert_allclose(a, -b, atol=1e-9)
    allf = np.concatenate(pos.per_frame)
    assert (allf > 0).any() and (allf < 0).any(), "tiny model should give mixed signs"
    for res, per_frame in ((pos, pos.per_frame), (neg, neg.per_frame)):
        mean = np.mean([p.mean() for p in per_frame])
        assert res.score == pytest.approx(max(mean, 0.0), abs=1e-9)
    # one of the two has a negative mean: torchmetrics' convention clamps the mean to 0
    assert min(pos.score, neg.score) == 0.0
    # per-sample clamp (CLIPScore paper): each frame clamped first, so the score is positive
    expect = np.mean([np.maximum(p, 0).mean() for p in neg.per_frame])
    assert neg_clamped.score == pytest.approx(expect, abs=1e-9)
    assert neg_clamped.score > 0 and neg_clamped.score != neg.score
    assert neg_clamped.provenance["clamp"] == "per_sample"


def test_frame_sampling_and_truncation(tiny_clip, videos):
    full = clip_score(videos[0], PROMPTS[0], model=tiny_clip, device="cpu")
    two = clip_score(videos[0], PROMPTS[0], model=tiny_clip, frames=2, device="cpu")
    assert len(full.per_frame[0]) == 5 and len(two.per_frame[0]) == 2
    np.testing.assert_allclose(two.per_frame[0], full.per_frame[0][[0, 4]], atol=1e-4)
    assert two.provenance["frames"] == 2 and full.provenance["frames"] == "all"
    words = ("red ball bounces on the floor " * 30).split()  # 180 words
    with pytest.warns(UserWarning, match="truncated"):
        long = clip_score(videos[0], " ".join(words), model=tiny_clip, device="cpu")
    cut = clip_score(videos[0], " ".join(words[:75]), model=tiny_clip, device="cpu")  # 75 + 2
    assert long.score == pytest.approx(cut.score, abs=1e-4)
    assert long.provenance["n_truncated_prompts"] == 1


def test_accumulator_matches_one_call(tiny_clip, videos):
    one = clip_score(videos, PROMPTS, model=tiny_clip, device="cpu")
    m = CLIPScore(tiny_clip, device="cpu")
    with pytest.raises(ValueError, match="before any update"):
        m.compute()
    m.update(videos[:2], PROMPTS[:2])
    other = CLIPScore(tiny_clip, device="cpu")
    other.update(videos[2:], PROMPTS[2:])
    res = m.merge(other).compute()
    assert res.score == pytest.approx(one.score, abs=1e-4)
    np.testing.assert_allclose(res.per_video, one.per_video, atol=1e-4)
    m.reset()
    m.update(videos[0], PROMPTS[0])
    assert m.compute().provenance["n_videos"] == 1
    with pytest.raises(ValueError, match="different settings"):
        m.merge(CLIPScore(tiny_clip, frames=2, device="cpu"))


def test_bad_inputs(tiny_clip, videos):
    with pytest.raises(ValueError, match="3 videos but 2 prompts"):
        clip_score(videos, PROMPTS[:2], model=tiny_clip, device="cpu")
    with pytest.raises(ValueError, match="prompts is empty"):
        clip_score(videos, [], model=tiny_clip, device="cpu")
    with pytest.raises(ValueError, match="videos is empty"):
        clip_score([], [], model=tiny_clip, device="cpu")
    with pytest.raises(TypeError, match="prompt 1 is int"):
        clip_score(videos[:2], ["a", 3], model=tiny_clip, device="cpu")
    with pytest.raises(TypeError, match="vk.unstack"):
        clip_score(np.zeros((2, 4, 8, 8, 3)), ["a", "b"], model=tiny_clip, device="cpu")
    with pytest.raises(ValueError, match="frames must be >= 1"):
        clip_score(videos[0], "a", model=tiny_clip, frames=0, device="cpu")
    with pytest.raises(ValueError, match="preprocess must be one of"):
        clip_score(videos[0], "a", model=tiny_clip, preprocess="bilinear", device="cpu")
    with pytest.raises(TypeError, match="CLIPProcessor"):
        clip_score(videos[0], "a", model=(_loaded_pair(tiny_clip)[0], object()))
    with pytest.raises(OSError, match="could not load CLIP model"):
        clip_score(videos[0], "a", model=str(tiny_clip) + "-missing", device="cpu")


def test_clip_consistency(tiny_clip, videos):
    static = Video(np.repeat(videos[0].frames[:1], 4, axis=0))
    res = clip_consistency([static, videos[1]], model=tiny_clip, device="cpu")
    assert res.per_video[0] == pytest.approx(1.0, abs=1e-9)
    # manual VBench formula on the same features
    f = clip_image_features(videos[1], model=tiny_clip, preprocess="vbench", device="cpu")[0]
    terms = [0.5 * (max(0.0, f[t - 1] @ f[t]) + max(0.0, f[0] @ f[t])) for t in range(1, len(f))]
    assert res.per_video[1] == pytest.approx(np.mean(terms), abs=1e-6)
    assert res.score == pytest.approx((3 * 1.0 + sum(terms)) / (3 + len(terms)), abs=1e-6)
    assert res.provenance["preprocess"] == "vbench"
    # a scrambled video is less consistent than the static one
    rng = np.random.default_rng(3)
    noise = Video(rng.random((4, 32, 32, 3)).astype(np.float32))
    assert clip_consistency(noise, model=tiny_clip, device="cpu").score < 1.0 - 1e-6
    assert clip_consistency(Video(static.frames[:1]), model=tiny_clip).score == 1.0


def test_vbench_preprocess_center_crop(tiny_clip):
    # 32x64 frames: vbench keeps them (short side already 32) and crops the central 32x32,
    # so the 16 columns at each side do not matter
    rng = np.random.default_rng(4)
    a = rng.random((2, 32, 64, 3)).astype(np.float32)
    b = a.copy()
    b[:, :, :16] = 0.0
    b[:, :, 48:] = 1.0
    fa = clip_image_features(Video(a), model=tiny_clip, preprocess="vbench", device="cpu")[0]
    fb = clip_image_features(Video(b), model=tiny_clip, preprocess="vbench", device="cpu")[0]
    np.testing.assert_allclose(fa, fb, atol=1e-9)
    b[:, :, 20:44] = 0.5
    fc = clip_image_features(Video(b), model=tiny_clip, preprocess="vbench", device="cpu")[0]
    assert np.abs(fa - fc).max() > 1e-3


def test_provenance_hash_changes_with_weights(tiny_clip, tmp_path, videos):
    other = make_tiny_clip(tmp_path / "other", seed=1)
    a = clip_score(videos[0], "a ball", model=tiny_clip, device="cpu").provenance["weight_hash"]
    b = clip_score(videos[0], "a ball", model=str(other), device="cpu").provenance["weight_hash"]
    assert a != b and len(a) == 16


def test_clip_features_extractor(tiny_clip, videos):
    from vidkit.metrics import get_extractor  # noqa: F401  (the registry stays importable)
    from vidkit.metrics.clip import CLIPFeatures
    from vidkit.metrics.extractors import FeatureExtractor

    ext = CLIPFeatures(tiny_clip, frames=3, device="cpu")
    assert isinstance(ext, FeatureExtractor) and ext.dim == 16
    feats = ext(videos)
    assert feats.shape == (3, 16) and feats.dtype == np.float64
    per_frame = clip_image_features(videos, model=tiny_clip, frames=3, device="cpu")
    np.testing.assert_allclose(feats, np.stack([f.mean(axis=0) for f in per_frame]), atol=1e-5)
    assert ext.provenance()["weight_hash"] == ext.weight_hash
