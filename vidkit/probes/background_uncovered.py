"""Held objects that the frames show uncovered: :func:`uncovered_regions`, a step of
:func:`vidkit.probes.background.repair_background` on a stabilised (moving-camera) shot.

A region of the background model with an object's colour is an object held in the temporal
median when the frames show, at most of its pixels, one steady other value: the background the
object covered in over half of the frames.

Example:
    >>> import numpy as np
    >>> from vidkit.probes.background_uncovered import HELD_FOOTPRINT
    >>> HELD_FOOTPRINT
    4.0
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

__all__ = ["HELD_FOOTPRINT", "steady_tol", "uncovered_regions", "shown_background"]

#: the largest region of an object's colour that :func:`repair_background` paints over, in units
#: of the largest footprint of a detection of that colour (blur and a second object of the same
#: colour resting beside it make the held region larger than one footprint)
HELD_FOOTPRINT = 4.0


def steady_tol(sigma: float) -> float:
    """The RGB distance within which two readings of one pixel are the same value: 3 sigma of
    the difference of two noisy RGB readings (``sigma`` per channel, ``sqrt 3`` over the three
    channels), never below 0.05 (JPEG and blur leave more than white noise).

    Example:
        >>> print(round(steady_tol(0.02), 3))
        0.104
        >>> steady_tol(0.0)
        0.05
    """
    return max(0.05, 3.0 * sigma * np.sqrt(3.0))


def uncovered_regions(
    work: np.ndarray, bg: np.ndarray, colors: np.ndarray, dets: list[list[Any]], sigma: float
) -> np.ndarray:
    """The pixels of ``bg`` held by an object that some frames show was not there: ``[H, W]`` bool.

    A region of ``bg`` near one of the object ``colors`` (within 0.2, gaps of up to 4 px
    bridged) and at most :data:`HELD_FOOTPRINT` times the largest detection of an object colour is
    held when most pixels of its inside (3 px in from its edge) show, in 3 or more frames, one
    same value (within the noise) that is neither the median nor near any object colour: the
    background that the object covered in over half of the frames. A ball that recolours as it
    comes to rest on a moving camera is never detected in its new colour away from where it
    rests (:func:`held_regions` needs that), and its "hole" in the frames before is joined to
    the ball itself, which is still near (:func:`hole_regions` needs it apart): seed 0 recolor
    54023 and seed 3 recolor 354018 kept the new colour in the median and passed. A background
    structure of a like colour (an occluder, a floor) shows itself in every frame; the residue
    along its edge that a stabilisation error leaves is within 3 px of the edge.

    Example:
        >>> import numpy as np
        >>> from vidkit.probes.detection import Det
        >>> work = np.full((6, 24, 24, 3), 0.8, np.float32); work[3:, 7:17, 7:17] = (0.1, 0.1, 0.6)
        >>> bg = work[5].copy()
        >>> d = Det(4.0, 4.0, 100.0, np.array([0.1, 0.1, 0.6]), (0, 0, 10, 10), False, 1, npix=100)
        >>> int(uncovered_regions(work, bg, np.array([[0.1, 0.1, 0.6]]), [[d]], 0.01).sum())
        100
    """
    import cv2

    H, W = bg.shape[:2]
    out = np.zeros((H, W), bool)
    flat = [d for ds in dets for d in ds]
    if not flat or work.shape[0] < 3:
        return out
    all_c = np.stack([d.color for d in flat])
    all_n = np.array([max(d.npix, d.area) for d in flat], np.float64)
    cols = np.asarray(colors, np.float64).reshape(-1, 3)
    tol = steady_tol(sigma)
    k5, k7 = np.ones((5, 5), np.uint8), np.ones((7, 7), np.uint8)
    # the largest object seen: an object that is detected whole only in its old colour (it
    # changed as it came to rest) shows its new colour only in slivers
    own = np.zeros(len(flat), bool)
    for c in cols:
        own |= np.linalg.norm(all_c - c[None], axis=1) < 0.2
    if not own.any():
        return out
    foot = float(np.max(all_n[own]))
    # "near any object colour" by a nearest-neighbour query: real footage has hundreds of
    # object colours (bigbuckbunny: 258), and a loop over them per region cost 20x the whole
    # report (525 s instead of 26 s)
    from scipy.spatial import cKDTree

    tree = cKDTree(cols)
    for c in cols:
        near_c = (np.linalg.norm(bg - c, axis=-1) < 0.2) & ~out
        if not near_c.any():
            continue
        n, lab, stats, _ = cv2.connectedComponentsWithStats(
            cv2.dilate(near_c.astype(np.uint8), k5), connectivity=8
        )
        lab = np.where(near_c, lab, 0)
        area = np.bincount(lab.ravel(), minlength=n)
        for k in np.flatnonzero((area[1:] > 0) & (area[1:] <= HELD_FOOTPRINT * foot)) + 1:
            # the component within its bounding box (+ the erosion's reach): O(its size)
            x0, y0, bw, bh = (int(v) for v in stats[k, :4])
            ys = slice(max(0, y0 - 4), min(H, y0 + bh + 4))
            xs = slice(max(0, x0 - 4), min(W, x0 + bw + 4))
            box = lab[ys, xs] == k
            inside_box = cv2.erode(box.astype(np.uint8), k7).astype(bool)
            if inside_box.sum() < 4:
                continue
            vals = work[:, ys, xs][:, inside_box]  # [T, n, 3]
            other = np.linalg.norm(vals - bg[ys, xs][inside_box][None], axis=-1) > max(0.1, 2 * tol)
            # the test below needs 3+ such frames at over half of the pixels: checked first,
            # and each later step only on what can still pass (the result is the same)
            if np.mean(other.sum(axis=0) >= 3) <= 0.5:
                continue
            d_obj, _ = tree.query(vals[other].astype(np.float64), k=1, distance_upper_bound=0.2)
            other[other] = d_obj >= 0.2
            # one steady value in 3+ frames: the background, not a passing rim or blend
            cand = other.sum(axis=0) >= 3
            if np.mean(cand) <= 0.5:
                continue
            v = np.where(other[:, cand, None], vals[:, cand], np.nan)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # pixels never uncovered: NaN
                mid = np.nanmedian(v, axis=0)
            agree = other[:, cand] & (np.linalg.norm(vals[:, cand] - mid[None], axis=-1) <= tol)
            if np.sum(agree.sum(axis=0) >= 3) > 0.5 * cand.size:
                comp = np.zeros((H, W), bool)
                comp[ys, xs] = box
                out |= _grow_smooth(bg, comp, int(np.ceil(0.5 * np.sqrt(comp.sum() / np.pi))))
    return out


def shown_background(
    vals: np.ndarray, held: np.ndarray, around: np.ndarray, sigma: float
) -> tuple[np.ndarray, np.ndarray]:
    """Held pixels that some frames show uncovered, with a colour of the background around them:
    ``(ok, value)``, ``[n]`` bool and ``[n, 3]``.

    ``vals`` (``[T, n, 3]``) are the frames' values of ``n`` pixels whose median ``held``
    (``[n, 3]``) is an object's colour and is far from the fill from around them; ``around``
    (``[m, 3]``) the colours of the background model just outside the held pixels. A pixel is
    shown uncovered when 3 or more frames show one same value (within the noise) away from its
    median (by more than 0.25, as the fill test) that is within 0.1 of a colour of ``around``:
    the background there before the object came to rest (or after it left). The fill alone
    fails where the object rests on an edge of the scene: it diffuses the floor's colour into
    the lower half of a resting ball, which the frames never show, and the colour those frames
    do show was learnt as an object colour from the "hole" the ball leaves before it comes
    (seed 15 clean 1500089: a 21.6 px ball settling on the floor kept its lower half in the
    background, 0.33-0.40 from the fill, and read 13.3 px at rest, "changed size, -35%").

    Example:
        >>> import numpy as np
        >>> vals = np.full((6, 1, 3), 0.1, np.float32); vals[:3] = 0.8
        >>> ok, v = shown_background(vals, np.full((1, 3), 0.1), np.full((1, 3), 0.8), 0.01)
        >>> bool(ok[0]), round(float(v[0, 0]), 2)
        (True, 0.8)
    """
    n = vals.shape[1]
    ok = np.zeros(n, bool)
    value = np.zeros((n, 3), np.float64)
    if n == 0 or vals.shape[0] < 3 or len(around) == 0:
        return ok, value
    tol = steady_tol(sigma)
    off = np.linalg.norm(vals - held[None], axis=-1) > 0.25
    cand = off.sum(axis=0) >= 3
    if not cand.any():
        return ok, value
    v = np.where(off[:, cand, None], vals[:, cand], np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mid = np.nanmedian(v, axis=0)
    agree = off[:, cand] & (np.linalg.norm(vals[:, cand] - mid[None], axis=-1) <= tol)
    steady = agree.sum(axis=0) >= 3
    w = agree[..., None].astype(np.float64)
    mean = (vals[:, cand] * w).sum(axis=0) / np.maximum(w.sum(axis=0), 1)
    from scipy.spatial import cKDTree

    # a colour the background holds near there (seed 15 clean 1500089: the steady colours
    # its lower half shows lie a median 0.073 from the nearest colour around the held pixels,
    # 90% within 0.113; the floor's colour diffused into them by the fill lies 0.33-0.40 away)
    d_bg, _ = cKDTree(np.asarray(around, np.float64)).query(mean, k=1)
    good = steady & (d_bg <= 0.1)
    idx = np.flatnonzero(cand)[good]
    ok[idx] = True
    value[idx] = mean[good]
    return ok, value


def _grow_smooth(bg: np.ndarray, seed: np.ndarray, steps: int) -> np.ndarray:
    """``seed`` grown by up to ``steps`` px over neighbours whose ``bg`` differs by under 0.1.

    A shaded ball's lit or dark side is more than 0.2 from its mean colour, but its shading
    changes little from pixel to pixel, while its edge against the background is a step: the
    whole ball, not its mid-tones, is then repaired (seed 0 recolor 54023: its lit side stayed
    in the median, and the fill from around the rest took that colour).
    """
    H, W = seed.shape
    cur = seed.copy()
    for _ in range(max(0, steps)):
        add = np.zeros_like(cur)
        for dy, dx in ((0, 1), (0, -1), (1, 0), (-1, 0), (1, 1), (1, -1), (-1, 1), (-1, -1)):
            ys = slice(max(0, dy), H + min(0, dy))
            yd = slice(max(0, -dy), H + min(0, -dy))
            xs = slice(max(0, dx), W + min(0, dx))
            xd = slice(max(0, -dx), W + min(0, -dx))
            # pixel p (at yd, xd) joins when its neighbour p + (dy, dx) is in and alike
            like = np.linalg.norm(bg[yd, xd] - bg[ys, xs], axis=-1) < 0.1
            add[yd, xd] |= cur[ys, xs] & like
        add &= ~cur
        if not add.any():
            break
        cur |= add
    return cur
