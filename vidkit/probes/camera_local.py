"""The camera's error where each object is: how far a stabilised frame's background around an
object sits from the background model, frame by frame.

A moving camera's frames are warped onto the first frame's coordinates by one similarity per
frame (:mod:`vidkit.probes.camera`), fitted to the whole frame. Its error at a given place is
not the fit's median misfit: a background that shows motion along one direction only (stripes,
a ramp) leaves the other direction to whatever else has texture, the objects included (the fit
then follows a gliding ball a little and bends its path), and a zoom or a rotation fitted a
little off moves the frame's parts differently. The trajectory probes need the error AT the
object, per frame: a fall is read from a few frames, and an error that bends them reads as
gravity.

So, per object and frame, the background around the object (a square of ``max(3 r, 20)`` px
half-side, less the discs of every object seen in that frame and the pixels the frame does not
show) of the stabilised frame is aligned to the tracker's background model by one robust
Gauss-Newton solve of a shift, a gain and an offset (:func:`local_shift`). It gives the
misregistration ``d`` (px per axis) and its standard error from the model's own gradient (a
direction along which the background has no texture gets a large one: nothing there says where
the frame is along it). :func:`camera_bend` turns both into the error of any weighted sum of
the object's positions: a piece's fitted acceleration
(:func:`~vidkit.probes.trajectory.camera_acc_se`) or a 4-frame stretch's (the gravity test).

Example:
    >>> import numpy as np
    >>> from vidkit.probes.camera_local import local_shift
    >>> rng = np.random.default_rng(0)
    >>> import cv2
    >>> bg = cv2.GaussianBlur(rng.random((60, 60)).astype(np.float32) * 255, (0, 0), 2.0)
    >>> moved = np.roll(bg, 1, axis=0)  # the frame sits 1 px lower than the model
    >>> d, se = local_shift(moved, bg, np.ones((60, 60), bool))
    >>> [round(float(v), 1) for v in d]
    [0.0, 1.0]
"""

from __future__ import annotations

import numpy as np

from vidkit.probes.camera_dense import DENSE_BLUR, dense_gray
from vidkit.probes.medians import median
from vidkit.probes.small_linalg import pinv

__all__ = ["camera_error", "camera_bend", "local_shift"]

# at least this many background pixels (and this share of the window) to measure a shift
MIN_PIXELS = 80
_RIDGE = 1e-9 * np.eye(4)


