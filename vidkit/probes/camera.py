"""Camera motion: estimate it per frame, decide whether it can be compensated, stabilise frames.

The physics probes fit trajectories in the coordinates of the scene. A panning, shaking or
zooming camera moves every pixel, so the probes first measure the camera's motion between
consecutive frames and, when it is a plain similarity (shift, rotation, uniform zoom), warp every
frame of a shot into the coordinates of its first frame (*stabilised coordinates*) before
tracking.

Between frames ``t`` and ``t+1``: up to 400 corners (``cv2.goodFeaturesToTrack``) of frame ``t``
are followed into ``t+1`` by pyramidal Lucas-Kanade and back (forward-backward error < 0.5 px
kept), and ``cv2.estimateAffinePartial2D`` (RANSAC, 1.5 px) fits a similarity to them. Moving
objects are outliers of that fit as long as the background holds most of the corners. The
second frame is first brought to the first one's mean brightness (a lighting drift over a
brightness ramp otherwise reads as a shift or a zoom), and a zoom and rotation that do not
stand LINEAR_Z standard errors out of the corners' jitter are dropped (the plain shift is
kept: a zoom fitted to noise tilts the shift of the frame away from the corners).

The pair maps are chained into maps of every frame to the first; a pair short of the bars of a
measured pair takes the maps of its measured neighbours, interpolated, not the identity. Every
frame is then aligned directly to the first by its intensities (:func:`dense_align`: robust
Gauss-Newton of a similarity plus a gain and an offset over a pyramid, Tukey's biweight on the
residuals, so that moving objects get no weight however many corners they hold), starting from
the chain (:func:`dense_maps`; a keyframe takes over when a frame shows less than 60% of the
first). A frame counts as aligned when 60% of its textured pixels (textured in it and in the
first frame: a moving object's rim is textured in one of them only) agree after alignment, 2% of
its pixels carry texture above the residual noise, the alignment stays near its start and
agrees with the pair's corner fit where the corners measured one. Where the alignment moves
frames by more than a pixel, their textured pixels must agree clearly better than with the
frame left still (DENSE_BEATS_STILL), or the corners of most frame pairs must have measured
the same motion (over a smooth gradient or fine stripes a frame shaken by a pixel agrees nearly
as well left still), else the "motion" is a pull of moving objects or of a periodic texture. When all but MAX_UNMEASURED of the frames align, their maps replace the chain
(measured against the renderer's truth over the 392 moving-camera clips of the two accuracy
suites: median stabilised error 0.08 px instead of 1.8 px); else the corners' chain decides as
below, its drift removed by fitting each frame's corners to the first. A camera too slow to show
between two frames (a slow zoom, 0.1% a frame) is found by fitting the last frame to the first,
and, where the corners miss it (faint texture, corners on a strip of the frame), by the direct
alignment from a still camera (:func:`_dense_moving`).

Decisions (per shot):

* **static**: too little texture to measure (fewer than 20 consistent corners spread over a fifth
  of the frame: a plain background, where a moving camera would not show anyway), or every frame
  within 0.5 px of the first (most pairs still) and the last frame fitted directly to the first
  within 0.5 px too, unless the direct alignment (from a still camera, frames 2, 4, 8, ...
  first) finds the frames' corners moving by more than 1 px over the shot within the zoom and
  canvas bars, the frame lining up better than still (see above), and the background is not
  plain (most pixels flat: then the only texture is the objects', which it would follow);
* **compensated**: every frame but MAX_UNMEASURED aligned directly to the first by its
  intensities, or every frame pair fitted by a similarity with at least 50% inliers and a
  residual below 1 px (or the frames after a failed pair fitted directly to the first), zoom
  within 0.67-1.5x and the stabilised canvas at most 2.5x the frame area; a slow drift (every
  pair still, the last frame 0.5 px or more off the first) when each frame fits the first
  directly (those maps then refined by the direct alignment by intensities, :func:`_finish_slow`);
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

from vidkit.probes.camera_dense import (
    DENSE_BEATS_STILL,
    DENSE_MIN_AGREE,
    RANSAC_PX,
    STATIC_PX,
    compose_affine,
    corner_moves,
    dense_align,
    dense_gray,
    dense_maps,
    invert_affine,
)
from vidkit.probes.camera_pair import MIN_POINTS, STILL_PX, blur_gray, pair_motion
from vidkit.probes.temporal import gray_u8

__all__ = [
    "STILL_PX",
    "CameraMotion",
    "dense_align",
    "estimate_camera",
    "pair_motion",
    "stabilise",
]

MIN_INLIERS = 0.5
MAX_RESIDUAL = 1.0
MAX_UNMEASURED = 0.25
MAX_CANVAS = 2.5


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
        frame_size: ``(H, W)`` of the frames given.
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
    frame_size: tuple[int, int] = (0, 0)

    @property
    def moving(self) -> bool:
        """Whether the frames must be warped (the camera moved and was compensated)."""
        return self.status == "compensated"

    def table(self) -> Any:
        """Per frame pair: shift, rotation, zoom, inliers, residual and what measured the pair
        (pandas DataFrame).

        ``measured_by`` is ``"corners"`` where the corner fit measured the pair, ``"frame
        maps"`` where a compensated shot's pair was not measured by its corners (faint texture,
        corners on the objects) and its motion is read from the maps the frames were stabilised
        with (the direct alignment's), and empty where nothing measured it.
        """
        import pandas as pd

        dx, dy, rot, zoom = (
            np.array(v, float) for v in (self.dx, self.dy, self.rotation, self.zoom)
        )
        by = np.where(np.isfinite(dx), "corners", "").astype(object)
        if self.moving and self.frame_size[0] and len(self.to_ref) == dx.size + 1:
            H, W = self.frame_size
            for t in np.flatnonzero(~np.isfinite(dx)):
                # frame t -> frame t+1: to frame t's canvas position, then back from t+1's
                M = compose_affine(invert_affine(self.to_ref[t + 1]), self.to_ref[t])
                dx[t], dy[t], rot[t], zoom[t] = _similarity_parts(M, W, H)
                by[t] = "frame maps"
        return pd.DataFrame(
            {
                "frames": [f"{t}-{t + 1}" for t in range(dx.size)],
                "dx": dx,
                "dy": dy,
                "rotation_deg": rot,
                "zoom": zoom,
                "inliers": self.inliers,
                "residual_px": self.residual,
                "measured_by": by,
            }
        )


def _similarity_parts(M: np.ndarray, W: int, H: int) -> tuple[float, float, float, float]:
    """(dx, dy) of the frame centre, rotation (degrees) and zoom of a 2x3 map of a W x H frame."""
    c = np.array([(W - 1) / 2, (H - 1) / 2])
    d = M[:, :2] @ c + M[:, 2] - c
    return (
        float(d[0]),
        float(d[1]),
        float(np.degrees(np.arctan2(M[1, 0], M[0, 0]))),
        float(np.hypot(M[0, 0], M[1, 0])),
    )


def estimate_camera(
    frames: np.ndarray,
    pairs: list[dict[str, Any]] | None = None,
    grays: list[np.ndarray] | None = None,
) -> CameraMotion:
    """Measure and judge the camera motion of one shot (``[T, H, W, 3]`` float frames).

    ``pairs`` are precomputed :func:`pair_motion` results for the ``T - 1`` consecutive pairs;
    ``grays`` the frames' :func:`~vidkit.probes.temporal.gray_u8` where the caller has them
    (the same results, without converting a frame again).

    Example:
        >>> estimate_camera(np.zeros((4, 32, 32, 3), np.float32)).status
        'static'
    """
    T, H, W = frames.shape[:3]
    if pairs is None:
        grays = [blur_gray(gray_u8(f)) for f in frames]  # each frame blurred once
        pairs = [pair_motion(grays[t], grays[t + 1], blurred=True) for t in range(T - 1)]
    n = len(pairs)
    dx, dy, rot, zoom = (np.full(n, np.nan) for _ in range(4))
    inl = np.array([p["inliers"] for p in pairs], float)
    res = np.array([p["residual"] for p in pairs], float)
    measured = np.array(
        [p["M"] is not None and p["spread"] >= 0.2 and p["points"] >= MIN_POINTS for p in pairs]
    )
    for t, p in enumerate(pairs):
        if p["M"] is not None:
            dx[t], dy[t], rot[t], zoom[t] = _similarity_parts(p["M"], W, H)
    eye = np.tile(np.eye(2, 3), (T, 1, 1))

    def result(
        status: str, reason: str, to_ref: np.ndarray = eye, canvas=(H, W), origin=(0.0, 0.0)
    ) -> CameraMotion:
        return CameraMotion(
            status, reason, dx, dy, rot, zoom, inl, res, to_ref, canvas, origin, (H, W)
        )

    if n == 0 or measured.sum() < max(1, 0.5 * n):
        # faint texture, or corners on a strip of the frame only (a tiled floor under a faint
        # wall): the direct alignment may find the camera's motion. Not over a plain
        # background (most pixels without any gradient, not even sensor noise): there the
        # texture is the objects', which the alignment would follow, and a plain background
        # shows no camera motion
        rescued = (
            None if _plain(frames[0]) else _dense_moving(frames, result, W, H, inl, res, grays)
        )
        if rescued is not None:
            return rescued
        return result(
            "static",
            "too little texture to measure camera motion: assumed static (a plain background "
            "shows no camera motion)",
        )
    still = np.array([p["M"] is not None and np.array_equal(p["M"], np.eye(2, 3)) for p in pairs])
    if still[measured].mean() >= 0.6:
        slow = _slow_drift(frames, grays)
        if slow is None:
            rescued = _dense_moving(frames, result, W, H, inl, res, grays)
            if rescued is not None:
                return rescued
        if slow is None:
            return result(
                "static",
                f"the camera is still in {int(still[measured].sum())} of {int(measured.sum())} "
                "measured frame pairs (the others are noise): assumed static",
            )
        return _finish_slow(frames, result, W, H, slow, inl, res)
    good = ~measured | ((inl >= MIN_INLIERS) & (res <= MAX_RESIDUAL))
    # chain the pair maps to map every frame into frame 0 (a failed fit: identity, judged below)
    maps = _pair_maps(pairs, measured)
    to_ref = eye.copy()
    for t in range(1, T):
        M = maps[t - 1] if good[t - 1] else np.eye(2, 3)
        to_ref[t] = compose_affine(to_ref[t - 1], invert_affine(M))
    moved = max(corner_moves(m, np.eye(2, 3), W, H) for m in to_ref)
    if moved < STATIC_PX:
        slow = _slow_drift(frames, grays)
        if slow is None:
            return result(
                "static", f"the camera is still (frames within {moved:.2f} px of the first)"
            )
        return _finish_slow(frames, result, W, H, slow, inl, res)
    bad = np.flatnonzero(~good)
    # every frame aligned directly by its intensities, from the corners' chain: where it holds
    # (all but MAX_UNMEASURED of the frames), its maps are the more precise ones and a pair the
    # corners could not follow (faint texture, a few moving objects holding most corners) is
    # bridged by the frames around it
    # (agreement over the pixels textured in both frames: over a faint background the balls'
    # rims are most of a frame's textured quarter, and disagree at the true camera; from the
    # corners' chain only, see dense_maps)
    d_ref, d_ok, shows = dense_maps(
        frames, [maps[t] if measured[t] and good[t] else None for t in range(n)], both=True
    )
    if (~d_ok).mean() <= MAX_UNMEASURED and (
        shows or _corners_confirm(d_ref, d_ok, pairs, measured & good, W, H)
    ):
        d_ref = _hold_still_pairs(d_ref, pairs, measured, W, H)
        done = _finish(
            result, W, H, d_ref, inl, res, "each frame aligned to the first by its intensities; "
        )
        if done.status == "compensated":
            # (a zoom or a canvas beyond the bars: the corners' chain judges the shot instead)
            return done
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
    return _finish(result, W, H, to_ref, inl, res)


def _corners_confirm(
    to_ref: np.ndarray,
    aligned: np.ndarray,
    pairs: list[dict[str, Any]],
    fitted: np.ndarray,
    W: int,
    H: int,
) -> bool:
    """Whether the corners of the frame pairs confirm the direct alignment's maps ``to_ref``
    (frame -> first frame; ``aligned``: which frames it aligned) of a camera they found moving:
    of the pairs whose two frames were aligned and whose corners fitted a motion other than a
    still camera (``fitted``: measured, MIN_INLIERS, MAX_RESIDUAL), at least 5 and most
    move the frame's corners as the maps do, within RANSAC_PX. Two measurements by different
    means (corners followed by Lucas-Kanade, every pixel's intensity over the whole frame)
    that agree pair by pair are a motion the frames show, where the alignment's own test
    (DENSE_BEATS_STILL) cannot tell: over a smooth gradient or fine stripes a frame shaken
    by a pixel or two still agrees nearly as well left where it is. On a still camera the
    pairs' corners read still (their fits are the identity), so they confirm no motion."""
    n = len(pairs)
    agree = []
    for t in range(n):
        M = pairs[t]["M"]
        if not (fitted[t] and aligned[t] and aligned[t + 1]) or M is None:
            continue
        if np.array_equal(M, np.eye(2, 3)):
            continue
        rel = compose_affine(invert_affine(to_ref[t + 1]), to_ref[t])  # frame t -> t+1
        agree.append(corner_moves(rel, M, W, H) < RANSAC_PX)
    return len(agree) >= 5 and float(np.mean(agree)) > 0.5


def _hold_still_pairs(
    to_ref: np.ndarray, pairs: list[dict[str, Any]], measured: np.ndarray, W: int, H: int
) -> np.ndarray:
    """The direct alignment's maps with the frame after a *held* pair (most of its corners move
    by less than STILL_PX, or their mean shift is within the corners' jitter: the frame shows
    the same view, a camera pause or a repeated frame)
    given the map of the frame before it. Each frame's direct alignment has its own error
    (0.1-0.4 px on faint texture), so a frozen picture stabilised frame by frame jitters and
    its frozen ball seems to move; the corners of the pair measure that no motion took place
    far more precisely. Only pairs that were measured (enough corners, spread out) are held,
    and only those two judgements, not a pair read as still because its corners lay on a
    moving object (`camera_pair._beats_still`). And only where the alignment itself puts the frame
    within STATIC_PX (its jitter) of the map it would be held at: a shaking camera's pair over
    stripes can read still to corners on the aperture of an edge while the frame moved by a
    pixel, and a slow zoom reads still pair after pair while it adds up (held frame after
    frame, a zoom of 19% over 49 frames stood still for five frames and left 3 px of error)."""
    out = to_ref.copy()
    for t, p in enumerate(pairs):
        if measured[t] and p.get("held") and corner_moves(to_ref[t + 1], out[t], W, H) < STATIC_PX:
            out[t + 1] = out[t]
    return out


def _plain(frame: np.ndarray) -> bool:
    """Whether most of the frame's pixels are flat once its smooth shading is removed: the
    gradient of the frame less a wide blur of it (sigma a sixteenth of the short side) below
    half a gray level per pixel (8-bit gray), which sensor noise alone exceeds. A brightness
    ramp is no texture here: the direct alignment models a brightness gain and offset, and a
    shift along a linear ramp is such an offset, so a ramp tells it nothing about the camera
    (over a noise-free ramp it followed a falling ball as a 24 px "camera motion")."""
    import cv2

    g = gray_u8(frame).astype(np.float32)
    g = g - cv2.GaussianBlur(g, (0, 0), max(2.0, min(g.shape) / 16))
    gx = cv2.Sobel(g, cv2.CV_32F, 1, 0, ksize=3, scale=1 / 8)
    gy = cv2.Sobel(g, cv2.CV_32F, 0, 1, ksize=3, scale=1 / 8)
    return bool(np.median(np.hypot(gx, gy)) < 0.5)


#: Gauss-Newton iterations per pyramid level (finest first) of the cheap look of
#: :func:`_dense_moving`, a third of :func:`dense_align`'s (12, 8, 5): the look only tells a
#: motion beyond 2 * STATIC_PX from none (the full alignment then measures it), and on a still
#: camera over sensor noise, the common case, the fit never converges (it slides on the noise)
#: and so ran every iteration. Measured over 69 validation-renderer shots at 64 px (40 with a
#: camera the corners miss) and 81 vk.synth variants: the same camera judgements and maps with
#: (6, 4, 3) and with (4, 3, 2)
CHEAP_LOOK = (4, 3, 2)


def _dense_moving(
    frames: np.ndarray,
    result: Any,
    W: int,
    H: int,
    inl: np.ndarray,
    res: np.ndarray,
    grays: list[np.ndarray] | None = None,
) -> CameraMotion | None:
    """A moving camera that the corners missed (faint texture, or moves below STILL_PX per
    pair), found by aligning every frame to the first by its intensities
    (:func:`dense_maps`, from a still camera; a few frames first, see below): the judgement of :func:`_finish` when all but
    MAX_UNMEASURED of the frames align and the frames' corners move by more than twice
    STATIC_PX (a margin over the alignment's own jitter on a still camera); else None."""
    T = frames.shape[0]
    if T < 3:
        return None

    # a cheap look first (a still camera, the common case, pays for a few alignments): frames
    # 2, 4, 8, ... and the last aligned to the first, each from the previous one's map
    # extrapolated (a pan too long to find from a still start in one step); the whole shot only
    # when one of them moves by more than 2 * STATIC_PX and lines up clearly better than left
    # where it is
    def dgray(t: int) -> np.ndarray:  # (the frame's gray where the caller has it)
        return dense_gray(frames[t]) if grays is None else dense_gray(None, grays[t])

    g0 = dgray(0)
    probes = sorted({min(2**k, T - 1) for k in range(1, int(np.log2(T - 1)) + 2)})
    prev_t, prev = 0, np.eye(2, 3)
    for t in probes:
        r = t / max(prev_t, 1) if prev_t else 1.0
        start = np.eye(2, 3) + (prev - np.eye(2, 3)) * r
        M, st = dense_align(g0, dgray(t), start, CHEAP_LOOK, errors=False)
        if (
            st["agree"] >= DENSE_MIN_AGREE
            and st["agree"] - st["agree_still"] >= DENSE_BEATS_STILL
            and corner_moves(M, np.eye(2, 3), W, H) > 2 * STATIC_PX
        ):
            break
        prev_t, prev = t, M
    else:
        return None
    d_ref, d_ok, shows = dense_maps(frames, [None] * (T - 1))
    if (~d_ok).mean() > MAX_UNMEASURED or not shows:
        return None
    moved = max(corner_moves(m, np.eye(2, 3), W, H) for m in d_ref[d_ok])
    if moved <= 2 * STATIC_PX:
        return None
    done = _finish(
        result,
        W,
        H,
        d_ref,
        inl,
        res,
        f"the corners miss the camera's motion ({moved:.1f} px at the frame's corners over the "
        "shot), each frame aligned to the first by its intensities; ",
    )
    # a zoom or a canvas beyond the bars is no motion the corners missed (an alignment that
    # slid on texture the corners could not hold): the shot stays static
    return done if done.status == "compensated" else None


def _pair_maps(pairs: list[dict[str, Any]], measured: np.ndarray) -> list[np.ndarray]:
    """The map of each frame pair for the chain. A pair short of the bars of a measured one
    (MIN_POINTS corners spread over a fifth of the frame) takes the maps of the nearest
    measured pairs whose fit holds (MIN_INLIERS, MAX_RESIDUAL), interpolated: a camera moves
    smoothly over a frame. Not its own fit: the few corners of such a pair may lie on a moving
    object. Taking the identity for them, as before, dropped a pan's shift in every
    faint-textured pair: the stabilised background then drifted by pixels (its residue tracked
    as objects, a ball at rest "vanishing") and the trajectories bent."""
    n = len(pairs)
    ok = np.array(
        [
            bool(measured[t])
            and p["M"] is not None
            and p["inliers"] >= MIN_INLIERS
            and p["residual"] <= MAX_RESIDUAL
            for t, p in enumerate(pairs)
        ],
        bool,
    )
    maps = [p["M"] if p["M"] is not None else np.eye(2, 3) for p in pairs]
    if not ok.any():
        return maps
    idx = np.flatnonzero(ok)
    stack = np.stack([maps[i] for i in idx])
    for t in range(n):
        if not measured[t]:
            maps[t] = np.array(
                [[np.interp(t, idx, stack[:, i, j]) for j in range(3)] for i in range(2)]
            )
    return maps


def _fit_quality(inl: np.ndarray, res: np.ndarray) -> str:
    """The fit's quality over the pairs the corners measured, e.g. ``", at least 80% inliers,
    residual <= 0.42 px"``; empty where none was (every pair read from the dense maps, whose
    NaNs made the sentence say "nan% inliers")."""
    inl, res = np.asarray(inl, float), np.asarray(res, float)
    if not np.isfinite(inl).any():
        return ""
    text = f", at least {100 * np.nanmin(inl):.0f}% inliers"
    if np.isfinite(res).any():
        text += f", residual <= {np.nanmax(res):.2f} px"
    return text


def _finish(
    result: Any,
    W: int,
    H: int,
    to_ref: np.ndarray,
    inl: np.ndarray,
    res: np.ndarray,
    how: str = "",
) -> CameraMotion:
    """The judgement of a moving camera whose frame maps ``to_ref`` are known: "cannot
    compensate" for a zoom beyond 1.5x or a canvas beyond MAX_CANVAS frames, else
    "compensated" with the canvas (``how``: a note on how the maps were measured)."""
    corners = np.array([[0, 0], [W - 1, 0], [0, H - 1], [W - 1, H - 1]], float)
    to_ref = to_ref.copy()
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
    # the shift of the last frame's centre in the first frame
    c = np.array([(W - 1) / 2, (H - 1) / 2])
    pan = float(np.hypot(*(to_ref[-1, :, :2] @ c + to_ref[-1, :, 2] - c)))
    to_ref[:, 0, 2] -= x0
    to_ref[:, 1, 2] -= y0
    return result(
        "compensated",
        how
        + f"the camera moves (pans {pan:.1f} px in all, zoom {scales.max() / scales.min():.3f}x"
        + _fit_quality(inl, res)
        + "): compensated",
        to_ref,
        (ch, cw),
        (float(x0), float(y0)),
    )


def _finish_slow(
    frames: np.ndarray,
    result: Any,
    W: int,
    H: int,
    slow: tuple[np.ndarray, str],
    inl: np.ndarray,
    res: np.ndarray,
) -> CameraMotion:
    """The judgement of a camera too slow to show between consecutive frames
    (:func:`_slow_drift`'s maps and note): each frame aligned to the first by its intensities
    (:func:`dense_maps`) from those maps where all but MAX_UNMEASURED of the frames align and
    the frames show the motion (the bars of a moving camera's alignment), else the direct
    corner fits themselves.

    The corner fits of frames far from the first are the weak ones: a slow zoom of 0.3% a
    frame over a checkerboard moves the frame's corners by 9 px over 29 frames, and
    Lucas-Kanade over a periodic texture lands a period off there (the last frames of seed 5
    clip 550038 were 9-12 px off, a 6.5% error of the zoom, and the background left unaligned
    broke into 76 "moving regions"); the direct alignment from those maps, frame after frame
    each from the one before, was within 0.03 px of the renderer's truth on every frame."""
    to_ref, note = slow
    T = to_ref.shape[0]
    steps = [compose_affine(invert_affine(to_ref[t + 1]), to_ref[t]) for t in range(T - 1)]
    d_ref, d_ok, shows = dense_maps(frames, steps)
    if (~d_ok).mean() <= MAX_UNMEASURED and shows:
        done = _finish(result, W, H, d_ref, inl, res, note + "refined by the intensities; ")
        if done.status == "compensated":
            return done
    return _finish(result, W, H, to_ref, inl, res, note)


def _slow_drift(
    frames: np.ndarray, grays: list[np.ndarray] | None = None
) -> tuple[np.ndarray, str] | None:
    """Maps of a camera too slow to show between consecutive frames, or None.

    A slow zoom (0.1% a frame) or a slow pan (0.1 px a frame) moves most corners by less than
    STILL_PX between two frames, so every pair reads as a still camera, yet over a shot the
    frame edges move by several pixels (a zoom of 8% over 60 frames: 12 px at the corners of a
    320 px frame) and the unaligned background becomes dozens of "moving regions" or objects
    that drift. The drift shows when the last frame is fitted directly to the first: when that
    fit is a measured similarity (MIN_INLIERS, MAX_RESIDUAL) that moves the frame's corners by
    more than STATIC_PX, every frame is fitted directly to the first (a frame whose own motion
    is still below STILL_PX, or whose fit fails, takes the map interpolated between its measured
    neighbours; when more than MAX_UNMEASURED of them fail: None). ``grays``: the frames'
    gray_u8 where the caller has them. Returns the maps (frame -> first frame) and a note for
    the reason."""
    T, H, W = frames.shape[:3]
    if T < 3:
        return None

    def gray(t: int) -> np.ndarray:  # (the frame's gray where the caller has it)
        return gray_u8(frames[t]) if grays is None else grays[t]

    g0 = blur_gray(gray(0))  # blurred once for all the fits

    def direct(t: int) -> np.ndarray | None:
        p = pair_motion(g0, blur_gray(gray(t)), blurred=True)
        M = p["M"]
        if M is None or p["inliers"] < MIN_INLIERS or not p["residual"] <= MAX_RESIDUAL:
            return None
        if p["spread"] < 0.2 or p["inliers"] * p["points"] < MIN_POINTS:
            return None
        return M

    last = direct(T - 1)
    if last is None:
        return None
    moved = corner_moves(last, np.eye(2, 3), W, H)
    if moved <= STATIC_PX:
        return None
    maps: list[np.ndarray | None] = [np.eye(2, 3)] + [direct(t) for t in range(1, T - 1)]
    maps.append(last)
    failed = np.array([m is None for m in maps])
    if failed.mean() > MAX_UNMEASURED:
        return None
    # "still" only says below STILL_PX: those frames are interpolated too
    ok = ~failed & np.array([m is None or not np.array_equal(m, np.eye(2, 3)) for m in maps])
    ok[0] = True
    idx = np.flatnonzero(ok)
    stack = np.stack([maps[i] for i in idx])  # frame 0 -> frame t
    to_ref = np.empty((T, 2, 3))
    for t in range(T):
        m = maps[t] if ok[t] else None
        if m is None:  # between measured neighbours (a slow motion is smooth)
            m = np.stack(
                [np.interp(t, idx, stack[:, i, j]) for i in range(2) for j in range(3)]
            ).reshape(2, 3)
        to_ref[t] = invert_affine(m)
    return to_ref, (
        f"the camera moves too slowly to show between consecutive frames ({moved:.1f} px at "
        "the corners over the shot): each frame aligned to the first; "
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
    g0 = blur_gray(gray_u8(frames[0]))  # blurred once for all the fits
    ones = np.ones((H, W), np.uint8)
    limit = 0.1 * min(H, W)
    for t in range(1, T):
        m = to_ref[t].astype(np.float64)
        shown = cv2.warpAffine(ones, m, (W, H), flags=cv2.INTER_NEAREST)
        if shown.mean() < 0.6:
            continue
        warped = cv2.warpAffine(gray_u8(frames[t]), m, (W, H), flags=cv2.INTER_LINEAR)
        p = pair_motion(g0, blur_gray(warped), shown > 0, blurred=True)
        M = p["M"]
        if M is None or p["inliers"] < MIN_INLIERS or not p["residual"] <= MAX_RESIDUAL:
            continue
        if p["inliers"] * p["points"] < MIN_POINTS:
            # a similarity that a dozen corners agree on (RANSAC over a few corners on
            # periodic tiles or an object) is no measurement of the drift
            continue
        moved = corner_moves(M, np.eye(2, 3), W, H)
        if moved > limit:
            continue
        direct[t] = True
        out[t] = compose_affine(invert_affine(M), m)
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
