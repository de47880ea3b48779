"""Which dossiers are behind the score: counts, the false-overdue audit, the end-of-period nowcast, the worklist.

Dossier rows live in Parquet files (kind ``dossiers``, partitioned by period of receipt and unit) listed in
``dossier_files``; every query here reads only the files of the unit and periods it needs. Counts per
procedure come from ``filing_counts`` (count source ``dossiers``), written once at ingest: this module reads
them, it does not count again. Points come from the scoring engine through ``explain``'s functions, so a
projected score is computed exactly as the "why low" page computes a score from filing counts.

Two due dates, two questions:
- ``published_due_date``: the published deadline (catalogue ``Thời hạn công bố``) on Vietnam's calendar, what
  the law asks; the department's counts and the audit's verdict use it;
- ``system_due_date``: the appointment date the one-stop system set (``ngày hẹn trả``), which the national
  portal receives and judges by; the nowcast projects the portal's points with it.
A dossier late by the system's date but on time by the published one is a *false overdue*.
"""

from __future__ import annotations

import warnings
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from analytics.analyses.explain import (
    SCORING_VERSION, inputs_points, subindicator_counts, subindicator_inputs, unit_catalog, unit_totals,
)
from analytics.definition import load_definition
from analytics.periods import quarter_dates
from analytics.workdays import work_calendar

COUNT_COLUMNS = ["received", "received_online", "received_in_person", "received_postal", "resolved", "resolved_on_time",
                 "resolved_late", "pending", "pending_overdue", "digitized", "with_e_result", "synced"]
MISSING_KEYS = ("e_result", "digitized_components", "sync")


# --- where the rows are -----------------------------------------------------------------------------

def _database_folder(con) -> Path:
    from analytics.db import per_version

    def find() -> Path:
        path = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchall()[0][0]
        return Path(path).resolve().parent if path else Path.cwd()

    return per_version(con, ("database_folder",), find)


def dossier_paths(con, unit_id: str | None = None, last_period: str | None = None,
                  covering: str | None = None) -> list[str]:
    """The Parquet files of loaded dossier ingests for a unit (all when None), received up to a period, from
    ingests whose file covers a period (``covering``: an export for 2024Q1 says nothing about 2025Q2, even of
    the dossiers it lists as still open)."""
    from analytics.db import per_version

    def find() -> tuple[str, ...]:
        rows = con.execute("""
            SELECT f.file_path FROM dossier_files AS f
            JOIN ingest_log AS l ON l.ingest_id = f.ingest_id AND l.status = 'loaded'
            WHERE (CAST(? AS VARCHAR) IS NULL OR f.unit_id = ?) AND (CAST(? AS VARCHAR) IS NULL OR f.period <= ?)
              AND (CAST(? AS VARCHAR) IS NULL OR list_contains(string_split(l.periods, ','), ?))
            ORDER BY f.period, f.file_path
        """, [unit_id, unit_id, last_period, last_period, covering, covering]).fetchall()
        base = _database_folder(con)
        return tuple(str(base / p) for (p,) in rows)

    # the Overview's forecast and the Dossiers page ask for the same unit's files several times: once per version
    return list(per_version(con, ("dossier_paths", unit_id, last_period, covering), find))


def has_dossiers(con, unit_id: str | None = None) -> bool:
    """Whether any dossier rows are loaded (for a unit)."""
    try:
        return bool(dossier_paths(con, unit_id))
    except Exception:  # a database from before the dossiers kind has no dossier_files table
        return False


def default_as_of(con, unit_id: str, period: str, today: date | None = None) -> date | None:
    """The day a page looks from: today, but no later than the period's end nor the last date in the dossiers
    that cover the period (None when no dossier list covers it)."""
    paths = dossier_paths(con, unit_id, period, covering=period)
    if not paths:
        return None
    start, end = (_date(x) for x in quarter_dates(period))
    last = con.execute("SELECT max(greatest(received_date, coalesce(result_date, received_date))) "
                       "FROM read_parquet(?, hive_partitioning = false) WHERE received_date <= CAST(? AS DATE)",
                       [paths, end]).fetchall()[0][0]
    day = min(today or date.today(), end, _date(last) if last is not None else end)
    return max(day, start)


