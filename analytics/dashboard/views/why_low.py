"""Vì sao thấp? (Why low) for the inspectorate: component → sub-indicators → procedures and departments,
the last change split into mix and rate, own records against the portal, the deadline audit, and a what-if."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics import charts
from analytics.analyses.audit import deadline_mismatches
from analytics.analyses.explain import department_shortfall, mix_rate_split, shortfall_pareto, subindicator_breakdown
from analytics.analyses.inventory import source_files
from analytics.analyses.reconcile import candidate_causes, own_vs_portal, reconciliation_summary
from analytics.analyses.whatif import simulate, what_would_it_take
from analytics.dashboard import data, frame
from analytics.dashboard.text import t
from analytics.dashboard.widgets import (Col, chart_and_table, illustrative_badge, pick_component, present, safe_text,
                                         section, table, whole_number, wide_table)
from analytics.definition import load_definition
from analytics.formatting import fmt_count, fmt_number, fmt_points
from analytics.labels import version_label
from analytics.periods import period_label

SUB_COLS = [Col("label", "col.subindicator"), Col("code", "col.code", "code"), Col("numerator", "col.numerator", "count"),
            Col("denominator", "col.denominator", "count"), Col("rate_pct", "col.rate", "pct"),
            Col("points_recomputed", "col.points", "points"), Col("max_points", "col.max", "points"),
            Col("points_at_stake", "col.at_stake", "points"), Col("illustrative", "col.illustrative", "flag"),
            Col("note", "col.note")]
PARETO_COLS = [Col("rank", "col.rank", "int"), Col("procedure_code", "col.procedure_code"),
               Col("procedure_name", "col.procedure"), Col("department", "col.department"),
               Col("numerator", "col.numerator", "count"), Col("denominator", "col.denominator", "count"),
               Col("rate_pct", "col.rate", "pct"), Col("shortfall_filings", "col.shortfall", "count"),
               Col("share_pct", "col.share", "pct"), Col("cumulative_pct", "col.cumulative", "pct"),
               Col("in_first_80_pct", "col.top80", "bool"), Col("illustrative", "col.illustrative", "flag")]
DEPT_COLS = [Col("department", "col.department"), Col("rate_pct", "col.rate", "pct"),
             Col("shortfall_filings", "col.shortfall", "count"), Col("share_pct", "col.share", "pct"),
             Col("illustrative", "col.illustrative", "flag")]
MIX_COLS = [Col("procedure_name", "col.procedure"), Col("rate_previous_pct", "col.prev_period", "pct"),
            Col("rate_pct", "col.rate", "pct"), Col("mix_effect_pp", "col.mix", "pp"),
            Col("rate_effect_pp", "col.rate_effect", "pp"), Col("total_change_pp", "col.total_effect", "pp"),
            Col("illustrative", "col.illustrative", "flag")]
RECON_COLS = [Col("difference_rank", "col.rank", "int"), Col("procedure_code", "col.procedure_code"),
              Col("procedure_name", "col.procedure"), Col("department", "col.department"),
              Col("own_count", "col.own", "count"), Col("portal_count", "col.portal", "count"),
              Col("difference_count", "col.difference", "count"), Col("illustrative", "col.illustrative", "flag")]
AUDIT_COLS = [Col("procedure_code", "col.procedure_code"), Col("procedure_name", "col.procedure"),
              Col("department", "col.department"), Col("published_deadline", "col.published_time"),
              Col("configured_deadline", "col.configured_time"), Col("mismatch_label", "col.issue"),
              Col("portal_overdue_filings", "col.overdue_portal", "count"),
              Col("own_overdue_filings", "col.overdue_own", "count"), Col("illustrative", "col.illustrative", "flag")]
# what a reader needs first, fitted to 1280 px with the sidebar open (pixels); the rest is one click away
AUDIT_FIRST = {"procedure_name": 230, "published_deadline": 125, "configured_deadline": 125,
               "portal_overdue_filings": 165, "own_overdue_filings": 165}
TAKE_COLS = [Col("label", "col.subindicator"), Col("rate_pct", "col.rate", "pct"),
             Col("extra_filings", "col.extra_filings", "count"), Col("new_rate_pct", "col.new_rate", "pct"),
             Col("gain_points", "col.gain", "signed"), Col("reachable", "col.reachable", "bool"), Col("note", "col.note")]


def render() -> None:
    if not frame.require_data():
        return
    unit_id, unit, period, lang = frame.selection()
    frame.page_header("wl.title", unit=unit, period=period_label(period, lang))
    st.caption(t("wl.intro"))
    with st.spinner(t("common.loading")):
        scores = data.scores(lang)
    component_step(unit_id, unit, period, lang, scores)
    _warm_other_components(unit_id, period)


def _warm_other_components(unit_id: str, period: str) -> None:
    """Once per (unit, period), compute the other components' first steps in the background (the sub-indicator
    each opens on, its procedures, departments and change), so switching component draws from the cache."""
    mark = f"{unit_id}|{period}"
    if st.session_state.get("_wl_warmed") == mark:
        return
    st.session_state["_wl_warmed"] = mark
    others = [c for c in load_definition().common_groups if c != st.session_state.get("wl_component")]

    def steps() -> None:  # the same calls, with the same arguments, as the steps below make
        for comp in others:
            subs = data.call(subindicator_breakdown, period=period, unit_id=unit_id, component=comp)
            codes = _filing_codes(subs[subs["unit_id"] == unit_id]) if len(subs) else []
            if codes:
                for fn in (shortfall_pareto, department_shortfall, mix_rate_split):
                    data.call(fn, period, unit_id, codes[0])

    data.warm(steps)


# Each step is a fragment: a click redraws its own step and the steps below it, never the page above.
# component → sub-indicator → (procedures, departments, change, reconciliation, audit) → what-if.

@st.fragment
def component_step(unit_id: str, unit: str, period: str, lang: str, scores: pd.DataFrame) -> None:
    """Step 1: the component, its sub-indicators and what the loaded counts explain; then the steps below."""
    st.subheader(t("wl.step1"))
    comp = pick_component("wl_component", scores, unit_id, period, lang, t("wl.component"))
    subs = pd.DataFrame()
    with section():
        subs = data.shown(subindicator_breakdown, period=period, unit_id=unit_id, component=comp, lang=lang)
        subs = subs[subs["unit_id"] == unit_id].reset_index(drop=True)
        if subs.empty:
            st.info(t("cp.no_subindicators"), icon=":material/info:")
        else:
            _explained(subs, comp, lang)
            shown = subs.assign(points=subs["points"].fillna(subs["points_recomputed"]))
            chart_and_table(charts.subindicator_bars(shown, lang), subs, SUB_COLS, lang,
                            key=f"wl-subindicators-{comp}-{period}",
                            title=f"{t('cp.subindicators')} — {unit} — {period_label(period, lang)}")
    subindicator_step(unit_id, unit, period, lang, comp, subs)


@st.fragment
def subindicator_step(unit_id: str, unit: str, period: str, lang: str, comp: str, subs: pd.DataFrame) -> None:
    """Steps 2–6 for the chosen sub-indicator: procedures, departments, the change, reconciliation, audit, what-if."""
    code, sub = _pick_subindicator(subs, lang)
    if code is None:
        return
    illustrative = bool(subs.loc[subs["code"] == code, "illustrative"].any())

    st.subheader(t("wl.step2"))
    st.caption(t("wl.pareto_caption"))
    pareto = pd.DataFrame()
    with section():
        pareto = data.shown(shortfall_pareto, period, unit_id, code, lang=lang).assign(illustrative=illustrative)
        row = subs[subs["code"] == code]
        if pareto.empty and len(row) and present(row["filings_to_full_points"].iloc[0]) and row["filings_to_full_points"].iloc[0] == 0:
            st.success(t("wl.already_full"), icon=":material/check_circle:")
        elif pareto.empty:
            st.caption(t("wl.no_filings"))
        else:
            st.markdown(t("wl.to_full", n=fmt_count(pareto["filings_to_full_points"].iloc[0], lang),
                          threshold=_threshold(sub, lang)))
            chart_and_table(charts.pareto(pareto, lang), pareto, PARETO_COLS, lang, key=f"pareto-{code}-{period}",
                            title=f"{sub.label(lang)} — {unit} — {period_label(period, lang)}")
    with section(t("wl.departments"), t("wl.departments_caption")):
        dept = data.shown(department_shortfall, period, unit_id, code, lang=lang).assign(illustrative=illustrative)
        if len(dept):
            fig = charts.simple_bars(dept["department"], dept["shortfall_filings"], lang, axis=t("chart.filings_axis"),
                                     fmt=lambda v: fmt_count(v, lang), illustrative=dept["illustrative"])
            chart_and_table(fig, dept, DEPT_COLS, lang, key=f"departments-{code}-{period}",
                            title=f"{t('wl.departments')} — {sub.label(lang)}")
        else:
            st.caption(t("wl.no_filings"))

    with section(t("wl.step3"), t("wl.mix_caption")):
        mix = data.shown(mix_rate_split, period, unit_id, code, lang=lang).assign(illustrative=illustrative)
        total = mix[mix["level"] == "total"]
        if len(total):
            r = total.iloc[0]
            st.markdown(t("wl.mix_total", total=_pp(r["total_change_pp"], lang), mix=_pp(r["mix_effect_pp"], lang),
                          rate=_pp(r["rate_effect_pp"], lang)) + f" ({period_label(r['previous_period'], lang)} → "
                        f"{period_label(period, lang)})")
            _published_split(r, lang)
        procs = mix[mix["level"] == "procedure"]
        chart_and_table(charts.mix_rate(procs, lang, illustrative=illustrative), mix, MIX_COLS, lang, key=f"mix-{code}-{period}",
                        title=f"{t('wl.step3')} — {sub.label(lang)}")

    with section(t("wl.step4"), t("wl.reconcile_caption")):
        reconciliation_step(unit_id, unit, period, lang)

    with section(t("wl.step5"), t("wl.audit_caption")):
        audit = data.shown(deadline_mismatches, unit_id, period, lang=lang)
        audit = audit[audit["unit_id"] == unit_id]
        if audit.empty:
            st.success(t("wl.audit_none"), icon=":material/check_circle:")
        else:
            wide_table(audit, AUDIT_COLS, lang, key=f"audit-{period}", title=f"{t('wl.step5')} — {unit}",
                       first=AUDIT_FIRST)

    with section(t("wl.step6"), t("wl.whatif_caption")):
        what_if_step(unit_id, unit, period, lang, comp, code, sub, pareto)


def _signed(v, lang: str) -> str:
    return fmt_number(v, 2, lang, signed=True) if present(v) else "—"


def _explained(subs: pd.DataFrame, comp: str, lang: str) -> None:
    """The published score against the score the loaded counts give, and what is left unexplained (and why)."""
    r = subs.iloc[0]
    d = load_definition()
    top = d.common_max(comp)
    if r["index_version"] != "v2025":
        st.caption(t("wl.version_note", version=version_label(r["index_version"], lang), rules=version_label("v2025", lang)))
    published, recomputed = r["component_points_published"], r["component_points_recomputed"]
    if not present(published):
        st.info(t("wl.recon_not_published", recomputed=fmt_points(recomputed, lang)), icon=":material/info:")
        return
    if not present(recomputed):
        st.warning(t("wl.recon_unknown", published=fmt_points(published, lang), max=fmt_points(top, lang)),
                   icon=":material/help:")
        return
    gap = r["unexplained_points"]
    if abs(float(gap)) <= 0.01:
        st.success(t("wl.recon_ok", published=fmt_points(published, lang), max=fmt_points(top, lang)),
                   icon=":material/check_circle:")
        return
    st.warning(t("wl.recon_line", published=fmt_points(published, lang), max=fmt_points(top, lang),
                 recomputed=fmt_points(recomputed, lang), unexplained=_signed(gap, lang)) + "  \n"
               + t("wl.recon_why", reasons=r["unexplained_note"] or "—") + "  \n" + t("wl.recon_warning"),
               icon=":material/report:")


def _published_split(r: pd.Series, lang: str) -> None:
    """The published change of the component in parts that add up to it (this sub-indicator's mix and rate, the
    others, the unexplained rest)."""
    component = load_definition().common_label(r["component"], lang) if present(r.get("component")) else "—"
    if not present(r.get("component_change_published_points")):
        st.caption(t("wl.published_split_unknown", component=component, this=_signed(r["points_change"], lang)))
        return
    st.markdown(t("wl.published_split", component=component, published=_signed(r["component_change_published_points"], lang),
                  this=_signed(r["points_change"], lang), mix=_signed(r["mix_effect_points"], lang),
                  rate=_signed(r["rate_effect_points"], lang), others=_signed(r["other_subindicators_change_points"], lang),
                  unexplained=_signed(r["unexplained_change_points"], lang)))


def _threshold(sub, lang: str) -> str:
    """The rate at which a sub-indicator's rule gives full points ("50 %")."""
    full_at = sub.parts[0].full_at if sub.rule == "payment" else sub.full_at
    return f"{fmt_number(100 * full_at, 0, lang)} %"


