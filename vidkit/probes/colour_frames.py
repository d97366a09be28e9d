"""Frames whose colour :func:`~vidkit.probes.size_colour.conservation` can judge although their
size cannot be: :func:`own_colour_frames`.

A frame where an object touches another detection (``merged``) or overlaps another track's disk
is not judged for its size: the blob may be the two together, or a piece of one. Its colour is
still the object's own where the blob is the object's whole size and its colour is no other
touching object's: the detector takes a blob's colour from its densest cluster of pixels
(:func:`vidkit.probes.detection._dominant_color`), so a speck, a background ghost or the dark
spot of a rolling ball inside or beside it does not move it.

Example:
    >>> import numpy as np
    >>> from vidkit.probes.colour_frames import colour_spans
    >>> colour_spans([(0, np.array([0, 1, 2])), (0, np.array([8, 9]))])
    [(-inf, 5.0), (5.0, inf)]
"""

from __future__ import annotations

import numpy as np

from vidkit.probes.tracking import Tracks

__all__ = ["own_colour_frames", "colour_spans", "two_levels_around"]


def colour_spans(segments: list[tuple[int, np.ndarray]]) -> list[tuple[float, float]]:
    """Per segment ``(i, frames)`` of :func:`conservation`, the open span of frame numbers whose
    colour-only frames it takes: from halfway between the previous segment of the same object
    and this one to halfway to the next (an object's first and last segments reach its ends).

    Example:
        >>> colour_spans([(0, np.array([0, 1])), (0, np.array([22, 30])), (1, np.array([3]))])
        [(-inf, 11.5), (11.5, inf), (-inf, inf)]
    """
    out: list[tuple[float, float]] = []
    for k, (i, fr) in enumerate(segments):
        lo, hi = -np.inf, np.inf
        if fr.size:
            prev = [f for j, f in segments[:k] if j == i and f.size]
            nxt = [f for j, f in segments[k + 1 :] if j == i and f.size]
            if prev:
                lo = (int(prev[-1][-1]) + int(fr[0])) / 2
            if nxt:
                hi = (int(fr[-1]) + int(nxt[0][0])) / 2
        out.append((lo, hi))
    return out


def own_colour_frames(
    tr: Tracks,
    i: int,
    fr: np.ndarray,
    span: tuple[float, float],
    r_ref: float,
    size_tol: float,
    color_tol: float,
    streak: np.ndarray | None = None,
) -> np.ndarray:
    """Object ``i``'s frames, within ``span`` (open) and outside its judged frames ``fr``, whose
    colour is its own although their size is not judged (merged with, or overlapping, another
    detection): seen whole in the frame (not at the border), at its usual size (radius within
    ``size_tol`` of ``r_ref``: a blob of two objects is larger, a piece smaller), not drawn into
    a streak (``streak``, ``[T]`` px, at most 1.5 ``r_ref``: its colour fades toward the
    background), and of a colour more than ``color_tol`` from the colour every other object
    touching it then shows in that frame: a track that took the other object's blob shows that
    object's colour.

    Example:
        >>> T = 5
        >>> r, vis = np.full((1, T), 3.0), np.ones((1, T), bool)
        >>> merged = vis.copy()
        >>> merged[0, 0] = False  # whole in frame 0 only, merged (with an untracked speck) after
        >>> tr = Tracks(np.zeros((1, T, 2)), r, np.pi * r**2, np.full((1, T, 3), 0.5), vis,
        ...             merged, ~vis, 10.0, (20, 20), np.zeros((20, 20, 3)))
        >>> own_colour_frames(tr, 0, np.array([0]), (-np.inf, np.inf), 3.0, 0.15, 0.12).tolist()
        [1, 2, 3, 4]
    """
    T = tr.num_frames
    lo, hi = span
    cand = tr.visible[i] & ~tr.at_border[i]
    cand[np.asarray(fr, int)] = False
    f_all = np.arange(T)
    cand &= (f_all > lo) & (f_all < hi)
    if not cand.any() or not np.isfinite(r_ref) or r_ref <= 0:
        return np.zeros(0, int)
    f = np.flatnonzero(cand)
    # at the object's size and not streaked: on the 800 clean clips of seeds 13-16 the 2663
    # frames so kept read a median 0.008 off the object's colour (90th percentile 0.036, 1.1%
    # beyond 0.12), its judged frames 0.005 (0.026, 0.4%)
    rel = tr.radii[i, f] / r_ref - 1
    keep = np.isfinite(rel) & (np.abs(rel) <= size_tol)
    if streak is not None:
        keep &= ~(np.nan_to_num(streak[f]) > 1.5 * r_ref)
    f = f[keep]
    if f.size == 0:
        return f
    m = 2.0 * tr.pixel_scale
    ok = np.ones(f.size, bool)
    for j in range(tr.n_objects):
        if j == i:
            continue
        both = tr.visible[j, f]
        if not both.any():
            continue
        d = np.hypot(*(tr.centers[i, f] - tr.centers[j, f]).T)
        near = both & (d <= np.nan_to_num(tr.radii[i, f]) + np.nan_to_num(tr.radii[j, f]) + m)
        if not near.any():
            continue
        # the colour the other object shows in that frame, not its usual one: two tracks that
        # exchanged one ball's blob share its usual colour (seed 14 recolor 1454066: the track
        # that had held the rolling ball before the swap kept its old colour as its median)
        like = np.linalg.norm(tr.colors[i, f] - tr.colors[j, f], axis=1) <= color_tol
        ok &= ~(near & like)
    return f[ok]


