"""Worker processes for independent pieces of one build step (the landing files of a kind,
the tables of a study): the build runs its steps one after the other in one process, and
these pieces are Python work that uses one core each."""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor


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
