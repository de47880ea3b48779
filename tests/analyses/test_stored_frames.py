"""The whole-history results stored at ingest (``analyses.stored``) are the analyses' own output.

Every analysis that reads a stored frame must return, for any period and unit, exactly what computing it gives;
a stale store (other code, a writer that did not recompute) is never read.
"""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from analytics.analyses import (
    changes,
    explain,
    gaps,
    inventory,
    measures,
    precompute,
    rankings,
    reconcile,
    scores,
    stored,
)
from analytics.db import connect_read_only

UNIT = "so cong thuong"


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    """Equal values in the same order. A dtype may differ only as the computed one depends on which rows are
    asked for: a column entirely missing in them (DuckDB gives all-null text as ``object``, the store keeps the
    whole history's ``str``), or whole numbers without a gap (``int64``) where the history has one (``float64``)."""
    a, b = a.reset_index(drop=True), b.reset_index(drop=True)
    for f in (a, b):  # a missing text: None or NaN as the dtype has it; both are missing to every reader
        for c in f.columns:
            if f[c].isna().all() and not pd.api.types.is_numeric_dtype(f[c]):
                f[c] = pd.Series([None] * len(f), dtype=object)
    pd.testing.assert_frame_equal(a, b, check_dtype=False)
    for c in a.columns:
        if str(a[c].dtype) != str(b[c].dtype):
            numeric = pd.api.types.is_numeric_dtype(a[c]) and pd.api.types.is_numeric_dtype(b[c])
            assert numeric or (a[c].isna().all() and b[c].isna().all()), (c, a[c].dtype, b[c].dtype)


# (stored read, the same question computed)
CASES = {
    "unit_scores": (lambda c, p, u: scores.unit_scores(c, p, u), lambda c, p, u: scores._unit_scores(c, p, u)),
    "score_changes": (lambda c, p, u: changes.score_changes(c, p, u), lambda c, p, u: changes._score_changes(c, p, u)),
    "filing_totals": (lambda c, p, u: measures.filing_totals(c, p, u), lambda c, p, u: measures._filing_totals(c, p, u)),
    "filing_measures": (lambda c, p, u: measures.filing_measures(c, p, u),
                        lambda c, p, u: measures._filing_measures(c, p, u)),
    "filing_metric_changes": (lambda c, p, u: changes.filing_metric_changes(c, p, u),
                              lambda c, p, u: changes._filing_metric_changes(c, p, u)),
    "subindicator_breakdown": (lambda c, p, u: explain.subindicator_breakdown(c, p, u),
                               lambda c, p, u: explain._subindicator_breakdown(c, p, u, None, None)),
    "breakdown_digitization": (lambda c, p, u: explain.subindicator_breakdown(c, p, u, "digitization"),
                               lambda c, p, u: explain._subindicator_breakdown(c, p, u, "digitization", None)),
    "component_gaps": (lambda c, p, u: gaps.component_gaps(c, p, u), lambda c, p, u: gaps._component_gaps(c, p, u)),
    "grade_outlook": (lambda c, p, u: gaps.grade_outlook(c, p, u), lambda c, p, u: gaps._grade_outlook(c, p, u)),
    "rankings_total": (lambda c, p, u: rankings.unit_rankings(c, p, component="total"),
                       lambda c, p, u: rankings._unit_rankings(c, p, None, "total")),
    "rankings_online": (lambda c, p, u: rankings.unit_rankings(c, p, "department", "online_services"),
                        lambda c, p, u: rankings._unit_rankings(c, p, "department", "online_services")),
    "reconciliation_summary": (lambda c, p, u: reconcile.reconciliation_summary(c, p, u),
                               lambda c, p, u: reconcile._reconciliation_summary(c, p, u)),
}


