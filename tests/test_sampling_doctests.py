"""The docstring examples of the sampling package (and the helpers it uses) run and hold.

Examples that need the network or large weights (hub ids) or a display are marked ``+SKIP``;
everything else runs on the tiny offline pipelines of ``vk.testing`` and the bundled tiny model.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import warnings

import pytest

import vidkit.sampling

MODULES = sorted(
    [f"vidkit.sampling.{m.name}" for m in pkgutil.iter_modules(vidkit.sampling.__path__)]
    + ["vidkit.sampling", "vidkit.files", "vidkit.tiny.family"]
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    module = importlib.import_module(name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the examples show adjustments that warn
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples of {name} failed"
    assert result.attempted > 0, f"{name} has no docstring example"
