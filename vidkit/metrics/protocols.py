"""FVD protocols: every step between a video and its features, named and recorded.

FVD numbers in the literature disagree because the steps before the Fréchet distance differ:
which frames, how frames are resized (squash or short-side + crop, antialias or not, TF1 or
PyTorch bilinear), quantisation to uint8, the covariance divisor (``/N`` or ``/(N-1)``), the
square-root algorithm, the I3D port. A :class:`Protocol` fixes all of them; the presets reproduce
the three reference implementations:

=============  ==========================================================================
preset         what it reproduces
=============  ==========================================================================
``styleganv``  StyleGAN-V ``fvd2048_16f`` (also JunyaoHu's styleganv path): uint8 frames,
               bilinear squash to 224 (half-pixel, no antialias), ``[-1, 1]``, 16 frames,
               400 logits, covariance ``/N``, FD equal to ``scipy.linalg.sqrtm``'s
``tf``         the original google-research FVD: bilinear squash to 224 with TF1's
               ``resize_bilinear`` sampling (no half-pixel centres, no antialias),
               ``2x/255 - 1``, covariance ``/(N-1)``, TF-GAN's symmetric square root,
               BatchNorm eps 1e-3 as in the TF-Hub graph
``cdfvd``      cd-fvd's video-folder loader (I3D model): short side to 256 (bilinear,
               antialias, ``ceil``), centre crop 256, ``(x*255).byte()`` truncation, squash to
               224, ``2x/255 - 1``, covariance ``/N``
=============  ==========================================================================

Every score is a :class:`Score` (float-like) whose ``provenance`` dict names the preset, N on each
side, frames (count, stride, offset), resolution, resize mode, extractor and weight hash,
covariance divisor, FD method and the vidkit version.

Example:
    >>> p = get_protocol("styleganv")
    >>> p.num_frames, p.resolution, p.cov_divisor
    (16, 224, 'N')
    >>> get_protocol("cdfvd", num_frames=8).num_frames
    8
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from vidkit.video import Video

__all__ = ["Protocol", "PRESETS", "get_protocol", "protocol_table", "Score", "tf1_resize_matrix"]

_RESIZES = ("squash", "short-side-crop")
_INTERP = ("bilinear", "bilinear-tf1")


def tf1_resize_matrix(n_in: int, n_out: int) -> torch.Tensor:
    """Interpolation matrix ``[n_out, n_in]`` of TF1 ``tf.image.resize_bilinear`` (defaults:
    ``align_corners=False, half_pixel_centers=False``: source coordinate ``i * n_in / n_out``).

    Example:
        >>> tf1_resize_matrix(2, 4)
        tensor([[1.0000, 0.0000],
                [0.5000, 0.5000],
                [0.0000, 1.0000],
                [0.0000, 1.0000]], dtype=torch.float64)
    """
    src = torch.arange(n_out, dtype=torch.float64) * (n_in / n_out)
    i0 = torch.clamp(src.floor().long(), max=n_in - 1)
    i1 = torch.clamp(i0 + 1, max=n_in - 1)
    w1 = src - i0.double()
    m = torch.zeros(n_out, n_in, dtype=torch.float64)
    rows = torch.arange(n_out)
    m.index_put_((rows, i0), 1.0 - w1, accumulate=True)
    m.index_put_((rows, i1), w1, accumulate=True)
    return m


@dataclass(frozen=True)
class Protocol:
    """How videos become features and how the distance is computed.

    Args:
        name: preset name (recorded in provenance).
        num_frames, stride, offset: frames ``offset + stride * k`` for ``k < num_frames``;
            ``offset="random"`` draws a start per video (seeded by ``seed`` and the video's
            index). A video that is too short raises a ``ValueError`` naming its index.
        resolution: side of the square frames given to the extractor (224 for I3D).
        resize: ``"squash"`` (both sides to ``resolution``, aspect ratio not kept) or
            ``"short-side-crop"`` (short side to ``crop_size`` with antialias, centre crop, then
            squash to ``resolution``).
        interpolation: ``"bilinear"`` (PyTorch, half-pixel centres) or ``"bilinear-tf1"``.
        antialias: antialias in the final squash (no reference does it).
        quantize: ``"round"`` frames to uint8 first (all references take uint8 videos) or
            ``"none"``.
        cov_ddof: 0 (covariance ``/N``) or 1 (``/(N-1)``).
        fd_method: see :func:`vidkit.metrics.frechet_distance`.
        features, bn_eps: I3D output (``"logits"``/``"pool"``) and BatchNorm epsilon.

    Example:
        >>> p = Protocol("mine", num_frames=8, stride=2)
        >>> p.frame_indices(20, index=0).tolist()
        [0, 2, 4, 6, 8, 10, 12, 14]
    """

    name: str
    num_frames: int = 16
    stride: int = 1
    offset: int | str = 0
    resolution: int = 224
    resize: str = "squash"
    crop_size: int | None = None
    interpolation: str = "bilinear"
    antialias: bool = False
    quantize: str = "round"
    cov_ddof: int = 0
    fd_method: str = "cholesky"
    features: str = "logits"
    bn_eps: float = 1e-5
    seed: int = 0
    reference: str = ""
    notes: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        def bad(what: str, value: Any, expected: str) -> ValueError:
            return ValueError(f"protocol {self.name!r}: {what} must be {expected}, got {value!r}")

        if not (isinstance(self.num_frames, (int, np.integer)) and self.num_frames >= 1):
            raise bad("num_frames", self.num_frames, "a positive integer")
        if not (isinstance(self.stride, (int, np.integer)) and self.stride >= 1):
            raise bad("stride", self.stride, "a positive integer")
        if not (
            self.offset == "random"
            or (isinstance(self.offset, (int, np.integer)) and not isinstance(self.offset, bool))
            and self.offset >= 0
        ):
            raise bad("offset", self.offset, "a non-negative integer or 'random'")
        if not (isinstance(self.resolution, (int, np.integer)) and self.resolution >= 8):
            raise bad("resolution", self.resolution, "an integer >= 8")
        if self.resize not in _RESIZES:
            raise bad("resize", self.resize, f"one of {list(_RESIZES)}")
        if self.resize == "short-side-crop" and not (
            isinstance(self.crop_size, (int, np.integer)) and self.crop_size >= 8
        ):
            raise bad("crop_size", self.crop_size, "an integer >= 8 with resize='short-side-crop'")
        if self.interpolation not in _INTERP:
            raise bad("interpolation", self.interpolation, f"one of {list(_INTERP)}")
        if self.quantize not in ("round", "none"):
            raise bad("quantize", self.quantize, "'round' or 'none'")
        if self.cov_ddof not in (0, 1):
            raise bad("cov_ddof", self.cov_ddof, "0 (/N) or 1 (/(N-1))")
        if self.fd_method not in ("cholesky", "eigh", "sqrtm"):
            raise bad("fd_method", self.fd_method, "'cholesky', 'eigh' or 'sqrtm'")
        if self.features not in ("logits", "pool"):
            raise bad("features", self.features, "'logits' or 'pool'")

    # ---------------------------------------------------------------- description
    @property
    def cov_divisor(self) -> str:
        return "N" if self.cov_ddof == 0 else "N-1"

    @property
    def span(self) -> int:
        """Frames a clip covers: ``stride * (num_frames - 1) + 1``."""
        return self.stride * (self.num_frames - 1) + 1

    def resize_description(self) -> str:
        interp = "TF1 bilinear" if self.interpolation == "bilinear-tf1" else "bilinear"
        aa = ", antialias" if self.antialias else ", no antialias"
        squash = f"squash to {self.resolution}x{self.resolution} ({interp}{aa})"
        if self.resize == "short-side-crop":
            return (
                f"short side to {self.crop_size} (bilinear, antialias, ceil), centre crop "
                f"{self.crop_size}, uint8 truncation, {squash}"
            )
        return squash

    def provenance(self) -> dict[str, Any]:
        """The protocol's part of a score's provenance."""
        return {
            "preset": self.name,
            "frames": int(self.num_frames),
            "stride": int(self.stride),
            "offset": self.offset if self.offset == "random" else int(self.offset),
            "offset_seed": int(self.seed) if self.offset == "random" else None,
            "resolution": int(self.resolution),
            "resize": self.resize_description(),
            "quantize": "uint8 (round)" if self.quantize == "round" else "none",
            "covariance_divisor": self.cov_divisor,
            "fd_method": self.fd_method,
            "features": self.features,
            "bn_eps": float(self.bn_eps),
        }

    def replace(self, **changes: Any) -> Protocol:
        """A copy with some fields changed (validated).

        Example:
            >>> get_protocol("styleganv").replace(num_frames=128, stride=8).span
            1017
        """
        unknown = set(changes) - {f.name for f in dataclasses.fields(self)}
        if unknown:
            raise TypeError(f"unknown protocol fields {sorted(unknown)}")
        return dataclasses.replace(self, **changes)

    # ---------------------------------------------------------------- frames
    def frame_indices(
        self, num_frames: int, *, index: int = 0, key: int | None = None
    ) -> np.ndarray:
        """Indices of the frames taken from a video of ``num_frames``.

        ``index`` names the video in errors; ``key`` (default ``index``) seeds its random offset.

        Example:
            >>> get_protocol("styleganv").frame_indices(20).tolist()[:3]
            [0, 1, 2]
        """
        need = self.span
        if self.offset == "random":
            room = num_frames - need
            if room < 0:
                raise ValueError(
                    f"video {index} has {num_frames} frames; protocol {self.name!r} needs at least "
                    f"{need} (num_frames={self.num_frames}, stride={self.stride})"
                )
            rng = np.random.default_rng([int(self.seed), int(index if key is None else key)])
            start = int(rng.integers(0, room + 1))
        else:
            start = int(self.offset)
            if start + need > num_frames:
                raise ValueError(
                    f"video {index} has {num_frames} frames; protocol {self.name!r} needs "
                    f"{start + need} (offset={start} + stride={self.stride} x "
                    f"(num_frames={self.num_frames} - 1) + 1); use a shorter clip, e.g. "
                    "FVD(..., num_frames=...), and report it"
                )
        return start + self.stride * np.arange(self.num_frames)

    # ---------------------------------------------------------------- pixels
    def _squash(self, x: torch.Tensor) -> torch.Tensor:
        """[T, 3, H, W] float (0..255) -> [T, 3, R, R]."""
        r = int(self.resolution)
        h, w = x.shape[-2:]
        if (h, w) == (r, r):
            return x
        if self.interpolation == "bilinear-tf1":
            mh = tf1_resize_matrix(h, r).to(x.dtype)
            mw = tf1_resize_matrix(w, r).to(x.dtype)
            return torch.matmul(torch.matmul(mh, x), mw.T)
        return F.interpolate(
            x, size=(r, r), mode="bilinear", align_corners=False, antialias=self.antialias
        )

    def _short_side_crop(self, x: torch.Tensor) -> torch.Tensor:
        """cd-fvd loader: [T, 3, H, W] 0..255 -> short side ``crop_size`` -> centre crop -> floor."""
        size = int(self.crop_size)  # type: ignore[arg-type]
        h, w = x.shape[-2:]
        scale = size / min(h, w)
        target = (size, math.ceil(w * scale)) if h < w else (math.ceil(h * scale), size)
        y = F.interpolate(
            x / 255.0, size=target, mode="bilinear", align_corners=False, antialias=True
        )
        top, left = (y.shape[-2] - size) // 2, (y.shape[-1] - size) // 2
        y = y[..., top : top + size, left : left + size]
        return (y * 255).to(torch.uint8).float()  # truncation toward zero, as `.byte()`

    def prepare_video(self, video: Video, index: int = 0, key: int | None = None) -> torch.Tensor:
        """One video -> float32 ``[num_frames, 3, R, R]`` in ``[0, 1]`` (extractor input).

        Example:
            >>> v = Video(np.zeros((16, 32, 48, 3), np.float32))
            >>> get_protocol("styleganv").prepare_video(v).shape
            torch.Size([16, 3, 224, 224])
        """
        if not isinstance(video, Video):
            raise TypeError(f"video {index} is {type(video).__name__}, expected a vk.Video")
        idx = self.frame_indices(video.num_frames, index=index, key=key)
        frames = video.frames[idx]
        if self.quantize == "round":
            arr = np.round(frames * np.float32(255.0)).astype(np.uint8)
            x = torch.from_numpy(arr).permute(0, 3, 1, 2).float()
        else:
            x = torch.from_numpy(frames * np.float32(255.0)).permute(0, 3, 1, 2)
        if self.resize == "short-side-crop":
            x = self._short_side_crop(x)
        x = self._squash(x)
        return (x / 255.0).clamp_(0.0, 1.0).float()

    def prepare(
        self, videos: Sequence[Video], start_index: int = 0, key_start: int | None = None
    ) -> torch.Tensor:
        """Videos -> float32 ``[B, num_frames, 3, R, R]`` in ``[0, 1]``.

        Video indices in errors start at ``start_index``; random offsets are keyed by
        ``key_start + i`` (default: the same as the index).

        Example:
            >>> import numpy as np, vidkit as vk
            >>> v = vk.Video(np.random.rand(20, 32, 48, 3))
            >>> get_protocol("tf").prepare([v, v]).shape
            torch.Size([2, 16, 3, 224, 224])
        """
        k0 = start_index if key_start is None else key_start
        return torch.stack(
            [self.prepare_video(v, start_index + i, key=k0 + i) for i, v in enumerate(videos)]
        )


PRESETS: dict[str, Protocol] = {
    "styleganv": Protocol(
        "styleganv",
        cov_ddof=0,
        fd_method="cholesky",
        reference="universome/stylegan-v@3fecd69 src/metrics/frechet_video_distance.py "
        "(fvd2048_16f)",
        notes="StyleGAN-V samples real clips at a random offset: replace(offset='random')",
    ),
    "tf": Protocol(
        "tf",
        interpolation="bilinear-tf1",
        cov_ddof=1,
        fd_method="eigh",
        bn_eps=1e-3,
        reference="google-research/google-research frechet_video_distance/"
        "frechet_video_distance.py",
        notes="TF-Hub i3d-kinetics-400 graph approximated by the converted weights with eps 1e-3",
    ),
    "cdfvd": Protocol(
        "cdfvd",
        resize="short-side-crop",
        crop_size=256,
        cov_ddof=0,
        fd_method="cholesky",
        reference="PyPI cd-fvd 0.1.1 (cdfvd/utils/data_utils.py, cdfvd/third_party/i3d/utils.py)",
        notes="the loader path (video files); cd-fvd's compute_fvd(numpy) skips the crop: "
        "use the styleganv preset for that",
    ),
}


def get_protocol(preset: str | Protocol = "styleganv", **overrides: Any) -> Protocol:
    """A preset by name (or a Protocol), with fields overridden (``num_frames``, ``stride``...).

    Example:
        >>> get_protocol("tf", offset="random").offset
        'random'
    """
    if isinstance(preset, Protocol):
        base = preset
    elif isinstance(preset, str) and preset.lower() in PRESETS:
        base = PRESETS[preset.lower()]
    else:
        raise ValueError(f"unknown FVD preset {preset!r}; expected one of {sorted(PRESETS)}")
    overrides = {k: v for k, v in overrides.items() if v is not None}
    return base.replace(**overrides) if overrides else base


def protocol_table() -> str:
    """The presets as a Markdown table (the one in ``docs/metrics.md``).

    Example:
        >>> print(protocol_table().splitlines()[0])  # doctest: +ELLIPSIS
        | preset | frames ...
    """
    head = (
        "| preset | frames (count, stride, offset) | resize | quantize | range | features | "
        "covariance | Fréchet | I3D BN eps |"
    )
    rows = [head, "|" + "---|" * 9]
    for p in PRESETS.values():
        rows.append(
            f"| `{p.name}` | {p.num_frames}, {p.stride}, {p.offset} | {p.resize_description()} | "
            f"{'uint8 round' if p.quantize == 'round' else 'none'} | [-1, 1] | "
            f"{'400 logits' if p.features == 'logits' else '1024 pool'}, time mean | "
            f"{'/N' if p.cov_ddof == 0 else '/(N-1)'} | {p.fd_method} | {p.bn_eps:g} |"
        )
    return "\n".join(rows)


@dataclass(frozen=True)
class Score:
    """A metric value that carries its provenance; behaves like a float.

    Attributes:
        value: the number.
        metric: ``"fvd"``, ``"kvd"``...
        provenance: preset, N per side, frames, resolution, extractor + weight hash, covariance
            divisor, FD method, vidkit version...
        ci: ``(low, high)`` confidence interval, if computed; ``std``: its standard error.

    Example:
        >>> s = Score(123.456, "fvd", {"preset": "styleganv", "n_real": 2048, "n_fake": 2048})
        >>> float(s), f"{s:.1f}", s < 200
        (123.456, '123.5', True)
    """

    value: float
    metric: str
    provenance: dict[str, Any] = field(default_factory=dict)
    ci: tuple[float, float] | None = None
    std: float | None = None

    def __float__(self) -> float:
        return float(self.value)

    def __format__(self, spec: str) -> str:
        return format(float(self.value), spec) if spec else repr(self)

    def __round__(self, ndigits: int | None = None) -> float:
        return round(float(self.value), ndigits)

    def _cmp(self, other: Any) -> float:
        return float(other)

    def __lt__(self, other: Any) -> bool:
        return self.value < self._cmp(other)

    def __le__(self, other: Any) -> bool:
        return self.value <= self._cmp(other)

    def __gt__(self, other: Any) -> bool:
        return self.value > self._cmp(other)

    def __ge__(self, other: Any) -> bool:
        return self.value >= self._cmp(other)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (for JSON / a results table)."""
        return {
            "metric": self.metric,
            "value": float(self.value),
            "ci": list(self.ci) if self.ci else None,
            "std": self.std,
            **{f"provenance.{k}": v for k, v in self.provenance.items()},
        }

    def __repr__(self) -> str:
        p = self.provenance
        bits = [str(p.get("preset", "?"))]
        if "n_real" in p:
            bits.append(f"N={p.get('n_real')}/{p.get('n_fake')}")
        if "frames" in p:
            bits.append(f"{p['frames']}f")
        if p.get("extractor"):
            bits.append(f"{p['extractor']}:{p.get('weight_hash')}")
        ci = f" [{self.ci[0]:.4g}, {self.ci[1]:.4g}]" if self.ci else ""
        std = f" ± {self.std:.3g}" if self.std is not None and not self.ci else ""
        return f"{self.metric.upper()} {self.value:.4g}{ci}{std} ({', '.join(bits)})"
