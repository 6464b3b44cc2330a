"""The words of the template workbook (scripts/build_templates.py): its Instructions sheet and the
prompt each column shows when one of its cells is selected.

Plain English for trust leads; docs/return-spec.md has the full rules. Excel and LibreOffice show at
most 255 characters of a prompt and 32 of its title; the build refuses longer ones.
"""

from __future__ import annotations

from pswbench.returns import contract

_TRUST = "Your trust's ODS code, such as RX4. The same on every row."
_QUARTER_END = (
    "The last day of the quarter: 31 March, 30 June, 30 September or 31 December, written 2026-09-30 "
    "or 30/09/2026. The same on every row."
)
_ANNUAL = "30 September of the year, such as 2026-09-30: this section is for that quarter only. The same on every row."
_TOTAL = "no more than the total headcount on the Workforce sheet"
_NOTES = "Optional. Anything that explains a figure, up to 500 characters."

PROMPTS: dict[str, dict[str, str]] = {
    contract.WORKFORCE: {
        "trust_code": _TRUST,
        "period_end": _QUARTER_END,
        "service_setting": "The kind of service: pick one from the list. One row for each setting and band.",
        "afc_band": "The Agenda for Change band: pick one from the list (2, 3, 4, 5, 6, 7 or 8a).",
        "headcount": "People working as PSWs in this setting and band at period_end. A whole number, 0 or more.",
        "wte_in_post": (
            "Whole-time equivalent of those people at period_end. No more than headcount, and more than 0 "
            "when headcount is more than 0."
        ),
        "vacancy_wte": "Funded PSW posts not filled at period_end, in whole-time equivalent. 0 or more.",
        "sickness_fte_days_lost": "Full-time-equivalent days lost to sickness in the quarter. No more than "
        "fte_days_available.",
        "fte_days_available": (
            "Full-time-equivalent days available in the quarter: about wte_in_post times the calendar days "
            "in the quarter (92 for the quarter ending 30 September)."
        ),
        "leavers_headcount": "People who left these posts during the quarter. A whole number, 0 or more.",
        "joiners_headcount": "People who joined during the quarter. A whole number, no more than headcount.",
        "bank_wte": (
            "Bank staff working as PSWs, in whole-time equivalent. Leave blank if not recorded; 0 means "
            "recorded as none."
        ),
        "agency_wte": (
            "Agency staff working as PSWs, in whole-time equivalent. Leave blank if not recorded; 0 means "
            "recorded as none."
        ),
        "contacts": (
            "Individual and group contacts PSWs delivered in this setting and band in the quarter. A whole "
            "number; leave blank if not recorded."
        ),
        "notes": _NOTES,
    },
    contract.DEMOGRAPHICS: {
        "trust_code": _TRUST,
        "period_end": _ANNUAL,
        "dimension": (
            "Already filled in. What the row counts PSWs by: age band, gender, ethnic group, disability or "
            "kind of lived experience."
        ),
        "category": (
            "Already filled in: one row for each category of the dimension. The Instructions sheet says what "
            "each one means."
        ),
        "headcount": (
            "PSWs in post at period_end in this category: a whole number, 0 if none. Each dimension must add "
            "up to the total headcount on the Workforce sheet."
        ),
    },
    contract.ORGANISATION: {
        "trust_code": _TRUST,
        "period_end": _ANNUAL,
        "teams_with_psw": (
            f"Teams with at least one PSW in post at period_end. At least 1 when you have PSWs; {_TOTAL}."
        ),
        "teams_with_single_psw": "Of those teams, the ones where a PSW is the only peer worker. No more than "
        "teams_with_psw.",
        "psw_with_peer_supervision": (
            f"PSWs in post who get regular supervision from someone with lived experience in a peer role; {_TOTAL}."
        ),
        "psw_with_accredited_training": (
            f"PSWs in post who have completed accredited peer support training; {_TOTAL}."
        ),
        "psw_with_peer_job_description": f"PSWs in post whose job description is specific to the peer role; {_TOTAL}.",
        "bank_only_psw_headcount": (
            "People working as PSWs only on bank or sessional contracts at period_end. They are not in the "
            "Workforce headcount."
        ),
        "peer_leadership_post": (
            "yes if the trust has a senior peer or lived-experience leadership post at band 7 or above; otherwise no."
        ),
        "notes": _NOTES,
    },
}

TITLE = "Peer support worker (PSW) return: how to fill in this workbook"
EXAMPLE_NOTE = (
    "This is a filled example: a valid return for trust RX4, quarter ending 30 September 2026. "
    "Every figure in it is made up (synthetic)."
)

# (heading, paragraphs) in order; the Columns and Demographic categories tables follow them.
GUIDE: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "What to send",
        (
            "One workbook is one trust and one quarter. Fill in the sheets, save the workbook and upload it. "
            "Only the sheets named Workforce, Demographics and Organisation are read; this Instructions "
            "sheet is ignored.",
            "Every quarter: fill in the Workforce sheet. Once a year, for the quarter ending 30 September "
            "only, fill in the Demographics and Organisation sheets as well.",
            "For the quarters ending 31 March, 30 June and 31 December, delete the Demographics and "
            "Organisation sheets before you upload: those sections for any other quarter are an error.",
        ),
    ),
    (
        "Workforce (every quarter)",
        (
            "One row for each service setting and Agenda for Change band where the trust had PSW staff, "
            "vacant posts, leavers or joiners in the quarter. Leave out combinations with nothing to report. "
            "A trust with no PSWs sends one row with headcount 0.",
        ),
    ),
    (
        "Demographics (30 September only)",
        (
            "Who the PSWs in post at 30 September are. Every dimension and category is already listed: type "
            "the number of PSWs in each category (0 if none), and your trust code and the date on every row. "
            "Count anyone whose answer is not recorded, or who preferred not to say, as not_stated.",
            "Each dimension must add up to the total headcount on the Workforce sheet (the sum of its "
            "headcount column): the same people, counted five ways.",
        ),
    ),
    (
        "Organisation (30 September only)",
        (
            "One row about the conditions that decide whether peer roles work: teams, supervision, training, "
            "job descriptions, bank contracts and peer leadership. Every count is required; notes may be "
            "left blank.",
        ),
    ),
    (
        "Writing values",
        (
            "Dates as 2026-09-30 or 30/09/2026. Numbers with the digits 0 to 9 and a full stop for decimals "
            "(9.60). Pick codes from the drop-down lists; for demographics, a category's label (listed below) "
            "is accepted as well as its code.",
            "Selecting a cell shows what its column means, and the checks on each column catch most mistakes "
            "as you type. The upload check has the final word: it names the line, the column and what to fix.",
            "The full rules are in docs/return-spec.md.",
        ),
    ),
)
COLUMNS_HEADING = "Columns"
COLUMNS_HEADER = ("Sheet", "Column", "What to enter")
CATEGORIES_HEADING = "Demographic categories"
CATEGORIES_HEADER = ("Dimension", "Category code", "Label (accepted too)")
