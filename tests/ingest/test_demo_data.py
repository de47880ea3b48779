"""The illustrative demo data: reproducible from its seed, consistent, and telling the documented facts."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from analytics.demo import generator as dd
from analytics.definition import load_definition
from analytics.parsing import fold

ROOT = Path(__file__).resolve().parents[2]
RAW = ROOT / "data" / "raw"
FIXTURE_INDEX = ROOT / "tests" / "fixtures" / "index"
GENERATED_DIRS = ("illustrative", "crosswalk", "templates")
VI = dd.FILING_HEADERS
TO_KEY = {v: k for k, v in VI.items()}
COUNTS = list(dd.COUNT_FIELDS)


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("raw")
    dd.main(root)
    return root


def _files(root: Path) -> dict[str, Path]:
    return {p.relative_to(root).as_posix(): p for d in GENERATED_DIRS for p in (root / d).rglob("*") if p.is_file()}


def _xlsx_values(path: Path) -> list:
    wb = openpyxl.load_workbook(path)
    return [(ws.title, [tuple(r) for r in ws.iter_rows(values_only=True)], sorted(map(str, ws.merged_cells.ranges)))
            for ws in wb.worksheets]


def _read_filings_csv(path: Path) -> pd.DataFrame:
    df = pd.read_csv(path, encoding="utf-8-sig", dtype={VI["procedure_code"]: str, VI["period"]: str})
    assert list(df.columns) == [VI[k] for k in dd.FILING_FIELDS], path.name
    return df.rename(columns=TO_KEY)


def _read_one_stop_report(path: Path) -> tuple[pd.DataFrame, dict]:
    rows = list(openpyxl.load_workbook(path).active.iter_rows(values_only=True))
    body = [r for r in rows[8:] if r[1]]
    total = next(r for r in body if r[1] == "Tổng cộng")
    body = [r for r in body if r[1] != "Tổng cộng"]
    fields = list(dd.ONE_STOP_REPORT_FIELDS)
    df = pd.DataFrame([[r[1], *r[2:2 + len(fields)]] for r in body], columns=["procedure_name", *fields])
    return df, dict(zip(fields, total[2:2 + len(fields)]))


@pytest.fixture(scope="module")
def filings() -> pd.DataFrame:
    """Every committed filings CSV, English keys."""
    frames = [_read_filings_csv(p) for p in sorted((RAW / "illustrative" / "filings").glob("*.csv"))]
    return pd.concat(frames, ignore_index=True)


def _assert_invariants(df: pd.DataFrame) -> None:
    c = {k: df[k].to_numpy(dtype=np.int64) for k in COUNTS if k in df}
    assert all((v >= 0).all() for v in c.values())
    assert (c["received_total"] == c["received_online"] + c["received_in_person"] + c["received_postal"]
            + c["carried_over"]).all()
    assert (c["resolved_total"] == c["resolved_early"] + c["resolved_on_time"] + c["resolved_late"]).all()
    assert (c["pending_total"] == c["pending_within_time"] + c["pending_overdue"]).all()
    assert (c["received_total"] == c["resolved_total"] + c["pending_total"]).all()
    for part in ("digitized_components", "electronic_results", "reused_data", "fee_filings", "synced_filings"):
        if part in c:
            assert (c[part] <= c["received_total"]).all(), part
    if "fee_filings" in c:
        assert (c["online_payments"] <= c["fee_filings"]).all()
        assert (c["feedback_on_time"] <= c["feedback_total"]).all()
        assert (c["feedback_satisfied"] <= c["feedback_total"]).all()


# --- reproducibility ------------------------------------------------------------------------------

def test_regenerated_files_are_the_committed_files(regenerated):
    committed, fresh = _files(RAW), _files(regenerated)
    assert sorted(committed) == sorted(fresh)
    for name, path in committed.items():
        if path.suffix in (".csv", ".json"):
            assert path.read_bytes() == fresh[name].read_bytes(), name
        else:
            assert _xlsx_values(path) == _xlsx_values(fresh[name]), name


def test_two_runs_are_byte_identical(regenerated, tmp_path):
    dd.main(tmp_path)
    first, second = _files(regenerated), _files(tmp_path)
    for name in first:
        assert first[name].read_bytes() == second[name].read_bytes(), name


def test_generated_workbooks_have_fixed_dates_and_an_illustrative_label():
    for path in sorted((RAW / "illustrative").rglob("*.xlsx")):
        wb = openpyxl.load_workbook(path)
        if path.name in dd.FIXTURE_INDEX_FILES.values():
            continue
        assert wb.properties.created == dd.WORKBOOK_TIMESTAMP and wb.properties.modified == dd.WORKBOOK_TIMESTAMP
        texts = [unicodedata.normalize("NFC", str(v)) for ws in wb.worksheets for r in ws.iter_rows(values_only=True)
                 for v in r if isinstance(v, str)]
        assert dd.ILLUSTRATIVE_NOTE in texts, path.name


def test_fixture_quarters_are_copied_unchanged():
    for name in dd.FIXTURE_INDEX_FILES.values():
        assert (RAW / "illustrative" / "index" / name).read_bytes() == (FIXTURE_INDEX / name).read_bytes()


# --- filings --------------------------------------------------------------------------------------

def test_every_filings_row_respects_the_invariants(filings):
    assert len(filings) == 19 * dd.N_PROCEDURES
    _assert_invariants(filings)
    report, _ = _read_one_stop_report(RAW / "illustrative" / "filings" / dd.ONE_STOP_REPORT_FILE)
    _assert_invariants(report)


def test_each_quarter_has_both_sources_and_2024q3_own_records_are_the_report():
    names = {p.name for p in (RAW / "illustrative" / "filings").iterdir()}
    for period in dd.PERIODS:
        assert f"so-cong-thuong-{period}-cong-dvcqg.csv" in names
        own = f"so-cong-thuong-{period}-mot-cua.csv"
        assert (own in names) == (period != "2024Q3")
    assert dd.ONE_STOP_REPORT_FILE in names


def test_one_stop_report_carries_the_counts_the_csv_would_have():
    path = RAW / "illustrative" / "filings" / dd.ONE_STOP_REPORT_FILE
    report, total = _read_one_stop_report(path)
    tables = dd.filing_tables()
    expected = tables[(tables["period"] == "2024Q3") & (tables["count_source"] == dd.SOURCE_ONE_STOP)]
    expected = expected[["procedure_name", *dd.ONE_STOP_REPORT_FIELDS]].reset_index(drop=True)
    pd.testing.assert_frame_equal(report, expected, check_dtype=False)
    assert total == {k: int(expected[k].sum()) for k in dd.ONE_STOP_REPORT_FIELDS}
    title = [r[0] for r in openpyxl.load_workbook(path).active.iter_rows(max_row=4, values_only=True)]
    assert any("QUÝ III/2024" in str(t) for t in title)


def test_own_records_2023q3_match_the_published_report(filings):
    own = filings[(filings["period"] == "2023Q3") & (filings["count_source"] == dd.SOURCE_ONE_STOP)]
    assert own["received_total"].sum() == 9436
    assert own["received_online"].sum() == 9436
    assert own["received_in_person"].sum() == 0
    assert own["feedback_total"].sum() == 97
    assert own["feedback_on_time"].sum() == 97
    assert (own["resolved_late"] + own["pending_overdue"]).sum() == 0


def test_portal_counts_83_overdue_in_2024q1_own_records_none(filings):
    q1 = filings[filings["period"] == "2024Q1"]
    overdue = (q1["resolved_late"] + q1["pending_overdue"]).groupby(q1["count_source"]).sum()
    assert overdue[dd.SOURCE_PORTAL] == 83
    assert overdue[dd.SOURCE_ONE_STOP] == 0
    own = filings[filings["count_source"] == dd.SOURCE_ONE_STOP]
    assert (own["resolved_late"] + own["pending_overdue"]).sum() == 0


def test_127_procedures_everywhere(filings):
    catalog = pd.read_csv(RAW / "illustrative" / "catalog" / "danh-muc-tthc-so-cong-thuong.csv",
                          encoding="utf-8-sig", dtype=str)
    assert list(catalog.columns) == [h for _, h in dd.CATALOG_COLUMNS]
    assert len(catalog) == 127 and catalog["Mã thủ tục"].is_unique and catalog["Tên thủ tục"].is_unique
    assert set(catalog["Mức độ DVC"]) <= {"Toàn trình", "Một phần"} and set(catalog["Có phí"]) <= {"Có", "Không"}
    units = {"ngày làm việc", "ngày", "giờ"}
    assert set(catalog["Đơn vị thời hạn công bố"]) <= units and set(catalog["Đơn vị thời hạn cấu hình"]) <= units
    for (period, source), group in filings.groupby(["period", "count_source"]):
        assert len(group) == 127 and set(group["procedure_code"]) == set(catalog["Mã thủ tục"]), (period, source)
    assert set(filings["unit"]) == {"Sở Công Thương"}
    fixture_report = openpyxl.load_workbook(ROOT / "tests" / "fixtures" / "filings" /
                                            "bao-cao-tong-hop-TTHC-quy-II-2024.xlsx").active
    fixture_names = {r[1] for r in fixture_report.iter_rows(min_row=9, values_only=True) if r[1] and r[1] != "Tổng cộng"}
    assert fixture_names <= set(catalog["Tên thủ tục"])


def test_misconfigured_procedures_are_exactly_those_overdue_only_on_the_portal(filings):
    catalog = pd.read_csv(RAW / "illustrative" / "catalog" / "danh-muc-tthc-so-cong-thuong.csv",
                          encoding="utf-8-sig", dtype=str)
    misconfigured = set(catalog.loc[(catalog["Thời hạn công bố"] != catalog["Thời hạn cấu hình"])
                                    | (catalog["Đơn vị thời hạn công bố"] != catalog["Đơn vị thời hạn cấu hình"]),
                                    "Mã thủ tục"])
    assert 5 <= len(misconfigured) <= 8
    overdue = (filings["resolved_late"] + filings["pending_overdue"]).groupby(
        [filings["procedure_code"], filings["count_source"]]).sum().unstack(fill_value=0)
    portal_only = set(overdue.index[(overdue[dd.SOURCE_PORTAL] > 0) & (overdue[dd.SOURCE_ONE_STOP] == 0)])
    assert portal_only == misconfigured
    q1 = filings[(filings["period"] == "2024Q1") & (filings["count_source"] == dd.SOURCE_PORTAL)]
    assert set(q1.loc[(q1["resolved_late"] + q1["pending_overdue"]) > 0, "procedure_code"]) == misconfigured


def test_the_portal_sees_promotion_notices_as_in_person_and_little_digitization(filings):
    _, report_total = _read_one_stop_report(RAW / "illustrative" / "filings" / dd.ONE_STOP_REPORT_FILE)
    totals = filings.groupby(["period", "count_source"])[COUNTS].sum()
    for period in dd.PERIODS:
        portal = totals.loc[(period, dd.SOURCE_PORTAL)]
        own = pd.Series(report_total) if period == dd.ONE_STOP_REPORT_PERIOD else totals.loc[(period, dd.SOURCE_ONE_STOP)]
        assert own["received_total"] == portal["received_total"]
        assert 3000 <= own["received_total"] <= 10000
        assert own["received_online"] / own["received_total"] >= 0.95
        assert portal["received_online"] / portal["received_total"] <= 0.5
        assert portal["digitized_components"] / portal["received_total"] < 0.02
    promo = filings[filings["procedure_name"].isin(dd.PROMOTION_NOTICES)]
    assert promo["received_total"].sum() / filings["received_total"].sum() > 0.6


# --- index tables ---------------------------------------------------------------------------------

def test_index_tables_are_consistent_with_the_definition():
    definition = load_definition()
    maxima = {g.key: g.max_points for g in definition.version("v2022").groups}
    tables = dd.index_tables()
    assert sorted(tables["period"].unique()) == sorted(dd.GENERATED_INDEX_PERIODS)
    for rec in tables.to_dict("records"):
        for key, mx in maxima.items():
            assert 0 <= rec[key] <= mx and round(rec[key], 2) == rec[key]
        assert rec["total"] == round(sum(rec[k] for k in maxima), 2)
        assert rec["grade"] == definition.grade_for(rec["total"]).label_vi
    sct = tables[tables["unit"] == "Sở Công Thương"]
    assert sct["digitization"].between(0, 2).all() and sct["online_services"].between(6, 12).all()
    for period, group in tables.groupby("period"):
        expected = dd.departments_for(period) + dd.DISTRICTS
        assert list(group["unit"]) == list(expected)
        assert len(group) == (27 if period < "2025Q1" else 22)


def test_every_quarter_has_an_index_file_named_by_its_quarter():
    names = {p.name for p in (RAW / "illustrative" / "index").iterdir()}
    for period in dd.PERIODS:
        assert any(n.startswith(dd.index_file_name(period, "x")[:-1]) for n in names), period
    assert len(names) == len(dd.PERIODS)


def test_index_csvs_hold_the_generated_values():
    tables = dd.index_tables()
    for period in ("2023Q3", "2024Q4"):
        df = pd.read_csv(RAW / "illustrative" / "index" / dd.index_file_name(period, "csv"),
                         sep=";", decimal=",", encoding="utf-8-sig")
        assert (df["Kỳ"] == dd.period_label(period)).all()
        expected = tables[tables["period"] == period].reset_index(drop=True)
        assert list(df["Đơn vị"]) == list(expected["unit"])
        assert list(df["Khối"]) == list(expected["unit_level"])
        np.testing.assert_allclose(df["Tổng điểm"], expected["total"])


def _header_keys(path: Path) -> set[str]:
    """Component keys named by header cells anywhere in the workbook (after folding)."""
    wb = openpyxl.load_workbook(path)
    return {dd._component_key(v) for ws in wb.worksheets for r in ws.iter_rows(values_only=True) for v in r
            if isinstance(v, str) and dd._component_key(v)}


def test_index_workbook_variations_are_present_and_headers_match_the_aliases():
    folder = RAW / "illustrative" / "index"
    for period in dd.GENERATED_INDEX_PERIODS:
        if dd.INDEX_LAYOUTS[period].kind == "xlsx":
            keys = _header_keys(folder / dd.index_file_name(period, "xlsx"))
            assert set(dd._NATURAL) | {"total", "grade"} <= keys, period
    cover = openpyxl.load_workbook(folder / "ket-qua-766-quy-I-2023.xlsx")
    assert len(cover.worksheets) == 2 and cover.worksheets[0].max_row < 10
    one_row = [r for r in openpyxl.load_workbook(folder / "ket-qua-766-quy-II-2023.xlsx").active.iter_rows(values_only=True)
               if r[0] == "STT"][0]
    assert "Số hoá hồ sơ" in one_row and not any("điểm)" in str(v) for v in one_row)
    text_numbers = openpyxl.load_workbook(folder / "ket-qua-766-quy-IV-2023.xlsx").active
    row = next(r for r in text_numbers.iter_rows(values_only=True) if r[1] == "Sở Công Thương")
    assert all(isinstance(v, str) for v in row[2:3] + row[4:]) and any("," in v for v in row[4:])
    nfd = openpyxl.load_workbook(folder / "ket-qua-766-quy-II-2025.xlsx").active
    texts = [v for r in nfd.iter_rows(values_only=True) for v in r if isinstance(v, str)]
    assert all(unicodedata.normalize("NFD", v) == v for v in texts)
    assert any(unicodedata.normalize("NFC", v) != v for v in texts)
    merged = openpyxl.load_workbook(folder / "ket-qua-766-quy-I-2025.xlsx").active
    rows = list(merged.iter_rows(values_only=True))
    assert "UBND TP. Long Khánh" in [r[1] for r in rows]
    assert "Ghi chú" in [v for r in rows for v in r]


# --- crosswalk and templates ----------------------------------------------------------------------

def test_crosswalk_resolves_every_unit_name_in_the_index_files():
    cw = pd.read_csv(RAW / "crosswalk" / "don-vi.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert tuple(cw.columns) == dd.CROSSWALK_HEADER
    assert set(cw["Khối"]) == {"Sở, ban, ngành", "UBND cấp huyện"}
    aliases = {fold(a) for a in cw["Tên hoặc mã"]}
    canonical = set(cw["Đơn vị"])
    names = set()
    for path in (RAW / "illustrative" / "index").iterdir():
        if path.suffix == ".csv":
            names |= set(pd.read_csv(path, sep=";", encoding="utf-8-sig")["Đơn vị"])
        else:
            for r in openpyxl.load_workbook(path).active.iter_rows(values_only=True):
                if isinstance(r[0], int):
                    names.add(r[1])
    assert {fold(n) for n in names} <= aliases
    for alias in ("SCT", "Sở CT", "H19.15", "UBND TP. Long Khánh", "UBND thị xã Long Khánh"):
        assert fold(alias) in aliases
    merged = cw[(cw["Tên hoặc mã"] == "Sở Kế hoạch và Đầu tư")].set_index("Đơn vị")
    assert merged.loc["Sở Kế hoạch và Đầu tư", "Đến kỳ"] == "2024Q4"
    assert merged.loc["Sở Tài chính", "Từ kỳ"] == "2025Q1"
    assert "Hợp nhất từ 01/3/2025 (minh họa)" in merged.loc["Sở Tài chính", "Ghi chú"]
    assert canonical == set(dd.DEPARTMENTS_2024) | {"Sở Nông nghiệp và Môi trường"} | set(dd.DISTRICTS)
    codes = cw[cw["Tên hoặc mã"].str.match(r"^H19\.\d\d$")]
    assert codes["Ghi chú"].str.contains("minh họa").all()


def test_templates_hold_only_their_header():
    t = RAW / "templates"
    expected = {
        "mau-so-lieu-ho-so.csv": ([VI[k] for k in dd.FILING_FIELDS], ","),
        "mau-ket-qua-chi-so.csv": (list(dd.INDEX_TEMPLATE_HEADER), ";"),
        "mau-danh-muc-tthc.csv": ([h for _, h in dd.CATALOG_COLUMNS], ","),
        "mau-don-vi.csv": (list(dd.CROSSWALK_HEADER), ","),
    }
    for name, (header, sep) in expected.items():
        raw = (t / name).read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")
        df = pd.read_csv(t / name, sep=sep, encoding="utf-8-sig")
        assert list(df.columns) == header and len(df) == 0, name
    first = (t / "mau-so-lieu-ho-so.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert '"Hồ sơ có phí, lệ phí"' in first
    ws = openpyxl.load_workbook(t / "mau-so-lieu-ho-so.xlsx").active
    assert [c.value for c in ws[1]] == [VI[k] for k in dd.FILING_FIELDS] and ws.max_row == 1
    assert ws.freeze_panes == "A2" and ws["A1"].font.b
    assert ws.column_dimensions["D"].width > 30


# --- synthetic rows for benchmarks ----------------------------------------------------------------

def test_generate_filing_rows_respects_every_invariant():
    df = dd.generate_filing_rows(100_000)
    assert list(df.columns) == list(dd.FILING_FIELDS) and len(df) == 100_000
    _assert_invariants(df)
    assert df["received_total"].sum() > 0 and df["resolved_late"].sum() > 0
    assert set(df["count_source"].unique()) == {dd.SOURCE_ONE_STOP, dd.SOURCE_PORTAL}
    assert df.equals(dd.generate_filing_rows(100_000))
    assert not df.equals(dd.generate_filing_rows(100_000, seed=1))


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_write_filing_export_uses_the_template_layout(tmp_path, suffix):
    path = dd.write_filing_export(tmp_path / f"export{suffix}", 500)
    if suffix == ".csv":
        df = pd.read_csv(path, encoding="utf-8-sig", dtype={VI["procedure_code"]: str})
    else:
        df = pd.read_excel(path, engine="openpyxl", dtype={VI["procedure_code"]: str})
    assert list(df.columns) == [VI[k] for k in dd.FILING_FIELDS] and len(df) == 500
    expected = dd.generate_filing_rows(500)
    assert (df[VI["received_total"]].to_numpy() == expected["received_total"].to_numpy()).all()
    assert list(df[VI["procedure_code"]]) == list(expected["procedure_code"].astype(str))
