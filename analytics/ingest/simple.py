"""Small reference tables people keep by hand: the unit crosswalk, plan targets, the procedure catalogue."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analytics.definition import load_definition

from analytics.parsing import fold
from analytics.ingest.common import Options, Parsed, default_origin, detect_illustrative, reject
from analytics.ingest.index_table import unit_level_from_text
from analytics.ingest.sheets import cell, find_table, row_is_blank
from analytics.i18n import msg
from analytics.ingest.errors import IngestError
from analytics.ingest.guard import cell_problem
from analytics.parsing import NumberError, is_blank, nfc, parse_number, unit_key
from analytics.periods import PeriodError, parse_period, validate_period_key

TIME_UNITS = {"ngay lam viec": "working_days", "working days": "working_days", "working_days": "working_days",
              "ngay": "days", "days": "days", "gio": "hours", "hours": "hours", "gio lam viec": "hours"}
COMPARATORS = {">=": ">=", "≥": ">=", "toi thieu": ">=", "it nhat": ">=", "<=": "<=", "≤": "<=", "toi da": "<=",
               "=": "=", "bang": "="}
TARGET_UNITS = {"%": "pct", "pct": "pct", "diem": "points", "points": "points", "phut": "minutes",
                "minutes": "minutes", "xep loai": "grade", "grade": "grade"}


def _text(row, table, field_):
    v = cell(row, table.columns.get(field_))
    return None if is_blank(v) else nfc(v)


def _period_key(text):
    if text is None:
        return None
    try:
        return validate_period_key(text)
    except PeriodError:
        return parse_period(text)


def parse_crosswalk(path: Path, sheets, options: Options, display: str) -> Parsed:
    """Aliases (old names, abbreviations, portal codes) mapped to the unit they stand for."""
    table = find_table(sheets, "crosswalk", {"alias", "unit"})
    if table is None:
        raise IngestError("no_table", file=display, columns="“Tên hoặc mã”, “Đơn vị”")
    sheet, rows, rejects = table.sheet.name, [], []
    for r in range(table.first_data_row, len(table.sheet.rows)):
        row = table.sheet.rows[r]
        if row_is_blank(row):
            continue
        alias, unit = _text(row, table, "alias"), _text(row, table, "unit")
        if not alias or not unit:
            rejects.append(reject(display, sheet, r + 1, table.headers["unit" if alias else "alias"], None,
                                  msg("missing_value", options.lang), row))
            continue
        rows.append({"alias": alias, "alias_key": unit_key(alias), "unit_name": unit,
                     "unit_level": unit_level_from_text(_text(row, table, "unit_level")),
                     "portal_code": _text(row, table, "portal_code"),
                     "valid_from": _period_key(_text(row, table, "valid_from")),
                     "valid_to": _period_key(_text(row, table, "valid_to")),
                     "note": _text(row, table, "note"), "row_number": r + 1})
    if not rows and not rejects:
        raise IngestError("empty_sheet", file=display, sheet=sheet)
    return Parsed(kind="crosswalk", file=display, sheet=sheet, periods=[], origin=options.origin or default_origin(path, "crosswalk"),
                  frames={"unit_aliases": pd.DataFrame(rows)}, rejects=rejects)


def parse_targets(path: Path, sheets, options: Options, display: str) -> Parsed:
    """Plan targets: metric, comparator, value (or grade), year or period, and the document that set them."""
    d = load_definition()
    table = find_table(sheets, "targets", {"metric", "target_value"})
    if table is None:
        raise IngestError("no_table", file=display, columns="“Chỉ số”, “Giá trị”, “Năm”, “Văn bản”")
    sheet, rows, rejects = table.sheet.name, [], []
    known_metrics = set(d.common_groups) | {"total"} | set(d.metrics)
    lang = options.lang
    for r in range(table.first_data_row, len(table.sheet.rows)):
        row = table.sheet.rows[r]
        if row_is_blank(row):
            continue
        metric = (_text(row, table, "metric") or "").strip()
        if metric not in known_metrics:
            rejects.append(reject(display, sheet, r + 1, table.headers["metric"], metric,
                                  msg("unknown_metric", lang, known=", ".join(sorted(known_metrics))), row))
            continue
        comp_raw = _text(row, table, "comparator") or ">="
        comparator = COMPARATORS.get(fold(comp_raw)) or COMPARATORS.get(comp_raw)
        if comparator is None:
            rejects.append(reject(display, sheet, r + 1, table.headers.get("comparator"), comp_raw,
                                  msg("bad_comparator", lang, value=comp_raw), row))
            continue
        unit_raw = fold(_text(row, table, "target_unit") or "")
        target_unit = TARGET_UNITS.get(unit_raw) or ("pct" if metric in d.metrics else "points")
        value_raw = cell(row, table.columns["target_value"])
        value, grade = None, None
        if target_unit == "grade":
            g = d.grade_by_label(value_raw)
            if g is None:
                rejects.append(reject(display, sheet, r + 1, table.headers["target_value"], value_raw,
                                      msg("unknown_grade", lang, value=value_raw), row))
                continue
            grade, value = g.key, g.min_points
        else:
            try:
                value = parse_number(value_raw)
            except NumberError:
                value = None
            if value is None:
                rejects.append(reject(display, sheet, r + 1, table.headers["target_value"], value_raw,
                                      cell_problem(value_raw, lang) or msg("not_a_number", lang, value=value_raw), row))
                continue
        year_raw = cell(row, table.columns.get("year"))
        try:
            year = None if is_blank(year_raw) else int(parse_number(year_raw))
        except NumberError:
            year = None
        if year is not None and not 1900 <= year <= 2200:  # 10²⁰ would not fit the year column
            rejects.append(reject(display, sheet, r + 1, table.headers.get("year"), year_raw,
                                  msg("bad_period", lang, value=year_raw), row))
            continue
        period = _period_key(_text(row, table, "period"))
        unit = _text(row, table, "unit")
        rows.append({"year": year if year is not None else (int(period[:4]) if period else None), "period": period,
                     "unit_name": unit, "metric": metric, "metric_label": _text(row, table, "metric_label"),
                     "comparator": comparator, "target_value": value, "target_grade": grade, "target_unit": target_unit,
                     "source_document": _text(row, table, "source_document"), "row_number": r + 1,
                     "illustrative": detect_illustrative(_text(row, table, "source_document") or "")})
    if not rows and not rejects:
        raise IngestError("empty_sheet", file=display, sheet=sheet)
    df = pd.DataFrame(rows)
    if options.illustrative is not None and len(df):
        df["illustrative"] = options.illustrative
    return Parsed(kind="targets", file=display, sheet=sheet, periods=[], origin=options.origin or default_origin(path, "targets"),
                  frames={"targets": df}, rejects=rejects)


def parse_catalog(path: Path, sheets, options: Options, display: str) -> Parsed:
    """The procedure catalogue: published and configured processing times per procedure."""
    table = find_table(sheets, "catalog", {"procedure_name", "published_time"})
    if table is None:
        raise IngestError("no_table", file=display, columns="“Tên thủ tục”, “Thời hạn công bố”, “Thời hạn cấu hình”")
    sheet, rows, rejects = table.sheet.name, [], []
    title = table.title_text()
    from analytics.ingest.filings import unit_from_title

    default_unit = unit_from_title(title) or _unit_from_filename(path)
    for r in range(table.first_data_row, len(table.sheet.rows)):
        row = table.sheet.rows[r]
        if row_is_blank(row):
            continue
        rec = {"procedure_code": _text(row, table, "procedure_code"), "procedure_name": _text(row, table, "procedure_name"),
               "field": _text(row, table, "field"), "department": _text(row, table, "department"),
               "service_level": _text(row, table, "service_level"), "row_number": r + 1,
               "unit_name": _text(row, table, "unit") or default_unit}
        fee = fold(_text(row, table, "has_fee") or "")
        rec["has_fee"] = None if not fee else fee in ("co", "x", "yes", "1", "true")
        bad = False
        for f in ("published_time", "configured_time"):
            raw = cell(row, table.columns.get(f))
            try:
                rec[f] = parse_number(raw)
            except NumberError:
                rejects.append(reject(display, sheet, r + 1, table.headers.get(f), raw, cell_problem(raw, options.lang) or msg("not_a_number", options.lang, value=raw), row))
                bad = True
            unit_text = fold(_text(row, table, f + "_unit") or "")
            rec[f + "_unit"] = TIME_UNITS.get(unit_text, unit_text or None)
        if not rec["procedure_name"]:
            rejects.append(reject(display, sheet, r + 1, table.headers.get("procedure_name"), None, msg("missing_value", options.lang), row))
            bad = True
        if not bad:
            rows.append(rec)
    if not rows and not rejects:
        raise IngestError("empty_sheet", file=display, sheet=sheet)
    df = pd.DataFrame(rows)
    illustrative = options.illustrative if options.illustrative is not None else detect_illustrative(title + " " + str(path))
    df["illustrative"] = bool(illustrative)
    return Parsed(kind="catalog", file=display, sheet=sheet, periods=[], origin=options.origin or default_origin(path, "catalog"),
                  frames={"procedure_catalog": df}, rejects=rejects, illustrative=bool(illustrative))


def _unit_from_filename(path: Path) -> str | None:
    """None: the pipeline matches the file name against known units when no column or title names one."""
    return None
