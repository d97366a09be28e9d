"""Model-based trackers: masks -> Tracks exactly, SAM 2 video wiring on a tiny random-weight model
built here, CoTracker wiring through a fake local torch.hub repository. No download anywhere.

Random weights give meaningless masks: the model tests assert on wiring (shapes, original pixel
coordinates, identities tied to prompts, the probes running on the result), while the geometry of
the mask -> Tracks conversion is tested exactly on hand-made masks.
"""

from __future__ import annotations

import textwrap
from types import SimpleNamespace

import numpy as np
import pytest

import vidkit as vk
from vidkit.probes.model_trackers import (
    CoTrackerTracker,
    Sam2VideoTracker,
    as_tracker,
    prompts_from_tracks,
    tracks_from_masks,
)
from vidkit.probes.tracking import Tracks, track

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")


def _needs(*names: str) -> None:
    """Skip when the installed transformers predates these classes."""
    missing = [n for n in names if not hasattr(transformers, n)]
    if missing:
        pytest.skip(f"transformers {transformers.__version__} lacks {missing}")


# --------------------------------------------------------------------------- hand-made masks
def _coverage(h: int, w: int, cx: float, cy: float, r: float, ss: int = 8) -> np.ndarray:
    """Exact-ish disc coverage per pixel (ss x ss supersampling; pixel centres at integers)."""
    off = (np.arange(ss) + 0.5) / ss - 0.5
    ys = np.arange(h)[:, None, None, None] + off[None, None, :, None]
    xs = np.arange(w)[None, :, None, None] + off[None, None, None, :]
    inside = (xs - cx) ** 2 + (ys - cy) ** 2 <= r * r
    return inside.mean(axis=(2, 3))


def _disc_masks(paths: np.ndarray, r: float, h: int, w: int, soft: bool) -> np.ndarray:
    n, T = paths.shape[:2]
    m = np.zeros((n, T, h, w), np.float32)
    for i in range(n):
        for t in range(T):
            if np.isfinite(paths[i, t]).all():
                m[i, t] = _coverage(h, w, *paths[i, t], r)
    return m if soft else m >= 0.5


@pytest.mark.parametrize("soft", [True, False])
def test_tracks_from_masks_discs_exact(soft):
    H, W, T, r = 40, 56, 8, 5.3
    t = np.arange(T)
    # sub-pixel paths: one falls, one moves sideways; x = column, y = row
    paths = np.stack(
        [
            np.stack([12.37 + 0.9 * t, 8.61 + 0.5 * t * t], axis=1),
            np.stack([40.2 - 1.3 * t, 28.45 + 0.0 * t], axis=1),
        ]
    )
    masks = _disc_masks(paths, r, H, W, soft)
    frames = np.full((T, H, W, 3), 0.2, np.float32)
    video = vk.Video(frames, fps=12)
    tr = tracks_from_masks(masks, video)
    assert isinstance(tr, Tracks)
    assert tr.centers.shape == (2, T, 2) and tr.radii.shape == (2, T) and tr.size == (H, W)
    assert tr.fps == 12 and tr.visible.all()
    if soft:
        # coverage masks: the centroid and area are those of the disc itself
        np.testing.assert_allclose(tr.centers, paths, atol=0.02)
        np.testing.assert_allclose(tr.radii, r, rtol=0.01)
    else:
        # a hard mask is the disc quantised to pixels: the centroid is exactly the mean of its
        # pixel centres, within a tenth of a pixel or so of the disc's centre
        for i in range(2):
            for t_ in range(T):
                ys, xs = np.nonzero(masks[i, t_])
                np.testing.assert_allclose(tr.centers[i, t_], (xs.mean(), ys.mean()), atol=1e-9)
        np.testing.assert_allclose(tr.centers, paths, atol=0.15)
        np.testing.assert_allclose(tr.radii, r, rtol=0.05)
    np.testing.assert_allclose(tr.areas, np.pi * tr.radii**2)
    assert not tr.at_border.any() and not tr.merged.any()
    assert tr.frame_diff.shape == (T - 1,) and tr.frame_change.shape == (T - 1,)


