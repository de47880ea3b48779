"""Cell-level parsing of what people type into spreadsheets: numbers with decimal commas, header texts, names.

Pure functions only; ingestion builds on them.
"""

from __future__ import annotations

import math
import re
import unicodedata
_POINTS_SUFFIX = re.compile(r"\(\s*\d+([.,]\d+)?\s*(diem|d)?\s*\)|\(\s*%\s*\)")
_BLANK = {"", "-", "—", "–", "x", "n/a", "na", "null", "none", "nan", "..", "..."}
# Invisible characters that make look-alike names ("Sở Công\u200b Thương"): zero-width space, non-joiner,
# joiner, word joiner, byte-order mark, soft hyphen, left-to-right/right-to-left marks.
INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f\u180e"))
# The largest count a cell may hold: no unit files 10¹² dossiers; anything above is a typing or export error.
MAX_COUNT = 10**12


def fold(text: str) -> str:
    """Lower-case, diacritic-free, single-spaced form of a text, for matching headers and names."""
    text = unicodedata.normalize("NFKD", str(text).translate(INVISIBLE))
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("đ", "d").replace("Đ", "D")
    return " ".join(text.lower().split())


class NumberError(ValueError):
    """A cell that should hold a number holds text that is not one."""


class NumberTooLarge(NumberError):
    """A count beyond any plausible bound (``MAX_COUNT``), or a number that does not fit a 64-bit integer."""


def nfc(text) -> str:
    """Text in Unicode NFC, invisible characters (zero-width, soft hyphen) removed, runs of white space (line
    breaks included) folded to one space."""
    return " ".join(unicodedata.normalize("NFC", str(text).translate(INVISIBLE)).split())


def is_blank(value) -> bool:
    """True for an empty cell (None, NaN, "", "-", …): unknown, never zero."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    try:
        import pandas as pd

        if value is pd.NA or value is pd.NaT:
            return True
    except ImportError:  # pragma: no cover
        pass
    return isinstance(value, str) and value.strip().lower() in _BLANK


def parse_number(value) -> float | None:
    """The number a cell holds: 19.8 from 19.8, "19,8", "19.8", "1.234,5", "1,234.5", "99,99 %"; None if blank.

    Raises NumberError for text that is not a number.
    """
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise NumberError(str(value))
    if isinstance(value, (int, float)):
        number = float(value)
        if not math.isfinite(number):
            raise NumberError(str(value))
        return number
    text = unicodedata.normalize("NFKC", str(value)).strip().replace("\u00a0", "").replace(" ", "")
    text = text.rstrip("%")
    if not text:
        return None
    neg = False
    if text.startswith("(") and text.endswith(")"):
        neg, text = True, text[1:-1]
    if text.startswith(("-", "−", "–")):
        neg, text = True, text[1:]
    elif text.startswith("+"):
        text = text[1:]
    if not re.fullmatch(r"[0-9.,]+", text) or not re.search(r"\d", text):
        raise NumberError(str(value))
    if "," in text and "." in text:
        # whichever comes last is the decimal separator
        if text.rfind(",") > text.rfind("."):
            text = text.replace(".", "").replace(",", ".")
        else:
            text = text.replace(",", "")
    elif "," in text:
        # one comma: the Vietnamese decimal comma ("19,8"); several: thousands separators ("1,234,567")
        text = text.replace(",", "") if text.count(",") > 1 else text.replace(",", ".")
    elif text.count(".") > 1:
        # "9.436.000": dots are thousands separators
        text = text.replace(".", "")
    elif "." in text:
        whole, frac = text.split(".")
        # Vietnamese writes thousands with a dot ("9.436"); scores never carry three decimals,
        # so a dot followed by exactly three digits after a non-zero whole part is a thousands dot.
        if len(frac) == 3 and whole.lstrip("0"):
            text = whole + frac
    try:
        number = float(text)
    except ValueError as exc:  # pragma: no cover - the regex guards this
        raise NumberError(str(value)) from exc
    if not math.isfinite(number):
        raise NumberError(str(value))
    return -number if neg else number


def parse_count(value) -> int | None:
    """A whole count from a cell ("9.436" → 9436, 12.0 → 12); None if blank; NumberError if fractional or text."""
    number = parse_number(value)
    if number is None:
        return None
    if abs(number) > MAX_COUNT:
        raise NumberTooLarge(str(value))
    if abs(number - round(number)) > 1e-9:
        raise NumberError(str(value))
    return int(round(number))


def header_key(text) -> str:
    """A header cell folded for matching: no diacritics, lower case, no "(22 điểm)" suffix, single spaces."""
    t = fold(text)
    t = _POINTS_SUFFIX.sub(" ", t)
    t = t.replace("–", "-").replace("—", "-")
    t = re.sub(r"[:*]+", " ", t)
    return " ".join(t.split()).strip(" .")


def unit_key(name) -> str:
    """A unit name folded for matching across files (case, diacritics, white space, "TP." → "thanh pho")."""
    t = fold(name)
    t = re.sub(r"\btp\.?\s*", "thanh pho ", t)
    t = re.sub(r"\btx\.?\s*", "thi xa ", t)
    t = re.sub(r"[.,;]", " ", t)
    return " ".join(t.split())


def neutralise_formula(text):
    """Cell text that cannot be read as a spreadsheet formula (prefix ' to = + - @, tab, CR, also after leading
    spaces, which spreadsheets skip)."""
    if isinstance(text, str) and text.lstrip(" ")[:1] in ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b",
                                                          "\uff0d", "\uff20"):
        return "'" + text
    return text
