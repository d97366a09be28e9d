"""Synthetic physics scenes with exact ground truth: :func:`render`, :class:`Scene`, :class:`Truth`.

Coordinates (stated once, used everywhere in :mod:`vidkit.synth`): a centre is ``(x, y)`` with ``x``
the column and ``y`` the row, in pixels; pixel ``(row, col)`` covers
``[col - 0.5, col + 0.5] x [row - 0.5, row + 0.5]``, so the centroid of a disc's rendered pixels is
its centre. ``y`` grows downward and gravity ``g`` is positive downward, in px/s^2. Time is
continuous: frame ``k`` shows time ``k / fps`` seconds, so the frame rate only decides where the
motion is sampled.

Example:
    >>> import vidkit as vk
    >>> scene = vk.synth.render("bounce", seed=0)
    >>> scene.video.shape, scene.truth.centers.shape
    ((32, 64, 64, 3), (1, 32, 2))
    >>> scene.prompt.startswith("a ")
    True
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from vidkit.files import jsonable
from vidkit.synth import kinds as _kinds
from vidkit.synth import violations as _violations
from vidkit.synth.drawing import (
    BACKGROUNDS,
    FLOOR_COLOR,
    PALETTE,
    color_rgb,
    compose,
)
from vidkit.synth.drawing import (
    background as _background,
)
from vidkit.synth.kinds import KIND_PARAMS, KINDS, N_OBJECTS, Context, build
from vidkit.synth.violations import VIOLATIONS, Applied
from vidkit.video import Video

__all__ = ["KINDS", "VIOLATIONS", "BACKGROUNDS", "Truth", "Scene", "render", "describe"]

MIN_SIZE = 16
_PHYSICAL_EVENTS = ("bounce", "collision")


@dataclass
class Truth:
    """Exact ground truth of a rendered scene, per shown frame.

    Attributes:
        centers: float64 ``[n_obj, T, 2]`` disc centres ``(x, y)`` in px (see module docstring).
        radii: float64 ``[n_obj, T]`` drawn radii in px.
        visible: bool ``[n_obj, T]``: the object is present and at least partly inside the image.
        velocities: float64 ``[n_obj, T, 2]`` in px/s, ``d(center)/dt`` of the depicted motion in
            playback direction (negated under ``reverse``; the physical velocity of the held step
            under ``stutter``).
        colors: float64 ``[n_obj, T, 3]`` RGB in [0, 1].
        brightness: float64 ``[T]`` frame brightness factor (1.0 unless ``flicker``).
        frame_index: int ``[T]`` the physical time step each shown frame depicts (time
            ``frame_index / fps``; changed by ``stutter`` and ``reverse``).
        constants: ``g`` (px/s^2), ``fps``, ``size``, ``duration``, and per kind ``restitution``,
            ``floor_y``, pendulum ``length``/``pivot``, collision ``masses``, ``color_names``...
        events: physical events, e.g. ``{"type": "bounce", "frame": 12, "time": 0.74,
            "object": 0}``; ``frame`` is the first physical step at or after the event.
        violation: ``None`` or ``{"name", "frame", "object", "size", ...}``.
        present: bool ``[n_obj, T]``: the object exists (False after ``vanish``/before ``appear``).

    Example:
        >>> import vidkit as vk
        >>> t = vk.synth.render("uniform", seed=2).truth
        >>> Truth.from_dict(t.to_dict()).centers.shape == t.centers.shape
        True
    """

    centers: np.ndarray
    radii: np.ndarray
    visible: np.ndarray
    velocities: np.ndarray
    colors: np.ndarray
    brightness: np.ndarray
    frame_index: np.ndarray
    constants: dict[str, Any] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)
    violation: dict[str, Any] | None = None
    present: np.ndarray | None = None

    @property
    def num_objects(self) -> int:
        return int(self.centers.shape[0])

    @property
    def num_frames(self) -> int:
        return int(self.centers.shape[1])

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict (nested lists); :meth:`from_dict` restores it exactly."""
        return jsonable(
            {
                "centers": self.centers,
                "radii": self.radii,
                "visible": self.visible,
                "velocities": self.velocities,
                "colors": self.colors,
                "brightness": self.brightness,
                "frame_index": self.frame_index,
                "constants": self.constants,
                "events": self.events,
                "violation": self.violation,
                "present": self.present if self.present is not None else self.visible,
            }
        )

    def to_json(self) -> str:
        """:meth:`to_dict` as a JSON string."""
        return json.dumps(self.to_dict())

    @classmethod
    def from_dict(cls, d: dict[str, Any] | str) -> Truth:
        """Rebuild a Truth from :meth:`to_dict` output (or its JSON string)."""
        if isinstance(d, str):
            d = json.loads(d)
        if not isinstance(d, dict):
            raise TypeError(
                f"Truth.from_dict expects a dict or JSON string, got {type(d).__name__}"
            )
        missing = [k for k in ("centers", "radii", "visible", "velocities", "colors") if k not in d]
        if missing:
            raise ValueError(f"truth dict lacks keys {missing}")
        centers = np.asarray(d["centers"], dtype=np.float64).reshape(-1, len(d["brightness"]), 2)
        n, t = centers.shape[:2]
        return cls(
            centers=centers,
            radii=np.asarray(d["radii"], dtype=np.float64).reshape(n, t),
            visible=np.asarray(d["visible"], dtype=bool).reshape(n, t),
            velocities=np.asarray(d["velocities"], dtype=np.float64).reshape(n, t, 2),
            colors=np.asarray(d["colors"], dtype=np.float64).reshape(n, t, 3),
            brightness=np.asarray(d["brightness"], dtype=np.float64),
            frame_index=np.asarray(d["frame_index"], dtype=np.int64),
            constants=dict(d.get("constants") or {}),
            events=list(d.get("events") or []),
            violation=d.get("violation"),
            present=np.asarray(d.get("present", d["visible"]), dtype=bool).reshape(n, t),
        )


