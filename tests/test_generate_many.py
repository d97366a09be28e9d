"""vk.generate_many: atomic mp4 + JSON sidecars, resumable after SIGKILL, split over 2 CPU processes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import vidkit as vk
import vidkit.sampling as sampling


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """A saved tiny Wan T2V pipeline: the spec each process loads."""
    return vk.testing.save_tiny_pipeline(tmp_path_factory.mktemp("spec") / "tiny-wan", "wan", "t2v")


def _sidecars(out):
    return {p.name: (p.stat().st_mtime_ns, p.read_text()) for p in out.glob("*.json")}


def test_single_process_writes_videos_and_sidecars_and_skips_done(folder, tmp_path, monkeypatch):
    out = tmp_path / "out"
    table = vk.generate_many(folder, ["a ball", "a box"], [5], out, steps=2)
    assert list(table["done"]) == [True, True]
    assert list(table["prompt"]) == ["a ball", "a box"] and list(table["seed"]) == [5, 5]
    meta = json.loads((out / f"{table['id'][0]}.json").read_text())
    assert meta["prompt"] == "a ball" and meta["seed"] == 5 and meta["steps"] == 2
    assert meta["file"] == f"{table['id'][0]}.mp4" and meta["family"] == "wan"
    video = vk.read_video(table["path"][0])
    assert video.shape == (9, 16, 16, 3) and video.metadata["seed"] == 5
    # the same item generated directly is the same video (up to mp4 compression)
    direct = vk.generate(vk.load(folder), prompt="a ball", seed=5, steps=2, progress=False)
    assert np.abs(video.frames - direct.frames).mean() < 0.05
    # run again: nothing is generated
    calls = []
    real = sampling.generate
    monkeypatch.setattr(sampling, "generate", lambda *a, **k: (calls.append(1), real(*a, **k))[1])
    before = _sidecars(out)
    again = vk.generate_many(folder, ["a ball", "a box"], [5], out, steps=2)
    assert calls == [] and _sidecars(out) == before and again["done"].all()
    # different parameters make different items (ids hash the generation arguments)
    other = vk.generate_many(folder, ["a ball"], [5], tmp_path / "o2", steps=3)
    assert calls == [1] and other["id"][0] != table["id"][0]


def test_bad_arguments(folder, tmp_path):
    with pytest.raises(TypeError, match="prompts must be a string or a non-empty list"):
        vk.generate_many(folder, [], [0], tmp_path)
    with pytest.raises(ValueError, match="does not take 'image'"):
        vk.generate_many(folder, ["a"], [0], tmp_path, image=np.zeros((4, 4, 3)))
    with pytest.raises(TypeError, match="needs a spec each process can load"):
        vk.generate_many(vk.load(folder), ["a"], [0], tmp_path, num_processes=2)
    with pytest.raises(ValueError, match="num_processes must be >= 1"):
        vk.generate_many(folder, ["a"], [0], tmp_path, num_processes=0)


def test_two_processes_split_the_work(folder, tmp_path):
    out = tmp_path / "out"
    table = vk.generate_many(
        folder, ["a ball", "a box"], [0, 1], out, num_processes=2, steps=2, timeout=600
    )
    assert table["done"].all() and len(table) == 4
    metas = [json.loads((out / f"{i}.json").read_text()) for i in table["id"]]
    assert {m["process_index"] for m in metas} == {0, 1}
    assert all(m["num_processes"] == 2 for m in metas)
    assert [(m["prompt"], m["seed"]) for m in metas] == [
        ("a ball", 0),
        ("a ball", 1),
        ("a box", 0),
        ("a box", 1),
    ]
    assert not list(out.glob(".*"))  # no temporary or job files left


def test_sigkill_then_resume_generates_only_missing_items(folder, tmp_path):
    out = tmp_path / "out"
    prompts, seeds = ["a ball", "a box"], [0, 1]
    script = tmp_path / "slow_job.py"
    script.write_text(
        textwrap.dedent(f"""
        import time
        import vidkit as vk
        import vidkit.sampling as sampling

        real = sampling.generate

        def slow(*a, **k):
            v = real(*a, **k)
            time.sleep(2.0)  # leave time to kill between items
            return v

        sampling.generate = slow
        vk.generate_many({str(folder)!r}, {prompts!r}, {seeds!r}, {str(out)!r}, steps=2)
    """)
    )
    proc = subprocess.Popen([sys.executable, str(script)], env=dict(os.environ))
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and not list(out.glob("*.json")):
            if proc.poll() is not None:
                pytest.fail(f"the job ended (code {proc.returncode}) before it could be killed")
            time.sleep(0.1)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    done_before = _sidecars(out)
    assert 1 <= len(done_before) < 4
    for name in done_before:  # every sidecar has its video: writes are atomic and ordered
        assert (out / name.replace(".json", ".mp4")).is_file()

    calls = []
    real = sampling.generate

    def counting(*a, **k):
        calls.append(k["prompt"])
        return real(*a, **k)

    sampling.generate = counting
    try:
        table = vk.generate_many(folder, prompts, seeds, out, steps=2)
    finally:
        sampling.generate = real
    assert table["done"].all()
    assert len(calls) == 4 - len(done_before)
    after = _sidecars(out)
    assert all(after[k] == v for k, v in done_before.items())  # finished items untouched
    assert not list(out.glob(".*.tmp"))  # leftovers of the killed write are cleaned
