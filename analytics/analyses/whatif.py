"""What it would take: the points a unit can still earn, the fewest extra filings that earn them, and a simulator.

The department asks "how many more filings must we digitize (file online, resolve on time …) to gain a point, or
to reach the next grade?". This module answers with the scoring engine itself (``analytics.scoring``, the
portal's v2025 rules as fitted in the index definition), never with a re-derived formula:

- ``points_at_stake`` — per sub-indicator of a component, the points still available;
- ``what_would_it_take`` — per sub-indicator with counts, the smallest number of extra filings that raises the
  component by a given gain (or lifts the total to the next grade), found by binary search on the numerator;
- ``simulate`` — apply "N more filings of procedure X digitized / filed online / …" to the per-procedure counts
  and return the new sub-indicator points, component scores and total with its grade (the dashboard's what-if).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from analytics.definition import load_definition

from analytics.parsing import fold
from analytics.analyses.explain import (
    _check_component, _component_of_group, _scored_subindicators, columns_totals, ensure_models, inputs_points,
    named_unit, rate_pct, subindicator_breakdown, subindicator_counts, subindicator_inputs, unit_catalog_row,
    unit_procedures,
)
from analytics.periods import period_sort_key

GAIN_TOLERANCE_POINTS = 1e-9
"""Points are rounded to 0.01, so a gain is reached when it is at least the target up to float noise."""

EXTRA_OF = {"ONLINE_PROCEDURES": "procedures", "ONLINE_SERVICES_USED": "services",
            "CITIZEN_DATA_CONNECTED_FORMALITY": "procedures"}
"""What one extra unit of numerator is, where it is not one filing (one online filing in one more service, …)."""


def _published_scores(con, period: str, unit_id: str) -> dict[str, float | None]:
    """The published five-group scores and 'total' of a unit in a period (``unit_scores``); None when not published."""
    from analytics.analyses.scores import unit_scores

    s = unit_scores(con, period=period, unit_id=unit_id)
    return {c: None if pd.isna(v) else float(v) for c, v in zip(s["component"], s["score_points"])}


def _published_score(con, period: str, unit_id: str, component: str) -> float | None:
    """A published five-group score (or 'total') of a unit in a period; None when not published."""
    return _published_scores(con, period, unit_id).get(component)


def points_at_stake(con, period: str, unit_id: str, component: str | None = None) -> pd.DataFrame:
    """Per sub-indicator of a component, the points still available (max − recomputed, else max − published), largest first."""
    df = subindicator_breakdown(con, period, unit_id, component)
    cols = ["period", "unit", "unit_id", "component", "code", "numerator", "denominator", "rate_pct",
            "points", "points_recomputed", "max_points", "points_at_stake", "source"]
    return df.sort_values(["points_at_stake", "code"], ascending=[False, True], na_position="last")[cols].reset_index(drop=True)


def _target_gain(con, period: str, unit_id: str, gain_points: float | None, to_next_grade: bool) -> tuple[float, str | None]:
    """(points the component must gain, the grade aimed at) from an explicit gain or the next grade's cut-off."""
    if (gain_points is None) == (not to_next_grade):
        raise ValueError("give either gain_points or to_next_grade=True")
    if gain_points is not None:
        if gain_points <= 0:
            raise ValueError("gain_points must be positive")
        return float(gain_points), None
    total = _published_score(con, period, unit_id, "total")
    if total is None:
        raise ValueError(f"the total of {unit_id} in {period} is not published: the next grade is unknown")
    d = load_definition()
    grade = d.next_grade(total)
    if grade is None:
        raise ValueError(f"{total} is already in the top grade")
    return round(grade.min_points - total, 2), grade.key


