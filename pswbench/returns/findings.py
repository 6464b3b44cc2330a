"""One shape for every finding, whichever check produced it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass

# A finding quotes the offending value; a cell can hold 32,767 characters and a file thousands of bad
# cells, so what is quoted (and stored, and sent to the browser) is cut short and the list is capped.
MAX_VALUE_CHARS = 1_000
MAX_PER_RULE = 20  # findings listed per rule and column in one file; the rest are counted


@dataclass(frozen=True)
class Finding:
    severity: str  # "error" blocks a load; "warning" is shown and recorded
    line: int | None  # 1-based line in the file (header = 1); None for file-level
    column: str | None
    rule: str  # stable id, documented in docs/return-spec.md
    value: str | None
    message: str  # a sentence a trust lead understands, saying what to do
    section: str | None = None  # the return's section (contract.SECTIONS) the finding is in, when known
    sheet: str | None = None  # the workbook sheet it was read from, for a workbook

    def as_json(self) -> dict:
        d = asdict(self)
        d.pop("severity")
        if d["sheet"] is None:  # a workbook's findings name their sheet; a CSV file has none
            d.pop("sheet")
        return d


def quoted(value: object) -> str | None:
    """A value as a finding quotes it: text, cut to MAX_VALUE_CHARS with the full length said."""
    if value is None:
        return None
    text = str(value)
    if len(text) <= MAX_VALUE_CHARS:
        return text
    return f"{text[:MAX_VALUE_CHARS]}… ({len(text):,} characters)"


def error(rule: str, message: str, line: int | None = None, column: str | None = None, value: object = None) -> Finding:
    return Finding("error", line, column, rule, quoted(value), message)


def warning(
    rule: str, message: str, line: int | None = None, column: str | None = None, value: object = None
) -> Finding:
    return Finding("warning", line, column, rule, quoted(value), message)


def lines_text(lines: list[int], most: int = 10) -> str:
    """'line 4', 'lines 2 to 9', 'lines 2, 4 and 7 to 9': runs of consecutive lines joined, at most
    `most` runs named and the rest counted."""
    ordered = sorted(set(lines))
    if len(ordered) == 1:
        return f"line {ordered[0]:,}"
    runs: list[list[int]] = []
    for n in ordered:
        if runs and n == runs[-1][1] + 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    runs = [r for a, b in runs for r in ([[a, a], [b, b]] if b == a + 1 else [[a, b]])]  # "2 and 3", not "2 to 3"
    words = [f"{a:,}" if a == b else f"{a:,} to {b:,}" for a, b in runs]
    if len(runs) > most:
        rest = sum(b - a + 1 for a, b in runs[most:])
        return f"lines {', '.join(words[:most])} and {rest:,} more"
    return f"lines {', '.join(words[:-1])} and {words[-1]}" if len(words) > 1 else f"lines {words[0]}"


def counted(n: int, noun: str) -> str:
    """'1 error', '3 errors', '1,204 data rows': every count of findings or rows the user reads."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def sort_key(f: Finding) -> tuple:
    return (
        f.section or "",
        f.sheet or "",
        f.severity != "error",
        f.line is not None,
        f.line or 0,
        f.column or "",
        f.rule,
    )


def capped(found: list[Finding]) -> list[Finding]:
    """Sorted, with at most MAX_PER_RULE findings per (severity, rule, column) and one that counts the rest.

    A file where one column is wrong on every one of 10,000 rows says so in 21 lines, not 10,000:
    the list stays readable, and recording it stays cheap.
    """
    groups: dict[tuple, list[Finding]] = defaultdict(list)
    for f in sorted(found, key=sort_key):
        groups[(f.severity, f.rule, f.column, f.section, f.sheet)].append(f)
    out: list[Finding] = []
    for (severity, rule, column, section, sheet), group in groups.items():
        if len(group) <= MAX_PER_RULE + 1:  # a summary of one would be no shorter
            out += group
            continue
        out += group[:MAX_PER_RULE]
        rest = group[MAX_PER_RULE:]
        lines = [f.line for f in rest if f.line is not None]
        span = f", from line {min(lines):,} to line {max(lines):,}," if lines else ""
        where = f" in {column}" if column else ""
        # At the first line left out, so it sorts in among the lines it stands for.
        out.append(
            Finding(
                severity,
                min(lines) if lines else None,
                column,
                rule,
                f"{len(rest):,} more",
                f"{len(rest):,} more lines{span} have the same problem ({rule}){where}; only the "
                f"first {MAX_PER_RULE} are listed. Correct every one, then upload the file again.",
                section,
                sheet,
            )
        )
    return sorted(out, key=sort_key)
