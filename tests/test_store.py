"""The run store: atomic items, integrity checks, caches, resumability under SIGKILL."""

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
from vidkit.store import RunStore, atomic_write_json, item_key, stable_hash

ROOT = Path(__file__).resolve().parent.parent


def _video(seed: int = 0, frames: int = 6) -> vk.Video:
    """A smooth moving gradient (mp4-friendly content), different per seed."""
    t, y, x = np.meshgrid(np.arange(frames), np.arange(16), np.arange(16), indexing="ij")
    base = 0.5 + 0.4 * np.sin(0.3 * x + 0.2 * y + 0.5 * t + seed)
    frames_ = np.stack([base, base[:, ::-1], 1 - base], axis=-1).astype(np.float32)
    return vk.Video(frames_, fps=8, metadata={"s": seed})


# --------------------------------------------------------------------------- keys
def test_item_key_is_stable_and_sensitive() -> None:
    k = item_key({"spec": "m"}, "a red ball falls", 0, {"steps": 2, "guidance": 1.5})
    assert k == item_key({"spec": "m"}, "a red ball falls", 0, {"guidance": 1.5, "steps": 2})
    others = {
        item_key({"spec": "m2"}, "a red ball falls", 0, {"steps": 2, "guidance": 1.5}),
        item_key({"spec": "m"}, "a red ball falls.", 0, {"steps": 2, "guidance": 1.5}),
        item_key({"spec": "m"}, "a red ball falls", 1, {"steps": 2, "guidance": 1.5}),
        item_key({"spec": "m"}, "a red ball falls", 0, {"steps": 3, "guidance": 1.5}),
        item_key({"spec": "m"}, "a red ball falls", 0, {"steps": 2}),
    }
    assert k not in others and len(others) == 5
    assert all(c in "0123456789abcdef" for c in k) and len(k) == 20
    # numpy scalars hash like Python numbers
    assert stable_hash({"a": np.int64(3), "b": np.float32(0.5)}) == stable_hash({"a": 3, "b": 0.5})
    with pytest.raises(TypeError, match="seed must be an integer"):
        item_key("m", "p", 1.5)
    with pytest.raises(TypeError, match="prompt must be a string"):
        item_key("m", None, 0)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- items
def test_put_and_read_back(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "s")
    key = item_key("m", "p", 0)
    assert not store.has(key) and store.row(key) is None
    v = vk.synth.render("bounce", seed=0, size=32, frames=6).video.with_metadata(s=0)
    v.metadata = {"s": 0}
    row = store.put(key, v, {"model": "m", "prompt": "p", "seed": 0, "settings": {"steps": 2}})
    assert store.has(key) and key in store and len(store) == 1
    for field in ("sha256", "bytes", "frames", "height", "width", "fps", "created", "metadata"):
        assert field in row
    assert row["frames"] == 6 and row["metadata"] == {"s": 0}
    back = store.video(key)
    assert back.shape == v.shape and back.fps == v.fps
    assert vk.psnr(back, v) > 35  # near-lossless mp4 (crf 10; yuv420p chroma limits it)
    assert back.metadata["store_key"] == key and back.metadata["s"] == 0
    # a second store object on the same folder sees the item
    assert RunStore(tmp_path / "s").rows()[0]["key"] == key


def test_table_parquet_and_dataset(tmp_path: Path) -> None:
    import pandas as pd

    store = RunStore(tmp_path)
    keys = [item_key("m", f"p{i}", i) for i in range(3)]
    for i, k in enumerate(keys):
        store.put(k, _video(i), {"model": "m", "prompt": f"p{i}", "seed": i, "settings": {"a": i}})
    df = store.table()
    assert sorted(df["key"]) == sorted(keys)
    assert json.loads(df.set_index("key").loc[keys[2], "settings"]) == {"a": 2}
    on_disk = pd.read_parquet(tmp_path / "runs.parquet")
    assert sorted(on_disk["key"]) == sorted(keys)
    ds = store.to_dataset()
    assert len(ds) == 3 and vk.read_video(ds[0]["video"]).num_frames == 6


