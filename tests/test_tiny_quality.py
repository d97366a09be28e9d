"""Quality bars of the bundled tiny model, measured by vidkit's own evaluators.

A fixed, seeded set of held-out prompts and scenes (seeds far from the training seeds) is
generated once per module; the bars are those of the model's specification (issue 6). The full
table on a larger set is printed by ``benchmarks/tiny_quality.py`` and recorded in the model card.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import vidkit as vk
from vidkit.tiny.evaluate import Report, evaluate

N_T2V = 24
N_COND = 8


@pytest.fixture(scope="module")
def final() -> Report:
    torch.manual_seed(0)
    return evaluate(vk.tiny.load_pipeline(), n=N_T2V, i2v=N_COND, v2v=N_COND, fvd=True)


@pytest.fixture(scope="module")
def early() -> Report:
    return evaluate(vk.tiny.load_pipeline(early=True), n=N_T2V, i2v=0, v2v=0, fvd=True)


def test_prompt_adherence(final):
    s = final.summary
    assert s["color_accuracy"] >= 0.90, final.table()[["prompt", "color"]]
    assert s["direction_accuracy"] >= 0.80, final.table()[["prompt", "direction_ok"]]


def test_motion_realism(final):
    s = final.summary
    assert s["g_within_20pct"] >= 0.70, final.table()[["prompt", "g"]]
    assert s["no_vanish_teleport"] >= 0.90, final.table()[["prompt", "findings"]]


def test_image_to_video_keeps_the_first_frame(final):
    s = final.summary
    assert s["i2v_first_frame_psnr_ge_25"] >= 0.9 and s["i2v_first_frame_psnr_median"] >= 25
    assert s["i2v_frame1_error_px_median"] <= 2.0  # the motion starts where the image puts it


def test_video_to_video_strength(final):
    s = final.summary
    assert s["v2v_psnr_s03_ge_20"] >= 0.9
    assert s["v2v_s09_farther"] >= 0.9 and s["v2v_psnr_s09_median"] < s["v2v_psnr_s03_median"]


def test_fvd_generated_clearly_below_violated(final):
    # SynthEncoder FVD of generated vs held-out real clips, against violated scenes vs the same
    # real clips (and a second real set as the floor, reported in the summary)
    s = final.summary
    assert s["fvd_generated"] < 0.5 * s["fvd_violated"], s
    assert s["fvd_real_vs_real"] < s["fvd_violated"]


def test_early_checkpoint_scores_worse(final, early):
    f, e = final.summary, early.summary
    assert e["fvd_generated"] > f["fvd_generated"]

    def probes(s):
        return np.mean(
            [
                s["color_accuracy"],
                s["direction_accuracy"],
                s["g_within_20pct"],
                s["no_vanish_teleport"],
            ]
        )

    assert probes(e) < probes(f)
