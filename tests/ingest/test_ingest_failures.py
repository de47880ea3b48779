"""Bad input: each case gets a clear message naming the place, the right exit code, and loses nothing."""

import json
import unicodedata

import duckdb
import openpyxl
import pytest

from conftest import FILINGS_Q2, INDEX_Q2, table_snapshot

HEADER = ["STT", "Tên đơn vị", "Công khai, minh bạch (18 điểm)", "Tiến độ giải quyết (20 điểm)",
          "Dịch vụ công trực tuyến (22 điểm)", "Mức độ hài lòng (18 điểm)", "Số hóa hồ sơ (22 điểm)",
          "Tổng điểm (100 điểm)", "Xếp loại"]
GOOD = [1, "Sở Công Thương", 18, 19.8, 7.46, 18, 0.22, 63.48, "Trung bình"]
GOOD2 = [2, "Sở Tư pháp", 17.5, 19.57, 9.34, 15.83, 11.14, 73.38, "Khá"]


def write_table(path, rows, *, title="KẾT QUẢ BỘ CHỈ SỐ QUÝ II/2024", header=HEADER, sheet="KQ"):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append([title])
    ws.append([])
    ws.append(header)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


@pytest.fixture
def loaded_db(run_cli, db):
    """A database that already holds the Q2 fixture, to check failures leave it exactly as it was."""
    code, _, err = run_cli("ingest", INDEX_Q2, "--db", db)
    assert code == 0, err
    return db


def rejects_of(out):
    (result,) = json.loads(out)
    return result["rejects"]


def test_score_above_max_rejects_the_row_and_loads_the_rest(run_cli, loaded_db, tmp_path):
    bad = list(GOOD2)
    bad[6] = 25  # digitization max is 22
    path = write_table(tmp_path / "ket-qua-quy-II-2024-b.xlsx", [GOOD, bad])
    code, out, err = run_cli("ingest", path, "--db", loaded_db, "--format", "json")
    assert code == 1
    rejects = rejects_of(out)
    assert {r["row_number"] for r in rejects} == {5}  # the sum no longer matches the total either
    (rej,) = [r for r in rejects if r["column_name"] == "Số hóa hồ sơ (22 điểm)"]
    assert (rej["file_name"], rej["sheet"], rej["row_number"], rej["column_name"]) == (
        path.name, "KQ", 5, "Số hóa hồ sơ (22 điểm)")
    assert rej["value"] == "25.0" and "22" in rej["reason"]
    assert "dòng 5" in err and "Số hóa hồ sơ (22 điểm)" in err
    con = duckdb.connect(str(loaded_db), read_only=True)
    assert con.execute("SELECT count(*) FROM rejects WHERE row_number = 5").fetchone()[0] == 2
    assert con.execute("SELECT count(*) FROM index_scores WHERE source_file = ?", [path.name]).fetchone()[0] == 6
    raw = json.loads(con.execute("SELECT raw_json FROM rejects").fetchone()[0])
    assert raw[1] == "Sở Tư pháp"  # the rejected row is kept with its raw values


def test_text_in_a_number_cell_is_rejected_with_its_place(run_cli, db, tmp_path):
    bad = list(GOOD2)
    bad[3] = "mười chín"
    path = write_table(tmp_path / "kq-quy-II-2024.xlsx", [GOOD, bad])
    code, out, err = run_cli("ingest", path, "--db", db, "--format", "json")
    assert code == 1
    (rej,) = rejects_of(out)
    assert rej["row_number"] == 5 and rej["column_name"] == "Tiến độ giải quyết (20 điểm)"
    assert "không phải là số" in rej["reason"]
    code, out, _ = run_cli("rejects", "--db", db, "--format", "json")
    assert code == 0 and json.loads(out)[0]["value"] == "mười chín"


