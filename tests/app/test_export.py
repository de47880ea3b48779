"""The meeting brief export: the XLSX (title, period, unit, tiles, findings, sources and hashes, data date),
the PNG/PDF one-pager, formula neutralisation and the illustrative marks."""

from __future__ import annotations

import io
import re
from datetime import datetime

import pandas as pd
import pytest
from openpyxl import load_workbook

from analytics.brief.tiles import TILE_COLUMNS
from analytics.brief.export import BriefData, ExportError, Finding, brief_data, brief_workbook, one_pager


@pytest.fixture(scope="module")
def brief(demo_db):
    import duckdb

    con = duckdb.connect(str(demo_db), read_only=True)
    try:
        return brief_data(con, "2024Q2", "so cong thuong", "vi")
    finally:
        con.close()


def cells(wb) -> list[list]:
    return [[c for c in row] for row in wb.active.iter_rows(values_only=True)]


def find_row(rows, first):
    return next(r for r in rows if r and r[0] == first)


def test_brief_data_carries_the_published_figures(brief):
    tiles = brief.tiles.set_index("component")
    assert tiles.loc["total", "score_points"] == pytest.approx(63.48)
    assert tiles.loc["total", "grade"] == "Trung bình"
    assert tiles.loc["online_services", "change_vs_previous_points"] == pytest.approx(-3.03)
    assert tiles.loc["digitization", "gap_to_max_points"] == pytest.approx(21.78)
    assert not tiles.loc["total", "illustrative"]
    assert brief.period_label == "Quý II/2024"
    assert len(brief.sources) and brief.sources["sha256"].str.fullmatch(r"[0-9a-f]{64}").all()
    assert brief.data_date is not None


def test_the_workbook_has_title_period_unit_tiles_findings_sources_and_date(brief):
    wb = load_workbook(io.BytesIO(brief_workbook(brief)))
    rows = cells(wb)
    assert rows[0][0] == "BÁO CÁO NHANH BỘ CHỈ SỐ PHỤC VỤ NGƯỜI DÂN, DOANH NGHIỆP"
    assert find_row(rows, "Đơn vị")[1] == "Sở Công Thương"
    assert find_row(rows, "Kỳ đánh giá")[1] == "Quý II/2024"
    assert find_row(rows, "Xếp loại")[1] == "Trung bình"
    assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", find_row(rows, "Ngày dữ liệu")[1])
    header = find_row(rows, "Thành phần")
    assert list(header[:4]) == ["Thành phần", "Điểm", "Tối đa", "Còn thiếu"]
    online = find_row(rows, "Dịch vụ công trực tuyến")
    assert online[1] == pytest.approx(7.46) and online[2] == 22 and online[3] == pytest.approx(14.54)
    assert online[4] == pytest.approx(-3.03) and online[5] == "Quý I/2024"
    assert find_row(rows, "Tổng điểm")[1] == pytest.approx(63.48)
    flat = "\n".join(str(c) for r in rows for c in r if c is not None)
    assert "Nhận định chính" in flat and "giảm 3,03 điểm" in flat
    assert "Tệp nguồn và mã băm" in flat
    hashes = [c for r in rows for c in r if isinstance(c, str) and re.fullmatch(r"[0-9a-f]{64}", c)]
    assert len(hashes) == len(brief.sources) > 0
    assert "so-cong-thuong-dong-nai.csv" in flat  # the published figures' file
    # rows resting on illustrative data say so
    assert "Minh họa" in flat
    ws = wb.active
    assert ws["A1"].font.bold and ws.page_setup.orientation == "landscape"


def _tiles(**over) -> pd.DataFrame:
    row = {c: None for c in TILE_COLUMNS}
    row.update(component="total", component_label="Tổng điểm", score_points=63.48, max_points=100.0,
               gap_to_max_points=36.52, grade="Trung bình", illustrative=False, source="VB 1937/VP-HCC")
    row.update(over)
    return pd.DataFrame([row], columns=TILE_COLUMNS)


