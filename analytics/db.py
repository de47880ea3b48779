"""The DuckDB file: where it is, how readers open it, and how a writer changes it without blocking them.

DuckDB lets one process hold a file read-write and then refuses every other process, readers included.
So a writer never opens the live file: it copies it, writes the copy, and ``os.replace``-s the copy over
the live file (atomic on POSIX). Open readers keep their snapshot; new connections see the new file
(within one process DuckDB shares an instance per path, so a reader closes its old connection before
reopening: the dashboard keys its cached connection on ``data_version``).
Writers queue on an advisory lock file so two ingests never race.

Large fact tables (``filing_counts``) do not live in the file: each ingest writes its rows once as an immutable
Parquet part under ``<database file>.parts/<table>/`` and lists it in ``fact_parts``, by its path relative to the
database file's folder; the table is a view over the listed parts, which names each by its absolute path (DuckDB
reads a relative one from the working folder). A database copied or moved with its folder of parts
(``cp -r analytics.duckdb analytics.duckdb.parts elsewhere/``) keeps working: a reader whose views name the parts
in another folder rebuilds them over its own, as temporary views (``connect_read_only``). The file a writer copies stays small, so an ingest costs what its own rows cost. A part
that a replacement drops is retired (``retired_parts``), not deleted: readers of the previous snapshot still
read it, and a later writer deletes it once the grace period has passed. A part written by a load that failed
or was killed is listed nowhere and is deleted (by the writer itself, else by the next one under the lock).
The filing counts' SQL model ``stg_filing_counts`` is materialised at ingest in ``pre_filing_counts``, one
(period, unit) pair at a time, so pages read small tables whatever the number of filing rows.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import os
import re
import hashlib
import shutil
import tempfile
import threading
import time
import uuid
import weakref
from pathlib import Path

import duckdb

from analytics.settings import DEFAULT_DB, PROJECT_ROOT, SQL_DIR, db_file  # noqa: F401  (PROJECT_ROOT re-exported)


class NoDatabase(FileNotFoundError):
    """The database file does not exist (nothing has been loaded yet)."""


def db_path(path: str | os.PathLike | None = None) -> Path:
    """The database path: the argument, else env ANALYTICS_DB, else data/curated/analytics.duckdb."""
    return db_file(path)


def connect_read_only(path: str | os.PathLike | None = None) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the database (raises NoDatabase if there is none)."""
    p = db_path(path)
    if not p.exists():
        raise NoDatabase(str(p))
    con = duckdb.connect(str(p), read_only=True)
    follow_parts(con, p)
    return con


def follow_parts(con, live: Path) -> bool:
    """On a reader of a database that was copied or moved with its parts (its stored views name them in the folder
    it was copied from): the views over the parts, rebuilt over this database's folder as temporary views, which
    the stored views and models then read. Returns whether they were rebuilt."""
    store = PartStore(live)
    try:
        store.load_seen(con)
        rebuilt = False
        for table in PartStore.TABLES:
            if any(str(store.where(p)) != store.seen.get(Path(p).name) for p in store.listed(con, table)):
                store.create_view(con, table, temporary=True)
                rebuilt = True
        return rebuilt
    except duckdb.Error:
        return False  # not a database of this project, or one written before the parts existed

def data_version(path: str | os.PathLike | None = None) -> str:
    """A token that changes whenever a writer swaps in a new database (for cache keys)."""
    p = db_path(path)
    try:
        st = p.stat()
    except FileNotFoundError:
        return "missing"
    return f"{st.st_mtime_ns}-{st.st_size}-{st.st_ino}"


def apply_schema(con: duckdb.DuckDBPyConnection, store: "PartStore | None" = None) -> None:
    """Create the curated tables and the SQL models (views) if they are missing.

    Without a ``store`` (an in-memory database, a test) ``filing_counts`` is a plain table and
    ``stg_filing_counts`` a view computed on every read. With one (every writer of a database file) the rows
    live in Parquet parts, ``filing_counts`` is a view over them and ``stg_filing_counts`` reads its
    materialised rows (``pre_filing_counts``)."""
    schema = (SQL_DIR / "schema.sql").read_text(encoding="utf-8")
    table = "filing_counts_shape" if store is not None else "filing_counts"
    con.execute(schema.replace("{{filing_counts_table}}", table))
    create_macros(con)
    _load_definition_groups(con)
    if store is not None:
        store.migrate(con)
        store.create_view(con)
        store.ensure_pre(con)
    for model in sorted(SQL_DIR.glob("stg_*.sql")) + sorted(SQL_DIR.glob("mart_*.sql")):
        create_view(con, model)
    con.execute("INSERT OR REPLACE INTO meta VALUES ('models', ?)", [models_version()])


