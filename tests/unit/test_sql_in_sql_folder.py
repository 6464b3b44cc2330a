"""Every fixed statement lives in sql/ (issue 10): no module under pswbench/ hands execute,
executemany or sql a SELECT, INSERT, UPDATE or DELETE written in Python, except the few statements
that must be built at run time because they name a table read from the catalog or an attached
database (RUN_TIME below, also listed at the top of pswbench/store/database.py). And one parameter
style in sql/queries: $name parameters, cast with CAST($name AS TYPE)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from pswbench.paths import SQL_DIR

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "pswbench"
CALLS = ("execute", "executemany", "sql")
DML = re.compile(r"^\s*(?:--[^\n]*\n\s*)*(SELECT|INSERT|UPDATE|DELETE|WITH|FROM)\b", re.IGNORECASE)

# (module, the statement as written, each f-string value as {}): why it cannot be a file in sql/.
RUN_TIME = {
    ("pswbench/store/database.py", 'SELECT count(*), sum(hash(COLUMNS(*))) FROM "{}"'): "reads every table of a file",
    ("pswbench/store/backup.py", 'SELECT count(*) FROM "{}"'): "counts each table the catalog lists",
    ("pswbench/store/publish.py", "SELECT version, changed_at FROM {}.data_version"): "reads the attached copy",
}


def _text(node: ast.expr, constants: dict[str, str]) -> str | None:
    """The statement an argument spells, f-string values as {}; None when it is not written here."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
    if isinstance(node, ast.Name):
        return constants.get(node.id)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _text(node.left, constants), _text(node.right, constants)
        return None if left is None or right is None else left + right
    return None


def inline_statements(source: str) -> list[tuple[int, str]]:
    """(line, text) of each SELECT/INSERT/UPDATE/DELETE written in the source and passed to a call."""
    tree = ast.parse(source)
    constants = {  # module-level NAME = "..." (a statement kept in a constant is still inline)
        t.id: n.value.value
        for n in tree.body
        if isinstance(n, ast.Assign) and isinstance(n.value, ast.Constant) and isinstance(n.value.value, str)
        for t in n.targets
        if isinstance(t, ast.Name)
    }
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in CALLS):
            continue
        if node.args:
            text = _text(node.args[0], constants)
            if text is not None and DML.match(text):
                found.append((node.lineno, text.strip()))
    return found


def test_no_fixed_statement_is_written_in_python():
    seen, offenders = set(), []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = path.relative_to(ROOT).as_posix()
        for line, text in inline_statements(path.read_text(encoding="utf-8")):
            if (module, text) in RUN_TIME:
                seen.add((module, text))
            else:
                offenders.append(f"{module}:{line}: {text.splitlines()[0][:80]}")
    assert not offenders, "move these statements to sql/queries/<what_it_does>.sql:\n" + "\n".join(offenders)
    assert seen == set(RUN_TIME), f"allowed but no longer there (remove them): {set(RUN_TIME) - seen}"


def test_the_scan_finds_statements_however_they_are_written():
    source = '''
_Q = "SELECT 1"
con.execute("SELECT * FROM trust WHERE trust_code = ?", [code])
con.executemany("""
    -- a comment first
    INSERT INTO t VALUES ($a)""", rows)
cur.sql(f"DELETE FROM {table}")
con.execute("UPDATE t " "SET a = 1")
con.execute(_Q)
con.execute("WITH x AS (SELECT 1) SELECT * FROM x")
con.execute("CHECKPOINT")
con.execute(database.sql("queries/trust_reference"))
'''
    assert [line for line, _ in inline_statements(source)] == [3, 4, 7, 8, 9, 10]


def _code(text: str) -> str:
    """A statement without its comments and string literals."""
    text = re.sub(r"'(?:[^']|'')*'", "''", text)
    return re.sub(r"--[^\n]*", "", text)


def test_queries_use_named_parameters_and_one_cast_style():
    files = sorted((SQL_DIR / "queries").glob("*.sql"))
    assert files
    for path in files:
        code = _code(path.read_text(encoding="utf-8"))
        assert "?" not in code, f"{path.name}: positional parameter; use $name"
        assert not re.search(r"\$\w+\s*::", code), f"{path.name}: cast a parameter with CAST($name AS TYPE)"


def test_every_query_named_in_the_code_exists():
    names = set()
    for path in [*PACKAGE.rglob("*.py"), *(ROOT / "pages").glob("*.py"), ROOT / "app.py"]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "attr", getattr(node.func, "id", None)) == "sql"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
                and node.args[0].value.startswith("queries/")
            ):
                names.add(node.args[0].value)
    assert len(names) > 30
    missing = sorted(n for n in names if not (SQL_DIR / f"{n}.sql").is_file())
    assert not missing, missing
