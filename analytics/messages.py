"""User-facing messages of the command line and ingestion, in Vietnamese with an English fallback.

Language comes from ``--lang`` or the ``ANALYTICS_LANG`` environment variable (default ``vi``).
"""

from __future__ import annotations

import os

MESSAGES: dict[str, tuple[str, str]] = {
    # key: (vi, en)
    "where": ("Tệp {file}", "File {file}"),
    "where_sheet": (", trang tính “{sheet}”", ", sheet “{sheet}”"),
    "where_row": (", dòng {row}", ", row {row}"),
    "where_column": (", cột “{column}”", ", column “{column}”"),
    "fix": ("Cách sửa: {hint}", "How to fix: {hint}"),
    "file_missing": ("không tìm thấy tệp", "file not found"),
    "file_missing_hint": ("kiểm tra lại đường dẫn", "check the path"),
    "unreadable": ("không đọc được tệp ({detail})", "cannot read the file ({detail})"),
    "unreadable_hint": ("mở tệp bằng Excel, lưu lại dạng .xlsx hoặc .csv (UTF-8) rồi nạp lại",
                        "open it in Excel, save as .xlsx or UTF-8 .csv and load it again"),
    "unknown_kind": ("không nhận ra loại dữ liệu (bảng kết quả chỉ số, dữ liệu Cổng DVCQG, số liệu hồ sơ, danh mục đơn vị, chỉ tiêu)",
                     "cannot tell what kind of data this is (index results, portal data, filing counts, crosswalk, targets)"),
    "unknown_kind_hint": ("chỉ rõ bằng --kind index|portal|filings|crosswalk|targets|catalog, hoặc dùng mẫu trong data/raw/templates/",
                          "pass --kind index|portal|filings|crosswalk|targets|catalog, or use a template from data/raw/templates/"),
    "wrong_kind": ("tệp không phải là {expected}: {detail}", "the file is not {expected}: {detail}"),
    "no_table": ("không tìm thấy bảng có cột {columns} ở trang tính nào", "no sheet has a table with the columns {columns}"),
    "no_table_hint": ("hàng tiêu đề phải có tên các cột này (xem mẫu trong data/raw/templates/)",
                      "the header row must name these columns (see the templates in data/raw/templates/)"),
    "empty_sheet": ("trang tính không có dòng dữ liệu nào", "the sheet has no data rows"),
    "empty_sheet_hint": ("kiểm tra tệp có đúng là bản đầy đủ", "check that this is the complete file"),
    "missing_columns": ("thiếu cột {columns}", "missing column(s) {columns}"),
    "missing_columns_hint": ("thêm cột với đúng tên tiêu đề (ví dụ “{example}”)", "add the column with its header (e.g. “{example}”)"),
    "no_period": ("không xác định được kỳ báo cáo (không có ở tiêu đề, cột Kỳ hay tên tệp)",
                  "cannot tell the period (not in the title, a period column or the file name)"),
    "no_period_hint": ("ghi kỳ vào tiêu đề (ví dụ “QUÝ II/2024”) hoặc chạy lại với --period 2024Q2",
                       "write the period in the title (e.g. “QUÝ II/2024”) or run again with --period 2024Q2"),
    "period_conflict": ("các nguồn ghi kỳ khác nhau: {detail}", "the period sources disagree: {detail}"),
    "period_conflict_hint": ("sửa tiêu đề/tên tệp cho đúng kỳ, hoặc chỉ rõ --period nếu chắc chắn",
                             "correct the title or file name, or state --period if you are sure"),
    "bad_period": ("“{value}” không phải là kỳ hợp lệ", "“{value}” is not a valid period"),
    "bad_period_hint": ("dùng dạng 2024Q2, “Quý II/2024” hoặc “Q2/2024”", "use 2024Q2, “Quý II/2024” or “Q2/2024”"),
    "not_a_number": ("“{value}” không phải là số", "“{value}” is not a number"),
    "not_a_count": ("“{value}” không phải là số nguyên", "“{value}” is not a whole number"),
    "above_max": ("điểm {value} vượt điểm tối đa {max}", "score {value} is above the maximum {max}"),
    "negative": ("giá trị {value} âm", "value {value} is negative"),
    "total_mismatch": ("tổng điểm {value} khác tổng các thành phần {expected}", "total {value} differs from the sum of components {expected}"),
    "grade_mismatch": ("xếp loại “{value}” khác xếp loại theo tổng điểm “{expected}”", "grade “{value}” differs from the grade the total earns, “{expected}”"),
    "unknown_grade": ("“{value}” không phải là xếp loại", "“{value}” is not a grade"),
    "duplicate_row": ("trùng dòng cùng kỳ, đơn vị, thành phần (dòng {other})", "duplicate of row {other} (same period, unit, component)"),
    "invariant": ("số liệu không khớp: {detail}", "counts do not add up: {detail}"),
    "part_exceeds": ("{part} ({value}) lớn hơn {whole} ({expected})", "{part} ({value}) exceeds {whole} ({expected})"),
    "rate_mismatch": ("tỷ lệ {value} % không khớp với số liệu ({expected} %)", "rate {value} % does not match the counts ({expected} %)"),
    "missing_unit": ("thiếu tên đơn vị", "unit name missing"),
    "missing_value": ("thiếu giá trị", "value missing"),
    "bad_comparator": ("“{value}” không phải là phép so sánh (≥, ≤, =)", "“{value}” is not a comparator (>=, <=, =)"),
    "portal_format": ("dữ liệu Cổng DVCQG không đúng cấu trúc: {detail}", "portal data has an unexpected structure: {detail}"),
    "db_locked": ("cơ sở dữ liệu đang được ghi bởi tiến trình khác", "the database is being written by another process"),
    "db_locked_hint": ("đợi lần nạp kia xong rồi chạy lại", "wait for the other load to finish and run again"),
    "no_db": ("chưa có cơ sở dữ liệu {db}", "no database at {db}"),
    "no_db_hint": ("nạp dữ liệu: make demo-db, hoặc python -m analytics ingest data/raw/...", "load data: make demo-db, or python -m analytics ingest data/raw/..."),
    # summaries
    "loaded": ("Đã nạp {file}: {rows} dòng ({kind}, kỳ {period})", "Loaded {file}: {rows} rows ({kind}, period {period})"),
    "unchanged": ("Bỏ qua {file}: đã nạp đúng tệp này trước đó (lần nạp #{ingest_id})", "Skipped {file}: this exact file was loaded before (ingest #{ingest_id})"),
    "replaced": ("{file} thay thế dữ liệu của lần nạp #{old} ({old_file})", "{file} replaces what ingest #{old} loaded ({old_file})"),
    "rejected_rows": ("{n} dòng bị loại:", "{n} row(s) rejected:"),
    "failed": ("Không nạp {file}: {reason}", "Nothing loaded from {file}: {reason}"),
    "new_units": ("Đơn vị mới (chưa có trong danh mục đơn vị): {names}", "New units (not in the crosswalk): {names}"),
    "progress": ("[{i}/{n}] {file}: {rows} dòng", "[{i}/{n}] {file}: {rows} rows"),
    "valid": ("Hợp lệ: {file} ({rows} dòng, {kind}, kỳ {period})", "Valid: {file} ({rows} rows, {kind}, period {period})"),
    "period_slip": ("Lưu ý: khoảng thời gian “{text}” không khớp với kỳ {period}", "Note: the date range “{text}” does not match period {period}"),
}


