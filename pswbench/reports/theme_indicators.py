"""The indicators CLI's themes: each theme's figures per trust, region or England as one frame.

THEME_INDICATORS maps a theme of the registry (pswbench.reports.definitions.THEMES) to a function
(con, level, period) -> frame, over every trust (the CLI is an analyst's tool, as the marts are).
"""

from __future__ import annotations

from pswbench.reports import conditions, indicators

THEME_INDICATORS = {
    "workforce": indicators.indicators,
    # organisational conditions and activity (issue 12)
    "organisation": lambda con, level, period: conditions.conditions(con, level, period),
    "activity": lambda con, level, period: conditions.activity(con, level, period),
}
