"""vk.generate, schedulers, callbacks and sweeps on tiny random-weight pipelines (CPU, offline)."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest
import torch

import vidkit as vk
from vidkit.sampling import SweepResult, make_scheduler, scheduler_names
from vidkit.sampling.callbacks import (
    Interrupt,
    LatentPreview,
    Progress,
    StepState,
    TrajectoryRecorder,
)

COMBOS = [(f, t) for f, tasks in vk.testing.TINY_FAMILIES.items() for t in tasks]


@pytest.fixture(scope="module")
def pipes():
    cache: dict[tuple[str, str], vk.sampling.VideoPipeline] = {}

    def get(family: str, task: str):
        if (family, task) not in cache:
            cache[(family, task)] = vk.testing.tiny_pipeline(family, task)
        return cache[(family, task)]

    return get


def _gradient_video(n: int = 9, size: int = 16) -> vk.Video:
    x = np.linspace(0, 1, size, dtype=np.float32)
    frames = [np.stack([np.add.outer(x * (0.3 + 0.05 * t), x * 0.5) % 1] * 3, -1) for t in range(n)]
    return vk.Video(np.stack(frames), fps=8)


def _inputs(family: str, task: str, rng: np.random.Generator) -> dict:
    d = vk.testing.TINY_DEFAULTS[family]
    kw: dict = {} if family == "svd" else {"prompt": "a red ball bounces"}
    if task == "i2v":
        kw["image"] = rng.random((40, 56, 3)).astype(np.float32)
    if task in ("v2v", "condition"):
        kw["video"] = _gradient_video(9, d["height"])
    return kw


# --------------------------------------------------------------------------- every family x task
@pytest.mark.parametrize(("family", "task"), COMBOS)
def test_generate_shape_metadata_and_trajectory(pipes, rng, family, task):
    pipe = pipes(family, task)
    d = pipe.defaults
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = vk.generate(
            pipe, seed=7, record="trajectory", progress=False, **_inputs(family, task, rng)
        )
    assert isinstance(out, vk.Video)
    assert out.shape == (d["num_frames"], d["height"], d["width"], 3)
    assert out.fps == d["fps"]
    assert out.frames.min() >= 0 and out.frames.max() <= 1
    m = out.metadata
    assert m["seed"] == 7 and m["task"] == task and m["family"] == family
    assert m["model_id"] == f"vidkit-tiny/{family}-{task}"
    assert m["steps"] == 2 and m["num_frames"] == d["num_frames"]
    assert (m["height"], m["width"]) == (d["height"], d["width"])
    assert m["scheduler"] == type(pipe.for_task(task).scheduler).__name__
    assert m["wall_time_s"] > 0 and m["peak_memory_bytes"] > 0
    assert m["pipeline"] == type(pipe.for_task(task)).__name__
    assert m["interrupted"] is False and m["steps_completed"] == m["steps_run"]
    if family != "svd":
        assert m["prompt"] == "a red ball bounces"
    # everything but the trajectory is JSON-safe (sidecars)
    json.dumps({k: v for k, v in m.items() if k != "trajectory"})
    # the trajectory's last step is the output itself
    traj = m["trajectory"]
    assert isinstance(traj, vk.sampling.callbacks.Trajectory)
    assert traj.steps[-1] == traj.num_steps - 1
    np.testing.assert_allclose(traj.final.frames, out.frames, atol=1e-6)
    assert traj.final.shape == out.shape


@pytest.mark.parametrize(
    ("family", "task"), [("cogvideox", "i2v"), ("wan", "v2v"), ("ltx", "t2v"), ("svd", "i2v")]
)
def test_batch_sample_equals_single_seed(pipes, rng, family, task):
    pipe = pipes(family, task)
    kw = _inputs(family, task, rng)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        batch = vk.generate(pipe, seed=[3, 4], batch_size=2, progress=False, **kw)
        alone = vk.generate(pipe, seed=4, progress=False, **kw)
    assert [v.metadata["seed"] for v in batch] == [3, 4]
    assert batch[0].metadata["batch_size"] == 2
    np.testing.assert_allclose(batch[1].frames, alone.frames, atol=1e-4)
    assert np.abs(batch[0].frames - batch[1].frames).max() > 1e-3  # seeds matter


def test_same_seed_reproducible_and_raw_pipeline_accepted(pipes):
    pipe = pipes("wan", "t2v")
    a = vk.generate(pipe, prompt="a cube", seed=11, progress=False)
    b = vk.generate(pipe.pipeline, prompt="a cube", seed=11, progress=False)  # raw diffusers
    assert a == b
    assert b.metadata["family"] == "wan"


def test_prompts_times_seeds_order(pipes):
    pipe = pipes("ltx", "t2v")
    vids = vk.generate(pipe, prompt=["a ball", "a box"], seed=[0, 1], progress=False, batch_size=3)
    assert [(v.metadata["prompt"], v.metadata["seed"]) for v in vids] == [
        ("a ball", 0),
        ("a ball", 1),
        ("a box", 0),
        ("a box", 1),
    ]
    assert [v.metadata["sample_index"] for v in vids] == [0, 1, 2, 3]


def test_wrong_frame_count_is_rounded_with_warning(pipes):
    pipe = pipes("ltx", "t2v")
    with pytest.warns(UserWarning, match=r"num_frames=12 changed to 9: ltx models need 8k\+1"):
        out = vk.generate(pipe, prompt="a ball", num_frames=12, height=30, width=34, progress=False)
    assert out.num_frames == 9
    assert (out.height, out.width) == (32, 32)
    assert any("8k+1" in a for a in out.metadata["adjustments"])
    assert any("multiples of 32" in a for a in out.metadata["adjustments"])


def test_i2v_first_frame_preparation_reaches_the_pipeline(pipes):
    pipe = pipes("wan", "i2v")
    dpipe = pipe.for_task("i2v")
    seen = []
    orig = dpipe.video_processor.preprocess

    def spy(image, *a, **k):
        seen.append(image)
        return orig(image, *a, **k)

    img = np.zeros((20, 40, 3), np.uint8)
    img[:, :10] = (255, 0, 0)  # red left quarter, cut away by the center crop
    img[:, 10:30] = (0, 255, 0)  # green middle, kept
    img[:, 30:] = (0, 0, 255)
    dpipe.video_processor.preprocess = spy
    try:
        with pytest.warns(UserWarning, match="center-cropped to 16x16"):
            out = vk.generate(pipe, prompt="a ball", image=img, progress=False)
    finally:
        del dpipe.video_processor.preprocess
    pil = seen[0]
    assert pil.size == (16, 16)
    arr = np.asarray(pil).astype(int)
    assert arr[:, :, 1].min() > 200 and arr[:, :, 0].max() < 60  # only the green middle is left
    assert out.metadata["image"] == "ndarray of shape (20, 40, 3) and dtype uint8"


@pytest.mark.parametrize(
    ("family", "strengths", "steps"),
    [
        # Wan's shift of 7 pushes every strength above ~0.5 to sigma ~1: use small strengths
        ("wan", (0.05, 0.2, 0.6), 20),
        ("cogvideox", (0.1, 0.4, 0.8), 10),
        ("ltx", (0.1, 0.4, 0.8), 10),
    ],
)
def test_v2v_strength_moves_output_away_from_input(pipes, family, strengths, steps):
    task = "condition" if family == "ltx" else "v2v"
    pipe = pipes(family, task)
    size = pipe.defaults["height"]
    video = _gradient_video(9, size)
    # the input as the model sees it: its VAE round trip
    vae = pipe.for_task(task).vae
    with torch.no_grad():
        z = vae.encode(video.to_torch("CTHW", value_range=(-1, 1))[None]).latent_dist.mode()
        args = (z, None) if family == "ltx" else (z,)
        rec = vae.decode(*args, return_dict=False)[0].clamp(-1, 1)
    rec = ((rec[0] + 1) / 2).permute(1, 2, 3, 0).numpy()
    dist = []
    for s in strengths:
        out = vk.generate(
            pipe, prompt="a ball", video=video, strength=s, steps=steps, progress=False
        )
        assert out.metadata["strength"] == s
        dist.append(float(np.sqrt(np.mean((out.frames - rec) ** 2))))
    assert dist[0] < dist[1] < dist[2], dist


# --------------------------------------------------------------------------- bad inputs
def test_condition_the_model_cannot_take_names_supported_tasks(pipes):
    with pytest.raises(ValueError, match=r"cannot take an image.*supports t2v .*v2v"):
        vk.generate(pipes("cogvideox", "t2v"), prompt="x", image=np.zeros((16, 16, 3)))
    with pytest.raises(
        ValueError, match=r"cannot take a text prompt only.*supports i2v \(image=...\)"
    ):
        vk.generate(pipes("svd", "i2v"), prompt="x")
    with pytest.raises(ValueError, match="cannot take a video"):
        vk.generate(pipes("cogvideox", "i2v"), prompt="x", video=_gradient_video())
    with pytest.raises(ValueError, match="strength applies to video-to-video"):
        vk.generate(pipes("wan", "t2v"), prompt="x", strength=0.5)


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"num_frames": 0}, ValueError, "num_frames must be >= 1"),
        ({"num_frames": 2.5}, TypeError, "num_frames must be an integer"),
        ({"steps": 0}, ValueError, "steps must be in"),
        ({"seed": "a"}, TypeError, "seed must be an int"),
        ({"seed": [1, "b"]}, TypeError, "seeds must be integers"),
        ({"guidance": -1}, ValueError, "guidance must be in"),
        ({"not_an_arg": 1}, TypeError, "does not take \\['not_an_arg'\\]"),
        ({"generator": 1}, ValueError, "set by vidkit.generate"),
        ({"record": "frames"}, ValueError, "record must be None"),
        ({"prompt": 3}, TypeError, "prompt must be a string"),
        ({"prompt": None}, ValueError, "needs a text prompt"),
        ({"height": 0, "width": 16}, ValueError, "height must be >= 1"),
    ],
)
def test_bad_arguments(pipes, kwargs, exc, match):
    kw = {"prompt": "a ball", "progress": False, **kwargs}
    with pytest.raises(exc, match=match):
        vk.generate(pipes("wan", "t2v"), **kw)


def test_bad_image_and_video_inputs(pipes):
    with pytest.raises(FileNotFoundError, match="image file not found"):
        vk.generate(pipes("wan", "i2v"), prompt="x", image="/no/such/image.png")
    with pytest.raises(ValueError, match="an image must be one frame"):
        vk.generate(pipes("wan", "i2v"), prompt="x", image=np.zeros((2, 8, 8, 3)))
    with pytest.raises(TypeError, match="cannot use"):
        vk.generate(pipes("wan", "i2v"), prompt="x", image={"a": 1})


# --------------------------------------------------------------------------- schedulers
def test_flow_scheduler_settings(pipes):
    wan = pipes("wan", "t2v")
    s = make_scheduler("unipc", wan)
    assert type(s).__name__ == "UniPCMultistepScheduler"
    assert s.config.prediction_type == "flow_prediction"
    assert s.config.use_flow_sigmas is True
    assert s.config.flow_shift == 7.0  # the tiny Wan's shift
    d = make_scheduler("dpm++", wan)
    assert (d.config.prediction_type, d.config.use_flow_sigmas) == ("flow_prediction", True)
    e = make_scheduler("flow-euler", wan)
    assert type(e).__name__ == "FlowMatchEulerDiscreteScheduler" and e.config.shift == 7.0
    # a noise-prediction model keeps its own prediction type
    cog = pipes("cogvideox", "t2v")
    u = make_scheduler("unipc", cog)
    assert u.config.prediction_type == "v_prediction" and not u.config.use_flow_sigmas
    assert u.config.rescale_betas_zero_snr is True


def test_scheduler_names_and_errors(pipes):
    assert scheduler_names(pipes("svd", "i2v")) == ["euler"]
    assert "dpm++" not in scheduler_names(pipes("ltx", "t2v"))  # no custom sigmas
    assert "unipc" in scheduler_names(pipes("ltx", "t2v"))
    with pytest.raises(ValueError, match=r"unknown scheduler 'foo'; valid names here: \['euler'"):
        make_scheduler("foo", pipes("wan", "t2v"))
    with pytest.raises(ValueError, match="does not suit this flow-matching model"):
        make_scheduler("ddim", pipes("wan", "t2v"))
    with pytest.raises(ValueError, match="does not suit this noise-prediction model"):
        make_scheduler("flow-euler", pipes("cogvideox", "t2v"))


@pytest.mark.parametrize(
    ("family", "name", "cls"),
    [
        ("wan", "unipc", "UniPCMultistepScheduler"),
        ("ltx", "unipc", "UniPCMultistepScheduler"),
        ("cogvideox", "dpm++", "DPMSolverMultistepScheduler"),
        ("cogvideox", "cogvideox-dpm", "CogVideoXDPMScheduler"),
    ],
)
def test_scheduler_swap_runs_for_one_call(pipes, family, name, cls):
    pipe = pipes(family, "t2v")
    before = pipe.scheduler
    base = vk.generate(pipe, prompt="a ball", steps=3, progress=False)
    out = vk.generate(pipe, prompt="a ball", steps=3, scheduler=name, progress=False, record="x0")
    assert out.metadata["scheduler"] == cls and out.metadata["scheduler_name"] == name
    assert np.isfinite(out.frames).all() and out.shape == base.shape
    assert not np.array_equal(out.frames, base.frames)
    assert pipe.scheduler is before  # restored after the call
    traj = out.metadata["trajectory"]
    assert traj.x0 is not None and len(traj.x0) == len(traj.videos)


def test_set_scheduler_on_the_wrapper_reaches_every_task():
    pipe = vk.testing.tiny_pipeline("wan", "t2v")
    v2v = pipe.for_task("v2v")
    pipe.set_scheduler("unipc")
    assert type(pipe.pipeline.scheduler).__name__ == "UniPCMultistepScheduler"
    assert v2v.scheduler is pipe.pipeline.scheduler


# --------------------------------------------------------------------------- callbacks
@pytest.mark.parametrize(
    ("family", "task", "layout", "shape"),
    [
        ("cogvideox", "t2v", "BFCHW", (1, 3, 4, 2, 2)),
        ("wan", "t2v", "BCFHW", (1, 16, 3, 2, 2)),
        ("ltx", "t2v", "packed", (1, 3 * 8 * 8, 8)),
        ("svd", "i2v", "BFCHW", (1, 3, 4, 8, 8)),
    ],
)
def test_step_states(pipes, rng, family, task, layout, shape):
    states: list[StepState] = []
    vk.generate(
        pipes(family, task),
        steps=3,
        callbacks=[states.append],
        progress=False,
        **_inputs(family, task, rng),
    )
    assert [s.step for s in states] == [0, 1, 2]
    assert all(s.num_steps == 3 and s.layout == layout for s in states)
    assert tuple(states[0].latents.shape) == shape
    assert all(s.x0 is not None and s.x0.shape == s.latents.shape for s in states)
    sig = [s.sigma for s in states]
    assert all(x is not None for x in sig) and sig == sorted(sig, reverse=True)
    assert states[-1].is_last and not states[0].is_last


def test_flow_x0_is_sample_minus_sigma_velocity(pipes):
    """For flow matching, x0 = x_t - sigma_t * v; one Euler step to sigma=0 lands on x0."""
    states: list[StepState] = []
    vk.generate(
        pipes("wan", "t2v"), prompt="a ball", steps=1, callbacks=[states.append], progress=False
    )
    (s,) = states
    torch.testing.assert_close(s.x0, s.latents)  # a single step goes all the way to sigma = 0


def test_callback_can_change_latents(pipes):
    pipe = pipes("wan", "t2v")
    base = vk.generate(pipe, prompt="a ball", progress=False)

    def zero_last(state):
        if state.is_last:
            return {"latents": torch.zeros_like(state.latents)}
        return None

    out = vk.generate(
        pipe, prompt="a ball", callbacks=[zero_last], progress=False, record="trajectory"
    )
    assert not np.allclose(out.frames, base.frames)
    np.testing.assert_allclose(out.metadata["trajectory"].final.frames, out.frames, atol=1e-6)


def test_interrupt_stops_early_and_skips_later_batches(pipes):
    pipe = pipes("cogvideox", "t2v")
    stop = Interrupt(after_step=1)
    with pytest.warns(UserWarning, match="1 of 2 samples were not generated"):
        vids = vk.generate(
            pipe,
            prompt="a ball",
            seed=[0, 1],
            steps=4,
            callbacks=[stop],
            record="trajectory",
            progress=False,
        )
    (v,) = vids
    assert v.metadata["interrupted"] is True and v.metadata["steps_completed"] == 1
    traj = v.metadata["trajectory"]
    assert traj.steps == [0]
    np.testing.assert_allclose(traj.final.frames, v.frames, atol=1e-6)
    # a manual request (a button) works the same; reset() re-arms it
    stop2 = Interrupt()
    stop2.request()
    v2 = vk.generate(pipe, prompt="a ball", steps=4, callbacks=[stop2], progress=False)
    assert v2.metadata["steps_completed"] == 1
    full = vk.generate(pipe, prompt="a ball", steps=4, progress=False)
    assert full.metadata["interrupted"] is False and full.metadata["steps_completed"] == 4


def test_latent_preview_and_progress(pipes):
    prev = LatentPreview(every=2)
    bar = Progress()
    vk.generate(
        pipes("wan", "t2v"),
        prompt="a ball",
        steps=3,
        callbacks=[prev, bar],
        seed=[0, 1],
        batch_size=2,
    )
    assert sorted(prev.previews) == [0, 1]
    steps = [s for s, _ in prev.previews[0]]
    assert steps == [1, 2]  # every 2nd step and the last
    v = prev.previews[1][-1][1]
    assert v.shape == (3, 2, 2, 3) and 0 <= v.frames.min() and v.frames.max() <= 1
    assert bar._bar is None  # closed at the end


def test_trajectory_recorder_every_and_x0(pipes):
    rec = TrajectoryRecorder(every=2, x0=True)
    out = vk.generate(pipes("ltx", "t2v"), prompt="a ball", steps=5, record=rec, progress=False)
    traj = out.metadata["trajectory"]
    assert traj.steps == [1, 3, 4]
    assert len(traj.x0) == 3 and traj.labels()[-1] == "step 5/5"
    assert set(traj.as_dict()) == {"step 2/5", "step 4/5", "step 5/5"}
    # early x0 predictions differ from the noisy latents decoded at the same step
    assert not np.allclose(traj.x0[0].frames, traj.videos[0].frames)
    assert traj.frame_strip().num_frames == 3
    with pytest.raises(TypeError, match="callables"):
        vk.generate(pipes("ltx", "t2v"), prompt="a", callbacks=[3], progress=False)


# --------------------------------------------------------------------------- sweep
def test_sweep_grid(pipes):
    res = vk.sweep(
        pipes("wan", "t2v"), prompt="a ball", seed=[0, 1], guidance=[1.0, 5.0], progress=False
    )
    assert isinstance(res, SweepResult) and len(res) == 4
    assert res.table[["seed", "guidance"]].values.tolist() == [
        [0, 1.0],
        [0, 5.0],
        [1, 1.0],
        [1, 5.0],
    ]
    assert list(res) == [
        "seed=0, guidance=1.0",
        "seed=0, guidance=5.0",
        "seed=1, guidance=1.0",
        "seed=1, guidance=5.0",
    ]
    v = res.get_video(seed=1, guidance=5.0)
    assert v.metadata["seed"] == 1 and v.metadata["guidance"] == 5.0
    assert res["seed=1, guidance=5.0"] is v
    assert not np.array_equal(res[0].frames, res[1].frames)  # guidance matters
    html = vk.show(res, return_html=True)
    assert html.count("<video") == 4 and "seed=0, guidance=5.0" in html
    assert "SweepResult(seed[2] x guidance[2] = 4 videos)" == repr(res)
    with pytest.raises(KeyError, match="not swept axes"):
        res.get_video(steps=2)
