"""What a model is in the run store: :class:`Model` (a spec, a loaded pipeline or a callable, plus its
settings) and the fingerprints its identity is made of (folder files, weights, hub revision).
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from vidkit.files import jsonable
from vidkit.video import Video, as_video


def hub_revision(repo_id: str, revision: str | None = None) -> str | None:
    """The commit hash a hub id resolves to in the local Hugging Face cache (None if unknown).

    Example:
        >>> hub_revision("no-such-org/no-such-model") is None
        True
    """
    if (
        revision is not None
        and len(revision) == 40
        and all(c in "0123456789abcdef" for c in revision)
    ):
        return revision
    parts = repo_id.split("/")
    if len(parts) != 2 or not all(parts) or any(p in (".", "..") for p in parts):
        return None
    try:
        from huggingface_hub.constants import HF_HUB_CACHE
    except ImportError:  # pragma: no cover - a dependency of diffusers
        return None
    ref = Path(HF_HUB_CACHE) / f"models--{parts[0]}--{parts[1]}" / "refs" / (revision or "main")
    try:
        text = ref.read_text().strip()
    except (OSError, ValueError):
        return None
    return text or None


def code_fingerprint(*modules: str) -> str:
    """Hash of the source files of vidkit modules/packages (changes invalidate cached results).

    Example:
        >>> len(code_fingerprint("vidkit.probes")), code_fingerprint("vidkit.probes") == code_fingerprint("vidkit.probes")
        (16, True)
    """
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


def folder_fingerprint(path: Path) -> str:
    """Configs' content plus each weight file's size and first/last 64 KiB.

    Example:
        >>> import tempfile
        >>> folder = Path(tempfile.mkdtemp())
        >>> _ = (folder / "config.json").write_text('{"layers": 2}')
        >>> before = folder_fingerprint(folder)
        >>> _ = (folder / "config.json").write_text('{"layers": 3}')
        >>> folder_fingerprint(folder) != before
        True
    """
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


def weights_fingerprint(pipeline: Any) -> str:
    """A fast fingerprint of a pipeline's weights: per tensor its name, shape, dtype, first
    values and sum (so two random-weight pipelines of one config differ).

    Example:
        >>> from vidkit.testing import tiny_pipeline
        >>> a, b = tiny_pipeline("wan", seed=0), tiny_pipeline("wan", seed=1)
        >>> weights_fingerprint(a.pipeline) == weights_fingerprint(a.pipeline) != weights_fingerprint(b.pipeline)
        True
    """
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
    # the tiny family's resolve hook finds the bundled folder (sampling never imports vidkit.tiny)
    from vidkit.sampling.families import detect_family

    fam = detect_family(spec)
    found = fam.resolve(spec) if fam.resolve is not None else None
    folder = Path(found) if found is not None else None
    return folder if folder is not None and (folder / "model_index.json").is_file() else None


def _read_json_file(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _load_spec(spec: str, **kwargs: Any) -> Any:
    """``vk.load(spec, **kwargs)`` (the bundled ``vidkit/tiny-physics[@early]`` is found through
    its family's resolve hook)."""
    from vidkit.sampling import load

    return load(spec, **kwargs)


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
        >>> fast = Model("vidkit/tiny-physics", steps=4)
        >>> fast.kind, fast.settings, sorted(fast.identity())  # the spec and its files' fingerprint
        ('spec', {'steps': 4}, ['files', 'spec'])
        >>> video = fast.generate("a red ball falls", seed=0)  # loads the model once
        >>> video.num_frames, video.height, video.width
        (16, 32, 32)
        >>> fast.release()
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
                ident = {"spec": str(path.resolve()), "files": folder_fingerprint(path)}
            elif (tiny := _tiny_folder(text)) is not None:  # the bundled model's own files
                ident = {"spec": text, "files": folder_fingerprint(tiny)}
            elif rev := hub_revision(text, self.load_kwargs.get("revision")):  # cached hub model
                ident["revision"] = rev
            load = {k: v for k, v in self.load_kwargs.items() if k != "device"}
            if load:
                ident["load"] = jsonable(load)
        elif self.kind == "pipeline":
            pipe = self.source
            inner = getattr(pipe, "pipeline", pipe)
            ident = {
                "pipeline": type(inner).__name__,
                "model_id": getattr(pipe, "model_id", None),
                "weights": weights_fingerprint(inner),
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
            if isinstance(out, (str, bytes, os.PathLike)):  # not read as a path: say what came
                raise TypeError(
                    f"the model callable returned a {type(out).__name__} ({str(out)[:60]!r}); it "
                    "must return a vk.Video (or an array vk.as_video accepts)"
                )
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