def test_the_demo_ingest_stores_every_frame_and_marks_it_current(demo):
    version = demo.execute("SELECT value FROM meta WHERE key = 'pre_frames'").fetchone()[0]
    assert version == stored.stored_version()
    for name in [*precompute.FRAMES, *stored.TABLES]:
        n = demo.execute(f"SELECT count(*) FROM pre_{name}").fetchone()[0]
        assert n > 0, name
    # the stored Q2/2024 total of Sở Công Thương is the published 63,48 and its online-services change −3,03
    s = stored.frame(demo, "unit_scores", period="2024Q2", unit_id=UNIT)
    assert s.loc[s["component"] == "total", "score_points"].iloc[0] == pytest.approx(63.48)
    ch = stored.frame(demo, "score_changes", period="2024Q2", unit_id=UNIT)
    assert ch.loc[ch["component"] == "online_services", "change_vs_previous_points"].iloc[0] == pytest.approx(-3.03)


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_stored_read_equals_the_computed_frame(demo, case):
    read, compute = CASES[case]
    latest = demo.execute("SELECT max(period) FROM index_scores").fetchone()[0]
    questions = [(None, None), (None, UNIT), ("2024Q1", UNIT), ("2024Q2", UNIT), (latest, UNIT), ("2024Q2", None)]
    for p, u in questions:
        _same(read(demo, p, u), compute(demo, p, u))


def test_procedure_counts_read_from_the_stored_copy_equal_the_model(demo):
    for p, u, source in [(None, None, None), ("2024Q2", UNIT, None), ("2024Q2", UNIT, "own"), ("2024Q1", UNIT, "portal")]:
        got = explain.procedure_filings(demo, p, u, count_source=source)
        explain.ensure_models(demo)
        want = demo.execute(f"""SELECT * FROM mart_procedure_filings
            WHERE (CAST(? AS VARCHAR) IS NULL OR period = ?) AND (CAST(? AS VARCHAR) IS NULL OR unit_id = ?)
              AND (CASE WHEN CAST(? AS VARCHAR) IS NULL THEN is_preferred_source ELSE count_source = ? END)
            {explain.PROCEDURE_ORDER}""", [p, p, u, u, source, source]).df()
        pd.testing.assert_frame_equal(got, want)
    # the portal's Q2/2024 counts: 2.944 online of 8.080 new filings (the 36,44 % online share)
    portal = explain.procedure_filings(demo, "2024Q2", UNIT, count_source="portal")
    assert (int(portal["received_online"].sum()), int(portal["received_new"].sum())) == (2944, 8080)


def test_a_named_count_source_the_stored_rows_do_not_hold_is_computed(demo):
    got = explain.subindicator_breakdown(demo, "2024Q2", UNIT, "online_services", count_source="own")
    want = explain._subindicator_breakdown(demo, "2024Q2", UNIT, "online_services", "own")
    _same(got, want)
    assert set(got["count_source"]) == {"own"}


def test_list_and_dict_cells_come_back_as_they_were(demo):
    b = stored.frame(demo, "subindicator_breakdown")
    computed = explain._subindicator_breakdown(demo, None, None, None, None)
    assert b["note_keys"].tolist() == computed["note_keys"].tolist()
    assert b["unexplained_note_keys"].tolist() == computed["unexplained_note_keys"].tolist()
    assert any(isinstance(k, dict) for keys in b["unexplained_note_keys"] for k in keys)


def test_a_store_written_by_other_code_is_not_read(demo_db_copy):
    con = duckdb.connect(str(demo_db_copy))
    con.execute("UPDATE meta SET value = 'other-code' WHERE key = 'pre_frames'")
    con.execute("UPDATE pre_unit_scores SET score_points = 0")  # what a stale store would show
    con.close()
    ro = connect_read_only(demo_db_copy)
    assert stored.frame(ro, "unit_scores") is None
    s = scores.unit_scores(ro, "2024Q2", UNIT)
    assert s.loc[s["component"] == "total", "score_points"].iloc[0] == pytest.approx(63.48)
    ro.close()


