"""The template workbook and its filled example open in LibreOffice (headless) without errors, and
LibreOffice reads what Excel would: the sheets, headers, values as shown and every check.

Needs `soffice` (Debian's libreoffice-calc-nogui; `make libreoffice` installs it when missing). Without
it the tests fail, never skip, as the browser tests do without Chromium.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from pswbench.paths import DATA_DIR
from pswbench.returns import contract
from scripts.build_templates import CSV_EXAMPLES, CSV_TEMPLATES, WORKBOOK_EXAMPLE, WORKBOOK_TEMPLATE
from tests.helpers.template_checks import validations

WORKBOOKS = (WORKBOOK_TEMPLATE, WORKBOOK_EXAMPLE)
SHEETS = ("Instructions",) + tuple(contract.SHEET_NAMES[s] for s in contract.SECTIONS)
# Comma, double quote, UTF-8, from line 1, cells as shown (so 9.60 stays 9.60), every sheet to its own
# file (name-Sheet.csv): LibreOffice's CSV filter options, in its order.
CSV_FILTER = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1"
# oosplash says this whenever Java is not installed; no conversion needs Java.
NO_JAVA = "Warning: failed to launch javaldx - java may not function correctly"
TIMEOUT_S = 180


def _soffice() -> str:
    found = shutil.which("soffice")
    if found is None:
        raise FileNotFoundError("LibreOffice's soffice is not installed: run `make libreoffice`")
    return found


def _convert(out: Path, target: str, profile: Path) -> subprocess.CompletedProcess:
    """Both workbooks converted by LibreOffice headless with a private profile (never the user's)."""
    out.mkdir(parents=True, exist_ok=True)
    command = [
        _soffice(),
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--norestore",
        "--convert-to",
        target,
        "--outdir",
        str(out),
        *(str(DATA_DIR / name) for name in WORKBOOKS),
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_S, check=False)


@pytest.fixture(scope="module")
def converted(tmp_path_factory) -> dict[str, tuple[subprocess.CompletedProcess, Path]]:
    root = tmp_path_factory.mktemp("libreoffice")
    profile = root / "profile"
    return {
        "csv": (_convert(root / "csv", CSV_FILTER, profile), root / "csv"),
        "xlsx": (_convert(root / "xlsx", "xlsx", profile), root / "xlsx"),
    }


def _read(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def _sheet_csv(out: Path, workbook: str, sheet: str) -> list[list[str]]:
    return _read(out / f"{Path(workbook).stem}-{sheet}.csv")


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_libreoffice_converts_both_workbooks_without_errors(converted, kind):
    done, out = converted[kind]
    assert done.returncode == 0, done.stderr
    other = [line for line in done.stderr.splitlines() if line.strip() and line.strip() != NO_JAVA]
    assert other == []
    assert "error" not in done.stdout.lower()
    if kind == "csv":
        expected = {f"{Path(w).stem}-{s}.csv" for w in WORKBOOKS for s in SHEETS}
    else:
        expected = set(WORKBOOKS)
    assert {p.name for p in out.iterdir()} == expected


@pytest.mark.parametrize("workbook", WORKBOOKS)
def test_each_sections_header_as_libreoffice_reads_it(converted, workbook):
    _done, out = converted["csv"]
    assert _sheet_csv(out, workbook, "Workforce")[0] == list(contract.WORKFORCE_COLUMNS)
    for section in contract.SECTIONS:
        assert _sheet_csv(out, workbook, contract.SHEET_NAMES[section])[0] == list(contract.SECTION_COLUMNS[section])


@pytest.mark.parametrize(("workbook", "files"), [(WORKBOOK_TEMPLATE, CSV_TEMPLATES), (WORKBOOK_EXAMPLE, CSV_EXAMPLES)])
def test_each_sheet_as_libreoffice_shows_it_is_its_csv_file(converted, workbook, files):
    _done, out = converted["csv"]
    for section, name in files.items():
        assert _sheet_csv(out, workbook, contract.SHEET_NAMES[section]) == _read(DATA_DIR / name), name


@pytest.mark.parametrize("workbook", WORKBOOKS)
def test_libreoffice_keeps_every_check(converted, workbook):
    """Saved again by LibreOffice, each sheet has the checks it was given: LibreOffice understood them."""
    _done, out = converted["xlsx"]
    ours, theirs = openpyxl.load_workbook(DATA_DIR / workbook), openpyxl.load_workbook(out / workbook)
    for section in contract.SECTIONS:
        name = contract.SHEET_NAMES[section]

        def key(v):
            return (v.ranges, v.kind, v.formula1, v.prompt, v.error)

        kept = sorted(map(key, validations(theirs[name])))
        assert kept and kept == sorted(map(key, validations(ours[name]))), name
