"""SynthEncoder: a small 3D-conv video encoder trained by vidkit on its own synthetic physics scenes.

I3D and VideoMAE need hundreds of MB of weights that must be downloaded; the course and the tests
must run offline on a CPU. SynthEncoder fills that gap: a 0.5M-parameter 3D CNN trained (by
:mod:`vidkit.metrics.train_synth_encoder`, on a CPU in minutes: see the model card
``data/synth_encoder/README.md``) to tell, from a clip of a
:mod:`vidkit.synth` scene, which *kind* of motion it shows and which *violation* (or none) was put
in it. Its 128-d penultimate embedding is a feature space where physical errors move the
distribution: an FVD computed with it rises for teleports, vanishing objects, wrong gravity,
flicker, stutter... and with camera noise.

**Not comparable with literature FVD.** Numbers computed with SynthEncoder only compare with other
numbers computed with the same weights (``weight_hash``), on the same kind of content (simple
synthetic scenes). Use I3D (or VideoMAE) for numbers to put next to published ones.

Input protocol (``preprocess``):

- 16 frames: frame ``floor(k * T / 16)`` for ``k = 0..15`` (every second frame of a 32-frame clip;
  frames repeat when ``T < 16``);
- frames resized (squashed) to 32x32 with antialiased bilinear interpolation;
- values in [0, 1] mapped to [-1, 1], plus 3 channels of frame differences ``x_t - x_{t-1}``
  (zero for the first frame): the network sees 6 channels ``[6, 16, 32, 32]``.

Example:
    >>> import vidkit as vk
    >>> enc = vk.metrics.SynthEncoder()                   # bundled weights (data/synth_encoder)
    >>> scenes = [vk.synth.render("bounce", seed=s) for s in range(4)]
    >>> enc([s.video for s in scenes]).shape
    (4, 128)
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from vidkit.metrics.extractors import FeatureExtractor, hash_state_dict
from vidkit.video import Video

__all__ = [
    "SynthEncoder",
    "SynthEncoderNet",
    "prepare_clips",
    "resample_clips",
    "clips_to_input",
    "describe_weights",
    "default_weights",
    "FRAMES",
    "SIZE",
]

FRAMES = 16
SIZE = 32
WEIGHTS_NAME = "synth_encoder.safetensors"


def default_weights() -> Path:
    """Path of the bundled weights: ``data/synth_encoder/synth_encoder.safetensors``."""
    from vidkit._config import data_dir

    return data_dir() / "synth_encoder" / WEIGHTS_NAME


def _frame_index(num: int, frames: int = FRAMES) -> torch.Tensor:
    return torch.div(torch.arange(frames) * num, frames, rounding_mode="floor")


def resample_clips(batch: torch.Tensor, frames: int = FRAMES, size: int = SIZE) -> torch.Tensor:
    """Videos ``[b, T, 3, H, W]`` in [0, 1] -> ``[b, frames, 3, size, size]`` (frames, resize).

    Example:
        >>> resample_clips(torch.rand(2, 32, 3, 64, 64)).shape
        torch.Size([2, 16, 3, 32, 32])
    """
    if not isinstance(batch, torch.Tensor) or batch.ndim != 5 or batch.shape[2] != 3:
        shape = tuple(batch.shape) if isinstance(batch, torch.Tensor) else type(batch).__name__
        raise ValueError(f"expected a float tensor [b, T, 3, H, W] in [0, 1], got {shape}")
    b, t, c, h, w = batch.shape
    x = batch.float()
    if t != frames:
        x = x.index_select(1, _frame_index(t, frames).to(x.device))
    if (h, w) != (size, size):
        x = F.interpolate(
            x.reshape(b * frames, c, h, w),
            size=(size, size),
            mode="bilinear",
            align_corners=False,
            antialias=True,
        ).reshape(b, frames, c, size, size)
    return x.clamp(0, 1)


def clips_to_input(clips: torch.Tensor) -> torch.Tensor:
    """Resampled clips ``[b, T, 3, S, S]`` in [0, 1] -> network input ``[b, 6, T, S, S]``."""
    x = clips * 2 - 1
    diff = torch.zeros_like(x)
    diff[:, 1:] = x[:, 1:] - x[:, :-1]
    return torch.cat([x, diff], dim=2).transpose(1, 2).contiguous()


def prepare_clips(batch: torch.Tensor, frames: int = FRAMES, size: int = SIZE) -> torch.Tensor:
    """Videos ``[b, T, 3, H, W]`` in [0, 1] -> network input ``[b, 6, frames, size, size]``.

    Example:
        >>> prepare_clips(torch.rand(2, 32, 3, 64, 64)).shape
        torch.Size([2, 6, 16, 32, 32])
    """
    return clips_to_input(resample_clips(batch, frames, size))


def _block(cin: int, cout: int, stride: Any) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv3d(cin, cout, 3, stride=stride, padding=1, bias=False),
        nn.GroupNorm(8, cout),
        nn.GELU(),
    )


class SynthEncoderNet(nn.Module):
    """The network: five 3x3x3 conv blocks (GroupNorm, GELU), global pooling, a 128-d embedding
    and two heads (motion kind, violation).

    Example:
        >>> net = SynthEncoderNet(num_kinds=6, num_violations=11)
        >>> kind, viol = net(torch.zeros(2, 6, 16, 32, 32))
        >>> kind.shape, viol.shape, net.embed(torch.zeros(2, 6, 16, 32, 32)).shape
        (torch.Size([2, 6]), torch.Size([2, 11]), torch.Size([2, 128]))
    """

    def __init__(
        self,
        num_kinds: int,
        num_violations: int,
        widths: Sequence[int] = (32, 48, 48, 96, 96),
        embed_dim: int = 128,
    ) -> None:
        super().__init__()
        w = list(widths)
        if len(w) != 5:
            raise ValueError(f"widths must have 5 entries, got {w}")
        strides = [(1, 2, 2), (2, 2, 2), 1, (2, 2, 2), 1]
        cins = [6, *w[:-1]]
        self.features = nn.Sequential(*[_block(a, b, s) for a, b, s in zip(cins, w, strides)])
        self.project = nn.Sequential(nn.Linear(w[-1], embed_dim), nn.LayerNorm(embed_dim))
        self.kind_head = nn.Linear(embed_dim, num_kinds)
        self.violation_head = nn.Linear(embed_dim, num_violations)
        self.widths = w
        self.embed_dim = embed_dim

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        """Penultimate embedding ``[b, embed_dim]`` of prepared clips (the FVD feature)."""
        h = self.features(x).mean(dim=(2, 3, 4))
        return self.project(h)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        e = F.gelu(self.embed(x))
        return self.kind_head(e), self.violation_head(e)


class SynthEncoder(FeatureExtractor):
    """The trained SynthEncoder as a :class:`~vidkit.metrics.FeatureExtractor` (128-d).

    Args:
        weights: a ``.safetensors`` file written by the training script; default the bundled
            ``data/synth_encoder/synth_encoder.safetensors``.
        device: default ``"cpu"`` (the network is small; CUDA when asked).
        batch_size: videos per forward pass.

    Attributes:
        kinds, violations: the class names of the two heads (``"none"`` first among violations).

    Example:
        >>> enc = SynthEncoder()
        >>> enc.name, enc.dim
        ('synth-encoder', 128)
        >>> import vidkit as vk
        >>> pred = enc.predict([vk.synth.render("bounce", seed=0, violation="vanish").video])
        >>> pred[0]["kind"], pred[0]["violation"]
        ('bounce', 'vanish')
    """

    default_batch_size = 32

    def __init__(
        self,
        weights: str | os.PathLike | None = None,
        *,
        device: str | torch.device = "cpu",
        batch_size: int = 32,
    ) -> None:
        from safetensors import safe_open
        from safetensors.torch import load_file

        path = Path(weights) if weights is not None else default_weights()
        if not path.is_file():
            raise FileNotFoundError(
                f"SynthEncoder weights not found at {path}; train them with `python -m "
                "vidkit.metrics.train_synth_encoder --out data/synth_encoder` or set $VIDKIT_DATA"
            )
        with safe_open(str(path), framework="pt") as f:
            meta = f.metadata() or {}
        if "config" not in meta:
            raise ValueError(f"{path} has no SynthEncoder config in its metadata")
        cfg = json.loads(meta["config"])
        self.kinds: list[str] = list(cfg["kinds"])
        self.violations: list[str] = list(cfg["violations"])
        self.frames = int(cfg.get("frames", FRAMES))
        self.size = int(cfg.get("size", SIZE))
        self.model = SynthEncoderNet(
            len(self.kinds), len(self.violations), cfg["widths"], cfg["embed_dim"]
        )
        self.model.load_state_dict(load_file(str(path)))
        self.model.to(device).eval()
        self.model.requires_grad_(False)
        self.config = cfg
        self.path = path
        self.name = "synth-encoder"
        self.dim = int(cfg["embed_dim"])
        self.default_batch_size = int(batch_size)
        self.weight_hash = hash_state_dict(self.model)
        self.preprocess = {
            "frames": f"{self.frames}: frame floor(k*T/{self.frames})",
            "resize": f"bilinear antialiased squash to {self.size}x{self.size}",
            "value_range": "[0, 1] -> [-1, 1], plus frame differences (6 channels)",
            "feature": f"{self.dim}-d penultimate embedding (LayerNorm output)",
            "comparable_with": "only SynthEncoder scores with this weight_hash (not literature FVD)",
        }

    def extract(self, batch: torch.Tensor) -> torch.Tensor:
        return self.model.embed(prepare_clips(batch, self.frames, self.size))

    def predict(
        self, videos: Sequence[Video] | torch.Tensor, batch_size: int | None = None
    ) -> list[dict[str, Any]]:
        """Kind and violation predicted for each video, with their probabilities.

        Example:
            >>> import vidkit as vk
            >>> enc = SynthEncoder()
            >>> scene = vk.synth.render("projectile", seed=1, violation="teleport")
            >>> enc.predict([scene.video])[0]["violation"]
            'teleport'
        """
        from vidkit.metrics.extractors import videos_to_batch

        if isinstance(videos, Video):
            videos = [videos]
        bs = batch_size or self.default_batch_size
        n = len(videos)
        if n == 0:
            raise ValueError("predict: no videos given")
        out: list[dict[str, Any]] = []
        device = self.device
        for a in range(0, n, bs):
            chunk = videos[a : a + bs]
            x = videos_to_batch(chunk) if not isinstance(chunk, torch.Tensor) else chunk
            with torch.inference_mode():
                kl, vl = self.model(prepare_clips(x.to(device), self.frames, self.size))
            kp, vp = kl.softmax(-1).cpu().numpy(), vl.softmax(-1).cpu().numpy()
            for i in range(len(kp)):
                out.append(
                    {
                        "kind": self.kinds[int(kp[i].argmax())],
                        "kind_prob": float(kp[i].max()),
                        "violation": self.violations[int(vp[i].argmax())],
                        "violation_prob": float(vp[i].max()),
                        "violation_probs": dict(zip(self.violations, vp[i].round(4).tolist())),
                    }
                )
        return out

    def provenance(self) -> dict[str, Any]:
        out = super().provenance()
        out["weights"] = self.path.name
        out["comparable_with"] = "SynthEncoder scores with the same weight_hash only"
        return out


def describe_weights(path: str | os.PathLike | None = None) -> dict[str, Any]:
    """The config stored in a SynthEncoder weights file (classes, sizes, training summary).

    Example:
        >>> describe_weights()["kinds"]
        ['free_fall', 'projectile', 'bounce', 'pendulum', 'collision', 'uniform']
    """
    from safetensors import safe_open

    p = Path(path) if path is not None else default_weights()
    with safe_open(str(p), framework="pt") as f:
        meta = f.metadata() or {}
    return json.loads(meta.get("config", "{}"))
