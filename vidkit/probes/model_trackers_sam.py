"""SAM 2 / EdgeTAM / SAM 3 video masks as Tracks: :class:`Sam2VideoTracker` and its prompts.

:class:`Sam2VideoTracker` loads a promptable video segmentation model from transformers
(``Sam2VideoModel``, ``EdgeTamVideoModel`` or ``Sam3TrackerVideoModel``, see
:data:`MODEL_FAMILIES`) from a local folder or a hub id. Each object is prompted (a :data:`Prompt`:
points or a box at a frame; by default the centroid of every object the classical tracker finds, at
its first clean frame, :func:`prompts_from_tracks`) and propagated through the video with
transformers' video inference session; each object's mask per frame becomes its centroid, area,
radius, colour and visibility (:class:`~vidkit.probes.model_trackers_masks.MaskStats`).

Example:
    >>> import vidkit as vk
    >>> from vidkit.probes.model_trackers_sam import MODEL_FAMILIES, prompts_from_tracks
    >>> sorted(MODEL_FAMILIES)
    ['edgetam', 'sam2', 'sam3']
    >>> clip = vk.synth.render("collision", seed=0).video
    >>> [(p["frame"], len(p["points"])) for p in prompts_from_tracks(vk.probes.track(clip))]
    [(0, 1), (0, 1)]
    >>> sam = Sam2VideoTracker("facebook/sam2.1-hiera-tiny", device="cuda")  # doctest: +SKIP
    >>> sam(clip).n_objects  # doctest: +SKIP
    2
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from vidkit.probes.model_trackers_masks import MaskStats, tracker_video
from vidkit.probes.tracking import Tracks, track

__all__ = ["MODEL_FAMILIES", "Prompt", "Sam2VideoTracker", "prompts_from_tracks"]

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

        v = tracker_video(video)
        T, H, W = v.num_frames, v.height, v.width
        prompts = prompts if prompts is not None else self.prompts
        if prompts is None:
            prompts = prompts_from_tracks(track(v), max_objects=self.max_objects)
            if not prompts:
                return MaskStats(0, T, H, W, self.min_area).tracks(v, v.fps)
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
        acc = MaskStats(n, T, H, W, self.min_area)
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
