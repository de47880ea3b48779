"""In a real browser, Streamlit's own widget texts are Vietnamese in Vietnamese mode: the uploader's button,
instructions and size limit, a refused file type, and the empty result of a search in a selectbox; every
accessible label, tooltip, placeholder and visible text of every page (tooltips, menus, the calendar and a file's
chip opened); and the unit search finds a unit typed without diacritics."""

from __future__ import annotations

import re

import pytest

from analytics.demo.serve import browser_page, full_page_screenshot, page_strings, running_app, wait_rendered
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


# English words of interface texts (Streamlit's and Plotly's labels, tooltips and statuses, and common others):
# a label or visible text holding one of them, outside data such as file names, is English on a Vietnamese screen
ENGLISH_WORDS = set("""
help for open close clear all collapse expand sidebar main menu app pages navigate home skip content link heading
running stop stopping rerun connecting remove option selected values choose options decrement increment download
search previous next result results fullscreen exit show hide columns column copy name file files upload add
cancel click retry delete bytes icon scroll tabs left right notifications date day month year today calendar
empty plot zoom pan autoscale reset axes view box lasso select toggle spike lines closest data hover compare
january february march april june july august september october november december monday tuesday wednesday
thursday friday saturday sunday the and of with button press type more less value loading error submit row rows
edit table chart image settings theme print record drag drop browse per limit not allowed
""".split())
DATA = re.compile(r"[\w.-]+\.(json|csv|xlsx|xls|parquet|ods|txt)\b|\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b|https?://\S+")
KEPT = {"English"}  # the language switch names the other language in its own words
# not listed, though English: words Vietnamese writes the same ("Phóng to", "may rủi") or keeps (the Enter key)


def english(strings) -> list[tuple[str, str]]:
    """The (where, text) pairs holding an English interface word."""
    found = []
    for where, text in strings:
        if text in KEPT:
            continue
        words = re.findall(r"[^\W\d_]+", DATA.sub(" ", text))  # whole words: "toàn" is not "to"
        if any(w.lower() in ENGLISH_WORDS for w in words if w.isascii()):
            found.append((where, text))
    return sorted(set(found))


PAGES = [("", "Những điểm chính cho cuộc họp", "2024Q2"), ("thanh-phan", "Điểm thành phần qua các kỳ", "2024Q2"),
         ("vi-sao-thap", "Thử tính: nếu cải thiện", "2024Q2"), ("so-sanh", "Bản đồ nhiệt các thành phần", "2024Q2"),
         ("muc-tieu", "Khoảng cách đến chỉ tiêu", "2024Q2"), ("ho-so", "Hồ sơ — Sở Công Thương", "2024Q1"),
         ("du-lieu", "Nhật ký nạp dữ liệu", "2024Q2"), ("huong-dan", "Ban Giám đốc", "2024Q2")]
ENGLISH_TEXT = {"": "Key findings for the meeting", "du-lieu": "Ingest log"}
MEMO_PANEL = re.compile("Soạn công văn|Draft the memo")


def _settle(page, ms: int = 400) -> None:
    page.wait_for_timeout(ms)  # the page's MutationObserver runs after Streamlit's change


def _opened(page, path: str, period_box: str = "Kỳ đánh giá") -> list[tuple[str, str]]:
    """The page's strings as loaded, then with its parts opened: a help tooltip, a table's toolbar and a tooltip
    of it, the period list, the calendar (Hồ sơ), a file's chip (Dữ liệu) and the memo's panel (Tổng quan)."""
    if path == "":  # the memo's panel, computed once opened: its date box and task editor
        head = page.locator('[data-testid="stExpander"] summary').filter(has_text=MEMO_PANEL).first
        head.scroll_into_view_if_needed()
        head.click()
        page.locator('[data-testid="stDataFrame"]:visible').first.wait_for(timeout=RERUN_MS)
        _settle(page)
    seen = page_strings(page)
    help_icon = page.locator('[data-testid="stTooltipHoverTarget"]').first
    if help_icon.count():
        help_icon.hover()
        _settle(page)
        seen += page_strings(page)
    grid = page.locator('[data-testid="stDataFrame"]:visible').first
    if grid.count():
        grid.scroll_into_view_if_needed()
        grid.hover()
        _settle(page)
        tool = page.locator('[data-testid="stElementToolbar"] button:visible').first
        if tool.count():
            tool.hover()
            _settle(page)
        seen += page_strings(page)
    page.get_by_role("combobox", name=period_box).click()
    _settle(page)
    seen += page_strings(page)
    page.keyboard.press("Escape")
    if path == "ho-so":
        page.locator('[data-testid="stDateInputCalendarButton"]').first.click()
        _settle(page, 800)
        seen += page_strings(page)
        page.keyboard.press("Escape")
    if path == "du-lieu":
        page.set_input_files('[data-testid="stFileUploaderDropzoneInput"]',
                             files=[{"name": "ghi-chu.txt", "mimeType": "text/plain", "buffer": b"ghi chu"}])
        page.locator('[data-testid="stFileChip"]').first.wait_for(timeout=RERUN_MS)
        _settle(page)
        seen += page_strings(page)
    return seen


