"""Illustrative demo data for the QĐ 766 analytics, regenerated deterministically from a fixed seed (766).

Run ``python -m analytics.demo.generator`` (optionally ``--output-root DIR``) to rewrite, under ``data/raw/``:

- ``illustrative/index/`` — Đồng Nai's quarterly result tables of the service index (one row per
  department or district: five components, total, grade) for 2023Q1–2025Q2, in the layouts real
  publications vary between (title rows, one- or two-row merged headers, other column orders,
  "hoá"/"hóa", NFD text, numbers typed as text, a cover sheet, a "Ghi chú" column, `;`-separated CSV).
  2024Q1 and 2024Q2 are the test fixtures copied unchanged (they hold Sở Công Thương's published scores).
  From 2025Q1 the tables list the departments merged on 1/3/2025.
- ``illustrative/filings/`` — per-procedure filing counts for Sở Công Thương, every quarter, from two
  sources: the department's one-stop records ("Hệ thống một cửa") and the national portal
  ("Cổng DVCQG"); 2024Q3's one-stop records are a "báo cáo tổng hợp" workbook instead of a CSV.
- ``illustrative/catalog/`` — the department's 127-procedure catalogue with published and configured
  deadlines (six configured in the wrong unit).
- ``illustrative/portal/`` — portal-format sub-indicator counts of Sở Công Thương (a response per portal group
  and a capture manifest) for 2024Q1 and 2024Q2, the quarters whose scores were published: the per-procedure
  portal counts of those quarters are solved with the scoring engine (``PUBLISHED_SCT``) so that their sums give
  the published scores, and the responses carry those sums (scores null, marked illustrative).
- ``crosswalk/don-vi.csv`` — aliases, illustrative portal codes and 2025 mergers → canonical unit names.
- ``templates/`` — blank input templates (header row only).

The counts tell the department's puzzle (seed documents [000]–[002]): its own records say nearly every
filing is online and none is overdue, while the portal sees promotion notices as in-person/unsynced,
almost no digitization, and overdue filings only for the procedures whose configured deadline unit
differs from the published one. Exact published facts are reproduced (9.436 filings in 2023Q3, all
online, 97 feedback items all on time; 83 overdue on the portal in 2024Q1); every other value is
illustrative and labelled so in the files (title lines) or by the ``illustrative/`` folder and README.

``generate_filing_rows`` and ``write_filing_export`` make arbitrarily many synthetic filing rows (every
invariant respected) for benchmarks. This is a developer tool: the analytics program itself only
reads ``data/raw/``.
"""

from __future__ import annotations

import argparse
import csv
import shutil
import unicodedata
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import openpyxl
import pandas as pd
import xlsxwriter

from analytics.brief.memo import TEMPLATE_HEADER as MEMO_TEMPLATE_HEADER
from analytics.brief.memo import template_rows as memo_template_rows
from analytics.definition import load_definition
from analytics.ingest.tasks import TASK_HEADER
from analytics.scoring import payment_part_points, subindicator_points

from analytics.parsing import fold
from analytics.periods import ROMAN_OUT, period_label

from analytics.settings import PROJECT_ROOT

SEED = 766
RAW_ROOT = PROJECT_ROOT / "data" / "raw"
FIXTURE_INDEX_DIR = PROJECT_ROOT / "tests" / "fixtures" / "index"
# Fixed workbook creation/modification date, so that regenerated xlsx files are reproducible.
WORKBOOK_TIMESTAMP = datetime(2025, 7, 15, 8, 0, 0)
ILLUSTRATIVE_NOTE = "(Dữ liệu minh họa, không phải số liệu công bố)"

PERIODS = ("2023Q1", "2023Q2", "2023Q3", "2023Q4", "2024Q1", "2024Q2",
           "2024Q3", "2024Q4", "2025Q1", "2025Q2")
# The two quarters whose published tables exist as fixtures; they are copied, never generated.
FIXTURE_INDEX_FILES = {"2024Q1": "ket-qua-766-quy-I-2024.csv", "2024Q2": "ket-qua-766-quy-II-2024.xlsx"}
GENERATED_INDEX_PERIODS = tuple(p for p in PERIODS if p not in FIXTURE_INDEX_FILES)

# ---------------------------------------------------------------------------------------------
# Units
# ---------------------------------------------------------------------------------------------
SCT = "Sở Công Thương"
LEVEL_DEPARTMENT = "Sở, ban, ngành"
LEVEL_DISTRICT = "UBND cấp huyện"
DEPARTMENTS_2024 = (
    "Sở Công Thương", "Sở Tư pháp", "Sở Kế hoạch và Đầu tư", "Sở Tài chính", "Sở Xây dựng",
    "Sở Giao thông vận tải", "Sở Tài nguyên và Môi trường", "Sở Nông nghiệp và Phát triển nông thôn",
    "Sở Y tế", "Sở Giáo dục và Đào tạo", "Sở Lao động - Thương binh và Xã hội",
    "Sở Văn hóa, Thể thao và Du lịch", "Sở Thông tin và Truyền thông", "Sở Khoa học và Công nghệ",
    "Sở Nội vụ", "Ban Quản lý các khu công nghiệp",
)
DISTRICTS = (
    "UBND thành phố Biên Hòa", "UBND thành phố Long Khánh", "UBND huyện Nhơn Trạch",
    "UBND huyện Long Thành", "UBND huyện Trảng Bom", "UBND huyện Thống Nhất", "UBND huyện Cẩm Mỹ",
    "UBND huyện Xuân Lộc", "UBND huyện Định Quán", "UBND huyện Tân Phú", "UBND huyện Vĩnh Cửu",
)
MERGER_PERIOD = "2025Q1"  # departments merged from 01/3/2025 (illustrative of the 2025 reorganisation)
MERGED_INTO = {
    "Sở Kế hoạch và Đầu tư": "Sở Tài chính",
    "Sở Giao thông vận tải": "Sở Xây dựng",
    "Sở Tài nguyên và Môi trường": "Sở Nông nghiệp và Môi trường",
    "Sở Nông nghiệp và Phát triển nông thôn": "Sở Nông nghiệp và Môi trường",
    "Sở Thông tin và Truyền thông": "Sở Khoa học và Công nghệ",
    "Sở Lao động - Thương binh và Xã hội": "Sở Nội vụ",
}
MERGER_NOTE = "Hợp nhất từ 01/3/2025 (minh họa)"
DISTRICTS_LAST_PERIOD = "2025Q2"  # district people's committees operated until 30/6/2025
# Illustrative portal-style codes (the real Đồng Nai codes are H19.xx, values here are invented).
UNIT_CODES = {
    "Sở Công Thương": "H19.15", "Sở Tư pháp": "H19.16", "Sở Kế hoạch và Đầu tư": "H19.17",
    "Sở Tài chính": "H19.18", "Sở Xây dựng": "H19.19", "Sở Giao thông vận tải": "H19.20",
    "Sở Tài nguyên và Môi trường": "H19.21", "Sở Nông nghiệp và Phát triển nông thôn": "H19.22",
    "Sở Y tế": "H19.23", "Sở Giáo dục và Đào tạo": "H19.24", "Sở Lao động - Thương binh và Xã hội": "H19.25",
    "Sở Văn hóa, Thể thao và Du lịch": "H19.26", "Sở Thông tin và Truyền thông": "H19.27",
    "Sở Khoa học và Công nghệ": "H19.28", "Sở Nội vụ": "H19.29", "Ban Quản lý các khu công nghiệp": "H19.30",
    "Sở Nông nghiệp và Môi trường": "H19.31",
    "UBND thành phố Biên Hòa": "H19.40", "UBND thành phố Long Khánh": "H19.41",
    "UBND huyện Nhơn Trạch": "H19.42", "UBND huyện Long Thành": "H19.43", "UBND huyện Trảng Bom": "H19.44",
    "UBND huyện Thống Nhất": "H19.45", "UBND huyện Cẩm Mỹ": "H19.46", "UBND huyện Xuân Lộc": "H19.47",
    "UBND huyện Định Quán": "H19.48", "UBND huyện Tân Phú": "H19.49", "UBND huyện Vĩnh Cửu": "H19.50",
}


def departments_for(period: str) -> tuple[str, ...]:
    """The departments listed in a period's provincial table (the merged set from 2025Q1)."""
    if period < MERGER_PERIOD:
        return DEPARTMENTS_2024
    out: list[str] = []
    for name in DEPARTMENTS_2024:
        name = MERGED_INTO.get(name, name)
        if name not in out:
            out.append(name)
    return tuple(out)


# ---------------------------------------------------------------------------------------------
# Filing template (the project's documented column order)
# ---------------------------------------------------------------------------------------------
FILING_COLUMNS = (
    ("period", "Kỳ"), ("unit", "Đơn vị"), ("procedure_code", "Mã thủ tục"), ("procedure_name", "Tên thủ tục"),
    ("department", "Phòng xử lý"), ("count_source", "Nguồn số liệu"),
    ("received_total", "Tổng số tiếp nhận"), ("received_online", "Tiếp nhận trực tuyến"),
    ("received_in_person", "Tiếp nhận trực tiếp"), ("received_postal", "Tiếp nhận qua BCCI"),
    ("carried_over", "Kỳ trước chuyển qua"), ("resolved_total", "Đã giải quyết"),
    ("resolved_early", "Trả trước hạn"), ("resolved_on_time", "Trả đúng hạn"), ("resolved_late", "Trả quá hạn"),
    ("pending_total", "Đang giải quyết"), ("pending_within_time", "Chưa đến hạn"), ("pending_overdue", "Quá hạn"),
    ("digitized_components", "Có số hóa thành phần hồ sơ"), ("electronic_results", "Có kết quả điện tử"),
    ("reused_data", "Có tái sử dụng dữ liệu"), ("fee_filings", "Hồ sơ có phí, lệ phí"),
    ("online_payments", "Thanh toán trực tuyến"), ("synced_filings", "Đồng bộ lên Cổng DVCQG"),
    ("feedback_total", "Số PAKN"), ("feedback_on_time", "PAKN đúng hạn"), ("feedback_satisfied", "PAKN hài lòng"),
)
FILING_FIELDS = tuple(k for k, _ in FILING_COLUMNS)
FILING_HEADERS = dict(FILING_COLUMNS)
COUNT_FIELDS = FILING_FIELDS[6:]
SOURCE_ONE_STOP = "Hệ thống một cửa"
SOURCE_PORTAL = "Cổng DVCQG"
SOURCE_SLUGS = {SOURCE_ONE_STOP: "mot-cua", SOURCE_PORTAL: "cong-dvcqg"}

CATALOG_COLUMNS = (
    ("procedure_code", "Mã thủ tục"), ("procedure_name", "Tên thủ tục"), ("field", "Lĩnh vực"),
    ("department", "Phòng xử lý"), ("service_level", "Mức độ DVC"), ("has_fee", "Có phí"),
    ("published_time", "Thời hạn công bố"), ("published_time_unit", "Đơn vị thời hạn công bố"),
    ("configured_time", "Thời hạn cấu hình"), ("configured_time_unit", "Đơn vị thời hạn cấu hình"),
)
CROSSWALK_HEADER = ("Tên hoặc mã", "Đơn vị", "Khối", "Mã đơn vị", "Từ kỳ", "Đến kỳ", "Ghi chú")
INDEX_TEMPLATE_HEADER = ("Kỳ", "Khối", "Đơn vị", "Công khai, minh bạch", "Tiến độ giải quyết", "Số hóa hồ sơ",
                         "Dịch vụ công trực tuyến", "Mức độ hài lòng", "Tổng điểm", "Xếp loại", "Văn bản")

# ---------------------------------------------------------------------------------------------
# Procedure catalogue of Sở Công Thương (illustrative; names follow the ministry's procedure set)
# ---------------------------------------------------------------------------------------------
QLTM = "Phòng Quản lý Thương mại"
QLCN = "Phòng Quản lý Công nghiệp"
KTNL = "Phòng Kỹ thuật và Quản lý Năng lượng"
TTS = "Thanh tra Sở"
KHTC = "Phòng Kế hoạch - Tài chính - Tổng hợp"
PROMOTION_NOTICES = ("Thông báo hoạt động khuyến mại",
                     "Thông báo sửa đổi, bổ sung nội dung chương trình khuyến mại")

