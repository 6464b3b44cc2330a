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
    assert fig.layout.height - fig.layout.margin.b == alone.layout.height - alone.layout.margin.b
