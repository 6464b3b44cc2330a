"""Whole user journeys in headless Chromium against the real app (`streamlit run app.py`).

1. A trust lead downloads the template, uploads a changed return, sees it at once on the benchmark
   and the board snapshot, uploads a broken return (every finding with its line; nothing changes),
   corrects it (a new version) and uploads it again (told it is a duplicate before and after Submit).
2. An analyst walks the pages by the sidebar and downloads tables as CSV and XLSX, which match the
   figures the CLI computes from the same database.
3. A board member sees only their trust's snapshot and downloads a board pack that renders on its
   own, with no scripts and no network.

Journeys that change data (1) or compare with the database (2) get a copy of a pristine demo
database and an app process of their own, so they disturb no other test; expected figures are read
from the copy before the app opens it (the app holds the database while it runs).
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl
import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from pswbench.paths import ROOT
from pswbench.returns import contract
from tests.helpers import app_server
from tests.helpers.app_server import grid_rows, main_area, sidebar, sign_in, wait_until_idle
from tests.helpers.demo_data import DEMO_ACCOUNTS

pytestmark = pytest.mark.browser

ARTIFACTS = ROOT / "artifacts" / "e2e"
PERIOD = "2026-09-30"  # the demo's latest quarter, already loaded for RX4
RX4_NAME = "Cumbria, Northumberland, Tyne and Wear NHS Foundation Trust"


# ---- fixtures and helpers -----------------------------------------------------------------------


@contextlib.contextmanager
def own_app(db: Path, name: str):
    with app_server.running_app(db, ARTIFACTS / f"{name}-app.log", timeout=60) as url:
        yield url


def go(page, title: str, heading: str | re.Pattern) -> None:
    """Open a page by its sidebar link and wait for its heading."""
    sidebar(page).get_by_role("link", name=title, exact=True).click()
    expect(main_area(page).locator("h1").first).to_have_text(heading, timeout=30_000)
    wait_until_idle(page)


def upload(page, path: Path) -> None:
    page.locator('[data-testid="stFileUploader"] input[type=file]').set_input_files(str(path))
    expect(main_area(page).get_by_text(f"File: {path.name}")).to_be_visible(timeout=60_000)
    wait_until_idle(page, timeout=60_000)


def submit_valid_return(page, path: Path, result, version: int, shot, name: str) -> None:
    """Upload a valid return on the Upload page; warnings (if any) must be acknowledged before Submit is
    enabled; submit it and see it accepted as the given version."""
    upload(page, path)
    submit = main_area(page).get_by_role("button", name="Submit return")
    if result.warnings:
        expect(main_area(page).get_by_text("passed every rule but has warnings")).to_be_visible()
        expect(submit).to_be_disabled()
        main_area(page).get_by_text("I have checked the warnings and the figures are right.").click()
    else:
        expect(main_area(page).get_by_text("The return passed every check.")).to_be_visible()
    expect(submit).to_be_enabled()
    shot(f"{name}-checked")
    submit.click()
    expect(main_area(page).get_by_text(f"Accepted: this return is now version {version} for RX4")).to_be_visible()
    wait_until_idle(page)
    shot(f"{name}-accepted")


def rx4_snapshot_headcount(page) -> str:
    """Open RX4's board snapshot by the menu and read its PSW headcount card."""
    go(page, "Board snapshot", re.compile(f"^How does {re.escape(RX4_NAME)} compare\\?"))
    return snapshot_headcount(page)


def snapshot_headcount(page) -> str:
    card = (
        main_area(page)
        .get_by_test_id("stMetric")
        .filter(has=page.get_by_test_id("stMetricLabel").get_by_text("PSW headcount", exact=True))
    )
    expect(card).to_have_count(1)
    return card.get_by_test_id("stMetricValue").inner_text().strip()


def download(page, button) -> bytes:
    with page.expect_download() as info:
        button.click()
    return Path(info.value.path()).read_bytes()


def write_return(path: Path, rows: list[list[str]]) -> Path:
    path.write_text("".join(",".join(r) + "\n" for r in rows), encoding="utf-8")
    return path


def validate_cli(path: Path) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "pswbench", "validate", str(path), "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    return json.loads(done.stdout)[0]


# ---- 1. trust lead ------------------------------------------------------------------------------


