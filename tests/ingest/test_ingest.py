"""Ingestion of the sample files: the seed facts come out exactly; lineage and the log are recorded."""

import json

import duckdb
import pytest

from conftest import FILINGS_Q2, INDEX_Q1, INDEX_Q2, PORTAL, PUBLISHED


def scores_json(run_cli, db, *args):
    code, out, err = run_cli("scores", "--db", db, "--format", "json", *args)
    assert code == 0, err
    return json.loads(out)


def pick(rows, period, component, unit="Sở Công Thương"):
    (row,) = [r for r in rows if r["period"] == period and r["component"] == component and r["unit"] == unit]
    return row


def test_index_fixtures_reproduce_the_published_facts(run_cli, db):
    code, _, err = run_cli("ingest", INDEX_Q1, INDEX_Q2, "--db", db)
    assert code == 0, err
    rows = scores_json(run_cli, db, "--unit", "so cong thuong")
    assert {r["unit"] for r in rows} == {"Sở Công Thương"}
    total_q2 = pick(rows, "2024Q2", "total")
    assert total_q2["score"] == 63.48
    assert total_q2["grade"] == "Trung bình"
    assert total_q2["max_points"] == 100
    assert pick(rows, "2024Q2", "online_services")["change"] == -3.03
    assert pick(rows, "2024Q2", "digitization")["change"] == 0.11
    assert pick(rows, "2024Q2", "digitization")["gap_to_max"] == 21.78
    assert pick(rows, "2024Q2", "online_services")["gap_to_max"] == 14.54
    assert pick(rows, "2024Q2", "timeliness")["gap_to_max"] == 0.2
    assert pick(rows, "2024Q1", "total")["score"] is None  # not published: unknown, never 0
    assert pick(rows, "2024Q1", "transparency")["score"] is None
    assert pick(rows, "2024Q1", "digitization")["score"] == 0.11


def test_scores_json_has_the_documented_fields(run_cli, db):
    run_cli("ingest", INDEX_Q2, "--db", db)
    rows = scores_json(run_cli, db, "--period", "2024Q2")
    assert len(rows) == 27 * 6
    assert {"period", "unit", "unit_level", "component", "score", "max_points", "gap_to_max", "change", "grade",
            "illustrative", "source"} <= set(rows[0])
    levels = {r["unit"]: r["unit_level"] for r in rows}
    assert levels["Sở Tư pháp"] == "department"
    assert levels["UBND huyện Vĩnh Cửu"] == "district"
    assert all(r["illustrative"] for r in rows)  # the file says "Dữ liệu minh họa"
    assert pick(rows, "2024Q2", "total")["source"] == "ket-qua-766-quy-II-2024.xlsx"


def test_published_registry_marks_rows_published_with_their_document(run_cli, db):
    code, _, err = run_cli("ingest", PUBLISHED, INDEX_Q2, "--db", db)
    assert code == 0, err
    rows = scores_json(run_cli, db, "--unit", "Sở Công Thương", "--period", "2024Q2")
    total = pick(rows, "2024Q2", "total")
    assert total["illustrative"] is False and "1937/VP-HCC" in total["source"]
    assert total["score"] == 63.48


def test_filing_report_with_three_row_header_loads_with_lineage(run_cli, db):
    code, _, err = run_cli("ingest", FILINGS_Q2, "--db", db)
    assert code == 0, err
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute("SELECT count(*), sum(received_total), sum(received_online), sum(pending_overdue), "
                       "min(row_number), max(row_number), any_value(sheet), bool_and(illustrative) FROM filing_counts").fetchone()
    assert rows == (14, 2496, 2297, 17, 9, 22, "BaoCao", True)  # the "Tổng cộng" row is a check, not a procedure
    promo = con.execute("SELECT received_total, received_online, count_source, unit_id FROM filing_counts "
                        "WHERE procedure_name = 'Thông báo hoạt động khuyến mại'").fetchone()
    assert promo == (1488, 1471, "own", "so cong thuong")


