"""Hostile files and bad arguments (issue 16): every one gets a clear vidkit error, and nothing
allocates or runs without bound. One test (or one parametrized group) per item of the issue, with
the issue's repros as inputs; items 4 and the gravity message of 10 live with the probes."""

from __future__ import annotations

import json
import math
import shutil
import struct
import threading
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
import torch

import vidkit as vk
import vidkit.io.container as vcontainer
import vidkit.io.formats as vformats
import vidkit.io.frame_folder as vframes
import vidkit.io.gif as vgif
from vidkit.cli import main
from vidkit.metrics.frechet import GaussianStats, frechet_distance

MB = 1024**2


def _video(n: int = 6, size: int = 16) -> vk.Video:
    rng = np.random.default_rng(0)
    return vk.Video(rng.random((n, size, size, 3), dtype=np.float32), fps=8)


def _peak(fn) -> int:
    """Peak bytes traced while ``fn()`` runs (numpy and torch CPU buffers are traced)."""
    tracemalloc.start()
    try:
        fn()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak


def _lying_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ext: str, **tag: object) -> Path:
    """A 6-frame video whose vidkit tag says ``tag`` (e.g. num_frames=2_000_000_000)."""
    real = vformats.make_tag

    def make_tag(video, fps):
        return json.dumps({**json.loads(real(video, fps)), **tag})

    writers = (vcontainer, vgif, vframes)  # each writer's module holds its own make_tag
    for module in writers:
        monkeypatch.setattr(module, "make_tag", make_tag)
    path = vk.write_video(tmp_path / f"lying{ext}", _video(6))
    for module in writers:
        monkeypatch.setattr(module, "make_tag", real)
    return path


# --------------------------------------------------------------------------- 1. metadata
@pytest.mark.parametrize("ext", [".webm", ".mkv", ".gif"])
@pytest.mark.parametrize("told", [2_000_000_000, 2, 7, -5, "6"])
def test_1_tag_frame_count_is_a_hint(tmp_path, monkeypatch, ext, told):
    path = _lying_file(tmp_path, monkeypatch, ext, num_frames=told)
    assert vk.probe_video(path)["frames"] == 6
    box = {}
    peak = _peak(lambda: box.setdefault("v", vk.read_video(path)))
    assert box["v"].num_frames == 6  # what decodes, not what the tag says
    assert peak < 32 * MB  # the 2e9 tag once allocated 15 GiB in np.arange


@pytest.mark.parametrize("ext", [".webm", ".mkv"])
def test_1_tag_size_and_fps_are_hints(tmp_path, monkeypatch, ext):
    path = _lying_file(tmp_path, monkeypatch, ext, height=10**9, width=10**9, fps=1e-300)
    info = vk.probe_video(path)
    assert info["size"] == (16, 16) and info["fps"] == 8.0
    v = vk.read_video(path)
    assert v.shape == (6, 16, 16, 3) and v.fps == 8.0


def test_1_partial_read_of_a_lying_file_allocates_little(tmp_path, monkeypatch):
    path = _lying_file(tmp_path, monkeypatch, ".webm", num_frames=2_000_000_000)
    peak = _peak(lambda: vk.read_video(path, frames=slice(1, 3)))
    assert peak < 32 * MB


# --------------------------------------------------------------------------- 2. bounds
@pytest.fixture
def ten_frames(tmp_path) -> Path:
    return vk.write_video(tmp_path / "ten.mp4", _video(10))


@pytest.mark.parametrize("fps", [1e9, 2e6])
def test_2_read_video_refuses_huge_resampling(ten_frames, fps):
    def read():
        with pytest.raises(
            vk.SizeLimitError, match=r"would allocate .* over vidkit's limit of 8.0 GiB"
        ):
            vk.read_video(ten_frames, fps=fps)

    assert _peak(read) < 16 * MB  # refused before any allocation (was ~98 s and >10 GB)


def test_2_huge_rate_with_few_frames_selected_is_fine(ten_frames):
    v = vk.read_video(ten_frames, fps=1e9, frames=slice(0, 3))
    assert v.num_frames == 3 and v.fps == 1e9


