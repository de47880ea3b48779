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


HEAD_ROWS = MAX_HEADER_SCAN_ROWS + MAX_HEADER_DEPTH  # the rows find_table looks at
# Sheets larger than this (uncompressed XML or text bytes) are read by the columnar path (fastexcel / DuckDB):
# the header is found in the first rows and the data block is read as typed columns, never cell by cell.
FAST_MIN_BYTES = 1 << 20


class Sheet:
    """One sheet's cells: ``rows`` (row 0 = spreadsheet row 1, trailing blank cells trimmed) as Python values.

    A large sheet read by the columnar path holds only its first rows (``head``) and reads its data block as
    typed columns when a parser asks (``body``); ``rows`` is still there for the parsers that want cells, read
    cell by cell on first use, exactly as a small sheet is.
    """

    def __init__(self, name: str | None, rows: list[list] | None = None, hidden: bool = False,
                 hidden_rows: list[int] | None = None, merges: list[tuple[int, int, int, int]] | None = None, *,
                 head: list[list] | None = None, n_rows: int | None = None, body_reader=None, rows_reader=None):
        self.name = name  # None for CSV
        self._rows = rows
        self.hidden = hidden  # a hidden sheet: never searched for a table unless the person asks for hidden data
        self.hidden_rows = hidden_rows or []  # spreadsheet rows hidden in the sheet that held data (left out)
        self.merges = merges or []  # merged ranges (r1, c1, r2, c2), 0-based
        self._head = head
        self._n_rows = n_rows
        self._body_reader = body_reader  # first row -> Body (typed columns) or None when the columns are odd
        self._rows_reader = rows_reader  # () -> rows, cell by cell
        self._bodies: dict[int, Body] = {}

    @property
    def rows(self) -> list[list]:
        if self._rows is None:
            self._rows = self._rows_reader()
        return self._rows

    @property
    def columnar(self) -> bool:
        """Read by the columnar path (its rows not read cell by cell yet)."""
        return self._rows is None

    def head_rows(self) -> list[list]:
        """The first rows, where find_table looks for the header."""
        return self._rows[:HEAD_ROWS] if self._rows is not None else self._head

    def row_count(self) -> int:
        return len(self._rows) if self._rows is not None else self._n_rows

    def has_data(self) -> bool:
        if self._rows is None:
            return self._n_rows > 0 and (any(any(c is not None for c in r) for r in self._head)
                                         or self._n_rows > len(self._head))
        return any(any(c is not None for c in row) for row in self._rows)

    def body(self, first_row: int) -> Body:
        """The rows from ``first_row`` (0-based) down as columns: typed (Arrow) when read by the columnar path and
        its columns are plain numbers, text or booleans, else the cells read one by one."""
        if first_row not in self._bodies:
            body = None
            if self._rows is None and self._body_reader is not None:
                body = self._body_reader(first_row)
            self._bodies[first_row] = body if body is not None else Body.from_rows(self.rows[first_row:], first_row)
        return self._bodies[first_row]


