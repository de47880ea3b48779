"""Read-only questions about the loaded data itself (what was loaded, when, from which file, what was rejected).

Plain Python over a DuckDB connection: the dashboard calls these through its cached wrappers, and the
meeting brief export calls them directly. Values reach SQL as bound parameters only.
"""

from __future__ import annotations

import pandas as pd

from analytics.analyses import stored
from analytics.periods import PeriodError, period_sort_key

# which unit has results in which period (what the pickers offer), without computing any score
SCORED_UNITS_SQL = """
SELECT m.period, m.unit_id, u.display_name AS unit, u.unit_level, u.province,
       bool_or(NOT m.illustrative AND m.score_points IS NOT NULL) AS published
FROM mart_scores AS m
INNER JOIN units AS u USING (unit_id)
GROUP BY m.period, m.unit_id, u.display_name, u.unit_level, u.province
ORDER BY m.period, m.unit_id
"""

INGEST_LOG_SQL = """
SELECT ingest_id, file_name, kind, origin, periods, rows_loaded, rows_rejected, status, illustrative,
       source_document, sha256, size_bytes, started_at, message
FROM ingest_log
ORDER BY ingest_id DESC
"""

REJECTS_SQL = """
SELECT r.ingest_id, r.file_name, r.sheet, r.row_number, r.column_name, r.value, r.reason, l.started_at
FROM rejects AS r
LEFT JOIN ingest_log AS l USING (ingest_id)
ORDER BY r.ingest_id DESC, r.row_number
"""

# the files whose rows make a unit's scores and filing counts in a period (the rows the views chose, not every copy)
SOURCE_FILES_SQL = """
WITH used AS (
    SELECT DISTINCT ingest_id FROM stg_index_scores WHERE unit_id = ? AND period = ?
    UNION
    SELECT DISTINCT ingest_id FROM stg_filing_counts WHERE unit_id = ? AND period = ?
    UNION
    SELECT DISTINCT ingest_id FROM targets WHERE unit_id = ? AND (period = ? OR (period IS NULL AND year = ?))
)
SELECT l.file_name, l.kind, l.sha256, l.illustrative, l.source_document, l.started_at
FROM ingest_log AS l
INNER JOIN used USING (ingest_id)
ORDER BY l.kind, l.file_name
"""

ILLUSTRATIVE_ROWS_SQL = """
SELECT 'index' AS kind, count(*) FILTER (WHERE illustrative) AS illustrative_rows, count(*) AS rows FROM index_scores
UNION ALL SELECT 'filings', count(*) FILTER (WHERE illustrative), count(*) FROM filing_counts
UNION ALL SELECT 'catalog', count(*) FILTER (WHERE illustrative), count(*) FROM procedure_catalog
UNION ALL SELECT 'targets', count(*) FILTER (WHERE illustrative), count(*) FROM targets
UNION ALL SELECT 'portal', count(*) FILTER (WHERE illustrative), count(*) FROM portal_metrics
"""


def database_state(con) -> str:
    """'ok' when the database holds index results, 'empty' otherwise."""
    try:
        n = con.execute("SELECT count(*) FROM index_scores").fetchall()[0][0]
    except Exception:  # no such table: a database nothing was ever loaded into
        return "empty"
    return "ok" if n else "empty"


def scored_unit_periods(con) -> pd.DataFrame:
    """One row per (period, unit) with any index result: period, unit_id, unit, unit_level, province, and
    ``published`` (some score of the period is published, not illustrative). Read from the rows stored at ingest
    when they are current (``analyses.stored``)."""
    got = stored.frame(con, "scored_unit_periods")
    return got if got is not None else compute_scored_unit_periods(con)


def compute_scored_unit_periods(con) -> pd.DataFrame:
    """``scored_unit_periods``, computed (what ingest stores)."""
    return con.execute(SCORED_UNITS_SQL).df()


def ingest_log(con) -> pd.DataFrame:
    """Every ingest, newest first: file, kind, periods, rows loaded and rejected, status, hash, time."""
    return con.execute(INGEST_LOG_SQL).df()


def rejects(con) -> pd.DataFrame:
    """Every rejected input row with where it was (file, sheet, row, column), its value and the reason."""
    return con.execute(REJECTS_SQL).df()


def _latest_period(periods: pd.Series) -> str | None:
    keys = []
    for text in periods.dropna():
        for p in str(text).split(","):
            p = p.strip()
            try:
                keys.append((period_sort_key(p), p))
            except PeriodError:
                continue
    return max(keys)[1] if keys else None


def freshness(con) -> pd.DataFrame:
    """Per kind of source: files loaded, the latest period they cover, the last load time, any illustrative, and
    how many of its files were loaded as illustrative."""
    log = ingest_log(con)
    log = log[log["status"] == "loaded"]
    if log.empty:
        return pd.DataFrame(columns=["kind", "files", "latest_period", "last_loaded", "illustrative", "illustrative_files"])
    rows = []
    for kind, part in log.groupby("kind", sort=True):
        flags = part["illustrative"].fillna(False).astype(bool)
        rows.append({"kind": kind, "files": len(part), "latest_period": _latest_period(part["periods"]),
                     "last_loaded": part["started_at"].max(), "illustrative": bool(flags.any()),
                     "illustrative_files": int(flags.sum())})
    return pd.DataFrame(rows)


def illustrative_files(con) -> pd.DataFrame:
    """The loaded files marked illustrative (their every row is sample data)."""
    log = ingest_log(con)
    return log[(log["status"] == "loaded") & log["illustrative"].fillna(False).astype(bool)].reset_index(drop=True)


def illustrative_rows(con) -> pd.DataFrame:
    """Per kind of data: how many rows are illustrative out of how many."""
    return con.execute(ILLUSTRATIVE_ROWS_SQL).df()


def source_files(con, unit_id: str, period: str) -> pd.DataFrame:
    """The loaded files that a unit's figures for a period come from, with their SHA-256."""
    year = int(period[:4]) if period[:4].isdigit() else None
    return con.execute(SOURCE_FILES_SQL, [unit_id, period, unit_id, period, unit_id, period, year]).df()


def data_date(con):
    """When the data was last loaded (the newest successful ingest), or None."""
    rows = con.execute("SELECT max(started_at) FROM ingest_log WHERE status = 'loaded'").fetchall()
    return rows[0][0] if rows else None


def loaded_file(con, sha256: str) -> dict | None:
    """The successful load of a file with these exact bytes (ingest_id, file_name, started_at), or None."""
    rows = con.execute("""
        SELECT ingest_id, file_name, started_at FROM ingest_log
        WHERE sha256 = ? AND status = 'loaded' ORDER BY ingest_id LIMIT 1""", [sha256]).fetchall()
    return None if not rows else {"ingest_id": rows[0][0], "file_name": rows[0][1], "started_at": rows[0][2]}