@pytest.mark.parametrize(
    "op",
    [
        lambda v: v.resize(100000, 100000),
        lambda v: v.resample(num_frames=1e9),
        lambda v: v.resample(fps=1e12),
    ],
    ids=["resize", "resample-num-frames", "resample-fps"],
)
def test_2_video_ops_refuse_huge_results(op):
    v = _video()
    box = {}

    def run():
        with pytest.raises(vk.SizeLimitError, match="would allocate") as e:
            op(v)
        box["msg"] = str(e.value)

    assert _peak(run) < 16 * MB
    assert "GiB" in box["msg"] or "TiB" in box["msg"]


def test_2_limit_is_configurable(ten_frames, monkeypatch):
    try:
        assert vk.set_max_video_bytes("1M") == MB
        with pytest.raises(vk.SizeLimitError, match=r"limit of 1.0 MiB"):
            vk.read_video(ten_frames, fps=400)  # 500 frames of 16x16: ~1.9 MB
        assert vk.read_video(ten_frames, fps=16).num_frames == 20
    finally:
        vk.set_max_video_bytes(None)
    monkeypatch.setenv("VIDKIT_MAX_BYTES", "512K")
    assert vk.max_video_bytes() == 512 * 1024
    with pytest.raises(vk.SizeLimitError):
        _video(10, 64).resize(128)
    monkeypatch.setenv("VIDKIT_MAX_BYTES", "lots")
    with pytest.raises(vk.ArgumentError, match="VIDKIT_MAX_BYTES must be a number of bytes"):
        vk.max_video_bytes()
    monkeypatch.delenv("VIDKIT_MAX_BYTES")
    assert vk.max_video_bytes() == 8 * 1024**3
    with pytest.raises(vk.ArgumentError):
        vk.set_max_video_bytes(-1)


# --------------------------------------------------------------------------- 3. Fréchet
@pytest.mark.parametrize(
    ("s1", "s2"),
    [(-np.eye(2), np.eye(2)), (-4 * np.eye(2), np.zeros((2, 2))), (np.eye(2), -np.eye(2))],
    ids=["-I vs I", "-4I vs 0", "I vs -I"],
)
def test_3_frechet_refuses_impossible_covariances(s1, s2):
    with pytest.raises(
        vk.StatisticsError, match="not positive semi-definite .*smallest eigenvalue -"
    ):
        frechet_distance(np.zeros(2), s1, np.zeros(2), s2)


def test_3_frechet_input_checks():
    z = np.zeros(2)
    with pytest.warns(vk.metrics.frechet.SingularCovarianceWarning):  # PSD but singular: fine
        assert frechet_distance(z, np.zeros((2, 2)), z, np.zeros((2, 2))) == 0.0
    with pytest.raises(vk.StatisticsError, match="not symmetric"):
        frechet_distance(z, np.array([[1.0, 1.0], [0.0, 1.0]]), z, np.eye(2))
    with pytest.raises(vk.StatisticsError, match="n1 must be >= 2"):
        frechet_distance(z, np.eye(2), z, np.eye(2), n1=1)
    with pytest.raises(vk.StatisticsError, match="dimension mismatch"):
        frechet_distance(z, np.eye(2), np.zeros(3), np.eye(3))
    with pytest.raises(vk.VideoTypeError, match="must be numeric"):
        frechet_distance(["a", "b"], np.eye(2), z, np.eye(2))


def _stats_file(path: Path, **over: object) -> Path:
    arrays = {"count": np.array(5), "shift": np.zeros(3), "sum": np.zeros(3)}
    arrays["sum_outer"] = np.eye(3)
    arrays.update(over)
    np.savez(path, **arrays)
    return path


