"""Many viewers at once: N concurrent sessions against a real pswbench app (`make run`'s command).

    .venv/bin/python -m benchmarks.load_viewers                        # N = 1, 10, 50 on a fresh demo copy
    .venv/bin/python -m benchmarks.load_viewers --sessions 1 10 50 --db /tmp/demo.duckdb --port 8600
    .venv/bin/python -m benchmarks.load_viewers --sessions 50 --think 0     # closed loop, no think time
    .venv/bin/python -m benchmarks.load_viewers --viewer-processes 2        # writer + 2 read-only viewers

What it does (issue "Scale"):
- serves a COPY of the demo database (--db is built if missing, never served itself) on 127.0.0.1,
  with `python -m pswbench.app.server run app.py` (what `make run` starts); with --viewer-processes K,
  also K read-only viewer processes (PSWBENCH_MODE=viewer, docs/deployment.md) and the viewer
  sessions are dealt out over them in turn, as a load balancer with sticky sessions would;
- for each N in --sessions (one after another, on the same servers), starts N sessions --ramp
  seconds apart. They mix the roles: analyst, trust lead and board viewers, each opening 4 pages,
  plus --uploads trust-lead sessions (at most one per 5 sessions, so N=1 has none) that upload a
  valid, changed return for RX4 2026-09-30 through the Upload page of the writer, submit it, and then
  view 3 pages;
- every session speaks Streamlit's own websocket protocol (tests/helpers/st_protocol.py): the messages
  a browser sends when a user signs in, picks a file, ticks a box, presses Submit and follows the
  sidebar's links, and the same HTTP upload of the file; nothing is rendered. N browser tabs on the
  same 2 cores would measure the browser, not the service (an earlier version of this script did:
  Chromium used 3x the app's CPU). The same journeys in a real browser are tests/e2e;
- measures per session: "open" (connect to the sign-in form), "sign-in" (press Sign in to the
  landing page finished, through the app's cookie hand-over and a new websocket, as a browser
  signs in: argon2 is deliberately slow, so it is kept apart) and per page
  "page-ready" = from the request for the page (the rerun message a click on the sidebar's link
  sends) until the page's script run has finished and every element of the page has reached the
  client, with the page's main heading as expected;
- counts errors: any step that times out or fails, a wrong heading, any exception or error alert on
  a page, a submission that is neither accepted nor a retried save conflict;
- after the servers have stopped, opens the database read-only and checks every upload the app
  accepted is there: its submission row (accepted, same version) and its return_version row, and
  that the newest accepted version is the current one.

Prints a table (p50/p95/max of page-ready and sign-in, errors, CPU seconds of the servers and of the
load generator during the round) and writes it as JSON (--out). Targets: no errors; page-ready p95
<= 2 s at 50 sessions on a 2-core machine. Figures depend on what else the machine is doing; the load
average and the CPU used by other processes are printed with each round.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import io
import json
import os
import random
import re
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from pswbench.paths import ROOT
from pswbench.returns import uploads
from tests.helpers import app_server, demo_data, st_protocol

PERIOD = "2026-09-30"
UPLOAD_TRUST = "RX4"
TARGET_P95_S = 2.0
STEP_TIMEOUT_S = 90
SERVER_START_TIMEOUT_S = 90
ROUND_TIMEOUT_S = 900

HEAD = {
    "Overview": "How is the peer support workforce in England changing?",
    "Regional comparison": "How do the NHS England regions compare on the peer support workforce?",
    "Trust benchmark": "How does a trust's peer support workforce compare with its peers?",
    "Board snapshot": r"^How does .+ compare\?",
    "Upload return": r"^Upload (a quarterly )?return$",  # the writer's page, or a viewer's pointer to it
    "Definitions": "Definitions",
    "Submissions and data quality": "Submissions and data quality",
}
LANDING = {"analyst": "Overview", "trust_lead": "Upload return", "board": "Board snapshot"}
VIEWS = {
    "analyst": ["Regional comparison", "Trust benchmark", "Board snapshot", "Overview"],
    "trust_lead": ["Trust benchmark", "Board snapshot", "Regional comparison", "Overview"],
    "board": ["Definitions", "Board snapshot", "Definitions", "Board snapshot"],
    "uploader": ["Trust benchmark", "Board snapshot", "Upload return"],
}
ACCOUNT = {"analyst": "analyst", "trust_lead": "trust_lead", "board": "board", "uploader": "trust_lead"}

# ---- CPU accounting from /proc (Linux) -------------------------------------------------------

_TICK = os.sysconf("SC_CLK_TCK")


def _proc_table() -> dict[int, tuple[int, float]]:
    """pid -> (ppid, cpu seconds) for every process we can read."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                raw = f.read()
        except OSError:
            continue
        rest = raw[raw.rfind(")") + 2 :].split()
        table[int(entry)] = (int(rest[1]), (int(rest[11]) + int(rest[12])) / _TICK)
    return table