def models_version() -> str:
    """A hash of the SQL models as this code and the index definition in use create them (the meta key ``models``
    of a database whose views are current: readers then need no temporary views)."""
    from analytics.settings import definition_file

    return _models_version(str(definition_file()))


@functools.lru_cache(maxsize=4)
def _models_version(definition: str) -> str:
    h = hashlib.sha256(derived_count_columns().encode())
    for model in sorted(SQL_DIR.glob("*.sql")):
        h.update(model.read_bytes())
    return h.hexdigest()[:16]


def views_current(con) -> bool:
    """Whether the database's SQL views were created by this code and index definition."""
    meta = meta_values(con)
    return meta is not None and meta.get("models") == models_version()


_SNAPSHOTS: dict[tuple, dict] = {}
"""(path, inode, mtime, size) of a database file → what readers in this process read of that version of it."""
_READERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
"""A connection (or cursor) → its file's key in ``_SNAPSHOTS``, or None when it may write."""
_SNAPSHOT_LOCK = threading.Lock()


def reader_snapshot(con) -> dict | None:
    """A dict shared by the read-only connections to one version of a database file in this process, to keep what
    is read once per version (the meta table, unit names); None for a connection that may write.

    What a read-only connection sees never changes: an ingest writes a new file and swaps it in (a new inode, a
    new modification time), and an open connection keeps reading the file it opened. One query per connection
    finds its file and mode."""
    try:
        with _SNAPSHOT_LOCK:
            known, key = con in _READERS, _READERS.get(con)
    except TypeError:  # an object that cannot be weakly referenced: nothing kept
        return None
    if not known:
        key = None
        try:
            path, mode = con.execute("SELECT path, current_setting('access_mode') FROM duckdb_databases() "
                                     "WHERE database_name = current_database()").fetchall()[0]
            if mode == "read_only" and path:
                st = os.stat(path)
                wal = Path(f"{path}.wal")  # a log left by a writer that stopped is replayed on open: part of the version
                ws = wal.stat() if wal.exists() else None
                key = (os.path.realpath(path), st.st_ino, st.st_mtime_ns, st.st_size,
                       ws and (ws.st_mtime_ns, ws.st_size))
        except (duckdb.Error, OSError, IndexError):
            key = None
        with _SNAPSHOT_LOCK:
            _READERS[con] = key
    if key is None:
        return None
    with _SNAPSHOT_LOCK:  # the dashboard's sessions and its background warm-up read from several threads
        if key not in _SNAPSHOTS:
            while len(_SNAPSHOTS) >= 8:  # the oldest versions go first
                _SNAPSHOTS.pop(next(iter(_SNAPSHOTS)))
            _SNAPSHOTS[key] = {}
        return _SNAPSHOTS[key]


def reader_cursor(con):
    """A cursor of ``con`` that knows its file's version from ``con`` (``reader_snapshot`` without a query of its
    own); the dashboard runs each analysis on its own cursor of one shared read-only connection."""
    cursor = con.cursor()
    reader_snapshot(con)  # the parent's version, found once
    with _SNAPSHOT_LOCK:
        if con in _READERS:
            _READERS[cursor] = _READERS[con]
    return cursor


def duckdb_frame(table):
    """Arrow rows of a query as the DataFrame DuckDB's own ``.df()`` gives for them (a test holds the two equal on
    every type and null pattern the stored tables use): an integer or boolean column with a missing value becomes
    pandas' nullable Int/boolean, a text column with no value at all (or no rows) an object column of None.
    Arrow's own conversion would give floats and objects there instead. Only text, integer, boolean and double
    columns are converted; None for a table with any other type (dates, decimals, lists: the caller asks DuckDB)."""
    import pandas as pd
    import pyarrow as pa

    plain = (pa.types.is_string, pa.types.is_large_string, pa.types.is_integer, pa.types.is_boolean,
             pa.types.is_float64)
    if not all(any(is_(f.type) for is_ in plain) for f in table.schema):
        return None
    df = table.to_pandas()
    for name, field in zip(table.column_names, table.schema):
        col = table[name]
        if pa.types.is_integer(field.type) and col.null_count:
            df[name] = pd.array(col.to_pylist(), dtype=f"Int{field.type.bit_width}")
        elif pa.types.is_boolean(field.type) and col.null_count:
            df[name] = pd.array(col.to_pylist(), dtype="boolean")
        elif (pa.types.is_string(field.type) or pa.types.is_large_string(field.type)) and col.null_count == len(col):
            df[name] = pd.Series([None] * len(col), index=df.index, dtype=object)
    return df


