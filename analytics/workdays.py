"""Vietnam's working-day calendar: when a dossier is due under a deadline in working days, days or hours.

A working day is a weekday that is not a public holiday, plus each make-up working Saturday. The public
holidays come from a maintained library (``holidays``, Vietnam), and each year's decisions on days off and
make-up Saturdays (Tết, bridging days, swaps) from the shipped, editable file
``data/raw/calendar/ngay-nghi-lam-bu.csv`` (``Ngày, Loại (nghỉ | làm bù), Nội dung, Văn bản``).

Rules (Nghị định 61/2018/NĐ-CP on the one-stop mechanism: a deadline runs from the working day after receipt):
- N working days: the N-th working day after the day of receipt (received Monday 5/2/2024 with 5 working days
  is due Monday 19/2/2024, since 8–14/2/2024 is Tết);
- N days (calendar days): the day of receipt plus N days;
- N hours: counted as working hours, ``hours_per_day`` (8) to a working day, from the next working day: due on
  the working day in which the N-th hour falls.

Dates are handled as day numbers (numpy ``datetime64[D]``) so a column of ten million receipts is due-dated
in one vectorised step.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import numpy as np

from analytics.parsing import fold
from analytics.settings import CALENDAR_PATH

HOURS_PER_WORKING_DAY = 8.0
FIRST_YEAR, LAST_YEAR = 2015, 2035
UNITS = ("working_days", "days", "hours")


class CalendarError(ValueError):
    """The calendar file has a line that is not a date and a kind."""


@dataclass(frozen=True)
class Decision:
    """One line of the calendar file: a day off or a make-up working day, with its source document."""

    day: date
    kind: str  # day_off | working_day
    note: str
    document: str


def read_decisions(path: Path | None = None) -> list[Decision]:
    """The days off and make-up working days decided each year (the shipped, editable file)."""
    path = Path(path or CALENDAR_PATH)
    out = []
    with open(path, encoding="utf-8-sig", newline="") as fh:
        for i, row in enumerate(csv.DictReader(fh), start=2):
            raw_day, raw_kind = (row.get("Ngày") or "").strip(), fold(row.get("Loại") or "")
            try:
                d, m, y = (int(x) for x in raw_day.split("/"))
                day = date(y, m, d)
            except ValueError:
                raise CalendarError(f"{path.name}, dòng {i}: “{raw_day}” không phải ngày dd/mm/yyyy") from None
            kind = {"nghi": "day_off", "lam bu": "working_day", "day off": "day_off", "working day": "working_day"}.get(raw_kind)
            if kind is None:
                raise CalendarError(f"{path.name}, dòng {i}: loại “{row.get('Loại')}” phải là “nghỉ” hoặc “làm bù”")
            out.append(Decision(day, kind, (row.get("Nội dung") or "").strip(), (row.get("Văn bản") or "").strip()))
    return out


class WorkCalendar:
    """Working days between FIRST_YEAR and LAST_YEAR, with a rank per day for fast arithmetic."""

    def __init__(self, decisions: list[Decision] | None = None, hours_per_day: float = HOURS_PER_WORKING_DAY):
        import holidays

        self.hours_per_day = hours_per_day
        self.start = np.datetime64(f"{FIRST_YEAR}-01-01", "D")
        days = np.arange(self.start, np.datetime64(f"{LAST_YEAR + 1}-01-01", "D"))
        weekday = (days.astype("int64") + 3) % 7  # 1970-01-01 was a Thursday: 0 = Monday
        working = weekday < 5
        public = holidays.Vietnam(years=range(FIRST_YEAR, LAST_YEAR + 1))
        off = np.array([np.datetime64(d, "D") for d in public], dtype="datetime64[D]")
        decisions = read_decisions() if decisions is None else decisions
        off = np.concatenate([off, np.array([np.datetime64(x.day, "D") for x in decisions if x.kind == "day_off"],
                                            dtype="datetime64[D]")])
        extra = np.array([np.datetime64(x.day, "D") for x in decisions if x.kind == "working_day"], dtype="datetime64[D]")
        working[np.isin(days, off)] = False
        working[np.isin(days, extra)] = True
        self.days = days
        self.working = working
        self.rank = np.cumsum(working)  # working days up to and including each day
        self.working_days = days[working]

    def _index(self, d) -> np.ndarray:
        idx = (np.asarray(d, dtype="datetime64[D]") - self.start).astype("int64")
        if idx.size and (idx.min() < 0 or idx.max() >= len(self.days)):
            raise ValueError(f"date outside {FIRST_YEAR}–{LAST_YEAR}")
        return idx

    def is_working_day(self, d) -> bool:
        """Whether a day is a working day."""
        return bool(self.working[self._index(np.datetime64(d, "D"))])

    def add_working_days(self, received, n) -> np.ndarray:
        """The N-th working day after each day of receipt (datetime64[D]); N = 0 gives the receipt day."""
        received = np.asarray(received, dtype="datetime64[D]")
        n = np.broadcast_to(np.asarray(n, dtype="int64"), received.shape)
        pos = self.rank[self._index(received)] + n - 1
        out = self.working_days[np.clip(pos, 0, len(self.working_days) - 1)]
        return np.where(n <= 0, received, out)

    def due_dates(self, received, amount, unit) -> np.ndarray:
        """Due days of receipts under deadlines (amount, unit per row; unit working_days | days | hours)."""
        received = np.asarray(received, dtype="datetime64[D]")
        amount = np.asarray(amount, dtype="float64")
        unit = np.asarray(unit, dtype=object)
        out = np.full(received.shape, np.datetime64("NaT"), dtype="datetime64[D]")
        known = ~np.isnat(received) & ~np.isnan(amount)
        wd = known & (unit == "working_days")
        hours = known & (unit == "hours")
        cal = known & (unit == "days")
        if wd.any():
            out[wd] = self.add_working_days(received[wd], np.ceil(amount[wd]).astype("int64"))
        if hours.any():
            out[hours] = self.add_working_days(received[hours], np.ceil(amount[hours] / self.hours_per_day).astype("int64"))
        if cal.any():
            out[cal] = received[cal] + np.ceil(amount[cal]).astype("int64").astype("timedelta64[D]")
        return out

    def due_date(self, received, amount: float, unit: str) -> date:
        """The due day of one receipt (a date)."""
        return self.due_dates(np.array([np.datetime64(received, "D")]), [amount], [unit])[0].astype(date)

    def working_days_between(self, start, end) -> np.ndarray:
        """Working days after ``start`` up to and including ``end`` (negative when end is earlier)."""
        start = np.asarray(start, dtype="datetime64[D]")
        end = np.asarray(end, dtype="datetime64[D]")
        out = np.full(np.broadcast(start, end).shape, np.nan)
        ok = ~np.isnat(start) & ~np.isnat(end)
        if np.any(ok):
            s = np.broadcast_to(start, out.shape)[ok]
            e = np.broadcast_to(end, out.shape)[ok]
            out[ok] = self.rank[self._index(e)] - self.rank[self._index(s)]
        return out


@lru_cache(maxsize=4)
def work_calendar(path: str | None = None, hours_per_day: float = HOURS_PER_WORKING_DAY) -> WorkCalendar:
    """The calendar from the shipped decisions file (or another one), built once per process."""
    return WorkCalendar(read_decisions(Path(path) if path else None), hours_per_day)
