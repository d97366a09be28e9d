"""The metrics of a comparison: per-video metrics (physics probes, CLIP score) and per-model
distribution metrics (FVD, KVD with bootstrap CIs), and :func:`as_metric` to name them.
"""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from vidkit.files import jsonable, stable_hash
from vidkit.sampling.identity import code_fingerprint, folder_fingerprint
from vidkit.video import Video


class Metric:
    """A metric of a comparison and how to read it.

    Attributes:
        name: the column name in the leaderboard.
        higher_is_better: the direction (declared by every metric; ranks follow it).
        scope: ``"video"`` (a value per video, averaged with a bootstrap CI) or ``"model"`` (one
            value per model against a reference set, e.g. FVD).
        description: one line shown in reports.
    """

    name: str = "metric"
    higher_is_better: bool = True
    scope: str = "video"
    description: str = ""

    def config(self) -> dict[str, Any]:
        """What the cached results depend on (hashed into :attr:`cache_id`)."""
        return {}

    @property
    def cache_id(self) -> str:
        return f"{self.name}-{stable_hash({'class': type(self).__name__, **self.config()}, 12)}"

    def directions(self) -> dict[str, bool]:
        """``{column: higher_is_better}`` for the columns this metric makes (beyond its name,
        columns ``name.sub`` inherit the metric's direction)."""
        return {self.name: self.higher_is_better}

    def __repr__(self) -> str:
        arrow = "higher is better" if self.higher_is_better else "lower is better"
        return f"{type(self).__name__}({self.name!r}, {arrow}, per {self.scope})"


class VideoMetric(Metric):
    """A per-video metric from a function ``fn(video, item) -> float | dict``.

    ``item`` is the prompt row plus ``model``, ``seed`` and ``settings``. A dict return gives several
    columns: the key equal to ``name`` (or ``"score"``) is the headline, other keys ``k`` become
    columns ``name.k``.

    Example:
        >>> brightness = VideoMetric("brightness", lambda v, item: float(v.frames.mean()),
        ...                          higher_is_better=True)
        >>> import numpy as np
        >>> import vidkit as vk
        >>> brightness.evaluate(vk.Video(np.ones((2, 8, 8, 3))), {})
        {'brightness': 1.0}
    """

    scope = "video"

    def __init__(
        self,
        name: str,
        fn: Callable[[Video, dict[str, Any]], Any],
        *,
        higher_is_better: bool = True,
        version: str = "1",
        description: str = "",
    ) -> None:
        if not isinstance(name, str) or not name or "." in name:
            raise ValueError(f"a metric name must be a non-empty string without '.', got {name!r}")
        if not callable(fn):
            raise TypeError(f"fn must be callable fn(video, item), got {type(fn).__name__}")
        if not isinstance(higher_is_better, bool):
            raise TypeError(f"higher_is_better must be True or False, got {higher_is_better!r}")
        self.name = name
        self.fn = fn
        self.higher_is_better = higher_is_better
        self.version = str(version)
        self.description = description

    def config(self) -> dict[str, Any]:
        fn = self.fn
        return {
            "fn": f"{getattr(fn, '__module__', '?')}.{getattr(fn, '__qualname__', type(fn).__name__)}",
            "version": self.version,
        }

    def setup(self) -> None:
        """Load what the metric needs (called once per process before the first video)."""

    def evaluate(self, video: Video, item: Mapping[str, Any]) -> dict[str, float]:
        """The metric's columns for one video."""
        out = self.fn(video, dict(item))
        return self._columns(out)

    def _columns(self, out: Any) -> dict[str, float]:
        if isinstance(out, Mapping):
            cols: dict[str, float] = {}
            for k, v in out.items():
                col = self.name if k in (self.name, "score") else f"{self.name}.{k}"
                cols[col] = _as_float(v, f"{self.name}[{k!r}]")
            return cols
        return {self.name: _as_float(out, self.name)}


