"""Why a unit scores what it scores: every sub-indicator's counts, rate and points, and where the missing filings are.

The published tables give five component scores; the department needs to know which counts move them. This
module produces:

- ``subindicator_breakdown`` — one row per (period, unit, sub-indicator): numerator, denominator, rate, the
  published points (portal units), the points recomputed from the counts by the scoring engine
  (``analytics.scoring``), the maximum and the points still at stake. It backs ``explain`` (CLI and dashboard);
- ``component_breakdown`` — the same rolled up to the five common components, next to the published score;
- ``shortfall_pareto`` / ``department_shortfall`` — the procedures (and offices) holding the filings missing from a
  sub-indicator's numerator, largest first, with the 80 % that matter;
- ``mix_rate_split`` — a rate's change between two periods split into a mix effect (filings shifted between
  procedures) and a rate effect (rates changed inside procedures), in percentage points and in index points.

Counts come from two places: the national portal's published sub-indicator counts (``portal_metrics``) and the
per-procedure filing counts a unit loads (``filing_counts`` through the SQL models ``stg_filing_counts`` and
``mart_procedure_filings``; ``count_source`` 'portal' preferred, else 'own'). Which filing column feeds which
sub-indicator is the index definition's ``filing_field``/``filing_denominator`` (columns of stg_filing_counts,
including its derived ``received_new`` and ``on_time_filings``); the counts that need the procedure catalogue
(procedures offered online, services with an online filing, fee procedures) are ``CATALOG_INPUTS`` and
``payment_extra`` below. Recomputed points always come from ``analytics.scoring``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from analytics.analyses import stored
from analytics.db import SQL_DIR, create_macros, create_view
from analytics.definition import SubIndicator, load_definition, version_for_period
from analytics.periods import period_kind, period_sort_key
from analytics.scoring import payment_part_points, score_frame, subindicator_points

SCORING_VERSION = "v2025"
"""Filing counts are scored by the portal's current rules (v2025), whatever version a period was published under."""

MODELS = ("stg_filing_counts", "mart_procedure_filings", "mart_unit_catalog", "mart_own_vs_portal",
          "mart_deadline_mismatches")
"""The SQL models the explanations read, in dependency order."""

COUNT_FIELDS = (
    "received_total", "received_online", "received_in_person", "received_postal", "carried_over",
    "resolved_total", "resolved_early", "resolved_on_time", "resolved_late",
    "pending_total", "pending_within_time", "pending_overdue",
    "digitized_components", "electronic_results", "reused_data", "fee_filings", "online_payments",
    "synced_filings", "feedback_total", "feedback_on_time", "feedback_satisfied",
    "received_new", "on_time_filings", "overdue_filings",
)
"""Per-procedure counts of stg_filing_counts (the last three derived there), summed per unit and period."""

CATALOG_INPUTS = {
    # ONLINE_PROCEDURES: portal partialCount + fullCount / authorityCount (catalogue "Mức độ DVC")
    "ONLINE_PROCEDURES": ("online_procedures_count", "procedures_count"),
    # ONLINE_SERVICES_USED: portal onlineDossierCount / onlineServiceTotal = online services with ≥ 1 online filing
    "ONLINE_SERVICES_USED": ("online_services_used_count", "online_procedures_count"),
}
"""Sub-indicators counted in procedures rather than filings: (numerator, denominator) keys of ``unit_totals``."""

PAYMENT_PART3_ASSUMED = 0
"""totalFeeDossierFormality (payment part 3, 2 points) has no documented meaning and no filing column: taken as 0,
the value 9 of the 15 Phú Thọ departments publish, so recomputed payment points are a lower bound (by ≤ 2)."""

BREAKDOWN_COLUMNS = [
    "period", "unit", "unit_id", "component", "group", "code", "scope",
    "numerator", "denominator", "rate_pct", "points", "points_recomputed", "max_points", "points_at_stake",
    "component_points", "component_points_published", "component_points_recomputed", "unexplained_points",
    "recomputed_complete", "unexplained_note_keys", "filings_to_full_points", "source", "count_source",
    "index_version", "illustrative", "note_keys",
]

# --- SQL models -------------------------------------------------------------------------------------

def ensure_models(con) -> None:
    """Make this module's SQL models current on the connection, as temporary views (safe on read-only files).

    A database written before these models existed, or before they last changed, has no or stale views; the
    temporary views shadow them for this connection only. Created once per connection.
    """
    from analytics.db import views_current

    if views_current(con):  # written by this code: the database's own views are the models
        return
    present = {r[0] for r in con.execute(
        "SELECT view_name FROM duckdb_views() WHERE temporary AND view_name IN (SELECT unnest(?::VARCHAR[]))",
        [list(MODELS)]).fetchall()}
    if present == set(MODELS):
        return
    create_macros(con, temporary=True)
    for name in MODELS:
        create_view(con, SQL_DIR / f"{name}.sql", temporary=True)


# --- counts per unit --------------------------------------------------------------------------------