def _smallest_extra(sub, numerator: float, denominator: float, extra: Mapping, target: float,
                    headroom: int) -> tuple[int, float, bool]:
    """(extra numerator, new points, reachable): the fewest additions to the numerator whose points gain ≥ target.

    Points never fall as the numerator grows, so binary search finds the smallest; when even the whole headroom
    falls short, returns the headroom and the points it reaches, with reachable False.
    """
    base = inputs_points(sub, numerator, denominator, extra)

    def gain(k: int) -> float:
        return inputs_points(sub, numerator + k, denominator, extra) - base

    if headroom <= 0 or gain(headroom) < target - GAIN_TOLERANCE_POINTS:
        best = max(headroom, 0)
        return best, inputs_points(sub, numerator + best, denominator, extra), False
    lo, hi = 1, headroom
    while lo < hi:
        mid = (lo + hi) // 2
        if gain(mid) >= target - GAIN_TOLERANCE_POINTS:
            hi = mid
        else:
            lo = mid + 1
    return lo, inputs_points(sub, numerator + lo, denominator, extra), True


WHATIF_COLUMNS = [
    "period", "unit", "unit_id", "component", "code", "numerator", "denominator", "rate_pct",
    "points_recomputed", "target_gain_points", "target_grade_key", "extra_filings", "extra_of", "new_numerator",
    "new_rate_pct", "new_points", "gain_points", "reachable", "source", "note_keys",
]


def what_would_it_take(con, period: str, unit_id: str, component: str, *, gain_points: float | None = None,
                       to_next_grade: bool = False, count_source: str | None = None) -> pd.DataFrame:
    """Per sub-indicator with counts, the fewest extra filings that raise the component by ``gain_points``.

    With ``to_next_grade`` the gain is what the published total lacks to reach the next grade's cut-off
    (``load_definition().next_grade``). Each sub-indicator is considered alone, the others unchanged: the
    numerator grows (filings digitized, filed online instead of in person, resolved on time …), the denominator
    stays, the numerator never exceeds it, and caps (``full_at``) are respected because the points come from
    the scoring engine. ``reachable`` is False when the sub-indicator alone cannot give the gain (then
    ``extra_filings`` is its whole headroom and ``gain_points`` the most it can give). Province-level
    sub-indicators (a department cannot move them) and those without counts are left out. ``extra_of`` says what
    one extra is where it is not a filing (a service getting its first online filing, a procedure).
    Raises ValueError for an unknown unit or component, or a target that cannot be known.
    """
    _check_component(component)
    if component is None:
        raise ValueError("a component is required")
    unit_id, unit_name = named_unit(con, unit_id)
    return _levers(con, period, unit_id, unit_name, component, gain_points, to_next_grade, count_source)


def _levers(con, period: str, unit_id: str, unit_name: str, component: str, gain_points: float | None,
            to_next_grade: bool, count_source: str | None) -> pd.DataFrame:
    """``what_would_it_take`` for a resolved unit."""
    target, grade_key = _target_gain(con, period, unit_id, gain_points, to_next_grade)
    source, counts = subindicator_counts(con, period, unit_id, count_source)
    component_of = _component_of_group()
    rows = []
    for sub in _scored_subindicators():
        if component_of[sub.group] != component or sub.scope == "province" or sub.code not in counts:
            continue
        numerator, denominator, extra = counts[sub.code]
        current = inputs_points(sub, numerator, denominator, extra)
        if numerator is None or denominator is None or current is None:
            continue
        headroom = int(round(denominator - numerator))
        k, new_points, reachable = _smallest_extra(sub, numerator, denominator, extra, target, headroom)
        gained = round(new_points - current, 2)
        notes = [] if reachable else [{"key": "at_most", "points": gained}]
        rows.append({
            "period": period, "unit": unit_name, "unit_id": unit_id, "component": component, "code": sub.code,
            "numerator": numerator, "denominator": denominator,
            "rate_pct": rate_pct(numerator, denominator), "points_recomputed": current,
            "target_gain_points": target, "target_grade_key": grade_key, "extra_filings": k,
            "extra_of": EXTRA_OF.get(sub.code, "filings"), "new_numerator": numerator + k,
            "new_rate_pct": rate_pct(numerator + k, denominator), "new_points": new_points, "gain_points": gained,
            "reachable": reachable, "source": source, "note_keys": notes,
        })
    if not rows:
        return pd.DataFrame(columns=WHATIF_COLUMNS)
    # reachable first, then the fewest extra filings (each row's keys are WHATIF_COLUMNS, in order)
    return pd.DataFrame(sorted(rows, key=lambda r: (not r["reachable"], r["extra_filings"], r["code"])))


