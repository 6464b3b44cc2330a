"""What a user may receive of the workforce demographics (docs/disclosure.md, "Demographics"). Pure functions.

Analysts get everything. A trust lead gets their own trust in full; a board member their own trust as
shares with the categories of 1 to 4 people combined. Other trusts reach a non-analyst only pooled, by
region and for England, over the trusts whose headcount that user may see, with small cells suppressed
and complementary cells suppressed until no small cell can be solved from the totals (checked as a linear
system, so region minus trusts, England minus regions and the pool minus the user's own trust are all
covered). Categories stay in the return's order: nothing is sorted by value.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from pswbench.access.disclosure import SMALL_NUMBER_THRESHOLD
from pswbench.returns.contract import DEMOGRAPHIC_DIMENSIONS, NOT_STATED

MIN_OTHER_TRUSTS = 2  # a pool shown to a non-analyst holds at least this many trusts besides their own
COMBINED = "fewer_than_5_combined"
COMBINED_LABEL = f"Other or not stated, fewer than {SMALL_NUMBER_THRESHOLD} each"
NATIONAL = "ENG"
REST = "_withheld"  # the regions not shown, together: never shown, but England minus the regions shown
OUT_COLUMNS = (
    "period_end",
    "level",
    "code",
    "name",
    "dimension",
    "category",
    "headcount",
    "stated_headcount",
    "total_headcount",
    "share_of_stated",
    "not_stated_share",
    "n_trusts",
    "suppressed",
)


def is_small(n: int) -> bool:
    return 0 < n < SMALL_NUMBER_THRESHOLD


def with_shares(cells: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """Dimension totals and shares over cells (keys + dimension, category, headcount): share of stated
    = people ÷ people whose category is stated (not stated left out of the denominator); not-stated
    share = not stated ÷ everyone. The same formulas as sql/marts/demographics_*.sql."""
    by = [*keys, "dimension"]
    stated = pl.col("headcount").filter(pl.col("category") != NOT_STATED).sum()
    not_stated = pl.col("headcount").filter(pl.col("category") == NOT_STATED).sum()
    totals = cells.group_by(by).agg(
        stated.alias("stated_headcount"),
        pl.col("headcount").sum().alias("total_headcount"),
        not_stated.alias("_not_stated"),
    )
    out = cells.join(totals, on=by, how="left")
    return out.with_columns(
        pl.when(pl.col("category") == NOT_STATED)
        .then(None)
        .otherwise(pl.col("headcount") / pl.when(pl.col("stated_headcount") > 0).then(pl.col("stated_headcount")))
        .alias("share_of_stated"),
        (pl.col("_not_stated") / pl.when(pl.col("total_headcount") > 0).then(pl.col("total_headcount"))).alias(
            "not_stated_share"
        ),
    ).drop("_not_stated")


def complete(trust_rows: pl.DataFrame) -> pl.DataFrame:
    """Every category of the return for every trust and dimension (a category not sent counts 0)."""
    grid = pl.DataFrame(
        [(d, c) for d, (_l, cats) in DEMOGRAPHIC_DIMENSIONS.items() for c, _ in cats],
        schema={"dimension": pl.String, "category": pl.String},
        orient="row",
    )
    trusts = trust_rows.select("period_end", "trust_code", "region_code").unique()
    full = trusts.join(grid, how="cross").join(
        trust_rows.select("period_end", "trust_code", "dimension", "category", "headcount"),
        on=["period_end", "trust_code", "dimension", "category"],
        how="left",
    )
    return full.with_columns(pl.col("headcount").fill_null(0))


# ---- own trust --------------------------------------------------------------------------------


def own_trust_in_full(rows: pl.DataFrame, name: str) -> pl.DataFrame:
    """The user's own trust (or any trust, for an analyst), every figure."""
    return _shape(rows.with_columns(pl.lit("trust").alias("level"), pl.lit(name).alias("name")), "trust_code")


