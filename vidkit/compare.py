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
    >>> import vidkit as vk
    >>> board = vk.compare(
    ...     {"physics": vk.compare.SynthModel(), "teleports": vk.compare.SynthModel("teleport")},
    ...     prompts=["a red ball falls", "a blue ball bounces to the right on a grey floor"],
    ...     seeds=[0, 1], metrics=["physics"], store="runs/doc-compare", progress=False,
    ... )  # doctest: +SKIP
    >>> board.best()  # doctest: +SKIP
    'physics'
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import html
import json
import math
import os
import platform
import re
import sys
import time
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from vidkit._config import data_dir
from vidkit.store import RunStore, item_key, jsonable, stable_hash
from vidkit.video import Video, as_video

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
    "load_prompts",
    "prompt_suites",
    "RunStore",
]

REFERENCE = "reference"
_REFERENCE_SEED_OFFSET = 1_000_003


# =========================================================================== prompt suites
def prompt_suites() -> dict[str, Path]:
    """The bundled prompt suites (``data/prompts/*.jsonl``) by name.

    Example:
        >>> sorted(prompt_suites())  # doctest: +SKIP
        ['physics', 'tiny']
    """
    folder = data_dir() / "prompts"
    return {p.stem: p for p in sorted(folder.glob("*.jsonl"))}


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    rows = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{n}: not valid JSON ({exc.msg})") from None
            if not isinstance(row, dict):
                raise ValueError(f"{path}:{n}: each line must be a JSON object, got {row!r}")
            rows.append(row)
    return rows


def _prompt_source(prompts: Any) -> list[Any]:
    if isinstance(prompts, (str, os.PathLike)):
        text = os.fspath(prompts)
        suites = prompt_suites()
        if text in suites:
            return _read_jsonl(suites[text])
        path = Path(text).expanduser()
        if path.suffix.lower() in (".jsonl", ".json", ".txt") or path.is_file():
            if not path.is_file():
                hint = f"; bundled suites: {sorted(suites)}" if suites else ""
                raise FileNotFoundError(f"no prompt file at {text!r}{hint}")
            if path.suffix.lower() == ".txt":
                return [
                    ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()
                ]
            if path.suffix.lower() == ".json":
                data = json.loads(path.read_text(encoding="utf-8"))
                if not isinstance(data, list):
                    raise ValueError(f"{text}: a .json prompt file must hold a list")
                return data
            return _read_jsonl(path)
        return [text]  # one prompt
    datasets = sys.modules.get("datasets")  # a Dataset given means datasets is imported already
    if datasets is not None and isinstance(prompts, datasets.Dataset):
        return list(prompts)
    if hasattr(prompts, "to_dict") and hasattr(prompts, "columns"):  # pandas DataFrame
        return prompts.to_dict("records")
    if isinstance(prompts, Iterable) and not isinstance(prompts, Mapping):
        return list(prompts)
    raise TypeError(
        "prompts must be a list of strings or dicts, a .jsonl/.txt file, a bundled suite name "
        f"({sorted(prompt_suites())}), a datasets.Dataset or a DataFrame; got {type(prompts).__name__}"
    )


def load_prompts(prompts: Any, *, limit: int | None = None) -> list[dict[str, Any]]:
    """A prompt suite as a list of rows ``{"id", "prompt", "kind", "tags", ...}``.

    Args:
        prompts: a bundled suite name (``"tiny"``, ``"physics"``), a ``.jsonl`` file (one JSON
            object per line with at least ``"prompt"``), a ``.txt`` file (one prompt per line), a
            ``datasets.Dataset`` or DataFrame with a ``prompt`` column, a list of strings or of
            dicts, or a single prompt string.
        limit: keep only the first ``limit`` rows.

    Rows without an ``id`` get ``p000``, ``p001``...; ids and prompt texts must be unique.

    Example:
        >>> [r["id"] for r in load_prompts(["a red ball falls", "a blue ball falls"])]
        ['p000', 'p001']
    """
    raw = _prompt_source(prompts)
    if limit is not None:
        if isinstance(limit, bool) or not isinstance(limit, (int, np.integer)) or limit < 1:
            raise ValueError(f"limit must be a positive int, got {limit!r}")
        raw = raw[: int(limit)]
    rows: list[dict[str, Any]] = []
    for i, r in enumerate(raw):
        if isinstance(r, str):
            r = {"prompt": r}
        elif not isinstance(r, Mapping):
            raise TypeError(f"prompt {i} is {type(r).__name__}; expected a string or a dict")
        r = dict(r)
        text = r.get("prompt")
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"prompt row {i} needs a non-empty 'prompt' string, got {r!r}")
        r["prompt"] = text.strip()
        r["id"] = str(r.get("id") if r.get("id") is not None else f"p{i:03d}")
        tags = r.get("tags", [])
        r["tags"] = [tags] if isinstance(tags, str) else list(tags or [])
        rows.append(jsonable(r))
    if not rows:
        raise ValueError("the prompt suite is empty")
    for field_name in ("id", "prompt"):
        seen: dict[str, int] = {}
        for i, r in enumerate(rows):
            if r[field_name] in seen:
                raise ValueError(
                    f"prompt rows {seen[r[field_name]]} and {i} have the same {field_name} "
                    f"{r[field_name]!r}; each must be unique"
                )
            seen[r[field_name]] = i
    return rows


# =========================================================================== models
def _code_fingerprint(*modules: str) -> str:
    """Hash of the source files of vidkit modules/packages (changes invalidate cached results)."""
    import importlib.util

    h = hashlib.sha256()
    for name in modules:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            h.update(name.encode())
            continue
        origin = Path(spec.origin)
        files = sorted(origin.parent.glob("*.py")) if origin.name == "__init__.py" else [origin]
        for f in files:
            h.update(f.name.encode())
            h.update(f.read_bytes())
    return h.hexdigest()[:16]


def _folder_fingerprint(path: Path) -> str:
    """Configs' content plus each weight file's size and first/last 64 KiB."""
    h = hashlib.sha256()
    for f in sorted(path.rglob("*")):
        if not f.is_file() or f.name.startswith("."):
            continue
        rel = str(f.relative_to(path))
        h.update(rel.encode())
        size = f.stat().st_size
        h.update(str(size).encode())
        with open(f, "rb") as fh:
            if f.suffix in (".json", ".txt", ".model") or size <= 1 << 17:
                h.update(fh.read())
            else:
                h.update(fh.read(1 << 16))
                fh.seek(-(1 << 16), os.SEEK_END)
                h.update(fh.read(1 << 16))
    return h.hexdigest()[:16]


def _weights_fingerprint(pipeline: Any) -> str:
    """A fast fingerprint of a pipeline's weights: per tensor its name, shape, dtype, first
    values and sum (so two random-weight pipelines of one config differ)."""
    import torch

    h = hashlib.sha256()
    comps = getattr(pipeline, "components", {}) or {}
    for cname in sorted(comps):
        comp = comps[cname]
        h.update(cname.encode())
        if isinstance(comp, torch.nn.Module):
            for pname, t in comp.state_dict().items():
                h.update(f"{pname}{tuple(t.shape)}{t.dtype}".encode())
                flat = t.detach().reshape(-1)
                if flat.numel():
                    head = flat[:16].to("cpu", torch.float64).numpy()
                    h.update(head.tobytes())
                    h.update(np.float64(flat.double().sum().item()).tobytes())
        elif hasattr(comp, "config"):
            with contextlib.suppress(Exception):
                cfg = {k: v for k, v in dict(comp.config).items() if not str(k).startswith("_")}
                h.update(json.dumps(jsonable(cfg), sort_keys=True).encode())
    return h.hexdigest()[:16]


