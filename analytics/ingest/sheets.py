"""Reading spreadsheets as they are (xlsx, xls, ods, csv) and finding the table inside them.

A table can sit on any sheet, below any number of title rows, under a one-, two- or three-row
(merged) header, with its columns in any order. ``find_table`` scores every candidate header
position against a layout's header aliases and returns the best one.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from analytics.ingest.errors import IngestError
from analytics.ingest.headers import match_header
from analytics.parsing import is_blank, nfc

EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
MAX_HEADER_SCAN_ROWS = 40
MAX_HEADER_DEPTH = 3


@dataclass
class Sheet:
    name: str | None  # None for CSV
    rows: list[list]  # cell values, row 0 = spreadsheet row 1 (trailing blank cells trimmed)
    hidden: bool = False  # a hidden sheet: never searched for a table unless the person asks for hidden data
    hidden_rows: list[int] = field(default_factory=list)  # spreadsheet rows hidden in the sheet that held data (left out)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # merged ranges (r1, c1, r2, c2), 0-based


@dataclass
class Table:
    """A located table: which sheet, where its header is, and which column holds which field."""

    sheet: Sheet
    header_row: int  # 0-based index of the first header row
    header_depth: int
    columns: dict[str, int]  # field -> 0-based column index
    headers: dict[str, str]  # field -> header text as written
    unmatched: list[str] = field(default_factory=list)

    @property
    def first_data_row(self) -> int:
        return self.header_row + self.header_depth

    def merged_data_rows(self, fields=None) -> dict[int, str]:
        """Spreadsheet row → merged range ("C5:C6") for data rows a cell merged across several rows covers, in a
        column of the table holding one of ``fields`` (all by default): the value sits in the first row only, so
        the others would read blank."""
        from analytics.ingest.guard import column_letters

        used = {c for f, c in self.columns.items() if fields is None or f in fields}
        out = {}
        for r1, c1, r2, c2 in self.sheet.merges:
            if r2 <= r1 or r2 < self.first_data_row or not any(c1 <= c <= c2 for c in used):
                continue
            ref = f"{column_letters(c1)}{r1 + 1}:{column_letters(c2)}{r2 + 1}"
            for r in range(max(r1, self.first_data_row), r2 + 1):
                out[r + 1] = ref
        return out

    def title_text(self) -> str:
        """The text above the header (titles, subtitles), one line per row."""
        lines = []
        for row in self.sheet.rows[: self.header_row]:
            cells = [nfc(c) for c in row if not is_blank(c)]
            if cells:
                lines.append(" ".join(cells))
        return "\n".join(lines)


def read_sheets(path: Path, display: str, include_hidden: bool = False) -> list[Sheet]:
    """Every sheet of a workbook (or the one table of a CSV) as lists of cell values.

    Refused before parsing when it declares more than the limits allow (``guard``). Hidden sheets are marked
    hidden and hidden rows left out, unless ``include_hidden``; formula cells without a cached value and error
    cells come back as ``BadCell``.
    """
    suffix = path.suffix.lower()
    try:
        if suffix in EXCEL_SUFFIXES:
            return _read_excel(path, display, include_hidden)
        if suffix in {".csv", ".txt", ".tsv"}:
            return [Sheet(None, _read_csv(path))]
    except IngestError:
        raise
    except Exception as exc:  # the readers raise many types for corrupt files
        raise IngestError("unreadable", file=display, detail=f"{type(exc).__name__}: {exc}".strip()[:300]) from exc
    raise IngestError("unreadable", file=display, detail=f"{suffix or 'no extension'} is not .xlsx, .xls, .ods or .csv")


def _read_excel(path: Path, display: str, include_hidden: bool) -> list[Sheet]:
    from python_calamine import CalamineWorkbook, SheetVisibleEnum

    from analytics.ingest import guard

    guard.check_zip(path, display)
    scans = guard.scan_xlsx(path, display) if path.suffix.lower() in (".xlsx", ".xlsm") else {}
    wb = CalamineWorkbook.from_path(str(path))
    visible = {m.name: m.visible == SheetVisibleEnum.Visible for m in wb.sheets_metadata}
    sheets = []
    for name in wb.sheet_names:
        ws = wb.get_sheet_by_name(name)
        rows = []
        for row in ws.to_python(skip_empty_area=False):
            rows.append([None if c == "" else c for c in _trim(row)])
        scan = scans.get(name)
        hidden_rows = []
        if scan is not None:
            for (r, c), bad in scan.bad_cells.items():
                if r < len(rows):
                    rows[r].extend([None] * (c + 1 - len(rows[r])))
                    rows[r][c] = bad
            for r in sorted(scan.hidden_rows):
                if r < len(rows) and any(v is not None for v in rows[r]):
                    hidden_rows.append(r + 1)
                    if not include_hidden:
                        rows[r] = []
        merges = [(a[0], a[1], b[0], b[1]) for a, b in (ws.merged_cell_ranges or [])]
        sheets.append(Sheet(name, rows, hidden=not visible.get(name, True) and not include_hidden,
                            hidden_rows=hidden_rows, merges=merges))
    return sheets


def decode_text(raw: bytes) -> str:
    """The text of a CSV by a fixed rule: a byte-order mark (UTF-8, UTF-16), else UTF-8 if it decodes, else
    Windows-1258 (Vietnamese Windows); never guessed from the content otherwise."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1258")


