"""Records on disk, written once and safely: JSON-safe values, stable hashes, atomic writes.

One helper for each job, used by the run store, the sampling package, video tags and synthetic
scenes:

* :func:`jsonable`: a JSON-compatible copy of any value, with **one NaN policy**: NaN becomes
  ``None`` (JSON ``null``) and an infinity the string ``"inf"`` / ``"-inf"``, so the text is strict
  JSON that every reader accepts.
* :func:`stable_hash`: sha256 of the canonical JSON of a value (the same in every process).
* :func:`atomic_write_bytes` / :func:`atomic_write_json`: a temporary file in the same folder,
  flushed, then renamed over the target. Temporary names carry their writer's host and pid
  (:func:`temp_name`), so :func:`dead_writer` can tell the left-overs of a killed writer.

Example:
    >>> import numpy as np
    >>> jsonable({"a": np.float32(0.5), "b": (1, float("nan")), "c": float("inf")})
    {'a': 0.5, 'b': [1, None], 'c': 'inf'}
    >>> stable_hash({"b": 1, "a": 2}) == stable_hash({"a": 2, "b": 1})
    True
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import re
import socket
import uuid
from collections.abc import Callable, Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "HOST",
    "HOST_TAG",
    "atomic_write_bytes",
    "atomic_write_json",
    "dead_writer",
    "file_sha256",
    "jsonable",
    "owner_tag",
    "pid_alive",
    "stable_hash",
    "temp_name",
]


# --------------------------------------------------------------------------- JSON and hashes
def jsonable(obj: Any, *, other: Callable[[Any], Any] = repr, max_items: int | None = None) -> Any:
    """A JSON-compatible copy of ``obj``: numpy scalars and arrays, torch tensors, tuples, sets,
    paths and fractions converted, dict keys made strings; NaN becomes ``None`` and an infinity
    ``"inf"``/``"-inf"``.

    Args:
        obj: any value.
        other: turns what has no JSON form into one (default ``repr``).
        max_items: arrays and tensors with more elements than this go to ``other`` instead of
            becoming (long) lists; ``None``: no limit.

    Example:
        >>> jsonable({1: np.arange(3), "x": {0.5, 0.25}})
        {'1': [0, 1, 2], 'x': [0.25, 0.5]}
        >>> jsonable(np.zeros(100), other=lambda a: f"array{a.shape}", max_items=16)
        'array(100,)'
    """

    def conv(x: Any) -> Any:
        if x is None or isinstance(x, (bool, str)):
            return x
        if isinstance(x, (int, np.integer)) and not isinstance(x, np.bool_):
            return int(x)
        if isinstance(x, (float, np.floating, Fraction)):
            f = float(x)
            return f if math.isfinite(f) else None if math.isnan(f) else str(f)
        if isinstance(x, np.bool_):
            return bool(x)
        if isinstance(x, Mapping):
            return {str(k): conv(v) for k, v in x.items()}
        if isinstance(x, (list, tuple)):
            return [conv(v) for v in x]
        if isinstance(x, (set, frozenset)):
            return sorted((conv(v) for v in x), key=repr)
        if isinstance(x, os.PathLike):
            return os.fspath(x)
        array = isinstance(x, np.ndarray)
        tensor = not array and hasattr(x, "detach") and hasattr(x, "tolist")
        if array or tensor:
            if max_items is not None and int(np.prod(x.shape)) > max_items:
                return other(x)
            return conv(x.tolist() if array else x.detach().cpu().tolist())
        return other(x)

    return conv(obj)


def stable_hash(obj: Any, length: int = 20) -> str:
    """Hex sha256 (first ``length`` characters) of the canonical JSON of ``obj``.

    Canonical: :func:`jsonable`, keys sorted, no whitespace; equal content gives the same hash in
    every process and on every machine.

    Example:
        >>> stable_hash({"b": 1, "a": [1.0, 2]}) == stable_hash({"a": [1.0, 2], "b": 1})
        True
    """
    text = json.dumps(jsonable(obj), sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:length]


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


# --------------------------------------------------------------------------- temporary names
#: this machine's name, and a short tag of it that goes into temporary names and claims
HOST = socket.gethostname() or "localhost"
HOST_TAG = hashlib.sha256(HOST.encode("utf-8")).hexdigest()[:8]
# "<host tag>-<pid>-<random>.tmp" inside every temporary name made here (also inside the names
# vk.write_video derives from them), so a left-over can be traced to its writer
_OWNER = re.compile(r"\.([0-9a-f]{8})-(\d+)-[0-9a-f]{8}\.tmp")


def owner_tag() -> str:
    """``<host tag>-<pid>-<random>``: who is writing (see :func:`dead_writer`).

    Example:
        >>> owner_tag().split("-")[1] == str(os.getpid())
        True
    """
    return f"{HOST_TAG}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


def temp_name(path: str | os.PathLike, suffix: str = "") -> Path:
    """A hidden temporary name beside ``path`` that carries this writer's :func:`owner_tag`.

    Example:
        >>> temp_name("/tmp/out.json").name.startswith(".out.json.")
        True
    """
    path = Path(path)
    return path.parent / f".{path.name}.{owner_tag()}.tmp{suffix}"


def pid_alive(pid: Any) -> bool:
    """Whether process ``pid`` of this host is running (True when it cannot be told).

    Example:
        >>> pid_alive(os.getpid()), pid_alive(-1)
        (True, False)
    """
    if isinstance(pid, bool) or not isinstance(pid, int) or pid <= 0:
        return False
    if os.name == "nt":  # pragma: no cover - os.kill(pid, 0) would terminate it on Windows
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # PermissionError: it exists, under another user
        return True
    return True


def dead_writer(name: str) -> bool:
    """True when a temporary name says it was made on this host by a process that has ended.

    Example:
        >>> dead_writer(temp_name("/tmp/x.json").name)  # this process is alive
        False
    """
    m = _OWNER.search(name)
    return bool(m) and m.group(1) == HOST_TAG and not pid_alive(int(m.group(2)))


# --------------------------------------------------------------------------- atomic writes
def atomic_write_bytes(path: str | os.PathLike, data: bytes, *, fsync: bool = True) -> Path:
    """Write ``data`` to ``path`` atomically: a temporary file in the same folder, flushed (and
    fsync-ed), then renamed over ``path``. A reader sees the old file or the new one, never a part.

    Example:
        >>> atomic_write_bytes("/tmp/vidkit_doc.bin", b"abc").read_bytes()
        b'abc'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_name(path)
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
    """Write ``obj`` as strict JSON (:func:`jsonable` first) atomically (:func:`atomic_write_bytes`).

    Example:
        >>> atomic_write_json("/tmp/vidkit_doc.json", {"a": 1, "b": float("nan")}).read_text()
        '{"a": 1, "b": null}'
    """
    data = json.dumps(jsonable(obj), ensure_ascii=False, allow_nan=False).encode("utf-8")
    return atomic_write_bytes(path, data, fsync=fsync)
