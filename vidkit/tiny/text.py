"""The tiny text side: a word-level tokenizer and a small transformer text encoder.

The prompt language of the synthetic scenes is small ("a red ball is thrown to the left and
falls"), so the tokenizer is a word-level vocabulary built from the prompts themselves and wrapped
in a ``transformers.PreTrainedTokenizerFast`` (saved and loaded like any Hugging Face tokenizer).
The encoder is a :class:`TinyTextEncoder` (diffusers ``ModelMixin`` + ``ConfigMixin``): token and
position embeddings, a few pre-norm transformer layers, and a final norm; it returns per-token
states ``[B, L, D]`` (for cross-attention) and the states at the first token (``[BOS]``) as a
pooled vector ``[B, D]``.

Example:
    >>> from vidkit.tiny.text import build_tokenizer, TinyTextEncoder
    >>> tok = build_tokenizer(["a red ball falls", "a blue ball falls"])
    >>> ids = tok(["a red ball falls"], padding="max_length", max_length=8, return_tensors="pt")
    >>> ids.input_ids.shape
    torch.Size([1, 8])
    >>> enc = TinyTextEncoder(vocab_size=len(tok), dim=32, layers=1, heads=2, max_length=8)
    >>> enc(ids.input_ids, ids.attention_mask).last_hidden_state.shape
    torch.Size([1, 8, 32])
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import torch
from diffusers import ConfigMixin, ModelMixin
from diffusers.configuration_utils import register_to_config
from diffusers.utils import BaseOutput
from torch import nn

__all__ = [
    "SPECIAL_TOKENS",
    "TextEncoderOutput",
    "TinyTextEncoder",
    "build_tokenizer",
    "words",
]

#: Special tokens, in id order: padding 0, unknown 1, begin 2, end 3.
SPECIAL_TOKENS: tuple[str, ...] = ("[PAD]", "[UNK]", "[BOS]", "[EOS]")
_WORD = re.compile(r"[a-z]+|[^\sa-z]")


def words(text: str) -> list[str]:
    """The lower-cased words (and punctuation marks) of ``text``, as the tokenizer splits them.

    Example:
        >>> words("A red ball, falling!")
        ['a', 'red', 'ball', ',', 'falling', '!']
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a string, got {type(text).__name__}")
    return _WORD.findall(text.lower())


def build_tokenizer(corpus: Iterable[str], model_max_length: int = 16):
    """A word-level ``PreTrainedTokenizerFast`` whose vocabulary is every word of ``corpus``.

    Text is lower-cased and split on whitespace and punctuation; unknown words map to ``[UNK]``;
    every sequence is wrapped as ``[BOS] ... [EOS]``; padding uses ``[PAD]`` (id 0).

    Example:
        >>> tok = build_tokenizer(["a red ball falls"])
        >>> tok.convert_ids_to_tokens(tok("a green ball falls").input_ids)
        ['[BOS]', 'a', '[UNK]', 'ball', 'falls', '[EOS]']
    """
    from tokenizers import Tokenizer, normalizers, pre_tokenizers, processors
    from tokenizers.models import WordLevel
    from transformers import PreTrainedTokenizerFast

    if isinstance(corpus, str):
        raise TypeError("corpus must be an iterable of prompts, not a single string")
    if not isinstance(model_max_length, int) or model_max_length < 3:
        raise ValueError(f"model_max_length must be an int >= 3, got {model_max_length!r}")
    vocab: dict[str, int] = {t: i for i, t in enumerate(SPECIAL_TOKENS)}
    for text in corpus:
        for w in words(text):
            if w not in vocab:
                vocab[w] = len(vocab)
    if len(vocab) == len(SPECIAL_TOKENS):
        raise ValueError("corpus has no words: give the training prompts")
    tk = Tokenizer(WordLevel(vocab=vocab, unk_token="[UNK]"))
    tk.normalizer = normalizers.Lowercase()
    tk.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.Whitespace(), pre_tokenizers.Punctuation()]
    )
    tk.post_processor = processors.TemplateProcessing(
        single="[BOS] $A [EOS]",
        special_tokens=[("[BOS]", vocab["[BOS]"]), ("[EOS]", vocab["[EOS]"])],
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=tk,
        pad_token="[PAD]",
        unk_token="[UNK]",
        bos_token="[BOS]",
        eos_token="[EOS]",
        model_max_length=model_max_length,
        padding_side="right",
    )