def test_portal_files_all_ingest_with_their_units(run_cli, db):
    files = sorted(PORTAL.rglob("*.json"))
    files = [f for f in files if f.name != "manifest.m0.json"]
    assert len(files) == 17
    code, _, err = run_cli("ingest", *files, "--db", db)
    assert code == 0, err
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM units WHERE unit_level IN ('department', 'commune')").fetchone()[0] == 163
    assert con.execute("SELECT count(DISTINCT period) FROM portal_metrics").fetchone()[0] == 2
    # a procedure-filtered file is that procedure's slice, never the unit's total
    assert con.execute("SELECT count(*) FROM index_scores WHERE source_file LIKE '%formality%'").fetchone()[0] == 0
    assert con.execute("SELECT count(DISTINCT formality_code) FROM portal_metrics WHERE scope = 'formality'").fetchone()[0] == 1
    sct = con.execute("""SELECT round(score_points, 2) FROM mart_scores m JOIN units u USING (unit_id)
                         WHERE u.portal_code = 'H44.07' AND period = '2026Q3' AND component = 'digitization'""").fetchone()
    assert sct == (10.18,)
    log = con.execute("SELECT count(*), sum(rows_loaded), count(DISTINCT sha256) FROM ingest_log").fetchone()
    assert log[0] == 17 and log[2] == 17


def test_ingest_log_records_hash_size_kind_period_and_timing(run_cli, db):
    import hashlib

    run_cli("ingest", INDEX_Q2, "--db", db)
    con = duckdb.connect(str(db), read_only=True)
    row = con.execute("SELECT sha256, size_bytes, kind, periods, sheet, rows_loaded, rows_rejected, duration_ms, status "
                      "FROM ingest_log").fetchone()
    assert row[0] == hashlib.sha256(INDEX_Q2.read_bytes()).hexdigest()
    assert row[1] == INDEX_Q2.stat().st_size
    assert row[2:7] == ("index", "2024Q2", "Quy II.2024", 27, 0)
    assert row[7] > 0 and row[8] == "loaded"
    lineage = con.execute("SELECT DISTINCT source_file, sheet, row_number, column_name FROM index_scores "
                          "WHERE unit_id = 'so cong thuong' AND component = 'digitization'").fetchone()
    assert lineage == ("ket-qua-766-quy-II-2024.xlsx", "Quy II.2024", 10, "Điểm các nhóm chỉ số / Số hóa hồ sơ (22 điểm)")


def test_raw_files_are_never_modified(run_cli, db):
    import hashlib

    before = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in (INDEX_Q1, INDEX_Q2, FILINGS_Q2)}
    run_cli("ingest", *before, "--db", db)
    assert before == {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in before}


def test_unit_filter_is_case_and_diacritic_insensitive(run_cli, db):
    run_cli("ingest", INDEX_Q2, "--db", db)
    for text in ("so cong thuong", "SỞ CÔNG THƯƠNG", "công thương"):
        rows = scores_json(run_cli, db, "--unit", text)
        assert {r["unit"] for r in rows} == {"Sở Công Thương"}


@pytest.mark.parametrize("fmt", ["table", "csv"])
def test_scores_other_formats(run_cli, db, fmt):
    run_cli("ingest", INDEX_Q2, "--db", db)
    code, out, _ = run_cli("scores", "--db", db, "--unit", "công thương", "--format", fmt)
    assert code == 0
    assert ("63,48" if fmt == "table" else "63.48") in out


def test_legacy_xls_workbook_loads_like_the_xlsx(run_cli, db):
    """An .xls (Excel 97-2003) copy of the Q2 table, read by calamine, gives the same scores."""
    from conftest import FIXTURES

    code, _, err = run_cli("ingest", FIXTURES / "index" / "ket-qua-766-quy-II-2024.xls", "--db", db)
    assert code == 0, err
    rows = scores_json(run_cli, db, "--unit", "so cong thuong")
    assert pick(rows, "2024Q2", "total")["score"] == 63.48
    assert pick(rows, "2024Q2", "online_services")["score"] == 7.46
    assert len({r["unit"] for r in scores_json(run_cli, db)}) == 27
