"""Train the SynthEncoder on vidkit's synthetic physics scenes (CPU, minutes).

What it does, step by step:

1. Renders a pool of training scenes with :func:`vidkit.synth.render` (64x64, 32 frames at 16 fps;
   kind drawn uniformly; no violation with probability ``p_clean`` (default 0.25), else one drawn
   uniformly among the violations that make sense for the kind; background drawn among plain/noise/texture; camera
   noise 0 half of the time, else uniform in [0, 0.05]), and a held-out set from disjoint seeds.
   Each clip is stored resampled to the encoder input (16 frames, 32x32, uint8).
2. Trains :class:`~vidkit.metrics.synth_encoder.SynthEncoderNet` with two cross-entropy heads
   (kind, violation), AdamW, one-cycle learning rate, horizontal flips (physics is mirror
   symmetric; time reversal is not: ``reverse`` is a label).
3. Writes to ``--out``: ``synth_encoder.safetensors`` (weights + config metadata),
   ``metrics.json`` (held-out accuracy per head, per class, confusion matrix, curves),
   ``training.png`` and ``README.md`` (the model card, filled with the measured numbers).

``reverse`` is only drawn for the gravity kinds: the reversed film of uniform motion or of an
elastic collision is itself a valid uniform motion / collision, so there is nothing to detect.

Run:
    python -m vidkit.metrics.train_synth_encoder --out data/synth_encoder --steps 1000 --p-clean 0.25

Example:
    >>> from vidkit.metrics.train_synth_encoder import train
    >>> summary = train("runs/se-smoke", steps=5, n_train=64, n_val=32)  # doctest: +SKIP
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from vidkit.metrics.synth_encoder import (
    FRAMES,
    SIZE,
    WEIGHTS_NAME,
    SynthEncoderNet,
    clips_to_input,
    resample_clips,
)

__all__ = ["train", "make_dataset", "scene_specs", "main"]

GRAVITY_KINDS = ("free_fall", "projectile", "bounce", "pendulum")
BACKGROUNDS = ("plain", "noise", "texture")
RENDER = {"size": (64, 64), "frames": 32, "fps": 16.0}


def _allowed(kind: str, violations: tuple[str, ...]) -> list[str]:
    out = []
    for v in violations:
        if v in ("wrong_gravity", "reverse") and kind not in GRAVITY_KINDS:
            continue
        out.append(v)
    return out


def scene_specs(n: int, seed: int, p_clean: float = 1 / 3) -> list[dict[str, Any]]:
    """``n`` scene specifications (kind, violation, background, camera noise, seed), seeded.

    Example:
        >>> scene_specs(2, seed=0)[0]["kind"] in ("free_fall", "projectile", "bounce",
        ...     "pendulum", "collision", "uniform")
        True
    """
    from vidkit.synth import KINDS, VIOLATIONS

    rng = np.random.default_rng(seed)
    specs = []
    for i in range(n):
        kind = str(rng.choice(KINDS))
        viol = None if rng.random() < p_clean else str(rng.choice(_allowed(kind, VIOLATIONS)))
        noise = 0.0 if rng.random() < 0.5 else float(rng.uniform(0.0, 0.05))
        specs.append(
            {
                "kind": kind,
                "violation": viol,
                "background": str(rng.choice(BACKGROUNDS)),
                "camera_noise": round(noise, 4),
                "seed": int(seed * 1_000_003 + i),
            }
        )
    return specs


def _render_spec(spec: dict[str, Any]) -> Any:
    from vidkit.synth import render

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return render(
            spec["kind"],
            seed=spec["seed"],
            violation=spec["violation"],
            background=spec["background"],
            camera_noise=spec["camera_noise"],
            **RENDER,
        )


def make_dataset(
    specs: list[dict[str, Any]],
    kinds: list[str],
    violations: list[str],
    *,
    desc: str = "render",
    chunk: int = 64,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Render ``specs`` -> (clips uint8 ``[n, 16, 3, 32, 32]``, kind labels, violation labels).

    A violation that cannot be applied to a scene (e.g. no frame where the object is away from
    the border) falls back to another violation of the same kind, then to none; the labels say
    what was rendered.

    Example:
        >>> x, k, v = make_dataset(scene_specs(4, 0), KINDS, ["none", *VIOLATIONS])  # doctest: +SKIP
    """
    from tqdm.auto import tqdm

    from vidkit.synth import VIOLATIONS

    clips, klab, vlab = [], [], []
    buf: list[np.ndarray] = []

    def flush() -> None:
        if buf:
            t = torch.from_numpy(np.stack(buf)).permute(0, 1, 4, 2, 3)  # [b, T, 3, H, W]
            small = resample_clips(t, FRAMES, SIZE)
            clips.append((small * 255).round().to(torch.uint8))
            buf.clear()

    for spec in tqdm(specs, desc=desc, unit="scene", mininterval=2.0):
        tries = [spec["violation"]]
        if spec["violation"] is not None:
            rest = [v for v in _allowed(spec["kind"], VIOLATIONS) if v != spec["violation"]]
            tries += rest + [None]
        for v in tries:
            try:
                scene = _render_spec({**spec, "violation": v})
                break
            except ValueError:
                continue
        buf.append(scene.video.frames)
        klab.append(kinds.index(spec["kind"]))
        vlab.append(violations.index(v or "none"))
        if len(buf) >= chunk:
            flush()
    flush()
    return torch.cat(clips), torch.tensor(klab), torch.tensor(vlab)