def dossier_span(con, unit_id: str | None = None) -> tuple[date, date] | None:
    """The first and last day of receipt among the loaded dossiers of a unit (None when there are none)."""
    paths = dossier_paths(con, unit_id)
    if not paths:
        return None
    lo, hi = con.execute("SELECT min(received_date), max(coalesce(result_date, received_date)) "
                         "FROM read_parquet(?, hive_partitioning = false)", [paths]).fetchall()[0]
    return (pd.Timestamp(lo).date(), pd.Timestamp(hi).date()) if lo is not None else None


SCOPE_COLUMNS = ("dossier_code, unit_id, procedure_code, department, channel, received_date, system_due_date, "
                 "result_date, published_due_date, digitized, e_result, reused, synced, paid_online, has_fee, illustrative")
"""The columns the nowcast and the worklist read (names and texts are looked up for the rows shown only)."""


def procedure_names(con, unit_id: str | None, last_period: str) -> dict[str, str]:
    """procedure_code → name, as the dossier lists of a unit give them."""
    paths = dossier_paths(con, unit_id, last_period, covering=last_period)
    if not paths:
        return {}
    return dict(con.execute("SELECT procedure_code, any_value(procedure_name) FROM read_parquet(?, hive_partitioning = false) "
                            "GROUP BY 1", [paths]).fetchall())


def _rows(con, unit_id: str | None, last_period: str, where: str, params: list, columns: str = "*") -> pd.DataFrame:
    """Dossier rows of a unit received up to a period that satisfy a condition (bound parameters only)."""
    paths = dossier_paths(con, unit_id, last_period, covering=last_period)
    if not paths:
        return pd.DataFrame()
    with warnings.catch_warnings():  # through Arrow: half the time of .df() for a unit's 25,000 rows
        warnings.simplefilter("ignore", UserWarning)
        table = con.execute(f"""
            SELECT {columns} FROM read_parquet(?, hive_partitioning = false) AS d
            WHERE (CAST(? AS VARCHAR) IS NULL OR d.unit_id = ?) AND ({where})
        """, [paths, unit_id, unit_id, *params]).to_arrow_table()
    return table.to_pandas(date_as_object=False)


def _names(con) -> dict[str, str]:
    return dict(con.execute("SELECT unit_id, display_name FROM units").fetchall())


def quarter_of(day: date) -> str:
    """The period key of the quarter a day falls in ("2025Q2")."""
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def _date(value) -> date:
    return value if isinstance(value, date) else pd.Timestamp(value).date()


def _wd_between(start, end) -> np.ndarray:
    """Working days after start up to end, per row (NaN where a date is missing)."""
    cal = work_calendar()
    s = pd.to_datetime(pd.Series(start)).values.astype("datetime64[D]")
    e = pd.to_datetime(pd.Series(end)).values.astype("datetime64[D]")
    return cal.working_days_between(s, e)


# --- counts -----------------------------------------------------------------------------------------

def dossier_counts(con, period: str | None = None, unit_id: str | None = None) -> pd.DataFrame:
    """Per (period, unit, procedure): the counts derived from dossier rows at ingest (count source ``dossiers``)."""
    return con.execute("""
        SELECT f.period, u.display_name AS unit, f.unit_id, f.procedure_code, f.procedure_name, f.department,
               f.received_total AS received, f.received_online, f.received_in_person, f.received_postal,
               f.resolved_total AS resolved, f.resolved_early + f.resolved_on_time AS resolved_on_time,
               f.resolved_late, f.pending_total AS pending, f.pending_overdue,
               f.digitized_components AS digitized, f.electronic_results AS with_e_result, f.synced_filings AS synced,
               f.illustrative
        FROM filing_counts AS f JOIN units AS u USING (unit_id)
        JOIN ingest_log AS l ON l.ingest_id = f.ingest_id AND l.status = 'loaded'
        WHERE f.count_source = 'dossiers'
          AND (CAST(? AS VARCHAR) IS NULL OR f.period = ?) AND (CAST(? AS VARCHAR) IS NULL OR f.unit_id = ?)
        ORDER BY f.period, u.display_name, f.received_total DESC, f.procedure_code
    """, [period, period, unit_id, unit_id]).df()


