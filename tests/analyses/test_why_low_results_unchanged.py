"""The results the Vì sao thấp? page shows stay what they were before its analyses were made faster.

``tests/fixtures/expected/why-low-results.json`` holds, for Sở Công Thương on the demo database, every period with
filing counts and every sub-indicator the page offers, the output of each analysis the page calls, as computed
before the work in them was rewritten: per call, the dtypes, the number of rows and a SHA-256 of every value
(an error: its message), and for the quarter the page opens on (``IN_FULL``) every value, column by column, so
a difference shows where it is. Each must be the same now, read from the rows stored at ingest and, for a few
periods (``COMPUTED``), computed from the models with the stored rows ignored.

    PYTHONPATH=. .venv/bin/python tests/analyses/test_why_low_results_unchanged.py   # rewrites the file
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the other pages' test's helpers, when run as a script

from test_page_results_unchanged import _frame  # noqa: E402

from analytics.analyses import audit, explain, reconcile, stored, whatif  # noqa: E402
from analytics.definition import load_definition  # noqa: E402

EXPECTED_FILE = Path(__file__).resolve().parent.parent / "fixtures" / "expected" / "why-low-results.json"
UNIT = "so cong thuong"
PERIODS = ["2023Q1", "2023Q2", "2023Q3", "2023Q4", "2024Q1", "2024Q2", "2024Q3", "2024Q4", "2025Q1", "2025Q2"]
"""Every period with filing counts of Sở Công Thương in the demo."""
CODES = {  # the sub-indicators the page offers per component (those counted per procedure in filings), every period
    "transparency": ["DOSSIER_SYNC"],
    "timeliness": ["DVC_PROGRESS_ON_TIME"],
    "digitization": ["ORIGINAL_RESULT_AVAILABLE", "SO_HOA_GIAY_TO_GIAI_QUYET", "REUSED_DIGITIZED_DATA"],
    "online_services": ["ONLINE_FILING_SHARE", "ONLINE_PAYMENT_TOTAL"],
    "satisfaction": ["PETITION_PROCESSING_ON_TIME", "PETITION_HANDLING_SATISFACTION"],
}
ALL_CODES = [c for codes in CODES.values() for c in codes]
IN_FULL = ["2024Q2"]
"""The quarter the page opens on: its results are kept value by value (the others' as a digest)."""
NAMED_SOURCE = ["2024Q1", "2024Q2"]
"""The published quarters: their results are also asked of a named count source ('own')."""
COMPUTED = ["2024Q1", "2024Q2", "2025Q2"]
"""The periods also checked with the stored rows ignored (2025Q2 and 2024Q1 have dossier counts too)."""
SIMULATIONS = [  # the benchmark's change, two actions at once, a procedure named by part of its name, an undo
    {"2.000304": {"electronic_results": 500}},
    {"2.000304": {"online": 500, "digitized": 200}},
    {"cửa hàng bán lẻ xăng dầu": {"on_time": 3, "synced": 10}},
    {"2.000304": {"online": -40}, "1.003298": {"reused": 25, "feedback_satisfied": 2}},
]


def _result(fn, full: bool) -> dict:
    """A call's result as it is kept: dtypes, rows, digest (and every value when ``full``), or its error."""
    try:
        f = _frame(fn())
    except ValueError as exc:
        return {"error": str(exc)}
    text = json.dumps(f["rows"], ensure_ascii=False, sort_keys=True)
    out = {"dtypes": f["dtypes"], "rows": len(f["rows"]), "sha256": hashlib.sha256(text.encode()).hexdigest()}
    if full:
        out["columns"] = {c: [r[c] for r in f["rows"]] for c in f["dtypes"]}
    return out


def _sources(period: str) -> list:
    """The page's count source (the preferred one, None), and for the published quarters a named one."""
    return [None, "own"] if period in NAMED_SOURCE else [None]


def _page_simulations(con, period: str) -> list[dict]:
    """What the page's what-if asks first for each sub-indicator: its largest-shortfall procedure, half its
    shortfall, in the sub-indicator's filing field."""
    out = []
    for code in ALL_CODES:
        pareto = explain.shortfall_pareto(con, period, UNIT, code)
        if len(pareto):
            top = pareto.sort_values("shortfall_filings", ascending=False).iloc[0]
            n = max(int(top["shortfall_filings"]) // 2, 1)
            out.append({top["procedure_code"]: {load_definition().subindicator(code).filing_field: n}})
    return out


def results(con, period: str, analysis: str) -> dict:
    """name of the call → its normalised result, for one analysis of the page in one period."""
    p, u = period, UNIT
    calls = {}
    if analysis == "subindicator_breakdown":
        for comp in CODES:
            for source in _sources(p):
                calls[f"{comp} {source}"] = lambda c=comp, s=source: explain.subindicator_breakdown(
                    con, p, u, c, count_source=s)
    elif analysis in ("shortfall_pareto", "department_shortfall", "mix_rate_split"):
        fn = getattr(explain, analysis)
        for code in ALL_CODES:
            for source in _sources(p):
                calls[f"{code} {source}"] = lambda c=code, s=source: fn(con, p, u, c, count_source=s)
    elif analysis == "reconciliation_summary":
        calls["page"] = lambda: reconcile.reconciliation_summary(con, p, u)
    elif analysis == "candidate_causes":
        calls["page"] = lambda: reconcile.candidate_causes(con, p, u)
    elif analysis == "own_vs_portal":
        calls["page"] = lambda: reconcile.own_vs_portal(con, p, u)
        calls["online_filings"] = lambda: reconcile.own_vs_portal(con, p, u, measure="online_filings")
    elif analysis == "deadline_mismatches":
        calls["page"] = lambda: audit.deadline_mismatches(con, u, p)
    elif analysis == "simulate":
        for changes in SIMULATIONS + _page_simulations(con, p):
            calls[json.dumps(changes, ensure_ascii=False, sort_keys=True)] = lambda ch=changes: whatif.simulate(
                con, p, u, ch)
        if p in NAMED_SOURCE:
            calls["own " + json.dumps(SIMULATIONS[1], sort_keys=True)] = lambda: whatif.simulate(
                con, p, u, SIMULATIONS[1], count_source="own")
    elif analysis == "what_would_it_take":
        for comp in CODES:
            calls[f"{comp} next grade"] = lambda c=comp: whatif.what_would_it_take(con, p, u, c, to_next_grade=True)
            calls[f"{comp} 1 point"] = lambda c=comp: whatif.what_would_it_take(con, p, u, c, gain_points=1.0)
            if p in NAMED_SOURCE:
                calls[f"{comp} 0,25 point own"] = lambda c=comp: whatif.what_would_it_take(
                    con, p, u, c, gain_points=0.25, count_source="own")
    else:
        raise KeyError(analysis)
    return {name: _result(fn, p in IN_FULL) for name, fn in calls.items()}


ANALYSES = ["subindicator_breakdown", "shortfall_pareto", "department_shortfall", "mix_rate_split",
            "reconciliation_summary", "candidate_causes", "own_vs_portal", "deadline_mismatches", "simulate",
            "what_would_it_take"]
"""The page's analyses (``page_queries()["why_low"]`` of benchmarks/dashboard_speed.py)."""


def _computed(monkeypatch) -> None:
    """Make every stored read answer 'not current', so the analyses compute from the models."""
    monkeypatch.setattr(stored, "table", lambda con, name: None)
    monkeypatch.setattr(stored, "frame", lambda con, name, **filters: None)


@pytest.fixture(scope="module")
def expected():
    return json.loads(EXPECTED_FILE.read_text(encoding="utf-8"))


CASES = [("stored", p, a) for p in PERIODS for a in ANALYSES] + [("computed", p, a) for p in COMPUTED for a in ANALYSES]


@pytest.mark.parametrize(("path", "period", "analysis"), CASES)
def test_why_low_results_are_unchanged(demo, expected, monkeypatch, path, period, analysis):
    if path == "computed":
        _computed(monkeypatch)
    want = expected[period][analysis]
    got = results(demo, period, analysis)
    assert list(got) == list(want)
    for name, w in want.items():
        g = got[name]
        assert g.get("error") == w.get("error"), name
        assert g.get("dtypes") == w.get("dtypes") and g.get("rows") == w.get("rows"), name
        for c in w.get("columns", {}):
            assert g["columns"][c] == w["columns"][c], (name, c)
        assert g.get("sha256") == w.get("sha256"), name


def test_the_page_offers_these_sub_indicators_in_every_period(demo):
    d = load_definition()
    for period in PERIODS:
        for comp, codes in CODES.items():
            subs = explain.subindicator_breakdown(demo, period, UNIT, comp)
            offered = [c for c in subs["code"] if c in {s.code for s in d.version("v2025").subindicators}
                       and d.subindicator(c).filing_field and d.subindicator(c).filing_denominator
                       and d.subindicator(c).scope != "province"]
            assert offered == codes, (period, comp)


def test_the_expected_file_holds_the_figures_of_the_page_opened_on_2024q2(expected):
    q2 = expected["2024Q2"]
    pareto = q2["shortfall_pareto"]["ORIGINAL_RESULT_AVAILABLE None"]["columns"]
    assert pareto["rank"][0] == 1 and pareto["cumulative_pct"][-1] == 100.0
    sim = q2["simulate"][json.dumps(SIMULATIONS[0], ensure_ascii=False, sort_keys=True)]["columns"]
    assert sim["points_before"][sim["level"].index("total")] == 63.48
    assert q2["reconciliation_summary"]["page"]["columns"]["measure"] == ["filings", "online_filings", "overdue_filings"]
    assert list(expected) == PERIODS and all(list(expected[p]) == ANALYSES for p in PERIODS)


def _dump(out: dict) -> str:
    """The expected file: one line per call, so a change shows as the lines of its calls."""
    lines = ["{"]
    for i, (period, analyses) in enumerate(out.items()):
        lines.append(f" {json.dumps(period)}: {{")
        for j, (analysis, calls) in enumerate(analyses.items()):
            lines.append(f"  {json.dumps(analysis)}: {{")
            items = [f"   {json.dumps(k, ensure_ascii=False)}: {json.dumps(v, ensure_ascii=False, separators=(',', ':'))}"
                     for k, v in calls.items()]
            lines.append(",\n".join(items))
            lines.append("  }" + ("," if j < len(analyses) - 1 else ""))
        lines.append(" }" + ("," if i < len(out) - 1 else ""))
    lines.append("}")
    return "\n".join(lines) + "\n"


def main() -> None:
    """Write the expected file from a demo database built now (before a rewrite of the analyses)."""
    import tempfile

    from analytics.db import connect_read_only
    from analytics.demo.build import build_demo_db

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "analytics.duckdb"
        totals = build_demo_db(path, verbose=False)
        assert totals["failed"] == 0, totals
        con = connect_read_only(path)
        try:
            out = {p: {a: results(con, p, a) for a in ANALYSES} for p in PERIODS}
        finally:
            con.close()
    EXPECTED_FILE.write_text(_dump(out), encoding="utf-8")


if __name__ == "__main__":
    main()