def test_tracks_from_masks_colour_border_merge_and_visibility():
    H, W, T = 32, 32, 5
    frames = np.full((T, H, W, 3), 0.5, np.float32)
    masks = np.zeros((3, T, H, W), bool)
    # object 0: a red square, at the left border in frame 4, absent in frame 2
    for t in (0, 1, 3):
        masks[0, t, 10:16, 10:16] = True
        frames[t, 10:16, 10:16] = (0.9, 0.1, 0.1)
    masks[0, 4, 10:16, 0:4] = True
    frames[4, 10:16, 0:4] = (0.9, 0.1, 0.1)
    # objects 1 and 2 touch (adjacent columns) in frame 1, apart elsewhere
    for t in range(T):
        masks[1, t, 24:28, 4:8] = True
        masks[2, t, 24:28, (8 if t == 1 else 14) : (12 if t == 1 else 18)] = True
    tr = tracks_from_masks(masks, vk.Video(frames, fps=8))
    np.testing.assert_allclose(tr.colors[0, 0], (0.9, 0.1, 0.1), atol=1e-6)
    assert tr.visible[0].tolist() == [True, True, False, True, True]
    assert np.isnan(tr.centers[0, 2]).all() and np.isnan(tr.radii[0, 2])
    assert tr.at_border[0].tolist() == [False, False, False, False, True]
    assert tr.merged[1].tolist() == [False, True, False, False, False]
    assert tr.merged[2].tolist() == tr.merged[1].tolist()
    assert not tr.merged[0].any()
    np.testing.assert_allclose(tr.centers[0, 0], (12.5, 12.5))


def test_tracks_from_masks_rejects_bad_input():
    v = vk.Video(np.zeros((4, 8, 8, 3)), fps=8)
    with pytest.raises(ValueError, match="n, T, H, W"):
        tracks_from_masks(np.zeros((4, 8, 8)), v)
    with pytest.raises(ValueError, match="do not fit the video"):
        tracks_from_masks(np.zeros((1, 4, 8, 9)), v)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        tracks_from_masks(np.full((1, 4, 8, 8), 2.0), v)
    with pytest.raises(TypeError, match="vidkit Video"):
        tracks_from_masks(np.zeros((1, 4, 8, 8)), "clip.mp4")


def test_as_tracker():
    assert as_tracker("classical") is track

    def fn(video):
        return track(video)

    assert as_tracker(fn) is fn
    with pytest.raises(ValueError, match="classical"):
        as_tracker("sam")


# --------------------------------------------------------------------------- tiny SAM 2 video
#: the memory parts every tiny video config below shares (SAM 2, SAM 3 tracker, EdgeTAM)
_TINY_MEMORY = {
    "num_maskmem": 3,
    "memory_attention_hidden_size": 128,
    "memory_attention_num_layers": 1,
    "memory_encoder_hidden_size": 128,
    "memory_encoder_output_channels": 64,
    "mask_downsampler_embed_dim": 128,
    "memory_fuser_embed_dim": 128,
    "memory_fuser_intermediate_dim": 32,
    "max_object_pointers_in_encoder": 4,
}


def _tiny_heads(S: int, patch: int, rope: int) -> dict:
    """The prompt encoder, mask decoder and memory of the tiny SAM 2 and SAM 3 tracker configs:
    ``S``-px input, ``patch``-px patches, a ``rope`` x ``rope`` memory attention grid."""
    return dict(
        prompt_encoder_config={
            "hidden_size": 128,
            "image_size": S,
            "patch_size": patch,
            "mask_input_channels": 4,
        },
        mask_decoder_config={
            "hidden_size": 128,
            "mlp_dim": 32,
            "num_attention_heads": 2,
            "iou_head_hidden_dim": 16,
        },
        image_size=S,
        memory_attention_feed_forward_hidden_size=32,
        memory_attention_rope_feat_sizes=[rope, rope],
        **_TINY_MEMORY,
    )


def _tiny_model_dir(tmp_path_factory, model_cls, config, name: str):
    """A tiny random-weight video model of ``model_cls`` saved with save_pretrained (safetensors)."""
    torch.manual_seed(0)
    model = model_cls(config).eval()
    with torch.no_grad():
        # every prompted object "appears" (random object scores would hide about half of them)
        model.mask_decoder.pred_obj_score_head.proj_out.bias.fill_(10.0)
    path = tmp_path_factory.mktemp(name)
    model.save_pretrained(path)
    return path


