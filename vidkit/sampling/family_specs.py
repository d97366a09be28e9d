"""How a registry entry is written: a row of released defaults, a row of rules, the family's own.

Every family entry of :mod:`vidkit.sampling.families` (and of :mod:`vidkit.sampling.families_more`
and :mod:`vidkit.tiny.family`) is built by :func:`family_spec` from three parts: the generation
defaults of the released checkpoints (one row of :data:`DEFAULT_FIELDS`), the family's rules (one
row of :data:`RULE_FIELDS`: frame and size rules, latent layout, training objective, trajectory
decode, accelerator dtype) and what is the family's own (its diffusers pipeline classes, hub-id
patterns, per-checkpoint hooks, notes). The registry modules keep the defaults and the rules as
tables, one row per family, so that families are compared at a glance; :func:`family_specs` joins
the tables. This module does not import the registry: the result is the keyword arguments of one
:class:`~vidkit.sampling.families.ModelFamily`.

Example:
    >>> spec = family_spec(
    ...     "my-model",
    ...     (480, 832, 81, 16, 50, 5.0),
    ...     (4, 1, 16, "BCFHW", True, None, "bfloat16", {}),
    ...     pipelines={"t2v": "mypkg.pipeline:MyPipeline"},
    ... )
    >>> spec["num_frames"], spec["frame_multiple"], spec["latent_layout"]
    (81, 4, 'BCFHW')
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = [
    "DEFAULT_FIELDS",
    "RULE_FIELDS",
    "WAN_DTYPES",
    "family_spec",
    "family_specs",
]

#: the columns of a defaults row: the generation defaults of a family's released checkpoints
DEFAULT_FIELDS = ("height", "width", "num_frames", "fps", "steps", "guidance")

#: the columns of a rules row: valid frame counts are ``k * frame_multiple + frame_offset``, sizes
#: multiples of ``size_multiple``; the step-callback latent layout, flow matching or not, the
#: trajectory decode, the dtype on an accelerator and per-component dtypes there
RULE_FIELDS = (
    "frame_multiple",
    "frame_offset",
    "size_multiple",
    "latent_layout",
    "flow_matching",
    "decode",
    "gpu_dtype",
    "component_dtypes",
)

#: the component dtypes of the Wan lineage (Wan, SkyReels-V2, VACE, Lucy Edit, Sana-Video, Helios):
#: Wan's VAE and the CLIP image encoder stay in float32 on an accelerator
WAN_DTYPES: Mapping[str, str] = {"vae": "float32", "image_encoder": "float32"}


def _row(name: str, what: str, row: Sequence[Any], fields: tuple[str, ...]) -> dict[str, Any]:
    if isinstance(row, (str, bytes)) or not isinstance(row, Sequence) or len(row) != len(fields):
        raise ValueError(
            f"family {name!r}: the {what} row must be a sequence of {len(fields)} values "
            f"({', '.join(fields)}), got {row!r}"
        )
    return dict(zip(fields, row))


def family_spec(
    name: str, defaults: Sequence[Any], rules: Sequence[Any], **own: Any
) -> dict[str, Any]:
    """The ``ModelFamily`` keyword arguments of one family: ``name``, a ``defaults`` row (the
    values of :data:`DEFAULT_FIELDS`), a ``rules`` row (:data:`RULE_FIELDS`) and the family's own
    fields (``pipelines``, ``patterns``, hooks, ``notes``...), which may not repeat a row's field.

    Example:
        >>> spec = family_spec("m", (256, 256, 17, 8, 30, None), (8, 1, 32, "packed", True, None,
        ...                    "float16", {}), pipelines={"t2v": "MyPipeline"}, fps_arg="frame_rate")
        >>> spec["height"], spec["frame_offset"], spec["fps_arg"]
        (256, 1, 'frame_rate')
    """
    if not isinstance(name, str):
        raise TypeError(f"a family name must be a string such as 'wan', got {type(name).__name__}")
    if not name:
        raise ValueError("a family name must not be empty")
    spec = {"name": name}
    spec.update(_row(name, "defaults", defaults, DEFAULT_FIELDS))
    spec.update(_row(name, "rules", rules, RULE_FIELDS))
    twice = sorted(set(own) & set(spec))
    if twice:
        raise ValueError(
            f"family {name!r}: {twice} come from its defaults and rules rows; do not pass them again"
        )
    spec.update(own)
    return spec


def family_specs(
    defaults: Mapping[str, Sequence[Any]],
    rules: Mapping[str, Sequence[Any]],
    own: Mapping[str, Mapping[str, Any]],
) -> list[dict[str, Any]]:
    """The entries of a registry table, in the order of ``own``: family name -> defaults row,
    rules row and own fields (the three tables must name the same families).

    Example:
        >>> specs = family_specs(
        ...     {"a": (64, 64, 9, 8, 20, 5.0)},
        ...     {"a": (4, 1, 16, "BCFHW", True, None, "bfloat16", {})},
        ...     {"a": {"pipelines": {"t2v": "APipeline"}}},
        ... )
        >>> [(s["name"], s["num_frames"], s["pipelines"]["t2v"]) for s in specs]
        [('a', 9, 'APipeline')]
    """
    names = set(own)
    for what, table in (("defaults", defaults), ("rules", rules)):
        if set(table) != names:
            raise ValueError(
                f"the {what} table names {sorted(table)} but the entries are {sorted(names)}; "
                "every family needs one row in each table"
            )
    return [
        family_spec(name, defaults[name], rules[name], **fields) for name, fields in own.items()
    ]
