"""Writing the results the readers of ``analyses.stored`` use: called by the ingest that changed the data.

Every analysis here is called on the writer's connection, after its filing counts are current; what one frame
computes, the next reads back (``fresh_frames``), so the whole set costs little more than its slowest member.
A load that changed only filing counts recomputes the results over them for the (period, unit) pairs it changed
(``changed_pairs``): a small file costs what its pairs cost, not what the whole history does.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from analytics.analyses import changes, explain, gaps, inventory, measures, rankings, reconcile, scores
from analytics.analyses.changes import scores_with_change
from analytics.analyses.stored import (ARROW_PREFIX, COLUMNS, TABLES, VERSION_KEY, arrow_copy_sql, current_version,
                                       stored_version, to_ipc)

FRAMES: dict[str, Callable] = {
    "unit_scores": scores.compute_unit_scores,
    "score_changes": changes.compute_score_changes,
    "filing_totals": measures.compute_filing_totals,
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


PAIR_FRAMES: dict[str, str] = {
    "filing_totals": "period, unit_id",
    "filing_measures": "period, unit_id",
    "filing_metric_changes": "period, unit_id",
    "subindicator_breakdown": "chronological",
    "reconciliation_summary": "chronological",
}
"""The frames whose rows each belong to one (period, unit) pair and rest only on that pair's filing counts
(``filing_metric_changes`` also on the unit's previous period and the same period a year earlier): a load that
changed only the filing counts recomputes the rows of the pairs it touched. Each name → how its whole history
orders the pairs (columns, or ``chronological``: by ``period_sort_key``, then unit name); within a pair the rows
keep the order the computation gave them."""
PAIR_TABLES = tuple(TABLES)
"""The stored model copies, each per (period, unit) pair too (readers order them themselves)."""
PAIR_LIMIT_SHARE = 0.5
"""When more than this share of the (period, unit) pairs changed, the whole history is recomputed instead."""


def pair_fingerprints(con) -> dict[tuple, str]:
    """Per (period, unit) pair: the sum of the hashes of its filing-count parts (``inputs`` sums them all)."""
    rows = con.execute(f"SELECT period, unit_id, sum({_ROW_HASH['fact_parts']}::HUGEINT)::VARCHAR FROM fact_parts "
                       "AS t GROUP BY period, unit_id").fetchall()
    return {(p, u): h for p, u, h in rows}


def _kept_pairs(con) -> tuple[str | None, dict[tuple, str]]:
    """The pair fingerprints the stored results were last computed from, with the whole fingerprint they sum to."""
    row = con.execute("SELECT value FROM meta WHERE key = 'pre_pairs'").fetchall()
    if not row:
        return None, {}
    kept = json.loads(row[0][0])
    return kept.get("fact_parts"), {(p, u): h for p, u, h in kept.get("pairs", [])}


def _keep_pairs(con, fact_parts: str, pairs: dict[tuple, str]) -> None:
    con.execute("INSERT OR REPLACE INTO meta VALUES ('pre_pairs', ?)",
                [json.dumps({"fact_parts": fact_parts, "pairs": [[p, u, h] for (p, u), h in sorted(
                    pairs.items(), key=str)]}, ensure_ascii=False)])


def _has(con, table: str) -> bool:
    return bool(con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ? AND NOT temporary",
                            [table]).fetchall()[0][0])


def changed_pairs(con, name: str, now: dict[str, str], kept_pairs: tuple, pairs_now: dict[tuple, str]
                  ) -> set[tuple] | None:
    """The (period, unit) pairs whose stored rows of ``name`` must be recomputed, when only they need be: the
    stored rows were computed by this code, the filing counts are the only input that changed and the pairs they
    were computed from are known. None: the whole history is recomputed."""
    if name not in PAIR_FRAMES and name not in PAIR_TABLES or not _has(con, f"pre_{name}"):
        return None
    row = con.execute("SELECT value FROM meta WHERE key = ?", [f"pre_inputs:{name}"]).fetchall()
    if not row:
        return None
    kept = json.loads(row[0][0])
    if kept.get("version") != current_version() or set(kept.get("inputs", {})) != set(now):
        return None
    if {t for t in now if kept["inputs"][t] != now[t]} != {"fact_parts"}:
        return None
    whole, before = kept_pairs
    if whole is None or whole != kept["inputs"]["fact_parts"]:
        return None  # the pairs these rows were computed from are not known
    changed = {k for k in before.keys() | pairs_now.keys() if before.get(k) != pairs_now.get(k)}
    if not changed or len(changed) > PAIR_LIMIT_SHARE * len(before.keys() | pairs_now.keys()):
        return None
    return changed


def _followers(con, pairs: set[tuple]) -> set[tuple]:
    """The pairs of stored ``filing_measures`` whose previous period or same period last year is in ``pairs``
    (their changes are compared against it), with ``pairs`` themselves."""
    from analytics.periods import PeriodError, previous_period, same_period_last_year

    touched: dict[str, set[str]] = {}
    for p, u in pairs:
        touched.setdefault(u, set()).add(p)
    out = set(pairs)
    rows = con.execute("SELECT DISTINCT period, unit_id FROM pre_filing_measures WHERE unit_id IN "
                       "(SELECT unnest(?::VARCHAR[]))", [sorted(u for u in touched if u is not None)]).fetchall()
    for p, u in rows:
        try:
            if previous_period(p) in touched[u] or same_period_last_year(p) in touched[u]:
                out.add((p, u))
        except PeriodError:
            return out | {(q, v) for q, v in rows}
    return out


def compute_pairs(compute: Callable, pairs: set[tuple], *, by: str = "period"):
    """``compute(period, unit_id)``'s rows of these pairs, each as the whole history has them: a list of frames
    (none empty), the pairs in no particular order. One call per period (``by`` "period", for its one unit when it
    has only one) or per unit ("unit": a unit's rows compared over its history are computed in one go)."""
    groups: dict[str, set[str]] = {}
    for p, u in pairs:
        groups.setdefault(p if by == "period" else u, set()).add(u if by == "period" else p)
    frames = []
    for key, members in sorted(groups.items(), key=str):
        one = next(iter(members)) if len(members) == 1 else None
        df = compute(key, one) if by == "period" else compute(one, key)
        if one is None:
            df = df[df["unit_id" if by == "period" else "period"].isin(members)]
        if len(df):
            frames.append(df.reset_index(drop=True))
    return frames


_FILLS_NULL = {"str", "string", "float64", "Float64", "Int64", "boolean"}


def _encode_like(df, schema: dict):
    """``df`` encoded as the stored frame whose ``schema`` is given, None when its columns or dtypes are not the
    stored ones (a column all null is, where the stored dtype has nulls; whole numbers where it has floats): the
    whole history computed again might then have other dtypes, so it is."""
    import numpy as np
    import pandas as pd

    dtypes = schema["dtypes"]
    if list(df.columns) != list(dtypes):
        return None
    out = df.copy()
    for c, want in dtypes.items():
        have = str(df[c].dtype)
        if c in schema["json"]:
            if have != "object":
                return None
            out[c] = [json.dumps(v, ensure_ascii=False, default=_json_default, allow_nan=True) for v in df[c]]
        elif have != want:
            if df[c].isna().all() and want in _FILLS_NULL:
                out[c] = pd.Series([None] * len(df), dtype=object).astype(want)
            elif want == "float64" and np.issubdtype(df[c].dtype, np.integer):
                out[c] = df[c].astype("float64")
            else:
                return None
    return out


def _touched(con, pairs: set[tuple]) -> None:
    import pandas as pd

    con.register("_touched", pd.DataFrame(sorted(pairs, key=str), columns=["period", "unit_id"], dtype=object))


_IN_TOUCHED = "k.period IS NOT DISTINCT FROM {t}.period AND k.unit_id IS NOT DISTINCT FROM {t}.unit_id"


def _replace_pairs(con, table: str, pairs: set[tuple], rows: str | None) -> int:
    """Delete the stored rows of these pairs and insert ``rows`` (a query) in their place; returns the rows
    inserted."""
    _touched(con, pairs)
    try:
        con.execute(f"DELETE FROM {table} AS t USING _touched AS k WHERE {_IN_TOUCHED.format(t='t')}")
        return con.execute(f"INSERT INTO {table} BY NAME {rows}").fetchall()[0][0] if rows is not None else 0
    finally:
        con.unregister("_touched")


def _write_table_pairs(con, name: str, model: str, pairs: set[tuple]) -> int:
    """Recompute the stored copy of model ``name``'s rows of these pairs; returns the rows written."""
    periods = sorted({p for p, _ in pairs if p is not None})
    units = sorted({u for _, u in pairs if u is not None})

    def quoted(values) -> str:
        return ", ".join("'" + str(v).replace("'", "''") + "'" for v in values) or "NULL"

    rows = (f"SELECT m.* FROM {model} AS m SEMI JOIN _touched AS k ON {_IN_TOUCHED.format(t='m')} "
            f"WHERE m.period IN ({quoted(periods)}) AND m.unit_id IN ({quoted(units)})")
    return _replace_pairs(con, f"pre_{name}", pairs, rows)


def _write_frame_pairs(con, name: str, compute: Callable, pairs: set[tuple]) -> int | None:
    """Recompute frame ``name``'s rows of these pairs in its stored table, in the order the whole history has
    them; returns the rows written, None when the whole history must be recomputed instead (the rows would not
    keep the stored dtypes, or the pairs' order is not the stored one)."""
    import pandas as pd

    schema = json.loads(con.execute("SELECT value FROM meta WHERE key = ?", [f"pre_frame:{name}"]).fetchall()[0][0])
    frames = compute_pairs(lambda p, u: compute(con, p, u), pairs,
                           by="unit" if name == "filing_metric_changes" else "period")
    encoded = [_encode_like(df, schema) for df in frames]  # each alone: a concatenation would mix dtypes
    if any(e is None for e in encoded):
        return None
    encoded = pd.concat(encoded, ignore_index=True) if encoded else None
    if encoded is not None:
        start = con.execute(f"SELECT coalesce(max(_position), -1) + 1 FROM pre_{name}").fetchall()[0][0]
        encoded["_position"] = range(start, start + len(encoded))
        con.register("_frame", encoded)
    try:
        _replace_pairs(con, f"pre_{name}", pairs, "SELECT * FROM _frame" if encoded is not None else None)
    finally:
        if encoded is not None:
            con.unregister("_frame")
    if not _renumber(con, name):
        return None
    return 0 if encoded is None else len(encoded)


def _renumber(con, name: str) -> bool:
    """Number the rows of ``pre_<name>`` as the whole history orders them: by pair (``PAIR_FRAMES``), then as
    stored. False when the order of the pairs cannot be told that way (two units of one name)."""
    import pandas as pd

    from analytics.periods import period_sort_key

    order, join = PAIR_FRAMES[name], ""
    if order == "chronological":
        shared = con.execute(f"SELECT count(*) FROM (SELECT unit FROM pre_{name} GROUP BY unit "
                             "HAVING count(DISTINCT unit_id) > 1)").fetchall()[0][0]
        if shared:
            return False
        periods = [r[0] for r in con.execute(f"SELECT DISTINCT period FROM pre_{name}").fetchall()]
        ranks = sorted(periods, key=lambda p: period_sort_key(p))
        con.register("_period_rank", pd.DataFrame({"period": ranks, "_rank": range(len(ranks))}, dtype=object)
                     .astype({"_rank": "int64"}))
        join, order = "LEFT JOIN _period_rank AS r ON r.period = t.period", "r._rank, t.unit, t.unit_id"
    else:
        order = ", ".join(f"t.{c.strip()}" for c in order.split(","))
    try:
        con.execute(f"CREATE OR REPLACE TABLE pre_{name} AS SELECT t.* EXCLUDE (_position), "
                    f"(row_number() OVER (ORDER BY {order}, t._position) - 1)::BIGINT AS _position "
                    f"FROM pre_{name} AS t {join} ORDER BY _position")
    finally:
        if join:
            con.unregister("_period_rank")
    return True


def write_frames(con, *, everything: bool = False) -> dict[str, int]:
    """Compute and store every frame of ``FRAMES`` and table of ``TABLES`` (inside a writer) whose inputs changed
    since it was stored; returns the rows stored per frame recomputed (the others are kept as they are). When only
    the filing counts changed, the frames and tables per (period, unit) pair (``PAIR_FRAMES``, ``PAIR_TABLES``)
    recompute only the rows of the pairs that changed (``changed_pairs``), the rows of the other pairs are kept.
    ``everything``: every frame and table computed whole, whatever changed."""
    from analytics.db import part_store

    counts = {}
    store = part_store(con)
    fresh = store.fresh_frames if store is not None else set()
    fresh.clear()
    fingerprints: dict[tuple, dict[str, str]] = {}
    kept_pairs = _kept_pairs(con)
    pairs_now = pair_fingerprints(con)

    def current_inputs(name: str) -> dict[str, str]:
        key = SCORE_INPUTS if name in SCORE_FRAMES else ALL_INPUTS
        if key not in fingerprints:
            fingerprints[key] = inputs(con, name)
        return fingerprints[key]

    for name, model in TABLES.items():
        now = current_inputs(name)
        if everything or not _unchanged(con, name, now):
            pairs = None if everything else changed_pairs(con, name, now, kept_pairs, pairs_now)
            if pairs is not None:
                counts[name] = _write_table_pairs(con, name, model, pairs)
            else:
                con.execute(f"CREATE OR REPLACE TABLE pre_{name} AS SELECT * FROM {model}")
                counts[name] = con.execute(f"SELECT count(*) FROM pre_{name}").fetchall()[0][0]
            _keep_inputs(con, name, now)
            if name in ARROW_TABLES:
                _write_pair_copies(con, name, pairs)
        elif name in ARROW_TABLES and not _has(con, f"{ARROW_PREFIX}{name}"):
            _write_pair_copies(con, name, None)
        fresh.add(name)
    for name, compute in FRAMES.items():
        now = current_inputs(name)
        if not everything and _unchanged(con, name, now):
            fresh.add(name)
            continue
        pairs = None if everything else changed_pairs(con, name, now, kept_pairs, pairs_now)
        if pairs is not None:
            if name == "filing_metric_changes":
                pairs = _followers(con, pairs)
            written = _write_frame_pairs(con, name, compute, pairs)
            if written is not None:
                _keep_inputs(con, name, now)
                counts[name] = written
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
    _write_arrow_copies(con, {n for n in FRAMES if n in counts or not _has(con, f"{ARROW_PREFIX}{n}")})
    _keep_pairs(con, current_inputs("pre_pairs")["fact_parts"], pairs_now)
    con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [VERSION_KEY, current_version()])
    return counts


ARROW_TABLES: dict[str, str] = {"procedure_filings": explain.PROCEDURE_ORDER}
"""The stored model copies also kept as Arrow streams, one per (period, unit) pair (name → the order their readers
ask for, which starts with period and unit): a reader fetches one pair's rows, whatever the number of pairs."""


def _write_arrow_copies(con, names: set[str]) -> None:
    """Keep each named frame's stored rows also as one Arrow IPC stream (``stored.ARROW_PREFIX``), written in the
    same transaction as the table it copies, so readers fetch it in one small query."""
    for name in sorted(names):
        schema = json.loads(con.execute("SELECT value FROM meta WHERE key = ?", [f"pre_frame:{name}"]).fetchall()[0][0])
        table = con.sql(arrow_copy_sql(name, schema["dtypes"])).to_arrow_table()
        con.execute(f"CREATE OR REPLACE TABLE {ARROW_PREFIX}{name} AS SELECT ?::BLOB AS ipc", [to_ipc(table)])


def _pair_starts(table) -> list[int]:
    """The rows where a new (period, unit) pair starts in a table ordered by pair (a missing value is a value)."""
    import numpy as np
    import pyarrow.compute as pc

    n = table.num_rows
    change = np.zeros(n, dtype=bool)
    if n:
        change[0] = True
    for column in ("period", "unit_id"):
        values = pc.fill_null(table[column].cast("string"), "\x00")
        change[1:] |= pc.not_equal(values.slice(1), values.slice(0, n - 1)).to_numpy(zero_copy_only=False)
    return np.flatnonzero(change).tolist()


def _write_pair_copies(con, name: str, pairs: set[tuple] | None) -> None:
    """Keep the stored table ``name`` of ``ARROW_TABLES`` also as one Arrow stream per (period, unit) pair, in its
    readers' order: of these pairs (their old streams replaced), or of every pair (``pairs`` None)."""
    import pandas as pd
    import pyarrow as pa

    copy = f"{ARROW_PREFIX}{name}"
    if pairs is None:
        table = con.sql(f"SELECT * FROM pre_{name} {ARROW_TABLES[name]}").to_arrow_table()
        con.execute(f"CREATE OR REPLACE TABLE {copy} (period VARCHAR, unit_id VARCHAR, ipc BLOB)")
    else:
        _touched(con, pairs)
        try:
            table = con.sql(f"SELECT m.* FROM pre_{name} AS m SEMI JOIN _touched AS k ON "
                            f"{_IN_TOUCHED.format(t='m')} {ARROW_TABLES[name]}").to_arrow_table()
            con.execute(f"DELETE FROM {copy} AS t USING _touched AS k WHERE {_IN_TOUCHED.format(t='t')}")
        finally:
            con.unregister("_touched")
    starts = _pair_starts(table)  # the order starts with the pair
    ends = [*starts[1:], table.num_rows]
    first = pa.array(starts, type=pa.int64())
    blobs = pd.DataFrame({"period": table["period"].take(first).to_pylist(),
                          "unit_id": table["unit_id"].take(first).to_pylist(),
                          "ipc": [to_ipc(table.slice(a, b - a)) for a, b in zip(starts, ends)]})
    if len(blobs):
        con.register("_blobs", pa.Table.from_pandas(blobs, preserve_index=False))
        try:
            con.execute(f"INSERT INTO {copy} SELECT period, unit_id, ipc FROM _blobs")
        finally:
            con.unregister("_blobs")


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
