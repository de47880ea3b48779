"""Given/expect tests of the SQL models on a few rows in an in-memory DuckDB."""

import duckdb
import pytest

from analytics.db import apply_schema


@pytest.fixture
def con():
    c = duckdb.connect()
    apply_schema(c)
    c.execute("INSERT INTO units (unit_id, display_name, unit_level) VALUES ('a', 'Sở A', 'department'), ('b', 'Sở B', 'department')")
    return c


def add_score(con, period, unit, component, score, *, version="v2022", illustrative=False, ingest_id=1, max_points=None):
    max_points = max_points if max_points is not None else con.execute(
        "SELECT max_points FROM definition_groups WHERE index_version = ? AND group_key = ?", [version, component]
    ).fetchone()[0] if component != "total" else 100
    con.execute("INSERT INTO index_scores (period, unit_id, component, score_points, max_points, index_version, illustrative, "
                "source_file, ingest_id) VALUES (?, ?, ?, ?, ?, ?, ?, 'f.xlsx', ?)",
                [period, unit, component, score, max_points, version, illustrative, ingest_id])


def test_stg_index_scores_prefers_published_then_latest(con):
    add_score(con, "2024Q2", "a", "digitization", 5.0, illustrative=True, ingest_id=3)
    add_score(con, "2024Q2", "a", "digitization", 0.22, illustrative=False, ingest_id=1)
    add_score(con, "2024Q2", "a", "online_services", 7.0, ingest_id=1)
    add_score(con, "2024Q2", "a", "online_services", 7.46, ingest_id=2)
    rows = con.execute("SELECT component, score_points, ingest_id FROM stg_index_scores ORDER BY component").fetchall()
    assert rows == [("digitization", 0.22, 1), ("online_services", 7.46, 2)]


def test_stg_keeps_a_published_null_over_an_illustrative_value(con):
    add_score(con, "2024Q1", "a", "total", None, illustrative=False, ingest_id=1)
    add_score(con, "2024Q1", "a", "total", 70.0, illustrative=True, ingest_id=2)
    assert con.execute("SELECT score_points FROM stg_index_scores").fetchall() == [(None,)]


def test_mart_scores_rolls_v2025_payment_into_online_services_and_computes_the_total(con):
    for group, score in [("transparency", 7.96), ("timeliness", 15.7), ("online_services", 8.0), ("online_payment", 6.66),
                         ("satisfaction", 17.23), ("digitization", 10.18)]:
        add_score(con, "2026Q3", "b", group, score, version="v2025")
    rows = dict(con.execute("SELECT component, score_points FROM mart_scores WHERE unit_id = 'b'").fetchall())
    assert rows["online_services"] == 14.66
    assert rows["total"] == 65.73
    assert set(rows) == {"transparency", "timeliness", "online_services", "satisfaction", "digitization", "total"}
    computed = dict(con.execute("SELECT component, computed FROM mart_scores WHERE unit_id = 'b'").fetchall())
    assert computed["total"] is True and computed["online_services"] is True and computed["digitization"] is False


def test_mart_scores_keeps_a_published_total_and_never_computes_an_unpublished_one(con):
    add_score(con, "2024Q1", "a", "digitization", 0.11)
    add_score(con, "2024Q1", "a", "online_services", 10.49)
    add_score(con, "2024Q1", "a", "total", None)
    add_score(con, "2024Q2", "b", "digitization", 1.0)  # no total row, other components unknown
    rows = con.execute("SELECT unit_id, component, score_points FROM mart_scores WHERE component = 'total' ORDER BY 1").fetchall()
    assert rows == [("a", "total", None), ("b", "total", None)]


def test_mart_scores_rolled_up_score_is_unknown_when_a_part_is(con):
    add_score(con, "2026Q3", "b", "online_services", 8.0, version="v2025")
    add_score(con, "2026Q3", "b", "online_payment", None, version="v2025")
    assert con.execute("SELECT score_points, max_points FROM mart_scores WHERE component = 'online_services'").fetchall() == [(None, 22.0)]
