"""Spatial weights and Moran's I (global and local), with PySAL (libpysal, esda).

Weights (all row-standardized, as GeoDa and most regional-economics papers report them):

* ``queen``: polygons sharing at least a boundary point. A unit without a contiguous
  neighbour among those with data (an island such as 三沙, or a unit whose neighbours have
  no data) is linked to its nearest unit by centroid distance (`libpysal.weights.
  attach_islands`), so every unit enters the statistic; how many were attached is reported.
* ``distance_band``: units whose centroids (Albers equal-area, km) lie within
  `threshold_km`; by default the smallest distance that gives every unit a neighbour.
* ``inverse_distance``: weights 1 / d between centroids within `threshold_km` (default: all
  pairs).

Global Moran's I = n / S0 · z'Wz / z'z (z the deviations from the mean); its permutation
p-value is the pseudo p-value of esda (two-sided: (1 + #{|I_perm| more extreme}) /
(permutations + 1)). Local Moran (LISA) quadrants: HH, LH, LL, HL, significant at `alpha`
by the conditional permutation pseudo p-value; the rest "Not significant".
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from models_py.spatial.boundaries import CHINA_ALBERS

if TYPE_CHECKING:
    import geopandas as gpd

WEIGHT_KINDS = ("queen", "distance_band", "inverse_distance")
LISA_LABELS = {1: "High-High", 2: "Low-High", 3: "Low-Low", 4: "High-Low"}
NOT_SIGNIFICANT = "Not significant"


@dataclass(frozen=True)
class Weights:
    """A row-standardized libpysal W over `ids`, with how it was built."""

    w: Any  # libpysal.weights.W
    ids: list[str]
    kind: str
    threshold_km: float | None
    islands_attached: int

    def describe(self) -> str:
        if self.kind == "queen":
            extra = (
                f"; {self.islands_attached} "
                f"{'unit' if self.islands_attached == 1 else 'units'} without a contiguous "
                "neighbour linked to the nearest unit"
                if self.islands_attached
                else ""
            )
            return f"queen contiguity{extra}, row-standardized"
        if self.kind == "distance_band":
            return (
                f"distance band of {self.threshold_km:,.0f} km between centroids, row-standardized"
            )
        band = (
            "all pairs"
            if self.threshold_km is None
            else f"pairs within {self.threshold_km:,.0f} km"
        )
        return f"inverse distance between centroids ({band}), row-standardized"


def _centroids_km(polygons: gpd.GeoDataFrame) -> np.ndarray:
    projected = polygons.geometry.to_crs(CHINA_ALBERS)
    # representative_point lies inside the polygon (a centroid may not, for a crescent)
    points = projected.representative_point()
    return np.column_stack([points.x.to_numpy(), points.y.to_numpy()])


def spatial_weights(
    polygons: gpd.GeoDataFrame, kind: str = "queen", threshold_km: float | None = None
) -> Weights:
    """Weights over the rows of `polygons` (index = region codes), row-standardized."""
    from libpysal import weights as lw

    if kind not in WEIGHT_KINDS:
        raise ValueError(f"weights {kind!r}: choose one of {', '.join(WEIGHT_KINDS)}")
    ids = [str(i) for i in polygons.index]
    if len(ids) < 3:
        raise ValueError(f"spatial weights need at least 3 units, got {len(ids)}")
    attached = 0
    with warnings.catch_warnings():
        # libpysal warns about islands and disconnected components; both are handled or
        # reported here.
        warnings.simplefilter("ignore")
        if kind == "queen":
            frame = polygons[["geometry"]].set_axis(ids)
            w = lw.Queen.from_dataframe(frame, use_index=True)
            if w.islands:
                attached = len(w.islands)
                knn = lw.KNN.from_array(_centroids_km(polygons), k=1, ids=ids)
                w = lw.attach_islands(w, knn)
        else:
            coords = _centroids_km(polygons)
            if kind == "distance_band":
                if threshold_km is None:
                    threshold_km = float(lw.min_threshold_distance(coords)) * (1 + 1e-9)
                w = lw.DistanceBand.from_array(coords, threshold_km, ids=ids, binary=True)
            else:
                band = threshold_km if threshold_km is not None else np.inf
                w = lw.DistanceBand.from_array(coords, band, ids=ids, binary=False, alpha=-1.0)
        w.transform = "r"
    return Weights(w=w, ids=ids, kind=kind, threshold_km=threshold_km, islands_attached=attached)


def _with_seed(seed: int, fn):
    """Run `fn` with numpy's global generator seeded, then restore it: esda's global Moran
    draws its permutations from the global generator and takes no seed of its own."""
    state = np.random.get_state()
    np.random.seed(seed)
    try:
        return fn()
    finally:
        np.random.set_state(state)


@dataclass(frozen=True)
class MoranResult:
    """Global Moran's I of one cross-section."""

    n: int
    moran_i: float
    expected_i: float
    z_norm: float
    p_norm: float
    p_sim: float
    permutations: int
    weights: str


