"""Choropleth and LISA cluster maps of China's regions (PNG, matplotlib, no tiles, no network).

Every map draws: the base of all prefecture-level polygons (and the county-level units directly
under a province, Hong Kong, Macao) in light grey with hatching where the mapped table has no
value, the classes of the values, the province outlines, the Hu Huanyong line (dashed), the
South China Sea islands in an inset, a legend whose title carries the column's unit, and, when
the data are synthetic, a SYNTHETIC mark across the map and in the footnote. Longitude /
latitude are drawn with the aspect of the map's middle latitude. Classes come from mapclassify:
``quantiles`` (equal counts) or ``natural_breaks`` (Fisher-Jenks, the exact optimum of Jenks'
criterion, deterministic).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from models_py.spatial.autocorrelation import LISA_LABELS, NOT_SIGNIFICANT
from models_py.spatial.boundaries import Boundaries, hu_line

if TYPE_CHECKING:
    from matplotlib.axes import Axes

SCHEMES = ("quantiles", "natural_breaks")
BOUNDARY_NOTE = (
    "Boundaries: census city table of leiii/census (MIT), 2020, simplified; "
    "Taiwan is not in the source."
)
SYNTHETIC_MARK = "SYNTHETIC DEMO DATA"
NO_DATA = "No data"
# Colour-blind-safe sequential palette (ColorBrewer YlGnBu) and the LISA colours of GeoDa.
_SEQUENTIAL = "YlGnBu"
LISA_COLOURS = {
    "High-High": "#d7191c",
    "Low-Low": "#2c7bb6",
    "Low-High": "#abd9e9",
    "High-Low": "#fdae61",
    NOT_SIGNIFICANT: "#f0f0f0",
}
_NO_DATA_FACE = "#d9d9d9"
# Main map window and the South China Sea inset (degrees).
_MAIN = (73.0, 135.5, 17.8, 54.0)
_INSET = (105.5, 122.5, 3.0, 23.5)
# Chinese units in the warehouse's catalogue -> English (the machines have no CJK font).
UNIT_NAMES = {
    "亿元": "100 million yuan",
    "万元": "10,000 yuan",
    "元": "yuan",
    "万人": "10,000 persons",
    "人": "persons",
    "万户": "10,000 households",
    "户": "households",
    "件": "items",
    "个": "units",
    "项": "items",
    "万美元": "USD 10,000",
    "平方公里": "km²",
    "%": "%",
}


@dataclass
class Classification:
    """Classes of a mapped variable: upper bounds, counts, legend labels."""

    scheme: str
    k: int
    bins: list[float]
    counts: list[int]
    labels: list[str]
    classes: pd.Series  # region code -> class index (0 = lowest)

    def frame(self) -> pd.DataFrame:
        lower = [float(self.classes.attrs.get("min", np.nan)), *self.bins[:-1]]
        return pd.DataFrame(
            {
                "class": range(1, len(self.bins) + 1),
                "lower": lower,
                "upper": self.bins,
                "regions": self.counts,
                "label": self.labels,
            }
        )


@dataclass
class MapResult:
    path: Path
    classification: Classification | None
    drawn: int
    no_data: int
    skipped: dict[str, str] = field(default_factory=dict)


def _fmt(x: float) -> str:
    if x == 0 or 0.01 <= abs(x) < 1e5:
        return f"{x:,.3g}" if abs(x) < 100 else f"{x:,.0f}"
    return f"{x:.2e}"


def classify(values: pd.Series, scheme: str = "quantiles", k: int = 5) -> Classification:
    """mapclassify classes of `values` (index = region codes). Fewer distinct values than `k`
    give fewer classes (mapclassify's own rule)."""
    import warnings

    import mapclassify

    if scheme not in SCHEMES:
        raise ValueError(f"scheme {scheme!r}: choose one of {', '.join(SCHEMES)}")
    y = values.astype(float).dropna()
    if y.empty:
        raise ValueError("no values to classify")
    k = max(1, min(int(k), int(y.nunique())))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "not enough unique values" is handled above
        fitted = (
            mapclassify.Quantiles(y.to_numpy(), k=k)
            if scheme == "quantiles"
            else mapclassify.FisherJenks(y.to_numpy(), k=k)
        )
    bins = [float(b) for b in fitted.bins]
    lows = [float(y.min()), *bins[:-1]]
    labels = [f"{_fmt(lo)} – {_fmt(hi)}" for lo, hi in zip(lows, bins, strict=True)]
    classes = pd.Series(fitted.yb.astype(int), index=y.index)
    classes.attrs["min"] = float(y.min())
    return Classification(
        scheme=scheme,
        k=len(bins),
        bins=bins,
        counts=[int(c) for c in fitted.counts],
        labels=labels,
        classes=classes,
    )


def legend_title(label: str, unit: str | None) -> str:
    unit = UNIT_NAMES.get(unit or "", unit or "")
    return f"{label} ({unit})" if unit else label


def _setup(title: str, synthetic: bool, footnote: str):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(9.0, 7.4))
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.01, 0.07, 0.98, 0.85))
    inset = fig.add_axes((0.745, 0.085, 0.16, 0.25))
    fig.suptitle(title, fontsize=12, y=0.975)
    notes = [SYNTHETIC_MARK + ": simulated values, not real statistics."] if synthetic else []
    if footnote:
        notes.append(footnote)
    notes.append(BOUNDARY_NOTE)
    if notes:
        fig.text(
            0.01, 0.012, "\n".join(notes), fontsize=7.5, ha="left", va="bottom", style="italic"
        )
    if synthetic:
        fig.text(
            0.5,
            0.55,
            SYNTHETIC_MARK,
            fontsize=34,
            color="#c0392b",
            alpha=0.18,
            ha="center",
            va="center",
            rotation=20,
            weight="bold",
        )
    return fig, ax, inset


