"""Tasks a department assigns after a quarter's results, as data: who, what, by when, and the number it should move.

One row per task: the unit, the period whose results the task answers (``2024Q2`` for a memo written in
July 2024 about the Quý II results), the task text, the department (phòng) responsible, the due date, the
metric it should move (a component key such as ``digitization``, a metric key such as
``online_filing_rate_pct`` or a sub-indicator code such as ``SO_HOA_GIAY_TO_GIAI_QUYET``) and the document
that assigned it. Due dates are read the ways memos write them ("trước ngày 26/7/2024", "trong tháng
7/2024", "31/07/2024", an Excel date); a date that does not exist or cannot be read is rejected with where
it is and how to write it. Only the declared columns are kept: a column naming a person never reaches the
database, not even in a reject's raw row.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd

from analytics.definition import load_definition
from analytics.i18n import msg
from analytics.ingest.common import Options, Parsed, default_origin, detect_illustrative, reject
from analytics.ingest.errors import IngestError
from analytics.ingest.sheets import cell, find_table, row_is_blank
from analytics.parsing import fold, is_blank, nfc
from analytics.periods import PeriodError, parse_period, quarter_dates, validate_period_key

# The template's header, in order (data/raw/templates/mau-nhiem-vu.csv); aliases in headers.yaml `tasks:`.
TASK_HEADER = ("Đơn vị", "Kỳ", "Nội dung nhiệm vụ", "Phòng thực hiện", "Thời hạn", "Chỉ số cần cải thiện",
               "Văn bản giao", "Ghi chú")
FIELDS = ("unit", "period", "task_text", "department", "due_date", "metric", "source_document", "note")

_DMY = re.compile(r"(?<!\d)(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{2,4})(?!\d)")
_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?\s*$")
_WORDS = re.compile(r"ngay\s*(\d{1,2})\s*thang\s*(\d{1,2})\s*nam\s*(\d{4})")
_MONTH = re.compile(r"(?:thang\s*)?(?<![\d/])(\d{1,2})\s*(?:/|-|\s+nam\s+)\s*(\d{4})(?!\d)")


class DueDateError(ValueError):
    """A due-date cell that names no real date; ``args[0]`` is the i18n key of the reason."""


def parse_due_date(value) -> date | None:
    """The date a due-date cell names (None when blank); raises DueDateError when it names none.

    "31/7/2024", "31/07/2024", "31.07.2024", "2024-07-31", "trước ngày 26/7/2024", "ngày 26 tháng 7 năm
    2024", an Excel date or serial number → that day; "trong tháng 7/2024", "07/2024" → the month's last
    day; "Quý III/2024" → the quarter's last day. Day first, always (Vietnamese order).
    """
    if is_blank(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 20000 <= value <= 80000:  # an Excel serial day number (1954–2119)
            return date(1899, 12, 30) + timedelta(days=int(value))
        raise DueDateError("due_unreadable")
    text = fold(nfc(value))
    m = _ISO.match(text)
    if m:
        return _day(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = _WORDS.search(text)
    if m:
        return _day(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    m = _DMY.search(text)
    if m:
        if len(m.group(3)) != 4:
            raise DueDateError("due_two_digit_year")
        return _day(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    period = parse_period(text)
    if period and len(period) == 6 and period[4] == "Q":
        return date.fromisoformat(quarter_dates(period)[1])
    m = _MONTH.search(text)
    if m:
        month, year = int(m.group(1)), int(m.group(2))
        if not 1 <= month <= 12:
            raise DueDateError("due_no_such_day")
        return date(year, month, calendar.monthrange(year, month)[1])
    raise DueDateError("due_unreadable")


def _day(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise DueDateError("due_no_such_day") from None


def metric_keys() -> dict[str, tuple[str, str]]:
    """Every name a task's metric may be given by (folded) → (key, kind: component | metric | subindicator)."""
    d = load_definition()
    out: dict[str, tuple[str, str]] = {}
    for version in d.versions.values():
        for s in version.subindicators:
            out.setdefault(fold(s.code), (s.code, "subindicator"))
            for label in (s.label_vi, s.label_en):
                out.setdefault(fold(label), (s.code, "subindicator"))
    for key, m in d.metrics.items():
        for name in (key, m.label_vi, m.label_en):
            out[fold(name)] = (key, "metric")
    for group in d.five_groups.groups:
        for name in (group.key, group.label_vi, group.label_en, *group.aliases):
            out[fold(name)] = (group.key, "component")
    for name in ("total", "tổng điểm", "tong diem", "xếp loại"):
        out[fold(name)] = ("total", "component")
    return out


