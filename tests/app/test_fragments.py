"""Pages in steps: a widget inside a step (an ``st.fragment``) redraws that step only, as in the browser.

AppTest reruns the whole script on ``run()``; the browser sends the fragment's id instead. ``fragment_run`` makes
AppTest's next run do what the browser does, so a test can count which analyses a click calls again.
"""

from __future__ import annotations

import contextlib
import functools

import duckdb
import pytest
from streamlit.runtime.scriptrunner_utils.script_requests import RerunData
from streamlit.runtime.scriptrunner_utils.script_run_context import ThreadState
from streamlit.testing.v1 import local_script_runner

from analytics.formatting import fmt_points
from tests.app.test_app import app_env, metric, open_app  # noqa: F401  (app_env is a fixture)


@contextlib.contextmanager
def fragment_run(monkeypatch, fragment_id: str):
    """The next ``at.run()`` reruns only the fragment ``fragment_id`` (what a click inside it does in a browser)."""
    monkeypatch.setattr(local_script_runner, "RerunData",
                        functools.partial(RerunData, fragment_id_queue=[fragment_id]))
    try:
        yield
    finally:
        monkeypatch.setattr(local_script_runner, "RerunData", RerunData)


@pytest.fixture
def counted(monkeypatch):
    """Count the analyses the Vì sao thấp? page asks for, and remember the step (fragment) each was asked in."""
    from analytics.dashboard import data

    calls: dict[str, int] = {}
    where: dict[str, str | None] = {}
    real_scores, real_shown = data.scores, data.shown

    def scores(lang):
        calls["unit_scores"] = calls.get("unit_scores", 0) + 1
        where["unit_scores"] = ThreadState.get().fragment_id
        return real_scores(lang)

    def shown(fn, *args, **kwargs):
        calls[fn.__name__] = calls.get(fn.__name__, 0) + 1
        where[fn.__name__] = ThreadState.get().fragment_id
        return real_shown(fn, *args, **kwargs)

    monkeypatch.setattr(data, "scores", scores)
    monkeypatch.setattr(data, "shown", shown)
    return calls, where


def test_a_what_if_change_redraws_only_the_what_if(app_env, demo_db, monkeypatch, counted):
    from analytics.analyses.whatif import simulate

    calls, where = counted
    app_env(demo_db)
    at = open_app("why_low")
    assert at.radio(key="wl_component").value == "digitization"
    code = at.selectbox(key="wl_code").value
    assert code == "ORIGINAL_RESULT_AVAILABLE"  # the digitization sub-indicator with most points at stake
    proc = at.selectbox(key=f"wl_proc_{code}").value
    n_key = f"wl_n_{code}_{proc}"
    assert where["unit_scores"] is None  # the page header runs outside every step
    assert where["simulate"] is not None and where["simulate"] != where["shortfall_pareto"]
    before = dict(calls)

    with fragment_run(monkeypatch, where["simulate"]):
        at.text_input(key=n_key).input("1500").run()
    assert not at.exception, [e.value for e in at.exception]
    # the header's scores, the sub-indicators, the Pareto, the change and the audit were not asked again
    for name in ("unit_scores", "subindicator_breakdown", "shortfall_pareto", "mix_rate_split", "deadline_mismatches"):
        assert calls[name] == before[name], name
    assert calls["simulate"] == before["simulate"] + 1
    # and the what-if shows the scoring engine's new total for 1.500 more electronic results of that procedure
    con = duckdb.connect(str(demo_db), read_only=True)
    try:
        result = simulate(con, "2024Q2", "so cong thuong", {proc: {"electronic_results": 1500}})
    finally:
        con.close()
    total = result[result["level"] == "total"].iloc[0]
    assert metric(at, "Tổng điểm").value == fmt_points(total["points_after"])
    assert total["points_before"] == pytest.approx(63.48)
    assert total["points_after"] > 63.48
    assert at.session_state[n_key] == "1.500"  # written back the Vietnamese way