def two_levels_around(
    colors: np.ndarray, idx: np.ndarray, judged: np.ndarray, new: np.ndarray, color_tol: float
) -> bool:
    """Whether a run of frames (``idx``: indices into ``colors``, ``[n, 3]``, the object's judged
    frames in order) in a colour ``new`` is one of two levels the measurement flips between:
    other ``judged`` frames (``[n]`` bool), apart from the run (not next to it), show that
    colour too (within ``color_tol``): for a run in the middle of the frames, on both sides of
    it; for a run at their start or end, in 2+ frames on the other side of the change. An
    object whose colour changed shows the new colour only after the change; a shaded ball's
    matte takes the colour of its middle or of its outer ring from frame to frame (seed 13
    clean 1300156: (0.42, 0.13, 0.46) instead of (0.54, 0.08, 0.63) in frames 31-33, and also
    in frames 1, 10-11, 40 and 51; seed 16 clean 1600198: (0.40, 0.17, 0.37) from frame 32 on,
    and also in 6 frames before it, between frames of (0.47, 0.18, 0.50)).

    Example:
        >>> c = np.array([[0.5, 0, 0]] * 10)
        >>> c[[1, 4, 5, 6, 8]] = [0.3, 0, 0]
        >>> two_levels_around(c, np.array([4, 5, 6]), np.ones(10, bool), c[5], 0.12)
        True
        >>> c[8] = [0.5, 0, 0]  # not after it: a change and back, once
        >>> two_levels_around(c, np.array([4, 5, 6]), np.ones(10, bool), c[5], 0.12)
        False
    """
    first, last = int(idx[0]), int(idx[-1])
    n = colors.shape[0]
    like = judged & (np.linalg.norm(colors - np.asarray(new, float), axis=1) <= color_tol)
    before = int(like[: max(first - 1, 0)].sum())
    after = int(like[last + 2 :].sum())
    if first == 0 and last == n - 1:
        return False
    # 2+ frames across a change at an end: of 184 colour runs of the recolor clips of seeds
    # 13-16, 176 show their colour nowhere apart from them; a shaded ball's flips recur (seed
    # 16 clean 1600198: 11 frames before the run), one frame could be a blend where it met
    # another object
    if first == 0:
        return after >= 2
    if last == n - 1:
        return before >= 2
    return before >= 1 and after >= 1
