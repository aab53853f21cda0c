"""Figures for the study reports (PNG, matplotlib, no display needed)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from models_py.panel import PanelResult


def coefficient_plot(
    results: list[PanelResult], term: str, path: Path, title: str, note: str
) -> Path:
    """Point estimate and 95 % confidence interval of `term`, one row per model.

    The intervals are the models' own (``conf_low``/``conf_high``: t with the
    model's ``df_resid``). `note` (e.g. "Synthetic demo data") is printed under the
    plot so the figure cannot be separated from it. Saved as PNG at 150 dpi; parent
    folders are created. Returns `path`.

    Raises:
        ValueError: no model has `term`.
    """
    # The Agg canvas is attached to this figure only, so no global backend is switched
    # and nothing is registered with pyplot (safe in Dagster workers and tests).
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    # Keep each model's column number from the table, even when some models lack the term.
    numbered = [(i, r) for i, r in enumerate(results, start=1) if term in r.params.index]
    rows = [r for _, r in numbered]
    if not rows:
        raise ValueError(f"no model has the term {term!r}")

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)

    fig = Figure(figsize=(6.4, 1.2 + 0.55 * len(rows)))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    # First model on top, as in the table.
    ypos = list(range(len(rows)))[::-1]
    est = [float(r.params[term]) for r in rows]
    low = [e - float(r.conf_low[term]) for e, r in zip(est, rows, strict=True)]
    high = [float(r.conf_high[term]) - e for e, r in zip(est, rows, strict=True)]
    ax.errorbar(
        est,
        ypos,
        xerr=[low, high],
        fmt="o",
        color="black",
        ecolor="0.35",
        elinewidth=1.5,
        capsize=4,
    )
    ax.axvline(0.0, color="0.6", linestyle="--", linewidth=1)
    ax.set_yticks(ypos)
    ax.set_yticklabels([f"({i}) {r.name}" for i, r in numbered])
    ax.set_ylim(-0.7, len(rows) - 0.3)
    ax.set_xlabel(f"Coefficient on {term} (95% CI)")
    ax.set_title(title)
    ax.grid(axis="x", color="0.9")
    if note:
        fig.text(0.01, 0.01, note, ha="left", va="bottom", fontsize=8, style="italic")
    fig.tight_layout(rect=(0, 0.06 if note else 0, 1, 1))
    fig.savefig(path, dpi=150, format="png")
    return path


def _figure(width: float, height: float):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height))
    FigureCanvasAgg(fig)
    return fig


def _title(ax, title: str) -> None:
    """Long titles (table titles are) wrap instead of running off the canvas."""
    import textwrap

    ax.set_title(textwrap.fill(title, 60), fontsize=10)


def _save(fig, path: Path, note: str) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if note:
        fig.text(0.01, 0.01, note, ha="left", va="bottom", fontsize=8, style="italic")
    fig.tight_layout(rect=(0, 0.06 if note else 0, 1, 1))
    fig.savefig(path, dpi=150, format="png")
    return path


def coefficient_by_group_plot(
    estimates: pd.DataFrame, path: Path, title: str, xlabel: str, note: str = ""
) -> Path:
    """Point estimates with confidence intervals, one row per group (or model), first on top.

    `estimates` has columns ``label``, ``estimate``, ``conf_low``, ``conf_high`` (any
    model type: the caller takes them from the models' coefficient frames). Rows with a
    missing estimate are left out. Returns `path`.

    Raises:
        ValueError: no row has an estimate.
    """
    rows = estimates.dropna(subset=["estimate"]).reset_index(drop=True)
    if rows.empty:
        raise ValueError("no estimates to plot")
    fig = _figure(6.4, 1.2 + 0.5 * len(rows))
    ax = fig.add_subplot(1, 1, 1)
    ypos = np.arange(len(rows))[::-1]
    est = rows["estimate"].to_numpy(float)
    low = np.clip(est - rows["conf_low"].to_numpy(float), 0, None)
    high = np.clip(rows["conf_high"].to_numpy(float) - est, 0, None)
    ax.errorbar(est, ypos, xerr=[np.nan_to_num(low), np.nan_to_num(high)], fmt="o",
                color="black", ecolor="0.35", elinewidth=1.5, capsize=4)
    ax.axvline(0.0, color="0.6", linestyle="--", linewidth=1)
    ax.set_yticks(ypos)
    ax.set_yticklabels([str(v) for v in rows["label"]])
    ax.set_ylim(-0.7, len(rows) - 0.3)
    ax.set_xlabel(xlabel)
    _title(ax, title)
    ax.grid(axis="x", color="0.9")
    return _save(fig, path, note)


def index_trend_plot(
    frame: pd.DataFrame, time: str, value: str, group: str, path: Path, title: str,
    note: str = "",
) -> Path:
    """Mean of `value` by `group` (e.g. East / Central / West) and year, one line per group."""
    means = frame.groupby([group, time], observed=True)[value].mean().unstack(group).sort_index()
    if means.empty:
        raise ValueError(f"no values of {value!r} to plot")
    fig = _figure(6.4, 4.0)
    ax = fig.add_subplot(1, 1, 1)
    markers = "osD^vP*X"
    for i, name in enumerate(means.columns):
        ax.plot(means.index, means[name], marker=markers[i % len(markers)], label=str(name))
    ax.set_xlabel(time)
    ax.set_ylabel(f"mean {value}")
    _title(ax, title)
    ax.grid(color="0.9")
    ax.legend(title=group, fontsize=8)
    return _save(fig, path, note)


def ranked_bar_plot(
    frame: pd.DataFrame, label: str, value: str, group: str, path: Path, title: str,
    note: str = "", top: int = 40,
) -> Path:
    """Horizontal bars of `value` by `label`, highest on top, coloured by `group`
    (at most `top` bars, so a city ranking stays legible)."""
    from matplotlib.patches import Patch

    rows = frame.dropna(subset=[value]).sort_values(value, ascending=False).head(top)
    if rows.empty:
        raise ValueError(f"no values of {value!r} to plot")
    groups = list(dict.fromkeys(rows[group].astype(str)))
    palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#7f7f7f"]
    colour = {g: palette[i % len(palette)] for i, g in enumerate(groups)}
    fig = _figure(6.4, 1.2 + 0.22 * len(rows))
    ax = fig.add_subplot(1, 1, 1)
    ypos = np.arange(len(rows))[::-1]
    ax.barh(ypos, rows[value].to_numpy(float),
            color=[colour[g] for g in rows[group].astype(str)])
    ax.set_yticks(ypos)
    ax.set_yticklabels([str(v) for v in rows[label]], fontsize=7)
    ax.set_xlabel(value)
    _title(ax, title)
    ax.grid(axis="x", color="0.9")
    ax.legend(handles=[Patch(color=colour[g], label=g) for g in groups], title=group,
              fontsize=8, loc="lower right")
    return _save(fig, path, note)


def threshold_lr_plot(
    grid: np.ndarray, lr_curves: list[np.ndarray], critical_value: float, path: Path,
    title: str, xlabel: str, thresholds: list[float] | None = None, note: str = "",
) -> Path:
    """Hansen's (1999, 2000) LR(gamma) curve for each threshold, with the horizontal line
    at the critical value: the threshold's confidence set is where the curve is below it."""
    grid = np.asarray(grid, dtype=float)
    if not lr_curves:
        raise ValueError("no LR curve to plot")
    fig = _figure(6.4, 4.0)
    ax = fig.add_subplot(1, 1, 1)
    for i, curve in enumerate(lr_curves, start=1):
        label = f"LR(γ{i})" if len(lr_curves) > 1 else "LR(γ)"
        ax.plot(grid, np.asarray(curve, dtype=float), linewidth=1.2, label=label)
    ax.axhline(critical_value, color="C3", linestyle="--", linewidth=1,
               label=f"95% critical value ({critical_value:.2f})")
    for gamma in thresholds or []:
        ax.axvline(gamma, color="0.6", linestyle=":", linewidth=1)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("LR statistic")
    _title(ax, title)
    ax.grid(color="0.9")
    ax.legend(fontsize=8)
    return _save(fig, path, note)
