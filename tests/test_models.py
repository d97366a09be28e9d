"""vk.load, the family registry and the tiny offline pipelines (no network, CPU)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

import vidkit as vk
from vidkit.sampling import (
    ModelFamily,
    VideoPipeline,
    detect_family,
    family_for,
    normalize_task,
    register_family,
)
from vidkit.sampling import families as registry
from vidkit.sampling.families import families, import_pipeline_class

COMBOS = [(f, t) for f, tasks in vk.testing.TINY_FAMILIES.items() for t in tasks]


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """One saved tiny pipeline folder per family (module scope: built once)."""
    root = tmp_path_factory.mktemp("tiny")
    cache: dict[tuple[str, str], object] = {}

    def get(family: str, task: str):
        if (family, task) not in cache:
            pipe = vk.testing.tiny_pipeline(family, task)
            folder = pipe.save_pretrained(root / f"{family}-{task}")
            cache[(family, task)] = (pipe, folder)
        return cache[(family, task)]

    return get


# --------------------------------------------------------------------------- registry
def test_registry_families_tasks_and_rules():
    fams = families()
    assert fams["cogvideox"].tasks == ("t2v", "i2v", "v2v")
    assert fams["wan"].tasks == ("t2v", "i2v", "v2v")
    assert fams["ltx"].tasks == ("t2v", "i2v", "condition")
    assert fams["svd"].tasks == ("i2v",)
    assert fams["animatediff"].tasks == ("t2v", "v2v")
    assert "hunyuanvideo" in fams and "generic" in fams
    assert (fams["wan"].frame_rule, fams["ltx"].frame_rule, fams["svd"].frame_rule) == (
        "4k+1",
        "8k+1",
        "any",
    )
    assert [fams["wan"].valid_frames(n) for n in (1, 2, 3, 8, 81, 83)] == [1, 1, 5, 9, 81, 85]
    assert [fams["ltx"].valid_frames(n) for n in (9, 12, 13, 161)] == [9, 9, 17, 161]
    assert fams["ltx"].valid_size(100) == 96 and fams["wan"].valid_size(8) == 16
    assert fams["wan"].flow_matching and not fams["cogvideox"].flow_matching
    assert fams["ltx"].latent_layout == "packed" and fams["wan"].latent_layout == "BCFHW"


def test_detect_family_from_ids_class_names_and_folders(tmp_path):
    assert detect_family("THUDM/CogVideoX-5b-I2V").name == "cogvideox"
    assert detect_family("Wan-AI/Wan2.2-TI2V-5B-Diffusers").name == "wan"
    assert detect_family("Lightricks/LTX-Video-0.9.7-dev").name == "ltx"
    assert detect_family("stabilityai/stable-video-diffusion-img2vid-xt").name == "svd"
    assert detect_family("guoyww/animatediff-motion-adapter-v1-5-2").name == "animatediff"
    assert detect_family("hunyuanvideo-community/HunyuanVideo").name == "hunyuanvideo"
    assert detect_family("someone/some-image-model").name == "generic"
    assert family_for("WanImageToVideoPipeline").name == "wan"
    assert family_for("LTXConditionPipeline").name == "ltx"
    # a local folder is detected by model_index.json's _class_name, whatever its name
    (tmp_path / "model_index.json").write_text(json.dumps({"_class_name": "CogVideoXPipeline"}))
    assert detect_family(tmp_path).name == "cogvideox"
    with pytest.raises(ValueError, match="unknown model family 'nope'"):
        family_for("nope")


def test_normalize_task():
    assert [normalize_task(t) for t in ("T2V", "image-to-video", "vid2vid", "condition")] == [
        "t2v",
        "i2v",
        "v2v",
        "condition",
    ]
    with pytest.raises(ValueError, match="unknown task 'x2y'"):
        normalize_task("x2y")


def test_register_family_is_one_entry():
    fam = ModelFamily(
        "test-family",
        {"t2v": "WanPipeline"},
        height=16,
        width=16,
        num_frames=5,
        frame_multiple=4,
        frame_offset=1,
        flow_matching=True,
        class_names=("MadeUpPipeline",),
    )
    register_family(fam)
    try:
        assert family_for("test-family") is fam
        assert family_for("MadeUpPipeline") is fam
        assert register_family(fam) is fam  # same entry again is fine
        with pytest.raises(ValueError, match="already registered"):
            register_family(ModelFamily("test-family", {}))
        with pytest.raises(ValueError, match="unknown task 'x'"):
            register_family(ModelFamily("bad", {"x": "Foo"}))
    finally:
        registry._REGISTRY.pop("test-family", None)


# --------------------------------------------------------------------------- tiny pipelines
@pytest.mark.parametrize(("family", "task"), COMBOS)
def test_tiny_pipeline_round_trips_through_vk_load(saved, family, task):
    pipe, folder = saved(family, task)
    assert isinstance(pipe, VideoPipeline) and pipe.family.name == family and pipe.task == task
    files = {p.name for p in folder.rglob("*")}
    assert "model_index.json" in files and "vidkit.json" in files
    assert not any(f.endswith(".bin") for f in files)  # safetensors only
    loaded = vk.load(folder)
    assert isinstance(loaded, VideoPipeline)
    assert loaded.family.name == family
    assert type(loaded.pipeline) is type(pipe.pipeline)
    assert loaded.defaults == pipe.defaults and loaded.call_defaults == pipe.call_defaults
    assert loaded.model_id == f"vidkit-tiny/{family}-{task}"
    # the same weights, component by component (CogVideoX recomputes its sin-cos position
    # buffer on load, equal to float64 rounding)
    for name, comp in pipe.pipeline.components.items():
        other = loaded.pipeline.components[name]
        if isinstance(comp, torch.nn.Module):
            a, b = comp.state_dict(), other.state_dict()
            assert a.keys() == b.keys(), name
            assert all(torch.allclose(a[k].double(), b[k].double(), atol=1e-6) for k in a), name
        elif comp is None:
            assert other is None
    public = lambda s: {k: v for k, v in dict(s.config).items() if not k.startswith("_")}  # noqa: E731
    assert public(loaded.scheduler) == public(pipe.scheduler)


def test_loaded_folder_generates_the_same_video(saved):
    pipe, folder = saved("wan", "t2v")
    a = vk.generate(pipe, prompt="a red ball", progress=False)
    b = vk.generate(vk.load(folder), prompt="a red ball", progress=False)
    np.testing.assert_allclose(a.frames, b.frames, atol=1e-5)
    assert b.metadata["model_id"] == "vidkit-tiny/wan-t2v"


def test_tiny_pipelines_are_seeded_and_offline():
    a = vk.testing.tiny_components("wan", "t2v", seed=0)
    b = vk.testing.tiny_components("wan", "t2v", seed=0)
    c = vk.testing.tiny_components("wan", "t2v", seed=1)
    sa, sb, sc = (x["transformer"].state_dict() for x in (a, b, c))
    assert all(torch.equal(sa[k], sb[k]) for k in sa)
    assert not all(torch.equal(sa[k], sc[k]) for k in sa)
    assert not a["text_encoder"].training
    tok = vk.testing.tiny_tokenizer()
    ids = tok("a red ball", padding="max_length", max_length=8).input_ids
    assert ids[:4] == [3, 14, 20, 1] and ids[4:] == [0] * 4  # words, eos, pads
    with pytest.raises(ValueError, match=r"no tiny pipeline for family 'cosmos'"):
        vk.testing.tiny_pipeline("cosmos")
    with pytest.raises(ValueError, match=r"family 'svd' has no task 't2v'"):
        vk.testing.tiny_pipeline("svd", "t2v")


# --------------------------------------------------------------------------- task switching
def test_switching_task_reuses_weights(monkeypatch):
    pipe = vk.testing.tiny_pipeline("wan", "t2v")
    import diffusers

    def no_reload(*a, **k):
        raise AssertionError("from_pretrained called while switching task")

    monkeypatch.setattr(diffusers.DiffusionPipeline, "from_pretrained", no_reload)
    v2v = pipe.for_task("video-to-video")
    assert type(v2v).__name__ == "WanVideoToVideoPipeline"
    assert v2v.transformer is pipe.pipeline.transformer and v2v.vae is pipe.pipeline.vae
    assert pipe.for_task("v2v") is v2v  # cached
    assert pipe.use_task("v2v").pipeline is v2v and pipe.task == "v2v"
    assert pipe.tasks == ("t2v", "v2v")
    with pytest.raises(
        ValueError, match=r"does not support i2v.*supports \['t2v', 'v2v'\].*load a i2v"
    ):
        pipe.for_task("i2v")


def test_checkpoint_tasks():
    assert vk.testing.tiny_pipeline("cogvideox", "i2v").tasks == ("i2v",)
    assert vk.testing.tiny_pipeline("wan", "i2v").tasks == ("i2v",)
    assert vk.testing.tiny_pipeline("ltx", "t2v").tasks == ("t2v", "i2v", "condition")
    with pytest.raises(ValueError, match=r"does not support t2v .*it supports \['i2v'\]"):
        vk.testing.tiny_pipeline("cogvideox", "i2v").for_task("t2v")


def test_switch_keeps_mixed_component_dtypes():
    """diffusers' from_pipe casts shared modules to one dtype; vidkit keeps each module's dtype."""
    pipe = vk.testing.tiny_pipeline("wan", "t2v")
    pipe.pipeline.transformer.to(torch.bfloat16)
    pipe.pipeline.text_encoder.to(torch.bfloat16)
    v2v = pipe.for_task("v2v")
    assert v2v.vae.dtype == torch.float32
    assert v2v.transformer.dtype == torch.bfloat16
    # a uniform pipeline goes through from_pipe itself
    ltx = vk.testing.tiny_pipeline("ltx", "t2v")
    cond = ltx.for_task("condition")
    assert type(cond).__name__ == "LTXConditionPipeline" and cond.vae is ltx.pipeline.vae


# --------------------------------------------------------------------------- vk.load options
def test_load_options_on_cpu(saved):
    _, folder = saved("wan", "t2v")
    with pytest.warns(UserWarning, match="offload='model' skipped: it needs a GPU"):
        pipe = vk.load(
            folder, offload="model", vae_tiling=True, vae_slicing=True, scheduler="unipc"
        )
    vae = pipe.pipeline.vae
    assert vae.use_tiling and vae.use_slicing
    assert type(pipe.scheduler).__name__ == "UniPCMultistepScheduler"
    assert pipe.scheduler.config.prediction_type == "flow_prediction"
    assert str(pipe.device) == "cpu"
    with pytest.warns(UserWarning, match="offload='sequential' skipped"):
        vk.load(folder, offload="sequential")
    bf = vk.load(folder, dtype="bf16", task="v2v")
    assert bf.dtype == torch.bfloat16 and bf.task == "v2v"
    assert type(bf.pipeline).__name__ == "WanVideoToVideoPipeline"
    with pytest.raises(ValueError, match="offload must be None or one of"):
        vk.load(folder, offload="disk")
    with pytest.raises(ValueError, match="dtype must be 'auto'"):
        vk.load(folder, dtype="int3")


def test_load_wraps_existing_pipelines():
    raw = vk.testing.tiny_pipeline("ltx", "t2v").pipeline
    vp = vk.load(raw, task="i2v")
    assert vp.family.name == "ltx" and vp.task == "i2v"
    assert vp.pipeline.transformer is raw.transformer
    generic = vk.load(raw, family="generic")
    assert generic.family.name == "generic" and generic.tasks == ("t2v",)
    with pytest.raises(TypeError, match="model must be a hub id, a folder path"):
        vk.load(42)


def test_load_errors_without_network(tmp_path, monkeypatch):
    with pytest.raises(FileNotFoundError, match="no model folder at .*does-not-exist"):
        vk.load(tmp_path / "does-not-exist")
    with pytest.raises(FileNotFoundError, match="no model folder"):
        vk.load("./missing/model")
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="has no model_index.json"):
        vk.load(tmp_path / "empty")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    with pytest.raises(OSError, match="HF_HUB_OFFLINE is set"):
        vk.load("Wan-AI/Wan2.1-T2V-1.3B-Diffusers")


def test_load_passes_safe_loading_flags(saved, monkeypatch):
    import diffusers

    _, folder = saved("wan", "t2v")
    calls = []
    real = diffusers.DiffusionPipeline.from_pretrained.__func__

    def spy(cls, *a, **k):
        calls.append(k)
        return real(cls, *a, **k)

    monkeypatch.setattr(diffusers.DiffusionPipeline, "from_pretrained", classmethod(spy))
    vk.load(folder)
    assert calls[-1]["use_safetensors"] is True and "trust_remote_code" not in calls[-1]
    vk.load(folder, trust_remote_code=True)
    assert calls[-1]["trust_remote_code"] is True


def test_vidkit_ids_resolve_to_bundled_folders(saved, tmp_path, monkeypatch):
    import shutil

    _, folder = saved("ltx", "t2v")
    data = tmp_path / "data"
    shutil.copytree(folder, data / "my-model")
    shutil.copytree(folder, data / "my-model" / "early")
    monkeypatch.setenv("VIDKIT_DATA", str(data))
    pipe = vk.load("vidkit/my-model")
    assert pipe.family.name == "ltx" and type(pipe.pipeline).__name__ == "LTXPipeline"
    assert vk.load("vidkit/my-model@early").family.name == "ltx"
    with pytest.raises(OSError):
        vk.load("vidkit/not-bundled")  # not a folder: a hub id, which offline cannot load


def test_pipeline_classes_outside_diffusers_are_found():
    import diffusers

    class MyVideoPipeline(diffusers.DiffusionPipeline):
        pass

    assert import_pipeline_class("MyVideoPipeline") is MyVideoPipeline
    assert import_pipeline_class("diffusers:WanPipeline") is diffusers.WanPipeline
    with pytest.raises(ValueError, match="no pipeline class 'NoSuchPipeline'"):
        import_pipeline_class("NoSuchPipeline")
