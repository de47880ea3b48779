"""Large filing exports (CSV in the plain template layout, or Parquet) read, checked and written by DuckDB.

A filing export of millions of rows never becomes Python objects: DuckDB reads the file, types every cell in
one SQL pass into a staged Parquet file, and the writer copies the checked rows from it into a new part of
``filing_counts`` (``analytics.db.PartStore``). The rules are those of ``analytics.ingest.filings``:
- a count cell is a whole number; plain digits are cast in SQL, any other text ("9.436", "1.234,0", "-3") is
  parsed once per distinct value by ``analytics.parsing.parse_count``, a cell that is no count rejects its row;
- blank cells are unknown, never 0; a row with no count at all is skipped; a "Tổng cộng" row is checked, not
  loaded; a row without a unit is rejected;
- the arithmetic invariants of ``analytics.ingest.validation`` (received = online + in person + postal +
  carried over; resolved = early + on time + late; pending = within time + overdue; no negative count; no part
  larger than its whole), each broken one a reject with the row, column, value and reason.
Smaller files, workbooks and layouts this module does not read (a title block, rate columns, another encoding
than UTF-8) go through the spreadsheet parser.
"""

from __future__ import annotations

import csv
import os
import tempfile
import uuid
from pathlib import Path

import duckdb

from analytics.i18n import msg
from analytics.ingest.common import (COUNT_FIELDS, TOTAL_ROW_WORDS, Options, Parsed, decide_period, default_origin,
                                     detect_illustrative, reject)
from analytics.ingest.errors import IngestError
from analytics.ingest.validation import BULK_MIN_BYTES  # where the spreadsheet parser and its validator stop
from analytics.parsing import fold, is_blank, nfc

TEXT_FIELDS = ("procedure_code", "procedure_name", "department")
KEY_FIELDS = ("period", "unit", "count_source")
PLAIN_COUNT = r"[0-9]{1,12}"


def _q(text) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def _header_fields(names: list[str]) -> dict[str, int] | None:
    """Field → column position for a header row of the plain filings template (None when it is not one)."""
    from analytics.ingest.headers import match_header

    fields = {}
    for i, name in enumerate(names):
        field = match_header(name, "filings") or (name if name in COUNT_FIELDS or name in TEXT_FIELDS
                                                   or name in KEY_FIELDS else None)
        if field is None or field in fields:
            continue
        fields[field] = i
    if "received_total" not in fields or not ({"procedure_name", "unit", "procedure_code"} & set(fields)):
        return None
    if {"online_rate_pct", "in_person_rate_pct"} & set(fields):
        return None  # rate columns are checked against their counts by the spreadsheet parser
    return fields


def _csv_header(path: Path) -> tuple[list[str], str] | None:
    """The header cells and delimiter of a UTF-8 CSV whose first line is the header (None otherwise)."""
    with open(path, "rb") as fh:
        head = fh.read(65536)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None
    head = head.removeprefix(b"\xef\xbb\xbf")
    try:
        first = head.split(b"\n", 1)[0].decode("utf-8").rstrip("\r")
    except UnicodeDecodeError:
        return None
    delimiter = max(";,\t", key=first.count)
    if not first.count(delimiter):
        return None
    return next(csv.reader([first], delimiter=delimiter)), delimiter


def eligible(path: Path, options: Options) -> bool:
    """Whether a file is a large filing export this module reads."""
    if options.kind not in (None, "filings"):
        return False
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            con = duckdb.connect()
            try:
                names = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM read_parquet({_q(path)})").fetchall()]
            finally:
                con.close()
            return _header_fields(names) is not None
        if suffix in (".csv", ".txt", ".tsv") and path.stat().st_size >= BULK_MIN_BYTES:
            header = _csv_header(path)
            return header is not None and _header_fields(header[0]) is not None
    except (OSError, duckdb.Error):
        return False
    return False