def test_trust_lead_uploads_sees_it_at_once_corrects_and_resubmits(page, own_db, tmp_path, shot):
    example = list(csv.reader(io.StringIO((ROOT / "data" / "example_return.csv").read_text(encoding="utf-8"))))
    header, body = example[0], [[*r[:1], PERIOD, *r[2:]] for r in example[1:]]
    col = {name: i for i, name in enumerate(header)}
    changed = write_return(tmp_path / "rx4-2026-q3-changed.csv", [header, *body])
    changed_headcount = sum(int(r[col["headcount"]]) for r in body)

    broken_rows = [list(r) for r in body]
    broken_rows[1][col["wte_in_post"]] = "25.00"  # line 3: more WTE than the 18 people
    broken_rows[4][col["afc_band"]] = "9"  # line 6: not an Agenda for Change band
    broken_rows[7][col["headcount"]] = "-1"  # line 9: a negative headcount
    broken = write_return(tmp_path / "rx4-2026-q3-broken.csv", [header, *broken_rows])

    fixed_rows = [list(r) for r in broken_rows]
    fixed_rows[1][col["wte_in_post"]] = "16.00"
    fixed_rows[4][col["afc_band"]] = body[4][col["afc_band"]]
    fixed_rows[7][col["headcount"]] = "2"
    corrected = write_return(tmp_path / "rx4-2026-q3-corrected.csv", [header, *fixed_rows])
    corrected_headcount = changed_headcount - int(body[7][col["headcount"]]) + 2

    # The files are what they claim to be, by the real CLI: the changed and corrected ones validate
    # cleanly, the broken one fails on lines 3, 6 and 9.
    for good in (changed, corrected):
        verdict = validate_cli(good)
        assert verdict["valid"] and not verdict["errors"], verdict
    bad = validate_cli(broken)
    assert not bad["valid"] and {e["line"] for e in bad["errors"]} == {3, 6, 9}, bad

    # What the database holds before the app opens it; the expected findings come from the same
    # validator the app uses, with the same lookup of the previous quarter's headcount.
    from pswbench.returns.validate import validate_bytes
    from pswbench.store import loader

    with duckdb.connect(str(own_db), read_only=True) as con:
        (version,) = con.execute(
            "SELECT version FROM return_version WHERE trust_code = 'RX4' AND period_end = ? AND is_current", [PERIOD]
        ).fetchone()
        (before,) = con.execute(
            "SELECT sum(r.headcount) FROM return_row r JOIN return_version v USING (submission_id) "
            "WHERE v.trust_code = 'RX4' AND v.period_end = ? AND v.is_current",
            [PERIOD],
        ).fetchone()
        lookup = loader.previous_headcount_lookup(con)
        expected = {p.name: validate_bytes(p.name, p.read_bytes(), lookup) for p in (changed, broken, corrected)}
    assert before not in (changed_headcount, corrected_headcount)  # so the new figure is visibly new

    with own_app(own_db, "journey-trust-lead") as url:
        page.goto(url)
        sign_in(page, *DEMO_ACCOUNTS["trust_lead"])
        expect(main_area(page).locator("h1").first).to_have_text("Upload a quarterly return")
        wait_until_idle(page)
        shot("upload-page")

        template = download(page, main_area(page).get_by_role("button", name="Template (CSV)"))
        assert template == (ROOT / "data" / "template.csv").read_bytes()
        # The workforce template: the example's columns and the optional contacts column (return version 2).
        assert template.decode("utf-8").splitlines()[0].split(",") == list(contract.WORKFORCE_COLUMNS)
        assert set(header) < set(contract.WORKFORCE_COLUMNS)

        # A changed return for a quarter already loaded: warnings (if any) must be acknowledged.
        submit_valid_return(page, changed, expected[changed.name], version + 1, shot, "changed-return")

        go(page, "Trust benchmark", "How does a trust's peer support workforce compare with its peers?")
        expect(main_area(page).get_by_text(f"PSW headcount: {changed_headcount} against a peer median")).to_be_visible()
        shot("benchmark-shows-new-headcount")
        assert rx4_snapshot_headcount(page) == str(changed_headcount)
        shot("snapshot-shows-new-headcount")

        # A broken return: every finding, with its line, and nothing loaded.
        go(page, "Upload return", "Upload a quarterly return")
        upload(page, broken)
        errors = len(expected[broken.name].errors)
        expect(main_area(page).get_by_text(f"Rejected with {errors} errors: nothing was loaded.")).to_be_visible()
        expect(main_area(page).get_by_role("button", name="Submit return")).to_have_count(0)
        rows = grid_rows(main_area(page).get_by_test_id("stDataFrame").first)
        # The fix first (and widest), the rule id last.
        assert rows[0] == ["What to fix", "severity", "line", "column", "Value in the file", "Rule id"]
        want = expected[broken.name].findings
        assert all(f.line is not None for f in want)  # each of these findings is about one line
        assert [[r[1], r[2], r[3], r[5], r[0]] for r in rows[1:]] == [
            [f.severity, str(f.line), f.column, f.rule, f.message] for f in want
        ]
        shown = [(r[1], r[2]) for r in rows[1:]]
        assert {s[1] for s in shown if s[0] == "error"} == {"3", "6", "9"}
        shot("broken-return-findings")

        assert rx4_snapshot_headcount(page) == str(changed_headcount)
        shot("snapshot-unchanged-after-broken-return")

        # Corrected: a new version; the same file again: a duplicate.
        go(page, "Upload return", "Upload a quarterly return")
        submit_valid_return(page, corrected, expected[corrected.name], version + 2, shot, "corrected-return")

        assert rx4_snapshot_headcount(page) == str(corrected_headcount)
        shot("snapshot-shows-corrected-headcount")

        go(page, "Upload return", "Upload a quarterly return")
        upload(page, corrected)
        # The app says so before Submit, and again once it is submitted: nothing added, the version stays.
        expect(
            main_area(page).get_by_text(
                "This file is identical to the current return for RX4, quarter ending", exact=False
            )
        ).to_be_visible()
        main_area(page).get_by_role("button", name="Submit return").click()
        expect(
            main_area(page).get_by_text(
                f"Not added: this file is identical to the current return (duplicate of version {version + 2})."
            )
        ).to_be_visible()
        expect(main_area(page).get_by_role("button", name="Submit return")).to_have_count(0)
        shot("same-file-again-duplicate")

    # After the app has exited: every attempt is on record, and version N+1 is the current return.
    with duckdb.connect(str(own_db), read_only=True) as con:
        attempts = con.execute(
            "SELECT file_name, status, version FROM submission WHERE submitted_by = ? ORDER BY submission_id",
            [DEMO_ACCOUNTS["trust_lead"][0]],
        ).fetchall()
        current = con.execute(
            "SELECT version FROM return_version WHERE trust_code = 'RX4' AND period_end = ? AND is_current", [PERIOD]
        ).fetchall()
    assert attempts == [
        (changed.name, "accepted", version + 1),
        (broken.name, "rejected", None),
        (corrected.name, "accepted", version + 2),
        (corrected.name, "duplicate", version + 2),
    ]
    assert current == [(version + 2,)]


