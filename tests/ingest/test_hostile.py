"""Hostile and broken input, generated here by code: each case is refused with a located message, rejected row by
row with its reason, or loaded right; never a silent wrong figure, a traceback or a changed database.

Run: ``python -m pytest -q tests/ingest/test_hostile.py``.
"""

from __future__ import annotations

import json
import re
import shutil
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import duckdb
import openpyxl
import pytest
from openpyxl.styles import Font

from conftest import INDEX_Q2, PORTAL, table_snapshot

HEADER = ["STT", "Tên đơn vị", "Công khai, minh bạch (18 điểm)", "Tiến độ giải quyết (20 điểm)",
          "Số hóa hồ sơ (22 điểm)", "Dịch vụ công trực tuyến (22 điểm)", "Mức độ hài lòng (18 điểm)",
          "Tổng điểm (100 điểm)", "Xếp loại"]
SCT = [1, "Sở Công Thương", 18, 19.8, 0.22, 7.46, 18, 63.48, "Trung bình"]
STP = [2, "Sở Tư pháp", 17.5, 19.57, 11.14, 9.34, 15.83, 73.38, "Khá"]
DRAFT = [1, "Sở Công Thương", 18, 20, 22, 22, 17.99, 99.99, "Xuất sắc"]
TITLE = "KẾT QUẢ BỘ CHỈ SỐ QUÝ II/2024"
NAME = "ket-qua-quy-II-2024.xlsx"


# --- generators ---------------------------------------------------------------------------------------------------

def workbook(rows, *, sheet="KQ", title=TITLE):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append([title])
    ws.append([])
    ws.append(HEADER)
    for r in rows:
        ws.append(r)
    return wb, ws


def save(wb, tmp: Path, name: str = NAME) -> Path:
    path = tmp / name
    wb.save(path)
    return path


