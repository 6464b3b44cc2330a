"""Submissions and data-quality queries: version differences, failing rules, history scoping, counts."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from pswbench.access import auth, permissions
from pswbench.paths import EXAMPLES_DIR
from pswbench.reports import charts, submissions
from pswbench.store import loader
from tests.helpers.annual_rows import add_section
from tests.helpers.demo_data import EXAMPLE
from tests.helpers.returns_kit import TODAY

Q3 = dt.date(2025, 9, 30)


def rows(*items):
    cols = ("service_setting", "afc_band", "headcount", "wte_in_post", "bank_wte", "notes")
    return pl.DataFrame(
        [dict(zip(cols, i)) for i in items],
        schema={
            "service_setting": pl.String,
            "afc_band": pl.String,
            "headcount": pl.Int32,
            "wte_in_post": pl.Float64,
            "bank_wte": pl.Float64,
            "notes": pl.String,
        },
    )


def test_diff_of_a_hand_made_pair_finds_added_removed_and_changed_cells():
    old = rows(
        ("crisis", "3", 6, 4.8, None, None),
        ("crisis", "4", 8, 6.8, 0.0, "advert"),
        ("forensic", "5", 2, 2.0, 0.0, None),
    )
    new = rows(
        ("crisis", "3", 7, 4.8, 0.5, None),
        ("crisis", "4", 8, 6.8, 0.0, "advert"),
        ("perinatal", "4", 3, 2.5, None, "new team"),
    )
    d = submissions.diff(old, new)
    assert d.added.select("service_setting", "afc_band").rows() == [("perinatal", "4")]
    assert d.removed.select("service_setting", "afc_band").rows() == [("forensic", "5")]
    # Unchanged crisis band 4 gives no cells; a blank that becomes 0.5 is a change, shown as "(blank)".
    assert d.changed.rows() == [("crisis", "3", "headcount", "6", "7"), ("crisis", "3", "bank_wte", "(blank)", "0.5")]
    assert not d.is_empty


def test_identical_versions_have_no_differences():
    same = rows(("crisis", "3", 6, 4.8, None, None))
    d = submissions.diff(same, same)
    assert d.is_empty and d.changed.columns == ["service_setting", "afc_band", "column", "old", "new"]


@pytest.fixture
def analyst(con):
    return auth.add_user(con, "analyst@hee.nhs.uk", "analyst", None, "a-long-password-2")


def load(con, name, data):
    return loader.load_files(con, [(name, data)], "someone@nhs.uk", today=TODAY)[0]


def test_version_diff_reads_two_loaded_versions(con, analyst):
    first = load(con, "v1.csv", EXAMPLE)
    second = load(con, "v2.csv", EXAMPLE.replace(b"adult_community,3,12,", b"adult_community,3,13,"))
    versions = submissions.versions(con, analyst, "RX4", Q3)
    assert versions.select("version", "is_current").rows() == [(1, False), (2, True)]
    d = submissions.version_diff(con, analyst, first.submission_id, second.submission_id)
    assert d.changed.rows() == [("adult_community", "3", "headcount", "12", "13")]
    assert d.added.is_empty() and d.removed.is_empty()


def test_failing_rules_count_findings_and_submissions_per_period(con, analyst):
    bad = (EXAMPLES_DIR / "bad_date_format.csv").read_bytes()
    load(con, "bad1.csv", bad)
    load(con, "bad2.csv", bad)
    load(con, "wte.csv", (EXAMPLES_DIR / "wte_exceeds_headcount.csv").read_bytes())
    expected = con.execute(
        "SELECT rule, count(*), count(DISTINCT submission_id) FROM finding GROUP BY rule ORDER BY 2 DESC, 3 DESC, 1"
    ).fetchall()
    got = submissions.failing_rules(con, analyst, None)
    assert got.select("rule", "findings", "submissions").rows() == expected
    assert got["findings"][0] >= 2 and got["example_message"].null_count() == 0
    assert submissions.failing_rules(con, analyst, dt.date(2020, 3, 31)).is_empty()


def test_quality_views_refuse_non_analysts(con):
    lead = auth.add_user(con, "lead@rx4.nhs.uk", "trust_lead", "RX4", "a-long-password-1")
    with pytest.raises(permissions.NotPermitted):
        submissions.failing_rules(con, lead, None)
    with pytest.raises(permissions.NotPermitted):
        submissions.versions(con, lead, "RX4", Q3)


def test_history_is_scoped_to_the_trust_a_lead_may_upload_for(con, analyst):
    load(con, "rx4.csv", EXAMPLE)
    load(con, "rmy.csv", EXAMPLE.replace(b"RX4,", b"RMY,"))
    lead = auth.add_user(con, "lead@rx4.nhs.uk", "trust_lead", "RX4", "a-long-password-1")
    assert submissions.submission_history(con, lead, "RX4")["trust_code"].to_list() == ["RX4"]
    with pytest.raises(permissions.NotPermitted):
        submissions.submission_history(con, lead, "RMY")
    assert submissions.submission_history(con, analyst, "RMY")["file_name"].to_list() == ["rmy.csv"]


def test_status_counts_and_non_submitters():
    cov = pl.DataFrame(
        {
            "trust_code": ["A", "B", "C", "D"],
            "trust_name": ["a", "b", "c", "d"],
            "region_name": ["r"] * 4,
            "status": ["accepted", "missing", "rejected only", "missing"],
            "attempts": [1, 0, 2, 0],
            "rejected_attempts": [0, 0, 2, 0],
            "last_attempt_at": [None] * 4,
        }
    )
    assert submissions.status_counts(cov) == {"accepted": 1, "rejected only": 1, "missing": 2}
    assert submissions.non_submitters(cov)["trust_code"].to_list() == ["B", "D", "C"]


def test_rule_chart_names_rules_in_words_with_the_id_on_hover():
    rules = pl.DataFrame(
        {
            "rule": ["negative_value", "high_sickness_rate", "a_rule_since_retired"],
            "severity": ["error", "warning", "error"],
            "findings": [5, 3, 1],
            "submissions": [2, 3, 1],
        }
    )
    (bar,) = submissions.rule_chart(rules).data
    assert list(bar.y) == [
        "a_rule_since_retired (error)",
        "High sickness rate (warning)",
        "Negative number (error)",
    ]
    assert list(bar.customdata) == ["a_rule_since_retired", "high_sickness_rate", "negative_value"]
    assert "rule %{customdata}" in bar.hovertemplate


def test_rule_chart_writes_its_counts_dark_beside_the_bars_not_inside_hatched_ones():
    rules = pl.DataFrame({"rule": ["negative_value"], "severity": ["error"], "findings": [5], "submissions": [2]})
    fig = submissions.rule_chart(rules)
    (bar,) = fig.data
    assert bar.textposition == "outside" and bar.textfont.color == charts.DARK
    assert fig.layout.xaxis.range[1] > 5  # room for the words beside the bar


# ---- the annual sections' data quality ------------------------------------------------------------------


def workforce_total(con, trust_code):
    return con.execute(
        "SELECT sum(headcount) FROM return_row JOIN return_version USING (submission_id) "
        "WHERE return_version.trust_code = ? AND return_version.period_end = ? AND is_current",
        [trust_code, Q3],
    ).fetchone()[0]


@pytest.fixture
def annual(con):
    """RX4 and RMY have workforce returns for 30 September 2025. RX4's demographics match it; its
    organisation section was checked against a total 5 higher (a later workforce version lowered it).
    RMY's demographics were only ever rejected; RMY sent no organisation section."""
    load(con, "rx4.csv", EXAMPLE)
    load(con, "rmy.csv", EXAMPLE.replace(b"RX4,", b"RMY,"))
    total = workforce_total(con, "RX4")
    add_section(con, "RX4", Q3, "demographics", "accepted", total)
    add_section(con, "RX4", Q3, "organisation", "accepted", total + 4)
    add_section(con, "RX4", Q3, "organisation", "accepted", total + 5)  # version 2 is current
    add_section(con, "RMY", Q3, "demographics", "rejected")
    add_section(con, "RMY", Q3, "demographics", "rejected")
    return total