_TINY_ID = re.compile(r"^(vidkit/)?tiny-physics(@early)?$")


def _tiny_folder(spec: str) -> Path | None:
    """The folder of the bundled tiny model for ``vidkit/tiny-physics[@early]``, or of a saved
    TinyPhysicsPipeline folder; None for anything else."""
    path = Path(spec).expanduser()
    if path.is_dir():
        index = _read_json_file(path / "model_index.json")
        return path if index and index.get("_class_name") == "TinyPhysicsPipeline" else None
    if not _TINY_ID.match(spec):
        return None
    from vidkit.tiny import model_path

    folder = model_path(early=spec.endswith("@early"))
    return folder if (folder / "model_index.json").is_file() else None


def _read_json_file(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _load_spec(spec: str, **kwargs: Any) -> Any:
    """``vk.load(spec, **kwargs)``; for the bundled tiny model, through ``vidkit.tiny`` when
    ``vk.load`` cannot resolve it (a workaround: ``vidkit.tiny.family`` registers no resolve hook
    for ``vidkit/tiny-physics[@early]`` and names its pipeline class without its module)."""
    from vidkit.models import load

    try:
        return load(spec, **kwargs)
    except (OSError, ValueError):
        folder = _tiny_folder(spec)
        if folder is None:
            raise
    from vidkit.tiny import load_pipeline

    keep = {k: v for k, v in kwargs.items() if k in ("device", "dtype")}
    return load(load_pipeline(folder), **keep)


def _is_pipeline(obj: Any) -> bool:
    from_vidkit = type(obj).__name__ == "VideoPipeline" and hasattr(obj, "pipeline")
    return from_vidkit or (hasattr(obj, "components") and callable(obj))


class Model:
    """One entry of a comparison: a model plus the settings it generates with.

    Args:
        model: a load spec (hub id, local folder, ``"vidkit/tiny-physics"``...) loaded with
            ``vk.load`` when first needed (in each process), a loaded pipeline
            (``vk.load`` / ``vk.testing.tiny_pipeline`` / diffusers), or a callable
            ``fn(prompt, seed, **settings) -> Video``.
        id: a stable identity for the store key (default: derived from the spec, the weights or
            the callable; give one for callables whose behaviour is not defined by their name).
        load_kwargs: passed to ``vk.load`` for a spec (``dtype``, ``offload``...).
        **settings: generation settings (``steps``, ``guidance``, ``num_frames``...), added to
            the comparison's settings and overriding them.

    Example:
        >>> fast = Model("vidkit/tiny-physics", steps=4)  # doctest: +SKIP
        >>> vk.compare({"4 steps": fast, "16 steps": {"model": "vidkit/tiny-physics", "steps": 16}},
        ...            prompts="tiny", seeds=[0, 1])  # doctest: +SKIP
    """

    def __init__(
        self,
        model: Any,
        *,
        id: str | None = None,
        load_kwargs: Mapping[str, Any] | None = None,
        **settings: Any,
    ) -> None:
        if isinstance(model, Model):
            raise TypeError("model is already a Model; pass its .source or use it directly")
        if isinstance(model, (str, os.PathLike)):
            if not os.fspath(model).strip():
                raise ValueError("a model spec must be a non-empty string")
            self.kind = "spec"
        elif _is_pipeline(model):
            self.kind = "pipeline"
        elif callable(model):
            self.kind = "callable"
        else:
            raise TypeError(
                f"a model must be a load spec (str or path), a loaded pipeline or a callable "
                f"fn(prompt, seed, **settings) -> Video; got {type(model).__name__}"
            )
        if id is not None and not isinstance(id, str):
            raise TypeError(f"id must be a string, got {type(id).__name__}")
        for bad in ("prompt", "seed", "callbacks", "record"):
            if bad in settings:
                raise ValueError(
                    f"{bad!r} is not a model setting (compare sets prompts and seeds itself)"
                )
        self.source = model
        self.id = id
        self.load_kwargs = dict(load_kwargs or {})
        self.settings = dict(settings)
        self._pipe: Any = model if self.kind == "pipeline" else None
        self._identity: Any = None

    def identity(self) -> Any:
        """What the store key hashes for this model (settings excluded: they are hashed apart)."""
        if self._identity is not None:
            return self._identity
        if self.id is not None:
            ident: Any = {"id": self.id}
        elif self.kind == "spec":
            text = os.fspath(self.source)
            path = Path(text).expanduser()
            ident = {"spec": text}
            if path.is_dir():
                ident = {"spec": str(path.resolve()), "files": _folder_fingerprint(path)}
            elif (tiny := _tiny_folder(text)) is not None:  # the bundled model's own files
                ident = {"spec": text, "files": _folder_fingerprint(tiny)}
            load = {k: v for k, v in self.load_kwargs.items() if k != "device"}
            if load:
                ident["load"] = jsonable(load)
        elif self.kind == "pipeline":
            pipe = self.source
            inner = getattr(pipe, "pipeline", pipe)
            ident = {
                "pipeline": type(inner).__name__,
                "model_id": getattr(pipe, "model_id", None),
                "weights": _weights_fingerprint(inner),
            }
        else:
            fn = self.source
            own = getattr(fn, "identity", None)
            if callable(own):
                ident = {"callable": jsonable(own())}
            elif getattr(fn, "vidkit_id", None):
                ident = {"callable": str(fn.vidkit_id)}
            elif isinstance(fn, functools.partial):
                base = fn.func
                ident = {
                    "callable": f"{base.__module__}.{getattr(base, '__qualname__', type(base).__name__)}",
                    "args": jsonable(fn.args),
                    "kwargs": jsonable(fn.keywords),
                }
            else:
                name = getattr(fn, "__qualname__", None) or type(fn).__qualname__
                ident = {"callable": f"{getattr(fn, '__module__', '?')}.{name}"}
        self._identity = ident
        return ident

    def load(self, device: Any = None) -> Any:
        """The loaded pipeline (loads a spec once; a no-op for pipelines and callables)."""
        if self.kind == "callable":
            return self.source
        if self._pipe is None:
            kw = dict(self.load_kwargs)
            if device is not None and "device" not in kw:
                kw["device"] = str(device)
            self._pipe = _load_spec(os.fspath(self.source), **kw)
            with contextlib.suppress(Exception):
                self._pipe.pipeline.set_progress_bar_config(disable=True)
        return self._pipe

    def release(self) -> None:
        """Free a pipeline this object loaded itself (pipelines given to it are kept)."""
        if self.kind == "spec" and self._pipe is not None:
            self._pipe = None
            gc.collect()
            with contextlib.suppress(Exception):
                import torch

                if torch.cuda.is_available():
                    torch.cuda.empty_cache()

    def generate(self, prompt: str, seed: int, **settings: Any) -> Video:
        """One video for ``prompt`` and ``seed`` with ``settings`` (this model's override them)."""
        kw = {**settings, **self.settings}
        if self.kind == "callable":
            out = self.source(prompt, int(seed), **kw)
            if isinstance(out, (list, tuple)) and len(out) == 1 and isinstance(out[0], Video):
                out = out[0]
            try:
                video = as_video(out)
            except (TypeError, ValueError) as exc:
                raise TypeError(
                    f"the model callable returned {type(out).__name__}; it must return a vk.Video "
                    f"(or an array vk.as_video accepts): {exc}"
                ) from None
            return video
        from vidkit.sampling import generate

        pipe = self.load()
        out = generate(pipe, prompt=prompt, seed=int(seed), progress=False, **kw)
        if isinstance(out, list):
            if len(out) != 1:
                raise ValueError(f"generate returned {len(out)} videos for one prompt and seed")
            out = out[0]
        return out

    def __repr__(self) -> str:
        src = self.source if self.kind == "spec" else type(self.source).__name__
        extra = f", {self.settings}" if self.settings else ""
        return f"Model({self.kind}: {src!r}{extra})"


def _as_model(value: Any) -> Model:
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


def _as_models(models: Any) -> dict[str, Model]:
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
        out[name] = _as_model(value)
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
            "synth": _code_fingerprint("vidkit.synth"),
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


class _FixedVideos:
    """A fixed set of videos as a "model": seed i gives video i (for reference sets)."""

    def __init__(self, videos: list[Video], ident: str) -> None:
        self.videos = videos
        self.ident = ident

    def identity(self) -> dict[str, Any]:
        return {"videos": self.ident}

    def __call__(self, prompt: str, seed: int, **ignored: Any) -> Video:
        return self.videos[int(seed)]


# =========================================================================== metrics
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
        >>> brightness.evaluate(vk.Video(np.ones((2, 8, 8, 3))), {})  # doctest: +SKIP
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
        >>> m = PhysicsMetric()
        >>> m.evaluate(vk.synth.render("bounce", seed=0).video, {})["physics"]  # doctest: +SKIP
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
            "probes": _code_fingerprint("vidkit.probes"),
            "kwargs": jsonable(self.probe_kwargs),
            "untracked": self.untracked if math.isfinite(self.untracked) else "nan",
        }

    def _run(self, video: Video, item: dict[str, Any]) -> dict[str, float]:
        from vidkit.probes import physics

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            report = physics(video, **self.probe_kwargs)
        return _report_scores(report, untracked=self.untracked)


