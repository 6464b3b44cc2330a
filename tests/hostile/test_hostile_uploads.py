"""Hostile uploads, as a trust lead meets the Upload page: huge files, zip bombs, odd names, script and formulas.

Every test goes through the page (AppTest, the same file_uploader a browser fills) or pswbench.uploads,
and checks afterwards that the app is still up, the refusal is plain, and no accepted data changed.
tests/unit/test_reader.py already covers the reader's verdict on many odd files; these add the
flow around it: what is recorded, what the page shows, what is stored and what is exported.
"""
from __future__ import annotations

import builtins
import csv
import io
import os
import time
import tomllib
import tracemalloc
import types
import zipfile

import openpyxl
import pytest
from streamlit.runtime.uploaded_file_manager import UploadedFile

from hostile_helpers import (
    ANALYST, EXAMPLE, ROOT, accepted_data, assert_not_in_markdown, assert_page_still_up, query,
    submission_count, upload, upload_page,
)
from pswbench import auth, contract, database, exports, quality, reader, uploads

MB = 1024 * 1024
SCRIPT = "<script>alert(1)</script>"
FORMULA = "=cmd|' /C calc'!A0"


def example_with(changes: dict[int, dict[str, str]]) -> bytes:
    """The example return (RX4, 2025-09-30) with some cells changed: {data row index: {column: text}}."""
    rows = list(csv.DictReader(io.StringIO(EXAMPLE.decode("utf-8-sig"))))
    for i, cells in changes.items():
        rows[i].update(cells)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def rule_names(at) -> list[str]:
    return at.dataframe[0].value["rule"].tolist() if at.dataframe else []


def errors(at) -> list[str]:
    return [e.value for e in at.error]


# ---- size -----------------------------------------------------------------------------------------

def test_streamlit_itself_refuses_uploads_over_6_mb_and_the_widget_says_5():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] == 6          # MB: the server drops bigger uploads unread


def test_a_50_mb_file_is_refused_on_its_size_before_the_page_reads_a_byte(upload_db, monkeypatch):
    at = upload_page(upload_db)
    assert at.file_uploader(key="upload_file").proto.max_upload_size_mb == 5
    before, attempts = accepted_data(upload_db[0]), submission_count(upload_db[0])
    reads: list[str] = []
    original_init = UploadedFile.__init__

    def init(self, record, urls):
        original_init(self, record, urls)
        self.size = 50 * MB                     # what Streamlit reports for a 50 MB upload

    def forbid(name):
        def read(self, *args, **kwargs):
            reads.append(name)
            raise AssertionError(f"the page called UploadedFile.{name}() on a 50 MB file")
        return read

    monkeypatch.setattr(UploadedFile, "__init__", init)
    for name in ("read", "read1", "readline", "readlines", "getvalue", "getbuffer", "readinto", "__iter__"):
        monkeypatch.setattr(UploadedFile, name, forbid(name))
    upload(at, "huge.csv", EXAMPLE)

    assert reads == []
    assert_page_still_up(at, to_the_end=False)
    assert errors(at) == ["The file is 50.0 MB; a return may be at most 5 MB. A return has one row per service "
                          "setting and band, so a larger file is probably the wrong file."]
    assert not at.dataframe and not [b for b in at.button if b.label == "Submit return"]
    assert accepted_data(upload_db[0]) == before
    assert submission_count(upload_db[0]) == attempts     # refused before checking: nothing to record


# ---- zip bomb -------------------------------------------------------------------------------------

BOMB_EXPANDED = 1024 * MB


