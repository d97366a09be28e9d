"""Camera motion between ONE pair of frames, from corners: :func:`pair_motion`.

Up to 400 corners (``cv2.goodFeaturesToTrack``) of the first frame are followed into the second
by pyramidal Lucas-Kanade and back (forward-backward error < 0.5 px kept), and
``cv2.estimateAffinePartial2D`` (RANSAC) fits a similarity to them, after the second frame is
brought to the first one's mean brightness. A zoom and rotation that do not stand ``LINEAR_Z``
standard errors out of the corners' jitter are dropped (the plain shift is kept), and a pair
whose corners barely move is held still unless the fitted motion aligns the frames better than
no motion at all, and a fit that more of the picture's area contradicts than supports is an
object's motion, not the camera's (``camera_cluster.still_explains_more``). :mod:`vidkit.probes.camera` chains these pair maps over a shot.

Example:
    >>> import numpy as np
    >>> from vidkit.probes.camera_pair import pair_motion
    >>> rng = np.random.default_rng(0)
    >>> tex = (rng.random((80, 120)) * 255).astype(np.uint8)
    >>> m = pair_motion(tex[:, 4:100], tex[:, 6:102])
    >>> round(float(m["M"][0, 2]), 1)
    -2.0
"""

from __future__ import annotations

from typing import Any

import numpy as np

from vidkit.probes.camera_cluster import (
    corners_in_one_cluster,
    rest_stays_put,
    still_explains_more,
)
from vidkit.probes.camera_dense import RANSAC_PX

__all__ = ["LINEAR_Z", "MIN_POINTS", "STILL_PX", "blur_gray", "pair_motion"]

MIN_POINTS = 20
STILL_PX = 0.15
LINEAR_Z = 5.0


def blur_gray(g: np.ndarray) -> np.ndarray:
    """The light blur :func:`pair_motion` takes its corners on (sigma 1.5 px): sensor noise
    must not make corners.

    Example:
        >>> int(blur_gray(np.full((8, 8), 7, np.uint8)).max())
        7
    """
    import cv2

    return cv2.GaussianBlur(g, (0, 0), 1.5)


