"""``vidkit demo``: synthetic physics scenes, what the probes find in them, the bundled tiny model's
tasks, and a comparison of its final and early checkpoints, in one HTML report.

Example:
    >>> from vidkit.demo import DEMO_MODELS
    >>> sorted(DEMO_MODELS)
    ['early', 'final']
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["run_demo", "DEMO_MODELS", "DEMO_SCENES", "DEMO_TASK_MODEL"]

#: the models ``vidkit demo`` compares when they are installed (the bundled tiny model's final and
#: early checkpoints)
DEMO_MODELS: dict[str, str] = {
    "final": "vidkit/tiny-physics",
    "early": "vidkit/tiny-physics@early",
}

DEMO_TASK_MODEL = "vidkit/tiny-physics"
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


def _load_available(models: dict[str, Any], quiet: bool) -> tuple[dict[str, Any], str | None]:
    """Load the demo's models; returns ({name: pipeline}, None) or ({}, why they are missing)."""
    from vidkit.sampling import load

    loaded: dict[str, Any] = {}
    for name, spec in models.items():
        if not isinstance(spec, (str, os.PathLike)):
            loaded[name] = spec
            continue
        try:
            loaded[name] = load(os.fspath(spec))
        except (OSError, ValueError, ImportError) as exc:
            return {}, f"{spec!r} could not be loaded ({type(exc).__name__}: {exc})"
        if not quiet:
            print(f"loaded {name}: {spec}")
    return loaded, None


def _synth_encoder_available() -> bool:
    try:
        from vidkit.metrics.synth_encoder import default_weights

        return Path(default_weights()).is_file()
    except (ImportError, OSError, FileNotFoundError):
        return False


