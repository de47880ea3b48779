"""Explanations: the SQL models and the breakdown on a few rows, Pareto and mix/rate invariants, the demo's figures."""

from __future__ import annotations

import unicodedata

import duckdb
import pandas as pd
import pytest

from analytics.units import UnitError, resolve_unit
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.db import apply_schema, connect_read_only
from analytics.analyses.explain import (
    breakdown_records,
    component_breakdown,
    department_shortfall,
    ensure_models,
    mix_rate_split,
    pareto_shares,
    shift_share,
    shortfall_pareto,
    subindicator_breakdown,
)

UNIT = "so cong thuong"
QLTM = "Phòng Quản lý Thương mại"


# --- a few rows in an in-memory database ------------------------------------------------------------

def memory_db() -> duckdb.DuckDBPyConnection:
    """An empty analytics database in memory with Sở Công Thương as its one unit."""
    con = duckdb.connect()
    apply_schema(con)
    con.execute("INSERT INTO units (unit_id, display_name, unit_level) VALUES (?, ?, ?)",
                [UNIT, "Sở Công Thương", "department"])
    return con


def insert(con, table: str, **values) -> None:
    """Insert one row (lineage columns defaulted); column names come from the test, values are bound."""
    values = {"illustrative": True, "source_file": "test.csv", "ingest_id": 1, **values}
    columns = ", ".join(values)
    marks = ", ".join("?" for _ in values)
    con.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", list(values.values()))


def filing(con, period: str, source: str, code: str | None, name: str | None = None, *, online=0, in_person=0,
           postal=0, carried=0, early=0, on_time=0, late=0, within=0, overdue=0, digitized=0, electronic=0,
           reused=0, fee=0, paid=0, synced=0, feedback=0, feedback_on_time=0, feedback_satisfied=0,
           department=None, unit_id=UNIT, **lineage) -> None:
    """One filing_counts row whose totals follow the template's invariants."""
    insert(con, "filing_counts", period=period, unit_id=unit_id, procedure_code=code, procedure_name=name,
           department=department, count_source=source,
           received_total=online + in_person + postal + carried, received_online=online,
           received_in_person=in_person, received_postal=postal, carried_over=carried,
           resolved_total=early + on_time + late, resolved_early=early, resolved_on_time=on_time, resolved_late=late,
           pending_total=within + overdue, pending_within_time=within, pending_overdue=overdue,
           digitized_components=digitized, electronic_results=electronic, reused_data=reused, fee_filings=fee,
           online_payments=paid, synced_filings=synced, feedback_total=feedback, feedback_on_time=feedback_on_time,
           feedback_satisfied=feedback_satisfied, **lineage)


def catalog(con, code: str, name: str, department: str = QLTM, service_level: str = "Toàn trình",
            has_fee: bool = False, published=(5, "working_days"), configured=(5, "working_days"),
            unit_id: str = UNIT) -> None:
    """One procedure_catalog row."""
    insert(con, "procedure_catalog", unit_id=unit_id, procedure_code=code, procedure_name=name,
           department=department, service_level=service_level, has_fee=has_fee,
           published_time=published[0], published_time_unit=published[1],
           configured_time=configured[0], configured_time_unit=configured[1])


