"""The run store: generated videos on disk, one item per (model, prompt, seed, settings).

A :class:`RunStore` is a folder that any number of processes may write into at the same time and
that a SIGKILL at any moment leaves consistent:

==============================  ===================================================================
``store.json``                  format tag and creation time
``videos/<key>.mp4``            the video, written atomically (temporary file + rename)
``rows/<key>.json``             its row: every parameter and its metadata, plus the mp4's sha256;
                                written atomically *after* the mp4. The row is the commit record.
``evals/<metric>/<key>.json``   cached per-video evaluation (tied to the video's sha256)
``features/<ext>/<key>.npz``    cached feature vectors for FVD/KVD (tied to the video's sha256)
``results/<metric>/<id>.json``  cached per-model results (FVD with its CI, ...)
``reference/<id>/``             a reference set materialised as mp4 + its cached features
``runs.parquet``                the rows consolidated into one table (a cache, rebuilt on read)
==============================  ===================================================================

An item is *present* only when its row parses and the mp4 it names exists with the recorded size
and sha256. Anything else (a crash between the two writes, a truncated or altered mp4, a
half-written row, a leftover temporary file) simply reads as missing, so the item is generated
again and replaces what was there. The item key is a hash of the model identity, the prompt, the
seed and the generation settings (:func:`item_key`), so the same item is never generated twice.

Example:
    >>> import numpy as np, vidkit as vk
    >>> from vidkit.store import RunStore, item_key
    >>> store = RunStore("/tmp/vidkit_doc_store")
    >>> key = item_key({"model": "demo"}, "a red ball falls", 0, {"steps": 2})
    >>> row = store.put(key, vk.Video(np.zeros((4, 16, 16, 3))), {"model": "demo", "seed": 0})
    >>> store.has(key), row["frames"]
    (True, 4)
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import json
import math
import os
import time
import uuid
import warnings
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from vidkit.video import Video

__all__ = [
    "RunStore",
    "item_key",
    "stable_hash",
    "jsonable",
    "atomic_write_bytes",
    "atomic_write_json",
    "file_sha256",
]

FORMAT = "vidkit.RunStore/1"
KEY_LENGTH = 20
# temporary files older than this are left-overs of killed writers and are removed on open
STALE_TMP_SECONDS = 3600.0


# --------------------------------------------------------------------------- hashing and JSON
def jsonable(obj: Any) -> Any:
    """A JSON-compatible copy of ``obj`` (numpy scalars and arrays, tuples, paths, sets converted;
    other objects become their ``repr``). Dict keys become strings.

    Example:
        >>> jsonable({"a": np.float32(0.5), "b": (1, 2)})
        {'a': 0.5, 'b': [1, 2]}
    """
    if obj is None or isinstance(obj, (bool, str)):
        return obj
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        f = float(obj)
        return f if math.isfinite(f) else None if math.isnan(f) else str(f)
    if isinstance(obj, np.bool_):
        return bool(obj)
    if isinstance(obj, Mapping):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    if isinstance(obj, (set, frozenset)):
        return sorted((jsonable(v) for v in obj), key=repr)
    if isinstance(obj, np.ndarray):
        return jsonable(obj.tolist())
    if isinstance(obj, os.PathLike):
        return os.fspath(obj)
    if hasattr(obj, "detach") and hasattr(obj, "tolist"):  # torch tensor
        return jsonable(obj.detach().cpu().tolist())
    return repr(obj)


def stable_hash(obj: Any, length: int = KEY_LENGTH) -> str:
    """Hex sha256 (first ``length`` characters) of the canonical JSON of ``obj``.

    Canonical: keys sorted, no whitespace, floats as ``repr``; equal content gives the same hash
    in every process and on every machine.

    Example:
        >>> stable_hash({"b": 1, "a": [1.0, 2]}) == stable_hash({"a": [1.0, 2], "b": 1})
        True
    """
    text = json.dumps(jsonable(obj), sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:length]


def item_key(model: Any, prompt: str, seed: int, settings: Mapping[str, Any] | None = None) -> str:
    """The store key of one item: a hash of the model identity, prompt, seed and settings.

    ``model`` is any JSON-able identity (a spec string, or a dict such as
    ``{"spec": "vidkit/tiny-physics", "weights": "3f2a..."}``).

    Example:
        >>> item_key("vidkit/tiny-physics", "a red ball falls", 0) == item_key(
        ...     "vidkit/tiny-physics", "a red ball falls", 0, {})
        True
    """
    if not isinstance(prompt, str):
        raise TypeError(f"prompt must be a string, got {type(prompt).__name__}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an integer, got {type(seed).__name__} {seed!r}")
    return stable_hash(
        {"model": model, "prompt": prompt, "seed": int(seed), "settings": dict(settings or {})}
    )


def file_sha256(path: str | os.PathLike) -> str:
    """Hex sha256 of a file's bytes.

    Example:
        >>> file_sha256(atomic_write_bytes("/tmp/vidkit_doc.bin", b"abc"))[:12]
        'ba7816bf8f01'
    """
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# --------------------------------------------------------------------------- atomic writes
def _tmp_name(path: Path) -> Path:
    return path.parent / f".{path.name}.{uuid.uuid4().hex[:8]}.tmp"


def atomic_write_bytes(path: str | os.PathLike, data: bytes, *, fsync: bool = True) -> Path:
    """Write ``data`` to ``path`` atomically: a temporary file in the same folder, flushed (and
    fsync-ed), then renamed over ``path``. A reader sees the old file or the new one, never a part.

    Example:
        >>> atomic_write_bytes("/tmp/vidkit_doc.bin", b"abc").read_bytes()
        b'abc'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _tmp_name(path)
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            if fsync:
                os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return path


