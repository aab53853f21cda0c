"""Descriptions of the warehouse's tables and columns, written into the DuckDB file itself.

SQL clients (DuckDB's CLI, DBeaver, `duckdb_columns()`) show a table's or column's comment;
dbt and the estimates schema have the descriptions, so `apply_comments` writes them as
`COMMENT ON TABLE / VIEW / COLUMN` into the file being published (orchestration.publish),
after the compacting copy and before the swap. Where the text comes from:

* dbt models and seeds (schemas staging, intermediate, marts, ref): the YAML `description`s
  of `dbt_project/models` and `dbt_project/seeds`, with their `{{ doc('...') }}` blocks filled
  in from the Markdown files, the same text `dbt docs` shows;
* dbt sources (schema raw): the sources YAML;
* the Python-written schemas: `models_py.output.estimates_tables` (estimates.models,
  coefficients, tests) and `EXTRA_DOCS` below (estimates.table_inputs, quality.quarantine,
  raw.landing_files, raw.build_info, ...).

Applied at publish time rather than by dbt's `persist_docs` (which dbt-duckdb supports for
tables): one place covers dbt and Python tables alike, whatever materialization a model has,
and the statements cost milliseconds on the compacted file. `COPY FROM DATABASE` keeps
comments, so the working file refreshed from the published one carries them too.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

from orchestration import paths

# Schemas analysts query; `documented_share` measures these.
ANALYST_SCHEMAS = ("marts", "ref", "estimates")
_DBT_FOLDER_SCHEMAS = {"staging": "staging", "intermediate": "intermediate", "marts": "marts"}

_PROVENANCE = {
    "source_file": "Landing file the row was read from, path relative to the landing zone.",
    "source_sha256": "sha256 of that file.",
    "sheet": "Worksheet name (NULL for CSV and Parquet files).",
    "source_row": "1-based row in the sheet or file, as in raw (BIGINT).",
    "source_col": "1-based column in the sheet or file (NULL when the whole row is meant).",
}

# Tables written by Python, not dbt, that no YAML describes: (table description, columns).
EXTRA_DOCS: dict[tuple[str, str], tuple[str, dict[str, str]]] = {
    ("estimates", "table_inputs"): (
        "Fingerprint of what each study table was last estimated from (panel, spec file, "
        "landing files, econometrics code); a refresh re-estimates a table only when it "
        "changed.",
        {
            "study": "Study id: the specification file's stem (models_py/studies/specs).",
            "table_name": "Table id within the study (the spec's tables key).",
            "fingerprint": "sha256 of the table's inputs (orchestration.assets.estimation).",
            "estimated_at": "When the table was last estimated (local time of the build).",
        },
    ),
    ("quality", "quarantine"): (
        "Every value or record the readers could not read, match or convert, with the reason "
        "and the file, sheet, row and column it came from; nothing is dropped silently.",
        {
            **_PROVENANCE,
            "target_table": "Raw table the value was meant for, e.g. raw.city_yearbook_values.",
            "value_text": "The offending text (cell, or an excerpt of the row).",
            "reason": "Why it was quarantined (and, for a region, the names it nearly matched).",
            "loaded_at": "When the row was written.",
        },
    ),
}


@dataclass
class Catalog:
    """{(schema, table): description} and {(schema, table): {column: description}}."""

    tables: dict[tuple[str, str], str] = field(default_factory=dict)
    columns: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)

    def add(
        self, schema: str, table: str, description: str | None, columns: dict[str, str]
    ) -> None:
        if description:
            self.tables[(schema, table)] = description
        self.columns.setdefault((schema, table), {}).update(
            {c: text for c, text in columns.items() if text}
        )


def _doc_blocks(project: Path) -> dict[str, str]:
    docs: dict[str, str] = {}
    for md in project.glob("models/**/*.md"):
        text = md.read_text(encoding="utf-8")
        for block, body in re.findall(
            r"{%-?\s*docs\s+(\w+)\s*-?%}(.*?){%-?\s*enddocs\s*-?%}", text, flags=re.S
        ):
            docs[block] = body.strip()
    return docs


@functools.cache
def dbt_catalog(project: Path = paths.DBT_PROJECT_DIR) -> Catalog:
    """The descriptions of every dbt model, seed and source of `project`, keyed by the
    DuckDB schema each is built in (models: their top folder; seeds: ref; sources: their
    `schema`), with `{{ doc('...') }}` blocks filled in."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: 7x faster
    docs = _doc_blocks(project)

    def fill(text: object) -> str:
        return re.sub(
            r"{{\s*doc\(\s*['\"](\w+)['\"]\s*\)\s*}}",
            lambda m: docs.get(m.group(1), ""),
            str(text or ""),
        ).strip()

    def column_docs(node: dict) -> dict[str, str]:
        return {
            c["name"]: fill(c.get("description"))
            for c in node.get("columns") or []
            if c.get("name")
        }

    catalog = Catalog()
    for folder in ("models", "seeds"):
        for yml in sorted(project.glob(f"{folder}/**/*.yml")):
            data = yaml.load(yml.read_text(encoding="utf-8"), Loader=loader) or {}
            if folder == "seeds":
                schema = "ref"
            else:
                top = yml.relative_to(project / "models").parts[0]
                schema = _DBT_FOLDER_SCHEMAS.get(top, top)
            for node in (data.get("models") or []) + (data.get("seeds") or []):
                if node.get("name"):
                    catalog.add(
                        schema, node["name"], fill(node.get("description")), column_docs(node)
                    )
            for source in data.get("sources") or []:
                source_schema = source.get("schema") or source.get("name")
                for node in source.get("tables") or []:
                    if node.get("name"):
                        catalog.add(
                            source_schema,
                            node["name"],
                            fill(node.get("description")),
                            column_docs(node),
                        )
    return catalog


