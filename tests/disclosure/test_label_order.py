"""Policy 3 and 4: the order and the comings and goings of peer labels say nothing about which
trust is behind them.

Every trace and table column sending 4 or more labels is a sequence; labels are mapped to codes
with the quarter's labelling (truth.labels_for), and each sequence is also cut down to each
region's trusts (the codes of a region are public). Over all quarters:
* order: the mean Spearman rho between position and alphabetical code rank is near 0, and no more
  sequences of 6 or more are in exact code order than chance gives (Poisson, p >= 0.001);
* openings and closings: for each trust that opened or closed within the loaded quarters, no label
  stands for it in its region in exactly the quarters it was open (so a label cannot be followed to
  a public date), and labels seen with a region in consecutive quarters keep that region only as
  often as chance allows (labels drawn afresh each quarter do not link).
"""

from __future__ import annotations

from tests.disclosure import checkers
from tests.disclosure.disclosure_report import write_findings

MAX_MEAN_RHO = 0.25
MIN_P_VALUE = 1e-3
MAX_REGION_PERSISTENCE = 0.5  # chance is the sum of squared region shares, about 0.15 for the demo


def _own_names(truth) -> set[str]:
    me = truth.trusts.filter(truth.trusts["trust_code"] == truth.own).row(0, named=True)
    return {me["trust_code"], me["trust_name"], f"{me['trust_name']} ({me['trust_code']})"}


def test_label_order_follows_no_code_order(received, truth):
    report = checkers.check_label_order(
        received.sequences, truth.labels, truth.own, _own_names(truth), truth.region_of()
    )
    lines = [f"rho {rho:+.2f} {codes} e.g. {seen.wheres[0]}" for rho, codes, seen in report.strongest]
    lines += [f"SORTED {codes} e.g. {seen.wheres[0]}" for codes, seen in report.sorted_long]
    path = write_findings("label-order", received.role, lines)
    assert not report.unknown_labels, f"labels that stand for no trust in their quarter: {report.unknown_labels[:10]}"
    if received.role == "trust_lead":  # the board snapshot sends no peer labels in sequence
        assert report.sequences >= 20, f"only {report.sequences} label sequences were received: nothing to judge"
    assert abs(report.mean_rho) <= MAX_MEAN_RHO and report.p_value >= MIN_P_VALUE, (
        f"{received.role}: over {report.sequences} label sequences the mean Spearman rho with code order is "
        f"{report.mean_rho:+.2f} (at most ±{MAX_MEAN_RHO}), and {len(report.sorted_long)} sequences of 6 or "
        f"more are in exact code order where chance gives {report.expected_sorted:.3f} (p = {report.p_value:.1e}); "
        f"details in {path}:\n  " + "\n  ".join(lines[:12])
    )


def _changed_trusts(truth) -> list[tuple[str, str, set]]:
    """Trusts that opened or closed within the loaded quarters, with the quarters they were open
    (public dates) and, separately, the quarters they returned."""
    first, last = min(truth.periods), max(truth.periods)
    out = []
    for r in truth.trusts.iter_rows(named=True):
        opened, closed = r["open_date"], r["close_date"]
        if (opened and first <= opened <= last) or (closed and first <= closed <= last):
            out.append((r["trust_code"], r["region_name"], checkers.open_quarters(opened, closed, truth.periods)))
            out.append(
                (r["trust_code"], r["region_name"], {q for q in truth.periods if r["trust_code"] in truth.returned[q]})
            )
    return out


def test_labels_do_not_follow_a_trust_across_quarters(crawls, truth):
    received = crawls("trust_lead")
    changed = _changed_trusts(truth)
    assert len({c for c, _, _ in changed}) >= 3, f"the demo should have trusts opening and closing: {changed}"
    tracked = checkers.check_open_close(received.sequences, truth.labels, changed)
    share, pairs = checkers.region_persistence(received.sequences, truth.periods)
    lines = [str(t) for t in tracked] + [f"region persistence {share:.2f} over {pairs} label pairs"]
    path = write_findings("label-tracking", received.role, lines)
    assert pairs >= 50, f"only {pairs} labels were seen with a region in consecutive quarters: nothing to judge"
    assert not tracked and share <= MAX_REGION_PERSISTENCE, (
        f"{len(tracked)} labels follow a trust that opened or closed to its public dates, and "
        f"{share:.0%} of {pairs} labels seen with a region in consecutive quarters keep it (chance is about 15%, "
        f"at most {MAX_REGION_PERSISTENCE:.0%} allowed); details in {path}:\n  " + "\n  ".join(lines[:12])
    )
