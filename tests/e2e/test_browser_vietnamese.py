"""In a real browser, Streamlit's own widget texts are Vietnamese in Vietnamese mode: the uploader's button,
instructions and size limit, a refused file type, and the empty result of a search in a selectbox; and the unit
search finds a unit typed without diacritics."""

from __future__ import annotations

import pytest

from analytics.demo.serve import browser_page, full_page_screenshot, running_app, wait_rendered
from tests.conftest import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.slow]
OUT = ROOT / "test-output"
FIRST_RENDER_MS = 600_000
RERUN_MS = 120_000
ENGLISH = ("Upload", "per file", "Drag and drop", "Browse", "No results", "not allowed", "Error")


def after(page, selector: str) -> str:
    """The text CSS puts after an element (what the person sees in place of Streamlit's own)."""
    return page.eval_on_selector(selector, "e => getComputedStyle(e, '::after').content")


def test_the_data_page_uploader_speaks_vietnamese(chromium, demo_db, tmp_path):
    OUT.mkdir(exist_ok=True)
    with running_app(demo_db, uploads=tmp_path / "uploads", log=tmp_path / "streamlit.log") as url, \
            browser_page(width=1280, height=900) as page:
        page.goto(f"{url}/du-lieu?period=2024Q2")
        wait_rendered(page, "Nhật ký nạp dữ liệu", timeout_ms=FIRST_RENDER_MS)
        zone = '[data-testid="stFileUploaderDropzone"]'
        page.locator(zone).wait_for(timeout=RERUN_MS)
        seen = page.inner_text(zone)  # display:none text is not in innerText
        assert not [w for w in ENGLISH if w in seen], seen
        assert after(page, '[data-testid="stFileUploaderDropzoneInstructions"]').startswith('"Kéo thả tệp vào đây, tối đa 50 MB')
        assert after(page, f"{zone} button") == '"Chọn tệp"'
        assert page.locator(f"{zone} button").is_visible()
        # a file of another type reaches the server, which refuses it in Vietnamese
        page.set_input_files('[data-testid="stFileUploaderDropzoneInput"]',
                             files=[{"name": "ghi-chu.txt", "mimeType": "text/plain", "buffer": b"ghi chu"}])
        page.get_by_text("chỉ nhận tệp .xlsx, .xls, .xlsm, .ods, .csv, .json, .parquet").wait_for(timeout=RERUN_MS)
        body = page.inner_text("body")
        assert "not allowed" not in body and "Error:" not in body
        full_page_screenshot(page, OUT / "browser-data-upload-vi.png")

        # a search with no match in a selectbox says so in Vietnamese
        page.get_by_role("combobox", name="Kỳ đánh giá").click()
        page.keyboard.type("zzz")
        empty = '[role="listbox"] [role="option"][style*="contents"] > *'
        page.locator(empty).first.wait_for(timeout=RERUN_MS)
        assert after(page, empty) == '"Không tìm thấy"'
        # Streamlit's own "No results" stays in the page but takes no room: only the Vietnamese text is seen
        assert page.eval_on_selector(empty, "e => getComputedStyle(e).fontSize") == "0px"
        page.keyboard.press("Escape")


def test_the_unit_search_finds_a_unit_typed_without_diacritics(chromium, demo_db, tmp_path):
    with running_app(demo_db, uploads=tmp_path / "uploads", log=tmp_path / "streamlit.log") as url, \
            browser_page(width=1280, height=900) as page:
        page.goto(f"{url}/")
        wait_rendered(page, "Tổng quan Sở Công Thương — Quý II/2024", timeout_ms=FIRST_RENDER_MS)
        box = page.get_by_placeholder("Ví dụ: so tu phap")
        box.fill("so tu phap")
        box.press("Enter")
        page.get_by_text("Kết quả tìm (2 đơn vị)").wait_for(timeout=RERUN_MS)
        page.get_by_text("Sở Tư pháp - Tỉnh Phú Thọ", exact=True).click()
        page.get_by_text("Tổng quan Sở Tư pháp - Tỉnh Phú Thọ").first.wait_for(timeout=RERUN_MS)
        assert "unit=portal" in page.url
