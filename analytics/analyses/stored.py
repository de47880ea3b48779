"""Results computed once at ingest and kept in the database, for readers that must start fast.

``python -m analytics scores`` in a fresh process should cost little more than opening the database: it reads the
rows ``scores_with_change`` gave when the data last changed (table ``pre_scores``) with plain DuckDB, no pandas.
The rows are written by the ingest that changed the data (``write_stored_scores``, the same function every other
reader calls: one definition) and are used only while they are current: the meta key ``pre_scores`` holds a hash
of the code and index definition that computed them, and a writer that does not recompute them removes it.
"""

from __future__ import annotations

import hashlib

from analytics.settings import PACKAGE_DIR, SQL_DIR, definition_file

COLUMNS = ["period", "unit", "unit_id", "unit_level", "province", "component", "score_points", "max_points",
           "gap_to_max", "grade_key", "reported_grade", "grade_mismatch", "illustrative", "computed", "index_version",
           "source", "change", "previous_period", "change_illustrative"]
SOURCES = ("analyses/scores.py", "analyses/changes.py", "analyses/measures.py", "analyses/provenance.py",
           "definition.py", "scoring.py")


def stored_version() -> str:
    """A hash of what the stored scores depend on besides the data: the SQL models, the modules that compute them
    and the index definition in use."""
    h = hashlib.sha256()
    for path in [*sorted(SQL_DIR.glob("*.sql")), *(PACKAGE_DIR / s for s in SOURCES), definition_file()]:
        try:
            h.update(path.read_bytes())
        except OSError:
            h.update(b"-")
    return h.hexdigest()[:16]


def write_stored_scores(con) -> int:
    """Store ``scores_with_change`` for every period and unit (inside a writer); returns the rows stored."""
    from analytics.analyses.changes import scores_with_change

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


def stored_scores(con, period: str | None = None, unit_id: str | None = None) -> list[dict] | None:
    """The stored rows of ``scores_with_change`` (dicts, in its order), or None when none are current."""
    try:
        row = con.execute("SELECT value FROM meta WHERE key = 'pre_scores'").fetchall()
    except Exception:  # noqa: BLE001  (a database older than the table)
        return None
    if not row or row[0][0] != stored_version():
        return None
    cur = con.execute(f"SELECT {', '.join(COLUMNS)} FROM pre_scores WHERE (CAST(? AS VARCHAR) IS NULL OR period = ?) "
                      "AND (CAST(? AS VARCHAR) IS NULL OR unit_id = ?) ORDER BY position",
                      [period, period, unit_id, unit_id])
    return [dict(zip(COLUMNS, r)) for r in cur.fetchall()]
