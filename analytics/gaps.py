"""How far each component is from its maximum and from the plan, and what the next grade needs.

Answers leadership's first questions: where are the points lost, which target is missed, and how many
points (from which components) lift the unit to the next grade.
"""

from __future__ import annotations

import pandas as pd

from analytics.definition import load_definition
from analytics.periods import period_kind
from analytics.scores import unit_scores

COMPONENT_TARGETS_SQL = """
SELECT t.year, t.period, t.unit_id, t.metric AS component, t.comparator, t.target_value, t.target_grade,
       t.target_unit, t.source_document, t.illustrative
FROM targets AS t
WHERE t.metric IN (SELECT unnest(?))
"""


def component_targets(con) -> pd.DataFrame:
    """Plan targets set on a component's score (points) or on the total's grade."""
    keys = [*load_definition().common_groups, "total"]
    return con.execute(COMPONENT_TARGETS_SQL, [keys]).df()


def target_for(targets: pd.DataFrame, period: str, unit_id: str, component: str) -> dict | None:
    """The target that applies to a period: one set for that period beats one set for its whole year."""
    if targets.empty:
        return None
    year = int(period[:4])
    t = targets[(targets["component"] == component) & (targets["unit_id"].isna() | (targets["unit_id"] == unit_id))]
    exact = t[t["period"] == period]
    if len(exact):
        return exact.iloc[0].to_dict()
    annual = t[t["period"].isna() & (t["year"] == year)]
    if len(annual) and period_kind(period) in ("quarter", "half", "month", "year"):
        return annual.iloc[0].to_dict()
    return None


def component_gaps(con, period: str | None = None, unit: str | None = None, lang: str = "vi") -> pd.DataFrame:
    """Per (period, unit, component incl. total): score, max, gap to max, target, gap to target, share of lost points.

    ``share_of_lost_points_pct`` is the component's gap as a share of all points the unit lost in the period;
    ``gap_to_target_points`` is positive when the score falls short of a floor target.
    """
    d = load_definition()
    scores = unit_scores(con, period=period, unit=unit, lang=lang)
    targets = component_targets(con)
    out = scores.rename(columns={"gap_to_max": "gap_to_max_points"}).copy()
    comp = out["component"] != "total"
    lost = out[comp].groupby(["period", "unit_id"])["gap_to_max_points"].sum(min_count=1).rename("_lost")
    out = out.join(lost, on=["period", "unit_id"])
    out["share_of_lost_points_pct"] = (100 * out["gap_to_max_points"] / out["_lost"]).where(comp & (out["_lost"] > 0)).round(2)
    t_points, t_grade, t_source, t_illustrative = [], [], [], []
    for p, u, c in zip(out["period"], out["unit_id"], out["component"]):
        t = target_for(targets, p, u, c)
        if t is None:
            t_points.append(None), t_grade.append(None), t_source.append(None), t_illustrative.append(None)
            continue
        grade = d.grade_by_label(t["target_grade"]) if isinstance(t["target_grade"], str) else None
        t_points.append(float(t["target_value"]) if pd.notna(t["target_value"]) else None)
        t_grade.append(grade.label(lang) if grade else None)
        t_source.append(t["source_document"])
        t_illustrative.append(bool(t["illustrative"]))
    out["target_points"] = pd.array(t_points, dtype="Float64")
    out["target_grade"] = t_grade
    out["target_source"] = t_source
    out["target_illustrative"] = t_illustrative
    out["gap_to_target_points"] = (out["target_points"] - out["score_points"]).round(2)
    cols = ["period", "period_label", "unit_id", "unit", "unit_level", "component", "component_label", "score_points",
            "max_points", "gap_to_max_points", "target_points", "target_grade", "target_source", "target_illustrative",
            "gap_to_target_points", "share_of_lost_points_pct", "illustrative"]
    return out[cols].reset_index(drop=True)


def grade_outlook(con, period: str | None = None, unit: str | None = None, lang: str = "vi") -> pd.DataFrame:
    """Per (period, unit, component): the total, its grade, points to the next grade, and whether this
    component's gap alone could supply them (components sorted by gap, largest first)."""
    d = load_definition()
    gaps = component_gaps(con, period=period, unit=unit, lang=lang)
    totals = gaps[(gaps["component"] == "total") & gaps["score_points"].notna()]
    rows = []
    for t in totals.itertuples(index=False):
        grade = d.grade_for(t.score_points)
        nxt = d.next_grade(t.score_points)
        needed = None if nxt is None else round(nxt.min_points - t.score_points, 2)
        parts = gaps[(gaps["period"] == t.period) & (gaps["unit_id"] == t.unit_id) & (gaps["component"] != "total")]
        for c in parts.sort_values("gap_to_max_points", ascending=False).itertuples(index=False):
            rows.append({"period": t.period, "unit_id": t.unit_id, "unit": t.unit, "total_points": t.score_points,
                         "grade": grade.label(lang), "next_grade": nxt.label(lang) if nxt else None,
                         "next_grade_min_points": nxt.min_points if nxt else None, "points_to_next_grade_points": needed,
                         "component": c.component, "component_label": c.component_label,
                         "gap_to_max_points": c.gap_to_max_points,
                         "could_supply": bool(needed is not None and pd.notna(c.gap_to_max_points)
                                              and c.gap_to_max_points >= needed),
                         "illustrative": bool(t.illustrative)})
    return pd.DataFrame(rows, columns=["period", "unit_id", "unit", "total_points", "grade", "next_grade",
                                       "next_grade_min_points", "points_to_next_grade_points", "component",
                                       "component_label", "gap_to_max_points", "could_supply", "illustrative"])
