"""The console examples of README.md and docs/*.md: reading them, running them, comparing
their output with what the commands print now, and rewriting them from a real run.

A ```console block holds commands (lines starting with ``$ ``, continued by a trailing
backslash) each followed by the output the doc shows for it. A block right after the
comment ``<!-- not run: REASON -->`` is not run.

What the doc shows and what a command prints must be equal line by line, except:

- a line that is ``…`` alone (indented or not) matches any number of lines ("more lines
  here");
- any other ``…`` in a doc line matches any run of characters (so text ending in ``…``
  matches every line starting with that text);
- the parts in ``NORMALISED`` (times of recording, hashes of custody events, which
  contain those times, durations) are compared as placeholders.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import forked_cli

REPOSITORY = Path(__file__).resolve().parent.parent
DOCS = [REPOSITORY / "README.md", *sorted((REPOSITORY / "docs").glob("*.md"))]
ELLIPSIS = "…"
NOT_RUN = re.compile(r"^<!--\s*not run:\s*(.+?)\s*-->$")
# Printed between commands so one shell can run a whole doc and its output be split again;
# the status of the command before it is kept for `echo $?`.
MARKER = "\x1edocs-example-command\x1e"
VENV_SCRIPT = re.compile(r"(?<![\w/])\.venv/bin/evidencelab\b")

NORMALISED: list[tuple[re.Pattern[str], str]] = [
    # When something was recorded (custody events, findings, annotations): now, not then ...
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{1,6}Z"), "<recorded-at>"),
    # ... also as "by NAME at TIME [ZONE] [(TIME UTC)]".
    (
        re.compile(
            r"(by [\w.-]+ at )\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[+-]\d\d:\d\d)?"
            r"(?: [\w/]+)?(?: \(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\))?"
        ),
        r"\1<recorded-at>",
    ),
    # A custody event's hash covers its recording time: in the log table (abbreviated), ...
    (re.compile(r"(?<![0-9a-f])[0-9a-f]{16}…"), "<event-hash>…"),
    # ... in verify's head line ...
    (re.compile(r"(head hash )[0-9a-f]{64}"), r"\1<event-hash>"),
    # ... and in JSON.
    (
        re.compile(r'("(?:hash|prev_hash|head|custody_head)": )"[0-9a-f]{64}"'),
        r'\1"<event-hash>"',
    ),
    # How long something took.
    (re.compile(r"\b\d+(?:\.\d+)? (?:s|ms|CPU s)\b(?= |$|\)|,|;)"), "<duration>"),
]


@dataclass
class Command:
    """One ``$`` command of a block and the output the doc shows for it."""

    line: int  # 1-based line of the ``$`` in the doc
    text: list[str]  # the command's lines as written, without the ``$ ``
    shown: list[str] = field(default_factory=list)

    @property
    def shell(self) -> str:
        """The command as the shell runs it (the venv's script is on PATH)."""
        return VENV_SCRIPT.sub("evidencelab", "\n".join(self.text))


@dataclass
class Block:
    """One ```console block: where it is, its commands, and why it is not run (if so)."""

    doc: Path
    start: int  # 0-based index of the line after the opening fence
    end: int  # 0-based index of the closing fence
    commands: list[Command]
    not_run: str | None


def read_blocks(doc: Path) -> list[Block]:
    """Every ```console block of ``doc``, in order."""
    lines = doc.read_text(encoding="utf-8").splitlines()
    blocks = []
    index = 0
    while index < len(lines):
        if lines[index].strip() == "```console":
            end = next(i for i in range(index + 1, len(lines)) if lines[i].strip() == "```")
            not_run = _not_run(lines, index)
            commands = [] if not_run else _commands(lines, index + 1, end)
            blocks.append(Block(doc, index + 1, end, commands, not_run))
            index = end
        index += 1
    return blocks


def _not_run(lines: list[str], fence: int) -> str | None:
    before = [line.strip() for line in lines[:fence] if line.strip()]
    match = NOT_RUN.match(before[-1]) if before else None
    return match.group(1) if match else None


def _commands(lines: list[str], start: int, end: int) -> list[Command]:
    commands: list[Command] = []
    continued = False
    for number, line in enumerate(lines[start:end], start=start + 1):
        if continued:
            commands[-1].text.append(line)
        elif line.startswith("$ "):
            commands.append(Command(number, [line[2:]]))
        elif commands:
            commands[-1].shown.append(line)
        else:
            raise ValueError(f"{number}: output before the block's first command")
        continued = line.endswith("\\")
    return commands


@dataclass(frozen=True)
class Session:
    """What a doc's commands run in: a folder, and the demo case for `evidencelab demo`."""

    folder: Path
    demo_root: Path
    demo_output: str


def run_commands(commands: list[Command], session: Session) -> list[list[str]]:
    """Run ``commands`` in order in one shell in ``session.folder``; each one's output lines
    (standard output and error together). The script and the demo's output are kept beside
    the folder, not in it, and the commands read no standard input. Each ``evidencelab``
    runs as a process forked from this one (forked_cli)."""
    support = session.folder.parent
    (support / "demo-output.txt").write_text(session.demo_output, encoding="utf-8")
    script = ["exec 2>&1"]
    for command in commands:
        script.append(f"__status=$?; printf '{MARKER}'; (exit $__status)")
        script.append(_as_run(command.shell, session))
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "EVIDENCELAB_ACTOR": "analyst",
        "PYTHONUNBUFFERED": "1",
        "LC_ALL": "C.UTF-8",
    }
    (support / "commands.sh").write_text("\n".join(script) + "\n", encoding="utf-8")
    printed = forked_cli.run(
        ["bash", "--noprofile", "--norc", str(support / "commands.sh")],
        support,
        cwd=session.folder,
        env=env,
        timeout=1800,
    )
    parts = printed.split(MARKER)
    assert len(parts) == len(commands) + 1, f"the shell stopped early: {printed[-2000:]}"
    return [part.rstrip("\n").split("\n") if part.rstrip("\n") else [] for part in parts[1:]]


