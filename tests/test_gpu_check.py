"""benchmarks/gpu_check.py --tiny: the GPU check's code paths on the CPU with tiny configs."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.filterwarnings("ignore")

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "gpu_check.py"


@pytest.fixture(scope="module")
def gpu_check():
    spec = importlib.util.spec_from_file_location("gpu_check", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    sys.modules["gpu_check"] = mod  # its dataclasses look their module up
    spec.loader.exec_module(mod)
    return mod


def test_tiny_run_writes_json_and_markdown(gpu_check, tmp_path):
    rc = gpu_check.main(["--tiny", "--steps", "2", "--out", str(tmp_path)])
    data = json.loads((tmp_path / "gpu_check.json").read_text())
    rows = data["rows"]
    assert data["env"]["tiny"] is True and data["env"]["device"] == "cpu"
    assert {r["family"] for r in rows} == {"wan", "ltx", "cogvideox"}
    assert len(rows) == 3 * 2 * len(gpu_check.KNOBS)
    errors = [r for r in rows if r["status"] == "error"]
    assert rc == 0 and not errors, errors
    by = {(r["family"], r["dtype"], r["knob"]): r for r in rows}
    for fam in ("wan", "ltx", "cogvideox"):
        # the knobs with a CPU path run; the reference is the plain bf16 run itself
        assert by[(fam, "bfloat16", "plain")]["rel_diff_vs_bf16"] == 0.0
        for knob in ("cache", "compile", "group-offload", "fp8-layerwise"):
            for dt in ("bfloat16", "float16"):
                r = by[(fam, dt, knob)]
                assert r["status"] == "ok", r
                assert r["s_per_step"] > 0 and r["rel_diff_vs_bf16"] is not None
        # fp16 and fp8 storage move the result, but stay close to the bf16 run
        assert 0 < by[(fam, "float16", "plain")]["rel_diff_vs_bf16"] < 0.1
        assert 0 < by[(fam, "bfloat16", "fp8-layerwise")]["rel_diff_vs_bf16"] < 0.1
        # group offload and compile are exact rearrangements of the same computation
        assert by[(fam, "bfloat16", "group-offload")]["rel_diff_vs_bf16"] < 1e-3
        assert by[(fam, "bfloat16", "compile")]["rel_diff_vs_bf16"] < 1e-3
        # cuDNN attention has no CPU path: reported, not failed
        assert by[(fam, "bfloat16", "attn:_native_cudnn")]["status"] == "unavailable"
    md = (tmp_path / "gpu_check.md").read_text()
    assert md.count("\n| ") == len(rows) + 1
    assert "tiny configs" in md


def test_full_configs_are_the_published_sizes(gpu_check):
    """Parameter counts of the real-size configs, built on the meta device (no memory)."""
    import diffusers
    import torch

    expect = {"wan": (1.2e9, 1.5e9), "ltx": (1.8e9, 2.1e9), "cogvideox": (1.6e9, 1.8e9)}
    for fam, spec in gpu_check.FULL.items():
        with torch.device("meta"):
            model = getattr(diffusers, spec["cls"])(**spec["config"])
        n = sum(p.numel() for p in model.parameters())
        lo, hi = expect[fam]
        assert lo < n < hi, (fam, n)


def test_no_gpu_without_tiny_exits_2(gpu_check, tmp_path):
    import torch

    if torch.cuda.is_available():
        pytest.skip("a GPU is present")
    assert gpu_check.main(["--out", str(tmp_path)]) == 2
    with pytest.raises(SystemExit):
        gpu_check.main(["--tiny", "--families", "mochi"])
