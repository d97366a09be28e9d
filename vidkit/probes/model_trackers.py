"""Model-based trackers for the physics probes: SAM 2 / EdgeTAM / SAM 3 video masks, CoTracker points.

The classical tracker (:func:`vidkit.probes.track`) needs no weights and stays the default. Where it
struggles (real footage, heavy clutter, long occlusions), a learned tracker can supply the tracks
instead. Each tracker here is a callable ``tracker(video) -> Tracks`` returning the same
:class:`~vidkit.probes.tracking.Tracks` as the classical one (x = column, y = row, pixel centres at
integer coordinates, original pixel coordinates), so every probe reads it unchanged:

* :class:`Sam2VideoTracker`: a promptable video segmentation model from transformers
  (``Sam2VideoModel``, ``EdgeTamVideoModel`` or ``Sam3TrackerVideoModel``) loaded from a local folder
  or a hub id. Each object is prompted (points or a box at a frame; by default the centroid of every
  object the classical tracker finds, at its first clean frame) and propagated through the video
  with transformers' video inference session; each object's mask per frame becomes its centroid,
  area, radius, colour and visibility (:func:`tracks_from_masks`).
* :class:`CoTrackerTracker`: CoTracker 3 point tracks through ``torch.hub.load`` on a local clone of
  the repository and a local checkpoint. A few query points on each object (found by the classical
  tracker) are tracked; the object's centre per frame is the median of its points' positions
  (each shifted by its offset from the centre at the query frame); its radius and colour come from
  the classical tracker.

Nothing is downloaded unless a hub id that is not cached is given to :class:`Sam2VideoTracker`
(transformers then fetches it, as ``from_pretrained`` always does). ``trust_remote_code`` is never
set; weights are read by transformers (safetensors) or ``torch.load(weights_only=True)``.

Example:
    >>> import vidkit as vk
    >>> from vidkit.probes.model_trackers import Sam2VideoTracker
    >>> sam = Sam2VideoTracker("facebook/sam2.1-hiera-tiny", device="cuda")  # doctest: +SKIP
    >>> rep = vk.probes.physics("clip.mp4", tracker=sam)  # doctest: +SKIP
    >>> tracks = sam(vk.synth.render("bounce", seed=0).video)  # doctest: +SKIP
    >>> vk.probes.gravity(tracks).sentence  # doctest: +SKIP
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from vidkit.probes.tracking import MIN_FRAMES, Tracks, temporal_median, track
from vidkit.video import Video, as_video

__all__ = [
    "CoTrackerTracker",
    "as_tracker",
    "MODEL_FAMILIES",
    "Prompt",
    "Sam2VideoTracker",
    "prompts_from_tracks",
    "tracks_from_masks",
]

#: transformers model families usable by :class:`Sam2VideoTracker`: family -> (model class,
#: inference session class, default input normalisation mean, std). The model types of the hub
#: checkpoints' configs map onto them (``sam2`` and ``sam2_video`` -> ``"sam2"`` ...).
MODEL_FAMILIES: dict[str, tuple[str, str, tuple[float, ...], tuple[float, ...]]] = {
    "sam2": (
        "Sam2VideoModel",
        "Sam2VideoInferenceSession",
        (0.485, 0.456, 0.406),
        (0.229, 0.224, 0.225),
    ),
    "edgetam": (
        "EdgeTamVideoModel",
        "EdgeTamVideoInferenceSession",
        (0.485, 0.456, 0.406),
        (0.229, 0.224, 0.225),
    ),
    "sam3": (
        "Sam3TrackerVideoModel",
        "Sam3TrackerVideoInferenceSession",
        (0.5, 0.5, 0.5),
        (0.5, 0.5, 0.5),
    ),
}

_MODEL_TYPES = {
    "sam2": "sam2",
    "sam2_video": "sam2",
    "edgetam": "edgetam",
    "edgetam_video": "edgetam",
    "sam3": "sam3",
    "sam3_video": "sam3",
    "sam3_tracker": "sam3",
    "sam3_tracker_video": "sam3",
}

#: a prompt for one object: ``{"frame": t, "points": [(x, y), ...], "labels": [1, ...]}`` and/or
#: ``{"frame": t, "box": (x0, y0, x1, y1)}`` in the video's pixel coordinates (labels: 1 = on the
#: object, 0 = not on it; default all 1).
Prompt = dict[str, Any]


# --------------------------------------------------------------------------- inputs
def _video(video: Any) -> Video:
    if isinstance(video, Video):
        v = video
    elif isinstance(video, np.ndarray) or type(video).__module__.startswith("torch"):
        v = as_video(video)
    elif hasattr(video, "video") and isinstance(video.video, Video):  # a vk.synth Scene
        v = video.video
    else:
        raise TypeError(
            f"expected a vidkit Video (or a [T, H, W, 3] array), got {type(video).__name__}"
        )
    if v.num_frames < MIN_FRAMES:
        raise ValueError(
            f"the video has {v.num_frames} frames; tracking and the physics probes need at least "
            f"{MIN_FRAMES}"
        )
    return v


# --------------------------------------------------------------------------- masks -> Tracks
class _MaskStats:
    """Per-frame accumulator: the masks of ``n`` objects in one frame -> their Tracks fields.

    Masks are coverage in [0, 1] (a bool mask is coverage 0 or 1) on the video's pixel grid. The
    centroid is the coverage-weighted mean pixel position (pixel centres at integer coordinates),
    the area the summed coverage, the colour the coverage-weighted mean colour of the frame.
    """

    def __init__(self, n: int, T: int, H: int, W: int, min_area: float) -> None:
        self.n, self.T, self.H, self.W = n, T, H, W
        self.min_area = float(min_area)
        self.centers = np.full((n, T, 2), np.nan)
        self.areas = np.full((n, T), np.nan)
        self.colors = np.full((n, T, 3), np.nan)
        self.visible = np.zeros((n, T), bool)
        self.merged = np.zeros((n, T), bool)
        self.border = np.zeros((n, T), bool)
        self._xs = np.arange(W, dtype=np.float64)
        self._ys = np.arange(H, dtype=np.float64)

    def add(
        self, t: int, masks: np.ndarray, frame: np.ndarray, present: np.ndarray | None = None
    ) -> None:
        import cv2

        m = np.asarray(masks)
        if m.shape != (self.n, self.H, self.W):
            raise ValueError(
                f"frame {t}: expected masks of shape {(self.n, self.H, self.W)} (objects, H, W), "
                f"got {m.shape}"
            )
        a = m.astype(np.float32) if m.dtype == bool else np.clip(m, 0, 1).astype(np.float32)
        solid = a >= 0.5
        k3 = np.ones((3, 3), np.uint8)
        grown = [
            cv2.dilate(solid[i].astype(np.uint8), k3).astype(bool) if solid[i].any() else solid[i]
            for i in range(self.n)
        ]
        for i in range(self.n):
            ai = a[i]
            area = float(ai.sum(dtype=np.float64))
            if area < self.min_area or (present is not None and not present[i]):
                continue
            cx = float(ai.sum(axis=0, dtype=np.float64) @ self._xs / area)
            cy = float(ai.sum(axis=1, dtype=np.float64) @ self._ys / area)
            col = np.tensordot(ai, frame, axes=([0, 1], [0, 1])) / area
            s = solid[i]
            self.centers[i, t] = (cx, cy)
            self.areas[i, t] = area
            self.colors[i, t] = col
            self.visible[i, t] = True
            self.border[i, t] = bool(s[0].any() or s[-1].any() or s[:, 0].any() or s[:, -1].any())
            # touching (a 1-px gap or less) or overlapping another object's mask: occlusion,
            # contact; size and colour are unreliable there, as with the classical tracker
            self.merged[i, t] = any(
                j != i and bool((grown[i] & solid[j]).any()) for j in range(self.n)
            )

    def tracks(self, video: Video, fps: float) -> Tracks:
        stats = _frame_stats(video.frames)
        radii = np.sqrt(np.maximum(self.areas, 0) / np.pi)
        return Tracks(
            centers=self.centers,
            radii=radii,
            areas=self.areas,
            colors=self.colors,
            visible=self.visible,
            merged=self.merged,
            at_border=self.border,
            fps=float(fps),
            size=(self.H, self.W),
            **stats,
        )


def _frame_stats(frames: np.ndarray) -> dict[str, Any]:
    """Background, noise and frame-to-frame change of a video, as the classical tracker reports.

    ``frame_diff`` (mean absolute difference of consecutive frames) is what the stutter check
    reads; the others describe the video for the report.
    """
    T = frames.shape[0]
    frame_diff = np.mean(np.abs(np.diff(frames, axis=0)), axis=(1, 2, 3))
    # the background from at most 64 evenly spaced frames bounds the cost on long clips
    idx = np.unique(np.linspace(0, T - 1, min(T, 64)).round().astype(int))
    bg = temporal_median(frames[idx])
    resid = (frames[idx] - bg[None]).reshape(-1)
    step = max(1, resid.size // 40_000)
    sample = resid[::step]
    sigma = float(1.4826 * np.median(np.abs(sample - np.median(sample))))
    thr = max(0.06, 5 * sigma)
    change = np.empty(T - 1)
    for t in range(T - 1):
        d = np.abs(frames[t + 1] - frames[t]).max(axis=-1)
        change[t] = float(np.mean(d > thr))
    return {
        "background": bg,
        "noise": sigma,
        "threshold": float(max(0.06, 4 * sigma)),
        "gain": np.ones(T),
        "frame_change": change,
        "frame_diff": frame_diff,
    }


def tracks_from_masks(
    masks: Any,
    video: Video | np.ndarray,
    *,
    fps: float | None = None,
    min_area: float = 2.0,
) -> Tracks:
    """Turn per-object masks into :class:`~vidkit.probes.tracking.Tracks`.

    Args:
        masks: ``[n, T, H, W]`` bool masks or coverage in [0, 1], on the video's pixel grid (one
            mask per object and frame; an empty mask means not visible).
        video: the video the masks belong to (for colours and the frame statistics).
        fps: override the video's frame rate.
        min_area: a mask with less coverage (px) counts as not visible.

    Returns:
        Tracks with, per object and frame: the coverage-weighted centroid ``(x, y)`` (x = column,
        y = row, pixel centres at integer coordinates), area (summed coverage), radius
        ``sqrt(area / pi)``, mean colour under the mask, ``visible``, ``at_border`` (the mask
        reaches the first or last row or column) and ``merged`` (the mask touches or overlaps
        another object's mask).

    Example:
        >>> import numpy as np, vidkit as vk
        >>> v = vk.Video(np.zeros((4, 16, 16, 3)), fps=8)
        >>> m = np.zeros((1, 4, 16, 16), bool)
        >>> m[0, :, 4:8, 6:10] = True
        >>> tr = tracks_from_masks(m, v)
        >>> tr.centers[0, 0].tolist(), float(tr.areas[0, 0])
        ([7.5, 5.5], 16.0)
    """
    v = _video(video)
    if type(masks).__module__.startswith("torch"):
        masks = masks.detach().cpu().numpy()
    m = np.asarray(masks)
    if m.ndim != 4:
        raise ValueError(
            f"masks must be [n, T, H, W] (objects, frames, rows, columns), got {m.shape}"
        )
    T, H, W = v.num_frames, v.height, v.width
    if m.shape[1:] != (T, H, W):
        raise ValueError(
            f"masks of shape {m.shape} do not fit the video ({T} frames of {H}x{W}); expected "
            f"({m.shape[0]}, {T}, {H}, {W})"
        )
    if not (m.dtype == bool or np.issubdtype(m.dtype, np.number)):
        raise TypeError(f"masks must be bool or numeric, got dtype {m.dtype}")
    if m.dtype != bool and (np.nanmin(m, initial=0) < 0 or np.nanmax(m, initial=0) > 1):
        raise ValueError("numeric masks must be coverage in [0, 1]")
    f = v.fps if fps is None else float(fps)
    if not np.isfinite(f) or f <= 0:
        raise ValueError(f"fps must be a positive number, got {fps!r}")
    acc = _MaskStats(m.shape[0], T, H, W, min_area)
    for t in range(T):
        acc.add(t, m[:, t], v.frames[t])
    return acc.tracks(v, f)


# --------------------------------------------------------------------------- prompts
def prompts_from_tracks(tr: Tracks, *, max_objects: int | None = None) -> list[Prompt]:
    """One point prompt per tracked object: its centroid at its first clean frame.

    A clean frame is one where the object is visible, whole (not at the border) and not merged
    with another object; an object without one is prompted at its first visible frame. With
    ``max_objects``, the objects seen in the most frames are kept (in their order in ``tr``).

    Example:
        >>> prompts_from_tracks(vk.probes.track(scene.video))  # doctest: +SKIP
        [{'frame': 0, 'points': [(12.0, 20.5)], 'labels': [1]}]
    """
    keep = list(range(tr.n_objects))
    if max_objects is not None and len(keep) > int(max_objects):
        # the objects seen in the most frames (the rest are more likely noise or clutter)
        seen_frames = tr.visible.sum(axis=1)
        keep = sorted(sorted(keep, key=lambda i: -int(seen_frames[i]))[: int(max_objects)])
    out: list[Prompt] = []
    for i in keep:
        good = np.flatnonzero(tr.reliable(i))
        seen = np.flatnonzero(tr.visible[i])
        fr = good if good.size else seen
        if fr.size == 0:
            continue
        t = int(fr[0])
        x, y = (float(c) for c in tr.centers[i, t])
        out.append({"frame": t, "points": [(x, y)], "labels": [1]})
    return out


def _check_prompts(prompts: Sequence[Prompt], T: int, H: int, W: int) -> list[Prompt]:
    if isinstance(prompts, dict) or not isinstance(prompts, Iterable):
        raise TypeError(
            f"prompts must be a list of dicts (one per object), got {type(prompts).__name__}"
        )
    out = []
    for k, p in enumerate(prompts):
        if not isinstance(p, dict):
            raise TypeError(f"prompt {k} must be a dict, got {type(p).__name__}")
        unknown = set(p) - {"frame", "points", "labels", "box"}
        if unknown:
            raise ValueError(
                f"prompt {k} has unknown keys {sorted(unknown)}; expected frame, points, labels, box"
            )
        t = int(p.get("frame", 0))
        if not 0 <= t < T:
            raise ValueError(f"prompt {k}: frame {t} is outside the video's {T} frames")
        pts = p.get("points")
        box = p.get("box")
        if pts is None and box is None:
            raise ValueError(f"prompt {k} needs 'points' or a 'box'")
        q: Prompt = {"frame": t}
        if pts is not None:
            arr = np.asarray(pts, dtype=np.float64).reshape(-1, 2) if len(pts) else None
            if arr is None or not np.isfinite(arr).all():
                raise ValueError(f"prompt {k}: points must be finite (x, y) pairs, got {pts!r}")
            labels = p.get("labels", [1] * len(arr))
            if len(labels) != len(arr):
                raise ValueError(f"prompt {k}: {len(arr)} points but {len(labels)} labels")
            q["points"] = [(float(x), float(y)) for x, y in arr]
            q["labels"] = [int(v) for v in labels]
        if box is not None:
            b = np.asarray(box, dtype=np.float64).reshape(-1)
            if b.size != 4 or not np.isfinite(b).all() or b[2] <= b[0] or b[3] <= b[1]:
                raise ValueError(f"prompt {k}: box must be (x0, y0, x1, y1) with x1>x0, y1>y0")
            q["box"] = tuple(float(c) for c in b)
        for x, y in q.get("points", []) + ([q["box"][:2], q["box"][2:]] if "box" in q else []):
            if not (-0.5 <= x <= W - 0.5 and -0.5 <= y <= H - 0.5):
                raise ValueError(
                    f"prompt {k}: ({x:g}, {y:g}) lies outside the {W}x{H} frame (x = column, "
                    "y = row, in the video's pixels)"
                )
        out.append(q)
    if not out:
        raise ValueError("no prompts: give at least one object to track")
    return out


# --------------------------------------------------------------------------- SAM 2 family
def _config_file(path: str, name: str) -> str | None:
    """A processor configuration file of a local folder, or of a hub id already in the cache."""
    if os.path.isdir(path):
        fn = os.path.join(path, name)
        return fn if os.path.isfile(fn) else None
    try:
        from huggingface_hub import try_to_load_from_cache

        fn = try_to_load_from_cache(path, name)  # reads the cache only, never downloads
    except Exception:
        return None
    return fn if isinstance(fn, str) and os.path.isfile(fn) else None


def _read_norm(path: str) -> tuple[tuple[float, ...], tuple[float, ...]] | None:
    """``(image_mean, image_std)`` from the model's processor configuration, if there is one."""

    def find(obj: Any) -> tuple[Any, Any] | None:
        if isinstance(obj, dict):
            if "image_mean" in obj and "image_std" in obj:
                return obj["image_mean"], obj["image_std"]
            for v in obj.values():
                r = find(v)
                if r is not None:
                    return r
        return None

    for name in (
        "video_preprocessor_config.json",
        "preprocessor_config.json",
        "processor_config.json",
    ):
        fn = _config_file(path, name)
        if fn is not None:
            with open(fn) as fh:
                r = find(json.load(fh))
            if r is not None:
                mean, std = r
                if isinstance(mean, (int, float)):
                    mean = [mean] * 3
                if isinstance(std, (int, float)):
                    std = [std] * 3
                return tuple(float(x) for x in mean), tuple(float(x) for x in std)
    return None


class Sam2VideoTracker:
    """Tracks from a promptable video segmentation model of transformers (SAM 2, EdgeTAM, SAM 3).

    The model is loaded with ``<ModelClass>.from_pretrained(model)`` from a local folder (as written
    by ``save_pretrained``) or a hub id such as ``"facebook/sam2.1-hiera-tiny"``,
    ``"yonigozlan/EdgeTAM-hf"`` or ``"facebook/sam3"``; ``trust_remote_code`` is never set.

    Frames are prepared as transformers' ``Sam2VideoVideoProcessor`` does (resized to the model's
    square input with antialiased bilinear interpolation, scaled to [0, 1], normalised with the
    processor's mean and std, read from the folder when it holds a processor configuration), and
    prompts are scaled to that square as ``Sam2VideoProcessor`` scales them; transformers'
    processor itself is not needed (it requires torchvision). The objects are then propagated
    with the model's video inference session (``model(inference_session, frame_idx)`` on each
    prompted frame, then ``model.propagate_in_video_iterator``), and each mask is upsampled to the
    video's size (bilinear, logits > 0), so every position is in the original pixel coordinates.

    Args:
        model: local folder or hub id, or an already loaded model of one of the families.
        family: ``"sam2"``, ``"edgetam"`` or ``"sam3"``; None reads it from the model's config.
        device: torch device (``"cpu"``, ``"cuda"``...).
        dtype: torch dtype of the model and session (e.g. ``torch.bfloat16`` on a GPU); default
            float32.
        prompts: the objects to track, one :data:`Prompt` per object in the video's pixel
            coordinates; None prompts every object the classical tracker finds (its centroid at
            its first clean frame, see :func:`prompts_from_tracks`). Can also be given per call.
        max_objects: at most this many objects from the classical tracker (default 8).
        min_area: masks covering fewer pixels count as not visible.
        offload_video: keep the prepared frames on the CPU (GPU memory then holds only the
            model, its cache and one frame at a time).
        progress: show a tqdm progress bar while propagating.

    Example:
        >>> import torch
        >>> sam = Sam2VideoTracker("facebook/sam2.1-hiera-tiny", device="cuda",
        ...                        dtype=torch.bfloat16)  # doctest: +SKIP
        >>> tr = sam(video)  # doctest: +SKIP
        >>> tr.centers.shape  # (objects, frames, 2)  # doctest: +SKIP
        (2, 48, 2)
    """

    def __init__(
        self,
        model: Any,
        *,
        family: str | None = None,
        device: Any = "cpu",
        dtype: Any = None,
        prompts: Sequence[Prompt] | None = None,
        max_objects: int = 8,
        min_area: float = 2.0,
        offload_video: bool = True,
        progress: bool = False,
    ) -> None:
        import torch
        import transformers

        self.dtype = torch.float32 if dtype is None else dtype
        if not isinstance(self.dtype, torch.dtype):
            raise TypeError(f"dtype must be a torch.dtype such as torch.bfloat16, got {dtype!r}")
        self.device = torch.device(device)
        norm = None
        if isinstance(model, (str, os.PathLike)):
            path = os.fspath(model)
            if os.path.exists(os.path.expanduser(path)):
                path = os.path.expanduser(path)
            if family is None:
                cfg = transformers.AutoConfig.from_pretrained(path)
                family = _family_of(getattr(cfg, "model_type", ""), path)
            norm = _read_norm(path)
        elif isinstance(model, torch.nn.Module):
            if family is None:
                family = _family_of(getattr(model.config, "model_type", ""), type(model).__name__)
        else:
            raise TypeError(
                "model must be a local folder, a hub id or a loaded transformers video model, "
                f"got {type(model).__name__}"
            )
        if family not in MODEL_FAMILIES:
            raise ValueError(f"family must be one of {sorted(MODEL_FAMILIES)}, got {family!r}")
        self.family = family
        model_cls_name, session_name, mean, std = MODEL_FAMILIES[family]
        model_cls = getattr(transformers, model_cls_name, None)
        self._session_cls = getattr(transformers, session_name, None)
        if model_cls is None or self._session_cls is None:
            raise ImportError(
                f"the {family!r} family needs transformers' {model_cls_name} and {session_name}, "
                f"which transformers {transformers.__version__} does not have; upgrade transformers"
            )
        if isinstance(model, torch.nn.Module):
            if not isinstance(model, model_cls):
                raise TypeError(
                    f"family {family!r} needs a {model_cls_name}, got {type(model).__name__}"
                )
            self.model = model
        else:
            self.model = model_cls.from_pretrained(path)
        self.model = self.model.to(device=self.device, dtype=self.dtype).eval()
        self.mean, self.std = norm if norm is not None else (mean, std)
        size = self.model.config.image_size
        self.image_size = int(size if isinstance(size, int) else size[0])
        self.prompts = prompts
        self.max_objects = int(max_objects)
        self.min_area = float(min_area)
        self.offload_video = bool(offload_video)
        self.progress = bool(progress)

    def __repr__(self) -> str:
        return (
            f"Sam2VideoTracker({type(self.model).__name__}, family={self.family!r}, "
            f"input {self.image_size}px, device={self.device}, dtype={self.dtype})"
        )

    # ---------------------------------------------------------------- steps
    def _pixels(self, frames: np.ndarray) -> Any:
        """``[T, 3, S, S]`` normalised model input (as Sam2VideoVideoProcessor prepares it)."""
        import torch
        import torch.nn.functional as F

        S = self.image_size
        store = torch.device("cpu") if self.offload_video else self.device
        out = torch.empty((frames.shape[0], 3, S, S), dtype=self.dtype, device=store)
        mean = torch.tensor(self.mean, dtype=torch.float32).view(1, 3, 1, 1)
        std = torch.tensor(self.std, dtype=torch.float32).view(1, 3, 1, 1)
        for a in range(0, frames.shape[0], 16):
            # the processor resizes uint8 frames: quantise as it would see them
            x = np.round(frames[a : a + 16] * 255.0) / 255.0
            t = torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32)).permute(0, 3, 1, 2)
            t = F.interpolate(t, size=(S, S), mode="bilinear", align_corners=False, antialias=True)
            out[a : a + 16] = ((t - mean) / std).to(store, self.dtype)
        return out

    def _add_prompt(self, session: Any, obj_id: int, p: Prompt, H: int, W: int) -> None:
        """Points and box scaled to the model's square input, as Sam2VideoProcessor does."""
        import torch

        sx, sy = self.image_size / W, self.image_size / H
        coords: list[tuple[float, float]] = []
        labels: list[int] = []
        if "box" in p:
            x0, y0, x1, y1 = p["box"]
            coords += [(x0 * sx, y0 * sy), (x1 * sx, y1 * sy)]
            labels += [2, 3]
        for (x, y), lab in zip(p.get("points", []), p.get("labels", [])):
            coords.append((x * sx, y * sy))
            labels.append(lab)
        idx = session.obj_id_to_idx(obj_id)
        session.add_point_inputs(
            idx,
            p["frame"],
            {
                "point_coords": torch.tensor([[coords]], dtype=torch.float32),
                "point_labels": torch.tensor([[labels]], dtype=torch.int32),
            },
        )
        session.remove_mask_inputs(idx, p["frame"])

    def __call__(self, video: Any, prompts: Sequence[Prompt] | None = None) -> Tracks:
        """Track the prompted objects of ``video``; object ``i`` of the Tracks is prompt ``i``.

        Example:
            >>> tr = sam(video, prompts=[{"frame": 0, "box": (10, 12, 22, 24)}])  # doctest: +SKIP
        """
        import torch
        import torch.nn.functional as F

        v = _video(video)
        T, H, W = v.num_frames, v.height, v.width
        prompts = prompts if prompts is not None else self.prompts
        if prompts is None:
            prompts = prompts_from_tracks(track(v), max_objects=self.max_objects)
            if not prompts:
                return _MaskStats(0, T, H, W, self.min_area).tracks(v, v.fps)
        prompts = _check_prompts(prompts, T, H, W)
        n = len(prompts)
        session = self._session_cls(
            video=self._pixels(v.frames),
            video_height=H,
            video_width=W,
            inference_device=self.device,
            inference_state_device=self.device,
            video_storage_device=torch.device("cpu") if self.offload_video else self.device,
            dtype=self.dtype,
        )
        acc = _MaskStats(n, T, H, W, self.min_area)
        seen = np.zeros(T, bool)

        def take(out: Any) -> None:
            t = int(out.frame_idx)
            if seen[t]:
                return
            ids = [int(i) for i in out.object_ids]
            if sorted(ids) != list(range(n)):
                raise RuntimeError(f"the model returned object ids {ids}, expected 0..{n - 1}")
            logits = out.pred_masks.detach().float()
            if logits.ndim == 3:
                logits = logits[:, None]
            up = F.interpolate(logits, size=(H, W), mode="bilinear", align_corners=False)
            masks = np.zeros((n, H, W), bool)
            masks[ids] = (up[:, 0] > 0).cpu().numpy()
            present = np.ones(n, bool)
            score = out.object_score_logits
            if score is not None:
                present[ids] = (score.detach().float().reshape(len(ids)) > 0).cpu().numpy()
            acc.add(t, masks, v.frames[t], present)
            seen[t] = True

        with torch.inference_mode():
            frames = sorted({p["frame"] for p in prompts})
            # each prompted frame in turn: its objects are added, then the frame is segmented
            # (objects already known are tracked into it from their memory)
            for t in frames:
                for k, p in enumerate(prompts):
                    if p["frame"] == t:
                        self._add_prompt(session, k, p, H, W)
                session.obj_with_new_inputs = [k for k, p in enumerate(prompts) if p["frame"] == t]
                self.model(inference_session=session, frame_idx=t)
            first = frames[0]
            for out in self.model.propagate_in_video_iterator(
                session, start_frame_idx=first, show_progress_bar=self.progress
            ):
                take(out)
            if first > 0:
                for out in self.model.propagate_in_video_iterator(
                    session, start_frame_idx=first, reverse=True, show_progress_bar=self.progress
                ):
                    take(out)
        return acc.tracks(v, v.fps)


