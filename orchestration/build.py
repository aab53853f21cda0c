"""In-process execution of the build job with live progress and a closing summary."""

from __future__ import annotations

import re
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from dagster import DagsterEventType, DagsterInstance
from rich.console import Console
from rich.table import Table

from orchestration import paths

_SHOWN = {
    DagsterEventType.STEP_START,
    DagsterEventType.STEP_SUCCESS,
    DagsterEventType.STEP_FAILURE,
    DagsterEventType.STEP_SKIPPED,
    DagsterEventType.ASSET_MATERIALIZATION,
    DagsterEventType.ASSET_CHECK_EVALUATION,
}


# Build phases, in the order they run, for the time totals of the summary.
GROUPS = ("ingest", "dbt", "checks", "studies", "publish", "other")
# The events a step's time is read from are those the progress lines show.
_TIMED = _SHOWN
_STEPS_LISTED = 15  # slowest steps shown one per line; the others as one row


def step_group(step_key: str, assets: set[str], checks_only: bool) -> str:
    """The build phase of a step: from the assets it materialized (raw/ ingest, studies/,
    published_warehouse, anything else is a dbt model or seed), a step that only evaluated
    checks is `checks`; a step that produced nothing (skipped, failed) goes by its key."""
    if assets:
        heads = {a.split("/")[0] for a in assets}
        if heads <= {"raw"}:
            return "ingest"
        if heads <= {"studies"}:
            return "studies"
        if heads <= {"published_warehouse"}:
            return "publish"
        return "dbt"
    if checks_only or "_gx_" in step_key:
        return "checks"
    # observe_*: the landing and seed-file observations (orchestration/assets/landing.py).
    for prefix, group in (("raw__", "ingest"), ("observe_", "ingest"), ("studies__", "studies"),
                          ("dri_dbt", "dbt"), ("published", "publish")):
        if step_key.startswith(prefix):
            return group
    return "other"


def step_times(records) -> list[tuple[str, str, float]]:
    """(group, step, seconds) per step that started, in start order, from the run's event
    log entries (STEP_START to STEP_SUCCESS / STEP_FAILURE timestamps; a step still open at
    the end is timed to the last event)."""
    started: dict[str, float] = {}
    ended: dict[str, float] = {}
    assets: dict[str, set[str]] = {}
    checked: set[str] = set()
    last = 0.0
    for entry in records:
        event = entry.dagster_event
        if event is None or event.step_key is None:
            continue
        key, kind = event.step_key, event.event_type
        last = max(last, entry.timestamp)
        if kind == DagsterEventType.STEP_START:
            started.setdefault(key, entry.timestamp)
        elif kind in (DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE):
            ended[key] = entry.timestamp
        elif kind == DagsterEventType.ASSET_MATERIALIZATION:
            mat = event.event_specific_data.materialization
            assets.setdefault(key, set()).add(mat.asset_key.to_user_string())
        elif kind == DagsterEventType.ASSET_CHECK_EVALUATION:
            checked.add(key)
    return [
        (step_group(key, assets.get(key, set()), key in checked), key,
         max(0.0, ended.get(key, last) - start))
        for key, start in sorted(started.items(), key=lambda item: item[1])
    ]


_DBT_PROBLEM = re.compile(r"\b(ERROR|FAIL|WARN)\b|Error in |Failure in |Warning in ")


def dbt_problem_lines(log: Path, limit: int = 12) -> list[str]:
    """dbt's lines about what went wrong (errors, failed and warning tests, dbt's own
    closing counts), from the dbt output log: a failed dbt step's error says only that dbt
    exited with 1."""
    try:
        lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []
    found = [line.strip() for line in lines if _DBT_PROBLEM.search(line)]
    return found[:limit - 1] + found[-1:] if len(found) > limit else found


