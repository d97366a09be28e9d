"""vk.generate_many on the run store: keys hold the model, resume repairs damage, names stay inside
out_dir, killed runs leave nothing behind, two CPU processes split the work."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

import vidkit as vk
import vidkit.sampling as sampling
from vidkit.files import HOST_TAG
from vidkit.store import RunStore

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """A saved tiny Wan T2V pipeline: the spec each process loads."""
    return vk.testing.save_tiny_pipeline(tmp_path_factory.mktemp("spec") / "tiny-wan", "wan", "t2v")


@pytest.fixture
def calls(monkeypatch):
    """The (prompt, seed) of every vk.generate call made in this process."""
    made: list[tuple[str, int]] = []
    real = sampling.generate
    # vidkit caches vk.generate on first use: cache the real one, not the counting one below,
    # which would leak into later test files
    assert vk.generate is real

    def counting(*a, **k):
        made.append((k["prompt"], k["seed"]))
        return real(*a, **k)

    monkeypatch.setattr(sampling, "generate", counting)
    return made


def _rows(out: Path) -> dict[str, tuple[int, str]]:
    return {p.name: (p.stat().st_mtime_ns, p.read_text()) for p in (out / "rows").glob("*.json")}


def _files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_single_process_writes_store_items_and_skips_done(folder, tmp_path, calls):
    out = tmp_path / "out"
    table = vk.generate_many(folder, ["a ball", "a box"], [5], out, steps=2, progress=False)
    assert list(table["done"]) == [True, True] and calls == [("a ball", 5), ("a box", 5)]
    assert list(table["prompt"]) == ["a ball", "a box"] and list(table["seed"]) == [5, 5]
    store = RunStore(out)
    row = store.row(table["id"][0])
    assert row["prompt"] == "a ball" and row["seed"] == 5 and row["settings"] == {"steps": 2}
    assert row["metadata"]["family"] == "wan" and row["metadata"]["steps"] == 2
    assert Path(table["path"][0]) == out / row["video"] and row["model_identity"]["files"]
    video = vk.read_video(table["path"][0])
    assert video.shape == (9, 16, 16, 3) and video.metadata["seed"] == 5
    # the same item generated directly is the same video (up to mp4 compression)
    direct = vk.generate(vk.load(folder), prompt="a ball", seed=5, steps=2, progress=False)
    assert np.abs(video.frames - direct.frames).mean() < 0.05
    calls.clear()
    # run again: nothing is generated, nothing is rewritten
    before = _rows(out)
    again = vk.generate_many(folder, ["a ball", "a box"], [5], out, steps=2, progress=False)
    assert calls == [] and _rows(out) == before and again["done"].all()
    assert list(again["id"]) == list(table["id"])
    # different parameters make different items (keys hash every generation argument)
    other = vk.generate_many(folder, ["a ball"], [5], out, steps=3, progress=False)
    assert calls == [("a ball", 5)] and other["id"][0] not in set(table["id"])
    # another container is another item, stored with its extension
    webm = vk.generate_many(folder, ["a ball"], [5], out, steps=2, ext=".webm", progress=False)
    assert webm["path"][0].endswith(".webm") and webm["id"][0] not in set(table["id"])
    assert vk.read_video(webm["path"][0]).shape == (9, 16, 16, 3)


def test_bad_arguments(folder, tmp_path):
    with pytest.raises(TypeError, match="prompts must be a string or a non-empty list"):
        vk.generate_many(folder, [], [0], tmp_path)
    with pytest.raises(ValueError, match="does not take 'image'"):
        vk.generate_many(folder, ["a"], [0], tmp_path, image=np.zeros((4, 4, 3)))
    with pytest.raises(TypeError, match="needs a spec each process can load"):
        vk.generate_many(vk.load(folder), ["a"], [0], tmp_path, num_processes=2)
    with pytest.raises(ValueError, match="num_processes must be >= 1"):
        vk.generate_many(folder, ["a"], [0], tmp_path, num_processes=0)
    with pytest.raises(ValueError, match="distinct"):
        vk.generate_many(folder, ["a"], [1, 1], tmp_path)
    with pytest.raises(ValueError, match="non-negative"):
        vk.generate_many(folder, ["a"], [-1], tmp_path)
    with pytest.raises(ValueError, match="needs a 'model' key"):
        vk.generate_many({"dtype": "float32"}, ["a"], [0], tmp_path)


@pytest.mark.parametrize(
    "ext", ["mp4/../../../x.mp4", "../x.mp4", "/tmp/x.mp4", "mp4/", "txt", "", "mp4\x00"]
)
def test_escaping_ext_is_refused_before_any_work(folder, tmp_path, calls, monkeypatch, ext):
    loads = []
    monkeypatch.setattr("vidkit.sampling.load", lambda *a, **k: loads.append(a))
    out = tmp_path / "a" / "b" / "out"
    with pytest.raises(ValueError, match="ext must be one of"):
        vk.generate_many(folder, ["a ball"], [0], out, ext=ext, steps=2)
    assert calls == [] and loads == [] and not (tmp_path / "a").exists()
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


def test_store_names_cannot_leave_the_store(tmp_path):
    store = RunStore(tmp_path / "s")
    key = vk.store.item_key("m", "p", 0)
    store.put(key, vk.Video(np.full((4, 16, 16, 3), 0.5, np.float32), fps=8), {})
    for bad in ("../x", "a/b", "..", ".hidden", "a\\b", ""):
        with pytest.raises(ValueError, match="no path separators"):
            store.put_eval(bad, key, {"x": 1.0})
        with pytest.raises(ValueError, match="no path separators"):
            store.reference_dir(bad)
        with pytest.raises(ValueError, match="no path separators"):
            store.put_features(bad, key, np.zeros(3))
    for bad in ("../../etc", "ab/cd", "A0"):
        with pytest.raises(ValueError, match="lowercase hex"):
            store.row_path(bad)
    with pytest.raises(ValueError, match="ext must be one of"):
        store.put(key, vk.Video(np.zeros((2, 8, 8, 3)), fps=8), {}, ext="mp4/../../x")
    # a row that names a file outside videos/ (hand-edited or garbled) reads as missing
    row = json.loads(store.row_path(key).read_text())
    assert store.has(key)
    for evil in ("../store.json", "videos/../../x.mp4", f"/tmp/{key}.mp4", f"videos/{key}.mp4/.."):
        store.row_path(key).write_text(json.dumps({**row, "video": evil}))
        assert not store.has(key) and store.missing([key]) == [key]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s"]


def test_model_switch_into_the_same_out_dir_makes_the_new_models_items(tmp_path, calls):
    out = tmp_path / "out"
    prompts = ["a red ball falls", "a blue ball bounces to the right on a grey floor"]
    final = vk.generate_many("vidkit/tiny-physics", prompts, [0], out, steps=2, progress=False)
    early = vk.generate_many(
        "vidkit/tiny-physics@early", prompts, [0], out, steps=2, progress=False
    )
    assert len(calls) == 4 and early["done"].all()
    assert not set(final["id"]) & set(early["id"])
    store = RunStore(out)
    a, b = store.row(final["id"][0]), store.row(early["id"][0])
    assert a["model"] == "vidkit/tiny-physics" and b["model"] == "vidkit/tiny-physics@early"
    assert a["model_identity"] != b["model_identity"]
    # the early model's videos are its own, not the final model's
    va, vb = vk.read_video(final["path"][0]), vk.read_video(early["path"][0])
    assert np.abs(va.frames - vb.frames).mean() > 0.01
    assert len(store) == 4 and store.check()["damaged"] == []


def _break(store: RunStore, key: str, how: str) -> None:
    row_path, video = store.row_path(key), store.video_path(key)
    if how == "deleted mp4":
        video.unlink()
    elif how == "truncated mp4":
        video.write_bytes(video.read_bytes()[: video.stat().st_size // 2])
    elif how == "one flipped byte":
        data = bytearray(video.read_bytes())
        data[len(data) // 2] ^= 0x01
        video.write_bytes(bytes(data))
    elif how == "garbled row":
        row_path.write_text(row_path.read_text()[:-25])
    elif how == "row of another key":
        row = json.loads(row_path.read_text())
        row_path.write_text(json.dumps({**row, "key": "0" * 20}))
    elif how == "deleted row":
        row_path.unlink()


@pytest.mark.parametrize(
    "how",
    [
        "deleted mp4",
        "truncated mp4",
        "one flipped byte",
        "garbled row",
        "row of another key",
        "deleted row",
    ],
)
def test_resume_regenerates_damaged_items(folder, tmp_path, calls, how):
    out = tmp_path / "out"
    prompts = ["a ball", "a box"]
    first = vk.generate_many(folder, prompts, [0, 1], out, steps=2, progress=False)
    store = RunStore(out)
    victim = first["id"][2]
    kept = {k: store.row(k)["sha256"] for k in first["id"] if k != victim}
    _break(store, victim, how)
    assert not store.has(victim)
    assert store.missing(first["id"]) == [victim]
    calls.clear()
    again = vk.generate_many(folder, prompts, [0, 1], out, steps=2, progress=False)
    assert calls == [("a box", 0)]  # exactly the damaged item, once
    assert again["done"].all() and list(again["id"]) == list(first["id"])
    assert {k: store.row(k)["sha256"] for k in kept} == kept  # the others untouched
    audit = store.check()
    assert audit["damaged"] == [] and audit["orphan_videos"] == [] and audit["claims"] == []
    assert len(list((out / "videos").iterdir())) == 4  # the broken version was removed


def test_temporary_files_of_killed_writers_are_removed(folder, tmp_path):
    out = tmp_path / "out"
    vk.generate_many(folder, ["a ball"], [0], out, steps=2, progress=False)
    # names as the store and vk.write_video make them, by a process that has ended
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    pid = int(dead.stdout)
    tag = f"{HOST_TAG}-{pid}-0123abcd"
    key = "ab" * 10
    left = [
        out / "videos" / f".{key}.{tag}.tmp.mp4",  # the store's own temporary video
        out / "videos" / f"..{key}.{tag}.tmp.mp4.89abcdef.tmp.mp4",  # vk.write_video's, inside
        out / "rows" / f".{key}.json.{tag}.tmp",  # an atomic JSON write
        out / f".job.{pid}-1.tmp.json",  # an old job file
    ]
    mine = out / "videos" / f".{key}.{HOST_TAG}-{os.getpid()}-0123abcd.tmp.mp4"
    for p in [*left, mine]:
        p.write_bytes(b"partial")
    old = time.time() - 7200
    os.utime(left[-1], (old, old))
    lock = out / "locks" / f"{key}.lock"
    lock.write_text(json.dumps({"pid": pid, "host": HOST_TAG, "token": "x"}))
    vk.generate_many(folder, ["a ball"], [0], out, steps=2, progress=False)
    assert not any(p.exists() for p in left) and not lock.exists()
    assert mine.exists()  # a live writer's file (ours) is kept


def test_two_processes_split_the_work(folder, tmp_path):
    out = tmp_path / "out"
    table = vk.generate_many(
        folder, ["a ball", "a box"], [0, 1], out, num_processes=2, steps=2, timeout=600
    )
    assert table["done"].all() and len(table) == 4
    store = RunStore(out)
    rows = [store.row(k) for k in table["id"]]
    assert {r["process_index"] for r in rows} == {0, 1}
    assert all(r["num_processes"] == 2 for r in rows)
    assert [(r["prompt"], r["seed"]) for r in rows] == [
        ("a ball", 0),
        ("a ball", 1),
        ("a box", 0),
        ("a box", 1),
    ]
    assert not list(out.rglob(".*"))  # no temporary or job files left
    assert not list((out / "locks").iterdir())  # and no claims


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
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, str(script)], env=env)
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and not list(out.glob("rows/*.json")):
            if proc.poll() is not None:
                pytest.fail(f"the job ended (code {proc.returncode}) before it could be killed")
            time.sleep(0.1)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    done_before = _rows(out)
    assert 1 <= len(done_before) < 4
    store = RunStore(out)
    assert store.check()["damaged"] == []  # every row has its video: writes are atomic, ordered
    assert store.check()["claims"]  # the killed process held the claim on the item in flight

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
    after = _rows(out)
    assert all(after[k] == v for k, v in done_before.items())  # finished items untouched
    assert not list(out.rglob(".*"))  # leftovers of the killed write are cleaned
    assert store.check()["claims"] == [] and store.check()["orphan_videos"] == []
