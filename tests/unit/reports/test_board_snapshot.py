"""The board snapshot: its data (pswbench.reports.board_snapshot) and its page, against the synthetic demo database.

Expected figures are worked out here straight from the trust indicators, not through
the Scope's positions, so a slip in the snapshot's own arithmetic shows up.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from html.parser import HTMLParser

import openpyxl
import polars as pl
import pytest

from pswbench import paths
from pswbench.access import permissions
from pswbench.access.auth import User
from pswbench.access.scope import Scope
from pswbench.app import ui
from pswbench.reports import board_snapshot
from pswbench.reports.definitions import TRUST_LEVEL, suppression_rules
from pswbench.reports.queries import Queries
from tests.helpers.apptest_helpers import ACCOUNTS, audit_count, errors, last_audit, page_file, signed_in
from tests.unit.reports.test_board_sentences import fake_card

PERIOD = dt.date(2026, 9, 30)
BOARD = User(ACCOUNTS["board"][0], "board", "RX4")
LEAD = User(ACCOUNTS["trust_lead"][0], "trust_lead", "RX4")
ANALYST = User(ACCOUNTS["analyst"][0], "analyst", None)


@pytest.fixture(autouse=True)
def app_db(demo_app):
    return demo_app


@pytest.fixture
def q():
    # The app's own cached connection: a second one to the file would be refused by DuckDB's lock.
    return Queries(ui._open(str(paths.db_path())))


class _Cached:
    def __init__(self, q):
        self._q, self.version = q, q.data_version()

    def __getattr__(self, name):
        return getattr(self._q, name)


def build(q, user, *args):
    return board_snapshot.build(Scope(user, _Cached(q), q), *args)


def expected(q, trust: str, name: str, codes=None, user=ANALYST) -> dict:
    """The card's figures by hand; for anyone but an analyst over the other trusts whose figure they
    may see (basis of 5 or more), as docs/disclosure.md says."""
    df = q.trust_indicators(PERIOD)
    if codes is not None:
        df = df.filter(pl.col("trust_code").is_in(codes))
    if user.role != "analyst":
        df = df.filter((pl.col("trust_code") == user.trust_code) | (pl.col(suppression_rules()[name]) >= 5))
    mine = df.filter(pl.col("trust_code") == trust)[name][0]
    others = df.filter(pl.col("trust_code") != trust)[name].drop_nulls()
    return {
        "value": mine,
        "median": df[name].drop_nulls().median(),
        "lower": int((others < mine).sum()),
        "higher": int((others > mine).sum()),
    }


# ---- changes on the previous quarter --------------------------------------------------------------


def test_change_is_shown_at_the_cards_precision_so_a_small_real_change_is_not_called_none():
    card = fake_card("mean_wte_per_head", 0.7739, previous=0.8129)
    assert (card.value_text, card.change_text, card.change_is_zero) == ("0.77", "-0.04 WTE per head", False)


def test_change_wording_for_people_rates_and_no_change():
    assert fake_card("headcount", 21, previous=20).change_text == "+1 person"
    assert fake_card("headcount", 17, previous=20).change_text == "-3 people"
    rate = fake_card("sickness_rate", 0.0501, previous=0.0500)
    assert (rate.change_text, rate.change_is_zero) == ("+0.0 percentage points", True)
    assert fake_card("sickness_rate", 0.05).change_text is None  # no figure the quarter before
    assert fake_card("sickness_rate", 0.05).delta_colour == "inverse"
    assert fake_card("headcount", 5).delta_colour == "normal"
    assert fake_card("mean_wte_per_head", 0.8).delta_colour == "off"


# ---- data ---------------------------------------------------------------------------------------


def test_rx4_cards_match_the_indicators(q):
    snap = build(q, BOARD, PERIOD, "RX4")
    assert len(snap.cards) == len(TRUST_LEVEL)
    assert snap.trust_name == "Cumbria, Northumberland, Tyne and Wear NHS Foundation Trust"
    for name in ("headcount", "vacancy_rate", "sickness_rate", "leaver_rate_12m", "temporary_staffing_share"):
        card, want = snap.card(name), expected(q, "RX4", name, user=BOARD)
        assert card.value == pytest.approx(want["value"]), name
        assert card.position.median == pytest.approx(want["median"]), name
        assert (card.lower, card.higher) == (want["lower"], want["higher"]), name


def test_change_and_series_come_from_the_trusts_own_quarters(q):
    own = q.trust_indicators(None).filter(pl.col("trust_code") == "RX4").sort("period_end")
    by_quarter = dict(zip(own["period_end"].to_list(), own["sickness_rate"].to_list()))
    card = build(q, BOARD, PERIOD, "RX4").card("sickness_rate")
    assert [d for d, _ in card.series] == sorted(by_quarter)[-8:]
    assert card.series[-1] == (PERIOD, pytest.approx(by_quarter[PERIOD]))
    diff = (by_quarter[PERIOD] - by_quarter[dt.date(2026, 6, 30)]) * 100
    assert card.change_text == f"{diff:+.1f} percentage points"
    assert card.delta_colour == "inverse"  # lower is better: a rise shows as bad
    table = card.series_table()
    assert table.columns == ["Quarter ending", "Sickness absence rate (%)"]
    assert table["Sickness absence rate (%)"][-1] == pytest.approx(round(by_quarter[PERIOD] * 100, 2))


def test_region_group_compares_with_the_region_only(q):
    df = q.trust_indicators(PERIOD)
    region = df.filter(pl.col("trust_code") == "RX4")["region_code"][0]
    codes = df.filter(pl.col("region_code") == region)["trust_code"].to_list()
    snap = build(q, LEAD, PERIOD, "RX4", "region")
    want = expected(q, "RX4", "vacancy_rate", codes, user=LEAD)
    card = snap.card("vacancy_rate")
    assert card.position.median == pytest.approx(want["median"])
    assert card.others == want["lower"] + want["higher"] + card.same
    assert snap.group_short == "North East and Yorkshire"


@pytest.mark.parametrize("user", [BOARD, LEAD])
def test_board_and_lead_are_refused_another_trust(q, user):
    with pytest.raises(permissions.NotPermitted):
        build(q, user, PERIOD, "RAT")


def test_analyst_may_build_any_trust_but_not_an_unknown_one(q):
    assert build(q, ANALYST, PERIOD, "RAT").trust_code == "RAT"
    with pytest.raises(board_snapshot.UnknownTrust):
        build(q, ANALYST, PERIOD, "ZZZ")


def test_board_members_medians_and_counts_leave_out_suppressed_peers(q):
    """A peer whose headcount is hidden must not move the board member's median or counts."""
    snap, full = build(q, BOARD, PERIOD, "RX4"), expected(q, "RX4", "headcount")
    want = expected(q, "RX4", "headcount", user=BOARD)
    card = snap.card("headcount")
    assert (card.position.median, card.lower) == (want["median"], want["lower"])
    assert card.lower != full["lower"]  # the demo has small trusts below RX4: they are left out


