"""Analysis commands of the command line, each a thin view over one analytics function.

``python -m analytics gaps|changes|explain|whatif|reconcile|audit|targets|brief|rankings|portal-check
[--db DB] [--period P] [--unit TEXT] [--component KEY] [--format table|json|csv]``. Without ``--unit`` a
command covers every unit; without ``--period``, every period.
"""

from __future__ import annotations

import json
import math

import pandas as pd

from analytics.messages import current_lang


def _gaps(con, a, lang):
    from analytics.gaps import component_gaps

    df = component_gaps(con, a.period, a.unit, lang)
    return _component(df, a), {"score_points": "score", "gap_to_max_points": "gap_to_max", "target_points": "target",
                               "gap_to_target_points": "gap_to_target", "share_of_lost_points_pct": "share_of_lost_points"}


def _changes(con, a, lang):
    from analytics.changes import score_changes

    return _component(score_changes(con, a.period, a.unit, lang), a), {}


def _explain(con, a, lang):
    from analytics.explain import subindicator_breakdown

    return subindicator_breakdown(con, a.period, a.unit, a.component, lang), {}


def _whatif(con, a, lang):
    from analytics.whatif import what_would_it_take_all

    return what_would_it_take_all(con, a.period, a.unit, a.component or "digitization",
                                  gain_points=a.gain, to_next_grade=a.to_next_grade, lang=lang), {}


def _reconcile(con, a, lang):
    from analytics.reconcile import own_vs_portal

    return own_vs_portal(con, a.period, a.unit), {}


def _audit(con, a, lang):
    from analytics.audit import deadline_mismatches

    return deadline_mismatches(con, a.unit, a.period), {}


def _targets(con, a, lang):
    from analytics.plan_targets import target_status

    return target_status(con, a.period, a.unit, lang), {}


def _brief(con, a, lang):
    from analytics.brief import brief_frame

    return brief_frame(con, a.period, a.unit, lang), {}


def _rankings(con, a, lang):
    from analytics.rankings import unit_rankings

    df = unit_rankings(con, a.period, a.level, a.component or "total", lang)
    from analytics.scores import unit_matches

    return df[unit_matches(df["unit"], a.unit)], {}


def _portal_check(con, a, lang):
    from analytics.consistency import portal_check_summary, portal_score_check

    return portal_check_summary(portal_score_check(con)), {}


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
    "rankings": {"help": "rank among units of the same level", "run": _rankings,
                 "args": {"--level": {"choices": ["department", "district", "commune"], "help": "unit level"}},
                 "table": ["period", "unit", "unit_level", "component", "score_points", "rank", "units_ranked",
                           "peer_median_points", "peer_best_points", "best_unit"]},
    "portal-check": {"help": "published portal scores versus the scoring engine (rows compared, max difference)",
                     "run": _portal_check},
}


def run(args) -> int:
    from analytics.cli import emit, open_db

    lang = current_lang(args.lang)
    spec = ANALYSIS_COMMANDS[args.command]
    con = open_db(args)
    df, renames = spec["run"](con, args, lang)
    if args.format == "json":
        emit(df, "json", records(df, renames), lang)
    elif args.format == "table" and spec.get("lines"):
        for line in df[spec["lines"]]:
            print(f"• {line}")
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
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    if hasattr(v, "item"):
        v = v.item()
    if isinstance(v, (dict, list)):
        return json.loads(json.dumps(v, default=str))
    return v
