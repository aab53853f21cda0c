"""The study specification: one YAML file per study, validated before anything runs.

A specification names the panel mart and its keys, the default model, the sample, a few
derived variables and the tables, in the order the paper prints them::

    title: How digital-real integration drives new-quality industries (paper 002)
    panel: marts.city_panel_balanced
    entity: city_code
    time: year
    entity_name: City                 # the fixed-effect row reads "City FE"
    synthetic_expected: true          # the demo build feeds it synthetic data
    labels: {integrated_share: Integrated-patent share}
    sample: {years: [2010, 2024], where: [{column: region3, op: "!=", value: northeast}]}
    derived:
      - {name: ln_fi, op: ln, column: foreign_investment}
    model:                            # defaults every table inherits
      dependent: ln_sei_revenue
      core: integrated_share
      controls: [ln_pgdp, gov, ln_population]
      fixed_effects: [entity, time]
      cov: clustered_entity
    tables:                           # table id -> type and options (ids are the outputs)
      benchmark:
        type: regression
        columns:
          - {label: "(1)", controls: [], fixed_effects: []}
          - {label: "(4)"}

The table types, their options and the derived-variable operations are listed in
`TABLE_TYPES`, `DERIVED_OPS` and `VARIANT_KINDS` below; every table type that fits a
model also accepts the model keys (dependent, core, controls, fixed_effects, cov) to
override the defaults. Omitted model keys take the library's defaults: ``fixed_effects:
[entity]`` and ``cov: clustered_entity`` (every shipped spec sets both). An unknown key or
option value raises `SpecError` with the file, the key path, the allowed values and a "did
you mean"; a column the mart lacks raises `SpecError` from `validate_columns` listing every
missing column.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from models_py.covariance import COV_TYPES

# the choices of the spatial table types (kept here so parsing a spec imports no PySAL)
MAP_SCHEMES = ("quantiles", "natural_breaks")
WEIGHT_KINDS = ("queen", "distance_band", "inverse_distance")

SPEC_DIR = Path(__file__).resolve().parent / "specs"


class SpecError(ValueError):
    """A study specification that cannot run; the message names the file and the key."""


# --- schema -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """One key of a mapping: its kind, whether it is required, its default, the allowed
    values, and whether it names panel columns (so `required_columns` finds them)."""

    kind: str  # str | bool | int | number | column | columns | strs | pair | mapping
    required: bool = False
    default: Any = None
    choices: tuple[Any, ...] | None = None
    nullable: bool = False
    column: bool = False


FIXED_EFFECTS = ("entity", "time")
MODEL_FIELDS: dict[str, Field] = {
    "dependent": Field("column", column=True),
    "core": Field("column", column=True),
    "controls": Field("columns", column=True),
    "fixed_effects": Field("strs", choices=FIXED_EFFECTS),
    "cov": Field("str", choices=COV_TYPES),
}
COMMON_TABLE_FIELDS: dict[str, Field] = {
    "type": Field("str", required=True),
    "title": Field("str"),
    "note": Field("str"),
}
ADF_FIELDS: dict[str, Field] = {
    "deterministic": Field("str", default="c", choices=("n", "c", "ct")),
    "lags": Field("int", nullable=True),
    "criterion": Field("str", default="bic", choices=("aic", "bic")),
}

# table type -> (its own options, whether it takes the model keys, default title)
TABLE_TYPES: dict[str, tuple[dict[str, Field], bool, str]] = {
    "descriptive": ({"variables": Field("columns", column=True),
                     "common_sample": Field("bool", default=False)}, True,
                    "Descriptive statistics"),
    "correlation": ({"variables": Field("columns", column=True)}, True,
                    "Correlation matrix with p-values"),
    "unit_root": ({"variables": Field("columns", column=True),
                   "residuals": Field("bool", default=False), **ADF_FIELDS}, True,
                  "Fisher-ADF panel unit-root tests"),
    "unit_root_by_entity": ({"variable": Field("column", nullable=True, column=True),
                             "residuals": Field("bool", default=False),
                             "label_column": Field("column", nullable=True, column=True),
                             **ADF_FIELDS}, True,
                            "ADF tests by cross-section"),
    "kao": ({"lags": Field("int", default=1), "bandwidth": Field("int", nullable=True)}, True,
            "Kao residual cointegration test"),
    "f_test": ({}, True, "F test: pooled OLS vs fixed effects"),
    "hausman": ({}, True, "Hausman test: fixed vs random effects"),
    "regression": ({"columns": Field("list")}, True, "Regression results"),
    "robustness": ({"variants": Field("list", required=True),
                    "include_benchmark": Field("bool", default=False)}, True,
                   "Robustness checks"),
    "clustered_vs_ordinary": ({"covs": Field("strs", default=["unadjusted", "clustered_entity"],
                                             choices=COV_TYPES)}, True,
                              "Ordinary vs clustered standard errors"),
    "by_entity": ({"entities": Field("strs", nullable=True),
                   "label_column": Field("column", nullable=True, column=True)}, True,
                  "Regressions by cross-section"),
    "heterogeneity": ({"group": Field("column", required=True, column=True),
                       "groups": Field("strs", nullable=True),
                       "group_labels": Field("mapping", default={}),
                       "test": Field("bool", default=True)}, True,
                      "Heterogeneity by group"),
    "region_interaction": ({"group": Field("column", required=True, column=True),
                            "base": Field("str", nullable=True),
                            "interact_controls": Field("bool", default=False)}, True,
                           "Core variable x group interaction"),
    "heteroskedasticity": ({}, True, "Heteroskedasticity tests"),
    "mediation": ({"mediator": Field("column", required=True, column=True),
                   "n_boot": Field("int", default=1000),
                   "seed": Field("int", default=20240101),
                   "level": Field("number", default=0.95)}, True,
                  "Mediation: stepwise regressions, Sobel test, bootstrap"),
    "pca_index": ({"index": Field("str", required=True),
                   "group": Field("column", nullable=True, column=True)}, False,
                  "Principal-component index"),
    "threshold": ({"threshold_variable": Field("column", required=True, column=True),
                   "regime": Field("column", nullable=True, column=True),
                   "n_thresholds": Field("int", default=1, choices=(1, 2, 3)),
                   "n_boot": Field("int", default=300),
                   "seed": Field("int", default=1999),
                   "trim": Field("number", default=0.01),
                   "grid_step": Field("number", default=0.0025),
                   "convention": Field("str", default="hansen", choices=("hansen", "xthreg"))},
                  True, "Panel threshold model"),
    # Maps and spatial statistics (models_py.spatial): they need the region polygons, which
    # the runner takes as `boundaries` (the study assets read marts.region_boundaries).
    "map": ({"variables": Field("columns", column=True),
             "year": Field("int", nullable=True),
             "scheme": Field("str", default="quantiles", choices=MAP_SCHEMES),
             "k": Field("int", default=5),
             "units": Field("mapping", default={})}, True, "Maps"),
    "spatial_autocorrelation": ({"variables": Field("columns", column=True),
                                 "weights": Field("str", default="queen",
                                                  choices=WEIGHT_KINDS),
                                 "threshold_km": Field("number", nullable=True),
                                 "permutations": Field("int", default=999),
                                 "seed": Field("int", default=12345),
                                 "lisa_year": Field("int", nullable=True),
                                 "alpha": Field("number", default=0.05)}, True,
                                "Spatial autocorrelation: global Moran's I and LISA clusters"),
}
# Table types whose builder needs the region polygons.
SPATIAL_TABLE_TYPES = ("map", "spatial_autocorrelation")
# Hansen's regime coefficients have no two-way clustered covariance.
THRESHOLD_COVS = ("unadjusted", "robust", "clustered_entity")

REGRESSION_COLUMN_FIELDS: dict[str, Field] = {"label": Field("str"), **MODEL_FIELDS}

VARIANT_KINDS: dict[str, dict[str, Field]] = {
    # log(1 + x) of `dependent` (default: the model's) and, if given, of `core`
    "log1p": {"dependent": Field("column", nullable=True, column=True),
              "core": Field("column", nullable=True, column=True)},
    "replace_dependent": {"dependent": Field("column", required=True, column=True)},
    "lag_core": {"lag": Field("int", default=1)},
    # winsor2 at `cuts` percentiles of `columns` (default dependent and core), `by` group
    "winsorize": {"columns": Field("columns", nullable=True, column=True),
                  "cuts": Field("pair", default=[1.0, 99.0]),
                  "by": Field("column", nullable=True, column=True)},
}
VARIANT_COMMON: dict[str, Field] = {"label": Field("str", required=True),
                                    "kind": Field("str", required=True)}

DERIVED_OPS: dict[str, dict[str, Field]] = {
    "ln": {"column": Field("column", required=True, column=True)},
    "ln1p": {"column": Field("column", required=True, column=True)},
    "ratio": {"numerator": Field("column", required=True, column=True),
              "denominator": Field("column", required=True, column=True),
              "scale": Field("number", default=1.0)},
    # value -> group label; values not listed become missing
    "recode": {"column": Field("column", required=True, column=True),
               "mapping": Field("mapping", required=True)},
    # composite of the first principal components (models_py.pca), on the complete rows
    "pca": {"columns": Field("columns", required=True, column=True),
            "directions": Field("strs", nullable=True, choices=("+", "-")),
            "rule": Field("str", default="eigenvalue",
                          choices=("eigenvalue", "cumulative", "both")),
            "threshold": Field("number", default=0.85),
            "scaled": Field("bool", default=False)},
}
DERIVED_COMMON: dict[str, Field] = {"name": Field("str", required=True),
                                    "op": Field("str", required=True),
                                    "label": Field("str")}

# Another mart whose `columns` are left-joined onto the panel by (entity, time), e.g. the
# index marts (marts.province_indices) beside marts.province_panel.
JOIN_FIELDS: dict[str, Field] = {"mart": Field("str", required=True),
                                 "columns": Field("columns", required=True, column=True)}

WHERE_OPS = ("==", "!=", "<", "<=", ">", ">=", "in", "not_in", "not_null")
WHERE_FIELDS: dict[str, Field] = {"column": Field("column", required=True, column=True),
                                  "op": Field("str", required=True, choices=WHERE_OPS),
                                  "value": Field("any")}
SAMPLE_FIELDS: dict[str, Field] = {"years": Field("pair", nullable=True),
                                   "where": Field("list", default=[])}

TOP_FIELDS: dict[str, Field] = {
    "title": Field("str", required=True),
    "description": Field("str", default=""),
    "paper": Field("str", default=""),
    "panel": Field("str", required=True),
    "entity": Field("column", required=True, column=True),
    "time": Field("column", required=True, column=True),
    "entity_name": Field("str", default="Entity"),
    "synthetic_expected": Field("bool", required=True),
    "data_note": Field("str", default=""),
    "labels": Field("mapping", default={}),
    "join": Field("list", default=[]),
    "sample": Field("mapping", default={}),
    "derived": Field("list", default=[]),
    "model": Field("mapping", required=True),
    "tables": Field("mapping", required=True),
}

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_PANEL = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$")


# --- parsed form ------------------------------------------------------------------------


@dataclass(frozen=True)
class ModelSpec:
    """A fully resolved model: the defaults of the spec with a table's overrides."""

    dependent: str
    core: str
    controls: tuple[str, ...]
    entity_effects: bool
    time_effects: bool
    cov: str

    @property
    def regressors(self) -> list[str]:
        return [self.core, *self.controls]


