"""The tiny video denoiser: a space-time factorised diffusion transformer in pixel space.

Layout: videos are ``[B, C, F, H, W]`` in ``[-1, 1]``. Given the noisy sample
``x_t = (1 - s) x0 + s noise`` at noise level ``s = timestep / 1000`` (diffusers'
``FlowMatchEulerDiscreteScheduler`` convention), the network predicts the *clean sample* ``x0``
(``prediction_type="sample"``, the default) or the flow-matching velocity ``v = noise - x0``
(``"velocity"``); :meth:`TinyVideoDenoiser.velocity` turns either into ``v``. Predicting ``x0`` is
what makes large pixel patches work (Li & He 2025, "Back to Basics: Let Denoising Generative
Models Denoise"): a token of 8x8x3 = 192 noisy values cannot pass its noise through a 96-wide
token, but the clean patch (background and part of a disc) is simple.

Architecture (read top to bottom in :class:`TinyVideoDenoiser.forward`):

- *patchify*: the video is cut into ``pt x p x p`` space-time patches (default ``2 x 4 x 4``, so a
  16x32x32 clip becomes 8 x 8 x 8 = 512 tokens of 96 values); the *condition* (the clean first
  frame, as patches, and a mask channel that says whether it is given) is concatenated to every
  token; one linear layer embeds the result, and learned spatial and temporal positions are added;
- ``depth`` transformer blocks that alternate *spatial* attention (tokens of one time step attend
  to each other) and *temporal* attention (tokens at one place attend across time), as in
  TimeSformer's divided attention, each followed by an MLP;
- every block is modulated by adaLN-Zero (DiT): shift, scale and gate of both sub-layers come
  from the sum of the timestep embedding and the pooled text embedding, and start at zero;
- a final adaLN layer norm and a linear layer give each token's patch of velocity; *unpatchify*
  puts the patches back in place.

Convolutions are avoided on purpose: on a CPU the matrix products of a transformer run several
times faster than small 3D convolutions, and the network has to sample a clip in under a second.

Example:
    >>> import torch
    >>> net = TinyVideoDenoiser(dim=32, depth=2, heads=2, text_dim=16, num_frames=4,
    ...                         sample_size=16)
    >>> x = torch.randn(2, 3, 4, 16, 16)
    >>> text = torch.randn(2, 5, 16)
    >>> net(x, torch.tensor([500.0, 20.0]), text).sample.shape
    torch.Size([2, 3, 4, 16, 16])
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from diffusers import ConfigMixin, ModelMixin
from diffusers.configuration_utils import register_to_config
from diffusers.utils import BaseOutput
from torch import nn

__all__ = ["DenoiserOutput", "TinyVideoDenoiser", "timestep_embedding"]


@dataclass
class DenoiserOutput(BaseOutput):
    """The prediction ``[B, 3, F, H, W]`` (clean sample or velocity, see ``prediction_type``)."""

    sample: torch.Tensor


def timestep_embedding(t: torch.Tensor, dim: int, max_period: float = 10000.0) -> torch.Tensor:
    """Sinusoidal embedding ``[B, dim]`` of timesteps ``t`` ``[B]`` (in 0..1000).

    Example:
        >>> timestep_embedding(torch.tensor([0.0, 999.0]), 8).shape
        torch.Size([2, 8])
    """
    half = dim // 2
    freqs = torch.exp(-math.log(max_period) * torch.arange(half, dtype=torch.float32) / half)
    args = t.float()[:, None] * freqs[None].to(t.device)
    return torch.cat([torch.cos(args), torch.sin(args)], dim=-1)


class Attention(nn.Module):
    """Multi-head self-attention over the second-to-last axis (``scaled_dot_product_attention``)."""

    def __init__(self, dim: int, heads: int) -> None:
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n, length, d = x.shape
        q, k, v = self.qkv(x).reshape(n, length, 3, self.heads, d // self.heads).unbind(2)
        out = F.scaled_dot_product_attention(
            q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2)
        )
        return self.proj(out.transpose(1, 2).reshape(n, length, d))


class CrossAttention(nn.Module):
    """Multi-head attention of video tokens ``[B, N, D]`` to text token states ``[B, L, Dt]``.

    ``text_mask`` ``[B, L]`` (True for real tokens) keeps padding out of the keys. The output
    projection starts at zero, so a block that gains this sub-layer starts as it was.
    """

    def __init__(self, dim: int, text_dim: int, heads: int) -> None:
        super().__init__()
        self.heads = heads
        self.q = nn.Linear(dim, dim)
        self.kv = nn.Linear(text_dim, 2 * dim)
        self.proj = nn.Linear(dim, dim)
        nn.init.zeros_(self.proj.weight)
        nn.init.zeros_(self.proj.bias)

    def forward(self, x: torch.Tensor, text: torch.Tensor, text_mask: torch.Tensor) -> torch.Tensor:
        b, n, d = x.shape
        hd = d // self.heads
        q = self.q(x).reshape(b, n, self.heads, hd).transpose(1, 2)
        k, v = self.kv(text).reshape(b, text.shape[1], 2, self.heads, hd).unbind(2)
        out = F.scaled_dot_product_attention(
            q, k.transpose(1, 2), v.transpose(1, 2), attn_mask=text_mask[:, None, None, :]
        )
        return self.proj(out.transpose(1, 2).reshape(b, n, d))


class Block(nn.Module):
    """adaLN-Zero transformer block; ``axis`` is ``"space"`` or ``"time"`` (what attends).

    With ``text_dim`` the block also has a cross-attention sub-layer from every video token to the
    text token states (after the self-attention, as in PixArt-alpha).
    """

    def __init__(
        self, dim: int, heads: int, mlp_ratio: float, axis: str, text_dim: int | None = None
    ) -> None:
        super().__init__()
        self.axis = axis
        self.norm1 = nn.LayerNorm(dim, elementwise_affine=False, eps=1e-6)
        self.attn = Attention(dim, heads)
        self.cross = None
        if text_dim is not None:
            self.norm_cross = nn.LayerNorm(dim, eps=1e-6)
            self.cross = CrossAttention(dim, text_dim, heads)
        self.norm2 = nn.LayerNorm(dim, elementwise_affine=False, eps=1e-6)
        hidden = int(dim * mlp_ratio)
        self.mlp = nn.Sequential(
            nn.Linear(dim, hidden), nn.GELU(approximate="tanh"), nn.Linear(hidden, dim)
        )
        self.ada = nn.Linear(dim, 6 * dim)
        nn.init.zeros_(self.ada.weight)
        nn.init.zeros_(self.ada.bias)

    def forward(
        self,
        x: torch.Tensor,
        emb: torch.Tensor,
        text: torch.Tensor | None = None,
        text_mask: torch.Tensor | None = None,
    ) -> torch.Tensor:
        # x: [B, T, S, D] (time steps, spatial tokens)
        b, t, s, d = x.shape
        sh1, sc1, g1, sh2, sc2, g2 = self.ada(emb)[:, None, None].chunk(6, dim=-1)
        h = self.norm1(x) * (1 + sc1) + sh1
        if self.axis == "space":
            h = self.attn(h.reshape(b * t, s, d)).reshape(b, t, s, d)
        else:
            h = self.attn(h.transpose(1, 2).reshape(b * s, t, d))
            h = h.reshape(b, s, t, d).transpose(1, 2)
        x = x + g1 * h
        if self.cross is not None:
            c = self.cross(self.norm_cross(x).reshape(b, t * s, d), text, text_mask)
            x = x + c.reshape(b, t, s, d)
        return x + g2 * self.mlp(self.norm2(x) * (1 + sc2) + sh2)


class TinyVideoDenoiser(ModelMixin, ConfigMixin):
    """Pixel-space video denoiser (flow matching), conditioned on text and a first frame.

    Args:
        in_channels: video channels (3).
        patch: spatial patch size ``p``.
        temporal_patch: temporal patch size ``pt``.
        dim: token width.
        depth: transformer blocks (alternating spatial / temporal attention).
        heads: attention heads.
        mlp_ratio: MLP hidden width / ``dim``.
        text_dim: width of the pooled text embedding.
        num_frames, sample_size: the clip size (frames, square side) the positions are made for.
        prediction_type: ``"sample"`` (predict ``x0``) or ``"velocity"`` (predict ``noise - x0``).
        text_pooling: how the text vector that modulates every block is pooled from the token
            states: ``"bos"`` (the first, ``[BOS]``, state) or ``"mean"`` (the mean over the real
            tokens, so every word reaches the denoiser directly; see :meth:`pool_text`).
        cross_attention: give every block a cross-attention sub-layer from the video tokens to
            the text token states (each word reaches every token, not only through one pooled
            vector); its output projection starts at zero.

    Example:
        >>> net = TinyVideoDenoiser()
        >>> round(sum(p.numel() for p in net.parameters()) / 1e6, 1) > 0.5
        True
    """

    @register_to_config
    def __init__(
        self,
        in_channels: int = 3,
        patch: int = 4,
        temporal_patch: int = 2,
        dim: int = 128,
        depth: int = 6,
        heads: int = 4,
        mlp_ratio: float = 2.0,
        text_dim: int = 128,
        num_frames: int = 16,
        sample_size: int = 32,
        prediction_type: str = "sample",
        text_pooling: str = "bos",
        cross_attention: bool = False,
    ) -> None:
        super().__init__()
        if text_pooling not in ("bos", "mean"):
            raise ValueError(f"text_pooling must be 'bos' or 'mean', got {text_pooling!r}")
        if prediction_type not in ("sample", "velocity"):
            raise ValueError(
                f"prediction_type must be 'sample' or 'velocity', got {prediction_type!r}"
            )
        if sample_size % patch or num_frames % temporal_patch:
            raise ValueError(
                f"sample_size {sample_size} / num_frames {num_frames} must be multiples of the "
                f"patch sizes {patch} / {temporal_patch}"
            )
        if dim % heads:
            raise ValueError(f"dim ({dim}) must be divisible by heads ({heads})")
        self.token_values = in_channels * temporal_patch * patch * patch
        cond_values = in_channels * patch * patch + 1  # first-frame patch + mask
        self.embed = nn.Linear(self.token_values + cond_values, dim)
        side = sample_size // patch
        self.pos_space = nn.Parameter(torch.zeros(1, 1, side * side, dim))
        self.pos_time = nn.Parameter(torch.zeros(1, num_frames // temporal_patch, 1, dim))
        nn.init.normal_(self.pos_space, std=0.02)
        nn.init.normal_(self.pos_time, std=0.02)
        self.time_mlp = nn.Sequential(nn.Linear(dim, dim), nn.SiLU(), nn.Linear(dim, dim))
        self.text_mlp = nn.Sequential(nn.Linear(text_dim, dim), nn.SiLU(), nn.Linear(dim, dim))
        self.blocks = nn.ModuleList(
            [
                Block(
                    dim,
                    heads,
                    mlp_ratio,
                    "space" if i % 2 == 0 else "time",
                    text_dim if cross_attention else None,
                )
                for i in range(depth)
            ]
        )
        self.final_norm = nn.LayerNorm(dim, elementwise_affine=False, eps=1e-6)
        self.final_ada = nn.Linear(dim, 2 * dim)
        self.head = nn.Linear(dim, self.token_values)
        for layer in (self.final_ada, self.head):
            nn.init.zeros_(layer.weight)
            nn.init.zeros_(layer.bias)

    def velocity(
        self, prediction: torch.Tensor, sample: torch.Tensor, sigma: torch.Tensor, min_sigma: float
    ) -> torch.Tensor:
        """The flow-matching velocity ``noise - x0`` implied by the network's ``prediction`` for
        ``sample`` at noise level ``sigma`` (``[B]`` or a number; clamped below at ``min_sigma``
        where the prediction is ``x0``: ``v = (x_t - x0) / sigma``).

        Example:
            >>> net = TinyVideoDenoiser(dim=16, depth=2, heads=2, text_dim=8)
            >>> x = torch.zeros(1, 3, 16, 32, 32)
            >>> float(net.velocity(x - 1, x, torch.tensor([0.5]), 1e-3).mean())
            2.0
        """
        if self.config.prediction_type == "velocity":
            return prediction
        s = torch.as_tensor(sigma, dtype=sample.dtype, device=sample.device).reshape(-1)
        s = s.clamp(min=min_sigma).view(-1, *([1] * (sample.ndim - 1)))
        return (sample - prediction) / s

    def pool_text(
        self, states: torch.Tensor, attention_mask: torch.Tensor | None = None
    ) -> torch.Tensor:
        """The pooled text vector ``[B, D]`` of token states ``[B, L, D]`` (``text_pooling``).

        For ``"mean"`` the real tokens are those of ``attention_mask`` (1 = real) or, without a
        mask, the positions whose state is not all zeros (the text encoder zeroes padding).

        Example:
            >>> net = TinyVideoDenoiser(dim=16, depth=2, heads=2, text_dim=2, text_pooling="mean")
            >>> net.pool_text(torch.tensor([[[1.0, 2.0], [3.0, 4.0], [0.0, 0.0]]]))
            tensor([[2., 3.]])
        """
        if self.config.text_pooling == "bos":
            return states[:, 0]
        w = self._real_tokens(states, attention_mask).to(states.dtype)[..., None]
        return (states * w).sum(dim=1) / w.sum(dim=1).clamp(min=1.0)

    @staticmethod
    def _real_tokens(states: torch.Tensor, attention_mask: torch.Tensor | None) -> torch.Tensor:
        """``[B, L]`` bool: the real (not padding) tokens, from the mask or the non-zero states."""
        if attention_mask is None:
            return (states != 0).any(dim=-1)
        if attention_mask.shape != states.shape[:2]:
            raise ValueError(
                f"attention mask of shape {tuple(attention_mask.shape)} does not match the text "
                f"states {tuple(states.shape)}: expected [B, L] = {tuple(states.shape[:2])}"
            )
        return attention_mask.to(torch.bool)

    # ------------------------------------------------------------------ patches
    def patchify(self, x: torch.Tensor) -> torch.Tensor:
        """``[B, C, F, H, W]`` -> tokens ``[B, F/pt, (H/p)(W/p), C*pt*p*p]``."""
        b, c, f, h, w = x.shape
        p, pt = self.config.patch, self.config.temporal_patch
        x = x.reshape(b, c, f // pt, pt, h // p, p, w // p, p)
        x = x.permute(0, 2, 4, 6, 1, 3, 5, 7)
        return x.reshape(b, f // pt, (h // p) * (w // p), c * pt * p * p)

    def unpatchify(self, tokens: torch.Tensor, height: int, width: int) -> torch.Tensor:
        """Inverse of :meth:`patchify`."""
        b, tt, _, _ = tokens.shape
        p, pt, c = self.config.patch, self.config.temporal_patch, self.config.in_channels
        x = tokens.reshape(b, tt, height // p, width // p, c, pt, p, p)
        x = x.permute(0, 4, 1, 5, 2, 6, 3, 7)
        return x.reshape(b, c, tt * pt, height, width)

    def forward(
        self,
        sample: torch.Tensor,
        timestep: torch.Tensor | float,
        encoder_hidden_states: torch.Tensor,
        pooled_text: torch.Tensor | None = None,
        image: torch.Tensor | None = None,
        image_mask: torch.Tensor | None = None,
        encoder_attention_mask: torch.Tensor | None = None,
        return_dict: bool = True,
    ) -> DenoiserOutput | tuple[torch.Tensor]:
        """Predict ``x0`` (or the velocity) for ``sample`` ``[B, 3, F, H, W]`` at ``timestep``
        (0..1000).

        Args:
            sample: the noisy video in ``[-1, 1]`` units.
            timestep: noise level x 1000, one number or one per sample.
            encoder_hidden_states: text token states ``[B, L, D]``.
            pooled_text: ``[B, D]``; defaults to :meth:`pool_text` of ``encoder_hidden_states``.
            image: the clean first frame ``[B, 3, H, W]`` in ``[-1, 1]`` (image-to-video), or
                ``None``.
            image_mask: ``[B]`` 1 where ``image`` is given, 0 where not (default: all 1 when
                ``image`` is given).
            encoder_attention_mask: ``[B, L]`` 1 for real text tokens, 0 for padding (used by
                cross-attention; default: the tokens whose state is not all zeros, as the text
                encoder zeroes padding).
        """
        cfg = self.config
        if sample.ndim != 5 or sample.shape[1:] != (
            cfg.in_channels,
            cfg.num_frames,
            cfg.sample_size,
            cfg.sample_size,
        ):
            raise ValueError(
                f"sample of shape {tuple(sample.shape)} does not fit this denoiser: expected "
                f"[B, {cfg.in_channels}, {cfg.num_frames}, {cfg.sample_size}, {cfg.sample_size}]"
            )
        b, c, f, h, w = sample.shape
        t = torch.as_tensor(timestep, dtype=torch.float32, device=sample.device).reshape(-1)
        if t.numel() == 1:
            t = t.expand(b)
        if pooled_text is None:
            pooled_text = self.pool_text(encoder_hidden_states)
        emb = self.time_mlp(timestep_embedding(t, cfg.dim).to(sample.dtype))
        emb = F.silu(emb + self.text_mlp(pooled_text))

        tokens = self.patchify(sample)
        if image is None:
            cond = sample.new_zeros(b, 1, tokens.shape[2], c * cfg.patch**2 + 1)
        else:
            if image_mask is None:
                image_mask = sample.new_ones(b)
            m = image_mask.to(sample.dtype).reshape(b, 1, 1, 1)
            img = self.patchify(image[:, :, None].expand(-1, -1, cfg.temporal_patch, -1, -1))
            img = img[..., : c * cfg.patch**2] if cfg.temporal_patch == 1 else img
            img = img.reshape(b, 1, tokens.shape[2], c, cfg.temporal_patch, -1)[:, :, :, :, 0]
            img = img.reshape(b, 1, tokens.shape[2], -1) * m
            cond = torch.cat([img, m.expand(b, 1, tokens.shape[2], 1)], dim=-1)
        cond = cond.expand(-1, tokens.shape[1], -1, -1)
        x = self.embed(torch.cat([tokens, cond], dim=-1)) + self.pos_space + self.pos_time
        text_mask = None
        if cfg.cross_attention:
            text_mask = self._real_tokens(encoder_hidden_states, encoder_attention_mask).clone()
            text_mask[:, 0] = True  # [BOS] is always real; no row of keys is empty
        for block in self.blocks:
            x = block(x, emb, encoder_hidden_states, text_mask)
        shift, scale = self.final_ada(emb)[:, None, None].chunk(2, dim=-1)
        x = self.head(self.final_norm(x) * (1 + scale) + shift)
        out = self.unpatchify(x, h, w)
        if not return_dict:
            return (out,)
        return DenoiserOutput(sample=out)
