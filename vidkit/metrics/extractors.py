"""Feature extractors: a batch of videos in, a float64 feature matrix ``[N, dim]`` out.

Every distribution metric in vidkit (FVD, KVD, the content-debiased variants, the synthetic-scene
distance) is "embed the videos, compare the embeddings". The embedding is a
:class:`FeatureExtractor`; this module states its contract once:

- ``extractor(videos)`` takes a list of :class:`vidkit.Video` or one batched tensor in the vidkit
  batch convention ``[B, T, 3, H, W]`` (float in ``[0, 1]`` or uint8 ``0..255``) and returns a
  float64 numpy array ``[N, dim]``; NaN or inf features raise a ``ValueError`` naming the video.
- ``name``, ``dim``, ``weight_hash`` (sha256 of the weights, first 16 hex digits, or a
  ``"random-init ..."`` tag) and ``preprocess`` (a dict saying what is done to the input: resize,
  value range, frames) travel into every score's provenance.
- A subclass implements one method, :meth:`FeatureExtractor.extract`, which receives a float32
  tensor ``[b, T, 3, H, W]`` in ``[0, 1]`` on ``extractor.device`` and returns ``[b, dim]``.

Any ``torch.nn.Module`` or callable becomes an extractor with :func:`as_extractor`; the names
``"i3d"``, ``"videomae"`` and ``"synth"`` resolve with :func:`get_extractor`.

Example:
    >>> import torch, vidkit as vk
    >>> from vidkit.metrics.extractors import as_extractor
    >>> ext = as_extractor(lambda x: x.mean(dim=(2, 3, 4)), name="mean-rgb", dim=3,
    ...                    layout="BCTHW", value_range=(0, 1))
    >>> ext(torch.rand(4, 8, 3, 16, 16)).shape
    (4, 3)
"""

from __future__ import annotations

import abc
import hashlib
import importlib
import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import torch

from vidkit.video import Video, describe_array

__all__ = [
    "FeatureExtractor",
    "CallableExtractor",
    "as_extractor",
    "get_extractor",
    "videos_to_batch",
    "hash_file",
    "hash_state_dict",
    "EXTRACTORS",
]

# extractor name -> "module:ClassName" (imported on first use, so optional heavy deps stay lazy)
EXTRACTORS: dict[str, str] = {
    "i3d": "vidkit.metrics.i3d:I3D",
    "videomae": "vidkit.metrics.videomae:VideoMAE",
    "synth": "vidkit.metrics.synth_encoder:SynthEncoder",
    "clip": "vidkit.metrics.clip:CLIPFeatures",
}

_BATCH_LAYOUTS = ("BTCHW", "BCTHW", "BTHWC")


def hash_file(path: str | os.PathLike[str], length: int = 16) -> str:
    """sha256 of a file's bytes, as ``length`` hex digits (64 for the full digest).

    Example:
        >>> import tempfile
        >>> path = tempfile.mkdtemp() + "/weights.bin"
        >>> _ = open(path, "wb").write(b"vidkit")
        >>> hash_file(path, 16), len(hash_file(path, 64))
        ('99611cc288596003', 64)
    """
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()[:length]


def hash_state_dict(state: Mapping[str, Any] | torch.nn.Module, length: int = 16) -> str:
    """sha256 over a state dict's names, shapes, dtypes and values (independent of file format).

    Two modules with the same weights give the same hash whether they were loaded from a ``.pt``
    file, a safetensors file or built in code.

    Example:
        >>> torch.manual_seed(0) is not None
        True
        >>> a, b = torch.nn.Linear(2, 2), torch.nn.Linear(2, 2)
        >>> hash_state_dict(a) == hash_state_dict(a.state_dict()), hash_state_dict(a) == hash_state_dict(b)
        (True, False)
    """
    if isinstance(state, torch.nn.Module):
        state = state.state_dict()
    h = hashlib.sha256()
    for key in sorted(state):
        value = state[key]
        if not isinstance(value, torch.Tensor):
            h.update(f"{key}={value!r};".encode())
            continue
        t = value.detach().to("cpu").contiguous()
        h.update(f"{key}:{tuple(t.shape)}:{t.dtype};".encode())
        if t.dtype == torch.bfloat16:
            t = t.view(torch.int16)
        h.update(t.numpy().tobytes())
    return h.hexdigest()[:length]