def test_annual_sections_say_which_are_in_and_which_no_longer_match(con, analyst, annual):
    quality = submissions.annual_section_quality(con, analyst, Q3)
    open_trusts = con.execute(
        "SELECT count(*) FROM trust WHERE (open_date IS NULL OR open_date <= ?) "
        "AND (close_date IS NULL OR close_date >= ?)",
        [Q3, Q3],
    ).fetchone()[0]
    assert quality.height == 2 * open_trusts
    got = {
        (r["trust_code"], r["section"]): (r["status"], r["current_version"], r["matches_workforce"])
        for r in quality.iter_rows(named=True)
    }
    assert got["RX4", "demographics"] == ("current", 1, True)
    assert got["RX4", "organisation"] == ("current", 2, False)
    assert got["RMY", "demographics"] == ("rejected only", None, None)
    assert got["RMY", "organisation"] == ("missing", None, None)
    action = {(r["trust_code"], r["section"]): r["action"] for r in quality.iter_rows(named=True)}
    assert action["RX4", "demographics"] == ""
    assert action["RX4", "organisation"] == (
        f"Organisational conditions were checked against {annual + 5} PSWs; the current workforce return says "
        f"{annual}: ask the trust to send the organisational conditions again."
    )
    assert "2 attempts" in action["RMY", "demographics"]
    demographics, organisation = submissions.annual_counts(quality)
    assert (demographics.sent, demographics.trusts, demographics.no_longer_match) == (1, open_trusts, 0)
    assert (organisation.sent, organisation.no_longer_match) == (1, 1)
    assert organisation.words() == (
        f"1 of {open_trusts} trusts sent organisational conditions; 1 no longer matches the current workforce return."
    )
    follow = submissions.follow_ups(quality)
    assert set(follow["section"]) == {"Demographics", "Organisational conditions"}  # words, not codes
    assert ("RX4", "Demographics") not in set(zip(follow["trust_code"], follow["section"]))
    assert follow.height == 2 * open_trusts - 1


