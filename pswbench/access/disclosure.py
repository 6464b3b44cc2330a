"""What a user may receive of other trusts: peer labels and primary suppression of small numbers.

The only place suppression and labelling happen (docs/disclosure.md): a value built on fewer than
SMALL_NUMBER_THRESHOLD people in another trust's row becomes a typed null listed in `suppressed`, and
another trust's code and name become a "Peer NN" label drawn afresh for each quarter.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping

import polars as pl

from pswbench.access.auth import User
from pswbench.access.permissions import is_analyst

SMALL_NUMBER_THRESHOLD = 5
SUPPRESSED_TEXT = f"suppressed (<{SMALL_NUMBER_THRESHOLD})"
SUPPRESSED_COL = "suppressed"  # per row: the value columns hidden from this user


def peer_labels(trust_codes: Iterable[str], salt: str, period: dt.date) -> dict[str, str]:
    """Anonymised labels "Peer 01", "Peer 02", ... for every code in the reference list, for one quarter.

    Numbered in order of sha256(salt + quarter end + code): the numbering follows neither the
    alphabetical order of codes nor the previous quarter's, so a label cannot be followed to the
    quarter a trust opened or closed (public dates). Within a quarter a trust has one label on every
    page and download. Pass the full trust reference list, so the numbering does not depend on which
    trusts happen to have a return.
    """
    if not isinstance(salt, str) or not salt:
        raise ValueError("peer_labels needs a non-empty secret salt")
    when = period.isoformat()
    codes = sorted({c for c in trust_codes if c is not None})
    ordered = sorted(codes, key=lambda c: (hashlib.sha256((salt + when + c).encode("utf-8")).hexdigest(), c))
    width = max(2, len(str(len(ordered))))
    return {code: f"Peer {i:0{width}d}" for i, code in enumerate(ordered, start=1)}


def hidden(name: str) -> pl.Expr:
    """True where the row's value of `name` is suppressed for the user (see disclose)."""
    return pl.col(SUPPRESSED_COL).list.contains(pl.lit(name))


def disclose(
    df: pl.DataFrame, user: User, salt: str, all_trust_codes: Iterable[str], rules: Mapping[str, str]
) -> pl.DataFrame:
    """Trust rows as this user may receive them: the only place primary suppression and labelling happen.

    Adds `is_own`, `label` and `suppressed` (the value columns hidden in that row, a typed list, empty for
    analysts and for the user's own trust). For anyone but an analyst:
    * a value whose basis (rules: value column -> column of people behind it) is below the threshold or
      missing, in another trust's row, becomes null and is listed in `suppressed`;
    * another trust's code and name become its peer label for the row's quarter (period_end);
    * rows are ordered by quarter and label, never by trust code.
    Analysts get every value, names as labels, rows by quarter and trust name. A code missing from
    all_trust_codes raises ValueError rather than being shown.
    """
    codes = list(all_trust_codes)
    own = pl.col("trust_code") == pl.lit(user.trust_code or "", dtype=pl.String)
    df = df.with_columns(own.fill_null(False).alias("is_own"))
    present = [c for c in rules if c in df.columns]
    missing = sorted({rules[c] for c in present} - set(df.columns))
    if missing:
        raise ValueError(f"count columns not in the data: {', '.join(missing)}")
    if is_analyst(user):
        return df.with_columns(
            pl.col("trust_name").alias("label"), pl.lit([], dtype=pl.List(pl.String)).alias(SUPPRESSED_COL)
        ).sort("period_end", "trust_name")
    unknown = sorted(set(df["trust_code"].drop_nulls().unique().to_list()) - set(codes))
    if unknown:
        raise ValueError(f"trust codes not in the reference list: {', '.join(map(str, unknown))}")
    small = {c: pl.col(rules[c]).is_null() | (pl.col(rules[c]) < SMALL_NUMBER_THRESHOLD) for c in present}
    flags = (
        pl.concat_list(
            [pl.when(~pl.col("is_own") & small[c]).then(pl.lit(c)).otherwise(None) for c in present]
        ).list.drop_nulls()
        if present
        else pl.lit([], pl.List(pl.String))
    )
    # Every expression reads the input frame, so a basis that is also a value (headcount) is read first.
    df = df.with_columns(
        flags.alias(SUPPRESSED_COL),
        *[pl.when(~pl.col("is_own") & small[c]).then(None).otherwise(pl.col(c)).alias(c) for c in present],
    )
    labels = pl.DataFrame(
        [
            (p, code, label)
            for p in df["period_end"].unique().to_list()
            for code, label in peer_labels(codes, salt, p).items()
        ],
        schema={"period_end": df.schema["period_end"], "trust_code": pl.String, "label": pl.String},
        orient="row",
    )
    df = df.join(labels, on=["period_end", "trust_code"], how="left")
    label = pl.when(pl.col("is_own")).then(pl.col("trust_name")).otherwise(pl.col("label"))
    named = pl.when(pl.col("is_own"))
    return df.with_columns(
        label.alias("label"),
        named.then(pl.col("trust_code")).otherwise(pl.col("label")).alias("trust_code"),
        named.then(pl.col("trust_name")).otherwise(pl.col("label")).alias("trust_name"),
    ).sort("period_end", "label")
