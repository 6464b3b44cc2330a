"""Plotly figures for the pages: NHS Blue highlights, a colour-blind-safe palette, units on every axis,
and never colour alone (highlights are also labelled, outliers also change shape)."""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio
import polars as pl
from plotly.subplots import make_subplots

from pswbench.reports.definitions import BY_NAME, Indicator
from pswbench.statistics import funnel as funnel_stats
from pswbench.statistics import spc as spc_stats

NHS_BLUE = "#005EB8"
GREY = "#AEB7BD"
DARK = "#231F20"
# Okabe-Ito, safe for the common colour-vision deficiencies; NHS Blue takes the first place.
PALETTE = (NHS_BLUE, "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#F0E442")
# NHS dark grey: 7.6:1 on white, for tick labels, axis titles and legends (WCAG 2.2 AA asks 4.5:1 of
# text this size; the grey Streamlit's own chart theme gives them is 3.7:1).
TEXT = "#425563"
TEMPLATE = "pswbench"
# plotly's simple_white with every piece of text dark on white. ui.chart draws figures with Streamlit's
# chart theme off, so this template, not Streamlit's, decides their colours.
pio.templates[TEMPLATE] = go.layout.Template(pio.templates["simple_white"])
pio.templates[TEMPLATE].layout.update(
    font=dict(color=DARK),
    title=dict(font=dict(color=DARK)),
    legend=dict(font=dict(color=DARK)),
    xaxis=dict(tickfont=dict(color=TEXT), title=dict(font=dict(color=DARK)), linecolor=TEXT),
    yaxis=dict(tickfont=dict(color=TEXT), title=dict(font=dict(color=DARK)), linecolor=TEXT),
    annotationdefaults=dict(font=dict(color=DARK)),
    paper_bgcolor="#FFFFFF",
    plot_bgcolor="#FFFFFF",
)
# Type and margins of every full-size chart (sparklines have none).
HOUSE_LAYOUT = dict(font=dict(family="Arial, sans-serif", size=14, color=DARK), margin=dict(l=60, r=20, t=60, b=60))


def figure(*traces, **layout) -> go.Figure:
    """A new figure in the house template. The template is attached as plotly's default, not named
    on the figure: a named template is validated and deep-copied for every figure (about 6 ms each,
    most of a sparkline's cost, paid on every page view), the default one is attached as it is."""
    if pio.templates.default != TEMPLATE:  # importing streamlit sets its own default
        pio.templates.default = TEMPLATE
    return go.Figure(data=list(traces), layout=layout or None)


def axis_title(spec: Indicator) -> str:
    return f"{spec.label} ({spec.unit})"


def _layout(fig: go.Figure, title: str, x: str, y: str, spec: Indicator | None = None) -> go.Figure:
    fig.update_layout(title=title, **HOUSE_LAYOUT, legend=dict(orientation="h", y=-0.2), colorway=list(PALETTE))
    fig.update_xaxes(title=x)
    fig.update_yaxes(title=y, tickformat=".0%" if spec and spec.is_rate else None, rangemode="tozero")
    return fig


def trend(df: pl.DataFrame, indicator: str, series_col: str = "series", title: str = "") -> go.Figure:
    """Lines over quarters, one per series, each with its own marker shape as well as colour."""
    spec = BY_NAME[indicator]
    fig = figure()
    symbols = ("circle", "square", "diamond", "triangle-up", "x", "star")
    # Series keep the order they come in, so the first (the one to highlight) gets NHS Blue.
    for i, name in enumerate(dict.fromkeys(df[series_col].to_list())):
        part = df.filter(pl.col(series_col) == name).sort("period_end")
        fig.add_trace(
            go.Scatter(
                x=part["period_end"].to_list(),
                y=part["value"].to_list(),
                name=str(name),
                mode="lines+markers",
                marker=dict(symbol=symbols[i % len(symbols)], size=8),
                line=dict(color=PALETTE[i % len(PALETTE)], width=3 if i == 0 else 2),
            )
        )
    return _layout(fig, title, "Quarter ending", axis_title(spec), spec)


