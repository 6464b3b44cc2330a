"""The session cookie (pswbench.access.session_cookie) and what one process remembers of sign-ins
(pswbench.access.session_registry): genuine, current cookies sign in; altered, foreign, expired, idle and
signed-out ones do not; hand-over tokens work once, briefly, for one browser."""

from __future__ import annotations

import base64
import json
import zlib

import pytest

from pswbench.access import session_cookie
from pswbench.access.session_cookie import ABSOLUTE, IDLE, Refused
from pswbench.access.session_registry import TOKEN_SECONDS, Registry
from pswbench.store import database

KEY = "k" * 64
NOW = 1_800_000_000


def test_a_genuine_cookie_gives_back_its_claims():
    value, claims = session_cookie.issue(KEY, "lead@rx4.nhs.uk", now=NOW)
    assert session_cookie.decode(KEY, value, now=NOW + 10) == claims
    assert claims.email == "lead@rx4.nhs.uk" and claims.issued == claims.seen == NOW and len(claims.sid) >= 20


def _payload(value: str) -> dict:
    body = value.rsplit(".", 1)[0]
    compressed = body.startswith(".")
    raw = base64.urlsafe_b64decode(body.lstrip(".") + "=" * (-len(body.lstrip(".")) % 4))
    return json.loads(zlib.decompress(raw) if compressed else raw)


def _with_payload(value: str, payload: dict) -> str:
    """The same signature on another payload: what someone editing the cookie by hand makes."""
    body = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
    return f"{body}.{value.rsplit('.', 1)[1]}"


def test_a_cookie_edited_by_hand_is_refused():
    value, _ = session_cookie.issue(KEY, "lead@rx4.nhs.uk", now=NOW)
    payload = _payload(value)
    assert payload["e"] == "lead@rx4.nhs.uk"
    forged = _with_payload(value, {**payload, "e": "analyst@hee.nhs.uk"})
    with pytest.raises(Refused, match="signature"):
        session_cookie.decode(KEY, forged, now=NOW)
    flipped = value[:-3] + ("A" if value[-3] != "A" else "B") + value[-2:]
    with pytest.raises(Refused, match="signature"):
        session_cookie.decode(KEY, flipped, now=NOW)


@pytest.mark.parametrize("junk", ["", "x", "a.b", "..", "not-a-cookie." * 20, "\u00e9\u00e9.\u00e9"])
def test_junk_is_refused(junk):
    with pytest.raises(Refused):
        session_cookie.decode(KEY, junk, now=NOW)


def test_a_cookie_signed_with_another_databases_key_is_refused(tmp_path):
    keys = []
    for name in ("a", "b"):
        con = database.connect(tmp_path / f"{name}.duckdb")
        keys.append(session_cookie.signing_key(con))
        con.close()
    assert all(k and len(k) == 64 for k in keys) and keys[0] != keys[1]  # one random key per database
    value, _ = session_cookie.issue(keys[0], "lead@rx4.nhs.uk", now=NOW)
    assert session_cookie.decode(keys[0], value, now=NOW).email == "lead@rx4.nhs.uk"
    with pytest.raises(Refused, match="signature"):
        session_cookie.decode(keys[1], value, now=NOW)


def test_the_absolute_limit_holds_however_active_the_sign_in_was():
    value, claims = session_cookie.issue(KEY, "lead@rx4.nhs.uk", now=NOW)
    busy = session_cookie.seen_again(KEY, claims, now=NOW + ABSOLUTE - 60)
    assert session_cookie.decode(KEY, busy, now=NOW + ABSOLUTE).sid == claims.sid
    with pytest.raises(Refused, match="absolute"):
        session_cookie.decode(KEY, busy, now=NOW + ABSOLUTE + 1, last_activity=lambda sid: NOW + ABSOLUTE)


def test_the_idle_limit_counts_from_the_latest_activity():
    value, claims = session_cookie.issue(KEY, "lead@rx4.nhs.uk", now=NOW)
    assert session_cookie.decode(KEY, value, now=NOW + IDLE).sid == claims.sid
    with pytest.raises(Refused, match="idle"):
        session_cookie.decode(KEY, value, now=NOW + IDLE + 1)
    # busy in this process (script runs) since the cookie was last re-issued: still signed in
    assert (
        session_cookie.decode(
            KEY, value, now=NOW + IDLE + 1, last_activity=lambda sid: NOW + IDLE if sid == claims.sid else None
        )
        == claims
    )
    # re-issued on an HTTP request: the new `seen` counts, the sign-in and its start stay
    later = session_cookie.seen_again(KEY, claims, now=NOW + IDLE)
    again = session_cookie.decode(KEY, later, now=NOW + IDLE + 60)
    assert (again.sid, again.issued, again.seen) == (claims.sid, NOW, NOW + IDLE)


def test_a_cookie_from_the_future_is_refused():
    value, _ = session_cookie.issue(KEY, "lead@rx4.nhs.uk", now=NOW + session_cookie.CLOCK_SKEW + 60)
    with pytest.raises(Refused, match="future"):
        session_cookie.decode(KEY, value, now=NOW)


def test_signed_out_cookies_are_refused_in_this_process():
    reg = Registry()
    value, claims = session_cookie.issue(KEY, "lead@rx4.nhs.uk")
    other, _ = session_cookie.issue(KEY, "lead@rx4.nhs.uk")  # the same user's sign-in in another browser
    assert reg.check(KEY, value) == claims
    reg.bind("session-1", claims.sid)
    reg.revoke(claims)
    with pytest.raises(Refused, match="signed out"):
        reg.check(KEY, value)
    assert reg.bound_sid("session-1") is None
    assert reg.check(KEY, other).email == "lead@rx4.nhs.uk"


def test_registry_activity_keeps_an_idle_cookie_alive():
    reg = Registry()
    value, claims = session_cookie.issue(KEY, "lead@rx4.nhs.uk", now=NOW)
    reg.touch(claims.sid, now=NOW + IDLE)
    assert reg.check(KEY, value, now=NOW + IDLE + 10) == claims
    with pytest.raises(Refused, match="idle"):
        reg.check(KEY, value, now=NOW + 2 * IDLE + 10)


def test_a_hand_over_token_works_once_for_its_own_browser_and_briefly():
    reg = Registry()
    token = reg.mint("lead@rx4.nhs.uk", "xsrf-of-this-browser", now=NOW)
    assert reg.redeem(token, "xsrf-of-another-browser", now=NOW + 1) is None  # and it is used up
    assert reg.redeem(token, "xsrf-of-this-browser", now=NOW + 1) is None
    token = reg.mint("lead@rx4.nhs.uk", "xsrf-of-this-browser", now=NOW)
    assert reg.redeem(token, "xsrf-of-this-browser", now=NOW + 1) == "lead@rx4.nhs.uk"
    assert reg.redeem(token, "xsrf-of-this-browser", now=NOW + 2) is None
    late = reg.mint("lead@rx4.nhs.uk", "xsrf-of-this-browser", now=NOW)
    assert reg.redeem(late, "xsrf-of-this-browser", now=NOW + TOKEN_SECONDS + 1) is None
    assert reg.redeem("made-up", None, now=NOW) is None