def _tiny_sam2_config(S: int = 64):
    """A ~1M-parameter Sam2VideoConfig: 64-px input, 4 Hiera stages of one block each.

    Constraints found in transformers 5.25: the memory attention's image cross-attention takes
    64-channel memories (``memory_encoder_output_channels=64``), and the object pointers are split
    into 64-wide pieces, so the hidden size must be a multiple of 64 above it (128).
    """
    backbone = {
        "model_type": "sam2_hiera_det_model",
        "hidden_size": 8,
        "num_attention_heads": 1,
        "image_size": [S, S],
        "blocks_per_stage": [1, 1, 1, 1],
        "embed_dim_per_stage": [8, 16, 32, 64],
        "num_attention_heads_per_stage": [1, 1, 1, 1],
        "window_size_per_stage": [4, 4, 2, 2],
        "global_attention_blocks": [],
        "window_positional_embedding_background_size": [2, 2],
    }
    vision = {
        "model_type": "sam2_vision_model",
        "backbone_config": backbone,
        "backbone_channel_list": [64, 32, 16, 8],
        "backbone_feature_sizes": [[S // 4, S // 4], [S // 8, S // 8], [S // 16, S // 16]],
        "fpn_hidden_size": 128,
    }
    return transformers.Sam2VideoConfig(vision_config=vision, **_tiny_heads(S, 16, S // 16))


@pytest.fixture(scope="module")
def sam_dir(tmp_path_factory):
    """A tiny random-weight Sam2VideoModel saved with save_pretrained (safetensors)."""
    _needs("Sam2VideoModel", "Sam2VideoInferenceSession")
    return _tiny_model_dir(
        tmp_path_factory, transformers.Sam2VideoModel, _tiny_sam2_config(), "tiny_sam2"
    )


@pytest.fixture(scope="module")
def sam(sam_dir):
    return Sam2VideoTracker(str(sam_dir))


def _tiny_sam3_tracker_config(S: int = 56):
    """A ~1.6M-parameter Sam3TrackerVideoConfig: 56-px input, a 2-layer ViT with 14-px patches."""
    vit = {
        "model_type": "sam3_vit_model",
        "hidden_size": 32,
        "intermediate_size": 64,
        "num_hidden_layers": 2,
        "num_attention_heads": 2,
        "image_size": S,
        "patch_size": 14,
        "window_size": 2,
        "global_attn_indexes": [1],
        "pretrain_image_size": S,
    }
    g = S // 14
    vision = {
        "model_type": "sam3_vision_model",
        "backbone_config": vit,
        "fpn_hidden_size": 128,
        "backbone_feature_sizes": [[4 * g, 4 * g], [2 * g, 2 * g], [g, g]],
    }
    return transformers.Sam3TrackerVideoConfig(vision_config=vision, **_tiny_heads(S, 14, g))


@pytest.fixture(scope="module")
def sam3(tmp_path_factory):
    """A tiny random-weight Sam3TrackerVideoModel loaded back from its folder."""
    _needs("Sam3TrackerVideoModel", "Sam3TrackerVideoInferenceSession")
    cls, cfg = transformers.Sam3TrackerVideoModel, _tiny_sam3_tracker_config()
    return Sam2VideoTracker(str(_tiny_model_dir(tmp_path_factory, cls, cfg, "tiny_sam3")))


def _tiny_edgetam_config():
    """A 1.1M-parameter EdgeTamVideoConfig on the tiny SAM 2 config's encoder and heads.

    EdgeTAM's own image encoder (RepViT) comes from timm, which is not a vidkit dependency; its
    config takes any vision config, so the tiny Hiera encoder above stands in. The parts proper to
    EdgeTAM (perceiver memory resampler, 2D-RoPE memory attention) are its own.
    """
    sam2 = _tiny_sam2_config()
    return transformers.EdgeTamVideoConfig(
        vision_config=sam2.vision_config.to_dict(),
        prompt_encoder_config=sam2.prompt_encoder_config.to_dict(),
        mask_decoder_config=sam2.mask_decoder_config.to_dict(),
        image_size=64,
        memory_attention_mlp_hidden_size=32,
        memory_attention_rope_feat_sizes=[4, 4],
        memory_attention_rope_k_sizes=[2, 2],
        perceiver_resampler_num_latents=8,
        perceiver_resampler_num_latents_2d=4,
        perceiver_resampler_num_layers=1,
        perceiver_resampler_mlp_intermediate_size=32,
        **_TINY_MEMORY,
    )


@pytest.fixture(scope="module")
def edgetam(tmp_path_factory):
    """A tiny random-weight EdgeTamVideoModel (1.1M parameters) loaded back from its folder."""
    _needs("EdgeTamVideoModel", "EdgeTamVideoInferenceSession")
    cls, cfg = transformers.EdgeTamVideoModel, _tiny_edgetam_config()
    return Sam2VideoTracker(str(_tiny_model_dir(tmp_path_factory, cls, cfg, "tiny_edgetam")))


@pytest.fixture(scope="module")
def bounce():
    return vk.synth.render("bounce", seed=0)


def test_sam3_tracker_family(sam3):
    assert sam3.family == "sam3" and type(sam3.model).__name__ == "Sam3TrackerVideoModel"
    assert sam3.image_size == 56 and sam3.mean == (0.5, 0.5, 0.5)


def test_edgetam_family(edgetam):
    assert edgetam.family == "edgetam" and type(edgetam.model).__name__ == "EdgeTamVideoModel"
    assert edgetam.mean == (0.485, 0.456, 0.406)


def test_sam2_normalisation_from_processor_config_and_dtype(sam_dir, bounce, tmp_path):
    import json
    import shutil

    local = tmp_path / "with_processor"
    shutil.copytree(sam_dir, local)
    cfg = {"video_processor": {"image_mean": [0.4, 0.5, 0.6], "image_std": [0.2, 0.25, 0.3]}}
    (local / "processor_config.json").write_text(json.dumps(cfg))
    t = Sam2VideoTracker(str(local), dtype=torch.bfloat16)
    assert t.mean == (0.4, 0.5, 0.6) and t.std == (0.2, 0.25, 0.3)
    assert next(t.model.parameters()).dtype == torch.bfloat16
    px = t._pixels(bounce.video.frames[:2])
    assert px.shape == (2, 3, 64, 64) and px.dtype == torch.bfloat16
    tr = t(bounce.video, prompts=[{"frame": 0, "points": [(30.0, 20.0)]}])
    assert tr.n_objects == 1 and tr.num_frames == bounce.video.num_frames


def test_sam2_loads_from_folder(sam, sam_dir):
    assert sam.family == "sam2"
    assert type(sam.model).__name__ == "Sam2VideoModel"
    assert sam.image_size == 64
    assert (sam_dir / "model.safetensors").exists()
    assert "Sam2VideoModel" in repr(sam)


def test_sam2_default_prompts_from_classical_tracker(sam, bounce):
    v = bounce.video
    classical = track(v)
    prompts = prompts_from_tracks(classical)
    assert len(prompts) == classical.n_objects >= 1
    tr = sam(v)
    assert isinstance(tr, Tracks)
    n, T = classical.n_objects, v.num_frames
    assert tr.centers.shape == (n, T, 2) and tr.visible.shape == (n, T)
    assert tr.radii.shape == tr.areas.shape == tr.merged.shape == tr.at_border.shape == (n, T)
    assert tr.colors.shape == (n, T, 3) and tr.fps == v.fps and tr.size == (64, 64)
    assert tr.visible.any()


@pytest.mark.parametrize("which", ["sam", "sam3", "edgetam"])
def test_sam2_original_coordinates_on_non_square_clip(which, bounce, monkeypatch, request):
    sam = request.getfixturevalue(which)
    v = bounce.video.resize(48, 80)
    H, W = 48, 80
    # record what the real model returns, to check the Tracks against it independently
    outs = {}
    orig = sam.model.propagate_in_video_iterator

    def recording(*args, **kwargs):
        for out in orig(*args, **kwargs):
            outs.setdefault(int(out.frame_idx), (list(out.object_ids), out.pred_masks.clone()))
            yield out

    monkeypatch.setattr(sam.model, "propagate_in_video_iterator", recording)
    prompts = [
        {"frame": 0, "points": [(70.0, 40.0)]},
        {"frame": 3, "box": (5.0, 4.0, 20.0, 18.0)},
        {"frame": 0, "points": [(40.0, 10.0), (45.0, 12.0)], "labels": [1, 0]},
    ]
    tr = sam(v, prompts=prompts)
    assert tr.n_objects == 3 and tr.size == (H, W) and tr.num_frames == v.num_frames
    assert sorted(outs) == list(range(v.num_frames))
    vis = tr.visible
    assert vis.sum() > 0
    x, y = tr.centers[..., 0][vis], tr.centers[..., 1][vis]
    assert (x >= 0).all() and (x <= W - 1).all() and (y >= 0).all() and (y <= H - 1).all()
    # each object's mask, upsampled from the model's low-res logits to the 80x48 video, gives
    # its centroid and area (computed here as plain pixel means)
    checked = 0
    for t, (ids, logits) in outs.items():
        up = torch.nn.functional.interpolate(logits.float(), size=(H, W), mode="bilinear")
        for row, i in enumerate(ids):
            m = (up[row, 0] > 0).numpy()
            if vis[i, t]:
                ys, xs = np.nonzero(m)
                np.testing.assert_allclose(tr.centers[i, t], (xs.mean(), ys.mean()), atol=1e-6)
                assert tr.areas[i, t] == m.sum()
                checked += 1
    assert checked == vis.sum()


@pytest.mark.parametrize("frame_a", [0, 3])
def test_sam2_identities_follow_prompts(sam, bounce, frame_a):
    v = bounce.video
    # frame_a=3: the session meets b first (frame 0), so the model's object order differs from
    # the prompt order in one of the two calls
    a = {"frame": frame_a, "points": [(20.0, 12.0)]}
    b = {"frame": 0, "box": (36.0, 30.0, 52.0, 46.0)}
    ab = sam(v, prompts=[a, b])
    ba = sam(v, prompts=[b, a])
    assert ab.n_objects == ba.n_objects == 2
    # each object is computed from its own prompt and memory: the order only renumbers them
    np.testing.assert_allclose(ab.centers[0], ba.centers[1], atol=1e-3, equal_nan=True)
    np.testing.assert_allclose(ab.centers[1], ba.centers[0], atol=1e-3, equal_nan=True)
    np.testing.assert_array_equal(ab.visible[0], ba.visible[1])
    # and the two prompts give different objects
    assert not np.allclose(ab.centers[0], ab.centers[1], equal_nan=True)


def test_sam2_prompt_scaling_and_mask_mapping(sam, bounce, monkeypatch):
    """Prompts reach the model scaled to its square input; its masks come back in video pixels.

    The model is replaced by a stub that records the prompts and returns low-res logits holding a
    known disc, so the mapping is checked exactly.
    """
    v = bounce.video.resize(48, 80)
    H, W, T, S = 48, 80, v.num_frames, sam.image_size
    seen = {}
    orig_add = sam._session_cls.add_point_inputs

    def spy(self, obj_idx, frame_idx, inputs):
        seen[(obj_idx, frame_idx)] = {k: val.clone() for k, val in inputs.items()}
        return orig_add(self, obj_idx, frame_idx, inputs)

    monkeypatch.setattr(sam._session_cls, "add_point_inputs", spy)
    low = S // 4  # 16x16 low-res masks
    u, w_, r = 10.0, 4.0, 2.5  # disc centre (column, row) and radius in low-res pixels
    yy, xx = np.mgrid[0:low, 0:low]
    logits = torch.tensor(
        np.where(np.hypot(xx - u, yy - w_) <= r, 20.0, -20.0), dtype=torch.float32
    )

    class Stub:
        config = sam.model.config

        def __call__(self, inference_session, frame_idx):
            return None

        def propagate_in_video_iterator(self, session, start_frame_idx=0, reverse=False, **kw):
            order = range(start_frame_idx, -1, -1) if reverse else range(start_frame_idx, T)
            for t in order:
                yield SimpleNamespace(
                    frame_idx=t,
                    object_ids=[0],
                    pred_masks=logits[None, None],
                    object_score_logits=torch.ones(1, 1),
                )

    monkeypatch.setattr(sam, "model", Stub())
    tr = sam(v, prompts=[{"frame": 2, "box": (8.0, 6.0, 24.0, 30.0), "points": [(40.0, 12.0)]}])
    coords = seen[(0, 2)]["point_coords"][0, 0].numpy()
    labels = seen[(0, 2)]["point_labels"][0, 0].tolist()
    np.testing.assert_allclose(
        coords, [[8 * S / W, 6 * S / H], [24 * S / W, 30 * S / H], [40 * S / W, 12 * S / H]]
    )
    assert labels == [2, 3, 1]
    # a low-res pixel centre u maps to (u + 0.5) * W / low - 0.5 in the video (align_corners=False)
    ex, ey = (u + 0.5) * W / low - 0.5, (w_ + 0.5) * H / low - 0.5
    assert tr.visible[0].all()  # frames before the prompt come from the reverse pass
    np.testing.assert_allclose(tr.centers[0, :, 0], ex, atol=0.3)
    np.testing.assert_allclose(tr.centers[0, :, 1], ey, atol=0.3)
    area = np.pi * (r * W / low) * (r * H / low)
    np.testing.assert_allclose(tr.areas[0], area, rtol=0.15)


def test_sam2_bad_input(sam, bounce, sam_dir):
    v = bounce.video
    with pytest.raises(ValueError, match="outside the 64x64 frame"):
        sam(v, prompts=[{"frame": 0, "points": [(70.0, 10.0)]}])
    with pytest.raises(ValueError, match="frame 40 is outside"):
        sam(v, prompts=[{"frame": 40, "points": [(10.0, 10.0)]}])
    with pytest.raises(ValueError, match="needs 'points' or a 'box'"):
        sam(v, prompts=[{"frame": 0}])
    with pytest.raises(ValueError, match="unknown keys"):
        sam(v, prompts=[{"frame": 0, "point": (1, 2)}])
    with pytest.raises(TypeError, match="list of dicts"):
        sam(v, prompts={"frame": 0, "points": [(1, 2)]})
    with pytest.raises(ValueError, match="family must be one of"):
        Sam2VideoTracker(str(sam_dir), family="sam9")
    with pytest.raises(TypeError, match="torch.dtype"):
        Sam2VideoTracker(str(sam_dir), dtype="bf16")
    with pytest.raises(TypeError, match="local folder, a hub id"):
        Sam2VideoTracker(42)


def test_sam2_tracks_feed_the_probes(sam, bounce):
    tr = sam(bounce.video)
    m = vk.probes.analyze_motion(tr)
    for probe in (vk.probes.gravity, vk.probes.continuity, vk.probes.permanence):
        res = probe(tr, motion=m)
        assert res.name == probe.__name__
        assert isinstance(res.sentence, str) and res.sentence


def test_physics_with_sam2_tracker(sam, bounce):
    calls = []
    # two prompts where the classical tracker sees one ball: the report must hold two objects
    prompts = [{"frame": 0, "points": [(20.0, 12.0)]}, {"frame": 0, "box": (36, 30, 52, 46)}]

    def tracker(video):
        calls.append(video.shape)
        return sam(video, prompts=prompts)

    assert track(bounce.video).n_objects == 1
    rep = vk.probes.physics(bounce.video, tracker=tracker, flow=False)
    assert calls == [bounce.video.shape], "physics did not call the tracker once on the clip"
    assert rep.tracks.n_objects == 2
    assert rep.verdict in {"pass", "fail", "cannot judge"}
    assert isinstance(rep.summary, str) and rep.summary


# --------------------------------------------------------------------------- CoTracker (fake hub)
_HUBCONF = '''
"""A fake CoTracker hub repository for vidkit's tests: same call signature, trivial motion."""
import torch


class _Core(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.velocity = torch.nn.Parameter(torch.zeros(2))  # px per frame, set by the checkpoint
        self.register_buffer("hidden", torch.tensor([-1, -1]))  # [first, end) frames unseen


class _Predictor(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.model = _Core()

    @torch.no_grad()
    def forward(self, video, queries=None):
        B, T, C, H, W = video.shape
        assert C == 3 and video.dtype == torch.float32 and float(video.max()) > 1.5
        assert queries.shape[0] == B and queries.shape[2] == 3
        t = torch.arange(T, dtype=torch.float32)[None, :, None, None]
        tq = queries[:, None, :, 0:1]
        tracks = queries[:, None, :, 1:] + (t - tq) * self.model.velocity
        vis = torch.ones(B, T, queries.shape[1], dtype=torch.bool)
        a, b = int(self.model.hidden[0]), int(self.model.hidden[1])
        if a >= 0:
            vis[:, a:b] = False
        return tracks, vis


def cotracker3_offline(*, pretrained=True, **kwargs):
    if pretrained:
        raise RuntimeError("the test must not ask the hub entry to download weights")
    return _Predictor()
'''


@pytest.fixture(scope="module")
def fake_hub(tmp_path_factory):
    root = tmp_path_factory.mktemp("co-tracker")
    (root / "hubconf.py").write_text(textwrap.dedent(_HUBCONF))
    state = {"velocity": torch.tensor([1.5, -0.5]), "hidden": torch.tensor([10, 14])}
    torch.save(state, root / "scaled_offline.pth")
    torch.save({"model": state}, root / "wrapped.pth")
    from safetensors.torch import save_file

    save_file(state, str(root / "weights.safetensors"))
    return root


@pytest.mark.parametrize("ckpt", ["scaled_offline.pth", "wrapped.pth", "weights.safetensors"])
def test_cotracker_wiring_with_fake_hub(fake_hub, bounce, ckpt, monkeypatch):
    loads = []
    orig_load = torch.load

    def spy_load(*args, **kwargs):
        loads.append(kwargs.get("weights_only"))
        return orig_load(*args, **kwargs)

    monkeypatch.setattr(torch, "load", spy_load)
    co = CoTrackerTracker(fake_hub, fake_hub / ckpt, points_per_object=5)
    assert loads == ([] if ckpt.endswith(".safetensors") else [True])
    assert np.allclose(co.predictor.model.velocity.detach().numpy(), [1.5, -0.5])
    v = bounce.video
    base = track(v)
    tr = co(v)
    assert isinstance(tr, Tracks) and tr.n_objects == base.n_objects >= 1
    T = v.num_frames
    assert tr.centers.shape == (base.n_objects, T, 2)
    t0 = int(np.flatnonzero(base.reliable(0))[0])
    c0 = base.centers[0, t0]
    expect = c0[None] + (np.arange(T) - t0)[:, None] * np.array([1.5, -0.5])
    hidden = (np.arange(T) >= 10) & (np.arange(T) < 14)
    assert tr.visible[0].tolist() == (~hidden).tolist()
    np.testing.assert_allclose(tr.centers[0, ~hidden], expect[~hidden], atol=1e-4)
    assert np.isnan(tr.centers[0, hidden]).all()
    assert np.isfinite(tr.radii[0, ~hidden]).all() and (tr.radii[0, ~hidden] > 0).all()
    res = vk.probes.continuity(tr)
    assert isinstance(res.sentence, str)


def test_cotracker_bad_input(fake_hub, tmp_path):
    with pytest.raises(ValueError, match="no hubconf.py"):
        CoTrackerTracker(tmp_path, fake_hub / "scaled_offline.pth")
    with pytest.raises(ValueError, match="is not a file"):
        CoTrackerTracker(fake_hub, tmp_path / "missing.pth")
    with pytest.raises(ValueError, match="points_per_object"):
        CoTrackerTracker(fake_hub, fake_hub / "scaled_offline.pth", points_per_object=0)


def test_physics_with_cotracker(fake_hub, bounce):
    co = CoTrackerTracker(fake_hub, fake_hub / "scaled_offline.pth")
    rep = vk.probes.physics(bounce.video, tracker=co, flow=False)
    assert rep.tracks.n_objects == 1
    # the fake's straight path, (1.5, -0.5) px per frame, is what the report holds
    fr = np.flatnonzero(rep.tracks.visible[0])
    c = rep.tracks.centers[0, fr]
    consecutive = np.diff(fr) == 1
    assert consecutive.sum() >= 10
    steps = np.diff(c, axis=0)[consecutive]
    np.testing.assert_allclose(steps, [[1.5, -0.5]] * int(consecutive.sum()), atol=1e-4)
    assert isinstance(rep.summary, str) and rep.summary


def test_prompts_from_tracks_keeps_the_longest_tracks():
    T = 10
    vis = np.zeros((3, T), bool)
    vis[0, 6:] = True  # 4 frames
    vis[1, :] = True  # 10 frames
    vis[2, 2:9] = True  # 7 frames
    centers = np.where(vis[..., None], 5.0, np.nan) + np.zeros(2) + np.arange(3)[:, None, None]
    z = np.zeros((3, T), bool)
    tr = Tracks(
        centers=centers,
        radii=np.where(vis, 2.0, np.nan),
        areas=np.where(vis, 12.6, np.nan),
        colors=np.where(vis[..., None], 0.5, np.nan) + np.zeros(3),
        visible=vis,
        merged=z,
        at_border=z.copy(),
        fps=8.0,
        size=(16, 16),
        background=np.zeros((16, 16, 3)),
    )
    tr.merged[1, 0] = True  # object 1's first clean frame is frame 1
    p = prompts_from_tracks(tr)
    assert [q["frame"] for q in p] == [6, 1, 2]
    assert p[1]["points"] == [(6.0, 6.0)] and p[1]["labels"] == [1]
    p2 = prompts_from_tracks(tr, max_objects=2)
    assert [q["frame"] for q in p2] == [1, 2]
