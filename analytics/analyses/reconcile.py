"""Own records against the national portal: which procedures make the two counts of the same filings disagree.

The department's one-stop records say nearly every filing is online and none overdue; the portal, which scores
the index, counts far fewer online filings and some overdue ones. This module lines the two count sources up
procedure by procedure (SQL model ``mart_own_vs_portal``) so the difference can be traced to its procedures:

- ``own_vs_portal`` — per (period, unit, procedure, measure): own count, portal count, difference (portal − own),
  ranked by absolute difference within (period, unit, measure);
- ``reconciliation_summary`` — the totals per (period, unit, measure), with the procedure that differs most.

Measures: ``filings`` (received_total), ``online_filings`` (received_online), ``overdue_filings``
(resolved_late + pending_overdue).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.analyses import stored
from analytics.analyses.explain import ensure_models
from analytics.periods import period_sort_key

MEASURES = ("filings", "online_filings", "overdue_filings")

RECONCILE_COLUMNS = [
    "period", "unit", "unit_id", "measure", "difference_rank", "procedure_code", "procedure_name",
    "department", "own_count", "portal_count", "difference_count", "abs_difference_count",
]


def _sorted(df: pd.DataFrame, rank_column: str | None) -> pd.DataFrame:
    """Rows ordered by period (chronologically), unit, measure (as MEASURES) and rank; units of the same name by id."""
    order = {m: i for i, m in enumerate(MEASURES)}
    keys = {p: period_sort_key(p) for p in df["period"].unique()}  # once per period, not once per row
    df = df.assign(_p=df["period"].map(keys), _m=df["measure"].map(order))
    keys = ["_p", "unit", "_m"] + ([rank_column] if rank_column else []) + ["unit_id"]
    return df.sort_values(keys).drop(columns=["_p", "_m"]).reset_index(drop=True)


def own_vs_portal(con, period: str | None = None, unit_id: str | None = None, *,
                  measure: str | None = None) -> pd.DataFrame:
    """Per (period, unit, procedure, measure): own and portal counts and their difference, largest |difference| first.

    ``difference_count`` = portal − own (null when one source has no row for the procedure);
    ``difference_rank`` = 1 for the largest absolute difference within (period, unit, measure).
    ``unit_id`` None: every unit; ``measure`` is one of MEASURES.
    """
    if measure is not None and measure not in MEASURES:
        raise ValueError(f"unknown measure {measure!r}; one of {', '.join(MEASURES)}")
    table = stored.table(con, "own_vs_portal")
    if table is None:
        ensure_models(con)
    if period is not None:  # one period's rows are few: read as values, ordered and framed once
        return _period_own_vs_portal(con, table or "mart_own_vs_portal", period, unit_id, measure)
    df = con.execute(f"""
        SELECT r.*, coalesce(u.display_name, r.unit_id) AS unit
        FROM {table or 'mart_own_vs_portal'} AS r
        LEFT JOIN units AS u USING (unit_id)
        WHERE (CAST(? AS VARCHAR) IS NULL OR r.measure = ?)
          AND (CAST(? AS VARCHAR) IS NULL OR r.unit_id = ?)
    """, [measure, measure, unit_id, unit_id]).df()
    if df.empty:
        return pd.DataFrame(columns=RECONCILE_COLUMNS)
    df = df.astype({c: "Int64" for c in ("own_count", "portal_count", "difference_count", "abs_difference_count")})
    return _sorted(df, "difference_rank")[RECONCILE_COLUMNS]


_READ = ["measure", "unit_id", "difference_rank", "procedure_code", "procedure_name", "department", "own_count",
         "portal_count", "difference_count", "abs_difference_count"]


def _period_own_vs_portal(con, table: str, period: str, unit_id: str | None, measure: str | None) -> pd.DataFrame:
    """``own_vs_portal`` of one period: the rows as values, in ``_sorted``'s order (unit, measure, rank; units of
    the same name by id), the frame built once."""
    from analytics.analyses.explain import _text_array
    from analytics.units import unit_name

    rows = con.execute(f"""
        SELECT {', '.join(_READ)} FROM {table}
        WHERE period = ? AND (CAST(? AS VARCHAR) IS NULL OR measure = ?) AND (CAST(? AS VARCHAR) IS NULL OR unit_id = ?)
    """, [period, measure, measure, unit_id, unit_id]).fetchall()
    if not rows:
        return pd.DataFrame(columns=RECONCILE_COLUMNS)
    names = {u: unit_name(con, u) for u in {r[1] for r in rows}}
    order = {m: i for i, m in enumerate(MEASURES)}
    rows.sort(key=lambda r: (names[r[1]], order.get(r[0], len(order)), r[2], r[1]))
    col = dict(zip(_READ, zip(*rows)))
    return pd.DataFrame({
        "period": period, "unit": pd.array([names[u] for u in col["unit_id"]], dtype="str"),
        "unit_id": _text_array(col["unit_id"]), "measure": _text_array(col["measure"]),
        "difference_rank": np.array(col["difference_rank"], dtype="int64"),
        **{c: _text_array(col[c]) for c in ("procedure_code", "procedure_name", "department")},
        **{c: pd.array(col[c], dtype="Int64") for c in ("own_count", "portal_count", "difference_count",
                                                          "abs_difference_count")},
    })


SUMMARY_COLUMNS = [
    "period", "unit", "unit_id", "measure", "own_count", "portal_count", "difference_count",
    "procedures_count", "procedures_differing_count", "largest_difference_procedure_code",
    "largest_difference_procedure", "largest_difference_count", "largest_difference_share_pct",
]


def reconciliation_summary(con, period: str | None = None, unit_id: str | None = None) -> pd.DataFrame:
    """Per (period, unit, measure): own and portal totals, their difference, and the procedure that differs most.

    ``largest_difference_share_pct`` is that procedure's share of the sum of absolute differences;
    ``procedures_differing_count`` counts procedures whose counts differ or that one source does not count.
    Totals are null when a source has an unknown count for some procedure (never a partial sum). Read from the
    rows stored at ingest when they are current (``analyses.stored``).
    """
    got = stored.frame(con, "reconciliation_summary", period=period, unit_id=unit_id)
    return got if got is not None else _reconciliation_summary(con, period, unit_id)


def compute_reconciliation_summary(con, period: str | None = None, unit_id: str | None = None) -> pd.DataFrame:
    """``reconciliation_summary`` of every period and unit, computed (what ingest stores); ``period``/``unit_id``: only their rows, as the whole history has them."""
    return _reconciliation_summary(con, period, unit_id)


def _reconciliation_summary(con, period: str | None, unit_id: str | None) -> pd.DataFrame:
    """The totals of ``own_vs_portal``'s rows per (period, unit, measure), summed where the rows are (one query, as
    many rows as there are groups), in ``_sorted``'s order."""
    table = stored.table(con, "own_vs_portal")
    if table is None:
        ensure_models(con)
    top = "FILTER (WHERE r.difference_rank = 1)"  # the procedure that differs most (ranks are row numbers)
    rows = con.execute(f"""
        SELECT r.period, coalesce(any_value(u.display_name), r.unit_id), r.unit_id, r.measure, count(*),
               count(r.own_count) = count(*), count(r.portal_count) = count(*),
               sum(r.own_count)::BIGINT, sum(r.portal_count)::BIGINT, sum(r.abs_difference_count)::BIGINT,
               count(*) FILTER (WHERE r.own_count IS NULL OR r.portal_count IS NULL
                                OR coalesce(r.difference_count, 0) <> 0),
               max(r.procedure_code) {top}, max(r.procedure_name) {top}, max(r.difference_count) {top},
               max(r.abs_difference_count) {top}
        FROM {table or 'mart_own_vs_portal'} AS r
        LEFT JOIN units AS u USING (unit_id)
        WHERE (CAST(? AS VARCHAR) IS NULL OR r.period = ?) AND (CAST(? AS VARCHAR) IS NULL OR r.unit_id = ?)
        GROUP BY r.period, r.unit_id, r.measure
    """, [period, period, unit_id, unit_id]).fetchall()
    if not rows:
        return pd.DataFrame(columns=SUMMARY_COLUMNS)
    (periods, units, unit_ids, measures, size, own_known, portal_known, own_sum, portal_sum, abs_sum, differing,
     code, name, difference, abs_difference) = (list(c) for c in zip(*rows))
    differs = [d is not None and d != 0 for d in difference]
    own = [v if known else None for v, known in zip(own_sum, own_known)]
    portal = [v if known else None for v, known in zip(portal_sum, portal_known)]
    df = pd.DataFrame({
        "period": periods, "unit": units, "unit_id": unit_ids, "measure": measures, "own_count": own,
        "portal_count": portal,
        "difference_count": [None if o is None or q is None else q - o for o, q in zip(own, portal)],
        "procedures_count": np.array(size, dtype="int64"),
        "procedures_differing_count": np.array(differing, dtype="int64"),
        "largest_difference_procedure_code": [c if d else None for c, d in zip(code, differs)],
        "largest_difference_procedure": [n if d else None for n, d in zip(name, differs)],
        "largest_difference_count": pd.array(difference, dtype="Int64"),
        "largest_difference_share_pct": [
            round(100.0 * float(a) / float(total), 2) if total else None for a, total in zip(abs_difference, abs_sum)],
    })
    for c in ("own_count", "portal_count", "difference_count"):
        df[c] = pd.array(df[c], dtype="Int64")
    return _sorted(df, None)[SUMMARY_COLUMNS]