def rows(con, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


# --- stg_filing_counts --------------------------------------------------------------------------------

def test_stg_filing_counts_fills_codes_by_folded_name_and_keeps_the_preferred_file():
    con = memory_db()
    catalog(con, "1.000001", "Thông báo hoạt động khuyến mại")
    catalog(con, "1.000002", "Cấp giấy phép bán lẻ rượu", department="Phòng Quản lý Công nghiệp")
    catalog(con, "1.000003", "Cấp lại giấy phép")  # two entries share this name: ambiguous
    catalog(con, "1.000004", "Cấp lại giấy phép")
    shouting_nfd = unicodedata.normalize("NFD", "THÔNG BÁO  HOẠT ĐỘNG KHUYẾN MẠI ")
    filing(con, "2024Q3", "own", None, shouting_nfd, online=7, carried=1, early=6, within=2, row_number=9)
    filing(con, "2024Q3", "own", None, "Cấp lại giấy phép", online=2, early=2)
    # the same procedure counted by three files: published beats illustrative, then the latest ingest
    filing(con, "2024Q3", "portal", "1.000002", online=5, early=5, ingest_id=1)
    filing(con, "2024Q3", "portal", "1.000002", online=4, in_person=3, early=5, late=1, overdue=1, ingest_id=2,
           illustrative=False)
    filing(con, "2024Q3", "portal", "1.000002", online=9, early=9, ingest_id=3)
    got = rows(con, """
        SELECT period, count_source, procedure_code, department, procedure_code_source, name_key,
               received_total, received_new, on_time_filings, overdue_filings, ingest_id
        FROM stg_filing_counts ORDER BY count_source, procedure_code NULLS LAST""")
    assert got == [
        ("2024Q3", "own", "1.000001", QLTM, "catalog", "thong bao hoat dong khuyen mai", 8, 7, 8, 0, 1),
        ("2024Q3", "own", None, None, None, "cap lai giay phep", 2, 2, 2, 0, 1),
        ("2024Q3", "portal", "1.000002", "Phòng Quản lý Công nghiệp", "file", None, 7, 7, 5, 2, 2),
    ]


def test_mart_procedure_filings_prefers_portal_counts_and_reads_the_service_level():
    con = memory_db()
    catalog(con, "1.000001", "Thủ tục A", service_level="Toàn trình", has_fee=True)
    catalog(con, "1.000002", "Thủ tục B", service_level="Một phần")
    catalog(con, "1.000003", "Thủ tục C", service_level="Dịch vụ công cung cấp thông tin")
    for code in ("1.000001", "1.000002", "1.000003"):
        filing(con, "2024Q1", "own", code, online=1, early=1)
        filing(con, "2024Q2", "own", code, online=1, early=1)
    filing(con, "2024Q2", "portal", "1.000001", in_person=1, early=1)
    filing(con, "2024Q2", "portal", "9.999999", "Ngoài danh mục", in_person=1, early=1)
    got = rows(con, """
        SELECT period, count_source, procedure_code, is_preferred_source, is_online_service, has_fee, in_catalog
        FROM mart_procedure_filings ORDER BY period, count_source, procedure_code""")
    assert got == [
        ("2024Q1", "own", "1.000001", True, True, True, True),
        ("2024Q1", "own", "1.000002", True, True, False, True),
        ("2024Q1", "own", "1.000003", True, False, False, True),
        ("2024Q2", "own", "1.000001", False, True, True, True),
        ("2024Q2", "own", "1.000002", False, True, False, True),
        ("2024Q2", "own", "1.000003", False, False, False, True),
        ("2024Q2", "portal", "1.000001", True, True, True, True),
        ("2024Q2", "portal", "9.999999", True, None, None, False),
    ]
    assert rows(con, "SELECT * FROM mart_unit_catalog") == [(UNIT, 3, 2, 1)]


# --- the breakdown ------------------------------------------------------------------------------------

def small_unit() -> duckdb.DuckDBPyConnection:
    """Two procedures with portal counts in 2024Q2, a third only in the catalogue, a published digitization score."""
    con = memory_db()
    catalog(con, "1.000001", "Thủ tục A", service_level="Toàn trình")
    catalog(con, "1.000002", "Thủ tục B", service_level="Một phần", has_fee=True, department="Thanh tra Sở")
    catalog(con, "1.000003", "Thủ tục C", service_level="Cung cấp thông tin", has_fee=True)
    filing(con, "2024Q2", "portal", "1.000001", online=30, in_person=10, early=20, on_time=15, late=3, within=1,
           overdue=1, digitized=4, electronic=19, synced=40, feedback=2, feedback_on_time=2, feedback_satisfied=1)
    filing(con, "2024Q2", "portal", "1.000002", in_person=10, early=5, on_time=5, digitized=1, fee=10, paid=4,
           synced=10)
    insert(con, "index_scores", period="2024Q2", unit_id=UNIT, component="digitization", score_points=0.22,
           max_points=22, index_version="v2022")
    return con


def test_breakdown_from_filing_counts_scores_each_subindicator_by_the_v2025_rules():
    df = subindicator_breakdown(small_unit(), "2024Q2", "so cong thuong")
    got = {r.code: (r.numerator, r.denominator, r.rate_pct, r.points_recomputed, r.points_at_stake)
           for r in df.itertuples()}
    assert pd.isna(got["PUBLISH_ON_TIME"][0])
    assert got["SO_HOA_GIAY_TO_GIAI_QUYET"] == (5, 50, 10.0, 0.4, 3.6)
    assert got["ORIGINAL_RESULT_AVAILABLE"] == (19, 48, 39.58, 2.38, 3.62)  # 6·19/48 = 2.375 → 2.38 (half-up)
    assert got["REUSED_DIGITIZED_DATA"] == (0, 50, 0.0, 0.0, 2.0)
    assert got["DVC_PROGRESS_ON_TIME"] == (46, 50, 92.0, 18.4, 1.6)  # early + on time + pending within time
    assert got["DOSSIER_SYNC"] == (50, 50, 100.0, 6.0, 0.0)
    assert got["ONLINE_FILING_SHARE"] == (30, 50, 60.0, 6.0, 0.0)  # capped: full at 50 %
    assert got["ONLINE_PROCEDURES"] == (2, 3, 66.67, 1.67, 0.33)  # min(2, 2·(2/3)/0.8)
    assert got["ONLINE_SERVICES_USED"] == (1, 2, 50.0, 2.0, 2.0)  # only A has an online filing
    # payment: 6·40 % + min(2, 2·(1/2)/0.8) + part 3 taken as 0
    assert got["ONLINE_PAYMENT_TOTAL"] == (4, 10, 40.0, 3.65, 6.35)
    assert got["PETITION_PROCESSING_ON_TIME"] == (2, 2, 100.0, 6.0, 0.0)
    assert got["PETITION_HANDLING_SATISFACTION"] == (1, 2, 50.0, 3.0, 3.0)
    assert all(pd.isna(got[c][3]) and pd.isna(got[c][4]) for c in
               ("PUBLISH_ON_TIME", "SYNCED_WITH_DVCQG_PERSONAL_STORAGE", "ELECTRONIC_CERTIFIED_COPY",
                "DOSSIER_RECEIVING_SATISFACTION"))
    assert df["points"].isna().all()  # nothing published per sub-indicator
    assert set(df["source"]) == {"filing counts"} and set(df["count_source"]) == {"portal"}
    assert len(df) == 19  # every scored v2025 sub-indicator, informational ones left out
    digitization = df[df["component"] == "digitization"]
    assert set(digitization["component_points"]) == {0.22}
    assert set(df.loc[df["component"] != "digitization", "component_points"].isna()) == {True}


def test_component_filter_puts_online_payment_under_online_services():
    df = subindicator_breakdown(small_unit(), component="online_services")
    assert list(df["code"]) == ["ONLINE_PROCEDURES", "ONLINE_SERVICES_USED", "ONLINE_FILING_SHARE",
                                "ONLINE_PAYMENT_TOTAL"]
    assert list(df["group"]) == ["online_services"] * 3 + ["online_payment"]
    with pytest.raises(ValueError, match="unknown component"):
        subindicator_breakdown(small_unit(), component="online_payment")


def test_component_breakdown_sums_the_recomputed_points_next_to_the_published_score():
    df = component_breakdown(small_unit(), "2024Q2")
    got = {r.component: (r.points, r.points_recomputed, r.max_points, r.points_at_stake, r.recomputed_complete)
           for r in df.itertuples()}
    assert got["digitization"][1:] == (2.78, 22.0, 21.78, False)  # published 0.22 → 22 − 0.22
    assert got["digitization"][0] == 0.22
    assert got["online_services"][1:] == (13.32, 22.0, 8.68, True)  # unpublished: 22 − recomputed
    assert pd.isna(got["online_services"][0])


def test_unit_text_becomes_an_id_ignoring_case_and_diacritics():
    con = small_unit()
    for text in ("SO CONG THUONG", "công thương", UNIT):
        unit_id = resolve_unit(con, text)
        assert unit_id == UNIT and len(subindicator_breakdown(con, unit_id=unit_id)) == 19
    with pytest.raises(UnitError, match="Sở Tư pháp"):
        resolve_unit(con, "Sở Tư pháp")


def test_portal_units_keep_the_published_points_next_to_the_recomputed_ones():
    con = memory_db()
    con.execute("INSERT INTO units (unit_id, display_name, unit_level) VALUES (?, ?, ?)",
                ["portal:H44.07", "Sở Công Thương - Tỉnh Phú Thọ", "department"])
    common = dict(period="2026Q3", scope="all", unit_id="portal:H44.07", illustrative=False, source_file="p.json")
    insert(con, "portal_metrics", group_key="digitization", code="SO_HOA_GIAY_TO_GIAI_QUYET", numerator=449,
           denominator=1271, ratio_pct=35.33, score_points=1.41, max_points=4, **common)
    insert(con, "portal_metrics", group_key="online_services", code="PROVIDE_ONLINE_TOTAL", score_points=6.66,
           max_points=12, **common)
    insert(con, "portal_metrics", group_key="online_payment", code="ONLINE_PAYMENT_TOTAL", numerator=110,
           denominator=110, score_points=8.0, max_points=10,
           extra_json='{"totalDossierOnlineFormalityPaymentSuccess": 12, "totalFeeDossierFormalityDistinct": 13, '
                      '"totalFeeDossierFormality": 0, "totalFeeFormality": 13}', **common)
    insert(con, "portal_metrics", group_key="satisfaction", code="PETITION_CLASSIFICATION_TTHC", numerator=0,
           denominator=0, max_points=0, **common)
    df = subindicator_breakdown(con, "2026Q3", resolve_unit(con, "phu tho"))
    got = [(r.code, r.numerator, r.points, r.points_recomputed, r.max_points, r.points_at_stake, r.source)
           for r in df.itertuples()]
    assert got[0] == ("SO_HOA_GIAY_TO_GIAI_QUYET", 449, 1.41, 1.41, 4.0, 2.59, "portal")
    assert (got[1][0], got[1][2], got[1][4]) == ("PROVIDE_ONLINE_TOTAL", 6.66, 12.0)
    assert pd.isna(got[1][1]) and pd.isna(got[1][3]) and got[1][5] == 5.34  # a group total without counts: at stake = max − published
    assert got[2] == ("ONLINE_PAYMENT_TOTAL", 110, 8.0, 8.0, 10.0, 2.0, "portal")
    assert len(got) == 3  # the informational sub-indicator is left out


def test_explain_json_records_keep_the_contract():
    records = breakdown_records(subindicator_breakdown(small_unit(), "2024Q2"))
    assert len(records) == 19
    required = {"period", "unit", "code", "label", "numerator", "denominator", "rate_pct", "points",
                "points_recomputed", "max_points", "points_at_stake"}
    assert all(required <= set(r) for r in records)
    so_hoa = next(r for r in records if r["code"] == "SO_HOA_GIAY_TO_GIAI_QUYET")
    assert so_hoa["points"] is None and so_hoa["points_recomputed"] == 0.4 and so_hoa["numerator"] == 5.0
    assert so_hoa["label"] == "Tỷ lệ hồ sơ TTHC thực hiện số hóa hồ sơ" and so_hoa["unit"] == "Sở Công Thương"


# --- Pareto and mix/rate -------------------------------------------------------------------------------

def test_shortfall_pareto_on_a_few_rows():
    con = small_unit()
    df = shortfall_pareto(con, "2024Q2", "so cong thuong", "SO_HOA_GIAY_TO_GIAI_QUYET")
    got = [(r.rank, r.procedure_code, r.department, r.shortfall_filings, r.share_pct, r.cumulative_pct,
            r.in_first_80_pct) for r in df.itertuples()]
    assert got == [(1, "1.000001", QLTM, 36, 80.0, 80.0, True), (2, "1.000002", "Thanh tra Sở", 9, 20.0, 100.0, False)]
    online = shortfall_pareto(con, "2024Q2", "so cong thuong", "ONLINE_FILING_SHARE")
    # 30 of 50 new filings online is 60 %: the share earns full points from 50 %, so nothing is short
    assert online.empty
    with pytest.raises(ValueError, match="not counted per procedure"):
        shortfall_pareto(con, "2024Q2", "so cong thuong", "ONLINE_PROCEDURES")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=10_000), min_size=1, max_size=60))
