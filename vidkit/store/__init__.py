"""The run store: generated videos on disk, one item per (model, prompt, seed, settings).

A :class:`RunStore` is a folder that any number of processes may write into at the same time and
that a SIGKILL at any moment leaves consistent:

==============================  ===================================================================
``store.json``                  format tag and creation time
``videos/<key>.<sha>.mp4``      the video, named by its content (first 16 hex digits of its
                                sha256): written to a temporary file, hashed from those bytes,
                                then renamed into place; a published file never changes
``rows/<key>.json``             its row: every parameter and its metadata, the video's file name
                                and sha256; written atomically *after* the video. The row is the
                                commit record.
``locks/<key>.lock``            the claim of the process generating or writing ``key`` (pid, host)
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

Concurrency: an item is *claimed* (:meth:`RunStore.claim`: a lock file created atomically, holding
the writer's pid and host) before it is generated and while it is written, so two processes never
make or write the same item at once; a claim whose process has died (same host) or whose file has
not been refreshed for :data:`LOCK_STALE_SECONDS` (the holder refreshes it every
:data:`LOCK_HEARTBEAT_SECONDS`) is stale and is broken by the next claimant. Because a published
video file is never modified (a new version gets a new name, then the row is switched to it), a
reader sees either the old item or the new one, never a mix. Temporary files carry their writer's
host and pid, so :meth:`RunStore.clean` removes those of killed writers at once.

Example:
    >>> import numpy as np, vidkit as vk
    >>> from vidkit.store import RunStore, item_key
    >>> import tempfile
    >>> store = RunStore(tempfile.mkdtemp())
    >>> key = item_key({"model": "demo"}, "a red ball falls", 0, {"steps": 2})
    >>> row = store.put(key, vk.Video(np.zeros((4, 16, 16, 3))), {"model": "demo", "seed": 0})
    >>> store.has(key), row["frames"]
    (True, 4)
"""

from __future__ import annotations

from vidkit.files import (
    atomic_write_bytes,
    atomic_write_json,
    file_sha256,
    jsonable,
    stable_hash,
)
from vidkit.store.claims import LOCK_HEARTBEAT_SECONDS, LOCK_STALE_SECONDS
from vidkit.store.layout import KEY_LENGTH, VIDEO_EXTS, check_ext, item_key
from vidkit.store.runstore import FORMAT, STALE_TMP_SECONDS, RunStore

__all__ = [
    "RunStore",
    "VIDEO_EXTS",
    "check_ext",
    "item_key",
    "stable_hash",
    "jsonable",
    "atomic_write_bytes",
    "atomic_write_json",
    "file_sha256",
    "FORMAT",
    "KEY_LENGTH",
    "STALE_TMP_SECONDS",
    "LOCK_STALE_SECONDS",
    "LOCK_HEARTBEAT_SECONDS",
]