@dataclass
class BuildSummary:
    success: bool
    run_id: str
    materialized: dict[str, int | None] = field(default_factory=dict)  # asset -> rows
    checks: list[tuple[str, str, bool, str]] = field(default_factory=list)  # asset, check, ok, sev
    failures: list[str] = field(default_factory=list)
    outputs: dict[str, str] = field(default_factory=dict)
    # failed check -> (its description, a sample of the rows behind it)
    check_details: dict[str, tuple[str, list[str]]] = field(default_factory=dict)
    steps: list[tuple[str, str, float]] = field(default_factory=list)  # group, step, seconds
    dbt_log: str | None = None  # where dbt's own lines went

    def failure_lines(self) -> list[str]:
        """What failed, with the rows behind each failed blocking check."""
        lines = [f"failed: {f}" for f in self.failures]
        for asset, check, ok, severity in self.checks:
            if ok or severity != "ERROR":
                continue
            description, rows = self.check_details.get(f"{asset} :: {check}", ("", []))
            lines.append(f"check failed: {asset} :: {check}"
                         + (f": {description}" if description else ""))
            lines += [f"    {row}" for row in rows]
        return lines

    def group_seconds(self) -> dict[str, float]:
        totals = {group: 0.0 for group in GROUPS}
        for group, _, seconds in self.steps:
            totals[group] += seconds
        return {group: total for group, total in totals.items() if total or group != "other"}

    def print_times(self, console: Console, elapsed: float) -> None:
        """Where the time went: the slowest steps, then the seconds by build phase (steps
        run one after another, so the phases add up to the run's time)."""
        if not self.steps:
            return
        table = Table("step", "phase", "seconds", title="Time by step (slowest first)")
        ranked = sorted(self.steps, key=lambda s: -s[2])
        for group, step, seconds in ranked[:_STEPS_LISTED]:
            table.add_row(step, group, f"{seconds:.1f}")
        rest = ranked[_STEPS_LISTED:]
        if rest:
            table.add_row(f"({len(rest)} other steps)", "", f"{sum(s[2] for s in rest):.1f}")
        console.print(table)
        totals = ", ".join(f"{group} {seconds:.1f} s"
                           for group, seconds in self.group_seconds().items())
        console.print(f"Time by phase: {totals}; steps {sum(s[2] for s in self.steps):.1f} s "
                      f"of {elapsed:.1f} s in all")

    def print(self, console: Console, elapsed: float) -> None:
        """One table: every asset with its rows and its checks passed / warned / failed."""
        counts: dict[str, list[int]] = {}
        for asset, _, ok, severity in self.checks:
            tally = counts.setdefault(asset, [0, 0, 0])
            tally[0 if ok else (2 if severity == "ERROR" else 1)] += 1
        table = Table("asset", "rows", "checks ok", "warned", "failed", title="Build summary")
        for key in sorted(self.materialized.keys() | counts.keys()):
            rows = self.materialized.get(key)
            ok, warned, failed = counts.get(key, [0, 0, 0])
            table.add_row(
                key, "" if rows is None else f"{rows:,}", str(ok) if ok else "",
                f"[yellow]{warned}[/]" if warned else "", f"[red]{failed}[/]" if failed else "",
            )
        console.print(table)
        self.print_times(console, elapsed)
        totals = [sum(c[i] for c in counts.values()) for i in range(3)]
        console.print(f"Checks: [green]{totals[0]} passed[/], [yellow]{totals[1]} warned[/], "
                      f"[red]{totals[2]} failed[/]")
        for asset, check, ok, severity in sorted(self.checks, key=lambda c: c[3]):
            if not ok:
                console.print(f"  {severity.lower()}: {asset} :: {check}")
                description, rows = self.check_details.get(f"{asset} :: {check}", ("", []))
                if description:
                    console.print(f"    {description}", markup=False)
                for row in rows:
                    console.print(f"    {row}", markup=False)
        for failure in self.failures:
            console.print(f"[red]failed:[/] {failure}")
        for name, path in self.outputs.items():
            console.print(f"{name}: {path}", highlight=False)
        if self.dbt_log:
            if not self.success:
                for line in dbt_problem_lines(Path(self.dbt_log)):
                    console.print(f"  dbt: {line}", markup=False, highlight=False)
            console.print(f"dbt output: {self.dbt_log}", highlight=False)
        verdict = "[green]build succeeded[/]" if self.success else "[red]build FAILED[/]"
        console.print(f"{verdict} in {elapsed:.1f} s (run {self.run_id}; `dri ui` shows it)")


def _follow(instance: DagsterInstance, run_id: str, console: Console, done: threading.Event):
    """Print one line per step and materialization as the run's events arrive."""
    cursor = None
    while True:
        finished = done.is_set()
        records = instance.get_records_for_run(run_id, cursor=cursor)
        cursor = records.cursor
        for record in records.records:
            event = record.event_log_entry.dagster_event
            if event is not None and event.event_type in _SHOWN and (line := _describe(event)):
                console.print(f"  {line}")
        if finished and not records.has_more:
            return
        if not records.has_more:
            done.wait(0.3)


