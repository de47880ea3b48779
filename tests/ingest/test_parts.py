"""Filing counts as Parquet parts beside the database file: an ingest writes only its own part, a replacement
drops the replaced part, a killed writer leaves no part referenced, a reader opened before an ingest still reads
after it, the materialised stg_filing_counts equals the model computed over every row, large exports go through
DuckDB with the same rejects, and the read paths import nothing heavy."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from conftest import INDEX_Q2, ROOT

HEADER = "Kỳ;Đơn vị;Mã thủ tục;Tên thủ tục;Tổng số tiếp nhận;Tiếp nhận trực tuyến;Tiếp nhận trực tiếp"


def filings(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def parts(db: Path) -> list[tuple]:
    """The listed parts, each as the file it is (listed relative to the database's folder)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return [(str(db.parent / p), *rest) for p, *rest in con.execute(
            "SELECT part, ingest_id, period, rows FROM fact_parts ORDER BY ingest_id, part").fetchall()]
    finally:
        con.close()


def files(db: Path) -> set[str]:
    return {str(p) for p in (db.parent / f"{db.name}.parts").rglob("*.parquet")}


def test_an_ingest_into_a_database_with_parts_writes_only_its_own_part(run_cli, db, tmp_path):
    q1 = filings(tmp_path / "so-lieu-quy-I-2024.csv", ["2024Q1;Sở Công Thương;1.1;Thủ tục A;10;4;6"])
    q2 = filings(tmp_path / "so-lieu-quy-II-2024.csv", ["2024Q2;Sở Công Thương;1.1;Thủ tục A;12;5;7",
                                                       "2024Q2;Sở Tư pháp;2.1;Thủ tục B;3;3;0"])
    assert run_cli("ingest", q1, "--db", db)[0] == 0
    first = parts(db)
    before = {p: os.stat(p).st_mtime_ns for p in files(db)}
    assert run_cli("ingest", q2, "--db", db)[0] == 0
    after = parts(db)
    assert after[:1] == first and len({p for p, *_ in after}) == 2  # the first part is listed as it was …
    assert {p: os.stat(p).st_mtime_ns for p in before} == before  # … and its file untouched
    assert [(i, period, n) for _, i, period, n in after] == [(1, "2024Q1", 1), (2, "2024Q2", 1), (2, "2024Q2", 1)]
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT period, sum(received_total) FROM filing_counts GROUP BY 1 ORDER BY 1").fetchall() == [
        ("2024Q1", 10), ("2024Q2", 15)]
    assert con.execute("SELECT count(*) FROM fact_parts").fetchone()[0] == 3  # one row per (part, period, unit)


def test_a_replacement_drops_the_replaced_part_and_keeps_it_for_older_readers(run_cli, db, tmp_path):
    v1 = filings(tmp_path / "so-lieu-quy-II-2024.csv", ["2024Q2;Sở Công Thương;1.1;Thủ tục A;10;4;6"])
    v2 = filings(tmp_path / "so-lieu-quy-II-2024-v2.csv", ["2024Q2;Sở Công Thương;1.1;Thủ tục A;20;8;12"])
    run_cli("ingest", v1, "--db", db)
    (old_part, *_), = parts(db)
    held = duckdb.connect(str(db), read_only=True)  # a reader opened before the ingest
    code, _, err = run_cli("ingest", v2, "--db", db)
    assert code == 0 and "thay thế dữ liệu của lần nạp #1" in err
    assert held.execute("SELECT sum(received_total) FROM filing_counts").fetchone()[0] == 10  # its snapshot still reads
    assert held.execute("SELECT sum(received_total) FROM stg_filing_counts").fetchone()[0] == 10
    held.close()  # DuckDB shares one instance per path within a process: reopen after closing
    listed = parts(db)
    assert [(i, n) for _, i, _, n in listed] == [(2, 1)] and old_part not in {p for p, *_ in listed}
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT sum(received_total) FROM stg_filing_counts").fetchone()[0] == 20
    assert [(str(db.parent / p),) for p, in con.execute("SELECT part FROM retired_parts").fetchall()] == [(old_part,)]
    con.close()
    assert Path(old_part).exists()  # retired, kept for the grace period