DEFAULT_GAIN_POINTS = 1.0


def what_would_it_take_all(con, period: str | None = None, unit_id: str | None = None, component: str | None = None, *,
                           gain_points: float | None = None, to_next_grade: bool = False,
                           count_source: str | None = None) -> pd.DataFrame:
    """``what_would_it_take`` for every (period, unit, component) with counts that the filters match (the CLI's ``whatif``).

    ``period``/``unit_id``/``component`` None mean all; without ``gain_points`` or ``to_next_grade`` the gain is
    DEFAULT_GAIN_POINTS (1 point). A (period, unit) whose target cannot be known (total not published, already
    in the top grade) is left out.
    """
    _check_component(component)
    if gain_points is None and not to_next_grade:
        gain_points = DEFAULT_GAIN_POINTS
    ensure_models(con)
    pairs = con.execute("""
        SELECT DISTINCT c.period, c.unit_id, coalesce(u.display_name, c.unit_id) AS unit
        FROM (
            SELECT period, unit_id FROM stg_filing_counts
            UNION
            SELECT period, unit_id FROM portal_metrics WHERE scope = 'all'
        ) AS c
        LEFT JOIN units AS u USING (unit_id)
        WHERE (CAST(? AS VARCHAR) IS NULL OR c.period = ?) AND (CAST(? AS VARCHAR) IS NULL OR c.unit_id = ?)
    """, [period, period, unit_id, unit_id]).df()
    pairs = pairs.assign(_p=pairs["period"].map(period_sort_key)).sort_values(["_p", "unit"])
    components = [component] if component else list(load_definition().common_groups)
    frames = []
    for p, unit_id, unit_name in pairs[["period", "unit_id", "unit"]].itertuples(index=False):
        for key in components:
            try:
                frames.append(_levers(con, p, unit_id, unit_name, key, gain_points, to_next_grade, count_source))
            except ValueError:
                break  # the target is unknown for this (period, unit)
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame(columns=WHATIF_COLUMNS)
    return pd.concat(frames, ignore_index=True)


# --- the simulator ----------------------------------------------------------------------------------

TRANSFERS = {
    # action: (field raised, [fields it is taken from, in order]) — the denominator does not change
    "online": ("received_online", ["received_in_person", "received_postal"]),   # filed online instead
    "on_time": (None, [("resolved_on_time", "resolved_late"), ("pending_within_time", "pending_overdue")]),
}
RAISES = {
    # action: (field raised, field capping it: a part never exceeds its whole)
    "digitized": ("digitized_components", "received_total"),
    "electronic_result": ("electronic_results", "resolved_total"),
    "reused": ("reused_data", "received_total"),
    "synced": ("synced_filings", "received_total"),
    "paid_online": ("online_payments", "fee_filings"),
    "feedback_on_time": ("feedback_on_time", "feedback_total"),
    "feedback_satisfied": ("feedback_satisfied", "feedback_total"),
}
ACTION_ALIASES = {
    "received_online": "online", "on_time_filings": "on_time", "resolved_on_time": "on_time",
    "digitized_components": "digitized", "electronic_results": "electronic_result", "reused_data": "reused",
    "synced_filings": "synced", "online_payments": "paid_online",
}
ACTIONS = sorted({*TRANSFERS, *RAISES})


def _action(name: str) -> str:
    """The action key a name stands for (an action or the filing field it raises)."""
    key = ACTION_ALIASES.get(name, name)
    if key not in TRANSFERS and key not in RAISES:
        raise ValueError(f"unknown change {name!r}; one of {', '.join(ACTIONS)} (or the field it raises)")
    return key


def _pairs(action: str) -> list[tuple[str, str]]:
    """(to, from) field pairs a transfer moves filings along."""
    raised, sources = TRANSFERS[action]
    return [(raised, s) for s in sources] if raised else list(sources)