# --- the overdue audit ------------------------------------------------------------------------------

def _periods_with_dossiers(con, period: str | None, unit_id: str | None) -> list[str]:
    """The quarters loaded dossier lists cover (for a unit): those their ingests state."""
    rows = con.execute("""
        SELECT DISTINCT unnest(string_split(l.periods, ',')) AS period
        FROM ingest_log AS l
        WHERE l.kind = 'dossiers' AND l.status = 'loaded' AND l.periods IS NOT NULL AND l.periods <> ''
          AND (CAST(? AS VARCHAR) IS NULL OR l.ingest_id IN (SELECT ingest_id FROM dossier_files WHERE unit_id = ?))
        ORDER BY 1
    """, [unit_id, unit_id]).fetchall()
    return [p for (p,) in rows if period is None or p == period]


AUDIT_COLUMNS = ["period", "unit", "dossier_code", "procedure_code", "procedure_name", "department", "received_at",
                 "system_due_date", "published_due_date", "result_date", "verdict", "working_days_late",
                 "system_working_days_late", "portal_counted_overdue", "portal_match", "mismatch", "illustrative"]


def overdue_audit(con, period: str | None = None, unit_id: str | None = None) -> pd.DataFrame:
    """One row per dossier the system counted late in a period, with its verdict under the published deadline.

    Counted late: resolved in the period after the system's appointment date, or open at the period's end with
    that date passed. ``false_overdue``: on or before the published due date (open: not yet due at the end);
    ``late``: after it, or no published deadline to contradict the system. ``working_days_late`` counts working
    days past the published due date; ``system_working_days_late`` past the system's date. Where the file says
    which dossiers the portal counted overdue, ``portal_match`` is ``found_late`` or ``found_on_time``.
    """
    frames = []
    names = _names(con)
    for p in _periods_with_dossiers(con, period, unit_id):
        start, end = quarter_dates(p)
        df = _rows(con, unit_id, p, """
            d.received_date <= CAST(? AS DATE) AND (d.result_date IS NULL OR d.result_date >= CAST(? AS DATE))
            AND d.system_due_date IS NOT NULL
            AND ((d.result_date <= CAST(? AS DATE) AND d.result_date > d.system_due_date)
                 OR ((d.result_date IS NULL OR d.result_date > CAST(? AS DATE)) AND d.system_due_date < CAST(? AS DATE)))
        """, [end, start, end, end, end], "dossier_code, unit_id, procedure_code, procedure_name, department, received_at, "
           "system_due_date, published_due_date, result_date, portal_overdue, illustrative")
        if df.empty:
            continue
        df["period"] = p
        frames.append(df)
    if not frames:
        return pd.DataFrame(columns=AUDIT_COLUMNS)
    df = pd.concat(frames, ignore_index=True)
    end_of = {p: pd.Timestamp(quarter_dates(p)[1]) for p in df["period"].unique()}
    period_end = df["period"].map(end_of)
    open_at_end = df["result_date"].isna() | (df["result_date"] > period_end)
    judged_on = df["result_date"].where(~open_at_end, period_end)
    published = df["published_due_date"]
    on_time = published.notna() & ((~open_at_end & (df["result_date"] <= published)) | (open_at_end & (published >= period_end)))
    df["verdict"] = np.where(on_time, "false_overdue", "late")
    late_days = _wd_between(published.where(published.notna(), df["system_due_date"]), judged_on)
    df["working_days_late"] = pd.array(np.where(on_time, 0, np.maximum(late_days, 0)), dtype="Int64")
    df["system_working_days_late"] = pd.array(np.maximum(_wd_between(df["system_due_date"], judged_on), 0), dtype="Int64")
    df["result_date"] = df["result_date"].where(~open_at_end, pd.NaT)
    df["portal_counted_overdue"] = df["portal_overdue"]
    df["portal_match"] = np.where(df["portal_overdue"].fillna(False).astype(bool),
                                  np.where(on_time, "found_on_time", "found_late"), None)
    mismatches = con.execute("SELECT unit_id, procedure_code, mismatch FROM mart_deadline_mismatches").df()
    df = df.merge(mismatches, on=["unit_id", "procedure_code"], how="left")
    df["unit"] = df["unit_id"].map(names)
    for c in ("system_due_date", "published_due_date", "result_date"):
        df[c] = pd.to_datetime(df[c]).dt.date
    return df.sort_values(["period", "verdict", "procedure_code", "received_at"])[AUDIT_COLUMNS].reset_index(drop=True)