def _source(path: Path) -> tuple[str, list[str], dict[str, int], dict[str, str]]:
    """The relation that reads the file (every column as text, or as stored in Parquet), its column names, the
    field positions and each column's type."""
    if path.suffix.lower() == ".parquet":
        con = duckdb.connect()
        try:
            described = con.execute(f"DESCRIBE SELECT * FROM read_parquet({_q(path)})").fetchall()
        finally:
            con.close()
        names = [r[0] for r in described]
        relation = f"(SELECT *, file_row_number + 2 AS _row FROM read_parquet({_q(path)}, file_row_number = true))"
        return relation, names, _header_fields(names), {r[0]: r[1] for r in described}, names
    names, delimiter = _csv_header(path)
    cols = [f"c{i}" for i in range(len(names))]
    types = "{" + ", ".join(f"{_q(c)}: 'VARCHAR'" for c in cols) + "}"
    relation = (f"(SELECT *, row_number() OVER () + 1 AS _row FROM read_csv({_q(path)}, header = true, "
                f"delim = {_q(delimiter)}, quote = '\"', escape = '\"', columns = {types}, auto_detect = false, "
                f"null_padding = true, strict_mode = false, encoding = 'utf-8'))")
    return relation, cols, _header_fields(names), {c: "VARCHAR" for c in cols}, names


