"""Output writers of the econometrics library: what turns result objects into files.

* ``tables``: esttab-style regression tables (DataFrame of strings) and Markdown.
* ``tables_latex`` / ``tables_excel``: LaTeX (booktabs) and Excel renderers.
* ``table_cells``: the one cell formatter every renderer goes through.
* ``figures``: PNG figures (coefficient plots, mediation effects, threshold LR curve,
  index trends and ranks).
* ``report_html``: the self-contained HTML report of a study.
* ``study_outputs``: the files of a study table / study under ``reports/<study>/``.
* ``estimates_tables``: tidy rows (and DDL) for the warehouse's ``estimates`` schema.
* ``stata``: Stata ``.dta`` files with variable and dataset labels.

The estimators live one level up (``models_py.panel``, ``models_py.mediation`` ...);
nothing here estimates anything.
"""