def test_a_sub_indicator_change_keeps_the_component_step(app_env, demo_db, monkeypatch, counted):
    calls, where = counted
    app_env(demo_db)
    at = open_app("why_low")
    options = at.selectbox(key="wl_code").options
    assert len(options) > 1
    before = dict(calls)
    with fragment_run(monkeypatch, where["shortfall_pareto"]):
        at.selectbox(key="wl_code").select_index(1).run()
    assert not at.exception, [e.value for e in at.exception]
    assert calls["unit_scores"] == before["unit_scores"]
    assert calls["subindicator_breakdown"] == before["subindicator_breakdown"]
    assert calls["shortfall_pareto"] == before["shortfall_pareto"] + 1
    assert at.selectbox(key="wl_code").value != "ORIGINAL_RESULT_AVAILABLE"
    assert at.session_state["wl_component"] == "digitization"


def test_the_deadline_audit_shows_first_what_a_reader_needs_fitted_to_1280_px(app_env, demo_db):
    import json

    app_env(demo_db)
    at = open_app("why_low")
    first = next(d for d in at.dataframe if "Quá hạn theo Cổng DVCQG" in d.value.columns)
    assert list(first.value.columns) == ["Thủ tục", "Thời hạn công bố", "Thời hạn cấu hình", "Quá hạn theo Cổng DVCQG",
                                         "Quá hạn theo một cửa"]
    widths = {name: cfg.get("width") for name, cfg in json.loads(first.proto.columns).items() if name != "_index"}
    assert widths == {"Thủ tục": 230, "Thời hạn công bố": 125, "Thời hạn cấu hình": 125,
                      "Quá hạn theo Cổng DVCQG": 165, "Quá hạn theo một cửa": 165}
    # inside the ~820 px the main column has at 1280 px with the sidebar open (measured on the screenshot)
    assert sum(widths.values()) <= 820
    row = first.value.set_index("Thủ tục").loc["Cấp Giấy chứng nhận đủ điều kiện an toàn thực phẩm"]
    assert (row["Thời hạn công bố"], row["Thời hạn cấu hình"], row["Quá hạn theo Cổng DVCQG"]) == \
        ("20 ngày làm việc", "20 ngày", "31")
    # every column one click away, in an expander
    full = next(d for d in at.dataframe if "Vấn đề" in d.value.columns)
    assert {"Mã thủ tục", "Vấn đề", "Minh họa"} <= set(full.value.columns) and len(full.value.columns) == 9
    assert any(e.label.startswith("Xem thêm cột") for e in at.expander)


def test_the_other_components_are_computed_in_the_background_so_a_switch_reads_the_cache(app_env, demo_db,
                                                                                          monkeypatch):
    import threading

    from analytics.analyses import explain
    from analytics.dashboard import data

    computed: list[tuple[str, str]] = []  # (analysis, sub-indicator) actually computed, not read from the cache
    real = explain.mix_rate_split

    @functools.wraps(real)
    def mix_rate_split(con, period, unit_id, code, *args, **kwargs):
        computed.append((period, code))
        return real(con, period, unit_id, code, *args, **kwargs)

    monkeypatch.setattr(explain, "mix_rate_split", mix_rate_split)
    app_env(demo_db)
    for thread in [t for t in threading.enumerate() if t.name == "analytics-warm"]:
        thread.join(timeout=600)  # an earlier test's warm-up must not fill the cache once it is cleared
    data.clear_after_ingest()  # a cold cache: every result below is computed once, here
    data.WARM_ERRORS.clear()
    at = open_app("why_low")
    assert at.radio(key="wl_component").value == "digitization"
    for thread in [t for t in threading.enumerate() if t.name == "analytics-warm"]:
        thread.join(timeout=600)
    assert ("2024Q2", "ORIGINAL_RESULT_AVAILABLE") in computed  # the page's own
    warmed = len(computed)
    assert warmed >= 2, data.WARM_ERRORS  # and at least one other component's first sub-indicator, in the background

    at.radio(key="wl_component").set_value("online_services").run()
    assert not at.exception, [e.value for e in at.exception]
    code = at.selectbox(key="wl_code").value
    assert ("2024Q2", code) in computed[:warmed]
    assert len(computed) == warmed  # the switch computed nothing again
