"""Step callbacks in the k-diffusion spirit: one uniform record per denoising step.

Every diffusers video pipeline calls ``callback_on_step_end(pipe, i, t, tensors)`` with its own
latent layout (CogVideoX ``[B, F, C, h, w]``, Wan ``[B, C, F, h, w]``, LTX packed ``[B, seq, C]``).
vidkit turns each call into a :class:`StepState` (step, num_steps, timestep, sigma, latents,
predicted x0 where available) and hands it to a list of plain callables. Progress bars, latent
previews, trajectory recording and interruption are just such callables; a user's own function
``fn(state)`` composes with them. A callable may return a dict (e.g. ``{"latents": new}``) to
change the pipeline's tensors, as in diffusers.

Example:
    >>> import vidkit as vk
    >>> seen = []
    >>> pipe = vk.testing.tiny_pipeline("wan", "t2v")
    >>> out = vk.generate(pipe, prompt="a ball", steps=2, callbacks=[lambda s: seen.append(s.step)])
    >>> seen
    [0, 1]
"""

from __future__ import annotations

import dataclasses
import inspect
import math
import threading
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from vidkit.sampling.decode import decode_latents, ltx_latent_grid
from vidkit.video import Video

__all__ = [
    "StepState",
    "Progress",
    "LatentPreview",
    "TrajectoryRecorder",
    "Trajectory",
    "Interrupt",
    "latents_to_bfchw",
    "latent_rgb",
]


@dataclasses.dataclass
class StepState:
    """What a callback sees after each denoising step.

    Attributes:
        step: index of the step just finished (0-based).
        num_steps: number of steps in this run (fewer than requested for video-to-video).
        timestep: the model timestep of this step.
        sigma: the noise level of this step where the scheduler defines one (flow matching: the
            interpolation weight of the noise; DDPM-type: sqrt((1 - alpha_bar) / alpha_bar)).
        latents: latents after the step, in the family's layout (``layout``).
        x0: predicted clean latents at this step (same layout), or None when unavailable.
        layout: ``"BFCHW"``, ``"BCFHW"`` or ``"packed"``.
        pipeline: the diffusers pipeline (set ``pipeline._interrupt = True`` to stop early).
        family: the vidkit :class:`~vidkit.sampling.families.ModelFamily`.
        context: the call's parameters (num_frames, height, width, sample indices, kwargs).
    """

    step: int
    num_steps: int
    timestep: float
    sigma: float | None
    latents: Any
    x0: Any
    layout: str
    pipeline: Any
    family: Any
    context: Mapping[str, Any]

    @property
    def is_last(self) -> bool:
        """True at the final step."""
        return self.step >= self.num_steps - 1

    @property
    def progress(self) -> float:
        """Fraction of the steps done, in (0, 1]."""
        return (self.step + 1) / max(1, self.num_steps)

    @property
    def interrupted(self) -> bool:
        """True once something asked the pipeline to stop."""
        return bool(getattr(self.pipeline, "_interrupt", False))

    def decode(self, which: str = "latents") -> list[Video]:
        """Decode ``latents`` (or ``"x0"``) to one Video per sample, as the pipeline would."""
        lat = self.latents if which == "latents" else self.x0
        if lat is None:
            raise ValueError(f"no {which} at this step")
        frames = decode_latents(self.pipeline, self.family, lat, self.context)
        fps = float(self.context.get("fps", 8.0))
        return [Video(f, fps=fps) for f in frames]


