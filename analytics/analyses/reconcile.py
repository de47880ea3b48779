"""Own records against the national portal: which procedures make the two counts of the same filings disagree.

The department's one-stop records say nearly every filing is online and none overdue; the portal, which scores
the index, counts far fewer online filings and some overdue ones. This module lines the two count sources up
procedure by procedure (SQL model ``mart_own_vs_portal``) so the difference can be traced to its procedures:

- ``own_vs_portal`` — per (period, unit, procedure, measure): own count, portal count, difference (portal − own),
  ranked by absolute difference within (period, unit, measure);
- ``reconciliation_summary`` — the totals per (period, unit, measure), with the procedure that differs most.

Measures: ``filings`` (received_total), ``online_filings`` (received_online), ``overdue_filings``
(resolved_late + pending_overdue).
"""

from __future__ import annotations

import pandas as pd

from analytics.analyses.explain import ensure_models
from analytics.periods import period_sort_key

MEASURES = ("filings", "online_filings", "overdue_filings")

RECONCILE_COLUMNS = [
    "period", "unit", "unit_id", "measure", "difference_rank", "procedure_code", "procedure_name",
    "department", "own_count", "portal_count", "difference_count", "abs_difference_count",
]


def _sorted(df: pd.DataFrame, rank_column: str | None) -> pd.DataFrame:
    """Rows ordered by period (chronologically), unit, measure (as MEASURES) and rank."""
    order = {m: i for i, m in enumerate(MEASURES)}
    df = df.assign(_p=df["period"].map(period_sort_key), _m=df["measure"].map(order))
    keys = ["_p", "unit", "_m"] + ([rank_column] if rank_column else [])
    return df.sort_values(keys).drop(columns=["_p", "_m"]).reset_index(drop=True)


def own_vs_portal(con, period: str | None = None, unit_id: str | None = None, *,
                  measure: str | None = None) -> pd.DataFrame:
    """Per (period, unit, procedure, measure): own and portal counts and their difference, largest |difference| first.

    ``difference_count`` = portal − own (null when one source has no row for the procedure);
    ``difference_rank`` = 1 for the largest absolute difference within (period, unit, measure).
    ``unit_id`` None: every unit; ``measure`` is one of MEASURES.
    """
    if measure is not None and measure not in MEASURES:
        raise ValueError(f"unknown measure {measure!r}; one of {', '.join(MEASURES)}")
    ensure_models(con)
    df = con.execute("""
        SELECT r.*, coalesce(u.display_name, r.unit_id) AS unit
        FROM mart_own_vs_portal AS r
        LEFT JOIN units AS u USING (unit_id)
        WHERE (CAST(? AS VARCHAR) IS NULL OR r.period = ?)
          AND (CAST(? AS VARCHAR) IS NULL OR r.measure = ?)
          AND (CAST(? AS VARCHAR) IS NULL OR r.unit_id = ?)
    """, [period, period, measure, measure, unit_id, unit_id]).df()
    if df.empty:
        return pd.DataFrame(columns=RECONCILE_COLUMNS)
    df = df.copy()
    for c in ("own_count", "portal_count", "difference_count", "abs_difference_count"):
        df[c] = df[c].astype("Int64")
    return _sorted(df, "difference_rank")[RECONCILE_COLUMNS]


SUMMARY_COLUMNS = [
    "period", "unit", "unit_id", "measure", "own_count", "portal_count", "difference_count",
    "procedures_count", "procedures_differing_count", "largest_difference_procedure_code",
    "largest_difference_procedure", "largest_difference_count", "largest_difference_share_pct",
]


def reconciliation_summary(con, period: str | None = None, unit_id: str | None = None) -> pd.DataFrame:
    """Per (period, unit, measure): own and portal totals, their difference, and the procedure that differs most.

    ``largest_difference_share_pct`` is that procedure's share of the sum of absolute differences;
    ``procedures_differing_count`` counts procedures whose counts differ or that one source does not count.
    Totals are null when a source has an unknown count for some procedure (never a partial sum).
    """
    detail = own_vs_portal(con, period, unit_id)
    if detail.empty:
        return pd.DataFrame(columns=SUMMARY_COLUMNS)
    rows = []
    for (p, unit_id, measure), g in detail.groupby(["period", "unit_id", "measure"], sort=False):
        top = g.loc[g["difference_rank"].idxmin()]
        differs = pd.notna(top["difference_count"]) and top["difference_count"] != 0
        abs_sum = g["abs_difference_count"].sum()
        # a procedure counted by one source only differs too
        differing = g["own_count"].isna() | g["portal_count"].isna() | g["difference_count"].fillna(0).ne(0)
        own = None if g["own_count"].isna().any() else int(g["own_count"].sum())
        portal = None if g["portal_count"].isna().any() else int(g["portal_count"].sum())
        rows.append({
            "period": p, "unit": g["unit"].iloc[0], "unit_id": unit_id, "measure": measure,
            "own_count": own, "portal_count": portal,
            "difference_count": None if own is None or portal is None else portal - own,
            "procedures_count": len(g), "procedures_differing_count": int(differing.sum()),
            "largest_difference_procedure_code": top["procedure_code"] if differs else None,
            "largest_difference_procedure": top["procedure_name"] if differs else None,
            "largest_difference_count": top["difference_count"],
            "largest_difference_share_pct": (round(100.0 * float(top["abs_difference_count"]) / float(abs_sum), 2)
                                             if abs_sum and not pd.isna(abs_sum) else None),
        })
    df = pd.DataFrame(rows)
    for c in ("own_count", "portal_count", "difference_count", "largest_difference_count"):
        df[c] = pd.array(df[c], dtype="Int64")
    return _sorted(df, None)[SUMMARY_COLUMNS]
