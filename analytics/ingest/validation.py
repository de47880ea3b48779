"""Row validation with Great Expectations, the expectations generated from the index definition.

Great Expectations takes seconds to import, so this module imports it lazily: only ingestion and
``validate`` pay for it, never the dashboard or a read command.
"""

from __future__ import annotations

import atexit
import importlib.util
import itertools
import logging
import os
import sys
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from analytics.definition import load_definition

if TYPE_CHECKING:  # pandas is imported where a frame is checked: the validator's import starts before it
    import pandas as pd

BULK_MIN_BYTES = 32 * 1024 * 1024
"""A CSV of this size or more is read by DuckDB's bulk path (``ingest/bulk.py``), which checks its rows in SQL."""

FILING_SUMS = [
    # whole, parts — QĐ 766 one-stop reports: received = new online + in person + postal + carried over, …
    ("received_total", ("received_online", "received_in_person", "received_postal", "carried_over")),
    ("resolved_total", ("resolved_early", "resolved_on_time", "resolved_late")),
    ("pending_total", ("pending_within_time", "pending_overdue")),
]
FILING_PARTS = [
    # part, whole: no part larger than its whole
    ("resolved_total", "received_total"),
    ("pending_total", "received_total"),
    ("digitized_components", "received_total"),
    ("electronic_results", "resolved_total"),
    ("reused_data", "received_total"),
    ("fee_filings", "received_total"),
    ("online_payments", "fee_filings"),
    ("synced_filings", "received_total"),
    ("feedback_on_time", "feedback_total"),
    ("feedback_satisfied", "feedback_total"),
]


@dataclass(frozen=True)
class Failure:
    """One row that broke one expectation."""

    index: int
    column: str
    reason_key: str
    params: dict


_import_lock = threading.Lock()


@lru_cache(maxsize=1)
def _gx():
    with _import_lock:
        os.environ.setdefault("TQDM_DISABLE", "1")
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
        logging.getLogger("great_expectations").setLevel(logging.ERROR)
        _defer_import("scipy.stats")  # only the distribution expectations use it; loaded when one of them runs
        import great_expectations as gx

        return gx


def _defer_import(name: str) -> None:
    """Register a module that executes on its first attribute access instead of at import (``LazyLoader``):
    Great Expectations imports ``scipy.stats`` at import time, about 40 % of its import's CPU, for expectations
    this validator never runs."""
    if name in sys.modules:
        return
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return
    if spec is None or spec.loader is None:
        return
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    parent, _, child = name.rpartition(".")
    if parent in sys.modules:
        setattr(sys.modules[parent], child, module)


_preloading: list[threading.Thread] = []


def preload() -> None:
    """Start importing Great Expectations in a background thread (once per process), so that its seconds of import
    overlap the reading of the file, which the readers (fastexcel, DuckDB) do without holding the interpreter."""
    if _preloading or _gx.cache_info().currsize:
        return
    thread = threading.Thread(target=_safe_import, name="gx-import", daemon=True)
    _preloading.append(thread)
    thread.start()
    atexit.register(thread.join)  # an interpreter never stops in the middle of an import


VALIDATED_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods", ".csv", ".tsv", ".txt"}


def may_validate(paths, kind: str | None, bulk_min_bytes: int) -> bool:
    """Whether some input may be an index table or a filing table read by the spreadsheet parser, the readers
    whose rows Great Expectations validates (not portal JSON, Parquet, or a CSV of ``bulk_min_bytes`` or more,
    which DuckDB's bulk path reads), decided from names and sizes alone, before any file is read."""
    if kind not in (None, "index", "filings"):
        return False
    for path in paths:
        suffix = path.suffix.lower()
        if suffix not in VALIDATED_SUFFIXES:
            continue
        try:
            if suffix in (".csv", ".tsv", ".txt") and path.stat().st_size >= bulk_min_bytes and kind != "index":
                continue
        except OSError:
            continue
        return True
    return False


