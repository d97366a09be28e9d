"""Image evidence at the ends of tracks: is an object that the tracker lost still in the picture?

The tracker sees an object only where it differs from the background model. Where that model
holds a resting object, where two objects make one blob, where motion blur or an occluder's
fringe eats a small ball, the track ends (or starts, or has a gap) while the object is still
there. Read from the tracks alone, every such loss is a "vanished" or "appeared" finding of
:func:`vidkit.probes.permanence`. This module looks at the frames themselves, only at those few
places: in each frame where a track is not seen next to its end (after its last frame), its
start (before its first) or inside a gap, at where the object's own motion puts it, for a disk
of the object's colour (sampled from the frame at the track's end, not from the background
model, which may hold the object) that stands out from its surroundings. A CONTROL frame, one
where the object is seen elsewhere (clear of the window) and no other tracked object covers the
window, must not show that colour in the window: a background that happens to hold the
object's colour there says nothing.

Each frame looked at gets ``+1`` (the object's pixels are there), ``-1`` (looked, and the
window shows no such object) or stays ``0`` (not looked at, or cannot tell: another tracked
object covers the window, the window leaves the field of view, the object does not stand out
from its surroundings, the control frame holds its colour too).

Example:
    >>> import numpy as np
    >>> from vidkit.probes.evidence import still_seen
    >>> work = np.zeros((6, 48, 48, 3), np.float32)
    >>> for t in range(6):                       # a red square moving right 4 px a frame
    ...     work[t, 22:27, 2 + 4 * t : 7 + 4 * t] = (1.0, 0.2, 0.2)
    >>> c = np.full((1, 6, 2), np.nan); vis = np.zeros((1, 6), bool)
    >>> for t in range(4):                       # the tracker lost it after frame 3
    ...     c[0, t], vis[0, t] = (4 + 4 * t, 24), True
    >>> r = np.where(vis, 2.8, np.nan)
    >>> still_seen(work, None, c, r, vis, 0.06)[0].tolist()
    [0, 0, 0, 0, 1, 1]
    >>> work[4:] = 0.0                           # ... or it vanished there
    >>> still_seen(work, None, c, r, vis, 0.06)[0].tolist()
    [0, 0, 0, 0, -1, -1]
"""

from __future__ import annotations

from typing import NamedTuple

import cv2
import numpy as np

__all__ = ["still_seen", "background_contrast", "PART", "FAINT"]

#: ``still_seen`` value of a frame next to a track's end that shows PART of the object where its
#: motion puts it (more pixels of its colour, off the background model, than the control frame
#: shows there, but not a whole disk of them): a sliver at an occluder's edge, the object going
#: behind something or coming out; a vanishing object is removed whole (nothing of it is left)
PART = 2
#: ``still_seen`` value of the frame next to a track's end (or in a gap) where the object does
#: not stand out from the background: at that end its core was within ``1.5 * threshold`` of
#: the ring around it, or the control frame holds its colour where its motion puts it (half a
#: disk of it, the bar of "cannot tell"). The frames cannot show whether it is still there, and
#: a blob that looks like the background where it is is what noise or a misfit background
#: model gives (seed 8 clean 800040, 800184: specks of a jpeg'd textured floor band, tracked,
#: "vanished" and "appeared")
FAINT = 3

#: frames looked at past a moving object's end (its motion is extrapolated no further)
LOOK_AHEAD = 3
#: gaps longer than this are not looked into
MAX_GAP = 8


def _kernels(r: float) -> tuple[np.ndarray, np.ndarray, int]:
    """A disk of radius ``0.6 r`` (1 px at least: the object's core, clear of its soft edge) and
    a ring from ``r + 1.5`` to ``r + 3.5`` px (its surroundings), both normalised, and their
    half size."""
    h = int(np.ceil(r + 3.5))
    yy, xx = np.mgrid[-h : h + 1, -h : h + 1]
    d = np.hypot(xx, yy)
    disk = (d <= max(0.6 * r, 1.0)).astype(np.float32)
    ring = ((d >= r + 1.5) & (d <= r + 3.5)).astype(np.float32)
    return disk / disk.sum(), ring / ring.sum(), h