def test_bad_arguments(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(ValueError, match="not a run store"):
        RunStore(tmp_path)
    with pytest.raises(ValueError, match="crf"):
        RunStore(tmp_path / "x", crf=99)
    store = RunStore(tmp_path / "y")
    with pytest.raises(ValueError, match="lowercase hex"):
        store.row_path("../../etc")
    with pytest.raises(TypeError, match="vk.Video"):
        store.put(item_key("m", "p", 0), np.zeros((2, 8, 8, 3)), {})  # type: ignore[arg-type]
    with pytest.raises(KeyError, match="not in the store"):
        store.video(item_key("m", "p", 0))
    (tmp_path / "file").write_text("x")
    with pytest.raises(NotADirectoryError):
        RunStore(tmp_path / "file")


def test_damage_is_detected(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    keys = [item_key("m", "p", i) for i in range(5)]
    for i, k in enumerate(keys):
        store.put(k, _video(i), {"seed": i})
    # truncated mp4, altered bytes (same size), missing row, half-written row, missing mp4
    p = store.video_path(keys[0])
    p.write_bytes(p.read_bytes()[: p.stat().st_size // 2])
    p = store.video_path(keys[1])
    data = bytearray(p.read_bytes())
    data[len(data) // 2] ^= 0xFF
    p.write_bytes(bytes(data))
    store.row_path(keys[2]).unlink()
    store.row_path(keys[3]).write_text('{"key": "' + keys[3] + '", "sha2')
    store.video_path(keys[4]).unlink()
    (tmp_path / "videos" / ".x.mp4.1234.tmp.mp4").write_bytes(b"partial")
    audit = store.check()
    assert sorted(audit["damaged"]) == sorted([keys[0], keys[1], keys[3], keys[4]])
    assert audit["orphan_videos"] == [keys[2]]
    assert audit["temporary"] == ["videos/.x.mp4.1234.tmp.mp4"]
    assert store.missing(keys) == keys
    # size-only checking misses the same-size alteration, by design
    assert keys[1] not in RunStore(tmp_path, verify=False).missing(keys)
    # a new put repairs the item
    store.put(keys[1], _video(1), {"seed": 1})
    assert store.has(keys[1])


def test_eval_and_feature_caches_follow_the_video(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    k = item_key("m", "p", 0)
    store.put(k, _video(0), {})
    store.put_eval("physics-abc", k, {"physics": 0.5})
    store.put_features("synth-abc", k, np.arange(4.0))
    assert store.get_eval("physics-abc", k) == {"physics": 0.5}
    np.testing.assert_array_equal(store.get_features("synth-abc", k), np.arange(4.0)[None])
    store.put(k, _video(1), {})  # the video changes: cached values no longer apply
    assert store.get_eval("physics-abc", k) is None
    assert store.get_features("synth-abc", k) is None
    with pytest.raises(ValueError, match="metric id"):
        store.get_eval("../x", k)


def test_atomic_json_never_leaves_a_partial_file(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "a.json"
    atomic_write_json(path, {"x": 1, "nan": float("nan"), "arr": np.arange(2)})
    assert json.loads(path.read_text()) == {"x": 1, "nan": None, "arr": [0, 1]}

    def failing_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError, match="disk full"):
        atomic_write_json(path, {"x": 2})
    monkeypatch.undo()
    assert json.loads(path.read_text())["x"] == 1  # the old file is intact
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]  # and no temporary file is left


def test_clean_removes_only_stale_leftovers(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    k = item_key("m", "p", 0)
    store.put(k, _video(0), {})
    fresh = tmp_path / "videos" / ".a.tmp.mp4"
    stale = tmp_path / "rows" / ".b.json.1.tmp"
    orphan = tmp_path / "videos" / f"{item_key('m', 'q', 0)}.mp4"
    for p in (fresh, stale, orphan):
        p.write_bytes(b"x")
    old = time.time() - 7200
    os.utime(stale, (old, old))
    os.utime(orphan, (old, old))
    removed = store.clean()
    assert sorted(removed) == sorted([stale, orphan])
    assert fresh.exists() and store.has(k)


# --------------------------------------------------------------------------- resumability
_RUNNER = textwrap.dedent(
    """
    import os, sys, time
    import vidkit as vk
    from vidkit.comparison import SynthModel

    store, log = sys.argv[1], sys.argv[2]
    synth = SynthModel()

    def logged(prompt, seed, **kw):
        with open(log, "a") as f:          # one line per generation started
            f.write(f"{prompt}|{seed}\\n")
        time.sleep(0.03)
        return synth(prompt, seed, **kw)

    logged.vidkit_id = "logged-synth"
    prompts = ["a red ball falls", "a blue ball falls", "a green ball falls",
               "a yellow ball falls"]
    vk.compare({"m": logged, "n": {"model": logged, "num_frames": 10}}, prompts, seeds=[0, 1, 2],
               metrics=[], store=store, progress=False, num_frames=8, height=32, width=32)
    print("done")
    """
)


def _run(script: Path, store: Path, log: Path) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1")
    return subprocess.Popen(
        [sys.executable, str(script), str(store), str(log)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _log_lines(log: Path) -> list[str]:
    return log.read_text().splitlines() if log.exists() else []


def test_sigkill_mid_run_then_resume(tmp_path: Path) -> None:
    script = tmp_path / "run.py"
    script.write_text(_RUNNER)
    store_dir, log = tmp_path / "store", tmp_path / "gen.log"
    expected_total = 2 * 4 * 3
    kills = 0
    # kill it three times at different points, each time after a few more items are committed
    for target in (3, 12):
        proc = _run(script, store_dir, log)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            rows = store_dir / "rows"
            if rows.is_dir() and sum(1 for _ in rows.glob("*.json")) >= target:
                break
            time.sleep(0.005)
        assert proc.poll() is None, f"the run ended before the kill: {proc.communicate()}"
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        kills += 1
    store = RunStore(store_dir)
    committed = {r["key"] for r in store.rows()}
    assert 3 <= len(committed) < expected_total
    assert store.check()["damaged"] == []  # a kill never leaves a damaged row
    committed_items = {(r["prompt"], r["seed"], r["model"]) for r in store.rows()}
    lines_before = len(_log_lines(log))

    proc = _run(script, store_dir, log)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert "done" in out
    rerun = _log_lines(log)[lines_before:]
    rows = store.rows()
    assert len(rows) == expected_total and len({r["key"] for r in rows}) == expected_total
    # exactly the missing items were generated on the rerun, none twice
    assert len(rerun) == expected_total - len(committed)
    made_now = [(r["prompt"], r["seed"], r["model"]) for r in rows if r["key"] not in committed]
    assert sorted(f"{p}|{s}" for p, s, _ in made_now) == sorted(rerun)
    assert not committed_items & set(made_now)
    # over all runs, each item was started at most once more than it was committed (the one in
    # flight at each kill)
    assert len(_log_lines(log)) <= expected_total + kills
    assert store.check()["damaged"] == [] and store.check()["orphan_videos"] == []
    # a further run generates nothing
    proc = _run(script, store_dir, log)
    proc.communicate(timeout=120)
    assert len(_log_lines(log)) == lines_before + len(rerun)
