"""The Video type: every conversion form, the helpers, and clear errors for bad input."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from PIL import Image

import vidkit as vk
from vidkit import Video, VideoError


@pytest.fixture
def frames(rng: np.random.Generator) -> np.ndarray:
    """float32 [T=5, H=6, W=7, 3] in [0, 1], on the uint8 grid (so uint8 round trips are exact)."""
    return (rng.integers(0, 256, (5, 6, 7, 3)) / 255.0).astype(np.float32)


# --------------------------------------------------------------------------- numpy forms
@pytest.mark.parametrize(
    "layout, axes", [("THWC", (0, 1, 2, 3)), ("TCHW", (0, 3, 1, 2)), ("CTHW", (3, 0, 1, 2))]
)
def test_numpy_layouts_round_trip(frames: np.ndarray, layout: str, axes: tuple) -> None:
    arr = frames.transpose(axes)
    v = Video.from_numpy(arr, layout=layout, fps=5)
    assert v.shape == (5, 6, 7, 3) and v.fps == 5.0
    np.testing.assert_array_equal(v.frames, frames)
    np.testing.assert_array_equal(v.to_numpy(layout), arr)
    assert v.to_numpy(layout).shape == arr.shape


def test_uint8_in_and_out(frames: np.ndarray) -> None:
    u8 = np.round(frames * 255).astype(np.uint8)
    v = Video(u8)
    assert v.frames.dtype == np.float32
    np.testing.assert_allclose(v.frames, frames, atol=1e-6)
    np.testing.assert_array_equal(v.uint8, u8)
    np.testing.assert_array_equal(v.to_numpy("TCHW", np.uint8), u8.transpose(0, 3, 1, 2))


def test_value_ranges_explicit(frames: np.ndarray) -> None:
    v = Video.from_numpy(frames * 2 - 1, value_range=(-1, 1))
    np.testing.assert_allclose(v.frames, frames, atol=1e-6)
    np.testing.assert_allclose(v.to_numpy(value_range=(-1, 1)), frames * 2 - 1, atol=1e-6)
    w = Video.from_numpy(frames * 255.0, value_range=(0, 255))
    np.testing.assert_allclose(w.frames, frames, atol=1e-6)
    np.testing.assert_allclose(w.to_numpy(value_range=(0, 255)), frames * 255, atol=1e-4)
    # uint8 with the (0, 255) range stated is fine; any other range is not
    Video.from_numpy(np.zeros((1, 2, 2, 3), np.uint8), value_range=(0, 255))
    with pytest.raises(ValueError, match="uint8 frames are always full range"):
        Video.from_numpy(np.zeros((1, 2, 2, 3), np.uint8), value_range=(-1, 1))


def test_floats_outside_range_need_value_range(frames: np.ndarray) -> None:
    with pytest.raises(ValueError, match=r"value_range=\(-1, 1\)"):
        Video(frames * 2 - 1)
    with pytest.raises(ValueError, match=r"value_range=\(0, 255\)"):
        Video(frames * 255)
    with pytest.raises(
        ValueError, match=r"values in \[.*\] but the declared value_range is \(-1, 1\)"
    ):
        Video.from_numpy(frames * 5, value_range=(-1, 1))
    with pytest.raises(ValueError, match="low < high"):
        Video.from_numpy(frames, value_range=(1, 0))
    with pytest.raises(ValueError, match="value_range must be a pair"):
        Video.from_numpy(frames, value_range="0-1")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- torch forms
@pytest.mark.parametrize("layout, axes", [("TCHW", (0, 3, 1, 2)), ("CTHW", (3, 0, 1, 2))])
def test_torch_round_trip(frames: np.ndarray, layout: str, axes: tuple) -> None:
    t = torch.from_numpy(frames.transpose(axes).copy())
    v = Video.from_torch(t, layout=layout)
    np.testing.assert_array_equal(v.frames, frames)
    back = v.to_torch(layout)
    assert back.dtype == torch.float32 and torch.equal(back, t)
    pm1 = v.to_torch(layout, value_range=(-1, 1))
    np.testing.assert_allclose(pm1.numpy(), frames.transpose(axes) * 2 - 1, atol=1e-6)
    assert torch.equal(
        v.to_torch(layout, dtype=torch.uint8), torch.from_numpy(v.to_numpy(layout, np.uint8))
    )
    half = Video.from_torch(t.half(), layout=layout)
    np.testing.assert_allclose(half.frames, frames, atol=1e-3)
    one = Video.from_torch(t[None], layout=layout)  # a batch of one is accepted
    np.testing.assert_array_equal(one.frames, frames)


def test_torch_errors(frames: np.ndarray) -> None:
    t = torch.from_numpy(frames.transpose(0, 3, 1, 2).copy())
    with pytest.raises(ValueError, match="batch.*vk.unstack"):
        Video.from_torch(torch.stack([t, t]))
    with pytest.raises(TypeError, match="Video.from_torch"):
        Video(t)
    with pytest.raises(TypeError, match="expected a torch tensor, got ndarray"):
        Video.from_torch(frames)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="layout must be one of"):
        Video.from_torch(t, layout="HWTC")
    with pytest.raises(TypeError, match=r"uint8 \(values 0..255\) or a float dtype"):
        Video(frames).to_torch(dtype=torch.int64)


# --------------------------------------------------------------------------- batches
@pytest.mark.parametrize(
    "layout, shape",
    [("BTCHW", (2, 5, 3, 6, 7)), ("BCTHW", (2, 3, 5, 6, 7)), ("BTHWC", (2, 5, 6, 7, 3))],
)
def test_stack_unstack(frames: np.ndarray, layout: str, shape: tuple) -> None:
    a, b = Video(frames), Video(frames[::-1].copy())
    batch = vk.stack([a, b], layout)
    assert isinstance(batch, torch.Tensor) and tuple(batch.shape) == shape
    back = vk.unstack(batch, layout)
    assert back[0] == a and back[1] == b
    pm1 = vk.stack([a, b], layout, value_range=(-1, 1), as_numpy=True)
    assert isinstance(pm1, np.ndarray) and pm1.min() < 0
    again = vk.unstack(pm1, layout, value_range=(-1, 1), fps=4, metadata={"k": 1})
    np.testing.assert_allclose(again[1].frames, b.frames, atol=1e-6)
    assert again[0].fps == 4 and again[0].metadata == {"k": 1}
    u8 = vk.stack([a, b], layout, dtype=torch.uint8)
    assert u8.dtype == torch.uint8 and vk.unstack(u8, layout)[0] == a
    assert vk.stack([a], layout, dtype=torch.float16).dtype == torch.float16


def test_stack_concat_errors(frames: np.ndarray) -> None:
    a = Video(frames)
    small = a.resize(4, 4)
    with pytest.raises(ValueError, match=r"video 1 has shape \(5, 4, 4, 3\).*\(5, 6, 7, 3\)"):
        vk.stack([a, small])
    with pytest.raises(ValueError, match="video 1 has frames 4x4, video 0 has 6x7"):
        vk.concat([a, small])
    with pytest.raises(TypeError, match="item 1 is ndarray, expected a Video"):
        vk.stack([a, frames])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="item 0 is ndarray"):
        vk.concat([frames])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="at least one video"):
        vk.stack([])
    with pytest.raises(ValueError, match="at least one video"):
        vk.concat([])
    with pytest.raises(ValueError, match="5 dimensions"):
        vk.unstack(np.zeros((2, 3, 4, 4), np.float32))
    with pytest.raises(ValueError, match="layout must be one of"):
        vk.stack([a], "TCHW")


# --------------------------------------------------------------------------- PIL and pipelines
def test_pil_round_trip(frames: np.ndarray) -> None:
    v = Video(frames, fps=3)
    images = v.to_pil()
    assert len(images) == 5 and images[0].size == (7, 6) and images[0].mode == "RGB"
    back = Video.from_pil(images, fps=3)
    assert back == v
    gray = [im.convert("L") for im in images]
    g = Video.from_pil(gray)
    np.testing.assert_array_equal(g.frames[..., 0], g.frames[..., 2])
    assert vk.as_video(images) == Video(frames)  # as_video: a list of PIL images is one video


def test_pil_errors() -> None:
    with pytest.raises(ValueError, match="empty list"):
        Video.from_pil([])
    with pytest.raises(ValueError, match=r"image 1 has size \(4, 4\), image 0 has \(8, 6\)"):
        Video.from_pil([Image.new("RGB", (8, 6)), Image.new("RGB", (4, 4))])
    with pytest.raises(TypeError, match="item 1 is ndarray, expected a PIL.Image"):
        Video.from_pil([Image.new("RGB", (8, 6)), np.zeros((6, 8, 3))])  # type: ignore[list-item]


def test_pipeline_outputs(frames: np.ndarray) -> None:
    from diffusers.pipelines.wan.pipeline_output import WanPipelineOutput

    batch = np.stack([frames, frames[::-1]])  # output_type="np": [B, F, H, W, 3]
    vids = Video.from_pipeline_output(WanPipelineOutput(frames=batch), fps=16)
    assert len(vids) == 2 and vids[1].fps == 16
    np.testing.assert_array_equal(vids[1].frames, frames[::-1])

    pt = torch.from_numpy(batch.transpose(0, 1, 4, 2, 3).copy())  # output_type="pt": BFCHW
    v0 = Video.from_pipeline_output(WanPipelineOutput(frames=pt), index=0)
    np.testing.assert_array_equal(v0.frames, frames)
    pt_ct = pt.permute(0, 2, 1, 3, 4)  # some models give [B, C, F, H, W]: say so with layout
    last = Video.from_pipeline_output(pt_ct, layout="BCTHW", index=-1)
    np.testing.assert_array_equal(last.frames, frames[::-1])

    pil = [Video(frames).to_pil(), Video(frames[::-1].copy()).to_pil()]  # "pil": list of lists
    out = Video.from_pipeline_output(WanPipelineOutput(frames=pil), fps=16)  # type: ignore[arg-type]
    assert [o == v for o, v in zip(out, vids)] == [True, True]
    # a (frames,) tuple from return_dict=False, and a bare 4-dim array (batch of one)
    assert Video.from_pipeline_output((batch,), index=0, fps=16) == vids[0]
    assert Video.from_pipeline_output(frames, fps=16)[0] == vids[0]

    with pytest.raises(IndexError, match="index 2 out of range for 2 videos"):
        Video.from_pipeline_output(batch, index=2)
    with pytest.raises(ValueError, match=r"batch \[B, F, \.\.\.\] of 5 dims"):
        Video.from_pipeline_output(np.zeros((2, 2, 2, 2, 2, 3)))
    with pytest.raises(TypeError, match="unrecognised pipeline output"):
        Video.from_pipeline_output(WanPipelineOutput(frames="oops"))  # type: ignore[arg-type]


# --------------------------------------------------------------------------- resize / crop / time
def test_resize_antialias_checkerboard() -> None:
    yy, xx = np.mgrid[:64, :64]
    board = ((yy + xx) % 2).astype(np.float32)
    v = Video(np.repeat(board[None, ..., None], 3, axis=-1).repeat(2, axis=0))
    small = v.resize(16, 16)
    assert small.shape == (2, 16, 16, 3)
    assert abs(float(small.frames.mean()) - 0.5) < 0.01
    assert float(small.frames.std()) < 0.02  # flat grey, no aliasing pattern
    aliased = v.resize(16, 16, mode="nearest")  # what the antialias protects against
    assert abs(float(aliased.frames.mean()) - 0.5) > 0.4  # all black or all white
    stripes = Video(np.repeat(((xx // 3) % 2).astype(np.float32)[None, ..., None], 3, -1))
    assert float(stripes.resize(16, 16).frames.std()) < 0.5 * float(
        stripes.resize(16, 16, antialias=False).frames.std()
    )
    assert v.resize(32).shape == (2, 32, 32, 3)  # width follows the aspect ratio
    assert Video(np.zeros((1, 10, 20, 3))).resize(5).shape == (1, 5, 10, 3)
    assert Video(np.zeros((1, 10, 20, 3))).resize_short_side(4).shape == (1, 4, 8, 3)
    for mode in ("bicubic", "area", "nearest"):
        assert v.resize(8, 8, mode=mode).shape == (2, 8, 8, 3)
    with pytest.raises(ValueError, match="mode must be"):
        v.resize(8, 8, mode="lanczos")
    with pytest.raises(ValueError, match="resize height must be >= 1, got 0"):
        v.resize(0, 8)


def test_center_crop(frames: np.ndarray) -> None:
    v = Video(frames)
    c = v.center_crop(4, 5)
    np.testing.assert_array_equal(c.frames, frames[:, 1:5, 1:6])
    assert v.center_crop(4).shape == (5, 4, 4, 3)
    with pytest.raises(ValueError, match="crop 8x8 does not fit in frames of 6x7"):
        v.center_crop(8)


def test_resample() -> None:
    t = np.arange(8, dtype=np.float32)[:, None, None, None] / 7
    v = Video(np.broadcast_to(t, (8, 2, 2, 3)).copy(), fps=8)
    idx = lambda w: np.round(w.frames[:, 0, 0, 0] * 7).astype(int).tolist()  # noqa: E731
    four = v.resample(4)
    assert idx(four) == [0, 2, 5, 7] and four.fps == 4.0
    assert idx(v.resample(stride=3)) == [0, 3, 6] and v.resample(stride=3).fps == pytest.approx(
        8 / 3
    )
    assert idx(v.resample(stride=2, offset=1)) == [1, 3, 5, 7]
    half = v.resample(fps=4)
    assert idx(half) == [0, 2, 4, 6] and half.fps == 4.0 and half.duration == v.duration
    assert idx(v.resample(fps=16)) == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7]
    assert v.resample(12).num_frames == 12  # more frames than the video: repeats
    with pytest.raises(ValueError, match="exactly one of"):
        v.resample(4, stride=2)
    with pytest.raises(ValueError, match="stride must be >= 1, got 0"):
        v.resample(stride=0)
    with pytest.raises(ValueError, match="offset 9 out of range for 8 frames"):
        v.resample(stride=2, offset=9)
    with pytest.raises(ValueError, match="fps must be a positive number, got -1"):
        v.resample(fps=-1)


def test_concat_and_indexing(frames: np.ndarray) -> None:
    v = Video(frames, fps=5, metadata={"prompt": "p"})
    both = vk.concat([v, v[:2]])
    assert both.num_frames == 7 and both.fps == 5 and both.metadata == {"prompt": "p"}
    np.testing.assert_array_equal(both.frames[5:], frames[:2])
    np.testing.assert_array_equal(v[2], frames[2])
    np.testing.assert_array_equal(v[-1], frames[-1])
    np.testing.assert_array_equal(v[[4, 0, 0]].frames, frames[[4, 0, 0]])
    np.testing.assert_array_equal(v[np.array([1, 3])].frames, frames[[1, 3]])
    assert v[1:3].shape == (2, 6, 7, 3) and v[::2].num_frames == 3
    assert len(v) == 5 and v.duration == 1.0 and len(list(v)) == 5
    assert v.height == 6 and v.width == 7 and v.num_frames == 5
    assert "frames=5" in repr(v) and "prompt" in repr(v)
    with pytest.raises(IndexError, match="frame index 5 out of range for a video of 5 frames"):
        v[5]
    with pytest.raises(IndexError, match=r"frame indices \[0, 9\] out of range for 5 frames"):
        v[[0, 9]]
    with pytest.raises(TypeError, match="frame indices must be integers, got bool"):
        v[np.array([True, False, True, False, True])]
    with pytest.raises(ValueError, match="leaves no frames"):
        v[3:3]
    with pytest.raises(ValueError, match="leaves no frames"):
        v[[]]
    with pytest.raises(TypeError, match=r"indexed by frame only .*v.frames\[\.\.\.\]"):
        v[:, ::2]


def test_metadata_and_copies(frames: np.ndarray) -> None:
    meta = {"seed": 1, "nested": {"a": [1]}}
    v = Video(frames, metadata=meta)
    meta["nested"]["a"].append(2)
    assert v.metadata == {"seed": 1, "nested": {"a": [1]}}  # deep-copied in
    w = v.with_metadata(seed=2)
    assert w.metadata["seed"] == 2 and v.metadata["seed"] == 1
    c = v.copy()
    c.frames[0] = 0
    assert not np.array_equal(c.frames, v.frames)
    assert vk.psnr(v, v) == float("inf")
    assert 10 < vk.psnr(v, Video(np.clip(frames + 0.1, 0, 1))) < 30
    with pytest.raises(ValueError, match="psnr needs equal shapes"):
        vk.psnr(v, v[:2])
    with pytest.raises(TypeError, match="metadata must be a dict, got list"):
        Video(frames, metadata=[1])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="fps must be a positive number, got 0"):
        Video(frames, fps=0)


# --------------------------------------------------------------------------- bad inputs
def test_wrong_ndim_and_channels() -> None:
    with pytest.raises(ValueError, match=r"4 dimensions \(THWC\), got ndarray of shape \(4, 4\)"):
        Video(np.zeros((4, 4), np.float32))
    with pytest.raises(ValueError, match=r"4 dimensions \(TCHW\).*\(1, 2, 3, 4, 5\)"):
        Video.from_numpy(np.zeros((1, 2, 3, 4, 5)), layout="TCHW")
    for c in (2, 5):
        with pytest.raises(ValueError, match=f"frames have {c} channels"):
            Video(np.zeros((2, 4, 4, c), np.float32))
    with pytest.raises(ValueError, match="frames have 5 channels"):
        Video.from_numpy(np.zeros((2, 5, 4, 4)), layout="TCHW")


def test_gray_and_rgba_convert_with_warning() -> None:
    gray = np.linspace(0, 1, 2 * 4 * 4, dtype=np.float32).reshape(2, 4, 4, 1)
    with pytest.warns(UserWarning, match="grayscale"):
        g = Video(gray)
    np.testing.assert_array_equal(g.frames, np.repeat(gray, 3, -1))
    with pytest.warns(UserWarning, match="grayscale"):
        assert Video(gray[..., 0]).shape == (2, 4, 4, 3)  # [T, H, W] is a gray video
    with pytest.warns(UserWarning, match="grayscale"):
        Video.from_torch(torch.from_numpy(gray).permute(0, 3, 1, 2))
    rgba = np.concatenate([np.full((2, 4, 4, 3), 0.25), np.ones((2, 4, 4, 1))], -1)
    with pytest.warns(UserWarning, match="alpha channel was dropped"):
        r = Video(rgba)
    np.testing.assert_allclose(r.frames, 0.25)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Video(np.zeros((1, 4, 4, 3)))  # RGB: no warning


def test_bad_dtypes_and_values() -> None:
    with pytest.raises(TypeError, match="integer frames of dtype int32 are ambiguous"):
        Video(np.zeros((1, 4, 4, 3), np.int32))
    with pytest.raises(TypeError, match="object array"):
        Video(np.array([None, 1], dtype=object))
    with pytest.raises(TypeError, match="unsupported frame dtype complex64"):
        Video(np.zeros((1, 4, 4, 3), np.complex64))
    nan = np.zeros((3, 4, 4, 3), np.float32)
    nan[2, 1, 1, 0] = np.nan
    with pytest.raises(ValueError, match=r"NaN or inf values \(first in frame 2\)"):
        Video(nan)
    inf = np.zeros((3, 4, 4, 3), np.float32)
    inf[1] = np.inf
    with pytest.raises(ValueError, match=r"NaN or inf values \(first in frame 1\)"):
        Video.from_numpy(inf, value_range=(-1, 1))
    with pytest.raises(ValueError, match=r"the video is empty \(0 frames\)"):
        Video(np.zeros((0, 4, 4, 3), np.float32))
    with pytest.raises(ValueError, match="zero height or width"):
        Video(np.zeros((2, 0, 4, 3), np.float32))
    with pytest.raises(TypeError, match="from_numpy expects a numpy array, got list"):
        Video.from_numpy([[1]])  # type: ignore[arg-type]
    with pytest.raises(
        TypeError, match=r"dtype must be uint8 \(values 0..255\) or a float dtype .*got int16"
    ):
        Video(np.zeros((1, 4, 4, 3))).to_numpy(dtype=np.int16)
    # uint16 is full range 0..65535, bool is 0/1
    assert Video(np.full((1, 2, 2, 3), 65535, np.uint16)).frames.min() == 1.0
    assert Video(np.ones((1, 2, 2, 3), bool)).frames.max() == 1.0


def test_as_video_dispatch(frames: np.ndarray) -> None:
    v = Video(frames)
    assert vk.as_video(v) is v
    assert vk.as_video(frames, fps=3).fps == 3
    t = torch.from_numpy(frames.transpose(0, 3, 1, 2).copy())
    assert vk.as_video(t) == v  # torch default layout TCHW
    pm1 = vk.as_video(frames * 2 - 1, value_range=(-1, 1))
    np.testing.assert_allclose(pm1.frames, frames, atol=1e-6)
    with pytest.raises(TypeError, match="cannot convert dict to a Video"):
        vk.as_video({"a": 1})
    assert issubclass(VideoError, ValueError)