@dataclass(frozen=True)
class TableSpec:
    """One table: its id, type, title and the validated options (defaults filled)."""

    name: str
    type: str
    title: str
    options: dict[str, Any]


@dataclass(frozen=True)
class StudySpec:
    """A validated study specification (see the module docstring for the YAML)."""

    id: str
    title: str
    panel: str
    entity: str
    time: str
    synthetic_expected: bool
    path: Path | None
    description: str = ""
    paper: str = ""
    entity_name: str = "Entity"
    data_note: str = ""
    labels: dict[str, str] = field(default_factory=dict)
    years: tuple[int, int] | None = None
    where: tuple[dict[str, Any], ...] = ()
    derived: tuple[dict[str, Any], ...] = ()
    joins: tuple[dict[str, Any], ...] = ()
    model: dict[str, Any] = field(default_factory=dict)
    tables: tuple[TableSpec, ...] = ()

    def table(self, name: str) -> TableSpec:
        for t in self.tables:
            if t.name == name:
                return t
        raise SpecError(_where(self.path, "tables", f"no table {name!r}")
                        + _allowed([t.name for t in self.tables], name))

    def resolve_model(self, overrides: dict[str, Any] | None = None) -> ModelSpec:
        """The spec's model with `overrides` (a table's or a column's model keys)."""
        merged = dict(self.model)
        for key, value in (overrides or {}).items():
            if key in MODEL_FIELDS and value is not None:
                merged[key] = value
        fe = merged.get("fixed_effects") or []
        return ModelSpec(
            dependent=merged["dependent"],
            core=merged["core"],
            controls=tuple(merged.get("controls") or ()),
            entity_effects="entity" in fe,
            time_effects="time" in fe,
            cov=merged.get("cov") or "clustered_entity",
        )

    @property
    def derived_names(self) -> list[str]:
        return [d["name"] for d in self.derived]

    @property
    def marts(self) -> list[str]:
        """The panel mart first, then every joined mart."""
        return [self.panel, *(j["mart"] for j in self.joins)]


