"""Maps and spatial statistics of the regions: boundaries, spatial weights, Moran's I and LISA
(PySAL: libpysal, esda), choropleth and cluster maps (geopandas, matplotlib, mapclassify).

Pure functions on DataFrames: the polygons come in as the rows of the warehouse's boundary
tables (`Boundaries.from_frames`), never from a database or the network. Submodules import
geopandas and PySAL on first use, so ``import models_py.spatial`` is cheap.
"""

from models_py.spatial.autocorrelation import (
    LISA_LABELS,
    NOT_SIGNIFICANT,
    WEIGHT_KINDS,
    MoranResult,
    Weights,
    global_moran,
    local_moran,
    moran_by_year,
    spatial_weights,
)
from models_py.spatial.boundaries import Boundaries, hu_line
from models_py.spatial.maps import (
    SCHEMES,
    Classification,
    MapResult,
    choropleth,
    classify,
    lisa_map,
)

__all__ = [
    "LISA_LABELS",
    "NOT_SIGNIFICANT",
    "SCHEMES",
    "WEIGHT_KINDS",
    "Boundaries",
    "Classification",
    "MapResult",
    "MoranResult",
    "Weights",
    "choropleth",
    "classify",
    "global_moran",
    "hu_line",
    "lisa_map",
    "local_moran",
    "moran_by_year",
    "spatial_weights",
]
