"""Kinematic probes: :func:`continuity` (teleports and frozen frames) and :func:`smoothness` (jerky
motion, by the log dimensionless jerk of :func:`log_dimensionless_jerk`).

Both read the free-flight segments of :func:`~vidkit.probes.trajectory.analyze_motion`; the
thresholds are described in :mod:`vidkit.probes.trajectory`.

Example:
    >>> import vidkit as vk
    >>> scene = vk.synth.render("projectile", seed=0, violation="teleport")  # doctest: +SKIP
    >>> vk.probes.continuity(scene.video).passed                             # doctest: +SKIP
    False
"""

from __future__ import annotations

from typing import Any

import numpy as np

from vidkit.probes.evidence import background_contrast
from vidkit.probes.freeze import contacts, frozen_runs
from vidkit.probes.held import held_pictures
from vidkit.probes.result import Finding, ProbeResult
from vidkit.probes.size_colour import COLOR_TOL
from vidkit.probes.tracking import Tracks
from vidkit.probes.trajectory import (
    Motion,
    camera_at_object,
    camera_misfit,
    camera_noise,
    frames_text,
    mask_runs,
    no_objects,
    nothing_whole,
    resolve_motion,
)

__all__ = ["continuity", "smoothness", "dimensionless_jerk", "log_dimensionless_jerk"]


