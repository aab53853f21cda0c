"""Data quality: the Great Expectations suites in `expectations/` as Dagster asset checks.

`suites` reads the suite files (pure: no Great Expectations import), `validate` runs a suite
against a DuckDB connection with an ephemeral GX context, `gx_checks` turns every suite into
an asset check, `worker` runs the GX half of the checks in a process forked when a build
starts (GX imported there beside the build's other work), `docs` validates a warehouse and
writes the quality pages: `page`, the project's own (self-contained, offline), and GX's Data
Docs as an extra. Great Expectations is imported only inside `validate`'s functions:
importing it costs seconds, and definitions load and the CLI's fast paths must not pay for it.
"""