def _pp(v, lang: str) -> str:
    return f"{fmt_number(v, 2, lang, signed=True)} {t('common.pp')}" if present(v) else "—"


def _filing_codes(subs: pd.DataFrame) -> list[str]:
    """The sub-indicators computed from filing counts, the one with most points at stake first."""
    d = load_definition()
    codes = []
    for code in subs.get("code", pd.Series(dtype=str)).tolist():
        try:
            s = d.subindicator(code)
        except KeyError:
            continue
        if s.filing_field and s.filing_denominator and s.scope != "province":
            codes.append(code)
    stake = subs.set_index("code")["points_at_stake"].to_dict() if codes else {}
    return sorted(codes, key=lambda c: -(stake.get(c) if present(stake.get(c)) else -1))


def _pick_subindicator(subs: pd.DataFrame, lang: str):
    """The sub-indicator to drill into: those computed from filing counts, the one with most points at stake first."""
    d = load_definition()
    codes = _filing_codes(subs)
    if not codes:
        if len(subs):
            st.info(t("wl.whatif_no_field"), icon=":material/info:")
        return None, None
    stake = subs.set_index("code")["points_at_stake"].to_dict()
    key = "wl_code"
    if st.session_state.get(key) not in codes:
        st.session_state[key] = codes[0]
    labels = {c: d.subindicator(c).label(lang) for c in codes}
    code = st.selectbox(t("wl.subindicator"), codes, key=key,
                        format_func=lambda c: f"{labels[c]} — {t('col.at_stake').lower()} {fmt_points(stake.get(c), lang)}")
    return code, d.subindicator(code)


