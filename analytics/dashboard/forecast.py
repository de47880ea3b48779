"""The end-of-period forecast tile (Overview), shown when dossier lists cover the selected period."""

from __future__ import annotations

import streamlit as st

from analytics.analyses.dossiers import default_as_of, nowcast
from analytics.dashboard import data
from analytics.dashboard.text import t
from analytics.dashboard.widgets import illustrative_badge, section
from analytics.formatting import fmt_points


def forecast_tile(unit_id: str, period: str, lang: str) -> None:
    """Projected points of the components dossiers can count: no action, all open dossiers closing on time."""
    with section():
        as_of = data.call(default_as_of, unit_id, period)
        if as_of is None:
            return
        df = data.call(nowcast, as_of, unit_id, period)
        if df.empty:
            return
        with st.container(border=True):
            st.markdown("**" + t("ds.tile", day=as_of.strftime("%d/%m/%Y")) + "**")
            if df["illustrative"].any():
                illustrative_badge()
            st.write(t("ds.tile_text", a=fmt_points(df["points_if_no_action"].sum(), lang),
                       b=fmt_points(df["points_if_all_close"].sum(), lang), risk=fmt_points(df["points_at_risk"].sum(), lang)))
            st.page_link("analytics/dashboard/views/dossiers.py", label=t("page.dossiers"), icon=":material/folder_open:")
