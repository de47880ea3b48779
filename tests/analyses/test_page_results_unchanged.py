"""The results the Overview and Plan targets pages show stay what they were before their analyses were made faster.

``tests/fixtures/expected/page-results.json`` holds, for Sở Công Thương on the demo database, the output of
``task_followup``, ``memo_tasks``, ``target_status`` and ``meeting_brief`` as computed before the per-row pandas
work in them was replaced (one row per task or target, every column, with its dtype). Each must be the same now.
"""

from __future__ import annotations

import json
import math
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest

from analytics.analyses.plan_targets import target_status
from analytics.analyses.tasks import task_followup
from analytics.brief.findings import meeting_brief
from analytics.brief.memo import memo_tasks

EXPECTED = json.loads((Path(__file__).resolve().parent.parent / "fixtures" / "expected" / "page-results.json")
                      .read_text(encoding="utf-8"))
UNIT = "so cong thuong"
AS_OF = date(2024, 6, 28)  # the date the benchmark's Plan targets page is opened on


def _norm(v):
    if isinstance(v, (pd.Timestamp, datetime, date)):
        return v.isoformat()
    if v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v)):
        return None
    if hasattr(v, "item"):
        return _norm(v.item())
    return v


def _frame(df: pd.DataFrame) -> dict:
    return {"dtypes": {c: str(t) for c, t in df.dtypes.items()},
            "rows": [{k: _norm(v) for k, v in r.items()} for r in df.to_dict("records")]}


@pytest.mark.parametrize("through", ["2024Q1", "2024Q2", "2026Q3"])
def test_task_followup_is_unchanged(demo, through):
    got = task_followup(demo, None, UNIT, through=through, as_of=AS_OF)
    assert _frame(got) == EXPECTED[f"task_followup through {through}"]


def test_task_followup_still_reads_the_q2_digitization_task_at_0_22_and_nine_tasks(demo):
    got = task_followup(demo, None, UNIT, through="2024Q2", as_of=AS_OF)
    assert len(got) == 9
    r = got[(got["period"] == "2024Q2") & (got["metric"] == "digitization")].iloc[0]
    assert r["value_at_assignment"] == pytest.approx(0.22) and r["status"] == "awaiting_data"


@pytest.mark.parametrize("period", ["2024Q1", "2024Q2", "2026Q3"])
def test_memo_tasks_are_unchanged(demo, period):
    assert _frame(memo_tasks(demo, period, UNIT)) == EXPECTED[f"memo_tasks {period}"]


def test_target_status_is_unchanged(demo):
    got = target_status(demo, None, UNIT)
    assert _frame(got) == EXPECTED["target_status"]
    assert len(got) == 19


@pytest.mark.parametrize("period", ["2024Q1", "2024Q2", "2025Q2"])
def test_meeting_brief_is_unchanged(demo, period):
    got = [{"key": f.key, "text": f.text, "figures": json.loads(json.dumps(f.figures, default=str)),
            "illustrative": f.illustrative} for f in meeting_brief(demo, period, UNIT)]
    assert got == EXPECTED[f"meeting_brief {period}"]
