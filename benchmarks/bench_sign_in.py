"""Sign-in timing per kind of email: does the time taken say whether an email has an account?

Times auth.authenticate (the writer) and viewer.authenticate (a viewer, on the published snapshot)
with the production argon2 parameters, for: a known email with a wrong password, an unknown email,
an account without a password (single sign-on only), a known email with the right password, and a
locked email (known and unknown). The kinds are interleaved round by round, so a busy machine slows
them alike; failure counts are cleared between rounds (outside the timing) so nothing locks but the
locked cases. Prints each kind's median and the unknown-minus-known difference.

    .venv/bin/python -m benchmarks.bench_sign_in [--rounds 25]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from pswbench.access import auth, throttle
from pswbench.store import database, publish, viewer_mode

PASSWORD = "correct horse battery staple"
KNOWN, SSO, LOCKED_KNOWN = "lead@nhs.net", "sso@nhs.net", "locked@nhs.net"
UNKNOWN, LOCKED_UNKNOWN = "nobody@nhs.net", "locked-nobody@nhs.net"


def _timed(fn) -> float:
    t0 = time.perf_counter()
    try:
        fn()
    except auth.SignInError:
        pass
    return time.perf_counter() - t0


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=25)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.duckdb"
        con = database.connect(db)
        auth.add_user(con, KNOWN, "trust_lead", "RX4", PASSWORD)
        auth.add_user(con, LOCKED_KNOWN, "trust_lead", "RX4", PASSWORD)
        auth.add_user(con, SSO, "analyst", None, None)
        publish.publish(con)
        snap = database.connect(publish.snapshot_path(db), read_only=True)

        def lock_both():
            for email in (LOCKED_KNOWN, LOCKED_UNKNOWN):
                while not auth.failures(con, email).locked(auth.audit.utc_now()):
                    _timed(lambda email=email: auth.authenticate(con, email, "wrong"))

        writer_cases = {
            "known, wrong password": lambda: auth.authenticate(con, KNOWN, "wrong password!"),
            "unknown email": lambda: auth.authenticate(con, UNKNOWN, "wrong password!"),
            "single sign-on only": lambda: auth.authenticate(con, SSO, "wrong password!"),
            "known, right password": lambda: auth.authenticate(con, KNOWN, PASSWORD),
            "locked, known": lambda: auth.authenticate(con, LOCKED_KNOWN, "wrong password!"),
            "locked, unknown": lambda: auth.authenticate(con, LOCKED_UNKNOWN, "wrong password!"),
        }
        viewer_cases = {
            "viewer: known, wrong password": lambda: viewer_mode.authenticate(snap, db, KNOWN, "wrong password!"),
            "viewer: unknown email": lambda: viewer_mode.authenticate(snap, db, UNKNOWN, "wrong password!"),
        }
        cases = {**writer_cases, **viewer_cases}
        times: dict[str, list[float]] = {k: [] for k in cases}
        lock_both()
        for _ in range(args.rounds):
            for name, fn in cases.items():
                times[name].append(_timed(fn))
            for email in (KNOWN, UNKNOWN, SSO):  # nothing locks but the locked cases
                with con.cursor() as cur:
                    throttle.forget(cur, email)
            viewer_mode._LOCAL = viewer_mode.LocalFailures()
        snap.close()
        con.close()
    med = {k: statistics.median(v) * 1000 for k, v in times.items()}
    print(f"sign-in time, median of {args.rounds} interleaved rounds (ms), production argon2 parameters")
    for name, ms in med.items():
        print(f"  {name:34} {ms:8.1f}")
    print(f"  unknown minus known (writer)       {med['unknown email'] - med['known, wrong password']:+8.1f}")
    print(
        f"  unknown minus known (viewer)       "
        f"{med['viewer: unknown email'] - med['viewer: known, wrong password']:+8.1f}"
    )
    print(f"  locked unknown minus locked known  {med['locked, unknown'] - med['locked, known']:+8.1f}")


if __name__ == "__main__":
    main()