def test_cell_text_that_could_be_a_formula_is_neutralised():
    b = BriefData(unit="=HYPERLINK(\"http://x\",\"bấm\")", unit_id="x", period="2024Q2", period_label="Quý II/2024",
                  lang="vi", tiles=_tiles(component_label="+SUM(A1:A9)", source="@cmd"),
                  findings=[Finding("-2+3 điểm", False), Finding("=1+1", True)],
                  sources=pd.DataFrame([{"file_name": "=evil.csv", "kind": "index", "sha256": "a" * 64,
                                         "illustrative": True, "source_document": "+doc"}]),
                  data_date=datetime(2024, 7, 9, 8, 0))
    wb = load_workbook(io.BytesIO(brief_workbook(b)))
    texts = [c for r in cells(wb) for c in r if isinstance(c, str)]
    for bad in ("=HYPERLINK", "+SUM", "@cmd", "-2+3", "=1+1", "=evil.csv", "+doc"):
        assert not any(t.startswith(bad) for t in texts), bad
        assert any(t.startswith("'" + bad) for t in texts), bad
    # no cell holds a formula at all
    assert not any(c.data_type == "f" for row in wb.active.iter_rows() for c in row)


def test_illustrative_tiles_are_marked_in_the_workbook():
    b = BriefData(unit="Sở Công Thương", unit_id="so cong thuong", period="2025Q2", period_label="Quý II/2025",
                  lang="vi", tiles=_tiles(illustrative=True), findings=[], sources=pd.DataFrame(), data_date=None)
    rows = cells(load_workbook(io.BytesIO(brief_workbook(b))))
    total = find_row(rows, "Tổng điểm")
    assert "Minh họa" in total
    assert any(r and isinstance(r[0], str) and r[0].startswith("Các dòng có “Minh họa”") for r in rows)


def test_english_workbook():
    b = BriefData(unit="Sở Công Thương", unit_id="so cong thuong", period="2024Q2", period_label="Q2/2024",
                  lang="en", tiles=_tiles(component_label="Total", grade="Average"), findings=[])
    rows = cells(load_workbook(io.BytesIO(brief_workbook(b))))
    assert rows[0][0] == "SERVICE INDEX MEETING BRIEF"
    assert find_row(rows, "Period")[1] == "Q2/2024"


