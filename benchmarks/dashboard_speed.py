"""Dashboard speed: cold start to the first rendered Overview, and each page's query and render time, on the demo
database and on a copy of it with 10 million extra filing rows.

    .venv/bin/python benchmarks/dashboard_speed.py [--db data/curated/analytics.duckdb] [--rows 10000000]
        [--skip-browser] [--skip-big] [--only cold [--runs 3] [--big PATH]]

``--only cold`` measures the cold start alone: ``--runs`` runs of the Overview and of a trivial Streamlit app with
one Plotly chart (``TRIVIAL_APP``), alternating, each started the same way (``streamlit run`` → server healthy →
headless Chromium opens the page); printed as median (min–max) of each and their difference, on the demo database
and, with ``--big``, on that database too (opened read-only).

Figures printed (nothing asserted):
- cold start: `streamlit run app.py` started → server healthy → Overview rendered in headless Chromium (tiles,
  a chart and the findings visible), then the same page reopened in a new tab (warm: read from the caches);
- per page, the analyses it calls, run directly on a fresh read-only connection (no caching): "query" time;
- per page, Streamlit's AppTest run cold (caches cleared) and warm (second open): "render" time.
The 10M database is the demo database plus `analytics.demo.generator.generate_filing_rows(n)` written as a Parquet
filing export and loaded with `python -m analytics ingest` (`benchmarks/scale_speed.py`'s `build_big_db`, built once,
kept in test-output/bench/).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402

OUT = ROOT / "test-output" / "bench"
PERIOD, UNIT_ID, UNIT = "2024Q2", "so cong thuong", "Sở Công Thương"


def page_queries(period: str = PERIOD, unit_id: str = UNIT_ID):
    """Per page, the analyses it calls with the arguments the page's defaults give, as the pages call them
    (every analysis takes a ``unit_id`` and no language; labels are added at the edge, outside the query)."""
    from datetime import date

    from analytics.analyses import (audit, changes, dossiers, explain, gaps, inventory, plan_targets, rankings,
                                    reconcile, scores, tasks, whatif)
    from analytics.brief import findings as brief
    from analytics.brief import memo

    code = "ORIGINAL_RESULT_AVAILABLE"  # the sub-indicator Vì sao thấp? opens on (digitization, most at stake)
    as_of = date(2024, 6, 28)
    return {
        "overview": [
            ("scored_unit_periods", lambda c: inventory.scored_unit_periods(c)),
            ("unit_scores", lambda c: scores.unit_scores(c)),
            ("score_changes", lambda c: changes.score_changes(c)),
            ("component_gaps", lambda c: gaps.component_gaps(c, period, unit_id)),
            ("grade_outlook", lambda c: gaps.grade_outlook(c, period, unit_id)),
            ("filing_metric_changes", lambda c: changes.filing_metric_changes(c)),
            ("meeting_brief", lambda c: brief.meeting_brief(c, period, unit_id)),
            ("forecast", lambda c: dossiers.nowcast(c, dossiers.default_as_of(c, unit_id, period) or as_of, unit_id,
                                                    period)),
        ],
        "overview_memo": [  # the Overview's memo panel, computed once the reader opens it
            ("memo_tasks", lambda c: memo.memo_tasks(c, period, unit_id)),
        ],
        "overview_export": [  # the Overview's brief as XLSX or one-pager, computed when the reader asks for it
            ("meeting_brief", lambda c: brief.meeting_brief(c, period, unit_id)),
            ("source_files", lambda c: inventory.source_files(c, unit_id, period)),
            ("data_date", lambda c: inventory.data_date(c)),
        ],
        "components": [
            ("unit_scores", lambda c: scores.unit_scores(c)),
            ("unit_rankings", lambda c: rankings.unit_rankings(c, component="digitization")),
            ("subindicator_breakdown", lambda c: explain.subindicator_breakdown(c, period, unit_id, "digitization")),
        ],
        "why_low": [
            ("subindicator_breakdown", lambda c: explain.subindicator_breakdown(c, period, unit_id, "digitization")),
            ("shortfall_pareto", lambda c: explain.shortfall_pareto(c, period, unit_id, code)),
            ("department_shortfall", lambda c: explain.department_shortfall(c, period, unit_id, code)),
            ("mix_rate_split", lambda c: explain.mix_rate_split(c, period, unit_id, code)),
            ("reconciliation_summary", lambda c: reconcile.reconciliation_summary(c, period, unit_id)),
            ("candidate_causes", lambda c: reconcile.candidate_causes(c, period, unit_id)),
            ("own_vs_portal", lambda c: reconcile.own_vs_portal(c, period, unit_id)),
            ("deadline_mismatches", lambda c: audit.deadline_mismatches(c, unit_id, period)),
            ("simulate", lambda c: whatif.simulate(c, period, unit_id, {"2.000304": {"electronic_results": 500}})),
            ("what_would_it_take", lambda c: whatif.what_would_it_take(c, period, unit_id, "digitization",
                                                                       to_next_grade=True)),
        ],
        "compare": [
            ("unit_scores", lambda c: scores.unit_scores(c)),
            ("unit_rankings", lambda c: rankings.unit_rankings(c, component="total")),
        ],
        "targets": [
            ("target_status", lambda c: plan_targets.target_status(c, None, unit_id)),
            ("task_followup", lambda c: tasks.task_followup(c, None, unit_id, through=period, as_of=as_of)),
        ],
        "dossiers": [
            ("default_as_of", lambda c: dossiers.default_as_of(c, unit_id, period)),
            ("worklist", lambda c: dossiers.worklist(c, as_of, unit_id, within_days=5)),
            ("overdue_audit_summary", lambda c: dossiers.overdue_audit_summary(c, period, unit_id)),
            ("overdue_audit", lambda c: dossiers.overdue_audit(c, period, unit_id)),
            ("nowcast", lambda c: dossiers.nowcast(c, as_of, unit_id, period)),
        ],
        "data_manager": [
            ("freshness", lambda c: inventory.freshness(c)),
            ("illustrative_rows", lambda c: inventory.illustrative_rows(c)),
            ("ingest_log", lambda c: inventory.ingest_log(c)),
            ("rejects", lambda c: inventory.rejects(c)),
        ],
    }


def query_times(db: Path, repeat: int = 1) -> dict[str, list[tuple[str, float]]]:
    """Seconds per analysis per page, each on a fresh read-only connection (median of ``repeat``). Each repetition
    is the page's first visit after the data changed: what readers keep per version of the file
    (``db.per_version``) is dropped before it, and the page's analyses then run in order, sharing it."""
    from analytics.db import forget_versions

    out = {}
    for page, calls in page_queries().items():
        times: dict[str, list[float]] = {name: [] for name, _ in calls}
        for _ in range(repeat):
            forget_versions()
            for name, fn in calls:
                con = duckdb.connect(str(db), read_only=True)
                try:
                    start = time.perf_counter()
                    fn(con)
                    times[name].append(time.perf_counter() - start)
                except Exception as exc:  # report, keep measuring the rest
                    print(f"    {page}/{name}: {type(exc).__name__}: {exc}", file=sys.stderr)
                    times[name].append(float("nan"))
                finally:
                    con.close()
        out[page] = [(name, statistics.median(times[name])) for name, _ in calls]
    return out


