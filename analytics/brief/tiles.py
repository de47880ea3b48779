"""What the Overview shows and the meeting brief exports, assembled from the analyses' frames (plain pandas).

One place builds the tiles, so the screen and the exported workbook always carry the same figures.
"""

from __future__ import annotations

import pandas as pd

from analytics.analyses.provenance import derived_illustrative
from analytics.definition import load_definition
from analytics.labels import labelled

TILE_COLUMNS = ["component", "component_label", "score_points", "max_points", "gap_to_max_points",
                "previous_period", "change_vs_previous_points", "change_vs_previous_reason",
                "change_vs_previous_illustrative", "last_year_period", "change_vs_last_year_points",
                "change_vs_last_year_reason", "change_vs_last_year_illustrative",
                "target_points", "target_grade", "target_source", "target_illustrative", "gap_to_target_points",
                "gap_to_target_illustrative",
                "grade", "reported_grade", "illustrative", "computed", "source", "row_illustrative"]

# a tile cell derived from other inputs, and the flag that says whether one of them is illustrative
CELL_ILLUSTRATIVE = {"change_vs_previous_points": "change_vs_previous_illustrative",
                     "previous_period": "change_vs_previous_illustrative",
                     "change_vs_last_year_points": "change_vs_last_year_illustrative",
                     "last_year_period": "change_vs_last_year_illustrative",
                     "target_points": "target_illustrative", "gap_to_target_points": "gap_to_target_illustrative"}


def row_illustrative(tile) -> bool:
    """Whether a tile row rests on an illustrative input anywhere: its score, a change's other side, its target."""
    return bool(derived_illustrative(tile.get("illustrative"),
                                     *(tile.get(f) for f in sorted(set(CELL_ILLUSTRATIVE.values())))))


def component_order() -> list[str]:
    """The five components in the definition's order, then the total."""
    return [*load_definition().common_groups, "total"]


def overview_tiles(scores: pd.DataFrame, changes: pd.DataFrame | None, gaps: pd.DataFrame | None,
                   unit_id: str, period: str, lang: str = "vi") -> pd.DataFrame:
    """One row per component (five, then total) of a unit in a period: score, max, gap, changes, target, grade.

    ``scores``, ``changes``, ``gaps``: frames of ``unit_scores``, ``score_changes`` and ``component_gaps``
    (any periods and units: filtered here by unit id and period).
    """
    def pick(df):
        if df is None or df.empty:
            return None
        return labelled(df[(df["unit_id"] == unit_id) & (df["period"] == period)], lang).set_index("component")

    s = pick(scores)
    if s is None or s.empty:
        return pd.DataFrame(columns=TILE_COLUMNS)
    c, g = pick(changes), pick(gaps)
    rows = []
    for comp in component_order():
        if comp not in s.index:
            continue
        r = s.loc[comp]
        r = r.iloc[0] if isinstance(r, pd.DataFrame) else r
        row = {"component": comp, "component_label": r["component_label"], "score_points": r["score_points"],
               "max_points": r["max_points"], "gap_to_max_points": r["gap_to_max"], "grade": r["grade"],
               "reported_grade": r["reported_grade"], "illustrative": bool(r["illustrative"]),
               "computed": bool(r["computed"]), "source": r["source"],
               "previous_period": None, "change_vs_previous_points": None, "change_vs_previous_reason": None,
               "change_vs_previous_illustrative": False, "last_year_period": None,
               "change_vs_last_year_points": None, "change_vs_last_year_reason": None,
               "change_vs_last_year_illustrative": False,
               "target_points": None, "target_grade": None, "target_source": None, "target_illustrative": None,
               "gap_to_target_points": None, "gap_to_target_illustrative": False}
        if c is not None and comp in c.index:
            cr = c.loc[comp]
            cr = cr.iloc[0] if isinstance(cr, pd.DataFrame) else cr
            for k in ("previous_period", "change_vs_previous_points", "change_vs_previous_reason",
                      "change_vs_previous_illustrative", "last_year_period", "change_vs_last_year_points",
                      "change_vs_last_year_reason", "change_vs_last_year_illustrative"):
                row[k] = _clean(cr.get(k))
        if g is not None and comp in g.index:
            gr = g.loc[comp]
            gr = gr.iloc[0] if isinstance(gr, pd.DataFrame) else gr
            for k in ("target_points", "target_grade", "target_source", "target_illustrative", "gap_to_target_points",
                      "gap_to_target_illustrative"):
                row[k] = _clean(gr.get(k))
        row["row_illustrative"] = row_illustrative(row)
        rows.append(row)
    return pd.DataFrame(rows, columns=TILE_COLUMNS)


def unit_periods(scores: pd.DataFrame, unit_id: str) -> list[str]:
    """The periods a unit has any score in, newest first (sorted by period key, never by label)."""
    from analytics.periods import period_sort_key

    ps = scores.loc[scores["unit_id"] == unit_id, "period"].dropna().unique().tolist()
    return sorted(ps, key=period_sort_key, reverse=True)


def default_period(periods_of_unit: pd.DataFrame, unit_id: str) -> str | None:
    """The period a view opens on: the unit's latest period with published figures, else its latest period.

    ``periods_of_unit``: ``inventory.scored_unit_periods`` (period, unit_id, published)."""
    from analytics.periods import period_sort_key

    mine = periods_of_unit[periods_of_unit["unit_id"] == unit_id]
    published = mine.loc[mine["published"].fillna(False).astype(bool), "period"].tolist()
    candidates = published or mine["period"].tolist()
    return max(candidates, key=period_sort_key) if candidates else None


def history(scores: pd.DataFrame, unit_id: str, component: str = "total", same_kind_as: str | None = None) -> pd.DataFrame:
    """A unit's scores of one component over periods of one kind (quarters by default), oldest first."""
    from analytics.periods import period_kind, period_sort_key

    h = scores[(scores["unit_id"] == unit_id) & (scores["component"] == component)].copy()
    kind = period_kind(same_kind_as) if same_kind_as else "quarter"
    h = h[h["period"].map(period_kind) == kind]
    h["_o"] = h["period"].map(period_sort_key)
    return h.sort_values("_o").drop(columns="_o").reset_index(drop=True)


def _clean(v):
    if v is None:
        return None
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    return v.item() if hasattr(v, "item") else v