MEMO_ENTRIES = 256
"""Results kept per version of a database file by ``per_version`` (the oldest go first beyond this)."""


def per_version(con, key: tuple, compute):
    """``compute()`` once per version of a read-only connection's file and ``key`` in this process, then the same
    object (shared between callers and threads: do not change it); computed on every call for a connection that
    may write (what it reads may change under it). The stored results a page reads several times (the same
    sub-indicators, the same procedure counts) are read once per version: whichever page asks first."""
    snap = reader_snapshot(con)
    if snap is None:
        return compute()
    with _SNAPSHOT_LOCK:
        memo = snap.setdefault("memo", {})
        if key in memo:
            return memo[key]
    value = compute()  # outside the lock: two threads may both compute a new key; either result is the same
    with _SNAPSHOT_LOCK:
        while len(memo) >= MEMO_ENTRIES:
            memo.pop(next(iter(memo)))
        memo.setdefault(key, value)
        return memo[key]


def forget_versions() -> None:
    """Drop what readers in this process kept per version of a file (for measuring a first read)."""
    with _SNAPSHOT_LOCK:
        _SNAPSHOTS.clear()
        _READERS.clear()


def meta_values(con) -> dict[str, str] | None:
    """The ``meta`` table as {key: value}; None when the database has none. Read once per file version by
    read-only connections (``reader_snapshot``), on every call by a connection that may write."""
    snap = reader_snapshot(con)
    if snap is not None and "meta" in snap:
        return snap["meta"]
    try:
        values = dict(con.execute("SELECT key, value FROM meta").fetchall())
    except duckdb.Error:
        return None
    if snap is not None:
        snap["meta"] = values
    return values


def create_macros(con: duckdb.DuckDBPyConnection, *, temporary: bool = False) -> None:
    """Create the shared SQL macros (``sql/macros.sql``); temporary ones work on a read-only connection."""
    sql = (SQL_DIR / "macros.sql").read_text(encoding="utf-8")
    if temporary:
        sql = sql.replace("CREATE OR REPLACE MACRO", "CREATE OR REPLACE TEMP MACRO")
    con.execute(sql)


def _load_definition_groups(con) -> None:
    """Refresh the definition_groups table from the index definition, so SQL rolls up as the YAML says."""
    from analytics.definition import load_definition

    rows = [(v.key, g.key, g.rolls_up_to, g.max_points, g.label_vi, g.label_en)
            for v in load_definition().versions.values() for g in v.groups]
    con.execute("DELETE FROM definition_groups")
    con.executemany("INSERT INTO definition_groups VALUES (?, ?, ?, ?, ?, ?)", rows)


def derived_count_columns() -> str:
    """The select items of the definition's derived counts (``received_new`` = sum of its parts, …)."""
    from analytics.definition import load_definition

    items = [" + ".join(f'"{p}"' for p in parts) + f' AS "{name}"'
             for name, parts in load_definition().derived_counts.items()]
    return ",\n    ".join(items)


def create_view(con: duckdb.DuckDBPyConnection, model: Path, *, temporary: bool = False) -> None:
    """(Re)create the view a model file defines; the view is named after the file (a temporary view works on a
    read-only connection).

    ``{{derived_counts}}`` in a model stands for the derived counts the index definition declares."""
    if model.stem in MATERIALISED and _has_table(con, MATERIALISED[model.stem]):
        body = f'SELECT * FROM "{MATERIALISED[model.stem]}"'
    else:
        body = model_sql(model)
    kind = "TEMP VIEW" if temporary else "VIEW"
    con.execute(f'CREATE OR REPLACE {kind} "{model.stem}" AS\n{body}')


MATERIALISED = {"stg_filing_counts": "pre_filing_counts"}
"""SQL models whose rows a database file keeps in a table, recomputed at ingest (model → table)."""


