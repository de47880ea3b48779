"""Thành phần (Components): one component at a time — its sub-indicators, its history, and the peers."""

from __future__ import annotations

import streamlit as st

from analytics import charts
from analytics.analyses.explain import subindicator_breakdown
from analytics.dashboard import data, frame
from analytics.dashboard.text import t
from analytics.brief.tiles import history
from analytics.dashboard.widgets import (Col, chart_and_table, illustrative_badge, level_label, pick_component, present,
                                         safe_text, section)
from analytics.definition import load_definition
from analytics.formatting import fmt_points
from analytics.periods import period_label

SUB_COLS = [Col("label", "col.subindicator"), Col("code", "col.code", "code"), Col("numerator", "col.numerator", "count"),
            Col("denominator", "col.denominator", "count"), Col("rate_pct", "col.rate", "pct"),
            Col("points", "col.points", "points"), Col("max_points", "col.max", "points"),
            Col("points_at_stake", "col.at_stake", "points"), Col("illustrative", "col.illustrative", "flag"),
            Col("source", "col.source")]
HISTORY_COLS = [Col("period", "col.period", "period"), Col("score_points", "col.score", "points"),
                Col("max_points", "col.max", "points"), Col("illustrative", "col.illustrative", "flag"),
                Col("source", "col.source")]
PEER_COLS = [Col("rank", "col.rank", "int"), Col("unit", "col.unit"), Col("score_points", "col.score", "points"),
             Col("illustrative", "col.illustrative", "flag")]


def render() -> None:
    if not frame.require_data():
        return
    unit_id, unit, period, lang = frame.selection()
    frame.page_header("cp.title", unit=unit, period=period_label(period, lang))
    with st.spinner(t("common.loading")):
        scores = data.scores(lang)
    component_view(unit_id, unit, period, lang, scores)


@st.fragment
def component_view(unit_id: str, unit: str, period: str, lang: str, scores) -> None:
    """The chosen component's tiles, sub-indicators, history and peers: the picker redraws only this part."""
    comp = pick_component("cp_component", scores, unit_id, period, lang, t("cp.pick"))
    row = scores[(scores["unit_id"] == unit_id) & (scores["period"] == period) & (scores["component"] == comp)]
    level = row["unit_level"].iloc[0] if len(row) else None

    cols = st.columns(4)
    if len(row):
        r = row.iloc[0]
        with cols[0].container(border=True):
            value = f"{fmt_points(r['score_points'], lang)} / {fmt_points(r['max_points'], lang)}" \
                if present(r["score_points"]) else t("tile.unknown")
            st.metric(r["component_label"], value)
            if present(r["gap_to_max"]):
                st.caption(t("tile.gap", gap=fmt_points(r["gap_to_max"], lang)) if r["gap_to_max"] > 0 else t("tile.full"))
            if bool(r["illustrative"]):
                illustrative_badge()
    peers = None
    with section():
        ranks = data.rankings(comp, lang)
        peers = ranks[(ranks["period"] == period) & (ranks["unit_level"] == level)]
        me = peers[peers["unit_id"] == unit_id]
        if len(me) and present(me["rank"].iloc[0]):
            m = me.iloc[0]
            with cols[1].container(border=True):
                st.metric(t("cp.rank"), t("common.rank_of", rank=int(m["rank"]), n=int(m["units_ranked"])))
                st.caption(level_label(level))
            with cols[2].container(border=True):
                st.metric(t("cp.median"), fmt_points(m["peer_median_points"], lang))
            with cols[3].container(border=True):
                st.metric(t("cp.best"), fmt_points(m["peer_best_points"], lang))
                st.caption(safe_text(t("cp.best_unit", unit=m["best_unit"])))
            if bool(m["rank_illustrative"]):  # the rank rests on an illustrative score, the unit's or a peer's
                for slot in cols[1:]:
                    with slot:
                        illustrative_badge()

    with section(t("cp.subindicators"), t("cp.subindicators_caption")):
        subs = data.shown(subindicator_breakdown, period=period, unit_id=unit_id, component=comp, lang=lang)
        subs = subs[subs["unit_id"] == unit_id] if "unit_id" in subs else subs
        if subs.empty:
            st.info(t("cp.no_subindicators"), icon=":material/info:")
        else:
            chart_and_table(charts.subindicator_bars(subs, lang), subs, SUB_COLS, lang, key=f"subindicators-{comp}-{period}",
                            title=f"{t('cp.subindicators')} — {unit} — {period_label(period, lang)}")

    left, right = st.columns(2)
    with left:
        with section(t("cp.history"), t("cp.history_caption")):
            h = history(scores, unit_id, comp, same_kind_as=period)
            mx = float(h["max_points"].max()) if len(h) else load_definition().common_max(comp)
            chart_and_table(charts.score_over_time(h, lang, max_points=mx, bands=False, selected=period), h, HISTORY_COLS, lang,
                            key=f"history-{comp}", title=f"{t('cp.history')} — {unit}")
    with right:
        with section(t("cp.peers", period=period_label(period, lang)), t("cp.peers_caption")):
            if peers is None or peers.empty:
                st.caption(t("common.no_rows"))
            else:
                chart_and_table(charts.peer_bars(peers, unit_id, lang), peers, PEER_COLS, lang,
                                key=f"peers-{comp}-{period}", title=t("cp.peers", period=period_label(period, lang)))


render()
