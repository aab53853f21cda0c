"""orchestration.spark without Spark: the Java check, the landing files handed to dbt, the
DuckDB views over the Parquet output (issue 18)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import duckdb
import pytest
import yaml

from orchestration import paths, spark


def _fake_java(tmp_path: Path, version_line: str) -> str:
    java = tmp_path / "java"
    java.write_text(f"#!/bin/sh\necho '{version_line}' >&2\n", encoding="utf-8")
    java.chmod(java.stat().st_mode | stat.S_IEXEC)
    return str(java)


def test_java_version_reads_old_and_new_spellings(tmp_path):
    assert spark.java_version(_fake_java(tmp_path, 'openjdk version "17.0.15" 2025-04-15')) == 17
    assert spark.java_version(_fake_java(tmp_path, 'openjdk version "21" 2023-09-19')) == 21


def test_old_or_missing_java_says_what_to_install(tmp_path, monkeypatch):
    with pytest.raises(spark.SparkSetupError, match="openjdk-17-jre-headless"):
        spark.java_version(_fake_java(tmp_path, 'java version "1.8.0_392"'))
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.delenv("JAVA_HOME", raising=False)
    with pytest.raises(spark.SparkSetupError, match="apt-get install -y openjdk-17-jre-headless"):
        spark.java_version()


def test_patent_files_newest_first_with_file_numbers(tmp_path):
    landing = tmp_path / "landing"
    (landing / "patents" / "national_scale").mkdir(parents=True)
    old = landing / "patents" / "b_old.csv"
    new = landing / "patents" / "a_new.csv"
    for path in (old, new):
        path.write_text("申请号,申请日,IPC分类号\n", encoding="utf-8")
    (landing / "patents" / "a_new.csv.meta.yml").write_text("synthetic: true\n")
    for i in range(2):
        (landing / "patents" / "national_scale" / f"part_{i}.parquet").write_bytes(b"x")
    os.utime(old, ns=(1, 1))
    files = spark.patent_files(landing)
    assert [f["relpath"] for f in files][-1] == "patents/b_old.csv"
    by_relpath = {f["relpath"]: f for f in files}
    assert set(by_relpath) == {"patents/a_new.csv", "patents/b_old.csv", "patents/national_scale"}
    assert by_relpath["patents/national_scale"]["format"] == "parquet"
    # file numbers in relative-path order, as the DuckDB ingest numbers its files
    assert [by_relpath[k]["file_index"] for k in sorted(by_relpath)] == [0, 1, 2]


def test_spark_views_read_hive_partitioned_parquet(tmp_path):
    table = tmp_path / "tables" / "marts.db" / "dri_index"
    con = duckdb.connect()
    for year in (2010, 2011):
        (table / f"year={year}").mkdir(parents=True)
        con.execute(
            f"COPY (SELECT '130100' AS city_code, 0.5 AS dri_index) TO "
            f"'{table / f'year={year}' / 'part-0.parquet'}' (FORMAT parquet)"
        )
    ro = duckdb.connect(str(tmp_path / "w.duckdb"))
    ro.close()
    ro = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)  # as `dri sql` opens it
    for statement in spark.spark_views_sql(tmp_path):
        ro.execute(statement)
    assert ro.execute("SELECT sum(year), count(*) FROM spark.dri_index").fetchone() == (4021, 2)
    assert ro.execute("SELECT count(*) FROM spark.marts.dri_index").fetchone() == (2,)


def test_server_targets_send_the_models_sql_settings():
    """The Connect and Thrift targets set the session SQL settings the models rely on (string
    literals as DuckDB reads them: the regular expressions' backslashes; UTC) as the
    in-process target does, and the Connect target sets no master (pyspark refuses a master
    and a remote together)."""
    profiles = yaml.safe_load((paths.DBT_PROJECT_DIR / "profiles.yml").read_text("utf-8"))
    outputs = profiles["dri"]["outputs"]
    local = outputs["spark"]["server_side_parameters"]
    shared = [
        "spark.sql.parser.escapedStringLiterals",
        "spark.sql.session.timeZone",
        "spark.sql.autoBroadcastJoinThreshold",
        "spark.sql.adaptive.autoBroadcastJoinThreshold",
        "spark.sql.shuffle.partitions",
    ]
    # the Spark Thrift Server applies a session setting only under `set:hiveconf:`
    prefix = {"spark-connect": "", "spark-cluster": "set:hiveconf:"}
    for target in ("spark-connect", "spark-cluster"):
        params = outputs[target]["server_side_parameters"]
        got = {k: params.get(prefix[target] + k) for k in shared}
        assert got == {k: local[k] for k in shared}, target
    assert (
        outputs["spark-cluster"]["server_side_parameters"]["set:hiveconf:spark.sql.ansi.enabled"]
        == "false"
    )
    connect = outputs["spark-connect"]
    assert (
        connect["method"] == "session" and "spark.master" not in connect["server_side_parameters"]
    )
    assert "DRI_SPARK_REMOTE" in connect["server_side_parameters"]["spark.remote"]
    assert outputs["spark-cluster"]["method"] == "thrift"
    assert set(spark.TARGETS) <= set(outputs)


def test_build_target_reaches_dbt_and_unknown_targets_are_refused(tmp_path):
    command = spark.dbt_command("build", [], tmp_path, target="spark-connect")
    assert command[command.index("--target") + 1] == "spark-connect"
    assert spark.dbt_command("build", [], tmp_path)[command.index("--target") + 1] == "spark"
    with pytest.raises(ValueError, match="spark-connect"):
        spark.build(root=tmp_path, landing=tmp_path, target="databricks")
