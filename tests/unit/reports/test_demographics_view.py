"""The Workforce profile's charts: laid out so that nothing covers anything else."""

from __future__ import annotations

import polars as pl

from pswbench.reports import demographics_view as view


def _frame() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "dimension": ["ethnic_group"] * 3,
            "category": ["white", "black", "not_stated"],
            "category_label": ["White", "Black, Black British, Caribbean or African", "Not stated"],
            "share_of_stated": [0.8, 0.2, None],
        }
    )


def test_a_two_series_chart_keeps_its_legend_below_the_axis_title_in_pixels():
    fig = view.ethnic_chart(_frame(), "England")
    legend = fig.layout.legend
    # At the foot of the figure (not a share of the plot, which crept over the axis title on short charts)
    assert (legend.yref, legend.y, legend.yanchor) == ("container", 0, "bottom")
    alone = view.shares_chart(_frame(), "ethnic_group", "England")
    assert fig.layout.margin.b > alone.layout.margin.b  # room made for the legend, only where there is one
    # Each bar is at least as tall as its 14 px label's line (about 18 px), so a label past the end of a
    # short bar never sits over the longer hatched bar beside it (the browser's SVG contrast check found
    # that when the plot was squeezed). bargap is plotly's default, 0.2.
    for chart, bars in ((fig, 2 * 2), (alone, 2)):  # two categories drawn (not stated is left out)
        plot = chart.layout.height - chart.layout.margin.t - chart.layout.margin.b
        assert plot / bars * (1 - 0.2) * (1 - (chart.layout.bargroupgap or 0)) >= 18
