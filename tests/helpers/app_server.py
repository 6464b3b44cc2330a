"""Start the pswbench app on a demo database and drive it in headless Chromium.

Shared by the browser tests (tests/e2e/conftest.py) and scripts/screenshots.py, so both start the
app, wait for it and sign in the same way. Chromium is Debian's (/usr/bin/chromium): Playwright's
own browser download is not used. A missing Chromium raises, so browser tests fail rather than skip.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from playwright.sync_api import expect

from pswbench.paths import ROOT

CHROMIUM = Path(os.environ.get("PSWBENCH_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1400, "height": 1000}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(base_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base_url}/_stcore/health", timeout=2) as resp:
            return resp.status == 200
    except (urllib.error.URLError, OSError):
        return False


@contextlib.contextmanager
def app_process(
    db: Path,
    log_path: Path,
    port: int | None = None,
    timeout: float = 60,
    env: dict[str, str] | None = None,
    module: str = "pswbench.app.server",
) -> Iterator[tuple[str, subprocess.Popen]]:
    """Run the app as `make run` does (`python -m pswbench.app.server run app.py`; module "streamlit" for
    plain `streamlit run`) on db, with env added to this process's environment; yield (base URL,
    process) once /_stcore/health answers; stop it after."""
    port = port or free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {**os.environ, **(env or {}), "PSWBENCH_DB": str(db)}
    cmd = [
        sys.executable,
        "-m",
        module,
        "run",
        str(ROOT / "app.py"),
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
    ]
    log_path = Path(log_path)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + timeout
            while not _healthy(base_url):
                if proc.poll() is not None:
                    raise RuntimeError(f"the app exited with code {proc.returncode}:\n{log_path.read_text()}")
                if time.monotonic() > deadline:
                    raise TimeoutError(
                        f"the app did not answer {base_url}/_stcore/health within {timeout:.0f} s:\n"
                        f"{log_path.read_text()}"
                    )
                time.sleep(0.25)
            yield base_url, proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


@contextlib.contextmanager
def running_app(
    db: Path, log_path: Path, port: int | None = None, timeout: float = 60, env: dict[str, str] | None = None
) -> Iterator[str]:
    """app_process, yielding only the base URL."""
    with app_process(db, log_path, port, timeout, env) as (base_url, _):
        yield base_url


def launch_chromium(playwright):
    """Headless Debian Chromium. Raises (never skips) when it is not installed."""
    if not CHROMIUM.is_file():
        raise FileNotFoundError(
            f"Chromium is not installed at {CHROMIUM}; run `make chromium` "
            "(browser tests fail rather than skip without it)"
        )
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)


def sign_in(page, email: str, password: str, *, expect_success: bool = True, timeout: float = 30_000) -> None:
    """Fill the sign-in form on whatever page is open and submit it.

    With expect_success, wait until the sidebar says who is signed in (the frame has loaded).
    """
    email_box = page.get_by_label("Email address", exact=True)
    password_box = page.get_by_label("Password", exact=True)
    email_box.wait_for(timeout=timeout)
    email_box.fill(email)
    password_box.fill(password)
    expect(email_box).to_have_value(email)
    expect(password_box).to_have_value(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    if expect_success:
        sidebar(page).get_by_text(f"Signed in as {email}").wait_for(timeout=timeout)


def sidebar(page):
    return page.get_by_test_id("stSidebar")


def main_area(page):
    return page.get_by_test_id("stMain")


def full_page_screenshot(page, path, max_height: int = 8000) -> None:
    """Screenshot the whole app. Streamlit scrolls inside its main container, so Playwright's
    full_page alone stops at the viewport: grow the viewport to the content's height first."""
    size = page.viewport_size or VIEWPORT
    height = page.evaluate(
        '() => Math.max(...[...document.querySelectorAll(\'[data-testid="stMain"], [data-testid="stSidebarContent"]\')]'
        ".map(e => e.scrollHeight), document.documentElement.scrollHeight)"
    )
    page.set_viewport_size({"width": size["width"], "height": min(max(int(height), size["height"]), max_height)})
    try:
        page.wait_for_timeout(300)  # let charts that follow the container's size settle
        page.screenshot(path=str(path), full_page=True)
    finally:
        page.set_viewport_size(size)
        # Resizing makes Streamlit lay the page out again; typing into it meanwhile can be lost.
        page.wait_for_timeout(300)


# ---- helpers for journeys that change data (tests/e2e/test_journeys.py, test_access_routes.py) ----


def copy_db(src: Path, dst: Path) -> Path:
    """Copy a (closed) demo database to dst for an app of its own; a stale dst.wal is removed so
    the copy is exactly src (and src's own .wal, if any, is copied with it)."""
    src, dst = Path(src), Path(dst)
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.write_bytes(src.read_bytes())
    src_wal, dst_wal = Path(f"{src}.wal"), Path(f"{dst}.wal")
    if src_wal.exists():
        dst_wal.write_bytes(src_wal.read_bytes())
    else:
        dst_wal.unlink(missing_ok=True)
    return dst


def open_in_session(page, path: str) -> None:
    """Go to path (e.g. "/submissions" or "/snapshot?trust=RMY") inside the signed-in session, as
    the browser's back/forward buttons do; a full page load would open a new, signed-out session."""
    page.evaluate(
        "path => { history.pushState({}, '', path); window.dispatchEvent(new PopStateEvent('popstate')); }", path
    )


def wait_until_idle(page, timeout: float = 30_000) -> None:
    """Wait until the app has finished running its script (the 'Running...' widget is gone)."""
    page.wait_for_timeout(200)
    page.get_by_test_id("stStatusWidget").wait_for(state="hidden", timeout=timeout)


def grid_rows(dataframe) -> list[list[str]]:
    """The text of an st.dataframe (header first) from the accessible table Streamlit's grid keeps
    next to its canvas. Only rows scrolled into view are in it: fine for tables of a screenful."""
    table = dataframe.locator("table[role=grid]")
    table.wait_for(state="attached")
    return table.evaluate("t => [...t.querySelectorAll('tr')].map(r => [...r.children].map(c => c.innerText.trim()))")
