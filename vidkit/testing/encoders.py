"""Tiny tokenizers and text/image encoders built in code, and the seeding of tiny weights.

The T5 tokenizer diffusers' tests download from the hub is built here (a unigram vocabulary of a
few dozen pieces), as are CLIP and Gemma tokenizers, so nothing touches the network.

Example:
    >>> from vidkit.testing.encoders import tiny_tokenizer
    >>> tok = tiny_tokenizer()
    >>> tok("a red ball", return_tensors="pt").input_ids.shape[0]
    1
"""

from __future__ import annotations

import contextlib
from typing import Any

_WORDS = (
    "a the an of in on at with and to is red blue green yellow white black ball balls box cube "
    "bounces bouncing falls rolls moves slides collides drops floor wall table sky water scene "
    "video dog cat monkey dance dancing running person car street tree light slow fast motion "
    "camera small large two one"
).split()


def tiny_tokenizer(model_max_length: int = 16) -> Any:
    """A tiny T5 tokenizer built in code (unigram model, pad=0, eos=1, unk=2; no network).

    It splits words like a sentencepiece T5 tokenizer (``▁`` marks a word start); words outside
    its small vocabulary fall back to single letters.

    Example:
        >>> tok = tiny_tokenizer()
        >>> tok("a red ball").input_ids
        [3, 14, 20, 1]
    """
    from transformers import T5Tokenizer

    pieces = [("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0)]
    pieces += [("\u2581" + w, -1.0 - 0.01 * i) for i, w in enumerate(_WORDS)]
    pieces += [("\u2581", -8.0)]
    pieces += [(c, -10.0) for c in "abcdefghijklmnopqrstuvwxyz0123456789.,!?'-"]
    tok = T5Tokenizer(vocab=pieces, extra_ids=0)
    tok.model_max_length = model_max_length
    return tok


def tiny_text_encoder(vocab_size: int, d_model: int = 32, seed: int = 0, umt5: bool = False) -> Any:
    """A tiny random ``T5EncoderModel`` (``UMT5EncoderModel`` for Wan) in eval mode (no dropout).

    Example:
        >>> enc = tiny_text_encoder(vocab_size=100)
        >>> enc.config.d_model, enc.training
        (32, False)
    """
    import torch
    from transformers import T5Config, T5EncoderModel, UMT5Config, UMT5EncoderModel

    config_cls, model_cls = (UMT5Config, UMT5EncoderModel) if umt5 else (T5Config, T5EncoderModel)
    cfg = config_cls(
        vocab_size=vocab_size,
        d_model=d_model,
        d_kv=8,
        d_ff=37,
        num_layers=2,
        num_heads=4,
        relative_attention_num_buckets=8,
        dropout_rate=0.0,
        pad_token_id=0,
        eos_token_id=1,
        decoder_start_token_id=0,
    )
    with seeded(seed):
        model = model_cls(cfg)
    return model.eval().to(torch.float32)


@contextlib.contextmanager
def seeded(seed: int):
    """Seed torch's global generator inside the block, restoring the caller's state after.

    Example:
        >>> import torch
        >>> with seeded(0):
        ...     a = torch.rand(2)
        >>> with seeded(0):
        ...     b = torch.rand(2)
        >>> bool((a == b).all())
        True
    """
    import torch

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        yield


def text_components(seed: int, umt5: bool = False) -> dict[str, Any]:
    tok = tiny_tokenizer()
    return {"tokenizer": tok, "text_encoder": tiny_text_encoder(len(tok), seed=seed, umt5=umt5)}


def clip_vision(
    hidden: int, seed: int, *, layers: int, heads: int, inter: int, size: int = 32, patch: int = 1
) -> dict[str, Any]:
    import transformers
    from transformers import CLIPVisionConfig, CLIPVisionModelWithProjection

    cfg = CLIPVisionConfig(
        hidden_size=hidden,
        projection_dim=hidden,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        image_size=size,
        intermediate_size=inter,
        patch_size=patch,
    )
    with seeded(seed):
        encoder = CLIPVisionModelWithProjection(cfg).eval()
    # transformers v5 names the torchvision-free processor CLIPImageProcessorPil; older versions
    # only have CLIPImageProcessor (itself PIL-based there).
    proc_cls = (
        getattr(transformers, "CLIPImageProcessorPil", None) or transformers.CLIPImageProcessor
    )
    processor = proc_cls(crop_size=size, size=size)
    return {"encoder": encoder, "processor": processor}


def clip_tokenizer(model_max_length: int = 16) -> Any:
    """A letter-level CLIP tokenizer built in code (start=0, end=pad=unk=1; ``</w>`` ends words)."""
    from transformers import CLIPTokenizer

    vocab = {"<|startoftext|>": 0, "<|endoftext|>": 1}
    for c in "abcdefghijklmnopqrstuvwxyz0123456789.,":
        vocab.setdefault(c, len(vocab))
        vocab.setdefault(c + "</w>", len(vocab))
    end = "<|endoftext|>"
    tok = CLIPTokenizer(
        vocab=vocab,
        merges=[],
        unk_token=end,
        bos_token="<|startoftext|>",
        eos_token=end,
        pad_token=end,
    )
    tok.model_max_length = model_max_length
    return tok


def tiny_text_model(
    model_cls: Any, config_cls: Any, vocab_size: int, hidden: int, seed: int, **extra: Any
) -> Any:
    """A tiny random text model of ``model_cls`` (2 layers, 4 heads, feed-forward 37, width
    ``hidden``) from a ``config_cls`` configuration, in eval mode; ``extra`` adds to the
    configuration (token ids, activation...).

    Example:
        >>> from transformers import LlamaConfig, LlamaModel
        >>> enc = tiny_text_model(LlamaModel, LlamaConfig, 40, hidden=16, seed=0)
        >>> enc.config.num_hidden_layers, enc.config.intermediate_size, enc.training
        (2, 37, False)
    """
    cfg = config_cls(
        hidden_size=hidden,
        intermediate_size=37,
        num_attention_heads=4,
        num_hidden_layers=2,
        vocab_size=vocab_size,
        **extra,
    )
    with seeded(seed):
        return model_cls(cfg).eval()


def clip_text_encoder(vocab_size: int, hidden: int, seed: int, **extra: Any) -> Any:
    """A tiny random ``CLIPTextModel`` (:func:`tiny_text_model`) for :func:`clip_tokenizer`'s ids
    (start=0, end=pad=1); ``extra`` adds to its configuration.

    Example:
        >>> enc = clip_text_encoder(len(clip_tokenizer()), hidden=8, seed=0, projection_dim=32)
        >>> enc.config.hidden_size, enc.config.projection_dim, enc.training
        (8, 32, False)
    """
    from transformers import CLIPTextConfig, CLIPTextModel

    ids = {"bos_token_id": 0, "eos_token_id": 1, "pad_token_id": 1}
    return tiny_text_model(CLIPTextModel, CLIPTextConfig, vocab_size, hidden, seed, **ids, **extra)


def tiny_gemma_tokenizer(model_max_length: int = 16) -> Any:
    """A tiny Gemma tokenizer built in code: byte-pair encoding over single letters (no merges),
    with Gemma's special tokens (pad=0, eos=1, bos=2); no network.

    Example:
        >>> tok = tiny_gemma_tokenizer()
        >>> len(tok) < 60, tok.pad_token_id
        (True, 0)
    """
    from transformers import GemmaTokenizer

    vocab = {t: i for i, t in enumerate(["<pad>", "<eos>", "<bos>", "<unk>", "<mask>"])}
    for c in "abcdefghijklmnopqrstuvwxyz0123456789.,\u2581":
        vocab.setdefault(c, len(vocab))
    tok = GemmaTokenizer(vocab=vocab, merges=[])
    tok.model_max_length = model_max_length
    return tok
