"""Figures for the study reports (PNG, matplotlib, no display needed)."""

from __future__ import annotations

from pathlib import Path

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