# field | department | level (T = Toàn trình, P = Một phần) | fee (C/K) | published time | unit
# (nlv = ngày làm việc, ng = ngày, gio = giờ) | typical filings per quarter | name
_PROCEDURES = """
Xúc tiến thương mại|QLTM|T|K|1|nlv|4600|Thông báo hoạt động khuyến mại
Xúc tiến thương mại|QLTM|T|K|1|nlv|1050|Thông báo sửa đổi, bổ sung nội dung chương trình khuyến mại
Xúc tiến thương mại|QLTM|T|K|5|nlv|18|Đăng ký thực hiện khuyến mại theo hình thức mang tính may rủi trên địa bàn 01 tỉnh, thành phố trực thuộc Trung ương
Xúc tiến thương mại|QLTM|T|K|5|nlv|4|Đăng ký sửa đổi, bổ sung nội dung chương trình khuyến mại theo hình thức mang tính may rủi trên địa bàn 01 tỉnh, thành phố trực thuộc Trung ương
Xúc tiến thương mại|QLTM|T|K|5|nlv|46|Đăng ký tổ chức hội chợ, triển lãm thương mại tại Việt Nam
Xúc tiến thương mại|QLTM|T|K|5|nlv|6|Đăng ký sửa đổi, bổ sung nội dung đăng ký tổ chức hội chợ, triển lãm thương mại tại Việt Nam
Thương mại quốc tế|QLTM|P|C|7|nlv|22|Cấp Giấy phép thành lập Văn phòng đại diện của thương nhân nước ngoài tại Việt Nam
Thương mại quốc tế|QLTM|T|C|5|nlv|3|Cấp lại Giấy phép thành lập Văn phòng đại diện của thương nhân nước ngoài tại Việt Nam
Thương mại quốc tế|QLTM|T|C|5|nlv|5|Điều chỉnh Giấy phép thành lập Văn phòng đại diện của thương nhân nước ngoài tại Việt Nam
Thương mại quốc tế|QLTM|T|C|5|nlv|4|Gia hạn Giấy phép thành lập Văn phòng đại diện của thương nhân nước ngoài tại Việt Nam
Thương mại quốc tế|QLTM|T|K|5|nlv|2|Chấm dứt hoạt động của Văn phòng đại diện của thương nhân nước ngoài tại Việt Nam
Thương mại quốc tế|QLTM|P|C|10|nlv|9|Cấp Giấy phép kinh doanh cho tổ chức kinh tế có vốn đầu tư nước ngoài để thực hiện hoạt động mua bán hàng hóa và các hoạt động liên quan trực tiếp đến mua bán hàng hóa
Thương mại quốc tế|QLTM|T|C|5|nlv|1|Cấp lại Giấy phép kinh doanh cho tổ chức kinh tế có vốn đầu tư nước ngoài
Thương mại quốc tế|QLTM|P|C|10|nlv|3|Điều chỉnh Giấy phép kinh doanh cho tổ chức kinh tế có vốn đầu tư nước ngoài
Thương mại quốc tế|QLTM|P|C|10|nlv|4|Cấp Giấy phép lập cơ sở bán lẻ
Thương mại quốc tế|QLTM|P|C|10|nlv|2|Cấp Giấy phép lập cơ sở bán lẻ ngoài cơ sở bán lẻ thứ nhất
Thương mại quốc tế|QLTM|P|C|10|nlv|2|Điều chỉnh Giấy phép lập cơ sở bán lẻ
Thương mại quốc tế|QLTM|T|C|5|nlv|1|Cấp lại Giấy phép lập cơ sở bán lẻ
Thương mại quốc tế|QLTM|T|C|5|nlv|1|Gia hạn Giấy phép lập cơ sở bán lẻ
Thương mại quốc tế|QLTM|P|C|10|nlv|1|Cấp Giấy phép kinh doanh đồng thời với Giấy phép lập cơ sở bán lẻ
Thương mại quốc tế|QLTM|T|K|5|nlv|0.3|Chấm dứt hoạt động cơ sở bán lẻ
Lưu thông hàng hóa trong nước|QLTM|P|C|15|nlv|8|Cấp Giấy phép bán buôn rượu
Lưu thông hàng hóa trong nước|QLTM|T|C|10|nlv|3|Cấp sửa đổi, bổ sung Giấy phép bán buôn rượu
Lưu thông hàng hóa trong nước|QLTM|T|C|7|nlv|1|Cấp lại Giấy phép bán buôn rượu
Lưu thông hàng hóa trong nước|QLTM|P|C|15|nlv|2|Cấp Giấy phép sản xuất rượu công nghiệp (quy mô dưới 3 triệu lít/năm)
Lưu thông hàng hóa trong nước|QLTM|T|C|10|nlv|0.5|Cấp sửa đổi, bổ sung Giấy phép sản xuất rượu công nghiệp (quy mô dưới 3 triệu lít/năm)
Lưu thông hàng hóa trong nước|QLTM|T|C|7|nlv|0.3|Cấp lại Giấy phép sản xuất rượu công nghiệp (quy mô dưới 3 triệu lít/năm)
Lưu thông hàng hóa trong nước|QLTM|T|C|10|nlv|70|Cấp giấy phép bán lẻ rượu
Lưu thông hàng hóa trong nước|QLTM|T|C|7|nlv|9|Cấp sửa đổi, bổ sung giấy phép bán lẻ rượu
Lưu thông hàng hóa trong nước|QLTM|T|C|7|nlv|4|Cấp lại giấy phép bán lẻ rượu
Lưu thông hàng hóa trong nước|QLTM|P|C|15|nlv|6|Cấp Giấy phép bán buôn sản phẩm thuốc lá
Lưu thông hàng hóa trong nước|QLTM|T|C|10|nlv|2|Cấp sửa đổi, bổ sung Giấy phép bán buôn sản phẩm thuốc lá
Lưu thông hàng hóa trong nước|QLTM|T|C|7|nlv|1|Cấp lại Giấy phép bán buôn sản phẩm thuốc lá
Lưu thông hàng hóa trong nước|QLTM|T|C|10|nlv|48|Cấp giấy phép bán lẻ sản phẩm thuốc lá
Lưu thông hàng hóa trong nước|QLTM|T|C|7|nlv|6|Cấp sửa đổi, bổ sung giấy phép bán lẻ sản phẩm thuốc lá
Lưu thông hàng hóa trong nước|QLTM|T|C|7|nlv|3|Cấp lại giấy phép bán lẻ sản phẩm thuốc lá
Lưu thông hàng hóa trong nước|QLTM|P|C|15|nlv|72|Cấp Giấy chứng nhận đủ điều kiện cửa hàng bán lẻ xăng dầu
Lưu thông hàng hóa trong nước|QLTM|P|C|10|nlv|14|Cấp sửa đổi, bổ sung Giấy chứng nhận cửa hàng đủ điều kiện bán lẻ xăng dầu
Lưu thông hàng hóa trong nước|QLTM|T|C|7|nlv|8|Cấp lại Giấy chứng nhận cửa hàng đủ điều kiện bán lẻ xăng dầu
Lưu thông hàng hóa trong nước|QLTM|P|C|15|nlv|2|Cấp Giấy xác nhận đủ điều kiện làm tổng đại lý kinh doanh xăng dầu
Lưu thông hàng hóa trong nước|QLTM|T|C|10|nlv|0.5|Cấp sửa đổi, bổ sung Giấy xác nhận đủ điều kiện làm tổng đại lý kinh doanh xăng dầu
Lưu thông hàng hóa trong nước|QLTM|T|C|7|nlv|0.3|Cấp lại Giấy xác nhận đủ điều kiện làm tổng đại lý kinh doanh xăng dầu
Lưu thông hàng hóa trong nước|QLTM|P|C|15|nlv|5|Cấp Giấy xác nhận đủ điều kiện làm đại lý bán lẻ xăng dầu
Lưu thông hàng hóa trong nước|QLTM|T|C|10|nlv|1|Cấp sửa đổi, bổ sung Giấy xác nhận đủ điều kiện làm đại lý bán lẻ xăng dầu
Lưu thông hàng hóa trong nước|QLTM|T|C|7|nlv|0.5|Cấp lại Giấy xác nhận đủ điều kiện làm đại lý bán lẻ xăng dầu
Lưu thông hàng hóa trong nước|QLTM|P|C|15|nlv|1|Cấp Giấy xác nhận đủ điều kiện làm thương nhân nhận quyền bán lẻ xăng dầu
Lưu thông hàng hóa trong nước|QLTM|P|C|15|nlv|1|Cấp Giấy xác nhận đủ điều kiện làm thương nhân phân phối xăng dầu
Lưu thông hàng hóa trong nước|QLTM|T|C|10|nlv|0.3|Cấp sửa đổi, bổ sung Giấy xác nhận đủ điều kiện làm thương nhân phân phối xăng dầu
Kinh doanh khí|QLTM|P|C|15|nlv|90|Cấp Giấy phép kinh doanh khí (LPG) cho cửa hàng bán lẻ
Kinh doanh khí|QLTM|P|C|15|nlv|10|Cấp Giấy chứng nhận đủ điều kiện cửa hàng bán lẻ LPG chai
Kinh doanh khí|QLTM|T|C|10|nlv|3|Cấp điều chỉnh Giấy chứng nhận đủ điều kiện cửa hàng bán lẻ LPG chai
Kinh doanh khí|QLTM|T|C|7|nlv|2|Cấp lại Giấy chứng nhận đủ điều kiện cửa hàng bán lẻ LPG chai
Kinh doanh khí|QLTM|P|C|15|nlv|2|Cấp Giấy chứng nhận đủ điều kiện trạm nạp LPG vào chai
Kinh doanh khí|QLTM|T|C|10|nlv|0.5|Cấp điều chỉnh Giấy chứng nhận đủ điều kiện trạm nạp LPG vào chai
Kinh doanh khí|QLTM|T|C|7|nlv|0.3|Cấp lại Giấy chứng nhận đủ điều kiện trạm nạp LPG vào chai
Kinh doanh khí|QLTM|P|C|15|nlv|1|Cấp Giấy chứng nhận đủ điều kiện trạm nạp LPG vào xe bồn
Kinh doanh khí|QLTM|T|C|10|nlv|0.3|Cấp điều chỉnh Giấy chứng nhận đủ điều kiện trạm nạp LPG vào xe bồn
Kinh doanh khí|QLTM|P|C|15|nlv|1|Cấp Giấy chứng nhận đủ điều kiện trạm nạp LPG vào phương tiện vận tải
Kinh doanh khí|QLTM|T|C|10|nlv|0.3|Cấp điều chỉnh Giấy chứng nhận đủ điều kiện trạm nạp LPG vào phương tiện vận tải
Kinh doanh khí|QLTM|T|C|7|nlv|0.3|Cấp lại Giấy chứng nhận đủ điều kiện trạm nạp LPG vào phương tiện vận tải
Kinh doanh khí|QLTM|P|C|15|nlv|0.5|Cấp Giấy chứng nhận đủ điều kiện trạm nạp LNG vào phương tiện vận tải
Kinh doanh khí|QLTM|T|C|7|nlv|0.2|Cấp lại Giấy chứng nhận đủ điều kiện trạm nạp LNG vào phương tiện vận tải
Kinh doanh khí|QLTM|P|C|15|nlv|0.5|Cấp Giấy chứng nhận đủ điều kiện trạm nạp CNG vào phương tiện vận tải
Kinh doanh khí|QLTM|T|C|7|nlv|0.2|Cấp lại Giấy chứng nhận đủ điều kiện trạm nạp CNG vào phương tiện vận tải
Kinh doanh khí|QLTM|P|C|15|nlv|1|Cấp Giấy chứng nhận đủ điều kiện thương nhân kinh doanh mua bán LPG
Kinh doanh khí|QLTM|P|C|15|nlv|0.3|Cấp Giấy chứng nhận đủ điều kiện thương nhân kinh doanh mua bán LNG
Kinh doanh khí|QLTM|P|C|15|nlv|0.3|Cấp Giấy chứng nhận đủ điều kiện thương nhân kinh doanh mua bán CNG
Quản lý cạnh tranh|TTS|T|C|15|nlv|2|Đăng ký hoạt động bán hàng đa cấp tại địa phương
Quản lý cạnh tranh|TTS|T|K|10|nlv|1|Đăng ký sửa đổi, bổ sung nội dung hoạt động bán hàng đa cấp tại địa phương
Quản lý cạnh tranh|TTS|T|K|10|nlv|0.5|Chấm dứt hoạt động bán hàng đa cấp tại địa phương
Quản lý cạnh tranh|TTS|T|K|8|gio|12|Thông báo tổ chức hội nghị, hội thảo, đào tạo về hoạt động bán hàng đa cấp
Bảo vệ quyền lợi người tiêu dùng|TTS|T|K|20|nlv|3|Đăng ký hợp đồng theo mẫu, điều kiện giao dịch chung thuộc thẩm quyền của Sở Công Thương
Bảo vệ quyền lợi người tiêu dùng|TTS|T|K|20|nlv|1|Đăng ký lại hợp đồng theo mẫu, điều kiện giao dịch chung thuộc thẩm quyền của Sở Công Thương
An toàn thực phẩm|QLCN|P|C|20|nlv|118|Cấp Giấy chứng nhận đủ điều kiện an toàn thực phẩm
An toàn thực phẩm|QLCN|T|C|5|nlv|12|Cấp lại Giấy chứng nhận đủ điều kiện an toàn thực phẩm
An toàn thực phẩm|QLCN|T|C|8|gio|60|Cấp Giấy xác nhận kiến thức về an toàn thực phẩm cho tổ chức và cá nhân sản xuất, kinh doanh thực phẩm
Công nghiệp địa phương|QLCN|P|K|30|nlv|22|Cấp Giấy chứng nhận sản phẩm công nghiệp nông thôn tiêu biểu cấp tỉnh
Công nghiệp địa phương|KHTC|P|K|30|nlv|5|Xét chọn đề án khuyến công địa phương
Công nghiệp địa phương|KHTC|P|K|15|nlv|2|Hỗ trợ kinh phí khuyến công địa phương
Công nghiệp hỗ trợ|KHTC|P|K|15|nlv|21|Cấp Giấy xác nhận ưu đãi dự án sản xuất sản phẩm công nghiệp hỗ trợ
Công nghiệp hỗ trợ|KHTC|P|K|15|nlv|3|Cấp Giấy xác nhận ưu đãi dự án sản xuất sản phẩm công nghiệp hỗ trợ thuộc Danh mục sản phẩm công nghiệp hỗ trợ ưu tiên phát triển đối với doanh nghiệp nhỏ và vừa
Hóa chất|QLCN|P|C|12|nlv|6|Cấp Giấy chứng nhận đủ điều kiện sản xuất hóa chất sản xuất, kinh doanh có điều kiện trong lĩnh vực công nghiệp
Hóa chất|QLCN|T|C|10|nlv|2|Cấp điều chỉnh Giấy chứng nhận đủ điều kiện sản xuất hóa chất sản xuất, kinh doanh có điều kiện trong lĩnh vực công nghiệp
Hóa chất|QLCN|T|C|5|nlv|1|Cấp lại Giấy chứng nhận đủ điều kiện sản xuất hóa chất sản xuất, kinh doanh có điều kiện trong lĩnh vực công nghiệp
Hóa chất|QLCN|P|C|12|nlv|20|Cấp Giấy chứng nhận đủ điều kiện kinh doanh hóa chất sản xuất, kinh doanh có điều kiện trong lĩnh vực công nghiệp
Hóa chất|QLCN|T|C|10|nlv|6|Cấp điều chỉnh Giấy chứng nhận đủ điều kiện kinh doanh hóa chất sản xuất, kinh doanh có điều kiện trong lĩnh vực công nghiệp
Hóa chất|QLCN|T|C|5|nlv|2|Cấp lại Giấy chứng nhận đủ điều kiện kinh doanh hóa chất sản xuất, kinh doanh có điều kiện trong lĩnh vực công nghiệp
Hóa chất|QLCN|P|C|12|nlv|4|Cấp Giấy chứng nhận đủ điều kiện sản xuất, kinh doanh hóa chất sản xuất, kinh doanh có điều kiện trong lĩnh vực công nghiệp
Hóa chất|QLCN|T|C|10|nlv|1|Cấp điều chỉnh Giấy chứng nhận đủ điều kiện sản xuất, kinh doanh hóa chất sản xuất, kinh doanh có điều kiện trong lĩnh vực công nghiệp
Hóa chất|QLCN|T|C|5|nlv|0.5|Cấp lại Giấy chứng nhận đủ điều kiện sản xuất, kinh doanh hóa chất sản xuất, kinh doanh có điều kiện trong lĩnh vực công nghiệp
Hóa chất|KTNL|T|C|10|nlv|70|Cấp Giấy chứng nhận huấn luyện kỹ thuật an toàn hóa chất
Hóa chất|KTNL|T|C|5|nlv|3|Cấp lại Giấy chứng nhận huấn luyện kỹ thuật an toàn hóa chất
Hóa chất|KTNL|P|K|30|nlv|4|Thẩm định Kế hoạch phòng ngừa, ứng phó sự cố hóa chất trong lĩnh vực công nghiệp
Vật liệu nổ công nghiệp|KTNL|P|C|15|nlv|26|Cấp Giấy phép sử dụng vật liệu nổ công nghiệp
Vật liệu nổ công nghiệp|KTNL|T|C|5|nlv|4|Cấp lại Giấy phép sử dụng vật liệu nổ công nghiệp
Vật liệu nổ công nghiệp|KTNL|T|C|10|nlv|9|Cấp Giấy chứng nhận huấn luyện kỹ thuật an toàn vật liệu nổ công nghiệp
Vật liệu nổ công nghiệp|KTNL|T|C|5|nlv|2|Cấp lại Giấy chứng nhận huấn luyện kỹ thuật an toàn vật liệu nổ công nghiệp
Vật liệu nổ công nghiệp|KTNL|T|C|10|nlv|2|Cấp Giấy chứng nhận huấn luyện kỹ thuật an toàn tiền chất thuốc nổ
Điện|KTNL|P|C|15|nlv|46|Cấp giấy phép hoạt động điện lực
Điện|KTNL|P|C|15|nlv|6|Cấp giấy phép hoạt động phát điện đối với nhà máy điện có quy mô công suất dưới 03 MW đặt tại địa phương
Điện|KTNL|P|C|15|nlv|2|Cấp giấy phép hoạt động phân phối điện đến cấp điện áp 35 kV tại địa phương
Điện|KTNL|P|C|15|nlv|3|Cấp giấy phép hoạt động bán lẻ điện đến cấp điện áp 0,4 kV tại địa phương
Điện|KTNL|P|C|15|nlv|8|Cấp giấy phép hoạt động tư vấn đầu tư xây dựng đường dây và trạm biến áp có cấp điện áp đến 35 kV
Điện|KTNL|P|C|15|nlv|7|Cấp giấy phép hoạt động tư vấn giám sát thi công đường dây và trạm biến áp có cấp điện áp đến 35 kV
Điện|KTNL|T|C|10|nlv|6|Cấp sửa đổi, bổ sung giấy phép hoạt động điện lực
Điện|KTNL|T|C|5|nlv|1|Cấp lại giấy phép hoạt động điện lực do bị mất hoặc bị hỏng
Điện|KTNL|T|K|10|nlv|5|Cấp thẻ kiểm tra viên điện lực
Điện|KTNL|T|K|5|nlv|1|Cấp lại thẻ kiểm tra viên điện lực
Điện|KTNL|T|K|10|nlv|12|Huấn luyện và cấp mới thẻ an toàn điện
Điện|KTNL|T|K|5|nlv|2|Huấn luyện và cấp sửa đổi, bổ sung thẻ an toàn điện
Điện|KTNL|T|K|3|nlv|2|Cấp lại thẻ an toàn điện
An toàn đập, hồ chứa thủy điện|KTNL|P|K|25|nlv|1|Thẩm định, phê duyệt quy trình vận hành hồ chứa thủy điện thuộc thẩm quyền phê duyệt của UBND tỉnh
An toàn đập, hồ chứa thủy điện|KTNL|P|K|25|nlv|1|Phê duyệt phương án ứng phó thiên tai cho công trình vùng hạ du đập thủy điện thuộc thẩm quyền của UBND tỉnh
An toàn đập, hồ chứa thủy điện|KTNL|P|K|25|nlv|1|Phê duyệt phương án ứng phó với tình huống khẩn cấp hồ chứa thủy điện thuộc thẩm quyền của UBND tỉnh
An toàn đập, hồ chứa thủy điện|KTNL|P|K|25|nlv|0.5|Phê duyệt phương án bảo vệ đập, hồ chứa thủy điện thuộc thẩm quyền của UBND tỉnh
An toàn đập, hồ chứa thủy điện|KTNL|P|K|20|nlv|0.5|Cấp giấy phép cho các hoạt động trong phạm vi bảo vệ đập, hồ chứa thủy điện thuộc thẩm quyền của UBND tỉnh
An toàn đập, hồ chứa thủy điện|KTNL|P|K|15|nlv|0.3|Cấp gia hạn, điều chỉnh giấy phép cho các hoạt động trong phạm vi bảo vệ đập, hồ chứa thủy điện thuộc thẩm quyền của UBND tỉnh
An toàn đập, hồ chứa thủy điện|KTNL|P|K|20|nlv|0.5|Thẩm định, phê duyệt đề cương, kết quả kiểm định an toàn đập, hồ chứa thủy điện thuộc thẩm quyền của UBND tỉnh
Hoạt động xây dựng|QLCN|P|C|30|ng|4|Thẩm định Báo cáo nghiên cứu khả thi đầu tư xây dựng công trình công nghiệp
Hoạt động xây dựng|QLCN|P|C|30|ng|5|Thẩm định thiết kế xây dựng triển khai sau thiết kế cơ sở công trình công nghiệp
Hoạt động xây dựng|QLCN|P|C|20|ng|3|Thẩm định Báo cáo kinh tế - kỹ thuật đầu tư xây dựng công trình công nghiệp
Hoạt động xây dựng|QLCN|P|C|20|ng|1|Thẩm định điều chỉnh thiết kế xây dựng triển khai sau thiết kế cơ sở công trình công nghiệp
Hoạt động xây dựng|QLCN|P|C|20|ng|1|Thẩm định điều chỉnh Báo cáo nghiên cứu khả thi đầu tư xây dựng công trình công nghiệp
Năng lượng|KTNL|T|K|15|nlv|2|Xác nhận kế hoạch sử dụng năng lượng của cơ sở sử dụng năng lượng trọng điểm
Năng lượng|KTNL|P|K|20|nlv|1|Thẩm định thiết kế cơ sở dự án nhà máy điện mặt trời mái nhà có đấu nối lưới điện
Công nghiệp địa phương|KHTC|P|K|20|nlv|1|Đăng ký sản phẩm tham gia bình chọn sản phẩm công nghiệp nông thôn tiêu biểu cấp khu vực
Dịch vụ thương mại|QLTM|T|K|5|nlv|0.5|Đăng ký dấu nghiệp vụ của thương nhân kinh doanh dịch vụ giám định thương mại
"""
_DEPARTMENT_KEYS = {"QLTM": QLTM, "QLCN": QLCN, "KTNL": KTNL, "TTS": TTS, "KHTC": KHTC}
_UNIT_KEYS = {"nlv": "ngày làm việc", "ng": "ngày", "gio": "giờ"}
# The six procedures whose deadline is configured in the provincial one-stop system in another unit
# than the published one (lead named in [000]): the portal counts their filings as overdue.
MISCONFIGURED_DEADLINES = {
    "Cấp Giấy phép sử dụng vật liệu nổ công nghiệp": (15, "ngày"),
    "Cấp Giấy chứng nhận đủ điều kiện an toàn thực phẩm": (20, "ngày"),
    "Cấp Giấy chứng nhận đủ điều kiện cửa hàng bán lẻ xăng dầu": (15, "ngày"),
    "Cấp Giấy phép kinh doanh khí (LPG) cho cửa hàng bán lẻ": (15, "ngày"),
    "Cấp giấy phép bán lẻ rượu": (80, "giờ"),
    "Cấp Giấy xác nhận kiến thức về an toàn thực phẩm cho tổ chức và cá nhân sản xuất, kinh doanh thực phẩm": (1, "ngày"),
}
N_PROCEDURES = 127


