"""What a build is made from, as one checksum: the landing files (path and sha256, with their
sidecars), the code and reference data that turn them into the warehouse, and the options
that change a number. A rebuild whose fingerprint equals the published warehouse's has
nothing to do: `dri build` says "up to date" instead of rebuilding.

The fingerprint and the state it digests are written into the working database
(`raw.build_info`) just before it is published, so the published file always carries what it
was built from; a later build whose code is the same and whose landing files changed in one
kind only refreshes that kind (refresh_kinds).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from orchestration import paths
from orchestration.ingest import landing

# Everything that decides what a build writes. Outputs and caches under them are skipped.
CODE_DIRS = ("orchestration", "models_py", "dbt_project", "expectations")
CODE_SUFFIXES = frozenset({".py", ".sql", ".yml", ".yaml", ".csv", ".md", ".json", ".gz"})
SKIP_PARTS = frozenset({"target", "logs", "dbt_packages", "__pycache__", ".user.yml"})
OPTIONS = ("DRI_PATENTS_COMPRESS_TEXT",)
ENV_VAR = "DRI_BUILD_FINGERPRINT"
TABLE = "raw.build_info"


def code_digest(root: Path, tops: tuple[str, ...] = CODE_DIRS) -> str:
    """sha256 of the source files (path and content) under the folders `tops` of `root`."""
    digest = hashlib.sha256()
    for top in tops:
        for path in sorted((root / top).rglob("*")):
            rel = path.relative_to(root)
            if (not path.is_file() or path.suffix not in CODE_SUFFIXES
                    or SKIP_PARTS.intersection(rel.parts)):
                continue
            digest.update(rel.as_posix().encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def build_state(landing_dir: Path | None = None, root: Path | None = None) -> dict:
    """What a build is made from: {"landing": {relpath: sha256 of the file and of its sidecar},
    "code": digest, "options": {name: value}}."""
    landing_dir = landing_dir or paths.landing_dir()
    files = {}
    for f in landing.discover(landing_dir):
        meta = f.path.with_name(f.path.name + landing.SIDECAR_SUFFIX)
        files[f.relpath] = f.sha256 + (
            f":{hashlib.sha256(meta.read_bytes()).hexdigest()}" if meta.exists() else "")
    return {
        "landing": files,
        "code": code_digest(root or paths.PROJECT_ROOT),
        "options": {name: os.environ.get(name, "") for name in OPTIONS},
    }


def digest(state: dict) -> str:
    return hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()


def build_fingerprint(landing_dir: Path | None = None, root: Path | None = None) -> str:
    """sha256 of the landing files (with sidecars), the code and the build options."""
    return digest(build_state(landing_dir, root))


def _recorded(db: Path) -> tuple[str | None, dict | None, set[str]]:
    """(fingerprint, state, kinds of runs since that did not publish) recorded in a
    warehouse file, or (None, None, set())."""
    import duckdb

    if not db.exists():
        return None, None, set()
    try:
        with duckdb.connect(str(db), read_only=True) as con:
            row = con.execute(f"SELECT fingerprint, state, unpublished FROM {TABLE} "
                              "LIMIT 1").fetchone()
    except duckdb.Error:  # no such table, or one from before states were recorded
        return None, None, set()
    if not row:
        return None, None, set()
    return row[0], json.loads(row[1]) if row[1] else None, set(row[2] or [])


def published_fingerprint(published_db: Path | None = None) -> str | None:
    """The fingerprint the published warehouse was built from, or None (no warehouse yet,
    or one from before fingerprints were recorded)."""
    return _recorded(published_db or paths.published_db_path())[0]


def refresh_kinds(state: dict, published_db: Path | None = None,
                  work_db: Path | None = None) -> set[str] | None:
    """The landing kinds to refresh so that the warehouse equals a full build from the same
    landing zone: those whose files changed since the published build, and those whose runs
    changed the working database since without publishing (a failed refresh: its raw table
    and what depends on it are half-done). Refreshing a kind rebuilds its raw table and
    everything downstream, so that is exact as long as the code and options are the ones the
    published warehouse was built with and the working database is the one published. None
    when they are not: build everything."""
    published_fp, published, _ = _recorded(published_db or paths.published_db_path())
    working_fp, _, unpublished = _recorded(work_db or paths.work_db_path())
    if (published is None or working_fp != published_fp
            or published["code"] != state["code"] or published["options"] != state["options"]):
        return None
    before, after = published["landing"], state["landing"]
    changed = {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}
    return {p.split("/", 1)[0] for p in changed} | unpublished


def record(con, state: str | None) -> None:
    """Store this build's state (JSON, as build_state gives it) and its fingerprint in the
    working database (one row); None records none (the next build checks everything)."""
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    con.execute(f"CREATE OR REPLACE TABLE {TABLE} (fingerprint VARCHAR, state VARCHAR, "
                "unpublished VARCHAR[], built_at TIMESTAMP)")
    if state:
        con.execute(f"INSERT INTO {TABLE} VALUES (?, ?, [], now()::TIMESTAMP)",
                    [digest(json.loads(state)), state])


def mark_unpublished(con, kind: str) -> None:
    """Say in the working database that a run is reloading `kind`: until the next publish,
    that kind and what depends on it may be half-done (refresh_kinds then includes it)."""
    exists = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = "
                         "'raw' AND table_name = 'build_info'").fetchone()[0]
    if exists:
        con.execute(f"UPDATE {TABLE} SET unpublished = "
                    "list_distinct(list_append(coalesce(unpublished, []), ?))", [kind])
