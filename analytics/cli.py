"""The command line: ``python -m analytics ingest|validate|scores|rejects|…``.

Exit codes: 0 everything loaded; 1 loaded, but some rows rejected; 2 nothing loaded.
Messages go to stderr in Vietnamese (``--lang en`` or ANALYTICS_LANG=en for English).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd

from analytics.messages import current_lang, msg

KIND_CHOICES = ["index", "portal", "filings", "crosswalk", "targets", "catalog"]
FORMATS = ["table", "json", "csv"]


def _common(p: argparse.ArgumentParser, *, period=True, unit=True, fmt=True, component=False) -> None:
    p.add_argument("--db", help="database file (default: $ANALYTICS_DB or data/curated/analytics.duckdb)")
    if period:
        p.add_argument("--period", help="period key, e.g. 2024Q2 (default: every period)")
    if unit:
        p.add_argument("--unit", help="unit name or part of it, case- and diacritic-insensitive")
    if component:
        p.add_argument("--component", help="component key: transparency, timeliness, digitization, online_services, satisfaction")
    if fmt:
        p.add_argument("--format", choices=FORMATS, default="table")
    p.add_argument("--lang", choices=["vi", "en"], help="message language (default: $ANALYTICS_LANG or vi)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m analytics",
                                     description="Phân tích Bộ chỉ số phục vụ người dân, doanh nghiệp (QĐ 766/QĐ-TTg)")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, helptext in (("ingest", "load files into the database"),
                           ("validate", "check files with the same rules, database untouched")):
        p = sub.add_parser(name, help=helptext)
        p.add_argument("paths", nargs="+", type=Path, metavar="PATH")
        if name == "ingest":
            p.add_argument("--db")
        p.add_argument("--period", help="period of the file(s), e.g. 2024Q2")
        p.add_argument("--kind", choices=KIND_CHOICES, help="kind of data (detected from content when omitted)")
        flag = p.add_mutually_exclusive_group()
        flag.add_argument("--illustrative", dest="illustrative", action="store_true", default=None,
                          help="mark every row as illustrative (not published)")
        flag.add_argument("--published", dest="illustrative", action="store_false",
                          help="mark every row as published data")
        p.add_argument("--source-document", help="publishing document, e.g. 'VB 1937/VP-HCC 09/7/2024'")
        p.add_argument("--origin", help="source name: a later file with the same origin and period replaces this one")
        p.add_argument("--format", choices=["text", "json"], default="text")
        p.add_argument("--lang", choices=["vi", "en"])
    _common(sub.add_parser("scores", help="scores per period, unit and component"))
    p = sub.add_parser("rejects", help="rows rejected by ingestion, with reasons")
    _common(p, period=False, unit=False)
    p.set_defaults(format="table")
    from analytics import commands

    for name, spec in commands.ANALYSIS_COMMANDS.items():
        p = sub.add_parser(name, help=spec["help"])
        _common(p, component=True)
        for arg, kwargs in spec.get("args", {}).items():
            p.add_argument(arg, **kwargs)
    return parser


def _progress(lang):
    if not sys.stderr.isatty():
        return None

    def show(i, n, result):
        print(msg("progress", lang, i=i, n=n, file=result.file, rows=result.rows_loaded), file=sys.stderr)

    return show


def run_ingest(args) -> int:
    from analytics.db import WriterBusy
    from analytics.ingest.pipeline import Options, describe, exit_code, ingest, result_json, validate

    lang = current_lang(args.lang)
    options = Options(period=args.period, kind=args.kind, illustrative=args.illustrative,
                      source_document=args.source_document, origin=args.origin, lang=lang)
    paths = expand_paths(args.paths)
    if args.command == "ingest":
        try:
            results = ingest(paths, options, db=args.db, progress=_progress(lang))
        except WriterBusy:
            print(msg("db_locked", lang) + ". " + msg("fix", lang, hint=msg("db_locked_hint", lang)), file=sys.stderr)
            return 2
    else:
        results = validate(paths, options)
    for r in results:
        for line in describe(r, lang):
            print(line, file=sys.stderr)
    if args.format == "json":
        print(json.dumps([result_json(r, lang) for r in results], ensure_ascii=False, indent=1))
    return exit_code(results)


def expand_paths(paths: list[Path]) -> list[Path]:
    """Files given, with folders expanded to the data files inside them (sorted)."""
    out = []
    for p in paths:
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in
                              {".xlsx", ".xls", ".xlsm", ".ods", ".csv", ".json"} and f.name != "manifest.m0.json"))
        else:
            out.append(p)
    return out


def emit(df: pd.DataFrame, fmt: str, records=None, lang: str = "vi") -> None:
    """Print a result as a table, a JSON array or CSV."""
    if fmt == "json":
        data = records if records is not None else json.loads(df.to_json(orient="records", force_ascii=False))
        print(json.dumps(data, ensure_ascii=False, indent=1, default=str))
    elif fmt == "csv":
        df.to_csv(sys.stdout, index=False)
    else:
        if df.empty:
            print("(không có dòng nào)" if lang != "en" else "(no rows)")
            return
        from analytics.formatting import fmt_number

        shown = df.copy()
        for c in shown.columns:
            if shown[c].dtype.kind == "f" or str(shown[c].dtype) in ("Float64", "Int64"):
                shown[c] = shown[c].map(lambda v: fmt_number(v, 2, lang))
            else:
                shown[c] = shown[c].map(lambda v: "—" if v is None or (isinstance(v, float) and v != v) or v is pd.NA else v)
        with pd.option_context("display.max_rows", 500, "display.max_columns", 30, "display.width", 200,
                               "display.max_colwidth", 48):
            print(shown.to_string(index=False))


def open_db(args):
    from analytics.db import NoDatabase, connect_read_only, db_path

    lang = current_lang(getattr(args, "lang", None))
    try:
        return connect_read_only(args.db)
    except NoDatabase:
        print(msg("no_db", lang, db=db_path(args.db)) + ". " + msg("fix", lang, hint=msg("no_db_hint", lang)), file=sys.stderr)
        raise SystemExit(2)


def run_scores(args) -> int:
    from analytics.scores import scores_records, unit_scores

    lang = current_lang(args.lang)
    con = open_db(args)
    df = unit_scores(con, period=args.period, unit=args.unit, lang=lang)
    if args.format == "table":
        df = df[["period", "unit", "component", "score_points", "max_points", "gap_to_max", "change", "grade",
                 "illustrative"]]
    emit(df, args.format, scores_records(df) if args.format == "json" else None, lang)
    return 0


def run_rejects(args) -> int:
    lang = current_lang(args.lang)
    con = open_db(args)
    df = con.execute("""
        SELECT r.ingest_id, r.file_name, r.sheet, r.row_number, r.column_name, r.value, r.reason, r.raw_json
        FROM rejects r ORDER BY r.ingest_id, r.row_number""").df()
    if args.format == "table":
        df = df.drop(columns=["raw_json"])
    emit(df, args.format, lang=lang)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command in ("ingest", "validate"):
        return run_ingest(args)
    if args.command == "scores":
        return run_scores(args)
    if args.command == "rejects":
        return run_rejects(args)
    from analytics import commands

    return commands.run(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
