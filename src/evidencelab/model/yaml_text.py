"""The case file as YAML text: PyYAML's safe loader and dumper, with the two changes the
case file needs (repeated keys refused, overlong whole numbers kept for a clear error) and
text that survives a round trip."""

from __future__ import annotations

from typing import Any

import yaml

from evidencelab.model.errors import CaseFileError, Problem
from evidencelab.model.jsondata import OverlongNumber
from evidencelab.model.limits import MAX_NUMBER_DIGITS


def dump_yaml(data: Any) -> str:
    """Case-file data (plain JSON data) as YAML text that `parse_yaml` reads back unchanged."""
    return yaml.dump(data, Dumper=_CaseDumper, sort_keys=False, allow_unicode=True, width=100)


class _CaseDumper(yaml.SafeDumper):
    """The safe dumper, writing text with YAML-only line breaks (NEL, U+2028, U+2029)
    double-quoted: other styles write them raw, and a reader folds them into spaces."""


def _represent_text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    style = '"' if any(c in text for c in "\x85\u2028\u2029") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_CaseDumper.add_representer(str, _represent_text)


def parse_yaml(text: str, origin: str) -> Any:
    """Parse case-file YAML text (safe loader); a repeated key, a syntax error or nesting
    too deep raises `CaseFileError` naming `origin`, the line and the column."""
    try:
        # Composing builds only the node tree, no Python objects; it lets us find
        # repeated keys, which the loader would silently resolve to the last value.
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        if root is not None:
            _reject_repeated_yaml_keys(root, origin)
        return yaml.load(text, Loader=_CaseLoader)  # a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise _error(origin, f"{where}YAML syntax error: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise _error(origin, f"YAML syntax error: {exc}") from None
    except RecursionError:
        raise _error(origin, "YAML nested too deeply") from None


class _CaseLoader(yaml.SafeLoader):
    """The safe loader, reading overlong whole numbers as OverlongNumber instead of
    raising Python's int-string conversion error (a ValueError with no position)."""

    def construct_yaml_int(self, node: yaml.ScalarNode) -> Any:
        """A YAML int; a decimal one over MAX_NUMBER_DIGITS digits becomes OverlongNumber
        (other spellings, octal ``012`` included, are read as the safe loader reads them)."""
        digits = str(self.construct_scalar(node)).replace("_", "").lstrip("+-")
        if digits.isdigit() and len(digits) > MAX_NUMBER_DIGITS:
            return OverlongNumber(len(digits))
        return super().construct_yaml_int(node)


_CaseLoader.add_constructor("tag:yaml.org,2002:int", _CaseLoader.construct_yaml_int)


def _reject_repeated_yaml_keys(root: yaml.Node, origin: str) -> None:
    seen: set[int] = set()
    pending = [root]
    while pending:
        node = pending.pop()
        if id(node) in seen:  # an alias: already checked
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            lines: dict[tuple[str, str], int] = {}
            for key, value in node.value:
                pending.append(value)
                if not isinstance(key, yaml.ScalarNode):
                    continue
                line = key.start_mark.line + 1
                first = lines.get((key.tag, key.value))
                lines.setdefault((key.tag, key.value), line)
                if first is not None:
                    raise _error(
                        origin,
                        f"line {line}: field '{key.value}' appears twice "
                        f"in one mapping (also line {first})",
                    )
        elif isinstance(node, yaml.SequenceNode):
            pending.extend(node.value)


def _error(origin: str, message: str) -> CaseFileError:
    return CaseFileError(origin, [Problem((), message)])
