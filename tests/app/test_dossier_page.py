"""The Hồ sơ (dossiers) page and the Overview's forecast tile, through AppTest on the demo database."""

from __future__ import annotations

from tests.app.test_app import app_env, metric, open_app, texts  # noqa: F401  (app_env is a fixture)


def test_the_overdue_audit_names_the_83_false_overdue(app_env, demo_db):
    app_env(demo_db)
    at = open_app("dossiers", period="2024Q1")
    assert at.title[0].value == "Hồ sơ — Sở Công Thương"
    assert metric(at, "Hệ thống tính quá hạn").value == "83"
    assert metric(at, "Quá hạn giả (đúng hạn theo thời hạn công bố)").value == "83"
    assert metric(at, "Quá hạn thật").value == "0"
    # 20 × 83 / 9.075 filings the portal counted in 2024Q1 (its on-time count plus the 83)
    assert metric(at, "Điểm tiến độ lấy lại được").value == "0,42"
    shown = [t.value for t in at.dataframe]
    detail = next(d for d in shown if "Kết luận" in d.columns)
    assert len(detail) == 83 and set(detail["Kết luận"]) == {"⚠ Quá hạn giả"}
    assert detail["Hạn theo thời hạn công bố"].str.match(r"\d\d/\d\d/\d{4}").all()  # dd/mm/yyyy on screen
    assert {"Minh họa"} == set(detail["Minh họa"]) or "Minh họa" in set(detail.iloc[:, -1])
    for table in at.dataframe:
        columns = list(table.value.columns)
        assert not [c for c in columns if "_" in str(c)], columns


def test_the_worklist_filters_by_department_and_the_nowcast_shows_points(app_env, demo_db):
    app_env(demo_db)
    at = open_app("dossiers", period="2025Q2")
    assert at.date_input(key="ds_as_of").value.isoformat() == "2025-06-30"
    work = next(t.value for t in at.dataframe if "Còn (ngày làm việc)" in t.value.columns)
    assert len(work) > 0 and work["Số hồ sơ"].str.startswith("H19.23-").all()
    departments = at.multiselect(key="ds_departments")
    one = departments.options[0]
    departments.set_value([one]).run()
    assert not at.exception
    work = next(t.value for t in at.dataframe if "Còn (ngày làm việc)" in t.value.columns)
    assert set(work["Phòng ban"]) == {one}
    now = next(t.value for t in at.dataframe if "Nếu hoàn thành đúng hạn" in t.value.columns)
    assert "Tiến độ giải quyết" in set(now.iloc[:, 0])
    assert "Cổng DVCQG chấm hồ sơ còn đang xử lý cuối kỳ" in texts(at)


def test_the_overview_shows_a_forecast_tile_when_dossiers_cover_the_period(app_env, demo_db):
    app_env(demo_db)
    at = open_app(period="2025Q2")
    assert "Dự báo cuối kỳ (từ danh sách hồ sơ, đến 30/06/2025)" in texts(at)
    at = open_app(period="2024Q2")
    assert "Dự báo cuối kỳ" not in texts(at)