def _colour(
    img: np.ndarray, ok: np.ndarray | None, p: np.ndarray, r0: float, r1: float
) -> np.ndarray | None:
    """Median colour of the pixels of ``img`` between ``r0`` and ``r1`` px from ``p`` (and in
    ``ok``); None with fewer than 3 such pixels."""
    H, W = img.shape[:2]
    h = int(np.ceil(r1)) + 1
    x0, y0 = int(round(p[0])), int(round(p[1]))
    xs, ys = slice(max(x0 - h, 0), min(x0 + h + 1, W)), slice(max(y0 - h, 0), min(y0 + h + 1, H))
    if xs.stop <= xs.start or ys.stop <= ys.start:
        return None  # wholly outside the frame
    yy, xx = np.mgrid[ys, xs]
    d = np.hypot(xx - p[0], yy - p[1])
    sel = (d >= r0) & (d <= r1)
    if ok is not None:
        sel &= ok[ys, xs]
    if sel.sum() < 3:
        return None
    return np.median(img[ys, xs][sel], axis=0)


class _Looker:
    """Looks for one object's colour in a window of a frame (see the module docstring)."""

    def __init__(
        self, work: np.ndarray, valid: np.ndarray | None, colour: np.ndarray, tol: float, r: float
    ):
        self.work, self.valid, self.colour, self.tol = work, valid, colour, tol
        self.disk, self.ring, self.h = _kernels(r)
        self.r = r
        self.controls: dict[tuple, tuple[float, float, np.ndarray] | None] = {}

    def best(
        self, img: np.ndarray, ok: np.ndarray | None, p: np.ndarray, reach: float
    ) -> tuple[float, float, np.ndarray] | None:
        """``(disk fraction, ring fraction, centre)`` at the candidate centre within ``reach`` px of
        ``p`` whose disk holds the most pixels of the object's colour; None where the window
        lies wholly outside the frame."""
        H, W = img.shape[:2]
        pad = int(np.ceil(reach)) + self.h
        x0, y0 = int(round(p[0])), int(round(p[1]))
        xa, xb, ya, yb = x0 - pad, x0 + pad + 1, y0 - pad, y0 + pad + 1
        # pixels outside the frame (or its field of view) hold nothing of the object
        full = np.zeros((yb - ya, xb - xa), np.float32)
        cx0, cy0, cx1, cy1 = max(xa, 0), max(ya, 0), min(xb, W), min(yb, H)
        if cx1 - cx0 <= 0 or cy1 - cy0 <= 0:
            return None
        crop = img[cy0:cy1, cx0:cx1]
        part = (np.linalg.norm(crop - self.colour, axis=2) < self.tol).astype(np.float32)
        if ok is not None:
            part *= ok[cy0:cy1, cx0:cx1]
        full[cy0 - ya : cy1 - ya, cx0 - xa : cx1 - xa] = part
        match = full
        f_disk = cv2.filter2D(match, -1, self.disk, borderType=cv2.BORDER_CONSTANT)
        f_ring = cv2.filter2D(match, -1, self.ring, borderType=cv2.BORDER_CONSTANT)
        yy, xx = np.mgrid[ya:yb, xa:xb]
        cand = np.hypot(xx - p[0], yy - p[1]) <= reach
        score = np.where(cand, f_disk, -1.0)
        k = np.unravel_index(int(np.argmax(score)), score.shape)
        return float(f_disk[k]), float(f_ring[k]), np.array([xa + k[1], ya + k[0]], float)

    def seen(
        self,
        g: int,
        p: np.ndarray,
        reach: float,
        control: int | None,
        bg: np.ndarray | None,
        resting: bool = True,
    ) -> tuple[int, np.ndarray | None]:
        """+1 / -1 / 0 for the object at ``p`` (within ``reach``) in frame ``g``, and the centre
        of the disk found (+1) or looked at; ``FAINT`` where the control shows a disk of the
        object's colour standing out there as the object did: the background itself looks like
        the object at that place (a background model as the control counts only ahead of a
        moving object, where the model holds no part of it: one at ``rest`` may be in it)."""
        ok = None if self.valid is None else self.valid[g]
        hit = self.best(self.work[g], ok, p, reach)
        if hit is None:
            return 0, None
        # the control: the window in a frame where the object is elsewhere (or, without one,
        # the background model) must not hold the object's colour
        key = (control, round(float(p[0]), 1), round(float(p[1]), 1), round(reach, 1))
        if key not in self.controls:  # an object at rest: one control for all its frames
            if control is None:
                self.controls[key] = None if bg is None else self.best(bg, None, p, reach)
            else:
                ok_c = None if self.valid is None else self.valid[control]
                self.controls[key] = self.best(self.work[control], ok_c, p, reach)
        ctrl = self.controls[key]
        if ctrl is not None and ctrl[0] >= 0.5 and not (control is None and resting):
            # a frame where the object is elsewhere holds its colour there: the background
            # itself looks like the object at that place
            return FAINT, None
        if ctrl is None or ctrl[0] >= 0.5:
            return 0, None
        disk, ring, q = hit
        if disk >= 0.7 and ring <= 0.5:
            return 1, q  # the object's colour fills a disk there and stands out from around it
        if disk < 0.3 and self.in_view(g, p, self.r + 1.0):
            return -1, q
        return 0, q

    def in_view(self, g: int, p: np.ndarray, reach: float) -> bool:
        """Whether every pixel within ``reach`` of ``p`` is in frame ``g`` and its field of view:
        the object, where its motion puts it, would be wholly in view; only then does a window
        empty of it say it is gone. One leaving (or entering) through the border is partly
        outside there (so :func:`vidkit.probes.persistence.permanence` may trust a ``-1`` over
        its frame-border excuse: seed 8 vanish 851025, appear 852069, balls in open view whose
        end a moving camera's frame edge excused)."""
        H, W = self.work.shape[1:3]
        x, y = float(p[0]), float(p[1])
        if x - reach < 0 or y - reach < 0 or x + reach > W - 1 or y + reach > H - 1:
            return False
        if self.valid is None:
            return True
        h = int(np.ceil(reach))
        x0, y0 = int(round(x)), int(round(y))
        yy, xx = np.mgrid[y0 - h : y0 + h + 1, x0 - h : x0 + h + 1]
        sel = np.hypot(xx - x, yy - y) <= reach
        inside = (xx >= 0) & (yy >= 0) & (xx < W) & (yy < H)
        if not inside[sel].all():
            return False
        return bool(self.valid[g][yy[sel], xx[sel]].all())

    def part(
        self, g: int, control: int, p: np.ndarray, reach: float, bg: np.ndarray, thr: float
    ) -> float:
        """Pixels within ``reach`` of ``p`` in frame ``g`` of the object's colour and off the
        background model (by more than the tracker's threshold ``thr``), less the same count in
        the ``control`` frame (the pixels there of that look that are no object: noise, jpeg,
        a misfit background)."""

        def count(t: int) -> int:
            H, W = self.work.shape[1:3]
            h = int(np.ceil(reach))
            x0, y0 = int(round(p[0])), int(round(p[1]))
            xs = slice(max(x0 - h, 0), min(x0 + h + 1, W))
            ys = slice(max(y0 - h, 0), min(y0 + h + 1, H))
            if xs.stop <= xs.start or ys.stop <= ys.start:
                return 0
            img = self.work[t, ys, xs]
            yy, xx = np.mgrid[ys, xs]
            sel = np.hypot(xx - p[0], yy - p[1]) <= reach
            sel &= np.linalg.norm(img - self.colour, axis=2) < self.tol
            sel &= np.linalg.norm(img - bg[ys, xs], axis=2) > thr
            if self.valid is not None:
                sel &= self.valid[t, ys, xs]
            return int(sel.sum())

        return float(count(g) - count(control))


