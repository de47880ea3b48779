"""Does the data agree with itself? Reported grades versus computed ones, totals versus the sum of
components, and published portal scores versus the scores the engine recomputes from the counts.

Flags, never overwrites: a reported grade that differs stays as reported.
"""

from __future__ import annotations

import pandas as pd

from analytics.definition import load_definition

TOTALS_SQL = """
WITH totals AS (
    SELECT period, unit_id, score_points AS total_points, reported_grade, grade_mismatch, illustrative
    FROM stg_index_scores WHERE component = 'total'
),
parts AS (
    SELECT s.period, s.unit_id,
           CASE WHEN count(*) = count(s.score_points) THEN round(sum(s.score_points), 2) END AS sum_components_points
    FROM stg_index_scores AS s
    INNER JOIN definition_groups AS g ON g.index_version = s.index_version AND g.group_key = s.component
    GROUP BY s.period, s.unit_id
)
SELECT t.period, t.unit_id, u.display_name AS unit, t.total_points, p.sum_components_points, t.reported_grade,
       t.grade_mismatch, t.illustrative
FROM totals AS t
INNER JOIN units AS u USING (unit_id)
LEFT JOIN parts AS p USING (period, unit_id)
WHERE (CAST(? AS VARCHAR) IS NULL OR t.period = ?) AND (CAST(? AS VARCHAR) IS NULL OR t.unit_id = ?)
"""


def grade_consistency(con, period: str | None = None, unit_id: str | None = None) -> pd.DataFrame:
    """Per (period, unit) with a published total: total vs sum of components, computed vs reported grade."""
    d = load_definition()
    df = con.execute(TOTALS_SQL, [period, period, unit_id, unit_id]).df()
    df["total_minus_sum_points"] = (df["total_points"] - df["sum_components_points"]).round(2)
    df["computed_grade_key"] = [None if pd.isna(t) else d.grade_for(t).key for t in df["total_points"]]
    df["grade_differs"] = [d.grade_mismatch(t, g) for t, g in zip(df["total_points"], df["reported_grade"])]
    df["total_differs"] = [d.total_differs(t, s) for t, s in zip(df["total_points"], df["sum_components_points"])]
    return df.sort_values(["period", "unit"]).reset_index(drop=True)


def portal_score_check(con) -> pd.DataFrame:
    """Every published portal score beside the score the engine recomputes from the published counts.

    Illustrative portal-format responses (the demo's) publish no scores and are left out.
    """
    from analytics.scoring import portal_reproduction

    metrics = con.execute("SELECT * FROM portal_metrics WHERE NOT illustrative").df()
    groups = con.execute("SELECT * FROM portal_groups WHERE NOT illustrative").df()
    if metrics.empty:
        return pd.DataFrame()
    return portal_reproduction(metrics, groups)


def portal_check_summary(check: pd.DataFrame) -> pd.DataFrame:
    """Rows compared and max absolute difference per portal file and period (reproducible rows only)."""
    if check.empty:
        return check
    keys = [c for c in ("portal_group", "period", "scope") if c in check.columns]
    rows = check[check["reproducible"]]
    summary = rows.groupby(keys).agg(rows_compared=("abs_diff_points", "size"),
                                     max_abs_diff_points=("abs_diff_points", "max"),
                                     matches=("matches", "sum")).reset_index()
    unrepro = check[~check["reproducible"]].groupby(keys).size().rename("not_reproducible").reset_index()
    return summary.merge(unrepro, on=keys, how="left").fillna({"not_reproducible": 0})