def patch_xlsx(src: Path, dst: Path, edit: Callable[[bytes], bytes], extra: dict[str, bytes] | None = None) -> Path:
    """A copy of a workbook whose first sheet's XML is edited (and extra members added), as a crafted file is."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = edit(data)
            zout.writestr(info, data)
        for name, data in (extra or {}).items():
            zout.writestr(name, data)
    return dst


def index_xlsx(tmp: Path, rows=(SCT, STP), name=NAME) -> Path:
    wb, _ = workbook(rows)
    return save(wb, tmp, name)


def make_declared_huge(tmp: Path) -> Path:
    src = index_xlsx(tmp, name="src.xlsx")
    huge = b'<dimension ref="A1:XFD1048576"/>'
    return patch_xlsx(src, tmp / NAME, lambda x: re.sub(rb'<dimension ref="[^"]*"/>', huge, x))


def make_far_cell(tmp: Path) -> Path:
    """No dimension at all, but one cell at XFD1048576: the reader would allocate the whole range."""
    src = index_xlsx(tmp, name="src.xlsx")
    far = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
    return patch_xlsx(src, tmp / NAME,
                      lambda x: re.sub(rb'<dimension ref="[^"]*"/>', b"", x).replace(b"</sheetData>", far))


def make_zip_bomb(tmp: Path) -> Path:
    src = index_xlsx(tmp, name="src.xlsx")
    return patch_xlsx(src, tmp / NAME, lambda x: x, extra={"xl/media/padding.bin": b"\0" * (24 * 1024 * 1024)})


def make_hidden_draft(tmp: Path) -> Path:
    wb, ws = workbook([SCT, STP])
    draft = wb.create_sheet("Nháp", 0)  # first in the workbook, hidden, with more columns matched
    for r in ([TITLE], [], HEADER + ["Ghi chú"], DRAFT + ["bản nháp"]):
        draft.append(r)
    draft.sheet_state = "hidden"
    return save(wb, tmp)


def make_hidden_row(tmp: Path) -> Path:
    wb, ws = workbook([SCT, STP, [3, "Sở Bí Mật", 18, 20, 22, 22, 18, 100, "Xuất sắc"]])
    ws.row_dimensions[6].hidden = True
    return save(wb, tmp)


def make_uncomputed_formula(tmp: Path) -> Path:
    wb, ws = workbook([SCT, STP[:7] + ["=SUM(C5:G5)", "Khá"]])
    return save(wb, tmp)  # openpyxl writes formulas without cached values, as a generator script does


def make_error_cell(tmp: Path) -> Path:
    src = index_xlsx(tmp, name="src.xlsx")
    # cell E5 (Sở Tư pháp, Số hóa hồ sơ) becomes the error value #DIV/0!
    error = b'<c r="E5" t="e"><v>#DIV/0!</v></c>'
    return patch_xlsx(src, tmp / NAME, lambda x: re.sub(rb'<c r="E5"[^>]*>.*?</c>', error, x))


def make_merged_rows(tmp: Path) -> Path:
    wb, ws = workbook([SCT, [2, "Sở Tư pháp", 18, 19.57, None, 9.34, 15.83, 73.38, "Khá"]])
    ws["E4"] = 0.22
    ws.merge_cells("E4:E5")  # one digitization score shown for two units
    return save(wb, tmp)


def make_zero_width_name(tmp: Path) -> Path:
    return index_xlsx(tmp, rows=([1, "Sở Công\u200b Thương\u00ad", *SCT[2:]], STP))


def make_ansi_name(tmp: Path) -> Path:
    path = tmp / "ket-qua-quy-II-2024.csv"
    path.write_text("Tên đơn vị;Công khai, minh bạch;Tiến độ giải quyết;Số hóa hồ sơ;Dịch vụ công trực tuyến;"
                    "Mức độ hài lòng;Tổng điểm\nSở \x1b[31mCông\x07 Thương;18;19,8;0,22;7,46;18;63,48\n",
                    encoding="utf-8")
    return path


def make_formula_name(tmp: Path) -> Path:
    return index_xlsx(tmp, rows=([1, '=HYPERLINK("http://x.invalid","Sở Công Thương")', *SCT[2:]], STP),
                      name="=1+2 ket-qua-quy-II-2024.xlsx")


def make_wide(tmp: Path) -> Path:
    wb, ws = workbook([SCT, STP])
    for r in range(1, 6):
        ws.cell(row=r, column=16384).font = Font(bold=True)  # styled empty cells out to column XFD
    return save(wb, tmp)


def make_wide_csv(tmp: Path) -> Path:
    path = tmp / "ket-qua-quy-II-2024.csv"
    pad = ";" * 16_380
    path.write_text("Tên đơn vị;Công khai, minh bạch;Tiến độ giải quyết;Số hóa hồ sơ;Dịch vụ công trực tuyến;"
                    f"Mức độ hài lòng;Tổng điểm{pad}\nSở Công Thương;18;19,8;0,22;7,46;18;63,48{pad}\n",
                    encoding="utf-8")
    return path


def make_huge_count(tmp: Path) -> Path:
    path = tmp / "so-lieu-ho-so-quy-II-2024.csv"
    path.write_text("Kỳ;Đơn vị;Tên thủ tục;Tổng số tiếp nhận;Tiếp nhận trực tuyến\n"
                    "2024Q2;Sở Công Thương;Cấp giấy phép A;100;40\n"
                    "2024Q2;Sở Công Thương;Cấp giấy phép B;100000000000000000000;40\n", encoding="utf-8")
    return path


def cp1258(text: str) -> bytes:
    """Vietnamese in Windows-1258: precomposed letters where the code page has them, tone marks combining."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        try:
            out.append(ch.encode("cp1258"))
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", ch)
            tones = [m for m in parts[1:] if m in "\u0300\u0301\u0303\u0309\u0323"]
            base = unicodedata.normalize("NFC", "".join(m for m in parts if m not in tones))
            out.append((base + "".join(tones)).encode("cp1258"))
    return b"".join(out)


def make_cp1258(tmp: Path) -> Path:
    path = tmp / "ket-qua-quy-II-2024.csv"
    path.write_bytes(cp1258("Tên đơn vị;Công khai, minh bạch;Tiến độ giải quyết;Số hóa hồ sơ;Dịch vụ công trực tuyến;"
                            "Mức độ hài lòng;Tổng điểm\nSở Công Thương;18;19,8;0,22;7,46;18;63,48\n"))
    return path


def make_utf16(tmp: Path) -> Path:
    path = tmp / "ket-qua-quy-II-2024.csv"
    path.write_bytes(("Tên đơn vị\tCông khai, minh bạch\tTiến độ giải quyết\tSố hóa hồ sơ\tDịch vụ công trực tuyến\t"
                      "Mức độ hài lòng\tTổng điểm\nSở Công Thương\t18\t19,8\t0,22\t7,46\t18\t63,48\n").encode("utf-16"))
    return path


def portal_doc() -> dict:
    return json.loads((PORTAL / "dossier-digitized" / "quarter-all.json").read_text(encoding="utf-8-sig"))