@dataclass
class Scene:
    """A rendered synthetic scene: the video, its prompt, and the exact :class:`Truth`.

    ``params`` holds every parameter actually used, such that ``render(**scene.params)``
    reproduces the scene pixel for pixel.
    """

    video: Video
    truth: Truth
    kind: str
    violation: str | None
    seed: int
    params: dict[str, Any]
    prompt: str

    def _repr_html_(self) -> str:
        """The video with the prompt (and violation) as a caption, for notebooks."""
        import html

        note = f" [{self.violation}]" if self.violation else ""
        caption = html.escape(f"{self.kind} seed={self.seed}{note}: {self.prompt}")
        return f"<div>{self.video._repr_html_()}<div><small>{caption}</small></div></div>"

    def __repr__(self) -> str:
        v = self.video
        return (
            f"Scene(kind={self.kind!r}, seed={self.seed}, violation={self.violation!r}, "
            f"prompt={self.prompt!r}, video={v.num_frames}x{v.height}x{v.width}@{v.fps:g}fps)"
        )


def describe(
    kind: str,
    colors: list[str] | tuple[str, ...] | str,
    *,
    direction: str | None = None,
    side: str | None = None,
    mode: str | None = None,
) -> str:
    """A short English prompt for a scene: colour, motion and direction.

    Example:
        >>> describe("projectile", "blue", direction="left")
        'a blue ball is thrown to the left and falls'
        >>> describe("collision", ["red", "blue"], mode="1d")
        'a red ball and a blue ball roll toward each other and collide'
    """
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; valid kinds are {list(KINDS)}")
    names = [colors] if isinstance(colors, str) else list(colors)
    if len(names) != N_OBJECTS[kind]:
        raise ValueError(f"kind {kind!r} has {N_OBJECTS[kind]} object(s); got colours {names!r}")
    c = names[0]
    a = _article(c)
    if kind == "free_fall":
        return f"{a} {c} ball falls"
    if kind == "projectile":
        return f"{a} {c} ball is thrown to the {direction or 'right'} and falls"
    if kind == "bounce":
        return f"{a} {c} ball bounces to the {direction or 'right'} on a grey floor"
    if kind == "pendulum":
        return (
            f"{a} {c} ball swings on a string like a pendulum, released from the {side or 'left'}"
        )
    if kind == "collision":
        how = "roll toward each other and collide" if mode != "2d" else "collide at an angle"
        return f"{a} {names[0]} ball and {_article(names[1])} {names[1]} ball {how}"
    return f"{a} {c} ball moves {direction or 'right'} at constant speed"


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def _check_int(name: str, value: Any, lo: int, hi: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} {value!r}")
    if value < lo or (hi is not None and value > hi):
        rng = f">= {lo}" if hi is None else f"in [{lo}, {hi}]"
        raise ValueError(f"{name} must be {rng}, got {value}")
    return int(value)


