"""The command line: ``python -m analytics ingest|validate|scores|rejects|memo|gaps|changes|explain|…``.

Analysis commands (gaps, changes, explain, whatif, reconcile, audit, targets, brief, rankings, portal-check)
are one table, ``ANALYSIS_COMMANDS``: ``[--db DB] [--period P] [--unit TEXT] [--component KEY]
[--format table|json|csv]``. Without ``--unit`` a command covers every unit; without ``--period``, every period.

Exit codes: 0 everything loaded; 1 loaded, but some rows rejected; 2 nothing loaded.
Messages go to stderr in Vietnamese (``--lang en`` or ANALYTICS_LANG=en for English).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from datetime import date
from pathlib import Path

from typing import TYPE_CHECKING

from analytics.formatting import clean_terminal

if TYPE_CHECKING:  # pandas is imported where a DataFrame is made: a read that needs none starts faster
    import pandas as pd
from analytics.i18n import current_lang, msg

KIND_CHOICES = ["index", "portal", "filings", "crosswalk", "targets", "catalog", "tasks", "dossiers"]
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
        p.add_argument("--include-hidden", action="store_true",
                       help="also read hidden sheets and hidden rows (by default only what is visible loads)")
        p.add_argument("--format", choices=["text", "json"], default="text")
        p.add_argument("--lang", choices=["vi", "en"])
    _common(sub.add_parser("scores", help="scores per period, unit and component"))
    p = sub.add_parser("rejects", help="rows rejected by ingestion, with reasons")
    _common(p, period=False, unit=False)
    p.set_defaults(format="table")
    p = sub.add_parser("memo", help="write the quarter's memo (công văn, Decree 30/2020 layout) as a .docx")
    _common(p, fmt=False)
    p.add_argument("--date", help="date of issue, YYYY-MM-DD (default: today)")
    p.add_argument("--out", type=Path, help="the .docx to write (default: cong-van-<unit>-<period>.docx)")
    p.add_argument("--template", type=Path, help="memo template CSV (default: data/raw/templates/mau-cong-van.csv)")
    p.add_argument("--propose", action="store_true", help="add the tasks the findings suggest (marked “Đề xuất”)")
    for name, spec in ANALYSIS_COMMANDS.items():
        p = sub.add_parser(name, help=spec["help"])
        _common(p, component=True)
        for arg, kwargs in spec.get("args", {}).items():
            p.add_argument(arg, **kwargs)
    return parser


def _progress(lang):
    if not sys.stderr.isatty():
        return None

    def show(i, n, result):
        say(msg("progress", lang, i=i, n=n, file=result.file, rows=result.rows_loaded))

    return show


def run_ingest(args) -> int:
    paths = expand_paths(args.paths)
    from analytics.ingest import validation  # imports no pandas: the validator's import starts first

    if validation.may_validate(paths, args.kind, validation.BULK_MIN_BYTES):
        validation.preload()  # the validator's seconds of import run while the files are opened and read
    import duckdb

    from analytics.db import WriterBusy
    from analytics.ingest.pipeline import Options, describe, exit_code, ingest, result_json, validate, write_error

    lang = current_lang(args.lang)
    options = Options(period=args.period, kind=args.kind, illustrative=args.illustrative,
                      source_document=args.source_document, origin=args.origin, lang=lang,
                      include_hidden=args.include_hidden)
    empty = [p for p in args.paths if p.is_dir() and not expand_paths([p])]
    if empty:
        for folder in empty:
            say(msg("no_data_files", lang, folder=folder) + ". " + msg("fix", lang, hint=msg("no_data_files_hint", lang)))
        if not paths:
            return 2
    if args.command == "ingest":
        try:
            results = ingest(paths, options, db=args.db, progress=_progress(lang))
        except WriterBusy:
            say(msg("db_locked", lang) + ". " + msg("fix", lang, hint=msg("db_locked_hint", lang)))
            return 2
        except (OSError, duckdb.Error) as exc:
            text = write_error(exc, args.db, lang)
            if text is None:
                raise
            say(text)
            return 2
    else:
        results = validate(paths, options)
    for r in results:
        for line in describe(r, lang):
            say(line)
    if args.format == "json":
        print(strict_json([result_json(r, lang) for r in results]))
    return exit_code(results)


def say(text: str) -> None:
    """A message on stderr, with control characters (ESC, BEL …) that a file could smuggle in removed."""
    print(clean_terminal(text), file=sys.stderr)


def strict_json(data) -> str:
    """JSON that strict parsers accept: NaN and infinities as null, never the bare word NaN."""
    return json.dumps(_finite(data), ensure_ascii=False, indent=1, default=str, allow_nan=False)


def _finite(v):
    import pandas as pd
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, dict):
        return {k: _finite(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_finite(x) for x in v]
    if v is pd.NA or v is pd.NaT:
        return None
    return v


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
    import pandas as pd
    if fmt == "json":
        data = records if records is not None else json.loads(df.to_json(orient="records", force_ascii=False))
        print(strict_json(data))
    elif fmt == "csv":  # unit and file names could be formulas (=HYPERLINK(…)) in the spreadsheet that opens it
        from analytics.brief.export import csv_text

        sys.stdout.write(csv_text(df))
    else:
        if df.empty:
            print(msg("no_rows", lang))
            return
        from analytics.formatting import fmt_number

        shown = df.copy()
        for c in shown.columns:
            if shown[c].dtype.kind == "M":  # dates on screen as dd/mm/yyyy (JSON and CSV keep ISO)
                with_time = (shown[c].dropna().dt.normalize() != shown[c].dropna()).any()
                shown[c] = shown[c].dt.strftime("%d/%m/%Y %H:%M" if with_time else "%d/%m/%Y").fillna("—")
            elif shown[c].map(lambda v: isinstance(v, date) and not pd.isna(v)).any():
                shown[c] = shown[c].map(lambda v: v.strftime("%d/%m/%Y") if isinstance(v, date) and not pd.isna(v) else "—")
            elif shown[c].dtype.kind == "f" or str(shown[c].dtype) in ("Float64", "Int64"):
                shown[c] = shown[c].map(lambda v: fmt_number(v, 2, lang))
            else:
                shown[c] = shown[c].map(lambda v: "—" if v is None or (isinstance(v, float) and v != v) or v is pd.NA else v)
        with pd.option_context("display.max_rows", 500, "display.max_columns", 30, "display.width", 200,
                               "display.max_colwidth", 48):
            print(clean_terminal(shown.to_string(index=False)))


def open_db(args):
    from analytics.db import NoDatabase, connect_read_only, db_path

    lang = current_lang(getattr(args, "lang", None))
    try:
        return connect_read_only(args.db)
    except NoDatabase:
        print(msg("no_db", lang, db=db_path(args.db)) + ". " + msg("fix", lang, hint=msg("no_db_hint", lang)), file=sys.stderr)
        raise SystemExit(2)


def unit_of(con, args, lang: str) -> str | None:
    """The unit_id that ``--unit`` names (None without ``--unit``); exits 2 with the candidates when it names none
    or several."""
    from analytics.units import UnitError, resolve_unit

    try:
        return resolve_unit(con, getattr(args, "unit", None))
    except UnitError as exc:
        print(clean_terminal(exc.render(lang)), file=sys.stderr)
        raise SystemExit(2)


SCORE_TABLE = ["period", "unit", "component", "score_points", "max_points", "gap_to_max", "change", "grade",
               "illustrative"]


def print_rows(rows: list[dict], columns: list[str], lang: str) -> None:
    """Rows as ``emit`` prints a table (right-aligned columns, numbers in the reader's format), without pandas."""
    from analytics.formatting import fmt_number

    if not rows:
        print(msg("no_rows", lang))
        return
    cells = [[("—" if r[c] is None else fmt_number(r[c], 2, lang)) if isinstance(r[c], float) or r[c] is None
              and c in ("score_points", "max_points", "gap_to_max", "change") else ("—" if r[c] is None else str(r[c]))
              for c in columns] for r in rows]
    flags = [all(isinstance(r[c], bool) for r in rows) for c in columns]  # pandas sets a flag column one space off
    cells = [[" " + v if flag else v for v, flag in zip(row, flags)] for row in cells]
    heads = [" " + c if flag else c for c, flag in zip(columns, flags)]
    widths = [max(len(h), *(len(row[i]) for row in cells)) for i, h in enumerate(heads)]
    lines = [" ".join(c.rjust(w) for c, w in zip(heads, widths))]
    lines += [" ".join(v.rjust(w) for v, w in zip(row, widths)) for row in cells]
    print(clean_terminal("\n".join(lines)))


def run_scores(args) -> int:
    lang = current_lang(args.lang)
    con = open_db(args)
    unit_id = unit_of(con, args, lang)
    if args.format == "table":  # the scores stored at ingest: no pandas, no recomputation
        from analytics.analyses.stored import stored_scores
        from analytics.labels import grade_label

        rows = stored_scores(con, period=args.period, unit_id=unit_id)
        if rows is not None:
            for r in rows:
                r["grade"] = grade_label(r["grade_key"], lang)
            print_rows(rows, SCORE_TABLE, lang)
            return 0
    from analytics.analyses.changes import scores_with_change
    from analytics.analyses.scores import scores_records
    from analytics.labels import labelled

    df = labelled(scores_with_change(con, period=args.period, unit_id=unit_id), lang)
    if args.format == "table":
        df = df[SCORE_TABLE]
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


def run_memo(args) -> int:
    from datetime import date

    from analytics.brief.memo import TemplateError, memo_content, memo_docx, memo_file_name, read_template

    lang = current_lang(args.lang)
    if not args.unit or not args.period:
        print(msg("memo_needs_unit", lang), file=sys.stderr)
        return 2
    try:
        issued = date.fromisoformat(args.date) if args.date else None
    except ValueError:
        print(msg("memo_bad_date", lang, value=args.date), file=sys.stderr)
        return 2
    try:
        letterhead = read_template(args.template)
    except TemplateError as exc:
        print(msg("memo_bad_template", lang, file=args.template, detail=exc), file=sys.stderr)
        return 2
    con = open_db(args)
    unit_id = unit_of(con, args, lang)
    period = args.period.strip().upper()
    memo = memo_content(con, period, unit_id, issued=issued, lang=lang, letterhead=letterhead, propose=args.propose)
    if not any(p.kind == "line" for p in memo.body):
        print(msg("memo_no_results", lang, unit=memo.unit, period=period), file=sys.stderr)
        return 2
    out = args.out or Path(memo_file_name(unit_id, period))
    out.write_bytes(memo_docx(memo))
    for line in memo.texts():
        print(clean_terminal(line))
    print(msg("memo_written", lang, file=out), file=sys.stderr)
    return 0


# --- analysis commands: each a thin view over one analytics function -------------------------------------

def _gaps(con, a, lang):
    from analytics.analyses.gaps import component_gaps

    df = component_gaps(con, a.period, a.unit_id)
    return _component(df, a), {"score_points": "score", "gap_to_max_points": "gap_to_max", "target_points": "target",
                               "gap_to_target_points": "gap_to_target", "share_of_lost_points_pct": "share_of_lost_points"}


def _changes(con, a, lang):
    from analytics.analyses.changes import score_changes

    return _component(score_changes(con, a.period, a.unit_id), a), {}


def _explain(con, a, lang):
    from analytics.analyses.explain import SCORING_VERSION, subindicator_breakdown
    from analytics.periods import period_label, period_sort_key

    df = subindicator_breakdown(con, a.period, a.unit_id, a.component)
    borrowed = df[df["index_version"] != SCORING_VERSION] if len(df) else df
    for version, part in (borrowed.groupby("index_version") if len(borrowed) else []):
        periods = ", ".join(period_label(p, lang) for p in sorted(set(part["period"]), key=period_sort_key))
        print(clean_terminal(msg("explain_borrowed_rules", lang, periods=periods, version=_version_label(version, lang),
                                 rules=_version_label(SCORING_VERSION, lang))), file=sys.stderr)
    return df, {}


def _whatif(con, a, lang):
    from analytics.analyses.whatif import what_would_it_take_all

    return what_would_it_take_all(con, a.period, a.unit_id, a.component or "digitization",
                                  gain_points=a.gain, to_next_grade=a.to_next_grade), {}


def _reconcile(con, a, lang):
    from analytics.analyses.reconcile import own_vs_portal

    return own_vs_portal(con, a.period, a.unit_id), {}


def _audit(con, a, lang):
    from analytics.analyses.audit import deadline_mismatches

    return deadline_mismatches(con, a.unit_id, a.period), {}


def _targets(con, a, lang):
    from analytics.analyses.plan_targets import target_status

    return target_status(con, a.period, a.unit_id), {}


def _brief(con, a, lang):
    from analytics.brief.findings import brief_frame

    if a.unit_id is None:
        print(msg("brief_needs_unit", lang), file=sys.stderr)
        raise SystemExit(2)
    return brief_frame(con, a.period, a.unit_id, lang), {}


def _tasks(con, a, lang):
    from datetime import date

    from analytics.analyses.tasks import task_followup
    from analytics.formatting import fmt_date

    try:
        as_of = date.fromisoformat(a.as_of) if a.as_of else None
    except ValueError:
        print(msg("memo_bad_date", lang, value=a.as_of), file=sys.stderr)
        raise SystemExit(2)
    df = task_followup(con, a.period, a.unit_id, through=a.through, as_of=as_of)
    if a.format != "json":  # on screen and in CSV, dates as Vietnamese write them; JSON keeps ISO
        df = df.assign(due_date=df["due_date"].map(fmt_date))
    return df, {}


def _rankings(con, a, lang):
    from analytics.analyses.rankings import unit_rankings

    df = unit_rankings(con, a.period, a.level, a.component or "total")
    return (df if a.unit_id is None else df[df["unit_id"] == a.unit_id]), {}


def _portal_check(con, a, lang):
    from analytics.analyses.consistency import portal_check_summary, portal_score_check

    return portal_check_summary(portal_score_check(con)), {}


def _dossiers(con, a, lang):
    from analytics.analyses.dossiers import dossier_counts

    return dossier_counts(con, a.period, a.unit_id), {}


def _overdue_audit(con, a, lang):
    from analytics.analyses.dossiers import overdue_audit, overdue_audit_summary

    if a.summary:
        return overdue_audit_summary(con, a.period, a.unit_id), {}
    return overdue_audit(con, a.period, a.unit_id), {}


def _worklist(con, a, lang):
    from analytics.analyses.dossiers import worklist

    return worklist(con, a.as_of, a.unit_id, within_days=a.within), {}


def _nowcast(con, a, lang):
    from analytics.analyses.dossiers import nowcast

    return nowcast(con, a.as_of, a.unit_id, a.period), {}


def _as_of(text: str):
    """A day given as dd/mm/yyyy or yyyy-mm-dd."""
    from datetime import datetime

    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise argparse.ArgumentTypeError(f"“{text}” không phải ngày dd/mm/yyyy hoặc yyyy-mm-dd")


def _version_label(key, lang):
    from analytics.labels import version_label

    return version_label(key, lang)


def _component(df: pd.DataFrame, a) -> pd.DataFrame:
    return df[df["component"] == a.component] if a.component and "component" in df.columns else df


ANALYSIS_COMMANDS: dict[str, dict] = {
    "gaps": {"help": "score gaps to maximum and to plan targets", "run": _gaps,
             "table": ["period", "unit", "component", "score_points", "max_points", "gap_to_max_points", "target_points",
                       "gap_to_target_points", "share_of_lost_points_pct", "illustrative"]},
    "changes": {"help": "changes versus the previous period and the same period last year", "run": _changes,
                "table": ["period", "unit", "component", "score_points", "previous_points", "change_vs_previous_points",
                          "last_year_points", "change_vs_last_year_points", "change_vs_previous_reason"]},
    "explain": {"help": "why a component is low: its sub-indicators, counts and points at stake", "run": _explain,
                "table": ["period", "unit", "code", "numerator", "denominator", "rate_pct", "points", "points_recomputed",
                          "max_points", "points_at_stake"]},
    "whatif": {"help": "how many more filings (digitized, online, on time) raise a score", "run": _whatif,
               "args": {"--gain": {"type": float, "help": "points to gain (default: 1)"},
                        "--to-next-grade": {"action": "store_true", "help": "enough for the next grade"}}},
    "reconcile": {"help": "the department's own counts against what the portal counted", "run": _reconcile},
    "audit": {"help": "published versus configured processing deadlines", "run": _audit},
    "targets": {"help": "plan targets against measured values", "run": _targets,
                "table": ["year", "period", "unit", "metric", "comparator", "target_value", "count_source",
                          "measured_value", "measured_period", "met", "margin"]},
    "brief": {"help": "findings for leadership, in Vietnamese", "run": _brief, "lines": "text"},
    "tasks": {"help": "assigned tasks followed up: the metric when given, latest, change, due date, status", "run": _tasks,
              "args": {"--through": {"help": "follow up to this period (default: the latest with data)"},
                       "--as-of": {"help": "judge due dates on this day, YYYY-MM-DD (default: today)"}},
              "table": ["period", "unit", "department", "metric", "value_at_assignment", "latest_period", "latest_value",
                        "change", "due_date", "due_passed", "status", "illustrative"]},
    "rankings": {"help": "rank among units of the same level", "run": _rankings,
                 "args": {"--level": {"choices": ["department", "district", "commune"], "help": "unit level"}},
                 "table": ["period", "unit", "unit_level", "component", "score_points", "rank", "units_ranked",
                           "peer_median_points", "peer_best_points", "best_unit"]},
    "dossiers": {"help": "counts derived from dossier lists per period, unit and procedure", "run": _dossiers,
                 "table": ["period", "unit", "procedure_code", "received", "received_online", "received_in_person",
                           "received_postal", "resolved", "resolved_on_time", "resolved_late", "pending", "pending_overdue",
                           "digitized", "with_e_result", "synced", "illustrative"]},
    "overdue-audit": {"help": "dossiers the system counted late: false overdue or late by the published deadline",
                      "run": _overdue_audit,
                      "args": {"--summary": {"action": "store_true", "help": "group by procedure and configuration mismatch"}},
                      "table": ["period", "dossier_code", "procedure_code", "department", "received_at", "system_due_date",
                                "published_due_date", "result_date", "verdict", "working_days_late", "portal_match",
                                "illustrative", "unit", "procedure_name", "mismatch", "counted_late", "false_overdue",
                                "late", "timeliness_points_recovered"]},
    "worklist": {"help": "open dossiers due soon and dossiers missing an e-result, digitized components or sync",
                 "run": _worklist,
                 "args": {"--as-of": {"type": _as_of, "required": True, "help": "day, dd/mm/yyyy or yyyy-mm-dd"},
                          "--within": {"type": int, "default": 5, "help": "due within N working days (default 5)"}},
                 "table": ["dossier_code", "procedure_code", "department", "state", "due_date", "working_days_left",
                           "missing", "points_at_risk", "illustrative"]},
    "nowcast": {"help": "end-of-period projection per component from the dossiers to date", "run": _nowcast,
                "args": {"--as-of": {"type": _as_of, "required": True, "help": "day, dd/mm/yyyy or yyyy-mm-dd"}},
                "table": ["period", "unit", "component", "max_points", "points_if_no_action", "points_if_all_close",
                          "points_at_risk", "open_dossiers", "illustrative"]},
    "portal-check": {"help": "published portal scores versus the scoring engine (rows compared, max difference)",
                     "run": _portal_check},
}


def run_analysis(args) -> int:
    lang = current_lang(args.lang)
    spec = ANALYSIS_COMMANDS[args.command]
    con = open_db(args)
    args.unit_id = unit_of(con, args, lang)
    df, renames = spec["run"](con, args, lang)
    from analytics.labels import labelled

    df = labelled(df, lang)  # keys in, labels at the edge
    if args.format == "json":
        emit(df, "json", records(df, renames), lang)
    elif args.format == "table" and spec.get("lines"):
        for line in df[spec["lines"]]:
            print(clean_terminal(f"• {line}"))
    else:
        if args.format == "table" and spec.get("table"):
            df = df[[c for c in spec["table"] if c in df.columns]]
        emit(df, args.format, lang=lang)
    return 0


def records(df: pd.DataFrame, renames: dict[str, str]) -> list[dict]:
    """JSON objects: nulls as null, numbers as numbers, and contract names added beside unit-carrying ones."""
    out = []
    for rec in df.to_dict("records"):
        clean = {k: _json_value(v) for k, v in rec.items()}
        for src, dst in renames.items():
            if src in clean:
                clean[dst] = clean[src]
        out.append(clean)
    return out


def _json_value(v):
    import pandas as pd
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    if hasattr(v, "item"):
        v = v.item()
    if isinstance(v, (dict, list)):
        return json.loads(json.dumps(v, default=str))
    return v


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command in ("ingest", "validate"):
        return run_ingest(args)
    if args.command == "scores":
        return run_scores(args)
    if args.command == "rejects":
        return run_rejects(args)
    if args.command == "memo":
        return run_memo(args)
    return run_analysis(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
