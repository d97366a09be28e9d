"""Direct (intensity) alignment of frames for the camera estimate of :mod:`vidkit.probes.camera`.

Corners followed by Lucas-Kanade measure a camera well over a textured scene, but over faint or
smooth texture they are few, and where moving objects hold most of them the corners follow the
objects. A direct alignment lets every pixel vote: :func:`dense_align` fits a similarity (shift,
rotation, uniform zoom) plus a brightness gain and offset to the intensities by robust
Gauss-Newton over a pyramid, Tukey's biweight giving no weight to pixels that disagree strongly
(moving objects). :func:`dense_maps` aligns every frame of a shot to its first frame (or a
keyframe) with it and says which frames it aligned; :mod:`vidkit.probes.camera` decides with
those maps whether a shot is static, compensated or cannot be compensated.

Measured against the validation renderer's truth over the 392 moving-camera clips of the two
accuracy suites: median stabilised error 0.08 px, against 1.8 px for the chained corner fits.

Example:
    >>> import numpy as np
    >>> from vidkit.probes.camera_dense import dense_align
    >>> rng = np.random.default_rng(0)
    >>> tex = rng.random((80, 110)).astype(np.float32) * 255
    >>> import cv2
    >>> tex = cv2.GaussianBlur(tex, (0, 0), 2.0)
    >>> M, st = dense_align(tex[8:72, 8:104], tex[8:72, 10:106], np.eye(2, 3))
    >>> round(float(M[0, 2]), 1), st["agree"] > 0.9
    (-2.0, True)
"""

from __future__ import annotations

import functools

import numpy as np

from vidkit.probes.medians import median, percentile
from vidkit.probes.small_linalg import pinv
from vidkit.probes.temporal import gray_u8

__all__ = [
    "compose_affine",
    "corner_moves",
    "dense_align",
    "dense_gray",
    "dense_maps",
    "invert_affine",
]


