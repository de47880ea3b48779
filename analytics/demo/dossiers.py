"""Illustrative dossier lists for Sở Công Thương, derived from the committed per-procedure filing counts.

For each quarter in ``QUARTERS`` the one-stop counts (``data/raw/illustrative/filings/so-cong-thuong-<P>-mot-cua.csv``)
are turned into one row per dossier, so that the counts the ``dossiers`` kind derives from them equal the file's
counts exactly (received by channel, carried over, resolved early / on time / late, pending within time / overdue,
digitized, electronic results, reused, fee, online payment, sync). Deadlines are the catalogue's published ones on
Vietnam's calendar. Where the national portal counted filings overdue (``…-cong-dvcqg.csv``: resolved late +
pending overdue; 83 in 2024Q1, the figure of VB 1238/VP-HCC) while the department's records show none, that many
dossiers carry a system appointment date (``ngày hẹn trả``) earlier than the published due date: the false
overdue the inspectorate is asked to find. Everything here is illustrative (fixed seed) and marked so.
"""

from __future__ import annotations

import csv
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from analytics.periods import quarter_dates
from analytics.settings import RAW_DIR
from analytics.workdays import work_calendar

QUARTERS = ("2024Q1", "2025Q2")
UNIT = "Sở Công Thương"
SEED = 766
FILINGS_DIR = RAW_DIR / "illustrative" / "filings"
CATALOG_FILE = RAW_DIR / "illustrative" / "catalog" / "danh-muc-tthc-so-cong-thuong.csv"
HEADER = ["STT", "Số hồ sơ", "Mã thủ tục", "Tên thủ tục", "Đơn vị", "Phòng xử lý", "Kênh nộp", "Ngày tiếp nhận",
          "Ngày hẹn trả", "Ngày có kết quả", "Trạng thái", "Số hóa thành phần hồ sơ", "Kết quả điện tử",
          "Tái sử dụng dữ liệu", "Đồng bộ Cổng DVCQG", "Thanh toán trực tuyến", "Phí, lệ phí", "Cổng DVCQG ghi nhận quá hạn"]
TEMPLATE_HEADER = [h for h in HEADER if h != "STT"] + ["Số ngày tạm dừng"]
CHANNELS = {"online": "Trực tuyến", "in_person": "Trực tiếp", "postal": "Bưu chính công ích"}
UNITS = {"ngày làm việc": "working_days", "ngày": "days", "giờ": "hours"}


def counts_file(period: str, source: str = "mot-cua") -> Path:
    """The committed per-procedure counts a quarter's dossiers are derived from."""
    return FILINGS_DIR / f"so-cong-thuong-{period}-{source}.csv"


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype={"Mã thủ tục": str}, encoding="utf-8-sig")


def _catalog() -> dict[str, tuple[float, str]]:
    cat = _read(CATALOG_FILE)
    return {r["Mã thủ tục"]: (float(r["Thời hạn công bố"]), UNITS[r["Đơn vị thời hạn công bố"]]) for _, r in cat.iterrows()}


def _d(x) -> date:
    return pd.Timestamp(x).date()


