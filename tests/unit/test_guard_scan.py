"""The workbook guard reads a worksheet's XML once, piece by piece: whatever the size of the pieces, it finds the
hidden rows, unreadable cells, last row, widest column and first rows that the whole XML holds.

Run: ``python -m pytest -q tests/unit/test_guard_scan.py``.
"""

from __future__ import annotations

import dataclasses
import io

import pytest

from analytics.ingest import guard
from analytics.ingest.errors import IngestError
from analytics.settings import read_limits


def sheet_xml(prefix: str = "") -> bytes:
    p = f"{prefix}:" if prefix else ""
    ns = f' xmlns:{prefix}="main"' if prefix else ""
    rows = []
    for r in range(1, 61):
        attrs = f' r="{r}"' + (' hidden="1"' if r in (3, 50) else "") + (' hidden="true"' if r == 44 else "")
        cells = f'<{p}c r="A{r}" t="inlineStr"><{p}is><{p}t>row {r} &lt;row r="9"</{p}t></{p}is></{p}c>'
        cells += f'<{p}c r="B{r}"><{p}v>{r}</{p}v></{p}c>'
        if r == 7:
            cells += f'<{p}c r="AB7" t="e"><{p}v>#DIV/0!</{p}v></{p}c>'
        if r == 40:
            cells += f'<{p}c r="C40"><{p}f>SUM(B1:B39)</{p}f><{p}v></{p}v></{p}c>'
        if r == 41:
            cells += f'<{p}c r="C41"><{p}f>1+1</{p}f><{p}v>2</{p}v></{p}c>'  # computed: readable
        if r == 55:
            cells += f'<{p}c r="XFD55"><{p}v>1</{p}v></{p}c>'
        rows.append(f"<{p}row{attrs}>{cells}</{p}row>")
    return (f'<?xml version="1.0"?><{p}worksheet{ns}><{p}dimension ref="A1:C60"/><{p}sheetData>{"".join(rows)}'
            f'</{p}sheetData><{p}mergeCells count="1"><{p}mergeCell ref="A1:B2"/></{p}mergeCells></{p}worksheet>'
            ).encode()


def scan(data: bytes, chunk: int, monkeypatch, limits=None, head_rows=None):
    monkeypatch.setattr(guard, "SCAN_CHUNK", chunk)
    return guard._scan_part(io.BytesIO(data), "KQ", "f.xlsx", limits or read_limits(), head_rows)


@pytest.mark.parametrize("prefix", ["", "x"])
@pytest.mark.parametrize("chunk", [7, 100, 1000, 1 << 22])
def test_any_size_of_pieces_finds_what_the_whole_sheet_holds(prefix, chunk, monkeypatch):
    data = sheet_xml(prefix)
    got = scan(data, chunk, monkeypatch, head_rows=2)
    assert got.hidden_rows == {2, 43, 49}
    bad = {k: (v.kind, v.ref, str(v)) for k, v in got.bad_cells.items()}
    assert bad == {(6, 27): ("error", "AB7", "#DIV/0!"), (39, 2): ("formula", "C40", "=SUM(B1:B39)")}
    assert got.last_row == 60
    whole = guard._scan_sheet(data)  # the regular expressions over the whole XML
    assert (got.hidden_rows, got.bad_cells) == (whole.hidden_rows, whole.bad_cells)
    assert got.head_xml == guard.head_xml(data, 2)[0] and got.head_cut
    p = f"{prefix}:" if prefix else ""
    assert got.head_xml.endswith(f'</{p}row></{p}sheetData><{p}mergeCells count="1"><{p}mergeCell ref="A1:B2"/>'
                                 f'</{p}mergeCells></{p}worksheet>'.encode())
    assert got.head_xml.count(f"<{p}row ".encode()) == 2 and b"dimension" not in got.head_xml


@pytest.mark.parametrize("chunk", [7, 1000, 1 << 22])
def test_a_cell_far_right_counts_in_the_size_whatever_the_piece_it_is_in(chunk, monkeypatch):
    limits = dataclasses.replace(read_limits(), max_cells=60 * 16384 - 1)
    with pytest.raises(IngestError) as caught:
        scan(sheet_xml(), chunk, monkeypatch, limits)
    assert caught.value.key == "too_many_cells"
    assert "60 rows × 16,384 columns" in caught.value.render("en") and "A1:C60" in caught.value.render("en")
    limits = dataclasses.replace(read_limits(), max_cells=60 * 16384)
    assert scan(sheet_xml(), chunk, monkeypatch, limits).last_row == 60


@pytest.mark.parametrize("cols, wider, not_wider", [
    (0, b'r="AA1"', b'r="Z9"'), (27, b'r="AB1"', b'r="AA1"'), (28, b'r="BA1"', b'r="AB1"'),
    (702, b'r="AAA1"', b'r="ZZ1"'), (16384, b'r="XFE1"', b'r="XFD1"'), (18278, None, b'r="ZZZ1"'),
])
def test_the_pattern_for_wider_cells(cols, wider, not_wider):
    pattern = guard._wider_than(cols).decode()
    assert guard._marked(not_wider, pattern) is False
    if wider is not None:
        assert guard._marked(wider, pattern) is True