def _as_float(v: Any, what: str) -> float:
    if v is None:
        return float("nan")
    if isinstance(v, bool):
        return float(v)
    try:
        return float(v)
    except (TypeError, ValueError):
        raise TypeError(
            f"metric value {what} must be a number, got {type(v).__name__} {v!r}"
        ) from None


class PhysicsMetric(VideoMetric):
    """Physics-consistency probes (:func:`vidkit.probes.physics`) per video.

    Columns (all higher is better, in [0, 1]):

    - ``physics``: the share of the probes that judged the video and passed (gravity, bounce,
      permanence, conservation, continuity, smoothness, flicker; warping error, dynamic degree
      and shot cuts are information only). 1 means no violation was found.
    - ``physics.<probe>``: 1 if that probe passed, 0 if it failed, empty where it did not apply
      (a probe-score profile: its mean is the probe's pass rate over a model's videos).
    - ``physics.tracked``: 1 when a moving object was found and tracked.
    - ``physics.cannot_judge``: 1 when the probes could not judge the video (verdict "cannot
      judge": a camera motion that cannot be compensated, clutter, frames too small...); such a
      video has no ``physics`` score (left out of the mean, never counted as a pass), and the
      column's sum over a model's videos is how many were not judged.

    A video in which no moving object can be tracked scores ``untracked`` (default 0: every
    prompt of the suites asks for a moving object, so a video without one has failed it; pass
    ``untracked=float("nan")`` to leave such videos out of the mean instead).

    Args:
        untracked: the ``physics`` score of a video with no tracked object.
        **probe_kwargs: passed to ``vk.probes.physics`` (``expected_g``, ``flow``...).

    Example:
        >>> import vidkit as vk
        >>> m = PhysicsMetric()
        >>> m.evaluate(vk.synth.render("bounce", seed=0).video, {})["physics"]
        1.0
    """

    def __init__(self, *, untracked: float = 0.0, **probe_kwargs: Any) -> None:
        super().__init__("physics", self._run, higher_is_better=True)
        self.untracked = float(untracked)
        self.probe_kwargs = dict(probe_kwargs)
        self.description = (
            "share of the applicable physics probes that passed (vk.probes.physics); "
            "physics.<probe>: that probe's pass rate"
        )

    def config(self) -> dict[str, Any]:
        return {
            "probes": code_fingerprint("vidkit.probes"),
            "kwargs": jsonable(self.probe_kwargs),
            "untracked": self.untracked if math.isfinite(self.untracked) else "nan",
        }

    def directions(self) -> dict[str, bool]:
        # fewer videos the probes cannot judge is better (the column is a count per model)
        return {self.name: True, f"{self.name}.cannot_judge": False}

    def _run(self, video: Video, item: dict[str, Any]) -> dict[str, float]:
        from vidkit.probes import physics

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            report = physics(video, **self.probe_kwargs)
        return physics_score(report, untracked=self.untracked)


def physics_score(report: Any, *, untracked: float = 0.0) -> dict[str, float]:
    """``{"score": pass share, "<probe>": 1/0/NaN, "tracked": 1/0, "cannot_judge": 1/0}`` from a
    PhysicsReport: :meth:`vidkit.probes.PhysicsReport.physics_score`, with a type check.

    Example:
        >>> import vidkit as vk
        >>> scores = physics_score(vk.probes.physics(vk.synth.render("free_fall", seed=0).video))
        >>> scores["score"], scores["gravity"], scores["bounce"]  # a fall has no bounce to judge
        (1.0, 1.0, nan)
    """
    from vidkit.probes import PhysicsReport

    if not isinstance(report, PhysicsReport):
        raise TypeError(f"expected a vk.probes PhysicsReport, got {type(report).__name__}")
    return report.physics_score(untracked=untracked)


