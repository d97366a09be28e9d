"""The tiny pipelines: which families and tasks exist, their defaults, and how to build them.

Example:
    >>> from vidkit.testing.pipelines import TINY_PIPELINES
    >>> TINY_PIPELINES["wan"]
    ('wan', ('t2v', 'i2v', 'v2v'))
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vidkit.testing.families_cog_ltx_svd import cogvideox, cogvideox_fun, ltx, ltx2, svd
from vidkit.testing.families_other import allegro, animatediff, hunyuanvideo, mochi, sana_video
from vidkit.testing.families_wan import (
    helios,
    lucy_edit,
    skyreels_v2,
    skyreels_v2_df,
    wan,
    wan22_a14b,
    wan22_ti2v,
    wan_vace,
)

if TYPE_CHECKING:  # pragma: no cover
    from vidkit.sampling import VideoPipeline


# every tiny pipeline: name -> (registry family, tasks). A name is a family, or a checkpoint type
# inside one (Wan 2.2 A14B: a high-noise transformer + a low-noise transformer_2; Wan 2.2 TI2V-5B:
# one transformer on a 48-channel VAE, text- and image-to-video).
TINY_PIPELINES: dict[str, tuple[str, tuple[str, ...]]] = {
    "cogvideox": ("cogvideox", ("t2v", "i2v", "v2v")),
    "wan": ("wan", ("t2v", "i2v", "v2v")),
    "ltx": ("ltx", ("t2v", "i2v", "condition")),
    "svd": ("svd", ("i2v",)),
    "wan2.2-a14b": ("wan", ("t2v", "i2v")),
    "wan2.2-ti2v": ("wan", ("t2v", "i2v")),
    "wan-vace": ("wan-vace", ("t2v", "v2v")),
    "skyreels-v2": ("skyreels-v2", ("t2v", "i2v")),
    "skyreels-v2-df": ("skyreels-v2-df", ("t2v", "i2v")),
    "lucy-edit": ("lucy-edit", ("v2v",)),
    "ltx2": ("ltx2", ("t2v", "i2v")),
    "sana-video": ("sana-video", ("t2v", "i2v")),
    "helios": ("helios", ("t2v",)),
    "hunyuanvideo": ("hunyuanvideo", ("t2v",)),
    "animatediff": ("animatediff", ("t2v", "v2v")),
    "cogvideox-fun": ("cogvideox-fun", ("v2v",)),
    "mochi": ("mochi", ("t2v",)),
    "allegro": ("allegro", ("t2v",)),
}


# the first four families -> tasks (the set the sampling, model and batch tests run everywhere;
# tests/test_families.py runs every entry of TINY_PIPELINES)
TINY_FAMILIES: dict[str, tuple[str, ...]] = {
    name: TINY_PIPELINES[name][1] for name in ("cogvideox", "wan", "ltx", "svd")
}


# generation defaults that fit the tiny configurations (stored with the pipeline); the tiny text
# encoders and CogVideoX's positional embedding expect prompts of at most 16 tokens
TINY_DEFAULTS: dict[str, dict[str, Any]] = {
    "cogvideox": {"height": 16, "width": 16, "num_frames": 9, "steps": 2, "fps": 8},
    "wan": {"height": 16, "width": 16, "num_frames": 9, "steps": 2, "fps": 16},
    "ltx": {"height": 32, "width": 32, "num_frames": 9, "steps": 2, "fps": 24},
    "svd": {"height": 32, "width": 32, "num_frames": 3, "steps": 2, "fps": 7},
    "wan2.2-a14b": {"height": 16, "width": 16, "num_frames": 9, "steps": 2, "fps": 16},
    "wan2.2-ti2v": {"height": 32, "width": 32, "num_frames": 9, "steps": 2, "fps": 24},
    "skyreels-v2": {"height": 16, "width": 16, "num_frames": 9, "steps": 2, "fps": 24},
    "skyreels-v2-df": {"height": 16, "width": 16, "num_frames": 9, "steps": 2, "fps": 24},
    "wan-vace": {"height": 16, "width": 16, "num_frames": 9, "steps": 2, "fps": 16},
    "lucy-edit": {"height": 32, "width": 32, "num_frames": 9, "steps": 2, "fps": 24},
    "ltx2": {"height": 32, "width": 32, "num_frames": 9, "steps": 2, "fps": 24},
    "sana-video": {"height": 32, "width": 32, "num_frames": 9, "steps": 2, "fps": 16},
    "helios": {"height": 16, "width": 16, "num_frames": 33, "steps": 2, "fps": 24},
    "hunyuanvideo": {"height": 16, "width": 16, "num_frames": 9, "steps": 2, "fps": 15},
    "animatediff": {"height": 32, "width": 32, "num_frames": 4, "steps": 2, "fps": 8},
    "cogvideox-fun": {"height": 16, "width": 16, "num_frames": 9, "steps": 2, "fps": 8},
    "mochi": {"height": 16, "width": 16, "num_frames": 7, "steps": 2, "fps": 30},
    "allegro": {"height": 16, "width": 16, "num_frames": 8, "steps": 2, "fps": 15},
}


_BUILDERS = {
    "cogvideox": cogvideox,
    "wan": wan,
    "ltx": ltx,
    "svd": svd,
    "wan2.2-a14b": wan22_a14b,
    "wan2.2-ti2v": wan22_ti2v,
    "skyreels-v2": skyreels_v2,
    "skyreels-v2-df": skyreels_v2_df,
    "wan-vace": wan_vace,
    "lucy-edit": lucy_edit,
    "ltx2": ltx2,
    "sana-video": sana_video,
    "helios": helios,
    "hunyuanvideo": hunyuanvideo,
    "animatediff": animatediff,
    "cogvideox-fun": cogvideox_fun,
    "mochi": mochi,
    "allegro": allegro,
}


def _check(family: str, task: str) -> tuple[str, str]:
    from vidkit.sampling import normalize_task

    if not isinstance(family, str):
        raise TypeError(f"family must be a string such as 'wan', got {type(family).__name__}")
    fam = family.lower().replace("_", "-")
    fam = {"cogvideo": "cogvideox", "cog": "cogvideox", "stable-video-diffusion": "svd"}.get(
        fam, fam
    )
    if fam not in TINY_PIPELINES:
        raise ValueError(
            f"no tiny pipeline for family {family!r}; available: {sorted(TINY_PIPELINES)}"
        )
    t = normalize_task(task)
    if t not in TINY_PIPELINES[fam][1]:
        raise ValueError(
            f"family {fam!r} has no task {task!r}; its tiny pipelines cover "
            f"{list(TINY_PIPELINES[fam][1])}"
        )
    return fam, t


def tiny_components(family: str, task: str = "t2v", *, seed: int = 0) -> dict[str, Any]:
    """The components (``transformer``/``unet``, ``vae``, ``scheduler``, text/image encoders) of a
    tiny pipeline, seeded so that the same arguments give the same weights.

    Example:
        >>> comps = tiny_components("ltx", "t2v")
        >>> sorted(comps)
        ['scheduler', 'text_encoder', 'tokenizer', 'transformer', 'vae']
    """
    fam, t = _check(family, task)
    return _BUILDERS[fam](t, int(seed))


def tiny_pipeline(
    family: str = "wan", task: str = "t2v", *, seed: int = 0, device: str = "cpu"
) -> VideoPipeline:
    """A random-weight tiny diffusers video pipeline wrapped as a :class:`vidkit.sampling.VideoPipeline`.

    Families and tasks: ``cogvideox`` (t2v, i2v, v2v), ``wan`` (t2v, i2v, v2v), ``ltx`` (t2v, i2v,
    condition), ``svd`` (i2v), and the rest of :data:`TINY_PIPELINES` (Wan 2.2 A14B and TI2V-5B,
    Wan VACE, SkyReels-V2 and its diffusion-forcing models, Mochi, Allegro). No network is used. Two denoising steps take well under a second
    on a CPU (SVD a little more). The underlying diffusers pipeline is ``.pipeline``; the wrapper
    switches tasks with ``from_pipe`` (shared weights) where the checkpoint allows it.

    Example:
        >>> pipe = tiny_pipeline("cogvideox", "t2v")
        >>> type(pipe.pipeline).__name__, pipe.task
        ('CogVideoXPipeline', 't2v')
    """
    from vidkit.sampling import VideoPipeline, family_for, pipeline_class_for

    fam, t = _check(family, task)
    comps = tiny_components(fam, t, seed=seed)
    spec = family_for(TINY_PIPELINES[fam][0])
    cls = pipeline_class_for(spec, t)
    pipe = cls(**comps)
    for comp in pipe.components.values():  # eval mode, as from_pretrained leaves models (the
        if hasattr(comp, "eval") and hasattr(comp, "training"):  # Allegro VAE has dropout)
            comp.eval()
    pipe.set_progress_bar_config(disable=True)
    pipe.to(device)
    call_defaults = {} if fam in ("svd", "animatediff") else {"max_sequence_length": 16}
    if fam == "hunyuanvideo":  # the released template's system prompt exceeds 16 tokens
        call_defaults["prompt_template"] = {"template": "{}", "crop_start": 0}
    if fam == "sana-video":  # no long system prompt before the tiny encoder's 16 tokens
        call_defaults.update(complex_human_instruction=[], use_resolution_binning=False)
    return VideoPipeline(
        pipe,
        family=spec,
        task=t,
        model_id=f"vidkit-tiny/{fam}-{t}",
        defaults=TINY_DEFAULTS[fam],
        call_defaults=call_defaults,
    )


def save_tiny_pipeline(
    path: str | os.PathLike, family: str = "wan", task: str = "t2v", *, seed: int = 0
) -> Path:
    """Build :func:`tiny_pipeline` and save it as a diffusers folder (safetensors) at ``path``.

    The folder loads back with ``vk.load(path)`` in any process (used by ``vk.generate_many``).

    Example:
        >>> import tempfile, vidkit as vk
        >>> folder = save_tiny_pipeline(tempfile.mkdtemp() + "/tiny-wan", "wan", "t2v")
        >>> pipe = vk.load(folder)
        >>> pipe.family.name, pipe.task
        ('wan', 't2v')
    """
    pipe = tiny_pipeline(family, task, seed=seed)
    return pipe.save_pretrained(path)