def pair_motion(
    g0: np.ndarray, g1: np.ndarray, mask: np.ndarray | None = None, *, blurred: bool = False
) -> dict[str, Any]:
    """Similarity from gray frame ``g0`` to ``g1`` (uint8): ``M`` (2x3, maps points of g0 to
    g1; None when not measurable), ``points`` (consistent corners), ``inliers`` (fraction),
    ``residual`` (px, RMS over inliers) and ``spread`` (fraction of the frame the corners span).
    ``mask`` (bool, g0's shape): where corners may be taken (where ``g1`` shows the scene: a
    warped frame's blank border would hold corners that follow the border, not the scene).
    ``blurred``: both frames have had the light blur already (:func:`blur_gray`; a frame in two
    consecutive pairs is blurred once: the same result, without a second blur of each frame).

    Example:
        >>> import numpy as np
        >>> pair_motion(np.zeros((32, 32), np.uint8), np.zeros((32, 32), np.uint8))["M"] is None
        True
    """
    import cv2

    H, W = g0.shape
    out: dict[str, Any] = {"M": None, "points": 0, "inliers": 0.0, "residual": np.nan, "spread": 0}
    if min(H, W) < 16:
        return out
    if not blurred:  # a light blur first: sensor noise must not make corners
        g0, g1 = blur_gray(g0), blur_gray(g1)
    # the same brightness: a global lighting change over a brightness ramp (a lit wall, a
    # vignette) moves no scene point, yet Lucas-Kanade and the comparison with a still camera
    # read it as a shift or a zoom (a frame 5 gray levels brighter "zoomed" by 2-5%)
    if mask is None:  # every pixel (uint8 sums are exact: the same means as through a mask)
        m0, m1 = float(g0.mean()), float(g1.mean())
    elif (sel := np.asarray(mask, bool)).sum() > 0.2 * sel.size:
        m0, m1 = float(g0[sel].mean()), float(g1[sel].mean())
    else:
        m0 = m1 = 0.0
    if m1 > 1.0 and abs(m0 / m1 - 1.0) > 0.002:
        g1 = np.clip(g1.astype(np.float32) * (m0 / m1) + 0.5, 0, 255).astype(np.uint8)
    win = (15, 15) if min(H, W) >= 64 else (9, 9)
    lev = 3 if min(H, W) >= 128 else 2
    # corners relative to the strongest one; a faint texture (low-contrast checks behind a
    # high-contrast object) only shows at the lower level
    m8 = None
    if mask is not None:
        # corners at least an LK window inside the shown part
        m8 = cv2.erode(np.asarray(mask, np.uint8), np.ones(win, np.uint8), borderValue=0)
    for quality in (0.05, 0.01):
        p0 = cv2.goodFeaturesToTrack(
            g0,
            maxCorners=300,
            qualityLevel=quality,
            minDistance=max(3, min(H, W) // 40),
            blockSize=5,
            mask=m8,
        )
        if p0 is None or len(p0) < MIN_POINTS:
            out["points"] = 0 if p0 is None else len(p0)
            continue
        p1, st, _ = cv2.calcOpticalFlowPyrLK(g0, g1, p0, None, winSize=win, maxLevel=lev)
        pb, st2, _ = cv2.calcOpticalFlowPyrLK(g1, g0, p1, None, winSize=win, maxLevel=lev)
        fb = np.hypot(*(pb - p0).reshape(-1, 2).T)
        ok = (st.ravel() == 1) & (st2.ravel() == 1) & (fb < 0.5)
        a, b = p0.reshape(-1, 2)[ok], p1.reshape(-1, 2)[ok]
        out["points"] = int(ok.sum())
        if a.shape[0] >= MIN_POINTS:
            break
    else:
        return out
    out["spread"] = float(np.ptp(a[:, 0]) * np.ptp(a[:, 1]) / (W * H))
    step = np.hypot(*(b - a).T)
    if float(np.median(step)) < STILL_PX:
        # most corners stay put: a still camera (fitting a similarity to noise would drift)
        out["held"] = True
        return _still(out, step < 1.0, step)
    M, inl = cv2.estimateAffinePartial2D(
        a, b, method=cv2.RANSAC, ransacReprojThreshold=RANSAC_PX, maxIters=500, confidence=0.99
    )
    if M is None:
        return out
    inl = inl.ravel().astype(bool)
    pred = a @ M[:, :2].T + M[:, 2]
    res = np.hypot(*(pred - b)[inl].T)
    rms = float(np.sqrt(np.mean(res**2))) if res.size else np.nan
    # the fitted motion must stand out of the corners' jitter (3 standard errors), else the
    # camera is still and the "motion" is noise
    still = step < RANSAC_PX
    d = (b - a)[still]
    if still.sum() >= 3:
        mean = np.abs(d.mean(axis=0))
        se = d.std(axis=0) / np.sqrt(still.sum())
        shift_is_noise = bool(np.all(mean < np.maximum(3 * se, 0.02)))
        # (a zoom has no mean shift either, but objects moving apart on a still camera make
        # one too: a zoom that no pair shows is found over the shot, :func:`_slow_drift`)
    else:
        shift_is_noise = False
    if shift_is_noise and still.mean() >= inl.mean() - 0.1:
        out["held"] = True
        return _still(out, still, step)
    if still_explains_more(g0, g1, M, RANSAC_PX, mask):
        # more of the picture lines up left as it is: the corners that agree on the motion are
        # on a moving part of it, not on the background
        return _still(out, step < 1.0, step)
    if not _beats_still(g0, g1, M, mask):
        # the corners that agree are on a moving object (a plain or smooth background has few
        # of its own): the frame as a whole lines up better without moving the camera
        return _still(out, step < 1.0, step)
    if corners_in_one_cluster(a[inl], W, H) and rest_stays_put(g0, g1, M, a[inl], mask):
        # every corner that agrees sits in one object-sized cluster (a large textured ball
        # over a smooth gradient holds all of a frame's corners) and the rest of the frame,
        # whose smooth shading still shows a shift, lines up better left as it is
        return _still(out, step < 1.0, step)
    if _linear_is_noise(a[inl], (b - a)[inl]):
        # no zoom or rotation stands out of the corners' jitter: the plain shift (the simplest
        # model that explains them); a zoom fitted to noise, with corners on one part of the
        # frame (a floor's texture), tilts the shift of the rest of the frame
        M = np.eye(2, 3)
        M[:, 2] = np.mean((b - a)[inl], axis=0)
        pred = a + M[:, 2]
        rms = float(np.sqrt(np.mean(np.sum((pred - b)[inl] ** 2, axis=1))))
    out.update(M=M, inliers=float(inl.mean()), residual=rms)
    return out


def _linear_is_noise(a: np.ndarray, d: np.ndarray) -> bool:
    """Whether the zoom and rotation of the moves ``d`` of the corners ``a`` (px) are within
    LINEAR_Z standard errors of zero (least squares about the corners' centroid, shift
    removed). Not 3: the corners' errors are heavy-tailed (Lucas-Kanade on noise, periodic
    tiles) and a pair has 20-40 of them on faint texture, so 3 standard errors pick a zoom of
    0.3% in about one pair of ten on a camera that does not zoom; a real zoom of 0.15% a frame
    stands 8-20 standard errors out (and a slower one is found over the shot:
    :func:`_slow_drift`, :func:`_refine_to_first`)."""
    r = a - a.mean(axis=0)
    dc = d - d.mean(axis=0)
    rr = float(np.sum(r**2))
    if rr <= 0 or a.shape[0] < 4:
        return True
    k = float(np.sum(r * dc)) / rr  # scale - 1
    w = float(np.sum(r[:, 0] * dc[:, 1] - r[:, 1] * dc[:, 0])) / rr  # rotation (rad)
    e = dc - k * r - w * np.stack([-r[:, 1], r[:, 0]], axis=1)
    se = float(np.sqrt(np.sum(e**2) / max(1, 2 * a.shape[0] - 2) / rr))
    return abs(k) < LINEAR_Z * se and abs(w) < LINEAR_Z * se


def _still(out: dict[str, Any], still: np.ndarray, step: np.ndarray) -> dict[str, Any]:
    """``out`` for a still camera: identity map; inliers and residual of the corners that stay
    (``still``; ``step`` their moves in px)."""
    res = step[still]
    out.update(
        M=np.eye(2, 3),
        inliers=float(still.mean()),
        residual=float(np.sqrt(np.mean(res**2))) if res.size else np.nan,
    )
    return out


def _beats_still(
    g0: np.ndarray, g1: np.ndarray, M: np.ndarray, mask: np.ndarray | None = None
) -> bool:
    """Whether warping by ``M`` lines the two (blurred) gray frames up better than leaving them
    as they are: the mean absolute difference over the textured pixels both show (the quarter
    with the strongest gradient), the largest tenth left out (moving objects). ``mask``: where
    ``g1`` shows the scene (a warped frame's blank border is no part of it)."""
    import cv2

    H, W = g0.shape
    a = g0.astype(np.float32)
    b = g1.astype(np.float32)
    if mask is not None:
        b = np.where(mask, b, -1.0).astype(np.float32)  # blank: left out like the outside
    flags = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
    bw = cv2.warpAffine(b, M, (W, H), flags=flags, borderValue=-1.0)
    ok = bw >= 0
    if mask is not None:
        # INTER_LINEAR blends a blank neighbour into a negative value: the rim is left out too
        ok &= mask & (b >= 0)
    if ok.mean() < 0.3:
        return True
    # over the textured pixels (where a misalignment shows), the largest 10% of differences
    # (moving objects) left out
    gy, gx = np.gradient(a)
    mag = np.hypot(gx, gy)
    tex = ok & (mag >= np.percentile(mag[ok], 75))
    if tex.sum() < 50:
        tex = ok

    def trimmed(d: np.ndarray) -> float:
        d = np.sort(np.abs(d))
        return float(np.mean(d[: max(1, int(0.9 * d.size))]))

    return trimmed(bw[tex] - a[tex]) < trimmed(b[tex] - a[tex])
