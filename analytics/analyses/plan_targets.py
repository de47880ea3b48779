"""Each plan target against what was measured in its period: met or missed, and by how much.

Rate targets are measured from filing counts, from both the department's own records and the portal's
counts (they disagree, and the plan does not say which counts); score and grade targets from the index
scores. An annual target is measured over the year's quarters (summed counts; the latest quarter's score).
A target nothing measures (surveys, waiting time) is listed with ``met`` = None and the reason.
"""

from __future__ import annotations

import pandas as pd

from analytics.definition import load_definition
from analytics.analyses.measures import filing_totals
from analytics.periods import period_kind, period_sort_key
from analytics.analyses.scores import unit_scores

TARGETS_SQL = """
SELECT t.*, u.display_name AS unit
FROM targets AS t
LEFT JOIN units AS u USING (unit_id)
"""

def _met(comparator: str, measured: float, target: float) -> bool:
    if comparator == ">=":
        return measured >= target - 1e-9
    if comparator == "<=":
        return measured <= target + 1e-9
    return abs(measured - target) < 1e-9


def _periods_of(target: dict, available: list[str]) -> list[str]:
    """The quarters a target covers among the periods with data."""
    if isinstance(target.get("period"), str):
        return [target["period"]] if target["period"] in available else []
    year = target.get("year")
    return [p for p in available if period_kind(p) == "quarter" and int(p[:4]) == year]


def target_status(con, period: str | None = None, unit_id: str | None = None, *,
                  through: str | None = None) -> pd.DataFrame:
    """One row per (target, count source where it applies): target, measured value, met, margin, source document.

    ``margin`` is measured − target for a floor and target − measured for a ceiling: negative means missed.
    With ``period``, only targets that cover that period are listed, measured on that period alone.
    With ``through`` (the period a reader has selected), nothing after it is measured: an annual target of a
    year in progress is measured up to that period (the latest score up to it, the counts of the year so far),
    so Quý II/2024 selected measures the 2024 targets on Quý II/2024, never on a later (e.g. invented) quarter.
    ``measured_reason_key`` says why nothing was measured (labelled at the edge); ``measured_grade_key`` is the
    grade a measured total earns. ``illustrative``: the measured value or the target is illustrative.
    """
    d = load_definition()
    targets = _targets(con)
    if not targets:
        return pd.DataFrame()
    if unit_id is not None:
        targets = [t for t in targets if t["unit_id"] is None or t["unit_id"] == unit_id]
    totals = filing_totals(con, unit_id=unit_id)
    scores = unit_scores(con, unit_id=unit_id)
    if through is not None:
        last = period_sort_key(through)
        totals = totals[[period_sort_key(p) <= last for p in totals["period"]]]
        scores = scores[[period_sort_key(p) <= last for p in scores["period"]]]
    own: dict = {}  # unit id (None: every unit) → its totals and their periods, filtered once, not once per target
    scored: dict = {}  # (component, unit id) → its scores with a value and their periods
    score_rows: dict | None = None
    rows = []
    for t in targets:
        metric = t["metric"]
        base = {"year": t["year"], "period": t["period"] if isinstance(t["period"], str) else None, "unit": t["unit"],
                "unit_id": t["unit_id"], "metric": metric, "metric_label": t["metric_label"] or None,
                "comparator": t["comparator"], "target_value": t["target_value"], "target_unit": t["target_unit"],
                "target_grade_key": _grade_key(d, t["target_grade"]), "source_document": t["source_document"],
                "target_illustrative": bool(t["illustrative"])}
        if metric in d.metrics:
            m = d.metrics[metric]
            if period and not _covers(t, period):
                continue
            if not m.measurable:
                rows.append(_unmeasured(base, "unmeasurable", None))
                continue
            uid = t["unit_id"] if isinstance(t["unit_id"], str) else None
            if uid not in own:
                mine = totals[totals["unit_id"] == uid] if uid is not None else totals
                by_period: dict[str, list[dict]] = {}
                for rec in mine.to_dict("records"):
                    by_period.setdefault(rec["period"], []).append(rec)
                own[uid] = (by_period, sorted(by_period, key=period_sort_key))
            by_period, available = own[uid]
            covered = _periods_of(t, available)
            if period:
                covered = [p for p in covered if p == period] if _covers(t, period) else None
                if covered is None:
                    continue
            if not covered:
                rows.append(_unmeasured(base, "no_data", base["period"] or str(t["year"])))
                continue
            by_source: dict[str, list[dict]] = {}
            for p in covered:
                for rec in by_period[p]:
                    if isinstance(rec["count_source"], str):
                        by_source.setdefault(rec["count_source"], []).append(rec)
            for source in sorted(by_source):  # as a groupby by source would: in its order, missing ones left out
                part = by_source[source]
                num = sum(_column_sum(part, c) for c in m.numerator)
                den = sum(_column_sum(part, c) for c in m.denominator) if m.denominator else None
                value = float(num) if m.is_count else (None if not den else round(100 * num / den, 2))
                rows.append({**base, "count_source": source, "measured_value": value,
                             "measured_period": ",".join(sorted({r["period"] for r in part}, key=period_sort_key)),
                             **_judge(t, value), "illustrative": any(bool(r["illustrative"]) for r in part) or base["target_illustrative"],
                             "measured_reason_key": None, "measured_reason_period": None, "measured_grade_key": None})
        else:  # a component score or the total's grade
            where = (metric, t["unit_id"])
            if where not in scored:
                if score_rows is None:  # the scores as plain rows, once: per target only dict lookups
                    score_rows = {}
                    for rec in scores[scores["score_points"].notna()].to_dict("records"):
                        score_rows.setdefault((rec["component"], rec["unit_id"]), {})[rec["period"]] = rec
                s = score_rows.get(where, {})
                scored[where] = (s, sorted(s, key=period_sort_key))
            s, available = scored[where]
            covered = _periods_of(t, available)
            if period:
                if not _covers(t, period):
                    continue
                covered = [p for p in covered if p == period]
            if not covered:
                rows.append(_unmeasured(base, "no_data", base["period"] or str(t["year"])))
                continue
            latest = max(covered, key=period_sort_key)
            rec = s[latest]
            value = float(rec["score_points"])
            rows.append({**base, "count_source": "index", "measured_value": value, "measured_period": latest,
                         **_judge(t, value), "illustrative": bool(rec["illustrative"]) or base["target_illustrative"],
                         "measured_reason_key": None, "measured_reason_period": None,
                         "measured_grade_key": d.grade_for(value).key if metric == "total" else None})
    cols = ["year", "period", "unit", "unit_id", "metric", "metric_label", "comparator", "target_value", "target_unit",
            "target_grade_key", "count_source", "measured_value", "measured_period", "met", "margin", "source_document",
            "target_illustrative", "illustrative", "measured_reason_key", "measured_reason_period", "measured_grade_key"]
    return pd.DataFrame(rows, columns=cols)


