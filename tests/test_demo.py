"""The built-in demo, end to end, as the README's first command runs it."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from case_copies import DemoTemplate, copy_case
from cli_helpers import run_cli

FINDING = "3 incidents, at least 6 civilians killed and at least 12 injured"


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.images: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            self.images.append(dict(attrs).get("src") or "")


@pytest.fixture(scope="module")
def demo(demo_template: DemoTemplate, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the session's demo, built by `evidencelab demo` (one test re-runs it)."""
    assert FINDING in demo_template.output
    return copy_case(demo_template.root, tmp_path_factory.mktemp("demo") / "demo-case")


def test_summary_json_has_the_finding_figures(demo: Path) -> None:
    summary = json.loads(run_cli("summary", "--case", str(demo), "--json").stdout)
    assert summary["incidents"] == 3
    assert summary["civilians_killed_min"] == 6
    assert summary["civilians_injured_min"] == 12
    assert summary["evidence_items"] == 6
    assert summary["finding"] == FINDING
    assert summary["injured_breakdowns_min"]["healthcare_workers"] == 6


def test_demo_evidence_has_metadata_written_into_the_generated_images(demo: Path) -> None:
    shown = json.loads(
        run_cli("evidence", "show", "vuhledar-remnant-1", "--case", str(demo), "--json").stdout
    )
    assert shown["metadata"]["captured_at"] == "2022-02-24T10:50:00+02:00"
    assert shown["metadata"]["gps"]["lat"] == pytest.approx(47.77917, abs=1e-6)
    assert shown["metadata"]["make"] == "evidencelab"
    assert shown["perceptual_hashes"][0]["algorithm"] == "pdq"
    assert shown["incidents"] == ["vuhledar-2022-02-24"]


def test_report_is_readable_and_marks_illustrative_media(demo: Path) -> None:
    html = (demo / "report.html").read_text(encoding="utf-8")
    parser = _Text()
    parser.feed(html)
    text = re.sub(r"\s+", " ", " ".join(parser.parts))
    assert FINDING in text
    for place in ("Vuhledar", "Chuhuiv", "Uman"):
        assert place in text
    assert "9M79 Tochka" in text
    assert "ILLUSTRATIVE" in text
    assert "6 healthcare workers" in text
    assert "2022-02-24 10:30+02:00 local (2022-02-24 08:30 UTC), approximate" in text
    assert len(parser.images) == 6
    assert all(src.startswith("data:image/jpeg;base64,") for src in parser.images)  # offline
    assert not re.search(r"""(src|href)=["']https?:""", html)


def test_demo_case_verifies_intact_and_a_rerun_changes_nothing(demo: Path) -> None:
    assert run_cli("verify", "--case", str(demo)).returncode == 0
    # The copy's demo inputs lie elsewhere than the template's: a first rerun records
    # those acquisitions (a new original path); the next one changes nothing.
    assert run_cli("demo", "--out", str(demo)).returncode == 0
    log_before = json.loads(run_cli("log", "--case", str(demo), "--json").stdout)
    again = run_cli("demo", "--out", str(demo))
    assert again.returncode == 0, again.stderr
    log_after = json.loads(run_cli("log", "--case", str(demo), "--json").stdout)
    assert [e["action"] for e in log_after[len(log_before) :]] == ["import", "report"]
    assert len(json.loads(run_cli("evidence", "list", "--case", str(demo), "--json").stdout)) == 6


def test_demo_records_the_sun_at_the_vuhledar_strike(demo: Path) -> None:
    shown = run_cli("evidence", "show", "vuhledar-remnant-1", "--case", str(demo), "--json")
    (finding,) = json.loads(shown.stdout)["findings"]
    assert finding["kind"] == "chronolocation.sun_position"
    assert finding["inputs"]["time"] == "2022-02-24T10:30:00+02:00"
    assert finding["result"]["time_utc"] == "2022-02-24T08:30:00+00:00"
    # Morning in late February at 47.8° N: the sun low in the south-south-east.
    assert 25 < finding["result"]["apparent_elevation_deg"] < 35
    assert 150 < finding["result"]["azimuth_deg"] < 165
