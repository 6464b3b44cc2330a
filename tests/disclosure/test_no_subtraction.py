"""Policy 2: a region's or England's pooled figure received by a non-analyst is pooled over the
trusts they may see, so subtracting the visible trusts recovers nothing. For every region, England,
quarter and additive quantity (headcount, WTE in post, vacant WTE, and the rates pooled as sums over
sums), the ground truth gives the pooled figure over ALL trusts and over the visible ones
(truth.py, from the trust components):

* no number received equals the all-trusts figure where that differs from the visible-only one;
* every region/England figure received (harness.Slot) equals the visible-only figure.
"""

from __future__ import annotations

from tests.disclosure import checkers
from tests.disclosure.disclosure_report import write_findings


def test_no_pooled_figure_includes_a_hidden_trust(received, truth):
    assert any(p.differs for p in truth.pooled), "no pooled figure differs: this test would prove nothing"
    report = checkers.check_pooled(
        received.numbers, received.slots, truth.pooled, truth.visible, truth.own, truth.derived
    )
    lines = [f"LEAK {f}" for f in report.leaks] + [f"NOT VISIBLE-ONLY {f}" for f in report.wrong_slots]
    path = write_findings("subtraction", received.role, lines)
    assert not report.leaks and not report.wrong_slots, (
        f"{received.role}: {len(report.leaks)} distinct numbers ({sum(f.seen.count for f in report.leaks)} places) "
        f"equal a pooled figure over all trusts where a hidden trust changes it ({checkers.tally(report.leaks)}), "
        f"and {len(report.wrong_slots)} of "
        f"the {report.slots_checked + report.slots_consistent} region/England figures received are not pooled "
        f"over the visible trusts; all in {path}:\n  " + "\n  ".join(lines[:15])
    )


def test_pooled_figures_were_found_to_check(crawls, truth):
    """The slot extraction finds the region and England figures the trust lead receives, including
    ones where a hidden trust makes a difference (else the test above would pass vacuously)."""
    received = crawls("trust_lead")
    report = checkers.check_pooled(
        received.numbers, received.slots, truth.pooled, truth.visible, truth.own, truth.derived
    )
    scopes = {s.scope for s in received.slots}
    assert report.slots_checked > 0 and len(scopes) >= 8, (
        f"only {report.slots_checked} region/England figures where a hidden trust matters were found, "
        f"in scopes {sorted(scopes)}"
    )
