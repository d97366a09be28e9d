"""The docstring examples of the comparison package, the CLI, the model identity and the bootstrap
intervals run and hold.

The methods of :class:`~vidkit.comparison.Leaderboard` show a ``board`` (built in the class's own
example: two :class:`~vidkit.comparison.SynthModel` rows on two prompts); the test builds the same
board once and gives it to every example. ``+SKIP`` is left only on hub ids, large weights and
what needs a notebook front end.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import warnings

import pytest

import vidkit as vk
import vidkit.comparison
from vidkit.comparison import SynthModel

MODULES = sorted(
    [f"vidkit.comparison.{m.name}" for m in pkgutil.iter_modules(vidkit.comparison.__path__)]
    + ["vidkit.comparison", "vidkit.cli", "vidkit.demo", "vidkit.metrics.intervals"]
)


@pytest.fixture(scope="module")
def board(tmp_path_factory):
    return vk.compare(
        {"physics": SynthModel(), "teleports": SynthModel("teleport")},
        prompts=["a red ball falls", "a blue ball bounces to the right on a grey floor"],
        seeds=[0, 1],
        metrics=["physics"],
        store=tmp_path_factory.mktemp("board"),
        progress=False,
    )


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name, board, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # an example that writes a file writes it here
    module = importlib.import_module(name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = doctest.testmod(
            module,
            extraglobs={"board": board},
            optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
            verbose=False,
        )
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples of {name} failed"
    assert result.attempted > 0, f"{name} has no docstring example"
