"""The run store's layout on disk: item keys, the names of its files and folders, the video
container extensions it stores, and reading its JSON records (a half-written one reads as None).

Example:
    >>> from vidkit.store.layout import check_ext, item_key
    >>> len(item_key("vidkit/tiny-physics", "a red ball falls", 0)), check_ext(".MP4")
    (20, 'mp4')
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from vidkit.files import stable_hash

__all__ = [
    "KEY_LENGTH",
    "VIDEO_EXTS",
    "VIDEO_NAME",
    "check_ext",
    "check_key",
    "check_name",
    "item_key",
    "read_json",
    "utc_now",
]

KEY_LENGTH = 20
# container formats an item may be stored in (the file name ends with one of these)
VIDEO_EXTS = ("mp4", "webm", "mkv", "mov", "gif")


# --------------------------------------------------------------------------- keys
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
        {"model": model, "prompt": prompt, "seed": int(seed), "settings": dict(settings or {})},
        KEY_LENGTH,
    )


def read_json(path: Path) -> Any | None:
    """Parsed JSON, or None when the file is missing or not valid JSON."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return None


def utc_now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def check_key(key: str) -> str:
    if not isinstance(key, str) or not key or not all(c in "0123456789abcdef" for c in key):
        raise ValueError(f"a store key is a lowercase hex string (see item_key), got {key!r}")
    return key


def check_name(name: str, what: str) -> str:
    ok = isinstance(name, str) and name and all(c.isalnum() or c in "-_.@" for c in name)
    if not ok or name.startswith("."):
        raise ValueError(
            f"{what} must be a non-empty name of letters, digits and '-_.@' (no path separators), "
            f"got {name!r}"
        )
    return name


def check_ext(ext: Any) -> str:
    """A video container extension for the store (``mp4``, ``webm``, ``mkv``, ``mov``, ``gif``;
    a leading dot and case are ignored); anything else, a path included, is a ``ValueError``.

    Example:
        >>> check_ext(".MP4")
        'mp4'
    """
    if not isinstance(ext, str):
        raise TypeError(f"ext must be a string such as 'mp4', got {type(ext).__name__}")
    e = ext.lower()
    e = e[1:] if e.startswith(".") else e
    if e not in VIDEO_EXTS:
        raise ValueError(
            f"ext must be one of {', '.join(VIDEO_EXTS)} (a file extension, no path), got {ext!r}"
        )
    return e


# the video file a row may name: videos/<key>[.<16 hex of its sha256>].<ext> (older stores: no hash)
VIDEO_NAME = re.compile(
    r"^videos/(?P<key>[0-9a-f]+)(?:\.(?P<sha>[0-9a-f]{16}))?\.(?P<ext>"
    + "|".join(VIDEO_EXTS)
    + r")$"
)
