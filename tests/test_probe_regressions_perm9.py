"""Regression tests of the tracker's association (:mod:`vidkit.probes.association`) on clips of
the independent renderer (:mod:`vidkit.validation`), issue 13's seventh pass (perm9).

Each clip is named by its seed in the suites of ``benchmarks/probe_accuracy.py --n-clean 200
--n-violation 24`` (:func:`suite_report`); each test names what went wrong on it and checks the
part of the report (or of the tracks) that was wrong.
"""

from __future__ import annotations

import numpy as np
from _helpers import failing_sentences, suite_report

from vidkit.probes.association import Track, link_heads
from vidkit.probes.detection import Det

_fails = failing_sentences


# ------------------------------------------------------------------------- clean clips
def test_object_fast_at_the_start_of_a_shot_keeps_its_first_frame():
    # seed 3 clean, pan roll with a cut at frame 30: the second shot's ball is falling at
    # 19 px a frame in its first frame. Born with no velocity, its track lost it at once
    # (outside the gate), the first detection was dropped as a 1-frame track and the ball
    # "appeared at (115, 85) in frame 31".
    _, rep = suite_report(300040)
    assert rep.results["permanence"].passed, _fails(rep)
    tr = rep.tracks
    second = [i for i in range(tr.n_objects) if tr.shot_of(i) == 1]
    assert second and any(tr.visible[i, 30] for i in second)


def test_link_heads_prepends_a_fast_new_born_detection():
    def det(x: float) -> Det:
        return Det(x, 10.0, 20.0, np.full(3, 0.8), (0, 0, 1, 1), False, 1)

    a, b, c = Track(), Track(), Track()
    a.add(0, det(4.0))
    for t in range(1, 5):
        b.add(t, det(4.0 + 20 * t))
    c.add(0, det(70.0))  # not where b's motion, run backwards, puts it
    out = link_heads([a, b, c])
    assert sorted(tr.frames for tr in out) == [[0], [0, 1, 2, 3, 4]]
    assert [p[0] for p in next(tr for tr in out if len(tr.frames) == 5).pos][:2] == [4.0, 24.0]