def videos_to_batch(
    videos: Sequence[Video] | torch.Tensor | np.ndarray,
    *,
    layout: str = "BTCHW",
) -> torch.Tensor:
    """Videos -> one float32 tensor ``[B, T, 3, H, W]`` in ``[0, 1]`` (the extractor input form).

    Accepts a list of same-shaped :class:`Video`, or a tensor/array batch in ``layout``
    (``BTCHW``, ``BCTHW`` or ``BTHWC``) that is uint8 (0..255) or float in ``[0, 1]``.

    Example:
        >>> videos_to_batch(torch.zeros(2, 3, 4, 8, 8), layout="BCTHW").shape
        torch.Size([2, 4, 3, 8, 8])
    """
    if isinstance(videos, np.ndarray):
        videos = torch.from_numpy(videos)
    if isinstance(videos, torch.Tensor):
        lay = layout.upper() if isinstance(layout, str) else layout
        if lay not in _BATCH_LAYOUTS:
            raise ValueError(f"layout must be one of {list(_BATCH_LAYOUTS)}, got {layout!r}")
        t = videos
        if t.ndim != 5:
            raise ValueError(
                f"a batch of videos must have 5 dimensions ({lay}), got {describe_array(t)}; "
                "for one video add a batch axis"
            )
        if lay == "BCTHW":
            t = t.permute(0, 2, 1, 3, 4)
        elif lay == "BTHWC":
            t = t.permute(0, 1, 4, 2, 3)
        if t.shape[2] != 3:
            raise ValueError(
                f"expected 3 colour channels in layout {lay}, got a batch {describe_array(videos)}"
            )
        if t.dtype == torch.uint8:
            return t.float().div_(255.0)
        if not t.is_floating_point():
            raise TypeError(
                f"batch dtype {t.dtype} is ambiguous; give uint8 (0..255) or float in [0, 1]"
            )
        t = t.float()
        if t.numel():
            lo, hi = float(t.min()), float(t.max())
            if not (np.isfinite(lo) and np.isfinite(hi)):
                raise ValueError("the video batch contains NaN or inf values")
            if lo < -1e-3 or hi > 1 + 1e-3:
                raise ValueError(
                    f"float video batches must be in [0, 1] (the vidkit convention), got values in "
                    f"[{lo:.4g}, {hi:.4g}]; convert with vk.unstack(batch, layout, value_range=...)"
                )
        return t.clamp(0.0, 1.0)
    if isinstance(videos, Video):
        videos = [videos]
    if not isinstance(videos, Sequence) or isinstance(videos, (str, bytes)):
        raise TypeError(
            f"expected a list of vk.Video or a batched tensor [B, T, 3, H, W], got {describe_array(videos)}"
        )
    videos = list(videos)
    if not videos:
        raise ValueError("no videos given")
    for i, v in enumerate(videos):
        if not isinstance(v, Video):
            raise TypeError(
                f"item {i} is {describe_array(v)}, expected a vk.Video (convert with vk.as_video)"
            )
        if v.shape != videos[0].shape:
            raise ValueError(
                f"video {i} has shape {v.shape} but video 0 has {videos[0].shape}; resample/resize "
                "them to one shape first (an FVD protocol does this: vk.metrics.get_protocol)"
            )
    arr = np.stack([v.frames for v in videos])  # [B, T, H, W, 3]
    return torch.from_numpy(arr).permute(0, 1, 4, 2, 3)