def _as_run(shell: str, session: Session) -> str:
    """The demo command is the one the session's demo was built by, in a fresh folder: its
    case is copied and its output replayed rather than built again."""
    words = shell.split()
    if words[:2] == ["evidencelab", "demo"] and words[2:3] == ["--out"] and len(words) == 4:
        replay = session.folder.parent / "demo-output.txt"
        return f"cp -a '{session.demo_root}' {words[3]} && cat '{replay}'"
    return shell


def normalise(line: str) -> str:
    for pattern, placeholder in NORMALISED:
        line = pattern.sub(placeholder, line)
    return line


def _pattern(shown: str) -> re.Pattern[str]:
    pieces = [re.escape(piece) for piece in normalise(shown).split(ELLIPSIS)]
    return re.compile(".*".join(pieces) + r"\Z", re.DOTALL)


def line_matches(shown: str, printed: str) -> bool:
    return _pattern(shown).match(normalise(printed)) is not None


def output_matches(shown: list[str], printed: list[str]) -> bool:
    """Whether ``printed`` is what ``shown`` shows (``…`` lines match any number of lines)."""
    if not shown:
        return not printed
    head, rest = shown[0], shown[1:]
    if head.strip() == ELLIPSIS:
        return any(output_matches(rest, printed[skip:]) for skip in range(len(printed) + 1))
    return bool(printed) and line_matches(head, printed[0]) and output_matches(rest, printed[1:])


def updated_output(shown: list[str], printed: list[str]) -> list[str]:
    """``shown`` brought up to date with ``printed``: lines that still match are kept as the
    doc has them (their times, their elisions), ``…`` lines stay where they stand for
    lines that are still there, every other line is the printed one."""
    if output_matches(shown, printed):
        return shown
    result: list[str] = []
    index = 0
    for position, line in enumerate(shown):
        if line.strip() == ELLIPSIS:
            following = next((s for s in shown[position + 1 :] if s.strip() != ELLIPSIS), None)
            skipped = index
            while index < len(printed) and not (
                following is not None and line_matches(following, printed[index])
            ):
                index += 1
            if index > skipped:
                result.append(line)
        elif index < len(printed):
            result.append(line if line_matches(line, printed[index]) else printed[index])
            index += 1
    return result + printed[index:]


def rewrite_blocks(doc: Path, outputs: dict[int, list[str]]) -> None:
    """Write ``doc`` again with each run command's shown output replaced (keyed by the
    command's line); written to a temporary file, then renamed over the doc."""
    lines = doc.read_text(encoding="utf-8").splitlines()
    new: list[str] = []
    skip_until = -1
    commands = {c.line: c for b in read_blocks(doc) if b.not_run is None for c in b.commands}
    for number, line in enumerate(lines, start=1):
        if number <= skip_until:
            continue
        new.append(line)
        command = commands.get(number)
        if command is not None and number in outputs:
            new.extend(command.text[1:])
            new.extend(outputs[number])
            skip_until = number + len(command.text) - 1 + len(command.shown)
    temporary = doc.with_name(doc.name + ".tmp")
    with temporary.open("w", encoding="utf-8") as handle:
        handle.write("\n".join(new) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    temporary.replace(doc)