@st.fragment
def reconciliation_step(unit_id: str, unit: str, period: str, lang: str) -> None:
    """Step 4: own records against the portal; the measure picker redraws only this step."""
    summary = data.shown(reconciliation_summary, period, unit_id, lang=lang)
    summary = summary[summary["unit_id"] == unit_id]
    if summary.empty:
        st.caption(t("wl.no_filings"))
        return
    ill = _filings_illustrative(unit_id, period)
    cols = st.columns(len(summary))
    for slot, r in zip(cols, summary.to_dict("records")):
        with slot.container(border=True):
            st.metric(r["measure_label"], f"{fmt_count(r['own_count'], lang)} → {fmt_count(r['portal_count'], lang)}")
            line = f"{t('col.own')} → {t('col.portal')}"
            if present(r["difference_count"]):
                line += f" · {t('col.difference')}: {fmt_number(r['difference_count'], 0, lang, signed=True)}"
            st.caption(line)
            if ill:
                illustrative_badge()
    _causes(unit_id, period, lang)
    measures = summary["measure"].tolist()
    labels = dict(zip(summary["measure"], summary["measure_label"]))
    default = max(measures, key=lambda m: abs(summary.set_index("measure")["difference_count"].fillna(0).get(m, 0)))
    if st.session_state.get("wl_measure") not in measures:
        st.session_state["wl_measure"] = default
    measure = st.radio(t("wl.measure"), measures, key="wl_measure", horizontal=True, format_func=labels.get)
    detail = data.shown(own_vs_portal, period, unit_id, lang=lang)
    detail = detail[(detail["unit_id"] == unit_id) & (detail["measure"] == measure)]
    detail = detail[detail["difference_count"].fillna(0) != 0].copy()
    if detail.empty:
        st.caption(t("common.no_rows"))
        return
    # the counts behind the reconciliation are as illustrative as the unit's filing files
    detail["illustrative"] = ill
    chart_and_table(charts.own_vs_portal(detail, lang, illustrative=ill), detail, RECON_COLS, lang, key=f"reconcile-{measure}-{period}",
                    title=f"{t('wl.step4')} — {labels[measure]}")