def _safe_import() -> None:
    try:
        _context()
    except Exception:  # the validation itself imports again and reports what is wrong
        pass


_counter = itertools.count()


_context_lock = threading.Lock()


@lru_cache(maxsize=1)
def _context_once():
    from great_expectations.data_context.types.base import ProgressBarsConfig

    ctx = _gx().get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    return ctx


def _context():
    """One ephemeral context per process (no project files, no network, progress bars off)."""
    with _context_lock:
        return _context_once()


def _run(df: pd.DataFrame, expectations: list) -> list:
    """Validation results of the expectations on a DataFrame (ephemeral context: no files, no network)."""
    gx = _gx()
    ctx = _context()
    n = next(_counter)
    batch_def = (ctx.data_sources.add_pandas(f"p{n}").add_dataframe_asset(f"a{n}")
                 .add_batch_definition_whole_dataframe(f"b{n}"))
    suite = ctx.suites.add(gx.ExpectationSuite(name=f"s{n}", expectations=expectations))
    vd = ctx.validation_definitions.add(gx.ValidationDefinition(name=f"v{n}", data=batch_def, suite=suite))
    try:
        res = vd.run(batch_parameters={"dataframe": df}, result_format={"result_format": "COMPLETE"})
    finally:
        ctx.validation_definitions.delete(f"v{n}")
        ctx.suites.delete(f"s{n}")
        ctx.data_sources.delete(f"p{n}")
    return res.results


def _unexpected(result) -> list[int]:
    return list(result.result.get("unexpected_index_list") or [])


def index_failures(wide: pd.DataFrame, components: list[str]) -> list[Failure]:
    """Rows of a wide index table (one row per unit) that break the definition's expectations.

    ``wide`` has one column per component key, ``total``, ``reported_grade`` (as a grade key) and
    ``period``/``unit_id``. Checked: each score between 0 and its max; total = sum of components within the
    definition's ``total_tolerance_points``; one row per (period, unit). A reported grade that differs from the
    grade the total earns is not a failure: it is flagged (``Definition.grade_mismatch``) and loaded.
    """
    if wide.empty:
        return []
    gx = _gx()
    d = load_definition()
    df = wide.reset_index(drop=True).copy()
    exps, meta = [], []
    for comp in components + ["total"]:
        max_points = d.common_max(comp)
        exps.append(gx.expectations.ExpectColumnValuesToBeBetween(column=comp, min_value=0, max_value=max_points))
        meta.append((comp, "range", {"max": max_points}))
    parts = df[components]
    complete = parts.notna().all(axis=1) & df["total"].notna()
    df["_sum_components"] = parts.sum(axis=1).round(2).where(complete)
    df["_total_diff"] = (df["total"] - df["_sum_components"]).where(complete)
    exps.append(gx.expectations.ExpectColumnValuesToBeBetween(
        column="_total_diff", min_value=-d.total_tolerance_points, max_value=d.total_tolerance_points))
    meta.append(("total", "total_mismatch", {}))
    exps.append(gx.expectations.ExpectCompoundColumnsToBeUnique(column_list=["period", "unit_id"]))
    meta.append(("unit", "duplicate_row", {}))
    failures = []
    for result, (column, kind, params) in zip(_run(df, exps), meta):
        for i in _unexpected(result):
            row = df.loc[i]
            if kind == "range":
                value = row[column]
                key = "negative" if value < 0 else "above_max"
                failures.append(Failure(i, column, key, {"value": _fmt(value), "max": _fmt(params["max"])}))
            elif kind == "total_mismatch":
                failures.append(Failure(i, column, kind, {"value": _fmt(row["total"]), "expected": _fmt(row["_sum_components"])}))
            else:
                failures.append(Failure(i, column, kind, {"other": _first_dup(df, i)}))
    return failures


