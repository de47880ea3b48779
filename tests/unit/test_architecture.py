"""The layout keeps its rules: no import circle, no arrow up the floors, streamlit only in dashboard/, and the
product never imports the demo tooling (``tests/architecture.py`` prints the graph)."""

import architecture as arch


def test_the_checker_sees_every_module_and_a_planted_circle():
    edges, third = arch.graph()
    assert {"analytics.cli", "analytics.units", "analytics.analyses.changes", "analytics.brief.findings",
            "analytics.dashboard.data", "analytics.demo.build"} <= set(edges)
    assert "streamlit" in third["analytics.dashboard.data"]
    planted = {**edges, "analytics.parsing": edges["analytics.parsing"] | {"analytics.analyses.scores"}}
    assert any("analytics.parsing" in c for c in arch.circles(planted))
    assert ("analytics.parsing", "analytics.analyses.scores") in arch.upward(planted)


def test_no_import_circles():
    assert arch.circles(arch.graph()[0]) == []


def test_arrows_point_down():
    assert arch.upward(arch.graph()[0]) == []


def test_streamlit_dashboard_and_demo_stay_in_their_wings():
    assert arch.screen_leaks(*arch.graph()) == []


def test_the_top_of_analytics_is_the_ground_floor_and_the_cli():
    assert set(arch.top_level_modules()) == arch.GROUND | {"cli"}
