"""The independent validation renderer (vidkit.validation): determinism, truth vs pixels,
violations vs their clean twins, and independence from vk.synth."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from vidkit import validation as V

PLAIN = {"background": "plain", "blur": 0.0, "noise": 0.0, "lighting": 0.0, "jpeg": None}


def _package_modules() -> list[Path]:
    """Every module of the vidkit.validation package (its __init__ and its submodules)."""
    root = Path(V.__file__).resolve().parent
    assert root.name == "validation" and (root / "__init__.py").is_file(), root
    return sorted(root.rglob("*.py"))


def test_imports_nothing_from_synth():
    modules = _package_modules()
    assert len(modules) > 1, modules  # the package and its submodules
    names = []
    for path in modules:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        found = []
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found += [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                # a relative import (from .. import synth) would escape the checks below
                assert not node.level, f"{path.name}:{node.lineno}: a relative import"
                found.append(node.module or "")
                found += [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") in (
                "import_module",
                "__import__",
            ):
                found.append("importlib")
            elif isinstance(node, ast.Name) and node.id == "__import__":
                found.append("importlib")
        assert found, f"no imports found in {path.name}: the AST walk is broken"
        names += found
    assert not [n for n in names if "synth" in n or n == "importlib"], names
    assert "synth" not in {n.split(".")[-1] for n in names}
    # vidkit imports only from vidkit.video and the package's own modules
    vidkit_names = {n.split(".")[1] for n in names if n.startswith("vidkit.")}
    assert vidkit_names <= {"video", "validation"}, vidkit_names
    # and at run time: rendering loads no vidkit module but vidkit, vidkit.errors, vidkit.video and
    # the validation package's own modules
    code = (
        "import sys, vidkit.validation as V; V.render('crossing', seed=0, frames=16); "
        "print(sorted(m for m in sys.modules if m.startswith('vidkit')))"
    )
    root = str(Path(V.__file__).resolve().parents[2])  # the vidkit under test
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([root, os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    # vidkit.errors: the standard-library-only error helpers that vidkit.video uses
    loaded = set(ast.literal_eval(out.stdout.strip()))  # a printed list of module names
    own = {f"vidkit.validation.{p.stem}" for p in modules if p.stem != "__init__"}
    outside = {m for m in loaded if not m.startswith("vidkit.validation.")}
    # the Video type is a package too (vidkit.video.core, .arrays, ...): its modules are allowed
    video_pkg = {m for m in outside if m.startswith("vidkit.video.")}
    allowed = {"vidkit", "vidkit.errors", "vidkit.validation", "vidkit.video"}
    assert outside - video_pkg <= allowed, loaded
    assert loaded - outside <= own, loaded - outside  # only modules of the package under test
    assert {"vidkit.validation", "vidkit.video", "vidkit.validation.rendering"} <= loaded, loaded


def test_deterministic_and_seeded():
    a = V.render("toss", seed=5, camera="shake", size=(96, 72), fps=12, frames=24)
    b = V.render("toss", seed=5, camera="shake", size=(96, 72), fps=12, frames=24)
    c = V.render("toss", seed=6, camera="shake", size=(96, 72), fps=12, frames=24)
    assert np.array_equal(a.video.uint8, b.video.uint8)
    assert a.truth_json() == b.truth_json()
    assert not np.array_equal(a.video.uint8, c.video.uint8)
    assert [s["seed"] for s in V.specs(3, 1, seed=2)] == [s["seed"] for s in V.specs(3, 1, seed=2)]


@pytest.mark.parametrize(
    "size,fps,frames", [((96, 72), 8.0, 24), ((320, 180), 60.0, 24), ((256, 144), 24.0, 40)]
)
def test_shapes_fps_sizes(size, fps, frames):
    clip = V.render("bounce", seed=1, size=size, fps=fps, frames=frames, jpeg=60)
    w, h = size
    assert clip.video.shape == (frames, h, w, 3)
    assert clip.video.fps == fps
    for o in clip.truth["objects"]:
        assert len(o["x"]) == len(o["y"]) == len(o["radius"]) == len(o["visible"]) == frames
    assert clip.truth["camera_motion"].shape == (frames, 2, 3)


def _ball_mask(clip, k, pad=2.0):
    """Pixels of frame k within ``radius + pad`` of some object's true centre."""
    _, h, w, _ = clip.video.shape
    ys, xs = np.mgrid[0:h, 0:w]
    mask = np.zeros((h, w), bool)
    for o in clip.truth["objects"]:
        if np.isfinite(o["x"][k]):
            mask |= np.hypot(xs - o["x"][k], ys - o["y"][k]) <= o["radius"][k] + pad
    return mask


