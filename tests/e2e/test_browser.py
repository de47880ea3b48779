"""One real browser: `streamlit run app.py` on a free 127.0.0.1 port with the demo database, driven by Debian's
headless Chromium (never downloaded). Skips locally without Chromium; under CI=true a missing Chromium fails."""

from __future__ import annotations


import pytest

from analytics.demo.serve import browser_page, full_page_screenshot, running_app, wait_rendered
from tests.conftest import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.slow]
OUT = ROOT / "test-output"
FIRST_RENDER_MS = 600_000  # a cold start computes every analysis once
RERUN_MS = 120_000


def test_overview_renders_in_a_real_browser_and_follows_the_period(chromium, demo_db, tmp_path):
    OUT.mkdir(exist_ok=True)
    with running_app(demo_db, uploads=tmp_path / "uploads", log=tmp_path / "streamlit.log") as url, \
            browser_page() as page:
        page.goto(f"{url}/?period=2024Q2")
        # the tiles and a chart
        page.locator('[data-testid="stMetric"]').first.wait_for(timeout=FIRST_RENDER_MS)
        page.get_by_text("63,48 / 100").first.wait_for(timeout=FIRST_RENDER_MS)
        page.locator('[data-testid="stPlotlyChart"] .main-svg').first.wait_for(timeout=FIRST_RENDER_MS)
        wait_rendered(page, "Tổng điểm qua các kỳ", timeout_ms=FIRST_RENDER_MS)
        body = page.inner_text("body")
        assert "63,48" in body and "Trung bình" in body and "−3,03 điểm" in body
        full_page_screenshot(page, OUT / "browser-overview-2024Q2.png")

        # change the period in the sidebar
        page.get_by_role("combobox", name="Kỳ đánh giá").click()
        page.get_by_role("option", name="Quý III/2024", exact=True).click()
        page.get_by_text("Tổng quan Sở Công Thương — Quý III/2024").wait_for(timeout=RERUN_MS)
        page.get_by_text("63,8 / 100").first.wait_for(timeout=RERUN_MS)
        wait_rendered(page, timeout_ms=RERUN_MS)
        assert "period=2024Q3" in page.url  # the view is in the link
        full_page_screenshot(page, OUT / "browser-overview-2024Q3.png")
    assert (OUT / "browser-overview-2024Q3.png").stat().st_size > 10_000


def test_the_first_screen_of_an_office_laptop_holds_the_four_figures(chromium, demo_db, tmp_path):
    """At 1280×720 with the sidebar open, a bare link shows, without scrolling: the total with its grade (whole),
    the change since last quarter (Q1/2024 published no total: it says so), and the two components that lose most."""
    with running_app(demo_db, uploads=tmp_path / "uploads", log=tmp_path / "streamlit.log") as url, \
            browser_page(width=1280, height=720) as page:
        page.goto(f"{url}/")
        wait_rendered(page, "Những điểm chính cho cuộc họp", timeout_ms=FIRST_RENDER_MS)
        page.get_by_text("Tổng quan Sở Công Thương — Quý II/2024").wait_for(timeout=RERUN_MS)

        def on_first_screen(text: str):
            box = page.get_by_text(text, exact=True).first.bounding_box()
            assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 720, (text, box)

        for figure in ("63,48 / 100", "Trung bình", "0,22 / 22", "7,46 / 22", "−3,03 điểm"):
            on_first_screen(figure)
        on_first_screen("Quý I/2024 chưa công bố tổng điểm")
        grade = page.get_by_text("Trung bình", exact=True).first
        assert grade.evaluate("e => e.scrollWidth <= e.clientWidth")  # shown whole, not "Trung b…"


def test_back_after_a_page_switch_returns_to_the_page_before_in_one_press(chromium, demo_db, tmp_path):
    """The menu's links carry ?unit=&period=&lang=, so a switch adds one history entry and Back goes to page A."""
    with running_app(demo_db, uploads=tmp_path / "uploads", log=tmp_path / "streamlit.log") as url, \
            browser_page() as page:
        page.goto(f"{url}/?period=2024Q3")
        page.get_by_text("Tổng quan Sở Công Thương — Quý III/2024").wait_for(timeout=FIRST_RENDER_MS)
        wait_rendered(page, timeout_ms=FIRST_RENDER_MS)
        page.get_by_role("link", name="Thành phần").first.click()
        page.get_by_text("Thành phần — Sở Công Thương, Quý III/2024").wait_for(timeout=RERUN_MS)
        wait_rendered(page, timeout_ms=RERUN_MS)
        assert "/thanh-phan?" in page.url and "period=2024Q3" in page.url and "unit=so+cong+thuong" in page.url
        page.go_back()
        page.get_by_text("Tổng quan Sở Công Thương — Quý III/2024").wait_for(timeout=RERUN_MS)
        wait_rendered(page, timeout_ms=RERUN_MS)
        assert "/thanh-phan" not in page.url and "period=2024Q3" in page.url
        assert page.get_by_text("Thành phần — Sở Công Thương, Quý III/2024").count() == 0
