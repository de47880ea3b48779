"""The dashboard's start path: what opening the Overview costs. A fresh process runs the app once (AppTest, the
default page) and reports which modules that imported; the ingest side, Great Expectations, the spreadsheet and
Word writers and the demo tooling must not be among them (they cost seconds and the first screen needs none)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

CHILD = """
import json, sys
from streamlit.testing.v1 import AppTest
at = AppTest.from_file(sys.argv[1], default_timeout=600)
at.query_params["period"] = "2024Q2"
at.run()
tiles = {m.label: m.value for m in at.metric}
print(json.dumps({"exception": [str(e.value) for e in at.exception], "total": tiles.get("Tổng điểm"),
                  "modules": sorted(sys.modules)}))
"""
NOT_ON_THE_START_PATH = ("great_expectations", "analytics.ingest", "analytics.demo", "analytics.analyses.rankings",
                         "openpyxl", "xlsxwriter", "docx", "kaleido", "fastexcel", "python_calamine", "scipy",
                         "analytics.brief.memo")  # the memo: computed once its panel is opened


def test_opening_the_overview_imports_no_ingest_validation_or_writer_module(demo_db):
    env = {**os.environ, "ANALYTICS_DB": str(demo_db), "PYTHONPATH": str(ROOT), "ANALYTICS_LANG": "vi"}
    out = subprocess.run([sys.executable, "-c", CHILD, str(ROOT / "app.py")], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=600, check=True)
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report["exception"] == []
    assert report["total"] == "63,48 / 100"  # the Overview was drawn, not a blank or no-data page
    imported = report["modules"]
    assert "analytics.brief.findings" in imported and "analytics.dashboard.memo_panel" in imported  # below the fold
    for name in NOT_ON_THE_START_PATH:
        assert not [m for m in imported if m == name or m.startswith(name + ".")], name


def test_the_overview_makes_a_chart_table_only_when_its_tab_is_opened(monkeypatch, demo_db):
    monkeypatch.setenv("ANALYTICS_DB", str(demo_db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    at.query_params["period"] = "2024Q2"
    at.run()
    assert not at.exception
    tables = [d.value for d in at.dataframe]
    assert [list(d.columns) for d in tables if "Thành phần" in d.columns] == []  # the tiles' table not sent hidden
    assert len(at.tabs) == 4  # two charts, each with its table tab
    at.session_state["tabs_overview-components-2024Q2"] = "Bảng số liệu"  # the person opens the table tab
    at.run()
    table = next(d.value for d in at.dataframe if "Thành phần" in d.value.columns)
    online = table.set_index("Thành phần").loc["Dịch vụ công trực tuyến"]
    assert (online["Điểm"], online["Còn thiếu"], online["Thay đổi so với kỳ trước"]) == ("7,46", "14,54", "−3,03")
