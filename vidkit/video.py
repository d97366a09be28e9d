"""The one video type of vidkit.

Convention, stated once: a :class:`Video` holds ``frames``, a float32 numpy array of shape
``[T, H, W, 3]`` with values in ``[0, 1]``, plus ``fps`` and a ``metadata`` dict. Every other form
(uint8 arrays, ``[T, C, H, W]`` arrays, torch tensors in ``[B, T, C, H, W]`` or ``[B, C, T, H, W]``,
values in ``[-1, 1]``, lists of PIL images, diffusers pipeline outputs) is converted at the edges, by
explicit functions that are told the layout and value range. Nothing is guessed silently: float
values outside the declared range raise a ``ValueError`` that says which range to declare.

Example:
    >>> import numpy as np, vidkit as vk
    >>> v = vk.Video(np.zeros((8, 32, 48, 3), np.float32), fps=8)
    >>> v.shape, v.duration
    ((8, 32, 48, 3), 1.0)
    >>> v.resize(16, 24).center_crop(16, 16).shape
    (8, 16, 16, 3)
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from vidkit.errors import ArgumentError, VideoError, VideoTypeError, check_size

if TYPE_CHECKING:  # pragma: no cover
    import torch
    from PIL import Image

__all__ = [
    "Video",
    "VideoError",
    "as_video",
    "check_audio",
    "concat",
    "stack",
    "unstack",
    "psnr",
]

DEFAULT_FPS = 8.0
_RANGE_TOL = 1e-3  # float slack allowed outside the declared value range (decoder rounding)
_LAYOUTS_3D = ("THWC", "TCHW", "CTHW")
_LAYOUTS_BATCH = ("BTCHW", "BCTHW", "BTHWC")


def describe_array(x: Any) -> str:
    """A short description of an array-like for error messages.

    Example:
        >>> describe_array(np.zeros((2, 3), np.uint8))
        'ndarray of shape (2, 3) and dtype uint8'
    """
    shape = getattr(x, "shape", None)
    dtype = getattr(x, "dtype", None)
    if shape is not None:
        return f"{type(x).__name__} of shape {tuple(shape)} and dtype {dtype}"
    return f"{type(x).__name__}"


def check_fps(value: Any, what: str = "fps") -> float:
    """``value`` as a positive finite float; the error names ``what`` and the value given.

    Example:
        >>> check_fps(8)
        8.0
        >>> check_fps(0, "frame rate")
        Traceback (most recent call last):
        ...
        vidkit.errors.VideoError: frame rate must be a positive number, got 0
    """
    if isinstance(value, (bool, np.bool_)) or value is None or isinstance(value, (str, bytes)):
        raise VideoTypeError(f"{what} must be a number (frames per second), got {value!r}")
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise VideoTypeError(
            f"{what} must be a number (frames per second), got {describe_array(value)}"
        ) from None
    if not np.isfinite(out) or out <= 0:
        raise VideoError(f"{what} must be a positive number, got {value!r}")
    return out


def _whole(value: Any, what: str, lo: int = 1) -> int:
    """``value`` as an int >= ``lo``: ints and integral floats; 2.5, NaN, inf and text raise."""
    if isinstance(value, (bool, np.bool_)):
        raise VideoTypeError(f"{what} must be an integer, got {value!r}")
    if isinstance(value, (int, np.integer)):
        out = int(value)
    elif (
        isinstance(value, (float, np.floating)) and np.isfinite(value) and float(value).is_integer()
    ):
        out = int(value)
    elif isinstance(value, (float, np.floating)):
        raise VideoError(f"{what} must be a whole number, got {value!r}")
    else:
        raise VideoTypeError(f"{what} must be an integer, got {describe_array(value)}")
    if out < lo:
        raise VideoError(f"{what} must be >= {lo}, got {value!r}")
    return out


def _check_frame_bytes(num_frames: int, height: int, width: int, what: str) -> None:
    """Refuse (SizeLimitError) a float32 ``[T, H, W, 3]`` result over the size limit."""
    check_size(
        float(num_frames) * height * width * 3 * 4,
        f"{what} ({num_frames} frames of {height}x{width}, float32)",
    )


def _copy_metadata(metadata: dict[str, Any], what: str = "metadata") -> dict[str, Any]:
    """A deep copy of ``metadata``; a value that cannot be copied raises naming its key."""
    try:
        return copy.deepcopy(metadata)
    except Exception as exc:
        for key, value in metadata.items():
            try:
                copy.deepcopy(value)
            except Exception:
                raise VideoTypeError(
                    f"{what}[{key!r}] holds a {type(value).__name__} that cannot be copied "
                    f"({exc}); keep plain values (numbers, strings, lists, dicts, arrays) in "
                    "video metadata"
                ) from None
        raise VideoTypeError(f"{what} cannot be copied ({exc})") from None


def _is_torch_dtype(dtype: Any) -> bool:
    return type(dtype).__module__.startswith("torch") and type(dtype).__name__ == "dtype"


def _dtype_rule(dtype: Any) -> str:
    """One rule for every conversion out of a Video: ``"uint8"`` (0..255) or ``"float"`` (values in
    ``value_range``); other dtypes (int16, bool, complex...) raise: casting [0, 1] floats to them
    would give zeros."""
    if _is_torch_dtype(dtype):
        if str(dtype) == "torch.uint8":
            return "uint8"
        if dtype.is_floating_point:
            return "float"
    else:
        try:
            dt = np.dtype(dtype)
        except TypeError:
            raise VideoTypeError(
                f"dtype must be uint8 or a float dtype (numpy or torch), got {dtype!r}"
            ) from None
        if dt == np.uint8:
            return "uint8"
        if np.issubdtype(dt, np.floating):
            return "float"
    shown = dtype if _is_torch_dtype(dtype) else np.dtype(dtype)
    raise VideoTypeError(
        f"dtype must be uint8 (values 0..255) or a float dtype (values in value_range), got "
        f"{shown}; casting [0, 1] frames to another integer type would round them to 0 and 1 "
        "(take video.uint8 and convert it yourself)"
    )


def _numpy_dtype(dtype: Any) -> np.dtype:
    """The numpy dtype for ``dtype`` (numpy or torch; bfloat16 and float8 have none)."""
    if not _is_torch_dtype(dtype):
        return np.dtype(dtype)
    name = str(dtype).replace("torch.", "")
    if name in ("uint8", "float16", "float32", "float64"):
        return np.dtype(name)
    raise VideoTypeError(f"numpy has no {dtype}; use as_numpy=False (a torch tensor) for it")


def _torch_dtype(dtype: Any) -> Any:
    import torch

    if _is_torch_dtype(dtype):
        return dtype
    return torch.from_numpy(np.zeros(0, np.dtype(dtype))).dtype


def _check_layout(layout: str, allowed: Sequence[str]) -> str:
    if not isinstance(layout, str) or layout.upper() not in allowed:
        hint = ""
        if isinstance(layout, str) and layout.split(":")[0] in ("cpu", "cuda", "mps", "xpu"):
            hint = f"; for a device pass device={layout!r}"
        raise VideoError(f"layout must be one of {list(allowed)}, got {layout!r}{hint}")
    return layout.upper()


def _check_range(value_range: tuple[float, float]) -> tuple[float, float]:
    try:
        lo, hi = (float(value_range[0]), float(value_range[1]))
    except (TypeError, IndexError, ValueError):
        raise VideoError(
            f"value_range must be a pair (low, high) such as (0, 1) or (-1, 1), got {value_range!r}"
        ) from None
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise VideoError(
            f"value_range must be two finite numbers such as (0, 1) or (-1, 1), got {value_range!r}"
        )
    if not hi > lo:
        raise VideoError(f"value_range must have low < high, got {value_range!r}")
    return lo, hi


def _to_float01(arr: np.ndarray, value_range: tuple[float, float] | None) -> np.ndarray:
    """Convert a numeric array to float32 in [0, 1] under the stated convention."""
    if arr.dtype == np.bool_:
        return arr.astype(np.float32)
    if arr.dtype == np.uint8:
        if value_range is not None and tuple(value_range) != (0, 255):
            raise VideoError(
                f"uint8 frames are always full range 0..255; value_range={value_range!r} does not apply"
            )
        out = arr.astype(np.float32)
        out /= np.float32(255.0)  # in place: one float array, not two
        return out
    if arr.dtype == np.uint16:
        return arr.astype(np.float32) / np.float32(65535.0)
    if np.issubdtype(arr.dtype, np.floating):
        lo, hi = _check_range(value_range if value_range is not None else (0.0, 1.0))
        out = arr.astype(np.float32, copy=True)
        if out.size:
            if not np.isfinite(out).all():
                bad = int(np.argmax(~np.isfinite(out).reshape(out.shape[0], -1).all(axis=1)))
                raise VideoError(f"frames contain NaN or inf values (first in frame {bad})")
            mn, mx = float(out.min()), float(out.max())
            span = hi - lo
            if mn < lo - _RANGE_TOL * span or mx > hi + _RANGE_TOL * span:
                hint = ""
                if value_range is None and mn >= -1 - 1e-3 and mx <= 1 + 1e-3:
                    hint = "; if they are in [-1, 1], pass value_range=(-1, 1)"
                elif value_range is None and mx > 1.5 and mn >= 0 and mx <= 255.5:
                    hint = "; if they are 0..255 floats, pass value_range=(0, 255)"
                raise VideoError(
                    f"float frames have values in [{mn:.4g}, {mx:.4g}] but the declared value_range is "
                    f"({lo:g}, {hi:g}){hint}"
                )
            if (lo, hi) != (0.0, 1.0):
                out = (out - np.float32(lo)) / np.float32(hi - lo)
            np.clip(out, 0.0, 1.0, out=out)
        return out
    if np.issubdtype(arr.dtype, np.integer):
        raise VideoTypeError(
            f"integer frames of dtype {arr.dtype} are ambiguous; give uint8 (0..255) or float frames "
            "with an explicit value_range"
        )
    raise VideoTypeError(f"unsupported frame dtype {arr.dtype}; expected uint8 or a float dtype")


def _fix_channels(frames: np.ndarray) -> np.ndarray:
    """Frames [T,H,W,C] -> [T,H,W,3]; gray and RGBA are converted with a note."""
    c = frames.shape[-1]
    if c == 3:
        return frames
    if c == 1:
        warnings.warn(
            "grayscale frames (1 channel) converted to RGB by repeating the channel",
            stacklevel=4,
        )
        return np.repeat(frames, 3, axis=-1)
    if c == 4:
        warnings.warn("RGBA frames (4 channels): the alpha channel was dropped", stacklevel=4)
        return np.ascontiguousarray(frames[..., :3])
    raise VideoError(
        f"frames have {c} channels in the channel position; expected 3 (RGB), 1 (gray) or 4 (RGBA). "
        "If the channel axis is elsewhere, pass the right layout (THWC, TCHW or CTHW)"
    )


def _frames_from_array(
    arr: np.ndarray, layout: str, value_range: tuple[float, float] | None
) -> np.ndarray:
    layout = _check_layout(layout, _LAYOUTS_3D)
    if arr.ndim == 3 and layout == "THWC":
        # [T, H, W] gray video
        arr = arr[..., None]
    if arr.ndim != 4:
        raise VideoError(
            f"a video array must have 4 dimensions ({layout}), got {describe_array(arr)}; "
            "for a single image add a time axis, for a batch use vk.unstack"
        )
    if layout == "TCHW":
        arr = arr.transpose(0, 2, 3, 1)
    elif layout == "CTHW":
        arr = arr.transpose(1, 2, 3, 0)
    if arr.shape[0] == 0:
        raise VideoError(f"the video is empty (0 frames): {describe_array(arr)}")
    if arr.shape[1] == 0 or arr.shape[2] == 0:
        raise VideoError(f"frames have zero height or width: {describe_array(arr)}")
    frames = _to_float01(np.asarray(arr), value_range)
    return np.ascontiguousarray(_fix_channels(frames))


class Video:
    """A video: float32 frames ``[T, H, W, 3]`` in ``[0, 1]``, a frame rate, and metadata.

    Args:
        frames: an array in the canonical form, or any array-like accepted by
            :meth:`from_numpy` with ``layout="THWC"``. uint8 input is divided by 255; float input
            must lie in ``value_range`` (default ``(0, 1)``).
        fps: frames per second (default 8).
        metadata: free-form provenance (prompt, seed, model, parameters...). Copied.
        value_range: range of float input values, e.g. ``(-1, 1)``.

    Example:
        >>> import numpy as np, vidkit as vk
        >>> v = vk.Video(np.random.rand(4, 8, 8, 3), fps=4, metadata={"prompt": "noise"})
        >>> v.uint8.dtype, len(v), v.metadata["prompt"]
        (dtype('uint8'), 4, 'noise')
    """

    __slots__ = ("_frames", "fps", "metadata", "_audio", "_sample_rate")

    def __init__(
        self,
        frames: Any,
        fps: float = DEFAULT_FPS,
        metadata: dict[str, Any] | None = None,
        *,
        value_range: tuple[float, float] | None = None,
    ) -> None:
        fps = check_fps(fps, "fps")
        if metadata is not None and not isinstance(metadata, dict):
            raise VideoTypeError(f"metadata must be a dict, got {type(metadata).__name__}")
        meta = _copy_metadata(metadata) if metadata else {}
        if isinstance(frames, Video):
            arr = frames.frames
        else:
            if is_torch_tensor(frames):
                raise VideoTypeError(
                    "Video() takes numpy frames; for a torch tensor use Video.from_torch(t, layout=...)"
                )
            if not isinstance(frames, np.ndarray):
                try:
                    frames = np.asarray(frames)
                except Exception as exc:  # pragma: no cover - exotic inputs
                    raise VideoTypeError(
                        f"cannot make frames from {describe_array(frames)}: {exc}"
                    ) from None
            if frames.dtype == object:
                raise VideoTypeError(
                    f"cannot make frames from an object array {describe_array(frames)}; "
                    "for a list of PIL images use Video.from_pil"
                )
            arr = _frames_from_array(frames, "THWC", value_range)
        self._frames = arr
        self.fps = fps
        self.metadata: dict[str, Any] = meta
        self._audio: np.ndarray | None = None
        self._sample_rate: int | None = None
        if isinstance(frames, Video) and frames._audio is not None:
            self._audio, self._sample_rate = frames._audio, frames._sample_rate

    # ------------------------------------------------------------------ basics
    @property
    def frames(self) -> np.ndarray:
        """Float32 frames ``[T, H, W, 3]`` in ``[0, 1]`` (the array itself, not a copy)."""
        return self._frames

    @property
    def uint8(self) -> np.ndarray:
        """Frames as uint8 ``[T, H, W, 3]`` (rounded, 0..255)."""
        return np.round(self._frames * np.float32(255.0)).astype(np.uint8)

    @property
    def shape(self) -> tuple[int, int, int, int]:
        return tuple(self._frames.shape)  # type: ignore[return-value]

    @property
    def num_frames(self) -> int:
        return int(self._frames.shape[0])

    @property
    def height(self) -> int:
        return int(self._frames.shape[1])

    @property
    def width(self) -> int:
        return int(self._frames.shape[2])

    @property
    def duration(self) -> float:
        """Length in seconds (``num_frames / fps``)."""
        return self.num_frames / self.fps

    def __len__(self) -> int:
        return self.num_frames

    def __getitem__(self, index: int | slice | Sequence[int] | np.ndarray) -> Any:
        """``v[i]`` is frame i as a float array ``[H, W, 3]``; ``v[a:b]`` or ``v[[i, j]]`` a Video."""
        if isinstance(index, (int, np.integer)):
            n = self.num_frames
            if not -n <= int(index) < n:
                raise IndexError(f"frame index {index} out of range for a video of {n} frames")
            return self._frames[int(index)]
        if isinstance(index, tuple):
            raise VideoTypeError(
                f"a Video is indexed by frame only (v[i], v[a:b], v[[i, j]]), got the tuple "
                f"{index!r}; index pixels with v.frames[...]"
            )
        if isinstance(index, slice):
            sub = self._frames[index]
            start, stop, step = index.indices(self.num_frames)
            if sub.shape[0] and step == 1:
                out = self._replace(sub)
                out._audio = self._audio_span(start, stop)
                if out._audio is None:
                    out._sample_rate = None
                return out
            if sub.shape[0]:
                return self._replace(sub, audio=False)
        else:
            idx = np.asarray(index)
            if idx.size == 0:
                raise VideoError(f"selection {index!r} leaves no frames")
            if idx.dtype == np.bool_ or not np.issubdtype(idx.dtype, np.integer):
                raise VideoTypeError(f"frame indices must be integers, got {idx.dtype}")
            if idx.size and (idx.max() >= self.num_frames or idx.min() < -self.num_frames):
                raise IndexError(
                    f"frame indices {idx.tolist()} out of range for {self.num_frames} frames"
                )
            sub = self._frames[idx]
        if sub.shape[0] == 0:
            raise VideoError(f"selection {index!r} leaves no frames")
        return self._replace(sub, audio=False)

    def __iter__(self):
        return iter(self._frames)

    def __repr__(self) -> str:
        keys = ", ".join(sorted(self.metadata)) or "-"
        sound = ""
        if self._audio is not None:
            sound = f", audio={self._audio.shape[0]}ch {self._sample_rate} Hz"
        return (
            f"Video(frames={self.num_frames}, size={self.height}x{self.width}, fps={self.fps:g}"
            f"{sound}, metadata: {keys})"
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Video):
            return NotImplemented
        return (
            self.shape == other.shape
            and self.fps == other.fps
            and bool(np.array_equal(self._frames, other._frames))
            and self._sample_rate == other._sample_rate
            and (
                self._audio is other._audio
                or (
                    self._audio is not None
                    and other._audio is not None
                    and bool(np.array_equal(self._audio, other._audio))
                )
            )
        )

    __hash__ = None  # type: ignore[assignment]

    def _repr_html_(self) -> str:
        return _hook("html")(self)

    @classmethod
    def _from_uint8_frames(
        cls,
        images: Sequence[np.ndarray],
        order: Sequence[int] | np.ndarray,
        fps: float,
        metadata: dict[str, Any] | None,
    ) -> Video:
        """Internal: the video whose frame ``j`` is ``images[order[j]]`` (uint8 ``[H, W, 3]``).

        Converts frame by frame into one float32 array (the same values as ``Video(uint8)``,
        without its whole-array temporaries); used by the readers in :mod:`vidkit.io`.
        """
        order = np.asarray(order, dtype=np.int64).reshape(-1)
        first = images[0]
        out = np.empty((len(order), *first.shape), np.float32)
        for j, k in enumerate(order):
            np.divide(images[k], np.float32(255.0), out=out[j], dtype=np.float32)
        video = cls(np.zeros((1, 1, 1, 3), np.float32), fps=fps, metadata=metadata)  # checks both
        video._frames = out
        return video

    def _replace(self, frames: np.ndarray, *, audio: bool = True, **meta: Any) -> Video:
        """A video with these frames, this fps and metadata (plus ``meta``); the audio track is
        kept (operations that keep the timeline: resize, crop, resample) unless ``audio=False``."""
        out = Video.__new__(Video)
        out._frames = np.ascontiguousarray(frames, dtype=np.float32)
        out.fps = self.fps
        out.metadata = _copy_metadata(self.metadata)
        out.metadata.update(meta)
        out._audio = self._audio if audio else None
        out._sample_rate = self._sample_rate if audio else None
        return out

    # ------------------------------------------------------------------ audio
    @property
    def audio(self) -> np.ndarray | None:
        """The audio track: float32 samples ``[channels, n]`` in ``[-1, 1]``, or ``None``.

        Operations keep it where the timeline is kept: ``resize``, ``center_crop``, ``copy``,
        ``resample`` (which keeps the duration), ``with_metadata``; a contiguous slice ``v[a:b]``
        keeps the samples of frames ``a..b-1`` (time ``a / fps`` to ``b / fps``); a strided slice
        or an index list (which changes the timeline) drops it; :func:`concat` joins the tracks
        (silence for a video without one).
        """
        return self._audio

    @property
    def sample_rate(self) -> int | None:
        """The audio sample rate in Hz, or ``None`` without audio."""
        return self._sample_rate

    @property
    def has_audio(self) -> bool:
        """Whether the video carries an audio track."""
        return self._audio is not None

    def with_audio(self, samples: Any, sample_rate: int) -> Video:
        """A video sharing these frames with an audio track attached (replacing any).

        Args:
            samples: float samples ``[channels, n]`` (or ``[n]`` for mono) in ``[-1, 1]``, numpy or
                torch; ``n`` need not match the video's duration (a player stops at the shorter).
            sample_rate: samples per second, a positive integer (e.g. 16000, 44100, 48000).

        Example:
            >>> import numpy as np, vidkit as vk
            >>> v = vk.Video(np.zeros((8, 16, 16, 3)), fps=8)
            >>> t = np.arange(16000) / 16000
            >>> a = v.with_audio(0.5 * np.sin(2 * np.pi * 440 * t), 16000)
            >>> a.audio.shape, a.sample_rate, a[:4].audio.shape
            ((1, 16000), 16000, (1, 8000))
        """
        arr, rate = check_audio(samples, sample_rate)
        out = self._replace(self._frames)
        out._audio, out._sample_rate = arr, rate
        return out

    def without_audio(self) -> Video:
        """A video sharing these frames with no audio track."""
        return self._replace(self._frames, audio=False)

    def _audio_span(self, start: int, stop: int) -> np.ndarray | None:
        """The samples under frames ``start..stop-1`` (None without audio or when none are left)."""
        if self._audio is None or self._sample_rate is None:
            return None
        a = int(round(start / self.fps * self._sample_rate))
        b = int(round(stop / self.fps * self._sample_rate))
        part = self._audio[:, a:b]
        return part if part.shape[1] else None

    def copy(self) -> Video:
        """A deep copy (frames, metadata and audio)."""
        out = self._replace(self._frames.copy())
        if out._audio is not None:
            out._audio = out._audio.copy()
        return out

    def with_metadata(self, **metadata: Any) -> Video:
        """A video sharing these frames with ``metadata`` updated.

        Example:
            >>> import numpy as np, vidkit as vk
            >>> v = vk.Video(np.zeros((8, 32, 48, 3)), fps=8)
            >>> v.with_metadata(seed=3).metadata["seed"], "seed" in v.metadata
            (3, False)
        """
        out = self._replace(self._frames)
        out.metadata.update(_copy_metadata(metadata))
        return out

    # -------------------------------------------------------------- conversions
    @classmethod
    def from_numpy(
        cls,
        array: np.ndarray,
        *,
        layout: str = "THWC",
        value_range: tuple[float, float] | None = None,
        fps: float = DEFAULT_FPS,
        metadata: dict[str, Any] | None = None,
    ) -> Video:
        """Make a Video from a numpy array.

        Args:
            array: ``[T, H, W, C]`` (``layout="THWC"``), ``[T, C, H, W]`` (``"TCHW"``) or
                ``[C, T, H, W]`` (``"CTHW"``); uint8 (0..255) or float in ``value_range``.
            layout: axis order of ``array``.
            value_range: range of float values, default ``(0, 1)``; e.g. ``(-1, 1)``.

        Example:
            >>> v = Video.from_numpy(np.zeros((2, 3, 4, 4)), layout="TCHW", value_range=(-1, 1))
            >>> float(v.frames.max())
            0.5
        """
        if not isinstance(array, np.ndarray):
            raise VideoTypeError(f"from_numpy expects a numpy array, got {describe_array(array)}")
        return cls(_frames_from_array(array, layout, value_range), fps=fps, metadata=metadata)

    def to_numpy(
        self,
        layout: str = "THWC",
        dtype: Any = np.float32,
        value_range: tuple[float, float] = (0.0, 1.0),
    ) -> np.ndarray:
        """Frames as a numpy array in ``layout`` (THWC/TCHW/CTHW).

        ``dtype=np.uint8`` gives 0..255; a float dtype gives values in ``value_range``.

        Example:
            >>> import numpy as np, vidkit as vk
            >>> v = vk.Video(np.zeros((8, 32, 48, 3)), fps=8)
            >>> a = v.to_numpy("TCHW", value_range=(-1, 1))
            >>> a.shape, float(a.min())
            ((8, 3, 32, 48), -1.0)
        """
        layout = _check_layout(layout, _LAYOUTS_3D)
        kind = _dtype_rule(dtype)
        dt = _numpy_dtype(dtype)
        if kind == "uint8":
            arr = self.uint8
        else:
            lo, hi = _check_range(value_range)
            arr = self._frames.astype(dt)
            if (lo, hi) != (0.0, 1.0):
                arr = arr * dt.type(hi - lo) + dt.type(lo)
        if layout == "TCHW":
            arr = arr.transpose(0, 3, 1, 2)
        elif layout == "CTHW":
            arr = arr.transpose(3, 0, 1, 2)
        return np.ascontiguousarray(arr)

    @classmethod
    def from_torch(
        cls,
        tensor: torch.Tensor,
        *,
        layout: str = "TCHW",
        value_range: tuple[float, float] | None = None,
        fps: float = DEFAULT_FPS,
        metadata: dict[str, Any] | None = None,
    ) -> Video:
        """Make a Video from one torch tensor ``[T, C, H, W]``, ``[C, T, H, W]`` or ``[T, H, W, C]``.

        A batch (``[1, ...]``) of one video is accepted; for larger batches use :func:`unstack`.

        Example:
            >>> import torch
            >>> v = Video.from_torch(torch.zeros(4, 3, 8, 8), layout="TCHW")
        """
        arr = _tensor_to_numpy(tensor)
        if arr.ndim == 5:
            if arr.shape[0] != 1:
                raise VideoError(
                    f"from_torch takes one video, got a batch {describe_array(tensor)}; use vk.unstack"
                )
            arr = arr[0]
        return cls(_frames_from_array(arr, layout, value_range), fps=fps, metadata=metadata)

    def to_torch(
        self,
        layout: str = "TCHW",
        dtype: torch.dtype | None = None,
        value_range: tuple[float, float] = (0.0, 1.0),
        device: Any = None,
    ) -> torch.Tensor:
        """Frames as a torch tensor in ``layout`` (TCHW/CTHW/THWC), float32 by default.

        ``dtype=torch.uint8`` gives 0..255.

        Example:
            >>> import numpy as np, vidkit as vk
            >>> v = vk.Video(np.zeros((8, 32, 48, 3)), fps=8)
            >>> t = v.to_torch("CTHW", value_range=(-1, 1))
            >>> tuple(t.shape), str(t.dtype)
            ((3, 8, 32, 48), 'torch.float32')
        """
        import torch

        dtype = torch.float32 if dtype is None else dtype
        kind = _dtype_rule(dtype)
        dev = check_device(device) if device is not None else None
        if kind == "uint8":
            t = torch.from_numpy(self.to_numpy(layout, np.uint8))
        else:
            t = torch.from_numpy(self.to_numpy(layout, np.float32, value_range))
            t = t.to(_torch_dtype(dtype))
        return t.to(dev) if dev is not None else t

    @classmethod
    def from_pil(
        cls,
        images: Iterable[Image.Image],
        *,
        fps: float = DEFAULT_FPS,
        metadata: dict[str, Any] | None = None,
    ) -> Video:
        """Make a Video from a sequence of PIL images (any mode; converted to RGB, same size).

        Example:
            >>> from PIL import Image
            >>> v = Video.from_pil([Image.new("RGB", (8, 6))] * 3)
            >>> v.shape
            (3, 6, 8, 3)
        """
        from PIL import Image

        imgs = list(images)
        if not imgs:
            raise VideoError("from_pil got an empty list of images")
        arrs = []
        for i, im in enumerate(imgs):
            if not isinstance(im, Image.Image):
                raise VideoTypeError(f"item {i} is {type(im).__name__}, expected a PIL.Image")
            if im.size != imgs[0].size:
                raise VideoError(
                    f"image {i} has size {im.size}, image 0 has {imgs[0].size}: all must match"
                )
            arrs.append(np.asarray(im.convert("RGB")))
        return cls(np.stack(arrs), fps=fps, metadata=metadata)

    def to_pil(self) -> list[Image.Image]:
        """Frames as a list of RGB PIL images."""
        from PIL import Image

        return [Image.fromarray(f) for f in self.uint8]

    @classmethod
    def from_pipeline_output(
        cls,
        output: Any,
        *,
        index: int | None = None,
        fps: float = DEFAULT_FPS,
        metadata: dict[str, Any] | None = None,
        layout: str | None = None,
    ) -> Video | list[Video]:
        """Videos from a diffusers pipeline output (or its ``.frames``), any ``output_type``.

        - ``"np"``: array ``[B, F, H, W, 3]`` in [0, 1];
        - ``"pt"``: tensor ``[B, F, C, H, W]`` in [0, 1] (pass ``layout="BCTHW"`` if channel-first);
        - ``"pil"``: list (batch) of lists of PIL images.

        Returns a list of Videos, or one Video when ``index`` is given.

        Example:
            >>> from types import SimpleNamespace
            >>> # what a diffusers pipeline(..., output_type="np") returns: .frames [B, T, H, W, 3]
            >>> out = SimpleNamespace(frames=np.zeros((2, 5, 16, 16, 3), np.float32))
            >>> Video.from_pipeline_output(out, index=0, fps=8).shape
            (5, 16, 16, 3)
        """
        frames = getattr(output, "frames", output)
        if isinstance(output, tuple) and not hasattr(output, "frames"):
            frames = output[0]
        videos: list[Video]
        if is_torch_tensor(frames) or isinstance(frames, np.ndarray):
            arr = _tensor_to_numpy(frames) if is_torch_tensor(frames) else frames
            if arr.ndim == 4:
                arr = arr[None]
            if arr.ndim != 5:
                raise VideoError(
                    f"pipeline frames must be a batch [B, F, ...] of 5 dims, got {describe_array(frames)}"
                )
            if layout is None:
                # np outputs are BTHWC; pt outputs are BTCHW. Decide by the explicit output kind.
                layout = "BTCHW" if is_torch_tensor(frames) else "BTHWC"
            videos = unstack(arr, layout=layout, fps=fps, metadata=metadata)
        elif isinstance(frames, (list, tuple)) and frames:
            first = frames[0]
            if isinstance(first, (list, tuple)):
                videos = [cls.from_pil(f, fps=fps, metadata=metadata) for f in frames]
            elif is_pil(first):
                videos = [cls.from_pil(frames, fps=fps, metadata=metadata)]
            elif isinstance(first, np.ndarray) or is_torch_tensor(first):
                videos = [
                    cls(
                        _tensor_to_numpy(f) if is_torch_tensor(f) else f,
                        fps=fps,
                        metadata=metadata,
                    )
                    for f in frames
                ]
            else:
                raise VideoTypeError(
                    f"unrecognised pipeline frames: a list of {type(first).__name__}"
                )
        else:
            raise VideoTypeError(
                f"unrecognised pipeline output {describe_array(frames)}; expected .frames as an array, a "
                "tensor or lists of PIL images"
            )
        if index is not None:
            if not -len(videos) <= index < len(videos):
                raise IndexError(f"index {index} out of range for {len(videos)} videos")
            return videos[index]
        return videos

    # ---------------------------------------------------------------- helpers
    def resize(
        self,
        height: int,
        width: int | None = None,
        *,
        mode: str = "bilinear",
        antialias: bool = True,
    ) -> Video:
        """Resize every frame to ``height x width`` (antialiased by default).

        ``width=None`` keeps the aspect ratio. ``mode`` is ``"bilinear"``, ``"bicubic"``, ``"area"``
        or ``"nearest"``.

        Example:
            >>> import numpy as np, vidkit as vk
            >>> v = vk.Video(np.zeros((8, 32, 48, 3)), fps=8)
            >>> v.resize(64, 64).shape
            (8, 64, 64, 3)
        """
        import torch
        import torch.nn.functional as F

        height = _whole(height, "resize height")
        if width is None:
            width = max(1, round(self.width * height / self.height))
        width = _whole(width, "resize width")
        if mode not in ("bilinear", "bicubic", "area", "nearest"):
            raise VideoError(f"mode must be bilinear, bicubic, area or nearest, got {mode!r}")
        _check_frame_bytes(self.num_frames, height, width, f"resize({height}, {width})")
        if (height, width) == (self.height, self.width):
            return self._replace(self._frames.copy())
        t = torch.from_numpy(self._frames).permute(0, 3, 1, 2)
        kw: dict[str, Any] = {}
        if mode in ("bilinear", "bicubic"):
            kw = {"align_corners": False, "antialias": antialias}
        out = F.interpolate(t, size=(height, width), mode=mode, **kw)
        out = out.clamp_(0, 1).permute(0, 2, 3, 1).numpy()
        return self._replace(out)

    def center_crop(self, height: int, width: int | None = None) -> Video:
        """Crop the central ``height x width`` region (``width=None``: square).

        Example:
            >>> import numpy as np, vidkit as vk
            >>> v = vk.Video(np.zeros((8, 32, 48, 3)), fps=8)
            >>> v.center_crop(32).shape
            (8, 32, 32, 3)
        """
        height = _whole(height, "crop height")
        width = height if width is None else _whole(width, "crop width")
        if not (0 < height <= self.height and 0 < width <= self.width):
            raise VideoError(
                f"crop {height}x{width} does not fit in frames of {self.height}x{self.width}"
            )
        top = (self.height - height) // 2
        left = (self.width - width) // 2
        return self._replace(self._frames[:, top : top + height, left : left + width])

    def resize_short_side(self, size: int, *, mode: str = "bilinear") -> Video:
        """Resize so the shorter side equals ``size`` (antialiased), keeping the aspect ratio."""
        size = _whole(size, "size")
        if self.height <= self.width:
            return self.resize(size, max(1, round(self.width * size / self.height)), mode=mode)
        return self.resize(max(1, round(self.height * size / self.width)), size, mode=mode)

    def resample(
        self,
        num_frames: int | None = None,
        *,
        stride: int | None = None,
        offset: int = 0,
        fps: float | None = None,
    ) -> Video:
        """Temporal resampling.

        - ``num_frames=N``: N frames spread evenly over the video (nearest frames; repeats frames
          when the video is shorter); ``fps`` scales to keep the duration.
        - ``stride=s`` (and ``offset``): every s-th frame starting at ``offset``.
        - ``fps=f``: frames at a new frame rate: at each new time ``k / f`` the frame on screen
          then (sample and hold), so doubling the rate repeats every frame exactly twice.

        Example:
            >>> import numpy as np, vidkit as vk
            >>> v = vk.Video(np.zeros((8, 32, 48, 3)), fps=8)
            >>> v.resample(4).num_frames, v.resample(stride=2).num_frames
            (4, 4)
        """
        given = sum(x is not None for x in (num_frames, stride, fps))
        if given != 1:
            raise VideoError("give exactly one of num_frames, stride or fps")
        n, h, w = self.num_frames, self.height, self.width
        if num_frames is not None:
            count = _whole(num_frames, "num_frames")
            _check_frame_bytes(count, h, w, f"resample(num_frames={num_frames!r})")
            idx = np.round(np.linspace(0, n - 1, count)).astype(int)
            new_fps = self.fps * count / n
        elif stride is not None:
            step = _whole(stride, "stride")
            start = _whole(offset, "offset", lo=0)
            if not start < n:
                raise VideoError(f"offset {offset} out of range for {n} frames")
            idx = np.arange(start, n, step)
            new_fps = self.fps / step
        else:
            new_fps = check_fps(fps, "fps")
            _check_frame_bytes(
                fps_frame_count(n, self.fps, new_fps), h, w, f"resample(fps={fps!r})"
            )
            idx = _fps_indices(n, self.fps, new_fps)
        out = self._replace(self._frames[idx])
        out.fps = float(new_fps)
        return out

    def frame(self, index: int) -> np.ndarray:
        """Frame ``index`` as float32 ``[H, W, 3]`` (a view)."""
        return self[index]


# --------------------------------------------------------------------------- module functions
#: the most audio channels a track may have
MAX_AUDIO_CHANNELS = 8


def check_audio(samples: Any, sample_rate: Any) -> tuple[np.ndarray, int]:
    """Validated audio: (float32 C-contiguous samples ``[channels, n]``, the integer sample rate).

    ``samples`` is ``[n]`` (mono) or ``[channels, n]`` with 1..8 channels, float, finite and in
    ``[-1, 1]``; ``sample_rate`` a positive integer.

    Example:
        >>> import numpy as np
        >>> check_audio(np.zeros(100), 8000)[0].shape
        (1, 100)
        >>> check_audio(np.zeros(100), 0)
        Traceback (most recent call last):
        vidkit.errors.VideoError: sample_rate must be a positive integer number of samples per second, got 0
    """
    if isinstance(sample_rate, bool) or not isinstance(
        sample_rate, (int, float, np.integer, np.floating)
    ):
        raise VideoTypeError(f"sample_rate must be an integer (Hz), got {sample_rate!r}")
    if not np.isfinite(sample_rate) or sample_rate <= 0 or int(sample_rate) != sample_rate:
        raise VideoError(
            "sample_rate must be a positive integer number of samples per second, got "
            f"{sample_rate!r}"
        )
    if is_torch_tensor(samples):
        samples = _tensor_to_numpy(samples)
    if not isinstance(samples, np.ndarray):
        try:
            samples = np.asarray(samples)
        except Exception:
            raise VideoTypeError(
                f"audio samples must be a float array [channels, n], got {describe_array(samples)}"
            ) from None
    if not np.issubdtype(samples.dtype, np.floating):
        raise VideoTypeError(
            f"audio samples must be floats in [-1, 1], got {describe_array(samples)}; divide int16 "
            "samples by 32768"
        )
    arr = samples[None] if samples.ndim == 1 else samples
    if arr.ndim != 2 or arr.shape[1] == 0:
        raise VideoError(
            f"audio samples must be [channels, n] (or [n] for mono) with n >= 1, got "
            f"{describe_array(samples)}"
        )
    if not 1 <= arr.shape[0] <= MAX_AUDIO_CHANNELS:
        hint = "; transpose [n, channels] to [channels, n]" if arr.shape[1] <= 8 else ""
        raise VideoError(
            f"audio samples must be [channels, n] with 1..{MAX_AUDIO_CHANNELS} channels, got "
            f"{describe_array(samples)}{hint}"
        )
    arr = np.ascontiguousarray(arr, dtype=np.float32)
    if not np.isfinite(arr).all():
        raise VideoError(
            f"audio samples contain NaN or infinite values ({describe_array(samples)})"
        )
    peak = float(np.abs(arr).max())
    if peak > 1.0 + 1e-6:
        raise VideoError(
            f"audio samples must lie in [-1, 1], got a peak of {peak:.4g}; scale them (e.g. "
            "samples / abs(samples).max())"
        )
    return arr, int(sample_rate)


def fps_frame_count(num_frames: int, fps: float, new_fps: float) -> int:
    """How many frames a video of ``num_frames`` at ``fps`` has at ``new_fps`` (no allocation).

    Example:
        >>> fps_frame_count(8, 8.0, 16.0), fps_frame_count(8, 8.0, 3.0)
        (16, 3)
    """
    count = np.floor(num_frames / fps * new_fps + 1e-9)
    return max(1, int(count)) if np.isfinite(count) and count < 2**62 else 2**62


def _fps_indices(num_frames: int, fps: float, new_fps: float) -> np.ndarray:
    """Source frame shown at each time ``k / new_fps`` of a video of ``num_frames`` at ``fps``.

    Sample and hold (``floor``): ties never alternate, unlike ``np.round`` (half to even), which
    turned 8 -> 16 fps into the uneven pattern 0, 0, 1, 2, 2, 2, 3, 4, ...
    """
    count = fps_frame_count(num_frames, fps, new_fps)
    check_size(8.0 * count, f"the frame index of {count} frames at {new_fps:g} fps")
    return fps_source_frames(np.arange(count), num_frames, fps, new_fps)


def fps_source_frames(
    positions: np.ndarray, num_frames: int, fps: float, new_fps: float
) -> np.ndarray:
    """Source frame of each output position ``k`` (time ``k / new_fps``), held (``floor``).

    Example:
        >>> fps_source_frames(np.arange(6), 3, 8.0, 16.0).tolist()
        [0, 0, 1, 1, 2, 2]
    """
    idx = np.floor(np.asarray(positions, dtype=np.int64) * (fps / new_fps) + 1e-6).astype(np.int64)
    return np.minimum(idx, num_frames - 1)


def is_torch_tensor(x: Any) -> bool:
    """Whether ``x`` is a torch tensor (without importing torch).

    Example:
        >>> is_torch_tensor(np.zeros(2))
        False
    """
    mod = type(x).__module__
    return mod.startswith("torch") and type(x).__name__ in ("Tensor", "Parameter")


def is_pil(x: Any) -> bool:
    """Whether ``x`` is a PIL image.

    Example:
        >>> is_pil(np.zeros((2, 2, 3)))
        False
    """
    try:
        from PIL import Image
    except ImportError:  # pragma: no cover
        return False
    return isinstance(x, Image.Image)


def _tensor_to_numpy(t: Any) -> np.ndarray:
    if not is_torch_tensor(t):
        raise VideoTypeError(f"expected a torch tensor, got {describe_array(t)}")
    import torch

    if t.is_meta:
        raise VideoError(
            f"a meta tensor has a shape {tuple(t.shape)} but no data; give a tensor on a real "
            "device"
        )
    if t.layout != torch.strided:
        raise VideoTypeError(
            f"a {t.layout} tensor is not a video; call .to_dense() first (shape {tuple(t.shape)})"
        )
    if t.is_quantized:
        raise VideoTypeError("a quantized tensor is not a video; call .dequantize() first")
    if t.is_complex():
        raise VideoTypeError(f"complex tensors are not videos, got dtype {t.dtype}")
    t = t.detach().cpu()
    if t.is_floating_point() and t.dtype not in (torch.float32, torch.float64):
        t = t.float()  # float16, bfloat16, float8: numpy has no or a lossy match
    return t.numpy()


def check_device(device: Any) -> Any:
    """A torch device for ``device``, refusing one that is not present (a clear error instead of
    torch's assertion).

    Example:
        >>> check_device("cpu")
        device(type='cpu')
    """
    import torch

    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError, ValueError):
        raise ArgumentError(
            f"device must be 'cpu', 'cuda', 'cuda:1', 'mps'..., got {device!r}"
        ) from None
    if dev.type == "cuda":
        if not torch.cuda.is_available():
            raise ArgumentError(
                f"device={device!r} but no CUDA GPU is available (torch.cuda.is_available() is "
                "False); use 'cpu'"
            )
        if dev.index is not None and dev.index >= torch.cuda.device_count():
            raise ArgumentError(
                f"device={device!r} but only {torch.cuda.device_count()} CUDA GPU(s) are present"
            )
    elif dev.type == "mps":
        mps = getattr(torch.backends, "mps", None)
        if mps is None or not mps.is_available():
            raise ArgumentError(f"device={device!r} but MPS is not available on this machine")
    return dev


def as_video(
    x: Any,
    *,
    layout: str | None = None,
    value_range: tuple[float, float] | None = None,
    fps: float | None = None,
) -> Video:
    """Convert one video in any supported form to a :class:`Video`.

    Accepts a Video (returned as is), a numpy array (``layout`` default THWC), a torch tensor
    (``layout`` default TCHW), a list of PIL images, or a path to a video file / frame folder.

    Example:
        >>> import torch, vidkit as vk
        >>> vk.as_video(torch.rand(4, 3, 8, 8)).shape
        (4, 8, 8, 3)
    """
    import os

    if isinstance(x, Video):
        return x
    if isinstance(x, (str, os.PathLike)):
        return _hook("read")(x)
    f = DEFAULT_FPS if fps is None else fps
    if isinstance(x, np.ndarray):
        return Video.from_numpy(x, layout=layout or "THWC", value_range=value_range, fps=f)
    if is_torch_tensor(x):
        return Video.from_torch(x, layout=layout or "TCHW", value_range=value_range, fps=f)
    if isinstance(x, (list, tuple)) and x and is_pil(x[0]):
        return Video.from_pil(x, fps=f)
    raise VideoTypeError(
        f"cannot convert {describe_array(x)} to a Video; expected a Video, numpy array, torch tensor, "
        "list of PIL images or a path"
    )


def concat(videos: Sequence[Video]) -> Video:
    """Concatenate videos in time (same size; fps and metadata of the first).

    Example:
        >>> import numpy as np, torch, vidkit as vk
        >>> v = vk.Video(np.zeros((8, 32, 48, 3)), fps=8)
        >>> vk.concat([v, v]).num_frames == 2 * v.num_frames
        True
    """
    videos = list(videos)
    if not videos:
        raise VideoError("concat needs at least one video")
    for i, v in enumerate(videos):
        if not isinstance(v, Video):
            raise VideoTypeError(f"item {i} is {type(v).__name__}, expected a Video")
        if v.shape[1:] != videos[0].shape[1:]:
            raise VideoError(
                f"video {i} has frames {v.height}x{v.width}, video 0 has "
                f"{videos[0].height}x{videos[0].width}: resize before concatenating"
            )
    out = videos[0]._replace(np.concatenate([v.frames for v in videos], axis=0), audio=False)
    voiced = [v for v in videos if v.has_audio]
    if voiced:
        rate = voiced[0].sample_rate
        channels = max(v.audio.shape[0] for v in voiced)  # type: ignore[union-attr]
        if any(v.sample_rate != rate for v in voiced):
            raise VideoError(
                f"cannot concatenate audio tracks of different sample rates "
                f"{sorted({v.sample_rate for v in voiced})}; resample the audio first"
            )
        parts = []
        for v in videos:
            n = int(round(v.duration * rate))  # type: ignore[operator]
            part = np.zeros((channels, n), np.float32)
            if v.has_audio:
                src = v.audio[:, :n]  # type: ignore[index]
                part[:, : src.shape[1]] = src  # mono is broadcast to every channel
            parts.append(part)
        out._audio, out._sample_rate = np.concatenate(parts, axis=1), rate
    return out


def stack(
    videos: Sequence[Video],
    layout: str = "BTCHW",
    *,
    value_range: tuple[float, float] = (0.0, 1.0),
    dtype: Any = None,
    as_numpy: bool = False,
) -> Any:
    """Stack same-shaped videos into one batch tensor (``BTCHW``, ``BCTHW`` or ``BTHWC``).

    Returns a float32 torch tensor (or numpy array with ``as_numpy=True``) with values in
    ``value_range``; ``dtype`` (numpy or torch) follows :meth:`Video.to_torch`'s rule: uint8 gives
    0..255, a float dtype values in ``value_range``, any other dtype raises ``VideoTypeError``.

    Example:
        >>> import numpy as np, torch, vidkit as vk
        >>> v = vk.Video(np.zeros((8, 32, 48, 3)), fps=8)
        >>> vk.stack([v, v], "BCTHW", value_range=(-1, 1)).shape
        torch.Size([2, 3, 8, 32, 48])
    """
    videos = list(videos)
    layout = _check_layout(layout, _LAYOUTS_BATCH)
    if not videos:
        raise VideoError("stack needs at least one video")
    for i, v in enumerate(videos):
        if not isinstance(v, Video):
            raise VideoTypeError(f"item {i} is {type(v).__name__}, expected a Video")
        if v.shape != videos[0].shape:
            raise VideoError(
                f"video {i} has shape {v.shape}, video 0 has {videos[0].shape}: resize/resample "
                "them to one shape before stacking"
            )
    inner = {"BTCHW": "TCHW", "BCTHW": "CTHW", "BTHWC": "THWC"}[layout]
    kind = "float" if dtype is None else _dtype_rule(dtype)
    if as_numpy:
        np_dtype = np.dtype(np.float32) if dtype is None else _numpy_dtype(dtype)
        return np.stack([v.to_numpy(inner, np_dtype, value_range) for v in videos])
    import torch

    np_dtype = np.dtype(np.uint8) if kind == "uint8" else np.dtype(np.float32)
    t = torch.from_numpy(np.stack([v.to_numpy(inner, np_dtype, value_range) for v in videos]))
    if dtype is not None and kind == "float":
        t = t.to(_torch_dtype(dtype))
    return t


def unstack(
    batch: Any,
    layout: str = "BTCHW",
    *,
    value_range: tuple[float, float] | None = None,
    fps: float = DEFAULT_FPS,
    metadata: dict[str, Any] | None = None,
) -> list[Video]:
    """Split a batch (torch tensor or numpy array) into a list of Videos.

    Example:
        >>> import torch, vidkit as vk
        >>> vids = vk.unstack(torch.rand(2, 3, 4, 8, 8), "BCTHW")
        >>> len(vids), vids[0].shape
        (2, (4, 8, 8, 3))
    """
    layout = _check_layout(layout, _LAYOUTS_BATCH)
    arr = _tensor_to_numpy(batch) if is_torch_tensor(batch) else batch
    if not isinstance(arr, np.ndarray):
        raise VideoTypeError(f"unstack expects a tensor or array, got {describe_array(batch)}")
    if arr.ndim != 5:
        raise VideoError(
            f"a batch of videos must have 5 dimensions ({layout}), got {describe_array(arr)}"
        )
    if arr.shape[0] == 0:
        raise VideoError("the batch is empty")
    inner = {"BTCHW": "TCHW", "BCTHW": "CTHW", "BTHWC": "THWC"}[layout]
    return [
        Video(_frames_from_array(a, inner, value_range), fps=fps, metadata=metadata) for a in arr
    ]


def psnr(a: Video | np.ndarray, b: Video | np.ndarray) -> float:
    """Peak signal-to-noise ratio in dB between two same-shaped videos (or frames) in [0, 1].

    Identical inputs give ``inf``.

    Example:
        >>> import numpy as np, torch, vidkit as vk
        >>> v = vk.Video(np.zeros((8, 32, 48, 3)), fps=8)
        >>> vk.psnr(v, v), round(vk.psnr(v, vk.Video(v.frames + 0.1)), 1)
        (inf, 20.0)
    """
    fa = a.frames if isinstance(a, Video) else np.asarray(a, np.float32)
    fb = b.frames if isinstance(b, Video) else np.asarray(b, np.float32)
    if fa.shape != fb.shape:
        raise VideoError(f"psnr needs equal shapes, got {fa.shape} and {fb.shape}")
    mse = float(np.mean((fa.astype(np.float64) - fb.astype(np.float64)) ** 2))
    return float("inf") if mse == 0 else float(10 * np.log10(1.0 / mse))


# --------------------------------------------------------------------------- hooks
# What the layers above provide to Video: reading a file (vidkit.io) and a Video's notebook HTML
# (vidkit.display). video.py imports neither (io and display import video); vidkit/__init__.py
# sets both when the package is imported.
_HOOKS: dict[str, Callable[[Any], Any]] = {}
HOOK_NAMES = ("read", "html")


def set_hook(name: str, fn: Callable[[Any], Any]) -> Callable[[Any], Any] | None:
    """Set what :class:`Video` calls for ``name`` and return the previous function (or None).

    ``"read"``: ``fn(path) -> Video``, used by :func:`as_video` for a path.
    ``"html"``: ``fn(video) -> str``, the notebook HTML of a Video (``Video._repr_html_``).

    Example:
        >>> old = set_hook("html", lambda v: f"<p>{v.num_frames} frames</p>")
        >>> Video(np.zeros((3, 4, 4, 3)))._repr_html_()
        '<p>3 frames</p>'
        >>> _ = set_hook("html", old)
    """
    if name not in HOOK_NAMES:
        raise ValueError(f"hook name must be one of {HOOK_NAMES}, got {name!r}")
    if not callable(fn):
        raise TypeError(f"the {name!r} hook must be callable, got {type(fn).__name__}")
    previous = _HOOKS.get(name)
    _HOOKS[name] = fn
    return previous


def _hook(name: str) -> Callable[[Any], Any]:
    fn = _HOOKS.get(name)
    if fn is None:
        raise RuntimeError(f"no {name!r} hook is set; import vidkit (its __init__ sets them)")
    return fn
