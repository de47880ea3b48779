"""The Hồ sơ page in a real browser (headless Chromium): the overdue audit's 83 false overdue and the worklist."""

from __future__ import annotations

import pytest

from analytics.demo.serve import browser_page, full_page_screenshot, running_app, wait_rendered
from tests.conftest import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.slow]
OUT = ROOT / "test-output"
FIRST_RENDER_MS = 600_000
RERUN_MS = 120_000


def test_dossier_page_renders_in_a_real_browser(chromium, demo_db, tmp_path):
    OUT.mkdir(exist_ok=True)
    with running_app(demo_db, uploads=tmp_path / "uploads", log=tmp_path / "streamlit.log") as url, \
            browser_page() as page:
        page.goto(f"{url}/ho-so?period=2024Q1")
        page.get_by_text("Hồ sơ — Sở Công Thương").first.wait_for(timeout=FIRST_RENDER_MS)
        page.get_by_role("tab", name="Rà soát quá hạn").click()
        page.get_by_text("Quá hạn giả (đúng hạn theo thời hạn công bố)").first.wait_for(timeout=RERUN_MS)
        wait_rendered(page, timeout_ms=RERUN_MS)
        body = page.inner_text("body")
        assert "Hệ thống tính quá hạn" in body and "83" in body and "Minh họa" in body
        full_page_screenshot(page, OUT / "browser-dossiers-2024Q1.png")
    assert (OUT / "browser-dossiers-2024Q1.png").stat().st_size > 10_000
