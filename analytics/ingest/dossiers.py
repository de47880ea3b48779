"""Dossier lists (danh sách hồ sơ) exported from one-stop software: one row per dossier, at national volume.

Reads ``.xlsx``/``.xls``/``.csv``/``.parquet`` as they come (a title block, varying header spellings,
columns in any order, dates as Excel dates or text, a "Tổng cộng" row) and keeps the rows in DuckDB from
the first step, so a ten-million-row export never becomes Python objects:

1. parse (no database): find the header (``headers.yaml`` section ``dossiers``), type every cell in SQL,
   reject bad rows (result before receipt, unknown channel, a date that is not a date) with file, sheet,
   row, column, value and reason, and stage the typed rows as a Parquet file. Personal data columns
   (applicant name, ID number, phone, address, e-mail) are recognised and never read past the header: they
   are named in the ingest summary and kept out of the database, the Parquet store and the rejects.
2. write (inside the ingest's transaction): resolve units, take the published deadline of each procedure
   from the catalogue (``Thời hạn công bố``), compute each dossier's due date on Vietnam's working-day
   calendar (``analytics.workdays``), write the rows as Parquet partitioned by period of receipt and unit
   under ``<database folder>/dossiers/``, list the files in ``dossier_files``, and write the counts derived
   from them to ``filing_counts`` with count source ``dossiers`` (same grain as the ``filings`` kind).

The database holds only the small derived counts and the list of Parquet files, so the writer's copy of the
database file stays small and an ingest costs what its own rows cost.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import tempfile
import uuid
from datetime import date, datetime, time as dtime
from pathlib import Path

import duckdb
import pandas as pd

from analytics.i18n import msg
from analytics.ingest.common import Options, Parsed, default_origin, detect_illustrative, reject
from analytics.ingest.errors import IngestError
from analytics.ingest.sheets import Sheet, locate, read_sheets
from analytics.periods import parse_period, quarter_dates

PERSONAL_FIELDS = ("applicant_name", "id_number", "phone", "address", "email")
TEXT_FIELDS = ("dossier_code", "procedure_code", "procedure_name", "unit", "department", "status")
FLAG_FIELDS = ("digitized", "e_result", "reused", "synced", "paid_online", "portal_overdue")
DATE_FIELDS = ("received_at", "system_due_at", "result_at")
REQUIRED = {"dossier_code", "received_at"}
STORE_DIR_NAME = "dossiers"
DATE_FORMATS = ["%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S",
                "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%d-%m-%Y %H:%M", "%d-%m-%Y", "%d.%m.%Y"]
HEADER_SCAN_LINES = 45


def _fold_sql(expr: str) -> str:
    """SQL folding a text as analytics.parsing.fold does (lower case, no diacritics, đ → d, single spaces)."""
    return f"trim(regexp_replace(replace(strip_accents(lower({expr})), 'đ', 'd'), '\\s+', ' ', 'g'))"


def looks_like_dossiers(sheet: Sheet) -> bool:
    """Whether a sheet (or the first lines of a CSV) has a dossier-list header."""
    return locate(sheet, "dossiers", REQUIRED) is not None


def _csv_head(path: Path) -> tuple[list[list], str, str] | None:
    """The first lines of a CSV as cells, its delimiter and DuckDB encoding name (None when not UTF-8/16)."""
    with open(path, "rb") as fh:
        raw = fh.read(1 << 16)
    for encoding, duck in (("utf-8-sig", "utf-8"), ("utf-16", "utf-16")):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            if encoding == "utf-8-sig":  # a multi-byte character cut at the end of the sample
                try:
                    text = raw[:-3].decode(encoding)
                    break
                except UnicodeDecodeError:
                    continue
    else:
        return None
    lines = text.splitlines()[:HEADER_SCAN_LINES]
    sample = "\n".join(lines)
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=";,\t|").delimiter
    except csv.Error:
        delimiter = max(";,\t", key=sample.count)
    return list(csv.reader(io.StringIO(sample), delimiter=delimiter)), delimiter, duck


def sniff_dossiers(path: Path) -> bool:
    """Whether a CSV or Parquet file is a dossier list, from its first lines or its schema (cheap on big files)."""
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return True
    if suffix in {".csv", ".txt", ".tsv"}:
        head = _csv_head(path)
        return bool(head) and looks_like_dossiers(Sheet(None, head[0]))
    return False


def _cell_text(v) -> str | None:
    if v is None or (isinstance(v, float) and v != v):
        return None
    if isinstance(v, datetime):
        return v.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(v, date):
        return v.strftime("%Y-%m-%d")
    if isinstance(v, dtime):
        return v.strftime("%H:%M:%S")
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    text = str(v)
    return text if text.strip() else None  # "x" is a tick here, not a blank


def _load_raw(con, path: Path, display: str, sheets=None):
    """Register the file's body as view ``_raw`` (varchar columns c0…, ``_row`` = its row in the file).

    Returns (sheet name, title text, field → column index, field → header text, unmatched headers).
    """
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        try:
            names = [r[0] for r in con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [str(path)]).fetchall()]
        except duckdb.Error as exc:
            raise IngestError("unreadable", file=display, detail=str(exc)[:300]) from exc
        table = locate(Sheet(None, [names]), "dossiers", REQUIRED)
        if table is None:
            raise IngestError("no_table", file=display, columns="“Số hồ sơ”, “Ngày tiếp nhận”, …")
        cols = ", ".join(f'CAST("{n}" AS VARCHAR) AS c{i}' for i, n in enumerate(names))
        literal = "'" + str(path).replace("'", "''") + "'"
        con.execute(f"CREATE OR REPLACE TEMP VIEW _raw AS SELECT {cols}, "
                    f"CAST(row_number() OVER () + 1 AS BIGINT) AS _row FROM read_parquet({literal})")
        return None, "", table.columns, table.headers, table.unmatched
    head = _csv_head(path) if suffix in {".csv", ".txt", ".tsv"} and sheets is None else None
    if head is not None:
        rows, delimiter, encoding = head
        table = locate(Sheet(None, rows), "dossiers", REQUIRED)
        if table is None:
            raise IngestError("no_table", file=display, columns="“Số hồ sơ”, “Ngày tiếp nhận”, …")
        width = max(len(r) for r in rows)
        start = table.first_data_row
        if start >= len(rows) and path.stat().st_size < (1 << 16):  # a header and nothing under it
            raise IngestError("empty_sheet", file=display)
        # the header was found in the first lines; DuckDB reads the body, every cell as text
        rel = ("SELECT *, CAST(row_number() OVER () + {start} AS BIGINT) AS _row FROM read_csv({path}, header = false, "
               "skip = {start}, all_varchar = true, delim = {delim}, quote = '\"', escape = '\"', null_padding = true, "
               "strict_mode = false, encoding = '{enc}', columns = {{{cols}}})").format(
            start=start, path="'" + str(path).replace("'", "''") + "'", delim="'" + delimiter.replace("'", "''") + "'",
            enc=encoding, cols=", ".join(f"'c{i}': 'VARCHAR'" for i in range(width)))
        try:
            con.execute("CREATE OR REPLACE TEMP VIEW _raw AS " + rel)
            con.execute("SELECT * FROM _raw LIMIT 1").fetchall()  # surfaces a bad encoding or layout now
        except duckdb.Error as exc:
            raise IngestError("unreadable", file=display, detail=str(exc)[:300]) from exc
        return None, table.title_text(), table.columns, table.headers, table.unmatched
    sheets = sheets if sheets is not None else read_sheets(path, display)
    found = [t for t in (locate(s, "dossiers", REQUIRED) for s in sheets) if t is not None]
    if not found:
        raise IngestError("no_table", file=display, columns="“Số hồ sơ”, “Ngày tiếp nhận”, …")
    table = max(found, key=lambda t: len(t.columns))
    body = table.sheet.rows[table.first_data_row:]
    width = max((len(r) for r in body), default=0) or 1
    keep = sorted(i for f, i in table.columns.items() if f not in PERSONAL_FIELDS)
    frame = pd.DataFrame({f"c{i}": pd.array([_cell_text(r[i]) if i < len(r) else None for r in body], dtype="str")
                          for i in keep if i < width})
    frame["_row"] = range(table.first_data_row + 1, table.first_data_row + 1 + len(body))
    con.register("_raw_frame", frame)
    con.execute("CREATE OR REPLACE TEMP VIEW _raw AS SELECT * FROM _raw_frame")
    return table.sheet.name, table.title_text(), table.columns, table.headers, table.unmatched


CHANNEL_WORDS = (("postal", ("buu chinh", "bcci", "postal")),
                 ("online", ("truc tuyen", "online", "dvc", "qua mang")),
                 ("in_person", ("truc tiep", "in person", "tai quay", "mot cua")))
YES = {"co", "x", "1", "true", "yes", "y", "da", "roi"}
NO = {"khong", "0", "false", "no", "n", "chua"}


def channel_of(text) -> str | None:
    """'online' | 'in_person' | 'postal' for a channel cell ("Trực tuyến", "BCCI", "Nộp trực tiếp"), else None."""
    from analytics.parsing import fold

    t = fold(text or "")
    for key, words in CHANNEL_WORDS:
        if any(w in t for w in words):
            return key
    return None


def flag_of(text) -> bool | None:
    """True / False for a yes-no cell ("Có", "x", "Đã số hóa", "Không", "Chưa"), None when blank or unclear."""
    from analytics.parsing import fold

    t = fold(text or "")
    if not t:
        return None
    if t in YES or t.startswith(("co ", "da ")):
        return True
    if t in NO or t.startswith(("khong ", "chua ")):
        return False
    return None


def _best_format(con, column: str | None) -> str:
    """The date format that reads most of a sample of a column (each cell is then tried with it first)."""
    if column is None:
        return DATE_FORMATS[0]
    sample = [v for (v,) in con.execute(f'SELECT "{column}" FROM _raw WHERE "{column}" IS NOT NULL LIMIT 2000').fetchall()]
    scores = {f: con.execute("SELECT count(try_strptime(v, ?)) FROM (SELECT unnest(?) AS v)", [f, sample]).fetchall()[0][0]
              for f in DATE_FORMATS} if sample else {}
    return max(DATE_FORMATS, key=lambda f: scores.get(f, 0))


def _mapping(con, column: str | None, fn, name: str) -> str:
    """Register ``name(v, out)``: each distinct cell of a low-cardinality column mapped once in Python."""
    values = con.execute(f'SELECT list(DISTINCT "{column}") FROM _raw').fetchall()[0][0] if column else []
    values = [v for v in values or [] if v is not None]
    frame = pd.DataFrame({"v": pd.array(values, dtype="str"), "out": [fn(v) for v in values]})
    if frame.empty:
        frame = pd.DataFrame({"v": pd.array([], dtype="str"), "out": pd.array([], dtype="object")})
    con.register(name + "_frame", frame)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT v, out FROM {name}_frame")
    con.unregister(name + "_frame")
    return name


def _typed_sql(con, columns: dict[str, int], present: set[str]) -> str:
    """The SELECT that types every kept field and names the first reason a row is rejected.

    Dates are tried with the format that reads most of a sample first, then with every accepted format;
    channels and yes/no cells are mapped once per distinct value.
    """
    def name(f):
        return f"c{columns[f]}" if f in columns and f"c{columns[f]}" in present else None

    def col(f):
        return f"nullif(trim(raw.{name(f)}), '')" if name(f) else "CAST(NULL AS VARCHAR)"

    fmts = "[" + ", ".join(f"'{f}'" for f in DATE_FORMATS) + "]"

    def as_date(f):
        v = col(f)
        best = _best_format(con, name(f)).replace("'", "''")
        return (f"coalesce(try_strptime({v}, '{best}'), try_strptime({v}, {fmts}), "
                f"CASE WHEN regexp_full_match({v}, '\\d{{5}}(\\.\\d+)?') THEN TIMESTAMP '1899-12-30' + "
                f"to_microseconds(CAST(round(CAST({v} AS DOUBLE) * 86400000000) AS BIGINT)) END)")

    joins, mapped = [], {}
    for f, fn in [("channel", channel_of)] + [(f, flag_of) for f in FLAG_FIELDS]:
        if name(f):
            table = _mapping(con, name(f), fn, f"_map_{f}")
            joins.append(f"LEFT JOIN {table} AS m_{f} ON m_{f}.v = raw.{name(f)}")
            mapped[f] = f"CAST(m_{f}.out AS {'VARCHAR' if f == 'channel' else 'BOOLEAN'})"
        else:
            mapped[f] = "CAST(NULL AS VARCHAR)" if f == "channel" else "CAST(NULL AS BOOLEAN)"
    label = _fold_sql("coalesce(dossier_code, '') || ' ' || coalesce(stt, '') || ' ' || coalesce(procedure_name, '')")
    fee = col("fee")
    return f"""
    WITH typed AS (
        SELECT
            raw._row AS row_number,
            {col('dossier_code')} AS dossier_code,
            {col('stt')} AS stt,
            {col('procedure_code')} AS procedure_code,
            {col('procedure_name')} AS procedure_name,
            {col('unit')} AS unit_name,
            {col('department')} AS department,
            {col('status')} AS status,
            {col('channel')} AS channel_text,
            {mapped['channel']} AS channel,
            {col('received_at')} AS received_text,
            {col('system_due_at')} AS system_due_text,
            {col('result_at')} AS result_text,
            {as_date('received_at')} AS received_at,
            {as_date('system_due_at')} AS system_due_at,
            {as_date('result_at')} AS result_at,
            {col('paused_days')} AS paused_text,
            try_cast(replace({col('paused_days')}, ',', '.') AS DOUBLE) AS paused_days,
            {mapped['digitized']} AS digitized,
            {mapped['e_result']} AS e_result,
            {mapped['reused']} AS reused,
            {mapped['synced']} AS synced,
            {mapped['paid_online']} AS paid_online,
            {mapped['portal_overdue']} AS portal_overdue,
            coalesce(try_cast({fee} AS DOUBLE), try_cast(replace(replace({fee}, '.', ''), ',', '.') AS DOUBLE)) AS fee
        FROM _raw AS raw
        {' '.join(joins)}
    )
    SELECT
        * EXCLUDE (stt),
        CASE
            WHEN dossier_code IS NULL AND received_text IS NULL THEN 'skip'
            WHEN received_text IS NULL AND ({label} LIKE '%tong cong%'
                                            OR {label} IN ('tong', 'cong', 'tong so', 'total')) THEN 'skip'
            WHEN dossier_code IS NULL THEN 'missing_code'
            WHEN received_text IS NULL THEN 'missing_received'
            WHEN received_at IS NULL THEN 'bad_received'
            WHEN system_due_text IS NOT NULL AND system_due_at IS NULL THEN 'bad_due'
            WHEN result_text IS NOT NULL AND result_at IS NULL THEN 'bad_result'
            WHEN channel IS NULL THEN 'bad_channel'
            WHEN result_at IS NOT NULL AND CAST(result_at AS DATE) < CAST(received_at AS DATE) THEN 'result_before_receipt'
            WHEN paused_text IS NOT NULL AND (paused_days IS NULL OR paused_days < 0) THEN 'bad_paused'
        END AS problem
    FROM typed
    """


PROBLEMS = {  # problem → (field whose column is named, value column, message key)
    "missing_code": ("dossier_code", "dossier_code", "dossier.missing_code"),
    "missing_received": ("received_at", "received_text", "dossier.missing_received"),
    "bad_received": ("received_at", "received_text", "dossier.bad_date"),
    "bad_due": ("system_due_at", "system_due_text", "dossier.bad_date"),
    "bad_result": ("result_at", "result_text", "dossier.bad_date"),
    "bad_channel": ("channel", "channel_text", "dossier.bad_channel"),
    "result_before_receipt": ("result_at", "result_text", "dossier.result_before_receipt"),
    "bad_paused": ("paused_days", "paused_text", "dossier.bad_paused"),
}
KEPT = ["row_number", "dossier_code", "procedure_code", "procedure_name", "unit_name", "department", "status", "channel",
        "received_at", "system_due_at", "result_at", "paused_days", "digitized", "e_result", "reused", "synced",
        "paid_online", "portal_overdue", "fee"]


def scratch_connection(memory_limit: str = "3GB") -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB for parsing, bounded in memory and spilling to a temporary folder."""
    con = duckdb.connect()
    con.execute(f"SET memory_limit = '{memory_limit}'")
    con.execute("SET preserve_insertion_order = true")
    con.execute(f"SET temp_directory = '{tempfile.gettempdir()}/analytics-duckdb-spill'")
    return con


