"""Streaming Gaussian statistics, the Fréchet distance, kernel distances (KVD) and bootstrap CIs.

The Fréchet distance between two Gaussians ``N(mu1, S1)`` and ``N(mu2, S2)`` is

    FD = |mu1 - mu2|^2 + tr(S1) + tr(S2) - 2 tr sqrt(S1 S2).

``S1 S2`` is not symmetric, so its eigenvalues must not be taken with a symmetric solver
(``eigvalsh(S1 @ S2)`` is wrong; torch-fidelity#46). vidkit computes ``tr sqrt(S1 S2)`` in a
symmetric form: with the Cholesky factor ``S1 = L L^T``, ``S1 S2`` is similar to ``L^T S2 L``
(symmetric positive semi-definite), so ``tr sqrt(S1 S2) = sum sqrt(eigvalsh(L^T S2 L))``, solved as
one generalized symmetric-definite eigenproblem (LAPACK ``dsygv``). This is
float64 throughout, agrees with ``scipy.linalg.sqrtm`` (the pytorch-fid formula, also available as
``method="sqrtm"``) to ~1e-10 on well-conditioned inputs, and is several times faster.

Statistics stream: :class:`GaussianStats` keeps float64 sums (of shifted features, for accuracy),
merges across shards and all-reduces across processes (``torch.distributed``, e.g. under
accelerate), so a 10k-video evaluation needs ``O(d^2)`` memory, not ``O(N d)``. KVD needs the
feature rows themselves (``O(N d)``: 2048 x 400 float64 = 6.5 MB per side).

Example:
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> a, b = rng.normal(size=(500, 8)), rng.normal(0.5, 1, size=(500, 8))
    >>> sa, sb = GaussianStats().update(a), GaussianStats().update(b)
    >>> fd = frechet_distance(sa.mean, sa.cov(), sb.mean, sb.cov())
    >>> round(fd, 1)
    2.4
"""

from __future__ import annotations

import json
import math
import os
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import scipy.linalg

from vidkit.errors import StatisticsError, VideoTypeError, check_size

__all__ = [
    "GaussianStats",
    "frechet_distance",
    "fd_from_features",
    "polynomial_mmd",
    "kernel_distance",
    "bootstrap",
    "BootstrapResult",
    "SingularCovarianceWarning",
    "SampleSizeWarning",
    "RECOMMENDED_N",
]

#: the sample size of the standard protocols (StyleGAN-V ``fvd2048_16f``, cd-fvd)
RECOMMENDED_N = 2048
FD_METHODS = ("cholesky", "eigh", "sqrtm")


class SingularCovarianceWarning(UserWarning):
    """A covariance matrix is singular (e.g. fewer samples than feature dimensions)."""


class SampleSizeWarning(UserWarning):
    """The sample size makes the Fréchet distance biased or incomparable."""


# --------------------------------------------------------------------------- helpers
def _as_features(x: Any, what: str = "features") -> np.ndarray:
    """A float64 ``[N, d]`` matrix; NaN/inf rows raise naming the row."""
    if hasattr(x, "detach") and hasattr(x, "cpu"):
        x = x.detach().cpu().double().numpy()
    arr = np.asarray(x)
    if arr.dtype == object or not (
        np.issubdtype(arr.dtype, np.floating) or np.issubdtype(arr.dtype, np.integer)
    ):
        raise VideoTypeError(f"{what} must be a numeric matrix [N, dim], got dtype {arr.dtype}")
    if arr.ndim != 2:
        raise StatisticsError(f"{what} must be a matrix [N, dim], got shape {arr.shape}")
    arr = arr.astype(np.float64, copy=False)
    finite = np.isfinite(arr).all(axis=1)
    if not finite.all():
        raise StatisticsError(f"{what} row {int(np.argmin(finite))} contains NaN or inf")
    return arr


def distributed_ready() -> bool:
    """Whether torch.distributed runs with more than one process (then statistics are reduced).

    Example:
        >>> distributed_ready()
        False
    """
    try:
        import torch.distributed as dist
    except ImportError:  # pragma: no cover
        return False
    return dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1


def _reduce_device():
    import torch
    import torch.distributed as dist

    if dist.get_backend() == "nccl":
        return torch.device("cuda", torch.cuda.current_device())
    return torch.device("cpu")


def _all_reduce_sum(arr: np.ndarray, op: str = "sum") -> np.ndarray:
    """Sum (or max) a float64 array over all processes (torch.distributed)."""
    import torch
    import torch.distributed as dist

    t = torch.from_numpy(np.ascontiguousarray(arr, dtype=np.float64)).to(_reduce_device())
    dist.all_reduce(t, op=dist.ReduceOp.MAX if op == "max" else dist.ReduceOp.SUM)
    return t.cpu().numpy()


