"""The custody actions: one registry, the docs equal to it, every action the code records
registered (read from the source, so a path no other test runs cannot fail at run time)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from evidencelab.locker.actions import ACTIONS, actions_markdown, check_action

REPOSITORY = Path(__file__).resolve().parent.parent
PACKAGE = REPOSITORY / "src" / "evidencelab"
MARK = "<!-- actions table: generated from evidencelab.locker.actions -->\n"


def test_the_docs_table_is_the_registry() -> None:
    page = (REPOSITORY / "docs" / "custody-log.md").read_text(encoding="utf-8")
    assert page.split(MARK, 1)[1] == actions_markdown()


def test_an_unknown_action_is_refused() -> None:
    with pytest.raises(ValueError, match="custody action 'ingested'"):
        check_action("ingested")


def _literal_actions(path: Path) -> list[str]:
    """The action names given to ``….record(session, ACTION, …)`` in one module: string
    literals, module constants, both branches of a conditional, f-strings as patterns."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    constants = {
        target.id: node.value.value
        for node in tree.body
        if isinstance(node, (ast.Assign, ast.AnnAssign))
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
        for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
        if isinstance(target, ast.Name)
    }

    def names(node: ast.expr) -> list[str]:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return [node.value]
        if isinstance(node, ast.Name) and node.id in constants:
            return [constants[node.id]]
        if isinstance(node, ast.IfExp):
            return names(node.body) + names(node.orelse)
        if isinstance(node, ast.JoinedStr):
            return ["pattern:" + ast.unparse(node)]  # checked as a pattern below
        if isinstance(node, ast.Attribute) and node.attr.endswith("ACTION"):
            return []  # a constant of another module, found where it is defined
        raise AssertionError(f"{path}: cannot read the action {ast.unparse(node)}")

    found: list[str] = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "record"
            and len(node.args) >= 4
        ):
            found.extend(names(node.args[1]))
    return found


def test_every_action_the_code_records_is_registered() -> None:
    used = [name for path in PACKAGE.rglob("*.py") for name in _literal_actions(path)]
    assert len(used) > 30
    for name in used:
        if name.startswith("pattern:"):  # f'imagery.{what}': a registered action must match
            prefix = name.removeprefix("pattern:")[2:].split("{")[0]
            assert any(a.startswith(prefix) for a in ACTIONS), name
        else:
            assert name in ACTIONS, name
