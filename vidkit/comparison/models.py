"""The models of a comparison: :func:`as_models` turns what ``vk.compare`` is given into
:class:`~vidkit.sampling.identity.Model` objects; :class:`SynthModel` renders exact (or violated) physics.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from typing import Any

from vidkit.files import jsonable
from vidkit.sampling.identity import Model, code_fingerprint
from vidkit.video import Video

REFERENCE = "reference"


def as_model(value: Any) -> Model:
    """A :class:`~vidkit.sampling.identity.Model` from a model, a ``{"model": ..., **settings}``
    dict or a Model (returned as is).

    Example:
        >>> as_model({"model": "vidkit/tiny-physics", "steps": 4})
        Model(spec: 'vidkit/tiny-physics', {'steps': 4})
    """
    if isinstance(value, Model):
        return value
    if isinstance(value, Mapping):
        if "model" not in value:
            raise ValueError(
                f"a model given as a dict needs a 'model' key (plus settings), got keys {sorted(value)}"
            )
        rest = {k: v for k, v in value.items() if k != "model"}
        return Model(value["model"], **rest)
    return Model(value)


def as_models(models: Any) -> dict[str, Model]:
    """``{name: Model}`` from the ``models`` of :func:`vidkit.compare` (a dict, or a list of spec
    strings named by themselves); names must be unique, non-empty and not ``"reference"``.

    Example:
        >>> as_models(["vidkit/tiny-physics", "vidkit/tiny-physics@early"])["vidkit/tiny-physics@early"]
        Model(spec: 'vidkit/tiny-physics@early')
    """
    if isinstance(models, Mapping):
        items = list(models.items())
    elif isinstance(models, (list, tuple)):
        items = []
        for m in models:
            name = os.fspath(m) if isinstance(m, (str, os.PathLike)) else None
            if name is None:
                raise TypeError(
                    "give models as a dict {name: model} (a list works only for spec strings)"
                )
            items.append((name, m))
    else:
        raise TypeError(f"models must be a dict {{name: model}}, got {type(models).__name__}")
    if not items:
        raise ValueError("models is empty: give at least one model to compare")
    out: dict[str, Model] = {}
    for name, value in items:
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"model names must be non-empty strings, got {name!r}")
        if name == REFERENCE:
            raise ValueError(f"{REFERENCE!r} is reserved for the reference set; rename the model")
        out[name] = as_model(value)
    return out


# --------------------------------------------------------------------------- the synthetic oracle
@functools.lru_cache(maxsize=1)
def _synth_prompts() -> dict[str, tuple[str, tuple[str, ...]]]:
    """Every prompt vk.synth can write -> (kind, colour names)."""
    from vidkit.synth import KINDS, PALETTE, describe

    words = ("left", "right", "up", "down", "up and to the left", "up and to the right")
    words += ("down and to the left", "down and to the right")
    out: dict[str, tuple[str, tuple[str, ...]]] = {}
    colors = list(PALETTE)
    for kind in KINDS:
        if kind == "collision":
            for a in colors:
                for b in colors:
                    if a != b:
                        for mode in ("1d", "2d"):
                            out[describe(kind, [a, b], mode=mode)] = (kind, (a, b))
            continue
        for c in colors:
            out[describe(kind, c)] = (kind, (c,))
            for w in words:
                out[describe(kind, c, direction=w, side=w)] = (kind, (c,))
    return out


class SynthModel:
    """A "model" that renders the prompt's scene with :mod:`vidkit.synth`: exact physics, or one
    controlled violation. The oracle row of a leaderboard, a reference set for FVD, and a model
    whose quality is known in tests.

    The prompt must be one vk.synth writes (``"a red ball falls"``, ``"a blue ball bounces to the
    left on a grey floor"``...). Seeds are tried in a fixed sequence from ``seed`` until the
    rendered scene's own prompt equals the requested one (the direction is drawn by the renderer).

    Args:
        violation: ``None`` (physical) or a :data:`vidkit.synth.VIOLATIONS` name.
        max_tries: seeds tried per video before giving up.
        **render_kwargs: passed to ``vk.synth.render`` (``background``, ``camera_noise``...).

    Generation settings ``height``, ``width``, ``num_frames`` and ``fps`` set the video's size,
    length and rate (defaults 64, 64, 32, 16); sampler settings (``steps``...) are ignored.

    Example:
        >>> v = SynthModel()("a red ball falls", 0, num_frames=16)
        >>> v.num_frames, v.metadata["kind"]
        (16, 'free_fall')
    """

    def __init__(self, violation: str | None = None, *, max_tries: int = 256, **render_kwargs: Any):
        from vidkit.synth import VIOLATIONS

        if violation is not None and violation not in VIOLATIONS:
            raise ValueError(
                f"unknown violation {violation!r}; expected None or one of {list(VIOLATIONS)}"
            )
        for bad in ("seed", "kind", "violation", "size", "frames", "fps", "colors"):
            if bad in render_kwargs:
                raise ValueError(
                    f"{bad!r} is set by SynthModel itself (from the prompt and settings)"
                )
        self.violation = violation
        self.max_tries = int(max_tries)
        self.render_kwargs = dict(render_kwargs)

    def identity(self) -> dict[str, Any]:
        return {
            "synth": code_fingerprint("vidkit.synth"),
            "violation": self.violation,
            "render": jsonable(self.render_kwargs),
        }

    def __call__(
        self,
        prompt: str,
        seed: int,
        *,
        height: int | None = None,
        width: int | None = None,
        num_frames: int | None = None,
        fps: float | None = None,
        **ignored: Any,
    ) -> Video:
        from vidkit.synth import render

        table = _synth_prompts()
        if prompt not in table:
            raise ValueError(
                f"SynthModel cannot render {prompt!r}: it renders prompts phrased as vk.synth writes "
                "them, e.g. 'a red ball falls' or 'a blue ball bounces to the left on a grey floor'"
            )
        kind, colors = table[prompt]
        h = int(height or 64)
        w = int(width or h)
        n = int(num_frames or 32)
        rate = float(fps or 16.0)
        for j in range(self.max_tries):
            s = int(seed) * self.max_tries + j
            scene = render(
                kind,
                seed=s,
                violation=self.violation,
                size=(h, w),
                frames=n,
                fps=rate,
                colors=list(colors),
                **self.render_kwargs,
            )
            if scene.prompt == prompt:
                meta = dict(scene.video.metadata)
                meta.update(render_seed=s, truth_violation=scene.truth.violation)
                return scene.video.with_metadata(**meta)
        raise ValueError(
            f"no seed among {self.max_tries} tries rendered {prompt!r} (its direction is rare); "
            "raise max_tries"
        )

    def __repr__(self) -> str:
        return f"SynthModel(violation={self.violation!r})"
