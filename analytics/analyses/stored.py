"""Results computed once at ingest and kept in the database, for readers that must start fast.

Two kinds, both written by the ingest that changed the data and used only while current:

- **whole-history frames** (``frame``, written by ``precompute.write_frames``): ``unit_scores``, ``score_changes``,
  ``subindicator_breakdown``, … computed for every period and unit and stored as tables ``pre_<name>``; the
  analysis, asked for one period or unit, reads its rows back (a filter, in the stored order, with the dtypes
  it had) instead of recomputing them, so a page's queries cost a read whatever the number of filing rows.
  The analysis function stays the one definition: the stored rows are its own output, and a test checks the
  read-back equals the computed frame for every period and unit of the demo.

``python -m analytics scores`` in a fresh process should cost little more than opening the database: it reads the
rows ``scores_with_change`` gave when the data last changed (table ``pre_scores``) with plain DuckDB, no pandas.
The rows are written by the ingest that changed the data (``precompute.write_stored_scores``, the same function every other
reader calls: one definition) and are used only while they are current: the meta key ``pre_scores`` holds a hash
of the code and index definition that computed them, and a writer that does not recompute them removes it.
"""

from __future__ import annotations

import hashlib

from analytics.settings import PACKAGE_DIR, SQL_DIR, definition_file

COLUMNS = ["period", "unit", "unit_id", "unit_level", "province", "component", "score_points", "max_points",
           "gap_to_max", "grade_key", "reported_grade", "grade_mismatch", "illustrative", "computed", "index_version",
           "source", "change", "previous_period", "change_illustrative"]
SOURCES = ("analyses/*.py", "*.py")  # the analyses and the ground floor they stand on


def stored_version() -> str:
    """A hash of what the stored scores depend on besides the data: the SQL models, the modules that compute them
    and the index definition in use."""
    h = hashlib.sha256()
    paths = [p for pattern in SOURCES for p in sorted(PACKAGE_DIR.glob(pattern))]
    for path in [*sorted(SQL_DIR.glob("*.sql")), *paths, definition_file()]:
        try:
            h.update(path.read_bytes())
        except OSError:
            h.update(b"-")
    return h.hexdigest()[:16]


def stored_scores(con, period: str | None = None, unit_id: str | None = None) -> list[dict] | None:
    """The stored rows of ``scores_with_change`` (dicts, in its order), or None when none are current."""
    from analytics.db import meta_values

    meta = meta_values(con)
    if meta is None or meta.get("pre_scores") != stored_version():  # None: a database older than the table
        return None
    cur = con.execute(f"SELECT {', '.join(COLUMNS)} FROM pre_scores WHERE (CAST(? AS VARCHAR) IS NULL OR period = ?) "
                      "AND (CAST(? AS VARCHAR) IS NULL OR unit_id = ?) ORDER BY position",
                      [period, period, unit_id, unit_id])
    return [dict(zip(COLUMNS, r)) for r in cur.fetchall()]


# --- whole-history frames -------------------------------------------------------------------------------------

TABLES: dict[str, str] = {
    # name → the SQL model stored as it is (read back by the same SQL, so DuckDB gives the same dtypes)
    "procedure_filings": "mart_procedure_filings",
    "own_vs_portal": "mart_own_vs_portal",
}

VERSION_KEY = "pre_frames"


def _current(con, name: str, key: str | None = None) -> str | None:
    """The one test of whether the stored ``name`` may be read on this connection: when it may, the meta value of
    ``key`` ('' without a key, None when the key is missing); None when it may not. A writer's connection reads only
    what it stored itself (its data may differ from what was stored before); any other reader, only while the meta
    key ``pre_frames`` matches the code and index definition in use."""
    from analytics.db import meta_values, part_store

    store = part_store(con)
    if store is not None and name not in store.fresh_frames:
        return None
    rows = meta_values(con)
    if rows is None:  # a database older than the table
        return None
    if store is None and rows.get(VERSION_KEY) != current_version():
        return None
    return rows.get(key) if key else ""


_VERSION: dict[tuple, str] = {}


def current_version() -> str:
    """``stored_version``, computed once per index definition in use (the code does not change under a running
    process; the definition may: an analyst points ``ANALYTICS_DEFINITION`` at another file)."""
    path = definition_file()
    try:
        stat = path.stat()
        key = (str(path), stat.st_mtime_ns, stat.st_size)
    except OSError:
        key = (str(path), None, None)
    if key not in _VERSION:
        _VERSION[key] = stored_version()
    return _VERSION[key]


def _decode(df, schema):
    import json

    import pandas as pd

    if df.empty:  # built from typed empty columns: an empty Arrow column (no chunks) breaks pandas joins
        return pd.DataFrame({c: pd.Series([], dtype=object if c in schema["json"] else dtype)
                             for c, dtype in schema["dtypes"].items()})
    for c in schema["json"]:
        df[c] = pd.Series([json.loads(v) for v in df[c]], index=df.index, dtype=object)
    have = dict(zip(df.columns, df.dtypes))  # read once: a column looked up per name costs more than the small frame's conversion
    for c, dtype in schema["dtypes"].items():  # column by column: a frame's astype(dict) copies every column
        if c not in schema["json"] and str(have[c]) != dtype:
            df[c] = df[c].astype(dtype)
    return df


def table(con, name: str) -> str | None:
    """The stored copy of model ``name`` of ``TABLES`` (a table name to select from), None when not current."""
    return f"pre_{name}" if _current(con, name) is not None else None