# --------------------------------------------------------------------------- continuity
def continuity(
    video: Any,
    *,
    fps: float | None = None,
    jump_px: float = 3.0,
    freeze_px: float = 0.75,
    motion: Motion | None = None,
) -> ProbeResult:
    """Teleports (position jumps against the predicted motion) and stutter (frozen frames).

    **Teleport**: at every joint between two free-flight segments (and across short gaps) the
    two fitted curves must meet somewhere between the two frames; a closest approach above
    ``max(jump_px, 6 sigma)`` px is a jump ("object 0 jumped 14 px between frames 11 and 12, 6x
    its usual step"), unless the object's colour on one side of the joint is off its median
    colour by more than ``size_colour.COLOR_TOL`` (0.12 RGB, conservation's colour tolerance)
    and either off its own side's frames or the two sides apart by as much
    (:func:`_same_look_across`): the tracker took another blob there; nor when the object's own
    motion over its 3 whole frames on either side, carried one frame on, gives the step
    (:func:`_carried_on`).

    **Stutter**: an object that stays put (moves less than ``max(0.1 px, 4 sigma)`` per frame, or
    than the camera maps' misfit in a stabilised shot) for
    one or more frames while the motion fitted just before and just after it is faster than
    ``lim = max(freeze_px, 6 sigma)`` px per frame and carries on in the same direction (within
    60 degrees), or that stays put for 2+ frames where the fits on both sides, carried across,
    move by more than ``2 lim`` (a held apex); or a frame that repeats the previous one exactly
    while the other frame pairs change. Frames where the object is partly hidden (not
    ``reliable``) count too when the still run lasts 2+ steps and the visible area stays within
    5% (or 3 times its measured noise) over it: a moving, partly hidden object changes its
    visible area and centroid, a frozen one changes neither; such a run right before the object
    goes out of sight (or right after it comes into view) is judged on the motion on its other
    side alone. An object whose positions span no more than its radius (an occluder, a resting
    ball) has no motion to freeze, and the fits stop at a contact (a bounce: physics carries no
    motion across one; :func:`~vidkit.probes.freeze.frozen_runs`). An exact repeat of frames
    that carry sensor noise is a frozen frame even while no object is in view. **Held
    pictures**: in a shot whose camera was compensated, 2 to 8 consecutive pairs of frames with
    no camera motion and no change beyond sensor noise, between pairs where the camera moves,
    are a stutter whatever the objects do (:func:`~vidkit.probes.held.held_pictures`: the whole
    frame holds, the camera's motion with it).

    Example:
        >>> scene = vk.synth.render("projectile", seed=1, violation="teleport")  # doctest: +SKIP
        >>> vk.probes.continuity(scene.video).passed  # doctest: +SKIP
        False
    """
    name = "continuity"
    if jump_px <= 0 or freeze_px <= 0:
        raise ValueError(f"jump_px and freeze_px must be positive, got {jump_px}, {freeze_px}")
    m = resolve_motion(video, fps, motion)
    empty = no_objects(name, m)
    if empty is not None:
        return empty
    tr = m.tracks
    findings: list[Finding] = []
    failed: list[int] = []
    worst_jump = 0.0
    held = held_pictures(tr, freeze_px)
    frozen: set[int] = set()  # frames of the objects' freezes
    for i in range(tr.n_objects):
        vis = np.flatnonzero(tr.visible[i])
        steps = np.hypot(*np.diff(tr.centers[i, vis], axis=0).T) / np.maximum(np.diff(vis), 1)
        usual = float(np.median(steps)) if steps.size else 0.0
        lim = max(jump_px * tr.pixel_scale, 6 * m.sigma[i])
        # the error of one position: the centroid's noise and the camera's error in the shot
        noise = float(np.hypot(m.sigma[i], camera_misfit(tr, i)))
        col = np.nanmedian(tr.colors[i, vis], axis=0) if vis.size else np.zeros(3)
        for ev in m.events[i]:
            worst_jump = max(worst_jump, ev.jump)
            a, b = ev.frame_before, ev.frame_after
            if b - a > 2:
                continue  # unseen for a while (behind something): anything may have happened
            off = max(float(np.linalg.norm(tr.colors[i, f] - col)) for f in (a, b))
            if off > COLOR_TOL and not _same_look_across(tr, i, a, b):
                # one side of the joint is another blob (the tracker took a patch of another
                # colour for a frame or two): an identity slip, not the object jumping
                continue
            step = float(np.hypot(*(tr.centers[i, b] - tr.centers[i, a])))
            # a teleport is a step well beyond the usual one around it (a fast bounce between
            # two coarse fits is not): the median step of the 4 frames on each side
            near = (vis >= a - 4) & (vis <= b + 4)
            loc = vis[near]
            ls = np.hypot(*np.diff(tr.centers[i, loc], axis=0).T) / np.maximum(np.diff(loc), 1)
            ls = ls[~((loc[:-1] == a) & (loc[1:] == b))]
            usual_here = max(float(np.median(ls)) if ls.size else usual, usual) * (b - a)
            # and farther than the object's own size: a teleport puts it somewhere else, while a
            # coarse fit of a small bounce at a low frame rate misses by less than a radius
            r_i = float(np.nanmedian(tr.radii[i, vis])) if vis.size else 0.0
            beyond = max(lim, r_i)
            if (
                ev.jump > lim
                and step > 1.5 * usual_here
                and step - usual_here > beyond
                and not _carried_on(tr, i, a, b, lim, noise)
            ):
                times = f", {step / usual:.0f}x its usual step" if usual > 0.05 else ""
                between = f"between frames {a} and {b}"
                findings.append(
                    Finding(
                        name,
                        f"object {i} jumped {step:.0f} px {between}{times}",
                        "fail",
                        i,
                        [a, b],
                        ev.jump,
                        lim,
                    )
                )
                failed.extend([a, b])
        # a jump that no joint judged, between two frames where the object is seen
        # what gravity adds to a step in one frame (px): the object's free-flight pieces' g
        flight = [abs(sg.g) for sg in m.segments[i] if not sg.supported and np.isfinite(sg.g)]
        g_step = float(np.median(flight)) / tr.fps**2 if flight else 0.0
        g_step = max(g_step, _fall_per_step(tr, i))
        for a, b, step, usual_here in _seen_jumps(tr, i, col, lim + g_step, usual, g_step):
            if any(f.object == i and f.frames[0] <= a and b <= f.frames[-1] for f in findings):
                continue  # within a jump a joint found
            if any(ha <= a <= hb for ha, hb, _ in held):
                continue  # out of held pictures: the time they held, caught up (their stutter)
            if _carried_on(tr, i, a, b, lim + g_step, noise):
                continue
            times = f", {step / usual:.0f}x its usual step" if usual > 0.05 else ""
            findings.append(
                Finding(
                    name,
                    f"object {i} jumped {step:.0f} px between frames {a} and {b}{times}",
                    "fail",
                    i,
                    [a, b],
                    step - usual_here,
                    lim,
                )
            )
            failed.extend([a, b])
        # frozen runs: the object stops dead while the motion on both sides says it moves
        lim_f = max(freeze_px * tr.pixel_scale, 6 * m.sigma[i])
        for a, b, why in frozen_runs(
            tr, i, m.sigma[i], lim_f, contacts(tr, i, m.events[i], m.sigma[i]), _fall(m, i)
        ):
            still = float(np.hypot(*(tr.centers[i, b] - tr.centers[i, a])))
            findings.append(
                Finding(
                    name,
                    f"object {i} froze in frames {a}-{b} (moved {still:.2f} px) {why} (stutter)",
                    "fail",
                    i,
                    range(a, b + 1),
                    still,
                    lim_f,
                )
            )
            failed.extend(range(a, b + 1))
            frozen.update(range(a, b + 1))
    # the whole picture held (up to sensor noise) while the camera moves on both sides
    for a, b, why in held:
        if set(range(a, b + 1)) & frozen:
            continue  # already found on the objects' tracks
        findings.append(
            Finding(
                name,
                f"frames {a}-{b} show one picture (up to sensor noise) {why} (stutter)",
                "fail",
                None,
                range(a, b + 1),
                0.0,
                freeze_px,
            )
        )
        failed.extend(range(a, b + 1))
    # frames that repeat the previous one exactly (noise-free videos) while objects move
    fd = tr.frame_diff
    # frames that carry sensor noise above the 8-bit step never repeat exactly: two exposures
    # of one still scene differ in their noise (seed 6 stutter 657038: two frames repeated,
    # noise included, while the ball was behind the occluder)
    noisy = float(tr.noise) >= 1.0 / 255.0
    if tr.n_objects > 0 and np.count_nonzero(fd > 0) >= fd.size // 2:
        for t in np.flatnonzero(fd == 0):
            t = int(t)
            if any(t in f.frames and t + 1 in f.frames for f in findings):
                continue
            seen = bool(np.any(tr.visible[:, t] & tr.visible[:, t + 1]))
            if not seen and not _camera_moves(tr, t) and not noisy:
                # nothing in view to move (the objects have left the frame) in a noise-free
                # video; with a camera that moves (compensated) the whole picture moves, and a
                # noisy frame holds its noise, so an exact repeat is a freeze even while the
                # objects are out of sight (behind an occluder)
                continue
            findings.append(
                Finding(
                    name,
                    f"frame {t + 1} repeats frame {t} exactly while the rest of the video moves "
                    "(a frozen frame)"
                    if seen or not noisy
                    else f"frame {t + 1} repeats frame {t} exactly, its sensor noise included, "
                    "while the other frames differ (a frozen frame)",
                    "fail",
                    None,
                    [t, t + 1],
                    0.0,
                    0.0,
                )
            )
            failed.extend([t, t + 1])
    if not findings and not any(tr.reliable(i).sum() >= 4 for i in range(tr.n_objects)):
        return nothing_whole(name, 4)
    passed = not findings
    sentence = (
        f"motion is continuous (largest mismatch at a joint {worst_jump:.1f} px)"
        if passed
        else findings[0].sentence
    )
    return ProbeResult(
        name,
        passed=passed,
        scores={"max_jump_px": worst_jump, "events": float(len(findings))},
        threshold={"jump_px": jump_px, "freeze_px": freeze_px},
        failed_frames=failed,
        sentence=sentence,
        findings=findings,
    )


