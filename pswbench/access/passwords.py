"""Which passwords `users add` accepts, following the NCSC's password guidance.

NCSC (Password policy: updating your approach; Three random words): no composition rules (no
forced digits or symbols), no expiry, a minimum length, and a deny list of the passwords attackers
try first. Here:

* at least MIN_LENGTH characters (12: longer than NCSC's floor of 8, since nothing else rate-limits
  an offline attack on a leaked snapshot's hashes but argon2) and at most MAX_LENGTH (the sign-in
  form takes 256, so a longer password could never be typed there);
* not only whitespace (12 spaces is 12 characters and no secret);
* not guessable: zxcvbn (Dropbox's estimator, the `zxcvbn` package) matches the password against its
  lists of common passwords (about 30,000, from leaked-password corpora), English words, names and
  surnames, and keyboard patterns, repeats, sequences and dates, and against words of this account
  and service (its email, "pswbench", "nhs"). A password it scores below MIN_SCORE (3, i.e. it
  estimates fewer than 10^8 guesses; zxcvbn calls 3 "safely unguessable: moderate protection from an
  offline slow-hash scenario", and argon2 is such a hash) is refused with zxcvbn's own warning.
  Three random words pass.
"""

from __future__ import annotations

import re

MIN_LENGTH = 12
MAX_LENGTH = 256
MIN_SCORE = 3
_ZXCVBN_MAX = 72  # zxcvbn refuses longer input; beyond 72 characters the rest only adds guesses
_SERVICE_WORDS = ("pswbench", "nhs", "peer support", "hee", "password")


class WeakPassword(ValueError):
    """str(exc) says plainly why the password is refused and what to choose instead."""


def context_words(email: str, *extra: str | None) -> list[str]:
    """The words of this account and service, which a password must not be built from."""
    local, _, domain = (email or "").partition("@")
    parts = [p for p in re.split(r"[@._+\-]+", email or "") if p]
    return [w for w in (email, local, domain, *parts, *_SERVICE_WORDS, *extra) if w]


def check(password: str, email: str = "", *extra: str | None) -> None:
    """Raise WeakPassword unless password meets the policy above."""
    if len(password) < MIN_LENGTH:
        raise WeakPassword(
            f"The password must be at least {MIN_LENGTH} characters long; it has {len(password)}. "
            "Three random words make a long password that is easy to remember."
        )
    if len(password) > MAX_LENGTH:
        raise WeakPassword(
            f"The password must be at most {MAX_LENGTH} characters long (the sign-in form takes "
            f"no more); it has {len(password)}."
        )
    if not password.strip():
        raise WeakPassword(
            "The password is only spaces or other blank characters. Choose one with words in it, "
            "for example three random words."
        )
    from zxcvbn import zxcvbn  # imported here: only `users add` needs it

    result = zxcvbn(password[:_ZXCVBN_MAX], user_inputs=context_words(email, *extra))
    if result["score"] < MIN_SCORE:
        feedback = result.get("feedback") or {}
        why = (feedback.get("warning") or "It follows a pattern that is quick to guess.").rstrip(".")
        tips = " ".join(feedback.get("suggestions") or [])
        raise WeakPassword(
            f"The password is too easy to guess: {why}. {tips + ' ' if tips else ''}"
            "Choose another, for example three random words."
        )
