"""Deadline audit: procedures whose processing time is configured differently from the published one.

A deadline configured in the provincial one-stop system in another unit than the published one (15 working days
configured as 15 days, 8 hours as 1 day) makes the portal call filings overdue that are on time by the published
rule — the department's own records show none. This module lists those procedures from the catalogue (SQL model
``mart_deadline_mismatches``) with the filings each affected:

- ``deadline_mismatches`` — per (unit, procedure) with a mismatch: published and configured time and unit, both
  in comparable working hours, the kind of mismatch, and the portal's and own overdue filings in the period(s).

Comparable hours assume 8 working hours per working day and 5 working days per 7 calendar days; hours are taken
as working hours (see the SQL model's header).
"""

from __future__ import annotations

import pandas as pd

from analytics.analyses.explain import ensure_models
from analytics.periods import period_sort_key

AUDIT_COLUMNS = [
    "unit", "unit_id", "procedure_code", "procedure_name", "department", "published_time", "published_time_unit",
    "configured_time", "configured_time_unit", "published_hours",
    "configured_hours", "difference_hours", "mismatch", "period_from", "period_to",
    "portal_overdue_filings", "own_overdue_filings", "portal_filings", "portal_overdue_share_pct", "illustrative",
]


def deadline_mismatches(con, unit_id: str | None = None, period: str | None = None) -> pd.DataFrame:
    """Per (unit, procedure) whose configured deadline differs from the published one: both deadlines and the filings hit.

    ``mismatch`` is 'too_short', 'too_long' or 'unit_differs' (same length in working hours, another unit).
    ``portal_overdue_filings`` / ``own_overdue_filings`` = resolved late + pending overdue of the procedure as
    the portal / the unit's own records count them, in ``period`` or summed over every period with counts
    (``period_from``–``period_to``); ``portal_overdue_share_pct`` is the procedure's share of all the unit's
    portal overdue filings in the same period(s). Ordered by portal overdue filings, largest first.
    """
    from analytics.analyses.explain import _order, _text_key, procedure_columns
    from analytics.units import unit_name

    ensure_models(con)
    df = con.execute(f"""
        SELECT {', '.join(_CATALOG)} FROM mart_deadline_mismatches
        WHERE CAST(? AS VARCHAR) IS NULL OR unit_id = ?
    """, [unit_id, unit_id]).df()
    if df.empty:
        return pd.DataFrame(columns=AUDIT_COLUMNS)
    # the filing counts of the period(s), summed here: a few hundred rows of the unit, not a grouping query
    counts = zip(*procedure_columns(con, period, unit_id, None, (
        "unit_id", "procedure_code", "period", "count_source", "overdue_filings", "received_total"),
        every_source=True).values())
    per_procedure: dict[tuple, list] = {}  # (unit, code) → [portal overdue, own overdue, portal filings]
    per_unit: dict[str, list] = {}  # unit → [portal overdue, periods]
    for unit, code, p, source, overdue, received in counts:
        sums = per_procedure.setdefault((unit, code), [None, None, None])
        whole = per_unit.setdefault(unit, [None, set()])
        whole[1].add(p)
        if source == "portal":
            sums[0], sums[2], whole[0] = _add(sums[0], overdue), _add(sums[2], received), _add(whole[0], overdue)
        elif source == "own":
            sums[1] = _add(sums[1], overdue)
    units, codes = df["unit_id"].tolist(), df["procedure_code"].tolist()
    found = [per_procedure.get((u, c), [None, None, None]) if c is not None else [None, None, None]
             for u, c in zip(units, codes)]
    names = {u: unit_name(con, u) for u in set(units)}
    periods = {u: sorted(ps, key=period_sort_key) for u, (_, ps) in per_unit.items()}
    order = _order(len(units), lambda i: (_text_key(names[units[i]]),
                                          (1, 0) if found[i][0] is None else (0, -found[i][0]),
                                          _text_key(codes[i]), units[i]))
    df = df.take(order).reset_index(drop=True)
    found, units = [found[i] for i in order], [units[i] for i in order]
    columns = {"unit": pd.array([names[u] for u in units], dtype="str")}
    columns |= {c: df[c] for c in AUDIT_COLUMNS[1:AUDIT_COLUMNS.index("period_from")]}
    columns["period_from"] = [periods[u][0] if periods.get(u) else None for u in units]
    columns["period_to"] = [periods[u][-1] if periods.get(u) else None for u in units]
    for k, c in enumerate(("portal_overdue_filings", "own_overdue_filings", "portal_filings")):
        columns[c] = pd.array([f[k] for f in found], dtype="Int64")
    columns["portal_overdue_share_pct"] = [
        None if f[0] is None or not per_unit[u][0] else round(100.0 * float(f[0]) / float(per_unit[u][0]), 2)
        for f, u in zip(found, units)]
    columns["illustrative"] = df["illustrative"]
    return pd.DataFrame(columns)


_CATALOG = ["unit_id", "procedure_code", "procedure_name", "department", "published_time", "published_time_unit",
            "configured_time", "configured_time_unit", "published_hours", "configured_hours", "difference_hours",
            "mismatch", "illustrative"]
"""The columns of ``mart_deadline_mismatches`` the audit shows."""


def _add(total, value):
    """A sum as SQL's sum gives it: unknown values left out, None when none is known."""
    return total if value is None else value if total is None else total + value