def _gradient(f: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.gradient(f)`` of a 2-D float64 array (unit spacing, first-order edges), the same
    values: central differences halved inside, one-sided ones on the edges, written without
    np.gradient's general-case bookkeeping (50 us a call on a 40 px window, a fifth of
    :func:`local_shift`)."""
    if f.ndim != 2 or min(f.shape) < 2:
        gy, gx = np.gradient(f)
        return gy, gx
    gy = np.empty_like(f)
    gy[1:-1] = (f[2:] - f[:-2]) / 2.0
    gy[0] = f[1] - f[0]
    gy[-1] = f[-1] - f[-2]
    gx = np.empty_like(f)
    gx[:, 1:-1] = (f[:, 2:] - f[:, :-2]) / 2.0
    gx[:, 0] = f[:, 1] - f[:, 0]
    gx[:, -1] = f[:, -1] - f[:, -2]
    return gy, gx


def local_shift(
    img: np.ndarray, ref: np.ndarray, mask: np.ndarray, iters: int = 3
) -> tuple[np.ndarray, np.ndarray]:
    """The shift ``d`` (px, ``(dx, dy)``) by which the gray image ``img`` shows the content of
    ``ref`` displaced (``img(x) ~ gain * ref(x - d) + offset``) over the pixels of ``mask``,
    and its standard errors; NaN where fewer than MIN_PIXELS pixels are given.

    Gauss-Newton on the intensities from d = 0 with the gradient of ``ref`` (the background
    model: a median of many frames, its gradient free of the frame's noise), each pixel
    weighted by Tukey's biweight of its residual over 4.685 robust standard deviations (an
    object or its shadow in the window gets no weight). The standard errors are the residual
    scale over the weighted gradient, the residuals taken as independent per blur area (as in
    :func:`~vidkit.probes.camera_dense.dense_align`): along a direction where ``ref`` has no
    gradient the shift is unmeasured and its error large.

    Example:
        >>> flat = np.zeros((30, 30), np.float32)
        >>> d, se = local_shift(flat, flat, np.ones((30, 30), bool))
        >>> bool(np.all(se > 1e3))
        True
    """
    if img.shape != ref.shape or mask.shape != ref.shape:
        raise ValueError(
            f"img, ref and mask must have one shape, got {img.shape}, {ref.shape}, {mask.shape}"
        )
    nan = np.full(2, np.nan)
    if int(mask.sum()) < MIN_PIXELS:
        return nan, nan
    gy, gx = _gradient(ref.astype(np.float64))
    b = ref[mask].astype(np.float64)
    a = img[mask].astype(np.float64)
    # the Jacobian's columns written in place (np.stack's values, without its copies)
    J = np.empty((b.size, 4))
    J[:, 0], J[:, 1], J[:, 2], J[:, 3] = -gx[mask], -gy[mask], b, 1.0
    p = np.zeros(4)
    wt = np.ones_like(a)
    sig = 0.0
    JtJw = None
    for _ in range(iters):
        r = a - b - J @ p
        med = float(median(r))  # np.median's values (vidkit.probes.medians), 10x cheaper
        sig = max(1.4826 * float(median(np.abs(r - med), overwrite=True)), 0.3)
        u = r / (4.685 * sig)
        wt = np.where(np.abs(u) < 1, (1 - u * u) ** 2, 0.0)
        Jw = J * wt[:, None]
        JtJw = J.T @ Jw
        p = p + np.linalg.solve(JtJw + _RIDGE, Jw.T @ r)
    if JtJw is None:  # no iteration: the weights are all 1
        JtJw = J.T @ (J * wt[:, None])
    # (the last iteration's J^T W J: the weights have not changed since)
    cov = pinv(JtJw) * sig**2 * (4 * np.pi * DENSE_BLUR**2)
    se = np.sqrt(np.abs(np.diag(cov)[:2]))
    # a shift no gradient supports: as good as unmeasured (pinv gives 0 for a null direction).
    # The eigenvalues are only needed near such a direction: the smaller one is at least
    # det / trace of the 2x2 block, and where that is 4x the bar below neither test can hold
    # (the rounding of det, ~eps trace^2, and of eigh's values, ~eps trace, are below 1e-6
    # of that margin), so eigh (13 us, 32 windows a 64x64 clip) is skipped: the same result
    g00, g10, g11 = float(JtJw[0, 0]), float(JtJw[1, 0]), float(JtJw[1, 1])
    tr2 = g00 + g11
    if tr2 > 0 and g00 * g11 - g10 * g10 > 4e-9 * tr2 * max(tr2, 1.0):
        return p[:2], se
    lam, vec = np.linalg.eigh(JtJw[:2, :2])
    for k in range(2):
        if lam[k] <= 1e-9 * max(lam[1], 1.0):
            se = np.hypot(se, 1e6 * np.abs(vec[:, k]))
    return p[:2], se


def camera_error(
    frames: np.ndarray,
    valid: np.ndarray | None,
    background: np.ndarray,
    centers: np.ndarray,
    radii: np.ndarray,
    visible: np.ndarray,
    grays: list[np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Per object and frame, the misregistration of the stabilised background around the
    object and its standard error (both ``[n, T, 2]`` px, NaN where the object is not seen or
    too little background shows): :func:`local_shift` of each frame against ``background``
    over a square of ``max(3 r, 20)`` px half-side around the object, less every seen object's
    disc (``1.5 r + 2`` px) and the pixels ``valid`` marks unseen. ``grays``: the frames'
    :func:`~vidkit.probes.temporal.gray_u8` where the caller has them already.

    Example:
        >>> fr = np.zeros((3, 40, 40, 3), np.float32)
        >>> c = np.full((1, 3, 2), 20.0)
        >>> d, se = camera_error(fr, None, fr[0], c, np.full((1, 3), 4.0), np.ones((1, 3), bool))
        >>> d.shape
        (1, 3, 2)
    """
    frames = np.asarray(frames)
    if frames.ndim != 4:
        raise ValueError(f"frames must be [T, H, W, 3], got shape {frames.shape}")
    T, H, W = frames.shape[:3]
    n = centers.shape[0]
    d = np.full((n, T, 2), np.nan)
    se = np.full((n, T, 2), np.nan)
    if n == 0:
        return d, se
    ref = dense_gray(np.asarray(background, np.float32))
    has = visible & np.all(np.isfinite(centers), axis=2)  # [n, T]: seen where it is
    rad = np.where(np.isfinite(radii), radii, 3.0)
    for t in range(T):
        seen = np.flatnonzero(has[:, t])
        if seen.size == 0:
            continue
        img = dense_gray(
            None if grays is not None else np.asarray(frames[t], np.float32),
            None if grays is None else grays[t],
        )
        # every seen object's disc, tested on each window only (the same comparisons as on
        # the whole frame, a window's worth of them)
        discs = [(*centers[j, t], (1.5 * float(rad[j, t]) + 2.0) ** 2) for j in seen]
        for i in seen:
            r = float(rad[i, t])
            h = max(3.0 * r, 20.0)
            cx, cy = centers[i, t]
            x0, x1 = max(0, int(cx - h)), min(W, int(np.ceil(cx + h)) + 1)
            y0, y1 = max(0, int(cy - h)), min(H, int(np.ceil(cy + h)) + 1)
            if x1 - x0 < 5 or y1 - y0 < 5:
                continue
            xx, yy = np.arange(x0, x1)[None, :], np.arange(y0, y1)[:, None]
            if valid is None:
                free = np.ones((y1 - y0, x1 - x0), bool)
            else:
                free = np.asarray(valid[t], bool)[y0:y1, x0:x1].copy()
            for jx, jy, lim in discs:
                free &= (xx - jx) ** 2 + (yy - jy) ** 2 > lim
            d[i, t], se[i, t] = local_shift(img[y0:y1, x0:x1], ref[y0:y1, x0:x1], free)
    return d, se


def camera_bend(
    w: np.ndarray, d: np.ndarray, e: np.ndarray, measured: np.ndarray, c: float
) -> np.ndarray:
    """The camera's error (per axis) in a quantity that is a weighted sum ``w @ p`` of an
    object's positions over some frames (a fitted acceleration): the misregistration measured
    around the object (``d``, ``[n, 2]``) bends it by ``w @ d`` over the ``measured`` frames,
    with an uncertainty ``sqrt(sum w^2 err^2)``, ``err`` the measurement's standard error
    ``e`` where measured, else the shot's typical camera error ``c``; both in quadrature.

    Example:
        >>> w = np.array([1.0, -2.0, 1.0])
        >>> d = np.zeros((3, 2)); e = np.full((3, 2), 0.1)
        >>> [round(float(v), 3) for v in camera_bend(w, d, e, np.ones((3, 2), bool), 0.5)]
        [0.245, 0.245]
    """
    out = np.empty(2)
    for ax in range(2):
        bend = float(w @ np.where(measured[:, ax], d[:, ax], 0.0))
        unc = float(np.sqrt(np.sum(w**2 * np.where(measured[:, ax], e[:, ax], c) ** 2)))
        out[ax] = float(np.hypot(bend, unc))
    return out