def _timeliness_subindicator():
    return next(s for s in load_definition().version(SCORING_VERSION).subindicators if s.filing_field == "on_time_filings")


def overdue_audit_summary(con, period: str | None = None, unit_id: str | None = None) -> pd.DataFrame:
    """Per (period, unit, procedure, configuration mismatch): dossiers counted late, false overdue, really late,
    and the timeliness points recovered if the false overdue ones were counted on time (scoring engine, on the
    counts the index is explained from: the portal's when loaded, else the filing counts)."""
    audit = overdue_audit(con, period, unit_id)
    cols = ["period", "unit", "procedure_code", "procedure_name", "mismatch", "counted_late", "false_overdue", "late",
            "timeliness_points_recovered", "illustrative"]
    if audit.empty:
        return pd.DataFrame(columns=cols)
    audit["mismatch"] = audit["mismatch"].fillna("")
    g = audit.groupby(["period", "unit", "procedure_code", "procedure_name", "mismatch"], dropna=False)
    out = g.agg(counted_late=("dossier_code", "size"),
                false_overdue=("verdict", lambda v: int((v == "false_overdue").sum())),
                illustrative=("illustrative", "max")).reset_index()
    out["late"] = out["counted_late"] - out["false_overdue"]
    sub = _timeliness_subindicator()
    unit_ids = {n: u for u, n in _names(con).items()}
    points, bases = [], {}
    for rec in out.to_dict("records"):
        key = (rec["period"], unit_ids.get(rec["unit"], rec["unit"]))
        if key not in bases:
            bases[key] = _portal_view_timeliness(con, *key)
        num, den = bases[key]
        before = inputs_points(sub, num, den) if den else None
        after = inputs_points(sub, min(den, num + rec["false_overdue"]), den) if den and num is not None else None
        points.append(None if before is None or after is None else round(after - before, 2))
    out["timeliness_points_recovered"] = points
    return out.sort_values(["period", "false_overdue"], ascending=[True, False])[cols].reset_index(drop=True)