def _rng(seed: int, *keys: str) -> np.random.Generator:
    """A generator for one named part of the data, so parts do not shift when another part changes."""
    return np.random.default_rng([seed, *(zlib.crc32(k.encode("utf-8")) for k in keys)])


def procedure_catalog(seed: int = SEED) -> pd.DataFrame:
    """Sở Công Thương's 127 procedures (one row each): code, name, field, department, service level,
    fee, published and configured deadline, plus ``typical_filings`` (illustrative quarterly volume)."""
    rows = []
    for line in _PROCEDURES.strip().splitlines():
        field_, dept, level, fee, ptime, punit, weight, name = line.split("|")
        cfg_time, cfg_unit = MISCONFIGURED_DEADLINES.get(name, (int(ptime), _UNIT_KEYS[punit]))
        rows.append({
            "procedure_name": name, "field": field_, "department": _DEPARTMENT_KEYS[dept],
            "service_level": "Toàn trình" if level == "T" else "Một phần", "has_fee": "Có" if fee == "C" else "Không",
            "published_time": int(ptime), "published_time_unit": _UNIT_KEYS[punit],
            "configured_time": int(cfg_time), "configured_time_unit": cfg_unit, "typical_filings": float(weight),
        })
    cat = pd.DataFrame(rows)
    if len(cat) != N_PROCEDURES or cat["procedure_name"].duplicated().any():
        raise AssertionError(f"procedure table must hold {N_PROCEDURES} distinct names, has {len(cat)}")
    missing = set(MISCONFIGURED_DEADLINES) - set(cat["procedure_name"])
    if missing:
        raise AssertionError(f"misconfigured procedures not in the table: {missing}")
    # Illustrative codes in the national database's shape: 1.00xxxx / 2.00xxxx.
    rng = _rng(seed, "procedure-codes")
    codes: list[str] = []
    while len(codes) < len(cat):
        code = f"1.{rng.integers(100, 13000):06d}" if rng.random() < 0.6 else f"2.{rng.integers(100, 2700):06d}"
        if code not in codes:
            codes.append(code)
    cat.insert(0, "procedure_code", codes)
    return cat


