"""vidkit.probes.medians: the bracketed median (long arrays) is np.median to the bit."""

import numpy as np
import pytest

from vidkit.probes import medians


def _same(a, b) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.tobytes() == b.tobytes()


def _arrays(rng: np.random.Generator):
    n = 12288
    yield rng.random(n)  # continuous
    yield rng.random(n + 1)  # odd length
    yield np.sort(rng.random(n))  # sorted: the regular sample is all from one end
    yield np.tile(rng.random(64), 200)  # periodic: the sample sees one value only
    u = rng.integers(100, 110, n).astype(np.uint8)
    v = u.copy()
    v[rng.random(n) < 0.2] += 1
    yield (v / 255).astype(np.float32) - (u / 255).astype(np.float32)  # 8-bit ties at 0
    z = rng.random(n)
    z[z < 0.7] = 0.0
    yield z  # most values +0.0
    w = np.round(rng.normal(size=n)) * 0.0  # +0.0 and -0.0 in the middle: the partition's pick
    yield w
    x = rng.random(n)
    x[17] = np.nan
    yield x  # a NaN: np.median's NaN


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_bracketed_median_is_numpys(dtype):
    rng = np.random.default_rng(0)
    for x in _arrays(rng):
        x = np.asarray(x, dtype)
        medians.BRACKET_MIN, keep = 10**12, medians.BRACKET_MIN
        try:
            ref = medians.median(x)  # one partition of all (numpy's values, see the module)
        finally:
            medians.BRACKET_MIN = keep
        got = medians.median(x)
        assert _same(got, ref), (x[:4], got, ref)
        if not np.isnan(ref):
            assert float(got) == float(np.median(x))
        rows = np.stack([x, x[::-1]])
        assert _same(medians.row_medians(rows), np.median(rows, axis=1).astype(dtype))
