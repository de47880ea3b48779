"""Filing counts exported from one-stop software (or counted by the national portal), per unit or procedure.

Accepts the one-stop "báo cáo tổng hợp" layout (grouped headers over two or three rows, a
"Tổng cộng" check row) and the project's plain one-header template. Rows whose counts break the
invariants (received = online + in person + postal + carried over, …) are rejected with the reason.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from analytics.parsing import fold
from analytics.ingest.common import (COUNT_FIELDS, TOTAL_ROW_WORDS, Options, Parsed, decide_period, default_origin,
                                     detect_illustrative, period_slips, reject)
from analytics.ingest.sheets import cell, find_table
from analytics.i18n import msg
from analytics.ingest.errors import IngestError
from analytics.ingest.guard import cell_problem, merged_reason
from analytics.parsing import MAX_COUNT, NumberError, is_blank, nfc, parse_count, parse_number
from analytics.periods import parse_period

RATE_CHECKS = [("online_rate_pct", "received_online"), ("in_person_rate_pct", "received_in_person")]
RATE_TOLERANCE_PP = 0.6


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
    block = table.sheet.body(table.first_data_row)  # typed columns, or the cells read one by one
    width = block.width
    index = block.index  # spreadsheet row numbers
    raw_row = block.raw_row
    column = lambda f: block.series(table.columns[f]) if f in table.columns and table.columns[f] < width else pd.Series(None, index=index, dtype=object)  # noqa: E731
    counts, bad_cells = {}, []
    for f in fields:
        counts[f], bad = parse_count_column(column(f))
        bad_cells += [(row, f) for row in bad]
    numbers_present = pd.concat([counts[f].notna() for f in fields], axis=1).any(axis=1) if fields else pd.Series(False, index=index)
    bad_rows = {row for row, _ in bad_cells}
    numbers_present |= index.isin(list(bad_rows))
    names = text_column(column("procedure_name"))
    units = text_column(column("unit"))
    labels = names.fillna(units).fillna("")
    label = labels.map({v: fold(v) for v in labels.unique()})
    is_total = label.isin(TOTAL_ROW_WORDS) | label.astype(str).str.startswith("tong cong")  # str: no rows at all
    keep = numbers_present & ~is_total
    check_rows = [(int(i), raw_row(int(i))) for i in index[numbers_present & is_total]]
    rejects = []
    for row, f in bad_cells:
        if keep.get(row, False):
            value = column(f)[row]
            rejects.append(reject(display, sheet, int(row), table.headers[f], value, count_problem(value, lang),
                                  raw_row(row)))
    for row, ref in table.merged_data_rows({"unit", "procedure_name", "procedure_code", *fields}).items():
        if keep.get(row, False) and row not in bad_rows:  # a merged cell across data rows: rejected, never guessed
            rejects.append(reject(display, sheet, int(row), None, ref, merged_reason(ref, lang),
                                  raw_row(row)))
            bad_rows.add(row)
    df = pd.DataFrame({f: counts[f] for f in fields}, index=index)
    df["row_number"] = index
    df["procedure_name"] = names
    df["procedure_code"] = text_column(column("procedure_code"))
    df["department"] = text_column(column("department"))
    df["unit_name"] = units.fillna(default_unit) if default_unit else units
    sources = column("count_source")
    df["count_source"] = sources.map(_source_map(sources.dropna().unique())).fillna(default_source)
    for rate_field, count_field in RATE_CHECKS:
        if rate_field in table.columns and count_field in df.columns:
            rates, _ = parse_number_column(column(rate_field))
            expected = 100 * df[count_field].astype("Float64") / df["received_total"].astype("Float64").replace(0, pd.NA)
            off = keep & rates.notna() & expected.notna() & ((rates - expected).abs() > RATE_TOLERANCE_PP)
            for row in index[off.fillna(False)]:
                rejects.append(reject(display, sheet, int(row), table.headers[rate_field], column(rate_field)[row],
                                      msg("rate_mismatch", lang, value=column(rate_field)[row], expected=f"{expected[row]:.2f}"),
                                      raw_row(row)))
                bad_rows.add(row)
    missing_unit = keep & df["unit_name"].isna()
    for row in index[missing_unit]:
        rejects.append(reject(display, sheet, int(row), "Đơn vị", None, msg("missing_unit", lang), raw_row(row)))
        bad_rows.add(row)
    column_periods = []
    if "period" in table.columns:
        raw_periods = column("period")
        mapping = {v: (None if is_blank(v) else parse_period(str(v))) for v in raw_periods.dropna().unique()}
        df["period"] = raw_periods.map(mapping)
        for row in index[keep & df["period"].isna()]:
            value = raw_periods[row]
            rejects.append(reject(display, sheet, int(row), table.headers["period"], value,
                                  msg("bad_period", lang, value=value), raw_row(row)))
            bad_rows.add(row)
        column_periods = sorted(set(df.loc[keep & df["period"].notna(), "period"]))
    df = df[keep & ~df.index.isin(list(bad_rows))]
    periods = decide_period(file=display, options=options, title=title, column_values=column_periods,
                            filename=path.name, sheet=sheet)
    if df.empty and not rejects:
        raise IngestError("empty_sheet", file=display, sheet=sheet)
    for f in COUNT_FIELDS:
        df[f] = df[f].astype("Int64") if f in df.columns else pd.array([None] * len(df), dtype="Int64")
    if "period" not in df.columns or df["period"].isna().all():
        df["period"] = periods[0]
    df = df.reset_index(drop=True)

    from analytics.ingest.validation import filing_failures

    check = df[["period", "row_number", *COUNT_FIELDS]].copy()
    for f in COUNT_FIELDS:
        check[f] = check[f].astype("float64")
    failed = set()
    for failure in filing_failures(check):
        row = df.loc[failure.index]
        rejects.append(reject(display, sheet, int(row["row_number"]), table.headers.get(failure.column, failure.column),
                              row.get(failure.column), msg(failure.reason_key, lang, **failure.params),
                              raw_row(int(row["row_number"]))))
        failed.add(failure.index)
    df = df.drop(index=list(failed)).reset_index(drop=True)
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


def text_column(series: pd.Series) -> pd.Series:
    """Cell texts in NFC with white space folded, blanks as None (each distinct value normalised once)."""
    if isinstance(series.dtype, pd.StringDtype):  # a column of text read as a column
        codes, uniques = pd.factorize(series)
        texts = np.array([None if is_blank(v) else nfc(v) for v in uniques] + [None], dtype=object)
        return pd.Series(texts[codes], index=series.index, dtype=object)
    uniques = series.dropna().unique()
    mapping = {v: (None if is_blank(v) else nfc(v)) for v in uniques}
    return series.map(mapping).astype(object).where(series.notna(), None)


def _source_map(values) -> dict:
    return {v: count_source_from_text(str(v)) for v in values}


def parse_count_column(series: pd.Series) -> tuple[pd.Series, list]:
    """A column of cells as whole counts (Int64) and the row labels of cells that are not counts.

    Numbers typed as numbers convert at once; text ("9.436", "1,234") is parsed once per distinct value.
    """
    values, bad = parse_number_column(series)
    too_large = values.notna() & (values.abs() > MAX_COUNT)  # 10²⁰ would wrap in a 64-bit integer
    fractional = values.notna() & ((values - values.round()).abs() > 1e-9)
    wrong = (fractional | too_large).fillna(False)
    bad = bad + list(series.index[wrong])
    return values.where(~wrong).round().astype("Int64"), bad


def count_problem(value, lang: str | None = None) -> str:
    """Why a cell is not a count: a formula never computed or an error cell, a count beyond 10¹², or not whole."""
    problem = cell_problem(value, lang)
    if problem:
        return problem
    try:
        number = parse_number(value)
    except NumberError:
        number = None
    if number is not None and abs(number) > MAX_COUNT:
        return msg("count_too_large", lang, value=value)
    return msg("not_a_count", lang, value=value)


def parse_number_column(series: pd.Series) -> tuple[pd.Series, list]:
    """A column of cells as numbers (Float64) and the row labels of cells that hold text that is no number.

    Each distinct cell value is parsed once ("9.436", "19,8", 12.0), so a 200,000-row column costs a dict lookup a row;
    a column read as numbers is taken as it is, a column read as text is parsed per distinct value by position.
    """
    if series.dtype == "float64":  # numbers as the workbook holds them: blank is NaN; ±inf is no number
        values = series.to_numpy()
        bad_mask = np.isinf(values)
        numbers = pd.array(np.where(bad_mask, np.nan, values), dtype="Float64")
        return pd.Series(numbers, index=series.index), list(series.index[bad_mask])
    if isinstance(series.dtype, pd.StringDtype):
        codes, uniques = pd.factorize(series)
        parsed = np.full(len(uniques) + 1, np.nan)
        bad = np.zeros(len(uniques) + 1, dtype=bool)
        for i, v in enumerate(uniques):
            try:
                number = parse_number(v)
            except NumberError:
                bad[i] = True
                continue
            if number is not None:
                parsed[i] = number
        bad_mask = bad[codes]
        numbers = pd.array(parsed[codes], dtype="Float64")
        return pd.Series(numbers, index=series.index), list(series.index[bad_mask])
    mapping = {}
    for v in pd.unique(series.dropna()):
        try:
            mapping[v] = parse_number(v)
        except NumberError:
            mapping[v] = _BAD
    parsed = series.map(mapping)
    bad_mask = parsed.map(lambda v: v is _BAD) if any(v is _BAD for v in mapping.values()) else pd.Series(False, index=series.index)
    numbers = pd.to_numeric(parsed.where(~bad_mask), errors="coerce").astype("Float64")
    return numbers, list(series.index[bad_mask])


_BAD = object()


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
            notes.append(msg("total_row_differs", lang, row=excel_row, detail="; ".join(diffs[:4])))
    return notes
