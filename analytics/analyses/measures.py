"""Rates and counts measured from filing counts (the metrics declared in definition.yaml), per period, unit and source.

A metric is sum(numerator columns) / sum(denominator columns) × 100 over a unit's procedures; a count
metric (no denominator) is the plain sum. Both sources are kept side by side: the department's own
one-stop records (``own``) and what the national portal counted (``portal``), because they disagree.
Counts are read from the de-duplicated ``stg_filing_counts`` (a re-exported file counts once).
"""

from __future__ import annotations

import pandas as pd

from analytics.analyses import stored
from analytics.definition import load_definition

FILING_SUMS_SQL = """
SELECT
    f.period,
    f.unit_id,
    u.display_name AS unit,
    f.count_source,
    count(*) AS procedures_count,
    bool_or(f.illustrative) AS illustrative,
    {sums}
FROM stg_filing_counts AS f
INNER JOIN units AS u USING (unit_id)
WHERE (CAST(? AS VARCHAR) IS NULL OR f.period = ?) AND (CAST(? AS VARCHAR) IS NULL OR f.unit_id = ?)
GROUP BY f.period, f.unit_id, u.display_name, f.count_source
ORDER BY f.period, f.unit_id, f.count_source
"""


def _count_columns() -> list[str]:
    d = load_definition()
    cols = []
    for m in d.metrics.values():
        for c in (*m.numerator, *m.denominator):
            if c not in cols:
                cols.append(c)
    return cols


def filing_totals(con, period: str | None = None, unit_id: str | None = None) -> pd.DataFrame:
    """Per (period, unit, count source): every count column summed over procedures (null when never reported).
    Read from the rows stored at ingest when they are current (``analyses.stored``)."""
    got = stored.frame(con, "filing_totals", period=period, unit_id=unit_id)
    return got if got is not None else _filing_totals(con, period, unit_id)


def compute_filing_totals(con, period: str | None = None, unit_id: str | None = None) -> pd.DataFrame:
    """``filing_totals`` of every period and unit, computed (what ingest stores); ``period``/``unit_id``: only their
    rows, as the whole history has them."""
    return _filing_totals(con, period, unit_id)


def _filing_totals(con, period: str | None, unit_id: str | None) -> pd.DataFrame:
    cols = _count_columns()
    # identifiers come from the declared definition only; values never reach SQL text
    sums = ",\n    ".join(f'CASE WHEN count("{c}") > 0 THEN sum("{c}") END AS "{c}"' for c in cols)
    return con.execute(FILING_SUMS_SQL.format(sums=sums), [period, period, unit_id, unit_id]).df()


def filing_measures(con, period: str | None = None, unit_id: str | None = None) -> pd.DataFrame:
    """One row per (period, unit, count source, metric): numerator, denominator and value (pct or count).
    Read from the rows stored at ingest when they are current (``analyses.stored``)."""
    got = stored.frame(con, "filing_measures", period=period, unit_id=unit_id)
    return got if got is not None else _filing_measures(con, period, unit_id)


def compute_filing_measures(con, period: str | None = None, unit_id: str | None = None) -> pd.DataFrame:
    """``filing_measures`` of every period and unit, computed (what ingest stores); ``period``/``unit_id``: only their rows, as the whole history has them."""
    return _filing_measures(con, period, unit_id)


def _filing_measures(con, period: str | None, unit_id: str | None) -> pd.DataFrame:
    d = load_definition()
    totals = filing_totals(con, period, unit_id)
    rows = []
    for rec in totals.to_dict("records"):
        for m in d.metrics.values():
            if not m.measurable:
                continue
            num_parts = [rec.get(c) for c in m.numerator]
            den_parts = [rec.get(c) for c in m.denominator]
            if any(pd.isna(v) for v in num_parts) or any(pd.isna(v) for v in den_parts):
                numerator = denominator = value = None
            else:
                numerator = float(sum(num_parts))
                denominator = float(sum(den_parts)) if m.denominator else None
                if m.is_count:
                    value = numerator
                else:
                    value = None if not denominator else round(100 * numerator / denominator, 2)
            rows.append({"period": rec["period"], "unit_id": rec["unit_id"], "unit": rec["unit"],
                         "count_source": rec["count_source"], "metric": m.key,
                         "numerator_count": numerator, "denominator_count": denominator, "value": value,
                         "value_unit": "count" if m.is_count else "pct", "illustrative": bool(rec["illustrative"])})
    return pd.DataFrame(rows, columns=["period", "unit_id", "unit", "count_source", "metric",
                                       "numerator_count", "denominator_count", "value", "value_unit", "illustrative"])