# ---------------------------------------------------------------------------------------------
# Filing counts (Sở Công Thương, two sources per quarter)
# ---------------------------------------------------------------------------------------------
QUARTER_PAKN_2023Q3 = 97            # [001]: 97 PAKN in Q3/2023, all answered on time
RECEIVED_2023Q3 = 9436              # [001]: 9.436 filings, 100 % online, 0 in person
PORTAL_OVERDUE_2024Q1 = 83          # VB 1238/VP-HCC quoted in [000]: 83 filings overdue on the portal


def _year_param(period: str, values: dict[str, float]) -> float:
    return values[period[:4]]


def filing_tables(seed: int = SEED) -> pd.DataFrame:
    """Per-procedure filing counts of Sở Công Thương for every quarter 2023Q1–2025Q2 and both sources
    ("Hệ thống một cửa", "Cổng DVCQG"), English keys, one row per (period, source, procedure)."""
    cat = procedure_catalog(seed)
    n = len(cat)
    weight = cat["typical_filings"].to_numpy()
    is_promo = cat["procedure_name"].isin(PROMOTION_NOTICES).to_numpy()
    is_misconf = cat["procedure_name"].isin(MISCONFIGURED_DEADLINES).to_numpy()
    has_fee = (cat["has_fee"] == "Có").to_numpy()
    vol_rng = _rng(seed, "quarter-volumes")
    frames = []
    counts_by_period: dict[str, tuple[dict, dict]] = {}
    for period in PERIODS:
        rng = _rng(seed, "filings", period)
        quarter_total = RECEIVED_2023Q3 if period == "2023Q3" else int(vol_rng.integers(5200, 9300))
        # Volume per procedure: heavily concentrated (promotion notices are most filings).
        p = weight * rng.gamma(12.0, 1 / 12.0, n)
        received = rng.multinomial(quarter_total, p / p.sum())
        if period in PROMOTION_VOLUME_FACTOR:
            # fewer promotion notices this quarter: the mix behind the fall of online services in the next one
            received = np.where(is_promo, _rng(seed, "promotion-volume", period).binomial(
                received, PROMOTION_VOLUME_FACTOR[period]), received)
        all_online = period == "2023Q3"
        carried = np.zeros(n, int) if all_online else rng.binomial(received, 0.015)
        new = received - carried
        in_person = np.zeros(n, int) if all_online else rng.binomial(new, np.where(is_promo, 0.0, 0.03))
        postal = np.zeros(n, int) if all_online else rng.binomial(new - in_person, np.where(is_promo, 0.0, 0.01))
        online = new - in_person - postal
        pending = rng.binomial(received, 0.04)
        resolved = received - pending
        early = rng.binomial(resolved, 0.45)
        on_time = resolved - early
        zeros = np.zeros(n, int)
        digitized = rng.binomial(received, _year_param(period, {"2023": 0.003, "2024": 0.007, "2025": 0.02}))
        e_results = rng.binomial(resolved, _year_param(period, {"2023": 0.01, "2024": 0.015, "2025": 0.035}))
        reused = rng.binomial(digitized, 0.3)
        fee = np.where(has_fee, received, 0)
        pay_share = 0.25 + 0.04 * PERIODS.index(period)
        payments = rng.binomial(fee, pay_share)
        synced = rng.binomial(received, np.where(is_promo, rng.uniform(0.10, 0.25), 0.97))
        pakn_total = QUARTER_PAKN_2023Q3 if period == "2023Q3" else int(rng.integers(45, 130))
        pakn = rng.multinomial(pakn_total, (weight + 1) / (weight + 1).sum())
        pakn_on_time = pakn if period == "2023Q3" else pakn - rng.binomial(pakn, 0.015)
        pakn_satisfied = pakn if period == "2023Q3" else rng.binomial(pakn, 0.97)
        own = {
            "received_total": received, "received_online": online, "received_in_person": in_person,
            "received_postal": postal, "carried_over": carried, "resolved_total": resolved,
            "resolved_early": early, "resolved_on_time": on_time, "resolved_late": zeros,
            "pending_total": pending, "pending_within_time": pending, "pending_overdue": zeros,
            "digitized_components": digitized, "electronic_results": e_results, "reused_data": reused,
            "fee_filings": fee, "online_payments": payments, "synced_filings": synced,
            "feedback_total": pakn, "feedback_on_time": pakn_on_time, "feedback_satisfied": pakn_satisfied,
        }
        portal = dict(own)
        # Promotion notices are filed on separate software: the portal sees most of them as in-person.
        promo_online_share = 0.06 + 0.03 * PERIODS.index(period)
        portal_online = np.where(is_promo, rng.binomial(online, promo_online_share), online)
        portal["received_online"] = portal_online
        portal["received_in_person"] = in_person + (online - portal_online)
        # Components and results are not digitized in the one-stop software: the portal sees almost none.
        portal["digitized_components"] = rng.binomial(digitized, 0.4)
        portal["electronic_results"] = rng.binomial(e_results, 0.4)
        portal["reused_data"] = rng.binomial(portal["digitized_components"], 0.3)
        # Deadlines configured in another unit: filings closed on time locally are overdue on the portal.
        overdue = _portal_overdue(rng, period, received, is_misconf)
        if "timeliness" in PUBLISHED_SCT.get(period, {}):
            overdue = _rescale(overdue, _solve_overdue(received.sum(), overdue.sum(), PUBLISHED_SCT[period]["timeliness"]))
        pend_over = np.minimum(pending, rng.binomial(overdue, 0.25))
        late = overdue - pend_over
        if np.any(late > resolved):
            raise AssertionError(f"{period}: more late filings than resolved ones")
        from_on_time = np.minimum(late, on_time)
        portal["resolved_late"] = late
        portal["resolved_on_time"] = on_time - from_on_time
        portal["resolved_early"] = early - (late - from_on_time)
        portal["pending_overdue"] = pend_over
        portal["pending_within_time"] = pending - pend_over
        counts_by_period[period] = (own, portal)
    # The quarters with published scores, latest first: 2024Q1's promotion notices go online at 2024Q2's rate.
    promo_online_rate = None
    for period in sorted(PUBLISHED_SCT, reverse=True):
        promo_online_rate = _portal_story(seed, period, counts_by_period[period][1], cat, promo_online_rate)
    for period in PERIODS:
        for source, counts in zip((SOURCE_ONE_STOP, SOURCE_PORTAL), counts_by_period[period]):
            frame = pd.DataFrame({
                "period": period, "unit": SCT, "procedure_code": cat["procedure_code"],
                "procedure_name": cat["procedure_name"], "department": cat["department"], "count_source": source,
            })
            for key in COUNT_FIELDS:
                frame[key] = np.asarray(counts[key], dtype=np.int64)
            frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def _portal_overdue(rng: np.random.Generator, period: str, received: np.ndarray, is_misconf: np.ndarray) -> np.ndarray:
    """Filings the portal counts overdue per procedure (only misconfigured procedures have any)."""
    overdue = np.zeros(len(received), int)
    idx = np.flatnonzero(is_misconf)
    if period == "2024Q1":
        # Exactly the 83 of VB 1238/VP-HCC, each misconfigured procedure at least once.
        if np.any(received[idx] < 5):
            raise AssertionError("2024Q1: a misconfigured procedure has too few filings to be overdue")
        share = rng.multinomial(PORTAL_OVERDUE_2024Q1 - len(idx), received[idx] / received[idx].sum())
        overdue[idx] = np.minimum(1 + share, received[idx])
        if overdue.sum() != PORTAL_OVERDUE_2024Q1:
            raise AssertionError("2024Q1 portal overdue allocation missed 83")
        return overdue
    overdue[idx] = rng.binomial(received[idx], rng.uniform(0.06, 0.2))
    return overdue


# ---------------------------------------------------------------------------------------------
# The quarters with published scores: portal counts solved so that the engine gives the published figures
# ---------------------------------------------------------------------------------------------
# Sở Công Thương's published component scores (data/raw/published/so-cong-thuong-dong-nai.csv): 2024Q1 from
# VB 1237/VP-HCC 08/5/2024 (only these two were published), 2024Q2 from VB 1937/VP-HCC 09/7/2024 (total 63,48).
PUBLISHED_SCT: dict[str, dict[str, float]] = {
    "2024Q1": {"digitization": 0.11, "online_services": 10.49},
    "2024Q2": {"transparency": 18.0, "timeliness": 19.8, "digitization": 0.22, "online_services": 7.46,
               "satisfaction": 18.0},
}
# Promotion notices received in 2024Q1 as a share of the drawn volume: fewer than in 2024Q2, so the portal's
# online filing share (promotion notices count as in person there) falls in 2024Q2 by mix, not by rate.
PROMOTION_VOLUME_FACTOR = {"2024Q1": 0.25}
# The procedures with at least one filing the portal counts as online (the two promotion notices and the
# busiest others); the portal counts every other procedure's filings as in person.
PORTAL_ONLINE_PROCEDURES_SEEN = 20
# What the online payment part is solved near: share of fee-bearing filings paid online, and fee procedures
# with an online payment (the portal's payment platform sees few payments, fewer in 2024Q2).
PORTAL_PAYMENT_RATE = {"2024Q1": 0.17, "2024Q2": 0.04}
PORTAL_PAID_PROCEDURES = {"2024Q1": 30, "2024Q2": 8}
# Share of the digitization points from electronic results (the rest from digitized components).
ELECTRONIC_RESULT_POINTS_SHARE = 0.7
REUSED_SHARE_OF_DIGITIZED = 0.3


def _points(code: str, numerator, denominator, **extra) -> float | None:
    """Points the scoring engine awards one v2025 sub-indicator for counts."""
    return subindicator_points(load_definition().subindicator(code), numerator, denominator, **extra)


def _allocate(total: int, weights: np.ndarray, caps: np.ndarray) -> np.ndarray:
    """``total`` split over positions in proportion to ``weights`` (largest remainder), none above its cap."""
    weights = np.asarray(weights, dtype=float)
    caps = np.asarray(caps, dtype=np.int64)
    out = np.zeros(len(weights), np.int64)
    if total > caps.sum():
        raise AssertionError(f"cannot place {total} in capacity {caps.sum()}")
    left = int(total)
    while left > 0:
        room = caps - out
        w = np.where(room > 0, weights, 0.0)
        if w.sum() == 0:
            w = (room > 0).astype(float)
        share = left * w / w.sum()
        step = np.minimum(np.floor(share).astype(np.int64), room)
        rest = left - int(step.sum())
        if rest > 0:
            order = np.argsort(-(share - np.floor(share)), kind="stable")
            for i in order:
                if rest == 0:
                    break
                if room[i] - step[i] > 0 and w[i] > 0:
                    step[i] += 1
                    rest -= 1
        if step.sum() == 0:
            raise AssertionError("allocation made no progress")
        out += step
        left = int(total - out.sum())
    return out


def _rescale(values: np.ndarray, total: int) -> np.ndarray:
    """Integer values with the same proportions summing to ``total`` (each at most its old value when scaling down)."""
    return _allocate(total, values, np.maximum(values, total if total > values.sum() else values))


def _solve_overdue(received: int, drawn: int, target: float) -> int:
    """The number of portal-overdue filings nearest the drawn one for which DVC_PROGRESS_ON_TIME scores ``target``."""
    for x in sorted(range(received + 1), key=lambda x: (abs(x - drawn), x)):
        if _points("DVC_PROGRESS_ON_TIME", received - x, received) == target:
            return x
    raise AssertionError(f"no overdue count gives {target}")


