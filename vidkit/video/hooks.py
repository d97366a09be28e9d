"""Hooks: what the layers above provide to Video (reading a file, a Video's notebook HTML)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    pass

# --------------------------------------------------------------------------- hooks
# What the layers above provide to Video: reading a file (vidkit.io) and a Video's notebook HTML
# (vidkit.display). vidkit.video imports neither (io and display import video); vidkit/__init__.py
# sets both when the package is imported.
_HOOKS: dict[str, Callable[[Any], Any]] = {}
HOOK_NAMES = ("read", "html")


def set_hook(name: str, fn: Callable[[Any], Any]) -> Callable[[Any], Any] | None:
    """Set what :class:`Video` calls for ``name`` and return the previous function (or None).

    ``"read"``: ``fn(path) -> Video``, used by :func:`as_video` for a path.
    ``"html"``: ``fn(video) -> str``, the notebook HTML of a Video (``Video._repr_html_``).

    Example:
        >>> import numpy as np
        >>> from vidkit.video import Video
        >>> old = set_hook("html", lambda v: f"<p>{v.num_frames} frames</p>")
        >>> Video(np.zeros((3, 4, 4, 3)))._repr_html_()
        '<p>3 frames</p>'
        >>> _ = set_hook("html", old)
    """
    if name not in HOOK_NAMES:
        raise ValueError(f"hook name must be one of {HOOK_NAMES}, got {name!r}")
    if not callable(fn):
        raise TypeError(f"the {name!r} hook must be callable, got {type(fn).__name__}")
    previous = _HOOKS.get(name)
    _HOOKS[name] = fn
    return previous


def get_hook(name: str) -> Callable[[Any], Any]:
    fn = _HOOKS.get(name)
    if fn is None:
        raise RuntimeError(f"no {name!r} hook is set; import vidkit (its __init__ sets them)")
    return fn
