"""vidkit's layers hold: the import-linter contracts in pyproject.toml (layers, no cycles) are kept,
and no module imports a private name of another vidkit module.

The contracts list the layers lowest last (errors/files/_config, video, io, display, synth,
metrics | probes | store, sampling, tiny | testing, comparison, demo, cli | widgets); imports inside
functions count too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from _helpers import repo_env, run_python

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "vidkit"

# private names still imported across modules by code being moved on another branch; each entry
# is (importing module, imported module, name). Nothing in this list may be in the lower layers.
BEING_MOVED: set[tuple[str, str, str]] = set()


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def private_imports(path: Path, importer: str | None = None) -> list[tuple[str, str, str, int]]:
    """``(importer, module, name, line)`` for every private vidkit name ``path`` takes from
    another module: ``from vidkit.x import _y``, and ``m._y`` on a vidkit module bound to ``m``
    by ``import vidkit.x as m`` or ``from vidkit import x as m``."""
    importer = importer or _module_name(path)
    package = importer if path.name == "__init__.py" else importer.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    aliases: dict[str, str] = {}  # local name -> vidkit module it is bound to
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:  # relative import: resolve against the importer's package
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            if not (module == "vidkit" or module.startswith("vidkit.")) or module == importer:
                continue
            for alias in node.names:
                if _is_private(alias.name):
                    submodule = f"{module}.{alias.name}"
                    if (PACKAGE.parent / (submodule.replace(".", "/") + ".py")).exists():
                        continue  # a private module of the package (vidkit._config), not a name
                    found.append((importer, module, alias.name, node.lineno))
                else:
                    aliases[alias.asname or alias.name] = f"{module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("vidkit.") and alias.asname:
                    aliases[alias.asname] = alias.name
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in aliases
            and _is_private(node.attr)
            and aliases[node.value.id] != importer
        ):
            module = aliases[node.value.id]
            if (PACKAGE.parent / (module.replace(".", "/") + ".py")).exists() or (
                PACKAGE.parent / module.replace(".", "/") / "__init__.py"
            ).exists():
                found.append((importer, module, node.attr, node.lineno))
    return found


def test_no_private_names_imported_across_modules():
    found = [
        f"{importer} line {line}: {name} from {module}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for importer, module, name, line in private_imports(path)
        if (importer, module, name) not in BEING_MOVED
    ]
    assert not found, "private names imported across modules:\n" + "\n".join(found)


def test_the_check_finds_private_imports(tmp_path):
    # the check above cannot pass by seeing nothing: it finds each form, and not the allowed ones
    probe = tmp_path / "probe.py"
    probe.write_text(
        "from vidkit.video import _whole, Video\n"
        "import vidkit.io as vio\n"
        "from vidkit import display as disp\n"
        "from vidkit._config import data_dir\n"
        "from . import _helper\n"
        "vio._secret, disp._private, vio.public, disp.__name__\n",
        encoding="utf-8",
    )
    found = {(m, n) for _, m, n, _ in private_imports(probe, importer="vidkit.synth.probe")}
    assert found == {
        ("vidkit.video", "_whole"),
        ("vidkit.io", "_secret"),
        ("vidkit.display", "_private"),
        ("vidkit.synth", "_helper"),
    }


def test_being_moved_entries_are_still_needed():
    # an entry whose import is gone must leave the list (then the list empties after the merge)
    seen = {
        (importer, module, name)
        for path in sorted(PACKAGE.rglob("*.py"))
        for importer, module, name, _ in private_imports(path)
    }
    assert BEING_MOVED <= seen, f"no longer imported, remove: {sorted(BEING_MOVED - seen)}"


def test_import_contracts_are_kept(tmp_path):
    pytest.importorskip(
        "importlinter",
        reason="import-linter is not installed (pip install -e '.[test]' installs it)",
    )
    code = (
        "import sys\n"
        "from importlinter.cli import lint_imports\n"
        "sys.exit(lint_imports(config_filename='pyproject.toml', no_cache=True, no_logo=True))\n"
    )
    proc = run_python(["-c", code], cwd=ROOT, env=repo_env(), timeout=300)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    # both contracts ran and were kept (not skipped, not an empty configuration)
    assert "Contracts: 2 kept, 0 broken." in out, out