def write_portal(tmp: Path, doc) -> Path:
    folder = tmp / "dossier-digitized"
    folder.mkdir(exist_ok=True)
    path = folder / "quarter-all.json"
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def make_portal_error(tmp: Path) -> Path:
    doc = portal_doc()
    doc["code"], doc["message"] = "UNAUTHORIZED", "Phiên đăng nhập hết hạn"
    return write_portal(tmp, doc)


def make_portal_duplicate(tmp: Path) -> Path:
    doc = portal_doc()
    doc["data"]["evaluation"].insert(1, doc["data"]["evaluation"][0])
    return write_portal(tmp, doc)


def make_portal_ratio(tmp: Path) -> Path:
    doc = portal_doc()
    metric = doc["data"]["evaluation"][2]["metrics"][0]
    metric["numerator"], metric["denominator"], metric["ratio"] = 250, 100, 250.0
    return write_portal(tmp, doc)


def make_portal_numerator(tmp: Path) -> Path:
    doc = portal_doc()
    metric = doc["data"]["evaluation"][3]["metrics"][1]
    metric["numerator"], metric["denominator"], metric["ratio"] = 120, 100, 100.0
    return write_portal(tmp, doc)


def make_portal_huge_count(tmp: Path) -> Path:
    doc = portal_doc()
    doc["data"]["evaluation"][4]["metrics"][0]["denominator"] = 10**20
    return write_portal(tmp, doc)


def make_target_huge_year(tmp: Path) -> Path:
    path = tmp / "chi-tieu.csv"
    path.write_text("Năm,Kỳ,Đơn vị,Chỉ số,Nội dung chỉ tiêu,So sánh,Giá trị,Đơn vị tính,Văn bản\n"
                    "2024,,Sở Công Thương,digitization,Số hóa hồ sơ,>=,11,điểm,KH 01\n"
                    "100000000000000000000,,Sở Công Thương,total,Tổng điểm,>=,70,điểm,KH 01\n", encoding="utf-8")
    return path


def make_deep_json(tmp: Path) -> Path:
    return write_portal(tmp, '{"code": "OK", "data": ' + "[" * 100_000 + "]" * 100_000 + "}")


def make_empty_folder(tmp: Path) -> Path:
    folder = tmp / "thu-muc-rong"
    folder.mkdir()
    (folder / "ghi-chu.txt.bak").write_text("không phải dữ liệu", encoding="utf-8")
    return folder


# --- the table ----------------------------------------------------------------------------------------------------

@dataclass
class Case:
    make: Callable[[Path], Path]
    code: int  # exit code
    says: tuple[str, ...]  # every text the messages (stderr) must contain
    loaded: dict = field(default_factory=dict)  # unit name → total score loaded (empty: database unchanged)
    rejects: tuple = ()  # (row, column or None) of each rejected row
    args: tuple = ()


