"""Every notebook in notebooks/ is executed on CPU with small parameters (QUICK=True), as a learner
would see it.

Notebooks are stored without outputs; papermill injects the parameters after the cell tagged
``parameters`` and runs the notebook in a temporary folder, so nothing is written into the repo.
The kernel runs with the notebook's own matplotlib backend (the inline one: ``MPLBACKEND`` is
removed from its environment), and the executed notebook is then read as a learner would:

- every cell that calls a figure-making function has an image in its outputs (a figure that
  prints ``<Figure size ...>`` instead is a defect);
- no cell writes to stderr (red in JupyterLab) unless it is tagged ``expect-stderr``;
- no cell leaks the repr of a generator, a matplotlib ``Text``/``Line2D``, a torch ``Generator``
  or a Figure without its image.

Chapter-specific checks read what the chapter left in its working folder: chapter 2's clips come
from the trained model (the probes' colour check passes on them), and chapter 5's samples after
training come from the weights it trained (reproduced from the saved weights, and different from
the bundled model's).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import numpy as np
import pytest

NOTEBOOK_DIR = Path(__file__).resolve().parent.parent / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))

#: calls that make a figure (vidkit's and matplotlib's): such a cell must show an image
FIGURE_CALL = re.compile(
    r"\b(frame_strip|plot_trajectories)\(|\bboard\.plot\(|\breport\.plot\(|\bplt\.(subplots|figure|plot|hist|imshow)\("
)
#: reprs that must never be a cell's visible output
LEAKED = re.compile(
    r"<torch\._C\.Generator|<generator object|^Text\(|\[?<matplotlib\.|Line2D\(|"
    r"<matplotlib\.|<Axes:|<Figure size"
)


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _tags(cell: dict) -> list[str]:
    return cell.get("metadata", {}).get("tags", [])


def test_there_are_notebooks() -> None:
    assert NOTEBOOKS, f"no notebooks found in {NOTEBOOK_DIR}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_stored_clean(path: Path) -> None:
    cells = _cells(path)
    code = [c for c in cells if c["cell_type"] == "code"]
    assert code, f"{path.name} has no code cells"
    for i, cell in enumerate(code):
        assert not cell.get("outputs"), f"{path.name}: code cell {i} is stored with outputs"
        assert cell.get("execution_count") is None, f"{path.name}: code cell {i} has a count"
    tagged = [c for c in code if "parameters" in _tags(c)]
    assert len(tagged) == 1, f"{path.name}: expected one cell tagged 'parameters'"
    params = "".join(tagged[0]["source"])
    assert "QUICK" in params, f"{path.name}: parameters cell lacks QUICK"
    # the learner is told how long the chapter takes, measured, in both modes
    assert re.search(r"default parameters.*\d+(\.\d+)? ?(s|min)", params, re.S | re.I), (
        f"{path.name}: the parameters cell does not state the measured default runtime"
    )
    assert re.search(r"QUICK.*\d+(\.\d+)? ?(s|min)", params, re.S), (
        f"{path.name}: the parameters cell does not state the measured QUICK runtime"
    )
    assert any(c["cell_type"] == "markdown" for c in cells), f"{path.name}: no prose"


def _text(output: dict) -> str:
    data = output.get("data", {})
    text = data.get("text/plain", output.get("text", ""))
    return text if isinstance(text, str) else "".join(text)


def _learner_view_problems(executed: dict) -> list[str]:
    """What a learner would see wrong in the executed notebook (empty: nothing)."""
    problems = []
    for n, cell in enumerate(executed["cells"]):
        if cell["cell_type"] != "code":
            continue
        src = "".join(cell["source"])
        tags = _tags(cell)
        outs = cell.get("outputs", [])
        where = f"cell {n} ({src.strip().splitlines()[0][:60] if src.strip() else ''!r})"
        images = [o for o in outs if "image/png" in o.get("data", {})]
        if FIGURE_CALL.search(src) and "gpu-only" not in tags and not images:
            problems.append(f"{where} makes a figure but shows no image")
        for o in outs:
            if o.get("output_type") == "stream" and o.get("name") == "stderr":
                if "expect-stderr" not in tags:
                    problems.append(f"{where} writes to stderr: {_text(o)[:300]!r}")
            if o.get("output_type") in ("execute_result", "display_data"):
                text = _text(o)
                has_image = "image/png" in o.get("data", {})
                for line in text.splitlines():
                    if LEAKED.search(line.strip()) and not (has_image and "Figure" in line):
                        problems.append(f"{where} leaks a repr: {line.strip()[:120]!r}")
    return problems


def _check_chapter_2(work: Path) -> None:
    """Chapter 2's clips come from the trained model: the colour named in the prompt is found."""
    import vidkit as vk
    from vidkit.tiny.evaluate import check_sample

    files = sorted((work / "outputs").glob("*.mp4"))
    assert len(files) >= 5, f"chapter 2 wrote {len(files)} clips to outputs/"
    for f in files:
        video = vk.read_video(f)
        prompt = video.metadata["prompt"]
        row = check_sample(video, prompt)
        assert row["color_ok"], f"{f.name}: {prompt!r} shows colour {row['color']!r} (noise?)"