def _check_size(size: Any) -> tuple[int, int]:
    if isinstance(size, (int, np.integer)) and not isinstance(size, bool):
        size = (int(size), int(size))
    if not isinstance(size, (tuple, list)) or len(size) != 2:
        raise ValueError(f"size must be (height, width) or one int, got {size!r}")
    h = _check_int("size height", size[0], MIN_SIZE, 4096)
    w = _check_int("size width", size[1], MIN_SIZE, 4096)
    return h, w


def _check_float(name: str, value: Any, *, positive: bool = False, nonneg: bool = False) -> float:
    if isinstance(value, bool):
        raise TypeError(f"{name} must be a number, got {value!r}")
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a number, got {type(value).__name__} {value!r}") from None
    if not math.isfinite(out):
        raise ValueError(f"{name} must be finite, got {value!r}")
    if positive and out <= 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")
    if nonneg and out < 0:
        raise ValueError(f"{name} must be >= 0, got {value!r}")
    return out


def render(
    kind: str,
    seed: int = 0,
    violation: str | None = None,
    *,
    size: tuple[int, int] | int = (64, 64),
    frames: int = 32,
    fps: float = 16.0,
    g: float | None = None,
    colors: Any = None,
    radii: Any = None,
    background: str = "plain",
    camera_noise: float = 0.0,
    restitution: float | None = None,
    violation_params: dict[str, Any] | None = None,
    **kind_params: Any,
) -> Scene:
    """Render a synthetic physics scene with exact ground truth.

    Args:
        kind: one of :data:`KINDS`: ``free_fall`` (dropped, maybe a small initial vertical speed),
            ``projectile`` (thrown sideways, parabola), ``bounce`` (falls and bounces on a floor
            with restitution e, impacts solved analytically), ``pendulum`` (ball on a rod, RK4),
            ``collision`` (two balls, momentum conserved exactly; elastic unless ``restitution``)
            and ``uniform`` (constant velocity).
        seed: the scene's seed; the same seed gives the same pixels, and the same base scene with
            or without a violation.
        violation: ``None`` or one of :data:`VIOLATIONS` (see :mod:`vidkit.synth.violations`).
        size: ``(height, width)`` in px (each >= 16), or one int for a square.
        frames: number of frames (>= 2; >= 6 with a violation).
        fps: frames per second; frame ``k`` shows time ``k / fps``.
        g: gravity in px/s^2 (positive = down). Default: derived from the clip duration
            ``D = frames / fps`` and the frame height so the motion spans most of the frame (a
            free fall covers 70-85% of the height in ``D``; the first bounce lands at 0.2-0.3 D; a
            pendulum makes 1-1.8 swings). Not allowed for ``collision``/``uniform``.
        colors: palette names (or RGB triples), one per object; default drawn from the seed.
        radii: radius in px per object (or one number); default 6-8.5% of the smaller side.
        background: one of :data:`BACKGROUNDS` (``plain``, ``noise``, ``texture``).
        camera_noise: standard deviation of per-frame additive Gaussian pixel noise (0 = none).
        restitution: coefficient of restitution for ``bounce`` (default drawn in 0.65-0.85) and
            ``collision`` (default 1, elastic).
        violation_params: the violation's parameters (``frame``, ``object`` and its main one).
        **kind_params: the kind's own parameters (:data:`vidkit.synth.kinds.KIND_PARAMS`), e.g.
            ``x0``, ``vx``, ``theta0``, ``mode="2d"``; unset ones are drawn from the seed.

    Returns:
        A :class:`Scene` (``.video``, ``.truth``, ``.prompt``, ``.params``...).

    Example:
        >>> import vidkit as vk
        >>> clean = vk.synth.render("projectile", seed=3)
        >>> bad = vk.synth.render("projectile", seed=3, violation="resize")
        >>> bool((clean.truth.centers == bad.truth.centers).all())
        True
    """
    if not isinstance(kind, str) or kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; valid kinds are {list(KINDS)}")
    if violation is not None and violation not in VIOLATIONS:
        raise ValueError(
            f"unknown violation {violation!r}; valid violations are {list(VIOLATIONS)} or None"
        )
    if not isinstance(background, str) or background not in BACKGROUNDS:
        raise ValueError(
            f"unknown background {background!r}; valid backgrounds are {list(BACKGROUNDS)}"
        )
    seed = _check_int("seed", seed, 0)
    h, w = _check_size(size)
    frames = _check_int("frames", frames, 2)
    fps = _check_float("fps", fps, positive=True)
    camera_noise = _check_float("camera_noise", camera_noise, nonneg=True)
    if g is not None:
        g = _check_float("g", g)
    if restitution is not None:
        restitution = _check_float("restitution", restitution, nonneg=True)
    if violation_params is not None and not isinstance(violation_params, dict):
        raise TypeError(f"violation_params must be a dict, got {type(violation_params).__name__}")
    if violation is None and violation_params:
        raise ValueError(f"violation_params {violation_params!r} given without a violation")
    unknown = sorted(set(kind_params) - set(KIND_PARAMS[kind]))
    if unknown:
        raise ValueError(
            f"unknown parameter(s) {unknown} for kind {kind!r}; it accepts "
            f"{list(KIND_PARAMS[kind])} besides the common ones"
        )
    n = N_OBJECTS[kind]
    ctx = Context(height=h, width=w, frames=frames, fps=fps)
    rng = np.random.default_rng([seed, KINDS.index(kind)])

    # colours and radii: always drawn (fixed stream), then overridden by the caller
    names = list(PALETTE)
    drawn_colors = [names[i] for i in rng.permutation(len(names))[:n]]
    drawn_radii = rng.uniform(0.06, 0.085, size=n) * min(h, w)
    color_list = _resolve_colors(colors, drawn_colors, n)
    color_names = [c[0] for c in color_list]
    rgb = np.stack([c[1] for c in color_list])
    color_specs = [c[2] for c in color_list]
    radii_arr = _resolve_radii(radii, drawn_radii, n, min(h, w))

    setup = build(kind, rng, ctx, radii_arr, g=g, restitution=restitution, kind_params=kind_params)
    clean = setup.simulate()
    if violation is None:
        t = frames
        applied = Applied(
            motion=clean,
            frame_index=np.arange(t),
            radii=np.repeat(radii_arr[:, None], t, axis=1),
            colors=np.repeat(rgb[:, None, :], t, axis=1),
            present=np.ones((n, t), dtype=bool),
            brightness=np.ones(t),
            reverse=False,
            info={},
        )
        resolved_vp: dict[str, Any] | None = None
    else:
        vrng = np.random.default_rng([seed, 0x5EED])
        applied = _violations.apply(violation, setup, ctx, clean, rgb, vrng, violation_params)
        resolved_vp = applied.info.pop("_params")

    fi = applied.frame_index
    centers = applied.motion.centers[:, fi]
    velocities = applied.motion.velocities[:, fi] * (-1.0 if applied.reverse else 1.0)
    on_image = _overlaps(centers, applied.radii, ctx)
    visible = applied.present & on_image

    bg, bg_info = _background(background, (h, w), np.random.default_rng([seed, 1]))
    if setup.floor_y is not None:
        bg[int(setup.constants["floor_row"]) :] = np.asarray(FLOOR_COLOR, np.float32)
    pix = compose(bg, centers, applied.radii, applied.colors, visible, pivot=setup.pivot)
    if not np.all(applied.brightness == 1):
        pix *= applied.brightness.astype(np.float32)[:, None, None, None]
    if camera_noise > 0:
        noise_rng = np.random.default_rng([seed, 2])
        pix += noise_rng.normal(0.0, camera_noise, size=pix.shape).astype(np.float32)
    np.clip(pix, 0.0, 1.0, out=pix)

    constants: dict[str, Any] = {
        **setup.constants,
        "fps": fps,
        "size": [h, w],
        "frames": frames,
        "duration": ctx.duration,
        "color_names": color_names,
        "background": bg_info,
        "camera_noise": camera_noise,
    }
    events = [
        {k: v for k, v in ev.items() if k != "value"}
        for ev in applied.motion.events
        if ev["type"] in _PHYSICAL_EVENTS
    ]
    truth = Truth(
        centers=centers,
        radii=applied.radii,
        visible=visible,
        velocities=velocities,
        colors=applied.colors,
        brightness=applied.brightness.astype(np.float64),
        frame_index=fi.astype(np.int64),
        constants=jsonable(constants),
        events=jsonable(events),
        violation=jsonable(applied.info) if violation is not None else None,
        present=applied.present,
    )
    prompt = describe(kind, color_names, **setup.words)
    params: dict[str, Any] = {
        "kind": kind,
        "seed": seed,
        "violation": violation,
        "size": [h, w],
        "frames": frames,
        "fps": fps,
        "g": float(setup.constants["g"]) if kind in _kinds.GRAVITY_KINDS else None,
        "colors": color_specs,
        "radii": radii_arr.tolist(),
        "background": background,
        "camera_noise": camera_noise,
        "restitution": setup.constants.get("restitution")
        if kind in ("bounce", "collision")
        else None,
        "violation_params": resolved_vp,
        **setup.params,
    }
    params = jsonable(params)
    meta = {"kind": kind, "seed": seed, "violation": violation, "prompt": prompt, "params": params}
    video = Video(pix, fps=fps, metadata=meta)
    return Scene(video, truth, kind, violation, seed, params, prompt)