def test_a_retired_part_is_deleted_by_a_later_writer_after_the_grace_period(run_cli, db, tmp_path, monkeypatch):
    from analytics import db as dbmod

    v1 = filings(tmp_path / "so-lieu-quy-II-2024.csv", ["2024Q2;Sở Công Thương;1.1;Thủ tục A;10;4;6"])
    v2 = filings(tmp_path / "so-lieu-quy-II-2024-v2.csv", ["2024Q2;Sở Công Thương;1.1;Thủ tục A;20;8;12"])
    run_cli("ingest", v1, "--db", db)
    run_cli("ingest", v2, "--db", db)
    (old,) = [p for p in files(db) if p not in {q for q, *_ in parts(db)}]
    monkeypatch.setattr(dbmod, "PART_GRACE_SECONDS", 0)
    assert run_cli("ingest", INDEX_Q2, "--db", db)[0] == 0
    assert not Path(old).exists() and files(db) == {p for p, *_ in parts(db)}
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM retired_parts").fetchone()[0] == 0


def big_filings(path: Path, rows: int = 200_000) -> Path:
    return filings(path, [f"2024Q2;Sở Công Thương;TT{i:06d};Thủ tục {i};10;4;6" for i in range(rows)])


def test_a_killed_writer_leaves_no_part_referenced_and_the_next_writer_removes_its_files(run_cli, tmp_path):
    db = tmp_path / "analytics.duckdb"
    first = filings(tmp_path / "so-lieu-quy-I-2024.csv", ["2024Q1;Sở Công Thương;1.1;Thủ tục A;10;4;6"])
    run_cli("ingest", first, "--db", db)
    listed = parts(db)
    big = big_filings(tmp_path / "so-lieu-ho-so-quy-II-2024.csv")
    folder = db.parent / f"{db.name}.parts" / "filing_counts"
    proc = subprocess.Popen([sys.executable, "-m", "analytics", "ingest", str(big), "--db", str(db)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while len(list(folder.glob("*.parquet"))) < 2 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.002)  # the new part is being written
    assert proc.poll() is None, "the writer finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert parts(db) == listed  # nothing the killed writer wrote is referenced
    assert len(files(db)) == 2  # its part is on disk, listed nowhere
    assert run_cli("ingest", INDEX_Q2, "--db", db)[0] == 0
    assert files(db) == {p for p, *_ in parts(db)}  # the next writer removed it
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT sum(received_total) FROM filing_counts").fetchone()[0] == 10


def test_the_materialised_filing_counts_equal_the_model_over_every_row(demo):
    from analytics.db import SQL_DIR, model_sql

    stored = demo.execute("SELECT * FROM stg_filing_counts ORDER BY ALL").fetchall()
    computed = demo.execute(f"SELECT * FROM ({model_sql(SQL_DIR / 'stg_filing_counts.sql')}) ORDER BY ALL").fetchall()
    assert len(stored) == len(computed) == 2740 and stored == computed
    plan = demo.execute("SELECT sql FROM duckdb_views() WHERE view_name = 'stg_filing_counts'").fetchone()[0]
    assert "pre_filing_counts" in plan
    row = demo.execute("SELECT received_total, overdue_filings FROM stg_filing_counts WHERE period = '2024Q2' AND "
                       "unit_id = 'so cong thuong' AND count_source = 'portal' AND procedure_code = '2.000304'"
                       ).fetchall()
    assert len(row) == 1


def test_the_materialised_rows_follow_a_catalogue_loaded_after_the_counts(run_cli, db, tmp_path):
    counts = filings(tmp_path / "so-lieu-quy-II-2024.csv", ["2024Q2;Sở Công Thương;;Thủ tục A;10;4;6"])
    run_cli("ingest", counts, "--db", db)
    catalog = tmp_path / "danh-muc-tthc-so-cong-thuong.csv"
    catalog.write_text("Mã thủ tục;Tên thủ tục;Lĩnh vực;Phòng xử lý;Mức độ DVC;Có phí;Thời hạn công bố;"
                       "Đơn vị thời hạn công bố;Thời hạn cấu hình;Đơn vị thời hạn cấu hình;Đơn vị\n"
                       "1.000999;Thủ tục A;Thương mại;Phòng QLTM;Toàn trình;Không;5;ngày làm việc;5;ngày làm việc;"
                       "Sở Công Thương\n", encoding="utf-8")
    code, _, err = run_cli("ingest", catalog, "--db", db, "--kind", "catalog")
    assert code == 0, err
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT procedure_code, procedure_code_source, department FROM stg_filing_counts").fetchall() == [
        ("1.000999", "catalog", "Phòng QLTM")]


