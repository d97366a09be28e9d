"""Prompt suites: the bundled ``data/prompts/*.jsonl`` and :func:`load_prompts` for files, datasets and lists."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from vidkit._config import data_dir
from vidkit.files import jsonable


def prompt_suites() -> dict[str, Path]:
    """The bundled prompt suites (``data/prompts/*.jsonl``) by name.

    Example:
        >>> sorted(prompt_suites())
        ['physics', 'tiny']
    """
    folder = data_dir() / "prompts"
    return {p.stem: p for p in sorted(folder.glob("*.jsonl"))}


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    rows = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{n}: not valid JSON ({exc.msg})") from None
            if not isinstance(row, dict):
                raise ValueError(f"{path}:{n}: each line must be a JSON object, got {row!r}")
            rows.append(row)
    return rows


def _prompt_source(prompts: Any) -> list[Any]:
    if isinstance(prompts, (str, os.PathLike)):
        text = os.fspath(prompts)
        suites = prompt_suites()
        if text in suites:
            return _read_jsonl(suites[text])
        path = Path(text).expanduser()
        if path.suffix.lower() in (".jsonl", ".json", ".txt") or path.is_file():
            if not path.is_file():
                hint = f"; bundled suites: {sorted(suites)}" if suites else ""
                raise FileNotFoundError(f"no prompt file at {text!r}{hint}")
            if path.suffix.lower() == ".txt":
                return [
                    ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()
                ]
            if path.suffix.lower() == ".json":
                data = json.loads(path.read_text(encoding="utf-8"))
                if not isinstance(data, list):
                    raise ValueError(f"{text}: a .json prompt file must hold a list")
                return data
            return _read_jsonl(path)
        return [text]  # one prompt
    datasets = sys.modules.get("datasets")  # a Dataset given means datasets is imported already
    if datasets is not None and isinstance(prompts, datasets.Dataset):
        return list(prompts)
    if hasattr(prompts, "to_dict") and hasattr(prompts, "columns"):  # pandas DataFrame
        return prompts.to_dict("records")
    if isinstance(prompts, Iterable) and not isinstance(prompts, Mapping):
        return list(prompts)
    raise TypeError(
        "prompts must be a list of strings or dicts, a .jsonl/.txt file, a bundled suite name "
        f"({sorted(prompt_suites())}), a datasets.Dataset or a DataFrame; got {type(prompts).__name__}"
    )


def load_prompts(prompts: Any, *, limit: int | None = None) -> list[dict[str, Any]]:
    """A prompt suite as a list of rows ``{"id", "prompt", "kind", "tags", ...}``.

    Args:
        prompts: a bundled suite name (``"tiny"``, ``"physics"``), a ``.jsonl`` file (one JSON
            object per line with at least ``"prompt"``), a ``.txt`` file (one prompt per line), a
            ``datasets.Dataset`` or DataFrame with a ``prompt`` column, a list of strings or of
            dicts, or a single prompt string.
        limit: keep only the first ``limit`` rows.

    Rows without an ``id`` get ``p000``, ``p001``...; ids and prompt texts must be unique.

    Example:
        >>> [r["id"] for r in load_prompts(["a red ball falls", "a blue ball falls"])]
        ['p000', 'p001']
    """
    raw = _prompt_source(prompts)
    if limit is not None:
        if isinstance(limit, bool) or not isinstance(limit, (int, np.integer)) or limit < 1:
            raise ValueError(f"limit must be a positive int, got {limit!r}")
        raw = raw[: int(limit)]
    rows: list[dict[str, Any]] = []
    for i, r in enumerate(raw):
        if isinstance(r, str):
            r = {"prompt": r}
        elif not isinstance(r, Mapping):
            raise TypeError(f"prompt {i} is {type(r).__name__}; expected a string or a dict")
        r = dict(r)
        text = r.get("prompt")
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"prompt row {i} needs a non-empty 'prompt' string, got {r!r}")
        r["prompt"] = text.strip()
        r["id"] = str(r.get("id") if r.get("id") is not None else f"p{i:03d}")
        tags = r.get("tags", [])
        r["tags"] = [tags] if isinstance(tags, str) else list(tags or [])
        rows.append(jsonable(r))
    if not rows:
        raise ValueError("the prompt suite is empty")
    for field_name in ("id", "prompt"):
        seen: dict[str, int] = {}
        for i, r in enumerate(rows):
            if r[field_name] in seen:
                raise ValueError(
                    f"prompt rows {seen[r[field_name]]} and {i} have the same {field_name} "
                    f"{r[field_name]!r}; each must be unique"
                )
            seen[r[field_name]] = i
    return rows
