"""The analyst notebooks run top to bottom on the demo database and print the seed figures.

They are executed from their committed .ipynb (outputs stripped), which must stay in sync with the paired
.py script (jupytext) that reviewers read.
"""

import os

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def run_notebook(path, db):
    nb = nbformat.read(path, as_version=4)
    env_before = dict(os.environ)
    os.environ["ANALYTICS_DB"] = str(db)
    try:
        NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    finally:
        os.environ.clear()
        os.environ.update(env_before)
    return "\n".join(out.get("text", "") for cell in nb.cells if cell.cell_type == "code"
                     for out in cell.get("outputs", []) if out.get("output_type") == "stream")


def test_there_are_three_notebooks_paired_with_scripts():
    assert [p.name for p in NOTEBOOKS] == ["01-quarter-review.ipynb", "02-why-digitization-is-low.ipynb",
                                           "03-extend-a-metric.ipynb"]
    import jupytext

    for nb_path in NOTEBOOKS:
        nb = nbformat.read(nb_path, as_version=4)
        assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), f"{nb_path.name}: outputs not stripped"
        script = jupytext.read(nb_path.with_suffix(".py"))
        assert [c.source for c in script.cells] == [c.source for c in nb.cells], f"{nb_path.name} differs from its .py"


def test_notebooks_import_only_analytics_and_open_read_only():
    for nb_path in NOTEBOOKS:
        text = nb_path.with_suffix(".py").read_text(encoding="utf-8")
        assert "duckdb.connect(" not in text and "streamlit" not in text
        assert "connect_read_only(" in text


@pytest.mark.parametrize("name, expected", [
    ("01-quarter-review.ipynb", ["QUARTER_TOTAL=63.48", "ONLINE_CHANGE=-3.03", "Trung bình"]),
    ("02-why-digitization-is-low.ipynb", ["TOP_PROCEDURE=Thông báo hoạt động khuyến mại"]),
    ("03-extend-a-metric.ipynb", ["NEW_TARGET_ROWS=2", "POSTAL_METRIC_ROWS=2"]),
])
def test_notebook_runs_and_prints_its_figures(name, expected, demo_db):
    printed = run_notebook(ROOT / "notebooks" / name, demo_db)
    for text in expected:
        assert text in printed, printed[-2000:]


def test_dashboard_and_notebook_show_the_same_figures(demo_db):
    """One definition of every number: the Overview's tiles and notebook 01 both come from the analytics functions."""
    import re

    from analytics.analyses.changes import score_changes
    from analytics.brief.tiles import overview_tiles
    from analytics.db import connect_read_only
    from analytics.analyses.gaps import component_gaps
    from analytics.analyses.scores import unit_scores

    printed = run_notebook(ROOT / "notebooks" / "01-quarter-review.ipynb", demo_db)
    notebook_total = float(re.search(r"QUARTER_TOTAL=([\d.]+)", printed).group(1))
    notebook_change = float(re.search(r"ONLINE_CHANGE=(-?[\d.]+)", printed).group(1))
    con = connect_read_only(demo_db)
    tiles = overview_tiles(unit_scores(con), score_changes(con), component_gaps(con, "2024Q2", "so cong thuong"),
                           "so cong thuong", "2024Q2").set_index("component")
    con.close()
    assert tiles.loc["total", "score_points"] == notebook_total == 63.48
    assert tiles.loc["online_services", "change_vs_previous_points"] == notebook_change == -3.03
