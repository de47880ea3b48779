"""Dossier lists at national volume: ingest speed and peak memory, the writer's cost against the database's size,
and the dossier page's query times, each beside a bare DuckDB read of the same data in the same run.

    .venv/bin/python benchmarks/dossier_scale.py ingest  [--rows 10000000]     # CSV export → database
    .venv/bin/python benchmarks/dossier_scale.py queries [--rows 100000000]    # page queries on a big store

``ingest``: writes a one-stop-style CSV export (title row, Vietnamese headers, dd/mm/yyyy dates, personal-data
columns that must be dropped) with DuckDB, then times ``python -m analytics ingest`` in a child process and reads
its peak resident memory (``getrusage`` of the child). Baseline: DuckDB ``read_csv`` of the same file, every
column as text, counted, in the same run. Then the writer's cost: the same 10,000-row file ingested into an empty
database and into the database that now holds the big export.

``queries``: generates dossier Parquet directly in the store layout (``dossiers/period=…/unit=…/``, 1,000 units ×
4 quarters) with DuckDB, lists it in a database, and times each query the Hồ sơ page runs (worklist, overdue audit
and its summary, nowcast, points at risk, counts, default day) for one unit, 20 runs each: p50 and p95. Baseline:
``read_parquet`` of the same unit's files, counted.

Data goes under ``.bench/`` (gitignored); check ``df -h`` first (10⁸ rows take about 4 GB). Prints; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402

BENCH = ROOT / ".bench"
UNITS, PROCEDURES = 1000, 100


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def write_export(path: Path, rows: int, units: int = 20) -> None:
    """A dossier export of ``rows`` rows as one-stop software writes it (generated in SQL, seeded by row number)."""
    body = path.with_suffix(".body.csv")
    con = duckdb.connect()
    con.execute(f"""
        COPY (
            SELECT
                i AS "STT",
                'H' || lpad(CAST(i AS VARCHAR), 9, '0') AS "Số hồ sơ",
                'P' || CAST(i % {PROCEDURES} AS VARCHAR) AS "Mã thủ tục",
                'Thủ tục số ' || CAST(i % {PROCEDURES} AS VARCHAR) AS "Tên thủ tục",
                'Sở Ban Ngành ' || CAST(i % {units} AS VARCHAR) AS "Đơn vị",
                'Phòng ' || CAST(i % 7 AS VARCHAR) AS "Phòng xử lý",
                CASE i % 10 WHEN 0 THEN 'Trực tiếp' WHEN 1 THEN 'Bưu chính công ích' ELSE 'Trực tuyến' END AS "Kênh nộp",
                strftime(DATE '2025-01-01' + CAST(i % 360 AS INTEGER) + INTERVAL (i % 480) MINUTE + INTERVAL 7 HOUR,
                         '%d/%m/%Y %H:%M') AS "Ngày tiếp nhận",
                strftime(DATE '2025-01-01' + CAST(i % 360 AS INTEGER) + 7, '%d/%m/%Y') AS "Ngày hẹn trả",
                CASE WHEN i % 13 = 0 THEN '' ELSE strftime(DATE '2025-01-01' + CAST(i % 360 AS INTEGER) + CAST(i % 9 AS INTEGER),
                                                          '%d/%m/%Y') END AS "Ngày có kết quả",
                CASE WHEN i % 3 = 0 THEN 'Có' ELSE 'Không' END AS "Số hóa thành phần hồ sơ",
                CASE WHEN i % 4 = 0 THEN 'Có' ELSE 'Không' END AS "Kết quả điện tử",
                CASE WHEN i % 5 = 0 THEN 'Không' ELSE 'Có' END AS "Đồng bộ Cổng DVCQG",
                'Nguyễn Văn ' || CAST(i % 997 AS VARCHAR) AS "Người nộp",
                '09' || lpad(CAST(i % 100000000 AS VARCHAR), 8, '0') AS "Số điện thoại"
            FROM range(1, {rows} + 1) AS t(i)
        ) TO '{body}' (HEADER, DELIMITER ',')
    """)
    con.close()
    with open(path, "wb") as out:
        out.write("DANH SÁCH HỒ SƠ (DỮ LIỆU MINH HỌA, SINH ĐỂ ĐO TỐC ĐỘ)\n".encode("utf-8"))
        with open(body, "rb") as src:
            shutil.copyfileobj(src, out, 1 << 24)
    body.unlink()


def ingest_child(path: Path, db: Path) -> tuple[float, float, str]:
    """(seconds, peak RSS in GB, last stderr line) of ``python -m analytics ingest`` in a child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "analytics", "ingest", str(path), "--db", str(db), "--kind", "dossiers"],
                          cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if proc.returncode not in (0, 1):
        raise RuntimeError(proc.stderr[-2000:])
    return seconds, max(peak, before) / 1024 / 1024, proc.stderr.strip().splitlines()[0]


