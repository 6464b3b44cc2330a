"""Board snapshot: how does one trust compare this quarter? Written for board members, not analysts."""

import streamlit as st

from pswbench.access import permissions
from pswbench.app import ui
from pswbench.reports import board_pack, board_sentences, board_snapshot, charts

user, data = ui.page("snapshot")
heading = st.empty()
left, right = st.columns([1, 2])
with left:
    period = ui.period_picker(data)
with right:
    group = ui.peer_group_picker()
# A shared link may name a trust (?trust=CODE); snapshot.build refuses one this user may not see named.
trust = ui.trust_picker(user, data, period, from_link=True)
try:
    snap = board_snapshot.build(data, period, trust, group)
except permissions.NotPermitted as exc:
    ui.refuse(user, f"snapshot:{trust[:12]}", exc)
except board_snapshot.UnknownTrust as exc:
    st.error(str(exc))
    st.stop()

heading.title(f"How does {snap.trust_name} compare? {snap.quarter_text}")
if not snap.has_return:
    st.info(
        f"There is no accepted return from {snap.trust_code} for this quarter, so its cards are empty; "
        "the medians are for all trusts in England."
    )

st.subheader("In brief")
sentences = board_sentences.sentences(snap)
st.markdown(board_sentences.as_markdown(sentences))

# organisational conditions and activity (issue 12): nothing when no organisation section is loaded
condition_lines = board_sentences.condition_sentences(snap)
if condition_lines:
    st.subheader(f"Conditions for peer work ({snap.conditions.period:%d %B %Y})")
    st.markdown(board_sentences.as_markdown(condition_lines))

synthetic = ui.is_synthetic()
ui.download(
    "Download the board pack (HTML, prints on one A4 page)",
    lambda: board_pack.render_bytes(snap, sentences, synthetic),
    snap.file_name(),
    "text/html",
    user,
    {"board_pack": snap.trust_code, "period": snap.period.isoformat(), "format": "html"},
    key="board-pack",
    type="primary",
)

st.subheader(f"Indicators, compared with {snap.group_short}")
st.caption(
    "Arrows show the change on the previous quarter; each card says whether higher or lower is "
    "better. The small line shows the last eight quarters, with its numbers one click away."
)
PER_ROW = 3
for start in range(0, len(snap.cards), PER_ROW):
    for col, card in zip(st.columns(PER_ROW), snap.cards[start : start + PER_ROW]):
        with col:
            zero = card.change_is_zero
            st.metric(
                card.spec.label,
                card.value_text,
                "no change" if zero else card.change_text,
                delta_color="off" if zero else card.delta_colour,
                delta_arrow="off" if zero else "auto",
                help=f"{card.spec.formula}. Unit: {card.spec.unit}; {card.spec.direction_words}.",
                border=True,
            )
            st.caption(snap.caption(card))
            st.markdown(card.variation_text)
            first, last = card.series[0][0], card.series[-1][0]
            if any(v is not None for _, v in card.series):
                st.caption(f"Last eight quarters, {first:%b %Y} to {last:%b %Y}")
                ui.chart(
                    charts.sparkline([v for _, v in card.series], card.spec),
                    card.series_table(),
                    f"{snap.trust_code} {card.spec.label}, last eight quarters",
                    user,
                    key=f"spark-{card.spec.name}",
                )
            else:
                st.caption(f"No figures from {first:%b %Y} to {last:%b %Y}.")
