"""Temporal probes for any video: flicker, warping error, dynamic degree (classical flow).

- :func:`flicker`: VBench's ``temporal_flickering`` score, ``(255 - mean_t MAE(I_t, I_t+1)) / 255``
  on uint8 frames (Vchitect/VBench ``vbench/temporal_flickering.py``), plus a detector of brightness
  flicker: each frame's global brightness (median ratio to the median frame) against the median
  of its 4 neighbours; a frame fails when it jumps by more than ``tol`` (5%). On a still camera
  it also finds held frames by their light: 2-8 frames whose brightness stops dead while it
  drifts on both sides, then jumps by the drift it missed (a stutter holds the lighting too,
  where nothing in view moves).
- :func:`warping_error`: Lai et al. (ECCV 2018) warping error. Forward flow ``w_f`` (t -> t+1) and
  backward flow ``w_b`` (t+1 -> t) come from OpenCV's DIS (or Farneback) on gray frames (the
  reference uses FlowNet2; classical flow is vidkit's weight-free choice; ``w_b``, which only
  the occlusion test reads, without DIS's variational refinement). ``I_t+1`` is warped to
  frame t by ``w_f`` (bilinear); a pixel is occluded when
  ``|w_f + w_b(x + w_f)|^2 > 0.01 (|w_f|^2 + |w_b(x + w_f)|^2) + 0.5`` or on a motion boundary
  ``|grad u|^2 + |grad v|^2 > 0.01 |w_f|^2 + 0.002`` (forward differences of ``w_f``), exactly the
  tests of the reference's ``detect_occlusion``. ``E_t = sum M |I_t - warp(I_t+1)|^2 / sum M``
  over non-occluded pixels and the three RGB channels in [0, 1] (all pixels when none is
  visible); the score is the mean over t. A pair fails when its error exceeds
  ``max(factor * median, median + floor)`` (a temporal-consistency spike).
- :func:`dynamic_degree_classical`: VBench's ``dynamic_degree`` with classical flow instead of
  RAFT: frames subsampled every ``max(1, round(fps / 8))``, per pair the mean of the top 5% flow
  magnitudes, threshold ``6 * min(H, W) / 256`` px, dynamic when at least ``round(4 N / 16)``
  pairs exceed it (N = frames kept).

Example:
    >>> import vidkit as vk
    >>> v = vk.synth.render("projectile", seed=0).video            # doctest: +SKIP
    >>> vk.probes.flicker(v).scores["vbench_flicker"]                # doctest: +SKIP
    0.993
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from vidkit.probes.medians import median, row_medians
from vidkit.probes.result import Finding, ProbeResult
from vidkit.probes.tracking import mask_runs, temporal_median
from vidkit.video import Video, as_video

__all__ = [
    "flicker",
    "vbench_temporal_flickering",
    "warping_error",
    "optical_flow",
    "occlusion_mask",
    "dynamic_degree_classical",
]

_FLOW_METHODS = ("dis", "farneback")


def _video(video: Any, min_frames: int = 2) -> Video:
    if isinstance(video, Video):
        v = video
    elif isinstance(video, np.ndarray) or type(video).__module__.startswith("torch"):
        v = as_video(video)
    else:
        raise TypeError(
            f"expected a vidkit Video (or a [T, H, W, 3] array), got {type(video).__name__}"
        )
    if v.num_frames < min_frames:
        raise ValueError(f"this probe needs at least {min_frames} frames, got {v.num_frames}")
    return v


# --------------------------------------------------------------------------- flicker
def vbench_temporal_flickering(video: Video | np.ndarray) -> float:
    """VBench ``temporal_flickering`` score: ``(255 - mean_t MAE(I_t, I_t+1)) / 255``.

    Computed on uint8 frames as VBench does (``cv2.absdiff`` of float32 copies). VBench scores it
    on static videos only; on moving ones it also measures motion.

    Example:
        >>> import numpy as np, vidkit as vk
        >>> vbench_temporal_flickering(vk.Video(np.zeros((3, 4, 4, 3))))
        1.0
    """
    v = _video(video)
    u = v.uint8.astype(np.float32)
    mae = np.abs(u[1:] - u[:-1]).mean(axis=(1, 2, 3))
    return float((255.0 - float(np.mean(mae))) / 255.0)


def flicker(
    video: Video | np.ndarray,
    *,
    tol: float = 0.05,
    level: str = "ratio",
    first_frame: int = 0,
    brightness: np.ndarray | None = None,
    median_frame: np.ndarray | None = None,
) -> ProbeResult:
    """Brightness flicker: frames whose global brightness jumps against their neighbours.

    Each frame's brightness is the median, over pixels brighter than 0.05 in the median frame (a
    regular subsample of at most ~16k pixel values), of its ratio to the median frame. A frame fails when its brightness differs from the median of
    its (up to) four nearest neighbours by more than ``tol`` (relative; ``2 tol`` for the first
    and last frame, whose neighbours lie on one side only). Scores: the largest jump, and
    VBench's ``temporal_flickering`` score.

    Without ``brightness`` (a still camera), held frames fail too: a run of 2-8 frame pairs
    whose brightness does not change while the light drifts on both sides in one direction and
    the pair after the run makes up for the drift it missed ("the light holds still over
    frames 15-18 ... (held frames: a stutter)"; :func:`_held_light`).

    ``level="mean"`` uses each frame's mean brightness instead of the ratio to the median frame
    (for a moving camera, whose median frame is a blur); ``first_frame`` is the number of the
    first frame in the sentences (a shot of a longer video). ``brightness`` gives the per-frame
    levels directly (``vk.probes.physics`` measures them on the overlap of consecutive frames
    aligned for the camera's motion, so a pan over darker scenery is not flicker).
    ``median_frame``: the frames' :func:`~vidkit.probes.background.temporal_median` where the
    caller has it (``vk.probes.physics`` shares it with the tracker of a still shot).

    Example:
        >>> scene = vk.synth.render("uniform", seed=0, violation="flicker")  # doctest: +SKIP
        >>> vk.probes.flicker(scene.video).failed_frames  # doctest: +SKIP
        [12, 20, 21]
    """
    name = "flicker"
    if not 0 < tol < 1:
        raise ValueError(f"tol must be in (0, 1), got {tol}")
    if level not in ("ratio", "mean"):
        raise ValueError(f"level must be 'ratio' or 'mean', got {level!r}")
    v = _video(video, min_frames=3)
    T = v.num_frames
    # brightness is a global property: a regular subsample of <= ~16k pixel values suffices
    flat = v.frames.reshape(T, -1)
    step = max(1, flat.shape[1] // 16384)
    fr = flat[:, ::step]
    if median_frame is not None and step == 1 and median_frame.size == fr.shape[1]:
        ref = np.asarray(median_frame).reshape(-1)  # (the same values: elementwise over frames)
    else:
        ref = temporal_median(fr)
    bright = ref > 0.05
    if brightness is not None:
        level = np.asarray(brightness, float).reshape(-1)
        if level.size != T:
            raise ValueError(f"brightness must have one value per frame ({T}), got {level.size}")
    elif level == "mean" or bright.sum() < 16:
        # a dark video: use absolute mean intensity instead of ratios
        level = fr.mean(axis=1) / max(float(fr.mean()), 1e-6)
    else:
        # np.median's, 10x faster; every pixel bright (the usual case): the same values in the
        # same order without the two boolean-index copies
        level = row_medians(fr / ref if bright.all() else fr[:, bright] / ref[bright])
    rel = np.zeros(T)
    for t in range(T):
        nb = [k for k in range(t - 2, t + 3) if k != t and 0 <= k < T]
        base = float(median(level[nb]))
        rel[t] = level[t] / base - 1 if base > 0 else 0.0
    jumps = np.abs(rel)
    # the first and last frame have neighbours on one side only: a step there (a fade before a
    # cut, an exposure change) cannot be told from a flash, so they are held to twice the tol
    lim = np.full(T, tol)
    lim[[0, -1]] = 2 * tol
    bad = np.flatnonzero(jumps > lim)
    findings = [
        Finding(
            name,
            f"frame {t + first_frame} is {100 * abs(rel[t]):.0f}% "
            f"{'brighter' if rel[t] > 0 else 'darker'} than its neighbours (flicker)",
            "fail",
            None,
            [int(t) + first_frame],
            float(jumps[t]),
            tol,
        )
        for t in bad
    ]
    held = _held_light(fr, first_frame) if brightness is None else []
    findings += [
        Finding(
            name,
            f"the light holds still over frames {a}-{b} {why} (held frames: a stutter)",
            "fail",
            None,
            list(range(a, b + 1)),
            0.0,
            tol,
        )
        for a, b, why in held
    ]
    vb = vbench_temporal_flickering(v)
    passed = bad.size == 0 and not held
    return ProbeResult(
        name,
        passed=passed,
        scores={"max_jump": float(jumps.max()), "vbench_flicker": vb},
        threshold=tol,
        failed_frames=sorted({*(bad + first_frame).tolist(), *(f for x in held for f in x[:2])}),
        sentence=(
            f"brightness is steady (largest jump {100 * jumps.max():.1f}%, VBench flicker {vb:.4f})"
            if passed
            else f"brightness flickers in {len(bad)} frame(s): {findings[0].sentence}"
            if bad.size
            else findings[0].sentence
        ),
        findings=findings,
        details={"brightness": level, "jump": jumps},
    )


# --------------------------------------------------------------------------- flow
def _held_light(fr: np.ndarray, first_frame: int = 0) -> list[tuple[int, int, str]]:
    """Runs of frames over which a still camera's picture holds its light while the light drifts
    on both sides and the frame after the run makes up for the drift it missed.

    A stutter holds the whole frame, the lighting with it: where nothing in view moves (the
    object behind an occluder, a still camera) the light's drift is what still shows the time
    pass. ``fr``: ``[T, N]`` pixel values (a regular subsample). Per pair of frames the relative
    brightness change ``r`` is the mean change over the pixels that changed by no more than 4
    robust standard deviations or 3/255 (the picture minus what moved: a noise-free 8-bit
    frame changes its pixels by whole steps as the light drifts), over their mean level; a pair
    where fewer than half the pixels qualify (a moving camera) is not judged. ``s``: the noise
    of ``r`` (the MAD of its first differences, the drift being smooth, over sqrt 2). A run of 2
    to 8 pairs with ``|r| <= 3 s`` holds the light when the mean ``r`` of the 3 pairs before it
    and of the 3 pairs after the pair that ends it have the same sign and exceed ``4 s / sqrt
    3`` (4 standard errors of a 3-pair mean; ``s`` is raised by the run's own edges), the run's
    mean change is under a quarter of the smaller, and the pair that ends it changes in the
    same direction by more than half the drift of the ``n + 1`` frames it spans and by more
    than ``6 s`` (seed 3 stutter 357015: -0.05% per frame, held for 3 pairs within 0.014%,
    then -0.18%; a light at its turn has no such pair, and the drift reverses there). The
    tests hold together only where the light stops and then jumps. Returns ``(first, last, description)`` per run, in frames (+ ``first_frame``)."""
    T = fr.shape[0]
    out: list[tuple[int, int, str]] = []
    if T < 10:
        return out
    r = np.full(T - 1, np.nan)
    for t in range(T - 1):
        d = fr[t + 1] - fr[t]
        dev = np.abs(d - float(median(d)))  # np.median's values (vidkit.probes.medians)
        # what moved changes by far more than noise or a few quantisation steps (3/255)
        keep = dev <= max(4 * 1.4826 * float(median(dev)), 3 / 255)
        base = float(fr[t][keep].mean()) if keep.any() else 0.0
        if keep.mean() >= 0.5 and base > 0.02:
            r[t] = float(d[keep].mean()) / base
    dr = np.diff(r)
    dr = dr[np.isfinite(dr)]
    if dr.size < 6:
        return out
    s = max(1.4826 * float(np.median(np.abs(dr - np.median(dr)))) / np.sqrt(2), 1e-6)
    still = np.isfinite(r) & (np.abs(np.nan_to_num(r)) <= 3 * s)
    for run in mask_runs(still):
        j0, j1 = int(run[0]), int(run[-1])
        n = j1 - j0 + 1
        if not 2 <= n <= 8 or j0 < 3 or j1 + 4 >= T - 1:
            continue
        before, after, catch = r[j0 - 3 : j0], r[j1 + 2 : j1 + 5], float(r[j1 + 1])
        if not (np.all(np.isfinite(before)) and np.all(np.isfinite(after))) or np.isnan(catch):
            continue
        rb, ra = float(before.mean()), float(after.mean())
        drift = min(abs(rb), abs(ra))
        if (
            np.sign(rb) == np.sign(ra) == np.sign(catch)
            and drift > 4 * s / np.sqrt(3)
            and abs(float(r[j0 : j1 + 1].mean())) < 0.25 * drift
            and abs(catch) > max(0.5 * (n + 1) * drift, 6 * s)
        ):
            why = (
                f"while it drifts {100 * rb:+.2f}% per frame before and {100 * ra:+.2f}% after, "
                f"and frame {j1 + 2 + first_frame} makes up for it ({100 * catch:+.2f}%)"
            )
            out.append((j0 + first_frame, j1 + 1 + first_frame, why))
    return out


def gray_u8(frame: np.ndarray) -> np.ndarray:
    """A float [0, 1] RGB (or already gray) frame as uint8 gray, the input of the flow.

    Example:
        >>> gray_u8(np.ones((2, 3, 3))).tolist()
        [[255, 255, 255], [255, 255, 255]]
    """
    import cv2

    u = np.clip(frame, 0, 1)  # a new array: scaled and rounded in place (the same values)
    u *= 255
    u = np.round(u, out=u).astype(np.uint8)
    return cv2.cvtColor(u, cv2.COLOR_RGB2GRAY) if u.ndim == 3 else u


def optical_flow(a: np.ndarray, b: np.ndarray, method: str = "dis") -> np.ndarray:
    """Dense flow ``[H, W, 2]`` (dx, dy) from frame ``a`` to frame ``b`` (float RGB in [0, 1]).

    ``method="dis"`` uses OpenCV's DIS optical flow (preset MEDIUM); ``"farneback"`` uses
    ``cv2.calcOpticalFlowFarneback(0.5, 3, 15, 3, 5, 1.2)``.

    Example:
        >>> import numpy as np
        >>> optical_flow(np.zeros((16, 16, 3)), np.zeros((16, 16, 3))).shape
        (16, 16, 2)
    """
    return _gray_flow(method)(gray_u8(a), gray_u8(b))


def _gray_flow(method: str, refine: bool = True) -> Any:
    """``flow(ga, gb)`` between two uint8 gray frames by ``method`` (see :func:`optical_flow`).
    One DIS instance serves all the pairs of a clip: it keeps nothing between calls (the flows
    are those of a new instance per pair), and making one costs a fiftieth of a 64x64 flow.
    ``refine=False``: DIS without its variational refinement (the patch search's flow, 40-50%
    cheaper), for the warping error's backward flow (see :func:`warping_error`)."""
    import cv2

    if method not in _FLOW_METHODS:
        raise ValueError(f"method must be one of {_FLOW_METHODS}, got {method!r}")
    if method == "dis":
        dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM)
        if not refine:
            dis.setVariationalRefinementIterations(0)
        return lambda ga, gb: dis.calc(ga, gb, None)
    return lambda ga, gb: cv2.calcOpticalFlowFarneback(ga, gb, None, 0.5, 3, 15, 3, 5, 1.2, 0)


@functools.lru_cache(maxsize=4)
def _grid(H: int, W: int) -> tuple[np.ndarray, np.ndarray]:
    """The pixel coordinates (x, y) of an ``H`` x ``W`` frame, float32 (read-only, shared)."""
    gx, gy = np.meshgrid(np.arange(W, dtype=np.float32), np.arange(H, dtype=np.float32))
    gx.flags.writeable = gy.flags.writeable = False
    return gx, gy


def _warp(img: np.ndarray, flow: np.ndarray) -> np.ndarray:
    """Sample ``img`` at ``x + flow(x)`` (bilinear; outside -> nearest edge)."""
    return _remap(img, *_maps(flow))


def _maps(flow: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The sampling maps ``x + flow(x)`` (float32) of :func:`_warp`."""
    H, W = flow.shape[:2]
    gx, gy = _grid(H, W)
    return gx + flow[..., 0].astype(np.float32, copy=False), gy + flow[..., 1].astype(
        np.float32, copy=False
    )


def _remap(img: np.ndarray, mx: np.ndarray, my: np.ndarray) -> np.ndarray:
    import cv2

    return cv2.remap(img, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def occlusion_mask(fw: np.ndarray, bw: np.ndarray) -> np.ndarray:
    """Occluded pixels of frame t (Lai et al. 2018 forward-backward and motion-boundary tests).

    ``fw`` is the flow t -> t+1 and ``bw`` the flow t+1 -> t, both ``[H, W, 2]``.

    Example:
        >>> import numpy as np
        >>> bool(occlusion_mask(np.zeros((4, 4, 2)), np.zeros((4, 4, 2))).any())
        False
    """
    fw = np.asarray(fw, np.float32)
    return _occlusion(fw, np.asarray(bw, np.float32), *_maps(fw))


def _occlusion(fw: np.ndarray, bw: np.ndarray, mx: np.ndarray, my: np.ndarray) -> np.ndarray:
    """:func:`occlusion_mask` of float32 flows, ``fw``'s sampling maps (:func:`_maps`) given.
    Each square and sum is the one of the formula, in its order (the same float32 values), on
    both flow components at once: a third of the array operations on a 64x64 pair."""
    bw_w = _remap(bw, mx, my)
    fb = fw + bw_w
    fb *= fb
    sq_fw = fw * fw
    sq_bw = bw_w
    sq_bw *= bw_w
    mag_fw = sq_fw[..., 0] + sq_fw[..., 1]
    lim = sq_bw[..., 0] + sq_bw[..., 1]
    lim += mag_fw
    lim *= 0.01
    lim += 0.5
    mask1 = (fb[..., 0] + fb[..., 1]) > lim
    # horizontal and vertical differences of (u, v), zero on the last column / row
    dh = np.empty_like(fw)
    dv = np.empty_like(fw)
    np.subtract(fw[:, :-1], fw[:, 1:], out=dh[:, :-1])
    dh[:, -1] = 0
    np.subtract(fw[:-1], fw[1:], out=dv[:-1])
    dv[-1] = 0
    dh *= dh
    dv *= dv
    # du^2 + dv^2 + du_v^2 + dv_v^2, summed left to right
    mot = dh[..., 0] + dv[..., 0]
    mot += dh[..., 1]
    mot += dv[..., 1]
    mag_fw *= 0.01
    mag_fw += 0.002
    mask2 = mot > mag_fw
    mask1 |= mask2
    return mask1


def warping_error(
    video: Video | np.ndarray,
    *,
    method: str = "dis",
    factor: float = 5.0,
    floor: float = 0.002,
    first_frame: int = 0,
    grays: list[np.ndarray] | None = None,
) -> ProbeResult:
    """Warping error (Lai et al. 2018) with classical optical flow, per frame pair and overall.

    See the module docstring for the formula. A pair fails when its error exceeds
    ``max(factor * median, median + floor)`` over the video's pairs (a spike of temporal
    inconsistency); the headline score is the mean error (lower is more consistent).
    ``grays``: the frames' :func:`gray_u8` where the caller has them already
    (``vk.probes.physics`` converts each frame once for this probe and the dynamic degree).

    Example:
        >>> vk.probes.warping_error(scene.video).scores["warping_error"]  # doctest: +SKIP
        0.0004
    """
    name = "warping_error"
    if factor <= 1 or floor < 0:
        raise ValueError(f"factor must be > 1 and floor >= 0, got {factor}, {floor}")
    v = _video(video)
    fr = v.frames
    flow = _gray_flow(method)
    # the backward flow serves only the occlusion test, whose tolerance (0.5 px^2 plus 1%) is
    # coarser than what DIS's variational refinement adds to its patch search's flow: without
    # it (40-50% of a DIS flow's CPU, at 64x64 and at 384x216) most pair errors stay the same
    # (measured on 108 vk.synth clips: median change 0, at most 10%)
    back = _gray_flow(method, refine=False)
    if grays is None:  # each frame's gray once (it is in two pairs, both ways)
        grays = [gray_u8(f) for f in fr]
    elif len(grays) != fr.shape[0]:
        raise ValueError(f"grays must hold one gray frame per frame ({fr.shape[0]})")
    errs = []
    occl = []
    for t in range(fr.shape[0] - 1):
        a, b = fr[t], fr[t + 1]
        fw = flow(grays[t], grays[t + 1])
        bw = back(grays[t + 1], grays[t])
        mx, my = _maps(fw)  # both warps sample at x + fw(x)
        occ = _occlusion(fw, bw, mx, my)
        diff = np.subtract(_remap(b, mx, my), a)
        diff *= diff
        n_occ = int(np.count_nonzero(occ))
        n = (occ.size - n_occ) * 3
        if n == 0:
            err = float(diff.sum() / diff.size)
        else:
            diff[occ] = 0  # diff * (not occluded): the same values
            err = float(diff.sum() / n)
        errs.append(err)
        occl.append(n_occ / occ.size)  # occ.mean(), exactly (a count over a count)
    e = np.asarray(errs)
    med = float(np.median(e))
    lim = max(factor * med, med + floor)
    bad = np.flatnonzero(e > lim)
    findings = [
        Finding(
            name,
            f"frames {t + first_frame} and {t + first_frame + 1} do not warp into each other "
            f"(error {e[t]:.4f}, {e[t] / med if med > 0 else np.inf:.0f}x the video's median)",
            "fail",
            None,
            [int(t) + first_frame, int(t) + first_frame + 1],
            float(e[t]),
            lim,
        )
        for t in bad
    ]
    passed = bad.size == 0
    return ProbeResult(
        name,
        passed=passed,
        scores={"warping_error": float(e.mean()), "max_pair_error": float(e.max())},
        threshold=lim,
        failed_frames=sorted({f + first_frame for t in bad for f in (int(t), int(t) + 1)}),
        sentence=(
            f"consecutive frames warp into each other (mean warping error {e.mean():.5f})"
            if passed
            else findings[0].sentence
        ),
        findings=findings,
        details={"pair_error": e, "occluded_fraction": np.asarray(occl), "method": method},
    )


def dynamic_degree_classical(
    video: Video | np.ndarray, *, method: str = "dis", grays: list[np.ndarray] | None = None
) -> ProbeResult:
    """VBench ``dynamic_degree`` with classical optical flow (DIS or Farneback) instead of RAFT.

    ``passed`` is True when the video is dynamic by VBench's rule (see the module docstring):
    this is a property, not a violation, so :func:`vidkit.probes.physics` reports it as
    information only. ``grays``: every frame's :func:`gray_u8` (all the video's frames, not
    only the kept ones) where the caller has them already.

    Example:
        >>> vk.probes.dynamic_degree_classical(scene.video).passed  # doctest: +SKIP
        True
    """
    name = "dynamic_degree_classical"
    v = _video(video)
    interval = max(1, round(v.fps / 8))
    fr = v.frames[::interval]
    n = fr.shape[0]
    H, W = fr.shape[1:3]
    thres = 6.0 * (min(H, W) / 256.0)
    count_num = round(4 * (n / 16.0))
    cut = int(H * W * 0.05)
    if n < 2 or min(H, W) < 8:
        why = (
            f"only {n} frame(s) remain after keeping every {interval}th frame (VBench's rule at "
            f"{v.fps:g} fps)"
            if n < 2
            else f"the frames are {H}x{W} px, too small for optical flow"
        )
        return ProbeResult(
            name,
            passed=None,
            threshold={"flow_px": thres, "pairs": count_num},
            sentence=f"cannot judge: {why}",
            findings=[Finding(name, f"dynamic degree not measured: {why}", "info")],
            details={"pair_flow": np.zeros(0), "interval": interval},
        )
    scores = []
    pair_flow = _gray_flow(method)
    if grays is None:
        grays = [gray_u8(f) for f in fr]
    elif len(grays) != v.num_frames:
        raise ValueError(f"grays must hold one gray frame per frame ({v.num_frames})")
    else:
        grays = grays[::interval]
    for ga, gb in zip(grays[:-1], grays[1:]):
        flow = pair_flow(ga, gb)
        rad = np.sqrt(flow[..., 0] ** 2 + flow[..., 1] ** 2).reshape(-1)
        k = min(max(cut, 1), rad.size)
        # the k largest, in descending order (np.sort's top k, without sorting the rest)
        top = np.sort(np.partition(rad, rad.size - k)[rad.size - k :])[::-1]
        scores.append(float(np.mean(top)))
    s = np.asarray(scores)
    count = int(np.sum(s > thres))
    # VBench returns at the first pair that reaches the count (so count_num 0 means "any pair")
    dynamic = bool(s.size > 0 and count >= count_num)
    return ProbeResult(
        name,
        passed=dynamic,
        scores={
            "dynamic": float(dynamic),
            "moving_pairs": float(count),
            "max_flow": float(s.max()),
        },
        threshold={"flow_px": thres, "pairs": count_num},
        failed_frames=[],
        sentence=(
            f"dynamic: {count} of {s.size} frame pairs move more than {thres:.2f} px "
            f"(needs {count_num})"
            if dynamic
            else f"static: only {count} of {s.size} frame pairs move more than {thres:.2f} px "
            f"(needs {count_num})"
        ),
        findings=[
            Finding(
                name,
                "the video is "
                + ("dynamic" if dynamic else "static")
                + f" by VBench's rule on classical ({method}) flow",
                "info",
                None,
                [],
                float(count),
                float(count_num),
            )
        ],
        details={"pair_flow": s, "interval": interval},
    )
