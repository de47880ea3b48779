"""Loading twice, loading a corrected file, and reading while an ingest runs."""

import subprocess
import sys
import time

import duckdb
import openpyxl

from conftest import INDEX_Q1, INDEX_Q2, ROOT, table_snapshot


def test_loading_the_same_file_twice_changes_nothing(run_cli, db):
    code, _, _ = run_cli("ingest", INDEX_Q2, "--db", db)
    assert code == 0
    before = table_snapshot(db)
    code, _, err = run_cli("ingest", INDEX_Q2, "--db", db)
    assert code == 0 and "Bỏ qua" in err and "#1" in err
    assert table_snapshot(db) == before


def test_a_corrected_file_replaces_the_earlier_version(run_cli, db, tmp_path):
    code, _, _ = run_cli("ingest", INDEX_Q2, "--db", db)
    wb = openpyxl.load_workbook(INDEX_Q2)
    ws = wb.active
    assert ws["B11"].value == "Sở Tư pháp"
    ws["C11"], ws["H11"] = 18, 73.88  # transparency 17.5 → 18, total follows
    corrected = tmp_path / "ket-qua-766-quy-II-2024-v2.xlsx"  # same source, a version mark in the name
    wb.save(corrected)
    code, _, err = run_cli("ingest", corrected, "--db", db)
    assert code == 0, err
    assert "thay thế dữ liệu của lần nạp #1" in err
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute("SELECT score_points, source_file FROM index_scores WHERE unit_id = 'so tu phap' "
                       "AND component IN ('transparency', 'total') ORDER BY component").fetchall()
    assert rows == [(73.88, corrected.name), (18.0, corrected.name)]
    assert con.execute("SELECT count(*) FROM index_scores").fetchone()[0] == 27 * 6
    log = con.execute("SELECT ingest_id, status, replaces FROM ingest_log ORDER BY 1").fetchall()
    assert log == [(1, "superseded", None), (2, "loaded", "1")]


def test_another_period_of_the_same_source_does_not_replace(run_cli, db):
    run_cli("ingest", INDEX_Q1, "--db", db, "--origin", "ket-qua-766")
    run_cli("ingest", INDEX_Q2, "--db", db, "--origin", "ket-qua-766")
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT period, count(*) FROM index_scores GROUP BY 1 ORDER BY 1").fetchall() == [
        ("2024Q1", 27 * 6), ("2024Q2", 27 * 6)]


READER = r"""
import sys, time, duckdb
path, deadline = sys.argv[1], time.time() + float(sys.argv[2])
reads = errors = 0
while time.time() < deadline:
    try:
        con = duckdb.connect(path, read_only=True)
        con.execute("SELECT count(*) FROM index_scores").fetchall()
        con.close()
        reads += 1
    except Exception as exc:
        errors += 1
        print(repr(exc), file=sys.stderr)
    time.sleep(0.01)
print(reads, errors)
"""


def test_dashboard_reads_while_an_ingest_runs(run_cli, db, tmp_path):
    """A reader process polls the live file read-only throughout several ingests: never a lock error."""
    run_cli("ingest", INDEX_Q1, "--db", db)
    reader = subprocess.Popen([sys.executable, "-c", READER, str(db), "20"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, cwd=ROOT)
    time.sleep(1.0)
    writer = subprocess.run([sys.executable, "-m", "analytics", "ingest", str(INDEX_Q2), "--db", str(db)],
                            capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert writer.returncode == 0, writer.stderr
    out, err = reader.communicate(timeout=60)
    reads, errors = map(int, out.split())
    assert errors == 0, err
    assert reads > 50
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(DISTINCT period) FROM index_scores").fetchone()[0] == 2


def test_a_held_read_connection_does_not_block_an_ingest(run_cli, db):
    run_cli("ingest", INDEX_Q1, "--db", db)
    held = duckdb.connect(str(db), read_only=True)
    code, _, err = run_cli("ingest", INDEX_Q2, "--db", db)
    assert code == 0, err
    assert held.execute("SELECT count(DISTINCT period) FROM index_scores").fetchone()[0] == 1  # its snapshot
    held.close()  # DuckDB shares one instance per path within a process: reopen after closing
    fresh = duckdb.connect(str(db), read_only=True)
    assert fresh.execute("SELECT count(DISTINCT period) FROM index_scores").fetchone()[0] == 2
