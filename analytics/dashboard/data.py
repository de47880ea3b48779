"""Cached, read-only access to the analyses for the pages: no page runs SQL or opens the database itself.

- One read-only DuckDB connection per data version (``st.cache_resource``). DuckDB shares one instance
  per path inside a process, so when an ingest swaps the file the old connection is closed *before* the
  new one opens; otherwise the new connection would still see the old file.
- Every analysis result is cached (``st.cache_data``) on (function, arguments, data version), so a new
  ingest shows up on the next rerun without a restart, and a page that was opened once reopens instantly.
- Each query runs on its own cursor, so sessions in different threads never share a connection object.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Callable

import pandas as pd
import streamlit as st

from analytics import db as dbmod
from analytics import settings
from analytics.analyses import changes as changes_mod
from analytics.analyses import gaps as gaps_mod
from analytics.analyses import inventory
from analytics.analyses import scores as scores_mod
from analytics.labels import labelled
from analytics.parsing import fold

def database_path() -> str:
    """The database file the dashboard reads (env ANALYTICS_DB, else data/curated/analytics.duckdb)."""
    return str(dbmod.db_path())


def version() -> str:
    """The data version: changes whenever an ingest swaps in a new database file."""
    return dbmod.data_version(database_path())


def uploads_dir() -> Path:
    """Where uploaded raw files are kept (env ANALYTICS_UPLOADS, else data/raw/uploads/)."""
    return settings.uploads_dir()


def upload_limit_mb() -> int:
    """The largest upload accepted, in MB (env ANALYTICS_UPLOAD_LIMIT_MB, default 50)."""
    return settings.upload_limit_mb()


_OPEN: dict[str, object] = {}
_OPEN_LOCK = threading.Lock()


def _release(con) -> None:
    try:
        con.close()
    except Exception:
        pass


@st.cache_resource(max_entries=2, show_spinner=False, on_release=_release)
def shared_connection(path: str, data_version: str):
    """The read-only connection for one version of the database file (the previous one is closed first)."""
    with _OPEN_LOCK:
        old = _OPEN.pop(path, None)
        if old is not None:
            _release(old)
        con = dbmod.connect_read_only(path)
        _OPEN[path] = con
        return con


_FUNCTIONS: dict[str, Callable] = {}


def _name(fn: Callable) -> str:
    return f"{fn.__module__}.{fn.__qualname__}"


@st.cache_data(show_spinner=False, max_entries=1024)
def _cached_call(name: str, path: str, data_version: str, args: tuple, kwargs: tuple):
    fn = _FUNCTIONS[name]
    cursor = dbmod.reader_cursor(shared_connection(path, data_version))
    try:
        return fn(cursor, *args, **dict(kwargs))
    finally:
        cursor.close()


@st.cache_data(show_spinner=False, max_entries=1024)
def _cached_shown(name: str, path: str, data_version: str, args: tuple, kwargs: tuple, lang: str):
    return labelled(_cached_call(name, path, data_version, args, kwargs), lang)


def shown(fn: Callable, *args, lang: str = "vi", **kwargs) -> pd.DataFrame:
    """``call`` with the labels a person reads added in ``lang`` (``analytics.labels.labelled``, which adds them
    to the result computed once whatever the language; the labelled frame is kept per language too: labelling
    the whole history takes longer than reading it back)."""
    name = _name(fn)
    _FUNCTIONS[name] = fn
    return _cached_shown(name, database_path(), version(), args, tuple(sorted(kwargs.items())), lang)


def call(fn: Callable, *args, **kwargs):
    """``fn(connection, *args, **kwargs)`` on the current data, computed once per function, arguments and data
    version (``fn`` is an imported analysis function; its first parameter is the connection)."""
    name = _name(fn)
    _FUNCTIONS[name] = fn
    return _cached_call(name, database_path(), version(), args, tuple(sorted(kwargs.items())))


WARM_ERRORS: list[Exception] = []
"""What the latest background run met, if anything (kept for the server log and for tests to show)."""


def warm(steps: Callable[[], None]) -> None:
    """Run ``steps`` (which ``call`` results a reader is likely to ask for next) in a background thread, so the
    click that asks for them reads the cache. A failure is left for the page to meet and report itself; it is
    logged and kept in ``WARM_ERRORS``."""
    def run() -> None:
        try:
            steps()
        except Exception as exc:  # noqa: BLE001  (the page computes the same step again and reports it)
            WARM_ERRORS[:] = [exc]
            logging.getLogger(__name__).warning("background computation failed: %r", exc)

    threading.Thread(target=run, name="analytics-warm", daemon=True).start()


def state() -> str:
    """'missing' (no database file), 'empty' (no index results), 'unreadable' (not a database we can open) or 'ok'."""
    v = version()
    if v == "missing":
        return "missing"
    try:
        return call(inventory.database_state)
    except dbmod.NoDatabase:
        return "missing"
    except Exception:  # not a DuckDB file, another DuckDB version, a lock held by a writer …
        return "unreadable"


# --- the whole-history frames the pages filter (computed once per data version, labelled per language) ---

def scores(lang: str) -> pd.DataFrame:
    """Every unit's scores in every period (``unit_scores``)."""
    return shown(scores_mod.unit_scores, lang=lang)


def changes(lang: str) -> pd.DataFrame:
    """Every score's change versus the previous period and last year (``score_changes``)."""
    return shown(changes_mod.score_changes, lang=lang)


def gaps(period: str, unit_id: str, lang: str) -> pd.DataFrame:
    """Gaps to max and to target of a unit in a period (``component_gaps``)."""
    return shown(gaps_mod.component_gaps, period, unit_id, lang=lang)


def outlook(period: str, unit_id: str, lang: str) -> pd.DataFrame:
    """What the next grade needs, for a unit in a period (``grade_outlook``)."""
    return shown(gaps_mod.grade_outlook, period, unit_id, lang=lang)


def rankings(component: str, lang: str) -> pd.DataFrame:
    """Every unit's rank among its level in every period, for one component (``unit_rankings``)."""
    from analytics.analyses import rankings as rankings_mod  # not on the Overview's start path

    return shown(rankings_mod.unit_rankings, component=component, lang=lang)


def unit_periods() -> pd.DataFrame:
    """Which unit has results in which period (cheap: no score is computed)."""
    return call(inventory.scored_unit_periods)


def units(lang: str | None = None) -> pd.DataFrame:
    """Units that have results: unit_id, unit, unit_level, province (departments first, then by name)."""
    return _units(database_path(), version())


@st.cache_data(show_spinner=False, max_entries=4)
def _units(path: str, data_version: str) -> pd.DataFrame:
    """``units``, sorted once per data version (every run asks for it: the sidebar, the selection, the picker)."""
    u = unit_periods()[["unit_id", "unit", "unit_level", "province"]].drop_duplicates("unit_id").copy()
    level_order = {"department": 0, "district": 1, "commune": 2, "province": 3}
    u["_k"] = [(level_order.get(lv, 4), fold(n)) for lv, n in zip(u["unit_level"], u["unit"])]
    return u.sort_values("_k").drop(columns="_k").reset_index(drop=True)


def latest_load_label() -> str | None:
    """The time of the newest successful ingest as dd/mm/yyyy HH:MM, or None."""
    try:
        when = call(inventory.data_date)
    except Exception:
        return None
    if when is None or pd.isna(when):
        return None
    return pd.Timestamp(when).strftime("%d/%m/%Y %H:%M")


def clear_after_ingest() -> None:
    """Forget cached results (the data version changes anyway; this frees memory at once)."""
    _cached_call.clear()
    _cached_shown.clear()
    _units.clear()
