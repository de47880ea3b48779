"""Shared test fixtures: paths to the sample files, a CLI runner, and a demo database built once per session."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
INDEX_Q1 = FIXTURES / "index" / "ket-qua-766-quy-I-2024.csv"
INDEX_Q2 = FIXTURES / "index" / "ket-qua-766-quy-II-2024.xlsx"
FILINGS_Q2 = FIXTURES / "filings" / "bao-cao-tong-hop-TTHC-quy-II-2024.xlsx"
PORTAL = FIXTURES / "portal-phutho"
PUBLISHED = ROOT / "data" / "raw" / "published" / "so-cong-thuong-dong-nai.csv"


@pytest.fixture
def run_cli(capsys):
    """Run ``python -m analytics ARGS`` in-process; returns (exit code, stdout, stderr)."""
    from analytics.cli import main

    def run(*args: str):
        try:
            code = main([str(a) for a in args])
        except SystemExit as exc:  # argparse errors and open_db failures
            code = exc.code
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def db(tmp_path) -> Path:
    """A path for a fresh, empty database."""
    return tmp_path / "test.duckdb"


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> Path:
    """The demo database built from data/raw/ exactly as `make run` builds it (once per session)."""
    from analytics.demo.build import build_demo_db

    path = tmp_path_factory.mktemp("demo") / "analytics.duckdb"
    totals = build_demo_db(path, verbose=False)
    assert totals["failed"] == 0, totals
    return path


@pytest.fixture(scope="module")
def demo(demo_db):
    """A read-only connection to the demo database (one per test module)."""
    from analytics.db import connect_read_only

    con = connect_read_only(demo_db)
    yield con
    con.close()


@pytest.fixture
def chromium() -> str:
    """Debian's Chromium. Off CI a machine without it skips the test; under CI=true its absence fails the run."""
    from analytics.demo.serve import chromium_path

    exe = chromium_path()
    if exe is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but no Chromium at /usr/bin/chromium: .ci/run must `apt-get install chromium`")
        pytest.skip("no Chromium at /usr/bin/chromium (apt-get install chromium)")
    return exe


@pytest.fixture
def demo_db_copy(demo_db, tmp_path) -> Path:
    """A private copy of the demo database that a test may change."""
    path = tmp_path / "demo-copy.duckdb"
    shutil.copy(demo_db, path)
    return path


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch):
    monkeypatch.delenv("ANALYTICS_DB", raising=False)
    monkeypatch.setenv("ANALYTICS_LANG", os.environ.get("TEST_LANG", "vi"))


def table_snapshot(path: Path) -> dict[str, list]:
    """Every row of every table of a database (to assert that nothing changed)."""
    import duckdb

    if not path.exists():
        return {}
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = [r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' ORDER BY 1").fetchall()]
        return {t: sorted(map(repr, con.execute(f'SELECT * FROM "{t}"').fetchall())) for t in tables}
    finally:
        con.close()
