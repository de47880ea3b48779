"""Dossier analyses on hand-built dossiers: false overdue and late, the nowcast computed by hand, the worklist."""

from datetime import date

import duckdb
import pandas as pd
import pytest

from analytics.analyses.dossiers import nowcast, nowcast_subindicators, overdue_audit, overdue_audit_summary, worklist
from analytics.analyses.dossiers import points_at_risk_by

CATALOG = """Mã thủ tục,Tên thủ tục,Lĩnh vực,Phòng xử lý,Mức độ DVC,Có phí,Thời hạn công bố,Đơn vị thời hạn công bố,Thời hạn cấu hình,Đơn vị thời hạn cấu hình,Đơn vị
P1,Thủ tục một,X,Phòng A,Toàn trình,Không,5,ngày làm việc,3,ngày,Sở Công Thương
"""
HEAD = "Số hồ sơ,Mã thủ tục,Đơn vị,Phòng xử lý,Kênh nộp,Ngày tiếp nhận,Ngày hẹn trả,Ngày có kết quả,Số hóa thành phần hồ sơ,Kết quả điện tử,Đồng bộ lên Cổng DVCQG,Cổng DVCQG ghi nhận quá hạn\n"
Q1 = [  # the system set 3 calendar days; the published deadline is 5 working days (Tết 8–14/2/2024 in between)
    "F1,P1,Sở Công Thương,Phòng A,Trực tuyến,05/02/2024,08/02/2024,19/02/2024,Có,Có,Có,Có",  # due 19/2: false overdue
    "F2,P1,Sở Công Thương,Phòng A,Trực tuyến,05/02/2024,08/02/2024,20/02/2024,Có,Có,Có,Có",  # one working day late
    "F3,P1,Sở Công Thương,Phòng A,Trực tuyến,28/03/2024,29/03/2024,,Có,,Có,",               # open, due 4/4: false overdue
    "F4,P1,Sở Công Thương,Phòng A,Trực tuyến,01/03/2024,08/03/2024,04/03/2024,Có,Có,Có,",    # early: not counted late
]
Q2 = [  # the nowcast case, as of Friday 14/6/2024
    "D1,P1,Sở Công Thương,Phòng A,Trực tuyến,03/06/2024,10/06/2024,07/06/2024,Có,Có,Có,",     # on time, complete
    "D2,P1,Sở Công Thương,Phòng B,Trực tuyến,03/06/2024,10/06/2024,12/06/2024,Không,Không,Có,",  # late, no e-result
    "D3,P1,Sở Công Thương,Phòng A,Trực tuyến,12/06/2024,19/06/2024,,Có,,Có,",                # open, due 19/6
    "D4,P1,Sở Công Thương,Phòng B,Trực tuyến,14/06/2024,21/06/2024,,Không,,Không,",          # open, due 21/6
]


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    from analytics.ingest.common import Options
    from analytics.ingest.pipeline import ingest

    tmp = tmp_path_factory.mktemp("dossiers")
    db = tmp / "a.duckdb"
    (tmp / "danh-muc.csv").write_text(CATALOG, encoding="utf-8")
    (tmp / "ho-so-2024Q1.csv").write_text(HEAD + "\n".join(Q1) + "\n", encoding="utf-8")
    (tmp / "ho-so-2024Q2.csv").write_text(HEAD + "\n".join(Q2) + "\n", encoding="utf-8")
    ingest([tmp / "danh-muc.csv"], Options(kind="catalog"), db=db)
    results = ingest([tmp / "ho-so-2024Q1.csv", tmp / "ho-so-2024Q2.csv"], Options(), db=db)
    assert [r.status for r in results] == ["loaded", "loaded"], [r.error for r in results]
    c = duckdb.connect(str(db), read_only=True)
    yield c
    c.close()


def test_false_overdue_and_late(con):
    audit = overdue_audit(con, "2024Q1", "so cong thuong").set_index("dossier_code")
    assert sorted(audit.index) == ["F1", "F2", "F3"]
    assert audit.loc["F1", "verdict"] == "false_overdue" and audit.loc["F1", "published_due_date"] == date(2024, 2, 19)
    assert audit.loc["F2", "verdict"] == "late" and audit.loc["F2", "working_days_late"] == 1
    assert audit.loc["F2", "system_working_days_late"] == 4  # 15, 16, 19, 20 February after the system's 8/2
    assert audit.loc["F3", "verdict"] == "false_overdue" and pd.isna(audit.loc["F3", "result_date"])
    assert audit.loc["F1", "portal_match"] == "found_on_time" and audit.loc["F2", "portal_match"] == "found_late"
    assert audit.loc["F1", "mismatch"] == "too_short"  # 3 calendar days configured against 5 working days