def own_trust_for_board(rows: pl.DataFrame, name: str) -> pl.DataFrame:
    """A board member's own trust: shares only; the categories of 1 to 4 people (not stated included)
    folded into one COMBINED row, with the next-smallest folded in when only one is that small, so the
    row never stands for one small group. Its share is of everyone (it may hold not stated)."""
    frames = []
    for _dim, part in rows.group_by("dimension", maintain_order=True):
        small = [c for c, n in zip(part["category"], part["headcount"]) if is_small(n)]
        if len(small) == 1:
            rest = part.filter(~pl.col("category").is_in(small) & (pl.col("headcount") > 0)).sort("headcount")
            small += rest["category"].head(1).to_list()
        combined_ns = NOT_STATED in small
        keep = part.filter(~pl.col("category").is_in(small))
        if small:
            merged = part.filter(pl.col("category").is_in(small))
            total = part["total_headcount"][0]
            row = keep.head(0).vstack(
                merged.head(1).with_columns(
                    pl.lit(COMBINED).alias("category"),
                    pl.lit(int(merged["headcount"].sum())).cast(part.schema["headcount"]).alias("headcount"),
                    pl.lit(None, dtype=pl.Float64).alias("share_of_stated"),
                )
            )
            keep = keep.vstack(row)
            share_all = float(merged["headcount"].sum()) / total if total else None
        else:
            share_all = None
        keep = keep.with_columns(
            pl.when(pl.col("category") == COMBINED)
            .then(pl.lit(share_all, dtype=pl.Float64))
            .otherwise(pl.col("share_of_stated"))
            .alias("share_of_stated")
        )
        if combined_ns:  # the stated total and not-stated share would give the combined row's parts back
            keep = keep.with_columns(
                pl.lit(None, dtype=pl.Float64).alias("not_stated_share"),
                pl.lit(None, dtype=keep.schema["stated_headcount"]).alias("stated_headcount"),
            )
        frames.append(keep)
    out = pl.concat(frames) if frames else rows
    out = out.with_columns(pl.lit(None, dtype=out.schema["headcount"]).alias("headcount"))
    return own_trust_in_full(out, name)


def _shape(df: pl.DataFrame, code_col: str | None) -> pl.DataFrame:
    if code_col is not None:
        df = df.with_columns(pl.col(code_col).alias("code"))
    if "suppressed" not in df.columns:
        df = df.with_columns(pl.lit(False).alias("suppressed"))
    return df.with_columns(pl.col("n_trusts").cast(pl.Int64)).select(OUT_COLUMNS)


def analyst_pool(marts: pl.DataFrame, level: str) -> pl.DataFrame:
    """The region or national mart as an analyst receives it (every trust, every figure)."""
    if level == "national":
        df = marts.with_columns(pl.lit("national").alias("level"), pl.lit(NATIONAL).alias("code"))
        df = df.with_columns(pl.lit("England").alias("name"))
    else:
        df = marts.with_columns(pl.lit("region").alias("level"), pl.col("region_code").alias("code"))
        df = df.with_columns(pl.col("region_name").alias("name"))
    return _shape(df, None)


# ---- pools for non-analysts -------------------------------------------------------------------


@dataclass(frozen=True)
class Pools:
    """A non-analyst's pooled demographics for one quarter: frame (national and the regions shown, in
    OUT_COLUMNS) and the regions withheld with at least one trust (code -> trusts it pools)."""

    frame: pl.DataFrame
    withheld: dict[str, int]


def shown_regions(others: dict[str, int]) -> tuple[list[str], list[str]]:
    """Which regions a non-analyst may see pooled, given the trusts each pools besides theirs: each
    shown region holds MIN_OTHER_TRUSTS of them, and the regions withheld together hold none or at least
    MIN_OTHER_TRUSTS (England minus the shown regions is them)."""
    shown = sorted(r for r, n in others.items() if n >= MIN_OTHER_TRUSTS)
    withheld = sorted(r for r in others if r not in shown)
    if sum(others.values()) < MIN_OTHER_TRUSTS:
        return [], sorted(others)
    while 0 < sum(others[r] for r in withheld) < MIN_OTHER_TRUSTS and shown:
        smallest = min(shown, key=lambda r: (others[r], r))
        shown.remove(smallest)
        withheld.append(smallest)
    return shown, sorted(withheld)