@pytest.mark.parametrize(
    ("over", "match"),
    [
        ({"count": np.array(-3)}, "'count' must be a positive integer"),
        ({"count": np.array(2.5)}, "'count' must be a positive integer"),
        ({"sum": np.zeros(4)}, r"'sum' must have shape \(3,\)"),
        ({"sum_outer": np.eye(4)}, r"'sum_outer' must have shape \(3, 3\)"),
        ({"sum_outer": -np.eye(3)}, "'sum_outer' is not positive semi-definite"),
        ({"sum_outer": np.triu(np.ones((3, 3)))}, "'sum_outer' is not symmetric"),
        ({"shift": np.full(3, np.nan)}, "NaN or inf"),
        ({"features": np.zeros((4, 3))}, r"'features' must have shape \(5, 3\)"),
        ({"meta": np.array("{not json")}, "'meta' entry is not JSON"),
    ],
)
def test_3_stats_file_checked_on_load(tmp_path, over, match):
    path = _stats_file(tmp_path / "s.npz", **over)
    with pytest.raises(vk.StatisticsError, match=match):
        GaussianStats.load(path)


def test_3_good_stats_file_loads(tmp_path):
    s = GaussianStats(keep_features=True).update(np.random.default_rng(0).random((10, 3)))
    back = GaussianStats.load(s.save(tmp_path / "ok.npz"))
    assert back.count == 10 and np.allclose(back.cov(), s.cov())


# --------------------------------------------------------------------------- 5. stack dtype
@pytest.mark.parametrize("dtype", [torch.int16, torch.int32, torch.bool, np.int16, np.complex64])
def test_5_one_dtype_rule(dtype):
    v = _video(2)
    for call in (
        lambda: vk.stack([v], dtype=dtype),
        lambda: vk.stack([v], dtype=dtype, as_numpy=True),
        lambda: (
            v.to_torch(dtype=dtype) if str(dtype).startswith("torch") else v.to_numpy(dtype=dtype)
        ),
    ):
        with pytest.raises(
            vk.VideoTypeError, match=r"dtype must be uint8 \(values 0..255\) or a float"
        ):
            call()


def test_5_stack_honours_dtype_both_ways():
    v = _video(2)
    assert vk.stack([v], dtype=np.float16, as_numpy=True).dtype == np.float16
    assert vk.stack([v], dtype=torch.float16, as_numpy=True).dtype == np.float16
    u = vk.stack([v], "BTHWC", dtype=torch.uint8, as_numpy=True)
    assert u.dtype == np.uint8 and np.array_equal(u[0], v.uint8)
    t = vk.stack([v], "BTHWC", dtype=np.uint8)
    assert t.dtype == torch.uint8 and np.array_equal(t[0].numpy(), v.uint8)
    h = vk.stack([v], dtype=torch.bfloat16, value_range=(-1, 1))
    assert h.dtype == torch.bfloat16 and float(h.min()) < -0.9
    assert v.to_torch(dtype=np.float64).dtype == torch.float64
    with pytest.raises(vk.VideoTypeError, match="numpy has no torch.bfloat16"):
        vk.stack([v], dtype=torch.bfloat16, as_numpy=True)


