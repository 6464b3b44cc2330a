"""The one registry of indicators: name, label, unit, formula, direction of good, the people behind
it, and the SQL that computes it.

One table drives the pages, the definitions page, chart axis titles, the board snapshot's wording,
the small-number rule, the indicator columns the CLI prints (reports.indicators.INDICATORS) and the
upload warnings' rates, so they cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Indicator:
    name: str
    label: str
    unit: str  # shown on axes and cards
    kind: str  # "count" or "rate" (a share shown as %)
    better: str  # "higher", "lower" or "neither"
    formula: str
    basis: str  # column of people behind the figure, for the small-number rule
    numerator: str | None = None  # for funnel plots: numerator and denominator columns
    denominator: str | None = None
    # The SQL that computes it from a trust's sums (int_trust_indicators) or a group's pooled sums
    # (pool_trusts), in those models' column names: a macro of sql/macros/rates.sql for a rate, the
    # sum itself for a count. tests/unit/reports/test_indicators.py checks both models give exactly this; the
    # upload warnings (returns.cross_checks) evaluate it on a return's totals.
    sql: str = field(kw_only=True)
    # False where no trust can have a figure (no public catchment population): no trust card, no
    # trust ranking, only region and England figures.
    has_trust_figure: bool = field(default=True, kw_only=True)
    # workforce | demographics | organisation | activity: the definitions page groups by it.
    theme: str = field(default="workforce", kw_only=True)
    # Why the figure matters, in one plain sentence from the research (organisational conditions).
    reason: str = field(default="", kw_only=True)

    @property
    def is_rate(self) -> bool:
        return self.kind == "rate"

    @property
    def direction_words(self) -> str:
        return {
            "higher": "higher is better",
            "lower": "lower is better",
            "neither": "neither higher nor lower is better in itself",
        }[self.better]

    @property
    def delta_colour(self) -> str:
        """For st.metric: a rise shows as good where higher is better, as bad where lower is better."""
        return {"higher": "normal", "lower": "inverse"}.get(self.better, "off")

    def format_change(self, diff: float | None) -> str | None:
        """A change at the precision the value is shown: '+1.6 percentage points', '-3 people'."""
        if diff is None:
            return None
        sign = "-" if diff < 0 else "+"
        if self.is_rate:
            return f"{sign}{abs(diff) * 100:.1f} percentage points"
        size = self.format(abs(diff))
        unit = "person" if self.unit == "people" and size == "1" else self.unit
        return f"{sign}{size} {unit}"

    def is_zero_change(self, diff: float | None) -> bool:
        """True when the change rounds to nothing at the precision shown (no arrow, no better/worse)."""
        text = self.format_change(diff)
        return text is not None and float(text.split()[0][1:].replace(",", "")) == 0

    def format(self, value: float | None) -> str:
        if value is None:
            return "no data"
        if self.is_rate:
            return f"{value:.1%}"
        if self.unit == "people":
            return f"{value:,.0f}"
        return f"{value:,.1f}" if self.unit != "WTE per head" else f"{value:.2f}"


SOURCE = "Quarterly PSW workforce returns submitted by trusts to pswbench (current version of each return)."
POPULATION_SOURCE = (
    "ONS Census 2021 usual residents, mapped onto NHS England regions (approximate: NHS "
    "region boundaries differ a little from ONS regions)."
)

INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "headcount",
        "PSW headcount",
        "people",
        "count",
        "higher",
        "Σ headcount of PSWs in post at the quarter end",
        "headcount",
        sql="headcount",
    ),
    Indicator(
        "wte_in_post",
        "PSW WTE in post",
        "WTE",
        "count",
        "higher",
        "Σ whole-time equivalent in post at the quarter end",
        "headcount",
        sql="wte_in_post",
    ),
    Indicator(
        "vacancy_wte",
        "Vacant WTE",
        "WTE",
        "count",
        "lower",
        "Σ funded WTE not filled by substantive or fixed-term staff",
        "headcount",
        sql="vacancy_wte",
    ),
    Indicator(
        "vacancy_rate",
        "Vacancy rate",
        "% of establishment",
        "rate",
        "lower",
        "Σ vacancy WTE ÷ (Σ WTE in post + Σ vacancy WTE)",
        "headcount",
        "vacancy_wte",
        "establishment_wte",
        sql="vacancy_rate(vacancy_wte, wte_in_post)",
    ),
    Indicator(
        "sickness_rate",
        "Sickness absence rate",
        "% of FTE days",
        "rate",
        "lower",
        "Σ FTE days lost to sickness ÷ Σ FTE days available in the quarter",
        "headcount",
        "sickness_fte_days_lost",
        "fte_days_available",
        sql="sickness_rate(sickness_fte_days_lost, fte_days_available)",
    ),
    Indicator(
        "leaver_rate_quarter",
        "Leaver rate (quarter)",
        "% of average headcount",
        "rate",
        "lower",
        "leavers ÷ ((headcount at end + headcount at start) ÷ 2), start = end − joiners + leavers",
        "leaver_basis",
        "leavers",
        "average_headcount",
        sql="leaver_rate(leavers, average_headcount)",
    ),
    Indicator(
        "leaver_rate_12m",
        "Leaver rate (12 months)",
        "% of average headcount",
        "rate",
        "lower",
        "leavers over the four quarters ending now ÷ ((headcount now + headcount at the start of the "
        "earliest quarter) ÷ 2); blank unless all four returns are loaded",
        "leaver_basis_12m",
        "leavers_12m",
        "average_headcount_12m",
        sql="leaver_rate(leavers_12m, average_headcount_12m)",
    ),
    Indicator(
        "temporary_staffing_share",
        "Temporary staffing share",
        "% of WTE worked",
        "rate",
        "lower",
        "(Σ bank WTE + Σ agency WTE) ÷ (Σ WTE in post + Σ bank WTE + Σ agency WTE); blank cells "
        "left out; blank when nothing is recorded",
        "headcount",
        "temp_staffing_wte",
        "temp_staffing_total_wte",
        sql="temporary_staffing_share(temp_staffing_wte, temp_staffing_total_wte)",
    ),
    Indicator(
        "wte_per_100k_population",
        "WTE per 100,000 population",
        "WTE per 100,000 people",
        "count",
        "higher",
        "Σ WTE in post ÷ population × 100,000 (regions and England; "
        + POPULATION_SOURCE
        + " Blank for trusts: no public catchment population.)",
        "headcount",
        sql="wte_per_100k_population(wte_in_post, population)",
        has_trust_figure=False,
    ),
    Indicator(
        "mean_wte_per_head",
        "Mean WTE per person",
        "WTE per head",
        "count",
        "neither",
        "Σ WTE in post ÷ Σ headcount",
        "headcount",
        sql="mean_wte_per_head(wte_in_post, headcount)",
    ),
)
BY_NAME = {i.name: i for i in INDICATORS}
RATES = tuple(i.name for i in INDICATORS if i.is_rate)
TRUST_LEVEL = tuple(i for i in INDICATORS if i.has_trust_figure)


def suppression_rules() -> dict[str, str]:
    """Value column -> the column of people behind it, for access.suppress_small_numbers."""
    rules = {i.name: i.basis for i in INDICATORS}
    # The parts behind each figure would reveal a small trust as surely as the figure itself.
    rules.update({c: "headcount" for c in HEADCOUNT_COMPONENTS})
    # start = end - joiners + leavers: with the headcount shown, the start headcount (or the average)
    # and the joiners would give the leavers back, so they share the leavers' basis.
    rules.update({c: "leaver_basis" for c in LEAVER_COMPONENTS})
    rules.update({c: "leaver_basis_12m" for c in LEAVER_12M_COMPONENTS})
    return rules


HEADCOUNT_COMPONENTS = (
    "sickness_fte_days_lost",
    "fte_days_available",
    "establishment_wte",
    "bank_wte",
    "agency_wte",
    "temp_staffing_wte",
    "temp_staffing_total_wte",
)
LEAVER_COMPONENTS = ("leavers", "joiners", "start_headcount", "average_headcount", "leaver_basis")
LEAVER_12M_COMPONENTS = ("leavers_12m", "start_headcount_12m", "average_headcount_12m", "leaver_basis_12m")


# ---- organisational conditions and activity (issue 12) ------------------------------------------
# From the organisation section (30 September only) and the workforce section's contacts. The
# conditions are the ones the research found to decide whether peer work keeps its value (Gillard et al.
# 2013, BMC Health Services Research 13:188; Gillard & Holley 2014, BJPsych Advances). Every figure is
# suppressed for another trust under 5 PSWs (docs/disclosure.md, "Organisational conditions and activity").

CONDITIONS_SOURCE = (
    "Annual organisation section of the return (30 September), against the trust's PSW headcount in its "
    "current workforce return for the same quarter."
)
ACTIVITY_SOURCE = "The contacts column of the quarterly workforce return, where trusts record it."

CONDITION_INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "single_psw_team_share",
        "Teams where a peer worker works alone",
        "% of teams with a PSW",
        "rate",
        "lower",
        "teams with exactly one PSW ÷ teams with at least one PSW",
        "headcount",
        "teams_with_single_psw",
        "teams_with_psw",
        sql="condition_share(teams_with_single_psw, teams_with_psw)",
        theme="organisation",
        reason="A peer worker who is the only one in a team is more likely to feel isolated and be drawn away "
        "from peer ways of working than one who works alongside other peers (Gillard et al. 2013).",
    ),
    Indicator(
        "peer_supervision_share",
        "PSWs with supervision from someone in a peer role",
        "% of PSW headcount",
        "rate",
        "higher",
        "PSWs with peer supervision ÷ PSW headcount",
        "headcount",
        "psw_with_peer_supervision",
        "headcount",
        sql="condition_share(psw_with_peer_supervision, headcount)",
        theme="organisation",
        reason="Supervision from someone who has done peer work helps peer workers keep the lived-experience "
        "focus of the role instead of drifting into a conventional staff role (Gillard et al. 2013; "
        "Gillard & Holley 2014).",
    ),
    Indicator(
        "accredited_training_share",
        "PSWs with accredited peer training",
        "% of PSW headcount",
        "rate",
        "higher",
        "PSWs with accredited peer support training ÷ PSW headcount",
        "headcount",
        "psw_with_accredited_training",
        "headcount",
        sql="condition_share(psw_with_accredited_training, headcount)",
        theme="organisation",
        reason="Training made for peer work prepares peer workers for a role unlike other posts and gives it "
        "standing in the team (Gillard & Holley 2014).",
    ),
    Indicator(
        "peer_job_description_share",
        "PSWs with a peer-specific job description",
        "% of PSW headcount",
        "rate",
        "higher",
        "PSWs whose job description is written for peer work ÷ PSW headcount",
        "headcount",
        "psw_with_peer_job_description",
        "headcount",
        sql="condition_share(psw_with_peer_job_description, headcount)",
        theme="organisation",
        reason="A job description written for peer work makes the role clear to the peer worker and the team; "
        "where the role is unclear peers tend to be used as an extra pair of hands (Gillard et al. 2013).",
    ),
    Indicator(
        "bank_only_share",
        "Bank-only share of the peer workforce",
        "% of PSWs in post or bank-only",
        "rate",
        "lower",
        "bank-only PSWs ÷ (PSW headcount + bank-only PSWs)",
        "headcount",
        "bank_only_psw_headcount",
        "peer_workforce",
        sql="condition_share(bank_only_psw_headcount, peer_workforce)",
        theme="organisation",
        reason="Bank-only and sessional contracts keep peer workers at the edge of the team, with less "
        "supervision, training and say in how the team works (Gillard et al. 2013).",
    ),
    Indicator(
        "leadership_post_share",
        "Trusts with a senior peer leadership post",
        "% of trusts",
        "rate",
        "higher",
        "trusts with a senior peer leadership post ÷ trusts with an organisation section (for a trust: yes or no)",
        "headcount",
        "n_trusts_with_leadership_post",
        "n_trusts_leadership_known",
        sql="condition_share(n_trusts_with_leadership_post, n_trusts_leadership_known)",
        has_trust_figure=False,
        theme="organisation",
        reason="A senior post held by a peer worker gives peer workers a voice where decisions about their role "
        "are made, and a path to progress (Gillard & Holley 2014).",
    ),
)
ACTIVITY_INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "contacts_per_wte",
        "Contacts per PSW WTE",
        "contacts per WTE per quarter",
        "count",
        "neither",
        "Σ contacts in the quarter ÷ Σ WTE in post, over the rows that record contacts only; coverage: trusts "
        "recording contacts of trusts with a return, and the WTE of those rows of all WTE",
        "headcount_recorded",
        "contacts",
        "wte_recorded",
        sql="contacts_per_wte(contacts, wte_recorded)",
        theme="activity",
    ),
)
THEMES = ("workforce", "demographics", "organisation", "activity")


def indicators_by_theme() -> dict[str, tuple[Indicator, ...]]:
    """Every registered indicator grouped by theme, in THEMES order (a theme with none is left out)."""
    every = INDICATORS + DEMOGRAPHIC_INDICATORS + CONDITION_INDICATORS + ACTIVITY_INDICATORS
    return {t: found for t in THEMES if (found := tuple(i for i in every if i.theme == t))}


# Every condition figure of another trust follows its PSW headcount, the teams too: the teams of a
# trust with 3 PSWs say where those 3 people work. The bank-only count follows the headcount rather
# than the peer workforce, or headcount = peer workforce - bank-only would give a hidden headcount back.
CONDITION_VALUES = (
    "headcount",
    "teams_with_psw",
    "teams_with_single_psw",
    "psw_with_peer_supervision",
    "psw_with_accredited_training",
    "psw_with_peer_job_description",
    "bank_only_psw_headcount",
    "peer_workforce",
    "peer_leadership_post",
    "matches_workforce",
    "single_psw_team_share",
    "peer_supervision_share",
    "accredited_training_share",
    "peer_job_description_share",
    "bank_only_share",
)
ACTIVITY_VALUES = ("contacts", "wte_recorded", "headcount_recorded", "contacts_per_wte")


def condition_suppression_rules() -> dict[str, str]:
    """Value column of a trust's conditions -> the column of people behind it (all the headcount)."""
    return {c: "headcount" for c in CONDITION_VALUES}


