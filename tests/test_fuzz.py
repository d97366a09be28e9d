"""Fuzzing vidkit's entry points for untrusted input (issue 16), with hypothesis.

Three targets: ``vk.Video(...)`` construction from arbitrary arrays and arguments, ``read_video`` /
``probe_video`` of small files mutated three ways (truncated, bytes flipped, the vidkit tag
rewritten with hostile values), and ``frechet_distance`` of arbitrary statistics. For every case:

- only vidkit's documented exceptions come out (:class:`vidkit.VidkitError` and its builtin bases
  as listed in ``vidkit/errors.py``; ``FileNotFoundError`` for a missing file), never a raw
  numpy/torch/PyAV/PIL error;
- nothing allocates more than a set bound: the size limit is lowered to 64 MiB for the run, and each
  case's peak traced allocation (numpy and Python, tracemalloc) and its growth of the process's
  peak resident memory (C allocations such as FFmpeg's, ru_maxrss) must stay under 256 MiB;
- each case finishes within hypothesis' deadline (5 s, for cases that take ~10-50 ms: a guard
  against runaway work like the 98 s resampling of the issue, not a timing measurement).

Seeds are fixed (``derandomize=True``) and the example counts bounded, so the file runs in well
under a minute on one core and gives the same cases every time.
"""

from __future__ import annotations

import json
import resource
import tracemalloc
import warnings
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

import vidkit as vk  # noqa: E402
from vidkit.errors import VidkitError  # noqa: E402
from vidkit.metrics.frechet import frechet_distance  # noqa: E402

MB = 1024**2
LIMIT = 64 * MB  # vidkit's size limit during the fuzz run
BOUND = 256 * MB  # what one case may allocate, all in all


def _fuzz(max_examples: int) -> settings:
    """Fixed seed, bounded examples, a deadline per case, no example database on disk."""
    return settings(
        derandomize=True,
        max_examples=max_examples,
        deadline=timedelta(seconds=5),
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        database=None,
    )


@pytest.fixture(scope="module", autouse=True)
def _low_limit():
    # warm up the lazy imports (torch, PyAV, PIL, scipy) so no first case pays for them
    v = vk.Video(np.zeros((2, 4, 4, 3), np.float32)).resize(2, 2)
    frechet_distance(np.zeros(2), np.eye(2), np.ones(2), np.eye(2))
    import av  # noqa: F401
    import PIL.GifImagePlugin  # noqa: F401

    del v
    vk.set_max_video_bytes(LIMIT)
    yield
    vk.set_max_video_bytes(None)


def _maxrss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB


def _bounded(fn, *args, **kwargs):
    """Run ``fn``; return its result or the vidkit error it raised. Any other exception, or an
    allocation over BOUND, fails the test."""
    rss0 = _maxrss()
    tracemalloc.start()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # damaged files warn by design
            try:
                return fn(*args, **kwargs)
            except VidkitError as exc:
                return exc
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert peak < BOUND, f"{fn.__name__} allocated {peak / MB:.0f} MiB"
        assert _maxrss() - rss0 < BOUND, f"{fn.__name__} grew the resident memory past the bound"


# --------------------------------------------------------------------------- Video construction
_dtypes = st.sampled_from(
    [np.uint8, np.uint16, np.int8, np.int32, np.int64, np.float16, np.float32, np.float64, bool]
)
_arrays = hnp.arrays(
    dtype=_dtypes,
    shape=hnp.array_shapes(min_dims=0, max_dims=5, min_side=0, max_side=6),
    elements=None,
)
_odd = st.one_of(
    st.none(),
    st.text(max_size=5),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.booleans(),
    st.lists(st.integers(), max_size=3),
    st.complex_numbers(),
)


@_fuzz(200)
@given(
    frames=st.one_of(_arrays, st.lists(st.floats(), max_size=4), st.text(max_size=4), st.none()),
    fps=st.one_of(st.floats(allow_nan=True, allow_infinity=True), _odd),
    value_range=st.one_of(st.none(), st.tuples(st.floats(), st.floats()), _odd),
    metadata=st.one_of(st.none(), st.dictionaries(st.text(max_size=3), _odd, max_size=3), _odd),
)
def test_fuzz_video_construction(frames, fps, value_range, metadata):
    out = _bounded(vk.Video, frames, fps=fps, metadata=metadata, value_range=value_range)
    if isinstance(out, vk.Video):
        f = out.frames
        assert f.dtype == np.float32 and f.ndim == 4 and f.shape[-1] == 3
        assert np.isfinite(f).all() and f.min() >= 0 and f.max() <= 1
        assert np.isfinite(out.fps) and out.fps > 0


@_fuzz(120)
@given(
    op=st.sampled_from(["resize", "center_crop", "resample_n", "resample_stride", "resample_fps"]),
    a=st.one_of(
        st.integers(min_value=-5, max_value=10**7), st.floats(allow_nan=True), st.none(), st.text()
    ),
)
def test_fuzz_video_operations(op, a):
    v = vk.Video(np.linspace(0, 1, 4 * 8 * 8 * 3, dtype=np.float32).reshape(4, 8, 8, 3), fps=8)
    calls = {
        "resize": lambda: v.resize(a, a),
        "center_crop": lambda: v.center_crop(a),
        "resample_n": lambda: v.resample(num_frames=a),
        "resample_stride": lambda: v.resample(stride=a),
        "resample_fps": lambda: v.resample(fps=a),
    }

    def run():
        return calls[op]()

    run.__name__ = op
    out = _bounded(run)
    assert isinstance(out, (vk.Video, VidkitError))