def ranked_bar(df: pl.DataFrame, indicator: str, highlight: str | None, stats: dict, title: str = "") -> go.Figure:
    """Every trust's value, ranked; the chosen trust in NHS Blue and labelled; median and quartile bands."""
    spec = BY_NAME[indicator]
    d = df.drop_nulls(indicator).sort(indicator, "label")  # ties by label: row order never follows codes
    is_hi = (d["trust_code"] == (highlight or "")).to_list()
    fig = figure(
        go.Bar(
            x=d["label"].to_list(),
            y=d[indicator].to_list(),
            marker_color=[NHS_BLUE if h else GREY for h in is_hi],
            marker_pattern_shape=["/" if h else "" for h in is_hi],
            hovertemplate="%{x}: %{y}<extra></extra>",
            name=spec.label,
            showlegend=False,
        )
    )
    # The band and the median are named in the legend below the chart, never written over the bars.
    if stats.get("median") is not None:
        fig.add_hrect(
            y0=stats["q1"],
            y1=stats["q3"],
            fillcolor="rgba(0,94,184,0.08)",
            line_width=0,
            opacity=1,
            layer="below",
            showlegend=True,
            name="Middle half of trusts, Q1 to Q3 (shaded band)",
        )
        fig.add_hline(
            y=stats["median"],
            line=dict(color=DARK, dash="dash", width=2),
            opacity=1,
            showlegend=True,
            name=f"Median {spec.format(stats['median'])} (dashed line)",
        )
    values = [v for v in d[indicator].to_list() if v is not None]
    top = max(values + [stats.get("q3") or 0, stats.get("median") or 0], default=0) or 1
    for i, (x, y, h) in enumerate(zip(d["label"], d[indicator], is_hi)):
        if h:
            # Above the tallest bar, on a white box, with an arrow down to the chosen trust's bar; it
            # reaches into the chart from the side the bar is on, so it stays inside the plot.
            fig.add_annotation(
                x=x,
                y=y,
                ayref="y",
                ay=top * 1.12,
                ax=0,
                text=f"{x}: {spec.format(y)}",
                showarrow=True,
                arrowhead=2,
                arrowcolor=NHS_BLUE,
                xanchor="left" if i < len(d) / 2 else "right",
                yanchor="bottom",
                bgcolor="#FFFFFF",
                bordercolor=NHS_BLUE,
                borderpad=3,
                font=dict(color=NHS_BLUE, size=14),
            )
    fig.update_xaxes(showticklabels=len(d) <= 25)
    fig.update_yaxes(range=[0, top * 1.3])
    fig.update_layout(showlegend=True)
    return _layout(fig, title, "Trusts, ranked from lowest to highest", axis_title(spec), spec)


