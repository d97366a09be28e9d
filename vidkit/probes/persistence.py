"""Object-persistence probes: :func:`permanence` (objects vanishing or appearing away from the frame
border) and :func:`conservation` (objects changing size or colour).

Both read the tracks of :func:`~vidkit.probes.trajectory.analyze_motion`; the thresholds are
described in :mod:`vidkit.probes.trajectory`. A track that stops and one that starts where its
motion predicts are one object picked up again: permanence does not call that a vanishing, and
conservation judges the size and colour over both pieces (:func:`~vidkit.probes.track_pieces.join_pieces`). :func:`conservation`
lives in :mod:`vidkit.probes.size_colour` and is re-exported here.

Example:
    >>> import vidkit as vk
    >>> scene = vk.synth.render("projectile", seed=0, violation="vanish")  # doctest: +SKIP
    >>> vk.probes.permanence(scene.video).passed                           # doctest: +SKIP
    False
"""

from __future__ import annotations

from typing import Any

import numpy as np

from vidkit.probes.association import LINK_COLOR
from vidkit.probes.evidence import FAINT, PART
from vidkit.probes.result import Finding, ProbeResult
from vidkit.probes.size_colour import COLOR_TOL, conservation
from vidkit.probes.track_pieces import (
    reappears_as_predicted,
    same_object,
)
from vidkit.probes.tracking import WHOLE_AREA
from vidkit.probes.trajectory import (
    Motion,
    frames_text,
    no_objects,
    resolve_motion,
)

__all__ = ["permanence", "conservation"]