def model_sql(model: Path, filing_counts: str = "filing_counts") -> str:
    """A model's query with its placeholders filled: ``{{derived_counts}}`` (the definition's derived counts) and
    ``{{filing_counts}}`` (the relation its filing rows come from)."""
    body = model.read_text(encoding="utf-8")
    if "{{derived_counts}}" in body:
        body = body.replace("{{derived_counts}}", derived_count_columns())
    return body.replace("{{filing_counts}}", filing_counts)


def _has_table(con, name: str) -> bool:
    return bool(con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ? AND NOT temporary",
                            [name]).fetchall()[0][0])


def _quote(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def parts_dir(live: Path) -> Path:
    """Where a database file's Parquet parts live: ``<database file>.parts/`` beside it."""
    return live.parent / f"{live.name}.parts"


WRITER_MEMORY = "1GB"
"""DuckDB's memory limit in a writer (a ten-million-row load sorts and aggregates by spilling to disk)."""

PART_GRACE_SECONDS = 15 * 60
"""How long a retired part stays on disk for readers of an older snapshot."""

_STORES: dict[int, "PartStore"] = {}


def part_store(con) -> "PartStore | None":
    """The part store of a writer's connection (None for an in-memory database or a read-only connection)."""
    return _STORES.get(id(con))


class PartStore:
    """The Parquet parts of one database file's large fact tables, as one writer changes them."""

    TABLES = ("filing_counts",)

    def __init__(self, live: Path):
        self.live = Path(live).absolute()
        self.base = self.live.parent  # the folder the listed parts are relative to
        self.seen: dict[str, str] = {}  # part file name -> the path the stored view reads it from (``load_seen``)
        self.root = parts_dir(self.live)
        self.staged: list[Path] = []
        self.pairs: set[tuple[str, str]] = set()
        self.units: set[str] = set()
        self.rebuild = False
        self.created_root = False
        self.results_current = False  # set by a writer that recomputed (or did not change) the stored results
        self.fresh_frames: set[str] = set()  # the stored frames (analyses.stored) this writer computed itself

    # --- the manifest -----------------------------------------------------------------------------------
    def listed(self, con, table: str = "filing_counts") -> list[str]:
        return [r[0] for r in con.execute("SELECT DISTINCT part FROM fact_parts WHERE table_name = ? ORDER BY part",
                                          [table]).fetchall()]

    def shape(self, con, table: str = "filing_counts") -> list[tuple[str, str]]:
        return [tuple(r) for r in con.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ? "
            "ORDER BY ordinal_position", [f"{table}_shape"]).fetchall()]

    def load_seen(self, con, table: str = "filing_counts") -> None:
        """Note where the stored view of ``table`` reads each part from (the folder it was built in)."""
        row = con.execute("SELECT sql FROM duckdb_views() WHERE view_name = ? AND NOT temporary", [table]).fetchall()
        paths = re.findall(r"'((?:[^']|'')*\.parquet)'", row[0][0]) if row and row[0][0] else []
        self.seen = {Path(p).name: p.replace("''", "'") for p in paths}

    def where(self, part: str) -> Path:
        """The file a listed part is: a relative path (as parts are listed) in this database's folder, an absolute one
        (an older database) as it is. A database file copied without its folder of parts reads each where its views
        read it until then (``seen``), as long as it is there."""
        path = Path(part)
        if path.is_absolute():
            return path
        here = self.base / path
        if not here.exists():
            there = self.seen.get(path.name)
            if there is not None and Path(there).exists():
                return Path(there)
        return here

    def name(self, path: Path) -> str:
        """How a part file is listed: its path relative to the database file's folder."""
        return os.path.relpath(path, self.base)

    def create_view(self, con, table: str = "filing_counts", *, temporary: bool = False) -> None:
        """(Re)create the table's view over the parts the manifest lists, each by its absolute path (``where``; DuckDB
        reads a relative path from the process's working folder). A temporary view works on a read-only
        connection."""
        cols = ", ".join(f'"{c}"' for c, _ in self.shape(con, table))
        parts = self.listed(con, table)
        body = f'SELECT {cols} FROM "{table}_shape"'
        if parts:
            files = "[" + ", ".join(_quote(self.where(p)) for p in parts) + "]"
            body += f"\nUNION ALL\nSELECT {cols} FROM read_parquet({files})"
        con.execute(f'CREATE OR REPLACE {"TEMP VIEW" if temporary else "VIEW"} "{table}" AS\n{body}')

    def relist(self, con) -> None:
        """Parts in this database's folder of parts that an earlier version listed by their absolute path (or
        relative to the working folder, given a relative ``--db``) are listed relative to the database's folder.
        Called by a writer that writes a part (a load that changes nothing leaves every row as it was)."""
        rows = con.execute("SELECT part FROM fact_parts UNION SELECT part FROM retired_parts").fetchall()
        for (part,) in rows:
            path = Path(part)
            if not path.is_absolute():
                if (self.base / path).exists() or not path.exists():
                    continue  # relative to the database's folder already
                path = path.absolute()
            try:
                path.relative_to(self.root)
            except ValueError:
                continue  # elsewhere (where a copy of the database file came from): listed as it is
            for manifest in ("fact_parts", "retired_parts"):
                con.execute(f"UPDATE {manifest} SET part = ? WHERE part = ?", [self.name(path), part])

    def migrate(self, con) -> None:
        """A database written before the parts existed keeps its filing rows in a table: move them to parts. Parts
        listed by an absolute path are read where they are (``where``)."""
        self.load_seen(con)
        kind = con.execute("SELECT table_type FROM information_schema.tables WHERE table_name = 'filing_counts'"
                           ).fetchall()
        if not kind or kind[0][0] != "BASE TABLE":
            return
        ids = [r[0] for r in con.execute("SELECT DISTINCT ingest_id FROM filing_counts ORDER BY 1").fetchall()]
        for ingest_id in ids:
            self.append(con, f"SELECT * FROM filing_counts WHERE ingest_id = {int(ingest_id)}", ingest_id,
                        refresh_view=False)
        con.execute("DROP TABLE filing_counts")
        self.rebuild = True

    # --- writing parts ------------------------------------------------------------------------------------
    def append(self, con, rows: str, ingest_id: int, table: str = "filing_counts", *, refresh_view: bool = True) -> int:
        """Write the rows of a query (or a registered relation's name) as a new part of ``table``; returns their
        count. Columns are taken by name; a column the rows lack is NULL."""
        shape = self.shape(con, table)
        have = {r[0] for r in con.execute(f"DESCRIBE SELECT * FROM ({rows})").fetchall()}
        select = ", ".join(f'CAST("{c}" AS {t}) AS "{c}"' if c in have else f'CAST(NULL AS {t}) AS "{c}"'
                           for c, t in shape)
        folder = self.root / table
        if not self.root.exists():
            self.created_root = True
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"ingest-{int(ingest_id):06d}-{uuid.uuid4().hex[:12]}.parquet"
        self.staged.append(path)
        con.execute("SET preserve_insertion_order = false")  # rows are found by column, never by position
        try:
            con.execute(f"COPY (SELECT {select} FROM ({rows})) TO {_quote(path)} "
                        "(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 100000)")
        finally:
            con.execute("RESET preserve_insertion_order")
        listed = con.execute(f"""
            SELECT period, unit_id, count(*), count(*) FILTER (WHERE illustrative)
            FROM read_parquet({_quote(path)}) GROUP BY period, unit_id""").fetchall()
        if not listed:
            path.unlink(missing_ok=True)
            return 0
        con.executemany("INSERT INTO fact_parts VALUES (?, ?, ?, ?, ?, ?, ?)",
                        [(table, self.name(path), int(ingest_id), p, u, n, i) for p, u, n, i in listed])
        self.pairs.update((p, u) for p, u, _, _ in listed)
        if refresh_view:
            self.create_view(con, table)
        return sum(r[2] for r in listed)

    def count(self, con, ingest_id: int, periods: list[str] | None = None, table: str = "filing_counts") -> int:
        """Rows of an ingest (in some periods) that the listed parts hold."""
        return int(con.execute(
            "SELECT coalesce(sum(rows), 0) FROM fact_parts WHERE table_name = ? AND ingest_id = ? "
            "AND (? IS NULL OR period IN (SELECT unnest(?::VARCHAR[])))",
            [table, ingest_id, periods, periods]).fetchall()[0][0])

    def remove(self, con, ingest_id: int, periods: list[str] | None = None, table: str = "filing_counts") -> int:
        """Drop an ingest's rows (in some periods) from the table: parts wholly dropped are retired, a part that
        also holds other periods is rewritten without them. Returns the rows dropped."""
        parts = con.execute(
            "SELECT part, sum(rows) FILTER (WHERE ? IS NULL OR period IN (SELECT unnest(?::VARCHAR[]))), sum(rows) "
            "FROM fact_parts WHERE table_name = ? AND ingest_id = ? GROUP BY part ORDER BY part",
            [periods, periods, table, ingest_id]).fetchall()
        removed = 0
        for part, dropping, total in parts:
            if not dropping:
                continue
            self.pairs.update(tuple(r) for r in con.execute(
                "SELECT period, unit_id FROM fact_parts WHERE part = ? "
                "AND (? IS NULL OR period IN (SELECT unnest(?::VARCHAR[])))", [part, periods, periods]).fetchall())
            if dropping < total:
                keep = ", ".join(_quote(p) for p in periods)
                self.append(con, f"SELECT * FROM read_parquet({_quote(self.where(part))}) WHERE period NOT IN ({keep})",
                            ingest_id, table, refresh_view=False)
            con.execute("DELETE FROM fact_parts WHERE part = ?", [part])
            con.execute("INSERT INTO retired_parts VALUES (?, now()::TIMESTAMP)", [part])
            removed += int(dropping)
        if removed:
            self.create_view(con, table)
        return removed

    def touch_units(self, units) -> None:
        """The catalogue of these units changed: their materialised rows are recomputed."""
        self.units.update(u for u in units if u is not None)

    # --- the materialised model ---------------------------------------------------------------------------
    def _pre_version(self) -> str:
        return hashlib.sha256(model_sql(SQL_DIR / "stg_filing_counts.sql").encode()).hexdigest()[:16]

    def ensure_pre(self, con) -> None:
        """Create ``pre_filing_counts`` (all of it, once) when missing or made by another version of the model."""
        row = con.execute("SELECT value FROM meta WHERE key = 'pre_filing_counts'").fetchall()
        if row and row[0][0] == self._pre_version() and _has_table(con, "pre_filing_counts") and not self.rebuild:
            return
        self.refresh(con, everything=True)

    def refresh(self, con, *, everything: bool = False) -> None:
        """Recompute the materialised rows of the (period, unit) pairs this writer touched (or all of them)."""
        model = SQL_DIR / "stg_filing_counts.sql"
        if everything or self.rebuild:
            con.execute("CREATE OR REPLACE TABLE pre_filing_counts AS " + model_sql(model))
            con.execute("INSERT OR REPLACE INTO meta VALUES ('pre_filing_counts', ?)", [self._pre_version()])
            self.rebuild = False
            self.pairs.clear()
            self.units.clear()
            return
        pairs = set(self.pairs)
        if self.units:
            pairs.update(tuple(r) for r in con.execute(
                "SELECT DISTINCT period, unit_id FROM fact_parts WHERE table_name = 'filing_counts' "
                "AND unit_id IN (SELECT unnest(?::VARCHAR[]))", [sorted(self.units)]).fetchall())
            pairs.update(tuple(r) for r in con.execute(
                "SELECT DISTINCT period, unit_id FROM pre_filing_counts WHERE unit_id IN (SELECT unnest(?::VARCHAR[]))",
                [sorted(self.units)]).fetchall())
        if not pairs:
            return
        known = con.execute("SELECT count(*) FROM (SELECT DISTINCT period, unit_id FROM fact_parts)").fetchall()[0][0]
        if len(pairs) * 2 > known:  # most of the table: recomputing all of it is cheaper than picking the pairs
            self.refresh(con, everything=True)
            return
        periods = sorted({p for p, _ in pairs if p is not None})
        units = sorted({u for _, u in pairs if u is not None})
        import pandas as pd

        con.register("_touched", pd.DataFrame(sorted(pairs, key=str), columns=["period", "unit_id"]))
        try:
            scope = ("(SELECT f.* FROM filing_counts AS f SEMI JOIN _touched AS t "
                     "ON t.period IS NOT DISTINCT FROM f.period AND t.unit_id IS NOT DISTINCT FROM f.unit_id "
                     f"WHERE f.period IN ({', '.join(map(_quote, periods)) or 'NULL'}) "
                     f"AND f.unit_id IN ({', '.join(map(_quote, units)) or 'NULL'}))")
            con.execute("DELETE FROM pre_filing_counts AS p USING _touched AS t "
                        "WHERE t.period IS NOT DISTINCT FROM p.period AND t.unit_id IS NOT DISTINCT FROM p.unit_id")
            con.execute("INSERT INTO pre_filing_counts " + model_sql(model, scope))
        finally:
            con.unregister("_touched")
        self.pairs.clear()
        self.units.clear()

    # --- files on disk ------------------------------------------------------------------------------------
    def collect(self, con) -> list[Path]:
        """Under the writer lock: delete parts listed nowhere (left by a failed or killed load) and parts retired
        longer than the grace period ago. Returns what was deleted."""
        if not self.root.exists():
            return []
        if _has_table(con, "fact_parts"):
            self.load_seen(con)
        listed = set()
        if _has_table(con, "fact_parts"):
            listed = {str(self.where(r[0])) for r in con.execute("SELECT DISTINCT part FROM fact_parts").fetchall()}
        retired, retired_as = {}, {}
        if _has_table(con, "retired_parts"):
            for part, at in con.execute("SELECT part, epoch(max(retired_at)) FROM retired_parts GROUP BY part").fetchall():
                retired[str(self.where(part))] = at
                retired_as[part] = str(self.where(part))
        now = time.time()
        removed = []
        for f in sorted(self.root.rglob("*.parquet")):
            key = str(f)
            if key in listed:
                continue
            if key in retired and now - retired[key] < PART_GRACE_SECONDS:
                continue
            with contextlib.suppress(FileNotFoundError):
                f.unlink()
                removed.append(f)
        gone = [p for p, full in retired_as.items() if not Path(full).exists() and full.startswith(str(self.root))]
        if gone:
            con.execute("DELETE FROM retired_parts WHERE part IN (SELECT unnest(?::VARCHAR[]))", [gone])
        self.tidy()
        return removed

    def finish(self, con) -> set[str]:
        """Before the swap: recompute what this writer touched; returns the parts the new snapshot lists. Results
        stored for fast readers (``analyses.stored``) that this writer did not recompute are no longer current."""
        self.refresh(con)
        if self.staged:
            self.relist(con)
        if not self.results_current:
            con.execute("DELETE FROM meta WHERE key IN ('pre_scores', 'pre_frames')")
        return {str(self.where(r[0])) for r in con.execute("SELECT DISTINCT part FROM fact_parts").fetchall()}

    def discard(self, keep: set[str] = frozenset()) -> None:
        """Delete the parts this writer wrote that the live database does not list (a failed or rolled-back load)."""
        for f in self.staged:
            if str(f) not in keep:
                with contextlib.suppress(OSError):
                    f.unlink()
        self.tidy()

    def tidy(self) -> None:
        """Remove empty part folders (a database without parts has none)."""
        if not self.root.exists():
            return
        for folder in sorted((p for p in self.root.rglob("*") if p.is_dir()), key=lambda p: -len(p.parts)):
            with contextlib.suppress(OSError):
                folder.rmdir()
        with contextlib.suppress(OSError):
            self.root.rmdir()


