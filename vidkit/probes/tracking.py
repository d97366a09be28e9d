"""Weight-free object tracking: background model, connected components, identities over time.

The tracker needs no learned weights. It works on videos of a few objects that move over a static
background (plain, noisy or textured), with or without per-frame sensor noise:

1. **Brightness.** Each frame's global brightness gain is estimated against the background
   (least squares, foreground excluded) and divided out, so flicker does not turn the whole frame
   into foreground.
2. **Background.** The per-pixel temporal median. It is exact wherever an object covers a pixel in
   fewer than half of the frames, which holds for moving objects even when they are present in
   every frame. Slow objects that cover some pixels most of the time leave their colour in the
   median; those pixels are found (near an object colour that is rare in the background) and
   replaced by the value they show when uncovered, or filled in from around them.
3. **Foreground.** The colour distance to the background, thresholded at
   ``max(min_contrast, k * noise)`` where the noise level is a robust (MAD) estimate, then
   opened with a 3x3 square (removes noise specks and thin structures such as a pendulum rod).
4. **Objects.** Connected components (OpenCV, 8-connected) above ``min_area`` pixels. Each is
   measured with a soft matte: with the object's colour ``c`` (median of its core pixels) and the
   background ``b`` under it, a pixel ``f`` has coverage ``alpha = <f-b, c-b> / |c-b|^2``. The
   centroid is the alpha-weighted mean position (sub-pixel, unbiased by noise), the area is
   ``sum(alpha)`` and the radius ``sqrt(area / pi)``. Pixel centres are at integer coordinates:
   column ``x``, row ``y`` (y points down).
5. **Identities.** Frame by frame, each track predicts its next position (constant velocity) and
   detections are assigned by :func:`scipy.optimize.linear_sum_assignment` on distance (gated)
   plus a small colour and size cost. Tracks that lose their match while a detection of the same
   look appears elsewhere are matched on appearance (that is how a teleport stays one object).
   Two tracks that fall into one component are split by colour when their colours differ;
   otherwise both are marked ``merged`` for those frames (their size and centre are unreliable).
   A track that ends and one that starts later (up to ``max(12, fps)`` frames) where the first
   one's motion predicts, with the same look, are one object (it passed behind something); the
   frames where an object is only partly visible next to such a gap (area below 85% of its
   usual one) are marked ``merged`` too.

A moving camera is compensated by :func:`vidkit.probes.physics` before tracking: the frames are
stabilised and ``valid`` marks the pixels each one shows.

Example:
    >>> import numpy as np, vidkit as vk
    >>> from vidkit.probes import track
    >>> frames = np.zeros((8, 32, 32, 3), np.float32)
    >>> for t in range(8):
    ...     frames[t, 10:14, 2 + 3 * t : 6 + 3 * t] = (1.0, 0.2, 0.2)
    >>> tr = track(vk.Video(frames, fps=8))
    >>> tr.n_objects, [round(float(v), 2) for v in tr.centers[0, 0]]
    (1, [3.5, 11.5])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from vidkit.video import Video, as_video

__all__ = [
    "Cluttered",
    "Tracks",
    "track",
    "temporal_median",
    "masked_temporal_median",
    "MIN_FRAMES",
]

#: the fewest frames a video must have for tracking and the physics probes
MIN_FRAMES = 4


@dataclass
class Tracks:
    """Per-object trajectories of a video (``n`` objects, ``T`` frames).

    Attributes:
        centers: ``[n, T, 2]`` sub-pixel centroids ``(x, y)`` (x = column, y = row, y down); NaN
            where the object is not visible.
        radii: ``[n, T]`` radius ``sqrt(area / pi)`` in px (NaN where not visible).
        areas: ``[n, T]`` soft area in px^2.
        colors: ``[n, T, 3]`` mean RGB colour in [0, 1] (brightness-normalised).
        visible: ``[n, T]`` whether the object was detected in the frame.
        merged: ``[n, T]`` the object touches or overlaps another one in that frame (contact,
            collision, occlusion): its size and colour are unreliable there.
        at_border: ``[n, T]`` the object touches the frame border (partly outside).
        fps: frames per second.
        size: ``(H, W)`` of the frames.
        background: ``[H, W, 3]`` background model.
        noise: estimated per-channel noise level of the frames (std, in [0, 1] units).
        threshold: foreground threshold used.
        gain: ``[T]`` global brightness gain of each frame relative to the background.
        frame_change: ``[T-1]`` fraction of pixels that changed between consecutive frames
            (after brightness normalisation); 0 for frozen (duplicated) frames.
        frame_diff: ``[T-1]`` mean absolute difference between consecutive raw frames.
        shot: ``[n]`` the shot each object belongs to (index into ``shots``; all 0 by default).
        shots: ``[(first, end)]`` frame ranges of the video's shots (end exclusive); empty means
            one shot over the whole video.
        pixel_scale: original pixels per analysed pixel (> 1 when the video was analysed at a
            smaller working size; positions are then already in original pixels and the
            probes' pixel floors scale with it).
        camera: per shot, the :class:`~vidkit.probes.camera.CameraMotion` compensated before
            tracking (positions are then in the stabilised coordinates of the shot's first
            frame); empty when not measured.
    """

    centers: np.ndarray
    radii: np.ndarray
    areas: np.ndarray
    colors: np.ndarray
    visible: np.ndarray
    merged: np.ndarray
    at_border: np.ndarray
    fps: float
    size: tuple[int, int]
    background: np.ndarray = field(repr=False)
    noise: float = 0.0
    threshold: float = 0.0
    gain: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)
    frame_change: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)
    frame_diff: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)
    shot: np.ndarray = field(default_factory=lambda: np.zeros(0, int), repr=False)
    shots: list[tuple[int, int]] = field(default_factory=list, repr=False)
    pixel_scale: float = 1.0
    camera: list[Any] = field(default_factory=list, repr=False)

    def shot_of(self, i: int) -> int:
        """The shot object ``i`` belongs to."""
        return int(self.shot[i]) if i < self.shot.size else 0

    def span(self, i: int) -> tuple[int, int]:
        """``(first, end)`` frames of the shot object ``i`` belongs to (end exclusive)."""
        if not self.shots:
            return 0, self.num_frames
        return self.shots[self.shot_of(i)]

    @property
    def n_objects(self) -> int:
        """Number of tracked objects."""
        return int(self.centers.shape[0])

    @property
    def num_frames(self) -> int:
        """Number of frames ``T``."""
        return int(self.visible.shape[1])

    @property
    def times(self) -> np.ndarray:
        """Frame times in seconds, ``arange(T) / fps``."""
        return np.arange(self.num_frames) / self.fps

    def reliable(self, i: int) -> np.ndarray:
        """Frames where object ``i`` is visible, whole (not at the border) and not merged."""
        return self.visible[i] & ~self.at_border[i] & ~self.merged[i]

    def to_frame(self) -> Any:
        """The tracks as a long pandas DataFrame: one row per object and visible frame.

        Example:
            >>> tr.to_frame().columns.tolist()[:4]  # doctest: +SKIP
            ['object', 'frame', 'time', 'x']
        """
        import pandas as pd

        rows = []
        for i in range(self.n_objects):
            for t in np.flatnonzero(self.visible[i]):
                rows.append(
                    {
                        "object": i,
                        "frame": int(t),
                        "time": t / self.fps,
                        "x": self.centers[i, t, 0],
                        "y": self.centers[i, t, 1],
                        "radius": self.radii[i, t],
                        "area": self.areas[i, t],
                        "r": self.colors[i, t, 0],
                        "g": self.colors[i, t, 1],
                        "b": self.colors[i, t, 2],
                        "merged": bool(self.merged[i, t]),
                        "at_border": bool(self.at_border[i, t]),
                    }
                )
        cols = ["object", "frame", "time", "x", "y", "radius", "area", "r", "g", "b"]
        return pd.DataFrame(rows, columns=[*cols, "merged", "at_border"])

    def __repr__(self) -> str:
        vis = ", ".join(f"{int(v.sum())}" for v in self.visible)
        return (
            f"Tracks({self.n_objects} objects over {self.num_frames} frames at {self.fps:g} fps, "
            f"{self.size[0]}x{self.size[1]}; visible frames per object: [{vis}])"
        )


# --------------------------------------------------------------------------- frames
def _as_frames(video: Any, fps: float | None) -> tuple[np.ndarray, float]:
    if isinstance(video, Video):
        v = video
    elif isinstance(video, np.ndarray) or type(video).__module__.startswith("torch"):
        v = as_video(video)
    else:
        raise TypeError(
            f"expected a vidkit Video (or a [T, H, W, 3] array), got {type(video).__name__}"
        )
    f = v.fps if fps is None else float(fps)
    if not np.isfinite(f) or f <= 0:
        raise ValueError(f"fps must be a positive number, got {fps!r}")
    if v.num_frames < MIN_FRAMES:
        raise ValueError(
            f"the video has {v.num_frames} frames; tracking and the physics probes need at least "
            f"{MIN_FRAMES}"
        )
    return v.frames, f


_NETWORKS: dict[int, list[tuple[int, int]]] = {}


def _batcher(n: int) -> list[tuple[int, int]]:
    """Comparators of Batcher's odd-even merge sort for ``n`` (a power of two) inputs."""
    if n not in _NETWORKS:
        pairs = []
        p = 1
        while p < n:
            k = p
            while k >= 1:
                for j in range(k % p, n - k, 2 * k):
                    for i in range(min(k, n - j - k)):
                        if (i + j) // (2 * p) == (i + j + k) // (2 * p):
                            pairs.append((i + j, i + j + k))
                k //= 2
            p *= 2
        _NETWORKS[n] = pairs
    return _NETWORKS[n]


def masked_temporal_median(frames: np.ndarray, valid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-pixel median over the frames where ``valid`` ([T, H, W]) is True; ``(median, seen)``
    where ``seen`` marks pixels valid in at least one frame (elsewhere the median is 0).

    The same sorting network as :func:`temporal_median` with invalid values at +inf, so the
    valid ones come first; the median is read at each pixel's own middle rank.

    Example:
        >>> import numpy as np
        >>> x = np.arange(4, dtype=np.float32).reshape(4, 1, 1, 1) * np.ones((1, 2, 2, 3))
        >>> v = np.ones((4, 2, 2), bool); v[3, 0, 0] = False
        >>> med, seen = masked_temporal_median(x, v)
        >>> float(med[0, 0, 0]), float(med[1, 1, 0])
        (1.0, 1.5)
    """
    x = np.asarray(frames)
    T = x.shape[0]
    n = 1 << max(T - 1, 0).bit_length()
    work = np.empty((n, *x.shape[1:]), dtype=np.result_type(x.dtype, np.float32))
    work[:T] = x
    vb = np.asarray(valid, bool)
    if x.ndim == 4:
        vb = vb[..., None]
    work[:T][~np.broadcast_to(vb, x.shape)] = np.inf
    work[T:] = np.inf
    tmp = np.empty_like(work[0])
    for i, j in _batcher(n):
        np.minimum(work[i], work[j], out=tmp)
        np.maximum(work[i], work[j], out=work[j])
        work[i] = tmp
    cnt = np.broadcast_to(vb, x.shape).sum(axis=0)
    lo = np.maximum((cnt - 1) // 2, 0)
    hi = np.maximum(cnt // 2, 0)
    a = np.take_along_axis(work, lo[None], axis=0)[0]
    b = np.take_along_axis(work, hi[None], axis=0)[0]
    seen = cnt > 0
    med = np.where(seen, (a + b) * 0.5, 0.0).astype(work.dtype)
    if x.ndim == 4:
        seen = seen.any(axis=-1)
    return med, seen


def temporal_median(frames: np.ndarray) -> np.ndarray:
    """Per-pixel median over the first axis, equal to ``np.median(frames, axis=0)``.

    A sorting network over whole frames (Batcher's odd-even merge sort, padded to a power of
    two with +inf): every compare-exchange is one vectorised min/max over a frame, which is
    10-20x faster than numpy's per-pixel partition for the few dozen frames of a clip.

    Example:
        >>> import numpy as np
        >>> x = np.random.default_rng(0).random((7, 4, 5)).astype(np.float32)
        >>> bool(np.allclose(temporal_median(x), np.median(x, axis=0)))
        True
    """
    x = np.asarray(frames)
    T = x.shape[0]
    if T == 0:
        raise ValueError("temporal_median needs at least one frame")
    if T == 1:
        return x[0].copy()
    n = 1 << (T - 1).bit_length()
    work = np.empty((n, *x.shape[1:]), dtype=np.result_type(x.dtype, np.float32))
    work[:T] = x
    work[T:] = np.inf
    tmp = np.empty_like(work[0])
    for i, j in _batcher(n):
        np.minimum(work[i], work[j], out=tmp)
        np.maximum(work[i], work[j], out=work[j])
        work[i] = tmp
    if T % 2:
        return work[T // 2].copy()
    return (work[T // 2 - 1] + work[T // 2]) * 0.5


def _dist(resid: np.ndarray) -> np.ndarray:
    """Euclidean norm over the last (RGB) axis, without numpy's slow 3-wide reduction."""
    r = resid
    return np.sqrt(r[..., 0] * r[..., 0] + r[..., 1] * r[..., 1] + r[..., 2] * r[..., 2])


def _noise_sigma(residual: np.ndarray) -> float:
    """Robust per-channel noise std (MAD) of a residual array, from a subsample."""
    flat = residual.reshape(-1)
    step = max(1, flat.size // 40_000)
    sample = flat[::step]
    return float(1.4826 * np.median(np.abs(sample - np.median(sample))))


def _gains(frames: np.ndarray, bg: np.ndarray, exclude: np.ndarray | None = None) -> np.ndarray:
    """Least-squares global gain of each frame against ``bg`` (1 where bg is too dark)."""
    T = frames.shape[0]
    f = frames.reshape(T, -1)
    b = bg.reshape(-1)
    if exclude is not None:
        keep = ~np.repeat(exclude.reshape(T, -1), 3, axis=1)
        fb = np.where(keep, f, 0) @ b
        num = fb.astype(np.float64)
        den = (keep.astype(np.float32) @ (b * b)).astype(np.float64)
    else:
        num = (f @ b).astype(np.float64)
        den = np.full(T, float(b @ b))
    ok = den > 1e-3 * b.size
    g = np.ones(T)
    g[ok] = num[ok] / den[ok]
    g[~np.isfinite(g) | (g <= 0.05)] = 1.0
    return g


def _fill(img: np.ndarray, known: np.ndarray) -> np.ndarray:
    """Fill unknown pixels by normalised convolution with growing Gaussian blurs."""
    import cv2

    out = img.copy()
    w = known.astype(np.float32)
    num = img * w[..., None]
    todo = ~known
    sigma = 1.5
    while todo.any() and sigma < 4 * max(img.shape[:2]):
        k = int(2 * round(3 * sigma) + 1)
        nb = cv2.GaussianBlur(num, (k, k), sigma, borderType=cv2.BORDER_REFLECT)
        wb = cv2.GaussianBlur(w, (k, k), sigma, borderType=cv2.BORDER_REFLECT)
        ok = todo & (wb > 1e-3)
        out[ok] = nb[ok] / wb[ok][:, None]
        todo &= ~ok
        sigma *= 2
    return out


def _mode_background(
    work: np.ndarray, bg: np.ndarray, dist: np.ndarray, sigma: float
) -> np.ndarray | None:
    """Where the median is not a mode (most frames far from it), use the densest value instead.

    An object's soft edge that lingers over a pixel for many frames makes the median a blend
    of object and background; the value that most frames agree with (within the noise) is the
    background. Only such pixels are touched. None when there are none.
    """
    tol = max(0.05, 3.0 * sigma * np.sqrt(3.0))
    frac = np.mean(dist < tol, axis=0)
    sus = frac < 0.5
    if not sus.any():
        return None
    vals_all = work[:, sus]  # [T, n, 3]
    T = vals_all.shape[0]
    new = np.empty(vals_all.shape[1:], np.float32)
    # [T, T, n] distances in slices of pixels, so memory stays near 48 MB whatever T and n
    step = max(1, int(48e6 // (T * T * 16)))
    for a in range(0, vals_all.shape[1], step):
        vals = vals_all[:, a : a + step]
        d = _dist(vals[:, None] - vals[None])  # [T, T, n]
        close = d < tol
        count = close.sum(axis=1)  # [T, n]
        best = np.argmax(count, axis=0)  # [n]
        sel = close[best, :, np.arange(best.size)].T  # [T, n]
        w = sel[..., None].astype(np.float32)
        new[a : a + step] = (vals * w).sum(0) / np.maximum(w.sum(0), 1)
    out = bg.copy()
    out[sus] = new
    return out


def _repair_background(
    work: np.ndarray, bg: np.ndarray, dets: list[list[Any]], thr: float, sigma: float
) -> np.ndarray | None:
    """Remove slow objects from the median background; None when it holds none.

    A pixel that an object covers in more than half of the frames takes the object's colour in
    the median. Object colours are learnt from the detections (colours that are not common in
    the background); background pixels near those colours, and their rims, are replaced by the
    value the pixel shows when it is closest to the background filled in from around it (or by
    that fill when the pixel is never uncovered).
    """
    import cv2

    cols = [d.color for ds in dets for d in ds]
    if not cols:
        return None
    cols = np.unique(np.round(np.stack(cols), 2), axis=0)
    step = max(1, bg.shape[0] * bg.shape[1] // 4096)
    sample = bg.reshape(-1, 3)[::step]
    keep = [c for c in cols if np.median(np.linalg.norm(sample - c, axis=1)) > 0.25]
    if not keep:
        return None
    C = np.stack(keep)
    near = np.zeros(bg.shape[:2], bool)
    for c in C:
        near |= np.linalg.norm(bg - c, axis=-1) < 0.2
    if not near.any():
        return None
    region = cv2.dilate(near.astype(np.uint8), np.ones((7, 7), np.uint8)).astype(bool)
    if region.all():
        return None
    filled = _fill(bg, ~region)
    bad = region & (np.linalg.norm(bg - filled, axis=-1) > max(0.08, 4 * sigma))
    if not bad.any():
        return None
    vals = work[:, bad]  # [T, n, 3]
    d = np.linalg.norm(vals - filled[bad][None], axis=-1)  # [T, n]
    best = d.min(axis=0)
    close = d <= best[None] + max(0.05, 3 * sigma)
    w = close[..., None].astype(np.float32)
    new = (vals * w).sum(0) / np.maximum(w.sum(0), 1)
    never = best > 0.25
    new[never] = filled[bad][never]
    out = bg.copy()
    out[bad] = new
    return out


# --------------------------------------------------------------------------- detections
@dataclass
class _Det:
    x: float
    y: float
    area: float
    color: np.ndarray
    bbox: tuple[int, int, int, int]  # x0, y0, x1, y1 (exclusive)
    border: bool
    label: int
    merged: bool = False
    npix: int = 0  # pixels in the (opened) foreground component

    @property
    def radius(self) -> float:
        return float(np.sqrt(max(self.area, 0.0) / np.pi))


def _measure(
    frame: np.ndarray,
    bg: np.ndarray,
    dist: np.ndarray,
    support: np.ndarray,
    region: tuple[slice, slice],
    thr: float,
    color: np.ndarray | None = None,
    core: np.ndarray | None = None,
) -> tuple[float, float, float, np.ndarray] | None:
    """Soft-matte measurement of one object in ``region`` restricted to ``support``.

    Pixels that are not a mix of the object's colour and the background under them (the
    perpendicular residual is large: a rod, a floor, another object) get no weight.
    """
    f = frame[region]
    b = bg[region]
    d = dist[region]
    sup = support
    if not sup.any():
        return None
    if color is None:
        sel = core if core is not None and core.any() else sup
        vals = d[sel]
        k = int(0.9 * (vals.size - 1))
        strong = sel & (d >= 0.6 * np.partition(vals, k)[k])
        color = _dominant_color(f[strong if strong.any() else sel])
    diff_c = color[None, None, :] - b
    den = np.einsum("ijk,ijk->ij", diff_c, diff_c)
    fb = f - b
    num = np.einsum("ijk,ijk->ij", fb, diff_c)
    ok = den > (1.5 * thr) ** 2
    alpha = np.where(ok, num / np.maximum(den, 1e-12), (d > thr).astype(np.float32))
    perp = fb - alpha[..., None] * diff_c
    mix = np.sqrt(np.einsum("ijk,ijk->ij", perp, perp)) <= max(1.5 * thr, 0.12)
    alpha = np.clip(alpha, -0.5, 1.0) * (sup & mix)
    area = float(alpha.sum())
    if area <= 0.5:
        return None
    xs = np.arange(region[1].start, region[1].stop, dtype=np.float64)
    ys = np.arange(region[0].start, region[0].stop, dtype=np.float64)
    cx = float(alpha.sum(axis=0) @ xs / area)
    cy = float(alpha.sum(axis=1) @ ys / area)
    inner = sup & (alpha > 0.85)
    col = np.mean(f[inner], axis=0) if inner.sum() >= 1 else color
    return cx, cy, area, np.asarray(col, np.float64)


def _dominant_color(pixels: np.ndarray, radius: float = 0.12) -> np.ndarray:
    """The colour most pixels agree with (mean of the densest neighbourhood), so a blob of two
    touching objects takes the colour of one of them rather than a blend of both."""
    px = pixels.reshape(-1, 3)
    med = np.median(px, axis=0)
    if np.max(np.abs(px - med)) < radius / 2:
        return med  # one colour (the usual case): no need to look for clusters
    if px.shape[0] > 96:
        px = px[:: px.shape[0] // 96 + 1]
    d = np.sqrt(((px[:, None, :] - px[None, :, :]) ** 2).sum(-1))
    near = d < radius
    k = int(np.argmax(near.sum(1)))
    return px[near[k]].mean(axis=0)


_K3 = np.ones((3, 3), np.uint8)
_K5 = np.ones((5, 5), np.uint8)


def _detect(
    frame: np.ndarray,
    bg: np.ndarray,
    dist: np.ndarray,
    thr: float,
    min_area: int,
    outside: np.ndarray | None = None,
) -> tuple[list[_Det], np.ndarray]:
    """Objects of one frame: opened foreground mask (thin rods and noise specks removed).

    ``outside`` marks pixels next to what the frame does not show (a stabilised frame's edge):
    an object touching them is at the border."""
    import cv2

    H, W = dist.shape
    mask = cv2.morphologyEx((dist > thr).astype(np.uint8), cv2.MORPH_OPEN, _K3)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    dets: list[_Det] = []
    for k in range(1, n):
        x0, y0, w, h, a = (int(v) for v in stats[k])
        if a < min_area:
            continue
        pad = 3
        ys = slice(max(0, y0 - pad), min(H, y0 + h + pad))
        xs = slice(max(0, x0 - pad), min(W, x0 + w + pad))
        lab = labels[ys, xs]
        comp = lab == k
        sup = cv2.dilate(comp.astype(np.uint8), _K5).astype(bool)
        sup &= comp | (lab == 0)
        m = _measure(frame, bg, dist, sup, (ys, xs), thr, core=comp)
        border = x0 <= 0 or y0 <= 0 or x0 + w >= W or y0 + h >= H
        if not border and outside is not None:
            border = bool(outside[ys, xs][comp].any())
        box = (x0, y0, x0 + w, y0 + h)
        if m is None:
            # no consistent colour (a blend of objects): keep the blob, flagged unreliable
            yy, xx = np.nonzero(comp)
            col = np.median(frame[ys, xs][comp], axis=0).astype(np.float64)
            cx, cy = float(xx.mean() + xs.start), float(yy.mean() + ys.start)
            dets.append(_Det(cx, cy, float(a), col, box, border, k, merged=True, npix=a))
            continue
        dets.append(_Det(m[0], m[1], m[2], m[3], box, border, k, npix=a))
    return dets, labels


def _split(
    det: _Det,
    colors: list[np.ndarray],
    frame: np.ndarray,
    bg: np.ndarray,
    dist: np.ndarray,
    labels: np.ndarray,
    thr: float,
) -> list[_Det] | None:
    """Split one component into objects of distinct colours (nearest-colour pixel labels)."""
    import cv2

    H, W = dist.shape
    x0, y0, x1, y1 = det.bbox
    ys = slice(max(0, y0 - 2), min(H, y1 + 2))
    xs = slice(max(0, x0 - 2), min(W, x1 + 2))
    comp = labels[ys, xs] == det.label
    f = frame[ys, xs]
    cands = np.stack([bg[ys, xs], *[np.broadcast_to(c, f.shape) for c in colors]], axis=0)
    cls = np.argmin(np.sum((f[None] - cands) ** 2, axis=-1), axis=0)
    out = []
    for j, c in enumerate(colors, start=1):
        own = (cls == j) & comp
        if own.sum() < 2:
            return None
        sup = cv2.dilate(own.astype(np.uint8), _K5).astype(bool)
        sup &= comp | (labels[ys, xs] == 0)
        sup &= ~np.isin(cls, [k for k in range(1, len(colors) + 1) if k != j]) | own
        m = _measure(frame, bg, dist, sup, (ys, xs), thr, color=c)
        if m is None:
            return None
        out.append(
            _Det(m[0], m[1], m[2], m[3], det.bbox, det.border, det.label, True, int(own.sum()))
        )
    return out


# --------------------------------------------------------------------------- tracking
class _Track:
    __slots__ = ("frames", "pos", "area", "color", "merged", "border", "occluded", "_cache")

    def __init__(self) -> None:
        self.frames: list[int] = []
        self.pos: list[tuple[float, float]] = []
        self.area: list[float] = []
        self.color: list[np.ndarray] = []
        self.merged: list[bool] = []
        self.border: list[bool] = []
        self.occluded: list[int] = []
        self._cache: dict[str, tuple[Any, Any]] = {}

    def _key(self) -> tuple:
        return (len(self.frames), tuple(self.merged[-6:]))

    def add(self, t: int, d: _Det) -> None:
        self.frames.append(t)
        self.pos.append((d.x, d.y))
        self.area.append(d.area)
        self.color.append(d.color)
        self.merged.append(d.merged)
        self.border.append(d.border)

    @property
    def last(self) -> int:
        return max(self.frames[-1], self.occluded[-1] if self.occluded else -1)

    def ref_color(self) -> np.ndarray:
        key = self._key()
        hit = self._cache.get("c")
        if hit is not None and hit[0] == key:
            return hit[1]
        good = [c for c, m in zip(self.color[-5:], self.merged[-5:]) if not m]
        val = np.median(np.stack(good or self.color[-5:]), axis=0)
        self._cache["c"] = (key, val)
        return val

    def ref_radius(self) -> float:
        key = self._key()
        hit = self._cache.get("r")
        if hit is not None and hit[0] == key:
            return hit[1]
        good = [
            a for a, m, b in zip(self.area[-6:], self.merged[-6:], self.border[-6:]) if not (m or b)
        ]
        val = float(np.sqrt(max(float(np.median(good or self.area[-6:])), 1.0) / np.pi))
        self._cache["r"] = (key, val)
        return val

    def predict(self, t: int) -> tuple[np.ndarray, float]:
        """Predicted position at ``t`` and the speed (px/frame) used."""
        p = np.asarray(self.pos[-1])
        if len(self.frames) >= 2:
            dt = self.frames[-1] - self.frames[-2]
            v = (p - np.asarray(self.pos[-2])) / max(dt, 1)
        else:
            v = np.zeros(2)
        return p + v * (t - self.frames[-1]), float(np.hypot(*v))


def _color_dist(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.sqrt(np.sum((np.asarray(a) - np.asarray(b)) ** 2)))


def _associate(dets_per_frame: list[list[_Det]], split_fn: Any, max_gap: int) -> list[_Track]:
    from scipy.optimize import linear_sum_assignment

    tracks: list[_Track] = []
    big = 1e6
    for t, dets in enumerate(dets_per_frame):
        active = [tr for tr in tracks if t - tr.last <= max_gap]
        preds = [tr.predict(t) for tr in active]
        # merges: several tracks predicted inside one component
        if len(active) >= 2 and dets:
            new_dets: list[_Det] = []
            for d in dets:
                inside = []
                for k, (p, _) in enumerate(preds):
                    r = active[k].ref_radius()
                    x0, y0, x1, y1 = d.bbox
                    if x0 - r <= p[0] <= x1 + r and y0 - r <= p[1] <= y1 + r:
                        inside.append(k)
                if len(inside) >= 2:
                    areas = [np.pi * active[k].ref_radius() ** 2 for k in inside]
                    if d.npix > 1.35 * max(areas):
                        cols = [active[k].ref_color() for k in inside]
                        distinct = all(
                            _color_dist(cols[i], cols[j]) > 0.2
                            for i in range(len(cols))
                            for j in range(i + 1, len(cols))
                        )
                        parts = split_fn(t, d, cols) if distinct else None
                        if parts:
                            new_dets.extend(parts)
                            continue
                        d.merged = True
                new_dets.append(d)
            dets = new_dets
        matched_t: set[int] = set()
        matched_d: set[int] = set()
        if active and dets:
            cost = np.full((len(active), len(dets)), big)
            for i, (tr, (p, speed)) in enumerate(zip(active, preds)):
                r = tr.ref_radius()
                gap = t - tr.frames[-1]
                gate = 2.0 * r + 3.0 + (0.6 * speed + 1.0) * gap
                col = tr.ref_color()
                for j, d in enumerate(dets):
                    dd = float(np.hypot(d.x - p[0], d.y - p[1]))
                    if dd <= gate:
                        cost[i, j] = (
                            dd / gate
                            + 0.5 * _color_dist(col, d.color)
                            + 0.2 * abs(np.log(max(d.radius, 0.5) / r))
                        )
            pairs: list[tuple[int, int]] = []
            rows, cols_ = linear_sum_assignment(cost)
            for i, j in zip(rows, cols_):
                if cost[i, j] < big:
                    active[i].add(t, dets[j])
                    matched_t.add(i)
                    matched_d.add(j)
                    pairs.append((i, j))
            # appearance matching for tracks that were seen in the previous frame (teleports)
            lost = [i for i in range(len(active)) if i not in matched_t and active[i].last == t - 1]
            free = [j for j in range(len(dets)) if j not in matched_d]
            if lost and free:
                c2 = np.full((len(lost), len(free)), big)
                for a, i in enumerate(lost):
                    col, r = active[i].ref_color(), active[i].ref_radius()
                    for b, j in enumerate(free):
                        cd = _color_dist(col, dets[j].color)
                        lr = abs(np.log(max(dets[j].radius, 0.5) / r))
                        if cd < 0.15 and lr < 0.35 and not dets[j].merged:
                            c2[a, b] = cd + lr
                ra, cb = linear_sum_assignment(c2)
                for a, b in zip(ra, cb):
                    if c2[a, b] < big:
                        active[lost[a]].add(t, dets[free[b]])
                        matched_t.add(lost[a])
                        matched_d.add(free[b])
                        pairs.append((lost[a], free[b]))
            # tracks hidden inside another object's blob (which grew): occluded, not vanished
            owner = {j: active[i] for i, j in pairs}
            for i, tr in enumerate(active):
                if i in matched_t or len(tr.frames) < 3 or t - tr.frames[-1] > max_gap:
                    continue
                p, _ = preds[i]
                r = 0.5 * tr.ref_radius()
                for j, d in enumerate(dets):
                    if j not in owner:
                        continue
                    x0, y0, x1, y1 = d.bbox
                    grew = d.npix > 1.2 * np.pi * owner[j].ref_radius() ** 2
                    if grew and x0 - r <= p[0] <= x1 + r and y0 - r <= p[1] <= y1 + r:
                        d.merged = True
                        owner[j].merged[-1] = True
                        tr.occluded.append(t)
                        break
        for j, d in enumerate(dets):
            if j not in matched_d:
                tr = _Track()
                tr.add(t, d)
                tracks.append(tr)
    return tracks


def _predict_at(tr: _Track, t: int) -> np.ndarray:
    """Position of a track extrapolated to frame ``t`` from its last (up to 6) frames."""
    f = np.asarray(tr.frames[-6:], float)
    p = np.asarray(tr.pos[-6:], float)
    if f.size == 1:
        return p[-1]
    deg = 2 if f.size >= 5 else 1
    return np.array([np.polyval(np.polyfit(f - f[-1], p[:, k], deg), t - f[-1]) for k in range(2)])


def _link_gaps(tracks: list[_Track], T: int, max_link: int) -> list[_Track]:
    """Join a track that ends to one that starts later where the first one's motion predicts,
    with the same look: an object that passed behind something (or out of the frame and back)
    is the same object. Longest gaps: ``max_link`` frames."""
    order = sorted(range(len(tracks)), key=lambda k: tracks[k].frames[0])
    used: set[int] = set()
    for a in sorted(range(len(tracks)), key=lambda k: tracks[k].frames[-1]):
        A = tracks[a]
        if a in used or len(A.frames) < 3:
            continue
        e = A.frames[-1]
        best, best_cost = None, np.inf
        ra, ca = A.ref_radius(), A.ref_color()
        v = np.hypot(*(np.asarray(A.pos[-1]) - np.asarray(A.pos[-2]))) if len(A.pos) > 1 else 0
        pa = np.asarray(A.pos[-5:], float)
        fa = np.asarray(A.frames[-5:], float)
        vmax = (
            float(np.max(np.hypot(*np.diff(pa, axis=0).T) / np.maximum(np.diff(fa), 1)))
            if pa.shape[0] > 1
            else 0.0
        )
        for b in order:
            B = tracks[b]
            s = B.frames[0]
            if b == a or b in used or s <= e + 1 or s - e > max_link or len(B.frames) < 2:
                continue
            gap = s - e
            pred = _predict_at(A, s)
            d = float(np.hypot(*(np.asarray(B.pos[0]) - pred)))
            gate = 2.0 * ra + 3.0 + 0.3 * (v + 1.0) * gap
            if d > gate:
                # or within reach of where it was last seen, in a short gap (it may have
                # bounced while unseen: a fast, blurred ball at the floor)
                d = float(np.hypot(*(np.asarray(B.pos[0]) - np.asarray(A.pos[-1]))))
                gate = 2.0 * ra + 3.0 + 1.5 * (vmax + 1.0) * gap
                if gap > 4 or d > gate:
                    continue
            good = [c for c, m in zip(B.color[:6], B.merged[:6]) if not m] or B.color[:6]
            cd = _color_dist(ca, np.median(np.stack(good), axis=0))
            rb = float(np.sqrt(max(max(B.area[:6]), 1.0) / np.pi))
            if cd > 0.2 or abs(np.log(rb / ra)) > 0.7:
                continue
            cost = d / gate + cd
            if cost < best_cost:
                best, best_cost = b, cost
        if best is not None:
            B = tracks[best]
            for k in range(len(B.frames)):
                A.frames.append(B.frames[k])
                A.pos.append(B.pos[k])
                A.area.append(B.area[k])
                A.color.append(B.color[k])
                A.merged.append(B.merged[k])
                A.border.append(B.border[k])
            A.occluded.extend(B.occluded)
            used.add(best)
    return [tr for k, tr in enumerate(tracks) if k not in used]


def _mark_partial(
    area: np.ndarray, visible: np.ndarray, merged: np.ndarray, border: np.ndarray
) -> None:
    """Flag (as ``merged``: unreliable) the frames where an object is only partly visible: the
    first frames of a visible run after a hidden stretch and the last ones before it, while its
    area is below 85% of its usual area (it is emerging from, or going behind, something)."""
    T = visible.size
    ok = visible & ~merged & ~border
    if ok.sum() < 3:
        ok = visible
    if ok.sum() < 3:
        return
    ref = float(np.median(area[ok]))
    small = visible & (area < 0.85 * ref)
    idx = np.flatnonzero(visible)
    runs = np.split(idx, np.flatnonzero(np.diff(idx) > 1) + 1)
    for r in runs:
        if r[0] > 0:
            for f in r:
                if not small[f]:
                    break
                merged[f] = True
        if r[-1] < T - 1:
            for f in r[::-1]:
                if not small[f]:
                    break
                merged[f] = True


class Cluttered(ValueError):
    """The frames hold too many moving regions to follow them as objects."""

    def __init__(self, regions: int, limit: int) -> None:
        super().__init__(
            f"{regions} moving regions per frame (median) were found: texture, clutter, a crowd "
            f"or a camera motion not fully compensated; more than {limit} cannot be followed "
            "reliably"
        )
        self.regions = regions
        self.limit = limit


def _check_clutter(dist: np.ndarray, thr: float, min_area: int, limit: int) -> None:
    """Raise :class:`Cluttered` when the median frame has more than ``limit`` regions."""
    import cv2

    T = dist.shape[0]
    counts = []
    for t in range(0, T, max(1, T // 12)):
        mask = cv2.morphologyEx((dist[t] > thr).astype(np.uint8), cv2.MORPH_OPEN, _K3)
        n, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
        counts.append(int(np.sum(stats[1:, 4] >= min_area)))
    med = int(np.median(counts))
    if med > limit:
        raise Cluttered(med, limit)


def _moves(tr: _Track, min_px: float = 1.0) -> bool:
    """Whether a track moves at all (a blob that never moves by 1 px is a static part)."""
    p = np.asarray(tr.pos)
    return bool(np.max(np.hypot(*(p - np.median(p, axis=0)).T)) >= min_px)


def track(
    video: Video | np.ndarray,
    *,
    fps: float | None = None,
    min_area: int | None = None,
    min_contrast: float = 0.06,
    k_noise: float = 4.0,
    min_length: int = 3,
    max_gap: int = 4,
    valid: np.ndarray | None = None,
    max_regions: int | None = None,
) -> Tracks:
    """Track the moving objects of a video without any learned weights.

    See the module docstring for the method. Objects that never move belong to the background and
    are not tracked.

    Args:
        video: a :class:`vidkit.Video` (or a ``[T, H, W, 3]`` array); at least 4 frames.
            Grayscale videos work (their three channels are equal).
        fps: override the video's frame rate.
        min_area: smallest object in pixels of its opened mask (default ``max(12, H*W/5000)``,
            about a 2-px radius at 64x64).
        min_contrast: smallest colour distance (0..sqrt(3)) counted as foreground.
        k_noise: foreground threshold in units of the estimated noise std.
        min_length: tracks seen in fewer frames are dropped as noise; so are tracks that never
            move by 1 px (static parts, such as a pendulum's pivot with the rod's end).
        max_gap: frames a track may go unseen and still be continued.
        valid: ``[T, H, W]`` bool, the pixels each frame shows (stabilised frames of a moving
            camera: False outside the field of view). Unseen pixels take the background's value
            and an object touching them counts as at the frame border. None: all pixels.
        max_regions: raise :class:`Cluttered` (before the costly steps) when the frames hold
            more foreground regions than this (median over frames): texture, clutter or a crowd
            that cannot be followed as objects. None: no limit.

    Returns:
        :class:`Tracks`.

    Example:
        >>> scene = vk.synth.render("projectile", seed=0)  # doctest: +SKIP
        >>> tr = vk.probes.track(scene.video)  # doctest: +SKIP
        >>> tr.centers.shape  # doctest: +SKIP
        (1, 32, 2)
    """

    frames, fps_ = _as_frames(video, fps)
    T, H, W, _ = frames.shape
    if min_area is None:
        min_area = max(12, int(H * W / 5000))
    if int(min_area) < 1:
        raise ValueError(f"min_area must be >= 1 pixel, got {min_area}")
    if not 0 < min_contrast < 2:
        raise ValueError(f"min_contrast must be in (0, 2), got {min_contrast}")

    raw = frames
    frame_diff = np.mean(np.abs(np.diff(raw, axis=0)), axis=(1, 2, 3))
    outside = None
    if valid is not None:
        import cv2

        valid = np.asarray(valid, bool)
        if valid.shape != frames.shape[:3]:
            raise ValueError(
                f"valid must have shape {frames.shape[:3]} (frames, height, width), got "
                f"{valid.shape}"
            )
        bg0, seen = masked_temporal_median(raw, valid)
        if not seen.all():
            bg0 = _fill(bg0, seen)
        raw = np.where(valid[..., None], raw, bg0[None].astype(np.float32))
        outside = [
            cv2.dilate((~v).astype(np.uint8), _K5).astype(bool) if not v.all() else None
            for v in valid
        ]
    bg = temporal_median(raw)
    gain = _gains(raw, bg)
    if np.max(np.abs(gain - 1)) > 1e-3:
        work = raw / gain[:, None, None, None].astype(np.float32)
        bg = temporal_median(work)
    else:
        gain = np.ones(T)
        work = raw
    resid = work - bg[None]
    dist = _dist(resid)
    # refine the gain without the foreground, then recompute
    fg0 = dist > max(min_contrast, 6 * _noise_sigma(resid))
    if fg0.any():
        g2 = _gains(work, bg, exclude=fg0)
        if np.max(np.abs(g2 - 1)) > 1e-3:
            work = work / g2[:, None, None, None].astype(np.float32)
            gain = gain * g2
            bg = temporal_median(work)
            resid = work - bg[None]
            dist = _dist(resid)
    sigma = _noise_sigma(resid)
    if max_regions is not None:
        _check_clutter(dist, float(max(min_contrast, k_noise * sigma)), int(min_area), max_regions)
    moded = _mode_background(work, bg, dist, sigma)
    if moded is not None:
        bg = moded
        resid = work - bg[None]
        dist = _dist(resid)
    # the background distance of a pixel is chi(3)-distributed: P(> 4 sigma) ~ 0.3%, and the
    # morphological opening removes such isolated specks
    thr = float(max(min_contrast, k_noise * sigma))
    step = np.abs(np.diff(work, axis=0))
    changed = np.maximum(np.maximum(step[..., 0], step[..., 1]), step[..., 2]) > max(
        min_contrast, 5 * sigma
    )
    frame_change = changed.mean(axis=(1, 2))

    def detect_all(bg: np.ndarray, dist: np.ndarray) -> tuple[list, list]:
        dets, labs = [], []
        for t in range(T):
            d, lab = _detect(
                work[t], bg, dist[t], thr, int(min_area), None if outside is None else outside[t]
            )
            dets.append(d)
            labs.append(lab)
        return dets, labs

    dets_per_frame, labels_per_frame = detect_all(bg, dist)
    # slow objects cover some pixels in most frames: the median then holds the object there
    fixed = _repair_background(work, bg, dets_per_frame, thr, sigma)
    if fixed is not None:
        bg = fixed
        resid = work - bg[None]
        dist = _dist(resid)
        dets_per_frame, labels_per_frame = detect_all(bg, dist)

    def split_fn(t: int, det: _Det, colors: list[np.ndarray]) -> list[_Det] | None:
        return _split(det, colors, work[t], bg, dist[t], labels_per_frame[t], thr)

    tracks = _associate(dets_per_frame, split_fn, max_gap)
    tracks = _link_gaps(tracks, T, max(12, int(round(fps_))))
    tracks = [tr for tr in tracks if len(tr.frames) >= min_length and _moves(tr)]
    tracks.sort(key=lambda tr: (tr.frames[0], tr.pos[0][0], tr.pos[0][1]))

    n = len(tracks)
    centers = np.full((n, T, 2), np.nan)
    areas = np.full((n, T), np.nan)
    colors = np.full((n, T, 3), np.nan)
    visible = np.zeros((n, T), bool)
    merged = np.zeros((n, T), bool)
    border = np.zeros((n, T), bool)
    for i, tr in enumerate(tracks):
        fr = np.asarray(tr.frames)
        centers[i, fr] = np.asarray(tr.pos)
        areas[i, fr] = tr.area
        colors[i, fr] = np.stack(tr.color)
        visible[i, fr] = True
        merged[i, fr] = tr.merged
        border[i, fr] = tr.border
        if tr.occluded:
            merged[i, np.asarray(tr.occluded)] = True
        _mark_partial(areas[i], visible[i], merged[i], border[i])
    radii = np.sqrt(np.maximum(areas, 0) / np.pi)
    return Tracks(
        centers=centers,
        radii=radii,
        areas=areas,
        colors=colors,
        visible=visible,
        merged=merged,
        at_border=border,
        fps=fps_,
        size=(H, W),
        background=bg,
        noise=sigma,
        threshold=thr,
        gain=gain,
        frame_change=frame_change,
        frame_diff=frame_diff,
    )