def _same_look_across(tr: Tracks, i: int, a: int, b: int, n: int = 3) -> bool:
    """Whether object ``i`` looks the same on both sides of the step from frame ``a`` to ``b``:
    the colour at ``a`` within ``COLOR_TOL`` of its (up to ``n``) seen frames before it, the
    colour at ``b`` of its frames after it, and the two sides' median colours of each other.
    A patch of another blob taken for a frame or two is off its own side's frames; another
    object taken for good is off the other side's. An object whose colour drifts (lighting, the
    background it is blurred into) may be off its clip-long median while each side holds its
    own colour: seed 13 teleport 1350064, a 5.6 px ball under a pan, 0.122 RGB off its median
    at the frame before a 21 px jump (0.15 at other whole frames), 0.09 and 0.04 off its own
    sides' frames, the sides 0.08 apart.
    """
    vis = np.flatnonzero(tr.visible[i])
    before, after = vis[vis < a][-n:], vis[vis > b][:n]
    if before.size == 0 or after.size == 0:
        return False
    c_a = np.median(tr.colors[i, before], axis=0)
    c_b = np.median(tr.colors[i, after], axis=0)
    sides = (
        np.median(tr.colors[i, np.r_[before, a]], axis=0),
        np.median(tr.colors[i, np.r_[b, after]], axis=0),
    )
    return bool(
        np.linalg.norm(tr.colors[i, a] - c_a) <= COLOR_TOL
        and np.linalg.norm(tr.colors[i, b] - c_b) <= COLOR_TOL
        and np.linalg.norm(sides[0] - sides[1]) <= COLOR_TOL
    )


