"""What changed since the previous period and since the same period last year.

Scores change in points, rates in percentage points, counts absolutely and relatively. A missing side
gives a null change with the reason's key ("not_published": no Q1/2024 total published), labelled at the edge
by ``analytics.labels``. Changes are computed on the full history, then filtered, so filtering to one period
never loses its comparison. Periods of different index versions compare at the five-group level
(``mart_scores`` already rolls v2025's groups up). A change resting on an illustrative side is illustrative.
"""

from __future__ import annotations

import pandas as pd

from analytics.analyses import stored
from analytics.analyses.measures import filing_measures
from analytics.analyses.provenance import derived_illustrative
from analytics.analyses.scores import unit_scores
from analytics.periods import previous_period, same_period_last_year


def _compare(current: pd.DataFrame, keys: list[str], value: str, other_period_of) -> dict[str, list]:
    """For each row: the other period's key and value, whether that side is illustrative, and the key of the
    reason when the comparison is impossible (with the period the reason speaks of)."""
    columns = list(dict.fromkeys([*keys, "period", value, "illustrative"]))  # only these, as Python values
    records = [dict(zip(columns, row)) for row in zip(*(current[c].tolist() for c in columns))]
    lookup, flags = {}, {}  # per key: the first row's value, whether any row is illustrative (plain dicts: fast)
    for rec in records:
        key = (*[rec[k] for k in keys], rec["period"])
        lookup.setdefault(key, rec[value])
        flags[key] = flags.get(key, False) or bool(rec["illustrative"])
    present = lookup.keys()
    out = {"period": [], "value": [], "other_illustrative": [], "reason_key": [], "reason_period": []}
    for rec in records:
        other = other_period_of(rec["period"])
        key = (*[rec[k] for k in keys], other)
        out["period"].append(other)
        if key not in present:
            out["value"].append(None)
            out["other_illustrative"].append(False)
            out["reason_key"].append("no_data")
            out["reason_period"].append(other)
            continue
        v = lookup[key]
        out["other_illustrative"].append(flags[key])
        out["value"].append(None if pd.isna(v) else float(v))
        if pd.isna(v):
            out["reason_key"].append("not_published")
            out["reason_period"].append(other)
        elif pd.isna(rec[value]):
            out["reason_key"].append("current_missing")
            out["reason_period"].append(rec["period"])
        else:
            out["reason_key"].append(None)
            out["reason_period"].append(None)
    return out


def _add_comparison(out: pd.DataFrame, prefix: str, col: str, compared: dict, what: pd.Series) -> None:
    out[f"{prefix}_period"] = compared["period"]
    out[f"{col}_reason_key"] = compared["reason_key"]
    out[f"{col}_reason_period"] = compared["reason_period"]
    out[f"{col}_reason_what"] = what.where(pd.Series(compared["reason_key"], index=out.index).notna())


def score_changes(con, period: str | None = None, unit_id: str | None = None) -> pd.DataFrame:
    """Per (period, unit, component incl. total): change in points versus the previous period and the same
    period last year, null with a reason key when a side is missing.

    The one definition of "change" (the CLI ``scores``, the tiles and the brief all show this figure).
    ``change_vs_previous_illustrative`` / ``change_vs_last_year_illustrative``: the change exists and either
    side is illustrative. Read from the rows stored at ingest when they are current (``analyses.stored``)."""
    got = stored.frame(con, "score_changes", period=period, unit_id=unit_id)
    return got if got is not None else _score_changes(con, period, unit_id)


def compute_score_changes(con) -> pd.DataFrame:
    """``score_changes`` of every period and unit, computed (what ingest stores)."""
    return _score_changes(con, None, None)


