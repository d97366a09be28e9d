"""Coverage that cannot drift: every video pipeline of the installed diffusers is either claimed by
a vidkit family entry or on vidkit's NOT_YET_SUPPORTED list with a reason; every claim is tested on
a tiny offline pipeline or listed in UNTESTED_CLAIMS; every entry's defaults obey its own rules."""

from __future__ import annotations

import pytest

import vidkit as vk
from vidkit.sampling.coverage import (
    NOT_YET_SUPPORTED,
    UNTESTED_CLAIMS,
    claimed_pipelines,
    coverage,
    video_pipelines,
)
from vidkit.sampling.families import families, family_for, pipeline_class_name


def _tested_classes() -> set[str]:
    out = set()
    for family, tasks in vk.testing.TINY_PIPELINES.values():
        fam = family_for(family)
        out |= {pipeline_class_name(fam.pipelines[t]) for t in tasks}
    return out


def test_the_rule_finds_video_pipelines_and_only_those():
    pipes = video_pipelines()
    for name in ("WanPipeline", "WanVideoToVideoPipeline", "LTX2Pipeline", "MochiPipeline"):
        assert name in pipes
    for name in ("FluxPipeline", "StableDiffusionPipeline", "DiTPipeline"):
        assert name not in pipes
    assert len(pipes) >= 40  # diffusers 0.42 ships 76 by this rule


def test_every_video_pipeline_is_supported_or_listed_with_a_reason():
    rows = coverage()
    unknown = sorted(k for k, v in rows.items() if v == "unknown")
    assert not unknown, (
        f"diffusers video pipelines neither claimed by a vidkit family nor on "
        f"vidkit.sampling.coverage.NOT_YET_SUPPORTED: {unknown}"
    )


def test_the_not_yet_list_is_honest():
    pipes, claimed = video_pipelines(), claimed_pipelines()
    stale = sorted(set(NOT_YET_SUPPORTED) - set(pipes))
    assert not stale, f"NOT_YET_SUPPORTED names pipelines diffusers does not ship: {stale}"
    both = sorted(set(NOT_YET_SUPPORTED) & set(claimed))
    assert not both, f"claimed by a family and listed as not supported: {both}"
    for name, why in NOT_YET_SUPPORTED.items():
        assert isinstance(why, str) and len(why) > 15, name


def test_every_claim_is_tested_on_a_tiny_pipeline_or_says_why_not():
    claimed, tested = claimed_pipelines(), _tested_classes()
    video = set(video_pipelines())
    untested = sorted(n for n in claimed if n in video and n not in tested)
    assert untested == sorted(UNTESTED_CLAIMS), (
        f"claimed but untested: {untested}; UNTESTED_CLAIMS lists {sorted(UNTESTED_CLAIMS)}"
    )
    assert all(len(why) > 15 for why in UNTESTED_CLAIMS.values())


@pytest.mark.parametrize("name", sorted(n for n in families() if n not in ("generic",)))
def test_entry_defaults_obey_the_entry_rules(name):
    fam = family_for(name)
    assert fam.tasks, name
    assert fam.valid_frames(fam.num_frames) == fam.num_frames, (name, fam.num_frames)
    assert fam.height % fam.size_multiple == 0 and fam.width % fam.size_multiple == 0, name
    assert fam.steps >= 1 and fam.fps > 0
    assert fam.gpu_dtype in ("bfloat16", "float16", "float32")
    assert fam.latent_layout in ("BCFHW", "BFCHW", "packed")
    assert fam.decode is not None or name == "tiny-physics", f"{name} has no trajectory decode"
    for task in fam.tasks:  # every class an entry names exists in the installed diffusers
        assert vk.sampling.pipeline_class_for(fam, task) is not None


@pytest.mark.parametrize(
    "model_id, family",
    [
        ("Skywork/SkyReels-V2-T2V-14B-540P-Diffusers", "skyreels-v2"),
        ("Skywork/SkyReels-V2-I2V-1.3B-540P-Diffusers", "skyreels-v2"),
        ("Skywork/SkyReels-V2-DF-1.3B-540P-Diffusers", "skyreels-v2-df"),
        ("genmo/mochi-1-preview", "mochi"),
        ("Lightricks/LTX-2", "ltx2"),
        ("Lightricks/LTX-Video-0.9.7-dev", "ltx"),
        ("Wan-AI/Wan2.1-VACE-1.3B-diffusers", "wan-vace"),
        ("decart-ai/Lucy-Edit-Dev", "lucy-edit"),
        ("rhymes-ai/Allegro", "allegro"),
        ("Wan-AI/Wan2.2-TI2V-5B-Diffusers", "wan"),
        ("Wan-AI/Wan2.2-T2V-A14B-Diffusers", "wan"),
    ],
)
def test_hub_ids_find_their_family(model_id, family):
    assert vk.sampling.detect_family(model_id).name == family


def test_entries_are_built_from_the_tables_and_bad_rows_are_refused():
    from vidkit.sampling.family_specs import DEFAULT_FIELDS, RULE_FIELDS, family_spec, family_specs

    wan = family_for("wan")
    assert (wan.height, wan.width, wan.num_frames, wan.frame_rule) == (480, 832, 81, "4k+1")
    assert wan.component_dtypes == {"vae": "float32", "image_encoder": "float32"}
    row = (4, 1, 16, "BCFHW", True, None, "bfloat16", {})
    assert len(row) == len(RULE_FIELDS) and len(DEFAULT_FIELDS) == 6
    with pytest.raises(ValueError, match="defaults row must be a sequence of 6 values"):
        family_spec("x", (480, 832), row, pipelines={"t2v": "P"})
    with pytest.raises(ValueError, match="rules row must be a sequence of 8 values"):
        family_spec("x", (480, 832, 81, 16, 50, 5.0), row[:-1], pipelines={"t2v": "P"})
    with pytest.raises(ValueError, match=r"\['height'\] come from its defaults and rules rows"):
        family_spec("x", (480, 832, 81, 16, 50, 5.0), row, pipelines={"t2v": "P"}, height=1)
    with pytest.raises(TypeError, match="family name must be a string"):
        family_spec(None, (480, 832, 81, 16, 50, 5.0), row)
    with pytest.raises(ValueError, match=r"the rules table names \[\] but the entries are \['x'\]"):
        family_specs({"x": (480, 832, 81, 16, 50, 5.0)}, {}, {"x": {"pipelines": {}}})