def _seen_jumps(
    tr: Tracks, i: int, col: np.ndarray, lim: float, usual: float, g_step: float = 0.0
) -> list[tuple[int, int, float, float]]:
    """Jumps of object ``i`` between two frames where it is seen, that no joint judged.

    The teleport test above reads the joints between fitted segments, and a segment needs two
    frames where the object is whole: a jump out of a single whole frame (the first one after
    the object came out from behind another: seed 1 teleport 150022, a 38 px jump from the first
    whole frame after a crossing) or out of frames where it was seen touching something or the
    frame's border (seed 0 teleport 50016, a 52 px jump out of a bounce on the floor, read as
    6 frames unseen) has no joint. Here every pair of frames ``a < b`` at most 2 apart where
    the object is seen (with no frame between them where it is seen), one of the two whole
    (:meth:`Tracks.reliable`), is a jump when its step exceeds 1.5 times the usual step
    around it (the largest of the seen steps just before and just after it, the median step
    within 4 frames on each side and the object's median step, per frame, times ``b - a``: an
    object falling at a low frame rate doubles its step in a few frames, and the neighbouring
    step carries that; seed 0 clean 191, a 25 px step of a fall, 7x the median around it, 1.4x
    the step before; both neighbouring steps must be seen: beyond a bounce the step may drop to
    half, seed 3 clean 300102, the clip's first step 31 px, the next 16 px) and exceeds it by
    more than ``max(lim, 2 r)``: the centroid of a part of the object (partly hidden, at the
    border, or cut out of a blob it shares) lies within its radius ``r`` of its centre, so a
    partly seen frame moves a step by less than ``r``, and twice that is a margin; between two
    whole frames no such error enters, and the margin is ``WHOLE_MARGIN`` radii. A frame where
    the object shares a blob with another (``merged``) but the tracker cut out a part of its
    own colour and whole size (:func:`_seen_as_itself`) counts as seen, on either side of the
    jump and for the pair itself, with the margin of a partly seen frame. Both frames
    must show the object's colour (within ``COLOR_TOL`` of its median): a blob of another
    colour is another object, and a blob it shares with another object mixes their colours;
    nor may either be larger than 1.5 times the object's median radius where it is whole
    (2.25 times its area: another blob, or the object merged with one; seed 1 clean 100023, a
    2.5 px speck's track taking an 8 px ball). ``lim`` and the ``2 r`` margin both take
    ``g_step`` on top: what gravity adds to a step in one frame (the object's free-flight ``g``
    over ``fps^2``; seed 2 clean 200184, a ball falling at 21000 px/s^2 and 48 fps, 15.7 then
    24.9 px, then a bounce). The object must be seen whole on each side,
    within 6 frames of the jump and with no gap of more than 2 frames (seed 0 clean 150: a
    speck's track continued by a blob at the frame's left border, never whole there, 104 px
    away). And the jump lasts: the frames before ``a`` and
    after ``b`` are at least half the jump from ``b`` and ``a`` (a speck taken for the object
    for one frame goes and comes back). And the track must be an object at all: its colour
    stands out from the background model under it (:func:`_stands_out`). Returns ``(a, b,
    step, usual step)`` per jump.
    """
    vis = np.flatnonzero(tr.visible[i])
    if vis.size < 3 or not _stands_out(tr, i):
        return []
    whole = tr.reliable(i)
    c = tr.centers[i, vis]
    steps = np.hypot(*np.diff(c, axis=0).T) / np.maximum(np.diff(vis), 1)
    r_i = float(np.nanmedian(tr.radii[i, vis]))
    r_whole = float(np.nanmedian(tr.radii[i, whole])) if whole.any() else r_i
    off = np.linalg.norm(tr.colors[i, vis] - col, axis=1)
    ok = whole | _seen_as_itself(tr, i, col, r_whole)
    out = []
    for k in range(vis.size - 1):
        a, b = int(vis[k]), int(vis[k + 1])
        if b - a > 2 or not (ok[a] or ok[b]) or not np.isfinite(steps[k]):
            continue
        step = float(steps[k]) * (b - a)
        if step <= 2 * r_i or max(off[k], off[k + 1]) > COLOR_TOL:
            continue
        if max(float(tr.radii[i, a]), float(tr.radii[i, b])) > 1.5 * r_whole:
            continue  # a blob larger than the object: another one, or the object merged with it
        if not (_whole_near(vis, ok, k, -1) and _whole_near(vis, ok, k + 1, 1)):
            continue  # one side never seen whole: not shown to be the same object
        # the motion on each side: the steps just before and just after (an object falling at
        # a low frame rate doubles its step in a few frames, and the larger neighbour carries
        # that), and the median step within 4 frames on each side
        near = (vis[:-1] >= a - 4) & (vis[1:] <= b + 4)
        near[k] = False
        around = steps[near]
        around = around[np.isfinite(around)]
        side = [
            steps[j] for j in (k - 1, k + 1) if 0 <= j < steps.size and vis[j + 1] - vis[j] <= 2
        ]
        if len(side) < 2 or not np.all(np.isfinite(side)):
            continue  # the motion on one side unknown: a bounce there cannot be told from a jump
        usual_here = max(float(np.median(around)) if around.size else usual, usual, *side)
        usual_here *= b - a
        margin = (WHOLE_MARGIN if whole[a] and whole[b] else 2.0) * r_i
        if not (step > 1.5 * usual_here and step - usual_here > max(lim, margin + g_step)):
            continue
        # the object stays where it jumped to: the frame after ``b`` is at least half the jump
        # from ``a``, and the frame before ``a`` from ``b`` (a blob of the background taken
        # for one frame goes and comes back: seed 2 teleport 250016, a 3 px speck of a checker
        # floor 87 px away for one frame, then back where it was)
        far = min(float(np.hypot(*(c[k + 2] - c[k]))), float(np.hypot(*(c[k + 1] - c[k - 1]))))
        if far > 0.5 * step:
            out.append((a, b, step, usual_here))
    return out