def test_pareto_shares_reach_100_and_mark_the_vital_few(shortfalls):
    df = pareto_shares(pd.DataFrame({"shortfall_filings": sorted(shortfalls, reverse=True)}))
    assert df["cumulative_pct"].iloc[-1] == 100.0
    assert df["cumulative_pct"].is_monotonic_increasing
    first = df["in_first_80_pct"].tolist()
    assert first[0] and first == sorted(first, reverse=True)  # a prefix
    held = sum(s for s, f in zip(df["shortfall_filings"], first) if f)
    total = sum(shortfalls)
    assert held * 100 >= 80 * total  # the vital few hold at least 80 % …
    assert (held - df["shortfall_filings"][sum(first) - 1]) * 100 < 80 * total  # … and one fewer would not


def test_shift_share_attributes_a_pure_mix_change_to_mix():
    # rates stay 50 % and 0 %; the 50 % procedure grows from half to three quarters of the filings
    split = shift_share([50, 0], [100, 100], [150, 0], [300, 100])
    assert split["mix_effect_pp"].sum() == pytest.approx(12.5)
    assert split["rate_effect_pp"].abs().sum() == pytest.approx(0.0)
    # a procedure new in the second period contributes mix only
    split = shift_share([10, 0], [20, 0], [10, 5], [20, 20])
    assert split["rate_effect_pp"].tolist() == pytest.approx([0.0, 0.0])
    assert split["total_change_pp"].sum() == pytest.approx(100 * (15 / 40 - 10 / 20))
    assert shift_share([0], [0], [1], [2]) is None


