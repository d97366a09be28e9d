"""The path ``vidkit.report`` (used by the notebooks): :mod:`vidkit.display.report`."""

from vidkit.display.report import *  # noqa: F403
from vidkit.display.report import __all__  # noqa: F401
