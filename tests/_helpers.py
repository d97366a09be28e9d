"""Helpers shared by several test files (``from _helpers import run_python``: pytest puts tests/
on ``sys.path``, as it does for conftest.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def repo_env(**extra: str) -> dict[str, str]:
    """This process's environment with the repository first on ``PYTHONPATH`` (so a child
    interpreter imports this checkout's vidkit), plus ``extra``."""
    path = str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")
    return {**os.environ, **extra, "PYTHONPATH": path}


def run_python(
    args: Sequence[str], *, cwd: str | os.PathLike, env: dict[str, str], timeout: float
) -> subprocess.CompletedProcess[str]:
    """Run this interpreter with ``args`` in ``cwd`` and capture its text output. A non-zero exit
    does not raise: the caller asserts on ``returncode`` and shows the tail of stderr."""
    return subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def validation_report(base: dict, **spec):
    """Render a clip of :mod:`vidkit.validation` from ``base`` updated by ``spec`` and run the
    physics probes on it: ``(clip, report)``."""
    import vidkit as vk
    from vidkit import validation

    clip = validation.render_spec({**base, **spec})
    return clip, vk.probes.physics(clip.video)


def suite_spec(seed: int) -> dict:
    """The spec of the clip with this ``seed`` in the suites of ``benchmarks/probe_accuracy.py``
    (``--n-clean 200 --n-violation 24``; suite seed ``seed // 100003``), so that a test names a
    clip of the accuracy tables by its seed instead of spelling out its spec."""
    from vidkit import validation

    suite = seed // 100003
    for spec in validation.specs(200, 24, seed=suite):
        if spec["seed"] == seed:
            return spec
    raise ValueError(f"no clip with seed {seed} in the validation suite of seed {suite}")


def suite_report(seed: int, **overrides):
    """Render the suite clip ``seed`` (:func:`suite_spec`, updated by ``overrides``) and run the
    physics probes on it: ``(clip, report)``."""
    return validation_report(suite_spec(seed), **overrides)


def failing_sentences(rep) -> list[str]:
    """The sentences of a physics report's failing findings (for assertion messages)."""
    return [f.sentence for f in rep.failures]


def assert_passes(seed: int, probe: str) -> None:
    """The suite clip ``seed`` passes ``probe`` (the report's failing sentences say why not)."""
    _, rep = suite_report(seed)
    assert rep.results[probe].passed is True, failing_sentences(rep)


def line_tracks(vis, x, r, col):
    """Tracks of ``n`` objects on a line at y = 20 of an 80x40 frame at 10 fps: ``vis`` [n, T],
    x positions, radii and colours ``[n, T, 3]`` (NaN where not visible), for unit tests of the
    persistence rules."""
    import numpy as np

    from vidkit.probes.tracking import Tracks

    n, T = vis.shape
    c = np.full((n, T, 2), np.nan)
    c[..., 0], c[..., 1] = x, 20.0
    c[~vis] = np.nan
    rr = np.where(vis, r, np.nan)
    merged, border = np.zeros_like(vis), np.zeros_like(vis)
    return Tracks(
        c, rr, np.pi * rr**2, col, vis, merged, border, 10.0, (40, 80), np.zeros((40, 80, 3))
    )
