"""Train the tiny text/image/video-to-video model from scratch on synthetic physics scenes.

``python -m vidkit.tiny.train --out runs/tiny-physics --steps 4000`` (or ``vidkit train-tiny``)
renders a pool of training clips (:mod:`vidkit.tiny.data`), builds the tokenizer, text encoder and
denoiser (:func:`~vidkit.tiny.recipe.build_components`), and trains both networks jointly with the
flow-matching objective of :mod:`vidkit.tiny.recipe` (whose names this module re-exports): for a
clean clip ``x0`` in ``[-1, 1]``, noise ``e`` and a noise level ``s = k u / (1 + (k - 1) u)``, ``u = sigmoid(n)``, ``n ~ N(0, 1)`` (the logit-normal sampling of
SD3 with its resolution shift ``k`` = ``NOISE_SHIFT``, the scheduler's ``shift``), the denoiser sees
``x_s = (1 - s) x0 + s e`` and predicts the clean clip ``x0``; the loss is the mean squared error
of the implied velocity ``(x_s - x0_pred) / max(s, 0.05)`` against ``e - x0`` (x-prediction with
a velocity loss, as in JiT, Li & He 2025). The prompt is
replaced by the empty prompt 10% of the time (for classifier-free guidance) and the clean first
frame is given as the image condition 30% of the time (for image-to-video).

What a run writes under ``--checkpoint-dir`` (default ``<out>/../<name>-checkpoint``): every
``--checkpoint-every`` steps the weights, their exponential moving average (EMA), the optimizer
state and ``state.json`` (step, losses, elapsed time), each written atomically (temporary file and
``os.replace``), so ``--resume`` continues exactly where a run stopped (the batch of step ``k`` is
drawn from a generator seeded by ``(seed, k)``). At ``--early-at`` (a fraction of ``--steps``) the
EMA weights are also exported as the *early* pipeline. At the end the EMA weights are exported with
``save_pretrained`` to ``--out`` (and the early ones to ``<out>/early``), with ``loss.png`` and
``training.json``.

Example:
    >>> from vidkit.tiny.train import train
    >>> train("runs/tiny", steps=20, batch_size=4, pool_size=16)   # doctest: +SKIP
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from vidkit.tiny import data as _data
from vidkit.tiny.recipe import (
    DEFAULT_DENOISER,
    DEFAULT_TEXT_ENCODER,
    HIGH_NOISE_FRAC,
    HIGH_NOISE_MIN,
    IMAGE_PROB,
    NOISE_SHIFT,
    TEXT_DROPOUT,
    TEXT_RECON_WEIGHT,
    build_components,
    encode_prompts,
    flow_matching_loss,
    sample_noise_levels,
    shift_noise_levels,
    token_reconstruction_loss,
    training_losses,
)
from vidkit.tiny.recipe import MIN_SIGMA_LOSS as MIN_SIGMA_LOSS  # the old import path

__all__ = [
    "write_model_card",
    "DEFAULT_DENOISER",
    "DEFAULT_TEXT_ENCODER",
    "build_components",
    "encode_prompts",
    "flow_matching_loss",
    "TEXT_RECON_WEIGHT",
    "token_reconstruction_loss",
    "training_losses",
    "HIGH_NOISE_FRAC",
    "shift_noise_levels",
    "sample_noise_levels",
    "main",
    "plot_losses",
    "train",
]


def _atomic_save_file(tensors: dict[str, torch.Tensor], path: Path) -> None:
    from safetensors.torch import save_file

    tmp = path.with_name(path.name + ".tmp")
    save_file({k: v.detach().contiguous().cpu() for k, v in tensors.items()}, str(tmp))
    os.replace(tmp, path)


def _atomic_write_text(text: str, path: Path) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def _ema_update(ema: torch.nn.Module, model: torch.nn.Module, decay: float) -> None:
    with torch.no_grad():
        for pe, pm in zip(ema.parameters(), model.parameters()):
            pe.lerp_(pm, 1.0 - decay)


def plot_losses(losses: Sequence[float], path: str | os.PathLike, *, early_step: int | None = None):
    """Save the loss curve (per step and a moving average) as a PNG.

    Example:
        >>> import tempfile
        >>> plot_losses([1.0, 0.8, 0.7], tempfile.mkdtemp() + "/loss.png")
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    y = np.asarray(losses, dtype=np.float64)
    fig, ax = plt.subplots(figsize=(6, 3.2), dpi=100)
    ax.plot(np.arange(1, y.size + 1), y, lw=0.5, alpha=0.35, label="loss per step")
    w = max(1, min(100, y.size // 20))
    if y.size >= w > 1:
        sm = np.convolve(y, np.ones(w) / w, mode="valid")
        ax.plot(np.arange(w, y.size + 1), sm, lw=1.5, label=f"moving average ({w})")
    if early_step:
        ax.axvline(early_step, color="k", ls=":", lw=1, label="early checkpoint")
    ax.set_xlabel("step")
    ax.set_ylabel("flow-matching MSE")
    ax.set_yscale("log")
    ax.legend(loc="upper right", fontsize=8)
    ax.set_title("tiny-physics training loss")
    fig.tight_layout()
    tmp = Path(str(path) + ".tmp.png")
    fig.savefig(tmp)
    plt.close(fig)
    os.replace(tmp, path)


def write_model_card(
    folder: str | os.PathLike,
    info: dict[str, Any],
    *,
    quality: str | None = None,
    notes: str | None = None,
) -> Path:
    """Write the model card ``README.md`` of a trained pipeline folder.

    ``info`` is the folder's ``training.json`` content; ``quality`` an optional markdown section
    (e.g. the table printed by ``benchmarks/tiny_quality.py``).

    Example:
        >>> write_model_card("runs/tiny-physics", json.load(open("runs/tiny-physics/training.json")))  # doctest: +SKIP
    """
    folder = Path(folder)
    if not (folder / "model_index.json").is_file():
        raise FileNotFoundError(f"{folder} is not a pipeline folder (no model_index.json)")
    from safetensors import safe_open

    n_params, n_bytes = 0, 0
    for f in sorted(folder.glob("*/*.safetensors")):
        n_bytes += f.stat().st_size
        with safe_open(str(f), "pt") as st:
            n_params += sum(int(np.prod(st.get_slice(k).get_shape())) for k in st.keys())
    den_cfg = folder / "denoiser" / "config.json"
    cross = den_cfg.is_file() and bool(json.loads(den_cfg.read_text()).get("cross_attention"))
    early = folder / "early" / "training.json"
    early_step = json.loads(early.read_text())["step"] if early.exists() else None
    minutes = (info.get("train_seconds") or 0) / 60
    cmd = info.get("command") or "vidkit train-tiny --out DIR"
    lines = [
        "# tiny-physics",
        "",
        "vidkit's bundled text/image/video-to-video diffusion model of synthetic physics scenes: 16",
        "frames of 32x32 px at 8 fps. A `TinyPhysicsPipeline` (diffusers `DiffusionPipeline`):",
        "word-level tokenizer, 2-layer transformer text encoder, space-time factorised DiT",
        "denoiser in pixel space (8x8 patches, x0-prediction, flow matching"
        + (", cross-attention to the words" if cross else "")
        + "),",
        "diffusers' `FlowMatchEulerDiscreteScheduler`. Trained from scratch on CPU by vidkit.",
        "See `docs/tiny.md` for the design and `vidkit/tiny/` for the code.",
        "",
        "```python",
        "import vidkit as vk",
        "pipe = vk.tiny.load_pipeline()          # this folder; early=True for early/",
        'video = pipe("a red ball falls").frames[0]',
        "```",
        "",
        f"- parameters: {n_params / 1e6:.2f} M (denoiser + text encoder); weights "
        f"{n_bytes / 1e6:.1f} MB of safetensors",
        f"- early checkpoint: `early/` (EMA weights at step {early_step})"
        if early_step
        else "- early checkpoint: none",
        "",
        "## Training",
        "",
        "```",
        cmd,
        "```",
        "",
        "(`vidkit train-tiny` takes the same arguments; `--resume` continues an interrupted run.)",
        "",
        f"- {info.get('step')} steps of batch {info.get('batch_size')} in {minutes:.1f} minutes "
        f"of training on {info.get('torch_threads')} CPU thread(s) ({info.get('machine')}, torch "
        f"{info.get('torch')}), seed {info.get('seed')}"
        + (" (stopped by the wall-time limit)" if info.get("stopped_by_time_limit") else ""),
        f"- data: {info.get('pool_size')} pre-rendered `vk.synth` clips (seeds 0..."
        f"{(info.get('pool_size') or 1) - 1}), kinds {', '.join(info.get('kinds', []))}; 8 palette "
        "colours, radius 3-4 px, plain background; mirrored left/right at random (prompt words "
        "swapped)",
        f"- gravity: {info.get('g_fall')} px/s^2 for free falls and throws, "
        f"{info.get('g_bounce')} px/s^2 for bounces (restitution drawn in 0.65-0.85)",
        f"- objective: flow matching, x0-prediction with velocity loss (noise level clamped at "
        f"0.05 in the conversion), logit-normal noise levels shifted by "
        f"{info.get('noise_shift', 1.0)} (the scheduler's shift)"
        + (
            f", {int(round(100 * info['high_noise_frac']))}% of each batch at levels drawn "
            f"uniformly from [{HIGH_NOISE_MIN}, 1]"
            if info.get("high_noise_frac")
            else ""
        )
        + "; prompt dropped "
        f"{int(100 * (info.get('text_dropout') or 0))}% (classifier-free guidance), first frame "
        f"given {int(100 * (info.get('image_prob') or 0))}% (image-to-video)"
        + (
            f"; plus the text encoder's token-reconstruction loss (weight "
            f"{info['text_recon_weight']:g}; final value "
            f"{info.get('final_text_recon_avg100') or float('nan'):.1e})"
            if info.get("text_recon_weight")
            else ""
        ),
        f"- AdamW lr {info.get('lr')} (warm-up, linear decay over the last 20%), grad clip 1, "
        f"EMA {info.get('ema_decay')} (exported)",
        f"- final loss (mean of the last 100 steps): {info.get('final_loss_avg100', float('nan')):.4f}",
        "",
        "![loss curve](loss.png)",
        "",
        "`loss.png`: the loss per step and its moving average; the dotted line marks the early "
        "checkpoint. `losses.json` has every step's loss.",
        "",
    ]
    if quality:
        lines += ["## Quality", "", quality.strip(), ""]
    if notes:
        lines += [notes.strip(), ""]
    path = folder / "README.md"
    _atomic_write_text("\n".join(lines), path)
    return path


def _export(comps: dict[str, Any], text: Any, net: Any, out: Path, info: dict[str, Any]) -> None:
    from vidkit.tiny.pipeline import TinyPhysicsPipeline

    pipe = TinyPhysicsPipeline(
        tokenizer=comps["tokenizer"],
        text_encoder=text,
        denoiser=net,
        scheduler=comps["scheduler"],
    )
    tmp = out.with_name(out.name + ".tmp-export")
    if tmp.exists():
        shutil.rmtree(tmp)
    pipe.save_pretrained(tmp, safe_serialization=True)
    (tmp / "training.json").write_text(json.dumps(info, indent=2))
    out.mkdir(parents=True, exist_ok=True)
    for item in tmp.iterdir():
        dest = out / item.name
        if dest.is_dir():
            shutil.rmtree(dest)
        os.replace(item, dest)
    tmp.rmdir()


def train(
    out: str | os.PathLike,
    *,
    steps: int = 4000,
    seed: int = 0,
    batch_size: int = 16,
    lr: float = 1.5e-3,
    warmup: int = 100,
    ema_decay: float = 0.995,
    early_at: float = 0.1,
    pool_size: int = 4000,
    checkpoint_every: int = 100,
    checkpoint_dir: str | os.PathLike | None = None,
    resume: bool = False,
    init_from: str | os.PathLike | None = None,
    max_minutes: float | None = None,
    num_threads: int | None = 2,
    denoiser_config: dict[str, Any] | None = None,
    text_encoder_config: dict[str, Any] | None = None,
    noise_shift: float = NOISE_SHIFT,
    high_noise_frac: float = HIGH_NOISE_FRAC,
    text_recon_weight: float = TEXT_RECON_WEIGHT,
    progress: bool = True,
) -> Path:
    """Train the tiny model and export it (EMA weights) as a pipeline folder at ``out``.

    Args:
        out: the pipeline folder to write (``save_pretrained`` layout, plus ``loss.png``,
            ``training.json`` and the early checkpoint under ``early/``).
        steps: optimisation steps.
        seed: seeds the networks, the batches and the noise.
        batch_size: clips per step.
        lr: AdamW learning rate (linear warm-up over ``warmup`` steps, linear decay to 10% over
            the last 20% of the steps).
        ema_decay: decay of the exponential moving average of the weights that is exported.
        early_at: fraction of ``steps`` at which the early checkpoint is exported (0 = none).
        pool_size: number of pre-rendered training clips (mirrored at random: twice as many).
        checkpoint_every: steps between resumable checkpoints.
        checkpoint_dir: where checkpoints go (default ``<out>-checkpoint`` beside ``out``).
        resume: continue from the checkpoint in ``checkpoint_dir``.
        init_from: start from the weights of an existing pipeline folder (fine-tuning).
        max_minutes: stop (and export) after this much wall time.
        num_threads: torch CPU threads (``None``: leave as is).
        noise_shift: shift of the noise levels (training and the exported scheduler; with
            ``init_from`` the source pipeline's scheduler shift is kept).
        high_noise_frac: share of each batch trained at noise levels drawn uniformly from
            ``[HIGH_NOISE_MIN, 1]`` (see :data:`HIGH_NOISE_FRAC`).
        text_recon_weight: weight of the text encoder's token-reconstruction loss
            (:func:`token_reconstruction_loss`; 0 = off; see :data:`TEXT_RECON_WEIGHT`).

    Returns:
        The pipeline folder.

    Example:
        >>> train("runs/tiny-physics", steps=4000)  # doctest: +SKIP
    """
    if not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps must be a positive int, got {steps!r}")
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
    if not 0 <= early_at < 1:
        raise ValueError(f"early_at must be a fraction in [0, 1), got {early_at!r}")
    if not 0.0 <= high_noise_frac <= 1.0:
        raise ValueError(f"high_noise_frac must be in [0, 1], got {high_noise_frac!r}")
    if not (isinstance(text_recon_weight, (int, float)) and text_recon_weight >= 0):
        raise ValueError(f"text_recon_weight must be a number >= 0, got {text_recon_weight!r}")
    if resume and init_from is not None:
        raise ValueError("give either resume=True or init_from, not both")
    from tqdm.auto import tqdm

    if num_threads:
        torch.set_num_threads(int(num_threads))
    out = Path(out)
    ckpt = Path(checkpoint_dir) if checkpoint_dir else out.with_name(out.name + "-checkpoint")
    ckpt.mkdir(parents=True, exist_ok=True)

    comps = build_components(
        denoiser_config, text_encoder_config, seed=seed, noise_shift=noise_shift
    )
    net, text = comps["denoiser"], comps["text_encoder"]
    if init_from is not None:
        from vidkit.tiny.pipeline import TinyPhysicsPipeline

        src = TinyPhysicsPipeline.from_pretrained(init_from)
        net, text, comps["tokenizer"] = src.denoiser, src.text_encoder, src.tokenizer
        net = _grow_denoiser(net, bool((denoiser_config or {}).get("cross_attention")))
        comps.update(denoiser=net, text_encoder=text, scheduler=src.scheduler)
    shift = float(comps["scheduler"].config.shift)
    ema_net, ema_text = _copy(net), _copy(text)
    params = list(net.parameters()) + list(text.parameters())
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=0.01, betas=(0.9, 0.99))
    state: dict[str, Any] = {"step": 0, "losses": [], "elapsed_s": 0.0}
    if resume:
        state = _load_checkpoint(ckpt, net, text, ema_net, ema_text, opt)
    early_step = int(round(early_at * steps)) if early_at > 0 else 0

    t_pool = time.perf_counter()
    pool = _data.make_pool(pool_size, cache=ckpt / f"pool-{pool_size}.npz", progress=progress)
    state.setdefault("pool_seconds", time.perf_counter() - t_pool)
    info = {
        "command": " ".join(["python -m vidkit.tiny.train", *sys.argv[1:]])
        if sys.argv and sys.argv[0].endswith("train.py")
        else None,
        "steps": steps,
        "seed": seed,
        "batch_size": batch_size,
        "lr": lr,
        "ema_decay": ema_decay,
        "pool_size": pool_size,
        "kinds": list(_data.KINDS),
        "size": [_data.FRAMES, _data.SIZE, _data.SIZE],
        "fps": _data.FPS,
        "g_fall": _data.G_FALL,
        "g_bounce": _data.G_BOUNCE,
        "text_dropout": TEXT_DROPOUT,
        "image_prob": IMAGE_PROB,
        "noise_shift": shift,
        "high_noise_frac": high_noise_frac,
        "text_recon_weight": float(text_recon_weight),
        "torch_threads": torch.get_num_threads(),
        "machine": platform.processor() or platform.machine(),
        "torch": torch.__version__,
    }

    def lr_at(k: int) -> float:
        f = min(1.0, (k + 1) / max(1, warmup))
        tail = int(0.8 * steps)
        if k >= tail:
            f *= 1.0 - 0.9 * (k - tail) / max(1, steps - tail)
        return lr * f

    def save_checkpoint() -> None:
        _atomic_save_file(net.state_dict(), ckpt / "denoiser.safetensors")
        _atomic_save_file(text.state_dict(), ckpt / "text_encoder.safetensors")
        _atomic_save_file(ema_net.state_dict(), ckpt / "ema_denoiser.safetensors")
        _atomic_save_file(ema_text.state_dict(), ckpt / "ema_text_encoder.safetensors")
        tmp = ckpt / "optimizer.pt.tmp"
        torch.save(opt.state_dict(), tmp)
        os.replace(tmp, ckpt / "optimizer.pt")
        _atomic_write_text(json.dumps(state), ckpt / "state.json")
        plot_losses(state["losses"], ckpt / "loss.png", early_step=early_step or None)

    start = time.perf_counter() - float(state["elapsed_s"])
    net.train()
    text.train()
    bar = tqdm(total=steps, initial=state["step"], desc="training", disable=not progress)
    stopped_early = False
    while state["step"] < steps:
        k = state["step"]
        rng = np.random.default_rng([seed, k])
        x0_np, prompts = _data.sample_batch(pool, batch_size, rng)
        drop = rng.random(batch_size) < TEXT_DROPOUT
        prompts = ["" if d else p for d, p in zip(drop, prompts)]
        image_mask = torch.from_numpy((rng.random(batch_size) < IMAGE_PROB).astype(np.float32))
        gen = torch.Generator().manual_seed(int(rng.integers(2**62)))
        for group in opt.param_groups:
            group["lr"] = lr_at(k)
        loss, recon, total = training_losses(
            comps["tokenizer"],
            text,
            net,
            torch.from_numpy(x0_np),
            prompts,
            gen,
            image_mask,
            shift=shift,
            high_noise_frac=high_noise_frac,
            text_recon_weight=text_recon_weight,
        )
        if recon is not None:
            state.setdefault("text_recon_losses", []).append(float(recon.detach()))
        opt.zero_grad(set_to_none=True)
        total.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        decay = min(ema_decay, (1 + k) / (10 + k))
        _ema_update(ema_net, net, decay)
        _ema_update(ema_text, text, decay)
        state["step"] = k + 1
        state["losses"].append(float(loss.detach()))
        state["elapsed_s"] = time.perf_counter() - start
        bar.update(1)
        if k % 10 == 0:
            bar.set_postfix(loss=f"{np.mean(state['losses'][-50:]):.4f}")
        if state["step"] == early_step:
            early_info = {
                **info,
                "step": early_step,
                "train_seconds": round(state["elapsed_s"], 1),
                "final_loss_avg100": float(np.mean(state["losses"][-100:])),
            }
            _export(comps, ema_text, ema_net, out / "early", early_info)
        if state["step"] % checkpoint_every == 0 or state["step"] == steps:
            save_checkpoint()
        if max_minutes is not None and state["elapsed_s"] > 60 * max_minutes:
            stopped_early = state["step"] < steps
            save_checkpoint()
            break
    bar.close()
    info.update(
        step=state["step"],
        stopped_by_time_limit=stopped_early,
        train_seconds=round(state["elapsed_s"], 1),
        final_loss_avg100=float(np.mean(state["losses"][-100:])) if state["losses"] else None,
        final_text_recon_avg100=float(np.mean(state["text_recon_losses"][-100:]))
        if state.get("text_recon_losses")
        else None,
    )
    _export(comps, ema_text, ema_net, out, info)
    plot_losses(state["losses"], out / "loss.png", early_step=early_step or None)
    _atomic_write_text(json.dumps(state["losses"]), out / "losses.json")
    write_model_card(out, info)
    return out


def _grow_denoiser(net: Any, cross_attention: bool) -> Any:
    """``net``, or with ``cross_attention`` when ``net`` lacks it, a denoiser of the same
    configuration plus cross-attention that holds all of ``net``'s weights: only the new,
    zero-initialised sub-layers are fresh, so it starts as ``net`` predicts. The rest of the
    configuration always comes from ``net`` (fine-tuning keeps the architecture)."""
    from vidkit.tiny.network import TinyVideoDenoiser

    if not cross_attention or net.config.cross_attention:
        return net
    cfg = {k: v for k, v in net.config.items() if not k.startswith("_")}
    grown = TinyVideoDenoiser(**{**cfg, "cross_attention": True})
    res = grown.load_state_dict(net.state_dict(), strict=False)
    assert not res.unexpected_keys and all("cross" in k for k in res.missing_keys), res
    return grown


def _copy(module: torch.nn.Module) -> torch.nn.Module:
    import copy

    m = copy.deepcopy(module)
    m.requires_grad_(False)
    return m


def _load_checkpoint(ckpt: Path, net, text, ema_net, ema_text, opt) -> dict[str, Any]:
    from safetensors.torch import load_file

    if not (ckpt / "state.json").exists():
        raise FileNotFoundError(f"no checkpoint to resume from in {ckpt} (state.json is missing)")
    net.load_state_dict(load_file(str(ckpt / "denoiser.safetensors")))
    text.load_state_dict(load_file(str(ckpt / "text_encoder.safetensors")))
    ema_net.load_state_dict(load_file(str(ckpt / "ema_denoiser.safetensors")))
    ema_text.load_state_dict(load_file(str(ckpt / "ema_text_encoder.safetensors")))
    opt.load_state_dict(torch.load(ckpt / "optimizer.pt", weights_only=True))
    return json.loads((ckpt / "state.json").read_text())


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="vidkit train-tiny",
        description="Train vidkit's tiny text/image/video-to-video model on synthetic physics scenes.",
    )
    p.add_argument("--out", required=True, help="pipeline folder to write")
    p.add_argument("--steps", type=int, default=4000)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--lr", type=float, default=1.5e-3)
    p.add_argument("--early-at", type=float, default=0.1, help="fraction of steps (0 = none)")
    p.add_argument("--pool-size", type=int, default=4000, help="pre-rendered training clips")
    p.add_argument("--checkpoint-every", type=int, default=100)
    p.add_argument("--checkpoint-dir", default=None)
    p.add_argument("--resume", action="store_true", help="continue from the last checkpoint")
    p.add_argument("--init-from", default=None, help="start from this pipeline folder's weights")
    p.add_argument("--max-minutes", type=float, default=None, help="wall-time limit")
    p.add_argument("--threads", type=int, default=2, help="torch CPU threads")
    p.add_argument(
        "--noise-shift", type=float, default=NOISE_SHIFT, help="noise-level shift (scheduler)"
    )
    p.add_argument(
        "--text-pooling",
        choices=("bos", "mean"),
        default=DEFAULT_DENOISER["text_pooling"],
        help="text vector of the denoiser: the [BOS] state or the mean over the tokens",
    )
    p.add_argument(
        "--high-noise-frac",
        type=float,
        default=HIGH_NOISE_FRAC,
        help=f"share of each batch trained at noise levels in [{HIGH_NOISE_MIN}, 1]",
    )
    p.add_argument(
        "--text-recon-weight",
        type=float,
        default=TEXT_RECON_WEIGHT,
        help="weight of the text encoder's token-reconstruction loss (0 = off)",
    )
    p.add_argument(
        "--cross-attention",
        action=argparse.BooleanOptionalAction,
        default=DEFAULT_DENOISER["cross_attention"],
        help="cross-attention from the video tokens to the text token states in every block",
    )
    p.add_argument("--no-progress", action="store_true")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point (``vidkit train-tiny`` / ``python -m vidkit.tiny.train``).

    Example:
        >>> main(["--out", "runs/tiny", "--steps", "20", "--pool-size", "16"])  # doctest: +SKIP
        0
    """
    args = _parser().parse_args(argv)
    train(
        args.out,
        steps=args.steps,
        seed=args.seed,
        batch_size=args.batch_size,
        lr=args.lr,
        early_at=args.early_at,
        pool_size=args.pool_size,
        checkpoint_every=args.checkpoint_every,
        checkpoint_dir=args.checkpoint_dir,
        resume=args.resume,
        init_from=args.init_from,
        max_minutes=args.max_minutes,
        num_threads=args.threads,
        noise_shift=args.noise_shift,
        high_noise_frac=args.high_noise_frac,
        text_recon_weight=args.text_recon_weight,
        denoiser_config={
            "text_pooling": args.text_pooling,
            "cross_attention": args.cross_attention,
        },
        progress=not args.no_progress,
    )
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
