"""Scores per period, unit and component (five groups and total), with gap to max and grade.

The one definition of a score as shown anywhere: the CLI ``scores`` command, the analyses, the dashboard
and the notebooks all read ``unit_scores``.
"""

from __future__ import annotations

import pandas as pd

from analytics.analyses import stored
from analytics.definition import load_definition
from analytics.periods import period_sort_key

SCORES_SQL = """
SELECT
    m.period,
    m.unit_id,
    u.display_name AS unit,
    u.unit_level,
    u.province,
    m.component,
    m.score_points,
    m.max_points,
    m.reported_grade,
    m.grade_mismatch,
    m.index_version,
    m.illustrative,
    m.computed,
    coalesce(m.source_document, m.source_file) AS source,
    m.source_file
FROM mart_scores AS m
INNER JOIN units AS u USING (unit_id)
WHERE (CAST(? AS VARCHAR) IS NULL OR m.unit_id = ?)
"""


def unit_scores(con, period: str | None = None, unit_id: str | None = None) -> pd.DataFrame:
    """One row per (period, unit, component incl. total): score, max, gap to max, grade key, source.

    Keys and numbers only: ``analytics.labels.labelled`` adds component, period and grade labels.

    ``unit_id`` None: every unit. The change since the previous period is ``analytics.analyses.changes``'s.
    Read from the rows stored at ingest when they are current (``analyses.stored``).
    """
    got = stored.frame(con, "unit_scores", period=period, unit_id=unit_id)
    return got if got is not None else _unit_scores(con, period, unit_id)


def compute_unit_scores(con) -> pd.DataFrame:
    """``unit_scores`` of every period and unit, computed (what ingest stores)."""
    return _unit_scores(con, None, None)


def _unit_scores(con, period: str | None, unit_id: str | None) -> pd.DataFrame:
    d = load_definition()
    df = con.execute(SCORES_SQL, [unit_id, unit_id]).df()
    if df.empty:
        return _empty()
    df["gap_to_max"] = (df["max_points"] - df["score_points"]).round(2)
    df["grade_key"] = [
        (d.grade_for(s).key if c == "total" and pd.notna(s) else None)
        for c, s in zip(df["component"], df["score_points"])
    ]
    if period:
        df = df[df["period"] == period]
    order = {k: i for i, k in enumerate([*d.common_groups, "total"])}
    df = df.assign(_p=df["period"].map(period_sort_key), _c=df["component"].map(order))
    df = df.sort_values(["_p", "unit_level", "unit", "_c"]).drop(columns=["_p", "_c"])
    cols = ["period", "unit", "unit_id", "unit_level", "province", "component",
            "score_points", "max_points", "gap_to_max", "grade_key", "reported_grade", "grade_mismatch",
            "illustrative", "computed", "index_version", "source"]
    return df[cols].reset_index(drop=True)


def _empty() -> pd.DataFrame:
    return pd.DataFrame(columns=["period", "unit", "unit_id", "unit_level", "province", "component", "score_points",
                                 "max_points", "gap_to_max", "grade_key", "reported_grade", "grade_mismatch",
                                 "illustrative", "computed", "index_version", "source"])


def scores_records(df: pd.DataFrame) -> list[dict]:
    """The JSON shape of ``scores --format json``: one object per (period, unit, component).

    ``df``: ``scores_with_change`` labelled (the change is the one ``score_changes`` defines)."""
    out = []
    for r in df.itertuples(index=False):
        out.append({
            "period": r.period, "unit": r.unit, "unit_id": r.unit_id, "unit_level": r.unit_level,
            "component": r.component, "score": _num(r.score_points), "max_points": _num(r.max_points),
            "gap_to_max": _num(r.gap_to_max), "change": _num(r.change), "previous_period": _str(r.previous_period),
            "change_illustrative": bool(r.change_illustrative),
            "grade": _str(r.grade) if r.component == "total" else None, "reported_grade": _str(r.reported_grade),
            "grade_mismatch": bool(r.grade_mismatch) if r.component == "total" and not pd.isna(r.grade_mismatch) else False,
            "illustrative": bool(r.illustrative), "computed": bool(r.computed), "source": r.source,
        })
    return out


def _num(v):
    return None if v is None or pd.isna(v) else round(float(v), 4)


def _str(v):
    return None if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v)
