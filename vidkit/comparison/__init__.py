"""Compare video models end to end: models x prompts x seeds -> run store -> metrics -> leaderboard.

:func:`compare` generates every (model, prompt, seed) video once into a :class:`~vidkit.store.RunStore`
(resumable: kill it, run it again, only the missing items are made), evaluates each video once
(physics probes, CLIP score: cached per video) and each model once (FVD / KVD against a reference
set: cached per model), and returns a :class:`Leaderboard` with means, bootstrap 95% confidence
intervals, per-prompt breakdowns, ranks, plots and side-by-side videos.

Models are load specs (hub ids, local folders, ``"vidkit/tiny-physics"``), loaded pipelines, or any
callable ``fn(prompt, seed, **settings) -> Video`` (such as :class:`SynthModel`, which renders the
prompt's scene with exact physics). A dict ``{"model": spec, "steps": 8}`` (or :class:`Model`)
attaches settings to a model, so two settings of one model compare like two models.

Under ``accelerate launch`` (``accelerate launch -m vidkit compare ...``) generation, per-video
evaluation and feature extraction are split between the processes; FVD/KVD statistics are merged
across them (``torch.distributed``), and every process returns the same leaderboard as a single
process would.

Example:
    >>> import tempfile
    >>> import vidkit as vk
    >>> from vidkit.comparison import SynthModel
    >>> models = {"physics": SynthModel(), "teleports": SynthModel("teleport")}
    >>> prompts = ["a red ball falls", "a blue ball bounces to the right on a grey floor"]
    >>> store = tempfile.mkdtemp()
    >>> vk.compare(models, prompts, seeds=[0], store=store, progress=False).best()
    'physics'
    >>> more = vk.compare(models, prompts, seeds=[0, 1], store=store, progress=False)
    >>> len(more.store)  # 2 models x 2 prompts x 2 seeds; only the seed-1 videos were made now
    8
"""

from __future__ import annotations

from vidkit.comparison.leaderboard import Leaderboard
from vidkit.comparison.metrics import (
    ClipMetric,
    DistributionMetric,
    Metric,
    PhysicsMetric,
    VideoMetric,
    as_metric,
    physics_findings,
    physics_score,
)
from vidkit.comparison.models import REFERENCE, SynthModel, as_model, as_models
from vidkit.comparison.prompts import load_prompts, prompt_suites
from vidkit.comparison.run import compare
from vidkit.sampling.identity import Model
from vidkit.store import RunStore

__all__ = [
    "compare",
    "Leaderboard",
    "Model",
    "SynthModel",
    "Metric",
    "VideoMetric",
    "PhysicsMetric",
    "ClipMetric",
    "DistributionMetric",
    "as_metric",
    "as_model",
    "as_models",
    "physics_score",
    "physics_findings",
    "load_prompts",
    "prompt_suites",
    "RunStore",
    "REFERENCE",
]
