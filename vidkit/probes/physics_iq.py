"""Physics-IQ metrics (Motamed et al. 2025) for any pair of videos.

The Physics-IQ benchmark (google-deepmind/physics-IQ-benchmark) compares where and when things
move in a generated continuation against a real one. vidkit computes the same numbers on any
user videos (the reference scripts only run on the benchmark's own file layout).

**Motion masks** (``code/binary_mask_generator.py``): each frame to gray
(``cv2.COLOR_RGB2GRAY`` on uint8, what ``BGR2GRAY`` does on the BGR frames the reference reads),
``cv2.GaussianBlur(5x5, sigma 0)``; the running background starts as the first blurred frame (in
float64) and is updated with ``cv2.accumulateWeighted(gray, avg, 0.3)`` *before* each comparison;
the mask is ``cv2.absdiff(gray, cv2.convertScaleAbs(avg)) > 10`` (0/255), opened then closed with a
5x5 square. The first frame's mask is all zeros. :func:`motion_masks` gives masks identical to
that per-frame loop (:func:`motion_masks_reference`) while batching the blur, colour conversion
and morphology over all frames.

**Metrics** (``code/calculate_and_write_metrics_to_csv.py``): masks resized to ``(W // 4, H // 4)``
with ``cv2.resize`` (bilinear), re-binarised ``> 127``; the first ``fps * 5`` frames.

- Spatial IoU: IoU of the masks OR-ed over time (an empty union counts as 1);
- Spatiotemporal IoU: mean over frames of the per-frame IoU (empty union = 1);
- Weighted spatial IoU: with ``W(p)`` the fraction of frames where pixel p moves,
  ``sum min(W_real, W_gen) / sum max(W_real, W_gen)`` over pixels with ``max > 0`` (1 if none);
- MSE: per frame, on the frames resized the same way and scaled to [0, 1]; averaged over frames.

**Score**, given a physical-variance pair (a second real take): with ``X_var`` each metric
between the two real takes,

- original: ``100 * clip(mean(ST / ST_var, S / S_var, WS / WS_var) - (MSE - MSE_var), 0, 1)``;
- verified: ``100 * mean(clip(ST / ST_var), clip(S / S_var), clip(WS / WS_var),
  clip(MSE_var / MSE))`` with each ``clip`` to [0, 1].

A ratio with a zero denominator counts as 1 when its numerator is 0 too, and as "infinitely
good" (clipped to 1) otherwise.

What vidkit does not reproduce: the reference writes masks to mp4 (``mp4v``) and reads them back,
so codec artefacts can flip a few pixels of its masks; vidkit works on the masks themselves.

Example:
    >>> import vidkit as vk
    >>> real = vk.synth.render("bounce", seed=0).video                    # doctest: +SKIP
    >>> gen = vk.synth.render("bounce", seed=0, violation="teleport").video  # doctest: +SKIP
    >>> vk.probes.physiq(gen, real, fps=16).scores["spatiotemporal_iou"]     # doctest: +SKIP
    0.71
"""

from __future__ import annotations

from typing import Any

import numpy as np

from vidkit.probes.result import Finding, ProbeResult
from vidkit.video import Video, as_video

__all__ = [
    "motion_masks",
    "motion_masks_reference",
    "physiq_metrics",
    "physiq_score",
    "physiq",
]

_KERNEL = np.ones((5, 5), np.uint8)
_METRICS = ("spatiotemporal_iou", "spatial_iou", "weighted_spatial_iou", "mse")


def _uint8_frames(video: Any) -> np.ndarray:
    if isinstance(video, Video):
        return video.uint8
    if isinstance(video, np.ndarray) and video.dtype == np.uint8:
        if video.ndim == 4 and video.shape[-1] == 3:
            return video
        raise ValueError(f"uint8 frames must be [T, H, W, 3], got shape {video.shape}")
    if isinstance(video, np.ndarray) or type(video).__module__.startswith("torch"):
        return as_video(video).uint8
    raise TypeError(f"expected a vidkit Video or a [T, H, W, 3] array, got {type(video).__name__}")