def parse_dossiers(path: Path, options: Options, display: str, sheets=None) -> Parsed:
    """Type a dossier list, reject bad rows, drop personal data and stage the rows as Parquet (no database)."""
    lang = options.lang
    con = scratch_connection()
    try:
        sheet, title, columns, headers, unmatched = _load_raw(con, path, display, sheets)
        present = {r[0] for r in con.execute("DESCRIBE SELECT * FROM _raw").fetchall()}
        # read the file once, keeping only the fields we type: personal-data columns are never copied
        keep = sorted({f"c{i}" for f, i in columns.items() if f not in PERSONAL_FIELDS} & present)
        work = Path(tempfile.mkdtemp(prefix="dossiers-"))
        kept = work / "kept.parquet"  # columnar and typed once: every later pass reads only what it needs
        con.execute(f"COPY (SELECT {', '.join(keep + ['_row'])} FROM _raw) TO '{kept}' (FORMAT parquet)")
        con.execute(f"CREATE OR REPLACE TEMP VIEW _raw AS SELECT * FROM read_parquet('{kept}')")
        present = set(keep) | {"_row"}
        personal = [headers[f] for f in PERSONAL_FIELDS if f in columns]
        # type every cell once (the expensive pass), then split loaded rows from rejected ones by one column
        typed = work / "typed.parquet"
        con.execute(f"COPY ({_typed_sql(con, columns, present)}) TO '{typed}' (FORMAT parquet)")
        con.execute(f"CREATE OR REPLACE TEMP VIEW _typed AS SELECT * FROM read_parquet('{typed}')")
        staged = work / "staged.parquet"
        con.execute(f"COPY (SELECT {', '.join(KEPT)} FROM _typed WHERE problem IS NULL) TO '{staged}' (FORMAT parquet)")
        counts = {"ok": con.execute("SELECT count(*) FROM read_parquet(?)", [str(staged)]).fetchall()[0][0]}
        rejects = []
        bad = con.execute("""SELECT problem, row_number, dossier_code, received_text, system_due_text, result_text,
                                    channel_text, paused_text, procedure_code, department
                             FROM _typed WHERE problem IS NOT NULL AND problem <> 'skip' ORDER BY row_number""").df()
        typed.unlink()
        for rec in bad.to_dict("records"):
            field, value_col, key = PROBLEMS[rec["problem"]]
            value = rec.get(value_col)
            raw = [rec.get(k) for k in ("dossier_code", "procedure_code", "department", "channel_text", "received_text",
                                        "system_due_text", "result_text")]  # kept fields only: no personal data
            rejects.append(reject(display, sheet, int(rec["row_number"]), headers.get(field, field), value,
                                  msg(key, lang, value=value), raw))
        loaded = counts.get("ok", 0)
        if not loaded and not rejects:
            raise IngestError("empty_sheet", file=display, sheet=sheet)
        span = con.execute("SELECT min(received_at), max(received_at) FROM read_parquet(?)", [str(staged)]).fetchall()[0]
        stated = _stated_periods(options, title, path, display, sheet)
        if stated:
            periods = stated
        elif span[0] is not None:
            periods = _quarters_between(span[0].date(), span[1].date())
        else:
            periods = []
        kept.unlink()
    except BaseException:
        if "work" in locals():
            shutil.rmtree(work, ignore_errors=True)
        raise
    finally:
        con.close()
    notes = []
    if personal:
        notes.append(msg("dossier.personal_dropped", lang, columns=", ".join(f"“{h}”" for h in personal)))
    illustrative = options.illustrative if options.illustrative is not None else detect_illustrative(title + " " + str(path))
    return Parsed(kind="dossiers", file=display, sheet=sheet, periods=periods,
                  origin=options.origin or default_origin(path, "dossiers"), frames={}, rejects=rejects, notes=notes,
                  illustrative=bool(illustrative), source_document=options.source_document,
                  staged=str(staged), staged_rows=int(loaded), default_unit=_unit_from_title(title))


