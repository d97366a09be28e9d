"""CLIP score (text-video alignment) and CLIP consistency (temporal stability) for videos.

Two measures, both on CLIP embeddings computed frame by frame:

- :func:`clip_score` / :class:`CLIPScore`: the "CLIPSIM" of text-to-video papers. Each frame is
  compared with its prompt, ``100 * cos(E_text, E_frame)``, the per-frame scores are averaged over
  the sampled frames of a video, and the per-video scores over the set. The clamp at 0 follows
  torchmetrics (applied to the *mean*); ``per_sample_clamp=True`` clamps every frame-prompt pair
  first, as the CLIPScore paper does (Hessel et al. 2021, ``w * max(cos, 0)``; vidkit keeps the
  x100 scale instead of the paper's ``w = 2.5``).
- :func:`clip_consistency`: VBench's ``background_consistency`` formula on CLIP image features:
  for every frame ``t >= 1``, ``1/2 [max(0, cos(f_{t-1}, f_t)) + max(0, cos(f_0, f_t))]``, averaged
  over the frames of a video (and over all frames of the set for the overall score, as VBench).

Model: ``openai/clip-vit-base-patch32`` (ViT-B/32) is the usual CLIPSIM model of text-to-video
papers and EvalCrafter; VBench's background consistency also uses ViT-B/32. torchmetrics defaults to
ViT-L/14: scores from different CLIP models are **not comparable** (ViT-L/14 scores run several
points lower). Every result carries its model name and a hash of its weights.

Preprocessing, two documented choices (``preprocess=``):

- ``"processor"`` (default of :func:`clip_score`, as torchmetrics and EvalCrafter): the model's own
  ``CLIPImageProcessor`` (shortest edge to 224 with PIL bicubic, center crop 224, /255, CLIP
  mean/std). Frames are handed to it as **uint8**, so nothing is rescaled twice (float frames in
  [0, 1] given straight to a CLIP processor are divided by 255 again: a common bug).
- ``"vbench"`` (default of :func:`clip_consistency`, as VBench ``clip_transform``): on uint8
  tensors, torch bicubic resize of the short side to 224 (antialiased, rounded back to uint8, as
  torchvision >= 0.17 does), center crop 224, /255, CLIP mean/std.

Loading the model, embedding frames and prompts, and the tiny random CLIP for tests
(:func:`~vidkit.metrics.clip_model.make_tiny_clip`) are in :mod:`vidkit.metrics.clip_model`;
``load_clip``, ``make_tiny_clip`` and ``DEFAULT_CLIP_MODEL`` import from here too.

Example:
    >>> import vidkit as vk
    >>> res = vk.metrics.clip_score(videos, ["a red ball bounces"] * len(videos))  # doctest: +SKIP
    >>> res.score, res.per_video, res.provenance["model"]  # doctest: +SKIP
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from vidkit.metrics.clip_model import CLIP_MEAN as CLIP_MEAN  # the old import paths
from vidkit.metrics.clip_model import CLIP_STD as CLIP_STD
from vidkit.metrics.clip_model import (
    DEFAULT_CLIP_MODEL,
    TEXT_MAX_TOKENS,
    ModelSpec,
    image_features,
    load_clip,
    make_tiny_clip,
    model_name,
    text_features,
    weight_hash,
)
from vidkit.metrics.extractors import FeatureExtractor
from vidkit.video import Video, as_video

__all__ = [
    "DEFAULT_CLIP_MODEL",
    "CLIPScore",
    "CLIPScoreResult",
    "CLIPConsistencyResult",
    "CLIPFeatures",
    "clip_score",
    "clip_consistency",
    "clip_image_features",
    "clip_text_features",
    "load_clip",
    "make_tiny_clip",
]

_PREPROCESS = ("processor", "vbench")


# --------------------------------------------------------------------------- results
@dataclass
class _VideoScores:
    """What both CLIP results hold: the set's score, per-video and per-frame values, provenance."""

    score: float
    per_video: np.ndarray
    per_frame: list[np.ndarray] = field(repr=False)
    provenance: dict[str, Any]

    def __float__(self) -> float:
        return float(self.score)


