"""The report shows an incident's populated-area marking (a typed field of the case file,
read from the incident itself, not from its extra fields)."""

from __future__ import annotations

import html

from case_copies import DemoTemplate


def test_the_demo_report_shows_the_populated_area_marking(demo_template: DemoTemplate) -> None:
    page = html.unescape((demo_template.root / "report.html").read_text(encoding="utf-8"))
    assert (
        "Populated area: yes — The release places the strike near a hospital building in the town."
    ) in page
