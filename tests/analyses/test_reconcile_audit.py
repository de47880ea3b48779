"""Own records vs the portal, and the deadline audit: SQL models on a few rows, then the demo's published facts."""

from __future__ import annotations

import functools

import pandas as pd
import pytest

from analytics.labels import labelled
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics.analyses.audit import deadline_mismatches
from analytics.analyses.reconcile import own_vs_portal, reconciliation_summary
from test_explain import catalog, filing, memory_db, rows

PROMOTION_NOTICE = "2.000304"  # Thông báo hoạt động khuyến mại
PROMOTION_CHANGE_NOTICE = "1.004302"  # Thông báo sửa đổi, bổ sung nội dung chương trình khuyến mại
MISCONFIGURED = {"1.001080", "1.010236", "1.004538", "1.003298", "1.006190", "1.001163"}


# --- own vs portal on a few rows ------------------------------------------------------------------------

def two_sources():
    con = memory_db()
    catalog(con, "1.000001", "Thủ tục A")
    catalog(con, "1.000002", "Thủ tục B", department="Thanh tra Sở")
    catalog(con, "1.000003", "Thủ tục C")
    filing(con, "2024Q1", "own", "1.000001", online=10, early=10)
    filing(con, "2024Q1", "own", None, "THỦ TỤC B", online=5, early=5)  # names only: code from the catalogue
    filing(con, "2024Q1", "portal", "1.000001", online=2, in_person=8, early=5, late=2, within=2, overdue=1)
    filing(con, "2024Q1", "portal", "1.000002", online=5, early=5)
    filing(con, "2024Q1", "portal", "1.000003", online=1, early=1)  # the own records miss it
    return con


def test_mart_own_vs_portal_pairs_procedures_and_ranks_the_differences():
    got = rows(two_sources(), """
        SELECT measure, difference_rank, procedure_code, department, own_count, portal_count, difference_count
        FROM mart_own_vs_portal ORDER BY measure, difference_rank""")
    assert got == [
        ("filings", 1, "1.000001", "Phòng Quản lý Thương mại", 10, 10, 0),
        ("filings", 2, "1.000002", "Thanh tra Sở", 5, 5, 0),
        ("filings", 3, "1.000003", "Phòng Quản lý Thương mại", None, 1, None),
        ("online_filings", 1, "1.000001", "Phòng Quản lý Thương mại", 10, 2, -8),
        ("online_filings", 2, "1.000002", "Thanh tra Sở", 5, 5, 0),
        ("online_filings", 3, "1.000003", "Phòng Quản lý Thương mại", None, 1, None),
        ("overdue_filings", 1, "1.000001", "Phòng Quản lý Thương mại", 0, 3, 3),
        ("overdue_filings", 2, "1.000002", "Thanh tra Sở", 0, 0, 0),
        ("overdue_filings", 3, "1.000003", "Phòng Quản lý Thương mại", None, 0, None),
    ]


def test_own_vs_portal_and_its_summary_on_a_few_rows():
    con = two_sources()
    df = labelled(own_vs_portal(con, "2024Q1", "so cong thuong", measure="online_filings"))
    assert list(df["procedure_code"]) == ["1.000001", "1.000002", "1.000003"]
    assert df["difference_count"].tolist()[:2] == [-8, 0] and pd.isna(df["difference_count"].iloc[2])
    assert set(df["unit"]) == {"Sở Công Thương"} and set(df["measure_label"]) == {"Hồ sơ nộp trực tuyến"}
    summary = labelled(reconciliation_summary(con), "en")
    got = [(r.measure, r.own_count, r.portal_count, r.procedures_differing_count, r.largest_difference_procedure_code,
            r.largest_difference_count) for r in summary.itertuples()]
    # own totals are unknown (not 0) where the own records miss a procedure the portal counted
    assert [(g[0], pd.isna(g[1]), g[2], g[3], None if pd.isna(g[4]) else g[4], g[5]) for g in got] == [
        ("filings", True, 16, 1, None, 0),  # 1.000003 is counted by the portal only
        ("online_filings", True, 8, 2, "1.000001", -8),
        ("overdue_filings", True, 3, 2, "1.000001", 3),
    ]
    assert summary["measure_label"].tolist()[1] == "Filings submitted online"
    with pytest.raises(ValueError, match="unknown measure"):
        own_vs_portal(con, measure="late_filings")


@st.composite
def paired_counts(draw):
    n = draw(st.integers(min_value=1, max_value=8))
    own = draw(st.lists(st.integers(0, 500), min_size=n, max_size=n))
    portal = draw(st.lists(st.integers(0, 500), min_size=n, max_size=n))
    return own, portal


