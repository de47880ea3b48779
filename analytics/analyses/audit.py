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


def _is_list(value) -> bool:
    """A non-empty list of periods (the SQL gives NULL — pd.NA — for a unit without filing counts)."""
    return isinstance(value, (list, tuple)) or (hasattr(value, "__len__") and not isinstance(value, str)
                                                 and not pd.api.types.is_scalar(value) and len(value) > 0)


def deadline_mismatches(con, unit_id: str | None = None, period: str | None = None) -> pd.DataFrame:
    """Per (unit, procedure) whose configured deadline differs from the published one: both deadlines and the filings hit.

    ``mismatch`` is 'too_short', 'too_long' or 'unit_differs' (same length in working hours, another unit).
    ``portal_overdue_filings`` / ``own_overdue_filings`` = resolved late + pending overdue of the procedure as
    the portal / the unit's own records count them, in ``period`` or summed over every period with counts
    (``period_from``–``period_to``); ``portal_overdue_share_pct`` is the procedure's share of all the unit's
    portal overdue filings in the same period(s). Ordered by portal overdue filings, largest first.
    """
    ensure_models(con)
    df = con.execute("""
        WITH overdue AS (
            SELECT
                unit_id,
                procedure_code,
                sum(overdue_filings) FILTER (WHERE count_source = 'portal') AS portal_overdue_filings,
                sum(overdue_filings) FILTER (WHERE count_source = 'own') AS own_overdue_filings,
                sum(received_total) FILTER (WHERE count_source = 'portal') AS portal_filings
            FROM stg_filing_counts
            WHERE CAST(? AS VARCHAR) IS NULL OR period = ?
            GROUP BY unit_id, procedure_code
        ),

        unit_overdue AS (
            SELECT
                unit_id,
                sum(overdue_filings) FILTER (WHERE count_source = 'portal') AS unit_portal_overdue_filings,
                list(DISTINCT period) AS periods
            FROM stg_filing_counts
            WHERE CAST(? AS VARCHAR) IS NULL OR period = ?
            GROUP BY unit_id
        )

        SELECT
            m.*,
            coalesce(u.display_name, m.unit_id) AS unit,
            o.portal_overdue_filings,
            o.own_overdue_filings,
            o.portal_filings,
            t.unit_portal_overdue_filings,
            t.periods
        FROM mart_deadline_mismatches AS m
        LEFT JOIN units AS u USING (unit_id)
        LEFT JOIN overdue AS o ON o.unit_id = m.unit_id AND o.procedure_code = m.procedure_code
        LEFT JOIN unit_overdue AS t ON t.unit_id = m.unit_id
        WHERE CAST(? AS VARCHAR) IS NULL OR m.unit_id = ?
    """, [period, period, period, period, unit_id, unit_id]).df()
    if df.empty:
        return pd.DataFrame(columns=AUDIT_COLUMNS)
    df = df.copy()
    periods = df["periods"].map(lambda ps: sorted(ps, key=period_sort_key) if _is_list(ps) else [])
    df["period_from"] = periods.map(lambda ps: ps[0] if ps else None)
    df["period_to"] = periods.map(lambda ps: ps[-1] if ps else None)
    df["portal_overdue_share_pct"] = [
        None if pd.isna(n) or pd.isna(t) or t == 0 else round(100.0 * float(n) / float(t), 2)
        for n, t in zip(df["portal_overdue_filings"], df["unit_portal_overdue_filings"])]
    for c in ("portal_overdue_filings", "own_overdue_filings", "portal_filings"):
        df[c] = df[c].astype("Int64")
    df = df.sort_values(["unit", "portal_overdue_filings", "procedure_code"], ascending=[True, False, True],
                        na_position="last")
    return df[AUDIT_COLUMNS].reset_index(drop=True)
