"""Cached, read-only access to the analyses for the pages: no page runs SQL or opens the database itself.

- One read-only DuckDB connection per data version (``st.cache_resource``). DuckDB shares one instance
  per path inside a process, so when an ingest swaps the file the old connection is closed *before* the
  new one opens; otherwise the new connection would still see the old file.
- Every analysis result is cached (``st.cache_data``) on (function, arguments, data version), so a new
  ingest shows up on the next rerun without a restart, and a page that was opened once reopens instantly.
- Each query runs on its own cursor, so sessions in different threads never share a connection object.
"""

from __future__ import annotations

import importlib
import os
import threading
from pathlib import Path

import pandas as pd
import streamlit as st

from analytics import db as dbmod

# name → "module.function"; a module that is not installed yet makes its sections say so instead of failing
ANALYSES = {
    "unit_scores": "analytics.scores.unit_scores",
    "score_changes": "analytics.changes.score_changes",
    "filing_metric_changes": "analytics.changes.filing_metric_changes",
    "component_gaps": "analytics.gaps.component_gaps",
    "grade_outlook": "analytics.gaps.grade_outlook",
    "unit_rankings": "analytics.rankings.unit_rankings",
    "target_status": "analytics.plan_targets.target_status",
    "meeting_brief": "analytics.brief.meeting_brief",
    "subindicator_breakdown": "analytics.explain.subindicator_breakdown",
    "shortfall_pareto": "analytics.explain.shortfall_pareto",
    "department_shortfall": "analytics.explain.department_shortfall",
    "mix_rate_split": "analytics.explain.mix_rate_split",
    "points_at_stake": "analytics.whatif.points_at_stake",
    "what_would_it_take": "analytics.whatif.what_would_it_take",
    "simulate": "analytics.whatif.simulate",
    "own_vs_portal": "analytics.reconcile.own_vs_portal",
    "reconciliation_summary": "analytics.reconcile.reconciliation_summary",
    "deadline_mismatches": "analytics.audit.deadline_mismatches",
    # questions about the data itself
    "database_state": "analytics.dashboard.queries.database_state",
    "scored_unit_periods": "analytics.dashboard.queries.scored_unit_periods",
    "ingest_log": "analytics.dashboard.queries.ingest_log",
    "rejects": "analytics.dashboard.queries.rejects",
    "freshness": "analytics.dashboard.queries.freshness",
    "illustrative_files": "analytics.dashboard.queries.illustrative_files",
    "illustrative_rows": "analytics.dashboard.queries.illustrative_rows",
    "source_files": "analytics.dashboard.queries.source_files",
    "data_date": "analytics.dashboard.queries.data_date",
}

DEFAULT_UPLOAD_LIMIT_MB = 50


class NotAvailable(RuntimeError):
    """The analysis a section needs is not part of this installation."""


def database_path() -> str:
    """The database file the dashboard reads (env ANALYTICS_DB, else data/curated/analytics.duckdb)."""
    return str(dbmod.db_path())


def version() -> str:
    """The data version: changes whenever an ingest swaps in a new database file."""
    return dbmod.data_version(database_path())


def uploads_dir() -> Path:
    """Where uploaded raw files are kept (env ANALYTICS_UPLOADS, else data/raw/uploads/)."""
    return Path(os.environ.get("ANALYTICS_UPLOADS") or dbmod.PROJECT_ROOT / "data" / "raw" / "uploads")


def upload_limit_mb() -> int:
    """The largest upload accepted, in MB (env ANALYTICS_UPLOAD_LIMIT_MB, default 50)."""
    try:
        return int(os.environ.get("ANALYTICS_UPLOAD_LIMIT_MB") or DEFAULT_UPLOAD_LIMIT_MB)
    except ValueError:
        return DEFAULT_UPLOAD_LIMIT_MB


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


def available(name: str) -> bool:
    """Whether the analysis is installed (its module imports and has the function)."""
    module, func = ANALYSES[name].rsplit(".", 1)
    try:
        return hasattr(importlib.import_module(module), func)
    except ImportError:
        return False


def _function(name: str):
    module, func = ANALYSES[name].rsplit(".", 1)
    try:
        return getattr(importlib.import_module(module), func)
    except (ImportError, AttributeError) as exc:
        raise NotAvailable(name) from exc


@st.cache_data(show_spinner=False, max_entries=1024)
def _cached_call(name: str, path: str, data_version: str, args: tuple, kwargs: tuple):
    fn = _function(name)
    cursor = shared_connection(path, data_version).cursor()
    try:
        return fn(cursor, *args, **dict(kwargs))
    finally:
        cursor.close()


def call(name: str, *args, **kwargs):
    """The result of an analysis on the current data, computed once per arguments and data version."""
    if not available(name):
        raise NotAvailable(name)
    return _cached_call(name, database_path(), version(), args, tuple(sorted(kwargs.items())))


def state() -> str:
    """'missing' (no database file), 'empty' (no index results), 'unreadable' (not a database we can open) or 'ok'."""
    v = version()
    if v == "missing":
        return "missing"
    try:
        return call("database_state")
    except dbmod.NoDatabase:
        return "missing"
    except Exception:  # not a DuckDB file, another DuckDB version, a lock held by a writer …
        return "unreadable"


# --- the whole-history frames the pages filter (computed once per data version and language) -------------

def scores(lang: str) -> pd.DataFrame:
    """Every unit's scores in every period (``unit_scores``)."""
    return call("unit_scores", lang=lang)


def changes(lang: str) -> pd.DataFrame:
    """Every score's change versus the previous period and last year (``score_changes``)."""
    return call("score_changes", lang=lang)


def gaps(period: str, unit: str, lang: str) -> pd.DataFrame:
    """Gaps to max and to target of the units named ``unit`` in a period (``component_gaps``)."""
    return call("component_gaps", period, unit, lang=lang)


def outlook(period: str, unit: str, lang: str) -> pd.DataFrame:
    """What the next grade needs, for the units named ``unit`` in a period (``grade_outlook``)."""
    return call("grade_outlook", period, unit, lang=lang)


def rankings(component: str, lang: str) -> pd.DataFrame:
    """Every unit's rank among its level in every period, for one component (``unit_rankings``)."""
    return call("unit_rankings", component=component, lang=lang)


def unit_periods() -> pd.DataFrame:
    """Which unit has results in which period (cheap: no score is computed)."""
    return call("scored_unit_periods")


def units(lang: str | None = None) -> pd.DataFrame:
    """Units that have results: unit_id, unit, unit_level, province (departments first, then by name)."""
    from analytics.definition import fold

    u = unit_periods()[["unit_id", "unit", "unit_level", "province"]].drop_duplicates("unit_id").copy()
    level_order = {"department": 0, "district": 1, "commune": 2, "province": 3}
    u["_k"] = [(level_order.get(lv, 4), fold(n)) for lv, n in zip(u["unit_level"], u["unit"])]
    return u.sort_values("_k").drop(columns="_k").reset_index(drop=True)


def latest_load_label() -> str | None:
    """The time of the newest successful ingest as dd/mm/yyyy HH:MM, or None."""
    try:
        when = call("data_date")
    except Exception:
        return None
    if when is None or pd.isna(when):
        return None
    return pd.Timestamp(when).strftime("%d/%m/%Y %H:%M")


def clear_after_ingest() -> None:
    """Forget cached results (the data version changes anyway; this frees memory at once)."""
    _cached_call.clear()
