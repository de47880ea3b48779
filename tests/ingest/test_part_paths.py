"""Parts listed relative to the database file's folder: a database copied with its folder of parts to another
folder reads (and writes) its filing counts there, parts listed by absolute path by an earlier version are read
and listed relative again, and a database file copied without its parts reads them where it was copied from.

Run: ``python -m pytest -q tests/ingest/test_part_paths.py``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from conftest import FILINGS_Q2, INDEX_Q2

FILINGS_Q2_COUNTS = (14, 2496, 2297, 17)  # rows, received, online, pending overdue (test_ingest.py)
COUNTS = "SELECT count(*), sum(received_total), sum(received_online), sum(pending_overdue) FROM filing_counts"


def listed(db: Path) -> list[str]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return [p for (p,) in con.execute("SELECT part FROM fact_parts GROUP BY part ORDER BY min(ingest_id), part").fetchall()]
    finally:
        con.close()


def q3_filings(tmp_path: Path) -> Path:
    path = tmp_path / "so-lieu-quy-III-2024.csv"
    path.write_text("Kỳ;Đơn vị;Mã thủ tục;Tên thủ tục;Tổng số tiếp nhận;Tiếp nhận trực tuyến;Tiếp nhận trực tiếp\n"
                    "2024Q3;Sở Công Thương;1.1;Thủ tục A;10;4;6\n", encoding="utf-8")
    return path


def test_a_database_copied_with_its_parts_to_another_folder_reads_its_filing_counts_there(run_cli, db, tmp_path):
    from analytics.db import connect_read_only, parts_dir

    assert run_cli("ingest", FILINGS_Q2, "--db", db)[0] == 0
    (part,) = listed(db)
    assert part.startswith("test.duckdb.parts/filing_counts/ingest-000001-") and part.endswith(".parquet")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    copy = elsewhere / db.name
    shutil.copy2(db, copy)  # cp -r test.duckdb test.duckdb.parts elsewhere/
    shutil.copytree(parts_dir(db), parts_dir(copy))
    db.unlink()
    shutil.rmtree(parts_dir(db))
    con = connect_read_only(copy)
    assert con.execute(COUNTS).fetchone() == FILINGS_Q2_COUNTS
    assert con.execute("SELECT sum(received_total) FROM stg_filing_counts").fetchone()[0] == 2496
    con.close()
    # a writer of the copy lists its new part beside it; the views it stores read from the copy's folder
    assert run_cli("ingest", q3_filings(tmp_path), "--db", copy)[0] == 0
    assert [p.split("/")[0] for p in listed(copy)] == ["test.duckdb.parts", "test.duckdb.parts"]
    raw = duckdb.connect(str(copy), read_only=True)  # not through connect_read_only: the stored views alone
    assert raw.execute("SELECT period, sum(received_total) FROM filing_counts GROUP BY 1 ORDER BY 1").fetchall() == [
        ("2024Q2", 2496), ("2024Q3", 10)]
    raw.close()


def test_parts_listed_by_absolute_path_are_read_and_listed_relative_by_the_next_writer(run_cli, db, tmp_path):
    from analytics.db import connect_read_only

    assert run_cli("ingest", FILINGS_Q2, "--db", db)[0] == 0
    con = duckdb.connect(str(db))  # as an earlier version listed it
    con.execute("UPDATE fact_parts SET part = ? || part", [str(db.parent) + "/"])
    con.close()
    (absolute,) = listed(db)
    assert Path(absolute).is_absolute() and Path(absolute).exists()
    con = connect_read_only(db)
    assert con.execute(COUNTS).fetchone() == FILINGS_Q2_COUNTS
    con.close()
    assert run_cli("ingest", INDEX_Q2, "--db", db)[0] == 0  # a load that writes no part changes no listing
    assert listed(db) == [absolute]
    assert run_cli("ingest", q3_filings(tmp_path), "--db", db)[0] == 0  # one that writes a part lists them all
    old, new = listed(db)
    assert old == str(Path(absolute).relative_to(db.parent)) and new.startswith("test.duckdb.parts/filing_counts/")
    con = connect_read_only(db)
    assert con.execute("SELECT period, sum(received_total) FROM filing_counts GROUP BY 1 ORDER BY 1").fetchall() == [
        ("2024Q2", 2496), ("2024Q3", 10)]
    con.close()


def test_a_database_file_copied_without_its_parts_reads_them_where_it_was_copied_from(run_cli, db, tmp_path):
    from analytics.db import connect_read_only, parts_dir

    assert run_cli("ingest", FILINGS_Q2, "--db", db)[0] == 0
    (part,) = listed(db)
    copy = tmp_path / "elsewhere" / "copy.duckdb"
    copy.parent.mkdir()
    shutil.copy2(db, copy)
    con = connect_read_only(copy)
    assert con.execute(COUNTS).fetchone() == FILINGS_Q2_COUNTS
    con.close()
    # a writer of that copy keeps reading the part it does not have where it is, never deletes it, and writes its
    # own part beside the copy
    assert run_cli("ingest", q3_filings(tmp_path), "--db", copy)[0] == 0
    assert listed(copy)[0] == part and (db.parent / part).exists()
    (own,) = listed(copy)[1:]
    assert own.startswith("copy.duckdb.parts/filing_counts/") and (copy.parent / own).exists()
    assert not parts_dir(db).joinpath("filing_counts", Path(own).name).exists()
    con = connect_read_only(copy)
    assert con.execute("SELECT sum(received_total) FROM filing_counts").fetchone()[0] == 2506
    con.close()
