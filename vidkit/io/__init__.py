"""Reading and writing videos: mp4 (H.264), webm (VP9), gif and PNG frame folders.

PyAV (FFmpeg's libraries, in process) is the engine for container files; Pillow writes and reads
GIF and PNG frames. Every function returns or takes a :class:`vidkit.Video`.

Formats, chosen by the path:

============================  =====================================================================
``*.mp4``, ``*.m4v``, ``*.mov``  H.264 (libx264), yuv420p, BT.709 tags, ``crf=18`` by default; AAC audio
``*.mkv``                      H.264 by default; ``codec="ffv1"`` gives a bit-exact lossless file
``*.webm``                     VP9 (libvpx-vp9), yuv420p, ``crf=30`` by default; Opus audio
``*.gif``                      256-colour palette per frame (lossy), timing exact to 10 ms
``folder/`` or a folder        PNG frames ``000000.png, 000001.png, ...`` (exact) + ``vidkit.json``
============================  =====================================================================

Reading also accepts ``*.avi`` and frame folders of ``.jpg`` files.

Rules worth knowing:

- **fps and metadata** are stored in the file: a JSON tag named ``vidkit`` in the container metadata
  (mp4/mov/mkv/webm), the GIF comment, or ``vidkit.json`` in a frame folder. The tag holds
  ``{"fps", "num_frames", "height", "width", "metadata"}``; :func:`read_video` restores ``fps``
  exactly and ``video.metadata`` as JSON gives it back (tuples become lists; numpy values become
  numbers and lists; other objects are stored as their ``repr`` with a warning). Files written by
  other tools read with their own frame rate and empty metadata.
- **Odd sizes**: yuv420p (mp4, webm) needs an even width and height, so odd frames are padded by
  repeating the last row/column; the true size is stored in the tag and :func:`read_video` crops it
  back. Other players show the one extra row/column.
- **Atomic writes**: a video is written to a hidden temporary file in the target folder and renamed
  over the final name only when complete, so an interrupted write never leaves a half file behind.
- **Partial reads**: ``frames=`` decodes only up to the last requested frame and converts only the
  requested frames; when the first requested frame is far in, it seeks to the keyframe before it and
  identifies frames by their timestamps (falling back to decoding from the start when timestamps
  do not identify frames, as in variable-frame-rate files).
- **Colour**: frames are written as BT.709 limited range (tagged, so players and other readers
  agree) with area-averaged chroma, and read with interpolated chroma and exact rounding, which
  keeps ~3 dB more PSNR than FFmpeg's default conversion (``benchmarks/bench_io.py``).
- **Audio**: a video with an audio track (:meth:`Video.with_audio`) is written with it: AAC in
  mp4/m4v/mov/mkv, Opus in webm (at the track's sample rate when the encoder takes it, else the
  next higher one; the tag keeps the original rate and length, so :func:`read_video` gives back
  the same rate and sample count). GIF and frame folders hold no audio (a warning says so).
  :func:`read_video` reads the audio track of any file that has one (``audio=False`` skips it).
- **Damaged files**: a full read of a file that ends before its header says returns the frames
  that decode, with a warning; asking for frames past the damage raises.

Example:
    >>> import numpy as np, vidkit as vk
    >>> v = vk.Video(np.random.rand(16, 32, 32, 3), fps=8, metadata={"seed": 0})
    >>> path = vk.write_video("/tmp/vidkit_doc.mp4", v)
    >>> w = vk.read_video(path, frames=slice(4, 8))
    >>> w.shape, w.fps, w.metadata
    ((4, 32, 32, 3), 8.0, {'seed': 0})
    >>> vk.probe_video(path)["frames"]
    16
"""

from vidkit.errors import VideoError as VideoError
from vidkit.io.ffmpeg import use_bundled_ffmpeg
from vidkit.io.read import probe_video, read_video
from vidkit.io.write import write_video

__all__ = ["read_video", "write_video", "probe_video", "use_bundled_ffmpeg"]
