"""Run a study's tables: `prepare_panel` applies the sample and the derived variables of a
specification to the mart's rows, `run_table` produces one table as a `StudyTable`.

Each table is computed from the panel alone (no table reads another's result), so the
Dagster assets can run one table per asset; every random draw has a fixed seed from the
specification, so a rerun gives the same numbers. The estimators are `models_py`'s; this
module only selects rows and columns, calls them and lays the results out:
regressions with `models_py.output.tables.regression_table` (esttab layout, plus a
"Dependent variable" row), statistics as tidy frames.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from models_py import transforms
from models_py.cointegration import kao_test
from models_py.descriptive import correlation, describe
from models_py.heterogeneity import by_group, interaction_model
from models_py.mediation import bias_corrected_interval, mediate, percentile_interval
from models_py.output.table_cells import format_p, p_equals
from models_py.output.tables import regression_table, star_note
from models_py.panel import PanelResult, fit_panel_ols
from models_py.pca import PCAResult, principal_components
from models_py.random_effects import fit_random_effects
from models_py.specification import (
    f_test_effects,
    fe_residuals,
    hausman,
    heteroskedasticity_tests,
)
from models_py.stat_tests import StatTest
from models_py.studies.spec import ModelSpec, StudySpec, TableSpec, validate_columns
from models_py.threshold import fit_threshold, lr_critical_value
from models_py.unit_root import fisher_adf

TEST_COLUMNS = ["test", "statistic", "df", "p_value", "note"]
_PREPARED = "dri_study_prepared"
_RESID = "residuals"
_YEAR_DUMMY = "__year_"


@dataclass
class StudyTable:
    """One table of a study, ready for rendering (see STUDY_INTERFACES.md)."""

    study: str
    name: str
    title: str
    frame: pd.DataFrame
    kind: str  # 'regression' | 'statistics'
    notes: list[str] = field(default_factory=list)
    key_numbers: dict[str, float] = field(default_factory=dict)
    models: list[PanelResult] = field(default_factory=list)
    model_labels: list[str] = field(default_factory=list)
    tests: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=TEST_COLUMNS))
    figure_data: dict[str, Any] = field(default_factory=dict)


# --- panel preparation ------------------------------------------------------------------


def _pca_fit(d: dict[str, Any], df: pd.DataFrame) -> tuple[PCAResult, pd.Index]:
    """PCA of a derived ``op: pca`` variable on the rows complete in its columns."""
    cols = list(d["columns"])
    complete = df[cols].dropna()
    result = principal_components(complete.to_numpy(float), d["directions"], d["rule"],
                                  d["threshold"], cols)
    return result, complete.index


def _derive(d: dict[str, Any], df: pd.DataFrame) -> pd.Series:
    op = d["op"]
    if op == "ln":
        x = df[d["column"]].astype(float)
        bad = int((x <= 0).sum())
        if bad:
            raise ValueError(f"derived {d['name']}: ln undefined for {bad} rows of "
                             f"{d['column']} <= 0 (use op: ln1p)")
        return np.log(x)
    if op == "ln1p":
        return transforms.log1p(df[[d["column"]]], [d["column"]], prefix="_")[
            "_" + d["column"]]
    if op == "ratio":
        den = df[d["denominator"]].astype(float).replace(0.0, np.nan)
        return df[d["numerator"]].astype(float) / den * d["scale"]
    if op == "recode":
        mapping = {str(k): v for k, v in d["mapping"].items()}
        return df[d["column"]].map(lambda v: mapping.get(str(v)) if pd.notna(v) else None)
    if op == "pca":
        result, rows = _pca_fit(d, df)
        comp = result.composite
        if d["scaled"]:
            spread = comp.max() - comp.min()
            comp = (comp - comp.min()) / spread if spread > 0 else comp * 0.0
        out = pd.Series(np.nan, index=df.index)
        out.loc[rows] = comp
        return out
    raise ValueError(f"unknown derived op {op!r}")  # parse_spec rejects it first


_COMPARE: dict[str, Callable[[pd.Series, Any], pd.Series]] = {
    "==": lambda c, v: c == v, "!=": lambda c, v: c != v,
    "<": lambda c, v: c < v, "<=": lambda c, v: c <= v,
    ">": lambda c, v: c > v, ">=": lambda c, v: c >= v,
    "in": lambda c, v: c.isin(v), "not_in": lambda c, v: ~c.isin(v),
    "not_null": lambda c, v: c.notna(),
}


def _filter(spec: StudySpec, df: pd.DataFrame) -> pd.DataFrame:
    if spec.years is not None:
        df = df[df[spec.time].between(*spec.years)]
    for w in spec.where:
        keep = _COMPARE[w["op"]](df[w["column"]], w.get("value"))
        df = df[keep.fillna(False).astype(bool)]
    return df


def prepare_panel(spec: StudySpec, panel: pd.DataFrame) -> pd.DataFrame:
    """The study's sample: column check, sample filters, derived variables, sorted by
    entity and time. A frame this function returned is passed through unchanged."""
    if panel.attrs.get(_PREPARED) == spec.id:
        return panel
    validate_columns(spec, panel.columns)
    df = _filter(spec, panel.copy())
    if df.empty:
        raise ValueError(f"{spec.id}: the sample filters leave no rows of {spec.panel}")
    for d in spec.derived:
        df[d["name"]] = _derive(d, df)
    df = df.sort_values([spec.entity, spec.time]).reset_index(drop=True)
    df.attrs[_PREPARED] = spec.id
    return df


# --- helpers ----------------------------------------------------------------------------


def _label(spec: StudySpec, name: str) -> str:
    return spec.labels.get(name, name)


def _model(spec: StudySpec, table: TableSpec) -> ModelSpec:
    return spec.resolve_model(table.options)


def _fit(spec: StudySpec, df: pd.DataFrame, m: ModelSpec, name: str,
         cov: str | None = None) -> PanelResult:
    return fit_panel_ols(df, m.dependent, m.regressors, spec.entity, spec.time,
                         m.entity_effects, m.time_effects, cov or m.cov, name=name)


def _cov_text(spec: StudySpec, cov: str) -> str:
    ent = spec.entity_name.lower()
    return {
        "unadjusted": "conventional (homoskedastic) standard errors",
        "robust": "heteroskedasticity-robust (HC1) standard errors",
        "clustered_entity": f"standard errors clustered by {ent}",
        "clustered_twoway": f"standard errors clustered by {ent} and year",
    }[cov]


def _tests(tests: list[StatTest]) -> pd.DataFrame:
    rows = []
    for t in tests:
        parts = [f"H0: {t.null}" if t.null else "", t.distribution, t.model]
        rows.append({"test": t.test, "statistic": t.statistic, "df": t.df,
                     "p_value": t.p_value, "note": "; ".join(p for p in parts if p)})
    return pd.DataFrame(rows, columns=TEST_COLUMNS)


def _regression_frame(spec: StudySpec, models: list[PanelResult], dependents: list[str],
                      labels: dict[str, str] | None = None) -> pd.DataFrame:
    frame = regression_table(models, labels={**spec.labels, **(labels or {})},
                             fe_labels=(f"{spec.entity_name} FE", "Year FE"))
    dep_row = pd.DataFrame([[_label(spec, d) for d in dependents]], columns=frame.columns,
                           index=pd.Index(["Dependent variable"], name=frame.index.name))
    return pd.concat([frame, dep_row])


def _regression_notes(spec: StudySpec, models: list[PanelResult]) -> list[str]:
    covs = list(dict.fromkeys(m.cov_type for m in models))
    text = " / ".join(_cov_text(spec, c) for c in covs)
    notes = [f"{text[0].upper()}{text[1:]} in parentheses; {star_note()}."]
    if spec.data_note:
        notes.append(spec.data_note)
    return notes


def _core_numbers(models: list[PanelResult], core: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for i, r in enumerate(models, start=1):
        if core in r.params.index:
            out[f"({i}) {core}"] = float(r.params[core])
            out[f"({i}) {core} se"] = float(r.std_errors[core])
            out[f"({i}) {core} p"] = float(r.pvalues[core])
        out[f"({i}) N"] = float(r.nobs)
    return out


def _regression_table(spec: StudySpec, table: TableSpec, models: list[PanelResult],
                      dependents: list[str], core: str,
                      extra_notes: list[str] | None = None,
                      labels: dict[str, str] | None = None) -> StudyTable:
    return StudyTable(
        study=spec.id, name=table.name, title=table.title,
        frame=_regression_frame(spec, models, dependents, labels), kind="regression",
        notes=[*(extra_notes or []), *_regression_notes(spec, models),
               *([table.options["note"]] if table.options.get("note") else [])],
        key_numbers=_core_numbers(models, core), models=models,
        model_labels=[m.name for m in models],
    )


def _stats_table(spec: StudySpec, table: TableSpec, frame: pd.DataFrame,
                 notes: list[str] | None = None, **kw: Any) -> StudyTable:
    all_notes = [*(notes or []), *([spec.data_note] if spec.data_note else []),
                 *([table.options["note"]] if table.options.get("note") else [])]
    return StudyTable(study=spec.id, name=table.name, title=table.title, frame=frame,
                      kind="statistics", notes=all_notes, **kw)


def _variables(table: TableSpec, m: ModelSpec, key: str = "variables") -> list[str]:
    return list(table.options.get(key) or [m.dependent, *m.regressors])


def _complete(df: pd.DataFrame, spec: StudySpec, cols: list[str]) -> pd.DataFrame:
    return df.loc[:, list(dict.fromkeys([spec.entity, spec.time, *cols]))].dropna()


def _balanced(df: pd.DataFrame, spec: StudySpec) -> tuple[pd.DataFrame, int]:
    """Keep the entities observed in every period of `df` (tests that need a balanced
    panel); returns the frame and the number of entities dropped."""
    periods = df[spec.time].nunique()
    counts = df.groupby(spec.entity)[spec.time].nunique()
    keep = counts.index[counts == periods]
    return df[df[spec.entity].isin(keep)], int(len(counts) - len(keep))


def _fmt(x: float, digits: int = 3) -> str:
    return "" if x != x else f"{x:.{digits}f}"


# --- table builders ---------------------------------------------------------------------


def _t_regression(spec: StudySpec, table: TableSpec, df: pd.DataFrame) -> StudyTable:
    models, deps = [], []
    base = _model(spec, table)
    for col in table.options["columns"]:
        m = spec.resolve_model({**{k: v for k, v in table.options.items()
                                   if k in ("dependent", "core", "controls", "fixed_effects",
                                            "cov")}, **col})
        name = col.get("label") or _label(spec, m.dependent)
        models.append(_fit(spec, df, m, name))
        deps.append(m.dependent)
    return _regression_table(spec, table, models, deps, base.core)


def _variant_data(spec: StudySpec, df: pd.DataFrame, m: ModelSpec,
                  v: dict[str, Any]) -> tuple[pd.DataFrame, ModelSpec, str]:
    """The data and model of one robustness variant; the transformed core keeps the core's
    name so its row lines up across the columns (the note says what each column used)."""
    kind, data = v["kind"], df.copy()
    dep, core = m.dependent, m.core
    if kind == "log1p":
        src = v["dependent"] or m.dependent
        dep = f"ln1p_{src}"
        data[dep] = transforms.log1p(data[[src]], [src], prefix="ln1p_")[dep]
        note = f"dependent ln(1 + {src})"
        if v["core"]:
            data[core] = np.log1p(data[v["core"]].astype(float))
            note += f", {core} replaced by ln(1 + {v['core']})"
    elif kind == "replace_dependent":
        dep = v["dependent"]
        note = f"dependent replaced by {_label(spec, dep)}"
    elif kind == "lag_core":
        lagged = transforms.lag_within(data, [core], spec.entity, spec.time, v["lag"],
                                       prefix="__lag{lag}_")
        data[core] = lagged[f"__lag{v['lag']}_{core}"].to_numpy()
        note = f"{core} lagged {v['lag']} period(s) (t - {v['lag']})"
    else:  # winsorize
        cols = v["columns"] or [m.dependent, m.core]
        low, high = v["cuts"]
        data = transforms.winsorize(data, cols, (low, high), by=v["by"])
        note = f"{', '.join(cols)} winsorized at the {low:g}% and {high:g}% percentiles"
        if v["by"]:
            note += f" within {v['by']}"
    model = ModelSpec(dep, core, m.controls, m.entity_effects, m.time_effects, m.cov)
    return data, model, note


def _t_robustness(spec: StudySpec, table: TableSpec, df: pd.DataFrame) -> StudyTable:
    m = _model(spec, table)
    models, deps, notes = [], [], []
    if table.options["include_benchmark"]:
        models.append(_fit(spec, df, m, "Benchmark"))
        deps.append(m.dependent)
    for v in table.options["variants"]:
        data, vm, note = _variant_data(spec, df, m, v)
        models.append(_fit(spec, data, vm, v["label"]))
        deps.append(vm.dependent)
        notes.append(f"({len(models)}) {v['label']}: {note}.")
    return _regression_table(spec, table, models, deps, m.core, notes)


def _t_clustered(spec: StudySpec, table: TableSpec, df: pd.DataFrame) -> StudyTable:
    m = _model(spec, table)
    names = {"unadjusted": "Ordinary", "robust": "Robust (HC1)",
             "clustered_entity": f"Clustered by {spec.entity_name.lower()}",
             "clustered_twoway": "Two-way clustered"}
    models = [_fit(spec, df, m, names[c], cov=c) for c in table.options["covs"]]
    out = _regression_table(spec, table, models, [m.dependent] * len(models), m.core)
    ratio = {f"se ratio {r.name} / {models[0].name}": float(
        r.std_errors[m.core] / models[0].std_errors[m.core]) for r in models[1:]}
    out.key_numbers.update(ratio)
    return out


def _t_by_entity(spec: StudySpec, table: TableSpec, df: pd.DataFrame) -> StudyTable:
    m = _model(spec, table)
    # One entity's time series: pooled OLS with an intercept, no effects to absorb.
    cov = table.options.get("cov") or "unadjusted"
    data = _complete(df, spec, [m.dependent, *m.regressors])
    label_col = table.options["label_column"]
    if label_col:
        names = df.drop_duplicates(spec.entity).set_index(spec.entity)[label_col].astype(str)
    else:
        names = pd.Series(dtype=str)
    wanted = table.options["entities"]
    if wanted:
        keys = [e for e in data[spec.entity].unique()
                if str(e) in wanted or names.get(e) in wanted]
        data = data[data[spec.entity].isin(keys)]
    fits = by_group(data, spec.entity, m.dependent, m.regressors, spec.entity, spec.time,
                    entity_effects=False, time_effects=False, cov=cov)
    models = []
    for ent, r in fits.items():
        models.append(replace(r, name=str(names.get(ent, ent))))
    return _regression_table(spec, table, models, [m.dependent] * len(models), m.core,
                             [f"One OLS regression per {spec.entity_name.lower()} "
                              "(time series with an intercept)."])


def _t_heterogeneity(spec: StudySpec, table: TableSpec, df: pd.DataFrame) -> StudyTable:
    m = _model(spec, table)
    group = table.options["group"]
    data = _complete(df, spec, [m.dependent, *m.regressors, group])
    order = table.options["groups"]
    if order:
        data = data[data[group].astype(str).isin(order)]
    fits = by_group(data, group, m.dependent, m.regressors, spec.entity, spec.time,
                    m.entity_effects, m.time_effects, m.cov)
    keys = list(fits)
    if order:
        keys = sorted(keys, key=lambda g: order.index(str(g)))
    labels = {str(k): str(v) for k, v in table.options["group_labels"].items()}
    models = [replace(fits[g], name=labels.get(str(g), str(g)))
              for g in keys]
    tests: list[StatTest] = []
    if table.options["test"] and len(keys) > 1:
        inter = interaction_model(data, group, m.dependent, m.core, list(m.controls),
                                  spec.entity, spec.time, base=keys[0],
                                  entity_effects=m.entity_effects,
                                  time_effects=m.time_effects, cov=m.cov)
        tests = inter.tests
    out = _regression_table(spec, table, models, [m.dependent] * len(models), m.core)
    out.tests = _tests(tests)
    for t in tests:
        out.notes.insert(0, f"Test of equal {m.core} coefficients across groups (pooled "
                            f"interaction model): F({t.df}) = {t.statistic:.3f}, "
                            f"{p_equals(t.p_value)}.")
        out.key_numbers["equal slopes F"] = t.statistic
        out.key_numbers["equal slopes p"] = t.p_value
    out.figure_data["coefficients"] = pd.DataFrame({
        "group": [r.name for r in models],
        "estimate": [float(r.params[m.core]) for r in models],
        "std_error": [float(r.std_errors[m.core]) for r in models],
        "conf_low": [float(r.conf_low[m.core]) for r in models],
        "conf_high": [float(r.conf_high[m.core]) for r in models],
        "p_value": [float(r.pvalues[m.core]) for r in models],
        "nobs": [r.nobs for r in models],
    })
    out.figure_data["term"] = m.core
    return out


def _t_interaction(spec: StudySpec, table: TableSpec, df: pd.DataFrame) -> StudyTable:
    m = _model(spec, table)
    group = table.options["group"]
    res = interaction_model(df, group, m.dependent, m.core, list(m.controls), spec.entity,
                            spec.time, base=table.options["base"],
                            interact_controls=table.options["interact_controls"],
                            entity_effects=m.entity_effects, time_effects=m.time_effects,
                            cov=m.cov, name=_label(spec, m.dependent))
    # interaction_model names its terms <var>_x_<group>_<value> (spaces -> _)
    levels = sorted(df[group].dropna().unique().tolist())
    inter_labels = {f"{var}_x_{group}_{str(g).replace(' ', '_')}":
                    f"{_label(spec, var)} × {_label(spec, group)} = {g}"
                    for var in [m.core, *m.controls] for g in levels}
    inter_labels |= {f"{group}_{str(g).replace(' ', '_')}": f"{_label(spec, group)} = {g}"
                     for g in levels}
    base = table.options["base"] if table.options["base"] is not None else levels[0]
    out = _regression_table(spec, table, [res.model], [m.dependent], m.core,
                            [f"Base group: {_label(spec, group)} = {base}."],
                            labels=inter_labels)
    out.tests = _tests(res.tests)
    for t in res.tests:
        out.notes.insert(0, f"{t.test}: F({t.df}) = {t.statistic:.3f}, {p_equals(t.p_value)}.")
        out.key_numbers[f"{t.test} F"] = t.statistic
        out.key_numbers[f"{t.test} p"] = t.p_value
    for term in res.model.params.index:
        if term.startswith(f"{m.core}_x_"):
            out.key_numbers[term] = float(res.model.params[term])
    slopes = res.slopes_frame()
    out.figure_data["coefficients"] = slopes.rename(columns={"slope": "estimate"})
    out.figure_data["term"] = m.core
    return out


def _t_mediation(spec: StudySpec, table: TableSpec, df: pd.DataFrame) -> StudyTable:
    m = _model(spec, table)
    o = table.options
    med = o["mediator"]
    res = mediate(df, m.dependent, m.core, med, list(m.controls), spec.entity, spec.time,
                  m.entity_effects, m.time_effects, m.cov, n_boot=o["n_boot"], seed=o["seed"],
                  level=o["level"], name="mediation")
    models = [
        replace(res.total, name=f"Total: {_label(spec, m.dependent)}"),
        replace(res.a_path, name=f"a-path: {_label(spec, med)}"),
        replace(res.b_path, name=f"b-path: {_label(spec, m.dependent)}"),
    ]
    frame = _regression_frame(spec, models, [m.dependent, med, m.dependent])
    pct = int(round(o["level"] * 100))
    extra: list[tuple[str, str]] = [
        ("Indirect effect a×b", _fmt(res.indirect)),
        ("Sobel Z", f"{res.sobel_z:.3f}"),
        ("Sobel p-value", format_p(res.sobel_p)),
    ]
    keys = {"total": float(res.total.params[m.core]), "direct": float(res.b_path.params[m.core]),
            "a": res.a, "b": res.b, "indirect": res.indirect, "sobel_z": res.sobel_z,
            "sobel_p": res.sobel_p}
    tests = [StatTest("Sobel", res.sobel_z, res.sobel_p, "normal", "",
                      "indirect effect a*b = 0", "mediation")]
    if res.draws is not None:
        lo, hi = percentile_interval(res.draws.indirect, o["level"])
        blo, bhi = bias_corrected_interval(res.draws.indirect, res.indirect, o["level"])
        extra += [(f"Bootstrap {pct}% CI (percentile)", f"[{_fmt(lo)}, {_fmt(hi)}]"),
                  (f"Bootstrap {pct}% CI (bias-corrected)", f"[{_fmt(blo)}, {_fmt(bhi)}]"),
                  ("Bootstrap draws", f"{o['n_boot']}")]
        keys |= {"boot_ci_low": lo, "boot_ci_high": hi, "bc_ci_low": blo, "bc_ci_high": bhi}
    total = keys["total"]
    share = res.indirect / total if total != 0 else float("nan")
    extra.append(("Proportion mediated", _fmt(share)))
    keys["proportion_mediated"] = share
    last = frame.columns[-1]
    rows = pd.DataFrame([["" if c != last else v for c in frame.columns] for _, v in extra],
                        columns=frame.columns,
                        index=pd.Index([k for k, _ in extra], name=frame.index.name))
    out = StudyTable(
        study=spec.id, name=table.name, title=table.title, frame=pd.concat([frame, rows]),
        kind="regression", key_numbers=keys, models=models,
        model_labels=[r.name for r in models], tests=_tests(tests),
        notes=[f"(1) total effect of {m.core}; (2) {m.core} on the mediator {med} (a); "
               f"(3) with the mediator (b and the direct effect). Bootstrap: "
               f"{o['n_boot']} draws resampling whole {spec.entity_name.lower()} units "
               f"(cluster bootstrap), seed {o['seed']}.",
               *_regression_notes(spec, models),
               *([o["note"]] if o.get("note") else [])],
        figure_data={"effects": res.effects_frame()},
    )
    return out


def _t_descriptive(spec: StudySpec, table: TableSpec, df: pd.DataFrame) -> StudyTable:
    m = _model(spec, table)
    cols = _variables(table, m)
    res = describe(df, cols, common_sample=table.options["common_sample"])
    frame = res.table.rename(columns=lambda c: _label(spec, c))
    frame.index.name = ""
    keys = {}
    for c in cols:
        keys[f"{c} mean"] = float(res.table.loc["Mean", c])
        keys[f"{c} Jarque-Bera p"] = float(res.table.loc["Probability", c])
    return _stats_table(spec, table, frame, ["Probability: p-value of the Jarque-Bera test "
                                             "of normality, chi2(2)."], key_numbers=keys)


def _t_correlation(spec: StudySpec, table: TableSpec, df: pd.DataFrame) -> StudyTable:
    m = _model(spec, table)
    cols = _variables(table, m)
    res = correlation(df, cols)
    frame = res.eviews_table().rename(columns=lambda c: _label(spec, c),
                                      index=lambda c: _label(spec, c) if c else c)
    frame.index.name = ""
    tidy = res.correlation_frame()
    keys = {f"r({a}, {b})": float(r) for a, b, r in tidy[["var1", "var2", "r"]].itertuples(
        index=False)}
    return _stats_table(spec, table, frame,
                        [f"Pearson correlations on {res.nobs} complete rows; beneath each "
                         "coefficient the p-value of t = r sqrt((n-2)/(1-r²))."],
                        key_numbers=keys, figure_data={"pairs": tidy})


def _series(spec: StudySpec, table: TableSpec, df: pd.DataFrame, variable: str | None,
            residuals: bool) -> tuple[pd.DataFrame, str]:
    if residuals:
        m = _model(spec, table)
        res = fe_residuals(df, m.dependent, m.regressors, spec.entity, spec.time,
                           m.entity_effects, m.time_effects, name=_RESID)
        return res, _RESID
    assert variable is not None
    return df, variable


def _t_unit_root(spec: StudySpec, table: TableSpec, df: pd.DataFrame) -> StudyTable:
    o = table.options
    m = _model(spec, table)
    targets: list[tuple[str | None, bool]] = [(v, False) for v in _variables(table, m)]
    if o["residuals"]:
        targets.append((None, True))
    rows, tests = [], []
    for variable, resid in targets:
        data, col = _series(spec, table, df, variable, resid)
        res = fisher_adf(data, col, spec.entity, spec.time, o["deterministic"], o["lags"],
                         o["criterion"])
        shown = "FE residuals" if resid else _label(spec, col)
        for t in res.tests:
            rows.append({"variable": shown, "method": t.test, "statistic": t.statistic,
                         "df": t.df, "p_value": t.p_value,
                         "cross_sections": len(res.by_entity)})
            tests.append(StatTest(t.test, t.statistic, t.p_value, t.distribution, t.df,
                                  t.null, shown))
    frame = pd.DataFrame(rows)
    keys = {f"{r['variable']}: {r['method']} p": r["p_value"] for r in rows}
    lag_text = (f"{o['lags']} lags" if o["lags"] is not None
                else f"lags chosen by {o['criterion'].upper()}")
    return _stats_table(spec, table, frame,
                        [f"Fisher-type tests combining one ADF test per cross-section "
                         f"(deterministic terms '{o['deterministic']}', {lag_text}); H0: "
                         "every series has a unit root. Finite-sample ADF p-values."],
                        key_numbers=keys, tests=_tests(tests))


def _t_unit_root_entity(spec: StudySpec, table: TableSpec, df: pd.DataFrame) -> StudyTable:
    o = table.options
    m = _model(spec, table)
    variable = o["variable"] or (None if o["residuals"] else m.dependent)
    data, col = _series(spec, table, df, variable, variable is None)
    res = fisher_adf(data, col, spec.entity, spec.time, o["deterministic"], o["lags"],
                     o["criterion"])
    frame = res.entity_frame()
    if o["label_column"]:
        names = df.drop_duplicates(spec.entity).set_index(spec.entity)[o["label_column"]]
        frame.insert(1, "name", frame["entity"].map(names))
    frame["conclusion (5%)"] = np.where(frame["p_value"] < 0.05, "reject unit root",
                                        "do not reject unit root")
    shown = "FE residuals" if col == _RESID else _label(spec, col)
    keys = {"share rejecting at 5%": float((frame["p_value"] < 0.05).mean())}
    return _stats_table(spec, table, frame,
                        [f"ADF test of {shown} for each cross-section; H0: unit root."],
                        key_numbers=keys, tests=_tests(res.tests))


def _t_kao(spec: StudySpec, table: TableSpec, df: pd.DataFrame) -> StudyTable:
    m = _model(spec, table)
    data, dropped = _balanced(_complete(df, spec, [m.dependent, *m.regressors]), spec)
    res = kao_test(data, m.dependent, m.regressors, spec.entity, spec.time,
                   lags=table.options["lags"], bandwidth=table.options["bandwidth"])
    rows = [{"statistic": t.test, "value": t.statistic, "p_value": t.p_value}
            for t in res.tests]
    rows += [{"statistic": "Residual variance", "value": res.sigma2_v, "p_value": np.nan},
             {"statistic": "HAC variance", "value": res.sigma2_0v, "p_value": np.nan}]
    notes = [f"H0: no cointegration; N({res.n_entities}) x T({res.n_periods}), "
             f"ADF lags {res.lags}, Bartlett bandwidth {res.bandwidth}; left-tail normal "
             "p-values."]
    if dropped:
        notes.append(f"{dropped} {spec.entity_name.lower()}(s) with incomplete years left "
                     "out (the test needs a balanced panel).")
    keys = {t.test: t.statistic for t in res.tests} | {
        f"{t.test} p": t.p_value for t in res.tests}
    return _stats_table(spec, table, pd.DataFrame(rows), notes, key_numbers=keys,
                        tests=_tests(res.tests))


def _t_f_test(spec: StudySpec, table: TableSpec, df: pd.DataFrame) -> StudyTable:
    m = _model(spec, table)
    res = f_test_effects(df, m.dependent, m.regressors, spec.entity, spec.time,
                         time_effects=m.time_effects)
    t = res.test
    frame = pd.DataFrame({"statistic": ["Residual sum of squares, pooled OLS",
                                        "Residual sum of squares, fixed effects",
                                        "F statistic", "Degrees of freedom", "p-value"],
                          "value": [res.ssr_pooled, res.ssr_fixed, t.statistic, t.df,
                                    t.p_value]})
    keys = {"ssr_pooled": res.ssr_pooled, "ssr_fixed": res.ssr_fixed, "F": t.statistic,
            "p": t.p_value}
    return _stats_table(spec, table, frame,
                        [f"H0: {t.null}. F = ((SSR_pooled - SSR_FE)/(n - 1)) / "
                         f"(SSR_FE/(N - n - k)); year dummies in both models: "
                         f"{'yes' if m.time_effects else 'no'}."],
                        key_numbers=keys, tests=_tests([t]))


def _t_hausman(spec: StudySpec, table: TableSpec, df: pd.DataFrame) -> StudyTable:
    m = _model(spec, table)
    data = _complete(df, spec, [m.dependent, *m.regressors])
    fe = fit_panel_ols(data, m.dependent, m.regressors, spec.entity, spec.time, True,
                       m.time_effects, cov="unadjusted", name="Fixed effects")
    re = fit_random_effects(data, m.dependent, m.regressors, spec.entity, spec.time,
                            time_effects=m.time_effects, cov="unadjusted",
                            name="Random effects")
    res = hausman(fe, re)
    comp = res.comparison_frame()
    comp["verdict (5%)"] = np.where(comp["p_value"] < 0.05, "significant difference",
                                    "no significant difference")
    comp["term"] = comp["term"].map(lambda c: _label(spec, c))
    t = res.test
    keys = {"chi2": t.statistic, "df": float(t.df), "p": t.p_value}
    if t.df in ("", "0") or t.p_value != t.p_value:
        summary = ("Hausman statistic undefined: V_FE − V_RE is not positive definite and "
                   "has no positive eigenvalue "
                   f"(quadratic form {t.statistic:.3f}); the fixed- and random-effects "
                   "estimates are too close for the test to be computed.")
    else:
        summary = (f"Hausman test (cross-section random): chi2({t.df}) = {t.statistic:.3f}, "
                   f"{p_equals(t.p_value)}; H0: {t.null}.")
    notes = [summary]
    if "not positive definite" in t.test and t.df not in ("", "0"):
        # hausman() marks the test "Hausman (V_FE - V_RE not positive definite: g-inverse)"
        # in estimates.tests; the printed table says so too.
        notes.append(f"Caveat: V_FE − V_RE is not positive definite, so the statistic uses "
                     f"its generalized (Moore-Penrose) inverse, with degrees of freedom its "
                     f"rank ({t.df}) rather than the {len(comp)} coefficients compared.")
    notes.append("Per coefficient: chi2(1) = diff² / (Var_FE − Var_RE), classical "
                 "covariances.")
    return _stats_table(spec, table, comp, notes,
                        key_numbers=keys, tests=_tests([t]), models=[fe, re],
                        model_labels=[fe.name, re.name])


def _t_heteroskedasticity(spec: StudySpec, table: TableSpec, df: pd.DataFrame) -> StudyTable:
    m = _model(spec, table)
    tests = heteroskedasticity_tests(df, m.dependent, m.regressors, spec.entity, spec.time,
                                     m.entity_effects, m.time_effects)
    frame = _tests(tests)
    keys = {f"{t.test} p": t.p_value for t in tests}
    return _stats_table(spec, table, frame,
                        ["Auxiliary regressions of the squared residuals of the "
                         f"{'fixed-effects' if m.entity_effects else 'pooled'} model on its "
                         "regressors; H0: homoskedastic errors."],
                        key_numbers=keys, tests=frame)


def _t_pca(spec: StudySpec, table: TableSpec, df: pd.DataFrame) -> StudyTable:
    d = next(x for x in spec.derived if x["name"] == table.options["index"])
    res, rows = _pca_fit(d, df)
    k = res.n_kept
    comps = [f"PC{j + 1}" for j in range(k)]
    body = pd.DataFrame(res.loadings[:, :k], columns=comps,
                        index=[_label(spec, c) for c in res.indicators])
    body["Communality"] = res.communalities
    body["MSA"] = res.kmo.per_variable
    foot = pd.DataFrame(
        [list(res.eigenvalues[:k]) + [np.nan, np.nan],
         list(100 * res.variance_share[:k]) + [np.nan, np.nan],
         list(100 * res.cumulative_share[:k]) + [np.nan, np.nan],
         list(res.composite_weights) + [np.nan, np.nan]],
        columns=body.columns,
        index=["Eigenvalue", "Variance (%)", "Cumulative (%)", "Weight in index"])
    frame = pd.concat([body, foot])
    frame.index.name = ""
    bart = res.bartlett
    tests = [StatTest("Bartlett sphericity", bart.statistic, bart.p_value, "chi2",
                      str(bart.df), "correlation matrix is the identity", d["name"])]
    keys = {"kmo": res.kmo.overall, "bartlett_chi2": bart.statistic,
            "bartlett_p": bart.p_value, "n_components": float(k),
            "cumulative_share_kept": float(res.cumulative_share[k - 1])}
    scores = df.loc[rows, [spec.entity, spec.time]].copy()
    scores["index"] = df.loc[rows, d["name"]].to_numpy()
    group = table.options["group"]
    if group:
        scores[group] = df.loc[rows, group].to_numpy()
    eigen = pd.DataFrame({"component": np.arange(1, len(res.eigenvalues) + 1),
                          "eigenvalue": res.eigenvalues,
                          "variance_share": res.variance_share,
                          "cumulative_share": res.cumulative_share})
    return _stats_table(
        spec, table, frame,
        [f"Loadings (correlations of indicators with components) of the {k} retained "
         f"component(s), rule '{res.rule}'; index = components weighted by eigenvalue "
         f"share, on {res.n_obs} complete rows. KMO = {res.kmo.overall:.3f} "
         f"({res.kmo.verdict}); Bartlett chi2({bart.df}) = {bart.statistic:.2f}, "
         f"{p_equals(bart.p_value)}."],
        key_numbers=keys, tests=_tests(tests),
        figure_data={"scores": scores, "eigenvalues": eigen, "group": group,
                     "index": d["name"]})


def _t_threshold(spec: StudySpec, table: TableSpec, df: pd.DataFrame) -> StudyTable:
    m = _model(spec, table)
    o = table.options
    regime = o["regime"] or m.core
    qvar = o["threshold_variable"]
    controls = [c for c in m.controls if c != regime]
    data = _complete(df, spec, [m.dependent, regime, qvar, *controls])
    data, dropped = _balanced(data, spec)
    regressors = list(controls)
    if m.time_effects:
        years = sorted(data[spec.time].unique())
        for y in years[1:]:
            name = f"{_YEAR_DUMMY}{y}"
            data[name] = (data[spec.time] == y).astype(float)
            regressors.append(name)
    cov = o.get("cov") or "clustered_entity"
    res = fit_threshold(data, m.dependent, regime, qvar, regressors, spec.entity, spec.time,
                        n_thresholds=o["n_thresholds"], convention=o["convention"],
                        trim=o["trim"], grid_step=o["grid_step"], n_boot=o["n_boot"],
                        seed=o["seed"], cov=cov)
    shown = [p for p in res.params.index if not str(p).startswith(_YEAR_DUMMY)]
    gammas = res.thresholds
    bounds = [-np.inf, *gammas, np.inf]

    def regime_label(i: int) -> str:
        lo, hi = bounds[i], bounds[i + 1]
        q = _label(spec, qvar)
        if i == 0:
            return f"{_label(spec, regime)} × 1({q} < {hi:.4g})"
        if i == len(gammas):
            return f"{_label(spec, regime)} × 1({q} ≥ {lo:.4g})"
        return f"{_label(spec, regime)} × 1({lo:.4g} ≤ {q} < {hi:.4g})"

    index, values = [], []
    for p in shown:
        stars = "*" * sum(float(res.pvalues[p]) < t for t in (0.1, 0.05, 0.01))
        if p.startswith(f"{regime}_regime"):
            label = regime_label(int(p.rsplit("regime", 1)[1]) - 1)
        else:
            label = _label(spec, p)
        index += [label, ""]
        values += [f"{res.params[p]:.3f}{stars}", f"({res.std_errors[p]:.3f})"]
    thr = res.thresholds_frame()
    for _, r in thr.iterrows():
        index.append(f"Threshold {r['threshold']} (95% LR CI)")
        values.append(f"{r['estimate']:.4g} [{r['conf_low']:.4g}, {r['conf_high']:.4g}]")
    steps = res.steps_frame()
    for _, s in steps.iterrows():
        index.append(f"F test, {int(s['k'])} vs {int(s['k']) - 1} threshold(s)")
        values.append(f"{s['f_stat']:.3f} (bootstrap p = {s['p_value']:.3f})")
    index += ["N", f"{spec.entity_name} FE", "Year FE"]
    values += [str(res.nobs), "Yes", "Yes" if m.time_effects else "No"]
    frame = pd.DataFrame({_label(spec, m.dependent): values}, index=pd.Index(index, name=""))
    keys: dict[str, float] = {f"gamma{i + 1}": g for i, g in enumerate(gammas)}
    for _, s in steps.iterrows():
        keys[f"F{int(s['k'])}"] = float(s["f_stat"])
        keys[f"F{int(s['k'])} p"] = float(s["p_value"])
    for p in shown:
        if p.startswith(f"{regime}_regime"):
            keys[p] = float(res.params[p])
    notes = [f"Hansen (1999) fixed-effects threshold model: the slope of {regime} changes "
             f"at thresholds of {qvar}; F tests with {o['n_boot']} residual-bootstrap draws "
             f"(seed {o['seed']}); {_cov_text(spec, cov)} in parentheses (normal p-values); "
             f"{star_note()}."]
    if o["convention"] == "hansen":
        notes.append("N counts the rows after the within transform drops each "
                     f"{spec.entity_name.lower()}'s last year (Hansen's convention).")
    if m.time_effects:
        notes.append("Year effects enter as year dummies (not shown).")
    if dropped:
        notes.append(f"{dropped} {spec.entity_name.lower()}(s) with incomplete years left "
                     "out (the bootstrap needs a balanced panel).")
    if spec.data_note:
        notes.append(spec.data_note)
    return StudyTable(
        study=spec.id, name=table.name, title=table.title, frame=frame, kind="regression",
        notes=notes, key_numbers=keys, models=[res], model_labels=[_label(spec, m.dependent)],
        tests=_tests([StatTest(r["test"], r["statistic"], r["p_value"], r["distribution"],
                               r["df"], r["null"], r["model"])
                      for _, r in res.tests_frame().iterrows()]),
        figure_data={"grid": res.grid, "lr_curves": res.lr_curves,
                     "critical_value": lr_critical_value(0.95), "thresholds": gammas,
                     "threshold_variable": qvar, "coefficients": res.coefficients_frame()},
    )


# --- maps and spatial statistics ----------------------------------------------------------


def _map_level(df: pd.DataFrame, spec: StudySpec) -> str:
    """`province` when every entity code is a province code (xx0000), else `prefecture`."""
    codes = df[spec.entity].astype(str)
    return "province" if codes.str.endswith("0000").all() else "prefecture"


def _spatial_variables(spec: StudySpec, table: TableSpec) -> list[str]:
    m = _model(spec, table)
    return list(table.options.get("variables") or dict.fromkeys([m.dependent, m.core]))


def _cross_section(spec: StudySpec, df: pd.DataFrame, variable: str, year: int) -> pd.Series:
    rows = df[df[spec.time] == year]
    values = rows.set_index(rows[spec.entity].astype(str))[variable].astype(float)
    return values.dropna()


def _last_year(spec: StudySpec, df: pd.DataFrame, variables: list[str]) -> int:
    years = df.loc[df[variables].notna().all(axis=1), spec.time]
    if years.empty:
        raise ValueError(f"no {spec.time} has values of all of {', '.join(variables)}")
    return int(years.max())


def _map_unit(table: TableSpec, variable: str) -> str | None:
    units = table.options.get("units") or {}
    if variable in units:
        return str(units[variable])
    return "natural log" if variable.startswith("ln_") else None


def _t_map(spec: StudySpec, table: TableSpec, df: pd.DataFrame, boundaries: Any) -> StudyTable:
    from models_py.spatial import classify

    o = table.options
    variables = _spatial_variables(spec, table)
    year = o["year"] if o["year"] is not None else _last_year(spec, df, variables)
    rows, maps, notes = [], [], []
    for v in variables:
        values = _cross_section(spec, df, v, year)
        if values.empty:
            raise ValueError(f"map {table.name}: no values of {v} in {year}")
        drawn, skipped = boundaries.split(values.index)
        values = values.loc[drawn]
        classes = classify(values, o["scheme"], o["k"])
        for row in classes.frame().itertuples(index=False):
            rows.append({"Variable": _label(spec, v), "Class": int(row[0]), "From": row[1],
                         "To": row[2], "Regions": int(row[3])})
        maps.append({"variable": v, "label": _label(spec, v), "values": values,
                     "unit": _map_unit(table, v), "skipped": skipped, "bins": classes.bins})
        if skipped:
            notes.append(f"{_label(spec, v)}: {len(skipped)} units without a polygon left out "
                         f"({'; '.join(f'{c}: {r}' for c, r in list(skipped.items())[:3])}).")
    scheme = "quantiles" if o["scheme"] == "quantiles" else "natural breaks (Fisher-Jenks)"
    frame = pd.DataFrame(rows, columns=["Variable", "Class", "From", "To", "Regions"])
    return _stats_table(
        spec, table, frame,
        [f"Classes of the maps of {year}: {scheme}, k = {o['k']} (mapclassify); a class runs "
         "from its lower bound (exclusive, except the first) to its upper bound (inclusive). "
         "Regions without a value are hatched on the maps.", *notes],
        key_numbers={f"{m_['variable']} {year} upper bound {i + 1}": float(b) for m_ in maps
                     for i, b in enumerate(m_["bins"])},
        figure_data={"maps": maps, "map_year": year, "scheme": o["scheme"], "k": o["k"],
                     "boundaries": boundaries, "level": _map_level(df, spec)})


def _t_spatial(spec: StudySpec, table: TableSpec, df: pd.DataFrame,
               boundaries: Any) -> StudyTable:
    from models_py.spatial import local_moran, moran_by_year, spatial_weights

    o = table.options
    variables = _spatial_variables(spec, table)
    codes = df[spec.entity].astype(str).unique()
    drawn, skipped = boundaries.split(codes)
    polygons = boundaries.polygons(drawn)
    frames, tests, keys, lisas = [], [], {}, []
    for v in variables:
        res = moran_by_year(df, spec.entity, spec.time, v, polygons, o["weights"],
                            o["threshold_km"], o["permutations"], o["seed"])
        if res.empty:
            raise ValueError(f"{table.name}: fewer than 3 units with values of {v} in every "
                             f"{spec.time}")
        frames.append(res)
        for r in res.itertuples(index=False):
            year = getattr(r, spec.time)
            tests.append({"test": f"Moran's I, {_label(spec, v)}, {year}",
                          "statistic": r.moran_i, "df": None, "p_value": r.p_sim,
                          "note": f"H0: no spatial autocorrelation; permutation p-value "
                                  f"({o['permutations']} permutations, seed {o['seed']}); "
                                  f"z = {r.z_norm:.3f}, normal p = {format_p(r.p_norm)}; "
                                  f"{r.weights}; n = {r.n}"})
            keys[f"{v} {year} Moran I"] = float(r.moran_i)
            keys[f"{v} {year} p"] = float(r.p_sim)
        lisa_year = o["lisa_year"] if o["lisa_year"] is not None else int(
            res[spec.time].max())
        values = _cross_section(spec, df, v, lisa_year)
        values = values[values.index.isin(polygons.index)]
        w = spatial_weights(polygons.loc[values.index], o["weights"], o["threshold_km"])
        lisa = local_moran(values, w, o["permutations"], o["seed"], o["alpha"])
        lisas.append({"variable": v, "label": _label(spec, v), "year": lisa_year,
                      "lisa": lisa, "weights": w.describe()})
        for cluster, count in lisa["cluster"].value_counts().items():
            keys[f"{v} {lisa_year} LISA {cluster}"] = float(count)
    res = pd.concat(frames, ignore_index=True)
    frame = pd.DataFrame({
        "Variable": res["variable"].map(lambda v: _label(spec, v)),
        "Year": res[spec.time].astype(int), "N": res["n"].astype(int),
        "Moran's I": res["moran_i"], "E[I]": res["expected_i"], "z": res["z_norm"],
        "p (normal)": res["p_norm"], "p (permutation)": res["p_sim"]})
    notes = [f"Global Moran's I = n/S0 · z'Wz / z'z per year on the units with a value and a "
             f"polygon; weights: {res['weights'].iloc[-1]}. p (permutation): esda's pseudo "
             f"p-value from {o['permutations']} random permutations (seed {o['seed']}); "
             "p (normal): normal approximation. LISA cluster maps: local Moran significant at "
             f"{o['alpha']:g} (conditional permutations), quadrants High-High, Low-Low, "
             "Low-High, High-Low."]
    if skipped:
        notes.append(f"{len(skipped)} units without a polygon left out: "
                     + "; ".join(f"{c}: {r}" for c, r in list(skipped.items())[:3]) + ".")
    return _stats_table(spec, table, frame, notes, key_numbers=keys,
                        tests=pd.DataFrame(tests, columns=TEST_COLUMNS),
                        figure_data={"lisa": lisas, "boundaries": boundaries,
                                     "level": _map_level(df, spec)})


SPATIAL_BUILDERS: dict[str, Callable[[StudySpec, TableSpec, pd.DataFrame, Any], StudyTable]] = {
    "map": _t_map,
    "spatial_autocorrelation": _t_spatial,
}


BUILDERS: dict[str, Callable[[StudySpec, TableSpec, pd.DataFrame], StudyTable]] = {
    "descriptive": _t_descriptive,
    "correlation": _t_correlation,
    "unit_root": _t_unit_root,
    "unit_root_by_entity": _t_unit_root_entity,
    "kao": _t_kao,
    "f_test": _t_f_test,
    "hausman": _t_hausman,
    "regression": _t_regression,
    "robustness": _t_robustness,
    "clustered_vs_ordinary": _t_clustered,
    "by_entity": _t_by_entity,
    "heterogeneity": _t_heterogeneity,
    "region_interaction": _t_interaction,
    "heteroskedasticity": _t_heteroskedasticity,
    "mediation": _t_mediation,
    "pca_index": _t_pca,
    "threshold": _t_threshold,
}


def run_table(spec: StudySpec, name: str, panel: pd.DataFrame,
              boundaries: Any = None) -> StudyTable:
    """Produce the table `name` of `spec` from the mart rows `panel` (or from a frame
    `prepare_panel` returned). The map and spatial_autocorrelation types draw on
    `boundaries` (a `models_py.spatial.Boundaries`; default: `Boundaries.from_seeds()`, the
    repository's seed polygons). Raises `SpecError` for an unknown table
    or a missing column, ValueError when the data cannot support the table (the message says
    why)."""
    table = spec.table(name)
    df = prepare_panel(spec, panel)
    if table.type in SPATIAL_BUILDERS:
        if boundaries is None:
            # outside the build (a notebook, a test): the repository's seed polygons, with
            # the rules of marts.region_boundaries
            from models_py.spatial import Boundaries

            boundaries = Boundaries.from_seeds()
        return SPATIAL_BUILDERS[table.type](spec, table, df, boundaries)
    return BUILDERS[table.type](spec, table, df)


def run_study(spec: StudySpec, panel: pd.DataFrame,
              boundaries: Any = None) -> dict[str, StudyTable]:
    """Every table of the study, in the specification's order (a notebook convenience;
    the Dagster assets call `run_table` once per table)."""
    df = prepare_panel(spec, panel)
    return {t.name: run_table(spec, t.name, df, boundaries) for t in spec.tables}