# --- validation helpers -----------------------------------------------------------------


def _where(path: Path | None, keypath: str, message: str) -> str:
    return f"{path if path is not None else '<spec>'}: {keypath}: {message}"


def _allowed(allowed: Iterable[Any], got: Any) -> str:
    allowed = [str(a) for a in allowed]
    text = f". Allowed: {', '.join(allowed)}"
    close = difflib.get_close_matches(str(got), allowed, n=1, cutoff=0.6)
    if close:
        text += f". Did you mean {close[0]!r}?"
    return text


def _type_name(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _check_value(value: Any, f: Field, path: Path | None, keypath: str) -> Any:
    def bad(expected: str) -> SpecError:
        return SpecError(_where(path, keypath, f"expected {expected}, got {_type_name(value)} "
                                               f"{value!r}"))

    if value is None:
        if f.nullable or not f.required:
            return None
        raise bad(f.kind)
    kind = f.kind
    if kind == "any":
        return value
    if kind in ("str", "column"):
        if not isinstance(value, str) or not value:
            raise bad("a non-empty string")
        if kind == "column" and not _NAME.match(value):
            raise SpecError(_where(path, keypath, f"{value!r} is not a column name"))
    elif kind == "bool":
        if not isinstance(value, bool):
            raise bad("true or false")
    elif kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise bad("an integer")
        if value < 0:
            raise SpecError(_where(path, keypath, f"must be non-negative, got {value}"))
    elif kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise bad("a number")
        value = float(value)
    elif kind in ("columns", "strs"):
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise bad("a list of strings")
        if kind == "columns":
            for i, v in enumerate(value):
                if not _NAME.match(v):
                    raise SpecError(_where(path, f"{keypath}[{i}]", f"{v!r} is not a column name"))
        if len(set(value)) != len(value):
            raise SpecError(_where(path, keypath, f"duplicates in {value}"))
    elif kind == "pair":
        if (not isinstance(value, list) or len(value) != 2
                or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)):
            raise bad("a list of two numbers")
        if value[0] > value[1]:
            raise SpecError(_where(path, keypath, f"first value exceeds second: {value}"))
    elif kind == "mapping":
        if not isinstance(value, dict):
            raise bad("a mapping")
    elif kind == "list" and not isinstance(value, list):
        raise bad("a list")
    if f.choices is not None:
        items = value if isinstance(value, list) else [value]
        for item in items:
            if item not in f.choices:
                raise SpecError(_where(path, keypath, f"unknown value {item!r}")
                                + _allowed(f.choices, item))
    return value