def _family_of(model_type: str, name: str) -> str:
    fam = _MODEL_TYPES.get(str(model_type).lower())
    if fam is not None:
        return fam
    low = str(name).lower()
    for key in ("edgetam", "sam3", "sam2"):
        if key in low:
            return key
    raise ValueError(
        f"cannot tell the model family of {name!r} (model_type {model_type!r}); pass "
        f"family= one of {sorted(MODEL_FAMILIES)}"
    )


# --------------------------------------------------------------------------- CoTracker
def _query_points(cx: float, cy: float, r: float, k: int) -> np.ndarray:
    """The centre and ``k - 1`` points on a circle of half the radius around it."""
    pts = [(cx, cy)]
    m = k - 1
    for j in range(m):
        ang = 2 * np.pi * j / max(m, 1)
        pts.append((cx + 0.5 * r * np.cos(ang), cy + 0.5 * r * np.sin(ang)))
    return np.asarray(pts, dtype=np.float64)


class CoTrackerTracker:
    """Tracks from CoTracker 3 point tracks, loaded with ``torch.hub.load`` from a local clone.

    ``torch.hub.load(repo_dir, entry, source="local", pretrained=False)`` builds the predictor
    (nothing downloaded), then the checkpoint is read with ``torch.load(weights_only=True)`` (or
    safetensors for a ``.safetensors`` file) into ``predictor.model``. The predictor is called as
    CoTracker's ``CoTrackerPredictor``: ``predictor(video [1, T, 3, H, W] float 0..255,
    queries=[1, N, 3] (t, x, y))`` -> ``(tracks [1, T, N, 2], visibility [1, T, N])`` in the
    video's pixel coordinates.

    The classical tracker finds the objects; each gets ``points_per_object`` query points (its
    centroid and points at half its radius around it) at its first clean frame. Per frame, the
    object's centre is the median over its visible points of ``position - offset`` (the offset of
    each point from the centre at the query frame); the object is visible where at least half of
    its points are. Radius, area and colour come from the classical tracker where it saw the
    object whole, else from the object's median there (a point tracker has no extent).

    Args:
        repo_dir: local clone of ``facebookresearch/co-tracker`` (holding ``hubconf.py``).
        checkpoint: local checkpoint file (e.g. ``scaled_offline.pth`` of ``facebook/cotracker3``).
        entry: the hub entry point (``"cotracker3_offline"``; ``"cotracker2"`` for older ones).
        device: torch device.
        points_per_object: query points per object (>= 1).
        max_objects: at most this many objects from the classical tracker.

    Example:
        >>> co = CoTrackerTracker("~/co-tracker", "~/ckpt/scaled_offline.pth",
        ...                       device="cuda")  # doctest: +SKIP
        >>> vk.probes.gravity(co(video))  # doctest: +SKIP
    """

    def __init__(
        self,
        repo_dir: str | os.PathLike,
        checkpoint: str | os.PathLike,
        *,
        entry: str = "cotracker3_offline",
        device: Any = "cpu",
        points_per_object: int = 9,
        max_objects: int = 8,
    ) -> None:
        import torch

        repo = os.path.expanduser(os.fspath(repo_dir))
        ckpt = os.path.expanduser(os.fspath(checkpoint))
        if not os.path.isfile(os.path.join(repo, "hubconf.py")):
            raise ValueError(
                f"repo_dir {repo!r} is not a local torch.hub repository (no hubconf.py); clone "
                "facebookresearch/co-tracker there"
            )
        if not os.path.isfile(ckpt):
            raise ValueError(f"checkpoint {ckpt!r} is not a file")
        if int(points_per_object) < 1:
            raise ValueError(f"points_per_object must be >= 1, got {points_per_object}")
        self.device = torch.device(device)
        predictor = torch.hub.load(repo, entry, source="local", pretrained=False)
        if ckpt.endswith(".safetensors"):
            from safetensors.torch import load_file

            state = load_file(ckpt)
        else:
            state = torch.load(ckpt, map_location="cpu", weights_only=True)
        if isinstance(state, dict) and "model" in state and isinstance(state["model"], dict):
            state = state["model"]
        target = getattr(predictor, "model", predictor)
        target.load_state_dict(state)
        self.predictor = predictor.to(self.device).eval()
        self.entry = entry
        self.points_per_object = int(points_per_object)
        self.max_objects = int(max_objects)

    def __repr__(self) -> str:
        return (
            f"CoTrackerTracker({self.entry}, {self.points_per_object} points per object, "
            f"device={self.device})"
        )

    def __call__(self, video: Any) -> Tracks:
        """Track the objects the classical tracker finds in ``video`` with CoTracker's points."""
        import torch

        v = _video(video)
        T, H, W = v.num_frames, v.height, v.width
        base = track(v)
        objs = list(range(min(base.n_objects, self.max_objects)))
        n, k = len(objs), self.points_per_object
        centers = np.full((n, T, 2), np.nan)
        visible = np.zeros((n, T), bool)
        queries, offsets, owner = [], [], []
        for o, i in enumerate(objs):
            good = np.flatnonzero(base.reliable(i))
            fr = good if good.size else np.flatnonzero(base.visible[i])
            t0 = int(fr[0])
            cx, cy = base.centers[i, t0]
            r = float(base.radii[i, t0]) if np.isfinite(base.radii[i, t0]) else 1.0
            pts = _query_points(float(cx), float(cy), r, k)
            pts[:, 0] = np.clip(pts[:, 0], 0, W - 1)
            pts[:, 1] = np.clip(pts[:, 1], 0, H - 1)
            for p in pts:
                queries.append((t0, p[0], p[1]))
                offsets.append((p[0] - cx, p[1] - cy))
                owner.append(o)
        if n:
            vid = torch.from_numpy(np.ascontiguousarray(v.frames.transpose(0, 3, 1, 2)))
            vid = (vid.float() * 255.0)[None].to(self.device)
            q = torch.tensor(queries, dtype=torch.float32, device=self.device)[None]
            with torch.no_grad():
                tr, vis = self.predictor(vid, queries=q)
            tr = tr.detach().float().cpu().numpy()
            vis = vis.detach().cpu().numpy()
            if tr.shape != (1, T, len(queries), 2) or vis.shape[:3] != (1, T, len(queries)):
                raise RuntimeError(
                    f"the point tracker returned tracks {tr.shape} and visibility {vis.shape}; "
                    f"expected (1, {T}, {len(queries)}, 2) and (1, {T}, {len(queries)})"
                )
            vis = vis.reshape(1, T, len(queries)) > 0.5
            off = np.asarray(offsets)
            own = np.asarray(owner)
            for o in range(n):
                sel = own == o
                pos = tr[0][:, sel] - off[sel][None]  # [T, k, 2]
                vs = vis[0][:, sel]  # [T, k]
                for t in range(T):
                    if vs[t].sum() * 2 >= sel.sum() and vs[t].any():
                        centers[o, t] = np.median(pos[t, vs[t]], axis=0)
                        visible[o, t] = True
        # extent and colour from the classical tracker
        radii = np.full((n, T), np.nan)
        colors = np.full((n, T, 3), np.nan)
        merged = np.zeros((n, T), bool)
        border = np.zeros((n, T), bool)
        for o, i in enumerate(objs):
            whole = base.reliable(i)
            ref_r = (
                np.nanmedian(base.radii[i, whole]) if whole.any() else np.nanmedian(base.radii[i])
            )
            ref_c = (
                np.nanmedian(base.colors[i, whole], axis=0)
                if whole.any()
                else np.nanmedian(base.colors[i], axis=0)
            )
            for t in np.flatnonzero(visible[o]):
                near = base.visible[i, t] and np.hypot(
                    *(base.centers[i, t] - centers[o, t])
                ) <= max(2.0, ref_r)
                if near and whole[t]:
                    radii[o, t], colors[o, t] = base.radii[i, t], base.colors[i, t]
                else:
                    radii[o, t], colors[o, t] = ref_r, ref_c
                    merged[o, t] = bool(near and base.merged[i, t])
                x, y = centers[o, t]
                border[o, t] = bool(
                    x - radii[o, t] < 0
                    or y - radii[o, t] < 0
                    or x + radii[o, t] > W - 1
                    or y + radii[o, t] > H - 1
                )
        for o in range(n):
            for p in range(o + 1, n):
                both = visible[o] & visible[p]
                d = np.hypot(*(centers[o] - centers[p]).T)
                close = both & (d <= radii[o] + radii[p] + 1.0)
                merged[o] |= close
                merged[p] |= close
        return Tracks(
            centers=centers,
            radii=radii,
            areas=np.pi * radii**2,
            colors=colors,
            visible=visible,
            merged=merged,
            at_border=border,
            fps=base.fps,
            size=(H, W),
            background=base.background,
            noise=base.noise,
            threshold=base.threshold,
            gain=base.gain,
            frame_change=base.frame_change,
            frame_diff=base.frame_diff,
        )


def as_tracker(tracker: Any) -> Callable[[Video], Tracks]:
    """Check that ``tracker`` is ``"classical"`` or a callable ``tracker(video) -> Tracks``.

    Example:
        >>> as_tracker("classical") is track
        True
    """
    if tracker is None or (isinstance(tracker, str) and tracker == "classical"):
        return track
    if callable(tracker):
        return tracker
    raise ValueError(
        f"tracker must be 'classical' or a callable video -> Tracks (such as Sam2VideoTracker or "
        f"CoTrackerTracker), got {tracker!r}"
    )