# --------------------------------------------------------------------------- 6. the CLI
@pytest.fixture(scope="module")
def corrupt_model(tmp_path_factory) -> Path:
    from vidkit.testing import save_tiny_pipeline

    folder = save_tiny_pipeline(tmp_path_factory.mktemp("m") / "corrupt", "wan", "t2v")
    f = folder / "transformer" / "diffusion_pytorch_model.safetensors"
    f.write_bytes(f.read_bytes()[: f.stat().st_size // 2])
    return folder


def _one_line_rc2(capsys, argv: list[str], match: str) -> None:
    assert main(argv) == 2
    err = [ln for ln in capsys.readouterr().err.splitlines() if ln.startswith("vidkit ")]
    assert len(err) == 1 and "Traceback" not in err[0], err
    assert match in err[0], err[0]


def test_6_cli_model_errors_are_one_line(tmp_path, capsys, corrupt_model):
    out = str(tmp_path / "g.mp4")
    _one_line_rc2(
        capsys,
        ["generate", "--model", "nosuch/model", "--prompt", "x", "--out", out],
        "could not load 'nosuch/model'",
    )
    gen = ["generate", "--model", str(corrupt_model), "--prompt", "x", "--out", out]
    _one_line_rc2(capsys, gen, "corrupt safetensors weights")
    cmp = ["compare", "--model", f"a={corrupt_model}", "--prompts", "tiny", "--limit", "1"]
    _one_line_rc2(capsys, [*cmp, "--store", str(tmp_path / "s"), "--quiet"], "corrupt safetensors")


def test_6_cli_prompts_takes_suites_only(tmp_path, capsys, monkeypatch):
    import vidkit.comparison.run as vc

    def no_work(*a, **k):
        raise AssertionError("work started before the arguments were checked")

    monkeypatch.setattr(vc, "_generate_missing", no_work)
    base = ["compare", "--model", "a=vidkit/tiny-physics", "--store", str(tmp_path / "s")]
    _one_line_rc2(
        capsys, [*base, "--prompts", "tinny"], "is neither a prompt suite (physics, tiny)"
    )
    _one_line_rc2(capsys, [*base, "--prompt", "x", "--prompts", "tiny"], "not both")
    _one_line_rc2(capsys, [*base, "--bootstrap", "-3"], "n_bootstrap must be an int >= 0")
    _one_line_rc2(capsys, [*base, "--guidance", "nan"], "guidance must be a finite number")
    # literal prompts through the explicit form reach compare as prompts
    seen = {}
    monkeypatch.setattr(vk, "compare", lambda models, suite, **kw: seen.setdefault("s", suite))
    monkeypatch.setattr("vidkit.cli._write_outputs", lambda board, outs: [])
    with pytest.raises(AttributeError):  # our stand-in board has no to_markdown
        main([*base, "--prompt", "a red ball falls", "--prompt", "a blue ball"])
    assert [r["prompt"] for r in seen["s"]] == ["a red ball falls", "a blue ball"]


def test_6_cli_evaluate_checks_reference_first(tmp_path, capsys, monkeypatch):
    path = vk.write_video(tmp_path / "a.mp4", _video(4))

    def no_read(*a, **k):
        raise AssertionError("videos were read before the arguments were checked")

    monkeypatch.setattr(vk, "read_video", no_read)
    _one_line_rc2(capsys, ["evaluate", str(path), "--metrics", "physics,fvd"], "needs --reference")
    argv = ["evaluate", str(path), "--metrics", "fvd", "--reference", str(tmp_path / "nope")]
    _one_line_rc2(capsys, argv, "is not a folder of videos")


# --------------------------------------------------------------------------- 7. model loading
@pytest.fixture(scope="module")
def good_model(tmp_path_factory) -> Path:
    from vidkit.testing import save_tiny_pipeline

    return save_tiny_pipeline(tmp_path_factory.mktemp("m") / "good", "wan", "t2v")


def _truncate(d: Path) -> None:
    f = d / "transformer" / "diffusion_pytorch_model.safetensors"
    f.write_bytes(f.read_bytes()[:-100])


def _flip_length(d: Path) -> None:
    f = d / "vae" / "diffusion_pytorch_model.safetensors"
    data = bytearray(f.read_bytes())
    data[3] ^= 0xFF
    f.write_bytes(bytes(data))


def _index(d: Path, text: str) -> None:
    (d / "model_index.json").write_text(text)


def _list_class(d: Path) -> None:
    index = json.loads((d / "model_index.json").read_text())
    _index(d, json.dumps({**index, "_class_name": ["pipeline", "X"]}))


@pytest.mark.parametrize(
    ("damage", "exc", "match"),
    [
        (_truncate, vk.ModelLoadError, r"corrupt safetensors weights .*transformer.*truncated"),
        (_flip_length, vk.ModelLoadError, r"corrupt safetensors weights .*vae.*header claims"),
        (
            lambda d: _index(d, "{not json"),
            vk.ModelLoadError,
            r"model_index.json' is not valid JSON",
        ),
        (lambda d: _index(d, "[1, 2]"), vk.ModelLoadError, "must hold a JSON object.*got a list"),
        (_list_class, vk.ModelLoadError, r"_class_name\" must be a pipeline class name"),
        (
            lambda d: shutil.rmtree(d / "vae"),
            vk.ModelNotFoundError,
            r"component 'vae' .*is missing",
        ),
    ],
    ids=["truncated", "flipped-header", "bad-json", "json-list", "list-class", "no-component"],
)
def test_7_model_loading_names_file_and_cause(tmp_path, good_model, damage, exc, match):
    folder = tmp_path / "model"
    shutil.copytree(good_model, folder)
    damage(folder)
    with pytest.raises(exc, match=match):
        vk.load(folder)


def test_7_unknown_variant_and_missing_gpu(good_model):
    with pytest.raises(
        vk.ModelNotFoundError, match=r"no variant 'nonexistent'.*tiny-physics@early"
    ):
        vk.load("vidkit/tiny-physics@nonexistent")
    if not torch.cuda.is_available():
        with pytest.raises(vk.ArgumentError, match="no CUDA GPU is available"):
            vk.load(good_model, device="cuda")
    with pytest.raises(vk.ArgumentError, match="device must be"):
        vk.load(good_model, device="gpu-please")


# --------------------------------------------------------------------------- 8. generate
@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"guidance": float("nan")}, vk.ArgumentError, "guidance must be a finite number"),
        ({"guidance": float("inf")}, vk.ArgumentError, "guidance must be a finite number"),
        ({"steps": 10**9}, ValueError, r"steps must be in \[1, 10000\]"),
        (
            {"num_frames": 10**6, "height": 10**4, "width": 10**4},
            vk.SizeLimitError,
            "would allocate",
        ),
    ],
)
def test_8_generate_checks_before_loading(monkeypatch, kwargs, exc, match):
    import vidkit.sampling.generation as vs

    def no_load(*a, **k):
        raise AssertionError("the model was loaded before the arguments were checked")

    monkeypatch.setattr(vs, "as_video_pipeline", no_load)
    with pytest.raises(exc, match=match):
        vk.generate("vidkit/tiny-physics", prompt="a ball", **kwargs)
    with pytest.raises(exc, match=match):  # sweep checks every cell before the first one runs
        vk.sweep("vidkit/tiny-physics", prompt="a ball", seed=[0, 1], **kwargs)


