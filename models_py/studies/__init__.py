"""Studies as specifications: one YAML file per study (``specs/<study id>.yml``) names the
panel mart, the variables and every table of the study's empirical section; `runner`
produces each table from the mart's rows with the estimators of `models_py`.

* ``spec``: the YAML format, its validation (`SpecError` names the file, the key path and
  the allowed values), `load_spec`, `discover_specs`, `required_columns`,
  `validate_columns`, `table_names`, `table_title`.
* ``runner``: `prepare_panel` (sample filters, derived variables) and `run_table`, one
  `StudyTable` per table id, each independent of the others.
* ``residuals``: fixed-effects residuals for the residual unit-root table (paper 000).

Pure Python: imports neither Dagster nor DuckDB; a study runs from a notebook on an
exported panel as well as from the Dagster assets.
"""
