"""Policy 1 and 2: no number a non-analyst receives equals another trust's suppressed figure (its
basis under 5), unless a figure they may see has the same value at the precision received. This
catches suppressed values sent as they are, and medians, quartiles and other statistics that land
exactly on a hidden figure (see checkers.py for how numbers are matched)."""

from __future__ import annotations

from tests.disclosure import checkers
from tests.disclosure.disclosure_report import write_findings


def test_no_number_equals_a_suppressed_figure(received, truth):
    assert truth.suppressed, "the demo has no suppressed figure: this test would prove nothing"
    findings = checkers.check_suppressed(received.numbers, truth.suppressed, truth.visible, truth.own, truth.derived)
    places = sum(f.seen.count for f in findings)
    revealed = {fig for f in findings for fig in f.figures}
    report = write_findings("suppressed", received.role, [str(f) for f in findings])
    assert not findings, (
        f"{received.role} received {len(findings)} distinct numbers ({places} places) equal to one of "
        f"{len(revealed)} suppressed figures (of {len(truth.suppressed)}) and to no figure they may see "
        f"({checkers.tally(findings)}); all in {report}:\n  "
        + "\n  ".join(str(f) for f in sorted(findings, key=lambda f: -f.seen.count)[:15])
    )
    assert len(received.numbers) > 100, "the crawl received almost no numbers: nothing was checked"