def test_no_english_label_tooltip_or_text_on_any_page(chromium, demo_db, tmp_path):
    """Every page in Vietnamese, opened part by part: no English aria-label, title, placeholder or visible text;
    the same scan over pages in English finds Streamlit's English (the check can fail)."""
    OUT.mkdir(exist_ok=True)
    with running_app(demo_db, uploads=tmp_path / "uploads", log=tmp_path / "streamlit.log") as url, \
            browser_page(width=1280, height=720) as page:
        strings: dict[str, list] = {}
        for path, text, period in PAGES:
            page.goto(f"{url}/{path}?period={period}")
            wait_rendered(page, text, timeout_ms=FIRST_RENDER_MS)
            _settle(page, 1000)
            strings[path] = _opened(page, path)
            assert len(strings[path]) > 100, path
        for path, found in strings.items():
            assert english(found) == [], (path, english(found))
        labels = {text for path in strings for where, text in strings[path] if where != "text"}
        assert {"Thu gọn thanh bên", "Mở danh sách", "Trợ giúp: Tìm đơn vị", "Tải xuống dạng CSV",
                "Toàn màn hình", "Tải ảnh PNG", "Chọn ngày", "Bỏ ghi-chu.txt", "ghi-chu.txt, 7,0 byte"} <= labels
        visible = {text for path in strings for where, text in strings[path] if where == "text"}
        assert {"Tải xuống dạng CSV", "Chuyển đến nội dung chính"} & visible

        # the control: in English the same scan finds Streamlit's texts
        for path in ENGLISH_TEXT:
            page.goto(f"{url}/{path}?period=2024Q2&lang=en")
            wait_rendered(page, ENGLISH_TEXT[path], timeout_ms=RERUN_MS)
            _settle(page, 1000)
            found = {text for _, text in english(_opened(page, path, "Period"))}
            assert {"Collapse sidebar", "Open", "Help for Find a unit", "Download as CSV"} <= found, found


def test_the_page_script_translates_what_streamlit_adds_later(chromium, demo_db, tmp_path):
    """Texts that appear only for a moment (the running status) or on rare widgets: an element added with each
    gets its Vietnamese text at once; in English the originals come back."""
    samples = {"Running...": "Đang chạy…", "Stop": "Dừng", "Clear all": "Xóa hết", "Expand sidebar": "Mở thanh bên",
               "Remove option": "Bỏ lựa chọn", "12.3KB": "12,3 KB", "Help for Kỳ đánh giá": "Trợ giúp: Kỳ đánh giá",
               "Selected Date: March 15, 2026": "Ngày đã chọn: 15 tháng 3 năm 2026", "15 – March": "15 – tháng 3",
               "Sunday, March 15, 2026": "Chủ nhật, 15 tháng 3 năm 2026", "March 2026": "tháng 3 năm 2026",
               "Tổng điểm": "Tổng điểm"}
    add = """(samples) => { for (const s of samples) { const b = document.createElement('button');
        b.className = 'probe'; b.setAttribute('aria-label', s); b.textContent = s; document.body.appendChild(b); } }"""
    read = "() => [...document.querySelectorAll('button.probe')].map(b => [b.getAttribute('aria-label'), b.textContent])"
    with running_app(demo_db, uploads=tmp_path / "uploads", log=tmp_path / "streamlit.log") as url, \
            browser_page(width=1280, height=720) as page:
        page.goto(f"{url}/huong-dan")
        wait_rendered(page, "Ban Giám đốc", timeout_ms=FIRST_RENDER_MS)
        page.evaluate(add, list(samples))
        _settle(page)
        assert page.evaluate(read) == [[vi, vi] for vi in samples.values()]
        # the script's container takes no room on the page
        box = page.locator('.st-key-browser_texts').first
        assert box.count() == 1 and box.evaluate("e => getComputedStyle(e).display") == "none"
        # switching to English puts Streamlit's own texts back
        page.get_by_text("English", exact=True).click()
        page.get_by_text("User guide").first.wait_for(timeout=RERUN_MS)
        _settle(page)
        assert page.evaluate(read) == [[en, en] for en in samples]
        assert page.locator('[data-testid="stSidebar"] [aria-label="Collapse sidebar"]').count() == 1
