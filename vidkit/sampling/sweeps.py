"""``vk.sweep``: :func:`~vidkit.sampling.generation.generate` over a grid of settings.

Example:
    >>> import vidkit as vk
    >>> pipe = vk.testing.tiny_pipeline("wan", "t2v")
    >>> grid = vk.sweep(pipe, prompt="a ball", seed=[0, 1], guidance=[1.0, 5.0], steps=2,
    ...                 progress=False)
    >>> grid.table["seed"].tolist(), grid.table["guidance"].tolist()
    ([0, 0, 1, 1], [1.0, 5.0, 1.0, 5.0])
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np

from vidkit.sampling.generation import check_settings, generate
from vidkit.video import Video

__all__ = ["SweepResult", "sweep"]

_SWEEPABLE = (
    "prompt",
    "seed",
    "guidance",
    "steps",
    "strength",
    "scheduler",
    "num_frames",
    "height",
    "width",
    "negative_prompt",
)


class SweepResult(Mapping):
    """The results of :func:`sweep`: a table of parameters and one Video per grid cell.

    It is a mapping ``{label: Video}`` (so ``vk.show(result)`` shows a labelled grid), with
    ``.table`` (a pandas DataFrame: one row per cell, the swept parameters, label, wall time and
    the Video's index) and ``.videos()`` (the mapping as a dict).

    Example:
        >>> import vidkit as vk
        >>> pipe = vk.testing.tiny_pipeline("wan", "t2v")
        >>> res = vk.sweep(pipe, prompt="a ball", seed=[0, 1], guidance=[2, 6], steps=2,
        ...                progress=False)
        >>> res.table[["seed", "guidance", "label"]].values.tolist()[:2]
        [[0, 2, 'seed=0, guidance=2'], [0, 6, 'seed=0, guidance=6']]
        >>> res.get_video(seed=1, guidance=6).metadata["guidance"]
        6.0
        >>> vk.show(res)  # doctest: +SKIP
    """

    def __init__(self, axes: dict[str, list[Any]], rows: list[dict[str, Any]], videos: list[Video]):
        import pandas as pd

        self.axes = axes
        self._videos = videos
        self.table = pd.DataFrame(rows)

    def __getitem__(self, key: str | int) -> Video:
        if isinstance(key, (int, np.integer)):
            return self._videos[int(key)]
        labels = list(self.table["label"])
        if key not in labels:
            raise KeyError(f"no cell labelled {key!r}; labels: {labels}")
        return self._videos[labels.index(key)]

    def __iter__(self) -> Iterator[str]:
        return iter(list(self.table["label"]))

    def __len__(self) -> int:
        return len(self._videos)

    def videos(self) -> dict[str, Video]:
        """``{label: Video}`` in grid order."""
        return dict(zip(self.table["label"], self._videos))

    def get_video(self, **params: Any) -> Video:
        """The Video of the cell with these parameter values (e.g. ``seed=1, guidance=6``)."""
        unknown = set(params) - set(self.axes)
        if unknown:
            raise KeyError(f"{sorted(unknown)} are not swept axes; axes: {list(self.axes)}")
        mask = np.ones(len(self.table), bool)
        for k, v in params.items():
            mask &= (self.table[k] == v).to_numpy()
        hits = np.flatnonzero(mask)
        if len(hits) != 1:
            raise KeyError(f"{params} matches {len(hits)} cells, expected one")
        return self._videos[int(hits[0])]

    def _repr_html_(self) -> str:
        from vidkit.display import show

        cols = len(next(reversed(self.axes.values()))) if self.axes else None
        return show(self.videos(), columns=cols, return_html=True)

    def __repr__(self) -> str:
        shape = " x ".join(f"{k}[{len(v)}]" for k, v in self.axes.items()) or "1"
        return f"SweepResult({shape} = {len(self)} videos)"


def sweep(pipe: Any, **params: Any) -> SweepResult:
    """Run :func:`generate` over the grid of every list-valued parameter.

    Any of ``prompt, seed, guidance, steps, strength, scheduler, num_frames, height, width,
    negative_prompt`` may be a list; the grid is their product (first axis slowest). Other
    arguments (``image``, ``video``, pipeline kwargs) are passed to every call.

    Example:
        >>> import vidkit as vk
        >>> pipe = vk.testing.tiny_pipeline("wan", "t2v")
        >>> res = vk.sweep(pipe, prompt="a ball", seed=[0, 1], guidance=[2.0, 6.0], steps=2,
        ...                progress=False)
        >>> list(res)  # doctest: +NORMALIZE_WHITESPACE
        ['seed=0, guidance=2.0', 'seed=0, guidance=6.0', 'seed=1, guidance=2.0',
         'seed=1, guidance=6.0']
    """
    axes: dict[str, list[Any]] = {}
    fixed: dict[str, Any] = {}
    for k, v in params.items():
        if k in _SWEEPABLE and isinstance(v, (list, tuple)):
            if not v:
                raise ValueError(f"sweep axis {k!r} is empty")
            axes[k] = list(v)
        else:
            fixed[k] = v
    if "record" in fixed and fixed["record"] is not None and not isinstance(fixed["record"], str):
        raise ValueError(
            "sweep records trajectories with record='trajectory' (a recorder is shared)"
        )
    rows: list[dict[str, Any]] = []
    videos: list[Video] = []
    combos = list(itertools.product(*axes.values())) if axes else [()]
    checked = (
        "steps",
        "guidance",
        "strength",
        "fps",
        "num_frames",
        "height",
        "width",
        "batch_size",
    )
    for combo in combos:  # every cell's settings, before the first generation
        cell = {**fixed, **dict(zip(axes, combo))}
        check_settings(**{k: cell[k] for k in checked if k in cell})
    for combo in combos:
        cell = dict(zip(axes, combo))
        label = ", ".join(f"{k}={_short(v)}" for k, v in cell.items()) or "default"
        v = generate(pipe, **fixed, **cell)
        if isinstance(v, list):  # pragma: no cover - guarded by axes handling
            raise ValueError("sweep cells must produce one video; pass lists as axes")
        videos.append(v)
        rows.append(
            {
                **cell,
                "label": label,
                "wall_time_s": v.metadata.get("wall_time_s"),
                "seed_used": v.metadata.get("seed"),
            }
        )
    return SweepResult(axes, rows, videos)


def _short(v: Any) -> str:
    s = str(v)
    return s if len(s) <= 40 else s[:37] + "..."