def _report_scores(report: Any, *, untracked: float = 0.0) -> dict[str, float]:
    """``{"score": pass share, "<probe>": 1/0/NaN, "tracked": 1/0}`` from a PhysicsReport."""
    from vidkit.probes.report import FLOW_PROBES, TRACK_PROBES
    from vidkit.probes.report import INFO_PROBES as info_only

    results = getattr(report, "results", None)
    if not isinstance(results, Mapping):
        raise TypeError(f"expected a vk.probes PhysicsReport, got {type(report).__name__}")
    out: dict[str, float] = {}
    judged = []
    for name in (*TRACK_PROBES, "flicker", *FLOW_PROBES):
        if name in info_only:
            continue
        r = results.get(name)
        passed = None if r is None else r.passed
        out[name] = float("nan") if passed is None else float(bool(passed))
        if passed is not None:
            judged.append(bool(passed))
    tracked = int(getattr(getattr(report, "tracks", None), "n_objects", 0) or 0) > 0
    out["tracked"] = float(tracked)
    # "cannot judge" is never a pass: such a video is left out of the mean and counted
    verdict = getattr(report, "verdict", None)
    cannot = verdict == "cannot judge"
    out["cannot_judge"] = float(cannot)
    if not tracked and "no moving object" in str(getattr(report, "reason", "no moving object")):
        out["score"] = float(untracked)
    elif cannot or not judged:
        out["score"] = float("nan")
    else:
        out["score"] = float(np.mean(judged))
    return out


class ClipMetric(VideoMetric):
    """CLIP score of each video against its prompt (:func:`vidkit.metrics.clip_score`: 100 x the
    frame-averaged cosine of text and frame, not clamped per video); higher is better.

    Args:
        model: a CLIP hub id (default ``openai/clip-vit-base-patch32``, the usual CLIPSIM
            model), a local folder, or a loaded ``(model, processor)`` pair (e.g. the tiny offline
            CLIP of :func:`vidkit.metrics.clip.make_tiny_clip` in tests).
        **kwargs: passed to ``clip_score`` (``frames``, ``preprocess``...).

    Example:
        >>> ClipMetric("openai/clip-vit-base-patch32")  # doctest: +SKIP
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
                {"folder": str(path.resolve()), "files": _folder_fingerprint(path)}
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
        from vidkit.metrics.frechet import (
            GaussianStats,
            bootstrap,
            fd_from_features,
            polynomial_mmd,
        )

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
                dim = r_all.shape[1]
                r_p, f_p = _span_projection(r_all, f_all)
                if self.kind == "fvd":
                    ddof, method = m.protocol.cov_ddof, m.protocol.fd_method

                    def stat(x: np.ndarray, y: np.ndarray) -> float:
                        return fd_from_features(x, y, ddof=ddof, method=method, warn=False)

                    how = "bias-corrected"
                else:

                    def stat(x: np.ndarray, y: np.ndarray) -> float:
                        return polynomial_mmd(x, y, gamma=1.0 / dim)

                    how = "bias-corrected"  # duplicated rows inflate resampled MMDs too
                b = bootstrap(
                    stat,
                    r_p,
                    f_p,
                    n_resamples=self.n_bootstrap,
                    ci=self.ci,
                    seed=self.seed,
                    method=how,
                )
                low, high = b.low, b.high
                if self.kind == "fvd":
                    low = max(low, 0.0)  # a Fréchet distance is never negative
                prov["bootstrap"] = {
                    "resamples": self.n_bootstrap,
                    "ci": self.ci,
                    "method": how,
                    "bias": b.bias,
                    "seed": self.seed,
                    "rows_span": int(r_p.shape[1]),
                }
        return {
            "value": float(score),
            "low": float(low),
            "high": float(high),
            "n": int(prov.get("n_fake", len(fake))),
            "n_reference": int(prov.get("n_real", len(real))),
            "provenance": prov,
        }


def _span_projection(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``a``, ``b`` expressed in an orthonormal basis of the span of all their rows (when that
    span is smaller than the dimension): distances, dot products and Fréchet distances between
    any subsets of the rows are unchanged."""
    rows = np.concatenate([a, b], axis=0)
    if rows.shape[0] >= rows.shape[1]:
        return a, b
    q, _ = np.linalg.qr(rows.T)  # [d, k] orthonormal columns; rows.T = q r, so q spans the rows
    return a @ q, b @ q


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
        f"a metric must be a name, a vidkit.compare.Metric or (name, fn, higher_is_better); "
        f"got {type(metric).__name__}"
    )


