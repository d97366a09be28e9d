"""The Video type, and :func:`stack` / :func:`unstack` between Videos and batched arrays."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from vidkit.errors import VideoError, VideoTypeError

if TYPE_CHECKING:  # pragma: no cover
    import torch
    from PIL import Image
from vidkit.video.arrays import (
    check_layout,
    check_range,
    dtype_rule,
    frames_from_array,
    numpy_dtype,
    torch_dtype,
)
from vidkit.video.audio import check_audio
from vidkit.video.checks import (
    DEFAULT_FPS,
    LAYOUTS_3D,
    LAYOUTS_BATCH,
    check_fps,
    check_frame_bytes,
    copy_metadata,
    describe_array,
    whole_number,
)
from vidkit.video.hooks import get_hook
from vidkit.video.tensors import check_device, is_pil, is_torch_tensor, tensor_to_numpy
from vidkit.video.timing import fps_frame_count, fps_indices


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
        meta = copy_metadata(metadata) if metadata else {}
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
            arr = frames_from_array(frames, "THWC", value_range)
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
        return get_hook("html")(self)

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
        out.metadata = copy_metadata(self.metadata)
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
        out.metadata.update(copy_metadata(metadata))
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
        return cls(frames_from_array(array, layout, value_range), fps=fps, metadata=metadata)

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
        layout = check_layout(layout, LAYOUTS_3D)
        kind = dtype_rule(dtype)
        dt = numpy_dtype(dtype)
        if kind == "uint8":
            arr = self.uint8
        else:
            lo, hi = check_range(value_range)
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
        arr = tensor_to_numpy(tensor)
        if arr.ndim == 5:
            if arr.shape[0] != 1:
                raise VideoError(
                    f"from_torch takes one video, got a batch {describe_array(tensor)}; use vk.unstack"
                )
            arr = arr[0]
        return cls(frames_from_array(arr, layout, value_range), fps=fps, metadata=metadata)

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
        kind = dtype_rule(dtype)
        dev = check_device(device) if device is not None else None
        if kind == "uint8":
            t = torch.from_numpy(self.to_numpy(layout, np.uint8))
        else:
            t = torch.from_numpy(self.to_numpy(layout, np.float32, value_range))
            t = t.to(torch_dtype(dtype))
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
            arr = tensor_to_numpy(frames) if is_torch_tensor(frames) else frames
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
                        tensor_to_numpy(f) if is_torch_tensor(f) else f,
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

        height = whole_number(height, "resize height")
        if width is None:
            width = max(1, round(self.width * height / self.height))
        width = whole_number(width, "resize width")
        if mode not in ("bilinear", "bicubic", "area", "nearest"):
            raise VideoError(f"mode must be bilinear, bicubic, area or nearest, got {mode!r}")
        check_frame_bytes(self.num_frames, height, width, f"resize({height}, {width})")
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
        height = whole_number(height, "crop height")
        width = height if width is None else whole_number(width, "crop width")
        if not (0 < height <= self.height and 0 < width <= self.width):
            raise VideoError(
                f"crop {height}x{width} does not fit in frames of {self.height}x{self.width}"
            )
        top = (self.height - height) // 2
        left = (self.width - width) // 2
        return self._replace(self._frames[:, top : top + height, left : left + width])

    def resize_short_side(self, size: int, *, mode: str = "bilinear") -> Video:
        """Resize so the shorter side equals ``size`` (antialiased), keeping the aspect ratio."""
        size = whole_number(size, "size")
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
            count = whole_number(num_frames, "num_frames")
            check_frame_bytes(count, h, w, f"resample(num_frames={num_frames!r})")
            idx = np.round(np.linspace(0, n - 1, count)).astype(int)
            new_fps = self.fps * count / n
        elif stride is not None:
            step = whole_number(stride, "stride")
            start = whole_number(offset, "offset", lo=0)
            if not start < n:
                raise VideoError(f"offset {offset} out of range for {n} frames")
            idx = np.arange(start, n, step)
            new_fps = self.fps / step
        else:
            new_fps = check_fps(fps, "fps")
            check_frame_bytes(fps_frame_count(n, self.fps, new_fps), h, w, f"resample(fps={fps!r})")
            idx = fps_indices(n, self.fps, new_fps)
        out = self._replace(self._frames[idx])
        out.fps = float(new_fps)
        return out

    def frame(self, index: int) -> np.ndarray:
        """Frame ``index`` as float32 ``[H, W, 3]`` (a view)."""
        return self[index]


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
    layout = check_layout(layout, LAYOUTS_BATCH)
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
    kind = "float" if dtype is None else dtype_rule(dtype)
    if as_numpy:
        np_dtype = np.dtype(np.float32) if dtype is None else numpy_dtype(dtype)
        return np.stack([v.to_numpy(inner, np_dtype, value_range) for v in videos])
    import torch

    np_dtype = np.dtype(np.uint8) if kind == "uint8" else np.dtype(np.float32)
    t = torch.from_numpy(np.stack([v.to_numpy(inner, np_dtype, value_range) for v in videos]))
    if dtype is not None and kind == "float":
        t = t.to(torch_dtype(dtype))
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
    layout = check_layout(layout, LAYOUTS_BATCH)
    arr = tensor_to_numpy(batch) if is_torch_tensor(batch) else batch
    if not isinstance(arr, np.ndarray):
        raise VideoTypeError(f"unstack expects a tensor or array, got {describe_array(batch)}")
    if arr.ndim != 5:
        raise VideoError(
            f"a batch of videos must have 5 dimensions ({layout}), got {describe_array(arr)}"
        )
    if arr.shape[0] == 0:
        raise VideoError("the batch is empty")
    inner = {"BTCHW": "TCHW", "BCTHW": "CTHW", "BTHWC": "THWC"}[layout]
    # Video() converts the frames itself: converting them here first would copy and check them twice
    to_thwc = {"TCHW": (0, 2, 3, 1), "CTHW": (1, 2, 3, 0), "THWC": (0, 1, 2, 3)}[inner]
    return [
        Video(a.transpose(to_thwc), fps=fps, metadata=metadata, value_range=value_range)
        for a in arr
    ]
