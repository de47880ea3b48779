"""The dossiers kind: headers as exported, dates as Excel dates or text, channels, rejects, personal data dropped,
Parquet store, and counts derived to the filings grain that equal a hand count."""

from datetime import datetime

import duckdb
import openpyxl
import pandas as pd
import pytest

CATALOG = """Mã thủ tục,Tên thủ tục,Lĩnh vực,Phòng xử lý,Mức độ DVC,Có phí,Thời hạn công bố,Đơn vị thời hạn công bố,Thời hạn cấu hình,Đơn vị thời hạn cấu hình,Đơn vị
P1,Thủ tục một,X,Phòng A,Toàn trình,Không,5,ngày làm việc,3,ngày,Sở Công Thương
P2,Thủ tục hai,X,Phòng B,Một phần,Có,16,giờ,16,giờ,Sở Công Thương
"""
PERSONAL = ["Nguyễn Văn An", "079123456789", "0901234567", "12 Võ Thị Sáu, Biên Hòa", "an@example.vn"]


def header():
    return ["STT", "Mã hồ sơ", "Mã TTHC", "Tên thủ tục hành chính", "Hình thức nộp", "Ngày nhận", "Ngày hẹn trả kết quả",
            "Ngày trả kết quả", "Họ và tên", "Số CCCD", "Số điện thoại", "Địa chỉ", "Email",
            "Có số hóa thành phần hồ sơ", "Có kết quả điện tử", "Đồng bộ lên Cổng DVCQG"]


ROWS = [  # code, proc, channel, received, system due, result, digitized, e-result, synced
    ("H1", "P1", "Trực tuyến", datetime(2024, 2, 5, 8, 15), datetime(2024, 2, 8), datetime(2024, 2, 19), "Có", "Có", "Có"),
    ("H2", "P1", "Trực tiếp", "2024-02-05", "2024-02-19", "20/02/2024", "Không", "Không", "Có"),
    ("H3", "P2", "Bưu chính công ích", "07/02/2024", "16/02/2024", None, "có", None, "không"),
    ("H4", "P1", "Nộp trực tuyến", "15/03/2024 10:00", "22/03/2024", "21/03/2024", "x", "có", "x"),
    ("H5", "P1", "trực tiếp", "28/03/2024", "04/04/2024", None, None, None, "Có"),
    ("H6", "P2", "Fax", "07/02/2024", "16/02/2024", None, "có", None, "không"),          # unknown channel
    ("H7", "P2", "Trực tuyến", "07/02/2024", "16/02/2024", "01/02/2024", "có", None, "không"),  # result before receipt
    ("H8", "P2", "Trực tuyến", "ngày mai", "16/02/2024", None, "có", None, "không"),     # not a date
]


def write_xlsx(path, rows=ROWS):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Danh sách"
    ws.append(["DANH SÁCH HỒ SƠ TIẾP NHẬN - SỞ CÔNG THƯƠNG TỈNH ĐỒNG NAI"])
    ws.append(["Từ ngày 01/01/2024 đến ngày 31/03/2024"])
    ws.append([])
    ws.append(header())
    for i, (code, proc, chan, rec, due, res, dig, e, syn) in enumerate(rows, 1):
        ws.append([i, code, proc, "Thủ tục", chan, rec, due, res, *PERSONAL, dig, e, syn])
    ws.append(["Tổng cộng", None, None, None, None, None, None, None])
    wb.save(path)
    return path


@pytest.fixture
def loaded(tmp_path, run_cli):
    db = tmp_path / "d.duckdb"
    (tmp_path / "danh-muc.csv").write_text(CATALOG, encoding="utf-8")
    code, _, err = run_cli("ingest", tmp_path / "danh-muc.csv", "--db", db, "--kind", "catalog")
    assert code == 0, err
    path = write_xlsx(tmp_path / "danh-sach-ho-so-quy-I-2024.xlsx")
    code, out, err = run_cli("ingest", path, "--db", db)
    return db, code, err


def test_the_export_loads_with_bad_rows_rejected_and_named(loaded):
    db, code, err = loaded
    assert code == 1, err  # loaded, some rows rejected
    assert "Đã nạp danh-sach-ho-so-quy-I-2024.xlsx: 5 dòng (dossiers, kỳ 2024Q1)" in err
    con = duckdb.connect(str(db), read_only=True)
    rejects = con.execute("SELECT sheet, row_number, column_name, value, reason FROM rejects ORDER BY row_number").fetchall()
    assert rejects == [
        ("Danh sách", 10, "Hình thức nộp", "Fax", "kênh nộp “Fax” không rõ (trực tuyến / trực tiếp / bưu chính công ích)"),
        ("Danh sách", 11, "Ngày trả kết quả", "01/02/2024", "ngày có kết quả “01/02/2024” trước ngày tiếp nhận"),
        ("Danh sách", 12, "Ngày nhận", "ngày mai", "“ngày mai” không phải là ngày (dd/mm/yyyy hoặc yyyy-mm-dd)"),
    ]


