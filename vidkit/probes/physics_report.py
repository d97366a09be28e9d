"""The :class:`PhysicsReport` of :func:`vidkit.probes.physics`: its table, verdict, plot and views.

A :class:`PhysicsReport` holds the tracks, each probe's :class:`~vidkit.probes.result.ProbeResult`,
a findings table (pandas DataFrame: probe, object, frames, severity, sentence, value, threshold),
an overall verdict, a matplotlib figure (:meth:`PhysicsReport.plot`) and a rich HTML view for
notebooks; the constants here are the limits :func:`vidkit.probes.physics` applies.

Example:
    >>> from vidkit.probes.physics_report import TRACK_PROBES
    >>> TRACK_PROBES[0]
    'gravity'
"""

from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from vidkit.probes.result import CANNOT_JUDGE, Finding, ProbeResult
from vidkit.probes.tracking import Tracks
from vidkit.probes.trajectory import Motion
from vidkit.video import Video

__all__ = ["PhysicsReport", "TRACK_PROBES", "FLOW_PROBES"]

#: probes that read the tracked trajectories
TRACK_PROBES = ("gravity", "bounce", "permanence", "conservation", "continuity", "smoothness")
#: probes that need optical flow (skipped with ``flow=False``)
FLOW_PROBES = ("warping_error", "dynamic_degree_classical")
_COLUMNS = ["probe", "object", "frames", "severity", "sentence", "value", "threshold"]
#: probes whose failure does not make the verdict fail (quality numbers and shot structure)
_INFO_ONLY = ("dynamic_degree_classical", "warping_error", "cuts")
INFO_PROBES = _INFO_ONLY
#: above this many objects the report warns that identities may swap
MAX_RELIABLE_OBJECTS = 8
#: a window with more moving regions than this is not judged (texture, clutter, a crowd)
MAX_OBJECTS = 16
#: the working size's long side (px): 64x64 .. 384x216 scenes are analysed at their own size
DEFAULT_MAX_SIDE = 384
#: the most frames analysed at once (longer shots are judged in parts)
DEFAULT_WINDOW = 96
#: objects seen in fewer frames (or 15% of the window, 30% with a moving camera) are not judged
MIN_TRACK = 5
#: frames must be at least this many pixels on each side (at the working size)
MIN_SIDE = 16
#: frame rates the probes judge
FPS_RANGE = (1.0, 1000.0)