@dataclass
class CLIPScoreResult(_VideoScores):
    """Result of :func:`clip_score`.

    Attributes:
        score: the set's CLIP score (x100 scale), clamped at 0 as the provenance says.
        per_video: per-video scores (frame-averaged; not clamped unless ``per_sample_clamp``).
        per_frame: per-video arrays of per-frame scores (unclamped), in sampled-frame order.
        provenance: model, weight hash, frames, clamp convention, preprocessing, N.
    """

    def __repr__(self) -> str:
        p = self.provenance
        return (
            f"CLIPScoreResult(score={self.score:.4f}, n={len(self.per_video)}, "
            f"model={p.get('model')!r}, frames={p.get('frames')!r}, clamp={p.get('clamp')!r})"
        )


@dataclass
class CLIPConsistencyResult(_VideoScores):
    """Result of :func:`clip_consistency` (values in [0, 1]; 1 = every frame alike).

    Attributes:
        score: frame-weighted mean over the set (VBench's ``sim / cnt``).
        per_video: per-video mean over frames ``t >= 1`` (1.0 for a one-frame video, as VBench).
        per_frame: per-video arrays of the per-frame terms (length ``T - 1``).
        provenance: model, weight hash, frames, preprocessing, formula, N.
    """

    def __repr__(self) -> str:
        return (
            f"CLIPConsistencyResult(score={self.score:.4f}, n={len(self.per_video)}, "
            f"model={self.provenance.get('model')!r})"
        )


# --------------------------------------------------------------------------- inputs
def _as_videos(videos: Any) -> list[Video]:
    if isinstance(videos, Video):
        return [videos]
    if isinstance(videos, (str, bytes)) or not isinstance(videos, Sequence):
        if isinstance(videos, np.ndarray) or type(videos).__module__.startswith("torch"):
            raise TypeError(
                f"videos must be a Video or a list of videos, got an array of shape "
                f"{tuple(videos.shape)}; split a batch with vk.unstack(batch, layout=...)"
            )
        raise TypeError(f"videos must be a Video or a list of videos, got {type(videos).__name__}")
    out = []
    for i, v in enumerate(videos):
        try:
            out.append(as_video(v))
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"video {i}: {exc}") from None
    if not out:
        raise ValueError("videos is empty; give at least one video")
    return out


def _as_prompts(prompts: Any, n: int) -> list[str]:
    if isinstance(prompts, str):
        prompts = [prompts]
    if not isinstance(prompts, Sequence):
        raise TypeError(
            f"prompts must be a string or a list of strings, got {type(prompts).__name__}"
        )
    prompts = list(prompts)
    if not prompts:
        raise ValueError("prompts is empty; give one prompt per video")
    for i, p in enumerate(prompts):
        if not isinstance(p, str):
            raise TypeError(f"prompt {i} is {type(p).__name__}, expected a string")
    if len(prompts) != n:
        raise ValueError(
            f"got {n} videos but {len(prompts)} prompts; give exactly one prompt per video"
        )
    return prompts


def _frame_indices(num: int, frames: int | None) -> np.ndarray:
    if frames is None or frames >= num:
        return np.arange(num)
    return np.unique(np.round(np.linspace(0, num - 1, frames)).astype(int))


def _check_frames(frames: Any) -> int | None:
    if frames is None:
        return None
    if isinstance(frames, bool) or not isinstance(frames, (int, np.integer)):
        raise TypeError(f"frames must be None (all frames) or an int, got {type(frames).__name__}")
    if frames < 1:
        raise ValueError(f"frames must be >= 1, got {frames}")
    return int(frames)


def _check_preprocess(preprocess: str) -> str:
    if preprocess not in _PREPROCESS:
        raise ValueError(f"preprocess must be one of {_PREPROCESS}, got {preprocess!r}")
    return preprocess


def _check_batch(batch_size: Any) -> int:
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)):
        raise TypeError(f"batch_size must be an int, got {type(batch_size).__name__}")
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    return int(batch_size)