class Discard(Exception):
    """Raised inside ``writer()`` to throw the copy away without an error (nothing worth keeping was written)."""


@contextlib.contextmanager
def writer(path: str | os.PathLike | None = None, *, wait: bool = True):
    """A read-write connection to a private copy of the database, swapped in atomically on success.

    On an exception (disk full, a read-only folder, a failed load) the copy is discarded and the live database
    is exactly as it was; ``Discard`` does the same silently. Copies left by writers that were killed
    (``<db>.tmp-PID``) are removed first: a copy exists only while its writer holds the lock, so under the lock
    every copy is a leftover. When there was no database before and nothing is swapped in, the folder and lock
    file this call created are removed again: a failed first load creates nothing.
    """
    live = db_path(path)
    created = [p for p in (live.parent, *live.parent.parents) if not p.exists()]
    live.parent.mkdir(parents=True, exist_ok=True)
    lock_path = live.with_name(live.name + ".lock")
    lock_existed = lock_path.exists()
    swapped = False
    try:
        with open(lock_path, "a+") as lock:
            flags = fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB)
            try:
                fcntl.flock(lock, flags)
            except BlockingIOError as exc:
                raise WriterBusy(str(live)) from exc
            try:
                remove_leftovers(live)
                tmp = live.with_name(f"{live.name}.tmp-{os.getpid()}")
                con = None
                spill = None
                store = PartStore(live)
                try:
                    if live.exists():
                        shutil.copy2(live, tmp)
                    con = duckdb.connect(str(tmp))
                    spill = tempfile.mkdtemp(prefix="analytics-spill-")  # not beside the copy: no leftover there
                    con.execute(f"SET temp_directory = {_quote(spill)}")
                    con.execute(f"SET memory_limit = '{WRITER_MEMORY}'")  # a large load spills rather than grows
                    store.collect(con)
                    _STORES[id(con)] = store
                    apply_schema(con, store)
                    yield con
                    keep = store.finish(con)
                    con.execute("CHECKPOINT")
                    _STORES.pop(id(con), None)
                    con.close()
                    os.replace(tmp, live)
                    swapped = True
                    store.discard(keep)
                except Discard:
                    _STORES.pop(id(con), None)
                    _close_and_remove(con, tmp)
                    store.discard()
                except BaseException:
                    _STORES.pop(id(con), None)
                    _close_and_remove(con, tmp)
                    store.discard()
                    raise
            finally:
                if spill:
                    shutil.rmtree(spill, ignore_errors=True)
                if not swapped and not live.exists() and not lock_existed:
                    with contextlib.suppress(OSError):
                        lock_path.unlink()
                fcntl.flock(lock, fcntl.LOCK_UN)
    finally:
        if not swapped and not live.exists():
            for folder in created:  # deepest first; only the ones this call made, and only if still empty
                with contextlib.suppress(OSError):
                    folder.rmdir()


