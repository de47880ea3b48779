"""Numbers as Vietnamese readers write them (63,48; 9.436; 99,99 %), used only at the display edge."""

from __future__ import annotations

import math


def _is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or str(value) in ("<NA>", "nan", "NaT")


def fmt_number(value, decimals: int = 2, lang: str = "vi", *, trim: bool = True, signed: bool = False) -> str:
    """63.48 → "63,48" (vi) or "63.48" (en); 9436 → "9.436"; None → "—"."""
    if _is_missing(value):
        return "—"
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
        return "—"
    return f"{fmt_number(value, decimals, lang)} %"


def fmt_pp(value, lang: str = "vi") -> str:
    """A change in percentage points: +1,5 đpt / +1.5 pp."""
    if _is_missing(value):
        return "—"
    return f"{fmt_number(value, 2, lang, signed=True)} {'pp' if lang == 'en' else 'điểm %'}"


_CONTROL = dict.fromkeys(c for c in range(0x20) if c not in (0x09, 0x0A))
_CONTROL.update(dict.fromkeys(range(0x7F, 0xA0)))


def clean_terminal(text) -> str:
    """Text safe to print to a terminal: control characters (ESC, BEL, C1 codes …) removed, tabs and newlines kept."""
    return str(text).translate(_CONTROL)
