"""benchmarks/bench_generate.py: the plain diffusers call it builds for each family is the same
generation as ``vk.generate`` (identical frames), and its table runs (no timing is asserted)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

import vidkit as vk

pytestmark = pytest.mark.filterwarnings("ignore")

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_generate.py"


@pytest.fixture(scope="module")
def bench_generate():
    spec = importlib.util.spec_from_file_location("bench_generate", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    sys.modules["bench_generate"] = mod
    spec.loader.exec_module(mod)
    return mod


# the families whose direct call needs more than the common arguments: one prompt string and one
# generator (Wan VACE), `frames` (Sana-Video), the input video (Lucy Edit), `control_video` and no
# frame count (CogVideoX-Fun control)
@pytest.mark.parametrize(
    "spec", ["wan-vace:t2v", "lucy-edit:v2v", "sana-video:t2v", "cogvideox-fun:v2v", "wan:i2v"]
)
def test_direct_call_equals_vk_generate(bench_generate, spec):
    family, task = spec.split(":")
    r = bench_generate.bench(family, task, repeats=1, steps=1)
    assert r["identical"], r
    assert r["model"] == f"{family}-{task}" and r["steps"] == 1
    assert r["outside_ms"] > 0 and r["direct_cpu"] > 0


def test_direct_kwargs_use_each_pipelines_own_names(bench_generate):
    sana = vk.testing.tiny_pipeline("sana-video", "t2v")
    kw = bench_generate.direct_kwargs(sana, 3, None, None)
    assert kw["frames"] == sana.defaults["num_frames"] and "num_frames" not in kw
    assert kw["complex_human_instruction"] == [] and kw["num_inference_steps"] == 3
    fun = vk.testing.tiny_pipeline("cogvideox-fun", "v2v")
    _, video = bench_generate._inputs(fun, "v2v")
    kw = bench_generate.direct_kwargs(fun, 3, None, video)
    assert len(kw["control_video"]) == fun.defaults["num_frames"] and "video" not in kw
    assert "num_frames" not in kw and "frames" not in kw


def test_table_names_every_family_and_the_bar(bench_generate, capsys):
    rc = bench_generate.main(["--families", "wan:t2v,svd:i2v", "--repeats", "1", "--steps", "1"])
    out = capsys.readouterr().out
    assert rc in (0, 1)  # 1: a family over the bar (timing is not asserted)
    assert "wan-t2v" in out and "svd-i2v" in out and "bar: outside <= 2.0%" in out
    assert "load average" in out and "FAILED" not in out
    with pytest.raises(SystemExit):
        bench_generate.main(["--steps", "zero"])
