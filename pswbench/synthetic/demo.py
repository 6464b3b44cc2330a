"""The synthetic demo: a database built through the real validate-and-load path, and demo accounts."""

from __future__ import annotations

import tempfile
from pathlib import Path

from pswbench.access import auth
from pswbench.store import database, publish
from pswbench.store.loader import LoadOutcome, load_files
from pswbench.synthetic.sections import generate_demo

DEMO_TRUST = "RX4"
# Demo-only accounts for the SYNTHETIC demo database; never created anywhere else.
DEMO_ACCOUNTS = (
    ("analyst@demo.pswbench.nhs.uk", "analyst", None, "demo-analyst-2026"),
    ("lead.rx4@demo.pswbench.nhs.uk", "trust_lead", DEMO_TRUST, "demo-trustlead-2026"),
    ("board.rx4@demo.pswbench.nhs.uk", "board", DEMO_TRUST, "demo-board-2026"),
)


def build_demo(db: Path, seed: int = 2019) -> list[LoadOutcome]:
    with tempfile.TemporaryDirectory() as tmp:
        # In generate_demo's order: oldest quarter first, so each return's headcount change is checked
        # against the one before, and a quarter's annual sections after its workforce returns, whose
        # loaded totals they are checked against.
        files = [(p.name, p.read_bytes()) for p in generate_demo(Path(tmp), seed=seed)]
    con = database.connect(db)
    try:
        outcomes = load_files(con, files, "demo:synthetic", publish=False)
        for email, role, trust, password in DEMO_ACCOUNTS:
            auth.add_user(con, email, role, trust, password, actor="demo:synthetic")
        con.execute(database.sql("queries/set_setting"), {"key": "synthetic_demo", "value": "true"})
        # Published once, finished: the loads leave it to here.
        publish.publish_quietly(con)
        return outcomes
    finally:
        con.close()


def is_synthetic(con) -> bool:
    return database.setting(con, "synthetic_demo") == "true"