class Body:
    """A sheet's data block, column by column; ``series(c)`` is indexed by spreadsheet row number."""

    def __init__(self, first_row: int, n: int, columns: dict, width: int, blank_cell=None, rows=None):
        self.first_row = first_row  # 0-based sheet row of the block's first row
        self.n = n
        self.columns = columns  # absolute 0-based column index -> pandas Series (positional)
        self.width = width  # the widest row's length (trailing blanks trimmed)
        self.blank_cell = blank_cell  # what the cell reader gives for an empty cell inside a row (None; CSV: "")
        self._rows = rows  # the cells as read (slow path)

    @classmethod
    def from_rows(cls, rows: list[list], first_row: int) -> Body:
        import pandas as pd

        width = max((len(r) for r in rows), default=0)
        frame = pd.DataFrame([r + [None] * (width - len(r)) for r in rows], dtype=object)
        return cls(first_row, len(rows), {c: frame[c] for c in range(width)}, width, rows=rows)

    @property
    def index(self):
        import pandas as pd

        return pd.RangeIndex(self.first_row + 1, self.first_row + 1 + self.n)

    def series(self, c: int | None):
        """The column's cells indexed by spreadsheet row number (all None when the column is absent)."""
        import pandas as pd

        if c is None or c not in self.columns:
            return pd.Series(None, index=self.index, dtype=object)
        s = self.columns[c]
        return s.set_axis(self.index) if not s.index.equals(self.index) else s

    def raw_row(self, row_number: int) -> list:
        """The row's cells as the cell-by-cell reader gives them (trailing blanks trimmed), by spreadsheet row."""
        i = row_number - self.first_row - 1
        if self._rows is not None:
            return self._rows[i]
        out = []
        for c in range(self.width):
            s = self.columns.get(c)
            v = None if s is None else s.iat[i]
            if v is None or (isinstance(v, float) and v != v):
                v = self.blank_cell
            elif hasattr(v, "item"):  # numpy scalars as the Python values the cell reader returns
                v = v.item()
            out.append(v)
        return _trim(out) if self.blank_cell == "" else _trim_none(out)


def _trim_none(row: list) -> list:
    end = len(row)
    while end and row[end - 1] is None:
        end -= 1
    return row[:end]


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
        for row in self.sheet.head_rows()[: self.header_row]:
            cells = [nfc(c) for c in row if not is_blank(c)]
            if cells:
                lines.append(" ".join(cells))
        return "\n".join(lines)


def read_sheets(path: Path, display: str, include_hidden: bool = False) -> list[Sheet]:
    """Every sheet of a workbook (or the one table of a CSV) as lists of cell values.

    Refused before parsing when it declares more than the limits allow (``guard``). Hidden sheets are marked
    hidden and hidden rows left out, unless ``include_hidden``; formula cells without a cached value and error
    cells come back as ``BadCell``. A large sheet is read by the columnar path (see ``Sheet``).
    """
    suffix = path.suffix.lower()
    try:
        if suffix in EXCEL_SUFFIXES:
            return _read_excel(path, display, include_hidden)
        if suffix in {".csv", ".txt", ".tsv"}:
            return [_read_csv_sheet(path)]
    except IngestError:
        raise
    except Exception as exc:  # the readers raise many types for corrupt files
        raise IngestError("unreadable", file=display, detail=f"{type(exc).__name__}: {exc}".strip()[:300]) from exc
    raise IngestError("unreadable", file=display, detail=f"{suffix or 'no extension'} is not .xlsx, .xls, .ods or .csv")


def _sheet_rows(ws, scan, include_hidden: bool) -> tuple[list[list], list[int]]:
    """A calamine sheet's cells row by row, with the scan's unreadable cells in place and hidden rows left out."""
    rows = []
    for row in ws.to_python(skip_empty_area=False):
        rows.append([None if c == "" else c for c in _trim(row)])
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
    return rows, hidden_rows