@dataclass
class TextEncoderOutput(BaseOutput):
    """Per-token states ``[B, L, D]`` (zero at padding positions) and the pooled (``[BOS]``)
    state ``[B, D]``."""

    last_hidden_state: torch.Tensor
    pooler_output: torch.Tensor


class _Layer(nn.Module):
    def __init__(self, dim: int, heads: int) -> None:
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attn = nn.MultiheadAttention(dim, heads, batch_first=True)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(nn.Linear(dim, 4 * dim), nn.GELU(), nn.Linear(4 * dim, dim))

    def forward(self, x: torch.Tensor, pad: torch.Tensor | None) -> torch.Tensor:
        h = self.norm1(x)
        x = x + self.attn(h, h, h, key_padding_mask=pad, need_weights=False)[0]
        return x + self.mlp(self.norm2(x))


class TinyTextEncoder(ModelMixin, ConfigMixin):
    """A small pre-norm transformer text encoder (trained jointly with the denoiser).

    Args:
        vocab_size: tokenizer vocabulary size.
        dim: width of the token states.
        layers: number of transformer layers.
        heads: attention heads.
        max_length: longest token sequence (position embeddings).

    Example:
        >>> enc = TinyTextEncoder(vocab_size=20, dim=32, layers=1, heads=2, max_length=8)
        >>> out = enc(torch.tensor([[2, 5, 6, 3, 0, 0, 0, 0]]))
        >>> out.pooler_output.shape
        torch.Size([1, 32])
    """

    @register_to_config
    def __init__(
        self,
        vocab_size: int = 64,
        dim: int = 128,
        layers: int = 2,
        heads: int = 4,
        max_length: int = 16,
    ) -> None:
        super().__init__()
        if dim % heads:
            raise ValueError(f"dim ({dim}) must be divisible by heads ({heads})")
        self.token_embedding = nn.Embedding(vocab_size, dim)
        self.position_embedding = nn.Parameter(torch.zeros(1, max_length, dim))
        nn.init.normal_(self.position_embedding, std=0.02)
        nn.init.normal_(self.token_embedding.weight, std=0.02)
        self.blocks = nn.ModuleList([_Layer(dim, heads) for _ in range(layers)])
        self.final_norm = nn.LayerNorm(dim)

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor | None = None,
        return_dict: bool = True,
    ) -> TextEncoderOutput | tuple[torch.Tensor, torch.Tensor]:
        """Encode token ids ``[B, L]`` (``attention_mask`` 1 for real tokens, 0 for padding)."""
        if input_ids.ndim != 2:
            raise ValueError(
                f"input_ids must be [batch, length], got shape {tuple(input_ids.shape)}"
            )
        n = input_ids.shape[1]
        if n > self.config.max_length:
            raise ValueError(
                f"token sequence of length {n} exceeds max_length={self.config.max_length}"
            )
        x = self.token_embedding(input_ids) + self.position_embedding[:, :n]
        pad = None if attention_mask is None else attention_mask == 0
        for layer in self.blocks:
            x = layer(x, pad)
        x = self.final_norm(x)
        if attention_mask is not None:  # padding positions carry no state (zeros)
            x = x * attention_mask[..., None].to(x.dtype)
        pooled = x[:, 0]
        if not return_dict:
            return x, pooled
        return TextEncoderOutput(last_hidden_state=x, pooler_output=pooled)