@pytest.fixture(scope="module")
def zip_bomb() -> bytes:
    """An .xlsx-shaped zip of about 1 MB whose sheet expands to 1 GB of whitespace, built in 1 MB steps."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        z.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook/>')
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(b'<?xml version="1.0"?><worksheet><sheetData>')
            chunk = b" " * MB
            for _ in range(BOMB_EXPANDED // MB):
                sheet.write(chunk)
            sheet.write(b"</sheetData></worksheet>")
    data = buf.getvalue()
    assert len(data) < 2 * MB and len(data) < contract.MAX_FILE_BYTES
    return data


def test_zip_bomb_is_refused_from_its_directory_without_expanding_it(upload_db, zip_bomb):
    con = database.connect(upload_db[0])
    try:
        lead = upload_db[1]["trust_lead"]
        before = accepted_data(upload_db[0])
        tracemalloc.start()
        started = time.perf_counter()
        chk = uploads.check(con, lead, "RX4", "bomb.xlsx", zip_bomb)
        seconds = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    finally:
        con.close()
    assert [f.rule for f in chk.result.errors] == ["file_too_large"]
    assert int(chk.result.errors[0].value) > BOMB_EXPANDED
    assert chk.outcome.status == "rejected"
    # Expanding the sheet would allocate (or at least stream) 1 GB; refusing it from the zip directory does not.
    assert peak < 32 * MB, f"peak {peak / MB:.1f} MB"
    assert seconds < 10, f"{seconds:.1f} s"
    print(f"zip bomb: {len(zip_bomb):,} bytes -> {BOMB_EXPANDED:,}; checked in {seconds:.2f} s, "
          f"peak {peak / MB:.1f} MB traced")
    assert accepted_data(upload_db[0]) == before


def test_zip_bomb_through_the_page_is_rejected_recorded_and_the_page_stays_up(upload_db, zip_bomb):
    at = upload_page(upload_db)
    before, attempts = accepted_data(upload_db[0]), submission_count(upload_db[0])
    upload(at, "bomb.xlsx", zip_bomb, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert_page_still_up(at)
    assert errors(at)[0].startswith("Rejected with 1 error: nothing was loaded.")
    assert rule_names(at) == ["file_too_large"]
    assert "expands to more than 50 MB" in at.dataframe[0].value["message"][0]
    assert accepted_data(upload_db[0]) == before
    assert submission_count(upload_db[0]) == attempts + 1
    assert query(upload_db[0], "SELECT file_name, status, trust_code FROM submission ORDER BY submission_id DESC "
                               "LIMIT 1") == [("bomb.xlsx", "rejected", "RX4")]


# ---- a million rows -------------------------------------------------------------------------------

class CountingReader:
    """csv.reader that counts the records it hands out (the reader also needs line_num)."""
    consumed = 0

    def __init__(self, *args, **kwargs):
        self._inner = csv.reader(*args, **kwargs)

    def __iter__(self):
        return self

    def __next__(self):
        record = next(self._inner)
        CountingReader.consumed += 1
        return record

    @property
    def line_num(self):
        return self._inner.line_num


@pytest.fixture
def counting_csv(monkeypatch):
    CountingReader.consumed = 0
    monkeypatch.setattr(reader, "csv", types.SimpleNamespace(reader=CountingReader, Error=csv.Error))
    return CountingReader


def test_a_million_real_rows_are_over_5_mb_and_refused_before_any_row_is_parsed(upload_db, monkeypatch):
    row = EXAMPLE.decode().splitlines()[1] + "\n"
    data = (EXAMPLE.decode().splitlines()[0] + "\n" + row * 1_000_000).encode()
    assert len(data) > 50 * MB

    def never(*args):
        raise AssertionError("the rows of a file over 5 MB were parsed")

    monkeypatch.setattr(reader, "_csv_rows", never)
    monkeypatch.setattr(reader, "_xlsx_rows", never)
    con = database.connect(upload_db[0])
    try:
        before = accepted_data(upload_db[0])
        chk = uploads.check(con, upload_db[1]["trust_lead"], "RX4", "million.csv", data)
        assert [f.rule for f in chk.result.errors] == ["file_too_large"]
        assert chk.outcome.status == "rejected" and chk.result.rows == 0
        assert query(upload_db[0], "SELECT size_bytes, row_count FROM submission WHERE file_name = 'million.csv'"
                     ) == [(len(data), 0)]
        assert accepted_data(upload_db[0]) == before
    finally:
        con.close()
    assert uploads.size_problem(len(data)) is not None      # and the page would not even read it


def test_a_million_short_rows_under_5_mb_stop_being_read_after_the_row_cap(upload_db, counting_csv):
    header = ",".join(contract.COLUMNS) + "\n"
    data = (header + "RX4\n" * 1_000_000).encode()
    assert len(data) < contract.MAX_FILE_BYTES              # passes the size check: the row cap must hold
    at = upload_page(upload_db)
    before, attempts = accepted_data(upload_db[0]), submission_count(upload_db[0])
    started = time.perf_counter()
    upload(at, "short-rows.csv", data)
    seconds = time.perf_counter() - started
    assert_page_still_up(at)
    assert errors(at)[0].startswith("Rejected with 1 error")
    assert rule_names(at) == ["too_many_rows"]
    # The header plus one row more than the cap is enough to know; the other ~990,000 are never read.
    assert counting_csv.consumed <= contract.MAX_DATA_ROWS + 2, counting_csv.consumed
    print(f"1,000,000 short rows ({len(data):,} bytes): {counting_csv.consumed:,} records read, {seconds:.2f} s")
    assert accepted_data(upload_db[0]) == before
    assert submission_count(upload_db[0]) == attempts + 1


# ---- names and cells ------------------------------------------------------------------------------

TRAVERSAL = "../../etc/passwd.csv"


def test_a_path_traversal_file_name_is_only_text_and_nothing_is_written_from_it(upload_db, tmp_path, monkeypatch):
    written: list[str] = []
    real_open, real_os_open = builtins.open, os.open

    def spy_open(file, mode="r", *args, **kwargs):
        if any(m in str(mode) for m in "wax+") and "passwd" in str(file):
            written.append(str(file))
        return real_open(file, mode, *args, **kwargs)

    def spy_os_open(path, flags, *args, **kwargs):
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT) and "passwd" in str(path):
            written.append(str(path))
        return real_os_open(path, flags, *args, **kwargs)

    def files_now():
        return {p for p in tmp_path.rglob("*")}

    at = upload_page(upload_db)
    before_files, before = files_now(), accepted_data(upload_db[0])
    monkeypatch.setattr(builtins, "open", spy_open)
    monkeypatch.setattr(os, "open", spy_os_open)
    upload(at, TRAVERSAL, example_with({5: {"headcount": "9"}}))     # a real change, so not a duplicate
    [b for b in at.button if b.label == "Submit return"][0].click().run()
    monkeypatch.undo()

    assert_page_still_up(at)
    assert at.success[0].value.startswith("Accepted: this return is now version 2 for RX4")
    assert at.text[0].value.startswith(f"File: {TRAVERSAL}  (8 data rows;")
    assert at.dataframe[-1].value["file_name"].iloc[0] == TRAVERSAL
    assert query(upload_db[0], "SELECT file_name FROM submission WHERE version = 2") == [(TRAVERSAL,)]
    assert written == []
    db_dir = upload_db[0].parent
    new = files_now() - before_files
    assert all(p.parent == db_dir and p.name.startswith(upload_db[0].name) for p in new), new
    for base in (ROOT, db_dir, tmp_path, ROOT / "data", ROOT / "pages"):
        assert not (base / TRAVERSAL).resolve().exists(), base / TRAVERSAL
    assert accepted_data(upload_db[0]) != before                 # it was accepted: the only change is version 2


def test_script_and_formula_in_name_and_notes_are_shown_as_text_stored_unchanged_and_exported_neutralised(
        upload_db, downloads):
    name = f"{FORMULA}{SCRIPT}.csv"
    data = example_with({0: {"notes": SCRIPT}, 1: {"notes": FORMULA}})
    at = upload(upload_page(upload_db), name, data)
    assert_page_still_up(at)
    assert at.success[0].value == "The return passed every check. Submit it to save it."
    [b for b in at.button if b.label == "Submit return"][0].click().run()
    assert_page_still_up(at)
    assert at.success[0].value.startswith("Accepted: this return is now version 2 for RX4")

    # On the page: the name is in st.text and the history table, never in a Markdown element.
    assert at.text[0].value.startswith(f"File: {name}  (")
    assert at.dataframe[-1].value["file_name"].iloc[0] == name
    assert_not_in_markdown(at, "<script", "=cmd", "alert(1)")

    # Stored exactly as uploaded.
    (sid, stored_name), = query(upload_db[0], "SELECT submission_id, file_name FROM submission WHERE version = 2")
    assert stored_name == name
    notes = [r[0] for r in query(upload_db[0], "SELECT notes FROM return_row WHERE submission_id = ? "
                                               "AND notes IS NOT NULL ORDER BY notes", [sid])]
    assert SCRIPT in notes and FORMULA in notes

    # The page's own downloads of the history table: the formula is neutralised, the script is plain text.
    csv_name = next(k for k in downloads if k.startswith("upload-history-") and k.endswith(".csv"))
    xlsx_name = next(k for k in downloads if k.startswith("upload-history-") and k.endswith(".xlsx"))
    cells = [c for row in csv.reader(io.StringIO(downloads[csv_name].decode("utf-8-sig"))) for c in row]
    assert "'" + name in cells and name not in cells
    sheet = openpyxl.load_workbook(io.BytesIO(downloads[xlsx_name])).active
    values = {c.value: c.data_type for row in sheet.iter_rows() for c in row}
    assert values.get("'" + name) == "s" and name not in values
    assert "f" not in values.values()

    # The stored rows as the Submissions page exports them (pswbench.exports through ui.table).
    con = database.connect(upload_db[0])
    try:
        rows = quality.submission_rows(con, auth.User(ANALYST, "analyst", None), sid)
    finally:
        con.close()
    notes_csv = [r[-1] for r in csv.reader(io.StringIO(exports.to_csv_bytes(rows).decode("utf-8-sig")))]
    assert "'" + FORMULA in notes_csv and SCRIPT in notes_csv and FORMULA not in notes_csv
    book = openpyxl.load_workbook(io.BytesIO(exports.to_xlsx_bytes(rows))).active
    notes_xlsx = {c.value: c.data_type for (c,) in book.iter_rows(min_col=book.max_column, max_col=book.max_column)}
    assert notes_xlsx.get("'" + FORMULA) == "s" and notes_xlsx.get(SCRIPT) == "s" and FORMULA not in notes_xlsx


def test_script_and_formula_in_checked_cells_are_listed_as_text_in_the_findings(upload_db):
    data = example_with({0: {"service_setting": SCRIPT}, 1: {"afc_band": FORMULA}})
    at = upload_page(upload_db)
    before, attempts = accepted_data(upload_db[0]), submission_count(upload_db[0])
    upload(at, SCRIPT + ".csv", data)
    assert_page_still_up(at)
    assert errors(at)[0].startswith("Rejected with 2 errors")
    table = at.dataframe[0].value
    assert {(r.column, r.value) for r in table.itertuples()} == {("service_setting", SCRIPT),
                                                                  ("afc_band", FORMULA)}, table
    assert f"'{SCRIPT}' on line 2" in table["message"][0]        # quoted in the table's text cell only
    assert_not_in_markdown(at, "<script", "=cmd", "alert(1)")
    assert {r[0] for r in query(upload_db[0], "SELECT value FROM finding")} >= {SCRIPT, FORMULA}
    assert accepted_data(upload_db[0]) == before
    assert submission_count(upload_db[0]) == attempts + 1


def test_script_as_the_trust_code_is_refused_without_quoting_it(upload_db):
    at = upload_page(upload_db)
    before, attempts = accepted_data(upload_db[0]), submission_count(upload_db[0])
    upload(at, "x.csv", EXAMPLE.replace(b"RX4,", SCRIPT.encode() + b","))
    assert_page_still_up(at)
    assert errors(at)[0] == ("Refused. This return is for a trust code we do not recognise; you can upload "
                             "returns for RX4 only. The attempt has been recorded.")
    assert at.dataframe[0].value["value"].iloc[0] == SCRIPT.upper()
    assert_not_in_markdown(at, "<script", "<SCRIPT", "alert(1)", "ALERT(1)")
    assert accepted_data(upload_db[0]) == before
    assert submission_count(upload_db[0]) == attempts + 1


# ---- bytes that are not text ----------------------------------------------------------------------

@pytest.mark.parametrize("name, data", [
    ("nul.csv", EXAMPLE.replace(b"Two posts", b"Two\x00posts")),
    ("utf16.csv", b"\xff\xfe" + EXAMPLE.decode("utf-8").encode("utf-16-le")),
], ids=["nul-bytes", "utf-16"])
def test_nul_bytes_and_utf16_are_rejected_with_a_plain_message(upload_db, name, data):
    at = upload_page(upload_db)
    before, attempts = accepted_data(upload_db[0]), submission_count(upload_db[0])
    upload(at, name, data)
    assert_page_still_up(at)
    assert errors(at)[0].startswith("Rejected with 1 error")
    assert rule_names(at) == ["not_a_csv"]
    assert "UTF-16" in at.dataframe[0].value["message"][0]
    assert at.text[0].value.startswith(f"File: {name}  (0 data rows;")
    assert accepted_data(upload_db[0]) == before
    assert submission_count(upload_db[0]) == attempts + 1
    assert query(upload_db[0], "SELECT file_name FROM submission ORDER BY submission_id DESC LIMIT 1") == [(name,)]


def test_a_nul_byte_in_the_file_name_is_stopped_by_streamlit_before_the_app_runs(upload_db):
    """Streamlit (1.67) refuses the name itself, while reading the widget's state, before app.py runs.

    The session shows Streamlit's generic error (details go to the server log only, as
    .streamlit/config.toml sets showErrorDetails = "none") instead of the page: nothing is read, saved
    or recorded, and a fresh session is unaffected. A browser cannot send such a name; a crafted request
    can. (Reported: app code cannot catch it, as it is raised before the script starts.)
    """
    at = upload_page(upload_db)
    before, attempts = accepted_data(upload_db[0]), submission_count(upload_db[0])
    upload(at, "rx4\x00.csv", EXAMPLE)
    [shown] = [e.value for e in at.exception]
    assert shown.startswith("This app has encountered an error.") and "null" not in shown
    assert not at.dataframe and not at.button
    assert accepted_data(upload_db[0]) == before and submission_count(upload_db[0]) == attempts
    assert_page_still_up(upload_page(upload_db))              # another session: the app is still up

    # Below the page the flow takes the name as text and stores it unchanged.
    con = database.connect(upload_db[0])
    try:
        chk = uploads.check(con, upload_db[1]["trust_lead"], "RX4", "rx4\x00.csv",
                            example_with({5: {"headcount": "9"}}))
        assert uploads.submit(con, upload_db[1]["trust_lead"], chk).status == "accepted"
        assert con.execute("SELECT file_name FROM submission WHERE version = 2").fetchall() == [("rx4\x00.csv",)]
    finally:
        con.close()