def background_contrast(
    background: np.ndarray,
    centers: np.ndarray,
    radii: np.ndarray,
    colors: np.ndarray,
    visible: np.ndarray,
) -> np.ndarray:
    """How far one track's colour stands from the background model under it, per frame: the
    RGB distance between its colour (``colors``, ``[T, 3]``) and the median colour of
    ``background`` (``[H, W, 3]``) within its radius (``radii``, ``[T]``; 1 px at least) of its
    centre (``centers``, ``[T, 2]`` as x, y); NaN where it is not seen (``visible``) or lies
    outside the model.

    An object stands out from what is behind it; a blob that noise, compression or a misfit
    background model makes is foreground by a few pixels over the threshold and, as a whole, of
    the background's colour there (the "specks" of :data:`FAINT`).

    Example:
        >>> bg = np.full((20, 20, 3), 0.3, np.float32)
        >>> c = np.array([[10.0, 10.0], [12.0, 10.0]])
        >>> cols = np.array([[0.9, 0.2, 0.2], [0.32, 0.3, 0.3]])
        >>> d = background_contrast(bg, c, np.array([3.0, 2.0]), cols, np.array([True, True]))
        >>> [round(float(x), 2) for x in d]
        [0.62, 0.02]
    """
    out = np.full(len(visible), np.nan)
    for t in np.flatnonzero(visible):
        under = _colour(background, None, centers[t], 0.0, max(float(radii[t]), 1.0))
        if under is not None and np.all(np.isfinite(colors[t])):
            out[t] = float(np.linalg.norm(colors[t] - under))
    return out


