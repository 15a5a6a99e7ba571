"""The WARC packaged as WACZ (Webrecorder, "Web Archive Collection Zipped",
https://specs.webrecorder.net/wacz/) with py-wacz, and checked with its validator: a
zip of the WARC, its CDXJ index, the page list with its text, and a ``datapackage.json``
holding every file's SHA-256. py-wacz runs in a child process (it prints as it works);
one child runs every command of a step, as importing py-wacz takes most of its time.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from evidencelab.collect.errors import CaptureRefused

WACZ_SECONDS = 300
# The child: py-wacz's commands in order, stopping at the first that fails.
_COMMANDS = """import json, sys
from wacz.main import main
for args in json.loads(sys.argv[1]):
    if main(args):
        sys.exit(1)
"""


def write_pages(path: Path, url: str, ts: str, title: str, text: str) -> None:
    """The page list (pages.jsonl, JSON Pages 1.0) with the page's text for search."""
    header = {"format": "json-pages-1.0", "id": "pages", "title": "Pages", "hasText": True}
    page = {"id": "capture", "url": url, "ts": ts, "title": title, "text": text}
    path.write_text(json.dumps(header) + "\n" + json.dumps(page) + "\n", encoding="utf-8")


def package(warc: Path, pages: Path, out: Path, *, title: str) -> None:
    """``wacz create`` the WARC and page list into ``out``, then ``wacz validate`` it;
    CaptureRefused with py-wacz's last line if either fails."""
    create = ["create", "-o", str(out), "--pages", str(pages), "--copy-pages"]
    create += ["--title", title, "--hash-type", "sha256", str(warc)]
    _require_valid(_wacz(create, ["validate", "-f", str(out)]))


def validate(wacz: Path) -> None:
    """``wacz validate``; CaptureRefused when the package is not valid."""
    _require_valid(_wacz(["validate", "-f", str(wacz)]))


def _require_valid(said: str) -> None:
    if "is valid" not in said:
        raise CaptureRefused(f"the WACZ package did not validate ({said})")


def _wacz(*commands: list[str]) -> str:
    """Run py-wacz's ``commands`` in one child process; its last line of output."""
    done = subprocess.run(
        [sys.executable, "-c", _COMMANDS, json.dumps(commands)],
        capture_output=True,
        text=True,
        timeout=WACZ_SECONDS,
        check=False,
    )
    lines = (done.stdout + done.stderr).strip().splitlines()
    last = lines[-1] if lines else f"exit {done.returncode}"
    if done.returncode != 0:
        raise CaptureRefused(f"the WACZ package could not be made ({last})")
    return last
