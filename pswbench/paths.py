"""Where the project's files live, so nothing depends on the working directory."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SQL_DIR = ROOT / "sql"
DATA_DIR = ROOT / "data"
REFERENCE_DIR = DATA_DIR / "reference"
EXAMPLES_DIR = DATA_DIR / "examples"
VALIDATION_DIR = ROOT / "validation"
DEFAULT_DB = DATA_DIR / "pswbench.duckdb"


def db_path() -> Path:
    """The database the app uses: PSWBENCH_DB, or the default under data/."""
    return Path(os.environ.get("PSWBENCH_DB") or DEFAULT_DB)