def bench_ingest(rows: int) -> None:
    BENCH.mkdir(exist_ok=True)
    path = BENCH / f"danh-sach-ho-so-{rows}.csv"
    if not path.exists():
        seconds, _ = timed(lambda: write_export(path, rows))
        print(f"generated {path.name} ({path.stat().st_size / 1e9:.2f} GB) in {seconds:.1f} s", file=sys.stderr)
    size_gb = path.stat().st_size / 1e9
    con = duckdb.connect()
    base_s, n = timed(lambda: con.execute(
        "SELECT count(*) FROM read_csv(?, skip = 1, header = true, all_varchar = true)", [str(path)]).fetchone()[0])
    con.close()
    work = BENCH / "ingest-db"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    db = work / "analytics.duckdb"
    ours_s, peak_gb, line = ingest_child(path, db)
    print(f"\n# ingest of a {n:,}-row dossier export ({size_gb:.2f} GB CSV), 2 cores")
    print(f"{'':44} {'seconds':>9} {'rows/s':>12} {'peak GB':>8}")
    print(f"{'baseline: DuckDB read_csv, all text, count':44} {base_s:9.1f} {n / base_s:12,.0f} {'':>8}")
    print(f"{'ours: python -m analytics ingest (child)':44} {ours_s:9.1f} {n / ours_s:12,.0f} {peak_gb:8.2f}")
    print(f"  {line}")
    store = sum(f.stat().st_size for f in (work / "dossiers").rglob("*.parquet")) / 1e9
    print(f"  database file {db.stat().st_size / 1e6:.1f} MB; Parquet store {store:.2f} GB")
    # the writer's cost: a small export into an empty database and into the one holding the big export
    small = BENCH / "danh-sach-ho-so-10000.csv"
    if not small.exists():
        write_export(small, 10_000, units=3)
    empty = BENCH / "empty-db"
    shutil.rmtree(empty, ignore_errors=True)
    empty.mkdir()
    t_empty, _, _ = ingest_child(small, empty / "analytics.duckdb")
    t_big, _, _ = ingest_child(small, db)
    print(f"\n# writer's cost: a 10,000-row export into an empty database vs the database holding {n:,} dossiers")
    print(f"  empty database: {t_empty:.2f} s; big database: {t_big:.2f} s "
          f"(the database file the writer copies: {db.stat().st_size / 1e6:.1f} MB)")