def render_times(db: Path) -> dict[str, tuple[float, float]]:
    """(cold, warm) seconds of an AppTest run of each page on ``db``: caches cleared just before the page's
    first run, then the page run again (what a second visit costs)."""
    import logging

    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from streamlit import logger as st_logger

    st_logger.set_log_level(logging.ERROR)  # AppTest's "missing ScriptRunContext" notes are noise here
    os.environ["ANALYTICS_DB"] = str(db)
    out = {}
    for page in page_queries():
        if not (ROOT / "analytics" / "dashboard" / "views" / f"{page}.py").exists():
            continue  # a part of a page opened by the reader (the memo), not a page of its own
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=900)
        at.query_params["period"] = PERIOD
        at.run()  # AppTest needs one run before it can switch pages
        if page != "overview":
            at.switch_page(f"analytics/dashboard/views/{page}.py")
        st.cache_data.clear()
        st.cache_resource.clear()
        times = []
        for _ in range(2):
            start = time.perf_counter()
            at.run()
            times.append(time.perf_counter() - start)
            if at.exception:
                print(f"    {page}: {at.exception[0].value}", file=sys.stderr)
        out[page] = (times[0], times[1])
    return out


NAV = [("components", "Thành phần", "Điểm thành phần qua các kỳ"), ("why_low", "Vì sao thấp?", "Rà soát thời hạn giải quyết"),
       ("compare", "So sánh", "Bản đồ nhiệt các thành phần"), ("targets", "Mục tiêu", "Khoảng cách đến chỉ tiêu"),
       ("data_manager", "Dữ liệu", "Nhật ký nạp dữ liệu"), ("overview", "Tổng quan", "Những điểm chính cho cuộc họp")]