def parse_bulk_filings(path: Path, options: Options, display: str) -> Parsed:
    """Read a large filing export into a staged Parquet file of typed rows, with its rejects (no database)."""
    lang = options.lang
    source = _source(path)
    relation, cols, fields, types, headers = source
    col = {f: cols[i] for f, i in fields.items()}
    head = {f: headers[i] for f, i in fields.items()}
    con = duckdb.connect()
    con.execute("SET memory_limit = '1GB'")
    con.execute("SET preserve_insertion_order = true")
    staged = Path(tempfile.gettempdir()) / f"analytics-filings-{os.getpid()}-{uuid.uuid4().hex[:12]}.parquet"
    try:
        # a CSV's rows are staged in the file's order (insertion order kept) and numbered when read back from the
        # staged file (``file_row_number``), not by a window over the whole read
        numbered = relation.startswith("(SELECT *, file_row_number")
        scan = relation if numbered else relation.replace(", row_number() OVER () + 1 AS _row", "", 1)
        items = ["_row"] if numbered else []
        for f in COUNT_FIELDS:
            if f not in col:
                items.append(f"CAST(NULL AS BIGINT) AS {f}, CAST(NULL AS VARCHAR) AS _raw_{f}")
                continue
            c = f'"{col[f]}"'
            if types[col[f]] != "VARCHAR":
                items.append(f"TRY_CAST({c} AS BIGINT) AS {f}, CASE WHEN TRY_CAST({c} AS BIGINT) IS NULL AND {c} "
                             f"IS NOT NULL OR {c} < 0 THEN CAST({c} AS VARCHAR) END AS _raw_{f}")
                continue
            items.append(f"CASE WHEN regexp_full_match({c}, '{PLAIN_COUNT}') THEN CAST({c} AS BIGINT) END AS {f}, "
                         f"CASE WHEN NOT regexp_full_match({c}, '{PLAIN_COUNT}') THEN {c} END AS _raw_{f}")
        for f in (*TEXT_FIELDS, *KEY_FIELDS):
            items.append(f'CAST("{col[f]}" AS VARCHAR) AS _t_{f}' if f in col else f"CAST(NULL AS VARCHAR) AS _t_{f}")
        con.execute(f"COPY (SELECT {', '.join(items)} FROM {scan}) TO {_q(staged)} "
                    "(FORMAT parquet, COMPRESSION snappy)")
        stage = (f"read_parquet({_q(staged)})" if numbered else
                 f"(SELECT *, file_row_number + 2 AS _row FROM read_parquet({_q(staged)}, file_row_number = true))")
        # one read of the staged rows for every distinct text that is not plain digits (parsed once below, as the
        # spreadsheet parser parses it) and the distinct texts of names, the period column and the count source
        keys = (*TEXT_FIELDS, *KEY_FIELDS)
        found = con.execute("SELECT " + ", ".join(
            f"list(DISTINCT {c}) FILTER (WHERE {c} IS NOT NULL)"
            for c in [*(f"_raw_{f}" for f in COUNT_FIELDS), *(f"_t_{f}" for f in keys)]) + f" FROM {stage}").fetchall()[0]
        odd = list(dict.fromkeys(v for values in found[:len(COUNT_FIELDS)] for v in values or []))
        from analytics.ingest.filings import count_problem
        from analytics.parsing import NumberError, parse_count

        counts, problems = {}, {}
        for v in odd:
            try:
                counts[v] = parse_count(v)
            except NumberError:
                problems[v] = count_problem(v, lang)
        # distinct keys, mapped once: the text of names, the period column, the count source
        texts = {}
        for f, values in zip(keys, found[len(COUNT_FIELDS):]):
            texts[f] = {v: (None if is_blank(v) else nfc(v)) for v in values or []}
        from analytics.ingest.filings import count_source_from_text
        from analytics.periods import parse_period

        periods_raw = {v: parse_period(str(v)) for v, n in texts["period"].items() if n is not None}
        sources = {v: count_source_from_text(v) for v in texts["count_source"]}
        labels = {}
        for v, n in {**texts["procedure_name"], **texts["unit"]}.items():
            label = fold(n or "")
            labels[v] = label in TOTAL_ROW_WORDS or label.startswith("tong cong")
        # the checked rows are a query over the staged file, never written again: the rejects, the count and the
        # writer's copy each read the staged rows once, with the casts and checks computed as they are read
        typed = _typed_sql(stage, counts, problems, texts, periods_raw, sources, labels)
        con.execute("SET preserve_insertion_order = false")
        con.execute(f"CREATE TEMP VIEW typed AS {typed}")
        column_periods = sorted({p for p in periods_raw.values() if p})
        periods = decide_period(file=display, options=options, title="", column_values=column_periods,
                                filename=path.name, sheet=None)
        # one read of the staged rows for the count, the periods and units that load and the rows that do not
        loaded = con.execute("SELECT count(*) FILTER (WHERE _ok), list(DISTINCT coalesce(period, ?)) FILTER (WHERE _ok), "
                             "list(DISTINCT [unit_name, coalesce(period, ?)]) FILTER (WHERE _ok), "
                             "list(_row) FILTER (WHERE NOT _ok) FROM typed",
                             [periods[0], periods[0]]).fetchall()[0]
        rejects = []
        if loaded[3]:
            bad = con.execute("SELECT * FROM typed WHERE _row IN (SELECT unnest(?::BIGINT[])) ORDER BY _row",
                              [loaded[3]]).df()
            rejects = _rejects(bad, display, head, lang, path, relation, con)
        if not loaded[0] and not rejects:
            raise IngestError("empty_sheet", file=display, sheet=None)
        illustrative = options.illustrative if options.illustrative is not None else detect_illustrative(str(path))
        notes = []
        return Parsed(kind="filings", file=display, sheet=None, periods=sorted(p for p in loaded[1] if p) or periods,
                      origin=options.origin or default_origin(path, "filings"), frames={},
                      rejects=rejects, notes=notes, illustrative=bool(illustrative),
                      source_document=options.source_document, staged=str(staged), staged_rows=int(loaded[0]),
                      bulk_sql=typed, bulk_default_period=periods[0],
                      bulk_units=[tuple(pair) for pair in loaded[2] or []])
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    finally:
        con.close()


def _text_sql(mapping: dict, expr: str) -> str:
    """SQL giving each text the value ``mapping`` gives it: unchanged texts stay as they are (no lookup), blank
    ones become NULL, the few that normalisation changes are looked up."""
    blank = [k for k, v in mapping.items() if v is None]
    changed = {k: v for k, v in mapping.items() if v is not None and v != k}
    out = "CASE"
    if blank:
        out += f" WHEN {expr} IN ({', '.join(map(_q, blank))}) THEN NULL"
    if changed:
        out += f" WHEN {expr} IN ({', '.join(map(_q, changed))}) THEN {_map_sql(changed, expr)}"
    return out + f" ELSE {expr} END" if out != "CASE" else expr


