"""What a spreadsheet declares, checked before any reader parses it, and what the reader would not say.

A crafted ``.xlsx`` of a few kilobytes can declare ``A1:XFD1048576`` (17 billion cells); the reader allocates
for the declared range and the process aborts. A zip bomb expands a few megabytes into gigabytes. So before
parsing, the zip's uncompressed size and compression ratio and every sheet's declared and actual extent are
checked against ``settings.read_limits()`` and the file is refused (``IngestError``) when over.

The same pass reads what the cell reader hides: rows hidden in a sheet, formula cells without a cached
value and error cells (``#DIV/0!``, ``#REF!``), which the reader returns as blanks. Those come back as
``BadCell`` values so that the parsers reject them with their place and a fix.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from analytics.i18n import Count
from analytics.ingest.errors import IngestError
from analytics.settings import ReadLimits, read_limits

RATIO_FLOOR_BYTES = 10 * 1024 * 1024  # small members cannot hurt whatever their ratio
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]+)?(\d+)?(?::([A-Z]+)(\d+))?"')
_ROW_TAG = re.compile(rb"<(?:\w+:)?row\b([^>]*)>")
_ROW_NUMBER = re.compile(rb'\br="(\d+)"')
_WIDE_CELL = re.compile(rb'r="([A-Z]{2,3})[0-9]')  # a cell reference in column AA or beyond (rows have r="7")
_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_ATTR_R = re.compile(rb'\br="([A-Z]+)(\d+)"')
_ATTR_T = re.compile(rb'\bt="(\w+)"')
_FORMULA = re.compile(rb"<(?:\w+:)?f\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?f>)", re.S)
_VALUE = re.compile(rb"<(?:\w+:)?v>(.*?)</(?:\w+:)?v>", re.S)
_HIDDEN = re.compile(rb'\bhidden="(1|true)"')
_SHEET = re.compile(rb"<(?:\w+:)?sheet\b([^>]*)/?>")
_REL = re.compile(rb"<(?:\w+:)?Relationship\b([^>]*)/?>")


class BadCell(str):
    """A cell whose value the file does not hold: a formula never computed, or an error (``#DIV/0!``).

    It is text (so a number parser refuses it) that knows what it is and where it is.
    """

    kind: str  # "formula" | "error"
    ref: str  # "C5"

    def __new__(cls, text: str, kind: str, ref: str):
        obj = super().__new__(cls, text)
        obj.kind, obj.ref = kind, ref
        return obj

    def __reduce__(self):
        return (BadCell, (str(self), self.kind, self.ref))


def cell_problem(value, lang: str | None = None) -> str | None:
    """The reason a cell cannot be read, with its fix (a formula never computed, an error cell), else None."""
    from analytics.i18n import msg

    if not isinstance(value, BadCell):
        return None
    if value.kind == "formula":
        return (msg("formula_no_value", lang, ref=value.ref, formula=str(value)[:80]) + ". "
                + msg("fix", lang, hint=msg("formula_no_value_fix", lang)))
    return (msg("error_cell", lang, ref=value.ref, value=str(value)) + ". "
            + msg("fix", lang, hint=msg("bad_cell_hint", lang)))


def merged_reason(ref: str, lang: str | None = None) -> str:
    """Why a data row under a cell merged across rows is rejected, with the fix."""
    from analytics.i18n import msg

    return msg("merged_rows", lang, ref=ref) + ". " + msg("fix", lang, hint=msg("merged_rows_hint", lang))


@dataclass
class SheetScan:
    """What the raw XML of one worksheet says beyond its cell values."""

    hidden_rows: set[int] = field(default_factory=set)  # 0-based
    bad_cells: dict[tuple[int, int], BadCell] = field(default_factory=dict)  # (row, column), 0-based
    part: str | None = None  # the worksheet's path inside the package
    last_row: int = 0  # the last row the XML holds (1-based)
    head_xml: bytes | None = None  # a large sheet's XML cut after its first rows (see ``head_xml``)
    head_cut: bool = False  # rows beyond the first ones were cut off


def column_index(letters: str) -> int:
    """0-based index of a column's letters (A → 0, XFD → 16383)."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def column_letters(index: int) -> str:
    """A 0-based column index as letters (0 → A, 16383 → XFD)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def check_file_size(path: Path, display: str, limits: ReadLimits | None = None) -> None:
    """Refuse a text file (CSV, JSON) larger than the uncompressed-size limit before reading it into memory."""
    limits = limits or read_limits()
    size = path.stat().st_size
    if size > limits.max_uncompressed_bytes:
        raise IngestError("file_too_big", file=display, mb=Count(size // (1024 * 1024)),
                          limit=Count(limits.max_uncompressed_bytes // (1024 * 1024)))


def check_zip(path: Path, display: str, limits: ReadLimits | None = None) -> None:
    """Refuse a zip-based workbook whose uncompressed size or a member's compression ratio is over the limits."""
    limits = limits or read_limits()
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        return  # not a zip (or broken): the reader says what it is
    with zf:
        total = 0
        for info in zf.infolist():
            total += info.file_size
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > RATIO_FLOOR_BYTES and ratio > limits.max_compression_ratio:
                raise IngestError("zip_ratio", file=display, member=info.filename, ratio=Count(ratio),
                                  limit=Count(limits.max_compression_ratio))
        if total > limits.max_uncompressed_bytes:
            raise IngestError("zip_too_big", file=display, mb=Count(total // (1024 * 1024)),
                              limit=Count(limits.max_uncompressed_bytes // (1024 * 1024)))


def _attr(attrs: bytes, name: bytes) -> str | None:
    m = re.search(rb"\b" + name + rb'="([^"]*)"', attrs)
    return m.group(1).decode("utf-8", "replace") if m else None


def _sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → path of its XML inside the package (from workbook.xml and its relationships)."""
    try:
        workbook = zf.read("xl/workbook.xml")
        rels = zf.read("xl/_rels/workbook.xml.rels")
    except KeyError:
        return {}
    targets = {}
    for m in _REL.finditer(rels):
        rid, target = _attr(m.group(1), b"Id"), _attr(m.group(1), b"Target")
        if rid and target:
            targets[rid] = target.lstrip("/") if target.startswith("/") else posixpath.normpath("xl/" + target)
    parts = {}
    for m in _SHEET.finditer(workbook):
        name = _attr(m.group(1), b"name")
        rid = _attr(m.group(1), b"r:id") or _attr(m.group(1), b"id")
        if name and rid in targets:
            import html

            parts[html.unescape(name)] = targets[rid]
    return parts


def scan_xlsx(path: Path, display: str, limits: ReadLimits | None = None, head_rows: int = 0,
              head_min_bytes: int | None = None) -> dict[str, SheetScan]:
    """Each worksheet's hidden rows and unreadable cells; refuses a sheet larger than the limits allow.

    With ``head_min_bytes``, a sheet whose XML is at least that large also keeps its XML cut after ``head_rows``
    rows (``head_xml``), for reading those rows alone. Each worksheet's XML is read once, as it is decompressed
    (``_scan_part``): a 200-MB sheet is never held in memory whole."""
    limits = limits or read_limits()
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        return {}
    scans = {}
    with zf:
        for name, part in _sheet_parts(zf).items():
            try:
                info = zf.getinfo(part)
            except KeyError:
                continue
            keep_head = head_min_bytes is not None and info.file_size >= head_min_bytes
            with zf.open(info) as stream:
                scan = scans[name] = _scan_part(stream, name, display, limits, head_rows if keep_head else None)
            scan.part = part
    return scans


SCAN_CHUNK = 1 << 22
"""Bytes of a worksheet's XML decompressed and checked at a time."""
EDGE_BYTES = 65536  # the first bytes hold the declared dimension, the last ones the last rows
TAIL_BYTES = 1 << 22  # where a worksheet's </sheetData> and what follows it (merged ranges) are looked for
_ROW_START = re.compile(rb"<(?:\w+:)?row\b")


def _last_row_start(buf: bytes, lo: int) -> int:
    """Where the last row tag of ``buf`` at or after ``lo`` (≥ 1) begins, 0 when none does: everything before it is
    whole rows, so no tag, cell or row is ever split between two pieces of a scan. Looked for in the last 64 KB
    first, then in four times as much until ``lo``: linear whatever the rows' length."""
    size = EDGE_BYTES
    while True:
        start = max(lo, len(buf) - size)
        last = None
        for last in _ROW_START.finditer(buf, start):
            pass
        if last is not None:
            return last.start()
        if start == lo:
            return 0
        size *= 4


def _wider_than(cols: int) -> bytes:
    """A pattern for a cell reference in a column beyond the ``cols``-th (at least column AA), as ``_WIDE_CELL``."""
    letters = column_letters(max(cols, 26) - 1)
    alts = [b"[A-Z]{%d,3}" % (len(letters) + 1)] if len(letters) < 3 else []
    for i, ch in enumerate(letters):
        if ch != "Z":
            rest = len(letters) - i - 1
            alts.append(letters[:i].encode() + b"[" + chr(ord(ch) + 1).encode() + b"-Z]"
                        + (b"[A-Z]{%d}" % rest if rest else b""))
    return b'r="(?:' + b"|".join(alts) + b")[0-9]" if alts else rb"\b\B"  # nothing is wider than ZZZ


_MARKS = rb'hidden="(?:1|true)"|t="e"|<(?:\w+:)?f\b'
"""What makes a piece of sheet XML worth a closer look: a hidden row, an error cell, a formula (any prefix)."""


def _marked(piece: bytes, pattern: str) -> bool:
    """Whether ``pattern`` occurs in ``piece``: one pass of RE2 (a linear-time automaton that runs without holding
    the interpreter, so a background import keeps going meanwhile)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    offsets = pa.array([0, len(piece)], pa.int64()).buffers()[1]
    one = pa.Array.from_buffers(pa.large_binary(), 1, [None, offsets, pa.py_buffer(piece)])  # the bytes, not a copy
    return bool(pc.match_substring_regex(one, pattern)[0].as_py())


def _scan_part(stream, sheet: str, display: str, limits: ReadLimits, head_rows: int | None) -> SheetScan:
    """One worksheet's XML read once, piece by piece as it is decompressed: the declared dimension (its first bytes),
    the last row (its last bytes), the widest cell reference, hidden rows and unreadable cells, all as
    ``_check_extent`` and ``_scan_sheet`` find them in the whole XML, and with ``head_rows`` its XML cut after those
    rows (``head_xml``). A piece is whole rows; one that holds none of ``_MARKS`` and no cell wider than the widest
    seen so far is passed over in one pass of RE2, any other is read by the regular expressions of a whole sheet."""
    scan = SheetScan()
    first = b""
    tail: list[bytes] = []
    carry = b""
    offset = total = cols = 0
    formula_tag = None
    pattern = (_MARKS + b"|" + _wider_than(cols)).decode()
    head: list[bytes] | None = [] if head_rows is not None else None
    cut = None  # where the first row after the head rows begins
    while True:
        chunk = stream.read(SCAN_CHUNK)
        if chunk:
            total += len(chunk)
            if len(first) < EDGE_BYTES:
                first += chunk[:EDGE_BYTES - len(first)]
            tail.append(chunk)
            while len(tail) > 1 and sum(map(len, tail)) - len(tail[0]) >= TAIL_BYTES:
                tail.pop(0)
        lo = max(1, len(carry) - 64)  # the carried rows hold no row tag but the one they begin with
        buf = carry + chunk if carry else chunk
        end = _last_row_start(buf, lo) if chunk else len(buf)
        if chunk and (end == 0 or formula_tag is None and total < 4096):
            carry = buf  # no whole row yet (or not the worksheet's opening tag): read on
            continue
        piece, carry = buf[:end], buf[end:]
        if formula_tag is None:
            prefix = re.search(rb"<(\w+):worksheet\b", first[:4096])
            formula_tag = b"<" + prefix.group(1) + b":f" if prefix else b"<f"
        if head is not None and cut is None:
            for t in _ROW_TAG.finditer(piece):
                r = _ROW_NUMBER.search(t.group(1))
                if r is None:
                    head = None  # a row that does not say its number: no cut copy
                    break
                if int(r.group(1)) > head_rows:
                    cut = offset + t.start()
                    break
            if head is not None:
                head.append(piece)
        if piece and _marked(piece, pattern):
            if _WIDE_CELL.search(piece):
                widest = max(column_index(w.decode()) + 1 for w in set(_WIDE_CELL.findall(piece)))
                if widest > cols:
                    cols = widest
                    pattern = (_MARKS + b"|" + _wider_than(cols)).decode()
            _scan_sheet(piece, scan, formula_tag)
        offset += len(piece)
        if not chunk:
            break
    end_bytes = b"".join(tail)
    scan.last_row = _check_extent(first, end_bytes[-EDGE_BYTES:], cols, sheet, display, limits)
    if head is not None:
        scan.head_xml, scan.head_cut = _cut_head(b"".join(head), cut, end_bytes[-TAIL_BYTES:], total)
    return scan


_SHEET_DATA_END = re.compile(rb"</(?:\w+:)?sheetData>")


def _cut_head(head: bytes, cut: int | None, tail: bytes, total: int) -> tuple[bytes | None, bool]:
    """A worksheet's XML with only its rows before ``cut`` (and no declared dimension), what follows its sheet data
    kept (merged ranges), and whether rows were cut off; None when its sheet data does not end in ``tail``."""
    end = None
    for m in _SHEET_DATA_END.finditer(tail):
        end = m.start()
    if end is None or (cut is not None and total - len(tail) + end < cut):
        return None, False
    kept = head[:cut] if cut is not None else head[:total - len(tail) + end]
    kept = re.sub(rb"<(?:\w+:)?dimension\b[^>]*/>", b"", kept, count=1)
    return kept + tail[end:], cut is not None


def head_xml(data: bytes, rows: int) -> tuple[bytes | None, bool]:
    """A worksheet's XML with only its first ``rows`` rows (and no declared dimension), its other parts kept (merged
    ranges), and whether rows were cut off; None when a row does not say its number."""
    cut = None
    for t in _ROW_TAG.finditer(data):
        r = _ROW_NUMBER.search(t.group(1))
        if r is None:
            return None, False
        if int(r.group(1)) > rows:
            cut = t.start()
            break
    return _cut_head(data, cut, data[-TAIL_BYTES:], len(data))


def cut_workbook(path: Path, scans: dict[str, SheetScan]):
    """An in-memory copy of a workbook whose sheets in ``scans`` hold only their first rows (``head_xml``)."""
    import io

    cuts = {scan.part: scan.head_xml for scan in scans.values()}
    out = io.BytesIO()
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, cuts.get(info.filename) or zin.read(info.filename), zipfile.ZIP_STORED)
    out.seek(0)
    return out


def _check_extent(first: bytes, last: bytes, wide_cols: int, sheet: str, display: str, limits: ReadLimits) -> int:
    """Refuse a sheet whose declared or actual rows × columns exceed the cell limit; returns its last row.

    ``first`` and ``last`` are the first and last bytes of its XML (the declared dimension, the last rows),
    ``wide_cols`` the widest column a cell reference of column AA or beyond names anywhere in it (0: none)."""
    rows = cols = 0
    m = _DIMENSION.search(first[:65536])
    declared = None
    if m and m.group(3):
        declared = f"{m.group(1).decode()}{m.group(2).decode()}:{m.group(3).decode()}{m.group(4).decode()}"
        rows, cols = int(m.group(4)), column_index(m.group(3).decode()) + 1
    last_rows = [int(r.group(1)) for t in _ROW_TAG.finditer(last[-65536:]) if (r := _ROW_NUMBER.search(t.group(1)))]
    last_row = max(last_rows) if last_rows else 0
    if last_rows:
        rows = max(rows, max(last_rows))
    cols = max(cols, wide_cols)  # the reader allocates for the cells it finds, whatever the dimension says
    cols = max(cols, 1)
    if rows * cols > limits.max_cells:
        raise IngestError("too_many_cells", file=display, sheet=sheet, rows=Count(rows), columns=Count(cols),
                          declared=declared or "—", limit=Count(limits.max_cells))
    return last_row


def _scan_sheet(data: bytes, scan: SheetScan | None = None, formula_tag: bytes | None = None) -> SheetScan:
    """The hidden rows and unreadable cells of sheet XML (whole rows), added to ``scan``; ``formula_tag`` is the
    worksheet's formula tag (``<f``, ``<x:f``), found in ``data``'s opening tag when not given."""
    scan = scan if scan is not None else SheetScan()
    if b'hidden="1"' in data or b'hidden="true"' in data:
        for t in _ROW_TAG.finditer(data):
            attrs = t.group(1)
            if _HIDDEN.search(attrs) and (r := _ROW_NUMBER.search(attrs)):
                scan.hidden_rows.add(int(r.group(1)) - 1)
    if formula_tag is None:
        prefix = re.search(rb"<(\w+):worksheet\b", data[:4096])
        formula_tag = b"<" + prefix.group(1) + b":f" if prefix else b"<f"
    if b't="e"' in data or formula_tag in data:
        for c in _CELL.finditer(data):
            attrs, inner = c.group(1), c.group(2) or b""
            ref = _ATTR_R.search(attrs)
            if ref is None:
                continue
            t = _ATTR_T.search(attrs)
            value = _VALUE.search(inner)
            where = (int(ref.group(2)) - 1, column_index(ref.group(1).decode()))
            cell_ref = ref.group(1).decode() + ref.group(2).decode()
            if t and t.group(1) == b"e":
                text = value.group(1).decode("utf-8", "replace") if value else "#ERROR"
                scan.bad_cells[where] = BadCell(text, "error", cell_ref)
                continue
            f = _FORMULA.search(inner)
            # never computed: no cached <v> at all, or an empty one where the result is not text (t="str" with an
            # empty <v> is a formula whose computed result is the empty string)
            has_value = value is not None or re.search(rb"<(?:\w+:)?v\s*/>", inner) is not None
            empty = value is None or not value.group(1).strip()
            uncomputed = not has_value or empty and not (t and t.group(1) == b"str")
            if f is not None and uncomputed:
                import html

                formula = html.unescape((f.group(1) or b"").decode("utf-8", "replace"))
                scan.bad_cells[where] = BadCell("=" + formula if formula else "=…", "formula", cell_ref)
    return scan
