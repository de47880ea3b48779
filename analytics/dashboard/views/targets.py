"""Mục tiêu (Targets): each plan target against its measured value — met or missed, by how much, and its source."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics import charts
from analytics.analyses.plan_targets import target_status
from analytics.dashboard import data, frame, tasks_panel
from analytics.dashboard.text import t
from analytics.i18n import translate
from analytics.dashboard.widgets import Col, chart_and_table, present, section, wide_table
from analytics.formatting import fmt_number, fmt_pct, fmt_points
from analytics.periods import period_label

COLS = [Col("when", "col.period"), Col("metric_label", "col.metric"), Col("target_text", "col.comparator_target"),
        Col("measured_text", "col.measured"), Col("measured_period", "col.measured_period", "period"),
        Col("status", "col.status"), Col("margin_text", "col.margin"), Col("source_label", "col.count_source"),
        Col("source_document", "col.document"), Col("illustrative", "col.illustrative", "flag"), Col("note", "col.note")]
# what a reader needs first, fitted to 1280 px with the sidebar open (pixels): the period measured is beside the value
FIRST = {"when": 80, "metric_label": 230, "target_text": 90, "measured_text": 90, "measured_period": 150,
         "status": 80, "margin_text": 100}
SIGNS = {">=": "≥", "<=": "≤", "=": "="}


def render() -> None:
    if not frame.require_data():
        return
    unit_id, unit, period, lang = frame.selection()
    frame.page_header("tg.title", unit=unit)
    st.caption(t("tg.caption"))
    targets_view(unit_id, unit, period, lang)
    tasks_panel.render(unit_id, period, lang)


@st.fragment
def targets_view(unit_id: str, unit: str, period: str, lang: str) -> None:
    """The targets measured up to the selected period: the toggle redraws only this part."""
    only = st.toggle(t("tg.only_period") + f" ({period_label(period, lang)})", key="tg_only_period")
    # nothing after the selected period is measured: an annual target of a year in progress is measured up to it
    st.caption(t("tg.measured_through", period=period_label(period, lang)))
    with section():
        with st.spinner(t("common.loading")):
            df = data.shown(target_status, period if only else None, unit_id, through=period, lang=lang)
        df = df[df["unit_id"] == unit_id] if "unit_id" in df else df
        if df.empty:
            st.info(t("tg.none"), icon=":material/flag:")
        else:
            _targets(df, unit, lang)


def _targets(df: pd.DataFrame, unit: str, lang: str) -> None:
    """The targets' tiles, table and chart."""
    df = df.assign(note=df["measured_reason"].fillna(df["measured_grade"]))  # why unmeasured, or the grade earned
    df = described(df, lang)
    known = df["met"].map(present)
    met = int((known & df["met"].map(lambda m: present(m) and bool(m))).sum())
    missed = int(known.sum()) - met
    unknown = len(df) - met - missed
    c1, c2, c3 = st.columns(3)
    c1.metric(t("common.met"), met, border=True)
    c2.metric(t("common.missed"), missed, border=True)
    c3.metric(t("common.unmeasured"), unknown, border=True)
    wide_table(df, COLS, lang, key="targets", title=t("tg.title", unit=unit), first=FIRST)
    measured = df[df["margin"].notna()].copy()
    if len(measured):
        st.subheader(t("tg.chart"))
        st.caption(t("tg.chart_caption"))
        measured["label"] = [f"{w}: {m}" for w, m in zip(measured["when"], measured["metric_label"])]
        chart_and_table(charts.target_margins(measured, lang), measured, COLS, lang, key="targets-chart",
                        title=t("tg.chart"))


def described(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The status rows with their texts: when, target, measured value, status and margin in the target's unit."""
    out = df.copy()
    out["when"] = [period_label(p, lang) if isinstance(p, str) and p else period_label(str(int(y)), lang) if present(y) else "—"
                   for p, y in zip(out["period"], out["year"])]
    out["target_text"] = [_target(r, lang) for r in out.to_dict("records")]
    out["measured_text"] = [_value(r["measured_value"], r["target_unit"], lang) for r in out.to_dict("records")]
    out["margin_text"] = [_margin(r["margin"], r["target_unit"], lang) for r in out.to_dict("records")]
    out["status"] = [translate("common.unmeasured", lang) if not present(m) else
                     translate("common.met" if bool(m) else "common.missed", lang) for m in out["met"]]
    out["source_label"] = [translate(f"source.{s}", lang) if present(s) else "" for s in out["count_source"]]
    ill = out["illustrative"].fillna(False).astype(bool)
    if "target_illustrative" in out:
        ill = ill | out["target_illustrative"].fillna(False).astype(bool)
    out["illustrative"] = ill
    return out


def _value(v, unit, lang: str) -> str:
    if not present(v):
        return "—"
    if unit == "pct":
        return fmt_pct(v, lang)
    if unit in ("points", "grade"):
        return f"{fmt_points(v, lang)} {translate('common.points', lang)}"
    if unit == "minutes":
        return f"{fmt_number(v, 0, lang)} {translate('unit.minutes', lang)}"
    return fmt_number(v, 2, lang)


def _target(r: dict, lang: str) -> str:
    sign = SIGNS.get(r["comparator"], r["comparator"])
    text = f"{sign} {_value(r['target_value'], r['target_unit'], lang)}"
    if r["target_unit"] == "grade" and present(r.get("target_grade")):
        text = f"{r['target_grade']} ({text})"
    return text


def _margin(v, unit, lang: str) -> str:
    if not present(v):
        return "—"
    number = fmt_number(v, 2, lang, signed=True)
    return f"{number} {translate('common.pp', lang)}" if unit == "pct" else \
        f"{number} {translate('common.points', lang)}" if unit in ("points", "grade") else number


render()