def run_demo(
    out: str | Path = "runs/demo",
    *,
    seed: int = 0,
    size: int = 64,
    quiet: bool = False,
    models: dict[str, Any] | None = None,
    prompts: Any = "tiny",
    seeds: Sequence[int] = (0, 1),
    limit: int | None = None,
    compare_settings: dict[str, Any] | None = None,
) -> Path:
    """Build the demo report ``out/report.html``; returns its path.

    1. Renders the demo's synthetic scenes (three with a controlled violation), writes them as mp4
       and runs the physics probes on each (what they found, per scene).
    2. When the models are installed (default :data:`DEMO_MODELS`, the bundled tiny model's final
       and early checkpoints), compares them with :func:`vidkit.compare` on the ``prompts`` suite
       and ``seeds``: physics probes per video, FVD/KVD against synthetic scenes of the same
       prompts (SynthEncoder features), with bootstrap CIs, plots and side-by-side videos. The
       run store is ``out/compare`` (a second run reuses it). Missing models are reported in the
       page, never replaced by stand-ins.

    Example:
        >>> from vidkit.demo import run_demo
        >>> from vidkit.comparison import SynthModel
        >>> run_demo("runs/demo", size=32, quiet=True, seeds=[0], limit=2,
        ...          models={"exact": SynthModel(), "vanishes": SynthModel("vanish")}).name
        'report.html'
        >>> run_demo("runs/demo2")  # the bundled tiny model's checkpoints  # doctest: +SKIP
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

    rep = Report("vidkit demo: synthetic physics scenes and a model comparison")
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
    _demo_probes(rep, scenes, quiet)
    _demo_tasks(rep, out, seed=seed, quiet=quiet)
    _demo_compare(
        rep,
        out,
        models=DEMO_MODELS if models is None else models,
        prompts=prompts,
        seeds=seeds,
        limit=limit,
        settings=compare_settings or {},
        quiet=quiet,
    )
    rep.add_text(f"Made in {time.perf_counter() - t0:.1f} s by vidkit {vk.__version__}.", note=True)
    return rep.save(out / "report.html")


def _demo_probes(rep: Any, scenes: dict[str, Any], quiet: bool) -> None:
    """The physics probes on every demo scene: verdict and findings."""
    from tqdm.auto import tqdm

    from vidkit.comparison import physics_findings

    rep.add_heading("What the physics probes find")
    rows, findings = [], []
    for name, scene in tqdm(scenes.items(), desc="probing scenes", disable=quiet):
        verdict, score, probes, df = physics_findings(scene.video)
        row = {"scene": name, "truth": (scene.truth.violation or {}).get("name", "none")}
        row.update({"verdict": verdict, "physics score": score, **probes})
        rows.append(row)
        if len(df):
            df = df.copy()
            df.insert(0, "scene", name)
            findings.append(df)
    rep.add_table(rows)
    if findings:
        import pandas as pd

        allf = pd.concat(findings, ignore_index=True)
        if "severity" in allf.columns:
            allf = allf[allf["severity"] != "info"]
        # at most two findings per scene and probe (a frozen stretch is one finding per frame)
        kept = []
        for _, group in allf.groupby(["scene", "probe"], sort=False):
            head = group.head(2).copy()
            if len(group) > 2:
                last = head.index[-1]
                head.loc[last, "sentence"] += f" (and {len(group) - 2} more like it)"
            kept.append(head)
        if kept:
            rep.add_text("Findings (warnings and failures), one sentence each:")
            rep.add_table(pd.concat(kept).drop(columns=["value", "threshold"], errors="ignore"))


def _demo_tasks(rep: Any, out: Path, *, seed: int, quiet: bool) -> None:
    """Text-, image- and video-to-video with the bundled tiny model, each checked by the probes."""
    import vidkit as vk

    rep.add_heading("Text-, image- and video-to-video with the tiny model")
    try:
        pipe = vk.load(DEMO_TASK_MODEL)
    except (OSError, ValueError) as exc:
        rep.add_text(f"Skipped: {DEMO_TASK_MODEL} could not be loaded ({exc}).", note=True)
        return
    d = pipe.defaults
    size = (int(d["height"]), int(d["width"]))
    scene = vk.synth.render(
        "projectile", seed=seed, size=size, frames=int(d["num_frames"]), fps=float(d["fps"])
    )
    runs = {
        "text-to-video": {"prompt": "a red ball bounces to the right on a grey floor"},
        "image-to-video": {"image": scene.video[0], "prompt": scene.prompt},
        "video-to-video (strength 0.5)": {
            "video": scene.video,
            "prompt": scene.prompt,
            "strength": 0.5,
        },
    }
    videos = {"real scene (condition)": scene.video}
    rows = []
    for name, kwargs in runs.items():
        video = vk.generate(pipe, seed=seed, progress=not quiet, **kwargs)
        vk.write_video(out / f"tiny_{video.metadata['task']}.mp4", video)
        videos[name] = video
        report = vk.probes.physics(video)
        rows.append(
            {
                "task": name,
                "prompt": kwargs["prompt"],
                "verdict": str(report.verdict),
                "PSNR to the real scene (dB)": vk.psnr(video, scene.video),
                "seconds": video.metadata.get("wall_time_s", float("nan")),
            }
        )
    rep.add_text(
        f"{DEMO_TASK_MODEL}: the real scene's first frame conditions image-to-video, the whole "
        "scene conditions video-to-video; every result goes through the physics probes."
    )
    rep.add_videos(videos, captions={"real scene (condition)": scene.prompt})
    rep.add_table(rows)


def _demo_compare(
    rep: Any,
    out: Path,
    *,
    models: dict[str, Any],
    prompts: Any,
    seeds: Sequence[int],
    limit: int | None,
    settings: dict[str, Any],
    quiet: bool,
) -> None:
    import vidkit as vk
    from vidkit.comparison import load_prompts

    rep.add_heading("Comparing models")
    if not models:
        rep.add_text("No models were given to compare.", note=True)
        return
    loaded, why = _load_available(dict(models), quiet)
    if not loaded:
        rep.add_text(
            f"The comparison of {', '.join(map(repr, models))} was skipped: {why}. Install or "
            "train the model (vidkit train-tiny) and run the demo again.",
            note=True,
        )
        if not quiet:
            print(f"comparison skipped: {why}")
        return
    metrics: list[Any] = ["physics"]
    if _synth_encoder_available():
        metrics += ["fvd:synth", "kvd:synth"]
    suite = load_prompts(prompts, limit=limit)
    board = vk.compare(
        loaded,
        suite,
        seeds=list(seeds),
        metrics=metrics,
        store=out / "compare",
        reference="synth" if len(metrics) > 1 else None,
        progress=not quiet,
        **settings,
    )
    board.to_markdown(out / "leaderboard.md")
    board.to_csv(out / "leaderboard.csv")
    rep.add_text(
        f"{len(loaded)} models x {len(suite)} prompts x {len(list(seeds))} seeds; metrics: "
        f"{', '.join(map(str, metrics))}; reference for FVD/KVD: vk.synth scenes of the same "
        "prompts. Mean [95% bootstrap CI]."
    )
    if set(loaded) == set(DEMO_MODELS) and models == DEMO_MODELS:
        rep.add_text(
            "final: the bundled vidkit/tiny-physics weights at the end of training (8400 steps, "
            "about an hour on 2 CPU cores). early: the checkpoint the same run saved after 10% "
            "of its steps, kept to show what the rest of the training buys. Both are sampled "
            "with the same prompts, seeds and settings."
        )
    rep.add_html(board.table_html())
    rep.add_figure(board.plot())
    rep.add_text(
        "Side by side: one prompt per kind of motion, where the models' physics scores differ "
        "most (first seed)."
    )
    for pid in board.showcase_prompts(4):
        text = board.items.loc[board.items["prompt_id"] == pid, "prompt"].iloc[0]
        rep.add_text(f"{pid}: {text}")
        rep.add_videos(board.videos(prompt=pid))
    if not quiet:
        print(board.to_markdown())