def activity_suppression_rules() -> dict[str, str]:
    """Value column of a trust-by-setting activity cell -> the people behind it: the PSWs of the rows that
    record contacts, for the contacts and their WTE; the cell's headcount for its WTE in post."""
    return {**{c: "headcount_recorded" for c in ACTIVITY_VALUES}, "headcount": "headcount", "wte_in_post": "headcount"}


# ---- demographics (issue 12): the annual demographics section, 30 September -------------------

DEMOGRAPHICS_SOURCE = (
    "Annual demographics section of the PSW return (30 September), current version of each trust's section: "
    "PSWs in post by age band, gender, ethnic group, disability and kind of lived experience."
)
ETHNICITY_REFERENCE_SOURCE = (
    "ONS Census 2021, England usual residents by high-level ethnic group (table TS021; bulletin "
    "'Ethnic group, England and Wales: Census 2021', 29 November 2022); "
    "data/reference/census2021_ethnic_group_england.csv"
)
DEMOGRAPHIC_INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "demographic_headcount",
        "PSWs in the category",
        "people",
        "count",
        "neither",
        "Σ PSWs in post at 30 September in the category",
        "headcount",
        sql="headcount",
        theme="demographics",
    ),
    Indicator(
        "share_of_stated",
        "Share of PSWs whose category is stated",
        "% of PSWs whose category is stated",
        "rate",
        "neither",
        "Σ PSWs in the category ÷ Σ PSWs in the dimension whose category is stated (not stated left out of "
        "the denominator)",
        "headcount",
        "headcount",
        "stated_headcount",
        sql="headcount / stated_headcount",
        theme="demographics",
    ),
    Indicator(
        "not_stated_share",
        "Not stated (data quality)",
        "% of PSWs",
        "rate",
        "lower",
        "Σ PSWs whose category is not stated ÷ Σ PSWs in the dimension",
        "headcount",
        "not_stated_headcount",
        "total_headcount",
        sql="not_stated_headcount / total_headcount",
        theme="demographics",
    ),
    Indicator(
        "n_trusts",
        "Trusts contributing",
        "trusts",
        "count",
        "neither",
        "Trusts with a current demographics section in the pool",
        "n_trusts",
        sql="count(DISTINCT trust_code)",
        theme="demographics",
    ),
)
# ---- demographics: end ------------------------------------------------------------------------
