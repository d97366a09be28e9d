"""Quality of the bundled tiny model, measured by vidkit's own evaluators (full table).

Scores the final and the early checkpoint side by side on the same fixed, seeded held-out set
(:func:`vidkit.tiny.evaluate.evaluate`): prompt adherence (colour, direction), motion realism
(fitted g, vanish/teleport findings), image-to-video and video-to-video fidelity, and FVD in the
SynthEncoder feature space against held-out real clips (with a second real set and violated
scenes as references).

    python benchmarks/tiny_quality.py [--n 128] [--threads 2] [--guidance G] [--csv out.csv]
        [--scene-start 1300000 --seed 10000]   # the model card's second held-out set
"""

from __future__ import annotations

import argparse
import time

import torch

BARS = {
    "color_accuracy": (">=", 0.90),
    "direction_accuracy": (">=", 0.80),
    "g_within_20pct": (">=", 0.70),
    "no_vanish_teleport": (">=", 0.90),
    "i2v_first_frame_psnr_ge_25": (">=", 0.90),
    "v2v_psnr_s03_ge_20": (">=", 0.90),
    "v2v_s09_farther": (">=", 0.90),
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=128, help="text-to-video samples per model")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=25)
    ap.add_argument("--guidance", type=float, default=None, help="default: the model's own")
    ap.add_argument("--seed", type=int, default=0, help="offset of the generation seeds")
    ap.add_argument(
        "--scene-start",
        type=int,
        default=None,
        help="seed of the first held-out scene (default EVAL_SEED; another value: another set)",
    )
    ap.add_argument("--csv", default=None, help="write the per-sample rows of the final model")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)

    import pandas as pd

    import vidkit as vk
    from vidkit.tiny.evaluate import EVAL_SEED, evaluate

    guidance = args.guidance if args.guidance is not None else vk.tiny.DEFAULT_GUIDANCE
    start = EVAL_SEED if args.scene_start is None else args.scene_start
    print(
        f"{args.n} text-to-video prompts (scenes from seed {start}, generation seeds from "
        f"{args.seed}), {args.steps} steps, guidance {guidance:g}"
    )
    results = {}
    for name, early in (("final", False), ("early", True)):
        pipe = vk.tiny.load_pipeline(early=early)
        t = time.perf_counter()
        rep = evaluate(
            pipe,
            n=args.n,
            seed=args.seed,
            scene_start=start,
            num_inference_steps=args.steps,
            guidance_scale=guidance,
        )
        print(f"{name}: {time.perf_counter() - t:.0f} s")
        results[name] = rep
    table = pd.DataFrame({k: r.summary for k, r in results.items()})
    table["bar"] = [f"{BARS[k][0]} {BARS[k][1]}" if k in BARS else "" for k in table.index]
    table["final meets bar"] = [
        ("yes" if table.loc[k, "final"] >= BARS[k][1] else "NO") if k in BARS else ""
        for k in table.index
    ]
    with pd.option_context("display.width", 140, "display.max_rows", 100):
        print(table.round(3).to_string())
    f = results["final"].summary
    print(
        f"\nFVD (SynthEncoder): generated {f['fvd_generated']:.1f} vs real-vs-real "
        f"{f['fvd_real_vs_real']:.1f} vs violated {f['fvd_violated']:.1f}; early checkpoint "
        f"{results['early'].summary['fvd_generated']:.1f}"
    )
    if args.csv:
        results["final"].table().to_csv(args.csv, index=False)


if __name__ == "__main__":
    main()