# ---- 2. analyst ---------------------------------------------------------------------------------


def _national_from_cli(db: Path) -> list[dict]:
    done = subprocess.run(
        [sys.executable, "-m", "pswbench", "indicators", "--db", str(db), "--level", "national", "--format", "json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _same_figures(got: list[dict], want: list[dict], columns: list[str]) -> None:
    """Downloads are headed in words and rounded by unit (reports.tables): each heading's field, rounded so."""
    from pswbench.reports import tables

    fields = {tables.column(c, pl.Float64).heading: c for c in want[0] if c != "period_end"}
    assert len(got) == len(want) > 0
    for g, w in zip(got, want):
        assert str(g["Quarter ending"])[:10] == str(w["period_end"])[:10]
        for h in columns:
            c = fields[h]
            if w[c] is None:
                assert g[h] not in (None, "") and not str(g[h])[:1].isdigit(), (w["period_end"], c, g[h])
            else:
                fmt = tables.column(c, pl.Float64).format
                # one unit of the last decimal: 818.15 rounds either way after a float sum in another order
                assert float(g[h]) == pytest.approx(fmt.number(float(w[c])), abs=1.01 * 10**-fmt.decimals), (
                    w["period_end"],
                    c,
                )


def test_analyst_walks_the_pages_and_downloads_match_the_database(page, own_db, shot):
    national = sorted(_national_from_cli(own_db), key=lambda r: r["period_end"])
    with own_app(own_db, "journey-analyst") as url:
        page.goto(url)
        sign_in(page, *DEMO_ACCOUNTS["analyst"])
        expect(main_area(page).locator("h1").first).to_have_text(
            "How is the peer support workforce in England changing?"
        )
        wait_until_idle(page)
        shot("overview")

        # The national table, as CSV and as XLSX.
        table = main_area(page).locator(".st-key-national-indicators-by-quarter-csv")
        csv_bytes = download(page, table.get_by_role("button", name="Download CSV"))
        xlsx_bytes = download(
            page,
            main_area(page)
            .locator(".st-key-national-indicators-by-quarter-xlsx")
            .get_by_role("button", name="Download XLSX"),
        )
        text = csv_bytes.decode("utf-8-sig")
        got_csv = list(csv.DictReader(io.StringIO(text)))
        columns = [c for c in got_csv[0] if c != "Quarter ending"]
        assert "PSW headcount (people)" in columns and "Vacancy rate (% of establishment)" in columns
        _same_figures(got_csv, national, columns)

        sheet = load_workbook(io.BytesIO(xlsx_bytes), read_only=True).active
        values = list(sheet.iter_rows(values_only=True))
        assert list(values[0]) == ["Quarter ending", *columns]
        _same_figures([dict(zip(values[0], row)) for row in values[1:]], national, columns)

        # A table behind a chart: hidden in its expander until opened.
        expander = main_area(page).get_by_test_id("stExpander").filter(has_text="Data behind this chart")
        chart_csv = expander.get_by_role("button", name="Download CSV")
        expect(chart_csv).to_be_hidden()
        expander.get_by_text("Data behind this chart").first.click()
        expect(chart_csv).to_be_visible()
        shot("overview-chart-data-open")
        rows = list(csv.DictReader(io.StringIO(download(page, chart_csv).decode("utf-8-sig"))))
        _same_figures(rows, national, ["PSW headcount (people)"])  # the SPC chart's table

        go(page, "Regional comparison", "How do the NHS England regions compare on the peer support workforce?")
        shot("regions")
        go(page, "Trust benchmark", "How does a trust's peer support workforce compare with its peers?")
        expect(main_area(page).get_by_label("Trust", exact=True)).to_be_visible()  # analysts pick any trust
        shot("benchmark")
        go(page, "Submissions and data quality", "Submissions and data quality")
        expect(main_area(page).get_by_text(re.compile(r"^Not permitted"))).to_have_count(0)
        shot("submissions")

    with duckdb.connect(str(own_db), read_only=True) as con:
        exports = con.execute(
            "SELECT detail FROM audit_log WHERE actor = ? AND action = 'export'", [DEMO_ACCOUNTS["analyst"][0]]
        ).fetchall()
    formats = sorted(json.loads(d)["format"] for (d,) in exports)
    assert formats == ["csv", "csv", "xlsx"]


# ---- 3. board member ----------------------------------------------------------------------------


def test_board_member_sees_own_trust_and_a_self_contained_board_pack(page, app_url, shot):
    others = [
        r["trust_name"]
        for r in csv.DictReader((ROOT / "data" / "reference" / "mental_health_trusts.csv").open(encoding="utf-8"))
        if r["trust_code"] != "RX4" and r["trust_name"] not in RX4_NAME
    ]
    page.goto(app_url)
    sign_in(page, *DEMO_ACCOUNTS["board"])
    title = main_area(page).locator("h1").first
    expect(title).to_have_text(re.compile(f"^How does {re.escape(RX4_NAME)} compare\\? Quarter ending"))
    wait_until_idle(page)
    shot("snapshot")
    expect(main_area(page).get_by_label("Trust", exact=True)).to_have_count(0)
    text = main_area(page).inner_text()
    assert not [name for name in others if name in text]

    pack = download(page, main_area(page).get_by_role("button", name=re.compile("^Download the board pack")))
    html = pack.decode("utf-8")
    assert "<script" not in html.lower()
    assert RX4_NAME.replace(",", "") in html.replace(",", "")
    assert not [name for name in others if name in html]

    viewer = page.context.new_page()
    requested: list[str] = []

    def block(route):
        if route.request.url.startswith(("data:", "about:")):
            route.continue_()
        else:
            requested.append(route.request.url)
            route.abort()

    viewer.route("**/*", block)
    viewer.set_content(html, wait_until="load")
    expect(viewer.locator("h1")).to_have_text(f"How does {RX4_NAME} compare?")
    expect(viewer.get_by_text("SYNTHETIC DEMO DATA")).to_be_visible()
    assert viewer.evaluate("() => document.scripts.length") == 0
    assert viewer.evaluate("() => document.querySelectorAll('link[href], img, iframe, object, embed').length") == 0
    assert viewer.locator(".card").count() >= 5
    assert requested == []
    app_server.full_page_screenshot(viewer, shot("snapshot-after-download").parent / "99-board-pack.png")
    viewer.close()