def physics_findings(video: Any) -> tuple[str, float, dict[str, float], Any]:
    """The physics probes on one video: its verdict, physics score, per-probe pass (1/0/NaN) and
    tracking columns, and the findings table (one row per finding).

    Example:
        >>> import vidkit as vk
        >>> verdict, score, probes, findings = physics_findings(vk.synth.render("free_fall", seed=0).video)
        >>> verdict, score, probes["tracked"]
        ('pass', 1.0, 1.0)
    """
    from vidkit.probes import physics

    report = physics(video)
    scores = physics_score(report)
    score = scores.pop("score")
    return str(report.verdict), score, scores, report.table


class ClipMetric(VideoMetric):
    """CLIP score of each video against its prompt (:func:`vidkit.metrics.clip_score`: 100 x the
    frame-averaged cosine of text and frame, not clamped per video); higher is better.

    Args:
        model: a CLIP hub id (default ``openai/clip-vit-base-patch32``, the usual CLIPSIM
            model), a local folder, or a loaded ``(model, processor)`` pair (e.g. the tiny offline
            CLIP of :func:`vidkit.metrics.clip.make_tiny_clip` in tests).
        **kwargs: passed to ``clip_score`` (``frames``, ``preprocess``...).

    Example:
        >>> import tempfile
        >>> import vidkit as vk
        >>> from vidkit.metrics.clip import make_tiny_clip
        >>> m = ClipMetric(make_tiny_clip(tempfile.mkdtemp()))  # a random tiny CLIP, offline
        >>> row = m.evaluate(vk.synth.render("bounce", seed=0).video, {"prompt": "a ball bounces"})
        >>> list(row)
        ['clip']
        >>> ClipMetric("openai/clip-vit-base-patch32")  # the usual CLIPSIM model  # doctest: +SKIP
    """

    def __init__(self, model: Any = None, **kwargs: Any) -> None:
        super().__init__("clip", self._run, higher_is_better=True)
        for bad in ("model", "per_sample_clamp"):
            if bad in kwargs:
                raise ValueError(f"{bad!r} is set by ClipMetric")
        self.model = model
        self.kwargs = dict(kwargs)
        self._loaded: Any = None
        self.description = "CLIP score: 100 x cosine(prompt, frame), mean over frames"

    def config(self) -> dict[str, Any]:
        from vidkit.metrics.clip import DEFAULT_CLIP_MODEL

        model = self.model if self.model is not None else DEFAULT_CLIP_MODEL
        if isinstance(model, (str, os.PathLike)):
            path = Path(model).expanduser()
            ident: Any = (
                {"folder": str(path.resolve()), "files": folder_fingerprint(path)}
                if path.is_dir()
                else {"id": os.fspath(model)}
            )
        elif isinstance(model, (tuple, list)) and len(model) == 2:
            from vidkit.metrics.extractors import hash_state_dict

            ident = {"weights": hash_state_dict(model[0])}
        else:
            raise TypeError(
                "ClipMetric model must be a hub id, a folder or a (model, processor) pair, got "
                f"{type(model).__name__}"
            )
        return {"model": ident, "kwargs": jsonable(self.kwargs)}

    def setup(self) -> None:
        if self._loaded is None:
            from vidkit.metrics.clip import DEFAULT_CLIP_MODEL, load_clip

            self._loaded = load_clip(self.model if self.model is not None else DEFAULT_CLIP_MODEL)

    def _run(self, video: Video, item: dict[str, Any]) -> float:
        from vidkit.metrics.clip import clip_score

        self.setup()
        res = clip_score([video], [item["prompt"]], model=self._loaded, **self.kwargs)
        return float(res.per_video[0])