def _read_excel(path: Path, display: str, include_hidden: bool) -> list[Sheet]:
    from python_calamine import CalamineWorkbook, SheetVisibleEnum

    from analytics.ingest import guard

    guard.check_zip(path, display)
    is_xlsx = path.suffix.lower() in (".xlsx", ".xlsm")
    scans = guard.scan_xlsx(path, display, head_rows=HEAD_ROWS, head_min_bytes=FAST_MIN_BYTES) if is_xlsx else {}
    # sheets whose XML is large and clean (no hidden rows, no unreadable cells): only their first rows are read cell
    # by cell (from a copy of the workbook cut after them); the data block is read as columns when asked for
    columnar = {name: scan for name, scan in scans.items()
                if scan.head_xml is not None and not scan.hidden_rows and not scan.bad_cells}
    full_wb = None

    def workbook():
        nonlocal full_wb
        if full_wb is None:
            full_wb = CalamineWorkbook.from_path(str(path))
        return full_wb

    wb = CalamineWorkbook.from_filelike(guard.cut_workbook(path, columnar)) if columnar else workbook()
    visible = {m.name: m.visible == SheetVisibleEnum.Visible for m in wb.sheets_metadata}
    sheets = []
    for name in wb.sheet_names:
        ws = wb.get_sheet_by_name(name)
        scan = scans.get(name)
        merges = [(a[0], a[1], b[0], b[1]) for a, b in (ws.merged_cell_ranges or [])]
        hidden = not visible.get(name, True) and not include_hidden
        head = _sheet_rows(ws, scan, include_hidden)[0] if name in columnar else None
        if head is not None and scan.head_cut and len(head) < HEAD_ROWS:
            head = None  # blank rows right under the first ones: how many rows the sheet has is read cell by cell
            ws = workbook().get_sheet_by_name(name)
        if head is not None:

            def rows_reader(name=name, scan=scan):
                return _sheet_rows(workbook().get_sheet_by_name(name), scan, include_hidden)[0]

            sheets.append(Sheet(name, None, hidden=hidden, merges=merges, head=head[:HEAD_ROWS],
                                n_rows=max(scan.last_row, len(head)) if scan.head_cut else len(head),
                                rows_reader=rows_reader,
                                body_reader=lambda first, name=name: _xlsx_body(path, name, first)))
            continue
        rows, hidden_rows = _sheet_rows(ws, scan, include_hidden)
        sheets.append(Sheet(name, rows, hidden=hidden, hidden_rows=hidden_rows, merges=merges))
    return sheets


def _xlsx_body(path: Path, sheet: str, first_row: int) -> Body | None:
    """The data block of a sheet read by fastexcel as typed columns, None when a column mixes kinds of cells
    (numbers and text), holds dates or durations: those are read cell by cell."""
    import fastexcel
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        loaded = fastexcel.read_excel(str(path)).load_sheet(sheet, header_row=None, skip_rows=first_row,
                                                            schema_sample_rows=None, dtype_coercion="strict")
        batch = loaded.to_arrow()
        infos = loaded.selected_columns
    except Exception:  # fastexcel refuses mixed columns in strict mode: the cell-by-cell path decides
        return None
    columns, width = {}, 0
    for info, array in zip(infos, batch.columns):
        kind = array.type
        if pa.types.is_string(kind) or pa.types.is_large_string(kind):
            array = pc.if_else(pc.equal(array, ""), pa.scalar(None, kind), array)  # an empty text cell is blank
        elif not (pa.types.is_floating(kind) or pa.types.is_boolean(kind) or pa.types.is_null(kind)):
            return None
        columns[info.absolute_index] = _series(array)
        if array.null_count < len(array):
            width = max(width, info.absolute_index + 1)
    return Body(first_row, batch.num_rows, columns, width, blank_cell=None)


def _series(array):
    """A pandas Series of an Arrow column: float64 with NaN for numbers, ``str`` for text, object otherwise."""
    import pandas as pd
    import pyarrow as pa

    if pa.types.is_floating(array.type):
        return pd.Series(array.to_numpy(zero_copy_only=False), dtype="float64")
    if pa.types.is_string(array.type) or pa.types.is_large_string(array.type):
        return pd.Series(array.to_pandas(), dtype="str")
    return pd.Series(array.to_pylist(), dtype=object)


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


def _sniff_delimiter(sample: str) -> str:
    try:
        return csv.Sniffer().sniff(sample, delimiters=";,\t|").delimiter
    except csv.Error:
        return max(";,\t", key=sample.count)


def _csv_text(path: Path) -> tuple[bytes, str, str]:
    raw = path.read_bytes()
    text = decode_text(raw)
    if "\x00" in text[:1000]:
        raise ValueError("binary content, not a text CSV")
    return raw, text, _sniff_delimiter(text[:20000])


def _read_csv(path: Path) -> list[list]:
    _, text, delimiter = _csv_text(path)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return [_trim(row) for row in reader]  # empty strings are blank cells (is_blank), kept as read