def _describe(event) -> str | None:
    """One progress line, or None for what the summary covers (passing checks)."""
    kind = event.event_type
    if kind == DagsterEventType.ASSET_MATERIALIZATION:
        mat = event.event_specific_data.materialization
        rows = mat.metadata.get("dagster/row_count")
        suffix = f" ({rows.value:,} rows)" if rows is not None else ""
        return f"[green]materialized[/] {mat.asset_key.to_user_string()}{suffix}"
    if kind == DagsterEventType.ASSET_CHECK_EVALUATION:
        ev = event.event_specific_data
        if ev.passed:
            return None
        return f"[red]check {ev.severity.value.lower()}[/] {ev.asset_key.to_user_string()} :: " \
            f"{ev.check_name}"
    label = {
        DagsterEventType.STEP_START: "[cyan]start[/]",
        DagsterEventType.STEP_SUCCESS: "[green]done[/]",
        DagsterEventType.STEP_FAILURE: "[red]FAILED[/]",
        DagsterEventType.STEP_SKIPPED: "[yellow]skipped[/]",
    }[kind]
    return f"{label} {event.step_key}"


def _root_cause(event) -> str:
    """The innermost error's first line: the one that says what is wrong with which file."""
    error = event.event_specific_data.error
    while error is not None and error.cause is not None:
        error = error.cause
    return error.message.strip().splitlines()[0] if error else "unknown error"


def _failing_rows(metadata: dict, limit: int = 5) -> list[str]:
    """A few of the rows behind a failed check, as the check reported them (GX suites put
    them under `failing_rows`, SQL checks under `offending_rows` or a preview)."""
    lines: list[str] = []
    for key in ("failing_rows", "offending_rows", "failing", "examples"):
        entry = metadata.get(key)
        value = getattr(entry, "value", entry)
        if isinstance(value, dict):
            for label, detail in value.items():
                rows = detail.get("rows") if isinstance(detail, dict) else detail
                for row in (rows or [])[:limit]:
                    lines.append(f"{label}: {row}")
        elif isinstance(value, list):
            lines += [str(row) for row in value[:limit]]
        elif isinstance(value, str) and value:
            lines += value.splitlines()[:limit]
    return lines[: 3 * limit]


def run_build(instance: DagsterInstance, console: Console, job_name: str,
              dbt_log: Path | None = None) -> BuildSummary:
    """Run a job in this process against `instance`; never raises on step failure.
    `dbt_log`: where the dbt step writes dbt's lines (named in the summary if written)."""
    from orchestration.definitions import build_definitions

    job = build_definitions().resolve_job_def(job_name)
    run_id = str(uuid.uuid4())
    console.print(f"[bold]Running {job_name}[/] (run {run_id})")
    done = threading.Event()
    follower = threading.Thread(target=_follow, args=(instance, run_id, console, done))
    follower.start()
    try:
        result = job.execute_in_process(
            instance=instance,
            run_id=run_id,
            raise_on_error=False,
            run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}},
        )
    finally:
        done.set()
        follower.join()

    summary = BuildSummary(success=result.success, run_id=run_id)
    for event in result.all_events:
        if event.event_type == DagsterEventType.ASSET_MATERIALIZATION:
            mat = event.event_specific_data.materialization
            rows = mat.metadata.get("dagster/row_count")
            summary.materialized[mat.asset_key.to_user_string()] = (
                int(rows.value) if rows is not None else None
            )
        elif event.event_type == DagsterEventType.ASSET_CHECK_EVALUATION:
            ev = event.event_specific_data
            summary.checks.append(
                (ev.asset_key.to_user_string(), ev.check_name, ev.passed, ev.severity.value)
            )
            if not ev.passed:
                summary.check_details[f"{ev.asset_key.to_user_string()} :: {ev.check_name}"] = (
                    ev.description or "", _failing_rows(ev.metadata))
        elif event.event_type == DagsterEventType.STEP_FAILURE:
            summary.failures.append(f"{event.step_key}: {_root_cause(event)}")
    summary.steps = step_times(instance.all_logs(run_id, of_type=_TIMED))
    ran_dbt = any(group == "dbt" for group, _, _ in summary.steps)
    if dbt_log is not None and dbt_log.exists() and ran_dbt:
        summary.dbt_log = str(dbt_log)
    if result.success:
        summary.outputs = {
            "published warehouse": str(paths.published_db_path()),
            "reports": str(paths.reports_dir()),
        }
    return summary
