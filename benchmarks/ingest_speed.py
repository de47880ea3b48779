"""Ingest speed for a 200,000-row filing export, xlsx and CSV, against a named baseline in the same run.

Baseline ("pandas+openpyxl+row inserts"): ``pandas.read_excel(engine="openpyxl")`` (``read_csv`` for CSV)
followed by one ``INSERT`` per row into DuckDB — the obvious way to write it by hand.
Ours: ``analytics.ingest.pipeline.ingest`` — calamine reader, header detection, per-cell parsing of
Vietnamese number formats, Great Expectations invariants, unit resolution, one bulk insert, atomic swap.
Also: the raw read time of each xlsx reader (openpyxl, calamine, fastexcel).

Run: ``.venv/bin/python benchmarks/ingest_speed.py [--rows 200000]`` (files are generated once and kept in
``test-output/bench/``). Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402
import pandas as pd  # noqa: E402

from analytics.demo.generator import write_filing_export  # noqa: E402
from analytics.ingest.common import Options  # noqa: E402
from analytics.ingest.pipeline import ingest  # noqa: E402

OUT = ROOT / "test-output" / "bench"


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def export(rows: int, suffix: str) -> Path:
    path = OUT / f"ho-so-{rows}{suffix}"
    if not path.exists():
        print(f"generating {path.name} …", file=sys.stderr)
        seconds, _ = timed(lambda: write_filing_export(path, rows))
        print(f"  written in {seconds:.1f} s", file=sys.stderr)
    return path


def baseline(path: Path, db: Path, insert_sample: int) -> tuple[float, float, int]:
    """pandas read (openpyxl for xlsx) + one INSERT per row (autocommit).

    Returns (read seconds, insert seconds per row, rows read). Row inserts run at ~150–650 rows/s, so
    inserting 200,000 rows takes 5–20 minutes: the insert rate is measured on the first ``insert_sample``
    rows (all rows with ``--insert-sample 0``) and the full-file time is read + rows × that rate.
    """
    read_seconds, df = timed(lambda: pd.read_excel(path, engine="openpyxl") if path.suffix == ".xlsx"
                             else pd.read_csv(path, encoding="utf-8-sig"))
    con = duckdb.connect(str(db))
    cols = ", ".join(f"c{i} VARCHAR" for i in range(df.shape[1]))
    con.execute(f"CREATE TABLE t ({cols})")
    marks = ", ".join("?" for _ in range(df.shape[1]))
    sample = df if not insert_sample else df.head(insert_sample)

    def insert():
        for row in sample.astype(str).itertuples(index=False, name=None):
            con.execute(f"INSERT INTO t VALUES ({marks})", list(row))
    insert_seconds, _ = timed(insert)
    con.close()
    return read_seconds, insert_seconds / len(sample), len(df)


def ours(path: Path, db: Path) -> tuple[float, int]:
    seconds, (result,) = timed(lambda: ingest([path], Options(kind="filings"), db=db))
    assert result.status == "loaded", result.error and result.error.render("en")
    return seconds, result.rows_loaded


def readers(path: Path) -> list[tuple[str, float]]:
    out = []
    out.append(("pandas engine=openpyxl", timed(lambda: pd.read_excel(path, engine="openpyxl"))[0]))
    out.append(("pandas engine=calamine", timed(lambda: pd.read_excel(path, engine="calamine"))[0]))

    def calamine_rows():
        from python_calamine import CalamineWorkbook

        wb = CalamineWorkbook.from_path(str(path))
        return wb.get_sheet_by_name(wb.sheet_names[0]).to_python()
    out.append(("python-calamine rows (ours)", timed(calamine_rows)[0]))
    try:
        import fastexcel

        out.append(("fastexcel", timed(lambda: fastexcel.read_excel(str(path)).load_sheet(0).to_pandas())[0]))
    except ImportError:
        pass
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--insert-sample", type=int, default=10_000,
                        help="rows the baseline inserts one by one to measure its rate (0 = all rows)")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    from analytics.ingest.validation import _gx

    gx_import, _ = timed(_gx)  # paid once per process by every ingest; reported apart
    print(f"Great Expectations import (once per ingest process): {gx_import:.2f} s")
    print(f"\n{'file':<24}{'method':<34}{'seconds':>10}{'rows/s':>12}{'vs baseline':>13}")
    for suffix in (".csv", ".xlsx"):
        path = export(args.rows, suffix)
        with tempfile.TemporaryDirectory() as tmp:
            t_ours, n = ours(path, Path(tmp) / "ours.duckdb")
            t_base = None
            if not args.skip_baseline:
                read_s, per_row_s, n_base = baseline(path, Path(tmp) / "base.duckdb", args.insert_sample)
                t_base = read_s + per_row_s * n_base
        name = f"{path.name} ({path.stat().st_size / 1e6:.0f} MB)"
        if t_base:
            how = "all rows" if not args.insert_sample else f"rate of first {args.insert_sample:,} rows"
            print(f"{name:<24}{'baseline pandas+row inserts':<34}{t_base:>10.1f}{n_base / t_base:>12,.0f}{'1.0×':>13}"
                  f"   (read {read_s:.1f} s + inserts {per_row_s * 1000:.2f} ms/row, {how})")
        ratio = f"{t_base / t_ours:.1f}× faster" if t_base else "—"
        print(f"{name:<24}{'analytics ingest':<34}{t_ours:>10.1f}{n / t_ours:>12,.0f}{ratio:>13}")
    print("\nxlsx readers (read only, same file):")
    for label, seconds in readers(export(args.rows, ".xlsx")):
        print(f"  {label:<32}{seconds:>8.2f} s  {args.rows / seconds:>10,.0f} rows/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