def procedure_filings(con, period: str | None = None, unit_id: str | None = None,
                      count_source: str | None = None, *, columns: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Per-procedure filing counts with catalogue attributes, from the preferred count source unless one is named
    (``columns``: only these, in this order; every column by default). Read from the rows stored at ingest when
    they are current (``analyses.stored``)."""
    from analytics.db import duckdb_frame, per_version

    table = stored.table(con, "procedure_filings")
    if table is None:
        ensure_models(con)
    select = "*" if columns is None else ", ".join(columns)

    def read() -> pd.DataFrame:
        where, params = _procedure_where(period, unit_id, count_source)
        return con.execute(_procedure_sql(table, select, where), params).df()

    if table is None:  # computed from the models: read every time
        return read()

    def kept() -> pd.DataFrame:
        rows = _kept_procedure_rows(con, period, unit_id, count_source)
        if rows is not None and columns is not None:
            rows = rows.select(list(columns))
        df = None if rows is None or rows.num_rows == 0 else duckdb_frame(rows)
        return df if df is not None else read()  # no row: DuckDB types an empty result its own way

    # a page's analyses ask for the same unit's counts several times: read once per version of the file
    key = ("procedure_filings", period, unit_id, count_source) + (() if columns is None else (columns,))
    return per_version(con, key, kept).copy()


PROCEDURE_ORDER = "ORDER BY period, unit_id, count_source, procedure_code, name_key"


def _procedure_where(period, unit_id, count_source, every_source: bool = False) -> tuple[str, list]:
    """The one filter of a unit's procedure counts (``procedure_filings``, ``_read_procedures``): a period and a
    unit when given, and the preferred count source unless one is named (every source: no source filter)."""
    source = "TRUE" if every_source else \
        "CASE WHEN CAST(? AS VARCHAR) IS NULL THEN is_preferred_source ELSE count_source = ? END"
    return (f"(CAST(? AS VARCHAR) IS NULL OR period = ?) AND (CAST(? AS VARCHAR) IS NULL OR unit_id = ?) AND ({source})",
            [period, period, unit_id, unit_id, *([] if every_source else [count_source, count_source])])


def _procedure_sql(table: str | None, columns: str, where: str) -> str:
    """The selection of a unit's procedure counts ``procedure_filings`` reads (its filter: ``_procedure_where``)."""
    return f"SELECT {columns} FROM {table or 'mart_procedure_filings'} WHERE {where} {PROCEDURE_ORDER}"


def _kept_procedure_rows(con, period, unit_id, count_source):
    """``_procedure_sql``'s rows for one (period, unit) taken from its stored Arrow copy (in ``PROCEDURE_ORDER``,
    fetched once per version of the file); None without a period and unit, or without a copy (the caller asks
    DuckDB)."""
    if period is None or unit_id is None:
        return None
    pair = stored.pair_copy(con, "procedure_filings", period, unit_id)
    if pair is None:
        return None
    return stored.rows_where(pair, {"is_preferred_source": True} if count_source is None else {"count_source": count_source})


def procedure_columns(con, period: str | None, unit_id: str | None, count_source: str | None, columns, *,
                      every_source: bool = False) -> dict[str, list]:
    """Some columns of ``procedure_filings``'s rows (the same rows, in its order) as lists of Python values, None
    where a value is missing: an analysis that needs two counts of a unit's procedures converts those, not all
    42 columns. ``every_source``: the rows of every count source, not only the preferred (or named) one.

    Read once per version of the file, like ``procedure_filings``; the columns come in the order asked, and the
    lists are shared between callers: do not change them. A unit's rows in one period are read once for every source and the columns in ``UNIT_ROWS``:
    the analyses of a page pick theirs from them."""
    from analytics.db import per_version

    columns = tuple(dict.fromkeys(columns))
    table = stored.table(con, "procedure_filings")
    if table is None:  # computed from the models: read every time
        ensure_models(con)
        return _read_procedures(con, "mart_procedure_filings", period, unit_id, count_source, every_source, columns)
    key = ("procedure_columns", period, unit_id, count_source, every_source, columns)
    if period is None or unit_id is None or not set(columns) <= set(UNIT_ROWS):
        return per_version(con, key, lambda: _read_procedures(con, table, period, unit_id, count_source, every_source,
                                                              columns))

    def unit_rows() -> dict[str, list]:
        pair = stored.pair_copy(con, "procedure_filings", period, unit_id)  # stored in PROCEDURE_ORDER
        if pair is not None:
            return pair.select(list(UNIT_ROWS)).to_pydict()  # Python values, None where missing: as fetched
        return _read_procedures(con, table, period, unit_id, None, True, UNIT_ROWS)

    def pick() -> dict[str, list]:
        rows = per_version(con, ("unit_rows", period, unit_id), unit_rows)
        keep = range(len(rows["count_source"])) if every_source else [
            i for i, (source, preferred) in enumerate(zip(rows["count_source"], rows["is_preferred_source"]))
            if (preferred if count_source is None else source == count_source)]
        return {c: [rows[c][i] for i in keep] for c in columns}

    return per_version(con, key, pick)


_ORDER_COLUMNS = ("period", "unit_id", "count_source", "procedure_code", "name_key")
"""``PROCEDURE_ORDER``'s columns: the rows read are put in that order here (DuckDB's sort costs more than the
rows do; missing values last, as ORDER BY puts them)."""


def _read_procedures(con, table: str, period: str | None, unit_id: str | None, count_source: str | None,
                     every_source: bool, columns: tuple) -> dict[str, list]:
    read = (*_ORDER_COLUMNS, *(c for c in columns if c not in _ORDER_COLUMNS))
    where, params = _procedure_where(period, unit_id, count_source, every_source)
    quoted = ", ".join(f'"{c}"' for c in read)
    rows = con.execute(f"SELECT {quoted} FROM {table} WHERE {where}", params).fetchall()
    try:  # values compared as they are, as long as no missing one has to be compared (then: missing last)
        rows.sort(key=lambda r: r[:5])
    except TypeError:
        rows.sort(key=lambda r: tuple(_text_key(v) for v in r[:5]))
    at = {c: i for i, c in enumerate(read)}
    return {c: [r[at[c]] for r in rows] for c in columns}  # in the order asked


def _text_array(values, read=None):
    """Text values as DuckDB gives a text column to pandas: dtype ``str`` when the column as read (``read``, else
    the values themselves) has a value, else ``object`` (all missing)."""
    if any(v is not None for v in (values if read is None else read)):
        return pd.array(values, dtype="str")
    return _objects(values)


def _objects(values) -> pd.Series:
    """Values kept as they are, in a column of dtype object (a frame built from them infers nothing)."""
    return pd.Series(values, dtype=object)


def _floats(values) -> np.ndarray:
    """Counts as float64, NaN where unknown (as ``astype("float64")`` gives them)."""
    return np.array(values, dtype="float64")


def unit_catalog(con) -> pd.DataFrame:
    """Procedure counts of each unit's catalogue (procedures, offered online, with a fee), indexed by unit_id."""
    ensure_models(con)
    return con.execute("SELECT * FROM mart_unit_catalog").df().set_index("unit_id")


CATALOG_COUNTS = ("procedures_count", "online_procedures_count", "fee_procedures_count")
UNIT_PROCEDURES = ("procedure_code", "name_key", "procedure_name", "department", "count_source", *COUNT_FIELDS,
                   "is_online_service", "has_fee")
"""The columns of ``procedure_filings`` the analyses of one unit and period read (its procedures, their counts
and the catalogue flags ``unit_totals`` uses): the shortfall, its offices, the change, the what-if and what it
would take."""
UNIT_ROWS = ("period", "unit_id", "is_preferred_source", *UNIT_PROCEDURES, "illustrative")
"""What ``procedure_columns`` reads, once, of a unit's rows in one period (every source): what the analyses above,
the candidate causes and the deadline audit take of them."""


def unit_procedures(con, period: str, unit_id: str, count_source: str | None = None) -> dict[str, list]:
    """``procedure_columns`` of ``UNIT_PROCEDURES``."""
    return procedure_columns(con, period, unit_id, count_source, UNIT_PROCEDURES)


def unit_catalog_row(con, unit_id: str) -> dict | None:
    """One unit's row of ``unit_catalog`` ({count: value}), None when its catalogue is not loaded; every unit's
    rows read once per version of the file."""
    from analytics.db import per_version

    def read() -> dict:
        ensure_models(con)
        rows = con.execute(f"SELECT unit_id, {', '.join(CATALOG_COUNTS)} FROM mart_unit_catalog").fetchall()
        return {r[0]: dict(zip(CATALOG_COUNTS, r[1:])) for r in rows}

    return per_version(con, ("unit_catalog",), read).get(unit_id)


def _sum_known(values: pd.Series) -> float | None:
    """The sum of a count column, None when any value is missing (a partial sum would understate)."""
    if len(values) == 0 or values.isna().any():
        return None
    return float(values.sum())


def unit_totals(procedures: pd.DataFrame, catalog: Mapping | None = None) -> dict[str, float | None]:
    """The counts of one (period, unit, source) summed over its procedures, plus the catalogue's procedure counts.

    ``procedures`` has stg_filing_counts' count columns and mart_procedure_filings' ``is_online_service`` and
    ``has_fee``; ``catalog`` a row of ``unit_catalog`` (None: no catalogue, procedure-based counts unknown).
    """
    return columns_totals({c: procedures[c] for c in procedures.columns}, len(procedures), catalog)


def columns_totals(columns: Mapping, n: int, catalog: Mapping | None = None) -> dict[str, float | None]:
    """``unit_totals`` of procedures given as columns (name → a list, array or Series of ``n`` values; None or
    NaN where unknown), as ``procedure_columns`` reads them."""
    fields = [f for f in COUNT_FIELDS if f in columns]
    counts = {f: _count_array(columns[f]) for f in fields}
    online = _flag_array(columns["is_online_service"]) if "is_online_service" in columns else None
    fee = _flag_array(columns["has_fee"]) if "has_fee" in columns else None
    return _totals(counts, n, online, fee, catalog)


def _count_array(values) -> np.ndarray:
    if isinstance(values, pd.Series):
        return values.to_numpy(dtype="float64", na_value=np.nan)
    return np.array(values, dtype="float64")


def _flag_array(values) -> np.ndarray:
    """A yes/no column as bool, missing as False."""
    if isinstance(values, pd.Series):
        return values.fillna(False).astype(bool).to_numpy()
    return np.array([bool(v) if v is not None and v is not pd.NA and v == v else False for v in values], dtype=bool)


def group_totals(procedures: pd.DataFrame, keys: list[str], catalog_of, *, empty_key=None) -> dict:
    """``unit_totals`` of every group of ``procedures`` by ``keys`` (one grouping, not one filter per group):
    group key → totals; ``catalog_of(key)`` gives the group's catalogue row or None. A count is None when any of
    the group's procedures lacks it (a partial sum would understate)."""
    fields = [f for f in COUNT_FIELDS if f in procedures.columns]
    counts = {f: _count_array(procedures[f]) for f in fields}
    online = _flag_array(procedures["is_online_service"]) if "is_online_service" in procedures else None
    fee = _flag_array(procedures["has_fee"]) if "has_fee" in procedures else None
    g = procedures.groupby(keys, sort=True)
    indices = g.indices
    groups = list(g.size().index)  # in key order, as the group sums are
    if not groups and empty_key is not None:
        return {empty_key: _totals({f: counts[f][:0] for f in fields}, 0, None if online is None else online[:0],
                                   None if fee is None else fee[:0], catalog_of(empty_key))}
    out = {}
    for key in groups:
        idx = indices[key]
        out[key] = _totals({f: a[idx] for f, a in counts.items()}, len(idx), None if online is None else online[idx],
                           None if fee is None else fee[idx], catalog_of(key))
    return out


def _totals(counts: Mapping[str, np.ndarray], n: int, online: np.ndarray | None, fee: np.ndarray | None,
            catalog: Mapping | None) -> dict[str, float | None]:
    """The totals of one group of ``n`` procedures: ``counts`` float arrays (NaN unknown), ``online``/``fee``
    the procedures' catalogue flags (None: not known at all), ``catalog`` the unit's catalogue row or None."""
    totals: dict[str, float | None] = {
        f: float(a.sum()) if n and not np.isnan(a).any() else None for f, a in counts.items()}
    has_catalog = catalog is not None
    for c in CATALOG_COUNTS:
        totals[c] = float(catalog[c]) if has_catalog else None
    received_online = counts.get("received_online")
    online_known = n == 0 or not np.isnan(received_online).any()
    totals["online_services_used_count"] = (
        float((online & (received_online > 0)).sum()) if n else 0.0
    ) if has_catalog and online is not None and online_known else None
    online_payments = counts.get("online_payments")
    paid_known = n == 0 or not np.isnan(online_payments).any()
    totals["fee_procedures_paid_online_count"] = (
        float((fee & (online_payments > 0)).sum()) if n else 0.0
    ) if has_catalog and fee is not None and paid_known else None
    return totals


def payment_extra(totals: Mapping) -> dict[str, float | None]:
    """The payment rule's procedure counts from unit totals (part 2 from the catalogue; part 3 assumed, see above)."""
    fee_procedures = totals.get("fee_procedures_count")
    return {
        # part 2: fee-charging procedures with an online payment / fee-charging procedures (portal: Distinct = total)
        "totalDossierOnlineFormalityPaymentSuccess": totals.get("fee_procedures_paid_online_count"),
        "totalFeeDossierFormalityDistinct": fee_procedures,
        # part 3: undocumented portal fields; see PAYMENT_PART3_ASSUMED
        "totalFeeDossierFormality": None if fee_procedures is None else PAYMENT_PART3_ASSUMED,
        "totalFeeFormality": fee_procedures,
    }


def subindicator_inputs(sub: SubIndicator, totals: Mapping) -> tuple[float | None, float | None, dict] | None:
    """(numerator, denominator, extra counts) a sub-indicator takes from unit totals; None when filings cannot give it."""
    if sub.code in CATALOG_INPUTS:
        num_key, den_key = CATALOG_INPUTS[sub.code]
        return totals.get(num_key), totals.get(den_key), {}
    if not sub.filing_field or not sub.filing_denominator:
        return None
    extra = payment_extra(totals) if sub.rule == "payment" else {}
    return totals.get(sub.filing_field), totals.get(sub.filing_denominator), extra


def inputs_points(sub: SubIndicator, numerator, denominator, extra: Mapping | None = None) -> float | None:
    """Points the engine awards for counts taken from filings; None when a count is unknown."""
    extra = dict(extra or {})
    if denominator is None or (numerator is None and denominator > 0):
        return None
    if sub.rule == "payment" and any(v is None for v in extra.values()):
        return None
    return subindicator_points(sub, numerator, denominator, **extra)


def filings_to_full_points(sub: SubIndicator, numerator, denominator, extra: Mapping | None = None) -> int | None:
    """The fewest extra numerator filings that bring the rate to where the sub-indicator's rule gives full points.

    It follows the version's rule: a share capped at 50 % (ONLINE_FILING_SHARE, min(6, 6·rate/0,5)) is full at
    half the denominator (36,44 % of 8.080 needs 1.096 more), a linear rule only at 100 %. The count is the
    rule's threshold, not the rounding's (the portal shows 6,00 a few filings earlier); the scoring engine
    confirms the points there are full. None when the rule is not a plain filing rate (the three-part payment
    rule, informational ones) or a count is unknown; 0 when the rate is already there.
    """
    if sub.rule not in ("linear", "capped") or _missing(numerator) or _missing(denominator) or not denominator:
        return None
    numerator, denominator = float(numerator), float(denominator)
    needed = max(0, math.ceil(sub.full_at * denominator - numerator - 1e-9))
    points = inputs_points(sub, numerator + needed, denominator, extra)
    if points is None or points < float(sub.max_points) - 1e-9:  # pragma: no cover - the rule's own threshold
        return None
    return int(needed)


def rate_pct(numerator, denominator) -> float | None:
    """numerator / denominator × 100, rounded to 2 decimals; None for an unknown or zero denominator."""
    if numerator is None or denominator is None or _missing(numerator) or _missing(denominator) or denominator == 0:
        return None
    return round(100.0 * float(numerator) / float(denominator), 2)


def _missing(value) -> bool:
    """Whether a value is None, NA or NaN."""
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _portal_extra(sub: SubIndicator, extra_json) -> dict:
    """The payment parts' extra counts of a portal row (from its extra_json)."""
    names = {n for part in sub.parts for n in (part.numerator_field, part.denominator_field)} - {"numerator", "denominator"}
    if not names:
        return {}
    data = json.loads(extra_json) if isinstance(extra_json, str) and extra_json else {}
    return {n: data.get(n) for n in names}


def subindicator_counts(con, period: str, unit_id: str,
                        count_source: str | None = None) -> tuple[str, dict[str, tuple[float | None, float | None, dict]]]:
    """(source, code → (numerator, denominator, extra counts)) of one unit in one period, for the v2025 rules.

    The portal's published counts when it has any for the unit and period (source 'portal'), else the filing
    counts summed as ``subindicator_breakdown`` sums them (source 'filing counts'). Sub-indicators without counts
    are absent.
    """
    ensure_models(con)
    scored = {s.code: s for s in _scored_subindicators()}
    if count_source in (None, "portal"):
        rows = con.execute("""
            SELECT code, numerator, denominator, extra_json FROM portal_metrics
            WHERE scope = 'all' AND period = ? AND unit_id = ?
        """, [period, unit_id]).fetchall()
        if rows:
            out = {}
            for code, n, den, extra_json in rows:
                if code in scored and not (_missing(n) and _missing(den)):
                    out[code] = (None if _missing(n) else float(n), None if _missing(den) else float(den),
                                 _portal_extra(scored[code], extra_json))
            return "portal", out
    procs = unit_procedures(con, period, unit_id, count_source)
    n = len(procs["received_total"])
    if not n:
        return "filing counts", {}
    totals = columns_totals(procs, n, unit_catalog_row(con, unit_id))
    out = {}
    for code, sub in scored.items():
        inputs = subindicator_inputs(sub, totals)
        if inputs is not None and inputs[1] is not None:
            out[code] = inputs
    return "filing counts", out


# --- the breakdown ----------------------------------------------------------------------------------

def _scored_subindicators() -> list[SubIndicator]:
    """The v2025 sub-indicators that carry points (informational ones carry none)."""
    return [s for s in load_definition().version(SCORING_VERSION).subindicators if s.rule != "informational"]


def _component_of_group() -> dict[str, str]:
    """v2025 group key → the common component it rolls up to (online_payment → online_services)."""
    return {g.key: g.rolls_up_to for g in load_definition().version(SCORING_VERSION).groups}


def _check_component(component: str | None) -> None:
    """Raise ValueError unless the component is None or one of the five common keys."""
    common = load_definition().common_groups
    if component is not None and component not in common:
        raise ValueError(f"unknown component {component!r}; one of {', '.join(common)}")


def _units(con) -> pd.DataFrame:
    """unit_id → display name."""
    return con.execute("SELECT unit_id, display_name AS unit FROM units").df()


def _portal_rows(con, period: str | None, unit_id: str | None = None) -> pd.DataFrame:
    """Sub-indicator rows from the portal's published counts and points (scope 'all')."""
    d = load_definition()
    df = con.execute("""
        SELECT m.period, m.unit_id, m.group_key, m.code, m.numerator, m.denominator, m.ratio_pct,
               m.score_points AS points, m.max_points, m.extra_json, m.illustrative
        FROM portal_metrics AS m
        WHERE m.scope = 'all' AND (CAST(? AS VARCHAR) IS NULL OR m.period = ?)
          AND (CAST(? AS VARCHAR) IS NULL OR m.unit_id = ?)
    """, [period, period, unit_id, unit_id]).df()
    if df.empty:
        return df
    informational = {s.code for v in d.versions.values() for s in v.subindicators if s.rule == "informational"}
    df = df[~df["code"].isin(informational)].copy()
    df["points_recomputed"] = score_frame(df).astype("float64")
    total_codes = {s.portal_total_code for s in d.version(SCORING_VERSION).subindicators if s.portal_total_code}
    by_code = {s.code: s for s in d.version(SCORING_VERSION).subindicators}
    df["scope"] = [by_code[c].scope if c in by_code else "unit" for c in df["code"]]
    df["rate_pct"] = [rate_pct(n, den) if not _missing(n) and not _missing(den) else (None if _missing(r) else r)
                      for n, den, r in zip(df["numerator"], df["denominator"], df["ratio_pct"])]
    df["note_keys"] = [["group_total"] if c in total_codes else [] for c in df["code"]]
    df["source"] = "portal"
    df["count_source"] = "portal"
    df["group"] = df["group_key"]
    return df.drop(columns=["extra_json", "ratio_pct", "group_key"])


FILING_ROW_INPUTS = ("period", "unit_id", "count_source", "illustrative", "is_online_service", "has_fee",
                     *COUNT_FIELDS)
"""The columns of ``procedure_filings`` the sub-indicators of filing counts are computed from (``group_totals``)."""


def _filing_rows(con, period: str | None, count_source: str | None,
                 skip: set[tuple[str, str]], unit_id: str | None = None) -> pd.DataFrame:
    """Sub-indicator rows recomputed from per-procedure filing counts by the v2025 rules."""
    procs = procedure_filings(con, period=period, unit_id=unit_id, count_source=count_source, columns=FILING_ROW_INPUTS)
    if procs.empty:
        return pd.DataFrame()
    catalog = unit_catalog(con)
    keys = ["period", "unit_id", "count_source"]
    every = group_totals(procs, keys, lambda k: catalog.loc[k[1]] if k[1] in catalog.index else None)
    flags = procs.groupby(keys, sort=True)["illustrative"].any()
    rows = []
    for (p, unit_id, source), totals in every.items():
        if (p, unit_id) in skip:
            continue
        illustrative = bool(flags.loc[(p, unit_id, source)])
        for sub in _scored_subindicators():
            rows.append(_filing_row(sub, totals) | {
                "period": p, "unit_id": unit_id, "count_source": source, "illustrative": illustrative})
    return pd.DataFrame(rows)


def _filing_row(sub: SubIndicator, totals: Mapping) -> dict:
    """One sub-indicator's breakdown values from unit totals."""
    inputs = subindicator_inputs(sub, totals)
    numerator, denominator, extra = inputs if inputs is not None else (None, None, {})
    points = inputs_points(sub, numerator, denominator, extra) if inputs is not None else None
    notes = ["scored_v2025"]
    if sub.scope == "province":
        notes.append("province_scope")
    if inputs is None:
        notes.append("no_filing_count")
    if sub.rule == "payment":
        notes.append("payment_part3")
    return {
        "group": sub.group, "code": sub.code, "scope": sub.scope,
        "numerator": numerator, "denominator": denominator, "rate_pct": rate_pct(numerator, denominator),
        "points": None, "points_recomputed": points, "max_points": float(sub.max_points),
        "source": "filing counts", "note_keys": notes,
    }


def subindicator_breakdown(con, period: str | None = None, unit_id: str | None = None, component: str | None = None,
                           *, count_source: str | None = None) -> pd.DataFrame:
    """One row per (period, unit, sub-indicator): counts, rate, published and recomputed points, points at stake.

    Rows come from (a) the national portal's published sub-indicators (``portal_metrics``, scope 'all'):
    ``points`` is the published score, ``points_recomputed`` the engine's score for the published counts
    (null for a group total such as PROVIDE_ONLINE_TOTAL, published without counts); and (b), for every
    (period, unit) with per-procedure filing counts and no portal sub-indicators, the counts summed over the
    procedures (``count_source`` 'portal' preferred, else 'own', unless ``count_source`` is given) through each
    sub-indicator's ``filing_field``/``filing_denominator``, plus the catalogue's procedure counts. Filing counts
    are always scored by the **v2025 rules** (the portal's current form) — so for a period published under v2022
    (five groups, no sub-indicators) ``points`` is null and the published score is only known at group level,
    in ``component_points`` (and in ``component_breakdown``).

    ``points_at_stake`` = max − recomputed, or max − published when there are no counts. Informational
    sub-indicators (0 points) are left out. ``component`` is one of the five common keys (online_services
    includes online_payment, which rolls up into it); ``unit_id`` None: every unit. Read from the rows stored at
    ingest when they are current (``analyses.stored``).
    """
    _check_component(component)
    got = _stored_breakdown(con, period, unit_id, component)
    # the stored rows are the preferred source's: they answer a named source when every row is from it
    if got is not None and (count_source is None or (len(got) and (got["count_source"] == count_source).all())):
        return got
    return _subindicator_breakdown(con, period, unit_id, component, count_source)


def _stored_breakdown(con, period: str | None, unit_id: str | None, component: str | None) -> pd.DataFrame | None:
    """The stored breakdown rows asked for (None when not current). A unit's rows are read once, for all its periods
    and components (a page asks for several of them: the change compares two periods), and each selection of
    them is kept per version of the file."""
    from analytics.db import per_version

    if unit_id is None:
        return stored.frame(con, "subindicator_breakdown", period=period, component=component)
    if period is None and component is None:
        return stored.frame(con, "subindicator_breakdown", unit_id=unit_id)

    def select() -> pd.DataFrame | None:
        rows = stored.frame(con, "subindicator_breakdown", unit_id=unit_id)
        if rows is None:
            return None
        keep = np.ones(len(rows), dtype=bool)
        for column, value in (("period", period), ("component", component)):
            if value is not None:
                keep &= rows[column].to_numpy(dtype=object) == value
        return rows[keep].reset_index(drop=True)

    got = per_version(con, ("breakdown", period, unit_id, component), select)
    return None if got is None else got.copy()


def compute_subindicator_breakdown(con, period: str | None = None, unit_id: str | None = None) -> pd.DataFrame:
    """``subindicator_breakdown`` of every period, unit and component, computed (what ingest stores); ``period``/``unit_id``: only their rows, as the whole history has them."""
    return _subindicator_breakdown(con, period, unit_id, None, None)


def _subindicator_breakdown(con, period: str | None, unit_id: str | None, component: str | None,
                            count_source: str | None) -> pd.DataFrame:
    ensure_models(con)
    # the portal's own sub-indicator counts win over filing counts for the same (period, unit)
    portal = _portal_rows(con, period, unit_id) if count_source in (None, "portal") else pd.DataFrame()
    skip = set(zip(portal["period"], portal["unit_id"])) if not portal.empty else set()
    filings = _filing_rows(con, period, count_source, skip, unit_id)
    frames = [f for f in (portal, filings) if not f.empty]
    if not frames:
        return pd.DataFrame(columns=BREAKDOWN_COLUMNS)
    df = pd.concat(frames, ignore_index=True)
    df = df.merge(_units(con), on="unit_id", how="left")
    df["unit"] = df["unit"].fillna(df["unit_id"])
    d = load_definition()
    df["component"] = df["group"].map(_component_of_group())
    if component is not None:
        df = df[df["component"] == component]
    if df.empty:
        return pd.DataFrame(columns=BREAKDOWN_COLUMNS)
    df = df.copy()
    for c in ("numerator", "denominator", "rate_pct", "points", "points_recomputed", "max_points"):
        df[c] = pd.to_numeric(df[c], errors="coerce").astype("float64")
    df["points_at_stake"] = (df["max_points"] - df["points_recomputed"].fillna(df["points"])).round(2)
    versions = {p: _published_version(con, p) for p in df["period"].unique()}
    df["index_version"] = df["period"].map(versions)
    df = df.merge(_published_components(con), on=["period", "unit_id", "component"], how="left")
    order = {}
    for i, s in enumerate(load_definition().version(SCORING_VERSION).subindicators):
        order.setdefault(s.code, i)
        if s.portal_total_code:
            order.setdefault(s.portal_total_code, i)  # a portal group total sits where its sub-indicators would
    common = {k: i for i, k in enumerate(d.common_groups)}
    df = df.assign(_p=df["period"].map(period_sort_key), _c=df["component"].map(common),
                   _s=df["code"].map(order).fillna(len(order)))
    df = df.sort_values(["_p", "unit", "_c", "_s", "code"]).drop(columns=["_p", "_c", "_s"])
    df["illustrative"] = df["illustrative"].astype(bool)
    by_code = {s.code: s for s in load_definition().version(SCORING_VERSION).subindicators}
    df["filings_to_full_points"] = pd.array(
        [_to_full(code, n, den, by_code) for code, n, den in zip(df["code"], df["numerator"], df["denominator"])],
        dtype="Int64")
    df = _reconcile_components(df)
    return df[BREAKDOWN_COLUMNS].reset_index(drop=True)


def _to_full(code: str, numerator, denominator, by_code: Mapping) -> int | None:
    sub = by_code.get(code)
    return None if sub is None else filings_to_full_points(sub, numerator, denominator)


UNEXPLAINED_TOLERANCE_POINTS = 0.01  # the published figures have two decimals


def _reconcile_components(df: pd.DataFrame) -> pd.DataFrame:
    """Each row with its component's published score, the score recomputed from the loaded counts by the engine,
    and the difference, stated as unexplained points (published − recomputed), with the likely reasons.

    The recomputed score sums the sub-indicators that have counts; ``recomputed_complete`` says whether every
    one of the component's sub-indicators has them. Reasons (i18n ``note.*``): the unit has no portal
    sub-indicator file for the period (counts come from filings), the counts are the unit's own records, the
    period's index version publishes no sub-indicator split (another version's rules stand in), sub-indicators
    without counts.
    """
    keys = ["period", "unit_id", "component"]
    grouped = df.groupby(keys, sort=False, dropna=False)["points_recomputed"]
    n_known = grouped.transform("count")
    n_rows = grouped.transform("size")
    sums = grouped.sum()  # one per component; rounded as Python rounds (the published figures' rule), then spread
    total = grouped.ngroup().map(pd.Series([round(float(v), 2) for v in sums.to_numpy()]))
    df["component_points_published"] = df["component_points"]
    df["component_points_recomputed"] = total.where(n_known > 0).astype("float64")
    df["recomputed_complete"] = (n_known == n_rows).astype(bool)
    df["unexplained_points"] = (df["component_points_published"] - df["component_points_recomputed"]).round(2)
    missing = (n_rows - n_known).astype(int)
    notes = []
    for gap, source, count_source, version, n_missing in zip(
            df["unexplained_points"], df["source"], df.get("count_source", pd.Series(None, index=df.index)),
            df["index_version"], missing):
        if _missing(gap) or abs(gap) <= UNEXPLAINED_TOLERANCE_POINTS:
            notes.append([])
            continue
        why = []
        if source != "portal":
            why.append("no_portal_file")
        if count_source == "own":
            why.append("own_records")
        if version != SCORING_VERSION:
            why.append({"key": "borrowed_rules", "version": version, "rules": SCORING_VERSION})
        if n_missing:
            why.append({"key": "missing_counts", "n": int(n_missing)})
        notes.append(why)
    df["unexplained_note_keys"] = notes
    return df


def _published_version(con, period: str) -> str:
    """The index version the period's published scores use (from the loaded scores, else the definition's)."""
    row = con.execute("SELECT min(index_version) FROM index_scores WHERE period = ?", [period]).fetchall()[0]
    return row[0] if row and row[0] else version_for_period(period).key


def _published_components(con) -> pd.DataFrame:
    """Published (or portal-summed) five-group component scores: period, unit_id, component, component_points."""
    return con.execute("""
        SELECT period, unit_id, component, score_points AS component_points
        FROM mart_scores
        WHERE component <> 'total'
    """).df()


def component_breakdown(con, period: str | None = None, unit_id: str | None = None, component: str | None = None,
                        *, count_source: str | None = None) -> pd.DataFrame:
    """One row per (period, unit, five-group component): published points, recomputed points, max, points at stake.

    ``points`` is the published component score (v2022 table or portal groups summed; null when unpublished);
    ``points_recomputed`` the sum of the sub-indicators' recomputed points, with ``recomputed_complete`` False
    when some scored sub-indicator has no counts (e.g. the province-level transparency ones for a department).
    ``points_at_stake`` = max − published points, or max − recomputed points when unpublished and complete.
    """
    sub = subindicator_breakdown(con, period, unit_id, component, count_source=count_source)
    cols = ["period", "unit", "unit_id", "component", "points",
            "points_recomputed", "max_points", "points_at_stake", "recomputed_complete", "subindicators_count",
            "source", "illustrative"]
    if sub.empty:
        return pd.DataFrame(columns=cols)
    d = load_definition()
    keys = ["period", "unit", "unit_id", "component"]
    out = (sub.groupby(keys, sort=False, dropna=False)
           .agg(points=("component_points", "first"),
                points_recomputed=("points_recomputed", lambda s: round(float(s.sum()), 2) if s.notna().any() else np.nan),
                recomputed_complete=("points_recomputed", lambda s: bool(s.notna().all())),
                subindicators_count=("code", "size"),
                source=("source", "first"),
                illustrative=("illustrative", "any"))
           .reset_index())
    out["max_points"] = out["component"].map(d.common_max).astype("float64")
    # the published score is the real one; a recomputed sum stands in only when every sub-indicator has counts
    complete = out["points_recomputed"].where(out["recomputed_complete"])
    out["points_at_stake"] = (out["max_points"] - out["points"].fillna(complete)).round(2)
    return out[cols]


# --- where the shortfall is ---------------------------------------------------------------------------

def _filing_subindicator(code: str) -> SubIndicator:
    """The sub-indicator of a code whose numerator and denominator are per-procedure filing counts."""
    try:
        sub = load_definition().subindicator(code)
    except KeyError:
        raise ValueError(f"unknown sub-indicator {code!r}") from None
    if not sub.filing_field or not sub.filing_denominator:
        codes = [s.code for s in _scored_subindicators() if s.filing_field and s.filing_denominator]
        raise ValueError(f"{code} is not counted per procedure in filings; one of {', '.join(codes)}")
    return sub


def named_unit(con, unit_id: str) -> tuple[str, str]:
    """(unit_id, display name) of a unit id; ValueError when the database has no such unit."""
    from analytics.units import display_name

    name = display_name(con, unit_id)
    if name is None:
        raise ValueError(f"no unit with id {unit_id!r}")
    return unit_id, name


def _procedure_key(df: pd.DataFrame) -> pd.Series:
    """The procedure's code, else its folded name (how the SQL models tell procedures apart)."""
    return df["procedure_code"].fillna(df["name_key"])


PARETO_COLUMNS = [
    "period", "unit", "unit_id", "code", "rank", "procedure_code", "procedure_name", "department",
    "numerator", "denominator", "rate_pct", "missing_filings", "shortfall_filings", "share_pct", "cumulative_pct",
    "in_first_80_pct", "filings_to_full_points", "count_source",
]
PARETO_SHARE_PCT = 80.0


def aggregate_filings_to_full(sub: SubIndicator, numerator: float, denominator: float) -> int:
    """Extra numerator filings the unit as a whole needs for the sub-indicator's full points (its rule's threshold;
    for the payment rule, that of its filing part)."""
    if sub.rule == "payment":
        part = sub.parts[0]
        return int(max(0, math.ceil(part.full_at * denominator - numerator - 1e-9)))
    needed = filings_to_full_points(sub, numerator, denominator)
    return int(max(0, denominator - numerator)) if needed is None else needed


def allocate_to_full(missing, needed: int) -> np.ndarray:
    """The unit's need spread over rows already sorted by their missing filings, largest first: each row takes what
    it can until the need is met (the fewest procedures or offices that suffice)."""
    missing = np.asarray(missing, dtype="int64")
    before = missing.cumsum() - missing
    return np.minimum(np.clip(needed - before, 0, None), missing).astype("int64")


def pareto_shares(df: pd.DataFrame) -> pd.DataFrame:
    """Rows already sorted by ``shortfall_filings`` (largest first) with rank, share, cumulative share and the first 80 %."""
    df = df.copy()
    for c, v in _shares(df["shortfall_filings"].to_numpy()).items():
        df[c] = v
    return df


def _shares(shortfall: np.ndarray) -> dict[str, np.ndarray]:
    """``pareto_shares``'s columns for shortfalls already sorted, largest first."""
    total = float(shortfall.sum())
    cumulative = shortfall.cumsum()
    return {
        "share_pct": np.round(100.0 * shortfall / total, 2),
        "cumulative_pct": np.round(100.0 * cumulative / total, 2),
        # a row belongs to the vital few when the rows before it hold less than 80 % (the row crossing 80 % included)
        "in_first_80_pct": (100.0 * (cumulative - shortfall) / total) < PARETO_SHARE_PCT,
        "rank": np.arange(1, len(shortfall) + 1),
    }


def _missing_filings(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """What each row lacks of a 100 % rate (denominator − numerator, never below 0; 0 when unknown)."""
    missing = np.clip(denominator - numerator, 0, None)
    return np.where(np.isnan(missing), 0.0, missing)


def _order(n: int, key) -> list[int]:
    """Positions 0…n−1 sorted by ``key(i)`` (stable: equal keys keep their order, as pandas' multi-column sort)."""
    return sorted(range(n), key=key)


def _text_key(value) -> tuple:
    """A sort key putting missing text last, as ``na_position='last'``."""
    return (1, "") if value is None else (0, value)


def _earlier_counts(con, unit_id: str, period: str, count_source: str, sub: SubIndicator,
                    previous_period: str | None) -> tuple[str | None, dict[str, list]]:
    """(the period compared with, what the change reads of each procedure there): ``previous_period``, else the
    unit's latest earlier period of the same kind with counts from that source. One read of every period of
    the unit and source, in ``procedure_filings``' order (by period first)."""
    columns = ("period", "procedure_code", "name_key", "procedure_name", "department", sub.filing_field,
               sub.filing_denominator)
    every = procedure_columns(con, None, unit_id, count_source, columns)
    if previous_period is None:
        kind, key = period_kind(period), period_sort_key(period)
        earlier = [p for p in dict.fromkeys(every["period"]) if period_kind(p) == kind and period_sort_key(p) < key]
        if not earlier:
            return None, {}
        previous_period = max(earlier, key=period_sort_key)
    rows = [i for i, p in enumerate(every["period"]) if p == previous_period]
    return previous_period, {c: [every[c][i] for i in rows] for c in columns}


def shortfall_pareto(con, period: str, unit_id: str, code: str, *,
                     count_source: str | None = None) -> pd.DataFrame:
    """Per procedure, the filings that stand between the unit and the sub-indicator's full points, largest first.

    ``missing_filings`` is what the procedure lacks of a 100 % rate (denominator − numerator: received − digitized
    for SO_HOA_GIAY_TO_GIAI_QUYET, new filings − online for ONLINE_FILING_SHARE, received − on time for
    DVC_PROGRESS_ON_TIME). ``filings_to_full_points`` is what the unit needs for full points under the rule (a
    capped rule is full before 100 %: ONLINE_FILING_SHARE at 50 %), the same on every row; ``shortfall_filings``
    spreads it over the procedures with most missing first. Only procedures with a shortfall are listed;
    ``cumulative_pct`` reaches 100 on the last row and ``in_first_80_pct`` marks the procedures holding the first
    80 % of it (the one crossing 80 % included).
    """
    sub = _filing_subindicator(code)
    unit_id, unit_name = named_unit(con, unit_id)
    procs = unit_procedures(con, period, unit_id, count_source)
    if not procs["procedure_code"]:
        return pd.DataFrame(columns=PARETO_COLUMNS)
    numerator, denominator = _floats(procs[sub.filing_field]), _floats(procs[sub.filing_denominator])
    missing = _missing_filings(numerator, denominator).astype("int64")
    needed = aggregate_filings_to_full(sub, float(np.nansum(numerator)), float(np.nansum(denominator)))
    codes = procs["procedure_code"]
    order = _order(len(codes), lambda i: (-missing[i], _text_key(codes[i])))
    shortfall = allocate_to_full(missing[order], needed)
    keep = [i for i, s in zip(order, shortfall) if s > 0]
    if not keep:
        return pd.DataFrame(columns=PARETO_COLUMNS)
    shortfall = shortfall[shortfall > 0]
    n, d = numerator[keep], denominator[keep]
    text = {c: _text_array([procs[c][i] for i in keep], procs[c])
            for c in ("procedure_code", "procedure_name", "department", "count_source")}
    shares = _shares(shortfall)
    return pd.DataFrame({
        "period": period, "unit": unit_name, "unit_id": unit_id, "code": code, "rank": shares["rank"],
        "procedure_code": text["procedure_code"], "procedure_name": text["procedure_name"],
        "department": text["department"], "numerator": n, "denominator": d,
        "rate_pct": [rate_pct(a, b) for a, b in zip(n, d)], "missing_filings": missing[keep],
        "shortfall_filings": shortfall, "share_pct": shares["share_pct"], "cumulative_pct": shares["cumulative_pct"],
        "in_first_80_pct": shares["in_first_80_pct"], "filings_to_full_points": needed,
        "count_source": text["count_source"],
    })


DEPARTMENT_COLUMNS = [
    "period", "unit", "unit_id", "code", "rank", "department", "procedures_count", "numerator",
    "denominator", "rate_pct", "missing_filings", "shortfall_filings", "share_pct", "cumulative_pct", "in_first_80_pct",
    "filings_to_full_points",
]


def department_shortfall(con, period: str, unit_id: str, code: str, *,
                         count_source: str | None = None) -> pd.DataFrame:
    """The shortfall of ``shortfall_pareto`` rolled up by handling office (Phòng), largest first.

    ``procedures_count`` counts the office's procedures missing filings; numerator, denominator and rate are
    over all of the office's procedures; the unit's filings to full points are spread over the offices with most
    missing first, as ``shortfall_pareto`` spreads them over procedures.
    """
    sub = _filing_subindicator(code)
    unit_id, unit_name = named_unit(con, unit_id)
    procs = unit_procedures(con, period, unit_id, count_source)
    if not procs["procedure_code"]:
        return pd.DataFrame(columns=DEPARTMENT_COLUMNS)
    numerator, denominator = _floats(procs[sub.filing_field]), _floats(procs[sub.filing_denominator])
    missing = _missing_filings(numerator, denominator)
    needed = aggregate_filings_to_full(sub, float(np.nansum(numerator)), float(np.nansum(denominator)))
    # one group per office, in the order they first appear (a missing office is one group too)
    groups: dict = {}
    for i, department in enumerate(procs["department"]):
        groups.setdefault(department, []).append(i)
    departments = list(groups)
    index = [np.array(rows) for rows in groups.values()]
    count = np.array([int((missing[rows] > 0).sum()) for rows in index], dtype="int64")
    n = np.array([np.nansum(numerator[rows]) for rows in index], dtype="float64")
    d = np.array([np.nansum(denominator[rows]) for rows in index], dtype="float64")
    group_missing = np.array([missing[rows].sum() for rows in index], dtype="float64").astype("int64")
    order = _order(len(departments), lambda i: (-group_missing[i], _text_key(departments[i])))
    shortfall = allocate_to_full(group_missing[order], needed)
    keep = [i for i, s in zip(order, shortfall) if s > 0]
    if not keep:
        return pd.DataFrame(columns=DEPARTMENT_COLUMNS)
    shortfall = shortfall[shortfall > 0]
    shares = _shares(shortfall)
    return pd.DataFrame({
        "period": period, "unit": unit_name, "unit_id": unit_id, "code": code, "rank": shares["rank"],
        "department": _text_array([departments[i] for i in keep], procs["department"]),
        "procedures_count": count[keep], "numerator": n[keep], "denominator": d[keep],
        "rate_pct": [rate_pct(a, b) for a, b in zip(n[keep], d[keep])], "missing_filings": group_missing[keep],
        "shortfall_filings": shortfall, "share_pct": shares["share_pct"], "cumulative_pct": shares["cumulative_pct"],
        "in_first_80_pct": shares["in_first_80_pct"], "filings_to_full_points": needed,
    })


# --- mix and rate -------------------------------------------------------------------------------------

MIX_COLUMNS = [
    "period", "previous_period", "unit", "unit_id", "code", "level", "procedure_code", "procedure_name",
    "department", "numerator_previous", "denominator_previous", "rate_previous_pct", "numerator", "denominator",
    "rate_pct", "weight_previous_pct", "weight_pct", "mix_effect_pp", "rate_effect_pp", "total_change_pp",
    "points_previous", "points", "points_change", "mix_effect_points", "rate_effect_points",
    "component", "component_change_published_points", "component_change_recomputed_points",
    "other_subindicators_change_points", "unexplained_change_points",
]


def _rate_points(sub: SubIndicator, rate: float) -> float | None:
    """Rounded points the rule gives a rate (for a payment rule, those of its filing part, parts[0])."""
    if sub.rule == "payment":
        return payment_part_points(sub.parts[0], rate, 1.0)
    return subindicator_points(sub, rate, 1.0)


def _counts_points(sub: SubIndicator, numerator: float, denominator: float) -> float | None:
    """Rounded points for aggregate counts (for a payment rule, those of its filing part)."""
    if sub.rule == "payment":
        return payment_part_points(sub.parts[0], numerator, denominator)
    return subindicator_points(sub, numerator, denominator)


def shift_share(n0, d0, n1, d1) -> pd.DataFrame | None:
    """Per procedure, the mix and rate effects (pp) of a rate's change, from numerators and denominators of two periods.

    Averaged-weight shift-share: mix = (w₁ − w₀)·(r₀ + r₁)/2, rate = (w₀ + w₁)/2·(r₁ − r₀), with w = d / Σd and
    r = n / d; mix + rate = w₁r₁ − w₀r₀ term by term, so the sums add up to the change of the aggregate rate
    Σn₁/Σd₁ − Σn₀/Σd₀. A procedure with a zero denominator in one period takes its other period's rate there
    (its contribution is all mix). Missing counts are 0. None when either period's denominators sum to 0.
    """
    split = _shift_share(n0, d0, n1, d1)
    return None if split is None else pd.DataFrame(split)


def _shift_share(n0, d0, n1, d1) -> dict[str, np.ndarray] | None:
    """``shift_share``'s columns as arrays."""
    out = {k: np.asarray(v, dtype="float64") for k, v in (("n0", n0), ("d0", d0), ("n1", n1), ("d1", d1))}
    out = {k: np.where(np.isnan(v), 0.0, v) for k, v in out.items()}
    d0_total, d1_total = out["d0"].sum(), out["d1"].sum()
    if d0_total == 0 or d1_total == 0:
        return None
    w0, w1 = out["d0"] / d0_total, out["d1"] / d1_total
    with np.errstate(divide="ignore", invalid="ignore"):
        r0 = np.where(out["d0"] > 0, out["n0"] / out["d0"], np.nan)
        r1 = np.where(out["d1"] > 0, out["n1"] / out["d1"], np.nan)
    r0, r1 = np.where(np.isnan(r0), r1, r0), np.where(np.isnan(r1), r0, r1)
    r0, r1 = np.where(np.isnan(r0), 0.0, r0), np.where(np.isnan(r1), 0.0, r1)
    out["weight_previous_pct"], out["weight_pct"] = 100.0 * w0, 100.0 * w1
    out["mix_effect_pp"] = 100.0 * (w1 - w0) * (r0 + r1) / 2.0
    out["rate_effect_pp"] = 100.0 * (w0 + w1) / 2.0 * (r1 - r0)
    out["total_change_pp"] = out["mix_effect_pp"] + out["rate_effect_pp"]
    return out


def _outer_pairs(keys0: list, keys1: list) -> list[tuple[int | None, int | None]]:
    """(row of the first, row of the second) for each key of either list, keys in order (missing last), as an
    outer merge on them pairs rows; None where a side has no row of the key."""
    rows0: dict = {}
    rows1: dict = {}
    for i, k in enumerate(keys0):
        rows0.setdefault(k, []).append(i)
    for j, k in enumerate(keys1):
        rows1.setdefault(k, []).append(j)
    return [(i, j) for k in sorted(rows0.keys() | rows1.keys(), key=_text_key)
            for i in rows0.get(k, [None]) for j in rows1.get(k, [None])]


def mix_rate_split(con, period: str, unit_id: str, code: str, previous_period: str | None = None, *,
                   count_source: str | None = None) -> pd.DataFrame:
    """A sub-indicator rate's change since the previous period split into mix and rate effects, per procedure.

    Shift-share with averaged weights: with w = a procedure's share of the denominator and r its rate,
    Δr = Σ (w₁ − w₀)·r̄ + Σ w̄·(r₁ − r₀), r̄ = (r₀ + r₁)/2, w̄ = (w₀ + w₁)/2, so mix + rate = total exactly.
    A procedure absent (denominator 0) in one period takes its other period's rate there, so its whole
    contribution is mix. Effects are in percentage points. The total row (level 'total') adds the points
    effect through the scoring engine: points of both periods' aggregate counts and their change, split
    between mix and rate by the average of both orders (Shapley), so the two add up to the change; for the
    payment rule these are the points of its filing part (6 of 10). ``previous_period`` defaults to the
    latest earlier period of the same kind with counts from the same source. Empty (no rows) when either
    period has no filing counts or a zero denominator; ValueError for an unknown code or unit.
    """
    sub = _filing_subindicator(code)
    unit_id, unit_name = named_unit(con, unit_id)
    current = unit_procedures(con, period, unit_id, count_source)
    if not current["procedure_code"]:
        return pd.DataFrame(columns=MIX_COLUMNS)
    source = current["count_source"][0]
    previous_period, previous = _earlier_counts(con, unit_id, period, source, sub, previous_period)
    if previous_period is None or not previous["procedure_code"]:
        return pd.DataFrame(columns=MIX_COLUMNS)

    def keys(cols: dict) -> list:  # the procedure's code, else its folded name (how the SQL models tell them apart)
        return [c if c is not None else k for c, k in zip(cols["procedure_code"], cols["name_key"])]

    pairs = _outer_pairs(keys(previous), keys(current))

    def column(cols: dict, name: str, side: int) -> list:
        return [None if pair[side] is None else cols[name][pair[side]] for pair in pairs]

    split = _shift_share(*(column(cols, f, side) for side, cols in ((0, previous), (1, current))
                           for f in (sub.filing_field, sub.filing_denominator)))
    if split is None:
        return pd.DataFrame(columns=MIX_COLUMNS)  # a rate of 0/0 in one period has no change to split
    text = {}
    for c in ("procedure_code", "procedure_name", "department"):  # this period's, else the previous one's
        text[c] = [b if b is not None else a for a, b in zip(column(previous, c, 0), column(current, c, 1))]
    total_pp = split["total_change_pp"]
    order = _order(len(pairs), lambda i: (-abs(total_pp[i]), _text_key(text["procedure_code"][i])))
    n0, d0, n1, d1 = split["n0"], split["d0"], split["n1"], split["d1"]
    d0_total, d1_total = d0.sum(), d1.sum()
    n0_total, n1_total = n0.sum(), n1.sum()
    mix_total, rate_total = float(split["mix_effect_pp"][order].sum()), float(split["rate_effect_pp"][order].sum())
    points0, points1 = _counts_points(sub, n0_total, d0_total), _counts_points(sub, n1_total, d1_total)
    points_change = round(points1 - points0, 2)
    # Shapley split of the points change between the two effects (average over both orders of applying them)
    r_prev, r_now = n0_total / d0_total, n1_total / d1_total
    mix_first = _rate_points(sub, max(0.0, r_prev + mix_total / 100.0)) - points0
    mix_last = points1 - _rate_points(sub, max(0.0, r_now - mix_total / 100.0))
    mix_points = round(0.5 * (mix_first + mix_last), 2)
    parts = published_change_parts(con, period, previous_period, unit_id, sub, points_change, source)

    def rows(values, total) -> np.ndarray:  # the procedures' values in order, then the total row's
        return np.append(np.asarray(values, dtype="float64")[order], np.float64(np.nan if total is None else total))

    def texts(values: list) -> pd.Series:
        return _objects([np.nan if values[i] is None else values[i] for i in order] + [None])

    effects = {c: np.round(rows(split[c], total), 4) for c, total in (
        ("weight_previous_pct", 100.0), ("weight_pct", 100.0), ("mix_effect_pp", mix_total),
        ("rate_effect_pp", rate_total))}
    m = len(order)
    nothing = [np.nan] * m
    return pd.DataFrame({
        "period": period, "previous_period": previous_period, "unit": unit_name, "unit_id": unit_id, "code": code,
        "level": pd.array(["procedure"] * m + ["total"], dtype="str"),
        "procedure_code": texts(text["procedure_code"]), "procedure_name": texts(text["procedure_name"]),
        "department": texts(text["department"]),
        "numerator_previous": rows(n0, n0_total), "denominator_previous": rows(d0, d0_total),
        "rate_previous_pct": rows([rate_pct(n, d) for n, d in zip(n0, d0)], rate_pct(n0_total, d0_total)),
        "numerator": rows(n1, n1_total), "denominator": rows(d1, d1_total),
        "rate_pct": rows([rate_pct(n, d) for n, d in zip(n1, d1)], rate_pct(n1_total, d1_total)),
        **effects,
        "total_change_pp": np.round(effects["mix_effect_pp"] + effects["rate_effect_pp"], 4),  # mix + rate = total, as shown
        "points_previous": np.array(nothing + [points0], dtype="float64"),
        "points": np.array(nothing + [points1], dtype="float64"),
        "points_change": np.array(nothing + [points_change], dtype="float64"),
        "mix_effect_points": np.array(nothing + [mix_points], dtype="float64"),
        "rate_effect_points": np.array(nothing + [round(points_change - mix_points, 2)], dtype="float64"),
        **{k: _objects([None] * m + [v]) for k, v in parts.items()},
    })


def published_change_parts(con, period: str, previous_period: str, unit_id: str, sub: SubIndicator,
                           subindicator_change_points: float, count_source: str) -> dict:
    """The published change of the sub-indicator's component in parts that add up to it: this sub-indicator's
    recomputed change (its mix and rate effects), the other sub-indicators' recomputed change, and what the
    counts do not explain (published change − recomputed change of the component; null when either is unknown).
    """
    from analytics.analyses.changes import score_changes

    component = _component_of_group()[sub.group]
    recomputed = {}
    for p in (previous_period, period):
        rows = subindicator_breakdown(con, p, unit_id, component, count_source=count_source)
        points = rows["points_recomputed"].to_numpy(dtype="float64", na_value=np.nan)
        if len(rows):
            points = points[rows["count_source"].to_numpy(dtype=object) == count_source]
        recomputed[p] = None if not len(points) or np.isnan(points).all() else round(float(np.nansum(points)), 2)
    changes = score_changes(con, period, unit_id)
    match = ((changes["component"].to_numpy(dtype=object) == component)
             & (changes["previous_period"].to_numpy(dtype=object) == previous_period)).nonzero()[0]
    first = changes["change_vs_previous_points"].iloc[match[0]] if len(match) else None
    published = None if first is None or pd.isna(first) else float(first)
    component_change = None if None in (recomputed[period], recomputed[previous_period]) else round(
        recomputed[period] - recomputed[previous_period], 2)
    return {
        "component": component,
        "component_change_published_points": published,
        "component_change_recomputed_points": component_change,
        "other_subindicators_change_points": None if component_change is None else round(component_change - subindicator_change_points, 2),
        "unexplained_change_points": None if published is None or component_change is None else round(published - component_change, 2),
    }


def breakdown_records(df: pd.DataFrame, lang: str = "vi") -> list[dict]:
    """The JSON shape of ``explain --format json``: one object per (period, unit, sub-indicator), labelled."""
    from analytics.labels import labelled

    keys = ["period", "unit", "unit_id", "component", "code", "label", "numerator", "denominator", "rate_pct",
            "points", "points_recomputed", "max_points", "points_at_stake", "component_points",
            "component_points_published", "component_points_recomputed", "unexplained_points", "unexplained_note",
            "filings_to_full_points", "source", "count_source", "illustrative", "note"]
    out = []
    for row in labelled(df, lang)[keys].to_dict("records"):
        out.append({k: (None if _missing(v) else (bool(v) if k == "illustrative" else int(v) if k == "filings_to_full_points"
                        else (float(v) if isinstance(v, (int, float, np.floating, np.integer)) and not isinstance(v, bool)
                              else v))) for k, v in row.items()})
    return out
