"""The package's shape: no import cycle between its modules (imports inside functions count too),
and no module reaches into another's private names."""

from __future__ import annotations

import ast

from pswbench.paths import ROOT

PACKAGE = ROOT / "pswbench"


def modules() -> dict[str, ast.Module]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        out[name] = ast.parse(path.read_text(encoding="utf-8"))
    return out


def imports(tree: ast.Module, known: set[str]) -> dict[str, set[str]]:
    """{module imported: names taken from it} for every import of a pswbench module in tree."""
    found: dict[str, set[str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("pswbench"):
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                if sub in known:
                    found.setdefault(sub, set())
                else:
                    found.setdefault(node.module, set()).add(alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("pswbench"):
                    found.setdefault(alias.name, set())
    return found


def test_no_import_cycle():
    trees = modules()
    known = set(trees)
    graph = {
        m: {d for d in imports(t, known) if d in known and d != m and not m.startswith(d + ".")}
        for m, t in trees.items()
    }
    cycles, state = [], {}

    def visit(m, path):
        state[m] = "open"
        for d in sorted(graph[m]):
            if state.get(d) == "open":
                cycles.append(path[path.index(d) :] + [d] if d in path else [m, d])
            elif d not in state:
                visit(d, path + [d])
        state[m] = "done"

    for m in sorted(graph):
        if m not in state:
            visit(m, [m])
    assert cycles == []


def test_no_module_uses_another_modules_private_names():
    trees = modules()
    known = set(trees)
    bad = []
    for m, tree in trees.items():
        aliases = {}
        for dep, names in imports(tree, known).items():
            bad += [f"{m} imports {dep}.{n}" for n in names if n.startswith("_") and dep != m]
            aliases[dep.rpartition(".")[2]] = dep
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in aliases
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
                and aliases[node.value.id] != m
            ):
                bad.append(f"{m} uses {aliases[node.value.id]}.{node.attr}")
    assert bad == []
