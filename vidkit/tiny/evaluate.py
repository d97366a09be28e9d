"""Measure the tiny model with vidkit's own evaluators, on a fixed seeded set of held-out scenes.

Every number comes from a vidkit evaluator, never from the model's own internals:

- **prompt adherence**: the objects of each generated clip are tracked
  (:func:`vidkit.probes.track`); the main object's median colour is matched to the nearest colour
  of :data:`vidkit.synth.PALETTE` and compared with the colour the prompt names; its displacement
  from the first to the last visible frame is compared with the direction the prompt names
  ("left", "right", "up", "down", "up and to the left"...);
- **motion realism**: :func:`vidkit.probes.gravity` fits g on free falls and throws (within 20% of
  the training g counts as right); :func:`vidkit.probes.permanence` (vanish/appear) and
  :func:`vidkit.probes.continuity` (teleport/stutter) must report no failure;
- **image-to-video**: PSNR of the first output frame against the given image, and the distance
  between the ball tracked in frame 1 (the first frame after the given one) and where the real
  scene has it then;
- **video-to-video**: PSNR of the output against the input clip at two strengths;
- **FVD in the SynthEncoder space** (:class:`vidkit.metrics.SynthEncoder`): generated vs held-out
  real clips, against two references: another set of real clips (the floor) and the same scenes
  with physics violations (what "clearly wrong" scores).

Held-out scenes use seeds from :data:`EVAL_SEED` on (training clips use seeds below a few
thousand), rendered exactly like the training data (:func:`vidkit.tiny.data.render_clip`).

Example:
    >>> import vidkit as vk
    >>> from vidkit.tiny.evaluate import evaluate
    >>> pipe = vk.tiny.load_pipeline()
    >>> report = evaluate(pipe, n=4, num_inference_steps=8)
    >>> 0 <= report.summary["color_accuracy"] <= 1
    True
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from vidkit.tiny import data as _data
from vidkit.tiny.pipeline import DEFAULT_GUIDANCE
from vidkit.video import Video, psnr

__all__ = [
    "EVAL_SEED",
    "EvaluationReport",
    "check_sample",
    "dominant_color",
    "evaluate",
    "fvd_table",
    "generate_videos",
    "heldout_scenes",
    "prompt_directions",
]

#: First seed of the held-out evaluation scenes (far from the training seeds).
EVAL_SEED = 1_000_000
G_TOLERANCE = 0.20
DIRECTION_MIN_PX = 1.0


def heldout_scenes(n: int, *, start: int = EVAL_SEED, kinds: Sequence[str] = _data.KINDS, **kw):
    """``n`` held-out scenes (seeds ``start..``), kinds in turn, rendered like the training data.

    Example:
        >>> [s.kind for s in heldout_scenes(4)]
        ['free_fall', 'projectile', 'bounce', 'uniform']
    """
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive int, got {n!r}")
    kinds = list(kinds)
    return [_data.render_clip(start + i, kinds[i % len(kinds)], **kw) for i in range(n)]


def generate_videos(
    pipe: Any,
    prompts: Sequence[str],
    seeds: Sequence[int],
    *,
    images: Sequence[Any] | None = None,
    videos: Sequence[Any] | None = None,
    strength: float | None = None,
    num_inference_steps: int = 25,
    guidance_scale: float = DEFAULT_GUIDANCE,
    batch_size: int = 8,
) -> list[Video]:
    """One video per prompt (seed ``seeds[i]`` for prompt ``i``), in batches.

    Example:
        >>> import vidkit as vk
        >>> vids = generate_videos(vk.tiny.load_pipeline(), ["a red ball falls"], [0],
        ...                        num_inference_steps=4)
        >>> len(vids), vids[0].shape
        (1, (16, 32, 32, 3))
    """
    prompts, seeds = list(prompts), list(seeds)
    if len(prompts) != len(seeds):
        raise ValueError(f"got {len(prompts)} prompts but {len(seeds)} seeds")
    for name, cond in (("images", images), ("videos", videos)):
        if cond is not None and len(cond) != len(prompts):
            raise ValueError(f"got {len(cond)} {name} for {len(prompts)} prompts")
    out: list[Video] = []
    for a in range(0, len(prompts), batch_size):
        b = min(a + batch_size, len(prompts))
        kw: dict[str, Any] = {}
        if images is not None:
            kw["image"] = [_as_image(i) for i in images[a:b]]
        if videos is not None:
            kw["video"] = [
                Video(v.frames) if isinstance(v, Video) else Video(v) for v in videos[a:b]
            ]
            kw["strength"] = strength
        gens = [torch.Generator().manual_seed(int(s)) for s in seeds[a:b]]
        frames = pipe(
            prompts[a:b],
            num_inference_steps=num_inference_steps,
            guidance_scale=guidance_scale,
            generator=gens,
            output_type="np",
            **kw,
        ).frames
        for j, f in enumerate(frames):
            out.append(
                Video(f, fps=_data.FPS, metadata={"prompt": prompts[a + j], "seed": seeds[a + j]})
            )
    return out


def _as_image(x: Any) -> Any:
    if isinstance(x, Video):
        return x.frames[0]
    return x


def dominant_color(video: Video, tracks: Any = None) -> tuple[str | None, np.ndarray | None]:
    """The palette name nearest to the main tracked object's median colour (and that colour).

    The main object is the one visible in the most frames; ``(None, None)`` when nothing is
    tracked.

    Example:
        >>> import vidkit as vk
        >>> name, rgb = dominant_color(vk.synth.render("uniform", 0, colors="red").video)
        >>> name
        'red'
    """
    from vidkit.probes import track
    from vidkit.synth import PALETTE

    tr = tracks if tracks is not None else track(video)
    if tr.n_objects == 0:
        return None, None
    i = int(np.argmax(tr.visible.sum(axis=1)))
    rgb = np.nanmedian(tr.colors[i][tr.visible[i]], axis=0)
    names = list(PALETTE)
    dist = [np.linalg.norm(rgb - np.asarray(PALETTE[c])) for c in names]
    return names[int(np.argmin(dist))], rgb


def prompt_directions(prompt: str) -> dict[str, int]:
    """Signs the prompt asks for: ``{"x": -1/+1}`` (left/right) and ``{"y": -1/+1}`` (up/down).

    Example:
        >>> prompt_directions("a red ball moves up and to the left at constant speed")
        {'x': -1, 'y': -1}
        >>> prompt_directions("a red ball falls")
        {}
    """
    out: dict[str, int] = {}
    words = re.findall(r"[a-z]+", prompt.lower())
    if "left" in words:
        out["x"] = -1
    if "right" in words:
        out["x"] = 1
    if "moves" in words:  # uniform motion names its vertical direction too
        if "up" in words:
            out["y"] = -1
        if "down" in words:
            out["y"] = 1
    return out


def _prompt_color(prompt: str) -> str | None:
    from vidkit.synth import PALETTE

    for w in re.findall(r"[a-z]+", prompt.lower()):
        if w in PALETTE:
            return w
    return None


def _prompt_kind(prompt: str) -> str:
    p = prompt.lower()
    if "thrown" in p:
        return "projectile"
    if "bounces" in p:
        return "bounce"
    if "moves" in p:
        return "uniform"
    return "free_fall"


def check_sample(video: Video, prompt: str) -> dict[str, Any]:
    """Every per-sample check of :func:`evaluate` on one generated clip.

    Returns a row: ``color`` (found), ``color_ok``, ``direction_ok`` (``None`` if the prompt names
    no direction), ``g`` (fitted, free falls and throws), ``g_ok``, ``vanish_teleport`` (True when
    permanence or continuity failed, or nothing was tracked), and the probes' sentences.

    Example:
        >>> import vidkit as vk
        >>> scene = vk.synth.render("uniform", 3, size=32, frames=16, fps=8)
        >>> scene.prompt
        'an orange ball moves down and to the right at constant speed'
        >>> row = check_sample(scene.video, scene.prompt)
        >>> row["color_ok"], row["direction_ok"]
        (True, True)
    """
    from vidkit.probes import analyze_motion, continuity, gravity, permanence

    kind = _prompt_kind(prompt)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        motion = analyze_motion(video)
    tr = motion.tracks
    row: dict[str, Any] = {"prompt": prompt, "kind": kind, "objects": tr.n_objects}
    want = _prompt_color(prompt)
    name, rgb = dominant_color(video, tr)
    row["color_wanted"], row["color"] = want, name
    row["color_ok"] = bool(name is not None and name == want)
    dirs = prompt_directions(prompt)
    row["direction_ok"] = None
    if dirs:
        ok = False
        if tr.n_objects:
            i = int(np.argmax(tr.visible.sum(axis=1)))
            vis = np.flatnonzero(tr.visible[i])
            if vis.size >= 2:
                d = tr.centers[i, vis[-1]] - tr.centers[i, vis[0]]
                ok = all(
                    np.sign(d[0 if axis == "x" else 1]) == sign
                    and abs(d[0 if axis == "x" else 1]) >= DIRECTION_MIN_PX
                    for axis, sign in dirs.items()
                )
        row["direction_ok"] = bool(ok)
    row["g"], row["g_ok"] = float("nan"), None
    g_train = _data.training_g(kind)
    if kind in ("free_fall", "projectile") and g_train is not None:
        res = gravity(video, expected_g=g_train, motion=motion)
        g = float(res.scores.get("g", float("nan")))
        row["g"] = g
        row["g_ok"] = bool(np.isfinite(g) and abs(g / g_train - 1) <= G_TOLERANCE)
    perm = permanence(video, motion=motion)
    cont = continuity(video, motion=motion)
    bad = [f.sentence for r in (perm, cont) for f in r.failures]
    row["vanish_teleport"] = bool(bad) or tr.n_objects == 0
    row["findings"] = "; ".join(bad) if bad else ("no object found" if tr.n_objects == 0 else "")
    return row


@dataclass
class EvaluationReport:
    """What :func:`evaluate` measured: ``summary`` (name -> number) and per-sample ``rows``."""

    summary: dict[str, float]
    rows: list[dict[str, Any]] = field(default_factory=list)
    videos: dict[str, list[Video]] = field(default_factory=dict, repr=False)

    def table(self) -> Any:
        """Per-sample rows as a pandas DataFrame."""
        import pandas as pd

        return pd.DataFrame(self.rows)

    def __repr__(self) -> str:
        body = ", ".join(f"{k}={v:.3g}" for k, v in self.summary.items())
        return f"EvaluationReport({body})"


def _mean(values: Sequence[Any]) -> float:
    vals = [float(v) for v in values if v is not None]
    return float(np.mean(vals)) if vals else float("nan")


def _median(values: Sequence[float]) -> float:
    vals = [float(v) for v in values if v is not None and np.isfinite(v)]
    return float(np.median(vals)) if vals else float("nan")


def fvd_table(
    generated: Sequence[Video],
    real: Sequence[Video],
    real_reference: Sequence[Video],
    violated: Sequence[Video],
    extractor: Any = None,
) -> dict[str, float]:
    """Fréchet distances in the SynthEncoder space: generated, a second real set and violated
    scenes, each against ``real``.

    Example:
        >>> import vidkit as vk
        >>> scenes = lambda seeds, **kw: [vk.synth.render("bounce", s, size=32, frames=16, fps=8,
        ...                                               **kw).video for s in seeds]
        >>> real, real2 = scenes(range(8)), scenes(range(8, 16))
        >>> fake, bad = scenes(range(16, 24)), scenes(range(8), violation="teleport")
        >>> table = fvd_table(fake, real, real2, bad)
        >>> sorted(table)
        ['fvd_generated', 'fvd_real_vs_real', 'fvd_violated']
        >>> table["fvd_violated"] > table["fvd_real_vs_real"]
        True
    """
    from vidkit.metrics import SynthEncoder, fd_from_features

    enc = extractor if extractor is not None else SynthEncoder()
    feats = {
        k: np.asarray(enc(list(v)), np.float64)
        for k, v in (("real", real), ("gen", generated), ("ref", real_reference), ("bad", violated))
    }
    return {
        "fvd_generated": fd_from_features(feats["gen"], feats["real"], warn=False),
        "fvd_real_vs_real": fd_from_features(feats["ref"], feats["real"], warn=False),
        "fvd_violated": fd_from_features(feats["bad"], feats["real"], warn=False),
    }


def violated_scenes(n: int, *, start: int = EVAL_SEED + 500_000) -> list[Any]:
    """``n`` held-out scenes, each with one of the synth violations (in turn; skipping the ones
    that do not apply to the kind).

    Example:
        >>> violated_scenes(2)[0].violation
        'teleport'
    """
    from vidkit.synth import VIOLATIONS

    out = []
    j = 0
    for i in range(n):
        kind = _data.KINDS[i % len(_data.KINDS)]
        for _ in range(len(VIOLATIONS)):
            v = VIOLATIONS[j % len(VIOLATIONS)]
            j += 1
            try:
                out.append(_data.render_clip(start + i, kind, violation=v))
                break
            except ValueError:
                continue
    return out


def evaluate(
    pipe: Any,
    n: int = 32,
    *,
    seed: int = 0,
    scene_start: int = EVAL_SEED,
    num_inference_steps: int = 25,
    guidance_scale: float = DEFAULT_GUIDANCE,
    i2v: int | None = None,
    v2v: int | None = None,
    fvd: bool = True,
    batch_size: int = 8,
    keep_videos: bool = False,
) -> EvaluationReport:
    """Generate from ``n`` held-out prompts (and ``i2v``/``v2v`` conditioned samples) and score
    everything listed in the module docstring.

    Args:
        pipe: a :class:`~vidkit.tiny.TinyPhysicsPipeline`.
        n: text-to-video samples (kinds in turn over free_fall, projectile, bounce, uniform).
        seed: offset of the generation seeds (sample ``i`` uses ``seed + i``).
        scene_start: seed of the first held-out scene (default :data:`EVAL_SEED`; another value
            gives an independent set, e.g. to choose sampling settings on one set and report on
            another).
        i2v, v2v: number of image-to-video / video-to-video samples (default ``n // 2``).
        fvd: compute the SynthEncoder FVD table (needs the SynthEncoder weights).
        keep_videos: keep the generated videos in ``report.videos``.

    Example:
        >>> import vidkit as vk
        >>> rep = evaluate(vk.tiny.load_pipeline(), n=4, num_inference_steps=8)
        >>> len(rep.rows), "g_within_20pct" in rep.summary
        (4, True)
    """
    i2v = n // 2 if i2v is None else int(i2v)
    v2v = n // 2 if v2v is None else int(v2v)
    gen_kw = {
        "num_inference_steps": num_inference_steps,
        "guidance_scale": guidance_scale,
        "batch_size": batch_size,
    }
    scenes = heldout_scenes(n, start=scene_start)
    prompts = [s.prompt for s in scenes]
    seeds = [seed + i for i in range(n)]
    fake = generate_videos(pipe, prompts, seeds, **gen_kw)
    rows = [dict(check_sample(v, p), task="t2v", seed=s) for v, p, s in zip(fake, prompts, seeds)]
    summary: dict[str, float] = {
        "n_t2v": float(n),
        "color_accuracy": _mean([r["color_ok"] for r in rows]),
        "direction_accuracy": _mean([r["direction_ok"] for r in rows]),
        "g_within_20pct": _mean([r["g_ok"] for r in rows]),
        "g_median": _median([r["g"] for r in rows if r["g_ok"] is not None]),
        "no_vanish_teleport": _mean([not r["vanish_teleport"] for r in rows]),
    }
    videos: dict[str, list[Video]] = {"t2v": fake}

    if i2v > 0:
        src = scenes[:i2v] if i2v <= n else heldout_scenes(i2v, start=scene_start)
        firsts = [s.video.frames[0] for s in src]
        out = generate_videos(pipe, [s.prompt for s in src], seeds[:i2v], images=firsts, **gen_kw)
        from vidkit.probes import track

        ps, starts = [], []
        for s, v in zip(src, out):
            ps.append(psnr(v.frames[0], s.video.frames[0]))
            # where the ball is in the first *generated* frame after the given one, against
            # where the real scene has it then (the motion starts where the image puts it)
            tr = track(v)
            true1 = s.truth.centers[0, 1]
            d = float("inf")
            for i in range(tr.n_objects):
                if tr.visible[i, 1]:
                    d = min(d, float(np.hypot(*(tr.centers[i, 1] - true1))))
            starts.append(d)
        summary.update(
            n_i2v=float(i2v),
            i2v_first_frame_psnr_median=float(np.median(ps)),
            i2v_first_frame_psnr_ge_25=_mean([p >= 25 for p in ps]),
            i2v_frame1_error_px_median=float(np.median(starts)),
            i2v_frame1_within_2px=_mean([d <= 2.0 for d in starts]),
        )
        videos["i2v"] = out

    if v2v > 0:
        src = scenes[:v2v] if v2v <= n else heldout_scenes(v2v, start=scene_start)
        vids = [s.video for s in src]
        low = generate_videos(
            pipe, [s.prompt for s in src], seeds[:v2v], videos=vids, strength=0.3, **gen_kw
        )
        high = generate_videos(
            pipe, [s.prompt for s in src], seeds[:v2v], videos=vids, strength=0.9, **gen_kw
        )
        p_low = [psnr(a, b.frames) for a, b in zip(low, vids)]
        p_high = [psnr(a, b.frames) for a, b in zip(high, vids)]
        summary.update(
            n_v2v=float(v2v),
            v2v_psnr_s03_median=float(np.median(p_low)),
            v2v_psnr_s03_ge_20=_mean([p >= 20 for p in p_low]),
            v2v_psnr_s09_median=float(np.median(p_high)),
            v2v_s09_farther=_mean([h < lo for h, lo in zip(p_high, p_low)]),
        )
        videos["v2v_0.3"], videos["v2v_0.9"] = low, high

    if fvd:
        real = [s.video for s in scenes]
        ref = [s.video for s in heldout_scenes(n, start=EVAL_SEED + 200_000)]
        bad = [s.video for s in violated_scenes(n)]
        summary.update(fvd_table(fake, real, ref, bad))
    return EvaluationReport(summary, rows, videos if keep_videos else {})