def _unit_from_title(title: str) -> str | None:
    from analytics.ingest.filings import unit_from_title

    if not title:
        return None
    import re

    segments = [seg for line in title.splitlines() for seg in re.split(r"\s[-–:]\s", line)]
    return unit_from_title("\n".join(segments))


def _stated_periods(options: Options, title: str, path: Path, display: str, sheet) -> list[str]:
    """The period(s) a file says it covers (--period, its title, its file name); empty when it says none."""
    said = {}
    if options.period:
        said["--period"] = options.period
    p = parse_period(title) if title else None
    if p:
        said["title"] = p
    p = parse_period(path.stem, filename=True)
    if p:
        said["filename"] = p
    if len(set(said.values())) > 1:
        raise IngestError("period_conflict", file=display, sheet=sheet, detail="; ".join(f"{k}: {v}" for k, v in said.items()))
    return sorted(set(said.values()))


def _quarters_between(first: date, last: date) -> list[str]:
    out, y, q = [], first.year, (first.month - 1) // 3 + 1
    while (y, q) <= (last.year, (last.month - 1) // 3 + 1):
        out.append(f"{y}Q{q}")
        y, q = (y + 1, 1) if q == 4 else (y, q + 1)
    return out


def discard_staged(parsed: Parsed) -> None:
    """Remove a parse's staging folder (after writing it, or when only validating)."""
    if getattr(parsed, "staged", None):
        shutil.rmtree(Path(parsed.staged).parent, ignore_errors=True)


# --- the write step -----------------------------------------------------------------------------------

def store_dir(con) -> Path:
    """The Parquet store of the database a connection has open: ``<its folder>/dossiers/``."""
    path = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchone()[0]
    if not path:
        raise RuntimeError("dossiers need a database file (not an in-memory database)")
    return Path(path).resolve().parent / STORE_DIR_NAME


def calendar_frames():
    """The working-day calendar as two small tables: day → working-day rank, rank → working day."""
    from analytics.workdays import work_calendar

    cal = work_calendar()
    days = pd.DataFrame({"day": cal.days.astype("datetime64[s]"), "wd_rank": cal.rank.astype("int64"),
                         "is_working": cal.working})
    ranks = pd.DataFrame({"wd_rank": range(1, len(cal.working_days) + 1), "day": cal.working_days.astype("datetime64[s]")})
    return days, ranks, cal.hours_per_day


def register_calendar(con) -> None:
    """Temporary tables ``_cal_day`` and ``_cal_rank`` on a connection (read-only connections too)."""
    days, ranks, _ = calendar_frames()
    con.register("_cal_day_frame", days)
    con.register("_cal_rank_frame", ranks)
    con.execute("CREATE OR REPLACE TEMP TABLE _cal_day AS SELECT CAST(day AS DATE) AS day, wd_rank, is_working FROM _cal_day_frame")
    con.execute("CREATE OR REPLACE TEMP TABLE _cal_rank AS SELECT wd_rank, CAST(day AS DATE) AS day FROM _cal_rank_frame")
    con.unregister("_cal_day_frame")
    con.unregister("_cal_rank_frame")


def _slug(text: str) -> str:
    import re

    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "unit"


def write_dossiers(con, parsed: Parsed, ingest_id: int, resolver) -> int:
    """Store the staged dossiers as partitioned Parquet, list the files, and write their derived counts."""
    staged = parsed.staged
    names = [r[0] for r in con.execute("SELECT DISTINCT unit_name FROM read_parquet(?)", [staged]).fetchall()]
    if any(n is None for n in names) and not parsed.default_unit:
        raise IngestError("missing_columns", file=parsed.file, sheet=parsed.sheet, columns="“Đơn vị”",
                          hint_params={"example": "Đơn vị"})
    mapping = {n: resolver.resolve(n if n is not None else parsed.default_unit) for n in names}
    units = pd.DataFrame({"unit_name": [n for n in mapping], "unit_id": list(mapping.values()),
                          "unit_part": [_slug(u) for u in mapping.values()]})
    con.register("_dossier_units", units)
    con.execute("SET memory_limit = '3GB'")  # a national export spills to disk rather than growing the process
    register_calendar(con)
    _, _, hours_per_day = calendar_frames()
    store = store_dir(con)
    token = uuid.uuid4().hex[:12]
    staging = store / f".staging-{token}"
    staging.mkdir(parents=True, exist_ok=True)
    con.execute(f"""
        COPY (
            WITH d AS (
                SELECT s.*, u.unit_id, u.unit_part,
                       CAST(s.received_at AS DATE) AS received_date,
                       CAST(s.result_at AS DATE) AS result_date,
                       CAST(s.system_due_at AS DATE) AS system_due_date
                FROM read_parquet(?) AS s
                JOIN _dossier_units AS u ON u.unit_name IS NOT DISTINCT FROM s.unit_name
            ),
            catalog AS (
                SELECT unit_id, procedure_code, any_value(procedure_name) AS cat_name, any_value(department) AS cat_department,
                       any_value(published_time) AS published_time, any_value(published_time_unit) AS published_time_unit,
                       any_value(has_fee) AS cat_fee
                FROM procedure_catalog WHERE procedure_code IS NOT NULL GROUP BY unit_id, procedure_code
            ),
            j AS (
                SELECT d.*, c.cat_name, c.cat_department, c.published_time, c.published_time_unit, c.cat_fee,
                       r.wd_rank AS received_rank,
                       coalesce(CAST(ceil(d.paused_days) AS BIGINT), 0) AS paused_whole_days,
                       CASE c.published_time_unit
                           WHEN 'working_days' THEN CAST(ceil(c.published_time) AS BIGINT)
                           WHEN 'hours' THEN CAST(ceil(c.published_time / {float(hours_per_day)}) AS BIGINT)
                       END AS published_working_days
                FROM d
                LEFT JOIN catalog AS c ON c.unit_id = d.unit_id AND c.procedure_code = d.procedure_code
                LEFT JOIN _cal_day AS r ON r.day = d.received_date
            )
            SELECT
                j.dossier_code, j.unit_id, j.procedure_code,
                coalesce(j.procedure_name, j.cat_name) AS procedure_name,
                coalesce(j.department, j.cat_department) AS department,
                j.channel, j.status, j.received_at, j.system_due_at, j.result_at,
                j.received_date, j.system_due_date, j.result_date,
                j.paused_days, j.digitized, j.e_result, j.reused, j.synced, j.paid_online, j.portal_overdue, j.fee,
                coalesce(j.fee > 0, j.cat_fee) AS has_fee,
                j.published_time, j.published_time_unit,
                CASE
                    WHEN j.published_time_unit = 'days' THEN j.received_date + CAST(ceil(j.published_time) AS INTEGER)
                                                            + CAST(j.paused_whole_days AS INTEGER)
                    WHEN j.published_working_days IS NOT NULL THEN due.day
                END AS published_due_date,
                {bool(parsed.illustrative)} AS illustrative,
                CAST({int(ingest_id)} AS INTEGER) AS ingest_id,
                j.row_number,
                strftime(j.received_date, '%Y') || 'Q' || CAST(quarter(j.received_date) AS VARCHAR) AS period,
                j.unit_part AS unit
            FROM j
            LEFT JOIN _cal_rank AS due ON due.wd_rank = j.received_rank + j.published_working_days + j.paused_whole_days
        ) TO '{staging}' (FORMAT parquet, PARTITION_BY (period, unit), WRITE_PARTITION_COLUMNS false)
    """, [staged])
    con.unregister("_dossier_units")
    files = []
    part_units = dict(zip(units["unit_part"], units["unit_id"]))
    for f in sorted(staging.rglob("*.parquet")):
        period = f.parent.parent.name.split("=", 1)[1]
        part = f.parent.name.split("=", 1)[1]
        target_dir = store / f"period={period}" / f"unit={part}"
        target_dir.mkdir(parents=True, exist_ok=True)
        target = target_dir / f"ingest-{ingest_id}-{token}-{f.stem}.parquet"
        os.replace(f, target)
        files.append({"ingest_id": ingest_id, "period": period, "unit_id": part_units[part],
                      "file_path": str(target.relative_to(store.parent)), "illustrative": bool(parsed.illustrative)})
    shutil.rmtree(staging, ignore_errors=True)
    if files:
        frame = pd.DataFrame(files)
        paths = [str(store.parent / p) for p in frame["file_path"]]
        rows = dict(con.execute("SELECT filename, count(*) FROM read_parquet(?, filename = true, hive_partitioning = false) "
                                "GROUP BY filename", [paths]).fetchall())
        frame["rows"] = [rows.get(p, 0) for p in paths]
        con.register("_dossier_files", frame)
        con.execute("INSERT INTO dossier_files (ingest_id, period, unit_id, file_path, rows, illustrative) "
                    "SELECT ingest_id, period, unit_id, file_path, rows, illustrative FROM _dossier_files")
        con.unregister("_dossier_files")
        derived = derived_counts(con, paths, parsed.periods)
        derived["ingest_id"] = ingest_id
        derived["illustrative"] = bool(parsed.illustrative)
        derived["source_file"] = parsed.file
        derived["sheet"] = parsed.sheet
        con.register("_derived", derived)
        cols = [c for c in derived.columns]
        from analytics.db import part_store

        store = part_store(con)
        if store is not None:  # a database file keeps filing rows as Parquet parts
            store.append(con, "SELECT * FROM _derived", ingest_id)
        else:
            con.execute(f"INSERT INTO filing_counts ({', '.join(cols)}) SELECT {', '.join(cols)} FROM _derived")
        con.unregister("_derived")
    discard_staged(parsed)
    return parsed.staged_rows


DERIVED_SQL = """
WITH periods AS (
    SELECT unnest(?) AS period, CAST(unnest(?) AS DATE) AS period_start, CAST(unnest(?) AS DATE) AS period_end
),
d AS (
    SELECT *, coalesce(published_due_date, system_due_date) AS due_date
    FROM read_parquet(?, hive_partitioning = false)
),
scoped AS (
    SELECT p.period, p.period_start, p.period_end, d.*,
           d.result_date IS NOT NULL AND d.result_date <= p.period_end AS resolved
    FROM d JOIN periods AS p
      ON d.received_date <= p.period_end AND (d.result_date IS NULL OR d.result_date >= p.period_start)
)
SELECT
    period, unit_id, procedure_code, any_value(procedure_name) AS procedure_name, any_value(department) AS department,
    'dossiers' AS count_source,
    count(*) AS received_total,
    count(*) FILTER (WHERE received_date >= period_start AND channel = 'online') AS received_online,
    count(*) FILTER (WHERE received_date >= period_start AND channel = 'in_person') AS received_in_person,
    count(*) FILTER (WHERE received_date >= period_start AND channel = 'postal') AS received_postal,
    count(*) FILTER (WHERE received_date < period_start) AS carried_over,
    count(*) FILTER (WHERE resolved) AS resolved_total,
    count(*) FILTER (WHERE resolved AND due_date IS NOT NULL AND result_date < due_date) AS resolved_early,
    count(*) FILTER (WHERE resolved AND (due_date IS NULL OR result_date = due_date)) AS resolved_on_time,
    count(*) FILTER (WHERE resolved AND result_date > due_date) AS resolved_late,
    count(*) FILTER (WHERE NOT resolved) AS pending_total,
    count(*) FILTER (WHERE NOT resolved AND (due_date IS NULL OR due_date >= period_end)) AS pending_within_time,
    count(*) FILTER (WHERE NOT resolved AND due_date < period_end) AS pending_overdue,
    count(*) FILTER (WHERE digitized) AS digitized_components,
    count(*) FILTER (WHERE resolved AND e_result) AS electronic_results,
    count(*) FILTER (WHERE reused) AS reused_data,
    count(*) FILTER (WHERE has_fee) AS fee_filings,
    count(*) FILTER (WHERE paid_online) AS online_payments,
    count(*) FILTER (WHERE synced) AS synced_filings
FROM scoped
GROUP BY period, unit_id, procedure_code
ORDER BY period, unit_id, procedure_code
"""


def derived_counts(con, files: list[str], periods: list[str]) -> pd.DataFrame:
    """Per (period, unit, procedure): the filing counts a list of dossiers gives, as the ``filings`` kind has them.

    A dossier counts in a quarter when it was received in it, resolved in it, or open at its end; timeliness is
    judged against the due date under the published deadline and Vietnam's calendar (the system's appointment
    date when the catalogue has no deadline), an open dossier against the quarter's last day.
    """
    quarters = [p for p in periods if len(p) == 6 and p[4] == "Q"]
    if not quarters or not files:
        return pd.DataFrame(columns=["period", "unit_id", "procedure_code", "count_source"])
    starts = [quarter_dates(p)[0] for p in quarters]
    ends = [quarter_dates(p)[1] for p in quarters]
    df = con.execute(DERIVED_SQL, [quarters, starts, ends, files]).df()
    df["row_number"] = range(1, len(df) + 1)
    return df


def prune_store(db) -> int:
    """Delete the Parquet files in a database's dossier store that it no longer lists (replaced or failed
    ingests); returns how many. Only for a store one database owns (the demo build, a single deployment)."""
    path = Path(db)
    store = path.resolve().parent / STORE_DIR_NAME
    if not store.exists() or not path.exists():
        return 0
    con = duckdb.connect(str(path), read_only=True)
    try:
        try:
            listed = {str(store.parent / p) for (p,) in con.execute("SELECT file_path FROM dossier_files").fetchall()}
        except duckdb.Error:
            return 0
    finally:
        con.close()
    removed = 0
    for f in store.rglob("*.parquet"):
        if str(f) not in listed:
            f.unlink(missing_ok=True)
            removed += 1
    return removed
