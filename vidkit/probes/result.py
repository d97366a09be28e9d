"""What a probe returns: scores, a verdict at a stated threshold, failing frames, and sentences.

Every probe in :mod:`vidkit.probes` returns a :class:`ProbeResult`. A result holds one or more
:class:`Finding` objects, each a plain sentence about one object and a few frames ("object 0 jumped
14 px between frames 11 and 12, 6x its usual step"), with the measured value and the threshold it
was held to. Its :attr:`~ProbeResult.verdict` is ``"pass"``, ``"fail"`` or ``"cannot judge"``
(``passed`` is ``None``): the probe's assumptions (:class:`Assumption`: a trackable object, a
static or compensated camera, enough frames...) do not hold, or there is nothing to measure (no
free flight to fit gravity on); :attr:`~ProbeResult.reason` says why. Such a result never counts
as a pass.

Example:
    >>> import vidkit as vk
    >>> res = vk.probes.ProbeResult("demo", passed=True, scores={"x": 1.0}, threshold=2.0,
    ...                             sentence="x is 1.0, below 2.0")
    >>> res.ok, res.score, res.sentence
    (True, 1.0, 'x is 1.0, below 2.0')
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = [
    "Assumption",
    "CANNOT_JUDGE",
    "Finding",
    "ProbeResult",
    "SEVERITIES",
    "VERDICTS",
    "merge_results",
]

#: ordered from harmless to failing
SEVERITIES = ("info", "warn", "fail")
#: the third verdict: a probe's assumptions do not hold on this video, so it neither passes nor fails
CANNOT_JUDGE = "cannot judge"
#: every verdict a probe or a report can give
VERDICTS = ("pass", "fail", CANNOT_JUDGE)


@dataclass
class Assumption:
    """One assumption a probe makes about a video, checked on the video before judging it.

    Attributes:
        name: what is assumed (``"a trackable object"``, ``"a static or compensated camera"``,
            ``"one shot"``, ``"enough frames"``, ``"enough resolution"``, ``"a plausible frame
            rate"``...).
        holds: whether it holds on this video.
        reason: one sentence saying what was measured ("the camera pans 41 px, compensated").

    Example:
        >>> Assumption("enough frames", True, "32 frames, at least 4 needed").holds
        True
    """

    name: str
    holds: bool
    reason: str = ""

    def __str__(self) -> str:
        return f"{self.name}: {'holds' if self.holds else 'does not hold'} ({self.reason})"


@dataclass
class Finding:
    """One thing a probe saw: a sentence about an object and the frames it concerns.

    Attributes:
        probe: the probe's name (``"continuity"``, ``"gravity"``...).
        sentence: one plain sentence a person can act on.
        severity: ``"fail"`` (a violation at the probe's threshold), ``"warn"`` (suspicious, or
            the probe could not decide) or ``"info"`` (a measurement).
        object: tracked object id, or ``None`` for whole-video findings.
        frames: the frames concerned (sorted).
        value: the measured value the threshold was applied to (NaN if none).
        threshold: the threshold (NaN if none).
    """

    probe: str
    sentence: str
    severity: str = "fail"
    object: int | None = None
    frames: tuple[int, ...] = ()
    value: float = float("nan")
    threshold: float = float("nan")

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"severity must be one of {SEVERITIES}, got {self.severity!r}")
        self.frames = tuple(sorted({int(f) for f in self.frames}))
        self.value = float(self.value)
        self.threshold = float(self.threshold)

    def as_row(self) -> dict[str, Any]:
        """The finding as one table row."""
        return {
            "probe": self.probe,
            "object": self.object,
            "frames": list(self.frames),
            "severity": self.severity,
            "sentence": self.sentence,
            "value": self.value,
            "threshold": self.threshold,
        }


@dataclass
class ProbeResult:
    """The outcome of one probe.

    Attributes:
        name: probe name.
        passed: ``True``/``False`` at the probe's documented threshold; ``None`` when the probe
            cannot judge this video (never counted as a pass or a fail).
        scores: named numbers (``{"g": 401.2, "r2": 0.999}``); the first is the headline score.
        threshold: the threshold the pass/fail decision used (a number, or a dict of them).
        failed_frames: frames where the probe failed.
        sentence: one plain sentence summing the result up.
        findings: the individual findings (violations, warnings, measurements).
        details: arrays for plots (fitted curves, per-frame values); not part of the table.
        assumptions: the assumptions checked before judging (:class:`Assumption`); when one
            does not hold, ``passed`` is ``None`` and :attr:`verdict` is ``"cannot judge"``.
    """

    name: str
    passed: bool | None
    scores: dict[str, float] = field(default_factory=dict)
    threshold: Any = None
    failed_frames: list[int] = field(default_factory=list)
    sentence: str = ""
    findings: list[Finding] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict, repr=False)
    assumptions: list[Assumption] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self.failed_frames = sorted({int(f) for f in self.failed_frames})
        self.scores = {k: float(v) for k, v in self.scores.items()}

    @property
    def ok(self) -> bool | None:
        """Alias of ``passed``."""
        return self.passed

    @property
    def applicable(self) -> bool:
        """Whether the probe applied to the video (``passed`` is not ``None``)."""
        return self.passed is not None

    @property
    def verdict(self) -> str:
        """``"pass"``, ``"fail"`` or ``"cannot judge"`` (the probe's assumptions do not hold,
        or there is nothing to judge; see :attr:`reason`)."""
        return {True: "pass", False: "fail", None: CANNOT_JUDGE}[self.passed]

    @property
    def reason(self) -> str:
        """Why the probe cannot judge (the first assumption that does not hold, else the
        sentence); empty when it judged."""
        if self.passed is not None:
            return ""
        broken = [a for a in self.assumptions if not a.holds]
        return f"{broken[0].name}: {broken[0].reason}" if broken else self.sentence

    @property
    def score(self) -> float:
        """The headline score (the first in ``scores``; NaN if there is none)."""
        return next(iter(self.scores.values()), float("nan"))

    @property
    def failures(self) -> list[Finding]:
        """Findings of severity ``"fail"``."""
        return [f for f in self.findings if f.severity == "fail"]

    def table(self) -> Any:
        """Findings as a pandas DataFrame (one row each)."""
        import pandas as pd

        cols = ["probe", "object", "frames", "severity", "sentence", "value", "threshold"]
        return pd.DataFrame([f.as_row() for f in self.findings], columns=cols)

    def __bool__(self) -> bool:
        raise TypeError(
            "a ProbeResult has no truth value (it may not apply); use result.passed "
            "(True, False or None)"
        )

    def __repr__(self) -> str:
        verdict = {True: "pass", False: "FAIL", None: CANNOT_JUDGE}[self.passed]
        sc = ", ".join(f"{k}={_fmt(v)}" for k, v in list(self.scores.items())[:4])
        return f"ProbeResult({self.name}: {verdict}; {sc}; {self.sentence!r})"

    def _repr_html_(self) -> str:
        verdict = {True: "pass", False: "FAIL", None: CANNOT_JUDGE}[self.passed]
        color = {True: "#2a7", False: "#c33", None: "#888"}[self.passed]
        rows = "".join(
            f"<tr><td>{html.escape(k)}</td><td>{_fmt(v)}</td></tr>" for k, v in self.scores.items()
        )
        items = "".join(
            f"<li><b>{f.severity}</b> {html.escape(f.sentence)}</li>" for f in self.findings
        )
        return (
            f"<div><b>{html.escape(self.name)}</b> "
            f"<span style='color:{color};font-weight:bold'>{verdict}</span>: "
            f"{html.escape(self.sentence)}<table>{rows}</table><ul>{items}</ul></div>"
        )


def merge_results(name: str, parts: list[ProbeResult]) -> ProbeResult:
    """One result from the results of one probe on parts of a video (shots): it fails when a
    part fails, passes when a part passes and none fails, else cannot judge. Findings and failed
    frames are gathered; scores, threshold and sentence come from the first failing part (else
    the first that judged).

    Example:
        >>> a = ProbeResult("x", passed=True, sentence="fine")
        >>> b = ProbeResult("x", passed=None, sentence="cannot judge: too short")
        >>> merge_results("x", [a, b]).verdict
        'pass'
    """
    if not parts:
        raise ValueError("merge_results needs at least one result")
    if len(parts) == 1:
        return parts[0]
    judged = [r for r in parts if r.passed is not None]
    if not judged:
        return parts[0]
    failed = [r for r in judged if r.passed is False]
    head = failed[0] if failed else judged[0]
    return ProbeResult(
        name,
        passed=not failed,
        scores=dict(head.scores),
        threshold=head.threshold,
        failed_frames=[f for r in parts for f in r.failed_frames],
        sentence=head.sentence,
        findings=[f for r in parts for f in r.findings],
        details=dict(head.details),
        assumptions=list(head.assumptions),
    )


def _fmt(v: float) -> str:
    if v is None or not np.isfinite(v):
        return str(v)
    if v != 0 and (abs(v) >= 1e4 or abs(v) < 1e-3):
        return f"{v:.3g}"
    return f"{v:.4g}"