def _frame_axes(ax: Axes, window: tuple[float, float, float, float], inset: bool) -> None:
    x0, x1, y0, y1 = window
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect(1.0 / np.cos(np.radians((y0 + y1) / 2)))
    ax.set_xticks([])
    ax.set_yticks([])
    for side in ax.spines.values():
        side.set_visible(inset)
        side.set_linewidth(0.6)


def _path(geom: Any):
    """A matplotlib Path of a (multi)polygon: every ring closed, holes included (even-odd)."""
    import shapely
    from matplotlib.path import Path as MplPath

    vertices, codes = [], []
    for part in getattr(geom, "geoms", [geom]):
        for ring in [part.exterior, *part.interiors]:
            xy = shapely.get_coordinates(ring)
            vertices.append(xy)
            ring_codes = np.full(len(xy), MplPath.LINETO, dtype=np.uint8)
            ring_codes[0] = MplPath.MOVETO
            ring_codes[-1] = MplPath.CLOSEPOLY
            codes.append(ring_codes)
    return MplPath(np.concatenate(vertices), np.concatenate(codes))


def _polygons(ax: Axes, geoms: Any, **style: Any) -> None:
    # One PathCollection per layer, drawn once at savefig (geopandas' plot redraws the
    # canvas on every call, which made a map take seconds).
    from matplotlib.collections import PathCollection

    ax.add_collection(PathCollection([_path(g) for g in geoms], **style))


def _draw_layers(
    ax: Axes, boundaries: Boundaries, filled: Any, colours: list[str], level: str, linewidth: float
) -> None:
    # base: every polygon of the finest level (or the provinces) that no value covers, hatched
    # as "no data" (hatching is most of a map's drawing time, so not under the filled ones)
    base = boundaries.provinces if level == "province" else boundaries.base
    if len(filled):
        base = base[~base.index.isin(filled["boundary_code"])]
    _polygons(
        ax,
        base.geometry,
        facecolor=_NO_DATA_FACE,
        edgecolor="white",
        linewidth=0.15 * linewidth,
        hatch="////",
    )
    if len(filled):
        _polygons(
            ax, filled.geometry, facecolor=colours, edgecolor="white", linewidth=0.15 * linewidth
        )
    _polygons(
        ax,
        boundaries.provinces.geometry,
        facecolor="none",
        edgecolor="0.25",
        linewidth=0.55 * linewidth,
    )
    line = hu_line()
    ax.plot(line[:, 0], line[:, 1], color="#7b3294", linestyle="--", linewidth=1.3 * linewidth)


def _render(
    path: Path,
    boundaries: Boundaries,
    filled: Any,
    colours: list[str],
    handles: list[Any],
    legend: str,
    title: str,
    synthetic: bool,
    footnote: str,
    level: str,
) -> Path:
    from matplotlib.lines import Line2D

    fig, ax, inset = _setup(title, synthetic, footnote)
    _draw_layers(ax, boundaries, filled, colours, level, 1.0)
    _draw_layers(inset, boundaries, filled, colours, level, 0.6)
    _frame_axes(ax, _MAIN, inset=False)
    _frame_axes(inset, _INSET, inset=True)
    handles = [
        *handles,
        Line2D([], [], color="#7b3294", linestyle="--", label="Hu line"),
        Line2D([], [], color="0.25", linewidth=0.8, label="Province boundary"),
    ]
    ax.legend(
        handles=handles,
        title=legend,
        loc="lower left",
        fontsize=8,
        title_fontsize=8.5,
        frameon=True,
        framealpha=0.9,
    )
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110, format="png")
    return path


