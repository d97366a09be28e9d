"""Many synthetic scenes on disk: mp4 files plus a :class:`datasets.Dataset` index.

Rows cycle through every compatible ``(kind, violation)`` combination; row ``i`` belongs to group
``g = i // len(combinations)`` and is rendered with scene seed ``seed + g``. All rows of a group
and kind therefore share one base scene: the clean row and its violated twins are matched sets
(IntPhys-style possible/impossible pairs). Use disjoint seed ranges for train and test
(e.g. ``seed=0`` and ``seed=100_000``).

Example:
    >>> import vidkit as vk
    >>> import tempfile
    >>> ds = vk.synth.dataset(4, kinds=("bounce",), violations=(None, "teleport"),
    ...                       root=tempfile.mkdtemp() + "/synth")
    >>> ds[1]["violation"], ds[1]["prompt"]
    ('teleport', 'a purple ball bounces to the right on a grey floor')
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vidkit.synth.kinds import KINDS
from vidkit.synth.scenes import render
from vidkit.synth.violations import VIOLATIONS

if TYPE_CHECKING:  # pragma: no cover
    import datasets

__all__ = ["dataset", "combinations", "FEATURES"]

_NO_GRAVITY = ("collision", "uniform")
_RESERVED = ("kind", "seed", "violation")
_EXTENSIONS = ("mp4", "webm", "mkv")

#: Column names and types of the returned dataset.
FEATURES: dict[str, str] = {
    "video": "string",  # path of the video file
    "file_name": "string",  # path relative to ``root``
    "prompt": "string",
    "kind": "string",
    "violation": "string",  # None for clean scenes
    "seed": "int64",
    "group": "int64",
    "truth": "string",  # JSON of Truth.to_dict()
    "params": "string",  # JSON of Scene.params (render(**params) reproduces the scene)
}


def combinations(
    kinds: Sequence[str] | str = KINDS, violations: Sequence[str | None] | str | None = (None,)
) -> list[tuple[str, str | None]]:
    """The compatible ``(kind, violation)`` pairs, kind-major, in the order rows cycle through.

    ``wrong_gravity`` is skipped for the gravity-free kinds (``collision``, ``uniform``).

    Example:
        >>> combinations(("bounce", "uniform"), (None, "wrong_gravity"))
        [('bounce', None), ('bounce', 'wrong_gravity'), ('uniform', None)]
    """
    kinds = (kinds,) if isinstance(kinds, str) else tuple(kinds)
    if violations is None or isinstance(violations, str):
        violations = (violations,)
    violations = tuple(violations)
    if not kinds:
        raise ValueError(f"kinds must name at least one of {list(KINDS)}")
    if not violations:
        raise ValueError(f"violations must hold at least one of None or {list(VIOLATIONS)}")
    for k in kinds:
        if k not in KINDS:
            raise ValueError(f"unknown kind {k!r}; valid kinds are {list(KINDS)}")
    for v in violations:
        if v is not None and v not in VIOLATIONS:
            raise ValueError(
                f"unknown violation {v!r}; valid violations are {list(VIOLATIONS)} or None"
            )
    combos = [
        (k, v)
        for k in dict.fromkeys(kinds)
        for v in dict.fromkeys(violations)
        if not (v == "wrong_gravity" and k in _NO_GRAVITY)
    ]
    if not combos:
        raise ValueError(
            f"no compatible (kind, violation) pair in kinds={list(kinds)} x "
            f"violations={list(violations)} (wrong_gravity needs a kind with gravity)"
        )
    return combos


def dataset(
    n: int,
    kinds: Sequence[str] | str = KINDS,
    violations: Sequence[str | None] | str | None = (None,),
    seed: int = 0,
    root: str | os.PathLike = "synth_data",
    *,
    ext: str = "mp4",
    crf: int | None = None,
    progress: bool = True,
    **render_params: Any,
) -> datasets.Dataset:
    """Render ``n`` scenes, write them as video files under ``root``, return a Dataset index.

    Args:
        n: number of rows (videos).
        kinds: scene kinds to cycle through (default all of :data:`KINDS`).
        violations: violations to cycle through; ``None`` means a clean scene.
        seed: first scene seed; group ``g`` of rows uses seed ``seed + g`` (see module docstring).
        root: output folder (created). Files are ``root/videos/{i:06d}_{kind}_{violation}_s{seed}.mp4``
            and ``root/metadata.jsonl`` holds one JSON line per row (``file_name`` + columns, the
            layout of a Hugging Face ``videofolder``).
        ext: container: ``"mp4"`` (H.264, default), ``"webm"`` (VP9) or ``"mkv"``.
        crf: encoder quality passed to :func:`vidkit.write_video` (lower is better).
        progress: show a ``tqdm`` progress bar.
        **render_params: passed to :func:`vidkit.synth.render` (``size``, ``frames``, ``fps``,
            ``background``, ``camera_noise``...), the same for every row.

    Returns:
        A :class:`datasets.Dataset` with the columns of :data:`FEATURES`. ``truth`` and ``params``
        are JSON strings: ``Truth.from_dict(row["truth"])`` and ``render(**json.loads(row["params"]))``
        restore them. To use the ``datasets`` video feature:
        ``ds.cast_column("video", datasets.Video(decode=False))``.

    Example:
        >>> import tempfile, vidkit as vk
        >>> root = tempfile.mkdtemp()
        >>> ds = vk.synth.dataset(12, violations=(None, "vanish"), root=root)
        >>> len(ds), sorted(set(ds["violation"]), key=str)
        (12, [None, 'vanish'])
        >>> ds.save_to_disk(root + "/index")  # doctest: +ELLIPSIS
        ...
    """
    import datasets
    from tqdm.auto import tqdm

    from vidkit.io import write_video

    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    if ext not in _EXTENSIONS:
        raise ValueError(f"ext must be one of {list(_EXTENSIONS)}, got {ext!r}")
    clash = sorted(set(render_params) & set(_RESERVED))
    if clash:
        raise ValueError(
            f"{clash} are set per row by dataset(); use kinds=, violations= and seed= instead"
        )
    combos = combinations(kinds, violations)
    root_path = Path(root).expanduser()
    videos_dir = root_path / "videos"
    videos_dir.mkdir(parents=True, exist_ok=True)

    columns: dict[str, list[Any]] = {name: [] for name in FEATURES}
    meta_lines: list[str] = []
    for i in tqdm(range(n), desc="synth scenes", disable=not progress, unit="video"):
        group = i // len(combos)
        kind, violation = combos[i % len(combos)]
        scene_seed = seed + group
        scene = render(kind, scene_seed, violation, **render_params)
        name = f"{i:06d}_{kind}_{violation or 'clean'}_s{scene_seed}.{ext}"
        path = write_video(videos_dir / name, scene.video, crf=crf)
        row = {
            "video": str(Path(path).resolve()),
            "file_name": f"videos/{name}",
            "prompt": scene.prompt,
            "kind": kind,
            "violation": violation,
            "seed": scene_seed,
            "group": group,
            "truth": scene.truth.to_json(),
            "params": json.dumps(scene.params),
        }
        for key, value in row.items():
            columns[key].append(value)
        meta_lines.append(json.dumps({k: v for k, v in row.items() if k != "video"}))
    # metadata.jsonl: written whole, atomically (a reader never sees half a file)
    tmp = root_path / f".metadata.{os.getpid()}.jsonl.tmp"
    tmp.write_text("\n".join(meta_lines) + "\n", encoding="utf-8")
    os.replace(tmp, root_path / "metadata.jsonl")
    features = datasets.Features({k: datasets.Value(v) for k, v in FEATURES.items()})
    return datasets.Dataset.from_dict(columns, features=features)
