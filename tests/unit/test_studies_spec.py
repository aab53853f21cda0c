"""models_py.studies.spec: the shipped specifications load; a broken specification fails
before anything runs, with a message that names the file, the key path and the allowed
values; columns are checked against the mart."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from models_py.studies.runner import prepare_panel
from models_py.studies.spec import (
    SPEC_DIR,
    SpecError,
    assemble_panel,
    discover_specs,
    load_spec,
    mart_columns,
    required_columns,
    table_names,
    table_title,
    validate_columns,
)

SHIPPED = {"paper000_province", "paper002_city", "paper004_province", "real_province_st"}


def write(tmp_path: Path, data: dict, name: str = "broken_study") -> Path:
    path = tmp_path / f"{name}.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def minimal() -> dict:
    return {
        "title": "t",
        "panel": "marts.city_panel_balanced",
        "entity": "city_code",
        "time": "year",
        "synthetic_expected": True,
        "model": {"dependent": "y", "core": "x", "controls": ["w"]},
        "tables": {"benchmark": {"type": "regression",
                                 "columns": [{"controls": []}, {}]}},
    }


def test_shipped_specs_load_with_ids_from_file_stems() -> None:
    specs = discover_specs()
    assert {s.id for s in specs} == SHIPPED
    for s in specs:
        assert s.path is not None and s.path.parent == SPEC_DIR
        names = table_names(s)
        assert names and len(set(names)) == len(names)
        assert all(table_title(s, n) for n in names)
    synthetic = {s.id: s.synthetic_expected for s in specs}
    assert synthetic["real_province_st"] is False
    assert all(v for k, v in synthetic.items() if k != "real_province_st")


def test_paper002_reads_exactly_the_columns_its_yaml_names() -> None:
    spec = load_spec(SPEC_DIR / "paper002_city.yml")
    # listed by reading paper002_city.yml: keys, model, descriptive variables, the
    # robustness sources, the mediator and the two grouping columns
    assert required_columns(spec) == {
        "city_code", "year", "ln_sei_revenue", "integrated_share", "ln_pgdp", "gov",
        "ln_population", "ln_digital_invention", "sei_revenue", "ln_sei_employment", "region3",
        "hu_side",
    }
    assert table_names(spec) == ["descriptive", "benchmark", "robustness", "mediation",
                                 "heterogeneity_region", "heterogeneity_hu_line", "maps",
                                 "spatial_autocorrelation"]
    mediation = spec.table("mediation").options
    assert mediation["n_boot"] == 1000 and mediation["seed"] == 20240101


def test_minimal_spec_fills_defaults(tmp_path: Path) -> None:
    spec = load_spec(write(tmp_path, minimal()))
    assert spec.id == "broken_study"
    m = spec.resolve_model()
    assert (m.entity_effects, m.time_effects, m.cov) == (True, False, "clustered_entity")
    assert spec.resolve_model({"controls": [], "fixed_effects": ["entity"]}).controls == ()
    assert spec.table("benchmark").title == "Regression results"


@pytest.mark.parametrize("mutate, fragments", [
    (lambda d: d.update(tittle="x"),
     ["broken_study.yml", "tittle: unknown key", "Allowed:", "Did you mean 'title'?"]),
    (lambda d: d["model"].update(cov="clustred_entity"),
     ["model.cov: unknown value 'clustred_entity'", "unadjusted", "robust",
      "Did you mean 'clustered_entity'?"]),
    (lambda d: d["tables"]["benchmark"].update(contrls=["w"]),
     ["tables.benchmark.contrls: unknown key", "Did you mean 'controls'?"]),
    (lambda d: d["tables"].update(het={"type": "heterogenity", "group": "region3"}),
     ["tables.het.type: unknown table type 'heterogenity'", "Did you mean 'heterogeneity'?"]),
    (lambda d: d["tables"].update(med={"type": "mediation", "mediator": "m",
                                       "n_boot": "many"}),
     ["tables.med.n_boot: expected an integer, got str 'many'"]),
    (lambda d: d["tables"].update(med={"type": "mediation"}),
     ["tables.med.mediator: required key is missing"]),
    (lambda d: d["model"].update(fixed_effects=["entity", "year"]),
     ["model.fixed_effects: unknown value 'year'", "Allowed: entity, time"]),
    (lambda d: d.update(synthetic_expected="yes"),
     ["synthetic_expected: expected true or false"]),
    (lambda d: d["tables"].update(rob={"type": "robustness", "variants": [
        {"label": "w", "kind": "winsorise"}]}),
     ["tables.rob.variants[0].kind: unknown kind 'winsorise'", "Did you mean 'winsorize'?"]),
    (lambda d: d.update(derived=[{"name": "lx", "op": "log", "column": "x"}]),
     ["derived[0].op: unknown op 'log'", "Allowed: ln, ln1p, ratio, recode, pca"]),
    (lambda d: d.update(sample={"years": [2024, 2010]}),
     ["sample.years: first value exceeds second"]),
    (lambda d: d["tables"].update(thr={"type": "threshold", "threshold_variable": "q",
                                       "cov": "clustered_twoway"}),
     ["tables.thr.cov: unknown value 'clustered_twoway'"]),
    (lambda d: d.update(panel="city_panel"), ["panel: expected <schema>.<table>"]),
    (lambda d: d.pop("model"), ["model: required key is missing"]),
])
def test_broken_spec_message(tmp_path: Path, mutate, fragments) -> None:
    data = minimal()
    mutate(data)
    with pytest.raises(SpecError) as err:
        load_spec(write(tmp_path, data))
    for fragment in fragments:
        assert fragment in str(err.value)


def test_invalid_yaml_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad_yaml.yml"
    path.write_text("title: [unclosed\n", encoding="utf-8")
    with pytest.raises(SpecError, match="bad_yaml.yml: <yaml>: not valid YAML"):
        load_spec(path)


def test_missing_columns_listed_all_at_once_with_the_mart(tmp_path: Path) -> None:
    spec = load_spec(write(tmp_path, minimal()))
    with pytest.raises(SpecError) as err:
        validate_columns(spec, ["city_code", "year", "y", "xx"])
    msg = str(err.value)
    assert "2 column(s) missing from marts.city_panel_balanced: w, x" in msg
    assert "broken_study.yml" in msg
    validate_columns(spec, ["city_code", "year", "y", "x", "w"])  # complete: no error


def test_prepare_panel_checks_columns_before_running(tmp_path: Path) -> None:
    spec = load_spec(write(tmp_path, minimal()))
    panel = pd.DataFrame({"city_code": ["a"], "year": [2010], "y": [1.0], "x": [1.0]})
    with pytest.raises(SpecError, match="missing from marts.city_panel_balanced: w"):
        prepare_panel(spec, panel)


def test_derived_name_clashing_with_a_mart_column(tmp_path: Path) -> None:
    data = minimal()
    data["derived"] = [{"name": "w", "op": "ln", "column": "y"}]
    data["model"]["controls"] = []
    spec = load_spec(write(tmp_path, data))
    with pytest.raises(SpecError, match=r"derived variable\(s\) \['w'\] already exist"):
        validate_columns(spec, ["city_code", "year", "y", "x", "w"])


def test_join_reads_each_mart_and_names_missing_columns(tmp_path: Path) -> None:
    data = minimal()
    data["join"] = [{"mart": "marts.city_indices", "columns": ["w"]}]
    spec = load_spec(write(tmp_path, data))
    assert mart_columns(spec) == {"marts.city_panel_balanced": {"city_code", "year", "y", "x"},
                                  "marts.city_indices": {"city_code", "year", "w"}}
    main = pd.DataFrame({"city_code": ["a", "a"], "year": [1, 2], "y": [1.0, 2.0],
                         "x": [0.0, 1.0]})
    other = pd.DataFrame({"city_code": ["a"], "year": [2], "w": [5.0]})
    panel = assemble_panel(spec, {"marts.city_panel_balanced": main,
                                  "marts.city_indices": other})
    assert panel["w"].isna().tolist() == [True, False]
    with pytest.raises(SpecError, match="missing from marts.city_indices: w"):
        assemble_panel(spec, {"marts.city_panel_balanced": main,
                              "marts.city_indices": other.drop(columns="w")})


def test_sample_filters_and_derived_variables(tmp_path: Path) -> None:
    data = minimal()
    data["sample"] = {"years": [2011, 2012],
                      "where": [{"column": "region3", "op": "in", "value": ["east", "west"]}]}
    data["derived"] = [
        {"name": "ln_y", "op": "ln", "column": "y"},
        {"name": "ratio_xy", "op": "ratio", "numerator": "x", "denominator": "y",
         "scale": 100},
        {"name": "grp", "op": "recode", "column": "region3",
         "mapping": {"east": "E", "west": "CW"}},
    ]
    spec = load_spec(write(tmp_path, data))
    panel = pd.DataFrame({
        "city_code": ["a"] * 4 + ["b"] * 4, "year": [2010, 2011, 2012, 2013] * 2,
        "region3": ["east"] * 4 + ["central"] * 4, "y": [1.0, 2.0, 4.0, 8.0] * 2,
        "x": [1.0] * 8, "w": [0.0] * 8,
    })
    out = prepare_panel(spec, panel)
    assert out["year"].tolist() == [2011, 2012]
    assert out["ln_y"].tolist() == pytest.approx([0.6931471805599453, 1.3862943611198906])
    assert out["ratio_xy"].tolist() == pytest.approx([50.0, 25.0])
    assert out["grp"].tolist() == ["E", "E"]
    assert prepare_panel(spec, out) is out  # a prepared frame passes through