def test_personal_data_never_reaches_the_database_or_the_store(loaded):
    db, _, err = loaded
    assert "Đã bỏ các cột dữ liệu cá nhân" in err and "“Họ và tên”" in err and "“Số CCCD”" in err and "“Email”" in err
    con = duckdb.connect(str(db), read_only=True)
    files = [str(db.parent / p) for (p,) in con.execute("SELECT file_path FROM dossier_files").fetchall()]
    assert files and all("dossiers/period=" in f for f in files)
    stored = con.execute("SELECT * FROM read_parquet(?)", [files]).df()
    text = stored.astype(str).to_csv() + str(con.execute("SELECT * FROM rejects").fetchall())
    for value in PERSONAL:
        assert value not in text
    assert db.read_bytes().find("079123456789".encode()) == -1
    assert sorted(stored["dossier_code"]) == ["H1", "H2", "H3", "H4", "H5"]


def test_dates_channels_and_due_dates_on_the_calendar(loaded):
    db, _, _ = loaded
    con = duckdb.connect(str(db), read_only=True)
    files = [str(db.parent / p) for (p,) in con.execute("SELECT file_path FROM dossier_files").fetchall()]
    d = con.execute("SELECT dossier_code, channel, CAST(received_at AS VARCHAR), CAST(published_due_date AS VARCHAR) "
                    "FROM read_parquet(?) ORDER BY 1", [files]).fetchall()
    assert d == [("H1", "online", "2024-02-05 08:15:00", "2024-02-19"),  # 5 working days across Tết
                 ("H2", "in_person", "2024-02-05 00:00:00", "2024-02-19"),
                 ("H3", "postal", "2024-02-07 00:00:00", "2024-02-16"),   # 16 hours = 2 working days after Tết
                 ("H4", "online", "2024-03-15 10:00:00", "2024-03-22"),
                 ("H5", "in_person", "2024-03-28 00:00:00", "2024-04-04")]


def test_derived_counts_equal_a_hand_count(loaded):
    db, _, _ = loaded
    con = duckdb.connect(str(db), read_only=True)
    got = con.execute("""SELECT procedure_code, received_total, received_online, received_in_person, received_postal,
                                carried_over, resolved_total, resolved_early, resolved_on_time, resolved_late,
                                pending_total, pending_within_time, pending_overdue, digitized_components,
                                electronic_results, synced_filings, fee_filings
                         FROM filing_counts WHERE count_source = 'dossiers' AND period = '2024Q1' ORDER BY 1""").fetchall()
    # P1: H1 on time (19/2 = due), H2 late (20/2 > 19/2), H4 early (21/3 < 22/3), H5 open, due 4/4 ≥ 31/3
    # P2: H3 open at 31/3, due 16/2: overdue; P2 has a fee in the catalogue
    assert got == [("P1", 4, 2, 2, 0, 0, 3, 1, 1, 1, 1, 1, 0, 2, 2, 4, 0),
                   ("P2", 1, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 1, 1, 0, 0, 1)]


def test_existing_analyses_read_the_derived_counts(loaded):
    from analytics.analyses.explain import subindicator_breakdown

    db, _, _ = loaded
    con = duckdb.connect(str(db), read_only=True)
    rows = subindicator_breakdown(con, "2024Q1", "so cong thuong", "timeliness")
    row = rows[rows["code"].notna() & (rows["numerator"].notna())].iloc[0]
    assert (row["numerator"], row["denominator"]) == (3, 5)  # on time or early or pending in time / received
    assert row["count_source"] == "dossiers"


