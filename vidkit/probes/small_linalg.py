"""``np.linalg.pinv`` of the small float64 matrices of the probes, the same values at half the cost.

The probes take the pseudo-inverse of a 3x3 or 4x4 normal matrix tens of times per clip (a
standard error per local camera shift, per fitted trajectory piece, per leverage of a
prediction): ``np.linalg.pinv`` spends ~2/3 of its ~80 us there in its general-case
bookkeeping (the ``rcond`` array, the broadcast cutoff, a keepdims reduction), not in the SVD.
:func:`pinv` makes the same SVD call and the same products in the same order (the same
cutoff ``1e-15 * max(s)``; where every singular value passes it, ``1 / s`` is the
``np.divide(1, s, where=...)`` it would take), so its values are numpy's to the bit. Any
other input (not a 2-D float64 array, or an empty one) goes to ``np.linalg.pinv`` itself.

Example:
    >>> import numpy as np
    >>> from vidkit.probes.small_linalg import pinv
    >>> a = np.array([[2.0, 1.0], [1.0, 3.0]])
    >>> bool(np.array_equal(pinv(a), np.linalg.pinv(a)))
    True
"""

from __future__ import annotations

import numpy as np

__all__ = ["pinv"]

_F64 = np.dtype(np.float64)


def pinv(a: np.ndarray) -> np.ndarray:
    """``np.linalg.pinv(a)`` (default ``rcond``), the same values and dtype.

    Example:
        >>> import numpy as np
        >>> pinv(np.array([[4.0, 0.0], [0.0, 0.0]])).tolist()
        [[0.25, 0.0], [0.0, 0.0]]
    """
    x = np.asarray(a)
    if x.ndim != 2 or x.dtype != _F64 or x.size == 0:
        return np.linalg.pinv(x)
    # the calls of np.linalg.pinv (numpy 2.x) for a real 2-D matrix: svd, the cutoff
    # rcond * max(s), 1 / s above it (0 below), vt^T @ (s[:, None] * u^T)
    u, s, vt = np.linalg.svd(x, full_matrices=False)
    large = s > 1e-15 * s.max()
    if large.all():
        s = 1 / s
    else:
        s = np.divide(1, s, where=large, out=s)
        s[~large] = 0
    return np.matmul(vt.T, s[:, None] * u.T)