@pytest.fixture
def big_export(tmp_path) -> Path:
    """A 5.000-row plain-template export with a thousands-dot count, a text count and a broken sum."""
    from analytics.demo.generator import write_filing_export

    path = write_filing_export(tmp_path / "so-lieu-ho-so.csv", 5000)
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    cells = lines[7].split(",")
    cells[6] = '"1.234"'  # Tổng số tiếp nhận "1.234" = 1234: no longer the sum of its parts
    lines[7] = ",".join(cells)
    cells = lines[9].split(",")
    cells[7] = "abc"
    lines[9] = ",".join(cells)
    path.write_text("\ufeff" + "\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


def test_a_large_export_read_by_duckdb_loads_and_rejects_as_the_spreadsheet_parser_does(big_export, tmp_path,
                                                                                        monkeypatch):
    from analytics.ingest import bulk
    from analytics.ingest.common import Options
    from analytics.ingest.pipeline import ingest

    out = {}
    for mode, limit in (("parser", 10**12), ("duckdb", 1)):
        monkeypatch.setattr(bulk, "BULK_MIN_BYTES", limit)
        db = tmp_path / f"{mode}.duckdb"
        (result,) = ingest([big_export], Options(kind="filings"), db=db)
        con = duckdb.connect(str(db), read_only=True)
        totals = con.execute("SELECT count(*), sum(received_total), sum(pending_overdue), min(row_number), "
                             "max(row_number), count(DISTINCT unit_id) FROM filing_counts").fetchone()
        stg = con.execute("SELECT count(*), sum(received_total) FROM stg_filing_counts").fetchone()
        con.close()
        out[mode] = (result.rows_loaded, [(r["row_number"], r["column_name"], r["value"], r["reason"])
                                          for r in result.rejects], totals, stg)
    assert out["duckdb"] == out["parser"]
    rows, rejects, totals, _ = out["duckdb"]
    assert rows == 4998 and totals[3:5] == (2, 5001)
    assert rejects[0][:3] == (8, "Tổng số tiếp nhận", "1234") and "≠" in rejects[0][3]
    assert rejects[1] == (10, "Tiếp nhận trực tuyến", "abc", "“abc” không phải là số nguyên")


def test_a_parquet_filing_export_loads(run_cli, db, tmp_path):
    src = tmp_path / "so-lieu.csv"
    src.write_text("Kỳ;Đơn vị;Mã thủ tục;Tên thủ tục;Tổng số tiếp nhận;Tiếp nhận trực tuyến;Đã giải quyết\n"
                   "2024Q2;Sở Công Thương;1.1;Thủ tục A;10;4;9\n2024Q2;Sở Tư pháp;2.1;Thủ tục B;3;3;5\n",
                   encoding="utf-8")
    export = tmp_path / "so-lieu-ho-so-quy-II-2024.parquet"
    duckdb.sql(f"COPY (SELECT * FROM read_csv('{src}', delim=';', header=true)) TO '{export}' (FORMAT parquet)")
    code, _, err = run_cli("ingest", export, "--db", db)
    assert code == 1, err  # the second row resolves 5 of 3 received
    assert "dòng 3" in err and "Đã giải quyết" in err
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT unit_id, received_total, row_number FROM filing_counts").fetchall() == [
        ("so cong thuong", 10, 2)]


