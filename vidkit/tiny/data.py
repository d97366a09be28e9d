"""Training data for the tiny model: synthetic physics clips with their prompts.

Scenes come from :func:`vidkit.synth.render` at 32x32 px, 16 frames, 8 fps, one ball of one of the
eight palette colours (radius 3-4 px) on the plain grey background, of four kinds:

============  =================================================  =================================
kind          prompt (from :func:`vidkit.synth.describe`)        gravity
============  =================================================  =================================
free_fall     "a red ball falls"                                 ``G_FALL`` = 10 px/s^2
projectile    "a blue ball is thrown to the left and falls"      ``G_FALL`` = 10 px/s^2
bounce        "a green ball bounces to the right on a grey ..."  ``G_BOUNCE`` = 150 px/s^2
uniform       "a pink ball moves up and to the left at ..."      none
============  =================================================  =================================

Gravity is fixed per kind (the world of the training set has one g for falls and throws, and a
stronger one for bounces so that the first impact lands at 20-30% of the clip, like synth's
defaults), so the model can learn it and the probes can check it. Every other parameter (start,
speed, direction, colour, radius, restitution) is drawn from the scene's seed.

:func:`make_pool` renders a pool of clips once (``uint8`` ``[N, F, H, W, 3]`` plus prompts) and
caches it as ``.npz``; :func:`sample_batch` draws a training batch from it, mirroring clips left to
right at random (the prompt's "left"/"right" swapped accordingly).

Example:
    >>> from vidkit.tiny.data import render_clip
    >>> clip = render_clip(0)
    >>> clip.video.shape, clip.prompt
    ((16, 32, 32, 3), 'a blue ball falls')
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "FPS",
    "FRAMES",
    "G_BOUNCE",
    "G_FALL",
    "KINDS",
    "SIZE",
    "Pool",
    "all_prompts",
    "make_pool",
    "mirror_prompt",
    "render_clip",
    "sample_batch",
    "training_g",
]

KINDS: tuple[str, ...] = ("free_fall", "projectile", "bounce", "uniform")
SIZE = 32
FRAMES = 16
FPS = 8.0
#: Gravity (px/s^2, downward) of free falls and throws in the training set.
G_FALL = 10.0
#: Gravity of bounces (stronger: the first impact lands at 20-30% of the 2-second clip).
G_BOUNCE = 150.0
RADIUS_RANGE = (3.0, 4.0)


def training_g(kind: str) -> float | None:
    """The gravity the model was trained with for ``kind`` (``None`` for ``uniform``).

    Example:
        >>> training_g("projectile")
        10.0
    """
    if kind in ("free_fall", "projectile"):
        return G_FALL
    if kind == "bounce":
        return G_BOUNCE
    if kind == "uniform":
        return None
    raise ValueError(f"unknown kind {kind!r}; the tiny model knows {list(KINDS)}")


def render_clip(seed: int, kind: str | None = None, **overrides: Any):
    """Render training clip ``seed`` (a :class:`vidkit.synth.Scene`) at the training settings.

    ``kind`` defaults to ``KINDS[seed % 4]``; the radius is drawn from the seed; ``overrides`` go
    to :func:`vidkit.synth.render` (e.g. ``colors="red"``, ``violation="teleport"``).

    Example:
        >>> render_clip(5, "uniform", colors="red").prompt.startswith("a red ball moves")
        True
    """
    from vidkit.synth import render

    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    kind = KINDS[int(seed) % len(KINDS)] if kind is None else kind
    g = training_g(kind)
    rng = np.random.default_rng([int(seed), 7001])
    kw: dict[str, Any] = {
        "size": (SIZE, SIZE),
        "frames": FRAMES,
        "fps": FPS,
        "radii": float(rng.uniform(*RADIUS_RANGE)),
        "background": "plain",
    }
    if g is not None:
        kw["g"] = g
    kw.update(overrides)
    return render(kind, int(seed), **kw)


_SWAP = {"left": "right", "right": "left"}


def mirror_prompt(prompt: str) -> str:
    """The prompt of the left-right mirrored clip ("left" and "right" swapped).

    Example:
        >>> mirror_prompt("a red ball moves up and to the left at constant speed")
        'a red ball moves up and to the right at constant speed'
    """
    return re.sub(r"\b(left|right)\b", lambda m: _SWAP[m.group(1)], prompt)


def all_prompts() -> list[str]:
    """Every prompt the training set can produce (the tokenizer's corpus).

    Example:
        >>> "a yellow ball falls" in all_prompts()
        True
    """
    from vidkit.synth import PALETTE, describe

    directions = ["left", "right", "up", "down"] + [
        f"{v} and to the {h}" for v in ("up", "down") for h in ("left", "right")
    ]
    out = []
    for c in PALETTE:
        out.append(describe("free_fall", c))
        for d in ("left", "right"):
            out.append(describe("projectile", c, direction=d))
            out.append(describe("bounce", c, direction=d))
        for d in directions:
            out.append(describe("uniform", c, direction=d))
    return out


@dataclass
class Pool:
    """Pre-rendered clips: ``videos`` uint8 ``[N, F, H, W, 3]``, ``prompts``, ``kinds``, ``seeds``."""

    videos: np.ndarray
    prompts: list[str]
    kinds: list[str]
    seeds: np.ndarray

    def __len__(self) -> int:
        return int(self.videos.shape[0])


def make_pool(
    n: int, *, seed_offset: int = 0, cache: str | os.PathLike | None = None, progress: bool = True
) -> Pool:
    """Render ``n`` training clips (seeds ``seed_offset .. seed_offset + n - 1``), cached.

    With ``cache`` (a ``.npz`` path) the pool is loaded from there when it exists and written
    there (atomically) otherwise.

    Example:
        >>> pool = make_pool(4, progress=False)
        >>> pool.videos.shape, pool.kinds
        ((4, 16, 32, 32, 3), ['free_fall', 'projectile', 'bounce', 'uniform'])
    """
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive int, got {n!r}")
    if cache is not None:
        path = Path(cache)
        if path.exists():
            with np.load(path, allow_pickle=False) as z:
                pool = Pool(z["videos"], list(z["prompts"]), list(z["kinds"]), z["seeds"])
            if len(pool) == n and int(pool.seeds[0]) == seed_offset:
                return pool
    from tqdm.auto import tqdm

    videos = np.empty((n, FRAMES, SIZE, SIZE, 3), np.uint8)
    prompts, kinds = [], []
    seeds = np.arange(seed_offset, seed_offset + n)
    for i in tqdm(range(n), desc="rendering scenes", disable=not progress):
        scene = render_clip(int(seeds[i]))
        videos[i] = scene.video.uint8
        prompts.append(scene.prompt)
        kinds.append(scene.kind)
    pool = Pool(videos, prompts, kinds, seeds)
    if cache is not None:
        path = Path(cache)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp.npz")
        np.savez(tmp, videos=videos, prompts=np.array(prompts), kinds=np.array(kinds), seeds=seeds)
        os.replace(tmp, path)
    return pool


def sample_batch(
    pool: Pool, batch_size: int, rng: np.random.Generator, *, mirror: bool = True
) -> tuple[np.ndarray, list[str]]:
    """A random batch: float32 videos ``[B, 3, F, H, W]`` in ``[-1, 1]`` and their prompts.

    Half of the clips (at random) are mirrored left to right, with "left"/"right" swapped in
    their prompts.

    Example:
        >>> pool = make_pool(4, progress=False)
        >>> x, p = sample_batch(pool, 2, np.random.default_rng(0))
        >>> x.shape, len(p)
        ((2, 3, 16, 32, 32), 2)
    """
    idx = rng.integers(0, len(pool), size=batch_size)
    flips = rng.random(batch_size) < 0.5 if mirror else np.zeros(batch_size, bool)
    vids = pool.videos[idx].astype(np.float32) / 127.5 - 1.0
    vids[flips] = vids[flips, :, :, ::-1]
    prompts = [mirror_prompt(pool.prompts[i]) if f else pool.prompts[i] for i, f in zip(idx, flips)]
    return np.ascontiguousarray(vids.transpose(0, 4, 1, 2, 3)), prompts


def prompts_for(kinds: Sequence[str]) -> list[str]:  # pragma: no cover - convenience
    """Prompts of clips 0.. of the given kinds (used by the notebook)."""
    return [render_clip(i, k).prompt for i, k in enumerate(kinds)]
