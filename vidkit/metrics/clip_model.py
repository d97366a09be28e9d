"""The CLIP model behind vidkit's CLIP measures: loading, embedding frames and text, a tiny random one.

:func:`load_clip` loads a ``transformers`` ``CLIPModel`` and its ``CLIPProcessor`` (cached per
name and device, eval mode, float32; never ``trust_remote_code``). :func:`image_features` and
:func:`text_features` embed uint8 frames and prompts with a loaded pair, L2-normalised, in
float64, with the two documented preprocessing choices (``"processor"``: the model's own
``CLIPImageProcessor`` on uint8 frames; ``"vbench"``: VBench's ``clip_transform``). The measures
built on them (:func:`~vidkit.metrics.clip.clip_score`,
:func:`~vidkit.metrics.clip.clip_consistency`, ...) are in :mod:`vidkit.metrics.clip`.
:func:`make_tiny_clip` saves a tiny random CLIP for tests and CPU demos (offline).

Example:
    >>> import tempfile, numpy as np
    >>> m, proc = load_clip(make_tiny_clip(tempfile.mkdtemp()), device="cpu")
    >>> frames = np.zeros((3, 40, 48, 3), np.uint8)
    >>> f = image_features(m, proc, frames, "vbench", batch_size=2)
    >>> f.shape[0], bool(np.allclose(np.linalg.norm(f, axis=1), 1))
    (3, True)
"""

from __future__ import annotations

import os
import threading
import warnings
import weakref
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Union

import numpy as np
import torch
import torch.nn.functional as F

from vidkit.metrics.extractors import hash_state_dict

__all__ = [
    "DEFAULT_CLIP_MODEL",
    "CLIP_MEAN",
    "CLIP_STD",
    "TEXT_MAX_TOKENS",
    "ModelSpec",
    "load_clip",
    "model_name",
    "weight_hash",
    "image_features",
    "text_features",
    "make_tiny_clip",
]

DEFAULT_CLIP_MODEL = "openai/clip-vit-base-patch32"
CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)
TEXT_MAX_TOKENS = 77

ModelSpec = Union[str, os.PathLike, tuple[Any, Any]]


# --------------------------------------------------------------------------- model loading
_CACHE: dict[tuple[str, str], tuple[Any, Any]] = {}
_CACHE_LOCK = threading.Lock()
_HASHES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _default_device() -> str:
    return "cuda" if torch.cuda.is_available() else "cpu"


