"""Plotly figures for the pages: NHS Blue highlights, a colour-blind-safe palette, units on every axis,
and never colour alone (highlights are also labelled, outliers also change shape)."""

from __future__ import annotations

from statistics import NormalDist

import plotly.graph_objects as go
import plotly.io as pio
import polars as pl

from pswbench.reports.definitions import BY_NAME, Indicator

NHS_BLUE = "#005EB8"
GREY = "#AEB7BD"
DARK = "#231F20"
# Okabe-Ito, safe for the common colour-vision deficiencies; NHS Blue takes the first place.
PALETTE = (NHS_BLUE, "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#F0E442")
FUNNEL_LEVELS = ((0.95, "95% limits", "dash"), (0.998, "99.8% limits", "dot"))
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


def funnel_limits(p: float, n_max: float, points: int = 120) -> pl.DataFrame:
    """Binomial (normal approximation) control limits around a pooled rate p, for denominators up to n_max."""
    ns = [max(1.0, n_max * (i / points) ** 2) for i in range(1, points + 1)]
    rows = []
    for level, name, _ in FUNNEL_LEVELS:
        z = NormalDist().inv_cdf(0.5 + level / 2)
        for n in ns:
            half = z * (p * (1 - p) / n) ** 0.5
            rows.append((name, n, max(0.0, p - half), min(1.0, p + half)))
    return pl.DataFrame(rows, schema=["limit", "denominator", "lower", "upper"], orient="row")


def funnel(df: pl.DataFrame, indicator: str, national_rate: float, highlight: str | None, title: str = "") -> go.Figure:
    """Rate against its denominator with 95% and 99.8% limits, so small trusts are not flagged by chance."""
    spec = BY_NAME[indicator]
    d = df.drop_nulls([indicator, spec.denominator]).filter(pl.col(spec.denominator) > 0)
    fig = figure()
    if d.height == 0:
        return _layout(fig, title, denominator_label(spec), axis_title(spec), spec)
    limits = funnel_limits(national_rate, float(d[spec.denominator].max()) * 1.05)
    for _, name, style in FUNNEL_LEVELS:
        part = limits.filter(pl.col("limit") == name)
        for bound in ("upper", "lower"):
            fig.add_trace(
                go.Scatter(
                    x=part["denominator"].to_list(),
                    y=part[bound].to_list(),
                    mode="lines",
                    line=dict(color=DARK, dash=style, width=1),
                    name=name,
                    showlegend=bound == "upper",
                    hoverinfo="skip",
                )
            )
    fig.add_hline(
        y=national_rate,
        line=dict(color=DARK, width=2),
        opacity=1,
        annotation_text=f"England {spec.format(national_rate)}",
    )
    flagged = outside_limits(d, indicator, spec.denominator, national_rate)
    is_hi = d["trust_code"] == (highlight or "")
    for mask, name, colour, symbol in (
        (~is_hi & ~flagged, "Trust within 99.8% limits", GREY, "circle"),
        (~is_hi & flagged, "Trust outside 99.8% limits", "#D55E00", "diamond"),
        (is_hi, "Chosen trust", NHS_BLUE, "star"),
    ):
        part = d.filter(mask)
        if part.height:
            fig.add_trace(
                go.Scatter(
                    x=part[spec.denominator].to_list(),
                    y=part[indicator].to_list(),
                    mode="markers+text" if name == "Chosen trust" else "markers",
                    text=part["label"].to_list() if name == "Chosen trust" else None,
                    textposition="top center",
                    name=name,
                    marker=dict(
                        color=colour, symbol=symbol, size=14 if symbol == "star" else 9, line=dict(color=DARK, width=1)
                    ),
                    hovertext=part["label"].to_list(),
                    hoverinfo="text+x+y",
                )
            )
    # The limits reach 100% at the smallest denominators; cut the axis to the trusts' range.
    top = max(national_rate, float(d[indicator].max()))
    fig = _layout(fig, title, denominator_label(spec), axis_title(spec), spec)
    return fig.update_yaxes(range=[0, min(1.0, top * 1.3 + 0.01)])


def denominator_label(spec: Indicator) -> str:
    return {
        "establishment_wte": "Establishment (WTE in post + vacant WTE)",
        "fte_days_available": "FTE days available in the quarter (days)",
        "average_headcount": "Average headcount in the quarter (people)",
        "average_headcount_12m": "Average headcount over 12 months (people)",
        "temp_staffing_total_wte": "WTE worked incl. bank and agency (WTE)",
    }.get(spec.denominator, spec.denominator or "")


def outside_limits(d: pl.DataFrame, indicator: str, denominator: str, p: float, level: float = 0.998) -> pl.Series:
    z = NormalDist().inv_cdf(0.5 + level / 2)
    half = z * (p * (1 - p) / d[denominator]).sqrt()
    return ((d[indicator] - p).abs() > half).alias("outside")


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
