"""vk.synth: exact physics, sub-pixel rendering, controlled violations, dataset round trip."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

import vidkit as vk
from vidkit.synth import KINDS, VIOLATIONS, Truth
from vidkit.synth.drawing import PLAIN_COLOR
from vidkit.synth.physics import Ballistic, Intervention, Pendulum

BG = np.array(PLAIN_COLOR, dtype=np.float64)
SEEDS = (0, 1, 2, 3)


# ----------------------------------------------------------------------------- measurement helpers
def object_weight(frames: np.ndarray, color: np.ndarray) -> np.ndarray:
    """Per-pixel coverage of one colour over the plain background, from the pixels alone.

    A pixel counts when it lies on the segment background -> colour (residual < 0.05), i.e. it is
    clearly a mix of the object colour and the background; its weight is the mixing fraction.
    """
    d = frames.astype(np.float64) - BG
    u = np.asarray(color, dtype=np.float64) - BG
    a = d @ u / (u @ u)
    resid = np.linalg.norm(d - a[..., None] * u, axis=-1)
    return np.where((resid < 0.05) & (a > 0.02), np.clip(a, 0, 1), 0.0)


def measured_centroids(scene, obj: int) -> np.ndarray:
    """Weighted centroid (x, y) of the object's pixels in every frame (NaN where none)."""
    frames = scene.video.frames
    w = object_weight(frames, scene.truth.colors[obj, 0])
    ys, xs = np.mgrid[: frames.shape[1], : frames.shape[2]]
    tot = w.sum(axis=(1, 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        cx = (w * xs).sum(axis=(1, 2)) / tot
        cy = (w * ys).sum(axis=(1, 2)) / tot
    return np.stack([cx, cy], axis=-1)


def clearly_object(frames: np.ndarray, color: np.ndarray) -> np.ndarray:
    """Pixels within 0.12 (RGB distance) of the object colour: the object's core."""
    return np.linalg.norm(frames.astype(np.float64) - np.asarray(color), axis=-1) < 0.12


# ----------------------------------------------------------------------------- rendering accuracy
@pytest.mark.parametrize("kind", KINDS)
def test_rendered_centroid_within_half_pixel_every_frame(kind):
    worst = 0.0
    for seed in SEEDS:
        scene = vk.synth.render(kind, seed=seed)
        t = scene.truth
        assert t.visible.all()
        for i in range(t.num_objects):
            c = measured_centroids(scene, i)
            err = np.linalg.norm(c - t.centers[i], axis=-1)
            assert np.isfinite(err).all()
            worst = max(worst, float(err.max()))
    assert worst < 0.5, f"{kind}: worst centroid error {worst:.3f} px"
    # the analytic edge ramp is far better than the contract: keep it that way
    assert worst < 0.2, f"{kind}: worst centroid error {worst:.3f} px"


def test_rendered_area_matches_radius():
    scene = vk.synth.render("uniform", seed=5)
    w = object_weight(scene.video.frames, scene.truth.colors[0, 0])
    area = w.sum(axis=(1, 2))
    expected = math.pi * scene.truth.radii[0] ** 2
    np.testing.assert_allclose(area, expected, rtol=0.03)


@pytest.mark.parametrize("kind", KINDS)
def test_objects_stay_inside_frame_for_defaults(kind):
    for seed in range(12):
        scene = vk.synth.render(kind, seed=seed)
        c, r = scene.truth.centers, scene.truth.radii
        h, w = scene.video.height, scene.video.width
        assert (c[..., 0] - r >= -1e-6).all() and (c[..., 0] + r <= w - 1 + 1e-6).all()
        assert (c[..., 1] - r >= -1e-6).all() and (c[..., 1] + r <= h - 1 + 1e-6).all()


def test_video_type_and_metadata():
    scene = vk.synth.render("projectile", seed=4, size=(48, 80), frames=20, fps=10)
    v = scene.video
    assert isinstance(v, vk.Video)
    assert v.shape == (20, 48, 80, 3) and v.frames.dtype == np.float32 and v.fps == 10
    assert 0 <= v.frames.min() and v.frames.max() <= 1
    assert v.metadata["kind"] == "projectile" and v.metadata["seed"] == 4
    assert v.metadata["prompt"] == scene.prompt
    assert v.metadata["violation"] is None
    json.dumps(v.metadata)  # serialisable provenance


# ----------------------------------------------------------------------------- physics
def test_free_fall_is_an_exact_parabola_with_recorded_g():
    scene = vk.synth.render("free_fall", seed=3)
    t = scene.truth
    times = np.arange(t.num_frames) / t.constants["fps"]
    coef = np.polyfit(times, t.centers[0, :, 1], 2)
    assert coef[0] * 2 == pytest.approx(t.constants["g"], rel=1e-9)
    assert np.ptp(t.centers[0, :, 0]) == 0  # straight down
    # the fall spans most of the usable height in the clip
    assert np.ptp(t.centers[0, :, 1]) > 0.5 * scene.video.height
    np.testing.assert_allclose(
        np.diff(t.velocities[0, :, 1]) * t.constants["fps"], t.constants["g"]
    )


def test_projectile_parabola_and_direction_in_prompt():
    for seed in range(8):
        scene = vk.synth.render("projectile", seed=seed)
        t = scene.truth
        vx = t.velocities[0, 0, 0]
        assert np.allclose(t.velocities[0, :, 0], vx)
        assert ("to the right" in scene.prompt) == (vx > 0)
        assert ("to the left" in scene.prompt) == (vx < 0)
        assert t.constants["color_names"][0] in scene.prompt
        times = np.arange(t.num_frames) / t.constants["fps"]
        assert 2 * np.polyfit(times, t.centers[0, :, 1], 2)[0] == pytest.approx(t.constants["g"])


def test_bounce_times_are_analytic_and_restitution_holds():
    scene = vk.synth.render("bounce", seed=2)
    t = scene.truth
    c = t.constants
    g, e, floor = c["g"], c["restitution"], c["floor_y"]
    bounces = [ev for ev in t.events if ev["type"] == "bounce"]
    assert len(bounces) >= 2
    y0, r = t.centers[0, 0, 1], t.radii[0, 0]
    # released from rest: first impact at sqrt(2 h / g), exactly
    assert bounces[0]["time"] == pytest.approx(math.sqrt(2 * (floor - r - y0) / g), rel=1e-12)
    for ev in bounces:
        assert ev["speed_out"] == pytest.approx(e * ev["speed_in"], rel=1e-12)
    # between bounces: flight time 2 v / g
    assert bounces[1]["time"] - bounces[0]["time"] == pytest.approx(
        2 * bounces[0]["speed_out"] / g, rel=1e-9
    )
    assert (t.centers[0, :, 1] + r <= floor + 1e-9).all()
    assert "on a grey floor" in scene.prompt
    assert ("to the right" in scene.prompt) == (t.velocities[0, 0, 0] > 0)


def test_ballistic_engine_bounce_rests_and_events_are_exact():
    world = Ballistic([[0.0, 0.0]], [[0.0, 0.0]], radii=[1.0], g=10.0, floor_y=21.0, e_floor=0.5)
    traj = world.run(10.0)
    times = [ev["time"] for ev in traj.events]
    # geometric series: t1 = 2, then flights of 2, 1, 0.5, ... -> rest before t = 6
    assert times[0] == pytest.approx(2.0, abs=1e-12)
    assert times[1] == pytest.approx(4.0, abs=1e-12)
    assert times[2] == pytest.approx(5.0, abs=1e-12)
    p, v = traj.at(np.array([9.0]))
    assert p[0, 0, 1] == pytest.approx(20.0) and v[0, 0, 1] == 0


def test_pendulum_conserves_energy_and_rod_length():
    scene = vk.synth.render("pendulum", seed=1)
    t, c = scene.truth, scene.truth.constants
    pivot = np.array(c["pivot"])
    np.testing.assert_allclose(
        np.linalg.norm(t.centers[0] - pivot, axis=-1), c["length"], rtol=1e-12
    )
    energy = 0.5 * (t.velocities[0] ** 2).sum(-1) - c["g"] * (t.centers[0, :, 1] - pivot[1])
    scale = c["g"] * c["length"]
    assert np.ptp(energy) / scale < 1e-6
    # it swings: the bob crosses below the pivot
    assert (
        np.sign(t.centers[0, :, 0] - pivot[0]).min()
        < 0
        < np.sign(t.centers[0, :, 0] - pivot[0]).max()
    )


def test_pendulum_small_angle_period():
    length, g = 30.0, 300.0
    period = 2 * math.pi * math.sqrt(length / g)
    times = np.linspace(0, period, 65)
    m = Pendulum((0.0, 0.0), length, theta0=1e-3, g=g).run(times)
    assert m.theta[-1] == pytest.approx(1e-3, rel=1e-5)
    assert m.theta[32] == pytest.approx(-1e-3, rel=1e-5)


@pytest.mark.parametrize("restitution", [1.0, 0.5, 0.0])
def test_collision_conserves_momentum(restitution):
    for seed in range(4):
        scene = vk.synth.render("collision", seed=seed, restitution=restitution)
        t = scene.truth
        m = np.array(t.constants["masses"])
        momentum = (m[:, None, None] * t.velocities).sum(0)
        np.testing.assert_allclose(
            momentum,
            np.broadcast_to(momentum[0], momentum.shape),
            atol=1e-9 * np.abs(momentum).max(),
        )
        hits = [ev for ev in t.events if ev["type"] == "collision"]
        assert len(hits) == 1
        k = hits[0]["frame"]
        ke = 0.5 * (m[:, None] * (t.velocities**2).sum(-1)).sum(0)
        # relative normal velocity reverses scaled by e; KE kept only when elastic
        if restitution == 1.0:
            assert ke[-1] == pytest.approx(ke[0], rel=1e-9)
        else:
            assert ke[k] < ke[0] * (1 - 1e-3)
        # line of centres at the contact instant (constant velocities after it)
        dt = k / t.constants["fps"] - hits[0]["time"]
        contact = t.centers[:, k] - t.velocities[:, k] * dt
        d = contact[1] - contact[0]
        assert np.linalg.norm(d) == pytest.approx(t.radii[:, 0].sum(), rel=1e-9)
        n = d / np.linalg.norm(d)
        u_before = (t.velocities[1, k - 1] - t.velocities[0, k - 1]) @ n
        u_after = (t.velocities[1, k] - t.velocities[0, k]) @ n
        assert u_after == pytest.approx(-restitution * u_before, abs=1e-9)
        assert "collide" in scene.prompt


def test_collision_modes():
    one = vk.synth.render("collision", seed=0, mode="1d").truth
    assert np.ptp(one.centers[..., 1]) == pytest.approx(0, abs=1e-9)
    two = vk.synth.render("collision", seed=0, mode="2d")
    assert np.ptp(two.truth.centers[..., 1]) > 0.5
    assert "at an angle" in two.prompt


def test_uniform_constant_velocity_and_direction_words():
    for seed in range(10):
        scene = vk.synth.render("uniform", seed=seed)
        t = scene.truth
        assert np.ptp(t.velocities[0], axis=0).max() == 0
        vx, vy = t.velocities[0, 0]
        words = scene.prompt
        if abs(vx) > 0.92 * math.hypot(vx, vy):
            assert ("right" if vx > 0 else "left") in words
        if abs(vy) > 0.92 * math.hypot(vx, vy):
            assert ("down" if vy > 0 else "up") in words
        assert "constant speed" in words


@pytest.mark.parametrize("kind", KINDS)
def test_changing_fps_samples_the_same_motion(kind):
    slow = vk.synth.render(kind, seed=7, frames=16, fps=8.0).truth
    fast = vk.synth.render(kind, seed=7, frames=32, fps=16.0).truth
    np.testing.assert_allclose(fast.centers[:, ::2], slow.centers, atol=1e-5)
    assert fast.constants["g"] == pytest.approx(slow.constants["g"])


def test_given_g_is_used():
    scene = vk.synth.render("free_fall", seed=0, g=15.0)
    assert scene.truth.constants["g"] == 15.0
    times = np.arange(32) / 16
    assert 2 * np.polyfit(times, scene.truth.centers[0, :, 1], 2)[0] == pytest.approx(15.0)


# ----------------------------------------------------------------------------- violations
def _pair(kind, violation, seed=0, **kw):
    clean = vk.synth.render(kind, seed=seed, **kw)
    bad = vk.synth.render(kind, seed=seed, violation=violation, **kw)
    return clean, bad


def test_same_seed_same_base_scene_for_every_violation():
    for kind in KINDS:
        for violation in VIOLATIONS:
            if violation == "wrong_gravity" and kind in ("collision", "uniform"):
                continue
            clean, bad = _pair(kind, violation, seed=1)
            assert bad.prompt == clean.prompt
            v = bad.truth.violation
            assert v["name"] == violation
            if violation in ("reverse", "stutter"):
                continue
            k = v.get("from_frame", v["frame"])
            np.testing.assert_array_equal(bad.truth.centers[:, :k], clean.truth.centers[:, :k])
            if violation not in ("appear", "flicker"):
                np.testing.assert_array_equal(bad.video.frames[:k], clean.video.frames[:k])


@pytest.mark.parametrize("kind", KINDS)
def test_resize_changes_radius_and_nothing_else(kind):
    clean, bad = _pair(kind, "resize", seed=2)
    v = bad.truth.violation
    k, obj, f = v["frame"], v["object"], v["factor"]
    np.testing.assert_array_equal(bad.truth.centers, clean.truth.centers)
    np.testing.assert_array_equal(bad.truth.velocities, clean.truth.velocities)
    np.testing.assert_array_equal(bad.truth.colors, clean.truth.colors)
    np.testing.assert_allclose(bad.truth.radii[obj, k:], clean.truth.radii[obj, k:] * f)
    np.testing.assert_array_equal(bad.truth.radii[obj, :k], clean.truth.radii[obj, :k])
    np.testing.assert_array_equal(bad.video.frames[:k], clean.video.frames[:k])
    # the rendered object really changed size (core pixel count scales with the area)
    color = clean.truth.colors[obj, 0]
    core_c = clearly_object(clean.video.frames[k:], color).sum(axis=(1, 2)).mean()
    core_b = clearly_object(bad.video.frames[k:], color).sum(axis=(1, 2)).mean()
    assert core_b / core_c == pytest.approx(f**2, rel=0.35)
    assert (core_b > core_c) == (f > 1)


@pytest.mark.parametrize("kind", ["free_fall", "projectile", "uniform", "collision", "pendulum"])
def test_teleport_is_one_jump_of_several_radii(kind):
    clean, bad = _pair(kind, "teleport", seed=3)
    v = bad.truth.violation
    k, obj = v["frame"], v["object"]
    r = bad.truth.radii[obj, 0]
    assert v["distance"] >= 3 * r
    steps = np.linalg.norm(np.diff(bad.truth.centers[obj], axis=0), axis=-1)
    jumps = np.flatnonzero(steps > 2 * r)
    assert jumps.tolist() == [k - 1]
    assert (
        steps[k - 1]
        > 3 * r - np.linalg.norm(np.diff(clean.truth.centers[obj], axis=0), axis=-1).max()
    )
    np.testing.assert_allclose(np.linalg.norm(v["delta"]), v["distance"], rtol=1e-9)
    # the rendered pixels show the jump too
    c = measured_centroids(bad, obj)
    np.testing.assert_allclose(c, bad.truth.centers[obj], atol=0.5)
    if kind in ("free_fall", "projectile", "uniform"):
        # motion continues from the new place: same velocities, shifted positions
        np.testing.assert_allclose(bad.truth.velocities, clean.truth.velocities, atol=1e-9)
        np.testing.assert_allclose(
            bad.truth.centers[obj, k:] - clean.truth.centers[obj, k:],
            np.broadcast_to(v["delta"], (32 - k, 2)),
            atol=1e-9,
        )


def test_teleport_bounce_stays_above_floor():
    scene = vk.synth.render("bounce", seed=3, violation="teleport")
    t = scene.truth
    assert (t.centers[0, :, 1] + t.radii[0] <= t.constants["floor_y"] + 1e-6).all()


@pytest.mark.parametrize("kind", KINDS)
def test_vanish_leaves_no_object_pixels(kind):
    clean, bad = _pair(kind, "vanish", seed=4)
    v = bad.truth.violation
    k, obj = v["frame"], v["object"]
    color = bad.truth.colors[obj, 0]
    assert not bad.truth.visible[obj, k:].any() and bad.truth.visible[obj, :k].all()
    assert object_weight(bad.video.frames[k:], color).sum() == 0
    assert object_weight(bad.video.frames[k - 1 : k], color).sum() > 3
    np.testing.assert_array_equal(bad.truth.centers, clean.truth.centers)
    # vanished away from the border: the whole disc was well inside the image
    x, y = v["position"]
    r = bad.truth.radii[obj, k]
    assert min(x - r, y - r, 63 - x - r, 63 - y - r) >= 2.0


@pytest.mark.parametrize("kind", ["bounce", "collision", "uniform"])
def test_appear_hides_object_before_its_frame(kind):
    clean, bad = _pair(kind, "appear", seed=5)
    v = bad.truth.violation
    k, obj = v["frame"], v["object"]
    color = bad.truth.colors[obj, 0]
    assert object_weight(bad.video.frames[:k], color).sum() == 0
    np.testing.assert_array_equal(bad.video.frames[k:], clean.video.frames[k:])
    assert not bad.truth.visible[obj, :k].any() and bad.truth.visible[obj, k:].all()


def test_recolor_changes_colour_only():
    clean, bad = _pair("projectile", "recolor", seed=6)
    v = bad.truth.violation
    k = v["frame"]
    np.testing.assert_array_equal(bad.truth.centers, clean.truth.centers)
    np.testing.assert_array_equal(bad.truth.radii, clean.truth.radii)
    assert not np.allclose(bad.truth.colors[0, k], clean.truth.colors[0, k])
    np.testing.assert_allclose(bad.truth.colors[0, k], vk.synth.PALETTE[v["color"]])
    assert object_weight(bad.video.frames[k:], clean.truth.colors[0, 0]).sum() == 0
    c = measured_centroids(bad, 0)  # uses colour of frame 0 -> NaN after k; check new colour
    assert np.isnan(c[k:]).all()


def test_flicker_changes_brightness_not_positions():
    clean, bad = _pair("bounce", "flicker", seed=0)
    v = bad.truth.violation
    frames = v["frames"]
    assert frames and all(abs(b - 1) == pytest.approx(v["amount"]) for b in v["brightness"])
    np.testing.assert_array_equal(bad.truth.centers, clean.truth.centers)
    others = [i for i in range(32) if i not in frames]
    np.testing.assert_array_equal(bad.video.frames[others], clean.video.frames[others])
    expected = np.clip(
        clean.video.frames[frames] * bad.truth.brightness[frames][:, None, None, None], 0, 1
    )
    np.testing.assert_allclose(bad.video.frames[frames], expected, atol=1e-6)
    assert np.abs(bad.video.frames[frames].mean() - clean.video.frames[frames].mean()) > 0.05


def test_stutter_repeats_frames_then_resumes():
    clean, bad = _pair("uniform", "stutter", seed=1)
    v = bad.truth.violation
    held, hold = v["held_step"], v["hold"]
    for f in range(held + 1, held + hold):
        np.testing.assert_array_equal(bad.video.frames[f], bad.video.frames[held])
    np.testing.assert_array_equal(bad.video.frames[: held + 1], clean.video.frames[: held + 1])
    # after the hold, the motion resumes where it stopped (delayed), nothing skipped
    np.testing.assert_array_equal(
        bad.video.frames[held + hold :], clean.video.frames[held + 1 : 32 - hold + 1]
    )
    assert bad.truth.frame_index.tolist()[held : held + hold] == [held] * hold
    repeats = [
        i for i in range(1, 32) if np.array_equal(bad.video.frames[i], bad.video.frames[i - 1])
    ]
    assert repeats == v["frames"]


@pytest.mark.parametrize("kind", ["bounce", "collision", "pendulum"])
def test_reverse_equals_clean_video_reversed(kind):
    clean, bad = _pair(kind, "reverse", seed=2)
    np.testing.assert_array_equal(bad.video.frames, clean.video.frames[::-1])
    np.testing.assert_array_equal(bad.truth.centers, clean.truth.centers[:, ::-1])
    np.testing.assert_array_equal(bad.truth.velocities, -clean.truth.velocities[:, ::-1])
    assert bad.truth.frame_index.tolist() == list(range(31, -1, -1))


@pytest.mark.parametrize("kind", ["free_fall", "projectile", "bounce", "pendulum"])
def test_wrong_gravity_scales_g_from_its_frame(kind):
    clean, bad = _pair(kind, "wrong_gravity", seed=3, violation_params=None)
    v = bad.truth.violation
    k, f = v["frame"], v["factor"]
    assert v["g_after"] == pytest.approx(f * v["g_before"])
    np.testing.assert_array_equal(bad.truth.centers[:, :k], clean.truth.centers[:, :k])
    assert not np.allclose(bad.truth.centers[:, k + 1 :], clean.truth.centers[:, k + 1 :])
    if kind in ("free_fall", "projectile"):
        fps = bad.truth.constants["fps"]
        acc = np.diff(bad.truth.velocities[0, :, 1]) * fps
        np.testing.assert_allclose(acc[: k - 1], v["g_before"], rtol=1e-9)
        np.testing.assert_allclose(acc[k:], v["g_after"], rtol=1e-9)


def test_wrong_gravity_upward_and_explicit_frame():
    bad = vk.synth.render(
        "free_fall",
        seed=0,
        violation="wrong_gravity",
        violation_params={"factor": -1.0, "frame": 20},
    )
    v = bad.truth.violation
    assert v["frame"] == 20 and v["g_after"] < 0
    acc = np.diff(bad.truth.velocities[0, :, 1]) * 16
    assert (acc[20:] < 0).all()


def test_energy_gain_bounce_restitution_above_one():
    clean, bad = _pair("bounce", "energy_gain", seed=1)
    v = bad.truth.violation
    assert v["restitution"] > 1
    late = [ev for ev in bad.truth.events if ev["type"] == "bounce" and ev["frame"] >= v["frame"]]
    assert late and late[0]["frame"] == v["frame"]
    assert late[0]["speed_out"] == pytest.approx(v["restitution"] * late[0]["speed_in"])
    early = [ev for ev in bad.truth.events if ev["frame"] < v["from_frame"]]
    e = clean.truth.constants["restitution"]
    assert all(ev["speed_out"] == pytest.approx(e * ev["speed_in"]) for ev in early)


@pytest.mark.parametrize("kind", ["free_fall", "projectile", "uniform", "pendulum", "collision"])
def test_energy_gain_kick_multiplies_kinetic_energy(kind):
    clean, bad = _pair(kind, "energy_gain", seed=0)
    v = bad.truth.violation
    k, obj, f = v["frame"], v["object"], v["factor"]
    ke_clean = (clean.truth.velocities[obj, k] ** 2).sum()
    ke_bad = (bad.truth.velocities[obj, k] ** 2).sum()
    assert ke_bad == pytest.approx(f * ke_clean, rel=1e-9)
    assert f > 1


def test_violation_params_are_validated():
    with pytest.raises(ValueError, match="needs gravity"):
        vk.synth.render("uniform", violation="wrong_gravity")
    with pytest.raises(ValueError, match="accepts"):
        vk.synth.render("bounce", violation="resize", violation_params={"scale": 2})
    with pytest.raises(ValueError, match="restitution"):
        vk.synth.render("bounce", violation="energy_gain", violation_params={"factor": 2})
    with pytest.raises(ValueError, match="factor > 1"):
        vk.synth.render("uniform", violation="energy_gain", violation_params={"factor": 0.5})
    with pytest.raises(ValueError, match="frame"):
        vk.synth.render("uniform", violation="vanish", violation_params={"frame": 99})
    with pytest.raises(ValueError, match="without a violation"):
        vk.synth.render("uniform", violation_params={"frame": 3})
    with pytest.raises(ValueError, match="at least 6 frames"):
        vk.synth.render("uniform", violation="teleport", frames=4)
    with pytest.raises(ValueError, match="colour"):
        vk.synth.render("uniform", violation="recolor", violation_params={"color": "mauve"})


def test_stutter_hold_must_fit():
    with pytest.raises(ValueError, match="does not fit"):
        vk.synth.render("uniform", violation="stutter", violation_params={"frame": 28, "hold": 4})
    s = vk.synth.render("uniform", seed=0, frames=12, violation="stutter")
    v = s.truth.violation
    assert v["held_step"] + v["hold"] <= 11


def test_explicit_parameters_may_leave_the_frame():
    with pytest.warns(UserWarning, match="leave the frame"):
        s = vk.synth.render("free_fall", seed=0, g=2000.0)
    t = s.truth
    assert t.visible[0, 0] and not t.visible[0, -1] and t.present[0].all()
    assert object_weight(s.video.frames[-1:], t.colors[0, 0]).sum() == 0


def test_explicit_violation_params_are_used():
    s = vk.synth.render(
        "uniform", seed=0, violation="teleport", violation_params={"frame": 10, "distance": 20.0}
    )
    assert s.truth.violation["frame"] == 10 and s.truth.violation["distance"] == 20.0
    s = vk.synth.render(
        "uniform", seed=0, violation="resize", violation_params={"factor": 0.5, "frame": 9}
    )
    assert s.truth.radii[0, 9] == pytest.approx(0.5 * s.truth.radii[0, 8])


# ----------------------------------------------------------------------------- determinism, options
def test_determinism_and_seed_sensitivity():
    a = vk.synth.render("collision", seed=11, background="noise", camera_noise=0.02)
    b = vk.synth.render("collision", seed=11, background="noise", camera_noise=0.02)
    assert a.video == b.video
    assert a.truth.to_dict() == b.truth.to_dict()
    c = vk.synth.render("collision", seed=12, background="noise", camera_noise=0.02)
    assert not np.array_equal(a.video.frames, c.video.frames)


def test_params_reproduce_the_scene():
    for kind, violation in [
        ("pendulum", "teleport"),
        ("bounce", "flicker"),
        ("collision", "recolor"),
        ("projectile", "energy_gain"),
        ("free_fall", None),
    ]:
        s = vk.synth.render(kind, seed=9, violation=violation, background="texture")
        again = vk.synth.render(**json.loads(json.dumps(s.params)))
        np.testing.assert_array_equal(again.video.frames, s.video.frames)


def test_backgrounds_and_camera_noise():
    plain = vk.synth.render("uniform", seed=0)
    first = plain.video.frames[0]
    assert np.ptp(first[:4, :4]) == 0  # plain corner
    for bg in ("noise", "texture"):
        s = vk.synth.render("uniform", seed=0, background=bg)
        corner = s.video.frames[:, :4, :4]
        assert np.ptp(s.video.frames[0]) > 0.05
        np.testing.assert_array_equal(corner[0], corner[-1])  # static background
        np.testing.assert_array_equal(s.truth.centers, plain.truth.centers)
    noisy = vk.synth.render("uniform", seed=0, camera_noise=0.05)
    diff = noisy.video.frames - plain.video.frames
    assert 0.03 < diff.std() < 0.06
    assert not np.array_equal(diff[0], diff[1])  # fresh noise each frame


def test_colors_radii_and_kind_params():
    s = vk.synth.render("collision", seed=0, colors=["red", "blue"], radii=[4, 6], mode="1d")
    assert s.prompt == "a red ball and a blue ball roll toward each other and collide"
    np.testing.assert_allclose(s.truth.radii[:, 0], [4, 6])
    np.testing.assert_allclose(s.truth.colors[0, 0], vk.synth.PALETTE["red"])
    assert s.truth.constants["masses"] == [16.0, 36.0]
    s = vk.synth.render(
        "uniform", seed=0, colors=[(0.2, 0.9, 0.3)], vx=20.0, vy=0.0, x0=10.0, y0=30.0
    )
    assert s.prompt == "a green ball moves right at constant speed"
    np.testing.assert_allclose(s.truth.centers[0, 16], [30.0, 30.0])


def test_scene_html_and_repr():
    s = vk.synth.render("bounce", seed=0, size=32, frames=8, violation="vanish")
    html = s._repr_html_()
    assert "<video" in html and "vanish" in html and s.prompt in html
    assert "bounce" in repr(s) and "8x32x32" in repr(s)


def test_describe():
    assert vk.synth.describe("free_fall", "red") == "a red ball falls"
    assert vk.synth.describe("uniform", "orange", direction="up") == (
        "an orange ball moves up at constant speed"
    )
    with pytest.raises(ValueError, match="2 object"):
        vk.synth.describe("collision", "red")


def test_truth_dict_round_trip():
    s = vk.synth.render("bounce", seed=0, violation="vanish")
    d = json.loads(s.truth.to_json())
    t = Truth.from_dict(d)
    for name in (
        "centers",
        "radii",
        "visible",
        "velocities",
        "colors",
        "brightness",
        "frame_index",
    ):
        np.testing.assert_array_equal(getattr(t, name), getattr(s.truth, name))
    assert t.events == s.truth.events and t.violation == s.truth.violation
    assert t.constants == s.truth.constants
    assert t.visible.dtype == bool and t.frame_index.dtype == np.int64


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"kind": "spiral"}, "valid kinds are"),
        ({"kind": "bounce", "violation": "explode"}, "valid violations are"),
        ({"kind": "bounce", "background": "stars"}, "valid backgrounds are"),
        ({"kind": "bounce", "size": (8, 64)}, "size height"),
        ({"kind": "bounce", "size": (64,)}, "size must be"),
        ({"kind": "bounce", "frames": 1}, "frames must be"),
        ({"kind": "bounce", "fps": 0}, "fps must be > 0"),
        ({"kind": "bounce", "fps": float("nan")}, "fps must be finite"),
        ({"kind": "bounce", "camera_noise": -1}, "camera_noise"),
        ({"kind": "bounce", "colors": ["red", "blue"]}, "colors must give 1"),
        ({"kind": "bounce", "colors": ["mauve"]}, "valid colours are"),
        ({"kind": "bounce", "radii": 40}, "radii must be in"),
        ({"kind": "free_fall", "restitution": 0.5}, "restitution applies"),
        ({"kind": "free_fall", "g": -3}, "g must be a positive"),
        ({"kind": "uniform", "g": 9.8}, "g does not apply"),
        ({"kind": "bounce", "theta0": 0.3}, "accepts"),
        ({"kind": "collision", "mode": "3d"}, "mode must be"),
        ({"kind": "bounce", "seed": -1}, "seed must be"),
    ],
)
def test_bad_input_raises_value_error(kwargs, match):
    with pytest.raises(ValueError, match=match):
        vk.synth.render(**kwargs)