def _stands_out(tr: Tracks, i: int) -> bool:
    """Whether track ``i``'s colour stands out from the background model under it: the median
    over its seen frames of :func:`~vidkit.probes.evidence.background_contrast` exceeds
    ``COLOR_TOL`` (0.12 RGB, conservation's bar of one colour). A track the association carried
    from speck to speck along a jpeg'd edge is of the background's colour there and hops tens of
    pixels a frame (seed 13 clean 1300055: 2 px specks along a floor's edge at 8 fps, medians
    0.02-0.10 over its 6 speck tracks, one read as "jumped 116 px, 2x its usual step"); the
    jumping balls of 37 teleports of seed 13 stand out by 0.26-0.87 (medians over their frames).
    Not judged (True) in a video of several shots: its background model is one shot's."""
    if len(tr.shots) > 1:
        return True
    d = background_contrast(tr.background, tr.centers[i], tr.radii[i], tr.colors[i], tr.visible[i])
    d = d[np.isfinite(d)]
    return not d.size or float(np.median(d)) > COLOR_TOL


#: the margin (in radii) a jump between two frames where the object is whole must clear beyond
#: the usual step: no part-frame centroid error enters (twice the radius where one frame may be
#: partial); seed 12 teleport 1250064, a toss at 8 fps: 19 px between two whole frames against
#: a usual step of 7.7 px, short of that plus a diameter (12.5 px with gravity's step), the truth
#: a 23 px jump
WHOLE_MARGIN = 1.0
#: a merged frame counts as the object seen as itself where its radius is within this share of
#: its whole radius (and its colour its own): the tracker cut it out of a joint blob by colour.
#: Seed 12 teleports 1250048 and 1250062 (crossings, radius 12.2-13.1 and 9.0-9.4 against 12.9
#: and 9.8 whole) and 1250039 (8.7-9.9 against 10.0) jumped 54, 35 and 33 px out of such frames
#: and no jump was judged: no whole frame within 6 on that side
SELF_RADIUS = 0.15


def _seen_as_itself(tr: Tracks, i: int, col: np.ndarray, r_whole: float) -> np.ndarray:
    """Frames where object ``i`` shares a blob with another (``merged``) but the tracker cut
    out a part of its own colour (within ``COLOR_TOL`` of ``col``) and whole size (radius
    within ``SELF_RADIUS`` of ``r_whole``), away from the border."""
    r = tr.radii[i]
    off = np.linalg.norm(tr.colors[i] - col, axis=1)
    with np.errstate(invalid="ignore"):
        return (
            tr.visible[i]
            & tr.merged[i]
            & ~tr.at_border[i]
            & (off <= COLOR_TOL)
            & (np.abs(r / max(r_whole, 1e-6) - 1.0) <= SELF_RADIUS)
        )


