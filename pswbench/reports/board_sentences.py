"""Three to five plain-English sentences about a snapshot, for a board member who is not an analyst.

Every sentence is read off the snapshot's numbers; when a figure is missing the text says so
rather than guessing. Comparisons count the other trusts in the peer group that have a figure, so
ties and short groups are described as they are.
"""

from __future__ import annotations

import re

from pswbench.access.disclosure import SMALL_NUMBER_THRESHOLD
from pswbench.reports.board_snapshot import Card, Snapshot

MAX_SENTENCES = 5
RATE_SENTENCES = 3
_MARKDOWN = re.compile(r"([\\`*_\[\]<>#$~|])")


def _mid_sentence(label: str) -> str:
    """'Vacancy rate' -> 'vacancy rate', but 'PSW headcount' keeps its capitals."""
    return label[0].lower() + label[1:] if label[1:2].islower() else label


def _people(n: int) -> str:
    return f"{n:,} peer support worker{'' if n == 1 else 's'}"


def comparison(card: Card, where: str) -> str | None:
    """Where the trust's figure sits among the other trusts in the group, in words and counts."""
    if card.value is None:
        return None
    o, lower, higher, same = card.others, card.lower, card.higher, card.same
    if o == 0:
        return f"the only trust {where} with a figure"
    if same == o:
        return f"the same as all {o} other trusts {where} with a figure"
    if higher == 0 or lower == 0:
        end = "highest" if higher == 0 else "lowest"
        if same:
            return f"the joint {end} of the {o + 1} trusts {where} with a figure ({same + 1} trusts share that figure)"
        return f"the {end} of the {o + 1} trusts {where} with a figure"
    ties = f"; {same} had the same figure" if same else ""
    if lower == higher:
        return f"higher than {lower} and lower than {higher} of the {o} other trusts {where} with a figure{ties}"
    # The count and its share, never a rounded word: 34 of 47 is 72%, not "half".
    word, k = ("higher", lower) if lower > higher else ("lower", higher)
    return f"{word} than {k} of the {o} other trusts {where} with a figure ({round(100 * k / o)}%{ties})"


def _opening(snap: Snapshot) -> str:
    head, wte = snap.card("headcount"), snap.card("wte_in_post")
    if head.value is None:
        return f"{snap.trust_name} has no figure for its peer support worker headcount in the {_quarter(snap)}."
    size = _people(int(head.value)) + (f" ({wte.value_text} whole-time equivalent)" if wte.value is not None else "")
    before = head.series[-2][1] if len(head.series) > 1 else None
    if before is None:
        change = ""
    elif head.value == before:
        change = ", the same number as in the previous quarter"
    else:
        diff = int(head.value - before)
        change = f", {abs(diff):,} {'more' if diff > 0 else 'fewer'} than in the previous quarter"
    return f"In the {_quarter(snap)}, {snap.trust_name} had {size} in post{change}."


def _quarter(snap: Snapshot) -> str:
    return f"quarter ending {snap.period:%d %B %Y}"


def _rate_sentence(card: Card, where: str) -> str:
    return f"{card.spec.label} was {card.value_text}, {comparison(card, where)}; {card.spec.direction_words}."


def _extremity(card: Card) -> float:
    return max(card.lower, card.higher) / card.others


def sentences(snap: Snapshot) -> list[str]:
    """Three to five sentences (fewer only when the figures to say more are missing)."""
    if not snap.has_return:
        return [
            f"{snap.trust_name} has no accepted return for the {_quarter(snap)}, so there are no "
            f"figures for it to compare.",
            "The cards show the England medians for that quarter.",
        ]
    out = [_opening(snap)]
    head = snap.card("headcount").value
    if head is not None and head < SMALL_NUMBER_THRESHOLD:
        out.append(
            f"These rates rest on fewer than {SMALL_NUMBER_THRESHOLD} peer support workers, so one "
            f"person joining, leaving or being off sick changes them a lot."
        )
    rates = [c for c in snap.cards if c.spec.is_rate]
    compared = [c for c in rates if c.value is not None and c.others > 0]
    # The most striking positions first; sorted() keeps the definitions' order among equals.
    for card in sorted(compared, key=_extremity, reverse=True)[:RATE_SENTENCES]:
        out.append(_rate_sentence(card, snap.group_where))
    missing = [_mid_sentence(c.spec.label) for c in rates if c.value is None]
    if missing and len(out) < MAX_SENTENCES:
        listed = ", ".join(missing[:-1]) + (" or " if len(missing) > 1 else "") + missing[-1]
        out.append(f"There is no figure this quarter for {listed}.")
    return out[:MAX_SENTENCES]


def as_markdown(lines: list[str]) -> str:
    """A bullet list for st.markdown, with Markdown (and LaTeX '$') characters shown as typed."""
    return "\n".join("- " + _MARKDOWN.sub(r"\\\1", line) for line in lines)
