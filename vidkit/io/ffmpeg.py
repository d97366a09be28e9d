"""Pointing mediapy at the ffmpeg program bundled with imageio-ffmpeg."""


def use_bundled_ffmpeg() -> str:
    """Point mediapy at imageio-ffmpeg's bundled ``ffmpeg`` program and return its path.

    vidkit itself reads and writes with PyAV and needs no ``ffmpeg`` program; this helper makes
    ``mediapy.read_video`` / ``mediapy.show_video`` work on machines without a system ffmpeg.

    Example:
        >>> import mediapy
        >>> import vidkit as vk
        >>> exe = vk.io.use_bundled_ffmpeg()
        >>> mediapy.video_is_available()
        True
    """
    import imageio_ffmpeg
    import mediapy

    exe = imageio_ffmpeg.get_ffmpeg_exe()
    mediapy.set_ffmpeg(exe)
    return exe