def _fall(m: Motion, i: int) -> np.ndarray:
    """Per frame, the vertical acceleration (px per frame^2, down) object ``i`` falls with there:
    the median ``g`` of its free-flight pieces of 5+ frames with a fitted acceleration, in the
    frames of its free-flight pieces; 0 elsewhere (on a floor, between pieces) or where that
    median is not a fall.

    Example:
        >>> _fall(motion, 0)[:3]  # doctest: +SKIP
        array([0.87, 0.87, 0.87])
    """
    tr = m.tracks
    out = np.zeros(tr.num_frames)
    free = [s for s in m.segments[i] if not s.supported]
    gs = [s.g for s in free if s.n >= 5 and not s.fixed_acc and np.isfinite(s.g)]
    g = float(np.median(gs)) / tr.fps**2 if gs else 0.0
    if g > 0:
        for s in free:
            out[s.frames] = g
    return out


def _fall_per_step(tr: Tracks, i: int) -> float:
    """What gravity adds to object ``i``'s step in one frame (px), read on its positions: the
    median second difference of its vertical position (down the frame) over the runs of 3
    consecutive frames where it is seen (5 or more of them), 0 when that is negative.

    The pieces' fitted ``g`` is none where the shot's gravity was not measured (pieces of 2-4
    frames are fitted with it fixed, at 0 when unknown): a ball bouncing at 12 fps (seed 11 clean
    1100055, truth 8.3 px a frame per frame, bounces 6 frames apart) had every piece at g = 0,
    and its falls, 1.6, 9.2 then 17.4 px a step, read as "jumped 17 px, 2x its usual step".
    Its seen positions' second differences read 8.3 px (median over the shot's 17 triples):
    a bounce turns the vertical motion up (a negative second difference), which the median
    passes by; a glide or a roll reads its noise (0.1-0.3 px).

    Example:
        >>> _fall_per_step(motion.tracks, 0)  # doctest: +SKIP
        8.3
    """
    vis = tr.visible[i]
    y = tr.centers[i, :, 1]
    run3 = vis[:-2] & vis[1:-1] & vis[2:]
    if int(run3.sum()) < 5:
        return 0.0
    d2 = (y[2:] - 2 * y[1:-1] + y[:-2])[run3]
    d2 = d2[np.isfinite(d2)]
    return max(float(np.median(d2)), 0.0) if d2.size >= 5 else 0.0


def _carried_on(tr: Tracks, i: int, a: int, b: int, lim: float, noise: float) -> bool:
    """Whether object ``i``'s step from frame ``a`` to ``b = a + 1`` is its own motion carried on:
    the quadratic through its positions in the 3 frames ending at ``a`` (or starting at ``b``),
    where it is seen whole, carried one frame on, meets it at ``b`` (at ``a``) within
    ``max(lim, 3 sqrt(19) noise)``: ``p0 - 3 p1 + 3 p2`` carries a quadratic one frame on with
    a standard error of ``sqrt(19)`` times the position noise ``noise`` (the centroid's noise
    and the camera's error in the shot) per axis.

    The joints are judged on fitted pieces whose acceleration was fixed to the shot's gravity
    where they have 2-4 frames; where that gravity was misread, a ball that falls from the top
    of a hop at a low frame rate leaves its piece at a step the fixed gravity does not give
    (seed 3 clean 300090, a shake at 10 fps: an 11 px step right after the top of a 6 px hop,
    "9x its usual step", with the shot's gravity read as -13 px/s^2; the 3 frames before it
    accelerate at 770 px/s^2 and carry it to within 1.3 px). A teleport goes where no motion
    of the object leads.
    """
    if b - a != 1:
        return False
    p, ok = tr.centers[i], tr.reliable(i)
    tol = max(lim, 3 * np.sqrt(19.0) * noise)
    for f, at in (((a - 2, a - 1, a), b), ((b + 2, b + 1, b), a)):
        if min(f) < 0 or max(f) >= tr.num_frames or not all(ok[k] for k in f):
            continue
        pred = p[f[0]] - 3 * p[f[1]] + 3 * p[f[2]]
        local = _against_background(tr, i, (*f, at), lim, noise)
        if local is not None:
            q, tol_here = local
            if float(np.hypot(*(q[3] - (q[0] - 3 * q[1] + 3 * q[2])))) <= tol_here:
                return True
            continue
        if float(np.hypot(*(p[at] - pred))) <= tol:
            return True
    return False