@torch.no_grad()
def _evaluate(
    net: SynthEncoderNet, x: torch.Tensor, k: torch.Tensor, v: torch.Tensor, bs: int = 64
) -> dict[str, Any]:
    net.eval()
    kp, vp, loss = [], [], 0.0
    for a in range(0, len(x), bs):
        inp = clips_to_input(x[a : a + bs].float() / 255)
        kl, vl = net(inp)
        loss += float(F.cross_entropy(kl, k[a : a + bs], reduction="sum"))
        loss += float(F.cross_entropy(vl, v[a : a + bs], reduction="sum"))
        kp.append(kl.argmax(-1))
        vp.append(vl.argmax(-1))
    net.train()
    kp_t, vp_t = torch.cat(kp), torch.cat(vp)
    return {
        "loss": loss / len(x),
        "kind_acc": float((kp_t == k).float().mean()),
        "violation_acc": float((vp_t == v).float().mean()),
        "kind_pred": kp_t,
        "violation_pred": vp_t,
    }


def train(
    out: str | Path,
    *,
    steps: int = 1000,
    batch_size: int = 32,
    n_train: int = 4000,
    n_val: int = 500,
    seed: int = 0,
    threads: int = 2,
    lr: float = 3e-3,
    eval_every: int = 100,
    widths: tuple[int, ...] = (32, 48, 48, 96, 96),
    embed_dim: int = 128,
    p_clean: float = 0.25,
    command: str | None = None,
) -> dict[str, Any]:
    """Train a SynthEncoder and write weights, metrics, figure and model card to ``out``.

    Example:
        >>> train("runs/se", steps=900)  # doctest: +SKIP
    """
    from safetensors.torch import save_file
    from tqdm.auto import tqdm

    from vidkit.synth import KINDS, VIOLATIONS

    if steps < 1 or batch_size < 1 or n_train < batch_size or n_val < 1:
        raise ValueError(
            f"need steps >= 1, batch_size >= 1, n_train >= batch_size, n_val >= 1; got "
            f"steps={steps}, batch_size={batch_size}, n_train={n_train}, n_val={n_val}"
        )
    t0 = time.time()
    load_start = _loadavg()
    torch.set_num_threads(int(threads))
    torch.manual_seed(seed)
    kinds, violations = list(KINDS), ["none", *VIOLATIONS]
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)

    if not 0.0 <= p_clean < 1.0:
        raise ValueError(f"p_clean must be in [0, 1), got {p_clean}")
    specs = scene_specs(n_train, seed + 1, p_clean=p_clean)
    xtr, ktr, vtr = make_dataset(specs, kinds, violations, desc="train")
    xva, kva, vva = make_dataset(scene_specs(n_val, seed + 10_000), kinds, violations, desc="val")
    t_data = time.time() - t0

    net = SynthEncoderNet(len(kinds), len(violations), widths, embed_dim)
    n_params = sum(p.numel() for p in net.parameters())
    decay = [p for n, p in net.named_parameters() if p.ndim > 1]
    no_decay = [p for n, p in net.named_parameters() if p.ndim <= 1]
    opt = torch.optim.AdamW(
        [{"params": decay, "weight_decay": 0.05}, {"params": no_decay, "weight_decay": 0.0}], lr=lr
    )
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=steps, pct_start=0.1)
    gen = torch.Generator().manual_seed(seed)
    history: dict[str, list[float]] = {"step": [], "train_loss": []}
    evals: list[dict[str, float]] = []
    run_loss = 0.0
    bar = tqdm(range(1, steps + 1), desc="train", unit="step", mininterval=2.0)
    net.train()
    for step in bar:
        idx = torch.randint(0, len(xtr), (batch_size,), generator=gen)
        clips = xtr[idx].float() / 255
        flip = torch.rand(batch_size, generator=gen) < 0.5
        clips[flip] = clips[flip].flip(-1)
        kl, vl = net(clips_to_input(clips))
        loss = F.cross_entropy(kl, ktr[idx], label_smoothing=0.05) + F.cross_entropy(
            vl, vtr[idx], label_smoothing=0.05
        )
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), 2.0)
        opt.step()
        sched.step()
        lv = float(loss.detach())
        run_loss = lv if step == 1 else 0.95 * run_loss + 0.05 * lv
        history["step"].append(step)
        history["train_loss"].append(lv)
        if step % eval_every == 0 or step == steps:
            ev = _evaluate(net, xva, kva, vva)
            evals.append(
                {
                    "step": step,
                    "val_loss": ev["loss"],
                    "kind_acc": ev["kind_acc"],
                    "violation_acc": ev["violation_acc"],
                }
            )
            bar.set_postfix(
                loss=f"{run_loss:.3f}",
                kind=f"{ev['kind_acc']:.3f}",
                viol=f"{ev['violation_acc']:.3f}",
            )
    t_train = time.time() - t0 - t_data

    final = _evaluate(net, xva, kva, vva)
    conf = np.zeros((len(violations), len(violations)), dtype=int)
    for t_, p_ in zip(vva.tolist(), final["violation_pred"].tolist()):
        conf[t_, p_] += 1
    per_violation = {
        name: float(conf[i, i] / conf[i].sum()) if conf[i].sum() else float("nan")
        for i, name in enumerate(violations)
    }
    per_kind = {}
    for i, name in enumerate(kinds):
        m = kva == i
        per_kind[name] = float((final["kind_pred"][m] == i).float().mean()) if m.any() else math.nan
    wall = time.time() - t0
    cfg = {
        "kinds": kinds,
        "violations": violations,
        "widths": net.widths,
        "embed_dim": net.embed_dim,
        "frames": FRAMES,
        "size": SIZE,
        "render": {**RENDER, "size": list(RENDER["size"])},
        "training": {
            "steps": steps,
            "batch_size": batch_size,
            "n_train": n_train,
            "n_val": n_val,
            "seed": seed,
            "threads": threads,
            "lr": lr,
            "p_clean": round(p_clean, 4),
            "wall_s": round(wall, 1),
            "kind_acc": round(final["kind_acc"], 4),
            "violation_acc": round(final["violation_acc"], 4),
            "torch": torch.__version__,
        },
    }
    state = {k: v.detach().contiguous() for k, v in net.state_dict().items()}
    save_file(state, str(out / WEIGHTS_NAME), metadata={"config": json.dumps(cfg)})
    summary = {
        "command": command
        or f"python -m vidkit.metrics.train_synth_encoder --out {out} --steps {steps}",
        "params": n_params,
        "wall_s": round(wall, 1),
        "data_s": round(t_data, 1),
        "train_s": round(t_train, 1),
        "kind_acc": final["kind_acc"],
        "violation_acc": final["violation_acc"],
        "per_kind_acc": per_kind,
        "per_violation_acc": per_violation,
        "violation_confusion": conf.tolist(),
        "val_counts": {name: int(conf[i].sum()) for i, name in enumerate(violations)},
        "evals": evals,
        "config": cfg,
        "machine": f"{platform.processor() or platform.machine()}, {threads} torch thread(s)",
        "load_average": {"start": load_start, "end": _loadavg()},
    }
    (out / "metrics.json").write_text(json.dumps(summary, indent=1))
    _plot(history, evals, per_violation, conf, violations, out / "training.png")
    (out / "README.md").write_text(_model_card(summary))
    return summary


