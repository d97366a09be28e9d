"""``vk.sweep``: :func:`~vidkit.sampling.generation.generate` over a grid of settings.

Any knob of :mod:`vidkit.sampling.knobs` is an axis too (``cache=[None, "first-block"]``), and
``evaluate=`` scores every setting (physics probes, FVD/KVD in the SynthEncoder space against
``vk.synth`` references) next to its time per video; :func:`speed_quality_chart` draws the trade-off.

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
import math
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from vidkit.sampling.generation import check_settings, generate
from vidkit.video import Video

__all__ = ["EVALUATIONS", "SweepResult", "speed_quality_chart", "sweep"]

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
    # the speed knobs (vidkit.sampling.knobs)
    "cache",
    "attention_backend",
    "compile",
    "lora",
    "lora_scale",
)

#: the named evaluations of :meth:`SweepResult.evaluate`
EVALUATIONS = ("physics", "fvd", "kvd")


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
        self._cells = [{a: r.get(a) for a in axes} for r in rows]  # values as given (None kept)
        self.scores: Any = None

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
            col = self.table[k]
            mask &= (col.isna() if v is None else col == v).to_numpy()
        hits = np.flatnonzero(mask)
        if len(hits) != 1:
            raise KeyError(f"{params} matches {len(hits)} cells, expected one")
        return self._videos[int(hits[0])]

    def evaluate(
        self,
        metrics: str | Sequence[Any] | Mapping[str, Callable[..., float]] = ("physics",),
        *,
        reference: Sequence[Video] | None = None,
        over: Sequence[str] = ("seed",),
    ) -> Any:
        """Score every setting: one row per grid cell without the ``over`` axes (the videos of
        the different seeds of a setting form its set), with its time per video.

        Args:
            metrics: names from :data:`EVALUATIONS` and/or ``{name: fn(videos) -> float}``:
                ``"physics"`` is the mean share of physics probes passed
                (:meth:`vidkit.probes.PhysicsReport.physics_score`; higher is better),
                ``"fvd"``/``"kvd"`` the distances in the SynthEncoder space to ``reference``
                (lower is better; at least 2 videos per setting).
            reference: the reference videos of FVD/KVD; ``None`` renders ``vk.synth`` scenes (every
                kind, 8 seeds at least) at the generated videos' size, length and fps.
            over: the axes a setting's videos vary over (default the seed).

        Returns:
            A pandas DataFrame (also stored as ``.scores``): the setting's axes, ``label``,
            ``n_videos``, ``time_per_video_s`` (mean pipeline wall time), one column per metric.

        Example:
            >>> import vidkit as vk
            >>> pipe = vk.load("vidkit/tiny-physics")
            >>> res = vk.sweep(pipe, prompt="a ball bounces", seed=[0, 1], steps=[2, 8],
            ...                progress=False)
            >>> scores = res.evaluate(["physics", "fvd"])
            >>> scores[["steps", "n_videos"]].values.tolist()
            [[2, 2], [8, 2]]
            >>> bool((scores["fvd"] > 0).all())
            True
        """
        import pandas as pd

        named, fns = _metric_functions(metrics)
        group_axes = [a for a in self.axes if a not in over]
        groups: dict[tuple, list[int]] = {}
        for i, cell in enumerate(self._cells):
            key = tuple(_key(cell[a]) for a in group_axes)
            groups.setdefault(key, []).append(i)
        if {"fvd", "kvd"} & set(named):
            if any(len(ix) < 2 for ix in groups.values()):
                raise ValueError(
                    f"fvd/kvd need at least 2 videos per setting; sweep a list of seeds "
                    f"(over={list(over)})"
                )
            if reference is None:
                reference = synth_reference(self._videos[0], max(8, *map(len, groups.values())))
        rows = []
        for ix in groups.values():
            first = self._cells[ix[0]]
            vids = [self._videos[i] for i in ix]
            row = {a: first[a] for a in group_axes}
            row["label"] = ", ".join(f"{a}={_short(first[a])}" for a in group_axes) or "all"
            row["n_videos"] = len(vids)
            times = [v.metadata.get("wall_time_s") for v in vids]
            row["time_per_video_s"] = (
                float(np.mean(times)) if all(t is not None for t in times) else float("nan")
            )
            for name in named:
                row[name] = _named_metric(name, vids, reference)
            for name, fn in fns.items():
                row[name] = float(fn(vids))
            rows.append(row)
        self.scores = pd.DataFrame(rows)
        return self.scores

    def chart(self, metrics: Sequence[str] | None = None) -> Any:
        """The time-per-video vs score chart of :meth:`evaluate`'s scores (see
        :func:`speed_quality_chart`)."""
        if self.scores is None:
            raise ValueError("no scores yet: call .evaluate(...) or sweep(..., evaluate=...)")
        return speed_quality_chart(self.scores, metrics)

    def _repr_html_(self) -> str:
        from vidkit.display import show

        cols = len(next(reversed(self.axes.values()))) if self.axes else None
        return show(self.videos(), columns=cols, return_html=True)

    def __repr__(self) -> str:
        shape = " x ".join(f"{k}[{len(v)}]" for k, v in self.axes.items()) or "1"
        return f"SweepResult({shape} = {len(self)} videos)"


def sweep(
    pipe: Any,
    *,
    evaluate: Any = None,
    reference: Sequence[Video] | None = None,
    **params: Any,
) -> SweepResult:
    """Run :func:`generate` over the grid of every list-valued parameter.

    Any of ``prompt, seed, guidance, steps, strength, scheduler, num_frames, height, width,
    negative_prompt`` and the knobs ``cache, attention_backend, compile, lora, lora_scale`` may be
    a list (``cache=[None, "first-block"]``: off and on); the grid is their product (first axis
    slowest). Other arguments (``image``, ``video``, pipeline kwargs) are passed to every call.
    ``evaluate=`` (e.g. ``["physics", "fvd", "kvd"]``) scores each setting over its seeds with
    :meth:`SweepResult.evaluate` (``reference`` as there); the scores are ``result.scores`` and
    ``result.chart()`` draws time per video against each score.

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
    res = SweepResult(axes, rows, videos)
    if evaluate is not None:
        res.evaluate(evaluate, reference=reference)
    return res


