"""Characters that do not show as themselves: control, bidi, format and other invisible ones.

An email holding U+202E (right-to-left override) prints as a different address, and one holding an
ESC sequence rewrites the operator's terminal when `users list` prints it. Such emails are refused
when a user is added; anything printed to a terminal goes through escape() in case older rows have them.
"""

from __future__ import annotations

import unicodedata

# Cc control (C0, DEL, C1), Cf format (bidi embeddings, overrides and isolates, zero-width space and
# joiners, BOM, soft hyphen), Cs surrogates, Co private use, Cn unassigned, and every separator but
# the plain space (Zs no-break and other-width spaces, Zl line and Zp paragraph separators).
_HIDDEN_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp", "Zs"}
# Shown as blank or nothing without being a format character.
_ALSO_HIDDEN = {"\u115f", "\u1160", "\u3164", "\uffa0", "\u2800", "\u034f"}


def is_hidden(ch: str) -> bool:
    return ch != " " and (unicodedata.category(ch) in _HIDDEN_CATEGORIES or ch in _ALSO_HIDDEN)


def hidden_characters(text: str) -> list[tuple[int, str]]:
    """(1-based position, 'U+XXXX NAME') of every character in text that does not show as itself."""
    return [(i, describe(ch)) for i, ch in enumerate(text, 1) if is_hidden(ch)]


def describe(ch: str) -> str:
    return f"U+{ord(ch):04X} {unicodedata.name(ch, 'unnamed character')}"


def escape(text: object) -> str:
    """text with every hidden character written as an escape (\\u202e, \\x1b), safe to print."""
    out = []
    for ch in str(text):
        if is_hidden(ch):
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
        elif ch == "\\":
            out.append("\\\\")  # so an escape shown is never mistaken for a backslash typed
        else:
            out.append(ch)
    return "".join(out)