def _score_changes(con, period: str | None, unit_id: str | None) -> pd.DataFrame:
    scores = unit_scores(con, unit_id=unit_id)  # the unit's full history first
    if scores.empty:
        return scores
    out = scores[["period", "unit", "unit_id", "unit_level", "component", "score_points", "max_points",
                  "illustrative"]].copy()
    for prefix, other, col in (("previous", previous_period, "change_vs_previous"),
                               ("last_year", same_period_last_year, "change_vs_last_year")):
        compared = _compare(out, ["unit_id", "component"], "score_points", other)
        _add_comparison(out, prefix, col, compared, out["component"])
        out[f"{prefix}_points"] = pd.array(compared["value"], dtype="Float64")
        out[f"{col}_points"] = (out["score_points"] - out[f"{prefix}_points"]).round(2)
        out[f"{col}_illustrative"] = derived_illustrative(
            out["illustrative"], pd.Series(compared["other_illustrative"], index=out.index), exists=out[f"{col}_points"].notna())
    if period:
        out = out[out["period"] == period]
    return out.reset_index(drop=True)


def scores_with_change(con, period: str | None = None, unit_id: str | None = None) -> pd.DataFrame:
    """``unit_scores`` with ``change`` (points), ``previous_period`` and ``change_illustrative`` taken from
    ``score_changes``: what ``scores`` prints."""
    scores = unit_scores(con, period=period, unit_id=unit_id)
    changes = score_changes(con, period=period, unit_id=unit_id)
    if changes.empty:
        return scores.assign(change=pd.Series(dtype="Float64"), previous_period=None, change_illustrative=False)
    keep = changes[["period", "unit_id", "component", "previous_period", "change_vs_previous_points",
                    "change_vs_previous_illustrative"]].rename(
        columns={"change_vs_previous_points": "change", "change_vs_previous_illustrative": "change_illustrative"})
    out = scores.merge(keep, on=["period", "unit_id", "component"], how="left")
    out["change_illustrative"] = out["change_illustrative"].fillna(False).astype(bool)
    return out


def filing_metric_changes(con, period: str | None = None, unit_id: str | None = None) -> pd.DataFrame:
    """Per (period, unit, count source, metric): the value and its change versus the previous period and last
    year — percentage points for rates, absolute and relative for counts; illustrative when either side is.
    Read from the rows stored at ingest when they are current (``analyses.stored``)."""
    got = stored.frame(con, "filing_metric_changes", period=period, unit_id=unit_id)
    return got if got is not None else _filing_metric_changes(con, period, unit_id)


def compute_filing_metric_changes(con, period: str | None = None, unit_id: str | None = None) -> pd.DataFrame:
    """``filing_metric_changes`` of every period and unit, computed (what ingest stores); ``period``/``unit_id``: only their rows, as the whole history has them."""
    return _filing_metric_changes(con, period, unit_id)


def _filing_metric_changes(con, period: str | None, unit_id: str | None) -> pd.DataFrame:
    m = filing_measures(con, unit_id=unit_id)
    if m.empty:
        return m
    out = m.copy()
    for prefix, other in (("previous", previous_period), ("last_year", same_period_last_year)):
        suffix = "previous" if prefix == "previous" else "last_year"
        compared = _compare(out, ["unit_id", "count_source", "metric"], "value", other)
        _add_comparison(out, prefix, f"change_vs_{suffix}", compared, out["metric"])
        out[f"{prefix}_value"] = pd.array(compared["value"], dtype="Float64")
        diff = (out["value"].astype("Float64") - out[f"{prefix}_value"]).round(2)
        is_rate = out["value_unit"] == "pct"
        out[f"change_vs_{suffix}_pp"] = diff.where(is_rate)
        out[f"change_vs_{suffix}_count"] = diff.where(~is_rate)
        rel = (100 * diff / out[f"{prefix}_value"]).round(2)
        out[f"change_vs_{suffix}_relative_pct"] = rel.where(~is_rate & (out[f"{prefix}_value"] != 0))
        out[f"change_vs_{suffix}_illustrative"] = derived_illustrative(
            out["illustrative"], pd.Series(compared["other_illustrative"], index=out.index), exists=diff.notna())
    if period:
        out = out[out["period"] == period]
    return out.reset_index(drop=True)