def quarter_dossiers(period: str, seed: int = SEED) -> pd.DataFrame:
    """One row per dossier of a quarter whose derived counts equal the quarter's committed one-stop counts."""
    cal = work_calendar()
    rng = np.random.default_rng(seed + int(period[:4]) * 10 + int(period[-1]))
    own = _read(counts_file(period))
    portal_path = counts_file(period, "cong-dvcqg")
    portal = _read(portal_path).set_index("Mã thủ tục") if portal_path.exists() else None
    deadlines = _catalog()
    start, end = _d(quarter_dates(period)[0]), _d(quarter_dates(period)[1])
    work = [d.astype(date) for d in cal.working_days if start <= d.astype(date) <= end]
    before = [d.astype(date) for d in cal.working_days if d.astype(date) < start][-1]
    last = work[-1]
    rows = []
    for _, r in own.iterrows():
        code = r["Mã thủ tục"]
        amount, unit = deadlines.get(code, (5.0, "working_days"))

        def due(day: date) -> date:
            return cal.due_date(day, amount, unit)

        def n(col: str) -> int:
            return int(r[col]) if pd.notna(r[col]) else 0

        new_channels = ["online"] * n("Tiếp nhận trực tuyến") + ["in_person"] * n("Tiếp nhận trực tiếp") + ["postal"] * n("Tiếp nhận qua BCCI")
        rng.shuffle(new_channels)
        carried = n("Kỳ trước chuyển qua")
        roles_resolved = ["early"] * n("Trả trước hạn") + ["on_time"] * n("Trả đúng hạn") + ["late"] * n("Trả quá hạn")
        roles_pending = ["pending_within"] * n("Chưa đến hạn") + ["pending_overdue"] * n("Quá hạn")
        # days of receipt for new dossiers that resolve inside the quarter: their due date must fall in it
        resolvable = [d for d in work if due(d) <= end] or work[:1]
        dossiers = []  # (received, channel or None for carried, role)
        # carried dossiers were received on the last working day before the quarter and are still open at its start;
        # they take on-time roles first (always feasible: result on the due day), then early ones where the due
        # day leaves room, then late ones
        order = {"on_time": 0, "early": 1, "late": 2}
        roles_resolved.sort(key=lambda x: order[x])
        early_ok = due(before) > start
        carried_roles = [x for x in roles_resolved if x != "early" or early_ok][:carried]
        for x in carried_roles:
            roles_resolved.remove(x)
        for x in carried_roles:
            dossiers.append((before, None, x))
        pending_roles = list(roles_pending)
        for _ in range(carried - len(carried_roles)):
            dossiers.append((before, None, pending_roles.pop(0) if pending_roles else "on_time"))
        rest_resolved = roles_resolved
        ch = iter(new_channels)
        for role in rest_resolved:
            dossiers.append((resolvable[int(rng.integers(len(resolvable)))], next(ch), role))
        for role in pending_roles:
            dossiers.append((last, next(ch), role))  # received on the quarter's last working day: open at its end
        for rec, chan, role in dossiers:
            d_pub = due(rec)
            if role == "early":
                result = rec if rec >= start and rec < d_pub else max(start, rec)
                if not result < d_pub:  # a carried dossier due on the quarter's first day cannot be early
                    result = d_pub
            elif role == "on_time":
                result = d_pub
            elif role == "late":
                result = cal.add_working_days(np.array([np.datetime64(d_pub, "D")]), 1)[0].astype(date)
            else:
                result = None
            rows.append({"code": code, "name": r["Tên thủ tục"], "department": r["Phòng xử lý"], "received": rec,
                         "channel": chan or "online", "published_due": d_pub, "system_due": d_pub, "result": result,
                         "role": role, "portal_overdue": False})
        in_scope = len(dossiers)
        start_i = len(rows) - in_scope
        idx = np.arange(start_i, len(rows))
        resolved_idx = [i for i in idx if rows[i]["result"] is not None]
        for col, key, pool in (("Có số hóa thành phần hồ sơ", "digitized", idx), ("Có kết quả điện tử", "e_result", resolved_idx),
                               ("Có tái sử dụng dữ liệu", "reused", idx), ("Đồng bộ lên Cổng DVCQG", "synced", idx),
                               ("Thanh toán trực tuyến", "paid_online", idx), ("Hồ sơ có phí, lệ phí", "has_fee", idx)):
            chosen = set(rng.choice(pool, size=min(n(col), len(pool)), replace=False).tolist()) if len(pool) else set()
            for i in idx:
                rows[i][key] = i in chosen
        # the portal's overdue count where the department's records show none: system dates set too early
        if portal is not None and code in portal.index:
            late_p = int(portal.loc[code, "Trả quá hạn"]) - n("Trả quá hạn")
            overdue_p = int(portal.loc[code, "Quá hạn"]) - n("Quá hạn")
            resolved_pool = [i for i in resolved_idx if rows[i]["result"] > rows[i]["received"] and rows[i]["role"] != "late"]
            for i in sorted(resolved_pool, key=lambda i: (rows[i]["role"] != "on_time", rows[i]["received"]))[:max(0, late_p)]:
                prev = cal.add_working_days(np.array([np.datetime64(rows[i]["received"], "D")]), 0)[0].astype(date)
                rows[i]["system_due"] = max(prev, rows[i]["received"])  # the same day: hours counted as clock hours
                rows[i]["portal_overdue"] = True
            open_pool = [i for i in idx if rows[i]["result"] is None and rows[i]["role"] == "pending_within"]
            for i in open_pool[:max(0, overdue_p)]:
                rows[i]["system_due"] = rows[i]["received"]
                rows[i]["portal_overdue"] = True
    df = pd.DataFrame(rows)
    minutes = rng.integers(0, 8 * 60, size=len(df))
    df["received_at"] = [datetime.combine(d, datetime.min.time()) + timedelta(hours=7, minutes=int(m)) for d, m in zip(df["received"], minutes)]
    df["dossier_code"] = [f"H19.23-{d:%y%m%d}-{i:05d}" for i, d in enumerate(df["received"], 1)]
    return df


def write_quarter(period: str, folder: Path) -> Path:
    """Write a quarter's illustrative dossier list as the one-stop software exports it (title block, Vietnamese
    headers, dd/mm/yyyy dates, a "Tổng cộng" row)."""
    df = quarter_dossiers(period)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"danh-sach-ho-so-minh-hoa-so-cong-thuong-{period}.csv"
    q = {"1": "I", "2": "II", "3": "III", "4": "IV"}[period[-1]]

    def yes(v):
        return "Có" if v else "Không"

    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow([f"DANH SÁCH HỒ SƠ (DỮ LIỆU MINH HỌA) - SỞ CÔNG THƯƠNG TỈNH ĐỒNG NAI - QUÝ {q}/{period[:4]}"])
        w.writerow([])
        w.writerow(HEADER)
        for i, r in enumerate(df.itertuples(index=False), 1):
            w.writerow([i, r.dossier_code, r.code, r.name, UNIT, r.department, CHANNELS[r.channel],
                        r.received_at.strftime("%d/%m/%Y %H:%M"), r.system_due.strftime("%d/%m/%Y"),
                        "" if r.result is None else r.result.strftime("%d/%m/%Y") + " 16:00",
                        "Đang xử lý" if r.result is None else "Đã trả kết quả", yes(r.digitized), yes(r.e_result),
                        yes(r.reused), yes(r.synced), yes(r.paid_online), "50.000" if r.has_fee else "0",
                        "Có" if r.portal_overdue else ""])
        w.writerow(["Tổng cộng", len(df)])
    return path


def write_demo_dossiers(folder: Path) -> list[Path]:
    """The illustrative dossier lists of every quarter in QUARTERS whose counts file exists."""
    return [write_quarter(p, folder) for p in QUARTERS if counts_file(p).exists()]
