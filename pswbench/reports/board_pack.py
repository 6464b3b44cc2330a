"""The board pack: the snapshot as one self-contained HTML page that prints to a single A4 sheet.

Self-contained means inline CSS and inline SVG only: no scripts, fonts, images or links to fetch, so
the file can be emailed, opened offline and filed with board papers. Every piece of text that
comes from data (trust names, sentences) is HTML-escaped.
"""

from __future__ import annotations

import datetime as dt
from html import escape

from pswbench.reports import board_sentences
from pswbench.reports.board_snapshot import Card, Snapshot
from pswbench.reports.charts import NHS_BLUE
from pswbench.reports.definitions import SOURCE, TRUST_LEVEL

# Okabe-Ito bluish green and vermillion: distinguishable with the common colour-vision deficiencies,
# and the arrow and the words "better"/"worse" carry the same meaning without colour.
BETTER, WORSE = "#007A5A", "#B84A00"

CSS = f"""
* {{ box-sizing: border-box; }}
body {{ font-family: Arial, Helvetica, sans-serif; color: #231F20; margin: 0 auto; max-width: 1100px;
       padding: 16px; font-size: 14px; line-height: 1.35; }}
h1 {{ color: {NHS_BLUE}; font-size: 24px; margin: 4px 0; }}
h2 {{ font-size: 16px; margin: 12px 0 4px; }}
h3 {{ font-size: 13px; margin: 0 0 2px; }}
p {{ margin: 2px 0; }}
.synthetic {{ border: 2px solid #B84A00; color: #B84A00; font-weight: bold; padding: 4px 8px;
             display: inline-block; }}
.sub {{ color: #425563; }}
.cards {{ display: grid; grid-template-columns: repeat(5, minmax(0, 1fr)); gap: 8px; }}
.card {{ border: 1px solid #AEB7BD; border-radius: 6px; padding: 6px 8px; break-inside: avoid; }}
.value {{ font-size: 22px; font-weight: bold; }}
.change, .small {{ font-size: 11px; }}
.better {{ color: {BETTER}; }} .worse {{ color: {WORSE}; }}
svg {{ display: block; margin-top: 4px; max-width: 100%; height: auto; }}
table {{ border-collapse: collapse; width: 100%; font-size: 11px; }}
th, td {{ text-align: left; vertical-align: top; border-bottom: 1px solid #D8DDE0; padding: 2px 4px; }}
footer {{ margin-top: 8px; font-size: 11px; color: #425563; }}
@page {{ size: A4 portrait; margin: 9mm; }}
@media print {{
  body {{ max-width: none; padding: 0; font-size: 9.5pt; -webkit-print-color-adjust: exact;
         print-color-adjust: exact; }}
  h1 {{ font-size: 16pt; }} h2 {{ font-size: 11pt; margin-top: 6px; }} h3 {{ font-size: 8.5pt; }}
  .value {{ font-size: 13pt; }} .change, .small, table, footer {{ font-size: 7pt; }}
  .card {{ padding: 3px 5px; }}
  section, table, tr {{ break-inside: avoid; }}
}}
"""


def _spark(card: Card, width: int = 150, height: int = 30) -> str:
    """An inline SVG line of the last eight quarters; gaps where a quarter has no figure."""
    values = [v for _, v in card.series]
    known = [v for v in values if v is not None]
    words = ", ".join(f"{d:%b %Y} {card.spec.format(v)}" for d, v in card.series)
    title = f"<title>{escape(card.spec.label)}, last {len(values)} quarters: {escape(words)}</title>"
    if not known:
        return f'<svg width="{width}" height="{height}" role="img">{title}</svg>'
    lo, hi = min(known), max(known)
    span = (hi - lo) or 1.0
    step = (width - 8) / max(len(values) - 1, 1)

    def xy(i: int, v: float) -> tuple[float, float]:
        return 4 + i * step, height - 4 - (v - lo) / span * (height - 8)

    runs, run = [], []
    for i, v in enumerate(values):
        if v is not None:
            run.append(xy(i, v))
        elif run:
            runs.append(run)
            run = []
    if run:
        runs.append(run)
    lines = "".join(
        f'<polyline fill="none" stroke="{NHS_BLUE}" stroke-width="2" points="'
        + " ".join(f"{x:.1f},{y:.1f}" for x, y in r)
        + '"/>'
        for r in runs
    )
    # A dot on every quarter, so a quarter between two gaps still shows; the latest is larger.
    points = [p for r in runs for p in r]
    dots = "".join(
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{3 if (x, y) == points[-1] else 1.5}" fill="{NHS_BLUE}"/>'
        for x, y in points
    )
    return (
        f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img">{title}{lines}{dots}</svg>'
    )


