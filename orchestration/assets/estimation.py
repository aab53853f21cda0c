"""Estimation layer in DuckDB: the `estimates` schema the study assets write.

Each study table replaces its own rows (study, table_name) in ``estimates.models``,
``estimates.coefficients`` and ``estimates.tests``; the column layout is declared in
`models_py.output.estimates_tables` (also the source of the analyst docs and Stata labels).
The study assets themselves are made in `orchestration.assets.studies`.
"""



from models_py.output import estimates_tables
from models_py.studies.runner import StudyTable


def store_estimates(con, table: StudyTable) -> dict[str, int]:
    """Replace this study table's rows in estimates.models / coefficients / tests."""
    models = list(table.models)
    frames = {
        "models": estimates_tables.models_frame(table.study, table.name, models,
                                                table.model_labels),
        "coefficients": estimates_tables.coefficients_frame(table.study, table.name, models,
                                                            table.model_labels),
        "tests": estimates_tables.tests_frame(table.study, table.name, table.tests),
    }
    con.execute("CREATE SCHEMA IF NOT EXISTS estimates")
    # estimates.model_stats (one row per statistic) is superseded by estimates.models.
    con.execute("DROP TABLE IF EXISTS estimates.model_stats")
    counts = {}
    for name, frame in frames.items():
        expected = list(estimates_tables.COLUMNS[name])
        present = [r[0] for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = "
            "'estimates' AND table_name = ? ORDER BY ordinal_position", [name]).fetchall()]
        if present and present != expected:  # an older layout: rebuilt by the studies
            con.execute(f"DROP TABLE estimates.{name}")
        con.execute(estimates_tables.ddl(name))
        con.execute(f"DELETE FROM estimates.{name} WHERE study = ? AND table_name = ?",
                    [table.study, table.name])
        if len(frame):
            con.register("frame_df", frame)
            con.execute(f"INSERT INTO estimates.{name} BY NAME SELECT * FROM frame_df")
            con.unregister("frame_df")
        counts[name] = len(frame)
    return counts
