"""Every task of every family with a tiny offline pipeline, through vk.generate: output shape and
frame rule, metadata, reproducible seeds, trajectories (their last entry is the output)."""

from __future__ import annotations

import functools
import inspect
import warnings

import numpy as np
import pytest

import vidkit as vk
from vidkit.sampling.families import family_for, pipeline_class_name

CASES = [(name, task) for name, (_, tasks) in vk.testing.TINY_PIPELINES.items() for task in tasks]

# Known, documented limit (docs/sampling.md): Wan 2.2 TI2V re-inserts the image latents after the
# loop, so the last trajectory entry decodes the denoiser's own first latent frame
TRAJECTORY_DIFFERS = {("wan2.2-ti2v", "i2v")}


@functools.cache
def _pipe(name: str, task: str):
    return vk.testing.tiny_pipeline(name, task)


def _inputs(pipe, task: str) -> dict:
    d = pipe.defaults
    if task in ("i2v", "condition"):
        return {"image": vk.testing.smooth_video(2, d["height"], d["width"])[0]}
    if task == "v2v":
        return {"video": vk.testing.smooth_video(d["num_frames"], d["height"], d["width"])}
    return {}


@pytest.mark.parametrize("name, task", CASES, ids=[f"{n}-{t}" for n, t in CASES])
def test_every_task_of_every_family(name, task):
    pipe = _pipe(name, task)
    fam = family_for(vk.testing.TINY_PIPELINES[name][0])
    assert pipe.family is fam and task in pipe.tasks
    d = pipe.defaults
    # a frame count off the family's rule is fitted to it, with a warning that is recorded
    asked = d["num_frames"] + 1
    want = fam.valid_frames(asked)
    kwargs = dict(prompt="a red ball bounces", seed=[3, 4], progress=False, task=task)
    if task != "v2v":
        kwargs["num_frames"] = asked
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        vids = vk.generate(pipe, record="trajectory", **_inputs(pipe, task), **kwargs)
    n = want if task != "v2v" else d["num_frames"]
    assert [v.shape for v in vids] == [(n, d["height"], d["width"], 3)] * 2
    if task != "v2v" and want != asked:
        text = f"num_frames={asked} changed to {want}"
        assert any(text in str(w.message) for w in said)
        assert any(text in a for a in vids[0].metadata["adjustments"])
    m = vids[0].metadata
    assert m["family"] == fam.name and m["task"] == task and m["seed"] == 3
    assert m["pipeline"] == pipeline_class_name(fam.pipelines[task])
    # v2v runs strength x steps (the pipelines' default strength); every step it ran completed
    assert m["steps"] == d["steps"] and m["num_frames"] == n
    assert 1 <= m["steps_completed"] == m["steps_run"] <= d["steps"]
    assert m["fps"] == d["fps"] == vids[0].fps
    assert np.isfinite(vids[0].frames).all()
    # seeds: sample i of a list is that seed run alone; another seed is another video
    alone = vk.generate(pipe, **_inputs(pipe, task), **dict(kwargs, seed=3))
    np.testing.assert_allclose(alone.frames, vids[0].frames, atol=1e-4)
    assert np.abs(vids[1].frames - vids[0].frames).max() > 1e-3
    # trajectory: decoded with the family's own decode; its last entry is the output
    traj = m["trajectory"]
    assert traj.steps[-1] == m["steps_run"] - 1 and len(traj.videos) >= 1
    assert traj.final.shape == vids[0].shape
    if (name, task) in TRAJECTORY_DIFFERS:
        assert np.abs(traj.final.frames - vids[0].frames).max() > 0
    else:
        np.testing.assert_allclose(traj.final.frames, vids[0].frames, atol=1e-4)


def test_wan22_a14b_uses_both_experts():
    """The low-noise expert (transformer_2) takes the steps below the boundary: changing it
    changes the video, and a two-expert checkpoint offers no v2v (its pipeline has one)."""
    import torch

    pipe = vk.testing.tiny_pipeline("wan2.2-a14b", "t2v")
    assert pipe.tasks == ("t2v",)
    before = vk.generate(pipe, prompt="a ball", seed=0, steps=4, progress=False)
    with torch.no_grad():
        pipe.pipeline.transformer_2.proj_out.weight.mul_(0.0)
    after = vk.generate(pipe, prompt="a ball", seed=0, steps=4, progress=False)
    assert np.abs(before.frames - after.frames).max() > 1e-3


def test_wan22_ti2v_does_both_tasks_with_one_model():
    pipe = vk.testing.tiny_pipeline("wan2.2-ti2v", "t2v")
    assert pipe.tasks == ("t2v", "i2v")
    img = vk.testing.smooth_video(2, 32, 32)[0]
    v = vk.generate(pipe, prompt="a ball", image=img, seed=0, progress=False)
    assert v.metadata["pipeline"] == "WanImageToVideoPipeline"
    assert pipe.for_task("i2v").transformer is pipe.pipeline.transformer


def test_skyreels_checkpoints_do_their_own_tasks():
    assert vk.testing.tiny_pipeline("skyreels-v2", "t2v").tasks == ("t2v",)
    assert vk.testing.tiny_pipeline("skyreels-v2", "i2v").tasks == ("i2v",)
    df = vk.testing.tiny_pipeline("skyreels-v2-df", "t2v")
    assert df.tasks == ("t2v", "i2v")
    with pytest.raises(ValueError, match="i2v"):
        vk.generate(df, prompt="x", video=vk.testing.smooth_video(9, 16, 16), progress=False)


def test_vace_control_video_sets_the_frame_count_and_reference_images_are_decoded_out():
    from PIL import Image

    pipe = _pipe("wan-vace", "v2v")
    clip = vk.testing.smooth_video(12, 16, 16)
    ref = Image.fromarray(clip.uint8[0])
    # vk.generate's control task names the control video control_video= where it has one (the
    # tasks branch); before it, the VACE family takes it as video= (v2v)
    control = (
        "control_video" if "control_video" in inspect.signature(vk.generate).parameters else "video"
    )
    with pytest.warns(UserWarning, match="12 frames resampled to 9"):
        v = vk.generate(
            pipe,
            prompt="a ball",
            **{control: clip},
            reference_images=[ref],
            seed=0,
            steps=2,
            record="trajectory",
            progress=False,
        )
    assert v.shape == (9, 16, 16, 3)
    np.testing.assert_allclose(v.metadata["trajectory"].final.frames, v.frames, atol=1e-4)
    vs = vk.generate(pipe, prompt="a", seed=[0, 1], steps=2, progress=False)
    assert [x.metadata["seed"] for x in vs] == [0, 1]


def test_helios_makes_whole_chunks():
    """Helios generates 33-frame chunks, each continuing the last: 40 frames are fitted to 33
    (32k+1, with a warning) and 65 frames are two chunks."""
    pipe = _pipe("helios", "t2v")
    with pytest.warns(UserWarning, match="num_frames=40 changed to 33"):
        v = vk.generate(pipe, prompt="a ball", num_frames=40, seed=0, progress=False)
    assert v.num_frames == 33
    v = vk.generate(pipe, prompt="a ball", num_frames=65, seed=0, progress=False)
    assert v.shape == (65, 16, 16, 3) and np.isfinite(v.frames).all()