def _radius(radii: np.ndarray, vis: np.ndarray, ok: np.ndarray) -> float:
    r = radii[ok] if ok.sum() >= 3 else radii[vis]
    r = r[np.isfinite(r)]
    return float(np.median(r)) if r.size else 0.0


def still_seen(
    work: np.ndarray,
    valid: np.ndarray | None,
    centers: np.ndarray,
    radii: np.ndarray,
    visible: np.ndarray,
    threshold: float,
    *,
    reliable: np.ndarray | None = None,
    background: np.ndarray | None = None,
) -> np.ndarray:
    """``[n, T]`` int8: in the frames next to each track's ends and inside its gaps, whether the
    image shows the object where its motion puts it (+1), shows it is not there (-1), or cannot
    tell (0; also every other frame).

    Looked at: after the last frame, the next frames (:data:`LOOK_AHEAD`; up to the last frame of
    the clip for an object at rest, under 0.5 px per frame: it stays where it is); before the
    first frame, likewise backwards; every frame of a gap of up to :data:`MAX_GAP` frames (on
    the line between its two ends). The object's colour and its surroundings' are taken at the
    end's frame (the nearest frame within 3 where it is ``reliable``, whole and unmerged, if
    any): an object that does not stand out from its surroundings by ``1.5 * threshold`` there is
    not looked for. A pixel is of the object's colour within 0.45 of that contrast. +1 needs a
    disk of ``0.6 r`` 70% filled with it and a ring around the object half empty of it; -1 a
    disk under 30% filled, everywhere in the search window (1.5 px and half a radius, widening
    with the extrapolated step).

    Args:
        work: ``[T, H, W, 3]`` float frames (brightness-normalised, stabilised).
        valid: ``[T, H, W]`` bool field of view per frame, or None.
        centers, radii, visible: the tracks (``[n, T, 2]``, ``[n, T]``, ``[n, T]``), in the
            pixels of ``work``.
        threshold: the tracker's foreground threshold (colour distance).
        reliable: ``[n, T]`` frames where each object is seen whole (default: ``visible``).
        background: ``[H, W, 3]`` the control where no frame can serve (default: none, then
            such frames are not judged).

    Example:
        >>> z = np.zeros((4, 16, 16, 3), np.float32)
        >>> still_seen(z, None, np.zeros((0, 4, 2)), np.zeros((0, 4)), np.zeros((0, 4), bool), 0.06)
        array([], shape=(0, 4), dtype=int8)
    """
    work = np.asarray(work)
    if work.ndim != 4 or work.shape[-1] != 3:
        raise ValueError(f"work must be [T, H, W, 3] frames, got shape {work.shape}")
    n, T = visible.shape
    out = np.zeros((n, T), np.int8)
    rel = visible if reliable is None else reliable
    bg = None if background is None else np.asarray(background, np.float32)
    for i in range(n):
        vis = np.flatnonzero(visible[i])
        if vis.size < 2:
            continue
        r = _radius(radii[i], visible[i], rel[i])
        if not r >= 1.5:
            continue  # a speck: its colour is its edge's
        # (frame, colour frame, at, reach, next to the end, at rest there, in a gap)
        looks: list[tuple[int, int, np.ndarray, float, bool, bool, bool]] = []
        base = 1.5 + 0.5 * r
        first, last = int(vis[0]), int(vis[-1])
        for end, sgn in ((last, 1), (first, -1)):
            if (sgn > 0 and end >= T - 1) or (sgn < 0 and end <= 0):
                continue
            near = vis[::-sgn][:4]  # the end's frame and up to 3 seen next to it
            p = centers[i, near]
            if near.size >= 2:
                v = np.polyfit(near.astype(float), p, 1)[0]
            else:
                v = np.zeros(2)
            speed = float(np.hypot(*v))
            resting = speed < 0.5
            stop = (T if sgn > 0 else -1) if resting else end + sgn * (LOOK_AHEAD + 1)
            for g in range(end + sgn, stop, sgn):
                if not 0 <= g < T or visible[i, g]:
                    break
                k = abs(g - end)
                reach = base + (0.0 if resting else 0.35 * speed * k + 0.5 * k * k)
                looks.append(
                    (g, end, centers[i, end] + v * (g - end), reach, k == 1, resting, False)
                )
        for a, b in zip(vis[:-1], vis[1:]):
            a, b = int(a), int(b)
            if b - a <= 1 or b - a - 1 > MAX_GAP:
                continue
            step = float(np.hypot(*(centers[i, b] - centers[i, a]))) / (b - a)
            for g in range(a + 1, b):
                at = centers[i, a] + (centers[i, b] - centers[i, a]) * (g - a) / (b - a)
                looks.append(
                    (g, a if g - a <= b - g else b, at, base + 0.5 * step, False, False, True)
                )
        if not looks:
            continue
        r_i = r
        looker_by_end: dict[int, _Looker | float | None] = {}
        seen = _Seen(centers, radii, visible)
        for g, end, at, reach, adjacent, resting, in_gap in looks:
            if end not in looker_by_end:
                looker_by_end[end] = _make_looker(
                    work, valid, centers, visible, rel, i, end, r_i, threshold, radii
                )
            lk = looker_by_end[end]
            if lk is None:
                continue
            if isinstance(lk, float):
                if adjacent or in_gap:
                    out[i, g] = FAINT
                continue
            ctrl = _control(seen, i, g, at, reach + 2 * r_i + 2.0)
            if ctrl is None and bg is None:
                continue
            val, q = lk.seen(g, at, reach, ctrl, bg, resting)
            if val == FAINT:
                if adjacent or in_gap:
                    out[i, g] = FAINT
                continue
            if val < 0 and _covered(seen, i, g, at, reach + r_i + 1.0):
                continue  # another tracked object over the window: the object may be behind it
            if val < 1 and adjacent and bg is not None and ctrl is not None:
                # part of the object where its motion puts it, clear of every other object:
                # 5% of its disk (3 px at least) beyond what the control shows there
                if not _covered(seen, i, g, at, reach + r_i + 1.0) and lk.part(
                    g, ctrl, at, r_i + reach, bg, threshold
                ) >= max(3.0, 0.05 * np.pi * r_i**2):
                    out[i, g] = PART
                    continue
            if val > 0 and _covered(seen, i, g, q, 0.6 * r_i + 1.0, work, lk):
                continue  # the disk found lies on another tracked object: its pixels, maybe
            out[i, g] = val
    return out


