"""The I3D video classifier behind FVD, as a vidkit feature extractor.

Architecture: Inception-v1 inflated to 3D (Carreira & Zisserman, "Quo Vadis, Action Recognition?",
CVPR 2017), in the layout of the PyTorch port used by TATS and cd-fvd, so that their converted
TF-Hub weights ``i3d_pretrained_400.pt`` (a plain state dict of ``InceptionI3d(400, in_channels=3)``)
load with ``strict=True``. TensorFlow "SAME" padding is computed at run time from the input size,
BatchNorm uses that port's ``eps=1e-5`` (the TF original uses ``1e-3``: pass ``bn_eps=1e-3``).

FVD uses the 400 Kinetics logits averaged over time (``features="logits"``); the 1024-d average
pooled ``Mixed_5c`` activations are available with ``features="pool"``.

Two forward paths share the same weights:

- :class:`InceptionI3d`: the reference structure (conv, BatchNorm, ReLU, explicit padding);
- a fused inference copy (:meth:`InceptionI3d.fused`, used by :class:`I3D` by default): BatchNorm
  folded into the convolutions, the three 1x1x1 branch convolutions of each Inception block run as
  one, symmetric padding done by the convolution itself, ``channels_last_3d`` memory. Features
  agree with the reference path to float32 rounding (about 1e-6 relative).

Example:
    >>> import vidkit as vk
    >>> i3d = vk.metrics.I3D(weights="i3d_pretrained_400.pt")    # doctest: +SKIP
    >>> feats = i3d(videos)  # [N, 400]                           # doctest: +SKIP
    >>> test_only = vk.metrics.I3D(weights=None, seed=0)          # random init, tagged as such
    >>> test_only.weight_hash.startswith("random-init seed=0")
    True
"""

from __future__ import annotations

import math
import os
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from vidkit._config import cache_dir, data_dir
from vidkit.metrics.extractors import FeatureExtractor, hash_file, hash_state_dict

__all__ = ["InceptionI3d", "I3D", "I3D_URL", "I3D_FILENAME", "resolve_i3d_weights"]

I3D_FILENAME = "i3d_pretrained_400.pt"
#: public copy used by cd-fvd (TATS repository); downloaded only when no local file exists
I3D_URL = "https://github.com/songweige/TATS/raw/main/tats/fvd/i3d_pretrained_400.pt"
#: sha256 of the official file; ``None`` until pinned (then every download is checked against it).
#: Without it the digest of the first download is recorded beside the file and checked afterwards.
I3D_SHA256: str | None = None

MIN_FRAMES = 9  # three temporal stride-2 stages must leave >= 2 steps for the [2, 7, 7] pooling
INPUT_SIZE = 224

# (name, in_channels, branch widths b0, b1a, b1b, b2a, b2b, b3b)
_MIXED: dict[str, tuple[int, tuple[int, int, int, int, int, int]]] = {
    "Mixed_3b": (192, (64, 96, 128, 16, 32, 32)),
    "Mixed_3c": (256, (128, 128, 192, 32, 96, 64)),
    "Mixed_4b": (480, (192, 96, 208, 16, 48, 64)),
    "Mixed_4c": (512, (160, 112, 224, 24, 64, 64)),
    "Mixed_4d": (512, (128, 128, 256, 24, 64, 64)),
    "Mixed_4e": (512, (112, 144, 288, 32, 64, 64)),
    "Mixed_4f": (528, (256, 160, 320, 32, 128, 128)),
    "Mixed_5b": (832, (256, 160, 320, 32, 128, 128)),
    "Mixed_5c": (832, (384, 192, 384, 48, 128, 128)),
}
# the network, in order: ("conv", name, cin, cout, kernel, stride) | ("pool", kernel, stride) |
# ("mixed", name)
_LAYERS: tuple[tuple[Any, ...], ...] = (
    ("conv", "Conv3d_1a_7x7", 3, 64, (7, 7, 7), (2, 2, 2)),
    ("pool", (1, 3, 3), (1, 2, 2)),
    ("conv", "Conv3d_2b_1x1", 64, 64, (1, 1, 1), (1, 1, 1)),
    ("conv", "Conv3d_2c_3x3", 64, 192, (3, 3, 3), (1, 1, 1)),
    ("pool", (1, 3, 3), (1, 2, 2)),
    ("mixed", "Mixed_3b"),
    ("mixed", "Mixed_3c"),
    ("pool", (3, 3, 3), (2, 2, 2)),
    ("mixed", "Mixed_4b"),
    ("mixed", "Mixed_4c"),
    ("mixed", "Mixed_4d"),
    ("mixed", "Mixed_4e"),
    ("mixed", "Mixed_4f"),
    ("pool", (2, 2, 2), (2, 2, 2)),
    ("mixed", "Mixed_5b"),
    ("mixed", "Mixed_5c"),
)
_POOL_KERNEL = (2, 7, 7)