def browser_navigation(page, rounds: int = 2) -> dict[str, list[float]]:
    """Seconds from a click in the sidebar menu to the page fully drawn, per page and round (round 1 is the
    page's first visit in this server, round 2 a return visit)."""
    from analytics.demo.serve import wait_rendered

    out: dict[str, list[float]] = {}
    for _ in range(rounds):
        for key, label, marker in NAV:
            start = time.perf_counter()
            page.locator('[data-testid="stSidebarNav"]').get_by_text(label, exact=True).click()
            page.get_by_text(marker, exact=False).first.wait_for(timeout=300_000)
            wait_rendered(page, timeout_ms=300_000)
            out.setdefault(key, []).append(time.perf_counter() - start)
    return out


def cold_start(db: Path) -> dict[str, float] | None:
    """Seconds from `streamlit run` to healthy, to the first rendered Overview, and to a warm reopen."""
    from analytics.demo.serve import browser_page, chromium_path, running_app, wait_rendered

    if chromium_path() is None:
        print("  (no Chromium at /usr/bin/chromium: cold start in the browser not measured)")
        return None
    started = time.perf_counter()
    with running_app(db) as url:
        healthy = time.perf_counter() - started
        with browser_page() as page:
            page.goto(f"{url}/?period={PERIOD}")
            page.locator('[data-testid="stMetric"]').first.wait_for(timeout=900_000)
            page.locator('[data-testid="stPlotlyChart"] .main-svg').first.wait_for(timeout=900_000)
            wait_rendered(page, "Những điểm chính cho cuộc họp", timeout_ms=900_000)
            first = time.perf_counter() - started
            nav = browser_navigation(page)
            t0 = time.perf_counter()
            page.goto(f"{url}/?period={PERIOD}")
            page.locator('[data-testid="stPlotlyChart"] .main-svg').first.wait_for(timeout=120_000)
            wait_rendered(page, "Những điểm chính cho cuộc họp", timeout_ms=120_000)
            warm = time.perf_counter() - t0
    return {"healthy_s": healthy, "first_overview_s": first, "warm_reopen_s": warm, "navigation": nav}


TRIVIAL_APP = """
import plotly.express as px
import streamlit as st

st.title("Trivial")
st.plotly_chart(px.bar(x=["a", "b", "c"], y=[1, 3, 2]))
"""
OVERVIEW_DONE = "Những điểm chính cho cuộc họp"  # the findings' heading: the Overview's last part to wait for


def cold_first(db: Path, script: Path | None = None, overview: bool | None = None) -> dict[str, float]:
    """One cold start: seconds from `streamlit run` to healthy, to the first screen drawn in headless Chromium
    (the Overview: a tile, a Plotly chart and the findings visible; ``script`` given, e.g. the trivial app: its
    chart; ``overview=True`` with a ``script``: another checkout's app.py), and to the script's run finished (no
    running indicator)."""
    overview = script is None if overview is None else overview
    from analytics.demo.serve import browser_page, running_app, wait_rendered

    started = time.perf_counter()
    with running_app(db, script=script) as url:
        healthy = time.perf_counter() - started
        with browser_page() as page:
            page.goto(f"{url}/?period={PERIOD}")
            page.locator('[data-testid="stPlotlyChart"] .main-svg').first.wait_for(timeout=900_000)
            if overview:
                page.locator('[data-testid="stMetric"]').first.wait_for(timeout=900_000)
                page.get_by_text(OVERVIEW_DONE, exact=False).first.wait_for(timeout=900_000)
            first = time.perf_counter() - started
            wait_rendered(page, timeout_ms=900_000)
            done = time.perf_counter() - started
    return {"healthy_s": healthy, "first_s": first, "done_s": done}


