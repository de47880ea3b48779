"""Scores per period, unit and component (five groups and total), with gap to max and change since the last value.

The one definition of a score as shown anywhere: the CLI ``scores`` command, the analyses, the dashboard
and the notebooks all read ``unit_scores``.
"""

from __future__ import annotations

import pandas as pd

from analytics.definition import fold, load_definition
from analytics.periods import period_kind, period_label, period_sort_key

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
    m.index_version,
    m.illustrative,
    m.computed,
    coalesce(m.source_document, m.source_file) AS source,
    m.source_file
FROM mart_scores AS m
INNER JOIN units AS u USING (unit_id)
"""


def unit_matches(names: pd.Series, text: str | None) -> pd.Series:
    """Which unit names the text picks, ignoring case and diacritics ("so cong thuong" finds "Sở Công Thương").

    A name equal to the text wins over names that merely contain it, so "Sở Công Thương" picks Đồng Nai's
    department and not also "Sở Công Thương - Tỉnh Phú Thọ"; otherwise any name containing the text matches.
    Exactness is judged among the names given (a frame already filtered to a period holds only that period's units).
    """
    if not text:
        return pd.Series(True, index=names.index)
    needle = fold(text)
    folded = names.map({n: fold(n) for n in names.dropna().unique()}).fillna("")
    exact = folded == needle
    if exact.any():
        return exact
    return folded.map(lambda n: needle in n)


def add_history_columns(df: pd.DataFrame, value: str = "score_points", keys: tuple[str, ...] = ("unit_id", "component")) -> pd.DataFrame:
    """The frame with ``previous_period``, ``previous_value`` and ``change`` versus the last earlier period
    of the same kind that has a value (computed on the full history; filter afterwards)."""
    out = df.copy()
    out["_kind"] = out["period"].map(period_kind)
    out["_order"] = out["period"].map(period_sort_key)
    out = out.sort_values([*keys, "_kind", "_order"])
    known = out[value].notna()
    by = [*keys, "_kind"]
    out["_last_period"] = out["period"].where(known)
    out["_last_value"] = out[value].where(known)
    filled = out.groupby(by, sort=False)[["_last_period", "_last_value"]].ffill()
    filled[by] = out[by]
    shifted = filled.groupby(by, sort=False)[["_last_period", "_last_value"]].shift(1)
    out["previous_period"] = shifted["_last_period"]
    out["previous_value"] = shifted["_last_value"]
    out = out.drop(columns=["_last_period", "_last_value"])
    out["change"] = (out[value] - out["previous_value"]).round(2)
    return out.drop(columns=["_kind", "_order"])


def unit_scores(con, period: str | None = None, unit: str | None = None, lang: str = "vi") -> pd.DataFrame:
    """One row per (period, unit, component incl. total): score, max, gap to max, change, grade, source.

    ``change`` compares with the unit's previous period (same kind) that has a value; null when there is none.
    """
    d = load_definition()
    df = con.execute(SCORES_SQL).df()
    if df.empty:
        return _empty()
    df = add_history_columns(df)
    df["gap_to_max"] = (df["max_points"] - df["score_points"]).round(2)
    df["grade"] = [
        (d.grade_for(s).label(lang) if c == "total" and pd.notna(s) else None)
        for c, s in zip(df["component"], df["score_points"])
    ]
    df["component_label"] = [d.common_label(c, lang) for c in df["component"]]
    df["period_label"] = df["period"].map(lambda p: period_label(p, lang))
    if period:
        df = df[df["period"] == period]
    df = df[unit_matches(df["unit"], unit)]
    order = {k: i for i, k in enumerate([*d.common_groups, "total"])}
    df = df.assign(_p=df["period"].map(period_sort_key), _c=df["component"].map(order))
    df = df.sort_values(["_p", "unit_level", "unit", "_c"]).drop(columns=["_p", "_c"])
    cols = ["period", "period_label", "unit", "unit_id", "unit_level", "province", "component", "component_label",
            "score_points", "max_points", "gap_to_max", "change", "previous_period", "grade", "reported_grade",
            "illustrative", "computed", "index_version", "source"]
    return df[cols].reset_index(drop=True)


def _empty() -> pd.DataFrame:
    return pd.DataFrame(columns=["period", "period_label", "unit", "unit_id", "unit_level", "province", "component",
                                 "component_label", "score_points", "max_points", "gap_to_max", "change",
                                 "previous_period", "grade", "reported_grade", "illustrative", "computed",
                                 "index_version", "source"])


def scores_records(df: pd.DataFrame) -> list[dict]:
    """The JSON shape of ``scores --format json``: one object per (period, unit, component)."""
    out = []
    for r in df.itertuples(index=False):
        out.append({
            "period": r.period, "unit": r.unit, "unit_id": r.unit_id, "unit_level": r.unit_level,
            "component": r.component, "score": _num(r.score_points), "max_points": _num(r.max_points),
            "gap_to_max": _num(r.gap_to_max), "change": _num(r.change), "previous_period": _str(r.previous_period),
            "grade": r.grade if r.component == "total" else None, "reported_grade": _str(r.reported_grade),
            "illustrative": bool(r.illustrative), "computed": bool(r.computed), "source": r.source,
        })
    return out


def _num(v):
    return None if v is None or pd.isna(v) else round(float(v), 4)


def _str(v):
    return None if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v)
