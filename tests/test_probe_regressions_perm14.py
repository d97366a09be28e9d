"""Regression tests of issue 13's twelfth pass on permanence, identity and teleports (helper
perm14), on clips of the independent renderer (:mod:`vidkit.validation`, development seeds 11
and 12 of ``benchmarks/probe_accuracy.py --n-clean 200 --n-violation 48``), each naming what the
probes got wrong.
"""

from __future__ import annotations

from _helpers import validation_report


def _fails(rep, probe: str) -> list[str]:
    res = rep.results.get(probe)
    return [] if res is None else [f.sentence for f in res.findings if f.severity == "fail"]


def _cuts(rep) -> list[str]:
    res = rep.results.get("cuts")
    return [] if res is None else [f.sentence for f in res.findings]


def test_teleport_between_two_whole_frames_clears_a_radius_not_a_diameter():
    # seed 12 teleport 1250064 (a toss at 8 fps, still camera): the ball jumps 23 px at frame
    # 10 (the truth); the track steps 19 px between frames 9 and 10, both whole, against a
    # usual step of 7.7 px: 11 px beyond it, short of the 12.5 px margin of a diameter (plus
    # gravity's step) that a partly seen frame needs. Two whole frames carry no part-frame
    # centroid error: a radius of margin
    spec = {
        "kind": "toss", "seed": 1250064, "violation": "teleport", "camera": "static",
        "size": [320, 180], "fps": 8.0, "frames": 27, "background": "checker",
        "blur": 0.7792698233479285, "noise": 0.02308555715018824, "jpeg": None,
        "lighting": 0.0249676891908664, "occluders": 0,
    }  # fmt: skip
    _, rep = validation_report(spec)
    fails = _fails(rep, "continuity")
    assert any("between frames 9 and 10" in s for s in fails), fails
    # the same toss without the jump: no jump found
    _, rep = validation_report(spec, violation=None)
    assert not any("jumped" in s for s in _fails(rep, "continuity")), _fails(rep, "continuity")


def test_teleport_out_of_a_crossing_from_frames_cut_out_by_colour():
    # seed 12 teleport 1250048 (two balls crossing at 8 fps): the blue ball jumps 54 px at frame
    # 37, out of frames 29-36 where the two balls share one blob and the tracker cut it out by
    # colour (merged, radius 12.2-13.1 px against 12.9 whole). No whole frame within 6 frames
    # before the jump, so no jump was judged; such frames, of the object's own colour and size,
    # show it as itself
    spec = {
        "kind": "crossing", "seed": 1250048, "violation": "teleport", "camera": "static",
        "size": [256, 144], "fps": 8.0, "frames": 62, "background": "perlin", "blur": 0.0,
        "noise": 0.02331642357484252, "jpeg": 68, "lighting": 0.01180853740815413,
        "occluders": 0,
    }  # fmt: skip
    _, rep = validation_report(spec)
    fails = _fails(rep, "continuity")
    assert any("between frames 36 and 37" in s for s in fails), fails
    _, rep = validation_report(spec, violation=None)
    assert not any("jumped" in s for s in _fails(rep, "continuity")), _fails(rep, "continuity")


def test_large_ball_teleporting_is_no_cut():
    # seed 12 teleport 1250060 (a 13 px ball rolling in a 96x72 frame at 24 fps): its 40 px
    # jump at frame 15 changed 18% of the thumbnail in two regions (a disk where it was, a disk
    # where it is, 154 and 152 px), read as a cut (the change was not ONE compact region) and
    # the jump fell between two shots. The frame before shows at one region what the frame
    # after shows at the other (mean difference 0.05 of the change): one object moved
    spec = {
        "kind": "roll", "seed": 1250060, "violation": "teleport", "camera": "static",
        "size": [96, 72], "fps": 24.0, "frames": 53, "background": "stripes",
        "blur": 0.8640998648018476, "noise": 0.012884303327674571, "jpeg": 74,
        "lighting": 0.033775107694633294, "occluders": 1,
    }  # fmt: skip
    _, rep = validation_report(spec)
    assert not _cuts(rep), _cuts(rep)
    fails = _fails(rep, "continuity")
    assert any("between frames 14 and 15" in s for s in fails), fails
    # a real cut in the same kind of clip is still found
    _, rep = validation_report(spec, violation=None, cut=True)
    assert _cuts(rep)


def test_track_taking_an_occluder_piece_at_its_end_did_not_vanish():
    # seed 11 clean 1100102 (a 3.5 px ball next to an occluder under a shaking camera): at
    # frame 7 its track took a 4.9 px piece of the occluder's blob, of the occluder's colour
    # (0.32 RGB off the ball's), 10 px off its path; one step of that false motion put the
    # ball 15 px from the occluder, and it "vanished" there. The ball went into the
    # occluder's blob
    spec = {
        "kind": "occluded", "seed": 1100102, "violation": None, "camera": "shake",
        "size": [128, 96], "fps": 10.0, "frames": 50, "background": "perlin",
        "blur": 0.7162725931577838, "noise": 0.02009945925428196, "jpeg": None,
        "lighting": 0.03544140347041846, "occluders": 0,
    }  # fmt: skip
    _, rep = validation_report(spec)
    assert not _fails(rep, "permanence"), _fails(rep, "permanence")


def test_ball_seen_four_frames_out_of_an_occluder_then_vanishing():
    # seed 12 vanish 1251056 (static camera, 25 fps): the ball comes out from behind the
    # occluder at frame 13 and vanishes at 17; its piece of 4 frames was dropped as short
    # (MIN_TRACK 5), and the vanishing with it
    spec = {
        "kind": "occluded", "seed": 1251056, "violation": "vanish", "camera": "static",
        "size": [160, 120], "fps": 25.0, "frames": 62, "background": "gradient", "blur": 0.0,
        "noise": 0.022962096594063015, "jpeg": None, "lighting": 0.018005003579101016,
        "occluders": 0, "cut": True,
    }  # fmt: skip
    _, rep = validation_report(spec)
    fails = _fails(rep, "permanence")
    assert any("vanished" in s and "after frame 16" in s for s in fails), fails
    _, rep = validation_report(spec, violation=None)
    assert not _fails(rep, "permanence"), _fails(rep, "permanence")
