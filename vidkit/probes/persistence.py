"""Object-persistence probes: :func:`permanence` (objects vanishing or appearing away from the frame
border) and :func:`conservation` (objects changing size or colour).

Both read the tracks of :func:`~vidkit.probes.trajectory.analyze_motion`; the thresholds are
described in :mod:`vidkit.probes.trajectory`.

Example:
    >>> import vidkit as vk
    >>> scene = vk.synth.render("projectile", seed=0, violation="vanish")  # doctest: +SKIP
    >>> vk.probes.permanence(scene.video).passed                           # doctest: +SKIP
    False
"""

from __future__ import annotations

from typing import Any

import numpy as np

from vidkit.probes.result import Finding, ProbeResult
from vidkit.probes.tracking import Tracks
from vidkit.probes.trajectory import (
    Motion,
    frames_text,
    no_objects,
    nothing_whole,
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
    hidden by another object (its predicted position lies in another object's blob), or a track
    that ended earlier predicts the new one (same size within a factor 2, where its motion puts
    it: the object went behind something and was picked up again under a new number).

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

    def partial(i: int, f: int) -> bool:
        """Only part of the object shows at frame ``f`` (emerging from / going behind
        something): its area is well below its usual one."""
        ok = tr.reliable(i)
        if ok.sum() < 3:
            ok = tr.visible[i]  # seen whole too rarely: its usual area over every frame
        if ok.sum() < 3 or not np.isfinite(tr.areas[i, f]):
            return False
        return bool(tr.areas[i, f] < 0.72 * np.median(tr.areas[i, ok]))

    firsts = {}
    lasts = {}
    for i in range(tr.n_objects):
        vis = np.flatnonzero(tr.visible[i])
        if vis.size:
            firsts[i], lasts[i] = int(vis[0]), int(vis[-1])

    def continued(i: int) -> bool:
        """Track ``i`` starts where an earlier track that ended (behind something, unseen)
        predicts its object to be: the same object, picked up again under a new number."""
        b = firsts[i]
        return any(
            j != i
            and lasts[j] < b
            and tr.shot_of(j) == tr.shot_of(i)  # each shot is judged alone
            and _same_object(tr, j, i, lasts[j], b)
            for j in lasts
        )

    def continues(i: int) -> bool:
        """Track ``i`` ends and a later track starts where its motion predicts."""
        a = lasts[i]
        return any(
            j != i
            and firsts[j] > a
            and tr.shot_of(j) == tr.shot_of(i)  # each shot is judged alone
            and _same_object(tr, i, j, a, firsts[j])
            for j in firsts
        )

    for i in range(tr.n_objects):
        vis = np.flatnonzero(tr.visible[i])
        if vis.size == 0:
            continue
        s0, s1 = tr.span(i)
        first, last = int(vis[0]), int(vis[-1])
        if (
            first > s0
            and not near_border(i, first)
            and not hidden(i, range(first - 1, first + 1))
            and not partial(i, first)
            and not continued(i)
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
            and not near_border(i, last)
            and not hidden(i, range(last, last + 2))
            and not partial(i, last)
            and not continues(i)
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
            if partial(i, a) or partial(i, b) or _reappears_as_predicted(tr, i, a, b):
                continue  # passed behind something and came out where its motion says
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


def _same_object(tr: Tracks, i: int, j: int, a: int, b: int) -> bool:
    """Whether track ``j``, first seen at frame ``b``, continues track ``i``, last seen at frame
    ``a < b``: of a similar size (radius within a factor 2) and where ``i``'s motion predicts."""
    oki, okj = tr.reliable(i), tr.reliable(j)  # whole, not merged with another object
    ri = tr.radii[i, : a + 1][oki[: a + 1]]
    rj = tr.radii[j, b:][okj[b:]]
    ri, rj = ri[np.isfinite(ri)], rj[np.isfinite(rj)]
    if ri.size == 0 or rj.size == 0:
        return False
    q = float(np.median(rj[:5])) / max(float(np.median(ri[-5:])), 1e-6)
    if not 0.5 <= q <= 2.0:
        return False
    pos = tr.centers[i].copy()
    pos[b] = tr.centers[j, b]
    vis = oki.copy()  # fit the motion on frames where it was seen whole, not merged
    vis[b] = True
    return _reappears_as_predicted(tr, i, a, b, centers=pos, visible=vis)


def _reappears_as_predicted(
    tr: Tracks,
    i: int,
    a: int,
    b: int,
    *,
    centers: np.ndarray | None = None,
    visible: np.ndarray | None = None,
) -> bool:
    """Whether object ``i``, unseen between frames ``a`` and ``b``, comes back at ``b`` where
    its motion before ``a`` predicts (within two radii and 3 px, growing with the gap)."""
    centers = tr.centers[i] if centers is None else centers
    visible = tr.visible[i] if visible is None else visible
    fr = np.flatnonzero(visible[: a + 1])[-6:]
    if fr.size < 2:
        return False
    p = centers[fr]
    deg = 2 if fr.size >= 5 else 1
    pred = np.array([np.polyval(np.polyfit(fr - a, p[:, k], deg), b - a) for k in range(2)])
    step = float(np.hypot(*(p[-1] - p[-2]))) / max(int(fr[-1] - fr[-2]), 1)
    r = float(np.nanmedian(tr.radii[i])) if np.isfinite(tr.radii[i]).any() else 0.0
    gate = 2 * r + 3 * tr.pixel_scale + 0.3 * (step + tr.pixel_scale) * (b - a)
    if np.hypot(*(centers[b] - pred)) <= gate:
        return True
    # a short gap: within reach of where it was last seen (it may have bounced unseen)
    steps = np.hypot(*np.diff(p, axis=0).T) / np.maximum(np.diff(fr), 1)
    reach = 2 * r + 3 * tr.pixel_scale + 1.5 * (float(steps.max()) + tr.pixel_scale) * (b - a)
    return bool(b - a <= 5 and np.hypot(*(centers[b] - p[-1])) <= reach)


# --------------------------------------------------------------------------- conservation
def _change_runs(bad: np.ndarray, frames: np.ndarray) -> list[np.ndarray]:
    sel = frames[bad]
    if sel.size == 0:
        return []
    cuts = np.flatnonzero(np.diff(sel) > 1) + 1
    return np.split(sel, cuts)


def _lasting(runs: list[np.ndarray], fr: np.ndarray) -> list[np.ndarray]:
    """Runs of 3+ frames, or 2+ at either end of the object's reliable frames: a change of size
    or colour lasts; a blip of one or two frames is motion blur, noise or compression."""
    out = []
    for r in runs:
        at_end = int(r[0]) == int(fr[0]) or int(r[-1]) == int(fr[-1])
        if r.size >= 3 or (r.size >= 2 and at_end):
            out.append(r)
    return out


def _change_text(
    run: np.ndarray, fr: np.ndarray, odd: str, usual: str
) -> tuple[str, list[int], bool]:
    """Words and frames for a run of frames whose value (``odd``) differs from the usual one.

    A run at the start means the object changed *to* the usual value after it; a run at the end
    means it changed from then on; the frames returned are those after the change.
    """
    first, last = int(run[0]), int(run[-1])
    if first == int(fr[0]) and last < int(fr[-1]):
        nxt = int(fr[np.searchsorted(fr, last) + 1])
        return f"at frame {nxt}: {odd} before, {usual} from then on", fr[fr >= nxt].tolist(), True
    if last == int(fr[-1]) and first > int(fr[0]):
        return f"at frame {first}: {usual} before, {odd} from then on", run.tolist(), False
    return f"in {frames_text(run)}: {odd} instead of {usual}", run.tolist(), False


def blur_allowance(tr: Tracks, i: int, fr: np.ndarray) -> np.ndarray:
    """How far object ``i`` moves in each of the frames ``fr``, in units of its radius, where
    that is more than one radius (0 elsewhere): the length of a motion-blur smear it may carry.

    The step of a frame is the larger of the moves from the frame before and to the frame after
    (frames where the object is seen); the radius is the median over ``fr``.

    Example:
        >>> import numpy as np
        >>> from vidkit.probes.tracking import Tracks
        >>> c = np.array([[[0, 0], [1, 0], [12, 0], [13, 0]]], float)
        >>> tr = Tracks(c, np.full((1, 4), 4.0), np.full((1, 4), 50.0), np.zeros((1, 4, 3)),
        ...             np.ones((1, 4), bool), np.zeros((1, 4), bool), np.zeros((1, 4), bool),
        ...             10.0, (32, 32), np.zeros((32, 32, 3)))
        >>> blur_allowance(tr, 0, np.arange(4)).round(2).tolist()
        [0.0, 2.75, 2.75, 0.0]
    """
    vis = np.flatnonzero(tr.visible[i])
    out = np.zeros(fr.size)
    if vis.size < 2 or fr.size == 0:
        return out
    r_ref = float(np.nanmedian(tr.radii[i, fr]))
    if not np.isfinite(r_ref) or r_ref <= 0:
        return out
    p = tr.centers[i, vis]
    gap = np.diff(vis).astype(float)
    step = np.hypot(*np.diff(p, axis=0).T) / gap  # per frame
    before = np.concatenate([[0.0], step])
    after = np.concatenate([step, [0.0]])
    per = np.maximum(before, after) / r_ref
    k = np.searchsorted(vis, fr)
    k = np.clip(k, 0, vis.size - 1)
    val = np.where(vis[k] == fr, per[k], 0.0)
    return np.where(val > 1.0, val, 0.0)


def conservation(
    video: Any,
    *,
    fps: float | None = None,
    size_tol: float = 0.15,
    color_tol: float = 0.12,
    motion: Motion | None = None,
) -> ProbeResult:
    """Objects keep their size (radius) and colour.

    In every reliable frame (whole, not touching another object) the radius must stay within
    ``size_tol`` (15%) of the object's median radius and the mean colour within ``color_tol``
    (Euclidean RGB distance, 0..1 scale) of its median colour. Frame brightness changes are
    divided out by the tracker first, so global flicker is not a colour change.

    Example:
        >>> scene = vk.synth.render("uniform", seed=0, violation="resize")  # doctest: +SKIP
        >>> vk.probes.conservation(scene.video).passed  # doctest: +SKIP
        False
    """
    name = "conservation"
    if not 0 < size_tol < 1 or not 0 < color_tol < 2:
        raise ValueError(
            f"size_tol must be in (0, 1) and color_tol in (0, 2), got {size_tol}, {color_tol}"
        )
    m = resolve_motion(video, fps, motion)
    empty = no_objects(name, m)
    if empty is not None:
        return empty
    tr = m.tracks
    findings: list[Finding] = []
    failed: list[int] = []
    worst_size, worst_color = 0.0, 0.0
    for i in range(tr.n_objects):
        ok = tr.reliable(i)
        fr = np.flatnonzero(ok)
        if fr.size < 3:
            continue
        r = tr.radii[i, fr]
        blur = blur_allowance(tr, i, fr)
        sharp = blur == 0
        r_ref = float(np.median(r[sharp])) if sharp.sum() >= 3 else float(np.median(r))
        rel = r / r_ref - 1
        # motion blur smears a fast object over (at most) its step: the soft matte of a disk of
        # radius r smeared over a length L > 2r covers about L / 2r times its area, and its colour
        # fades toward the background; a fast frame is allowed that growth
        allowed = (1 + size_tol) * np.sqrt(np.maximum(1.0, blur / 2)) - 1
        worst_size = max(worst_size, float(np.max(np.abs(rel))))
        bad_size = (rel > allowed) | (rel < -size_tol)
        for run in _lasting(_change_runs(bad_size, fr), fr):
            idx = np.searchsorted(fr, run)
            v = float(np.median(r[idx]))
            text, frames, before = _change_text(run, fr, f"{v:.1f} px", f"{r_ref:.1f} px")
            pct = 100 * ((r_ref / v if before else v / r_ref) - 1)
            findings.append(
                Finding(
                    name,
                    f"object {i} changed size {text} ({pct:+.0f}%)",
                    "fail",
                    i,
                    frames,
                    float(v / r_ref - 1),
                    size_tol,
                )
            )
            failed.extend(frames)
        c = tr.colors[i, fr]
        # a fast frame whose soft matte did not grow is not smeared (the renderer or camera
        # did not blur it): its colour is judged too
        sharp = sharp | (rel <= size_tol)
        c_ref = np.median(c[sharp], axis=0) if sharp.sum() >= 3 else np.median(c, axis=0)
        dc = np.sqrt(np.sum((c - c_ref) ** 2, axis=1))
        worst_color = max(worst_color, float(np.max(dc[sharp]))) if sharp.any() else worst_color
        # a smeared frame's colour is a blend with the background: judged by its hue only
        # where the object is sharp
        for run in _lasting(_change_runs((dc > color_tol) & sharp, fr), fr):
            idx = np.searchsorted(fr, run)
            v = np.median(c[idx], axis=0)
            text, frames, _ = _change_text(
                run,
                fr,
                f"RGB ({v[0]:.2f}, {v[1]:.2f}, {v[2]:.2f})",
                f"RGB ({c_ref[0]:.2f}, {c_ref[1]:.2f}, {c_ref[2]:.2f})",
            )
            findings.append(
                Finding(
                    name,
                    f"object {i} changed colour {text}",
                    "fail",
                    i,
                    frames,
                    float(np.max(dc[idx])),
                    color_tol,
                )
            )
            failed.extend(frames)
    if not any(tr.reliable(i).sum() >= 3 for i in range(tr.n_objects)):
        return nothing_whole(name, 3)
    passed = not findings
    sentence = (
        f"sizes stay within {100 * worst_size:.0f}% and colours within {worst_color:.2f}"
        if passed
        else findings[0].sentence
    )
    return ProbeResult(
        name,
        passed=passed,
        scores={"max_size_change": worst_size, "max_color_change": worst_color},
        threshold={"size_tol": size_tol, "color_tol": color_tol},
        failed_frames=failed,
        sentence=sentence,
        findings=findings,
    )