def move_database(src: str | os.PathLike, dst: str | os.PathLike) -> None:
    """Swap a database built elsewhere (``src``, e.g. a rebuild) over ``dst`` with its Parquet parts: the parts
    move into ``dst``'s folder first and the manifest follows them; the parts ``dst`` listed until now are
    retired in the new file (readers of the old snapshot keep reading them until the grace period is over)."""
    src, dst = Path(src), Path(dst)
    con = duckdb.connect(str(src))
    try:
        built, store = PartStore(src), PartStore(dst)
        old_root, new_root = built.root, store.root
        listed = [r[0] for r in con.execute("SELECT DISTINCT part FROM fact_parts").fetchall()] \
            if _has_table(con, "fact_parts") else []
        moved = {}
        for part in listed:
            path = built.where(part)
            if path.parent.parent != old_root:
                continue
            target = new_root / path.parent.name / path.name
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, target)
            moved[part] = store.name(target)
        for old, new in moved.items():
            con.execute("UPDATE fact_parts SET part = ? WHERE part = ?", [new, old])
        if listed:
            keep = {str(store.where(moved.get(p, p))) for p in listed}
            stale = [store.name(f) for f in new_root.rglob("*.parquet") if str(f) not in keep] \
                if new_root.exists() else []
            if stale:
                con.executemany("INSERT INTO retired_parts VALUES (?, now()::TIMESTAMP)", [(f,) for f in stale])
            for gone in (str(old_root), built.name(old_root) + os.sep):  # the build's own parts, by either listing
                con.execute("DELETE FROM retired_parts WHERE starts_with(part, ?)", [gone])
            for table in PartStore.TABLES:
                store.create_view(con, table)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    if old_root.exists():
        shutil.rmtree(old_root, ignore_errors=True)
    os.replace(src, dst)


def remove_leftovers(live: Path) -> list[Path]:
    """Delete ``<db>.tmp-*`` copies (and their WAL files) left by killed writers; returns what was removed.

    Call only while holding the writer lock."""
    removed = []
    for leftover in live.parent.glob(f"{glob_escape(live.name)}.tmp-*"):
        with contextlib.suppress(FileNotFoundError):
            leftover.unlink()
            removed.append(leftover)
    return removed


def glob_escape(name: str) -> str:
    import glob

    return glob.escape(name)


def _close_and_remove(con, tmp: Path) -> None:
    if con is not None:
        with contextlib.suppress(Exception):
            con.close()
    with contextlib.suppress(OSError):
        _remove(tmp)


class WriterBusy(RuntimeError):
    """Another process is writing the database."""


def _remove(p: Path) -> None:
    for candidate in (p, p.with_name(p.name + ".wal")):
        with contextlib.suppress(FileNotFoundError):
            candidate.unlink()


def query_df(sql: str, params: list | dict | None = None, *, con=None, path=None):
    """A query's result as a DataFrame (opens a read-only connection unless one is given)."""
    own = con is None
    con = con or connect_read_only(path)
    try:
        return con.execute(sql, params or []).df()
    finally:
        if own:
            con.close()
