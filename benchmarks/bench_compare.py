"""Throughput of ``vk.compare`` and the share of its time spent outside generation.

A fresh run store; two settings of one model over a prompt suite. Three timed runs:

1. generation only (``metrics=[]``): model calls + writing the store (mp4, sha256, row);
2. evaluation only (the same call with metrics: every video is already in the store);
3. a repeat of (2): nothing left to do (integrity checks of the store and cached results).

Printed: videos/s of the whole comparison, the pure generation time (sum of the model calls
recorded in the rows), and the shares of store bookkeeping and of evaluation.

The model is the bundled tiny model (``vidkit/tiny-physics``: 16 and 4 steps) when it is installed,
else two random tiny Wan pipelines (``vk.testing``) of the same size.

Usage: ``python benchmarks/bench_compare.py [--prompts N] [--seeds N]``
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import warnings

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TQDM_DISABLE", "1")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--prompts", type=int, default=12, help="prompts of the tiny suite")
    p.add_argument("--seeds", type=int, default=2)
    args = p.parse_args()

    import torch

    import vidkit as vk
    from vidkit._config import data_dir
    from vidkit.comparison import load_prompts
    from vidkit.metrics.synth_encoder import default_weights

    warnings.filterwarnings("ignore")
    suite = load_prompts("tiny", limit=args.prompts)
    seeds = list(range(args.seeds))
    if (data_dir() / "tiny-physics" / "model_index.json").is_file():
        pipe = vk.load("vidkit/tiny-physics")
        models = {"16 steps": {"model": pipe, "steps": 16}, "4 steps": {"model": pipe, "steps": 4}}
        what = "vidkit/tiny-physics (16 and 4 steps)"
    else:
        a = vk.testing.tiny_pipeline("wan", "t2v", seed=0)
        b = vk.testing.tiny_pipeline("wan", "t2v", seed=1)
        models = {"a": {"model": a, "steps": 4}, "b": {"model": b, "steps": 4}}
        what = "two random tiny Wan pipelines (4 steps; the tiny model is not installed)"
    metrics = ["physics"]
    if default_weights().is_file():
        metrics += ["fvd", "kvd"]
    n = len(models) * len(suite) * len(seeds)
    print(f"model: {what}")
    print(
        f"{len(models)} models x {len(suite)} prompts x {len(seeds)} seeds = {n} videos; ", end=""
    )
    print(f"metrics {metrics}; torch threads {torch.get_num_threads()}")

    with tempfile.TemporaryDirectory() as tmp:
        store = os.path.join(tmp, "store")
        kw = dict(seeds=seeds, store=store, progress=False)
        t0 = time.perf_counter()
        vk.compare(models, suite, metrics=[], **kw)
        t_gen = time.perf_counter() - t0
        rows = vk.comparison.RunStore(store).rows()
        pure = sum(r["gen_seconds"] for r in rows)
        t0 = time.perf_counter()
        board = vk.compare(models, suite, metrics=metrics, reference="synth", **kw)
        t_eval = time.perf_counter() - t0
        t0 = time.perf_counter()
        vk.compare(models, suite, metrics=metrics, reference="synth", **kw)
        t_again = time.perf_counter() - t0

    total = t_gen + t_eval
    store_share = (t_gen - pure) / t_gen
    print()
    print(f"generation phase  {t_gen:7.2f} s  (model calls {pure:.2f} s, {n / pure:.2f} videos/s)")
    print(f"  store bookkeeping outside the model calls: {t_gen - pure:.2f} s = {store_share:.1%}")
    print(f"evaluation phase  {t_eval:7.2f} s  (reference set + {', '.join(metrics)})")
    print(f"whole comparison  {total:7.2f} s  -> {n / total:.2f} videos/s")
    print(f"  share outside generation (store + evaluation): {(total - pure) / total:.1%}")
    print(f"  share outside generation and evaluation (store only): {(t_gen - pure) / total:.1%}")
    print(f"repeat with everything cached: {t_again:.2f} s ({t_again / n * 1000:.1f} ms per video)")
    print()
    print(board.to_markdown(), end="")


if __name__ == "__main__":
    main()