def _make_looker(
    work: np.ndarray,
    valid: np.ndarray | None,
    centers: np.ndarray,
    visible: np.ndarray,
    rel: np.ndarray,
    i: int,
    end: int,
    r: float,
    threshold: float,
    radii: np.ndarray,
) -> _Looker | float | None:
    """The object's colour and contrast at frame ``end`` (or the nearest whole frame within 3);
    the contrast alone (a float) where it is below ``1.5 * threshold`` (the object does not
    stand out from its surroundings); None where it cannot be measured."""
    T = visible.shape[1]
    frames = [f for f in range(max(end - 3, 0), min(end + 4, T)) if rel[i, f]]
    f = min(frames, key=lambda q: abs(q - end)) if frames else end
    ok = None if valid is None else valid[f]
    obj = _colour(work[f], ok, centers[i, f], 0.0, max(0.6 * r, 1.0))
    sur = _colour(work[f], ok, centers[i, f], r + 1.5, r + 3.5)
    if obj is None or sur is None:
        return None
    contrast = float(np.linalg.norm(obj - sur))
    if contrast < 1.5 * threshold:
        # faint only at the object's own size there: a track whose size changed (it took
        # another object's blob after a crossing) has a median radius that is not this end's,
        # and a ring inside the object is of its colour (seed 8 appear 852057: a 10 px ball
        # appearing on a track that went on as a 3 px one)
        r_end = float(radii[i, f]) if np.isfinite(radii[i, f]) else r
        obj = _colour(work[f], ok, centers[i, f], 0.0, max(0.6 * r_end, 1.0))
        sur = _colour(work[f], ok, centers[i, f], r_end + 1.5, r_end + 3.5)
        if obj is None or sur is None or np.linalg.norm(obj - sur) >= 1.5 * threshold:
            return None  # stands out at its size there: not judged, as before
        return contrast
    return _Looker(work, valid, obj.astype(np.float32), 0.45 * contrast, r)


