"""Detections of the weight-free tracker: foreground components, their soft-matte measures, splits.

Steps 3 and 4 of :mod:`vidkit.probes.tracking` (see its docstring): the thresholded and opened
foreground, its connected components measured with a soft matte (sub-pixel centroid, area,
colour), the split of one component into objects of distinct colours, and the clutter check.

Example:
    >>> import numpy as np
    >>> from vidkit.probes.detection import detect
    >>> bg = np.zeros((24, 24, 3), np.float32)
    >>> frame = bg.copy()
    >>> frame[8:14, 4:10] = (1.0, 0.2, 0.2)
    >>> dets, labels = detect(frame, bg, np.linalg.norm(frame - bg, axis=-1), 0.1, 4)
    >>> len(dets), round(dets[0].x, 2), round(dets[0].y, 2), round(dets[0].area, 1)
    (1, 6.5, 10.5, 36.0)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vidkit.probes.medians import row_medians

__all__ = ["Cluttered", "drop_fringes"]


# --------------------------------------------------------------------------- detections
@dataclass
class Det:
    x: float
    y: float
    area: float
    color: np.ndarray
    bbox: tuple[int, int, int, int]  # x0, y0, x1, y1 (exclusive)
    border: bool
    label: int
    merged: bool = False
    npix: int = 0  # pixels in the (opened) foreground component
    smear: float = 0.0  # length (px) of the motion-blur streak its matte's elongation shows

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
) -> tuple[float, float, float, np.ndarray, float] | None:
    """Soft-matte measurement of one object in ``region`` restricted to ``support``: centre,
    area, colour and the length of the streak a motion blur draws it into.

    Pixels that are not a mix of the object's colour and the background under them (the
    perpendicular residual is large: a rod, a floor, another object) get no weight. A disk of
    radius r swept over a streak of length l has the variance ``r^2 / 4`` across the streak
    and ``r^2 / 4 + l^2 / 12`` along it: the streak's length is ``sqrt(12 (lam1 - lam2))`` of
    the matte's second moments (``lam1 >= lam2``), whatever the object's size.
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
    dx, dy = xs - cx, ys - cy
    vxx = float(alpha.sum(axis=0) @ (dx * dx)) / area
    vyy = float(alpha.sum(axis=1) @ (dy * dy)) / area
    vxy = float(dy @ alpha @ dx) / area
    smear = float(np.sqrt(12.0 * np.hypot(vxx - vyy, 2.0 * vxy)))
    return cx, cy, area, np.asarray(col, np.float64), smear