def funnel(fit: funnel_stats.Fit | None, rows: pl.DataFrame, indicator: str, highlight: str | None, title: str = ""):
    """Rate against its denominator with 95% and 99.8% limits (widened for overdispersion when the data
    are overdispersed; pswbench.statistics.funnel). Trusts outside the 99.8% limits are labelled and drawn
    as triangles pointing the way they lie; the chosen trust is a labelled star."""
    spec = BY_NAME[indicator]
    fig = figure()
    if fit is None or rows.height == 0:
        return _layout(fig, title, denominator_label(spec), axis_title(spec), spec)
    limits = funnel_stats.limit_curve(fit, float(rows[spec.denominator].max()) * 1.05)
    for name, style in zip(limits["limit"].unique(maintain_order=True), ("dash", "dot")):
        part = limits.filter(pl.col("limit") == name)
        for bound in ("upper", "lower"):
            fig.add_trace(
                go.Scatter(
                    x=part["denominator"].to_list(),
                    y=part[bound].to_list(),
                    mode="lines",
                    line=dict(color=DARK, dash=style, width=1),
                    name=f"{name} limits" + (" (widened for overdispersion)" if fit.overdispersed else ""),
                    legendgroup=name,
                    showlegend=bound == "upper",
                    hoverinfo="skip",
                )
            )
    # The centre line is a legend entry, not a label drawn over the limits.
    fig.add_trace(
        go.Scatter(
            x=[0, float(limits["denominator"].max())],
            y=[fit.target, fit.target],
            mode="lines",
            line=dict(color=DARK, width=2),
            name=f"Pooled rate of the trusts shown: {spec.format(fit.target)}",
            hoverinfo="skip",
        )
    )
    is_hi = pl.col("trust_code") == (highlight or "")
    place = pl.col("position_99_8")
    for mask, name, colour, symbol in (
        (~is_hi & (place == "within"), "Trust within the 99.8% limits", GREY, "circle"),
        (~is_hi & (place == "above"), "Trust above the 99.8% limit", "#D55E00", "triangle-up"),
        (~is_hi & (place == "below"), "Trust below the 99.8% limit", "#0072B2", "triangle-down"),
        (is_hi, "Chosen trust", NHS_BLUE, "star"),
    ):
        part = rows.filter(mask)
        if not part.height:
            continue
        if name == "Chosen trust":  # named in the legend: a long name written beside it covers the data
            name = f"Chosen trust: {part['label'][0]}"
        labelled = name.startswith("Trust above") or name.startswith("Trust below")
        fig.add_trace(
            go.Scatter(
                x=part[spec.denominator].to_list(),
                y=part[indicator].to_list(),
                mode="markers+text" if labelled else "markers",
                text=part["label"].to_list() if labelled else None,
                textposition="top center",
                textfont=dict(color=DARK, size=12),
                name=name,
                marker=dict(
                    color=colour, symbol=symbol, size=14 if symbol == "star" else 10, line=dict(color=DARK, width=1)
                ),
                hovertext=[
                    f"{label}: {spec.format(v)}, {funnel_stats.against_limits_words(p95, p998)}"
                    for label, v, p95, p998 in zip(
                        part["label"], part[indicator], part["position_95"], part["position_99_8"]
                    )
                ],
                hoverinfo="text",
            )
        )
    # The limits reach 100% at the smallest denominators; cut the axis to the trusts' range.
    top = max(fit.target, float(rows[indicator].max()))
    fig = _layout(fig, title, denominator_label(spec), axis_title(spec), spec)
    return fig.update_yaxes(range=[0, min(1.0, top * 1.3 + 0.01)])


def denominator_label(spec: Indicator) -> str:
    return {
        "establishment_wte": "Establishment (WTE in post + vacant WTE)",
        "fte_days_available": "FTE days available in the quarter (days)",
        "average_headcount": "Average headcount in the quarter (people, averaged)",
        "average_headcount_12m": "Average headcount over 12 months (people, averaged)",
        "temp_staffing_total_wte": "WTE worked incl. bank and agency (WTE)",
    }.get(spec.denominator, spec.denominator or "")


# Making Data Count's point colours (as NHSRplotthedots draws them), each with its own shape and words.
SPC_STYLE = {
    "common_cause": ("Common cause (normal variation)", "#A6A6A6", "circle"),
    "improvement": ("Special cause: improvement", "#00B0F0", "diamond"),
    "concern": ("Special cause: concern", "#E46C0A", "square"),
    "neither": ("Special cause: neither better nor worse", "#490092", "hexagon"),
}


def _spc_traces(chart: spc_stats.Chart, spec: Indicator, legend: set[str]) -> list[go.Scatter]:
    """The traces of one XmR chart; a legend entry is shown the first time its name is drawn
    (legend collects the names already shown, so small multiples share one legend)."""
    dates = [p.period_end for p in chart.points]

    def shown(name: str) -> bool:
        first = name not in legend
        legend.add(name)
        return first

    traces = [
        go.Scatter(
            x=dates,
            y=[p.value for p in chart.points],
            mode="lines",
            line=dict(color="#768692", width=2),
            name=spec.label,
            legendgroup="series",
            showlegend=shown(spec.label),
            hoverinfo="skip",
        )
    ]
    if chart.upper is not None:
        trial = " (trial: fewer than 12 quarters)" if chart.limits_kind == "trial" else ""
        for y, name, dash in (
            (chart.mean, "Mean", "solid"),
            (chart.upper, f"Process limits{trial}", "dash"),
            (chart.lower, f"Process limits{trial}", "dash"),
        ):
            traces.append(
                go.Scatter(
                    x=[dates[0], dates[-1]],
                    y=[y, y],
                    mode="lines",
                    line=dict(color=DARK, dash=dash, width=1.5 if dash == "solid" else 1),
                    name=name,
                    legendgroup=name,
                    showlegend=shown(name),
                    hoverinfo="skip",  # the values are in the table behind the chart
                )
            )
    for kind, (name, colour, symbol) in SPC_STYLE.items():
        pts = [p for p in chart.points if chart.point_type(p) == kind]
        if not pts:
            continue
        traces.append(
            go.Scatter(
                x=[p.period_end for p in pts],
                y=[p.value for p in pts],
                mode="markers",
                marker=dict(color=colour, symbol=symbol, size=9, line=dict(color=DARK, width=1)),
                name=name,
                legendgroup=kind,
                showlegend=shown(name),
                hovertext=[
                    f"{p.period_end:%b %Y}: {spec.format(p.value)}"
                    + (" — " + "; ".join(spc_stats.RULE_WORDS[r] for r in p.rules) if p.rules else "")
                    for p in pts
                ],
                hoverinfo="text",
            )
        )
    return traces


