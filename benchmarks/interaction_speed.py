"""Interaction speed: for each click a reader makes, the time from the click (or key press) to the changed part
drawn in headless Chromium, beside a baseline measured in the same run (a trivial Streamlit app whose selectbox
redraws one Plotly chart, started the same way); and each page's query time (its analyses run directly).

    PYTHONPATH=$PWD .venv/bin/python benchmarks/interaction_speed.py [--db data/curated/analytics.duckdb]
        [--reps 5] [--big PATH] [--skip-browser] [--skip-queries]

Figures printed (nothing asserted):
- per interaction, ≥ ``--reps`` repetitions alternating between two states: median, p95, min–max in seconds. The
  clock starts just before the click/key press and stops when a text or tile that only the new state shows is
  visible (expected values are computed from the analyses themselves, so a stale screen never counts as drawn);
- per page, the analyses it calls (``benchmarks/dashboard_speed.py`` ``page_queries``) run on a read-only
  connection, ≥ ``--reps`` runs: p50/p95 of the page's total, on the demo database and, with ``--big PATH``, on a
  large database (e.g. 10 million filing rows built by ``benchmarks/scale_speed.py``).
The machine may be shared: compare the interactions with the baseline of the same run, not across runs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import duckdb  # noqa: E402

from analytics.demo.serve import browser_page, running_app, wait_rendered  # noqa: E402
from analytics.formatting import fmt_count, fmt_points  # noqa: E402

PERIOD, UNIT_ID, UNIT = "2024Q2", "so cong thuong", "Sở Công Thương"
FIRST_MS, STEP_MS = 600_000, 60_000

BASELINE_APP = textwrap.dedent('''
    import plotly.graph_objects as go
    import streamlit as st

    choice = st.selectbox("Chọn", ["A", "B"], key="choice")
    fig = go.Figure(go.Bar(x=[1, 2, 3], y=[1, 3, 2] if choice == "A" else [3, 1, 2]))
    fig.update_layout(title=f"Biểu đồ {choice}")
    st.plotly_chart(fig)
''')


@dataclass
class Interaction:
    name: str
    url: str  # path and query string
    ready: str  # text the page shows once drawn
    states: list[tuple[Callable, Callable]]  # (act(page), drawn(page)) for each state, alternated


# --- what the page does and what only the new state shows ------------------------------------------------

def choose(page, combobox: str, option: str) -> float:
    """Pick ``option`` in a selectbox by typing it (as a reader searching the list does) and pressing Enter."""
    box = page.get_by_role("combobox", name=combobox).first
    box.click()
    box.press_sequentially(option, delay=0)
    page.get_by_role("option").filter(has_text=option).first.wait_for(timeout=STEP_MS)
    start = time.perf_counter()
    box.press("Enter")
    return start


def radio(page, group: str, option: str):
    box = page.locator('[data-testid="stRadio"]').filter(has_text=group).first
    start = time.perf_counter()
    box.get_by_text(option, exact=True).first.click()
    return start


def text_drawn(text: str) -> Callable:
    return lambda page: page.get_by_text(text, exact=False).first.wait_for(timeout=STEP_MS)


def metric_drawn(label: str, value: str) -> Callable:
    """A tile whose label is ``label`` shows ``value``."""
    js = """([label, value]) => [...document.querySelectorAll('[data-testid="stMetric"]')].some(m => {
        const l = m.querySelector('[data-testid="stMetricLabel"]'); const v = m.querySelector('[data-testid="stMetricValue"]');
        return l && v && l.innerText.trim() === label && v.innerText.trim() === value; })"""
    return lambda page: page.wait_for_function(js, arg=[label, value], timeout=STEP_MS)


def expected(db: Path) -> dict:
    """The values each state shows, from the analyses the pages call."""
    from analytics.analyses import dossiers, explain, plan_targets, scores, whatif
    from analytics.definition import load_definition

    con = duckdb.connect(str(db), read_only=True)
    try:
        d = load_definition()
        out = {}
        for comp in ("digitization", "online_services"):
            subs = explain.subindicator_breakdown(con, PERIOD, UNIT_ID, comp)
            r = subs.iloc[0]
            out[comp] = f"{fmt_points(r['component_points_published'])}/{fmt_points(d.common_max(comp))}"
        subs = explain.subindicator_breakdown(con, PERIOD, UNIT_ID, "digitization")
        codes = [c for c in subs["code"] if d.subindicator(c).filing_field and d.subindicator(c).filing_denominator
                 and d.subindicator(c).scope != "province"]
        stake = subs.set_index("code")["points_at_stake"].fillna(-1).to_dict()
        codes.sort(key=lambda c: -stake[c])
        out["codes"] = []
        for c in codes:
            p = explain.shortfall_pareto(con, PERIOD, UNIT_ID, c)
            if len(p):
                label = d.subindicator(c).label("vi")
                out["codes"].append((c, label, f"Cần thêm {fmt_count(p['filings_to_full_points'].iloc[0])} hồ sơ"))
        code = out["codes"][0][0]
        field = d.subindicator(code).filing_field
        pareto = explain.shortfall_pareto(con, PERIOD, UNIT_ID, code).sort_values("shortfall_filings", ascending=False)
        procs = []
        for rec in pareto.head(3).to_dict("records"):
            cap = int(rec["shortfall_filings"] or 0)
            n = min(max(cap // 2, 1), max(cap, 1))
            total = whatif.simulate(con, PERIOD, UNIT_ID, {rec["procedure_code"]: {field: n}})
            after = total[total["level"] == "total"]["points_after"].iloc[0]
            procs.append((rec["procedure_code"], rec["procedure_name"], cap, fmt_points(after)))
        out["procs"] = procs
        p0, cap0 = procs[0][0], procs[0][2]
        out["n"] = []
        for n in (max(cap0 // 4, 1), cap0):
            total = whatif.simulate(con, PERIOD, UNIT_ID, {p0: {field: n}})
            out["n"].append((n, fmt_points(total[total["level"] == "total"]["points_after"].iloc[0])))
        s = scores.unit_scores(con, PERIOD)
        s = s[(s["component"] == "total") & (s["unit_level"] != "province")]
        out["levels"] = {lv: f"{s[s['unit_level'] == lv]['unit_id'].nunique()} đơn vị" for lv in ("department", "district")}
        out["targets"] = {}
        for only in (False, True):
            t = plan_targets.target_status(con, PERIOD if only else None, UNIT_ID, through=PERIOD)
            t = t[t["unit_id"] == UNIT_ID]
            met = int(t["met"].map(lambda m: m is True or m == True).sum())  # noqa: E712
            out["targets"][only] = (str(met), str(int(t["met"].notna().sum()) - met))
        as_of = dossiers.default_as_of(con, UNIT_ID, "2025Q2")
        wl = dossiers.worklist(con, as_of, UNIT_ID, within_days=5)
        dept = wl["department"].value_counts().idxmax()  # the department with most dossiers due
        out["worklist"] = (dept, fmt_count(int((wl["state"] == "open").sum())),
                           fmt_count(int((wl[wl["department"] == dept]["state"] == "open").sum())))
        return out
    finally:
        con.close()


def interactions(e: dict) -> list[Interaction]:
    q = f"?unit={UNIT_ID.replace(' ', '+')}&period={PERIOD}"
    (c0, l0, t0), (c1, l1, t1) = e["codes"][:2]
    procs, ns = e["procs"], e["n"]
    n_box = "Số hồ sơ cải thiện thêm"

    def set_n(n):
        def act(page):
            box = page.get_by_role("textbox", name=n_box).first
            box.fill(str(n))
            start = time.perf_counter()
            box.press("Enter")
            return start
        return act

    def toggle(page):
        box = page.locator('[data-testid="stCheckbox"]').filter(has_text="Chỉ hiện chỉ tiêu").first
        start = time.perf_counter()
        box.locator("label").first.click()
        return start

    dept, n_all, n_dept = e["worklist"]

    def pick_dept(page):
        page.get_by_role("combobox", name="Phòng xử lý").first.click()
        start = time.perf_counter()
        page.get_by_role("option", name=dept, exact=True).first.click()
        return start

    def clear_dept(page):
        box = page.get_by_role("combobox", name="Phòng xử lý").first
        box.click()
        start = time.perf_counter()
        box.press("Backspace")
        return start

    def memo_panel(page):
        head = page.locator('[data-testid="stExpander"] summary').filter(has_text="Soạn công văn").first
        head.scroll_into_view_if_needed()
        start = time.perf_counter()
        head.click()
        return start

    nav = lambda label: (lambda page: (time.perf_counter(), page.get_by_role("link", name=label).first.click())[0])  # noqa: E731
    return [
        Interaction("Vì sao thấp?: switch component", f"/vi-sao-thap{q}", "Thử tính", [
            (lambda p: radio(p, "Thành phần cần xem", "Dịch vụ công trực tuyến"), text_drawn(e["online_services"])),
            (lambda p: radio(p, "Thành phần cần xem", "Số hóa hồ sơ"), text_drawn(e["digitization"]))]),
        Interaction("Vì sao thấp?: switch sub-indicator", f"/vi-sao-thap{q}", "Thử tính", [
            (lambda p: choose(p, "Chỉ số thành phần", l1), text_drawn(t1)),
            (lambda p: choose(p, "Chỉ số thành phần", l0), text_drawn(t0))]),
        Interaction("Vì sao thấp?: pick a what-if procedure", f"/vi-sao-thap{q}", "Thử tính", [
            (lambda p: choose(p, "Thủ tục", procs[1][1]), metric_drawn("Tổng điểm", procs[1][3])),
            (lambda p: choose(p, "Thủ tục", procs[0][1]), metric_drawn("Tổng điểm", procs[0][3]))]),
        Interaction("Vì sao thấp?: change what-if N", f"/vi-sao-thap{q}", "Thử tính", [
            (set_n(ns[0][0]), metric_drawn("Tổng điểm", ns[0][1])), (set_n(ns[1][0]), metric_drawn("Tổng điểm", ns[1][1]))]),
        Interaction("Tổng quan: open / close the memo", f"/{q}", "Những điểm chính cho cuộc họp", [
            (memo_panel, lambda p: p.get_by_text("Tải công văn (Word)").first.wait_for(timeout=STEP_MS)),
            (memo_panel, lambda p: p.get_by_text("Tải công văn (Word)").first.wait_for(state="hidden",
                                                                                       timeout=STEP_MS))]),
        Interaction("sidebar: change period", f"/{q}", "Những điểm chính cho cuộc họp", [
            (lambda p: choose(p, "Kỳ đánh giá", "Quý III/2024"), text_drawn("Tổng quan Sở Công Thương — Quý III/2024")),
            (lambda p: choose(p, "Kỳ đánh giá", "Quý II/2024"), text_drawn("Tổng quan Sở Công Thương — Quý II/2024"))]),
        Interaction("switch page (Tổng quan ↔ Thành phần)", f"/{q}", "Những điểm chính cho cuộc họp", [
            (nav("Thành phần"), text_drawn("Thành phần — Sở Công Thương, Quý II/2024")),
            (nav("Tổng quan"), text_drawn("Tổng quan Sở Công Thương — Quý II/2024"))]),
        Interaction("So sánh: level picker", f"/so-sanh{q}", "Bản đồ nhiệt các thành phần", [
            (lambda p: radio(p, "Cấp đơn vị", "UBND cấp huyện"), text_drawn(e["levels"]["district"])),
            (lambda p: radio(p, "Cấp đơn vị", "Sở, ban, ngành"), text_drawn(e["levels"]["department"]))]),
        Interaction("Mục tiêu: only this period", f"/muc-tieu{q}", "Khoảng cách đến chỉ tiêu", [
            (toggle, metric_drawn("Chưa đạt", e["targets"][True][1])),
            (toggle, metric_drawn("Chưa đạt", e["targets"][False][1]))]),
        Interaction("Hồ sơ: department filter", f"/ho-so?unit={UNIT_ID.replace(' ', '+')}&period=2025Q2",
                    "Hồ sơ đang xử lý sắp đến hạn", [
            (pick_dept, metric_drawn("Hồ sơ đang xử lý sắp đến hạn", n_dept)),
            (clear_dept, metric_drawn("Hồ sơ đang xử lý sắp đến hạn", n_all))]),
    ]


def summary(times: list[float]) -> str:
    if not times:
        return "—"
    s = sorted(times)
    p95 = s[min(len(s) - 1, round(0.95 * (len(s) - 1)))]
    return f"{statistics.median(s):6.2f} {p95:6.2f}   {s[0]:.2f}–{s[-1]:.2f}"


def measure(page, url: str, ready: str, states, reps: int) -> list[float]:
    page.goto(url)
    wait_rendered(page, ready, timeout_ms=FIRST_MS)
    times = []
    for i in range(reps + 1):  # the first step warms the caches of the other state; it is not counted
        act, drawn = states[i % len(states)]
        start = act(page)
        drawn(page)
        if i:
            times.append(time.perf_counter() - start)
        page.wait_for_timeout(300)
    return times


def baseline(reps: int) -> list[float]:
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "baseline_app.py"
        script.write_text(BASELINE_APP, encoding="utf-8")
        with running_app(Path(tmp) / "none.duckdb", script=script) as url, browser_page(1280, 720) as page:
            return measure(page, url, "Biểu đồ A", [
                (lambda p: choose(p, "Chọn", "B"), text_drawn("Biểu đồ B")),
                (lambda p: choose(p, "Chọn", "A"), text_drawn("Biểu đồ A"))], reps)


def browser_figures(db: Path, reps: int) -> None:
    e = expected(db)
    base = baseline(reps)
    print(f"\nclick → changed part drawn, headless Chromium 1280×720, {reps} repetitions (s)")
    print(f"  {'interaction':44s} {'median':>6s} {'p95':>6s}   min–max")
    print(f"  {'baseline: trivial app, selectbox → 1 chart':44s} {summary(base)}")
    with running_app(db) as url, browser_page(1280, 720) as page:
        for it in interactions(e):
            try:
                times = measure(page, url + it.url, it.ready, it.states, reps)
                print(f"  {it.name:44s} {summary(times)}", flush=True)
            except Exception as exc:  # report, measure the rest
                print(f"  {it.name:44s} failed: {type(exc).__name__}: {str(exc).splitlines()[0][:120]}", flush=True)


def query_figures(db: Path, label: str, reps: int) -> None:
    from dashboard_speed import page_queries

    from analytics.db import forget_versions

    print(f"\npage queries on {label} ({db}), {reps} runs, read-only connection (s); each run the page's first "
          "visit after the data changed (nothing of this version of the file read before)")
    print(f"  {'page':14s} {'p50':>7s} {'p95':>7s}   slowest analysis (median)")
    con = duckdb.connect(str(db), read_only=True)
    try:
        for page, calls in page_queries().items():
            totals, per = [], {name: [] for name, _ in calls}
            for _ in range(reps):
                forget_versions()  # what readers keep per version of the file (db.per_version) starts empty
                total = 0.0
                for name, fn in calls:
                    start = time.perf_counter()
                    try:
                        fn(con)
                    except Exception as exc:
                        print(f"    {page}/{name}: {type(exc).__name__}: {exc}", file=sys.stderr)
                    took = time.perf_counter() - start
                    per[name].append(took)
                    total += took
                totals.append(total)
            s = sorted(totals)
            p95 = s[min(len(s) - 1, round(0.95 * (len(s) - 1)))]
            slow = max(per, key=lambda n: statistics.median(per[n]))
            print(f"  {page:14s} {statistics.median(s):7.3f} {p95:7.3f}   {slow} {statistics.median(per[slow]):.3f}")
    finally:
        con.close()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", default=str(ROOT / "data" / "curated" / "analytics.duckdb"))
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--big", help="an existing large database (e.g. 10M filing rows) for the page queries")
    ap.add_argument("--skip-browser", action="store_true")
    ap.add_argument("--skip-queries", action="store_true")
    args = ap.parse_args(argv)
    db = Path(args.db)
    if not db.exists():
        from analytics.demo.build import build_demo_db

        print(f"building the demo database at {db} …", file=sys.stderr)
        build_demo_db(db, verbose=False)
    reps = max(5, args.reps)
    if not args.skip_queries:
        query_figures(db, "the demo database", reps)
        if args.big:
            query_figures(Path(args.big), "the large database", reps)
    if not args.skip_browser:
        browser_figures(db, reps)
    return 0


if __name__ == "__main__":
    sys.exit(main())