def _check_chapter_5(work: Path) -> None:
    """Chapter 5 samples the model it trained: its saved sample is reproduced from the weights it
    saved, and the bundled model makes a different clip from the same seed."""
    import torch

    import vidkit as vk
    from vidkit.tiny import TinyPhysicsPipeline

    saved = work / "my-tiny-physics"
    sample = np.load(work / "outputs" / "trained_sample.npz")
    prompt, seed, steps = str(sample["prompt"]), int(sample["seed"]), int(sample["steps"])
    kw = dict(num_inference_steps=steps, guidance_scale=vk.tiny.DEFAULT_GUIDANCE)
    trained = TinyPhysicsPipeline.from_pretrained(saved)
    trained.set_progress_bar_config(disable=True)
    again = trained(prompt, generator=torch.Generator().manual_seed(seed), **kw).frames[0]
    np.testing.assert_allclose(again, sample["trained"], atol=1e-4)
    bundled = vk.tiny.load_pipeline()
    bundled.set_progress_bar_config(disable=True)
    base = bundled(prompt, generator=torch.Generator().manual_seed(seed), **kw).frames[0]
    np.testing.assert_allclose(base, sample["bundled"], atol=1e-4)
    assert np.abs(sample["trained"] - sample["bundled"]).max() > 1e-3, (
        "the notebook's 'trained' sample equals the bundled model's: it did not use its weights"
    )


CHAPTER_CHECKS = {
    "02_sampling_and_conditioning": _check_chapter_2,
    "05_course_tiny_video_diffusion": _check_chapter_5,
}


@pytest.mark.notebook
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path: Path, tmp_path: Path) -> None:
    papermill = pytest.importorskip("papermill")
    env_backup = dict(os.environ)
    os.environ.pop("MPLBACKEND", None)  # the kernel uses the notebook's inline backend
    try:
        papermill.execute_notebook(
            str(path),
            str(tmp_path / path.name),
            parameters={"QUICK": True},
            cwd=str(tmp_path),
            kernel_name="python3",
            progress_bar=False,
            execution_timeout=600,
        )
    finally:
        os.environ.clear()
        os.environ.update(env_backup)
    executed = json.loads((tmp_path / path.name).read_text(encoding="utf-8"))
    errors = [
        o
        for c in executed["cells"]
        if c["cell_type"] == "code"
        for o in c.get("outputs", [])
        if o.get("output_type") == "error"
    ]
    assert not errors, f"{path.name} raised: {errors[0].get('ename')}: {errors[0].get('evalue')}"
    problems = _learner_view_problems(executed)
    assert not problems, f"{path.name}:\n" + "\n".join(problems)
    check = CHAPTER_CHECKS.get(path.stem)
    if check is not None:
        check(tmp_path)


def test_learner_view_catches_what_it_should() -> None:
    """The checks above fire on the defects they name (so they cannot pass vacuously)."""

    def cell(src: str, outputs: list[dict], tags: list[str] | None = None) -> dict:
        meta = {"tags": tags} if tags else {}
        return {"cell_type": "code", "source": src, "outputs": outputs, "metadata": meta}

    fig_text = {"output_type": "execute_result", "data": {"text/plain": "<Figure size 1x1>"}}
    fig_img = {
        "output_type": "execute_result",
        "data": {"text/plain": "<Figure size 1x1>", "image/png": "iVBO"},
    }
    err = {"output_type": "stream", "name": "stderr", "text": "Warning: ..."}
    gen = {"output_type": "execute_result", "data": {"text/plain": "<torch._C.Generator at 0x1>"}}
    title = {"output_type": "execute_result", "data": {"text/plain": "Text(0.5, 1.0, 'loss')"}}
    bad = {
        "cells": [
            cell("vk.frame_strip(v)", [fig_text]),
            cell("print(1)", [err]),
            cell("torch.manual_seed(0)", [gen]),
            cell("plt.title('loss')", [title, fig_img]),
        ]
    }
    problems = _learner_view_problems(bad)
    assert len(problems) == 5, problems  # no image, stderr, generator, Figure w/o image, Text
    good = {
        "cells": [
            cell("vk.frame_strip(v)", [fig_img]),
            cell("print(1)", [err], tags=["expect-stderr"]),
            cell("_ = torch.manual_seed(0)", []),
        ]
    }
    assert _learner_view_problems(good) == []
