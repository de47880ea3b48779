"""Period keys (``2024Q2``, ``2024H1``, ``2024``, ``2024M08``) parsed from the ways Vietnamese documents write them.

Periods are always sorted by (year, position in year), never by label.
"""

from __future__ import annotations

import re

from analytics.parsing import fold

ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
ROMAN_OUT = {1: "I", 2: "II", 3: "III", 4: "IV"}
_QUARTER_PATTERNS = [
    # "QUÝ II/2024", "quý II năm 2024", "Quý 2 - 2024", "quy ii nam 2024"
    re.compile(r"\bquy\s*(iv|iii|ii|i|[1-4])\s*(?:/|-|\.|nam|,)?\s*(?:nam\s*)?((?:19|20)\d\d)\b"),
    # "Q2/2024", "Q2 2024", "Q2-2024"
    re.compile(r"\bq\s*([1-4])\s*[/\-. ]?\s*((?:19|20)\d\d)\b"),
    # "2024Q2", "2024-Q2"
    re.compile(r"\b((?:19|20)\d\d)\s*-?\s*q([1-4])\b"),
    # "II/2024" alone (roman numeral then year)
    re.compile(r"(?:^|[\s_(])(iv|iii|ii|i)\s*[/\-.]\s*((?:19|20)\d\d)\b"),
]
_FILENAME_QUARTER = re.compile(r"quy[-_ .]*(iv|iii|ii|i|[1-4])[-_ .]*((?:19|20)\d\d)")
_HALF = re.compile(r"\b6\s*thang\s*(dau|cuoi)\s*nam\s*((?:19|20)\d\d)\b")
_YEAR = re.compile(r"\bnam\s*((?:19|20)\d\d)\b")
_KEY = re.compile(r"^((?:19|20)\d\d)(?:(Q)([1-4])|(H)([12])|(M)(0[1-9]|1[0-2]))?$")


class PeriodError(ValueError):
    """A text that should name a period does not."""


def _quarter_num(token: str) -> int:
    return ROMAN[token] if token in ROMAN else int(token)


def parse_period(text: str | None, *, filename: bool = False) -> str | None:
    """The period key a text names (``2024Q2``), or None when it names none.

    Accepts "Quý II/2024", "quý II năm 2024", "Q2/2024", "II/2024", "2024Q2", "6 tháng đầu năm 2024"
    (``2024H1``) and "năm 2024" (``2024``), in any case and Unicode form.
    """
    if text is None:
        return None
    t = fold(str(text))
    if not t:
        return None
    m = _KEY.match(str(text).strip().upper())
    if m:
        return str(text).strip().upper()
    if filename:
        m = _FILENAME_QUARTER.search(t)
        if m:
            return f"{m.group(2)}Q{_quarter_num(m.group(1))}"
    for i, pat in enumerate(_QUARTER_PATTERNS):
        m = pat.search(t)
        if m:
            if i == 2:
                return f"{m.group(1)}Q{int(m.group(2))}"
            return f"{m.group(2)}Q{_quarter_num(m.group(1))}"
    m = _HALF.search(t)
    if m:
        return f"{m.group(2)}H{1 if m.group(1) == 'dau' else 2}"
    return None


def parse_year(text: str | None) -> str | None:
    """A whole-year period key ("năm 2024" → ``2024``), or None."""
    if text is None:
        return None
    m = _YEAR.search(fold(str(text)))
    return m.group(1) if m else None


def validate_period_key(key: str) -> str:
    """The key itself, if it is a valid period key; raises PeriodError otherwise."""
    key = str(key).strip().upper()
    if not _KEY.match(key):
        parsed = parse_period(key)
        if parsed is None:
            raise PeriodError(key)
        return parsed
    return key


def period_sort_key(key: str) -> tuple[int, int]:
    """(year, ordinal) for sorting: quarters 1–4 → 30..120 by end month, halves 60/120, year 121, months 1–12×10."""
    m = _KEY.match(str(key).strip().upper())
    if not m:
        raise PeriodError(key)
    year = int(m.group(1))
    if m.group(2):
        return year, int(m.group(3)) * 30
    if m.group(4):
        return year, int(m.group(5)) * 60 + 1
    if m.group(6):
        return year, int(m.group(7)) * 10 - 1
    return year, 200


def period_kind(key: str) -> str:
    """'quarter', 'half', 'month' or 'year'."""
    m = _KEY.match(key)
    if not m:
        raise PeriodError(key)
    return "quarter" if m.group(2) else "half" if m.group(4) else "month" if m.group(6) else "year"


def previous_period(key: str) -> str:
    """The period just before a key of the same kind (``2024Q1`` → ``2023Q4``)."""
    kind = period_kind(key)
    year = int(key[:4])
    if kind == "quarter":
        q = int(key[5])
        return f"{year - 1}Q4" if q == 1 else f"{year}Q{q - 1}"
    if kind == "half":
        h = int(key[5])
        return f"{year - 1}H2" if h == 1 else f"{year}H1"
    if kind == "month":
        mth = int(key[5:])
        return f"{year - 1}M12" if mth == 1 else f"{year}M{mth - 1:02d}"
    return str(year - 1)


def same_period_last_year(key: str) -> str:
    """The same period one year earlier (``2024Q2`` → ``2023Q2``)."""
    return f"{int(key[:4]) - 1}{key[4:]}"


def period_label(key: str, lang: str = "vi") -> str:
    """Display label: "Quý II/2024" (vi) or "Q2/2024" (en)."""
    kind = period_kind(key)
    year = key[:4]
    if kind == "quarter":
        q = int(key[5])
        return f"Quý {ROMAN_OUT[q]}/{year}" if lang != "en" else f"Q{q}/{year}"
    if kind == "half":
        h = int(key[5])
        if lang == "en":
            return f"H{h}/{year}"
        return f"6 tháng {'đầu' if h == 1 else 'cuối'} năm {year}"
    if kind == "month":
        return f"Tháng {int(key[5:])}/{year}" if lang != "en" else f"{int(key[5:]):02d}/{year}"
    return f"Năm {year}" if lang != "en" else year


def quarter_dates(key: str) -> tuple[str, str]:
    """First and last ISO date of a quarter key."""
    year, q = int(key[:4]), int(key[5])
    start_month = 3 * (q - 1) + 1
    end_month = start_month + 2
    end_day = {3: 31, 6: 30, 9: 30, 12: 31}[end_month]
    return f"{year}-{start_month:02d}-01", f"{year}-{end_month:02d}-{end_day}"
