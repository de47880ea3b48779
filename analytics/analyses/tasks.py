"""Each assigned task followed into the next quarters: did the number it was meant to move actually move?

A task answers one period's results (``period``, e.g. 2024Q2) and names the metric it should move: a
component score (``unit_scores``), a rate or count measured from filing counts (``filing_measures``; the
national portal's counts when it has them, since the portal scores, else the department's own) or a
sub-indicator's rate (``subindicator_breakdown``). ``value_at_assignment`` is the metric in the task's
period, ``latest_value`` the metric in the latest later period with a value (up to ``through``), and the
status says whether it moved the right way, whether the due date has passed (on ``as_of``, default today),
or that the next period has no figures yet.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from analytics.analyses.provenance import derived_illustrative
from analytics.periods import period_sort_key

# Where a smaller number is the better one (every other metric should rise).
LOWER_IS_BETTER = {"overdue_filings_count", "waiting_time_min"}
STATUSES = ("moved", "due_not_moved", "overdue", "awaiting_data", "no_data")

COLUMNS = ["unit", "unit_id", "period", "department", "task_text", "due_date", "due_text",
           "due_passed", "metric", "metric_kind", "value_unit", "count_source", "value_at_assignment",
           "latest_period", "latest_value", "change", "moved", "status", "source_document", "illustrative",
           "source_file", "row_number"]

TASKS_SQL = """
SELECT t.*, coalesce(u.display_name, t.unit_id) AS unit
FROM tasks AS t LEFT JOIN units AS u USING (unit_id)
WHERE (? IS NULL OR t.unit_id = ?) AND (? IS NULL OR t.period = ?)
ORDER BY t.unit_id, t.period, t.due_date NULLS LAST, t.ingest_id, t.row_number
"""


def assigned_tasks(con, period: str | None = None, unit_id: str | None = None) -> pd.DataFrame:
    """The loaded tasks (empty when the database has no tasks table yet)."""
    # duckdb_tables(), not information_schema: the latter costs more than the query itself on a fresh connection
    has = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'tasks'").fetchall()[0][0]
    if not has:
        return pd.DataFrame()
    return con.execute(TASKS_SQL, [unit_id, unit_id, period, period]).df()


def metric_series(con, unit_id: str, metric: str, kind: str) -> pd.DataFrame:
    """The metric's value per period for one unit: period, value, value_unit, count_source, illustrative.

    Component scores and the total from ``unit_scores``; metrics from ``filing_measures`` (portal counts
    preferred, else own records, per period); sub-indicators as the rate of ``subindicator_breakdown``.
    """
    return _series(_history(con, unit_id, kind), metric, kind)


def _history(con, unit_id: str, kind: str) -> pd.DataFrame:
    """The unit's whole history a metric of this kind is read from (scores, filing measures or sub-indicators)."""
    if kind == "component":
        from analytics.analyses.scores import unit_scores

        return unit_scores(con, unit_id=unit_id)
    if kind == "metric":
        from analytics.analyses.measures import filing_measures

        return filing_measures(con, unit_id=unit_id)
    from analytics.analyses.explain import subindicator_breakdown

    return subindicator_breakdown(con, unit_id=unit_id)


def _series(history: pd.DataFrame, metric: str, kind: str) -> pd.DataFrame:
    cols = ["period", "value", "value_unit", "count_source", "illustrative"]
    if kind == "component":
        s = history
        s = s[(s["component"] == metric) & s["score_points"].notna()]
        return pd.DataFrame({"period": s["period"], "value": s["score_points"].astype(float), "value_unit": "points",
                             "count_source": "index", "illustrative": s["illustrative"].astype(bool)})[cols]
    if kind == "metric":
        m = history
        m = m[(m["metric"] == metric) & m["value"].notna()].copy()
        if m.empty:
            return pd.DataFrame(columns=cols)
        m["_rank"] = (m["count_source"] != "portal").astype(int)
        m = m.sort_values(["period", "_rank"]).drop_duplicates("period")
        return pd.DataFrame({"period": m["period"], "value": m["value"].astype(float), "value_unit": m["value_unit"],
                             "count_source": m["count_source"], "illustrative": m["illustrative"].astype(bool)})[cols]
    b = history
    b = b[(b["code"] == metric) & b["rate_pct"].notna()]
    if b.empty:
        return pd.DataFrame(columns=cols)
    return pd.DataFrame({"period": b["period"], "value": b["rate_pct"].astype(float), "value_unit": "pct",
                         "count_source": b["source"], "illustrative": b["illustrative"].astype(bool)})[cols]


