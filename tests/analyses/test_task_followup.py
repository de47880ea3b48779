"""The follow-up: each task of the department's 2024 memos, its metric when given and a quarter later, on the
demo database (published 2024Q1/Q2 scores, illustrative 2024Q3)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from analytics.analyses.tasks import task_followup

AS_OF = date(2024, 8, 15)  # after the July deadlines, before the 2024Q3 results


@pytest.fixture(scope="module")
def followup(demo):
    return task_followup(demo, unit_id="so cong thuong", through="2024Q3", as_of=AS_OF)


def _row(df, period, metric):
    rows = df[(df["period"] == period) & (df["metric"] == metric)]
    assert len(rows) == 1, (period, metric, len(rows))
    return rows.iloc[0]


def test_digitization_task_of_the_q2_memo_moved_from_0_22_to_0_95(followup):
    r = _row(followup, "2024Q2", "digitization")
    assert r["department"] == "Thanh tra Sở"
    assert r["value_at_assignment"] == pytest.approx(0.22)  # published, VB 1937/VP-HCC
    assert (r["latest_period"], r["latest_value"], r["change"]) == ("2024Q3", pytest.approx(0.95), pytest.approx(0.73))
    assert r["due_date"] == date(2024, 7, 31) and r["due_passed"] is True
    assert bool(r["moved"]) and r["status"] == "moved"
    assert r["illustrative"]  # the 2024Q3 figure is illustrative


def test_a_task_given_on_q1_results_is_followed_from_the_published_0_11(followup):
    r = _row(followup, "2024Q1", "digitization")
    assert r["value_at_assignment"] == pytest.approx(0.11)
    assert r["due_date"] == date(2024, 7, 26)


def test_a_rate_that_fell_after_its_deadline_is_overdue(followup):
    r = _row(followup, "2024Q2", "SO_HOA_GIAY_TO_GIAI_QUYET")
    assert r["value_unit"] == "pct"
    assert (r["value_at_assignment"], r["latest_value"], r["change"]) == (
        pytest.approx(1.62), pytest.approx(0.15), pytest.approx(-1.47))
    assert not r["moved"] and r["status"] == "overdue"


def test_fewer_overdue_filings_is_a_move_the_right_way(followup):
    r = _row(followup, "2024Q1", "overdue_filings_count")
    assert r["value_at_assignment"] == 83  # VB 1238/VP-HCC: 83 filings overdue on the national portal
    assert r["count_source"] == "portal"
    assert r["change"] < 0 and bool(r["moved"]) and r["status"] == "moved"


def test_a_task_without_a_deadline_that_has_not_moved_is_still_due(followup):
    r = _row(followup, "2024Q2", "transparency")
    assert r["due_date"] is None and r["due_passed"] is None
    assert (r["value_at_assignment"], r["latest_value"]) == (pytest.approx(18.0), pytest.approx(17.5))
    assert r["status"] == "due_not_moved"


def test_before_the_next_quarter_has_figures_the_task_awaits_data(demo):
    df = task_followup(demo, "2024Q2", "so cong thuong", through="2024Q2", as_of=date(2024, 7, 20))
    assert len(df) == 6 and set(df["period"]) == {"2024Q2"}
    assert set(df["status"]) == {"awaiting_data"}
    assert df["latest_period"].isna().all()
    assert not _row(df, "2024Q2", "digitization")["due_passed"]


def test_cli_tasks_json_has_iso_dates_and_the_screen_vietnamese_ones(run_cli, demo_db):
    code, out, _ = run_cli("tasks", "--db", demo_db, "--unit", "sở công thương", "--period", "2024Q2",
                           "--through", "2024Q3", "--as-of", "2024-08-15", "--format", "json")
    assert code == 0
    rows = json.loads(out)
    first = next(r for r in rows if r["metric"] == "digitization")
    assert first["due_date"] == "2024-07-31"
    assert (first["value_at_assignment"], first["latest_period"], first["latest_value"], first["status"]) == (
        0.22, "2024Q3", 0.95, "moved")
    code, out, _ = run_cli("tasks", "--db", demo_db, "--unit", "sở công thương", "--period", "2024Q2",
                           "--through", "2024Q3", "--as-of", "2024-08-15")
    assert code == 0
    line = next(line for line in out.splitlines() if "digitization" in line)
    assert "31/07/2024" in line and "0,22" in line and "0,95" in line and "moved" in line
