"""The explanation adds up: published − recomputed = unexplained, on every row; every "how many more" counts to
where the rule gives full points; a figure resting on an illustrative input says so, on every output."""

import io
import json

import pandas as pd
import pytest
from openpyxl import load_workbook

from analytics.analyses.changes import score_changes
from analytics.analyses.explain import (breakdown_records, department_shortfall, filings_to_full_points,
                                        mix_rate_split, shortfall_pareto, subindicator_breakdown)
from analytics.analyses.gaps import component_gaps
from analytics.analyses.rankings import unit_rankings
from analytics.brief.export import BriefData, brief_workbook, finding_text, one_pager_figure
from analytics.brief.findings import meeting_brief
from analytics.brief.tiles import overview_tiles
from analytics.analyses.scores import unit_scores
from analytics.definition import load_definition
from analytics.labels import labelled
from test_explain import UNIT, catalog, filing, insert, memory_db
from test_whatif import PUBLISHED_2024Q2, publish


def test_published_minus_recomputed_is_the_unexplained_part_on_every_demo_row(demo):
    df = subindicator_breakdown(demo, None, UNIT)
    assert len(df) > 0
    both = df[df["component_points_published"].notna() & df["component_points_recomputed"].notna()]
    assert len(both) > 0
    diff = (both["component_points_published"] - both["component_points_recomputed"]).round(2)
    assert (diff == both["unexplained_points"]).all()
    # the same three numbers on every row of one unit, period and component
    per = df.groupby(["period", "component"])[["component_points_published", "component_points_recomputed",
                                                "unexplained_points"]].nunique(dropna=False)
    assert (per <= 1).all().all()
    # the recomputed score is the sum of the sub-indicators that have counts
    sums = df.groupby(["period", "component"])["points_recomputed"].sum(min_count=1).round(2)
    first = df.groupby(["period", "component"])["component_points_recomputed"].first()
    assert ((sums - first).abs().fillna(0) < 1e-9).all()


def test_counts_that_cannot_explain_the_published_score_say_by_how_much_and_why():
    con = memory_db()
    catalog(con, "1.000001", "Thủ tục A")
    # 100 filings in person, none digitized: the counts give 0 digitization points, the published table says 0,22
    filing(con, "2024Q2", "own", "1.000001", in_person=100, early=100)
    publish(con, "2024Q2", PUBLISHED_2024Q2)
    rows = labelled(subindicator_breakdown(con, "2024Q2", UNIT, "digitization"))
    r = rows.iloc[0]
    assert r["component_points_published"] == 0.22 and r["component_points_recomputed"] == 0.0
    assert r["unexplained_points"] == 0.22
    keys = [k if isinstance(k, str) else k["key"] for k in r["unexplained_note_keys"]]
    assert keys == ["no_portal_file", "own_records", "borrowed_rules", "missing_counts"]
    assert "sổ sách của đơn vị" in r["unexplained_note"] and "5 nhóm" in r["unexplained_note"]
    records = breakdown_records(subindicator_breakdown(con, "2024Q2", UNIT, "digitization"))
    assert {rec["unexplained_points"] for rec in records} == {0.22}
    assert {rec["component_points_published"] for rec in records} == {0.22}


def test_the_online_filing_share_is_full_at_half_the_filings_and_a_linear_rule_at_all():
    d = load_definition().version("v2025")
    share = next(s for s in d.subindicators if s.code == "ONLINE_FILING_SHARE")
    digitized = next(s for s in d.subindicators if s.code == "SO_HOA_GIAY_TO_GIAI_QUYET")
    assert round(100 * 2944 / 8080, 2) == 36.44
    assert filings_to_full_points(share, 2944, 8080) == 1096  # 4.040 = 50 % of 8.080
    assert filings_to_full_points(digitized, 25, 8199) == 8199 - 25
    assert filings_to_full_points(share, 5000, 8080) == 0


def test_the_pareto_and_the_departments_count_to_full_points_not_to_100_percent(demo):
    pareto = shortfall_pareto(demo, "2024Q2", UNIT, "ONLINE_FILING_SHARE")
    assert set(pareto["filings_to_full_points"]) == {1096}
    assert int(pareto["shortfall_filings"].sum()) == 1096  # not the 5.136 filings short of 100 %
    assert int(pareto["missing_filings"].iloc[0]) >= 1096
    assert pareto["cumulative_pct"].iloc[-1] == 100.0
    departments = department_shortfall(demo, "2024Q2", UNIT, "ONLINE_FILING_SHARE")
    assert int(departments["shortfall_filings"].sum()) == 1096
    linear = shortfall_pareto(demo, "2024Q2", UNIT, "SO_HOA_GIAY_TO_GIAI_QUYET")
    assert int(linear["shortfall_filings"].sum()) == int(linear["missing_filings"].sum()) == 8199 - 133


