"""VideoMAE features for content-debiased FVD (the ``cd-fvd`` protocol), through ``transformers``.

Content-debiased FVD (Ge et al. 2024, PyPI ``cd-fvd``) replaces I3D's Kinetics logits by the
1408-d ``fc_norm`` features of VideoMAE-v2 ViT-g/14 fine-tuned on Something-Something-v2, a model
that looks at motion more than at appearance. The cd-fvd protocol, which :class:`VideoMAE`
follows:

- uint8 frames ``x / 255`` (vidkit frames are already in ``[0, 1]``), **no mean/std**;
- every frame squashed to ``image_size x image_size`` (224) with bilinear interpolation,
  ``align_corners=False``, no antialias, no crop;
- clips of ``num_frames`` (16) frames (vidkit picks evenly spaced frames when a video has another
  length; an FVD protocol normally cuts clips before);
- feature = ``fc_norm(mean over all tokens of the last hidden state)``.

Weights and compatibility:

- ``transformers`` has no VideoMAE-v2 class and the ViT-g/14 SSv2 checkpoint of cd-fvd
  (``vit_g_hybrid_pt_1200e_ssv2_ft.pth``, OpenGVLab) is not published in transformers format. Its
  architecture is, however, exactly transformers' VideoMAE (pre-norm ViT blocks, q/v biases and no
  k bias, fixed sine-cosine position table, tubelet 2, mean pooling + ``fc_norm``), so
  :func:`convert_videomaev2_checkpoint` rewrites that ``.pth`` into a transformers folder, which
  then gives cd-fvd's features (tested to 1e-5 on a tiny random VideoMAE-v2 built with cd-fvd's
  own module). Two details are carried in the converted config: ``fc_norm`` uses ``eps=1e-6``
  (transformers' classification head hard-codes 1e-5) and the number of attention heads (not
  recoverable from the weights; 16 for ViT-g).
- Native transformers checkpoints also work: ``MCG-NJU/videomae-base-finetuned-ssv2`` (768-d,
  the closest to cd-fvd: SSv2 fine-tuned, mean pooling + ``fc_norm``), ``...-finetuned-kinetics``,
  ``videomae-large``/``huge`` variants, and self-supervised ``VideoMAEModel`` checkpoints (feature:
  mean of the last hidden state, after ``layernorm`` when the config has no mean pooling). Their
  FVDs are valid distances but **not comparable** with cd-fvd's published numbers (different
  weights and dimension). Those checkpoints were trained with ImageNet mean/std; pass
  ``normalize=True`` to apply the checkpoint's normalisation instead of cd-fvd's none.
- What differs from cd-fvd's own ViT-g port: nothing in the computation for 16-frame clips; cd-fvd
  additionally interpolates the temporal position table for clips of other lengths, vidkit
  resamples the clip to 16 frames instead.

Example:
    >>> ext = VideoMAE("MCG-NJU/videomae-base-finetuned-ssv2")         # doctest: +SKIP
    >>> feats = ext(videos)                                             # doctest: +SKIP
    >>> convert_videomaev2_checkpoint("vit_g_hybrid_pt_1200e_ssv2_ft.pth", "videomaev2-g-ssv2")  # doctest: +SKIP
    >>> fvd = vk.metrics.fvd(real, fake, extractor=VideoMAE("videomaev2-g-ssv2"))  # doctest: +SKIP
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from vidkit.metrics.extractors import FeatureExtractor, hash_state_dict

__all__ = [
    "DEFAULT_VIDEOMAE_MODEL",
    "VideoMAE",
    "convert_videomaev2_checkpoint",
    "videomaev2_config",
]

DEFAULT_VIDEOMAE_MODEL = "MCG-NJU/videomae-base-finetuned-ssv2"
_HEADS_BY_DIM = {384: 6, 768: 12, 1024: 16, 1280: 16, 1408: 16}


def _temporal_indices(num: int, target: int) -> np.ndarray:
    """``target`` evenly spaced nearest-frame indices into ``num`` frames (repeats if shorter)."""
    return np.round(np.linspace(0, num - 1, target)).astype(int)


class VideoMAE(FeatureExtractor):
    """VideoMAE feature extractor (cd-fvd protocol) from a transformers checkpoint.

    Args:
        model: hub id, a local folder (e.g. made by :func:`convert_videomaev2_checkpoint`), or a
            loaded ``VideoMAEForVideoClassification`` / ``VideoMAEModel``.
        device: ``"cuda"``, ``"cpu"``...; default CUDA when available.
        dtype: model dtype (``torch.float16`` / ``bfloat16`` on a GPU halve memory; float32 is
            the reference).
        normalize: ``False`` (cd-fvd: no mean/std) or ``True`` (the checkpoint's image mean/std,
            ImageNet's by default).
        batch_size: videos per forward pass.

    Example:
        >>> ext = VideoMAE("videomaev2-g-ssv2", device="cuda", dtype=torch.float16)  # doctest: +SKIP
        >>> ext(videos).shape                                                       # doctest: +SKIP
        (64, 1408)
    """

    default_batch_size = 4

    def __init__(
        self,
        model: str | os.PathLike | torch.nn.Module = DEFAULT_VIDEOMAE_MODEL,
        *,
        device: str | torch.device | None = None,
        dtype: torch.dtype = torch.float32,
        normalize: bool = False,
        batch_size: int = 4,
    ) -> None:
        if not isinstance(normalize, bool):
            raise TypeError(f"normalize must be a bool, got {type(normalize).__name__}")
        if not isinstance(dtype, torch.dtype) or not dtype.is_floating_point:
            raise TypeError(f"dtype must be a floating torch.dtype, got {dtype!r}")
        device = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
        self.model, source = _load(model)
        self.model.to(device=device, dtype=dtype).eval()
        self.model.requires_grad_(False)
        cfg = self.model.config
        self.config = cfg
        self.num_frames = int(cfg.num_frames)
        size = cfg.image_size
        self.image_size = (size, size) if isinstance(size, int) else tuple(size)
        self.dim = int(cfg.hidden_size)
        self.normalize = normalize
        self.default_batch_size = int(batch_size)
        self.mean, self.std = _image_mean_std(source) if normalize else (None, None)
        self._backbone = getattr(self.model, "videomae", self.model)
        self._fc_norm = getattr(self.model, "fc_norm", None)
        self._fc_eps = float(
            getattr(cfg, "vidkit_fc_norm_eps", None)
            or (self._fc_norm.eps if self._fc_norm is not None else cfg.layer_norm_eps)
        )
        if self._fc_norm is not None:
            feature = f"fc_norm(mean of tokens), eps={self._fc_eps:g}"
        elif getattr(self._backbone, "layernorm", None) is not None:
            feature = "mean of layernorm(last hidden state)"
        else:
            feature = "mean of last hidden state"
        self.feature = feature
        self.name = f"videomae:{source}"
        self.weight_hash = hash_state_dict(self.model)
        self.preprocess = {
            "protocol": "cd-fvd (VideoMAE)",
            "frames": self.num_frames,
            "temporal": "evenly spaced nearest frames when T differs",
            "resize": f"bilinear squash to {self.image_size[0]}x{self.image_size[1]}, "
            "align_corners=False, no antialias, no crop",
            "value_range": [0, 1],
            "normalize": "none" if not normalize else {"mean": self.mean, "std": self.std},
            "feature": feature,
            "dtype": str(dtype).replace("torch.", ""),
        }

    def prepare(self, batch: torch.Tensor) -> torch.Tensor:
        """The model input for a batch ``[b, T, 3, H, W]`` in [0, 1] (frames, resize, normalise)."""
        if batch.ndim != 5 or batch.shape[2] != 3:
            raise ValueError(f"expected a batch [b, T, 3, H, W], got shape {tuple(batch.shape)}")
        b, t, c, h, w = batch.shape
        x = batch.float()
        if t != self.num_frames:
            idx = torch.as_tensor(_temporal_indices(t, self.num_frames), device=x.device)
            x = x.index_select(1, idx)
        if (h, w) != self.image_size:
            x = F.interpolate(
                x.reshape(-1, c, h, w),
                size=self.image_size,
                mode="bilinear",
                align_corners=False,
                antialias=False,
            ).reshape(b, self.num_frames, c, *self.image_size)
        if self.normalize:
            mean = torch.tensor(self.mean, device=x.device).view(1, 1, 3, 1, 1)
            std = torch.tensor(self.std, device=x.device).view(1, 1, 3, 1, 1)
            x = (x - mean) / std
        return x

    def extract(self, batch: torch.Tensor) -> torch.Tensor:
        x = self.prepare(batch)
        dtype = next(self.model.parameters()).dtype
        hidden = self._backbone(pixel_values=x.to(dtype)).last_hidden_state  # [b, N, D]
        pooled = hidden.float().mean(dim=1)
        if self._fc_norm is not None:
            pooled = F.layer_norm(
                pooled,
                (pooled.shape[-1],),
                self._fc_norm.weight.float(),
                self._fc_norm.bias.float(),
                eps=self._fc_eps,
            )
        return pooled

    def provenance(self) -> dict[str, Any]:
        out = super().provenance()
        out["comparable_with"] = (
            "cd-fvd VideoMAE FVD"
            if getattr(self.config, "vidkit_source", "").startswith("VideoMAEv2")
            and self.dim == 1408
            else "only scores computed with these same weights"
        )
        return out


def _load(model: Any) -> tuple[torch.nn.Module, str]:
    from transformers import VideoMAEConfig, VideoMAEForVideoClassification, VideoMAEModel

    if isinstance(model, torch.nn.Module):
        cfg = getattr(model, "config", None)
        if not isinstance(cfg, VideoMAEConfig):
            raise TypeError(
                f"model must be a transformers VideoMAE model, got {type(model).__name__}; wrap "
                "other networks with vk.metrics.as_extractor"
            )
        if not isinstance(model, (VideoMAEForVideoClassification, VideoMAEModel)):
            model = getattr(model, "videomae", model)
        return model, str(getattr(cfg, "_name_or_path", "") or type(model).__name__)
    if not isinstance(model, (str, os.PathLike)):
        raise TypeError(
            f"model must be a hub id, a local folder or a VideoMAE module, got {type(model).__name__}"
        )
    name = os.fspath(model)
    if Path(name).suffix in (".pth", ".pt", ".bin") and Path(name).is_file():
        raise ValueError(
            f"{name!r} is a raw checkpoint; convert a VideoMAE-v2 checkpoint first with "
            "vk.metrics.videomae.convert_videomaev2_checkpoint(path, out_folder)"
        )
    try:
        cfg = VideoMAEConfig.from_pretrained(name)
    except (OSError, ValueError) as exc:
        raise OSError(
            f"could not load a VideoMAE config from {name!r}: {exc}\nGive a local transformers "
            f"folder (e.g. `huggingface-cli download {DEFAULT_VIDEOMAE_MODEL}`, or the output of "
            "convert_videomaev2_checkpoint), or a hub id already in the local cache."
        ) from exc
    if getattr(cfg, "model_type", "") != "videomae":
        raise ValueError(f"{name!r} holds a {cfg.model_type!r} model, expected 'videomae'")
    archs = getattr(cfg, "architectures", None) or []
    cls = VideoMAEForVideoClassification if "VideoMAEForVideoClassification" in archs else None
    cls = cls or VideoMAEModel
    return cls.from_pretrained(name), name


def _image_mean_std(source: str) -> tuple[list[float], list[float]]:
    imagenet = ([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])
    for fname in ("preprocessor_config.json", "video_preprocessor_config.json"):
        path = Path(source) / fname
        if path.is_file():
            data = json.loads(path.read_text())
            if "image_mean" in data and "image_std" in data:
                return list(data["image_mean"]), list(data["image_std"])
    return imagenet


# --------------------------------------------------------------------------- VideoMAE-v2 converter
def videomaev2_config(
    state: dict[str, torch.Tensor],
    *,
    num_heads: int | None = None,
    image_size: int = 224,
    num_frames: int = 16,
) -> Any:
    """A transformers ``VideoMAEConfig`` for a VideoMAE-v2 fine-tune state dict (shapes read off it).

    Example:
        >>> cfg = videomaev2_config(state)  # doctest: +SKIP
        >>> cfg.hidden_size, cfg.num_hidden_layers  # doctest: +SKIP
        (1408, 40)
    """
    from transformers import VideoMAEConfig

    w = state.get("patch_embed.proj.weight")
    if w is None or w.ndim != 5:
        raise ValueError(
            "not a VideoMAE-v2 fine-tune state dict: 'patch_embed.proj.weight' [D, 3, t, p, p] missing"
        )
    dim, chans, tubelet, patch, _ = (int(s) for s in w.shape)
    depth = 1 + max(int(m.group(1)) for k in state if (m := re.match(r"blocks\.(\d+)\.", k)))
    inter = int(state["blocks.0.mlp.fc1.weight"].shape[0])
    heads = num_heads or _HEADS_BY_DIM.get(dim)
    if heads is None:
        raise ValueError(
            f"cannot infer the number of attention heads for width {dim}; pass num_heads="
        )
    if dim % heads:
        raise ValueError(f"width {dim} is not divisible by num_heads={heads}")
    if any(".gamma_1" in k or ".gamma_2" in k for k in state):
        raise ValueError(
            "this checkpoint uses layer scale (gamma_1/gamma_2), which transformers' VideoMAE "
            "does not implement; it cannot be converted faithfully"
        )
    if any(k.endswith("attn.scale") for k in state):
        raise ValueError(
            "this checkpoint uses cosine attention, which transformers' VideoMAE lacks"
        )
    num_labels = int(state["head.weight"].shape[0]) if "head.weight" in state else 0
    use_mean_pooling = "fc_norm.weight" in state
    return VideoMAEConfig(
        image_size=image_size,
        patch_size=patch,
        num_channels=chans,
        num_frames=num_frames,
        tubelet_size=tubelet,
        hidden_size=dim,
        num_hidden_layers=depth,
        num_attention_heads=heads,
        intermediate_size=inter,
        hidden_act="gelu",
        layer_norm_eps=1e-6,
        qkv_bias=True,
        use_mean_pooling=use_mean_pooling,
        num_labels=max(num_labels, 1),
        architectures=["VideoMAEForVideoClassification"],
        vidkit_fc_norm_eps=1e-6,
    )


def _convert_state(state: dict[str, torch.Tensor], dim: int) -> dict[str, torch.Tensor]:
    out: dict[str, torch.Tensor] = {}
    pre = "videomae.encoder.layer"
    for key, val in state.items():
        if key == "patch_embed.proj.weight":
            out["videomae.embeddings.patch_embeddings.projection.weight"] = val
        elif key == "patch_embed.proj.bias":
            out["videomae.embeddings.patch_embeddings.projection.bias"] = val
        elif key in ("fc_norm.weight", "fc_norm.bias"):
            out[key] = val
        elif key in ("norm.weight", "norm.bias"):
            out[f"videomae.layernorm.{key.split('.')[1]}"] = val
        elif key in ("head.weight", "head.bias"):
            out[f"classifier.{key.split('.')[1]}"] = val
        elif m := re.match(r"blocks\.(\d+)\.(.+)$", key):
            i, rest = m.group(1), m.group(2)
            base = f"{pre}.{i}"
            if rest == "attn.qkv.weight":
                q, k, v = val.split(dim, dim=0)
                out[f"{base}.attention.attention.query.weight"] = q
                out[f"{base}.attention.attention.key.weight"] = k
                out[f"{base}.attention.attention.value.weight"] = v
            elif rest == "attn.q_bias":
                out[f"{base}.attention.attention.query.bias"] = val
            elif rest == "attn.v_bias":
                out[f"{base}.attention.attention.value.bias"] = val
            else:
                mapping = {
                    "norm1": "layernorm_before",
                    "norm2": "layernorm_after",
                    "attn.proj": "attention.output.dense",
                    "mlp.fc1": "intermediate.dense",
                    "mlp.fc2": "output.dense",
                }
                stem, _, leaf = rest.rpartition(".")
                if stem not in mapping:
                    raise ValueError(f"unexpected VideoMAE-v2 key {key!r}")
                out[f"{base}.{mapping[stem]}.{leaf}"] = val
        elif key in ("pos_embed",):
            continue  # the fixed sine-cosine table; transformers builds the same one
        else:
            raise ValueError(f"unexpected VideoMAE-v2 key {key!r}")
    return out


def convert_videomaev2_checkpoint(
    checkpoint: str | os.PathLike | dict[str, torch.Tensor],
    out_dir: str | os.PathLike,
    *,
    num_heads: int | None = None,
    image_size: int = 224,
    num_frames: int = 16,
) -> Path:
    """Convert a VideoMAE-v2 fine-tune checkpoint (as used by cd-fvd) to a transformers folder.

    ``checkpoint`` is the ``.pth`` file (e.g. cd-fvd's ``vit_g_hybrid_pt_1200e_ssv2_ft.pth``,
    read with ``torch.load(..., weights_only=True)``; a ``"model"``/``"module"`` entry is
    unwrapped) or its state dict. The folder (``config.json`` + ``model.safetensors``) loads with
    ``VideoMAE(out_dir)`` and gives cd-fvd's ``fc_norm`` features.

    Example:
        >>> convert_videomaev2_checkpoint("vit_g_hybrid_pt_1200e_ssv2_ft.pth", "videomaev2-g")  # doctest: +SKIP
        PosixPath('videomaev2-g')
    """
    from transformers import VideoMAEForVideoClassification

    source = "state dict"
    if isinstance(checkpoint, (str, os.PathLike)):
        path = Path(checkpoint)
        if not path.is_file():
            raise FileNotFoundError(f"no checkpoint file at {path}")
        try:
            state = torch.load(path, map_location="cpu", weights_only=True)
        except Exception as exc:
            raise ValueError(
                f"could not read {path} with torch.load(weights_only=True): {exc}. vidkit only "
                "loads plain tensor checkpoints; re-save the state dict alone"
            ) from exc
        source = f"{path.name} sha256:{_file_hash(path)}"
    elif isinstance(checkpoint, dict):
        state = checkpoint
    else:
        raise TypeError(
            f"checkpoint must be a path or a state dict, got {type(checkpoint).__name__}"
        )
    for wrapper in ("model", "module"):
        if isinstance(state, dict) and wrapper in state and isinstance(state[wrapper], dict):
            state = state[wrapper]
            break
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise ValueError("the checkpoint does not hold a state dict of tensors")
    cfg = videomaev2_config(
        state, num_heads=num_heads, image_size=image_size, num_frames=num_frames
    )
    cfg.vidkit_source = f"VideoMAEv2 fine-tune ({source})"
    model = VideoMAEForVideoClassification(cfg)
    new_state = _convert_state(state, cfg.hidden_size)
    if "classifier.weight" not in new_state:
        new_state["classifier.weight"] = torch.zeros(cfg.num_labels, cfg.hidden_size)
        new_state["classifier.bias"] = torch.zeros(cfg.num_labels)
    missing, unexpected = model.load_state_dict(new_state, strict=False)
    missing = [k for k in missing if not k.endswith("position_embeddings")]
    if missing or unexpected:
        raise ValueError(f"conversion mismatch: missing {missing[:5]}, unexpected {unexpected[:5]}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out)
    return out


def _file_hash(path: Path) -> str:
    from vidkit.metrics.extractors import hash_file

    return hash_file(path)