def _dominant_color(pixels: np.ndarray, radius: float = 0.12) -> np.ndarray:
    """The colour most pixels agree with (mean of the densest neighbourhood), so a blob of two
    touching objects takes the colour of one of them rather than a blend of both."""
    px = pixels.reshape(-1, 3)
    med = row_medians(px.T)  # np.median(px, axis=0), the same values at half its cost
    if np.max(np.abs(px - med)) < radius / 2:
        return med  # one colour (the usual case): no need to look for clusters
    if px.shape[0] > 96:
        px = px[:: px.shape[0] // 96 + 1]
    # the pairwise distances channel by channel (numpy's 3-wide sum over the last axis adds
    # in the same order, 8x slower)
    r, g, b = (px[:, k, None] - px[None, :, k] for k in range(3))
    d = np.sqrt(r * r + g * g + b * b)
    near = d < radius
    k = int(np.argmax(near.sum(1)))
    return px[near[k]].mean(axis=0)


_K3 = np.ones((3, 3), np.uint8)
K5 = np.ones((5, 5), np.uint8)


def detect(
    frame: np.ndarray,
    bg: np.ndarray,
    dist: np.ndarray,
    thr: float,
    min_area: int,
    outside: np.ndarray | None = None,
) -> tuple[list[Det], np.ndarray]:
    """Objects of one frame: opened foreground mask (thin rods and noise specks removed).

    ``outside`` marks pixels next to what the frame does not show (a stabilised frame's edge):
    an object touching them is at the border."""
    import cv2

    H, W = dist.shape
    mask = cv2.morphologyEx((dist > thr).astype(np.uint8), cv2.MORPH_OPEN, _K3)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    dets: list[Det] = []
    for k in range(1, n):
        x0, y0, w, h, a = (int(v) for v in stats[k])
        if a < min_area:
            continue
        pad = 3
        ys = slice(max(0, y0 - pad), min(H, y0 + h + pad))
        xs = slice(max(0, x0 - pad), min(W, x0 + w + pad))
        lab = labels[ys, xs]
        comp = lab == k
        sup = cv2.dilate(comp.astype(np.uint8), K5).astype(bool)
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
            dets.append(Det(cx, cy, float(a), col, box, border, k, merged=True, npix=a))
            continue
        dets.append(Det(m[0], m[1], m[2], m[3], box, border, k, npix=a, smear=m[4]))
    if len(dets) > 1:
        dets = drop_fringes(dets, frame, bg, labels, thr)
    return dets, labels


#: luma weights (ITU-R BT.601, JPEG's): the chroma of a residual is what is left without them
_LUMA = np.array([0.299, 0.587, 0.114], np.float32)
#: the reach of a JPEG chroma block (8 chroma samples, 16 px with 4:2:0 subsampling) plus the
#: px that the upsampling of the chroma planes smears
CHROMA_BLOCK = 18
#: the largest chroma error, as a fraction of the chroma step of an edge, that compression
#: leaves in the blocks next to it (quantised DCT coefficients ring; measured 0.1-0.15 beside
#: the saturated green ball of seed 4 clean 400198, JPEG quality 43)
CHROMA_RING = 0.25


def _luma_chroma(resid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """|luma| and |chroma| (the rest of the residual: its distance from grey) of ``[n, 3]``
    residuals."""
    y = resid @ _LUMA
    c = resid - y[:, None]
    return np.abs(y), np.sqrt(np.einsum("ij,ij->i", c, c))


def drop_fringes(
    dets: list[Det], frame: np.ndarray, bg: np.ndarray, labels: np.ndarray, thr: float
) -> list[Det]:
    """The detections less the compression fringes of bigger ones.

    JPEG keeps the chroma at a quarter of the resolution and quantises it coarsely: next to a
    strongly coloured object its chroma rings over the 16 px block (a blue-ish speck beside a
    saturated green ball, 8-12 px off its rim, seed 4 clean 400198: tracked as objects that
    came and went, and the ball's track swapped onto them). Such a speck differs from the
    background in chroma only (its luma residual is under the threshold), by a small fraction
    (:data:`CHROMA_RING`) of the chroma step of a detection at least four times its size
    within :data:`CHROMA_BLOCK` px of it. An object shows its own luma or a chroma of its own.

    Example:
        >>> import numpy as np
        >>> bg = np.full((40, 40, 3), 0.5, np.float32)
        >>> f = bg.copy(); f[5:17, 5:17] = (0.2, 0.9, 0.1); f[20:24, 8:12] += (0.04, 0, -0.07)
        >>> dets, _ = detect(f, bg, np.linalg.norm(f - bg, axis=-1), 0.06, 4)
        >>> len(dets)
        1
    """
    small = [d for d in dets if not d.merged]
    if len(small) < 2:
        return dets
    big = sorted(small, key=lambda d: -d.npix)
    drop: set[int] = set()
    stats: dict[int, tuple[float, float]] = {}

    def luma_chroma(d: Det) -> tuple[float, float]:
        if d.label not in stats:
            x0, y0, x1, y1 = d.bbox
            comp = labels[y0:y1, x0:x1] == d.label
            r = (frame[y0:y1, x0:x1] - bg[y0:y1, x0:x1])[comp]
            y, c = _luma_chroma(r)
            stats[d.label] = (float(np.median(y)), float(np.median(c)))
        return stats[d.label]

    for d in small:
        for b in big:
            if b.npix < 4 * d.npix:
                break
            gap_x = max(b.bbox[0] - d.bbox[2], d.bbox[0] - b.bbox[2], 0)
            gap_y = max(b.bbox[1] - d.bbox[3], d.bbox[1] - b.bbox[3], 0)
            if max(gap_x, gap_y) > CHROMA_BLOCK:
                continue
            y, c = luma_chroma(d)
            if y >= thr:
                break
            if c <= CHROMA_RING * luma_chroma(b)[1]:
                drop.add(d.label)
                break
    if not drop:
        return dets
    return [d for d in dets if d.label not in drop]


def split(
    det: Det,
    colors: list[np.ndarray],
    frame: np.ndarray,
    bg: np.ndarray,
    dist: np.ndarray,
    labels: np.ndarray,
    thr: float,
) -> list[Det] | None:
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
        sup = cv2.dilate(own.astype(np.uint8), K5).astype(bool)
        sup &= comp | (labels[ys, xs] == 0)
        sup &= ~np.isin(cls, [k for k in range(1, len(colors) + 1) if k != j]) | own
        m = _measure(frame, bg, dist, sup, (ys, xs), thr, color=c)
        if m is None:
            return None
        out.append(
            Det(m[0], m[1], m[2], m[3], det.bbox, det.border, det.label, True, int(own.sum()), m[4])
        )
    return out


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


def check_clutter(dist: np.ndarray, thr: float, min_area: int, limit: int) -> None:
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
