"""The department's memo read back from the .docx: the results lines exactly as VB /SCT-VP (July 2024) writes
them for Sở Công Thương, Quý II/2024; the decree's date format; the blocks of Decree 30/2020's layout; the
illustrative marks; inert text."""

from __future__ import annotations

from datetime import date

import pytest
from docx import Document
from docx.shared import Pt

from analytics.brief.memo import MemoTask, docx_texts, memo_content, memo_docx, read_template
from analytics.formatting import decree_date

SEED_LINES = [  # ../shared/seeds/002: "kết quả Bộ chỉ số … quý II/2024 của Sở Công Thương như sau:"
    "- Công khai minh bạch: 18/18",
    "- Tiến độ giải quyết đúng hạn: 19,8/20",
    "- Số hóa hồ sơ: 0,22/22",
    "- Dịch vụ công trực tuyến: 7,46/22",
    "- Mức độ hài lòng: 18/18",
    "- Tổng điểm: 63,48/100",
    "- Xếp loại: Trung bình",
]


@pytest.mark.parametrize("day, expected", [
    (date(2024, 8, 5), "Đồng Nai, ngày 05 tháng 8 năm 2024"),
    (date(2024, 2, 3), "Đồng Nai, ngày 03 tháng 02 năm 2024"),
    (date(2025, 1, 15), "Đồng Nai, ngày 15 tháng 01 năm 2025"),
    (date(2024, 12, 26), "Đồng Nai, ngày 26 tháng 12 năm 2024"),
    (date(2024, 7, 9), "Đồng Nai, ngày 09 tháng 7 năm 2024"),
])
def test_the_decree_writes_a_zero_before_days_under_10_and_months_1_and_2(day, expected):
    assert decree_date(day, "Đồng Nai") == expected


@pytest.fixture(scope="module")
def written(demo_db, tmp_path_factory):
    """The memo the command line writes for Sở Công Thương, Quý II/2024, issued 05/08/2024, read back."""
    from analytics.cli import main

    out = tmp_path_factory.mktemp("memo") / "cong-van.docx"
    assert main(["memo", "--db", str(demo_db), "--unit", "sở công thương", "--period", "2024Q2", "--date", "2024-08-05",
                 "--out", str(out)]) == 0
    data = out.read_bytes()
    return data, docx_texts(data)


def test_the_results_lines_are_those_of_the_seed_memo(written):
    _, texts = written
    start = texts.index(SEED_LINES[0])
    assert texts[start:start + len(SEED_LINES)] == SEED_LINES
    intro = texts[start - 1]
    assert intro.startswith("Sở Công Thương nhận được Văn bản số 1937/VP-HCC ngày 09/7/2024 của Văn phòng UBND tỉnh Đồng Nai")
    assert intro.endswith("quý II/2024 của Sở Công Thương như sau:")


def test_the_blocks_of_the_decree_layout_are_present(written):
    _, texts = written
    assert texts[:2] == ["UBND TỈNH ĐỒNG NAI", "SỞ CÔNG THƯƠNG"]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in texts and "Độc lập - Tự do - Hạnh phúc" in texts
    number = next(t for t in texts if t.startswith("Số:"))
    assert number.replace(" ", "") == "Số:/SCT-VP"  # the number is left for the clerk
    assert "V/v khẩn trương khắc phục điểm số Bộ Chỉ số phục vụ người dân, doanh nghiệp" in texts
    assert "Đồng Nai, ngày 05 tháng 8 năm 2024" in texts
    assert "Kính gửi: Các phòng, đơn vị thuộc Sở." in texts
    i = texts.index("Nơi nhận:")
    assert texts[i + 1:i + 4] == ["- Như trên;", "- BGĐ Sở;", "- Lưu: VT, VP."]
    assert "GIÁM ĐỐC" in texts and "[Họ và tên người ký]" in texts  # title set, name left to the signer
    assert not any("Phạm Văn Cường" in t for t in texts)


def test_the_body_says_what_changed_where_points_are_lost_and_who_does_what(written):
    _, texts = written
    body = "\n".join(texts)
    assert "Cần thêm 6,52 điểm để đạt xếp loại Khá (từ 70 điểm)." in texts
    assert "điểm Dịch vụ công trực tuyến bị giảm 3,03 điểm (10,49 → 7,46)" in body
    assert "điểm Số hóa hồ sơ tăng 0,11 điểm (0,11 → 0,22)" in body
    assert "Quý I/2024 chưa công bố điểm Công khai minh bạch, Tiến độ giải quyết đúng hạn, Mức độ hài lòng, tổng điểm" in body
    assert ("Số điểm còn thiếu tập trung ở Số hóa hồ sơ (đạt 0,22/22, thiếu 21,78 điểm), Dịch vụ công trực tuyến "
            "(đạt 7,46/22, thiếu 14,54 điểm), chiếm 99,45 % số điểm bị mất.") in texts
    # the brief's other findings, with their figures and marks
    assert any(t.startswith("- [Minh họa] Ba thủ tục có nhiều hồ sơ chưa số hóa thành phần nhất: Thông báo hoạt động "
                            "khuyến mại (4.921 hồ sơ)") for t in texts)
    # the tasks loaded from the department's memo, by office, with the metric's value and the deadline as written
    i = texts.index("1. Giao Thanh tra Sở:")
    assert texts[i + 1].startswith("- Rà soát kỹ lại nguyên nhân dẫn đến điểm số hóa hồ sơ và dịch vụ công trực tuyến thấp")
    assert texts[i + 2] == ("Chỉ số cần chuyển biến: Số hóa hồ sơ (Quý II/2024: 0,22 điểm). "
                            "Thời hạn hoàn thành: trong tháng 7/2024 (31/07/2024).")
    assert "2. Giao Văn phòng Sở:" in texts


