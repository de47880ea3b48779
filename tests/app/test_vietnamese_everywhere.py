"""Vietnamese everywhere in Vietnamese mode: every page's texts, labels, captions, options, table headers and cells
hold no English UI word; the unit picker finds units typed without diacritics and groups them by province and level;
an upload's summary and rejected rows are written the Vietnamese way."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analytics.i18n import TEXT
from tests.app.test_app import APP, BAD_INDEX, COLD_TIMEOUT, GOOD_INDEX, TIMEOUT, app_env, open_app, texts, upload  # noqa: F401

PAGES = ["overview", "components", "why_low", "compare", "targets", "dossiers", "data_manager", "guide"]
# English words Streamlit's own widgets or this app have shown in Vietnamese mode at some point
ENGLISH_UI = ["Upload", "per file", "Error", "No results", "not allowed", "Number is", "Browse", "Drag", "Download",
              "Remove", "Loading", "Source:", "Period", "Unit", "Illustrative", "Published"]
# data, not interface: file names and codes the data itself holds (a portal file is called "transparency.json")
DATA_TEXT = re.compile(r"[\w.-]+\.(json|csv|xlsx|xls|parquet|ods)\b|\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b")


def english_phrases() -> list[str]:
    """English texts of the i18n catalogue that differ from the Vietnamese ones: each literal part of at least two
    words or twelve characters (short words such as "MB" or "pp" may be Vietnamese text too)."""
    phrases = set()
    for vi, en in TEXT.values():
        if en == vi:
            continue
        for part in re.split(r"\{[^}]*\}", en):
            part = part.strip(" .,:;()“”—–-/%#…")
            if re.search(r"[A-Za-z]", part) and (len(part) >= 12 or len(part.split()) >= 2) \
                    and not any(part in v for v, _ in TEXT.values()):
                phrases.add(part)
    return sorted(phrases)


def _strings(message, out: list[str]) -> None:
    """Every string field of a protobuf message (labels, help, captions, options, placeholders …)."""
    for field, value in message.ListFields():
        if field.name in ("id", "form_id", "key", "icon", "css", "data", "url", "deploy_params"):
            continue
        repeated = hasattr(value, "__iter__") and not isinstance(value, (str, bytes)) and not hasattr(value, "ListFields")
        values = list(value) if repeated else [value]
        for v in values:
            if isinstance(v, str):
                out.append(v)
            elif hasattr(v, "ListFields"):
                _strings(v, out)


def shown_strings(at: AppTest) -> list[str]:
    """All a person reads: every element's strings (both main area and sidebar), table headers and cells."""
    out: list[str] = []
    for root in (at.main, at.sidebar):
        for node in root:
            kind = type(node).__name__
            if kind in ("Html", "Block", "SpecialBlock"):  # the style sheet of browser_texts is not text
                continue
            proto = getattr(node, "proto", None)
            if proto is not None and hasattr(proto, "ListFields"):
                _strings(proto, out)
            if kind in ("Dataframe", "Table"):
                df = node.value
                out += [str(c) for c in df.columns]
                out += [str(v) for v in df.astype(str).to_numpy().ravel()]
    return [s for s in out if s and not s.startswith(":material/")]


def english_in(strings: list[str]) -> list[tuple[str, str]]:
    words = [(w, re.compile(rf"(?<![\w]){re.escape(w)}(?![\w])")) for w in ENGLISH_UI]
    phrases = english_phrases()
    found = []
    for s in strings:
        text = DATA_TEXT.sub(" ", s)
        found += [(w, s) for w, pat in words if pat.search(text)]
        found += [(p, s) for p in phrases if p in text]
    return found


def test_the_catalogue_gives_phrases_to_look_for():
    phrases = english_phrases()
    assert "Key findings for the meeting" in phrases and "Download CSV" in phrases
    assert len(phrases) > 300


def test_the_scan_finds_english_where_it_is():
    assert english_in(["Tải CSV", "Sở Tư pháp", "transparency.json", "SO_HOA_GIAY_TO"]) == []
    assert [w for w, _ in english_in(["Upload", "50MB per file • XLSX", "No results", "Error: text/plain"])] == \
        ["Upload", "per file", "No results", "Error"]
    assert english_in(["Key findings for the meeting"])


def test_the_scan_finds_the_english_of_english_mode(app_env, demo_db):
    """The same scan over the Data page in English finds the English texts: the check can fail."""
    app_env(demo_db)
    at = open_app("data_manager", lang="en")
    found = {w for w, _ in english_in(shown_strings(at))}
    assert {"Ingest log", "Download CSV", "Period"} <= found


