"""Scale: 10 million filing rows through the real ingest path, the writer's cost, the dashboard's cold start and a
CLI read, each beside a named baseline measured in the same run.

    PYTHONPATH=$PWD .venv/bin/python benchmarks/scale_speed.py [--runs 3] [--rows 10000000] [--skip-browser]
        [--only ingest|writer|cold|cli ...] [--big PATH]

``--big PATH`` uses an existing large database (read only: the writer's part works on a copy) instead of building
one.

Figures printed (nothing asserted), each as median, min–max over ``--runs`` runs, and the ratio to its baseline:
1. ingest of a 10M-row filing export, CSV and Parquet (`python -m analytics ingest` in a fresh process): wall
   time and peak memory, vs the bare reader: DuckDB ``read_csv`` / ``read_parquet`` of the same file into a table;
2. the writer's cost: a small filing file ingested into the 10M-row database vs into the demo database;
3. dashboard cold start: ``streamlit run app.py`` → the Overview drawn in headless Chromium, on the demo database
   and on the 10M-row one, vs a trivial Streamlit app with one Plotly chart started the same way;
4. CLI read: ``python -m analytics scores --unit "so cong thuong" --period 2024Q2`` vs a fresh process that opens
   the database read-only and runs ``select 1``.
The export files (generated once with ``analytics.demo.generator.generate_filing_rows``) and the databases are kept
in ``test-output/bench/``. ``build_big_db(path, rows)`` builds the 10M database through the real ingest path (the
demo database plus the 10M-row export), for ``benchmarks/dashboard_speed.py`` too.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

OUT = ROOT / "test-output" / "bench"
PY = sys.executable
os.environ.setdefault("ANALYTICS_MAX_UNCOMPRESSED_MB", "4096")  # the 10M CSV is 2,2 GB; every child inherits it
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
UNIT, PERIOD = "so cong thuong", "2024Q2"

try:  # the parse side's helpers, when this branch has them
    from benchmarks._measure import run_whole_process  # type: ignore  # noqa: F401
except Exception:  # noqa: BLE001
    run_whole_process = None


def run_process(cmd: list[str], cwd: Path = ROOT) -> tuple[float, float]:
    """(wall seconds, peak resident MB) of a command in a fresh process (the child's ru_maxrss)."""
    if run_whole_process is not None:
        return run_whole_process(cmd)
    wrapper = textwrap.dedent("""
        import resource, subprocess, sys, time
        t = time.perf_counter()
        rc = subprocess.run(sys.argv[1:]).returncode
        wall = time.perf_counter() - t
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"{wall} {peak} {rc}", file=sys.stderr)
    """)
    done = subprocess.run([PY, "-c", wrapper, *cmd], cwd=cwd, env=ENV, capture_output=True, text=True)
    wall, peak, rc = done.stderr.strip().splitlines()[-1].split()
    if int(rc) not in (0, 1):
        raise RuntimeError(f"{cmd} failed: {done.stderr[-2000:]}")
    return float(wall), float(peak)


def in_child(function: str, *args) -> None:
    """Call ``function`` of this module in a child process. Linux carries a process's peak resident memory over to
    the children it starts (across fork and exec), so work that makes this process large (10 million generated
    rows, about 3 GB) would show as every later child's peak; done in a child, it leaves this process small."""
    code = (f"import sys; sys.path[:0] = [{str(Path(__file__).resolve().parent)!r}, {str(ROOT)!r}]; "
            f"import scale_speed; scale_speed.{function}(*{args!r})")
    subprocess.run([PY, "-c", code], cwd=ROOT, env=ENV, check=True)


def export_paths(rows: int) -> tuple[Path, Path]:
    """Where the ``rows``-row filing export is kept, as CSV and as Parquet."""
    return OUT / f"so-lieu-ho-so-{rows}.csv", OUT / f"so-lieu-ho-so-{rows}.parquet"


def export_files(rows: int) -> tuple[Path, Path]:
    """A ``rows``-row filing export as CSV (UTF-8 with BOM, the template's Vietnamese headers) and as Parquet
    (generated in a child process, ``in_child``)."""
    csv_path, parquet_path = export_paths(rows)
    if not (csv_path.exists() and parquet_path.exists()):
        in_child("write_export_files", rows)
    return csv_path, parquet_path


def write_export_files(rows: int) -> tuple[Path, Path]:
    import duckdb

    from analytics.demo.generator import FILING_FIELDS, FILING_HEADERS, generate_filing_rows

    OUT.mkdir(parents=True, exist_ok=True)
    csv_path, parquet_path = export_paths(rows)
    if csv_path.exists() and parquet_path.exists():
        return csv_path, parquet_path
    start = time.perf_counter()
    df = generate_filing_rows(rows)
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = true")
    con.register("g", df)
    select = ", ".join(f'CAST({k} AS {"VARCHAR" if df[k].dtype.name == "category" else "BIGINT"}) AS "{FILING_HEADERS[k]}"'
                       for k in FILING_FIELDS)
    for path, fmt in ((parquet_path, "FORMAT parquet, COMPRESSION zstd"), (csv_path, "FORMAT csv, HEADER true")):
        tmp = path.with_name(path.name + ".tmp")
        con.execute(f"COPY (SELECT {select} FROM g) TO '{tmp}' ({fmt})")
        if path.suffix == ".csv":  # a byte-order mark, as office software writes UTF-8
            with open(path, "wb") as out, open(tmp, "rb") as src:
                out.write(b"\xef\xbb\xbf")
                shutil.copyfileobj(src, out, 1 << 24)
            tmp.unlink()
        else:
            os.replace(tmp, path)
    con.close()
    print(f"  generated {csv_path.name} ({csv_path.stat().st_size / 1e9:.2f} GB) and {parquet_path.name} "
          f"({parquet_path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    return csv_path, parquet_path


def demo_db() -> Path:
    path = OUT / "demo.duckdb"
    if not path.exists():
        in_child("write_demo_db", str(path))
    return path


def write_demo_db(path: str) -> None:
    from analytics.demo.build import build_demo_db

    OUT.mkdir(parents=True, exist_ok=True)
    build_demo_db(Path(path), verbose=False)


def copy_db(src: Path, dst: Path) -> Path:
    """A copy of a database with its Parquet parts (the manifest follows them)."""
    from analytics.db import move_database, parts_dir

    tmp = dst.with_name(dst.name + ".copying")
    for p in (dst, tmp):
        p.unlink(missing_ok=True)
        shutil.rmtree(parts_dir(p), ignore_errors=True)
    shutil.copy2(src, tmp)
    if parts_dir(src).exists():
        shutil.copytree(parts_dir(src), parts_dir(tmp))
        import duckdb

        con = duckdb.connect(str(tmp))
        con.execute("UPDATE fact_parts SET part = replace(part, ?, ?)", [str(parts_dir(src)), str(parts_dir(tmp))])
        con.execute("DELETE FROM retired_parts")
        con.close()
    move_database(tmp, dst)
    return dst


def build_big_db(path: str | os.PathLike, rows: int = 10_000_000) -> Path:
    """The demo database plus a ``rows``-row filing export loaded through `python -m analytics ingest` (cached)."""
    path = Path(path)
    if path.exists():
        return path
    csv_path, parquet_path = export_files(rows)
    building = copy_db(demo_db(), path.with_name(path.name + ".build"))
    seconds, peak = run_process([PY, "-m", "analytics", "ingest", str(parquet_path), "--db", str(building),
                                 "--illustrative"])
    from analytics.db import move_database

    move_database(building, path)
    print(f"  built {path.name}: {rows:,} filing rows ingested in {seconds:.1f} s (peak {peak:.0f} MB)", file=sys.stderr)
    return path


def stats(values: list[float]) -> str:
    return f"median {statistics.median(values):6.2f}  (min–max {min(values):.2f}–{max(values):.2f})"


def line(label: str, ours: list[float], base: list[float] | None = None, base_label: str = "", unit: str = "s") -> None:
    text = f"  {label:44s} {stats(ours)} {unit}"
    if base:
        ratio = statistics.median(ours) / statistics.median(base)
        text += f"   | {base_label}: {stats(base)} {unit}   ratio {ratio:.2f}×"
    print(text)


def bare_reader(path: Path) -> tuple[float, float]:
    fn = "read_parquet" if path.suffix == ".parquet" else "read_csv"
    code = (f"import duckdb, tempfile, os; d = tempfile.mkdtemp(); con = duckdb.connect(os.path.join(d, 'x.duckdb')); "
            f"con.execute(\"CREATE TABLE t AS SELECT * FROM {fn}('{path}')\"); con.close()")
    return run_process([PY, "-c", code])


def measure_ingest(runs: int, rows: int) -> None:
    csv_path, parquet_path = export_files(rows)
    print(f"\n1. ingest of {rows:,} filing rows (fresh process; peak = resident memory of the process)")
    for path in (csv_path, parquet_path):
        ours, ours_mb, base, base_mb = [], [], [], []
        for _ in range(runs):
            with tempfile.TemporaryDirectory(dir=OUT) as tmp:
                db = Path(tmp) / "analytics.duckdb"
                s, mb = run_process([PY, "-m", "analytics", "ingest", str(path), "--db", str(db), "--illustrative"])
                ours.append(s)
                ours_mb.append(mb)
            s, mb = bare_reader(path)
            base.append(s)
            base_mb.append(mb)
        kind = path.suffix[1:].upper()
        line(f"{kind}: python -m analytics ingest", ours, base, f"DuckDB {'read_parquet' if kind == 'PARQUET' else 'read_csv'} into a table")
        line(f"{kind}: peak memory", ours_mb, base_mb, "bare reader", "MB")


def small_file() -> Path:
    path = OUT / "so-lieu-ho-so-nho-quy-II-2024.csv"
    lines = ["Kỳ;Đơn vị;Mã thủ tục;Tên thủ tục;Tổng số tiếp nhận;Tiếp nhận trực tuyến;Tiếp nhận trực tiếp"]
    lines += [f"2024Q2;Sở Công Thương;BM{i:05d};Thủ tục đo hiệu năng {i};10;4;6" for i in range(1000)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def measure_writer(runs: int, big: Path) -> None:
    small = small_file()
    print("\n2. the writer's cost: a 1.000-row filing file ingested (fresh process)")
    into_big, into_demo = [], []
    for _ in range(runs):
        for source, out in ((big, into_big), (demo_db(), into_demo)):
            db = copy_db(source, OUT / "writer-target.duckdb")
            out.append(run_process([PY, "-m", "analytics", "ingest", str(small), "--db", str(db)])[0])
    line("into the 10M-row database", into_big, into_demo, "into the demo database")
    print(f"  database file each writer copies: 10M {big.stat().st_size / 1e6:.1f} MB, demo "
          f"{demo_db().stat().st_size / 1e6:.1f} MB")


TRIVIAL_APP = """
import plotly.express as px
import streamlit as st

st.title("Trivial")
st.plotly_chart(px.bar(x=["a", "b", "c"], y=[1, 3, 2]))
"""


def cold_start(app: Path, db: Path | None, wait_text: str | None) -> float:
    """Seconds from `streamlit run` to the page drawn in headless Chromium (a Plotly chart and, for the Overview,
    its tiles and findings)."""
    import socket

    from playwright.sync_api import sync_playwright

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**ENV, **({"ANALYTICS_DB": str(db)} if db else {})}
    start = time.perf_counter()
    proc = subprocess.Popen([PY, "-m", "streamlit", "run", str(app), "--server.address", "127.0.0.1",
                             "--server.port", str(port), "--server.headless", "true",
                             "--browser.gatherUsageStats", "false"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                        args=["--headless", "--no-sandbox", "--disable-gpu"])
            page = browser.new_page()
            deadline = time.monotonic() + 120
            while True:
                try:
                    page.goto(f"http://127.0.0.1:{port}/?period={PERIOD}", timeout=2000)
                    break
                except Exception:  # noqa: BLE001  (the server is not listening yet)
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.05)
            page.locator('[data-testid="stPlotlyChart"] .main-svg').first.wait_for(timeout=300_000)
            if wait_text:
                page.locator('[data-testid="stMetric"]').first.wait_for(timeout=300_000)
                page.get_by_text(wait_text, exact=False).first.wait_for(timeout=300_000)
            seconds = time.perf_counter() - start
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return seconds


def measure_cold_start(runs: int, big: Path | None) -> None:
    trivial = OUT / "trivial_app.py"
    trivial.write_text(TRIVIAL_APP, encoding="utf-8")
    print("\n3. dashboard cold start: streamlit run → page drawn in headless Chromium")
    base = [cold_start(trivial, None, None) for _ in range(runs)]
    for label, db in (("demo database", demo_db()), ("10M-row database", big)):
        if db is None:
            continue
        ours = [cold_start(ROOT / "app.py", db, "Những điểm chính cho cuộc họp") for _ in range(runs)]
        line(f"Overview, {label}", ours, base, "trivial app, one Plotly chart")
        print(f"    difference: {statistics.median(ours) - statistics.median(base):+.2f} s")


def measure_cli(runs: int, dbs: list[tuple[str, Path]]) -> None:
    print("\n4. CLI read in a fresh process")
    for label, db in dbs:
        ours = [run_process([PY, "-m", "analytics", "scores", "--unit", UNIT, "--period", PERIOD, "--db", str(db)])[0]
                for _ in range(runs)]
        base = [run_process([PY, "-c", f"import duckdb; duckdb.connect('{db}', read_only=True).execute('select 1')"])[0]
                for _ in range(runs)]
        line(f"scores --unit … --period {PERIOD} ({label})", ours, base, "open read-only + select 1")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--skip-browser", action="store_true")
    ap.add_argument("--only", choices=["ingest", "writer", "cold", "cli"], action="append")
    ap.add_argument("--big", type=Path, help="an existing large database to use instead of building one")
    args = ap.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    only = set(args.only or ["ingest", "writer", "cold", "cli"])
    load = os.getloadavg()
    print(f"machine: {os.cpu_count()} cores, load average {load[0]:.1f} at the start (shared machine)")
    big = args.big or (build_big_db(OUT / f"big-{args.rows}.duckdb", args.rows) if only & {"writer", "cold", "cli"}
                       else None)
    if "ingest" in only:
        measure_ingest(args.runs, args.rows)
    if "writer" in only:
        measure_writer(args.runs, big)
    if "cold" in only and not args.skip_browser:
        measure_cold_start(args.runs, big)
    if "cli" in only:
        measure_cli(args.runs, [("demo database", demo_db()), ("10M-row database", big)])
    return 0


if __name__ == "__main__":
    sys.exit(main())
