"""Cell parsers: the awkward inputs real spreadsheets contain."""

import unicodedata

import pytest

from analytics.ingest.filings import count_source_from_text, unit_from_title
from analytics.ingest.index_table import unit_level_from_text
from analytics.ingest.headers import match_header
from analytics.parsing import NumberError, header_key, parse_count, parse_number, unit_key
from analytics.periods import parse_period, period_label, period_sort_key, previous_period, same_period_last_year


@pytest.mark.parametrize("raw, expected", [
    (19.8, 19.8), ("19,8", 19.8), ("0,22", 0.22), ("63,48", 63.48), ("63.48", 63.48), (" 7,46 ", 7.46),
    ("1.234,5", 1234.5), ("1,234.5", 1234.5), ("9.436", 9436.0), ("1.234.567", 1234567.0), ("0.125", 0.125),
    ("99,99 %", 99.99), ("−3,03", -3.03), ("-3,03", -3.03), ("(2,5)", -2.5), (18, 18.0), ("18", 18.0),
    ("１８,５", 18.5),  # full-width digits typed with a Vietnamese IME
    (None, None), ("", None), ("  ", None), ("-", None), ("n/a", None), (float("nan"), None),
])
def test_parse_number(raw, expected):
    assert parse_number(raw) == expected


@pytest.mark.parametrize("raw", ["abc", "19,8 điểm", "12/5", "1e5", True])
def test_parse_number_rejects_text(raw):
    with pytest.raises(NumberError):
        parse_number(raw)


@pytest.mark.parametrize("raw, expected", [("9.436", 9436), (12.0, 12), ("1,234,567", 1234567), ("", None)])
def test_parse_count(raw, expected):
    assert parse_count(raw) == expected


def test_parse_count_rejects_fraction():
    with pytest.raises(NumberError):
        parse_count("12,5")


@pytest.mark.parametrize("text, expected", [
    ("KẾT QUẢ BỘ CHỈ SỐ PHỤC VỤ NGƯỜI DÂN, DOANH NGHIỆP QUÝ II/2024", "2024Q2"),
    ("quý II năm 2024", "2024Q2"), ("Quý III/2023", "2023Q3"), ("Quý IV - 2025", "2025Q4"), ("quý 1/2024", "2024Q1"),
    ("Q2/2024", "2024Q2"), ("q4 2023", "2023Q4"), ("2024Q2", "2024Q2"), ("II/2024", "2024Q2"),
    ("6 tháng đầu năm 2024", "2024H1"), (unicodedata.normalize("NFD", "Quý II/2024"), "2024Q2"),
    ("Báo cáo công tác cải cách hành chính", None), ("", None), (None, None),
])
def test_parse_period(text, expected):
    assert parse_period(text) == expected


@pytest.mark.parametrize("name, expected", [
    ("ket-qua-766-quy-II-2024", "2024Q2"), ("ket-qua-766-quy-I-2024", "2024Q1"), ("bao-cao-quy-III-2023", "2023Q3"),
    ("so-cong-thuong-2024Q2-mot-cua", "2024Q2"), ("danh-muc-tthc", None),
])
def test_parse_period_from_file_name(name, expected):
    assert parse_period(name, filename=True) == expected


def test_period_arithmetic():
    assert previous_period("2024Q1") == "2023Q4"
    assert previous_period("2024Q2") == "2024Q1"
    assert same_period_last_year("2024Q2") == "2023Q2"
    assert sorted(["2024Q1", "2023Q4", "2024Q10"[:6], "2023Q1"], key=period_sort_key) == ["2023Q1", "2023Q4", "2024Q1", "2024Q1"]
    assert period_label("2024Q2") == "Quý II/2024"
    assert period_label("2024Q2", "en") == "Q2/2024"


@pytest.mark.parametrize("header, layout, expected", [
    ("Số hóa hồ sơ\n(22 điểm)", "index_table", "digitization"),
    ("Số hoá hồ sơ", "index_table", "digitization"),
    ("SỐ HÓA HỒ SƠ (22 ĐIỂM)", "index_table", "digitization"),
    (unicodedata.normalize("NFD", "Dịch vụ công trực tuyến (22 điểm)"), "index_table", "online_services"),
    ("Công khai, minh bạch\n(18 điểm)", "index_table", "transparency"),
    ("Tiến độ giải quyết đúng hạn", "index_table", "timeliness"),
    ("Tổng điểm\n(100 điểm)", "index_table", "total"),
    ("Xếp loại", "index_table", "grade"),
    ("Ghi chú", "index_table", "note"),
    ("Số mới tiếp nhận trực tuyến", "filings", "received_online"),
    ("Số hồ sơ đã giải quyết Tổng số", "filings", "resolved_total"),
    ("Trả đúng thời hạn", "filings", "resolved_on_time"),
    ("Hồ sơ có phí, lệ phí", "filings", "fee_filings"),
    ("Một cột lạ", "filings", None),
])
def test_match_header(header, layout, expected):
    assert match_header(header, layout) == expected


def test_header_key_folds_case_diacritics_and_suffix():
    assert header_key("Số hoá hồ sơ\n(22 điểm)") == header_key("SỐ HÓA HỒ SƠ") == "so hoa ho so"


@pytest.mark.parametrize("a, b", [
    ("Sở Công Thương", "SỞ CÔNG THƯƠNG"), ("Sở Công Thương", unicodedata.normalize("NFD", "Sở Công Thương")),
    ("UBND TP. Long Khánh", "UBND thành phố Long Khánh"), ("UBND  huyện\nXuân Lộc", "UBND huyện Xuân Lộc"),
])
def test_unit_key_matches_spellings_of_one_name(a, b):
    assert unit_key(a) == unit_key(b)


@pytest.mark.parametrize("text, expected", [
    ("Sở, ban, ngành", "department"), ("UBND cấp huyện", "district"), ("UBND cấp xã", "commune"), ("Ghi chú", None),
])
def test_unit_level_from_section_text(text, expected):
    assert unit_level_from_text(text) == expected


def test_filing_source_and_unit_from_titles():
    assert count_source_from_text("Cổng DVCQG") == "portal"
    assert count_source_from_text("Hệ thống một cửa") == "own"
    assert unit_from_title("SỞ CÔNG THƯƠNG TỈNH ĐỒNG NAI\nBÁO CÁO TỔNG HỢP") == "Sở Công Thương"