def test_a_new_workforce_version_makes_a_matching_section_no_longer_match(con, analyst, annual):
    load(con, "rx4-v2.csv", EXAMPLE.replace(b"adult_community,3,12,", b"adult_community,3,13,"))
    quality = submissions.annual_section_quality(con, analyst, Q3)
    row = quality.filter((pl.col("trust_code") == "RX4") & (pl.col("section") == "demographics")).row(0, named=True)
    assert (row["checked_headcount"], row["workforce_headcount"], row["matches_workforce"]) == (
        annual,
        annual + 1,
        False,
    )
    assert row["action"].startswith(f"Demographics were checked against {annual} PSWs")


def test_annual_section_quality_is_empty_outside_30_september_and_for_analysts_only(con, analyst, annual):
    assert submissions.annual_section_quality(con, analyst, dt.date(2025, 6, 30)).is_empty()
    lead = auth.add_user(con, "lead@rx4.nhs.uk", "trust_lead", "RX4", "a-long-password-1")
    with pytest.raises(permissions.NotPermitted):
        submissions.annual_section_quality(con, lead, Q3)


@pytest.mark.parametrize("share", [0.25, 0.1])
def test_demographics_with_a_fifth_or_more_not_stated_are_followed_up(con, analyst, annual, share):
    (submission_id,) = con.execute(
        "SELECT submission_id FROM section_version WHERE trust_code = 'RX4' AND section = 'demographics'"
    ).fetchone()
    unstated = round(annual * share)
    cells = [("ethnic_group", "white", annual - unstated), ("ethnic_group", "not_stated", unstated)]
    cells += [("age_band", "35_44", annual - 1), ("age_band", "not_stated", 1)]
    for line, (dimension, category, n) in enumerate(cells, start=2):
        con.execute(
            "INSERT INTO demographic_row VALUES (?, ?, 'RX4', ?, ?, ?, ?)",
            [submission_id, line, Q3, dimension, category, n],
        )
    quality = submissions.annual_section_quality(con, analyst, Q3)
    row = quality.filter((pl.col("trust_code") == "RX4") & (pl.col("section") == "demographics")).row(0, named=True)
    follow = submissions.follow_ups(quality)
    asked = ("RX4", "Demographics") in set(zip(follow["trust_code"], follow["section"]))
    if share >= submissions.NOT_STATED_FOLLOW_UP:
        assert row["action"] == (
            f"{unstated} of {annual} PSWs ({unstated / annual:.0%}) have no ethnic group stated: ask the trust "
            "whether it can record more."
        )
        assert asked
    else:
        assert row["action"] == "" and not asked