def portal_online_seen(cat: pd.DataFrame) -> np.ndarray:
    """Which procedures have filings the portal counts online: the promotion notices and the busiest others."""
    is_promo = cat["procedure_name"].isin(PROMOTION_NOTICES).to_numpy()
    order = np.argsort(-cat["typical_filings"].to_numpy(), kind="stable")
    others = [i for i in order if not is_promo[i]][:PORTAL_ONLINE_PROCEDURES_SEEN - int(is_promo.sum())]
    seen = is_promo.copy()
    seen[others] = True
    return seen


def _solve_payment(target: float, fee_filings: int, fee_procedures: int, rate: float, procedures: int,
                   max_procedures: int) -> tuple[int, int]:
    """(fee procedures paid online, filings paid online) nearest the wanted ones for which ONLINE_PAYMENT_TOTAL
    scores ``target`` (part 3 taken as 0, as ``analyses.explain`` takes it)."""
    sub = load_definition().subindicator("ONLINE_PAYMENT_TOTAL")
    want_n = rate * fee_filings
    best = None
    for m in range(1, max_procedures + 1):
        part2 = payment_part_points(sub.parts[1], m, fee_procedures)
        needed = round(target - part2, 2)
        if needed < 0:
            continue
        for n in sorted(range(m, fee_filings + 1), key=lambda n: (abs(n - want_n), n)):
            got = payment_part_points(sub.parts[0], n, fee_filings)
            if got == needed:
                cost = abs(n - want_n) / fee_filings + abs(m - procedures) / fee_procedures
                if best is None or cost < best[0]:
                    best = (cost, m, n)
                break
            if got > needed and n > want_n:
                break
    if best is None:
        raise AssertionError(f"no online payment counts give {target}")
    m, n = best[1], best[2]
    check = _points("ONLINE_PAYMENT_TOTAL", n, fee_filings, totalDossierOnlineFormalityPaymentSuccess=m,
                    totalFeeDossierFormalityDistinct=fee_procedures, totalFeeDossierFormality=0,
                    totalFeeFormality=fee_procedures)
    if check != target:
        raise AssertionError(f"online payment solved to {check}, not {target}")
    return m, n


def _solve_digitization(target: float, received: int, resolved: int) -> tuple[int, int, int]:
    """(electronic results, digitized filings, reused) near a split of ``target`` for which the digitization group
    (electronic results, digitized components, reused data; the connection sub-indicators at 0) scores it."""
    e0 = ELECTRONIC_RESULT_POINTS_SHARE * target / 6.0 * resolved
    d0 = (1 - ELECTRONIC_RESULT_POINTS_SHARE) * target / 4.0 * received
    e_range = range(max(0, int(e0) - 150), min(resolved, int(e0) + 150) + 1)
    d_range = range(max(0, int(d0) - 150), min(received, int(d0) + 150) + 1)
    e_pts = {e: _points("ORIGINAL_RESULT_AVAILABLE", e, resolved) for e in e_range}
    d_pts = {d: _points("SO_HOA_GIAY_TO_GIAI_QUYET", d, received)
             + _points("REUSED_DIGITIZED_DATA", int(round(REUSED_SHARE_OF_DIGITIZED * d)), received) for d in d_range}
    best = None
    for e, pe in e_pts.items():
        for d, pd_ in d_pts.items():
            if round(pe + pd_, 2) == target:
                cost = abs(e - e0) / resolved + abs(d - d0) / received
                if best is None or cost < best[0]:
                    best = (cost, e, d)
    if best is None:
        raise AssertionError(f"no digitization counts give {target}")
    return best[1], best[2], int(round(REUSED_SHARE_OF_DIGITIZED * best[2]))


def _portal_story(seed: int, period: str, portal: dict, cat: pd.DataFrame, promo_online_rate: float | None) -> float:
    """Rewrite one published quarter's portal counts (in place) so that the engine gives the published scores.

    Transparency and satisfaction: every filing synced, all feedback on time and satisfied. Online services: only
    ``portal_online_seen`` procedures have online filings; the promotion notices' online share is the next
    quarter's (``promo_online_rate``) or, for the latest quarter, whatever keeps the drawn online total; online
    payments and digitization are solved for the published figure. Returns the promotion notices' online share.
    """
    targets = PUBLISHED_SCT[period]
    is_promo = cat["procedure_name"].isin(PROMOTION_NOTICES).to_numpy()
    has_fee = (cat["has_fee"] == "Có").to_numpy()
    received, resolved = portal["received_total"], portal["resolved_total"]
    portal["synced_filings"] = received.copy()
    portal["feedback_on_time"] = portal["feedback_total"].copy()
    portal["feedback_satisfied"] = portal["feedback_total"].copy()
    # online filings: the portal counts only the seen procedures' filings as online
    new = portal["received_online"] + portal["received_in_person"] + portal["received_postal"]
    seen = portal_online_seen(cat)
    online = np.where(seen, portal["received_online"], 0)
    if promo_online_rate is None:
        missing = int(portal["received_online"].sum() - online.sum())
        room = new[is_promo] - online[is_promo]
        online[is_promo] += _allocate(missing, room, room)
    else:
        online[is_promo] = np.minimum(np.round(promo_online_rate * new[is_promo]).astype(np.int64), new[is_promo])
    portal["received_in_person"] = new - online - portal["received_postal"]
    portal["received_online"] = online
    rate = float(online[is_promo].sum() / new[is_promo].sum())
    if "online_services" in targets:
        used = int((seen & (online > 0)).sum())
        fixed = (_points("ONLINE_PROCEDURES", len(cat), len(cat)) + _points("ONLINE_SERVICES_USED", used, len(cat))
                 + _points("ONLINE_FILING_SHARE", int(online.sum()), int(new.sum())))
        fee = np.where(has_fee, portal["fee_filings"], 0)
        paying = np.flatnonzero(fee > 0)
        m, n = _solve_payment(round(targets["online_services"] - fixed, 2), int(fee.sum()), int(has_fee.sum()),
                              PORTAL_PAYMENT_RATE[period], PORTAL_PAID_PROCEDURES[period], len(paying))
        chosen = paying[np.argsort(-fee[paying], kind="stable")[:m]]
        payments = np.zeros(len(cat), np.int64)
        payments[chosen] = 1 + _allocate(n - m, fee[chosen], fee[chosen] - 1)
        portal["online_payments"] = payments
    if "digitization" in targets:
        e, d, u = _solve_digitization(targets["digitization"], int(received.sum()), int(resolved.sum()))
        others = ~is_promo
        electronic = np.zeros(len(cat), np.int64)
        electronic[others] = _allocate(e, resolved[others], resolved[others])
        digitized = np.zeros(len(cat), np.int64)
        digitized[others] = _allocate(d, received[others], received[others])
        portal["electronic_results"] = electronic
        portal["digitized_components"] = digitized
        portal["reused_data"] = _allocate(u, digitized, digitized)
    return rate


def generate_filing_rows(n_rows: int, seed: int = SEED) -> pd.DataFrame:
    """``n_rows`` synthetic filing-count rows (English keys, every invariant holds), for benchmarks.

    Text columns are categoricals; counts are int32. Vectorised: 10 million rows take a few seconds.
    """
    n = int(n_rows)
    rng = np.random.default_rng(seed)
    cat = procedure_catalog()
    weight = cat["typical_filings"].to_numpy()
    p = 0.5 * weight / weight.sum() + 0.5 / len(cat)
    proc = rng.choice(len(cat), size=n, p=p).astype(np.int32)
    units = DEPARTMENTS_2024 + DISTRICTS
    period = rng.integers(0, len(PERIODS), n, dtype=np.int32)
    unit = rng.integers(0, len(units), n, dtype=np.int32)
    source = rng.integers(0, 2, n, dtype=np.int32)

    def u() -> np.ndarray:
        return rng.random(n, dtype=np.float32)

    def part(whole: np.ndarray, frac: np.ndarray) -> np.ndarray:
        # floor(whole * frac) with 0 <= frac <= 1 never exceeds whole (whole < 2**24, exact in float32)
        return (whole * frac).astype(np.int32)

    mean = (np.sqrt(weight) * 4 + 1).astype(np.float32)[proc]
    received = np.minimum(mean * rng.standard_exponential(n, dtype=np.float32), 1_000_000).astype(np.int32)
    carried = part(received, 0.04 * u())
    new = received - carried
    online = part(new, 0.8 + 0.2 * u())
    rest = new - online
    postal = part(rest, 0.1 * u())
    in_person = rest - postal
    pending = part(received, 0.08 * u())
    resolved = received - pending
    late = part(resolved, 0.02 * u())
    rest_resolved = resolved - late
    early = part(rest_resolved, u())
    on_time = rest_resolved - early
    overdue = part(pending, 0.3 * u())
    within = pending - overdue
    digitized = part(received, 0.1 * u())
    e_results = part(resolved, 0.1 * u())
    reused = part(digitized, 0.5 * u())
    fee = np.where((cat["has_fee"] == "Có").to_numpy()[proc], received, 0).astype(np.int32)
    payments = part(fee, u())
    synced = part(received, 0.8 + 0.2 * u())
    feedback = part(received, 0.03 * u())
    feedback_on_time = part(feedback, 0.9 + 0.1 * u())
    feedback_satisfied = part(feedback, 0.85 + 0.15 * u())
    departments = sorted(set(cat["department"]))
    dept_code = np.array([departments.index(d) for d in cat["department"]], dtype=np.int32)[proc]
    data = {
        "period": pd.Categorical.from_codes(period, categories=list(PERIODS)),
        "unit": pd.Categorical.from_codes(unit, categories=list(units)),
        "procedure_code": pd.Categorical.from_codes(proc, categories=cat["procedure_code"].tolist()),
        "procedure_name": pd.Categorical.from_codes(proc, categories=cat["procedure_name"].tolist()),
        "department": pd.Categorical.from_codes(dept_code, categories=departments),
        "count_source": pd.Categorical.from_codes(source, categories=[SOURCE_ONE_STOP, SOURCE_PORTAL]),
        "received_total": received, "received_online": online, "received_in_person": in_person,
        "received_postal": postal, "carried_over": carried, "resolved_total": resolved,
        "resolved_early": early, "resolved_on_time": on_time, "resolved_late": late,
        "pending_total": pending, "pending_within_time": within, "pending_overdue": overdue,
        "digitized_components": digitized, "electronic_results": e_results, "reused_data": reused,
        "fee_filings": fee, "online_payments": payments, "synced_filings": synced,
        "feedback_total": feedback, "feedback_on_time": feedback_on_time, "feedback_satisfied": feedback_satisfied,
    }
    return pd.DataFrame(data, columns=list(FILING_FIELDS))


XLSX_MAX_ROWS = 1_048_576


