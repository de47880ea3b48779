"""The Data page's upload under hostile files: an oversized-dimension workbook is refused with its message, a workbook
that makes the reader abort is parsed in a child process (the server keeps answering), and staging is private."""

from __future__ import annotations

import os
import stat
import tempfile
import urllib.request

import pytest

from tests.app.test_app import COLD_TIMEOUT, open_app, texts, upload
from conftest import table_snapshot
from ingest.test_hostile import NAME, index_xlsx, make_declared_huge, make_far_cell

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def app_env(monkeypatch, tmp_path):
    def use(db):
        monkeypatch.setenv("ANALYTICS_DB", str(db))
        monkeypatch.setenv("ANALYTICS_UPLOADS", str(tmp_path / "uploads"))
        monkeypatch.setenv("ANALYTICS_DASHBOARD_DEBUG", "1")
        monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
        (tmp_path / "tmp").mkdir()
        return tmp_path
    return use


def test_upload_of_an_oversized_workbook_is_refused_and_the_app_keeps_working(app_env, demo_db, tmp_path):
    app_env(demo_db)
    before = table_snapshot(demo_db)
    src = tmp_path / "src"
    src.mkdir()
    at = open_app("data_manager")
    at = upload(at, NAME, make_declared_huge(src).read_bytes(), XLSX)
    assert not at.exception
    shown = texts(at)
    assert "A1:XFD1048576" in shown and "1.048.576 dòng × 16.384 cột" in shown and "trang tính “KQ”" in shown
    assert not [b for b in at.button if b.key == "dt_confirm"]
    # the same session goes on: a good file previews with its rows
    good = index_xlsx(src, name="ket-qua-quy-II-2024-b.xlsx").read_bytes()
    at = upload(at, "ket-qua-quy-II-2024-b.xlsx", good, XLSX)
    assert not at.exception and "2 dòng hợp lệ" in texts(at)
    assert [b for b in at.button if b.key == "dt_confirm"]
    assert table_snapshot(demo_db) == before
    staging = tmp_path / "tmp" / f"analytics-uploads-{os.getuid()}"
    assert stat.S_IMODE(staging.stat().st_mode) == 0o700
    files = [p for p in staging.rglob("*") if p.is_file()]
    assert files and all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in files)
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o700 for p in staging.rglob("*") if p.is_dir())


def test_a_reader_that_aborts_is_a_message_not_a_dead_app(app_env, demo_db, tmp_path, monkeypatch):
    """With the cell limit lifted, the reader itself aborts (memory allocation of 512 GB): only its child dies."""
    app_env(demo_db)
    monkeypatch.setenv("ANALYTICS_MAX_CELLS", str(10**12))
    src = tmp_path / "src"
    src.mkdir()
    at = open_app("data_manager")
    at = upload(at, NAME, make_far_cell(src).read_bytes(), XLSX)
    assert not at.exception
    shown = texts(at)
    assert "trình đọc bảng tính dừng bất thường" in shown and "Không nạp được tệp này" in shown
    at = at.run(timeout=COLD_TIMEOUT)  # the app (this process) is alive and renders the page again
    assert not at.exception
    shown = texts(at)
    assert "Nạp tệp mới" in shown and "Nhật ký nạp dữ liệu" in shown


@pytest.mark.browser
@pytest.mark.slow
def test_real_server_survives_an_upload_that_aborts_the_reader(chromium, demo_db, tmp_path, monkeypatch):
    from analytics.demo.serve import browser_page, running_app, wait_rendered

    monkeypatch.setenv("ANALYTICS_MAX_CELLS", str(10**12))  # let the crafted file reach the reader
    src = tmp_path / "src"
    src.mkdir()
    crafted = make_far_cell(src)
    with running_app(demo_db, uploads=tmp_path / "uploads", log=tmp_path / "streamlit.log") as url, \
            browser_page() as page:
        page.goto(f"{url}/du-lieu")
        page.locator('input[type="file"]').first.wait_for(state="attached", timeout=600_000)
        page.locator('input[type="file"]').first.set_input_files(str(crafted))
        page.get_by_text("trình đọc bảng tính dừng bất thường").first.wait_for(timeout=120_000)
        with urllib.request.urlopen(url + "/_stcore/health", timeout=10) as r:
            assert r.status == 200
        page.goto(f"{url}/?period=2024Q2")
        wait_rendered(page, "63,48", timeout_ms=600_000)
        assert "63,48" in page.inner_text("body")