def _frame_features(
    vids: list[Video], m: Any, proc: Any, frames: int | None, preprocess: str, batch_size: int
) -> list[np.ndarray]:
    """Image embeddings of the sampled frames of each video (one ``[T', D]`` array per video)."""
    sel = [v.uint8[_frame_indices(v.num_frames, frames)] for v in vids]
    allf = image_features(m, proc, np.concatenate(sel, axis=0), preprocess, batch_size)
    return np.split(allf, np.cumsum([len(s) for s in sel])[:-1])


def _embed_videos(
    videos: Any, model: ModelSpec, frames: Any, preprocess: str, batch_size: Any, device: str | None
) -> tuple[list[np.ndarray], Any, int | None]:
    """Check the arguments, load the model, embed the frames: ``(per-video features, model,
    checked frames)``."""
    vids = _as_videos(videos)
    frames = _check_frames(frames)
    preprocess = _check_preprocess(preprocess)
    batch_size = _check_batch(batch_size)
    m, proc = load_clip(model, device)
    return _frame_features(vids, m, proc, frames, preprocess, batch_size), m, frames


def clip_image_features(
    videos: Video | Sequence[Any],
    *,
    model: ModelSpec = DEFAULT_CLIP_MODEL,
    frames: int | None = None,
    preprocess: str = "processor",
    batch_size: int = 64,
    device: str | None = None,
) -> list[np.ndarray]:
    """Per-frame L2-normalised CLIP image embeddings, one ``[T', D]`` float64 array per video.

    Example:
        >>> feats = clip_image_features([video], model="openai/clip-vit-base-patch32")  # doctest: +SKIP
        >>> feats[0].shape                                                              # doctest: +SKIP
        (16, 512)
        >>> import tempfile, numpy as np, vidkit as vk
        >>> from vidkit.metrics.clip import make_tiny_clip
        >>> tiny = make_tiny_clip(tempfile.mkdtemp())  # random weights, offline: runs anywhere
        >>> video = vk.synth.render("bounce", seed=0).video
        >>> feats = clip_image_features([video], model=tiny, frames=4)
        >>> feats[0].shape[0], np.allclose(np.linalg.norm(feats[0], axis=1), 1)
        (4, True)
    """
    return _embed_videos(videos, model, frames, preprocess, batch_size, device)[0]


def clip_text_features(
    prompts: str | Sequence[str],
    *,
    model: ModelSpec = DEFAULT_CLIP_MODEL,
    batch_size: int = 64,
    device: str | None = None,
) -> np.ndarray:
    """L2-normalised CLIP text embeddings ``[N, D]`` (float64); text truncated at 77 tokens.

    Example:
        >>> clip_text_features(["a red ball bounces"]).shape  # doctest: +SKIP
        (1, 512)
        >>> import tempfile, numpy as np, vidkit as vk
        >>> from vidkit.metrics.clip import make_tiny_clip
        >>> tiny = make_tiny_clip(tempfile.mkdtemp())  # random weights, offline: runs anywhere
        >>> video = vk.synth.render("bounce", seed=0).video
        >>> f = clip_text_features(["a red ball bounces", "a ball"], model=tiny)
        >>> f.shape[0], np.allclose(np.linalg.norm(f, axis=1), 1)
        (2, True)
    """
    ps = [prompts] if isinstance(prompts, str) else prompts
    ps = _as_prompts(ps, len(ps) if isinstance(ps, Sequence) else -1)
    m, proc = load_clip(model, device)
    return text_features(m, proc, ps, _check_batch(batch_size))[0]


