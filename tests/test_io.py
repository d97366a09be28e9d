"""Reading and writing videos: round trips per format, frame selection, atomic writes, errors."""

from __future__ import annotations

import json
import os
import wave
from pathlib import Path

import av
import numpy as np
import pytest

import vidkit as vk
import vidkit.io as vio
import vidkit.io.container as vcontainer
import vidkit.io.frame_folder as vframes
from vidkit import Video, VideoError


def smooth_scene(t: int = 24, h: int = 48, w: int = 64, fps: float = 12.0) -> Video:
    return vk.testing.smooth_video(t, h, w, fps)


def grid_video(t: int = 6, h: int = 10, w: int = 14, seed: int = 0) -> Video:
    """Random frames on the uint8 grid (lossless formats must give them back exactly)."""
    rng = np.random.default_rng(seed)
    return Video(rng.integers(0, 256, (t, h, w, 3), dtype=np.uint8), fps=6)


def indexed_video(t: int, size: int = 16) -> Video:
    """Each frame a flat colour that encodes its index (robust to lossy coding)."""
    k = np.arange(t)  # three base-9 digits: up to 729 frames
    colours = np.stack([k % 9, k // 9 % 9, k // 81 % 9], -1).astype(np.float32) / 8
    return Video(np.broadcast_to(colours[:, None, None], (t, size, size, 3)).copy(), fps=24)


def decoded_index(v: Video) -> list[int]:
    c = np.round(v.frames[:, 8, 8] * 8).astype(int)
    return (c[:, 0] + 9 * c[:, 1] + 81 * c[:, 2]).tolist()


# --------------------------------------------------------------------------- round trips
def test_mp4_round_trip_quality_fps_metadata(tmp_path: Path) -> None:
    v = smooth_scene()
    out = vk.write_video(tmp_path / "a.mp4", v)
    assert out == tmp_path / "a.mp4" and out.is_file()
    w = vk.read_video(out)
    assert w.shape == v.shape and w.fps == 12.0
    assert w.metadata == {"scene": "smooth", "seed": 0}
    assert vk.psnr(v, w) >= 35.0
    info = vk.probe_video(out)
    assert info["codec"] == "h264" and info["pix_fmt"] == "yuv420p"
    assert (info["frames"], info["fps"], info["size"]) == (24, 12.0, (48, 64))
    assert info["duration"] == pytest.approx(2.0)
    # a lower crf gives a bigger, better file
    hq = vk.write_video(tmp_path / "hq.mp4", v, crf=4)
    assert hq.stat().st_size > out.stat().st_size
    assert vk.psnr(v, vk.read_video(hq)) > vk.psnr(v, w)


def test_mp4_synth_scene(tmp_path: Path) -> None:
    synth = pytest.importorskip("vidkit.synth")
    v = synth.render("bounce", seed=0).video
    w = vk.read_video(vk.write_video(tmp_path / "bounce.mp4", v))
    assert w.shape == v.shape and w.fps == v.fps
    assert vk.psnr(v, w) >= 35.0


def test_mp4_odd_size_padded_and_cropped_back(tmp_path: Path) -> None:
    v = smooth_scene(8, 33, 47)
    path = vk.write_video(tmp_path / "odd.mp4", v)
    with av.open(str(path)) as c:  # in the file: padded to even (yuv420p needs it)
        cc = c.streams.video[0].codec_context
        assert (cc.height, cc.width) == (34, 48)
    w = vk.read_video(path)
    assert w.shape == (8, 33, 47, 3)
    assert vk.psnr(v, w) >= 32.0
    assert vk.probe_video(path)["size"] == (33, 47)


def test_webm_round_trip(tmp_path: Path) -> None:
    v = smooth_scene()
    path = vk.write_video(tmp_path / "a.webm", v)
    w = vk.read_video(path)
    assert w.shape == v.shape and w.fps == 12.0 and w.metadata == v.metadata
    assert vk.psnr(v, w) >= 35.0
    info = vk.probe_video(path)
    assert info["codec"] == "vp9" and info["frames"] == 24


def test_gif_round_trip(tmp_path: Path) -> None:
    v = smooth_scene(fps=12.0)  # 1/12 s is not a whole number of GIF centiseconds
    path = vk.write_video(tmp_path / "a.gif", v)
    w = vk.read_video(path)
    assert w.shape == v.shape and w.fps == 12.0 and w.metadata == v.metadata
    assert vk.psnr(v, w) >= 30.0  # 256-colour palette per frame
    assert vk.probe_video(path)["frames"] == 24
    assert vk.read_video(path, frames=[20, 3, 3]) == w[[20, 3, 3]]


def test_gif_keeps_repeated_frames(tmp_path: Path) -> None:
    # the GIF encoder merges identical consecutive frames; the reader restores the timeline
    base = grid_video(3, 8, 8).frames
    v = Video(base[[0, 0, 0, 1, 1, 2]], fps=10)
    w = vk.read_video(vk.write_video(tmp_path / "rep.gif", v))
    assert w.num_frames == 6
    pattern = [int(np.argmin([np.abs(f - b).mean() for b in base])) for f in w.frames]
    assert pattern == [0, 0, 0, 1, 1, 2]
    still = vk.read_video(vk.write_video(tmp_path / "still.gif", Video(base[[1] * 5], fps=4)))
    assert still.num_frames == 5 and still.fps == 4


def test_png_folder_exact(tmp_path: Path) -> None:
    v = grid_video().with_metadata(prompt="a cat", params={"steps": 4})
    path = vk.write_video(str(tmp_path / "frames") + "/", v)
    names = sorted(p.name for p in path.iterdir())
    assert names == [f"{i:06d}.png" for i in range(6)] + ["vidkit.json"]
    assert json.loads((path / "vidkit.json").read_text())["fps"] == 6
    w = vk.read_video(path)  # an existing folder needs no trailing slash
    assert w == v and w.metadata == v.metadata
    assert vk.read_video(path, frames=[5, 1]) == v[[5, 1]]
    info = vk.probe_video(path)
    assert (info["format"], info["frames"], info["size"]) == ("frames", 6, (10, 14))
    # overwriting a frame folder replaces all of it (fewer frames: no stale files left)
    vk.write_video(path, v[:2])
    assert vk.read_video(path) == v[:2]
    assert len(list(path.glob("*.png"))) == 2


def test_png_folder_written_by_others(tmp_path: Path) -> None:
    from PIL import Image

    v = grid_video(4, 8, 8)
    for i, im in enumerate(v.to_pil()):
        im.save(tmp_path / f"{i * 10}.png")  # unpadded, non-contiguous numbers: numeric order
    Image.new("RGB", (8, 8)).save(tmp_path / "thumbnail.png")  # not a frame: ignored
    w = vk.read_video(tmp_path)
    assert w == Video(v.frames, fps=vk.video.DEFAULT_FPS)


def test_ffv1_is_lossless(tmp_path: Path) -> None:
    v = grid_video(5, 9, 11)
    w = vk.read_video(vk.write_video(tmp_path / "l.mkv", v, codec="ffv1"))
    assert w == v


def test_write_accepts_arrays_and_creates_folders(tmp_path: Path) -> None:
    arr = grid_video(4, 8, 8).uint8
    path = vk.write_video(tmp_path / "deep" / "er" / "x.mp4", arr, fps=5)
    w = vk.read_video(path)
    assert w.shape == (4, 8, 8, 3) and w.fps == 5.0


def test_foreign_file_uses_stream_rate(tmp_path: Path) -> None:
    path = tmp_path / "foreign.mp4"
    with av.open(str(path), "w") as c:  # written without vidkit: no tag
        s = c.add_stream("libx264", rate=25)
        s.width, s.height, s.pix_fmt = 16, 16, "yuv420p"
        for _ in range(10):
            frame = av.VideoFrame.from_ndarray(np.full((16, 16, 3), 128, np.uint8), format="rgb24")
            for p in s.encode(frame):
                c.mux(p)
        for p in s.encode():
            c.mux(p)
    v = vk.read_video(path)
    assert v.shape == (10, 16, 16, 3) and v.fps == 25.0 and v.metadata == {}
    assert abs(float(v.frames.mean()) - 128 / 255) < 0.02
    assert vk.probe_video(path)["metadata"] == {}


def test_non_json_metadata_warns_and_stores_repr(tmp_path: Path) -> None:
    class Thing:
        def __repr__(self) -> str:
            return "Thing()"

    v = grid_video(2, 8, 8).with_metadata(arr=np.arange(3), scalar=np.float32(0.5), thing=Thing())
    with pytest.warns(UserWarning, match="not JSON; stored as its repr"):
        path = vk.write_video(tmp_path / "m.mp4", v)
    assert vk.read_video(path).metadata == {"arr": [0, 1, 2], "scalar": 0.5, "thing": "Thing()"}


def test_mediapy_reads_our_files_with_bundled_ffmpeg(tmp_path: Path) -> None:
    import mediapy

    exe = vio.use_bundled_ffmpeg()
    assert Path(exe).is_file() and mediapy.video_is_available()
    v = smooth_scene(8)
    path = vk.write_video(tmp_path / "m.mp4", v)
    theirs = mediapy.read_video(str(path))
    assert theirs.shape == (8, 48, 64, 3)
    # the same colours (the file is tagged BT.709; decoding it as BT.601 would give ~28 dB)
    assert vk.psnr(v, Video(theirs)) > 32.0


# --------------------------------------------------------------------------- frame selection
@pytest.fixture(scope="module")
def long_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Video]]:
    folder = tmp_path_factory.mktemp("long")
    v = indexed_video(600)
    out = {}
    for name, kw in {
        "mp4": {"options": {"g": "30"}},
        "mp4-gop250": {},  # x264's default keyframe interval
        "webm": {"options": {"g": "30"}},
    }.items():
        ext = name.split("-")[0]
        path = vk.write_video(folder / f"{name}.{ext}", v, **kw)
        out[name] = (path, vk.read_video(path))
    return out


