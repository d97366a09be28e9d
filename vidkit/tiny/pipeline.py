"""``TinyPhysicsPipeline``: the tiny model as a diffusers ``DiffusionPipeline``.

Components (each saved in its own sub-folder by ``save_pretrained``, weights as safetensors):

- ``tokenizer``: a word-level ``transformers.PreTrainedTokenizerFast`` (:mod:`vidkit.tiny.text`);
- ``text_encoder``: :class:`~vidkit.tiny.text.TinyTextEncoder`;
- ``denoiser``: :class:`~vidkit.tiny.network.TinyVideoDenoiser` (pixel space, flow matching);
- ``scheduler``: diffusers' ``FlowMatchEulerDiscreteScheduler`` (any flow-matching scheduler works).

One ``__call__`` covers the three tasks, with diffusers' argument names:

- text-to-video: ``pipe("a red ball falls")``;
- image-to-video: ``pipe(prompt, image=first_frame)``: the image is the clean first frame the
  denoiser is conditioned on (channel concatenation + mask, learned in training);
- video-to-video: ``pipe(prompt, video=clip, strength=0.6)``: SDEdit: the clip is noised to the
  noise level of ``strength`` (``scheduler.scale_noise``) and denoised over the last
  ``strength * num_inference_steps`` steps.

Classifier-free guidance mixes the predictions for the prompt and for ``negative_prompt`` (default
the empty prompt). The "latents" are the pixels themselves, ``[B, 3, F, H, W]`` in ``[-1, 1]``:
decoding is ``(latents + 1) / 2``. Step callbacks (``callback_on_step_end``), ``pipe._interrupt``
and the progress bar behave as in diffusers' own video pipelines.

Example:
    >>> import vidkit as vk
    >>> from vidkit.tiny import TinyPhysicsPipeline
    >>> import torch
    >>> pipe = TinyPhysicsPipeline.from_pretrained(vk.tiny.model_path())
    >>> out = pipe("a red ball falls", generator=torch.Generator().manual_seed(0))
    >>> out.frames.shape
    (1, 16, 32, 32, 3)
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from diffusers import DiffusionPipeline
from diffusers.callbacks import MultiPipelineCallbacks, PipelineCallback
from diffusers.utils import BaseOutput
from diffusers.utils.torch_utils import randn_tensor

__all__ = [
    "DEFAULT_GUIDANCE",
    "torch_threads",
    "TinyPhysicsPipeline",
    "TinyPhysicsPipelineOutput",
    "decode_latents",
]

#: Classifier-free guidance scale the bundled weights are sampled with by default. Chosen on
#: held-out prompts (model card, "Guidance"): from 1.5 to 2.5 the colour and direction words are
#: followed (1.00) and the motion is about equally physical; from 3 up the ball accelerates too
#: much and fades or doubles more often.
DEFAULT_GUIDANCE = 2.0

FPS = 8.0

#: Forward passes (videos x guidance branches) per torch thread. The tiny network's matrices are
#: small (256 tokens x 128 channels per video): one forward pass is too little work to split over
#: threads. Splitting it anyway costs a synchronisation at every operation, and when another
#: process holds the second core (a browser, a second kernel) every one of those waits for the
#: busy core: one 25-step video then took 10-35 s with torch's default 2 threads against
#: 1.4-1.6 s with 1 (0.6 s idle), and a training step of batch 8 took 2.8-3.3 s with 2 threads
#: against 0.3-0.4 s with 1 (load ~10 on 2 cores). Only batches of more than 16 videos with
#: guidance get a second thread.
PASSES_PER_THREAD = 32


@contextlib.contextmanager
def torch_threads(n: int | None) -> Iterator[int]:
    """Run a block with ``torch.set_num_threads(n)`` (never more than torch had), restoring the
    previous number afterwards; ``None`` leaves it as it is. Yields the number in use.

    Example:
        >>> with torch_threads(1):
        ...     torch.get_num_threads()
        1
    """
    before = torch.get_num_threads()
    use = before if n is None else max(1, min(int(n), before))
    if use != before:
        torch.set_num_threads(use)
    try:
        yield use
    finally:
        if torch.get_num_threads() != before:
            torch.set_num_threads(before)


def _threads_for_call(pipe: Any, args: tuple, kwargs: dict[str, Any]) -> int | None:
    """Threads for one call: ``pipe.num_threads`` if set, else one per PASSES_PER_THREAD
    forward passes (videos x guidance branches)."""
    if pipe.num_threads is not None:
        return int(pipe.num_threads)
    prompt = kwargs.get("prompt", args[0] if args else None)
    n = len(prompt) if isinstance(prompt, (list, tuple)) else 1
    n *= int(kwargs.get("num_videos_per_prompt", 1) or 1)
    guidance = kwargs.get("guidance_scale", DEFAULT_GUIDANCE)
    passes = n * (2 if guidance is not None and float(guidance) > 1.0 else 1)
    return max(1, passes // PASSES_PER_THREAD)


def _sized_threads(call: Callable[..., Any]) -> Callable[..., Any]:
    """Run ``__call__`` with torch threads chosen for the work's size (see PASSES_PER_THREAD)."""

    @functools.wraps(call)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            n = _threads_for_call(self, args, kwargs)
        except (TypeError, ValueError):  # odd arguments: __call__ itself says what is wrong
            n = None
        with torch_threads(n):
            return call(self, *args, **kwargs)

    return wrapper