def _column_sum(rows: list[dict], column: str):
    """A summed count column of some totals rows, as a frame's column sum gives it (missing values skipped; a
    float64 column's sum is a NumPy float, so that rounding it rounds as before)."""
    import numpy as np

    return np.float64(sum(v for v in (r[column] for r in rows) if not pd.isna(v)))


def _targets(con) -> list[dict]:
    """The plan targets as plain rows (a missing number as NaN, as a frame would hold it), in the table's order."""
    cursor = con.execute(TARGETS_SQL)
    names = [c[0] for c in cursor.description]
    rows = [dict(zip(names, r)) for r in cursor.fetchall()]
    for r in rows:
        if r["target_value"] is None:
            r["target_value"] = float("nan")
    return rows


def _unmeasured(base: dict, reason: str, reason_period: str | None) -> dict:
    """A target row with nothing measured, and the key of why."""
    return {**base, "count_source": None, "measured_value": None, "measured_period": None, "met": None, "margin": None,
            "illustrative": base["target_illustrative"], "measured_reason_key": reason,
            "measured_reason_period": reason_period, "measured_grade_key": None}


def _covers(target: dict, period: str) -> bool:
    if isinstance(target.get("period"), str):
        return target["period"] == period
    return target.get("year") == int(period[:4])


def _judge(target: dict, value: float | None) -> dict:
    if value is None:
        return {"met": None, "margin": None}
    goal = float(target["target_value"])
    margin = value - goal if target["comparator"] != "<=" else goal - value
    return {"met": _met(target["comparator"], value, goal), "margin": round(margin, 2)}


def _grade_key(d, text):
    """The key of a target grade given as a label or a key."""
    if not isinstance(text, str):
        return None
    g = d.grade_by_label(text)
    return g.key if g else text
