"""Streaming Gaussian statistics of feature rows: :class:`GaussianStats`.

Statistics stream: :class:`GaussianStats` keeps float64 sums (of shifted features, for accuracy),
merges across shards and all-reduces across processes (``torch.distributed``, e.g. under
accelerate), so a 10k-video evaluation needs ``O(d^2)`` memory, not ``O(N d)``. KVD needs the
feature rows themselves (``O(N d)``: 2048 x 400 float64 = 6.5 MB per side), which
``keep_features=True`` keeps. Saved statistics are ``.npz`` files read without pickle and checked
(shapes, finiteness, a positive semi-definite scatter matrix) before use.

The distances on these statistics are in :mod:`vidkit.metrics.frechet`.

Example:
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> a, b = rng.normal(size=(300, 4)), rng.normal(size=(200, 4))
    >>> whole = GaussianStats().update(np.concatenate([a, b]))
    >>> shards = GaussianStats().update(a).merge(GaussianStats().update(b))
    >>> shards.count, bool(np.allclose(shards.cov(), whole.cov()))
    (500, True)
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from vidkit.errors import StatisticsError, VideoTypeError, check_size

__all__ = ["GaussianStats", "as_features", "check_psd", "distributed_ready"]


# --------------------------------------------------------------------------- helpers
def as_features(x: Any, what: str = "features") -> np.ndarray:
    """A float64 ``[N, d]`` matrix; NaN/inf rows raise naming the row.

    Example:
        >>> as_features([[1, 2], [3, 4]]).dtype
        dtype('float64')
    """
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
        x = as_features(features)
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
    check_psd(outer, f"{where}: 'sum_outer'")
    rows = None
    if "features" in arrays:
        rows = arrays["features"]
        if rows.shape != (n, d) or not np.issubdtype(rows.dtype, np.number):
            raise StatisticsError(
                f"{where}: 'features' must have shape ({n}, {d}) (count x dim), got {rows.shape}"
            )
        rows = rows.astype(np.float64)
    return n, shift, total, outer, rows


def check_psd(s: np.ndarray, what: str) -> None:
    """Refuse a symmetric matrix with a clearly negative eigenvalue (beyond rounding).

    One Cholesky factorisation of ``S + tol I`` (``tol`` = 1e-6 of the largest diagonal entry)
    succeeds exactly when every eigenvalue is above ``-tol``: cheaper than an eigendecomposition.

    Example:
        >>> check_psd(np.eye(2), "sigma")  # fine: returns None
        >>> check_psd(np.diag([1.0, -1.0]), "sigma")
        Traceback (most recent call last):
        ...
        vidkit.errors.StatisticsError: sigma is not positive semi-definite (smallest eigenvalue -1)...
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
