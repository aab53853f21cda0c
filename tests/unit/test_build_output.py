"""What `dri build` prints: plain text when piped, the time of each step and phase."""

from __future__ import annotations

import io
import re
from types import SimpleNamespace

from dagster import AssetKey, DagsterEventType
from rich.table import Table

from orchestration.build import BuildSummary, dbt_problem_lines, step_group, step_times
from orchestration.cli import PLAIN_WIDTH, make_console

ANSI = re.compile(r"\x1b\[")


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_console_on_a_pipe_is_plain_and_wide() -> None:
    out = io.StringIO()
    console = make_console(out)
    long_name = "studies/paper004_province/table_threshold_regression_by_urbanization_" + "x" * 40
    table = Table("asset", "rows")
    table.add_row(long_name, "1,234")
    console.print(table)
    console.print("[green]materialized[/] " + "y" * 150)
    text = out.getvalue()
    assert not ANSI.search(text)
    assert long_name in text  # not cut at 80 columns
    assert "materialized " + "y" * 150 in text  # one line, not wrapped
    assert console.width == PLAIN_WIDTH


def test_console_on_a_terminal_is_left_to_rich() -> None:
    console = make_console(_Tty())
    assert console.is_terminal  # colour (unless NO_COLOR or TERM=dumb) and its own width


def _entry(ts: float, kind: DagsterEventType, step: str, asset: str | None = None):
    data = None
    if asset is not None:
        data = SimpleNamespace(materialization=SimpleNamespace(
            asset_key=AssetKey(asset.split("/"))))
    return SimpleNamespace(timestamp=ts, dagster_event=SimpleNamespace(
        event_type=kind, step_key=step, event_specific_data=data))


def test_step_times_from_start_and_success_events() -> None:
    S, OK, MAT = (DagsterEventType.STEP_START, DagsterEventType.STEP_SUCCESS,
                  DagsterEventType.ASSET_MATERIALIZATION)
    records = [
        _entry(100.0, S, "raw__patents"),
        _entry(101.0, MAT, "raw__patents", "raw/patents"),
        _entry(103.5, OK, "raw__patents"),
        _entry(104.0, S, "dri_dbt_models"),
        _entry(130.0, MAT, "dri_dbt_models", "marts/city_panel"),
        _entry(134.0, OK, "dri_dbt_models"),
        _entry(134.0, S, "marts__city_panel_gx_marts_city_panel"),
        _entry(136.0, DagsterEventType.ASSET_CHECK_EVALUATION,
               "marts__city_panel_gx_marts_city_panel"),
        _entry(136.0, OK, "marts__city_panel_gx_marts_city_panel"),
        _entry(137.0, S, "studies__paper002_city__table_2"),
        _entry(139.0, DagsterEventType.STEP_FAILURE, "studies__paper002_city__table_2"),
        _entry(140.0, S, "published_warehouse"),
        _entry(141.0, MAT, "published_warehouse", "published_warehouse"),
    ]
    steps = step_times(records)
    assert steps == [
        ("ingest", "raw__patents", 3.5),
        ("dbt", "dri_dbt_models", 30.0),
        ("checks", "marts__city_panel_gx_marts_city_panel", 2.0),
        ("studies", "studies__paper002_city__table_2", 2.0),
        ("publish", "published_warehouse", 1.0),  # still open: timed to the last event
    ]
    summary = BuildSummary(success=True, run_id="r", steps=steps)
    assert summary.group_seconds() == {"ingest": 3.5, "dbt": 30.0, "checks": 2.0,
                                       "studies": 2.0, "publish": 1.0}
    out = io.StringIO()
    summary.print(make_console(out), elapsed=45.0)
    text = out.getvalue()
    assert "Time by step" in text and "dri_dbt_models" in text and "30.0" in text
    assert ("Time by phase: ingest 3.5 s, dbt 30.0 s, checks 2.0 s, studies 2.0 s, "
            "publish 1.0 s; steps 38.5 s of 45.0 s in all") in text


def test_step_group_by_key_when_nothing_was_materialized() -> None:
    assert step_group("raw__yearbook_long_values", set(), False) == "ingest"
    assert step_group("raw__yearbook_long_values_gx_raw_yearbook_long_values", set(),
                      False) == "checks"
    assert step_group("dri_dbt_models", set(), False) == "dbt"
    assert step_group("studies__x__y", set(), False) == "studies"
    assert step_group("something_else", set(), False) == "other"
    assert step_group("dri_dbt_models", {"ref/ref_units", "staging/stg_x"}, True) == "dbt"


def test_dbt_problem_lines_pick_errors_and_the_closing_counts(tmp_path) -> None:
    log = tmp_path / "dbt_output.log"
    log.write_text("\n".join([
        "Running with dbt=1.11.16",
        "1 of 3 START sql table model marts.city_panel ......... [RUN]",
        "1 of 3 ERROR creating sql table model marts.city_panel  [ERROR in 0.10s]",
        "2 of 3 PASS not_null_city_panel_city_code ............. [PASS in 0.05s]",
        "3 of 3 WARN 2 assert_province_indicators_all_in_panel  [WARN 2 in 0.02s]",
        "Runtime Error in model city_panel (models/marts/panels/city_panel.sql)",
        "Done. PASS=1 WARN=1 ERROR=1 SKIP=0 NO-OP=0 TOTAL=3",
    ]), encoding="utf-8")
    assert dbt_problem_lines(log) == [
        "1 of 3 ERROR creating sql table model marts.city_panel  [ERROR in 0.10s]",
        "3 of 3 WARN 2 assert_province_indicators_all_in_panel  [WARN 2 in 0.02s]",
        "Runtime Error in model city_panel (models/marts/panels/city_panel.sql)",
        "Done. PASS=1 WARN=1 ERROR=1 SKIP=0 NO-OP=0 TOTAL=3",
    ]
    assert dbt_problem_lines(tmp_path / "missing.log") == []