def _check_mapping(data: Any, fields: dict[str, Field], path: Path | None,
                   keypath: str) -> dict[str, Any]:
    """Validate `data` against `fields`: unknown keys, missing required keys, types and
    allowed values; returns a new dict with the defaults filled in."""
    if not isinstance(data, dict):
        raise SpecError(_where(path, keypath or "<top>",
                               f"expected a mapping, got {_type_name(data)}"))
    prefix = f"{keypath}." if keypath else ""
    for key in data:
        if key not in fields:
            raise SpecError(_where(path, f"{prefix}{key}", "unknown key")
                            + _allowed(fields, key))
    out: dict[str, Any] = {}
    for key, f in fields.items():
        if key not in data:
            if f.required:
                raise SpecError(_where(path, f"{prefix}{key}", "required key is missing"))
            default = f.default
            out[key] = list(default) if isinstance(default, list) else (
                dict(default) if isinstance(default, dict) else default)
            continue
        out[key] = _check_value(data[key], f, path, f"{prefix}{key}")
    return out


def _check_kinded(data: Any, common: dict[str, Field], kinds: dict[str, dict[str, Field]],
                  selector: str, path: Path | None, keypath: str) -> dict[str, Any]:
    """A mapping whose allowed keys depend on its `selector` key (op, kind, type)."""
    if not isinstance(data, dict):
        raise SpecError(_where(path, keypath, f"expected a mapping, got {_type_name(data)}"))
    value = data.get(selector)
    if value not in kinds:
        raise SpecError(_where(path, f"{keypath}.{selector}",
                               f"unknown {selector} {value!r}") + _allowed(kinds, value))
    return _check_mapping(data, {**common, **kinds[value]}, path, keypath)