def _key(v: Any) -> Any:
    try:
        hash(v)
        return v
    except TypeError:
        return repr(v)


def _metric_functions(metrics: Any) -> tuple[list[str], dict[str, Callable[..., float]]]:
    if isinstance(metrics, str):
        metrics = [metrics]
    if isinstance(metrics, Mapping):
        named, fns = [], dict(metrics)
    else:
        named, fns = [], {}
        for m in metrics:
            if isinstance(m, str):
                named.append(m)
            elif callable(m):
                fns[getattr(m, "__name__", f"metric{len(fns)}")] = m
            else:
                raise TypeError(f"a metric must be a name or a callable, got {type(m).__name__}")
    bad = [m for m in named if m not in EVALUATIONS]
    if bad:
        raise ValueError(
            f"unknown metrics {bad}; named ones are {list(EVALUATIONS)} (or callables)"
        )
    for name, fn in fns.items():
        if not callable(fn):
            raise TypeError(f"metric {name!r} must be callable fn(videos) -> float")
    return named, fns


def synth_reference(like: Video, n: int = 8) -> list[Video]:
    """``n`` ``vk.synth`` scenes (cycling over every kind) at ``like``'s size, length and fps: the
    default FVD/KVD reference of a sweep on the tiny physics model.

    Example:
        >>> import numpy as np, vidkit as vk
        >>> ref = synth_reference(vk.Video(np.zeros((12, 32, 48, 3)), fps=8), 4)
        >>> len(ref), ref[0].shape
        (4, (12, 32, 48, 3))
    """
    from vidkit import synth

    size = (max(16, like.height), max(16, like.width))
    return [
        synth.render(
            synth.KINDS[i % len(synth.KINDS)],
            seed=i,
            size=size,
            frames=max(6, like.num_frames),
            fps=float(like.fps),
        ).video
        for i in range(n)
    ]


def _named_metric(name: str, videos: list[Video], reference: Sequence[Video] | None) -> float:
    if name == "physics":
        from vidkit.probes import physics

        scores = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for v in videos:
                s = physics(v).physics_score(untracked=0.0)["score"]
                scores.append(s)
        finite = [s for s in scores if s is not None and math.isfinite(s)]
        return float(np.mean(finite)) if finite else float("nan")
    from vidkit import metrics

    fn = metrics.fvd if name == "fvd" else metrics.kvd
    extra = {"warn": False} if name == "fvd" else {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return float(fn(list(reference or []), videos, extractor="synth", weights=None, **extra))


def speed_quality_chart(scores: Any, metrics: Sequence[str] | None = None) -> Any:
    """Time per video (x) against each score (y), one panel per metric, one labelled point per
    setting: the speed-vs-quality trade-off of a sweep. Returns a figure that shows itself in a
    notebook (a :class:`vidkit.display.strips.ShownFigure`, like ``vk.frame_strip``).

    Example:
        >>> import pandas as pd
        >>> scores = pd.DataFrame({"label": ["steps=2", "steps=8"], "time_per_video_s": [0.1, 0.4],
        ...                        "physics": [0.5, 1.0], "n_videos": [2, 2]})
        >>> fig = speed_quality_chart(scores)
        >>> fig._repr_png_()[:4], [ax.get_ylabel() for ax in fig.axes]
        (b'\\x89PNG', ['physics (higher is better)'])
    """
    from pandas.api.types import is_numeric_dtype

    from vidkit.display.strips import new_figure

    if "time_per_video_s" not in getattr(scores, "columns", ()):
        raise ValueError("scores must be SweepResult.evaluate's table (with time_per_video_s)")
    skip = {"label", "n_videos", "time_per_video_s"}
    numeric = [
        c
        for c in scores.columns
        if c not in skip and is_numeric_dtype(scores[c]) and c in _metric_cols(scores)
    ]
    metrics = list(metrics) if metrics is not None else numeric
    missing = [m for m in metrics if m not in scores.columns]
    if missing or not metrics:
        raise ValueError(f"no score columns {missing or ''} to chart; the scores have {numeric}")
    fig = new_figure(figsize=(4.2 * len(metrics), 3.4))
    axes = fig.subplots(1, len(metrics), squeeze=False)[0]
    x = scores["time_per_video_s"].to_numpy(float)
    for ax, m in zip(axes, metrics):
        y = scores[m].to_numpy(float)
        ax.plot(x, y, "o", color="tab:blue")
        for xi, yi, lab in zip(x, y, scores["label"]):
            ax.annotate(str(lab), (xi, yi), fontsize=7, xytext=(3, 3), textcoords="offset points")
        better = "higher" if m == "physics" else "lower" if m in ("fvd", "kvd") else None
        ax.set_ylabel(f"{m} ({better} is better)" if better else m)
        ax.set_xlabel("seconds per video")
        ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def _metric_cols(scores: Any) -> list[str]:
    """The metric columns: those after ``time_per_video_s`` in evaluate's table."""
    cols = list(scores.columns)
    return cols[cols.index("time_per_video_s") + 1 :]


def _short(v: Any) -> str:
    s = str(v)
    return s if len(s) <= 40 else s[:37] + "..."