def _map_sql(mapping: dict, expr: str, sql_type: str = "VARCHAR") -> str:
    """SQL looking ``expr`` up in a small Python mapping (NULL when absent)."""
    pairs = [(k, v) for k, v in mapping.items() if k is not None]
    if not pairs:
        return f"CAST(NULL AS {sql_type})"
    keys = ", ".join(_q(k) for k, _ in pairs)
    values = ", ".join("NULL" if v is None else (_q(v) if sql_type == "VARCHAR" else str(v)) for _, v in pairs)
    return f"CAST(map([{keys}], [{values}])[{expr}] AS {sql_type})"


def _typed_sql(stage: str, counts: dict, problems: dict, texts: dict, periods: dict, sources: dict,
               labels: dict) -> str:
    """The query over the staged rows that gives each row its final counts, texts, the problem of its count cells
    (NULL when none) and the invariants it breaks (validation's rules), and whether it loads (``_ok``)."""
    from analytics.ingest.validation import FILING_PARTS, FILING_SUMS

    items = ["_row"]
    for f in COUNT_FIELDS:
        items.append(f"CASE WHEN _raw_{f} IS NULL THEN {f} ELSE {_map_sql(counts, f'_raw_{f}', 'BIGINT')} END AS {f}")
    cell_problem = " ".join(
        f"WHEN _raw_{f} IS NOT NULL AND {_map_sql(problems, f'_raw_{f}')} IS NOT NULL "
        f"THEN struct_pack(field := '{f}', value := _raw_{f}, reason := {_map_sql(problems, f'_raw_{f}')})"
        for f in COUNT_FIELDS)
    items.append(f"CASE {cell_problem} END AS _cell_problem" if problems else "NULL AS _cell_problem")
    items.append("(" + " OR ".join([f"{f} IS NOT NULL OR _raw_{f} IS NOT NULL" for f in COUNT_FIELDS]) + ") AS _present")
    for f in TEXT_FIELDS:
        items.append(f"{_text_sql(texts[f], f'_t_{f}')} AS {f}")
    items.append(f"{_text_sql(texts['unit'], '_t_unit')} AS unit_name")
    items.append(f"_t_period AS _raw_period, {_map_sql(periods, '_t_period')} AS period")
    items.append(f"coalesce({_map_sql(sources, '_t_count_source')}, 'own') AS count_source")
    total = {k for k, v in labels.items() if v}
    items.append(f"coalesce(_t_procedure_name, _t_unit) IN ({', '.join(map(_q, total))}) AS _is_total"
                 if total else "false AS _is_total")
    first = f"SELECT {', '.join(items)} FROM {stage}"
    checks, broken = [], []
    for f in COUNT_FIELDS:
        broken.append(f"{f} < 0")
        checks.append(f"CASE WHEN {f} < 0 THEN struct_pack(field := '{f}', kind := 'negative', other := CAST(NULL AS VARCHAR)) END")
    for whole, parts in FILING_SUMS:
        known = " AND ".join(f"{c} IS NOT NULL" for c in (whole, *parts))
        broken.append(f"({known} AND {whole} <> {' + '.join(parts)})")
        checks.append(f"CASE WHEN {known} AND {whole} <> {' + '.join(parts)} "
                      f"THEN struct_pack(field := '{whole}', kind := 'sum', other := CAST(NULL AS VARCHAR)) END")
    for part, whole in FILING_PARTS:
        broken.append(f"{part} > {whole}")
        checks.append(f"CASE WHEN {part} > {whole} THEN struct_pack(field := '{part}', kind := 'part', "
                      f"other := '{whole}') END")
    return f"""
        WITH first AS ({first}),
        checked AS (
            SELECT *,
                CASE
                    WHEN _cell_problem IS NOT NULL THEN 'cell'
                    WHEN unit_name IS NULL THEN 'unit'
                    WHEN _raw_period IS NOT NULL AND period IS NULL THEN 'period'
                END AS _problem
            FROM first WHERE _present AND NOT _is_total
        )
        , failing AS (
            SELECT *,
                CASE WHEN _problem IS NULL AND coalesce({' OR '.join(broken)}, false)
                    THEN list_filter([{', '.join(checks)}], lambda x: x IS NOT NULL) ELSE [] END AS _failures
            FROM checked
        )
        SELECT *, _problem IS NULL AND len(_failures) = 0 AS _ok FROM failing
    """


