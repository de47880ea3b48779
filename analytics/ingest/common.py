"""What every parser shares: the parsed-file record, rejects, the period decision and the illustrative flag."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analytics.parsing import fold
from analytics.i18n import msg
from analytics.ingest.errors import IngestError
from analytics.periods import PeriodError, parse_period, quarter_dates, validate_period_key

KINDS = ("index", "portal", "filings", "crosswalk", "targets", "catalog", "tasks", "dossiers")
COUNT_FIELDS = [
    "received_total", "received_online", "received_in_person", "received_postal", "carried_over",
    "resolved_total", "resolved_early", "resolved_on_time", "resolved_late",
    "pending_total", "pending_within_time", "pending_overdue",
    "digitized_components", "electronic_results", "reused_data", "fee_filings", "online_payments",
    "synced_filings", "feedback_total", "feedback_on_time", "feedback_satisfied",
]
"""The one list of a filing row's count columns (the spreadsheet parser's and DuckDB's bulk path's)."""
TOTAL_ROW_WORDS = ("tong cong", "tong so", "cong", "total")
"""A filing row whose unit or procedure, folded, is one of these (or starts with "tong cong") is a total row."""
_VERSION_SUFFIX = re.compile(r"([-_ .]*(v\d+|ban[-_ ]?sua|sua|dieu[-_ ]?chinh|corrected|final|moi|new|\(\d+\)|copy))+$")


@dataclass
class Options:
    """What the person loading said about the files (command-line flags)."""

    period: str | None = None
    kind: str | None = None
    illustrative: bool | None = None
    source_document: str | None = None
    origin: str | None = None
    lang: str | None = None
    include_hidden: bool = False  # read hidden sheets and rows too (by default only what the person sees loads)


@dataclass
class Parsed:
    """A file read and validated, not yet in the database."""

    kind: str
    file: str
    sheet: str | None
    periods: list[str]
    origin: str
    frames: dict[str, pd.DataFrame]
    rejects: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    illustrative: bool = False
    source_document: str | None = None
    staged: str | None = None  # dossiers: the typed rows staged as Parquet, not held in memory
    staged_rows: int = 0
    default_unit: str | None = None
    bulk_sql: str | None = None  # filings read by DuckDB (ingest.bulk): the query over the staged rows
    bulk_default_period: str | None = None
    bulk_units: list | None = None  # ingest.bulk: the (unit name, period) pairs of the rows that load

    @property
    def rows(self) -> int:
        if self.kind == "dossiers" or self.bulk_sql is not None:
            return self.staged_rows
        main = {"index": "index_scores_wide", "portal": "portal_metrics", "filings": "filing_counts",
                "crosswalk": "unit_aliases", "targets": "targets", "catalog": "procedure_catalog",
                "tasks": "tasks"}[self.kind]
        return len(self.frames.get(main, ()))


def reject(file: str, sheet: str | None, row: int | None, column: str | None, value, reason: str, raw=None) -> dict:
    """A rejects-table row: where, what value, why, and the raw row as JSON."""
    return {
        "file_name": file, "sheet": sheet, "row_number": row, "column_name": column,
        "value": None if value is None else str(value), "reason": reason,
        "raw_json": None if raw is None else json.dumps([None if _nan(v) else str(v) for v in raw], ensure_ascii=False),
    }


def _nan(v) -> bool:
    return v is None or (isinstance(v, float) and v != v)


def default_origin(path: Path, kind: str) -> str:
    """The source a file stands for, so that a corrected version replaces it: its name without version marks."""
    stem = fold(path.stem).replace(" ", "-")
    stem = _VERSION_SUFFIX.sub("", stem)
    if kind == "portal":
        return f"{fold(path.parent.name)}/{stem}"
    return stem


def decide_period(*, file: str, options: Options, title: str | None, column_values: list[str], filename: str,
                  sheet: str | None = None) -> list[str]:
    """The period(s) of a file from the title, a period column, the file name and --period.

    Refuses the file (IngestError naming each source and what it said) when they disagree.
    """
    said: dict[str, str] = {}
    lang = options.lang
    if options.period:
        try:
            said["--period"] = validate_period_key(options.period)
        except PeriodError:
            raise IngestError("bad_period", file=file, value=options.period) from None
    if title:
        p = parse_period(title)
        if p:
            said[msg_source("title", lang)] = p
    p = parse_period(Path(filename).stem, filename=True)
    if p:
        said[msg_source("filename", lang)] = p
    distinct_column = sorted(set(column_values))
    if len(distinct_column) == 1:
        said[msg_source("column", lang)] = distinct_column[0]
    if len(set(said.values())) > 1 or (len(distinct_column) > 1 and said):
        detail = "; ".join(f"{k}: {v}" for k, v in said.items())
        if len(distinct_column) > 1:
            detail += f"; {msg_source('column', lang)}: {', '.join(distinct_column)}"
        raise IngestError("period_conflict", file=file, sheet=sheet, detail=detail)
    if distinct_column:
        return distinct_column
    if said:
        return [next(iter(said.values()))]
    raise IngestError("no_period", file=file, sheet=sheet)


def msg_source(which: str, lang: str | None) -> str:
    """Where a period was read: the title, the file name or the period column."""
    return msg(f"period_source_{which}", lang or "vi")


_DATE_RANGE = re.compile(r"(\d{1,2})/(\d{1,2})/((?:19|20)\d\d)\s*(?:đến|den|-|–)\s*(?:ngày\s*)?(\d{1,2})/(\d{1,2})/((?:19|20)\d\d)")


def period_slips(text: str, period: str, lang: str | None = None) -> list[str]:
    """Notes for date ranges in a title that do not fall within the quarter they report on."""
    notes = []
    if not text or not period or len(period) != 6 or period[4] != "Q":
        return notes
    start, end = quarter_dates(period)
    for m in _DATE_RANGE.finditer(text):
        d1 = f"{m.group(3)}-{int(m.group(2)):02d}-{int(m.group(1)):02d}"
        d2 = f"{m.group(6)}-{int(m.group(5)):02d}-{int(m.group(4)):02d}"
        # one-stop reporting periods run mid-month to mid-month: allow a month either side
        lo = pd.Timestamp(start) - pd.DateOffset(months=1)
        hi = pd.Timestamp(end) + pd.DateOffset(months=1)
        if not (lo <= pd.Timestamp(d1) <= hi and lo <= pd.Timestamp(d2) <= hi):
            notes.append(msg("period_slip", lang, text=m.group(0), period=period))
    return notes


def detect_illustrative(text: str) -> bool:
    """True when the file says its data is illustrative ("minh họa", "illustrative", "giả định")."""
    t = fold(text)
    return any(w in t for w in ("minh hoa", "illustrative", "gia dinh", "du lieu mau"))
