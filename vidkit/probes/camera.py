"""Camera motion: estimate it per frame, decide whether it can be compensated, stabilise frames.

The physics probes fit trajectories in the coordinates of the scene. A panning, shaking or
zooming camera moves every pixel, so the probes first measure the camera's motion between
consecutive frames and, when it is a plain similarity (shift, rotation, uniform zoom), warp every
frame of a shot into the coordinates of its first frame (*stabilised coordinates*) before
tracking.

Between frames ``t`` and ``t+1``: up to 400 corners (``cv2.goodFeaturesToTrack``) of frame ``t``
are followed into ``t+1`` by pyramidal Lucas-Kanade and back (forward-backward error < 0.5 px
kept), and ``cv2.estimateAffinePartial2D`` (RANSAC, 1 px) fits a similarity to them. Moving
objects are outliers of that fit as long as the background holds most of the corners.

Decisions (per shot):

* **static**: too little texture to measure (fewer than 20 consistent corners spread over a fifth
  of the frame: a plain background, where a moving camera would not show anyway), or every frame
  within 0.5 px of the first;
* **compensated**: every frame pair fitted by a similarity with at least 50% inliers and a
  residual below 0.75 px, zoom within 0.67-1.5x and the stabilised canvas at most 2.5x the frame
  area;
* **cannot be compensated** otherwise (parallax, a non-rigid scene, a lost frame pair, a pan
  longer than the canvas): the trajectory probes cannot judge the shot.

Example:
    >>> import numpy as np
    >>> from vidkit.probes.camera import estimate_camera
    >>> rng = np.random.default_rng(0)
    >>> tex = rng.random((90, 140, 3)).astype(np.float32)
    >>> frames = np.stack([tex[5:69, 2 * t : 2 * t + 96] for t in range(8)])
    >>> cam = estimate_camera(frames)
    >>> cam.status, [round(float(v), 1) for v in cam.dx[:3]]
    ('compensated', [-2.0, -2.0, -2.0])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from vidkit.probes.temporal import gray_u8

__all__ = ["CameraMotion", "estimate_camera", "pair_motion", "stabilise"]

MIN_POINTS = 20
STATIC_PX = 0.5
STILL_PX = 0.15
RANSAC_PX = 1.5
MIN_INLIERS = 0.5
MAX_RESIDUAL = 1.0
MAX_UNMEASURED = 0.25
MAX_CANVAS = 2.5


def pair_motion(g0: np.ndarray, g1: np.ndarray) -> dict[str, Any]:
    """Similarity from gray frame ``g0`` to ``g1`` (uint8): ``M`` (2x3, maps points of g0 to
    g1; None when not measurable), ``points`` (consistent corners), ``inliers`` (fraction),
    ``residual`` (px, RMS over inliers) and ``spread`` (fraction of the frame the corners span).

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
    # a light blur first: sensor noise must not make corners
    g0 = cv2.GaussianBlur(g0, (0, 0), 1.5)
    g1 = cv2.GaussianBlur(g1, (0, 0), 1.5)
    win = (15, 15) if min(H, W) >= 64 else (9, 9)
    lev = 3 if min(H, W) >= 128 else 2
    # corners relative to the strongest one; a faint texture (low-contrast checks behind a
    # high-contrast object) only shows at the lower level
    for quality in (0.05, 0.01):
        p0 = cv2.goodFeaturesToTrack(
            g0,
            maxCorners=300,
            qualityLevel=quality,
            minDistance=max(3, min(H, W) // 40),
            blockSize=5,
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
    else:
        shift_is_noise = False
    if shift_is_noise and still.mean() >= inl.mean() - 0.1:
        return _still(out, still, step)
    if not _beats_still(g0, g1, M):
        # the corners that agree are on a moving object (a plain or smooth background has few
        # of its own): the frame as a whole lines up better without moving the camera
        return _still(out, step < 1.0, step)
    out.update(M=M, inliers=float(inl.mean()), residual=rms)
    return out


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


def _beats_still(g0: np.ndarray, g1: np.ndarray, M: np.ndarray) -> bool:
    """Whether warping by ``M`` lines the two (blurred) gray frames up better than leaving them
    as they are: the mean absolute difference over the textured pixels both show (the quarter
    with the strongest gradient), the largest tenth left out (moving objects)."""
    import cv2

    H, W = g0.shape
    a = g0.astype(np.float32)
    b = g1.astype(np.float32)
    flags = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
    bw = cv2.warpAffine(b, M, (W, H), flags=flags, borderValue=-1.0)
    ok = bw >= 0
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


@dataclass
class CameraMotion:
    """The camera's motion over one shot (``T`` frames).

    Attributes:
        status: ``"static"``, ``"compensated"`` or ``"cannot compensate"``.
        reason: one sentence on what was measured.
        dx, dy: ``[T-1]`` shift between consecutive frames (px of the frames given; NaN where
            not measured).
        rotation: ``[T-1]`` rotation (degrees).
        zoom: ``[T-1]`` scale factor between consecutive frames.
        inliers: ``[T-1]`` fraction of corners that follow the fitted motion.
        residual: ``[T-1]`` RMS misfit of those corners (px).
        to_ref: ``[T, 2, 3]`` affine maps from each frame to the stabilised canvas.
        canvas: ``(H, W)`` of the stabilised canvas.
        origin: ``(x, y)`` of the canvas's top-left pixel in the first frame's coordinates
            (a canvas position plus ``origin`` is a position in the first frame).
    """

    status: str
    reason: str
    dx: np.ndarray
    dy: np.ndarray
    rotation: np.ndarray
    zoom: np.ndarray
    inliers: np.ndarray
    residual: np.ndarray
    to_ref: np.ndarray = field(repr=False)
    canvas: tuple[int, int] = (0, 0)
    origin: tuple[float, float] = (0.0, 0.0)

    @property
    def moving(self) -> bool:
        """Whether the frames must be warped (the camera moved and was compensated)."""
        return self.status == "compensated"

    def table(self) -> Any:
        """Per frame pair: shift, rotation, zoom, inliers, residual (pandas DataFrame)."""
        import pandas as pd

        return pd.DataFrame(
            {
                "frames": [f"{t}-{t + 1}" for t in range(self.dx.size)],
                "dx": self.dx,
                "dy": self.dy,
                "rotation_deg": self.rotation,
                "zoom": self.zoom,
                "inliers": self.inliers,
                "residual_px": self.residual,
            }
        )


def _compose(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Affine ``a o b`` (2x3 each)."""
    A = np.vstack([a, [0, 0, 1]])
    B = np.vstack([b, [0, 0, 1]])
    return (A @ B)[:2]


def _invert(m: np.ndarray) -> np.ndarray:
    A = np.vstack([m, [0, 0, 1]])
    return np.linalg.inv(A)[:2]


def estimate_camera(frames: np.ndarray, pairs: list[dict[str, Any]] | None = None) -> CameraMotion:
    """Measure and judge the camera motion of one shot (``[T, H, W, 3]`` float frames).

    ``pairs`` are precomputed :func:`pair_motion` results for the ``T - 1`` consecutive pairs.

    Example:
        >>> estimate_camera(np.zeros((4, 32, 32, 3), np.float32)).status
        'static'
    """
    T, H, W = frames.shape[:3]
    if pairs is None:
        grays = [gray_u8(f) for f in frames]
        pairs = [pair_motion(grays[t], grays[t + 1]) for t in range(T - 1)]
    n = len(pairs)
    dx, dy, rot, zoom = (np.full(n, np.nan) for _ in range(4))
    inl = np.array([p["inliers"] for p in pairs], float)
    res = np.array([p["residual"] for p in pairs], float)
    measured = np.array(
        [p["M"] is not None and p["spread"] >= 0.2 and p["points"] >= MIN_POINTS for p in pairs]
    )
    for t, p in enumerate(pairs):
        if p["M"] is not None:
            M = p["M"]
            s = float(np.hypot(M[0, 0], M[1, 0]))
            zoom[t] = s
            rot[t] = float(np.degrees(np.arctan2(M[1, 0], M[0, 0])))
            # shift of the frame centre
            c = np.array([(W - 1) / 2, (H - 1) / 2])
            d = M[:, :2] @ c + M[:, 2] - c
            dx[t], dy[t] = d
    eye = np.tile(np.eye(2, 3), (T, 1, 1))

    def result(
        status: str, reason: str, to_ref: np.ndarray = eye, canvas=(H, W), origin=(0.0, 0.0)
    ) -> CameraMotion:
        return CameraMotion(status, reason, dx, dy, rot, zoom, inl, res, to_ref, canvas, origin)

    if n == 0 or measured.sum() < max(1, 0.5 * n):
        return result(
            "static",
            "too little texture to measure camera motion: assumed static (a plain background "
            "shows no camera motion)",
        )
    still = np.array([p["M"] is not None and np.array_equal(p["M"], np.eye(2, 3)) for p in pairs])
    if still[measured].mean() >= 0.6:
        return result(
            "static",
            f"the camera is still in {int(still[measured].sum())} of {int(measured.sum())} "
            "measured frame pairs (the others are noise): assumed static",
        )
    good = ~measured | ((inl >= MIN_INLIERS) & (res <= MAX_RESIDUAL))
    # chain the pair maps (unmeasured pairs: identity) to map every frame into frame 0
    to_ref = eye.copy()
    for t in range(1, T):
        M = pairs[t - 1]["M"] if measured[t - 1] and good[t - 1] else np.eye(2, 3)
        to_ref[t] = _compose(to_ref[t - 1], _invert(M))
    corners = np.array([[0, 0], [W - 1, 0], [0, H - 1], [W - 1, H - 1]], float)
    moved = max(
        float(np.max(np.hypot(*((corners @ m[:, :2].T + m[:, 2]) - corners).T))) for m in to_ref
    )
    if moved < STATIC_PX:
        return result("static", f"the camera is still (frames within {moved:.2f} px of the first)")
    bad = np.flatnonzero(~good)
    if (~measured).mean() > MAX_UNMEASURED:
        t = int(np.flatnonzero(~measured)[0])
        return result(
            "cannot compensate",
            f"the camera moves ({moved:.1f} px) and {int((~measured).sum())} of {n} frame pairs "
            f"(the first between frames {t} and {t + 1}) have too few corners to follow",
        )
    to_ref, direct = _refine_to_first(frames, to_ref)
    # a pair whose fit failed breaks the chain: the frames after it are only known from a
    # direct fit to the first frame (a pair or two of a shaking camera with faint texture)
    if bad.size and not (bad.size <= MAX_UNMEASURED * n and direct[int(bad[0]) + 1 :].all()):
        t = int(bad[0])
        why = (
            f"only {100 * inl[t]:.0f}% of the corners move together (residual "
            f"{res[t]:.2f} px): parallax or a non-rigid scene"
        )
        return result(
            "cannot compensate",
            f"the camera moves ({moved:.1f} px) and its motion between frames {t} and {t + 1} "
            f"is not a plain shift/rotation/zoom: {why}",
        )
    scales = np.array([np.hypot(m[0, 0], m[1, 0]) for m in to_ref])
    if scales.max() > 1.5 or scales.min() < 1 / 1.5:
        return result(
            "cannot compensate",
            f"the camera zooms by {scales.max() / scales.min():.2f}x over the shot (at most "
            "1.5x is compensated)",
        )
    pts = np.concatenate([corners @ m[:, :2].T + m[:, 2] for m in to_ref])
    x0, y0 = np.floor(pts.min(axis=0))
    x1, y1 = np.ceil(pts.max(axis=0))
    cw, ch = int(x1 - x0) + 1, int(y1 - y0) + 1
    if cw * ch > MAX_CANVAS * W * H:
        return result(
            "cannot compensate",
            f"the camera pans over {cw}x{ch} px, more than {MAX_CANVAS:g}x the frame",
        )
    to_ref[:, 0, 2] -= x0
    to_ref[:, 1, 2] -= y0
    pan = np.hypot(np.nansum(dx), np.nansum(dy))
    return result(
        "compensated",
        f"the camera moves (pans {pan:.1f} px in all, zoom {scales.max() / scales.min():.3f}x, "
        f"at least {100 * np.nanmin(inl):.0f}% inliers, residual <= {np.nanmax(res):.2f} px): "
        "compensated",
        to_ref,
        (ch, cw),
        (float(x0), float(y0)),
    )


def _refine_to_first(frames: np.ndarray, to_ref: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Remove the drift of the chained pair maps: each frame that still shows most of the
    first one (60%) is aligned to it directly (its chained map, corrected by the similarity
    between the first frame and the frame warped by that map). The errors of consecutive pair
    fits add up along a chain (a random walk that bends trajectories: a shaking camera reads as
    a wrong g); a direct fit to the reference does not accumulate them. Returns the maps and
    whether each frame's map is known from such a direct fit (or is the first frame's)."""
    import cv2

    T, H, W = frames.shape[:3]
    out = to_ref.copy()
    direct = np.zeros(T, bool)
    direct[0] = True
    g0 = gray_u8(frames[0])
    ones = np.ones((H, W), np.uint8)
    limit = 0.1 * min(H, W)
    corners = np.array([[0, 0], [W - 1, 0], [0, H - 1], [W - 1, H - 1]], float)
    for t in range(1, T):
        m = to_ref[t].astype(np.float64)
        if cv2.warpAffine(ones, m, (W, H), flags=cv2.INTER_NEAREST).mean() < 0.6:
            continue
        warped = cv2.warpAffine(gray_u8(frames[t]), m, (W, H), flags=cv2.INTER_LINEAR)
        p = pair_motion(g0, warped)
        M = p["M"]
        if M is None or p["inliers"] < MIN_INLIERS or not p["residual"] <= MAX_RESIDUAL:
            continue
        moved = np.hypot(*((corners @ M[:, :2].T + M[:, 2]) - corners).T).max()
        if moved > limit:
            continue
        direct[t] = True
        out[t] = _compose(_invert(M), m)
    return out, direct


def stabilise(frames: np.ndarray, cam: CameraMotion) -> tuple[np.ndarray, np.ndarray]:
    """Warp the frames onto the stabilised canvas: ``(frames [T, h, w, 3], valid [T, h, w])``.

    ``valid`` is False where a frame shows nothing (outside its field of view, 1 px margin).

    Example:
        >>> st, valid = stabilise(frames, cam)  # doctest: +SKIP
    """
    import cv2

    T, H, W = frames.shape[:3]
    ch, cw = cam.canvas
    out = np.empty((T, ch, cw, 3), np.float32)
    valid = np.empty((T, ch, cw), bool)
    ones = np.ones((H, W), np.uint8)
    k = np.ones((3, 3), np.uint8)
    for t in range(T):
        m = cam.to_ref[t].astype(np.float64)
        out[t] = cv2.warpAffine(
            frames[t], m, (cw, ch), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT
        )
        v = cv2.warpAffine(ones, m, (cw, ch), flags=cv2.INTER_NEAREST, borderValue=0)
        valid[t] = cv2.erode(v, k, borderValue=0).astype(bool)
    return out, valid