def build_store(rows: int) -> Path:
    """A database listing ``rows`` generated dossiers in the store layout (1,000 units × 4 quarters of 2025)."""
    work = BENCH / f"store-{rows}"
    db = work / "analytics.duckdb"
    if db.exists():
        return db
    shutil.rmtree(work, ignore_errors=True)
    (work / "dossiers").mkdir(parents=True)
    per_quarter = rows // 4
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = false")
    for q in range(4):
        start = date(2025, 3 * q + 1, 1)
        seconds, _ = timed(lambda: con.execute(f"""
            COPY (
                SELECT
                    'H' || CAST(i AS VARCHAR) AS dossier_code,
                    'u' || lpad(CAST(i % {UNITS} AS VARCHAR), 4, '0') AS unit_id,
                    'P' || CAST(i % {PROCEDURES} AS VARCHAR) AS procedure_code,
                    'Thủ tục ' || CAST(i % {PROCEDURES} AS VARCHAR) AS procedure_name,
                    'Phòng ' || CAST(i % 7 AS VARCHAR) AS department,
                    CASE i % 10 WHEN 0 THEN 'in_person' WHEN 1 THEN 'postal' ELSE 'online' END AS channel,
                    CAST(NULL AS VARCHAR) AS status,
                    CAST(rd AS TIMESTAMP) AS received_at,
                    CAST(rd + 7 AS TIMESTAMP) AS system_due_at,
                    CASE WHEN i % 13 = 0 THEN NULL ELSE CAST(rd + CAST(i % 9 AS INTEGER) AS TIMESTAMP) END AS result_at,
                    rd AS received_date, rd + 7 AS system_due_date,
                    CASE WHEN i % 13 = 0 THEN NULL ELSE rd + CAST(i % 9 AS INTEGER) END AS result_date,
                    CAST(NULL AS DOUBLE) AS paused_days,
                    i % 3 = 0 AS digitized, i % 4 = 0 AS e_result, false AS reused, i % 5 <> 0 AS synced,
                    false AS paid_online, i % 17 = 0 AS portal_overdue, 0.0 AS fee, false AS has_fee,
                    5.0 AS published_time, 'working_days' AS published_time_unit,
                    rd + 9 AS published_due_date, true AS illustrative, 1 AS ingest_id, i AS row_number,
                    'u' || lpad(CAST(i % {UNITS} AS VARCHAR), 4, '0') AS unit
                FROM (SELECT i, DATE '{start}' + CAST((i // {UNITS}) % 88 AS INTEGER) AS rd
                      FROM range({q * per_quarter}, {(q + 1) * per_quarter}) AS t(i))
            ) TO '{work / "dossiers" / f"period=2025Q{q + 1}"}' (FORMAT parquet, PARTITION_BY (unit),
                WRITE_PARTITION_COLUMNS false)
        """))
        print(f"  2025Q{q + 1}: {per_quarter:,} rows in {seconds:.1f} s", file=sys.stderr)
    con.close()
    from analytics import db as dbmod

    with dbmod.writer(db) as w:
        w.execute("""INSERT INTO ingest_log (ingest_id, file_name, sha256, kind, origin, periods, status, illustrative)
                     VALUES (1, 'generated', 'x', 'dossiers', 'bench', '2025Q1,2025Q2,2025Q3,2025Q4', 'loaded', true)""")
        files = sorted((work / "dossiers").rglob("*.parquet"))
        w.executemany("INSERT INTO dossier_files VALUES (1, ?, ?, ?, NULL, true)",
                      [[f.parent.parent.name.split("=")[1], f.parent.name.split("=")[1], str(f.relative_to(work))]
                       for f in files])
        w.executemany("INSERT INTO units (unit_id, display_name, unit_level) VALUES (?, ?, 'commune')",
                      [[f"u{i:04d}", f"Đơn vị {i}"] for i in range(UNITS)])
    return db


def bench_queries(rows: int, runs: int = 20) -> None:
    from analytics.analyses import dossiers as d

    seconds, db = timed(lambda: build_store(rows))
    store = sum(f.stat().st_size for f in (db.parent / "dossiers").rglob("*.parquet")) / 1e9
    con = duckdb.connect(str(db), read_only=True)
    total = con.execute("SELECT count(*) FROM read_parquet(?)", [d.dossier_paths(con)]).fetchone()[0]
    unit, period, as_of = "u0042", "2025Q2", date(2025, 6, 16)
    paths = d.dossier_paths(con, unit)
    cases = {
        "baseline: read_parquet(unit's files), count": lambda: con.execute(
            "SELECT count(*) FROM read_parquet(?)", [paths]).fetchone(),
        "default_as_of": lambda: d.default_as_of(con, unit, period),
        "dossier_counts": lambda: d.dossier_counts(con, period, unit),
        "worklist": lambda: d.worklist(con, as_of, unit),
        "overdue_audit": lambda: d.overdue_audit(con, period, unit),
        "overdue_audit_summary": lambda: d.overdue_audit_summary(con, period, unit),
        "nowcast": lambda: d.nowcast(con, as_of, unit, period),
        "points_at_risk_by (procedure)": lambda: d.points_at_risk_by(con, as_of, unit, "procedure_code", period),
    }
    unit_rows = con.execute("SELECT count(*) FROM read_parquet(?) WHERE received_date BETWEEN '2025-04-01' AND '2025-06-30'",
                            [paths]).fetchone()[0]
    print(f"\n# Hồ sơ page queries on {total:,} dossier rows ({store:.2f} GB Parquet, {UNITS} units × 4 quarters), "
          f"one unit ({unit_rows:,} rows in {period}); {runs} runs each, first run discarded")
    print(f"{'':48} {'p50 ms':>8} {'p95 ms':>8}")
    for name, fn in cases.items():
        fn()
        times = []
        for _ in range(runs):
            s, _ = timed(fn)
            times.append(s * 1000)
        times.sort()
        p95 = times[min(len(times) - 1, int(round(0.95 * len(times))) - 1)]
        print(f"{name:48} {statistics.median(times):8.1f} {p95:8.1f}")
    print(json.dumps({"rows": total, "build_seconds": round(seconds, 1)}))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=["ingest", "queries"])
    parser.add_argument("--rows", type=int)
    args = parser.parse_args()
    if args.what == "ingest":
        bench_ingest(args.rows or 10_000_000)
    else:
        bench_queries(args.rows or 100_000_000)
    return 0


if __name__ == "__main__":
    sys.exit(main())
