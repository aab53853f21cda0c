"""One name, one meaning: `dri_index` is the four-dimension composite, `integrated_share` the
integrated-patent share K / T, wherever either appears (dbt YAML, specs, docs, queries).

The values themselves are compared across marts on the built warehouse
(tests/integration/test_sql_clients.py); this reads the project's files only.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from orchestration.comments import dbt_catalog

ROOT = Path(__file__).resolve().parents[2]
SPECS = sorted((ROOT / "models_py" / "studies" / "specs").glob("*.yml"))
# Former names of the two measures: city_panel's composite and the components' indicator.
RETIRED = ("dri_composite", "integration_share")


def _columns_named(name: str) -> dict[str, str]:
    return {
        f"{schema}.{table}": cols[name]
        for (schema, table), cols in dbt_catalog().columns.items()
        if name in cols
    }


def test_dri_index_is_the_composite_in_every_model() -> None:
    found = _columns_named("dri_index")
    assert {"marts.dri_index", "marts.city_panel", "marts.city_panel_balanced"} <= set(found)
    for model, text in found.items():
        assert "entropy" in text and "share of" not in text.split(".")[0], model


def test_integrated_share_is_the_share_in_every_model() -> None:
    found = _columns_named("integrated_share")
    assert {
        "marts.dri_index",
        "marts.dri_index_components",
        "marts.city_panel",
        "marts.city_panel_balanced",
    } <= set(found)
    for model, text in found.items():
        assert "K / T" in text or "integrated_patents / patents" in text, model


def test_no_model_column_keeps_a_retired_name() -> None:
    for (schema, table), cols in dbt_catalog().columns.items():
        assert not set(cols) & set(RETIRED), f"{schema}.{table}"


@pytest.mark.parametrize(
    "folder",
    [
        "dbt_project/models",
        "dbt_project/macros",
        "expectations",
        "models_py",
        "orchestration",
        "warehouse/queries",
        "benchmarks",
    ],
)
def test_code_and_docs_use_no_retired_name(folder) -> None:
    for path in (ROOT / folder).rglob("*"):
        if path.suffix not in {".sql", ".yml", ".md", ".py"} or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        # the docs blocks may say what a column was called before
        text = re.sub(r"\(Named `\w+` in `city_panel` before[^)]*\)", "", text)
        for name in RETIRED:
            assert name not in text, f"{path.relative_to(ROOT)} still says {name}"


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.stem)
def test_each_spec_says_which_dri_measure_it_uses(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    declared = re.search(r"^# DRI measure: (\S+?)[,( ]", text, flags=re.M)
    assert declared, f"{path.name}: no '# DRI measure:' line"
    body = yaml.safe_dump(yaml.safe_load(text))  # what the spec uses, comments left out
    used = [m for m in ("integrated_share", "dri_index") if re.search(rf"\b{m}\b", body)]
    assert declared.group(1) == (used[0] if len(used) == 1 else "none" if not used else "both")


def test_readme_names_the_measures_once() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "FROM marts.city_panel" in readme
    assert "term = 'integrated_share'" in readme and "term = 'dri_index'" not in readme
    assert "**One name per measure.**" in readme