def _loadavg() -> float | None:
    """1-minute load average (the machine may be shared: it explains wall times)."""
    try:
        return round(os.getloadavg()[0], 2)
    except (AttributeError, OSError):  # pragma: no cover - not on every platform
        return None


def _plot(history, evals, per_violation, conf, violations, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(1, 3, figsize=(15, 4.2))
    loss = np.asarray(history["train_loss"])
    k = max(1, len(loss) // 50)
    smooth = np.convolve(loss, np.ones(k) / k, mode="valid")
    ax[0].plot(history["step"][: len(smooth)], smooth, label="train (moving avg)")
    ax[0].plot([e["step"] for e in evals], [e["val_loss"] for e in evals], "o-", label="held-out")
    ax[0].set(xlabel="step", ylabel="loss (kind + violation CE)", title="loss")
    ax[0].legend()
    ax[1].plot([e["step"] for e in evals], [e["kind_acc"] for e in evals], "o-", label="kind")
    ax[1].plot(
        [e["step"] for e in evals], [e["violation_acc"] for e in evals], "o-", label="violation"
    )
    ax[1].set(xlabel="step", ylabel="held-out accuracy", ylim=(0, 1.02), title="accuracy")
    ax[1].legend()
    norm = conf / np.maximum(conf.sum(1, keepdims=True), 1)
    ax[2].imshow(norm, cmap="Blues", vmin=0, vmax=1)
    ax[2].set_xticks(range(len(violations)), violations, rotation=60, ha="right", fontsize=8)
    ax[2].set_yticks(
        range(len(violations)),
        [f"{v} ({per_violation[v]:.2f})" for v in violations],
        fontsize=8,
    )
    ax[2].set(xlabel="predicted", title="held-out violation confusion (row-normalised)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _model_card(s: dict[str, Any]) -> str:
    cfg = s["config"]
    tr = cfg["training"]
    load = s.get("load_average") or {}
    rows_v = "\n".join(
        f"| {name} | {s['val_counts'][name]} | {acc:.3f} |"
        for name, acc in s["per_violation_acc"].items()
    )
    rows_k = "\n".join(f"| {name} | {acc:.3f} |" for name, acc in s["per_kind_acc"].items())
    return f"""# SynthEncoder (vidkit)

A small 3D-conv video encoder trained by vidkit's own code on vidkit's synthetic physics scenes
(`vidkit.synth`). It classifies the motion *kind* and the physics *violation* of a clip; its
{cfg["embed_dim"]}-d penultimate embedding is the feature space of `vk.metrics.SynthEncoder`, used for
an offline, CPU-friendly FVD on synthetic scenes.

**Not comparable with literature FVD** (I3D / VideoMAE features): compare SynthEncoder scores only
with SynthEncoder scores computed with the same weights (`weight_hash`) on similar content.

## Files
- `{WEIGHTS_NAME}`: weights ({s["params"]:,} parameters, float32) with the config in the
  safetensors metadata (class names, widths, input protocol, training summary).
- `metrics.json`: held-out accuracy per head and per class, confusion matrix, learning curves.
- `training.png`: loss, held-out accuracy over training, violation confusion matrix.

## Input protocol
16 frames (frame `floor(k*T/16)`), each squashed to {cfg["size"]}x{cfg["size"]} (antialiased
bilinear), values mapped to [-1, 1], plus 3 channels of frame differences: input `[6, 16, 32, 32]`.
Architecture: 5 conv blocks (3x3x3 conv, GroupNorm(8), GELU; widths {cfg["widths"]}; strides
(1,2,2), (2,2,2), 1, (2,2,2), 1), global average pooling, Linear + LayerNorm to the
{cfg["embed_dim"]}-d embedding, GELU, two linear heads.

## Training
- Command: `{s["command"]}`
- Wall time: {s["wall_s"]:.0f} s on a CPU with {tr["threads"]} torch thread(s) (rendering the data:
  {s["data_s"]:.0f} s, training: {s["train_s"]:.0f} s); 1-minute load average at start/end
  {load.get("start")}/{load.get("end")} (on a shared machine the wall time stretches with the load);
  torch {tr["torch"]}; seed {tr["seed"]}.
- Data: {tr["n_train"]} training scenes and {tr["n_val"]} held-out scenes (disjoint seeds), rendered by
  `vk.synth.render` at 64x64, 32 frames, 16 fps. Kind uniform over {len(cfg["kinds"])} kinds;
  no violation with probability {tr.get("p_clean", 1 / 3):.2f} (held-out set: 1/3), else uniform
  among the violations that apply to the kind
  (`wrong_gravity` and `reverse` only for the gravity kinds: reversed uniform motion or elastic
  collisions are valid motions); background uniform over plain/noise/texture; camera noise 0
  half of the time, else uniform in [0, 0.05].
- Optimisation: {tr["steps"]} steps of batch {tr["batch_size"]}, AdamW (weight decay 0.05), one-cycle
  learning rate peaking at {tr["lr"]}, label smoothing 0.05, horizontal flips.

## Held-out accuracy
- kind: **{s["kind_acc"]:.3f}**, violation (11 classes incl. none): **{s["violation_acc"]:.3f}**

| kind | accuracy |
|---|---|
{rows_k}

| violation | held-out clips | recall |
|---|---|---|
{rows_v}

![training](training.png)

## Limits
- Trained only on `vidkit.synth` scenes: coloured balls on plain/noise/texture backgrounds. On
  natural video its features carry no meaning.
- Subtle violations (see the recall table) are detected less reliably than gross ones; FVD with
  this encoder reflects what the encoder can see.
"""


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point (``python -m vidkit.metrics.train_synth_encoder``)."""
    p = argparse.ArgumentParser(
        prog="python -m vidkit.metrics.train_synth_encoder",
        description="Train vidkit's SynthEncoder on synthetic physics scenes (CPU).",
    )
    p.add_argument("--out", required=True, help="output folder (weights, metrics, figure, card)")
    p.add_argument("--steps", type=int, default=1000)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--n-train", type=int, default=4000)
    p.add_argument("--n-val", type=int, default=500)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--eval-every", type=int, default=100)
    p.add_argument("--widths", type=int, nargs=5, default=[32, 48, 48, 96, 96])
    p.add_argument("--embed-dim", type=int, default=128)
    p.add_argument("--p-clean", type=float, default=0.25, help="share of clean training scenes")
    a = p.parse_args(argv)
    cmd = "python -m vidkit.metrics.train_synth_encoder " + " ".join(
        sys.argv[1:] if argv is None else argv
    )
    s = train(
        a.out,
        steps=a.steps,
        batch_size=a.batch_size,
        n_train=a.n_train,
        n_val=a.n_val,
        seed=a.seed,
        threads=a.threads,
        lr=a.lr,
        eval_every=a.eval_every,
        widths=tuple(a.widths),
        embed_dim=a.embed_dim,
        p_clean=a.p_clean,
        command=cmd,
    )
    print(
        f"done in {s['wall_s']:.0f} s: held-out kind acc {s['kind_acc']:.3f}, "
        f"violation acc {s['violation_acc']:.3f} -> {a.out}"
    )
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