def test_the_mix_rate_split_adds_up_to_the_published_change(demo):
    total = mix_rate_split(demo, "2024Q2", UNIT, "ONLINE_FILING_SHARE")
    r = total[total["level"] == "total"].iloc[0]
    assert r["component"] == "online_services" and r["component_change_published_points"] == -3.03
    parts = r["mix_effect_points"] + r["rate_effect_points"] + r["other_subindicators_change_points"] + \
        r["unexplained_change_points"]
    assert round(parts, 2) == -3.03


# --- provenance -------------------------------------------------------------------------------------------

def _two_quarters(illustrative_earlier: bool):
    con = memory_db()
    for period, points, flag in (("2024Q1", 10.49, illustrative_earlier), ("2024Q2", 7.46, False)):
        insert(con, "index_scores", period=period, unit_id=UNIT, component="online_services", score_points=points,
               max_points=22, index_version="v2022", illustrative=flag)
    return con


@pytest.mark.parametrize("illustrative_earlier", [True, False])
def test_a_change_against_an_illustrative_quarter_is_illustrative(illustrative_earlier):
    con = _two_quarters(illustrative_earlier)
    c = score_changes(con, "2024Q2", UNIT).iloc[0]
    assert c["change_vs_previous_points"] == -3.03 and not c["illustrative"]
    assert bool(c["change_vs_previous_illustrative"]) is illustrative_earlier
    tiles = overview_tiles(unit_scores(con), score_changes(con), None, UNIT, "2024Q2")
    assert bool(tiles.iloc[0]["row_illustrative"]) is illustrative_earlier
    b = BriefData(unit="Sở Công Thương", unit_id=UNIT, period="2024Q2", period_label="Quý II/2024", lang="vi",
                  tiles=tiles, findings=[])
    wb = load_workbook(io.BytesIO(brief_workbook(b)))
    row = next(r for r in wb.active.iter_rows(values_only=True) if r and r[0] == "Dịch vụ công trực tuyến")
    assert ("Minh họa" in row) is illustrative_earlier and ("Công bố" in row) is not illustrative_earlier
    note = "Các dòng có “Minh họa” là dữ liệu mẫu, không phải số liệu công bố."
    assert (note in json.loads(one_pager_figure(b).to_json())["layout"].__repr__()) is illustrative_earlier


def test_the_demo_year_on_year_change_of_a_published_quarter_is_illustrative(demo, run_cli, demo_db):
    c = score_changes(demo, "2024Q2", UNIT).set_index("component")
    assert not c.loc["online_services", "illustrative"]  # 7,46 is published …
    assert c.loc["online_services", "change_vs_last_year_illustrative"]  # … the invented 2023Q2 is not
    assert not c.loc["online_services", "change_vs_previous_illustrative"]  # 10,49 → 7,46: both published
    code, out, _ = run_cli("changes", "--db", demo_db, "--unit", UNIT, "--period", "2024Q2", "--format", "json")
    rows = {r["component"]: r for r in json.loads(out)}
    assert rows["online_services"]["change_vs_last_year_illustrative"] is True
    assert rows["online_services"]["change_vs_previous_illustrative"] is False
    code, out, _ = run_cli("scores", "--db", demo_db, "--unit", UNIT, "--period", "2024Q2", "--format", "json")
    assert {r["component"]: r["change_illustrative"] for r in json.loads(out)}["online_services"] is False


def test_a_gap_to_an_illustrative_target_and_a_rank_among_illustrative_peers_are_illustrative(demo):
    gaps = component_gaps(demo, "2024Q2", UNIT).set_index("component")
    assert not gaps.loc["digitization", "illustrative"] and gaps.loc["digitization", "target_illustrative"]
    assert gaps.loc["digitization", "gap_to_target_illustrative"]
    ranks = unit_rankings(demo, "2024Q2", "department")
    me = ranks[ranks["unit_id"] == UNIT].iloc[0]
    assert not me["illustrative"] and me["rank_illustrative"]  # published score, invented peers


def test_brief_findings_on_illustrative_inputs_are_marked(demo):
    findings = {f.key: f for f in meeting_brief(demo, "2024Q2", UNIT)}
    assert not findings["grade"].illustrative and not findings["biggest_change"].illustrative
    assert findings["targets_missed"].illustrative and findings["digitization_procedures"].illustrative
    assert finding_text(findings["digitization_procedures"], "vi").startswith("[Minh họa]")
    assert pd.notna(findings["largest_gaps"].figures["share_of_lost_points_pct"])