def _aligned(values: pd.Series, weights: Weights) -> np.ndarray:
    """The values in the order of the weights' rows (W.id_order)."""
    y = values.reindex([str(i) for i in weights.w.id_order]).to_numpy(float)
    if np.isnan(y).any():
        raise ValueError("values missing for some units of the weights")
    return y


def global_moran(
    values: pd.Series, weights: Weights, permutations: int = 999, seed: int = 12345
) -> MoranResult:
    """Moran's I of `values` (index = the weights' ids) with esda, its normal-approximation
    z and p (randomization assumption off: esda's `z_norm`, `p_norm`) and the permutation
    pseudo p-value."""
    import esda

    y = _aligned(values, weights)
    m = _with_seed(
        seed, lambda: esda.Moran(y, weights.w, transformation="r", permutations=permutations)
    )
    return MoranResult(
        n=len(y),
        moran_i=float(m.I),
        expected_i=float(m.EI),
        z_norm=float(m.z_norm),
        p_norm=float(m.p_norm),
        p_sim=float(m.p_sim) if permutations else float("nan"),
        permutations=permutations,
        weights=weights.describe(),
    )


def local_moran(
    values: pd.Series,
    weights: Weights,
    permutations: int = 999,
    seed: int = 12345,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """LISA of `values`: one row per unit (index = id) with `value`, `local_i`, `quadrant`
    (1 HH, 2 LH, 3 LL, 4 HL), `p_sim` and `cluster` (the quadrant's label when p_sim <
    alpha, else "Not significant")."""
    import esda

    y = _aligned(values, weights)
    with warnings.catch_warnings():
        # esda announces a change of its default alternative; the folded (directed) pseudo
        # p-value it computes today is GeoDa's, the one LISA maps are read with.
        warnings.simplefilter("ignore", DeprecationWarning)
        lisa = esda.Moran_Local(
            y, weights.w, transformation="r", permutations=permutations, seed=seed, n_jobs=1
        )
    significant = lisa.p_sim < alpha
    cluster = [
        LISA_LABELS[int(q)] if s else NOT_SIGNIFICANT
        for q, s in zip(lisa.q, significant, strict=True)
    ]
    return pd.DataFrame(
        {
            "value": y,
            "local_i": lisa.Is,
            "quadrant": lisa.q.astype(int),
            "p_sim": lisa.p_sim,
            "cluster": cluster,
        },
        index=pd.Index([str(i) for i in weights.w.id_order], name="region_code"),
    )


def moran_by_year(
    panel: pd.DataFrame,
    entity: str,
    time: str,
    variable: str,
    polygons: gpd.GeoDataFrame,
    kind: str = "queen",
    threshold_km: float | None = None,
    permutations: int = 999,
    seed: int = 12345,
) -> pd.DataFrame:
    """Global Moran's I of `variable` in every period of `panel`, on the units with a value
    and a polygon that period (`polygons` indexed by entity code as text); the weights are
    rebuilt when the set of units changes. One row per period: n, Moran's I, E[I], z, normal
    p, permutation p, weights."""
    rows = []
    cache: dict[tuple[str, ...], Weights] = {}
    for period, group in panel.groupby(time, sort=True):
        values = group.set_index(group[entity].astype(str))[variable].astype(float).dropna()
        values = values[values.index.isin(polygons.index)]
        if len(values) < 3:
            continue
        key = tuple(sorted(values.index))
        if key not in cache:
            cache[key] = spatial_weights(polygons.loc[list(key)], kind, threshold_km)
        r = global_moran(values, cache[key], permutations, seed)
        rows.append(
            {
                "variable": variable,
                time: period,
                "n": r.n,
                "moran_i": r.moran_i,
                "expected_i": r.expected_i,
                "z_norm": r.z_norm,
                "p_norm": r.p_norm,
                "p_sim": r.p_sim,
                "weights": r.weights,
            }
        )
    return pd.DataFrame(rows)