def _against_background(
    tr: Tracks, i: int, frames: tuple[int, ...], lim: float, noise: float
) -> tuple[np.ndarray, float] | None:
    """Object ``i``'s positions in the 4 ``frames`` of :func:`_carried_on` (``p0, p1, p2`` and
    the frame they are carried to) with the camera's error taken out frame by frame where the
    background around the object measured it, and the tolerance ``max(lim, 3 s)`` of the
    carried step; None in a shot without camera error (:func:`camera_misfit` 0), in a
    stabilised shot, or where no such measurement is at hand.

    In a shot left uncompensated, ``c`` is :func:`~vidkit.probes.trajectory.shot_jitter`, the
    background's RMS offset from its median over the shot, and the camera's error enters
    ``p0 - 3 p1 + 3 p2 - p3`` frame by frame, not as that figure: a slow pan left uncompensated (too little texture for the corners)
    puts the background 2 px from its median on average (seed 7 teleport 750046: a 24 px jump
    excused as the ball's own motion, carried within ``3 sqrt(19)`` times that 2 px), while the
    pan's third difference over 4 frames is nil. As in
    :func:`~vidkit.probes.trajectory.camera_acc_se`, each frame's error is the background's
    shift around the object (``Tracks.cam_shift``, standard error ``e_t``) where that is more
    precise than ``c`` (taken out of the position, ``e_t`` left), else ``c``:
    ``s^2 = 19 sigma^2 + err_0^2 + 9 err_1^2 + 9 err_2^2 + err_3^2`` per axis (``sigma``: the
    centroid's own noise, the part of ``noise`` that is not the camera's).
    """
    c = camera_misfit(tr, i)
    if c <= 0 or camera_noise(tr, i) > 0:
        return None  # a stabilised shot's ``c`` is the maps' misfit per frame already
    idx = list(frames)
    at = camera_at_object(tr, i, idx, c)
    if at is None:
        return None
    d, e, measured = at
    use = measured.all(axis=1)
    if not use.any():
        return None
    err = np.where(use[:, None], e, c)
    q = tr.centers[i, idx] - np.where(use[:, None], d, 0.0)
    sigma2 = max(noise**2 - c**2, 0.0)
    w = np.array([1.0, 9.0, 9.0, 1.0])
    var = 19.0 * sigma2 + float(np.max(w @ err**2))
    return q, max(lim, 3.0 * float(np.sqrt(var)))


def _whole_near(vis: np.ndarray, ok: np.ndarray, k: int, way: int) -> bool:
    """Whether the object is whole (``ok``) in one of the seen frames ``vis[k]``, ``vis[k +
    way]``, ... that follow one another (at most 2 frames apart) within 6 frames of ``vis[k]``."""
    j = k
    while 0 <= j < vis.size and abs(int(vis[j]) - int(vis[k])) <= 6:
        if ok[vis[j]]:
            return True
        nxt = j + way
        if not 0 <= nxt < vis.size or abs(int(vis[nxt]) - int(vis[j])) > 2:
            return False
        j = nxt
    return False


def _camera_moves(tr: Tracks, t: int) -> bool:
    """Whether the camera of the shot that holds frames ``t`` and ``t + 1`` was compensated."""
    shots = tr.shots or [(0, tr.num_frames)]
    k = next((k for k, (a, b) in enumerate(shots) if a <= t and t + 1 < b), -1)
    return bool(getattr(tr.shot_camera(k), "moving", False))


# --------------------------------------------------------------------------- smoothness
def _jerk_beyond_noise(speed: np.ndarray, sigma: float, fps: float, factor: float = 4.0) -> bool:
    """Whether a speed profile (px/s, one sample per frame) jerks more than white position noise
    of ``sigma`` px explains: mean squared second difference above ``factor`` times
    ``2.5 sigma^2 fps^2`` (see :func:`smoothness`)."""
    d2 = np.diff(np.asarray(speed, float), 2)
    if d2.size == 0:
        return False
    expected = 2.5 * (sigma * fps) ** 2
    return bool(np.mean(d2**2) > factor * expected)


def dimensionless_jerk(movement: Any, fs: float) -> float:
    """Dimensionless jerk of a speed profile (Hogan & Sternad; siva82kb/smoothness definition).

    ``DJ = -(T^3 / v_peak^2) * sum((d^2 v / dt^2)^2) * dt`` with ``T = len(movement) / fs``,
    second differences for ``d^2 v / dt^2`` and ``v_peak = max |v|``.

    Example:
        >>> import numpy as np
        >>> t = np.arange(-1, 1, 0.01)
        >>> round(dimensionless_jerk(np.exp(-5 * t**2), fs=100.0), 5)
        -335.74684
    """
    v = np.asarray(movement, dtype=np.float64).reshape(-1)
    if v.size < 3:
        raise ValueError(f"a speed profile needs at least 3 samples, got {v.size}")
    if not np.isfinite(fs) or fs <= 0:
        raise ValueError(f"fs must be a positive sampling rate, got {fs!r}")
    peak = float(np.max(np.abs(v)))
    if peak == 0:
        raise ValueError("the speed profile is all zeros: dimensionless jerk is undefined")
    dt = 1.0 / fs
    dur = v.size * dt
    jerk = np.diff(v, 2) / dt**2
    return float(-(dur**3 / peak**2) * np.sum(jerk**2) * dt)


