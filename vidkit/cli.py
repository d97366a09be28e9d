"""The ``vidkit`` command line.

Example:
    $ vidkit demo --out runs/demo
    $ vidkit render bounce --seed 3 --violation teleport --out bounce.mp4
    $ vidkit --help
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

__all__ = ["main", "run_demo"]

DEMO_SCENES: tuple[tuple[str, str | None], ...] = (
    ("free_fall", None),
    ("projectile", None),
    ("bounce", None),
    ("pendulum", None),
    ("collision", None),
    ("bounce", "energy_gain"),
    ("projectile", "teleport"),
    ("uniform", "vanish"),
)


def run_demo(
    out: str | Path = "runs/demo", *, seed: int = 0, size: int = 64, quiet: bool = False
) -> Path:
    """Render the demo scenes, write them as mp4 and build ``report.html``; returns the report path.

    Example:
        >>> from vidkit.cli import run_demo
        >>> report = run_demo("runs/demo")  # doctest: +SKIP
    """
    from tqdm.auto import tqdm

    import vidkit as vk
    from vidkit.report import Report, plot_trajectories

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    scenes = {}
    for kind, violation in tqdm(DEMO_SCENES, desc="rendering scenes", disable=quiet):
        name = kind if violation is None else f"{kind}+{violation}"
        scene = vk.synth.render(kind, seed=seed, violation=violation, size=(size, size))
        vk.write_video(out / f"{name}.mp4", scene.video)
        scenes[name] = scene

    rep = Report("vidkit demo: synthetic physics scenes")
    rep.add_text(
        "Scenes rendered by vk.synth with exact ground truth. The last three carry a controlled "
        "violation of physics (energy gain at a bounce, a teleport, a vanishing object) that the "
        "probes are built to catch."
    )
    rep.add_heading("Videos")
    rep.add_videos(
        {name: s.video for name, s in scenes.items()},
        captions={name: s.prompt for name, s in scenes.items()},
    )
    first = next(iter(scenes.values()))
    rep.add_heading("Frame strip")
    rep.add_figure(vk.frame_strip(first.video, n=8), caption=first.prompt)
    rep.add_heading("Ground-truth trajectories")
    for name, scene in scenes.items():
        tr = scene.truth
        fig = plot_trajectories(
            tr.centers,
            visible=tr.visible,
            fps=scene.video.fps,
            size=(scene.video.height, scene.video.width),
            title=f"{name}: {scene.prompt}",
        )
        rep.add_figure(fig)
    rep.add_heading("Scenes")
    rows = []
    for name, scene in scenes.items():
        viol = scene.truth.violation or {}
        rows.append(
            {
                "scene": name,
                "prompt": scene.prompt,
                "frames": scene.video.num_frames,
                "fps": scene.video.fps,
                "g (px/s^2)": scene.truth.constants.get("g", float("nan")),
                "violation": viol.get("name", ""),
                "violation frame": viol.get("frame", ""),
            }
        )
    rep.add_table(rows)
    rep.add_text(f"Made in {time.perf_counter() - t0:.1f} s by vidkit {vk.__version__}.", note=True)
    return rep.save(out / "report.html")


def _cmd_demo(args: argparse.Namespace) -> int:
    report = run_demo(args.out, seed=args.seed, size=args.size)
    print(f"demo written: {report.parent}/ (*.mp4 and {report})")
    return 0


def _cmd_render(args: argparse.Namespace) -> int:
    import vidkit as vk

    scene = vk.synth.render(
        args.kind,
        seed=args.seed,
        violation=args.violation,
        size=(args.size, args.size),
        frames=args.frames,
        fps=args.fps,
        background=args.background,
    )
    path = vk.write_video(args.out, scene.video)
    print(f"{path}: {scene.prompt}")
    return 0


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="vidkit",
        description="vidkit: sampling, conditioning and evaluation for AI video generation.",
    )
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    d = sub.add_parser("demo", help="render the demo and write runs/demo/report.html")
    d.add_argument("--out", default="runs/demo", help="output folder (default: runs/demo)")
    d.add_argument("--seed", type=int, default=0)
    d.add_argument("--size", type=int, default=64, help="frame height and width in pixels")
    d.set_defaults(func=_cmd_demo)

    r = sub.add_parser("render", help="render one synthetic physics scene to a video file")
    r.add_argument("kind", help="scene kind, e.g. bounce (see vk.synth.KINDS)")
    r.add_argument("--out", required=True, help="output file (.mp4, .webm, .gif or a folder/)")
    r.add_argument("--seed", type=int, default=0)
    r.add_argument("--violation", default=None, help="a violation, e.g. teleport")
    r.add_argument("--size", type=int, default=64)
    r.add_argument("--frames", type=int, default=32)
    r.add_argument("--fps", type=float, default=16.0)
    r.add_argument("--background", default="plain")
    r.set_defaults(func=_cmd_render)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``vidkit`` command; returns the exit code.

    Errors in the user's input (ValueError, TypeError, FileNotFoundError) print one line to stderr
    and exit with code 2; anything else is a bug and keeps its traceback.

    Example:
        >>> from vidkit.cli import main
        >>> main(["demo", "--out", "runs/demo"])  # doctest: +SKIP
        0
    """
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args))
    except (ValueError, TypeError, FileNotFoundError) as exc:
        print(f"vidkit {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
