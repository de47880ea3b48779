"""Where a unit stands among its peers: units of the same level, same period, same component."""

from __future__ import annotations

import pandas as pd

from analytics.analyses import stored
from analytics.analyses.provenance import derived_illustrative
from analytics.analyses.scores import unit_scores
from analytics.definition import load_definition


def unit_rankings(con, period: str | None = None, unit_level: str | None = None, component: str = "total") -> pd.DataFrame:
    """Per (period, unit) of a level: score, rank (1 = best, ties share the better rank), units ranked,
    peer median and best, and the best unit's name. Units without a score are listed unranked.

    ``rank_illustrative``: the rank, median and best rest on an illustrative score (the unit's or a peer's).
    Read from the rows stored at ingest when they are current (``analyses.stored``)."""
    got = stored.frame(con, "unit_rankings", period=period, unit_level=unit_level, component=component)
    return got if got is not None else _unit_rankings(con, period, unit_level, component)


def compute_unit_rankings(con) -> pd.DataFrame:
    """``unit_rankings`` of every period, level and component (the five and the total), computed (what ingest
    stores)."""
    frames = [_unit_rankings(con, None, None, c) for c in [*load_definition().common_groups, "total"]]
    return pd.concat([f for f in frames if not f.empty], ignore_index=True) if any(not f.empty for f in frames) \
        else frames[-1]


def _unit_rankings(con, period: str | None, unit_level: str | None, component: str) -> pd.DataFrame:
    scores = unit_scores(con, period=period)
    s = scores[(scores["component"] == component) & (scores["unit_level"] != "province")].copy()
    if unit_level:
        s = s[s["unit_level"] == unit_level]
    if s.empty:
        return pd.DataFrame(columns=["period", "unit", "unit_id", "unit_level", "component", "score_points", "rank",
                                     "units_ranked", "peer_median_points", "peer_best_points", "best_unit", "illustrative",
                                     "rank_illustrative"])
    peers = s.groupby(["period", "unit_level"])["score_points"]
    s["rank"] = peers.rank(method="min", ascending=False).astype("Int64")
    s["units_ranked"] = peers.transform("count").astype("Int64")
    s["peer_median_points"] = peers.transform("median").round(2)
    s["peer_best_points"] = peers.transform("max")
    ranked = s["score_points"].notna()
    any_peer = (s["illustrative"].astype(bool) & ranked).groupby([s["period"], s["unit_level"]]).transform("any")
    s["rank_illustrative"] = derived_illustrative(s["illustrative"], any_peer, exists=ranked)
    best = s.dropna(subset=["score_points"]).sort_values("score_points", ascending=False).drop_duplicates(["period", "unit_level"])
    s = s.merge(best[["period", "unit_level", "unit"]].rename(columns={"unit": "best_unit"}), on=["period", "unit_level"], how="left")
    s = s.sort_values(["period", "unit_level", "rank", "unit"], na_position="last")
    return s[["period", "unit", "unit_id", "unit_level", "component", "score_points",
              "rank", "units_ranked", "peer_median_points", "peer_best_points", "best_unit", "illustrative",
              "rank_illustrative"]].reset_index(drop=True)