# --------------------------------------------------------------------------- latent helpers
def latents_to_bfchw(latents: Any, layout: str, pipe: Any = None, ctx: Mapping | None = None):
    """Latents in any family layout as a ``[B, F, C, h, w]`` tensor (packed LTX latents are
    unpacked with the pipeline's own ``_unpack_latents``).

    Example:
        >>> import torch
        >>> latents_to_bfchw(torch.zeros(1, 16, 3, 2, 2), "BCFHW").shape
        torch.Size([1, 3, 16, 2, 2])
    """
    if layout == "BFCHW":
        return latents
    if layout == "BCFHW":
        return latents.permute(0, 2, 1, 3, 4)
    if layout == "packed":
        if latents.ndim == 5:
            return latents.permute(0, 2, 1, 3, 4)
        if pipe is None or ctx is None:
            raise ValueError("unpacking packed latents needs the pipeline and the call context")
        f, h, w = ltx_latent_grid(pipe, ctx)
        ps, pt = pipe.transformer_spatial_patch_size, pipe.transformer_temporal_patch_size
        seq = (f // pt) * (h // ps) * (w // ps)
        lat = latents[:, latents.shape[1] - seq :] if latents.shape[1] > seq else latents
        return pipe._unpack_latents(lat, f, h, w, ps, pt).permute(0, 2, 1, 3, 4)
    raise ValueError(f"unknown latent layout {layout!r}; expected BFCHW, BCFHW or packed")


def latent_rgb(latents_bfchw: Any) -> np.ndarray:
    """A cheap RGB preview of latents, no VAE: the first three channels, each standardised over
    the sample and squashed to [0, 1] with a logistic curve. Returns ``[B, F, h, w, 3]`` float32.

    (One or two channels are repeated.) It shows layout and motion, not colours.

    Example:
        >>> import torch
        >>> latent_rgb(torch.randn(1, 3, 4, 2, 2)).shape
        (1, 3, 2, 2, 3)
    """
    x = latents_bfchw.detach().float().cpu()
    c = x.shape[2]
    idx = [0, 1 % c, 2 % c]
    x = x[:, :, idx]
    dims = (1, 3, 4)
    mean = x.mean(dim=dims, keepdim=True)
    std = x.std(dim=dims, keepdim=True).clamp_min(1e-6)
    x = 1.0 / (1.0 + (-(x - mean) / std * 1.5).exp())
    return x.permute(0, 1, 3, 4, 2).numpy().astype(np.float32)


# --------------------------------------------------------------------------- callbacks
class Progress:
    """A progress bar over all denoising steps of a ``generate`` call (``tqdm.auto``: a widget in
    notebooks). The pipeline's own per-call bar is switched off while it runs.

    Example:
        >>> import vidkit as vk
        >>> pipe = vk.testing.tiny_pipeline("wan", "t2v")
        >>> out = vk.generate(pipe, prompt="...", steps=2, callbacks=[Progress(desc="wan")])
    """

    order = -10

    def __init__(self, desc: str = "denoising", **tqdm_kwargs: Any) -> None:
        self.desc = desc
        self.tqdm_kwargs = tqdm_kwargs
        self._bar: Any = None

    def __call__(self, state: StepState) -> None:
        if self._bar is None:
            from tqdm.auto import tqdm

            total = state.num_steps * int(state.context.get("num_calls", 1))
            self._bar = tqdm(total=total, desc=self.desc, leave=True, **self.tqdm_kwargs)
        post = {"t": f"{state.timestep:.3g}"}
        if state.sigma is not None:
            post["sigma"] = f"{state.sigma:.3g}"
        self._bar.set_postfix(post, refresh=False)
        self._bar.update(1)

    def close(self) -> None:
        """Close the bar (called by ``generate`` at the end)."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None


class LatentPreview:
    """Cheap previews of the latents every ``every`` steps (no VAE decode; see :func:`latent_rgb`).

    ``previews[sample]`` is a list of ``(step, Video)`` at latent resolution. With ``display=True``
    the middle frame of sample 0 is shown and updated in place in a notebook.

    Example:
        >>> import vidkit as vk
        >>> pipe = vk.testing.tiny_pipeline("wan", "t2v")
        >>> prev = LatentPreview(every=2)
        >>> out = vk.generate(pipe, prompt="...", steps=4, callbacks=[prev], progress=False)
        >>> [step for step, _ in prev.previews[0]]
        [1, 3]
    """

    order = 90

    def __init__(self, every: int = 1, display: bool = False, size: int = 128) -> None:
        if int(every) < 1:
            raise ValueError(f"every must be >= 1, got {every}")
        self.every = int(every)
        self.display = display
        self.size = int(size)
        self.previews: dict[int, list[tuple[int, Video]]] = {}
        self._handle: Any = None

    def __call__(self, state: StepState) -> None:
        if not (state.is_last or (state.step + 1) % self.every == 0):
            return
        lat = latents_to_bfchw(state.latents, state.layout, state.pipeline, state.context)
        rgb = latent_rgb(lat)
        offset = int(state.context.get("sample_offset", 0))
        fps = float(state.context.get("fps", 8.0))
        for b in range(rgb.shape[0]):
            self.previews.setdefault(offset + b, []).append((state.step, Video(rgb[b], fps=fps)))
        if self.display:
            self._show(rgb[0], state)

    def _show(self, frames: np.ndarray, state: StepState) -> None:
        try:
            from IPython.display import display
            from PIL import Image
        except ImportError:  # pragma: no cover
            return
        mid = frames[frames.shape[0] // 2]
        img = Image.fromarray(np.round(mid * 255).astype(np.uint8))
        scale = max(1, self.size // max(img.size))
        img = img.resize((img.size[0] * scale, img.size[1] * scale), Image.NEAREST)
        if self._handle is None:
            self._handle = display(img, display_id=True)
        elif self._handle is not None:
            self._handle.update(img)


@dataclasses.dataclass
class Trajectory:
    """The denoising trajectory of one generated video.

    Attributes:
        steps: the recorded step indices (0-based; the last step is always included).
        timesteps, sigmas: the model timestep and noise level at each recorded step.
        videos: the latents decoded at each recorded step (``videos[-1]`` equals the output).
        x0: the decoded predicted clean video at each recorded step, when recorded.
        num_steps: steps in the run.

    Example:
        >>> import vidkit as vk
        >>> pipe = vk.testing.tiny_pipeline("wan", "t2v")
        >>> out = vk.generate(pipe, prompt="...", steps=2, record="trajectory", progress=False)
        >>> traj = out.metadata["trajectory"]
        >>> traj.videos[-1].shape == out.shape
        True
        >>> vk.show(traj.as_dict())  # doctest: +SKIP
    """

    steps: list[int]
    timesteps: list[float]
    sigmas: list[float | None]
    videos: list[Video]
    x0: list[Video] | None
    num_steps: int

    def __len__(self) -> int:
        return len(self.steps)

    def __getitem__(self, i: int) -> Video:
        return self.videos[i]

    @property
    def final(self) -> Video:
        """The video decoded at the last recorded step."""
        return self.videos[-1]

    def labels(self) -> list[str]:
        """``"step k/N"`` labels (1-based) for the recorded steps."""
        return [f"step {s + 1}/{self.num_steps}" for s in self.steps]

    def as_dict(self, which: str = "videos") -> dict[str, Video]:
        """``{label: video}`` for ``vk.show``; ``which="x0"`` gives the predicted clean videos."""
        vids = self.videos if which == "videos" else self.x0
        if vids is None:
            raise ValueError("x0 was not recorded; use record=TrajectoryRecorder(x0=True)")
        return dict(zip(self.labels(), vids))

    def frame_strip(self, frame: int = -1, which: str = "videos") -> Video:
        """One frame (default the last) of every recorded step, as a Video (one step per frame)."""
        vids = self.videos if which == "videos" else (self.x0 or [])
        if not vids:
            raise ValueError(f"no {which} recorded")
        return Video(np.stack([v.frames[frame] for v in vids]), fps=2)

    def __repr__(self) -> str:
        return (
            f"Trajectory({len(self)} of {self.num_steps} steps, "
            f"x0={'yes' if self.x0 is not None else 'no'})"
        )

    def __deepcopy__(self, memo: dict) -> Trajectory:
        # Videos are immutable in practice; a Video copied with its metadata shares them
        return self


class TrajectoryRecorder:
    """Record the denoising trajectory: decode the latents every ``every`` steps (always the last).

    ``every=None`` picks about ten recordings per run. ``x0=True`` also decodes the predicted clean
    video at each recorded step. ``generate(..., record="trajectory")`` uses one and stores a
    :class:`Trajectory` per video in ``video.metadata["trajectory"]``.

    Decoding uses the family's own decode path (CogVideoX ``decode_latents``; Wan latents
    de-normalised with ``vae.config.latents_mean/std``; LTX ``_unpack_latents`` +
    ``_denormalize_latents``; SVD chunked temporal decode), so the last entry equals the output.

    Example:
        >>> import vidkit as vk
        >>> pipe = vk.testing.tiny_pipeline("wan", "t2v")
        >>> rec = TrajectoryRecorder(every=2, x0=True)
        >>> out = vk.generate(pipe, prompt="...", steps=4, record=rec, progress=False)
        >>> len(out.metadata["trajectory"].x0) == len(out.metadata["trajectory"].videos)
        True
    """

    order = 100
    needs_x0 = True

    def __init__(self, every: int | None = None, x0: bool = False) -> None:
        if every is not None and int(every) < 1:
            raise ValueError(f"every must be >= 1 or None, got {every}")
        self.every = None if every is None else int(every)
        self.x0 = bool(x0)
        self._data: dict[int, dict[str, Any]] = {}

    def reset(self) -> None:
        self._data = {}

    def _due(self, state: StepState) -> bool:
        every = self.every or max(1, math.ceil(state.num_steps / 10))
        return state.is_last or state.interrupted or (state.step + 1) % every == 0

    def __call__(self, state: StepState) -> None:
        if not self._due(state):
            return
        videos = state.decode("latents")
        x0s = state.decode("x0") if (self.x0 and state.x0 is not None) else None
        offset = int(state.context.get("sample_offset", 0))
        for b, v in enumerate(videos):
            d = self._data.setdefault(
                offset + b,
                {"steps": [], "t": [], "sigma": [], "videos": [], "x0": [], "n": state.num_steps},
            )
            d["steps"].append(state.step)
            d["t"].append(float(state.timestep))
            d["sigma"].append(state.sigma)
            d["videos"].append(v)
            if x0s is not None:
                d["x0"].append(x0s[b])

    def trajectory(self, sample: int) -> Trajectory | None:
        """The :class:`Trajectory` of sample ``sample`` (global index in the ``generate`` call)."""
        d = self._data.get(sample)
        if d is None:
            return None
        return Trajectory(
            steps=d["steps"],
            timesteps=d["t"],
            sigmas=d["sigma"],
            videos=d["videos"],
            x0=d["x0"] if self.x0 and d["x0"] else None,
            num_steps=d["n"],
        )


class Interrupt:
    """Stop denoising early: after ``after_step`` steps, when ``when(state)`` is true, or when
    :meth:`request` is called (from a widget button, another thread...). diffusers then skips the
    remaining steps and decodes the current latents; ``generate`` also skips any further batches.

    Example:
        >>> import vidkit as vk
        >>> pipe = vk.testing.tiny_pipeline("wan", "t2v")
        >>> stop = Interrupt(after_step=2)
        >>> out = vk.generate(pipe, prompt="...", steps=4, callbacks=[stop], progress=False)
        >>> out.metadata["interrupted"], out.metadata["steps_completed"]
        (True, 2)
    """

    order = 50

    def __init__(
        self, after_step: int | None = None, when: Callable[[StepState], bool] | None = None
    ) -> None:
        if after_step is not None and int(after_step) < 1:
            raise ValueError(f"after_step must be >= 1, got {after_step}")
        if when is not None and not callable(when):
            raise TypeError(f"when must be callable, got {type(when).__name__}")
        self.after_step = after_step
        self.when = when
        self._requested = threading.Event()
        self.triggered = False

    def request(self) -> None:
        """Ask the running generation to stop at the end of the current step."""
        self._requested.set()

    def reset(self) -> None:
        self._requested.clear()
        self.triggered = False

    def __call__(self, state: StepState) -> None:
        stop = self._requested.is_set()
        if self.after_step is not None and state.step + 1 >= int(self.after_step):
            stop = True
        if self.when is not None and self.when(state):
            stop = True
        if stop and not state.is_last:
            state.pipeline._interrupt = True
            self.triggered = True


# --------------------------------------------------------------------------- composition
class _ProbedStep:
    """``scheduler.step`` wrapped by a :class:`_StepProbe`. A pipeline that deep-copies the
    scheduler (SkyReels-V2 diffusion forcing keeps one copy per latent frame) gets the copy's own,
    unprobed ``step``, not a wrapper that would step the original scheduler."""

    def __init__(self, probe: _StepProbe) -> None:
        self.probe = probe

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        probe = self.probe
        out = probe._orig(*args, **kwargs)
        try:
            probe._capture(probe._sig.bind(*args, **kwargs).arguments, out)
        except Exception:  # never break sampling for a preview
            probe.x0, probe.sigma = None, None
        return out

    def __deepcopy__(self, memo: dict) -> Any:
        import types

        sched = self.probe.scheduler
        copy = memo.get(id(sched))
        if copy is None:  # the wrapper copied on its own: keep probing the original
            return self
        return types.MethodType(type(sched).step, copy)


class _StepProbe:
    """Wraps ``scheduler.step`` for one call to capture the sigma and predicted x0 of each step."""

    def __init__(self, scheduler: Any, flow: bool) -> None:
        self.scheduler = scheduler
        self.flow = flow
        self.x0: Any = None
        self.sigma: float | None = None
        self._had_attr = "step" in vars(scheduler)
        self._orig = scheduler.step
        self._sig = inspect.signature(self._orig)

    def install(self) -> None:
        self.scheduler.step = _ProbedStep(self)

    def remove(self) -> None:
        if self._had_attr:
            self.scheduler.step = self._orig
        else:
            try:
                del self.scheduler.step
            except AttributeError:  # pragma: no cover
                pass

    def _capture(self, a: dict[str, Any], out: Any) -> None:
        import torch

        sample = a.get("sample")
        model_output = a.get("model_output")
        t = a.get("timestep")
        sched = self.scheduler
        x0 = getattr(out, "pred_original_sample", None)
        if x0 is None and isinstance(out, tuple) and len(out) > 1:
            cand = out[1]
            if isinstance(cand, torch.Tensor) and sample is not None and cand.shape == sample.shape:
                x0 = cand
        sigma = None
        cfg = sched.config
        is_flow = self.flow or cfg.get("prediction_type") == "flow_prediction"
        sigmas = getattr(sched, "sigmas", None)
        idx = getattr(sched, "step_index", None)
        if isinstance(sigmas, torch.Tensor) and idx is not None and 0 < idx <= len(sigmas):
            sigma = float(sigmas[idx - 1])
        alphas = getattr(sched, "alphas_cumprod", None)
        if (
            sigma is None
            and isinstance(alphas, torch.Tensor)
            and t is not None
            and not is_flow
            and 0 <= int(t) < len(alphas)
        ):
            a_t = float(alphas[int(t)])
            sigma = math.sqrt(max(0.0, 1 - a_t) / max(a_t, 1e-12))
        if x0 is None and sample is not None and model_output is not None:
            ptt = a.get("per_token_timesteps")
            if is_flow and ptt is not None:
                s = (ptt / cfg.num_train_timesteps)[..., None].to(sample.dtype)
                # the LTX condition pipeline passes -velocity with per-token timesteps
                x0 = sample + s * model_output
            elif is_flow and sigma is not None:
                x0 = sample - sigma * model_output
            elif isinstance(alphas, torch.Tensor) and t is not None and 0 <= int(t) < len(alphas):
                a_t = alphas[int(t)].to(sample.device, sample.dtype)
                pred = cfg.get("prediction_type", "epsilon")
                if pred == "v_prediction":
                    x0 = a_t.sqrt() * sample - (1 - a_t).sqrt() * model_output
                elif pred == "epsilon":
                    x0 = (sample - (1 - a_t).sqrt() * model_output) / a_t.sqrt()
                elif pred == "sample":
                    x0 = model_output
        self.x0 = None if x0 is None else x0.detach()
        self.sigma = sigma


def _align_x0(x0: Any, latents: Any, layout: str, pipe: Any, ctx: Mapping[str, Any]) -> Any:
    """Bring the scheduler's x0 into the layout of the callback latents (or None)."""
    if x0 is None:
        return None
    if x0.shape == latents.shape:
        return x0
    if layout == "packed" and x0.ndim == 5 and latents.ndim == 3:
        # LTX image-to-video steps only frames 1: (unpacked); put the conditioning frame back
        import torch

        f, h, w = ltx_latent_grid(pipe, ctx)
        ps, pt = pipe.transformer_spatial_patch_size, pipe.transformer_temporal_patch_size
        full = pipe._unpack_latents(latents, f, h, w, ps, pt)
        if full.shape[2] == x0.shape[2] + 1:
            return pipe._pack_latents(torch.cat([full[:, :, :1], x0.to(full.dtype)], dim=2), ps, pt)
    return None


