"""How far each component is from its maximum and from the plan, and what the next grade needs.

Answers leadership's first questions: where are the points lost, which target is missed, and how many
points (from which components) lift the unit to the next grade.
"""

from __future__ import annotations

import pandas as pd

from analytics.analyses import stored
from analytics.analyses.provenance import derived_illustrative
from analytics.analyses.scores import unit_scores
from analytics.definition import load_definition

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


def applicable_targets(keys: pd.DataFrame, targets: pd.DataFrame) -> pd.DataFrame:
    """For each (period, unit_id, component), the target that applies: one set for that period beats one set for
    its whole year, and one set for the unit beats one set for every unit. Columns: the keys, target_value,
    target_grade_key, target_source, target_illustrative."""
    cols = ["period", "unit_id", "component", "target_value", "target_grade_key", "target_source", "target_illustrative"]
    if targets.empty or keys.empty:
        return pd.DataFrame(columns=cols)
    k = keys.drop_duplicates().assign(year=lambda f: f["period"].str[:4].astype(int))
    t = targets.rename(columns={"period": "target_period", "unit_id": "target_unit_id", "target_grade": "target_grade_key",
                                "source_document": "target_source", "illustrative": "target_illustrative"})
    m = k.merge(t, on="component")
    exact = m["target_period"].notna() & (m["target_period"] == m["period"])
    annual = m["target_period"].isna() & (m["year_y"] == m["year_x"]) if "year_y" in m else m["target_period"].isna()
    unit_ok = m["target_unit_id"].isna() | (m["target_unit_id"] == m["unit_id"])
    m = m[(exact | annual) & unit_ok].copy()
    m["_priority"] = (~exact[m.index]).astype(int) * 2 + m["target_unit_id"].isna().astype(int)
    m = m.sort_values("_priority").drop_duplicates(["period", "unit_id", "component"])
    return m[cols]


def component_gaps(con, period: str | None = None, unit_id: str | None = None) -> pd.DataFrame:
    """Per (period, unit, component incl. total): score, max, gap to max, target, gap to target, share of lost points.

    ``share_of_lost_points_pct`` is the component's gap as a share of all points the unit lost in the period;
    ``gap_to_target_points`` is positive when the score falls short of a floor target. Read from the rows stored
    at ingest when they are current (``analyses.stored``).
    """
    got = stored.frame(con, "component_gaps", period=period, unit_id=unit_id)
    return got if got is not None else _component_gaps(con, period, unit_id)


def compute_component_gaps(con) -> pd.DataFrame:
    """``component_gaps`` of every period and unit, computed (what ingest stores)."""
    return _component_gaps(con, None, None)


def _component_gaps(con, period: str | None, unit_id: str | None) -> pd.DataFrame:
    scores = unit_scores(con, period=period, unit_id=unit_id)
    targets = component_targets(con)
    out = scores.rename(columns={"gap_to_max": "gap_to_max_points"}).copy()
    comp = out["component"] != "total"
    lost = out[comp].groupby(["period", "unit_id"])["gap_to_max_points"].sum(min_count=1).rename("_lost")
    out = out.join(lost, on=["period", "unit_id"])
    out["share_of_lost_points_pct"] = (100 * out["gap_to_max_points"] / out["_lost"]).where(comp & (out["_lost"] > 0)).round(2)
    chosen = applicable_targets(out[["period", "unit_id", "component"]], targets)
    out = out.merge(chosen, on=["period", "unit_id", "component"], how="left")
    out["target_points"] = pd.array(out["target_value"], dtype="Float64")
    out["target_illustrative"] = out["target_illustrative"].astype("boolean")
    out["gap_to_target_points"] = (out["target_points"] - out["score_points"]).round(2)
    # a gap resting on an illustrative score or an illustrative target is illustrative
    out["gap_to_target_illustrative"] = derived_illustrative(out["illustrative"], out["target_illustrative"],
                                                             exists=out["gap_to_target_points"].notna())
    cols = ["period", "unit_id", "unit", "unit_level", "component", "score_points", "max_points", "gap_to_max_points",
            "target_points", "target_grade_key", "target_source", "target_illustrative", "gap_to_target_points",
            "gap_to_target_illustrative", "share_of_lost_points_pct", "illustrative"]
    return out[cols].reset_index(drop=True)


def grade_outlook(con, period: str | None = None, unit_id: str | None = None) -> pd.DataFrame:
    """Per (period, unit, component): the total, its grade, points to the next grade, and whether this
    component's gap alone could supply them (components sorted by gap, largest first). Read from the rows stored
    at ingest when they are current (``analyses.stored``)."""
    got = stored.frame(con, "grade_outlook", period=period, unit_id=unit_id)
    return got if got is not None else _grade_outlook(con, period, unit_id)


def compute_grade_outlook(con) -> pd.DataFrame:
    """``grade_outlook`` of every period and unit, computed (what ingest stores)."""
    return _grade_outlook(con, None, None)


def _grade_outlook(con, period: str | None, unit_id: str | None) -> pd.DataFrame:
    d = load_definition()
    gaps = component_gaps(con, period=period, unit_id=unit_id)
    totals = gaps[(gaps["component"] == "total") & gaps["score_points"].notna()]
    totals = totals[["period", "unit_id", "unit", "score_points", "illustrative"]].rename(
        columns={"score_points": "total_points"})
    grade_of = {t: d.grade_for(t) for t in totals["total_points"].unique()}
    next_of = {t: d.next_grade(t) for t in grade_of}
    totals["grade_key"] = totals["total_points"].map(lambda t: grade_of[t].key)
    totals["next_grade_key"] = totals["total_points"].map(lambda t: next_of[t].key if next_of[t] else None)
    totals["next_grade_min_points"] = totals["total_points"].map(lambda t: next_of[t].min_points if next_of[t] else None)
    totals["points_to_next_grade_points"] = (totals["next_grade_min_points"] - totals["total_points"]).round(2)
    parts = gaps[gaps["component"] != "total"][["period", "unit_id", "component", "gap_to_max_points"]]
    out = totals.merge(parts, on=["period", "unit_id"])
    out["could_supply"] = (out["points_to_next_grade_points"].notna() & out["gap_to_max_points"].notna()
                           & (out["gap_to_max_points"] >= out["points_to_next_grade_points"])).astype(bool)
    out = out.sort_values(["period", "unit_id", "gap_to_max_points"], ascending=[True, True, False])
    return out[["period", "unit_id", "unit", "total_points", "grade_key", "next_grade_key", "next_grade_min_points",
                "points_to_next_grade_points", "component", "gap_to_max_points", "could_supply",
                "illustrative"]].reset_index(drop=True)
