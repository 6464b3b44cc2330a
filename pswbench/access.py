"""Who may see and do what. Enforced in the data layer, below the pages; pure functions.

* Analysts (HEE) see every trust by name, in full, and may upload for any trust.
* Trust leads see their own trust in full; other trusts appear as stable anonymised
  "Peer NN" labels, and small numbers (fewer than 5 people) for other trusts are suppressed.
  They may upload only for their own trust.
* Board members see the snapshot and definitions only, under the same anonymisation and
  suppression as trust leads, and never upload.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping

import polars as pl

from .auth import User

PAGES_BY_ROLE: dict[str, tuple[str, ...]] = {
    "analyst": ("overview", "regions", "benchmark", "snapshot", "upload", "submissions", "definitions"),
    "trust_lead": ("benchmark", "snapshot", "upload", "regions", "overview", "definitions"),
    "board": ("snapshot", "definitions"),
}
SMALL_NUMBER_THRESHOLD = 5
SUPPRESSED_TEXT = "suppressed (<5)"


class NotPermitted(PermissionError):
    """The signed-in user may not do this; str(exc) is a plain message."""


def _is_analyst(user: User) -> bool:
    return user.role == "analyst"


def can_view_trust_named(user: User, trust_code: str | None) -> bool:
    """May this user see this trust's code and name (rather than a peer label)?"""
    if _is_analyst(user):
        return True
    return trust_code is not None and trust_code == user.trust_code


def can_upload_for(user: User, trust_code: str | None) -> bool:
    """Analysts for any trust; trust leads for their own trust only; board members never."""
    if not trust_code:
        return False
    if _is_analyst(user):
        return True
    if user.role == "trust_lead":
        return trust_code == user.trust_code
    return False


def pages_for(user: User) -> list[str]:
    """The page keys this user may open, in menu order (none for an unknown role)."""
    return list(PAGES_BY_ROLE.get(user.role, ()))


def require_page(user: User, page_key: str) -> None:
    """Raise NotPermitted unless the user may open the page."""
    if page_key not in pages_for(user):
        raise NotPermitted("You do not have access to this page. Ask an HEE analyst if you need it.")


def peer_labels(trust_codes: Iterable[str], salt: str) -> dict[str, str]:
    """Anonymised labels "Peer 01", "Peer 02", ... for every code in the reference list.

    Numbered in order of sha256(salt + code), so the numbering does not follow the
    alphabetical order of codes. Pass the full trust reference list (not only the trusts in the
    current data) so a trust keeps its label whichever trusts are present in a period.
    """
    if not isinstance(salt, str) or not salt:
        raise ValueError("peer_labels needs a non-empty secret salt")
    codes = sorted({c for c in trust_codes if c is not None})
    ordered = sorted(codes, key=lambda c: (hashlib.sha256((salt + c).encode("utf-8")).hexdigest(), c))
    width = max(2, len(str(len(ordered))))
    return {code: f"Peer {i:0{width}d}" for i, code in enumerate(ordered, start=1)}


def present_trusts(
    df: pl.DataFrame,
    user: User,
    salt: str,
    all_trust_codes: Iterable[str],
    code_col: str = "trust_code",
    name_col: str = "trust_name",
) -> pl.DataFrame:
    """For non-analysts, replace other trusts' code and name with their peer label.

    The user's own trust is kept in full; analysts get df unchanged. Rows with a null code
    (aggregates) are left as they are. A code missing from all_trust_codes raises ValueError
    rather than being shown.
    """
    if _is_analyst(user):
        return df
    if code_col not in df.columns:
        raise ValueError(f"column {code_col!r} is not in the data")
    labels = peer_labels(all_trust_codes, salt)
    present = set(df.get_column(code_col).drop_nulls().unique().to_list())
    unknown = sorted(present - set(labels))
    if unknown:
        raise ValueError(f"trust codes not in the reference list: {', '.join(map(str, unknown))}")
    code = pl.col(code_col)
    other = code.is_not_null() & (code != pl.lit(user.trust_code, dtype=pl.String))
    label = code.replace_strict(labels, default=None, return_dtype=pl.String)
    exprs = [pl.when(other).then(label).otherwise(code.cast(pl.String)).alias(code_col)]
    if name_col in df.columns:
        name = pl.col(name_col)
        exprs.append(pl.when(other).then(label).otherwise(name.cast(pl.String)).alias(name_col))
    return df.with_columns(exprs)


def suppress_small_numbers(
    df: pl.DataFrame,
    user: User,
    rules: Mapping[str, str],
    code_col: str = "trust_code",
) -> pl.DataFrame:
    """For non-analysts, hide values built on fewer than 5 people in rows for other trusts.

    rules maps a value column to the count column behind it, e.g. {'sickness_rate': 'headcount'}.
    For a non-analyst every value column in rules becomes text (for display); in rows that are not
    the user's own trust (including rows with no trust code), a value whose count is below 5 or
    missing becomes "suppressed (<5)". Own-trust rows, and analysts, always see values in full.
    Value columns absent from df are skipped; a missing count column for a present value column
    raises ValueError (so a typo cannot silently leave numbers unsuppressed).
    """
    if _is_analyst(user):
        return df
    if code_col not in df.columns:
        raise ValueError(f"column {code_col!r} is not in the data")
    code = pl.col(code_col)
    own = code.is_not_null() & (code.cast(pl.String) == pl.lit(user.trust_code, dtype=pl.String))
    exprs = []
    for value_col, count_col in rules.items():
        if value_col not in df.columns:
            continue
        if count_col not in df.columns:
            raise ValueError(f"count column {count_col!r} for {value_col!r} is not in the data")
        count = pl.col(count_col)
        small = count.is_null() | (count < SMALL_NUMBER_THRESHOLD)
        exprs.append(
            pl.when(~own & small)
            .then(pl.lit(SUPPRESSED_TEXT))
            .otherwise(pl.col(value_col).cast(pl.String))
            .alias(value_col)
        )
    # with_columns evaluates every expression against the input, so a count column that is also
    # a value column (headcount -> headcount) is read before it is replaced.
    return df.with_columns(exprs) if exprs else df