@pytest.mark.parametrize("page", PAGES)
def test_no_english_on_any_page_in_vietnamese(app_env, demo_db, page):
    app_env(demo_db)
    at = open_app(page, period="2024Q1" if page == "dossiers" else "2024Q2")  # dossier lists: 2024Q1, 2025Q2
    if page == "overview":  # the memo's panel opened: its date box and task editor are scanned too
        at.session_state["memo_open"] = True
        at.run()
        assert [df for df in at.dataframe if "text" in df.value.columns]
    strings = shown_strings(at)
    assert len(strings) >= 15
    assert english_in(strings) == []
    # a missing cell reads "—": without a placeholder the table would write Python's "None" in it
    grids = list(at.get("dataframe"))  # tables and the memo's task editor
    assert [g.proto.placeholder for g in grids] == ["—"] * len(grids)
    assert page not in ("overview", "why_low", "data_manager") or grids


def test_the_uploader_gets_no_type_list_and_its_texts_are_vietnamese(app_env, demo_db):
    app_env(demo_db)
    at = open_app("data_manager")
    uploader = at.file_uploader[0]
    assert list(uploader.proto.type) == []  # the browser would refuse other types in English
    assert uploader.proto.max_upload_size_mb == 50
    css = "\n".join(h.proto.body for h in at.get("html"))
    assert 'content: "Chọn tệp"' in css and "tối đa 50 MB" in css and 'content: "Không tìm thấy"' in css
    # a file of another type is refused here, in Vietnamese
    at = upload(at, "ghi-chu.txt", b"ghi chu", "text/plain")
    assert "Tệp ghi-chu.txt không nạp được: chỉ nhận tệp .xlsx, .xls, .xlsm, .ods, .csv, .json, .parquet" in texts(at)


def test_rejected_values_kind_and_period_are_written_the_vietnamese_way(app_env, demo_db):
    app_env(demo_db)
    at = open_app("data_manager")
    bad = BAD_INDEX.replace(";8;18;88,5;", ";8;73,38;88,5;")  # satisfaction 73,38 of 18, read as the number 73.38
    assert bad != BAD_INDEX
    at = upload(at, "ket-qua-766-quy-III-2025.csv", bad.encode("utf-8-sig"))
    shown = texts(at)
    assert "0 dòng hợp lệ (Bảng kết quả Bộ chỉ số, kỳ Quý III/2025); 2 dòng bị loại." in shown
    rejected = next(df.value for df in at.dataframe if "Lý do" in df.value.columns)
    values = set(rejected["Giá trị"])
    assert "25" in values and "25.0" not in values  # Số hóa hồ sơ 25 > 22
    assert "73,38" in values and "73.38" not in values
    assert "abc" in values
    assert not english_in(shown_strings(at))


def test_a_loaded_file_is_summarised_with_its_kind_and_period_labels(app_env, demo_db_copy):
    app_env(demo_db_copy)
    at = open_app("data_manager")
    at = upload(at, "ket-qua-766-quy-III-2025.csv", GOOD_INDEX.encode("utf-8-sig"))
    next(b for b in at.button if b.key == "dt_confirm").click()
    at.run(timeout=COLD_TIMEOUT)
    done = texts(at)
    # Sở Tư pháp's satisfaction 99 of 18 is rejected; the other row loads
    assert "Đã nạp ket-qua-766-quy-III-2025.csv: 1 dòng (Bảng kết quả Bộ chỉ số, kỳ Quý III/2025)" in done
    assert "[99]" in done
    assert "(index" not in done and "2025Q3" not in done


def test_a_reject_value_is_shown_as_a_reader_writes_it():
    from analytics.formatting import fmt_raw

    assert [fmt_raw(v) for v in ("25.0", "73.38", "0.22", "9436", "-3.03")] == ["25", "73,38", "0,22", "9.436", "−3,03"]
    assert fmt_raw("1.004227", column="Mã thủ tục") == "1.004227"  # a procedure code is not a number
    assert fmt_raw("19,8") == "19,8" and fmt_raw("abc") == "abc" and fmt_raw(None) == ""
    assert fmt_raw("73.38", "en") == "73.38"


