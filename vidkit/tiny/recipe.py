"""The training recipe of the tiny model: its configuration, fresh components and the objective.

The shipped configuration (:data:`DEFAULT_DENOISER`, :data:`DEFAULT_TEXT_ENCODER`), the fresh
tokenizer, text encoder, denoiser and scheduler built from it (:func:`build_components`), and the
loss of one training batch (:func:`training_losses`): the flow-matching loss of the denoiser
(:func:`flow_matching_loss`, x-prediction with a velocity loss; noise levels drawn by
:func:`sample_noise_levels`, logit-normal shifted by :data:`NOISE_SHIFT` with a share
:data:`HIGH_NOISE_FRAC` at the highest levels) plus the text encoder's token-reconstruction loss
(:func:`token_reconstruction_loss`). The loop that trains with them, its checkpoints and its
command line are in :mod:`vidkit.tiny.train` (which re-exports these names).

Example:
    >>> comps = build_components({"dim": 32, "depth": 2, "heads": 2, "text_dim": 32},
    ...                          {"dim": 32, "layers": 1, "heads": 2})
    >>> x0 = torch.rand(2, 3, 16, 32, 32) * 2 - 1  # a batch as vidkit.tiny.data.sample_batch gives
    >>> prompts, gen = ["a red ball falls", ""], torch.Generator().manual_seed(0)
    >>> fm, recon, total = training_losses(
    ...     comps["tokenizer"], comps["text_encoder"], comps["denoiser"], x0, prompts, gen
    ... )
    >>> bool(total > fm > 0)
    True
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
import torch.nn.functional as F

from vidkit.tiny import data as _data

__all__ = [
    "DEFAULT_DENOISER",
    "DEFAULT_TEXT_ENCODER",
    "TEXT_DROPOUT",
    "MIN_SIGMA_LOSS",
    "NOISE_SHIFT",
    "HIGH_NOISE_FRAC",
    "HIGH_NOISE_MIN",
    "IMAGE_PROB",
    "TEXT_RECON_WEIGHT",
    "build_components",
    "encode_prompts",
    "token_reconstruction_loss",
    "shift_noise_levels",
    "sample_noise_levels",
    "flow_matching_loss",
    "training_losses",
]

#: Denoiser configuration of the shipped model.
DEFAULT_DENOISER: dict[str, Any] = {
    "patch": 8,
    "temporal_patch": 1,
    "dim": 96,
    "depth": 6,
    "heads": 4,
    "mlp_ratio": 2.0,
    "text_dim": 96,
    "num_frames": _data.FRAMES,
    "sample_size": _data.SIZE,
    "text_pooling": "bos",
    "cross_attention": True,
}
#: Text encoder configuration of the shipped model.
DEFAULT_TEXT_ENCODER: dict[str, Any] = {"dim": 96, "layers": 2, "heads": 4, "max_length": 16}
TEXT_DROPOUT = 0.1
#: Noise levels below this are clamped in the x0 -> velocity conversion of the loss (as in JiT).
MIN_SIGMA_LOSS = 0.05
#: Noise-level shift of training and sampling (SD3's resolution shift, ``s' = k s / (1 + (k-1) s)``):
#: in a 16x32x32 clip a ball stays visible under heavy noise, so where it is gets decided at
#: high noise levels, which the unshifted logit-normal distribution and a linear sampling
#: schedule visit too rarely (the ball then splits into several pieces).
NOISE_SHIFT = 3.0
#: Fraction of each batch whose noise level is drawn uniformly from ``[HIGH_NOISE_MIN, 1]`` instead.
#: Which side the ball starts on (left/right) is decided at the very highest noise levels, and the
#: left/right-mirrored training data make "ignore left/right" a stationary point that the model
#: leaves only slowly (see docs/tiny.md); this extra share of those levels (about 35% of samples
#: above 0.9 instead of 14%), with cross-attention, got throws to follow their direction.
HIGH_NOISE_FRAC = 0.25
HIGH_NOISE_MIN = 0.9
IMAGE_PROB = 0.3
#: Weight of the token-reconstruction loss of the text encoder (:func:`token_reconstruction_loss`)
#: added to the flow-matching loss. Without it the jointly trained encoder let "left" and "right"
#: end in nearly the same state (0.03 apart, against 2-7 for two colours) in bounce and uniform
#: prompts, where the denoiser had not yet learned to use them: the words never reached it.
TEXT_RECON_WEIGHT = 0.02


def build_components(
    denoiser: dict[str, Any] | None = None,
    text_encoder: dict[str, Any] | None = None,
    seed: int = 0,
    noise_shift: float = NOISE_SHIFT,
) -> dict[str, Any]:
    """Fresh pipeline components: ``tokenizer``, ``text_encoder``, ``denoiser``, ``scheduler``.

    The scheduler's ``shift`` is ``noise_shift``; training draws its noise levels with the same
    shift (:func:`flow_matching_loss`), so sampling visits the noise levels the model learned.

    Example:
        >>> comps = build_components({"dim": 32, "depth": 2, "heads": 2, "text_dim": 32},
        ...                          {"dim": 32, "layers": 1, "heads": 2})
        >>> sorted(comps)
        ['denoiser', 'scheduler', 'text_encoder', 'tokenizer']
    """
    from diffusers import FlowMatchEulerDiscreteScheduler

    from vidkit.tiny.network import TinyVideoDenoiser
    from vidkit.tiny.text import TinyTextEncoder, build_tokenizer

    dcfg = {**DEFAULT_DENOISER, **(denoiser or {})}
    tcfg = {**DEFAULT_TEXT_ENCODER, **(text_encoder or {})}
    if dcfg["text_dim"] != tcfg["dim"]:
        raise ValueError(
            f"denoiser text_dim ({dcfg['text_dim']}) must equal the text encoder dim ({tcfg['dim']})"
        )
    tokenizer = build_tokenizer(_data.all_prompts(), model_max_length=tcfg["max_length"])
    torch.manual_seed(seed)
    text = TinyTextEncoder(vocab_size=len(tokenizer), **tcfg)
    net = TinyVideoDenoiser(**dcfg)
    scheduler = FlowMatchEulerDiscreteScheduler(num_train_timesteps=1000, shift=float(noise_shift))
    return {"tokenizer": tokenizer, "text_encoder": text, "denoiser": net, "scheduler": scheduler}


def encode_prompts(
    tokenizer: Any, text_encoder: Any, prompts: Sequence[str], *, return_ids: bool = False
) -> tuple[Any, ...]:
    """Token states ``[B, L, D]`` and the attention mask ``[B, L]`` of ``prompts`` (and the token
    ids ``[B, L]`` with ``return_ids``).

    Example:
        >>> comps = build_components({"dim": 32, "depth": 2, "heads": 2, "text_dim": 32},
        ...                          {"dim": 32, "layers": 1, "heads": 2})
        >>> tok, text, net = comps["tokenizer"], comps["text_encoder"], comps["denoiser"]
        >>> states, mask = encode_prompts(tok, text, ["a red ball falls"])
        >>> states.shape[0], states.shape[-1], mask.shape == states.shape[:2]
        (1, 32, True)
    """
    device = next(text_encoder.parameters()).device
    enc = tokenizer(
        list(prompts),
        padding="max_length",
        max_length=tokenizer.model_max_length,
        truncation=True,
        return_tensors="pt",
    )
    ids, mask = enc.input_ids.to(device), enc.attention_mask.to(device)
    states = text_encoder(ids, mask).last_hidden_state
    return (states, mask, ids) if return_ids else (states, mask)


def token_reconstruction_loss(
    text_encoder: Any, states: torch.Tensor, ids: torch.Tensor, mask: torch.Tensor
) -> torch.Tensor:
    """Cross-entropy of reading each real token back from its own state (``states`` ``[B, L, D]``
    from ``text_encoder``, token ``ids`` and attention ``mask`` ``[B, L]``), with the encoder's
    token embeddings as the output layer (weight tying, as in BERT: no extra parameters).

    Keeps every word identifiable in its state, so a word the denoiser has not learned to use yet
    ("left" vs "right" in a mirrored data set) still reaches its cross-attention.

    Example:
        >>> comps = build_components({"dim": 32, "depth": 2, "heads": 2, "text_dim": 32},
        ...                          {"dim": 32, "layers": 1, "heads": 2})
        >>> tok, text, net = comps["tokenizer"], comps["text_encoder"], comps["denoiser"]
        >>> states, mask, ids = encode_prompts(tok, text, ["a red ball falls"], return_ids=True)
        >>> loss = token_reconstruction_loss(text, states, ids, mask)
        >>> loss.ndim, loss.requires_grad, float(loss) > 0
        (0, True, True)
    """
    if states.shape[:2] != ids.shape or ids.shape != mask.shape:
        raise ValueError(
            f"states {tuple(states.shape)}, ids {tuple(ids.shape)} and mask {tuple(mask.shape)} "
            "must share [B, L]"
        )
    logits = states @ text_encoder.token_embedding.weight.T
    real = mask.to(torch.bool)
    return F.cross_entropy(logits[real], ids[real])


def shift_noise_levels(u: torch.Tensor, shift: float = NOISE_SHIFT) -> torch.Tensor:
    """Noise levels ``u`` in [0, 1] moved towards heavy noise: ``shift u / (1 + (shift - 1) u)``
    (the map diffusers' flow-matching schedulers apply with their ``shift``).

    Example:
        >>> shift_noise_levels(torch.tensor([0.0, 0.5, 1.0]), 3.0)
        tensor([0.0000, 0.7500, 1.0000])
    """
    return shift * u / (1 + (shift - 1) * u)


def sample_noise_levels(
    n: int,
    generator: torch.Generator | None = None,
    shift: float = NOISE_SHIFT,
    high_noise_frac: float = 0.0,
) -> torch.Tensor:
    """``n`` training noise levels: shifted logit-normal (``u = sigmoid(N(0, 1))`` mapped by
    :func:`shift_noise_levels`), with a share ``high_noise_frac`` (at random) drawn uniformly from
    ``[HIGH_NOISE_MIN, 1]`` instead.

    Example:
        >>> s = sample_noise_levels(10000, torch.Generator().manual_seed(0), 3.0, 0.25)
        >>> round(float((s > HIGH_NOISE_MIN).float().mean()), 1)
        0.3
    """
    if not 0.0 <= high_noise_frac <= 1.0:
        raise ValueError(f"high_noise_frac must be in [0, 1], got {high_noise_frac!r}")
    u = torch.sigmoid(torch.randn(n, generator=generator))
    sigma = shift_noise_levels(u, shift)
    if high_noise_frac > 0:
        hi = torch.rand(n, generator=generator) < high_noise_frac
        top = HIGH_NOISE_MIN + (1.0 - HIGH_NOISE_MIN) * torch.rand(n, generator=generator)
        sigma = torch.where(hi, top, sigma)
    return sigma


def flow_matching_loss(
    denoiser: Any,
    x0: torch.Tensor,
    text_states: torch.Tensor,
    generator: torch.Generator,
    image_mask: torch.Tensor | None = None,
    shift: float = NOISE_SHIFT,
    high_noise_frac: float = 0.0,
) -> torch.Tensor:
    """The flow-matching loss of one batch (shifted logit-normal noise levels, velocity target).

    ``image_mask`` ``[B]`` says which samples get their clean first frame as the image condition;
    ``shift`` is the scheduler's ``shift`` (noise levels ``u = sigmoid(n)``, ``n ~ N(0, 1)``, are
    mapped to ``shift u / (1 + (shift - 1) u)``); with ``high_noise_frac`` > 0 that fraction of
    the samples (at random) draws its level uniformly from ``[HIGH_NOISE_MIN, 1]`` instead.

    Example:
        >>> comps = build_components({"dim": 32, "depth": 2, "heads": 2, "text_dim": 32},
        ...                          {"dim": 32, "layers": 1, "heads": 2})
        >>> tok, text, net = comps["tokenizer"], comps["text_encoder"], comps["denoiser"]
        >>> x0 = torch.rand(2, 3, 16, 32, 32) * 2 - 1  # a batch as vidkit.tiny.data.sample_batch gives
        >>> states, _ = encode_prompts(tok, text, ["a red ball falls", "a blue ball falls"])
        >>> loss = flow_matching_loss(net, x0, states, torch.Generator().manual_seed(0))
        >>> loss.ndim, float(loss) > 0
        (0, True)
    """
    b = x0.shape[0]
    sigma = sample_noise_levels(b, generator, shift, high_noise_frac).to(x0)
    noise = torch.randn(x0.shape, generator=generator).to(x0)
    s = sigma.view(b, 1, 1, 1, 1)
    xt = (1 - s) * x0 + s * noise
    image = None
    if image_mask is not None:
        image = x0[:, :, 0]
    pred = denoiser(xt, sigma * 1000, text_states, image=image, image_mask=image_mask).sample
    v = denoiser.velocity(pred, xt, sigma, MIN_SIGMA_LOSS)
    return F.mse_loss(v, noise - x0)


def training_losses(
    tokenizer: Any,
    text_encoder: Any,
    denoiser: Any,
    x0: torch.Tensor,
    prompts: Sequence[str],
    generator: torch.Generator,
    image_mask: torch.Tensor | None = None,
    *,
    shift: float = NOISE_SHIFT,
    high_noise_frac: float = HIGH_NOISE_FRAC,
    text_recon_weight: float = TEXT_RECON_WEIGHT,
) -> tuple[torch.Tensor, torch.Tensor | None, torch.Tensor]:
    """The losses of one training batch: ``(flow_matching, token_reconstruction, total)``.

    Encodes ``prompts``, computes :func:`flow_matching_loss` of ``x0`` and, with
    ``text_recon_weight`` > 0, :func:`token_reconstruction_loss` (``None`` otherwise);
    ``total = flow_matching + text_recon_weight * token_reconstruction`` is what to back-propagate.
    :func:`train` and the course notebook both take their step from here.

    Example:
        >>> comps = build_components({"dim": 32, "depth": 2, "heads": 2, "text_dim": 32},
        ...                          {"dim": 32, "layers": 1, "heads": 2})
        >>> tok, text, net = comps["tokenizer"], comps["text_encoder"], comps["denoiser"]
        >>> x0 = torch.rand(2, 3, 16, 32, 32) * 2 - 1  # a batch as vidkit.tiny.data.sample_batch gives
        >>> prompts, gen = ["a red ball falls", "a blue ball falls"], torch.Generator().manual_seed(0)
        >>> fm, recon, total = training_losses(tok, text, net, x0, prompts, gen)
        >>> total.backward()
        >>> next(net.parameters()).grad is not None
        True
    """
    states, mask, ids = encode_prompts(tokenizer, text_encoder, prompts, return_ids=True)
    loss = flow_matching_loss(
        denoiser,
        x0,
        states,
        generator,
        image_mask,
        shift=shift,
        high_noise_frac=high_noise_frac,
    )
    if text_recon_weight <= 0:
        return loss, None, loss
    recon = token_reconstruction_loss(text_encoder, states, ids, mask)
    return loss, recon, loss + text_recon_weight * recon
