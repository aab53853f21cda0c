"""Reference data sets shipped with ``models_py`` (in the style of ``statsmodels.datasets``).

The econometrics is validated against published results on these panels; they are package
data, so the tests and benchmarks need nothing outside the repository::

    from models_py.datasets import load_grunfeld, load_hansen1999

    grunfeld = load_grunfeld()      # 200 rows: firm, year, inv, value, capital
    hansen = load_hansen1999()      # 7,910 rows: id, year, i, q, c, d, q1, q2, q3, d1, qd1, c1

Each data set lives in its own folder with a ``SOURCE.md`` (upstream repository, commit,
licence, columns and the reference results the tests check). Loading reads no network and
returns a fresh DataFrame each call.
"""

from __future__ import annotations

from importlib import resources

import pandas as pd

__all__ = ["DATASETS", "data_path", "load_grunfeld", "load_hansen1999"]

#: data set name -> file inside ``models_py/datasets/<name>/``
DATASETS: dict[str, str] = {
    "grunfeld": "grunfeld.csv",
    "hansen1999": "hansen1999.csv.gz",
}


def data_path(name: str):
    """The shipped file of data set ``name`` (a ``pathlib.Path`` for an installed package).

    Raises ``KeyError`` for an unknown name and ``FileNotFoundError`` (with the path) when the
    file is missing from the installation.
    """
    if name not in DATASETS:
        raise KeyError(f"unknown data set {name!r}; shipped: {', '.join(sorted(DATASETS))}")
    path = resources.files(__name__).joinpath(name, DATASETS[name])
    if not path.is_file():
        raise FileNotFoundError(f"data set {name!r} is missing its file: {path}")
    return path


def load_grunfeld() -> pd.DataFrame:
    """Grunfeld investment panel, Baltagi's 10-firm version as in R ``plm`` (``data(Grunfeld)``).

    200 rows = 10 firms x 20 years (1935-1954), balanced, sorted by firm and year.

    Columns: ``firm`` (int, 1-10), ``year`` (int), ``inv`` gross investment, ``value`` market
    value of the firm, ``capital`` stock of plant and equipment (float; millions of 1947
    dollars).

    Source: R package plm 2.6-6, github.com/cran/plm ``data/Grunfeld.rda``, commit
    59318399c6eb7bcaeb1d0560f1ce08882f0f55c1; licence GPL (>= 2). Not the AER / statsmodels
    version (11 firms, with American Steel). Reference results (Baltagi 2013, Table 2.1; plm)
    are in ``models_py/datasets/grunfeld/SOURCE.md``.
    """
    with data_path("grunfeld").open("rb") as fh:
        return pd.read_csv(fh)


def load_hansen1999() -> pd.DataFrame:
    """Hansen (1999) threshold panel: Hall & Hall firm investment panel (Stata ``xthreg``).

    7,910 rows = 565 firms (``id`` 1-565) x 14 years (1974-1987), balanced.

    Columns: ``id``, ``year``, ``i`` investment / assets, ``q`` Tobin's Q, ``c`` cash flow /
    assets, ``d`` debt / assets, ``q1`` L.q, ``q2`` L.q^2/100, ``q3`` L.q^3/1000, ``d1`` L.d,
    ``qd1`` L.q * L.d, ``c1`` L.c.

    Source: github.com/lianxhcn/data ``stata/Hansen1999.dta``, commit
    1a9a9b16f5955b521d75998d1fc988e9a3b8c090 (the file Wang 2015, SJ 15(1), ships with
    ``xthreg``), written to CSV with pyreadstat; repository licence MIT. Reference results
    (Hansen 1999, JoE 93:345-368) are in ``models_py/datasets/hansen1999/SOURCE.md``.
    """
    with data_path("hansen1999").open("rb") as fh:
        return pd.read_csv(fh, compression="gzip")
