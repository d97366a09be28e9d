"""Identities of the weight-free tracker: step 5 of :mod:`vidkit.probes.tracking`.

Frame by frame, each track predicts its next position (constant velocity) and the detections
(:mod:`vidkit.probes.detection`) are assigned by :func:`scipy.optimize.linear_sum_assignment` on
distance (gated) plus a small colour and size cost; merged blobs are split by colour or marked
``merged``; tracks that lose their match while a detection of the same look appears elsewhere
are matched on appearance (:func:`associate`). A track that ends and one that starts later
where the first one's motion predicts, with the same look, are joined (:func:`link_gaps`).

Example:
    >>> import numpy as np
    >>> from vidkit.probes.detection import Det
    >>> dets = [[Det(4.0 + 2 * t, 8.0, 20.0, np.full(3, 0.8), (2, 6, 9, 11), False, 1)]
    ...         for t in range(5)]
    >>> tracks = associate(dets, lambda *a: None, max_gap=4)
    >>> len(tracks), tracks[0].frames
    (1, [0, 1, 2, 3, 4])
"""

from __future__ import annotations

from typing import Any

import numpy as np

from vidkit.probes.detection import Det
from vidkit.probes.medians import median, row_medians
from vidkit.probes.small_linalg import pinv

__all__: list[str] = ["LINK_COLOR"]

#: the largest RGB distance between the looks of two tracks that are joined as one object across
#: a gap (:func:`link_gaps`, :func:`link_heads`); :func:`vidkit.probes.persistence.permanence`
#: asks the same of a track it reads as the continuation of one that ended
LINK_COLOR = 0.2


class Track:
    """One object's detections so far: frames, positions, areas, colours, flags.

    Example:
        >>> tr = Track(); tr.add(0, Det(4.0, 8.0, 20.0, np.full(3, 0.8), (2, 6, 9, 11), False, 1))
        >>> tr.last, round(tr.ref_radius(), 2)
        (0, 2.52)
    """

    __slots__ = (
        "frames",
        "pos",
        "area",
        "color",
        "merged",
        "border",
        "occluded",
        "smear",
        "_cache",
    )

    def __init__(self) -> None:
        self.frames: list[int] = []
        self.pos: list[tuple[float, float]] = []
        self.area: list[float] = []
        self.color: list[np.ndarray] = []
        self.merged: list[bool] = []
        self.border: list[bool] = []
        self.occluded: list[int] = []
        self.smear: list[float] = []  # motion-blur streak length (px) per frame
        self._cache: dict[str, tuple[Any, Any]] = {}

    def _key(self) -> tuple:
        return (len(self.frames), tuple(self.merged[-6:]))

    def add(self, t: int, d: Det) -> None:
        """Append detection ``d`` at frame ``t``."""
        self.frames.append(t)
        self.pos.append((d.x, d.y))
        self.area.append(d.area)
        self.color.append(d.color)
        self.merged.append(d.merged)
        self.border.append(d.border)
        self.smear.append(d.smear)

    @property
    def last(self) -> int:
        """The last frame the track was seen or known hidden (occluded) in."""
        return max(self.frames[-1], self.occluded[-1] if self.occluded else -1)

    def ref_color(self) -> np.ndarray:
        """Median colour of the last 5 detections (those not merged, if any; where all 5 are,
        the last 5 that were not, if any).

        A joint blob's colour is a mix of both objects': after 5 frames of a crossing the
        reference had become that mix, and a track coming out of the crossing took whichever
        object was nearer, not the one it had followed (seed 7 clean 700033: a cyan ball's
        track went on as the blue one, "changed colour"; seed 8 resize 853057: the small ball
        took the large one's track and its size change went unseen)."""
        key = self._key()
        hit = self._cache.get("c")
        if hit is not None and hit[0] == key:
            return hit[1]
        good = [c for c, m in zip(self.color[-5:], self.merged[-5:]) if not m]
        if not good:
            good = [c for c, m in zip(self.color, self.merged) if not m][-5:]
        # np.median(..., axis=0)'s values at a third of its cost (vidkit.probes.medians)
        val = row_medians(np.stack(good or self.color[-5:]).T)
        self._cache["c"] = (key, val)
        return val

    def ref_radius(self) -> float:
        """Radius of the median area of the last 6 detections (whole ones, if any)."""
        key = self._key()
        hit = self._cache.get("r")
        if hit is not None and hit[0] == key:
            return hit[1]
        good = [
            a for a, m, b in zip(self.area[-6:], self.merged[-6:], self.border[-6:]) if not (m or b)
        ]
        val = float(np.sqrt(max(float(median(np.asarray(good or self.area[-6:]))), 1.0) / np.pi))
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


def color_dist(a: np.ndarray, b: np.ndarray) -> float:
    """Euclidean RGB distance.

    Example:
        >>> color_dist(np.zeros(3), np.array([0.3, 0.4, 0.0]))
        0.5
    """
    return float(np.sqrt(np.sum((np.asarray(a) - np.asarray(b)) ** 2)))


