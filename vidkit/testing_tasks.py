"""Tiny offline pipelines for the first-last-frame, extension and control tasks.

Like :mod:`vidkit.testing`, every pipeline here is the family's own diffusers pipeline class
built in code with random weights and tiny sizes (no network): a Wan first-last-frame
image-to-video checkpoint (``WanImageToVideoPipeline`` whose transformer embeds two CLIP images,
as Wan2.1-FLF2V does), a Wan VACE control checkpoint (``WanVACEPipeline`` with
``WanVACETransformer3DModel``) and a CogVideoX-Fun control checkpoint
(``CogVideoXFunControlPipeline``: control latents concatenated on channels) and a SkyReels-V2
diffusion-forcing video-to-video checkpoint (``SkyReelsV2DiffusionForcingVideoToVideoPipeline``,
for extension). The outputs are
noise-like; shapes, frame rules, conditioning and metadata are the real ones.

Example:
    >>> import vidkit as vk
    >>> from vidkit.testing_tasks import tiny_task_pipeline
    >>> pipe = tiny_task_pipeline("wan-flf2v")
    >>> type(pipe.pipeline).__name__
    'WanImageToVideoPipeline'
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from vidkit.testing import TINY_DEFAULTS, seeded, tiny_components
from vidkit.testing.families_wan import wan_transformer

if TYPE_CHECKING:  # pragma: no cover
    from vidkit.sampling import VideoPipeline

__all__ = ["TINY_TASK_PIPELINES", "tiny_task_pipeline"]

#: name -> (family, what it is for)
TINY_TASK_PIPELINES: dict[str, tuple[str, str]] = {
    "wan-flf2v": (
        "wan",
        "first-last-frame image-to-video (WanImageToVideoPipeline, two CLIP images)",
    ),
    "wan-vace": ("wan", "control: control_video + mask + reference_images (WanVACEPipeline)"),
    "cogvideox-fun-control": ("cogvideox", "control: control_video (CogVideoXFunControlPipeline)"),
    "skyreels-v2-df": (
        "skyreels-v2",
        "extension by diffusion forcing (SkyReelsV2DiffusionForcingVideoToVideoPipeline)",
    ),
}

# the tiny CLIP vision encoder of vidkit.testing sees 32x32 images in 1x1 patches (+ class token)
_CLIP_TOKENS = 32 * 32 + 1


def _rebuilt(model: Any, seed: int, **changes: Any) -> Any:
    """A new seeded model of ``model``'s class and configuration, with ``changes``."""
    cfg = {k: v for k, v in dict(model.config).items() if not k.startswith("_")}
    with seeded(seed):
        return type(model)(**{**cfg, **changes})


def _wan_flf2v(seed: int) -> Any:
    from diffusers import WanImageToVideoPipeline

    comps = tiny_components("wan", "i2v", seed=seed)
    # the transformer embeds the first and the last frame's CLIP tokens
    comps["transformer"] = _rebuilt(comps["transformer"], seed, pos_embed_seq_len=2 * _CLIP_TOKENS)
    return WanImageToVideoPipeline(**comps)


def _wan_vace(seed: int) -> Any:
    from diffusers import WanVACEPipeline, WanVACETransformer3DModel

    comps = tiny_components("wan", "t2v", seed=seed)
    comps["transformer"] = wan_transformer(
        WanVACETransformer3DModel,
        seed,
        16,
        16,
        num_layers=3,
        vace_layers=[0, 2],
        # inactive + reactive video latents (2 x 16) + the mask folded 8x8 into channels (64)
        vace_in_channels=96,
    )
    comps["transformer_2"] = None
    return WanVACEPipeline(**comps)


def _cogvideox_fun_control(seed: int) -> Any:
    from diffusers import CogVideoXFunControlPipeline

    comps = tiny_components("cogvideox", "t2v", seed=seed)
    tr = comps["transformer"]  # noise latents + control video latents
    comps["transformer"] = _rebuilt(tr, seed, in_channels=2 * tr.config.out_channels)
    return CogVideoXFunControlPipeline(**comps)


def _skyreels_v2_df(seed: int) -> Any:
    from diffusers import SkyReelsV2DiffusionForcingVideoToVideoPipeline

    # the diffusion-forcing checkpoint's components, as vidkit.testing builds them for the family
    comps = tiny_components("skyreels-v2-df", "t2v", seed=seed)
    return SkyReelsV2DiffusionForcingVideoToVideoPipeline(**comps)


def _skyreels_family() -> Any:
    """The registered SkyReels-V2 family, or (before one is registered) Wan's rules under that
    name: 4k+1 frames, sizes in multiples of 16, flow matching."""
    import dataclasses

    from vidkit.sampling.families import families, family_for

    known = families()
    for name in ("skyreels-v2", "skyreels_v2", "skyreels"):
        if name in known:
            return known[name]
    return dataclasses.replace(
        family_for("wan"),
        name="skyreels-v2",
        pipelines={
            "t2v": "SkyReelsV2DiffusionForcingPipeline",
            "v2v": "SkyReelsV2DiffusionForcingVideoToVideoPipeline",
        },
        patterns=(),
        tasks_for=None,
        refine_defaults=None,
        notes="SkyReels-V2 diffusion forcing (tiny stand-in for the registry entry)",
    )


_BUILDERS = {
    "wan-flf2v": _wan_flf2v,
    "wan-vace": _wan_vace,
    "cogvideox-fun-control": _cogvideox_fun_control,
    "skyreels-v2-df": _skyreels_v2_df,
}


def tiny_task_pipeline(name: str, *, seed: int = 0, device: str = "cpu") -> VideoPipeline:
    """A random-weight tiny pipeline for one of the task checkpoints in :data:`TINY_TASK_PIPELINES`,
    wrapped as a :class:`~vidkit.sampling.VideoPipeline` of its family with the tiny defaults.

    Example:
        >>> import vidkit as vk
        >>> pipe = tiny_task_pipeline("wan-vace")
        >>> v = vk.generate(pipe, "a ball", control_video=vk.testing.smooth_video(9, 16, 16),
        ...                 progress=False)
        >>> v.shape, v.metadata["mode"]
        ((9, 16, 16, 3), 'control')
    """
    from vidkit.sampling import VideoPipeline, family_for

    if not isinstance(name, str) or name not in _BUILDERS:
        raise ValueError(f"no tiny task pipeline {name!r}; available: {sorted(_BUILDERS)}")
    fam = TINY_TASK_PIPELINES[name][0]
    pipe = _BUILDERS[name](int(seed))
    pipe.set_progress_bar_config(disable=True)
    pipe.to(device)
    spec = _skyreels_family() if fam == "skyreels-v2" else family_for(fam)
    defaults = TINY_DEFAULTS["wan" if fam == "skyreels-v2" else fam]
    return VideoPipeline(
        pipe,
        family=spec,
        model_id=f"vidkit-tiny/{name}",
        defaults=defaults,
        call_defaults={"max_sequence_length": 16},
    )