def load_clip(model: ModelSpec = DEFAULT_CLIP_MODEL, device: str | None = None) -> tuple[Any, Any]:
    """Load a CLIP model and its processor (``transformers`` ``CLIPModel`` / ``CLIPProcessor``).

    Args:
        model: a hub id (``"openai/clip-vit-base-patch32"``), a local folder saved with
            ``save_pretrained``, or an already loaded ``(model, processor)`` pair (returned as is,
            moved to ``device`` if one is given).
        device: ``"cpu"``, ``"cuda"``...; default CUDA when available.

    Loaded models are cached per (name, device), in eval mode, float32. ``trust_remote_code`` is
    never used.

    Example:
        >>> model, processor = load_clip("openai/clip-vit-base-patch32")  # doctest: +SKIP
    """
    if isinstance(model, tuple):
        if len(model) != 2:
            raise TypeError(
                f"model as a tuple must be a (CLIPModel, processor) pair, got {len(model)} items"
            )
        m, proc = model
        for attr in ("get_image_features", "get_text_features"):
            if not hasattr(m, attr):
                raise TypeError(
                    f"model pair: the first item ({type(m).__name__}) has no {attr}(); expected a "
                    "transformers CLIPModel"
                )
        if not (hasattr(proc, "image_processor") and hasattr(proc, "tokenizer")):
            raise TypeError(
                f"model pair: the second item ({type(proc).__name__}) must be a CLIPProcessor "
                "(with .image_processor and .tokenizer)"
            )
        if device is not None:
            m.to(device)
        return m, proc
    if not isinstance(model, (str, os.PathLike)):
        raise TypeError(
            f"model must be a hub id, a local folder or a (CLIPModel, processor) pair, got "
            f"{type(model).__name__}"
        )
    name = os.fspath(model)
    if not name:
        raise ValueError("model name is empty; give a hub id or a local folder")
    local = Path(name).expanduser()
    looks_local = (
        name.startswith((".", "/", "~", "\\")) or os.path.isabs(name) or name.count("/") > 1
    )
    if (looks_local or local.exists()) and not local.is_dir():
        from vidkit.errors import ModelNotFoundError

        hint = " (it is a file, not a folder)" if local.exists() else ""
        raise ModelNotFoundError(
            f"could not load CLIP model {name!r}: no such folder{hint}; give a folder saved with "
            f"save_pretrained, or a hub id such as {DEFAULT_CLIP_MODEL!r}"
        )
    device = device or _default_device()
    key = (str(Path(name).resolve()) if Path(name).exists() else name, device)
    with _CACHE_LOCK:
        if key in _CACHE:
            return _CACHE[key]
    from transformers import CLIPModel, CLIPProcessor

    try:
        m = CLIPModel.from_pretrained(name)
        proc = CLIPProcessor.from_pretrained(name)
    except OSError as exc:
        raise OSError(
            f"could not load CLIP model {name!r}: {exc}\nGive a local folder (saved with "
            "save_pretrained or downloaded with `huggingface-cli download "
            f"{DEFAULT_CLIP_MODEL}`), or run online once so the hub cache holds it."
        ) from exc
    m = m.float().eval().to(device)
    m.requires_grad_(False)
    with _CACHE_LOCK:
        _CACHE[key] = (m, proc)
    return m, proc


def model_name(model: ModelSpec, m: Any) -> str:
    """The name a result records for ``model`` (as given to :func:`load_clip`) loaded as ``m``.

    Example:
        >>> model_name("openai/clip-vit-base-patch32", None)
        'openai/clip-vit-base-patch32'
    """
    if isinstance(model, (str, os.PathLike)):
        return os.fspath(model)
    return str(getattr(getattr(m, "config", None), "_name_or_path", "") or type(m).__name__)


def weight_hash(m: Any) -> str:
    """sha256 (16 hex) of the model's state dict (vidkit's ``hash_state_dict``); cached per model.

    Example:
        >>> import torch
        >>> len(weight_hash(torch.nn.Linear(2, 2)))
        16
    """
    try:
        return _HASHES[m]
    except (KeyError, TypeError):
        pass
    digest = hash_state_dict(m)
    try:
        _HASHES[m] = digest
    except TypeError:  # pragma: no cover - not weak-referenceable
        pass
    return digest


def _device_of(m: Any) -> Any:
    try:
        return next(m.parameters()).device
    except (StopIteration, AttributeError):  # pragma: no cover
        return "cpu"


def _pooled(out: Any) -> torch.Tensor:
    """transformers >= 5 returns a ModelOutput from get_*_features; older versions a tensor."""
    return out.pooler_output if hasattr(out, "pooler_output") else out


# --------------------------------------------------------------------------- features
def _size_field(size: Any, key: str) -> int | None:
    """Read ``key`` from a size spec (dict, transformers ``SizeDict`` or int)."""
    if size is None:
        return None
    if isinstance(size, int):
        return size
    val = size.get(key) if isinstance(size, dict) else getattr(size, key, None)
    return int(val) if val is not None else None


def _crop_size(image_processor: Any) -> tuple[int, int]:
    crop = getattr(image_processor, "crop_size", None)
    h, w = _size_field(crop, "height"), _size_field(crop, "width")
    if h and w:
        return h, w
    edge = _size_field(getattr(image_processor, "size", None), "shortest_edge")
    if edge:
        return edge, edge
    raise ValueError(
        f"cannot read the crop size of {type(image_processor).__name__}; expected crop_size "
        "{'height', 'width'} or size {'shortest_edge'}"
    )


