"""Golden figures of the leadership analyses: the seed facts on the demo database."""

import json

import pandas as pd
import pytest

from analytics.labels import labelled

from analytics.analyses.changes import filing_metric_changes, score_changes
from analytics.analyses.consistency import grade_consistency, portal_check_summary, portal_score_check
from analytics.analyses.gaps import component_gaps, grade_outlook
from analytics.analyses.plan_targets import target_status
from analytics.analyses.rankings import unit_rankings


def one(df, **where):
    for k, v in where.items():
        df = df[df[k] == v]
    assert len(df) == 1, df
    return df.iloc[0]


def test_gaps_2024q2(demo):
    g = component_gaps(demo, "2024Q2", "so cong thuong")
    assert one(g, component="digitization")["gap_to_max_points"] == 21.78
    assert one(g, component="online_services")["gap_to_max_points"] == 14.54
    assert one(g, component="timeliness")["gap_to_max_points"] == 0.2
    lost = g[g["component"] != "total"]
    assert round(lost["gap_to_max_points"].sum(), 2) == 36.52
    weak = lost[lost["component"].isin(["digitization", "online_services"])]
    assert round(weak["gap_to_max_points"].sum(), 2) == 36.32  # the two weak components hold 36.32 of 36.52
    assert round(weak["share_of_lost_points_pct"].sum(), 2) == 99.45
    total = one(g, component="total")
    assert total["score_points"] == 63.48 and not total["illustrative"]
    # the illustrative plan target "Khá" (70) for 2024 applies to each quarter of 2024
    assert total["target_points"] == 70 and total["gap_to_target_points"] == 6.52 and total["target_illustrative"]


def test_points_to_next_grade(demo):
    o = labelled(grade_outlook(demo, "2024Q2", "so cong thuong"))
    assert set(o["grade"]) == {"Trung bình"} and set(o["next_grade"]) == {"Khá"}
    assert set(o["points_to_next_grade_points"]) == {6.52}
    suppliers = o[o["could_supply"]]["component"].tolist()
    assert suppliers == ["digitization", "online_services"]  # largest gap first; timeliness (0.2) cannot


def test_changes_with_reasons(demo):
    c = labelled(score_changes(demo, "2024Q2", "so cong thuong"))
    assert one(c, component="online_services")["change_vs_previous_points"] == -3.03
    assert one(c, component="digitization")["change_vs_previous_points"] == 0.11
    total = one(c, component="total")
    assert total["previous_period"] == "2024Q1"
    assert pd.isna(total["change_vs_previous_points"])
    assert total["change_vs_previous_reason"] == "Quý I/2024 chưa công bố tổng điểm"
    en = labelled(score_changes(demo, "2024Q2", "so cong thuong"), "en")
    assert one(en, component="total")["change_vs_previous_reason"] == "no Q1/2024 total published"
    # same period last year exists (illustrative 2023Q2), so that change is computed
    assert one(c, component="online_services")["last_year_period"] == "2023Q2"


def test_filing_metric_changes_in_percentage_points_and_counts(demo):
    f = filing_metric_changes(demo, "2024Q1", "so cong thuong")
    overdue = one(f, metric="overdue_filings_count", count_source="portal")
    assert overdue["value"] == 83 and overdue["value_unit"] == "count"
    assert pd.isna(overdue["change_vs_previous_pp"]) and pd.notna(overdue["change_vs_previous_count"])
    assert one(f, metric="overdue_filings_count", count_source="own")["value"] == 0
    online = one(f, metric="online_filing_rate_pct", count_source="own")
    assert online["value_unit"] == "pct" and pd.isna(online["change_vs_previous_count"])
    q3 = one(filing_metric_changes(demo, "2023Q3", "so cong thuong"), metric="online_filing_rate_pct", count_source="own")
    assert q3["value"] == 100.0 and q3["numerator_count"] == 9436


def test_rankings(demo):
    r = unit_rankings(demo, "2024Q2", "department")
    assert len(r) == 16 and r["rank"].min() == 1
    sct = one(r, unit="Sở Công Thương")
    assert sct["rank"] == 13 and sct["units_ranked"] == 16
    assert sct["peer_best_points"] == 86.68 and sct["best_unit"] == "Sở Nội vụ"
    assert sct["peer_median_points"] == 73.1


def test_grade_consistency_flags_without_overwriting(demo):
    g = labelled(grade_consistency(demo, "2024Q2", "so cong thuong"))
    row = one(g, period="2024Q2")
    assert row["computed_grade"] == "Trung bình" and row["reported_grade"] == "Trung bình"
    assert not row["grade_differs"] and row["total_minus_sum_points"] == 0
    assert not grade_consistency(demo)["grade_differs"].any()


def test_portal_scores_are_reproduced(demo):
    summary = portal_check_summary(portal_score_check(demo))
    assert summary["rows_compared"].sum() == 10660 - 489
    assert summary["max_abs_diff_points"].max() <= 0.01
    assert int(summary["not_reproducible"].sum()) == 489  # provide-online units publish only a total, no counts


def test_targets_met_and_missed(demo):
    t = labelled(target_status(demo, unit_id="so cong thuong"))
    q4 = t[(t["metric"] == "on_time_rate_pct") & (t["period"] == "2023Q4")]
    assert set(q4["count_source"]) == {"own", "portal"} and q4["met"].all()
    total = one(t, metric="total")
    assert total["met"] is False and total["measured_period"] == "2024Q4"
    unmeasured = one(t, metric="waiting_time_min")
    assert unmeasured["met"] is None and "thời gian chờ" in unmeasured["measured_reason"]
    q2 = target_status(demo, "2024Q2", "so cong thuong")
    assert set(q2["metric"]) == {"total", "digitization", "online_services"}
    assert one(q2, metric="total")["margin"] == -6.52


def test_annual_targets_are_measured_up_to_the_selected_period(demo):
    """Quý II/2024 selected: the 2024 score targets take Quý II/2024's published points, not the invented 2024Q4."""
    t = target_status(demo, None, "so cong thuong", through="2024Q2")
    year = t[t["year"] == 2024].set_index("metric")
    assert year.loc["online_services", "measured_value"] == 7.46
    assert year.loc["digitization", "measured_value"] == 0.22
    assert year.loc["total", "measured_value"] == 63.48
    assert set(year["measured_period"]) == {"2024Q2"}
    assert year.loc["total", "margin"] == -6.52
    # without it the year is measured on its latest quarter with a score
    assert one(target_status(demo, None, "so cong thuong"), metric="total")["measured_value"] == 63.34


@pytest.mark.parametrize("command", ["gaps", "changes", "targets", "rankings"])
def test_cli_analysis_commands_print_json(run_cli, demo_db, command):
    code, out, err = run_cli(command, "--db", demo_db, "--unit", "so cong thuong", "--period", "2024Q2", "--format", "json")
    assert code == 0, err
    rows = json.loads(out)
    assert rows and all(r.get("unit") in ("Sở Công Thương", None) or "Sở Công Thương" in str(r.get("unit")) for r in rows)


def test_gaps_json_contract(run_cli, demo_db):
    code, out, _ = run_cli("gaps", "--db", demo_db, "--unit", "so cong thuong", "--period", "2024Q2",
                           "--component", "digitization", "--format", "json")
    (row,) = json.loads(out)
    assert {k: row[k] for k in ("component", "score", "max_points", "gap_to_max", "target", "gap_to_target",
                                "share_of_lost_points")} == {
        "component": "digitization", "score": 0.22, "max_points": 22.0, "gap_to_max": 21.78, "target": 11.0,
        "gap_to_target": 10.78, "share_of_lost_points": 59.64}