def _value(row: Mapping, field: str) -> int:
    """A count of a procedure row as int; ValueError when it is unknown."""
    value = row.get(field)
    if value is None or pd.isna(value):
        raise ValueError(f"{row.get('procedure_name')}: {field} is unknown, the change cannot be applied")
    return int(value)


def apply_change(row: dict, action: str, count: int) -> int:
    """Apply "count more filings <action>" to one procedure's counts in place; returns the count actually applied.

    Transfers move filings between parts of the same whole (in person → online; late → on time, then pending
    overdue → pending within time); raises add to a part up to its whole. A negative count undoes, down to 0.
    """
    applied = 0
    if action in TRANSFERS:
        pairs = _pairs(action)
        remaining = abs(count)
        for to_field, from_field in pairs:
            source, target = (from_field, to_field) if count >= 0 else (to_field, from_field)
            k = min(remaining, _value(row, source))
            row[source] = _value(row, source) - k
            row[target] = _value(row, target) + k
            remaining -= k
            applied += k
            if action == "online" and count < 0:
                break  # undoing online filings returns them to the first channel only
        applied = applied if count >= 0 else -applied
    else:
        field, cap = RAISES[action]
        old = _value(row, field)
        new = min(max(old + count, 0), _value(row, cap))
        row[field] = new
        applied = new - old
    _rederive(row)
    return applied


def _rederive(row: dict) -> None:
    """Recompute the derived counts the index definition declares (as stg_filing_counts derives them)."""
    for name, parts in load_definition().derived_counts.items():
        values = [row.get(p) for p in parts]
        if all(v is not None and not pd.isna(v) for v in values):
            row[name] = sum(values)


def _find_procedure(procs: Mapping[str, list], text: str) -> int:
    """The position of the one procedure a code or name (folded, exact or unique substring) names, in columns of
    ``procedure_columns``."""
    by_code = [i for i, c in enumerate(procs["procedure_code"]) if c == text]
    if len(by_code) == 1:
        return by_code[0]
    needle = fold(text)
    names = [fold("" if n is None else n) for n in procs["procedure_name"]]
    exact = [i for i, n in enumerate(names) if n == needle]
    if len(exact) == 1:
        return exact[0]
    partial = [i for i, n in enumerate(names) if needle in n]
    if len(partial) == 1:
        return partial[0]
    if len(partial) > 1:
        raise ValueError(f"{text!r} names several procedures: {', '.join(procs['procedure_name'][i] for i in partial[:5])}")
    raise ValueError(f"no procedure {text!r}")


SIMULATE_COLUMNS = [
    "period", "unit", "unit_id", "level", "component", "code", "procedure_code", "procedure_name",
    "action", "requested_count", "applied_count", "numerator_before", "numerator_after", "denominator",
    "rate_before_pct", "rate_after_pct", "points_before", "points_after", "change_points",
    "points_recomputed_before", "points_recomputed_after", "grade_before_key", "grade_after_key", "note_keys",
]