def write_filing_export(path: str | Path, n_rows: int, seed: int = SEED) -> Path:
    """The path of a filing export of ``n_rows`` synthetic rows in the Vietnamese template layout:
    CSV (UTF-8 with BOM, ``,``) or, for a ``.xlsx`` path, a workbook written with xlsxwriter constant_memory."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    df = generate_filing_rows(n_rows, seed)
    headers = [FILING_HEADERS[k] for k in FILING_FIELDS]
    if path.suffix.lower() == ".xlsx":
        if n_rows + 1 > XLSX_MAX_ROWS:
            raise ValueError(f"{n_rows} rows do not fit in one xlsx sheet (max {XLSX_MAX_ROWS - 1})")
        wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
        wb.set_properties(_workbook_properties("Số liệu hồ sơ (tổng hợp, minh họa cho đo hiệu năng)"))
        ws = wb.add_worksheet("So lieu ho so")
        ws.write_row(0, 0, headers, wb.add_format({"bold": True}))
        chunk = 50_000
        for start in range(0, len(df), chunk):
            part = df.iloc[start:start + chunk]
            columns = [part[c].astype(str).tolist() if c in FILING_FIELDS[:6] else part[c].tolist()
                       for c in FILING_FIELDS]
            for offset, row in enumerate(zip(*columns)):
                ws.write_row(start + offset + 1, 0, row)
        wb.close()
    else:
        df.rename(columns=FILING_HEADERS).to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\r\n")
    return path


# ---------------------------------------------------------------------------------------------
# Index result tables
# ---------------------------------------------------------------------------------------------
def _component_key(header: object) -> str | None:
    """The five-group key (or "total"/"grade") a published column header names, else None."""
    if header is None:
        return None
    text = fold(str(header).split("(")[0])
    for g in load_definition().version("v2022").groups:
        if text in {fold(a) for a in (g.label_vi, *g.aliases)}:
            return g.key
    if text in {"tong diem", "tong"}:
        return "total"
    if text == "xep loai":
        return "grade"
    return None


def _fixture_index_scores() -> dict[str, dict[str, dict[str, float | None]]]:
    """Component scores per period and unit read from the two fixture tables (None = not published)."""
    keys = _component_keys()
    out: dict[str, dict[str, dict[str, float | None]]] = {}
    with open(FIXTURE_INDEX_DIR / FIXTURE_INDEX_FILES["2024Q1"], encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    cols = {_component_key(h): i for i, h in enumerate(rows[0])}
    unit_col = [fold(h) for h in rows[0]].index("don vi")
    out["2024Q1"] = {
        r[unit_col]: {k: (float(r[cols[k]].replace(",", ".")) if r[cols[k]].strip() else None) for k in keys}
        for r in rows[1:] if r
    }
    ws = openpyxl.load_workbook(FIXTURE_INDEX_DIR / FIXTURE_INDEX_FILES["2024Q2"], read_only=True).worksheets[0]
    values = list(ws.iter_rows(values_only=True))
    header_row = next(r for r in values if sum(_component_key(c) in keys for c in r) == len(keys))
    cols = {_component_key(h): i for i, h in enumerate(header_row)}
    out["2024Q2"] = {r[1]: {k: float(r[cols[k]]) for k in keys}
                     for r in values if isinstance(r[0], int) and r[1]}
    return out


def _component_keys() -> tuple[str, ...]:
    return tuple(g.key for g in load_definition().version("v2022").groups)


def _max_points() -> dict[str, float]:
    return {g.key: g.max_points for g in load_definition().version("v2022").groups}


TRANSPARENCY_LEVELS = (16.2, 17.5, 18.0)  # the values Đồng Nai's tables show for this component
STEP_SD = {"timeliness": 0.45, "digitization": 1.8, "online_services": 1.8, "satisfaction": 0.55}
# Sở Công Thương's illustrative range per generated quarter: digitization stays very low, online 6–12.
SCT_DIGITIZATION_RANGE = {"2023": (0.0, 0.4), "2024": (0.2, 1.2), "2025": (0.6, 2.0)}
SCT_ONLINE_RANGE = {"2023Q1": (10.0, 12.0), "2023Q2": (9.5, 12.0), "2023Q3": (9.5, 12.0), "2023Q4": (9.0, 11.5),
                    "2024Q3": (6.0, 8.5), "2024Q4": (6.5, 9.0), "2025Q1": (7.5, 10.5), "2025Q2": (8.0, 11.0)}


def _step(rng: np.random.Generator, key: str, value: float, anchor: float, max_points: float) -> float:
    if key == "transparency":
        return value if rng.random() < 0.6 else float(rng.choice(TRANSPARENCY_LEVELS))
    nxt = value + 0.25 * (anchor - value) + rng.normal(0.0, STEP_SD[key])
    return round(float(min(max(nxt, 0.0), max_points)), 2)


def index_tables(seed: int = SEED) -> pd.DataFrame:
    """Illustrative provincial result rows (period, unit_level, unit, five components, total, grade) for
    every generated quarter: random walks from each unit's fixture values, clipped to [0, max]."""
    keys = _component_keys()
    maxima = _max_points()
    fixture = _fixture_index_scores()
    q1, q2 = fixture["2024Q1"], fixture["2024Q2"]
    walk: dict[str, dict[str, dict[str, float]]] = {p: {} for p in PERIODS}
    backward = ("2023Q4", "2023Q3", "2023Q2", "2023Q1")
    forward = ("2024Q3", "2024Q4")
    for unit in DEPARTMENTS_2024 + DISTRICTS:
        rng = _rng(seed, "index-walk", unit)
        start_back = {k: (q1[unit][k] if q1[unit][k] is not None else q2[unit][k]) for k in keys}
        anchor = {k: (start_back[k] + q2[unit][k]) / 2 for k in keys}
        value = dict(start_back)
        for period in backward:
            value = {k: _step(rng, k, value[k], anchor[k], maxima[k]) for k in keys}
            walk[period][unit] = value
        value = dict(q2[unit])
        for period in forward:
            value = {k: _step(rng, k, value[k], anchor[k], maxima[k]) for k in keys}
            walk[period][unit] = value
    # 2025: merged departments continue from the mean of the units they absorbed.
    for unit in departments_for("2025Q1") + DISTRICTS:
        rng = _rng(seed, "index-walk-2025", unit)
        group = [u for u in DEPARTMENTS_2024 + DISTRICTS if MERGED_INTO.get(u, u) == unit]
        value = {k: float(np.mean([walk["2024Q4"][u][k] for u in group])) for k in keys}
        if len(group) > 1:
            value["transparency"] = min(TRANSPARENCY_LEVELS, key=lambda t: abs(t - value["transparency"]))
        anchor = dict(value)
        for period in ("2025Q1", "2025Q2"):
            value = {k: _step(rng, k, value[k], anchor[k], maxima[k]) for k in keys}
            walk[period][unit] = value
    sct_rng = _rng(seed, "index-sct")
    for period in GENERATED_INDEX_PERIODS:
        lo, hi = SCT_DIGITIZATION_RANGE[period[:4]]
        walk[period][SCT] = {
            "transparency": float(sct_rng.choice((17.5, 18.0, 18.0))),
            "timeliness": round(float(sct_rng.uniform(19.3, 20.0)), 2),
            "digitization": round(float(sct_rng.uniform(lo, hi)), 2),
            "online_services": round(float(sct_rng.uniform(*SCT_ONLINE_RANGE[period])), 2),
            "satisfaction": float(sct_rng.choice((17.6, 18.0, 18.0))),
        }
    definition = load_definition()
    rows = []
    for period in GENERATED_INDEX_PERIODS:
        for level, units in ((LEVEL_DEPARTMENT, departments_for(period)), (LEVEL_DISTRICT, DISTRICTS)):
            for unit in units:
                scores = {k: round(walk[period][unit][k], 2) for k in keys}
                total = round(sum(scores.values()), 2)
                rows.append({"period": period, "unit_level": level, "unit": unit, **scores,
                             "total": total, "grade": definition.grade_for(total).label_vi})
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class IndexLayout:
    """How one quarter's published table is laid out (the variations real files show)."""
    kind: str = "xlsx"
    columns: tuple[str, ...] = ("stt", "unit", "transparency", "timeliness", "online_services",
                                "satisfaction", "digitization", "total", "grade")
    two_row_header: bool = True
    points_suffix: bool = True
    hoa_spelling: bool = False        # "Số hoá hồ sơ" instead of "Số hóa hồ sơ"
    text_numbers: bool = False        # numbers typed as text with a decimal comma
    nfd: bool = False                 # every text decomposed to Unicode NFD
    cover_sheet: bool = False         # the table starts on the second sheet
    unit_aliases: dict[str, str] = field(default_factory=dict)
    csv_headers: tuple[str, ...] = ()


_NATURAL = ("transparency", "timeliness", "digitization", "online_services", "satisfaction")
INDEX_LAYOUTS = {
    "2023Q1": IndexLayout(cover_sheet=True),
    "2023Q2": IndexLayout(columns=("stt", "unit", *_NATURAL, "total", "grade"), two_row_header=False,
                          points_suffix=False, hoa_spelling=True),
    "2023Q3": IndexLayout(kind="csv", csv_headers=(
        "Kỳ", "Khối", "Đơn vị", "Công khai minh bạch", "Tiến độ giải quyết đúng hạn", "Số hóa hồ sơ",
        "Dịch vụ công trực tuyến", "Mức độ hài lòng", "Tổng điểm", "Xếp loại")),
    "2023Q4": IndexLayout(columns=("stt", "unit", "total", "grade", *_NATURAL), text_numbers=True),
    "2024Q3": IndexLayout(),
    "2024Q4": IndexLayout(kind="csv", csv_headers=(
        "Kỳ", "Khối", "Đơn vị", "Công khai, minh bạch", "Tiến độ giải quyết", "Số hóa hồ sơ",
        "Dịch vụ công trực tuyến", "Mức độ hài lòng", "Tổng điểm", "Xếp loại")),
    "2025Q1": IndexLayout(columns=("stt", "unit", "transparency", "timeliness", "online_services",
                                   "satisfaction", "digitization", "total", "grade", "note"),
                          unit_aliases={"UBND thành phố Long Khánh": "UBND TP. Long Khánh"}),
    "2025Q2": IndexLayout(nfd=True),
}


def index_file_name(period: str, kind: str) -> str:
    """``ket-qua-766-quy-III-2024.xlsx`` for ``2024Q3``."""
    return f"ket-qua-766-quy-{ROMAN_OUT[int(period[5])]}-{period[:4]}.{kind}"


