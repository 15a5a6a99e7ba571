"""Each layer imports only the layers docs/architecture.md lets it: read from the source's
import statements (also those inside functions), with no exception listed."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "evidencelab"

# Top-level modules and packages, by layer (a module not named here is its own layer).
LAYER_OF = {"demo_media": "service", "data": "model"}
PURE = {"model", "analysis", "verify", "assess", "publish"}
# What each layer may import besides itself and the package root (its version).
ALLOWED: dict[str, set[str]] = {
    "model": set(),
    "analysis": {"model"},
    "verify": {"model", "analysis"},
    "assess": {"model", "analysis", "verify"},
    "publish": {"model", "analysis", "verify", "assess"},
    "store": {"model"},
    "extract": {"model", "analysis"},
    "locker": {"model", "store", "extract"},
    "collect": {"model"},
    "service": PURE | {"store", "extract", "locker", "collect"},
    # The faces work through the services: never on the database directly.
    "web": PURE | {"locker", "service"},
    "cli": PURE | {"locker", "service", "web"},
}


def _layer(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "evidencelab" or len(parts) == 1:
        return None  # another package, or the package root
    return LAYER_OF.get(parts[1], parts[1])


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def _violations() -> list[str]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        if parts[0] in ("__init__", "__main__"):
            continue
        layer = LAYER_OF.get(parts[0], parts[0])
        assert layer in ALLOWED, f"{path}: layer {layer} is not described"
        for module in sorted(_imports(path)):
            target = _layer(module)
            if target is not None and target != layer and target not in ALLOWED[layer]:
                out.append(f"{path.relative_to(PACKAGE)}: {layer} imports {module} ({target})")
    return out


def test_every_layer_imports_only_what_it_may() -> None:
    assert _violations() == []


def test_the_rules_are_acyclic() -> None:
    """A cycle between layers would make "below" meaningless."""
    visiting: set[str] = set()
    done: set[str] = set()

    def visit(layer: str) -> None:
        assert layer not in visiting, f"layers import each other around {layer}"
        if layer in done:
            return
        visiting.add(layer)
        for lower in ALLOWED[layer]:
            visit(lower)
        visiting.discard(layer)
        done.add(layer)

    for layer in ALLOWED:
        visit(layer)


def test_a_forbidden_import_is_caught(tmp_path: Path) -> None:
    """The reader of imports sees an import inside a function."""
    path = tmp_path / "probe.py"
    path.write_text("def f():\n    from evidencelab.store.tables import Source\n")
    assert "evidencelab.store.tables" in _imports(path)


def _service_part(module: str) -> str | None:
    """The capability a service module belongs to: its package, or the top-level module."""
    parts = module.split(".")
    if parts[:2] != ["evidencelab", "service"] or len(parts) < 3:
        return None
    return parts[2]


def _service_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in sorted((PACKAGE / "service").rglob("*.py")):
        dotted = ".".join(("evidencelab", *path.relative_to(PACKAGE).with_suffix("").parts))
        part = _service_part(dotted)
        if part in (None, "__init__"):
            continue
        graph.setdefault(part, set()).update(
            target
            for target in map(_service_part, _imports(path))
            if target is not None and target != part
        )
    return graph


def test_service_capabilities_do_not_import_each_other_in_a_cycle() -> None:
    """Each capability of the service layer (a package such as `evidence` or `outputs`, or
    a top-level module such as `reading` or `intake`) builds only on others below it."""
    graph = _service_graph()
    assert {"reading", "intake", "evidence", "outputs"} <= graph.keys()
    order: list[str] = []
    state: dict[str, str] = {}

    def visit(part: str, path: tuple[str, ...]) -> None:
        assert state.get(part) != "visiting", "cycle: " + " -> ".join((*path, part))
        if state.get(part) == "done":
            return
        state[part] = "visiting"
        for lower in sorted(graph.get(part, ())):
            visit(lower, (*path, part))
        state[part] = "done"
        order.append(part)

    for part in sorted(graph):
        visit(part, ())
