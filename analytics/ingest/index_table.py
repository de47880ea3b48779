"""Provincial result tables of the service index: one row per unit, five component scores, total, grade.

Produces a wide frame (one row per unit row) for validation and a long frame (one row per
period × unit × component, ``total`` included) for the ``index_scores`` table. Blank cells stay
null: an unpublished score is unknown, never zero.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from analytics.definition import load_definition

from analytics.parsing import fold
from analytics.ingest.common import Options, Parsed, decide_period, detect_illustrative, default_origin, period_slips, reject
from analytics.ingest.sheets import Table, cell, find_table, row_is_blank
from analytics.i18n import msg
from analytics.ingest.errors import IngestError
from analytics.ingest.guard import cell_problem, merged_reason
from analytics.parsing import NumberError, is_blank, nfc, parse_number, unit_key
from analytics.periods import PeriodError, parse_period

ROMAN_SECTION = re.compile(r"^(i|ii|iii|iv|v|vi|vii|viii|ix|x|[a-e])\.?$")
SKIP_UNIT_WORDS = ("tong cong", "tong so", "trung binh", "binh quan", "toan tinh")


def unit_level_from_text(text) -> str | None:
    """'department', 'district', 'commune' or 'province' from a section or level text, else None."""
    t = fold(text)
    if not t:
        return None
    if "so, ban" in t or "so ban nganh" in t or "so, nganh" in t or t.startswith("so ") or "cap tinh" in t and "ubnd" not in t:
        return "department"
    if "huyen" in t:
        return "district"
    if "xa" in t.split() or "cap xa" in t or "phuong" in t:
        return "commune"
    if "tinh" in t:
        return "province"
    return None


def parse_index_table(path: Path, sheets, options: Options, display: str) -> Parsed:
    """Read a provincial result table (any sheet, any header) into wide and long frames with rejects."""
    d = load_definition()
    components = list(d.common_groups)
    table = find_table(sheets, "index_table", {"unit"})
    if table is None or not any(c in table.columns for c in components):
        raise IngestError("no_table", file=display, columns="“Tên đơn vị”, " + ", ".join(
            f"“{d.common_label(c)}”" for c in components))
    missing = [c for c in components if c not in table.columns]
    sheet = table.sheet.name
    if missing:
        raise IngestError("missing_columns", file=display, sheet=sheet, row=table.header_row + 1,
                          columns=", ".join(f"“{d.common_label(c)}”" for c in missing),
                          hint_params={"example": d.common_label(missing[0])})
    title = table.title_text()
    notes_text = _text_below(table)
    lang = options.lang
    rows_out, rejects = [], []
    level = None
    column_periods = []
    merged = table.merged_data_rows({"unit", "total", "grade", *components})
    for r in range(table.first_data_row, len(table.sheet.rows)):
        row = table.sheet.rows[r]
        excel_row = r + 1
        if row_is_blank(row):
            continue
        unit_raw = cell(row, table.columns["unit"])
        stt_raw = cell(row, table.columns.get("stt"))
        numbers_present = any(not is_blank(cell(row, table.columns.get(c))) for c in components + ["total"])
        if not numbers_present:
            # a section row ("I", "Sở, ban, ngành"), a note or a blank-valued unit row
            section = unit_level_from_text(unit_raw) if not is_blank(unit_raw) else None
            stt_is_section = not is_blank(stt_raw) and ROMAN_SECTION.match(fold(stt_raw) or "")
            if section and (stt_is_section or is_blank(stt_raw) or _is_section_text(unit_raw)):
                level = section
                continue
            if is_blank(unit_raw) or fold(unit_raw).startswith("ghi chu") or len(str(unit_raw)) > 120:
                continue
            if is_blank(stt_raw) and _is_section_text(unit_raw):
                continue
        if is_blank(unit_raw):
            first = next((c for c in row if not is_blank(c)), "")
            if fold(first).startswith("ghi chu"):
                continue
            if excel_row in merged:
                rejects.append(reject(display, sheet, excel_row, table.headers["unit"], merged[excel_row],
                                      merged_reason(merged[excel_row], lang), row))
                continue
            rejects.append(reject(display, sheet, excel_row, table.headers["unit"], None, msg("missing_unit", lang), row))
            continue
        name = nfc(unit_raw)
        if any(w in fold(name) for w in SKIP_UNIT_WORDS):
            continue
        if excel_row in merged:  # a merged cell across data rows: rejected, never guessed (repeated or blank)
            rejects.append(reject(display, sheet, excel_row, None, merged[excel_row],
                                  merged_reason(merged[excel_row], lang), row))
            continue
        record = {"unit_name": name, "row_number": excel_row, "unit_level": level}
        if "unit_level" in table.columns:
            record["unit_level"] = unit_level_from_text(cell(row, table.columns["unit_level"])) or level
        bad = False
        for comp in components + ["total"]:
            col = table.columns.get(comp)
            raw = cell(row, col)
            try:
                record[comp] = parse_number(raw)
            except NumberError:
                rejects.append(reject(display, sheet, excel_row, table.headers[comp], raw,
                                      cell_problem(raw, lang) or msg("not_a_number", lang, value=raw), row))
                bad = True
        grade_raw = cell(row, table.columns.get("grade"))
        record["reported_grade_label"] = None if is_blank(grade_raw) else nfc(grade_raw)
        grade = d.grade_by_label(grade_raw) if record["reported_grade_label"] else None
        if record["reported_grade_label"] and grade is None:
            rejects.append(reject(display, sheet, excel_row, table.headers["grade"], grade_raw,
                                  msg("unknown_grade", lang, value=grade_raw), row))
            bad = True
        record["reported_grade"] = grade.key if grade else None
        doc = cell(row, table.columns.get("source_document"))
        record["source_document"] = None if is_blank(doc) else nfc(doc)
        if "period" in table.columns:
            raw_period = cell(row, table.columns["period"])
            p = _period_cell(raw_period)
            if p is None:
                rejects.append(reject(display, sheet, excel_row, table.headers["period"], raw_period,
                                      msg("bad_period", lang, value=raw_period), row))
                bad = True
            else:
                record["period"] = p
                column_periods.append(p)
        record["_raw"] = row
        if not bad:
            rows_out.append(record)
    periods = decide_period(file=display, options=options, title=title, column_values=column_periods,
                            filename=path.name, sheet=sheet)
    if not rows_out and not rejects:
        raise IngestError("empty_sheet", file=display, sheet=sheet)
    wide = pd.DataFrame(rows_out)
    if wide.empty:
        wide = pd.DataFrame(columns=["unit_name", "row_number", "unit_level", *components, "total",
                                     "reported_grade", "reported_grade_label", "source_document", "period", "_raw"])
    if "period" not in wide.columns or wide["period"].isna().all():
        wide["period"] = periods[0]
    for comp in components + ["total"]:
        wide[comp] = pd.to_numeric(wide[comp], errors="coerce").astype("float64")
    wide["unit_id"] = wide["unit_name"].map(unit_key)
    illustrative = options.illustrative if options.illustrative is not None else detect_illustrative(title + "\n" + notes_text)
    # A row citing its publishing document is published data, whatever the file says.
    wide["illustrative"] = illustrative & wide["source_document"].isna() if options.illustrative is None else illustrative
    if options.source_document:
        wide["source_document"] = wide["source_document"].fillna(options.source_document)

    from analytics.ingest.validation import index_failures

    failures = index_failures(wide, components)
    failed_rows = set()
    for f in failures:
        row = wide.loc[f.index]
        header = table.headers.get(f.column, f.column)
        value = row["reported_grade_label"] if f.column == "grade" else row.get(f.column) if f.column in row else row["unit_name"]
        rejects.append(reject(display, sheet, int(row["row_number"]), header, value, msg(f.reason_key, lang, **f.params), row["_raw"]))
        failed_rows.add(f.index)
    wide = wide.drop(index=list(failed_rows)).drop(columns=["_raw"])
    # one rule, one policy: a reported grade that differs from the grade the total earns is flagged and kept
    wide["grade_mismatch"] = [d.grade_mismatch(t, g) for t, g in zip(wide["total"], wide["reported_grade_label"])]
    long = to_long(wide, components, display, sheet, table)
    notes = period_slips(title, periods[0], lang) if len(periods) == 1 else []
    for r in wide[wide["grade_mismatch"]].to_dict("records"):
        notes.append(msg("grade_flagged", lang, row=int(r["row_number"]), unit=r["unit_name"], value=r["reported_grade_label"],
                         expected=d.grade_for(r["total"]).label(lang), total=float(r["total"])))
    return Parsed(kind="index", file=display, sheet=sheet, periods=sorted(set(wide["period"])) if len(wide) else periods,
                  origin=options.origin or default_origin(path, "index"), frames={"index_scores_wide": wide, "index_scores": long},
                  rejects=sorted(rejects, key=lambda r: (r["row_number"] or 0)), notes=notes,
                  illustrative=bool(illustrative), source_document=options.source_document)


def to_long(wide: pd.DataFrame, components: list[str], display: str, sheet: str | None, table: Table) -> pd.DataFrame:
    """One row per (period, unit, component) with max points and lineage (file, sheet, row, column)."""
    d = load_definition()
    version = d.five_groups.key
    frames = []
    for comp in components + ["total"]:
        part = wide[["period", "unit_id", "unit_name", "unit_level", "row_number", "illustrative", "source_document"]].copy()
        part["component"] = comp
        part["score_points"] = wide[comp]
        part["max_points"] = d.common_max(comp)
        part["reported_grade"] = wide["reported_grade_label"] if comp == "total" else None
        part["grade_mismatch"] = wide["grade_mismatch"] if comp == "total" else None
        part["column_name"] = table.headers.get(comp)
        frames.append(part)
    long = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    long["index_version"] = version
    long["source_file"] = display
    long["sheet"] = sheet
    return long


def _period_cell(value) -> str | None:
    if is_blank(value):
        return None
    try:
        return parse_period(str(value))
    except PeriodError:
        return None


def _is_section_text(value) -> bool:
    t = fold(value)
    return bool(t) and (t.startswith(("khoi", "so, ban", "so ban", "ubnd cap", "cap ")) or t in ("so, ban, nganh",))


def _text_below(table: Table) -> str:
    """Free text in the rows under the table (notes), for the illustrative check."""
    texts = []
    for row in table.sheet.rows[table.first_data_row:]:
        cells = [c for c in row if not is_blank(c)]
        if len(cells) == 1 and isinstance(cells[0], str) and len(cells[0]) > 30:
            texts.append(cells[0])
    return "\n".join(texts)