def test_a_total_must_agree_with_its_components_and_a_differing_grade_is_flagged_not_rejected(run_cli, db, tmp_path):
    wrong_total = list(GOOD2)
    wrong_total[7] = 80.0
    wrong_grade = [3, "Sở Y tế", 18, 17.52, 10.22, 17.37, 7.56, 70.67, "Tốt"]
    path = write_table(tmp_path / "kq-quy-II-2024.xlsx", [GOOD, wrong_total, wrong_grade])
    code, out, _ = run_cli("ingest", path, "--db", db, "--format", "json")
    assert code == 1
    reasons = {}
    for r in rejects_of(out):
        reasons.setdefault(r["row_number"], []).append(r["reason"])
    assert any("80" in x and "73,38" in x for x in reasons[5])  # total ≠ sum of components
    assert 6 not in reasons  # the 70/50 cut-offs are inferred: the published row is kept, flagged
    (note,) = [n for n in json.loads(out)[0]["notes"] if "dòng 6" in n]
    assert "Sở Y tế" in note and "“Tốt”" in note and "“Khá”" in note and "70,67" in note
    con = duckdb.connect(str(db), read_only=True)
    flagged = con.execute("SELECT unit_id, score_points, reported_grade, grade_mismatch FROM index_scores "
                          "WHERE component = 'total' ORDER BY unit_id").fetchall()
    assert flagged == [("so cong thuong", 63.48, "Trung bình", False), ("so y te", 70.67, "Tốt", True)]
    from analytics.analyses.consistency import grade_consistency
    from analytics.labels import labelled

    check = labelled(grade_consistency(con, "2024Q2", "so y te")).iloc[0]
    assert bool(check["grade_differs"]) and check["computed_grade"] == "Khá" and check["reported_grade"] == "Tốt"
    code, out, _ = run_cli("scores", "--db", db, "--unit", "so y te", "--format", "json")
    total = next(r for r in json.loads(out) if r["component"] == "total")
    assert total["grade_mismatch"] is True and total["reported_grade"] == "Tốt" and total["grade"] == "Khá"


def test_missing_component_column_loads_nothing(run_cli, loaded_db, tmp_path):
    header = [h for h in HEADER if not h.startswith("Số hóa")]
    rows = [[c for i, c in enumerate(r) if i != 6] for r in (GOOD, GOOD2)]
    path = write_table(tmp_path / "kq-quy-II-2024.xlsx", rows, header=header)
    before = table_snapshot(loaded_db)
    code, _, err = run_cli("ingest", path, "--db", loaded_db)
    assert code == 2
    assert "thiếu cột" in err and "Số hóa hồ sơ" in err and path.name in err and "KQ" in err
    assert table_snapshot(loaded_db) == before


def test_disagreeing_periods_refuse_the_file_saying_who_said_what(run_cli, loaded_db, tmp_path):
    path = write_table(tmp_path / "ket-qua-766-quy-III-2024.xlsx", [GOOD], title="KẾT QUẢ QUÝ II/2024")
    before = table_snapshot(loaded_db)
    code, _, err = run_cli("ingest", path, "--db", loaded_db)
    assert code == 2
    assert "tiêu đề: 2024Q2" in err and "tên tệp: 2024Q3" in err
    assert table_snapshot(loaded_db) == before
    code, _, err = run_cli("ingest", path, "--db", loaded_db, "--period", "2024Q4", "--lang", "en")
    assert code == 2 and "--period: 2024Q4" in err and "title: 2024Q2" in err


def test_no_period_anywhere_asks_for_period(run_cli, db, tmp_path):
    path = write_table(tmp_path / "ket-qua.xlsx", [GOOD], title="KẾT QUẢ BỘ CHỈ SỐ")
    code, _, err = run_cli("ingest", path, "--db", db)
    assert code == 2 and "--period" in err
    code, _, _ = run_cli("ingest", path, "--db", db, "--period", "2024Q2")
    assert code == 0


def test_corrupt_file_loads_nothing(run_cli, loaded_db, tmp_path):
    path = tmp_path / "ket-qua-quy-II-2024.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not really a workbook" * 10)
    before = table_snapshot(loaded_db)
    code, _, err = run_cli("ingest", path, "--db", loaded_db)
    assert code == 2 and path.name in err and "không đọc được" in err
    assert table_snapshot(loaded_db) == before


