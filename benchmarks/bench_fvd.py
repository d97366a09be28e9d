"""FVD benchmarks, measured side by side in one run (CPU; under 3 minutes).

1. Fréchet distance at d = 400, 1024, 2048: vidkit's symmetric Cholesky form vs the pytorch-fid
   formula ``scipy.linalg.sqrtm(S1 @ S2)``; same value to 1e-8 relative.
2. I3D feature extraction, videos/s: vidkit's ``I3D`` (fused BatchNorm, merged branch convs,
   channels_last_3d, inference_mode) vs cd-fvd's own loop (``preprocess_i3d`` + its
   ``InceptionI3d`` under ``no_grad``, batch 16) on the same uint8 videos and the same random
   weights; features compared.
3. Peak memory (tracemalloc) of streaming ``GaussianStats`` over N = 1k and 10k rows of d = 400,
   against keeping the rows (what KVD needs).

Run: ``.venv/bin/python benchmarks/bench_fvd.py`` (``--quick`` for a smaller run). BLAS runs
single-threaded for both FD implementations by default (``--blas-threads N`` to change): on a
shared machine, oversubscribed BLAS threads make multi-threaded timings noise.
"""

from __future__ import annotations

import os
import sys


def _blas_threads() -> str:
    for i, a in enumerate(sys.argv):
        if a == "--blas-threads" and i + 1 < len(sys.argv):
            return sys.argv[i + 1]
        if a.startswith("--blas-threads="):
            return a.split("=", 1)[1]
    return "1"


# must be set before numpy/scipy load their BLAS
# (only OpenBLAS, which numpy/scipy use: MKL_/OMP_NUM_THREADS would also change torch's threads)
os.environ.setdefault("OPENBLAS_NUM_THREADS", _blas_threads())

import argparse  # noqa: E402
import gc  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402

import numpy as np  # noqa: E402
import scipy.linalg  # noqa: E402
import torch  # noqa: E402

from vidkit.metrics.frechet import GaussianStats, frechet_distance  # noqa: E402
from vidkit.metrics.i3d import I3D  # noqa: E402


def _pytorch_fid_trace(mu1, s1, mu2, s2) -> float:
    covmean = scipy.linalg.sqrtm(s1 @ s2)
    if np.iscomplexobj(covmean):
        covmean = covmean.real
    d = mu1 - mu2
    return float(d @ d + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean))


def _best(fn, reps: int) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(reps):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def bench_fd(dims: list[int], reps: dict[int, tuple[int, int]]) -> None:
    threads = os.environ.get("OPENBLAS_NUM_THREADS")
    print(
        f"\n== Fréchet distance: vidkit (cholesky) vs scipy sqrtm (pytorch-fid), BLAS threads {threads} =="
    )
    print(f"{'d':>6} {'vidkit s':>10} {'sqrtm s':>10} {'speed-up':>9} {'rel. diff':>10}")
    rng = np.random.default_rng(0)
    for d in dims:
        n = 2 * d
        a = rng.normal(size=(n, d))
        b = rng.normal(0.1, 1.0, size=(n, d)) @ (
            np.eye(d) + 0.2 * rng.normal(size=(d, d)) / np.sqrt(d)
        )
        sa, sb = GaussianStats().update(a), GaussianStats().update(b)
        mu1, s1, mu2, s2 = sa.mean, sa.cov(), sb.mean, sb.cov()
        r_ours, r_ref = reps[d]
        frechet_distance(mu1, s1, mu2, s2)  # warm-up (BLAS threads)
        args = (mu1, s1, mu2, s2)
        t_ours, v_ours = _best(lambda a=args: frechet_distance(*a), r_ours)
        t_ref, v_ref = _best(lambda a=args: _pytorch_fid_trace(*a), r_ref)
        rel = abs(v_ours - v_ref) / abs(v_ref)
        print(f"{d:>6} {t_ours:>10.3f} {t_ref:>10.3f} {t_ref / t_ours:>8.1f}x {rel:>10.1e}")


def bench_i3d(n_videos: int, rounds: int) -> None:
    print("\n== I3D features: vidkit I3D vs cd-fvd's loop (same weights, same uint8 videos) ==")
    from cdfvd.third_party.i3d import pytorch_i3d
    from cdfvd.third_party.i3d.utils import preprocess_i3d

    torch.manual_seed(0)
    ref = pytorch_i3d.InceptionI3d(400, in_channels=3).eval()
    ours = I3D(weights=ref.state_dict(), batch_size=n_videos)
    rng = np.random.default_rng(0)
    videos = rng.integers(0, 256, (n_videos, 16, 64, 64, 3), dtype=np.uint8)  # B,T,H,W,C
    batch = torch.from_numpy(videos).permute(0, 1, 4, 2, 3)  # BTCHW uint8

    def run_ref() -> np.ndarray:  # cd-fvd get_i3d_logits, batchsize 16
        out = []
        for i in range(0, n_videos, 16):
            with torch.no_grad():
                out.append(ref(preprocess_i3d(videos[i : i + 16])).double().numpy())
        return np.concatenate(out)

    def run_ours() -> np.ndarray:
        return ours(batch)

    # warm-up on one video (oneDNN primitive caches, allocator)
    ours(batch[:1])
    with torch.no_grad():
        ref(preprocess_i3d(videos[:1]))
    t_ref = t_ours = float("inf")
    for _ in range(rounds):  # interleaved, best of rounds
        t, f_ref = _best(run_ref, 1)
        t_ref = min(t_ref, t)
        t, f_ours = _best(run_ours, 1)
        t_ours = min(t_ours, t)
    rel = np.linalg.norm(f_ours - f_ref) / np.linalg.norm(f_ref)
    print(
        f"{n_videos} videos x 16 frames 64x64 -> 224x224, torch threads {torch.get_num_threads()}"
    )
    print(f"cd-fvd loop : {n_videos / t_ref:6.2f} videos/s ({t_ref:.2f} s)")
    print(f"vidkit I3D  : {n_videos / t_ours:6.2f} videos/s ({t_ours:.2f} s)")
    print(f"speed-up    : {t_ref / t_ours:6.2f}x   features rel. diff {rel:.1e}")


def bench_memory(sizes: list[int], d: int = 400, batch: int = 256) -> None:
    print(f"\n== GaussianStats peak memory (tracemalloc), d={d}, batches of {batch} rows ==")
    print(f"{'N':>7} {'stats only MB':>14} {'rows kept MB':>13}")
    for n in sizes:
        peaks = []
        for keep in (False, True):
            gc.collect()
            tracemalloc.start()
            s = GaussianStats(keep_features=keep)
            rng = np.random.default_rng(0)
            for i in range(0, n, batch):
                s.update(rng.normal(size=(min(batch, n - i), d)))
            _ = s.cov()
            if keep:
                _ = s.features
            peaks.append(tracemalloc.get_traced_memory()[1] / 2**20)
            tracemalloc.stop()
            del s
        print(f"{n:>7} {peaks[0]:>14.1f} {peaks[1]:>13.1f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller sizes")
    ap.add_argument("--blas-threads", default="1", help="BLAS threads for the FD part (default 1)")
    args = ap.parse_args()
    if args.quick:
        bench_fd([400, 1024], {400: (3, 2), 1024: (2, 1)})
        bench_i3d(n_videos=4, rounds=1)
        bench_memory([1000, 10000])
    else:
        bench_fd([400, 1024, 2048], {400: (5, 3), 1024: (3, 2), 2048: (2, 1)})
        bench_i3d(n_videos=6, rounds=2)
        bench_memory([1000, 10000])


if __name__ == "__main__":
    main()
