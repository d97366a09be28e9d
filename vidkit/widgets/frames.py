"""Frames for the page: one video frame as PNG bytes, enlarged to the widgets' display height
(what the viewers and the generation panel put into their image widgets).

Example:
    >>> import numpy as np
    >>> from vidkit.widgets.frames import frame_png
    >>> len(frame_png(np.zeros((16, 16, 3)), height=64)) > 0
    True
"""

from __future__ import annotations

import io

import numpy as np

__all__ = ["DISPLAY_HEIGHT", "frame_png"]

#: display height in pixels of the widgets' videos and previews (their ``height`` default)
DISPLAY_HEIGHT = 192


def frame_png(frame: np.ndarray, height: int | None = DISPLAY_HEIGHT) -> bytes:
    """One float frame ``[H, W, 3]`` in [0, 1] as PNG bytes, enlarged by an integer factor
    (nearest neighbour, so pixels stay sharp) to about ``height`` pixels.

    Example:
        >>> frame_png(np.zeros((16, 16, 3)), height=64)[:4]
        b'\\x89PNG'
    """
    from PIL import Image

    arr = np.asarray(frame)
    if arr.ndim != 3 or arr.shape[-1] != 3:
        raise ValueError(f"a frame must be [H, W, 3], got shape {arr.shape}")
    img = Image.fromarray(np.round(np.clip(arr, 0, 1) * 255).astype(np.uint8))
    if height:
        zoom = max(1, int(height) // max(1, img.height))
        if zoom > 1:
            img = img.resize((img.width * zoom, img.height * zoom), Image.NEAREST)
    buf = io.BytesIO()
    img.save(buf, format="PNG", compress_level=1)
    return buf.getvalue()
