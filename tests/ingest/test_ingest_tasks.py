"""The `tasks` kind: due dates read the ways memos write them, unknown metrics and impossible dates rejected
with where they are and how to fix them, and nothing but the declared columns stored."""

from __future__ import annotations

import json
from datetime import date

import duckdb
import openpyxl
import pytest

from analytics.ingest.tasks import DueDateError, parse_due_date, resolve_metric
from conftest import ROOT, table_snapshot

TEMPLATE = ROOT / "data" / "raw" / "templates" / "mau-nhiem-vu.csv"
DEMO_TASKS = ROOT / "data" / "raw" / "tasks" / "nhiem-vu-so-cong-thuong-2024.csv"
CROSSWALK = ROOT / "data" / "raw" / "crosswalk" / "don-vi.csv"


@pytest.mark.parametrize("text, expected", [
    ("31/07/2024", date(2024, 7, 31)),
    ("31/7/2024", date(2024, 7, 31)),
    ("31.07.2024", date(2024, 7, 31)),
    ("2024-07-31", date(2024, 7, 31)),
    ("trước ngày 26/7/2024", date(2024, 7, 26)),
    ("Trước ngày 05/8/2024", date(2024, 8, 5)),
    ("ngày 26 tháng 7 năm 2024", date(2024, 7, 26)),
    ("trong tháng 7/2024", date(2024, 7, 31)),
    ("Tháng 2/2024", date(2024, 2, 29)),
    ("trong Quý III/2024", date(2024, 9, 30)),
    ("tha\u0301ng 12 na\u0306m 2024", date(2024, 12, 31)),  # NFD
    (45504, date(2024, 7, 31)),  # an Excel serial day
    (None, None),
    ("", None),
])
def test_due_dates_are_read_the_ways_memos_write_them(text, expected):
    assert parse_due_date(text) == expected


@pytest.mark.parametrize("text, reason", [
    ("31/02/2024", "due_no_such_day"),
    ("13/2024", "due_no_such_day"),
    ("26/7/24", "due_two_digit_year"),
    ("sớm nhất", "due_unreadable"),
    (12, "due_unreadable"),
])
def test_impossible_or_unreadable_due_dates_raise_with_their_reason(text, reason):
    with pytest.raises(DueDateError) as exc:
        parse_due_date(text)
    assert exc.value.args[0] == reason


@pytest.mark.parametrize("text, expected", [
    ("digitization", ("digitization", "component")),
    ("Số hoá hồ sơ", ("digitization", "component")),
    ("total", ("total", "component")),
    ("online_filing_rate_pct", ("online_filing_rate_pct", "metric")),
    ("so_hoa_giay_to_giai_quyet", ("SO_HOA_GIAY_TO_GIAI_QUYET", "subindicator")),
    ("diem_ao", None),
])
def test_a_metric_is_named_by_key_code_or_label(text, expected):
    assert resolve_metric(text) == expected


