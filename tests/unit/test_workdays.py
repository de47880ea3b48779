"""Vietnam's working-day calendar: Tết 2024, a make-up Saturday, hour and calendar-day deadlines."""

from datetime import date

import numpy as np
import pytest

from analytics.workdays import Decision, WorkCalendar, read_decisions, work_calendar


@pytest.fixture(scope="module")
def cal():
    return work_calendar()


@pytest.mark.parametrize("received, amount, unit, due", [
    # 8–14/2/2024 is Tết: Monday 5/2 + 5 working days runs 6, 7, 15, 16, 19 February
    (date(2024, 2, 5), 5, "working_days", date(2024, 2, 19)),
    (date(2024, 2, 7), 1, "working_days", date(2024, 2, 15)),
    # Saturday 4/5/2024 is a make-up working day (Monday 29/4 was given off): Thursday 2/5 + 2 → Saturday 4/5
    (date(2024, 5, 2), 2, "working_days", date(2024, 5, 4)),
    (date(2024, 4, 26), 1, "working_days", date(2024, 5, 2)),  # 29/4, 30/4, 1/5 off
    # hours: 8 working hours to a working day, from the next working day
    (date(2024, 2, 7), 16, "hours", date(2024, 2, 16)),
    (date(2024, 2, 7), 8, "hours", date(2024, 2, 15)),
    (date(2024, 3, 1), 4, "hours", date(2024, 3, 4)),  # Friday + half a day → Monday
    # calendar days count every day, Tết included
    (date(2024, 2, 5), 10, "days", date(2024, 2, 15)),
    # 2025: Tết 27/1–31/1, Saturday 26/4/2025 worked in place of Friday 2/5/2025
    (date(2025, 1, 24), 1, "working_days", date(2025, 2, 3)),
    (date(2025, 4, 25), 1, "working_days", date(2025, 4, 26)),
    (date(2025, 4, 29), 1, "working_days", date(2025, 5, 5)),
])
def test_due_dates(cal, received, amount, unit, due):
    assert cal.due_date(received, amount, unit) == due


def test_weekends_holidays_and_make_up_days(cal):
    assert not cal.is_working_day(date(2024, 2, 10))  # Saturday, Tết
    assert not cal.is_working_day(date(2024, 2, 14))  # mùng 5 Tết, decided off
    assert cal.is_working_day(date(2024, 5, 4))  # make-up Saturday
    assert not cal.is_working_day(date(2024, 5, 11))  # an ordinary Saturday
    assert not cal.is_working_day(date(2024, 9, 2)) and not cal.is_working_day(date(2024, 9, 3))


def test_vectorised_due_dates_and_working_days_between(cal):
    received = np.array(["2024-02-05", "2024-05-02", "NaT"], dtype="datetime64[D]")
    due = cal.due_dates(received, [5, 2, 3], ["working_days", "working_days", "working_days"])
    assert list(due[:2].astype(str)) == ["2024-02-19", "2024-05-04"] and np.isnat(due[2])
    assert list(cal.working_days_between(np.array(["2024-02-07", "2024-02-19"], dtype="datetime64[D]"),
                                         np.array(["2024-02-19", "2024-02-07"], dtype="datetime64[D]"))) == [3, -3]


def test_the_decisions_file_ships_with_its_sources():
    decisions = read_decisions()
    assert any(d.day == date(2024, 5, 4) and d.kind == "working_day" for d in decisions)
    assert all(d.document for d in decisions)


def test_an_edited_decision_moves_a_due_date():
    # a province that also gives Friday 16/2/2024 off: 5 working days from 5/2 now end Tuesday 20/2
    extra = read_decisions() + [Decision(date(2024, 2, 16), "day_off", "thử", "thử")]
    assert WorkCalendar(extra).due_date(date(2024, 2, 5), 5, "working_days") == date(2024, 2, 20)
    assert WorkCalendar(read_decisions(), hours_per_day=4).due_date(date(2024, 2, 7), 8, "hours") == date(2024, 2, 16)