def protect(values: np.ndarray, others: np.ndarray, displayed: int) -> np.ndarray:
    """Which cells of one dimension's table to suppress (a boolean array like values).

    values: people per row and category (pooled); others: the same less the user's own trust (what they
    can work out); rows 0..displayed-1 are shown (regions, then England last), rows from `displayed` up to
    the last-but-one are withheld (never shown, every cell unknown). The last row is England, whose cells
    are the column sums. Every row's total is taken as known.
    """
    n_rows, n_cols = values.shape
    sensitive = np.vectorize(is_small)(values) | np.vectorize(is_small)(others)
    shown_rows = [*range(displayed - 1), n_rows - 1] if displayed else []
    hidden_rows = [r for r in range(n_rows) if r not in shown_rows]
    suppressed = np.zeros_like(values, dtype=bool)
    for r in shown_rows:
        suppressed[r] = sensitive[r]

    def unknown() -> np.ndarray:
        u = suppressed.copy()
        u[hidden_rows] = True
        return u

    def add_in_row(r: int) -> bool:
        visible = [c for c in range(n_cols) if not suppressed[r, c]]
        if not visible:
            return False
        # Zeros last: a reader who knows the rule would otherwise know a suppressed zero.
        suppressed[r, min(visible, key=lambda c: (values[r, c] == 0, values[r, c], c))] = True
        return True

    def add_in_column(c: int) -> bool:
        visible = [r for r in shown_rows if not suppressed[r, c]]
        if not visible:
            return False
        suppressed[min(visible, key=lambda r: (values[r, c] == 0, values[r, c], r)), c] = True
        return True

    for _ in range(values.size + 1):
        for r in shown_rows:
            if suppressed[r].sum() == 1:
                add_in_row(r)
        solved = [cell for cell in determined(unknown()) if sensitive[cell]]
        if not solved:
            return suppressed
        r, c = solved[0]
        if not (r in shown_rows and add_in_row(r)) and not add_in_column(c):
            suppressed[shown_rows, c] = True
    return suppressed


def determined(unknown: np.ndarray) -> list[tuple[int, int]]:
    """The unknown cells a reader can solve exactly from every row's total and every column's sum (the
    last row is the sum of the others): cell j is solved when e_j lies in the row space of the system."""
    n_rows, n_cols = unknown.shape
    cells = [tuple(map(int, rc)) for rc in np.argwhere(unknown)]
    if not cells:
        return []
    index = {cell: i for i, cell in enumerate(cells)}
    equations = []
    for r in range(n_rows):
        row = np.zeros(len(cells))
        for c in range(n_cols):
            if (r, c) in index:
                row[index[(r, c)]] = 1
        equations.append(row)
    for c in range(n_cols if n_rows > 1 else 0):  # England alone: no regions to add up
        col = np.zeros(len(cells))
        for r in range(n_rows):
            if (r, c) in index:
                col[index[(r, c)]] = -1 if r == n_rows - 1 else 1
        equations.append(col)
    a = np.array(equations)
    rank = np.linalg.matrix_rank(a)
    out = []
    for cell, i in index.items():
        e = np.zeros(len(cells))
        e[i] = 1
        if np.linalg.matrix_rank(np.vstack([a, e])) == rank:
            out.append(cell)
    return out