@st.composite
def two_periods(draw):
    n = draw(st.integers(min_value=1, max_value=12))
    d0 = draw(st.lists(st.integers(0, 5_000), min_size=n, max_size=n))
    d1 = draw(st.lists(st.integers(0, 5_000), min_size=n, max_size=n))
    n0 = [draw(st.integers(0, d)) for d in d0]
    n1 = [draw(st.integers(0, d)) for d in d1]
    return n0, d0, n1, d1


@settings(max_examples=300, deadline=None)
@given(two_periods())
def test_shift_share_mix_plus_rate_is_the_rate_change(counts):
    n0, d0, n1, d1 = counts
    split = shift_share(n0, d0, n1, d1)
    if sum(d0) == 0 or sum(d1) == 0:
        assert split is None
        return
    change_pp = 100 * (sum(n1) / sum(d1) - sum(n0) / sum(d0))
    assert (split["mix_effect_pp"] + split["rate_effect_pp"]).sum() == pytest.approx(change_pp, abs=1e-9)
    assert split["total_change_pp"].sum() == pytest.approx(change_pp, abs=1e-9)


# --- golden figures on the demo database ---------------------------------------------------------------

@pytest.fixture(scope="module")
def demo(demo_db):
    con = connect_read_only(demo_db)
    ensure_models(con)  # safe on a read-only file
    yield con
    con.close()