def frame(con, name: str, **filters):
    """Frame ``name``'s stored rows where each given column equals its value (a None value: no filter), in the
    computed order with the computed dtypes; None when the stored frames are not current (the caller computes)."""
    from analytics.db import per_version, reader_snapshot

    schema = _schema(con, name)
    if schema is None:
        return None
    used = {c: v for c, v in filters.items() if v is not None}
    unknown = set(used) - set(schema["dtypes"])
    if unknown:
        raise ValueError(f"frame {name} has no column {', '.join(sorted(unknown))}")
    where = " AND ".join(f'"{c}" = ?' for c in used) or "TRUE"
    columns = ", ".join(f'"{c}"' for c in schema["dtypes"])
    sql = f"SELECT {columns} FROM pre_{name} WHERE {where} ORDER BY _position"
    # through Arrow: several times faster than DuckDB's own DataFrame conversion; _decode restores the dtypes
    if reader_snapshot(con) is None:  # a writer reads what its own transaction stored
        return _decode(con.sql(sql, params=list(used.values())).to_arrow_table().to_pandas(), schema)

    def read():
        whole = arrow_copy(con, name)
        if whole is not None:
            rows = rows_where(whole, used)
            if rows is not None:
                return _decode(rows.to_pandas(), schema)
        cursor = con.cursor()  # a reader's own cursor: a result its caller left unfinished (a fetchone) is no obstacle
        try:
            return _decode(cursor.sql(sql, params=list(used.values())).to_arrow_table().to_pandas(), schema)
        finally:
            cursor.close()

    # the same rows asked again (a page's analyses share them) are read once per version of the file
    return per_version(con, ("frame", name, tuple(sorted(used.items()))), read).copy()


ARROW_PREFIX = "pre_arrow_"
"""``pre_arrow_<name>``: one row, the frame's stored rows (its columns, in its order) as one Arrow IPC stream
(``to_ipc``)."""
_SIZE = 8  # bytes of the stream's size before its compressed bytes


def to_ipc(table) -> bytes:
    """An Arrow table as one stored value: the size of its IPC stream (8 bytes, little-endian), then the stream
    compressed by LZ4 as one buffer (one call: compressing each column's buffers costs several times as much on
    the few hundred rows of a pair, to write and to read)."""
    import pyarrow as pa
    import pyarrow.ipc as ipc

    sink = pa.BufferOutputStream()
    with ipc.new_stream(sink, table.schema) as out:
        out.write_table(table)
    raw = sink.getvalue()
    return raw.size.to_bytes(_SIZE, "little") + pa.compress(raw, codec="lz4", asbytes=True)


def from_ipc(value: bytes):
    """The Arrow table ``to_ipc`` stored."""
    import pyarrow as pa
    import pyarrow.ipc as ipc

    size = int.from_bytes(value[:_SIZE], "little")
    return ipc.open_stream(pa.decompress(value[_SIZE:], decompressed_size=size, codec="lz4")).read_all()


def arrow_copy_sql(name: str, columns) -> str:
    """The rows ``write_frames`` keeps as frame ``name``'s Arrow copy: its stored table's columns in its order."""
    quoted = ", ".join(f'"{c}"' for c in columns)
    return f"SELECT {quoted} FROM pre_{name} ORDER BY _position"


def arrow_copy(con, name: str):
    """Frame (or stored model copy) ``name``'s rows as one Arrow table, read once per version of the file (``db.per_version``): one small
    query, where a filtered SELECT costs several milliseconds per call in this DuckDB; None when the database has
    no copy (a database written before it: the caller reads the table)."""
    import duckdb

    from analytics.db import per_version

    def load():
        cursor = con.cursor()
        try:
            rows = cursor.execute(f"SELECT ipc FROM {ARROW_PREFIX}{name}").fetchall()
        except duckdb.CatalogException:
            return None
        finally:
            cursor.close()
        return from_ipc(rows[0][0]) if rows else None

    return per_version(con, ("frame_arrow", name), load)


def pair_copy(con, name: str, period: str, unit_id: str):
    """The stored rows of model copy ``name`` for one (period, unit) pair as an Arrow table (kept per pair by
    ``precompute.ARROW_TABLES``, in its readers' order), read once per version of the file; None when the pair has
    no rows or the database keeps no such copies (the caller reads the table)."""
    import duckdb

    from analytics.db import per_version

    def load():
        cursor = con.cursor()
        try:
            rows = cursor.execute(f"SELECT ipc FROM {ARROW_PREFIX}{name} WHERE period = ? AND unit_id = ?",
                                  [period, unit_id]).fetchall()
        except duckdb.CatalogException:
            return None
        finally:
            cursor.close()
        return from_ipc(rows[0][0]) if rows else None

    return per_version(con, ("pair_copy", name, period, unit_id), load)


def rows_where(table, used: dict):
    """The rows of Arrow ``table`` where each column of ``used`` equals its value, in their order (None when a
    value does not compare with its column: the caller asks DuckDB)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    mask = None
    try:
        for c, v in used.items():
            hit = pc.equal(table[c], pa.scalar(v, type=table.schema.field(c).type))
            mask = hit if mask is None else pc.and_(mask, hit)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, KeyError):
        return None
    return table if mask is None else table.filter(mask)  # a null compares as not equal, as in SQL


_SCHEMAS: dict[str, dict] = {}  # a stored schema's JSON text → the schema (parsed once per process; read only)


def _schema(con, name: str) -> dict | None:
    """Frame ``name``'s stored schema, None when it may not be read (``_current``)."""
    import json

    value = _current(con, name, f"pre_frame:{name}")
    if not value:
        return None
    if value not in _SCHEMAS:
        _SCHEMAS[value] = json.loads(value)
    return _SCHEMAS[value]