def _write_xlsx(path, rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Nhiem vu"
    ws.append(["DANH SÁCH NHIỆM VỤ KHẮC PHỤC ĐIỂM SỐ"])
    ws.append([])
    ws.append(["Đơn vị", "Kỳ", "Nội dung nhiệm vụ", "Phòng thực hiện", "Thời hạn", "Chỉ số cần cải thiện", "Văn bản giao",
               "Người phụ trách"])
    for r in rows:
        ws.append(r)
    wb.save(path)


def test_a_tasks_workbook_with_awkward_dates_and_an_unknown_metric(run_cli, tmp_path, db):
    from datetime import datetime

    xlsx = tmp_path / "nhiem-vu.xlsx"
    _write_xlsx(xlsx, [
        ["Sở Công Thương", "Quý II/2024", "Hoàn chỉnh quy trình số hóa", "Thanh tra Sở", "trong tháng 7/2024",
         "Số hóa hồ sơ", "VB /SCT-VP", "Nguyễn Văn A"],
        ["Sở Công Thương", "2024Q2", "Tuyên truyền DVC toàn trình", "Văn phòng Sở", datetime(2024, 8, 5),
         "online_services", "VB /SCT-VP", "Trần Thị B"],
        ["Sở Công Thương", "2024Q2", "Công khai kết quả", "Phòng KHTCTH", "31/02/2024", "transparency", "VB /SCT-VP",
         "Lê Văn C"],
        ["Sở Công Thương", "2024Q2", "Nâng điểm ảo", "Văn phòng Sở", "05/8/2024", "diem_ao", "VB /SCT-VP", "Phạm D"],
    ])
    code, out, err = run_cli("ingest", CROSSWALK, xlsx, "--db", db)
    assert code == 1  # loaded, with rows rejected
    assert "nhiem-vu.xlsx: 2 dòng (tasks" in err
    assert ("nhiem-vu.xlsx, trang “Nhiem vu”, dòng 6, cột “Thời hạn”: thời hạn “31/02/2024” không phải là ngày có thật"
            in err)
    assert ("nhiem-vu.xlsx, trang “Nhiem vu”, dòng 7, cột “Chỉ số cần cải thiện”: chỉ số “diem_ao” không có trong định "
            "nghĩa — ghi một thành phần (transparency, timeliness, digitization, online_services, satisfaction, total)"
            in err)
    con = duckdb.connect(str(db), read_only=True)
    try:
        tasks = con.execute("SELECT unit_id, period, department, due_date, metric, metric_kind FROM tasks "
                            "ORDER BY row_number").fetchall()
        rejects = con.execute("SELECT sheet, row_number, column_name, value, raw_json FROM rejects "
                              "ORDER BY row_number").fetchall()
        everything = json.dumps(table_snapshot(db), ensure_ascii=False)
    finally:
        con.close()
    assert tasks == [("so cong thuong", "2024Q2", "Thanh tra Sở", date(2024, 7, 31), "digitization", "component"),
                     ("so cong thuong", "2024Q2", "Văn phòng Sở", date(2024, 8, 5), "online_services", "component")]
    assert [(r[0], r[1], r[2], r[3]) for r in rejects] == [("Nhiem vu", 6, "Thời hạn", "31/02/2024"),
                                                          ("Nhiem vu", 7, "Chỉ số cần cải thiện", "diem_ao")]
    # the person column is never stored, not even in a reject's raw row
    for name in ("Nguyễn Văn A", "Trần Thị B", "Lê Văn C", "Phạm D"):
        assert name not in everything


def test_a_tasks_file_that_names_no_metric_column_is_refused_and_the_database_stays_as_it_was(run_cli, tmp_path, db):
    run_cli("ingest", DEMO_TASKS, "--db", db)
    before = table_snapshot(db)
    bad = tmp_path / "nhiem-vu-thieu-cot.csv"
    bad.write_text("Đơn vị,Kỳ,Nội dung nhiệm vụ,Phòng thực hiện,Thời hạn\n"
                   "Sở Công Thương,2024Q2,Rà soát,Thanh tra Sở,31/07/2024\n", encoding="utf-8")
    code, _, err = run_cli("ingest", bad, "--db", db)
    assert code == 2
    assert "Tệp nhiem-vu-thieu-cot.csv" in err and "dòng 1" in err and "thiếu cột “Chỉ số cần cải thiện”" in err
    assert "Cách sửa: thêm cột với đúng tên tiêu đề" in err
    assert table_snapshot(db) == before


def test_the_shipped_tasks_load_with_the_deadlines_the_memos_wrote(run_cli, db):
    code, _, err = run_cli("ingest", CROSSWALK, DEMO_TASKS, "--db", db)
    assert code == 0, err
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute("SELECT period, department, due_date, due_text, metric FROM tasks ORDER BY row_number").fetchall()
    finally:
        con.close()
    assert len(rows) == 9
    # 000: "gửi về Thanh tra Sở và Văn phòng Sở trước ngày 26/7/2024"; 002: "hoàn thành trong tháng 7/2024"
    assert rows[2] == ("2024Q1", "Phòng Quản lý Thương mại", date(2024, 7, 26), "trước ngày 26/7/2024",
                       "online_filing_rate_pct")
    assert rows[3][:4] == ("2024Q2", "Thanh tra Sở", date(2024, 7, 31), "trong tháng 7/2024")
    assert rows[8][2:4] == (date(2024, 8, 5), "trước ngày 05/8/2024")


def test_the_template_is_the_header_ingestion_reads():
    from analytics.ingest.tasks import TASK_HEADER

    assert TEMPLATE.read_text(encoding="utf-8-sig").splitlines() == [",".join(TASK_HEADER)]
