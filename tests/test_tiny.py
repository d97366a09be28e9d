"""vidkit.tiny: tokenizer, text encoder, denoiser, diffusers pipeline, data and training loop.

Everything here uses tiny randomly initialised components built in code (fast); the bundled
weights are loaded once to check they round-trip. Quality bars are in test_tiny_quality.py.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

import vidkit as vk
from vidkit.tiny import data
from vidkit.tiny.network import TinyVideoDenoiser
from vidkit.tiny.pipeline import TinyPhysicsPipeline, decode_latents
from vidkit.tiny.text import TinyTextEncoder, build_tokenizer, words
from vidkit.tiny.train import (
    NOISE_SHIFT,
    TEXT_RECON_WEIGHT,
    build_components,
    encode_prompts,
    flow_matching_loss,
    token_reconstruction_loss,
    train,
)

TINY_NET = {"dim": 32, "depth": 2, "heads": 2, "text_dim": 32}
TINY_TEXT = {"dim": 32, "layers": 1, "heads": 2}


@pytest.fixture(scope="module")
def pipe() -> TinyPhysicsPipeline:
    comps = build_components(TINY_NET, TINY_TEXT, seed=0)
    # random but non-zero output layers, so the outputs depend on every input
    torch.manual_seed(1)
    for p in comps["denoiser"].parameters():
        if p.abs().sum() == 0:
            torch.nn.init.normal_(p, std=0.05)
    p = TinyPhysicsPipeline(**comps)
    p.set_progress_bar_config(disable=True)
    return p


def gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


# --------------------------------------------------------------------------- text
def test_tokenizer_words_bos_eos_unk_and_padding(tmp_path):
    tok = build_tokenizer(["a red ball falls", "a blue ball is thrown to the left"])
    ids = tok("A red ball falls").input_ids
    assert tok.convert_ids_to_tokens(ids) == ["[BOS]", "a", "red", "ball", "falls", "[EOS]"]
    assert tok.convert_ids_to_tokens(tok("a purple ball").input_ids)[2] == "[UNK]"
    enc = tok(["a red ball", ""], padding="max_length", max_length=8)
    assert enc.input_ids[1][:3] == [2, 3, 0] and enc.attention_mask[1] == [1, 1] + [0] * 6
    tok.save_pretrained(tmp_path)
    again = type(tok).from_pretrained(tmp_path)
    assert again("a red ball falls").input_ids == ids
    assert words("Left, right!") == ["left", ",", "right", "!"]


def test_tokenizer_rejects_bad_corpus():
    with pytest.raises(TypeError, match="iterable of prompts"):
        build_tokenizer("a red ball")
    with pytest.raises(ValueError, match="no words"):
        build_tokenizer(["", "  "])


def test_text_encoder_ignores_padding_and_checks_length():
    enc = TinyTextEncoder(vocab_size=12, dim=16, layers=1, heads=2, max_length=8).eval()
    ids = torch.tensor([[2, 5, 6, 3, 0, 0, 0, 0], [2, 5, 6, 3, 7, 7, 7, 7]])
    mask = torch.tensor([[1, 1, 1, 1, 0, 0, 0, 0], [1, 1, 1, 1, 0, 0, 0, 0]])
    out = enc(ids, mask)
    # what sits in padded positions must not change the real tokens' states
    torch.testing.assert_close(out.last_hidden_state[0, :4], out.last_hidden_state[1, :4])
    torch.testing.assert_close(out.pooler_output, out.last_hidden_state[:, 0])
    assert out.last_hidden_state[:, 4:].abs().max() == 0  # padding carries no state
    assert (out.last_hidden_state[:, :4].abs().sum(-1) > 0).all()
    with pytest.raises(ValueError, match="exceeds max_length=8"):
        enc(torch.zeros(1, 9, dtype=torch.long))


# --------------------------------------------------------------------------- network
def test_text_pooling_bos_or_mean_over_real_tokens():
    states = torch.randn(2, 6, 8)
    states[0, 4:] = 0  # padding, as the text encoder leaves it
    mask = torch.tensor([[1, 1, 1, 1, 0, 0], [1, 1, 1, 1, 1, 1]])
    kw = {"dim": 16, "depth": 2, "heads": 2, "text_dim": 8}
    bos = TinyVideoDenoiser(**kw).pool_text(states)
    torch.testing.assert_close(bos, states[:, 0])
    mean_net = TinyVideoDenoiser(**kw, text_pooling="mean")
    want = torch.stack([states[0, :4].mean(0), states[1].mean(0)])
    torch.testing.assert_close(mean_net.pool_text(states), want)
    torch.testing.assert_close(mean_net.pool_text(states, mask), want)
    # a word after [BOS] (e.g. "left" vs "right") changes the mean-pooled vector directly
    other = states.clone()
    other[:, 2] += 1.0
    assert not torch.allclose(mean_net.pool_text(other), want)
    torch.testing.assert_close(TinyVideoDenoiser(**kw).pool_text(other), bos)
    with pytest.raises(ValueError, match="text_pooling must be"):
        TinyVideoDenoiser(**kw, text_pooling="max")


def test_cross_attention_sees_every_real_word_and_ignores_padding():
    torch.manual_seed(0)
    kw = {"dim": 16, "depth": 2, "heads": 2, "text_dim": 8, "num_frames": 4, "sample_size": 16}
    net = TinyVideoDenoiser(**kw, cross_attention=True).eval()
    for p in net.parameters():  # zero-initialised output layers would hide every input
        if p.abs().sum() == 0:
            torch.nn.init.normal_(p, std=0.1)
    x, t = torch.randn(1, 3, 4, 16, 16), torch.tensor([500.0])
    states = torch.randn(1, 6, 8)
    states[:, 4:] = 0  # padding, as the text encoder leaves it
    base = net(x, t, states).sample
    # a word after [BOS] (the pooled vector) changes the output through cross-attention alone
    word = states.clone()
    word[:, 2] = torch.randn(8)
    assert (net(x, t, word).sample - base).abs().max() > 1e-3
    bos_only = TinyVideoDenoiser(**kw).eval()
    bos_only.load_state_dict(
        {k: v for k, v in net.state_dict().items() if "cross" not in k}, strict=True
    )
    torch.testing.assert_close(bos_only(x, t, word).sample, bos_only(x, t, states).sample)
    # a padded position is masked out of the keys: an explicit mask ignores what sits there
    mask = torch.tensor([[1, 1, 1, 1, 0, 0]])
    junk = states.clone()
    junk[:, 4:] = torch.randn(2, 8)
    torch.testing.assert_close(net(x, t, junk, encoder_attention_mask=mask).sample, base)
    assert net(x, t, junk).sample.sub(base).abs().max() > 1e-3  # inferred mask: now real
    with pytest.raises(ValueError, match="does not match the text states"):
        net(x, t, states, encoder_attention_mask=torch.ones(1, 5))


def test_growing_cross_attention_onto_trained_weights_keeps_predictions():
    from vidkit.tiny.train import _grow_denoiser

    torch.manual_seed(0)
    kw = {"dim": 16, "depth": 2, "heads": 2, "text_dim": 8, "num_frames": 4, "sample_size": 16}
    net = TinyVideoDenoiser(**kw).eval()
    for p in net.parameters():
        torch.nn.init.normal_(p, std=0.1)
    grown = _grow_denoiser(net, True).eval()
    assert grown.config.cross_attention and not net.config.cross_attention
    x, t, states = torch.randn(2, 3, 4, 16, 16), torch.tensor([300.0, 900.0]), torch.randn(2, 5, 8)
    torch.testing.assert_close(grown(x, t, states).sample, net(x, t, states).sample)
    assert _grow_denoiser(net, False) is net and _grow_denoiser(grown, True) is grown
    # the rest of the configuration comes from the weights (e.g. mean pooling is kept)
    mean_net = TinyVideoDenoiser(**kw, text_pooling="mean")
    assert _grow_denoiser(mean_net, True).config.text_pooling == "mean"


def test_patchify_roundtrip_and_shapes():
    net = TinyVideoDenoiser(
        dim=16,
        depth=2,
        heads=2,
        text_dim=8,
        patch=4,
        temporal_patch=2,
        num_frames=4,
        sample_size=16,
    )
    x = torch.randn(2, 3, 4, 16, 16)
    tokens = net.patchify(x)
    assert tokens.shape == (2, 2, 16, 3 * 2 * 4 * 4)
    torch.testing.assert_close(net.unpatchify(tokens, 16, 16), x)
    # a token holds one space-time patch
    torch.testing.assert_close(tokens[0, 1, 5].reshape(3, 2, 4, 4), x[0, :, 2:4, 4:8, 4:8])


def test_denoiser_uses_text_timestep_and_image():
    torch.manual_seed(0)
    net = TinyVideoDenoiser(dim=16, depth=2, heads=2, text_dim=8, num_frames=4, sample_size=16)
    for p in net.parameters():  # adaLN-Zero starts as the identity: randomise to see effects
        torch.nn.init.normal_(p, std=0.1)
    net.eval()
    x, text = torch.randn(1, 3, 4, 16, 16), torch.randn(1, 3, 8)
    base = net(x, 500.0, text).sample
    assert base.shape == x.shape
    assert not torch.allclose(base, net(x, 100.0, text).sample)
    assert not torch.allclose(base, net(x, 500.0, torch.randn(1, 3, 8)).sample)
    img = torch.rand(1, 3, 16, 16) * 2 - 1
    with_img = net(x, 500.0, text, image=img).sample
    assert not torch.allclose(base, with_img)
    # mask 0 means "no image": identical to giving none
    torch.testing.assert_close(
        net(x, 500.0, text, image=img, image_mask=torch.zeros(1)).sample, base
    )


def test_denoiser_rejects_wrong_shape():
    net = TinyVideoDenoiser(dim=16, depth=2, heads=2, text_dim=8, num_frames=4, sample_size=16)
    with pytest.raises(ValueError, match=r"expected \[B, 3, 4, 16, 16\]"):
        net(torch.randn(1, 3, 5, 16, 16), 1.0, torch.randn(1, 2, 8))
    with pytest.raises(ValueError, match="multiples of the patch"):
        TinyVideoDenoiser(sample_size=30)


# --------------------------------------------------------------------------- pipeline
def test_pipeline_t2v_output_types_and_determinism(pipe):
    a = pipe("a red ball falls", num_inference_steps=3, generator=gen(0)).frames
    assert isinstance(a, np.ndarray) and a.shape == (1, 16, 32, 32, 3)
    assert a.min() >= 0 and a.max() <= 1
    b = pipe("a red ball falls", num_inference_steps=3, generator=gen(0)).frames
    np.testing.assert_array_equal(a, b)
    c = pipe("a red ball falls", num_inference_steps=3, generator=gen(1)).frames
    assert not np.allclose(a, c)
    pt = pipe("a red ball falls", num_inference_steps=3, generator=gen(0), output_type="pt").frames
    assert pt.shape == (1, 16, 3, 32, 32)
    np.testing.assert_allclose(pt.permute(0, 1, 3, 4, 2).numpy(), a, atol=1e-6)
    lat = pipe("a red ball falls", num_inference_steps=3, generator=gen(0), output_type="latent")
    np.testing.assert_allclose(decode_latents(lat.frames).numpy(), a, atol=1e-6)
    pil = pipe(
        "a red ball falls", num_inference_steps=3, generator=gen(0), output_type="pil"
    ).frames
    assert len(pil) == 1 and len(pil[0]) == 16 and pil[0][0].size == (32, 32)
    v = vk.Video.from_pipeline_output(pipe("a red ball falls", num_inference_steps=2), index=0)
    assert v.shape == (16, 32, 32, 3)
    tup = pipe("a red ball falls", num_inference_steps=2, return_dict=False)
    assert isinstance(tup, tuple) and tup[0].shape == (1, 16, 32, 32, 3)


def test_one_step_sampling_lands_on_the_x0_prediction(pipe):
    # x-prediction + flow matching: from s=1 one Euler step to s=0 gives exactly the predicted x0
    noise = torch.randn(1, 3, 16, 32, 32, generator=gen(3))
    out = pipe(
        "a red ball falls",
        num_inference_steps=1,
        guidance_scale=1.0,
        latents=noise,
        output_type="latent",
    ).frames
    states, _ = pipe.encode_prompt("a red ball falls", do_classifier_free_guidance=False)
    with torch.no_grad():
        x0 = pipe.denoiser(noise, torch.tensor([1000.0]), states).sample
    # the pipeline clamps predicted x0 to the data range [-1, 1]
    torch.testing.assert_close(out, x0.clamp(-1, 1), atol=1e-5, rtol=1e-4)
    v = pipe.denoiser.velocity(x0, noise, torch.tensor([0.5]), 1e-3)
    torch.testing.assert_close(v, (noise - x0) / 0.5)


def test_pipeline_generator_list_is_per_sample(pipe):
    both = pipe(
        ["a red ball falls", "a blue ball falls"], num_inference_steps=2, generator=[gen(5), gen(6)]
    ).frames
    alone = pipe("a blue ball falls", num_inference_steps=2, generator=gen(6)).frames
    np.testing.assert_allclose(both[1], alone[0], atol=1e-5)
    many = pipe("a red ball falls", num_videos_per_prompt=3, num_inference_steps=2).frames
    assert many.shape[0] == 3
    with pytest.raises(ValueError, match="2 generators for a batch of 3"):
        pipe("a red ball falls", num_videos_per_prompt=3, generator=[gen(0), gen(1)])


def test_pipeline_guidance_changes_output_and_negative_prompt(pipe):
    kw = {"num_inference_steps": 3}
    g1 = pipe("a red ball falls", guidance_scale=1.0, generator=gen(0), **kw).frames
    g4 = pipe("a red ball falls", guidance_scale=4.0, generator=gen(0), **kw).frames
    assert not np.allclose(g1, g4)
    neg = pipe(
        "a red ball falls",
        guidance_scale=4.0,
        negative_prompt="a blue ball falls",
        generator=gen(0),
        **kw,
    ).frames
    assert not np.allclose(neg, g4)


def test_pipeline_callbacks_trajectory_and_interrupt(pipe):
    seen = []

    def keep(p, i, t, kw):
        seen.append((i, float(t), kw["latents"].clone()))
        return {}

    out = pipe(
        "a red ball falls",
        num_inference_steps=4,
        generator=gen(0),
        output_type="latent",
        callback_on_step_end=keep,
    )
    assert [s[0] for s in seen] == [0, 1, 2, 3]
    assert seen[0][1] > seen[-1][1]  # noise level goes down
    torch.testing.assert_close(seen[-1][2], out.frames)

    def zero(p, i, t, kw):  # a callback may replace the latents
        return {"latents": torch.zeros_like(kw["latents"])}

    z = pipe("a red ball falls", num_inference_steps=2, callback_on_step_end=zero).frames
    np.testing.assert_allclose(z, 0.5, atol=1e-6)

    calls = []

    def stop(p, i, t, kw):
        calls.append(i)
        p._interrupt = True
        return {}

    out = pipe("a red ball falls", num_inference_steps=5, callback_on_step_end=stop)
    assert calls == [0] and out.frames.shape == (1, 16, 32, 32, 3)
    assert pipe.num_timesteps == 5
    with pytest.raises(ValueError, match="not available"):
        pipe(
            "a red ball falls",
            callback_on_step_end=keep,
            callback_on_step_end_tensor_inputs=["prompt_embeds"],
        )


def test_pipeline_image_to_video_accepts_forms(pipe):
    scene = data.render_clip(3)
    first = scene.video.frames[0]

    def run(**kw):
        return pipe(scene.prompt, num_inference_steps=2, generator=gen(0), **kw).frames

    a = run(image=first)
    b = run(image=scene.video.to_pil()[0])
    c = run(image=torch.from_numpy(first).permute(2, 0, 1))
    d = run(image=scene.video)  # a Video: its first frame
    np.testing.assert_allclose(a, b, atol=2e-2)  # PIL is uint8
    np.testing.assert_allclose(a, c, atol=1e-5)
    np.testing.assert_allclose(a, d, atol=1e-5)
    assert not np.allclose(a, run())
    # the output starts with exactly the given image (first-frame replacement) ...
    np.testing.assert_allclose(a[0, 0], first, atol=1e-5)
    # ... which can be switched off (then only the learned conditioning acts)
    learned = run(image=first, replace_first_frame=False)
    assert not np.allclose(learned[0, 0], first, atol=1e-2) and not np.allclose(learned, a)
    big = run(image=scene.video.resize(64, 64).frames[0])
    assert big.shape == a.shape  # resized to the model size
    with pytest.raises(TypeError, match="image must be"):
        run(image="first.png")


def test_pipeline_video_to_video_starts_from_the_noised_input(pipe):
    # a velocity-predicting denoiser with its zero-initialised head predicts v = 0, so the output
    # is exactly the SDEdit starting point: the input noised to the level of `strength`
    comps = build_components({**TINY_NET, "prediction_type": "velocity"}, TINY_TEXT)
    still = TinyPhysicsPipeline(**comps)
    still.set_progress_bar_config(disable=True)
    scene = data.render_clip(2)
    x = torch.from_numpy(scene.video.frames).permute(3, 0, 1, 2)[None] * 2 - 1
    noise = torch.randn(x.shape, generator=gen(0))
    psnrs = []
    for strength, keep in ((0.2, 4), (0.6, 12), (1.0, 20)):
        out = still(
            scene.prompt,
            video=scene.video,
            strength=strength,
            num_inference_steps=20,
            generator=gen(0),
            output_type="latent",
        ).frames
        assert still.num_timesteps == keep
        sigma = float(still.scheduler.sigmas[20 - keep])
        torch.testing.assert_close(out, (1 - sigma) * x + sigma * noise, atol=1e-5, rtol=1e-4)
        psnrs.append(vk.psnr(vk.tiny.decode_latents(out)[0].numpy(), scene.video.frames))
    assert psnrs[0] > psnrs[1] > psnrs[2]
    kw = {"num_inference_steps": 2}
    with pytest.raises(ValueError, match="resample it first"):
        pipe(scene.prompt, video=scene.video[:8], **kw)
    with pytest.raises(ValueError, match=r"strength must be in \(0, 1\]"):
        pipe(scene.prompt, video=scene.video, strength=1.5)
    with pytest.raises(ValueError, match="give video="):
        pipe(scene.prompt, strength=0.5)
    default = pipe(scene.prompt, video=scene.video, num_inference_steps=10)
    assert pipe.num_timesteps == 6 and default.frames.shape == (1, 16, 32, 32, 3)  # strength 0.6


def test_pipeline_rejects_bad_arguments(pipe):
    with pytest.raises(ValueError, match="makes 16 frames of 32x32"):
        pipe("a red ball falls", num_frames=8)
    with pytest.raises(ValueError, match="output_type"):
        pipe("a red ball falls", output_type="mp4")
    with pytest.raises(ValueError, match="prompt is required"):
        pipe()
    with pytest.raises(TypeError, match="prompt must be"):
        pipe(3)
    with pytest.raises(ValueError, match="num_inference_steps"):
        pipe("a red ball falls", num_inference_steps=0)


def test_save_and_load_roundtrip_with_safetensors(pipe, tmp_path):
    pipe.save_pretrained(tmp_path)
    index = json.loads((tmp_path / "model_index.json").read_text())
    assert index["_class_name"] == "TinyPhysicsPipeline"
    assert index["denoiser"] == ["vidkit.tiny.network", "TinyVideoDenoiser"]
    assert list(tmp_path.rglob("*.bin")) == [] and len(list(tmp_path.rglob("*.safetensors"))) == 2
    again = vk.tiny.load_pipeline(tmp_path)
    assert type(again.scheduler).__name__ == "FlowMatchEulerDiscreteScheduler"
    for name in ("denoiser", "text_encoder"):
        want, got = getattr(pipe, name).state_dict(), getattr(again, name).state_dict()
        assert want.keys() == got.keys()
        assert all(torch.equal(want[k], got[k]) for k in want)
    assert again.tokenizer.get_vocab() == pipe.tokenizer.get_vocab()
    a = pipe("a red ball falls", num_inference_steps=3, generator=gen(0)).frames
    b = again("a red ball falls", num_inference_steps=3, generator=gen(0)).frames
    np.testing.assert_allclose(a, b, atol=1e-5)
    with pytest.raises(FileNotFoundError, match="model_index.json missing"):
        vk.tiny.load_pipeline(tmp_path / "nothing")


def test_bundled_model_loads_and_generates():
    pipe = vk.tiny.load_pipeline()
    assert pipe.default_size == (16, 32, 32)
    n_params = sum(p.numel() for p in pipe.denoiser.parameters())
    size = sum(f.stat().st_size for f in vk.tiny.model_path().rglob("*.safetensors"))
    assert size <= 20e6 and n_params > 1e5
    early = vk.tiny.load_pipeline(early=True)

    def arch(cfg):
        return {k: v for k, v in cfg.items() if not k.startswith("_")}

    assert arch(early.denoiser.config) == arch(pipe.denoiser.config)
    out = pipe("a red ball falls", num_inference_steps=2, generator=gen(0)).frames
    assert out.shape == (1, 16, 32, 32, 3)
    card = (vk.tiny.model_path() / "README.md").read_text()
    assert "train-tiny" in card and "loss.png" in card
    assert (vk.tiny.model_path() / "loss.png").stat().st_size > 1000


# --------------------------------------------------------------------------- data
def test_render_clip_and_prompts():
    a, b = data.render_clip(7), data.render_clip(7)
    np.testing.assert_array_equal(a.video.frames, b.video.frames)
    assert a.video.shape == (16, 32, 32, 3) and a.video.fps == 8
    assert a.kind == data.KINDS[7 % 4]
    fall = data.render_clip(4)
    assert fall.kind == "free_fall" and fall.truth.constants["g"] == data.G_FALL
    assert 3.0 <= fall.truth.radii[0, 0] <= 4.0
    assert data.training_g("bounce") == data.G_BOUNCE and data.training_g("uniform") is None
    with pytest.raises(ValueError, match="unknown kind"):
        data.training_g("pendulum")
    corpus = data.all_prompts()
    assert len(corpus) == len(set(corpus)) == 8 * (1 + 2 + 2 + 8)
    for s in range(8):
        scene = data.render_clip(s)
        assert scene.prompt in corpus and data.mirror_prompt(scene.prompt) in corpus


def test_sample_batch_mirrors_video_and_prompt_together():
    pool = data.make_pool(8, progress=False)
    x, prompts = data.sample_batch(pool, 64, np.random.default_rng(0))
    assert x.shape == (64, 3, 16, 32, 32) and x.min() >= -1 and x.max() <= 1
    rng = np.random.default_rng(0)
    idx = rng.integers(0, 8, size=64)
    flips = rng.random(64) < 0.5
    assert flips.any() and (~flips).any()
    for j in range(64):
        src = pool.videos[idx[j]].astype(np.float32) / 127.5 - 1
        want = src[:, :, ::-1] if flips[j] else src
        np.testing.assert_allclose(x[j].transpose(1, 2, 3, 0), want, atol=1e-6)
        want_p = data.mirror_prompt(pool.prompts[idx[j]]) if flips[j] else pool.prompts[idx[j]]
        assert prompts[j] == want_p


def test_make_pool_cache(tmp_path):
    path = tmp_path / "pool.npz"
    a = data.make_pool(4, cache=path, progress=False)
    assert path.exists()
    b = data.make_pool(4, cache=path, progress=False)
    np.testing.assert_array_equal(a.videos, b.videos)
    assert a.prompts == b.prompts


# --------------------------------------------------------------------------- training
def test_train_writes_pipeline_and_resumes_exactly(tmp_path):
    kw = {
        "steps": 6,
        "batch_size": 2,
        "pool_size": 8,
        "checkpoint_every": 2,
        "early_at": 0.5,
        "denoiser_config": TINY_NET,
        "text_encoder_config": TINY_TEXT,
        "progress": False,
        "num_threads": None,
    }
    straight = train(tmp_path / "a", **kw)
    losses = json.loads((straight / "losses.json").read_text())
    assert len(losses) == 6 and all(np.isfinite(losses))
    for name in ("model_index.json", "loss.png", "training.json", "early/model_index.json"):
        assert (straight / name).exists(), name
    card = (straight / "README.md").read_text()
    assert "6 steps of batch 2" in card and "early/` (EMA weights at step 3)" in card
    info = json.loads((straight / "training.json").read_text())
    assert info["step"] == 6 and info["g_fall"] == data.G_FALL
    # training and the exported scheduler use the same noise shift
    assert info["noise_shift"] == NOISE_SHIFT
    assert vk.tiny.load_pipeline(straight).scheduler.config.shift == NOISE_SHIFT
    assert json.loads((straight / "early" / "training.json").read_text())["step"] == 3
    # the text encoder's token-reconstruction loss is on by default and recorded
    assert info["text_recon_weight"] == TEXT_RECON_WEIGHT > 0
    assert np.isfinite(info["final_text_recon_avg100"])
    assert f"token-reconstruction loss (weight {TEXT_RECON_WEIGHT:g}" in card

    # interrupted after one step by the time limit, then resumed: same losses as straight through
    out_b = tmp_path / "b"
    train(out_b, max_minutes=0.0, **kw)
    state = json.loads((tmp_path / "b-checkpoint" / "state.json").read_text())
    assert state["step"] == 1
    train(out_b, resume=True, **kw)
    resumed = json.loads((out_b / "losses.json").read_text())
    np.testing.assert_allclose(resumed, losses, rtol=1e-5)
    a = vk.tiny.load_pipeline(straight)("a red ball falls", num_inference_steps=2, generator=gen(0))
    b = vk.tiny.load_pipeline(out_b)("a red ball falls", num_inference_steps=2, generator=gen(0))
    np.testing.assert_allclose(a.frames, b.frames, atol=1e-5)


@pytest.mark.parametrize("shift", [1.0, 3.0])
def test_flow_matching_loss_draws_shifted_noise_levels(shift):
    # the noise levels the denoiser is trained at: u = sigmoid(N(0, 1)) (median 0.5), shifted
    # to k u / (1 + (k - 1) u) (median k / (k + 1)), the same map the scheduler applies
    net = TinyVideoDenoiser(dim=16, depth=2, heads=2, text_dim=8, num_frames=2, sample_size=8)
    seen: list[torch.Tensor] = []
    net.register_forward_pre_hook(lambda m, args: seen.append(args[1].detach().clone()))
    x0 = torch.zeros(4000, 3, 2, 8, 8)
    loss = flow_matching_loss(net, x0, torch.zeros(4000, 3, 8), gen(0), shift=shift)
    assert torch.isfinite(loss)
    sigma = seen[0] / 1000
    assert abs(float(sigma.median()) - shift / (shift + 1)) < 0.02
    assert 0 < float(sigma.min()) and float(sigma.max()) < 1
    sched = build_components(TINY_NET, TINY_TEXT, noise_shift=shift)["scheduler"]
    plain = build_components(TINY_NET, TINY_TEXT, noise_shift=1.0)["scheduler"]
    sched.set_timesteps(25)
    plain.set_timesteps(25)
    u = plain.sigmas[:-1]
    # (diffusers spaces the levels between its own, already shifted, end points: hence atol)
    torch.testing.assert_close(
        sched.sigmas[:-1], shift * u / (1 + (shift - 1) * u), atol=1e-2, rtol=0
    )


def test_flow_matching_loss_extra_share_of_the_highest_noise_levels():
    from vidkit.tiny.train import HIGH_NOISE_MIN

    net = TinyVideoDenoiser(dim=16, depth=2, heads=2, text_dim=8, num_frames=2, sample_size=8)
    seen: list[torch.Tensor] = []
    net.register_forward_pre_hook(lambda m, args: seen.append(args[1].detach().clone() / 1000))
    x0, states = torch.zeros(8000, 3, 2, 8, 8), torch.zeros(8000, 3, 8)
    flow_matching_loss(net, x0, states, gen(0), shift=3.0)
    flow_matching_loss(net, x0, states, gen(0), shift=3.0, high_noise_frac=0.25)
    plain, mixed = seen
    # shifted logit-normal alone: P(s > 0.9) = P(n > log 3) = 13.6%; a quarter of the batch
    # moved to U[0.9, 1]: 0.75 * 13.6% + 25% = 35%
    assert abs(float((plain > HIGH_NOISE_MIN).float().mean()) - 0.136) < 0.015
    assert abs(float((mixed > HIGH_NOISE_MIN).float().mean()) - 0.352) < 0.015
    # the rest keeps the shifted distribution (its lower half is untouched in shape)
    assert (
        abs(float((mixed < 0.5).float().mean()) - 0.75 * float((plain < 0.5).float().mean()))
        < 0.015
    )
    assert float(mixed.max()) <= 1.0
    with pytest.raises(ValueError, match="high_noise_frac must be in"):
        flow_matching_loss(net, x0[:2], states[:2], gen(0), high_noise_frac=1.5)


def test_token_reconstruction_loss_makes_left_and_right_readable():
    # the loss reads each real token back from its own state through the tied embeddings:
    # at initialisation it is about log(vocabulary); trained on it alone for a few steps, the
    # encoder tells "left" from "right" at the direction word of every prompt
    comps = build_components(TINY_NET, TINY_TEXT, seed=0)
    tok, text = comps["tokenizer"], comps["text_encoder"]
    prompts = data.all_prompts()
    states, mask, ids = encode_prompts(tok, text, prompts, return_ids=True)
    start = token_reconstruction_loss(text, states, ids, mask).item()
    assert abs(start - np.log(len(tok))) < 0.5
    opt = torch.optim.Adam(text.parameters(), lr=3e-3)
    for _ in range(60):
        states, mask, ids = encode_prompts(tok, text, prompts, return_ids=True)
        loss = token_reconstruction_loss(text, states, ids, mask)
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert loss.item() < 0.2 * start
    with torch.no_grad():
        states, mask, ids = encode_prompts(tok, text, prompts, return_ids=True)
        read = (states @ text.token_embedding.weight.T).argmax(-1)
    lr_ids = [tok.convert_tokens_to_ids(w) for w in ("left", "right")]
    where = torch.isin(ids, torch.tensor(lr_ids))
    assert int(where.sum()) >= 40  # every throw, bounce and sideways uniform prompt
    assert torch.equal(read[where], ids[where])
    # padding is never a target: the same loss whatever the padding states hold
    noisy = states.clone()
    noisy[~mask.bool()] = 5.0
    torch.testing.assert_close(
        token_reconstruction_loss(text, noisy, ids, mask),
        token_reconstruction_loss(text, states, ids, mask),
    )
    with pytest.raises(ValueError, match="must share"):
        token_reconstruction_loss(text, states[:, :3], ids, mask)


def test_training_losses_add_the_weighted_reconstruction_term():
    from vidkit.tiny.train import training_losses

    comps = build_components(TINY_NET, TINY_TEXT, seed=0)
    x0 = torch.rand(2, 3, 16, 32, 32) * 2 - 1
    prompts = ["a red ball falls", "a blue ball bounces to the left on a grey floor"]
    args = (comps["tokenizer"], comps["text_encoder"], comps["denoiser"], x0, prompts)
    fm, recon, total = training_losses(*args, gen(0), text_recon_weight=0.5)
    torch.testing.assert_close(total, fm + 0.5 * recon)
    assert recon.item() > 1.0  # untrained encoder: about log(vocabulary)
    fm0, none, total0 = training_losses(*args, gen(0), text_recon_weight=0.0)
    assert none is None and total0 is fm0
    torch.testing.assert_close(fm0, fm)  # same generator: same noise, same flow-matching loss


def test_train_argument_errors(tmp_path):
    with pytest.raises(ValueError, match="steps must be a positive int"):
        train(tmp_path, steps=0)
    with pytest.raises(ValueError, match="early_at"):
        train(tmp_path, early_at=1.5)
    with pytest.raises(ValueError, match="high_noise_frac must be in"):
        train(tmp_path, high_noise_frac=-0.1)
    with pytest.raises(ValueError, match="text_recon_weight must be"):
        train(tmp_path, text_recon_weight=-1.0)
    with pytest.raises(FileNotFoundError, match="no checkpoint to resume"):
        train(
            tmp_path / "x",
            steps=2,
            resume=True,
            pool_size=4,
            progress=False,
            denoiser_config=TINY_NET,
            text_encoder_config=TINY_TEXT,
        )


def test_family_entry_for_vidkit_models():
    from vidkit.tiny.family import decode_for_trajectory, tiny_family

    fam = tiny_family()
    assert fam.name == "tiny-physics" and fam.tasks == ("t2v", "i2v", "v2v")
    assert (fam.height, fam.width, fam.num_frames, fam.fps) == (32, 32, 16, 8.0)
    assert fam.flow_matching and fam.latent_layout == "BCFHW" and fam.valid_frames(15) == 16
    lat = torch.rand(2, 3, 16, 32, 32) * 2 - 1
    np.testing.assert_allclose(decode_for_trajectory(None, lat, {}), decode_latents(lat).numpy())
    assert vk.sampling.family_for("TinyPhysicsPipeline").name == "tiny-physics"


def test_evaluate_on_another_held_out_set(pipe):
    # scene_start picks an independent set of held-out scenes (the prompts come from it)
    from vidkit.tiny.evaluate import EVAL_SEED, evaluate, heldout_scenes

    kw = {"n": 4, "i2v": 0, "v2v": 0, "fvd": False, "num_inference_steps": 2}
    default = evaluate(pipe, **kw)
    other = evaluate(pipe, scene_start=EVAL_SEED + 300_000, seed=10_000, **kw)
    want = [s.prompt for s in heldout_scenes(4, start=EVAL_SEED + 300_000)]
    assert [r["prompt"] for r in other.rows] == want
    assert [r["seed"] for r in other.rows] == [10_000, 10_001, 10_002, 10_003]
    assert [r["prompt"] for r in default.rows] == [s.prompt for s in heldout_scenes(4)] != want


def test_torch_threads_restores_and_never_raises_the_count():
    from vidkit.tiny.pipeline import torch_threads

    before = torch.get_num_threads()
    with torch_threads(1) as n:
        assert n == 1 and torch.get_num_threads() == 1
    assert torch.get_num_threads() == before
    with torch_threads(before + 8) as n:  # never more than torch had
        assert n == before == torch.get_num_threads()
    with torch_threads(None) as n:
        assert n == before
    with pytest.raises(RuntimeError), torch_threads(1):
        raise RuntimeError("restored on errors too")
    assert torch.get_num_threads() == before


def test_pipeline_threads_follow_the_work_size(pipe, monkeypatch):
    """One video runs on one torch thread (fast on a busy machine: see PASSES_PER_THREAD); a big
    batch gets more; pipe.num_threads overrides; the caller's setting is restored."""
    from vidkit.tiny import pipeline as tp

    seen = []
    real = pipe.denoiser.forward

    def spy(*args, **kwargs):
        seen.append(torch.get_num_threads())
        return real(*args, **kwargs)

    monkeypatch.setattr(pipe.denoiser, "forward", spy)
    monkeypatch.setattr(tp, "PASSES_PER_THREAD", 4)
    old = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        pipe("a red ball falls", num_inference_steps=1, guidance_scale=2.0)
        assert seen[-1] == 1
        pipe(["a red ball falls"] * 4, num_inference_steps=1, guidance_scale=2.0)  # 8 passes
        assert seen[-1] == 2
        pipe.num_threads = 2
        pipe("a red ball falls", num_inference_steps=1)
        assert seen[-1] == 2
        assert torch.get_num_threads() == 2
    finally:
        pipe.num_threads = None
        torch.set_num_threads(old)


def test_v2v_of_a_longer_video_is_resampled_to_the_models_16_frames() -> None:
    """The tiny model makes exactly 16 frames: a 32-frame input video (a vk.synth scene) is
    resampled to 16 with the adjustment recorded, not refused (the README tour does this)."""
    pipe = vk.load("vidkit/tiny-physics")
    assert pipe.family.valid_frames(32) == 16 and pipe.family.frame_rule == "16k (at most 16)"
    scene = vk.synth.render("bounce", seed=0)
    with pytest.warns(UserWarning, match="32 frames resampled to 16"):
        out = vk.generate(pipe, video=scene.video, strength=0.6, prompt="a ball", steps=4)
    assert out.num_frames == 16
    assert any("resampled to 16" in n for n in out.metadata["adjustments"])
