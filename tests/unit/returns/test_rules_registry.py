"""The registry of rules (pswbench.returns.rules) names every rule id the checks raise, where it is raised."""

from __future__ import annotations

import ast
import json

from pswbench.paths import ROOT
from pswbench.returns import contract, rules, uploads


def raised_in_code() -> dict[str, set[tuple[str, str]]]:
    """{rule id: {(file, severity)}} from the source: error()/warning() calls with a literal id,
    single_value's rule argument, the upload's refusal, and every rule of the GX suite."""
    found: dict[str, set[tuple[str, str]]] = {}
    for path in sorted((ROOT / "pswbench" / "returns").glob("*.py")):
        where = str(path.relative_to(ROOT))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            args = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            if name in ("error", "warning") and node.args and isinstance(node.args[0], ast.Constant):
                found.setdefault(node.args[0].value, set()).add((where, name))
            elif name == "single_value":
                found.setdefault(args[-2], set()).add((where, "error"))
    found.setdefault(uploads.REFUSED_RULE, set()).add((rules.UPLOADS, "error"))
    for spec in json.loads((ROOT / rules.SUITE).read_text(encoding="utf-8"))["rules"]:
        found.setdefault(spec["rule"], set()).add((rules.SUITE, "error"))
    return found


def test_every_rule_raised_is_registered_with_its_files_and_severity():
    found = raised_in_code()
    assert set(found) == set(rules.RULES), (
        sorted(set(found) - set(rules.RULES)),
        sorted(set(rules.RULES) - set(found)),
    )
    for rule_id, places in found.items():
        rule = rules.RULES[rule_id]
        assert {f for f, _ in places} == set(rule.where), rule_id
        assert {s for _, s in places} == {rule.severity}, rule_id


def test_the_suite_and_the_contract_agree_on_the_notes_limit():
    spec = next(
        r
        for r in json.loads((ROOT / rules.SUITE).read_text(encoding="utf-8"))["rules"]
        if r["rule"] == "notes_too_long"
    )
    assert spec["kwargs"]["max_value"] == contract.MAX_NOTES_CHARS
    assert f"{contract.MAX_NOTES_CHARS} characters" in spec["message"]


def test_every_rule_has_a_short_distinct_plain_english_title():
    titles = [r.title for r in rules.RULES.values()]
    assert len(set(titles)) == len(titles)
    for r in rules.RULES.values():
        assert r.title and len(r.title) <= 40 and "_" not in r.title, r
    assert rules.title("negative_value") == "Negative number"
    assert rules.title("a_rule_since_retired") == "a_rule_since_retired"
