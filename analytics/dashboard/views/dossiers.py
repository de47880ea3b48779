"""Hồ sơ (Dossiers) for the inspectorate: the worklist, the overdue audit with false overdue highlighted, and the
end-of-period forecast, from dossier lists."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from analytics.analyses.dossiers import (
    default_as_of, nowcast, overdue_audit, overdue_audit_summary, overdue_points_recovered, points_at_risk_by, worklist,
)
from analytics.dashboard import data, frame
from analytics.dashboard.text import t
from analytics.dashboard.widgets import Col, illustrative_badge, section, table, whole_number
from analytics.definition import load_definition
from analytics.formatting import fmt_count, fmt_points
from analytics.i18n import translate
from analytics.periods import quarter_dates

WORKLIST_COLS = [Col("dossier_code", "col.dossier_code"), Col("procedure_code", "col.procedure_code"),
                 Col("procedure_name", "col.procedure_name"), Col("department", "col.department"),
                 Col("state_text", "col.state"), Col("due_text", "col.due_date"),
                 Col("working_days_left", "col.working_days_left", "int"), Col("missing_text", "col.missing"),
                 Col("points_at_risk", "col.points_at_risk", "points"), Col("illustrative", "col.illustrative", "flag")]
AUDIT_COLS = [Col("dossier_code", "col.dossier_code"), Col("procedure_code", "col.procedure_code"),
              Col("department", "col.department"), Col("received_text", "col.received_at"),
              Col("system_due_text", "col.system_due_date"), Col("published_due_text", "col.published_due_date"),
              Col("result_text", "col.result_date"), Col("verdict_text", "col.verdict"),
              Col("working_days_late", "col.working_days_late", "int"), Col("match_text", "col.portal_match"),
              Col("mismatch_text", "col.mismatch"), Col("illustrative", "col.illustrative", "flag")]
SUMMARY_COLS = [Col("procedure_code", "col.procedure_code"), Col("procedure_name", "col.procedure_name"),
                Col("mismatch_text", "col.mismatch"), Col("counted_late", "col.counted_late", "count"),
                Col("false_overdue", "col.false_overdue", "count"), Col("late", "col.late", "count"),
                Col("timeliness_points_recovered", "col.points_recovered", "points"),
                Col("illustrative", "col.illustrative", "flag")]
NOWCAST_COLS = [Col("component_label", "col.component"), Col("max_points", "col.max", "points"),
                Col("points_if_no_action", "col.points_no_action", "points"),
                Col("points_if_all_close", "col.points_all_close", "points"),
                Col("points_at_risk", "col.points_at_risk", "points"), Col("open_dossiers", "col.open_dossiers", "count"),
                Col("illustrative", "col.illustrative", "flag")]
RISK_COLS = [Col("procedure_code", "col.procedure_code"), Col("procedure_name", "col.procedure_name"),
             Col("department", "col.department"), Col("dossiers", "col.dossiers", "count"),
             Col("points_at_risk", "col.points_at_risk", "points")]


def _day(v) -> str:
    """A day on screen: dd/mm/yyyy."""
    return "—" if v is None or pd.isna(v) else pd.Timestamp(v).strftime("%d/%m/%Y")


def _each(values, fn) -> list:
    """fn over a column, once per distinct value (days, states and missing papers repeat over the rows)."""
    cache: dict = {}
    out = []
    for v in values.tolist():
        key = None if v is None or (not isinstance(v, str) and pd.isna(v)) else v
        if key not in cache:
            cache[key] = fn(key)
        out.append(cache[key])
    return out


def _words(values, prefix: str, lang: str) -> list[str]:
    return _each(values, lambda v: ", ".join(translate(f"{prefix}.{k.strip()}", lang) for k in str(v).split(",")
                                             if k.strip()) if isinstance(v, str) and v else "")


def render() -> None:
    if not frame.require_data():
        return
    unit_id, unit, period, lang = frame.selection()
    frame.page_header("ds.title", unit=unit)
    st.caption(t("ds.caption"))
    default = data.call(default_as_of, unit_id, period)
    if default is None:
        st.info(t("ds.none"), icon=":material/folder_open:")
        return
    as_of_view(unit_id, period, lang, default)


@st.fragment
def as_of_view(unit_id: str, period: str, lang: str, default: date) -> None:
    """The three tabs for the chosen day: the day redraws them, not the page above."""
    start, end = (date.fromisoformat(x) for x in quarter_dates(period))
    as_of = st.date_input(t("ds.as_of"), value=default, min_value=start, max_value=end, format="DD/MM/YYYY",
                          key="ds_as_of")
    tab_work, tab_audit, tab_now = st.tabs([t("ds.tab_worklist"), t("ds.tab_audit"), t("ds.tab_nowcast")])
    with tab_work:
        _worklist(unit_id, as_of, lang)
    with tab_audit:
        _audit(unit_id, period, lang)
    with tab_now:
        _nowcast(unit_id, as_of, period, lang)


@st.fragment
def _worklist(unit_id: str, as_of: date, lang: str) -> None:
    """The worklist: the days ahead and the department filter redraw only this tab."""
    with section():
        c1, c2 = st.columns([1, 2])
        within = whole_number(c1, t("ds.within"), low=0, high=60, value=5, key="ds_within")
        df = data.call(worklist, as_of, unit_id, within_days=int(within))
        departments = sorted(d for d in df["department"].dropna().unique())
        chosen = c2.multiselect(t("ds.department"), departments, key="ds_departments", placeholder=t("ds.all_departments"))
        if chosen:
            df = df[df["department"].isin(chosen)]
        if df["illustrative"].any():
            illustrative_badge()
        m1, m2, m3 = st.columns(3)
        m1.metric(t("ds.wl_open"), fmt_count(int((df["state"] == "open").sum()), lang), border=True)
        m2.metric(t("ds.wl_missing"), fmt_count(int((df["missing"] != "").sum()), lang), border=True)
        m3.metric(t("ds.wl_points"), fmt_points(df["points_at_risk"].sum(), lang), border=True)
        shown = df.assign(state_text=_each(df["state"], lambda s: translate(f"state.{s}", lang)),
                          due_text=_each(df["due_date"], _day),
                          missing_text=_words(df["missing"], "missing", lang))
        table(shown, WORKLIST_COLS, lang, key="worklist", title=t("ds.tab_worklist"), height=420)


def _audit(unit_id: str, period: str, lang: str) -> None:
    with section():
        summary = data.call(overdue_audit_summary, period, unit_id)
        audit = data.call(overdue_audit, period, unit_id)
        if audit.empty:
            st.caption(t("common.no_rows"))
            return
        if audit["illustrative"].any():
            illustrative_badge()
        false = int((audit["verdict"] == "false_overdue").sum())
        m1, m2, m3, m4 = st.columns(4)
        m1.metric(t("ds.audit_counted"), fmt_count(len(audit), lang), border=True)
        m2.metric(t("ds.audit_false"), fmt_count(false, lang), border=True)
        m3.metric(t("ds.audit_late"), fmt_count(len(audit) - false, lang), border=True)
        m4.metric(t("ds.audit_recovered"), fmt_points(data.call(overdue_points_recovered, period, unit_id), lang), border=True)
        st.subheader(t("ds.audit_summary"))
        table(summary.assign(mismatch_text=_words(summary["mismatch"], "mismatch", lang)), SUMMARY_COLS, lang,
              key="overdue-summary", title=t("ds.audit_summary"))
        st.subheader(t("ds.audit_detail"))
        detail = audit.assign(
            received_text=[pd.Timestamp(v).strftime("%d/%m/%Y %H:%M") for v in audit["received_at"]],
            system_due_text=_each(audit["system_due_date"], _day),
            published_due_text=_each(audit["published_due_date"], _day),
            result_text=_each(audit["result_date"], _day),
            verdict_text=[translate(f"verdict.{v}", lang) for v in audit["verdict"]],
            match_text=_words(audit["portal_match"], "match", lang),
            mismatch_text=_words(audit["mismatch"], "mismatch", lang))
        table(detail, AUDIT_COLS, lang, key="overdue-audit", title=t("ds.tab_audit"), height=420)


def _nowcast(unit_id: str, as_of: date, period: str, lang: str) -> None:
    with section(caption=t("ds.nowcast_caption")):
        df = data.call(nowcast, as_of, unit_id, period)
        if df.empty:
            st.caption(t("common.no_rows"))
            return
        if df["illustrative"].any():
            illustrative_badge()
        d = load_definition()
        df = df.assign(component_label=[d.common_label(c, lang) for c in df["component"]])
        table(df, NOWCAST_COLS, lang, key="nowcast", title=t("ds.tab_nowcast"))
        c1, c2 = st.columns(2)
        with c1:
            st.subheader(t("ds.nowcast_by_procedure"))
            table(data.call(points_at_risk_by, as_of, unit_id, "procedure_code", period).head(20), RISK_COLS, lang,
                  key="risk-procedure", title=t("ds.nowcast_by_procedure"))
        with c2:
            st.subheader(t("ds.nowcast_by_department"))
            table(data.call(points_at_risk_by, as_of, unit_id, "department", period), RISK_COLS, lang,
                  key="risk-department", title=t("ds.nowcast_by_department"))


render()
