"""Files of a study under reports/<study>/: per table Markdown, LaTeX, CSV and figures;
per study one Excel workbook and one HTML report.

`write_table_outputs` renders one `StudyTable` and leaves a JSON sidecar
(``<table>.json``: title, kind, notes, the display frame, figure files) from which
`write_study_report` assembles the workbook and the HTML page without re-running any
estimation, so the report step is cheap and can run alone.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from models_py.output import figures
from models_py.output.report_html import ReportFigure, ReportTable, render_report
from models_py.output.table_cells import display_cells, has_row_labels, superscripts
from models_py.output.tables import to_markdown
from models_py.output.tables_excel import SheetTable, write_workbook
from models_py.output.tables_latex import to_latex

SYNTHETIC_NOTE = "SYNTHETIC DEMO DATA — simulated with known true effects, not real statistics."
# Table types whose models are columns of one specification, so a plot of the core
# coefficient across them reads as "the effect under each variant".
_COEFFICIENT_PLOT_TYPES = ("regression", "robustness", "by_entity", "clustered_vs_ordinary")


@dataclass
class TableFiles:
    """What `write_table_outputs` wrote (paths) and the notes it printed."""

    markdown: str
    notes: list[str]
    files: dict[str, Path] = field(default_factory=dict)
    figures: list[tuple[str, Path]] = field(default_factory=list)


def table_notes(table: Any, source_note: str, synthetic: bool) -> list[str]:
    """The table's own notes, then where the data come from; the synthetic warning first
    so no copy of the table loses it. Plain-text powers ("diff^2") become superscripts
    ("diff²") so Markdown, HTML, Excel and LaTeX print a power, not a caret."""
    notes = [superscripts(n) for n in table.notes if str(n).strip()]
    head = [SYNTHETIC_NOTE] if synthetic else []
    return [*head, *notes, *([source_note] if source_note else [])]


def table_markdown(frame: pd.DataFrame, title: str, notes: list[str]) -> str:
    cells = display_cells(frame)
    if not has_row_labels(frame) and len(cells.columns):
        cells = cells.set_index(cells.columns[0])
    return to_markdown(cells, title=title, note="\n\n".join(notes))


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return str(value)


def _frame_json(frame: pd.DataFrame) -> dict[str, Any]:
    def clean(v: Any) -> Any:
        if isinstance(v, np.generic):
            v = v.item()
        if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
            return None
        return v

    return {
        "columns": [str(c) for c in frame.columns],
        "index": [clean(v) for v in frame.index],
        "index_name": frame.index.name,
        "row_labels": has_row_labels(frame),
        "data": [[clean(v) for v in row] for row in frame.itertuples(index=False)],
    }


def _frame_from_json(data: dict[str, Any]) -> pd.DataFrame:
    frame = pd.DataFrame(data["data"], columns=data["columns"], dtype=object)
    if data["row_labels"]:
        frame.index = pd.Index(data["index"], name=data["index_name"])
    frame = frame.apply(lambda col: pd.to_numeric(col) if col.map(
        lambda v: v is None or isinstance(v, int | float)).all() else col)
    return frame


# --- figures ------------------------------------------------------------------------------


def _coefficients_for_plot(table: Any, spec: Any) -> tuple[pd.DataFrame, str] | None:
    """(label, estimate, conf_low, conf_high) rows and the term, or None."""
    data = table.figure_data or {}
    coefs = data.get("coefficients")
    term = data.get("term")
    if isinstance(coefs, pd.DataFrame) and term and "estimate" in coefs:
        rows = coefs.copy()
        label = "group" if "group" in rows else rows.columns[0]
        rows["label"] = rows[label].astype(str)
        if "conf_low" not in rows and "std_error" in rows:
            # Normal 95% interval when the estimator gave none (interaction slopes).
            rows["conf_low"] = rows["estimate"] - 1.959964 * rows["std_error"]
            rows["conf_high"] = rows["estimate"] + 1.959964 * rows["std_error"]
        if {"conf_low", "conf_high"} <= set(rows.columns):
            return rows[["label", "estimate", "conf_low", "conf_high"]], str(term)
    spec_table = next((t for t in spec.tables if t.name == table.name), None)
    if spec_table is None or spec_table.type not in _COEFFICIENT_PLOT_TYPES:
        return None
    core = spec.resolve_model(spec_table.options).core
    if table.models:
        rows = [
            {"label": f"({i}) {label}", "estimate": float(m.params[core]),
             "conf_low": float(m.conf_low[core]), "conf_high": float(m.conf_high[core])}
            for i, (m, label) in enumerate(zip(table.models, table.model_labels, strict=False),
                                           start=1)
            if core in getattr(m, "params", pd.Series(dtype=float)).index
        ]
        if rows:
            return pd.DataFrame(rows), core
    return None


def group_styles(spec: Any) -> dict[str, figures.GroupStyle]:
    """One `figures.GroupStyle` per grouping column the study's tables use (heterogeneity,
    region interaction, PCA index by group): the order and labels of the spec's `groups`
    and `group_labels` (else the known groupings'), so every figure of the study gives a
    group the same label and colour."""
    order: dict[str, list[str]] = {}
    labels: dict[str, dict[str, str]] = {}
    for t in getattr(spec, "tables", []):
        options = getattr(t, "options", {}) or {}
        column = options.get("group")
        if not column:
            continue
        order.setdefault(column, [])
        order[column] += [str(g) for g in options.get("groups") or []
                          if str(g) not in order[column]]
        labels.setdefault(column, {}).update(
            {str(k): str(v) for k, v in (options.get("group_labels") or {}).items()})
    return {c: figures.group_style(c, labels=labels[c], order=order[c],
                                   title=spec.labels.get(c) if hasattr(spec, "labels") else None)
            for c in order}


def _table_group(table: Any, spec: Any) -> str | None:
    spec_table = next((t for t in getattr(spec, "tables", []) if t.name == table.name), None)
    return (getattr(spec_table, "options", {}) or {}).get("group") if spec_table else None


def draw_figures(table: Any, spec: Any, out_dir: Path, synthetic: bool,
                 entity_names: dict[Any, str] | None = None) -> list[tuple[str, Path]]:
    """Every figure the table's results support: coefficient by group / model, the
    mediation effects, the threshold LR curve, index trends and ranked bars by region.
    Groups get the study's labels and colours (`group_styles`)."""
    note = SYNTHETIC_NOTE if synthetic else ""
    label = spec.labels.get
    data = table.figure_data or {}
    out: list[tuple[str, Path]] = []
    stem = out_dir / table.name
    styles = group_styles(spec)

    plotted = _coefficients_for_plot(table, spec)
    if plotted is not None:
        rows, term = plotted
        grouping = _table_group(table, spec)
        style = styles.get(grouping) if grouping else None
        if style is not None:
            rows = rows.assign(label=rows["label"].map(style.label))
        title = f"{table.title}: coefficient on {label(term, term)}"
        out.append((title, figures.coefficient_by_group_plot(
            rows, stem.with_name(f"{table.name}_coef.png"), title=title,
            xlabel=f"Coefficient on {label(term, term)} (95% CI)", note=note, style=style)))

    effects = data.get("effects")
    if isinstance(effects, pd.DataFrame) and not effects.empty:
        rows = effects[effects["effect"] != "proportion mediated"].copy()
        rows["label"] = rows["effect"] + " (" + rows["method"] + ")"
        title = f"{table.title}: effects (95% intervals)"
        out.append((title, figures.coefficient_by_group_plot(
            rows, stem.with_name(f"{table.name}_effects.png"), title=title,
            xlabel="Effect (95% CI)", note=note)))

    if data.get("lr_curves") is not None and data.get("grid") is not None:
        q = str(data.get("threshold_variable", "threshold variable"))
        title = f"{table.title}: LR statistic of the threshold"
        out.append((title, figures.threshold_lr_plot(
            data["grid"], list(data["lr_curves"]), float(data["critical_value"]),
            stem.with_name(f"{table.name}_lr.png"), title=title, xlabel=label(q, q),
            thresholds=list(data.get("thresholds") or []), note=note)))

    out += _map_figures(table, data, stem, synthetic)

    scores = data.get("scores")
    if isinstance(scores, pd.DataFrame) and not scores.empty:
        value = "index"
        name = label(str(data.get("index", value)), str(data.get("index", value)))
        group = data.get("group")
        frame = scores.copy()
        if not group:
            group = "all"
            frame[group] = "all"
        frame[group] = frame[group].astype(str)
        # one style for both figures, from the spec and every group in the scores
        base = styles.get(group)
        style = figures.group_style(
            group, frame[group].unique(), labels=base.labels if base else None,
            order=list(base.labels) if base else (), title=base.title if base else None)
        if base is not None:  # the spec's colours win for the groups it names
            style = figures.GroupStyle(style.title, style.labels,
                                       {**style.colours, **base.colours})
        title = f"{name}: mean by {style.title.lower()} and year"
        out.append((title, figures.index_trend_plot(
            frame, spec.time, value, group, stem.with_name(f"{table.name}_trend.png"),
            title=title, note=note, style=style)))
        last = frame[frame[spec.time] == frame[spec.time].max()].copy()
        names = entity_names or {}
        last["label"] = [names.get(e, str(e)) for e in last[spec.entity]]
        title = f"{name} in {last[spec.time].max()}, ranked"
        out.append((title, figures.ranked_bar_plot(
            last, "label", value, group, stem.with_name(f"{table.name}_rank.png"),
            title=title, note=note, style=style)))
    return out


def _map_figures(table: Any, data: dict[str, Any], stem: Path,
                 synthetic: bool) -> list[tuple[str, Path]]:
    """Choropleths of a `map` table and LISA cluster maps of a `spatial_autocorrelation`
    table (models_py.spatial; the polygons travel in the figure data)."""
    boundaries = data.get("boundaries")
    if boundaries is None or not (data.get("maps") or data.get("lisa")):
        return []
    from models_py.spatial import choropleth, lisa_map

    out: list[tuple[str, Path]] = []
    level = data.get("level", "prefecture")
    for m in data.get("maps") or []:
        title = f"{m['label']}, {data['map_year']}"
        path = stem.with_name(f"{table.name}_{m['variable']}.png")
        choropleth(m["values"], boundaries, path, title=title, label=m["label"],
                   unit=m.get("unit"), scheme=data["scheme"], k=data["k"], level=level,
                   synthetic=synthetic)
        out.append((f"Map: {title}", path))
    for m in data.get("lisa") or []:
        title = f"LISA clusters of {m['label']}, {m['year']}"
        path = stem.with_name(f"{table.name}_{m['variable']}_lisa.png")
        lisa_map(m["lisa"], boundaries, path, title=title, label=m["label"], level=level,
                 synthetic=synthetic, footnote=f"Weights: {m['weights']}.")
        out.append((title, path))
    return out


# --- per table and per study --------------------------------------------------------------


def write_table_outputs(
    table: Any, spec: Any, out_dir: Path, source_note: str, synthetic: bool,
    entity_names: dict[Any, str] | None = None,
) -> TableFiles:
    """Write <table>.md, .tex, .csv, the figures and the .json sidecar into `out_dir`."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    notes = table_notes(table, source_note, synthetic)
    regression = table.kind == "regression"
    markdown = table_markdown(table.frame, table.title, notes)
    files = {
        "md": out_dir / f"{table.name}.md",
        "tex": out_dir / f"{table.name}.tex",
        "csv": out_dir / f"{table.name}.csv",
    }
    files["md"].write_text(markdown, encoding="utf-8")
    files["tex"].write_text(
        to_latex(table.frame, table.title, notes, label=f"tab:{spec.id}:{table.name}",
                 regression=regression), encoding="utf-8")
    # utf-8-sig: Excel opens a CSV with Chinese labels correctly only with the BOM.
    table.frame.to_csv(files["csv"], index=has_row_labels(table.frame), encoding="utf-8-sig")
    drawn = draw_figures(table, spec, out_dir, synthetic, entity_names)
    sidecar = {
        "study": spec.id, "name": table.name, "title": table.title, "kind": table.kind,
        "notes": notes, "frame": _frame_json(table.frame),
        "figures": [{"title": t, "file": p.name} for t, p in drawn],
        "key_numbers": {k: (None if isinstance(v, float) and math.isnan(v) else v)
                        for k, v in table.key_numbers.items()},
    }
    files["json"] = out_dir / f"{table.name}.json"
    files["json"].write_text(json.dumps(sidecar, ensure_ascii=False, indent=1,
                                        default=_json_default), encoding="utf-8")
    return TableFiles(markdown=markdown, notes=notes, files=files, figures=drawn)


def read_sidecar(path: Path) -> dict[str, Any]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    data["frame"] = _frame_from_json(data["frame"])
    return data


def write_study_report(
    spec: Any, table_ids: list[str], out_dir: Path, landing: pd.DataFrame, synthetic: bool,
    spec_text: str,
) -> dict[str, Path]:
    """<study>.xlsx (one sheet per table) and index.html from the tables' sidecars."""
    out_dir = Path(out_dir)
    sidecars = []
    for name in table_ids:
        path = out_dir / f"{name}.json"
        if not path.exists():
            raise FileNotFoundError(f"{path} is missing: materialize the table asset "
                                    f"studies/{spec.id}/{name} first")
        sidecars.append(read_sidecar(path))
    banner = SYNTHETIC_NOTE if synthetic else ""
    workbook = write_workbook(
        [SheetTable(name=s["name"], title=s["title"], frame=s["frame"], notes=s["notes"])
         for s in sidecars],
        out_dir / f"{spec.id}.xlsx", banner=banner)
    tables = [ReportTable(name=s["name"], title=s["title"], frame=s["frame"], notes=s["notes"],
                          regression=s["kind"] == "regression",
                          files={fmt: f"{s['name']}.{fmt}" for fmt in ("md", "tex", "csv")})
              for s in sidecars]
    figs = [ReportFigure(title=f["title"], path=out_dir / f["file"])
            for s in sidecars for f in s["figures"] if (out_dir / f["file"]).exists()]
    html = render_report(spec.id, spec.title, spec_text, landing, tables, figs, synthetic)
    index = out_dir / "index.html"
    index.write_text(html, encoding="utf-8")
    return {"xlsx": workbook, "html": index}
