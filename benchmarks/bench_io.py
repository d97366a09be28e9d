"""Video I/O speed: vidkit vs mediapy vs imageio (pyav plugin), side by side in one run.

For each size (64x64 and 256x256, 64 frames, H.264 mp4) it times writing and reading the same
frames / files with the three libraries (best of ``REPEATS`` runs), prints frames per second and the
ratio to vidkit, and the quality (PSNR to the source frames) and size of what each one wrote. Then
it times a partial read (10 frames from the middle of a 600-frame file) against a full decode.

Run: ``.venv/bin/python benchmarks/bench_io.py`` (under a minute on 2 CPU cores).
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import imageio.v3 as iio
import mediapy
import numpy as np

import vidkit as vk
from vidkit.io import use_bundled_ffmpeg

REPEATS = 3
FRAMES = 64
FPS = 16


def scene(t: int, size: int) -> np.ndarray:
    """uint8 frames [t, size, size, 3] of vk.testing.smooth_video (gradients and a soft ball)."""
    return vk.testing.smooth_video(t, size, size).uint8


def best(fn: Callable[[], object], repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    return vk.psnr(vk.Video(a), vk.Video(b))


def bench_size(size: int, tmp: Path) -> None:
    frames = scene(FRAMES, size)
    video = vk.Video(frames, fps=FPS)
    paths = {name: tmp / f"{name}_{size}.mp4" for name in ("vidkit", "mediapy", "imageio")}
    writers = {
        "vidkit": lambda: vk.write_video(paths["vidkit"], video),  # crf 18
        "mediapy": lambda: mediapy.write_video(paths["mediapy"], frames, fps=FPS, crf=18),
        "imageio": lambda: iio.imwrite(
            paths["imageio"], frames, plugin="pyav", codec="libx264", fps=FPS
        ),  # x264 defaults (crf 23)
    }
    source = paths["vidkit"]
    readers = {
        "vidkit": lambda: vk.read_video(source),  # float32 Video
        "mediapy": lambda: mediapy.read_video(source),  # uint8
        "imageio": lambda: iio.imread(source, plugin="pyav"),  # uint8
    }
    print(f"\n== {size}x{size}, {FRAMES} frames, H.264 mp4")
    print(
        f"{'':8s} {'write f/s':>10s} {'vs vidkit':>9s} {'read f/s':>9s} {'vs vidkit':>9s}"
        f" {'PSNR dB':>8s} {'size kB':>8s}"
    )
    write_t = {k: best(w) for k, w in writers.items()}
    read_t = {k: best(r) for k, r in readers.items()}
    for name in writers:
        decoded = vk.read_video(paths[name]).uint8
        quality = psnr(decoded, frames)
        kb = paths[name].stat().st_size / 1024
        print(
            f"{name:8s} {FRAMES / write_t[name]:10.0f} {write_t['vidkit'] / write_t[name]:9.2f}"
            f" {FRAMES / read_t[name]:9.0f} {read_t['vidkit'] / read_t[name]:9.2f}"
            f" {quality:8.2f} {kb:8.1f}"
        )
    same = {
        "mediapy": psnr(mediapy.read_video(source), frames),
        "imageio": psnr(iio.imread(source, plugin="pyav"), frames),
        "vidkit": psnr(vk.read_video(source).uint8, frames),
    }
    print(
        "PSNR of the vidkit-written file as each library decodes it: "
        + ", ".join(f"{k} {v:.2f} dB" for k, v in same.items())
    )
    print("(vs vidkit > 1 means faster than vidkit)")


def bench_partial(tmp: Path) -> None:
    n, size = 600, 128
    frames = np.repeat(scene(60, size), 10, axis=0)
    path = vk.write_video(tmp / "long.mp4", vk.Video(frames, fps=24))  # x264 default GOP (250)
    full = best(lambda: vk.read_video(path), 2)
    part = best(lambda: vk.read_video(path, frames=slice(295, 305)), 5)
    mp = best(lambda: mediapy.read_video(path), 2)
    ok = vk.read_video(path, frames=slice(295, 305)) == vk.read_video(path)[295:305]
    print(f"\n== partial read: 10 frames from the middle of a {n}-frame {size}x{size} mp4")
    print(f"vidkit full decode   {full * 1000:8.1f} ms")
    print(f"vidkit frames 295-304 {part * 1000:7.1f} ms  ({full / part:.1f}x faster; equal: {ok})")
    print(f"mediapy full decode  {mp * 1000:8.1f} ms")


def main() -> None:
    use_bundled_ffmpeg()
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="vidkit-bench-") as tmp:
        for size in (64, 256):
            bench_size(size, Path(tmp))
        bench_partial(Path(tmp))
    print(f"\n(total {time.perf_counter() - t0:.1f} s)")


if __name__ == "__main__":
    main()
