"""A short meeting brief for leadership, in Vietnamese (or English), generated from the numbers by templates.

No language model: each finding is a sentence template filled with figures computed by the analyses,
and carries those figures so anyone can check them. Findings built on illustrative data say so.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

import pandas as pd

from analytics.definition import load_definition
from analytics.i18n import tr
from analytics.labels import labelled
from analytics.formatting import fmt_count, fmt_number, fmt_pct, fmt_points
from analytics.periods import period_label, period_sort_key

DIGITIZATION_CODE = "SO_HOA_GIAY_TO_GIAI_QUYET"  # QĐ 766: filings with digitized components


@dataclass(frozen=True)
class Finding:
    """One sentence of the brief, with the figures it was made from."""

    key: str
    text: str
    figures: dict = field(default_factory=dict)
    illustrative: bool = False


def _t(key: str, lang: str, **params) -> str:
    """A brief template (i18n ``brief.*``) filled in; figures arrive already written the language's way."""
    return tr(f"brief.{key}", lang, **params)


def _finding(key: str, text: str, figures: dict, illustrative: bool, lang: str) -> Finding:
    return Finding(key, (_t("illustrative", lang) if illustrative else "") + text, figures, bool(illustrative))


def meeting_brief(con, period: str | None, unit_id: str, lang: str = "vi") -> list[Finding]:
    """The findings for one unit and period (``period`` None: the unit's latest period with a published total)."""
    from analytics.analyses.changes import score_changes
    from analytics.analyses.gaps import component_gaps

    d = load_definition()
    if period is None:
        gaps = component_gaps(con, unit_id=unit_id)
        if gaps.empty:
            return []
        known = gaps[(gaps["component"] == "total") & gaps["score_points"].notna()]
        period = max(known["period"] if len(known) else gaps["period"], key=period_sort_key)
        g = gaps[gaps["period"] == period]
    else:  # the period's rows alone: the question the Overview asks too (read once per version of the file)
        g = component_gaps(con, period, unit_id)
    if g.empty:
        return []
    g = labelled(g, lang)
    plabel = period_label(period, lang)
    changes = labelled(score_changes(con, period, unit_id), lang)
    findings = []
    total = g[g["component"] == "total"].iloc[0]
    if pd.notna(total["score_points"]):
        grade = d.grade_for(total["score_points"])
        nxt = d.next_grade(total["score_points"])
        ch = changes[changes["component"] == "total"].iloc[0]
        if pd.notna(ch["change_vs_previous_points"]):
            delta = float(ch["change_vs_previous_points"])
            key = "up" if delta > 0 else "down" if delta < 0 else "same"
            change = _t(key, lang, points=fmt_points(abs(delta), lang), period=period_label(ch["previous_period"], lang))
        else:
            delta = None
            change = _t("no_change", lang, reason=ch["change_vs_previous_reason"])
        needed = None if nxt is None else round(nxt.min_points - total["score_points"], 2)
        nxt_text = _t("top", lang) if nxt is None else _t("next", lang, points=fmt_points(needed, lang),
                                                          grade=f"{nxt.label(lang)} ({fmt_number(nxt.min_points, 0, lang)})")
        findings.append(_finding("grade", _t("grade", lang, period=plabel, total=fmt_points(total["score_points"], lang),
                                             max=fmt_number(total["max_points"], 0, lang), grade=grade.label(lang),
                                             change=change, next=nxt_text),
                                 {"total_points": float(total["score_points"]), "grade": grade.label(lang),
                                  "change_vs_previous_points": delta, "previous_period": ch["previous_period"],
                                  "points_to_next_grade": needed, "next_grade": nxt.label(lang) if nxt else None},
                                 bool(total["illustrative"]) or bool(ch["change_vs_previous_illustrative"]), lang))
    comps = g[(g["component"] != "total") & g["gap_to_max_points"].notna()].sort_values("gap_to_max_points", ascending=False)
    if len(comps) >= 2:
        first, second = comps.iloc[0], comps.iloc[1]
        item = lambda r: _t("gap_item", lang, label=r["component_label"], score=fmt_points(r["score_points"], lang),  # noqa: E731
                            max=fmt_number(r["max_points"], 0, lang), gap=fmt_points(r["gap_to_max_points"], lang))
        share = round(float(first["share_of_lost_points_pct"] + second["share_of_lost_points_pct"]), 2)
        findings.append(_finding("largest_gaps", _t("gaps", lang, first=item(first), second=item(second),
                                                    share=fmt_pct(share, lang)),
                                 {"components": [first["component"], second["component"]],
                                  "gap_to_max_points": [float(first["gap_to_max_points"]), float(second["gap_to_max_points"])],
                                  "share_of_lost_points_pct": share},
                                 bool(first["illustrative"] or second["illustrative"]), lang))
    moved = changes[(changes["component"] != "total") & changes["change_vs_previous_points"].notna()]
    if len(moved):
        top = moved.loc[moved["change_vs_previous_points"].astype(float).abs().idxmax()]
        delta = float(top["change_vs_previous_points"])
        if delta != 0:
            findings.append(_finding("biggest_change", _t(
                "change", lang, period=period_label(top["previous_period"], lang), label=top["component_label"],
                direction=_t("dir_up" if delta > 0 else "dir_down", lang), points=fmt_points(abs(delta), lang),
                before=fmt_points(top["previous_points"], lang), after=fmt_points(top["score_points"], lang)),
                {"component": top["component"], "change_vs_previous_points": delta,
                 "previous_points": float(top["previous_points"]), "score_points": float(top["score_points"]),
                 "previous_period": top["previous_period"]}, bool(top["change_vs_previous_illustrative"]), lang))
    findings += _unexplained_findings(con, period, unit_id, lang, comps["component"].head(2).tolist())
    findings += _target_findings(con, period, unit_id, lang)
    findings += _procedure_findings(con, period, unit_id, lang)
    return findings


