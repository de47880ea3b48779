"""Filing counts exported from one-stop software (or counted by the national portal), per unit or procedure.

Accepts the one-stop "báo cáo tổng hợp" layout (grouped headers over two or three rows, a
"Tổng cộng" check row) and the project's plain one-header template. Rows whose counts break the
invariants (received = online + in person + postal + carried over, …) are rejected with the reason.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analytics.definition import fold
from analytics.ingest.common import Options, Parsed, decide_period, detect_illustrative, default_origin, period_slips, reject
from analytics.ingest.sheets import cell, find_table, row_is_blank
from analytics.messages import IngestError, msg
from analytics.parsing import NumberError, is_blank, nfc, parse_count, parse_number
from analytics.periods import parse_period

COUNT_FIELDS = [
    "received_total", "received_online", "received_in_person", "received_postal", "carried_over",
    "resolved_total", "resolved_early", "resolved_on_time", "resolved_late",
    "pending_total", "pending_within_time", "pending_overdue",
    "digitized_components", "electronic_results", "reused_data", "fee_filings", "online_payments",
    "synced_filings", "feedback_total", "feedback_on_time", "feedback_satisfied",
]
RATE_CHECKS = [("online_rate_pct", "received_online"), ("in_person_rate_pct", "received_in_person")]
RATE_TOLERANCE_PP = 0.6
TOTAL_ROW_WORDS = ("tong cong", "tong so", "cong", "total")


def count_source_from_text(text: str | None) -> str | None:
    """'portal' for text naming the national portal, 'own' for one-stop software, else None."""
    t = fold(text or "")
    if not t:
        return None
    if "dvcqg" in t or "cong dich vu cong quoc gia" in t or "cong dvc quoc gia" in t or t == "portal":
        return "portal"
    if "mot cua" in t or "own" == t or "he thong" in t or "phan mem" in t:
        return "own"
    return None


def unit_from_title(title: str) -> str | None:
    """The reporting unit named in a title block ("SỞ CÔNG THƯƠNG TỈNH ĐỒNG NAI" → "Sở Công Thương")."""
    for line in title.splitlines():
        t = fold(line)
        for prefix in ("so ", "ubnd ", "ban quan ly", "uy ban nhan dan"):
            if t.startswith(prefix) and "cong hoa" not in t:
                name = nfc(line)
                cut = fold(name).find(" tinh ")
                if cut > 0:
                    name = name[:cut]
                return name.strip().title() if name.isupper() else name.strip()
    return None


def parse_filings(path: Path, sheets, options: Options, display: str) -> Parsed:
    """Read filing counts (one row per unit or procedure) with lineage and rejected rows."""
    lang = options.lang
    table = find_table(sheets, "filings", {"received_total"})
    if table is None or not ({"procedure_name", "unit", "procedure_code"} & set(table.columns)):
        raise IngestError("no_table", file=display,
                          columns="“Tên thủ tục” hoặc “Đơn vị”, “Tổng số tiếp nhận”, “Tiếp nhận trực tuyến”, …")
    sheet = table.sheet.name
    title = table.title_text()
    default_unit = unit_from_title(title)
    default_source = count_source_from_text(title) or "own"
    fields = [f for f in COUNT_FIELDS if f in table.columns]
    records, rejects, column_periods, check_rows = [], [], [], []
    for r in range(table.first_data_row, len(table.sheet.rows)):
        row = table.sheet.rows[r]
        excel_row = r + 1
        if row_is_blank(row):
            continue
        name_raw = cell(row, table.columns.get("procedure_name"))
        unit_raw = cell(row, table.columns.get("unit"))
        label = fold(name_raw if not is_blank(name_raw) else unit_raw or "")
        numbers = [cell(row, table.columns[f]) for f in fields]
        if all(is_blank(v) for v in numbers):
            continue  # section, note or sub-heading row
        if label in TOTAL_ROW_WORDS or label.startswith("tong cong"):
            check_rows.append((excel_row, row))
            continue
        record = {"row_number": excel_row, "_raw": row}
        bad = False
        for f in fields:
            raw = cell(row, table.columns[f])
            try:
                record[f] = parse_count(raw)
            except NumberError:
                rejects.append(reject(display, sheet, excel_row, table.headers[f], raw,
                                      msg("not_a_count", lang, value=raw), row))
                bad = True
        for rate_field, count_field in RATE_CHECKS:
            if rate_field in table.columns and not bad and record.get(count_field) is not None and record.get("received_total"):
                raw = cell(row, table.columns[rate_field])
                try:
                    rate = parse_number(raw)
                except NumberError:
                    rate = None
                expected = 100 * record[count_field] / record["received_total"]
                if rate is not None and abs(rate - expected) > RATE_TOLERANCE_PP:
                    rejects.append(reject(display, sheet, excel_row, table.headers[rate_field], raw,
                                          msg("rate_mismatch", lang, value=raw, expected=f"{expected:.2f}"), row))
                    bad = True
        record["procedure_name"] = None if is_blank(name_raw) else nfc(name_raw)
        code = cell(row, table.columns.get("procedure_code"))
        record["procedure_code"] = None if is_blank(code) else nfc(code)
        dept = cell(row, table.columns.get("department"))
        record["department"] = None if is_blank(dept) else nfc(dept)
        unit = nfc(unit_raw) if not is_blank(unit_raw) else default_unit
        if not unit:
            rejects.append(reject(display, sheet, excel_row, "Đơn vị", None, msg("missing_unit", lang), row))
            bad = True
        record["unit_name"] = unit
        src = cell(row, table.columns.get("count_source"))
        record["count_source"] = count_source_from_text(src) or default_source
        if "period" in table.columns:
            raw_period = cell(row, table.columns["period"])
            p = None if is_blank(raw_period) else parse_period(str(raw_period))
            if p is None:
                rejects.append(reject(display, sheet, excel_row, table.headers["period"], raw_period,
                                      msg("bad_period", lang, value=raw_period), row))
                bad = True
            else:
                record["period"] = p
                column_periods.append(p)
        if not bad:
            records.append(record)
    periods = decide_period(file=display, options=options, title=title, column_values=column_periods,
                            filename=path.name, sheet=sheet)
    if not records and not rejects:
        raise IngestError("empty_sheet", file=display, sheet=sheet)
    df = pd.DataFrame(records)
    for f in COUNT_FIELDS:
        df[f] = pd.array(df[f], dtype="Int64") if f in df.columns else pd.array([None] * len(df), dtype="Int64")
    if "period" not in df.columns or df["period"].isna().all():
        df["period"] = periods[0]

    from analytics.validation import filing_failures

    check = df[["period", "row_number", *COUNT_FIELDS]].copy()
    for f in COUNT_FIELDS:
        check[f] = check[f].astype("float64")
    failed = set()
    for failure in filing_failures(check):
        row = df.loc[failure.index]
        rejects.append(reject(display, sheet, int(row["row_number"]), table.headers.get(failure.column, failure.column),
                              row.get(failure.column), msg(failure.reason_key, lang, **failure.params), row["_raw"]))
        failed.add(failure.index)
    df = df.drop(index=list(failed)).drop(columns=["_raw"]).reset_index(drop=True)
    illustrative = options.illustrative if options.illustrative is not None else detect_illustrative(title + " " + str(path))
    df["illustrative"] = bool(illustrative)
    df["source_file"] = display
    df["sheet"] = sheet
    notes = period_slips(title, periods[0], lang) if len(periods) == 1 else []
    notes += _check_total_rows(df, check_rows, table, fields, lang)
    return Parsed(kind="filings", file=display, sheet=sheet, periods=sorted(set(df["period"])) if len(df) else periods,
                  origin=options.origin or default_origin(path, "filings"), frames={"filing_counts": df},
                  rejects=sorted(rejects, key=lambda r: r["row_number"] or 0), notes=notes,
                  illustrative=bool(illustrative), source_document=options.source_document)


def _check_total_rows(df: pd.DataFrame, check_rows, table, fields, lang) -> list[str]:
    """Notes where a "Tổng cộng" row disagrees with the sum of the loaded rows above it."""
    notes = []
    for excel_row, row in check_rows:
        diffs = []
        for f in fields:
            try:
                stated = parse_count(cell(row, table.columns[f]))
            except NumberError:
                continue
            if stated is not None and int(df[f].sum()) != stated:
                diffs.append(f"{table.headers[f]}: {stated} ≠ {int(df[f].sum())}")
        if diffs:
            where = f"dòng {excel_row}" if lang != "en" else f"row {excel_row}"
            notes.append(("Dòng tổng cộng không khớp tổng các dòng" if lang != "en" else "The total row differs from the rows' sum")
                         + f" ({where}): " + "; ".join(diffs[:4]))
    return notes