class FeatureExtractor(abc.ABC):
    """A video embedding: videos in, float64 features ``[N, dim]`` out.

    Subclasses set ``name``, ``dim``, ``weight_hash``, ``preprocess`` and implement
    :meth:`extract`. The base class does the rest: input conversion, batching with a progress bar,
    ``torch.inference_mode``, the float64 cast, and the NaN/inf check that names the video.

    Example:
        >>> class MeanRGB(FeatureExtractor):
        ...     name, dim, weight_hash = "mean-rgb", 3, None
        ...     preprocess = {"range": "[0, 1]"}
        ...     def extract(self, batch):
        ...         return batch.mean(dim=(1, 3, 4))
        >>> MeanRGB()(torch.rand(2, 4, 3, 8, 8)).shape
        (2, 3)
    """

    name: str = "extractor"
    dim: int = 0
    weight_hash: str | None = None
    preprocess: dict[str, Any] = {}
    default_batch_size: int = 8

    @property
    def device(self) -> torch.device:
        """Where :meth:`extract` wants its input (the device of the model's first parameter)."""
        module = getattr(self, "model", None)
        if isinstance(module, torch.nn.Module):
            for p in module.parameters():
                return p.device
        return torch.device("cpu")

    @abc.abstractmethod
    def extract(self, batch: torch.Tensor) -> torch.Tensor | np.ndarray:
        """Features of one batch: float32 ``[b, T, 3, H, W]`` in ``[0, 1]`` -> ``[b, dim]``."""

    def __call__(
        self,
        videos: Sequence[Video] | torch.Tensor | np.ndarray,
        batch_size: int | None = None,
        *,
        layout: str = "BTCHW",
        progress: bool = False,
        index_offset: int = 0,
    ) -> np.ndarray:
        """Embed ``videos`` (a list of Video, or a batch tensor in ``layout``) -> float64 ``[N, dim]``.

        ``index_offset`` is added to video indices in error messages (for callers that feed
        chunks of a larger set).

        Example:
            >>> import numpy as np, vidkit as vk
            >>> extractor = as_extractor(lambda x: x.mean(dim=(1, 3, 4)), name="mean-rgb", dim=3,
            ...                          layout="BTCHW", value_range=(0.0, 1.0))
            >>> videos = [vk.Video(np.full((4, 8, 8, 3), 0.5)) for _ in range(5)]
            >>> feats = extractor(videos, batch_size=4)
            >>> feats.shape, feats.dtype, float(feats[0, 0])
            ((5, 3), dtype('float64'), 0.5)
        """
        bs = self.default_batch_size if batch_size is None else int(batch_size)
        if bs < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        if isinstance(videos, (torch.Tensor, np.ndarray)):
            n = int(videos.shape[0]) if getattr(videos, "ndim", 0) >= 1 else 0

            def get(a: int, b: int) -> torch.Tensor:
                return videos_to_batch(videos[a:b], layout=layout)

        else:
            if isinstance(videos, Video):
                videos = [videos]
            if not isinstance(videos, Sequence) or isinstance(videos, (str, bytes)):
                raise TypeError(
                    "expected a list of vk.Video or a batched tensor [B, T, 3, H, W], got "
                    f"{describe_array(videos)}"
                )
            videos = list(videos)
            n = len(videos)

            def get(a: int, b: int) -> torch.Tensor:
                return videos_to_batch(videos[a:b])

        if n == 0:
            raise ValueError(f"{self.name}: no videos given")
        out: list[np.ndarray] = []
        starts = range(0, n, bs)
        if progress:
            from tqdm.auto import tqdm

            starts = tqdm(starts, desc=f"{self.name} features", unit="batch")
        device = self.device
        for a in starts:
            b = min(n, a + bs)
            batch = get(a, b).to(device)
            with torch.inference_mode():
                feats = self.extract(batch)
            out.append(self._check_features(feats, index_offset + a, b - a))
        return np.concatenate(out, axis=0)

    def _check_features(self, feats: Any, start: int, count: int) -> np.ndarray:
        if isinstance(feats, torch.Tensor):
            feats = feats.detach().to("cpu", torch.float64).numpy()
        arr = np.asarray(feats, dtype=np.float64)
        if arr.ndim != 2 or arr.shape[0] != count:
            raise ValueError(
                f"{self.name}.extract returned features of shape {arr.shape} for {count} videos; "
                f"expected [{count}, dim]"
            )
        if self.dim and arr.shape[1] != self.dim:
            raise ValueError(
                f"{self.name}.extract returned {arr.shape[1]}-d features, but dim is {self.dim}"
            )
        finite = np.isfinite(arr).all(axis=1)
        if not finite.all():
            bad = start + int(np.argmin(finite))
            raise ValueError(
                f"{self.name} produced NaN or inf features for video {bad} (index in the input); "
                "check that video's frames and the extractor's weights"
            )
        return arr

    def provenance(self) -> dict[str, Any]:
        """What a score must record about this extractor.

        Example:
            >>> from vidkit.metrics import SynthEncoder
            >>> sorted(SynthEncoder().provenance())
            ['comparable_with', 'dim', 'extractor', 'preprocess', 'weight_hash', 'weights']
        """
        return {
            "extractor": self.name,
            "dim": int(self.dim),
            "weight_hash": self.weight_hash,
            "preprocess": dict(self.preprocess),
        }

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(name={self.name!r}, dim={self.dim}, weights={self.weight_hash})"
        )