def _portal_view_timeliness(con, period: str, unit_id: str) -> tuple[float | None, float | None]:
    """(filings on time, filings) as the portal counts them: its own counts when loaded (published metrics or
    portal-counted filings), else the dossiers judged by the system's appointment dates at the period's end."""
    sub = _timeliness_subindicator()
    portal_loaded = con.execute("""
        SELECT (SELECT count(*) FROM portal_metrics WHERE period = ? AND unit_id = ? AND scope = 'all')
             + (SELECT count(*) FROM filing_counts WHERE period = ? AND unit_id = ? AND count_source = 'portal')
    """, [period, unit_id, period, unit_id]).fetchall()[0][0]
    if portal_loaded:
        _, counts = subindicator_counts(con, period, unit_id)
        num, den, _ = counts.get(sub.code, (None, None, {}))
        return num, den
    start, end = quarter_dates(period)
    paths = dossier_paths(con, unit_id, period, covering=period)
    if not paths:
        return None, None
    # as _scenario_counts counts on_time_filings / received_total at the period's end, in one SQL aggregate
    on_time, received = con.execute("""
        WITH d AS (
            SELECT *, coalesce(system_due_date, published_due_date) AS due
            FROM read_parquet(?, hive_partitioning = false)
            WHERE unit_id = ? AND received_date <= CAST(? AS DATE)
              AND (result_date IS NULL OR result_date >= CAST(? AS DATE))
        )
        SELECT count(*) FILTER (WHERE (result_date <= CAST(? AS DATE) AND (due IS NULL OR result_date <= due))
                                   OR ((result_date IS NULL OR result_date > CAST(? AS DATE))
                                       AND (due IS NULL OR due >= CAST(? AS DATE)))),
               count(*)
        FROM d
    """, [paths, unit_id, end, start, end, end, end]).fetchall()[0]
    return (float(on_time), float(received)) if received else (None, None)


def overdue_points_recovered(con, period: str, unit_id: str) -> float | None:
    """Timeliness points recovered if every false overdue dossier of a period were counted on time (all at once:
    the engine rounds each score, so this is not the sum of the per-procedure figures)."""
    audit = overdue_audit(con, period, unit_id)
    num, den = _portal_view_timeliness(con, period, unit_id)
    if audit.empty or not den or num is None:
        return None if not den else 0.0
    sub = _timeliness_subindicator()
    false = int((audit["verdict"] == "false_overdue").sum())
    return round(inputs_points(sub, min(den, num + false), den) - inputs_points(sub, num, den), 2)


# --- the nowcast --------------------------------------------------------------------------------------

SCOPE_SQL = """
    d.received_date <= CAST(? AS DATE) AND d.received_date <= CAST(? AS DATE)
    AND (d.result_date IS NULL OR d.result_date >= CAST(? AS DATE))
"""


BOOL_COLUMNS = ("digitized", "e_result", "reused", "synced", "paid_online", "has_fee", "illustrative")
DATE_COLUMNS = ("received_date", "system_due_date", "result_date", "published_due_date")


def _scope(con, unit_id: str, as_of: date, period: str) -> pd.DataFrame:
    """The dossiers of a period known on a day: received by then, not resolved before the period began.

    A result after ``as_of`` is not known yet: such a dossier is open on ``as_of``. Yes/no columns come back as
    plain booleans (blank = no) and dates as day numbers, so the scenarios below are numpy arithmetic.
    """
    start, end = quarter_dates(period)
    df = _rows(con, unit_id, period, SCOPE_SQL, [as_of, end, start], SCOPE_COLUMNS)
    if df.empty:
        return df
    for c in BOOL_COLUMNS:
        df[c] = df[c].fillna(False).astype(bool)
    for c in DATE_COLUMNS:
        df[c] = pd.to_datetime(df[c]).astype("datetime64[s]")
    df["resolved_now"] = df["result_date"].notna() & (df["result_date"] <= pd.Timestamp(as_of))
    return df


FLAG_ORDER = ("received_total", "received_online", "received_in_person", "received_postal", "carried_over",
              "resolved_total", "resolved_early", "resolved_on_time", "resolved_late", "pending_total",
              "pending_within_time", "pending_overdue", "digitized_components", "electronic_results", "reused_data",
              "fee_filings", "online_payments", "synced_filings", "received_new", "on_time_filings", "overdue_filings")