def _all_gather_rows(arr: np.ndarray, dim: int) -> np.ndarray:
    """Concatenate ``[n_r, dim]`` row blocks of every process, in rank order."""
    import torch
    import torch.distributed as dist

    dev = _reduce_device()
    world = dist.get_world_size()
    n = torch.tensor([arr.shape[0]], dtype=torch.int64, device=dev)
    sizes = [torch.zeros_like(n) for _ in range(world)]
    dist.all_gather(sizes, n)
    counts = [int(s.item()) for s in sizes]
    m = max(counts)
    buf = torch.zeros((m, dim), dtype=torch.float64, device=dev)
    if arr.shape[0]:
        buf[: arr.shape[0]] = torch.from_numpy(arr).to(dev)
    out = [torch.zeros_like(buf) for _ in range(world)]
    dist.all_gather(out, buf)
    return np.concatenate([o[:c].cpu().numpy() for o, c in zip(out, counts)], axis=0)


# --------------------------------------------------------------------------- GaussianStats
class GaussianStats:
    """Running float64 mean/covariance of feature rows: update, merge, save, sync.

    Internally: ``count``, ``shift`` (a reference point, the mean of the first batch),
    ``sum = sum(x - shift)`` and ``sum_outer = sum((x - shift)(x - shift)^T)``. Shifting keeps the
    second moments well conditioned (the raw ``sum x x^T`` loses digits when the mean is large
    relative to the spread); the covariance does not depend on the shift.

    Args:
        dim: feature dimension (taken from the first update when ``None``).
        keep_features: also keep the rows (needed for KVD and bootstrap CIs; ``O(N d)`` memory).

    Example:
        >>> s = GaussianStats().update(np.random.rand(10, 4)).update(np.random.rand(6, 4))
        >>> s.count, s.mean.shape, s.cov(ddof=1).shape
        (16, (4,), (4, 4))
    """

    def __init__(self, dim: int | None = None, *, keep_features: bool = False) -> None:
        if dim is not None and (not isinstance(dim, (int, np.integer)) or dim < 1):
            raise StatisticsError(f"dim must be a positive integer, got {dim!r}")
        self.dim: int | None = int(dim) if dim is not None else None
        self.keep_features = bool(keep_features)
        self.count = 0
        self.shift: np.ndarray | None = None
        self.sum: np.ndarray | None = None
        self.sum_outer: np.ndarray | None = None
        self._rows: list[np.ndarray] = []
        self.meta: dict[str, Any] = {}
        if self.dim is not None:
            self._alloc(self.dim, np.zeros(self.dim))

    def _alloc(self, dim: int, shift: np.ndarray) -> None:
        self.dim = dim
        self.shift = np.array(shift, dtype=np.float64)
        self.sum = np.zeros(dim, dtype=np.float64)
        self.sum_outer = np.zeros((dim, dim), dtype=np.float64)

    # -- accumulate
    def update(self, features: Any) -> GaussianStats:
        """Add feature rows ``[n, dim]`` (numpy or torch); returns self.

        Example:
            >>> GaussianStats().update(np.ones((3, 2))).count
            3
        """
        x = _as_features(features)
        if x.shape[0] == 0:
            return self
        if self.dim is None or (self.count == 0 and not self._rows):
            if self.dim is not None and x.shape[1] != self.dim:
                raise StatisticsError(
                    f"features have dim {x.shape[1]}, these stats have dim {self.dim}"
                )
            self._alloc(x.shape[1], x.mean(axis=0))
        elif x.shape[1] != self.dim:
            raise StatisticsError(
                f"features have dim {x.shape[1]}, these stats have dim {self.dim}"
            )
        xc = x - self.shift
        self.sum += xc.sum(axis=0)
        self.sum_outer += xc.T @ xc
        self.count += x.shape[0]
        if self.keep_features:
            self._rows.append(x.copy())
        return self

    def _moved_to(self, new_shift: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(sum, sum_outer) re-expressed around ``new_shift`` (exact algebra)."""
        delta = self.shift - new_shift  # x - new = (x - old) + delta
        s = self.sum + self.count * delta
        so = (
            self.sum_outer
            + np.outer(self.sum, delta)
            + np.outer(delta, self.sum)
            + self.count * np.outer(delta, delta)
        )
        return s, so

    def merge(self, other: GaussianStats) -> GaussianStats:
        """Add another GaussianStats (e.g. a shard) into this one; returns self.

        Example:
            >>> a = GaussianStats().update(np.random.rand(5, 3))
            >>> b = GaussianStats().update(np.random.rand(7, 3))
            >>> a.merge(b).count
            12
        """
        if not isinstance(other, GaussianStats):
            raise VideoTypeError(f"merge expects a GaussianStats, got {type(other).__name__}")
        if other.count == 0:
            return self
        if self.count == 0:
            if self.dim is not None and other.dim != self.dim:
                raise StatisticsError(f"cannot merge stats of dim {other.dim} into dim {self.dim}")
            self._alloc(int(other.dim), other.shift)
        if other.dim != self.dim:
            raise StatisticsError(f"cannot merge stats of dim {other.dim} into dim {self.dim}")
        s, so = other._moved_to(self.shift)
        self.sum += s
        self.sum_outer += so
        self.count += other.count
        if self.keep_features:
            if other.count and not other._rows:
                raise StatisticsError("cannot merge: the other stats did not keep their features")
            self._rows.extend(r.copy() for r in other._rows)
        return self

    def copy(self) -> GaussianStats:
        """An independent copy."""
        out = GaussianStats(keep_features=self.keep_features)
        out.dim, out.count = self.dim, self.count
        for name in ("shift", "sum", "sum_outer"):
            v = getattr(self, name)
            setattr(out, name, None if v is None else v.copy())
        out._rows = [r.copy() for r in self._rows]
        out.meta = json.loads(json.dumps(self.meta, default=str))
        return out

    def reset(self) -> GaussianStats:
        """Forget all rows (keeps ``dim`` and ``keep_features``)."""
        dim = self.dim
        self.__init__(dim, keep_features=self.keep_features)  # type: ignore[misc]
        return self

    # -- results
    def _need(self, n: int = 1) -> None:
        if self.count < n:
            raise StatisticsError(f"need at least {n} feature rows, these stats have {self.count}")

    @property
    def mean(self) -> np.ndarray:
        """Mean feature vector (float64 ``[dim]``)."""
        self._need(1)
        return self.shift + self.sum / self.count

    def cov(self, ddof: int = 0) -> np.ndarray:
        """Covariance (float64 ``[dim, dim]``), divided by ``N - ddof``.

        ``ddof=0`` (``/N``) as in StyleGAN-V and cd-fvd; ``ddof=1`` (``/(N-1)``) as in the original
        TF FVD and ``np.cov``.
        """
        if ddof not in (0, 1):
            raise StatisticsError(
                f"ddof must be 0 (divide by N) or 1 (divide by N-1), got {ddof!r}"
            )
        self._need(ddof + 1)
        c = (self.sum_outer - np.outer(self.sum, self.sum) / self.count) / (self.count - ddof)
        return (c + c.T) / 2

    @property
    def features(self) -> np.ndarray:
        """The kept feature rows ``[N, dim]`` (only with ``keep_features=True``)."""
        if not self.keep_features:
            raise StatisticsError(
                "these stats did not keep the feature rows; create them with keep_features=True "
                "(needed for KVD and bootstrap CIs)"
            )
        if not self._rows:
            return np.zeros((0, self.dim or 0))
        if len(self._rows) > 1:
            self._rows = [np.concatenate(self._rows, axis=0)]
        return self._rows[0]

    @property
    def nbytes(self) -> int:
        """Memory held by the statistics (and kept rows), in bytes."""
        arrays = [self.shift, self.sum, self.sum_outer, *self._rows]
        return int(sum(a.nbytes for a in arrays if a is not None))

    # -- distributed
    def sync(self) -> GaussianStats:
        """All-reduce the sums over ``torch.distributed`` processes (no-op when not initialised).

        After ``sync()`` every process holds the statistics of all processes (kept rows are
        all-gathered in rank order). Call it once per accumulation: a second call would double
        count. Works under accelerate, which initialises ``torch.distributed``.

        Example:
            >>> stats.update(local_features).sync()  # doctest: +SKIP
        """
        if not distributed_ready():
            return self
        info = _all_reduce_sum(np.array([float(self.count)]))
        dim = int(_all_reduce_sum(np.array([float(self.dim or 0)]), op="max")[0])
        n_total = int(round(info[0]))
        if n_total == 0:
            return self
        if self.dim is not None and self.dim != dim:
            raise StatisticsError(
                f"cannot sync: this process has dim {self.dim}, another has {dim}"
            )
        if self.count == 0:
            self._alloc(dim, np.zeros(dim))
        # one common shift (the global mean), then plain sums are additive
        raw = self.shift * self.count + self.sum if self.count else np.zeros(dim)
        g_mean = _all_reduce_sum(raw) / n_total
        s, so = self._moved_to(g_mean)
        s = _all_reduce_sum(s)
        so = _all_reduce_sum(so)
        if self.keep_features:
            rows = self.features if self.count else np.zeros((0, dim))
            self._rows = [_all_gather_rows(rows, dim)]
        self.shift, self.sum, self.sum_outer, self.count = g_mean, s, so, n_total
        return self

    # -- persistence
    def save(self, path: str | os.PathLike[str]) -> Path:
        """Save to an ``.npz`` file (sums, count, shift, meta as JSON; rows if kept).

        Example:
            >>> import tempfile
            >>> stats = GaussianStats().update(np.random.rand(10, 4))
            >>> stats.save(tempfile.mkdtemp() + "/real_stats.npz").name
            'real_stats.npz'
        """
        path = Path(path)
        if path.suffix != ".npz":
            path = path.with_name(path.name + ".npz")
        if self.count == 0:
            raise StatisticsError("nothing to save: these stats are empty")
        arrays: dict[str, Any] = {
            "count": np.array(self.count, dtype=np.int64),
            "shift": self.shift,
            "sum": self.sum,
            "sum_outer": self.sum_outer,
            "meta": np.array(
                json.dumps({"format": "vidkit.GaussianStats/1", **self.meta}, default=str)
            ),
        }
        if self.keep_features:
            arrays["features"] = self.features
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp.npz")
        np.savez(tmp, **arrays)
        os.replace(tmp, path)
        return path

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> GaussianStats:
        """Load stats saved by :meth:`save` (no pickle involved).

        Example:
            >>> import tempfile
            >>> path = GaussianStats().update(np.random.rand(10, 4)).save(tempfile.mkdtemp() + "/s.npz")
            >>> real = GaussianStats.load(path)
            >>> real.count, real.mean.shape
            (10, (4,))
        """
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"no statistics file at {path}")
        with open(path, "rb") as fh:
            head = fh.read(4)
        if head[:2] != b"PK":  # every .npz is a zip archive
            raise StatisticsError(
                f"{path} is not an .npz archive (it starts with {head!r}); save statistics with "
                "GaussianStats.save"
            )
        try:
            with np.load(path, allow_pickle=False) as f:
                needed = {"count", "shift", "sum", "sum_outer"}
                if not needed <= set(f.files):
                    raise StatisticsError(
                        f"{path} is not a vidkit GaussianStats file (has {sorted(f.files)}, needs "
                        f"{sorted(needed)})"
                    )
                arrays = {}
                for k in (*needed, "features", "meta"):
                    if k in f.files:
                        size = f.zip.getinfo(f"{k}.npy").file_size  # before decompressing it
                        check_size(size, f"loading {k!r} of {path}")
                        arrays[k] = f[k]
        except StatisticsError:
            raise
        except Exception as exc:  # np.load of a file that is not an .npz archive
            raise StatisticsError(
                f"{path} is not a readable .npz statistics file ({type(exc).__name__}: {exc}); "
                "save statistics with GaussianStats.save"
            ) from None
        out = cls(keep_features="features" in arrays)
        out.count, out.shift, out.sum, out.sum_outer, rows = _checked_arrays(arrays, str(path))
        out.dim = int(out.shift.shape[0])
        if rows is not None:
            out._rows = [rows]
        meta: Any = {}
        if "meta" in arrays:
            try:
                meta = json.loads(str(arrays["meta"]))
            except ValueError:
                raise StatisticsError(f"{path}: its 'meta' entry is not JSON") from None
        if not isinstance(meta, dict):
            raise StatisticsError(f"{path}: its 'meta' entry must be a JSON object, got {meta!r}")
        meta.pop("format", None)
        out.meta = meta
        return out

    def __repr__(self) -> str:
        kept = ", features kept" if self.keep_features else ""
        return f"GaussianStats(count={self.count}, dim={self.dim}{kept})"


def _checked_arrays(
    arrays: dict[str, np.ndarray], where: str
) -> tuple[int, np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
    """Validate the arrays of a statistics file: count, shapes, finiteness, a PSD scatter matrix."""
    count = arrays["count"]
    if count.shape != () or not np.issubdtype(count.dtype, np.integer) or int(count) < 1:
        raise StatisticsError(f"{where}: 'count' must be a positive integer, got {count!r}")
    n = int(count)
    shift = arrays["shift"]
    if shift.ndim != 1 or shift.shape[0] < 1 or not np.issubdtype(shift.dtype, np.number):
        raise StatisticsError(f"{where}: 'shift' must be a vector [dim], got shape {shift.shape}")
    d = shift.shape[0]
    for key, shape in (("sum", (d,)), ("sum_outer", (d, d))):
        if arrays[key].shape != shape or not np.issubdtype(arrays[key].dtype, np.number):
            raise StatisticsError(
                f"{where}: '{key}' must have shape {shape} to match 'shift' ({d}-d), got "
                f"{arrays[key].shape}"
            )
    shift, total, outer = (arrays[k].astype(np.float64) for k in ("shift", "sum", "sum_outer"))
    if not (np.isfinite(shift).all() and np.isfinite(total).all() and np.isfinite(outer).all()):
        raise StatisticsError(f"{where}: the statistics contain NaN or inf")
    asym = float(np.abs(outer - outer.T).max())
    if asym > 1e-6 * max(1.0, float(np.abs(outer).max())):
        raise StatisticsError(f"{where}: 'sum_outer' is not symmetric (max |S - S^T| = {asym:.3g})")
    _check_psd(outer, f"{where}: 'sum_outer'")
    rows = None
    if "features" in arrays:
        rows = arrays["features"]
        if rows.shape != (n, d) or not np.issubdtype(rows.dtype, np.number):
            raise StatisticsError(
                f"{where}: 'features' must have shape ({n}, {d}) (count x dim), got {rows.shape}"
            )
        rows = rows.astype(np.float64)
    return n, shift, total, outer, rows


def _check_psd(s: np.ndarray, what: str) -> None:
    """Refuse a symmetric matrix with a clearly negative eigenvalue (beyond rounding).

    One Cholesky factorisation of ``S + tol I`` (``tol`` = 1e-6 of the largest diagonal entry)
    succeeds exactly when every eigenvalue is above ``-tol``: cheaper than an eigendecomposition.
    """
    d = s.shape[0]
    if d == 0:
        return
    scale = float(np.abs(np.diagonal(s)).max())
    tol = 1e-6 * scale if scale > 0 else 1e-300
    try:
        np.linalg.cholesky(s + tol * np.eye(d))
    except np.linalg.LinAlgError:
        low = float(np.linalg.eigvalsh((s + s.T) / 2).min())
        raise StatisticsError(
            f"{what} is not positive semi-definite (smallest eigenvalue {low:.4g}); a covariance "
            "must be symmetric with eigenvalues >= 0"
        ) from None


def _check_n(n: Any, name: str) -> int | None:
    if n is None:
        return None
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise VideoTypeError(f"{name} must be an int (a sample size) or None, got {n!r}")
    if n < 2:
        raise StatisticsError(f"{name} must be >= 2 (a covariance needs two samples), got {n}")
    return int(n)


# --------------------------------------------------------------------------- Fréchet distance
def _check_gaussian(mu: Any, sigma: Any, which: str) -> tuple[np.ndarray, np.ndarray]:
    try:
        mu = np.asarray(mu, dtype=np.float64)
        sigma = np.asarray(sigma, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise VideoTypeError(
            f"mu{which} and sigma{which} must be numeric (a vector and a matrix), got "
            f"{type(mu).__name__} and {type(sigma).__name__} ({exc})"
        ) from None
    if mu.ndim != 1:
        raise StatisticsError(f"mu{which} must be a vector [d], got shape {mu.shape}")
    d = mu.shape[0]
    if d == 0:
        raise StatisticsError(f"mu{which} is empty; a Gaussian needs at least one dimension")
    if sigma.shape != (d, d):
        raise StatisticsError(
            f"sigma{which} must be a [{d}, {d}] matrix to match mu{which}, got {sigma.shape}"
        )
    if not (np.isfinite(mu).all() and np.isfinite(sigma).all()):
        raise StatisticsError(f"mu{which}/sigma{which} contain NaN or inf")
    skew = sigma - sigma.T
    asym = float(np.abs(skew).max()) if d else 0.0
    if asym > 1e-6 * max(1.0, float(np.abs(sigma).max())):
        raise StatisticsError(f"sigma{which} is not symmetric (max |S - S^T| = {asym:.3g})")
    if asym:
        skew *= 0.5
        sigma = sigma - skew  # (S + S^T) / 2
    _check_psd(sigma, f"sigma{which}")
    return mu, sigma


def _psd_sqrt(s: np.ndarray) -> tuple[np.ndarray, int]:
    """Symmetric square root of a PSD matrix via eigh, negative eigenvalues clipped; and its rank."""
    w, v = np.linalg.eigh(s)
    tol = max(w.max(initial=0.0), 0.0) * s.shape[0] * np.finfo(np.float64).eps
    rank = int((w > tol).sum())
    return (v * np.sqrt(np.clip(w, 0.0, None))) @ v.T, rank


def _eigvalsh(m: np.ndarray) -> np.ndarray:
    return scipy.linalg.eigh(m, eigvals_only=True, check_finite=False, driver="evr")


def _trace_sqrt_cholesky(s1: np.ndarray, s2: np.ndarray) -> float | None:
    """tr sqrt(S1 S2) = sum sqrt(eigvalsh(L^T S2 L)) with S1 = L L^T (roles swapped if needed).

    One LAPACK call (``dsygv``, itype 2): the generalized symmetric-definite eigenproblem
    ``S2 S1 x = lambda x``, which factors ``S1 = L L^T`` and reduces to ``L^T S2 L`` (``dsygst``)."""
    for a, b in ((s1, s2), (s2, s1)):
        try:
            ev = scipy.linalg.eigh(b, a, type=2, eigvals_only=True, driver="gv", check_finite=False)
        except np.linalg.LinAlgError:  # a is not positive definite
            continue
        return float(np.sqrt(np.clip(ev, 0.0, None)).sum())
    return None


def _trace_sqrt_eigh(s1: np.ndarray, s2: np.ndarray) -> float:
    """tr sqrt(A S2 A) with A = sqrt(S1) symmetric (eigenvalues of S1 clipped at 0)."""
    root, _ = _psd_sqrt(s1)
    m = root @ s2 @ root
    return float(np.sqrt(np.clip(_eigvalsh((m + m.T) / 2), 0.0, None)).sum())


def _trace_sqrt_sqrtm(s1: np.ndarray, s2: np.ndarray) -> float:
    """pytorch-fid: sqrtm(S1 S2); eps*I on both if not finite; reject large imaginary parts."""
    covmean = scipy.linalg.sqrtm(s1 @ s2)
    if not np.isfinite(covmean).all():
        offset = np.eye(s1.shape[0]) * 1e-6
        covmean = scipy.linalg.sqrtm((s1 + offset) @ (s2 + offset))
    if np.iscomplexobj(covmean):
        if not np.allclose(np.diagonal(covmean).imag, 0, atol=1e-3):
            m = float(np.max(np.abs(covmean.imag)))
            raise StatisticsError(
                f"sqrtm(S1 S2) has an imaginary component {m:.3g}; use method='eigh'"
            )
        covmean = covmean.real
    return float(np.trace(covmean))


def _sample_size_warning(n1: int | None, n2: int | None, stacklevel: int = 3) -> None:
    if n1 is None and n2 is None:
        return
    ns = [n for n in (n1, n2) if n is not None]
    if n1 is not None and n2 is not None and n1 != n2:
        warnings.warn(
            f"the two samples have different sizes (N={n1} vs N={n2}); the Fréchet distance is "
            "biased by ~1/N per side, so compare scores only at equal N on both sides",
            SampleSizeWarning,
            stacklevel=stacklevel,
        )
    if min(ns) < RECOMMENDED_N:
        warnings.warn(
            f"N={min(ns)} < {RECOMMENDED_N}: the Fréchet distance has a positive bias of order "
            "d/N (two samples of one 400-d Gaussian give ~1900 at N=16, ~450 at N=256, ~56 at "
            "N=2048); compare models only at equal N, and report N",
            SampleSizeWarning,
            stacklevel=stacklevel,
        )


def frechet_distance(
    mu1: Any,
    sigma1: Any,
    mu2: Any,
    sigma2: Any,
    *,
    method: str = "cholesky",
    n1: int | None = None,
    n2: int | None = None,
) -> float:
    """Fréchet distance between ``N(mu1, sigma1)`` and ``N(mu2, sigma2)``, in float64.

    Args:
        method: ``"cholesky"`` (default; symmetric form ``eigvalsh(L^T S2 L)``, falls back to
            ``"eigh"`` with a warning when both covariances are singular), ``"eigh"`` (symmetric
            square root of S1 by eigendecomposition, eigenvalues clipped at 0: robust for singular
            covariances), or ``"sqrtm"`` (``scipy.linalg.sqrtm(S1 @ S2)``, the pytorch-fid /
            StyleGAN-V / cd-fvd formula, for parity).
        n1, n2: sample sizes behind the statistics, if known: warn about the small-N bias
            (N < 2048) and unequal N.

    Example:
        >>> frechet_distance(np.zeros(3), np.eye(3), np.ones(3), np.eye(3))
        3.0
    """
    if method not in FD_METHODS:
        raise StatisticsError(f"method must be one of {list(FD_METHODS)}, got {method!r}")
    n1, n2 = _check_n(n1, "n1"), _check_n(n2, "n2")
    m1, s1 = _check_gaussian(mu1, sigma1, "1")
    m2, s2 = _check_gaussian(mu2, sigma2, "2")
    if m1.shape != m2.shape:
        raise StatisticsError(
            f"dimension mismatch: mu1 has {m1.shape[0]} entries, mu2 {m2.shape[0]}"
        )
    _sample_size_warning(n1, n2)
    d = m1.shape[0]
    singular = [n is not None and n <= d for n in (n1, n2)]
    if method == "sqrtm":
        tr = _trace_sqrt_sqrtm(s1, s2)
    elif method == "cholesky" and not all(singular):
        got = _trace_sqrt_cholesky(s1, s2)
        if got is None:
            warnings.warn(
                "both covariances are singular (not positive definite; typical when N <= dim): "
                "using the eigh-based symmetric square root with eigenvalues clipped at 0",
                SingularCovarianceWarning,
                stacklevel=2,
            )
            tr = _trace_sqrt_eigh(s1, s2)
        else:
            tr = got
    else:
        _, rank = _psd_sqrt(s1)
        if rank < d or all(singular):
            warnings.warn(
                f"covariance is singular (rank {rank} < dim {d}; N <= dim gives rank <= N-1): "
                "the square root is computed with eigenvalues clipped at 0; the distance is "
                "defined but strongly biased",
                SingularCovarianceWarning,
                stacklevel=2,
            )
        tr = _trace_sqrt_eigh(s1, s2)
    diff = m1 - m2
    return float(diff @ diff + np.trace(s1) + np.trace(s2) - 2.0 * tr)


def fd_from_features(
    x: Any, y: Any, *, ddof: int = 0, method: str = "cholesky", warn: bool = True
) -> float:
    """Fréchet distance between the Gaussians fitted to two feature matrices ``[N, d]``.

    Example:
        >>> rng = np.random.default_rng(0)
        >>> fd_from_features(rng.normal(size=(50, 3)), rng.normal(size=(60, 3)), warn=False) < 1
        True
    """
    a, b = _as_features(x, "x"), _as_features(y, "y")
    for name, arr in (("x", a), ("y", b)):
        if arr.shape[0] < 2:
            raise StatisticsError(f"{name} has {arr.shape[0]} rows; a covariance needs at least 2")
    if a.shape[1] != b.shape[1]:
        raise StatisticsError(f"feature dims differ: x has {a.shape[1]}, y has {b.shape[1]}")
    sa, sb = GaussianStats().update(a), GaussianStats().update(b)
    n1, n2 = (a.shape[0], b.shape[0]) if warn else (None, None)
    with warnings.catch_warnings():
        if not warn:
            warnings.simplefilter("ignore", SingularCovarianceWarning)
        return frechet_distance(
            sa.mean, sa.cov(ddof), sb.mean, sb.cov(ddof), method=method, n1=n1, n2=n2
        )


# --------------------------------------------------------------------------- kernel distances
def _kernel_sums(
    x: np.ndarray, y: np.ndarray, degree: int, gamma: float, coef0: float, chunk: int, diag: bool
) -> tuple[float, float]:
    """(sum of k(x_i, y_j) over all pairs, sum of the diagonal k(x_i, y_i)) in chunks."""
    total = 0.0
    for i in range(0, x.shape[0], chunk):
        xi = x[i : i + chunk]
        for j in range(0, y.shape[0], chunk):
            k = (xi @ y[j : j + chunk].T * gamma + coef0) ** degree
            total += float(k.sum())
    dsum = 0.0
    if diag:
        dsum = float(((np.einsum("ij,ij->i", x, y) * gamma + coef0) ** degree).sum())
    return total, dsum


def polynomial_mmd(
    x: Any,
    y: Any,
    *,
    degree: int = 3,
    gamma: float | None = None,
    coef0: float = 1.0,
    chunk_size: int = 2048,
) -> float:
    """Unbiased MMD^2 with the polynomial kernel ``k(a, b) = (gamma a.b + coef0)^degree``.

    Defaults are KVD/KID's: ``(a.b / d + 1)^3``. Within-sample sums exclude the diagonal:
    ``sum_{i!=j} k(x_i,x_j)/(m(m-1)) + sum_{i!=j} k(y_i,y_j)/(n(n-1)) - 2 sum k(x_i,y_j)/(mn)``
    (TATS ``polynomial_mmd``). Computed in ``chunk_size`` tiles: memory ``O(chunk^2)``, not ``O(N^2)``.

    Example:
        >>> rng = np.random.default_rng(0)
        >>> abs(polynomial_mmd(rng.normal(size=(200, 4)), rng.normal(size=(200, 4)))) < 0.05
        True
    """
    a, b = _as_features(x, "x"), _as_features(y, "y")
    m, n = a.shape[0], b.shape[0]
    if m < 2 or n < 2:
        raise StatisticsError(f"the unbiased MMD needs at least 2 rows per side, got {m} and {n}")
    if a.shape[1] != b.shape[1]:
        raise StatisticsError(f"feature dims differ: x has {a.shape[1]}, y has {b.shape[1]}")
    g = 1.0 / a.shape[1] if gamma is None else float(gamma)
    kxx, dxx = _kernel_sums(a, a, degree, g, coef0, chunk_size, True)
    kyy, dyy = _kernel_sums(b, b, degree, g, coef0, chunk_size, True)
    kxy, _ = _kernel_sums(a, b, degree, g, coef0, chunk_size, False)
    return (kxx - dxx) / (m * (m - 1)) + (kyy - dyy) / (n * (n - 1)) - 2.0 * kxy / (m * n)


def kernel_distance(
    x: Any,
    y: Any,
    *,
    estimator: str = "full",
    block_size: int = 1024,
    n_subsets: int = 100,
    subset_size: int = 1000,
    seed: int = 0,
    **kernel: Any,
) -> tuple[float, float]:
    """KVD/KID-style kernel distance -> ``(value, std)``.

    - ``"full"``: :func:`polynomial_mmd` on all rows (exact, ``O(N^2 d)`` time); ``std`` is NaN.
    - ``"blocks"``: TF-GAN's block estimator: both sides split into the same number of
      consecutive blocks of at most ``block_size`` rows, the unbiased MMD^2 of each block pair
      averaged; ``std`` is the standard error of that mean.
    - ``"subsets"``: StyleGAN-V's KID: ``n_subsets`` random subsets of
      ``min(subset_size, N_x, N_y)`` rows per side (without replacement, seeded); ``std`` is the
      standard deviation over subsets.

    Example:
        >>> rng = np.random.default_rng(0)
        >>> v, s = kernel_distance(rng.normal(size=(300, 4)), rng.normal(size=(300, 4)),
        ...                        estimator="blocks", block_size=100)
        >>> abs(v) < 0.1 and s > 0
        True
    """
    a, b = _as_features(x, "x"), _as_features(y, "y")
    if estimator == "full":
        return polynomial_mmd(a, b, **kernel), float("nan")
    if estimator == "blocks":
        if block_size < 2:
            raise StatisticsError(f"block_size must be >= 2, got {block_size}")
        n_blocks = max(1, math.ceil(max(a.shape[0], b.shape[0]) / block_size))
        if min(a.shape[0], b.shape[0]) < 2 * n_blocks:
            n_blocks = max(1, min(a.shape[0], b.shape[0]) // 2)
        vals = [
            polynomial_mmd(xa, yb, **kernel)
            for xa, yb in zip(np.array_split(a, n_blocks), np.array_split(b, n_blocks))
        ]
        std = float(np.std(vals, ddof=1) / math.sqrt(n_blocks)) if n_blocks > 1 else float("nan")
        return float(np.mean(vals)), std
    if estimator == "subsets":
        size = min(int(subset_size), a.shape[0], b.shape[0])
        if size < 2 or n_subsets < 1:
            raise StatisticsError(
                f"subsets need >= 2 rows and n_subsets >= 1 (size {size}, {n_subsets})"
            )
        rng = np.random.default_rng(seed)
        vals = [
            polynomial_mmd(
                a[rng.choice(a.shape[0], size, replace=False)],
                b[rng.choice(b.shape[0], size, replace=False)],
                **kernel,
            )
            for _ in range(int(n_subsets))
        ]
        return float(np.mean(vals)), float(np.std(vals))
    raise StatisticsError(f"estimator must be 'full', 'blocks' or 'subsets', got {estimator!r}")


# --------------------------------------------------------------------------- bootstrap
@dataclass(frozen=True)
class BootstrapResult:
    """A bootstrap confidence interval: ``low``/``high`` at level ``ci``, ``std`` and ``bias`` of
    the resampled statistic, the ``method``, and the resampled values."""

    estimate: float
    low: float
    high: float
    std: float
    bias: float
    ci: float
    method: str
    samples: np.ndarray = field(repr=False)


def bootstrap(
    statistic: Callable[[np.ndarray, np.ndarray], float],
    x: Any,
    y: Any,
    *,
    n_resamples: int = 200,
    ci: float = 0.95,
    method: str = "bias-corrected",
    seed: int = 0,
    progress: bool = False,
) -> BootstrapResult:
    """Bootstrap CI of ``statistic(x, y)`` by resampling the feature rows of both sides.

    ``method``:
      - ``"bias-corrected"`` (default): the percentile interval shifted by the bootstrap bias
        estimate ``mean(resampled) - estimate``. Resampling with replacement duplicates rows, which
        lowers the effective N and raises a Fréchet distance, so the plain percentile interval
        can miss the point estimate entirely; the shift removes that first-order bias.
      - ``"percentile"``: the plain percentile interval.
      - ``"normal"``: ``estimate ± z * std``.

    Example:
        >>> rng = np.random.default_rng(0)
        >>> r = bootstrap(lambda a, b: fd_from_features(a, b, warn=False),
        ...               rng.normal(size=(100, 3)), rng.normal(1, 1, size=(100, 3)), n_resamples=50)
        >>> r.low <= r.estimate <= r.high
        True
    """
    if method not in ("bias-corrected", "percentile", "normal"):
        raise StatisticsError(
            f"method must be 'bias-corrected', 'percentile' or 'normal', got {method!r}"
        )
    if not 0 < ci < 1:
        raise StatisticsError(f"ci must be in (0, 1), got {ci!r}")
    if int(n_resamples) < 2:
        raise StatisticsError(f"n_resamples must be >= 2, got {n_resamples!r}")
    a, b = _as_features(x, "x"), _as_features(y, "y")
    est = float(statistic(a, b))
    rng = np.random.default_rng(seed)
    it: Any = range(int(n_resamples))
    if progress:
        from tqdm.auto import tqdm

        it = tqdm(it, desc="bootstrap", unit="resample")
    vals = np.array(
        [
            statistic(
                a[rng.integers(0, a.shape[0], a.shape[0])],
                b[rng.integers(0, b.shape[0], b.shape[0])],
            )
            for _ in it
        ],
        dtype=np.float64,
    )
    alpha = (1 - ci) / 2
    std = float(vals.std(ddof=1))
    bias = float(vals.mean() - est)
    if method == "normal":
        from scipy.stats import norm

        z = float(norm.ppf(1 - alpha))
        low, high = est - z * std, est + z * std
    else:
        low, high = (float(q) for q in np.quantile(vals, [alpha, 1 - alpha]))
        if method == "bias-corrected":
            low, high = low - bias, high - bias
    return BootstrapResult(est, low, high, std, bias, float(ci), method, vals)
