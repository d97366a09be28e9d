"""The ``vk.compare`` orchestration: plan the items, generate the missing ones, evaluate every
video and every model once, and build the :class:`~vidkit.comparison.leaderboard.Leaderboard`.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from vidkit.comparison.leaderboard import Leaderboard
from vidkit.comparison.metrics import DistributionMetric, Metric, VideoMetric, as_metric
from vidkit.comparison.models import REFERENCE, SynthModel, as_model, as_models
from vidkit.comparison.prompts import load_prompts
from vidkit.files import jsonable, stable_hash
from vidkit.sampling.batch import Processes as _Processes
from vidkit.sampling.batch import check_seeds as _check_seeds
from vidkit.sampling.batch import generate_missing as _generate_missing
from vidkit.sampling.identity import Model
from vidkit.store import RunStore, item_key
from vidkit.video import Video

_REFERENCE_SEED_OFFSET = 1_000_003


class _FixedVideos:
    """A fixed set of videos as a "model": seed i gives video i (for reference sets)."""

    def __init__(self, videos: list[Video], ident: str) -> None:
        self.videos = videos
        self.ident = ident

    def identity(self) -> dict[str, Any]:
        return {"videos": self.ident}

    def __call__(self, prompt: str, seed: int, **ignored: Any) -> Video:
        return self.videos[int(seed)]


def _plan(
    models: Mapping[str, Model],
    rows: Sequence[Mapping[str, Any]],
    seeds: Sequence[int],
    settings: Mapping[str, Any],
) -> list[dict[str, Any]]:
    items = []
    for name, model in models.items():
        ident = model.identity()
        merged = jsonable({**settings, **model.settings})
        for row in rows:
            for s in seeds:
                items.append(
                    {
                        "model": name,
                        "key": item_key(ident, row["prompt"], s, merged),
                        "prompt": row["prompt"],
                        "prompt_id": row["id"],
                        "seed": s,
                        "settings": merged,
                        "row": row,
                    }
                )
    return items


def _resolve_reference(
    reference: Any,
    rows: Sequence[Mapping[str, Any]],
    seeds: Sequence[int],
    items: Sequence[dict[str, Any]],
    store: RunStore,
    reference_seeds: Sequence[int] | None,
) -> tuple[Model, list[dict[str, Any]]]:
    """The reference "model" and its items (generated into the store like any model's)."""
    first = store.row(items[0]["key"])
    assert first is not None
    size = {
        "height": int(first["height"]),
        "width": int(first["width"]),
        "num_frames": int(first["frames"]),
        "fps": float(first["fps"]),
    }
    if isinstance(reference, str) and reference == "synth":
        reference = SynthModel()
    if (
        isinstance(reference, (str, os.PathLike))
        and Path(reference).expanduser().is_dir()
        and not (Path(reference).expanduser() / "model_index.json").is_file()
    ):
        from vidkit.io import read_video

        folder = Path(reference).expanduser()
        files = sorted(
            p
            for p in folder.iterdir()
            if p.suffix.lower() in (".mp4", ".webm", ".gif", ".mov", ".mkv")
        )
        if not files:
            raise ValueError(f"reference folder {str(folder)!r} holds no video files")
        reference = [read_video(p) for p in files]
    if (
        isinstance(reference, (list, tuple))
        and reference
        and all(isinstance(v, Video) for v in reference)
    ):
        vids = list(reference)
        h = hashlib.sha256()
        for v in vids:
            h.update(str(v.shape).encode())
            h.update(np.ascontiguousarray(v.uint8).tobytes())
        model = Model(_FixedVideos(vids, h.hexdigest()[:16]))
        ident = model.identity()
        ref_items = [
            {
                "model": REFERENCE,
                "key": item_key(ident, "reference video", i, {}),
                "prompt": "reference video",
                "prompt_id": f"ref{i:04d}",
                "seed": i,
                "settings": {},
                "row": {"id": f"ref{i:04d}", "prompt": "reference video"},
            }
            for i in range(len(vids))
        ]
        return model, ref_items
    model = as_model(reference)
    if model.kind == "callable" and isinstance(model.source, SynthModel):
        model.settings = {**size, **model.settings}
    ref_seeds = (
        [s + _REFERENCE_SEED_OFFSET for s in seeds]
        if reference_seeds is None
        else _check_seeds(reference_seeds)
    )
    return model, _plan({REFERENCE: model}, rows, ref_seeds, {})


def _evaluate_videos(
    items: Sequence[dict[str, Any]],
    metrics: Sequence[VideoMetric],
    store: RunStore,
    procs: _Processes,
    progress: bool,
) -> dict[str, dict[str, float]]:
    """Per-video metric values of every item (computed once, cached in the store)."""
    from tqdm.auto import tqdm

    unique = list({it["key"]: it for it in items}.values())
    procs.barrier()
    todo = []
    for it in unique:
        need = [m for m in metrics if store.get_eval(m.cache_id, it["key"]) is None]
        if need:
            todo.append(it)
    procs.barrier()
    mine = procs.split(todo)
    if mine:
        for m in metrics:
            m.setup()
    bar = tqdm(
        total=len(mine), desc="evaluating videos", unit="video", disable=not progress or not mine
    )
    try:
        for it in mine:
            video = store.video(it["key"])
            item = {
                **it["row"],
                "model": it["model"],
                "seed": it["seed"],
                "settings": it["settings"],
            }
            for m in metrics:
                if store.get_eval(m.cache_id, it["key"]) is None:
                    store.put_eval(m.cache_id, it["key"], m.evaluate(video, item))
            bar.update(1)
    finally:
        bar.close()
    procs.barrier()
    values: dict[str, dict[str, float]] = {}
    for it in unique:
        vals: dict[str, float] = {}
        for m in metrics:
            got = store.get_eval(m.cache_id, it["key"])
            if got is None:
                raise RuntimeError(f"metric {m.name} missing for item {it['key']} after evaluation")
            vals.update({k: float("nan") if v is None else float(v) for k, v in got.items()})
        values[it["key"]] = vals
    return values


def _evaluate_models(
    items: Sequence[dict[str, Any]],
    ref_items: Sequence[dict[str, Any]],
    metrics: Sequence[DistributionMetric],
    models: Sequence[str],
    store: RunStore,
    procs: _Processes,
    progress: bool,
) -> dict[str, dict[str, dict[str, Any]]]:
    from tqdm.auto import tqdm

    results: dict[str, dict[str, dict[str, Any]]] = {m: {} for m in models}
    if not metrics:
        return results
    everything = list({it["key"]: it for it in [*items, *ref_items]}.values())
    frames = min(int(store.row(it["key"])["frames"]) for it in everything)  # type: ignore[index]
    for m in metrics:
        m.bind(frames)
    # 1. features per video (cached), shared by metrics with the same extractor and protocol
    by_feature: dict[str, DistributionMetric] = {}
    for m in metrics:
        by_feature.setdefault(m.feature_id(), m)
    for fid, m in by_feature.items():
        procs.barrier()
        todo = [it["key"] for it in everything if store.get_features(fid, it["key"]) is None]
        procs.barrier()
        mine = procs.split(todo)
        bar = tqdm(
            total=len(mine),
            desc=f"features ({fid.split('-')[0]})",
            unit="video",
            disable=not progress or not mine,
        )
        try:
            batch = 16
            for a in range(0, len(mine), batch):
                keys = mine[a : a + batch]
                feats = m.features([store.video(k) for k in keys])
                for k, f in zip(keys, feats):
                    store.put_features(fid, k, f)
                bar.update(len(keys))
        finally:
            bar.close()
        procs.barrier()

    # 2. one result per (metric, model), cached by the exact set of videos
    ref_keys = [it["key"] for it in ref_items]
    plan = []
    for m in metrics:
        fid = m.feature_id()
        for name in models:
            keys = [it["key"] for it in items if it["model"] == name]
            rid = stable_hash({"metric": m.cache_id, "fake": keys, "real": ref_keys})
            plan.append((m, fid, name, keys, rid))
    procs.barrier()
    cached = {rid: store.get_result(m.cache_id, rid) for m, _, _, _, rid in plan}
    procs.barrier()
    done: dict[str, dict[str, Any]] = {}
    for m, fid, name, keys, rid in plan:
        res = cached.get(rid) or done.get(rid)
        if res is None:
            dim = None

            def rows_of(ks: Sequence[str], fid: str = fid) -> np.ndarray:
                arrs = [store.get_features(fid, k) for k in ks]
                if any(a is None for a in arrs):
                    raise RuntimeError("features missing after extraction")
                return np.concatenate(arrs, axis=0) if arrs else np.zeros((0, 0))

            fake_local = rows_of(procs.split(keys))
            real_local = rows_of(procs.split(ref_keys))
            dim = max(fake_local.shape[1], real_local.shape[1])
            if fake_local.size == 0:
                fake_local = np.zeros((0, dim))
            if real_local.size == 0:
                real_local = np.zeros((0, dim))
            res = m.compute(fake_local, real_local)
            res["metric"] = m.name
            if procs.is_main:
                store.put_result(m.cache_id, rid, res)
            done[rid] = res
        results[name][m.name] = res
    procs.barrier()
    return results


_SCALAR_SETTINGS = ("steps", "guidance", "strength", "fps", "num_frames", "height", "width")


def _check_bootstrap(n_bootstrap: Any, ci: Any) -> None:
    """``n_bootstrap`` an int >= 0 and ``ci`` a level in (0, 1), checked before any work."""
    from vidkit.errors import ArgumentError

    if isinstance(n_bootstrap, bool) or not isinstance(n_bootstrap, (int, np.integer)):
        raise TypeError(f"n_bootstrap must be an int >= 0 (0: no CIs), got {n_bootstrap!r}")
    if n_bootstrap < 0:
        raise ArgumentError(f"n_bootstrap must be an int >= 0 (0: no CIs), got {n_bootstrap}")
    if isinstance(ci, bool) or not isinstance(ci, (int, float, np.integer, np.floating)):
        raise TypeError(f"ci must be a confidence level in (0, 1) such as 0.95, got {ci!r}")
    if not 0 < ci < 1:  # NaN fails too
        raise ArgumentError(f"ci must be a confidence level in (0, 1) such as 0.95, got {ci!r}")


def compare(
    models: Mapping[str, Any],
    prompts: Any,
    seeds: int | Sequence[int] = (0,),
    *,
    metrics: Sequence[Any] = ("physics",),
    store: str | os.PathLike | RunStore = "runs/compare",
    reference: Any = None,
    reference_seeds: Sequence[int] | None = None,
    n_bootstrap: int = 1000,
    ci: float = 0.95,
    progress: bool = True,
    **gen_kwargs: Any,
) -> Leaderboard:
    """Generate, evaluate and rank models on a prompt suite; returns a :class:`Leaderboard`.

    Args:
        models: ``{name: model}``; a model is a load spec (hub id, folder,
            ``"vidkit/tiny-physics"``), a loaded pipeline, a callable
            ``fn(prompt, seed, **settings) -> Video``, a :class:`Model`, or a dict
            ``{"model": ..., **settings}``.
        prompts: a suite (see :func:`load_prompts`): ``"tiny"``, ``"physics"``, a ``.jsonl``
            file, a ``datasets.Dataset``, a list...
        seeds: the seeds; every model gets every prompt with every seed.
        metrics: names (``"physics"``, ``"clip[:model]"``, ``"fvd[:extractor]"``,
            ``"kvd[:extractor]"``) or :class:`Metric` objects. FVD/KVD need ``reference``.
        store: the run store folder (or a :class:`RunStore`); videos, evaluations and results
            are kept there, so a second call only does what is missing.
        reference: the "real" side of FVD/KVD: ``"synth"`` (the prompt's scene rendered by
            vk.synth with exact physics, at the generated videos' size, length and rate), any
            model (generated for the same prompts with ``reference_seeds``), a list of Videos, or
            a folder of video files.
        reference_seeds: seeds of a generated reference (default: the seeds + 1000003, so equal
            N on both sides and no seed shared with the models).
        n_bootstrap, ci: bootstrap resamples and level of the per-video metrics' CIs.
        progress: ``tqdm.auto`` progress bars.
        **gen_kwargs: generation settings for every model (``steps``, ``guidance``,
            ``num_frames``, ``height``, ``width``, ``negative_prompt``...).

    Example:
        >>> import tempfile
        >>> import vidkit as vk
        >>> from vidkit.comparison import load_prompts
        >>> board = vk.compare({"final": "vidkit/tiny-physics", "early": "vidkit/tiny-physics@early"},
        ...                    prompts=load_prompts("tiny", limit=4), seeds=[0, 1],
        ...                    metrics=["physics", "fvd"], reference="synth",
        ...                    store=tempfile.mkdtemp(), progress=False)
        >>> board.order()  # the trained model beats its early checkpoint on both metrics
        ['final', 'early']
        >>> board.plot(); board.show(prompt=0)  # in a notebook  # doctest: +SKIP
    """
    _check_bootstrap(n_bootstrap, ci)  # before any model is loaded or video generated
    from vidkit.sampling import check_settings

    check_settings(**{k: v for k, v in gen_kwargs.items() if k in _SCALAR_SETTINGS})
    model_map = as_models(models)
    rows = load_prompts(prompts)
    seed_list = _check_seeds(seeds)
    if isinstance(metrics, (str, Metric)):
        metrics = [metrics]
    metric_list = [as_metric(m) for m in metrics]
    names = [m.name for m in metric_list]
    if len(set(names)) != len(names):
        raise ValueError(f"metric names must be unique, got {names}")
    video_metrics = [m for m in metric_list if m.scope == "video"]
    model_metrics = [m for m in metric_list if m.scope == "model"]
    if model_metrics and reference is None:
        raise ValueError(
            f"{model_metrics[0].name} compares each model with a reference set: pass reference="
            "'synth' (vk.synth scenes for the prompts), a list of Videos, a folder of videos or a "
            "model"
        )
    for bad in ("prompt", "seed", "callbacks", "record"):
        if bad in gen_kwargs:
            raise ValueError(f"{bad!r} is not a generation setting of compare")
    if not isinstance(store, RunStore):
        store = RunStore(store)
    procs = _Processes()
    if procs.is_main:
        store.clean()
    items = _plan(model_map, rows, seed_list, gen_kwargs)
    _generate_missing(items, model_map, store, procs, progress, "generating")
    ref_items: list[dict[str, Any]] = []
    if model_metrics:
        ref_model, ref_items = _resolve_reference(
            reference, rows, seed_list, items, store, reference_seeds
        )
        _generate_missing(ref_items, {REFERENCE: ref_model}, store, procs, progress, "reference")
    values = _evaluate_videos(items, video_metrics, store, procs, progress) if video_metrics else {}
    model_results = _evaluate_models(
        items, ref_items, model_metrics, list(model_map), store, procs, progress
    )
    import pandas as pd

    records = []
    for it in items:
        rec = {
            "model": it["model"],
            "prompt_id": it["prompt_id"],
            "prompt": it["prompt"],
            "seed": it["seed"],
            "key": it["key"],
        }
        for k in ("kind",):
            if k in it["row"]:
                rec[k] = it["row"][k]
        rec.update(values.get(it["key"], {}))
        records.append(rec)
    board = Leaderboard(
        pd.DataFrame(records),
        model_results,
        metric_list,
        store=store,
        models=list(model_map),
        n_bootstrap=n_bootstrap,
        ci=ci,
    )
    return board
