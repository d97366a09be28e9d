"""Medians with numpy's values at a tenth of its cost: one partition at the middle.

``np.median`` partitions at both middle places and the last one (its NaN check) in one call;
numpy's partition with several places is a plain introselect, with one place a vectorised
quickselect, 10-15x faster on float32 arrays of a few thousand values and more (350 against
26 us on the 44k residuals of :func:`vidkit.probes.background.noise_sigma`). Here the array
is partitioned at the upper middle only; the lower middle is the largest value below it and
a NaN (sorted last) shows as the largest value above it. The two middle values are averaged
as ``np.median`` does (their float sum halved, in the array's dtype), so the results are
numpy's to the bit (float32 and float64; any other dtype goes to ``np.median`` itself).

Arrays of ``BRACKET_MIN`` values or more (a frame's pixels, a clip's residuals) first try a
bracket (:func:`_bracketed`): two order statistics of a regular sample that hold the middle
between them, the values below counted and only those between partitioned. The same values
again, at half the partition's cost on continuous values (12288 pixel differences of a 64x64
frame pair: 48 against 89 us) and a twentieth on the ties of 8-bit frames (37 against 830
us: numpy's partition slows down on many equal values).

Example:
    >>> import numpy as np
    >>> from vidkit.probes.medians import median, row_medians
    >>> x = np.array([3.0, 1.0, 4.0, 1.5], np.float32)
    >>> float(median(x)), float(np.median(x))
    (2.25, 2.25)
    >>> row_medians(np.array([[1.0, 5.0, 2.0], [np.nan, 0.0, 1.0]])).tolist()
    [2.0, nan]
"""

from __future__ import annotations

import numpy as np

__all__ = ["median", "median_above", "percentile", "row_medians"]

_FAST = (np.dtype(np.float32), np.dtype(np.float64))
# arrays of at least this many values take the bracket (:func:`_bracketed`): at 4096 values
# it costs 23 us against one partition's 37 (float32; 31 against 49 in float64), at 1600 the
# partition is the faster (15 against 21 us), with the break-even near 2k
BRACKET_MIN = 4096
_SAMPLE = 256


def median(x: np.ndarray, overwrite: bool = False) -> np.floating:
    """``np.median(x)`` (over all the values), the same value and dtype.

    ``overwrite``: ``x`` may be reordered (a temporary the caller no longer needs).

    Example:
        >>> import numpy as np
        >>> float(median(np.array([5.0, 1.0, 2.0])))
        2.0
    """
    a = np.asarray(x)
    n = a.size
    if n == 0 or a.dtype not in _FAST:
        return np.median(a, overwrite_input=overwrite)
    if n >= BRACKET_MIN:
        got = _bracketed(a.reshape(-1))
        if got is not None:
            return got
    p = a.reshape(-1) if overwrite and a.flags.c_contiguous else np.array(a, copy=True).ravel()
    h = n // 2
    p.partition(h)
    if np.isnan(p[h:].max()):
        return p.dtype.type(np.nan)
    if n % 2:
        return p[h]
    return (p[:h].max() + p[h]) / 2


def median_above(x: np.ndarray, level: float) -> bool:
    """``bool(median(x) > level)``, mostly without the median: by counting the values above
    ``level``. The middle value(s) are above it when more than half the values are, and not
    when fewer are; the mean of two middle values on the same side of ``level`` stays on that
    side in floating point too (``level`` exactly representable in ``x``'s dtype: the sum of
    two values above ``2 level`` rounds above it, halving is exact). Only where the middle pair
    straddles ``level``, or a NaN is there, is the median itself taken (:func:`median`). A
    background colour test over 4096 pixels: 4 us against 30-40 us for the median.

    Example:
        >>> import numpy as np
        >>> median_above(np.array([0.1, 0.3, 0.4], np.float32), 0.25)
        True
    """
    a = np.asarray(x).reshape(-1)
    n = a.size
    if n == 0 or a.dtype not in _FAST or float(a.dtype.type(level)) != level:
        return bool(median(a) > level)
    above = int(np.count_nonzero(a > level))
    if above + int(np.count_nonzero(a <= level)) == n:  # no NaN
        h = n // 2
        if above >= n - h + (1 - n % 2):  # the middle value (both middle values) above
            return True
        if above <= n - h - 1:  # the middle value (both) at or below
            return False
    return bool(median(a) > level)