# =========================================================================== processes
class _Processes:
    """This process's share of the work: accelerate's PartialState under a launcher, else one."""

    def __init__(self) -> None:
        self.state: Any = None
        self.rank, self.world = 0, 1
        if int(os.environ.get("WORLD_SIZE", "1")) > 1:
            import torch
            from accelerate import PartialState

            self.state = PartialState(cpu=not torch.cuda.is_available())
            self.rank, self.world = self.state.process_index, self.state.num_processes

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def device(self) -> Any:
        return None if self.state is None else self.state.device

    def barrier(self) -> None:
        if self.state is not None:
            self.state.wait_for_everyone()

    def split(self, seq: Sequence[Any]) -> list[Any]:
        """This process's contiguous share (accelerate's ``split_between_processes``; shares in
        rank order concatenate back to ``seq``)."""
        seq = list(seq)
        if self.state is None:
            return seq
        with self.state.split_between_processes(seq) as mine:
            return list(mine)


# =========================================================================== compare
def _check_seeds(seeds: Any) -> list[int]:
    if isinstance(seeds, (int, np.integer)) and not isinstance(seeds, bool):
        seeds = [int(seeds)]
    if not isinstance(seeds, Iterable) or isinstance(seeds, (str, bytes)):
        raise TypeError(f"seeds must be an int or a list of ints, got {seeds!r}")
    out = []
    for s in seeds:
        if isinstance(s, bool) or not isinstance(s, (int, np.integer)) or s < 0:
            raise ValueError(f"seeds must be non-negative integers, got {s!r}")
        out.append(int(s))
    if not out:
        raise ValueError("seeds is empty")
    if len(set(out)) != len(out):
        raise ValueError(f"seeds must be distinct, got {out}")
    return out


