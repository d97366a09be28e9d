"""Audio tracks: Video.with_audio, the operations that keep or cut them, mp4/webm muxing, vk.show."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import vidkit as vk
from vidkit.errors import VideoError


def _tone(freq: float, seconds: float, sr: int, channels: int = 1) -> np.ndarray:
    t = np.arange(int(round(seconds * sr))) / sr
    return np.stack([0.5 * np.sin(2 * np.pi * freq * (c + 1) * t) for c in range(channels)])


def _peak_hz(samples: np.ndarray, sr: int) -> float:
    spec = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float(np.fft.rfftfreq(len(samples), 1 / sr)[spec.argmax()])


def _video(n: int = 16, fps: float = 8.0) -> vk.Video:
    return vk.Video(np.random.default_rng(0).random((n, 16, 16, 3)), fps=fps)


@pytest.mark.parametrize("ext", ["mp4", "webm", "mkv"])
@pytest.mark.parametrize("sr", [16000, 44100])
def test_sine_round_trip(tmp_path, ext, sr):
    v = _video().with_audio(_tone(440, 2.0, sr, channels=2), sr)
    w = vk.read_video(vk.write_video(tmp_path / f"tone.{ext}", v))
    assert w.sample_rate == sr and w.audio.shape == (2, 2 * sr)
    assert w.audio.dtype == np.float32 and np.abs(w.audio).max() <= 1.0
    assert abs(_peak_hz(w.audio[0], sr) - 440) < 2 and abs(_peak_hz(w.audio[1], sr) - 880) < 2
    assert abs(w.audio.shape[1] / sr - w.duration) < 0.01
    # lossy but aligned: no shift between the written and the read samples
    mid = slice(sr // 4, 7 * sr // 4)
    assert np.corrcoef(w.audio[0, mid], v.audio[0, mid])[0, 1] > 0.99
    assert vk.read_video(tmp_path / f"tone.{ext}", audio=False).audio is None


def test_read_frames_cuts_audio(tmp_path):
    sr = 16000
    v = _video().with_audio(_tone(300, 2.0, sr), sr)
    path = vk.write_video(tmp_path / "a.mp4", v)
    part = vk.read_video(path, frames=slice(4, 12))
    assert part.audio.shape == (1, sr)  # frames 4..11 at 8 fps: one second
    assert vk.read_video(path, frames=[0, 5]).audio is None  # not a contiguous range
    assert vk.read_video(path, fps=4).audio.shape == (1, 2 * sr)  # the whole timeline
    assert vk.read_video(vk.write_video(tmp_path / "b.mp4", _video())).audio is None


def test_slicing_and_operations_keep_the_timeline():
    sr = 8000
    v = _video().with_audio(np.linspace(-1, 1, 2 * sr), sr)
    part = v[4:12]
    np.testing.assert_array_equal(part.audio, v.audio[:, sr // 2 : sr // 2 + sr])
    assert v[:-4].audio.shape == (1, int(1.5 * sr))
    assert not v[::2].has_audio and not v[[0, 3]].has_audio  # timeline changed: dropped
    for w in (v.resize(32, 32), v.center_crop(8), v.resample(8), v.resample(fps=4), v.copy()):
        assert w.sample_rate == sr and np.array_equal(w.audio, v.audio)
    assert w.audio is not v.audio  # copy() copies the samples
    assert v.with_metadata(seed=1).has_audio and not v.without_audio().has_audio
    joined = vk.concat([v, _video(8)])  # the silent part gets silence
    assert joined.audio.shape == (1, 3 * sr) and not joined.audio[0, 2 * sr :].any()
    assert v != v.without_audio() and v == v.copy()
    assert "audio=1ch 8000 Hz" in repr(v)


@pytest.mark.parametrize(
    "samples, sr, match",
    [
        (np.zeros((2, 3, 4)), 8000, r"\[channels, n\]"),
        (np.zeros((100, 2)), 8000, "transpose"),
        (np.array([0.0, np.nan, 0.1]), 8000, "NaN"),
        (np.array([0.0, 1.5]), 8000, r"\[-1, 1\]"),
        (np.zeros(10), 0, "positive integer"),
        (np.zeros(10), -16000, "positive integer"),
        (np.zeros(10), 44100.5, "positive integer"),
        (np.zeros((1, 0)), 8000, "n >= 1"),
    ],
)
def test_bad_audio_is_refused(samples, sr, match):
    with pytest.raises(VideoError, match=match):
        _video().with_audio(samples, sr)


def test_bad_audio_types():
    with pytest.raises(TypeError, match="floats"):
        _video().with_audio(np.zeros(10, np.int16), 8000)
    with pytest.raises(TypeError, match="sample_rate"):
        _video().with_audio(np.zeros(10), "16k")


def test_torch_samples_and_mono_shape():
    torch = pytest.importorskip("torch")
    v = _video().with_audio(torch.zeros(1000), 8000)
    assert v.audio.shape == (1, 1000) and v.audio.dtype == np.float32


def test_gif_warns_that_audio_is_dropped(tmp_path):
    v = _video(4).with_audio(np.zeros(4000), 8000)
    with pytest.warns(UserWarning, match="cannot hold audio"):
        vk.write_video(tmp_path / "a.gif", v)


def test_show_plays_sound():
    v = _video(8).with_audio(_tone(440, 1.0, 16000), 16000)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loud = vk.show(v, return_html=True)
        quiet = vk.show(v, return_html=True, muted=True)
        gif = vk.show(v, return_html=True, codec="gif")
    assert "muted" not in loud and "autoplay" not in loud and "sound" in loud
    assert "autoplay loop muted" in quiet and "sound" not in quiet
    assert "<img" in gif
    assert len(loud) > len(quiet)  # the AAC track is in the data URI
    assert "autoplay loop muted" in vk.show(_video(8), return_html=True)  # no audio: as before
    with pytest.raises(TypeError, match="muted"):
        vk.show(v, muted="yes", return_html=True)


def test_ltx2_audio_output_is_attached_to_the_generated_video(tmp_path) -> None:
    """LTX-2 makes audio and video together: vk.generate attaches the vocoder's waveform to the
    Video (sample rate from the vocoder), records it in metadata, and write_video muxes it."""
    from vidkit.testing import tiny_pipeline

    pipe = tiny_pipeline("ltx2", "t2v")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = vk.generate(pipe, prompt="a ball", seed=0, progress=False)
    rate = pipe.pipeline.vocoder.config.output_sampling_rate
    assert out.audio is not None and out.sample_rate == rate
    assert out.audio.ndim == 2 and out.audio.shape[1] > 0 and np.isfinite(out.audio).all()
    assert out.metadata["audio"] == {"sample_rate": rate, "channels": out.audio.shape[0]}
    back = vk.read_video(vk.write_video(tmp_path / "ltx2.mp4", out))
    assert back.audio is not None and back.sample_rate == rate
