"""What changed since the previous period and since the same period last year.

Scores change in points, rates in percentage points, counts absolutely and relatively. A missing side
gives a null change with the reason ("no Q1/2024 total published"). Changes are computed on the full
history, then filtered, so filtering to one period never loses its comparison. Periods of different
index versions compare at the five-group level (``mart_scores`` already rolls v2025's groups up).
"""

from __future__ import annotations

import pandas as pd

from analytics.definition import load_definition
from analytics.analyses.measures import filing_measures
from analytics.periods import period_label, previous_period, same_period_last_year
from analytics.analyses.scores import unit_scores

REASONS = {
    "not_published": ("{period} chưa công bố {what}", "no {period} {what} published"),
    "no_data": ("không có số liệu {period}", "no data for {period}"),
    "current_missing": ("{period} chưa có {what}", "{period} has no {what}"),
}


def _reason(key: str, lang: str, **params) -> str:
    vi, en = REASONS[key]
    return (en if lang == "en" else vi).format(**params)


def _compare(current: pd.DataFrame, keys: list[str], value: str, other_period_of, lang: str, what_of) -> tuple:
    """For each row, the other period's key, value, whether it is illustrative, and a reason when the comparison
    is impossible."""
    lookup = current.set_index([*keys, "period"])[value]
    flags = current.set_index([*keys, "period"])["illustrative"].astype(bool)
    present = set(lookup.index)
    periods, values, reasons, others_illustrative = [], [], [], []
    for rec in current.to_dict("records"):
        other = other_period_of(rec["period"])
        key = (*[rec[k] for k in keys], other)
        periods.append(other)
        label = period_label(other, lang)
        what = what_of(rec)
        if key not in present:
            values.append(None)
            others_illustrative.append(False)
            reasons.append(_reason("no_data", lang, period=label))
            continue
        v = lookup.loc[key]
        v = v.iloc[0] if isinstance(v, pd.Series) else v
        f = flags.loc[key]
        others_illustrative.append(bool(f.any() if isinstance(f, pd.Series) else f))
        values.append(None if pd.isna(v) else float(v))
        if pd.isna(v):
            reasons.append(_reason("not_published", lang, period=label, what=what))
        elif pd.isna(rec[value]):
            reasons.append(_reason("current_missing", lang, period=period_label(rec["period"], lang), what=what))
        else:
            reasons.append(None)
    return periods, values, reasons, others_illustrative


def score_changes(con, period: str | None = None, unit_id: str | None = None, lang: str = "vi") -> pd.DataFrame:
    """Per (period, unit, component incl. total): change in points versus the previous period and the same
    period last year, null with a reason when a side is missing.

    The one definition of "change" (the CLI ``scores``, the tiles and the brief all show this figure).
    ``change_vs_previous_illustrative`` / ``change_vs_last_year_illustrative``: either side is illustrative."""
    d = load_definition()
    scores = unit_scores(con, unit_id=unit_id, lang=lang)  # the unit's full history first
    if scores.empty:
        return scores
    what = lambda rec: ("tổng điểm" if lang != "en" else "total") if rec["component"] == "total" else (  # noqa: E731
        ("điểm " if lang != "en" else "") + d.common_label(rec["component"], lang) + (" score" if lang == "en" else ""))
    out = scores[["period", "period_label", "unit", "unit_id", "unit_level", "component", "component_label",
                  "score_points", "max_points", "illustrative"]].copy()
    for prefix, other in (("previous", previous_period), ("last_year", same_period_last_year)):
        periods, values, reasons, flags = _compare(out, ["unit_id", "component"], "score_points", other, lang, what)
        col = "change_vs_previous" if prefix == "previous" else "change_vs_last_year"
        out[f"{prefix}_period"] = periods
        out[f"{prefix}_points"] = pd.array(values, dtype="Float64")
        out[f"{col}_points"] = (out["score_points"] - out[f"{prefix}_points"]).round(2)
        out[f"{col}_reason"] = reasons
        out[f"{col}_illustrative"] = out[f"{col}_points"].notna() & (out["illustrative"].astype(bool) | pd.Series(flags, index=out.index))
        out[f"{col}_illustrative"] = out[f"{col}_illustrative"].astype(bool)
    if period:
        out = out[out["period"] == period]
    return out.reset_index(drop=True)


def scores_with_change(con, period: str | None = None, unit_id: str | None = None, lang: str = "vi") -> pd.DataFrame:
    """``unit_scores`` with ``change`` (points), ``previous_period`` and ``change_illustrative`` taken from
    ``score_changes``: what ``scores`` prints."""
    scores = unit_scores(con, period=period, unit_id=unit_id, lang=lang)
    changes = score_changes(con, period=period, unit_id=unit_id, lang=lang)
    keep = changes[["period", "unit_id", "component", "previous_period", "change_vs_previous_points",
                    "change_vs_previous_illustrative"]].rename(
        columns={"change_vs_previous_points": "change", "change_vs_previous_illustrative": "change_illustrative"})
    out = scores.merge(keep, on=["period", "unit_id", "component"], how="left")
    out["change_illustrative"] = out["change_illustrative"].fillna(False).astype(bool)
    return out


def filing_metric_changes(con, period: str | None = None, unit_id: str | None = None, lang: str = "vi") -> pd.DataFrame:
    """Per (period, unit, count source, metric): the value and its change versus the previous period and last
    year — percentage points for rates, absolute and relative for counts."""
    m = filing_measures(con, unit_id=unit_id, lang=lang)
    if m.empty:
        return m
    out = m.copy()
    what = lambda rec: rec["metric_label"].lower()  # noqa: E731
    for prefix, other in (("previous", previous_period), ("last_year", same_period_last_year)):
        periods, values, reasons, _ = _compare(out, ["unit_id", "count_source", "metric"], "value", other, lang, what)
        out[f"{prefix}_period"] = periods
        out[f"{prefix}_value"] = pd.array(values, dtype="Float64")
        diff = (out["value"].astype("Float64") - out[f"{prefix}_value"]).round(2)
        is_rate = out["value_unit"] == "pct"
        suffix = "previous" if prefix == "previous" else "last_year"
        out[f"change_vs_{suffix}_pp"] = diff.where(is_rate)
        out[f"change_vs_{suffix}_count"] = diff.where(~is_rate)
        rel = (100 * diff / out[f"{prefix}_value"]).round(2)
        out[f"change_vs_{suffix}_relative_pct"] = rel.where(~is_rate & (out[f"{prefix}_value"] != 0))
        out[f"change_vs_{suffix}_reason"] = reasons
    if period:
        out = out[out["period"] == period]
    return out.reset_index(drop=True)
