"""The validator's import: started before reading when an input may need it; scipy.stats deferred."""

import os
import subprocess
import sys
from pathlib import Path

from analytics.ingest.validation import may_validate

ROOT = Path(__file__).resolve().parents[2]


def test_may_validate_from_names_and_sizes(tmp_path):
    small = tmp_path / "so-lieu.csv"
    small.write_text("Kỳ,Đơn vị\n2024Q2,Sở Tư pháp\n", encoding="utf-8")
    big = tmp_path / "lon.csv"
    big.write_bytes(b"x" * 64)
    assert may_validate([tmp_path / "chi-so.xlsx"], None, 32) is True
    assert may_validate([small], "filings", 1000) is True
    assert may_validate([big], None, 32) is False  # DuckDB's bulk path checks it in SQL
    assert may_validate([big], "index", 32) is True
    assert may_validate([tmp_path / "cong.json", tmp_path / "ho-so.parquet"], None, 32) is False
    assert may_validate([tmp_path / "chi-so.xlsx"], "tasks", 32) is False


def test_validator_runs_without_loading_scipy_stats():
    code = ("import sys; from analytics.ingest.validation import filing_failures; import pandas as pd; "
            "f = filing_failures(pd.DataFrame({'received_total': [5, 3], 'resolved_total': [4, 7]})); "
            "print(len(f), f[0].column, f[0].reason_key, f[0].index, 'scipy.stats._stats_py' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                         capture_output=True, text=True, check=True).stdout.split()
    assert out == ["1", "resolved_total", "part_exceeds", "1", "False"]
