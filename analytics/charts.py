"""Plotly figures for the dashboard and the meeting one-pager (plain Python, no streamlit).

Every figure marks illustrative values (hollow markers, hatched bars, "minh họa" in the hover text) and
formats its numbers the Vietnamese way (decimal comma) when the language is Vietnamese.
"""

from __future__ import annotations

import html
import math

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from analytics.i18n import translate as tr
from analytics.definition import load_definition
from analytics.formatting import fmt_count, fmt_number, fmt_pct, fmt_points

PRIMARY = "#0B5CAD"
PRIMARY_LIGHT = "#8DB6E3"
GREY = "#E3E7EC"
RED = "#C0392B"
GREEN = "#1E8449"
ORANGE = "#D68910"
TEXT = "#1F2933"
GRADE_COLORS = {"excellent": "#1E8449", "good": "#7DCEA0", "fair": "#F7DC6F", "average": "#F5B041", "weak": "#EC7063"}
FONT = "Inter, 'Segoe UI', 'Noto Sans', Roboto, Arial, sans-serif"


# The house template: set as the default, each figure takes it when created, unvalidated (passing template= per
# figure validates a copy of it: ~10–20 ms a chart, most of a page's redraw).
HOUSE_TEMPLATE = "plotly_white"
pio.templates.default = HOUSE_TEMPLATE


def _figure(*args, **kwargs) -> go.Figure:
    """A figure on the house template, the default set again when something replaced it (importing Streamlit's
    chart element after this module sets Streamlit's own)."""
    if pio.templates.default != HOUSE_TEMPLATE:
        pio.templates.default = HOUSE_TEMPLATE
    return go.Figure(*args, **kwargs)


