"""Overhead of ``vk.generate`` over calling the diffusers pipeline directly (tiny pipelines, CPU).

For each tiny family the same generation runs both ways with identical arguments and generators,
interleaved, ``--repeats`` times; the script prints the median time of each, the overhead in
percent, and whether the frames are identical. vidkit's extra work per call is argument checks,
conditioning preparation, metadata, and the conversion of the output to a Video.

Times are process CPU time (``time.process_time``: the CPU this process used, all threads), which a
busy shared machine disturbs far less than wall time; wall-time medians are printed as well. The
``outside`` column is the part of ``vk.generate`` spent outside the pipeline call, measured inside
the same call (``vk`` total minus the pipeline call), so it is immune to drift between runs.

The bar (issue 15) is an ``outside`` share <= 2% of the plain diffusers call for every family;
the last column says whether it holds. By default every tiny pipeline of ``vk.testing.TINY_PIPELINES``
runs (its first task); ``--families wan:t2v,svd:i2v`` picks.

Run: ``.venv/bin/python benchmarks/bench_generate.py [--repeats 15]``
"""

from __future__ import annotations

import os

os.environ.setdefault("TQDM_DISABLE", "1")  # before tqdm is imported: no bars in the timings

import argparse
import statistics
import time
import warnings

import numpy as np
import torch

import vidkit as vk
from vidkit.sampling.conditioning import prepare_image


def _direct_kwargs(pipe: vk.sampling.VideoPipeline, image: np.ndarray | None) -> dict:
    d = pipe.defaults
    kw = {
        "num_inference_steps": d["steps"],
        "height": d["height"],
        "width": d["width"],
        "num_frames": d["num_frames"],
        "output_type": "np",
        **pipe.call_defaults,
    }
    fam = pipe.family
    kw[fam.guidance_arg] = float(d["guidance"])
    if fam.fps_arg:
        kw[fam.fps_arg] = d["fps"] if fam.fps_arg != "fps" else int(round(d["fps"]))
    if image is not None:
        kw["image"] = prepare_image(image, d["height"], d["width"])
    if fam.text_conditioned:
        kw["prompt"] = ["a red ball bounces"]
    return kw


def bench(family: str, task: str, repeats: int) -> dict:
    pipe = vk.testing.tiny_pipeline(family, task)
    dpipe = pipe.pipeline
    image = np.full((pipe.defaults["height"], pipe.defaults["width"], 3), 0.5, np.float32)
    image = image if task == "i2v" else None
    prompt = "a red ball bounces" if pipe.family.text_conditioned else None
    direct_kw = _direct_kwargs(pipe, image)

    def direct() -> np.ndarray:
        gen = [torch.Generator("cpu").manual_seed(0)]
        with torch.inference_mode():
            return dpipe(generator=gen, **direct_kw).frames[0]

    def wrapped(progress: bool) -> vk.Video:
        return vk.generate(pipe, prompt=prompt, image=image, seed=0, progress=progress)

    for _ in range(2):  # warm-up both paths
        direct()
        wrapped(False)
    cpu: dict[str, list[float]] = {"direct": [], "vk": [], "vk+progress": []}
    wall: dict[str, list[float]] = {"direct": [], "vk": [], "vk+progress": []}
    outside: list[float] = []
    frames = {}
    for _ in range(repeats):
        for name, fn in (
            ("direct", direct),
            ("vk", lambda: wrapped(False)),
            ("vk+progress", lambda: wrapped(True)),
        ):
            w0, c0 = time.perf_counter(), time.process_time()
            out = fn()
            cpu[name].append(time.process_time() - c0)
            wall[name].append(time.perf_counter() - w0)
            frames[name] = out.frames if isinstance(out, vk.Video) else out
            if name == "vk":
                # generate times the pipeline call alone (metadata wall_time_s)
                outside.append(wall[name][-1] - out.metadata["wall_time_s"])
    mc = {k: statistics.median(v) for k, v in cpu.items()}
    mw = {k: statistics.median(v) for k, v in wall.items()}
    return {
        "model": f"{family}-{task}",
        "direct_cpu": mc["direct"],
        "vk_cpu": mc["vk"],
        "overhead_cpu_pct": 100 * (mc["vk"] / mc["direct"] - 1),
        "overhead_progress_cpu_pct": 100 * (mc["vk+progress"] / mc["direct"] - 1),
        "direct_wall": mw["direct"],
        "vk_wall": mw["vk"],
        "outside_ms": 1000 * statistics.median(outside),
        "outside_pct": 100 * statistics.median(outside) / mw["direct"],
        "identical": bool(np.array_equal(frames["direct"], frames["vk"]))
        and bool(np.array_equal(frames["direct"], frames["vk+progress"])),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=15)
    ap.add_argument("--families", default=None, help="family:task,... (default: every tiny family)")
    ap.add_argument("--bar", type=float, default=2.0, help="the largest outside share, percent")
    args = ap.parse_args()
    specs = (
        args.families.split(",")
        if args.families
        else [f"{name}:{tasks[0]}" for name, (_, tasks) in vk.testing.TINY_PIPELINES.items()]
    )
    warnings.simplefilter("ignore")
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, repeats={args.repeats}")
    head = (
        f"{'model':<15}{'direct cpu':>11}{'vk cpu':>9}{'overhead':>10}{'+progress':>11}"
        f"{'direct wall':>12}{'vk wall':>9}{'outside':>10}{'outside %':>10}{'identical':>10}"
        f"{'bar':>6}"
    )
    print(head)
    held = True
    skipped: list[str] = []
    for spec in specs:
        family, task = spec.split(":")
        try:
            r = bench(family, task, args.repeats)
        except Exception as exc:  # a family whose direct call this script cannot build
            print(f"{family + '-' + task:<15}skipped: {type(exc).__name__}: {exc}"[:160])
            skipped.append(spec)
            continue
        ok = r["outside_pct"] <= args.bar
        held &= ok
        print(
            f"{r['model']:<15}{r['direct_cpu']:>10.3f}s{r['vk_cpu']:>8.3f}s"
            f"{r['overhead_cpu_pct']:>9.2f}%{r['overhead_progress_cpu_pct']:>10.2f}%"
            f"{r['direct_wall']:>11.3f}s{r['vk_wall']:>8.3f}s{r['outside_ms']:>8.2f}ms"
            f"{r['outside_pct']:>9.2f}%{str(r['identical']):>10}{'ok' if ok else 'OVER':>6}"
        )
    verdict = "held" if held else "NOT held"
    print(f"bar: outside <= {args.bar}% of the direct call: {verdict} for every family measured")
    if skipped:
        print(f"not measured (no direct call built for them here): {', '.join(skipped)}")


if __name__ == "__main__":
    main()