def test_bad_types_raise_type_error():
    with pytest.raises(TypeError, match="frames must be an integer"):
        vk.synth.render("bounce", frames=8.5)
    with pytest.raises(TypeError, match="seed must be an integer"):
        vk.synth.render("bounce", seed="0")


def test_physics_interventions_directly():
    w = Ballistic([[0.0, 0.0]], [[1.0, 0.0]], radii=[1.0])
    traj = w.run(
        4.0, [Intervention(2.0, "teleport", 0, (0.0, 5.0)), Intervention(3.0, "kick", 0, 4.0)]
    )
    p, v = traj.at(np.array([1.0, 2.0, 3.5]))
    np.testing.assert_allclose(p[0], [[1, 0], [2, 5], [4, 5]])
    np.testing.assert_allclose(v[0, -1], [2, 0])


# ----------------------------------------------------------------------------- dataset
def _decode(path) -> np.ndarray:
    """All frames of a video file as float32 [T, H, W, 3] (PyAV, independent of vidkit.io)."""
    import av

    with av.open(str(path)) as container:
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    return np.stack(frames).astype(np.float32) / 255


def test_dataset_round_trip(tmp_path):
    datasets = pytest.importorskip("datasets")
    ds = vk.synth.dataset(
        5,
        kinds=("bounce", "uniform"),
        violations=(None, "wrong_gravity", "vanish"),
        seed=3,
        root=tmp_path / "synth",
        size=32,
        frames=12,
        fps=8,
        progress=False,
    )
    assert len(ds) == 5
    assert set(ds.column_names) >= {
        "video",
        "prompt",
        "kind",
        "violation",
        "seed",
        "truth",
        "params",
    }
    # combinations: bounce x 3, uniform x 2 (no wrong_gravity without gravity), all in group 0
    assert ds["kind"] == ["bounce"] * 3 + ["uniform"] * 2
    assert ds["violation"] == [None, "wrong_gravity", "vanish", None, "vanish"]
    assert ds["seed"] == [3] * 5
    row = ds[2]
    truth = Truth.from_dict(row["truth"])
    assert truth.violation["name"] == "vanish" and truth.centers.shape == (1, 12, 2)
    scene = vk.synth.render(**json.loads(row["params"]))
    assert scene.prompt == row["prompt"]
    video = _decode(row["video"])
    assert video.shape == (12, 32, 32, 3)
    assert vk.psnr(video, scene.video.frames) > 30  # lossy H.264, same content
    # the clean bounce and its violated twins share one base scene
    t0, t1 = Truth.from_dict(ds[0]["truth"]), Truth.from_dict(ds[1]["truth"])
    k = t1.violation["frame"]
    np.testing.assert_array_equal(t0.centers[:, :k], t1.centers[:, :k])
    lines = (tmp_path / "synth" / "metadata.jsonl").read_text().splitlines()
    assert [json.loads(x)["file_name"] for x in lines] == ds["file_name"]
    assert all((tmp_path / "synth" / f).is_file() for f in ds["file_name"])

    ds.save_to_disk(str(tmp_path / "index"))
    back = datasets.load_from_disk(str(tmp_path / "index"))
    assert back.to_dict() == ds.to_dict()
    assert back.features == ds.features


def test_dataset_bad_input(tmp_path):
    with pytest.raises(ValueError, match="positive integer"):
        vk.synth.dataset(0, root=tmp_path)
    with pytest.raises(ValueError, match="valid kinds"):
        vk.synth.dataset(2, kinds=("spiral",), root=tmp_path)
    with pytest.raises(ValueError, match="no compatible"):
        vk.synth.dataset(2, kinds=("uniform",), violations=("wrong_gravity",), root=tmp_path)
    with pytest.raises(ValueError, match="set per row"):
        vk.synth.dataset(2, root=tmp_path, seed=0, kind="bounce")
