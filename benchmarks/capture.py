"""Capture of the fixture article (an article page with two photos, served on loopback)
versus `chromium --headless --screenshot` of the same page, in the same run.

The bare screenshot is the floor of any capture: one browser start, one page load, one
PNG. A capture does that and more (the WARC of every exchange, DOM, MHTML, text, the
media, WACZ packaging and validation in child processes, the intake of every file with
ExifTool, hashes and custody events); it should stay within ten times the floor
(ratio >= 0.1). The size of the WACZ is printed too.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import tempfile
from itertools import count
from pathlib import Path
from types import ModuleType

from benchmarks.common import median_seconds, report
from evidencelab.collect.browser import CHROMIUM, CHROMIUM_ARGS
from evidencelab.locker.case import Case, init_case
from evidencelab.service.capture.capturing import capture_url

TARGET = 0.1
SITE = Path(__file__).parent.parent / "tests" / "capture_site.py"


def _site() -> ModuleType:
    """The test suite's fixture site (tests/capture_site.py), loaded from its file."""
    spec = importlib.util.spec_from_file_location("capture_site", SITE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def screenshot_only(url: str, out: Path) -> None:
    sandbox = ["--no-sandbox"] if os.geteuid() == 0 else []
    subprocess.run(
        [
            CHROMIUM,
            "--headless",
            *CHROMIUM_ARGS,
            *sandbox,
            "--window-size=1366,900",
            f"--screenshot={out}",
            url,
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    assert out.stat().st_size > 0


def run(repeats: int) -> bool:
    with _site().serve_site() as base, tempfile.TemporaryDirectory() as tmp:
        url = f"{base}/article"
        cases = count()
        sizes: list[int] = []

        def new_case() -> Case:
            return init_case(Path(tmp) / f"case-{next(cases)}", actor="benchmark")

        def evidencelab_capture(case: Case) -> None:
            record = capture_url(case, url, allow_private=True)
            [wacz] = [i for i in record["items"] if i["role"] == "wacz"]
            sizes.append(case.objects.path(wacz["sha256"]).stat().st_size)
            case.close()

        baseline_s = median_seconds(lambda _: screenshot_only(url, Path(tmp) / "shot.png"), repeats)
        ours_s = median_seconds(evidencelab_capture, repeats, new_case)
        print(f"capture of the fixture article: WACZ of {sizes[0] / 1024:.0f} KiB")
        return report(
            "capture of a page", "chromium --headless --screenshot", ours_s, baseline_s, TARGET
        )
