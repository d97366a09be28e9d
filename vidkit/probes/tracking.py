"""Weight-free object tracking: background model, connected components, identities over time.

The tracker needs no learned weights. It works on videos of a few objects that move over a static
background (plain, noisy or textured), with or without per-frame sensor noise:

1. **Brightness.** Each frame's global brightness gain is estimated against the background
   (least squares, foreground excluded) and divided out, so flicker does not turn the whole frame
   into foreground.
2. **Background.** The per-pixel temporal median. It is exact wherever an object covers a pixel in
   fewer than half of the frames, which holds for moving objects even when they are present in
   every frame. Slow objects that cover some pixels most of the time leave their colour in the
   median; those pixels are found (near an object colour that is rare in the background) and
   replaced by the value they show when uncovered, or filled in from around them. On a moving
   camera's stabilised frames only object-sized regions of a colour also detected elsewhere
   count (:func:`vidkit.probes.background.held_regions`): residue along a floor's or an
   occluder's edge has their colour, and the floor or occluder itself is background. An object
   that came and then rested is found by its "hole" in the frames before it came
   (:func:`vidkit.probes.background.hole_regions`).
3. **Foreground.** The colour distance to the background, thresholded at
   ``max(min_contrast, k * noise)`` where the noise level is a robust (MAD) estimate, then
   opened with a 3x3 square (removes noise specks and thin structures such as a pendulum rod).
4. **Objects.** Connected components (OpenCV, 8-connected) above ``min_area`` pixels. Each is
   measured with a soft matte: with the object's colour ``c`` (median of its core pixels) and the
   background ``b`` under it, a pixel ``f`` has coverage ``alpha = <f-b, c-b> / |c-b|^2``. The
   centroid is the alpha-weighted mean position (sub-pixel, unbiased by noise), the area is
   ``sum(alpha)`` and the radius ``sqrt(area / pi)``. Pixel centres are at integer coordinates:
   column ``x``, row ``y`` (y points down).
5. **Identities.** Frame by frame, each track predicts its next position (constant velocity) and
   detections are assigned by :func:`scipy.optimize.linear_sum_assignment` on distance (gated)
   plus a small colour and size cost. A track of 1-2 frames that ends where a longer one, run
   backwards, starts is that one's first detection (a new-born track has no velocity). Tracks that lose their match while a detection of the same
   look appears elsewhere are matched on appearance (that is how a teleport stays one object).
   Two tracks that fall into one component are split by colour when their colours differ;
   otherwise both are marked ``merged`` for those frames (their size and centre are unreliable).
   A component more than 4x the area of the tracks predicted in it is a new object that they
   touch.
   A track that ends and one that starts later (up to ``max(12, fps)`` frames) where the first
   one's motion predicts, with the same look, are one object (it passed behind something); the
   frames where an object is only partly visible next to such a gap (area below 85% of its
   usual one) are marked ``merged`` too.

Steps 1 and 2 live in :mod:`vidkit.probes.background`, steps 3 and 4 in
:mod:`vidkit.probes.detection`, step 5 in :mod:`vidkit.probes.association`; this module holds
:func:`track` and :class:`Tracks`.

A moving camera is compensated by :func:`vidkit.probes.physics` before tracking: the frames are
stabilised and ``valid`` marks the pixels each one shows.

Example:
    >>> import numpy as np, vidkit as vk
    >>> from vidkit.probes import track
    >>> frames = np.zeros((8, 32, 32, 3), np.float32)
    >>> for t in range(8):
    ...     frames[t, 10:14, 2 + 3 * t : 6 + 3 * t] = (1.0, 0.2, 0.2)
    >>> tr = track(vk.Video(frames, fps=8))
    >>> tr.n_objects, [round(float(v), 2) for v in tr.centers[0, 0]]
    (1, [3.5, 11.5])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from vidkit.probes.association import Track, associate, link_gaps, link_heads
from vidkit.probes.background import (
    fill,
    gains,
    masked_temporal_median,
    mode_background,
    noise_sigma,
    repair_background,
    rgb_norm,
    temporal_median,
)
from vidkit.probes.detection import K5, Cluttered, Det, check_clutter, detect, split
from vidkit.probes.evidence import still_seen
from vidkit.probes.medians import percentile
from vidkit.video import Video, as_video

__all__ = [
    "Cluttered",
    "Tracks",
    "track",
    "temporal_median",
    "masked_temporal_median",
    "MIN_FRAMES",
    "WHOLE_AREA",
]

#: the fewest frames a video must have for tracking and the physics probes
MIN_FRAMES = 4

#: an object is seen whole in a frame where its area is at least this share of its usual area;
#: below it, next to a gap or in a dip, it is partly hidden (emerging from, or going behind,
#: something): the tracker flags such frames, and the probes read a track's ends the same way
WHOLE_AREA = 0.85


@dataclass
class Tracks:
    """Per-object trajectories of a video (``n`` objects, ``T`` frames).

    Attributes:
        centers: ``[n, T, 2]`` sub-pixel centroids ``(x, y)`` (x = column, y = row, y down); NaN
            where the object is not visible.
        radii: ``[n, T]`` radius ``sqrt(area / pi)`` in px (NaN where not visible).
        areas: ``[n, T]`` soft area in px^2.
        colors: ``[n, T, 3]`` mean RGB colour in [0, 1] (brightness-normalised).
        visible: ``[n, T]`` whether the object was detected in the frame.
        merged: ``[n, T]`` the object touches or overlaps another one in that frame (contact,
            collision, occlusion): its size and colour are unreliable there.
        at_border: ``[n, T]`` the object touches the frame border (partly outside).
        fps: frames per second.
        size: ``(H, W)`` of the frames.
        background: ``[H, W, 3]`` background model.
        noise: estimated per-channel noise level of the frames (std, in [0, 1] units).
        threshold: foreground threshold used.
        gain: ``[T]`` global brightness gain of each frame relative to the background.
        frame_change: ``[T-1]`` fraction of pixels that changed between consecutive frames
            (after brightness normalisation); 0 for frozen (duplicated) frames.
        frame_diff: ``[T-1]`` mean absolute difference between consecutive raw frames.
        shot: ``[n]`` the shot each object belongs to (index into ``shots``; all 0 by default).
        shots: ``[(first, end)]`` frame ranges of the video's shots (end exclusive); empty means
            one shot over the whole video.
        pixel_scale: original pixels per analysed pixel (> 1 when the video was analysed at a
            smaller working size; positions are then already in original pixels and the
            probes' pixel floors scale with it).
        camera: per shot, the :class:`~vidkit.probes.camera.CameraMotion` compensated before
            tracking (positions are then in the stabilised coordinates of the shot's first
            frame); empty when not measured.
        cam_shift: ``[n, T, 2]`` in a stabilised shot, how far the background around each
            object sits from the background model in each frame (px; the camera's error at
            the object, :func:`~vidkit.probes.camera_local.camera_error`; NaN where not
            measured); empty when no shot was stabilised.
        cam_se: ``[n, T, 2]`` the standard error of ``cam_shift`` (large along a direction the
            background there shows no texture in).
        still_seen: ``[n, T]`` int8, what the frames themselves show where a track is not seen
            next to its ends and inside its gaps (:func:`vidkit.probes.evidence.still_seen`):
            +1 the object's pixels are where its motion puts it (the tracker lost it), -1 the
            window shows no such object, 0 not looked at or cannot tell; empty when not measured
            (a tracker without frames at hand).
        smear: ``[n, T]`` the length (px) of the streak a motion blur draws the object into in
            each frame, from its matte's elongation (:class:`vidkit.probes.detection.Det`;
            NaN where not seen); empty when not measured.
    """

    centers: np.ndarray
    radii: np.ndarray
    areas: np.ndarray
    colors: np.ndarray
    visible: np.ndarray
    merged: np.ndarray
    at_border: np.ndarray
    fps: float
    size: tuple[int, int]
    background: np.ndarray = field(repr=False)
    noise: float = 0.0
    threshold: float = 0.0
    gain: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)
    frame_change: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)
    frame_diff: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)
    shot: np.ndarray = field(default_factory=lambda: np.zeros(0, int), repr=False)
    shots: list[tuple[int, int]] = field(default_factory=list, repr=False)
    pixel_scale: float = 1.0
    camera: list[Any] = field(default_factory=list, repr=False)
    cam_shift: np.ndarray = field(default_factory=lambda: np.zeros((0, 0, 2)), repr=False)
    cam_se: np.ndarray = field(default_factory=lambda: np.zeros((0, 0, 2)), repr=False)
    still_seen: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.int8), repr=False)
    smear: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)), repr=False)

    def shot_of(self, i: int) -> int:
        """The shot object ``i`` belongs to."""
        return int(self.shot[i]) if i < self.shot.size else 0

    def shot_camera(self, k: int) -> Any:
        """The camera motion measured for shot ``k`` (None when not measured).

        Example:
            >>> tr.shot_camera(0).status  # doctest: +SKIP
            'compensated'
        """
        return self.camera[k] if 0 <= k < len(self.camera) else None

    def span(self, i: int) -> tuple[int, int]:
        """``(first, end)`` frames of the shot object ``i`` belongs to (end exclusive)."""
        if not self.shots:
            return 0, self.num_frames
        return self.shots[self.shot_of(i)]

    @property
    def n_objects(self) -> int:
        """Number of tracked objects."""
        return int(self.centers.shape[0])

    @property
    def num_frames(self) -> int:
        """Number of frames ``T``."""
        return int(self.visible.shape[1])

    @property
    def times(self) -> np.ndarray:
        """Frame times in seconds, ``arange(T) / fps``."""
        return np.arange(self.num_frames) / self.fps

    def reliable(self, i: int) -> np.ndarray:
        """Frames where object ``i`` is visible, whole (not at the border) and not merged."""
        return self.visible[i] & ~self.at_border[i] & ~self.merged[i]

    def area_noise(self, i: int, min_frames: int = 1) -> float:
        """Robust noise (MAD scaled to a std) of object ``i``'s area over its :meth:`reliable`
        frames (px^2); 0.0 with fewer than ``min_frames`` of them.

        Example:
            >>> tr.area_noise(0)  # doctest: +SKIP
            1.8
        """
        ref = self.areas[i, self.reliable(i)]
        ref = ref[np.isfinite(ref)]
        if ref.size < max(1, min_frames):
            return 0.0
        return 1.4826 * float(np.median(np.abs(ref - np.median(ref))))

    def steady_mover(self, i: int, min_frames: int = 5) -> bool:
        """Whether object ``i`` is a solid object on its way somewhere, however briefly seen.

        Seen whole (:meth:`reliable`) in ``min_frames`` or more frames, with a steady size (the
        median relative deviation of the radius at most 5%), a median step of ``pixel_scale``
        px per frame or more between those frames, a net travel of at least its radius and no
        step beyond twice the median one plus its diameter (a residue blob's track hops to
        another blob of its look), whose horizontal motion reverses at most once (gravity acts
        down the frame; a residue blob's track goes back and forth). Residue of the background on a moving camera's stabilised
        frames (texture at a structure's edge, JPEG blocks) stays where its structure is, up
        to the camera map's error (well under 1 px after stabilisation), and newly seen
        texture touches the edge of the field of view (not whole); an object that is seen only
        for a moment before it goes behind something or vanishes moves on like an object.

        Example:
            >>> tr.steady_mover(0)  # doctest: +SKIP
            True
        """
        ok = np.flatnonzero(self.reliable(i))
        if ok.size < max(2, min_frames):
            return False
        r = self.radii[i, ok]
        med_r = float(np.median(r))
        if not np.isfinite(med_r) or med_r <= 0:
            return False
        spread = float(np.median(np.abs(r / med_r - 1)))
        p = self.centers[i, ok]
        steps = np.hypot(*np.diff(p, axis=0).T) / np.diff(ok)
        travel = float(np.hypot(*(p[-1] - p[0])))
        # and without a jump (a step beyond twice the usual one plus its diameter): a residue
        # blob's track hops to another blob of its look, an object moves on smoothly
        smooth = float(steps.max()) <= 2 * float(np.median(steps)) + 2 * med_r
        # and on its way across: gravity acts down the frame, so an object's horizontal
        # velocity keeps its sign (one reversal at most, off a wall); a residue blob's track
        # that hops between blobs of its look goes back and forth (seed 1 clean 100156: a
        # stripe's residue at 76, 84, 84, 65, 84 px). Only steps of a pixel or more per frame
        # count, below that the sign is the camera map's noise.
        vx = np.diff(p[:, 0]) / np.diff(ok)
        sig = np.sign(vx[np.abs(vx) >= 1.0 * self.pixel_scale])
        one_way = int(np.count_nonzero(sig[1:] != sig[:-1])) <= 1
        return bool(
            spread <= 0.05
            and float(np.median(steps)) >= 1.0 * self.pixel_scale
            and travel >= med_r
            and smooth
            and one_way
        )

    def to_frame(self) -> Any:
        """The tracks as a long pandas DataFrame: one row per object and visible frame.

        Example:
            >>> tr.to_frame().columns.tolist()[:4]  # doctest: +SKIP
            ['object', 'frame', 'time', 'x']
        """
        import pandas as pd

        rows = []
        for i in range(self.n_objects):
            for t in np.flatnonzero(self.visible[i]):
                rows.append(
                    {
                        "object": i,
                        "frame": int(t),
                        "time": t / self.fps,
                        "x": self.centers[i, t, 0],
                        "y": self.centers[i, t, 1],
                        "radius": self.radii[i, t],
                        "area": self.areas[i, t],
                        "r": self.colors[i, t, 0],
                        "g": self.colors[i, t, 1],
                        "b": self.colors[i, t, 2],
                        "merged": bool(self.merged[i, t]),
                        "at_border": bool(self.at_border[i, t]),
                    }
                )
        cols = ["object", "frame", "time", "x", "y", "radius", "area", "r", "g", "b"]
        return pd.DataFrame(rows, columns=[*cols, "merged", "at_border"])

    def __repr__(self) -> str:
        vis = ", ".join(f"{int(v.sum())}" for v in self.visible)
        return (
            f"Tracks({self.n_objects} objects over {self.num_frames} frames at {self.fps:g} fps, "
            f"{self.size[0]}x{self.size[1]}; visible frames per object: [{vis}])"
        )


# --------------------------------------------------------------------------- frames
def _as_frames(video: Any, fps: float | None) -> tuple[np.ndarray, float]:
    if isinstance(video, Video):
        v = video
    elif isinstance(video, np.ndarray) or type(video).__module__.startswith("torch"):
        v = as_video(video)
    else:
        raise TypeError(
            f"expected a vidkit Video (or a [T, H, W, 3] array), got {type(video).__name__}"
        )
    f = v.fps if fps is None else float(fps)
    if not np.isfinite(f) or f <= 0:
        raise ValueError(f"fps must be a positive number, got {fps!r}")
    if v.num_frames < MIN_FRAMES:
        raise ValueError(
            f"the video has {v.num_frames} frames; tracking and the physics probes need at least "
            f"{MIN_FRAMES}"
        )
    return v.frames, f


# --------------------------------------------------------------------------- tracking
def mask_runs(mask: np.ndarray) -> list[np.ndarray]:
    """The runs of consecutive True indices of a 1-d mask.

    Example:
        >>> [r.tolist() for r in mask_runs(np.array([1, 1, 0, 1, 0, 0, 1, 1], bool))]
        [[0, 1], [3], [6, 7]]
    """
    idx = np.flatnonzero(mask)
    if idx.size == 0:
        return []
    cuts = np.flatnonzero(np.diff(idx) > 1) + 1
    return [r for r in np.split(idx, cuts)]


def _mark_partial(
    area: np.ndarray, visible: np.ndarray, merged: np.ndarray, border: np.ndarray
) -> None:
    """Flag (as ``merged``: unreliable) the frames where an object is only partly visible: the
    first frames of a visible run after a hidden stretch and the last ones before it, while its
    area is below 85% of its usual area (it is emerging from, or going behind, something), and
    the frames of a run where its area dips below that and comes back (partly hidden)."""
    T = visible.size
    ok = visible & ~merged & ~border
    if ok.sum() < 3:
        ok = visible
    if ok.sum() < 3:
        return
    # the usual area from the upper quartile: partly hidden frames only lower it
    ref = float(percentile(area[ok], 75))  # np.percentile's value (medians.py)
    small = visible & (area < WHOLE_AREA * ref)
    idx = np.flatnonzero(visible)
    runs = np.split(idx, np.flatnonzero(np.diff(idx) > 1) + 1)
    for r in runs:
        if r[0] > 0:
            for f in r:
                if not small[f]:
                    break
                merged[f] = True
        if r[-1] < T - 1:
            for f in r[::-1]:
                if not small[f]:
                    break
                merged[f] = True
        # a dip inside a run (whole before and after it): the object passed partly behind
        # something without disappearing; a lasting change of size (from some frame to the end,
        # or from the start) is not a dip and stays for the probes to judge
        whole = np.flatnonzero(~small[r])
        if whole.size >= 2:
            inner = r[whole[0] : whole[-1] + 1]
            # a dip that goes well below the usual area (30% of it hidden) or lasts 3+ frames: a
            # generated blob whose area wobbles by 15% for a frame or two is not partly hidden
            for run in np.split(inner, np.flatnonzero(np.diff(small[inner].astype(int))) + 1):
                deep = np.min(area[run]) < 0.7 * ref
                # a sustained shallow dip only where the area is measured well (radius > 4.4 px:
                # a 3-4 px blob's area wobbles by a fifth from its edge pixels alone)
                if small[run[0]] and (deep or (run.size >= 3 and ref >= 60.0)):
                    merged[run] = True


def _moves(tr: Track, min_px: float = 1.0) -> bool:
    """Whether a track moves at all (a blob that never moves by 1 px is a static part)."""
    p = np.asarray(tr.pos)
    return bool(np.max(np.hypot(*(p - np.median(p, axis=0)).T)) >= min_px)


def _came(tr: Track, T: int, others: list[Track], min_frames: int = 5) -> bool:
    """Whether a still track is an object that came into view while still: seen in every frame
    from a first frame after the first one to the last, ``min_frames`` or more, whole (not at
    the border, not merged) and clear of every other track (3 px or more between their disks)
    when it comes. A static part of the scene (a pendulum's pivot, a ghost the background
    holds) is there all along; an object that pops up where it then rests is not (seed 2
    appear 252022: "no moving object found"). A still blob that starts next to a moving
    object is a piece of it left behind (seed 1 resize 153012: a 2.5 px speck of the ball's
    colour where it shrank), not an object. The converse, a still blob that is there from
    the start and then gone, was measured to add a false vanishing (seed 0 clean 136: a blob
    the median did not hold) and is left out."""
    f = tr.frames
    if len(f) < min_frames or f[-1] - f[0] + 1 != len(f):
        return False
    if not (f[0] > 0 and f[-1] == T - 1) or tr.border[0] or tr.merged[0]:
        return False
    r = float(np.sqrt(max(tr.area[0], 1.0) / np.pi))
    for o in others:
        for t in (f[0] - 1, f[0]):
            if o is tr or t not in o.frames:
                continue
            k = o.frames.index(t)
            ro = float(np.sqrt(max(o.area[k], 1.0) / np.pi))
            if np.hypot(o.pos[k][0] - tr.pos[0][0], o.pos[k][1] - tr.pos[0][1]) < r + ro + 3.0:
                return False
    return True


def track(
    video: Video | np.ndarray,
    *,
    fps: float | None = None,
    min_area: int | None = None,
    min_contrast: float = 0.06,
    k_noise: float = 4.0,
    min_length: int = 3,
    max_gap: int = 4,
    valid: np.ndarray | None = None,
    max_regions: int | None = None,
    median_frame: np.ndarray | None = None,
) -> Tracks:
    """Track the moving objects of a video without any learned weights.

    See the module docstring for the method. Objects that never move belong to the background and
    are not tracked, unless they came into view while still: seen in every frame from a later
    first frame to the last.

    Args:
        video: a :class:`vidkit.Video` (or a ``[T, H, W, 3]`` array); at least 4 frames.
            Grayscale videos work (their three channels are equal).
        fps: override the video's frame rate.
        min_area: smallest object in pixels of its opened mask (default ``max(12, H*W/5000)``,
            about a 2-px radius at 64x64).
        min_contrast: smallest colour distance (0..sqrt(3)) counted as foreground.
        k_noise: foreground threshold in units of the estimated noise std.
        min_length: tracks seen in fewer frames are dropped as noise; so are tracks that never
            move by 1 px (static parts, such as a pendulum's pivot with the rod's end).
        max_gap: frames a track may go unseen and still be continued.
        valid: ``[T, H, W]`` bool, the pixels each frame shows (stabilised frames of a moving
            camera: False outside the field of view). Unseen pixels take the background's value
            and an object touching them counts as at the frame border. None: all pixels.
        max_regions: raise :class:`Cluttered` (before the costly steps) when the frames hold
            more foreground regions than this (median over frames): texture, clutter or a crowd
            that cannot be followed as objects. None: no limit.
        median_frame: the frames' :func:`temporal_median` where the caller has it (read only
            without ``valid``).

    Returns:
        :class:`Tracks`.

    Example:
        >>> scene = vk.synth.render("projectile", seed=0)  # doctest: +SKIP
        >>> tr = vk.probes.track(scene.video)  # doctest: +SKIP
        >>> tr.centers.shape  # doctest: +SKIP
        (1, 32, 2)
    """

    frames, fps_ = _as_frames(video, fps)
    T, H, W, _ = frames.shape
    if min_area is None:
        min_area = max(12, int(H * W / 5000))
    if int(min_area) < 1:
        raise ValueError(f"min_area must be >= 1 pixel, got {min_area}")
    if not 0 < min_contrast < 2:
        raise ValueError(f"min_contrast must be in (0, 2), got {min_contrast}")

    raw = frames
    frame_diff = np.mean(np.abs(np.diff(raw, axis=0)), axis=(1, 2, 3))
    outside = None
    if valid is not None:
        import cv2

        valid = np.asarray(valid, bool)
        if valid.shape != frames.shape[:3]:
            raise ValueError(
                f"valid must have shape {frames.shape[:3]} (frames, height, width), got "
                f"{valid.shape}"
            )
        bg0, seen = masked_temporal_median(raw, valid)
        if not seen.all():
            bg0 = fill(bg0, seen)
        raw = np.where(valid[..., None], raw, bg0[None].astype(np.float32))
        outside = [
            cv2.dilate((~v).astype(np.uint8), K5).astype(bool) if not v.all() else None
            for v in valid
        ]
    same = median_frame is not None and valid is None and median_frame.shape == raw.shape[1:]
    bg = np.asarray(median_frame) if same else temporal_median(raw)
    gain = gains(raw, bg)
    if np.max(np.abs(gain - 1)) > 1e-3:
        work = raw / gain[:, None, None, None].astype(np.float32)
        bg = temporal_median(work)
    else:
        gain = np.ones(T)
        work = raw
    resid = work - bg[None]
    dist = rgb_norm(resid)
    # refine the gain without the foreground, then recompute
    fg0 = dist > max(min_contrast, 6 * noise_sigma(resid))
    if fg0.any():
        g2 = gains(work, bg, exclude=fg0)
        if np.max(np.abs(g2 - 1)) > 1e-3:
            work = work / g2[:, None, None, None].astype(np.float32)
            gain = gain * g2
            bg = temporal_median(work)
            resid = work - bg[None]
            dist = rgb_norm(resid)
    sigma = noise_sigma(resid)
    if max_regions is not None:
        check_clutter(dist, float(max(min_contrast, k_noise * sigma)), int(min_area), max_regions)
    moded = mode_background(work, bg, dist, sigma)
    if moded is not None:
        bg = moded
        resid = work - bg[None]
        dist = rgb_norm(resid)
    # the background distance of a pixel is chi(3)-distributed: P(> 4 sigma) ~ 0.3%, and the
    # morphological opening removes such isolated specks
    thr = float(max(min_contrast, k_noise * sigma))
    step = np.abs(np.diff(work, axis=0))
    changed = np.maximum(np.maximum(step[..., 0], step[..., 1]), step[..., 2]) > max(
        min_contrast, 5 * sigma
    )
    frame_change = changed.mean(axis=(1, 2))

    def detect_all(bg: np.ndarray, dist: np.ndarray) -> tuple[list, list]:
        dets, labs = [], []
        for t in range(T):
            d, lab = detect(
                work[t], bg, dist[t], thr, int(min_area), None if outside is None else outside[t]
            )
            dets.append(d)
            labs.append(lab)
        return dets, labs

    dets_per_frame, labels_per_frame = detect_all(bg, dist)
    # slow objects cover some pixels in most frames: the median then holds the object there
    fixed = repair_background(
        work, bg, dets_per_frame, thr, sigma, labels_per_frame, canvas=valid is not None
    )
    if fixed is not None:
        bg = fixed
        resid = work - bg[None]
        dist = rgb_norm(resid)
        dets_per_frame, labels_per_frame = detect_all(bg, dist)

    def split_fn(t: int, det: Det, colors: list[np.ndarray]) -> list[Det] | None:
        return split(det, colors, work[t], bg, dist[t], labels_per_frame[t], thr)

    tracks = associate(dets_per_frame, split_fn, max_gap)
    tracks = link_gaps(tracks, T, max(12, int(round(fps_))))
    tracks = link_heads(tracks)
    tracks = [
        tr for tr in tracks if len(tr.frames) >= min_length and (_moves(tr) or _came(tr, T, tracks))
    ]
    tracks.sort(key=lambda tr: (tr.frames[0], tr.pos[0][0], tr.pos[0][1]))

    n = len(tracks)
    centers = np.full((n, T, 2), np.nan)
    areas = np.full((n, T), np.nan)
    colors = np.full((n, T, 3), np.nan)
    visible = np.zeros((n, T), bool)
    merged = np.zeros((n, T), bool)
    border = np.zeros((n, T), bool)
    smears = np.full((n, T), np.nan)
    for i, tr in enumerate(tracks):
        fr = np.asarray(tr.frames)
        centers[i, fr] = np.asarray(tr.pos)
        areas[i, fr] = tr.area
        colors[i, fr] = np.stack(tr.color)
        visible[i, fr] = True
        merged[i, fr] = tr.merged
        border[i, fr] = tr.border
        smears[i, fr] = tr.smear
        if tr.occluded:
            merged[i, np.asarray(tr.occluded)] = True
        _mark_partial(areas[i], visible[i], merged[i], border[i])
    radii = np.sqrt(np.maximum(areas, 0) / np.pi)
    # while the frames are at hand: does the image show each lost object still (already) there?
    whole = visible & ~merged & ~border
    seen = still_seen(work, valid, centers, radii, visible, thr, reliable=whole, background=bg)
    return Tracks(
        centers=centers,
        radii=radii,
        areas=areas,
        colors=colors,
        visible=visible,
        merged=merged,
        at_border=border,
        fps=fps_,
        size=(H, W),
        background=bg,
        noise=sigma,
        threshold=thr,
        gain=gain,
        frame_change=frame_change,
        frame_diff=frame_diff,
        still_seen=seen,
        smear=smears,
    )