def pools_for(trust_rows: pl.DataFrame, own_code: str | None, region_names: dict[str, str]) -> Pools:
    """National and region pools of one quarter as a non-analyst receives them. trust_rows: the trusts
    this user's pools may hold (headcount visible to them, demographics matching it), completed."""
    rows = complete(trust_rows) if trust_rows.height else trust_rows
    if rows.height == 0:
        return Pools(pl.DataFrame(schema=_out_schema()), {})
    period = rows["period_end"][0]
    trusts = rows.select("trust_code", "region_code").unique()
    per_region = dict(trusts.group_by("region_code").len().iter_rows())
    own_region = next((r for c, r in trusts.iter_rows() if c == own_code), None)
    others = {r: n - (1 if r == own_region else 0) for r, n in per_region.items()}
    shown, withheld = shown_regions(others)
    if not shown and sum(others.values()) < MIN_OTHER_TRUSTS:
        return Pools(pl.DataFrame(schema=_out_schema()), {r: per_region[r] for r in withheld})
    out = []
    for dim, (_label, cats) in DEMOGRAPHIC_DIMENSIONS.items():
        codes = [c for c, _ in cats]
        part = rows.filter(pl.col("dimension") == dim)
        by_region = {
            (r, c): int(n)
            for r, c, n in part.group_by("region_code", "category").agg(pl.col("headcount").sum()).iter_rows()
        }
        own = {c: int(n) for t, c, n in part.select("trust_code", "category", "headcount").iter_rows() if t == own_code}
        row_keys = [*shown, *([REST] if withheld else []), NATIONAL]

        members = {NATIONAL: list(per_region), REST: withheld, **{r: [r] for r in shown}}
        holds_own = {k: own_region in regions for k, regions in members.items()}
        values = np.array(
            [[sum(by_region.get((r, c), 0) for r in members[k]) for c in codes] for k in row_keys], dtype=np.int64
        )
        minus = np.array([[own.get(c, 0) if holds_own[k] else 0 for c in codes] for k in row_keys], dtype=np.int64)
        hidden = protect(values, values - minus, len(shown) + 1)
        for i, key in enumerate(row_keys):
            if key == REST:
                continue
            n_trusts = sum(per_region.values()) if key == NATIONAL else per_region[key]
            for j, c in enumerate(codes):
                out.append((key, dim, c, int(values[i, j]), bool(hidden[i, j]), n_trusts))
    cells = pl.DataFrame(
        out,
        schema={
            "code": pl.String,
            "dimension": pl.String,
            "category": pl.String,
            "headcount": pl.Int64,
            "suppressed": pl.Boolean,
            "n_trusts": pl.Int64,
        },
        orient="row",
    )
    df = with_shares(cells, ["code"])
    ns_hidden = df.filter(pl.col("category") == NOT_STATED).select(
        "code", "dimension", pl.col("suppressed").alias("_ns_hidden")
    )
    df = df.join(ns_hidden, on=["code", "dimension"], how="left")
    hide, ns = pl.col("suppressed"), pl.col("_ns_hidden")
    df = df.with_columns(
        pl.when(hide).then(None).otherwise(pl.col("headcount")).alias("headcount"),
        pl.when(hide | ns).then(None).otherwise(pl.col("share_of_stated")).alias("share_of_stated"),
        pl.when(ns).then(None).otherwise(pl.col("not_stated_share")).alias("not_stated_share"),
        pl.when(ns).then(None).otherwise(pl.col("stated_headcount")).alias("stated_headcount"),
        pl.lit(period).alias("period_end"),
        pl.when(pl.col("code") == NATIONAL).then(pl.lit("national")).otherwise(pl.lit("region")).alias("level"),
        pl.when(pl.col("code") == NATIONAL)
        .then(pl.lit("England"))
        .otherwise(pl.col("code").replace_strict(region_names, default=pl.col("code")))
        .alias("name"),
    )
    return Pools(_shape(df, None), {r: per_region[r] for r in withheld})


def _out_schema() -> dict:
    return {
        "period_end": pl.Date,
        "level": pl.String,
        "code": pl.String,
        "name": pl.String,
        "dimension": pl.String,
        "category": pl.String,
        "headcount": pl.Int64,
        "stated_headcount": pl.Int64,
        "total_headcount": pl.Int64,
        "share_of_stated": pl.Float64,
        "not_stated_share": pl.Float64,
        "n_trusts": pl.Int64,
        "suppressed": pl.Boolean,
    }
