"""Policy: a non-analyst never receives another trust's ODS code or full name, anywhere (messages,
charts, tables, downloads, the board pack). Region names are fine."""

from __future__ import annotations

from tests.disclosure import checkers
from tests.disclosure.disclosure_report import write_findings


def test_no_other_trust_is_named(received, truth):
    others = list(truth.other_trusts().select("trust_code", "trust_name").iter_rows())
    findings = checkers.check_names(received.strings, others)
    report = write_findings("names", received.role, [str(f) for f in findings])
    codes = sorted({f.code for f in findings})
    assert not findings, (
        f"{received.role} received {len(findings)} strings naming {len(codes)} other trusts ({', '.join(codes[:20])}); "
        f"all in {report}:\n  " + "\n  ".join(str(f) for f in findings[:20])
    )
    assert len(received.strings) > 100, "the crawl received almost no text: nothing was checked"
