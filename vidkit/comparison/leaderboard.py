""":class:`Leaderboard`: models ranked on several metrics with bootstrap confidence intervals, as a
table, Markdown, CSV, HTML, plots, side-by-side videos and a viewer widget.
"""

from __future__ import annotations

import html
import math
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from vidkit.comparison.metrics import Metric
from vidkit.metrics.intervals import mean_interval
from vidkit.store import RunStore
from vidkit.video import Video

#: per-video 0/1 columns that the leaderboard sums into a count per model instead of averaging
COUNT_SUFFIXES = (".cannot_judge",)


def _fmt(v: float, digits: int = 3) -> str:
    if v is None or not np.isfinite(v):
        return "–"
    if v != 0 and (abs(v) >= 1e4 or abs(v) < 1e-3):
        return f"{v:.{digits}g}"
    return (
        f"{v:.{digits}g}" if abs(v) < 1 else f"{v:.{max(1, digits - int(math.log10(abs(v))) - 1)}f}"
    )


class Leaderboard:
    """Models ranked on several metrics, each with its mean and bootstrap confidence interval.

    Built by :func:`compare` (or from a per-video table and per-model results).

    Attributes:
        items: per-video DataFrame (model, prompt_id, prompt, seed, key, metric columns).
        model_results: ``{model: {metric: {"value", "low", "high", "n", "provenance"}}}``.
        metrics: the :class:`Metric` objects; ``directions``: ``{column: higher_is_better}``.
        table: long DataFrame, one row per (model, metric): value, low, high, n, rank.

    Example (the examples of the methods use this ``board``):
        >>> import tempfile
        >>> import vidkit as vk
        >>> from vidkit.comparison import SynthModel
        >>> board = vk.compare(
        ...     {"physics": SynthModel(), "teleports": SynthModel("teleport")},
        ...     prompts=["a red ball falls", "a blue ball bounces to the right on a grey floor"],
        ...     seeds=[0, 1], metrics=["physics"], store=tempfile.mkdtemp(), progress=False,
        ... )
        >>> board.order()
        ['physics', 'teleports']
        >>> board.plot(); board.show(prompt="p001")  # doctest: +SKIP
    """

    def __init__(
        self,
        items: Any,
        model_results: Mapping[str, Mapping[str, Mapping[str, Any]]] | None,
        metrics: Sequence[Metric],
        *,
        store: RunStore | None = None,
        models: Sequence[str] | None = None,
        n_bootstrap: int = 1000,
        ci: float = 0.95,
        seed: int = 0,
    ) -> None:
        import pandas as pd

        if not isinstance(items, pd.DataFrame):
            items = pd.DataFrame(list(items))
        if "model" not in items.columns:
            raise ValueError("items needs a 'model' column")
        self.items = items.reset_index(drop=True)
        self.model_results = {k: dict(v) for k, v in (model_results or {}).items()}
        self.metrics = list(metrics)
        self.store = store
        self.models = (
            list(models) if models is not None else list(dict.fromkeys(self.items["model"]))
        )
        self.n_bootstrap = int(n_bootstrap)
        self.ci = float(ci)
        self.seed = int(seed)
        self.directions: dict[str, bool] = {}
        self.main: list[str] = []
        self.descriptions: dict[str, str] = {}
        for m in self.metrics:
            self.main.append(m.name)
            self.descriptions[m.name] = m.description
            self.directions.update(m.directions())
            if m.scope == "video":
                for col in self.items.columns:
                    if col.startswith(m.name + ".") and col not in self.directions:
                        self.directions[col] = m.higher_is_better
        self.table = self._build_table()

    # ------------------------------------------------------------------ numbers
    def _build_table(self) -> Any:
        import pandas as pd

        rows = []
        rng = np.random.default_rng(self.seed)
        scopes = {m.name: m.scope for m in self.metrics}
        for col, hib in self.directions.items():
            parent = col.split(".")[0]
            for model in self.models:
                if scopes.get(parent) == "model":
                    r = self.model_results.get(model, {}).get(col, {})
                    value, low, high = (
                        float(r.get(k, float("nan"))) for k in ("value", "low", "high")
                    )
                    n = int(r.get("n", 0))
                elif col in self.items.columns and col.endswith(COUNT_SUFFIXES):
                    # a count per model (e.g. videos the probes could not judge), not a mean
                    vals = self.items.loc[self.items["model"] == model, col].to_numpy(dtype=float)
                    value = low = high = float(np.nansum(vals))
                    n = int(np.isfinite(vals).sum())
                elif col in self.items.columns:
                    vals = self.items.loc[self.items["model"] == model, col].to_numpy(dtype=float)
                    value, low, high = mean_interval(vals, self.n_bootstrap, self.ci, rng)
                    n = int(np.isfinite(vals).sum())
                else:
                    value = low = high = float("nan")
                    n = 0
                rows.append(
                    {
                        "model": model,
                        "metric": col,
                        "value": value,
                        "low": low,
                        "high": high,
                        "n": n,
                        "higher_is_better": hib,
                        "headline": col in self.main,
                    }
                )
        columns = ["model", "metric", "value", "low", "high", "n", "higher_is_better", "headline"]
        df = pd.DataFrame(rows, columns=columns)
        df["rank"] = pd.Series(dtype=int)
        if len(df):
            ranks = []
            for _, g in df.groupby("metric", sort=False):
                hib = bool(g["higher_is_better"].iloc[0])
                r = g["value"].rank(ascending=not hib, method="min", na_option="bottom")
                ranks.append(r)
            df["rank"] = pd.concat(ranks).astype(int)
        return df

    def ranks(self) -> Any:
        """Rank of each model on each headline metric (1 = best) and overall (mean rank).

        Example:
            >>> board.ranks()
            metric     physics  overall
            model
            physics          1        1
            teleports        2        2
        """
        import pandas as pd

        t = self.table[self.table["headline"]]
        if not len(t):  # no metric: every model shares rank 1
            return pd.DataFrame({"overall": [1] * len(self.models)}, index=self.models)
        wide = t.pivot(index="model", columns="metric", values="rank").reindex(self.models)
        wide = wide[[c for c in self.main if c in wide.columns]]
        wide["overall"] = wide.mean(axis=1).rank(method="min").astype(int)
        return wide.sort_values(["overall", *wide.columns[:1]])

    def order(self) -> list[str]:
        """Model names from best to worst (overall rank).

        Example:
            >>> board.order()
            ['physics', 'teleports']
        """
        return list(self.ranks().index)

    def best(self, metric: str | None = None) -> str:
        """The best model overall, or on ``metric``.

        Example:
            >>> board.best("physics")
            'physics'
        """
        if metric is None:
            return self.order()[0]
        self._check_metric(metric)
        t = self.table[self.table["metric"] == metric].sort_values("rank")
        return str(t["model"].iloc[0])

    def value(self, model: str, metric: str) -> float:
        """The mean (or per-model value) of ``metric`` for ``model``.

        Example:
            >>> board.value("physics", "physics")
            1.0
        """
        self._check_metric(metric)
        if model not in self.models:
            raise KeyError(f"unknown model {model!r}; models: {self.models}")
        t = self.table
        return float(t[(t["model"] == model) & (t["metric"] == metric)]["value"].iloc[0])

    def interval(self, model: str, metric: str) -> tuple[float, float]:
        """The confidence interval ``(low, high)`` of ``metric`` for ``model``.

        Example:
            >>> low, high = board.interval("teleports", "physics")
            >>> low <= board.value("teleports", "physics") <= high
            True
        """
        self._check_metric(metric)
        t = self.table
        r = t[(t["model"] == model) & (t["metric"] == metric)]
        if not len(r):
            raise KeyError(f"unknown model {model!r}; models: {self.models}")
        return float(r["low"].iloc[0]), float(r["high"].iloc[0])

    def _check_metric(self, metric: str) -> None:
        if metric not in self.directions:
            raise KeyError(
                f"unknown metric {metric!r}; this leaderboard has {list(self.directions)}"
            )

    def summary(self, metrics: Sequence[str] | None = None) -> Any:
        """One row per model (best first): each metric's value, CI low/high, and the ranks.

        Example:
            >>> board.summary()[["physics", "rank"]].round(3)
                       physics  rank
            model
            physics      1.000     1
            teleports    0.845     2
        """
        import pandas as pd

        cols = list(metrics) if metrics is not None else list(self.main)
        for c in cols:
            self._check_metric(c)
        order = self.order()
        t = self.table.set_index(["model", "metric"])
        data: dict[str, list[Any]] = {}
        for c in cols:
            data[c] = [t.loc[(m, c), "value"] for m in order]
            data[f"{c} low"] = [t.loc[(m, c), "low"] for m in order]
            data[f"{c} high"] = [t.loc[(m, c), "high"] for m in order]
        data["rank"] = list(self.ranks()["overall"].reindex(order))
        return pd.DataFrame(data, index=pd.Index(order, name="model"))

    def per_prompt(self, metric: str | None = None) -> Any:
        """Mean of a per-video ``metric`` per prompt (rows) and model (columns).

        Example:
            >>> board.per_prompt("physics").shape  # (prompt_id, prompt) x model
            (2, 2)
        """
        metric = metric or next((m.name for m in self.metrics if m.scope == "video"), None)
        if metric is None or metric not in self.items.columns:
            raise ValueError(
                f"per_prompt needs a per-video metric; this leaderboard has {list(self.items.columns)}"
            )
        df = self.items.pivot_table(
            index=["prompt_id", "prompt"], columns="model", values=metric, aggfunc="mean"
        )
        return df.reindex(columns=self.models)

    # ------------------------------------------------------------------ text exports
    def _counted(self, col: str) -> list[str]:
        """The count columns shown beside ``col`` (``physics.cannot_judge``: videos not judged)."""
        return [
            f"{col}{suffix}" for suffix in COUNT_SUFFIXES if f"{col}{suffix}" in self.directions
        ]

    def _headers(self, cols: Sequence[str]) -> list[str]:
        out = []
        for c in cols:
            out.append(f"{c} {'↑' if self.directions[c] else '↓'}")
            out += [f"{c} not judged" for _ in self._counted(c)]
        return out

    def _cells(
        self, cols: Sequence[str], bold: Callable[[str], str] | None = None
    ) -> list[list[str]]:
        order = self.order()
        t = self.table.set_index(["model", "metric"])
        ranks = self.ranks()["overall"]
        out = []
        for m in order:
            row = [m, str(int(ranks[m]))]
            for c in cols:
                r = t.loc[(m, c)]
                cell = f"{_fmt(r['value'])} [{_fmt(r['low'])}, {_fmt(r['high'])}]"
                if bold is not None and int(r["rank"]) == 1 and np.isfinite(r["value"]):
                    cell = bold(cell)
                row.append(cell)
                for k in self._counted(c):  # a count per model, never averaged into the score
                    n = t.loc[(m, k), "value"]
                    row.append(str(int(n)) if np.isfinite(n) else "")
            out.append(row)
        return out

    def to_markdown(
        self, path: str | os.PathLike | None = None, *, metrics: Sequence[str] | None = None
    ) -> str:
        """The leaderboard as a Markdown table (``value [low, high]``, best in bold; beside the
        physics score, how many videos the probes could not judge: left out of its mean); written
        to ``path`` when given.

        Example:
            >>> print(board.to_markdown())
            | model | rank | physics ↑ | physics not judged |
            |---|---|---|---|
            | physics | 1 | **1.00 [1.00, 1.00]** | 0 |
            | teleports | 2 | 0.845 [0.833, 0.857] | 0 |
            <BLANKLINE>
            Mean [95% bootstrap CI]; ↑ higher is better, ↓ lower is better; N = 4 videos per model.
            <BLANKLINE>
        """
        cols = list(metrics) if metrics is not None else list(self.main)
        head = ["model", "rank", *self._headers(cols)]
        lines = ["| " + " | ".join(head) + " |", "|" + "|".join(["---"] * len(head)) + "|"]
        for row in self._cells(cols, bold=lambda s: f"**{s}**"):
            lines.append("| " + " | ".join(row) + " |")
        lines.append("")
        lines.append(
            f"Mean [{self.ci:.0%} bootstrap CI]; ↑ higher is better, ↓ lower is better; "
            f"N = {self._n_text()}."
        )
        text = "\n".join(lines) + "\n"
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text

    def _n_text(self) -> str:
        counts = self.items.groupby("model").size()
        ns = sorted(set(int(c) for c in counts))
        return " / ".join(map(str, ns)) + " videos per model"

    def to_csv(self, path: str | os.PathLike | None = None) -> str:
        """The long table (model, metric, value, low, high, n, higher_is_better, rank) as CSV;
        written to ``path`` when given.

        Example:
            >>> print(board.to_csv().splitlines()[1])
            physics,physics,1.0,1.0,1.0,4,True,True,1
        """
        text = self.table.to_csv(index=False)
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text

    def table_html(self, cols: Sequence[str] | None = None) -> str:
        """The table as an HTML ``<table>`` (what a notebook shows), for ``cols`` (default the
        headline metrics), with its note on the intervals.

        Example:
            >>> board.table_html().startswith('<table class="vidkit-leaderboard"')
            True
        """
        cols = list(cols) if cols is not None else list(self.main)
        head = "".join(
            f"<th>{html.escape(h)}</th>" for h in ["model", "rank", *self._headers(cols)]
        )
        body = []
        for row in self._cells(cols, bold=lambda s: f"\x00{s}\x01"):
            cells = []
            for c in row:
                esc = html.escape(c).replace("\x00", "<b>").replace("\x01", "</b>")
                cells.append(f"<td>{esc}</td>")
            body.append("<tr>" + "".join(cells) + "</tr>")
        note = html.escape(
            f"Mean [{self.ci:.0%} bootstrap CI]; ↑ higher is better, ↓ lower is better; N = {self._n_text()}."
        )
        return (
            '<table class="vidkit-leaderboard" style="border-collapse:collapse">'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
            f'<div style="font-size:11px;color:#666">{note}</div>'
        )

    def _repr_html_(self) -> str:
        return self.table_html()

    def __repr__(self) -> str:
        cols = list(self.main)
        rows = [["model", "rank", *self._headers(cols)], *self._cells(cols)]
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in rows]
        return "Leaderboard\n" + "\n".join(lines)

    def showcase_prompts(self, n: int = 4) -> list[str]:
        """Prompt ids worth watching side by side: one per kind of motion first (when the suite
        names kinds), and within a kind the prompt where the models' mean per-video score (e.g.
        physics) differs most; suite order breaks ties.

        Example:
            >>> board.showcase_prompts(4)
            ['p000', 'p001']
        """
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
            raise ValueError(f"n must be an int >= 0, got {n!r}")
        ids = list(dict.fromkeys(self.items["prompt_id"]))
        spread: dict[str, float] = {}
        metric = next(
            (m.name for m in self.metrics if m.scope == "video" and m.name in self.items.columns),
            None,
        )
        if metric is not None:
            per = self.per_prompt(metric)
            gap = (per.max(axis=1) - per.min(axis=1)).fillna(0.0)
            spread = {str(pid): float(v) for (pid, _), v in gap.items()}
        kinds = (
            dict(zip(self.items["prompt_id"], self.items["kind"]))
            if "kind" in self.items.columns
            else {}
        )
        order = sorted(ids, key=lambda p: -spread.get(p, 0.0))  # stable: suite order on ties
        picked: list[str] = []
        seen: set[Any] = set()
        for p in order:
            kind = kinds.get(p, p)
            if kind not in seen and len(picked) < n:
                picked.append(p)
                seen.add(kind)
        picked += [p for p in order if p not in picked][: max(0, n - len(picked))]
        return picked

    def to_html(
        self,
        path: str | os.PathLike | None = None,
        *,
        title: str = "vidkit leaderboard",
        prompts: int = 4,
        plots: bool = True,
    ) -> str:
        """A self-contained HTML page: the table, the plots and side-by-side videos of
        ``prompts`` prompts (first seed) chosen by :meth:`showcase_prompts` (one per kind of
        motion, where the models differ most). Written to ``path`` when given; returns the HTML.

        Example:
            >>> page = board.to_html(prompts=1)  # or board.to_html("leaderboard.html")
            >>> page.startswith("<!doctype html>"), "teleports" in page
            (True, True)
        """
        from vidkit.report import Report

        rep = Report(title)
        rep.add_heading("Leaderboard")
        rep.add_html(self.table_html())
        for name, desc in self.descriptions.items():
            if desc:
                rep.add_text(f"{name}: {desc}", note=True)
        if plots:
            rep.add_heading("Metrics with confidence intervals")
            rep.add_figure(self.plot())
        if self.store is not None and prompts:
            rep.add_heading("Side by side")
            for pid in self.showcase_prompts(int(prompts)):
                vids = self.videos(prompt=pid)
                text = self.items.loc[self.items["prompt_id"] == pid, "prompt"].iloc[0]
                rep.add_text(f"{pid}: {text}")
                rep.add_videos(vids)
        text = rep.html()
        if path is not None:
            rep.save(path)
        return text

    # ------------------------------------------------------------------ plots and videos
    def plot(self, metrics: Sequence[str] | None = None, *, profile: bool = True) -> Any:
        """Bars with CIs for each headline metric and, when probe columns exist, a probe-score
        profile per model. Returns a :class:`vidkit.display.ShownFigure` (it displays as a cell's
        value, in a fresh kernel too).

        Example:
            >>> fig = board.plot()  # fig.savefig("leaderboard.png") to keep it
        """
        from vidkit.display import new_figure

        cols = list(metrics) if metrics is not None else list(self.main)
        if not cols:
            raise ValueError("this leaderboard has no metric to plot (compare ran with metrics=[])")
        for c in cols:
            self._check_metric(c)
        subs = [c for c in self.directions if "." in c and c.split(".")[0] in cols]
        has_profile = profile and bool(subs)
        n = len(cols) + (1 if has_profile else 0)
        fig = new_figure(figsize=(3.4 * len(cols) + (5.8 if has_profile else 0), 3.8))
        fig.set_layout_engine("constrained")
        widths = [1] * len(cols) + ([1.9] if has_profile else [])
        axes = fig.subplots(1, n, squeeze=False, gridspec_kw={"width_ratios": widths})[0]
        order = self.order()
        colors = [f"C{i}" for i in range(len(order))]
        t = self.table.set_index(["model", "metric"])
        for ax, c in zip(axes, cols):
            vals = np.array([t.loc[(m, c), "value"] for m in order], dtype=float)
            low = np.array([t.loc[(m, c), "low"] for m in order], dtype=float)
            high = np.array([t.loc[(m, c), "high"] for m in order], dtype=float)
            err = np.vstack([np.clip(vals - low, 0, None), np.clip(high - vals, 0, None)])
            err = np.where(np.isfinite(err), err, 0)
            ax.bar(range(len(order)), np.nan_to_num(vals), yerr=err, capsize=4, color=colors)
            ax.set_xticks(range(len(order)))
            ax.set_xticklabels(order, rotation=30, ha="right", fontsize=10)
            arrow = "higher is better" if self.directions[c] else "lower is better"
            ax.set_title(f"{c}\n({arrow})", fontsize=12)
            ax.grid(axis="y", alpha=0.3)
        if has_profile:
            ax = axes[-1]
            x = np.arange(len(subs))
            for i, m in enumerate(order):
                vals = np.array([t.loc[(m, s), "value"] for s in subs], dtype=float)
                low = np.array([t.loc[(m, s), "low"] for s in subs], dtype=float)
                high = np.array([t.loc[(m, s), "high"] for s in subs], dtype=float)
                ax.errorbar(
                    x + (i - (len(order) - 1) / 2) * 0.08,
                    vals,
                    yerr=np.nan_to_num(np.vstack([vals - low, high - vals]).clip(0)),
                    fmt="o-",
                    color=colors[i],
                    label=m,
                    capsize=3,
                    ms=4,
                )
            ax.set_xticks(x)
            ax.set_xticklabels(
                [s.split(".", 1)[1] for s in subs], rotation=30, ha="right", fontsize=10
            )
            ax.set_title("probe profile\n(mean per probe, 95% CI)", fontsize=12)
            ax.legend(fontsize=9)
            ax.grid(alpha=0.3)
        return fig

    def _prompt_id(self, prompt: Any) -> str:
        ids = list(dict.fromkeys(self.items["prompt_id"]))
        if prompt is None:
            return ids[0]
        if isinstance(prompt, (int, np.integer)) and not isinstance(prompt, bool):
            if not -len(ids) <= int(prompt) < len(ids):
                raise IndexError(f"prompt index {prompt} out of range for {len(ids)} prompts")
            return ids[int(prompt)]
        if prompt in ids:
            return str(prompt)
        hit = self.items.loc[self.items["prompt"] == prompt, "prompt_id"]
        if len(hit):
            return str(hit.iloc[0])
        raise KeyError(
            f"unknown prompt {prompt!r}: give a prompt id ({ids[:3]}...), its text or an index"
        )

    def videos(self, prompt: Any = None, seed: int | None = None) -> dict[str, Video]:
        """``{model: Video}`` for one prompt (id, text or index; default the first) and seed
        (default the first), read from the store.

        Example:
            >>> {name: v.num_frames for name, v in board.videos(prompt="p001", seed=1).items()}
            {'physics': 32, 'teleports': 32}
        """
        if self.store is None:
            raise ValueError("this leaderboard has no run store to read videos from")
        pid = self._prompt_id(prompt)
        rows = self.items[self.items["prompt_id"] == pid]
        if seed is None:
            seed = int(rows["seed"].iloc[0])
        out = {}
        for m in self.models:
            r = rows[(rows["model"] == m) & (rows["seed"] == seed)]
            if not len(r):
                raise KeyError(f"no video for model {m!r}, prompt {pid!r}, seed {seed}")
            out[m] = self.store.video(str(r["key"].iloc[0]))
        return out

    def show(
        self,
        prompt: Any = None,
        seed: int | None = None,
        *,
        return_html: bool = False,
        **show_kwargs: Any,
    ) -> str | None:
        """Videos of all models for one prompt side by side (``vk.show``).

        Example:
            >>> board.show(prompt="p001", seed=1)  # in a notebook  # doctest: +SKIP
            >>> "<video" in board.show(prompt="p001", seed=1, return_html=True)
            True
        """
        from vidkit.display import show

        vids = self.videos(prompt, seed)
        return show(vids, return_html=return_html, **show_kwargs)

    def viewer(self, prompt: Any = None, seed: int | None = None) -> Any:
        """A :class:`vidkit.widgets.CompareViewer` of all models' videos for one prompt.

        Example:
            >>> type(board.viewer(prompt=0)).__name__
            'CompareViewer'
        """
        from vidkit.widgets import CompareViewer

        return CompareViewer(self.videos(prompt, seed))
