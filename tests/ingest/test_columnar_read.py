"""The columnar read (header from the first rows, data block by fastexcel or DuckDB, parsed per distinct value)
gives exactly what the cell-by-cell read gives: the same rows, values, rejects (file, sheet, row, column, value,
reason, raw row), notes and refusals, on the hostile inputs and on generated files with odd values.

Run: ``python -m pytest -q tests/ingest/test_columnar_read.py``.
"""

from __future__ import annotations

import pandas as pd
import pytest
import xlsxwriter

from analytics.ingest import sheets
from analytics.ingest.common import Options
from analytics.ingest.errors import IngestError
from analytics.ingest.pipeline import parse_file
from analytics.parsing import nfc

from test_hostile import CASES, cp1258

HEADER = ["Kỳ", "Đơn vị", "Mã thủ tục", "Tên thủ tục", "Tổng số tiếp nhận", "Tiếp nhận trực tuyến",
          "Tiếp nhận trực tiếp", "Tiếp nhận qua BCCI", "Kỳ trước chuyển qua", "Đã giải quyết", "Trả trước hạn",
          "Trả đúng hạn", "Trả quá hạn"]
TITLE = "BÁO CÁO SỐ LIỆU HỒ SƠ QUÝ II/2024"


def rows(n: int = 60, numbers: bool = False) -> list[list]:
    """``n`` filing rows with the odd values people type, at known rows (as numbers where ``numbers``)."""
    out = []
    for i in range(n):
        out.append(["2024Q2", "Sở Công Thương", f"2.{i:06d}", f"Thủ tục {i}", 10, 6, 3, 0, 1, 8, 2, 5, 1])
    out[5][4:6] = ["9.436", "9.000"]  # row 9: thousands dots, parts "9.000" + 3 + 0 + 1 ≠ 9.436 → rejected
    out[6][4:7] = ["1.234,0", "1.230", "3"]  # row 10: 1234 = 1230 + 3 + 0 + 1
    out[7][4] = "19,8"  # row 11: not a whole number
    out[8][5] = "—"  # row 12: a dash is blank, never 0
    out[9][1] = "So\u031b\u0309 Co\u0302ng Thu\u031bo\u031bng"  # row 13: NFD text
    out[10][3] = "=1+1"  # row 14: formula-like text
    out[11][4:9] = [12, 7, 3, 1, 0]  # row 15: 12 ≠ 7 + 3 + 1 + 0 → rejected by the validator
    out[12][9:13] = [9, 2, 5, 1]  # row 16: resolved 9 ≠ 2 + 5 + 1 → rejected by the validator
    out[13][4] = ""  # row 17: a blank count
    out[20][12] = -1  # row 24: negative, and 8 ≠ 2 + 5 − 1
    out.append(["", "Tổng cộng", "", "", 600, 360, 180, 0, 60, 480, 120, 300, 60])
    if numbers:  # a workbook's count columns hold numbers (text in them is read cell by cell, see below)
        out[5][4:6], out[6][4:7], out[7][4], out[8][5], out[13][4] = [9436, 9000], [1234, 1230, 3], 19.8, None, None
    return out


def write_xlsx(path, body):
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("So lieu")
    ws.write_row(0, 0, [TITLE])
    ws.write_row(2, 0, HEADER)
    for r, row in enumerate(body, start=3):
        for c, v in enumerate(row):
            if v is None:
                continue
            if isinstance(v, str):
                ws.write_string(r, c, v)
            else:
                ws.write_number(r, c, v)
    wb.close()
    return path


def csv_text(body, delimiter=";") -> str:
    lines = [TITLE, delimiter.join(HEADER)]
    lines += [delimiter.join(str(v) for v in row) for row in body]
    return "\r\n".join(lines) + "\r\n"


def both(path, monkeypatch, **options):
    """The file parsed cell by cell and by the columnar read: (result or IngestError text) of each."""
    out = []
    for threshold in (1 << 62, 0):
        monkeypatch.setattr(sheets, "FAST_MIN_BYTES", threshold)
        try:
            out.append(parse_file(path, Options(**options), path.name))
        except IngestError as exc:
            out.append(exc.render("vi"))
    return out


def assert_same(slow, fast):
    if isinstance(slow, str) or isinstance(fast, str):
        assert slow == fast
        return
    assert (slow.kind, slow.sheet, slow.periods, slow.notes, slow.illustrative) == \
        (fast.kind, fast.sheet, fast.periods, fast.notes, fast.illustrative)
    assert slow.rejects == fast.rejects
    assert slow.frames.keys() == fast.frames.keys()
    for name in slow.frames:
        pd.testing.assert_frame_equal(slow.frames[name], fast.frames[name])


@pytest.mark.parametrize("name", [n for n, c in CASES.items() if "portal" not in n and "json" not in n
                                  and "folder" not in n])
def test_hostile_inputs_read_the_same_both_ways(name, tmp_path, monkeypatch):
    case = CASES[name]
    path = case.make(tmp_path)
    options = {"include_hidden": "--include-hidden" in case.args}
    slow, fast = both(path, monkeypatch, **options)
    assert_same(slow, fast)


