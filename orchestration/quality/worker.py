"""Great Expectations in a process of its own, started before the build imports anything else.

Importing Great Expectations costs 2-3 s of a refresh on 2 cores, and the first check of a
run (the raw table's) waits for it. `start()` forks one worker at the beginning of `dri build`
or `dri ingest`; the worker imports GX on the second core while the build reads its files and
imports Dagster, dbt and the estimators. The checks then run their SQL in the build (the
working file admits one process) and hand the rows to the worker, which validates them
(validate.validate_batches). Without a worker (the Dagster UI's runs, one core, no fork) or
when it is gone, a check validates in its own process, as before.
"""

from __future__ import annotations

import multiprocessing
import traceback
from multiprocessing.connection import Connection
from pathlib import Path

import duckdb

from orchestration.quality.suites import SuiteSpec
from orchestration.quality.validate import (
    SuiteOutcome,
    ephemeral_context,
    fetch_batches,
    previous_build_parameters,
    validate_batches,
)
from orchestration.workers import cores

_link: Connection | None = None


def _serve(link: Connection) -> None:
    """The worker: import GX and build a context once (the first validation's cost), then
    validate what comes until the build closes its end."""
    ephemeral_context()
    while True:
        try:
            args = link.recv()
        except EOFError:
            return
        try:
            link.send((True, validate_batches(*args)))
        except Exception:  # noqa: BLE001 - the build raises it (GX's own errors may not pickle)
            link.send((False, traceback.format_exc()))


def start() -> None:
    """Fork the worker, once per process, where there is a second core for it. Call it
    before the process starts a thread. The worker is a daemon: a build that ends before
    its first check (nothing changed) does not wait for the GX import."""
    global _link
    if _link is not None or cores() < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return
    context = multiprocessing.get_context("fork")
    ours, theirs = context.Pipe()
    context.Process(target=_serve, args=(theirs,), daemon=True,
                    name="great-expectations").start()
    theirs.close()
    _link = ours


def validate(suite: SuiteSpec, con: duckdb.DuckDBPyConnection,
             previous_db: Path | None) -> SuiteOutcome:
    """validate.validate_suite, with the Great Expectations half in the worker when there
    is one."""
    global _link
    parameters, unavailable = previous_build_parameters(suite, previous_db)
    fetched = fetch_batches(suite, con)
    if _link is not None:
        try:
            _link.send((suite, fetched, parameters, unavailable))
            ok, result = _link.recv()
        except (EOFError, OSError):  # the worker is gone: validate here
            _link = None
        else:
            if not ok:
                raise RuntimeError(f"validating suite {suite.name} failed:\n{result}")
            return result
    return validate_batches(suite, fetched, parameters, unavailable)