# --------------------------------------------------------------------------- read_video of mutants
_PAD = "x" * 160  # room in the tag to rewrite it with longer hostile values


@pytest.fixture(scope="module")
def seeds(tmp_path_factory) -> dict[str, bytes]:
    """Small valid files written by vidkit (6 frames of 16x16), as bytes."""
    folder = tmp_path_factory.mktemp("seeds")
    rng = np.random.default_rng(0)
    v = vk.Video(rng.random((6, 16, 16, 3), dtype=np.float32), fps=8, metadata={"pad": _PAD})
    out = {}
    for ext in (".mp4", ".webm", ".mkv", ".gif"):
        out[ext] = vk.write_video(folder / f"seed{ext}", v).read_bytes()
    return out


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("mutants")


def _tag_span(data: bytes) -> tuple[int, int]:
    start = data.index(b'{"fps"')
    end = data.index(_PAD.encode(), start) + len(_PAD) + 2  # ...xxx"}}
    return start, end


_hostile_numbers = st.one_of(
    st.integers(min_value=-(2**63), max_value=2**63),
    st.floats(allow_nan=False),
    st.sampled_from([0, 1, 2, 5, 7, 2_000_000_000, 10**18, -1]),
    st.text(max_size=4),
    st.none(),
)
_tags = st.fixed_dictionaries(
    {},
    optional={
        "fps": _hostile_numbers,
        "num_frames": _hostile_numbers,
        "height": _hostile_numbers,
        "width": _hostile_numbers,
        "metadata": st.one_of(st.dictionaries(st.text(max_size=3), _hostile_numbers), st.text()),
    },
)


@st.composite
def _mutants(draw, seeds: dict[str, bytes]) -> tuple[str, bytes, str]:
    ext = draw(st.sampled_from(sorted(seeds)))
    data = bytearray(seeds[ext])
    how = draw(st.sampled_from(["truncate", "flip", "tag", "tag+truncate"]))
    if how.startswith("tag"):
        start, end = _tag_span(bytes(data))
        text = json.dumps(draw(_tags)).encode()[: end - start]
        data[start:end] = text.ljust(end - start, b" ")  # same length: the container stays valid
    if how.endswith("truncate"):
        data = data[: draw(st.integers(min_value=0, max_value=len(data) - 1))]
    if how == "flip":
        for _ in range(draw(st.integers(min_value=1, max_value=8))):
            i = draw(st.integers(min_value=0, max_value=len(data) - 1))
            data[i] ^= draw(st.integers(min_value=1, max_value=255))
    return ext, bytes(data), how


@_fuzz(400)
@given(data=st.data())
def test_fuzz_read_mutated_files(seeds, scratch, data):
    ext, blob, how = data.draw(_mutants(seeds))
    path = scratch / f"mutant{ext}"
    path.write_bytes(blob)
    info = _bounded(vk.probe_video, path)
    video = _bounded(vk.read_video, path)
    part = _bounded(vk.read_video, path, frames=slice(1, 3), fps=16)
    for out in (video, part):
        if isinstance(out, vk.Video):
            assert out.num_frames >= 1 and out.frames.nbytes <= LIMIT
            assert np.isfinite(out.fps) and out.fps > 0
    if isinstance(info, dict) and isinstance(video, vk.Video) and how != "flip":
        # a tag is a hint checked against the file: never more frames than decode
        assert info["frames"] <= 6 and video.num_frames <= 6


# --------------------------------------------------------------------------- frechet_distance
_dims = st.integers(min_value=0, max_value=5)


@st.composite
def _gaussians(draw):
    d = draw(_dims)
    finite = st.floats(min_value=-1e6, max_value=1e6)
    anything = st.floats(allow_nan=True, allow_infinity=True)
    el = draw(st.sampled_from([finite, anything]))
    mu = draw(hnp.arrays(np.float64, draw(st.sampled_from([(d,), (d + 1,), (d, 1)])), elements=el))
    kind = draw(st.sampled_from(["psd", "raw", "negative"]))
    a = draw(hnp.arrays(np.float64, (d, d), elements=finite))
    sigma = {"psd": a @ a.T, "raw": a, "negative": -(a @ a.T) - np.eye(d)}[kind]
    return mu, sigma


@_fuzz(200)
@given(
    g1=_gaussians(),
    g2=_gaussians(),
    method=st.sampled_from(["cholesky", "eigh", "sqrtm", "nope"]),
    n=st.one_of(st.none(), st.integers(min_value=-3, max_value=10**6), st.floats(), st.text()),
)
def test_fuzz_frechet_distance(g1, g2, method, n):
    with np.errstate(all="ignore"):
        out = _bounded(frechet_distance, *g1, *g2, method=method, n1=n, n2=n)
    if isinstance(out, float):
        # accepted inputs are real covariances: the distance is finite and (up to rounding) >= 0
        # float64 arithmetic: squares of huge accepted values overflow to inf, not OverflowError
        with np.errstate(over="ignore"):
            scale = 1.0 + sum(np.float64(np.abs(x).max(initial=0)) ** 2 for x in (*g1, *g2))
        assert np.isfinite(out) and out >= -1e-6 * scale