def test_a_period_counted_by_one_source_only_has_unknown_differences():
    con = memory_db()
    filing(con, "2024Q4", "own", "1.000001", online=4, early=4)
    summary = reconciliation_summary(con, "2024Q4")
    got = summary.loc[summary["measure"] == "online_filings"].iloc[0]
    assert (got.own_count, pd.isna(got.portal_count), pd.isna(got.difference_count)) == (4, True, True)
    assert pd.isna(got.largest_difference_procedure_code) and got.procedures_differing_count == 1


@functools.cache
def reusable_db():
    """One in-memory database for every hypothesis example (its filing rows are replaced each time)."""
    return memory_db()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(paired_counts())
def test_differences_add_up_and_ranks_follow_the_absolute_difference(counts):
    own, portal = counts
    con = reusable_db()
    con.execute("DELETE FROM filing_counts")
    for i, (o, p) in enumerate(zip(own, portal)):
        code = f"1.{i:06d}"
        filing(con, "2024Q2", "own", code, online=o, early=o)
        filing(con, "2024Q2", "portal", code, online=p, early=p)
    df = own_vs_portal(con, "2024Q2", measure="online_filings")
    assert int(df["difference_count"].sum()) == sum(portal) - sum(own)
    assert df["difference_rank"].tolist() == list(range(1, len(own) + 1))
    assert df["abs_difference_count"].is_monotonic_decreasing
    summary = reconciliation_summary(con, "2024Q2")
    online = summary[summary["measure"] == "online_filings"].iloc[0]
    assert (online.own_count, online.portal_count, online.difference_count) == (sum(own), sum(portal), sum(portal) - sum(own))


# --- deadline audit on a few rows -------------------------------------------------------------------------

def test_mart_deadline_mismatches_compares_deadlines_in_working_hours():
    con = memory_db()
    catalog(con, "1.000001", "A", published=(15, "working_days"), configured=(15, "days"))
    catalog(con, "1.000002", "B", published=(10, "working_days"), configured=(80, "hours"))
    catalog(con, "1.000003", "C", published=(8, "hours"), configured=(1, "days"))
    catalog(con, "1.000004", "D", published=(5, "working_days"), configured=(5, "working_days"))
    catalog(con, "1.000005", "E", published=(2, "days"), configured=(3, "working_days"))
    catalog(con, "1.000006", "F", published=(None, None), configured=(3, "working_days"))
    got = rows(con, """
        SELECT procedure_code, published_hours, configured_hours, difference_hours, mismatch
        FROM mart_deadline_mismatches ORDER BY procedure_code""")
    assert got == [
        ("1.000001", 120.0, 85.71, -34.29, "too_short"),  # 15 days = 15·5/7 working days
        ("1.000002", 80.0, 80.0, 0.0, "unit_differs"),
        ("1.000003", 8.0, 5.71, -2.29, "too_short"),  # 1 day = 5/7 · 8 working hours
        ("1.000005", 11.43, 24.0, 12.57, "too_long"),
    ]


def test_deadline_mismatches_count_the_overdue_filings_of_each_procedure():
    con = memory_db()
    catalog(con, "1.000001", "Cấp giấy phép bán lẻ rượu", published=(10, "working_days"), configured=(80, "hours"))
    catalog(con, "1.000002", "Thủ tục đúng", published=(5, "working_days"), configured=(5, "working_days"))
    for period, late in (("2024Q1", 3), ("2024Q2", 2)):
        filing(con, period, "portal", "1.000001", online=10, early=10 - late, late=late)
        filing(con, period, "own", "1.000001", online=10, early=10)
        filing(con, period, "portal", "1.000002", online=4, early=3, overdue=1)
    every = labelled(deadline_mismatches(con, "so cong thuong"))
    got = [(r.procedure_code, r.published_deadline, r.configured_deadline, r.mismatch, r.mismatch_label,
            r.portal_overdue_filings, r.own_overdue_filings, r.portal_filings, r.portal_overdue_share_pct,
            r.period_from, r.period_to) for r in every.itertuples()]
    assert got == [("1.000001", "10 ngày làm việc", "80 giờ", "unit_differs", "Khác đơn vị thời hạn", 5, 0, 20,
                    round(100 * 5 / 7, 2), "2024Q1", "2024Q2")]
    q1 = labelled(deadline_mismatches(con, period="2024Q1"), "en").iloc[0]
    assert (q1.portal_overdue_filings, q1.portal_overdue_share_pct, q1.configured_deadline, q1.period_to) == (
        3, 75.0, "80 hours", "2024Q1")


# --- golden figures on the demo database ----------------------------------------------------------------

def test_demo_2024q1_overdue_own_0_vs_portal_83(demo):
    summary = reconciliation_summary(demo, "2024Q1", "so cong thuong")
    overdue = summary[summary["measure"] == "overdue_filings"].iloc[0]
    assert (overdue.own_count, overdue.portal_count, overdue.difference_count) == (0, 83, 83)  # VB 1238/VP-HCC
    filings = summary[summary["measure"] == "filings"].iloc[0]
    assert (filings.own_count, filings.portal_count, filings.difference_count) == (3928, 3928, 0)


