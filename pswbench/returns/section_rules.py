"""The annual sections' rules (demographics, organisational conditions), as validate.ANNUAL_CHECKS calls them:
check(frame, total, trust_reference=None, today=None) -> SectionCheck, where frame is the reader's text frame
of the section and total the trust's workforce total for the quarter (None when there is none).

The rules themselves are in demographics_rules and organisation_rules; what they share in section_common.
"""

from __future__ import annotations

from pswbench.returns.demographics_rules import check_demographics
from pswbench.returns.organisation_rules import check_organisation
from pswbench.returns.section_common import SectionCheck, WorkforceTotal, section_identity

__all__ = ["SectionCheck", "WorkforceTotal", "check_demographics", "check_organisation", "section_identity"]
