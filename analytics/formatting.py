"""Numbers as Vietnamese readers write them (63,48; 9.436; 99,99 %), used only at the display edge."""

from __future__ import annotations

import math
import re

BLANK = "—"  # what a missing value reads as, on screens and in tables


def _is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or str(value) in ("<NA>", "nan", "NaT")


def fmt_number(value, decimals: int = 2, lang: str = "vi", *, trim: bool = True, signed: bool = False) -> str:
    """63.48 → "63,48" (vi) or "63.48" (en); 9436 → "9.436"; None → "—"."""
    if _is_missing(value):
        return BLANK
    number = float(value)
    text = f"{abs(number):,.{decimals}f}"
    if trim and "." in text:
        text = text.rstrip("0").rstrip(".")
    if lang != "en":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    sign = "−" if number < 0 and round(abs(number), decimals) != 0 else ("+" if signed and number > 0 else "")
    return sign + text


def fmt_points(value, lang: str = "vi", signed: bool = False) -> str:
    """Points with up to two decimals: 19,8; 0,22; −3,03."""
    return fmt_number(value, 2, lang, signed=signed)


def fmt_count(value, lang: str = "vi") -> str:
    """A whole count with thousands separators: 9.436."""
    return fmt_number(value, 0, lang)


def fmt_pct(value, lang: str = "vi", decimals: int = 2) -> str:
    """A percentage: 99,99 %."""
    if _is_missing(value):
        return BLANK
    return f"{fmt_number(value, decimals, lang)} %"


def fmt_pp(value, lang: str = "vi") -> str:
    """A change in percentage points: +1,5 đpt / +1.5 pp."""
    if _is_missing(value):
        return BLANK
    return f"{fmt_number(value, 2, lang, signed=True)} {'pp' if lang == 'en' else 'điểm %'}"


_CONTROL = dict.fromkeys(c for c in range(0x20) if c not in (0x09, 0x0A))
_CONTROL.update(dict.fromkeys(range(0x7F, 0xA0)))


def clean_terminal(text) -> str:
    """Text safe to print to a terminal: control characters (ESC, BEL, C1 codes …) removed, tabs and newlines kept."""
    return str(text).translate(_CONTROL)


def fmt_date(value) -> str:
    """A date as Vietnamese screens write it: 31/07/2024 (None → "—"). JSON keeps ISO (2024-07-31)."""
    if _is_missing(value):
        return BLANK
    return f"{value.day:02d}/{value.month:02d}/{value.year}"


def decree_date(value, place: str, lang: str = "vi") -> str:
    """Place and date as Decree 30/2020/NĐ-CP writes them: "Đồng Nai, ngày 05 tháng 8 năm 2024".

    A zero goes before days under 10 and before months 1 and 2 only ("ngày 03 tháng 02 năm 2024").
    """
    month = f"{value.month:02d}" if value.month < 3 else str(value.month)
    if lang == "en":
        return f"{place}, {value.day:02d}/{value.month:02d}/{value.year}"
    return f"{place}, ngày {value.day:02d} tháng {month} năm {value.year}"


_PLAIN_NUMBER = re.compile(r"^-?(?:0|[1-9]\d*)(?:\.\d+)?$")
# columns whose values are codes or years even when they look like numbers (1.004227, 2024)
_CODE_COLUMN = re.compile(r"\b(ma|code|stt|nam|year|ky|period|so ho so|so bien nhan)\b")


def fmt_raw(value, lang: str = "vi", column: str | None = None) -> str:
    """A raw cell value kept as text (a rejected row's value) as a reader writes it: a number the program wrote
    ("25.0", "73.38", "9436") in the language's format (25; 73,38; 9.436); any other text, and a value in a
    code or year column, unchanged. None → ""."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = str(value).strip()
    if not _PLAIN_NUMBER.match(text):
        return str(value)
    if column:
        from analytics.parsing import fold

        if _CODE_COLUMN.search(fold(column)):
            return str(value)
    return fmt_number(float(text), 6, lang)