# --- loading ----------------------------------------------------------------------------


def _parse_tables(raw: dict[str, Any], path: Path | None) -> tuple[TableSpec, ...]:
    if not raw:
        raise SpecError(_where(path, "tables", "at least one table is required"))
    tables = []
    for name, body in raw.items():
        keypath = f"tables.{name}"
        if not isinstance(name, str) or not _NAME.match(name):
            raise SpecError(_where(path, keypath, "a table id is a lower-case identifier"))
        if not isinstance(body, dict):
            raise SpecError(_where(path, keypath, f"expected a mapping, got {_type_name(body)}"))
        ttype = body.get("type")
        if ttype not in TABLE_TYPES:
            raise SpecError(_where(path, f"{keypath}.type", f"unknown table type {ttype!r}")
                            + _allowed(TABLE_TYPES, ttype))
        own, takes_model, default_title = TABLE_TYPES[ttype]
        fields = {**COMMON_TABLE_FIELDS, **own, **(MODEL_FIELDS if takes_model else {})}
        opts = _check_mapping(body, fields, path, keypath)
        if ttype == "threshold" and opts.get("cov") not in (None, *THRESHOLD_COVS):
            raise SpecError(_where(path, f"{keypath}.cov", f"unknown value {opts['cov']!r}")
                            + _allowed(THRESHOLD_COVS, opts["cov"]))
        if ttype == "regression":
            cols = opts.get("columns") or [{}]
            opts["columns"] = [
                _check_mapping(c, REGRESSION_COLUMN_FIELDS, path, f"{keypath}.columns[{i}]")
                for i, c in enumerate(cols)
            ]
        if ttype == "robustness":
            if not opts["variants"]:
                raise SpecError(_where(path, f"{keypath}.variants", "list at least one variant"))
            opts["variants"] = [
                _check_kinded(v, VARIANT_COMMON, VARIANT_KINDS, "kind", path,
                              f"{keypath}.variants[{i}]")
                for i, v in enumerate(opts["variants"])
            ]
        if ttype == "spatial_autocorrelation" and not 0 < opts["alpha"] < 1:
            raise SpecError(_where(path, f"tables.{name}.alpha", "must be in (0, 1)"))
        if ttype == "map" and opts["k"] < 2:
            raise SpecError(_where(path, f"tables.{name}.k", "must be at least 2"))
        if ttype == "mediation" and not 0 < opts["level"] < 1:
            raise SpecError(_where(path, f"{keypath}.level", "must lie in (0, 1)"))
        title = opts.pop("title") or default_title
        opts.pop("type")
        tables.append(TableSpec(name=name, type=ttype, title=title, options=opts))
    return tuple(tables)