# --------------------------------------------------------------------------- permanence
def permanence(
    video: Any,
    *,
    fps: float | None = None,
    margin: float = 2.0,
    motion: Motion | None = None,
) -> ProbeResult:
    """Objects must not vanish or appear away from the frame border.

    A track that starts after the first frame, ends before the last, or has a gap fails unless,
    at that moment, the object touches (or is within ``margin`` px of) the frame border or is
    hidden by another object (the tracker marked it merged there), or one step of its own motion
    into the frame where it is not seen puts it on (or within ``margin`` px of) another object
    seen there (not one at the border): the two made one blob, so it came out of, or went
    into, that object's blob (an object that pops out of nothing does so away from the others),
    or a track that ended earlier predicts the new one (same size within a factor 2, where its
    motion puts it, the same colour within ``association.LINK_COLOR``: the object went behind
    something and was picked up again under a new number).

    Example:
        >>> scene = vk.synth.render("projectile", seed=0, violation="vanish")  # doctest: +SKIP
        >>> vk.probes.permanence(scene.video).sentence  # doctest: +SKIP
        'object 0 vanished at (31, 20) after frame 13, away from the frame border'
    """
    name = "permanence"
    m = resolve_motion(video, fps, motion)
    empty = no_objects(name, m)
    if empty is not None:
        return empty
    tr = m.tracks
    H, W = tr.size
    T = tr.num_frames
    findings: list[Finding] = []
    failed: list[int] = []
    margin = margin * tr.pixel_scale

    def near_border(i: int, f: int) -> bool:
        if tr.at_border[i, f]:
            return True
        x, y = tr.centers[i, f]
        r = tr.radii[i, f] if np.isfinite(tr.radii[i, f]) else 0.0
        return bool(
            x - r <= margin or y - r <= margin or x + r >= W - 1 - margin or y + r >= H - 1 - margin
        )

    def hidden(i: int, frames: range) -> bool:
        return any(tr.merged[i, f] for f in frames if 0 <= f < T)

    def with_other(i: int, f: int, g: int) -> bool:
        """Object ``i``, seen at frame ``f`` but not at ``g = f -+ 1``, would at ``g`` (where its
        own motion puts it) overlap or touch another object seen there: the two made one blob
        (one passed behind or in front of the other, or they touched), so the tracker saw one
        object. An object that pops out of nothing does so away from the others."""
        if not 0 <= g < T:
            return False
        vis_i = np.flatnonzero(tr.visible[i])
        k = int(np.searchsorted(vis_i, f))
        if g < f:
            nb = int(vis_i[k + 1]) if k + 1 < vis_i.size else None
        else:
            nb = int(vis_i[k - 1]) if k > 0 else None
        p = tr.centers[i, f].astype(float)
        if nb is not None:
            p = p + (tr.centers[i, f] - tr.centers[i, nb]) / abs(nb - f)  # one step on
        ri = usual_radius(i)
        near = vis_i[k : k + 3] if g < f else vis_i[max(k - 2, 0) : k + 1]
        col_i = np.median(tr.colors[i, near], axis=0)  # its colour next to this end
        for j in range(tr.n_objects):
            if j == i or not tr.visible[j, g] or tr.shot_of(j) != tr.shot_of(i):
                continue
            if tr.at_border[j, g]:
                continue  # partly out of the frame: its blob's disk is not where it is
            d = float(np.hypot(*(p - tr.centers[j, g])))
            rj = float(tr.radii[j, g])
            if d > ri + rj + margin:
                continue
            # one blob: i's centre on j's disk (half of i or more behind or in front of j), j's
            # blob larger at g than at f by a quarter of i beyond its noise, or i of j's colour
            # (a piece of j's blob: seed 0 clean 159); a ball popping out of nothing beside j
            # leaves j's blob as it was (seed 2 appear 252018, seed 4 appear 452017)
            if d <= rj + margin or float(np.linalg.norm(col_i - usual_colour(j))) <= COLOR_TOL:
                return True
            if joint_blob(j, f, g) > 0.25 * np.pi * ri**2:
                return True
        return False

    def usual_area(i: int, min_frames: int = 1) -> float:
        """Object ``i``'s median area over its whole frames (over every frame where it was seen
        whole in fewer than 3); NaN where that leaves fewer than ``min_frames``."""
        ok = tr.reliable(i)
        if ok.sum() < 3:
            ok = tr.visible[i]  # seen whole too rarely: its usual area over every frame
        return float(np.median(tr.areas[i, ok])) if ok.sum() >= max(min_frames, 1) else np.nan

    def joint_blob(j: int, f: int, g: int) -> float:
        """How much larger ``j``'s blob is at ``g`` than at ``f`` (than usual, unseen at ``f``),
        less 3 times the robust spread of its area's steps between whole frames (a zoom's drift
        is no noise); ``inf`` where that cannot be measured."""
        ref = tr.areas[j, f] if tr.visible[j, f] else usual_area(j)
        ok = np.flatnonzero(tr.reliable(j))
        steps = np.diff(tr.areas[j, ok])[np.diff(ok) == 1]
        if not np.isfinite(ref) or steps.size < 2:
            return np.inf
        noise = 1.4826 * float(np.median(np.abs(steps - np.median(steps))))
        return float(tr.areas[j, g]) - float(ref) - 3 * noise

    def usual_radius(i: int) -> float:
        """Object ``i``'s median radius over its whole frames (every frame, in fewer than 3);
        0 where none is known."""
        ok = tr.reliable(i)
        ri = tr.radii[i, ok] if ok.sum() >= 3 else tr.radii[i, tr.visible[i]]
        return float(np.nanmedian(ri)) if np.isfinite(ri).any() else 0.0

    def usual_colour(i: int) -> np.ndarray:
        """Object ``i``'s median colour over its whole frames (every frame, in fewer than 3)."""
        ok = tr.reliable(i)
        return np.median(tr.colors[i, ok if ok.sum() >= 3 else tr.visible[i]], axis=0)

    def took_other(i: int, f: int) -> bool:
        """At its end frame ``f`` (first or last) the track holds a blob of another object's
        colour, not its own (off its usual colour, within ``COLOR_TOL`` of object ``j``'s),
        on or next to ``j`` (within their radii and ``margin``, ``j`` seen at ``f`` or a frame
        next to it): the tracker took a piece of ``j``'s blob for the object there, so the
        object was in (or went into) that blob, and its own motion cannot be read from that
        step. Seed 11 clean 1100102: a 3.5 px ball next to an occluder read as moving by a
        shaking camera; at frame 7 its track took a 4.9 px piece of the occluder's blob, of the
        occluder's colour (0.32 RGB off the ball's), 10 px off the ball's path, and the ball
        "vanished" there, one step of that false motion putting it 15 px from the occluder."""
        c = tr.colors[i, f]
        if not np.all(np.isfinite(c)) or np.linalg.norm(c - usual_colour(i)) <= COLOR_TOL:
            return False
        ri = usual_radius(i)
        for j in range(tr.n_objects):
            if j == i or tr.shot_of(j) != tr.shot_of(i):
                continue
            if float(np.linalg.norm(c - usual_colour(j))) > COLOR_TOL:
                continue
            for t in (f - 1, f, f + 1):
                if not (0 <= t < T and tr.visible[j, t]):
                    continue
                d = float(np.hypot(*(tr.centers[i, f] - tr.centers[j, t])))
                if d <= ri + float(np.nan_to_num(tr.radii[j, t])) + margin:
                    return True
        return False

    def partial(i: int, f: int) -> bool:
        """Only part of the object shows at frame ``f`` (emerging from / going behind
        something): its area is well below its usual one. At a track's start or end this is
        no excuse where the object was seen in each of its 3 frames next to that end
        (:func:`steady`) and :func:`gone` holds (the frames show the object gone there, and it
        was whole against its own frames next to the end): the usual area may be another
        size's.
        Seed 14 vanish 1451064 (a 3.8 px ball, its bounce's smeared frames 46-78 px making a
        usual area of 58 px, its last frames 40-41 px: 0.69 of it) and 1451082 (a crossing
        left the track with the other ball, its usual area 1412 px from before it, 631 px
        at its end) vanished in open view, 3 frames each showing the place empty."""
        usual = usual_area(i, 3)
        if not (np.isfinite(usual) and np.isfinite(tr.areas[i, f])):
            return False
        return bool(tr.areas[i, f] < 0.72 * usual)

    firsts = {}
    lasts = {}
    for i in range(tr.n_objects):
        vis = np.flatnonzero(tr.visible[i])
        if vis.size:
            firsts[i], lasts[i] = int(vis[0]), int(vis[-1])

    def end_colour(i: int, f: int, way: int) -> np.ndarray:
        """Object ``i``'s median colour over its (up to 5) whole frames up to its end ``f``
        (``way`` -1; from its start, +1), over its seen frames where it has none there."""
        for ok in (tr.reliable(i), tr.visible[i]):
            fr = np.flatnonzero(ok)
            fr = fr[fr <= f][-5:] if way < 0 else fr[fr >= f][:5]
            if fr.size:
                return np.median(tr.colors[i, fr], axis=0)
        return tr.colors[i, f]

    def looks_alike(j: int, a: int, i: int, b: int) -> bool:
        """Track ``i`` from its start ``b`` has the look of track ``j`` up to its end ``a``: their
        colours over their whole frames there within ``LINK_COLOR`` (the tracker's own bar for
        joining two tracks across a gap, :func:`vidkit.probes.association.link_gaps`). Seed 13
        vanish 1351051: a 3.4 px green ball vanished in open view at 8 fps, and a purple ball
        that came out from behind a large one 17 frames later, where the green one's motion
        pointed, was read as the green ball picked up again (0.57 RGB apart)."""
        return bool(np.linalg.norm(end_colour(j, a, -1) - end_colour(i, b, 1)) <= LINK_COLOR)

    def continued(i: int) -> bool:
        """Track ``i`` starts where an earlier track that ended (behind something, unseen)
        predicts its object to be: the same object, picked up again under a new number; or
        an earlier track ends in its first 3 frames and ``i`` goes on from where that one's
        motion predicts (the blob split in two: :func:`split`)."""
        b = firsts[i]
        if any(
            j != i
            and lasts[j] < b
            and tr.shot_of(j) == tr.shot_of(i)  # each shot is judged alone
            and same_object(tr, j, i, lasts[j], b)
            and looks_alike(j, lasts[j], i, b)
            for j in lasts
        ):
            return True
        for j in lasts:
            if j == i or not b <= lasts[j] <= b + 2:
                continue
            before = np.flatnonzero(tr.visible[j, :b])
            if before.size and split(j, i, int(before[-1])):
                return True
        return False

    def shown(i: int, frames: range) -> np.ndarray | None:
        """What the frames themselves show of object ``i`` in ``frames`` (``Tracks.still_seen``:
        +1 there, -1 not there, 0 cannot tell); None where that was not measured."""
        if tr.still_seen.shape != tr.visible.shape or len(frames) == 0:
            return None
        return tr.still_seen[i, frames.start : frames.stop]

    def in_picture(i: int, frames: range) -> bool:
        """The frames themselves show object ``i`` where its motion puts it in ``frames`` (next
        to a track's end, or a gap), where the tracker did not see it
        (:func:`vidkit.probes.evidence.still_seen`): in 2 of them at least (each of them, when
        fewer), and in none the window without it. The tracker lost the object (at rest in the
        background model, in a crossing, in motion blur, at an occluder's fringe); an object
        that vanishes leaves the background there, one that appears was not there before."""
        v = shown(i, frames)
        return v is not None and bool((v == 1).sum() >= min(2, v.size) and not (v == -1).any())

    def whole_at_end(i: int, f: int, g: int) -> bool:
        """Object ``i`` was whole at its end ``f`` (``g`` past it): its area is >= 85% of its
        usual one or of its (up to 3) frames before ``f`` (after, at a start). One going behind
        something shrinks frame by frame; one smaller for a while (zoom, blur: vanish 51001,
        551026, 651038 at 0.82-0.84) is that size there, not partly hidden."""
        vis = np.flatnonzero(tr.visible[i])
        near = vis[vis < f][-3:] if g > f else vis[vis > f][:3]
        ref = [usual_area(i)] + ([float(np.median(tr.areas[i, near]))] if near.size else [])
        return bool(np.isfinite(tr.areas[i, f]) and tr.areas[i, f] >= WHOLE_AREA * min(ref))

    def steady(i: int, f: int, way: int) -> bool:
        """Object ``i`` was seen in each of the 3 frames before its end ``f`` (``way`` +1; after
        its start, -1): one object seen there, whose own frames can tell whether it was whole
        at ``f``. A track whose end is a speck seen now and then is not (seed 14 clean 1400129:
        a residue track's last piece, a 2.3 px speck seen at frames 21 and 23 after its part at
        frame 18, 48 px away; the two vanishes :func:`partial` had excused, 1451064 and
        1451082, were seen in each of their last 4 frames)."""
        vis = np.flatnonzero(tr.visible[i])
        run = vis[vis <= f][-4:] if way > 0 else vis[vis >= f][:4]
        return bool(run.size == 4 and run[-1] - run[0] == 3)

    def sliver(i: int, g: int) -> bool:
        """Frame ``g`` next to ``i``'s end shows part of it where its motion puts it (``PART``,
        :mod:`vidkit.probes.evidence`): going behind something or coming out (clean 500105:
        a sliver at the occluder's edge). A vanishing object goes whole; an appearing one was
        nowhere."""
        v = shown(i, range(g, g + 1))
        return v is not None and v.size == 1 and int(v[0]) == PART

    def faint(i: int, g: int) -> bool:
        """Object ``i`` did not stand out from its surroundings at its end next to frame ``g``
        (``FAINT``, :mod:`vidkit.probes.evidence`): the frames cannot show it gone (or not yet
        there), and a blob that looks like what is around it is what noise or a misfit
        background model makes (seed 8 clean 800040, 800184: specks of a jpeg'd floor band)."""
        v = shown(i, range(g, g + 1))
        return v is not None and v.size == 1 and int(v[0]) == FAINT

    def gone(i: int, f: int, g: int, frames: range) -> bool:
        """The tracker's ``merged`` flag at object ``i``'s end frame ``f`` (``g = f -+ 1`` the
        frame next to it) does not hide it: the frames themselves show the object is not where
        its motion puts it in 2+ of ``frames`` and there in none (no tracked object over the
        place, the window without its colour: :func:`vidkit.probes.evidence.still_seen`), it
        was whole at ``f`` (its area at least 85% of its usual one, the tracker's own mark of a
        partly hidden object: one going behind an occluder shrinks first) and no other tracked
        object, seen at ``f`` or ``g``, touched it at ``f`` (one whose blob it may have gone
        into: seed 0 clean 177, a ball landing on a resting one took the joint blob at ``f``).
        A ball that stops being drawn in open view leaves the background where it would be."""
        v = shown(i, frames)
        if v is None or (v == -1).sum() < 2 or (v == 1).any() or (v == PART).any():
            return False
        if not whole_at_end(i, f, g):
            return False
        ri = float(np.nan_to_num(tr.radii[i, f]))
        for j in range(tr.n_objects):
            # seen at f or, where the joint blob went to i's track at f, at g
            for t in (f, g):
                if j == i or not (0 <= t < T and tr.visible[j, t]):
                    continue
                d = float(np.hypot(*(tr.centers[i, f] - tr.centers[j, t])))
                if d <= ri + float(np.nan_to_num(tr.radii[j, t])) + margin:
                    return False
        return True

    def continues(i: int) -> bool:
        """Track ``i`` ends and a later track starts where its motion predicts, or one that
        began in its last 3 frames goes on after it where its motion predicts (:func:`split`)."""
        a = lasts[i]
        if any(
            j != i
            and firsts[j] > a
            and tr.shot_of(j) == tr.shot_of(i)  # each shot is judged alone
            and same_object(tr, i, j, a, firsts[j])
            and looks_alike(i, a, j, firsts[j])
            for j in firsts
        ):
            return True
        return any(split(i, j, a) for j in firsts if j != i and a - 2 <= firsts[j] <= a)

    def split(i: int, j: int, a: int) -> bool:
        """Track ``j``, which began at most 2 frames before track ``i``'s last frame ``a``, is
        seen after ``a`` where ``i``'s motion predicts (:func:`same_object`, from ``j``'s
        first frame after ``a``): the object's blob split in two for a frame or two (a
        bounce's smear at a low frame rate, a blurred ball at the floor) and the tracker went
        on with the other piece. Seed 9 clean 900147 (60 fps, the ball's blob at its bounce
        split at frame 6: the piece there began a track that went on with the ball from frame
        8, the first track ended at 7) and 900029 (8 fps: the smear of a bounce in two pieces
        at frame 5) "vanished"."""
        if tr.shot_of(j) != tr.shot_of(i):
            return False
        after = np.flatnonzero(tr.visible[j, a + 1 :])
        return bool(after.size and same_object(tr, i, j, a, a + 1 + int(after[0])))

    for i in range(tr.n_objects):
        vis = np.flatnonzero(tr.visible[i])
        if vis.size == 0:
            continue
        s0, s1 = tr.span(i)
        first, last = int(vis[0]), int(vis[-1])
        if (
            first > s0
            and not (near_border(i, first) and not gone(i, first, first - 1, range(s0, first)))
            and not (
                hidden(i, range(first - 1, first + 1))
                and not gone(i, first, first - 1, range(s0, first))
            )
            and not with_other(i, first, first - 1)
            and not took_other(i, first)
            and not (
                partial(i, first)
                and not (steady(i, first, -1) and gone(i, first, first - 1, range(s0, first)))
            )
            and not sliver(i, first - 1)
            and not faint(i, first - 1)
            and not continued(i)
            and not in_picture(i, range(s0, first))
        ):
            x, y = tr.centers[i, first]
            findings.append(
                Finding(
                    name,
                    f"object {i} appeared at ({x:.0f}, {y:.0f}) in frame {first}, away from the "
                    "frame border",
                    "fail",
                    i,
                    [first],
                    float(first),
                    0.0,
                )
            )
            failed.append(first)
        if (
            last < s1 - 1
            and not (near_border(i, last) and not gone(i, last, last + 1, range(last + 1, s1)))
            and not (
                hidden(i, range(last, last + 2))
                and not gone(i, last, last + 1, range(last + 1, s1))
            )
            and not with_other(i, last, last + 1)
            and not took_other(i, last)
            and not (
                partial(i, last)
                and not (steady(i, last, 1) and gone(i, last, last + 1, range(last + 1, s1)))
            )
            and not sliver(i, last + 1)
            and not faint(i, last + 1)
            and not continues(i)
            and not in_picture(i, range(last + 1, s1))
        ):
            x, y = tr.centers[i, last]
            findings.append(
                Finding(
                    name,
                    f"object {i} vanished at ({x:.0f}, {y:.0f}) after frame {last}, away from "
                    "the frame border",
                    "fail",
                    i,
                    [last + 1],
                    float(last + 1),
                    float(T - 1),
                )
            )
            failed.append(last + 1)
        gaps = np.flatnonzero(np.diff(vis) > 1)
        for g in gaps:
            a, b = int(vis[g]), int(vis[g + 1])
            missing = range(a + 1, b)
            if near_border(i, a) or near_border(i, b) or hidden(i, missing):
                continue
            if with_other(i, a, a + 1) or with_other(i, b, b - 1):
                continue  # went into another object's blob and came out of it
            if partial(i, a) or partial(i, b) or reappears_as_predicted(tr, i, a, b):
                continue  # passed behind something and came out where its motion says
            if in_picture(i, missing):
                continue  # there all along: the tracker missed it
            v = shown(i, missing)
            if v is not None and (v == FAINT).any():
                continue  # looks like the background there: the frames cannot show it gone
            x, y = tr.centers[i, a]
            findings.append(
                Finding(
                    name,
                    f"object {i} vanished at ({x:.0f}, {y:.0f}) for {frames_text(missing)} and "
                    "came back",
                    "fail",
                    i,
                    list(missing),
                    float(len(missing)),
                    0.0,
                )
            )
            failed.extend(missing)
    passed = not findings
    sentence = (
        f"all {tr.n_objects} object(s) stay in view or leave through the border"
        if passed
        else findings[0].sentence
    )
    return ProbeResult(
        name,
        passed=passed,
        scores={"events": float(len(findings)), "objects": float(tr.n_objects)},
        threshold=margin,
        failed_frames=failed,
        sentence=sentence,
        findings=findings,
    )