def _change(card: Card) -> str:
    if card.value is None:
        return ""
    if card.change_text is None:
        return '<p class="change">No figure for the previous quarter</p>'
    if card.change_is_zero:
        return '<p class="change">No change on previous quarter</p>'
    up = not card.change_text.startswith("-")
    verdict = "" if card.spec.better == "neither" else ("better" if up == (card.spec.better == "higher") else "worse")
    arrow = "&#9650;" if up else "&#9660;"
    tail = f" ({verdict})" if verdict else ""
    return f'<p class="change {verdict}">{arrow} {escape(card.change_text)} on previous quarter{tail}</p>'


def _card(card: Card, snap: Snapshot) -> str:
    first, last = card.series[0][0], card.series[-1][0]
    return (
        f'<div class="card"><h3>{escape(card.spec.label)}</h3>'
        f'<p class="value">{escape(card.value_text)}</p>{_change(card)}'
        f'<p class="small">{escape(snap.caption(card))}</p>'
        f'<p class="small">{escape(card.variation_text)}</p>'
        f'{_spark(card)}<p class="small">{first:%b %Y} to {last:%b %Y}</p></div>'
    )


def _definitions() -> str:
    rows = "".join(
        f"<tr><th>{escape(i.label)}</th><td>{escape(i.unit)}</td><td>{escape(i.formula)}</td>"
        f"<td>{escape(i.direction_words)}</td></tr>"
        for i in TRUST_LEVEL
    )
    return (
        "<table><thead><tr><th>Indicator</th><th>Unit</th><th>How it is worked out</th>"
        f"<th>Direction of good</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def _conditions(snap: Snapshot) -> str:
    """The "Conditions for peer work" sentences (organisational conditions, issue 12); none without a section."""
    lines = board_sentences.condition_sentences(snap)
    if not lines:
        return ""
    items = "".join(f"<li>{escape(s)}</li>" for s in lines)
    return f"\n<section><h2>Conditions for peer work ({snap.conditions.period:%d %B %Y})</h2><ul>{items}</ul></section>"


def render(snap: Snapshot, sentences: list[str], synthetic: bool, generated: dt.date | None = None) -> str:
    """The board pack as an HTML document (text)."""
    generated = generated or dt.date.today()
    name = escape(snap.trust_name)
    flag = (
        (
            '<p class="synthetic">SYNTHETIC DEMO DATA: every figure is made up for demonstration; '
            "no real trust's workforce is shown.</p>"
        )
        if synthetic
        else ""
    )
    summary = "".join(f"<li>{escape(s)}</li>" for s in sentences)
    conditions = _conditions(snap)
    cards = "".join(_card(c, snap) for c in snap.cards)
    return f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Board pack: {name} ({escape(snap.trust_code)}), {escape(snap.quarter_text)}</title>
<style>{CSS}</style>
</head>
<body>
<header>{flag}
<h1>How does {name} compare?</h1>
<p class="sub">Peer support workers (PSWs). {escape(snap.quarter_text)}. Compared with
{escape(snap.group_short)} (medians and positions); changes are on the previous quarter.</p>
</header>
<section><h2>In brief</h2><ul>{summary}</ul></section>{conditions}
<section><h2>Indicators</h2><div class="cards">{cards}</div></section>
<section><h2>Definitions</h2>{_definitions()}</section>
<footer><p>Source: {escape(SOURCE)}</p>
<p>Other trusts are not named; positions, medians and counts are over the trusts in the comparison group whose figure the reader may see.
Produced by pswbench on {generated:%d %B %Y}.</p></footer>
</body>
</html>
"""


def render_bytes(snap: Snapshot, sentences: list[str], synthetic: bool) -> bytes:
    return render(snap, sentences, synthetic).encode("utf-8")