@dataclass
class TinyPhysicsPipelineOutput(BaseOutput):
    """``frames``: ``[B, F, H, W, 3]`` in [0, 1] (``"np"``), ``[B, F, 3, H, W]`` (``"pt"``),
    lists of PIL images (``"pil"``) or the raw latents ``[B, 3, F, H, W]`` (``"latent"``)."""

    frames: Any


def decode_latents(latents: torch.Tensor) -> torch.Tensor:
    """Pixel-space decode: latents ``[B, 3, F, H, W]`` in [-1, 1] -> frames ``[B, F, H, W, 3]`` in
    [0, 1] (used for the final output and for trajectories of intermediate steps).

    Example:
        >>> decode_latents(torch.zeros(1, 3, 2, 4, 4)).shape
        torch.Size([1, 2, 4, 4, 3])
    """
    if not isinstance(latents, torch.Tensor) or latents.ndim != 5 or latents.shape[1] != 3:
        raise ValueError(
            f"latents must be a tensor [B, 3, F, H, W], got {getattr(latents, 'shape', latents)!r}"
        )
    return ((latents.float() + 1) / 2).clamp(0, 1).permute(0, 2, 3, 4, 1)


def _frames01(x: Any, what: str) -> np.ndarray:
    """An image ``[H, W, 3]`` or video ``[F, H, W, 3]`` in any vidkit-convertible form -> float [0, 1]."""
    from PIL import Image

    from vidkit.video import Video, as_video

    if isinstance(x, Image.Image):
        return np.asarray(x.convert("RGB"), np.float32) / 255.0
    if isinstance(x, Video):
        return x.frames
    if isinstance(x, (list, tuple)) and x and isinstance(x[0], Image.Image):
        return Video.from_pil(x).frames
    if isinstance(x, torch.Tensor):
        x = x.detach().cpu().float().numpy()
        if x.ndim == 3 and x.shape[0] in (1, 3) and x.shape[-1] not in (1, 3):
            x = x.transpose(1, 2, 0)
        elif x.ndim == 4 and x.shape[1] in (1, 3) and x.shape[-1] not in (1, 3):
            x = x.transpose(0, 2, 3, 1)
    if isinstance(x, np.ndarray):
        if x.ndim == 3 and what == "image":
            return as_video(x[None]).frames[0]
        if x.ndim == 4:
            return as_video(x).frames
    raise TypeError(
        f"{what} must be a PIL image, a numpy array or tensor ([H, W, 3] for an image, "
        f"[F, H, W, 3] for a video; uint8 or float in [0, 1]), a vidkit Video or a list of PIL "
        f"images; got {type(x).__name__} of shape {getattr(x, 'shape', None)}"
    )


def _resize(frames: torch.Tensor, height: int, width: int) -> torch.Tensor:
    """``[N, 3, h, w]`` -> ``[N, 3, height, width]`` (antialiased bilinear) if needed."""
    if frames.shape[-2:] == (height, width):
        return frames
    return F.interpolate(
        frames, size=(height, width), mode="bilinear", align_corners=False, antialias=True
    )