def _unexplained_findings(con, period: str, unit_id: str, lang: str, components: list[str]) -> list[Finding]:
    """For the components that lose most points: what the loaded counts leave of the published score unexplained."""
    from analytics.analyses.explain import subindicator_breakdown

    rows = subindicator_breakdown(con, period, unit_id)
    rows = labelled(rows[rows["component"].isin(components)], lang)  # only the rows a finding may cite
    out = []
    for comp in components:
        r = rows[rows["component"] == comp]
        if r.empty:
            continue
        r = r.iloc[0]
        gap = r["unexplained_points"]
        if pd.isna(gap) or abs(float(gap)) <= 0.01:
            continue
        out.append(_finding("unexplained", _t(
            "unexplained", lang, points=fmt_number(float(gap), 2, lang, signed=True), label=r["component_label"],
            published=fmt_points(r["component_points_published"], lang),
            recomputed=fmt_points(r["component_points_recomputed"], lang), reasons=r["unexplained_note"]),
            {"component": comp, "component_points_published": float(r["component_points_published"]),
             "component_points_recomputed": float(r["component_points_recomputed"]), "unexplained_points": float(gap)},
            bool(rows.loc[rows["component"] == comp, "illustrative"].any()), lang))
    return out


def _target_findings(con, period: str, unit_id: str, lang: str) -> list[Finding]:
    from analytics.analyses.plan_targets import target_status

    t = labelled(target_status(con, period, unit_id), lang)
    if t.empty:
        return []
    measured = t[t["met"].notna()]
    missed = measured[measured["met"] == False]  # noqa: E712
    if missed.empty:
        if measured.empty:
            return []
        return [_finding("targets", _t("targets_ok", lang, n=len(measured)), {"met": len(measured)},
                         bool(measured["illustrative"].any()), lang)]
    items = []
    for r in missed.to_dict("records"):
        target = r["target_grade"] if isinstance(r["target_grade"], str) else (fmt_pct(r["target_value"], lang) if r["target_unit"] == "pct"
                                       else fmt_number(r["target_value"], 2, lang))
        value = fmt_pct(r["measured_value"], lang) if r["target_unit"] == "pct" else fmt_points(r["measured_value"], lang)
        items.append(_t("target_item", lang, label=r["metric_label"], measured=value,
                        comparator="≥" if r["comparator"] == ">=" else "≤" if r["comparator"] == "<=" else "=", target=target))
    figures = {"missed": [{"metric": r["metric"], "measured_value": r["measured_value"], "target_value": r["target_value"],
                           "margin": r["margin"], "source_document": r["source_document"], "count_source": r["count_source"]}
                          for r in missed.to_dict("records")]}
    return [_finding("targets_missed", _t("targets", lang, n=len(missed), items="; ".join(items)), figures,
                     bool(missed["illustrative"].any()), lang)]


def _procedure_findings(con, period: str, unit_id: str, lang: str) -> list[Finding]:
    from analytics.analyses.explain import shortfall_pareto

    for source in ("portal", "own"):
        try:
            p = shortfall_pareto(con, period, unit_id, DIGITIZATION_CODE, count_source=source)
        except (KeyError, ValueError, LookupError):
            return []
        if len(p):
            break
    else:
        return []
    top = p.head(3)
    items = ", ".join(_t("procedure_item", lang, name=r["procedure_name"], count=fmt_count(r["shortfall_filings"], lang))
                      for r in top.to_dict("records"))
    share = float(top["cumulative_pct"].iloc[-1])
    return [_finding("digitization_procedures",
                     _t("procedures", lang, items=items, share=fmt_pct(share, lang), source=_t(f"source_{source}", lang)),
                     {"procedures": top["procedure_name"].tolist(), "shortfall_filings": top["shortfall_filings"].astype(int).tolist(),
                      "cumulative_pct": share, "count_source": source},
                     _filings_illustrative(con, period, unit_id), lang)]


def _filings_illustrative(con, period: str, unit_id: str) -> bool:
    """Whether any filing count of the unit's period is illustrative (its totals, stored at ingest, say)."""
    from analytics.analyses.measures import filing_totals

    return bool(filing_totals(con, period, unit_id)["illustrative"].any())


def brief_frame(con, period: str | None, unit_id: str, lang: str = "vi") -> pd.DataFrame:
    """The brief as a table: one row per finding with its text and its figures as JSON."""
    rows = [{**asdict(f), "figures": json.dumps(f.figures, ensure_ascii=False, default=str)}
            for f in meeting_brief(con, period, unit_id, lang)]
    return pd.DataFrame(rows, columns=["key", "text", "figures", "illustrative"])
