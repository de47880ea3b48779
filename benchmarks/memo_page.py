"""Render the memo the product writes to PNG for the README (docs/screenshots/7-cong-van-1.png, page 1).

    .venv/bin/python benchmarks/memo_page.py [--db data/curated/analytics.duckdb] [--unit "so cong thuong"]
        [--period 2024Q2] [--date 2024-08-05] [--out docs/screenshots]

Writes the .docx exactly as ``python -m analytics memo`` does (with the proposed tasks), converts it to PDF with
LibreOffice (``soffice``; Debian: ``apt-get install libreoffice-writer-nogui fonts-liberation``) and the pages to
PNG with ``pdftoppm`` (poppler-utils). A script, not a test: the tests read the .docx back with python-docx.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main(argv=None) -> int:
    from analytics.brief.memo import memo_content, memo_docx
    from analytics.db import connect_read_only
    from analytics.units import resolve_unit

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", default=str(ROOT / "data" / "curated" / "analytics.duckdb"))
    ap.add_argument("--unit", default="so cong thuong")
    ap.add_argument("--period", default="2024Q2")
    ap.add_argument("--date", default="2024-08-05")
    ap.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    ap.add_argument("--dpi", type=int, default=80)
    ap.add_argument("--pages", type=int, default=1, help="how many pages to render (default: the first)")
    args = ap.parse_args(argv)
    for tool in ("soffice", "pdftoppm"):
        if shutil.which(tool) is None:
            print(f"{tool} is missing (apt-get install libreoffice-writer-nogui poppler-utils)", file=sys.stderr)
            return 2
    con = connect_read_only(args.db)
    try:
        unit_id = resolve_unit(con, args.unit)
        memo = memo_content(con, args.period, unit_id, issued=date.fromisoformat(args.date), propose=True)
    finally:
        con.close()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        docx = Path(tmp) / "cong-van.docx"
        docx.write_bytes(memo_docx(memo))
        subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp}/profile", "--convert-to", "pdf",
                        "--outdir", tmp, str(docx)], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for old in out.glob("7-cong-van*.png"):
            old.unlink()
        subprocess.run(["pdftoppm", "-png", "-r", str(args.dpi), "-f", "1", "-l", str(args.pages),
                        str(Path(tmp) / "cong-van.pdf"), str(out / "7-cong-van")], check=True)
    for page in sorted(out.glob("7-cong-van*.png")):
        print(page.relative_to(ROOT) if page.is_relative_to(ROOT) else page)
    return 0


if __name__ == "__main__":
    sys.exit(main())