def _missing(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or (not isinstance(v, str) and pd.isna(v))


def style(fig: go.Figure, lang: str, height: int = 360, legend: bool = True) -> go.Figure:
    """The house style: white, readable font, Vietnamese separators, legend under the plot."""
    fig.update_layout(
        height=height, separators=".," if lang == "en" else ",.",
        font=dict(family=FONT, size=13, color=TEXT), margin=dict(l=10, r=20, t=30, b=10),
        showlegend=legend, legend=dict(orientation="h", yanchor="bottom", y=1.01, xanchor="left", x=0),
        hoverlabel=dict(font=dict(family=FONT, size=13)),
    )
    return fig


def _illustrative_suffix(flag, lang: str) -> str:
    return f" ({tr('chart.hover_illustrative', lang)})" if bool(flag) else ""


def components_vs_max(tiles: pd.DataFrame, lang: str = "vi", height: int = 330,
                      missing_text: str = "tile.unknown") -> go.Figure:
    """Horizontal bars: each component's score over its maximum, with its target as a diamond.

    ``tiles``: component_label, score_points, max_points, target_points, illustrative (the five components).
    """
    df = tiles.iloc[::-1].reset_index(drop=True)  # first component at the top
    labels = df["component_label"].tolist()
    fig = _figure()
    fig.add_bar(y=labels, x=df["max_points"], orientation="h", name=tr("chart.max", lang), marker_color=GREY,
                hovertemplate="%{y}: " + tr("chart.max", lang) + " %{customdata}<extra></extra>",
                customdata=[fmt_points(v, lang) for v in df["max_points"]])
    ill = df["illustrative"].fillna(False).astype(bool)
    for flag, name, color, pattern in ((False, tr("chart.score", lang), PRIMARY, ""),
                                       (True, tr("chart.score_illustrative", lang), PRIMARY_LIGHT, "/")):
        part = df[ill == flag]
        if part.empty:
            continue
        text = [f"{fmt_points(s, lang)} / {fmt_points(m, lang)}" if not _missing(s) else tr(missing_text, lang)
                for s, m in zip(part["score_points"], part["max_points"])]
        fig.add_bar(y=part["component_label"], x=part["score_points"].fillna(0), orientation="h", name=name,
                    marker=dict(color=color, pattern=dict(shape=pattern, fgcolor="#FFFFFF", size=6)),
                    text=text, textposition="outside", cliponaxis=False, width=0.55,
                    hovertemplate="%{y}: %{text}" + (_illustrative_suffix(flag, lang)) + "<extra></extra>")
    targets = df[df["target_points"].notna()] if "target_points" in df else df.iloc[0:0]
    if not targets.empty:
        fig.add_scatter(
            y=targets["component_label"], x=targets["target_points"].astype(float), mode="markers",
            name=tr("chart.target", lang), marker=dict(symbol="diamond", size=13, color=ORANGE, line=dict(color="#7E5109", width=1)),
            customdata=[fmt_points(v, lang) + _illustrative_suffix(i, lang)
                        for v, i in zip(targets["target_points"], targets.get("target_illustrative", [False] * len(targets)))],
            hovertemplate="%{y}: " + tr("chart.target", lang) + " %{customdata}<extra></extra>")
    fig.update_layout(barmode="overlay", bargap=0.35)
    fig.update_xaxes(range=[0, max(24.0, float(df["max_points"].max() or 0) * 1.15)])
    fig.update_yaxes(automargin=True)
    return style(fig, lang, height)


def grade_bands(fig: go.Figure, lang: str, y_min: float = 0.0) -> None:
    """Shade the grade bands (cut-offs from the index definition) behind a 0–100 score axis."""
    grades = sorted(load_definition().grades, key=lambda g: g.min_points)
    for i, g in enumerate(grades):
        upper = grades[i + 1].min_points if i + 1 < len(grades) else 100
        if upper <= y_min:
            continue
        lower = max(g.min_points, y_min)
        fig.add_hrect(y0=lower, y1=upper, fillcolor=GRADE_COLORS.get(g.key, GREY), opacity=0.18, line_width=0, layer="below")
        fig.add_annotation(xref="paper", x=0.005, xanchor="left", y=(lower + upper) / 2, yref="y", text=g.label(lang),
                           showarrow=False, font=dict(size=11, color="#4A5560"))


def score_over_time(history: pd.DataFrame, lang: str = "vi", *, max_points: float = 100, bands: bool = True,
                    target: float | None = None, height: int = 340, name: str | None = None,
                    selected: str | None = None, target_illustrative: bool = False) -> go.Figure:
    """A score over periods (in period order): published points filled, illustrative points hollow (each with its
    legend entry), grade bands behind a total, the maximum as a dashed line otherwise.

    One tick per period with a short label ("Q2" with the year under the first quarter of each year), readable at
    1280 px; the points' values are written only on the last period and on ``selected`` (the rest on hover), so
    no two labels collide. ``history``: period, period_label, score_points, illustrative (sorted by period).
    """
    df = history.reset_index(drop=True).copy()
    keys = df["period"].tolist() if "period" in df else df["period_label"].tolist()
    x = list(range(len(df)))
    fig = _figure()
    known = df["score_points"].dropna()
    if bands:
        low = 0.0 if known.empty else max(0.0, math.floor((known.min() - 8) / 10) * 10)
        grade_bands(fig, lang, low)
        y_range = [low, 100]
    else:
        y_range = [0, max_points * 1.1]
        fig.add_hline(y=max_points, line_dash="dash", line_color="#7B8794",
                      annotation_text=f"{tr('chart.max', lang)} {fmt_points(max_points, lang)}", annotation_position="top left")
    fig.add_scatter(x=x, y=df["score_points"], mode="lines", line=dict(color=PRIMARY, width=2.5), showlegend=False,
                    connectgaps=False, hoverinfo="skip")
    hover = [str(lbl).replace("<br>", " ") for lbl in df["period_label"]]
    ill = df["illustrative"].fillna(False).astype(bool)
    for flag, label, marker in ((False, tr("chart.published", lang), dict(size=11, color=PRIMARY, line=dict(color=PRIMARY, width=2))),
                                (True, tr("chart.illustrative", lang), dict(size=11, color="#FFFFFF", symbol="circle",
                                                                            line=dict(color=PRIMARY, width=2.5)))):
        part = df[(ill == flag) & df["score_points"].notna()]
        if part.empty:
            continue
        fig.add_scatter(x=part.index.tolist(), y=part["score_points"], mode="markers", name=label, marker=marker,
                        showlegend=True, text=[fmt_points(v, lang) for v in part["score_points"]],
                        customdata=[hover[i] for i in part.index],
                        hovertemplate="%{customdata}: %{text}" + _illustrative_suffix(flag, lang) + "<extra></extra>")
    shown = labelled_points(df, selected)
    if shown:
        fig.add_scatter(x=shown, y=[df["score_points"].iloc[i] for i in shown], mode="text", showlegend=False,
                        text=[fmt_points(df["score_points"].iloc[i], lang) + (" *" if ill.iloc[i] else "") for i in shown],
                        textposition="top center", textfont=dict(size=12, color=TEXT), hoverinfo="skip",
                        name="labels")
    if target is not None and not _missing(target):
        fig.add_hline(y=float(target), line_dash="dot", line_color=ORANGE, line_width=2,
                      annotation_text=f"{tr('chart.target', lang)} {fmt_points(target, lang)}", annotation_position="top right",
                      annotation_font_color="#7E5109")
        name = f"{tr('chart.target', lang)} {fmt_points(target, lang)}"
        if target_illustrative:
            name += f" ({tr('chart.illustrative', lang)})"
        fig.add_scatter(x=[None], y=[None], mode="lines", name=name, showlegend=True, hoverinfo="skip",
                        line=dict(color=ORANGE, width=2, dash="dot"))
    fig.update_xaxes(type="linear", tickmode="array", tickvals=x, ticktext=period_ticks(keys, lang), tickangle=0,
                     range=[-0.5, len(x) - 0.5], showgrid=False)
    fig.update_yaxes(range=y_range, title_text=tr("chart.points_axis", lang))
    return style(fig, lang, height)


def labelled_points(history: pd.DataFrame, selected: str | None = None) -> list[int]:
    """The positions whose value is written on a history chart: the last known point and the selected period."""
    known = [i for i, v in enumerate(history["score_points"]) if not _missing(v)]
    if not known:
        return []
    out = {known[-1]}
    if selected is not None and "period" in history:
        out |= {i for i in known if history["period"].iloc[i] == selected}
    return sorted(out)


def period_ticks(keys: list[str], lang: str) -> list[str]:
    """Short tick labels, one per period: "Q2", with the year under the first quarter shown of each year
    ("Q1<br>2024"); a year period is its year."""
    out, last_year = [], None
    for k in keys:
        k = str(k)
        year, _, q = k.partition("Q")
        if q and year.isdigit():
            text = tr("chart.quarter_short", lang, q=q)
            out.append(f"{text}<br>{year}" if year != last_year else text)
            last_year = year
        else:
            out.append(k)
    return out


def peer_bars(rankings: pd.DataFrame, unit_id: str, lang: str = "vi", height: int | None = None) -> go.Figure:
    """Horizontal bars of every peer's score (best at the top), the selected unit highlighted, the median marked.

    ``rankings``: unit, unit_id, score_points, illustrative, peer_median_points.
    """
    df = rankings.dropna(subset=["score_points"]).sort_values("score_points").reset_index(drop=True)
    colors = [PRIMARY if u == unit_id else "#AFC3D8" for u in df["unit_id"]]
    patterns = ["/" if bool(i) else "" for i in df["illustrative"]]
    text = [fmt_points(v, lang) for v in df["score_points"]]
    hover = [fmt_points(v, lang) + _illustrative_suffix(i, lang) for v, i in zip(df["score_points"], df["illustrative"])]
    names = [f"{int(r)}. {esc(u)}" if "rank" in df and not _missing(r) else esc(u)
             for u, r in zip(df["unit"], df["rank"] if "rank" in df else [None] * len(df))]
    fig = _figure(go.Bar(y=names, x=df["score_points"], orientation="h", text=text, textposition="outside",
                           cliponaxis=False, marker=dict(color=colors, pattern=dict(shape=patterns, fgcolor="#FFFFFF", size=5)),
                           customdata=hover, hovertemplate="%{y}: %{customdata}<extra></extra>", showlegend=False))
    if df["illustrative"].fillna(False).astype(bool).any():
        illustrative_note(fig, lang)
    if len(df) and not _missing(df["peer_median_points"].iloc[0]):
        med = float(df["peer_median_points"].iloc[0])
        fig.add_vline(x=med, line_dash="dash", line_color=ORANGE,
                      annotation_text=f"{tr('chart.median', lang)} {fmt_points(med, lang)}", annotation_position="top")
    top = float(df["score_points"].max()) if len(df) else 1
    fig.update_xaxes(range=[0, top * 1.25], title_text=tr("chart.points_axis", lang))
    fig.update_yaxes(automargin=True)
    return style(fig, lang, height or max(260, 26 * len(df) + 80), legend=False)


def heatmap(matrix: pd.DataFrame, share: pd.DataFrame, illustrative: pd.Series, lang: str = "vi") -> go.Figure:
    """Units × components: colour = share of the component's maximum, text = the score.

    ``matrix`` (scores) and ``share`` (0–100) share their index (unit names) and columns (component labels).
    """
    text = [[fmt_points(v, lang) for v in row] for row in matrix.to_numpy()]
    units = [esc(u) + (f" ({tr('chart.hover_illustrative', lang)})" if bool(illustrative.get(u, False)) else "") for u in matrix.index]
    fig = _figure(go.Heatmap(
        z=share.to_numpy(), x=list(matrix.columns), y=units, text=text, texttemplate="%{text}",
        colorscale=[[0, "#C0392B"], [0.5, "#F7DC6F"], [1, "#1E8449"]], zmin=0, zmax=100,
        colorbar=dict(title=dict(text=tr("chart.pct_of_max", lang)), ticksuffix=" %"),
        hovertemplate="%{y}<br>%{x}: %{text} (%{z:.0f} %)<extra></extra>", xgap=2, ygap=2))
    fig.update_yaxes(autorange="reversed", automargin=True)
    fig.update_xaxes(side="top")
    return style(fig, lang, max(300, 28 * len(units) + 120), legend=False)


def pareto(df: pd.DataFrame, lang: str = "vi", top: int = 15) -> go.Figure:
    """Horizontal Pareto: the shortfall per procedure (largest at the top, the first 80 % dark) and the
    cumulative share on the top axis, with the 80 % line.

    ``df``: procedure_name, shortfall_filings, cumulative_pct, in_first_80_pct, illustrative.
    """
    d = df.sort_values("shortfall_filings", ascending=False).head(top).reset_index(drop=True)
    names = [_short(n, 60) for n in d["procedure_name"]]
    first = d["in_first_80_pct"] if "in_first_80_pct" in d else pd.Series(True, index=d.index)
    ill = d["illustrative"] if "illustrative" in d else pd.Series(False, index=d.index)
    fig = _figure()
    fig.add_bar(y=names, x=d["shortfall_filings"], orientation="h",
                name=tr("chart.shortfall", lang) + _illustrative_suffix(bool(ill.any()), lang),
                marker=dict(color=[PRIMARY if bool(f) else "#AFC3D8" for f in first],
                            pattern=dict(shape=["/" if bool(i) else "" for i in ill], fgcolor="#FFFFFF", size=5)),
                text=[fmt_count(v, lang) for v in d["shortfall_filings"]], textposition="outside", cliponaxis=False,
                customdata=[esc(n) + _illustrative_suffix(i, lang) for n, i in zip(d["procedure_name"], ill)],
                hovertemplate="%{customdata}<br>" + tr("chart.shortfall", lang) + ": %{text}<extra></extra>")
    fig.add_scatter(y=names, x=d["cumulative_pct"], xaxis="x2", mode="lines+markers", name=tr("chart.cumulative", lang),
                    line=dict(color=ORANGE, width=2), customdata=[fmt_pct(v, lang, 1) for v in d["cumulative_pct"]],
                    hovertemplate="%{y}: %{customdata}<extra></extra>")
    top_x = float(d["shortfall_filings"].max() or 1)
    fig.update_layout(
        xaxis=dict(title=dict(text=tr("chart.filings_axis", lang)), range=[0, top_x * 1.15]),
        xaxis2=dict(overlaying="x", side="top", range=[0, 105], tickvals=[0, 20, 40, 60, 80, 100], ticksuffix=" %",
                    showgrid=False))
    fig.add_vline(x=80, line_dash="dot", line_color=ORANGE, xref="x2")
    fig.update_yaxes(autorange="reversed", automargin=True)
    fig = style(fig, lang, max(300, 30 * len(d) + 130))
    fig.update_layout(legend=dict(orientation="h", yanchor="top", y=-0.08, xanchor="left", x=0))
    return fig


def simple_bars(labels, values, lang: str = "vi", *, axis: str = "", color=PRIMARY, fmt=None, height: int | None = None,
                illustrative=None) -> go.Figure:
    """Horizontal bars (largest at the top) with formatted value labels."""
    fmt = fmt or (lambda v: fmt_number(v, 2, lang))
    labels, values = list(labels), list(values)
    ill = list(illustrative) if illustrative is not None else [False] * len(values)
    order = sorted(range(len(values)), key=lambda i: (values[i] if not _missing(values[i]) else -1e18))
    fig = _figure(go.Bar(
        y=[_short(labels[i], 60) for i in order], x=[values[i] for i in order], orientation="h",
        text=[fmt(values[i]) + _illustrative_suffix(ill[i], lang) for i in order], textposition="outside", cliponaxis=False,
        marker=dict(color=color, pattern=dict(shape=["/" if ill[i] else "" for i in order], fgcolor="#FFFFFF", size=5)),
        hovertemplate="%{y}: %{text}<extra></extra>", showlegend=False))
    top = max([v for v in values if not _missing(v)] or [1])
    fig.update_xaxes(title_text=axis, range=[0, float(top) * 1.4])
    fig.update_yaxes(automargin=True)
    return style(fig, lang, height or max(240, 30 * len(values) + 80), legend=False)


def subindicator_bars(df: pd.DataFrame, lang: str = "vi") -> go.Figure:
    """Each sub-indicator's points over its maximum (``label``, ``points``, ``max_points``, ``illustrative``)."""
    points = df["points"]
    if "points_recomputed" in df:
        points = points.fillna(df["points_recomputed"])
    tiles = pd.DataFrame({"component_label": [_short(v, 60) for v in df["label"]], "score_points": points,
                          "max_points": df["max_points"], "target_points": pd.NA,
                          "illustrative": df.get("illustrative", False)})
    fig = components_vs_max(tiles, lang, height=max(240, 48 * len(df) + 80), missing_text="chart.no_data")
    fig.update_xaxes(range=[0, max(7.0, float(df["max_points"].max() or 0) * 1.3)])
    return fig


def mix_rate(df: pd.DataFrame, lang: str = "vi", top: int = 12, illustrative: bool = False) -> go.Figure:
    """Horizontal grouped bars of the mix and rate effects (percentage points) for the procedures that moved most.

    ``df``: procedure_name, mix_effect_pp, rate_effect_pp (without the total row).
    """
    d = df.assign(_abs=(df["mix_effect_pp"].abs() + df["rate_effect_pp"].abs())).sort_values("_abs", ascending=False).head(top)
    names = [_short(n, 60) for n in d["procedure_name"]]
    fig = _figure()
    for col, key, color in (("mix_effect_pp", "chart.mix", "#AFC3D8"), ("rate_effect_pp", "chart.rate", PRIMARY)):
        fig.add_bar(y=names, x=d[col], orientation="h", name=tr(key, lang) + _illustrative_suffix(illustrative, lang),
                    marker=dict(color=color, pattern=dict(shape="/" if illustrative else "", fgcolor="#FFFFFF", size=5)),
                    customdata=[fmt_number(v, 2, lang, signed=True) for v in d[col]],
                    hovertemplate="%{y}: %{customdata}<extra></extra>")
    fig.update_layout(barmode="group")
    fig.update_xaxes(title_text=tr("chart.effect_axis", lang), zeroline=True, zerolinecolor="#7B8794", zerolinewidth=2)
    fig.update_yaxes(autorange="reversed", automargin=True)
    return style(fig, lang, max(300, 44 * len(d) + 110))


def own_vs_portal(df: pd.DataFrame, lang: str = "vi", top: int = 12, illustrative: bool = False) -> go.Figure:
    """Horizontal paired bars of own and portal counts for the procedures that differ most."""
    d = df.reindex(df["difference_count"].abs().sort_values(ascending=False).index).head(top)
    names = [_short(n, 60) for n in d["procedure_name"]]
    fig = _figure()
    for col, key, color in (("own_count", "chart.own", "#AFC3D8"), ("portal_count", "chart.portal", PRIMARY)):
        fig.add_bar(y=names, x=d[col], orientation="h", name=tr(key, lang) + _illustrative_suffix(illustrative, lang),
                    marker=dict(color=color, pattern=dict(shape="/" if illustrative else "", fgcolor="#FFFFFF", size=5)),
                    text=[fmt_count(v, lang) for v in d[col]], textposition="outside", cliponaxis=False,
                    hovertemplate="%{y}: %{text}<extra></extra>")
    fig.update_layout(barmode="group")
    top_x = float(pd.concat([d["own_count"], d["portal_count"]]).max() or 1)
    fig.update_xaxes(title_text=tr("chart.filings_axis", lang), range=[0, top_x * 1.2])
    fig.update_yaxes(autorange="reversed", automargin=True)
    return style(fig, lang, max(260, 50 * len(d) + 110))


def target_margins(df: pd.DataFrame, lang: str = "vi") -> go.Figure:
    """Bars of each measured target's margin (positive met, negative missed)."""
    d = df.dropna(subset=["margin"]).reset_index(drop=True)
    labels = [_short(m, 56) + (f" ({esc(s)})" if isinstance(s, str) and s else "") for m, s in zip(d["label"], d["source_label"])]
    colors = [GREEN if v >= 0 else RED for v in d["margin"]]
    # the value alone beside its bar (a longer label would run into the target names); hatching marks illustrative
    # bars, said in a note under the plot and on hover
    text = [fmt_number(v, 2, lang, signed=True) for v in d["margin"]]
    hover = [f"{v}{_illustrative_suffix(i, lang)}" for v, i in zip(text, d["illustrative"])]
    fig = _figure(go.Bar(y=labels, x=d["margin"], orientation="h", marker=dict(
        color=colors, pattern=dict(shape=["/" if bool(i) else "" for i in d["illustrative"]], fgcolor="#FFFFFF", size=5)),
        text=text, textposition="outside", cliponaxis=False, customdata=hover,
        hovertemplate="%{y}: %{customdata}<extra></extra>"))
    if d["illustrative"].fillna(False).astype(bool).any():
        illustrative_note(fig, lang)
    fig.add_vline(x=0, line_color="#7B8794")
    span = float(d["margin"].abs().max()) if len(d) else 1.0
    fig.update_xaxes(range=[-span * 1.8, span * 1.8])
    fig.update_yaxes(automargin=True, autorange="reversed")
    return style(fig, lang, max(240, 34 * len(d) + 80), legend=False)


def illustrative_note(fig: go.Figure, lang: str) -> None:
    """A line under the plot saying that hatched bars are illustrative."""
    fig.add_annotation(xref="paper", yref="paper", x=1, y=0, xanchor="right", yanchor="top", showarrow=False,
                       text=tr("chart.hatched_illustrative", lang), font=dict(size=11, color="#9A7D0A"), yshift=-24)


def tick_label(label: str) -> str:
    """A period label split over two lines for an axis ("Quý II/2024" → "Quý II<br>2024")."""
    head, sep, year = str(label).rpartition("/")
    return f"{head}<br>{year}" if sep else str(label)


def esc(text) -> str:
    """Data text for a chart label: Plotly reads a few HTML tags in labels, so < > & are escaped."""
    return html.escape(str(text), quote=False)


def _short(text, n: int = 42) -> str:
    s = str(text)
    return esc(s if len(s) <= n else s[: n - 1].rstrip() + "…")