def vn_number(value: float) -> str:
    """A score as Vietnamese publications print it: decimal comma, no trailing zeros (19,8; 18; 0,22)."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text.replace(".", ",")


def _grade_note() -> str:
    grades = sorted(load_definition().grades, key=lambda g: -g.min_points)
    parts = []
    for i, g in enumerate(grades):
        upper = grades[i - 1].min_points if i else None
        if i == 0:
            parts.append(f"{g.label_vi} từ {g.min_points:g} điểm")
        elif g.min_points > 0:
            parts.append(f"{g.label_vi} từ {g.min_points:g} đến dưới {upper:g} điểm")
        else:
            parts.append(f"{g.label_vi} dưới {upper:g} điểm")
    return "Ghi chú: Xếp loại " + "; ".join(parts) + "."


def _index_header(key: str, layout: IndexLayout) -> str:
    maxima = _max_points()
    if key == "stt":
        return "STT"
    if key == "unit":
        return "Tên đơn vị"
    if key == "grade":
        return "Xếp loại"
    if key == "note":
        return "Ghi chú"
    if key == "total":
        return "Tổng điểm" + ("\n(100 điểm)" if layout.points_suffix else "")
    label = load_definition().version("v2022").group(key).label_vi
    if layout.hoa_spelling:
        label = label.replace("hóa", "hoá")
    return label + (f"\n({maxima[key]:g} điểm)" if layout.points_suffix else "")


def _workbook_properties(title: str) -> dict:
    return {"title": title, "subject": "Dữ liệu minh họa", "author": "analytics.demo.generator",
            "comments": ILLUSTRATIVE_NOTE, "created": WORKBOOK_TIMESTAMP}


def _merge_note(unit: str, period: str) -> str:
    absorbed = [old for old, new in MERGED_INTO.items() if new == unit]
    if not absorbed or period < MERGER_PERIOD:
        return ""
    return f"Hợp nhất {' và '.join(absorbed)} từ 01/3/2025 (minh họa)"


def _write_index_xlsx(path: Path, period: str, table: pd.DataFrame, layout: IndexLayout) -> None:
    def t(text: str) -> str:
        return unicodedata.normalize("NFD", text) if layout.nfd else text

    label = period_label(period).upper()
    title = f"KẾT QUẢ BỘ CHỈ SỐ PHỤC VỤ NGƯỜI DÂN, DOANH NGHIỆP {label}"
    wb = xlsxwriter.Workbook(str(path), {"in_memory": True})
    wb.set_properties({k: (t(v) if isinstance(v, str) else v) for k, v in _workbook_properties(t(title)).items()})
    bold = wb.add_format({"bold": True})
    center_bold = wb.add_format({"bold": True, "align": "center", "valign": "vcenter"})
    italic = wb.add_format({"italic": True, "align": "center"})
    head = wb.add_format({"bold": True, "align": "center", "valign": "vcenter", "text_wrap": True, "border": 1})
    cell = wb.add_format({"border": 1})
    section = wb.add_format({"border": 1, "bold": True})
    if layout.cover_sheet:
        cover = wb.add_worksheet(t("Bìa"))
        cover.set_column(0, 0, 90)
        for r, line in enumerate(("UBND TỈNH ĐỒNG NAI", "VĂN PHÒNG", "", "PHỤ LỤC", title,
                                  ILLUSTRATIVE_NOTE, "", "Bảng kết quả ở trang tính tiếp theo.")):
            if line:
                cover.write(r, 0, t(line), center_bold if r in (3, 4) else None)
    ws = wb.add_worksheet(t(f"Quy {ROMAN_OUT[int(period[5])]}.{period[:4]}"))
    cols = layout.columns
    last = len(cols) - 1
    ws.write(0, 0, t("UBND TỈNH ĐỒNG NAI"), bold)
    ws.write(0, max(last - 3, 2), t("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"), bold)
    ws.write(1, 0, t("VĂN PHÒNG"), bold)
    ws.write(1, max(last - 3, 2), t("Độc lập - Tự do - Hạnh phúc"), bold)
    ws.merge_range(3, 0, 3, last, t(title), center_bold)
    ws.merge_range(4, 0, 4, last, t(ILLUSTRATIVE_NOTE), italic)
    top = 6
    comp_idx = [i for i, c in enumerate(cols) if c in _NATURAL]
    if layout.two_row_header:
        if comp_idx != list(range(comp_idx[0], comp_idx[-1] + 1)):
            raise ValueError("components must be contiguous under the grouped header")
        ws.merge_range(top, comp_idx[0], top, comp_idx[-1], t("Điểm các nhóm chỉ số"), head)
        for i, key in enumerate(cols):
            if i in comp_idx:
                ws.write(top + 1, i, t(_index_header(key, layout)), head)
            else:
                ws.merge_range(top, i, top + 1, i, t(_index_header(key, layout)), head)
        row = top + 2
    else:
        for i, key in enumerate(cols):
            ws.write(top, i, t(_index_header(key, layout)), head)
        row = top + 1
    stt = 0
    for roman, level in (("I", LEVEL_DEPARTMENT), ("II", LEVEL_DISTRICT)):
        ws.write(row, 0, roman, section)
        ws.write(row, 1, t(level), section)
        for i in range(2, len(cols)):
            ws.write_blank(row, i, None, section)
        row += 1
        for rec in table[table["unit_level"] == level].to_dict("records"):
            stt += 1
            for i, key in enumerate(cols):
                if key == "stt":
                    ws.write_number(row, i, stt, cell)
                elif key == "unit":
                    ws.write_string(row, i, t(layout.unit_aliases.get(rec["unit"], rec["unit"])), cell)
                elif key == "grade":
                    ws.write_string(row, i, t(rec["grade"]), cell)
                elif key == "note":
                    note = _merge_note(rec["unit"], period)
                    ws.write(row, i, t(note) if note else None, cell)
                elif layout.text_numbers:
                    ws.write_string(row, i, vn_number(rec[key]), cell)
                else:
                    ws.write_number(row, i, rec[key], cell)
            row += 1
    ws.write(row + 1, 0, t(_grade_note()))
    ws.set_column(0, 0, 6)
    ws.set_column(1, 1, 42)
    ws.set_column(2, last, 14)
    ws.set_row(top, 30)
    if layout.two_row_header:
        ws.set_row(top + 1, 45)
    wb.close()


def _write_index_csv(path: Path, period: str, table: pd.DataFrame, layout: IndexLayout) -> None:
    keys = ("period", "unit_level", "unit", *_NATURAL, "total", "grade")
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh, delimiter=";", lineterminator="\r\n")
        w.writerow(layout.csv_headers)
        for rec in table.to_dict("records"):
            row = []
            for key in keys:
                if key == "period":
                    row.append(period_label(period))
                elif key in ("unit_level", "unit", "grade"):
                    row.append(rec[key])
                else:
                    row.append(vn_number(rec[key]))
            w.writerow(row)


# ---------------------------------------------------------------------------------------------
# Writers for filings, catalogue, crosswalk, templates
# ---------------------------------------------------------------------------------------------
def _write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]], delimiter: str = ",") -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh, delimiter=delimiter, lineterminator="\r\n")
        w.writerow(header)
        w.writerows(rows)


def filing_file_name(period: str, source: str) -> str:
    """``so-cong-thuong-2024Q2-mot-cua.csv`` / ``so-cong-thuong-2024Q2-cong-dvcqg.csv``."""
    return f"so-cong-thuong-{period}-{SOURCE_SLUGS[source]}.csv"


# The one-stop report replacing the 2024Q3 own-records CSV (layout of the 2024Q2 fixture report).
ONE_STOP_REPORT_PERIOD = "2024Q3"
ONE_STOP_REPORT_FILE = "bao-cao-tong-hop-TTHC-quy-III-2024.xlsx"
ONE_STOP_REPORT_FIELDS = (
    "received_total", "received_online", "received_in_person", "received_postal", "carried_over",
    "resolved_total", "resolved_early", "resolved_on_time", "resolved_late",
    "pending_total", "pending_within_time", "pending_overdue", "digitized_components", "electronic_results",
)


def _write_one_stop_report(path: Path, period: str, rows: pd.DataFrame) -> None:
    wb = xlsxwriter.Workbook(str(path), {"in_memory": True})
    title = f"BÁO CÁO TỔNG HỢP TÌNH HÌNH GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH {period_label(period).upper()}"
    wb.set_properties(_workbook_properties(title))
    bold = wb.add_format({"bold": True})
    center_bold = wb.add_format({"bold": True, "align": "center"})
    italic = wb.add_format({"italic": True, "align": "center"})
    head = wb.add_format({"bold": True, "align": "center", "valign": "vcenter", "text_wrap": True, "border": 1})
    cell = wb.add_format({"border": 1})
    wrap = wb.add_format({"border": 1, "text_wrap": True})
    total_fmt = wb.add_format({"border": 1, "bold": True})
    ws = wb.add_worksheet("BaoCao")
    ws.write(0, 0, "SỞ CÔNG THƯƠNG TỈNH ĐỒNG NAI", bold)
    ws.merge_range(2, 0, 2, 15, title, center_bold)
    ws.merge_range(3, 0, 3, 15, ILLUSTRATIVE_NOTE, italic)
    ws.merge_range(5, 0, 7, 0, "STT", head)
    ws.merge_range(5, 1, 7, 1, "Tên thủ tục hành chính", head)
    ws.merge_range(5, 2, 5, 6, "Số hồ sơ nhận giải quyết", head)
    ws.merge_range(6, 2, 7, 2, "Tổng số", head)
    ws.merge_range(6, 3, 6, 6, "Trong đó", head)
    for i, text in enumerate(("Số mới tiếp nhận trực tuyến", "Số mới tiếp nhận trực tiếp",
                              "Số mới tiếp nhận qua BCCI", "Số kỳ trước chuyển qua")):
        ws.write(7, 3 + i, text, head)
    ws.merge_range(5, 7, 5, 13, "Kết quả giải quyết", head)
    ws.merge_range(6, 7, 6, 10, "Số hồ sơ đã giải quyết", head)
    for i, text in enumerate(("Tổng số", "Trả trước hạn", "Trả đúng thời hạn", "Trả quá hạn")):
        ws.write(7, 7 + i, text, head)
    ws.merge_range(6, 11, 6, 13, "Số hồ sơ đang giải quyết", head)
    for i, text in enumerate(("Tổng số", "Chưa đến hạn", "Quá hạn")):
        ws.write(7, 11 + i, text, head)
    ws.merge_range(5, 14, 5, 15, "Số hóa", head)
    ws.merge_range(6, 14, 7, 14, "Có số hóa thành phần hồ sơ", head)
    ws.merge_range(6, 15, 7, 15, "Có kết quả điện tử", head)
    r = 8
    for stt, rec in enumerate(rows.to_dict("records"), start=1):
        ws.write_number(r, 0, stt, cell)
        ws.write_string(r, 1, rec["procedure_name"], wrap)
        for i, key in enumerate(ONE_STOP_REPORT_FIELDS):
            ws.write_number(r, 2 + i, int(rec[key]), cell)
        r += 1
    ws.write_blank(r, 0, None, total_fmt)
    ws.write_string(r, 1, "Tổng cộng", total_fmt)
    for i, key in enumerate(ONE_STOP_REPORT_FIELDS):
        ws.write_number(r, 2 + i, int(rows[key].sum()), total_fmt)
    ws.set_column(0, 0, 5)
    ws.set_column(1, 1, 60)
    ws.set_column(2, 15, 11)
    wb.close()


def crosswalk_rows() -> list[tuple[str, str, str, str, str, str, str]]:
    """Alias → canonical unit rows (``Tên hoặc mã, Đơn vị, Khối, Mã đơn vị, Từ kỳ, Đến kỳ, Ghi chú``)."""
    code_note = "Mã đơn vị minh họa (không phải mã trên Cổng DVCQG)"
    rows: list[tuple[str, str, str, str, str, str, str]] = []
    last_before_merger = "2024Q4"

    def level(unit: str) -> str:
        return LEVEL_DISTRICT if unit in DISTRICTS else LEVEL_DEPARTMENT

    for unit in DEPARTMENTS_2024 + ("Sở Nông nghiệp và Môi trường",) + DISTRICTS:
        code = UNIT_CODES[unit]
        if unit in MERGED_INTO:
            successor = MERGED_INTO[unit]
            rows.append((unit, unit, level(unit), code, "", last_before_merger, "Tên chính thức đến khi hợp nhất"))
            rows.append((code, unit, level(unit), code, "", last_before_merger, code_note))
            rows.append((unit, successor, level(successor), UNIT_CODES[successor], MERGER_PERIOD, "", MERGER_NOTE))
            rows.append((code, successor, level(successor), UNIT_CODES[successor], MERGER_PERIOD, "",
                         f"{MERGER_NOTE}; {code_note}"))
        elif unit == "Sở Nông nghiệp và Môi trường":
            rows.append((unit, unit, level(unit), code, MERGER_PERIOD, "", MERGER_NOTE))
            rows.append((code, unit, level(unit), code, MERGER_PERIOD, "", code_note))
        else:
            rows.append((unit, unit, level(unit), code, "", "", "Tên chính thức"))
            rows.append((code, unit, level(unit), code, "", "", code_note))
    aliases = (
        ("SCT", SCT, ""), ("Sở CT", SCT, ""), ("Sở Công Thương tỉnh Đồng Nai", SCT, ""),
        ("Sở Công Thương Đồng Nai", SCT, ""), ("Công Thương", SCT, "Tên lĩnh vực dùng trong báo cáo của Sở"),
        ("Sở TP", "Sở Tư pháp", ""), ("Sở TC", "Sở Tài chính", ""), ("Sở XD", "Sở Xây dựng", ""),
        ("Sở YT", "Sở Y tế", ""), ("Sở GD&ĐT", "Sở Giáo dục và Đào tạo", ""),
        ("Sở VHTTDL", "Sở Văn hóa, Thể thao và Du lịch", ""), ("Sở KH&CN", "Sở Khoa học và Công nghệ", ""),
        ("Sở NV", "Sở Nội vụ", ""), ("BQL các KCN", "Ban Quản lý các khu công nghiệp", ""),
        ("Ban Quản lý các khu công nghiệp Đồng Nai", "Ban Quản lý các khu công nghiệp", ""),
        ("UBND TP. Biên Hòa", "UBND thành phố Biên Hòa", ""),
        ("UBND TP. Long Khánh", "UBND thành phố Long Khánh", ""),
        ("UBND TP Long Khánh", "UBND thành phố Long Khánh", ""),
        ("UBND thị xã Long Khánh", "UBND thành phố Long Khánh", "Tên trước khi thành lập thành phố Long Khánh (2019)"),
    )
    for alias, unit, note in aliases:
        rows.append((alias, unit, level(unit), UNIT_CODES[unit], "", "", note))
    merged_abbreviations = (
        ("Sở KH&ĐT", "Sở Kế hoạch và Đầu tư"), ("Sở GTVT", "Sở Giao thông vận tải"),
        ("Sở TN&MT", "Sở Tài nguyên và Môi trường"), ("Sở NN&PTNT", "Sở Nông nghiệp và Phát triển nông thôn"),
        ("Sở TT&TT", "Sở Thông tin và Truyền thông"), ("Sở LĐ-TB&XH", "Sở Lao động - Thương binh và Xã hội"),
    )
    for alias, unit in merged_abbreviations:
        successor = MERGED_INTO[unit]
        rows.append((alias, unit, level(unit), UNIT_CODES[unit], "", last_before_merger, ""))
        rows.append((alias, successor, level(successor), UNIT_CODES[successor], MERGER_PERIOD, "", MERGER_NOTE))
    rows.append(("Sở NN&MT", "Sở Nông nghiệp và Môi trường", LEVEL_DEPARTMENT,
                 UNIT_CODES["Sở Nông nghiệp và Môi trường"], MERGER_PERIOD, "", ""))
    # District-level government ended on 30/6/2025: district rows are valid up to 2025Q2.
    district_note = "Cấp huyện kết thúc hoạt động từ 01/7/2025"
    return [(a, u, lv, c, frm, DISTRICTS_LAST_PERIOD if lv == LEVEL_DISTRICT else to,
             "; ".join(x for x in (note, district_note) if x) if lv == LEVEL_DISTRICT else note)
            for a, u, lv, c, frm, to, note in rows]


def _write_filing_template_xlsx(path: Path) -> None:
    wb = xlsxwriter.Workbook(str(path), {"in_memory": True})
    props = _workbook_properties("Mẫu số liệu hồ sơ theo thủ tục")
    props.update(subject="Mẫu nhập liệu", comments="Một dòng cho mỗi thủ tục, mỗi kỳ, mỗi nguồn số liệu")
    wb.set_properties(props)
    ws = wb.add_worksheet("Mau so lieu ho so")
    head = wb.add_format({"bold": True, "text_wrap": True, "valign": "top", "border": 1, "bg_color": "#DDEBF7"})
    widths = {"period": 9, "unit": 22, "procedure_code": 12, "procedure_name": 60, "department": 34,
              "count_source": 18}
    for i, (key, header) in enumerate(FILING_COLUMNS):
        ws.write_string(0, i, header, head)
        ws.set_column(i, i, widths.get(key, 13))
    ws.set_row(0, 32)
    ws.freeze_panes(1, 0)
    wb.close()


# ---------------------------------------------------------------------------------------------
# Illustrative national-portal responses (Sở Công Thương, the quarters with published scores)
# ---------------------------------------------------------------------------------------------
PORTAL_DIR = "portal"
PORTAL_API = "https://dichvucong.gov.vn/api/v1/reporting/evaluation/"
# Illustrative portal id of the department (the portal's real ids are UUIDs; this one is invented).
SCT_PORTAL_ID = "minh-hoa-h19-15-so-cong-thuong"
# Province-level transparency counts, copied to every unit of the province (illustrative: all on time, full).
PROVINCE_TRANSPARENCY = {"PUBLISH_ON_TIME": (35, 35), "PUBLIC_UPDATE_ON_TIME": (35, 35),
                         "PUBLIC_CONTENT_FULL": (N_PROCEDURES, N_PROCEDURES)}


def _metric(code: str, numerator: int, denominator: int | None) -> dict:
    sub = load_definition().subindicator(code)
    ratio = None if not denominator else round(100.0 * numerator / denominator, 2)
    return {"code": code, "name": sub.label_vi, "numerator": int(numerator),
            "denominator": None if denominator is None else int(denominator), "ratio": ratio, "score": None,
            "maxScore": sub.max_points}


def _unit_row(tree: bool) -> dict:
    row = {"departmentId": SCT_PORTAL_ID, "departmentName": "Sở Công Thương tỉnh Đồng Nai",
           "departmentCode": UNIT_CODES[SCT]}
    if tree:
        row["level"] = "PROVINCE"
    else:
        row.update(departmentType="PROVINCIAL_DEPARTMENT", departmentLevel="PROVINCE")
    return row


def portal_responses(filings: pd.DataFrame, seed: int = SEED) -> list[tuple[str, str, dict, dict]]:
    """(file, portal group, request payload, response) of the illustrative portal responses for Sở Công Thương:
    every group, for each quarter of ``PUBLISHED_SCT``, counts summed from the per-procedure 'Cổng DVCQG' rows
    (the sub-indicators without a filing column at the values noted). Scores are null: the published figures
    are the provincial letters'; the engine recomputes these counts' points."""
    cat = procedure_catalog(seed)
    has_fee = int((cat["has_fee"] == "Có").sum())
    full = int((cat["service_level"] == "Toàn trình").sum())
    out = []
    for period in PUBLISHED_SCT:
        rows = filings[(filings["period"] == period) & (filings["count_source"] == SOURCE_PORTAL)]
        s = {k: int(rows[k].sum()) for k in COUNT_FIELDS}
        received, resolved = s["received_total"], s["resolved_total"]
        overdue = s["resolved_late"] + s["pending_overdue"]
        on_time = received - overdue
        used = int((rows["received_online"] > 0).sum())
        paid_procedures = int(((rows["online_payments"] > 0) & (rows["fee_filings"] > 0)).sum())
        note = {"source": ILLUSTRATIVE_NOTE}
        metric = lambda metrics: {**_unit_row(False), "totalScore": None,  # noqa: E731
                                  "totalMaxScore": sum(m["maxScore"] for m in metrics), "metrics": metrics}
        documents = {
            "transparency": {"evaluation": [metric(
                [_metric(c, n, d) for c, (n, d) in PROVINCE_TRANSPARENCY.items()]
                + [_metric("DOSSIER_SYNC", s["synced_filings"], received)])], **note},
            "dvc-progress-tree": {"parent": {
                **_unit_row(True), "totalReceived": received, "totalOnTime": on_time, "totalOverdue": overdue,
                "totalCompleted": resolved, "ratio": round(100.0 * on_time / received, 2), "totalScore": None,
                "totalMaxScore": 20}, "children": [], **note},
            "provide-online-tree": {"parent": {
                **_unit_row(True), "totalScore": None, "totalMaxScore": 12, "authorityCount": len(cat),
                "partialCount": len(cat) - full, "fullCount": full, "onlineDossierCount": used,
                "onlineServiceTotal": len(cat), "channelOnlineSum": s["received_online"],
                "channelDirectSum": s["received_in_person"], "channelPostalSum": s["received_postal"],
                "channelTotalSum": s["received_online"] + s["received_in_person"] + s["received_postal"]},
                "children": [], **note},
            "formality-online-payment-tree": {"parent": {
                **_unit_row(True), "totalScore": None, "totalMaxScore": 10,
                "totalDossierOnlinePaymentSuccess": s["online_payments"],
                "totalDossierFinancialObligation": s["fee_filings"],
                "totalDossierOnlineFormalityPaymentSuccess": paid_procedures,
                "totalFeeDossierFormalityDistinct": has_fee, "totalFeeDossierFormality": 0,
                "totalFeeFormality": has_fee}, "children": [], **note},
            # filings without complaint or delay: received less overdue and feedback items
            "handling-satisfaction": {"evaluation": [metric([
                _metric("DOSSIER_RECEIVING_SATISFACTION", received - overdue - s["feedback_total"], received),
                _metric("PETITION_PROCESSING_ON_TIME", s["feedback_on_time"], s["feedback_total"]),
                _metric("PETITION_HANDLING_SATISFACTION", s["feedback_satisfied"], s["feedback_total"])])], **note},
            # no filing linked to the citizen data store or population data; the e-certified-copy
            # sub-indicator (communes only) is not in a department's 2024 response
            "dossier-digitized": {"evaluation": [metric([
                _metric("ORIGINAL_RESULT_AVAILABLE", s["electronic_results"], resolved),
                _metric("SO_HOA_GIAY_TO_GIAI_QUYET", s["digitized_components"], received),
                _metric("REUSED_DIGITIZED_DATA", s["reused_data"], received),
                _metric("SYNCED_WITH_DVCQG_PERSONAL_STORAGE", 0, received),
                _metric("CITIZEN_DATA_CONNECTED_DOSSIER", 0, received),
                _metric("CITIZEN_DATA_CONNECTED_FORMALITY", 0, len(cat))])], **note},
        }
        payload = {"timeType": "quarter", "year": int(period[:4]), "quarter": int(period[5]),
                   "rootDepartmentId": SCT_PORTAL_ID}
        for group, data in documents.items():
            out.append((f"{period}/{group}.json", group, payload, {"code": "OK", "message": "OK", "data": data}))
    return out


def _write_portal(portal_dir: Path, filings: pd.DataFrame, seed: int) -> list[Path]:
    """The illustrative portal responses and their capture manifest, written under ``portal_dir``."""
    import hashlib
    import json

    written, captures = [], []
    for name, group, payload, document in portal_responses(filings, seed):
        target = portal_dir / name
        target.parent.mkdir(parents=True, exist_ok=True)
        data = (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
        target.write_bytes(data)
        captures.append({"file": name, "method": "POST", "url": PORTAL_API + group, "payload": payload,
                         "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data), "period": "quarter",
                         "scope": "all", "illustrative": True})
        written.append(target)
    manifest = {"schemaVersion": 1, "status": "illustrative", "note": ILLUSTRATIVE_NOTE,
                "description": "Phản hồi minh họa theo định dạng API đánh giá QĐ 766 của Cổng DVCQG cho Sở Công "
                               "Thương Đồng Nai; số liệu sinh từ analytics.demo.generator, không phải dữ liệu của Cổng.",
                "unit": {"id": SCT_PORTAL_ID, "code": UNIT_CODES[SCT], "name": SCT}, "captures": captures}
    target = portal_dir / "manifest.json"
    target.write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    written.append(target)
    return written


# ---------------------------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------------------------
def main(output_root: str | Path | None = None, *, seed: int = SEED) -> list[Path]:
    """The files written under ``output_root`` (default ``data/raw``): illustrative index tables,
    filings, catalogue, the unit crosswalk and blank templates, identical on every run."""
    root = Path(output_root) if output_root is not None else RAW_ROOT
    index_dir = root / "illustrative" / "index"
    filings_dir = root / "illustrative" / "filings"
    catalog_dir = root / "illustrative" / "catalog"
    crosswalk_dir = root / "crosswalk"
    templates_dir = root / "templates"
    for d in (index_dir, filings_dir, catalog_dir, crosswalk_dir, templates_dir):
        d.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    # 1. provincial result tables
    for period, name in FIXTURE_INDEX_FILES.items():
        target = index_dir / name
        shutil.copyfile(FIXTURE_INDEX_DIR / name, target)
        written.append(target)
    tables = index_tables(seed)
    for period in GENERATED_INDEX_PERIODS:
        layout = INDEX_LAYOUTS[period]
        target = index_dir / index_file_name(period, layout.kind)
        table = tables[tables["period"] == period]
        (_write_index_csv if layout.kind == "csv" else _write_index_xlsx)(target, period, table, layout)
        written.append(target)

    # 2. filing counts
    filings = filing_tables(seed)
    header = [FILING_HEADERS[k] for k in FILING_FIELDS]
    for (period, source), rows in filings.groupby(["period", "count_source"], sort=False):
        if period == ONE_STOP_REPORT_PERIOD and source == SOURCE_ONE_STOP:
            target = filings_dir / ONE_STOP_REPORT_FILE
            _write_one_stop_report(target, period, rows)
        else:
            target = filings_dir / filing_file_name(period, source)
            _write_csv(target, header, rows[list(FILING_FIELDS)].itertuples(index=False, name=None))
        written.append(target)

    # 2b. the national portal's sub-indicator counts for the quarters with published scores
    written += _write_portal(root / "illustrative" / PORTAL_DIR, filings, seed)

    # 3. procedure catalogue
    cat = procedure_catalog(seed)
    target = catalog_dir / "danh-muc-tthc-so-cong-thuong.csv"
    _write_csv(target, [h for _, h in CATALOG_COLUMNS],
               cat[[k for k, _ in CATALOG_COLUMNS]].itertuples(index=False, name=None))
    written.append(target)

    # 4. unit crosswalk
    target = crosswalk_dir / "don-vi.csv"
    _write_csv(target, CROSSWALK_HEADER, crosswalk_rows())
    written.append(target)

    # 5. blank templates
    templates: list[tuple[str, Sequence[str], str]] = [
        ("mau-so-lieu-ho-so.csv", header, ","),
        ("mau-ket-qua-chi-so.csv", INDEX_TEMPLATE_HEADER, ";"),
        ("mau-danh-muc-tthc.csv", [h for _, h in CATALOG_COLUMNS], ","),
        ("mau-don-vi.csv", CROSSWALK_HEADER, ","),
        ("mau-nhiem-vu.csv", TASK_HEADER, ","),
        ("mau-danh-sach-ho-so.csv", _dossier_template_header(), ","),
    ]
    for name, cols, delimiter in templates:
        target = templates_dir / name
        _write_csv(target, cols, [], delimiter=delimiter)
        written.append(target)
    target = templates_dir / "mau-cong-van.csv"  # the memo's letterhead, addressees and wording
    _write_csv(target, MEMO_TEMPLATE_HEADER, memo_template_rows())
    written.append(target)
    target = templates_dir / "mau-so-lieu-ho-so.xlsx"
    _write_filing_template_xlsx(target)
    written.append(target)
    return written


def _dossier_template_header() -> list[str]:
    """The dossier-list template's header (the dossiers kind; analytics.demo.dossiers)."""
    from analytics.demo.dossiers import TEMPLATE_HEADER

    return list(TEMPLATE_HEADER)


def _cli(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Regenerate the illustrative demo data under data/raw/.")
    parser.add_argument("--output-root", type=Path, default=RAW_ROOT, help="folder to write into (default data/raw)")
    args = parser.parse_args(argv)
    for path in main(args.output_root):
        print(path)


if __name__ == "__main__":
    _cli()
