"""The dashboard, opened page by page with Streamlit's AppTest on the demo database: what each page shows."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT, table_snapshot

APP = str(ROOT / "app.py")
VIEWS = "analytics/dashboard/views"
# a cold first run computes every analysis once for the session's database; later runs read the caches
COLD_TIMEOUT = 600
TIMEOUT = 60


@pytest.fixture
def app_env(monkeypatch, tmp_path):
    """Point the app at the demo database and keep uploads in a temporary folder."""
    def use(db: Path) -> Path:
        monkeypatch.setenv("ANALYTICS_DB", str(db))
        uploads = tmp_path / "uploads"
        monkeypatch.setenv("ANALYTICS_UPLOADS", str(uploads))
        monkeypatch.setenv("ANALYTICS_DASHBOARD_DEBUG", "1")  # a failing section raises instead of warning
        return uploads
    return use


def open_app(page: str | None = None, *, period: str | None = "2024Q2", unit: str | None = None,
             lang: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    if period:
        at.query_params["period"] = period
    if unit:
        at.query_params["unit"] = unit
    if lang:
        at.query_params["lang"] = lang
    at.run(timeout=COLD_TIMEOUT)
    if page:
        at.switch_page(f"{VIEWS}/{page}.py").run(timeout=COLD_TIMEOUT)
    assert not at.exception, [e.value for e in at.exception]
    return at


def metric(at: AppTest, label: str):
    found = [m for m in at.metric if m.label == label]
    assert found, f"no tile {label!r}; tiles: {[m.label for m in at.metric]}"
    return found[0]


def texts(at: AppTest) -> str:
    """Every text the page shows (markdown, captions, alerts, titles), joined."""
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success", "code"):
        parts += [str(e.value) for e in getattr(at, kind)]
    return "\n".join(parts).replace("\\", "")


def test_overview_shows_the_published_scores_of_so_cong_thuong(app_env, demo_db):
    app_env(demo_db)
    at = open_app()
    assert at.title[0].value == "Tổng quan Sở Công Thương — Quý II/2024"
    assert metric(at, "Tổng điểm").value == "63,48 / 100"
    assert metric(at, "Xếp loại").value == "Trung bình"
    online = metric(at, "Dịch vụ công trực tuyến")
    assert online.value == "7,46 / 22"
    assert online.delta == "−3,03 điểm"
    assert metric(at, "Số hóa hồ sơ").delta == "+0,11 điểm"
    shown = texts(at)
    assert "Còn thiếu 14,54 điểm so với tối đa" in shown
    assert "Quý I/2024 chưa công bố tổng điểm" in shown  # unknown is not zero
    assert "Cùng kỳ năm trước (Quý II/2023)" in shown
    # the year-on-year change against the invented 2023Q2 is marked on the published tile, the −3,03 is not
    assert "Cùng kỳ năm trước (Quý II/2023): −2,99 điểm — Minh họa" in shown
    assert "Mục tiêu: ≥ 15 — còn thiếu 7,54 — Minh họa" in shown  # the illustrative target says so
    # rates change in percentage points
    assert metric(at, "Tỷ lệ hồ sơ tiếp nhận trực tuyến").delta.endswith("điểm %")
    # the findings for the meeting, in Vietnamese
    assert "Dịch vụ công trực tuyến giảm 3,03 điểm" in shown
    # the selection is in the URL
    assert at.query_params["unit"] == ["so cong thuong"] or at.query_params["unit"] == "so cong thuong"
    assert "2024Q2" in str(at.query_params["period"])


def test_a_bare_link_opens_the_latest_period_with_published_figures(app_env, demo_db):
    app_env(demo_db)
    at = open_app(period=None)
    assert at.sidebar.selectbox(key="sel_unit").value == "so cong thuong"
    assert at.sidebar.selectbox(key="sel_period").value == "2024Q2"  # not the invented 2025Q2
    assert "Quý II/2024" in at.title[0].value
    assert metric(at, "Tổng điểm").value == "63,48 / 100"


def test_an_invented_period_is_marked_illustrative(app_env, demo_db):
    app_env(demo_db)
    at = open_app(period="2025Q2")
    assert "Quý II/2025" in at.title[0].value
    assert "Một phần số liệu trong kỳ này là minh họa" in texts(at)
    assert "Minh họa" in texts(at)  # the badge on every illustrative tile


def test_a_link_to_an_unknown_unit_or_period_says_so_and_what_it_shows(app_env, demo_db):
    app_env(demo_db)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["unit"] = "khong co don vi nay"
    at.query_params["period"] = "2031Q5"
    at.run()
    assert not at.exception
    warnings = [w.value for w in at.warning]
    assert any("“khong co don vi nay”" in w and "Sở Công Thương" in w for w in warnings), warnings
    assert any("“2031Q5”" in w and "Quý II/2024" in w for w in warnings), warnings
    assert at.sidebar.selectbox(key="sel_period").value == "2024Q2"


def test_changing_the_period_in_the_sidebar_changes_the_tiles(app_env, demo_db):
    app_env(demo_db)
    at = open_app()
    at.sidebar.selectbox(key="sel_period").set_value("2024Q1").run()
    assert not at.exception
    assert metric(at, "Tổng điểm").value == "Chưa công bố"
    assert metric(at, "Dịch vụ công trực tuyến").value == "10,49 / 22"
    assert "2024Q1" in str(at.query_params["period"])


@pytest.mark.parametrize("page, title, shows", [
    ("components", "Thành phần — Sở Công Thương, Quý II/2024", ["Chỉ số thành phần", "Điểm thành phần qua các kỳ"]),
    ("why_low", "Vì sao thấp? — Sở Công Thương, Quý II/2024", ["2. Hồ sơ còn thiếu theo thủ tục (Pareto)",
                                                              "5. Rà soát thời hạn giải quyết"]),
    ("compare", "So sánh các đơn vị — Quý II/2024", ["Xếp hạng tổng điểm", "Bản đồ nhiệt các thành phần"]),
    ("targets", "Mục tiêu kế hoạch — Sở Công Thương", ["Khoảng cách đến chỉ tiêu"]),
    ("data_manager", "Dữ liệu", ["Nạp tệp mới", "Nhật ký nạp dữ liệu", "Độ mới của dữ liệu theo nguồn"]),
])
def test_every_page_opens_with_its_content(app_env, demo_db, page, title, shows):
    app_env(demo_db)
    at = open_app(page)
    assert at.title[0].value == title
    shown = texts(at)
    for text in shows:
        assert text in shown
    assert not [w.value for w in at.warning if "Không tính được" in str(w.value)]
    for table in at.dataframe:  # no raw column names, no header twice
        columns = list(table.value.columns)
        assert len(set(columns)) == len(columns), columns
        assert not [c for c in columns if "_" in str(c)], columns


def test_components_page_ranks_the_unit_among_its_peers(app_env, demo_db):
    app_env(demo_db)
    at = open_app("components")
    at.radio(key="cp_component").set_value("online_services").run()
    assert metric(at, "Dịch vụ công trực tuyến").value == "7,46 / 22"
    import duckdb

    from analytics.formatting import fmt_points
    from analytics.analyses.rankings import unit_rankings

    con = duckdb.connect(str(demo_db), read_only=True)
    try:
        r = unit_rankings(con, "2024Q2", "department", "online_services")
    finally:
        con.close()
    me = r[r["unit_id"] == "so cong thuong"].iloc[0]
    assert metric(at, "Thứ hạng").value == f"{me['rank']}/{me['units_ranked']}"
    assert metric(at, "Trung vị các đơn vị").value == fmt_points(me["peer_median_points"])
    assert metric(at, "Cao nhất").value == fmt_points(me["peer_best_points"])


def test_why_low_lists_the_sub_indicators_and_simulates(app_env, demo_db):
    app_env(demo_db)
    at = open_app("why_low")
    assert at.radio(key="wl_component").value == "digitization"  # the component losing most points
    subs = at.dataframe[0].value
    assert list(subs.columns[:2]) == ["Chỉ số thành phần", "Mã"]  # the label first, the code after it
    assert "SO_HOA_GIAY_TO_GIAI_QUYET" in set(subs["Mã"])
    assert "Tỷ lệ hồ sơ TTHC thực hiện số hóa hồ sơ" in set(subs["Chỉ số thành phần"])
    # the Pareto table names the procedures, largest shortfall first
    pareto = next(df.value for df in at.dataframe if "Hồ sơ còn thiếu" in df.value.columns)
    assert len(pareto) > 0 and pareto["Hạng"].iloc[0] == "1"
    # the what-if shows the new total from the scoring engine
    total = metric(at, "Tổng điểm")
    assert total.value != "—" and "điểm" in total.delta
    assert metric(at, "Xếp loại").value in ("Trung bình", "Khá", "Tốt", "Xuất sắc", "Yếu")


def test_targets_page_says_met_or_missed_with_the_source_document(app_env, demo_db):
    import duckdb

    from analytics.analyses.plan_targets import target_status

    app_env(demo_db)
    con = duckdb.connect(str(demo_db), read_only=True)
    try:
        expected = target_status(con, unit_id="so cong thuong", through="2024Q2")
    finally:
        con.close()
    expected = expected[expected["unit_id"] == "so cong thuong"]
    met = int(expected["met"].map(lambda m: m is not None and not pd.isna(m) and bool(m)).sum())
    measured = int(expected["met"].notna().sum())
    at = open_app("targets")
    assert metric(at, "Đạt").value == str(met)
    assert metric(at, "Chưa đạt").value == str(measured - met)
    table = next(d.value for d in at.dataframe if "Văn bản giao chỉ tiêu" in d.value.columns)  # every column
    assert set(table["Kết quả"]) <= {"Đạt", "Chưa đạt", "Chưa đo được"}
    assert (table["Kết quả"] == "Đạt").sum() == met
    assert "Kế hoạch CCHC năm 2022 của Sở Công Thương (/KH-SCT)" in set(table["Văn bản giao chỉ tiêu"])
    assert "Minh họa" in set(table["Minh họa"])


def test_targets_measure_the_annual_targets_on_the_selected_quarter(app_env, demo_db):
    """Quý II/2024 selected: the 2024 targets are measured on Quý II/2024's published scores (the Overview's
    7,46 / 0,22 / 63,48), not on the invented 2024Q4; the period measured is among the first columns."""
    app_env(demo_db)
    at = open_app("targets")
    table = at.dataframe[0].value
    assert list(table.columns) == ["Kỳ", "Chỉ tiêu", "Mức chỉ tiêu", "Đo được", "Kỳ đo", "Kết quả", "Chênh lệch"]
    year = table[table["Kỳ"] == "Năm 2024"].set_index("Chỉ tiêu")
    assert year.loc["Điểm Dịch vụ công trực tuyến", "Đo được"] == "7,46 điểm"
    assert year.loc["Điểm Số hóa hồ sơ", "Đo được"] == "0,22 điểm"
    assert year.loc["Xếp loại Bộ chỉ số năm 2024", "Đo được"] == "63,48 điểm"
    assert set(year["Kỳ đo"]) == {"Quý II/2024"}
    assert year.loc["Xếp loại Bộ chỉ số năm 2024", "Chênh lệch"] == "−6,52 điểm"
    assert "Đo trên số liệu đến hết Quý II/2024" in "\n".join(str(c.value) for c in at.caption)
    # every column is one click away
    assert "Văn bản giao chỉ tiêu" in at.dataframe[1].value.columns


def test_switching_the_language_changes_the_labels(app_env, demo_db):
    app_env(demo_db)
    at = open_app()
    assert metric(at, "Tổng điểm")
    at.sidebar.radio(key="lang").set_value("en").run(timeout=COLD_TIMEOUT)
    assert not at.exception
    assert at.title[0].value == "Overview: Sở Công Thương, Q2/2024"
    assert metric(at, "Total").value == "63.48 / 100"
    assert metric(at, "Grade").value == "Average"
    assert metric(at, "Online public services").delta == "−3.03 pts"
    assert "en" in str(at.query_params["lang"])


def test_a_missing_database_asks_to_load_data(app_env, tmp_path):
    app_env(tmp_path / "nothing-here.duckdb")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception
    assert at.title[0].value == "Chưa có dữ liệu"
    assert "make demo-db" in texts(at)
    assert not (tmp_path / "nothing-here.duckdb").exists()


def test_an_empty_database_asks_to_load_data(app_env, tmp_path):
    from analytics.db import writer

    db = tmp_path / "empty.duckdb"
    with writer(db):
        pass
    app_env(db)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception
    assert "chưa có kết quả Bộ chỉ số nào" in texts(at)


def test_a_damaged_database_file_says_so_without_a_traceback(app_env, tmp_path):
    db = tmp_path / "damaged.duckdb"
    db.write_bytes(b"this is not a database" * 100)
    app_env(db)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception
    assert "Không mở được cơ sở dữ liệu" in texts(at)


BAD_INDEX = (
    "Kỳ;Khối;Đơn vị;Công khai, minh bạch;Tiến độ giải quyết;Số hóa hồ sơ;Dịch vụ công trực tuyến;Mức độ hài lòng;Tổng điểm;Xếp loại\n"
    "Quý III/2025;Sở, ban, ngành;Sở Công Thương;18;19,5;25;8;18;88,5;Tốt\n"
    "Quý III/2025;Sở, ban, ngành;Sở Tư pháp;18;19;abc;12;16;65;Trung bình\n"
)


def upload(at: AppTest, name: str, content: bytes, mime: str = "text/csv") -> AppTest:
    uploader = at.file_uploader[0]
    uploader.set_value((name, content, mime))
    return at.run(timeout=COLD_TIMEOUT)


def test_the_freshness_table_says_which_sources_are_illustrative(app_env, demo_db):
    """Row-flagged kinds say how many rows are illustrative; the dossier lists, flagged per file, say so too."""
    app_env(demo_db)
    at = open_app("data_manager", period=None)
    fresh = next(df.value for df in at.dataframe if "Lần nạp gần nhất" in df.value.columns).set_index("Loại")
    assert fresh.loc["Danh sách hồ sơ", "Minh họa"] == "Toàn bộ"  # both demo dossier lists are invented
    assert fresh.loc["Số liệu hồ sơ", "Minh họa"] == "Toàn bộ"
    assert fresh.loc["Bảng kết quả Bộ chỉ số", "Minh họa"] == "Một phần (1.560/3.540 dòng)"
    assert fresh.loc["Nhiệm vụ được giao", "Minh họa"] == ""  # the tasks come from the department's own memo


def test_uploading_a_bad_file_shows_the_rejected_rows_and_changes_nothing(app_env, demo_db):
    uploads = app_env(demo_db)
    before = table_snapshot(demo_db)
    at = open_app("data_manager")
    at = upload(at, "ket-qua-766-quy-III-2025.csv", BAD_INDEX.encode("utf-8-sig"))
    assert not at.exception
    shown = texts(at)
    assert "2 dòng bị loại" in shown
    rejected = next(df.value for df in at.dataframe if "Lý do" in df.value.columns)
    assert len(rejected) == 2
    assert set(rejected["Dòng"]) == {"2", "3"}
    assert any("22" in r for r in rejected["Lý do"])  # score 25 above the maximum 22
    assert "Không có dòng hợp lệ nào để nạp" in shown
    assert not [b for b in at.button if b.key == "dt_confirm"]
    # and a file nothing can be read from: the pipeline's message, nothing loaded
    at = upload(at, "khong-phai-bang.csv", b"\x00\x01\x02 not a table")
    assert not at.exception
    assert "Không nạp được tệp này" in texts(at)
    assert table_snapshot(demo_db) == before
    assert not uploads.exists() or not any(uploads.rglob("*"))


GOOD_INDEX = (
    "Kỳ;Khối;Đơn vị;Công khai, minh bạch;Tiến độ giải quyết;Số hóa hồ sơ;Dịch vụ công trực tuyến;Mức độ hài lòng;Tổng điểm;Xếp loại\n"
    "Quý III/2025;Sở, ban, ngành;Sở Công Thương;18;19,5;2,5;9;18;67;Trung bình\n"
    "Quý III/2025;Sở, ban, ngành;Sở Tư pháp;18;19;1;12;99;65;Trung bình\n"
)


def test_uploading_a_file_with_one_bad_row_loads_the_rest_after_confirmation(app_env, demo_db_copy):
    uploads = app_env(demo_db_copy)
    content = GOOD_INDEX.encode("utf-8-sig")
    at = open_app("data_manager", period=None)
    at = upload(at, "ket-qua-766-quy-III-2025.csv", content)
    assert "1 dòng bị loại" in texts(at)
    rejected = next(df.value for df in at.dataframe if "Lý do" in df.value.columns)
    assert set(rejected["Dòng"]) == {"3"}  # one row, two reasons (score above max, total disagrees)
    assert "1 dòng sẽ được nạp là số liệu công bố." in texts(at)  # the preview says what the rows will count as
    logs_before = len(table_snapshot(demo_db_copy)["ingest_log"])
    confirm = next(b for b in at.button if b.key == "dt_confirm")
    at = confirm.click().run(timeout=COLD_TIMEOUT)
    assert not at.exception
    assert "Đã nạp ket-qua-766-quy-III-2025.csv" in texts(at)
    assert len(table_snapshot(demo_db_copy)["ingest_log"]) == logs_before + 1
    import hashlib

    stored = uploads / hashlib.sha256(content).hexdigest() / "ket-qua-766-quy-III-2025.csv"
    assert stored.read_bytes() == content
    # the new period shows up at once (the cached connection was reopened on the new data version)
    assert "2025Q3" in at.sidebar.selectbox(key="sel_period").options or \
        "Quý III/2025" in at.sidebar.selectbox(key="sel_period").options
    log = next(df.value for df in at.dataframe if "Mã băm SHA-256" in df.value.columns and "Tệp" in df.value.columns
               and "Lần nạp" in df.value.columns)
    assert log["Tệp"].iloc[0] == "ket-qua-766-quy-III-2025.csv"


def test_table_downloads_neutralise_formulas():
    from analytics.dashboard.widgets import Col, exported
    from analytics.brief.export import neutralised, table_xlsx

    df = pd.DataFrame({"unit": ["=HYPERLINK(\"x\")", "Sở Công Thương"], "score_points": [1.5, 63.48],
                       "illustrative": [True, False]})
    out = exported(df, [Col("unit", "col.unit"), Col("score_points", "col.score", "points"),
                        Col("illustrative", "col.illustrative", "flag")], "vi")
    assert list(out.columns) == ["Đơn vị", "Điểm (điểm)", "Minh họa"]
    assert list(out["Minh họa"]) == ["Minh họa", ""]
    csv = neutralised(out).to_csv(index=False)
    assert "'=HYPERLINK" in csv
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(table_xlsx(out, "Bảng", "vi")))
    assert wb.active["A3"].value.startswith("'=")
    assert wb.active["B4"].value == pytest.approx(63.48)


def test_csv_downloads_open_right_in_vietnamese_excel():
    from analytics.brief.export import csv_text
    from analytics.dashboard.widgets import Col, exported

    df = pd.DataFrame({"unit": ["Sở Công Thương"], "rate_pct": [73.38], "received": [37.0], "change": [-3.03]})
    out = exported(df, [Col("unit", "col.unit"), Col("rate_pct", "col.rate", "pct"),
                        Col("received", "col.numerator", "count"), Col("change", "col.change_prev", "signed")], "vi")
    text = csv_text(out, "vi")
    header, row = text.strip().split("\r\n")
    assert header.split(";")[1].endswith("(%)") and header.split(";")[3].endswith("(điểm)")
    assert row == "Sở Công Thương;73,38;37;-3,03"  # a decimal comma, a whole count, fields split by ;
    assert csv_text(out).strip().split("\r\n")[1] == "Sở Công Thương,73.38,37,-3.03"  # scripts get plain CSV
    assert text.encode("utf-8-sig")[:3] == b"\xef\xbb\xbf"


def test_a_file_loaded_before_is_recognised_at_preview_and_changes_nothing(app_env, demo_db_copy):
    from analytics.demo.build import RAW

    app_env(demo_db_copy)
    content = (RAW / "published" / "so-cong-thuong-dong-nai.csv").read_bytes()  # loaded by the demo build
    before = table_snapshot(demo_db_copy)
    version = demo_db_copy.stat().st_mtime_ns
    at = open_app("data_manager", period=None)
    at = upload(at, "ban-sao-ket-qua.csv", content)
    assert not at.exception
    shown = texts(at)
    assert "có đúng nội dung đã nạp ở lần nạp #" in shown and "so-cong-thuong-dong-nai.csv" in shown
    assert not [b for b in at.button if b.key == "dt_confirm"]  # nothing to confirm
    assert table_snapshot(demo_db_copy) == before and demo_db_copy.stat().st_mtime_ns == version


def test_a_file_marked_illustrative_says_so_at_preview(app_env, demo_db_copy):
    app_env(demo_db_copy)
    at = open_app("data_manager", period=None)
    at.checkbox(key="dt_illustrative").check().run(timeout=COLD_TIMEOUT)
    at = upload(at, "ket-qua-766-quy-III-2025.csv", GOOD_INDEX.encode("utf-8-sig"))
    assert "1 dòng sẽ được nạp là số liệu minh họa (đã chọn ô “Minh họa”)." in texts(at)
