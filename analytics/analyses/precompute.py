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


SCORE_INPUTS = ("index_scores", "portal_metrics", "portal_groups", "units", "unit_aliases", "targets")
"""The tables the scores and what is computed from them (changes, gaps, ranks) are read from."""
ALL_INPUTS = (*SCORE_INPUTS, "fact_parts", "procedure_catalog", "dossier_files")
"""… and the filing counts (their Parquet parts), the catalogue and the dossier lists, for the rest."""
SCORE_FRAMES = {"unit_scores", "score_changes", "component_gaps", "grade_outlook", "unit_rankings",
                "scored_unit_periods", "pre_scores"}


def inputs(con, name: str) -> dict[str, str]:
    """A fingerprint of the rows frame or table ``name`` is computed from: per input table, its row count and
    the sum of its rows' hashes (every input is small: the filing counts enter as their list of parts)."""
    tables = SCORE_INPUTS if name in SCORE_FRAMES else ALL_INPUTS
    sql = " UNION ALL ".join(f"SELECT '{t}', count(*), sum({_ROW_HASH.get(t, 'hash(t)')}::HUGEINT)::VARCHAR FROM {t} AS t"
                             for t in tables)
    return {t: f"{n}:{h}" for t, n, h in con.execute(sql).fetchall()}


_ROW_HASH = {  # a part is its file's name (ingest and content hash), wherever the database folder is moved
    "fact_parts": "hash(t.table_name, parse_filename(t.part), t.ingest_id, t.period, t.unit_id, t.rows, "
                  "t.illustrative_rows)",
}


def _unchanged(con, name: str, now: dict[str, str]) -> bool:
    """Whether the stored ``name`` was computed by this code from these very inputs (then it is kept)."""
    row = con.execute("SELECT value FROM meta WHERE key = ?", [f"pre_inputs:{name}"]).fetchall()
    if not row:
        return False
    kept = json.loads(row[0][0])
    return kept.get("version") == current_version() and kept.get("inputs") == now


def _keep_inputs(con, name: str, now: dict[str, str]) -> None:
    con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                [f"pre_inputs:{name}", json.dumps({"version": current_version(), "inputs": now})])


def write_frames(con) -> dict[str, int]:
    """Compute and store every frame of ``FRAMES`` and table of ``TABLES`` (inside a writer) whose inputs changed
    since it was stored; returns the rows stored per frame recomputed (the others are kept as they are)."""
    from analytics.db import part_store

    counts = {}
    store = part_store(con)
    fresh = store.fresh_frames if store is not None else set()
    fresh.clear()
    fingerprints: dict[tuple, dict[str, str]] = {}

    def current_inputs(name: str) -> dict[str, str]:
        key = SCORE_INPUTS if name in SCORE_FRAMES else ALL_INPUTS
        if key not in fingerprints:
            fingerprints[key] = inputs(con, name)
        return fingerprints[key]

    for name, model in TABLES.items():
        now = current_inputs(name)
        if not _unchanged(con, name, now):
            con.execute(f"CREATE OR REPLACE TABLE pre_{name} AS SELECT * FROM {model}")
            counts[name] = con.execute(f"SELECT count(*) FROM pre_{name}").fetchone()[0]
            _keep_inputs(con, name, now)
        fresh.add(name)
    for name, compute in FRAMES.items():
        now = current_inputs(name)
        if _unchanged(con, name, now):
            fresh.add(name)
            continue
        df = compute(con)
        encoded, schema = _encode(df.reset_index(drop=True))
        encoded["_position"] = range(len(encoded))
        con.register("_frame", encoded)
        try:
            con.execute(f"CREATE OR REPLACE TABLE pre_{name} AS SELECT * FROM _frame")
        finally:
            con.unregister("_frame")
        con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [f"pre_frame:{name}", json.dumps(schema)])
        _keep_inputs(con, name, now)
        counts[name] = len(df)
        fresh.add(name)
    con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [VERSION_KEY, current_version()])
    return counts


def write_stored_scores(con) -> int:
    """Store ``scores_with_change`` for every period and unit (inside a writer) unless the stored rows were
    computed by this code from the same inputs; returns the rows stored (0: kept)."""
    now = inputs(con, "pre_scores")
    kept = con.execute("SELECT value FROM meta WHERE key = 'pre_scores'").fetchall()
    if kept and kept[0][0] == stored_version() and _unchanged(con, "pre_scores", now):
        return 0
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
    _keep_inputs(con, "pre_scores", now)
    return len(df)
