"""models_py.datasets: the reference panels ship as package data and load as documented."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from models_py import datasets
from models_py.datasets import load_grunfeld, load_hansen1999

ROOT = Path(__file__).resolve().parents[2]


def test_grunfeld_is_the_10_firm_plm_panel():
    df = load_grunfeld()
    assert list(df.columns) == ["firm", "year", "inv", "value", "capital"]
    assert df.shape == (200, 5)
    assert sorted(df["firm"].unique()) == list(range(1, 11))
    assert df.groupby("firm")["year"].agg(["min", "max", "count"]).eq([1935, 1954, 20]).all().all()
    # first row of plm's data(Grunfeld) (General Motors, 1935)
    assert df.iloc[0].tolist() == [1, 1935, 317.6, 3078.5, 2.8]
    # the file is the reference collection's Grunfeld_plm.csv byte for byte (SOURCE.md)
    digest = hashlib.sha256(datasets.data_path("grunfeld").read_bytes()).hexdigest()
    assert digest == "00cd21d72068b5564a509d0752417f62761c35afb7e2abed9b115a430d5d960d"


def test_hansen1999_is_the_balanced_565_firm_panel():
    df = load_hansen1999()
    assert list(df.columns) == [
        "id", "year", "i", "q", "c", "d", "q1", "q2", "q3", "d1", "qd1", "c1",
    ]
    assert df.shape == (7910, 12)
    assert df["id"].nunique() == 565
    assert df.groupby("id")["year"].agg(["min", "max", "count"]).eq([1974, 1987, 14]).all().all()
    assert not df.isna().any().any()
    # the decompressed bytes are the reference collection's hansen1999.csv (SOURCE.md)
    import gzip

    raw = gzip.decompress(datasets.data_path("hansen1999").read_bytes())
    digest = hashlib.sha256(raw).hexdigest()
    assert digest == "c081b30601d2f12ec070c0c252e199796c2a5bd5fb99a9aafdff462d6e974f61"
    # the derived columns are what the Stata labels say: q2 = L.q^2/100, qd1 = L.q * L.d
    np.testing.assert_allclose(df["q2"], df["q1"] ** 2 / 100, rtol=1e-6, atol=1e-12)
    np.testing.assert_allclose(df["qd1"], df["q1"] * df["d1"], rtol=1e-6, atol=1e-12)


def test_each_load_returns_a_fresh_frame():
    a = load_grunfeld()
    a.loc[0, "inv"] = -1.0
    assert load_grunfeld().loc[0, "inv"] == 317.6


def test_unknown_data_set_names_the_shipped_ones():
    with pytest.raises(KeyError, match="grunfeld, hansen1999"):
        datasets.data_path("grunfeld_11")


def test_every_data_set_has_a_source_file():
    base = Path(datasets.__file__).parent
    for name in datasets.DATASETS:
        text = (base / name / "SOURCE.md").read_text(encoding="utf-8")
        assert "Licence" in text and "commit" in text, name


def test_loading_imports_neither_dagster_nor_duckdb():
    code = (
        "import sys; from models_py.datasets import load_grunfeld, load_hansen1999;"
        "load_grunfeld(); load_hansen1999();"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dagster', 'duckdb')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_wheel_build_ships_the_data_files():
    """hatchling's wheel target packages models_py with every non-Python file in it (checked
    with ``uv build --wheel``), so ``uv sync`` installs the data; none of it may be ignored."""
    import tomllib

    build = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["hatch"]["build"]
    assert "models_py" in build["targets"]["wheel"]["packages"]
    ignored = (ROOT / ".gitignore").read_text().split()
    for name, fname in datasets.DATASETS.items():
        assert (ROOT / "models_py" / "datasets" / name / fname).is_file(), (name, fname)
        assert not any(pat in (fname, "*.gz", "*.csv", "*.csv.gz") for pat in ignored)