# --------------------------------------------------------------------------- CLIP score
class CLIPScore:
    """Streaming CLIP score: ``update(videos, prompts)`` batch by batch, then ``compute()``.

    Same options and result as :func:`clip_score`. The state (per-video scores and per-frame
    scores) is small; :meth:`merge` adds another accumulator's state (e.g. from another process).

    Example:
        >>> metric = CLIPScore(model="openai/clip-vit-base-patch32", frames=8)  # doctest: +SKIP
        >>> for vids, prompts in batches:                                       # doctest: +SKIP
        ...     metric.update(vids, prompts)
        >>> metric.compute().score                                              # doctest: +SKIP
    """

    def __init__(
        self,
        model: ModelSpec = DEFAULT_CLIP_MODEL,
        *,
        frames: int | None = None,
        per_sample_clamp: bool = False,
        preprocess: str = "processor",
        batch_size: int = 64,
        device: str | None = None,
    ) -> None:
        self.frames = _check_frames(frames)
        self.preprocess = _check_preprocess(preprocess)
        self.batch_size = _check_batch(batch_size)
        if not isinstance(per_sample_clamp, bool):
            raise TypeError(
                f"per_sample_clamp must be a bool, got {type(per_sample_clamp).__name__}"
            )
        self.per_sample_clamp = per_sample_clamp
        self._model_spec = model
        self._m, self._proc = load_clip(model, device)
        self.model_name = model_name(model, self._m)
        self.reset()

    def reset(self) -> None:
        """Forget all accumulated videos."""
        self._per_frame: list[np.ndarray] = []
        self._n_truncated = 0

    def update(self, videos: Video | Sequence[Any], prompts: str | Sequence[str]) -> np.ndarray:
        """Score a batch of videos against their prompts; returns this batch's per-video scores."""
        vids = _as_videos(videos)
        ps = _as_prompts(prompts, len(vids))
        feats = _frame_features(
            vids, self._m, self._proc, self.frames, self.preprocess, self.batch_size
        )
        img = np.concatenate(feats, axis=0)
        txt, n_trunc = text_features(self._m, self._proc, ps, self.batch_size)
        if n_trunc:
            warnings.warn(
                f"{n_trunc} prompt(s) longer than {TEXT_MAX_TOKENS} CLIP tokens were truncated",
                stacklevel=2,
            )
        self._n_truncated += n_trunc
        owner = np.repeat(np.arange(len(vids)), [len(f) for f in feats])
        per_frame_all = 100.0 * np.einsum("nd,nd->n", img, txt[owner])
        per_frame = np.split(per_frame_all, np.cumsum([len(f) for f in feats])[:-1])
        self._per_frame.extend(per_frame)
        return np.array([self._video_score(p) for p in per_frame])

    def merge(self, other: CLIPScore) -> CLIPScore:
        """Add another accumulator's videos (same model, frames, clamp and preprocessing)."""
        if not isinstance(other, CLIPScore):
            raise TypeError(f"can only merge a CLIPScore, got {type(other).__name__}")
        mine = (self.model_name, self.frames, self.per_sample_clamp, self.preprocess)
        theirs = (other.model_name, other.frames, other.per_sample_clamp, other.preprocess)
        if mine != theirs:
            raise ValueError(
                f"cannot merge CLIPScore states with different settings: {mine} vs {theirs}"
            )
        self._per_frame.extend(other._per_frame)
        self._n_truncated += other._n_truncated
        return self

    def _video_score(self, per_frame: np.ndarray) -> float:
        vals = np.maximum(per_frame, 0.0) if self.per_sample_clamp else per_frame
        return float(vals.mean())

    def compute(self) -> CLIPScoreResult:
        """The score so far (raises if nothing was added)."""
        if not self._per_frame:
            raise ValueError("CLIPScore.compute() called before any update()")
        per_video = np.array([self._video_score(p) for p in self._per_frame])
        score = float(max(per_video.mean(), 0.0))
        prov = {
            "metric": "clip_score",
            "model": self.model_name,
            "weight_hash": weight_hash(self._m),
            "frames": self.frames if self.frames is not None else "all",
            "clamp": "per_sample" if self.per_sample_clamp else "mean",
            "scale": 100,
            "aggregation": "mean over frames, then mean over videos",
            "preprocess": self.preprocess,
            "text_max_tokens": TEXT_MAX_TOKENS,
            "n_truncated_prompts": self._n_truncated,
            "n_videos": len(per_video),
            "n_frames": int(sum(len(p) for p in self._per_frame)),
        }
        return CLIPScoreResult(score, per_video, [p.copy() for p in self._per_frame], prov)

    def __repr__(self) -> str:
        return (
            f"CLIPScore(model={self.model_name!r}, frames={self.frames}, "
            f"per_sample_clamp={self.per_sample_clamp}, videos={len(self._per_frame)})"
        )