def _versions() -> dict[str, str | None]:
    from importlib.metadata import PackageNotFoundError, version

    out: dict[str, str | None] = {}
    for pkg in ("vidkit", "torch", "diffusers"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = None
    return out


def _plan(
    models: Mapping[str, Model],
    rows: Sequence[Mapping[str, Any]],
    seeds: Sequence[int],
    settings: Mapping[str, Any],
) -> list[dict[str, Any]]:
    items = []
    for name, model in models.items():
        ident = model.identity()
        merged = jsonable({**settings, **model.settings})
        for row in rows:
            for s in seeds:
                items.append(
                    {
                        "model": name,
                        "key": item_key(ident, row["prompt"], s, merged),
                        "prompt": row["prompt"],
                        "prompt_id": row["id"],
                        "seed": s,
                        "settings": merged,
                        "row": row,
                    }
                )
    return items


def _generate_missing(
    items: Sequence[dict[str, Any]],
    models: Mapping[str, Model],
    store: RunStore,
    procs: _Processes,
    progress: bool,
    desc: str,
) -> int:
    """Generate this process's share of the missing items; returns how many it made."""
    from tqdm.auto import tqdm

    procs.barrier()
    missing = set(store.missing(it["key"] for it in items))
    todo, seen = [], set()
    for it in items:
        if it["key"] in missing and it["key"] not in seen:
            seen.add(it["key"])
            todo.append(it)
    procs.barrier()  # every process has decided before anyone writes
    mine = procs.split(todo)
    versions = _versions()
    host = platform.node()
    made = 0
    label = desc if procs.world == 1 else f"{desc} [process {procs.rank + 1}/{procs.world}]"
    bar = tqdm(total=len(mine), desc=label, unit="video", disable=not progress or not mine)
    try:
        for name in dict.fromkeys(it["model"] for it in mine):
            model = models[name]
            if model.kind == "spec":
                model.load(procs.device)
            for it in (x for x in mine if x["model"] == name):
                t0 = time.perf_counter()
                video = model.generate(it["prompt"], it["seed"], **it["settings"])
                gen_s = time.perf_counter() - t0
                extra = {k: v for k, v in it["row"].items() if k not in ("id", "prompt")}
                row = {
                    "model": name,
                    "model_identity": model.identity(),
                    "prompt": it["prompt"],
                    "prompt_id": it["prompt_id"],
                    "seed": it["seed"],
                    "settings": it["settings"],
                    "prompt_row": extra,
                    "gen_seconds": gen_s,
                    "process_index": procs.rank,
                    "num_processes": procs.world,
                    "host": host,
                    "versions": versions,
                }
                store.put(it["key"], video, row)
                made += 1
                bar.update(1)
            model.release()
    finally:
        bar.close()
    procs.barrier()
    return made


def _resolve_reference(
    reference: Any,
    rows: Sequence[Mapping[str, Any]],
    seeds: Sequence[int],
    items: Sequence[dict[str, Any]],
    store: RunStore,
    reference_seeds: Sequence[int] | None,
) -> tuple[Model, list[dict[str, Any]]]:
    """The reference "model" and its items (generated into the store like any model's)."""
    first = store.row(items[0]["key"])
    assert first is not None
    size = {
        "height": int(first["height"]),
        "width": int(first["width"]),
        "num_frames": int(first["frames"]),
        "fps": float(first["fps"]),
    }
    if isinstance(reference, str) and reference == "synth":
        reference = SynthModel()
    if (
        isinstance(reference, (str, os.PathLike))
        and Path(reference).expanduser().is_dir()
        and not (Path(reference).expanduser() / "model_index.json").is_file()
    ):
        from vidkit.io import read_video

        folder = Path(reference).expanduser()
        files = sorted(
            p
            for p in folder.iterdir()
            if p.suffix.lower() in (".mp4", ".webm", ".gif", ".mov", ".mkv")
        )
        if not files:
            raise ValueError(f"reference folder {str(folder)!r} holds no video files")
        reference = [read_video(p) for p in files]
    if (
        isinstance(reference, (list, tuple))
        and reference
        and all(isinstance(v, Video) for v in reference)
    ):
        vids = list(reference)
        h = hashlib.sha256()
        for v in vids:
            h.update(str(v.shape).encode())
            h.update(np.ascontiguousarray(v.uint8).tobytes())
        model = Model(_FixedVideos(vids, h.hexdigest()[:16]))
        ident = model.identity()
        ref_items = [
            {
                "model": REFERENCE,
                "key": item_key(ident, "reference video", i, {}),
                "prompt": "reference video",
                "prompt_id": f"ref{i:04d}",
                "seed": i,
                "settings": {},
                "row": {"id": f"ref{i:04d}", "prompt": "reference video"},
            }
            for i in range(len(vids))
        ]
        return model, ref_items
    model = _as_model(reference)
    if model.kind == "callable" and isinstance(model.source, SynthModel):
        model.settings = {**size, **model.settings}
    ref_seeds = (
        [s + _REFERENCE_SEED_OFFSET for s in seeds]
        if reference_seeds is None
        else _check_seeds(reference_seeds)
    )
    return model, _plan({REFERENCE: model}, rows, ref_seeds, {})


def _evaluate_videos(
    items: Sequence[dict[str, Any]],
    metrics: Sequence[VideoMetric],
    store: RunStore,
    procs: _Processes,
    progress: bool,
) -> dict[str, dict[str, float]]:
    """Per-video metric values of every item (computed once, cached in the store)."""
    from tqdm.auto import tqdm

    unique = list({it["key"]: it for it in items}.values())
    procs.barrier()
    todo = []
    for it in unique:
        need = [m for m in metrics if store.get_eval(m.cache_id, it["key"]) is None]
        if need:
            todo.append(it)
    procs.barrier()
    mine = procs.split(todo)
    if mine:
        for m in metrics:
            m.setup()
    bar = tqdm(
        total=len(mine), desc="evaluating videos", unit="video", disable=not progress or not mine
    )
    try:
        for it in mine:
            video = store.video(it["key"])
            item = {
                **it["row"],
                "model": it["model"],
                "seed": it["seed"],
                "settings": it["settings"],
            }
            for m in metrics:
                if store.get_eval(m.cache_id, it["key"]) is None:
                    store.put_eval(m.cache_id, it["key"], m.evaluate(video, item))
            bar.update(1)
    finally:
        bar.close()
    procs.barrier()
    values: dict[str, dict[str, float]] = {}
    for it in unique:
        vals: dict[str, float] = {}
        for m in metrics:
            got = store.get_eval(m.cache_id, it["key"])
            if got is None:
                raise RuntimeError(f"metric {m.name} missing for item {it['key']} after evaluation")
            vals.update({k: float("nan") if v is None else float(v) for k, v in got.items()})
        values[it["key"]] = vals
    return values


def _evaluate_models(
    items: Sequence[dict[str, Any]],
    ref_items: Sequence[dict[str, Any]],
    metrics: Sequence[DistributionMetric],
    models: Sequence[str],
    store: RunStore,
    procs: _Processes,
    progress: bool,
) -> dict[str, dict[str, dict[str, Any]]]:
    from tqdm.auto import tqdm

    results: dict[str, dict[str, dict[str, Any]]] = {m: {} for m in models}
    if not metrics:
        return results
    everything = list({it["key"]: it for it in [*items, *ref_items]}.values())
    frames = min(int(store.row(it["key"])["frames"]) for it in everything)  # type: ignore[index]
    for m in metrics:
        m.bind(frames)
    # 1. features per video (cached), shared by metrics with the same extractor and protocol
    by_feature: dict[str, DistributionMetric] = {}
    for m in metrics:
        by_feature.setdefault(m.feature_id(), m)
    for fid, m in by_feature.items():
        procs.barrier()
        todo = [it["key"] for it in everything if store.get_features(fid, it["key"]) is None]
        procs.barrier()
        mine = procs.split(todo)
        bar = tqdm(
            total=len(mine),
            desc=f"features ({fid.split('-')[0]})",
            unit="video",
            disable=not progress or not mine,
        )
        try:
            batch = 16
            for a in range(0, len(mine), batch):
                keys = mine[a : a + batch]
                feats = m.features([store.video(k) for k in keys])
                for k, f in zip(keys, feats):
                    store.put_features(fid, k, f)
                bar.update(len(keys))
        finally:
            bar.close()
        procs.barrier()

    # 2. one result per (metric, model), cached by the exact set of videos
    ref_keys = [it["key"] for it in ref_items]
    plan = []
    for m in metrics:
        fid = m.feature_id()
        for name in models:
            keys = [it["key"] for it in items if it["model"] == name]
            rid = stable_hash({"metric": m.cache_id, "fake": keys, "real": ref_keys})
            plan.append((m, fid, name, keys, rid))
    procs.barrier()
    cached = {rid: store.get_result(m.cache_id, rid) for m, _, _, _, rid in plan}
    procs.barrier()
    done: dict[str, dict[str, Any]] = {}
    for m, fid, name, keys, rid in plan:
        res = cached.get(rid) or done.get(rid)
        if res is None:
            dim = None

            def rows_of(ks: Sequence[str], fid: str = fid) -> np.ndarray:
                arrs = [store.get_features(fid, k) for k in ks]
                if any(a is None for a in arrs):
                    raise RuntimeError("features missing after extraction")
                return np.concatenate(arrs, axis=0) if arrs else np.zeros((0, 0))

            fake_local = rows_of(procs.split(keys))
            real_local = rows_of(procs.split(ref_keys))
            dim = max(fake_local.shape[1], real_local.shape[1])
            if fake_local.size == 0:
                fake_local = np.zeros((0, dim))
            if real_local.size == 0:
                real_local = np.zeros((0, dim))
            res = m.compute(fake_local, real_local)
            res["metric"] = m.name
            if procs.is_main:
                store.put_result(m.cache_id, rid, res)
            done[rid] = res
        results[name][m.name] = res
    procs.barrier()
    return results


def compare(
    models: Mapping[str, Any],
    prompts: Any,
    seeds: int | Sequence[int] = (0,),
    *,
    metrics: Sequence[Any] = ("physics",),
    store: str | os.PathLike | RunStore = "runs/compare",
    reference: Any = None,
    reference_seeds: Sequence[int] | None = None,
    n_bootstrap: int = 1000,
    ci: float = 0.95,
    progress: bool = True,
    **gen_kwargs: Any,
) -> Leaderboard:
    """Generate, evaluate and rank models on a prompt suite; returns a :class:`Leaderboard`.

    Args:
        models: ``{name: model}``; a model is a load spec (hub id, folder,
            ``"vidkit/tiny-physics"``), a loaded pipeline, a callable
            ``fn(prompt, seed, **settings) -> Video``, a :class:`Model`, or a dict
            ``{"model": ..., **settings}``.
        prompts: a suite (see :func:`load_prompts`): ``"tiny"``, ``"physics"``, a ``.jsonl``
            file, a ``datasets.Dataset``, a list...
        seeds: the seeds; every model gets every prompt with every seed.
        metrics: names (``"physics"``, ``"clip[:model]"``, ``"fvd[:extractor]"``,
            ``"kvd[:extractor]"``) or :class:`Metric` objects. FVD/KVD need ``reference``.
        store: the run store folder (or a :class:`RunStore`); videos, evaluations and results
            are kept there, so a second call only does what is missing.
        reference: the "real" side of FVD/KVD: ``"synth"`` (the prompt's scene rendered by
            vk.synth with exact physics, at the generated videos' size, length and rate), any
            model (generated for the same prompts with ``reference_seeds``), a list of Videos, or
            a folder of video files.
        reference_seeds: seeds of a generated reference (default: the seeds + 1000003, so equal
            N on both sides and no seed shared with the models).
        n_bootstrap, ci: bootstrap resamples and level of the per-video metrics' CIs.
        progress: ``tqdm.auto`` progress bars.
        **gen_kwargs: generation settings for every model (``steps``, ``guidance``,
            ``num_frames``, ``height``, ``width``, ``negative_prompt``...).

    Example:
        >>> board = vk.compare({"final": "vidkit/tiny-physics", "early": "vidkit/tiny-physics@early"},
        ...                    prompts="tiny", seeds=[0, 1, 2], metrics=["physics", "fvd"],
        ...                    reference="synth", store="runs/tiny")  # doctest: +SKIP
        >>> board.plot(); board.show(prompt=0)  # doctest: +SKIP
    """
    model_map = _as_models(models)
    rows = load_prompts(prompts)
    seed_list = _check_seeds(seeds)
    if isinstance(metrics, (str, Metric)):
        metrics = [metrics]
    metric_list = [as_metric(m) for m in metrics]
    names = [m.name for m in metric_list]
    if len(set(names)) != len(names):
        raise ValueError(f"metric names must be unique, got {names}")
    video_metrics = [m for m in metric_list if m.scope == "video"]
    model_metrics = [m for m in metric_list if m.scope == "model"]
    if model_metrics and reference is None:
        raise ValueError(
            f"{model_metrics[0].name} compares each model with a reference set: pass reference="
            "'synth' (vk.synth scenes for the prompts), a list of Videos, a folder of videos or a "
            "model"
        )
    for bad in ("prompt", "seed", "callbacks", "record"):
        if bad in gen_kwargs:
            raise ValueError(f"{bad!r} is not a generation setting of compare")
    if not isinstance(store, RunStore):
        store = RunStore(store)
    procs = _Processes()
    if procs.is_main:
        store.clean()
    items = _plan(model_map, rows, seed_list, gen_kwargs)
    _generate_missing(items, model_map, store, procs, progress, "generating")
    ref_items: list[dict[str, Any]] = []
    if model_metrics:
        ref_model, ref_items = _resolve_reference(
            reference, rows, seed_list, items, store, reference_seeds
        )
        _generate_missing(ref_items, {REFERENCE: ref_model}, store, procs, progress, "reference")
    values = _evaluate_videos(items, video_metrics, store, procs, progress) if video_metrics else {}
    model_results = _evaluate_models(
        items, ref_items, model_metrics, list(model_map), store, procs, progress
    )
    import pandas as pd

    records = []
    for it in items:
        rec = {
            "model": it["model"],
            "prompt_id": it["prompt_id"],
            "prompt": it["prompt"],
            "seed": it["seed"],
            "key": it["key"],
        }
        for k in ("kind",):
            if k in it["row"]:
                rec[k] = it["row"][k]
        rec.update(values.get(it["key"], {}))
        records.append(rec)
    board = Leaderboard(
        pd.DataFrame(records),
        model_results,
        metric_list,
        store=store,
        models=list(model_map),
        n_bootstrap=n_bootstrap,
        ci=ci,
    )
    return board


# =========================================================================== leaderboard
def _bootstrap_mean(
    values: np.ndarray, n: int, ci: float, rng: np.random.Generator
) -> tuple[float, float, float]:
    v = values[np.isfinite(values)]
    if v.size == 0:
        return float("nan"), float("nan"), float("nan")
    mean = float(v.mean())
    if v.size == 1 or n == 0:
        return mean, mean, mean
    idx = rng.integers(0, v.size, size=(n, v.size))
    means = v[idx].mean(axis=1)
    a = (1 - ci) / 2
    low, high = np.quantile(means, [a, 1 - a])
    return mean, float(low), float(high)


def _fmt(v: float, digits: int = 3) -> str:
    if v is None or not np.isfinite(v):
        return "–"
    if v != 0 and (abs(v) >= 1e4 or abs(v) < 1e-3):
        return f"{v:.{digits}g}"
    return (
        f"{v:.{digits}g}" if abs(v) < 1 else f"{v:.{max(1, digits - int(math.log10(abs(v))) - 1)}f}"
    )


class Leaderboard:
    """Models ranked on several metrics, each with its mean and bootstrap confidence interval.

    Built by :func:`compare` (or from a per-video table and per-model results).

    Attributes:
        items: per-video DataFrame (model, prompt_id, prompt, seed, key, metric columns).
        model_results: ``{model: {metric: {"value", "low", "high", "n", "provenance"}}}``.
        metrics: the :class:`Metric` objects; ``directions``: ``{column: higher_is_better}``.
        table: long DataFrame, one row per (model, metric): value, low, high, n, rank.

    Example:
        >>> board.summary()  # doctest: +SKIP
        >>> board.plot(); board.show(prompt="p003")  # doctest: +SKIP
        >>> board.to_markdown("leaderboard.md")  # doctest: +SKIP
    """

    def __init__(
        self,
        items: Any,
        model_results: Mapping[str, Mapping[str, Mapping[str, Any]]] | None,
        metrics: Sequence[Metric],
        *,
        store: RunStore | None = None,
        models: Sequence[str] | None = None,
        n_bootstrap: int = 1000,
        ci: float = 0.95,
        seed: int = 0,
    ) -> None:
        import pandas as pd

        if not isinstance(items, pd.DataFrame):
            items = pd.DataFrame(list(items))
        if "model" not in items.columns:
            raise ValueError("items needs a 'model' column")
        self.items = items.reset_index(drop=True)
        self.model_results = {k: dict(v) for k, v in (model_results or {}).items()}
        self.metrics = list(metrics)
        self.store = store
        self.models = (
            list(models) if models is not None else list(dict.fromkeys(self.items["model"]))
        )
        self.n_bootstrap = int(n_bootstrap)
        self.ci = float(ci)
        self.seed = int(seed)
        self.directions: dict[str, bool] = {}
        self.main: list[str] = []
        self.descriptions: dict[str, str] = {}
        for m in self.metrics:
            self.main.append(m.name)
            self.descriptions[m.name] = m.description
            self.directions.update(m.directions())
            if m.scope == "video":
                for col in self.items.columns:
                    if col.startswith(m.name + ".") and col not in self.directions:
                        self.directions[col] = m.higher_is_better
        self.table = self._build_table()

    # ------------------------------------------------------------------ numbers
    def _build_table(self) -> Any:
        import pandas as pd

        rows = []
        rng = np.random.default_rng(self.seed)
        scopes = {m.name: m.scope for m in self.metrics}
        for col, hib in self.directions.items():
            parent = col.split(".")[0]
            for model in self.models:
                if scopes.get(parent) == "model":
                    r = self.model_results.get(model, {}).get(col, {})
                    value, low, high = (
                        float(r.get(k, float("nan"))) for k in ("value", "low", "high")
                    )
                    n = int(r.get("n", 0))
                elif col in self.items.columns:
                    vals = self.items.loc[self.items["model"] == model, col].to_numpy(dtype=float)
                    value, low, high = _bootstrap_mean(vals, self.n_bootstrap, self.ci, rng)
                    n = int(np.isfinite(vals).sum())
                else:
                    value = low = high = float("nan")
                    n = 0
                rows.append(
                    {
                        "model": model,
                        "metric": col,
                        "value": value,
                        "low": low,
                        "high": high,
                        "n": n,
                        "higher_is_better": hib,
                        "headline": col in self.main,
                    }
                )
        columns = ["model", "metric", "value", "low", "high", "n", "higher_is_better", "headline"]
        df = pd.DataFrame(rows, columns=columns)
        df["rank"] = pd.Series(dtype=int)
        if len(df):
            ranks = []
            for _, g in df.groupby("metric", sort=False):
                hib = bool(g["higher_is_better"].iloc[0])
                r = g["value"].rank(ascending=not hib, method="min", na_option="bottom")
                ranks.append(r)
            df["rank"] = pd.concat(ranks).astype(int)
        return df

    def ranks(self) -> Any:
        """Rank of each model on each headline metric (1 = best) and overall (mean rank).

        Example:
            >>> board.ranks()  # doctest: +SKIP
        """
        import pandas as pd

        t = self.table[self.table["headline"]]
        if not len(t):  # no metric: every model shares rank 1
            return pd.DataFrame({"overall": [1] * len(self.models)}, index=self.models)
        wide = t.pivot(index="model", columns="metric", values="rank").reindex(self.models)
        wide = wide[[c for c in self.main if c in wide.columns]]
        wide["overall"] = wide.mean(axis=1).rank(method="min").astype(int)
        return wide.sort_values(["overall", *wide.columns[:1]])

    def order(self) -> list[str]:
        """Model names from best to worst (overall rank).

        Example:
            >>> board.order()  # doctest: +SKIP
            ['final', 'early']
        """
        return list(self.ranks().index)

    def best(self, metric: str | None = None) -> str:
        """The best model overall, or on ``metric``.

        Example:
            >>> board.best("fvd")  # doctest: +SKIP
            'final'
        """
        if metric is None:
            return self.order()[0]
        self._check_metric(metric)
        t = self.table[self.table["metric"] == metric].sort_values("rank")
        return str(t["model"].iloc[0])

    def value(self, model: str, metric: str) -> float:
        """The mean (or per-model value) of ``metric`` for ``model``.

        Example:
            >>> board.value("final", "physics")  # doctest: +SKIP
            0.524
        """
        self._check_metric(metric)
        if model not in self.models:
            raise KeyError(f"unknown model {model!r}; models: {self.models}")
        t = self.table
        return float(t[(t["model"] == model) & (t["metric"] == metric)]["value"].iloc[0])

    def interval(self, model: str, metric: str) -> tuple[float, float]:
        """The confidence interval ``(low, high)`` of ``metric`` for ``model``.

        Example:
            >>> board.interval("final", "fvd")  # doctest: +SKIP
            (168.0, 213.2)
        """
        self._check_metric(metric)
        t = self.table
        r = t[(t["model"] == model) & (t["metric"] == metric)]
        if not len(r):
            raise KeyError(f"unknown model {model!r}; models: {self.models}")
        return float(r["low"].iloc[0]), float(r["high"].iloc[0])

    def _check_metric(self, metric: str) -> None:
        if metric not in self.directions:
            raise KeyError(
                f"unknown metric {metric!r}; this leaderboard has {list(self.directions)}"
            )

    def summary(self, metrics: Sequence[str] | None = None) -> Any:
        """One row per model (best first): each metric's value, CI low/high, and the ranks.

        Example:
            >>> board.summary()[["physics", "physics low", "physics high", "rank"]]  # doctest: +SKIP
        """
        import pandas as pd

        cols = list(metrics) if metrics is not None else list(self.main)
        for c in cols:
            self._check_metric(c)
        order = self.order()
        t = self.table.set_index(["model", "metric"])
        data: dict[str, list[Any]] = {}
        for c in cols:
            data[c] = [t.loc[(m, c), "value"] for m in order]
            data[f"{c} low"] = [t.loc[(m, c), "low"] for m in order]
            data[f"{c} high"] = [t.loc[(m, c), "high"] for m in order]
        data["rank"] = list(self.ranks()["overall"].reindex(order))
        return pd.DataFrame(data, index=pd.Index(order, name="model"))

    def per_prompt(self, metric: str | None = None) -> Any:
        """Mean of a per-video ``metric`` per prompt (rows) and model (columns).

        Example:
            >>> board.per_prompt("physics")  # doctest: +SKIP
        """
        metric = metric or next((m.name for m in self.metrics if m.scope == "video"), None)
        if metric is None or metric not in self.items.columns:
            raise ValueError(
                f"per_prompt needs a per-video metric; this leaderboard has {list(self.items.columns)}"
            )
        df = self.items.pivot_table(
            index=["prompt_id", "prompt"], columns="model", values=metric, aggfunc="mean"
        )
        return df.reindex(columns=self.models)

    # ------------------------------------------------------------------ text exports
    def _headers(self, cols: Sequence[str]) -> list[str]:
        return [f"{c} {'↑' if self.directions[c] else '↓'}" for c in cols]

    def _cells(
        self, cols: Sequence[str], bold: Callable[[str], str] | None = None
    ) -> list[list[str]]:
        order = self.order()
        t = self.table.set_index(["model", "metric"])
        ranks = self.ranks()["overall"]
        out = []
        for m in order:
            row = [m, str(int(ranks[m]))]
            for c in cols:
                r = t.loc[(m, c)]
                cell = f"{_fmt(r['value'])} [{_fmt(r['low'])}, {_fmt(r['high'])}]"
                if bold is not None and int(r["rank"]) == 1 and np.isfinite(r["value"]):
                    cell = bold(cell)
                row.append(cell)
            out.append(row)
        return out

    def to_markdown(
        self, path: str | os.PathLike | None = None, *, metrics: Sequence[str] | None = None
    ) -> str:
        """The leaderboard as a Markdown table (``value [low, high]``, best in bold); written to
        ``path`` when given.

        Example:
            >>> print(board.to_markdown())  # doctest: +SKIP
        """
        cols = list(metrics) if metrics is not None else list(self.main)
        head = ["model", "rank", *self._headers(cols)]
        lines = ["| " + " | ".join(head) + " |", "|" + "|".join(["---"] * len(head)) + "|"]
        for row in self._cells(cols, bold=lambda s: f"**{s}**"):
            lines.append("| " + " | ".join(row) + " |")
        lines.append("")
        lines.append(
            f"Mean [{self.ci:.0%} bootstrap CI]; ↑ higher is better, ↓ lower is better; "
            f"N = {self._n_text()}."
        )
        text = "\n".join(lines) + "\n"
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text

    def _n_text(self) -> str:
        counts = self.items.groupby("model").size()
        ns = sorted(set(int(c) for c in counts))
        return " / ".join(map(str, ns)) + " videos per model"

    def to_csv(self, path: str | os.PathLike | None = None) -> str:
        """The long table (model, metric, value, low, high, n, higher_is_better, rank) as CSV;
        written to ``path`` when given.

        Example:
            >>> board.to_csv("leaderboard.csv")  # doctest: +SKIP
        """
        text = self.table.to_csv(index=False)
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text

    def _table_html(self, cols: Sequence[str] | None = None) -> str:
        cols = list(cols) if cols is not None else list(self.main)
        head = "".join(
            f"<th>{html.escape(h)}</th>" for h in ["model", "rank", *self._headers(cols)]
        )
        body = []
        for row in self._cells(cols, bold=lambda s: f"\x00{s}\x01"):
            cells = []
            for c in row:
                esc = html.escape(c).replace("\x00", "<b>").replace("\x01", "</b>")
                cells.append(f"<td>{esc}</td>")
            body.append("<tr>" + "".join(cells) + "</tr>")
        note = html.escape(
            f"Mean [{self.ci:.0%} bootstrap CI]; ↑ higher is better, ↓ lower is better; N = {self._n_text()}."
        )
        return (
            '<table class="vidkit-leaderboard" style="border-collapse:collapse">'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
            f'<div style="font-size:11px;color:#666">{note}</div>'
        )

    def _repr_html_(self) -> str:
        return self._table_html()

    def __repr__(self) -> str:
        cols = list(self.main)
        rows = [["model", "rank", *self._headers(cols)], *self._cells(cols)]
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in rows]
        return "Leaderboard\n" + "\n".join(lines)

    def to_html(
        self,
        path: str | os.PathLike | None = None,
        *,
        title: str = "vidkit leaderboard",
        prompts: int = 4,
        plots: bool = True,
    ) -> str:
        """A self-contained HTML page: the table, the plots and side-by-side videos of the first
        ``prompts`` prompts (first seed). Written to ``path`` when given; returns the HTML.

        Example:
            >>> board.to_html("runs/tiny/leaderboard.html")  # doctest: +SKIP
        """
        from vidkit.report import Report

        rep = Report(title)
        rep.add_heading("Leaderboard")
        rep.add_html(self._table_html())
        for name, desc in self.descriptions.items():
            if desc:
                rep.add_text(f"{name}: {desc}", note=True)
        if plots:
            rep.add_heading("Metrics with confidence intervals")
            rep.add_figure(self.plot())
        if self.store is not None and prompts:
            rep.add_heading("Side by side")
            for pid in list(dict.fromkeys(self.items["prompt_id"]))[: int(prompts)]:
                vids = self.videos(prompt=pid)
                text = self.items.loc[self.items["prompt_id"] == pid, "prompt"].iloc[0]
                rep.add_text(f"{pid}: {text}")
                rep.add_videos(vids)
        text = rep.html()
        if path is not None:
            rep.save(path)
        return text

    # ------------------------------------------------------------------ plots and videos
    def plot(self, metrics: Sequence[str] | None = None, *, profile: bool = True) -> Any:
        """Bars with CIs for each headline metric and, when probe columns exist, a probe-score
        profile per model. Returns the matplotlib Figure.

        Example:
            >>> fig = board.plot(); fig.savefig("leaderboard.png")  # doctest: +SKIP
        """
        from matplotlib.figure import Figure

        cols = list(metrics) if metrics is not None else list(self.main)
        if not cols:
            raise ValueError("this leaderboard has no metric to plot (compare ran with metrics=[])")
        for c in cols:
            self._check_metric(c)
        subs = [c for c in self.directions if "." in c and c.split(".")[0] in cols]
        has_profile = profile and bool(subs)
        n = len(cols) + (1 if has_profile else 0)
        fig = Figure(figsize=(3.2 * len(cols) + (5.5 if has_profile else 0), 3.4))
        fig.set_layout_engine("constrained")
        widths = [1] * len(cols) + ([1.9] if has_profile else [])
        axes = fig.subplots(1, n, squeeze=False, gridspec_kw={"width_ratios": widths})[0]
        order = self.order()
        colors = [f"C{i}" for i in range(len(order))]
        t = self.table.set_index(["model", "metric"])
        for ax, c in zip(axes, cols):
            vals = np.array([t.loc[(m, c), "value"] for m in order], dtype=float)
            low = np.array([t.loc[(m, c), "low"] for m in order], dtype=float)
            high = np.array([t.loc[(m, c), "high"] for m in order], dtype=float)
            err = np.vstack([np.clip(vals - low, 0, None), np.clip(high - vals, 0, None)])
            err = np.where(np.isfinite(err), err, 0)
            ax.bar(range(len(order)), np.nan_to_num(vals), yerr=err, capsize=4, color=colors)
            ax.set_xticks(range(len(order)))
            ax.set_xticklabels(order, rotation=30, ha="right", fontsize=8)
            arrow = "higher is better" if self.directions[c] else "lower is better"
            ax.set_title(f"{c} ({arrow})", fontsize=9)
            ax.grid(axis="y", alpha=0.3)
        if has_profile:
            ax = axes[-1]
            x = np.arange(len(subs))
            for i, m in enumerate(order):
                vals = np.array([t.loc[(m, s), "value"] for s in subs], dtype=float)
                low = np.array([t.loc[(m, s), "low"] for s in subs], dtype=float)
                high = np.array([t.loc[(m, s), "high"] for s in subs], dtype=float)
                ax.errorbar(
                    x + (i - (len(order) - 1) / 2) * 0.08,
                    vals,
                    yerr=np.nan_to_num(np.vstack([vals - low, high - vals]).clip(0)),
                    fmt="o-",
                    color=colors[i],
                    label=m,
                    capsize=3,
                    ms=4,
                )
            ax.set_xticks(x)
            ax.set_xticklabels(
                [s.split(".", 1)[1] for s in subs], rotation=30, ha="right", fontsize=8
            )
            ax.set_title("probe profile (mean per probe, CI)", fontsize=9)
            ax.legend(fontsize=7)
            ax.grid(alpha=0.3)
        return fig

    def _prompt_id(self, prompt: Any) -> str:
        ids = list(dict.fromkeys(self.items["prompt_id"]))
        if prompt is None:
            return ids[0]
        if isinstance(prompt, (int, np.integer)) and not isinstance(prompt, bool):
            if not -len(ids) <= int(prompt) < len(ids):
                raise IndexError(f"prompt index {prompt} out of range for {len(ids)} prompts")
            return ids[int(prompt)]
        if prompt in ids:
            return str(prompt)
        hit = self.items.loc[self.items["prompt"] == prompt, "prompt_id"]
        if len(hit):
            return str(hit.iloc[0])
        raise KeyError(
            f"unknown prompt {prompt!r}: give a prompt id ({ids[:3]}...), its text or an index"
        )

    def videos(self, prompt: Any = None, seed: int | None = None) -> dict[str, Video]:
        """``{model: Video}`` for one prompt (id, text or index; default the first) and seed
        (default the first), read from the store.

        Example:
            >>> vk.show(board.videos(prompt="bounce-red-left", seed=1))  # doctest: +SKIP
        """
        if self.store is None:
            raise ValueError("this leaderboard has no run store to read videos from")
        pid = self._prompt_id(prompt)
        rows = self.items[self.items["prompt_id"] == pid]
        if seed is None:
            seed = int(rows["seed"].iloc[0])
        out = {}
        for m in self.models:
            r = rows[(rows["model"] == m) & (rows["seed"] == seed)]
            if not len(r):
                raise KeyError(f"no video for model {m!r}, prompt {pid!r}, seed {seed}")
            out[m] = self.store.video(str(r["key"].iloc[0]))
        return out

    def show(
        self,
        prompt: Any = None,
        seed: int | None = None,
        *,
        return_html: bool = False,
        **show_kwargs: Any,
    ) -> str | None:
        """Videos of all models for one prompt side by side (``vk.show``).

        Example:
            >>> board.show(prompt="p003", seed=1)  # doctest: +SKIP
        """
        from vidkit.display import show

        vids = self.videos(prompt, seed)
        return show(vids, return_html=return_html, **show_kwargs)

    def viewer(self, prompt: Any = None, seed: int | None = None) -> Any:
        """A :class:`vidkit.widgets.CompareViewer` of all models' videos for one prompt.

        Example:
            >>> board.viewer(prompt=0)  # doctest: +SKIP
        """
        from vidkit.widgets import CompareViewer

        return CompareViewer(self.videos(prompt, seed))


# =========================================================================== vk.compare.<name>
# ``vk.compare`` is this module's ``compare`` function (see vidkit/__init__.py); the names below
# are reachable from it too (``vk.compare.SynthModel``), and the module itself is callable, so
# ``vk.compare(...)`` works whichever of the two ``vk.compare`` turns out to be.
for _name in __all__:
    if _name != "compare":
        setattr(compare, _name, globals()[_name])


class _CallableModule(type(sys)):  # type: ignore[misc]
    def __call__(self, *args: Any, **kwargs: Any) -> Leaderboard:
        return compare(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
