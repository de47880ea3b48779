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