def compose_affine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Affine ``a o b`` (2x3 each): first ``b``, then ``a``.

    Example:
        >>> shift = np.array([[1.0, 0, 2], [0, 1, 0]])
        >>> compose_affine(shift, shift)[:, 2].tolist()
        [4.0, 0.0]
    """
    A = np.vstack([a, [0, 0, 1]])
    B = np.vstack([b, [0, 0, 1]])
    return (A @ B)[:2]


def invert_affine(m: np.ndarray) -> np.ndarray:
    """The inverse of the affine map ``m`` (2x3).

    Example:
        >>> invert_affine(np.array([[2.0, 0, 4], [0, 2, 0]])).tolist()
        [[0.5, 0.0, -2.0], [0.0, 0.5, 0.0]]
    """
    A = np.vstack([m, [0, 0, 1]])
    return np.linalg.inv(A)[:2]


#: the camera's bars that the alignment shares with :mod:`vidkit.probes.camera` (which imports
#: them from here): a frame within STATIC_PX of another is still; corners agree within RANSAC_PX
STATIC_PX = 0.5
RANSAC_PX = 1.5
DENSE_BLUR = 1.0
DENSE_MIN_AGREE = 0.6
DENSE_MAX_JUMP = 0.1
DENSE_MIN_SUPPORT = 0.02
DENSE_BEATS_STILL = 0.1
#: Gauss-Newton iterations per pyramid level (finest first): all three levels, the two finest
FULL = (12, 8, 5)
FINE = (12, 8)
_RIDGE = 1e-6 * np.eye(6)  # (the solve's ridge, made once)


def corner_moves(a: np.ndarray, b: np.ndarray, W: int, H: int) -> float:
    """The largest distance (px) between where the maps ``a`` and ``b`` take the corners of a
    ``W`` x ``H`` frame.

    Example:
        >>> corner_moves(np.eye(2, 3), np.array([[1.0, 0, 3], [0, 1, 4]]), 32, 32)
        5.0
    """
    c = np.array([[0, 0], [W - 1, 0], [0, H - 1], [W - 1, H - 1]], float)
    return float(np.hypot(*((c @ a[:, :2].T + a[:, 2]) - (c @ b[:, :2].T + b[:, 2])).T).max())


def dense_gray(frame: np.ndarray | None, gray: np.ndarray | None = None) -> np.ndarray:
    """The float32 gray image the direct alignment works on (a light blur: noise is no signal).
    ``gray``: the frame's :func:`~vidkit.probes.temporal.gray_u8` where the caller has it
    already (``frame`` is then not read).

    Example:
        >>> dense_gray(np.ones((8, 8, 3), np.float32)).shape
        (8, 8)
    """
    import cv2

    g = gray_u8(frame) if gray is None else gray
    return cv2.GaussianBlur(g.astype(np.float32), (0, 0), DENSE_BLUR)


@functools.lru_cache(maxsize=8)
def _mgrid(h: int, w: int) -> np.ndarray:
    """``np.mgrid[0:h, 0:w]`` as float32 (read-only, shared by the alignments of a shot)."""
    g = np.mgrid[0:h, 0:w].astype(np.float32)
    g.flags.writeable = False
    return g


def dense_align(
    ref: np.ndarray,
    img: np.ndarray,
    M0: np.ndarray,
    iters: tuple[int, ...] = (12, 8, 5),
    errors: bool = True,
    both: bool = False,
) -> tuple[np.ndarray, dict[str, float]]:
    """The similarity ``M`` (2x3, maps points of ``ref`` to ``img``) that lines the two float
    gray images up best, found from ``M0`` by robust Gauss-Newton on the intensities (a direct
    alignment: every pixel votes, not only corners).

    Coarse to fine over a pyramid (``iters`` iterations per level, finest first); the model is
    ``img(M x) = gain * ref(x) + bias`` (a lighting change is no motion), each pixel weighted
    by Tukey's biweight of its residual over 4.685 robust standard deviations (MAD): a moving
    object, whose pixels disagree by far more than the noise, gets no weight, however many
    corners it holds. Returns ``M`` and ``{"agree": share of the textured pixels (strongest
    quarter of the gradient) that agree within the biweight, "agree_still": the same share with
    ``img`` left where it is (a still camera), "agree_all", "agree_all_still": the same over
    all the pixels both show, "support": share of the pixels whose gradient
    exceeds twice the residual scale, "overlap": share of ``ref`` that ``img`` shows, "sigma":
    robust residual scale (gray levels), "se_shift", "se_linear": standard errors of the shift
    and of the zoom/rotation at the frame's corner (px; the residuals taken as independent per
    blur area)}``. ``errors=False``: without the standard errors (NaN; a look that reads
    only the agreement skips their pseudo-inverse). ``both``: the textured pixels of "agree"
    and "agree_still" are those textured in BOTH frames (the strongest quarter of the smaller
    of the two gradients), not in ``img`` alone: a moving object's rim is textured in one
    frame only (over a faint background it is most of the textured quarter, and disagrees
    however well the camera is aligned), while the background's texture, aligned or not, is
    textured in both.

    Example:
        >>> import numpy as np
        >>> rng = np.random.default_rng(0)
        >>> tex = np.asarray(rng.random((80, 100)) * 255, np.float32)
        >>> import cv2
        >>> tex = cv2.GaussianBlur(tex, (0, 0), 2.0)
        >>> M, st = dense_align(tex[10:70, 10:90], tex[11:71, 12:92], np.eye(2, 3))
        >>> [round(float(v), 1) for v in M[:, 2]]
        [-2.0, -1.0]
    """
    import cv2

    H, W = ref.shape
    pr, pim = [ref], [img]
    for _ in range(len(iters) - 1):
        if min(pr[-1].shape) < 40:
            break
        pr.append(cv2.pyrDown(pr[-1]))
        pim.append(cv2.pyrDown(pim[-1]))
    c = np.array([(W - 1) / 2, (H - 1) / 2])
    # centred coordinates: x' - c = A (x - c) + t (zoom and rotation about the frame centre)
    A = np.asarray(M0[:, :2], np.float64).copy()
    t = np.asarray(M0[:, :2] @ c + M0[:, 2] - c, np.float64)
    gain, bias = 1.0, 0.0
    stats = {
        "support": 0.0,
        "agree": 0.0,
        "agree_still": 1.0,
        "agree_all": 0.0,
        "agree_all_still": 1.0,
        "overlap": 0.0,
        "sigma": np.nan,
    }
    flags = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
    for lev in range(len(pr) - 1, -1, -1):
        s = 0.5**lev
        R, img_l = pr[lev], pim[lev]
        h, w = R.shape
        cl = c * s
        Ix = cv2.Sobel(img_l, cv2.CV_32F, 1, 0, ksize=3, scale=1 / 8)
        Iy = cv2.Sobel(img_l, cv2.CV_32F, 0, 1, ksize=3, scale=1 / 8)
        ys, xs = _mgrid(h, w)
        xc, yc = xs - np.float32(cl[0]), ys - np.float32(cl[1])
        Ml = np.empty((2, 3))
        for _ in range(iters[lev]):
            Ml[:, :2], Ml[:, 2] = A, t * s + cl - A @ cl
            wI = cv2.warpAffine(img_l, Ml, (w, h), flags=flags, borderValue=np.nan)
            ok = np.isfinite(wI)
            shown = np.count_nonzero(ok) / ok.size  # ok.mean(), exactly (a count over a count)
            if shown < 0.2:
                return np.hstack([A, (t + c - A @ c)[:, None]]), stats
            gx = cv2.warpAffine(Ix, Ml, (w, h), flags=flags)
            gy = cv2.warpAffine(Iy, Ml, (w, h), flags=flags)
            if shown == 1.0:  # every pixel shown: the same values, in the same order, as views
                gx, gy, Rk, wk = gx.ravel(), gy.ravel(), R.ravel(), wI.ravel()
                x_, y_ = xc.ravel(), yc.ravel()
            else:
                gx, gy, Rk, wk, x_, y_ = gx[ok], gy[ok], R[ok], wI[ok], xc[ok], yc[ok]
            r = wk - (gain * Rk + bias)
            med = float(median(r))  # np.median's values, a tenth of its cost (medians.py)
            sig = max(1.4826 * float(median(np.abs(r - med), overwrite=True)), 0.3)
            u = r / (4.685 * sig)
            wt = np.where(np.abs(u) < 1, (1 - u * u) ** 2, 0.0).astype(np.float32)
            # the Jacobian's columns written in place (np.stack's values, without its copies)
            J = np.empty((r.size, 6), np.float32)
            J[:, 0] = gx * x_ + gy * y_
            J[:, 1] = gy * x_ - gx * y_
            J[:, 2], J[:, 3], J[:, 4], J[:, 5] = gx, gy, -Rk, -1.0
            Jw = J * wt[:, None]
            JtJw = J.T @ Jw  # (kept for the standard errors: the last iteration's)
            try:
                dp = -np.linalg.solve(JtJw + _RIDGE, Jw.T @ r)
            except np.linalg.LinAlgError:
                break
            da, db, dtx, dty, dg, dbias = (float(v) for v in dp)
            A = A + np.array([[da, -db], [db, da]])
            t = t + np.array([dtx, dty]) / s
            gain += dg
            bias += dbias
            if max(abs(dtx), abs(dty), (abs(da) + abs(db)) * max(w, h) / 2) < 0.005:
                break
        if lev == 0:
            mag = np.hypot(gx, gy)
            if both:
                # textured in the reference too (its own gradient at the same pixels): a moving
                # object's rim is textured in one frame only. Measured at the renderer's true
                # camera over faint backgrounds (seeds 13-16, 1353042 and 1554048): the
                # textured quarter of the frame alone held the balls' rims, and all its
                # disagreeing pixels were on them (5947 of 5947, 710 of 710), so 42% of it
                # disagreed at the true map (agree 0.58, refused); textured in both: 0.79
                Rx = cv2.Sobel(R, cv2.CV_32F, 1, 0, ksize=3, scale=1 / 8)
                Ry = cv2.Sobel(R, cv2.CV_32F, 0, 1, ksize=3, scale=1 / 8)
                mag_r = np.hypot(Rx, Ry)
                tmag = np.minimum(mag, mag_r.ravel() if shown == 1.0 else mag_r[ok])
            else:
                tmag = mag
            tex = tmag >= percentile(tmag, 75)  # np.percentile's value (medians.py)
            # standard errors of the shift and of the zoom/rotation (px at the frame's corner),
            # the residuals taken as independent per blur area (neighbours share their noise)
            cov = (
                pinv(JtJw) * sig**2 * (4 * np.pi * DENSE_BLUR**2)
                if errors
                else np.full((6, 6), np.nan)
            )
            # the same textured pixels under a still camera (the frame compared as it is)
            r0_all = (img_l - (gain * R + bias))[ok]
            r0 = r0_all[tex]
            stats = {
                "support": float(np.mean(mag > 2.0 * sig)),
                "agree_still": float(np.mean(np.abs(r0 - med) < 4.685 * sig)) if tex.any() else 0.0,
                "agree": float(np.mean(wt[tex] > 0)) if tex.any() else 0.0,
                "agree_all": float(np.mean(wt > 0)),
                "agree_all_still": float(np.mean(np.abs(r0_all - med) < 4.685 * sig)),
                "overlap": float(ok.mean()),
                "sigma": sig,
                "se_shift": float(np.sqrt(abs(max(cov[2, 2], cov[3, 3])))),
                "se_linear": float(np.sqrt(abs(max(cov[0, 0], cov[1, 1]))) * np.hypot(W, H) / 2),
            }
    return np.hstack([A, (t + c - A @ c)[:, None]]), stats


def _align_one(
    ref: np.ndarray,
    img: np.ndarray,
    M0: np.ndarray,
    W: int,
    H: int,
    agrees: list[float],
    iters: tuple[int, ...] = (12, 8, 5),
    both: bool = False,
) -> tuple[np.ndarray, dict[str, float], bool]:
    """:func:`dense_align` of ``img`` to ``ref`` from ``M0`` (``iters``: per pyramid level)
    and whether it passes the bars of an aligned frame (see :func:`dense_maps`; ``agrees``:
    the agreement of the frames before)."""
    M, st = dense_align(ref, img, M0, iters, both=both)
    good = (
        bool(np.all(np.isfinite(M)))
        and st["overlap"] >= 0.5
        and st["support"] >= DENSE_MIN_SUPPORT
        and st["agree"] >= DENSE_MIN_AGREE
        and corner_moves(M, M0, W, H) < DENSE_MAX_JUMP * min(H, W)
    )
    if good and len(agrees) >= 3:
        # a sudden drop of the agreement is a wrong optimum: the texture that agreed in the
        # frames before is still there. Against every frame's agreement, aligned or not: the
        # agreement sinks slowly over a shot as objects move off their first places and new
        # texture comes in, and a median over the aligned frames only stayed at the first
        # frames' (near 1) once one frame was refused, refusing every later frame
        good = st["agree"] >= float(np.median(agrees[-5:])) - 0.1
    return M, st, good


def dense_maps(
    frames: np.ndarray, pair_maps: list[np.ndarray | None], both: bool = False
) -> tuple[np.ndarray, np.ndarray, bool]:
    """Every frame of a shot aligned directly (:func:`dense_align`) to a reference frame: the
    first while a frame still shows 60% of it, then the last frame aligned before that (a
    keyframe; the maps compose). Each alignment starts from the previous frame's map moved by
    the frame pair's corner fit (``pair_maps[t]``: frame t -> t+1 points, None where not
    measured) or, without one, from the previous frame's map; with a corner step at the two
    finest levels of the pyramid first (a coarser level aliases fine stripes a period off),
    without one over the full pyramid first (it reaches farther), giving way to the finest
    levels' fit where that one is nearer the start and passes the bars too.

    A fit passes the bars when DENSE_MIN_AGREE of its textured pixels agree with the reference
    after alignment (and no more than 0.1 fewer than in the five frames before, aligned or
    not), DENSE_MIN_SUPPORT of its pixels carry texture above the noise and the alignment moves
    the frame's corners less than DENSE_MAX_JUMP of the frame from where it started (on a scene
    with no texture the fit slides anywhere). The fit from the corners' start is taken when,
    where every pair since the last aligned frame was measured by its corners, the motion since
    that frame agrees with theirs within RANSAC_PX (times the square root of the number of
    pairs). When it is refused, the fit from the previous frame's map (the corners' step may
    be off: a chain of such steps drifted by 10-40 px over shaking shots whose direct alignment
    was right within 0.2 px) is taken when it meets a refused fit that passed the bars or when
    none did; then both starts again over the full pyramid.

    ``both``: the agreement over the pixels textured in both frames (:func:`dense_align`),
    for a camera the corners of most pairs measured moving (``pair_maps`` their chain); a
    look from a still camera keeps the frame's own textured quarter, where an alignment that
    follows the only textured object over a plain background agrees on the object's rim (a
    slow zoom over a nearly plain background, seed 13 clean 1300188, read static by the
    corners: with ``both`` the look took an alignment that followed the ball, up to 16.8 px
    off the renderer's truth).

    Returns ``to_ref`` ([T, 2, 3]: frame -> first frame; frames not aligned take their start
    map), whether each frame was aligned (the first: True) and whether the frames show the
    motion found (where it moves a frame by more than 2 * STATIC_PX, the frame's textured
    pixels agree by DENSE_BEATS_STILL more than with the frame left still, median over such
    frames; True when no frame moves that far).

    Example:
        >>> rng = np.random.default_rng(0)
        >>> tex = (rng.random((80, 120, 3)) * 0.8).astype(np.float32)
        >>> frames = np.stack([tex[8:72, 3 * t : 3 * t + 96] for t in range(6)])
        >>> to_ref, aligned, shows = dense_maps(frames, [None] * 5)
        >>> bool(aligned.all()), round(float(to_ref[5, 0, 2]), 1)
        (True, 15.0)
    """
    import cv2

    T, H, W = frames.shape[:3]
    grays = [dense_gray(f) for f in frames]
    gain = np.zeros(T)
    gain_all = np.zeros(T)
    ones = np.ones((H, W), np.uint8)
    fwd = [np.eye(2, 3)]  # frame 0 -> frame t (points)
    ok = np.zeros(T, bool)
    ok[0] = True
    key, key_fwd = 0, np.eye(2, 3)  # keyframe and its frame 0 -> key map
    last, since, chained = 0, np.eye(2, 3), True
    agrees: list[float] = []
    for t in range(1, T):
        step = pair_maps[t - 1] if t - 1 < len(pair_maps) else None
        measured_step = step is not None and not np.array_equal(step, np.eye(2, 3))
        if step is None:
            step = np.eye(2, 3)
        start = compose_affine(step, fwd[-1])  # frame 0 -> frame t
        m_kt = compose_affine(start, invert_affine(key_fwd))  # keyframe -> frame t
        shown = cv2.warpAffine(ones, m_kt, (W, H), flags=cv2.INTER_NEAREST | cv2.WARP_INVERSE_MAP)
        if shown.mean() < 0.6 and t >= 2 and ok[t - 1]:
            key, key_fwd = t - 1, fwd[-1]
            m_kt = compose_affine(start, invert_affine(key_fwd))
        since = compose_affine(step, since)  # the corners' motion from the last aligned frame
        chained = chained and measured_step
        # with a corner step, the two finest levels of the pyramid first: the start is then
        # within a pixel or two, which they reach, and a coarser level blurs fine texture away
        # or aliases it (stripes 10 px apart are 2.5 px apart at a quarter of the size: the fit
        # lands a whole period off, agreeing perfectly). Without one (a pair the corners could
        # not measure, a camera they missed) the frame's motion since the previous frame is
        # unknown: the full pyramid first, which reaches farther
        m_prev = compose_affine(fwd[-1], invert_affine(key_fwd))
        fitted: list[np.ndarray] = []
        good = False
        M, st = m_kt, {}
        if measured_step:
            order = ((m_kt, FINE), (m_prev, FINE), (m_kt, FULL), (m_prev, FULL))
        else:
            order = ((m_kt, FULL), (m_kt, FINE))
        for s0, levels in order:
            if s0 is m_prev and np.allclose(m_prev, m_kt):
                continue  # (the corners' step was the identity)
            M2, st2, good2 = _align_one(grays[key], grays[t], s0, W, H, agrees, levels, both)
            if not st:
                M, st = M2, st2
            if not good2:
                continue
            if s0 is m_kt:
                # the corners of the pairs since the last aligned frame agree on a motion: the
                # alignment from their start must agree with them (on faint texture a direct
                # fit can slide to a wrong optimum that still "agrees"; on stripes, a period
                # off)
                rel = compose_affine(compose_affine(M2, key_fwd), invert_affine(fwd[last]))
                take = not chained or (
                    corner_moves(rel, since, W, H) < RANSAC_PX * np.sqrt(t - last)
                )
            else:
                # the corners' step may be off (moving objects or a few strong edges holding
                # most corners of a shaking camera's pair, Lucas-Kanade a period off on
                # stripes): the fit from the previous frame's map is taken when it meets one
                # from the corners' start that passed the bars (two starts apart that lead to
                # the same map, within RANSAC_PX, are no slide to an optimum near one of them),
                # or when none did
                take = not fitted or min(corner_moves(M2, f, W, H) for f in fitted) < RANSAC_PX
            if take and levels is FULL and corner_moves(M2, s0, W, H) > RANSAC_PX:
                # far from its start: the coarse level may have aliased a periodic texture a
                # period off. Where the two finest levels from the same start also explain the
                # frame, the fit nearer the start is the camera's (it moves smoothly)
                M3, st3, good3 = _align_one(grays[key], grays[t], s0, W, H, agrees, FINE, both)
                if good3 and corner_moves(M3, s0, W, H) < corner_moves(M2, s0, W, H):
                    M2, st2 = M3, st3
            if take:
                M, st, good = M2, st2, True
                break
            fitted.append(M2)
        m = compose_affine(M, key_fwd)
        agrees.append(st["agree"])
        ok[t] = bool(good)
        gain[t] = st["agree"] - st["agree_still"]
        gain_all[t] = st["agree_all"] - st["agree_all_still"]
        fwd.append(m if good else start)
        if good:
            last, since, chained = t, np.eye(2, 3), True
    to_ref = np.stack([invert_affine(m) for m in fwd])
    # a motion the frames show: where the alignment moves a frame by more than a pixel, its
    # textured pixels must agree clearly better (DENSE_BEATS_STILL) than with the frame left
    # where it is; on a still camera, moving objects or a periodic texture can pull the fit
    # away while the still frame lines up better
    big = ok & np.array([corner_moves(m, np.eye(2, 3), W, H) > 2 * STATIC_PX for m in to_ref])
    # (and the frame as a whole must not line up worse than still: an alignment that follows
    # the only textured object leaves a smooth background misaligned)
    shows = bool(
        not big.any()
        or (np.median(gain[big]) >= DENSE_BEATS_STILL and np.median(gain_all[big]) >= 0.0)
    )
    return to_ref, ok, shows