def same_padding(size: int, kernel: int, stride: int) -> tuple[int, int]:
    """TensorFlow "SAME" padding (front, back) for one axis: output length ``ceil(size / stride)``.

    Example:
        >>> same_padding(224, 7, 2), same_padding(16, 3, 1)
        ((2, 3), (1, 1))
    """
    total = max(kernel - stride, 0) if size % stride == 0 else max(kernel - size % stride, 0)
    return total // 2, total - total // 2


def _pad_same(x: torch.Tensor, kernel: Sequence[int], stride: Sequence[int]) -> torch.Tensor:
    pads: list[int] = []
    for size, k, s in zip(reversed(x.shape[2:]), reversed(kernel), reversed(stride)):
        pads.extend(same_padding(int(size), int(k), int(s)))
    return F.pad(x, pads) if any(pads) else x


class Unit3D(nn.Module):
    """Conv3d (SAME padding, no bias) + BatchNorm3d + ReLU; the logits layer: conv with bias only."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel: Sequence[int] = (1, 1, 1),
        stride: Sequence[int] = (1, 1, 1),
        *,
        batch_norm: bool = True,
        relu: bool = True,
        bias: bool = False,
        bn_eps: float = 1e-5,
    ) -> None:
        super().__init__()
        self.kernel = tuple(int(k) for k in kernel)
        self.stride = tuple(int(s) for s in stride)
        self.relu = relu
        self.conv3d = nn.Conv3d(in_channels, out_channels, self.kernel, self.stride, bias=bias)
        self.bn = nn.BatchNorm3d(out_channels, eps=bn_eps, momentum=0.001) if batch_norm else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.conv3d(_pad_same(x, self.kernel, self.stride))
        if self.bn is not None:
            x = self.bn(x)
        return F.relu(x) if self.relu else x

    def folded(self) -> tuple[torch.Tensor, torch.Tensor]:
        """(weight, bias) of one convolution equal to conv followed by eval-mode BatchNorm."""
        w = self.conv3d.weight.detach()
        b = (
            self.conv3d.bias.detach()
            if self.conv3d.bias is not None
            else torch.zeros(w.shape[0], dtype=w.dtype, device=w.device)
        )
        if self.bn is None:
            return w.clone(), b.clone()
        scale = self.bn.weight.detach() / torch.sqrt(self.bn.running_var.detach() + self.bn.eps)
        w = w * scale.view(-1, 1, 1, 1, 1)
        b = (b - self.bn.running_mean.detach()) * scale + self.bn.bias.detach()
        return w, b


class _MaxPoolSame(nn.Module):
    """Max pooling after zero "SAME" padding (as in the reference port; inputs are post-ReLU)."""

    def __init__(self, kernel: Sequence[int], stride: Sequence[int]) -> None:
        super().__init__()
        self.kernel = tuple(kernel)
        self.stride = tuple(stride)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.max_pool3d(_pad_same(x, self.kernel, self.stride), self.kernel, self.stride)


class InceptionBlock(nn.Module):
    """Inception block: 1x1 | 1x1->3x3 | 1x1->3x3 | maxpool->1x1, concatenated on channels."""

    def __init__(self, cin: int, widths: Sequence[int], bn_eps: float = 1e-5) -> None:
        super().__init__()
        c0, c1a, c1b, c2a, c2b, c3 = widths
        self.b0 = Unit3D(cin, c0, bn_eps=bn_eps)
        self.b1a = Unit3D(cin, c1a, bn_eps=bn_eps)
        self.b1b = Unit3D(c1a, c1b, (3, 3, 3), bn_eps=bn_eps)
        self.b2a = Unit3D(cin, c2a, bn_eps=bn_eps)
        self.b2b = Unit3D(c2a, c2b, (3, 3, 3), bn_eps=bn_eps)
        self.b3a = _MaxPoolSame((3, 3, 3), (1, 1, 1))
        self.b3b = Unit3D(cin, c3, bn_eps=bn_eps)
        self.out_channels = c0 + c1b + c2b + c3

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat(
            [self.b0(x), self.b1b(self.b1a(x)), self.b2b(self.b2a(x)), self.b3b(self.b3a(x))], 1
        )


def _check_input(x: torch.Tensor) -> None:
    if not isinstance(x, torch.Tensor) or x.ndim != 5 or x.shape[1] != 3:
        raise ValueError(
            f"I3D expects a tensor [B, 3, T, H, W] in [-1, 1], got "
            f"{getattr(x, 'shape', type(x).__name__)}"
        )
    t, h, w = (int(s) for s in x.shape[2:])
    if t < MIN_FRAMES:
        raise ValueError(f"I3D needs at least {MIN_FRAMES} frames, got {t}")
    if not (193 <= h <= INPUT_SIZE and 193 <= w <= INPUT_SIZE):
        raise ValueError(
            f"I3D expects {INPUT_SIZE}x{INPUT_SIZE} frames (resize first: larger inputs make the "
            f"reference port return spatial maps instead of vectors), got {h}x{w}"
        )


def _head(x: torch.Tensor, logits: nn.Module | None) -> torch.Tensor:
    """[B, 1024, T', 7, 7] -> pooled over [2, 7, 7] windows -> time mean (+ logits)."""
    x = F.avg_pool3d(x, _POOL_KERNEL, stride=1)  # [B, 1024, T'-1, 1, 1]
    if logits is None:
        return x.mean(dim=(2, 3, 4))
    return logits(x).mean(dim=(2, 3, 4))


class InceptionI3d(nn.Module):
    """Inception-v1 I3D with the state-dict layout of TATS / cd-fvd ``InceptionI3d(400, 3)``.

    ``forward(x, features="logits")`` takes ``[B, 3, T, 224, 224]`` in ``[-1, 1]`` (T >= 9) and
    returns the ``num_classes`` logits averaged over time; ``features="pool"`` returns the 1024-d
    pooled activations before the logits layer.

    Example:
        >>> net = InceptionI3d().eval()
        >>> net.load_state_dict(torch.load("i3d_pretrained_400.pt", weights_only=True))  # doctest: +SKIP
        >>> net(torch.zeros(1, 3, 16, 224, 224)).shape  # doctest: +SKIP
        torch.Size([1, 400])
    """

    def __init__(self, num_classes: int = 400, in_channels: int = 3, bn_eps: float = 1e-5) -> None:
        super().__init__()
        self.bn_eps = float(bn_eps)
        self._order: list[nn.Module] = []
        for spec in _LAYERS:
            if spec[0] == "conv":
                _, name, cin, cout, k, s = spec
                mod: nn.Module = Unit3D(in_channels if cin == 3 else cin, cout, k, s, bn_eps=bn_eps)
                self.add_module(name, mod)
            elif spec[0] == "pool":
                mod = _MaxPoolSame(spec[1], spec[2])
            else:
                cin, widths = _MIXED[spec[1]]
                mod = InceptionBlock(cin, widths, bn_eps=bn_eps)
                self.add_module(spec[1], mod)
            self._order.append(mod)
        self.logits = Unit3D(1024, num_classes, batch_norm=False, relu=False, bias=True)

    def forward(self, x: torch.Tensor, features: str = "logits") -> torch.Tensor:
        if features not in ("logits", "pool"):
            raise ValueError(f"features must be 'logits' or 'pool', got {features!r}")
        _check_input(x)
        for mod in self._order:
            x = mod(x)
        return _head(x, self.logits if features == "logits" else None)

    def fused(self, channels_last: bool = True) -> _FusedI3D:
        """An inference-only copy with BatchNorm folded and branch 1x1 convolutions merged.

        The copy is frozen at the current weights: call again after loading new ones.

        Example:
            >>> fast = InceptionI3d().eval().fused()
        """
        return _FusedI3D(self, channels_last=channels_last)


# ----------------------------------------------------------------------------- fused inference
def _conv_from(weight: torch.Tensor, bias: torch.Tensor, padding: Any = 0, stride: Any = 1):
    conv = nn.Conv3d(
        weight.shape[1], weight.shape[0], tuple(weight.shape[2:]), stride, padding, bias=True
    )
    conv.weight.data.copy_(weight)
    conv.bias.data.copy_(bias)
    conv.requires_grad_(False)
    return conv


class _FusedConv(nn.Module):
    """A Unit3D as one convolution (+ ReLU); symmetric SAME padding done by the conv itself."""

    def __init__(self, unit: Unit3D) -> None:
        super().__init__()
        w, b = unit.folded()
        self.kernel, self.stride, self.relu = unit.kernel, unit.stride, unit.relu
        symmetric = all(s == 1 and k % 2 == 1 for k, s in zip(self.kernel, self.stride))
        self.pad_inside = symmetric
        pad = tuple((k - 1) // 2 for k in self.kernel) if symmetric else 0
        self.conv = _conv_from(w, b, padding=pad, stride=self.stride)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.pad_inside:
            x = _pad_same(x, self.kernel, self.stride)
        x = self.conv(x)
        return F.relu_(x) if self.relu else x


class _FusedPool(nn.Module):
    """SAME max pooling. Inputs are post-ReLU (>= 0), so padding with -inf (torch's own padding,
    or ``ceil_mode`` for the trailing pad) gives exactly the zero-padded reference result."""

    def __init__(self, kernel: Sequence[int], stride: Sequence[int]) -> None:
        super().__init__()
        self.kernel, self.stride = tuple(kernel), tuple(stride)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        front: list[int] = []
        target: list[int] = []
        for size, k, s in zip(x.shape[2:], self.kernel, self.stride):
            front.append(same_padding(int(size), k, s)[0])
            target.append(-(-int(size) // s))
        if all(2 * f <= k for f, k in zip(front, self.kernel)):
            # front padding by torch (-inf), the trailing one by ceil_mode (windows past the end)
            y = F.max_pool3d(x, self.kernel, self.stride, padding=tuple(front), ceil_mode=True)
            if list(y.shape[2:]) == target:
                return y
        return F.max_pool3d(_pad_same(x, self.kernel, self.stride), self.kernel, self.stride)


class _FusedBlock(nn.Module):
    def __init__(self, block: InceptionBlock) -> None:
        super().__init__()
        parts = [block.b0.folded(), block.b1a.folded(), block.b2a.folded()]
        self.splits = [p[0].shape[0] for p in parts]
        self.stem = _conv_from(torch.cat([p[0] for p in parts]), torch.cat([p[1] for p in parts]))
        self.b1b = _FusedConv(block.b1b)
        self.b2b = _FusedConv(block.b2b)
        self.b3b = _FusedConv(block.b3b)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y0, y1, y2 = F.relu_(self.stem(x)).split(self.splits, dim=1)
        y3 = self.b3b(F.max_pool3d(x, 3, 1, padding=1))
        return torch.cat([y0, self.b1b(y1), self.b2b(y2), y3], 1)


class _FusedI3D(nn.Module):
    def __init__(self, net: InceptionI3d, channels_last: bool = True) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        for mod in net._order:
            if isinstance(mod, Unit3D):
                layers.append(_FusedConv(mod))
            elif isinstance(mod, InceptionBlock):
                layers.append(_FusedBlock(mod))
            else:
                layers.append(_FusedPool(mod.kernel, mod.stride))
        self.layers = nn.ModuleList(layers)
        w, b = net.logits.folded()
        self.logits = _conv_from(w, b)
        self.channels_last = channels_last
        p = next(net.parameters())
        self.to(device=p.device, dtype=p.dtype)
        if channels_last:
            self.to(memory_format=torch.channels_last_3d)
        self.eval().requires_grad_(False)

    def forward(self, x: torch.Tensor, features: str = "logits") -> torch.Tensor:
        if features not in ("logits", "pool"):
            raise ValueError(f"features must be 'logits' or 'pool', got {features!r}")
        _check_input(x)
        if self.channels_last:
            x = x.contiguous(memory_format=torch.channels_last_3d)
        for mod in self.layers:
            x = mod(x)
        return _head(x, self.logits if features == "logits" else None)


# ----------------------------------------------------------------------------- weights
def _offline() -> bool:
    flags = ("VIDKIT_OFFLINE", "HF_HUB_OFFLINE")
    return any(os.environ.get(f, "").strip().lower() in ("1", "true", "yes", "on") for f in flags)


def _download(url: str, dest: Path, expected_sha256: str | None) -> Path:
    """Download ``url`` to ``dest`` atomically with a progress bar and a sha256 check."""
    import hashlib

    from tqdm.auto import tqdm

    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".part")
    h = hashlib.sha256()
    with urllib.request.urlopen(url, timeout=60) as resp:  # noqa: S310 - fixed https URL
        total = int(resp.headers.get("content-length") or 0) or None
        with (
            open(tmp, "wb") as f,
            tqdm(total=total, unit="B", unit_scale=True, desc=dest.name) as bar,
        ):
            for chunk in iter(lambda: resp.read(1 << 20), b""):
                f.write(chunk)
                h.update(chunk)
                bar.update(len(chunk))
    digest = h.hexdigest()
    if expected_sha256 and digest != expected_sha256.lower():
        tmp.unlink(missing_ok=True)
        raise ValueError(
            f"downloaded {url} has sha256 {digest}, expected {expected_sha256}: refusing to use it"
        )
    os.replace(tmp, dest)
    dest.with_name(dest.name + ".sha256").write_text(digest + "\n")
    return dest


def resolve_i3d_weights(
    name: str | os.PathLike[str] = I3D_FILENAME,
    *,
    download: bool = True,
    expected_sha256: str | None = None,
) -> Path:
    """Find the I3D weights file: an existing path, else ``name`` in the cache and data folders,
    else download :data:`I3D_URL` into :func:`vidkit._config.cache_dir` (unless offline).

    Example:
        >>> resolve_i3d_weights()  # doctest: +SKIP
        PosixPath('/home/me/.cache/vidkit/i3d_pretrained_400.pt')
    """
    path = Path(name).expanduser()
    if path.is_file():
        return path
    candidates = [
        cache_dir() / path.name,
        data_dir() / path.name,
        data_dir() / "weights" / path.name,
    ]
    for c in candidates:
        if c.is_file():
            return c
    searched = ", ".join(str(c) for c in [path, *candidates])
    if path.name != I3D_FILENAME or not download or _offline():
        why = "offline (VIDKIT_OFFLINE/HF_HUB_OFFLINE set)" if _offline() else "no download"
        raise FileNotFoundError(
            f"I3D weights {str(name)!r} not found (searched: {searched}); {why}. Put the file "
            f"{I3D_FILENAME} (TATS/cd-fvd converted TF-Hub I3D, a state dict) in one of those "
            f"places, e.g. from {I3D_URL} , or pass weights='/path/to/{I3D_FILENAME}'. "
            "For tests only, weights=None gives a random-init network."
        )
    dest = cache_dir() / I3D_FILENAME
    try:
        return _download(I3D_URL, dest, expected_sha256 or I3D_SHA256)
    except OSError as exc:
        raise FileNotFoundError(
            f"I3D weights {I3D_FILENAME} not found (searched: {searched}) and the download from "
            f"{I3D_URL} failed ({exc}). Download it by hand into {dest}."
        ) from exc


def _load_state(weights: Any) -> tuple[dict[str, torch.Tensor], str, str]:
    """-> (state dict, sha256 tag, source description); safe formats only."""
    if isinstance(weights, Mapping):
        sd = dict(weights)
        return sd, hash_state_dict(sd), "state dict given in memory"
    path = resolve_i3d_weights(weights)
    if path.suffix == ".safetensors":
        from safetensors.torch import load_file

        sd = load_file(str(path), device="cpu")
    else:
        try:
            sd = torch.load(path, map_location="cpu", weights_only=True)
        except Exception as exc:  # pickle with objects, corrupt file...
            raise ValueError(
                f"cannot load {path} safely (torch.load(weights_only=True)): {exc}. Convert it to "
                "a plain state dict or a safetensors file."
            ) from exc
        if isinstance(sd, Mapping) and "state_dict" in sd and isinstance(sd["state_dict"], Mapping):
            sd = sd["state_dict"]
        if not isinstance(sd, Mapping):
            raise ValueError(f"{path} holds a {type(sd).__name__}, expected a state dict")
    digest = hash_file(path)
    sidecar = path.with_name(path.name + ".sha256")
    if sidecar.is_file():
        recorded = sidecar.read_text().strip()
        if recorded and not recorded.startswith(digest):
            raise ValueError(
                f"{path} has sha256 {digest}... but {sidecar} records {recorded[:16]}...: the file "
                "changed since it was downloaded; delete both to fetch it again"
            )
    if I3D_SHA256 and path.name == I3D_FILENAME and not I3D_SHA256.startswith(digest):
        raise ValueError(f"{path} has sha256 {digest}..., expected {I3D_SHA256[:16]}...")
    return dict(sd), digest, str(path)


def _random_init(net: InceptionI3d, seed: int) -> None:
    """Deterministic, scale-preserving random weights (He-normal convs, identity BatchNorm)."""
    g = torch.Generator().manual_seed(int(seed))
    for mod in net.modules():
        if isinstance(mod, nn.Conv3d):
            fan_in = mod.weight[0].numel()
            with torch.no_grad():
                mod.weight.copy_(torch.randn(mod.weight.shape, generator=g) * math.sqrt(2 / fan_in))
                if mod.bias is not None:
                    mod.bias.zero_()


class I3D(FeatureExtractor):
    """I3D features for FVD: 400 Kinetics logits (or 1024-d pooled) averaged over time.

    Args:
        weights: path to ``i3d_pretrained_400.pt`` (or a ``.safetensors`` file, or a state dict);
            the default name is looked up in the cache and data folders and downloaded from
            :data:`I3D_URL` when missing and online. ``None`` = random init (tests only; the
            ``weight_hash`` then reads ``"random-init seed=..."``).
        features: ``"logits"`` (400-d, the FVD standard) or ``"pool"`` (1024-d).
        bn_eps: BatchNorm epsilon; 1e-5 as in the TATS/cd-fvd port, 1e-3 as in TF-Hub.
        fused: run the fused inference copy (same features to ~1e-6, faster); False runs the
            reference structure.
        device, batch_size: where and how many videos at a time.
        seed: seed of the random init (only with ``weights=None``).

    Input (``extractor(videos)``): list of Video or ``[B, T, 3, H, W]`` in ``[0, 1]``/uint8, T >= 9.
    Frames that are not 224x224 are squashed to 224x224 (bilinear, no antialias, as every FVD
    reference does after its own cropping); values are mapped to ``[-1, 1]``.

    Example:
        >>> i3d = I3D(weights=None, seed=0)
        >>> i3d(torch.rand(1, 9, 3, 224, 224)).shape
        (1, 400)
    """

    name = "i3d"

    def __init__(
        self,
        weights: str | os.PathLike[str] | Mapping[str, torch.Tensor] | None = I3D_FILENAME,
        *,
        features: str = "logits",
        bn_eps: float = 1e-5,
        fused: bool = True,
        device: str | torch.device = "cpu",
        batch_size: int = 8,
        seed: int = 0,
    ) -> None:
        if features not in ("logits", "pool"):
            raise ValueError(f"features must be 'logits' or 'pool', got {features!r}")
        if not (isinstance(bn_eps, (int, float)) and bn_eps > 0):
            raise ValueError(f"bn_eps must be a positive number, got {bn_eps!r}")
        net = InceptionI3d(400, in_channels=3, bn_eps=bn_eps)
        if weights is None:
            _random_init(net, seed)
            self.weights_source = f"random-init seed={int(seed)} (NOT the FVD weights)"
            self.weight_hash = f"random-init seed={int(seed)} sha256={hash_state_dict(net)}"
        else:
            sd, digest, source = _load_state(weights)
            try:
                net.load_state_dict(sd, strict=True)
            except RuntimeError as exc:
                raise ValueError(
                    f"{source} is not an InceptionI3d(400, in_channels=3) state dict in the "
                    f"TATS/cd-fvd layout ({I3D_FILENAME}): {str(exc)[:500]}"
                ) from None
            self.weights_source = source
            self.weight_hash = digest
        self.net = net.eval().requires_grad_(False).to(device)
        self.model = self.net
        self.features = features
        self.dim = 400 if features == "logits" else 1024
        self.default_batch_size = int(batch_size)
        self._fast = self.net.fused() if fused else None
        self.preprocess = {
            "frames": f">= {MIN_FRAMES} (as given; the protocol selects them)",
            "resize": f"bilinear squash to {INPUT_SIZE}x{INPUT_SIZE}, align_corners=False, "
            "no antialias (skipped when already that size)",
            "value_range": "[-1, 1] (2x - 1 of [0, 1]; 2x/255 - 1 of uint8)",
            "output": "400 logits averaged over time"
            if features == "logits"
            else "1024-d avg-pooled Mixed_5c averaged over time",
            "bn_eps": float(bn_eps),
        }

    def to(self, device: str | torch.device) -> I3D:
        """Move the network (and the fused copy) to ``device``; returns self."""
        self.net.to(device)
        if self._fast is not None:
            self._fast.to(device)
        return self

    def prepare(self, batch: torch.Tensor) -> torch.Tensor:
        """``[B, T, 3, H, W]`` in [0, 1] -> network input ``[B, 3, T, 224, 224]`` in [-1, 1]."""
        b, t, c, h, w = batch.shape
        x = batch
        if (h, w) != (INPUT_SIZE, INPUT_SIZE):
            x = F.interpolate(
                x.reshape(b * t, c, h, w),
                size=(INPUT_SIZE, INPUT_SIZE),
                mode="bilinear",
                align_corners=False,
            ).reshape(b, t, c, INPUT_SIZE, INPUT_SIZE)
        return (x * 2.0 - 1.0).transpose(1, 2)

    def extract(self, batch: torch.Tensor) -> torch.Tensor:
        if batch.shape[1] < MIN_FRAMES:
            raise ValueError(f"I3D needs at least {MIN_FRAMES} frames, got {batch.shape[1]}")
        x = self.prepare(batch)
        net = self._fast if self._fast is not None else self.net
        return net(x, features=self.features)

    def provenance(self) -> dict[str, Any]:
        out = super().provenance()
        out["weights"] = self.weights_source
        return out
