"""The charts' text is readable (WCAG 2.2 AA contrast) and never drawn over the data, checked on the
figures' JSON; tests/e2e/test_accessibility.py checks the drawn charts in Chromium."""

from __future__ import annotations

import re

import plotly.graph_objects as go
import plotly.io as pio
import polars as pl

from pswbench.app import ui
from pswbench.reports import charts
from pswbench.reports.definitions import BY_NAME


def contrast(a: str, b: str = "#FFFFFF") -> float:
    def lum(colour: str) -> float:
        if colour.startswith("rgb"):
            rgb = [int(v) / 255 for v in re.findall(r"\d+", colour)[:3]]
        else:
            rgb = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
        lin = [v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4 for v in rgb]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def ranked():
    df = pl.DataFrame(
        {
            "trust_code": [f"T{i:02d}" for i in range(30)],
            "label": [f"Peer {i:02d}" for i in range(30)],
            "headcount": [float(i * 4) for i in range(30)],
        }
    )
    stats = {"median": 58.0, "q1": 28.0, "q3": 88.0}
    return charts.ranked_bar(df, "headcount", "T20", stats, title="PSW headcount, ranked")


def regions():
    pooled = pl.DataFrame({"region_name": ["London", "Midlands", "North West"], "headcount": [337.0, 278.0, None]})
    return charts.region_bars(pooled, "headcount", title="PSW headcount by region")


def test_every_chart_text_in_the_template_is_dark_enough_on_white():
    fig = ranked()
    full = fig.layout.template.layout
    assert fig.layout.template == pio.templates[charts.TEMPLATE]
    colours = {
        "font": full.font.color,
        "title": full.title.font.color,
        "legend": full.legend.font.color,
        "x ticks": full.xaxis.tickfont.color,
        "y ticks": full.yaxis.tickfont.color,
        "x title": full.xaxis.title.font.color,
        "y title": full.yaxis.title.font.color,
        "annotations": full.annotationdefaults.font.color,
        "house font": fig.layout.font.color,
    }
    for what, colour in colours.items():
        assert colour is not None, f"{what} has no colour of its own"
        assert contrast(colour) >= 4.5, f"{what} {colour}: {contrast(colour):.2f}:1 on white"


def test_ranked_bar_writes_nothing_over_the_bars():
    fig = ranked()
    tallest = max(fig.data[0].y)
    top = fig.layout.yaxis.range[1]
    # The median and the quartile band are named in the legend, not written on the chart.
    names = [s.name for s in fig.layout.shapes if s.showlegend]
    assert names == ["Middle half of trusts, Q1 to Q3 (shaded band)", "Median 58 (dashed line)"]
    assert fig.layout.showlegend is True
    assert not [s for s in fig.layout.shapes if s.label and s.label.text]
    # The one annotation, the chosen trust, sits above the tallest bar on a white box inside the axis range.
    (note,) = fig.layout.annotations
    assert note.text == "Peer 20: 80"
    assert note.ayref == "y" and tallest < note.ay < top
    assert note.yanchor == "bottom" and note.bgcolor == "#FFFFFF"
    assert contrast(note.font.color) >= 4.5
    # Right of the middle, the label reaches left, into the chart, from the arrow.
    assert note.xanchor == "right"


def test_ranked_bar_label_of_a_trust_on_the_left_reaches_right():
    df = pl.DataFrame(
        {"trust_code": ["A", "B", "C"], "label": ["Peer 1", "Peer 2", "Peer 3"], "headcount": [1.0, 2, 3]}
    )
    fig = charts.ranked_bar(df, "headcount", "A", {"median": 2.0, "q1": 1.5, "q3": 2.5})
    (note,) = fig.layout.annotations
    assert note.text == "Peer 1: 1" and note.xanchor == "left"


def test_region_bars_labels_sit_above_the_bars_in_dark_text():
    fig = regions()
    bar = fig.data[0]
    assert bar.textposition == "outside" and bar.constraintext == "none" and bar.cliponaxis is False
    assert contrast(bar.outsidetextfont.color) >= 4.5
    # Room above the tallest bar for its label.
    assert fig.layout.yaxis.range[1] >= 337 * 1.1


def test_sparklines_have_no_mode_bar_and_full_charts_keep_it():
    spark = charts.sparkline([0.1, 0.2, None, 0.15], BY_NAME["vacancy_rate"])
    assert ui.plotly_config(spark) == {"displaylogo": False, "displayModeBar": False}
    assert spark.layout.dragmode is False
    assert ui.plotly_config(ranked()) == {"displaylogo": False}
    assert ui.plotly_config(go.Figure(layout={"height": 450})) == {"displaylogo": False}


def test_funnel_labels_outliers_on_the_chart_and_names_the_chosen_trust_in_the_legend():
    import polars as pl

    from pswbench.statistics import funnel as funnel_stats

    rates = [0.05] * 10 + [0.051, 0.049] * 5 + [0.40]
    rows = pl.DataFrame(
        {
            "trust_code": [f"T{i:02d}" for i in range(20)] + ["HIGH"],
            "label": [f"Peer {i:02d}" for i in range(20)] + ["Peer 99"],
            "vacancy_rate": rates,
            "establishment_wte": [4000.0] * 21,
        }
    )
    fit, assessed = funnel_stats.assess(rows, "vacancy_rate", "establishment_wte")
    fig = charts.funnel(fit, assessed, "vacancy_rate", "T03", "t")
    by_name = {t.name: t for t in fig.data}
    above = by_name["Trust above the 99.8% limit"]
    assert list(above.text) == ["Peer 99"] and above.marker.symbol == "triangle-up"
    assert by_name["Trust within the 99.8% limits"].text is None
    chosen = by_name["Chosen trust: Peer 03"]
    assert chosen.text is None and chosen.marker.symbol == "star"
    assert not fig.layout.annotations  # the pooled rate is a legend entry, not a label over the limits
    assert any(n.startswith("Pooled rate of the trusts shown") for n in by_name)