def test_demo_digitization_2024q2_is_recomputed_from_the_portal_counts(demo):
    df = subindicator_breakdown(demo, "2024Q2", "so cong thuong", "digitization")
    got = {r.code: (r.numerator, r.denominator, r.rate_pct, r.points_recomputed, r.points_at_stake)
           for r in df.itertuples() if pd.notna(r.numerator)}
    assert got == {
        "ORIGINAL_RESULT_AVAILABLE": (202, 7866, 2.57, 0.15, 5.85),
        "SO_HOA_GIAY_TO_GIAI_QUYET": (133, 8199, 1.62, 0.06, 3.94),
        "REUSED_DIGITIZED_DATA": (40, 8199, 0.49, 0.01, 1.99),
        "SYNCED_WITH_DVCQG_PERSONAL_STORAGE": (0, 8199, 0.0, 0.0, 4.0),
        "CITIZEN_DATA_CONNECTED_DOSSIER": (0, 8199, 0.0, 0.0, 2.0),
        "CITIZEN_DATA_CONNECTED_FORMALITY": (0, 127, 0.0, 0.0, 2.0),
    }
    assert set(df["unit_id"]) == {UNIT}  # Sở Công Thương of Phú Thọ has no 2024Q2 data
    assert set(df["component_points"]) == {0.22}  # published VB 1937/VP-HCC, group level only
    assert round(df["points_recomputed"].sum(), 2) == 0.22  # the illustrative counts give the published score
    assert set(df["source"]) == {"portal"} and df["illustrative"].all()
    assert set(df["count_source"]) == {"portal"} and set(df["index_version"]) == {"v2022"}
    assert df["points"].isna().all()