def warehouse_catalog() -> Catalog:
    """Every description the warehouse has: dbt's, the estimates schema's, `EXTRA_DOCS`."""
    from models_py.output.estimates_tables import COLUMNS, TABLE_DESCRIPTIONS

    base = dbt_catalog()
    catalog = Catalog(dict(base.tables), {k: dict(v) for k, v in base.columns.items()})
    for name, columns in COLUMNS.items():
        catalog.add(
            "estimates",
            name,
            TABLE_DESCRIPTIONS.get(name),
            {c: text for c, (_, text) in columns.items()},
        )
    for (schema, name), (description, columns) in EXTRA_DOCS.items():
        catalog.add(schema, name, description, columns)
    return catalog


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@dataclass
class CommentReport:
    tables: int = 0
    columns: int = 0
    undocumented: list[str] = field(default_factory=list)  # schema.table[.column]


def apply_comments(con, catalog: Catalog | None = None) -> CommentReport:
    """Write every description of `catalog` (default `warehouse_catalog()`) onto the tables,
    views and columns of the database `con` is connected to; returns what was written and
    which tables and columns of the analyst schemas have no description."""
    catalog = warehouse_catalog() if catalog is None else catalog
    report = CommentReport()
    relations = con.execute(
        "SELECT schema_name, table_name, 'TABLE' FROM duckdb_tables() "
        "WHERE database_name = current_database() UNION ALL "
        "SELECT schema_name, view_name, 'VIEW' FROM duckdb_views() "
        "WHERE database_name = current_database() AND NOT internal ORDER BY 1, 2"
    ).fetchall()
    columns_of: dict[tuple[str, str], list[str]] = {}
    for schema, name, column in con.execute(
        "SELECT schema_name, table_name, column_name FROM duckdb_columns() "
        "WHERE database_name = current_database() ORDER BY schema_name, table_name, column_index"
    ).fetchall():
        columns_of.setdefault((schema, name), []).append(column)
    statements: list[str] = []
    for schema, name, kind in relations:
        target = f"{_ident(schema)}.{_ident(name)}"
        described = catalog.tables.get((schema, name))
        if described:
            statements.append(f"COMMENT ON {kind} {target} IS {_literal(described)}")
            report.tables += 1
        elif schema in ANALYST_SCHEMAS:
            report.undocumented.append(f"{schema}.{name}")
        documented = catalog.columns.get((schema, name), {})
        for column in columns_of.get((schema, name), []):
            text = documented.get(column)
            if text:
                statements.append(
                    f"COMMENT ON COLUMN {target}.{_ident(column)} IS {_literal(text)}"
                )
                report.columns += 1
            elif schema in ANALYST_SCHEMAS:
                report.undocumented.append(f"{schema}.{name}.{column}")
    # One transaction: a commit per statement costs about 10 ms each (a thousand columns).
    con.execute("BEGIN TRANSACTION")
    try:
        for statement in statements:
            con.execute(statement)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return report


def documented_share(con, schemas: tuple[str, ...] = ANALYST_SCHEMAS) -> tuple[float, list[str]]:
    """Share of the columns of `schemas` whose comment is set in the database itself, and the
    names (schema.table.column) of those without."""
    placeholders = ", ".join("?" for _ in schemas)
    rows = con.execute(
        "SELECT schema_name || '.' || table_name || '.' || column_name, "
        "coalesce(comment, '') <> '' FROM duckdb_columns() "
        f"WHERE database_name = current_database() AND schema_name IN ({placeholders}) "
        "ORDER BY 1",
        list(schemas),
    ).fetchall()
    missing = [name for name, ok in rows if not ok]
    return (1 - len(missing) / len(rows) if rows else 0.0), missing