CASES = {
    "declared-dimension-XFD1048576": Case(make_declared_huge, 2, (
        "trang tính “KQ”", "1.048.576 dòng × 16.384 cột", "A1:XFD1048576", "ANALYTICS_MAX_CELLS")),
    "one-cell-at-XFD1048576": Case(make_far_cell, 2, ("trang tính “KQ”", "1.048.576 dòng × 16.384 cột")),
    "zip-bomb": Case(make_zip_bomb, 2, ("xl/media/padding.bin", "bom nén")),
    "hidden-draft-sheet": Case(make_hidden_draft, 0, ("trang tính ẩn “Nháp” có dữ liệu nhưng không được nạp",),
                               loaded={"Sở Công Thương": 63.48, "Sở Tư pháp": 73.38}),
    "hidden-row": Case(make_hidden_row, 0, ("1 dòng bị ẩn trong trang tính “KQ”", "dòng 6"),
                       loaded={"Sở Công Thương": 63.48, "Sở Tư pháp": 73.38}),
    "hidden-row-asked-for": Case(make_hidden_row, 0, ("đã nạp cả 1 dòng bị ẩn",), args=("--include-hidden",),
                                 loaded={"Sở Công Thương": 63.48, "Sở Tư pháp": 73.38, "Sở Bí Mật": 100.0}),
    "formula-without-cached-value": Case(make_uncomputed_formula, 1, (
        "dòng 5", "ô H5 là công thức chưa được tính (=SUM(C5:G5))", "mở và lưu tệp bằng Excel để tính công thức"),
        loaded={"Sở Công Thương": 63.48}, rejects=((5, "Tổng điểm (100 điểm)"),)),
    "error-cell-DIV0": Case(make_error_cell, 1, ("dòng 5", "ô E5 chứa lỗi Excel #DIV/0!"),
                            loaded={"Sở Công Thương": 63.48}, rejects=((5, "Số hóa hồ sơ (22 điểm)"),)),
    "merged-cell-across-data-rows": Case(make_merged_rows, 1, ("ô gộp E4:E5", "bỏ gộp ô"),
                                         rejects=((4, None), (5, None))),
    "zero-width-and-soft-hyphen-in-name": Case(make_zero_width_name, 0, ("Đã nạp",),
                                               loaded={"Sở Công Thương": 63.48, "Sở Tư pháp": 73.38}),
    "windows-1258-csv": Case(make_cp1258, 0, ("Đã nạp",), loaded={"Sở Công Thương": 63.48}),
    "utf-16-csv-with-bom": Case(make_utf16, 0, ("Đã nạp",), loaded={"Sở Công Thương": 63.48}),
    "16384-columns": Case(make_wide, 0, ("Đã nạp",), loaded={"Sở Công Thương": 63.48, "Sở Tư pháp": 73.38}),
    "16384-columns-csv": Case(make_wide_csv, 0, ("Đã nạp",), loaded={"Sở Công Thương": 63.48}),
    "count-of-10^20": Case(make_huge_count, 1, ("dòng 3", "Tổng số tiếp nhận", "10¹²"),
                           rejects=((3, "Tổng số tiếp nhận"),)),
    "portal-code-not-OK": Case(make_portal_error, 2, ("vị trí code", "mã “UNAUTHORIZED”", "Phiên đăng nhập hết hạn",
                                                                "đăng nhập lại"), args=("--period", "2026Q3")),
    "portal-duplicate-unit": Case(make_portal_duplicate, 2, ("vị trí data.evaluation[1]", "xuất hiện lần thứ hai",
                                                                    "lần đầu ở data.evaluation[0]"),
                                  args=("--period", "2026Q3")),
    "portal-ratio-250": Case(make_portal_ratio, 2, ("vị trí data.evaluation[2].metrics[0]", "tỷ lệ 250 %",
                                                          "ngoài 0–100 %"), args=("--period", "2026Q3")),
    "portal-numerator-above-denominator": Case(make_portal_numerator, 2, ("vị trí data.evaluation[3].metrics[1]",
                                                                            "tử số 120", "lớn hơn mẫu số 100"),
                                               args=("--period", "2026Q3")),
    "portal-count-of-10^20": Case(make_portal_huge_count, 2, ("vị trí data.evaluation[4].metrics[0]", "denominator",
                                                              "10¹²"), args=("--period", "2026Q3")),
    "target-year-of-10^20": Case(make_target_huge_year, 1, ("dòng 3", "Năm"), rejects=((3, "Năm"),)),
    "deeply-nested-json": Case(make_deep_json, 2, ("quarter-all.json", "lồng nhau quá sâu"),
                               args=("--period", "2026Q3")),
    "empty-folder": Case(make_empty_folder, 2, ("thu-muc-rong", "không có tệp dữ liệu nào")),
}


@pytest.fixture(scope="module")
def base_db(tmp_path_factory) -> Path:
    """A database holding the Q2 fixture: a failed load must leave it exactly as it was."""
    from analytics.cli import main

    path = tmp_path_factory.mktemp("hostile") / "base.duckdb"
    assert main(["ingest", str(INDEX_Q2), "--db", str(path), "--illustrative"]) == 0
    return path


def totals(db: Path, source: str) -> dict[str, float]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return dict(con.execute("SELECT u.display_name, s.score_points FROM index_scores s JOIN units u "
                                "USING (unit_id) WHERE s.source_file = ? AND s.component = 'total'",
                                [source]).fetchall())
    finally:
        con.close()


@pytest.mark.parametrize("name", list(CASES))
def test_hostile_input(name, run_cli, base_db, tmp_path):
    case = CASES[name]
    db = tmp_path / "db.duckdb"
    shutil.copy(base_db, db)
    before = table_snapshot(db)
    src = tmp_path / "in"
    src.mkdir()
    path = case.make(src)
    code, out, err = run_cli("ingest", path, "--db", db, "--format", "json", *case.args)
    assert code == case.code, err
    assert "Traceback" not in err and "\x1b" not in err
    for text in case.says:
        assert text in err, (text, err)
    if case.code == 2:
        assert table_snapshot(db) == before  # refused: nothing changed
        assert not list(db.parent.glob("*.tmp-*"))
        return
    (result,) = json.loads(out)
    assert sorted((r["row_number"], r["column_name"]) for r in result["rejects"]) == sorted(case.rejects)
    if case.loaded:
        assert totals(db, path.name) == pytest.approx(case.loaded)
        assert result["new_units"] == [n for n in case.loaded if n == "Sở Bí Mật"]  # no look-alike units


