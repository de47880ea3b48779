"""The stored results' cost in a small filing load: only the touched (period, unit) pairs, beside the whole history.

    PYTHONPATH=$PWD .venv/bin/python benchmarks/stored_pairs_speed.py [--runs 3] \
        [--big test-output/bench/big-10000000.duckdb]

Each run copies the database (file and parts) into a temporary folder, brings its stored results up to this code,
ingests the 1.000-row filing file of ``scale_speed.small_file`` (one pair: Sở Công Thương, 2024Q2) through the real
pipeline, timing ``precompute.write_frames`` in it. The baseline is the same load into a copy whose stored results
do not say which pairs they were computed from (meta ``pre_pairs`` removed): every filing-based result is then
recomputed whole, as every filing load did before (the scores, resting on no filing count, are kept in both).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _copy(src: Path, folder: Path) -> Path:
    from analytics.db import parts_dir

    dst = folder / src.name
    shutil.copy2(src, dst)
    if parts_dir(src).exists():  # the parts are listed relative to the database's folder: they follow it
        shutil.copytree(parts_dir(src), parts_dir(dst))
    return dst


def one_run(src: Path, small: Path, *, pairs_known: bool = True) -> tuple[float, dict]:
    from analytics import db as dbmod
    from analytics.analyses import precompute
    from analytics.ingest import pipeline
    from analytics.ingest.common import Options

    with tempfile.TemporaryDirectory() as folder:
        db = _copy(src, Path(folder))
        with dbmod.writer(db) as con:  # the stored results of this code (the database may be older code's)
            precompute.write_frames(con)
            precompute.write_stored_scores(con)
            if not pairs_known:
                con.execute("DELETE FROM meta WHERE key = 'pre_pairs'")
            dbmod.part_store(con).results_current = True
        timed: dict = {}
        real = precompute.write_frames

        def timer(con, **kwargs):
            started = time.perf_counter()
            timed["counts"] = real(con, **kwargs)
            timed["seconds"] = time.perf_counter() - started
            return timed["counts"]

        precompute.write_frames = timer
        try:
            (result,) = pipeline.ingest([small], Options(), db=db)
        finally:
            precompute.write_frames = real
        assert result.status == "loaded", result.error
        return timed["seconds"], timed["counts"]


def _figure(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} s ({min(values):.2f}–{max(values):.2f})"


def main(argv=None) -> int:
    from benchmarks.scale_speed import demo_db, small_file

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--big", type=Path, help="a large database too (e.g. scale_speed's 10M-row one)")
    args = ap.parse_args(argv)
    small = small_file()
    print("write_frames in a 1.000-row filing load (one pair), median of", args.runs, "(min–max)")
    for label, src in (("demo database", demo_db()), ("large database", args.big)):
        if src is None:
            continue
        pairs, whole, counts, baseline = [], [], {}, {}
        for _ in range(args.runs):
            seconds, counts = one_run(src, small)
            pairs.append(seconds)
            seconds, baseline = one_run(src, small, pairs_known=False)
            whole.append(seconds)
        print(f"  {label}: touched pairs {_figure(pairs)}  beside  the whole history (baseline) {_figure(whole)}")
        print(f"    rows written: {counts}; baseline: {baseline}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
