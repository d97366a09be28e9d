"""Prepare the conditions of a generation: prompts, images, videos, sizes and frame counts.

Every video family has rules: Wan wants ``4k+1`` frames and sizes in multiples of 16, LTX-Video
``8k+1`` frames and multiples of 32, CogVideoX ``4k+1`` frames. Images and videos come in any form
(a path, PIL, a numpy array, a :class:`vidkit.Video` frame) and any size. The functions here turn
what a user has into exactly what the pipeline needs, and say what they changed: every adjustment
is a ``UserWarning`` that names the old and the new value, and is also returned so that
``vk.generate`` records it in the video's metadata.

Example:
    >>> import warnings
    >>> from vidkit.sampling.families import family_for
    >>> with warnings.catch_warnings(record=True) as said:
    ...     warnings.simplefilter("always")
    ...     fit_frames(50, family_for("wan"))
    49
    >>> print(said[0].message)
    num_frames=50 changed to 49: wan models need 4k+1 frames
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from vidkit.video import Video, describe_array, is_pil, is_torch_tensor

if TYPE_CHECKING:  # pragma: no cover
    from PIL import Image

    from vidkit.sampling.families import ModelFamily

__all__ = [
    "fit_frames",
    "fit_size",
    "to_image",
    "prepare_image",
    "prepare_video",
    "prepare_prompts",
    "target_size",
    "describe",
    "fit_frames_up",
    "fit_frames_down",
    "prepare_extension",
    "prepare_mask",
]


def _adjust(message: str, notes: list[str] | None, stacklevel: int = 3) -> None:
    warnings.warn(message, UserWarning, stacklevel=stacklevel)
    if notes is not None:
        notes.append(message)


def fit_frames(
    num_frames: int,
    family: ModelFamily,
    *,
    notes: list[str] | None = None,
    what: str = "num_frames",
) -> int:
    """``num_frames`` rounded to the family's frame rule, with a warning when it changes.

    Args:
        num_frames: requested frame count (a positive integer).
        family: the model family (its ``frame_multiple``/``frame_offset``).
        notes: a list that receives the warning text (for metadata).

    Example:
        >>> from vidkit.sampling.families import family_for
        >>> fit_frames(17, family_for("ltx"))
        17
    """
    if isinstance(num_frames, bool) or not isinstance(num_frames, (int, np.integer)):
        raise TypeError(f"{what} must be an integer, got {num_frames!r}")
    if num_frames < 1:
        raise ValueError(f"{what} must be >= 1, got {num_frames}")
    n = family.valid_frames(int(num_frames))
    if n != num_frames:
        _adjust(
            f"{what}={num_frames} changed to {n}: {family.name} models need {family.frame_rule} "
            "frames",
            notes,
        )
    return n


def fit_size(
    height: int,
    width: int,
    family: ModelFamily,
    *,
    notes: list[str] | None = None,
) -> tuple[int, int]:
    """``(height, width)`` rounded to multiples of the family's ``size_multiple`` (with a warning).

    Example:
        >>> from vidkit.sampling.families import family_for
        >>> fit_size(480, 832, family_for("wan"))
        (480, 832)
    """
    for name, v in (("height", height), ("width", width)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
            raise TypeError(f"{name} must be an integer number of pixels, got {v!r}")
        if v < 1:
            raise ValueError(f"{name} must be >= 1, got {v}")
    h, w = family.valid_size(int(height)), family.valid_size(int(width))
    if (h, w) != (height, width):
        _adjust(
            f"size {height}x{width} changed to {h}x{w}: {family.name} models need height and width "
            f"in multiples of {family.size_multiple}",
            notes,
        )
    return h, w


def to_image(image: Any, *, frame: int = 0) -> Image.Image:
    """One RGB PIL image from a path, PIL image, array ``[H, W, C]`` (uint8, or float in [0, 1]),
    torch tensor ``[C, H, W]`` in [0, 1], or a :class:`Video` (its frame ``frame``).

    Example:
        >>> import numpy as np
        >>> to_image(np.zeros((8, 12, 3), np.uint8)).size
        (12, 8)
    """
    from PIL import Image

    if is_pil(image):
        return image.convert("RGB")
    if isinstance(image, (str, os.PathLike)):
        path = Path(image).expanduser()
        if not path.is_file():
            raise FileNotFoundError(f"image file not found: {str(path)!r}")
        from PIL import UnidentifiedImageError

        from vidkit.errors import VideoError

        try:
            with Image.open(path) as im:
                return im.convert("RGB")
        except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError) as exc:
            raise VideoError(f"cannot read the image {str(path)!r}: {exc}") from None
    if isinstance(image, Video):
        return Image.fromarray(image.uint8[frame])
    if is_torch_tensor(image):
        t = image.detach().cpu().float()
        if t.ndim == 4 and t.shape[0] == 1:
            t = t[0]
        if t.ndim != 3 or t.shape[0] not in (1, 3, 4):
            raise ValueError(
                f"an image tensor must be [C, H, W] with values in [0, 1], got {describe_array(image)}"
            )
        image = t.permute(1, 2, 0).numpy()
    if isinstance(image, np.ndarray):
        arr = image
        if arr.ndim == 2:
            arr = arr[..., None]
        if arr.ndim == 4:
            raise ValueError(
                f"an image must be one frame [H, W, C], got {describe_array(image)}; for a video pass "
                "video=..., or pick a frame (e.g. vk.Video(...)[0])"
            )
        if arr.ndim != 3:
            raise ValueError(f"an image array must be [H, W, C], got {describe_array(image)}")
        if np.issubdtype(arr.dtype, np.floating) and arr.size:
            lo, hi = float(np.nanmin(arr)), float(np.nanmax(arr))
            if lo < -1e-3 or hi > 1 + 1e-3:
                raise ValueError(
                    f"float image values must be in [0, 1], got [{lo:.4g}, {hi:.4g}]; give uint8 "
                    "(0..255) or divide 0..255 floats by 255"
                )
        frames = Video(arr[None]).frames  # validates dtype/range, converts gray/RGBA
        return Image.fromarray(np.round(frames[0] * 255).astype(np.uint8))
    raise TypeError(
        f"cannot use {describe_array(image)} as an image; expected a path, a PIL image, an array "
        "[H, W, 3], a tensor [3, H, W] or a vk.Video"
    )


def target_size(
    height: int | None,
    width: int | None,
    defaults: dict[str, Any],
    source_hw: tuple[int, int] | None = None,
) -> tuple[int, int]:
    """The output size: given values win; otherwise the model's default size, turned to the source's
    orientation (a portrait image gets a portrait video).

    Example:
        >>> target_size(None, None, {"height": 480, "width": 832}, source_hw=(800, 600))
        (832, 480)
    """
    dh, dw = int(defaults["height"]), int(defaults["width"])
    if height is not None and width is not None:
        return int(height), int(width)
    if source_hw is not None and height is None and width is None:
        sh, sw = source_hw
        if (sh > sw) != (dh > dw) and sh != sw and dh != dw:
            dh, dw = dw, dh
        return dh, dw
    if height is None and width is None:
        return dh, dw
    # one side given: keep the default aspect ratio
    if height is None:
        return max(1, round(int(width) * dh / dw)), int(width)
    return int(height), max(1, round(int(height) * dw / dh))


def _cover(video: Video, height: int, width: int) -> Video:
    """Resize so the frames cover ``height x width`` (aspect kept), then center-crop."""
    if (video.height, video.width) == (height, width):
        return video
    scale = max(height / video.height, width / video.width)
    h = max(height, round(video.height * scale))
    w = max(width, round(video.width * scale))
    return video.resize(h, w).center_crop(height, width)


def _cover_video(video: Video, height: int, width: int, notes: list[str] | None) -> Video:
    """:func:`_cover` for a conditioning video, with a warning when its aspect ratio changes
    (the warning points at the caller of the public function, as :func:`_adjust`'s do)."""
    if (video.height, video.width) == (height, width):
        return video
    if abs(video.height / video.width - height / width) > 0.01:
        _adjust(
            f"video of {video.height}x{video.width} resized and center-cropped to {height}x{width}",
            notes,
            stacklevel=4,
        )
    return _cover(video, height, width)


def prepare_image(
    image: Any,
    height: int,
    width: int,
    *,
    frame: int = 0,
    notes: list[str] | None = None,
) -> Image.Image:
    """An RGB PIL image of exactly ``height x width``: resized to cover (aspect kept, antialiased)
    and center-cropped. A change of aspect ratio is reported.

    Example:
        >>> import numpy as np
        >>> prepare_image(np.zeros((60, 80, 3), np.uint8), 32, 32).size
        (32, 32)
    """
    from PIL import Image

    pil = to_image(image, frame=frame)
    w0, h0 = pil.size
    if (h0, w0) == (height, width):
        return pil
    v = _cover(Video(np.asarray(pil)[None]), height, width)
    if abs(h0 / w0 - height / width) > 0.01:
        _adjust(
            f"image of {h0}x{w0} resized and center-cropped to {height}x{width} (aspect ratio "
            "changed; pass height/width to choose another size)",
            notes,
        )
    return Image.fromarray(v.uint8[0])


def prepare_video(
    video: Any,
    height: int,
    width: int,
    family: ModelFamily,
    *,
    num_frames: int | None = None,
    notes: list[str] | None = None,
) -> Video:
    """A conditioning video with an allowed frame count and exactly ``height x width``.

    The input (a :class:`Video`, a path, an array ``[T, H, W, 3]`` or a list of PIL images) is
    resampled in time to ``num_frames`` (or to the allowed count nearest its length), then resized
    to cover and center-cropped. Changes are reported.

    Example:
        >>> import numpy as np, vidkit as vk
        >>> from vidkit.sampling.families import family_for
        >>> v = vk.Video(np.zeros((10, 24, 24, 3), np.float32))
        >>> notes = []
        >>> prepare_video(v, 16, 16, family_for("wan"), notes=notes).shape
        (9, 16, 16, 3)
        >>> notes
        ['video of 10 frames resampled to 9: wan models need 4k+1 frames']
    """
    from vidkit.video import as_video

    if isinstance(video, (list, tuple)) and video and not is_pil(video[0]):
        raise TypeError(
            f"a video list must hold PIL images, got a list of {type(video[0]).__name__}"
        )
    v = as_video(video)
    if num_frames is None:
        n = family.valid_frames(v.num_frames)
        if n > v.num_frames:  # prefer dropping frames to repeating them
            m = max(1, family.frame_multiple)
            n = max(n - m, family.valid_frames(1))
        if n != v.num_frames:
            _adjust(
                f"video of {v.num_frames} frames resampled to {n}: {family.name} models need "
                f"{family.frame_rule} frames",
                notes,
            )
    else:
        n = fit_frames(num_frames, family, notes=notes)
        if n != v.num_frames:
            _adjust(f"video of {v.num_frames} frames resampled to {n} frames", notes)
    if n != v.num_frames:
        v = v.resample(num_frames=n)
    v = _cover_video(v, height, width, notes)
    return v


def prepare_prompts(prompt: str | Sequence[str] | None, *, required: bool) -> list[str | None]:
    """A list of prompts from one prompt or a list (validated).

    Example:
        >>> prepare_prompts("a red ball", required=True)
        ['a red ball']
    """
    if prompt is None:
        if required:
            raise ValueError("this model needs a text prompt: pass prompt='...'")
        return [None]
    if isinstance(prompt, str):
        return [prompt]
    if isinstance(prompt, Sequence) and prompt and all(isinstance(p, str) for p in prompt):
        return list(prompt)
    raise TypeError(
        f"prompt must be a string or a non-empty list of strings, got {describe_array(prompt)}"
    )


def describe(x: Any) -> str | None:
    """A short JSON-safe description of a condition for metadata (path, size, frames).

    Example:
        >>> describe("cat.png")
        'cat.png'
    """
    if x is None:
        return None
    if isinstance(x, (str, os.PathLike)):
        return os.fspath(x)
    if isinstance(x, Video):
        return f"Video({x.num_frames} frames, {x.height}x{x.width}, fps={x.fps:g})"
    if is_pil(x):
        return f"PIL.Image({x.size[1]}x{x.size[0]}, {x.mode})"
    if isinstance(x, (list, tuple)) and x and is_pil(x[0]):
        return f"{len(x)} PIL images ({x[0].size[1]}x{x[0].size[0]})"
    return describe_array(x)


# --------------------------------------------------------------------------- tasks
def fit_frames_up(num_frames: int, family: ModelFamily) -> int:
    """The smallest frame count allowed by the family's rule that is >= ``num_frames``.

    Example:
        >>> from vidkit.sampling.families import family_for
        >>> fit_frames_up(10, family_for("wan")), fit_frames_up(9, family_for("wan"))
        (13, 9)
    """
    n = family.valid_frames(int(num_frames))
    step = max(1, family.frame_multiple)
    while n < num_frames:
        n += step
    return n


def fit_frames_down(num_frames: int, family: ModelFamily) -> int:
    """The largest frame count allowed by the family's rule that is <= ``num_frames`` (at least
    the smallest allowed count).

    Example:
        >>> from vidkit.sampling.families import family_for
        >>> fit_frames_down(20, family_for("ltx")), fit_frames_down(3, family_for("ltx"))
        (17, 1)
    """
    n = family.valid_frames(int(num_frames))
    step = max(1, family.frame_multiple)
    smallest = family.valid_frames(1)
    while n > num_frames and n - step >= smallest:
        n -= step
    return n


def prepare_extension(
    video: Any,
    extend: int,
    height: int,
    width: int,
    family: ModelFamily,
    *,
    method: str,
    notes: list[str] | None = None,
    window: int | None = None,
) -> tuple[Video, Video, int, dict[str, Any]]:
    """The inputs of a video extension by ``extend`` new frames, to the family's rules.

    Args:
        video: the video to continue (anything :func:`vidkit.as_video` accepts).
        extend: how many new frames at least (a positive integer).
        height, width: the output size (already fitted to the family).
        method: ``"condition"`` (LTX's condition pipeline: the last ``8k+1`` input frames are a
            video condition at frame 0 of a longer generation, so the result starts with those
            frames, regenerated, and continues them) or ``"i2v-last-frame"`` (the generic
            fallback: an image-to-video generation from the input's last frame, appended to the
            input; only that one frame conditions the continuation) or ``"diffusion-forcing"``
            (SkyReels-V2: the last ``overlap_history`` input frames, ``4k+1`` and at most 17,
            condition blocks of ``window`` frames; the pipeline returns the input, the overlap
            regenerated, then the new frames).
        window: the frames the diffusion-forcing model denoises at once (``base_num_frames``).

    Returns:
        ``(input resized, condition, frames to generate, info)``: the whole input at the output
        size, what conditions the pipeline (the video condition, or the last frame as a 1-frame
        video), the ``num_frames`` of the pipeline call, and what the metadata records.

    Example:
        >>> import numpy as np, vidkit as vk
        >>> from vidkit.sampling.families import family_for
        >>> v = vk.Video(np.zeros((12, 32, 32, 3)), fps=24)
        >>> _, cond, n, info = prepare_extension(v, 8, 32, 32, family_for("ltx"), method="condition")
        >>> cond.num_frames, n, info["new_frames"]
        (9, 17, 8)
    """
    from vidkit.video import as_video

    if isinstance(extend, bool) or not isinstance(extend, (int, np.integer)):
        raise TypeError(f"extend must be a positive integer number of new frames, got {extend!r}")
    if extend < 1:
        raise ValueError(f"extend must be >= 1 new frame, got {extend}")
    if method not in ("condition", "i2v-last-frame", "diffusion-forcing"):
        raise ValueError(f"unknown extension method {method!r}")
    v = as_video(video)
    v = _cover_video(v, height, width, notes)
    if method == "condition":
        k = fit_frames_down(v.num_frames, family)
        if k > v.num_frames:  # shorter than the smallest allowed condition
            raise ValueError(
                f"a video of {v.num_frames} frames is too short to condition {family.name} models "
                f"({family.frame_rule} frames, at least {k})"
            )
        cond = v[v.num_frames - k :]
        if k != v.num_frames:
            _adjust(
                f"extension: the last {k} of the {v.num_frames} input frames condition the "
                f"continuation ({family.name} video conditions need {family.frame_rule} frames)",
                notes,
            )
        total = fit_frames_up(k + extend, family)
        new = total - k
        info = {
            "method": "condition",
            "description": (
                f"video condition at frame 0: the result's first {k} frames regenerate the last "
                f"{k} input frames, the next {new} continue them"
            ),
            "includes_input": "regenerated",
            "input_frames": v.num_frames,
            "condition_frames": k,
            "new_frames": new,
        }
    elif method == "diffusion-forcing":
        k = fit_frames_down(min(v.num_frames, 17), family)
        if k > v.num_frames:
            raise ValueError(
                f"a video of {v.num_frames} frames is too short to condition {family.name} models "
                f"({family.frame_rule} frames, at least {k})"
            )
        cond = v[v.num_frames - k :]
        # the pipeline denoises the overlap again with the new frames: `total` counts both
        total = fit_frames_up(k + extend, family)
        new = total - k
        # blocks of `base` frames (the model's window), each longer than the overlap; a single
        # block when the whole continuation fits
        step = max(1, family.frame_multiple)
        base = min(fit_frames_down(int(window or total), family), total)
        base = max(base, k + step)
        info = {
            "method": "diffusion-forcing",
            "description": (
                f"diffusion forcing: the last {k} input frames (overlap_history) condition blocks "
                f"of {base} frames; the result is the input, then those {k} frames regenerated, "
                f"then {new} new frames"
            ),
            "includes_input": "exact, then the overlap regenerated",
            "input_frames": v.num_frames,
            "condition_frames": k,
            "new_frames": new,
            "base_num_frames": base,
        }
    else:
        cond = v[v.num_frames - 1 :]
        total = fit_frames_up(extend + 1, family)
        new = total - 1
        info = {
            "method": "i2v-last-frame",
            "description": (
                "fallback: image-to-video from the input's last frame; the result is the input "
                f"followed by the {new} generated frames after that first one (only the last "
                "frame conditions the continuation)"
            ),
            "includes_input": "exact",
            "input_frames": v.num_frames,
            "condition_frames": 1,
            "new_frames": new,
        }
    if new != extend:
        _adjust(
            f"extend={extend} changed to {new} new frames: {family.name} models need "
            f"{family.frame_rule} frames",
            notes,
        )
    return v, cond, total, info


def prepare_mask(
    mask: Any,
    num_frames: int,
    height: int,
    width: int,
    *,
    notes: list[str] | None = None,
) -> list[Image.Image]:
    """A control mask as ``num_frames`` RGB PIL frames of ``height x width`` (white: generate,
    black: keep the control video).

    ``mask`` is one image (PIL, array ``[H, W]``/``[H, W, C]``; used for every frame), a
    :class:`Video`, or an array ``[T, H, W]``/``[T, H, W, C]``; values bool or in [0, 1] (uint8
    0..255). Frame counts are resampled and sizes fitted like the control video (reported).

    Example:
        >>> import numpy as np
        >>> m = np.zeros((16, 16), bool); m[:, 8:] = True
        >>> frames = prepare_mask(m, 5, 16, 16)
        >>> len(frames), frames[0].size, np.asarray(frames[0])[0, [0, 15], 0].tolist()
        (5, (16, 16), [0, 255])
    """
    from PIL import Image

    if is_pil(mask):
        arr = np.asarray(mask.convert("L"), np.float32)[None] / 255.0
    elif isinstance(mask, Video):
        arr = mask.frames.mean(axis=-1)
    elif isinstance(mask, np.ndarray) or is_torch_tensor(mask):
        arr = np.asarray(mask.detach().cpu() if is_torch_tensor(mask) else mask)
        if arr.dtype == np.bool_:
            arr = arr.astype(np.float32)
        elif arr.dtype == np.uint8:
            arr = arr.astype(np.float32) / 255.0
        elif not np.issubdtype(arr.dtype, np.floating):
            raise TypeError(
                f"a mask must be bool, uint8 or float in [0, 1], got {describe_array(mask)}"
            )
        if (
            arr.ndim in (3, 4)
            and arr.shape[-1] in (1, 3, 4)
            and (arr.ndim == 4 or arr.shape[-1] != arr.shape[-2])
        ):
            arr = arr[..., :3].mean(axis=-1)
        if arr.ndim == 2:
            arr = arr[None]
        if arr.ndim != 3:
            raise ValueError(
                f"a mask must be an image [H, W] or frames [T, H, W] (optionally with channels), "
                f"got {describe_array(mask)}"
            )
        if not np.isfinite(arr).all() or arr.min() < -1e-3 or arr.max() > 1 + 1e-3:
            raise ValueError(f"mask values must be in [0, 1], got {describe_array(mask)}")
    else:
        raise TypeError(
            f"cannot use {describe_array(mask)} as a mask; expected a PIL image, an array "
            "[H, W] / [T, H, W] or a vk.Video"
        )
    v = Video(np.repeat(np.clip(arr, 0, 1)[..., None], 3, axis=-1).astype(np.float32))
    if v.num_frames == 1 and num_frames > 1:
        v = v.resample(num_frames=num_frames)
    elif v.num_frames != num_frames:
        _adjust(f"mask of {v.num_frames} frames resampled to {num_frames}", notes)
        v = v.resample(num_frames=num_frames)
    if (v.height, v.width) != (height, width):
        _adjust(f"mask of {v.height}x{v.width} resized to cover {height}x{width}", notes)
        # nearest pixels keep a binary mask binary
        scale = max(height / v.height, width / v.width)
        h, w = max(height, round(v.height * scale)), max(width, round(v.width * scale))
        v = v.resize(h, w, mode="nearest").center_crop(height, width)
    return [Image.fromarray(f) for f in v.uint8]
