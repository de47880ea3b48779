"""The DuckDB file: where it is, how readers open it, and how a writer changes it without blocking them.

DuckDB lets one process hold a file read-write and then refuses every other process, readers included.
So a writer never opens the live file: it copies it, writes the copy, and ``os.replace``-s the copy over
the live file (atomic on POSIX). Open readers keep their snapshot; new connections see the new file
(within one process DuckDB shares an instance per path, so a reader closes its old connection before
reopening: the dashboard keys its cached connection on ``data_version``).
Writers queue on an advisory lock file so two ingests never race.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
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
    return duckdb.connect(str(p), read_only=True)


def data_version(path: str | os.PathLike | None = None) -> str:
    """A token that changes whenever a writer swaps in a new database (for cache keys)."""
    p = db_path(path)
    try:
        st = p.stat()
    except FileNotFoundError:
        return "missing"
    return f"{st.st_mtime_ns}-{st.st_size}-{st.st_ino}"


def apply_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the curated tables and the SQL models (views) if they are missing."""
    con.execute((SQL_DIR / "schema.sql").read_text(encoding="utf-8"))
    create_macros(con)
    _load_definition_groups(con)
    for model in sorted(SQL_DIR.glob("stg_*.sql")) + sorted(SQL_DIR.glob("mart_*.sql")):
        create_view(con, model)


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
    body = model.read_text(encoding="utf-8")
    if "{{derived_counts}}" in body:
        body = body.replace("{{derived_counts}}", derived_count_columns())
    kind = "TEMP VIEW" if temporary else "VIEW"
    con.execute(f'CREATE OR REPLACE {kind} "{model.stem}" AS\n{body}')


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
                try:
                    if live.exists():
                        shutil.copy2(live, tmp)
                    con = duckdb.connect(str(tmp))
                    apply_schema(con)
                    yield con
                    con.execute("CHECKPOINT")
                    con.close()
                    os.replace(tmp, live)
                    swapped = True
                except Discard:
                    _close_and_remove(con, tmp)
                except BaseException:
                    _close_and_remove(con, tmp)
                    raise
            finally:
                if not swapped and not live.exists() and not lock_existed:
                    with contextlib.suppress(OSError):
                        lock_path.unlink()
                fcntl.flock(lock, fcntl.LOCK_UN)
    finally:
        if not swapped and not live.exists():
            for folder in created:  # deepest first; only the ones this call made, and only if still empty
                with contextlib.suppress(OSError):
                    folder.rmdir()


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