# --------------------------------------------------------------------------- 9. raw exceptions
def _bomb_gif(path: Path) -> Path:
    """A valid GIF whose logical screen is 65535 x 65535 (one 1x1 image in it)."""
    data = b"GIF89a" + struct.pack("<HHBBB", 65535, 65535, 0x80, 0, 0) + b"\x00\x00\x00\xff\xff\xff"
    data += b"\x2c" + struct.pack("<HHHHB", 0, 0, 1, 1, 0) + b"\x02\x02\x44\x01\x00\x3b"
    path.write_bytes(data)
    return path


def _circular() -> dict:
    d: dict = {"a": 1}
    d["self"] = d
    return d


CUDA = torch.cuda.is_available()
RAW = [
    ("write fps=1e-7", lambda p: vk.write_video(p / "a.mp4", _video(), fps=1e-7), "fps=1e-07"),
    ("resample fps=nan", lambda p: _video().resample(fps=float("nan")), "fps must be a positive"),
    ("resample fps=inf", lambda p: _video().resample(fps=math.inf), "fps must be a positive"),
    ("resize nan", lambda p: _video().resize(float("nan")), "resize height must be a whole"),
    ("center_crop 2.5", lambda p: _video().center_crop(2.5), "crop height must be a whole"),
    ("stride 1.5", lambda p: _video().resample(stride=1.5), "stride must be a whole number"),
    (
        "meta tensor",
        lambda p: vk.Video.from_torch(torch.empty(2, 3, 4, 4, device="meta")),
        "meta tensor",
    ),
    (
        "sparse tensor",
        lambda p: vk.Video.from_torch(torch.zeros(2, 3, 4, 4).to_sparse()),
        "to_dense",
    ),
    ("gif bomb", lambda p: vk.read_video(_bomb_gif(p / "bomb.gif")), "decompression bomb"),
    ("fps='x'", lambda p: vk.Video(_video().frames, fps="x"), "fps must be a number"),
    ("fps=None", lambda p: vk.Video(_video().frames, fps=None), "fps must be a number"),
    (
        "metadata lock",
        lambda p: vk.Video(_video().frames, metadata={"lock": threading.Lock()}),
        r"metadata\['lock'\] holds a lock",
    ),
    (
        "metadata with_metadata lock",
        lambda p: _video().with_metadata(lock=threading.Lock()),
        r"metadata\['lock'\]",
    ),
    (
        "metadata circular",
        lambda p: vk.write_video(p / "c.mp4", vk.Video(_video().frames, metadata=_circular())),
        "cannot be stored as JSON",
    ),
    ("compare ci=2", lambda p: vk.compare({"a": "x"}, ["p"], ci=2, store=p), "ci must be"),
    ("compare ci=nan", lambda p: vk.compare({"a": "x"}, ["p"], ci=math.nan, store=p), "ci must"),
    (
        "compare n_bootstrap=-1",
        lambda p: vk.compare({"a": "x"}, ["p"], n_bootstrap=-1, store=p),
        "n_bootstrap must be an int >= 0",
    ),
]
RAW.append(("to_torch('cuda')", lambda p: _video().to_torch("cuda"), "for a device pass device="))
if not CUDA:
    RAW.append(("to_torch cuda", lambda p: _video().to_torch(device="cuda"), "no CUDA GPU"))


