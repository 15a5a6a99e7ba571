"""Every ```console example in README.md and docs/*.md, run: each doc's commands in one
shell, in order, in a fresh folder (the README tour starts with the demo case), and the
output compared with the doc's (rules in docs_examples.py).

`pytest tests/test_docs_examples.py --update-docs` rewrites the examples from the run
instead, keeping what still matches as it is written."""

from __future__ import annotations

import difflib
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from case_copies import DemoTemplate
from docs_examples import (
    DOCS,
    REPOSITORY,
    Block,
    Session,
    output_matches,
    read_blocks,
    rewrite_blocks,
    run_commands,
    updated_output,
)

PHONES = REPOSITORY / "tests" / "corpus" / "metadata-extractor-images" / "jpg"
WEE = REPOSITORY / "tests/corpus/pdq-threatexchange/pdq/data/misc-images/wee.jpg"


def _checks_inputs(folder: Path) -> None:
    """docs/checks.md's example: its case file (the doc's YAML block after "## Example")
    and the corpus photographs it names under inputs/files."""
    text = (REPOSITORY / "docs" / "checks.md").read_text(encoding="utf-8")
    example = text.split("\n## Example\n", 1)[1]
    case_yaml = re.search(r"```yaml\n(.*?)```", example, re.DOTALL)
    assert case_yaml, "docs/checks.md: no YAML block after '## Example'"
    files = folder / "inputs" / "files"
    files.mkdir(parents=True)
    (folder / "inputs" / "case.yaml").write_text(case_yaml.group(1), encoding="utf-8")
    shutil.copy(PHONES / "HTC Desire.jpg", files / "htc.jpg")
    shutil.copy(PHONES / "Sony DSC-HX5V (2).jpg", files / "sony.jpg")
    shutil.copy(WEE, files / "wee.jpg")
    corpus = REPOSITORY / "tests" / "corpus"
    shutil.copy(corpus / "exif-samples/jpg/Reconyx_HC500_Hyperfire.jpg", files / "reconyx.jpg")
    shutil.copy(corpus / "exiftool/images/Google.jpg", files / "google.jpg")
    with Image.open(PHONES / "HTC Desire.jpg") as image:
        rgb = image.convert("RGB")
        rgb.resize((rgb.width // 3, rgb.height // 3)).save(files / "htc-small.jpg", quality=60)


def _case_file_format_inputs(folder: Path) -> None:
    """docs/case-file-format.md's scene example: rasterio's Landsat scene under files/."""
    (folder / "files").mkdir()
    shutil.copy(REPOSITORY / "tests/corpus/rasterio/RGB.byte.tif", folder / "files")


# What a doc's examples expect to find in their folder before the first command.
INPUTS: dict[str, Callable[[Path], None]] = {
    "checks.md": _checks_inputs,
    "case-file-format.md": _case_file_format_inputs,
}


def _describe(block: Block, line: int, command: str, shown: list[str], printed: list[str]) -> str:
    diff = difflib.unified_diff(shown, printed, "doc", "printed", lineterm="", n=1)
    where = f"{block.doc.relative_to(REPOSITORY)}:{line}"
    return f"{where}: $ {command}\n" + "\n".join(diff)


RUN = [doc for doc in DOCS if any(b.not_run is None for b in read_blocks(doc))]


@pytest.mark.parametrize("doc", DOCS, ids=[str(d.relative_to(REPOSITORY)) for d in DOCS])
def test_every_console_block_has_commands_or_says_why_not(doc: Path) -> None:
    for block in read_blocks(doc):
        assert block.not_run or block.commands, f"{doc.name}:{block.start}: no command to run"


@pytest.mark.parametrize("doc", RUN, ids=[str(d.relative_to(REPOSITORY)) for d in RUN])
def test_console_examples_print_what_the_doc_shows(
    doc: Path,
    demo_template: DemoTemplate,
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    commands = [(b, c) for b in read_blocks(doc) if b.not_run is None for c in b.commands]
    session = Session(tmp_path / "run", demo_template.root, demo_template.output)
    session.folder.mkdir()
    INPUTS.get(doc.name, lambda folder: None)(session.folder)
    printed = run_commands([c for _b, c in commands], session)
    if request.config.getoption("--update-docs"):
        outputs = {
            c.line: updated_output(c.shown, p) for (_b, c), p in zip(commands, printed, strict=True)
        }
        rewrite_blocks(doc, outputs)
        return
    drifted = [
        _describe(block, c.line, c.shell, c.shown, p)
        for (block, c), p in zip(commands, printed, strict=True)
        if not output_matches(c.shown, p)
    ]
    assert not drifted, "\n\n".join(drifted)


SHOWN = [
    "intact: 12 objects and 16 custody events verified",
    "│ 1   │ 2026-11-25T14:40:28.469942Z │ analyst │ create │ 83d473ea703e8059… │",
    "…",
    "sha256 67ec1fe384ce0850758e77d5434426ac6effc3ce7626a46cbb084822c46fa906",
    "a populated area (…). Its dispersion",
    "  …",
]


def test_recording_times_event_hashes_and_elisions_match_anything() -> None:
    printed = [
        "intact: 12 objects and 16 custody events verified",
        "│ 1   │ 2030-01-02T03:04:05.000001Z │ analyst │ create │ 0123456789abcdef… │",
        "│ 2   │ 2030-01-02T03:04:06.000001Z │ analyst │ ingest │ fedcba9876543210… │",
        "│ 3   │ 2030-01-02T03:04:07.000001Z │ analyst │ ingest │ 00112233445566ff… │",
        "sha256 67ec1fe384ce0850758e77d5434426ac6effc3ce7626a46cbb084822c46fa906",
        "a populated area (civilian objects recorded: a hospital). Its dispersion",
    ]
    assert output_matches(SHOWN, printed)
    assert output_matches(SHOWN, [*printed, "  more", "  and more"])


def test_counts_content_hashes_and_fixed_times_must_be_equal() -> None:
    printed = [
        "intact: 12 objects and 17 custody events verified",
        "│ 1   │ 2030-01-02T03:04:05.000001Z │ analyst │ create │ 0123456789abcdef… │",
        "sha256 67ec1fe384ce0850758e77d5434426ac6effc3ce7626a46cbb084822c46fa906",
        "a populated area (…). Its dispersion",
    ]
    assert not output_matches(SHOWN, printed)
    changed = [SHOWN[0], SHOWN[1], SHOWN[3].replace("67ec", "77ec"), SHOWN[4]]
    assert not output_matches(SHOWN, changed)
    assert not output_matches(
        ["start 2022-02-24T10:30:00+02:00"], ["start 2022-02-24T10:31:00+02:00"]
    )
    assert not output_matches(["one line"], ["one line", "and another"])


def test_update_keeps_what_still_matches_and_takes_the_rest_from_the_run() -> None:
    printed = [
        "intact: 12 objects and 17 custody events verified",
        "│ 1   │ 2030-01-02T03:04:05.000001Z │ analyst │ create │ 0123456789abcdef… │",
        "│ 2   │ 2030-01-02T03:04:06.000001Z │ analyst │ ingest │ fedcba9876543210… │",
        "sha256 67ec1fe384ce0850758e77d5434426ac6effc3ce7626a46cbb084822c46fa906",
        "a populated area (civilian objects recorded: a hospital). Its dispersion",
        "  the rest",
    ]
    updated = updated_output(SHOWN, printed)
    assert updated == [printed[0], *SHOWN[1:]]
    assert output_matches(updated, printed)