def _causes(unit_id: str, period: str, lang: str) -> None:
    """Where own records count more online filings than the portal: the causes the data can test, and the points
    each would recover."""
    causes = data.shown(candidate_causes, period, unit_id, lang=lang)
    causes = causes[causes["online_filings_count"] > 0]
    if causes.empty:
        return
    st.markdown(f"**{t('wl.causes_title')}**")
    for r in causes.to_dict("records"):
        text = t("wl.cause_line", cause=r["cause_label"], n=fmt_count(r["online_filings_count"], lang),
                 procedures=r["procedures"] or "—", before=fmt_points(r["share_points_before"], lang),
                 after=fmt_points(r["share_points_after"], lang), points=_signed(r["points_recovered"], lang))
        st.markdown("- " + safe_text(text) + (f" — {t('common.illustrative')}" if r["illustrative"] else ""))


def _filings_illustrative(unit_id: str, period: str) -> bool:
    files = data.call(source_files, unit_id, period)
    f = files[files["kind"] == "filings"]
    return bool(f["illustrative"].fillna(False).any()) if len(f) else False


ACTION_KEYS = {"digitized_components", "electronic_results", "reused_data", "synced_filings", "received_online",
               "on_time_filings", "online_payments", "feedback_on_time", "feedback_satisfied"}