def spc(chart: spc_stats.Chart, spec: Indicator, title: str = "") -> go.Figure:
    """A Making Data Count XmR chart: the series, its mean, process limits (trial limits said so in the
    legend), and each point coloured and shaped by what it shows, with the rules in its hover text."""
    fig = figure(*_spc_traces(chart, spec, set()))
    fig = _layout(fig, title, "Quarter ending", axis_title(spec), spec)
    return fig.update_yaxes(rangemode="normal")  # SPC reads variation: the axis need not start at zero


def spc_panels(charts_by_place: dict[str, spc_stats.Chart], spec: Indicator, title: str = "") -> go.Figure:
    """Small multiples: one XmR chart per place (England and each region), two to a row, one legend;
    each panel's title says what its latest quarter shows."""
    places = list(charts_by_place)
    rows = -(-len(places) // 2)
    fig = make_subplots(
        figure=figure(),  # the house template, as every other chart
        rows=rows,
        cols=2,
        shared_xaxes=True,
        vertical_spacing=0.08,
        subplot_titles=[f"{place}: {charts_by_place[place].icon_words}" for place in places],
    )
    legend: set[str] = set()
    for i, place in enumerate(places):
        for trace in _spc_traces(charts_by_place[place], spec, legend):
            fig.add_trace(trace, row=i // 2 + 1, col=i % 2 + 1)
    fig.update_layout(title=title, **HOUSE_LAYOUT, height=260 * rows + 160, legend=dict(orientation="h", y=-0.08))
    fig.update_annotations(font=dict(size=13, color=DARK))
    fig.update_yaxes(title=spec.unit, tickformat=".0%" if spec.is_rate else None, rangemode="normal")
    fig.update_xaxes(title="Quarter ending", row=rows)
    return fig


def region_spread(
    df: pl.DataFrame, indicator: str, pooled: pl.DataFrame, title: str = "", order: list[str] | None = None
) -> go.Figure:
    """Box and points of trust values per region, with each region's pooled rate marked as a diamond;
    regions along the axis in `order` (e.g. the bar chart's) when given, else alphabetically."""
    spec = BY_NAME[indicator]
    d = df.drop_nulls(indicator).sort("region_name", "label")
    fig = figure(
        go.Box(
            x=d["region_name"].to_list(),
            y=d[indicator].to_list(),
            boxpoints="all",
            jitter=0.4,
            pointpos=0,
            marker=dict(color=GREY, size=7, line=dict(color=DARK, width=1)),
            line=dict(color=NHS_BLUE),
            fillcolor="rgba(0,94,184,0.10)",
            name="Trusts",
            hovertext=d["label"].to_list(),
        )
    )
    fig.add_trace(
        go.Scatter(
            x=pooled["region_name"].to_list(),
            y=pooled[indicator].to_list(),
            mode="markers",
            marker=dict(symbol="diamond", size=13, color=NHS_BLUE, line=dict(color=DARK, width=1)),
            name="Region pooled figure",
        )
    )
    fig = _layout(fig, title, "NHS England region", axis_title(spec), spec)
    if order is not None:
        fig.update_xaxes(categoryorder="array", categoryarray=list(order))
    return fig


def region_bars(pooled: pl.DataFrame, indicator: str, title: str = "") -> go.Figure:
    spec = BY_NAME[indicator]
    d = pooled.sort(indicator, nulls_last=True)
    fig = figure(
        go.Bar(
            x=d["region_name"].to_list(),
            y=d[indicator].to_list(),
            marker_color=NHS_BLUE,
            text=[spec.format(v) for v in d[indicator].to_list()],
            # Above each bar in dark text on white: never white on blue, never squeezed into the bar.
            textposition="outside",
            outsidetextfont=dict(color=DARK),
            constraintext="none",
            cliponaxis=False,
            showlegend=False,
        )
    )
    top = max((v for v in d[indicator].to_list() if v is not None), default=0) or 1
    fig = _layout(fig, title, "NHS England region", axis_title(spec), spec)
    return fig.update_yaxes(range=[0, top * 1.15])


def sparkline(values: list[float | None], spec: Indicator) -> go.Figure:
    return figure(
        go.Scatter(
            y=values,
            mode="lines+markers",
            line=dict(color=NHS_BLUE, width=2),
            marker=dict(size=4),
            hovertemplate=("%{y:.1%}" if spec.is_rate else "%{y:,.2f}") + "<extra></extra>",
        ),
        height=70,  # under ui.SMALL_CHART_PX: drawn without plotly's mode bar, which would cover it
        margin=dict(l=0, r=0, t=0, b=0),
        dragmode=False,  # a finger scrolling the page past it on a phone does not zoom it
        showlegend=False,
        xaxis=dict(visible=False),
        yaxis=dict(visible=False, tickformat=".0%" if spec.is_rate else None),
    )


def ambition(history: pl.DataFrame, progress: list, title: str = "") -> go.Figure:
    """England's PSW headcount over time against each ambition (a target marker at its date), with the
    current trend carried on to the target and the range the slowest and fastest recent quarters give."""
    fig = figure(
        go.Scatter(
            x=history["period_end"].to_list(),
            y=history["headcount"].to_list(),
            mode="lines+markers",
            line=dict(color=NHS_BLUE, width=3),
            marker=dict(size=6),
            name="PSW headcount, England (pooled)",
        )
    )
    for p in progress:
        a = p.ambition
        fig.add_trace(
            go.Scatter(
                x=[a.target_date],
                y=[a.target],
                mode="markers+text",
                marker=dict(symbol="diamond", size=14, color="#E69F00", line=dict(color=DARK, width=1)),
                text=[f"Ambition {a.target:,.0f} by {a.target_label} ({a.confidence} confidence)"],
                textposition="top center",
                textfont=dict(color=DARK, size=12),
                name=f"Ambition: {a.target:,.0f} by {a.target_label}",
            )
        )
        if p.is_past or p.annual_growth is None:
            continue
        proj = p.projection()
        dates = [r[0] for r in proj]
        slow, fast = min(p.quarterly_growth), max(p.quarterly_growth)
        fig.add_trace(
            go.Scatter(
                x=dates, y=[r[3] for r in proj], mode="lines", line=dict(width=0), showlegend=False, hoverinfo="skip"
            )
        )
        fig.add_trace(
            go.Scatter(
                x=dates,
                y=[r[2] for r in proj],
                mode="lines",
                line=dict(width=0),
                fill="tonexty",
                fillcolor="rgba(0,94,184,0.12)",
                name=f"Range at the slowest to fastest recent quarter ({slow:+.0%} to {fast:+.0%} a year)",
                hoverinfo="skip",
            )
        )
        fig.add_trace(
            go.Scatter(
                x=dates,
                y=[r[1] for r in proj],
                mode="lines",
                line=dict(color=NHS_BLUE, dash="dot", width=2),
                name=f"Trend of the last four quarters carried on ({p.annual_growth:+.1%} a year)",
                hoverinfo="skip",
            )
        )
    fig = _layout(fig, title, "Quarter ending", "PSW headcount (people)")
    return fig.update_layout(legend=dict(orientation="h", y=-0.25))