def _scenario_counts(df: pd.DataFrame, period: str, *, all_close: bool) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """(per-procedure counts at the period's end, per-dossier numerator flags) under one scenario.

    The portal judges by the system's appointment date; a dossier still open at the end is judged against
    the period's last day. ``all_close``: every open dossier closes on time, and every dossier has its
    electronic result, digitized components and sync.
    """
    start, end = (np.datetime64(x, "s") for x in quarter_dates(period))
    sys_due = df["system_due_date"].to_numpy()
    due = np.where(np.isnat(sys_due), df["published_due_date"].to_numpy(), sys_due)
    no_due = np.isnat(due)
    result = df["result_date"].to_numpy()
    now = df["resolved_now"].to_numpy()
    n = len(df)
    true, false = np.ones(n, bool), np.zeros(n, bool)
    with np.errstate(invalid="ignore"):
        on_time_done = now & (no_due | (result <= due))
    if all_close:
        resolved, on_time, pending_on_time = true, on_time_done | ~now, false
        e_result, digitized, synced = true, true, true
    else:
        resolved, on_time = now, on_time_done
        pending_on_time = ~now & (no_due | (due >= end))
        e_result = now & df["e_result"].to_numpy()
        digitized, synced = df["digitized"].to_numpy(), df["synced"].to_numpy()
    new = df["received_date"].to_numpy() >= start
    channel = df["channel"].to_numpy(dtype=object)
    flags = {
        "received_total": true, "received_online": new & (channel == "online"),
        "received_in_person": new & (channel == "in_person"), "received_postal": new & (channel == "postal"),
        "carried_over": ~new, "resolved_total": resolved, "resolved_early": false,
        "resolved_on_time": on_time & resolved, "resolved_late": resolved & ~on_time, "pending_total": ~resolved,
        "pending_within_time": pending_on_time, "pending_overdue": ~resolved & ~pending_on_time,
        "digitized_components": digitized, "electronic_results": e_result, "reused_data": df["reused"].to_numpy(),
        "fee_filings": df["has_fee"].to_numpy(), "online_payments": df["paid_online"].to_numpy(), "synced_filings": synced,
    }
    flags["received_new"] = flags["received_online"] | flags["received_in_person"] | flags["received_postal"]
    flags["on_time_filings"] = flags["resolved_on_time"] | flags["pending_within_time"]
    flags["overdue_filings"] = flags["resolved_late"] | flags["pending_overdue"]
    index, codes = pd.factorize(df["procedure_code"].fillna(""))
    codes = np.asarray(codes, dtype=object)
    procs = pd.DataFrame({k: np.bincount(index, weights=flags[k], minlength=len(codes)).astype("int64") for k in FLAG_ORDER})
    procs.insert(0, "procedure_code", codes)
    return procs, flags


def _catalog_inputs(con, unit_id: str):
    """(the unit's catalogue row of ``unit_catalog`` or None, per-procedure online-service and fee attributes)."""
    catalog = unit_catalog(con)
    attrs = con.execute("""SELECT procedure_code, bool_or(fold_text(service_level) IN ('toan trinh', 'mot phan')) AS is_online_service,
                                  bool_or(has_fee) AS has_fee
                           FROM procedure_catalog WHERE unit_id = ? GROUP BY procedure_code""", [unit_id]).df()
    return (catalog.loc[unit_id] if unit_id in catalog.index else None), attrs


def _points(procs: pd.DataFrame, catalog_row, attrs: pd.DataFrame) -> dict[str, float | None]:
    """Sub-indicator code → points the engine gives these per-procedure counts (None when not countable)."""
    frame = procs.merge(attrs, on="procedure_code", how="left")
    totals = unit_totals(frame, catalog_row)
    out = {}
    for sub in load_definition().version(SCORING_VERSION).subindicators:
        if sub.rule == "informational" or not sub.filing_field:
            continue
        inputs = subindicator_inputs(sub, totals)
        if inputs is None or inputs[1] is None:
            continue
        out[sub.code] = inputs_points(sub, *inputs)
    return out