def simulate(con, period: str, unit_id: str, changes: Mapping[str, Mapping[str, int]], *,
             count_source: str | None = None) -> pd.DataFrame:
    """New sub-indicator points, component scores and total/grade after changing some procedures' counts.

    ``changes`` maps a procedure (code or name) to actions and counts, e.g.
    ``{"2.000304": {"online": 500, "digitized": 200}}``: actions are ``online`` (filed online instead of in
    person, then by post), ``on_time`` (overdue → on time), ``digitized``, ``electronic_result``, ``reused``,
    ``synced``, ``paid_online``, ``feedback_on_time``, ``feedback_satisfied`` (or the field they raise).
    Counts are clipped to what the procedure has (``applied_count``).

    Rows by ``level``: 'change' (what was applied), 'subindicator' (v2025 points recomputed before and after),
    'component' and 'total'. A component's new score is its **published** score plus the change of its
    recomputed points (after − before, summed over its sub-indicators, kept within 0 and the maximum): the
    published score stays the anchor, and only the part the counts explain moves — the recomputed level itself
    may differ from the published one (another index version, counts the filings do not carry). The new total is
    the published total plus the components' changes; its grade comes from the definition's cut-offs. Where
    nothing was published, the published columns stay null and the recomputed ones still show the change.
    """
    d = load_definition()
    unit_id, unit_name = named_unit(con, unit_id)
    procs = unit_procedures(con, period, unit_id, count_source)
    n = len(procs["procedure_code"])
    if not n:
        raise ValueError(f"no per-procedure filing counts for {unit_name} in {period}: nothing to simulate")
    after = {c: list(v) for c, v in procs.items()}  # the read columns are shared: change a copy
    rows = []
    for text, actions in changes.items():
        i = _find_procedure(procs, text)
        record = {c: v[i] for c, v in after.items()}
        for name, count in actions.items():
            action = _action(name)
            applied = apply_change(record, action, int(count))
            rows.append({"level": "change", "procedure_code": record["procedure_code"],
                         "procedure_name": record["procedure_name"], "action": action,
                         "requested_count": int(count), "applied_count": applied})
        for field, value in record.items():
            after[field][i] = value
    catalog_row = unit_catalog_row(con, unit_id)
    totals_before, totals_after = columns_totals(procs, n, catalog_row), columns_totals(after, n, catalog_row)
    component_of = _component_of_group()
    recomputed = {c: [0.0, 0.0] for c in d.common_groups}
    for sub in _scored_subindicators():
        before_inputs, after_inputs = subindicator_inputs(sub, totals_before), subindicator_inputs(sub, totals_after)
        if before_inputs is None or before_inputs[1] is None:
            continue
        p0, p1 = inputs_points(sub, *before_inputs), inputs_points(sub, *after_inputs)
        component = component_of[sub.group]
        recomputed[component][0] += p0 or 0.0
        recomputed[component][1] += p1 or 0.0
        rows.append({
            "level": "subindicator", "component": component, "code": sub.code,
            "numerator_before": before_inputs[0], "numerator_after": after_inputs[0], "denominator": before_inputs[1],
            "rate_before_pct": rate_pct(before_inputs[0], before_inputs[1]),
            "rate_after_pct": rate_pct(after_inputs[0], after_inputs[1]),
            "points_before": p0, "points_after": p1,
            "change_points": None if p0 is None or p1 is None else round(p1 - p0, 2),
        })
    total_change = 0.0
    scores = _published_scores(con, period, unit_id)
    for component in d.common_groups:
        r0, r1 = (round(v, 2) for v in recomputed[component])
        change = round(r1 - r0, 2)
        published = scores.get(component)
        new = None if published is None else round(min(max(published + change, 0.0), d.common_max(component)), 2)
        if published is not None:
            change = round(new - published, 2)
        total_change += change
        rows.append({"level": "component", "component": component,
                     "points_before": published, "points_after": new, "change_points": change,
                     "points_recomputed_before": r0, "points_recomputed_after": r1})
    total = scores.get("total")
    new_total = None if total is None else round(total + total_change, 2)
    grade_before, grade_after = d.grade_for(total), d.grade_for(new_total)
    rows.append({
        "level": "total", "component": "total", "points_before": total,
        "points_after": new_total, "change_points": round(total_change, 2),
        "grade_before_key": grade_before.key if grade_before else None,
        "grade_after_key": grade_after.key if grade_after else None,
        "note_keys": [] if total is not None else ["total_not_published"],
    })
    present = {c for r in rows for c in r}
    columns = {}
    for c in SIMULATE_COLUMNS:  # built once: a value a row does not have is missing, a column no row has is None
        if c in ("period", "unit", "unit_id"):
            columns[c] = {"period": period, "unit": unit_name, "unit_id": unit_id}[c]
        elif c in ("requested_count", "applied_count"):
            columns[c] = pd.array([r.get(c) for r in rows], dtype="Int64")
        elif c in present:
            columns[c] = [r.get(c, np.nan) for r in rows]
        else:
            columns[c] = pd.Series([None] * len(rows), dtype=object)
    return pd.DataFrame(columns)