def filing_failures(df: pd.DataFrame) -> list[Failure]:
    """Rows of filing counts that break the arithmetic invariants (sums, parts within wholes, no negatives).

    Great Expectations checks a handful of columns derived per row, not one expectation per count column: the
    row's smallest count (no count below 0), each sum's difference (whole − parts = 0) and the row's largest excess
    of a part over its whole (≤ 0). Its cost per expectation is fixed (tens of milliseconds), so a 10-row file costs
    what five expectations cost, not thirty-five. A row it finds is then reported cell by cell, in the order of the
    checks (every negative count column by column, each sum, each part and whole), as one expectation per cell
    would report it."""
    if df.empty:
        return []
    import pandas as pd

    gx = _gx()
    df = df.reset_index(drop=True).copy()
    count_cols = [c for c in df.columns if df[c].dtype.kind in "iuf" and c not in ("row_number",)]
    pairs = [(part, whole) for part, whole in FILING_PARTS if part in df.columns and whole in df.columns]
    sums = []
    for whole, parts in FILING_SUMS:
        present = [p for p in parts if p in df.columns]
        if whole in df.columns and present:
            sums.append((whole, present))
    exps, checks = [], []
    if count_cols:
        df["_min_count"] = df[count_cols].astype("float64").min(axis=1)
        exps.append(gx.expectations.ExpectColumnValuesToBeBetween(column="_min_count", min_value=0))
        checks.append("negative")
    for whole, present in sums:
        known = df[[whole, *present]].notna().all(axis=1)
        col = f"_diff_{whole}"
        df[col] = (df[whole] - df[present].sum(axis=1)).where(known)
        exps.append(gx.expectations.ExpectColumnValuesToBeBetween(column=col, min_value=0, max_value=0))
        checks.append(("sum", whole, present))
    if pairs:
        excess = pd.concat([(df[part].astype("float64") - df[whole].astype("float64")).rename(part)
                            for part, whole in pairs], axis=1)
        df["_max_part_excess"] = excess.max(axis=1)
        exps.append(gx.expectations.ExpectColumnValuesToBeBetween(column="_max_part_excess", max_value=0))
        checks.append("part")
    found = []  # (order of the check, row, failure): sorted, the order one expectation per cell gives
    for result, check in zip(_run(df, exps), checks):
        for i in _unexpected(result):
            row = df.loc[i]
            if check == "negative":
                for k, c in enumerate(count_cols):
                    if pd.notna(row[c]) and row[c] < 0:
                        found.append(((0, k), i, Failure(i, c, "negative", {"value": _fmt(row[c])})))
            elif check == "part":
                for k, (part, whole) in enumerate(pairs):
                    if pd.notna(row[part]) and pd.notna(row[whole]) and row[part] > row[whole]:
                        found.append(((2, k), i, Failure(i, part, "part_exceeds", {
                            "part": part, "value": _fmt(row[part]), "whole": whole, "expected": _fmt(row[whole])})))
            else:
                _, whole, present = check
                detail = f"{whole} {_count(row[whole])} ≠ " + " + ".join(f"{p} {_count(row[p])}" for p in present)
                found.append(((1, sums.index((whole, present))), i, Failure(i, whole, "invariant", {"detail": detail})))
    found.sort(key=lambda x: (x[0], x[1]))
    return [f for _, _, f in found]


def _first_dup(df: pd.DataFrame, i: int):
    same = df[(df["period"] == df.loc[i, "period"]) & (df["unit_id"] == df.loc[i, "unit_id"])]
    return int(same["row_number"].min()) if "row_number" in df.columns else int(same.index.min())


def _fmt(value):
    """A number as a float for the message formatter (which writes it in the reader's language)."""
    import pandas as pd

    if value is None or pd.isna(value):
        return ""
    return float(value)


def _count(value) -> str:
    import pandas as pd

    return "—" if value is None or pd.isna(value) else str(int(value))