class DistributionMetric(Metric):
    """FVD or KVD of each model's videos against the reference set (lower is better), with a
    bootstrap confidence interval; features are cached per video in the store.

    Args:
        kind: ``"fvd"`` or ``"kvd"``.
        extractor: ``"synth"`` (vidkit's offline :class:`~vidkit.metrics.SynthEncoder`, for
            synthetic physics scenes), ``"i3d"`` (the FVD network; give ``weights``),
            ``"videomae"``, or a :class:`~vidkit.metrics.FeatureExtractor`.
        preset: the FVD protocol (``"styleganv"``...). For the synth extractor the protocol takes
            every frame (up to the shortest video) at the encoder's resolution.
        n_bootstrap: bootstrap resamples for the CI (0: none).
        **kwargs: passed to :class:`vidkit.metrics.FVD` / ``KVD`` (``weights``, ``num_frames``...).

    Example:
        >>> import vidkit as vk
        >>> m = DistributionMetric("fvd", extractor="synth", n_bootstrap=50)
        >>> real = [vk.synth.render("bounce", seed=s).video for s in range(4)]
        >>> fake = [vk.synth.render("bounce", seed=s, violation="teleport").video for s in range(4, 8)]
        >>> m.bind(min(v.num_frames for v in real + fake))
        >>> res = m.compute(m.features(fake), m.features(real))
        >>> res["n"], 0 <= res["low"] <= res["value"] <= res["high"]
        (4, True)
        >>> DistributionMetric("fvd", extractor="i3d", weights="i3d_pretrained_400.pt")  # doctest: +SKIP
    """

    scope = "model"

    def __init__(
        self,
        kind: str = "fvd",
        extractor: Any = "synth",
        *,
        preset: str = "styleganv",
        n_bootstrap: int = 200,
        ci: float = 0.95,
        seed: int = 0,
        **kwargs: Any,
    ) -> None:
        if kind not in ("fvd", "kvd"):
            raise ValueError(f"kind must be 'fvd' or 'kvd', got {kind!r}")
        if isinstance(n_bootstrap, bool) or not isinstance(n_bootstrap, int) or n_bootstrap < 0:
            raise ValueError(f"n_bootstrap must be an int >= 0, got {n_bootstrap!r}")
        if not 0 < ci < 1:
            raise ValueError(f"ci must be in (0, 1), got {ci!r}")
        self.name = kind
        self.kind = kind
        self.higher_is_better = False
        self.extractor = extractor
        self.preset = preset
        self.n_bootstrap = int(n_bootstrap)
        self.ci = float(ci)
        self.seed = int(seed)
        self.kwargs = dict(kwargs)
        self._metric: Any = None
        self._frames: int | None = None
        self.description = (
            f"{kind.upper()} against the reference set ({self._extractor_name()} features); "
            "lower is better"
        )

    def _extractor_name(self) -> str:
        ex = self.extractor
        return ex if isinstance(ex, str) else getattr(ex, "name", type(ex).__name__)

    def bind(self, num_frames: int) -> None:
        """Fix the protocol for videos of ``num_frames`` frames (the shortest in the run)."""
        self._frames = int(num_frames)
        self._metric = None

    def _build(self) -> Any:
        if self._metric is None:
            from vidkit.metrics.video_distance import FVD, KVD

            kw = dict(self.kwargs)
            kw.setdefault("progress", False)
            if self._extractor_name() in ("synth", "synth-encoder"):
                from vidkit.metrics.synth_encoder import SIZE

                if self._frames is not None:
                    kw.setdefault("num_frames", self._frames)
                kw.setdefault("resolution", SIZE)
            cls = FVD if self.kind == "fvd" else KVD
            if cls is FVD:
                kw["keep_features"] = True
            self._metric = cls(self.extractor, preset=self.preset, **kw)
        return self._metric

    def feature_id(self) -> str:
        """Cache id of the features (shared by FVD and KVD with the same extractor/protocol)."""
        m = self._build()
        ident = {
            "protocol": jsonable(m.protocol.provenance()),
            "extractor": m.extractor.name,
            "weights": getattr(m.extractor, "weight_hash", None),
        }
        safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in str(m.extractor.name))
        return f"{safe.strip('_') or 'extractor'}-{stable_hash(ident, 12)}"

    def config(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "features": self.feature_id(),
            "n_bootstrap": self.n_bootstrap,
            "ci": self.ci,
            "seed": self.seed,
        }

    def features(self, videos: Sequence[Video]) -> np.ndarray:
        """Protocol-prepared feature rows ``[len(videos), d]``."""
        return self._build().features(list(videos))

    def compute(self, fake: np.ndarray, real: np.ndarray) -> dict[str, Any]:
        """The distance of this process's ``fake`` rows against its ``real`` rows, merged over all
        processes (``torch.distributed``) when several run; returns value, CI and provenance.

        The point estimate is :class:`vidkit.metrics.FVD` / ``KVD`` ``.compute()`` on the merged
        statistics. The CI is :func:`vidkit.metrics.bootstrap` (bias-corrected, as
        ``FVD.compute`` does: resampling duplicates rows, which inflates both distances) over the
        merged feature rows, computed in the span of the rows when
        there are fewer rows than feature dimensions: an orthonormal change of basis inside a
        subspace holding every row leaves every Fréchet distance and dot product unchanged, and
        makes each resample's eigendecomposition (n + m)-dimensional instead of d-dimensional.
        """
        from vidkit.metrics.frechet import GaussianStats
        from vidkit.metrics.intervals import distance_interval

        m = self._build()
        m.reset()
        m.update_features(real, real=True)
        m.update_features(fake, real=False)
        low = high = float("nan")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            score = m.compute(seed=self.seed) if self.kind == "kvd" else m.compute(warn=False)
            prov = jsonable(score.provenance)
            if self.n_bootstrap:
                # every process gets all rows, in rank order = the canonical order of the items
                r_all = GaussianStats(keep_features=True).update(real).sync().features
                f_all = GaussianStats(keep_features=True).update(fake).sync().features
                fd = {"ddof": m.protocol.cov_ddof, "fd_method": m.protocol.fd_method}
                b = distance_interval(
                    self.kind,
                    r_all,
                    f_all,
                    **(fd if self.kind == "fvd" else {}),
                    n_resamples=self.n_bootstrap,
                    ci=self.ci,
                    seed=self.seed,
                )
                low, high = b.low, b.high
                prov["bootstrap"] = {
                    "resamples": self.n_bootstrap,
                    "ci": self.ci,
                    "method": b.method,
                    "bias": b.bias,
                    "seed": self.seed,
                    "rows_span": int(min(r_all.shape[1], len(r_all) + len(f_all))),
                }
        return {
            "value": float(score),
            "low": float(low),
            "high": float(high),
            "n": int(prov.get("n_fake", len(fake))),
            "n_reference": int(prov.get("n_real", len(real))),
            "provenance": prov,
        }


