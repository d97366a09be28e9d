"""The validation set's menu: scene kinds, violations, camera motions, backgrounds, sizes and
frame rates."""

from __future__ import annotations

#: Scene kinds. ``toss``: a ballistic arc that may bounce; ``bounce``: a ball dropped on the
#: floor; ``settle``: a ball that bounces a few times and comes to rest; ``roll``: a ball rolling
#: on the floor and slowing down; ``glide``: uniform motion without gravity (a top view);
#: ``crossing``: two or three balls whose paths cross; ``occluded``: a ball that passes behind an
#: occluder and comes out where its motion puts it.
KINDS: tuple[str, ...] = ("toss", "bounce", "settle", "roll", "glide", "crossing", "occluded")


#: Violations (each only on the kinds of :data:`VIOLATION_KINDS`).
VIOLATIONS: tuple[str, ...] = (
    "teleport",
    "vanish",
    "appear",
    "resize",
    "recolor",
    "wrong_gravity",
    "energy_gain",
    "stutter",
)


#: Camera motions.
CAMERAS: tuple[str, ...] = ("static", "pan", "shake", "zoom")


#: Background kinds (``plain`` is a uniform colour, for tests).
BACKGROUNDS: tuple[str, ...] = ("perlin", "stripes", "gradient", "checker", "plain")


#: Frame sizes (width, height) the suite draws from (small ones more often).
SIZES: tuple[tuple[int, int], ...] = (
    (96, 72),
    (128, 96),
    (160, 120),
    (192, 108),
    (256, 144),
    (320, 180),
)


SIZE_WEIGHTS = (0.2, 0.2, 0.2, 0.15, 0.15, 0.1)


#: Frame rates the suite draws from.
FPS: tuple[float, ...] = (8.0, 10.0, 12.0, 15.0, 24.0, 25.0, 30.0, 48.0, 60.0)


_GRAVITY_KINDS = ("toss", "bounce", "settle", "crossing", "occluded")


#: Kinds on which each violation can be placed.
VIOLATION_KINDS: dict[str, tuple[str, ...]] = {
    "teleport": KINDS,
    "vanish": KINDS,
    "appear": KINDS,
    "resize": KINDS,
    "recolor": KINDS,
    "wrong_gravity": ("toss", "bounce", "crossing", "occluded"),
    "energy_gain": ("toss", "bounce", "settle"),
    "stutter": KINDS,
}


MAX_ATTEMPTS = 40


class SceneError(ValueError):
    """A scene layout or a violation could not be placed (internal: the next attempt is tried)."""
