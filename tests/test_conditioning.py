"""Conditioning preparation: frame rules, sizes, images and videos in any form."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from PIL import Image

import vidkit as vk
from vidkit.sampling import family_for
from vidkit.sampling.conditioning import (
    describe,
    fit_frames,
    fit_size,
    prepare_image,
    prepare_prompts,
    prepare_video,
    target_size,
    to_image,
)

WAN, LTX, COG, SVD = (family_for(n) for n in ("wan", "ltx", "cogvideox", "svd"))


def test_fit_frames_rules_and_warnings():
    notes: list[str] = []
    with pytest.warns(UserWarning, match=r"num_frames=50 changed to 49: wan models need 4k\+1"):
        assert fit_frames(50, WAN, notes=notes) == 49
    assert notes == ["num_frames=50 changed to 49: wan models need 4k+1 frames"]
    with pytest.warns(UserWarning, match=r"8k\+1"):
        assert fit_frames(20, LTX) == 17
    with pytest.warns(UserWarning):
        assert fit_frames(47, COG) == 49
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # valid counts pass silently
        assert fit_frames(81, WAN) == 81 and fit_frames(161, LTX) == 161
        assert fit_frames(14, SVD) == 14
    with pytest.raises(ValueError, match="num_frames must be >= 1, got 0"):
        fit_frames(0, WAN)
    with pytest.raises(TypeError, match="num_frames must be an integer, got 9.0"):
        fit_frames(9.0, WAN)


def test_fit_size():
    with pytest.warns(UserWarning, match=r"size 100x700 changed to 96x704: ltx .* multiples of 32"):
        assert fit_size(100, 700, LTX) == (96, 704)
    assert fit_size(480, 832, WAN) == (480, 832)
    with pytest.raises(TypeError, match="height must be an integer"):
        fit_size(1.5, 16, WAN)


def test_target_size_follows_source_orientation():
    d = {"height": 480, "width": 832}
    assert target_size(None, None, d) == (480, 832)
    assert target_size(None, None, d, source_hw=(900, 500)) == (832, 480)  # portrait source
    assert target_size(None, None, d, source_hw=(500, 900)) == (480, 832)
    assert target_size(240, None, d) == (240, 416)
    assert target_size(64, 96, d, source_hw=(900, 500)) == (64, 96)  # given sizes win


def test_to_image_accepts_every_form(tmp_path):
    rgb = np.zeros((6, 10, 3), np.uint8)
    rgb[:, :, 0] = 200
    path = tmp_path / "img.png"
    Image.fromarray(rgb).save(path)
    forms = [
        path,
        str(path),
        Image.fromarray(rgb),
        Image.fromarray(rgb).convert("RGBA"),
        rgb,
        rgb.astype(np.float32) / 255,
        torch.from_numpy(rgb).permute(2, 0, 1).float() / 255,
        vk.Video(np.stack([rgb, rgb // 2])),  # frame 0 of a Video
    ]
    for f in forms:
        im = to_image(f)
        assert im.mode == "RGB" and im.size == (10, 6)
        assert np.asarray(im)[0, 0].tolist() == [200, 0, 0], type(f)
    v = vk.Video(np.stack([rgb, rgb // 2]))
    assert np.asarray(to_image(v, frame=1))[0, 0, 0] == 100


def test_to_image_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="image file not found"):
        to_image(tmp_path / "nope.png")
    with pytest.raises(ValueError, match=r"an image must be one frame \[H, W, C\], got ndarray"):
        to_image(np.zeros((2, 4, 4, 3), np.uint8))
    with pytest.raises(ValueError, match=r"float image values must be in \[0, 1\], got \[2, 2\]"):
        to_image(np.full((4, 4, 3), 2.0, np.float32))
    with pytest.raises(ValueError, match=r"an image tensor must be \[C, H, W\]"):
        to_image(torch.zeros(5, 4, 4))
    with pytest.raises(TypeError, match="cannot use int as an image"):
        to_image(3)


def test_prepare_image_covers_and_center_crops():
    img = np.zeros((20, 40, 3), np.uint8)
    img[:, 10:30] = 255  # white middle half; black left/right quarters
    notes: list[str] = []
    with pytest.warns(UserWarning, match=r"image of 20x40 resized and center-cropped to 16x16"):
        out = prepare_image(img, 16, 16, notes=notes)
    assert out.size == (16, 16) and len(notes) == 1
    arr = np.asarray(out)
    assert arr[:, 2:14].min() >= 250  # the kept middle is white (antialiased edges aside)
    # same aspect: plain resize, no warning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        same = prepare_image(img, 10, 20)
    assert same.size == (20, 10)
    exact = Image.fromarray(img)
    assert prepare_image(exact, 20, 40) is not None and prepare_image(exact, 20, 40).size == (
        40,
        20,
    )


def test_prepare_video_resamples_to_allowed_frame_counts():
    frames = np.stack([np.full((24, 32, 3), i / 10, np.float32) for i in range(11)])
    v = vk.Video(frames, fps=10)
    with pytest.warns(
        UserWarning, match=r"video of 11 frames resampled to 9: wan models need 4k\+1"
    ):
        out = prepare_video(v, 16, 16, WAN)
    assert out.shape == (9, 16, 16, 3)
    assert out.frames[0].mean() == pytest.approx(0.0) and out.frames[-1].mean() == pytest.approx(
        1.0
    )
    with pytest.warns(UserWarning, match="resampled to 5 frames"):
        assert prepare_video(v, 16, 16, WAN, num_frames=5).num_frames == 5
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert prepare_video(v, 32, 32, LTX).num_frames == 9  # 11 -> 9 (8k+1, drop, not repeat)
    pil = [Image.fromarray(np.zeros((16, 16, 3), np.uint8))] * 9
    assert prepare_video(pil, 16, 16, WAN).shape == (9, 16, 16, 3)
    with pytest.raises(TypeError, match="a video list must hold PIL images"):
        prepare_video([np.zeros((4, 4, 3))], 16, 16, WAN)


def test_prepare_prompts_and_describe():
    assert prepare_prompts("a", required=True) == ["a"]
    assert prepare_prompts(["a", "b"], required=True) == ["a", "b"]
    assert prepare_prompts(None, required=False) == [None]
    with pytest.raises(ValueError, match="needs a text prompt"):
        prepare_prompts(None, required=True)
    with pytest.raises(TypeError, match="non-empty list of strings"):
        prepare_prompts(["a", 1], required=True)
    assert describe(vk.Video(np.zeros((3, 4, 5, 3)), fps=6)) == "Video(3 frames, 4x5, fps=6)"
    assert describe(Image.new("RGB", (5, 4))) == "PIL.Image(4x5, RGB)"
