"""Each number has one definition: the CLI, the tiles and the brief show the same change; every count reads the
de-duplicated view, so a re-exported file under another name does not double anything."""

import json
import shutil

import pandas as pd
import pytest

from analytics.analyses.changes import filing_metric_changes, score_changes
from analytics.analyses.measures import filing_measures
from analytics.analyses.reconcile import reconciliation_summary
from analytics.brief.findings import meeting_brief
from analytics.brief.tiles import overview_tiles
from analytics.analyses.gaps import component_gaps
from analytics.analyses.scores import unit_scores
from analytics.db import connect_read_only
from conftest import ROOT

SCT = "so cong thuong"


def test_scores_json_change_is_the_change_of_changes(run_cli, demo_db):
    code, out, _ = run_cli("scores", "--db", demo_db, "--unit", "so cong thuong", "--period", "2024Q2", "--format", "json")
    scores = {r["component"]: r for r in json.loads(out)}
    code2, out2, _ = run_cli("changes", "--db", demo_db, "--unit", "so cong thuong", "--period", "2024Q2", "--format", "json")
    changes = {r["component"]: r for r in json.loads(out2)}
    assert code == code2 == 0 and set(scores) == set(changes) and len(scores) == 6
    for component, row in scores.items():
        assert row["change"] == changes[component]["change_vs_previous_points"], component
        assert row["previous_period"] == changes[component]["previous_period"] == "2024Q1"
    assert scores["online_services"]["change"] == -3.03 and scores["digitization"]["change"] == 0.11
    # Q1/2024 published no total: no change, not one against an illustrative 2023Q4 (that said −1,07)
    assert scores["total"]["change"] is None
    assert changes["total"]["change_vs_previous_reason"] == "Quý I/2024 chưa công bố tổng điểm"


def test_the_tile_and_the_brief_show_the_same_change(demo):
    tiles = overview_tiles(unit_scores(demo, unit_id=SCT), score_changes(demo, unit_id=SCT),
                           component_gaps(demo, "2024Q2", SCT), SCT, "2024Q2").set_index("component")
    assert tiles.loc["online_services", "change_vs_previous_points"] == -3.03
    assert pd.isna(tiles.loc["total", "change_vs_previous_points"])
    assert tiles.loc["total", "change_vs_previous_reason"] == "Quý I/2024 chưa công bố tổng điểm"
    grade = next(f for f in meeting_brief(demo, "2024Q2", SCT) if f.key == "grade")
    assert grade.figures["change_vs_previous_points"] is None and "Quý I/2024 chưa công bố tổng điểm" in grade.text
    moved = next(f for f in meeting_brief(demo, "2024Q2", SCT) if f.key == "biggest_change")
    assert moved.figures["change_vs_previous_points"] == -3.03


def test_a_re_exported_file_under_another_name_counts_once(run_cli, demo_db_copy, tmp_path):
    source = ROOT / "data" / "raw" / "illustrative" / "filings" / "so-cong-thuong-2024Q2-cong-dvcqg.csv"
    copy = tmp_path / "xuat-lai-2024Q2-cong-dvcqg.csv"
    shutil.copy(source, copy)

    def overdue(path):
        con = connect_read_only(path)
        try:
            m = filing_measures(con, "2024Q2", SCT)
            measured = m[(m["count_source"] == "portal") & (m["metric"] == "overdue_filings_count")]["value"].iloc[0]
            tile = filing_metric_changes(con, "2024Q2", SCT)
            tile = tile[(tile["count_source"] == "portal") & (tile["metric"] == "overdue_filings_count")]["value"].iloc[0]
            s = reconciliation_summary(con, "2024Q2", SCT)
            reconciled = s[s["measure"] == "overdue_filings"]["portal_count"].iloc[0]
            return measured, tile, reconciled
        finally:
            con.close()

    before = overdue(demo_db_copy)
    assert before[0] == before[1] == before[2] == 84
    code, _, err = run_cli("ingest", copy, "--db", demo_db_copy, "--illustrative")
    assert code == 0, err
    assert overdue(demo_db_copy) == before  # once, not 168


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_results_are_the_same_keys_whatever_the_language(demo, lang):
    from analytics.labels import labelled

    keys = score_changes(demo, "2024Q2", SCT)
    shown = labelled(keys, lang)
    assert set(keys.columns) < set(shown.columns)
    assert {"component_label", "period_label", "change_vs_previous_reason"} <= set(shown.columns)
    expected = "Quý I/2024 chưa công bố tổng điểm" if lang == "vi" else "no Q1/2024 total published"
    assert shown.set_index("component").loc["total", "change_vs_previous_reason"] == expected
