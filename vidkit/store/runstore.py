""":class:`RunStore`: a folder of generated videos, one row per item, safe under concurrent
writers and readers and under a SIGKILL at any moment (the layout and the rules are in the
docstring of :mod:`vidkit.store`).

Example:
    >>> import tempfile, numpy as np, vidkit as vk
    >>> from vidkit.store import RunStore, item_key
    >>> store = RunStore(tempfile.mkdtemp())
    >>> key = item_key({"model": "m"}, "p", 0)
    >>> store.put(key, vk.Video(np.zeros((4, 16, 16, 3))), {"seed": 0})["frames"], len(store)
    (4, 1)
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
import warnings
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from vidkit.files import (
    atomic_write_bytes,
    atomic_write_json,
    dead_writer,
    jsonable,
    owner_tag,
)
from vidkit.store.claims import (
    break_stale,
    held_by_me,
    lock_info,
    lock_stale,
    try_lock,
    unlock,
)
from vidkit.store.layout import (
    VIDEO_NAME,
    check_ext,
    check_key,
    check_name,
    read_json,
    utc_now,
)
from vidkit.video import Video

__all__ = ["FORMAT", "STALE_TMP_SECONDS", "RunStore"]

FORMAT = "vidkit.RunStore/1"
# temporary files older than this are left-overs of killed writers and are removed on open
STALE_TMP_SECONDS = 3600.0


# --------------------------------------------------------------------------- the store
class RunStore:
    """A folder of generated videos with one row per item (see the docstring of vidkit.store).

    Args:
        root: the store folder (created when missing).
        crf: H.264 quality of the stored mp4 files (default 10: near-lossless, so compression
            does not move the metrics; the reference set is stored the same way).
        verify: check each present item's mp4 against its recorded sha256 (default True). With
            ``False`` only the size is checked (faster for very large stores).

    Example:
        >>> import tempfile, numpy as np, vidkit as vk
        >>> from vidkit.store import RunStore, item_key
        >>> store = RunStore(tempfile.mkdtemp())
        >>> key = item_key({"model": "m"}, "p", 0)
        >>> row = store.put(key, vk.Video(np.zeros((4, 16, 16, 3))), {"model": "m", "prompt": "p", "seed": 0})
        >>> store.table()[["model", "prompt", "seed"]]
          model prompt  seed
        0     m      p     0
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
        info = read_json(meta)
        if info is None:
            entries = sorted(p.name for p in self.root.iterdir() if not p.name.startswith("."))
            if not meta.exists() and entries and "rows" not in entries:
                raise ValueError(
                    f"{str(self.root)!r} is a non-empty folder that is not a run store (it holds "
                    f"{entries[:5]}); choose an empty or new folder"
                )
            atomic_write_json(meta, {"format": FORMAT, "created": utc_now()})
        elif info.get("format") != FORMAT:
            raise ValueError(
                f"{str(meta)!r} has format {info.get('format')!r}; this vidkit reads {FORMAT!r}"
            )
        for sub in ("videos", "rows", "locks", "evals", "features", "results", "reference"):
            (self.root / sub).mkdir(exist_ok=True)

    # ------------------------------------------------------------------ paths
    def video_path(self, key: str) -> Path:
        """Where the video of ``key`` lives: the file its row names (``videos/<key>.mp4`` when
        there is no readable row)."""
        row = read_json(self.row_path(key))
        path = self._named_video(key, row) if isinstance(row, dict) else None
        return path if path is not None else self.root / "videos" / f"{key}.mp4"

    def row_path(self, key: str) -> Path:
        """Where the row of ``key`` lives."""
        return self.root / "rows" / f"{check_key(key)}.json"

    def lock_path(self, key: str) -> Path:
        """Where the claim (lock file) of ``key`` lives while a process generates or writes it."""
        return self.root / "locks" / f"{check_key(key)}.lock"

    def _named_video(self, key: str, row: Mapping[str, Any]) -> Path | None:
        """The video file a row names, if it is a valid name for ``key`` (never outside videos/)."""
        m = VIDEO_NAME.match(str(row.get("video", "")))
        if m is None or m.group("key") != key:
            return None
        sha = str(row.get("sha256", ""))
        if m.group("sha") is not None and not sha.startswith(m.group("sha")):
            return None
        return self.root / row["video"]

    # ------------------------------------------------------------------ claims
    @contextlib.contextmanager
    def claim(self, key: str, *, wait: bool = True, timeout: float | None = None) -> Iterator[bool]:
        """Hold the claim on ``key`` (an exclusive lock file with this process's pid and host).

        Yields True when held. With ``wait=True`` it waits for a claim held by another live
        process (``TimeoutError`` after ``timeout`` seconds); with ``wait=False`` it yields False
        at once if another process holds it. Stale claims (dead process, or not refreshed for
        :data:`LOCK_STALE_SECONDS`) are broken. Re-entrant within one thread; released on exit.

        Example:
            >>> import tempfile, numpy as np, vidkit as vk
            >>> from vidkit.store import RunStore, item_key
            >>> store = RunStore(tempfile.mkdtemp())
            >>> key = item_key({"model": "m"}, "p", 0)
            >>> with store.claim(key, wait=False) as mine:
            ...     if mine and not store.has(key):  # only the holder generates the item
            ...         row = store.put(key, vk.Video(np.zeros((4, 16, 16, 3))), {"seed": 0})
            >>> mine, store.has(key), store.claimed(key)
            (True, True, False)
        """
        path = self.lock_path(key)
        if held_by_me(path):
            yield True
            return
        deadline = None if timeout is None else time.monotonic() + float(timeout)
        delay = 0.01
        while True:
            if try_lock(path):
                break
            if break_stale(path) and try_lock(path):
                break
            if not wait:
                yield False
                return
            if deadline is not None and time.monotonic() >= deadline:
                got = lock_info(path)
                holder = (got[0] or {}) if got else {}
                raise TimeoutError(
                    f"item {key!r} of {str(self.root)!r} is claimed by process "
                    f"{holder.get('pid')} on {holder.get('hostname')!r}; waited {timeout} s"
                )
            time.sleep(delay)
            delay = min(delay * 1.5, 0.25)
        try:
            yield True
        finally:
            unlock(path)

    def claimed(self, key: str) -> bool:
        """True when a live claim on ``key`` is held (by any process, this one included)."""
        path = self.lock_path(key)
        got = lock_info(path)
        return got is not None and not lock_stale(path, *got)

    # ------------------------------------------------------------------ items
    def row(self, key: str) -> dict[str, Any] | None:
        """The row of ``key`` if the item is present and intact, else None.

        Example:
            >>> import tempfile, numpy as np, vidkit as vk
            >>> from vidkit.store import RunStore, item_key
            >>> store = RunStore(tempfile.mkdtemp())
            >>> key = item_key({"model": "m"}, "p", 0)
            >>> row = store.put(key, vk.Video(np.zeros((4, 16, 16, 3))), {"model": "m", "prompt": "p", "seed": 0})
            >>> store.row(key)["seed"]
            0
        """
        row_path = self.row_path(key)
        row = read_json(row_path)
        for _ in range(20):
            if not isinstance(row, dict) or row.get("key") != key:
                return None
            path = self._named_video(key, row)
            if path is None:
                return None
            try:
                if self._intact(path, row):
                    return row
            except FileNotFoundError:
                pass
            # a writer may have switched the row to a new file (and removed the old) meanwhile
            again = read_json(row_path)
            if again == row:
                return None
            row = again
        return None

    def _intact(self, path: Path, row: Mapping[str, Any]) -> bool:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            if size != row.get("bytes"):
                return False
            if not self.verify:
                return True
            h = hashlib.sha256()
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
        return h.hexdigest() == row.get("sha256")

    def has(self, key: str) -> bool:
        """True when ``key`` is present and intact (its mp4 matches its row)."""
        return self.row(key) is not None

    def missing(self, keys: Iterable[str]) -> list[str]:
        """The keys among ``keys`` (order kept, duplicates dropped) that are not present.

        Example:
            >>> import tempfile, numpy as np, vidkit as vk
            >>> from vidkit.store import RunStore, item_key
            >>> store = RunStore(tempfile.mkdtemp())
            >>> key = item_key({"model": "m"}, "p", 0)
            >>> row = store.put(key, vk.Video(np.zeros((4, 16, 16, 3))), {"model": "m", "prompt": "p", "seed": 0})
            >>> other = item_key({"model": "m"}, "another prompt", 0)
            >>> store.missing([key, other, other]) == [other]
            True
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

    def put(
        self,
        key: str,
        video: Video,
        row: Mapping[str, Any],
        *,
        ext: str = "mp4",
        timeout: float | None = None,
    ) -> dict[str, Any]:
        """Store one item, replacing what was there; returns the full row.

        Under the item's claim (waits for another writer of the same key): the video is written
        to a temporary file, hashed from the bytes written, renamed to ``videos/<key>.<sha>.<ext>``
        (a name no other version has), then the row is written atomically, then the previous
        version's file is removed (``timeout``: seconds to wait for another process's claim on
        ``key``, default no limit; then ``TimeoutError``). ``row`` holds the item's parameters (model, prompt, seed,
        settings, ...); the store adds ``key``, ``video`` (relative path), ``sha256``, ``bytes``,
        ``frames``, ``height``, ``width``, ``fps``, ``duration``, ``metadata`` (the video's, as
        JSON) and ``created``.

        Example:
            >>> import tempfile, numpy as np, vidkit as vk
            >>> from vidkit.store import RunStore, item_key
            >>> store = RunStore(tempfile.mkdtemp())
            >>> key = item_key({"model": "m"}, "p", 0)
            >>> row = store.put(key, vk.Video(np.zeros((4, 16, 16, 3))), {"model": "m", "prompt": "p", "seed": 0})
            >>> row["frames"], len(row["sha256"]), store.has(key)
            (4, 64, True)
        """
        check_key(key)
        if not isinstance(video, Video):
            raise TypeError(f"video must be a vk.Video, got {type(video).__name__}")
        if not isinstance(row, Mapping):
            raise TypeError(f"row must be a mapping of parameters, got {type(row).__name__}")
        ext = check_ext(ext)
        with self.claim(key, timeout=timeout):
            return self._publish(key, video, row, ext)

    def _publish(self, key: str, video: Video, row: Mapping[str, Any], ext: str) -> dict[str, Any]:
        from vidkit.io import write_video

        meta = jsonable(video.metadata)
        clean = video._replace(video.frames)
        clean.metadata = meta
        folder = self.root / "videos"
        tmp = folder / f".{key}.{owner_tag()}.tmp.{ext}"
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                write_video(tmp, clean, crf=None if ext == "gif" else self.crf)
            data = tmp.read_bytes()  # our own file: the bytes that were written
            sha = hashlib.sha256(data).hexdigest()
            final = folder / f"{key}.{sha[:16]}.{ext}"
            os.replace(tmp, final)
        except BaseException:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise
        full = dict(jsonable(dict(row)))
        full.update(
            key=key,
            video=f"videos/{final.name}",
            sha256=sha,
            bytes=len(data),
            frames=video.num_frames,
            height=video.height,
            width=video.width,
            fps=float(video.fps),
            duration=float(video.duration),
            metadata=meta,
            created=utc_now(),
        )
        atomic_write_json(self.row_path(key), full)
        for p in folder.glob(f"{key}.*"):  # earlier versions and left-overs of this key
            if p != final and p.name.split(".")[0] == key:
                with contextlib.suppress(OSError):
                    p.unlink()
        return full

    def video(self, key: str) -> Video:
        """The stored video of ``key`` (decoded from its file), with its row's metadata.

        Example:
            >>> import tempfile, numpy as np, vidkit as vk
            >>> from vidkit.store import RunStore, item_key
            >>> store = RunStore(tempfile.mkdtemp())
            >>> key = item_key({"model": "m"}, "p", 0)
            >>> row = store.put(key, vk.Video(np.zeros((4, 16, 16, 3))), {"model": "m", "prompt": "p", "seed": 0})
            >>> store.video(key).shape
            (4, 16, 16, 3)
        """
        from vidkit.io import read_video

        for _ in range(20):
            row = self.row(key)
            if row is None:
                break
            try:
                v = read_video(self._named_video(key, row))  # type: ignore[arg-type]
            except FileNotFoundError:  # replaced by a newer version meanwhile: read that
                continue
            v.metadata = dict(row.get("metadata") or {})
            v.metadata["store_key"] = key
            return v
        raise KeyError(f"item {key!r} is not in the store {str(self.root)!r} (or is damaged)")

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

    def _unreferenced_videos(self, *, garbled: bool = True) -> dict[str, list[Path]]:
        """Video files that no row names (key -> files): kills between the writes, old versions.
        With ``garbled=False``, keys whose row file exists but cannot be read are left out (those
        items are damaged, not orphans)."""
        out: dict[str, list[Path]] = {}
        for p in sorted((self.root / "videos").iterdir()):
            if p.name.startswith(".") or not p.is_file():
                continue
            key = p.name.split(".")[0]
            if not key or not all(c in "0123456789abcdef" for c in key):
                continue
            row_file = self.root / "rows" / f"{key}.json"
            row = read_json(row_file)
            if not garbled and not isinstance(row, dict) and row_file.exists():
                continue
            named = self._named_video(key, row) if isinstance(row, dict) else None
            if named != p:
                out.setdefault(key, []).append(p)
        return out

    def check(self) -> dict[str, list[str]]:
        """Audit the store: ``{"ok": [...], "damaged": [...], "orphan_videos": [...],
        "temporary": [...], "claims": [...]}`` (damaged: a row whose video is missing, changed or
        truncated, or an unreadable row; orphans: keys of video files that no row names, e.g.
        after a kill between the writes; claims: keys claimed right now, stale ones included).

        Example:
            >>> import tempfile, numpy as np, vidkit as vk
            >>> from vidkit.store import RunStore, item_key
            >>> store = RunStore(tempfile.mkdtemp())
            >>> key = item_key({"model": "m"}, "p", 0)
            >>> row = store.put(key, vk.Video(np.zeros((4, 16, 16, 3))), {"model": "m", "prompt": "p", "seed": 0})
            >>> store.check()["damaged"]
            []
        """
        ok, damaged = [], []
        for k in self.keys():
            (ok if self.has(k) else damaged).append(k)
        orphans = sorted(self._unreferenced_videos(garbled=False))
        temps = sorted(str(p.relative_to(self.root)) for p in self._temporary_files())
        claims = sorted(p.stem for p in (self.root / "locks").glob("*.lock"))
        return {
            "ok": ok,
            "damaged": damaged,
            "orphan_videos": orphans,
            "temporary": temps,
            "claims": claims,
        }

    def _temporary_files(self) -> list[Path]:
        return [p for p in self.root.rglob(".*") if ".tmp" in p.name]

    def clean(self, *, older_than: float = STALE_TMP_SECONDS) -> list[Path]:
        """Remove what killed writers left; returns what was removed.

        * temporary files of a process of this host that has ended (at once), or older than
          ``older_than`` seconds (never those of a writer still at work);
        * stale claims (see :meth:`claim`);
        * video files that no row names, for keys nobody has claimed (checked under the claim).

        Example:
            >>> import tempfile, numpy as np, vidkit as vk
            >>> from vidkit.store import RunStore, item_key
            >>> store = RunStore(tempfile.mkdtemp())
            >>> key = item_key({"model": "m"}, "p", 0)
            >>> row = store.put(key, vk.Video(np.zeros((4, 16, 16, 3))), {"model": "m", "prompt": "p", "seed": 0})
            >>> store.clean()
            []
        """
        removed = []
        now = time.time()
        for p in self._temporary_files():
            with contextlib.suppress(OSError):
                if dead_writer(p.name) or now - p.stat().st_mtime >= older_than:
                    if p.is_dir():
                        import shutil

                        shutil.rmtree(p)
                    else:
                        p.unlink()
                    removed.append(p)
        for p in (self.root / "locks").glob("*.lock"):
            got = lock_info(p)
            if got is not None and lock_stale(p, *got) and break_stale(p):
                removed.append(p)
        for key, files in self._unreferenced_videos().items():
            with self.claim(key, wait=False) as mine:
                if not mine:
                    continue  # a writer is at work on it
                row = read_json(self.row_path(key))
                named = self._named_video(key, row) if isinstance(row, dict) else None
                for p in files:
                    if p != named:
                        with contextlib.suppress(OSError):
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
            >>> import tempfile, numpy as np, vidkit as vk
            >>> from vidkit.store import RunStore, item_key
            >>> store = RunStore(tempfile.mkdtemp())
            >>> key = item_key({"model": "m"}, "p", 0)
            >>> row = store.put(key, vk.Video(np.zeros((4, 16, 16, 3))), {"model": "m", "prompt": "p", "seed": 0})
            >>> df = store.table()
            >>> df.groupby("model").size().to_dict()
            {'m': 1}
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
            >>> import tempfile, numpy as np, vidkit as vk
            >>> from vidkit.store import RunStore, item_key
            >>> store = RunStore(tempfile.mkdtemp())
            >>> key = item_key({"model": "m"}, "p", 0)
            >>> row = store.put(key, vk.Video(np.zeros((4, 16, 16, 3))), {"model": "m", "prompt": "p", "seed": 0})
            >>> ds = store.to_dataset()
            >>> vk.read_video(ds[0]["video"]).shape
            (4, 16, 16, 3)
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
        return self.root / "evals" / check_name(metric, "metric id") / f"{check_key(key)}.json"

    def get_eval(self, metric: str, key: str) -> dict[str, Any] | None:
        """Cached per-video values of ``metric`` for ``key``, if computed on the current video."""
        rec = read_json(self._eval_path(metric, key))
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
            {"sha256": row["sha256"], "values": dict(values), "created": utc_now()},
            fsync=False,
        )

    def _feature_path(self, extractor: str, key: str) -> Path:
        return (
            self.root / "features" / check_name(extractor, "extractor id") / f"{check_key(key)}.npz"
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
        rec = read_json(
            self.root / "results" / check_name(metric, "metric id") / f"{result_id}.json"
        )
        return rec if isinstance(rec, dict) else None

    def put_result(self, metric: str, result_id: str, result: Mapping[str, Any]) -> None:
        """Cache a per-model result under ``results/<metric>/<result_id>.json``."""
        path = (
            self.root / "results" / check_name(metric, "metric id") / f"{check_key(result_id)}.json"
        )
        atomic_write_json(path, dict(result), fsync=False)

    def reference_dir(self, ref_id: str) -> Path:
        """Folder of the reference set ``ref_id`` (its mp4 files and features)."""
        path = self.root / "reference" / check_name(ref_id, "reference id")
        path.mkdir(parents=True, exist_ok=True)
        return path

    def __repr__(self) -> str:
        return f"RunStore({str(self.root)!r}, items={len(self)})"
