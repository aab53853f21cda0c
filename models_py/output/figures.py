"""Figures for the study reports (PNG, matplotlib, no display needed).

Groups (regions, sides of the Hu line, ...) are drawn with one `GroupStyle` per grouping
column: human labels ("East", not "east"), a legend title ("Region", not "region3") and
one colour per group from a fixed colour-blind-safe palette, assigned in the grouping's
canonical order, so a group has the same colour in every figure of a study.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    # for the hints only: importing models_py.panel loads linearmodels and scipy (about a
    # second), and this module is loaded with the Dagster definitions, before any run starts
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


# Okabe-Ito: distinguishable with the common colour-vision deficiencies and in grey print.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442",
           "#000000")
# Groupings the warehouse's marts carry: legend title and labels in canonical order.
KNOWN_GROUPINGS: dict[str, tuple[str, dict[str, str]]] = {
    "region3": ("Region", {"east": "East", "central": "Central", "west": "West"}),
    "region4": ("Region", {"east": "East", "central": "Central", "west": "West",
                           "northeast": "Northeast"}),
    "hu_side": ("Side of the Hu Huanyong line",
                {"southeast": "Southeast", "northwest": "Northwest"}),
}


def human_label(value: object) -> str:
    """A group value as a legend prints it: "east" -> "East", "central/west" ->
    "Central/West"; values already capitalised are kept."""
    text = str(value).replace("_", " ").strip()
    if text != text.lower():
        return text
    return re.sub(r"(^|[\s/(-])([a-z])", lambda m: m.group(1) + m.group(2).upper(), text)


def human_title(column: str) -> str:
    """A grouping column as a legend title: "region3" -> "Region", "hu_side" -> "Side of
    the Hu Huanyong line" (KNOWN_GROUPINGS), "east_group" -> "East group"."""
    if column in KNOWN_GROUPINGS:
        return KNOWN_GROUPINGS[column][0]
    text = re.sub(r"\d+$", "", str(column)).replace("_", " ").strip() or str(column)
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class GroupStyle:
    """Title, labels (value -> label) and colours (label -> colour) of one grouping."""

    title: str
    labels: dict[str, str] = field(default_factory=dict)
    colours: dict[str, str] = field(default_factory=dict)

    def label(self, value: object) -> str:
        return self.labels.get(str(value), human_label(value))

    def colour(self, label: str) -> str:
        return self.colours.get(str(label), "0.4")


