"""Whether the corners that agree on a motion are one object's, not the camera's.

A large textured object over a smooth background can hold nearly all of a frame's corners: their
similarity (the object's motion) then lines the frame's textured pixels (the object's rim) up
better than a still camera, and a still shot reads as a moving one. Two checks tell them apart:
the corners lie in one object-sized cluster, and the rest of the frame, whose smooth shading shows
a shift even without corners, stays put.
"""

from __future__ import annotations

import numpy as np

__all__ = ["corners_in_one_cluster", "rest_stays_put", "still_explains_more"]


def corners_in_one_cluster(a: np.ndarray, W: int, H: int) -> bool:
    """Whether the corners ``a`` (px) lie in one cluster of an object's size: the box of their
    10-90th percentiles covers under 10% of the frame (a camera's motion moves a scene's
    corners wherever its texture is; a floor strip or a textured wall spans more).

    Example:
        >>> import numpy as np
        >>> corners_in_one_cluster(np.array([[60.0, 40], [66, 44], [62, 50], [70, 46]]), 128, 96)
        True
    """
    if a.shape[0] < 4:
        return False
    lo, hi = np.percentile(a, [10, 90], axis=0)
    return float(np.prod(hi - lo)) < 0.10 * W * H


def still_explains_more(
    g0: np.ndarray,
    g1: np.ndarray,
    M: np.ndarray,
    still_px: float,
    mask: np.ndarray | None = None,
) -> bool:
    """Whether leaving the frames as they are (a still camera) explains more of the picture than
    the motion ``M`` (2x3, points of the gray frame ``g0`` to ``g1``) fitted to its corners,
    where ``M`` moves the frame by more than ``still_px`` (the two can be told apart).

    The camera is what the BACKGROUND does, and the background is most of the picture's AREA,
    not most of its corners: a large textured ball falling over a smooth gradient held 21 of a
    frame's 32 corners while the 11 others, on the floor, stayed put (a still camera read as a
    13-46 px tilt, seed 4 clip 400154), and a large ball gliding over faint noise made a 3% zoom
    (a still camera "panned 61 px", seed 2 clip 200192). So every pixel votes: it speaks for
    the hypothesis (``M``, or the frames left as they are) under which its two frames agree
    clearly better, by more than three robust standard deviations of the frames' noise (the
    smaller of its two residuals, over the frame); a pixel both explain (flat, or a shift along
    an edge) does not vote. An object's motion is supported by the crescents it uncovers and
    covers; a still camera by the floor, the background's shading and every other object; a
    moving camera by all of its textured background. ``mask``: where ``g1`` shows the scene.

    Example:
        >>> import numpy as np
        >>> rng = np.random.default_rng(0)
        >>> g0 = (rng.random((60, 80)) * 200).astype(np.uint8)
        >>> g1 = g0.copy()
        >>> g1[10:20, 10:20] = g0[5:15, 10:20]  # a small patch moves 5 px down
        >>> still_explains_more(g0, g1, np.array([[1.0, 0, 0], [0, 1, 5]]), 1.5)
        True
        >>> still_explains_more(g0[:, 2:], g0[:, :-2], np.array([[1.0, 0, 2], [0, 1, 0]]), 1.5)
        False
    """
    import cv2

    from vidkit.probes.camera_dense import corner_moves

    H, W = g0.shape
    if corner_moves(M, np.eye(2, 3), W, H) <= still_px:
        return False
    f0 = g0.astype(np.float32)
    f1 = g1.astype(np.float32)
    flags = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
    w1 = cv2.warpAffine(f1, np.asarray(M, np.float64), (W, H), flags=flags, borderValue=np.nan)
    ok = np.isfinite(w1)
    if mask is not None:
        ok &= np.asarray(mask, bool)
    if ok.mean() < 0.3:
        return False
    r_m = np.abs(w1[ok] - f0[ok])
    r_s = np.abs(f1[ok] - f0[ok])
    sig = max(1.4826 * float(np.median(np.minimum(r_m, r_s))), 0.5)
    for_m = int(np.count_nonzero(r_s - r_m > 3 * sig))
    for_still = int(np.count_nonzero(r_m - r_s > 3 * sig))
    return for_still > for_m


def rest_stays_put(
    g0: np.ndarray, g1: np.ndarray, M: np.ndarray, a: np.ndarray, mask: np.ndarray | None
) -> bool:
    """Whether the part of the frame away from the corners ``a`` (outside their box grown by
    a sixth of the frame) stays put while ``M`` moves it: the affine motion that its shading
    shows (one least-squares step of direct alignment at rest over the pixels with a
    gradient >= 0.5 gray level/px, where a shift shows even on a smooth gradient that has no
    corners) moves it by under 0.3 px on average, and ``M`` by more than a pixel from that.
    Where nothing there has shading (a plain background), this says no: the corners decide.

    Example:
        >>> import numpy as np
        >>> ramp = np.tile(np.arange(128) * 0.8 + 20, (96, 1)).astype(np.uint8)
        >>> corners = np.array([[60.0, 40], [66, 44], [62, 50], [70, 46]])
        >>> rest_stays_put(ramp, ramp, np.array([[1.0, 0, 2], [0, 1, 0]]), corners, None)
        True
    """
    H, W = g0.shape
    lo, hi = np.percentile(a, [10, 90], axis=0)
    m = max(W, H) / 6.0
    away = np.ones((H, W), bool)
    away[
        max(0, int(lo[1] - m)) : min(H, int(np.ceil(hi[1] + m))),
        max(0, int(lo[0] - m)) : min(W, int(np.ceil(hi[0] + m))),
    ] = False
    if mask is not None:
        away &= np.asarray(mask, bool)
    a0 = g0.astype(np.float32)
    gy, gx = np.gradient(a0)
    sel = away & (np.hypot(gx, gy) >= 0.5)
    if sel.sum() < 0.05 * W * H:
        return False
    ys, xs = np.nonzero(sel)
    x = (xs - W / 2.0) / W
    y = (ys - H / 2.0) / H
    u, v = gx[sel].astype(np.float64), gy[sel].astype(np.float64)
    J = np.stack([u, u * x, u * y, v, v * x, v * y], axis=1)
    r = (g1.astype(np.float32)[sel] - a0[sel]).astype(np.float64)
    q = np.linalg.lstsq(J, -r, rcond=None)[0]
    fu = q[0] + q[1] * x + q[2] * y
    fv = q[3] + q[4] * x + q[5] * y
    mu = M[0, 0] * xs + M[0, 1] * ys + M[0, 2] - xs
    mv = M[1, 0] * xs + M[1, 1] * ys + M[1, 2] - ys
    rest = float(np.mean(np.hypot(fu, fv)))
    off = float(np.mean(np.hypot(mu - fu, mv - fv)))
    return rest < 0.3 and off > 1.0
