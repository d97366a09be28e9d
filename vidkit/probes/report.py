"""``physics()``: every probe that applies to a video, gathered into one report.

A :class:`PhysicsReport` (defined in :mod:`vidkit.probes.physics_report`) holds the tracks, each
probe's :class:`~vidkit.probes.result.ProbeResult`, a findings table (pandas DataFrame: probe,
object, frames, severity, sentence, value, threshold), an overall verdict, a matplotlib figure
(:meth:`PhysicsReport.plot`) and a rich HTML view for notebooks. :func:`physics_batch` runs it over
many videos and returns one table row per video.

Verdicts: ``"pass"`` (no judged probe failed and at least one trajectory probe passed),
``"fail"`` (a judged probe failed) and ``"cannot judge"`` (no trajectory probe could judge: no
moving object, a camera motion that cannot be compensated, clutter...; ``reason`` says which).
Dynamic degree, warping error and shot cuts are reported as information and never change the
verdict (a still video is not unphysical; docs/probes.md says why the warping error is not a
verdict).

Example:
    >>> import vidkit as vk
    >>> rep = vk.probes.physics(vk.synth.render("bounce", seed=0).video)   # doctest: +SKIP
    >>> rep.verdict, len(rep.table)                                        # doctest: +SKIP
    ('pass', 4)
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from vidkit.probes.background import temporal_median
from vidkit.probes.dynamics import bounce, gravity
from vidkit.probes.kinematics import continuity, smoothness
from vidkit.probes.persistence import conservation, permanence
from vidkit.probes.physics_report import (
    DEFAULT_MAX_SIDE,
    DEFAULT_WINDOW,
    FLOW_PROBES,
    FPS_RANGE,
    INFO_PROBES,
    MAX_OBJECTS,
    MAX_RELIABLE_OBJECTS,
    MIN_SIDE,
    MIN_TRACK,
    TRACK_PROBES,
    PhysicsReport,
)
from vidkit.probes.report_tracks import drop_short
from vidkit.probes.result import CANNOT_JUDGE, Assumption, Finding, ProbeResult
from vidkit.probes.temporal import dynamic_degree_classical, flicker, gray_u8, warping_error
from vidkit.probes.tracking import MIN_FRAMES, Cluttered, Tracks, track
from vidkit.probes.trajectory import analyze_motion
from vidkit.video import Video, as_video

__all__ = ["PhysicsReport", "physics", "physics_batch", "TRACK_PROBES", "FLOW_PROBES"]

#: a clip in memory keeps its gray frames from pass 1 when they hold at most this many pixels
#: (4 MiB of uint8: 32 frames of 64x64 are 128 KiB; the float frames themselves take 12x it)
KEEP_GRAYS_PX = 4 * 2**20


def _coerce(video: Any, fps: float | None) -> Video:
    if hasattr(video, "video") and isinstance(video.video, Video):
        video = video.video  # a vk.synth Scene
    if isinstance(video, Video):
        v = video
    elif isinstance(video, np.ndarray) or type(video).__module__.startswith("torch"):
        v = as_video(video)
    else:
        raise TypeError(
            f"physics() expects a vidkit Video (or a [T, H, W, 3] array, or a synth Scene), got "
            f"{type(video).__name__}"
        )
    if fps is not None:
        if not np.isfinite(fps) or fps <= 0:
            raise ValueError(f"fps must be a positive number, got {fps!r}")
        v = Video(v.frames, fps=float(fps), metadata=v.metadata)
    if v.num_frames < MIN_FRAMES:
        raise ValueError(
            f"the video has {v.num_frames} frame(s); the physics probes need at least "
            f"{MIN_FRAMES} (a trajectory needs 4 points to show an acceleration)"
        )
    return v


@dataclass
class _Window:
    """One analysed stretch of frames (a shot, or part of a long one)."""

    first: int
    end: int
    shot: int
    camera: Any = None
    tracks: Tracks | None = None
    reason: str = ""  # why the trajectory probes cannot judge it ("" when they can)
    temporal: dict[str, ProbeResult] = field(default_factory=dict)


def _cannot(name: str, reason: str, assumptions: list[Assumption] | None = None) -> ProbeResult:
    return ProbeResult(
        name,
        passed=None,
        sentence=f"cannot judge: {reason}",
        findings=[Finding(name, f"cannot judge: {reason}", "warn")],
        assumptions=list(assumptions or []),
    )


def _merge(name: str, parts: list[ProbeResult]) -> ProbeResult:
    """One result from per-window results of a probe (fail > pass > cannot judge)."""
    if len(parts) == 1:
        return parts[0]
    judged = [r for r in parts if r.passed is not None]
    if not judged:
        return parts[0]
    failed = [r for r in judged if r.passed is False]
    head = failed[0] if failed else max(judged, key=lambda r: len(r.details.get("pair_error", [])))
    findings = [f for r in parts for f in r.findings]
    details = dict(head.details)
    if name == "flicker":
        details["jump"] = np.concatenate([np.asarray(r.details.get("jump", [])) for r in parts])
    return ProbeResult(
        name,
        passed=not failed,
        scores=dict(head.scores),
        threshold=head.threshold,
        failed_frames=[f for r in parts for f in r.failed_frames],
        sentence=head.sentence,
        findings=findings,
        details=details,
    )


def _to_original(tr: Tracks, scale: float, origin: tuple[float, float]) -> Tracks:
    """Tracks of working-size (and stabilised) frames in original pixel coordinates."""
    c = tr.centers.copy()
    c[..., 0] += origin[0]
    c[..., 1] += origin[1]
    if scale != 1.0:
        c = (c + 0.5) * scale - 0.5
    return replace(
        tr,
        centers=c,
        radii=tr.radii * scale,
        areas=tr.areas * scale * scale,
        cam_shift=tr.cam_shift * scale,
        cam_se=tr.cam_se * scale,
        smear=tr.smear * scale,
    )


def _stitch(
    windows: list[_Window], T: int, fps: float, size: tuple[int, int], scale: float
) -> Tracks:
    """One :class:`Tracks` over the whole video from the windows' tracks (objects never span
    two windows)."""
    parts = [w for w in windows if w.tracks is not None]
    n = sum(w.tracks.n_objects for w in parts)
    centers = np.full((n, T, 2), np.nan)
    radii = np.full((n, T), np.nan)
    areas = np.full((n, T), np.nan)
    colors = np.full((n, T, 3), np.nan)
    visible = np.zeros((n, T), bool)
    cam_shift = np.full((n, T, 2), np.nan)
    cam_se = np.full((n, T, 2), np.nan)
    seen = np.zeros((n, T), np.int8)
    smear = np.full((n, T), np.nan)
    merged = np.zeros((n, T), bool)
    border = np.zeros((n, T), bool)
    shot = np.zeros(n, int)
    gain = np.ones(T)
    frame_change = np.full(max(T - 1, 0), np.nan)
    frame_diff = np.full(max(T - 1, 0), np.nan)
    k = 0
    bg, noise, thr, longest = None, [], [], -1
    for wi, w in enumerate(windows):
        tr = w.tracks
        if tr is None:
            continue
        a, b = w.first, w.end
        m = tr.n_objects
        centers[k : k + m, a:b] = tr.centers
        radii[k : k + m, a:b] = tr.radii
        areas[k : k + m, a:b] = tr.areas
        colors[k : k + m, a:b] = tr.colors
        visible[k : k + m, a:b] = tr.visible
        if tr.cam_shift.shape[:2] == (m, b - a):
            cam_shift[k : k + m, a:b] = tr.cam_shift
            cam_se[k : k + m, a:b] = tr.cam_se
        if tr.still_seen.shape == (m, b - a):
            seen[k : k + m, a:b] = tr.still_seen
        if tr.smear.shape == (m, b - a):
            smear[k : k + m, a:b] = tr.smear
        merged[k : k + m, a:b] = tr.merged
        border[k : k + m, a:b] = tr.at_border
        shot[k : k + m] = wi
        if tr.gain.size == b - a:
            gain[a:b] = tr.gain
        if tr.frame_change.size == b - a - 1:
            frame_change[a : b - 1] = tr.frame_change
        if tr.frame_diff.size == b - a - 1:
            frame_diff[a : b - 1] = tr.frame_diff
        noise.append(tr.noise)
        thr.append(tr.threshold)
        if b - a > longest:
            bg, longest = tr.background, b - a
        k += m
    if bg is None:
        bg = np.zeros((1, 1, 3), np.float32)
    return Tracks(
        centers=centers,
        radii=radii,
        areas=areas,
        colors=colors,
        visible=visible,
        merged=merged,
        at_border=border,
        fps=fps,
        size=size,
        background=bg,
        noise=float(np.median(noise)) if noise else 0.0,
        threshold=float(np.median(thr)) if thr else 0.0,
        gain=gain,
        frame_change=frame_change,
        frame_diff=frame_diff,
        shot=shot,
        shots=[(w.first, w.end) for w in windows],
        pixel_scale=scale,
        camera=[w.camera for w in windows],
        cam_shift=cam_shift if np.isfinite(cam_shift).any() else np.zeros((0, 0, 2)),
        cam_se=cam_se if np.isfinite(cam_shift).any() else np.zeros((0, 0, 2)),
        still_seen=seen,
        smear=smear,
    )


def _run_tracker(
    tracker: Any,
    frames: np.ndarray,
    fps: float,
    cam: Any,
    video: Video | None = None,
    grays: list[np.ndarray] | None = None,
    median_frame: np.ndarray | None = None,
) -> Tracks:
    """Tracks of one window in the working (stabilised when the camera moved) coordinates.
    ``video``: ``Video(frames, fps=fps)`` when the caller has made it already (the classical
    tracker of a still shot then reads it: the same frames, without a second checked copy);
    ``grays``: the frames' gray_u8 where the caller keeps them (a still shot's camera error
    reads them); ``median_frame``: their temporal_median (a still shot's tracker reads it)."""
    from vidkit.probes.camera import stabilise
    from vidkit.probes.camera_local import camera_error

    if tracker == "classical":
        if cam is not None and cam.moving:
            st, valid = stabilise(frames, cam)
            tr = track(Video(st, fps=fps), valid=valid, max_regions=MAX_OBJECTS)
            # a frame that repeats the previous one exactly is warped by a map that differs from
            # the previous one's by float rounding: its stabilised difference is 1e-9..1e-6, not
            # 0 (seed 8 stutter 857071: 3 repeated frames read 1.2e-6, 1.1e-8 and 2.7e-9, and
            # the exact-repeat test never saw them); the frames given are what repeats
            same = np.all(frames[1:] == frames[:-1], axis=(1, 2, 3))
            if same.any() and tr.frame_diff.size == same.size:
                tr = replace(tr, frame_diff=np.where(same, 0.0, tr.frame_diff))
            # the camera's error where each object is, frame by frame (camera_local)
            d, se = camera_error(st, valid, tr.background, tr.centers, tr.radii, tr.visible)
            return replace(tr, cam_shift=d, cam_se=se)
        v = video if video is not None else Video(frames, fps=fps)
        tr = track(v, max_regions=MAX_OBJECTS, median_frame=median_frame)
        d, se = camera_error(
            frames, None, tr.background, tr.centers, tr.radii, tr.visible, grays=grays
        )
        return replace(tr, cam_shift=d, cam_se=se)
    tr = tracker(Video(frames, fps=fps))
    if not isinstance(tr, Tracks):
        raise TypeError(
            f"tracker must return vidkit.probes.tracking.Tracks, got {type(tr).__name__}"
        )
    if tr.num_frames != frames.shape[0]:
        raise ValueError(
            f"the tracker returned tracks over {tr.num_frames} frames for a clip of "
            f"{frames.shape[0]}"
        )
    if cam is not None and cam.moving:
        c = tr.centers
        m = cam.to_ref  # [T, 2, 3]
        mapped = np.einsum("tij,ntj->nti", m[:, :, :2], c) + m[None, :, :, 2]
        s = np.hypot(m[:, 0, 0], m[:, 1, 0])[None]
        sm = tr.smear * s if tr.smear.shape == tr.radii.shape else tr.smear
        tr = replace(tr, centers=mapped, radii=tr.radii * s, areas=tr.areas * s * s, smear=sm)
    return tr


def physics(
    video: Any,
    *,
    expected_g: float | None = None,
    scale: float | None = None,
    fps: float | None = None,
    flow: bool = True,
    tracker: Any = "classical",
    max_side: int | None = DEFAULT_MAX_SIDE,
    window: int = DEFAULT_WINDOW,
    chunk: int = 32,
) -> PhysicsReport:
    """Run every probe that applies to ``video`` and gather the findings.

    The clip (a Video, an array, a ``vk.synth`` Scene, or the path of a video file, read in
    chunks) is analysed at a working size (long side ``max_side``), shot by shot:

    1. **shot cuts** are found (:mod:`vidkit.probes.cuts`) and reported as findings of their own
       (a ``cuts`` result, severity ``warn``; it does not set the verdict); each shot is judged
       alone and a cut is never a teleport, vanish, appear or flicker;
    2. the **camera's motion** is measured per frame (:mod:`vidkit.probes.camera`); a pan, shake
       or slow zoom is compensated (the frames are warped into the first frame's coordinates)
       before tracking; a shot whose camera motion cannot be compensated is not judged by the
       trajectory probes ("cannot judge", with the reason);
    3. objects are tracked (``tracker="classical"``, or any callable ``tracker(video) ->
       Tracks``) and gravity, bounce, permanence, conservation, continuity and smoothness read
       the trajectories, in original pixel coordinates (stabilised coordinates of each shot's
       first frame when the camera moved); a shot with more than 8 moving regions (texture,
       clutter, a crowd) is not judged;
    4. flicker, and with ``flow=True`` the warping error and dynamic degree (classical optical
       flow), per shot. The warping error and the dynamic degree are quality numbers reported
       as information: they never set the verdict (docs/probes.md says why).

    Every probe result says ``pass``, ``fail`` or ``cannot judge`` (with the assumption that does
    not hold). The report's verdict is ``"fail"`` when a judged probe failed, ``"pass"`` when at
    least one trajectory probe passed and none failed, else ``"cannot judge"`` (``reason`` says
    why: no moving object, clutter, an uncompensable camera...).

    Args:
        video: a :class:`vidkit.Video`, ``[T, H, W, 3]`` array, ``vk.synth`` Scene or a path.
        expected_g: gravity the video should show (px/s^2 of the original frames, or m/s^2
            with ``scale``); without it gravity is checked for consistency only.
        scale: pixels (of the original frames) per metre, to report g in m/s^2.
        fps: override the video's frame rate (g scales with fps^2).
        flow: include the optical-flow probes.
        tracker: ``"classical"`` (weight-free, the default) or a callable ``tracker(video) ->
            vidkit.probes.tracking.Tracks`` (positions in the pixels of the video it is given:
            the working-size frames of one shot).
        max_side: the working size's long side in px (default 384; None: the original size).
            Positions, sizes and g are reported in original pixels whatever it is.
        window: the most frames analysed at once; longer shots are judged in parts (memory
            stays bounded whatever the clip's length).
        chunk: frames decoded at a time.

    Returns:
        :class:`PhysicsReport`.

    Example:
        >>> scene = vk.synth.render("bounce", seed=3, violation="energy_gain")  # doctest: +SKIP
        >>> rep = vk.probes.physics(scene.video)  # doctest: +SKIP
        >>> rep.verdict, rep.failures[0].probe  # doctest: +SKIP
        ('fail', 'bounce')
        >>> vk.probes.physics("street.mp4").cuts  # doctest: +SKIP
        [30, 76, 137, 187, 242]
    """
    from vidkit.probes.stream import open_frames, opencv_threads

    if not (tracker == "classical" or callable(tracker)):
        raise TypeError(
            f"tracker must be 'classical' or a callable tracker(video) -> Tracks, got {tracker!r}"
        )
    if max_side is not None and (int(max_side) != max_side or max_side < 16):
        raise ValueError(f"max_side must be an integer >= 16 (or None), got {max_side!r}")
    if int(window) != window or window < 16:
        raise ValueError(f"window must be an integer >= 16 frames, got {window!r}")
    in_memory = None
    if not isinstance(video, (str, os.PathLike)):
        in_memory = _coerce(video, fps)
        video = in_memory
    src = open_frames(video, fps=fps, max_side=max_side)
    h, w = src.work_size
    with opencv_threads(h * w):
        return _passes(src, in_memory, expected_g, scale, tracker, flow, window, chunk)


def _passes(
    src: Any,
    in_memory: Video | None,
    expected_g: float | None,
    scale: float | None,
    tracker: Any,
    flow: bool,
    window: int,
    chunk: int,
) -> PhysicsReport:
    """The two passes of :func:`physics` over the opened frames ``src`` and the report."""
    from vidkit.probes.camera import pair_motion
    from vidkit.probes.camera_pair import blur_gray
    from vidkit.probes.cuts import find_cuts, shots_from_cuts, thumbnail_colours

    H, W = src.size
    h, w = src.work_size
    px = W / w
    fps_ = src.fps
    # ---------------------------------------------------------------- pass 1: cuts, camera
    thumbs: list[np.ndarray] = []
    colours: list[np.ndarray] = []
    pairs: list[dict[str, Any]] = []
    prev = None
    frame_img = None
    small = min(h, w) < MIN_SIDE
    # a clip held in memory whose gray frames are small keeps them for pass 2 (the camera's
    # look, the flow probes and a still shot's camera error read the same gray frames): a
    # frame converted once instead of three or four times; a file, or a longer clip, converts
    # them again per window (memory stays bounded)
    keep = in_memory is not None and in_memory.num_frames * h * w <= KEEP_GRAYS_PX
    grays_all: list[np.ndarray] = []
    for a, ch in src.chunks(chunk):
        for f in ch:
            th, hist = thumbnail_colours(f)
            thumbs.append(th)
            colours.append(hist)
            if not small:
                # each frame blurred once for pair_motion (it is in two pairs)
                g8 = gray_u8(f)
                if keep:
                    grays_all.append(g8)
                g = blur_gray(g8)
                if prev is not None:
                    pairs.append(pair_motion(prev, g, blurred=True))
                prev = g
            if frame_img is None and a + len(thumbs) >= 1:
                frame_img = f.copy()
    T = len(thumbs)
    if T < MIN_FRAMES:
        raise ValueError(
            f"the video has {T} frame(s); the physics probes need at least {MIN_FRAMES} (a "
            "trajectory needs 4 points to show an acceleration)"
        )
    clip_checks = [
        Assumption("enough frames", True, f"{T} frames, at least {MIN_FRAMES} needed"),
        Assumption(
            "enough resolution",
            not small,
            f"{H}x{W} px frames analysed at {h}x{w}"
            + ("" if not small else f"; at least {MIN_SIDE} px on each side are needed"),
        ),
        Assumption(
            "a plausible frame rate",
            FPS_RANGE[0] <= fps_ <= FPS_RANGE[1],
            f"{fps_:g} fps (judged between {FPS_RANGE[0]:g} and {FPS_RANGE[1]:g})",
        ),
    ]
    broken = [c for c in clip_checks if not c.holds]
    cuts = (
        []
        if small
        else find_cuts(
            np.stack(thumbs) if thumbs else np.zeros(0),
            pairs,
            np.stack(colours) if colours else None,
        )
    )
    shots = shots_from_cuts(cuts, T)
    spans: list[tuple[int, int, int]] = []
    for si, (a, b) in enumerate(shots):
        n_parts = max(1, int(np.ceil((b - a) / window)))
        edges = np.linspace(a, b, n_parts + 1).round().astype(int)
        spans += [(int(x), int(y), si) for x, y in zip(edges[:-1], edges[1:])]
    windows = [_Window(a, b, si) for a, b, si in spans]
    notes: list[str] = []
    # ---------------------------------------------------------------- pass 2: per window
    if not broken:
        wi = 0
        buf: list[np.ndarray] = []
        pos = 0
        for _, ch in src.chunks(chunk):
            for f in ch:
                buf.append(f)
                pos += 1
                while wi < len(windows) and pos == windows[wi].end:
                    frames_w = np.stack(buf)
                    buf = []  # free the list before the analysis
                    w_ = windows[wi]
                    gw = grays_all[w_.first : w_.end] if len(grays_all) >= w_.end else None
                    _analyse(w_, frames_w, pairs, fps_, tracker, flow, px, gw)
                    del frames_w
                    wi += 1
        for w_ in windows[wi:]:  # a file shorter than its container said
            w_.reason = "the frames could not be read"
    else:
        for w_ in windows:
            w_.reason = f"{broken[0].name}: {broken[0].reason}"
    # ---------------------------------------------------------------- assemble
    tr = _stitch(windows, T, fps_, (H, W), px)
    m = analyze_motion(tr)
    results: dict[str, ProbeResult] = {}
    judged_w = [w_ for w_ in windows if w_.tracks is not None and w_.tracks.n_objects > 0]
    skipped = [w_ for w_ in windows if w_.reason]
    cam_moves = [w_ for w_ in windows if w_.camera is not None and w_.camera.moving]
    checks = list(clip_checks)
    checks.append(
        Assumption(
            "one shot",
            True,
            "one shot"
            if not cuts
            else f"{len(shots)} shots (cuts before frames {', '.join(map(str, cuts))}), each "
            "judged alone",
        )
    )
    cam_bad = [
        w_ for w_ in windows if w_.camera is not None and w_.camera.status == "cannot compensate"
    ]
    checks.append(
        Assumption(
            "a static or compensated camera",
            len(cam_bad) < len(windows),
            "static"
            if not cam_moves and not cam_bad
            else "; ".join(
                f"frames {w_.first}-{w_.end - 1}: {w_.camera.reason}" for w_ in cam_moves + cam_bad
            ),
        )
    )
    no_obj = all(w_.tracks is None or w_.tracks.n_objects == 0 for w_ in windows)
    checks.append(
        Assumption(
            "a trackable object",
            bool(judged_w),
            f"{tr.n_objects} object(s) tracked"
            if judged_w
            else (skipped[0].reason if skipped else "no moving object found"),
        )
    )
    for w_ in skipped:
        notes.append(f"frames {w_.first}-{w_.end - 1} not judged: {w_.reason}")
    if not judged_w:
        reason = next((c for c in checks if not c.holds), None)
        why = f"{reason.name}: {reason.reason}" if reason else "no moving object found"
        if no_obj and not skipped:
            why = "no moving object found"
        for name in TRACK_PROBES:
            results[name] = _cannot(name, why, checks)
    else:
        results["gravity"] = gravity(tr, expected_g=expected_g, scale=scale, motion=m)
        results["bounce"] = bounce(tr, motion=m)
        results["permanence"] = permanence(tr, motion=m)
        results["conservation"] = conservation(tr, motion=m)
        results["continuity"] = continuity(tr, motion=m)
        results["smoothness"] = smoothness(tr, motion=m)
        for name in TRACK_PROBES:
            results[name].assumptions = checks + results[name].assumptions
    for name in ("flicker", *(FLOW_PROBES if flow else ())):
        parts = [w_.temporal[name] for w_ in windows if name in w_.temporal]
        if name == "dynamic_degree_classical" and parts:
            parts = [max(parts, key=lambda r: r.details.get("pair_flow", np.zeros(0)).size)]
        if parts:
            results[name] = _merge(name, parts)
        else:
            results[name] = _cannot(
                name, broken[0].reason if broken else "no shot is long enough", clip_checks
            )
    results["cuts"] = _cuts_result(cuts, T)
    judged = [r for n, r in results.items() if n not in INFO_PROBES]
    reason = ""
    if any(r.passed is False for r in judged):
        verdict = "fail"
    elif any(results[n].passed for n in TRACK_PROBES):
        verdict = "pass"
    else:
        verdict = CANNOT_JUDGE
        reason = results["gravity"].reason
        if reason.startswith("cannot judge: "):
            reason = reason[len("cannot judge: ") :]
    if tr.n_objects > MAX_RELIABLE_OBJECTS:
        notes.append(
            f"{tr.n_objects} objects tracked: with more than {MAX_RELIABLE_OBJECTS} the "
            "identities may swap when objects cross, so check failures by eye"
        )
    return PhysicsReport(
        in_memory,
        tr,
        m,
        results,
        verdict,
        notes,
        expected_g,
        scale,
        reason=reason,
        cuts=cuts,
        windows=[(w_.first, w_.end) for w_ in windows],
        camera=[w_.camera for w_ in windows],
        frame=frame_img,
        size=(H, W),
        work_size=(h, w),
    )


def _cuts_result(cuts: list[int], T: int) -> ProbeResult:
    findings = [
        Finding(
            "cuts",
            f"cut between frames {c - 1} and {c}: the whole picture changes at once (a new shot)",
            "warn",
            None,
            [c - 1, c],
            float(c),
            float("nan"),
        )
        for c in cuts
    ]
    return ProbeResult(
        "cuts",
        passed=not cuts,
        scores={"cuts": float(len(cuts))},
        failed_frames=cuts,
        sentence=(
            "one shot: no cut"
            if not cuts
            else f"{len(cuts)} cut(s), before frames {', '.join(map(str, cuts))}: "
            f"{len(cuts) + 1} shots, each judged alone"
        ),
        findings=findings,
    )


def _aligned_levels(frames: np.ndarray, pairs: list[dict[str, Any]]) -> np.ndarray:
    """Per-frame brightness of a moving camera's frames: the ratio of consecutive frames' mean
    gray level over the part of the scene both show (aligned by the camera's motion), chained."""
    import cv2

    T, H, W = frames.shape[:3]
    gray = frames.mean(axis=-1)
    ratio = np.ones(T)
    ones = np.ones((H, W), np.float32)
    for t in range(T - 1):
        M = pairs[t]["M"] if t < len(pairs) else None
        a, b = gray[t], gray[t + 1]
        if M is not None:
            # frame t+1 sampled at M(x): the same scene point as frame t's pixel x
            flags = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
            bw = cv2.warpAffine(b, M, (W, H), flags=flags)
            ok = cv2.warpAffine(ones, M, (W, H), flags=flags) > 0.99
            if ok.sum() > 0.2 * H * W:
                a, b = a[ok], bw[ok]
        ma = float(np.mean(a))
        ratio[t + 1] = float(np.mean(b)) / ma if ma > 1e-3 else 1.0
    return np.cumprod(ratio)


def _analyse(
    w: _Window,
    frames: np.ndarray,
    pairs: list[dict[str, Any]],
    fps: float,
    tracker: Any,
    flow: bool,
    px: float,
    grays: list[np.ndarray] | None = None,
) -> None:
    """Camera, tracks and temporal probes of one window (frames ``w.first .. w.end - 1``;
    ``grays``: their gray_u8 where pass 1 kept them)."""
    from vidkit.probes.camera import estimate_camera

    n = frames.shape[0]
    if n < MIN_FRAMES:
        w.reason = f"the shot has {n} frame(s); at least {MIN_FRAMES} are needed"
        return
    cam = estimate_camera(frames, pairs[w.first : w.end - 1], grays)
    w.camera = cam
    v = Video(frames, fps=fps)
    levels = None if cam.status == "static" else _aligned_levels(frames, pairs[w.first : w.end - 1])
    flows: dict[str, ProbeResult] = {}
    if flow:
        # each frame's gray once for both flow probes (the dynamic degree reads every
        # interval-th of them): 48 conversions instead of 32 + 16 at 64x64x32, 16 fps
        gr = grays if grays is not None else [gray_u8(f) for f in v.frames]
        flows["warping_error"] = warping_error(v, first_frame=w.first, grays=gr)
        flows["dynamic_degree_classical"] = dynamic_degree_classical(v, grays=gr)
        del gr
    # a still shot's median frame, shared by flicker and the classical tracker (made after the
    # flow probes, so it is not held while they run; the results keep their order)
    med = temporal_median(v.frames) if cam.status == "static" and tracker == "classical" else None
    w.temporal["flicker"] = flicker(v, first_frame=w.first, brightness=levels, median_frame=med)
    w.temporal.update(flows)
    if cam.status == "cannot compensate":
        w.reason = cam.reason
        return
    try:
        # the window's Video made above (the temporal probes only read it): Video(frames)
        # again would copy and check the frames a second time (3 ms at 64x64x32)
        tr = _run_tracker(tracker, frames, fps, cam, v, grays, med)
    except Cluttered as exc:
        w.reason = str(exc)
        return
    if tr.n_objects > MAX_OBJECTS:
        w.reason = (
            f"{tr.n_objects} moving regions were found (texture, clutter, a crowd or a camera "
            f"motion not fully compensated): more than {MAX_OBJECTS} cannot be followed reliably"
        )
        return
    # a moving camera leaves more residue of the background (newly seen texture, warping):
    # objects there must be seen in 30% of the window
    share = 0.3 if cam.moving else 0.15
    tr = drop_short(tr, max(MIN_TRACK, int(np.ceil(share * n))), movers=cam.moving)
    w.tracks = _to_original(tr, px, cam.origin if cam.moving else (0.0, 0.0))


def physics_batch(
    videos: Iterable[Any] | Mapping[str, Any],
    *,
    expected_g: float | None = None,
    scale: float | None = None,
    fps: float | None = None,
    flow: bool = False,
    progress: bool = True,
) -> Any:
    """:func:`physics` over many videos; one table row per video (pandas DataFrame).

    Columns: ``name``, ``verdict``, ``objects``, ``failures`` (count), ``first_failure``
    (sentence), one ``<probe>`` column per probe (True/False/None) and the headline scores
    (``g``, ``restitution``, ``max_jump_px``, ``ldlj``, ``vbench_flicker``...). A video that
    cannot be examined (too short, wrong type) gets verdict ``"error"`` and the message in
    ``first_failure`` instead of stopping the batch. Flow probes are off by default here.

    Example:
        >>> scenes = [vk.synth.render("bounce", seed=s) for s in range(4)]  # doctest: +SKIP
        >>> vk.probes.physics_batch(scenes)[["name", "verdict"]]  # doctest: +SKIP
    """
    from tqdm.auto import tqdm

    if isinstance(videos, Mapping):
        items = list(videos.items())
    else:
        items = []
        for k, vid in enumerate(videos):
            nm = getattr(vid, "kind", None)
            label = f"{k}" if nm is None else f"{k}:{nm}"
            if getattr(vid, "violation", None):
                label += f":{vid.violation}"
            items.append((label, vid))
    import pandas as pd

    rows = []
    for name, vid in tqdm(items, desc="physics probes", disable=not progress):
        row: dict[str, Any] = {"name": name}
        try:
            rep = physics(vid, expected_g=expected_g, scale=scale, fps=fps, flow=flow)
        except (ValueError, TypeError) as exc:
            row.update(verdict="error", objects=0, failures=0, first_failure=str(exc))
            rows.append(row)
            continue
        fails = rep.failures
        row.update(
            verdict=rep.verdict,
            objects=rep.tracks.n_objects,
            failures=len(fails),
            first_failure=fails[0].sentence if fails else "",
        )
        for pname, r in rep.results.items():
            row[pname] = r.passed
        sc = rep.scores()
        for key in (
            "gravity.g",
            "bounce.restitution",
            "continuity.max_jump_px",
            "conservation.max_size_change",
            "smoothness.ldlj",
            "flicker.vbench_flicker",
            "warping_error.warping_error",
        ):
            if key in sc:
                row[key.split(".", 1)[1]] = sc[key]
        rows.append(row)
    return pd.DataFrame(rows)
