"""The column and row rules, run by Great Expectations from validation/return_rows_suite.json.

GX takes seconds to import, so this module is imported only on the upload path, and the
context and suite are built once per process. Several returns are checked in one GX run:
each row carries a unique index that maps back to its file and line.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import logging
import os
import unicodedata
from functools import cache

import polars as pl

from pswbench.paths import VALIDATION_DIR
from pswbench.returns import contract
from pswbench.returns.findings import Finding, lines_text, quoted

SUITE_FILE = VALIDATION_DIR / "return_rows_suite.json"
# The second pass lists the failing rows; the failing values and GX's query text are not needed.
LIST_FAILURES = {
    "result_format": "COMPLETE",
    "exclude_unexpected_values": True,
    "return_unexpected_index_query": False,
    "partial_unexpected_count": 0,
}


# Columns that hold one fact about the whole file, repeated on every line: the same wrong value on
# several lines is one mistake, reported once with the lines it is on (docs/return-spec.md).
PER_FILE_COLUMNS = ("trust_code", "period_end")
_LINE_MARK = "\x00line\x00"
# Every number column the suite checks, the workforce section's optional whole numbers (contacts) included.
NUMBER_COLUMNS = contract.NUMERIC_COLUMNS + contract.WORKFORCE_OPTIONAL_INTEGER_COLUMNS


def rule_specs() -> list[dict]:
    return json.loads(SUITE_FILE.read_text(encoding="utf-8"))["rules"]


def _upper_limits() -> dict[str, float]:
    """Each number column's value_too_large limit, from the suite (the one place it is written)."""
    return {s["column"]: s["kwargs"]["max_value"] for s in rule_specs() if s["rule"] == "value_too_large"}


def _substitute(value, today: dt.date):
    names = {
        "$SERVICE_SETTINGS": list(contract.SERVICE_SETTINGS),
        "$AFC_BANDS": list(contract.AFC_BANDS),
        "$TODAY_YMD": today.year * 10000 + today.month * 100 + today.day,
        "$NUMBER": contract.NUMBER_TEXT,
        "$WHOLE_NUMBER": contract.WHOLE_NUMBER_TEXT,
        "$DATE": contract.DATE_TEXT,
        "$DATE_TIME": contract.DATE_TIME_TEXT,
        "$NON_ASCII_NUMERAL": contract.non_ascii_numeral_class(),
    }
    return names.get(value, value) if isinstance(value, str) else value


@cache
def _suite(today: dt.date):
    """The batch definition and the suite, built once per day (the period rule depends on today).

    Run through Batch.validate rather than a ValidationDefinition, which would keep every result
    (with its lists of failing rows) in the context's store for as long as the process runs.
    """
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    import great_expectations as gx
    import great_expectations.expectations as gxe
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    batch = (
        context.data_sources.add_pandas("returns")
        .add_dataframe_asset("return_rows")
        .add_batch_definition_whole_dataframe("all_rows")
    )
    suite = gx.ExpectationSuite(name="psw_return_rows")
    for i, spec in enumerate(rule_specs()):
        kwargs = {k: _substitute(v, today) for k, v in spec["kwargs"].items()}
        suite.add_expectation(getattr(gxe, spec["expectation"])(**kwargs, meta={"spec": i}))
    return batch, context.suites.add(suite)


def prepare(frame: pl.DataFrame) -> pl.DataFrame:
    """Add the parsed columns the suite checks (numbers, normalised text, the period as integers)."""
    parsed_period = pl.col("period_end").map_elements(contract.parse_period, return_dtype=pl.Date)
    regex_date = pl.col("period_end").str.contains(contract.DATE_TEXT)
    limits = _upper_limits()
    if "contacts" not in frame.columns:  # a frame built without the optional column: not recorded
        frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias("contacts"))
    frame = frame.with_columns(
        *[
            pl.when(pl.col(c).str.contains(contract.NUMBER_TEXT))
            .then(pl.col(c).cast(pl.Float64, strict=False))
            .alias(f"{c}__num")
            for c in NUMBER_COLUMNS
        ],
        pl.col("service_setting").str.to_lowercase().alias("service_setting__norm"),
        pl.col("afc_band")
        .map_elements(lambda b: contract.normalise_band(b) or "?", return_dtype=pl.String)
        .alias("afc_band__norm"),
        parsed_period.alias("period_end__date"),
    )
    return frame.with_columns(
        # The rules that compare two columns (or test one under a condition on another) read these:
        # a number that broke its own range rule is blank here, so one negative headcount is one error
        # on that cell, not also "WTE exceeds headcount" and "joiners exceed headcount".
        *[
            pl.when(pl.col(f"{c}__num").is_between(0, limits.get(c, float("inf"))))
            .then(pl.col(f"{c}__num"))
            .alias(f"{c}__ok")
            for c in NUMBER_COLUMNS
        ],
        (pl.col("period_end__date").dt.year().cast(pl.Int32) * 10000 + _month_day("period_end__date")).alias(
            "period_end__ymd"
        ),
        _month_day("period_end__date").alias("period_end__mmdd"),
        # A date in the right shape that is no real day (2025-09-31) is 0: reported as not a real date.
        pl.when(pl.col("period_end__date").is_not_null()).then(1).when(regex_date).then(0).alias("period_end__real"),
    )


