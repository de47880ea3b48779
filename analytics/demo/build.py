"""Build the demo database from ``data/raw/`` by the folder conventions below, from scratch, then swap it in.

| folder | kind | flag |
|---|---|---|
| crosswalk/ | crosswalk | — |
| published/ | index | published (each row cites its document) |
| targets/ | targets | per row ("minh họa" in the document column marks an illustrative target) |
| tasks/ | tasks | per row (the tasks quoted from the department's 2024 memos, each citing its document) |
| illustrative/catalog/ | catalog | illustrative |
| illustrative/index/ | index | illustrative |
| illustrative/filings/ | filings | illustrative |
| illustrative/portal/ | portal | illustrative (portal-format responses generated for Sở Công Thương) |
| portal-phutho/ | portal | published (national portal responses) |
| (generated) | dossiers | illustrative: dossier lists derived from illustrative/filings/ (``analytics.demo.dossiers``) |
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from analytics.db import PROJECT_ROOT, db_path, move_database, parts_dir
from analytics.ingest.common import Options
from analytics.ingest.dossiers import prune_store
from analytics.ingest.pipeline import describe, ingest

RAW = PROJECT_ROOT / "data" / "raw"
PORTAL_DOCUMENT = "Cổng Dịch vụ công quốc gia, API đánh giá QĐ 766 (trích xuất 26/9/2026)"
ILLUSTRATIVE_PORTAL_DOCUMENT = "Dữ liệu minh họa theo định dạng Cổng Dịch vụ công quốc gia (không phải số liệu công bố)"
DATA_SUFFIXES = {".csv", ".xlsx", ".xls", ".json"}

STEPS = [
    ("crosswalk", "crosswalk", None, None),
    ("published", "index", False, None),
    ("targets", "targets", None, None),
    ("tasks", "tasks", None, None),
    ("illustrative/catalog", "catalog", True, None),
    ("illustrative/index", "index", True, None),
    ("illustrative/filings", "filings", True, None),
    ("illustrative/portal", "portal", True, ILLUSTRATIVE_PORTAL_DOCUMENT),
    ("portal-phutho", "portal", False, PORTAL_DOCUMENT),
]


def demo_files(raw: Path = RAW) -> list[tuple[Path, Options]]:
    """Every demo file with the options it is loaded with, in load order (crosswalk first)."""
    out = []
    for folder, kind, illustrative, document in STEPS:
        base = raw / folder
        if not base.exists():
            continue
        for path in sorted(p for p in base.rglob("*") if p.is_file() and p.suffix.lower() in DATA_SUFFIXES):
            if path.name.startswith("manifest"):
                continue
            out.append((path, Options(kind=kind, illustrative=illustrative, source_document=document)))
    return out


def build_demo_db(target: str | os.PathLike | None = None, raw: Path = RAW, verbose: bool = True) -> dict:
    """Rebuild the database from the demo files into a new file and swap it over the target.

    Returns counts of files loaded, rows and rejected rows.
    """
    final = db_path(target)
    building = final.with_name(final.name + ".build")
    for p in (building, building.with_name(building.name + ".wal")):
        p.unlink(missing_ok=True)
    shutil.rmtree(parts_dir(building), ignore_errors=True)  # a build that was stopped
    files = demo_files(raw)
    totals = {"files": 0, "rows": 0, "rejected": 0, "failed": 0}
    done = 0
    # one writer per folder: files of a folder share their options
    groups: dict[int, list] = {}  # insertion-ordered: crosswalk first
    for path, options in files:
        groups.setdefault(hash((options.kind, options.illustrative, options.source_document)), []).append((path, options))
    for batch in groups.values():
        def report(i, n, result, offset=done):
            if verbose:
                print(f"[{offset + i}/{len(files)}] " + "\n".join(describe(result)), file=sys.stderr)

        results = ingest([p for p, _ in batch], batch[0][1], db=building, progress=report)
        done += len(batch)
        for result in results:
            totals["files"] += result.status == "loaded"
            totals["failed"] += result.status == "failed"
            totals["rows"] += result.rows_loaded
            totals["rejected"] += len(result.rejects)
    _load_demo_dossiers(building, totals, verbose)
    move_database(building, final)  # with its Parquet parts
    prune_store(final)
    return totals


def _load_demo_dossiers(building: Path, totals: dict, verbose: bool) -> None:
    """Illustrative dossier lists derived from the committed filing counts (generated, never committed: they
    are written to a temporary folder, loaded, and removed)."""
    import tempfile

    from analytics.demo.dossiers import write_demo_dossiers

    with tempfile.TemporaryDirectory(prefix="demo-dossiers-") as tmp:
        paths = write_demo_dossiers(Path(tmp))
        results = ingest(paths, Options(kind="dossiers", illustrative=True), db=building)
        for result in results:
            if verbose:
                print("\n".join(describe(result)), file=sys.stderr)
            totals["files"] += result.status == "loaded"
            totals["failed"] += result.status == "failed"
            totals["rows"] += result.rows_loaded
            totals["rejected"] += len(result.rejects)


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m analytics.demo", description="Build the demo database from data/raw/")
    parser.add_argument("--db")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    totals = build_demo_db(args.db, verbose=not args.quiet)
    print(f"demo database: {db_path(args.db)} — {totals['files']} files, {totals['rows']} rows, "
          f"{totals['rejected']} rejected, {totals['failed']} failed", file=sys.stderr)
    return 0 if totals["failed"] == 0 else 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
