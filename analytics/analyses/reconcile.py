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
    """Rows ordered by period (chronologically), unit, measure (as MEASURES) and rank."""
    order = {m: i for i, m in enumerate(MEASURES)}
    keys = {p: period_sort_key(p) for p in df["period"].unique()}  # once per period, not once per row
    df = df.assign(_p=df["period"].map(keys), _m=df["measure"].map(order))
    keys = ["_p", "unit", "_m"] + ([rank_column] if rank_column else [])
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
    df = con.execute(f"""
        SELECT r.*, coalesce(u.display_name, r.unit_id) AS unit
        FROM {table or 'mart_own_vs_portal'} AS r
        LEFT JOIN units AS u USING (unit_id)
        WHERE (CAST(? AS VARCHAR) IS NULL OR r.period = ?)
          AND (CAST(? AS VARCHAR) IS NULL OR r.measure = ?)
          AND (CAST(? AS VARCHAR) IS NULL OR r.unit_id = ?)
    """, [period, period, measure, measure, unit_id, unit_id]).df()
    if df.empty:
        return pd.DataFrame(columns=RECONCILE_COLUMNS)
    df = df.copy()
    for c in ("own_count", "portal_count", "difference_count", "abs_difference_count"):
        df[c] = df[c].astype("Int64")
    return _sorted(df, "difference_rank")[RECONCILE_COLUMNS]


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
    detail = own_vs_portal(con, period, unit_id)
    if detail.empty:
        return pd.DataFrame(columns=SUMMARY_COLUMNS)
    keys = ["period", "unit_id", "measure"]
    g = detail.groupby(keys, sort=False)
    top = detail.loc[g["difference_rank"].idxmin().to_numpy()].reset_index(drop=True)  # one per group, in order
    size = g.size().to_numpy()
    own_known = g["own_count"].count().to_numpy() == size
    portal_known = g["portal_count"].count().to_numpy() == size
    own_sum, portal_sum = g["own_count"].sum().to_numpy(), g["portal_count"].sum().to_numpy()
    abs_sum = g["abs_difference_count"].sum().to_numpy()
    # a procedure counted by one source only differs too
    differing = (detail["own_count"].isna() | detail["portal_count"].isna()
                 | detail["difference_count"].fillna(0).ne(0)).groupby([detail[k] for k in keys], sort=False).sum()
    differs = [pd.notna(d) and d != 0 for d in top["difference_count"]]
    own = [int(v) if known else None for v, known in zip(own_sum, own_known)]
    portal = [int(v) if known else None for v, known in zip(portal_sum, portal_known)]
    df = pd.DataFrame({
        "period": top["period"], "unit": g["unit"].first().to_numpy(), "unit_id": top["unit_id"],
        "measure": top["measure"], "own_count": own, "portal_count": portal,
        "difference_count": [None if o is None or q is None else q - o for o, q in zip(own, portal)],
        "procedures_count": size, "procedures_differing_count": differing.to_numpy().astype(int),
        "largest_difference_procedure_code": [c if d else None for c, d in zip(top["procedure_code"], differs)],
        "largest_difference_procedure": [n if d else None for n, d in zip(top["procedure_name"], differs)],
        "largest_difference_count": top["difference_count"],
        "largest_difference_share_pct": [
            round(100.0 * float(a) / float(total), 2) if total and not pd.isna(total) else None
            for a, total in zip(top["abs_difference_count"], abs_sum)],
    })
    for c in ("own_count", "portal_count", "difference_count", "largest_difference_count"):
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
    from analytics.analyses.explain import SCORING_VERSION, inputs_points
    from analytics.analyses.provenance import derived_illustrative
    from analytics.definition import load_definition

    ensure_models(con)
    rows = con.execute("""
        SELECT count_source, coalesce(procedure_code, name_key) AS procedure_key, procedure_name,
               received_total, received_online, received_new, synced_filings, illustrative
        FROM stg_filing_counts WHERE period = ? AND unit_id = ? AND count_source IN ('own', 'portal')
    """, [period, unit_id]).df()
    own, portal = rows[rows["count_source"] == "own"], rows[rows["count_source"] == "portal"]
    if own.empty or portal.empty:
        return pd.DataFrame(columns=CAUSE_COLUMNS)
    sub = next(s for s in load_definition().version(SCORING_VERSION).subindicators if s.code == SHARE_CODE)
    n, d = float(portal["received_online"].sum()), float(portal["received_new"].sum())
    before = inputs_points(sub, n, d)
    illustrative = derived_illustrative(bool(own["illustrative"].any()), bool(portal["illustrative"].any()))
    missing_online = max(0.0, float(own["received_online"].sum()) - n)
    missing_filings = max(0.0, float(own["received_new"].sum()) - d)
    out = []
    unsynced = own["received_total"] - own["synced_filings"]
    if own["synced_filings"].notna().any():
        k_all = min(float(unsynced.clip(lower=0).sum()), missing_filings)
        k_online = min(k_all, missing_online)
        after = inputs_points(sub, n + k_online, d + k_all)
        out.append({"cause": "not_synced", "procedures_count": int((unsynced > 0).sum()),
                    "filings_count": int(k_all), "online_filings_count": int(k_online),
                    "procedures": ", ".join(own.loc[unsynced > 0].sort_values(
                        ["received_total", "procedure_key"], ascending=[False, True], kind="stable")
                        ["procedure_name"].head(3).fillna("—")),
                    "share_points_before": before, "share_points_after": after})
    joined = own.merge(portal, on="procedure_key", how="left", suffixes=("", "_portal"))
    gap = joined["received_online"] - joined["received_online_portal"].fillna(0)
    outside = joined[gap > 0].assign(_gap=gap[gap > 0])
    if len(outside):
        k_online = float(outside["_gap"].sum())
        k_new = float(outside.loc[outside["received_new_portal"].isna(), "received_new"].sum())
        after = inputs_points(sub, n + k_online, d + k_new)
        out.append({"cause": "separate_software", "procedures_count": len(outside),
                    "filings_count": int(k_online), "online_filings_count": int(k_online),
                    "procedures": ", ".join(outside.sort_values(["_gap", "procedure_key"], ascending=[False, True],
                                                                kind="stable")["procedure_name"].head(3).fillna("—")),
                    "share_points_before": before, "share_points_after": after})
    df = pd.DataFrame(out, columns=[c for c in CAUSE_COLUMNS if c not in ("period", "unit_id", "illustrative",
                                                                          "points_recovered")])
    df["points_recovered"] = (df["share_points_after"] - df["share_points_before"]).round(2)
    df["period"], df["unit_id"], df["illustrative"] = period, unit_id, illustrative
    return df.sort_values("points_recovered", ascending=False)[CAUSE_COLUMNS].reset_index(drop=True)