CAUSE_COLUMNS = [
    "period", "unit_id", "cause", "procedures_count", "filings_count", "online_filings_count", "procedures",
    "share_points_before", "share_points_after", "points_recovered", "illustrative",
]
SHARE_CODE = "ONLINE_FILING_SHARE"  # the sub-indicator the department's own and the portal's online counts feed


def candidate_causes(con, period: str, unit_id: str) -> pd.DataFrame:
    """Where the department's own records count more online filings than the portal: the causes the data can
    test, each with the online-filing-share points it would recover (the scoring engine decides).

    - ``not_synced``: filings the one-stop system did not sync to the national portal (own received − own
      synced); if they reached the portal, it would count up to that many more filings, the online ones among
      them online (at most the online filings the portal is missing).
    - ``separate_software``: procedures whose online filings the portal counts as in person or not at all (no
      portal row, or fewer online on the portal than in the department's records) — filed on separate software
      and entered at the desk, as the department suspects for the promotion notices; counted online, the
      portal's share would rise by the difference.
    ``procedures`` names up to three of them, the largest first (filings received, or online filings the portal
    misses), equal ones by procedure code (else folded name). Empty when the unit has no own and portal counts
    for the period.
    """
    from analytics.analyses.explain import SCORING_VERSION, inputs_points, procedure_columns
    from analytics.analyses.provenance import derived_illustrative
    from analytics.definition import load_definition

    cols = procedure_columns(con, period, unit_id, None, _CAUSE_INPUTS, every_source=True)
    rows = [dict(zip(_CAUSE_INPUTS, r)) for r in zip(*cols.values())]
    for r in rows:  # the procedure's code, else its folded name (how the SQL models tell procedures apart)
        r["procedure_key"] = r["procedure_code"] if r["procedure_code"] is not None else r["name_key"]
    own = [r for r in rows if r["count_source"] == "own"]
    portal = [r for r in rows if r["count_source"] == "portal"]
    if not own or not portal:
        return pd.DataFrame(columns=CAUSE_COLUMNS)
    sub = next(s for s in load_definition().version(SCORING_VERSION).subindicators if s.code == SHARE_CODE)
    n, d = _total(portal, "received_online"), _total(portal, "received_new")
    before = inputs_points(sub, n, d)
    illustrative = derived_illustrative(any(r["illustrative"] is True for r in own),
                                        any(r["illustrative"] is True for r in portal))
    missing_online = max(0.0, _total(own, "received_online") - n)
    missing_filings = max(0.0, _total(own, "received_new") - d)
    out = []
    if any(r["synced_filings"] is not None for r in own):
        unsynced = [None if r["received_total"] is None or r["synced_filings"] is None
                    else r["received_total"] - r["synced_filings"] for r in own]
        k_all = min(float(sum(max(u, 0) for u in unsynced if u is not None)), missing_filings)
        k_online = min(k_all, missing_online)
        after = inputs_points(sub, n + k_online, d + k_all)
        hit = [r | {"_size": r["received_total"]} for r, u in zip(own, unsynced) if u is not None and u > 0]
        out.append({"cause": "not_synced", "procedures_count": len(hit),
                    "filings_count": int(k_all), "online_filings_count": int(k_online),
                    "procedures": _largest(hit), "share_points_before": before, "share_points_after": after})
    by_key: dict = {}
    for r in portal:
        by_key.setdefault(r["procedure_key"], []).append(r)
    outside = []  # own rows (with each portal row of the same procedure, or none) counting more online filings
    for r in own:
        for q in by_key.get(r["procedure_key"], [None]):
            online_portal = 0 if q is None or q["received_online"] is None else q["received_online"]
            gap = None if r["received_online"] is None else r["received_online"] - online_portal
            if gap is not None and gap > 0:
                outside.append(r | {"_size": gap, "_portal_new": None if q is None else q["received_new"]})
    if outside:
        k_online = float(sum(r["_size"] for r in outside))
        k_new = float(sum(r["received_new"] for r in outside if r["_portal_new"] is None and r["received_new"] is not None))
        after = inputs_points(sub, n + k_online, d + k_new)
        out.append({"cause": "separate_software", "procedures_count": len(outside),
                    "filings_count": int(k_online), "online_filings_count": int(k_online),
                    "procedures": _largest(outside), "share_points_before": before, "share_points_after": after})
    if not out:
        return pd.DataFrame({c: (pd.array([], dtype="str") if c in ("period", "unit_id")
                                 else np.array([], dtype=bool) if c == "illustrative" else pd.Series([], dtype=object))
                             for c in CAUSE_COLUMNS})
    for r in out:
        recovered = np.round(np.float64(np.nan if r["share_points_after"] is None else r["share_points_after"])
                             - np.float64(np.nan if r["share_points_before"] is None else r["share_points_before"]), 2)
        r.update(points_recovered=recovered, period=period, unit_id=unit_id, illustrative=illustrative)
    out = sorted(out, key=lambda r: (1, 0.0) if np.isnan(r["points_recovered"]) else (0, -r["points_recovered"]))
    return pd.DataFrame(out, columns=CAUSE_COLUMNS)


_CAUSE_INPUTS = ("count_source", "procedure_code", "name_key", "procedure_name", "received_total", "received_online",
                 "received_new", "synced_filings", "illustrative")


def _total(rows: list[dict], field: str) -> float:
    """A count summed over rows, unknown values left out."""
    return float(sum(r[field] for r in rows if r[field] is not None))


def _largest(rows: list[dict]) -> str:
    """The names of the three rows with the largest ``_size`` (equal ones by procedure key), "—" for a missing name."""
    def key(r):
        size, procedure = r["_size"], r["procedure_key"]
        return ((1, 0) if size is None else (0, -size)), ((1, "") if procedure is None else (0, procedure))

    return ", ".join("—" if r["procedure_name"] is None else r["procedure_name"] for r in sorted(rows, key=key)[:3])
