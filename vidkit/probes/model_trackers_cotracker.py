"""CoTracker 3 point tracks as Tracks: :class:`CoTrackerTracker`.

CoTracker is loaded through ``torch.hub.load`` on a local clone of its repository and a local
checkpoint (nothing downloaded). A few query points on each object (found by the classical tracker)
are tracked; the object's centre per frame is the median of its points' positions (each shifted by
its offset from the centre at the query frame); its radius and colour come from the classical
tracker.

Example:
    >>> from vidkit.probes.model_trackers_cotracker import CoTrackerTracker
    >>> CoTrackerTracker("/nowhere/co-tracker", "/nowhere/scaled_offline.pth")
    Traceback (most recent call last):
    ...
    ValueError: repo_dir '/nowhere/co-tracker' is not a local torch.hub repository (no hubconf.py); clone facebookresearch/co-tracker there
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from vidkit.probes.model_trackers_masks import tracker_video
from vidkit.probes.tracking import Tracks, track

__all__ = ["CoTrackerTracker"]


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

        v = tracker_video(video)
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