def _rejects(bad, display: str, head: dict, lang, path: Path, relation: str, con) -> list[dict]:
    """The rejects of the rows with a problem, as the spreadsheet parser words them."""
    if bad.empty:
        return []
    from analytics.ingest.validation import FILING_SUMS, _count, _fmt

    raws = {}
    rows = [int(r) for r in bad["_row"]]
    for r in con.execute(f"SELECT * FROM {relation} WHERE _row IN (SELECT unnest(?::BIGINT[]))", [rows]).fetchall():
        raws[int(r[-1])] = list(r[:-1])
    sums = dict(FILING_SUMS)
    out = []
    for rec in bad.to_dict("records"):
        row = int(rec["_row"])
        raw = raws.get(row)
        if rec["_problem"] == "cell":
            p = rec["_cell_problem"]
            out.append(reject(display, None, row, head.get(p["field"], p["field"]), p["value"], p["reason"], raw))
        elif rec["_problem"] == "unit":
            out.append(reject(display, None, row, "Đơn vị", None, msg("missing_unit", lang), raw))
        elif rec["_problem"] == "period":
            value = rec["_raw_period"]
            out.append(reject(display, None, row, head.get("period"), value, msg("bad_period", lang, value=value), raw))
        for fail in rec["_failures"] if rec["_failures"] is not None else []:
            f = fail["field"]
            if fail["kind"] == "negative":
                reason = msg("negative", lang, value=_fmt(rec[f]))
            elif fail["kind"] == "sum":
                detail = f"{f} {_count(rec[f])} ≠ " + " + ".join(f"{p} {_count(rec[p])}" for p in sums[f])
                reason = msg("invariant", lang, detail=detail)
            else:
                reason = msg("part_exceeds", lang, part=f, value=_fmt(rec[f]), whole=fail["other"],
                             expected=_fmt(rec[fail["other"]]))
            out.append(reject(display, None, row, head.get(f, f), rec[f], reason, raw))
    return out


def write_bulk_filings(con, parsed: Parsed, ingest_id: int, resolver) -> int:
    """Write a large export's checked rows as a new part of ``filing_counts``; returns the rows written."""
    from analytics.db import part_store

    import pandas as pd

    pairs = parsed.bulk_units
    if pairs is None:
        pairs = con.execute(f"SELECT DISTINCT unit_name, coalesce(period, ?) FROM ({parsed.bulk_sql}) WHERE _ok",
                            [parsed.bulk_default_period]).fetchall()
    units = pd.DataFrame([(n, p, resolver.resolve(n, period=p)) for n, p in pairs],
                         columns=["unit_name", "period", "unit_id"])
    con.register("_bulk_units", units)
    try:
        rows = f"""
            SELECT t.* EXCLUDE (period), coalesce(t.period, {_q(parsed.bulk_default_period)}) AS period, u.unit_id,
                   t._row AS row_number, {bool(parsed.illustrative)} AS illustrative, {_q(parsed.file)} AS source_file,
                   CAST(NULL AS VARCHAR) AS sheet, {int(ingest_id)} AS ingest_id
            FROM ({parsed.bulk_sql}) AS t
            JOIN _bulk_units AS u ON u.unit_name = t.unit_name AND u.period = coalesce(t.period, {_q(parsed.bulk_default_period)})
            WHERE t._ok"""
        store = part_store(con)
        if store is not None:
            return store.append(con, rows, ingest_id)
        df = con.execute(rows).df()
        cols = [r[0] for r in con.execute("DESCRIBE filing_counts").fetchall() if r[0] in df.columns]
        con.register("_bulk_rows", df)
        con.execute(f"INSERT INTO filing_counts ({', '.join(cols)}) SELECT {', '.join(cols)} FROM _bulk_rows")
        con.unregister("_bulk_rows")
        return len(df)
    finally:
        con.unregister("_bulk_units")


def discard(parsed: Parsed) -> None:
    if parsed.staged:
        Path(parsed.staged).unlink(missing_ok=True)