def _month_day(col: str) -> pl.Expr:
    return pl.col(col).dt.month().cast(pl.Int32) * 100 + pl.col(col).dt.day().cast(pl.Int32)


def run(prepared: pl.DataFrame, today: dt.date | None = None) -> list[tuple[int, Finding]]:
    """Run the suite over prepared rows (any number of files); returns (row index, finding) pairs."""
    if prepared.height == 0:
        return []
    batch_definition, suite = _suite(today or dt.date.today())
    batch = batch_definition.get_batch(batch_parameters={"dataframe": prepared.drop("period_end__date").to_pandas()})
    # Most returns are valid: a yes/no pass over every rule is several times faster than listing
    # rows. When it fails, only the rules that failed (usually one to three of 60) are run again to
    # list their rows, so a rejected file costs about what a valid one does
    # (benchmarks/bench_upload_check.py).
    verdict = batch.validate(suite, result_format="BOOLEAN_ONLY")
    if verdict.success:
        return []
    failing = {res.expectation_config.meta["spec"] for res in verdict.results if not res.success}
    again = [copy.copy(e) for e in suite.expectations if e.meta["spec"] in failing]
    import great_expectations as gx

    result = batch.validate(gx.ExpectationSuite(name="failed_rules", expectations=again), result_format=LIST_FAILURES)
    specs = rule_specs()
    today = today or dt.date.today()
    failed: list[tuple[dict, list[int]]] = []
    for res in result.results:
        if res.success:
            continue
        spec = specs[res.expectation_config.meta["spec"]]
        indices = res.result.get("unexpected_index_list")
        if indices is None:
            raise RuntimeError(f"GX could not evaluate rule {spec['rule']}: {res.exception_info}")
        failed.append((spec, indices))
    # A cell one rule explains fully is not reported again by rules it "replaces" (a number written
    # in Arabic-Indic digits is not also "not a number").
    replaced = {
        (rule, spec["column"], idx) for spec, indices in failed for rule in spec.get("replaces", ()) for idx in indices
    }
    rows = prepared.to_dicts()
    periods = _file_periods(rows)
    out: list[tuple[int, Finding]] = []
    for spec, indices in failed:
        kept = [idx for idx in indices if (spec["rule"], spec["column"], idx) not in replaced]
        for same in _one_mistake(spec, kept, rows):
            row = rows[same[0]]
            value = row[spec["column"]]
            example = contract.example_period(value, periods.get(row.get("__file")), today)
            message = spec["message"].format(**_message_context(spec, row, value, example))
            message += contract.invisible_advice(value)
            if len(same) > 1:
                message = message.replace("on line {line}".format(line=row["line"]), _LINE_MARK, 1)
                message = message.replace(_LINE_MARK, "on " + lines_text([rows[i]["line"] for i in same]))
            out.append((same[0], Finding("error", row["line"], spec["column"], spec["rule"], quoted(value), message)))
    return out


def _one_mistake(spec: dict, indices: list[int], rows: list[dict]) -> list[list[int]]:
    """The failing rows in groups reported as one finding each: in a per-file column, the rows of
    one file with the same value; anywhere else, each row on its own (its own figure to correct)."""
    if spec["column"] not in PER_FILE_COLUMNS:
        return [[idx] for idx in indices]
    groups: dict[tuple, list[int]] = {}
    for idx in indices:
        groups.setdefault((rows[idx].get("__file"), rows[idx][spec["column"]]), []).append(idx)
    return list(groups.values())


def _file_periods(rows: list[dict]) -> dict:
    """Each file's period, for the examples in its messages: its commonest period_end that is a quarter end."""
    counts: dict = {}
    for row in rows:
        d = row.get("period_end__date")
        if d is not None and contract.is_quarter_end(d):
            per_file = counts.setdefault(row.get("__file"), {})
            per_file[d] = per_file.get(d, 0) + 1
    return {f: max(c, key=c.get) for f, c in counts.items()}


def _shown(v) -> str:
    return "blank" if v is None else contract.invisible_shown(quoted(v))


def _message_context(spec: dict, row: dict, value, example: dt.date) -> dict:
    context = {k: _shown(v) for k, v in row.items() if k in contract.WORKFORCE_COLUMNS}
    context.update(line=row["line"], value=_shown(value))
    context.update(example_iso=example.isoformat(), example_uk=contract.uk_date(example))
    if "{time_of_day}" in spec["message"]:
        day = contract.parse_period(value.strip().replace("T", " ").split(" ")[0])
        if day is not None:
            context.update(example_iso=day.isoformat(), example_uk=contract.uk_date(day))
        context.update(time_of_day=contract.time_of_day(value) or "")
    if "{numerals}" in spec["message"]:
        named = [
            f"{ch} ({unicodedata.name(ch, f'U+{ord(ch):04X}').lower()})"
            for ch in contract.non_ascii_numerals(value)[:3]
        ]
        typed = contract.in_ascii_digits(value)
        context.update(numerals=", ".join(named), in_digits=f", as {typed}" if typed else "")
    if "{date_problem}" in spec["message"]:
        context.update(date_problem=contract.date_problem(value))
    return context
