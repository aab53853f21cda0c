"""The indicator catalogue against the printed headers of the standard yearbook tables.

Each header below is printed as in the China City Statistical Yearbook (CCSY) or the China
Statistical Yearbook's 分地区 tables, Chinese or the English row printed under it, with its
unit in brackets. It is split into name and unit by the page reader's `split_name_unit` and
mapped by `normalize_indicators`; the expected code and the value in the canonical unit are
written here by hand (12345 万元 = 1.2345 亿元 since 亿 = 10^4 万; 1234567 千美元 =
123456.7 万美元), not read from the catalogue.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from orchestration.ingest import schema
from orchestration.ingest.indicators import (
    load_aliases,
    load_catalogue,
    normalize_indicators,
    text_key,
)
from orchestration.ingest.layout import split_name_unit

ROOT = Path(__file__).resolve().parents[2]
PANELS_MACROS = ROOT / "dbt_project" / "macros" / "panels.sql"

# (printed header, value as printed, expected code, expected value in the canonical unit)
HEADERS: list[tuple[str, float, str, float]] = [
    # GDP and its structure
    ("地区生产总值（万元）", 12345.0, "gdp", 1.2345),
    ("Gross Regional Product (10000 yuan)", 12345.0, "gdp", 1.2345),
    ("第一产业增加值（万元）", 2500000.0, "gdp_primary", 250.0),
    ("Value Added of Secondary Industry (10000 yuan)", 3456789.0, "gdp_secondary", 345.6789),
    ("第三产业增加值占GDP比重（%）", 52.3, "gdp_share_tertiary", 52.3),
    ("Primary Industry as Percentage to GRP (%)", 8.1, "gdp_share_primary", 8.1),
    ("人均地区生产总值（元）", 65000.0, "gdp_per_capita", 65000.0),
    ("Per Capita GRP (yuan)", 65000.0, "gdp_per_capita", 65000.0),
    # population
    ("年末户籍人口（万人）", 450.5, "population", 450.5),
    ("Registered Population at Year-end (10 000 persons)", 450.5, "population", 450.5),
    ("年末常住人口（万人）", 2171.0, "population_resident", 2171.0),
    # employment and wages
    ("年末单位从业人员数（万人）", 120.25, "employment_total", 120.25),
    ("Number of Employed Persons in Units at Year-end (10000 persons)", 120.25,
     "employment_total", 120.25),
    ("第二产业从业人员比重（%）", 41.2, "employment_share_secondary", 41.2),
    ("信息传输、计算机服务和软件业从业人员（万人）", 1.5, "employment_ict", 1.5),
    ("信息传输、软件和信息技术服务业从业人员（万人）", 1.5, "employment_ict", 1.5),
    ("建筑业从业人员（万人）", 12.0, "employment_construction", 12.0),
    ("年末单位从业人员-制造业（万人）", 20.5, "employment_manufacturing", 20.5),
    ("在岗职工平均工资（元）", 85000.0, "wage_avg", 85000.0),
    ("Average Wage of Employed Staff and Workers (yuan)", 85000.0, "wage_avg", 85000.0),
    # public budget
    ("地方一般公共预算收入（万元）", 3456789.0, "fiscal_revenue", 345.6789),
    ("地方财政一般预算内收入（万元）", 3456789.0, "fiscal_revenue", 345.6789),
    ("Local General Public Budget Revenue (10000 yuan)", 3456789.0, "fiscal_revenue", 345.6789),
    ("地方一般公共预算支出（万元）", 7000000.0, "fiscal_expenditure", 700.0),
    ("地方财政一般预算内支出（万元）", 7000000.0, "fiscal_expenditure", 700.0),
    ("Local General Public Budget Expenditure (10000 yuan)", 7000000.0,
     "fiscal_expenditure", 700.0),
    ("科学技术支出（万元）", 50000.0, "fiscal_expenditure_st", 5.0),
    ("教育支出（万元）", 150000.0, "fiscal_expenditure_education", 15.0),
    # post and telecommunications
    ("邮政业务总量（万元）", 12345.0, "postal_business", 1.2345),
    ("电信业务收入（万元）", 12345.0, "telecom_revenue", 1.2345),
    ("电信业务总量（万元）", 12345.0, "telecom_business", 1.2345),
    ("年末移动电话用户数（万户）", 850.3, "mobile_users", 850.3),
    ("Mobile Telephone Subscribers (10000 subscribers)", 850.3, "mobile_users", 850.3),
    ("互联网宽带接入用户数（万户）", 210.7, "broadband_users", 210.7),
    ("Internet Broadband Access Subscribers (10000 households)", 210.7,
     "broadband_users", 210.7),
    ("固定电话用户（万户）", 95.0, "fixed_phone_users", 95.0),
    # innovation
    ("专利授权数（件）", 1234.0, "patents_granted", 1234.0),
    ("发明专利申请数（件）", 567.0, "patent_applications_invention", 567.0),
    ("R&D经费内部支出（万元）", 12345.0, "rd_expenditure", 1.2345),
    ("R&D人员（人）", 4321.0, "rd_personnel", 4321.0),
    ("Full-time Equivalent of R&D Personnel (person-years)", 3210.0, "rd_personnel_fte", 3210.0),
    # openness, consumption, investment, finance
    ("当年实际使用外资金额（万美元）", 45678.0, "foreign_capital_used", 45678.0),
    ("Foreign Capital Actually Utilized (USD 10000)", 45678.0, "foreign_capital_used", 45678.0),
    ("货物进出口总额（千美元）", 1234567.0, "trade_total", 123456.7),
    ("社会消费品零售总额（万元）", 12345.0, "retail_sales", 1.2345),
    ("Total Retail Sales of Consumer Goods (100 million yuan)", 1.2345, "retail_sales", 1.2345),
    ("固定资产投资（不含农户）（万元）", 12345.0, "fixed_asset_investment_excl_rural", 1.2345),
    ("年末金融机构人民币各项存款余额（万元）", 12345.0, "deposits", 1.2345),
    # land and public services
    ("人口密度（人/平方公里）", 850.0, "population_density", 850.0),
    ("Population Density (persons/sq.km)", 850.0, "population_density", 850.0),
    ("医院床位数（张）", 3000.0, "hospital_beds", 3000.0),
]


def _frame(rows: list[tuple[str | None, str | None, float]]) -> pd.DataFrame:
    """Reader-shaped rows (indicator_name, unit, value); row i sits in spreadsheet row i + 4."""
    return pd.DataFrame([
        {
            "source_file": "city_yearbook/ccsy_2021.xlsx", "source_sha256": "cd" * 32,
            "sheet": "2-1", "source_row": i + 4, "source_col": 2, "year": 2020,
            "region_name": "石家庄市", "indicator_name": name, "unit": unit, "scope": "全市",
            "value_text": f"{value:g}", "value": value,
        }
        for i, (name, unit, value) in enumerate(rows)
    ], columns=schema.CITY_YEARBOOK_VALUES)


def test_printed_headers_resolve_and_convert():
    rows = [(*split_name_unit(header), value) for header, value, _, _ in HEADERS]
    assert all(unit is not None for _, unit, _ in rows), "every header prints its unit"
    normalized, quarantine = normalize_indicators(_frame(rows))

    assert quarantine["reason"].tolist() == []
    assert normalized["source_row"].tolist() == [i + 4 for i in range(len(HEADERS))]
    got = list(zip(normalized["indicator_code"], normalized["value_canonical"], strict=True))
    expected = [(code, canonical) for _, _, code, canonical in HEADERS]
    for (header, *_), g, e in zip(HEADERS, got, expected, strict=True):
        assert g == e, header
    assert (normalized["source_preference"] == 1).all()


def test_units_a_conversion_cannot_bridge_are_quarantined_not_guessed():
    normalized, quarantine = normalize_indicators(_frame([
        # a per-person unit is another dimension than the printed 元 of the catalogue
        (*split_name_unit("人均地区生产总值（元/人）"), 65000.0),
        # trade printed in 元 would need an exchange rate
        (*split_name_unit("货物进出口总额（万元）"), 100.0),
        # a bare section name is printed in many tables (employment, investment, value
        # added): it is deliberately no alias
        (*split_name_unit("制造业（万人）"), 20.5),
    ]))
    assert normalized.empty
    assert quarantine["reason"].tolist() == [
        "unit '元/人' cannot be converted to 元 (currency_cny_per_person, not currency_cny); "
        "indicator gdp_per_capita",
        "unit '万元' cannot be converted to 万美元 (currency_cny, not currency_usd); "
        "indicator trade_total",
        "unknown indicator '制造业'",
    ]


def test_every_catalogue_name_resolves_to_its_own_code():
    catalogue = load_catalogue()
    rows = [(name, unit, 1.0) for name, unit in zip(
        catalogue["name_zh"], catalogue["canonical_unit"], strict=True)]
    normalized, quarantine = normalize_indicators(_frame(rows))
    assert quarantine["reason"].tolist() == []
    assert normalized["indicator_code"].tolist() == catalogue["code"].tolist()


def test_the_nineteen_sections_of_urban_unit_employment_are_catalogued():
    # GB/T 4754-2011 sections A-S as the CCSY employment-by-industry table prints them
    sections = [
        "农、林、牧、渔业", "采矿业", "制造业", "电力、热力、燃气及水生产和供应业", "建筑业",
        "批发和零售业", "交通运输、仓储和邮政业", "住宿和餐饮业", "信息传输、软件和信息技术服务业",
        "金融业", "房地产业", "租赁和商务服务业", "科学研究和技术服务业",
        "水利、环境和公共设施管理业", "居民服务、修理和其他服务业", "教育", "卫生和社会工作",
        "文化、体育和娱乐业", "公共管理、社会保障和社会组织",
    ]
    rows = [(f"{s}从业人员", "万人", 1.0) for s in sections]
    rows += [(f"年末单位从业人员-{s}", "万人", 1.0) for s in sections]
    normalized, quarantine = normalize_indicators(_frame(rows))
    assert quarantine["reason"].tolist() == []
    codes = normalized["indicator_code"].tolist()
    assert codes[:19] == codes[19:]
    assert len(set(codes)) == 19 and all(c.startswith("employment_") for c in codes)


def test_english_header_aliases_are_all_reachable_and_units_convertible():
    """Every alias resolves to its own code (no two aliases of one text in one scope), and
    the unit it is usually printed in converts to the canonical unit."""
    aliases = load_aliases()
    unscoped = aliases[(aliases["alias_kind"] == "name") & (aliases["source_pattern"] == "")]
    rows = [(a, u, 1.0) for a, u in zip(unscoped["alias"], unscoped["unit_printed"], strict=True)]
    normalized, quarantine = normalize_indicators(_frame(rows))
    assert quarantine["reason"].tolist() == []
    assert normalized["indicator_code"].tolist() == unscoped["indicator_code"].tolist()
    assert unscoped["alias"].map(text_key).is_unique


def _macro_list(name: str) -> list[str]:
    text = PANELS_MACROS.read_text(encoding="utf-8")
    body = re.search(rf"{{% macro {name}\(\) %}}(.*?){{% endmacro %}}", text, re.S)
    assert body is not None, name
    return re.findall(r"'([a-z0-9_]+)'", body.group(1))


@pytest.mark.parametrize("macro", ["city_panel_indicators", "province_panel_indicators"])
def test_the_panels_pivot_a_fixed_list_not_the_whole_catalogue(macro):
    """marts.city_panel / province_panel have one column per code of their macro (with a
    contract and GX suite), so catalogue growth adds rows to the long intermediate tables,
    not columns to the marts. The lists are catalogue codes and far fewer than the catalogue."""
    listed = _macro_list(macro)
    codes = set(load_catalogue()["code"])
    assert listed and set(listed) <= codes
    assert len(listed) < len(codes)
    assert not np.isin(["gdp_per_capita", "wage_avg", "fiscal_revenue"], listed).any()