def associate(dets_per_frame: list[list[Det]], split_fn: Any, max_gap: int) -> list[Track]:
    """Tracks from per-frame detections (see the module docstring); ``split_fn(t, det,
    colours)`` splits a blob of several tracks into parts (None: it cannot), ``max_gap``: frames
    a track may go unseen and still be continued. Example in the module docstring."""
    from scipy.optimize import linear_sum_assignment

    tracks: list[Track] = []
    big = 1e6
    for t, dets in enumerate(dets_per_frame):
        active = [tr for tr in tracks if t - tr.last <= max_gap]
        preds = [tr.predict(t) for tr in active]
        # merges: several tracks predicted inside one component
        if len(active) >= 2 and dets:
            new_dets: list[Det] = []
            for d in dets:
                inside = []
                for k, (p, _) in enumerate(preds):
                    r = active[k].ref_radius()
                    x0, y0, x1, y1 = d.bbox
                    if x0 - r <= p[0] <= x1 + r and y0 - r <= p[1] <= y1 + r:
                        inside.append(k)
                areas = [np.pi * active[k].ref_radius() ** 2 for k in inside]
                if len(inside) >= 2 and d.npix > 4.0 * sum(areas):
                    # the blob is mostly something no track predicted there (an object that
                    # came into view, e.g. appeared, among a moving camera's residue blobs):
                    # it is a new object that those blobs touch, not them merged
                    inside = []
                if len(inside) >= 2:
                    if d.npix > 1.35 * max(areas):
                        cols = [active[k].ref_color() for k in inside]
                        distinct = all(
                            color_dist(cols[i], cols[j]) > 0.2
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
                            + 0.5 * color_dist(col, d.color)
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
                        cd = color_dist(col, dets[j].color)
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
                tr = Track()
                tr.add(t, d)
                tracks.append(tr)
    return tracks


def predict_at(tr: Track, t: int) -> np.ndarray:
    """Position of a track extrapolated to frame ``t`` from its last (up to 6) frames.

    Example:
        >>> tr = Track()
        >>> for t in range(3):
        ...     tr.add(t, Det(4.0 + 2 * t, 8.0, 20.0, np.full(3, 0.8), (0, 0, 1, 1), False, 1))
        >>> [round(float(v), 1) for v in predict_at(tr, 5)]
        [14.0, 8.0]
    """
    f = np.asarray(tr.frames[-6:], float)
    p = np.asarray(tr.pos[-6:], float)
    if f.size == 1:
        return p[-1]
    deg = 2 if f.size >= 5 else 1
    return np.array([np.polyval(np.polyfit(f - f[-1], p[:, k], deg), t - f[-1]) for k in range(2)])


def predict_whole(tr: Track, t: int) -> tuple[np.ndarray, float]:
    """Position of a track extrapolated to frame ``t`` from its last (up to 6) frames seen whole
    (not merged with another blob, not at the border), and that prediction's standard error
    (px) from the fit's own residuals (``inf`` when fewer than 3 frames leave none to measure).

    A merged frame's centre is that of a joint or partial blob, off the object's own: a ball
    thrown up that passed behind another was extrapolated from the crossing's frames 34 px off
    where it came out (seed 7 vanish 751061), while its whole frames lie on a parabola to
    0.02 px and put it there within 0.7 px. The error is what tells such a fit from one through
    a residue speck's hops (seed 7 clean 700172: 2.9 px residuals, 36 px standard error 16
    frames on) or through one stray detection (seed 3 clean 300203: 2 whole frames).

    Example:
        >>> tr = Track()
        >>> for t in range(6):
        ...     tr.add(t, Det(4.0 + 2 * t, 8.0 + t * t, 20.0, np.full(3, 0.8), (0, 0, 1, 1), False, 1))
        >>> p, se = predict_whole(tr, 8)
        >>> [round(float(v), 1) for v in p], se < 1e-6
        ([20.0, 72.0], True)
    """
    whole = [k for k, (m, b) in enumerate(zip(tr.merged, tr.border)) if not (m or b)][-6:]
    if len(whole) < 3:
        return np.asarray(tr.pos[-1], float), float("inf")
    f = np.asarray([tr.frames[k] for k in whole], float)
    p = np.asarray([tr.pos[k] for k in whole], float)
    deg = 2 if f.size >= 5 else 1
    X = np.vander(f - f[-1], deg + 1)
    coef, *_ = np.linalg.lstsq(X, p, rcond=None)
    res = p - X @ coef
    # residual variance per coordinate (both coordinates pooled)
    s2 = float(np.sum(res**2)) / (2 * (f.size - deg - 1))
    x0 = np.vander(np.array([t - f[-1]], float), deg + 1)[0]
    lev = float(x0 @ pinv(X.T @ X) @ x0)
    return x0 @ coef, float(np.sqrt(s2 * lev))


def link_gaps(tracks: list[Track], T: int, max_link: int) -> list[Track]:
    """Join a track that ends to one that starts later where the first one's motion predicts,
    with the same look: an object that passed behind something (or out of the frame and back)
    is the same object. Longest gaps: ``max_link`` frames (``T``: the number of frames).

    Example:
        >>> a, b = Track(), Track()
        >>> for t in range(4):
        ...     a.add(t, Det(4.0 + 2 * t, 8.0, 20.0, np.full(3, 0.8), (0, 0, 1, 1), False, 1))
        >>> for t in range(7, 10):
        ...     b.add(t, Det(4.0 + 2 * t, 8.0, 20.0, np.full(3, 0.8), (0, 0, 1, 1), False, 1))
        >>> [tr.frames for tr in link_gaps([a, b], 10, 12)]
        [[0, 1, 2, 3, 7, 8, 9]]
    """
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
            # the whole frames' prediction where its measured standard error is within twice
            # the gate's allowance for the object's size, 2 (2 r + 3); else the last 6 frames'
            # (predict_whole). Measured: balls coming out of a crossing 0.9-11 px against
            # allowances of 9.4-15.6 px (at most 1.2 of it: seeds 6-7 vanish 751061, 751054,
            # 651037, whose whole-frame predictions were 0.7-7.2 px off where they came out),
            # a residue speck's hops 36 px against 8.4 (4.3 of it: seed 7 clean 700172)
            pred, se = predict_whole(A, s)
            if not se <= 2.0 * (2.0 * ra + 3.0):
                pred = predict_at(A, s)
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
            cd = color_dist(ca, np.median(np.stack(good), axis=0))
            rb = float(np.sqrt(max(max(B.area[:6]), 1.0) / np.pi))
            if cd > LINK_COLOR or abs(np.log(rb / ra)) > 0.7:
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
                A.smear.append(B.smear[k])
            A.occluded.extend(B.occluded)
            used.add(best)
    return [tr for k, tr in enumerate(tracks) if k not in used]


def link_heads(tracks: list[Track], max_head: int = 2) -> list[Track]:
    """Prepend to a track the short track (``max_head`` frames or fewer) that ends in the frame
    before it starts where its own motion, run backwards, puts it, with the same look.

    A track born in one frame has no velocity yet: :func:`associate` looks for it in the next
    frame within a gate around where it was, which a fast object (a ball already falling when a
    shot begins, 19 px a frame) leaves, so its first detection became a track of its own that
    is dropped as too short, and the object "appeared" in the second frame (seed 3 clean 300040).
    The later track's first steps give the motion the new-born one lacked.

    Example:
        >>> a, b = Track(), Track()
        >>> a.add(0, Det(4.0, 8.0, 20.0, np.full(3, 0.8), (0, 0, 1, 1), False, 1))
        >>> for t in range(1, 5):
        ...     b.add(t, Det(4.0 + 20 * t, 8.0, 20.0, np.full(3, 0.8), (0, 0, 1, 1), False, 1))
        >>> [tr.frames for tr in link_heads([a, b])]
        [[0, 1, 2, 3, 4]]
    """
    used: set[int] = set()
    for b in sorted(range(len(tracks)), key=lambda k: -len(tracks[k].frames)):
        B = tracks[b]
        if b in used or len(B.frames) < 3 or B.frames[1] - B.frames[0] != 1:
            continue
        s = B.frames[0]
        p0, p1 = np.asarray(B.pos[0], float), np.asarray(B.pos[1], float)
        v = p1 - p0
        speed = float(np.hypot(*v))
        rb = B.ref_radius()
        good = [c for c, m in zip(B.color[:6], B.merged[:6]) if not m] or B.color[:6]
        cb = np.median(np.stack(good), axis=0)
        best, best_cost = None, np.inf
        for a, A in enumerate(tracks):
            if a == b or a in used or len(A.frames) > max_head or A.frames[-1] != s - 1:
                continue
            # the same gate as :func:`associate` gives a track with that speed for one step
            gate = 2.0 * rb + 3.0 + 0.6 * speed + 1.0
            d = float(np.hypot(*(np.asarray(A.pos[-1]) - (p0 - v))))
            if d > gate:
                continue
            cd = color_dist(cb, A.color[-1])
            ra = float(np.sqrt(max(A.area[-1], 1.0) / np.pi))
            if cd > LINK_COLOR or abs(np.log(ra / rb)) > 0.7:
                continue
            cost = d / gate + cd
            if cost < best_cost:
                best, best_cost = a, cost
        if best is None:
            continue
        A = tracks[best]
        for name in ("frames", "pos", "area", "color", "merged", "border", "smear"):
            setattr(B, name, list(getattr(A, name)) + list(getattr(B, name)))
        B.occluded = sorted(A.occluded + B.occluded)
        B._cache.clear()
        used.add(best)
    return [tr for k, tr in enumerate(tracks) if k not in used]
