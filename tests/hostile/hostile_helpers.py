"""Helpers for the hostile-input tests: the Upload page, and 'nothing changed' checks."""

from __future__ import annotations

from pathlib import Path

import duckdb
from streamlit.testing.v1 import AppTest

from pswbench.paths import ROOT
from tests.helpers.apptest_helpers import sign_in_as

LEAD = "lead@rx4.nhs.uk"
ANALYST = "analyst@hee.nhs.uk"
UPLOAD_TITLE = "Upload a quarterly return"

# Elements whose text Streamlit renders as Markdown (or as the page's chrome). A hostile value must never
# be quoted in one of these; st.text and st.dataframe show text literally.
MARKDOWN_ELEMENTS = (
    "markdown",
    "caption",
    "error",
    "warning",
    "info",
    "success",
    "title",
    "header",
    "subheader",
    "latex",
    "exception",
)


def query(path: Path, text: str, params=()) -> list[tuple]:
    # The same process as the app: DuckDB hands back the instance the app already has open.
    con = duckdb.connect(str(path))
    try:
        return con.execute(text, list(params)).fetchall()
    finally:
        con.close()


def accepted_data(path: Path) -> dict:
    """Everything an accepted return adds: every loaded row and every version, in full."""
    return {
        "return_row": query(path, "SELECT * FROM return_row ORDER BY ALL"),
        "return_version": query(path, "SELECT * FROM return_version ORDER BY ALL"),
        "data_version": query(path, "SELECT version FROM data_version"),
    }


def submission_count(path: Path) -> int:
    return query(path, "SELECT count(*) FROM submission")[0][0]


def upload_page(db, role: str = "trust_lead") -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    sign_in_as(at, db[1][role].email)
    at.run()
    at.switch_page("pages/upload.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def upload(at: AppTest, name: str, data: bytes, mime: str = "text/csv") -> AppTest:
    at.file_uploader(key="upload_file").set_value((name, data, mime))
    return at.run()


def assert_page_still_up(at: AppTest, to_the_end: bool = True) -> None:
    """No exception element, the page's title, and (to_the_end) the page drew on to the upload history."""
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == [UPLOAD_TITLE]
    assert not to_the_end or any(s.value.startswith("Upload history:") for s in at.subheader), [
        s.value for s in at.subheader
    ]


def markdown_texts(at: AppTest) -> list[str]:
    out = []
    for kind in MARKDOWN_ELEMENTS:
        out += [str(e.value) for e in at.get(kind)]
    return out


def assert_not_in_markdown(at: AppTest, *hostile: str) -> None:
    for text in markdown_texts(at):
        for h in hostile:
            assert h not in text, f"{h!r} quoted in a Markdown element: {text!r}"
