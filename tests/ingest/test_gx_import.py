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


def test_filing_checks_report_every_broken_cell_in_check_order():
    """Five expectations over derived columns report exactly what one expectation per cell reports: every negative
    count, every sum that does not add up, every part above its whole, ordered check by check, row by row."""
    import numpy as np
    import pandas as pd

    from analytics.ingest.validation import FILING_PARTS, FILING_SUMS, filing_failures

    rng = np.random.default_rng(7)
    cols = sorted({c for w, ps in FILING_SUMS for c in (w, *ps)} | {c for p in FILING_PARTS for c in p})
    n = 60
    df = pd.DataFrame({c: pd.array(rng.integers(-2, 12, n), dtype="Int64") for c in cols})
    for c in cols[::3]:
        df.loc[rng.integers(0, n, 8), c] = pd.NA
    df["row_number"] = np.arange(n) + 5
    # the oracle: the rules cell by cell, in plain Python
    want = []
    for c in cols:
        want += [(i, c, "negative", {"value": float(v)}) for i, v in enumerate(df[c]) if v is not pd.NA and v < 0]
    for whole, parts in FILING_SUMS:
        for i in range(n):
            vals = [df.at[i, whole], *(df.at[i, p] for p in parts)]
            if not any(v is pd.NA for v in vals) and vals[0] != sum(vals[1:]):
                detail = f"{whole} {vals[0]} ≠ " + " + ".join(f"{p} {v}" for p, v in zip(parts, vals[1:]))
                want.append((i, whole, "invariant", {"detail": detail}))
    for part, whole in FILING_PARTS:
        for i in range(n):
            a, b = df.at[i, part], df.at[i, whole]
            if a is not pd.NA and b is not pd.NA and a > b:
                want.append((i, part, "part_exceeds", {"part": part, "value": float(a), "whole": whole,
                                                       "expected": float(b)}))
    got = [(f.index, f.column, f.reason_key, f.params) for f in filing_failures(df)]
    assert len(want) == 558
    assert got == want
