"""The board pack HTML: self-contained, escaped, labelled, complete."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from html.parser import HTMLParser

from pswbench.reports import board_pack, board_sentences
from pswbench.reports.definitions import SOURCE, TRUST_LEVEL
from tests.unit.reports.test_board_sentences import TYPICAL, fake_card, fake_snapshot

EVIL = '<script>alert("x")</script> & Co'


class Parsed(HTMLParser):
    """Tags, attributes and text of a document, to check structure rather than substrings."""

    def __init__(self, text: str):
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.text: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend(attrs)

    def handle_data(self, data):
        self.text.append(data)


def pack(snap=None, sentences=None, synthetic=False) -> str:
    snap = snap or fake_snapshot(*TYPICAL)
    return board_pack.render(
        snap, board_sentences.sentences(snap) if sentences is None else sentences, synthetic, dt.date(2026, 11, 25)
    )


def test_no_scripts_and_nothing_fetched_from_elsewhere():
    html = pack(synthetic=True)
    doc = Parsed(html)
    assert "script" not in doc.tags
    assert not {"link", "img", "iframe", "object", "embed"} & set(doc.tags)
    assert not re.search(r"https?:", html, re.IGNORECASE)
    assert not any(name in ("src", "href") or name.startswith("on") for name, _ in doc.attrs)
    assert "@import" not in html and "url(" not in html


def test_trust_name_and_sentences_are_escaped():
    snap = dataclasses.replace(fake_snapshot(*TYPICAL), trust_name=EVIL)
    html = pack(snap, sentences=board_sentences.sentences(snap) + [f"Note from the trust: {EVIL}"])
    doc = Parsed(html)
    assert "script" not in doc.tags
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co" in html
    # The escaped name reads back as the original text.
    assert any(EVIL in t for t in doc.text)


def test_every_indicator_label_and_definition_and_the_source_are_there():
    text = " ".join(Parsed(pack()).text)
    for spec in TRUST_LEVEL:
        assert text.count(spec.label) >= 2, spec.label  # its card and its definition
        assert spec.formula in text
    assert SOURCE in text


def test_synthetic_label_only_when_flagged():
    assert "SYNTHETIC DEMO DATA" in pack(synthetic=True)
    assert "SYNTHETIC DEMO DATA" not in pack(synthetic=False)


def test_cards_show_the_values_changes_and_direction():
    snap = fake_snapshot(
        *TYPICAL,
        fake_card("sickness_rate", 0.061, 40, 0, 7, previous=0.045),
        fake_card("vacancy_rate", 0.05, 10, 0, 37, previous=0.05),
    )
    text = " ".join(Parsed(pack(snap)).text)
    assert "6.1%" in text
    # Up on a lower-is-better rate: an arrow and the word, not colour alone.
    assert "\u25b2 +1.6 percentage points on previous quarter (worse)" in text
    assert "\u25bc -3 people on previous quarter" not in text
    assert "\u25b2 +3 people on previous quarter (better)" in text
    assert "No change on previous quarter" in text
    assert "How does Northfield NHS Trust compare?" in text
    assert "Quarter ending 30 September 2026" in text


def test_sparkline_is_inline_svg_with_gaps_for_missing_quarters():
    snap = fake_snapshot(fake_card("headcount", 20, previous=18))
    html = pack(snap)
    card = html.split("<h3>PSW headcount</h3>")[1].split('<div class="card">')[0]
    assert card.count("<svg") == 1 and card.count("<polyline") == 1
    assert card.count("<circle") == 2  # the two quarters with a figure
    assert "<title>PSW headcount, last 8 quarters: Dec 2024 no data" in card


def test_prints_to_a4():
    html = pack()
    assert "@media print" in html and "size: A4" in html


def test_file_name_is_safe_and_dated():
    snap = dataclasses.replace(fake_snapshot(*TYPICAL), trust_code="R/X<4>")
    assert snap.file_name() == "pswbench-board-pack-RX4-2026-09-30.html"
