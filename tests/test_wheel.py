"""The built wheel carries the bundled data: built offline, unpacked outside the repository and
imported with a clean path, it loads vidkit/tiny-physics, the SynthEncoder and the prompt suites."""

from __future__ import annotations

import json
import os
import shutil
import sysconfig
import textwrap
import zipfile
from pathlib import Path

import pytest
from _helpers import run_python

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "vidkit", "data")

_CHECK = textwrap.dedent(
    """
    import json, os, sys
    sys.path[:0] = json.loads(sys.argv[1])       # the unpacked wheel, then the venv's libraries
    os.environ.pop("VIDKIT_DATA", None)
    import vidkit as vk
    from vidkit._config import data_dir
    from vidkit.comparison import load_prompts, prompt_suites
    from vidkit.metrics import SynthEncoder

    out = {"vidkit": vk.__file__, "data": str(data_dir())}
    pipe = vk.load("vidkit/tiny-physics")
    video = vk.generate(pipe, prompt="a red ball falls", seed=0, steps=2, progress=False)
    out["video"] = list(video.shape)
    early = vk.generate(vk.load("vidkit/tiny-physics@early"), prompt="a red ball falls", seed=0,
                        steps=2, progress=False)
    out["early_differs"] = float(abs(early.frames - video.frames).mean()) > 1e-3
    enc = SynthEncoder()
    out["encoder"] = [str(enc.path), enc.dim]
    out["predicted"] = enc.predict([vk.synth.render("bounce", seed=0).video])[0]["kind"]
    out["suites"] = sorted(prompt_suites())
    out["prompts"] = {name: len(load_prompts(name)) for name in ("tiny", "physics")}
    os.environ["VIDKIT_DATA"] = sys.argv[2]      # the override still wins
    out["override"] = str(data_dir())
    print(json.dumps(out))
    """
)


def _site_dirs() -> list[str]:
    """The venv's library folders (read without their .pth files: no editable vidkit)."""
    paths = sysconfig.get_paths()
    return list(dict.fromkeys([paths["purelib"], paths["platlib"]]))


@pytest.mark.slow
def test_wheel_carries_the_data_and_works_outside_the_repository(tmp_path: Path) -> None:
    pytest.importorskip("setuptools")
    pytest.importorskip("wheel")
    # 1. build from a copy of the sources (no build files in the repository), offline
    src = tmp_path / "src"
    src.mkdir()
    for name in SOURCES:
        p = ROOT / name
        if p.is_dir():
            shutil.copytree(
                p, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "_data")
            )
        else:
            shutil.copy2(p, src / name)
    dist = tmp_path / "dist"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIDKIT_DATA")}
    env.update(PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1", HF_HUB_OFFLINE="1")
    build = run_python(
        ["-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(dist)]
        + ["--quiet", str(src)],
        cwd=tmp_path,
        env=env,
        timeout=600,
    )
    assert build.returncode == 0, build.stderr[-3000:]
    (wheel,) = dist.glob("vidkit-*.whl")

    # 2. what the wheel holds: the package, its data under vidkit/_data, core dependencies only
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        meta_name = next(n for n in names if n.endswith(".dist-info/METADATA"))
        metadata = z.read(meta_name).decode()
    for need in (
        "vidkit/__init__.py",
        "vidkit/py.typed",
        "vidkit/_data/tiny-physics/model_index.json",
        "vidkit/_data/tiny-physics/early/model_index.json",
        "vidkit/_data/synth_encoder/synth_encoder.safetensors",
        "vidkit/_data/prompts/tiny.jsonl",
        "vidkit/_data/prompts/physics.jsonl",
    ):
        assert need in names, need
    repo_data = {
        str(p.relative_to(ROOT / "data"))
        for p in (ROOT / "data").rglob("*")
        if p.is_file() and not p.name.startswith(".")
    }
    assert {n[len("vidkit/_data/") :] for n in names if n.startswith("vidkit/_data/")} == repo_data
    assert not [n for n in names if n.startswith(("data/", "tests/", "notebooks/"))]
    core = [
        line.split(":", 1)[1].strip()
        for line in metadata.splitlines()
        if line.startswith("Requires-Dist:") and "extra ==" not in line
    ]
    assert any(c.startswith("torch") for c in core) and any(c.startswith("diffusers") for c in core)
    for tool in (
        "jupyterlab",
        "papermill",
        "nbclient",
        "ipykernel",
        "pytest",
        "playwright",
        "ruff",
    ):
        assert not any(c.startswith(tool) for c in core), f"{tool} is a core dependency"
    assert 'extra == "notebook"' in metadata and 'extra == "test"' in metadata

    # 3. unpack it outside the repository and use it with a clean path, offline
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as z:
        z.extractall(site)
    work = tmp_path / "elsewhere"
    work.mkdir()
    script = work / "check.py"
    script.write_text(_CHECK)
    path = [str(site), *_site_dirs()]
    env.update(TRANSFORMERS_OFFLINE="1", OMP_NUM_THREADS="1", MPLBACKEND="Agg")
    # -S: no site module, so no .pth file (the editable vidkit of this venv) is read
    run = run_python(
        ["-S", str(script), json.dumps(path), str(work)], cwd=work, env=env, timeout=600
    )
    assert run.returncode == 0, run.stderr[-3000:]
    out = json.loads(run.stdout.strip().splitlines()[-1])
    assert Path(out["vidkit"]).is_relative_to(site)
    assert Path(out["data"]) == site / "vidkit" / "_data"
    assert out["video"][1:] == [32, 32, 3] and out["early_differs"]
    assert Path(out["encoder"][0]).is_relative_to(site) and out["encoder"][1] == 128
    assert out["predicted"] == "bounce"
    assert {"tiny", "physics"} <= set(out["suites"])
    assert out["prompts"] == {"tiny": 28, "physics": 32}
    assert Path(out["override"]) == work.resolve()
