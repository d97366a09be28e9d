"""Batch generation: the one run engine behind ``vk.generate_many`` and ``vk.compare``.

Both write into a :class:`~vidkit.store.RunStore`. Each item is keyed by the model's identity
(spec and the fingerprint of its files or weights, variant such as ``@early``, hub revision, load
arguments), the prompt, the seed and every generation setting (:func:`vidkit.store.item_key`), so
a changed model or setting makes new items and a finished item is never made again. An item is
claimed before it is generated, so any number of processes can work on one store: processes
launched together (``accelerate launch``, or ``num_processes=N``) each take their share
(accelerate's ``split_between_processes``); independent runs skip what another has claimed and
wait for it. A missing, truncated or altered video, or a damaged row, reads as missing and is made
again.

Example:
    >>> import tempfile, vidkit as vk
    >>> table = vk.generate_many("vidkit/tiny-physics", ["a red ball falls"], [0, 1],
    ...                          tempfile.mkdtemp(), steps=4, progress=False)
    >>> table[["prompt", "seed", "done"]].values.tolist()
    [['a red ball falls', 0, True], ['a red ball falls', 1, True]]
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from vidkit.files import atomic_write_json, jsonable
from vidkit.sampling.identity import Model, hub_revision
from vidkit.store import RunStore, check_ext, item_key

__all__ = [
    "Processes",
    "check_seeds",
    "generate_many",
    "generate_missing",
    "hub_revision",
    "run_worker",
]


# --------------------------------------------------------------------------- processes
class Processes:
    """This process's share of the work: accelerate's PartialState under a launcher, else one.

    Example:
        >>> Processes().split([1, 2, 3])  # one process: everything
        [1, 2, 3]
    """

    def __init__(self) -> None:
        self.state: Any = None
        self.rank, self.world = 0, 1
        if int(os.environ.get("WORLD_SIZE", "1")) > 1:
            import torch
            from accelerate import PartialState

            self.state = PartialState(cpu=not torch.cuda.is_available())
            self.rank, self.world = self.state.process_index, self.state.num_processes

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def device(self) -> Any:
        return None if self.state is None else self.state.device

    def barrier(self) -> None:
        if self.state is not None:
            self.state.wait_for_everyone()

    def split(self, seq: Sequence[Any]) -> list[Any]:
        """This process's contiguous share (accelerate's ``split_between_processes``; shares in
        rank order concatenate back to ``seq``)."""
        seq = list(seq)
        if self.state is None:
            return seq
        with self.state.split_between_processes(seq) as mine:
            return list(mine)


def check_seeds(seeds: Any) -> list[int]:
    """The seeds as a list of distinct non-negative ints (one int is a list of one).

    Example:
        >>> check_seeds(3), check_seeds([0, 1])
        ([3], [0, 1])
    """
    if isinstance(seeds, (int, np.integer)) and not isinstance(seeds, bool):
        seeds = [int(seeds)]
    if not isinstance(seeds, Iterable) or isinstance(seeds, (str, bytes, Mapping)):
        raise TypeError(f"seeds must be an int or a list of ints, got {seeds!r}")
    out = []
    for s in seeds:
        if isinstance(s, bool) or not isinstance(s, (int, np.integer)) or not 0 <= s < 2**63:
            raise ValueError(f"seeds must be non-negative integers below 2**63, got {s!r}")
        out.append(int(s))
    if not out:
        raise ValueError("seeds is empty")
    if len(set(out)) != len(out):
        raise ValueError(f"seeds must be distinct, got {out}")
    return out


# --------------------------------------------------------------------------- the engine
def _versions() -> dict[str, str | None]:
    from importlib.metadata import PackageNotFoundError, version

    out: dict[str, str | None] = {}
    for pkg in ("vidkit", "torch", "diffusers"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = None
    return out


def generate_missing(
    items: Sequence[Mapping[str, Any]],
    models: Mapping[str, Any],
    store: RunStore,
    procs: Processes,
    progress: bool,
    desc: str,
    *,
    poll: float = 0.2,
) -> int:
    """Make every missing item of ``items`` in ``store``; returns how many this process made.

    ``items`` are dicts with ``model`` (a name in ``models``), ``key``, ``prompt``, ``prompt_id``,
    ``seed``, ``settings`` (JSON, recorded and hashed), ``row`` (the prompt's suite row), and
    optionally ``gen_kwargs`` (what is passed to the model, default ``settings``) and ``ext``.
    ``models`` maps names to objects with ``kind``, ``identity()``, ``load(device)``,
    ``generate(prompt, seed, **settings)`` and ``release()`` (:class:`vidkit.sampling.identity.Model`).

    Each process makes its share of the missing items (accelerate's split under a launcher, all
    of them otherwise), skipping those another process has claimed, then waits until every item
    is present, making any whose claim was abandoned (its process died). Every item is claimed
    before it is made and checked again under the claim, so no item is made twice, whatever
    number of processes (launched together or started independently) work on the store.

    Example:
        >>> import tempfile, numpy as np, vidkit as vk
        >>> from vidkit.sampling.identity import Model
        >>> from vidkit.store import item_key
        >>> def grey(prompt, seed, **settings):
        ...     return vk.Video(np.full((2, 8, 8, 3), seed / 10, np.float32))
        >>> items = [
        ...     {"model": "m", "key": item_key("grey", "a", s), "prompt": "a", "prompt_id": "p0",
        ...      "seed": s, "settings": {}, "row": {"id": "p0", "prompt": "a"}}
        ...     for s in (0, 1)]
        >>> store = RunStore(tempfile.mkdtemp())
        >>> generate_missing(items, {"m": Model(grey, id="grey")}, store, Processes(),
        ...                  progress=False, desc="generating")
        2
        >>> generate_missing(items, {"m": Model(grey, id="grey")}, store, Processes(),
        ...                  progress=False, desc="generating")  # all present: nothing to do
        0
    """
    from tqdm.auto import tqdm

    procs.barrier()
    missing = set(store.missing(it["key"] for it in items))
    todo, seen = [], set()
    for it in items:
        if it["key"] in missing and it["key"] not in seen:
            seen.add(it["key"])
            todo.append(it)
    procs.barrier()  # every process has decided before anyone writes
    mine = procs.split(todo)
    versions = _versions()
    host = platform.node()
    made = 0
    label = desc if procs.world == 1 else f"{desc} [process {procs.rank + 1}/{procs.world}]"
    bar = tqdm(total=len(mine), desc=label, unit="video", disable=not progress or not todo)

    def make(it: Mapping[str, Any]) -> bool:
        """Claim, check and make one item; False when another process has it or it is present."""
        with store.claim(it["key"], wait=False) as got:
            if not got or store.has(it["key"]):
                return False
            model = models[it["model"]]
            if model.kind == "spec":
                model.load(procs.device)
            t0 = time.perf_counter()
            video = model.generate(it["prompt"], it["seed"], **it.get("gen_kwargs", it["settings"]))
            gen_s = time.perf_counter() - t0
            extra = {k: v for k, v in it["row"].items() if k not in ("id", "prompt")}
            row = {
                "model": it["model"],
                "model_identity": model.identity(),
                "prompt": it["prompt"],
                "prompt_id": it["prompt_id"],
                "seed": it["seed"],
                "settings": it["settings"],
                "prompt_row": extra,
                "gen_seconds": gen_s,
                "process_index": procs.rank,
                "num_processes": procs.world,
                "host": host,
                "versions": versions,
            }
            store.put(it["key"], video, row, ext=it.get("ext", "mp4"))
            return True

    def count(it: Mapping[str, Any]) -> None:
        nonlocal made
        made += 1
        if made > bar.total:
            bar.total = made
        bar.update(1)

    try:
        for name in dict.fromkeys(it["model"] for it in mine):  # one model in memory at a time
            for it in (x for x in mine if x["model"] == name):
                if make(it):
                    count(it)
            models[name].release()
        procs.barrier()  # the launched processes have done their shares
        pending = [it for it in todo if not store.has(it["key"])]
        while pending:  # items other processes claimed: wait, or take over abandoned claims
            time.sleep(poll)
            still = []
            for it in pending:
                if store.has(it["key"]):
                    continue
                if make(it):
                    count(it)
                elif not store.has(it["key"]):
                    still.append(it)
            pending = still
    finally:
        bar.close()
        for model in models.values():
            model.release()
    procs.barrier()
    return made


# --------------------------------------------------------------------------- generate_many
def _as_model(pipe_or_spec: Any) -> tuple[Any, str, dict[str, Any] | None]:
    """(Model, name for the rows, spec each worker process can load or None)."""

    if isinstance(pipe_or_spec, (str, os.PathLike)):
        text = os.fspath(pipe_or_spec)
        return Model(text), text, {"model": text}
    if isinstance(pipe_or_spec, Mapping):
        if "model" not in pipe_or_spec:
            raise ValueError(
                f"a pipeline spec dict needs a 'model' key, got {sorted(pipe_or_spec)}"
            )
        spec = dict(pipe_or_spec)
        model = spec.pop("model")
        if not isinstance(model, (str, os.PathLike)):
            raise TypeError(
                f"the spec's 'model' must be a folder or hub id, got {type(model).__name__}"
            )
        text = os.fspath(model)
        return Model(text, load_kwargs=spec), text, {"model": text, **spec}
    model = Model(pipe_or_spec)
    inner = getattr(pipe_or_spec, "pipeline", pipe_or_spec)
    name = getattr(pipe_or_spec, "model_id", None) or type(inner).__name__
    return model, str(name), None


def generate_many(
    pipe_or_spec: Any,
    prompts: str | Sequence[str],
    seeds: int | Sequence[int],
    out_dir: str | os.PathLike,
    *,
    num_processes: int = 1,
    ext: str = "mp4",
    timeout: float | None = None,
    progress: bool = True,
    **generate_kwargs: Any,
) -> Any:
    """Generate every prompt x seed into the run store ``out_dir``, resumably, over processes.

    ``out_dir`` is a :class:`~vidkit.store.RunStore`: each video is published atomically as
    ``videos/<key>.<sha>.<ext>`` with its row ``rows/<key>.json`` (parameters, the video's
    metadata and its sha256). The key hashes the model's identity (spec with the fingerprint of
    its files or weights, variant such as ``@early``, hub revision, load arguments), the prompt,
    the seed and ``generate_kwargs``, so another model or setting never reuses an item. Running
    again (after a crash, a ``kill -9`` or damage) makes only what is missing: a deleted or
    truncated video, or a garbled row, is made again. Any number of processes may work on one
    ``out_dir`` at once; items are claimed, so none is made twice.

    Work is split with ``accelerate.PartialState().split_between_processes``: under ``accelerate
    launch`` each launched process takes its share; with ``num_processes=N`` (and no launcher)
    vidkit starts N worker processes with the environment variables accelerate sets (gloo on
    CPU). Several processes need ``pipe_or_spec`` to be loadable in each: a local folder (e.g.
    ``vk.testing.save_tiny_pipeline``), a hub id, ``"vidkit/tiny-physics"``, or a dict of
    ``vk.load`` arguments with a ``"model"`` key.

    Args:
        pipe_or_spec: a loaded pipeline, a load spec, or a dict ``{"model": spec, **load_kwargs}``.
        prompts, seeds: every prompt is generated with every seed (seeds distinct, >= 0).
        out_dir: the run store folder (created when missing).
        num_processes: worker processes to start (1: this process).
        ext: container of the stored videos: ``mp4`` (default), ``webm``, ``mkv``, ``mov`` or
            ``gif``. Anything else (a path, ``..``) is refused before any work.
        timeout: seconds to wait for the workers (``TimeoutError`` after).
        progress: a ``tqdm.auto`` progress bar.
        **generate_kwargs: passed to :func:`vidkit.generate` (``steps``, ``guidance``...).

    Returns:
        A pandas DataFrame, one row per item: id (the store key), model, prompt, seed, path,
        done.

    Example:
        >>> import tempfile, vidkit as vk
        >>> folder = vk.testing.save_tiny_pipeline(tempfile.mkdtemp() + "/tiny-wan", "wan")
        >>> out = tempfile.mkdtemp()
        >>> table = vk.generate_many(folder, ["a ball", "a cube"], [0, 1], out, steps=2,
        ...                          progress=False)
        >>> len(table), bool(table["done"].all())
        (4, True)
        >>> again = vk.generate_many(folder, ["a ball", "a cube"], [0, 1], out, steps=2,
        ...                          progress=False)  # resumes: every item is present
        >>> again["path"].tolist() == table["path"].tolist()
        True
        >>> table = vk.generate_many(folder, ["a ball"], [0, 1], tempfile.mkdtemp(),
        ...                          num_processes=2, steps=2)  # doctest: +SKIP
    """
    import pandas as pd

    # ---- every argument is checked before anything is loaded or written
    prompt_list = [prompts] if isinstance(prompts, str) else prompts
    if (
        not isinstance(prompt_list, Sequence)
        or not prompt_list
        or not all(isinstance(p, str) for p in prompt_list)
    ):
        raise TypeError(f"prompts must be a string or a non-empty list of strings, got {prompts!r}")
    seed_list = check_seeds(0 if seeds is None else seeds)  # None: seed 0, as before
    ext = check_ext(ext)
    if not isinstance(out_dir, (str, os.PathLike)):
        raise TypeError(f"out_dir must be a folder path, got {type(out_dir).__name__}")
    if isinstance(num_processes, bool) or not isinstance(num_processes, (int, np.integer)):
        raise TypeError(f"num_processes must be a positive int, got {num_processes!r}")
    if num_processes < 1:
        raise ValueError(f"num_processes must be >= 1, got {num_processes}")
    if timeout is not None and (
        isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0
    ):
        raise ValueError(f"timeout must be a positive number of seconds or None, got {timeout!r}")
    for bad in ("prompt", "seed", "image", "video", "callbacks", "record"):
        if bad in generate_kwargs:
            raise ValueError(f"generate_many does not take {bad!r} (one job = prompts x seeds)")
    model, name, spec = _as_model(pipe_or_spec)
    in_launch = int(os.environ.get("WORLD_SIZE", "1")) > 1
    if num_processes > 1 and not in_launch and spec is None:
        raise TypeError(
            "generate_many with several processes needs a spec each process can load: a folder "
            f"or hub id, or a dict of vk.load arguments; got {type(pipe_or_spec).__name__}"
        )
    settings = jsonable(dict(generate_kwargs))
    hashed = settings if ext == "mp4" else {**settings, "_ext": ext}
    ident = model.identity()

    store = RunStore(out_dir)
    items = [
        {
            "model": name,
            "key": item_key(ident, p, s, hashed),
            "prompt": p,
            "prompt_id": f"p{pi:04d}",
            "seed": s,
            "settings": settings,
            "row": {"id": f"p{pi:04d}", "prompt": p},
            "ext": ext,
        }
        for pi, p in enumerate(prompt_list)
        for s in seed_list
    ]
    if not in_launch or int(os.environ.get("RANK", "0")) == 0:
        store.clean()
    if num_processes > 1 and not in_launch:
        if store.missing(it["key"] for it in items):
            job = {"spec": spec, "name": name, "items": items}
            job_path = store.root / f".job.{os.getpid()}-{time.time_ns()}.tmp.json"
            atomic_write_json(job_path, job)
            try:
                _launch_workers(job_path, num_processes, timeout)
            finally:
                with contextlib.suppress(OSError):
                    job_path.unlink()
    else:
        for it in items:
            it["gen_kwargs"] = dict(generate_kwargs)  # the objects themselves, not their JSON
        generate_missing(items, {name: model}, store, Processes(), progress, "generate_many")
    rows = []
    for it in items:
        row = store.row(it["key"])
        path = store.root / row["video"] if row else store.video_path(it["key"])
        rows.append(
            {
                "id": it["key"],
                "model": name,
                "prompt": it["prompt"],
                "seed": it["seed"],
                "path": str(path),
                "done": row is not None,
            }
        )
    return pd.DataFrame(rows)


def _free_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cuda() -> bool:
    import torch

    return torch.cuda.is_available()


def _launch_workers(job_path: Path, n: int, timeout: float | None) -> None:
    """Start ``n`` worker processes with accelerate's environment variables and wait for them."""
    port = _free_port()
    threads = max(1, (os.cpu_count() or 1) // n)
    procs = []
    for rank in range(n):
        env = dict(os.environ)
        env.update(
            RANK=str(rank),
            LOCAL_RANK=str(rank),
            WORLD_SIZE=str(n),
            LOCAL_WORLD_SIZE=str(n),
            MASTER_ADDR="127.0.0.1",
            MASTER_PORT=str(port),
            OMP_NUM_THREADS=str(threads),
        )
        if not _cuda():
            env["ACCELERATE_USE_CPU"] = "true"
        cmd = [sys.executable, "-m", "vidkit.sampling.worker", str(job_path)]
        procs.append(subprocess.Popen(cmd, env=env))
    deadline = None if timeout is None else time.monotonic() + timeout
    failed = []
    try:
        for rank, p in enumerate(procs):
            left = None if deadline is None else max(0.1, deadline - time.monotonic())
            rc = p.wait(timeout=left)
            if rc != 0:
                failed.append((rank, rc))
    except subprocess.TimeoutExpired:
        for p in procs:
            p.kill()
        raise TimeoutError(f"generate_many workers did not finish within {timeout} s") from None
    except BaseException:
        for p in procs:
            p.kill()
        raise
    if failed:
        raise RuntimeError(
            f"generate_many worker(s) failed: {', '.join(f'rank {r} exit code {c}' for r, c in failed)}"
            "; finished items are kept, run again to resume"
        )


def run_worker(job_path: str | os.PathLike) -> None:
    """One worker of ``generate_many(num_processes=N)``: its share of the job's items (started as
    ``python -m vidkit.sampling.worker JOB`` with accelerate's environment variables).

    Example:
        >>> run_worker("no-such-job.json")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        FileNotFoundError: ...
    """
    import torch
    from diffusers.utils import logging as dlogging
    from transformers.utils import logging as tlogging

    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
    dlogging.disable_progress_bar()  # workers are not interactive: one bar per worker is enough
    tlogging.disable_progress_bar()
    job = json.loads(Path(job_path).read_text())
    spec = dict(job["spec"])
    model = Model(spec.pop("model"), load_kwargs=spec)  # the keys were made by the launcher
    store = RunStore(Path(job_path).parent)
    generate_missing(job["items"], {job["name"]: model}, store, Processes(), True, "generate_many")
