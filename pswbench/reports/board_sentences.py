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


# ---- organisational conditions and activity (issue 12) ------------------------------------------


def _share_words(n: int, of: int) -> str:
    return f"{n:,} of your {_people(of)} ({round(100 * n / of)}%)"


def _england(share: float | None) -> str:
    return "" if share is None else f"; in England it is {round(100 * share)}%"


def condition_sentences(snap: Snapshot) -> list[str]:
    """At most MAX_SENTENCES sentences on the trust's latest organisation section; none without one."""
    part = snap.conditions
    if part is None:
        return []
    t, e = part.trust, part.england
    single, teams = t["teams_with_single_psw"], t["teams_with_psw"]
    if teams == 0:
        out = ["Your trust had no teams with a peer worker in post."]
    elif single == 0:  # never "None ...": the word a table shows for a missing value would read as a gap
        each = (
            "your one team with peer workers has"
            if teams == 1
            else f"each of your {teams:,} teams with peer workers has"
        )
        out = [f"No peer worker works alone: {each} more than one."]
    else:
        verb = "has" if single == 1 else "have"
        out = [f"{single:,} of your {teams:,} team{'' if teams == 1 else 's'} {verb} a peer worker on their own."]
    head = t["headcount"]
    if head:
        sup = t["psw_with_peer_supervision"]
        out.append(
            f"{_share_words(sup, head)} {'has' if sup == 1 else 'have'} supervision from someone in a peer "
            f"role{_england(e.get('peer_supervision_share'))}."
        )
        train, jd = t["psw_with_accredited_training"], t["psw_with_peer_job_description"]
        england = ""
        if e.get("accredited_training_share") is not None and e.get("peer_job_description_share") is not None:
            england = (
                f"; in England it is {round(100 * e['accredited_training_share'])}% and "
                f"{round(100 * e['peer_job_description_share'])}%"
            )
        out.append(
            f"{train:,} ({round(100 * train / head)}%) have accredited peer support training and {jd:,} "
            f"({round(100 * jd / head)}%) a job description written for peer work{england}."
        )
        bank, workforce = t["bank_only_psw_headcount"], t["peer_workforce"]
        if bank:
            who = "1 more peer worker works" if bank == 1 else f"{bank:,} more peer workers work"
            out.append(
                f"{who} on the bank only, besides the {head:,} in post: {round(100 * bank / workforce)}% of your "
                f"peer workforce{_england(e.get('bank_only_share'))}."
            )
        else:
            out.append(f"No peer workers at your trust work on the bank only{_england(e.get('bank_only_share'))}.")
    else:
        out.append(f"There is no workforce return for {part.period:%d %B %Y} to count the peer workers against.")
    has = {True: "has", False: "does not have"}.get(t["peer_leadership_post"])
    if has:
        known = e.get("n_trusts_leadership_known")
        tail = (
            f"; {e['n_trusts_with_leadership_post']} of the {known} trusts in England with a figure have one"
            if known
            else ""
        )
        out.append(f"Your trust {has} a senior peer leadership post{tail}.")
    return out[:MAX_SENTENCES]


def as_markdown(lines: list[str]) -> str:
    """A bullet list for st.markdown, with Markdown (and LaTeX '$') characters shown as typed."""
    return "\n".join("- " + _MARKDOWN.sub(r"\\\1", line) for line in lines)