def _read_csv(path: Path) -> list[list]:
    raw = path.read_bytes()
    text = decode_text(raw)
    if "\x00" in text[:1000]:
        raise ValueError("binary content, not a text CSV")
    sample = text[:20000]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=";,\t|")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = max(";,\t", key=sample.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return [_trim(row) for row in reader]  # empty strings are blank cells (is_blank), kept as read


def _trim(row: list) -> list:
    """A row without its trailing empty cells (a sheet thousands of columns wide holds a table a few wide)."""
    end = len(row)
    while end and row[end - 1] == "":
        end -= 1
    return row if end == len(row) else row[:end]


def _header_paths(rows: list[list], start: int, depth: int, width: int) -> list[list[str]]:
    """For each column, the header texts from top to bottom.

    A merged group header keeps its value in its first cell only, so in every header row but the
    last a value is carried right across the blank cells that follow it.
    """
    paths = [[] for _ in range(width)]
    for r in range(start, start + depth):
        row = rows[r] if r < len(rows) else []
        last = r == start + depth - 1
        carried = None
        for c in range(width):
            value = row[c] if c < len(row) else None
            if not is_blank(value):
                carried = text = nfc(value)
            else:
                text = None if last else carried
            if text and (not paths[c] or paths[c][-1] != text):
                paths[c].append(text)
    return paths


def _match_path(path: list[str], layout: str) -> str | None:
    """The field a column's header path names: the longest matching suffix wins ("Đã giải quyết Tổng số")."""
    for i in range(len(path)):
        field_ = match_header(" ".join(path[i:]), layout)
        if field_:
            return field_
    return None


def locate(sheet: Sheet, layout: str, required: set[str]) -> Table | None:
    """The best header position for a layout on one sheet, or None when no row names the required fields."""
    rows = sheet.rows
    width = max((len(r) for r in rows[: MAX_HEADER_SCAN_ROWS + MAX_HEADER_DEPTH]), default=0)
    best: tuple[int, Table] | None = None
    for start in range(min(len(rows), MAX_HEADER_SCAN_ROWS)):
        if sum(1 for c in rows[start] if not is_blank(c)) < 2:
            continue
        for depth in range(1, MAX_HEADER_DEPTH + 1):
            if start + depth > len(rows):
                break
            paths = _header_paths(rows, start, depth, width)
            columns, headers, unmatched = {}, {}, []
            for c, path in enumerate(paths):
                if not path:
                    continue
                f = _match_path(path, layout)
                if f and f not in columns:
                    columns[f] = c
                    headers[f] = " / ".join(path)
                elif not f:
                    unmatched.append(" / ".join(path))
            if not required <= set(columns):
                continue
            # more matched fields is better; then a shallower header
            score = len(columns) * 10 - depth
            if best is None or score > best[0]:
                best = (score, Table(sheet, start, depth, columns, headers, unmatched))
    return best[1] if best else None


def find_table(sheets: list[Sheet], layout: str, required: set[str]) -> Table | None:
    """The best table for a layout across the visible sheets of a file."""
    found = [t for t in (locate(s, layout, required) for s in sheets if not s.hidden) if t is not None]
    if not found:
        return None
    return max(found, key=lambda t: len(t.columns))


def cell(row: list, index: int | None):
    """The value at a column index of a row, None when the row is shorter or the field is absent."""
    if index is None or index >= len(row):
        return None
    return row[index]


def row_is_blank(row: list) -> bool:
    return all(is_blank(c) for c in row)