def group_style(column: str, values: Iterable[object] = (), labels: dict | None = None,
                order: Iterable[object] = (), title: str | None = None) -> GroupStyle:
    """The style of the grouping `column`: labels from `labels`, else KNOWN_GROUPINGS,
    else `human_label`; colours from PALETTE in the order `order`, then the known order,
    then the remaining `values` sorted, so every figure given the same arguments (a
    study's spec) colours a group alike, whichever groups it happens to show."""
    known = KNOWN_GROUPINGS.get(column, ("", {}))[1]
    names = {**known, **{str(k): str(v) for k, v in (labels or {}).items()}}
    ordered = list(dict.fromkeys([*(str(v) for v in order), *known,
                                  *sorted({str(v) for v in values})]))
    shown = list(dict.fromkeys(names.get(v, human_label(v)) for v in ordered))
    colours = {lab: PALETTE[i % len(PALETTE)] for i, lab in enumerate(shown)}
    return GroupStyle(title=title or human_title(column), labels=names, colours=colours)


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
    estimates: pd.DataFrame, path: Path, title: str, xlabel: str, note: str = "",
    style: GroupStyle | None = None,
) -> Path:
    """Point estimates with confidence intervals, one row per group (or model), first on top.

    `estimates` has columns ``label``, ``estimate``, ``conf_low``, ``conf_high`` (any
    model type: the caller takes them from the models' coefficient frames). Rows with a
    missing estimate are left out. With `style` (rows are groups) each point has its
    group's colour, as in the study's other figures. Returns `path`.

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
    labels = [str(v) for v in rows["label"]]
    if style is None:
        ax.errorbar(est, ypos, xerr=[np.nan_to_num(low), np.nan_to_num(high)], fmt="o",
                    color="black", ecolor="0.35", elinewidth=1.5, capsize=4)
    else:
        for i, lab in enumerate(labels):
            ax.errorbar([est[i]], [ypos[i]], xerr=[[np.nan_to_num(low[i])],
                                                   [np.nan_to_num(high[i])]],
                        fmt="o", color=style.colour(lab), ecolor=style.colour(lab),
                        elinewidth=1.5, capsize=4, label=lab)
    ax.axvline(0.0, color="0.6", linestyle="--", linewidth=1)
    ax.set_yticks(ypos)
    ax.set_yticklabels(labels)
    ax.set_ylim(-0.7, len(rows) - 0.3)
    ax.set_xlabel(xlabel)
    _title(ax, title)
    ax.grid(axis="x", color="0.9")
    return _save(fig, path, note)


def index_trend_plot(
    frame: pd.DataFrame, time: str, value: str, group: str, path: Path, title: str,
    note: str = "", style: GroupStyle | None = None,
) -> Path:
    """Mean of `value` by `group` (e.g. East / Central / West) and year, one line per group,
    labelled and coloured by `style` (default: `group_style` of the groups present)."""
    style = style or group_style(group, frame[group].dropna().unique())
    labelled = frame.assign(**{group: frame[group].map(style.label)})
    means = (labelled.groupby([group, time], observed=True)[value].mean().unstack(group)
             .sort_index())
    if means.empty:
        raise ValueError(f"no values of {value!r} to plot")
    order = [lab for lab in style.colours if lab in means.columns]
    means = means[order + [c for c in means.columns if c not in order]]
    fig = _figure(6.4, 4.0)
    ax = fig.add_subplot(1, 1, 1)
    markers = "osD^vP*X"
    for i, name in enumerate(means.columns):
        ax.plot(means.index, means[name], marker=markers[i % len(markers)], label=str(name),
                color=style.colour(str(name)))
    ax.set_xlabel(time)
    ax.set_ylabel(f"mean {value}")
    _title(ax, title)
    ax.grid(color="0.9")
    ax.legend(title=style.title, fontsize=8)
    return _save(fig, path, note)


def ranked_bar_plot(
    frame: pd.DataFrame, label: str, value: str, group: str, path: Path, title: str,
    note: str = "", top: int = 40, style: GroupStyle | None = None,
) -> Path:
    """Horizontal bars of `value` by `label`, highest on top, coloured by `group`
    (at most `top` bars, so a city ranking stays legible); labels and colours from `style`
    (default: `group_style` of the groups in `frame`, not only of the bars shown)."""
    from matplotlib.patches import Patch

    style = style or group_style(group, frame[group].dropna().unique())
    rows = frame.dropna(subset=[value]).sort_values(value, ascending=False).head(top)
    if rows.empty:
        raise ValueError(f"no values of {value!r} to plot")
    shown = [style.label(v) for v in rows[group]]
    groups = [lab for lab in style.colours if lab in shown]
    groups += [lab for lab in dict.fromkeys(shown) if lab not in groups]
    colour = {g: style.colour(g) for g in groups}
    fig = _figure(6.4, 1.2 + 0.22 * len(rows))
    ax = fig.add_subplot(1, 1, 1)
    ypos = np.arange(len(rows))[::-1]
    ax.barh(ypos, rows[value].to_numpy(float), color=[colour[g] for g in shown])
    ax.set_yticks(ypos)
    ax.set_yticklabels([str(v) for v in rows[label]], fontsize=7)
    ax.set_xlabel(value)
    _title(ax, title)
    ax.grid(axis="x", color="0.9")
    ax.legend(handles=[Patch(color=colour[g], label=g) for g in groups], title=style.title,
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