def test_csv_and_parquet_exports_load_the_same(tmp_path, run_cli):
    frame = pd.DataFrame({"Số hồ sơ": ["A1", "A2", "A3"], "Mã thủ tục": ["P1", "P1", "P1"],
                          "Đơn vị": ["Sở Công Thương"] * 3, "Kênh nộp": ["Trực tuyến", "BCCI", "trực tiếp"],
                          "Ngày tiếp nhận": ["05/02/2024 08:15", "2024-02-06", "45328"],  # 45328 = 6/2/2024 as a serial
                          "Ngày có kết quả": ["19/02/2024", "", ""], "Số điện thoại": ["0901", "0902", "0903"]})
    csv_path = tmp_path / "ho-so.csv"
    csv_path.write_text("Danh sách hồ sơ\n" + frame.to_csv(index=False), encoding="utf-8")
    pq_path = tmp_path / "ho-so.parquet"
    frame.to_parquet(pq_path)
    for path, db in ((csv_path, tmp_path / "a.duckdb"), (pq_path, tmp_path / "b.duckdb")):
        code, _, err = run_cli("ingest", path, "--db", db)
        assert code == 0, err
        assert "“Số điện thoại”" in err
        con = duckdb.connect(str(db), read_only=True)
        counts = con.execute("SELECT received_total, received_online, received_postal, received_in_person, resolved_total "
                             "FROM filing_counts WHERE count_source = 'dossiers'").fetchall()
        assert counts == [(3, 1, 1, 1, 1)], path
        con.close()


def test_a_failed_load_leaves_the_database_unchanged(tmp_path, run_cli):
    db = tmp_path / "c.duckdb"
    path = write_xlsx(tmp_path / "ho-so-2024Q2.xlsx")  # the title says Q1, the file name Q2
    code, _, err = run_cli("ingest", path, "--db", db, "--period", "2024Q3")
    assert code == 2 and "2024Q3" in err
    assert not (tmp_path / "dossiers").exists() or not any((tmp_path / "dossiers").rglob("*.parquet"))


def test_a_corrected_export_replaces_the_earlier_one(tmp_path, run_cli):
    db = tmp_path / "r.duckdb"
    first = write_xlsx(tmp_path / "danh-sach-ho-so-quy-I-2024.xlsx")
    run_cli("ingest", first, "--db", db)
    second = write_xlsx(tmp_path / "danh-sach-ho-so-quy-I-2024-v2.xlsx", ROWS[:2])
    code, _, err = run_cli("ingest", second, "--db", db)
    assert code == 0 and "thay thế" in err, err
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT sum(received_total) FROM filing_counts WHERE count_source = 'dossiers'").fetchone()[0] == 2
    from analytics.analyses.dossiers import dossier_paths

    assert con.execute("SELECT count(*) FROM read_parquet(?)", [dossier_paths(con)]).fetchone()[0] == 2


@pytest.mark.parametrize("text, channel", [
    ("Trực tuyến", "online"), ("Nộp trực tuyến (DVC toàn trình)", "online"), ("TRỰC TIẾP", "in_person"),
    ("Nộp tại quầy", "in_person"), ("Bưu chính công ích", "postal"), ("BCCI", "postal"),
    ("bưu chính", "postal"), ("Fax", None), ("", None),
])
def test_channels(text, channel):
    from analytics.ingest.dossiers import channel_of

    assert channel_of(text) == channel


@pytest.mark.parametrize("text, flag", [
    ("Có", True), ("có", True), ("x", True), ("Đã số hóa", True), ("1", True), ("Không", False),
    ("Chưa số hóa", False), ("0", False), ("", None), ("?", None),
])
def test_yes_no_cells(text, flag):
    from analytics.ingest.dossiers import flag_of

    assert flag_of(text) is flag


@pytest.mark.parametrize("header, field", [
    ("Số hồ sơ", "dossier_code"), ("Mã hồ sơ", "dossier_code"), ("Số biên nhận", "dossier_code"),
    ("Ngày hẹn trả", "system_due_at"), ("Ngày trả kết quả", "result_at"), ("Ngày có kết quả", "result_at"),
    ("Họ và tên", "applicant_name"), ("Số CCCD", "id_number"), ("CMND", "id_number"), ("Số điện thoại", "phone"),
    ("Địa chỉ", "address"), ("E-mail", "email"), ("NGÀY TIẾP NHẬN", "received_at"), ("Kênh nộp", "channel"),
])
def test_header_spellings(header, field):
    from analytics.ingest.headers import match_header

    assert match_header(header, "dossiers") == field


def test_the_blank_template_is_a_dossier_list(tmp_path):
    from analytics.ingest.common import Options
    from analytics.ingest.errors import IngestError
    from analytics.ingest.pipeline import parse_file
    from analytics.settings import TEMPLATES_DIR

    with pytest.raises(IngestError) as err:  # header only: recognised as a dossier list, with no rows
        parse_file(TEMPLATES_DIR / "mau-danh-sach-ho-so.csv", Options())
    assert err.value.key == "empty_sheet"
