"""The Targets page follows the department's tasks into the next quarter; the Overview offers the memo, whose
Word file is the one ``analytics.brief.memo`` writes for the edited tasks."""

from __future__ import annotations

import json
from datetime import date

from analytics.brief.memo import docx_texts, memo_bytes
from tests.app.test_app import app_env, open_app, texts  # noqa: F401  (fixture and helpers)


def test_targets_page_follows_each_task_into_the_next_quarter(app_env, demo_db):  # noqa: F811
    app_env(demo_db)
    at = open_app("targets", period="2024Q3")
    shown = texts(at)
    assert "Nhiệm vụ được giao và kết quả theo dõi" in shown
    assert "**6** đã chuyển biến · **1** còn hạn, chưa chuyển biến · **2** quá hạn, chưa chuyển biến" in shown
    tasks = next(df.value for df in at.dataframe if "Tình trạng" in df.value.columns)
    assert len(tasks) == 9
    row = tasks[(tasks["Kỳ giao"] == "Quý II/2024") & (tasks["Chỉ số cần chuyển biến"] == "Số hóa hồ sơ")].iloc[0]
    assert (row["Phòng ban"], row["Khi giao"], row["Kỳ mới nhất"], row["Mới nhất"], row["Thay đổi"], row["Thời hạn"],
            row["Tình trạng"], row["Minh họa"]) == (
        "Thanh tra Sở", "0,22", "Quý III/2024", "0,95", "+0,73", "31/07/2024", "Đã chuyển biến", "Minh họa")
    overdue = tasks[tasks["Tình trạng"] == "Quá hạn, chưa chuyển biến"]
    assert set(overdue["Phòng ban"]) == {"Thanh tra Sở", "Phòng Quản lý Thương mại"}
    assert "−14,24 điểm %" in set(overdue["Thay đổi"])  # online filing rate 50,71 % → 36,47 %, in percentage points


def test_overview_offers_the_memo_with_its_tasks_editable(app_env, demo_db):  # noqa: F811
    app_env(demo_db)
    at = open_app()
    assert "Công văn khắc phục điểm số (Word)" in texts(at)
    panel = [e for e in at.expander if e.proto.label.startswith("Soạn công văn")]
    assert len(panel) == 1 and not [b for b in at.get("download_button") if b.proto.label == "Tải công văn (Word)"]
    assert not [df for df in at.dataframe if "text" in df.value.columns]  # nothing computed until it is opened
    at.session_state["memo_open"] = True  # the reader opens the panel
    at.run()
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Tải công văn (Word)" in labels
    assert at.date_input(key="memo_date").value == date.today()
    editor = next(df.value for df in at.dataframe if "text" in df.value.columns)  # the editable tasks table
    assert list(editor["department"]) == ["Thanh tra Sở", "Thanh tra Sở", "Văn phòng Sở",
                                          "Phòng Kế hoạch Tài chính Tổng hợp", "Phòng Kế hoạch Tài chính Tổng hợp",
                                          "Văn phòng Sở", "Phòng Quản lý Thương mại"]
    assert list(editor["proposed"]) == [False] * 6 + [True]  # the last one proposed from the digitization gap


def test_the_memo_is_written_for_the_tasks_as_edited(demo):
    edited = [{"department": "Thanh tra Sở", "text": "Hoàn thành số hóa 3 thủ tục khuyến mại", "due_date": "2024-09-30",
               "due_text": None, "metric_label": "Số hóa hồ sơ", "value_text": "0,22 điểm", "period": "2024Q2",
               "proposed": True, "illustrative": False}]
    lines = docx_texts(memo_bytes(demo, "2024Q2", "so cong thuong", "2024-08-05", tasks_json=json.dumps(edited)))
    assert "Đồng Nai, ngày 05 tháng 8 năm 2024" in lines
    i = lines.index("1. Giao Thanh tra Sở:")
    assert lines[i + 1:i + 3] == ["- [Đề xuất] Hoàn thành số hóa 3 thủ tục khuyến mại.",
                                  "Chỉ số cần chuyển biến: Số hóa hồ sơ (Quý II/2024: 0,22 điểm). "
                                  "Thời hạn hoàn thành: 30/09/2024."]
    assert "2. Giao Văn phòng Sở:" not in lines  # only the tasks kept in the table