def _nowcast_parts(con, unit_id: str, as_of: date, period: str):
    """(scope rows, sub-indicator table, per-dossier points at risk) of one unit on one day."""
    df = _scope(con, unit_id, as_of, period)
    if df.empty:
        return df, pd.DataFrame(), pd.Series(dtype=float)
    procs_a, flags_a = _scenario_counts(df, period, all_close=False)
    procs_b, flags_b = _scenario_counts(df, period, all_close=True)
    catalog_row, attrs = _catalog_inputs(con, unit_id)
    points_a, points_b = _points(procs_a, catalog_row, attrs), _points(procs_b, catalog_row, attrs)
    d = load_definition()
    version = d.version(SCORING_VERSION)
    component_of = {g.key: g.rolls_up_to for g in version.groups}
    rows, share = [], pd.Series(0.0, index=df.index)
    for sub in version.subindicators:
        if sub.code not in points_a:
            continue
        a, b = points_a[sub.code], points_b.get(sub.code)
        risk = None if a is None or b is None else round(b - a, 2)
        changed = flags_b[sub.filing_field] & ~flags_a[sub.filing_field] if sub.filing_field in flags_a else None
        if risk and changed is not None and changed.any():
            share = share + changed.astype(float) * (risk / changed.sum())
        rows.append({"component": component_of[sub.group], "code": sub.code, "label_vi": sub.label_vi,
                     "label_en": sub.label_en, "max_points": sub.max_points,
                     "points_if_no_action": a, "points_if_all_close": b, "points_at_risk": risk,
                     "dossiers_to_act_on": int(changed.sum()) if changed is not None else 0})
    return df, pd.DataFrame(rows), share


def nowcast(con, as_of, unit_id: str | None = None, period: str | None = None) -> pd.DataFrame:
    """Per (unit, component) on a day inside a period: projected end-of-period points if nothing changes, if
    every open dossier closes on time and complete, and the difference (points at risk).

    Only the sub-indicators dossiers can count are projected (timeliness, digitization, online filing, payment,
    sync); ``subindicators`` names them.
    """
    as_of = _date(as_of)
    period = period or quarter_of(as_of)
    units = [unit_id] if unit_id else [u for (u,) in con.execute(
        "SELECT DISTINCT unit_id FROM dossier_files ORDER BY 1").fetchall()]
    names = _names(con)
    out = []
    for u in units:
        df, subs, _ = _nowcast_parts(con, u, as_of, period)
        if subs.empty:
            continue
        open_now = int((~df["resolved_now"]).sum())
        for comp, g in subs.groupby("component", sort=False):
            known = g.dropna(subset=["points_if_no_action", "points_if_all_close"])
            out.append({"period": period, "as_of": as_of, "unit": names.get(u, u), "unit_id": u, "component": comp,
                        "subindicators": ", ".join(g["code"]), "max_points": float(g["max_points"].sum()),
                        "points_if_no_action": round(float(known["points_if_no_action"].sum()), 2),
                        "points_if_all_close": round(float(known["points_if_all_close"].sum()), 2),
                        "points_at_risk": round(float(known["points_at_risk"].sum()), 2),
                        "dossiers_in_period": len(df), "open_dossiers": open_now,
                        "illustrative": bool(df["illustrative"].any())})
    return pd.DataFrame(out, columns=["period", "as_of", "unit", "unit_id", "component", "subindicators", "max_points",
                                      "points_if_no_action", "points_if_all_close", "points_at_risk",
                                      "dossiers_in_period", "open_dossiers", "illustrative"])


def nowcast_subindicators(con, as_of, unit_id: str, period: str | None = None) -> pd.DataFrame:
    """The nowcast per sub-indicator of one unit (the rows ``nowcast`` sums per component)."""
    as_of = _date(as_of)
    _, subs, _ = _nowcast_parts(con, unit_id, as_of, period or quarter_of(as_of))
    return subs


