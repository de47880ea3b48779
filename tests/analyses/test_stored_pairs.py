"""A filing load recomputes the stored results only for the (period, unit) pairs it touched.

After any sequence of loads the stored ``pre_*`` tables equal what computing the whole history gives (rows,
order and dtypes); the rows of the pairs a load did not touch are left exactly as they were.
"""

from __future__ import annotations

import shutil

import duckdb
import pandas as pd
import pytest

from analytics import db as dbmod
from analytics.analyses import changes, explain, measures, precompute, reconcile, scores, stored
from analytics.db import connect_read_only
from analytics.ingest import pipeline
from analytics.ingest.common import Options

UNIT = "so cong thuong"
HEADER = "Kỳ;Đơn vị;Mã thủ tục;Tên thủ tục;Tổng số tiếp nhận;Tiếp nhận trực tuyến;Tiếp nhận trực tiếp;Qua BCCI"


def _file(folder, name: str, periods: list[str], procedures: int, received: int):
    """A one-stop filing report of Sở Công Thương: ``procedures`` procedures, each ``received`` filings (4 online,
    none by post)."""
    lines = [HEADER] + [f"{p};Sở Công Thương;BM{i:05d};Thủ tục đo {i};{received};4;{received - 4};0"
                        for p in periods for i in range(procedures)]
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _stored_rows(path) -> dict[str, pd.DataFrame]:
    """Every stored frame (in its stored order) and model copy (sorted), and the frames' stored schemas."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        out = {n: con.execute(f"SELECT * FROM pre_{n} ORDER BY {'_position' if n in precompute.FRAMES else 'ALL'}")
               .df() for n in [*precompute.FRAMES, *stored.TABLES]}
        out["schemas"] = con.execute("SELECT key, value FROM meta WHERE key LIKE 'pre_frame:%' ORDER BY key").df()
        for n in precompute.FRAMES:  # the Arrow copy readers fetch is the stored table, row for row
            copy = stored.arrow_copy(con, n)
            assert copy is not None, n
            table = con.sql(stored.arrow_copy_sql(n, stored._schema(con, n)["dtypes"])).to_arrow_table()
            assert copy.equals(table), n
        for n, order in precompute.ARROW_TABLES.items():  # … and per (period, unit) pair for the model copies
            pairs = con.execute(f"SELECT DISTINCT period, unit_id FROM pre_{n}").fetchall()
            copies = con.execute(f"SELECT period, unit_id FROM {stored.ARROW_PREFIX}{n}").fetchall()
            assert sorted(copies) == sorted(pairs), n
            for p, u in pairs:
                want = con.sql(f"SELECT * FROM pre_{n} WHERE period = ? AND unit_id = ? {order}",
                               params=[p, u]).to_arrow_table()
                assert stored.pair_copy(con, n, p, u).equals(want), (n, p, u)
        return out
    finally:
        con.close()


def _whole_history(path, tmp_path) -> dict[str, pd.DataFrame]:
    """The stored tables of a copy of ``path`` (beside it: its parts are found) with everything computed whole."""
    full = tmp_path / "whole-history.duckdb"
    shutil.copy(path, full)
    with dbmod.writer(full) as con:
        counts = precompute.write_frames(con, everything=True)
        assert set(counts) == {*precompute.FRAMES, *stored.TABLES}
        dbmod.part_store(con).results_current = True
    return _stored_rows(full)


def _assert_whole_history(path, tmp_path) -> None:
    got, want = _stored_rows(path), _whole_history(path, tmp_path)
    for name in want:
        pd.testing.assert_frame_equal(got[name], want[name], obj=name)


def _load(path, file) -> tuple[pipeline.FileResult, dict]:
    """Ingest one file; returns its result and what ``write_frames`` recomputed."""
    written = {}
    real = precompute.write_frames

    def spy(con, **kwargs):
        written.update(real(con, **kwargs))
        return written

    precompute.write_frames = spy
    try:
        (result,) = pipeline.ingest([file], Options(), db=path)
    finally:
        precompute.write_frames = real
    assert result.status == "loaded", result.error
    return result, written


@pytest.fixture
def calls(monkeypatch):
    """(period, unit_id) of every call of each stored frame's compute function."""
    seen: dict[str, list] = {name: [] for name in precompute.FRAMES}
    for name, compute in list(precompute.FRAMES.items()):
        def spy(con, period=None, unit_id=None, *, _name=name, _compute=compute):
            seen[_name].append((period, unit_id))
            return _compute(con, period, unit_id) if (period, unit_id) != (None, None) else _compute(con)
        monkeypatch.setitem(precompute.FRAMES, name, spy)
    return seen


