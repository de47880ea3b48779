"""How fast hostile workbooks are refused or read: the oversized declared range and the zip bomb (refused before
parsing), the cell at XFD1048576 (refused from its real extent), and a table in a sheet 16.384 columns wide.

Baseline: the same two-row table in an ordinary workbook. Without the checks the first three abort the process
(the reader asks for 512 GB, or unpacks gigabytes), and the wide sheet took 43–90 s.
Run: ``.venv/bin/python benchmarks/hostile_speed.py``.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from analytics.ingest.common import Options  # noqa: E402
from analytics.ingest.errors import IngestError  # noqa: E402
from analytics.ingest.pipeline import parse_file  # noqa: E402
from ingest.test_hostile import index_xlsx, make_declared_huge, make_far_cell, make_wide, make_zip_bomb  # noqa: E402


def timed(path: Path) -> tuple[float, str]:
    start = time.perf_counter()
    try:
        parsed = parse_file(path, Options())
        outcome = f"loaded {parsed.rows} rows"
    except IngestError as exc:
        outcome = f"refused: {exc.key}"
    return time.perf_counter() - start, outcome


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        # warm-up (imports, the definition, the expectation suites): a plain two-row table
        seconds, outcome = timed(index_xlsx(Path(tmp), name="ket-qua-quy-II-2024-plain.xlsx"))
        print(f"{'warm-up (plain table)':<22} {'':>12}  {seconds * 1000:>8.1f} ms  {outcome}")
        seconds, outcome = timed(index_xlsx(Path(tmp), name="ket-qua-quy-II-2024-plain.xlsx"))
        print(f"{'baseline (plain table)':<22} {'':>12}  {seconds * 1000:>8.1f} ms  {outcome}")
        for make in (make_declared_huge, make_far_cell, make_zip_bomb, make_wide):
            folder = Path(tmp) / make.__name__
            folder.mkdir()
            path = make(folder)
            seconds, outcome = timed(path)
            print(f"{make.__name__:<22} {path.stat().st_size / 1024:>9.1f} KB  {seconds * 1000:>8.1f} ms  {outcome}")


if __name__ == "__main__":
    main()
