"""Writing the results the readers of ``analyses.stored`` use: called by the ingest that changed the data.

Every analysis here is called on the writer's connection, after its filing counts are current; what one frame
computes, the next reads back (``fresh_frames``), so the whole set costs little more than its slowest member.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from analytics.analyses import changes, explain, gaps, inventory, measures, rankings, reconcile, scores
from analytics.analyses.changes import scores_with_change
from analytics.analyses.stored import COLUMNS, TABLES, VERSION_KEY, current_version, stored_version

FRAMES: dict[str, Callable] = {
    "unit_scores": scores.compute_unit_scores,
    "score_changes": changes.compute_score_changes,
    "filing_measures": measures.compute_filing_measures,
    "filing_metric_changes": changes.compute_filing_metric_changes,
    "subindicator_breakdown": explain.compute_subindicator_breakdown,
    "component_gaps": gaps.compute_component_gaps,
    "grade_outlook": gaps.compute_grade_outlook,
    "unit_rankings": rankings.compute_unit_rankings,
    "scored_unit_periods": inventory.compute_scored_unit_periods,
    "reconciliation_summary": reconcile.compute_reconciliation_summary,
}
"""The frames stored at ingest: name → the function computing the whole history (called with the connection
only). Each returns a frame with a RangeIndex; plain columns go to DuckDB as they are, object columns (lists,
dicts, mixed values) as JSON text."""


def _json_default(value):
    import numpy as np

    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"cannot store a {type(value).__name__} value")


def _encode(df):
    """(frame for DuckDB, schema): object columns as JSON text, every column's dtype remembered."""
    out = df.copy()
    schema = {"dtypes": {c: str(t) for c, t in df.dtypes.items()}, "json": []}
    for c in df.columns:
        if df[c].dtype == object:
            out[c] = [json.dumps(v, ensure_ascii=False, default=_json_default, allow_nan=True) for v in df[c]]
            schema["json"].append(c)
    return out, schema


def write_frames(con) -> dict[str, int]:
    """Compute and store every frame of ``FRAMES`` (inside a writer); returns the rows stored per frame."""
    from analytics.db import part_store

    counts = {}
    store = part_store(con)
    fresh = store.fresh_frames if store is not None else set()
    fresh.clear()
    for name, model in TABLES.items():
        con.execute(f"CREATE OR REPLACE TABLE pre_{name} AS SELECT * FROM {model}")
        counts[name] = con.execute(f"SELECT count(*) FROM pre_{name}").fetchone()[0]
        fresh.add(name)
    for name, compute in FRAMES.items():
        df = compute(con)
        encoded, schema = _encode(df.reset_index(drop=True))
        encoded["_position"] = range(len(encoded))
        con.register("_frame", encoded)
        try:
            con.execute(f"CREATE OR REPLACE TABLE pre_{name} AS SELECT * FROM _frame")
        finally:
            con.unregister("_frame")
        con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [f"pre_frame:{name}", json.dumps(schema)])
        counts[name] = len(df)
        fresh.add(name)
    con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [VERSION_KEY, current_version()])
    return counts


def write_stored_scores(con) -> int:
    """Store ``scores_with_change`` for every period and unit (inside a writer); returns the rows stored."""
    df = scores_with_change(con)
    df = df.reindex(columns=COLUMNS).assign(position=range(len(df)))
    for c in ("score_points", "max_points", "gap_to_max", "change"):
        df[c] = df[c].astype("Float64")
    for c in ("grade_mismatch", "illustrative", "computed", "change_illustrative"):
        df[c] = df[c].astype("boolean")
    for c in ("period", "unit", "unit_id", "unit_level", "province", "component", "grade_key", "reported_grade",
              "index_version", "source", "previous_period"):
        df[c] = df[c].astype(object).where(df[c].notna(), None)
    con.register("_scores", df)
    try:
        con.execute("CREATE OR REPLACE TABLE pre_scores AS SELECT * FROM _scores")
    finally:
        con.unregister("_scores")
    con.execute("INSERT OR REPLACE INTO meta VALUES ('pre_scores', ?)", [stored_version()])
    return len(df)
