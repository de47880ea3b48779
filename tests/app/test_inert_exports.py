"""Every export is inert: text a spreadsheet would evaluate (leading = + - @, tab, CR) is neutralised on every path
(CLI --format csv, the dashboard's CSV and Excel downloads, the brief workbook)."""

from __future__ import annotations

import csv
import io

import openpyxl
import pandas as pd
import pytest

from ingest.test_hostile import make_formula_name

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def live_cells(rows) -> list[str]:
    """Cells a spreadsheet would evaluate: text starting with a formula character (a plain negative number is data)."""
    out = []
    for row in rows:
        for cell in row:
            text = str(cell)
            if text[:1] in DANGEROUS and not _is_number(text):
                out.append(text)
    return out


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


@pytest.fixture
def hostile_db(run_cli, tmp_path):
    db = tmp_path / "db.duckdb"
    path = make_formula_name(tmp_path)
    assert path.name.startswith("=1+2")
    code, _, err = run_cli("ingest", path, "--db", db)
    assert code == 0, err
    # and a rejected row whose raw value is a formula
    bad = tmp_path / "ket-qua-quy-III-2024.csv"
    bad.write_text("Tên đơn vị;Công khai, minh bạch;Tiến độ giải quyết;Số hóa hồ sơ;Dịch vụ công trực tuyến;"
                   "Mức độ hài lòng;Tổng điểm\nSở Tư pháp;18;@SUM(1+1);0,22;7,46;18;63,48\n"
                   "Sở Công Thương;18;19,8;0,22;7,46;18;63,48\n", encoding="utf-8")
    assert run_cli("ingest", bad, "--db", db)[0] == 1
    return db


@pytest.mark.parametrize("command", [("scores",), ("gaps",), ("rejects",), ("changes",),
                                     ("brief", "--unit", "hyperlink", "--period", "2024Q2")])
def test_cli_csv_is_inert(command, run_cli, hostile_db):
    code, out, err = run_cli(*command, "--db", hostile_db, "--format", "csv")
    assert code == 0, err
    rows = list(csv.reader(io.StringIO(out, newline="")))
    assert len(rows) > 1
    assert live_cells(rows) == []
    if command[0] in ("scores", "gaps"):
        units = {r[rows[0].index("unit")] for r in rows[1:]}
        assert "'=HYPERLINK(\"http://x.invalid\",\"Sở Công Thương\")" in units
    if command[0] == "scores":
        assert any(c.startswith("'=1+2 ket-qua") for r in rows for c in r)  # the file name, too
    if command[0] == "rejects":
        assert any(c == "'@SUM(1+1)" for r in rows for c in r)


HOSTILE = pd.DataFrame({"unit": ["=HYPERLINK(\"http://x\",\"a\")", "+SUM(1)", "-2+3", "@cmd", "\t=1", "\r=1",
                                 "  =1+1", "Sở Công Thương"],
                        "score_points": [1.0, -3.03, 2.0, 3.0, 4.0, 5.0, 6.0, 63.48]})


def test_dashboard_csv_download_is_inert():
    from analytics.brief.export import csv_text

    text = csv_text(HOSTILE)  # what widgets.download_buttons serves
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert live_cells(rows) == []
    assert rows[-1] == ["Sở Công Thương", "63.48"] and rows[2][1] == "-3.03"  # numbers stay numbers


def test_dashboard_excel_download_is_inert():
    from analytics.brief.export import table_xlsx

    wb = openpyxl.load_workbook(io.BytesIO(table_xlsx(HOSTILE, "Bảng", "vi")))
    cells = [c for row in wb.active.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert live_cells([[c.value for c in cells if isinstance(c.value, str)]]) == []
    assert -3.03 in [c.value for c in cells]


def test_cli_table_output_keeps_formula_text_as_text(run_cli, hostile_db):
    code, out, _ = run_cli("scores", "--db", hostile_db, "--period", "2024Q2")
    assert code == 0 and '=HYPERLINK("http://x.invalid"' in out  # shown literally on a terminal, never evaluated