def imported(code: str) -> set[str]:
    done = subprocess.run([sys.executable, "-c", code + "\nimport sys; print(' '.join(sorted(sys.modules)))"],
                          cwd=ROOT, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    return set(done.stdout.split())


def test_the_dashboard_start_path_imports_no_validation_export_or_ingest_module():
    mods = imported("import streamlit\nimport analytics.dashboard.frame, analytics.dashboard.data\n"
                    "import analytics.dashboard.views.overview")
    assert "analytics.dashboard.views.overview" in mods
    heavy = {m for m in mods if m.split(".")[0] in ("great_expectations", "kaleido", "docx", "openpyxl", "xlsxwriter")
             or m.startswith("analytics.ingest")}
    assert heavy == set()


def test_the_cli_read_path_imports_neither_pandas_nor_ingest_modules(demo_db):
    code = (f"import sys\nsys.argv = ['analytics', 'scores', '--unit', 'so cong thuong', '--period', '2024Q2', "
            f"'--db', {str(demo_db)!r}]\nfrom analytics.cli import main\nmain(sys.argv[1:])")
    mods = imported(code)
    assert "analytics.analyses.stored" in mods
    assert {m for m in mods if m.split(".")[0] in ("pandas", "great_expectations") or m.startswith("analytics.ingest")
            } == set()


def test_the_cli_prints_the_stored_scores_as_the_analysis_gives_them(run_cli, demo_db_copy):
    code, fast, _ = run_cli("scores", "--unit", "so cong thuong", "--period", "2024Q2", "--db", demo_db_copy)
    assert code == 0 and "63,48" in fast and "−3,03" in fast and "Trung bình" in fast
    con = duckdb.connect(str(demo_db_copy))
    con.execute("DELETE FROM meta WHERE key = 'pre_scores'")  # not current: the analysis runs
    con.close()
    code, slow, _ = run_cli("scores", "--unit", "so cong thuong", "--period", "2024Q2", "--db", demo_db_copy)
    assert code == 0 and slow == fast


def test_a_database_written_before_the_parts_moves_its_filing_rows_into_one(run_cli, db, tmp_path):
    from analytics.db import apply_schema

    con = duckdb.connect(str(db))  # as an earlier version wrote it: filing_counts a table in the file
    apply_schema(con)
    con.execute("INSERT INTO filing_counts (period, unit_id, procedure_code, count_source, received_total, "
                "illustrative, source_file, ingest_id, row_number) VALUES "
                "('2024Q1', 'so cong thuong', '1.1', 'own', 7, false, 'cu.csv', 1, 2)")
    con.execute("INSERT INTO ingest_log (ingest_id, file_name, sha256, kind, origin, status) "
                "VALUES (1, 'cu.csv', 'x', 'filings', 'cu', 'loaded')")
    con.close()
    assert run_cli("ingest", INDEX_Q2, "--db", db)[0] == 0
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT table_type FROM information_schema.tables WHERE table_name = 'filing_counts'"
                       ).fetchone()[0] == "VIEW"
    assert con.execute("SELECT ingest_id, period, rows FROM fact_parts").fetchall() == [(1, "2024Q1", 1)]
    assert con.execute("SELECT received_total FROM stg_filing_counts").fetchall() == [(7,)]


def test_a_large_export_gives_its_loaded_units_and_its_rejects_with_row_numbers_from_one_read(tmp_path):
    from analytics.ingest import bulk
    from analytics.ingest.common import Options

    path = tmp_path / "so-lieu-ho-so.csv"
    path.write_text("\ufeffKỳ,Đơn vị,Mã thủ tục,Tên thủ tục,Tổng số tiếp nhận,Tiếp nhận trực tuyến,Đã giải quyết\n"
                    "2024Q2,Sở Công Thương,1.1,Thủ tục A,10,4,9\n"
                    "2024Q2,Sở Tư pháp,2.1,Thủ tục B,3,3,5\n"
                    "2024Q1,,3.1,Thủ tục C,4,1,2\n"
                    '2024Q1,Sở Tư pháp,2.1,Thủ tục B,"9.436",9000,9436\n'
                    "2024Q1,Sở Tư pháp,2.1,Thủ tục B,-3,,\n", encoding="utf-8")
    parsed = bulk.parse_bulk_filings(path, Options(kind="filings", lang="vi"), path.name)
    try:
        assert parsed.staged_rows == 2 and parsed.periods == ["2024Q1", "2024Q2"]
        assert sorted(parsed.bulk_units) == [("Sở Công Thương", "2024Q2"), ("Sở Tư pháp", "2024Q1")]
        assert [(r["row_number"], r["column_name"], r["value"], r["reason"]) for r in parsed.rejects] == [
            (3, "Đã giải quyết", "5", "resolved_total (5) lớn hơn received_total (3)"),
            (4, "Đơn vị", None, "thiếu tên đơn vị"),
            (6, "Tổng số tiếp nhận", "-3", "giá trị −3 âm"),
        ]
        con = duckdb.connect()
        loaded = con.execute(f"SELECT _row, unit_name, received_total, received_online, resolved_total "
                             f"FROM ({parsed.bulk_sql}) WHERE _ok ORDER BY _row").fetchall()
        con.close()
        assert loaded == [(2, "Sở Công Thương", 10, 4, 9), (5, "Sở Tư pháp", 9436, 9000, 9436)]
    finally:
        bulk.discard(parsed)
