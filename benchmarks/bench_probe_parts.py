"""Speed of each probe on one core: frames per second at 64x64 and 256x256 (the parts of a report).

Prints frames/s of ``vk.probes.physics()`` (with and without the optical-flow probes), of the
tracker and of each probe, and the Physics-IQ motion-mask speed of vidkit's batched
implementation against a plain per-frame OpenCV loop written as the reference does it
(``motion_masks_reference``), after checking the masks are identical.

Times are CPU seconds of this process (``time.process_time``) with OpenCV, torch and BLAS held
to one thread, so a busy machine inflates them less than wall-clock time would; each figure is
the best of ``--repeat`` runs on 32-frame vk.synth clips (a bounce with camera noise).

Run:  python benchmarks/bench_probe_parts.py [--repeat 3]   (whole reports: bench_probes.py)
"""

from __future__ import annotations

import argparse
import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import time  # noqa: E402

import cv2  # noqa: E402
import numpy as np  # noqa: E402

import vidkit as vk  # noqa: E402
from vidkit.probes import (  # noqa: E402
    analyze_motion,
    bounce,
    conservation,
    continuity,
    dynamic_degree_classical,
    flicker,
    gravity,
    motion_masks,
    motion_masks_reference,
    permanence,
    physics,
    smoothness,
    track,
    warping_error,
)


def best_cpu(fn, repeat: int) -> float:
    """Smallest CPU time (s) of ``repeat`` calls (after one warm-up call)."""
    fn()
    times = []
    for _ in range(repeat):
        t = time.process_time()
        fn()
        times.append(time.process_time() - t)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    cv2.setNumThreads(1)
    try:
        import torch

        torch.set_num_threads(1)
    except ImportError:  # pragma: no cover
        pass
    print("frames/s on one core (CPU time, best of", args.repeat, "runs; 32-frame clips)")
    print(f"{'what':<34}{'64x64':>12}{'256x256':>12}")
    rows: dict[str, list[float]] = {}
    masks_ok = []
    for size in (64, 256):
        scene = vk.synth.render("bounce", seed=3, size=size, camera_noise=0.02, colors=["yellow"])
        v = scene.video
        T = v.num_frames
        tr = track(v)
        m = analyze_motion(tr)

        def all_track_probes(v=v) -> None:
            t = track(v)
            mm = analyze_motion(t)
            for p in (gravity, bounce, permanence, conservation, continuity, smoothness):
                p(t, motion=mm)

        cases = {
            "physics() (no flow)": lambda v=v: physics(v, flow=False),
            "physics() (with flow probes)": lambda v=v: physics(v, flow=True),
            "tracking probes (track + 6 probes)": all_track_probes,
            "  track()": lambda v=v: track(v),
            "  analyze_motion()": lambda tr=tr: analyze_motion(tr),
            "  gravity": lambda tr=tr, m=m: gravity(tr, motion=m),
            "  bounce": lambda tr=tr, m=m: bounce(tr, motion=m),
            "  permanence": lambda tr=tr, m=m: permanence(tr, motion=m),
            "  conservation": lambda tr=tr, m=m: conservation(tr, motion=m),
            "  continuity": lambda tr=tr, m=m: continuity(tr, motion=m),
            "  smoothness": lambda tr=tr, m=m: smoothness(tr, motion=m),
            "flicker": lambda v=v: flicker(v),
            "warping_error (DIS flow)": lambda v=v: warping_error(v),
            "dynamic_degree_classical": lambda v=v: dynamic_degree_classical(v),
            "Physics-IQ masks, vidkit": lambda v=v: motion_masks(v),
            "Physics-IQ masks, reference loop": lambda v=v: motion_masks_reference(v),
        }
        for name, fn in cases.items():
            dt = best_cpu(fn, args.repeat)
            rows.setdefault(name, []).append(T / dt if dt > 0 else float("inf"))
        masks_ok.append(bool(np.array_equal(motion_masks(v), motion_masks_reference(v))))
    for name, (a, b) in rows.items():
        print(f"{name:<34}{a:>12.0f}{b:>12.0f}")
    fast, ref = rows["Physics-IQ masks, vidkit"], rows["Physics-IQ masks, reference loop"]
    print()
    print(
        "Physics-IQ masks identical to the reference loop: "
        + ", ".join(f"{s}x{s}: {ok}" for s, ok in zip((64, 256), masks_ok))
    )
    print(
        "speed-up of the batched masks over the loop: "
        + ", ".join(f"{s}x{s}: {a / b:.2f}x" for s, a, b in zip((64, 256), fast, ref))
    )
    tp = rows["tracking probes (track + 6 probes)"]
    print(
        f"tracking probes: {tp[0]:.0f} frames/s at 64x64 (aim >= 500), "
        f"{tp[1]:.0f} at 256x256 (aim >= 60)"
    )


if __name__ == "__main__":
    main()
