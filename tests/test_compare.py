"""vk.compare: prompt suites, models, caching, the leaderboard, and the 2-process sharded run."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

import vidkit as vk
from vidkit.comparison import (
    DistributionMetric,
    Leaderboard,
    Model,
    SynthModel,
    VideoMetric,
    as_metric,
    load_prompts,
    prompt_suites,
)

ROOT = Path(__file__).resolve().parent.parent
SIZE = {"height": 32, "width": 32, "num_frames": 16}
PROMPTS = [
    "a red ball falls",
    "a blue ball bounces to the right on a grey floor",
    "a green ball is thrown to the left and falls",
    "a yellow ball moves right at constant speed",
]


def _motion_features(x: torch.Tensor) -> torch.Tensor:
    """A small hand-made video feature: the sorted frame-difference energies (a teleport or a
    vanishing ball makes one frame pair stand out)."""
    d = (x[:, 1:] - x[:, :-1]).abs().mean(dim=(2, 3, 4))
    s = torch.sort(d, dim=1).values
    return torch.cat([s[:, -3:], d.mean(1, keepdim=True), d.std(1, keepdim=True)], 1) * 100


def _extractor():
    return vk.metrics.as_extractor(
        _motion_features, name="motion", layout="BTCHW", value_range=(0, 1)
    )


def _smoothness(video: vk.Video, item: dict) -> dict:
    """Per-video: the largest frame-to-frame change relative to the median one (lower = smoother);
    returned negated so that higher is better, with a sub-score."""
    d = np.abs(np.diff(video.frames, axis=0)).mean(axis=(1, 2, 3))
    ratio = float(d.max() / max(np.median(d), 1e-6))
    return {"score": -ratio, "max_step": float(d.max())}


def _has_synth_encoder() -> bool:
    from vidkit.metrics.synth_encoder import default_weights

    return default_weights().is_file()


def _has_probes() -> bool:
    return hasattr(vk.probes, "physics")


# --------------------------------------------------------------------------- prompts
def test_bundled_suites() -> None:
    suites = prompt_suites()
    assert {"tiny", "physics"} <= set(suites)
    tiny = load_prompts("tiny")
    assert len(tiny) == 28
    assert {r["kind"] for r in tiny} == {"free_fall", "projectile", "bounce", "uniform"}
    assert {r["color"] for r in tiny} == {"red", "green", "blue", "yellow"}
    assert {r["direction"] for r in tiny} == {None, "left", "right"}
    # every tiny prompt is phrased exactly as vk.synth writes it
    synth = SynthModel()
    for r in tiny[::5]:
        assert (
            synth(r["prompt"], 0, height=16, width=16, num_frames=4).metadata["prompt"]
            == (r["prompt"])
        )
    physics = load_prompts("physics")
    assert 28 <= len(physics) <= 36
    for r in physics:
        assert r["id"] and r["prompt"] and r["kind"] and isinstance(r["tags"], list)


def test_prompt_sources(tmp_path: Path) -> None:
    rows = load_prompts(["a red ball falls", {"prompt": "a blue ball falls", "id": "b"}])
    assert [r["id"] for r in rows] == ["p000", "b"]
    f = tmp_path / "s.jsonl"
    f.write_text('{"id": "x", "prompt": "one", "tags": "t"}\n\n{"prompt": "two"}\n')
    rows = load_prompts(f)
    assert [r["prompt"] for r in rows] == ["one", "two"] and rows[0]["tags"] == ["t"]
    (tmp_path / "s.txt").write_text("one\n\ntwo\n")
    assert len(load_prompts(tmp_path / "s.txt")) == 2
    assert load_prompts("a single prompt")[0]["prompt"] == "a single prompt"
    assert len(load_prompts("tiny", limit=3)) == 3
    import datasets
    import pandas as pd

    ds = datasets.Dataset.from_dict({"prompt": ["p1", "p2"], "kind": ["a", "b"]})
    assert [r["kind"] for r in load_prompts(ds)] == ["a", "b"]
    assert len(load_prompts(pd.DataFrame({"prompt": ["p1"]}))) == 1


def test_prompt_errors(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="same prompt"):
        load_prompts(["a", "a"])
    with pytest.raises(ValueError, match="same id"):
        load_prompts([{"prompt": "a", "id": "x"}, {"prompt": "b", "id": "x"}])
    with pytest.raises(ValueError, match="non-empty 'prompt'"):
        load_prompts([{"text": "a"}])
    with pytest.raises(ValueError, match="empty"):
        load_prompts([])
    with pytest.raises(FileNotFoundError, match="no prompt file"):
        load_prompts(tmp_path / "missing.jsonl")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"prompt": "a"}\n{oops\n')
    with pytest.raises(ValueError, match="bad.jsonl:2"):
        load_prompts(bad)
    with pytest.raises(TypeError, match="prompts must be"):
        load_prompts(3)
    with pytest.raises(ValueError, match="limit"):
        load_prompts("tiny", limit=0)


# --------------------------------------------------------------------------- models
def test_synth_model() -> None:
    v = SynthModel()("a blue ball bounces to the left on a grey floor", 3, **SIZE, fps=8)
    assert v.shape == (16, 32, 32, 3) and v.fps == 8
    assert v.metadata["prompt"] == "a blue ball bounces to the left on a grey floor"
    bad = SynthModel("teleport")("a red ball falls", 0, **SIZE)
    assert bad.metadata["truth_violation"]["name"] == "teleport"
    with pytest.raises(ValueError, match="cannot render"):
        SynthModel()("a cat plays piano", 0)
    with pytest.raises(ValueError, match="unknown violation"):
        SynthModel("levitate")
    with pytest.raises(ValueError, match="set by SynthModel"):
        SynthModel(size=32)


def test_model_identity_and_settings(tmp_path: Path) -> None:
    a = vk.testing.tiny_pipeline("wan", "t2v", seed=0)
    b = vk.testing.tiny_pipeline("wan", "t2v", seed=1)
    assert Model(a).identity() != Model(b).identity()  # same config, other weights
    folder = a.save_pretrained(tmp_path / "tiny")
    again = vk.load(folder)  # the same weights, loaded anew
    assert Model(again).identity()["weights"] == Model(a).identity()["weights"]
    m = vk.comparison.Model("some/spec", steps=4)
    assert m.kind == "spec" and m.settings == {"steps": 4}
    assert Model(SynthModel()).identity() != Model(SynthModel("teleport")).identity()
    ident = Model(str(folder)).identity()
    assert ident["spec"] == str(folder.resolve()) and len(ident["files"]) == 16
    (folder / "vidkit.json").write_text("{}")  # any change to the folder changes the identity
    assert Model(str(folder)).identity()["files"] != ident["files"]
    with pytest.raises(TypeError, match="a model must be"):
        Model(42)
    with pytest.raises(ValueError, match="not a model setting"):
        Model("x", seed=3)
    with pytest.raises(ValueError, match="'model' key"):
        vk.compare({"a": {"steps": 2}}, PROMPTS, store=tmp_path / "s", metrics=[])
    with pytest.raises(ValueError, match="reserved"):
        vk.compare({"reference": SynthModel()}, PROMPTS, store=tmp_path / "s", metrics=[])


def test_compare_argument_errors(tmp_path: Path) -> None:
    models = {"a": SynthModel()}
    with pytest.raises(ValueError, match="reference set"):
        vk.compare(models, PROMPTS, metrics=["fvd"], store=tmp_path / "s")
    with pytest.raises(ValueError, match="unknown metric"):
        vk.compare(models, PROMPTS, metrics=["sharpness"], store=tmp_path / "s")
    with pytest.raises(ValueError, match="distinct"):
        vk.compare(models, PROMPTS, seeds=[1, 1], metrics=[], store=tmp_path / "s")
    with pytest.raises(ValueError, match="non-negative"):
        vk.compare(models, PROMPTS, seeds=[-1], metrics=[], store=tmp_path / "s")
    with pytest.raises(TypeError, match="models must be a dict"):
        vk.compare(SynthModel(), PROMPTS, store=tmp_path / "s")
    with pytest.raises(ValueError, match="not a generation setting"):
        vk.compare(models, PROMPTS, metrics=[], store=tmp_path / "s", seed=3)
    assert as_metric("fvd").higher_is_better is False
    assert as_metric("physics").higher_is_better is True
    with pytest.raises(TypeError, match="a metric must be"):
        as_metric(3.5)


def test_span_projection_keeps_distances() -> None:
    from vidkit.metrics.frechet import fd_from_features, polynomial_mmd
    from vidkit.metrics.intervals import span_projection

    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(12, 128)), rng.normal(0.3, 1.2, size=(10, 128))
    pa, pb = span_projection(a, b)
    assert pa.shape == (12, 22) and pb.shape == (10, 22)
    for ia, ib in ((slice(None), slice(None)), ([0, 0, 3, 5, 7], [1, 1, 2, 9])):
        full = fd_from_features(a[ia], b[ib], warn=False)
        # equal up to the rounding of the ~100 zero eigenvalues of the full-space covariances
        assert fd_from_features(pa[ia], pb[ib], warn=False) == pytest.approx(full, rel=1e-6)
    mmd = polynomial_mmd(a, b)
    assert polynomial_mmd(pa, pb, gamma=1 / 128) == pytest.approx(mmd, rel=1e-9)
    big = rng.normal(size=(200, 8))
    assert span_projection(big, big)[0] is big  # nothing to gain: unchanged


# --------------------------------------------------------------------------- ranking
@pytest.fixture(scope="module")
def board(tmp_path_factory: pytest.TempPathFactory) -> Leaderboard:
    """Three "models" of known quality: exact physics, teleports, vanishing balls."""
    store = tmp_path_factory.mktemp("compare") / "store"
    metrics = [
        VideoMetric("smooth", _smoothness, higher_is_better=True),
        DistributionMetric("fvd", _extractor(), n_bootstrap=100),
        DistributionMetric("kvd", _extractor(), n_bootstrap=50),
    ]
    return vk.compare(
        {
            "exact": SynthModel(),
            "teleports": SynthModel("teleport"),
            "vanishes": SynthModel("vanish"),
        },
        PROMPTS,
        seeds=[0, 1],
        metrics=metrics,
        reference="synth",
        store=store,
        progress=False,
        n_bootstrap=500,
        **SIZE,
    )


def test_leaderboard_ranks_the_known_best_model_first(board: Leaderboard) -> None:
    assert board.models == ["exact", "teleports", "vanishes"]
    assert board.order()[0] == "exact" and board.best() == "exact"
    for metric in ("smooth", "fvd", "kvd"):
        assert board.best(metric) == "exact", metric
    # the exact model's CI on smoothness lies above both violated models' CIs
    lo_exact, _ = board.interval("exact", "smooth")
    for other in ("teleports", "vanishes"):
        assert board.interval(other, "smooth")[1] < lo_exact
        assert board.value(other, "fvd") > board.value("exact", "fvd")
    # directions are declared and respected
    assert board.directions["fvd"] is False and board.directions["smooth"] is True
    assert board.directions["smooth.max_step"] is True
    ranks = board.ranks()
    assert list(ranks.index)[0] == "exact" and ranks.loc["exact", "overall"] == 1
    t = board.table
    assert set(t["metric"]) == {"smooth", "smooth.max_step", "fvd", "kvd"}
    ok = t.dropna(subset=["value", "low", "high"])
    assert ((ok["low"] <= ok["value"] + 1e-9) & (ok["value"] <= ok["high"] + 1e-9)).all()
    assert (t[t["metric"] == "smooth"]["n"] == 8).all()
    fvd = board.model_results["exact"]["fvd"]
    assert fvd["n"] == 8 and fvd["n_reference"] == 8
    assert fvd["provenance"]["extractor"] == "motion"


def test_leaderboard_tables_and_exports(board: Leaderboard, tmp_path: Path) -> None:
    import pandas as pd

    s = board.summary()
    assert list(s.index) == board.order()
    assert {"smooth", "smooth low", "smooth high", "fvd", "rank"} <= set(s.columns)
    pp = board.per_prompt("smooth")
    assert pp.shape == (4, 3) and list(pp.columns) == board.models
    md = board.to_markdown(tmp_path / "lb.md")
    assert "fvd ↓" in md and "smooth ↑" in md and "**" in md and "95% bootstrap CI" in md
    assert (tmp_path / "lb.md").read_text() == md
    board.to_csv(tmp_path / "lb.csv")
    back = pd.read_csv(tmp_path / "lb.csv")
    assert len(back) == len(board.table) and set(back["model"]) == set(board.models)
    page = board.to_html(tmp_path / "lb.html", prompts=1)
    assert page.count("<video") == 3 and "data:image/png;base64" in page
    assert "vidkit-leaderboard" in board._repr_html_()
    assert "exact" in repr(board)
    fig = board.plot()
    assert len(fig.axes) == 4  # smooth, fvd, kvd, probe profile
    assert "<video" in board.show(prompt=1, seed=1, return_html=True)
    vids = board.videos(prompt="a red ball falls")
    assert list(vids) == board.models and vids["exact"].shape == (16, 32, 32, 3)
    with pytest.raises(KeyError, match="unknown metric"):
        board.best("sharpness")
    with pytest.raises(KeyError, match="unknown prompt"):
        board.videos(prompt="nope")
    viewer = board.viewer(prompt=0)
    assert viewer.titles == board.models


def test_second_run_reuses_everything(board: Leaderboard) -> None:
    calls = {"gen": 0, "eval": 0}
    exact = SynthModel()

    class Counting:
        def __init__(self, inner: SynthModel) -> None:
            self.inner = inner

        def identity(self) -> dict:
            return self.inner.identity()  # the same identity: the stored items apply

        def __call__(self, prompt: str, seed: int, **kw):
            calls["gen"] += 1
            return self.inner(prompt, seed, **kw)

    def counting_smooth(video, item):
        calls["eval"] += 1
        return _smoothness(video, item)

    metric = VideoMetric("smooth", counting_smooth, higher_is_better=True)
    metric.config = lambda: VideoMetric("smooth", _smoothness).config()  # same cache id
    again = vk.compare(
        {"exact": Counting(exact), "teleports": Counting(SynthModel("teleport"))},
        PROMPTS,
        seeds=[0, 1],
        metrics=[metric],
        store=board.store,
        progress=False,
        **SIZE,
    )
    assert calls == {"gen": 0, "eval": 0}
    assert again.value("exact", "smooth") == board.value("exact", "smooth")
    # one more seed: only the new items are made and evaluated
    vk.compare(
        {"exact": Counting(exact)},
        PROMPTS,
        seeds=[0, 1, 2],
        metrics=[metric],
        store=board.store,
        progress=False,
        **SIZE,
    )
    assert calls == {"gen": 4, "eval": 4}


def test_model_results_are_cached(board: Leaderboard) -> None:
    store = board.store
    results = list((store.root / "results").rglob("*.json"))
    assert len(results) == 6  # (fvd, kvd) x 3 models
    feats = list((store.root / "features").rglob("*.npz"))
    assert len(feats) == 3 * 8 + 8  # every model video and the 8 reference videos, once


def test_reference_as_videos_and_folder(tmp_path: Path) -> None:
    ref = [SynthModel()(p, 100 + i, **SIZE) for i, p in enumerate(PROMPTS * 2)][:6]
    metric = DistributionMetric("fvd", _extractor(), n_bootstrap=0)
    kw = dict(metrics=[metric], store=tmp_path / "s", progress=False, **SIZE)
    b1 = vk.compare(
        {"a": SynthModel(), "b": SynthModel("teleport")}, PROMPTS, [0, 1], reference=ref, **kw
    )
    folder = tmp_path / "ref"
    for i, v in enumerate(ref):
        vk.write_video(folder / f"{i:02d}.mp4", v)
    b2 = vk.compare(
        {"a": SynthModel(), "b": SynthModel("teleport")}, PROMPTS, [0, 1], reference=folder, **kw
    )
    assert b1.best("fvd") == b2.best("fvd") == "a"
    assert b1.model_results["a"]["fvd"]["n_reference"] == 6
    assert np.isnan(b1.model_results["a"]["fvd"]["low"])  # no bootstrap asked


def test_two_settings_of_one_pipeline(tmp_path: Path) -> None:
    pipe = vk.testing.tiny_pipeline("wan", "t2v")
    board = vk.compare(
        {"2 steps": {"model": pipe, "steps": 2}, "1 step": {"model": pipe, "steps": 1}},
        ["a red ball falls", "a blue ball falls"],
        seeds=[0],
        metrics=[VideoMetric("brightness", lambda v, item: float(v.frames.mean()))],
        store=tmp_path / "s",
        progress=False,
        num_frames=5,
    )
    rows = board.store.rows()
    assert len(rows) == 4 and {r["settings"]["steps"] for r in rows} == {1, 2}
    assert {r["model"] for r in rows} == {"2 steps", "1 step"}
    assert all(r["metadata"].get("steps") == r["settings"]["steps"] for r in rows)
    assert board.items.shape[0] == 4


# --------------------------------------------------------------------------- probes + SynthEncoder
@pytest.mark.skipif(
    not (_has_probes() and _has_synth_encoder()),
    reason="needs vk.probes.physics and the bundled SynthEncoder",
)
def test_probes_and_synth_fvd_rank_exact_physics_first(tmp_path: Path) -> None:
    board = vk.compare(
        {"exact": SynthModel(), "teleports": SynthModel("teleport")},
        PROMPTS,
        seeds=[0, 1],
        metrics=["physics", "fvd"],
        reference="synth",
        store=tmp_path / "s",
        progress=False,
        **SIZE,
    )
    assert board.best("physics") == "exact" and board.best("fvd") == "exact"
    assert any(c.startswith("physics.") for c in board.directions)


# --------------------------------------------------------------------------- tiny model
TINY = vk._config.data_dir() / "tiny-physics"


@pytest.mark.slow
@pytest.mark.skipif(
    not (TINY / "model_index.json").is_file(),
    reason="the bundled tiny model (data/tiny-physics) is not installed",
)
def test_tiny_final_checkpoint_beats_early(tmp_path: Path) -> None:
    """The bundled tiny model's final checkpoint against its early one (step 240 of 2400), with
    the model's own settings: one prompt per kind of the tiny suite, two seeds."""
    ids = ("free_fall-red", "projectile-green-left", "bounce-blue-right", "uniform-yellow-left")
    suite = [r for r in load_prompts("tiny") if r["id"] in ids]
    board = vk.compare(
        {"final": "vidkit/tiny-physics", "early": "vidkit/tiny-physics@early"},
        suite,
        seeds=[0, 1],
        metrics=["physics", "fvd"],
        reference="synth",
        store=tmp_path / "s",
        progress=False,
    )
    assert board.order() == ["final", "early"]
    assert board.best("fvd") == "final" and board.best("physics") == "final"
    # on FVD the two checkpoints are far apart: the intervals do not overlap
    assert board.interval("final", "fvd")[1] < board.interval("early", "fvd")[0]
    for model in ("final", "early"):
        for m in ("physics", "fvd"):
            lo, hi = board.interval(model, m)
            assert lo <= board.value(model, m) <= hi
    rows = board.store.rows()
    assert {r["settings"].get("steps") for r in rows if r["model"] != "reference"} == {None}
    assert {r["frames"] for r in rows} == {16} and {r["height"] for r in rows} == {32}