# ---- page ---------------------------------------------------------------------------------------


def on_snapshot(role: str):
    at = signed_in(*ACCOUNTS[role])
    return at if role == "board" else at.switch_page(page_file("snapshot")).run()


def test_board_member_sees_rx4_with_ten_cards_and_the_board_pack(q):
    at = on_snapshot("board")
    assert not at.exception and not errors(at)
    assert [t.value for t in at.title] == [
        "How does Cumbria, Northumberland, Tyne and Wear NHS Foundation Trust compare? Quarter ending 30 September 2026"
    ]
    assert len(at.main.metric) == len(TRUST_LEVEL)
    head = next(m for m in at.main.metric if m.label == "PSW headcount")
    assert head.value == f"{expected(q, 'RX4', 'headcount')['value']:,}"
    assert "Trust" not in [s.label for s in at.selectbox]  # no choice of trust
    assert [b.label for b in at.main.download_button if b.key == "board-pack"] == [
        "Download the board pack (HTML, prints on one A4 page)"
    ]
    assert 3 <= at.main.markdown[0].value.count("\n- ") + 1 <= 5


@pytest.mark.parametrize("role", ["board", "trust_lead"])
def test_asking_for_another_trust_by_link_is_refused(role):
    at = on_snapshot(role)
    assert "Cumbria, Northumberland" in at.title[0].value and len(at.main.metric) == len(TRUST_LEVEL)
    at.query_params["trust"] = "RAT"
    at.run()
    assert any(e.startswith("Not permitted") for e in errors(at))
    assert len(at.main.metric) == 0 and len(at.main.download_button) == 0
    assert last_audit(ACCOUNTS[role][0]) == ("not_permitted", json.dumps({"what": "snapshot:RAT"}))


def test_board_member_cannot_steer_the_trust_through_session_state():
    at = on_snapshot("board")
    at.session_state["trust"] = "RAT"
    at.run()
    assert "Cumbria, Northumberland" in at.title[0].value


def test_unknown_trust_in_a_link_gets_a_plain_message_that_does_not_echo_it():
    at = on_snapshot("analyst")
    at.query_params["trust"] = "![x](https://example.org/x.png)"
    at.run()
    assert not at.exception
    assert errors(at) == ["There is no trust with that code. Choose a trust from the list."]
    assert len(at.main.metric) == 0