def motion_masks_reference(video: Any, threshold: int = 10) -> np.ndarray:
    """Physics-IQ motion masks with a plain per-frame OpenCV loop, as the reference writes it.

    Returns uint8 ``[T, H, W]`` masks with values 0/255. Kept as the reference that
    :func:`motion_masks` is tested (and benchmarked) against.

    Example:
        >>> import numpy as np
        >>> motion_masks_reference(np.zeros((3, 8, 8, 3), np.uint8)).shape
        (3, 8, 8)
    """
    import cv2

    frames = _uint8_frames(video)
    out = np.zeros(frames.shape[:3], np.uint8)
    gray = cv2.GaussianBlur(cv2.cvtColor(frames[0], cv2.COLOR_RGB2GRAY), (5, 5), 0)
    avg = gray.astype("float")
    for t in range(1, frames.shape[0]):
        gray = cv2.cvtColor(frames[t], cv2.COLOR_RGB2GRAY)
        gray = cv2.GaussianBlur(gray, (5, 5), 0)
        cv2.accumulateWeighted(gray, avg, 0.3)
        avg_u8 = cv2.convertScaleAbs(avg)
        diff = cv2.absdiff(gray, avg_u8)
        _, binary = cv2.threshold(diff, threshold, 255, cv2.THRESH_BINARY)
        binary = cv2.morphologyEx(binary, cv2.MORPH_OPEN, _KERNEL)
        binary = cv2.morphologyEx(binary, cv2.MORPH_CLOSE, _KERNEL)
        out[t] = binary
    return out


def motion_masks(video: Any, threshold: int = 10) -> np.ndarray:
    """Physics-IQ motion masks (see module docstring), batched over frames.

    Identical to :func:`motion_masks_reference` pixel for pixel. The colour conversion runs once
    on all frames; blur and running background run frame by frame (``cv2.accumulateWeighted``
    itself) and write into one tall image that holds every frame with two separator rows above
    and below it; difference, threshold and the four morphology passes then run once on the tall
    image. The separators hold a value that cannot win (255 for erosion, 0 for dilation: what
    OpenCV's default morphology border does), so no operation mixes two frames.

    Returns:
        uint8 ``[T, H, W]``, values 0 or 255; frame 0 is all zeros.

    Example:
        >>> import numpy as np, vidkit as vk
        >>> v = vk.Video(np.random.default_rng(0).random((5, 16, 16, 3)))
        >>> bool((motion_masks(v) == motion_masks_reference(v)).all())
        True
    """
    import cv2

    if not isinstance(threshold, (int, np.integer)) or not 0 <= threshold < 255:
        raise ValueError(f"threshold must be an integer in [0, 255), got {threshold!r}")
    frames = _uint8_frames(video)
    T, H, W = frames.shape[:3]
    out = np.zeros((T, H, W), np.uint8)
    if T < 2:
        return out
    if H < 3 or W < 3:
        raise ValueError(f"frames of {H}x{W} are too small for the 5x5 blur; need at least 3x3")
    P = 2
    gray = cv2.cvtColor(frames.reshape(T * H, W, 3), cv2.COLOR_RGB2GRAY).reshape(T, H, W)
    blur = np.zeros((T, H + 2 * P, W), np.uint8)
    avg_u8 = np.zeros((T, H + 2 * P, W), np.uint8)
    for t in range(T):
        # per-frame calls write straight into the tall buffers (no copies)
        cv2.GaussianBlur(gray[t], (5, 5), 0, dst=blur[t, P : P + H])
        if t == 0:
            avg = blur[0, P : P + H].astype(np.float64)
        else:
            cv2.accumulateWeighted(blur[t, P : P + H], avg, 0.3)
            cv2.convertScaleAbs(avg, dst=avg_u8[t, P : P + H])
    diff = cv2.absdiff(blur.reshape(-1, W), avg_u8.reshape(-1, W))
    _, m = cv2.threshold(diff, int(threshold), 255, cv2.THRESH_BINARY)

    def sep(img: np.ndarray, value: int) -> np.ndarray:
        v = img.reshape(T, H + 2 * P, W)
        v[:, :P] = value
        v[:, P + H :] = value
        return img

    m = cv2.erode(sep(m, 255), _KERNEL)  # open = erode, then dilate
    m = cv2.dilate(sep(m, 0), _KERNEL)
    m = cv2.dilate(sep(m, 0), _KERNEL)  # close = dilate, then erode
    m = cv2.erode(sep(m, 255), _KERNEL)
    out[1:] = m.reshape(T, H + 2 * P, W)[1:, P : P + H]
    return out