def as_metric(metric: Any) -> Metric:
    """A :class:`Metric` from a name (``"physics"``, ``"clip"``, ``"fvd"``, ``"kvd"``,
    ``"fvd:i3d"``), a Metric, or a ``(name, fn, higher_is_better)`` tuple.

    Example:
        >>> as_metric("fvd").higher_is_better
        False
    """
    if isinstance(metric, Metric):
        return metric
    if isinstance(metric, tuple) and len(metric) == 3 and callable(metric[1]):
        return VideoMetric(metric[0], metric[1], higher_is_better=metric[2])
    if isinstance(metric, str):
        name, _, arg = metric.partition(":")
        name = name.strip().lower()
        if name in ("physics", "probes"):
            return PhysicsMetric()
        if name == "clip":
            return ClipMetric(arg or None)
        if name in ("fvd", "kvd"):
            return DistributionMetric(name, arg or "synth")
        raise ValueError(
            f"unknown metric {metric!r}; built-in: 'physics', 'clip[:model]', 'fvd[:extractor]', "
            "'kvd[:extractor]', or pass a Metric / (name, fn, higher_is_better)"
        )
    raise TypeError(
        f"a metric must be a name, a vidkit.comparison.Metric or (name, fn, higher_is_better); "
        f"got {type(metric).__name__}"
    )