# --------------------------------------------------------------------------- processes
def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.skipif(
    not (_has_probes() and _has_synth_encoder()),
    reason="needs vk.probes.physics and the bundled SynthEncoder",
)
def test_two_processes_give_the_same_leaderboard(tmp_path: Path) -> None:
    """``accelerate launch --multi_gpu --num_processes 2 -m vidkit compare`` on a machine without
    GPUs (torchrun, gloo: two CPU processes) shards generation and evaluation and merges FVD/KVD
    statistics; the leaderboard equals a single-process run. (``--cpu --num_processes 2`` starts
    one process in accelerate 1.x: its CPU multi-process path is mpirun.)"""
    accelerate = shutil.which("accelerate", path=str(Path(sys.executable).parent))
    assert accelerate, "accelerate's launcher is part of the environment"
    folder = vk.testing.save_tiny_pipeline(tmp_path / "tiny-wan", "wan", "t2v")
    args = [
        *("compare", "--model", f"two={folder},steps=2", "--model", f"one={folder},steps=1"),
        *("--prompts", "tiny", "--limit", "2", "--seeds", "0", "--reference", "synth"),
        *("--metrics", "physics,fvd:synth,kvd:synth", "--bootstrap", "200", "--quiet"),
        *("--frames", "5"),
    ]
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1", TQDM_DISABLE="1")
    env["CUDA_VISIBLE_DEVICES"] = ""  # CPU processes even where a GPU exists
    launch = [accelerate, "launch", "--multi_gpu", "--num_processes", "2", "--num_machines", "1"]
    launch += ["--main_process_port", str(_free_port())]
    launch += ["--mixed_precision", "no", "--dynamo_backend", "no", "-m", "vidkit"]
    out2 = ["--store", str(tmp_path / "two"), "--out", str(tmp_path / "two.json")]
    proc = subprocess.run(
        [*launch, *args, *out2], env=env, capture_output=True, text=True, timeout=240
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    res2 = json.loads((tmp_path / "two.json").read_text())
    rows = vk.comparison.RunStore(tmp_path / "two").rows()
    assert len(rows) == 4 + 2  # 2 models x 2 prompts x 1 seed, plus the reference videos
    assert {r["process_index"] for r in rows} == {0, 1}  # both processes generated
    assert {r["num_processes"] for r in rows} == {2}

    # the same command in this one process
    from vidkit.cli import main

    out1 = ["--store", str(tmp_path / "one"), "--out", str(tmp_path / "one.json")]
    assert main([*args, *out1]) == 0
    res1 = json.loads((tmp_path / "one.json").read_text())
    # the same items, with the same frames (the files differ in recorded timings only)
    one, two = vk.comparison.RunStore(tmp_path / "one"), vk.comparison.RunStore(tmp_path / "two")
    assert one.keys() == two.keys()
    for key in one.keys():
        np.testing.assert_array_equal(one.video(key).frames, two.video(key).frames)
    t1 = {(r["model"], r["metric"]): r for r in res1["table"]}
    t2 = {(r["model"], r["metric"]): r for r in res2["table"]}
    assert t1.keys() == t2.keys() and t1
    for k in t1:
        for field in ("value", "low", "high"):
            a, b = t1[k][field], t2[k][field]
            # merged statistics differ from one-process sums by float rounding only (and the
            # FD of rank-deficient covariances carries ~1e-7 of eigenvalue noise)
            assert (a is None and b is None) or a == pytest.approx(b, rel=1e-6, abs=1e-9), k
        assert t1[k]["rank"] == t2[k]["rank"]
    prov = res2["model_results"]["two"]["fvd"]["provenance"]
    assert prov["processes"] == 2 and prov["n_fake"] == 2 and prov["n_real"] == 2
    assert res1["model_results"]["two"]["fvd"]["provenance"]["processes"] == 1


def test_clip_metric_with_a_tiny_offline_clip(tmp_path: Path) -> None:
    from vidkit.comparison import ClipMetric
    from vidkit.metrics.clip import clip_score, make_tiny_clip

    folder = make_tiny_clip(tmp_path / "clip", image_size=32)
    metric = ClipMetric(str(folder))
    board = vk.compare(
        {"exact": SynthModel()},
        PROMPTS[:2],
        seeds=[0],
        metrics=[metric],
        store=tmp_path / "s",
        progress=False,
        **SIZE,
    )
    assert board.directions["clip"] is True
    vals = board.items["clip"].to_numpy()
    assert np.isfinite(vals).all()
    # the cached value is clip_score's per-video score of the stored video
    v = board.videos(prompt=0)["exact"]
    expected = clip_score([v], [PROMPTS[0]], model=str(folder)).per_video[0]
    assert vals[0] == pytest.approx(expected, rel=1e-5)
    with pytest.raises(TypeError, match="ClipMetric model"):
        ClipMetric(42).config()