def test_a_writer_that_does_not_recompute_leaves_no_current_store(demo_db_copy):
    from analytics import db as dbmod

    with dbmod.writer(demo_db_copy) as con:
        assert stored.frame(con, "unit_scores") is None  # a writer never reads what it may have changed
        con.execute("DELETE FROM index_scores WHERE period = '2024Q2' AND unit_id = ?", [UNIT])
    ro = connect_read_only(demo_db_copy)
    assert ro.execute("SELECT count(*) FROM meta WHERE key IN ('pre_frames', 'pre_scores')").fetchone()[0] == 0
    assert stored.frame(ro, "unit_scores") is None
    assert inventory.scored_unit_periods(ro).query("period == '2024Q2' and unit_id == @UNIT").empty
    ro.close()


def test_only_what_rests_on_changed_inputs_is_computed_again(demo_db_copy):
    from analytics import db as dbmod

    with dbmod.writer(demo_db_copy) as con:
        assert precompute.write_frames(con) == {}  # nothing changed since the demo's ingest: every frame kept
        assert dbmod.part_store(con).fresh_frames == {*precompute.FRAMES, *stored.TABLES}
        assert precompute.write_stored_scores(con) == 0
        # a catalogue change: the filing-based results again, never the scores (they do not read the catalogue)
        con.execute("DELETE FROM procedure_catalog WHERE procedure_code = (SELECT min(procedure_code) "
                    "FROM procedure_catalog)")
        again = precompute.write_frames(con)
        assert set(again) == {*precompute.FRAMES, *stored.TABLES} - precompute.SCORE_FRAMES
        assert precompute.write_stored_scores(con) == 0
        # a score withdrawn: everything, and the stored scores the CLI reads
        con.execute("DELETE FROM index_scores WHERE period = '2024Q2' AND unit_id = ? AND component = 'total'", [UNIT])
        assert set(precompute.write_frames(con)) == {*precompute.FRAMES, *stored.TABLES}
        assert precompute.write_stored_scores(con) > 0
        dbmod.part_store(con).results_current = True
    ro = connect_read_only(demo_db_copy)
    s = scores.unit_scores(ro, "2024Q2", UNIT)
    _same(s, scores._unit_scores(ro, "2024Q2", UNIT))
    ro.close()


