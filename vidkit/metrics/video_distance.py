"""FVD and KVD as accumulating metric objects, and one-call functions.

A metric object owns a protocol (frames, resize, covariance divisor, FD method: see
:mod:`vidkit.metrics.protocols`), a feature extractor (I3D by default) and two streaming states
(real and fake :class:`~vidkit.metrics.gaussian_stats.GaussianStats`). ``update`` embeds a batch,
``compute`` returns a :class:`~vidkit.metrics.protocols.Score` with full provenance, ``reset``
clears, ``save_real_stats``/``load_real_stats`` cache the reference set, and states all-reduce
across ``torch.distributed`` processes (accelerate included) inside ``compute``.

Memory: FVD keeps ``O(d^2)`` per side (400-d: 1.3 MB) whatever N is. KVD (and FVD bootstrap CIs)
must keep the feature rows: ``N x d`` float64 per side (2048 x 400: 6.5 MB; 100k: 320 MB).

Example:
    >>> import vidkit as vk
    >>> fvd = vk.metrics.FVD(extractor="i3d", weights="i3d_pretrained_400.pt")  # doctest: +SKIP
    >>> fvd.update(real_videos, real=True)                                      # doctest: +SKIP
    >>> fvd.update(fake_videos, real=False)                                     # doctest: +SKIP
    >>> score = fvd.compute(); float(score), score.provenance["preset"]        # doctest: +SKIP
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from vidkit.metrics.extractors import FeatureExtractor, as_extractor
from vidkit.metrics.frechet import (
    SampleSizeWarning,
    SingularCovarianceWarning,
    frechet_distance,
    kernel_distance,
)
from vidkit.metrics.gaussian_stats import GaussianStats, distributed_ready
from vidkit.metrics.intervals import distance_interval
from vidkit.metrics.protocols import Protocol, Score, get_protocol
from vidkit.video import Video, describe_array, unstack

__all__ = ["FVD", "KVD", "fvd", "kvd"]


def _vidkit_version() -> str:
    import vidkit

    return str(getattr(vidkit, "__version__", "unknown"))


def _as_video_list(
    videos: Any, *, layout: str = "BTCHW", value_range: tuple[float, float] | None = None
) -> list[Video]:
    """A list of Video from a list/tuple of Video, one Video, or a batch tensor/array."""
    if isinstance(videos, Video):
        return [videos]
    if isinstance(videos, (torch.Tensor, np.ndarray)):
        return unstack(videos, layout=layout, value_range=value_range)
    if isinstance(videos, Sequence) and not isinstance(videos, (str, bytes)):
        out = list(videos)
        for i, v in enumerate(out):
            if not isinstance(v, Video):
                raise TypeError(
                    f"item {i} is {describe_array(v)}, expected a vk.Video; convert with vk.as_video "
                    "(stating layout and value_range), or pass one batch tensor with layout="
                )
        return out
    raise TypeError(
        f"expected a list of vk.Video or a batched tensor [B, T, C, H, W], got {describe_array(videos)}"
    )


class _DistributionMetric:
    """Shared machinery of FVD and KVD: protocol, extractor, real/fake states."""

    metric = "distance"
    _keep_features = False

    def __init__(
        self,
        extractor: str | FeatureExtractor | Any = "i3d",
        *,
        weights: Any = "i3d_pretrained_400.pt",
        preset: str | Protocol = "styleganv",
        num_frames: int | None = None,
        stride: int | None = None,
        offset: int | str | None = None,
        resolution: int | None = None,
        batch_size: int = 8,
        device: str | torch.device = "cpu",
        keep_features: bool = False,
        progress: bool = True,
    ) -> None:
        self.protocol = get_protocol(
            preset, num_frames=num_frames, stride=stride, offset=offset, resolution=resolution
        )
        if isinstance(extractor, str) and extractor.lower() == "i3d":
            from vidkit.metrics.i3d import I3D

            self.extractor: FeatureExtractor = I3D(
                weights=weights,
                features=self.protocol.features,
                bn_eps=self.protocol.bn_eps,
                device=device,
                batch_size=batch_size,
            )
        elif isinstance(extractor, str):
            from vidkit.metrics.extractors import get_extractor

            self.extractor = get_extractor(extractor)
        else:
            self.extractor = as_extractor(extractor)
        if int(batch_size) < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        self.batch_size = int(batch_size)
        self.progress = bool(progress)
        keep = bool(keep_features) or self._keep_features
        self.real_stats = GaussianStats(keep_features=keep)
        self.fake_stats = GaussianStats(keep_features=keep)

    # ---------------------------------------------------------------- accumulate
    def _stats(self, real: bool) -> GaussianStats:
        if not isinstance(real, bool):
            raise TypeError(f"real must be True or False, got {real!r}")
        return self.real_stats if real else self.fake_stats

    def features(
        self,
        videos: Any,
        *,
        layout: str = "BTCHW",
        value_range: tuple[float, float] | None = None,
        key_start: int = 0,
    ) -> np.ndarray:
        """Protocol-prepared features of ``videos`` (float64 ``[N, dim]``), without accumulating.

        Errors name videos by their index in ``videos``; ``key_start`` offsets the keys of random
        frame offsets (``update`` passes the number of videos already seen on that side, so
        consecutive calls draw fresh offsets).

        Example:
            >>> import vidkit as vk
            >>> metric = vk.metrics.FVD(extractor=lambda x: x.mean(dim=(3, 4)).flatten(1),
            ...                         num_frames=4, resolution=16, progress=False)
            >>> feats = metric.features([vk.synth.render("bounce", seed=s).video for s in range(3)])
            >>> feats.shape  # 3 channels x 4 frames
            (3, 12)
        """
        vids = _as_video_list(videos, layout=layout, value_range=value_range)
        if not vids:
            raise ValueError("no videos given")
        out = []
        starts: Any = range(0, len(vids), self.batch_size)
        if self.progress and len(vids) > self.batch_size:
            from tqdm.auto import tqdm

            starts = tqdm(starts, desc=f"{self.metric.upper()} features", unit="batch")
        for a in starts:
            chunk = vids[a : a + self.batch_size]
            batch = self.protocol.prepare(chunk, start_index=a, key_start=key_start + a)
            out.append(self.extractor(batch, batch_size=len(chunk), index_offset=a))
        return np.concatenate(out, axis=0)

    def update(
        self,
        videos: Any,
        real: bool,
        *,
        layout: str = "BTCHW",
        value_range: tuple[float, float] | None = None,
    ) -> _DistributionMetric:
        """Embed ``videos`` and add them to the real (``real=True``) or fake statistics.

        ``videos``: a list of :class:`vidkit.Video` (any sizes and lengths: the protocol selects
        frames and resizes), or one batch tensor/array in ``layout`` (uint8 or float in
        ``value_range``, default ``(0, 1)``). Errors name videos by their index in ``videos``.
        Returns self.

        Example:
            >>> import torch, vidkit as vk
            >>> fvd = vk.metrics.FVD(extractor=lambda x: x.mean(dim=(3, 4)).flatten(1),
            ...                      num_frames=4, resolution=16, progress=False)
            >>> batch = torch.rand(2, 3, 6, 16, 16) * 2 - 1  # a model's output, BCTHW in [-1, 1]
            >>> fvd.update(vk.unstack(batch, "BCTHW", value_range=(-1, 1)), real=False) is fvd
            True
        """
        stats = self._stats(real)
        stats.update(
            self.features(videos, layout=layout, value_range=value_range, key_start=stats.count)
        )
        return self

    def update_features(self, features: Any, real: bool) -> _DistributionMetric:
        """Add precomputed feature rows ``[n, dim]`` (made with the same protocol and extractor)."""
        self._stats(real).update(features)
        return self

    def reset(self, *, real: bool = True, fake: bool = True) -> _DistributionMetric:
        """Clear the fake (and by default the real) statistics."""
        if real:
            self.real_stats.reset()
        if fake:
            self.fake_stats.reset()
        return self

    # ---------------------------------------------------------------- cache
    def _stats_meta(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "protocol": self.protocol.provenance(),
            "extractor": self.extractor.name,
            "weight_hash": self.extractor.weight_hash,
            "vidkit_version": _vidkit_version(),
        }

    def save_real_stats(self, path: str | os.PathLike[str]) -> Path:
        """Save the real statistics (with protocol and extractor provenance) to ``path.npz``.

        Under ``torch.distributed`` the statistics of all processes are saved, by rank 0.

        Example:
            >>> import tempfile, torch, vidkit as vk
            >>> make = lambda: vk.metrics.FVD(extractor=lambda x: x.mean(dim=(3, 4)).flatten(1),
            ...                               num_frames=4, resolution=16, progress=False)
            >>> real = [vk.Video(torch.rand(6, 16, 16, 3).numpy()) for _ in range(4)]
            >>> path = make().update(real, real=True).save_real_stats(tempfile.mkdtemp() + "/real.npz")
            >>> path.name
            'real.npz'
        """
        stats = self._synced()[0]  # under torch.distributed: the statistics of all processes
        stats.meta = self._stats_meta()
        if distributed_ready():
            import torch.distributed as dist

            if dist.get_rank() != 0:  # one writer
                p = Path(path)
                return p if p.suffix == ".npz" else p.with_name(p.name + ".npz")
        return stats.save(path)

    def load_real_stats(
        self, path: str | os.PathLike[str], *, strict: bool = True
    ) -> _DistributionMetric:
        """Load cached real statistics; with ``strict`` they must come from the same protocol and
        extractor weights (otherwise the score would silently mix protocols).

        Example:
            >>> import tempfile, torch, vidkit as vk
            >>> make = lambda: vk.metrics.FVD(extractor=lambda x: x.mean(dim=(3, 4)).flatten(1),
            ...                               num_frames=4, resolution=16, progress=False)
            >>> real = [vk.Video(torch.rand(6, 16, 16, 3).numpy()) for _ in range(4)]
            >>> path = make().update(real, real=True).save_real_stats(tempfile.mkdtemp() + "/real.npz")
            >>> fvd = make().load_real_stats(path)  # the real side is not embedded again
            >>> fake = [vk.Video(torch.rand(6, 16, 16, 3).numpy()) for _ in range(4)]
            >>> score = fvd.update(fake, real=False).compute(warn=False)
            >>> score.provenance["n_real"], float(score) >= 0
            (4, True)
        """
        stats = GaussianStats.load(path)
        mine = self._stats_meta()
        theirs = stats.meta
        if strict:
            for key in ("protocol", "extractor", "weight_hash"):
                if key in theirs and theirs[key] != mine[key]:
                    raise ValueError(
                        f"{path}: cached statistics were made with {key}={theirs[key]!r}, this "
                        f"metric uses {mine[key]!r}; recompute them or pass strict=False"
                    )
        if self._keep_features and not stats.keep_features:
            raise ValueError(f"{path} has no feature rows; {self.metric.upper()} needs them")
        stats.keep_features = self.real_stats.keep_features and stats.keep_features
        self.real_stats = stats
        return self

    # ---------------------------------------------------------------- compute
    def _synced(self) -> tuple[GaussianStats, GaussianStats]:
        if distributed_ready():
            return self.real_stats.copy().sync(), self.fake_stats.copy().sync()
        return self.real_stats, self.fake_stats

    def _provenance(self, real: GaussianStats, fake: GaussianStats) -> dict[str, Any]:
        world = 1
        if distributed_ready():
            import torch.distributed as dist

            world = dist.get_world_size()
        prov = {
            "metric": self.metric,
            **self.protocol.provenance(),
            "n_real": int(real.count),
            "n_fake": int(fake.count),
            **{k: v for k, v in self.extractor.provenance().items() if k != "dim"},
            "feature_dim": int(real.dim or 0),
            "processes": world,
            "vidkit_version": _vidkit_version(),
        }
        # the I3D settings that actually ran (an I3D instance passed in may differ from the
        # protocol's); other extractors have none
        from vidkit.metrics.i3d import I3D

        if isinstance(self.extractor, I3D):
            prov["features"] = self.extractor.features
            prov["bn_eps"] = self.extractor.preprocess["bn_eps"]
        else:
            prov["features"] = "extractor output"
            prov.pop("bn_eps", None)
        return prov

    @staticmethod
    def _check_counts(real: GaussianStats, fake: GaussianStats, need: int = 2) -> None:
        for name, s in (("real", real), ("fake", fake)):
            if s.count < need:
                raise ValueError(
                    f"{name} side has {s.count} video(s); at least {need} are needed (and "
                    f"thousands for a meaningful score: the standard is 2048)"
                )
        if real.dim != fake.dim:
            raise ValueError(f"real features are {real.dim}-d but fake features {fake.dim}-d")


class FVD(_DistributionMetric):
    """Fréchet Video Distance with a named protocol, streaming and mergeable.

    Args:
        extractor: ``"i3d"`` (default), another registered name, a :class:`FeatureExtractor`,
            an ``nn.Module`` or a callable (see :func:`vidkit.metrics.as_extractor`).
        weights: I3D weights (path to ``i3d_pretrained_400.pt``; ``None`` = random init, tests
            only).
        preset: ``"styleganv"`` (default), ``"tf"``, ``"cdfvd"`` or a :class:`Protocol`.
        num_frames, stride, offset, resolution: override the preset's frame sampling / size.
        keep_features: keep feature rows too (enables bootstrap CIs in :meth:`compute`).

    Example:
        >>> import torch, vidkit as vk
        >>> m = vk.metrics.FVD(extractor=lambda x: x.mean(dim=(3, 4)).flatten(1),
        ...                    preset="styleganv", num_frames=4, resolution=16, progress=False)
        >>> vids = [vk.Video(torch.rand(6, 20, 20, 3).numpy()) for _ in range(8)]
        >>> _ = m.update(vids[:4], real=True).update(vids[4:], real=False)
        >>> score = m.compute(warn=False)
        >>> score.provenance["n_real"], score.provenance["frames"]
        (4, 4)
    """

    metric = "fvd"

    def compute(
        self,
        *,
        bootstrap_resamples: int = 0,
        ci: float = 0.95,
        seed: int = 0,
        warn: bool = True,
    ) -> Score:
        """The FVD of the fake statistics against the real ones, with provenance.

        ``bootstrap_resamples > 0`` (needs ``keep_features=True``) adds a bias-corrected bootstrap
        confidence interval. Warns about small or unequal N and singular covariances
        (``warn=False`` silences both; the provenance still records N).
        """
        real, fake = self._synced()
        self._check_counts(real, fake)
        p = self.protocol
        with warnings.catch_warnings():
            if not warn:
                warnings.simplefilter("ignore", SampleSizeWarning)
                warnings.simplefilter("ignore", SingularCovarianceWarning)
            value = frechet_distance(
                real.mean,
                real.cov(p.cov_ddof),
                fake.mean,
                fake.cov(p.cov_ddof),
                method=p.fd_method,
                n1=real.count,
                n2=fake.count,
            )
        prov = self._provenance(real, fake)
        lohi = std = None
        if bootstrap_resamples:
            if not (real.keep_features and fake.keep_features):
                raise ValueError(
                    "bootstrap CIs need the feature rows: create FVD(keep_features=True)"
                )
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                b = distance_interval(
                    "fvd",
                    real.features,
                    fake.features,
                    ddof=p.cov_ddof,
                    fd_method=p.fd_method,
                    n_resamples=bootstrap_resamples,
                    ci=ci,
                    seed=seed,
                    progress=self.progress,
                )
            lohi, std = (b.low, b.high), b.std
            prov["bootstrap"] = {
                "resamples": int(bootstrap_resamples),
                "ci": ci,
                "method": b.method,
                "bias": b.bias,
                "seed": seed,
            }
        return Score(float(value), "fvd", prov, ci=lohi, std=std)


class KVD(_DistributionMetric):
    """Kernel Video Distance: unbiased MMD^2 with the cubic polynomial kernel on I3D logits
    (TATS), over kept feature rows.

    ``estimator="full"`` (exact), ``"blocks"`` (TF-GAN blocks of ``block_size``) or ``"subsets"``
    (StyleGAN-V KID style); the score's ``std`` is the estimator's spread. KVD needs the rows, so
    memory grows as ``N x d`` float64 per side.

    Example:
        >>> kvd = vk.metrics.KVD(extractor="i3d", weights="i3d_pretrained_400.pt")  # doctest: +SKIP
    """

    metric = "kvd"
    _keep_features = True

    def __init__(
        self,
        extractor: Any = "i3d",
        *,
        estimator: str = "full",
        block_size: int = 1024,
        n_subsets: int = 100,
        subset_size: int = 1000,
        **kwargs: Any,
    ) -> None:
        if estimator not in ("full", "blocks", "subsets"):
            raise ValueError(f"estimator must be 'full', 'blocks' or 'subsets', got {estimator!r}")
        super().__init__(extractor, **kwargs)
        self.estimator = estimator
        self.block_size = int(block_size)
        self.n_subsets = int(n_subsets)
        self.subset_size = int(subset_size)

    def compute(self, *, seed: int = 0) -> Score:
        """The KVD of the fake features against the real ones, with provenance."""
        real, fake = self._synced()
        self._check_counts(real, fake)
        value, std = kernel_distance(
            real.features,
            fake.features,
            estimator=self.estimator,
            block_size=self.block_size,
            n_subsets=self.n_subsets,
            subset_size=self.subset_size,
            seed=seed,
        )
        prov = self._provenance(real, fake)
        for k in ("covariance_divisor", "fd_method"):
            prov.pop(k, None)
        prov["kernel"] = "(x.y/d + 1)^3, unbiased MMD^2"
        prov["estimator"] = self.estimator
        if self.estimator == "blocks":
            prov["block_size"] = self.block_size
        if self.estimator == "subsets":
            prov.update(n_subsets=self.n_subsets, subset_size=self.subset_size, seed=seed)
        return Score(float(value), "kvd", prov, std=None if np.isnan(std) else float(std))


def fvd(
    real: Any,
    fake: Any,
    *,
    extractor: Any = "i3d",
    weights: Any = "i3d_pretrained_400.pt",
    preset: str | Protocol = "styleganv",
    bootstrap_resamples: int = 0,
    warn: bool = True,
    **kwargs: Any,
) -> Score:
    """FVD between two sets of videos in one call (see :class:`FVD` for the arguments).

    Example:
        >>> score = vk.metrics.fvd(real_videos, fake_videos, weights="i3d_pretrained_400.pt")  # doctest: +SKIP
        >>> print(score)  # doctest: +SKIP
        FVD 231.4 (styleganv, N=2048/2048, 16f, i3d:...)
    """
    m = FVD(
        extractor,
        weights=weights,
        preset=preset,
        keep_features=bool(bootstrap_resamples),
        **kwargs,
    )
    m.update(real, real=True).update(fake, real=False)
    return m.compute(bootstrap_resamples=bootstrap_resamples, warn=warn)


def kvd(
    real: Any,
    fake: Any,
    *,
    extractor: Any = "i3d",
    weights: Any = "i3d_pretrained_400.pt",
    preset: str | Protocol = "styleganv",
    estimator: str = "full",
    **kwargs: Any,
) -> Score:
    """KVD between two sets of videos in one call (see :class:`KVD`).

    Example:
        >>> vk.metrics.kvd(real_videos, fake_videos, weights="i3d_pretrained_400.pt")  # doctest: +SKIP
    """
    m = KVD(extractor, weights=weights, preset=preset, estimator=estimator, **kwargs)
    m.update(real, real=True).update(fake, real=False)
    return m.compute()
