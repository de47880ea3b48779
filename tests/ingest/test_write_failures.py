"""The database cannot be written: disk full, a read-only folder, a writer killed with -9. Each is a message with
exit 2, the previous state intact and no partial copy left; a killed writer's copy is cleaned by the next writer.

Disk full and read-only use a small tmpfs mounted by the test (as root). Where mounting is impossible the test
skips, except under CI=true, where it fails.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import INDEX_Q1, INDEX_Q2, ROOT, table_snapshot


def as_root(*cmd: str) -> subprocess.CompletedProcess:
    """A command run as root: directly when we are root, else through passwordless sudo (CI machines)."""
    prefix = [] if os.geteuid() == 0 else ["sudo", "-n"]
    try:
        return subprocess.run([*prefix, *cmd], capture_output=True, text=True)
    except FileNotFoundError as exc:  # no sudo
        return subprocess.CompletedProcess(cmd, 1, "", str(exc))


@contextlib.contextmanager
def tmpfs(folder: Path, size_kb: int):
    folder.mkdir(parents=True, exist_ok=True)
    done = as_root("mount", "-t", "tmpfs", "-o", f"size={size_kb}k,mode=1777", "tmpfs", str(folder))
    if done.returncode != 0:
        reason = f"cannot mount a tmpfs here ({done.stderr.strip() or 'not root'})"
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true: " + reason)
        pytest.skip(reason)
    try:
        yield folder
    finally:
        as_root("umount", "-l", str(folder))


def fill(folder: Path, leave_bytes: int) -> None:
    """Fill a file system until only ``leave_bytes`` are free."""
    st = os.statvfs(folder)
    free = st.f_bavail * st.f_frsize
    with open(folder / "filler.bin", "wb") as fh:
        fh.write(b"\0" * max(free - leave_bytes, 0))


def loaded(run_cli, db: Path) -> dict:
    code, _, err = run_cli("ingest", INDEX_Q1, "--db", db)
    assert code == 0, err
    return table_snapshot(db)


@pytest.mark.parametrize("free_kb", [16, "db+64"], ids=["full-before-the-copy", "full-while-writing"])
def test_disk_full_is_a_message_and_the_database_survives(free_kb, run_cli, tmp_path):
    with tmpfs(tmp_path / "small", 64 * 1024) as mnt:
        db = mnt / "analytics.duckdb"
        before = loaded(run_cli, db)
        size = db.stat().st_size
        fill(mnt, 16 * 1024 if free_kb == 16 else size + 64 * 1024)
        code, out, err = run_cli("ingest", INDEX_Q2, "--db", db)
        assert code == 2, err
        assert "ổ đĩa đã đầy" in err and str(db) in err and "Cách sửa" in err
        assert "Traceback" not in err
        (mnt / "filler.bin").unlink()
        assert table_snapshot(db) == before
        assert sorted(p.name for p in mnt.iterdir()) == ["analytics.duckdb", "analytics.duckdb.lock"]
        code, _, err = run_cli("ingest", INDEX_Q2, "--db", db, "--lang", "en")  # space again: it loads
        assert code == 0, err


def test_disk_full_message_in_english(run_cli, tmp_path):
    with tmpfs(tmp_path / "small", 64 * 1024) as mnt:
        db = mnt / "analytics.duckdb"
        loaded(run_cli, db)
        fill(mnt, 16 * 1024)
        code, _, err = run_cli("ingest", INDEX_Q2, "--db", db, "--lang", "en")
        assert code == 2 and "the disk is full" in err and "previous data is intact" in err


def test_read_only_database_folder_is_a_message(run_cli, tmp_path):
    with tmpfs(tmp_path / "ro", 64 * 1024) as mnt:
        db = mnt / "analytics.duckdb"
        before = loaded(run_cli, db)
        assert as_root("mount", "-o", "remount,ro", str(mnt)).returncode == 0
        code, _, err = run_cli("ingest", INDEX_Q2, "--db", db)
        assert code == 2, err
        assert "chỉ đọc" in err and str(db) in err and "Traceback" not in err
        assert table_snapshot(db) == before


def big_filings(path: Path, rows: int = 60_000) -> Path:
    lines = ["Kỳ;Đơn vị;Mã thủ tục;Tên thủ tục;Tổng số tiếp nhận;Tiếp nhận trực tuyến;Tiếp nhận trực tiếp"]
    lines += [f"2024Q2;Sở Công Thương;TT{i:06d};Thủ tục {i};10;4;6" for i in range(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_writer_killed_with_9_leaves_nothing_the_next_writer_does_not_clean(run_cli, tmp_path):
    db = tmp_path / "analytics.duckdb"
    before = loaded(run_cli, db)
    big = big_filings(tmp_path / "so-lieu-ho-so-quy-II-2024.csv")
    kills = 0
    for attempt in range(3):
        proc = subprocess.Popen([sys.executable, "-m", "analytics", "ingest", str(big), "--db", str(db)],
                                cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while not list(tmp_path.glob("analytics.duckdb.tmp-*")) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            kills += 1
        proc.wait()
    assert kills >= 1
    assert list(tmp_path.glob("analytics.duckdb.tmp-*"))  # what killed writers leave behind
    assert table_snapshot(db) == before  # the live file never saw them
    code, _, err = run_cli("ingest", INDEX_Q2, "--db", db)
    assert code == 0, err
    assert not list(tmp_path.glob("analytics.duckdb.tmp-*"))
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("analytics")) == [
        "analytics.duckdb", "analytics.duckdb.lock"]