def cold_only(dbs: list[tuple[str, Path]], runs: int) -> None:
    """``runs`` cold starts of the Overview and of the trivial app, alternating, per database; medians and ranges."""
    from analytics.demo.serve import chromium_path

    if chromium_path() is None:
        print("  (no Chromium at /usr/bin/chromium: cold start in the browser not measured)")
        return
    OUT.mkdir(parents=True, exist_ok=True)
    trivial = OUT / "trivial_app.py"
    trivial.write_text(TRIVIAL_APP, encoding="utf-8")
    load = os.getloadavg()
    print(f"machine: {os.cpu_count()} cores, load average {load[0]:.1f} at the start (shared machine)")

    def span(xs: list[float]) -> str:
        return f"{statistics.median(xs):.2f} ({min(xs):.2f}–{max(xs):.2f})"

    for label, db in dbs:
        ours, base = [], []
        for _ in range(runs):
            ours.append(cold_first(db))
            base.append(cold_first(db, trivial))
        print(f"\ncold start, {label} ({runs} runs each, alternating): median (min–max) s")
        print(f"  {'':34s} {'healthy':>18s} {'first screen':>18s} {'run finished':>18s}")
        for name, xs in (("Overview (app.py)", ours), ("trivial app, one Plotly chart", base)):
            print(f"  {name:34s} " + " ".join(f"{span([x[k] for x in xs]):>18s}"
                                              for k in ("healthy_s", "first_s", "done_s")))
        diff = {k: statistics.median([x[k] for x in ours]) - statistics.median([x[k] for x in base])
                for k in ("healthy_s", "first_s", "done_s")}
        print(f"  {'difference (medians)':34s} " + " ".join(f"{diff[k]:>+18.2f}" for k in ("healthy_s", "first_s",
                                                                                             "done_s")))


def big_database(demo: Path, rows: int) -> Path:
    """The demo database plus ``rows`` generated filing rows loaded through the real ingest path (cached):
    ``benchmarks/scale_speed.py``'s ``build_big_db``."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from scale_speed import build_big_db

    return build_big_db(OUT / f"big-{rows}.duckdb", rows)


def print_cold(cs: dict, label: str) -> None:
    print(f"cold start ({label}): server healthy {cs['healthy_s']:.1f} s; first Overview rendered in Chromium "
          f"{cs['first_overview_s']:.1f} s; full reload of the Overview (warm) {cs['warm_reopen_s']:.1f} s")
    print("  menu click → page drawn in Chromium (first visit / return visit): " + "; ".join(
        f"{k} {v[0]:.1f}/{v[-1]:.1f} s" for k, v in cs["navigation"].items()))


def report(title: str, queries: dict, renders: dict | None) -> None:
    print(f"\n{title}")
    print(f"  {'page':14s} {'query s':>9s} {'render cold s':>14s} {'render warm s':>14s}   slowest analysis")
    for page, rows in queries.items():
        total = sum(t for _, t in rows if t == t)
        slow = max(rows, key=lambda r: r[1] if r[1] == r[1] else -1)
        cold, warm = renders.get(page, (float("nan"),) * 2) if renders else (float("nan"),) * 2
        print(f"  {page:14s} {total:9.2f} {cold:14.2f} {warm:14.2f}   {slow[0]} {slow[1]:.2f} s")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", default=str(ROOT / "data" / "curated" / "analytics.duckdb"))
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--skip-browser", action="store_true")
    ap.add_argument("--skip-big", action="store_true")
    ap.add_argument("--only", choices=["cold"], help="measure only the cold start, beside the trivial app")
    ap.add_argument("--runs", type=int, default=3, help="with --only cold: runs of each app")
    ap.add_argument("--big", type=Path, help="with --only cold: also this (large) database, opened read-only")
    args = ap.parse_args(argv)
    demo = Path(args.db)
    if not demo.exists():
        from analytics.demo.build import build_demo_db

        print(f"building the demo database at {demo} …")
        build_demo_db(demo, verbose=False)
    print(f"demo database: {demo} ({demo.stat().st_size / 1e6:.1f} MB)")
    if args.only == "cold":
        cold_only([("demo database", demo)] + ([("large database", args.big)] if args.big else []), args.runs)
        return 0
    if not args.skip_browser:
        cs = cold_start(demo)
        if cs:
            print_cold(cs, "demo")
    report("demo database", query_times(demo, repeat=3), render_times(demo))
    if not args.skip_big:
        big = big_database(demo, args.rows)
        print(f"10M database: {big} ({big.stat().st_size / 1e6:.0f} MB)")
        if not args.skip_browser:
            cs = cold_start(big)
            if cs:
                print_cold(cs, f"+{args.rows:,} rows")
        report(f"demo database + {args.rows:,} generated filing rows", query_times(big), render_times(big))
    return 0


if __name__ == "__main__":
    sys.exit(main())