def _centroid_errors(clip, pad=3):
    f = clip.video.frames
    # the static background: each pixel averaged over the frames where no object is near it
    clear = np.stack([~_ball_mask(clip, k) for k in range(len(f))])[..., None]
    bg = (f * clear).sum(axis=0) / np.maximum(clear.sum(axis=0), 1)
    errs = []
    for o in clip.truth["objects"]:
        for k in range(len(f)):
            if o["visible_fraction"][k] < 0.97:
                continue
            x, y, r = o["x"][k], o["y"][k], o["radius"][k]
            x0, y0 = int(max(0, x - r - pad)), int(max(0, y - r - pad))
            x1, y1 = int(min(f.shape[2], x + r + pad + 1)), int(min(f.shape[1], y + r + pad + 1))
            wgt = np.abs(f[k, y0:y1, x0:x1] - bg[y0:y1, x0:x1]).sum(axis=-1)
            ys, xs = np.mgrid[y0:y1, x0:x1]
            cx, cy = (wgt * xs).sum() / wgt.sum(), (wgt * ys).sum() / wgt.sum()
            errs.append(np.hypot(cx - x, cy - y))
    return np.array(errs)


@pytest.mark.parametrize(
    "kind,camera", [("glide", "static"), ("toss", "static"), ("glide", "zoom")]
)
def test_ball_centroid_matches_truth(kind, camera):
    opts = dict(PLAIN)
    if camera != "static":
        opts["background"] = "plain"
    clip = V.render(kind, seed=3, camera=camera, size=(160, 120), fps=24, frames=32, **opts)
    errs = _centroid_errors(clip)
    assert len(errs) >= 20
    assert errs.max() < 0.5, errs.max()


def test_pan_truth_matches_background_shift():
    clip = V.render(
        "glide",
        seed=2,
        camera="pan",
        size=(160, 120),
        fps=24,
        frames=32,
        background="perlin",
        blur=0.0,
        noise=0.0,
        lighting=0.0,
    )
    gray = clip.video.frames.mean(axis=-1).astype(np.float64)
    shift = clip.truth["camera_shift"]
    assert np.abs(shift[-1]).max() > 8  # the camera really pans
    h, w = gray.shape[1:]

    def measured_shift(a, b, k, span):
        """The translation that best warps a onto b (grid search, then 0.1 px refinement),
        on the background only (the ball is masked out in both frames)."""
        keep_b = ~_ball_mask(clip, k, pad=4)
        mask_a = (~_ball_mask(clip, 0, pad=4)).astype(np.float32)

        def cost(dx, dy):
            m = np.array([[1.0, 0, dx], [0, 1.0, dy]])
            warped = cv2.warpAffine(a, m, (w, h), borderValue=-1)
            ok = (warped >= 0) & keep_b & (cv2.warpAffine(mask_a, m, (w, h)) > 0.99)
            return np.abs(warped - b)[ok].mean()

        grid = [(dx, dy) for dx in range(-span, span + 1) for dy in range(-span, span + 1)]
        bx, by = min(grid, key=lambda d: cost(*d))
        fine = [(bx + i / 10, by + j / 10) for i in range(-6, 7) for j in range(-6, 7)]
        return min(fine, key=lambda d: cost(*d))

    for k in (6, 12):
        dx, dy = measured_shift(gray[0], gray[k], k, int(np.abs(shift[k]).max()) + 3)
        assert abs(dx - shift[k, 0]) < 0.5 and abs(dy - shift[k, 1]) < 0.5, (k, dx, dy, shift[k])
    # the last frame: frame 0 warped by the true motion matches it where both see the world,
    # better than with the motion off by one pixel in any direction
    k = len(gray) - 1

    def err(m):
        warped = cv2.warpAffine(gray[0], m, (w, h), borderValue=-1)
        ok = (warped >= 0) & ~_ball_mask(clip, k, pad=4)
        ok &= cv2.warpAffine((~_ball_mask(clip, 0, pad=4)).astype(np.float32), m, (w, h)) > 0.99
        ok[:, :4] = ok[:, -4:] = False
        return np.abs(warped - gray[k])[ok].mean()

    m = clip.truth["camera_motion"][k]
    for dx, dy in ((1, 0), (-1, 0), (0, 1), (0, -1)):
        assert err(m) < err(m + np.array([[0, 0, dx], [0, 0, dy]]))


def test_cut_changes_content_at_the_cut():
    clip = V.render("bounce", seed=4, frames=48, cut=24, size=(128, 96))
    f = clip.video.frames
    diff = np.abs(np.diff(f, axis=0)).mean(axis=(1, 2, 3))
    assert clip.truth["cuts"] == [24] and clip.truth["shots"] == [[0, 24], [24, 48]]
    assert diff[23] > 5 * np.median(diff)  # frames 23 -> 24
    assert int(np.argmax(diff)) == 23
    shots = {o["shot"] for o in clip.truth["objects"]}
    assert shots == {0, 1}
    second = [o for o in clip.truth["objects"] if o["shot"] == 1][0]
    assert not second["visible"][:24].any() and second["visible"][24:].any()


CASES = [
    ("teleport", "toss", "static"),
    ("vanish", "glide", "pan"),
    ("appear", "bounce", "static"),
    ("resize", "roll", "zoom"),
    ("recolor", "crossing", "static"),
    ("wrong_gravity", "toss", "shake"),
    ("energy_gain", "bounce", "static"),
    ("stutter", "glide", "pan"),
]