def task_followup(con, period: str | None = None, unit_id: str | None = None, *, through: str | None = None,
                  as_of: date | None = None) -> pd.DataFrame:
    """One row per task: its metric when given and in the latest later period (up to ``through``), the change,
    whether it moved the right way, whether its due date has passed on ``as_of``, and a status.

    ``status``: ``moved`` (the number moved the right way), ``due_not_moved`` (not moved, not yet due or no due
    date), ``overdue`` (not moved and past due), ``awaiting_data`` (no later period has a value yet),
    ``no_data`` (the metric has no value in the task's period). ``period`` filters tasks by the period given.
    Keys and numbers: ``analytics.labels.labelled`` adds ``period_label`` and ``metric_label``.
    """
    tasks = assigned_tasks(con, period, unit_id)
    if tasks.empty:
        return pd.DataFrame(columns=COLUMNS)
    as_of = as_of or date.today()
    limit = period_sort_key(through) if through else None
    series: dict[tuple, tuple[list[dict], object]] = {}  # per (unit, metric, kind): the series' rows, its value unit
    histories: dict[tuple, pd.DataFrame] = {}  # each unit's history read once per kind, not once per metric
    keys: dict[str, tuple] = {}  # period → its sort key, computed once
    rows = []
    for t in tasks.to_dict("records"):
        key = (t["unit_id"], t["metric"], t["metric_kind"])
        if key not in series:
            where = (t["unit_id"], t["metric_kind"])
            if where not in histories:
                histories[where] = _history(con, *where)
            s = _series(histories[where], t["metric"], t["metric_kind"])
            series[key] = (s.to_dict("records"), s["value_unit"].iloc[0] if len(s) else None)
        records, value_unit = series[key]
        for r in records:
            if r["period"] not in keys:
                keys[r["period"]] = period_sort_key(r["period"])
        given = period_sort_key(t["period"])
        at = [r for r in records if r["period"] == t["period"]]
        latest = None  # the latest later period up to ``through`` (the first of equals, in the series' order)
        for r in records:
            k = keys[r["period"]]
            if given < k and (limit is None or k <= limit) and (latest is None or k > keys[latest["period"]]):
                latest = r
        before = float(at[0]["value"]) if at else None
        after = float(latest["value"]) if latest is not None else None
        change = round(after - before, 2) if before is not None and after is not None else None
        lower = t["metric"] in LOWER_IS_BETTER
        moved = None if change is None else (change < 0 if lower else change > 0)
        due = t["due_date"].date() if isinstance(t["due_date"], pd.Timestamp) else t["due_date"]
        due = None if due is None or pd.isna(due) else due
        due_passed = None if due is None else as_of > due
        if before is None:
            status = "no_data"
        elif moved is None:
            status = "awaiting_data"
        elif moved:
            status = "moved"
        else:
            status = "overdue" if due_passed else "due_not_moved"
        illustrative = derived_illustrative(bool(t["illustrative"]), any(bool(r["illustrative"]) for r in at),
                                            latest is not None and bool(latest["illustrative"]))
        rows.append({"unit": t["unit"], "unit_id": t["unit_id"], "period": t["period"],
                     "department": t["department"],
                     "task_text": t["task_text"], "due_date": due, "due_text": t["due_text"], "due_passed": due_passed,
                     "metric": t["metric"], "metric_kind": t["metric_kind"],
                     "value_unit": value_unit,
                     "count_source": at[0]["count_source"] if at else None,
                     "value_at_assignment": before, "latest_period": None if latest is None else latest["period"],
                     "latest_value": after, "change": change, "moved": moved, "status": status,
                     "source_document": t["source_document"], "illustrative": illustrative,
                     "source_file": t["source_file"], "row_number": t["row_number"]})
    return pd.DataFrame(rows, columns=COLUMNS)

