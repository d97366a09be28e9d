"""First-last-frame, extension and control through vk.generate, on tiny offline pipelines built
from each family's own diffusers classes (vidkit.testing_tasks)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import vidkit as vk
from vidkit.testing_tasks import TINY_TASK_PIPELINES, tiny_task_pipeline


@pytest.fixture(scope="module")
def flf():
    return tiny_task_pipeline("wan-flf2v")


@pytest.fixture(scope="module")
def vace():
    return tiny_task_pipeline("wan-vace")


@pytest.fixture(scope="module")
def fun():
    return tiny_task_pipeline("cogvideox-fun-control")


@pytest.fixture(scope="module")
def ltx():
    return vk.testing.tiny_pipeline("ltx", "t2v")


@pytest.fixture(scope="module")
def wan_i2v():
    return vk.testing.tiny_pipeline("wan", "i2v")


def _gen(pipe, **kw):
    kw.setdefault("progress", False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return vk.generate(pipe, "a red ball", **kw)


def _clip(n=12, h=20, w=20, fps=12.0):
    return vk.testing.smooth_video(n, h, w, fps=fps)


# ----------------------------------------------------------------------------- first-last-frame
def test_first_last_frame(flf):
    src = _clip()
    v = _gen(flf, image=src[0], last_image=src[-1], seed=3, num_frames=10)
    assert type(flf.pipeline).__name__ == "WanImageToVideoPipeline"
    assert v.shape == (9, 16, 16, 3)  # 4k+1 frames, multiples of 16
    m = v.metadata
    assert m["task"] == "i2v" and m["mode"] == "first-last-frame" and m["seed"] == 3
    assert m["mode_inputs"]["last_image"].startswith("ndarray of shape (20, 20, 3)")
    assert any("num_frames=10 changed to 9" in a for a in m["adjustments"])
    assert any("last_image of 20x20 fitted to 16x16" in a for a in m["adjustments"])
    # the last frame conditions the result: another last frame gives another video
    other = _gen(flf, image=src[0], last_image=1 - src[-1], seed=3)
    assert not np.array_equal(other.frames, v.frames)


def test_first_last_frame_seeds_and_batches(flf):
    src = _clip()
    one = _gen(flf, image=src[0], last_image=src[-1], seed=5)
    again = _gen(flf, image=src[0], last_image=src[-1], seed=5)
    batch = _gen(flf, image=src[0], last_image=src[-1], seed=[4, 5], batch_size=2)
    np.testing.assert_array_equal(one.frames, again.frames)
    np.testing.assert_allclose(batch[1].frames, one.frames, atol=2e-5)
    assert [b.metadata["seed"] for b in batch] == [4, 5]


def test_first_last_frame_errors(flf, wan_i2v, ltx):
    src = _clip()
    with pytest.raises(ValueError, match="needs the first frame"):
        vk.generate(flf, "x", last_image=src[-1], progress=False)
    with pytest.raises(ValueError, match="without first-last-frame training"):
        vk.generate(wan_i2v, "x", image=src[0], last_image=src[-1], progress=False)
    with pytest.raises(ValueError, match="LTXImageToVideoPipeline\\) takes no last_image"):
        vk.generate(ltx, "x", image=src[0], last_image=src[-1], progress=False)
    with pytest.raises(ValueError, match="one task per call"):
        vk.generate(flf, "x", image=src[0], last_image=src[-1], extend=4, progress=False)


# ----------------------------------------------------------------------------- extension
def test_extend_ltx_condition(ltx):
    src = vk.testing.smooth_video(12, 32, 32, fps=24)
    with pytest.warns(UserWarning, match="the last 9 of the 12 input frames"):
        v = vk.generate(ltx, "a red ball", video=src, extend=8, seed=1, progress=False)
    assert v.shape == (17, 32, 32, 3) and v.fps == 24  # 9 condition + 8 new = 8k+1
    m = v.metadata
    assert m["task"] == "condition" and m["mode"] == "extend"
    assert m["pipeline"] == "LTXConditionPipeline"
    ext = m["extension"]
    assert ext["method"] == "condition" and ext["includes_input"] == "regenerated"
    assert (ext["input_frames"], ext["condition_frames"], ext["new_frames"]) == (12, 9, 8)
    assert m["mode_inputs"] == {"extend": 8}
    # extend is rounded up to the frame rule, and said so
    w = _gen(ltx, video=src, extend=5, seed=1)
    assert w.num_frames == 17 and w.metadata["extension"]["new_frames"] == 8
    assert any("extend=5 changed to 8" in a for a in w.metadata["adjustments"])
    np.testing.assert_array_equal(_gen(ltx, video=src, extend=8, seed=1).frames, v.frames)


def test_extend_i2v_fallback_keeps_the_input(wan_i2v):
    src = vk.testing.smooth_video(6, 16, 16, fps=16)
    v = _gen(wan_i2v, video=src, extend=8, seed=2)
    assert v.num_frames == 6 + 8 and v.fps == 16
    np.testing.assert_array_equal(v.frames[:6], src.frames)  # the input, exactly
    ext = v.metadata["extension"]
    assert ext["method"] == "i2v-last-frame" and "fallback" in ext["description"]
    assert ext["includes_input"] == "exact" and ext["new_frames"] == 8
    assert v.metadata["task"] == "i2v" and v.metadata["num_frames"] == 14
    # a different size: the input is fitted to the output like the generation
    w = _gen(wan_i2v, video=vk.testing.smooth_video(6, 20, 20), extend=3, seed=2)
    assert w.shape == (6 + 4, 16, 16, 3)


def test_extend_skyreels_diffusion_forcing():
    df = tiny_task_pipeline("skyreels-v2-df")
    assert type(df.pipeline).__name__ == "SkyReelsV2DiffusionForcingVideoToVideoPipeline"
    src = vk.testing.smooth_video(12, 16, 16, fps=16)
    for extend, blocks in ((8, 13), (20, 13)):
        v = _gen(df, video=src, extend=extend, seed=1)
        ext = v.metadata["extension"]
        assert ext["method"] == "diffusion-forcing" and ext["condition_frames"] == 9
        assert ext["new_frames"] == extend and ext["base_num_frames"] == blocks
        # the input (through the pipeline's float conversion), the 9-frame overlap redrawn, the new
        assert v.num_frames == 12 + 9 + extend == v.metadata["num_frames"]
        np.testing.assert_allclose(v.frames[:12], src.frames, atol=1 / 255)
        assert v.metadata["pipeline_kwargs"] == {}  # overlap_history etc. are vidkit's choice
        np.testing.assert_array_equal(_gen(df, video=src, extend=extend, seed=1).frames, v.frames)
    odd = _gen(df, video=src, extend=6, seed=1)
    assert odd.metadata["extension"]["new_frames"] == 8
    assert any("extend=6 changed to 8" in a for a in odd.metadata["adjustments"])


def test_extend_from_a_diffusion_forcing_t2v_pipeline():
    from diffusers import SkyReelsV2DiffusionForcingPipeline

    from vidkit.sampling import VideoPipeline

    df = tiny_task_pipeline("skyreels-v2-df")
    t2v = SkyReelsV2DiffusionForcingPipeline(**df.pipeline.components)
    t2v.set_progress_bar_config(disable=True)
    vp = VideoPipeline(t2v, family=df.family, defaults=df.defaults, call_defaults=df.call_defaults)
    src = vk.testing.smooth_video(12, 16, 16, fps=16)
    v = _gen(vp, video=src, extend=8, seed=1)
    assert v.metadata["pipeline"] == "SkyReelsV2DiffusionForcingVideoToVideoPipeline"
    assert v.metadata["task"] == "v2v" and v.num_frames == 12 + 9 + 8
    np.testing.assert_array_equal(v.frames, _gen(df, video=src, extend=8, seed=1).frames)


def test_extend_errors(ltx):
    t2v = vk.testing.tiny_pipeline("wan", "t2v")
    src = _clip()
    with pytest.raises(ValueError, match="cannot extend a video"):
        vk.generate(t2v, "x", video=src, extend=4, progress=False)
    with pytest.raises(ValueError, match="needs the video to continue"):
        vk.generate(ltx, "x", extend=4, progress=False)
    with pytest.raises(ValueError, match="extend must be >= 1"):
        vk.generate(ltx, "x", video=src, extend=0, progress=False)
    with pytest.raises(TypeError, match="extend must be a positive integer"):
        vk.generate(ltx, "x", video=src, extend=2.5, progress=False)
    with pytest.raises(ValueError, match="do not pass num_frames"):
        vk.generate(ltx, "x", video=src, extend=4, num_frames=17, progress=False)


# ----------------------------------------------------------------------------- control
def test_vace_control_video_mask_reference(vace):
    src = _clip()
    mask = np.zeros((20, 20), bool)
    mask[:, 10:] = True  # generate the right half, keep the left half of the control video
    v = _gen(vace, control_video=src, mask=mask, reference_images=[src[0]], seed=7)
    assert v.shape == (9, 16, 16, 3)
    m = v.metadata
    assert m["task"] == "control" and m["mode"] == "control"
    assert m["pipeline"] == "WanVACEPipeline"
    assert m["mode_inputs"]["control_video"] == "Video(12 frames, 20x20, fps=12)"
    assert len(m["mode_inputs"]["reference_images"]) == 1
    notes = " | ".join(m["adjustments"])
    assert "video of 12 frames resampled to 9" in notes and "mask of 20x20" in notes
    assert "reference image 0 of 20x20 fitted inside 16x16" in notes
    again = _gen(vace, control_video=src, mask=mask, reference_images=[src[0]], seed=7)
    np.testing.assert_array_equal(v.frames, again.frames)
    no_ref = _gen(vace, control_video=src, mask=mask, seed=7)
    assert not np.array_equal(no_ref.frames, v.frames)  # the reference conditions the result


def test_vace_per_frame_mask_and_seeds(vace):
    src = _clip(9, 16, 16)
    masks = np.ones((9, 16, 16), np.float32)
    masks[0] = 0  # keep the first frame
    vs = _gen(vace, control_video=src, mask=masks, seed=[1, 2])
    assert [v.metadata["seed"] for v in vs] == [1, 2] and vs[0].shape == (9, 16, 16, 3)
    assert not np.array_equal(vs[0].frames, vs[1].frames)
    soft = _gen(vace, control_video=src, mask=masks * 0.7, seed=1)
    assert any("binarized" in a for a in soft.metadata["adjustments"])


def test_cogvideox_fun_control(fun):
    src = _clip(10, 16, 16)
    v = _gen(fun, control_video=src, seed=0)
    assert v.shape == (9, 16, 16, 3)  # 4k+1
    assert v.metadata["pipeline"] == "CogVideoXFunControlPipeline"
    assert v.metadata["mode"] == "control"
    with pytest.raises(ValueError, match="takes control_video= only"):
        vk.generate(fun, "x", control_video=src, mask=np.ones((16, 16)), progress=False)


def test_control_errors(vace, ltx):
    src = _clip()
    with pytest.raises(ValueError, match="takes no control inputs"):
        vk.generate(ltx, "x", control_video=src, progress=False)
    with pytest.raises(ValueError, match="pass control_video too"):
        vk.generate(vace, "x", mask=np.ones((16, 16)), progress=False)
    with pytest.raises(ValueError, match="mask values must be in"):
        vk.generate(vace, "x", control_video=src, mask=np.full((16, 16), 2.0), progress=False)
    with pytest.raises(ValueError, match="not image=/video="):
        vk.generate(vace, "x", image=src[0], control_video=src, progress=False)


def test_registry_of_tiny_task_pipelines():
    assert set(TINY_TASK_PIPELINES) == {
        "wan-flf2v",
        "wan-vace",
        "cogvideox-fun-control",
        "skyreels-v2-df",
    }
    with pytest.raises(ValueError, match="available"):
        tiny_task_pipeline("nope")


def test_docstring_examples_of_testing_tasks():
    import doctest

    import vidkit.testing_tasks

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = doctest.testmod(vidkit.testing_tasks, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 4 and result.failed == 0
