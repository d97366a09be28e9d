"""Build hook: the repository's top-level ``data/`` folder ships inside the package.

``data/`` (the tiny-physics model, the SynthEncoder weights, the prompt suites) stays at the top
level of the repository, where the model cards and the training scripts point; a built wheel (or
a plain ``pip install .``) carries a copy of it as ``vidkit/_data``, which
``vidkit._config.data_dir()`` finds first. An editable install reads ``data/`` in place.
Everything else about the package is declared in ``pyproject.toml``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

DATA = Path(__file__).resolve().parent / "data"
IGNORE = shutil.ignore_patterns(".*", "__pycache__", "*.pyc")


class BuildPyWithData(build_py):
    """``build_py`` that also copies ``data/`` to ``<build>/vidkit/_data``."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads the repository's data/ in place
        if not DATA.is_dir():
            raise FileNotFoundError(f"the bundled data folder {DATA} is missing")
        target = Path(self.build_lib) / "vidkit" / "_data"
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(DATA, target, ignore=IGNORE)


setup(cmdclass={"build_py": BuildPyWithData})
