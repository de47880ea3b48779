"""The illustrative dossier lists reproduce the committed per-procedure counts, and the 83 false overdue."""

import pandas as pd
import pytest

from analytics.demo.dossiers import QUARTERS, counts_file

COLUMNS = {"received_total": "Tổng số tiếp nhận", "received_online": "Tiếp nhận trực tuyến",
           "received_in_person": "Tiếp nhận trực tiếp", "received_postal": "Tiếp nhận qua BCCI",
           "carried_over": "Kỳ trước chuyển qua", "resolved_total": "Đã giải quyết", "resolved_early": "Trả trước hạn",
           "resolved_on_time": "Trả đúng hạn", "resolved_late": "Trả quá hạn", "pending_total": "Đang giải quyết",
           "pending_within_time": "Chưa đến hạn", "pending_overdue": "Quá hạn",
           "digitized_components": "Có số hóa thành phần hồ sơ", "electronic_results": "Có kết quả điện tử",
           "reused_data": "Có tái sử dụng dữ liệu", "fee_filings": "Hồ sơ có phí, lệ phí",
           "online_payments": "Thanh toán trực tuyến", "synced_filings": "Đồng bộ lên Cổng DVCQG"}


@pytest.mark.parametrize("period", QUARTERS)
def test_derived_counts_equal_the_committed_counts(demo, period):
    want = pd.read_csv(counts_file(period), dtype={"Mã thủ tục": str}, encoding="utf-8-sig").set_index("Mã thủ tục")
    got = demo.execute("SELECT * FROM filing_counts WHERE count_source = 'dossiers' AND period = ? AND unit_id = ?",
                       [period, "so cong thuong"]).df().set_index("procedure_code")
    # a procedure without dossiers in the quarter has no dossier to count: its committed row is all zeros
    empty = want[want["Tổng số tiếp nhận"].fillna(0) == 0]
    assert (empty[list(COLUMNS.values())].fillna(0) == 0).all().all()
    want = want.drop(index=empty.index)
    assert sorted(got.index) == sorted(want.index)
    for column, header in COLUMNS.items():
        assert got[column].reindex(want.index).astype(int).tolist() == want[header].fillna(0).astype(int).tolist(), column
    assert got["illustrative"].all()


def test_the_83_dossiers_the_portal_counted_overdue_are_false_overdue(demo):
    from analytics.analyses.dossiers import overdue_audit

    audit = overdue_audit(demo, "2024Q1", "so cong thuong")
    assert len(audit) == 83  # VB 1238/VP-HCC: 83 dossiers overdue on the national portal
    assert set(audit["verdict"]) == {"false_overdue"} and set(audit["portal_match"]) == {"found_on_time"}
    own_late = demo.execute("SELECT sum(resolved_late + pending_overdue) FROM filing_counts "
                            "WHERE count_source = 'dossiers' AND period = '2024Q1'").fetchone()[0]
    assert own_late == 0  # the department's own records: none
    assert audit["illustrative"].all()


def test_no_dossier_list_is_committed():
    from analytics.settings import RAW_DIR

    assert not [p for p in RAW_DIR.rglob("*") if p.name.startswith("danh-sach-ho-so")]