def _vbench_pixels(frames_u8: np.ndarray, image_processor: Any) -> torch.Tensor:
    """VBench ``clip_transform``: bicubic short side -> crop, uint8 rounding, /255, mean/std."""
    th, tw = _crop_size(image_processor)
    n_px = min(th, tw)
    x = torch.from_numpy(frames_u8).permute(0, 3, 1, 2).float()  # [N, 3, H, W] 0..255
    h, w = x.shape[-2:]
    if h <= w:
        size = (n_px, int(n_px * w / h))
    else:
        size = (int(n_px * h / w), n_px)
    if (h, w) != size:
        x = F.interpolate(x, size=size, mode="bicubic", align_corners=False, antialias=True)
        x = x.round_().clamp_(0, 255)  # torchvision returns uint8 for uint8 input
    h, w = x.shape[-2:]
    top, left = int(round((h - th) / 2.0)), int(round((w - tw) / 2.0))
    x = x[..., top : top + th, left : left + tw] / 255.0
    mean = getattr(image_processor, "image_mean", None) or CLIP_MEAN
    std = getattr(image_processor, "image_std", None) or CLIP_STD
    mean_t = torch.tensor(mean, dtype=x.dtype).view(1, 3, 1, 1)
    std_t = torch.tensor(std, dtype=x.dtype).view(1, 3, 1, 1)
    return (x - mean_t) / std_t


def _processor_pixels(frames_u8: np.ndarray, image_processor: Any) -> torch.Tensor:
    # uint8 frames: the processor's own rescale (/255) is then the only one.
    out = image_processor(images=list(frames_u8), return_tensors="pt")
    return out["pixel_values"]


def image_features(
    m: Any, proc: Any, frames_u8: np.ndarray, preprocess: str, batch_size: int
) -> np.ndarray:
    """L2-normalised image embeddings [N, D] (float64) for uint8 frames [N, H, W, 3].

    ``m, proc`` is a pair from :func:`load_clip`; ``preprocess`` is ``"processor"`` or
    ``"vbench"`` (see :mod:`vidkit.metrics.clip`); ``batch_size`` frames per forward pass.

    Example:
        >>> import tempfile
        >>> m, proc = load_clip(make_tiny_clip(tempfile.mkdtemp()), device="cpu")
        >>> image_features(m, proc, np.zeros((5, 32, 32, 3), np.uint8), "processor", 4).shape
        (5, 16)
    """
    device = _device_of(m)
    feats = []
    pix_fn = _vbench_pixels if preprocess == "vbench" else _processor_pixels
    with torch.inference_mode():
        for i in range(0, len(frames_u8), batch_size):
            pix = pix_fn(frames_u8[i : i + batch_size], proc.image_processor)
            f = _pooled(
                m.get_image_features(pixel_values=pix.to(device=device, dtype=torch.float32))
            )
            f = f.double()
            feats.append((f / f.norm(dim=-1, keepdim=True)).cpu().numpy())
    return np.concatenate(feats, axis=0)


def text_features(m: Any, proc: Any, prompts: list[str], batch_size: int) -> tuple[np.ndarray, int]:
    """L2-normalised text embeddings [N, D] (float64) and the number of truncated prompts.

    Prompts longer than ``TEXT_MAX_TOKENS`` tokens are truncated (the end-of-text token kept).

    Example:
        >>> import tempfile
        >>> m, proc = load_clip(make_tiny_clip(tempfile.mkdtemp()), device="cpu")
        >>> feats, n_truncated = text_features(m, proc, ["a red ball", "a blue cube falls"], 8)
        >>> feats.shape, n_truncated
        ((2, 16), 0)
    """
    device = _device_of(m)
    max_len = min(
        TEXT_MAX_TOKENS,
        int(getattr(getattr(m.config, "text_config", None), "max_position_embeddings", 77)),
    )
    tok = proc.tokenizer
    n_trunc = sum(len(ids) > max_len for ids in tok(prompts)["input_ids"])
    feats = []
    with torch.inference_mode():
        for i in range(0, len(prompts), batch_size):
            enc = tok(
                prompts[i : i + batch_size],
                padding=True,
                truncation=True,
                max_length=max_len,
                return_tensors="pt",
            )
            f = _pooled(
                m.get_text_features(
                    input_ids=enc["input_ids"].to(device),
                    attention_mask=enc["attention_mask"].to(device),
                )
            ).double()
            feats.append((f / f.norm(dim=-1, keepdim=True)).cpu().numpy())
    return np.concatenate(feats, axis=0), n_trunc


