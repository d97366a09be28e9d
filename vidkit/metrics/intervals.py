"""Bootstrap confidence intervals of vidkit's statistics, in one place.

- :func:`distance_interval`: the CI of a Fréchet distance (FVD) or a polynomial-kernel MMD (KVD)
  between two sets of feature rows, by :func:`vidkit.metrics.frechet.bootstrap` (bias-corrected by
  default), computed in the span of the rows when there are fewer rows than dimensions. Used by
  :meth:`vidkit.metrics.FVD.compute` and the FVD/KVD metrics of ``vk.compare``.
- :func:`mean_interval`: the percentile CI of a mean (the leaderboard's per-model means).
- :func:`span_projection`: the change of basis behind the first.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from vidkit.metrics.frechet import BootstrapResult, bootstrap, fd_from_features, polynomial_mmd

__all__ = ["distance_interval", "mean_interval", "span_projection"]


def span_projection(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``a``, ``b`` expressed in an orthonormal basis of the span of all their rows (when that
    span is smaller than the dimension): distances, dot products and Fréchet distances between
    any subsets of the rows are unchanged.

    Example:
        >>> rng = np.random.default_rng(0)
        >>> a, b = span_projection(rng.normal(size=(3, 10)), rng.normal(size=(2, 10)))
        >>> a.shape, b.shape
        ((3, 5), (2, 5))
    """
    rows = np.concatenate([a, b], axis=0)
    if rows.shape[0] >= rows.shape[1]:
        return a, b
    q, _ = np.linalg.qr(rows.T)  # [d, k] orthonormal columns; rows.T = q r, so q spans the rows
    return a @ q, b @ q


def distance_interval(
    kind: str,
    real: np.ndarray,
    fake: np.ndarray,
    *,
    ddof: int = 0,
    fd_method: str = "cholesky",
    gamma: float | None = None,
    n_resamples: int = 200,
    ci: float = 0.95,
    seed: int = 0,
    method: str = "bias-corrected",
    progress: bool = False,
) -> BootstrapResult:
    """Bootstrap CI of the FVD (``kind="fvd"``: Fréchet distance with covariance ``ddof`` and
    matrix square root ``fd_method``) or KVD (``kind="kvd"``: unbiased polynomial MMD², kernel
    ``gamma``, default ``1 / d``) of ``fake`` rows against ``real`` rows.

    Resamples both sides' rows (``method``: see :func:`vidkit.metrics.frechet.bootstrap`; the
    default bias correction matters because resampling duplicates rows, which inflates both
    distances). With fewer rows than dimensions every resample is computed in the span of the rows
    (:func:`span_projection`: exact, and (n + m)-dimensional instead of d-dimensional). An FVD
    interval is clipped at 0 (a Fréchet distance is never negative).

    Example:
        >>> rng = np.random.default_rng(0)
        >>> real, fake = rng.normal(size=(40, 64)), rng.normal(0.5, 1.0, size=(40, 64))
        >>> r = distance_interval("fvd", real, fake, n_resamples=30)
        >>> 0.0 <= r.low <= r.estimate <= r.high
        True
    """
    if kind not in ("fvd", "kvd"):
        raise ValueError(f"kind must be 'fvd' or 'kvd', got {kind!r}")
    real, fake = np.asarray(real, dtype=np.float64), np.asarray(fake, dtype=np.float64)
    if real.ndim != 2 or fake.ndim != 2 or real.shape[1] != fake.shape[1]:
        raise ValueError(
            f"real and fake must be [n, d] feature rows of one d, got shapes {real.shape} and "
            f"{fake.shape}"
        )
    dim = real.shape[1]
    r_p, f_p = span_projection(real, fake)
    if kind == "fvd":

        def stat(x: np.ndarray, y: np.ndarray) -> float:
            return fd_from_features(x, y, ddof=ddof, method=fd_method, warn=False)

    else:
        g = 1.0 / dim if gamma is None else float(gamma)

        def stat(x: np.ndarray, y: np.ndarray) -> float:
            return polynomial_mmd(x, y, gamma=g)

    b = bootstrap(
        stat, r_p, f_p, n_resamples=n_resamples, ci=ci, seed=seed, method=method, progress=progress
    )
    if kind == "fvd" and b.low < 0:
        b = dataclasses.replace(b, low=0.0)
    return b


def mean_interval(
    values: Any, n_resamples: int = 1000, ci: float = 0.95, seed: Any = 0
) -> tuple[float, float, float]:
    """``(mean, low, high)``: the mean of the finite ``values`` and its percentile bootstrap CI
    (NaNs are left out; all NaN gives NaNs; one value or ``n_resamples=0`` gives a zero-width
    interval). ``seed`` is an int or a ``numpy.random.Generator`` (shared across calls).

    Example:
        >>> mean, low, high = mean_interval([1.0, 0.0, 1.0, 1.0, float("nan")], 200)
        >>> mean, low <= mean <= high
        (0.75, True)
    """
    v = np.asarray(values, dtype=np.float64).reshape(-1)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return float("nan"), float("nan"), float("nan")
    mean = float(v.mean())
    if v.size == 1 or n_resamples == 0:
        return mean, mean, mean
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    idx = rng.integers(0, v.size, size=(n_resamples, v.size))
    means = v[idx].mean(axis=1)
    a = (1 - ci) / 2
    low, high = np.quantile(means, [a, 1 - a])
    return mean, float(low), float(high)
