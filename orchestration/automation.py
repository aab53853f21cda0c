"""Refresh automation: a sensor on the landing zone and a monthly schedule.

The sensor's cursor is the landing zone's fingerprint ({relative path: sha256}); a run is
requested only for kinds whose files were added, changed or removed, and it refreshes that
kind's raw asset and everything downstream of it, so unchanged sources are not reloaded.
Each run names the files that started it (run key and the tag `dri/changed_files`), and the
sensor records an observation of the kind's landing asset (`landing/<kind>`) with its files,
their sha256, the changed ones and the new data version.
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
from orchestration.assets.landing import (
    FILE_ASSETS,
    data_version,
    landing_asset_key,
    landing_observation,
)
from orchestration.ingest import landing

BUILD_JOB = "build_all"
RAW_ASSET_BY_KIND = {
    "city_yearbook": AssetKey(["raw", "city_yearbook_values"]),
    "patents": AssetKey(["raw", "patents"]),
    "yearbook_long": AssetKey(["raw", "yearbook_long_values"]),
}

# The jobs observe the files first (landing/<kind>, seed_files/<seed>: a step each, well
# under a second), then materialize: a raw table then records the data version of the files
# it was built from, and the UI shows it stale as soon as an observation finds other bytes.
FILE_ASSET_KEYS = [key for observer in FILE_ASSETS for key in observer.keys]
build_all_job = define_asset_job(
    BUILD_JOB,
    selection=AssetSelection.all() | AssetSelection.assets(*FILE_ASSET_KEYS),
    description="Landing -> raw -> dbt -> estimates -> reports -> publish",
)
refresh_jobs = {
    kind: define_asset_job(
        f"refresh_{kind}",
        selection=AssetSelection.assets(landing_asset_key(kind))
        | AssetSelection.assets(key).downstream(),
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


def _landing_files() -> list[landing.LandingFile]:
    return [f for f in landing.discover(paths.landing_dir()) if f.kind in RAW_ASSET_BY_KIND]


def landing_fingerprint() -> dict[str, str]:
    return {f.relpath: f.sha256 for f in _landing_files()}


def changed_files(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """Relative paths added, changed or removed between two fingerprints, sorted."""
    return sorted(path for path in before.keys() | after.keys()
                  if before.get(path) != after.get(path))


def changed_kinds(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """Kinds with a file added, changed or removed between two fingerprints."""
    changed = changed_files(before, after)
    return sorted({path.split("/", 1)[0] for path in changed} & RAW_ASSET_BY_KIND.keys())


_TAG_LIMIT = 1000  # characters of a run tag value: a drop of many files is summarized


def files_tag(files: list[str]) -> str:
    """The changed files as one run tag value, cut at _TAG_LIMIT with the number left out."""
    text = ", ".join(files)
    if len(text) <= _TAG_LIMIT:
        return text
    shown: list[str] = []
    for path in files:
        if len(", ".join([*shown, path])) > _TAG_LIMIT - 20:
            break
        shown.append(path)
    return ", ".join(shown) + f" (+{len(files) - len(shown)} more)"


def run_key(kind: str, state: dict[str, str], changed: list[str]) -> str:
    """`<kind>:<first changed file>[ +N more]@<version>`: names the file that started the run;
    the version (one checksum of the kind's paths and sha256) makes the same state of the
    landing zone never run twice."""
    version = data_version(sorted(state.items()))
    more = f" +{len(changed) - 1} more" if len(changed) > 1 else ""
    return f"{kind}:{changed[0]}{more}@{version[:16]}"


@sensor(
    name="landing_sensor",
    jobs=list(refresh_jobs.values()),
    minimum_interval_seconds=30,
    default_status=DefaultSensorStatus.STOPPED,
    description="Starts a refresh when files in warehouse/landing/ are added, changed or "
    "removed; the run's key and its tag dri/changed_files name them, and the kind's landing "
    "asset gets an observation with the files and their sha256.",
)
def landing_sensor(context: SensorEvaluationContext) -> SensorResult | SkipReason:
    before = json.loads(context.cursor) if context.cursor else {}
    files = _landing_files()
    after = {f.relpath: f.sha256 for f in files}
    kinds = changed_kinds(before, after)
    if not kinds:
        return SkipReason("landing zone unchanged")
    requests, observations = [], []
    for kind in kinds:
        prefix = f"{kind}/"
        changed = [p for p in changed_files(before, after) if p.startswith(prefix)]
        state = {p: h for p, h in after.items() if p.startswith(prefix)}
        requests.append(RunRequest(
            job_name=refresh_jobs[kind].name,
            run_key=run_key(kind, state, changed),
            tags={"dri/trigger": "landing_sensor", "dri/kind": kind,
                  "dri/changed_files": files_tag(changed)},
        ))
        observations.append(landing_observation(
            kind, [f for f in files if f.kind == kind], changed=changed))
    return SensorResult(run_requests=requests, asset_events=observations,
                        cursor=json.dumps(after, sort_keys=True))


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