def test_audit_summary_gives_the_timeliness_points_recovered(con):
    summary = overdue_audit_summary(con, "2024Q1", "so cong thuong")
    row = summary.iloc[0]
    assert (row["counted_late"], row["false_overdue"], row["late"]) == (3, 2, 1)
    # by the system's dates 1 of 4 filings is on time (F4): 20 × 1/4 = 5; with F1 and F3 on time 20 × 3/4 = 15
    assert row["timeliness_points_recovered"] == 10.0


def test_nowcast_on_a_case_computed_by_hand(con):
    subs = nowcast_subindicators(con, date(2024, 6, 14), "so cong thuong").set_index("code")
    # the 2024Q2 export lists D1–D4 (F3, open in the 2024Q1 export, is not in it). Timeliness 20·r, by the
    # system's dates: only D1 is on time (D2 late; D3, D4 will be open past their dates at 30/6) → 20 × 1/4 = 5;
    # all close on time → D1, D3, D4 = 3/4 → 15
    timeliness = subs[subs["component"] == "timeliness"].iloc[0]
    assert (timeliness["points_if_no_action"], timeliness["points_if_all_close"], timeliness["points_at_risk"]) == (5.0, 15.0, 10.0)
    # electronic result 6 × (with e-result / resolved): 6 × 1/2 = 3 → 6 × 4/4 = 6
    e = subs.loc["ORIGINAL_RESULT_AVAILABLE"]
    assert (e["points_if_no_action"], e["points_if_all_close"]) == (3.0, 6.0)
    # digitized components 4 × 2/4 = 2 → 4; sync 6 × 3/4 = 4,5 → 6
    assert (subs.loc["SO_HOA_GIAY_TO_GIAI_QUYET", "points_if_no_action"], subs.loc["SO_HOA_GIAY_TO_GIAI_QUYET", "points_if_all_close"]) == (2.0, 4.0)
    assert (subs.loc["DOSSIER_SYNC", "points_if_no_action"], subs.loc["DOSSIER_SYNC", "points_if_all_close"]) == (4.5, 6.0)
    comp = nowcast(con, "2024-06-14", "so cong thuong").set_index("component")
    assert comp.loc["timeliness", "points_at_risk"] == 10.0
    assert comp.loc["timeliness", "open_dossiers"] == 2 and comp.loc["timeliness", "dossiers_in_period"] == 4


def test_points_at_risk_ranked_by_dossier_and_department(con):
    by_dossier = points_at_risk_by(con, date(2024, 6, 14), "so cong thuong", "dossier_code").set_index("dossier_code")
    # D3, D4 each carry half the 10 timeliness points and a third of the 3 e-result points (with D2); D2 and D4 half
    # the 2 digitization points; D4 all 1,5 sync points
    assert by_dossier["points_at_risk"].round(2).to_dict() == {"D4": 8.5, "D3": 6.0, "D2": 2.0}
    total = nowcast(con, "2024-06-14", "so cong thuong")["points_at_risk"].sum()
    assert round(by_dossier["points_at_risk"].sum(), 2) == round(total, 2)
    by_department = points_at_risk_by(con, date(2024, 6, 14), "so cong thuong", "department")
    assert by_department.set_index("department")["points_at_risk"].round(2).to_dict() == {"Phòng B": 10.5, "Phòng A": 6.0}


def test_worklist(con):
    wl = worklist(con, date(2024, 6, 14), "so cong thuong", within_days=3).set_index("dossier_code")
    # D3 due 19/6: 3 working days left (17, 18, 19); D4 due 21/6: 5 left, listed for missing digitization and sync
    assert wl.loc["D3", "working_days_left"] == 3 and wl.loc["D3", "state"] == "open"
    assert wl.loc["D4", "missing"] == "digitized_components, sync"
    assert wl.loc["D2", "missing"] == "e_result, digitized_components" and wl.loc["D2", "state"] == "resolved"
    assert "D1" not in wl.index  # resolved, complete
    assert list(wl.index)[0] == "D4"  # most points first


def test_the_four_commands(run_cli, con):
    db = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchone()[0]
    code, out, err = run_cli("overdue-audit", "--db", db, "--unit", "so cong thuong", "--period", "2024Q1", "--format", "json")
    assert code == 0, err
    assert '"verdict": "false_overdue"' in out and '"published_due_date": "2024-02-19"' in out
    code, out, _ = run_cli("worklist", "--db", db, "--as-of", "14/06/2024", "--unit", "so cong thuong")
    assert code == 0 and "D4" in out and "19/06/2024" in out
    code, out, _ = run_cli("nowcast", "--db", db, "--as-of", "2024-06-14", "--format", "csv")
    assert code == 0 and "timeliness" in out
    code, out, _ = run_cli("dossiers", "--db", db, "--period", "2024Q2", "--format", "json")
    assert code == 0 and '"received": 4' in out