class TinyPhysicsPipeline(DiffusionPipeline):
    """Text/image/video-to-video pipeline of vidkit's tiny physics model (see module docs).

    Example:
        >>> import vidkit as vk
        >>> pipe = TinyPhysicsPipeline.from_pretrained(vk.tiny.model_path())
        >>> video = pipe("a blue ball bounces to the left on a grey floor", num_inference_steps=4)
        >>> video.frames[0].shape
        (16, 32, 32, 3)
    """

    model_cpu_offload_seq = "text_encoder->denoiser"
    #: torch threads per call; None: chosen for the work's size (one per PASSES_PER_THREAD
    #: forward passes, so a single video runs on one thread and stays fast on a busy machine)
    num_threads: int | None = None
    _callback_tensor_inputs = ["latents"]
    _optional_components: list[str] = []

    def __init__(self, tokenizer: Any, text_encoder: Any, denoiser: Any, scheduler: Any) -> None:
        super().__init__()
        self.register_modules(
            tokenizer=tokenizer, text_encoder=text_encoder, denoiser=denoiser, scheduler=scheduler
        )
        self._guidance_scale = 1.0
        self._num_timesteps = 0
        self._interrupt = False

    # ------------------------------------------------------------------ properties
    @property
    def guidance_scale(self) -> float:
        return self._guidance_scale

    @property
    def do_classifier_free_guidance(self) -> bool:
        return self._guidance_scale > 1.0

    @property
    def num_timesteps(self) -> int:
        return self._num_timesteps

    @property
    def interrupt(self) -> bool:
        return self._interrupt

    @property
    def default_size(self) -> tuple[int, int, int]:
        """``(num_frames, height, width)`` the denoiser was built for."""
        cfg = self.denoiser.config
        return int(cfg.num_frames), int(cfg.sample_size), int(cfg.sample_size)

    # ------------------------------------------------------------------ pieces
    def encode_prompt(
        self,
        prompt: str | list[str],
        negative_prompt: str | list[str] | None = None,
        do_classifier_free_guidance: bool = True,
        num_videos_per_prompt: int = 1,
        device: torch.device | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Token states ``[B * n, L, D]`` for the prompts (and for the negative prompts).

        Example:
            >>> import vidkit as vk
            >>> pipe = TinyPhysicsPipeline.from_pretrained(vk.tiny.model_path())
            >>> emb, neg = pipe.encode_prompt("a red ball falls")
            >>> emb.shape[0], emb.shape == neg.shape
            (1, True)
        """
        device = device or self._execution_device
        prompts = [prompt] if isinstance(prompt, str) else list(prompt)
        if not all(isinstance(p, str) for p in prompts):
            raise TypeError(f"prompt must be a string or a list of strings, got {prompt!r}")

        def enc(texts: list[str]) -> torch.Tensor:
            tok = self.tokenizer(
                texts,
                padding="max_length",
                max_length=self.tokenizer.model_max_length,
                truncation=True,
                return_tensors="pt",
            )
            out = self.text_encoder(tok.input_ids.to(device), tok.attention_mask.to(device))
            return out.last_hidden_state.repeat_interleave(num_videos_per_prompt, dim=0)

        emb = enc(prompts)
        neg = None
        if do_classifier_free_guidance:
            if negative_prompt is None:
                negs = [""] * len(prompts)
            elif isinstance(negative_prompt, str):
                negs = [negative_prompt] * len(prompts)
            else:
                negs = list(negative_prompt)
                if len(negs) != len(prompts):
                    raise ValueError(
                        f"negative_prompt has {len(negs)} entries but prompt has {len(prompts)}"
                    )
            neg = enc(negs)
        return emb, neg

    def _image_tensor(
        self, image: Any, batch: int, n_prompts: int, height: int, width: int, device, dtype
    ) -> torch.Tensor:
        images = (
            image
            if isinstance(image, list) and len(image) == n_prompts and n_prompts > 1
            else [image]
        )
        if (
            isinstance(image, list)
            and image
            and not isinstance(image[0], (np.ndarray, torch.Tensor))
        ):
            # a list of PIL images: one per prompt
            from PIL import Image

            if all(isinstance(i, Image.Image) for i in image):
                images = image
        arrs = []
        for im in images:
            a = _frames01(im, "image")
            if a.ndim == 4:  # a video given as image: use its first frame
                a = a[0]
            arrs.append(torch.from_numpy(np.ascontiguousarray(a)).permute(2, 0, 1))
        t = _resize(torch.stack(arrs).float(), height, width) * 2 - 1
        if t.shape[0] == 1:
            t = t.expand(batch, -1, -1, -1)
        elif t.shape[0] * (batch // t.shape[0]) == batch:
            t = t.repeat_interleave(batch // t.shape[0], dim=0)
        else:
            raise ValueError(f"got {t.shape[0]} images for a batch of {batch} videos")
        return t.to(device=device, dtype=dtype)

    def _video_tensor(
        self, video: Any, batch: int, num_frames: int, height: int, width: int, device, dtype
    ) -> torch.Tensor:
        from vidkit.video import Video

        videos = (
            video if isinstance(video, list) and video and isinstance(video[0], Video) else [video]
        )
        outs = []
        for v in videos:
            a = _frames01(v, "video")
            if a.ndim != 4:
                raise ValueError(f"video must have frames [F, H, W, 3], got shape {a.shape}")
            if a.shape[0] != num_frames:
                raise ValueError(
                    f"video has {a.shape[0]} frames but num_frames={num_frames}; resample it first "
                    f"(e.g. Video.resample({num_frames}))"
                )
            f = _resize(
                torch.from_numpy(np.ascontiguousarray(a)).permute(0, 3, 1, 2), height, width
            )
            outs.append(f.permute(1, 0, 2, 3))  # [3, F, H, W]
        t = torch.stack(outs) * 2 - 1
        if t.shape[0] == 1:
            t = t.expand(batch, -1, -1, -1, -1)
        elif t.shape[0] * (batch // t.shape[0]) == batch:
            t = t.repeat_interleave(batch // t.shape[0], dim=0)
        else:
            raise ValueError(f"got {t.shape[0]} videos for a batch of {batch} outputs")
        return t.to(device=device, dtype=dtype)

    def check_inputs(
        self,
        prompt: Any,
        strength: float | None,
        video: Any,
        num_frames: int,
        height: int,
        width: int,
        callback_on_step_end_tensor_inputs: list[str] | None,
        output_type: str,
    ) -> None:
        """Validate the arguments of ``__call__`` (clear errors naming what was given)."""
        if prompt is None:
            raise ValueError('prompt is required (use "" for an unconditional video)')
        if not isinstance(prompt, (str, list)):
            raise TypeError(
                f"prompt must be a string or a list of strings, got {type(prompt).__name__}"
            )
        f, h, w = self.default_size
        if (num_frames, height, width) != (f, h, w):
            raise ValueError(
                f"this tiny model makes {f} frames of {h}x{w}; got num_frames={num_frames}, "
                f"height={height}, width={width}"
            )
        if strength is not None:
            if video is None:
                raise ValueError("strength applies to video-to-video: give video=... as well")
            if not 0 < float(strength) <= 1:
                raise ValueError(f"strength must be in (0, 1], got {strength!r}")
        if callback_on_step_end_tensor_inputs is not None:
            bad = [
                k
                for k in callback_on_step_end_tensor_inputs
                if k not in self._callback_tensor_inputs
            ]
            if bad:
                raise ValueError(
                    f"callback_on_step_end_tensor_inputs {bad} are not available; "
                    f"choose from {self._callback_tensor_inputs}"
                )
        if output_type not in ("np", "pt", "pil", "latent"):
            raise ValueError(
                f"output_type must be 'np', 'pt', 'pil' or 'latent', got {output_type!r}"
            )

    # ------------------------------------------------------------------ call
    @_sized_threads
    @torch.no_grad()
    def __call__(
        self,
        prompt: str | list[str] | None = None,
        image: Any = None,
        video: Any = None,
        strength: float | None = None,
        num_inference_steps: int = 25,
        guidance_scale: float = DEFAULT_GUIDANCE,
        num_frames: int | None = None,
        height: int | None = None,
        width: int | None = None,
        negative_prompt: str | list[str] | None = None,
        num_videos_per_prompt: int = 1,
        generator: torch.Generator | list[torch.Generator] | None = None,
        latents: torch.Tensor | None = None,
        output_type: str = "np",
        return_dict: bool = True,
        callback_on_step_end: Callable[..., dict]
        | PipelineCallback
        | MultiPipelineCallbacks
        | None = None,
        callback_on_step_end_tensor_inputs: list[str] | None = None,
        replace_first_frame: bool = True,
    ) -> TinyPhysicsPipelineOutput | tuple:
        """Generate videos (text-to-video, image-to-video with ``image``, video-to-video with
        ``video`` and ``strength``).

        Args:
            prompt: text prompt(s), e.g. ``"a red ball falls"``.
            image: first frame (PIL image, array ``[H, W, 3]``, tensor, Video) or one per prompt.
            video: input video for video-to-video (``[F, H, W, 3]``, Video, list of PIL images).
            strength: how far video-to-video departs from ``video`` (0..1; default 0.6).
            num_inference_steps: denoising steps (25 by default).
            guidance_scale: classifier-free guidance scale (> 1 enables guidance).
            num_frames, height, width: must match the model (16, 32, 32) if given.
            negative_prompt: prompt(s) for the unconditional branch (default ``""``).
            num_videos_per_prompt: videos per prompt.
            generator: a ``torch.Generator`` or a list with one per video.
            latents: initial noise ``[B, 3, F, H, W]`` (text/image-to-video).
            output_type: ``"np"``, ``"pt"``, ``"pil"`` or ``"latent"``.
            return_dict: return a :class:`TinyPhysicsPipelineOutput` (else a tuple).
            callback_on_step_end: ``f(pipe, step, timestep, callback_kwargs) -> dict`` after each
                step; it may replace ``latents``.
            callback_on_step_end_tensor_inputs: tensors passed to the callback (``["latents"]``).
            replace_first_frame: with ``image``, keep the first frame of the latents on the path
                from its noise to the image after every step, so the video starts with exactly
                the image (``False``: rely on the learned image conditioning alone).

        Example:
            >>> import vidkit as vk
            >>> pipe = TinyPhysicsPipeline.from_pretrained(vk.tiny.model_path())
            >>> out = pipe("a red ball falls", guidance_scale=4.0, num_inference_steps=4,
            ...            output_type="np")
            >>> out.frames.shape
            (1, 16, 32, 32, 3)
        """
        if isinstance(callback_on_step_end, (PipelineCallback, MultiPipelineCallbacks)):
            callback_on_step_end_tensor_inputs = callback_on_step_end.tensor_inputs
        if callback_on_step_end_tensor_inputs is None:
            callback_on_step_end_tensor_inputs = ["latents"]
        f0, h0, w0 = self.default_size
        num_frames = f0 if num_frames is None else int(num_frames)
        height = h0 if height is None else int(height)
        width = w0 if width is None else int(width)
        if video is not None and strength is None:
            strength = 0.6
        self.check_inputs(
            prompt,
            strength,
            video,
            num_frames,
            height,
            width,
            callback_on_step_end_tensor_inputs,
            output_type,
        )
        if not isinstance(num_inference_steps, int) or num_inference_steps < 1:
            raise ValueError(
                f"num_inference_steps must be a positive int, got {num_inference_steps!r}"
            )
        self._guidance_scale = float(guidance_scale)
        self._interrupt = False
        device = self._execution_device
        dtype = self.denoiser.dtype

        prompts = [prompt] if isinstance(prompt, str) else list(prompt)
        batch = len(prompts) * num_videos_per_prompt
        if isinstance(generator, list) and len(generator) != batch:
            raise ValueError(f"got {len(generator)} generators for a batch of {batch} videos")
        emb, neg = self.encode_prompt(
            prompts,
            negative_prompt,
            self.do_classifier_free_guidance,
            num_videos_per_prompt,
            device,
        )
        text = torch.cat([neg, emb]) if self.do_classifier_free_guidance else emb
        text = text.to(dtype)

        img = img_mask = None
        if image is not None:
            img = self._image_tensor(image, batch, len(prompts), height, width, device, dtype)
            img_mask = torch.ones(batch, device=device, dtype=dtype)
            if self.do_classifier_free_guidance:
                img, img_mask = torch.cat([img, img]), torch.cat([img_mask, img_mask])

        self.scheduler.set_timesteps(num_inference_steps, device=device)
        timesteps = self.scheduler.timesteps
        shape = (batch, 3, num_frames, height, width)
        if video is not None:
            init = self._video_tensor(video, batch, num_frames, height, width, device, dtype)
            keep = min(int(round(num_inference_steps * float(strength))), num_inference_steps)
            keep = max(keep, 1)
            t_start = num_inference_steps - keep
            timesteps = timesteps[t_start * self.scheduler.order :]
            if hasattr(self.scheduler, "set_begin_index"):
                self.scheduler.set_begin_index(t_start * self.scheduler.order)
            noise = randn_tensor(shape, generator=generator, device=device, dtype=dtype)
            latents = self.scheduler.scale_noise(init, timesteps[:1].repeat(batch), noise)
        elif latents is None:
            latents = randn_tensor(shape, generator=generator, device=device, dtype=dtype)
            noise = latents
        else:
            if tuple(latents.shape) != shape:
                raise ValueError(f"latents must have shape {shape}, got {tuple(latents.shape)}")
            latents = latents.to(device=device, dtype=dtype)
            noise = latents
        self._num_timesteps = len(timesteps)
        # image-to-video: the first frame is known. Besides the learned conditioning (the image is
        # an input of the denoiser), the first frame of the latents is kept on the straight path
        # from its noise to the image after every step (replacement, as in inpainting samplers),
        # so the output starts exactly with the given image.
        first = noise0 = None
        if img is not None and replace_first_frame:
            first, noise0 = img[:batch], noise[:, :, 0].clone()
            sigma0 = float(timesteps[0]) / 1000.0
            latents[:, :, 0] = (1 - sigma0) * first + sigma0 * noise0

        with self.progress_bar(total=len(timesteps)) as bar:
            for i, t in enumerate(timesteps):
                if self.interrupt:
                    continue
                x = torch.cat([latents, latents]) if self.do_classifier_free_guidance else latents
                tt = t.expand(x.shape[0]).to(dtype)
                pred = self.denoiser(x, tt, text, image=img, image_mask=img_mask).sample
                if self.do_classifier_free_guidance:
                    uncond, cond = pred.chunk(2)
                    pred = uncond + self.guidance_scale * (cond - uncond)
                # the denoiser predicts x0 (or v); the flow-matching scheduler steps with v.
                # Pixel space: a predicted x0 outside the data range [-1, 1] is clamped (static
                # thresholding, as in Imagen), which keeps strong guidance from overshooting.
                if self.denoiser.config.prediction_type == "sample":
                    pred = pred.clamp(-1.0, 1.0)
                v = self.denoiser.velocity(pred, latents, t / 1000.0, 1e-4)
                latents = self.scheduler.step(v, t, latents, return_dict=False)[0]
                if first is not None:
                    idx = getattr(self.scheduler, "step_index", None)
                    sigma = float(self.scheduler.sigmas[idx]) if idx is not None else 0.0
                    latents[:, :, 0] = (1 - sigma) * first + sigma * noise0
                if callback_on_step_end is not None:
                    available = {"latents": latents}
                    kwargs = {k: available[k] for k in callback_on_step_end_tensor_inputs}
                    out = callback_on_step_end(self, i, t, kwargs)
                    latents = out.pop("latents", latents)
                bar.update()

        if output_type == "latent":
            frames: Any = latents
        else:
            video_out = decode_latents(latents)  # [B, F, H, W, 3]
            if output_type == "np":
                frames = video_out.cpu().numpy()
            elif output_type == "pt":
                frames = video_out.permute(0, 1, 4, 2, 3)
            else:
                from PIL import Image

                u8 = (video_out.cpu().numpy() * 255).round().astype(np.uint8)
                frames = [[Image.fromarray(fr) for fr in v] for v in u8]
        self.maybe_free_model_hooks()
        if not return_dict:
            return (frames,)
        return TinyPhysicsPipelineOutput(frames=frames)