def resolve_metric(text) -> tuple[str, str] | None:
    """(key, kind) of a metric named by its key, code or label, or None."""
    if is_blank(text):
        return None
    return metric_keys().get(fold(nfc(text)))


def _text(row, table, name):
    v = cell(row, table.columns.get(name))
    return None if is_blank(v) else nfc(v)


def _period(text: str | None) -> str | None:
    if text is None:
        return None
    try:
        return validate_period_key(text)
    except PeriodError:
        return None


def parse_tasks(path: Path, sheets, options: Options, display: str) -> Parsed:
    """Assigned tasks: unit, period, task, department, due date, metric to move, assigning document."""
    table = find_table(sheets, "tasks", {"task_text", "department"})
    if table is None:
        raise IngestError("no_table", file=display, columns="“Nội dung nhiệm vụ”, “Phòng thực hiện”, “Chỉ số cần cải thiện”")
    missing = [h for f, h in (("metric", "Chỉ số cần cải thiện"), ("unit", "Đơn vị")) if f not in table.columns]
    if missing:
        raise IngestError("missing_columns", file=display, sheet=table.sheet.name, row=table.header_row + 1,
                          columns=", ".join(f"“{h}”" for h in missing), hint_params={"example": missing[0]})
    lang = options.lang
    sheet, rows, rejects = table.sheet.name, [], []
    title = table.title_text()
    file_illustrative = detect_illustrative(title + " " + path.name)
    fallback_period = _period(options.period) if options.period else parse_period(title) or parse_period(path.stem, filename=True)
    for r in range(table.first_data_row, len(table.sheet.rows)):
        row = table.sheet.rows[r]
        if row_is_blank(row):
            continue
        # only the declared columns, so that a column naming a person is never stored (not even in rejects)
        raw = [cell(row, table.columns.get(f)) for f in FIELDS if f in table.columns]

        def bad(field_: str, value, reason: str):
            rejects.append(reject(display, sheet, r + 1, table.headers.get(field_), value, reason, raw))

        values = {f: _text(row, table, f) for f in ("unit", "task_text", "department", "source_document", "note")}
        absent = next((f for f in ("unit", "task_text", "department") if not values[f]), None)
        if absent:
            bad(absent, None, msg("missing_value", lang))
            continue
        period_text = _text(row, table, "period")
        period = _period(period_text) if period_text else fallback_period
        if period is None:
            bad("period", period_text, msg("task_bad_period", lang, value=period_text or ""))
            continue
        metric_text = _text(row, table, "metric")
        resolved = resolve_metric(metric_text)
        if resolved is None:
            bad("metric", metric_text, msg("task_unknown_metric", lang, value=metric_text or "",
                                           keys=", ".join([*load_definition().common_groups, "total"])))
            continue
        due_raw = cell(row, table.columns.get("due_date"))
        try:
            due = parse_due_date(due_raw)
        except DueDateError as exc:
            bad("due_date", due_raw, msg(exc.args[0], lang, value=due_raw))
            continue
        document = values["source_document"]
        rows.append({"unit_name": values["unit"], "period": period, "task_text": values["task_text"],
                     "department": values["department"], "due_date": due,
                     "due_text": None if is_blank(due_raw) else nfc(due_raw) if isinstance(due_raw, str) else None,
                     "metric": resolved[0], "metric_kind": resolved[1], "source_document": document,
                     "note": values["note"], "row_number": r + 1,
                     "illustrative": file_illustrative or detect_illustrative((document or "") + " " + (values["note"] or ""))})
    if not rows and not rejects:
        raise IngestError("empty_sheet", file=display, sheet=sheet)
    df = pd.DataFrame(rows, columns=["unit_name", "period", "task_text", "department", "due_date", "due_text", "metric",
                                     "metric_kind", "source_document", "note", "row_number", "illustrative"])
    if options.illustrative is not None and len(df):
        df["illustrative"] = options.illustrative
    return Parsed(kind="tasks", file=display, sheet=sheet, periods=[], origin=options.origin or default_origin(path, "tasks"),
                  frames={"tasks": df}, rejects=rejects, illustrative=bool(len(df) and df["illustrative"].all()),
                  source_document=options.source_document)


def write_tasks(con, parsed: Parsed, resolver, ingest_id: int, insert) -> int:
    """Insert a parsed tasks file (units resolved through the crosswalk, period by period); returns the row count."""
    df = parsed.frames["tasks"].copy()
    df["unit_id"] = [resolver.resolve(n, period=p) for n, p in zip(df["unit_name"], df["period"])]
    df["source_file"] = parsed.file
    df["ingest_id"] = ingest_id
    return insert(con, "tasks", df)