def _raw_rows(path) -> dict[str, list[tuple]]:
    """Every stored row as DuckDB holds it (frames in their stored order, without the position; model copies
    sorted), as plain tuples: ((period, unit_id), the row)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        out = {}
        for name in [*precompute.FRAMES, *stored.TABLES]:
            framed = name in precompute.FRAMES
            cur = con.execute(f"SELECT {'* EXCLUDE (_position)' if framed else '*'} FROM pre_{name} "
                              f"ORDER BY {'_position' if framed else 'ALL'}")
            columns = [d[0] for d in cur.description]
            p, u = columns.index("period"), columns.index("unit_id")
            out[name] = [((r[p], r[u]), r) for r in cur.fetchall()]
        return out
    finally:
        con.close()


def _without(rows: list[tuple], pairs: set[tuple]) -> list[tuple]:
    return [r for pair, r in rows if pair not in pairs]


def test_a_load_of_one_pair_recomputes_that_pair_and_keeps_the_others_as_they_were(demo_db_copy, tmp_path, calls):
    before = _raw_rows(demo_db_copy)
    _, written = _load(demo_db_copy, _file(tmp_path, "so-lieu-do-quy-II-2024.csv", ["2024Q2"], 50, 10))
    touched = {("2024Q2", UNIT)}
    # only the filing-based results, each computed for the one pair (the changes over the unit's history)
    assert calls["subindicator_breakdown"] == [("2024Q2", UNIT)]
    assert calls["filing_measures"] == [("2024Q2", UNIT)]
    assert calls["reconciliation_summary"] == [("2024Q2", UNIT)]
    assert calls["filing_metric_changes"] == [(None, UNIT)]
    assert all(not calls[n] for n in precompute.SCORE_FRAMES & set(calls))
    after = _raw_rows(demo_db_copy)
    # the pair's rows only: 16 measures (8 metrics × 2 sources), 18 sub-indicators, 3 reconciled measures
    assert (written["filing_measures"], written["subindicator_breakdown"], written["reconciliation_summary"]) == (
        16, 18, 3)
    assert len(after["subindicator_breakdown"]) == len(before["subindicator_breakdown"]) == 5768
    # the changes of the pair and of the two pairs compared with it: the next quarter and a year later
    followers = touched | {("2024Q3", UNIT), ("2025Q2", UNIT)}
    assert written["filing_metric_changes"] == 16 + 16 + 24  # Q2/2025 has the dossiers' counts too
    # every other pair's rows exactly as they were, in the same order; the scores' rows all of them
    for name in ("filing_measures", "subindicator_breakdown", "reconciliation_summary", *stored.TABLES):
        assert _without(after[name], touched) == _without(before[name], touched), name
        assert len(_without(after[name], touched)) < len(after[name]), name
    assert _without(after["filing_metric_changes"], followers) == _without(before["filing_metric_changes"], followers)
    for name in precompute.SCORE_FRAMES & set(precompute.FRAMES):
        assert after[name] == before[name], name
    # … and the stored tables are what computing the whole history gives
    _assert_whole_history(demo_db_copy, tmp_path)
    # the pair's own filings now include the 50 procedures × 10 filings loaded
    ro = connect_read_only(demo_db_copy)
    own = explain.procedure_filings(ro, "2024Q2", UNIT, count_source="own")
    assert int(own.loc[own["procedure_code"].str.startswith("BM"), "received_total"].sum()) == 500
    ro.close()


def test_a_replacement_and_a_new_period_leave_the_whole_history(demo_db_copy, tmp_path):
    # the demo's own records of Q2/2024 replaced by a file of the same name (and so the same origin)
    result, written = _load(demo_db_copy, _file(tmp_path, "so-cong-thuong-2024Q2-mot-cua.csv", ["2024Q2"], 40, 12))
    assert [old for old, _ in result.replaced] and written["subindicator_breakdown"] == 18
    _assert_whole_history(demo_db_copy, tmp_path)
    # a period never loaded (Q3/2025) with one already loaded (Q3/2024) in one file
    _, written = _load(demo_db_copy, _file(tmp_path, "so-lieu-do-hai-quy.csv", ["2025Q3", "2024Q3"], 30, 9))
    assert written["filing_measures"] == 8 + 16  # Q3/2025: own records only; Q3/2024: own and portal
    _assert_whole_history(demo_db_copy, tmp_path)
    ro = connect_read_only(demo_db_copy)
    m = measures.filing_measures(ro, "2025Q3", UNIT)
    assert set(m["count_source"]) == {"own"} and len(m) == 8
    ch = changes.filing_metric_changes(ro, "2025Q3", UNIT)
    online = ch[ch["metric"] == "online_filing_rate_pct"].iloc[0]
    assert online["value"] == pytest.approx(44.44)  # 4 of 9 filings online
    assert online["previous_period"] == "2025Q2" and online["last_year_period"] == "2024Q3"
    ro.close()


def test_published_values_read_back_after_loads_of_one_pair(demo_db_copy, tmp_path):
    _load(demo_db_copy, _file(tmp_path, "so-lieu-do-quy-II-2024.csv", ["2024Q2"], 50, 10))
    _load(demo_db_copy, _file(tmp_path, "so-lieu-do-quy-I-2024.csv", ["2024Q1"], 20, 8))
    ro = connect_read_only(demo_db_copy)
    assert stored.frame(ro, "subindicator_breakdown") is not None  # read from the stored rows, not computed
    s = scores.unit_scores(ro, "2024Q2", UNIT)
    assert s.loc[s["component"] == "total", "score_points"].iloc[0] == pytest.approx(63.48)
    ch = changes.score_changes(ro, "2024Q2", UNIT)
    assert ch.loc[ch["component"] == "online_services", "change_vs_previous_points"].iloc[0] == pytest.approx(-3.03)
    portal = explain.procedure_filings(ro, "2024Q2", UNIT, count_source="portal")
    assert (int(portal["received_online"].sum()), int(portal["received_new"].sum())) == (2944, 8080)
    for period in ("2024Q1", "2024Q2", "2024Q3"):
        pd.testing.assert_frame_equal(reconcile.reconciliation_summary(ro, period, UNIT),
                                      reconcile._reconciliation_summary(ro, period, UNIT))
    ro.close()
    _assert_whole_history(demo_db_copy, tmp_path)


def test_the_whole_history_is_computed_when_the_pairs_behind_the_stored_rows_are_unknown(demo_db_copy, tmp_path):
    con = duckdb.connect(str(demo_db_copy))
    con.execute("DELETE FROM meta WHERE key = 'pre_pairs'")  # a database stored before the pairs were kept
    con.close()
    _, written = _load(demo_db_copy, _file(tmp_path, "so-lieu-do-quy-II-2024.csv", ["2024Q2"], 50, 10))
    assert written["subindicator_breakdown"] == 5768 and written["filing_measures"] == 176
    assert not set(written) & precompute.SCORE_FRAMES  # the scores rest on no filing count: kept
    _assert_whole_history(demo_db_copy, tmp_path)
