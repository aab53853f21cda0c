"""What a build is made from, as one checksum: the landing files (path and sha256, with their
sidecars), the code and reference data that turn them into the warehouse, and the options
that change a number. A rebuild whose fingerprint equals the published warehouse's has
nothing to do: `dri build` says "up to date" instead of rebuilding.

The fingerprint is written into the working database (`raw.build_info`) just before it is
published, so the published file always carries the fingerprint it was built from.
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


def build_fingerprint(landing_dir: Path | None = None, root: Path | None = None) -> str:
    """sha256 of the landing files (with sidecars), the code and the build options."""
    landing_dir = landing_dir or paths.landing_dir()
    files = []
    for f in landing.discover(landing_dir):
        meta = f.path.with_name(f.path.name + landing.SIDECAR_SUFFIX)
        files.append([f.relpath, f.sha256,
                      hashlib.sha256(meta.read_bytes()).hexdigest() if meta.exists() else ""])
    state = {
        "landing": files,
        "code": code_digest(root or paths.PROJECT_ROOT),
        "options": {name: os.environ.get(name, "") for name in OPTIONS},
    }
    return hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()


def published_fingerprint(published_db: Path | None = None) -> str | None:
    """The fingerprint the published warehouse was built from, or None (no warehouse yet,
    or one from before fingerprints were recorded)."""
    import duckdb

    db = published_db or paths.published_db_path()
    if not db.exists():
        return None
    try:
        with duckdb.connect(str(db), read_only=True) as con:
            row = con.execute(f"SELECT fingerprint FROM {TABLE} LIMIT 1").fetchone()
    except duckdb.Error:
        return None
    return row[0] if row else None


def record(con, fingerprint: str | None) -> None:
    """Store this build's fingerprint in the working database (one row), or none."""
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    con.execute(f"CREATE OR REPLACE TABLE {TABLE} (fingerprint VARCHAR, built_at TIMESTAMP)")
    if fingerprint:
        con.execute(f"INSERT INTO {TABLE} VALUES (?, now()::TIMESTAMP)", [fingerprint])
