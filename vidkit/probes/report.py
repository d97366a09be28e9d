"""``physics()``: every probe that applies to a video, gathered into one report.

A :class:`PhysicsReport` holds the tracks, each probe's :class:`~vidkit.probes.result.ProbeResult`,
a findings table (pandas DataFrame: probe, object, frames, severity, sentence, value, threshold),
an overall verdict, a matplotlib figure (:meth:`PhysicsReport.plot`) and a rich HTML view for
notebooks. :func:`physics_batch` runs it over many videos and returns one table row per video.

Verdicts: ``"pass"`` (every applicable probe passed), ``"fail"`` (at least one failed),
``"no moving object found"`` (nothing to track: only the temporal probes ran). Dynamic degree is
reported as information and never changes the verdict (a still video is not unphysical).

Example:
    >>> import vidkit as vk
    >>> rep = vk.probes.physics(vk.synth.render("bounce", seed=0).video)   # doctest: +SKIP
    >>> rep.verdict, len(rep.table)                                        # doctest: +SKIP
    ('pass', 4)
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from vidkit.probes.physics import (
    Motion,
    analyze_motion,
    bounce,
    conservation,
    continuity,
    gravity,
    permanence,
    smoothness,
)
from vidkit.probes.result import Finding, ProbeResult
from vidkit.probes.temporal import dynamic_degree_classical, flicker, warping_error
from vidkit.probes.tracking import MIN_FRAMES, Tracks, track
from vidkit.video import Video, as_video

__all__ = ["PhysicsReport", "physics", "physics_batch", "TRACK_PROBES", "FLOW_PROBES"]

#: probes that read the tracked trajectories
TRACK_PROBES = ("gravity", "bounce", "permanence", "conservation", "continuity", "smoothness")
#: probes that need optical flow (skipped with ``flow=False``)
FLOW_PROBES = ("warping_error", "dynamic_degree_classical")
_COLUMNS = ["probe", "object", "frames", "severity", "sentence", "value", "threshold"]
#: probes whose failure does not make the verdict fail
_INFO_ONLY = ("dynamic_degree_classical",)
#: above this many objects the report warns that identities may swap
MAX_RELIABLE_OBJECTS = 8


@dataclass
class PhysicsReport:
    """Findings of every probe on one video (see :func:`physics`).

    Attributes:
        video: the video examined.
        tracks: the tracked objects (:class:`~vidkit.probes.tracking.Tracks`).
        motion: segments and events read from the tracks.
        results: probe name -> :class:`~vidkit.probes.result.ProbeResult`.
        table: one row per finding (pandas DataFrame).
        verdict: ``"pass"``, ``"fail"`` or ``"no moving object found"``.
        notes: whole-video remarks (too many objects, ...).
    """

    video: Video
    tracks: Tracks
    motion: Motion
    results: dict[str, ProbeResult]
    verdict: str
    notes: list[str] = field(default_factory=list)
    expected_g: float | None = None
    scale: float | None = None

    @property
    def passed(self) -> bool | None:
        """True (pass), False (fail) or None (nothing to judge)."""
        return {"pass": True, "fail": False}.get(self.verdict)

    @property
    def failures(self) -> list[Finding]:
        """All findings of severity ``"fail"``."""
        return [
            f
            for name, r in self.results.items()
            if name not in _INFO_ONLY
            for f in r.findings
            if f.severity == "fail"
        ]

    @property
    def table(self) -> Any:
        """Findings as a pandas DataFrame (failures first)."""
        import pandas as pd

        rows = [f.as_row() for r in self.results.values() for f in r.findings]
        rows += [Finding("report", n, "warn").as_row() for n in self.notes]
        df = pd.DataFrame(rows, columns=_COLUMNS)
        order = {"fail": 0, "warn": 1, "info": 2}
        if len(df):
            df = df.sort_values("severity", key=lambda s: s.map(order), kind="stable").reset_index(
                drop=True
            )
        return df

    @property
    def summary(self) -> str:
        """One sentence: the verdict and the first failure."""
        if self.verdict == "fail":
            first = self.failures[0].sentence
            n = len(self.failures)
            more = f" (and {n - 1} more finding{'s' if n > 2 else ''})" if n > 1 else ""
            return f"FAIL: {first}{more}"
        if self.verdict == "pass":
            return (
                f"PASS: {self.tracks.n_objects} object(s) tracked over {self.tracks.num_frames} "
                "frames; every probe passed"
            )
        return f"{self.verdict.upper()}: nothing moves that the probes could follow"

    def scores(self) -> dict[str, float]:
        """Headline numbers of every probe, ``"probe.score"`` -> value."""
        out: dict[str, float] = {}
        for name, r in self.results.items():
            for k, v in r.scores.items():
                out[f"{name}.{k}"] = v
        return out

    def __repr__(self) -> str:
        return f"PhysicsReport({self.summary!r})"

    # ----------------------------------------------------------------- plots
    def plot(self, *, figsize: tuple[float, float] = (12.0, 3.6)) -> Any:
        """Figure: tracked paths with fitted curves over a frame, y(t) with the fits, and
        per-frame probe signals with failing frames marked. Returns a matplotlib Figure.

        Example:
            >>> fig = rep.plot()  # doctest: +SKIP
        """
        import matplotlib.pyplot as plt

        tr, m = self.tracks, self.motion
        fig, axes = plt.subplots(1, 3, figsize=figsize)
        ax0, ax1, ax2 = axes
        mid = self.video.num_frames // 2
        ax0.imshow(np.clip(self.video.frames[mid], 0, 1), interpolation="nearest")
        ax0.set_title(f"frame {mid}: tracks and fits", fontsize=9)
        colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
        t = tr.times
        for i in range(tr.n_objects):
            c = colors[i % len(colors)]
            vis = tr.visible[i]
            ax0.plot(tr.centers[i, vis, 0], tr.centers[i, vis, 1], ".", ms=3, color=c)
            ax1.plot(t[vis], tr.centers[i, vis, 1], ".", ms=4, color=c, label=f"object {i}")
            for s in m.segments[i]:
                tt = np.linspace(s.frames[0], s.frames[-1], 40) / tr.fps
                p = s.pos(tt)
                ax0.plot(p[:, 0], p[:, 1], "-", lw=1, color=c, alpha=0.8)
                ax1.plot(tt, p[:, 1], "-", lw=1, color=c, alpha=0.8)
            pend = m.pendulum[i]
            if pend is not None:
                ax0.plot(*pend["pivot"], "+", color=c, ms=8)
        H, W = tr.size
        ax0.set_xlim(-0.5, W - 0.5)
        ax0.set_ylim(H - 0.5, -0.5)
        ax0.set_xticks([])
        ax0.set_yticks([])
        ax1.invert_yaxis()
        ax1.set_xlabel("time (s)")
        ax1.set_ylabel("y (px, down)")
        ax1.set_title("vertical position and fitted free flight", fontsize=9)
        if tr.n_objects:
            ax1.legend(fontsize=7, loc="best")
        # per-frame signals
        T = tr.num_frames
        fl = self.results.get("flicker")
        if fl is not None and "jump" in fl.details:
            ax2.plot(np.arange(T), 100 * fl.details["jump"], label="brightness jump (%)")
        we = self.results.get("warping_error")
        if we is not None and "pair_error" in we.details:
            e = we.details["pair_error"]
            ax2.plot(np.arange(len(e)) + 0.5, 1000 * e, label="warping error (x1000)")
        steps = []
        for i in range(tr.n_objects):
            s = np.full(T, np.nan)
            s[1:] = np.hypot(*np.diff(tr.centers[i], axis=0).T)
            steps.append(s)
        if steps:
            st = np.stack(steps)
            seen = np.isfinite(st).any(axis=0)
            big = np.full(T, np.nan)
            big[seen] = np.nanmax(st[:, seen], axis=0)
            ax2.plot(np.arange(T), big, label="largest step (px)")
        for f in self.failures:
            for fr in f.frames:
                ax2.axvline(fr, color="red", alpha=0.25, lw=3)
        ax2.set_xlabel("frame")
        ax2.set_title(f"per-frame signals; red = failing frames ({self.verdict})", fontsize=9)
        ax2.legend(fontsize=7, loc="best")
        fig.tight_layout()
        return fig

    def _repr_html_(self) -> str:
        color = {"pass": "#2a7", "fail": "#c33"}.get(self.verdict, "#888")
        rows = []
        for name, r in self.results.items():
            v = {True: "pass", False: "FAIL", None: "n/a"}[r.passed]
            if name in _INFO_ONLY:
                v = "info"
            rows.append(
                f"<tr><td>{html.escape(name)}</td><td>{v}</td>"
                f"<td>{html.escape(r.sentence)}</td></tr>"
            )
        probe_table = (
            "<table><tr><th>probe</th><th>result</th><th>what it saw</th></tr>"
            + "".join(rows)
            + "</table>"
        )
        df = self.table
        findings = df[df.severity != "info"] if len(df) else df
        ftable = (
            findings.to_html(index=False, escape=True, max_rows=40)
            if len(findings)
            else "<p>no findings</p>"
        )
        img = ""
        try:
            import matplotlib.pyplot as plt

            fig = self.plot()
            buf = io.BytesIO()
            fig.savefig(buf, format="png", dpi=80, bbox_inches="tight")
            plt.close(fig)
            data = base64.b64encode(buf.getvalue()).decode("ascii")
            img = f"<img src='data:image/png;base64,{data}' style='max-width:100%'/>"
        except Exception as exc:  # pragma: no cover - a plot failure must not hide the report
            img = f"<p>(plot unavailable: {html.escape(str(exc))})</p>"
        notes = "".join(f"<li>{html.escape(n)}</li>" for n in self.notes)
        return (
            f"<div><h4 style='margin:4px 0'>Physics report: "
            f"<span style='color:{color}'>{html.escape(self.verdict)}</span></h4>"
            f"<p>{html.escape(self.summary)}</p>{probe_table}"
            f"{'<ul>' + notes + '</ul>' if notes else ''}<h5>Findings</h5>{ftable}{img}</div>"
        )


def _coerce(video: Any, fps: float | None) -> Video:
    if hasattr(video, "video") and isinstance(video.video, Video):
        video = video.video  # a vk.synth Scene
    if isinstance(video, Video):
        v = video
    elif isinstance(video, np.ndarray) or type(video).__module__.startswith("torch"):
        v = as_video(video)
    else:
        raise TypeError(
            f"physics() expects a vidkit Video (or a [T, H, W, 3] array, or a synth Scene), got "
            f"{type(video).__name__}"
        )
    if fps is not None:
        if not np.isfinite(fps) or fps <= 0:
            raise ValueError(f"fps must be a positive number, got {fps!r}")
        v = Video(v.frames, fps=float(fps), metadata=v.metadata)
    if v.num_frames < MIN_FRAMES:
        raise ValueError(
            f"the video has {v.num_frames} frame(s); the physics probes need at least "
            f"{MIN_FRAMES} (a trajectory needs 4 points to show an acceleration)"
        )
    return v


def physics(
    video: Any,
    *,
    expected_g: float | None = None,
    scale: float | None = None,
    fps: float | None = None,
    flow: bool = True,
) -> PhysicsReport:
    """Run every probe that applies to ``video`` and gather the findings.

    Tracks the objects once, then runs gravity, bounce, permanence, conservation, continuity,
    smoothness (on the tracks), flicker, and with ``flow=True`` warping error and dynamic degree
    (classical optical flow; slower). A video where nothing moves gets the finding "no moving
    object found" and the verdict of the same name.

    Args:
        video: a :class:`vidkit.Video`, a ``[T, H, W, 3]`` array or a ``vk.synth`` Scene; at
            least 4 frames. Grayscale frames work.
        expected_g: gravity the video should show (px/s^2, or m/s^2 with ``scale``); without it
            gravity is checked for consistency only.
        scale: pixels per metre, to report g in m/s^2.
        fps: override the video's frame rate (g scales with fps^2).
        flow: include the optical-flow probes.

    Returns:
        :class:`PhysicsReport`.

    Example:
        >>> scene = vk.synth.render("bounce", seed=3, violation="energy_gain")  # doctest: +SKIP
        >>> rep = vk.probes.physics(scene.video)  # doctest: +SKIP
        >>> rep.verdict, rep.failures[0].probe  # doctest: +SKIP
        ('fail', 'bounce')
    """
    v = _coerce(video, fps)
    tr = track(v)
    m = analyze_motion(tr)
    results: dict[str, ProbeResult] = {}
    notes: list[str] = []
    if tr.n_objects == 0:
        results["tracking"] = ProbeResult(
            "tracking",
            passed=None,
            sentence="no moving object found",
            findings=[Finding("tracking", "no moving object found", "warn")],
        )
    else:
        results["gravity"] = gravity(tr, expected_g=expected_g, scale=scale, motion=m)
        results["bounce"] = bounce(tr, motion=m)
        results["permanence"] = permanence(tr, motion=m)
        results["conservation"] = conservation(tr, motion=m)
        results["continuity"] = continuity(tr, motion=m)
        results["smoothness"] = smoothness(tr, motion=m)
        if tr.n_objects > MAX_RELIABLE_OBJECTS:
            notes.append(
                f"{tr.n_objects} objects tracked: with more than {MAX_RELIABLE_OBJECTS} the "
                "identities may swap when objects cross, so check failures by eye"
            )
    results["flicker"] = flicker(v)
    if flow:
        results["warping_error"] = warping_error(v)
        results["dynamic_degree_classical"] = dynamic_degree_classical(v)
    judged = [r for n, r in results.items() if n not in _INFO_ONLY and n != "tracking"]
    if any(r.passed is False for r in judged):
        verdict = "fail"
    elif tr.n_objects == 0:
        verdict = "no moving object found"
    else:
        verdict = "pass"
    return PhysicsReport(v, tr, m, results, verdict, notes, expected_g, scale)


def physics_batch(
    videos: Iterable[Any] | Mapping[str, Any],
    *,
    expected_g: float | None = None,
    scale: float | None = None,
    fps: float | None = None,
    flow: bool = False,
    progress: bool = True,
) -> Any:
    """:func:`physics` over many videos; one table row per video (pandas DataFrame).

    Columns: ``name``, ``verdict``, ``objects``, ``failures`` (count), ``first_failure``
    (sentence), one ``<probe>`` column per probe (True/False/None) and the headline scores
    (``g``, ``restitution``, ``max_jump_px``, ``ldlj``, ``vbench_flicker``...). A video that
    cannot be examined (too short, wrong type) gets verdict ``"error"`` and the message in
    ``first_failure`` instead of stopping the batch. Flow probes are off by default here.

    Example:
        >>> scenes = [vk.synth.render("bounce", seed=s) for s in range(4)]  # doctest: +SKIP
        >>> vk.probes.physics_batch(scenes)[["name", "verdict"]]  # doctest: +SKIP
    """
    from tqdm.auto import tqdm

    if isinstance(videos, Mapping):
        items = list(videos.items())
    else:
        items = []
        for k, vid in enumerate(videos):
            nm = getattr(vid, "kind", None)
            label = f"{k}" if nm is None else f"{k}:{nm}"
            if getattr(vid, "violation", None):
                label += f":{vid.violation}"
            items.append((label, vid))
    import pandas as pd

    rows = []
    for name, vid in tqdm(items, desc="physics probes", disable=not progress):
        row: dict[str, Any] = {"name": name}
        try:
            rep = physics(vid, expected_g=expected_g, scale=scale, fps=fps, flow=flow)
        except (ValueError, TypeError) as exc:
            row.update(verdict="error", objects=0, failures=0, first_failure=str(exc))
            rows.append(row)
            continue
        fails = rep.failures
        row.update(
            verdict=rep.verdict,
            objects=rep.tracks.n_objects,
            failures=len(fails),
            first_failure=fails[0].sentence if fails else "",
        )
        for pname, r in rep.results.items():
            row[pname] = r.passed
        sc = rep.scores()
        for key in (
            "gravity.g",
            "bounce.restitution",
            "continuity.max_jump_px",
            "conservation.max_size_change",
            "smoothness.ldlj",
            "flicker.vbench_flicker",
            "warping_error.warping_error",
        ):
            if key in sc:
                row[key.split(".", 1)[1]] = sc[key]
        rows.append(row)
    return pd.DataFrame(rows)