def _subtree(table, root: int) -> set[int]:
    kids: dict[int, list[int]] = {}
    for pid, (ppid, _) in table.items():
        kids.setdefault(ppid, []).append(pid)
    out, todo = set(), [root]
    while todo:
        pid = todo.pop()
        if pid in out or pid not in table:
            continue
        out.add(pid)
        todo.extend(kids.get(pid, []))
    return out


def _machine_busy() -> float:
    """CPU seconds the whole machine has spent not idle (all cores)."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / _TICK


@dataclass
class CpuSample:
    server: float
    client: float  # this Python process (the load generator)
    machine: float

    @classmethod
    def take(cls, server_pids: list[int]) -> CpuSample:
        table = _proc_table()
        server = set().union(*(_subtree(table, pid) for pid in server_pids))
        mine = _subtree(table, os.getpid()) - server
        # Children that have exited are not in the table; their time shows in cutime of their parent.
        return cls(sum(table[p][1] for p in server), sum(table[p][1] for p in mine), _machine_busy())

    def minus(self, before: CpuSample) -> dict:
        server, client, machine = (
            self.server - before.server,
            self.client - before.client,
            self.machine - before.machine,
        )
        return {
            "server_cpu_s": round(server, 1),
            "client_cpu_s": round(client, 1),
            "other_cpu_s": round(max(0.0, machine - server - client), 1),
        }


# ---- returns to upload -----------------------------------------------------------------------


def changed_return(folder: Path, name: str, tag: str) -> Path:
    """The example return moved to PERIOD (a quarter the demo already has for RX4), with a note that
    makes the file unique, so each upload is a new version rather than a duplicate."""
    rows = list(csv.reader(io.StringIO((ROOT / "data" / "example_return.csv").read_text(encoding="utf-8"))))
    header, body = rows[0], [[r[0], PERIOD, *r[2:]] for r in rows[1:]]
    notes = header.index("notes")
    body[0][notes] = f"load test {tag}"
    path = folder / name
    path.write_text("".join(",".join(r) + "\n" for r in [header, *body]), encoding="utf-8")
    return path


# ---- one session -----------------------------------------------------------------------------


@dataclass
class SessionResult:
    role: str
    open_s: float | None = None
    sign_in_s: float | None = None
    pages: list[tuple[str, float]] = field(default_factory=list)
    upload: dict | None = None
    errors: list[str] = field(default_factory=list)


# ---- one session, over Streamlit's websocket protocol ----------------------------------------


def _expect_page(run: st_protocol.Run, title: str, res: SessionResult, where: str) -> None:
    """A page counts as ready only if its run finished, shows its own heading and no error."""
    heading = run.h1() or ""
    pattern = HEAD[title]
    if not st_protocol.ok(run):
        res.errors.append(f"{where}: the script run did not finish successfully (status {run.status})")
    elif not (re.search(pattern, heading) if pattern.startswith("^") else heading == pattern):
        res.errors.append(f"{where}: heading {heading[:80]!r}, expected {pattern!r}")
    res.errors.extend(f"{where}: {p}" for p in run.problems())


async def run_session(
    url: str, role: str, start_delay: float, think: float, rng: random.Random, upload_file: Path | None = None
) -> SessionResult:
    """Open the app, sign in through the form, upload upload_file if given (on the landing Upload
    page), then follow the sidebar's links to VIEWS[role]."""
    from tests.helpers.demo_data import DEMO_ACCOUNTS

    res = SessionResult(role)
    await asyncio.sleep(start_delay)
    step = "open"
    try:
        async with st_protocol.Session(url, timeout_s=STEP_TIMEOUT_S) as session:
            t0 = time.perf_counter()
            run = await session.run()
            form = [
                run.widget("text_input", "Email address"),
                run.widget("text_input", "Password"),
                run.widget("button", "Sign in"),
            ]
            if not all(form):
                raise RuntimeError("no sign-in form")
            res.open_s = time.perf_counter() - t0

            step = "sign-in"
            email, password = DEMO_ACCOUNTS[ACCOUNT[role]]
            t0 = time.perf_counter()
            run = await session.sign_in(email, password, form=run)  # form, cookie route, reconnect, landing
            res.sign_in_s = time.perf_counter() - t0
            _expect_page(run, LANDING[ACCOUNT[role]], res, "landing")

            if upload_file is not None:
                step = "upload"
                res.upload, run = await _upload(session, run, upload_file, res)

            for title in VIEWS[role]:
                step = f"page {title}"
                link = run.page_links().get(title)
                if link is None:
                    raise RuntimeError(f"no sidebar link {title!r}")
                await asyncio.sleep(think * rng.uniform(0.5, 1.5))
                t0 = time.perf_counter()
                run = await session.run(link)
                res.pages.append((title, time.perf_counter() - t0))
                _expect_page(run, title, res, title)
    except Exception as exc:  # noqa: BLE001  (every failure is counted, the round goes on)
        res.errors.append(f"{step}: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
    return res


ACK_LABEL = "I have checked the warnings and the figures are right."
OUTCOME = re.compile(r"^(Accepted: this return is now version (\d+)|Not added:|Rejected|Another upload)")


async def _upload(
    session: st_protocol.Session, run: st_protocol.Run, path: Path, res: SessionResult, tries: int = 3
) -> tuple[dict, st_protocol.Run]:
    """Upload path on the Upload page and submit it, as a trust lead does; a save conflict (another
    upload saving at the same moment: the app asks to submit again) is retried, up to tries times."""
    conflicts, t_start = 0, time.perf_counter()
    for _ in range(tries):
        uploader = run.widget("file_uploader", uploads.UPLOADER_LABEL)
        if uploader is None:
            raise RuntimeError("no file uploader on the Upload page")
        run = await session.upload(uploader.id, path.name, path.read_bytes())
        if not any(t.startswith(f"File: {path.name}") for t in run.texts()):
            raise RuntimeError(f"the page did not check {path.name}: {run.texts()[:3]}")
        if ack := run.widget("checkbox", ACK_LABEL):
            run = await session.run(widgets=[st_protocol.tick(ack.id)])
        submit = run.widget("button", "Submit return")
        if submit is None:
            res.errors.append(f"upload {path.name}: no Submit button: {run.texts()[:3]}")
            return {"file": path.name, "status": "not submittable", "conflicts": conflicts}, run
        t0 = time.perf_counter()
        run = await session.run(widgets=[st_protocol.click(submit.id)])
        submit_s = time.perf_counter() - t0
        outcome = next((m for m in map(OUTCOME.match, run.texts()) if m), None)
        if outcome and outcome.group(2):
            return {
                "file": path.name,
                "status": "accepted",
                "version": int(outcome.group(2)),
                "submit_s": round(submit_s, 3),
                "total_s": round(time.perf_counter() - t_start, 3),
                "conflicts": conflicts,
            }, run
        if outcome and outcome.group(1) == "Another upload":
            conflicts += 1
            session.values.clear()  # an empty uploader, as after opening the page afresh
            run = await session.run()
            continue
        res.errors.append(f"upload {path.name}: {outcome.string[:200] if outcome else run.texts()[:3]}")
        return {"file": path.name, "status": "not accepted", "conflicts": conflicts}, run
    res.errors.append(f"upload {path.name}: still a save conflict after {tries} tries")
    return {"file": path.name, "status": "conflict", "conflicts": conflicts}, run


# ---- a round of N sessions -------------------------------------------------------------------


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    values = sorted(values)
    k = (len(values) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def plan(n: int, uploads: int) -> list[str]:
    k = min(uploads, n // 5)
    cycle = ["analyst", "trust_lead", "board"]
    return ["uploader"] * k + [cycle[i % 3] for i in range(n - k)]


async def run_round(
    writer_url: str,
    viewer_urls: list[str],
    n: int,
    uploads: int,
    ramp: float,
    think: float,
    files_dir: Path,
    tag: str,
    seed: int,
    server_pids: list[int],
) -> tuple[list[SessionResult], dict, float]:
    """The sessions' results, the CPU seconds used meanwhile and the wall time. Uploaders go to the
    writer; viewers are dealt out over viewer_urls in turn."""
    roles = plan(n, uploads)
    rng = random.Random(seed + n)
    order = list(range(n))
    rng.shuffle(order)  # uploaders start somewhere in the ramp, not first
    tasks, dealt = [], 0
    cpu0, t0 = CpuSample.take(server_pids), time.perf_counter()
    for slot, i in enumerate(order):
        role, delay, own_rng = roles[i], slot * ramp, random.Random(seed + i)
        if role == "uploader":
            file = changed_return(files_dir, f"load-{tag}-n{n}-u{i}.csv", f"{tag} n{n} u{i}")
            tasks.append(run_session(writer_url, role, delay, think, own_rng, upload_file=file))
        else:
            tasks.append(run_session(viewer_urls[dealt % len(viewer_urls)], role, delay, think, own_rng))
            dealt += 1
    results = await asyncio.wait_for(asyncio.gather(*tasks), timeout=ROUND_TIMEOUT_S)
    return results, CpuSample.take(server_pids).minus(cpu0), time.perf_counter() - t0


def _times(results: list[SessionResult], roles: tuple[str, ...] = ()) -> list[float]:
    return [t for r in results if not roles or r.role in roles for _, t in r.pages]


def summarise(n: int, results: list[SessionResult], wall: float, cpu: dict, load: tuple) -> dict:
    pages = _times(results)
    signs = [r.sign_in_s for r in results if r.sign_in_s is not None]
    opens = [r.open_s for r in results if r.open_s is not None]
    per_page: dict[str, list[float]] = {}
    for r in results:
        for title, s in r.pages:
            per_page.setdefault(title, []).append(s)
    errors = [e for r in results for e in r.errors]
    uploads = [r.upload for r in results if r.upload]
    r3 = lambda x: None if x is None else round(x, 3)  # noqa: E731
    by_kind = {
        kind: {
            "pages": len(_times(results, roles)),
            "page_ready_p50_s": r3(pct(_times(results, roles), 0.5)),
            "page_ready_p95_s": r3(pct(_times(results, roles), 0.95)),
        }
        for kind, roles in (("viewers", ("analyst", "trust_lead", "board")), ("uploaders", ("uploader",)))
        if _times(results, roles)
    }
    return {
        "sessions": n,
        "pages_measured": len(pages),
        "errors": len(errors),
        "error_detail": errors[:30],
        "page_ready_p50_s": r3(pct(pages, 0.5)),
        "page_ready_p95_s": r3(pct(pages, 0.95)),
        "page_ready_max_s": r3(max(pages, default=None)),
        "by_kind": by_kind,
        "sign_in_p50_s": r3(pct(signs, 0.5)),
        "sign_in_p95_s": r3(pct(signs, 0.95)),
        "open_p50_s": r3(pct(opens, 0.5)),
        "open_p95_s": r3(pct(opens, 0.95)),
        "per_page_p50_s": {t: r3(pct(v, 0.5)) for t, v in sorted(per_page.items())},
        "per_page_p95_s": {t: r3(pct(v, 0.95)) for t, v in sorted(per_page.items())},
        "uploads": uploads,
        "wall_s": round(wall, 1),
        **cpu,
        "loadavg_before": load[0],
        "loadavg_after": load[1],
    }


# ---- the database check after the server has stopped -----------------------------------------


def check_uploads_landed(db: Path, accepted: list[dict]) -> list[str]:
    """Problems (empty when fine): every accepted upload is in submission and return_version, and
    the newest accepted version is the current one."""
    import duckdb

    problems = []
    with duckdb.connect(str(db), read_only=True) as con:
        for up in accepted:
            rows = con.execute(
                "SELECT s.status, s.version, v.version, v.trust_code, CAST(v.period_end AS VARCHAR) "
                "FROM submission s LEFT JOIN return_version v USING (submission_id) "
                "WHERE s.file_name = ?",
                [up["file"]],
            ).fetchall()
            if rows != [("accepted", up["version"], up["version"], UPLOAD_TRUST, PERIOD)]:
                problems.append(f"{up['file']} (version {up['version']}): database has {rows}")
        if accepted:
            current = con.execute(
                "SELECT version FROM return_version WHERE trust_code = ? AND period_end = ? AND is_current",
                [UPLOAD_TRUST, PERIOD],
            ).fetchall()
            newest = max(up["version"] for up in accepted)
            if current != [(newest,)]:
                problems.append(f"current version is {current}, newest accepted upload is {newest}")
    return problems


# ---- main ------------------------------------------------------------------------------------


def warm_up(writer_url: str, url: str, folder: Path, tag: str, seed: int, pid: int) -> None:
    """One session on url before measuring; a process that cannot serve it stops the run at once."""
    results, _, _ = asyncio.run(run_round(writer_url, [url], 1, 0, 0, 0, folder, tag + "w", seed, [pid]))
    problems = [e for r in results for e in r.errors]
    if problems:
        raise RuntimeError(f"the warm-up session on {url} failed: {problems[:3]}")


def run(
    sessions: list[int],
    db: Path | None = None,
    port: int | None = None,
    uploads: int = 2,
    ramp: float = 0.1,
    think: float = 1.0,
    seed: int = 1,
    out: Path | None = None,
    workdir: Path | None = None,
    viewer_processes: int = 0,
    repeat: int = 1,
    quiet: bool = False,
) -> dict:
    say = (lambda *a: None) if quiet else (lambda *a: print(*a, flush=True))
    tmp = tempfile.TemporaryDirectory(prefix="load_viewers-") if workdir is None else contextlib.nullcontext(workdir)
    with tmp as folder, contextlib.ExitStack() as apps:
        folder = Path(folder)
        source = Path(db) if db else folder / "demo.duckdb"
        if not source.exists():
            say(f"building the demo database at {source} ...")
            demo_data.build_demo_db(source)
        served = app_server.copy_db(source, folder / "served.duckdb")
        tag = time.strftime("%H%M%S")
        rounds, accepted = [], []
        logs = ROOT / "artifacts" / "scale"
        writer_url, writer = apps.enter_context(
            app_server.app_process(served, logs / "load_viewers-app.log", port, timeout=SERVER_START_TIMEOUT_S)
        )
        procs = [writer]
        say(f"writer on {writer_url} (pid {writer.pid}), database copy {served}; logs in {logs}")
        # One visit first: the writer publishes the viewers' snapshot at its first page load, and the
        # first round should not also pay the process's first imports.
        warm_up(writer_url, writer_url, folder, tag, seed, writer.pid)
        viewer_urls = []
        for i in range(viewer_processes):
            url, proc = apps.enter_context(
                app_server.app_process(
                    served,
                    logs / f"load_viewers-viewer{i}.log",
                    timeout=SERVER_START_TIMEOUT_S,
                    env={"PSWBENCH_MODE": "viewer", "PSWBENCH_WRITER_URL": writer_url},
                )
            )
            say(f"viewer {i} on {url} (pid {proc.pid})")
            warm_up(writer_url, url, folder, tag, seed, proc.pid)
            viewer_urls.append(url)
            procs.append(proc)
        for n in sessions:
            for r in range(repeat):
                load0 = os.getloadavg()
                results, cpu, wall = asyncio.run(
                    run_round(
                        writer_url,
                        viewer_urls or [writer_url],
                        n,
                        uploads,
                        ramp,
                        think,
                        folder,
                        f"{tag}r{r}",
                        seed + r,
                        [p.pid for p in procs],
                    )
                )
                summary = summarise(
                    n,
                    results,
                    wall,
                    cpu,
                    (tuple(round(x, 2) for x in load0), tuple(round(x, 2) for x in os.getloadavg())),
                )
                rounds.append(summary)
                accepted += [u for u in summary["uploads"] if u.get("status") == "accepted"]
                say(_row(summary))
                for e in summary["error_detail"][:5]:
                    say(f"    error: {e}")
        if any(p.poll() is not None for p in procs):
            raise RuntimeError(f"an app process exited during the run; see {logs}")
        apps.close()  # stop the servers before the database is read
        landed = check_uploads_landed(served, accepted)
        report = {
            "machine": {"cores": os.cpu_count(), "loadavg_end": os.getloadavg()},
            "settings": {
                "sessions": sessions,
                "uploads": uploads,
                "ramp_s": ramp,
                "think_s": think,
                "seed": seed,
                "viewer_processes": viewer_processes,
                "repeat": repeat,
            },
            "rounds": rounds,
            "medians": medians(rounds),
            "uploads_accepted": len(accepted),
            "upload_problems": landed,
            "target": {"page_ready_p95_s": TARGET_P95_S, "errors": 0},
        }
    say(_table(report))
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(report, indent=2, default=str))
        say(f"wrote {out}")
    return report


def medians(rounds: list[dict]) -> list[dict]:
    """Per N, the median over its repeated rounds of each time, and the errors of all of them."""
    out = []
    for n in dict.fromkeys(r["sessions"] for r in rounds):
        runs = [r for r in rounds if r["sessions"] == n]
        med = {
            k: round(statistics.median(r[k] for r in runs), 3)
            for k in ("page_ready_p50_s", "page_ready_p95_s", "page_ready_max_s", "sign_in_p50_s", "sign_in_p95_s")
            if all(r[k] is not None for r in runs)
        }
        out.append(
            {
                "sessions": n,
                "rounds": len(runs),
                **med,
                "errors": sum(r["errors"] for r in runs),
                "pages_measured": sum(r["pages_measured"] for r in runs),
                "uploads_accepted": sum(u.get("status") == "accepted" for r in runs for u in r["uploads"]),
                "uploads": sum(len(r["uploads"]) for r in runs),
            }
        )
    return out


def _f(x) -> str:
    return "-" if x is None else f"{x:.2f}"


def _row(s: dict) -> str:
    ups = sum(1 for u in s["uploads"] if u.get("status") == "accepted")
    return (
        f"N={s['sessions']:>3}  page-ready p50 {_f(s['page_ready_p50_s'])} s  p95 {_f(s['page_ready_p95_s'])} s  "
        f"max {_f(s['page_ready_max_s'])} s ({s['pages_measured']} pages)  sign-in p50 {_f(s['sign_in_p50_s'])} "
        f"p95 {_f(s['sign_in_p95_s'])} s  errors {s['errors']}  uploads accepted {ups}/{len(s['uploads'])}  "
        f"CPU s servers {s['server_cpu_s']} load generator {s['client_cpu_s']} other {s['other_cpu_s']}  "
        f"wall {s['wall_s']} s  load {s['loadavg_before'][0]}->{s['loadavg_after'][0]}"
    )


def _table(report: dict) -> str:
    lines = [
        "",
        f"{'N':>4} {'pages':>6} {'ready p50':>10} {'ready p95':>10} {'ready max':>10} {'sign-in p50':>12} "
        f"{'sign-in p95':>12} {'open p95':>9} {'errors':>7} {'uploads':>8} {'srv CPU':>8} {'gen CPU':>8} "
        f"{'oth CPU':>8} {'wall':>6}",
    ]
    for s in report["rounds"]:
        ups = sum(1 for u in s["uploads"] if u.get("status") == "accepted")
        lines.append(
            f"{s['sessions']:>4} {s['pages_measured']:>6} {_f(s['page_ready_p50_s']):>10} "
            f"{_f(s['page_ready_p95_s']):>10} {_f(s['page_ready_max_s']):>10} {_f(s['sign_in_p50_s']):>12} "
            f"{_f(s['sign_in_p95_s']):>12} {_f(s['open_p95_s']):>9} {s['errors']:>7} "
            f"{ups:>3}/{len(s['uploads']):<4} {s['server_cpu_s']:>8} {s['client_cpu_s']:>8} "
            f"{s['other_cpu_s']:>8} {s['wall_s']:>6}"
        )
    lines.append(f"median of {report['settings']['repeat']} round(s) per N:")
    for m in report["medians"]:
        lines.append(
            f"{m['sessions']:>4} {m['pages_measured']:>6} {_f(m.get('page_ready_p50_s')):>10} "
            f"{_f(m.get('page_ready_p95_s')):>10} {_f(m.get('page_ready_max_s')):>10} "
            f"{_f(m.get('sign_in_p50_s')):>12} {_f(m.get('sign_in_p95_s')):>12} {'':>9} {m['errors']:>7} "
            f"{m['uploads_accepted']:>3}/{m['uploads']:<4}"
        )
    lines.append(
        f"uploads accepted: {report['uploads_accepted']}; in the database afterwards: "
        + ("all" if not report["upload_problems"] else f"PROBLEMS {report['upload_problems']}")
    )
    lines.append(
        f"target: no errors, page-ready p95 <= {TARGET_P95_S} s at 50 sessions. Times in seconds; "
        f"CPU seconds over the round (srv = the app processes, gen = this script, oth = everything else). "
        f"Page-ready p95 of viewer and uploader sessions: "
        + "; ".join(
            f"N={s['sessions']} "
            + ", ".join(f"{c} {_f(v['page_ready_p95_s'])} s ({v['pages']} pages)" for c, v in s["by_kind"].items())
            for s in report["rounds"]
        )
    )
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sessions", type=int, nargs="+", default=[1, 10, 50])
    ap.add_argument("--db", type=Path, help="demo database to copy (built there if missing); default: a temp one")
    ap.add_argument("--port", type=int, help="127.0.0.1 port for the app (default: a free one)")
    ap.add_argument(
        "--uploads", type=int, default=2, help="uploading trust-lead sessions per round (at most one per 5 sessions)"
    )
    ap.add_argument("--ramp", type=float, default=0.1, help="seconds between session starts")
    ap.add_argument("--think", type=float, default=1.0, help="mean think time between pages (uniform 0.5x-1.5x)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=3, help="rounds per N; the table ends with their medians")
    ap.add_argument(
        "--viewer-processes",
        type=int,
        default=0,
        help="read-only viewer processes to start besides "
        "the writer; viewer sessions are dealt out over them (0: everything on the writer)",
    )
    ap.add_argument("--out", type=Path, default=ROOT / "artifacts" / "scale" / "load_viewers.json")
    args = ap.parse_args(argv)
    report = run(
        args.sessions,
        args.db,
        args.port,
        args.uploads,
        args.ramp,
        args.think,
        args.seed,
        args.out,
        viewer_processes=args.viewer_processes,
        repeat=args.repeat,
    )
    bad = any(r["errors"] for r in report["rounds"]) or report["upload_problems"]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