def _no_data_patch(count: int):
    from matplotlib.patches import Patch

    return Patch(
        facecolor=_NO_DATA_FACE,
        edgecolor="0.5",
        hatch="////",
        label=f"{NO_DATA} ({count})" if count else NO_DATA,
    )


def _no_data_count(boundaries: Boundaries, drawn_codes: list[str], level: str) -> int:
    """Units of the map's level (prefecture-level units of 2023 or provinces) without a value."""
    if level == "province":
        units = set(boundaries.provinces.index)
    else:
        units = set(boundaries.base.index[boundaries.base["level"] == "prefecture"])
    drawn = set(boundaries.regions.loc[drawn_codes, "boundary_code"]) if drawn_codes else set()
    return len(units - drawn)


def choropleth(
    values: pd.Series,
    boundaries: Boundaries,
    path: Path,
    *,
    title: str,
    label: str,
    unit: str | None = None,
    scheme: str = "quantiles",
    k: int = 5,
    level: str = "prefecture",
    synthetic: bool = False,
    footnote: str = "",
) -> MapResult:
    """A classed map of `values` (index = region codes of the marts, one cross-section)."""
    from matplotlib import colormaps
    from matplotlib.patches import Patch

    values = values.astype(float).dropna()
    values.index = values.index.astype(str)
    drawn, skipped = boundaries.split(values.index)
    values = values.loc[drawn]
    classification = classify(values, scheme, k)
    cmap = colormaps[_SEQUENTIAL].resampled(max(classification.k, 2))
    palette = [cmap(i) for i in range(classification.k)]
    filled = boundaries.regions.loc[drawn]
    colours = [palette[c] for c in classification.classes.loc[drawn]]
    no_data = _no_data_count(boundaries, drawn, level)
    handles = [
        Patch(facecolor=palette[i], edgecolor="0.5", label=f"{text} ({classification.counts[i]})")
        for i, text in enumerate(classification.labels)
    ]
    handles.append(_no_data_patch(no_data))
    scheme_text = "quantiles" if scheme == "quantiles" else "natural breaks (Fisher-Jenks)"
    note = f"Classes: {scheme_text}, k = {classification.k}; region counts in brackets."
    if skipped:
        shown = ", ".join(list(skipped)[:4])
        note += f" {len(skipped)} codes without a polygon left out ({shown})."
    out = _render(
        path,
        boundaries,
        filled,
        colours,
        handles,
        legend_title(label, unit),
        title,
        synthetic,
        " ".join(x for x in (note, footnote) if x),
        level,
    )
    return MapResult(
        path=out, classification=classification, drawn=len(drawn), no_data=no_data, skipped=skipped
    )


def lisa_map(
    lisa: pd.DataFrame,
    boundaries: Boundaries,
    path: Path,
    *,
    title: str,
    label: str,
    level: str = "prefecture",
    synthetic: bool = False,
    footnote: str = "",
) -> MapResult:
    """LISA cluster map: `lisa` from `local_moran` (index = region codes, column `cluster`)."""
    from matplotlib.patches import Patch

    clusters = lisa["cluster"].copy()
    clusters.index = clusters.index.astype(str)
    drawn, skipped = boundaries.split(clusters.index)
    filled = boundaries.regions.loc[drawn]
    colours = [LISA_COLOURS[c] for c in clusters.loc[drawn]]
    counts = clusters.loc[drawn].value_counts()
    order = [*LISA_LABELS.values(), NOT_SIGNIFICANT]
    order = [order[0], order[2], order[1], order[3], order[4]]  # HH, LL, LH, HL, n.s.
    handles = [
        Patch(facecolor=LISA_COLOURS[c], edgecolor="0.5", label=f"{c} ({int(counts.get(c, 0))})")
        for c in order
    ]
    no_data = _no_data_count(boundaries, drawn, level)
    handles.append(_no_data_patch(no_data))
    out = _render(
        path,
        boundaries,
        filled,
        colours,
        handles,
        f"LISA clusters: {label}",
        title,
        synthetic,
        footnote,
        level,
    )
    return MapResult(
        path=out, classification=None, drawn=len(drawn), no_data=no_data, skipped=skipped
    )
