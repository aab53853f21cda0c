"""Refresh automation: a sensor on the landing zone and a monthly schedule.

The sensor's cursor is the landing zone's fingerprint ({relative path: sha256}); a run is
requested only for kinds whose files were added, changed or removed, and it refreshes that
kind's raw asset and everything downstream of it, so unchanged sources are not reloaded.
"""

from __future__ import annotations

import json

from dagster import (
    AssetKey,
    AssetSelection,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    RunFailureSensorContext,
    RunRequest,
    ScheduleDefinition,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    define_asset_job,
    get_dagster_logger,
    run_failure_sensor,
    sensor,
)

from orchestration import paths
from orchestration.ingest import landing

BUILD_JOB = "build_all"
RAW_ASSET_BY_KIND = {
    "city_yearbook": AssetKey(["raw", "city_yearbook_values"]),
    "patents": AssetKey(["raw", "patents"]),
    "yearbook_long": AssetKey(["raw", "yearbook_long_values"]),
}

build_all_job = define_asset_job(
    BUILD_JOB,
    selection=AssetSelection.all(),
    description="Landing -> raw -> dbt -> estimates -> reports -> publish",
)
refresh_jobs = {
    kind: define_asset_job(
        f"refresh_{kind}",
        selection=AssetSelection.assets(key).downstream(),
        description=f"Reload the {kind} landing files and refresh everything downstream",
    )
    for kind, key in RAW_ASSET_BY_KIND.items()
}

monthly_refresh = ScheduleDefinition(
    name="monthly_refresh",
    job=build_all_job,
    cron_schedule="0 3 1 * *",
    execution_timezone="Asia/Shanghai",
    default_status=DefaultScheduleStatus.STOPPED,
    description="Full rebuild at 03:00 on the 1st of every month (Beijing time).",
)


def landing_fingerprint() -> dict[str, str]:
    return {f.relpath: f.sha256 for f in landing.discover(paths.landing_dir())
            if f.kind in RAW_ASSET_BY_KIND}


def changed_kinds(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """Kinds with a file added, changed or removed between two fingerprints."""
    changed = {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}
    return sorted({path.split("/", 1)[0] for path in changed} & RAW_ASSET_BY_KIND.keys())


@sensor(
    name="landing_sensor",
    jobs=list(refresh_jobs.values()),
    minimum_interval_seconds=30,
    default_status=DefaultSensorStatus.STOPPED,
    description="Starts a refresh when files in warehouse/landing/ are added, changed or removed.",
)
def landing_sensor(context: SensorEvaluationContext) -> SensorResult | SkipReason:
    before = json.loads(context.cursor) if context.cursor else {}
    after = landing_fingerprint()
    kinds = changed_kinds(before, after)
    if not kinds:
        return SkipReason("landing zone unchanged")
    # The run key is the new state of the kind's files: the same drop never runs twice.
    requests = [
        RunRequest(
            job_name=refresh_jobs[kind].name,
            run_key=f"{kind}:" + json.dumps(
                {p: h for p, h in sorted(after.items()) if p.startswith(f"{kind}/")}),
            tags={"dri/trigger": "landing_sensor", "dri/kind": kind},
        )
        for kind in kinds
    ]
    return SensorResult(run_requests=requests, cursor=json.dumps(after, sort_keys=True))


@run_failure_sensor(
    name="landing_failure_sensor",
    monitored_jobs=list(refresh_jobs.values()),
    default_status=DefaultSensorStatus.STOPPED,
    description="When a refresh the landing sensor started fails (a blocking check on the new "
    "values, say), moves the landing files the published warehouse has never loaded to "
    "warehouse/landing/failed/ with the reason, so later refreshes run without them. Switch it "
    "on with the landing sensor.",
)
def landing_failure_sensor(context: RunFailureSensorContext) -> None:
    from orchestration.recovery import set_aside_new_files

    if context.dagster_run.tags.get("dri/trigger") != "landing_sensor":
        return  # runs started by `dri ingest` / `dri build` are handled by the CLI
    message = context.failure_event.message or "run failed"
    reason = (f"refresh run {context.dagster_run.run_id} ({context.dagster_run.job_name}) "
              f"failed; the published warehouse was left as it was\n{message}")
    for relpath, moved in set_aside_new_files(reason):
        get_dagster_logger().warning(f"{relpath}: moved to {moved} after a failed refresh")
