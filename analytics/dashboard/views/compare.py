"""So sánh (Compare): every unit of a level in a period — the ranking by total, and a heatmap of the components."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics import charts
from analytics.dashboard import data, frame
from analytics.dashboard.text import t
from analytics.brief.tiles import component_order
from analytics.dashboard.widgets import Col, chart_and_table, level_label, section
from analytics.definition import load_definition
from analytics.periods import period_label

RANK_COLS = [Col("rank", "col.rank", "int"), Col("unit", "col.unit"), Col("score_points", "col.score", "points"),
             Col("grade", "col.grade"), Col("selected", "chart.selected", "bool"),
             Col("rank_illustrative", "col.illustrative", "flag")]


def render() -> None:
    if not frame.require_data():
        return
    unit_id, unit, period, lang = frame.selection()
    frame.page_header("cmp.title", period=period_label(period, lang))
    with st.spinner(t("common.loading")):
        scores = data.scores(lang)
    in_period = scores[(scores["period"] == period) & (scores["unit_level"] != "province")]
    levels = [lv for lv in ("department", "district", "commune") if lv in set(in_period["unit_level"])] or \
        sorted(in_period["unit_level"].dropna().unique().tolist())
    if not levels:
        st.info(t("cmp.no_units"))
        return
    level_view(unit_id, period, lang, scores, in_period, levels)


@st.fragment
def level_view(unit_id: str, period: str, lang: str, scores: pd.DataFrame, in_period: pd.DataFrame,
               levels: list[str]) -> None:
    """The ranking and the heatmap of one level: the level picker redraws only this part."""
    mine = scores.loc[scores["unit_id"] == unit_id, "unit_level"]
    if st.session_state.get("cmp_level") not in levels:
        st.session_state["cmp_level"] = mine.iloc[0] if len(mine) and mine.iloc[0] in levels else levels[0]
    level = st.radio(t("cmp.level"), levels, key="cmp_level", horizontal=True, format_func=level_label)
    peers = in_period[in_period["unit_level"] == level]
    st.caption(t("cmp.units", n=peers["unit_id"].nunique()))

    with section(t("cmp.ranking"), t("cmp.ranking_caption")):
        ranks = data.rankings("total", lang)
        r = ranks[(ranks["period"] == period) & (ranks["unit_level"] == level)].copy()
        if r.empty:
            st.info(t("cmp.no_units"))
        else:
            grades = peers[peers["component"] == "total"].set_index("unit_id")["grade"]
            r["grade"] = r["unit_id"].map(grades)
            r["selected"] = r["unit_id"] == unit_id
            chart_and_table(charts.peer_bars(r, unit_id, lang), r, RANK_COLS, lang, key=f"ranking-{level}-{period}",
                            title=f"{t('cmp.ranking')} — {level_label(level)} — {period_label(period, lang)}")

    with section(t("cmp.heatmap"), t("cmp.heatmap_caption")):
        comps = [c for c in component_order() if c != "total"]
        d = load_definition()
        parts = peers[peers["component"].isin(comps)]
        if parts.empty:
            st.info(t("cmp.no_units"))
            return
        totals = peers[peers["component"] == "total"].set_index("unit")["score_points"]
        matrix = parts.pivot_table(index="unit", columns="component", values="score_points", aggfunc="first")
        matrix = matrix.reindex(columns=comps)
        matrix = matrix.loc[totals.reindex(matrix.index).sort_values(ascending=False, na_position="last").index]
        maxima = pd.Series({c: d.common_max(c) for c in comps})
        share = (100 * matrix / maxima).round(1)
        labels = [d.common_label(c, lang) for c in comps]
        ill = parts.groupby("unit")["illustrative"].any()
        fig = charts.heatmap(matrix.set_axis(labels, axis=1), share.set_axis(labels, axis=1), ill, lang)
        wide = matrix.set_axis(labels, axis=1).reset_index()
        wide["illustrative"] = wide["unit"].map(ill).fillna(False)
        cols = [Col("unit", "col.unit")] + [Col(lbl, lbl, "points") for lbl in labels] + \
            [Col("illustrative", "col.illustrative", "flag")]
        chart_and_table(fig, wide, cols, lang, key=f"heatmap-{level}-{period}",
                        title=f"{t('cmp.heatmap')} — {level_label(level)} — {period_label(period, lang)}")


render()