def _read_csv_sheet(path: Path) -> Sheet:
    """A CSV as one sheet: cell by cell when small or irregular (blank lines), else the first rows by ``csv`` and
    the data block by DuckDB's ``read_csv`` (every column as text), checked against the rows ``csv`` read."""
    import re

    raw, text, delimiter = _csv_text(path)
    if len(raw) < FAST_MIN_BYTES or re.search(r"(?:\A|\r\n|\n|\r(?!\n))(?:\r\n|\n|\r)", text):
        # DuckDB skips blank lines, which csv keeps as rows (and the row numbers of rejects count them)
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        return Sheet(None, [_trim(row) for row in reader])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    head, lines = [], []  # untrimmed records, and the physical lines read after each
    for row in reader:
        head.append(row)
        lines.append(reader.line_num)
        if len(head) >= HEAD_ROWS:
            break
    more = len(head) >= HEAD_ROWS and next(reader, None) is not None
    utf8 = raw.startswith(b"\xef\xbb\xbf") or not raw.startswith((b"\xff\xfe", b"\xfe\xff")) and _is_utf8(raw)

    def body_reader(first_row: int) -> Body | None:
        if first_row >= len(head):
            return None
        return _csv_body(path, None if utf8 else text, delimiter, first_row, lines[first_row - 1] if first_row else 0,
                         head[first_row:])

    return Sheet(None, None, head=[_trim(r) for r in head], n_rows=len(head) + more, body_reader=body_reader,
                 rows_reader=lambda: _read_csv(path))


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def _csv_body(path: Path, text: str | None, delimiter: str, first_row: int, skip_lines: int,
              head: list[list]) -> Body | None:
    """The records from ``first_row`` down, read by DuckDB (text read in another encoding is written once as UTF-8
    first); None when DuckDB reads them differently from ``csv`` (a ragged row, a stray quote)."""
    import tempfile

    import duckdb
    import pyarrow.compute as pc

    width = len(head[0])
    tmp = None
    try:
        if text is not None:
            tmp = tempfile.NamedTemporaryFile("w", suffix=".csv", encoding="utf-8", newline="", delete=False)
            with tmp:
                tmp.write(text)
        source = "'" + str(tmp.name if tmp else path).replace("'", "''") + "'"
        cols = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width))
        con = duckdb.connect()
        try:
            table = con.sql(
                f"SELECT * FROM read_csv({source}, auto_detect = false, header = false, delim = "
                f"'{delimiter.replace(chr(39), chr(39) * 2)}', quote = '\"', escape = '\"', comment = '', "
                f"strict_mode = true, null_padding = false, skip = {skip_lines}, columns = {{{cols}}})").to_arrow_table()
        finally:
            con.close()
    except duckdb.Error:
        return None
    finally:
        if tmp is not None:
            Path(tmp.name).unlink(missing_ok=True)
    table = table.combine_chunks()
    columns, used = {}, 0
    for c in range(width):
        array = pc.fill_null(table.column(c), "")
        columns[c] = _series(array.combine_chunks() if hasattr(array, "combine_chunks") else array)
    body = Body(first_row, table.num_rows, columns, width, blank_cell="")
    if body.n < len(head):
        return None
    for i, record in enumerate(head):  # the rows both readers saw must be the same rows
        if body.raw_row(first_row + 1 + i) != _trim(record):
            return None
    body.width = max((c + 1 for c, s in columns.items() if (s != "").any()), default=0)
    return body


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
    rows = sheet.head_rows()
    n_rows = sheet.row_count()
    width = max((len(r) for r in rows[:HEAD_ROWS]), default=0)
    best: tuple[int, Table] | None = None
    for start in range(min(n_rows, MAX_HEADER_SCAN_ROWS)):
        if sum(1 for c in rows[start] if not is_blank(c)) < 2:
            continue
        for depth in range(1, MAX_HEADER_DEPTH + 1):
            if start + depth > n_rows:
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