def _resize_masks(masks: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    import cv2

    m = np.asarray(masks)
    if m.dtype == np.bool_:
        m = m.astype(np.uint8) * 255
    if m.dtype != np.uint8:
        raise TypeError(f"masks must be uint8 (0/255) or bool, got {m.dtype}")
    return np.stack([(cv2.resize(f, size) > 127).astype(np.uint8) for f in m])


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    union = np.logical_or(a, b).sum()
    if union == 0:
        return 1.0
    return float(np.logical_and(a, b).sum() / union)


def physiq_metrics(
    real_masks: np.ndarray,
    gen_masks: np.ndarray,
    *,
    fps: float,
    real_frames: Any = None,
    gen_frames: Any = None,
) -> dict[str, Any]:
    """Physics-IQ metrics between two mask videos (and optionally their frames, for MSE).

    Args:
        real_masks, gen_masks: ``[T, H, W]`` masks (uint8 0/255 or bool) at the same size.
        fps: frame rate; the first ``round(fps) * 5`` frames are used (as the reference).
        real_frames, gen_frames: the videos (Video or uint8 ``[T, H, W, 3]``) for the MSE.

    Returns:
        ``{"spatiotemporal_iou", "spatial_iou", "weighted_spatial_iou", "mse",
        "spatiotemporal_iou_per_frame", "mse_per_frame", "frames", "size"}`` (MSE entries are NaN
        without frames).

    Example:
        >>> import numpy as np
        >>> m = np.zeros((4, 8, 8), np.uint8); m[1:, :4] = 255
        >>> physiq_metrics(m, m, fps=8)["spatial_iou"]
        1.0
    """
    if not np.isfinite(fps) or fps <= 0:
        raise ValueError(f"fps must be positive, got {fps!r}")
    rm, gm = np.asarray(real_masks), np.asarray(gen_masks)
    for nm, m in (("real_masks", rm), ("gen_masks", gm)):
        if m.ndim != 3:
            raise ValueError(f"{nm} must be [T, H, W], got shape {m.shape}")
    if rm.shape[1:] != gm.shape[1:]:
        raise ValueError(
            f"masks must have the same frame size, got {rm.shape[1:]} and {gm.shape[1:]}"
        )
    H, W = rm.shape[1:]
    size = (W // 4, H // 4)
    if size[0] < 1 or size[1] < 1:
        raise ValueError(f"frames of {H}x{W} are too small: Physics-IQ works at (W//4, H//4)")
    n = int(round(fps)) * 5
    rm, gm = rm[:n], gm[:n]
    if rm.shape[0] != gm.shape[0]:
        raise ValueError(
            f"the videos must have the same number of frames (up to fps*5 = {n}); got "
            f"{rm.shape[0]} real and {gm.shape[0]} generated"
        )
    r = _resize_masks(rm, size)
    g = _resize_masks(gm, size)
    st = [_iou(a, b) for a, b in zip(r, g)]
    spatial = _iou(r.max(axis=0) > 0, g.max(axis=0) > 0)
    wr = np.sum(r, axis=0, dtype=np.uint16) / len(r)
    wg = np.sum(g, axis=0, dtype=np.uint16) / len(g)
    inter, union = np.minimum(wr, wg), np.maximum(wr, wg)
    valid = union > 0
    ws = float(inter[valid].sum() / union[valid].sum()) if valid.any() else 1.0
    mse_pf: list[float] = []
    if real_frames is not None and gen_frames is not None:
        import cv2

        fa = _uint8_frames(real_frames)[:n]
        fb = _uint8_frames(gen_frames)[:n]
        if fa.shape != fb.shape:
            raise ValueError(f"frames must have equal shapes, got {fa.shape} and {fb.shape}")
        if fa.shape[1:3] != (H, W):
            raise ValueError(f"frames are {fa.shape[1:3]} but masks are {(H, W)}")
        for a, b in zip(fa, fb):
            ra = cv2.resize(a, size) / 255.0
            rb = cv2.resize(b, size) / 255.0
            mse_pf.append(float(np.mean((ra.astype(np.float32) - rb.astype(np.float32)) ** 2)))
    return {
        "spatiotemporal_iou": float(np.mean(st)) if st else 1.0,
        "spatial_iou": spatial,
        "weighted_spatial_iou": ws,
        "mse": float(np.mean(mse_pf)) if mse_pf else float("nan"),
        "spatiotemporal_iou_per_frame": st,
        "mse_per_frame": mse_pf,
        "frames": int(r.shape[0]),
        "size": size,
    }


def _ratio(x: float, var: float) -> float:
    if var == 0:
        return 1.0 if x == 0 else float("inf")
    return x / var


def physiq_score(
    metrics: dict[str, float], variance: dict[str, float], variant: str = "original"
) -> float:
    """Physics-IQ score (0..100) of ``metrics`` normalised by the physical ``variance`` metrics.

    ``variant="original"`` is the paper's formula, ``"verified"`` the per-term clipped mean (see
    the module docstring).

    Example:
        >>> m = {"spatiotemporal_iou": 0.5, "spatial_iou": 0.6, "weighted_spatial_iou": 0.4,
        ...      "mse": 0.01}
        >>> physiq_score(m, m), physiq_score(m, m, "verified")
        (100.0, 100.0)
    """
    for k in _METRICS:
        if k not in metrics or k not in variance:
            raise ValueError(f"metrics and variance need the keys {_METRICS}; {k!r} is missing")
    st = _ratio(metrics["spatiotemporal_iou"], variance["spatiotemporal_iou"])
    sp = _ratio(metrics["spatial_iou"], variance["spatial_iou"])
    ws = _ratio(metrics["weighted_spatial_iou"], variance["weighted_spatial_iou"])
    mse, mse_var = metrics["mse"], variance["mse"]
    if variant == "original":
        raw = (st + sp + ws) / 3 - (mse - mse_var)
        return float(100 * np.clip(raw, 0.0, 1.0))
    if variant == "verified":
        terms = [np.clip(x, 0.0, 1.0) for x in (st, sp, ws, _ratio(mse_var, mse))]
        return float(100 * np.mean(terms))
    raise ValueError(f"variant must be 'original' or 'verified', got {variant!r}")


def physiq(
    generated: Any,
    real: Any,
    *,
    real2: Any = None,
    fps: float | None = None,
    threshold: int = 10,
    min_score: float = 50.0,
) -> ProbeResult:
    """Physics-IQ metrics of a generated continuation against a real one, on any videos.

    With ``real2`` (a second real take of the same scene: the physical-variance pair) the score
    is computed both ways (``score``: original, ``score_verified``) and the probe passes when the
    verified score reaches ``min_score``; without it the metrics are reported and ``passed`` is
    None (there is no scale to judge them on).

    Example:
        >>> res = vk.probes.physiq(gen_video, real_video, real2=real_take2)  # doctest: +SKIP
        >>> res.scores["score"], res.scores["score_verified"]  # doctest: +SKIP
        (41.2, 55.0)
    """
    name = "physiq"
    vg, vr = _uint8_frames(generated), _uint8_frames(real)
    if fps is None:
        fps = real.fps if isinstance(real, Video) else None
    if fps is None:
        raise ValueError("fps is needed (the metrics use the first fps*5 frames); pass fps=")
    if vg.shape[1:] != vr.shape[1:]:
        raise ValueError(
            f"generated frames are {vg.shape[1:3]} but real frames are {vr.shape[1:3]}; resize "
            "one to the other first"
        )
    n = min(int(round(fps)) * 5, vg.shape[0], vr.shape[0])
    mg = motion_masks(vg[:n], threshold)
    mr = motion_masks(vr[:n], threshold)
    met = physiq_metrics(mr, mg, fps=fps, real_frames=vr[:n], gen_frames=vg[:n])
    scores = {k: met[k] for k in _METRICS}
    details: dict[str, Any] = {"metrics": met, "masks_real": mr, "masks_generated": mg}
    passed: bool | None = None
    if real2 is not None:
        v2 = _uint8_frames(real2)
        if v2.shape[1:] != vr.shape[1:]:
            raise ValueError(f"real2 frames are {v2.shape[1:3]}, real frames {vr.shape[1:3]}")
        n2 = min(n, v2.shape[0])
        m2 = motion_masks(v2[:n2], threshold)
        var = physiq_metrics(mr[:n2], m2, fps=fps, real_frames=vr[:n2], gen_frames=v2[:n2])
        details["variance"] = var
        scores.update({f"variance_{k}": var[k] for k in _METRICS})
        scores["score"] = physiq_score(met, var, "original")
        scores["score_verified"] = physiq_score(met, var, "verified")
        passed = scores["score_verified"] >= min_score
        sentence = (
            f"Physics-IQ score {scores['score']:.1f} (verified {scores['score_verified']:.1f}) "
            f"against the physical variance of two real takes"
        )
    else:
        sentence = (
            f"motion masks overlap the real ones with spatiotemporal IoU "
            f"{met['spatiotemporal_iou']:.3f} and spatial IoU {met['spatial_iou']:.3f} "
            "(give real2 for a normalised score)"
        )
    findings = [Finding(name, sentence, "info" if passed is not False else "fail")]
    return ProbeResult(
        name,
        passed=passed,
        scores=scores,
        threshold=min_score,
        sentence=sentence,
        findings=findings,
        details=details,
    )
