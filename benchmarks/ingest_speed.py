"""Ingest speed of a filing export (xlsx and CSV, 200,000 rows by default) beside the bare reader of the same file.

Whole processes, each measured alone (wall time and peak memory, ``_measure.run_whole_process``), ``--runs`` times:
- ours: ``python -m analytics ingest FILE --kind filings --db <fresh temp db>`` (read, parse, validate, write);
- baseline for xlsx: ``fastexcel.read_excel(FILE).load_sheet(0).to_arrow()``;
- baseline for CSV: DuckDB ``CREATE TABLE t AS SELECT * FROM read_csv(FILE)`` into a fresh database;
- the fixed cost: ours on a 10-row file beside ``python -c "import great_expectations"`` (the validator's
  import) and ``python -c "import analytics"``.

Run: ``PYTHONPATH=$PWD .venv/bin/python benchmarks/ingest_speed.py [--rows 200000] [--runs 3]``. The files are
generated once into ``test-output/bench/``. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _measure import PYTHON, ROOT, measure, summary, table  # noqa: E402

OUT = ROOT / "test-output" / "bench"


def export(rows: int, suffix: str) -> Path:
    """The ``rows``-row filing export, generated once in a child process: Linux carries a process's peak resident
    memory over to the children it starts, so generating it here would show as every measured child's peak."""
    path = OUT / f"ho-so-{rows}{suffix}"
    if not path.exists():
        print(f"generating {path.name} …", file=sys.stderr)
        code = ("import sys; from pathlib import Path; from analytics.demo.generator import write_filing_export; "
                "write_filing_export(Path(sys.argv[1]), int(sys.argv[2]))")
        subprocess.run([PYTHON, "-c", code, str(path), str(rows)], cwd=ROOT, check=True,
                       env={**os.environ, "PYTHONPATH": str(ROOT)})
    return path


def ours(path: Path, runs: int, tmp: Path) -> dict:
    db = tmp / "ours.duckdb"

    def fresh():
        for p in tmp.glob("ours.duckdb*"):  # the file, its lock and its folder of Parquet parts
            shutil.rmtree(p) if p.is_dir() else p.unlink()
    return summary(measure([PYTHON, "-m", "analytics", "ingest", path, "--kind", "filings", "--db", db], runs, fresh))


def bare_reader(path: Path, runs: int, tmp: Path) -> tuple[str, dict]:
    if path.suffix == ".xlsx":
        code = f"import fastexcel; fastexcel.read_excel({str(path)!r}).load_sheet(0).to_arrow()"
        return "fastexcel load_sheet(0).to_arrow()", summary(measure([PYTHON, "-c", code], runs))
    db = tmp / "bare.duckdb"
    code = (f"import duckdb; con = duckdb.connect({str(db)!r}); "
            f"con.execute(\"CREATE TABLE t AS SELECT * FROM read_csv({str(path)!r})\"); con.close()")

    def fresh():
        db.unlink(missing_ok=True)
    return "duckdb CREATE TABLE AS read_csv", summary(measure([PYTHON, "-c", code], runs, fresh))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for suffix in (".xlsx", ".csv"):
            path = export(args.rows, suffix)
            name = f"{path.name} ({path.stat().st_size / 1e6:.0f} MB)"
            what, base = bare_reader(path, args.runs, tmp)
            rows.append((name, what, base, None))
            rows.append((name, "python -m analytics ingest", ours(path, args.runs, tmp), base))
        small = export(10, ".csv")
        gx = summary(measure([PYTHON, "-c", "import great_expectations"], args.runs))
        rows.append((small.name, "python -c 'import great_expectations'", gx, None))
        rows.append((small.name, "python -c 'import analytics'",
                     summary(measure([PYTHON, "-c", "import analytics"], args.runs)), gx))
        rows.append((small.name, "python -m analytics ingest", ours(small, args.runs, tmp), gx))
    print(f"{args.rows:,} rows, {args.runs} runs each; ratio = median ÷ the baseline row above it")
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