def clip_score(
    videos: Video | Sequence[Any],
    prompts: str | Sequence[str],
    *,
    model: ModelSpec = DEFAULT_CLIP_MODEL,
    frames: int | None = None,
    per_sample_clamp: bool = False,
    preprocess: str = "processor",
    batch_size: int = 64,
    device: str | None = None,
) -> CLIPScoreResult:
    """CLIP score of videos against their prompts: frame-averaged ``100 * cos(text, frame)``.

    Args:
        videos: a :class:`~vidkit.Video` or a list of videos (anything :func:`vidkit.as_video`
            takes).
        prompts: one prompt per video (a single string for a single video).
        model: hub id, local folder, or a loaded ``(CLIPModel, CLIPProcessor)`` pair. Default
            ViT-B/32, the usual CLIPSIM model; ViT-L/14 scores are not comparable with it.
        frames: ``None`` scores every frame; an int ``k`` scores ``k`` evenly spaced frames.
        per_sample_clamp: ``False`` (torchmetrics): the set's mean is clamped at 0.
            ``True`` (CLIPScore paper): every frame-prompt score is clamped at 0 before averaging.
        preprocess: ``"processor"`` (the model's CLIPImageProcessor on uint8 frames) or
            ``"vbench"`` (see the module docstring).
        batch_size: frames per forward pass.
        device: default CUDA when available (or the pair's device).

    Returns:
        :class:`CLIPScoreResult` with ``score``, ``per_video``, ``per_frame``, ``provenance``.
        Prompts are truncated at 77 tokens (the end-of-text token kept, as OpenAI's
        ``clip.tokenize(truncate=True)``).

    Example:
        >>> res = clip_score([video], ["a red ball bounces"], frames=8)  # doctest: +SKIP
        >>> round(res.score, 2)                                          # doctest: +SKIP
        29.81
        >>> import tempfile, numpy as np, vidkit as vk
        >>> from vidkit.metrics.clip import make_tiny_clip
        >>> tiny = make_tiny_clip(tempfile.mkdtemp())  # random weights, offline: runs anywhere
        >>> video = vk.synth.render("bounce", seed=0).video
        >>> res = clip_score([video, video], ["a red ball bounces"] * 2, model=tiny, frames=4)
        >>> len(res.per_video), bool(abs(res.per_video[0] - res.per_video[1]) < 1e-4), res.score >= 0
        (2, True, True)
    """
    metric = CLIPScore(
        model,
        frames=frames,
        per_sample_clamp=per_sample_clamp,
        preprocess=preprocess,
        batch_size=batch_size,
        device=device,
    )
    metric.update(videos, prompts)
    return metric.compute()


