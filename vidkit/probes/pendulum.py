"""Pendulums among the tracked objects: a trajectory on a circular arc that swings is read with its
own model (pivot and rod length from a circle fit, ``theta'' = -(g / L) sin(theta)``), so the
gravity probe can check it (see :mod:`vidkit.probes.trajectory`).

Example:
    >>> import numpy as np
    >>> from vidkit.probes.pendulum import circle_fit
    >>> t = np.linspace(0.0, 1.0, 6)
    >>> centre, r, _ = circle_fit(np.stack([10 * np.sin(t), 10 * np.cos(t)], axis=1))
    >>> round(r, 6)
    10.0
"""

from __future__ import annotations

from typing import Any

import numpy as np

from vidkit.probes.tracking import Tracks, mask_runs

__all__ = ["circle_fit", "fit_pendulum"]


def circle_fit(pos: np.ndarray) -> tuple[np.ndarray, float, float]:
    """Algebraic (Kasa) circle fit of ``[n, 2]`` points: centre, radius, rms distance residual.

    Example:
        >>> t = np.linspace(0, 2, 9)
        >>> c, r, rms = circle_fit(np.stack([3 + 5 * np.sin(t), 4 + 5 * np.cos(t)], axis=1))
        >>> [round(float(v), 6) for v in c], round(r, 6), rms < 1e-9
        ([3.0, 4.0], 5.0, True)
    """
    x, y = pos[:, 0], pos[:, 1]
    A = np.stack([x, y, np.ones_like(x)], axis=1)
    b = x**2 + y**2
    c, *_ = np.linalg.lstsq(A, b, rcond=None)
    cx, cy = c[0] / 2, c[1] / 2
    r = float(np.sqrt(max(c[2] + cx**2 + cy**2, 0.0)))
    res = np.hypot(x - cx, y - cy) - r
    return np.array([cx, cy]), r, float(np.sqrt(np.mean(res**2)))


def fit_pendulum(tr: Tracks, i: int, sigma: float, cam_err: float = 0.0) -> dict[str, Any] | None:
    """Read object ``i`` as a pendulum when its path is a swinging circular arc.

    ``cam_err`` (px) is the camera's error per frame in the object's shot (a stabilised shot's
    misfit, or the jitter a still-judged shot's background shows; 0 for a still camera): the
    arc's bend away from a straight line must exceed three times it, as it must three times
    the circle's own residual. A misregistration of ``cam_err`` px per frame bends a straight
    path by about that much, and a ball rolling across a shaken or zoomed shot (a bend of 0.6
    px over a 700 px "rod", 8 degrees of "swing") was read as a pendulum whose two halves
    disagreed on g by a factor of -3.

    Example:
        >>> fit_pendulum(tracks, 0, 0.05) is None  # doctest: +SKIP
        False
    """
    ok = tr.reliable(i)
    fr = np.flatnonzero(ok)
    if fr.size < 8:
        return None
    pos = tr.centers[i, fr]
    centre, L, rms = circle_fit(pos)
    H, W = tr.size
    ps = tr.pixel_scale
    if not np.isfinite(L) or L < 3 * ps or L > 4 * max(H, W) or rms > max(0.3 * ps, 4 * sigma):
        return None
    # a pendulum hangs below its pivot and swings: x is not linear in time
    if np.median(pos[:, 1]) <= centre[1]:
        return None
    # the path must be curved: a straight line leaves (much) more residual than the circle
    d = pos - pos.mean(axis=0)
    line_rms = float(np.sqrt(np.linalg.svd(d, compute_uv=False)[-1] ** 2 / len(d)))
    if line_rms < max(0.5 * ps, 3 * rms, 3 * cam_err):
        return None
    lin = np.polyfit(fr, pos[:, 0], 1)
    if np.sqrt(np.mean((np.polyval(lin, fr) - pos[:, 0]) ** 2)) < max(0.5 * ps, 5 * sigma):
        return None
    theta = np.arctan2(pos[:, 0] - centre[0], pos[:, 1] - centre[1])
    if np.ptp(theta) < np.deg2rad(8):
        return None
    from scipy.signal import savgol_filter

    dt = 1.0 / tr.fps
    # theta'' from a 5-point quadratic (Savitzky-Golay) on runs of consecutive frames
    accs, sins, mids = [], [], []
    for run in mask_runs(np.isin(np.arange(fr.max() + 1), fr)):
        if run.size < 5:
            continue
        t = theta[np.searchsorted(fr, run)]
        accs.append(savgol_filter(t, 5, 2, deriv=2, delta=dt)[2:-2])
        sins.append(np.sin(t)[2:-2])
        mids.append(run[2:-2])
    if not mids or sum(m.size for m in mids) < 6:
        return None
    acc, s, mid_frames = np.concatenate(accs), np.concatenate(sins), np.concatenate(mids)

    def kfit(sel: np.ndarray) -> tuple[float, float, float]:
        ss = float(s[sel] @ s[sel])
        if ss < 1e-9 or sel.sum() < 3:
            return float("nan"), float("inf"), float("inf")
        k = -float(s[sel] @ acc[sel]) / ss
        r = acc[sel] + k * s[sel]
        rss = float(r @ r)
        dof = max(int(sel.sum()) - 1, 1)
        return k, float(np.sqrt(rss / dof / ss)), rss

    k, kse, _ = kfit(np.ones(mid_frames.size, bool))
    # a swing is an angular acceleration towards the bottom of the arc, in proportion to
    # sin(theta): without a restoring g three standard errors above zero the arc is no pendulum
    # (seed 2 clean 200114: a 31 px ball rolling to a stop along a floor that its shading bends
    # by 2 px, a 540 px "rod"; it slows down on both sides of the lowest point, g = 48 +- 122
    # px/s^2 over the whole path, and its two halves, -594 and +292, failed against each other)
    if not k > 3 * kse:
        return None
    # the best single change of g (least residual of two regressions)
    best, split = np.inf, None
    for c in range(3, mid_frames.size - 2):
        sel = np.arange(mid_frames.size) < c
        r1, r2 = kfit(sel)[2], kfit(~sel)[2]
        if r1 + r2 < best:
            best, split = r1 + r2, sel
    if split is None:
        split = mid_frames < np.median(mid_frames)
    k1, k1se, _ = kfit(split)
    k2, k2se, _ = kfit(~split)
    omega = np.gradient(theta, fr / tr.fps)
    return {
        "pivot": centre,
        "length": L,
        "rms": rms,
        "frames": fr,
        "theta": theta,
        "omega": omega,
        "g": k * L,
        "g_se": kse * L,
        "g_parts": (k1 * L, k2 * L),
        "g_parts_se": (k1se * L, k2se * L),
        "part_frames": (mid_frames[split], mid_frames[~split]),
        "fps": tr.fps,
    }