def test_generated_workbook_with_odd_values_reads_the_same_both_ways(tmp_path, monkeypatch):
    path = write_xlsx(tmp_path / "so-lieu-quy-II-2024.xlsx", rows(numbers=True))
    slow, fast = both(path, monkeypatch)
    assert_same(slow, fast)
    monkeypatch.setattr(sheets, "FAST_MIN_BYTES", 0)
    (sheet,) = sheets.read_sheets(path, path.name)
    assert sheet.columnar and sheet.head_rows()[2][:2] == ["Kỳ", "Đơn vị"]
    body = sheet.body(3)
    assert body._rows is None and body.columns[4].dtype == "float64" and body.columns[1].dtype == "str"
    df = fast.frames["filing_counts"]
    by_row = df.set_index("row_number")
    assert by_row.loc[10, "received_total"] == 1234 and by_row.loc[10, "received_online"] == 1230
    assert pd.isna(by_row.loc[12, "received_online"])  # "—" is blank, never 0
    assert by_row.loc[13, "unit_name"] == "Sở Công Thương"  # NFD → NFC
    assert by_row.loc[14, "procedure_name"] == "=1+1"
    assert pd.isna(by_row.loc[17, "received_total"])
    assert sorted((r["row_number"], r["column_name"]) for r in fast.rejects) == sorted([
        (9, "Tổng số tiếp nhận"), (11, "Tổng số tiếp nhận"), (15, "Tổng số tiếp nhận"), (16, "Đã giải quyết"),
        (24, "Đã giải quyết"), (24, "Trả quá hạn")])
    reasons = {r["row_number"]: r["reason"] for r in fast.rejects}
    assert reasons[9] == ("số liệu không khớp: received_total 9436 ≠ received_online 9000 + received_in_person 3 "
                          "+ received_postal 0 + carried_over 1")
    assert reasons[16] == ("số liệu không khớp: resolved_total 9 ≠ resolved_early 2 + resolved_on_time 5 "
                           "+ resolved_late 1")
    assert fast.rejects[0]["raw_json"].startswith('["2024Q2", "Sở Công Thương", "2.000005", "Thủ tục 5", "9436.0"')
    assert len(df) == 60 - 5


def test_mixed_column_falls_back_to_the_cell_by_cell_read(tmp_path, monkeypatch):
    body = rows()
    body[30][5] = "6"  # a count typed as text in a column of numbers: fastexcel cannot keep both kinds
    path = write_xlsx(tmp_path / "so-lieu-quy-II-2024.xlsx", body)
    slow, fast = both(path, monkeypatch)
    assert_same(slow, fast)
    monkeypatch.setattr(sheets, "FAST_MIN_BYTES", 0)
    (sheet,) = sheets.read_sheets(path, path.name)
    assert sheet.body(3)._rows is not None  # read cell by cell
    assert fast.frames["filing_counts"].set_index("row_number").loc[34, "received_online"] == 6
    assert fast.frames["filing_counts"].set_index("row_number").loc[10, "received_total"] == 1234  # "1.234,0"
    assert [r["row_number"] for r in fast.rejects] == [9, 11, 15, 16, 24, 24]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "cp1258"])
def test_csv_in_each_encoding_goes_through_duckdb_and_reads_the_same(encoding, tmp_path, monkeypatch):
    text = csv_text(rows())
    data = cp1258(text) if encoding == "cp1258" else text.encode(encoding)
    path = tmp_path / "so-lieu-quy-II-2024.csv"
    path.write_bytes(data)
    slow, fast = both(path, monkeypatch)
    assert_same(slow, fast)
    monkeypatch.setattr(sheets, "FAST_MIN_BYTES", 0)
    (sheet,) = sheets.read_sheets(path, path.name)
    assert sheet.columnar and [nfc(c) for c in sheet.head_rows()[0]] == [TITLE]  # cp1258: tone marks combining
    block = sheet.body(2)
    assert block._rows is None and block.n == 61  # DuckDB read the 60 rows and the total row
    df = fast.frames["filing_counts"].set_index("row_number")
    assert df.loc[4, "unit_name"] == "Sở Công Thương" and df.loc[4, "procedure_name"] == "Thủ tục 1"
    assert df.loc[9, "received_total"] == 1234 and pd.isna(df.loc[11, "received_online"])  # "—" is blank
    assert df.loc[12, "unit_name"] == "Sở Công Thương"  # NFD → NFC
    assert sorted((r["row_number"], r["column_name"]) for r in fast.rejects) == sorted([
        (8, "Tổng số tiếp nhận"), (10, "Tổng số tiếp nhận"), (14, "Tổng số tiếp nhận"), (15, "Đã giải quyết"),
        (23, "Đã giải quyết"), (23, "Trả quá hạn")])


def test_csv_with_a_blank_line_or_a_ragged_row_reads_the_same_as_before(tmp_path, monkeypatch):
    text = csv_text(rows())
    lines = text.split("\r\n")
    blank = "\r\n".join(lines[:20] + [""] + lines[20:])  # DuckDB would skip it; the row numbers count it
    ragged = "\r\n".join(lines[:30] + [lines[30] + ";x"] + lines[31:])
    for name, content in (("blank", blank), ("ragged", ragged)):
        path = tmp_path / f"{name}-quy-II-2024.csv"
        path.write_text(content, encoding="utf-8")
        slow, fast = both(path, monkeypatch)
        assert_same(slow, fast)
    monkeypatch.setattr(sheets, "FAST_MIN_BYTES", 0)
    (sheet,) = sheets.read_sheets(tmp_path / "ragged-quy-II-2024.csv", "x")
    assert sheet.body(2)._rows is not None  # DuckDB refused the ragged row: read by csv