@pytest.mark.parametrize("violation,kind,camera", CASES)
def test_violation_visible_against_clean_twin(violation, kind, camera):
    kw = dict(seed=11, camera=camera, size=(128, 96), fps=15, frames=32)
    bad = V.render(kind, violation=violation, **kw)
    t = bad.truth
    assert t["violation"] == violation and t["violation_frames"]
    clean = V.render(kind, attempt=t["attempt"], **kw)
    assert clean.truth["violation"] is None
    f0 = t["violation_frames"][0]
    a, b = bad.video.frames, clean.video.frames
    per_frame = np.abs(a - b).max(axis=(1, 2, 3))
    if violation == "appear":
        assert per_frame[:f0].max() > 0.2 and per_frame[f0:].max() == 0
    else:
        assert per_frame[:f0].max() == 0, "frames before the violation must match the clean twin"
        assert per_frame[f0:].max() > 0.2
    j = t["violation_object"]
    o, oc = t["objects"][j], clean.truth["objects"][j]
    w, h = 128, 96
    if violation == "teleport":
        p = t["violation_params"]
        assert p["jump_px"] >= 3 * p["usual_step_px"] and p["jump_px"] >= 0.12 * min(w, h)
    if violation in ("vanish", "appear"):
        k = f0 - 1 if violation == "vanish" else f0
        assert o["visible_fraction"][k] > 0.99  # not behind an occluder nor at the border
        r = o["radius"][k]
        assert r + 4 <= o["x"][k] <= w - r - 4 and r + 4 <= o["y"][k] <= h - r - 4
        hidden = o["visible"][f0:] if violation == "vanish" else o["visible"][:f0]
        assert not hidden.any()
    if violation == "resize":
        ratio = o["radius"][f0] / oc["radius"][f0]
        assert ratio >= 1.3 or ratio <= 1 / 1.3
    if violation == "recolor":
        assert np.linalg.norm(o["colors"][f0] - o["colors"][f0 - 1]) >= 0.4
    if violation == "stutter":
        n = len(t["violation_frames"])
        assert np.array_equal(bad.video.uint8[f0 - 1], bad.video.uint8[f0 + n - 1]) or (
            t["violation_params"]["mode"] == "frozen"
        )
        assert np.hypot(o["x"][f0 + n] - o["x"][f0 - 1], o["y"][f0 + n] - o["y"][f0 - 1]) > 3
    if violation == "energy_gain":
        assert t["violation_params"]["restitution"] > 1.15


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="unknown kind"):
        V.render("explode")
    with pytest.raises(ValueError, match="does not apply"):
        V.render("roll", violation="energy_gain")
    with pytest.raises(ValueError, match="camera"):
        V.render("toss", camera="dolly")
    with pytest.raises(TypeError, match="size"):
        V.render("toss", size=160)
    with pytest.raises(ValueError, match="frames"):
        V.render("toss", frames=4)
    with pytest.raises(TypeError, match="spec"):
        V.render_spec(["toss"])


def test_suite_is_varied_and_reproducible():
    sp = V.specs(28, 2, seed=0)
    assert len(sp) == 28 + 2 * len(V.VIOLATIONS)
    assert {s["kind"] for s in sp} == set(V.KINDS)
    assert {s["camera"] for s in sp} == set(V.CAMERAS)
    assert all(8 <= s["fps"] <= 60 and 24 <= s["frames"] <= 64 for s in sp)
    assert len({s["size"] for s in sp}) >= 4
    clips = list(V.suite(2, 0, seed=3))
    again = list(V.suite(2, 0, seed=3))
    assert len(clips) == 2
    assert all(np.array_equal(a.video.uint8, b.video.uint8) for a, b in zip(clips, again))


def test_occluded_ball_is_hidden_where_the_truth_says():
    clip = V.render("occluded", seed=7, size=(160, 120), fps=15, frames=40, **PLAIN)
    o = clip.truth["objects"][0]
    f = clip.video.frames
    hidden = np.flatnonzero(o["visible_fraction"] < 0.01)
    seen = np.flatnonzero(o["visible_fraction"] > 0.99)
    assert len(hidden) >= 1 and len(seen) >= 10
    assert seen.min() < hidden.min() and seen.max() > hidden.max()  # goes behind, comes out
    for k in hidden:
        disc = _ball_mask(clip, k, pad=-1.0)
        # a frame where the ball is far: the same pixels show the occluder, as at frame k
        far = max(
            range(len(f)), key=lambda j: np.hypot(o["x"][j] - o["x"][k], o["y"][j] - o["y"][k])
        )
        assert np.abs(f[k][disc] - f[far][disc]).max() < 2 / 255
    for k in seen:
        # the pixel at the true centre has the ball's colour (shading is zero at the centre)
        centre = f[k, int(round(o["y"][k])), int(round(o["x"][k]))]
        assert np.abs(centre - o["color"]).max() < 0.03