def test_demo_2023q3_own_records_say_every_filing_was_online(demo):
    summary = reconciliation_summary(demo, "2023Q3", "so cong thuong").set_index("measure")
    assert summary.loc["filings", "own_count"] == 9436 and summary.loc["online_filings", "own_count"] == 9436
    assert summary.loc["online_filings", "portal_count"] == 2287


def test_demo_promotion_notices_top_the_online_difference_every_quarter(demo):
    df = own_vs_portal(demo, unit_id="so cong thuong", measure="online_filings")
    top = df[df["difference_rank"] <= 2]
    assert top["period"].nunique() == 10
    for _, two in top.groupby("period"):
        assert two["procedure_code"].tolist() == [PROMOTION_NOTICE, PROMOTION_CHANGE_NOTICE]
        assert (two["difference_count"] < 0).all()  # the portal counts them as in person
    summary = reconciliation_summary(demo, unit_id="so cong thuong")
    online = summary[summary["measure"] == "online_filings"]
    assert set(online["largest_difference_procedure"]) == {"Thông báo hoạt động khuyến mại"}
    differing = dict(zip(online["period"], online["procedures_differing_count"]))
    # in the two quarters with published scores the portal counts online filings of only 20 procedures
    assert (differing.pop("2024Q1"), differing.pop("2024Q2")) == (91, 87)
    assert set(differing.values()) == {2}
    q1 = online[online["period"] == "2024Q1"].iloc[0]
    assert (q1.own_count, q1.portal_count, q1.largest_difference_count, q1.largest_difference_share_pct) == (
        3770, 1960, -914, 50.5)


def test_demo_six_misconfigured_procedures_hold_every_portal_overdue_filing(demo):
    df = labelled(deadline_mismatches(demo, "so cong thuong", "2024Q1"))
    assert set(df["procedure_code"]) == MISCONFIGURED
    assert sorted(df["mismatch"]) == ["too_short"] * 5 + ["unit_differs"]
    assert int(df["portal_overdue_filings"].sum()) == 83 and int(df["own_overdue_filings"].sum()) == 0
    assert df["portal_overdue_share_pct"].sum() == pytest.approx(100.0, abs=0.02)
    first = df.iloc[0]
    assert (first.procedure_code, first.portal_overdue_filings, first.published_deadline, first.configured_deadline) == (
        "1.003298", 32, "20 ngày làm việc", "20 ngày")
    liquor = df[df["procedure_code"] == "1.001080"].iloc[0]
    assert (liquor.published_hours, liquor.configured_hours, liquor.mismatch) == (80.0, 80.0, "unit_differs")


@pytest.mark.parametrize("period", ["2023Q1", "2023Q4", "2024Q2", "2024Q3", "2025Q2"])
def test_demo_every_quarters_portal_overdue_sits_in_the_misconfigured_procedures(demo, period):
    audit = deadline_mismatches(demo, "so cong thuong", period)
    summary = reconciliation_summary(demo, period, "so cong thuong").set_index("measure")
    assert int(audit["portal_overdue_filings"].sum()) == summary.loc["overdue_filings", "portal_count"] > 0
    assert summary.loc["overdue_filings", "own_count"] == 0


def test_the_causes_of_own_records_exceeding_the_portal_and_the_points_each_recovers(demo):
    from analytics.analyses.reconcile import candidate_causes
    from analytics.labels import labelled

    causes = labelled(candidate_causes(demo, "2024Q2", "so cong thuong")).set_index("cause")
    separate = causes.loc["separate_software"]
    assert separate["procedures"].startswith("Thông báo hoạt động khuyến mại")  # the department's own suspicion
    assert separate["share_points_before"] == 4.37 and separate["share_points_after"] == 6.0
    assert separate["points_recovered"] == 1.63 and separate["illustrative"]
    assert separate["cause_label"].startswith("Nộp trên phần mềm riêng")
    synced = causes.loc["not_synced"]
    assert synced["online_filings_count"] == 0 and synced["points_recovered"] == 0  # the totals agree: none unsynced


def test_unsynced_filings_the_portal_is_missing_recover_their_points():
    from analytics.analyses.reconcile import candidate_causes

    con = memory_db()
    catalog(con, "1.000001", "Thủ tục A")
    filing(con, "2024Q1", "own", "1.000001", online=60, in_person=40, early=100, synced=70)  # 30 never synced
    filing(con, "2024Q1", "portal", "1.000001", online=30, in_person=40, early=70)
    c = candidate_causes(con, "2024Q1", "so cong thuong").set_index("cause")
    assert c.loc["not_synced", "filings_count"] == 30 and c.loc["not_synced", "online_filings_count"] == 30
    # 30/70 online on the portal (42,86 %: 5,14 of 6) → 60/100 once synced: full from 50 %
    assert c.loc["not_synced", "share_points_before"] == 5.14 and c.loc["not_synced", "share_points_after"] == 6.0