def test_a_refused_first_load_creates_no_database_and_no_folder(run_cli, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    db = tmp_path / "new" / "curated" / "analytics.duckdb"
    code, _, err = run_cli("ingest", make_declared_huge(src), "--db", db)
    assert code == 2 and "A1:XFD1048576" in err
    assert not (tmp_path / "new").exists()


def test_refusing_an_oversized_sheet_happens_before_parsing(tmp_path, monkeypatch):
    """The limit check reads the declared range; the cell reader is never called."""
    import python_calamine

    from analytics.ingest.errors import IngestError
    from analytics.ingest.sheets import read_sheets

    def never(*a, **k):
        raise AssertionError("the reader was called")

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_path", never)
    with pytest.raises(IngestError) as caught:
        read_sheets(make_declared_huge(tmp_path), NAME)
    assert caught.value.key == "too_many_cells" and caught.value.sheet == "KQ"
    assert "1,048,576 rows × 16,384 columns" in caught.value.render("en")


@pytest.mark.parametrize("suffix", [".csv", ".json"])
def test_a_text_file_over_the_size_limit_is_refused_before_reading(suffix, run_cli, tmp_path, monkeypatch):
    monkeypatch.setenv("ANALYTICS_MAX_UNCOMPRESSED_MB", "1")
    path = tmp_path / f"ket-qua-quy-II-2024{suffix}"
    path.write_bytes(b"Ten don vi;Tong diem\n" + b"Don vi;1\n" * 300_000)  # 2,6 MB
    period = ("--period", "2024Q2") if suffix == ".json" else ()
    code, _, err = run_cli("ingest", path, "--db", tmp_path / "db.duckdb", *period)
    assert code == 2 and "tệp nặng 2 MB, vượt giới hạn 1 MB" in err and path.name in err
    assert not (tmp_path / "db.duckdb").exists()


def test_english_messages_with_lang_en(run_cli, tmp_path):
    code, _, err = run_cli("ingest", make_zip_bomb(tmp_path), "--db", tmp_path / "db.duckdb", "--lang", "en")
    assert code == 2 and "zip bomb" in err and "xl/media/padding.bin" in err


def test_wide_sheet_is_read_as_its_table_not_its_declared_width(tmp_path):
    from analytics.ingest.sheets import read_sheets

    (sheet,) = read_sheets(make_wide(tmp_path), NAME)
    assert max(len(r) for r in sheet.rows) == len(HEADER)
    (sheet,) = read_sheets(make_wide_csv(tmp_path), "ket-qua-quy-II-2024.csv")
    assert [len(r) for r in sheet.rows] == [7, 7]


def test_names_in_scores_and_ingest_messages_never_reach_the_terminal_with_escapes(run_cli, tmp_path):
    db = tmp_path / "db.duckdb"
    code, _, err = run_cli("ingest", make_ansi_name(tmp_path), "--db", db)
    assert code == 0 and "\x1b" not in err and "\x07" not in err
    assert "Sở [31mCông Thương" in err  # the text stays, the control characters go
    code, out, _ = run_cli("scores", "--db", db, "--period", "2024Q2")
    assert code == 0 and "\x1b" not in out and "\x07" not in out and "Sở [31mCông Thương" in out


def test_scores_json_is_strict_json_with_null_for_missing_values(run_cli, tmp_path):
    db = tmp_path / "db.duckdb"
    path = index_xlsx(tmp_path, rows=([1, "Sở Công Thương", 18, None, None, 7.46, 18, None, None], STP))
    assert run_cli("ingest", path, "--db", db)[0] == 0
    code, out, _ = run_cli("scores", "--db", db, "--format", "json")

    def refuse(token):
        raise ValueError(f"non-standard JSON token {token}")

    rows = json.loads(out, parse_constant=refuse)
    total = next(r for r in rows if r["unit"] == "Sở Công Thương" and r["component"] == "total")
    assert code == 0 and total["score"] is None and total["grade"] is None