def points_at_risk_by(con, as_of, unit_id: str, by: str = "procedure_code", period: str | None = None) -> pd.DataFrame:
    """Points at risk ranked by dossier (``dossier_code``), procedure (``procedure_code``) or ``department``."""
    as_of = _date(as_of)
    df, _, share = _nowcast_parts(con, unit_id, as_of, period or quarter_of(as_of))
    if df.empty:
        return pd.DataFrame(columns=[by, "dossiers", "points_at_risk"])
    frame = df.assign(points_at_risk=share.values)
    frame = frame[frame["points_at_risk"] > 0]
    out = frame.groupby(by, dropna=False).agg(dossiers=("dossier_code", "size"), points_at_risk=("points_at_risk", "sum"))
    out["points_at_risk"] = out["points_at_risk"].round(4)
    out = out.reset_index().sort_values("points_at_risk", ascending=False).reset_index(drop=True)
    if by == "procedure_code":
        out.insert(1, "procedure_name", out["procedure_code"].map(procedure_names(con, unit_id, period or quarter_of(as_of))))
    return out


# --- the worklist -----------------------------------------------------------------------------------

WORKLIST_COLUMNS = ["dossier_code", "procedure_code", "procedure_name", "department", "state", "due_date",
                    "system_due_date", "working_days_left", "missing", "points_at_risk", "illustrative"]


def worklist(con, as_of, unit_id: str | None = None, within_days: int = 5) -> pd.DataFrame:
    """What to do this week: open dossiers due within N working days (or overdue), resolved dossiers missing their
    electronic result or digitized components, dossiers not synced — each with the points it carries.

    ``due_date`` is the published due date (the system's when the catalogue has none); ``working_days_left`` counts
    working days from ``as_of`` to it (negative: overdue); ``missing`` lists e_result, digitized_components, sync.
    """
    as_of = _date(as_of)
    period = quarter_of(as_of)
    units = [unit_id] if unit_id else [u for (u,) in con.execute("SELECT DISTINCT unit_id FROM dossier_files").fetchall()]
    frames = []
    for u in units:
        df, _, share = _nowcast_parts(con, u, as_of, period)
        if df.empty:
            continue
        df = df.assign(points_at_risk=share.values)
        resolved = df["resolved_now"]
        df["state"] = np.where(resolved, "resolved", "open")
        df["due_date"] = df["published_due_date"].where(df["published_due_date"].notna(), df["system_due_date"])
        left = work_calendar().working_days_between(np.datetime64(as_of, "D"),
                                                    df["due_date"].to_numpy().astype("datetime64[D]"))
        left = np.where(resolved.to_numpy(), np.nan, left)
        df["working_days_left"] = pd.array(left, dtype="Float64").round().astype("Int64")
        gaps = np.column_stack([(resolved & ~df["e_result"].fillna(False).astype(bool)).to_numpy(),
                                ~df["digitized"].fillna(False).astype(bool).to_numpy(),
                                ~df["synced"].fillna(False).astype(bool).to_numpy()])
        texts = np.array([", ".join(k for k, on in zip(MISSING_KEYS, (c >> 2 & 1, c >> 1 & 1, c & 1)) if on)
                          for c in range(8)], dtype=object)
        df["missing"] = texts[gaps[:, 0] * 4 + gaps[:, 1] * 2 + gaps[:, 2]]
        due_soon = ~resolved & (df["working_days_left"].fillna(within_days + 1) <= within_days)
        df = df[due_soon | (df["missing"] != "")]
        frames.append(df)
    if not frames:
        return pd.DataFrame(columns=WORKLIST_COLUMNS)
    out = pd.concat(frames, ignore_index=True)
    out["points_at_risk"] = out["points_at_risk"].round(4)
    names = {}
    for u in out["unit_id"].unique():
        names.update(procedure_names(con, u, period))
    out["procedure_name"] = out["procedure_code"].map(names)
    for c in ("due_date", "system_due_date"):
        out[c] = pd.to_datetime(out[c]).dt.date
    out = out.sort_values(["points_at_risk", "working_days_left"], ascending=[False, True], na_position="last")
    return out[WORKLIST_COLUMNS].reset_index(drop=True)