def percentile(x: np.ndarray, q: float) -> np.floating:
    """``np.percentile(x, q)`` (over all the values, linear interpolation), the same value and
    dtype. numpy partitions at both neighbours of the virtual index ``q / 100 (n - 1)`` in one
    call, its slow introselect (:func:`median`'s note); here one partition at the upper one,
    the lower one the largest value below it, and numpy's interpolation ``a + (b - a) t``
    (``b - (b - a) (1 - t)`` for ``t >= 0.5``) in the array's dtype: 4096 float32 gradient
    magnitudes (:func:`~vidkit.probes.camera_dense.dense_align`'s textured quarter) in ~half
    the time. A NaN, or any other dtype, goes to ``np.percentile`` itself.

    Example:
        >>> import numpy as np
        >>> x = np.array([4.0, 1.0, 3.0, 2.0], np.float32)
        >>> float(percentile(x, 75)), float(np.percentile(x, 75))
        (3.25, 3.25)
    """
    a = np.asarray(x)
    n = a.size
    if n < 2 or a.dtype not in _FAST or not 0 <= q <= 100:
        return np.percentile(a, q)
    vi = (q / 100) * (n - 1)
    lo = int(np.floor(vi))
    t = vi - lo
    hi = min(lo + 1, n - 1)
    p = np.array(a, copy=True).ravel()
    p.partition(hi)
    if np.isnan(p[hi:].max()):
        return np.percentile(a, q)
    b = p[hi]
    low = p[:hi].max() if hi > lo else b
    d = b - low
    return b - d * (1 - t) if t >= 0.5 else low + d * t


def _bracketed(p: np.ndarray) -> np.floating | None:
    """:func:`median` of a long 1-D float array ``p`` (not modified) through a bracket, or None
    where the bracket misses the middle (then :func:`median` partitions the whole array).

    The middle values lie, but for a chance of ~1e-3, between two order statistics of a
    regular sample of ~256 values, 1.6 standard deviations of the sample median's rank either
    side (~20% of the values); the values below the bracket are counted and only those inside
    are partitioned: the same order statistics as one partition of all, at half its cost (31
    pixel differences of a 64x64 clip, 12288 values each: 82 us a median against 45; taking
    the values inside by ``np.compress``, 4x cheaper than a boolean index). A zero the array
    holds with both signs in the middle also gives None (``-0.0 == 0.0``: which of them a
    partition puts in the middle is its own choice); any other two values that compare equal
    have the same bits, so the result is :func:`median`'s to the bit."""
    n = p.size
    h = n // 2
    s = p[:: n // _SAMPLE]
    m = s.size
    j, w = h * m / n, 1.6 * np.sqrt(m)
    jl, jh = max(int(j - w), 0), min(int(j + w) + 1, m - 1)
    s = np.partition(s, (jl, jh))
    lo, hi = s[jl], s[jh]
    below = int(np.count_nonzero(p < lo))
    above = int(np.count_nonzero(p > hi))
    win = p >= lo
    win &= p <= hi
    c = np.compress(win, p)
    if below + c.size + above != n:  # a NaN, which no comparison holds for: np.median's NaN
        return p.dtype.type(np.nan)
    k = h - below
    if not 1 - n % 2 <= k < c.size:  # (n even: the lower middle value, k - 1, inside too)
        return None
    if lo == hi:  # every value inside equals lo (ties: an 8-bit still frame's differences)
        up = low = lo
    else:
        c.partition(k)
        up = c[k]
        low = c[:k].max() if n % 2 == 0 else up
    if (up == 0 or low == 0) and _mixed_zeros(c):
        return None
    return up if n % 2 else (low + up) / 2


def _mixed_zeros(c: np.ndarray) -> bool:
    """Whether ``c`` holds zeros of both signs."""
    sb = np.signbit(c[c == 0])
    return bool(sb.any() and not sb.all())


def row_medians(x: np.ndarray) -> np.ndarray:
    """``np.median(x, axis=1)`` of a 2-D array, the same values and dtype.

    Example:
        >>> import numpy as np
        >>> row_medians(np.array([[4.0, 1.0], [2.0, 3.0]])).tolist()
        [2.5, 2.5]
    """
    a = np.asarray(x)
    if a.ndim != 2 or a.shape[1] == 0 or a.dtype not in _FAST:
        return np.median(a, axis=1)
    n = a.shape[1]
    if n >= BRACKET_MIN:  # long rows: each through its bracket (the same values, _bracketed)
        got = [_bracketed(row) for row in a]
        if all(v is not None for v in got):
            return np.array(got, dtype=a.dtype)
    h = n // 2
    p = np.partition(a, h, axis=1)
    out = (p[:, :h].max(axis=1) + p[:, h]) / 2 if n % 2 == 0 else p[:, h].copy()
    out[np.isnan(p[:, h:].max(axis=1))] = np.nan  # a NaN sorts last: numpy's median is NaN
    return out
