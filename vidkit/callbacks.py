"""Backward-compatible path of :mod:`vidkit.sampling.callbacks` (the course notebooks import
``vidkit.callbacks``); new code imports from ``vidkit.sampling.callbacks``."""

from vidkit.sampling.callbacks import *  # noqa: F403
from vidkit.sampling.callbacks import __all__  # noqa: F401
