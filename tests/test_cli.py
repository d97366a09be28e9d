"""The ``vidkit`` command line: help, every command, clear errors and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
import types
from pathlib import Path

import pytest

import vidkit as vk
from vidkit.cli import main, parse_model

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = ("demo", "render", "generate", "evaluate", "compare")
SMALL = ["--frames", "16", "--height", "32", "--width", "32"]


def test_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as e:
        main(["--help"])
    assert e.value.code == 0
    out = capsys.readouterr().out
    for cmd in (*COMMANDS, "train-tiny"):
        assert cmd in out
    assert "exit codes" in out
    for cmd in COMMANDS:
        with pytest.raises(SystemExit) as e:
            main([cmd, "--help"])
        assert e.value.code == 0
        assert f"vidkit {cmd}" in capsys.readouterr().out
    assert main([]) == 2  # no command: the help, and a usage error code


def test_module_entry_point() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "vidkit", "compare", "--help"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    assert "--model NAME=SPEC" in out.stdout and "accelerate launch" in out.stdout


def test_parse_model() -> None:
    assert parse_model("a=some/model") == ("a", "some/model")
    assert parse_model("some/model") == ("some/model", "some/model")
    name, m = parse_model("fast = ./folder , steps=4, guidance=2.5, negative_prompt=blurry")
    assert name == "fast"
    assert m == {"model": "./folder", "steps": 4, "guidance": 2.5, "negative_prompt": "blurry"}
    assert parse_model("s=synth")[1].violation is None
    assert parse_model("v=synth:vanish")[1].violation == "vanish"
    for bad in ("", "=x", "a=", "a=m,steps"):
        with pytest.raises(ValueError):
            parse_model(bad)


def test_compare_writes_the_leaderboard(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    outs = [tmp_path / f"lb.{ext}" for ext in ("md", "csv", "html", "json")]
    rc = main(
        [
            *("compare", "--model", "exact=synth", "--model", "teleports=synth:teleport"),
            *("--prompts", "tiny", "--limit", "3", "--seeds", "0-1", "--metrics", "physics"),
            *("--store", str(tmp_path / "store"), "--quiet", "--bootstrap", "200", *SMALL),
            *[x for o in outs for x in ("--out", str(o))],
        ]
    )
    assert rc == 0
    out = capsys.readouterr().out
    assert "| exact | 1 |" in out and "| teleports | 2 |" in out and "physics ↑" in out
    assert all(o.is_file() for o in outs)
    data = json.loads(outs[3].read_text())
    assert {r["model"] for r in data["table"]} == {"exact", "teleports"}
    assert len(data["items"]) == 2 * 3 * 2
    assert "<video" in outs[2].read_text()
    assert len(vk.comparison.RunStore(tmp_path / "store").rows()) == 12


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["compare"], "at least one --model"),
        (["compare", "--model", "a=synth", "--seeds", "x"], "--seeds must be integers"),
        (["compare", "--model", "a=synth", "--metrics", "sharpness"], "unknown metric"),
        (["compare", "--model", "a=synth", "--metrics", "fvd"], "reference set"),
        (["compare", "--model", "a=synth", "--out", "lb.pdf"], "use a .md, .csv"),
        (["compare", "--model", "a=synth", "--model", "a=synth:vanish"], "two models are named"),
        (["compare", "--model", "a=synth", "--prompts", "nope.jsonl"], "no prompt file"),
        (["evaluate", "missing.mp4"], "no video file"),
        (["generate", "--model", "m", "--prompt", "p", "--out", "x.txt"], "give a .mp4"),
        (["render", "bounce", "--out", "x.mp4", "--violation", "levitate"], "unknown violation"),
    ],
)
def test_bad_input_exits_2(
    args: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if args[0] == "compare":
        args = [*args, "--store", str(tmp_path / "s"), "--quiet"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"vidkit {args[0]}: error:") and message in err
    assert err.count("\n") == 1  # one line, no traceback


def test_evaluate_finds_the_violation(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    clean = tmp_path / "clean.mp4"
    bad = tmp_path / "teleport.mp4"
    assert main(["render", "projectile", "--seed", "1", "--out", str(clean)]) == 0
    assert (
        main(["render", "projectile", "--seed", "1", "--violation", "teleport", "--out", str(bad)])
        == 0
    )
    capsys.readouterr()
    assert main(["evaluate", str(clean), "--strict"]) == 0
    assert main(["evaluate", str(clean), str(bad), "--out", str(tmp_path / "e.csv")]) == 0
    out = capsys.readouterr().out
    assert "continuity" in out and "fail" in out
    import pandas as pd

    table = pd.read_csv(tmp_path / "e.csv")
    assert list(table["verdict"]) == ["pass", "fail"]
    assert table["physics"].iloc[0] == 1.0 > table["physics"].iloc[1]
    assert main(["evaluate", str(bad), "--strict", "--quiet"]) == 1  # a failed check
    assert main(["evaluate", str(bad), "--metrics", "fvd"]) == 2
    assert "needs --reference" in capsys.readouterr().err


def test_generate_with_a_saved_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = vk.testing.save_tiny_pipeline(tmp_path / "tiny", "wan", "t2v")
    out = tmp_path / "a.mp4"
    rc = main(
        [
            *("generate", "--model", str(folder), "--prompt", "a red ball falls"),
            *("--out", str(out), "--steps", "2", "--frames", "5", "--seed", "3", "--quiet"),
        ]
    )
    assert rc == 0
    v = vk.read_video(out)
    assert v.num_frames == 5 and v.metadata["seed"] == 3 and v.metadata["steps"] == 2
    assert "5 frames" in capsys.readouterr().out
    assert (
        main(["generate", "--model", str(tmp_path / "none"), "--prompt", "p", "--out", str(out)])
        == 2
    )


def test_train_tiny_forwards_its_arguments(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = {}

    def fake_main(argv):
        seen["argv"] = argv
        return 0

    monkeypatch.setitem(sys.modules, "vidkit.tiny.train", types.SimpleNamespace(main=fake_main))
    assert main(["train-tiny", "--out", "runs/t", "--steps", "3", "--help"]) == 0
    assert seen["argv"] == ["--out", "runs/t", "--steps", "3", "--help"]


def test_train_tiny_missing_module(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "vidkit.tiny.train", None)  # import fails
    assert main(["train-tiny", "--steps", "3"]) == 2
    assert "vidkit.tiny.train is not available" in capsys.readouterr().err


def test_demo_compares_the_given_models(tmp_path: Path) -> None:
    rc = main(
        [
            *("demo", "--out", str(tmp_path / "demo"), "--size", "32"),
            *("--model", "exact=synth", "--model", "vanishes=synth:vanish"),
            *("--limit", "2", "--seeds", "0"),
        ]
    )
    assert rc == 0
    page = (tmp_path / "demo" / "report.html").read_text()
    assert "What the physics probes find" in page and "vidkit-leaderboard" in page
    assert page.count("<video") >= 8 + 4 + 2 * 2  # scenes, the tiny model's tasks, both models
    # the bundled tiny model does text-, image- and video-to-video, each checked by the probes
    assert "Text-, image- and video-to-video with the tiny model" in page
    for task in ("t2v", "i2v", "v2v"):
        video = vk.read_video(tmp_path / "demo" / f"tiny_{task}.mp4")
        assert video.metadata["task"] == task and video.shape == (16, 32, 32, 3)
    board = (tmp_path / "demo" / "leaderboard.md").read_text()
    assert board.index("| exact |") < board.index("| vanishes |")


def test_demo_without_the_models_says_so(tmp_path: Path) -> None:
    import html

    from vidkit.demo import _demo_compare
    from vidkit.report import Report

    rep = Report("demo")
    models = {"final": str(tmp_path / "absent")}
    _demo_compare(
        rep, tmp_path, models=models, prompts="tiny", seeds=[0], limit=2, settings={}, quiet=True
    )
    page = html.unescape(rep.html())
    assert "comparison of 'final' was skipped" in page and "no model folder" in page
    assert "vidkit-leaderboard" not in page
    assert not (tmp_path / "leaderboard.md").exists()