def test_analyst_can_pick_another_trust(q):
    at = on_snapshot("analyst")
    assert not at.exception
    at.selectbox(key="trust").select("RAT").run()
    assert at.title[0].value.startswith("How does North East London NHS Foundation Trust compare?")
    assert len(at.main.metric) == len(TRUST_LEVEL)
    sickness = next(m for m in at.main.metric if m.label == "Sickness absence rate")
    assert sickness.value == f"{expected(q, 'RAT', 'sickness_rate')['value']:.1%}"


class _Text(HTMLParser):
    def __init__(self, raw: bytes):
        super().__init__()
        self.tags, self.text = [], []
        self.feed(raw.decode("utf-8"))
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def test_board_pack_download_is_html_for_the_trust_and_is_audited(downloads):
    at = on_snapshot("board")
    email = ACCOUNTS["board"][0]
    made = audit_count("export", email, '%"board_pack": "RX4"%')
    raw = downloads["pswbench-board-pack-RX4-2026-09-30.html"]
    doc = _Text(raw)
    assert doc.tags[:2] == ["html", "head"] and "body" in doc.tags and "script" not in doc.tags
    text = " ".join(doc.text)
    assert "How does Cumbria, Northumberland, Tyne and Wear NHS Foundation Trust compare?" in text
    assert "SYNTHETIC DEMO DATA" in text

    before = audit_count("export", email, '%"board_pack": "RX4"%')
    assert before == made + 1  # made once, audited once
    at.run()  # a page view makes no board pack and records nothing
    assert audit_count("export", email, '%"board_pack": "RX4"%') == before
    downloads["pswbench-board-pack-RX4-2026-09-30.html"]  # what pressing the button does
    assert audit_count("export", email, '%"board_pack": "RX4"%') == before + 1


def test_table_files_are_made_and_audited_when_asked_for_not_on_every_view(downloads):
    """A card's data table offers CSV and XLSX; viewing the page makes neither file and records no
    export; reading a file (what pressing its button does) makes it and records one export."""
    at = on_snapshot("board")
    email = ACCOUNTS["board"][0]
    csv_name = min(name for name in dict.keys(downloads) if name.endswith(".csv"))
    exports = lambda fmt: audit_count("export", email, f'%"format": "{fmt}"%')  # noqa: E731
    before = {fmt: exports(fmt) for fmt in ("csv", "xlsx")}
    at.run()  # another view of the page
    assert {fmt: exports(fmt) for fmt in ("csv", "xlsx")} == before

    rows = downloads[csv_name].decode("utf-8-sig").splitlines()
    assert len(rows) >= 2
    assert exports("csv") == before["csv"] + 1 and exports("xlsx") == before["xlsx"]
    sheet = openpyxl.load_workbook(io.BytesIO(downloads[csv_name.replace(".csv", ".xlsx")]), read_only=True).active
    assert [str(c) for c in next(sheet.iter_rows(values_only=True))] == rows[0].split(",")
    assert exports("xlsx") == before["xlsx"] + 1


def test_analyst_following_a_link_gets_its_trust_in_the_picker_and_the_address_follows_the_picker():
    at = on_snapshot("analyst")
    at.query_params["trust"] = "RAT"
    at.run()
    assert at.selectbox(key="trust").value == "RAT"
    assert at.title[0].value.startswith("How does North East London NHS Foundation Trust compare?")
    at.selectbox(key="trust").select("RX4").run()
    assert at.query_params["trust"] == "RX4"
    assert "Cumbria, Northumberland" in at.title[0].value
    at.run()  # the address and the picker agree, so another run stays on RX4
    assert "Cumbria, Northumberland" in at.title[0].value and at.selectbox(key="trust").value == "RX4"


def test_analyst_with_an_unknown_linked_trust_still_gets_the_list_to_choose_from():
    at = on_snapshot("analyst")
    at.query_params["trust"] = "ZZZ"
    at.run()
    assert errors(at) == ["There is no trust with that code. Choose a trust from the list."]
    assert at.selectbox(key="trust").options  # the list the message points to is there
    at.selectbox(key="trust").select("RAT").run()
    assert not errors(at) and at.title[0].value.startswith("How does North East London")


def test_analyst_link_and_picker_agree_when_the_quarter_changes():
    """RNK (Tavistock and Portman) has a return for 2026-03-31 but not for the latest quarter: the
    link names it in every quarter, and where it has a return the picker shows it too."""
    at = on_snapshot("analyst")
    at.query_params["trust"] = "RNK"
    at.run()
    latest = at.selectbox(key="period").value
    assert not any("(RNK)" in o for o in at.selectbox(key="trust").options)
    assert "Tavistock and Portman" in at.title[0].value
    for period in (dt.date(2026, 3, 31), latest, dt.date(2026, 3, 31)):
        at.selectbox(key="period").set_value(period).run()
        assert "Tavistock and Portman" in at.title[0].value and at.query_params["trust"] == "RNK"
    assert at.selectbox(key="trust").value == "RNK"