def parse_spec(data: Any, path: Path | None = None, study_id: str | None = None) -> StudySpec:
    """Validate the parsed YAML `data` of a specification (see `load_spec`)."""
    top = _check_mapping(data, TOP_FIELDS, path, "")
    if not _PANEL.match(top["panel"]):
        raise SpecError(_where(path, "panel", f"expected <schema>.<table>, got {top['panel']!r}"))
    if top["entity"] == top["time"]:
        raise SpecError(_where(path, "time", "entity and time must differ"))
    for key, label in top["labels"].items():
        if not isinstance(label, str):
            raise SpecError(_where(path, f"labels.{key}", "a label is a string"))

    model = _check_mapping(top["model"], MODEL_FIELDS, path, "model")
    for key in ("dependent", "core"):
        if model[key] is None:
            raise SpecError(_where(path, f"model.{key}", "required key is missing"))
    model["controls"] = model["controls"] or []
    # Omitted: the library's default, entity effects only (time effects must be asked for).
    model["fixed_effects"] = (["entity"] if model["fixed_effects"] is None
                              else model["fixed_effects"])
    model["cov"] = model["cov"] or "clustered_entity"

    sample = _check_mapping(top["sample"], SAMPLE_FIELDS, path, "sample")
    where = tuple(_check_mapping(w, WHERE_FIELDS, path, f"sample.where[{i}]")
                  for i, w in enumerate(sample["where"]))
    for i, w in enumerate(where):
        if w["op"] != "not_null" and "value" not in (sample["where"][i] or {}):
            raise SpecError(_where(path, f"sample.where[{i}].value", "required key is missing"))
        if w["op"] in ("in", "not_in") and not isinstance(w["value"], list):
            raise SpecError(_where(path, f"sample.where[{i}].value",
                                   f"op {w['op']!r} takes a list of values"))
    years = sample["years"]

    joins = []
    for i, j in enumerate(top["join"]):
        item = _check_mapping(j, JOIN_FIELDS, path, f"join[{i}]")
        if not _PANEL.match(item["mart"]) or item["mart"] == top["panel"]:
            raise SpecError(_where(path, f"join[{i}].mart",
                                   f"expected another <schema>.<table>, got {item['mart']!r}"))
        joins.append(item)
    joined = [c for j in joins for c in j["columns"]]
    if len(set(joined)) != len(joined) or {top["entity"], top["time"]} & set(joined):
        raise SpecError(_where(path, "join", "a joined column is listed twice or is a key"))

    derived = []
    seen: set[str] = set()
    for i, d in enumerate(top["derived"]):
        item = _check_kinded(d, DERIVED_COMMON, DERIVED_OPS, "op", path, f"derived[{i}]")
        if not _NAME.match(item["name"]):
            raise SpecError(_where(path, f"derived[{i}].name",
                                   f"{item['name']!r} is not a column name"))
        if item["name"] in seen:
            raise SpecError(_where(path, f"derived[{i}].name", f"{item['name']!r} defined twice"))
        if item["op"] == "pca":
            dirs = item["directions"]
            if dirs is not None and len(dirs) != len(item["columns"]):
                raise SpecError(_where(path, f"derived[{i}].directions",
                                       "give one direction per column"))
            if len(item["columns"]) < 2:
                raise SpecError(_where(path, f"derived[{i}].columns", "PCA needs 2+ columns"))
        seen.add(item["name"])
        derived.append(item)

    tables = _parse_tables(top["tables"], path)
    for t in tables:
        if t.type == "pca_index":
            pcas = [d["name"] for d in derived if d["op"] == "pca"]
            if t.options["index"] not in pcas:
                raise SpecError(_where(path, f"tables.{t.name}.index",
                                       f"{t.options['index']!r} is not a derived pca variable")
                                + _allowed(pcas, t.options["index"]))

    sid = study_id or (path.stem if path is not None else "study")
    return StudySpec(
        id=sid, title=top["title"], panel=top["panel"], entity=top["entity"],
        time=top["time"], synthetic_expected=top["synthetic_expected"], path=path,
        description=top["description"], paper=top["paper"], entity_name=top["entity_name"],
        data_note=top["data_note"], labels=dict(top["labels"]),
        years=(int(years[0]), int(years[1])) if years is not None else None,
        where=where, derived=tuple(derived), joins=tuple(joins), model=model, tables=tables,
    )


def load_spec(path: str | Path) -> StudySpec:
    """Read and validate a specification file; the file stem is the study id."""
    path = Path(path)
    if not _NAME.match(path.stem):
        raise SpecError(_where(path, "<file>", "the file stem (study id) must be an identifier"))
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise SpecError(_where(path, "<yaml>", f"not valid YAML: {exc}")) from exc
    except OSError as exc:
        raise SpecError(_where(path, "<file>", f"cannot read: {exc}")) from exc
    return parse_spec(data, path)


def discover_specs(directory: str | Path | None = None) -> list[StudySpec]:
    """Every ``*.yml`` specification in `directory` (default the shipped ones), by id."""
    directory = Path(directory) if directory is not None else SPEC_DIR
    return [load_spec(p) for p in sorted(directory.glob("*.yml"))]