def test_illustrative_figures_are_marked_in_the_memo(written, demo):
    _, texts = written
    assert texts[texts.index("Kính gửi: Các phòng, đơn vị thuộc Sở.") + 1].startswith("[Minh họa] Công văn có số liệu minh họa")
    # published lines carry no mark; a quarter of illustrative scores carries it on every line
    assert all("Minh họa" not in line for line in SEED_LINES)
    q3 = memo_content(demo, "2024Q3", "so cong thuong", issued=date(2024, 10, 15))
    lines = [p.text for p in q3.body if p.kind == "line" and p.text.startswith("- Số hóa hồ sơ")]
    assert lines == ["- Số hóa hồ sơ: 0,95/22 (Minh họa)"]


def test_the_page_is_a4_with_the_decree_margins_in_times_new_roman(written):
    data, _ = written
    doc = Document(__import__("io").BytesIO(data))
    s = doc.sections[0]
    assert (round(s.page_width.mm), round(s.page_height.mm)) == (210, 297)
    assert [round(m.mm) for m in (s.top_margin, s.bottom_margin, s.left_margin, s.right_margin)] == [20, 20, 30, 15]
    assert doc.styles["Normal"].font.name == "Times New Roman"
    sizes = {r.font.size for p in doc.paragraphs for r in p.runs if r.text.startswith("- Số hóa hồ sơ")}
    assert sizes == {Pt(14)}
    assert s.different_first_page_header_footer  # page numbers from the second page


def test_text_from_the_data_cannot_run_as_a_formula(demo):
    tasks = [MemoTask(department="@Phòng thử", text="=HYPERLINK(\"http://x\",\"bấm\")", due_date=date(2024, 9, 30))]
    memo = memo_content(demo, "2024Q2", "so cong thuong", issued=date(2024, 8, 5), tasks=tasks)
    texts = docx_texts(memo_docx(memo))
    assert "1. Giao '@Phòng thử:" in texts
    assert "- '=HYPERLINK(\"http://x\",\"bấm\")." in texts
    assert "Thời hạn hoàn thành: 30/09/2024." in texts
    assert not any(t.startswith(("=", "+", "@")) for t in texts)


def test_the_template_sets_the_letterhead_addressees_and_signer(demo, tmp_path):
    template = tmp_path / "mau.csv"
    template.write_text(
        "Mục;Nội dung;Hướng dẫn\n"
        "Cơ quan chủ quản;UBND TỈNH ĐỒNG NAI;\n"
        "Ký hiệu;SCT-TTr;\n"
        "Địa danh;Biên Hòa;\n"
        "Trích yếu;V/v triển khai nhiệm vụ quý III/2024;\n"
        "Kính gửi;Thanh tra Sở;\n"
        "Kính gửi;Văn phòng Sở;\n"
        "Nơi nhận;Như trên;\n"
        "Nơi nhận;Lưu: VT, TTr;\n"
        "Quyền hạn ký;KT. GIÁM ĐỐC;\n"
        "Chức vụ người ký;PHÓ GIÁM ĐỐC;\n"
        "Thành phần Tiến độ giải quyết;Tiến độ giải quyết hồ sơ;\n", encoding="utf-8")
    memo = memo_content(demo, "2024Q2", "so cong thuong", issued=date(2024, 2, 3), letterhead=read_template(template))
    texts = docx_texts(memo_docx(memo))
    assert "Biên Hòa, ngày 03 tháng 02 năm 2024" in texts
    assert "Số:            /SCT-TTr" in texts
    i = texts.index("Kính gửi:")
    assert texts[i + 1:i + 3] == ["- Thanh tra Sở;", "- Văn phòng Sở."]
    assert "KT. GIÁM ĐỐC" in texts and "PHÓ GIÁM ĐỐC" in texts
    assert "- Tiến độ giải quyết hồ sơ: 19,8/20" in texts
    assert "- Công khai, minh bạch: 18/18" in texts  # not in this template: the definition's label


def test_proposed_tasks_name_the_offices_and_procedures_behind_the_digitization_gap(demo):
    memo = memo_content(demo, "2024Q2", "so cong thuong", issued=date(2024, 8, 5), tasks=None, propose=True)
    proposed = [t for t in memo.tasks if t.proposed]
    assert [t.department for t in proposed] == ["Phòng Quản lý Thương mại"]
    assert proposed[0].text.startswith("Rà soát, thực hiện số hóa thành phần hồ sơ và kết quả giải quyết trên phần mềm "
                                       "một cửa điện tử đối với các thủ tục: Thông báo hoạt động khuyến mại (4.921 hồ sơ), "
                                       "Thông báo sửa đổi, bổ sung nội dung chương trình khuyến mại (1.571 hồ sơ)")
    assert proposed[0].due_date == date(2024, 9, 30) and proposed[0].illustrative
    assert any(p.text.startswith("- [Đề xuất] Rà soát, thực hiện số hóa") and p.text.endswith("(Minh họa)")
               for p in memo.body)


def test_a_task_on_a_component_names_it_in_the_department_s_wording(demo):
    memo = memo_content(demo, "2024Q2", "so cong thuong", issued=date(2024, 8, 5))
    lines = [p.text for p in memo.body]
    assert "Chỉ số cần chuyển biến: Công khai minh bạch (Quý II/2024: 18 điểm)." in lines