class StepDriver:
    """Builds diffusers' ``callback_on_step_end`` from a list of vidkit callbacks (one per call)."""

    def __init__(
        self,
        callbacks: Sequence[Callable[[StepState], Any]],
        family: Any,
        context: dict[str, Any],
    ) -> None:
        for cb in callbacks:
            if not callable(cb):
                raise TypeError(f"callbacks must be callables taking a StepState, got {cb!r}")
        self.callbacks = sorted(callbacks, key=lambda c: getattr(c, "order", 0))
        self.family = family
        self.context = context
        self.last_step = -1
        self.num_steps = 0
        self._probe: _StepProbe | None = None

    def attach(self, pipe: Any) -> None:
        flow = bool(getattr(self.family, "flow_matching", False)) or type(
            pipe.scheduler
        ).__name__.startswith("FlowMatch")
        self._probe = _StepProbe(pipe.scheduler, flow)
        self._probe.install()

    def detach(self) -> None:
        if self._probe is not None:
            self._probe.remove()
            self._probe = None

    def __call__(self, pipe: Any, i: int, t: Any, kwargs: dict[str, Any]) -> dict[str, Any]:
        latents = kwargs.get("latents")
        num = getattr(pipe, "_num_timesteps", None) or len(pipe.scheduler.timesteps)
        probe = self._probe
        x0 = probe.x0 if probe is not None else None
        layout = self.family.latent_layout
        state = StepState(
            step=int(i),
            num_steps=int(num),
            timestep=float(t.float().mean()) if hasattr(t, "float") else float(t),
            sigma=probe.sigma if probe is not None else None,
            latents=latents,
            x0=_align_x0(x0, latents, layout, pipe, self.context) if latents is not None else None,
            layout=layout,
            pipeline=pipe,
            family=self.family,
            context=self.context,
        )
        self.last_step = int(i)
        self.num_steps = int(num)
        for cb in self.callbacks:
            out = cb(state)
            if isinstance(out, Mapping):
                for k, v in out.items():
                    if k not in kwargs:
                        warnings.warn(
                            f"callback returned {k!r}, which this pipeline does not take back "
                            f"(it accepts {list(kwargs)})",
                            stacklevel=2,
                        )
                        continue
                    kwargs[k] = v
                    if k == "latents":
                        state.latents = v
        return kwargs