@st.fragment
def what_if_step(unit_id: str, unit: str, period: str, lang: str, comp: str, code: str, sub, pareto: pd.DataFrame) -> None:
    """Step 6: the what-if; a procedure or a number redraws only this step."""
    field = sub.filing_field
    if not field or pareto is None or pareto.empty:
        st.caption(t("wl.no_filings"))
        return
    procs = pareto.sort_values("shortfall_filings", ascending=False)
    names = dict(zip(procs["procedure_code"].fillna(procs["procedure_name"]), procs["procedure_name"]))
    shortfall = dict(zip(procs["procedure_code"].fillna(procs["procedure_name"]), procs["shortfall_filings"]))
    c1, c2, c3 = st.columns([3, 1.2, 1.6])
    proc = c1.selectbox(t("wl.whatif_procedure"), list(names), key=f"wl_proc_{code}",
                        format_func=lambda p: f"{names[p]} ({t('col.shortfall').lower()}: {fmt_count(shortfall[p], lang)})")
    cap = int(shortfall.get(proc, 0) or 0)
    n = whole_number(c2, t("wl.whatif_n"), low=0, high=max(cap, 1), value=min(max(cap // 2, 1), max(cap, 1)),
                     key=f"wl_n_{code}_{proc}")
    with c3:
        st.caption(t("wl.whatif_field"))
        st.markdown(f"**{t(f'action.{field}') if field in ACTION_KEYS else safe_text(field)}**")
    result = data.shown(simulate, period, unit_id, {proc: {field: int(n)}}, lang=lang)
    s = result[(result["level"] == "subindicator") & (result["code"] == code)]
    c = result[(result["level"] == "component") & (result["component"] == comp)]
    tot = result[result["level"] == "total"]
    st.markdown(f"**{t('wl.whatif_result')}**")
    cols = st.columns([1, 1, 1, 1.4])  # the grade written whole ("Trung bình")
    _before_after(cols[0], t("wl.whatif_sub"), s, lang)
    _before_after(cols[1], t("wl.whatif_component"), c, lang)
    _before_after(cols[2], t("wl.whatif_total"), tot, lang)
    with cols[3].container(border=True):
        if len(tot):
            g0, g1 = tot.iloc[0]["grade_before"], tot.iloc[0]["grade_after"]
            st.metric(t("wl.whatif_grade"), g1 if present(g1) else "—",
                      delta=(f"{g0} → {g1}" if present(g0) and g0 != g1 else None), delta_arrow="up", delta_color="green")
    if _filings_illustrative(unit_id, period):
        illustrative_badge()
    with st.expander(t("wl.what_it_takes")):
        try:
            take = data.shown(what_would_it_take, period, unit_id, comp, to_next_grade=True, lang=lang)
            table(take, TAKE_COLS, lang, key=f"take-{comp}-{period}", title=t("wl.what_it_takes"))
        except Exception as exc:  # e.g. the total is not published, or already the top grade
            st.caption(str(exc))


def _before_after(slot, label: str, rows: pd.DataFrame, lang: str) -> None:
    with slot.container(border=True):
        if rows.empty:
            st.metric(label, "—")
            return
        r = rows.iloc[0]
        before, after = r["points_before"], r["points_after"]
        if not present(before):  # nothing published: show the recomputed points
            before, after = r.get("points_recomputed_before"), r.get("points_recomputed_after")
        change = r["change_points"]
        st.metric(label, fmt_points(after, lang) if present(after) else "—",
                  delta=(f"{fmt_number(change, 2, lang, signed=True)} {t('common.points')}" if present(change) else None),
                  delta_arrow="off" if not present(change) or change == 0 else ("up" if change > 0 else "down"),
                  delta_color="gray" if not present(change) or change == 0 else ("green" if change > 0 else "red"),
                  delta_description=t("wl.from", value=fmt_points(before, lang)) if present(before) else None)


render()