def test_another_index_definition_is_never_served_the_stored_results(demo, tmp_path, monkeypatch):
    """An analyst who adds a metric in a copy of the definition sees it at once, computed, not the stored rows."""
    import yaml

    from analytics.definition import DEFINITION_PATH, load_definition

    definition = yaml.safe_load(DEFINITION_PATH.read_text(encoding="utf-8"))
    definition["metrics"]["postal_filing_rate_pct"] = {
        "label_vi": "Tỷ lệ hồ sơ tiếp nhận qua bưu chính công ích", "label_en": "Filings received by post",
        "numerator": ["received_postal"], "denominator": ["received_online", "received_in_person", "received_postal"]}
    other = tmp_path / "definition.yaml"
    other.write_text(yaml.safe_dump(definition, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert stored.frame(demo, "filing_measures") is not None
    monkeypatch.setenv("ANALYTICS_DEFINITION", str(other))
    load_definition.cache_clear()
    try:
        assert stored.frame(demo, "filing_measures") is None
        m = measures.filing_measures(demo, "2024Q2", UNIT)
        assert len(m[m["metric"] == "postal_filing_rate_pct"]) == 2  # own records and portal
    finally:
        monkeypatch.delenv("ANALYTICS_DEFINITION")
        load_definition.cache_clear()
    assert stored.frame(demo, "filing_measures") is not None


def test_readers_of_one_version_share_what_they_read_and_a_new_version_is_read_again(demo_db_copy):
    from analytics import db as dbmod
    from analytics.units import display_name

    a, b = connect_read_only(demo_db_copy), connect_read_only(demo_db_copy)
    snap = dbmod.reader_snapshot(a)
    assert snap is not None and dbmod.reader_snapshot(b) is snap  # one version of the file: one snapshot
    assert dbmod.meta_values(a)["pre_frames"] == stored.current_version()
    assert display_name(b, UNIT) == "Sở Công Thương" and snap["unit_names"][UNIT] == "Sở Công Thương"
    a.close()
    b.close()
    with dbmod.writer(demo_db_copy) as con:  # a writer is never served a snapshot: it reads what it changes
        assert dbmod.reader_snapshot(con) is None
        con.execute("UPDATE units SET display_name = 'Sở Công Thương Đồng Nai' WHERE unit_id = ?", [UNIT])
        assert display_name(con, UNIT) == "Sở Công Thương Đồng Nai"
    c = connect_read_only(demo_db_copy)  # the file the writer swapped in: another version, read again
    assert dbmod.reader_snapshot(c) is not snap
    assert display_name(c, UNIT) == "Sở Công Thương Đồng Nai"
    c.close()


def test_a_result_left_unfinished_by_the_caller_does_not_block_a_stored_read(demo):
    demo.execute("SELECT * FROM range(10)").fetchone()  # as a notebook might: nine rows never fetched
    s = scores.unit_scores(demo, "2024Q2", UNIT)
    assert s.loc[s["component"] == "total", "score_points"].iloc[0] == pytest.approx(63.48)
    g = gaps.component_gaps(demo, "2024Q2", UNIT)
    assert len(g) and set(g["period"]) == {"2024Q2"}


def test_readers_in_several_threads_share_one_snapshot(demo):
    """The dashboard's sessions and its background warm-up read through cursors of one connection at once."""
    import threading

    from analytics import db as dbmod
    from analytics.units import display_name

    names, errors = [], []

    def read():
        try:
            for _ in range(50):
                cursor = demo.cursor()
                names.append(display_name(cursor, UNIT))
                assert dbmod.meta_values(cursor)["pre_frames"] == stored.current_version()
                cursor.close()
        except Exception as exc:  # noqa: BLE001  (collected and asserted below)
            errors.append(exc)

    threads = [threading.Thread(target=read) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert names == ["Sở Công Thương"] * 200
    assert dbmod.reader_snapshot(demo.cursor()) is dbmod.reader_snapshot(demo)


def test_a_page_reads_the_same_stored_rows_once_per_version_and_each_caller_gets_its_own_copy(demo_db_copy):
    """``db.per_version``: the procedure counts and stored frames several analyses ask for are read once per
    version of the file; a caller that changes its frame changes nobody else's; a writer reads every time."""
    from analytics import db as dbmod

    a, b = connect_read_only(demo_db_copy), connect_read_only(demo_db_copy)
    first = explain.procedure_filings(a, period="2024Q2", unit_id=UNIT)
    assert int(first["received_online"].sum()) == 2944  # the portal's count: 2.944 filings received online
    memo = dbmod.reader_snapshot(a)["memo"]
    assert ("procedure_filings", "2024Q2", UNIT, None) in memo
    first["received_online"] = 0  # the caller's own copy
    again = explain.procedure_filings(b, period="2024Q2", unit_id=UNIT)  # another reader of the same version
    assert int(again["received_online"].sum()) == 2944
    s = scores.unit_scores(a, "2024Q2", UNIT)
    s.loc[:, "score_points"] = 0.0
    s = scores.unit_scores(b, "2024Q2", UNIT)
    assert s.loc[s["component"] == "total", "score_points"].iloc[0] == pytest.approx(63.48)
    a.close()
    b.close()
    calls = []
    with dbmod.writer(demo_db_copy) as con:  # a writer's reads may change under it: never kept
        for _ in range(2):
            dbmod.per_version(con, ("probe",), lambda: calls.append(1))
        assert len(calls) == 2
        con.execute("UPDATE units SET display_name = 'Sở Công Thương Đồng Nai' WHERE unit_id = ?", [UNIT])
    c = connect_read_only(demo_db_copy)  # the new version is read again, not served from the old one's memo
    assert ("procedure_filings", "2024Q2", UNIT, None) not in (dbmod.reader_snapshot(c).get("memo") or {})
    c.close()


def test_a_readers_cursor_shares_its_connections_version_and_a_writers_cursor_may_write(demo_db_copy):
    from analytics import db as dbmod

    con = connect_read_only(demo_db_copy)
    cursor = dbmod.reader_cursor(con)
    assert dbmod._READERS[cursor] == dbmod._READERS[con]  # known without a query of its own
    assert dbmod.reader_snapshot(cursor) is dbmod.reader_snapshot(con)
    s = scores.unit_scores(cursor, "2024Q2", UNIT)
    assert s.loc[s["component"] == "total", "score_points"].iloc[0] == pytest.approx(63.48)
    con.close()
    with dbmod.writer(demo_db_copy) as w:
        assert dbmod.reader_snapshot(dbmod.reader_cursor(w)) is None


@pytest.mark.parametrize("query", [
    "SELECT NULL::BIGINT a, NULL::VARCHAR b, NULL::BOOLEAN c, NULL::INTEGER d, NULL::DOUBLE e FROM range(3)",
    "SELECT CASE WHEN range = 0 THEN 1 END::BIGINT a, CASE WHEN range = 0 THEN 'x' END b, "
    "CASE WHEN range = 0 THEN true END c, CASE WHEN range = 0 THEN 1 END::INTEGER d, "
    "CASE WHEN range = 0 THEN 1.5 END::DOUBLE e FROM range(3)",
    "SELECT range::BIGINT a, 'x' || range b, range % 2 = 0 c, range::INTEGER d, range / 3 e, 3::SMALLINT f FROM range(5)",
    "SELECT 1::BIGINT a, 'x' b, true c FROM range(3) WHERE false",
])
def test_arrow_rows_become_the_frame_duckdb_gives(query):
    """``db.duckdb_frame``: what readers of an Arrow copy get is what DuckDB's ``.df()`` gives for the same rows,
    for every null pattern (none, some, all, no rows) of the types the stored tables hold."""
    from analytics.db import duckdb_frame

    con = duckdb.connect()
    pd.testing.assert_frame_equal(duckdb_frame(con.sql(query).to_arrow_table()), con.sql(query).df())
    assert duckdb_frame(con.sql("SELECT DATE '2024-06-28' AS d").to_arrow_table()) is None  # not converted


def test_procedure_counts_from_the_arrow_copy_equal_duckdbs_for_every_pair_and_source(demo):
    from analytics.db import forget_versions

    pairs = demo.execute("SELECT DISTINCT period, unit_id FROM pre_procedure_filings ORDER BY ALL").fetchall()
    sql = (f"SELECT * FROM pre_procedure_filings WHERE (CAST(? AS VARCHAR) IS NULL OR period = ?) AND "
           f"(CAST(? AS VARCHAR) IS NULL OR unit_id = ?) AND (CASE WHEN CAST(? AS VARCHAR) IS NULL THEN "
           f"is_preferred_source ELSE count_source = ? END) {explain.PROCEDURE_ORDER}")
    for p, u, source in [(None, None, None), (None, UNIT, "own"), *[(p, u, s) for p, u in pairs
                                                                   for s in (None, "own", "portal")]]:
        forget_versions()
        got = explain.procedure_filings(demo, p, u, source)
        pd.testing.assert_frame_equal(got, demo.execute(sql, [p, p, u, u, source, source]).df())
    q2 = explain.procedure_filings(demo, "2024Q2", UNIT)
    assert int(q2["received_online"].sum()) == 2944 and len(q2) == 127
