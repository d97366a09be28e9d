"""Held pictures: runs of frames of a compensated shot that show one picture while the camera
moves on both sides (a stutter holds the whole frame, the camera's motion with it).

:func:`held_pictures` is read by :func:`vidkit.probes.kinematics.continuity`.

Example:
    >>> from vidkit.probes.held import held_pictures
    >>> held_pictures(report.tracks, 0.75)  # doctest: +SKIP
    [(14, 17, 'while the camera moves 6.0 px per frame before and 1.4 px per frame after')]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from vidkit.probes.camera_dense import corner_moves
from vidkit.probes.camera_pair import STILL_PX
from vidkit.probes.tracking import Tracks
from vidkit.probes.trajectory import mask_runs

__all__ = ["held_pictures", "HELD_CHANGED"]

# the share of a held pair's compensated pixels that may change beyond the tracker's threshold
# (5 sigma): sensor noise's tail (0-0.08% in the held pairs of seeds 1 and 3)
HELD_CHANGED = 0.002


def held_pictures(tr: Tracks, freeze_px: float) -> list[tuple[int, int, str]]:
    """Runs of frames that show one picture while the compensated camera moves on both sides.

    A stutter holds the whole frame: the camera's motion stops with everything else and the
    frames differ by their sensor noise only, whatever the objects do (seen, hidden, small). In a
    shot whose camera was compensated, a pair of frames *holds the picture* when

    - the camera map between them moves no point of the frame by more than
      :data:`~vidkit.probes.camera_pair.STILL_PX` (0.15 px: the corners of a held pair stay put and
      its map is measured as the identity; not the map's misfit, 0.3-0.4 px: a shake turning
      at 60 fps moves the camera 0.24-0.31 px in two pairs in a row, seed 0 clean 189), and
    - the compensated frames differ by no more than sensor noise alone makes them differ: two
      frames of one picture with independent Gaussian noise of std ``sigma`` per channel differ
      by ``2 sigma / sqrt(pi)`` on average (``sigma``: the tracker's noise estimate; measured on
      seed 3: held pairs at 0.45-0.8 of that, the clip's other pairs at 1.1-3.9 of it), or by
      less than 0.8 of the median difference of the shot's pairs that the camera moved by
      ``freeze_px`` or more: a pair the camera moved keeps the resampling and misfit of its map
      on every edge, a held pair does not (compressed noise is heavier-tailed than its robust
      ``sigma`` says: seed 1 stutter 157006, JPEG 50, held pairs at 1.24 ``sigma``, 0.45 of the
      moving pairs' median), and
    - no more than HELD_CHANGED (0.2%) of the compensated pixels changed by more than the
      tracker's change threshold (``Tracks.frame_change``; 5 sigma): what noise alone does
      (0-0.08% in the held pairs of seeds 1 and 3), while an object moving in view changes its
      old and new place (seed 1 clean 100048: a ball rolling while a 10 fps shake turned
      through two identity maps, 0.9% of the pixels changed); or no more than twice that in
      each pair of a run whose mean stays within it (noise's tail scatters from pair to pair,
      compressed noise's most: seed 4 stutter 457025, JPEG 44, held pairs at 0.01%, 0.20% and
      0.00%; a moving object changes pixels in every pair it moves in). A pair with no tracked
      object seen in either frame has none to move, and this bar is not applied to it (seed 14
      stutter 1457069, an 8 fps shake: held pairs at 0.39% while the ball was hidden).

    A run of 2 to 8 such pairs is a freeze when the camera moves more than ``freeze_px`` px (the
    most a frame corner moves, the larger of the corners' fit and the frame maps': a pair's
    corner fit reads a slow zoom as the identity) in the pair before it and in the pair after
    it, where each of
    those may instead be measured moving (more than ``STILL_PX``) with the camera moving more
    than ``freeze_px`` per pair on average over as many pairs as the run holds on that side (a
    camera that comes to rest stays at rest; a longer still run is a still camera; a shake's
    motion per pair varies, and a small step next to the run is one in which it turned back).
    One such pair alone is what a fast shake filmed at a low frame rate gives when it comes
    back to where it was a frame before (seed 3 clean 300060 at 8 fps: no camera motion and
    the compensated frames at 0.7 of the noise floor, between pairs where the camera moved
    1.4 px); two in a row need it to come back twice. Returns ``(first, last, description)``
    per run, in frames.

    Example:
        >>> held_pictures(report.tracks, freeze_px=0.75)  # doctest: +SKIP
        [(14, 17, 'while the camera moves 6.0 px per frame before and 1.4 px per frame after')]
    """
    out: list[tuple[int, int, str]] = []
    fd = np.asarray(tr.frame_diff, float)
    floor = 2.0 / np.sqrt(np.pi) * float(tr.noise)
    if floor <= 0 or fd.size != tr.num_frames - 1:
        return out
    for k, (a, b) in enumerate(tr.shots or [(0, tr.num_frames)]):
        cam = tr.shot_camera(k)
        n = b - a - 1
        if not getattr(cam, "moving", False) or n < 3 or np.size(cam.dx) != n:
            continue
        H, W = tr.size
        half_diag = 0.5 * float(np.hypot(H, W)) / max(tr.pixel_scale, 1e-9)
        shift = np.hypot(np.asarray(cam.dx, float), np.asarray(cam.dy, float))
        turn = np.abs(np.asarray(cam.zoom, float) - 1) + np.abs(np.radians(cam.rotation))
        moved = shift + half_diag * turn  # the most a frame corner moves (px of the frames given)
        moved = _from_frame_maps(cam, moved)
        mv = np.nan_to_num(moved, nan=np.inf)
        # the camera's motion next to a run: the larger of the corners' and the frame maps'
        # (:func:`_map_moves`); the run itself must be still to the corners
        maps = _map_moves(cam, moved)
        side = np.fmax(moved, maps)
        fds = fd[a : b - 1]
        # what a pair the camera moved keeps after compensation (resampling, the map's misfit
        # on every edge), at its median over the shot's pairs that moved by ``freeze_px`` or more
        kept = fds[np.isfinite(mv) & (mv > freeze_px) & np.isfinite(fds)]
        rest = 0.8 * float(np.median(kept)) if kept.size >= 3 else 0.0
        fcs = np.nan_to_num(np.asarray(tr.frame_change, float)[a : b - 1], nan=1.0)
        # the share of changed pixels tells an object moving in view from noise; with no
        # tracked object seen in either frame of a pair there is none to move, and what
        # changes is noise's tail alone (seed 14 stutter 1457069, an 8 fps shake, noise
        # 0.021: 2 held pairs at 0.39% and 0.39% while the ball was behind the occluder,
        # against 0.16-3.5% in the pairs the camera moved)
        seen = np.asarray(tr.visible, bool)[:, a:b].any(axis=0)
        fcs = np.where(seen[:-1] | seen[1:], fcs, 0.0)
        still = (mv <= STILL_PX) & (fds <= max(floor, rest))
        # noise's tail scatters from pair to pair: a run's pairs may reach twice HELD_CHANGED
        # while their mean stays within it (seed 4 stutter 457025, JPEG 44: 3 held pairs at
        # 0.01%, 0.20% and 0.00%); an object moving in view changes pixels in every pair
        runs = [
            r for r in mask_runs(still & (fcs <= 2 * HELD_CHANGED)) if fcs[r].mean() <= HELD_CHANGED
        ]
        taken = np.zeros(n, bool)
        for r in runs:
            taken[r] = True
        runs += [r for r in mask_runs(still & (fcs <= HELD_CHANGED)) if not taken[r].any()]
        # the pairs of the runs reported; a run judged above whose sides did not move by
        # ``freeze_px`` is judged again as a slow camera's (seed 7 stutter 757050: 3 held
        # pairs at 0.3 of the moving pairs' difference, in a zoom of 0.24 px a pair)
        reported = np.zeros(n, bool)
        copied = _copied_maps(cam, n)
        for run in runs:
            j0, j1 = int(run[0]), int(run[-1])
            if not 2 <= j1 - j0 + 1 <= 8 or j0 == 0 or j1 == n - 1:
                continue
            if _maps_move_through(maps, copied, j0, j1):
                continue
            # the camera moves on both sides: in the pair next to the run, or on average over
            # as many pairs as the run holds with the pair next to it measured moving (a
            # shake's motion per pair varies, and one pair in which it turns back is no sign of
            # a camera come to rest: seed 4 stutter 457021, 3 held pairs of a 10 fps shake
            # between pairs of 6.0 and 0.5 px, then 0.9 and 2.8; a camera that comes to rest
            # stays at rest)
            L = j1 - j0 + 1
            sides = []
            for nxt, span in (
                (side[j0 - 1], side[max(0, j0 - L) : j0]),
                (side[j1 + 1], side[j1 + 1 : j1 + 1 + L]),
            ):
                mean = float(np.mean(span))
                sides.append(float(nxt) if nxt > freeze_px or nxt <= STILL_PX else mean)
            before, after = sides
            if not (before > freeze_px and after > freeze_px):
                continue  # nan: not measured, no judgement
            why = (
                f"while the camera moves {before:.1f} px per frame before and "
                f"{after:.1f} px per frame after"
            )
            out.append((a + j0, a + j1 + 1, why))
            reported[j0 : j1 + 1] = True
        # a steady camera slower than ``freeze_px`` whose corners stop dead and then jump ahead
        # by what they missed (:func:`_caught_up`), read on the corners' fits, then on the frame
        # maps' alone with each side pair measured moving, beyond STILL_PX: a slow zoom's
        # corners read the identity in every pair (seed 7 stutter 757044: 0.26 px a pair at the
        # corners, its maps 0.18-0.30 px in the moving pairs and 0.02 px in the 2 held ones).
        # Not the larger of the two: on a zoom of 0.14 px a pair (seed 0 clean 59, below
        # STILL_PX: its maps at 0.11-0.29) one pair's corner fit read 0.68 px, a "catch-up"
        # that the maps put at 0.19
        # A pair whose map was copied from the frame before (the corners read it still:
        # ``camera._hold_still_pairs``) is no reading of the maps: on a clean zoom of 0.15 px a
        # pair (seed 10 clean 1000149) 3 copied maps read 0.00 px and the next one 0.91 px, the
        # zoom they had held back, a "catch-up"; a held picture's own maps are aligned on their
        # own (0.01-0.02 px in seed 7 stutter 757044 and 757050) and an exact repeat is a
        # frozen frame by itself
        sm = np.where(_copied_maps(cam, n), np.inf, np.nan_to_num(maps, nan=np.inf))
        for m_, low in ((mv, 2 * STILL_PX), (sm, STILL_PX)):
            for run in mask_runs(m_ <= STILL_PX):
                j0, j1 = int(run[0]), int(run[-1])
                if (
                    reported[j0 : j1 + 1].any()
                    or not 2 <= j1 - j0 + 1 <= 8
                    or not _caught_up(m_, j0, j1, low)
                ):
                    continue
                if found := _slow_held(fds, m_, j0, j1, a):
                    out.append(found)
                    reported[j0 : j1 + 1] = True
    return out


def _maps_move_through(maps: np.ndarray, copied: np.ndarray, j0: int, j1: int) -> bool:
    """Whether the frame maps (:func:`_map_moves`) see the camera move through the run of pairs
    ``j0``-``j1`` that the corners read still: the mean of the run's maps that were aligned on
    their own (not copied from the frame before, :func:`_copied_maps`) exceeds half the median
    of the shot's other such maps.

    A held picture's maps are aligned to one picture: in the held pairs of the 43 stutter clips
    on moving cameras of seeds 11-12 they read 0.00-0.27 px, at most 0.19 of the shot's median
    map on average over a run (seed 11 stutter 1157078, a shake: 0.07, 0.18 and 0.27 px against
    0.91). A steady slow zoom of a plain scene that the corners read as the identity in every
    pair, its frames differing by their noise alone, is no held picture: its maps read it
    moving through the run as in the rest of the shot (seed 11 clean 1100086, truth 0.45 px a
    pair at the corners: 0.38-0.77 px in a "held" run against the shot's median 0.70, 0.87 of
    it; seed 12 clean 1200047: 0.36 px against 0.48, 0.75 of it). No judgement where every map
    of the run was copied or the shot has no other map.

    Example:
        >>> m = np.array([0.7, 0.8, 0.02, 0.03, 0.6, 0.7])
        >>> bool(_maps_move_through(m, np.zeros(6, bool), 2, 3))
        False
        >>> bool(_maps_move_through(np.full(6, 0.7), np.zeros(6, bool), 2, 3))
        True
    """
    inside = np.zeros(maps.size, bool)
    inside[j0 : j1 + 1] = True
    own = np.isfinite(maps) & ~copied
    run, rest = maps[own & inside], maps[own & ~inside]
    if run.size == 0 or rest.size < 3:
        return False
    return bool(float(np.mean(run)) > 0.5 * float(np.median(rest)))


def _slow_held(
    fds: np.ndarray, mv: np.ndarray, j0: int, j1: int, a: int
) -> tuple[int, int, str] | None:
    """The held run ``j0``-``j1`` of a steady slow camera (:func:`_caught_up`) unless its
    compensated frames differ more than the moving pairs' next to it do."""
    L = j1 - j0 + 1
    side_fd = np.concatenate([fds[j0 - L : j0], fds[j1 + 2 : j1 + 2 + L]])
    if not np.all(np.isfinite(fds[j0 : j1 + 1])) or fds[j0 : j1 + 1].max() > float(
        np.nanmedian(side_fd)
    ):
        return None  # the held pairs' frames differ more than the moving pairs' do
    sides = np.concatenate([mv[j0 - L : j0], mv[j1 + 2 : j1 + 2 + L]])
    why = (
        f"while the camera moves steadily {float(sides.mean()):.2f} px per frame before "
        f"and after, and frame {a + j1 + 2} makes up for it ({float(mv[j1 + 1]):.2f} px)"
    )
    return (a + j0, a + j1 + 1, why)


def _from_frame_maps(cam: Any, moved: np.ndarray) -> np.ndarray:
    """``moved`` with each pair the corners did not measure (NaN) read from the maps the frames
    were stabilised with (:func:`_map_moves` on those pairs only).

    Those are the maps the compensated frames were made with, so they are what a held pair's
    frames were aligned by: a shake over stripes whose corners missed every pair (seed 8
    stutter 857069, 10 fps: 4 held frames, no pair measured by corners, the held pairs'
    compensated frames equal to 1e-8) is judged on them as a shot whose corners measured it.
    """
    return _map_moves(cam, moved, only=~np.isfinite(moved))


def _map_moves(cam: Any, moved: np.ndarray, only: np.ndarray | None = None) -> np.ndarray:
    """The camera's motion per pair read from the frame maps (``CameraMotion.to_ref``: each
    frame aligned to the first by its intensities, the maps the compensated frames were made
    with, the shot's slow drift refined into them), as the most a frame corner moves; ``moved``
    (the corners' fits) where the maps are not known, and outside ``only`` (a mask of the
    pairs to read) where it is given.

    A pair's corner fit reads a slow zoom as the identity: its test of a still camera is the
    corners' *mean* shift against their jitter, and a zoom about the frame's centre has no mean
    shift (seed 7 stutter 757062, zoom 0.58% a pair, 0.64 px at the corners: 7 of its 21 moving
    pairs read 0.00 px, two of them right before the 4 held frames), while the frame maps read
    0.66-1.04 px in every one of those pairs and 0.00 in the held ones.
    """
    to_ref = np.asarray(getattr(cam, "to_ref", np.zeros((0, 2, 3))), float)
    size = getattr(cam, "frame_size", (0, 0))
    if to_ref.ndim != 3 or len(to_ref) != moved.size + 1 or not size[0]:
        return moved
    H, W = size
    out = moved.copy()
    for t in range(moved.size) if only is None else np.flatnonzero(only):
        if np.all(np.isfinite(to_ref[t])) and np.all(np.isfinite(to_ref[t + 1])):
            out[t] = corner_moves(to_ref[t + 1], to_ref[t], W, H)
    return out


def _copied_maps(cam: Any, n: int) -> np.ndarray:
    """Per pair, whether the frame maps (``CameraMotion.to_ref``) of its two frames are the
    same map to the bit (the later copied from the earlier).

    Example:
        >>> from types import SimpleNamespace
        >>> _copied_maps(SimpleNamespace(to_ref=np.stack([np.eye(2, 3)] * 3)), 2).tolist()
        [True, True]
    """
    to_ref = np.asarray(getattr(cam, "to_ref", np.zeros((0, 2, 3))), float)
    if to_ref.ndim != 3 or len(to_ref) != n + 1:
        return np.zeros(n, bool)
    return np.array([np.array_equal(to_ref[t + 1], to_ref[t]) for t in range(n)], bool)


def _caught_up(moved: np.ndarray, j0: int, j1: int, low: float = 2 * STILL_PX) -> bool:
    """Whether the held pairs ``j0``-``j1`` sit in a steady camera motion slower than the
    freeze threshold, and the pair after them makes up for the motion they missed.

    A stutter holds frames ``f..f+n-1`` at frame ``f-1``: its ``n`` pairs show no motion and
    the pair after them carries the camera's motion of ``n + 1`` pairs. A slow pan (seed 5
    stutter 557028: 0.37 px per pair, 48 fps) moves less than ``freeze_px`` per pair, but its
    corner fits measure that to a few hundredths of a pixel: the ``n`` pairs before the run and
    the ``n`` pairs after the catch-up pair each move more than twice
    :data:`~vidkit.probes.camera_pair.STILL_PX` (the camera measurably moves, pair after pair),
    and the catch-up pair moves more than half of ``n + 1`` times their mean and more than
    twice the largest of them (a camera that pauses and goes on does not jump ahead; a shake,
    whose motion per pair varies, has no such steady sides).
    """
    n = j1 - j0 + 1
    if j0 - n < 0 or j1 + 2 + n > moved.size:
        return False
    sides = np.concatenate([moved[j0 - n : j0], moved[j1 + 2 : j1 + 2 + n]])
    catch = float(moved[j1 + 1])
    if not (np.all(np.isfinite(sides)) and np.isfinite(catch)):
        return False
    return bool(
        sides.min() > low
        and catch > 0.5 * (n + 1) * float(sides.mean())
        and catch > 2 * float(sides.max())
    )