@pytest.mark.parametrize("name", ["mp4", "mp4-gop250", "webm"])
def test_selection_equals_full_read(long_files: dict, name: str) -> None:
    path, full = long_files[name]
    assert full.num_frames == 600 and decoded_index(full) == list(range(600))
    cases = [
        (5, full[:5]),
        (slice(550, 560), full[550:560]),
        (slice(None, None, 97), full[::97]),
        ([599, 3, 300, 300, -2], full[[599, 3, 300, 300, 598]]),
        (np.array([120, 121, 480]), full[[120, 121, 480]]),
        (range(200, 210, 3), full[200:210:3]),
    ]
    for frames, expected in cases:
        got = vk.read_video(path, frames=frames)
        assert got == expected, f"frames={frames!r}"
    assert vk.read_video(path, fps=6) == full.resample(fps=6)
    assert vk.read_video(path, frames=slice(10, 12), fps=6) == full.resample(fps=6)[10:12]


def test_partial_read_decodes_little(long_files: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    path, full = long_files["mp4"]
    counts = {"converted": 0, "sequential": 0, "seeked": 0}

    def counting(name: str, fn):  # wrap a frame generator so its yields are counted
        def wrapper(*args, **kw):
            for item in fn(*args, **kw):
                counts[name] += 1
                yield item

        return wrapper

    convert = vcontainer._frame_to_rgb

    def counting_convert(frame, reformatter):
        counts["converted"] += 1
        return convert(frame, reformatter)

    monkeypatch.setattr(vcontainer, "_frame_to_rgb", counting_convert)
    monkeypatch.setattr(
        vcontainer, "_decode_sequential", counting("sequential", vcontainer._decode_sequential)
    )
    monkeypatch.setattr(vcontainer, "_decode_from", counting("seeked", vcontainer._decode_from))

    assert vk.read_video(path, frames=5) == full[:5]
    assert counts == {"converted": 5, "sequential": 5, "seeked": 0}  # stops at the last frame

    counts.update(converted=0, sequential=0)
    assert vk.read_video(path, frames=slice(550, 560)) == full[550:560]
    assert counts["sequential"] == 0  # no decoding from the start
    assert counts["converted"] == 10 and counts["seeked"] <= 10 + 30  # from the keyframe before

    counts.update(converted=0, seeked=0)
    assert vk.read_video(path, frames=[590, 10, 10]) == full[[590, 10, 10]]
    assert counts["converted"] == 2  # repeats converted once


def test_seek_falls_back_when_timestamps_mislead(
    long_files: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, full = long_files["mp4"]

    def broken_seek(*args, **kw):
        raise vcontainer._SeekFailed
        yield  # pragma: no cover

    monkeypatch.setattr(vcontainer, "_decode_from", broken_seek)
    assert vk.read_video(path, frames=[400, 420]) == full[[400, 420]]


# --------------------------------------------------------------------------- atomic writes
@pytest.mark.parametrize("exc", [RuntimeError("disk on fire"), KeyboardInterrupt()])
def test_interrupted_write_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exc: BaseException
) -> None:
    v = smooth_scene(12)
    old = vk.write_video(tmp_path / "a.mp4", v[:3])
    old_bytes = old.read_bytes()
    calls = {"n": 0}
    real = vcontainer._rgb_to_frame

    def failing(arr):
        calls["n"] += 1
        if calls["n"] == 6:
            raise exc
        return real(arr)

    monkeypatch.setattr(vcontainer, "_rgb_to_frame", failing)
    with pytest.raises(type(exc)):
        vk.write_video(tmp_path / "new.mp4", v)
    calls["n"] = 0
    with pytest.raises(type(exc)):
        vk.write_video(old, v)
    assert calls["n"] == 6  # it failed mid-write
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.mp4"]  # no temp files left
    assert old.read_bytes() == old_bytes  # the previous video is intact


def test_interrupted_gif_write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from PIL import Image

    def half_save(self, fp, *args, **kw):  # writes part of the file, then fails
        Path(fp).write_bytes(b"GIF89a" + bytes(100))
        raise OSError("no space left on device")

    monkeypatch.setattr(Image.Image, "save", half_save)
    with pytest.raises(OSError, match="no space left"):
        vk.write_video(tmp_path / "a.gif", grid_video())
    assert list(tmp_path.iterdir()) == []


def test_interrupted_folder_write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    old = vk.write_video(f"{tmp_path}/frames/", grid_video(3))

    def fail(*args, **kw):
        raise RuntimeError("interrupted")

    monkeypatch.setattr(vframes, "make_tag", fail)  # called after the PNG frames are written
    with pytest.raises(RuntimeError, match="interrupted"):
        vk.write_video(f"{tmp_path}/frames/", grid_video(6, seed=1))
    with pytest.raises(RuntimeError, match="interrupted"):
        vk.write_video(f"{tmp_path}/new/", grid_video(6))
    assert [p.name for p in tmp_path.iterdir()] == ["frames"]
    monkeypatch.undo()
    assert vk.read_video(old) == grid_video(3)  # the old frames are intact


# --------------------------------------------------------------------------- errors
def _assert_clean(excinfo: pytest.ExceptionInfo) -> None:
    """A vidkit error, not a raw FFmpeg/PIL one, with the low-level traceback suppressed."""
    assert not isinstance(excinfo.value, av.error.FFmpegError)
    assert excinfo.value.__suppress_context__ or excinfo.value.__context__ is None


def test_read_errors(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no video at .*missing.mp4"):
        vk.read_video(tmp_path / "missing.mp4")

    (tmp_path / "random.mp4").write_bytes(np.random.default_rng(0).bytes(4000))
    with pytest.raises(VideoError, match="random.mp4.*not a readable video file") as e:
        vk.read_video(tmp_path / "random.mp4")
    _assert_clean(e)

    (tmp_path / "notes.mp4").write_text("these are my notes, not a video\n" * 20)
    with pytest.raises(VideoError, match="notes.mp4.*not a readable video file") as e:
        vk.probe_video(tmp_path / "notes.mp4")
    _assert_clean(e)

    with wave.open(str(tmp_path / "sound.wav"), "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(8000)
        w.writeframes(np.zeros(800, np.int16).tobytes())
    os.replace(tmp_path / "sound.wav", tmp_path / "sound.mp4")
    with pytest.raises(VideoError, match=r"sound.mp4.*no video stream \(streams found: audio\)"):
        vk.read_video(tmp_path / "sound.mp4")

    (tmp_path / "zero.mp4").write_bytes(b"")
    with pytest.raises(VideoError, match=r"zero.mp4.*empty \(0 bytes\)"):
        vk.read_video(tmp_path / "zero.mp4")

    (tmp_path / "clip.xyz").write_bytes(b"x")
    with pytest.raises(ValueError, match=r"extension '\.xyz'; expected one of .*\.mp4"):
        vk.read_video(tmp_path / "clip.xyz")

    (tmp_path / "empty_folder").mkdir()
    with pytest.raises(VideoError, match="has no frame images; expected files named 000000.png"):
        vk.read_video(tmp_path / "empty_folder")

    (tmp_path / "fake.gif").write_bytes(b"GIF89a" + bytes(20))
    with pytest.raises(VideoError, match="fake.gif.*not a readable GIF") as e:
        vk.read_video(tmp_path / "fake.gif")
    _assert_clean(e)


def test_empty_and_damaged_videos(tmp_path: Path) -> None:
    empty = tmp_path / "empty.mp4"
    with av.open(str(empty), "w") as c:  # a container whose video stream got no frames
        s = c.add_stream("libx264", rate=8)
        s.width, s.height, s.pix_fmt = 16, 16, "yuv420p"
        c.start_encoding()
    with pytest.raises(VideoError, match="empty.mp4.*an empty video"):
        vk.read_video(empty)

    good = vk.write_video(tmp_path / "good.mp4", grid_video(30, 16, 16))
    data = good.read_bytes()
    (tmp_path / "cut.mp4").write_bytes(data[: len(data) // 2])
    # a full read returns the frames that decode, with a warning naming the shortfall
    with pytest.warns(UserWarning, match=r"cut.mp4' reports 30 frames but only \d+ decode"):
        partial = vk.read_video(tmp_path / "cut.mp4")
    assert 0 < partial.num_frames < 30
    assert partial == vk.read_video(good)[: partial.num_frames]
    # asking for frames past the damage is an error
    with pytest.raises(VideoError, match=r"cut.mp4' ended after frame \d+ .* reports 30") as e:
        vk.read_video(tmp_path / "cut.mp4", frames=[1, 29])
    _assert_clean(e)


def test_frame_selection_errors(tmp_path: Path) -> None:
    path = vk.write_video(tmp_path / "v.mp4", grid_video(5, 8, 8))
    with pytest.raises(VideoError, match=r"frames=9 asks for more frames than .*v.mp4' has \(5\)"):
        vk.read_video(path, frames=9)
    with pytest.raises(VideoError, match=r"frame indices \[5, -6\] out of range .* 5 frames"):
        vk.read_video(path, frames=[0, 5, -6])
    with pytest.raises(VideoError, match="selects no frames"):
        vk.read_video(path, frames=slice(7, 9))
    with pytest.raises(ValueError, match="must be >= 1"):
        vk.read_video(path, frames=0)
    with pytest.raises(ValueError, match="selects no frames"):
        vk.read_video(path, frames=[])
    with pytest.raises(TypeError, match="frame indices must be integers, got float64"):
        vk.read_video(path, frames=[1.0])
    with pytest.raises(TypeError, match="got bool"):
        vk.read_video(path, frames=[True, False])
    with pytest.raises(TypeError, match="got str"):
        vk.read_video(path, frames="all")
    with pytest.raises(ValueError, match="fps must be a positive number, got -2"):
        vk.read_video(path, fps=-2)


def test_write_errors(tmp_path: Path) -> None:
    v = grid_video(3, 8, 8)
    blocker = tmp_path / "file.txt"
    blocker.write_text("x")
    with pytest.raises(NotADirectoryError, match=r"file.txt' is a file, not a folder"):
        vk.write_video(blocker / "sub" / "v.mp4", v)
    with pytest.raises(ValueError, match=r"cannot write .*v.avi.*extension '\.avi'"):
        vk.write_video(tmp_path / "v.avi", v)
    with pytest.raises(ValueError, match="no extension"):
        vk.write_video(tmp_path / "frames", v)  # a new folder must end in '/'
    with pytest.raises(ValueError, match=r"codec 'vp9' cannot be written to \.mp4"):
        vk.write_video(tmp_path / "v.mp4", v, codec="vp9")
    with pytest.raises(ValueError, match="unknown codec 'prores'"):
        vk.write_video(tmp_path / "v.mov", v, codec="prores")
    with pytest.raises(ValueError, match="crf for libx264 must be an int in 0..51, got 70"):
        vk.write_video(tmp_path / "v.mp4", v, crf=70)
    with pytest.raises(ValueError, match="crf does not apply to the lossless codec 'ffv1'"):
        vk.write_video(tmp_path / "v.mkv", v, codec="ffv1", crf=10)
    with pytest.raises(ValueError, match="not to .*v.gif"):
        vk.write_video(tmp_path / "v.gif", v, crf=10)
    with pytest.raises(ValueError, match="fps must be a positive number, got 0"):
        vk.write_video(tmp_path / "v.mp4", v, fps=0)
    with pytest.raises(TypeError, match="cannot convert dict to a Video"):
        vk.write_video(tmp_path / "v.mp4", {"not": "a video"})
    existing = vk.write_video(tmp_path / "keep.mp4", v)
    with pytest.raises(FileExistsError, match="keep.mp4' exists; pass overwrite=True"):
        vk.write_video(existing, v, overwrite=False)
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.tex").write_text("precious")
    with pytest.raises(FileExistsError, match="refusing to replace folder .*mine"):
        vk.write_video(tmp_path / "mine", v)
    assert (tmp_path / "mine" / "thesis.tex").read_text() == "precious"
    (tmp_path / "dir.mp4").mkdir()
    with pytest.raises(IsADirectoryError, match="a folder of that name exists"):
        vk.write_video(tmp_path / "dir.mp4", v)
    if os.geteuid() != 0:  # root may write anywhere
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        with pytest.raises(PermissionError, match="no permission to write in"):
            vk.write_video(locked / "v.mp4", v)
