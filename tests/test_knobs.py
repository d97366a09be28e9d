"""Speed and memory knobs (vidkit.sampling.knobs) wired into vk.generate / vk.load, on the tiny
pipelines on CPU."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import vidkit as vk
from vidkit.sampling import knobs

pytestmark = pytest.mark.filterwarnings("ignore")

#: a cache hook may change the output: frames in [0, 1] stay within this of the plain run
CACHE_TOLERANCE = 1e-2

GEN = {"prompt": "a red ball", "steps": 8, "guidance": 1.0, "seed": 3, "progress": False}


@pytest.fixture(scope="module")
def wan():
    return vk.testing.tiny_pipeline("wan", "t2v")


@pytest.fixture(scope="module")
def base(wan):
    return vk.generate(wan, **GEN)


def _count_block_ffn(transformer):
    """Counts the feed-forward calls of every block (a skipped block does not run its ffn)."""
    calls = {"n": 0}

    def hook(*_):
        calls["n"] += 1

    handles = [b.ffn.register_forward_pre_hook(hook) for b in transformer.blocks]
    return calls, handles


def test_first_block_cache_skips_compute_within_tolerance(wan, base):
    from diffusers.hooks import FirstBlockCacheConfig

    tr = wan.pipeline.transformer
    calls, handles = _count_block_ffn(tr)
    try:
        vk.generate(wan, **GEN)
        plain = calls["n"]
        calls["n"] = 0
        v = vk.generate(wan, **GEN, cache=FirstBlockCacheConfig(threshold=0.1))
        cached = calls["n"]
    finally:
        for h in handles:
            h.remove()
    assert plain == GEN["steps"] * len(tr.blocks)
    assert cached < plain  # some blocks were skipped
    assert np.abs(v.frames - base.frames).max() <= CACHE_TOLERANCE
    assert v.metadata["knobs"]["cache"]["name"] == "FirstBlockCacheConfig"
    assert v.metadata["knobs"]["cache"]["config"]["threshold"] == 0.1
    assert not tr.is_cache_enabled
    assert np.array_equal(vk.generate(wan, **GEN).frames, base.frames)  # left as found


@pytest.mark.parametrize("name", list(knobs.CACHES))
def test_every_cache_runs_records_and_is_removed(wan, base, name):
    v = vk.generate(wan, **GEN, cache=name)
    assert v.metadata["knobs"]["cache"]["name"] == knobs.CACHES[name]
    assert np.abs(v.frames - base.frames).max() <= CACHE_TOLERANCE
    assert not wan.pipeline.transformer.is_cache_enabled


def test_cache_config_object_passes_through(wan):
    from diffusers.hooks import FirstBlockCacheConfig

    cfg = FirstBlockCacheConfig(threshold=0.2)
    v = vk.generate(wan, **GEN, cache=cfg)
    assert v.metadata["knobs"]["cache"]["config"] == {"threshold": 0.2}


def test_cache_bad_values():
    with pytest.raises(ValueError, match="cache must be one of"):
        knobs.check_knobs(cache="fastest")
    with pytest.raises(TypeError, match="diffusers cache config"):
        knobs.check_knobs(cache=3)


def test_unsupported_knobs_name_family_and_knob():
    svd = vk.testing.tiny_pipeline("svd", "i2v")
    img = np.full((svd.defaults["height"], svd.defaults["width"], 3), 0.5, np.float32)
    with pytest.raises(knobs.KnobError, match=r"family 'svd'.*cache="):
        vk.generate(svd, image=img, steps=1, progress=False, cache="first-block")
    cog = vk.testing.tiny_pipeline("cogvideox", "t2v")
    with pytest.raises(knobs.KnobError, match=r"family 'cogvideox'.*compile='blocks'"):
        vk.generate(cog, prompt="x", steps=1, progress=False, compile="blocks")


def test_attention_backend_is_set_during_the_call_and_restored(wan, base):
    tr = wan.pipeline.transformer
    procs = [
        m.processor
        for m in tr.modules()
        if hasattr(getattr(m, "processor", None), "_attention_backend")
    ]
    before = [p._attention_backend for p in procs]
    seen = []

    def cb(state):
        seen.append(procs[0]._attention_backend)

    v = vk.generate(wan, **GEN, attention_backend="_native_math", callbacks=[cb])
    assert {str(getattr(s, "value", s)) for s in seen} == {"_native_math"}
    assert [p._attention_backend for p in procs] == before
    assert v.metadata["knobs"]["attention_backend"] == "_native_math"
    assert np.allclose(v.frames, base.frames, atol=1e-4)
    with pytest.raises(ValueError, match="attention_backend must be one of"):
        vk.generate(wan, **GEN, attention_backend="fastest")


def test_compile_blocks_wiring_and_a_real_eager_compile(wan, base):
    tr = wan.pipeline.transformer
    block = tr.blocks[0]
    assert block._compiled_call_impl is None
    during = []

    def cb(state):
        during.append((block._compiled_call_impl is not None, tr._compiled_call_impl is None))

    torch._dynamo.reset()
    v = vk.generate(wan, **GEN, compile={"target": "blocks", "backend": "eager"}, callbacks=[cb])
    assert set(during) == {(True, True)}  # the repeated blocks compiled, not the whole model
    assert block._compiled_call_impl is None  # undone
    assert v.metadata["knobs"]["compile"] == {"mode": "blocks", "options": {"backend": "eager"}}
    assert np.allclose(v.frames, base.frames, atol=1e-5)
    with pytest.raises(ValueError, match="compile must be"):
        knobs.check_knobs(compile="fast")


def _tiny_lora(tmp_path, seed=0, family="wan", name="tiny.safetensors"):
    """A LoRA for the tiny Wan transformer (of ``family``'s tiny t2v pipeline) built with peft,
    saved as safetensors."""
    pytest.importorskip("peft")
    from diffusers import WanPipeline
    from peft import LoraConfig
    from peft.utils import get_peft_model_state_dict

    other = vk.testing.tiny_pipeline(family, "t2v").pipeline.transformer
    torch.manual_seed(seed)
    other.add_adapter(
        LoraConfig(r=4, lora_alpha=4, target_modules=["to_q", "to_v"], init_lora_weights=False)
    )
    with torch.no_grad():
        for n, p in other.named_parameters():
            if "lora_B" in n:
                p.normal_(0, 0.5)
    sd = get_peft_model_state_dict(other)
    WanPipeline.save_lora_weights(tmp_path, transformer_lora_layers=sd, weight_name=name)
    return tmp_path / name


def test_lora_changes_output_and_unloading_restores_exactly(wan, base, tmp_path):
    path = _tiny_lora(tmp_path)
    v = vk.generate(wan, **GEN, lora=path)
    assert np.abs(v.frames - base.frames).max() > 1e-3
    assert v.metadata["knobs"]["lora"] == str(path) and v.metadata["knobs"]["lora_scale"] == 1.0
    assert np.array_equal(vk.generate(wan, **GEN).frames, base.frames)
    assert not wan.pipeline.get_list_adapters()
    half = vk.generate(wan, **GEN, lora=path, lora_scale=0.5)
    assert 0 < np.abs(half.frames - base.frames).max() < np.abs(v.frames - base.frames).max() + 1e-6
    zero = vk.generate(wan, **GEN, lora=path, lora_scale=0.0)
    assert np.allclose(zero.frames, base.frames, atol=1e-6)


@pytest.fixture(scope="module")
def a14b():
    """The tiny two-expert Wan 2.2 A14B pipeline: the high-noise ``transformer`` runs the first
    step(s), the low-noise ``transformer_2`` the rest (boundary 875 of 1000)."""
    return vk.testing.tiny_pipeline("wan2.2-a14b", "t2v")


@pytest.fixture(scope="module")
def a14b_base(a14b):
    return vk.generate(a14b, **GEN)


def _weights(pipe):
    return {
        name: {k: t.clone() for k, t in getattr(pipe.pipeline, name).state_dict().items()}
        for name in ("transformer", "transformer_2")
    }


def _lora_scalings(transformer):
    """The adapter scales of a transformer's LoRA layers, each once (empty: no LoRA in it)."""
    from peft.tuners.lora import LoraLayer

    return frozenset(
        s for m in transformer.modules() if isinstance(m, LoraLayer) for s in m.scaling.values()
    )


def test_lora_into_both_wan22_experts_with_scale_and_exact_unload(a14b, a14b_base, tmp_path):
    path = _tiny_lora(tmp_path, family="wan2.2-a14b")
    before = _weights(a14b)
    seen = []

    def during(state):  # what both experts hold while the pipeline runs
        p = a14b.pipeline
        seen.append((_lora_scalings(p.transformer), _lora_scalings(p.transformer_2)))

    v = vk.generate(a14b, **GEN, lora=path, lora_scale=0.5, callbacks=[during])
    # alpha == rank: a LoRA layer's scaling is the adapter scale itself, in both experts
    assert set(seen) == {(frozenset({0.5}), frozenset({0.5}))}
    assert np.abs(v.frames - a14b_base.frames).max() > 1e-3
    knobs_rec = v.metadata["knobs"]
    assert knobs_rec["lora"] == str(path) and knobs_rec["lora_scale"] == 0.5
    assert knobs_rec["lora_components"] == {
        "transformer": {"file": str(path), "scale": 0.5},
        "transformer_2": {"file": str(path), "scale": 0.5},
    }
    # unloading restores both experts exactly: no adapters, the same tensors, the same frames
    assert not a14b.pipeline.get_list_adapters()
    after = _weights(a14b)
    for name in before:
        assert before[name].keys() == after[name].keys()
        assert all(torch.equal(before[name][k], after[name][k]) for k in before[name])
    assert np.array_equal(vk.generate(a14b, **GEN).frames, a14b_base.frames)


def test_lora_per_expert_files_and_scales(a14b, a14b_base, tmp_path):
    high = _tiny_lora(tmp_path, seed=0, family="wan2.2-a14b", name="high.safetensors")
    low = _tiny_lora(tmp_path, seed=1, family="wan2.2-a14b", name="low.safetensors")
    only_high = vk.generate(a14b, **GEN, lora={"transformer": high})
    only_low = vk.generate(a14b, **GEN, lora={"transformer_2": low})
    both = vk.generate(a14b, **GEN, lora={"transformer": high, "transformer_2": low})
    frames = [a14b_base.frames, only_high.frames, only_low.frames, both.frames]
    for i in range(len(frames)):  # each expert's LoRA changes the video: both experts run
        for j in range(i):
            assert np.abs(frames[i] - frames[j]).max() > 1e-4, (i, j)
    assert only_low.metadata["knobs"]["lora_components"] == {
        "transformer_2": {"file": str(low), "scale": 1.0}
    }
    assert both.metadata["knobs"]["lora"] == {"transformer": str(high), "transformer_2": str(low)}
    # a scale per expert: the low-noise expert's LoRA at 0 is the high-noise one alone
    muted = vk.generate(
        a14b,
        **GEN,
        lora={"transformer": high, "transformer_2": low},
        lora_scale={"transformer": 1.0, "transformer_2": 0.0},
    )
    assert np.allclose(muted.frames, only_high.frames, atol=1e-6)
    assert muted.metadata["knobs"]["lora_components"]["transformer_2"]["scale"] == 0.0
    assert not a14b.pipeline.get_list_adapters()
    assert np.array_equal(vk.generate(a14b, **GEN).frames, a14b_base.frames)


def test_lora_expert_errors(wan, a14b, tmp_path):
    path = _tiny_lora(tmp_path)
    with pytest.raises(knobs.KnobError, match=r"family 'wan'.*transformer_2"):
        vk.generate(wan, **GEN, lora={"transformer_2": path})
    assert not wan.pipeline.get_list_adapters()
    with pytest.raises(ValueError, match=r"keys must be among.*'unet'"):
        knobs.check_knobs(lora={"unet": path})
    with pytest.raises(ValueError, match="empty"):
        knobs.check_knobs(lora={})
    with pytest.raises(FileNotFoundError, match="transformer_2"):
        knobs.check_knobs(lora={"transformer_2": tmp_path / "missing.safetensors"})
    with pytest.raises(TypeError, match=r"lora_scale\['transformer'\] must be a number"):
        knobs.check_knobs(lora=path, lora_scale={"transformer": "1"})
    with pytest.raises(ValueError, match=r"lora_scale names \['transformer_2'\]"):
        vk.generate(wan, **GEN, lora=path, lora_scale={"transformer_2": 0.5})
    assert not wan.pipeline.get_list_adapters()  # the failed call unloaded what it loaded
    with pytest.raises(ValueError, match=r"lora_scale names \['transformer'\]"):
        vk.generate(a14b, **GEN, lora={"transformer_2": path}, lora_scale={"transformer": 0.5})
    assert not a14b.pipeline.get_list_adapters()


def test_lora_errors(tmp_path):
    with pytest.raises(ValueError, match="safetensors"):
        knobs.check_knobs(lora=tmp_path / "x.bin")
    with pytest.raises(FileNotFoundError):
        knobs.check_knobs(lora=tmp_path / "x.safetensors")
    (tmp_path / "x.safetensors").write_bytes(b"")
    svd = vk.testing.tiny_pipeline("svd", "i2v")
    img = np.full((svd.defaults["height"], svd.defaults["width"], 3), 0.5, np.float32)
    with pytest.raises(knobs.KnobError, match=r"family 'svd'.*lora="):
        vk.generate(svd, image=img, steps=1, progress=False, lora=tmp_path / "x.safetensors")


@pytest.mark.parametrize(
    ("preset", "backend", "key", "value"),
    [
        ("bnb-4bit", "bitsandbytes_4bit", "bnb_4bit_compute_dtype", torch.bfloat16),
        ("bnb-8bit", "bitsandbytes_8bit", "load_in_8bit", True),
    ],
)
def test_quantize_presets_build_pipeline_quantization_configs(preset, backend, key, value):
    from diffusers import PipelineQuantizationConfig

    q = knobs.quantization_config(preset)
    assert isinstance(q, PipelineQuantizationConfig)
    assert q.quant_backend == backend
    assert q.quant_kwargs[key] == value
    assert q.components_to_quantize == ["transformer"]
    assert knobs.quantization_config(q) is q
    with pytest.raises(ValueError, match="quantize must be one of"):
        knobs.quantization_config("int3")


@pytest.mark.parametrize(
    ("preset", "quant_type"), [("torchao-int8wo", "int8wo"), ("torchao-float8wo", "float8wo_e4m3")]
)
def test_torchao_presets_map_the_transformer(preset, quant_type):
    from diffusers.utils import is_torchao_available

    if not is_torchao_available():
        with pytest.raises(knobs.KnobError, match="needs the torchao package"):
            knobs.quantization_config(preset)
        return
    q = knobs.quantization_config(preset)
    assert q.quant_backend is None
    assert type(q.quant_mapping["transformer"]).__name__ == "TorchAoConfig"
    assert q.quant_mapping["transformer"].quant_type == quant_type


def test_fp8_layerwise_runs_on_cpu_and_is_recorded(tmp_path, base):
    folder = vk.testing.save_tiny_pipeline(tmp_path / "wan", "wan")
    pipe = vk.load(folder, quantize="fp8-layerwise")
    tr = pipe.pipeline.transformer
    assert tr.blocks[0].ffn.net[0].proj.weight.dtype == torch.float8_e4m3fn
    v = vk.generate(pipe, **GEN)
    assert v.metadata["knobs"]["quantize"] == {
        "preset": "fp8-layerwise",
        "storage_dtype": "float8_e4m3fn",
        "compute_dtype": "float32",
    }
    plain = vk.generate(vk.load(folder), **GEN)
    err = np.abs(v.frames - plain.frames).max()
    assert 0 < err < 0.25  # fp8 storage changes the weights, not the picture wholesale


def test_quantize_preset_is_passed_to_from_pretrained(tmp_path):
    folder = vk.testing.save_tiny_pipeline(tmp_path / "wan", "wan")
    with pytest.raises(Exception, match="(?i)bitsandbytes"):  # not installed on this CPU box
        vk.load(folder, quantize="bnb-4bit")
    with pytest.raises(ValueError, match="built pipeline"):
        vk.load(vk.testing.tiny_pipeline("wan", "t2v").pipeline, quantize="bnb-8bit")


def test_single_file_transformer_with_base(tmp_path, base):
    from safetensors.torch import save_file

    folder = vk.testing.save_tiny_pipeline(tmp_path / "wan", "wan")
    ref = vk.load(folder)
    sd = {k: v.contiguous() for k, v in ref.pipeline.transformer.state_dict().items()}
    with torch.no_grad():
        sd["proj_out.bias"] = sd["proj_out.bias"] + 0.05
    save_file(sd, tmp_path / "wan.safetensors")
    with pytest.raises(ValueError, match="needs base="):
        vk.load(tmp_path / "wan.safetensors")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pipe = vk.load(tmp_path / "wan.safetensors", base=folder)
    assert pipe.family.name == "wan"
    assert torch.equal(pipe.pipeline.transformer.proj_out.bias, sd["proj_out.bias"])
    assert not np.array_equal(vk.generate(pipe, **GEN).frames, vk.generate(ref, **GEN).frames)


# --------------------------------------------------------------------------- sweep over knobs
def test_sweep_over_cache_and_steps_with_timings(wan):
    res = vk.sweep(
        wan, prompt="a ball", seed=[0, 1], cache=[None, "first-block"], steps=[2, 4], progress=False
    )
    assert len(res) == 8
    assert res.table["cache"].isna().tolist() == [True, True, False, False] * 2  # None: no cache
    assert (res.table["wall_time_s"] > 0).all()
    cached = res.get_video(seed=0, cache="first-block", steps=4)
    assert cached.metadata["knobs"]["cache"]["name"] == "FirstBlockCacheConfig"
    assert "cache" not in res.get_video(seed=0, cache=None, steps=4).metadata["knobs"]

    def brightness(videos):
        return float(np.mean([v.frames.mean() for v in videos]))

    scores = res.evaluate({"brightness": brightness})
    assert scores["label"].tolist() == [
        "cache=None, steps=2",
        "cache=None, steps=4",
        "cache=first-block, steps=2",
        "cache=first-block, steps=4",
    ]
    assert scores["n_videos"].tolist() == [2] * 4
    assert (scores["time_per_video_s"] > 0).all()
    fig = res.chart()
    assert fig._repr_png_()[:4] == b"\x89PNG"
    assert [ax.get_ylabel() for ax in fig.axes] == ["brightness"]


def test_sweep_on_the_bundled_model_scores_physics_fvd_kvd():
    pipe = vk.load("vidkit/tiny-physics")
    res = vk.sweep(
        pipe,
        prompt="a red ball bounces",
        seed=[0, 1, 2],
        steps=[1, 12],
        evaluate=["physics", "fvd", "kvd"],
        progress=False,
    )
    s = res.scores
    assert s["steps"].tolist() == [1, 12] and s["n_videos"].tolist() == [3, 3]
    assert s["physics"].between(0, 1).all()
    assert (s["fvd"] > 0).all() and np.isfinite(s["kvd"]).all()
    # one denoising step of a 25-step model is far from the reference scenes
    assert s["fvd"].iloc[0] > s["fvd"].iloc[1]
    fig = vk.sampling.sweeps.speed_quality_chart(s)
    assert [ax.get_ylabel() for ax in fig.axes] == [
        "physics (higher is better)",
        "fvd (lower is better)",
        "kvd (lower is better)",
    ]
    with pytest.raises(ValueError, match="at least 2 videos"):
        vk.sweep(pipe, prompt="a ball", steps=[1, 2], evaluate="fvd", progress=False)
    with pytest.raises(ValueError, match="unknown metrics"):
        res.evaluate(["lpips"])
    with pytest.raises(knobs.KnobError, match=r"family 'tiny-physics'.*cache="):
        vk.sweep(pipe, prompt="a ball", cache=[None, "first-block"], steps=2, progress=False)


def test_tiny_physics_knobs():
    """The bundled model's own denoiser: fp8 storage works, the diffusers-only knobs say so."""
    pipe = vk.load("vidkit/tiny-physics", quantize="fp8-layerwise")
    v = vk.generate(pipe, prompt="a ball", steps=2, progress=False)
    assert v.metadata["knobs"]["quantize"]["preset"] == "fp8-layerwise"
    for knob, value in [("attention_backend", "_native_math"), ("compile", "blocks")]:
        with pytest.raises(knobs.KnobError, match=rf"family 'tiny-physics'.*{knob}="):
            vk.generate(pipe, prompt="a ball", steps=1, progress=False, **{knob: value})


def test_compile_true_is_a_real_inductor_compile_of_the_blocks():
    """One real compile (inductor, the default backend) of the tiny Wan's repeated blocks: 10-26 s on a
    busy 2-core CPU; the frames equal the eager run's within float32 rounding."""
    pipe = vk.testing.tiny_pipeline("wan", "t2v")
    kw = {"prompt": "a ball", "steps": 2, "progress": False}
    plain = vk.generate(pipe, **kw)
    torch._dynamo.reset()
    v = vk.generate(pipe, **kw, compile=True)
    assert v.metadata["knobs"]["compile"] == {"mode": "blocks", "options": {}}
    assert np.allclose(v.frames, plain.frames, atol=1e-5)
    assert pipe.pipeline.transformer.blocks[0]._compiled_call_impl is None


@pytest.mark.parametrize("name", ["wan", "cogvideox", "svd", "sana-video", "animatediff"])
def test_docs_knob_table_matches_the_pipelines(name: str) -> None:
    """docs/sampling.md's per-family knob table says what supported_knobs finds."""
    import re
    from pathlib import Path

    from vidkit.sampling.knobs import supported_knobs

    docs = (Path(__file__).resolve().parents[1] / "docs" / "sampling.md").read_text()
    row = re.search(rf"^\| `{re.escape(name)}` \(`[^`]+`\) \|(.*)\|$", docs, re.M)
    assert row, f"docs/sampling.md has no knob row for {name}"
    said = [c.strip() == "yes" for c in row.group(1).split("|")]
    _, tasks = vk.testing.TINY_PIPELINES[name]
    found = supported_knobs(vk.testing.tiny_pipeline(name, tasks[0]))
    assert said == [found[k] for k in ("cache", "attention_backend", "compile_blocks", "lora")]