# --------------------------------------------------------------------------- consistency
def clip_consistency(
    videos: Video | Sequence[Any],
    *,
    model: ModelSpec = DEFAULT_CLIP_MODEL,
    frames: int | None = None,
    preprocess: str = "vbench",
    batch_size: int = 64,
    device: str | None = None,
) -> CLIPConsistencyResult:
    """Temporal consistency of CLIP image features (VBench ``background_consistency`` formula).

    For each frame ``t >= 1``: ``1/2 [max(0, cos(f_{t-1}, f_t)) + max(0, cos(f_0, f_t))]``.
    Per video: the mean of these terms (1.0 for a single frame). Overall: the mean over all terms
    of all videos (frame-weighted, as VBench's ``sim / cnt``).

    Args:
        videos: a Video or a list of videos.
        model: hub id, folder or ``(CLIPModel, CLIPProcessor)`` pair; VBench uses ViT-B/32.
        frames: ``None`` uses every frame (VBench); ``k`` uses ``k`` evenly spaced frames.
        preprocess: ``"vbench"`` (default) or ``"processor"``.

    Example:
        >>> clip_consistency([video]).score  # doctest: +SKIP
        0.9731
        >>> import tempfile, numpy as np, vidkit as vk
        >>> from vidkit.metrics.clip import make_tiny_clip
        >>> tiny = make_tiny_clip(tempfile.mkdtemp())  # random weights, offline: runs anywhere
        >>> video = vk.synth.render("bounce", seed=0).video
        >>> still = vk.Video(np.repeat(video.frames[:1], 8, axis=0))
        >>> round(clip_consistency([still], model=tiny).score, 4)  # identical frames: 1
        1.0
    """
    feats, m, frames = _embed_videos(videos, model, frames, preprocess, batch_size, device)
    per_frame, per_video = [], []
    for f in feats:
        if len(f) < 2:
            terms = np.zeros(0)
            per_video.append(1.0)
        else:
            prev = np.maximum(np.einsum("nd,nd->n", f[:-1], f[1:]), 0.0)
            first = np.maximum(f[1:] @ f[0], 0.0)
            terms = 0.5 * (prev + first)
            per_video.append(float(terms.mean()))
        per_frame.append(terms)
    n_terms = sum(len(t) for t in per_frame)
    score = float(sum(t.sum() for t in per_frame) / n_terms) if n_terms else 1.0
    prov = {
        "metric": "clip_consistency",
        "formula": "VBench background_consistency: mean_t 1/2[max(0,cos(f_t-1,f_t))+max(0,cos(f_0,f_t))]",
        "model": model_name(model, m),
        "weight_hash": weight_hash(m),
        "frames": frames if frames is not None else "all",
        "preprocess": preprocess,
        "aggregation": "frame-weighted mean over all videos",
        "n_videos": len(feats),
    }
    return CLIPConsistencyResult(score, np.array(per_video), per_frame, prov)


# --------------------------------------------------------------------------- extractor
class CLIPFeatures(FeatureExtractor):
    """CLIP image embeddings as a video :class:`~vidkit.metrics.FeatureExtractor`.

    Feature of a video = mean over its (sampled) frames of the L2-normalised CLIP image
    embeddings, ``dim = projection_dim`` (512 for ViT-B/32). Useful for a Fréchet distance on
    appearance only ("FD-CLIP"); it ignores motion, which I3D / VideoMAE / SynthEncoder see.

    Example:
        >>> ext = CLIPFeatures("openai/clip-vit-base-patch32", frames=8)  # doctest: +SKIP
        >>> ext(videos).shape                                             # doctest: +SKIP
        (64, 512)
    """

    default_batch_size = 8

    def __init__(
        self,
        model: ModelSpec = DEFAULT_CLIP_MODEL,
        *,
        frames: int | None = None,
        preprocess: str = "processor",
        batch_size: int = 64,
        device: str | None = None,
    ) -> None:
        self.frames = _check_frames(frames)
        self.preprocess_mode = _check_preprocess(preprocess)
        self.frame_batch = _check_batch(batch_size)
        self.model, self.processor = load_clip(model, device)
        self.name = f"clip:{model_name(model, self.model)}"
        self.dim = int(self.model.config.projection_dim)
        self.weight_hash = weight_hash(self.model)
        self.preprocess = {
            "frames": self.frames if self.frames is not None else "all",
            "image": preprocess,
            "input": "uint8 frames (rounded from [0, 1])",
            "feature": "mean over frames of L2-normalised CLIP image embeddings",
        }

    def extract(self, batch: torch.Tensor) -> np.ndarray:
        u8 = (batch.detach().float().cpu().clamp(0, 1) * 255).round().to(torch.uint8)
        u8 = u8.permute(0, 1, 3, 4, 2).numpy()  # [b, T, H, W, 3]
        idx = _frame_indices(u8.shape[1], self.frames)
        sel = u8[:, idx]
        b, t = sel.shape[:2]
        f = image_features(
            self.model,
            self.processor,
            sel.reshape(b * t, *sel.shape[2:]),
            self.preprocess_mode,
            self.frame_batch,
        )
        return f.reshape(b, t, -1).mean(axis=1)
