"""Speed of the bundled tiny model: one 16-frame 32x32 video at 25 steps with guidance, on CPU.

Prints the median wall time of ``pipe(...)`` (text-to-video, image-to-video, and video-to-video
at strength 0.6), and of ``vk.generate`` on the same pipeline when that path is available, side by
side in one run. Target: <= 1 s per video (25 steps, classifier-free guidance, batch of 1) on
2 CPU cores.

    python benchmarks/bench_tiny.py [--threads 2] [--repeats 5]
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch


def _time(fn, repeats: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--steps", type=int, default=25)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)

    import vidkit as vk
    from vidkit.tiny.data import render_clip

    pipe = vk.tiny.load_pipeline()
    scene = render_clip(1_000_001)
    prompt = scene.prompt
    guidance = vk.tiny.DEFAULT_GUIDANCE
    kw = {"num_inference_steps": args.steps, "guidance_scale": guidance}
    rows = []

    def t2v():
        pipe(prompt, generator=torch.Generator().manual_seed(0), **kw)

    def i2v():
        pipe(prompt, image=scene.video.frames[0], generator=torch.Generator().manual_seed(0), **kw)

    def v2v():
        pipe(
            prompt,
            video=scene.video,
            strength=0.6,
            generator=torch.Generator().manual_seed(0),
            **kw,
        )

    rows.append(("pipeline t2v", _time(t2v, args.repeats)))
    rows.append(("pipeline i2v", _time(i2v, args.repeats)))
    rows.append(("pipeline v2v (strength 0.6)", _time(v2v, args.repeats)))
    try:
        wrapped = vk.load(vk.tiny.MODEL_ID)

        def via_generate():
            vk.generate(wrapped, prompt=prompt, seed=0, steps=args.steps, guidance=guidance)

        rows.append(("vk.generate t2v", _time(via_generate, args.repeats)))
    except Exception as exc:  # the family is registered by vidkit.models once integrated
        print(f"vk.generate path not available yet: {type(exc).__name__}: {exc}")

    print(
        f"tiny-physics, 16x32x32, {args.steps} steps, guidance {guidance:g}, "
        f"{args.threads} threads, median of {args.repeats}"
    )
    base = rows[0][1]
    for name, sec in rows:
        print(f"  {name:30s} {sec:7.3f} s   ({sec / base:4.2f}x pipeline t2v)")
    print(f"  target <= 1 s per video: {'met' if base <= 1.0 else 'NOT met'} ({base:.3f} s)")


if __name__ == "__main__":
    main()