# --------------------------------------------------------------------------- tiny model
def make_tiny_clip(
    folder: str | os.PathLike,
    *,
    image_size: int = 32,
    seed: int = 0,
    words: Sequence[str] | None = None,
) -> Path:
    """Save a tiny **random** CLIP (model, tokenizer, image processor) to ``folder``; offline.

    For tests and CPU demos only: the scores it gives are meaningless, but every code path (text
    tokenisation and truncation, image preprocessing, projection, normalisation) is the real one,
    and the folder loads with ``CLIPModel/CLIPProcessor.from_pretrained(folder)`` as a real
    checkpoint does. The tokenizer is a word-level ``tokenizers`` model with CLIP's special tokens.

    Example:
        >>> import tempfile, vidkit as vk
        >>> path = make_tiny_clip(tempfile.mkdtemp() + "/tiny-clip")
        >>> video = vk.synth.render("bounce", seed=0).video
        >>> from vidkit.metrics.clip import clip_score
        >>> res = clip_score([video], ["a red ball"], model=path, frames=4)
        >>> len(res.per_video), res.provenance["frames"]
        (1, 4)
    """
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors
    from transformers import (
        CLIPConfig,
        CLIPImageProcessor,
        CLIPModel,
        CLIPProcessor,
        PreTrainedTokenizerFast,
    )

    default_words = (
        "a an the red green blue yellow white black ball cube box object bounces falls rolls "
        "slides moves collides with on off floor wall ground left right up down two one fast "
        "slow against each other of and in over under through disappears appears changes color "
        "shape size teleports"
    )
    vocab = {"<|startoftext|>": 0, "<|endoftext|>": 1, "<unk>": 2}
    for w in list(words) if words is not None else default_words.split():
        vocab.setdefault(w.lower(), len(vocab))
    tok = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    tok.normalizer = normalizers.Lowercase()
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.post_processor = processors.TemplateProcessing(
        single="<|startoftext|> $A <|endoftext|>",
        special_tokens=[("<|startoftext|>", 0), ("<|endoftext|>", 1)],
    )
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        bos_token="<|startoftext|>",
        eos_token="<|endoftext|>",
        unk_token="<unk>",
        pad_token="<|endoftext|>",
        model_max_length=TEXT_MAX_TOKENS,
    )
    cfg = CLIPConfig(
        text_config={
            "vocab_size": len(vocab),
            "hidden_size": 32,
            "intermediate_size": 64,
            "num_hidden_layers": 2,
            "num_attention_heads": 4,
            "max_position_embeddings": TEXT_MAX_TOKENS,
            "bos_token_id": 0,
            "eos_token_id": 1,
            "pad_token_id": 1,
        },
        vision_config={
            "image_size": image_size,
            "patch_size": max(1, image_size // 4),
            "hidden_size": 32,
            "intermediate_size": 64,
            "num_hidden_layers": 2,
            "num_attention_heads": 4,
        },
        projection_dim=16,
    )
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = CLIPModel(cfg).eval()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "requires torchvision, falling back to PIL" notice
        image_processor = CLIPImageProcessor(
            size={"shortest_edge": image_size},
            crop_size={"height": image_size, "width": image_size},
        )
    processor = CLIPProcessor(image_processor=image_processor, tokenizer=tokenizer)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder)
    processor.save_pretrained(folder)
    return folder
