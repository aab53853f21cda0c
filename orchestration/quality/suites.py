"""Suite files (`expectations/*.yml`) -> typed specs and Great Expectations configurations.

A suite file names the Dagster asset it guards and lists batches: each batch is one SQL query
on the warehouse (the table itself, or a derived view such as year-over-year ratios or the
city x year grid of a balanced panel) with the expectations its rows must meet. Every
expectation says whether its failure is blocking (the check fails with severity ERROR and
downstream assets do not run) or a warning (severity WARN: a person should look).
`expectations/README.md` documents the format.

This module never imports Great Expectations (`to_gx_suite` does, lazily), so loading the
suites costs no more than reading YAML.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from orchestration.paths import PROJECT_ROOT

EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"
SUITE_SUFFIXES = (".yml", ".yaml", ".json")

_SUITE_KEYS = {"suite", "asset", "description", "previous_build", "batches"}
_BATCH_KEYS = {"name", "description", "sql", "index_columns", "expectations"}
_EXPECTATION_KEYS = {"type", "kwargs", "blocking", "notes", "name"}
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
# Identifiers inside a `{"$PARAMETER": "previous_row_count * 0.9"}` expression.
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class SuiteFileError(ValueError):
    """A suite file that does not follow the format; the message names the file."""


@dataclass(frozen=True)
class ExpectationSpec:
    """One expectation as written in a suite file."""

    type: str
    kwargs: dict[str, Any]
    blocking: bool
    notes: str = ""
    name: str = ""

    @property
    def columns(self) -> list[str]:
        """The columns the expectation is about (for labels and failing-row samples)."""
        kw = self.kwargs
        if "column" in kw:
            return [kw["column"]]
        if "column_list" in kw:
            return list(kw["column_list"])
        return [kw[k] for k in ("column_A", "column_B") if k in kw]

    @property
    def parameters(self) -> set[str]:
        """Names used by `$PARAMETER` expressions in the kwargs (e.g. previous_row_count)."""
        found: set[str] = set()
        for value in self.kwargs.values():
            if isinstance(value, dict) and "$PARAMETER" in value:
                found |= set(_IDENTIFIER.findall(str(value["$PARAMETER"])))
        return found

    def label(self, batch: str, position: int) -> str:
        """Stable, readable identity of the expectation within its suite."""
        if self.name:
            return f"{batch}.{self.name}"
        columns = ",".join(self.columns)
        short = self.type.removeprefix("expect_")
        return f"{batch}#{position} {short}" + (f"({columns})" if columns else "")


@dataclass(frozen=True)
class BatchSpec:
    """One SQL query on the warehouse and the expectations its result must meet."""

    name: str
    sql: str
    expectations: list[ExpectationSpec]
    index_columns: list[str] = field(default_factory=list)
    description: str = ""


@dataclass(frozen=True)
class SuiteSpec:
    """A suite file: the asset it guards and its batches."""

    name: str
    asset_key: tuple[str, ...]
    batches: list[BatchSpec]
    description: str = ""
    # parameter name -> SQL returning one number, run on the previous published build
    previous_build: dict[str, str] = field(default_factory=dict)
    path: Path | None = None

    @property
    def has_blocking(self) -> bool:
        return any(e.blocking for b in self.batches for e in b.expectations)

    @property
    def n_expectations(self) -> int:
        return sum(len(b.expectations) for b in self.batches)


def _fail(path: Path, message: str) -> SuiteFileError:
    return SuiteFileError(f"{path}: {message}")


def _read(path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    try:
        return json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise _fail(path, f"not valid {path.suffix.lstrip('.')}: {exc}") from exc


def _unknown(path: Path, where: str, given: dict, allowed: set[str]) -> None:
    extra = sorted(set(given) - allowed)
    if extra:
        raise _fail(path, f"{where}: unknown key(s) {extra}; allowed: {sorted(allowed)}")


def _expectation(path: Path, where: str, raw: Any) -> ExpectationSpec:
    if not isinstance(raw, dict):
        raise _fail(path, f"{where}: an expectation must be a mapping")
    _unknown(path, where, raw, _EXPECTATION_KEYS)
    kind = raw.get("type")
    if not isinstance(kind, str) or not kind.startswith("expect_"):
        raise _fail(path, f"{where}: 'type' must name a GX expectation (expect_...)")
    # No default on purpose: whether a failure stops the build is a decision to write down.
    if not isinstance(raw.get("blocking"), bool):
        raise _fail(path, f"{where} ({kind}): 'blocking' must be true or false")
    kwargs = raw.get("kwargs") or {}
    if not isinstance(kwargs, dict):
        raise _fail(path, f"{where} ({kind}): 'kwargs' must be a mapping")
    if "result_format" in kwargs or "meta" in kwargs:
        raise _fail(path, f"{where} ({kind}): result_format and meta are set by the runner")
    name = str(raw.get("name") or "")
    if name and not _NAME.match(name):
        raise _fail(path, f"{where}: name {name!r} must be lower_snake_case")
    return ExpectationSpec(type=kind, kwargs=dict(kwargs), blocking=raw["blocking"],
                           notes=str(raw.get("notes") or "").strip(), name=name)


def _batch(path: Path, position: int, raw: Any) -> BatchSpec:
    if not isinstance(raw, dict):
        raise _fail(path, f"batch {position}: must be a mapping")
    name = raw.get("name")
    where = f"batch {name or position}"
    _unknown(path, where, raw, _BATCH_KEYS)
    if not isinstance(name, str) or not _NAME.match(name):
        raise _fail(path, f"{where}: 'name' must be lower_snake_case")
    sql = raw.get("sql")
    if not isinstance(sql, str) or not sql.strip():
        raise _fail(path, f"{where}: 'sql' (the query whose rows are validated) is required")
    expectations = raw.get("expectations")
    if not isinstance(expectations, list) or not expectations:
        raise _fail(path, f"{where}: 'expectations' must be a non-empty list")
    index_columns = raw.get("index_columns") or []
    if not isinstance(index_columns, list) or not all(isinstance(c, str) for c in index_columns):
        raise _fail(path, f"{where}: 'index_columns' must be a list of column names")
    specs = [_expectation(path, f"{where}, expectation {i + 1}", e)
             for i, e in enumerate(expectations)]
    names = [s.name for s in specs if s.name]
    if len(names) != len(set(names)):
        raise _fail(path, f"{where}: expectation names must be unique")
    return BatchSpec(name=name, sql=sql.strip(), expectations=specs,
                     index_columns=list(index_columns),
                     description=str(raw.get("description") or "").strip())


def load_suite(path: Path) -> SuiteSpec:
    """Read and check one suite file; raises SuiteFileError naming the file and the problem."""
    path = Path(path)
    raw = _read(path)
    if not isinstance(raw, dict):
        raise _fail(path, "a suite file must be a mapping")
    _unknown(path, "suite", raw, _SUITE_KEYS)
    name = raw.get("suite")
    if not isinstance(name, str) or not _NAME.match(name):
        raise _fail(path, "'suite' must be a lower_snake_case name")
    asset = raw.get("asset")
    if not isinstance(asset, str) or not asset.strip("/"):
        raise _fail(path, "'asset' must be a Dagster asset key written like raw/patents")
    batches_raw = raw.get("batches")
    if not isinstance(batches_raw, list) or not batches_raw:
        raise _fail(path, "'batches' must be a non-empty list")
    batches = [_batch(path, i + 1, b) for i, b in enumerate(batches_raw)]
    batch_names = [b.name for b in batches]
    if len(batch_names) != len(set(batch_names)):
        raise _fail(path, f"batch names must be unique: {batch_names}")
    previous = raw.get("previous_build") or {}
    if not isinstance(previous, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in previous.items()
    ):
        raise _fail(path, "'previous_build' must map parameter names to SQL queries")
    used = {p for b in batches for e in b.expectations for p in e.parameters}
    undefined = sorted(used - set(previous))
    if undefined:
        raise _fail(path, f"$PARAMETER name(s) {undefined} are not defined in previous_build")
    return SuiteSpec(
        name=name, asset_key=tuple(asset.strip("/").split("/")), batches=batches,
        description=str(raw.get("description") or "").strip(), previous_build=dict(previous),
        path=path,
    )


def suite_files(directory: Path = EXPECTATIONS_DIR) -> list[Path]:
    return sorted(p for p in Path(directory).iterdir()
                  if p.suffix in SUITE_SUFFIXES and p.is_file())


def load_suites(directory: Path = EXPECTATIONS_DIR) -> list[SuiteSpec]:
    """Every suite file in `directory`, by file name; suite names must be unique."""
    suites = [load_suite(p) for p in suite_files(directory)]
    names = [s.name for s in suites]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise SuiteFileError(f"{directory}: suite name(s) used twice: {duplicates}")
    return suites


def expectation_configs(batch: BatchSpec, skip: set[int] = frozenset()) -> list[dict]:
    """The batch's expectations as GX 1.x configuration dicts (type, kwargs, meta, severity,
    notes). The position in `meta` maps each validation result back to its spec (GX does
    not keep the suite's order in its results). Positions in `skip` are left out."""
    configs = []
    for position, spec in enumerate(batch.expectations, start=1):
        if position in skip:
            continue
        meta: dict[str, Any] = {"blocking": spec.blocking, "position": position}
        # GX's own severity says the same as `blocking` to readers of the Data Docs.
        config: dict[str, Any] = {"type": spec.type, "kwargs": dict(spec.kwargs), "meta": meta,
                                  "severity": "critical" if spec.blocking else "warning"}
        if spec.notes:
            config["notes"] = ("**Blocking.** " if spec.blocking else "**Warning.** ") + spec.notes
        configs.append(config)
    return configs


def to_gx_suite(suite: SuiteSpec, batch: BatchSpec, skip: set[int] = frozenset()):
    """A great_expectations ExpectationSuite named `<suite>.<batch>` (imports GX)."""
    from orchestration.quality.validate import import_gx

    gx = import_gx()
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )

    expectations = [ExpectationConfiguration(**c).to_domain_obj()
                    for c in expectation_configs(batch, skip)]
    return gx.ExpectationSuite(name=f"{suite.name}.{batch.name}", expectations=expectations,
                               meta={"asset": "/".join(suite.asset_key),
                                     "description": suite.description})