def current_lang(lang: str | None = None) -> str:
    """'vi' or 'en': the explicit choice, else ANALYTICS_LANG, else Vietnamese."""
    choice = (lang or os.environ.get("ANALYTICS_LANG") or "vi").lower()
    return "en" if choice.startswith("en") else "vi"


def msg(key: str, lang: str | None = None, **params) -> str:
    """A message in the chosen language with its parameters filled in."""
    vi, en = MESSAGES[key]
    lang = current_lang(lang)
    if any(isinstance(v, float) for v in params.values()):
        from analytics.formatting import fmt_number

        params = {k: fmt_number(v, 4, lang) if isinstance(v, float) else v for k, v in params.items()}
    return (en if lang == "en" else vi).format(**params)


class IngestError(Exception):
    """A file that cannot be loaded at all: nothing from it reaches the database.

    Carries where (file, sheet, row, column) and how to fix it, rendered in either language.
    """

    def __init__(self, key: str, *, file: str, sheet: str | None = None, row: int | None = None,
                 column: str | None = None, hint: str | None = None, hint_params: dict | None = None, **params):
        self.key, self.file, self.sheet, self.row, self.column = key, file, sheet, row, column
        self.hint = hint if hint is not None else (f"{key}_hint" if f"{key}_hint" in MESSAGES else None)
        self.hint_params = hint_params or {}
        self.params = params
        super().__init__(self.render("en"))

    def where(self, lang: str | None = None) -> str:
        text = msg("where", lang, file=self.file)
        if self.sheet:
            text += msg("where_sheet", lang, sheet=self.sheet)
        if self.row:
            text += msg("where_row", lang, row=self.row)
        if self.column:
            text += msg("where_column", lang, column=self.column)
        return text

    def render(self, lang: str | None = None) -> str:
        """The full message: where, what, and how to fix it."""
        text = f"{self.where(lang)}: {msg(self.key, lang, **self.params)}"
        if self.hint:
            hint = msg(self.hint, lang, **self.hint_params) if self.hint in MESSAGES else self.hint
            text += ". " + msg("fix", lang, hint=hint)
        return text
