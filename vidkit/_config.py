"""Where vidkit finds its bundled data and keeps its caches (one place, no scattered globals)."""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def data_dir() -> Path:
    """The bundled ``data/`` folder (prompt suites, tiny model, extractor weights).

    ``$VIDKIT_DATA`` overrides it; otherwise the repository's top-level ``data/`` beside the package.

    Example:
        >>> from vidkit._config import data_dir
        >>> (data_dir() / "prompts").name
        'prompts'
    """
    env = os.environ.get("VIDKIT_DATA")
    if env:
        return Path(env).expanduser().resolve()
    return _PACKAGE_DIR.parent / "data"


def cache_dir() -> Path:
    """Cache folder for downloaded weights and cached statistics.

    ``$VIDKIT_CACHE`` overrides it; default ``~/.cache/vidkit``. Created on demand.
    """
    env = os.environ.get("VIDKIT_CACHE")
    path = Path(env).expanduser() if env else Path.home() / ".cache" / "vidkit"
    path.mkdir(parents=True, exist_ok=True)
    return path
