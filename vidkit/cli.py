"""The ``vidkit`` command line.

Commands: ``demo`` (the report in runs/demo), ``render`` (one synthetic scene), ``generate`` (one
video from a model), ``evaluate`` (physics probes of video files; FVD/KVD against a reference
folder), ``compare`` (models x prompts x seeds -> run store -> leaderboard; shards over processes
under ``accelerate launch -m vidkit compare ...``) and ``train-tiny`` (trains the bundled tiny
model: ``vidkit.tiny.train.main``).

Exit codes: 0 success, 1 a failed check (``evaluate --strict`` found a violation), 2 bad input
(one line on stderr), 130 interrupted.

Example:
    $ vidkit demo --out runs/demo
    $ vidkit render bounce --seed 3 --violation teleport --out bounce.mp4
    $ vidkit generate --model vidkit/tiny-physics --prompt "a red ball falls" --out fall.mp4
    $ vidkit evaluate fall.mp4 bounce.mp4
    $ vidkit compare --model final=vidkit/tiny-physics --model early=vidkit/tiny-physics@early \
          --prompts tiny --seeds 0,1,2 --metrics physics,fvd --reference synth --store runs/tiny
    $ accelerate launch --cpu --num_processes 2 -m vidkit compare ...
    $ vidkit --help
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from vidkit.demo import DEMO_MODELS, run_demo

__all__ = ["main", "run_demo", "parse_model", "DEMO_MODELS"]


def _is_main_process() -> bool:
    return int(os.environ.get("RANK", "0")) == 0


def _cmd_demo(args: argparse.Namespace) -> int:
    models = DEMO_MODELS
    if args.model:
        models = {}
        for text in args.model:
            name, model = parse_model(text)
            models[name] = model
    report = run_demo(
        args.out,
        seed=args.seed,
        size=args.size,
        models=models,
        prompts=_suite_or_prompts(args),
        seeds=_int_list(args.seeds, "--seeds"),
        limit=args.limit,
    )
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


# --------------------------------------------------------------------------- helpers
def _int_list(text: str, what: str) -> list[int]:
    """``"0,1,2"`` or ``"0-3"`` -> a list of ints."""
    out: list[int] = []
    for part in str(text).split(","):
        part = part.strip()
        if not part:
            continue
        try:
            if "-" in part[1:]:
                a, b = part.split("-", 1)
                out.extend(range(int(a), int(b) + 1))
            else:
                out.append(int(part))
        except ValueError:
            raise ValueError(f"{what} must be integers like 0,1,2 or 0-3, got {text!r}") from None
    if not out:
        raise ValueError(f"{what} is empty")
    return out


def _suite_or_prompts(args: argparse.Namespace) -> Any:
    """What ``--prompts SUITE|FILE`` or ``--prompt TEXT`` (repeatable) name, for load_prompts.

    ``--prompts`` takes a bundled suite name or a .jsonl/.json/.txt file, never a literal prompt:
    a misspelt suite name is an error listing the suites. Literal prompts go through ``--prompt``.
    """
    from vidkit.comparison import prompt_suites

    literal = getattr(args, "prompt", None) or []
    if literal:
        if args.prompts is not None:
            raise ValueError("give either --prompts SUITE|FILE or --prompt TEXT, not both")
        return list(literal)
    text = args.prompts if args.prompts is not None else "tiny"
    suites = prompt_suites()
    if text in suites:
        return text
    path = Path(text).expanduser()
    if path.suffix.lower() in (".jsonl", ".json", ".txt") or path.is_file():
        return text  # load_prompts names a missing file
    raise ValueError(
        f"--prompts {text!r} is neither a prompt suite ({', '.join(sorted(suites))}) nor a "
        ".jsonl/.json/.txt file; for your own prompt use --prompt TEXT (repeatable)"
    )


def _value(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def parse_model(text: str) -> tuple[str, Any]:
    """``NAME=SPEC[,key=value...]`` -> ``(name, model)`` for ``vk.compare``.

    ``SPEC`` is a hub id or folder, ``synth`` (the exact-physics renderer, ``SynthModel``) or
    ``synth:VIOLATION``; ``key=value`` pairs are generation settings (values parsed as JSON).
    Without ``NAME=`` the spec is the name.

    Example:
        >>> parse_model("fast=vidkit/tiny-physics,steps=4")
        ('fast', {'model': 'vidkit/tiny-physics', 'steps': 4})
        >>> parse_model("synth:teleport")[1]
        SynthModel(violation='teleport')
    """
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"a model must be NAME=SPEC[,key=value...], got {text!r}")
    head, *pairs = [p.strip() for p in text.split(",")]
    if "=" in head:
        name, spec = (x.strip() for x in head.split("=", 1))
    else:
        name = spec = head
    if not name or not spec:
        raise ValueError(f"a model must be NAME=SPEC[,key=value...], got {text!r}")
    settings = {}
    for pair in pairs:
        if "=" not in pair:
            raise ValueError(f"model setting {pair!r} in {text!r} must be key=value")
        k, v = pair.split("=", 1)
        settings[k.strip()] = _value(v.strip())
    model: Any
    if spec == "synth" or spec.startswith("synth:"):
        from vidkit.comparison import SynthModel

        violation = spec.split(":", 1)[1] if ":" in spec else None
        model = SynthModel(violation or None)
    else:
        model = spec
    return name, ({"model": model, **settings} if settings else model)


_SCALAR_SETTINGS = ("steps", "guidance", "strength", "fps", "num_frames", "height", "width")


def _gen_settings(args: argparse.Namespace) -> dict[str, Any]:
    out = {}
    for key in ("steps", "guidance", "num_frames", "height", "width", "fps", "negative_prompt"):
        value = getattr(args, key, None)
        if value is not None:
            out[key] = value
    for pair in getattr(args, "set", None) or []:
        if "=" not in pair:
            raise ValueError(f"--set takes key=value, got {pair!r}")
        k, v = pair.split("=", 1)
        out[k.strip()] = _value(v.strip())
    return out


def _add_gen_args(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("generation settings (default: the model's)")
    g.add_argument("--steps", type=int, help="denoising steps")
    g.add_argument("--guidance", type=float, help="classifier-free guidance scale")
    g.add_argument("--frames", dest="num_frames", type=int, help="number of frames")
    g.add_argument("--height", type=int)
    g.add_argument("--width", type=int)
    g.add_argument("--fps", type=float, help="frame rate of the output")
    g.add_argument("--negative-prompt", dest="negative_prompt")
    g.add_argument(
        "--set", action="append", metavar="KEY=VALUE", help="any other setting (repeatable)"
    )


def _write_outputs(board: Any, outs: Sequence[str]) -> list[Path]:
    written = []
    for o in outs:
        path = Path(o)
        suffix = path.suffix.lower()
        if suffix not in (".md", ".csv", ".html", ".htm", ".json"):
            raise ValueError(f"--out {o!r}: use a .md, .csv, .html or .json file")
        path.parent.mkdir(parents=True, exist_ok=True)
        if suffix == ".md":
            board.to_markdown(path)
        elif suffix == ".csv":
            board.to_csv(path)
        elif suffix in (".html", ".htm"):
            board.to_html(path)
        else:
            from vidkit.store import atomic_write_json

            atomic_write_json(
                path,
                {
                    "table": board.table.to_dict("records"),
                    "items": board.items.to_dict("records"),
                    "model_results": board.model_results,
                },
            )
        written.append(path)
    return written


# --------------------------------------------------------------------------- commands
def _cmd_generate(args: argparse.Namespace) -> int:
    import vidkit as vk
    from vidkit.sampling.callbacks import Progress

    out = Path(args.out)
    if out.suffix.lower() not in (".mp4", ".webm", ".gif", ".mov", ".mkv"):
        raise ValueError(f"--out {args.out!r}: give a .mp4, .webm, .gif, .mov or .mkv file")
    kwargs = _gen_settings(args)
    from vidkit.sampling import check_settings

    check_settings(**{k: v for k, v in kwargs.items() if k in _SCALAR_SETTINGS})
    if args.image:
        kwargs["image"] = args.image
    if args.video:
        kwargs["video"] = vk.read_video(args.video)
    if args.strength is not None:
        kwargs["strength"] = args.strength
    pipe = vk.load(args.model, device=args.device)
    bar = [] if args.quiet else [Progress(desc="generating")]
    video = vk.generate(
        pipe, prompt=args.prompt, seed=args.seed, callbacks=bar, progress=False, **kwargs
    )
    path = vk.write_video(out, video)
    meta = video.metadata
    print(
        f"{path}: {video.num_frames} frames {video.height}x{video.width} @ {video.fps:g} fps, "
        f"seed {meta.get('seed', args.seed)}, {meta.get('steps', '?')} steps"
    )
    return 0


def _reference_videos(folder: str) -> list[Any]:
    import vidkit as vk

    path = Path(folder)
    if not path.is_dir():
        raise FileNotFoundError(f"--reference {folder!r} is not a folder of videos")
    files = sorted(f for f in path.iterdir() if f.suffix.lower() in (".mp4", ".webm", ".gif"))
    return [vk.read_video(f) for f in files]


def _cmd_evaluate(args: argparse.Namespace) -> int:
    import pandas as pd

    import vidkit as vk
    from vidkit.comparison import as_metric, physics_findings

    paths = [Path(p) for p in args.videos]
    for p in paths:
        if not p.is_file():
            raise FileNotFoundError(f"no video file at {str(p)!r}")
    metrics = [as_metric(m.strip()) for m in args.metrics.split(",") if m.strip()]
    if not metrics:
        raise ValueError("--metrics is empty")
    needs_reference = [m.name for m in metrics if m.scope != "video"]
    if needs_reference and not args.reference:
        raise ValueError(f"{needs_reference[0]} needs --reference FOLDER (the real videos)")
    if needs_reference and not Path(args.reference).is_dir():
        raise FileNotFoundError(f"--reference {args.reference!r} is not a folder of videos")
    videos = [vk.read_video(p) for p in paths]
    rows: list[dict[str, Any]] = [{"video": str(p)} for p in paths]
    violation_found = False
    for m in metrics:
        if m.scope == "video" and m.name == "physics":
            for row, v, p in zip(rows, videos, paths):
                verdict, score, probes, df = physics_findings(v)
                row["physics"] = score
                row.update({f"physics.{k}": val for k, val in probes.items()})
                row["verdict"] = verdict
                violation_found = violation_found or verdict == "fail"
                if not args.quiet:
                    print(f"== {p}: {verdict}")
                    if len(df):
                        cols = [c for c in ("probe", "severity", "frames", "sentence") if c in df]
                        print(df[cols].to_string(index=False))
        elif m.scope == "video":
            m.setup()  # type: ignore[attr-defined]
            for row, v in zip(rows, videos):
                row.update(m.evaluate(v, {"prompt": args.prompt or ""}))  # type: ignore[attr-defined]
        else:
            if not args.reference:
                raise ValueError(f"{m.name} needs --reference FOLDER (the real videos)")
            real = _reference_videos(args.reference)
            if len(real) < 2 or len(videos) < 2:
                raise ValueError(
                    f"{m.name} needs at least 2 videos on each side, got {len(videos)} and "
                    f"{len(real)} in {args.reference!r}"
                )
            m.bind(min(v.num_frames for v in [*videos, *real]))  # type: ignore[attr-defined]
            res = m.compute(m.features(videos), m.features(real))  # type: ignore[attr-defined]
            print(
                f"{m.name.upper()} = {res['value']:.4g} [{res['low']:.4g}, {res['high']:.4g}] "
                f"(N = {res['n']} vs {res['n_reference']}, {res['provenance'].get('extractor')})"
            )
    df = pd.DataFrame(rows)
    if len(df.columns) > 1:
        print(df.to_string(index=False))
    if args.out:
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        if out.suffix.lower() == ".json":
            out.write_text(df.to_json(orient="records", indent=1))
        elif out.suffix.lower() == ".csv":
            df.to_csv(out, index=False)
        else:
            raise ValueError(f"--out {args.out!r}: use a .csv or .json file")
    return 1 if (violation_found and args.strict) else 0


def _cmd_compare(args: argparse.Namespace) -> int:
    import vidkit as vk
    from vidkit.comparison import load_prompts

    if not args.model:
        raise ValueError("give at least one --model NAME=SPEC")
    models: dict[str, Any] = {}
    for text in args.model:
        name, model = parse_model(text)
        if name in models:
            raise ValueError(f"two models are named {name!r}")
        models[name] = model
    for o in args.out or []:
        if Path(o).suffix.lower() not in (".md", ".csv", ".html", ".htm", ".json"):
            raise ValueError(f"--out {o!r}: use a .md, .csv, .html or .json file")
    suite = load_prompts(_suite_or_prompts(args), limit=args.limit)
    metrics = [m.strip() for m in args.metrics.split(",") if m.strip()]
    reference: Any = args.reference
    if reference and reference != "synth" and not Path(reference).exists():
        reference = parse_model(reference)[1]
    board = vk.compare(
        models,
        suite,
        seeds=_int_list(args.seeds, "--seeds"),
        metrics=metrics,
        store=args.store,
        reference=reference,
        progress=not args.quiet,
        n_bootstrap=args.bootstrap,
        **_gen_settings(args),
    )
    if _is_main_process():
        written = _write_outputs(board, args.out or [])
        print(board.to_markdown(), end="")
        for p in written:
            print(f"written: {p}")
    return 0


def _cmd_train_tiny(args: argparse.Namespace) -> int:
    try:
        from vidkit.tiny.train import main as train_main
    except ImportError as exc:
        raise ValueError(
            f"vidkit.tiny.train is not available in this install ({exc}); `vidkit train-tiny` "
            "runs vidkit.tiny.train.main(argv)"
        ) from None
    argv = list(args.args)
    if argv and argv[0] == "--":
        argv = argv[1:]
    return int(train_main(argv) or 0)


def _command(
    sub: Any, name: str, func: Callable[[argparse.Namespace], int], **kwargs: Any
) -> argparse.ArgumentParser:
    """The parser of the command ``name`` (``kwargs``: help, description...), run by ``func``."""
    parser = sub.add_parser(name, **kwargs)
    parser.set_defaults(func=func)
    return parser


def _add_metrics_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--metrics",
        default="physics",
        help="comma-separated: physics, clip[:model], fvd[:extractor], kvd[:extractor]",
    )


def _add_limit_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--limit", type=int, default=None, help="use only the first N prompts")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="vidkit",
        description="vidkit: sampling, conditioning and evaluation for AI video generation.",
        epilog="exit codes: 0 ok, 1 a check failed (evaluate --strict), 2 bad input, "
        "130 interrupted",
    )
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    d = _command(
        sub,
        "demo",
        _cmd_demo,
        help="render the demo and write runs/demo/report.html",
        description="Render synthetic physics scenes, probe them, and compare the bundled tiny "
        "model's final and early checkpoints when they are installed.",
    )
    d.add_argument("--out", default="runs/demo", help="output folder (default: runs/demo)")
    d.add_argument("--seed", type=int, default=0)
    d.add_argument("--size", type=int, default=64, help="frame height and width in pixels")
    d.add_argument(
        "--model",
        action="append",
        metavar="NAME=SPEC",
        help="models to compare (repeatable; default: final and early of vidkit/tiny-physics)",
    )
    d.add_argument(
        "--prompts", default=None, metavar="SUITE|FILE", help="prompt suite (default: tiny)"
    )
    d.add_argument("--seeds", default="0,1", help="seeds of the comparison (default 0,1)")
    _add_limit_arg(d)

    r = _command(
        sub, "render", _cmd_render, help="render one synthetic physics scene to a video file"
    )
    r.add_argument("kind", help="scene kind, e.g. bounce (see vk.synth.KINDS)")
    r.add_argument("--out", required=True, help="output file (.mp4, .webm, .gif or a folder/)")
    r.add_argument("--seed", type=int, default=0)
    r.add_argument("--violation", default=None, help="a violation, e.g. teleport")
    r.add_argument("--size", type=int, default=64)
    r.add_argument("--frames", type=int, default=32)
    r.add_argument("--fps", type=float, default=16.0)
    r.add_argument("--background", default="plain")

    g = _command(
        sub,
        "generate",
        _cmd_generate,
        help="generate one video with a model",
        description="Load a model (hub id or folder) and generate one video (text-, image- or "
        "video-to-video).",
    )
    g.add_argument("--model", required=True, help="hub id, folder or vidkit/tiny-physics")
    g.add_argument("--prompt", required=True)
    g.add_argument("--out", required=True, help="output video file (.mp4, .webm, .gif)")
    g.add_argument("--seed", type=int, default=0)
    g.add_argument("--image", help="first-frame image (image-to-video)")
    g.add_argument("--video", help="input video (video-to-video)")
    g.add_argument("--strength", type=float, help="video-to-video denoising strength in [0, 1]")
    g.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:1...")
    g.add_argument("--quiet", action="store_true", help="no progress bar")
    _add_gen_args(g)

    e = _command(
        sub,
        "evaluate",
        _cmd_evaluate,
        help="physics probes of video files; FVD/KVD against a reference folder",
        description="Run the physics probes on each video (findings per video) and, with "
        "--reference, distribution metrics of the videos against a folder of real videos.",
    )
    e.add_argument("videos", nargs="+", help="video files")
    _add_metrics_arg(e)
    e.add_argument("--reference", help="folder of reference videos (for fvd/kvd)")
    e.add_argument("--prompt", help="the prompt (for clip)")
    e.add_argument("--out", help="write the table as .csv or .json")
    e.add_argument("--strict", action="store_true", help="exit 1 when a probe finds a violation")
    e.add_argument("--quiet", action="store_true", help="only the table")

    c = _command(
        sub,
        "compare",
        _cmd_compare,
        help="models x prompts x seeds -> run store -> leaderboard",
        description="Generate every (model, prompt, seed) once into a resumable run store, "
        "evaluate, and print the leaderboard (mean [95%% CI]). Under `accelerate launch -m "
        "vidkit compare ...` the work is split between the processes.",
    )
    c.add_argument(
        "--model",
        action="append",
        metavar="NAME=SPEC[,key=value]",
        help="a model (repeatable): hub id, folder, synth or synth:VIOLATION, plus settings",
    )
    c.add_argument(
        "--prompts",
        default=None,
        metavar="SUITE|FILE",
        help="a prompt suite (tiny, physics) or a .jsonl/.json/.txt file (default: tiny); an "
        "unknown name is an error",
    )
    c.add_argument(
        "--prompt",
        action="append",
        metavar="TEXT",
        help="a literal prompt instead of a suite (repeatable)",
    )
    _add_limit_arg(c)
    c.add_argument("--seeds", default="0", help="seeds, e.g. 0,1,2 or 0-4 (default 0)")
    _add_metrics_arg(c)
    c.add_argument(
        "--reference",
        default=None,
        help="for fvd/kvd: synth (scenes of the same prompts), a folder of videos or a model",
    )
    c.add_argument("--store", default="runs/compare", help="run store folder")
    c.add_argument(
        "--out", action="append", help="also write the leaderboard (.md, .csv, .html, .json)"
    )
    c.add_argument("--bootstrap", type=int, default=1000, help="bootstrap resamples for CIs (>= 0)")
    c.add_argument("--quiet", action="store_true", help="no progress bars")
    _add_gen_args(c)

    t = _command(
        sub,
        "train-tiny",
        _cmd_train_tiny,
        help="train the bundled tiny video diffusion model (vidkit.tiny.train)",
        description="Arguments after train-tiny go to vidkit.tiny.train.main(argv); "
        "`vidkit train-tiny --help` shows them.",
        add_help=False,
    )
    t.add_argument("args", nargs=argparse.REMAINDER, help="arguments for vidkit.tiny.train")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``vidkit`` command; returns the exit code.

    Errors in the user's input (:class:`vidkit.VidkitError`, ValueError, TypeError, and OSError:
    a missing or unreadable file, a model that cannot be loaded) print one line to stderr and exit
    with code 2; anything else is a bug and keeps its traceback.

    Example:
        >>> from vidkit.cli import main
        >>> main(["render", "bounce", "--out", "bounce.mp4", "--size", "32"])
        bounce.mp4: a ... ball bounces to the ... on a grey floor
        0
        >>> main(["demo", "--out", "runs/demo"])  # doctest: +SKIP
        0
    """
    parser = _parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "train-tiny":
        # everything after the command belongs to vidkit.tiny.train (argparse would take options)
        args = argparse.Namespace(command="train-tiny", func=_cmd_train_tiny, args=argv[1:])
    else:
        args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    from vidkit.errors import VidkitError

    try:
        return int(args.func(args))
    except (VidkitError, ValueError, TypeError, OSError) as exc:
        # bad input, an unreadable file or model, a missing folder: one line, no traceback
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"vidkit {args.command}: error: {first}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