def test_demo_own_records_of_2024q3_get_their_codes_from_the_catalogue(demo):
    assert rows(demo, """
        SELECT count(*), count(procedure_code), count(department), count(*) FILTER (procedure_code_source = 'catalog')
        FROM stg_filing_counts WHERE period = '2024Q3' AND count_source = 'own'""") == [(127, 127, 127, 127)]
    df = subindicator_breakdown(demo, "2024Q3", "so cong thuong", "online_services", count_source="own")
    share = df[df["code"] == "ONLINE_FILING_SHARE"].iloc[0]
    assert (share.numerator, share.denominator, share.rate_pct, share.points_recomputed) == (6553, 6592, 99.41, 6.0)


def test_demo_digitization_gap_sits_in_the_promotion_notices(demo):
    df = shortfall_pareto(demo, "2024Q2", "so cong thuong", "SO_HOA_GIAY_TO_GIAI_QUYET")
    assert df["procedure_code"].head(3).tolist() == ["2.000304", "1.004302", "1.003298"]
    assert df["shortfall_filings"].head(3).tolist() == [4921, 1571, 182]
    assert df["procedure_name"].iloc[0] == "Thông báo hoạt động khuyến mại"
    assert df["in_first_80_pct"].tolist() == [True, True] + [False] * (len(df) - 2)  # the two notices: 80,49 %
    assert df["cumulative_pct"].iloc[-1] == 100.0
    assert df["shortfall_filings"].sum() == 8199 - 133
    departments = department_shortfall(demo, "2024Q2", "so cong thuong", "SO_HOA_GIAY_TO_GIAI_QUYET")
    assert departments["shortfall_filings"].sum() == 8199 - 133
    assert (departments["department"].iloc[0], departments["shortfall_filings"].iloc[0]) == (QLTM, 7286)
    assert departments["cumulative_pct"].iloc[-1] == 100.0


def test_demo_online_share_change_splits_into_mix_and_rate(demo):
    df = mix_rate_split(demo, "2024Q2", "so cong thuong", "ONLINE_FILING_SHARE")
    total = df[df["level"] == "total"].iloc[0]
    assert total.previous_period == "2024Q1"
    assert (total.rate_previous_pct, total.rate_pct) == (50.71, 36.44)
    assert total.mix_effect_pp + total.rate_effect_pp == pytest.approx(total.total_change_pp, abs=1e-9)
    assert total.total_change_pp == pytest.approx(100 * (2944 / 8080 - 1960 / 3865), abs=1e-4)
    assert (total.mix_effect_pp, total.rate_effect_pp) == (-14.5264, 0.2506)  # more promotion notices: mix
    procedures = df[df["level"] == "procedure"]
    assert procedures["mix_effect_pp"].sum() == pytest.approx(total.mix_effect_pp, abs=0.01)
    assert procedures["rate_effect_pp"].sum() == pytest.approx(total.rate_effect_pp, abs=0.01)
    assert (total.points_previous, total.points, total.points_change) == (6.0, 4.37, -1.63)
    assert (total.mix_effect_points, total.rate_effect_points) == (-1.65, 0.02)
    assert total.mix_effect_points + total.rate_effect_points == pytest.approx(total.points_change, abs=1e-9)


def test_demo_first_quarter_has_no_change_to_split(demo):
    assert mix_rate_split(demo, "2023Q1", "so cong thuong", "SO_HOA_GIAY_TO_GIAI_QUYET").empty
    with pytest.raises(ValueError, match="not counted per procedure"):
        mix_rate_split(demo, "2024Q2", "so cong thuong", "PUBLISH_ON_TIME")


@pytest.mark.parametrize("period", ["2023Q2", "2023Q3", "2023Q4", "2024Q1", "2024Q2", "2024Q3", "2024Q4",
                                    "2025Q1", "2025Q2"])
def test_demo_mix_plus_rate_is_the_change_every_quarter(demo, period):
    df = mix_rate_split(demo, period, "so cong thuong", "SO_HOA_GIAY_TO_GIAI_QUYET")
    total = df[df["level"] == "total"].iloc[0]
    change_pp = 100 * (total.numerator / total.denominator - total.numerator_previous / total.denominator_previous)
    assert total.mix_effect_pp + total.rate_effect_pp == pytest.approx(change_pp, abs=1e-3)
    assert (df.loc[df["level"] == "procedure", "mix_effect_pp"]
            + df.loc[df["level"] == "procedure", "rate_effect_pp"]).sum() == pytest.approx(change_pp, abs=0.01)
