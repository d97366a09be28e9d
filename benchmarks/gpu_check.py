"""GPU check: real-size video transformers with random weights, a few denoising steps per knob.

Builds the transformers of three families from their published configs (written below; nothing is
downloaded, the weights are random): Wan 2.1 T2V 1.3B, LTX-Video 2B (0.9) and CogVideoX-2b. For
each, at its native resolution and frame count, in bf16 and fp16, it runs ``--steps`` flow-matching
Euler steps from the same seeded noise and text embeddings, plainly and with each knob:

- ``cache``: ``transformer.enable_cache(FirstBlockCacheConfig(threshold=0.05))``
- ``attn:<name>``: ``transformer.set_attention_backend(name)`` for ``_native_cudnn``, ``flash``,
  ``sage`` (a backend whose package is missing is reported as unavailable)
- ``compile``: ``transformer.compile_repeated_blocks(fullgraph=True)`` (the first, compiling, step
  is reported apart)
- ``group-offload``: ``enable_group_offload`` (block level, CUDA streams), weights kept on the CPU
- ``fp8-layerwise``: ``enable_layerwise_casting(storage_dtype=float8_e4m3fn)``
- ``bnb-4bit``, ``torchao-int8wo``: the transformer saved and reloaded with a
  ``BitsAndBytesConfig`` / ``TorchAoConfig`` (reported unavailable without the package)

and writes ``gpu_check.json`` and ``gpu_check.md`` under ``--out``: seconds per step (median of
the steps after the first), the first step, peak GPU memory, and the output's difference against
the plain bf16 run (relative L2 of the final latents). Random weights say nothing of image quality:
the difference measures how far a knob moves the computation, not whether videos look right.

``--tiny`` runs the same code paths on the CPU with tiny configs (``compile`` with the eager
backend, group offload without streams); tests/test_gpu_check.py runs it.

Run: ``.venv/bin/python benchmarks/gpu_check.py [--tiny] [--families wan,ltx,cogvideox]
[--steps 4] [--out gpu_check_out]``
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import statistics
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

# --------------------------------------------------------------------------- the families
#: the published transformer configs (diffusers format) and native sizes
FULL = {
    "wan": {
        "label": "Wan 2.1 T2V 1.3B",
        "cls": "WanTransformer3DModel",
        "config": {
            "patch_size": (1, 2, 2),
            "num_attention_heads": 12,
            "attention_head_dim": 128,
            "in_channels": 16,
            "out_channels": 16,
            "text_dim": 4096,
            "freq_dim": 256,
            "ffn_dim": 8960,
            "num_layers": 30,
            "cross_attn_norm": True,
            "qk_norm": "rms_norm_across_heads",
            "eps": 1e-6,
            "rope_max_seq_len": 1024,
        },
        # 480x832, 81 frames -> VAE 4x temporal, 8x spatial: 21 x 60 x 104 latents
        "latent": (16, 21, 60, 104),
        "text": (512, 4096),
    },
    "ltx": {
        "label": "LTX-Video 2B (0.9)",
        "cls": "LTXVideoTransformer3DModel",
        "config": {
            "in_channels": 128,
            "out_channels": 128,
            "patch_size": 1,
            "patch_size_t": 1,
            "num_attention_heads": 32,
            "attention_head_dim": 64,
            "cross_attention_dim": 2048,
            "num_layers": 28,
            "activation_fn": "gelu-approximate",
            "qk_norm": "rms_norm_across_heads",
            "norm_elementwise_affine": False,
            "norm_eps": 1e-6,
            "caption_channels": 4096,
            "attention_bias": True,
            "attention_out_bias": True,
        },
        # 480x704, 161 frames -> VAE 8x temporal, 32x spatial: 21 x 15 x 22 latents
        "latent": (128, 21, 15, 22),
        "text": (128, 4096),
    },
    "cogvideox": {
        "label": "CogVideoX-2b",
        "cls": "CogVideoXTransformer3DModel",
        "config": {
            "num_attention_heads": 30,
            "attention_head_dim": 64,
            "in_channels": 16,
            "out_channels": 16,
            "flip_sin_to_cos": True,
            "freq_shift": 0,
            "time_embed_dim": 512,
            "text_embed_dim": 4096,
            "num_layers": 30,
            "attention_bias": True,
            "sample_width": 90,
            "sample_height": 60,
            "sample_frames": 49,
            "patch_size": 2,
            "temporal_compression_ratio": 4,
            "max_text_seq_length": 226,
            "activation_fn": "gelu-approximate",
            "timestep_activation_fn": "silu",
            "norm_elementwise_affine": True,
            "norm_eps": 1e-5,
            "spatial_interpolation_scale": 1.875,
            "temporal_interpolation_scale": 1.0,
            "use_rotary_positional_embeddings": False,
        },
        # 480x720, 49 frames -> 13 x 60 x 90 latents
        "latent": (16, 13, 60, 90),
        "text": (226, 4096),
    },
}


def _tiny(family: str, latent: tuple[int, ...], text: tuple[int, int], **config: Any) -> dict:
    """``FULL[family]`` at a tiny size: the config overridden by ``config``, tiny latents and text."""
    full = FULL[family]
    return {**full, "config": {**full["config"], **config}, "latent": latent, "text": text}


#: the same classes at tiny sizes (--tiny, CPU)
TINY = {
    "wan": _tiny(
        "wan",
        (16, 3, 8, 8),
        (8, 32),
        num_attention_heads=2,
        attention_head_dim=12,
        text_dim=32,
        ffn_dim=32,
        num_layers=2,
        rope_max_seq_len=32,
    ),
    "ltx": _tiny(
        "ltx",
        (8, 3, 4, 4),
        (8, 32),
        in_channels=8,
        out_channels=8,
        num_attention_heads=4,
        attention_head_dim=8,
        cross_attention_dim=32,
        num_layers=2,
        caption_channels=32,
    ),
    "cogvideox": _tiny(
        "cogvideox",
        (4, 3, 8, 8),
        (8, 32),
        num_attention_heads=2,
        attention_head_dim=8,
        in_channels=4,
        out_channels=4,
        time_embed_dim=2,
        text_embed_dim=32,
        num_layers=2,
        sample_width=8,
        sample_height=8,
        sample_frames=9,
        max_text_seq_length=8,
    ),
}

ATTENTION_BACKENDS = ("_native_cudnn", "flash", "sage")
KNOBS = (
    "plain",
    "cache",
    *(f"attn:{b}" for b in ATTENTION_BACKENDS),
    "compile",
    "group-offload",
    "fp8-layerwise",
    "bnb-4bit",
    "torchao-int8wo",
)


# --------------------------------------------------------------------------- one run
@dataclass
class Inputs:
    latents: torch.Tensor  # (B, C, F, H, W), float32 on the CPU
    text: torch.Tensor  # (B, L, D)
    spec: dict[str, Any]


def make_inputs(spec: dict[str, Any], seed: int = 0) -> Inputs:
    g = torch.Generator("cpu").manual_seed(seed)
    lat = torch.randn((1, *spec["latent"]), generator=g)
    text = torch.randn((1, *spec["text"]), generator=g)
    return Inputs(lat, text, spec)


def build(spec: dict[str, Any], device: str, seed: int = 0) -> torch.nn.Module:
    """The transformer with random weights (seeded), float32, on ``device``."""
    import diffusers

    cls = getattr(diffusers, spec["cls"])
    torch.manual_seed(seed)
    with torch.device(device):
        model = cls(**spec["config"])
    return model.eval()


def forward(model: torch.nn.Module, family: str, x: torch.Tensor, text: torch.Tensor, t: float):
    """One denoiser call; ``x`` is (B, C, F, H, W); returns the prediction in the same layout."""
    b, c, f, h, w = x.shape
    ts = torch.full((b,), t, device=x.device, dtype=x.dtype)
    if family == "wan":
        return model(hidden_states=x, timestep=ts, encoder_hidden_states=text, return_dict=False)[0]
    if family == "cogvideox":
        out = model(
            hidden_states=x.permute(0, 2, 1, 3, 4),
            encoder_hidden_states=text,
            timestep=ts,
            return_dict=False,
        )[0]
        return out.permute(0, 2, 1, 3, 4)
    # ltx: packed tokens (B, F*H*W, C) with patch size 1
    tokens = x.permute(0, 2, 3, 4, 1).reshape(b, f * h * w, c)
    mask = torch.ones(text.shape[:2], device=x.device, dtype=torch.bool)
    out = model(
        hidden_states=tokens,
        encoder_hidden_states=text,
        timestep=ts,
        encoder_attention_mask=mask,
        num_frames=f,
        height=h,
        width=w,
        rope_interpolation_scale=(8 / 25, 32, 32),
        return_dict=False,
    )[0]
    return out.reshape(b, f, h, w, c).permute(0, 4, 1, 2, 3)


def denoise(
    model: torch.nn.Module,
    family: str,
    inputs: Inputs,
    steps: int,
    device: str,
    dtype: torch.dtype,
) -> tuple[torch.Tensor, list[float]]:
    """``steps`` flow-matching Euler steps (sigmas 1 -> 0); (final latents in float32, step times)."""
    x = inputs.latents.to(device, dtype)
    text = inputs.text.to(device, dtype)
    sigmas = torch.linspace(1.0, 0.0, steps + 1).tolist()
    times = []
    cache_ctx = getattr(model, "cache_context", None)
    with torch.inference_mode():
        for i in range(steps):
            _sync(device)
            t0 = time.perf_counter()
            if cache_ctx is not None and getattr(model, "is_cache_enabled", False):
                with cache_ctx("cond"):
                    v = forward(model, family, x, text, sigmas[i] * 1000)
            else:
                v = forward(model, family, x, text, sigmas[i] * 1000)
            x = x + (sigmas[i + 1] - sigmas[i]) * v.to(x.dtype)
            _sync(device)
            times.append(time.perf_counter() - t0)
    return x.float().cpu(), times


def _sync(device: str) -> None:
    if device.startswith("cuda"):
        torch.cuda.synchronize()


# --------------------------------------------------------------------------- the knobs
class Unavailable(Exception):
    """A knob that cannot run here (missing package, no GPU feature): reported, not an error."""


@dataclass
class Knob:
    name: str
    apply: Callable[[torch.nn.Module, str, torch.dtype, bool], torch.nn.Module]
    notes: list[str] = field(default_factory=list)


def _plain(m: torch.nn.Module, device: str, dtype: torch.dtype, tiny: bool) -> torch.nn.Module:
    return copy.deepcopy(m).to(device, dtype)


def _cache(m: torch.nn.Module, device: str, dtype: torch.dtype, tiny: bool) -> torch.nn.Module:
    from diffusers.hooks import FirstBlockCacheConfig

    out = _plain(m, device, dtype, tiny)
    out.enable_cache(FirstBlockCacheConfig(threshold=0.05))
    return out


def _attention(backend: str) -> Callable[..., torch.nn.Module]:
    def apply(m: torch.nn.Module, device: str, dtype: torch.dtype, tiny: bool) -> torch.nn.Module:
        if backend == "_native_cudnn" and not device.startswith("cuda"):
            raise Unavailable("cuDNN attention needs a GPU")
        out = _plain(m, device, dtype, tiny)
        try:
            out.set_attention_backend(backend)
        except (RuntimeError, ImportError, ValueError) as exc:
            raise Unavailable(str(exc).splitlines()[0]) from exc
        return out

    return apply


def _compile(m: torch.nn.Module, device: str, dtype: torch.dtype, tiny: bool) -> torch.nn.Module:
    out = _plain(m, device, dtype, tiny)
    torch._dynamo.reset()
    if not getattr(out, "_repeated_blocks", None):
        out.compile(**({"backend": "eager"} if tiny else {}))
    else:
        out.compile_repeated_blocks(**({"backend": "eager"} if tiny else {"fullgraph": True}))
    return out


def _group_offload(
    m: torch.nn.Module, device: str, dtype: torch.dtype, tiny: bool
) -> torch.nn.Module:
    out = copy.deepcopy(m).to("cpu", dtype)
    out.enable_group_offload(
        onload_device=torch.device(device),
        offload_device=torch.device("cpu"),
        offload_type="block_level",
        num_blocks_per_group=1,
        use_stream=device.startswith("cuda"),
    )
    return out


def _fp8(m: torch.nn.Module, device: str, dtype: torch.dtype, tiny: bool) -> torch.nn.Module:
    out = _plain(m, device, dtype, tiny)
    out.enable_layerwise_casting(storage_dtype=torch.float8_e4m3fn, compute_dtype=dtype)
    return out


def _reloaded(kind: str) -> Callable[..., torch.nn.Module]:
    def apply(m: torch.nn.Module, device: str, dtype: torch.dtype, tiny: bool) -> torch.nn.Module:
        import diffusers
        from diffusers.utils import is_bitsandbytes_available, is_torchao_available

        if kind == "bnb-4bit":
            if not is_bitsandbytes_available() or not device.startswith("cuda"):
                raise Unavailable("bitsandbytes 4-bit needs the bitsandbytes package and a GPU")
            q = diffusers.BitsAndBytesConfig(
                load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_compute_dtype=dtype
            )
        else:
            if not is_torchao_available():
                raise Unavailable("torchao int8 weight-only needs the torchao package")
            q = diffusers.TorchAoConfig("int8wo")
        with tempfile.TemporaryDirectory() as d:
            copy.deepcopy(m).to("cpu", dtype).save_pretrained(d)
            out = type(m).from_pretrained(d, quantization_config=q, torch_dtype=dtype)
        return out.to(device) if kind != "bnb-4bit" else out

    return apply


def knobs() -> dict[str, Knob]:
    ks = {
        "plain": Knob("plain", _plain),
        "cache": Knob("cache", _cache),
        "compile": Knob("compile", _compile),
        "group-offload": Knob("group-offload", _group_offload),
        "fp8-layerwise": Knob("fp8-layerwise", _fp8),
        "bnb-4bit": Knob("bnb-4bit", _reloaded("bnb-4bit")),
        "torchao-int8wo": Knob("torchao-int8wo", _reloaded("torchao-int8wo")),
    }
    for b in ATTENTION_BACKENDS:
        ks[f"attn:{b}"] = Knob(f"attn:{b}", _attention(b))
    return {k: ks[k] for k in KNOBS}


# --------------------------------------------------------------------------- the check
def run(
    families: list[str],
    *,
    tiny: bool,
    steps: int,
    dtypes: list[str],
    knob_names: list[str],
    device: str,
    log: Callable[[str], None] = print,
) -> list[dict[str, Any]]:
    """Every family x dtype x knob; one row each (``status`` ``ok``, ``unavailable`` or
    ``error``)."""
    from diffusers.models.attention_dispatch import _AttentionBackendRegistry
    from diffusers.utils import logging as dlogging

    dlogging.set_verbosity_error()
    specs = TINY if tiny else FULL
    active = _AttentionBackendRegistry._active_backend
    all_knobs = knobs()
    rows = []
    for fam in families:
        spec = specs[fam]
        inputs = make_inputs(spec)
        master = build(spec, device if not tiny else "cpu")
        params = sum(p.numel() for p in master.parameters())
        log(f"{spec['label']}: {params / 1e6:.1f}M parameters, latents {spec['latent']}")
        ref = None
        for dt_name in dtypes:
            dtype = getattr(torch, dt_name)
            for name in knob_names:
                row: dict[str, Any] = {
                    "family": fam,
                    "model": spec["label"],
                    "params_m": round(params / 1e6, 2),
                    "dtype": dt_name,
                    "knob": name,
                }
                model = None
                try:
                    if device.startswith("cuda"):
                        torch.cuda.empty_cache()
                        torch.cuda.reset_peak_memory_stats()
                    model = all_knobs[name].apply(master, device, dtype, tiny)
                    out, times = denoise(model, fam, inputs, steps, device, dtype)
                    finite = bool(torch.isfinite(out).all())
                    if name == "plain" and dt_name == "bfloat16":
                        ref = out
                    row.update(
                        status="ok" if finite else "non-finite output",
                        first_step_s=round(times[0], 4),
                        s_per_step=round(
                            statistics.median(times[1:]) if len(times) > 1 else times[0], 4
                        ),
                        peak_gpu_gb=(
                            round(torch.cuda.max_memory_allocated() / 2**30, 2)
                            if device.startswith("cuda")
                            else None
                        ),
                        rel_diff_vs_bf16=_rel_diff(out, ref) if finite else None,
                    )
                except Unavailable as exc:
                    row.update(status="unavailable", reason=str(exc))
                except Exception as exc:  # a knob that fails is a finding, not the end of the run
                    row.update(status="error", reason=f"{type(exc).__name__}: {exc}"[:300])
                    if "--debug" in sys.argv:
                        traceback.print_exc()
                finally:
                    del model
                    # set_attention_backend also sets diffusers' global active backend
                    _AttentionBackendRegistry.set_active_backend(active)
                rows.append(row)
                log(_row_line(row))
        del master
    return rows


def _rel_diff(out: torch.Tensor, ref: torch.Tensor | None) -> float | None:
    if ref is None:
        return None
    d = float(torch.linalg.vector_norm(out - ref) / torch.linalg.vector_norm(ref).clamp_min(1e-12))
    return round(d, 5) if math.isfinite(d) else None


def _row_line(r: dict[str, Any]) -> str:
    if r["status"] != "ok":
        return f"  {r['dtype']:<9}{r['knob']:<16}{r['status']}: {r.get('reason', '')}"
    mem = f"{r['peak_gpu_gb']:.2f} GiB" if r["peak_gpu_gb"] is not None else "-"
    diff = "-" if r["rel_diff_vs_bf16"] is None else f"{r['rel_diff_vs_bf16']:.4f}"
    return (
        f"  {r['dtype']:<9}{r['knob']:<16}{r['s_per_step']:.4f} s/step "
        f"(first {r['first_step_s']:.3f} s)  peak {mem}  diff vs bf16 {diff}"
    )


def markdown(rows: list[dict[str, Any]], header: str) -> str:
    """The rows as a markdown table."""
    lines = [
        header,
        "",
        "| model | dtype | knob | s/step | first step s | peak GPU GiB | rel. diff vs plain bf16 | status |",
        "|---|---|---|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        ok = r["status"] == "ok"

        def cell(k: str, ok: bool = ok, r: dict = r) -> str:
            v = r.get(k)
            return "" if not ok or v is None else str(v)

        status = r["status"] if ok else f"{r['status']}: {r.get('reason', '')[:80]}"
        lines.append(
            f"| {r['model']} | {r['dtype']} | {r['knob']} | {cell('s_per_step')} | "
            f"{cell('first_step_s')} | {cell('peak_gpu_gb')} | {cell('rel_diff_vs_bf16')} | {status} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tiny", action="store_true", help="tiny configs on the CPU (the tests)")
    ap.add_argument("--families", default="wan,ltx,cogvideox")
    ap.add_argument("--steps", type=int, default=None, help="denoising steps (4; tiny: 3)")
    ap.add_argument("--dtypes", default="bfloat16,float16")
    ap.add_argument("--knobs", default=",".join(KNOBS))
    ap.add_argument("--out", default="gpu_check_out")
    ap.add_argument("--debug", action="store_true")
    args = ap.parse_args(argv)
    families = [f for f in args.families.split(",") if f]
    bad = [f for f in families if f not in FULL]
    knob_names = [k for k in args.knobs.split(",") if k]
    bad_knobs = [k for k in knob_names if k not in KNOBS]
    if bad or bad_knobs:
        ap.error(f"unknown families {bad} / knobs {bad_knobs}; have {list(FULL)} / {list(KNOBS)}")
    if "plain" not in knob_names:
        knob_names.insert(0, "plain")
    dtypes = [d for d in args.dtypes.split(",") if d]
    if "bfloat16" in dtypes:  # the reference run first
        dtypes.remove("bfloat16")
        dtypes.insert(0, "bfloat16")
    if args.tiny:
        device = "cpu"
    elif torch.cuda.is_available():
        device = "cuda"
    else:
        print("no GPU: run with --tiny for the CPU check of the code paths", file=sys.stderr)
        return 2
    steps = args.steps or (3 if args.tiny else 4)
    env = {
        "torch": torch.__version__,
        "diffusers": __import__("diffusers").__version__,
        "device": torch.cuda.get_device_name() if device == "cuda" else "cpu",
        "tiny": args.tiny,
        "steps": steps,
    }
    print(json.dumps(env))
    rows = run(
        families, tiny=args.tiny, steps=steps, dtypes=dtypes, knob_names=knob_names, device=device
    )
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "gpu_check.json").write_text(json.dumps({"env": env, "rows": rows}, indent=1))
    header = (
        f"GPU check on {env['device']} (torch {env['torch']}, diffusers {env['diffusers']}, "
        f"{steps} steps{', tiny configs' if args.tiny else ', native resolution'})"
    )
    (out / "gpu_check.md").write_text(markdown(rows, header))
    print(f"wrote {out / 'gpu_check.json'} and {out / 'gpu_check.md'}")
    return 1 if any(r["status"] == "error" for r in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
