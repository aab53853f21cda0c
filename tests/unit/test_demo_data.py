"""The synthetic demo world: deterministic, internally consistent, with the stated effects."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from linearmodels import PanelOLS

from orchestration.demo import city as demo_data
from orchestration.demo import write_demo_data
from tests.conftest import ROOT

# The CNIPA 2023 table as the pipeline uses it: the seed is the reference collection's
# cnipa_2023_digital_core_ipc_long.csv (same rows and columns) and test_ipc_digital_core_seed
# checks it entry by entry against the table in the official PDF.
CNIPA = ROOT / "dbt_project" / "seeds" / "ref_ipc_digital_core.csv"


CITY_IN_ADDRESS = r"^.+?(?:省|自治区)(.+?(?:市|地区|自治州|盟))"


@pytest.fixture(scope="module")
def demo() -> demo_data.DemoData:
    return demo_data.simulate()


def test_same_seed_same_world(demo) -> None:
    again = demo_data.simulate()
    pd.testing.assert_frame_equal(demo.truth, again.truth)
    pd.testing.assert_frame_equal(demo.patents, again.patents)
    other = demo_data.simulate(seed=1)
    assert not np.allclose(other.truth["integrated_share"], demo.truth["integrated_share"])


def test_default_size_and_no_clipping(demo) -> None:
    assert len(demo.truth) == demo_data.DEFAULT_CITIES * len(demo_data.YEARS)
    assert demo.truth["city_code"].nunique() == demo_data.DEFAULT_CITIES
    assert (demo.truth["digital_inventions_clipped"] == 0).all()
    assert demo.patents["申请号"].is_unique


def test_patent_records_add_up_to_the_truth(demo) -> None:
    """Classify the generated records independently (by the code lists) and recount."""
    codes = demo.patents["IPC分类号"].str.split(";")
    digital = codes.map(lambda cs: any(c in demo_data.DIGITAL_IPC for c in cs))
    real = codes.map(lambda cs: any(c in demo_data.REAL_IPC for c in cs))
    frame = pd.DataFrame({
        "city_name": demo.patents["申请人地址"].str.extract(CITY_IN_ADDRESS)[0],
        "year": demo.patents["申请日"].str[:4].astype(int),
        "digital": digital, "integrated": digital & real,
        "digital_invention": digital & (demo.patents["专利类型"] == "发明"),
    })
    counts = frame.groupby(["city_name", "year"]).agg(
        patents=("digital", "size"), digital_patents=("digital", "sum"),
        integrated_patents=("integrated", "sum"),
        digital_invention_patents=("digital_invention", "sum"),
    ).reset_index()
    merged = demo.truth.merge(counts, on=["city_name", "year"], suffixes=("", "_counted"))
    assert len(merged) == len(demo.truth)
    for column in ["patents", "digital_patents", "integrated_patents",
                   "digital_invention_patents"]:
        assert (merged[column] == merged[f"{column}_counted"]).all(), column
    np.testing.assert_allclose(merged["integrated_share"],
                               merged["integrated_patents"] / merged["patents"])


def _twfe(truth: pd.DataFrame, formula: str):
    data = truth.set_index(["city_code", "year"])
    return PanelOLS.from_formula(f"{formula} + EntityEffects + TimeEffects", data).fit(
        cov_type="clustered", cluster_entity=True
    )


def test_dgp_has_the_stated_effects(demo) -> None:
    """On the true panel (no measurement pipeline), linearmodels recovers a, b, c' and c
    within 4 clustered standard errors."""
    controls = "ln_pgdp + gov + ln_population"
    effects = demo_data.TRUE_EFFECTS
    a = _twfe(demo.truth, f"ln_digital_invention ~ integrated_share + {controls}")
    assert abs(a.params["integrated_share"] - effects["a_integration_on_digital_inventions"]) < (
        4 * a.std_errors["integrated_share"])
    full = _twfe(demo.truth,
                 f"ln_sei_revenue ~ integrated_share + ln_digital_invention + {controls}")
    assert abs(full.params["ln_digital_invention"] - effects["b_digital_inventions_on_sei"]) < (
        4 * full.std_errors["ln_digital_invention"])
    assert abs(full.params["integrated_share"] - effects["c_direct_integration_on_sei"]) < (
        4 * full.std_errors["integrated_share"])
    total = _twfe(demo.truth, f"ln_sei_revenue ~ integrated_share + {controls}")
    assert abs(total.params["integrated_share"] - demo_data.TRUE_TOTAL_EFFECT) < (
        4 * total.std_errors["integrated_share"])
    # Without the controls the estimate is biased upward, as the DGP intends.
    naive = _twfe(demo.truth, "ln_sei_revenue ~ integrated_share")
    assert naive.params["integrated_share"] - demo_data.TRUE_TOTAL_EFFECT > 4 * naive.std_errors[
        "integrated_share"]


def test_demo_ipc_codes_agree_with_the_cnipa_table() -> None:
    """Digital codes fall under a CNIPA 2023 entry; real-economy codes' subclasses are absent."""
    table = pd.read_csv(CNIPA, dtype=str)
    prefixes = table["ipc_prefix"].str.replace(" ", "")
    subclasses = set(prefixes.str[:4])
    for code in demo_data.DIGITAL_IPC:
        sub, group = code.split(" ")
        main_group = group.split("/")[0]
        assert ((prefixes == sub) | (prefixes == sub + main_group)
                | (prefixes == sub + group)).any(), code
    for code in demo_data.REAL_IPC:
        assert code[:4] not in subclasses, code


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="scale"):
        demo_data.simulate(scale=0)
    with pytest.raises(ValueError, match="n_cities"):
        demo_data.simulate(n_cities=10_000)


def test_written_files_have_synthetic_sidecars(tmp_path) -> None:
    files = write_demo_data(tmp_path / "landing", tmp_path / "truth.csv", n_cities=5)
    assert len(files.yearbooks) == len(demo_data.YEARS)
    for path in [*files.yearbooks, files.patents]:
        sidecar = path.with_name(path.name + ".meta.yml").read_text(encoding="utf-8")
        assert "synthetic: true" in sidecar
    truth = pd.read_csv(files.truth)
    assert len(truth) == 5 * len(demo_data.YEARS) == files.n_city_years