def log_dimensionless_jerk(movement: Any, fs: float) -> float:
    """Log dimensionless jerk, ``LDLJ = -ln |DJ|`` (higher is smoother).

    Example:
        >>> import numpy as np
        >>> t = np.arange(-1, 1, 0.01)
        >>> round(log_dimensionless_jerk(np.exp(-5 * t**2), fs=100.0), 5)
        -5.81636
    """
    dj = dimensionless_jerk(movement, fs)
    return float(-np.log(abs(dj))) if dj != 0 else float("inf")


def smoothness(
    video: Any,
    *,
    fps: float | None = None,
    min_ldlj: float = -12.0,
    motion: Motion | None = None,
) -> ProbeResult:
    """Log dimensionless jerk (LDLJ) of each object's speed profile.

    The speed ``|p'(t)|`` (central differences of the tracked centre) of every run of 6+ reliable
    frames between joints is scored with :func:`log_dimensionless_jerk`; a run fails below
    ``min_ldlj`` when its jerk is more than its position noise explains (mean squared second
    difference of the speed above ``4 x 2.5 sigma^2`` per frame: the speed's second difference is
    the mean of two consecutive third differences of the position, whose variance is
    ``2.5 sigma^2`` for white noise of ``sigma`` px, the noise the trajectory fits measure from
    those third differences). Without that gate the LDLJ of a long, slow, noisy but uniform
    motion falls with the run's length (``DJ ~ N^4 (sigma / v)^2``): a 60-frame glide on a
    compensated zooming camera read -12.2. The score is the lowest LDLJ. Joints (bounces) are excluded: they are
    physical velocity jumps, judged by the bounce probe.

    Example:
        >>> vk.probes.smoothness(scene.video).scores["ldlj"]  # doctest: +SKIP
        -4.1
    """
    name = "smoothness"
    m = resolve_motion(video, fps, motion)
    empty = no_objects(name, m)
    if empty is not None:
        return empty
    tr = m.tracks
    findings: list[Finding] = []
    failed: list[int] = []
    values: list[float] = []
    for i in range(tr.n_objects):
        # continuous runs of reliable frames, cut at the joints between segments
        # a piece at rest on a floor has a speed of noise: no jerk to score
        pieces = [s.frames for s in m.segments[i] if not s.supported]
        if m.pendulum[i] is not None:
            pieces = mask_runs(tr.reliable(i))
        for fr in pieces:
            if fr.size < 6 or np.any(np.diff(fr) != 1):
                continue
            p = tr.centers[i, fr]
            v = np.hypot(*np.gradient(p, axis=0).T) * tr.fps
            if np.max(v) < 1e-6:
                continue
            ldlj = log_dimensionless_jerk(v, tr.fps)
            values.append(ldlj)
            if ldlj < min_ldlj and _jerk_beyond_noise(v, float(m.sigma[i]), tr.fps):
                findings.append(
                    Finding(
                        name,
                        f"object {i} moves jerkily in {frames_text(fr)} (LDLJ {ldlj:.1f} < "
                        f"{min_ldlj:g})",
                        "fail",
                        i,
                        fr,
                        ldlj,
                        min_ldlj,
                    )
                )
                failed.extend(fr.tolist())
    if not values:
        return ProbeResult(
            name,
            passed=None,
            sentence="no run of 6+ frames of motion to score",
            findings=[Finding(name, "no trajectory long enough for LDLJ", "info")],
        )
    worst = float(np.min(values))
    passed = not findings
    return ProbeResult(
        name,
        passed=passed,
        scores={"ldlj": worst, "mean_ldlj": float(np.mean(values))},
        threshold=min_ldlj,
        failed_frames=failed,
        sentence=(
            f"trajectories are smooth (lowest LDLJ {worst:.1f}, threshold {min_ldlj:g})"
            if passed
            else findings[0].sentence
        ),
        findings=findings,
    )