def test_empty_sheet_loads_nothing(run_cli, loaded_db, tmp_path):
    path = tmp_path / "trong-quy-II-2024.xlsx"
    openpyxl.Workbook().save(path)
    before = table_snapshot(loaded_db)
    code, _, err = run_cli("ingest", path, "--db", loaded_db)
    assert code == 2 and path.name in err
    assert table_snapshot(loaded_db) == before


def test_a_file_of_another_kind_is_refused(run_cli, loaded_db):
    before = table_snapshot(loaded_db)
    code, _, err = run_cli("ingest", FILINGS_Q2, "--db", loaded_db, "--kind", "index")
    assert code == 2
    assert "không phải là bảng kết quả Bộ chỉ số" in err and "số liệu hồ sơ" in err
    code, _, err = run_cli("ingest", INDEX_Q2, "--db", loaded_db, "--kind", "portal", "--lang", "en")
    assert code == 2 and "not national-portal evaluation data" in err
    assert table_snapshot(loaded_db) == before


def test_missing_file(run_cli, db, tmp_path):
    code, _, err = run_cli("ingest", tmp_path / "khong-co.xlsx", "--db", db)
    assert code == 2 and "khong-co.xlsx" in err


def test_filing_rows_breaking_invariants_are_rejected(run_cli, db, tmp_path):
    header = ["Kỳ", "Đơn vị", "Mã thủ tục", "Tên thủ tục", "Tổng số tiếp nhận", "Tiếp nhận trực tuyến",
              "Tiếp nhận trực tiếp", "Tiếp nhận qua BCCI", "Kỳ trước chuyển qua", "Đã giải quyết", "Trả trước hạn",
              "Trả đúng hạn", "Trả quá hạn", "Có số hóa thành phần hồ sơ"]
    rows = [
        ["2024Q2", "Sở Công Thương", "1.1", "A", 10, 8, 2, 0, 0, 9, 5, 4, 0, 3],   # fine
        ["2024Q2", "Sở Công Thương", "1.2", "B", 10, 8, 1, 0, 0, 9, 5, 4, 0, 3],   # 8 + 1 ≠ 10
        ["2024Q2", "Sở Công Thương", "1.3", "C", 10, 8, 2, 0, 0, 9, 5, 4, 0, 11],  # digitized > received
    ]
    path = tmp_path / "ho-so.csv"
    path.write_text("\n".join(",".join(map(str, r)) for r in [header, *rows]), encoding="utf-8")
    code, out, _ = run_cli("ingest", path, "--db", db, "--format", "json")
    assert code == 1
    rej = {r["row_number"]: r for r in rejects_of(out)}
    assert set(rej) == {3, 4}
    assert rej[3]["column_name"] == "Tổng số tiếp nhận" and "received_online 8" in rej[3]["reason"]
    assert rej[4]["column_name"] == "Có số hóa thành phần hồ sơ"
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT procedure_code FROM filing_counts").fetchall() == [("1.1",)]


def test_nfd_text_and_decimal_comma_as_text_load(run_cli, db, tmp_path):
    nfd = lambda s: unicodedata.normalize("NFD", s)  # noqa: E731
    header = [nfd(h) for h in HEADER]
    row = [1, nfd("Sở Công Thương"), "18", "19,8", "7,46", "18", "0,22", "63,48", nfd("Trung bình")]
    path = write_table(tmp_path / "kq.xlsx", [row], header=header, title=nfd("KẾT QUẢ QUÝ II/2024"))
    code, _, err = run_cli("ingest", path, "--db", db)
    assert code == 0, err
    code, out, _ = run_cli("scores", "--db", db, "--format", "json", "--unit", "Sở Công Thương")
    total = [r for r in json.loads(out) if r["component"] == "total"][0]
    assert total["score"] == 63.48 and total["grade"] == "Trung bình"


def test_english_messages(run_cli, db, tmp_path):
    path = write_table(tmp_path / "ket-qua.xlsx", [GOOD], title="KẾT QUẢ")
    code, _, err = run_cli("ingest", path, "--db", db, "--lang", "en")
    assert code == 2 and "cannot tell the period" in err and "How to fix" in err