def test_the_unit_search_finds_units_typed_without_diacritics(app_env, demo_db):
    app_env(demo_db)
    at = open_app()
    # grouped: the province of the default unit (Đồng Nai's Sở Công Thương), its level, then the unit
    assert at.sidebar.selectbox(key="sel_province").value == "Đồng Nai"
    assert at.sidebar.selectbox(key="sel_province").options == ["Đồng Nai", "Phú Thọ"]
    assert at.sidebar.selectbox(key="sel_level").value == "department"
    assert at.sidebar.selectbox(key="sel_unit").value == "so cong thuong"
    assert len(at.sidebar.selectbox(key="sel_unit").options) == 17  # Đồng Nai's departments, not 192 units in one list
    at.sidebar.text_input(key="unit_query").input("so tu phap").run()
    hits = at.sidebar.radio(key="unit_hit")
    assert hits.options == ["Sở Tư pháp — Đồng Nai", "Sở Tư pháp - Tỉnh Phú Thọ"]
    assert hits.label == "Kết quả tìm (2 đơn vị)"
    hits.set_value("portal:H44.19").run()
    assert at.sidebar.selectbox(key="sel_unit").value == "portal:H44.19"
    assert at.sidebar.selectbox(key="sel_province").value == "Phú Thọ"
    assert at.title[0].value.startswith("Tổng quan Sở Tư pháp - Tỉnh Phú Thọ")
    assert "portal:H44.19" in str(at.query_params["unit"])
    assert at.sidebar.text_input(key="unit_query").value == ""
    at.sidebar.text_input(key="unit_query").input("cong thuong").run()
    assert at.sidebar.radio(key="unit_hit").options == ["Sở Công Thương — Đồng Nai", "Sở Công Thương - Tỉnh Phú Thọ"]
    at.sidebar.text_input(key="unit_query").input("khong co").run()
    assert "Không có đơn vị nào có tên khớp “khong co”." in [c.value for c in at.sidebar.caption]


def test_changing_the_province_keeps_the_department_of_the_same_name(app_env, demo_db):
    app_env(demo_db)
    at = open_app()
    at.sidebar.selectbox(key="sel_province").set_value("Phú Thọ").run()
    assert at.sidebar.selectbox(key="sel_unit").value == "portal:H44.07"  # Sở Công Thương - Tỉnh Phú Thọ
    at.sidebar.selectbox(key="sel_level").set_value("commune").run()
    assert len(at.sidebar.selectbox(key="sel_unit").options) == 148
    at.sidebar.selectbox(key="sel_province").set_value("Đồng Nai").run()
    assert at.sidebar.selectbox(key="sel_level").value == "department"  # Đồng Nai has no communes
    assert not at.exception


def test_a_link_to_a_unit_of_another_province_opens_its_group(app_env, demo_db):
    app_env(demo_db)
    at = open_app(unit="portal:H44.19", period=None)
    assert at.sidebar.selectbox(key="sel_province").value == "Phú Thọ"
    assert at.sidebar.selectbox(key="sel_unit").value == "portal:H44.19"


def test_a_typed_count_is_read_as_a_reader_writes_it():
    from analytics.dashboard.widgets import read_whole_number

    assert [read_whole_number(v) for v in ("2.360", "2360", "2 360", "2\u00a0360", " 9.436 ", "0")] == \
        [2360, 2360, 2360, 2360, 9436, 0]
    assert [read_whole_number(v) for v in ("abc", "2,5", "", None, "1.2.3x")] == [None] * 5
    assert read_whole_number("2,360", "en") == 2360 and read_whole_number("2,360") is None  # 2,36 in Vietnamese


def test_the_what_if_count_is_shown_grouped_and_read_back(app_env, demo_db):
    """Streamlit's number box writes 2360; the what-if's box shows 2.360, reads 2360, 2 360 or 2.360 alike and
    says in Vietnamese what it did with text that is not a whole number or is out of range."""
    app_env(demo_db)
    at = open_app("why_low")
    code = at.selectbox(key="wl_code").value
    proc = at.selectbox(key=f"wl_proc_{code}").value
    assert (code, proc) == ("ORIGINAL_RESULT_AVAILABLE", "2.000304")  # 4.721 filings short: half of it to start
    box = at.text_input(key=f"wl_n_{code}_{proc}")
    assert box.label == "Số hồ sơ cải thiện thêm" and box.value == "2.360"
    assert not at.number_input  # Streamlit's number box cannot group thousands
    total = lambda: next(m.value for m in at.metric if m.label == "Tổng điểm")  # noqa: E731
    first = total()
    for typed in ("2360", "2 360"):
        at.text_input(key=f"wl_n_{code}_{proc}").input(typed).run()
        assert at.text_input(key=f"wl_n_{code}_{proc}").value == "2.360" and total() == first
    at.text_input(key=f"wl_n_{code}_{proc}").input("100").run()
    assert total() != first
    at.text_input(key=f"wl_n_{code}_{proc}").input("abc").run()
    assert "“abc” không phải số nguyên (viết như 2.360 hoặc 2360); đang tính với 100." in texts(at)
    at.text_input(key=f"wl_n_{code}_{proc}").input("9.999").run()
    assert at.text_input(key=f"wl_n_{code}_{proc}").value == "9.999"
    assert "Số phải từ 0 đến 4.721; đang tính với 4.721." in texts(at)
    assert not at.exception