class CallableExtractor(FeatureExtractor):
    """A ``torch.nn.Module`` or any callable wrapped as a :class:`FeatureExtractor`.

    The callable receives one tensor in ``layout`` (``BCTHW``, ``BTCHW`` or ``BTHWC``) with values
    mapped linearly to ``value_range`` and returns ``[b, dim]`` (extra trailing axes are flattened).
    No resizing happens here: the FVD protocol has already selected frames and resized.

    Example:
        >>> net = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.LazyLinear(8))
        >>> ext = CallableExtractor(net, name="tiny", layout="BTCHW")
        >>> ext(torch.rand(2, 4, 3, 8, 8)).shape
        (2, 8)
    """

    def __init__(
        self,
        fn: Callable[[torch.Tensor], Any],
        *,
        name: str | None = None,
        dim: int | None = None,
        layout: str = "BCTHW",
        value_range: tuple[float, float] = (-1.0, 1.0),
        batch_size: int = 8,
    ) -> None:
        if not callable(fn):
            raise TypeError(
                f"as_extractor needs an nn.Module or a callable, got {describe_array(fn)}"
            )
        lay = layout.upper() if isinstance(layout, str) else layout
        if lay not in _BATCH_LAYOUTS:
            raise ValueError(f"layout must be one of {list(_BATCH_LAYOUTS)}, got {layout!r}")
        try:
            lo, hi = float(value_range[0]), float(value_range[1])
        except (TypeError, IndexError, ValueError):
            raise ValueError(
                f"value_range must be a pair (low, high), got {value_range!r}"
            ) from None
        if not hi > lo:
            raise ValueError(f"value_range must have low < high, got {value_range!r}")
        if dim is not None and int(dim) < 1:
            raise ValueError(f"dim must be a positive integer, got {dim!r}")
        self.fn = fn
        self.model = fn if isinstance(fn, torch.nn.Module) else None
        if self.model is not None:
            self.model.eval()
        self.name = name or getattr(fn, "__name__", None) or type(fn).__name__
        self.dim = int(dim) if dim is not None else 0
        self.layout = lay
        self.value_range = (lo, hi)
        self.default_batch_size = int(batch_size)
        self.preprocess = {
            "layout": lay,
            "value_range": [lo, hi],
            "resize": "none (done by the protocol)",
        }

    @property  # type: ignore[override]
    def weight_hash(self) -> str | None:
        """sha256 of the module's current state dict (``None`` for a plain callable, or a lazy
        module not initialised yet)."""
        if self.model is None:
            return None
        params = list(self.model.parameters())
        if any(isinstance(p, torch.nn.parameter.UninitializedParameter) for p in params):
            return None
        return hash_state_dict(self.model)

    def extract(self, batch: torch.Tensor) -> torch.Tensor:
        x = batch
        lo, hi = self.value_range
        if (lo, hi) != (0.0, 1.0):
            x = x * (hi - lo) + lo
        if self.layout == "BCTHW":
            x = x.permute(0, 2, 1, 3, 4)
        elif self.layout == "BTHWC":
            x = x.permute(0, 1, 3, 4, 2)
        out = self.fn(x.contiguous())
        if isinstance(out, (tuple, list)):
            out = out[0]
        if not isinstance(out, torch.Tensor):
            out = torch.as_tensor(np.asarray(out))
        out = out.reshape(out.shape[0], -1)
        if not self.dim:
            self.dim = int(out.shape[1])
        return out


def as_extractor(
    obj: Any,
    *,
    name: str | None = None,
    dim: int | None = None,
    layout: str = "BCTHW",
    value_range: tuple[float, float] = (-1.0, 1.0),
) -> FeatureExtractor:
    """Make a :class:`FeatureExtractor` from an extractor, a name, an ``nn.Module`` or a callable.

    - a :class:`FeatureExtractor` is returned unchanged;
    - a string (``"i3d"``, ``"videomae"``, ``"synth"``) goes to :func:`get_extractor`;
    - a module or callable is wrapped: it receives a tensor in ``layout`` with values in
      ``value_range`` and must return ``[b, dim]`` features.

    Example:
        >>> ext = as_extractor(lambda x: x.flatten(1)[:, :5], name="first5")
        >>> ext(torch.rand(2, 2, 3, 4, 4)).shape
        (2, 5)
    """
    if isinstance(obj, FeatureExtractor):
        return obj
    if isinstance(obj, str):
        return get_extractor(obj)
    if not callable(obj):
        raise TypeError(
            f"cannot make a feature extractor from {describe_array(obj)}; expected a FeatureExtractor, "
            f"one of the names {sorted(EXTRACTORS)}, an nn.Module or a callable"
        )
    return CallableExtractor(obj, name=name, dim=dim, layout=layout, value_range=value_range)


def get_extractor(name: str, **kwargs: Any) -> FeatureExtractor:
    """The extractor registered under ``name`` (``"i3d"``, ``"videomae"``, ``"synth"``).

    Keyword arguments go to the extractor's constructor (e.g. ``weights=`` for I3D).

    Example:
        >>> i3d = get_extractor("i3d", weights="i3d_pretrained_400.pt")  # doctest: +SKIP
    """
    if not isinstance(name, str) or name.lower() not in EXTRACTORS:
        raise ValueError(f"unknown extractor {name!r}; expected one of {sorted(EXTRACTORS)}")
    mod_name, cls_name = EXTRACTORS[name.lower()].split(":")
    cls = getattr(importlib.import_module(mod_name), cls_name)
    return cls(**kwargs)
