"""The history chart read as a figure: one tick per period, a visible legend mark for illustrative points and
the target, and value labels that cannot collide."""

from __future__ import annotations

import pandas as pd

from analytics import charts
from analytics.periods import period_label

PERIODS = ["2023Q1", "2023Q2", "2023Q3", "2023Q4", "2024Q1", "2024Q2", "2024Q3", "2024Q4", "2025Q1"]
POINTS = [61.2, 62.0, 62.9, 63.1, None, 63.48, 63.8, 63.34, 64.1]


def history(illustrative=(True, True, True, True, False, False, True, True, True)) -> pd.DataFrame:
    return pd.DataFrame({"period": PERIODS, "period_label": [period_label(p) for p in PERIODS],
                         "score_points": POINTS, "illustrative": list(illustrative)})


def test_one_tick_per_period_with_short_labels():
    fig = charts.score_over_time(history(), "vi", target=70)
    axis = fig.layout.xaxis
    assert list(axis.tickvals) == list(range(len(PERIODS)))
    assert list(axis.ticktext) == ["Q1<br>2023", "Q2", "Q3", "Q4", "Q1<br>2024", "Q2", "Q3", "Q4", "Q1<br>2025"]
    # the longest tick line is 4 characters: at 1280 px (a half-width chart of ~560 px) 9 ticks get ~60 px each
    assert max(len(part) for text in axis.ticktext for part in text.split("<br>")) == 4


def test_illustrative_points_and_the_target_have_a_visible_legend_mark():
    fig = charts.score_over_time(history(), "vi", target=70, target_illustrative=True)
    legend = {t.name: t for t in fig.data if t.showlegend}
    assert set(legend) == {"Số liệu công bố", "Minh họa", "Mục tiêu 70 (Minh họa)"}
    ill = legend["Minh họa"]
    assert ill.mode == "markers"  # a marker, no "Aa" text sample, in the legend
    assert ill.marker.symbol == "circle" and ill.marker.color == "#FFFFFF"  # hollow: white fill …
    assert ill.marker.line.color == charts.PRIMARY and ill.marker.line.width >= 2  # … with a visible ring
    assert ill.marker.size >= 8
    assert list(ill.x) == [0, 1, 2, 3, 6, 7, 8]
    target = legend["Mục tiêu 70 (Minh họa)"]
    assert target.mode == "lines" and target.line.dash == "dot" and target.line.color == charts.ORANGE


def test_value_labels_do_not_collide():
    """Rule: labels sit on distinct points, and two labels on neighbouring periods differ by at least a tenth of
    the y axis (a label is ~12 px high on a ~250 px plot)."""
    fig = charts.score_over_time(history(), "vi", selected="2024Q2")
    (labels,) = [t for t in fig.data if t.mode == "text"]
    assert list(labels.text) == ["63,48", "64,1 *"]  # the selected period and the last one, "*" illustrative
    assert list(labels.x) == [5, 8]
    span = fig.layout.yaxis.range[1] - fig.layout.yaxis.range[0]
    pts = sorted(zip(labels.x, labels.y))
    for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
        assert x1 - x0 >= 2 or abs(y1 - y0) >= span / 10
    # no other trace writes text on the plot
    assert all(t.mode in ("lines", "markers", "text") for t in fig.data)
    # the selected period being the last: one label
    fig = charts.score_over_time(history(), "vi", selected="2025Q1")
    (labels,) = [t for t in fig.data if t.mode == "text"]
    assert list(labels.text) == ["64,1 *"]


def test_every_chart_carries_the_house_template_and_its_decimal_comma():
    """The template comes from the default set in charts (not a per-figure copy): white plot, grey grid."""
    import plotly.io as pio

    fig = charts.score_over_time(history(), "vi", target=70)
    layout = fig.to_plotly_json()["layout"]
    assert layout["template"] == pio.templates["plotly_white"].to_plotly_json()
    assert layout["template"]["layout"]["plot_bgcolor"] == "white"
    assert layout["separators"] == ",."
    assert charts.style(charts.score_over_time(history(), "en"), "en").layout.separators == ".,"


def test_a_chart_keeps_the_house_template_after_streamlit_sets_its_own():
    """Importing Streamlit's chart element makes its template the default; a chart made after that is ours still."""
    import plotly.io as pio

    pio.templates.default = "streamlit" if "streamlit" in pio.templates else "plotly_dark"
    fig = charts.score_over_time(history(), "vi", target=70)
    assert fig.to_plotly_json()["layout"]["template"] == pio.templates["plotly_white"].to_plotly_json()
