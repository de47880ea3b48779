"""Tổng quan (Overview) for leadership: the total, the grade and five component tiles, two charts, the findings,
and the meeting brief export."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics import charts
from analytics.analyses.changes import filing_metric_changes
from analytics.dashboard import data, frame
from analytics.dashboard.text import t
from analytics.brief.tiles import history, overview_tiles
from analytics.dashboard.widgets import (Col, chart_and_table, grade_tile, illustrative_badge, present, rate_tile,
                                         safe_text, score_tile, section)

# Below the fold (the forecast, the findings, the memo) and on request (the exports), modules are imported where
# they are used: the tiles and the charts reach the browser first (tests/app/test_start_path.py).

TILE_COLS = [Col("component_label", "col.component"), Col("score_points", "col.score", "points"),
             Col("max_points", "col.max", "points"), Col("gap_to_max_points", "col.gap", "points"),
             Col("change_vs_previous_points", "col.change_prev", "signed"), Col("previous_period", "col.prev_period", "period"),
             Col("change_vs_last_year_points", "col.change_year", "signed"), Col("target_points", "col.target", "points"),
             Col("illustrative", "col.illustrative", "flag"), Col("source", "col.source")]
HISTORY_COLS = [Col("period", "col.period", "period"), Col("score_points", "col.score", "points"), Col("grade", "col.grade"),
                Col("illustrative", "col.illustrative", "flag"), Col("source", "col.source")]
RATE_METRICS = ["online_filing_rate_pct", "digitized_rate_pct", "electronic_result_rate_pct", "on_time_rate_pct"]


def render() -> None:
    if not frame.require_data():
        return
    unit_id, unit, period, lang = frame.selection()
    frame.page_header("ov.title", unit=unit, period=_label(period, lang))
    with st.spinner(t("common.loading")):
        scores = data.scores(lang)
        try:
            changes = data.changes(lang)
        except Exception:
            changes = None
        try:
            gaps = data.gaps(period, unit_id, lang)
        except Exception:
            gaps = None
    tiles = overview_tiles(scores, changes, gaps, unit_id, period, lang)
    if tiles.empty:
        st.info(t("nodb.no_unit_data"))
        return
    if tiles["illustrative"].any():
        st.warning(t("ov.illustrative_warning"), icon=":material/science:")

    total = tiles[tiles["component"] == "total"]
    parts = tiles[tiles["component"] != "total"]
    # the first row holds what leadership asks first: the total, the grade, and the two components that lose most
    by_gap = parts.assign(_gap=parts["gap_to_max_points"].astype("Float64").fillna(-1)).sort_values(
        "_gap", ascending=False, kind="stable").drop(columns="_gap")
    top = st.columns([1.2, 1.25, 1, 1])
    if len(total):
        with top[0]:
            score_tile(total.iloc[0].to_dict(), lang)
        with top[1]:
            outlook = _outlook(unit_id, unit, period, lang)
            grade_tile(total.iloc[0].to_dict(), outlook, lang)
    rows = by_gap.to_dict("records")
    for slot, row in zip(top[2:], rows[:2]):
        with slot:
            score_tile(row, lang)
    rest = st.columns(4)
    for slot, row in zip(rest, rows[2:]):
        with slot:
            score_tile(row, lang)
    with rest[3]:
        _export_block(unit_id, unit, period, lang, tiles)

    left, right = st.columns([1, 1])
    with left:
        with section(t("ov.components_chart"), t("ov.components_caption")):
            fig = charts.components_vs_max(parts, lang)
            chart_and_table(fig, tiles, TILE_COLS, lang, key=f"overview-components-{period}", lazy_table=True,
                            title=f"{t('ov.components_chart')} — {unit} — {_label(period, lang)}")
    with right:
        with section(t("ov.history_chart"), t("ov.history_caption")):
            h = history(scores, unit_id, "total", same_kind_as=period)
            target = total.iloc[0]["target_points"] if len(total) else None
            target_ill = bool(total.iloc[0].get("target_illustrative")) if len(total) and present(target) else False
            fig = charts.score_over_time(h, lang, target=target, selected=period, target_illustrative=target_ill)
            chart_and_table(fig, h, HISTORY_COLS, lang, key="overview-history", lazy_table=True,
                            title=f"{t('ov.history_chart')} — {unit}")

    with section(t("tile.rates_title"), t("tile.rates_caption")):
        rates = data.shown(filing_metric_changes, lang=lang)
        r = rates[(rates["unit_id"] == unit_id) & (rates["period"] == period) & (rates["count_source"] == "portal")]
        r = r.set_index("metric").reindex([m for m in RATE_METRICS if m in set(r["metric"])]).reset_index()
        if r.empty:
            st.caption(t("common.no_rows"))
        else:
            cols = st.columns(len(r))
            for slot, rec in zip(cols, r.to_dict("records")):
                with slot:
                    rate_tile(rec, lang)

    from analytics.dashboard.forecast import forecast_tile

    forecast_tile(unit_id, period, lang)  # only when dossier lists cover the period

    from analytics.brief.findings import meeting_brief

    with section(t("ov.brief")):
        findings = data.call(meeting_brief, period, unit_id, lang=lang)
        if not findings:
            st.caption(t("ov.brief_empty"))
        for f in findings:
            cols = st.columns([12, 1.4])
            cols[0].markdown("- " + safe_text(f.text))
            if getattr(f, "illustrative", False):
                with cols[1]:
                    illustrative_badge()

    from analytics.dashboard import memo_panel

    memo_panel.render(unit_id, period, lang)


def _outlook(unit_id: str, unit: str, period: str, lang: str) -> pd.DataFrame | None:
    try:
        o = data.outlook(period, unit_id, lang)
    except Exception:
        return None
    return o[(o["unit_id"] == unit_id) & (o["period"] == period)]


def _export_block(unit_id: str, unit: str, period: str, lang: str, tiles: pd.DataFrame) -> None:
    from analytics.analyses.inventory import data_date, source_files
    from analytics.brief import export
    from analytics.brief.findings import meeting_brief

    with st.container(border=True):
        st.markdown(f"**{t('ov.export')}**")
        st.caption(t("ov.export_caption"))

        def brief() -> export.BriefData:
            try:
                found = data.call(meeting_brief, period, unit_id, lang=lang)
            except Exception:
                found = []
            findings = [export.Finding(f.text, bool(getattr(f, "illustrative", False))) for f in found]
            return export.BriefData(unit=unit, unit_id=unit_id, period=period, period_label=_label(period, lang),
                                    lang=lang, tiles=tiles, findings=findings,
                                    sources=data.call(source_files, unit_id, period), data_date=data.call(data_date))

        stem = f"bao-cao-hop-{unit_id.replace(' ', '-')}-{period}"
        st.download_button(t("ov.export_xlsx"), data=lambda: export.brief_workbook(brief()), file_name=f"{stem}.xlsx",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                           key="brief_xlsx", on_click="ignore", icon=":material/download:", width="stretch")
        # the image needs Chromium (a few seconds): made on request, then offered for download
        key = f"onepager-{unit_id}-{period}-{lang}-{data.version()}"
        if st.button(t("ov.export_prepare"), key="brief_png_prepare", icon=":material/image:", width="stretch"):
            try:
                with st.spinner(t("common.loading")):
                    b = brief()
                    st.session_state["_onepager"] = (key, export.one_pager(b, "png"), export.one_pager(b, "pdf"))
            except export.ExportError as exc:
                st.session_state.pop("_onepager", None)
                st.warning(t("ov.export_failed", error=str(exc)), icon=":material/error:")
        made = st.session_state.get("_onepager")
        if made and made[0] == key:
            st.download_button(t("ov.export_png"), data=made[1], file_name=f"{stem}.png", mime="image/png",
                               key="brief_png", on_click="ignore", width="stretch")
            st.download_button(t("ov.export_pdf"), data=made[2], file_name=f"{stem}.pdf", mime="application/pdf",
                               key="brief_pdf", on_click="ignore", width="stretch")


def _label(period: str, lang: str) -> str:
    from analytics.periods import period_label

    return period_label(period, lang) if period else ""


render()
