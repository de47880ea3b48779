"""The Targets page's follow-up of assigned tasks (``analytics.analyses.tasks.task_followup``): each task with its
metric when given and in the latest period up to the selected one, the change, the deadline and the status."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from analytics.analyses.tasks import task_followup
from analytics.dashboard import data
from analytics.dashboard.text import t
from analytics.dashboard.widgets import Col, present, section, table
from analytics.formatting import fmt_count, fmt_date, fmt_number, fmt_pct, fmt_points, fmt_pp
from analytics.i18n import translate
from analytics.periods import period_sort_key

COLS = [Col("period", "col.given_period", "period"), Col("department", "col.department"),
        Col("status_label", "col.task_status"), Col("metric_label", "col.task_metric"),
        Col("at_text", "col.value_at_assignment"), Col("latest_period", "col.latest_period", "period"),
        Col("latest_text", "col.latest_value"), Col("change_text", "col.change"), Col("due_shown", "col.due"),
        Col("illustrative", "col.illustrative", "flag"), Col("task_text", "col.task"),
        Col("source_document", "col.task_document")]


def render(unit_id: str, period: str, lang: str) -> None:
    """The tasks section: a one-line summary and the table (tasks given up to the selected period)."""
    today = date.today()
    with section(t("tk.title"), t("tk.caption", period=_label(period, lang), today=fmt_date(today))):
        df = data.shown(task_followup, None, unit_id, through=period, as_of=today, lang=lang)
        if period and len(df):
            df = df[[period_sort_key(p) <= period_sort_key(period) for p in df["period"]]]
        if df.empty:
            st.info(t("tk.none"), icon=":material/task_alt:")
            return
        shown = described(df, lang)
        counts = shown["status"].value_counts()
        st.markdown(" · ".join(f"**{int(counts[s])}** {translate(f'task.{s}', lang).lower()}"
                               for s in ("moved", "due_not_moved", "overdue", "awaiting_data", "no_data") if s in counts))
        table(shown, COLS, lang, key="tasks-followup", title=t("tk.title"))


def described(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The follow-up rows with their texts: values in their unit, change signed, deadline dd/mm/yyyy, status."""
    out = df.copy()
    out["at_text"] = [_value(v, u, lang) for v, u in zip(out["value_at_assignment"], out["value_unit"])]
    out["latest_text"] = [_value(v, u, lang) for v, u in zip(out["latest_value"], out["value_unit"])]
    out["change_text"] = [(fmt_pp(v, lang) if u == "pct" else fmt_number(v, 2, lang, signed=True)) if present(v) else "—"
                          for v, u in zip(out["change"], out["value_unit"])]
    out["due_shown"] = [fmt_date(d) if present(d) else (x if isinstance(x, str) else "—")
                        for d, x in zip(out["due_date"], out["due_text"])]
    out["status_label"] = [translate(f"task.{s}", lang) for s in out["status"]]
    return out


def _value(v, unit, lang: str) -> str:
    if not present(v):
        return "—"
    if unit == "points":
        return fmt_points(v, lang)
    if unit == "pct":
        return fmt_pct(v, lang)
    return fmt_count(v, lang)


def _label(period: str, lang: str) -> str:
    from analytics.periods import period_label

    return period_label(period, lang) if period else ""