def _resolve_colors(colors: Any, drawn: list[str], n: int) -> list[tuple[str, np.ndarray, Any]]:
    """``(name, rgb, spec)`` per object; ``spec`` (a name or an RGB list) reproduces it."""

    def one(c: Any) -> tuple[str, np.ndarray, Any]:
        name, rgb = color_rgb(c)
        return name, rgb, name if isinstance(c, str) else rgb.tolist()

    if colors is None:
        return [one(c) for c in drawn]
    if isinstance(colors, str):
        colors = [colors]
    else:
        colors = list(colors)
        # one RGB triple for a one-object scene
        if n == 1 and len(colors) == 3 and all(isinstance(c, (int, float)) for c in colors):
            colors = [colors]
    if len(colors) != n:
        raise ValueError(f"colors must give {n} colour(s) for this kind, got {colors!r}")
    return [one(c) for c in colors]


def _resolve_radii(radii: Any, drawn: np.ndarray, n: int, side: int) -> np.ndarray:
    if radii is None:
        return np.maximum(drawn, 1.0)
    arr = np.asarray(radii, dtype=np.float64).reshape(-1)
    if arr.size == 1:
        arr = np.repeat(arr, n)
    if arr.size != n:
        raise ValueError(f"radii must give {n} radius/radii for this kind, got {radii!r}")
    if not np.all(np.isfinite(arr)) or np.any(arr < 1.0) or np.any(arr > side / 4):
        raise ValueError(
            f"radii must be in [1, {side / 4:g}] px for a {side}-px frame, got {radii!r}"
        )
    return arr


def _overlaps(centers: np.ndarray, radii: np.ndarray, ctx: Context) -> np.ndarray:
    x, y = centers[..., 0], centers[..., 1]
    ext = radii + 0.5
    return (
        (x + ext > -0.5)
        & (x - ext < ctx.width - 0.5)
        & (y + ext > -0.5)
        & (y - ext < ctx.height - 0.5)
    )
