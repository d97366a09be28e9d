"""Where vidkit finds its bundled data and keeps its caches (one place, no scattered globals)."""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent
# an installed wheel carries the data inside the package; a clone has it at the top level
_INSTALLED_DATA = _PACKAGE_DIR / "_data"
_REPO_DATA = _PACKAGE_DIR.parent / "data"


def data_dir() -> Path:
    """The bundled data folder (prompt suites, tiny model, extractor weights).

    ``$VIDKIT_DATA`` overrides it; otherwise the copy inside the installed package
    (``vidkit/_data``, put there when the wheel is built), else the repository's top-level
    ``data/`` (a clone or an editable install).

    Example:
        >>> from vidkit._config import data_dir
        >>> (data_dir() / "prompts").name
        'prompts'
    """
    env = os.environ.get("VIDKIT_DATA")
    if env:
        return Path(env).expanduser().resolve()
    if _INSTALLED_DATA.is_dir():
        return _INSTALLED_DATA
    return _REPO_DATA


def cache_dir() -> Path:
    """Cache folder for downloaded weights and cached statistics.

    ``$VIDKIT_CACHE`` overrides it; default ``~/.cache/vidkit``. Created on demand.
    """
    env = os.environ.get("VIDKIT_CACHE")
    path = Path(env).expanduser() if env else Path.home() / ".cache" / "vidkit"
    path.mkdir(parents=True, exist_ok=True)
    return path