@dataclass
class PhysicsReport:
    """Findings of every probe on one video (see :func:`physics`).

    Attributes:
        video: the video examined (None when it was read from a file in chunks).
        tracks: the tracked objects (:class:`~vidkit.probes.tracking.Tracks`), in original
            pixel coordinates.
        motion: segments and events read from the tracks.
        results: probe name -> :class:`~vidkit.probes.result.ProbeResult`.
        table: one row per finding (pandas DataFrame).
        verdict: ``"pass"``, ``"fail"`` or ``"cannot judge"``.
        notes: whole-video remarks (too many objects, windows not judged...).
        reason: why the verdict is ``"cannot judge"`` ("" otherwise).
        cuts: frames that start a new shot.
        windows: ``(first, end)`` frame ranges analysed one at a time (shots, or parts of long
            ones).
        camera: per window, its :class:`~vidkit.probes.camera.CameraMotion` (None when not
            measured).
        frame: the first frame at the working size (for plots).
        size: ``(H, W)`` of the original frames; ``work_size``: of the analysed ones.
    """

    video: Video | None
    tracks: Tracks
    motion: Motion
    results: dict[str, ProbeResult]
    verdict: str
    notes: list[str] = field(default_factory=list)
    expected_g: float | None = None
    scale: float | None = None
    reason: str = ""
    cuts: list[int] = field(default_factory=list)
    windows: list[tuple[int, int]] = field(default_factory=list)
    camera: list[Any] = field(default_factory=list, repr=False)
    frame: np.ndarray | None = field(default=None, repr=False)
    size: tuple[int, int] = (0, 0)
    work_size: tuple[int, int] = (0, 0)

    @property
    def passed(self) -> bool | None:
        """True (pass), False (fail) or None (cannot judge)."""
        return {"pass": True, "fail": False}.get(self.verdict)

    @property
    def cannot_judge(self) -> list[str]:
        """Names of the (verdict-setting) probes that could not judge this video."""
        return [n for n, r in self.results.items() if n not in _INFO_ONLY and r.passed is None]

    def camera_table(self) -> Any:
        """The camera's motion per frame pair (pandas DataFrame: frames, dx, dy in original
        pixels, rotation, zoom, inliers, residual, what measured the pair, status of its window).

        Example:
            >>> rep.camera_table().head()  # doctest: +SKIP
        """
        import pandas as pd

        sx = self.size[1] / self.work_size[1] if self.work_size[1] else 1.0
        rows = []
        for (a, _), cam in zip(self.windows, self.camera):
            if cam is None:
                continue
            df = cam.table()
            df["frames"] = [f"{a + t}-{a + t + 1}" for t in range(len(df))]
            df["dx"] *= sx
            df["dy"] *= sx
            df["residual_px"] *= sx
            df["status"] = cam.status
            rows.append(df)
        cols = ["frames", "dx", "dy", "rotation_deg", "zoom", "inliers", "residual_px"]
        cols += ["measured_by", "status"]
        return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=cols)

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
                "frames; every probe that could judge passed"
            )
        return f"CANNOT JUDGE: {self.reason or 'nothing moves that the probes could follow'}"

    def scores(self) -> dict[str, float]:
        """Headline numbers of every probe, ``"probe.score"`` -> value."""
        out: dict[str, float] = {}
        for name, r in self.results.items():
            for k, v in r.scores.items():
                out[f"{name}.{k}"] = v
        return out

    def physics_score(self, *, untracked: float = 0.0) -> dict[str, float]:
        """The physics score of this video, as ``vk.compare`` and the leaderboard use it.

        ``{"score": share of the judging probes that passed, "<probe>": 1/0/NaN, "tracked": 1/0,
        "cannot_judge": 1/0}``. Information-only probes (warping error, dynamic degree, cuts) do
        not count. A video the probes cannot judge has ``score`` NaN (left out of a mean, never
        a pass) and ``cannot_judge`` 1; a video with no moving object at all scores
        ``untracked`` (default 0: every prompt of the suites asks for motion).

        Example:
            >>> import vidkit as vk
            >>> rep = vk.probes.physics(vk.synth.render("free_fall", seed=0).video)
            >>> s = rep.physics_score()
            >>> s["score"], s["gravity"], s["bounce"], s["cannot_judge"]  # no bounce to judge
            (1.0, 1.0, nan, 0.0)
        """
        out: dict[str, float] = {}
        judged = []
        for name in (*TRACK_PROBES, "flicker", *FLOW_PROBES):
            if name in INFO_PROBES:
                continue
            r = self.results.get(name)
            passed = None if r is None else r.passed
            out[name] = float("nan") if passed is None else float(bool(passed))
            if passed is not None:
                judged.append(bool(passed))
        tracked = self.tracks is not None and int(self.tracks.n_objects or 0) > 0
        out["tracked"] = float(tracked)
        # "cannot judge" is never a pass: such a video is left out of the mean and counted
        cannot = self.verdict == "cannot judge"
        out["cannot_judge"] = float(cannot)
        if not tracked and "no moving object" in (self.reason or "no moving object"):
            out["score"] = float(untracked)
        elif cannot or not judged:
            out["score"] = float("nan")
        else:
            out["score"] = float(np.mean(judged))
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
        moving = [c for c in self.camera if c is not None and c.status != "static"]
        ncols = 4 if moving else 3
        fig, axes = plt.subplots(1, ncols, figsize=(figsize[0] * ncols / 3, figsize[1]))
        ax0, ax1, ax2 = axes[:3]
        H, W = tr.size
        img = (
            self.frame
            if self.frame is not None
            else (self.video.frames[0] if self.video is not None else np.zeros((H, W, 3)))
        )
        ax0.imshow(
            np.clip(img, 0, 1), interpolation="nearest", extent=(-0.5, W - 0.5, H - 0.5, -0.5)
        )
        ax0.set_title("frame 0: tracks and fits", fontsize=9)
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
        for c in self.cuts:
            ax2.axvline(c - 0.5, color="k", ls="--", lw=1)
        ax2.set_xlabel("frame")
        ax2.set_title(f"per-frame signals; red = failing frames ({self.verdict})", fontsize=9)
        ax2.legend(fontsize=7, loc="best")
        if moving:
            ax3 = axes[3]
            cam = self.camera_table()
            x = np.arange(len(cam)) + 0.5
            ax3.plot(x, cam["dx"].to_numpy(float), label="dx (px/frame)")
            ax3.plot(x, cam["dy"].to_numpy(float), label="dy (px/frame)")
            ax3.plot(x, 100 * (cam["zoom"].to_numpy(float) - 1), label="zoom (% per frame)")
            ax3.set_xlabel("frame pair")
            ax3.set_title("camera motion (compensated where possible)", fontsize=9)
            ax3.legend(fontsize=7, loc="best")
        fig.tight_layout()
        return fig

    def _repr_html_(self) -> str:
        color = {"pass": "#2a7", "fail": "#c33"}.get(self.verdict, "#888")
        rows = []
        for name, r in self.results.items():
            v = {True: "pass", False: "FAIL", None: CANNOT_JUDGE}[r.passed]
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