def atomic_write_json(path: str | os.PathLike, obj: Any, *, fsync: bool = True) -> Path:
    """Write ``obj`` as JSON atomically (see :func:`atomic_write_bytes`).

    Example:
        >>> atomic_write_json("/tmp/vidkit_doc.json", {"a": 1}).read_text()
        '{"a": 1}'
    """
    data = json.dumps(jsonable(obj), ensure_ascii=False, allow_nan=False).encode("utf-8")
    return atomic_write_bytes(path, data, fsync=fsync)


def _read_json(path: Path) -> Any | None:
    """Parsed JSON, or None when the file is missing or not valid JSON."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return None


def _utc_now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def _check_key(key: str) -> str:
    if not isinstance(key, str) or not key or not all(c in "0123456789abcdef" for c in key):
        raise ValueError(f"a store key is a lowercase hex string (see item_key), got {key!r}")
    return key


def _check_name(name: str, what: str) -> str:
    ok = isinstance(name, str) and name and all(c.isalnum() or c in "-_.@" for c in name)
    if not ok or name.startswith("."):
        raise ValueError(
            f"{what} must be a non-empty name of letters, digits and '-_.@' (no path separators), "
            f"got {name!r}"
        )
    return name


# --------------------------------------------------------------------------- the store
class RunStore:
    """A folder of generated videos with one row per item (see the module docstring).

    Args:
        root: the store folder (created when missing).
        crf: H.264 quality of the stored mp4 files (default 10: near-lossless, so compression
            does not move the metrics; the reference set is stored the same way).
        verify: check each present item's mp4 against its recorded sha256 (default True). With
            ``False`` only the size is checked (faster for very large stores).

    Example:
        >>> store = RunStore("runs/compare")  # doctest: +SKIP
        >>> store.table()[["model", "prompt", "seed"]]  # doctest: +SKIP
    """

    def __init__(self, root: str | os.PathLike, *, crf: int = 10, verify: bool = True) -> None:
        if isinstance(root, RunStore):
            raise TypeError("root is already a RunStore; pass its .root")
        if not isinstance(root, (str, os.PathLike)):
            raise TypeError(f"root must be a folder path, got {type(root).__name__}")
        self.root = Path(root).expanduser()
        if self.root.exists() and not self.root.is_dir():
            raise NotADirectoryError(f"store root {str(self.root)!r} exists and is not a folder")
        if isinstance(crf, bool) or not isinstance(crf, (int, np.integer)) or not 0 <= crf <= 51:
            raise ValueError(f"crf must be an integer in [0, 51] (H.264), got {crf!r}")
        self.crf = int(crf)
        self.verify = bool(verify)
        self.root.mkdir(parents=True, exist_ok=True)
        meta = self.root / "store.json"
        info = _read_json(meta)
        if info is None:
            entries = sorted(p.name for p in self.root.iterdir() if not p.name.startswith("."))
            if not meta.exists() and entries and "rows" not in entries:
                raise ValueError(
                    f"{str(self.root)!r} is a non-empty folder that is not a run store (it holds "
                    f"{entries[:5]}); choose an empty or new folder"
                )
            atomic_write_json(meta, {"format": FORMAT, "created": _utc_now()})
        elif info.get("format") != FORMAT:
            raise ValueError(
                f"{str(meta)!r} has format {info.get('format')!r}; this vidkit reads {FORMAT!r}"
            )
        for sub in ("videos", "rows", "evals", "features", "results", "reference"):
            (self.root / sub).mkdir(exist_ok=True)

    # ------------------------------------------------------------------ paths
    def video_path(self, key: str) -> Path:
        """Where the mp4 of ``key`` lives."""
        return self.root / "videos" / f"{_check_key(key)}.mp4"

    def row_path(self, key: str) -> Path:
        """Where the row of ``key`` lives."""
        return self.root / "rows" / f"{_check_key(key)}.json"

    # ------------------------------------------------------------------ items
    def row(self, key: str) -> dict[str, Any] | None:
        """The row of ``key`` if the item is present and intact, else None.

        Example:
            >>> store.row(key)["seed"]  # doctest: +SKIP
            0
        """
        row = _read_json(self.row_path(key))
        if not isinstance(row, dict) or row.get("key") != key:
            return None
        path = self.video_path(key)
        try:
            size = path.stat().st_size
        except OSError:
            return None
        if size != row.get("bytes"):
            return None
        if self.verify and file_sha256(path) != row.get("sha256"):
            return None
        return row

    def has(self, key: str) -> bool:
        """True when ``key`` is present and intact (its mp4 matches its row)."""
        return self.row(key) is not None

    def missing(self, keys: Iterable[str]) -> list[str]:
        """The keys among ``keys`` (order kept, duplicates dropped) that are not present.

        Example:
            >>> store.missing([key, item_key("m", "another prompt", 0)])  # doctest: +SKIP
            ['2c0d3b0f7e9a1d42c7b1']
        """
        seen: set[str] = set()
        out = []
        for k in keys:
            if k in seen:
                continue
            seen.add(k)
            if not self.has(k):
                out.append(k)
        return out

    def put(self, key: str, video: Video, row: Mapping[str, Any]) -> dict[str, Any]:
        """Store one item: the mp4 first (atomic), then its row (atomic). Returns the full row.

        ``row`` holds the item's parameters (model, prompt, seed, settings, ...); the store adds
        ``key``, ``video`` (relative path), ``sha256``, ``bytes``, ``frames``, ``height``,
        ``width``, ``fps``, ``duration``, ``metadata`` (the video's, as JSON) and ``created``.

        Example:
            >>> store.put(key, video, {"model": "m", "prompt": "p", "seed": 0})  # doctest: +SKIP
        """
        from vidkit.io import write_video

        if not isinstance(video, Video):
            raise TypeError(f"video must be a vk.Video, got {type(video).__name__}")
        if not isinstance(row, Mapping):
            raise TypeError(f"row must be a mapping of parameters, got {type(row).__name__}")
        path = self.video_path(key)
        meta = jsonable(video.metadata)
        clean = video._replace(video.frames)
        clean.metadata = meta
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            write_video(path, clean, crf=self.crf)
        full = dict(jsonable(dict(row)))
        full.update(
            key=key,
            video=f"videos/{path.name}",
            sha256=file_sha256(path),
            bytes=path.stat().st_size,
            frames=video.num_frames,
            height=video.height,
            width=video.width,
            fps=float(video.fps),
            duration=float(video.duration),
            metadata=meta,
            created=_utc_now(),
        )
        atomic_write_json(self.row_path(key), full)
        return full

    def video(self, key: str) -> Video:
        """The stored video of ``key`` (decoded from its mp4), with its row's metadata.

        Example:
            >>> store.video(key).shape  # doctest: +SKIP
            (4, 16, 16, 3)
        """
        from vidkit.io import read_video

        row = self.row(key)
        if row is None:
            raise KeyError(f"item {key!r} is not in the store {str(self.root)!r} (or is damaged)")
        v = read_video(self.video_path(key))
        v.metadata = dict(row.get("metadata") or {})
        v.metadata["store_key"] = key
        return v

    def keys(self) -> list[str]:
        """Keys of all rows on disk (sorted; not verified, see :meth:`rows`)."""
        return sorted(
            p.stem for p in (self.root / "rows").glob("*.json") if not p.name.startswith(".")
        )

    def rows(self, keys: Iterable[str] | None = None) -> list[dict[str, Any]]:
        """Rows of the present, intact items (all, or those of ``keys``), sorted by key."""
        keys = self.keys() if keys is None else sorted(set(keys))
        return [r for r in (self.row(k) for k in keys) if r is not None]

    def __len__(self) -> int:
        return len(self.keys())

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.has(key)

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())

    def check(self) -> dict[str, list[str]]:
        """Audit the store: ``{"ok": [...], "damaged": [...], "orphan_videos": [...],
        "temporary": [...]}`` (damaged: a row whose mp4 is missing, changed or truncated, or an
        unreadable row; orphans: mp4 files without a row, e.g. after a kill between the writes).

        Example:
            >>> RunStore("runs/compare").check()["damaged"]  # doctest: +SKIP
            []
        """
        ok, damaged = [], []
        for k in self.keys():
            (ok if self.has(k) else damaged).append(k)
        rows = set(self.keys())
        orphans = sorted(
            p.stem
            for p in (self.root / "videos").glob("*.mp4")
            if p.stem not in rows and not p.name.startswith(".")
        )
        temps = sorted(str(p.relative_to(self.root)) for p in self._temporary_files())
        return {"ok": ok, "damaged": damaged, "orphan_videos": orphans, "temporary": temps}

    def _temporary_files(self) -> list[Path]:
        return [p for p in self.root.rglob(".*") if ".tmp" in p.name]

    def clean(self, *, older_than: float = STALE_TMP_SECONDS) -> list[Path]:
        """Remove left-over temporary files older than ``older_than`` seconds (never those of a
        writer still at work) and mp4 files without a row; returns what was removed."""
        removed = []
        now = time.time()
        rows = set(self.keys())
        for p in self._temporary_files():
            with contextlib.suppress(OSError):
                if now - p.stat().st_mtime >= older_than:
                    p.unlink()
                    removed.append(p)
        for p in (self.root / "videos").glob("*.mp4"):
            if p.name.startswith("."):
                continue
            with contextlib.suppress(OSError):
                if p.stem not in rows and now - p.stat().st_mtime >= older_than:
                    p.unlink()
                    removed.append(p)
        return removed

    # ------------------------------------------------------------------ table
    def table(self, keys: Iterable[str] | None = None, *, write: bool = True) -> Any:
        """All present items as a pandas DataFrame, one row per item.

        Nested fields (``settings``, ``metadata``, ``model_id``, ``tags``...) are JSON strings, so
        the table has a stable schema. With ``write=True`` it is also saved, atomically, as
        ``runs.parquet`` in the store (a cache: the row files stay the source of truth).

        Example:
            >>> df = RunStore("runs/compare").table()  # doctest: +SKIP
            >>> df.groupby("model").size()  # doctest: +SKIP
        """
        import pandas as pd

        rows = self.rows(keys)
        flat = []
        for r in rows:
            flat.append(
                {
                    k: (json.dumps(v, sort_keys=True) if isinstance(v, (dict, list)) else v)
                    for k, v in r.items()
                }
            )
        df = pd.DataFrame(flat)
        if write and keys is None and len(df):
            import io

            buf = io.BytesIO()
            df.to_parquet(buf, index=False)
            atomic_write_bytes(self.root / "runs.parquet", buf.getvalue(), fsync=False)
        return df

    def to_dataset(self, keys: Iterable[str] | None = None) -> Any:
        """The items as a :class:`datasets.Dataset`; the ``video`` column holds absolute file
        paths (decode with :func:`vidkit.read_video`; datasets' video decoding needs torchcodec).

        Example:
            >>> ds = RunStore("runs/compare").to_dataset()  # doctest: +SKIP
            >>> vk.read_video(ds[0]["video"])  # doctest: +SKIP
        """
        import datasets

        df = self.table(keys, write=False)
        if len(df) == 0:
            raise ValueError(f"the store {str(self.root)!r} has no items")
        df = df.copy()
        df["video"] = [str((self.root / p).resolve()) for p in df["video"]]
        return datasets.Dataset.from_pandas(df, preserve_index=False)

    # ------------------------------------------------------------------ caches
    def _eval_path(self, metric: str, key: str) -> Path:
        return self.root / "evals" / _check_name(metric, "metric id") / f"{_check_key(key)}.json"

    def get_eval(self, metric: str, key: str) -> dict[str, Any] | None:
        """Cached per-video values of ``metric`` for ``key``, if computed on the current video."""
        rec = _read_json(self._eval_path(metric, key))
        row = self.row(key)
        if not isinstance(rec, dict) or row is None or rec.get("sha256") != row["sha256"]:
            return None
        values = rec.get("values")
        return values if isinstance(values, dict) else None

    def put_eval(self, metric: str, key: str, values: Mapping[str, Any]) -> None:
        """Cache per-video ``values`` (name -> number or JSON) of ``metric`` for ``key``."""
        row = self.row(key)
        if row is None:
            raise KeyError(f"item {key!r} is not in the store")
        atomic_write_json(
            self._eval_path(metric, key),
            {"sha256": row["sha256"], "values": dict(values), "created": _utc_now()},
            fsync=False,
        )

    def _feature_path(self, extractor: str, key: str) -> Path:
        return (
            self.root
            / "features"
            / _check_name(extractor, "extractor id")
            / f"{_check_key(key)}.npz"
        )

    def get_features(self, extractor: str, key: str) -> np.ndarray | None:
        """Cached feature vector(s) ``[n, d]`` of ``key`` under ``extractor``, if current."""
        path = self._feature_path(extractor, key)
        row = self.row(key)
        if row is None or not path.is_file():
            return None
        try:
            with np.load(path, allow_pickle=False) as f:
                if str(f["sha256"]) != row["sha256"]:
                    return None
                return np.asarray(f["features"], dtype=np.float64)
        except (OSError, ValueError, KeyError):
            return None

    def put_features(self, extractor: str, key: str, features: np.ndarray) -> None:
        """Cache feature vector(s) of ``key`` (an ``.npz`` written atomically)."""
        import io

        row = self.row(key)
        if row is None:
            raise KeyError(f"item {key!r} is not in the store")
        feats = np.asarray(features, dtype=np.float64)
        if feats.ndim == 1:
            feats = feats[None]
        buf = io.BytesIO()
        np.savez(buf, features=feats, sha256=np.array(row["sha256"]))
        atomic_write_bytes(self._feature_path(extractor, key), buf.getvalue(), fsync=False)

    def get_result(self, metric: str, result_id: str) -> dict[str, Any] | None:
        """A cached per-model result (or None)."""
        rec = _read_json(
            self.root / "results" / _check_name(metric, "metric id") / f"{result_id}.json"
        )
        return rec if isinstance(rec, dict) else None

    def put_result(self, metric: str, result_id: str, result: Mapping[str, Any]) -> None:
        """Cache a per-model result under ``results/<metric>/<result_id>.json``."""
        path = (
            self.root
            / "results"
            / _check_name(metric, "metric id")
            / f"{_check_key(result_id)}.json"
        )
        atomic_write_json(path, dict(result), fsync=False)

    def reference_dir(self, ref_id: str) -> Path:
        """Folder of the reference set ``ref_id`` (its mp4 files and features)."""
        path = self.root / "reference" / _check_name(ref_id, "reference id")
        path.mkdir(parents=True, exist_ok=True)
        return path

    def __repr__(self) -> str:
        return f"RunStore({str(self.root)!r}, items={len(self)})"