def test_one_pager_png_and_pdf(brief, chromium):
    png = one_pager(brief, "png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    from PIL import Image

    img = Image.open(io.BytesIO(png))
    assert img.size == (1240, 1754)
    pdf = one_pager(brief, "pdf")
    assert pdf[:5] == b"%PDF-"
    from tests.conftest import ROOT

    target = ROOT / "test-output"  # kept for a person to look at (ignored by git)
    target.mkdir(exist_ok=True)
    (target / "one-pager.png").write_bytes(png)


def test_one_pager_failure_is_a_clear_error(brief, monkeypatch):
    import plotly.graph_objects as go

    def broken(self, *a, **k):
        raise RuntimeError("Kaleido requires Google Chrome to be installed")

    monkeypatch.setattr(go.Figure, "to_image", broken)
    with pytest.raises(ExportError, match="Chrome"):
        one_pager(brief, "png")


def test_table_downloads_carry_number_formats_and_units():
    """A dashboard table's Excel download: points 0.00, counts #,##0, percents 0.00 " %", headers with units."""
    from analytics.brief.export import table_xlsx
    from analytics.dashboard.widgets import Col, exported

    df = pd.DataFrame({"procedure_name": ["Thông báo hoạt động khuyến mại"], "portal_filings": [9436],
                       "rate_pct": [36.9], "points": [63.48], "change": [-3.03]})
    cols = [Col("procedure_name", "col.procedure"), Col("portal_filings", "col.portal", "count"),
            Col("rate_pct", "col.rate", "pct"), Col("points", "col.points", "points"),
            Col("change", "col.change_prev", "signed")]
    wb = load_workbook(io.BytesIO(table_xlsx(exported(df, cols, "vi"), "Bảng", "vi")))
    ws = wb.active
    headers = [c.value for c in ws[2]]
    assert headers[1] == "Cổng DVCQG"
    assert headers[2].endswith("(%)") and headers[3].endswith("(điểm)")
    row = ws[3]
    assert (row[1].value, row[1].number_format) == (9436, "#,##0")  # opens as 9.436 in Vietnamese Excel
    assert (row[2].value, row[2].number_format) == (36.9, '0.00" %"')
    assert (row[3].value, row[3].number_format) == (63.48, "0.00")  # 63,48
    assert (row[4].value, row[4].number_format) == (-3.03, "+0.00;-0.00;0.00")
    assert row[0].number_format == "General"  # text stays text


def test_a_table_without_kinds_is_formatted_by_its_numbers():
    from analytics.brief.export import table_xlsx

    df = pd.DataFrame({"Số hồ sơ": pd.array([83], dtype="Int64"), "Điểm": [0.42]})
    ws = load_workbook(io.BytesIO(table_xlsx(df, "Bảng"))).active
    assert (ws["A3"].value, ws["A3"].number_format) == (83, "#,##0")
    assert (ws["B3"].value, ws["B3"].number_format) == (0.42, "0.00")


def pdf_info(pdf: bytes) -> dict[str, str]:
    """The document information a PDF reader shows: the last trailer's /Info object, its text strings decoded."""
    trailer = pdf[pdf.rfind(b"trailer"):]
    number = re.search(rb"/Info\s+(\d+)\s+0\s+R", trailer).group(1)
    start = pdf.rfind(b"\n" + number + b" 0 obj")
    obj = pdf[start:pdf.index(b"endobj", start)]
    out = {}
    for key, hexed in re.findall(rb"/(\w+)\s*<([0-9A-Fa-f]+)>", obj):
        out[key.decode()] = bytes.fromhex(hexed.decode()).decode("utf-16")
    return out


def test_pdf_information_is_replaced_by_an_incremental_update():
    from analytics.brief.export import with_pdf_info

    body = (b"%PDF-1.4\n1 0 obj\n<</Title (Kaleido-fier)>>\nendobj\n2 0 obj\n<</Type /Catalog>>\nendobj\n")
    xref = len(body)
    original = body + (b"xref\n0 3\n0000000000 65535 f \n0000000009 00000 n \n0000000050 00000 n \n"
                       b"trailer\n<</Size 3\n/Root 2 0 R\n/Info 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % xref)
    pdf = with_pdf_info(original, {"Title": "Bản tóm tắt – Sở Công Thương – Quý II/2024", "Author": "Sở Công Thương"})
    assert pdf.startswith(original)  # the original bytes are untouched
    assert pdf_info(pdf) == {"Title": "Bản tóm tắt – Sở Công Thương – Quý II/2024", "Author": "Sở Công Thương"}
    tail = pdf[pdf.rfind(b"trailer"):]
    assert b"/Root 2 0 R" in tail and b"/Size 4" in tail and b"/Prev %d" % xref in tail
    new_xref = int(re.search(rb"startxref\s+(\d+)", tail).group(1))
    assert pdf[new_xref:new_xref + 4] == b"xref"
    offset = int(re.search(rb"xref\n3 1\n(\d{10}) 00000 n", pdf[new_xref:]).group(1))
    assert pdf[offset:offset + 7] == b"3 0 obj"


def test_one_pager_pdf_has_a_vietnamese_title(brief, chromium):
    info = pdf_info(one_pager(brief, "pdf"))
    assert info["Title"] == "Bản tóm tắt – Sở Công Thương – Quý II/2024"
    assert info["Author"] == "Sở Công Thương"
    assert info["Subject"].startswith("Kết quả Bộ chỉ số phục vụ người dân, doanh nghiệp của Sở Công Thương, Quý II/2024")
    assert info["Subject"].endswith("(Minh họa)")  # the brief rests on illustrative counts
