"""The run store under concurrent writers and readers: claims, content-named videos, atomic rows.

* 4 processes put and read the same keys for 20 rounds: no damaged item, no crash, and every
  read returns a whole item (its pixels match its row);
* claims: exclusive between processes, re-entrant in one thread, stale after the holder died;
* two ``vk.compare`` processes on one store (the bundled tiny model) finish with the leaderboard
  of a single process and generate each item once.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

import vidkit as vk
from vidkit.store import RunStore, item_key

ROOT = Path(__file__).resolve().parent.parent
ENV = dict(
    os.environ,
    PYTHONPATH=str(ROOT),
    OMP_NUM_THREADS="1",
    MKL_NUM_THREADS="1",
    HF_HUB_OFFLINE="1",
    TRANSFORMERS_OFFLINE="1",
)


def _start(script: Path, *argvs: list[str]) -> list[subprocess.Popen]:
    """One process per argument list, each running ``script`` with this interpreter."""
    return [
        subprocess.Popen(
            [sys.executable, str(script), *argv],
            env=ENV,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for argv in argvs
    ]


def _failures(procs: list[subprocess.Popen], *, tail: int, timeout: float = 600) -> list[str]:
    """Wait for ``procs``; the exit code and the last ``tail`` characters of the stderr of each
    one that failed. As soon as one fails the others are stopped (they would wait for it at a
    barrier until the timeout, and its own error would never be shown)."""
    deadline = time.monotonic() + timeout
    while any(p.poll() is None for p in procs) and time.monotonic() < deadline:
        if any(p.returncode not in (None, 0) for p in procs):
            break
        time.sleep(0.2)
    for p in procs:
        if p.poll() is None:
            p.kill()
    errors = []
    for i, p in enumerate(procs):
        _, err = p.communicate()
        if p.returncode != 0:
            errors.append(f"process {i} exited with {p.returncode}: {err[-tail:]}")
    return errors


# --------------------------------------------------------------------------- put + read
_WRITER = textwrap.dedent(
    """
    import json, sys, time, traceback
    from pathlib import Path
    import numpy as np
    import vidkit as vk
    from vidkit.store import RunStore, item_key

    root, me, n, rounds = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    store = RunStore(root)
    keys = [item_key("m", f"prompt {j}", 0) for j in range(3)]
    LEVELS = [0.15, 0.4, 0.65, 0.9]          # each writer's videos have their own grey level

    def video(level, r):
        t = np.linspace(0, 1, 6, dtype=np.float32)[:, None, None, None]
        frames = np.full((6, 16, 16, 3), level, np.float32) + 0.02 * t * ((r % 3) - 1)
        return vk.Video(frames, fps=8, metadata={"writer": me, "round": r})

    def barrier(r):                          # all writers start each round together
        (root / f"barrier-{r}-{me}").write_text("")
        while len(list(root.glob(f"barrier-{r}-*"))) < n:
            time.sleep(0.002)

    stats = {"puts": 0, "reads": 0, "mismatch": 0, "missing": 0, "damaged": 0}
    for r in range(rounds):
        barrier(r)
        for k in (keys if me % 2 == 0 else keys[::-1]):
            store.put(k, video(LEVELS[me], r), {"writer": me, "round": r})
            stats["puts"] += 1
            for k2 in keys:
                try:
                    v = store.video(k2)
                except KeyError:
                    stats["missing"] += 1          # allowed only before anyone wrote k2
                    continue
                stats["reads"] += 1
                writer = int(np.argmin([abs(float(v.frames.mean()) - x) for x in LEVELS]))
                if writer != v.metadata["writer"]:
                    stats["mismatch"] += 1         # pixels of one version, row of another
        stats["damaged"] += len(store.check()["damaged"])
    (root / f"stats-{me}.json").write_text(json.dumps(stats))
    """
)


def test_four_processes_put_and_read_the_same_keys(tmp_path: Path) -> None:
    script = tmp_path / "writer.py"
    script.write_text(_WRITER)
    root, n, rounds = tmp_path / "store", 4, 20
    RunStore(root)
    procs = _start(script, *([str(root), str(i), str(n), str(rounds)] for i in range(n)))
    assert _failures(procs, tail=2000) == []  # 0 crashes
    stats = [json.loads((root / f"stats-{i}.json").read_text()) for i in range(n)]
    assert sum(s["puts"] for s in stats) == n * rounds * 3
    assert sum(s["damaged"] for s in stats) == 0  # 0 damaged items seen by any audit
    assert sum(s["mismatch"] for s in stats) == 0  # every read was one whole item
    assert sum(s["missing"] for s in stats) <= n * 3  # only before a key's first put
    assert sum(s["reads"] for s in stats) >= n * rounds * 3 * 3 - n * 3
    store = RunStore(root)
    audit = store.check()
    assert len(audit["ok"]) == 3 and audit["damaged"] == []
    assert audit["orphan_videos"] == [] and audit["temporary"] == [] and audit["claims"] == []
    assert len(list((root / "videos").iterdir())) == 3  # one file per key: old versions removed
    for k in store.keys():
        row = store.row(k)
        assert row["round"] == rounds - 1 and row["metadata"]["writer"] == row["writer"]


def test_a_read_while_a_writer_replaces_the_item_returns_the_new_version(
    tmp_path: Path, monkeypatch
) -> None:
    """The race that killed a writer of the test above under load: a reader found the row of
    version A, a writer replaced the item (removing A's file), and the decoder's "no such file"
    came out as a VideoError instead of the FileNotFoundError that makes the reader retry."""
    from vidkit.io.container import open_input

    with pytest.raises(FileNotFoundError, match="no video at"):
        open_input(tmp_path / "gone.mp4")  # what the decoder says when the file is gone

    store = RunStore(tmp_path / "s")
    key = item_key("m", "p", 0)
    store.put(key, vk.Video(np.full((4, 16, 16, 3), 0.2, np.float32), fps=8), {"v": "A"})
    real_row, calls = RunStore.row, []

    def row_then_replace(self, k):
        row = real_row(self, k)
        calls.append(row["v"])
        if len(calls) == 1:  # after A's row was read and verified: B replaces A
            store.put(key, vk.Video(np.full((4, 16, 16, 3), 0.8, np.float32), fps=8), {"v": "B"})
            assert not (store.root / row["video"]).exists()
        return row

    monkeypatch.setattr(RunStore, "row", row_then_replace)
    v = store.video(key)
    assert calls[:2] == ["A", "B"] and abs(float(v.frames.mean()) - 0.8) < 0.05


# --------------------------------------------------------------------------- claims
_HOLDER = textwrap.dedent(
    """
    import sys, time
    from vidkit.store import RunStore
    store = RunStore(sys.argv[1])
    with store.claim(sys.argv[2]) as got:
        print("held", flush=True)
        time.sleep(float(sys.argv[3]))
    """
)


def test_claims_are_exclusive_reentrant_and_broken_when_the_holder_died(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "s")
    key = item_key("m", "p", 0)
    script = tmp_path / "holder.py"
    script.write_text(_HOLDER)
    # another live process holds it: not ours, and a timed wait ends with a clear error
    proc = subprocess.Popen(
        [sys.executable, str(script), str(store.root), key, "120"],
        env=ENV,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout.readline().strip() == "held"
        assert store.claimed(key)
        with store.claim(key, wait=False) as got:
            assert got is False
        with pytest.raises(TimeoutError, match=f"claimed by process {proc.pid}"):
            with store.claim(key, timeout=0.2):
                pass
        with pytest.raises(TimeoutError):  # put waits for the claim too
            store.put(key, vk.Video(np.zeros((2, 8, 8, 3), np.float32), fps=8), {}, timeout=0.2)
    finally:
        proc.kill()
        proc.wait()
    # the holder was killed: its claim is stale and is taken over at once
    assert not store.claimed(key)
    with store.claim(key, wait=False) as got:
        assert got is True
        with store.claim(key, wait=False) as again:  # re-entrant in this thread
            assert again is True
        assert store.claimed(key)
        store.put(key, vk.Video(np.full((2, 8, 8, 3), 0.5, np.float32), fps=8), {})
    assert not store.claimed(key) and store.has(key) and store.check()["claims"] == []


def test_put_waits_for_the_claim_instead_of_failing(tmp_path: Path, monkeypatch) -> None:
    """A put during another thread's claim waits for it (put takes the claim itself)."""
    import threading

    store = RunStore(tmp_path)
    key = item_key("m", "p", 0)
    order = []
    entered = threading.Event()

    def holder() -> None:
        with store.claim(key):
            entered.set()
            time.sleep(0.3)
            order.append("holder done")

    t = threading.Thread(target=holder)
    t.start()
    entered.wait(5)
    store.put(key, vk.Video(np.full((2, 8, 8, 3), 0.5, np.float32), fps=8), {})
    order.append("put done")
    t.join()
    assert order == ["holder done", "put done"] and store.has(key)


# --------------------------------------------------------------------------- two compare runs
_COMPARE = textwrap.dedent(
    """
    import os, sys, time
    from pathlib import Path
    import vidkit as vk
    import vidkit.sampling as sampling

    store, log, start, out = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4])
    real = sampling.generate

    def logged(*a, **k):                     # one line per video generated, with the process
        with open(log, "a") as f:
            f.write(f"{os.getpid()}|{a[0].model_id}|{k['prompt']}|{k['seed']}|{k.get('steps')}\\n")
        return real(*a, **k)

    sampling.generate = logged
    while not start.exists():                # both runs start together
        time.sleep(0.01)
    board = vk.compare(
        {"final": "vidkit/tiny-physics", "early": "vidkit/tiny-physics@early"},
        prompts=vk.comparison.load_prompts("tiny", limit=4), seeds=[0, 1], metrics=["physics"],
        store=store, progress=False, steps=4, n_bootstrap=200,
    )
    out.write_text(board.to_csv())
    """
)


def _compare_runs(tmp_path: Path, name: str, n: int) -> tuple[list[str], list[str]]:
    script = tmp_path / "compare_run.py"
    script.write_text(_COMPARE)
    store, log, start = tmp_path / name, tmp_path / f"{name}.log", tmp_path / f"{name}.start"
    outs = [tmp_path / f"{name}-{i}.csv" for i in range(n)]
    procs = _start(script, *([str(store), str(log), str(start), str(o)] for o in outs))
    start.write_text("")
    assert _failures(procs, tail=3000) == []  # no process died (e.g. KeyError: not in the store)
    audit = RunStore(store).check()
    assert audit["damaged"] == [] and audit["claims"] == [] and audit["orphan_videos"] == []
    return [o.read_text() for o in outs], (log.read_text().splitlines() if log.exists() else [])


@pytest.mark.slow
def test_two_compare_processes_on_one_store(tmp_path: Path) -> None:
    items = 2 * 4 * 2  # models x prompts x seeds
    boards, log = _compare_runs(tmp_path, "double", 2)
    # each item generated once over both processes (they share the work through the claims)
    made = [line.split("|", 1)[1] for line in log]
    assert len(made) == items and len(set(made)) == items
    assert len({line.split("|", 1)[0] for line in log}) in (1, 2)
    assert boards[0] == boards[1]
    assert "physics" in boards[0] and "final" in boards[0] and "early" in boards[0]

    # one process alone, from scratch, makes the same items (same keys, same frames up to the
    # H.264 encoder: libx264's frame threads make its output vary slightly under CPU load)
    (fresh,), fresh_log = _compare_runs(tmp_path, "single", 1)
    assert len(fresh_log) == items
    double, single = RunStore(tmp_path / "double"), RunStore(tmp_path / "single")
    assert double.keys() == single.keys() and len(double) == items
    for k in double.keys():
        assert vk.psnr(double.video(k), single.video(k)) > 35

    # and one process over the same videos ranks exactly as the two processes did
    same = tmp_path / "same"
    same.mkdir()
    for sub in ("store.json", "videos", "rows"):
        src = tmp_path / "double" / sub
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, same / sub)
    (board,), again = _compare_runs(tmp_path, "same", 1)
    assert again == []  # nothing generated
    assert board == boards[0]
