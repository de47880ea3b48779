"""The Overview's memo export: the tasks to put in the memo (loaded and proposed, editable), the date of issue,
and the Word download (``analytics.brief.memo``)."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import streamlit as st

from analytics.dashboard import data
from analytics.dashboard.text import t
from analytics.dashboard.widgets import section
from analytics.formatting import BLANK

OPEN_KEY = "memo_open"


@st.fragment
def render(unit_id: str, period: str, lang: str) -> None:
    """The memo section: a date, the editable tasks and the download button, in a panel that is computed and
    drawn only once opened (and then stays open across pages and periods); opening it or editing a task redraws
    this section only."""
    with section(t("memo.panel"), t("memo.panel_caption")):
        panel = st.expander(t("memo.open"), key=OPEN_KEY, on_change="rerun", icon=":material/edit_note:")
        if not panel.open:
            return
        with panel:
            _editor(unit_id, period, lang)


def _editor(unit_id: str, period: str, lang: str) -> None:
    """The date of issue, the editable tasks and the Word download."""
    from analytics.brief.memo import memo_bytes, memo_file_name, memo_tasks

    issued = st.columns([1, 3])[0].date_input(t("memo.date_input"), value=date.today(), format="DD/MM/YYYY",
                                              key="memo_date")
    tasks = data.call(memo_tasks, period, unit_id, lang=lang)
    st.caption(t("memo.tasks_editor"))
    edited = st.data_editor(
        tasks, key=f"memo_tasks_{unit_id}_{period}", num_rows="dynamic", hide_index=True, width="stretch", placeholder=BLANK,
        column_order=["department", "text", "due_date", "proposed", "illustrative"],
        column_config={
            "department": st.column_config.TextColumn(t("col.department"), width="medium"),
            "text": st.column_config.TextColumn(t("col.task"), width="large"),
            "due_date": st.column_config.DateColumn(t("col.due"), format="DD/MM/YYYY"),
            "proposed": st.column_config.CheckboxColumn(t("col.proposed"), disabled=True),
            "illustrative": st.column_config.CheckboxColumn(t("col.illustrative"), disabled=True),
        })
    payload = _json(edited)
    st.download_button(t("memo.download"), data=lambda: data.call(memo_bytes, period, unit_id, issued.isoformat(),
                                                                   lang=lang, tasks_json=payload),
                       file_name=memo_file_name(unit_id, period), key="memo_docx", on_click="ignore",
                       mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                       icon=":material/description:")


def _json(df: pd.DataFrame) -> str:
    """The edited table as JSON text (dates ISO), so the Word file is cached on exactly what was edited."""
    rows = []
    for rec in df.to_dict("records"):
        due = rec.get("due_date")
        rec["due_date"] = due.isoformat()[:10] if hasattr(due, "isoformat") and not pd.isna(due) else None
        rows.append({k: (None if not isinstance(v, (str, bool)) and v is not None and pd.isna(v) else v)
                     for k, v in rec.items()})
    return json.dumps(rows, ensure_ascii=False, default=str)