# --- columns and tables -----------------------------------------------------------------


def _columns_in(values: dict[str, Any], fields: dict[str, Field]) -> list[str]:
    out: list[str] = []
    for key, f in fields.items():
        v = values.get(key)
        if not f.column or v is None:
            continue
        out += v if isinstance(v, list) else [v]
    return out


def required_columns(spec: StudySpec) -> set[str]:
    """Every column of the mart the study reads (derived variables excluded: the runner
    makes them)."""
    cols: list[str] = [spec.entity, spec.time]
    cols += _columns_in(spec.model, MODEL_FIELDS)
    for j in spec.joins:
        cols += j["columns"]
    for w in spec.where:
        cols.append(w["column"])
    for d in spec.derived:
        cols += _columns_in(d, DERIVED_OPS[d["op"]])
    for t in spec.tables:
        own, takes_model, _ = TABLE_TYPES[t.type]
        cols += _columns_in(t.options, {**own, **(MODEL_FIELDS if takes_model else {})})
        for c in t.options.get("columns", []) if t.type == "regression" else []:
            cols += _columns_in(c, REGRESSION_COLUMN_FIELDS)
        for v in t.options.get("variants", []):
            cols += _columns_in(v, VARIANT_KINDS[v["kind"]])
    return set(cols) - set(spec.derived_names)


def mart_columns(spec: StudySpec) -> dict[str, set[str]]:
    """The columns to read from each mart (keys included), the panel mart first."""
    joined = {c for j in spec.joins for c in j["columns"]}
    keys = {spec.entity, spec.time}
    out = {spec.panel: (required_columns(spec) - joined) | keys}
    for j in spec.joins:
        out[j["mart"]] = set(j["columns"]) | keys
    return out


def _missing_error(spec: StudySpec, missing: list[str], available: set[str],
                   where: str) -> SpecError:
    hints = []
    for m in missing:
        close = difflib.get_close_matches(m, sorted(available), n=1, cutoff=0.75)
        hints.append(f"{m} (did you mean {close[0]!r}?)" if close else m)
    return SpecError(_where(spec.path, "columns", f"{len(missing)} column(s) missing from "
                                                  f"{where}: " + ", ".join(hints)))


def assemble_panel(spec: StudySpec, frames: dict[str, Any]) -> Any:
    """The study's panel from the rows of each mart (``frames[mart]``, pandas frames):
    the panel mart with the joined marts' columns left-joined on (entity, time). Raises
    `SpecError` naming each mart's missing columns."""
    need = mart_columns(spec)
    for mart, cols in need.items():
        if mart not in frames:
            raise SpecError(_where(spec.path, "join", f"no rows given for {mart}"))
        available = set(frames[mart].columns)
        missing = sorted(cols - available)
        if missing:
            raise _missing_error(spec, missing, available, mart)
    panel = frames[spec.panel]
    keys = [spec.entity, spec.time]
    for j in spec.joins:
        right = frames[j["mart"]].loc[:, [*keys, *j["columns"]]]
        clash = [c for c in j["columns"] if c in panel.columns]
        if clash:
            raise SpecError(_where(spec.path, "join", f"{clash} of {j['mart']} already in "
                                                      f"{spec.panel}"))
        panel = panel.merge(right, on=keys, how="left", validate="one_to_one")
    return panel


def validate_columns(spec: StudySpec, columns: Iterable[str]) -> None:
    """Raise `SpecError` listing every column the study needs that `columns` lacks, and
    every derived variable whose name a mart column already takes."""
    available = set(columns)
    missing = sorted(required_columns(spec) - available)
    if missing:
        raise _missing_error(spec, missing, available, " + ".join(spec.marts))
    clash = [d for d in spec.derived_names if d in available]
    if clash:
        raise SpecError(_where(spec.path, "derived",
                               f"derived variable(s) {clash} already exist in {spec.panel}; "
                               "choose other names"))


def table_names(spec: StudySpec) -> list[str]:
    """The ids of the study's tables, in the order of the specification."""
    return [t.name for t in spec.tables]


def table_title(spec: StudySpec, name: str) -> str:
    return spec.table(name).title
