"""Property tests: any return built to the contract is accepted; a single broken cell is reported on its line."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pswbench.returns import contract, cross_checks
from pswbench.returns.validate import validate_bytes
from tests.helpers.returns_kit import TODAY, csv_bytes

PERIODS = contract.quarter_ends(dt.date(2024, 3, 31), dt.date(2026, 9, 30))
SLOW = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def hundredths(h: int) -> str:
    return f"{h // 100}.{h % 100:02d}"


def open_trusts(period: dt.date) -> list[str]:
    return sorted(
        code
        for code, (_, opened, closed) in cross_checks.trust_reference().items()
        if (opened is None or opened <= period) and (closed is None or period <= closed)
    )


@st.composite
def row_figures(draw, days: int) -> dict[str, str]:
    headcount = draw(st.integers(0, 200))
    wte_h = draw(st.integers(1, headcount * 100)) if headcount else 0
    joiners = draw(st.integers(0, headcount))
    if wte_h:
        factor = draw(st.integers(81, 119))  # fte_days_available within +-19% of wte x days
        fte_h = max(1, wte_h * days * factor // 100)
    else:
        fte_h = draw(st.integers(0, 100_000))
    sickness_h = draw(st.integers(0, fte_h))
    optional = st.one_of(st.just(""), st.integers(0, 5000).map(hundredths))
    notes = draw(st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=500))
    return {
        "headcount": str(headcount),
        "wte_in_post": hundredths(wte_h),
        "vacancy_wte": hundredths(draw(st.integers(0, 5000))),
        "sickness_fte_days_lost": hundredths(sickness_h),
        "fte_days_available": hundredths(fte_h),
        "leavers_headcount": str(draw(st.integers(0, 60))),
        "joiners_headcount": str(joiners),
        "bank_wte": draw(optional),
        "agency_wte": draw(optional),
        "notes": notes,
    }


@st.composite
def valid_returns(draw):
    period = draw(st.sampled_from(PERIODS))
    trust = draw(st.sampled_from(open_trusts(period)))
    cells = draw(
        st.lists(
            st.tuples(st.sampled_from(contract.SERVICE_SETTINGS), st.sampled_from(contract.AFC_BANDS)),
            min_size=1,
            max_size=10,
            unique=True,
        )
    )
    days = contract.days_in_quarter(period)
    uk = draw(st.booleans())
    written = f"{period.day}/{period.month:02d}/{period.year}" if uk else period.isoformat()
    rows = []
    for setting, band in cells:
        band_text = draw(st.sampled_from([band, band.upper(), f"Band {band}", f" {band} "]))
        rows.append(
            {
                "trust_code": draw(st.sampled_from([trust, trust.lower()])),
                "period_end": written,
                "service_setting": setting,
                "afc_band": band_text,
                **draw(row_figures(days)),
            }
        )
    header = draw(st.permutations(contract.COLUMNS))
    delimiter = draw(st.sampled_from([",", ";"]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig"]))
    return trust, period, rows, csv_bytes(rows, header=header, delimiter=delimiter, encoding=encoding)


@SLOW
@given(valid_returns())
def test_return_built_to_the_contract_is_accepted(built):
    trust, period, rows, data = built
    result = validate_bytes("return.csv", data, today=TODAY)
    assert result.errors == [], result.errors
    assert result.valid and result.trust_code == trust and result.period_end == period
    assert {f.rule for f in result.warnings} <= {"high_sickness_rate", "high_vacancy_rate", "high_leaver_rate"}
    clean = result.clean
    assert clean.height == len(rows)
    assert clean["headcount"].to_list() == [int(r["headcount"]) for r in rows]
    assert clean["afc_band"].to_list() == [contract.normalise_band(r["afc_band"]) for r in rows]
    assert clean["bank_wte"].to_list() == [float(r["bank_wte"]) if r["bank_wte"] else None for r in rows]
    assert clean["notes"].to_list() == [r["notes"].strip() or None for r in rows]
    assert clean["period_end"].to_list() == [period] * len(rows)


BREAKS = {
    "negative_value": ("vacancy_wte", "-1"),
    "not_a_number": ("vacancy_wte", "1,5"),
    "unknown_afc_band": ("afc_band", "1"),
    "unknown_service_setting": ("service_setting", "ward"),
    "not_a_whole_number": ("leavers_headcount", "0.5"),
    "required_value": ("sickness_fte_days_lost", ""),
    "notes_too_long": ("notes", "n" * 501),
}


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_returns(), st.sampled_from(sorted(BREAKS)), st.data())
def test_one_broken_cell_is_reported_on_its_line(built, rule, data):
    _, _, rows, _ = built
    index = data.draw(st.integers(0, len(rows) - 1))
    column, bad = BREAKS[rule]
    rows[index][column] = bad
    result = validate_bytes("return.csv", csv_bytes(rows), today=TODAY)
    one_line_each = validate_bytes("return.csv", csv_bytes([dict(r, notes="") for r in rows]), today=TODAY)
    # A row's line is the row Excel shows it on: header is 1, and a quoted note with line breaks in it
    # is still one record, one row in Excel, so it does not push the rows below it down.
    assert [(f.rule, f.line, f.column) for f in result.errors] == [(rule, index + 2, column)], result.errors
    if rule != "notes_too_long":
        assert one_line_each.errors and one_line_each.errors[0].line == index + 2