class _Seen(NamedTuple):
    """The tracks' positions, radii and visibility (``[n, T, 2]``, ``[n, T]``, ``[n, T]``)."""

    centers: np.ndarray
    radii: np.ndarray
    visible: np.ndarray


def _covered(
    seen: _Seen,
    i: int,
    g: int,
    at: np.ndarray,
    reach: float,
    work: np.ndarray | None = None,
    lk: _Looker | None = None,
) -> bool:
    """Another object seen at frame ``g`` comes within ``reach`` (plus its radius) of ``at``;
    with ``work`` and ``lk``, only one whose core (in frame ``g``) is of the looked-for colour:
    pixels of another colour found there cannot be that object's (seed 2 clean 200011: a cyan
    ball coming out from behind a red one, seen beside it before the tracker took it up)."""
    centers, radii, visible = seen
    others = np.flatnonzero(visible[:, g])
    others = others[others != i]
    if others.size == 0:
        return False
    d = np.hypot(*(centers[others, g] - at).T)
    near = others[d <= reach + np.nan_to_num(radii[others, g])]
    if work is None or lk is None:
        return bool(near.size)
    for j in near:
        r = max(0.6 * float(np.nan_to_num(radii[j, g])), 1.0)
        col = _colour(work[g], None if lk.valid is None else lk.valid[g], centers[j, g], 0.0, r)
        if col is None or np.linalg.norm(col - lk.colour) < lk.tol:
            return True
    return False


def _control(seen: _Seen, i: int, g: int, at: np.ndarray, reach: float) -> int | None:
    """The frame nearest to ``g`` where object ``i`` is seen more than ``reach`` from ``at`` and
    no other object is seen within ``reach`` (plus its radius) of it; None if there is none."""
    fr = np.flatnonzero(seen.visible[i])
    fr = fr[np.hypot(*(seen.centers[i, fr] - at).T) > reach]
    for f in fr[np.argsort(np.abs(fr - g), kind="stable")]:
        if not _covered(seen, i, int(f), at, reach):
            return int(f)
    return None
