"""Worker processes for independent pieces of one build step (the landing files of a kind,
the tables of a study): the build runs its steps one after the other in one process, and
these pieces are Python work that uses one core each."""

from __future__ import annotations

import importlib
import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor

# What the study tables' estimators, maps and figures import when first used: imported before
# their workers are forked, so that each of them does not import it again (1-2 s a worker).
STUDY_IMPORTS = ("models_py.studies.runner", "matplotlib.figure",
                 "matplotlib.backends.backend_agg", "matplotlib.pyplot", "geopandas",
                 "mapclassify", "libpysal.weights", "esda", "statsmodels.api")


def fork_pool(tasks: int) -> ProcessPoolExecutor | None:
    """Forked workers, one per core and at most one per task, or None when one process
    would do as well (one task, one core) or the platform cannot fork. Forked, not spawned:
    a worker starts with the build's imports in milliseconds instead of importing them
    again (seconds); what it is handed and hands back is pickled."""
    workers = min(tasks, cores())
    if workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return None
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))


def cores() -> int:
    """The cores this process may run on (its CPU affinity where the platform has it)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def import_meanwhile(modules: tuple[str, ...]) -> threading.Thread:
    """Import `modules` in a thread while this process waits for something else (the dbt
    step waits some 10-20 s on its subprocess; the study step after it needs STUDY_IMPORTS,
    1.5-2 s of imports on one core). A later import of one of them waits for the thread's;
    a module that fails to import here raises again where it is imported for use."""
    def run() -> None:
        for name in modules:
            try:
                importlib.import_module(name)
            except Exception:  # noqa: BLE001 - see the docstring
                return

    thread = threading.Thread(target=run, name="import-meanwhile", daemon=True)
    thread.start()
    return thread
