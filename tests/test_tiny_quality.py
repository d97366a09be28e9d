"""Quality bars of the bundled tiny model, measured by vidkit's own evaluators.

A fixed, seeded set of held-out prompts and scenes (seeds far from the training seeds) is
generated once per module; each bar of the model's specification (issue 6) is one test, with the
specification's threshold, at the model's default sampling settings (25 steps, guidance
``vk.tiny.DEFAULT_GUIDANCE``). A bar the shipped weights missed would be marked
``xfail(strict=True)`` with the measured figure, never given a lower threshold; the current weights
meet every bar here (model card ``data/tiny-physics/README.md``). The full table on a larger set is
printed by ``benchmarks/tiny_quality.py``.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import vidkit as vk
from vidkit.tiny.evaluate import EvaluationReport, evaluate

N_T2V = 24
N_COND = 8


@pytest.fixture(scope="module")
def final() -> EvaluationReport:
    torch.manual_seed(0)
    return evaluate(vk.tiny.load_pipeline(), n=N_T2V, i2v=N_COND, v2v=N_COND, fvd=True)


@pytest.fixture(scope="module")
def early() -> EvaluationReport:
    return evaluate(vk.tiny.load_pipeline(early=True), n=N_T2V, i2v=0, v2v=0, fvd=True)


def test_colour_named_in_prompt(final):
    assert final.summary["color_accuracy"] >= 0.90, final.table()[["prompt", "color"]]


def test_direction_named_in_prompt(final):
    assert final.summary["direction_accuracy"] >= 0.80


def test_fitted_gravity_near_training_g(final):
    assert final.summary["g_within_20pct"] >= 0.70


def test_no_vanish_or_teleport(final):
    assert final.summary["no_vanish_teleport"] >= 0.90


def test_image_to_video_starts_with_the_image(final):
    s = final.summary
    assert s["i2v_first_frame_psnr_ge_25"] >= 0.9 and s["i2v_first_frame_psnr_median"] >= 25


def test_image_to_video_motion_starts_where_the_image_puts_it(final):
    assert final.summary["i2v_frame1_error_px_median"] <= 2.0


def test_video_to_video_strength(final):
    s = final.summary
    assert s["v2v_psnr_s03_ge_20"] >= 0.9
    assert s["v2v_s09_farther"] >= 0.9 and s["v2v_psnr_s09_median"] < s["v2v_psnr_s03_median"]


def test_fvd_generated_clearly_below_violated(final):
    # SynthEncoder FVD of generated vs held-out real clips, against violated scenes vs the same
    # real clips
    s = final.summary
    assert s["fvd_generated"] < 0.5 * s["fvd_violated"], s


def test_fvd_reference_sets_are_ordered(final):
    # the evaluator itself: a second real set is far closer to the real clips than violated ones
    s = final.summary
    assert s["fvd_real_vs_real"] < 0.25 * s["fvd_violated"]


def test_early_checkpoint_scores_worse(final, early):
    f, e = final.summary, early.summary
    assert e["fvd_generated"] > f["fvd_generated"]

    def probes(s):
        keys = ["color_accuracy", "direction_accuracy", "g_within_20pct", "no_vanish_teleport"]
        return np.mean([s[k] for k in keys])

    assert probes(e) < probes(f)