@pytest.mark.parametrize(("case", "call", "match"), RAW, ids=[r[0] for r in RAW])
def test_9_vidkit_errors_not_raw_ones(tmp_path, case, call, match):
    with pytest.raises(vk.VidkitError, match=match) as e:
        call(tmp_path)
    assert isinstance(e.value, (ValueError, TypeError))  # what callers caught before


def test_9_float8_tensor_converts():
    t = torch.rand(2, 3, 4, 4).to(torch.float8_e4m3fn)
    v = vk.Video.from_torch(t)
    assert v.shape == (2, 4, 4, 3)
    assert np.allclose(v.frames, t.float().permute(0, 2, 3, 1).numpy())


# --------------------------------------------------------------------------- 10. messages
def test_10_infinite_value_range_is_named():
    with pytest.raises(vk.VideoError, match=r"value_range must be two finite numbers") as e:
        vk.Video(_video().frames, value_range=(-math.inf, math.inf))
    assert "NaN" not in str(e.value)


def test_10_garbage_npz_is_not_called_pickled(tmp_path):
    path = tmp_path / "stats.npz"
    path.write_bytes(b"garbage " * 64)
    with pytest.raises(vk.StatisticsError, match="is not an .npz archive") as e:
        GaussianStats.load(path)
    assert "pickle" not in str(e.value)


def test_10_missing_local_clip_folder(tmp_path):
    from vidkit.metrics.clip import load_clip

    with pytest.raises(
        vk.ModelNotFoundError, match=r"could not load CLIP model '.*clip': no such folder"
    ) as e:
        load_clip(str(tmp_path / "no" / "clip"))
    assert "Repo id" not in str(e.value)


def test_10_model_callable_returning_text(tmp_path):
    with pytest.raises(TypeError, match=r"returned a str \('notavideo'\).*must return a vk.Video"):
        vk.compare(
            {"m": lambda prompt, seed, **kw: "notavideo"},
            ["a ball"],
            store=tmp_path / "s",
            progress=False,
        )


@pytest.mark.parametrize("call", [vk.read_video, vk.probe_video])
def test_10_empty_path_is_not_the_current_folder(tmp_path, monkeypatch, call):
    vk.write_video(f"{tmp_path}/frames/", _video(2))
    monkeypatch.chdir(tmp_path / "frames")  # a readable frame folder is the current folder
    with pytest.raises(vk.VideoError, match="the video path is empty"):
        call("")


# --------------------------------------------------------------------------- the family
def test_error_family_is_exported_and_compatible():
    for name in ("VidkitError", "VideoError", "VideoTypeError", "SizeLimitError"):
        assert getattr(vk, name) is getattr(vk.errors, name)
    assert issubclass(vk.VideoError, ValueError) and issubclass(vk.VideoTypeError, TypeError)
    assert issubclass(vk.ModelNotFoundError, FileNotFoundError)
    assert issubclass(vk.StatisticsError, ValueError) and issubclass(vk.ArgumentError, ValueError)
    assert vk.video.VideoError is vk.VideoError and vk.io.VideoError is vk.VideoError
