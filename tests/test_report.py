"""The report: demo in HTML and PDF, the public version's redaction, Cyrillic and Arabic
glyphs, the contract sections, pages rendered to PNG, and the command line."""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess
import unicodedata
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageStat

from case_copies import DemoTemplate, copy_case
from cli_helpers import run_cli
from evidencelab.locker.case import Case, CaseError, init_case
from evidencelab.publish.html_report import render_report
from evidencelab.publish.pdf_report import html_to_pdf
from evidencelab.publish.redaction import public_report
from evidencelab.service.exchange.casefile import import_case_file
from evidencelab.service.outputs.report import render, report_context

FINDING = "3 incidents, at least 6 civilians killed and at least 12 injured"
PLACES = ("Vuhledar", "Chuhuiv", "Uman")

ARABIC = "قالت الشاهدة إن القصف بدأ فجراً"
UKRAINIAN = "Вугледар"

# Every string of the test case that must never appear in the public report.
SENSITIVE = [
    "witness-amira-haddad",
    "Amira Haddad, nurse at the clinic",
    "reachable on +380 55 123 4567",
    ARABIC,
    "statement-amira",
    "amira-statement.jpg",
    "Q. Secretname",
    "interviewed at her home on Kvitkova 5",
    "Shelter in the basement of Kvitkova 5",
    "Olena Petrenko",
]

CASE_YAML = f"""\
format: evidencelab/case@1
title: Report test case
sources:
  - id: ngo-report
    kind: researcher
    description: Public NGO report
    reliability: high
  - id: witness-amira-haddad
    kind: witness
    description: "Amira Haddad, nurse at the clinic"
    notes: reachable on +380 55 123 4567
    sensitive: true
    reliability: medium
  - id: local-witness
    kind: witness
    description: Olena Petrenko
    reliability: medium
evidence:
  - id: crater-photo
    path: files/crater.jpg
    kind: photo
    source: ngo-report
    collected_at: 2022-03-01T10:00:00Z
  - id: statement-amira
    path: files/amira-statement.jpg
    kind: testimony
    source: witness-amira-haddad
    collector: Q. Secretname
    note: interviewed at her home on Kvitkova 5
    sensitive: true
    collected_at: 2022-03-02T10:00:00Z
incidents:
  - id: strike-1
    title: Strike on a market in {UKRAINIAN}
    time: {{start: 2022-03-01T09:15:00+02:00, end: 2022-03-01T09:45:00+02:00, approximate: true}}
    place: {{name: {UKRAINIAN}, admin1: Donetsk region, country: UA,
            lat: 47.77917, lon: 37.24833, precision_m: 250}}
    weapon: {{munition: Grad rocket, confidence: medium, basis: rocket motor in photographs}}
    objects_hit: [{{kind: marketplace, name: central market}}]
    military_objective: {{name: Depot, lat: 47.79, lon: 37.26, basis: named in a statement}}
    casualties:
      - source: ngo-report
        scope: incident
        civilian: true
        killed: {{count: 2, qualifier: at_least}}
      - source: witness-amira-haddad
        scope: incident
        civilian: true
        killed: {{count: 3, qualifier: at_least, women: 1}}
        quote: "{ARABIC}"
        notes: the figure of witness-amira-haddad is not corroborated
      - source: local-witness
        scope: incident
        civilian: true
        injured: {{count: 5, qualifier: approx}}
    evidence: [crater-photo, statement-amira]
    notes: Shelter in the basement of Kvitkova 5
    sensitive_fields: [notes]
"""


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.images: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.parts.extend(v for _, v in attrs if v and not v.startswith("data:"))
        if tag == "img":
            self.images.append(dict(attrs).get("src") or "")


def html_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return re.sub(r"\s+", " ", " ".join(parser.parts))


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "text-source.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    )
    return re.sub(r"\s+", " ", done.stdout.decode("utf-8"))


def squeeze(text: str) -> str:
    """No whitespace, no format characters (bidi marks pdftotext adds) and no combining
    marks (Arabic tanwin it extracts apart): a string broken across lines is still found."""
    kept = (c for c in text if unicodedata.category(c) not in ("Mn", "Cf"))
    return re.sub(r"\s+", "", "".join(kept))


def arabic_words(text: str) -> list[str]:
    """Words of three letters or more; pdftotext may reorder Arabic words across lines."""
    return [squeeze(w) for w in text.split() if len(squeeze(w)) >= 3]


@pytest.fixture(scope="module")
def demo(demo_template: DemoTemplate, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_case(demo_template.root, tmp_path_factory.mktemp("report-demo") / "demo")


@pytest.fixture(scope="module")
def demo_pdf(demo: Path) -> bytes:
    from evidencelab.locker.case import open_case

    with open_case(demo) as case:
        return render(case, fmt="pdf")


@pytest.fixture
def crafted(case: Case, tmp_path: Path) -> Case:
    folder = tmp_path / "input"
    (folder / "files").mkdir(parents=True)
    Image.new("RGB", (320, 240), (120, 90, 60)).save(folder / "files" / "crater.jpg")
    Image.new("RGB", (320, 240), (30, 60, 90)).save(folder / "files" / "amira-statement.jpg")
    (folder / "case.yaml").write_text(CASE_YAML, encoding="utf-8")
    import_case_file(case, folder / "case.yaml")
    return case


def test_demo_html_has_the_finding_places_maps_and_timeline(demo: Path) -> None:
    from evidencelab.locker.case import open_case

    with open_case(demo) as case:
        html = render(case).decode("utf-8")
    text = html_text(html)
    assert FINDING in text
    for place in PLACES:
        assert place in text
    assert html.count('class="map"') == 4  # overview and one per incident
    assert html.count('class="timeline"') == 1
    assert "Chuhuiv Air Base: 3.1 km from the recorded point" in text
    assert "Zone at the place: Europe/Kyiv" in text
    assert not re.search(r"""(src|href)=["']https?:""", html)


def test_demo_pdf_text_has_the_finding_and_each_place(demo_pdf: bytes, tmp_path: Path) -> None:
    assert demo_pdf.startswith(b"%PDF-")
    text = pdf_text(demo_pdf, tmp_path)
    assert FINDING in text
    for place in PLACES:
        assert place in text
    assert "9M79 Tochka" in text
    assert "Annex: evidence items" in text


def test_demo_pdf_pages_render_to_png(demo_pdf: bytes, tmp_path: Path) -> None:
    """Pages as PNG in an artefact folder (copied to $EVIDENCELAB_ARTEFACTS when set), for
    a person to look at; each page has ink on it."""
    folder = tmp_path / "artefacts"
    folder.mkdir()
    (folder / "demo-report.pdf").write_bytes(demo_pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", str(folder / "demo-report.pdf"), str(folder / "page")],
        check=True,
    )
    pages = sorted(folder.glob("page-*.png"))
    info = subprocess.run(
        ["pdfinfo", str(folder / "demo-report.pdf")], capture_output=True, text=True, check=True
    ).stdout
    assert len(pages) == int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]
    assert len(pages) >= 8
    for page in pages:
        with Image.open(page) as image:
            assert image.size[0] < image.size[1]  # A4 portrait
            assert ImageStat.Stat(image.convert("L")).extrema[0][0] < 100  # something dark drawn
    target = os.environ.get("EVIDENCELAB_ARTEFACTS")
    if target:
        destination = Path(target) / "report"
        destination.mkdir(parents=True, exist_ok=True)
        for file in folder.iterdir():
            shutil.copy2(file, destination / file.name)


def test_internal_report_shows_what_the_public_one_removes(crafted: Case, tmp_path: Path) -> None:
    html = render(crafted).decode("utf-8")
    text = squeeze(html_text(html))
    for secret in SENSITIVE:
        assert squeeze(secret) in text, secret  # the search below can find each string


def test_public_report_leaks_no_sensitive_string(crafted: Case, tmp_path: Path) -> None:
    html = render(crafted, public=True).decode("utf-8")
    pdf = render(crafted, fmt="pdf", public=True)
    html_flat = squeeze(html_text(html))
    pdf_flat = squeeze(pdf_text(pdf, tmp_path))
    for secret in SENSITIVE:
        assert squeeze(secret) not in html_flat, secret
        assert squeeze(secret) not in pdf_flat, secret
        assert squeeze(secret) not in squeeze(html), secret  # nor in the markup or SVG
    assert not any(word in pdf_flat for word in arabic_words(ARABIC))
    # Still a useful report: public figures equal the internal ones; protected ids replaced.
    assert "protected-source-1" in html_flat
    assert squeeze("at least 3 killed") in html_flat
    assert "PUBLICVERSION" in pdf_flat
    assert html_text(html).count("crater-photo") >= 1
    parser = _Text()
    parser.feed(html)
    assert len(parser.images) == 1  # the sensitive item's thumbnail is gone


def test_cyrillic_and_arabic_glyphs_render_in_the_pdf(crafted: Case, tmp_path: Path) -> None:
    pdf = render(crafted, fmt="pdf")
    path = tmp_path / "crafted.pdf"
    path.write_bytes(pdf)
    text = pdf_text(pdf, tmp_path)
    assert UKRAINIAN in text
    flat = squeeze(text)
    assert all(word in flat for word in arabic_words(ARABIC))
    listed = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    fonts = listed.stdout.replace("-", "")  # "Noto-Naskh-Arabic" as pdffonts spells it
    assert "NotoNaskhArabic" in fonts  # Arabic
    assert "NotoSerif" in fonts  # body text, Latin and Cyrillic
    assert "DejaVuSans" in fonts  # headings and tables


def test_contract_sections_render_from_crafted_dicts(crafted: Case) -> None:
    """Sections filled by the verification and assessment services, in the shapes of the
    contracts, render (with the context objects on the incident map)."""
    context = report_context(crafted)
    incident = context["incidents"][0]
    incident["context_objects"] = [
        {
            "id": "o1",
            "ref": "way/123",
            "name": "City hospital",
            "kinds": ["hospital"],
            "category": "protected",
            "distance_m": 412.5,
            "origin": "osm",
            "basis": None,
            "lat": 47.782,
            "lon": 37.252,
        },
    ]
    incident["geolocations"] = [
        {
            "lat": 47.7795,
            "lon": 37.2490,
            "precision_m": 30,
            "method": "satellite_landmark",
            "reference": "Maxar scene 1040010074A5B300 of 2022-02-26",
            "reasoning": "Crater matches the market roof outline",
            "author": "analyst",
            "created_at": "2022-03-05T10:00:00Z",
            "review": {"state": "reviewed", "by": "lead", "at": None, "comment": None},
        },
    ]
    incident["checks"] = [
        {
            "check": "CAPTURE_OUTSIDE_INCIDENT_TIME",
            "severity": "warning",
            "evidence": "crater-photo",
            "incident": "strike-1",
            "message": "crater-photo was captured 3 h after the incident interval",
        },
    ]
    incident["corroboration"] = {
        "facts": [
            {
                "fact": "place",
                "supporting": 2,
                "contradicting": 0,
                "independent_groups": [["crater-photo"], ["statement-amira"]],
            }
        ]
    }
    incident["assessment"] = {
        "incident": "strike-1",
        "title": incident["title"],
        "branch": "populated_area",
        "indicators": [
            {
                "code": "INDISCRIMINATE_WEAPON_IN_POPULATED_AREA",
                "title": "Inaccurate weapon in a populated area",
                "fires": True,
                "statement": "The use of an unguided rocket in a populated area may constitute "
                "an indiscriminate attack.",
                "rules": [
                    {
                        "code": "API 51(4)(b)",
                        "title": "Indiscriminate attacks",
                        "text": "...",
                        "source": "AP I",
                    }
                ],
                "facts": [
                    {"fact": "weapon", "value": "Grad rocket", "provenance": "incident record"}
                ],
                "numbers": {},
                "confidence": "medium",
                "would_change": ["evidence of a guided weapon"],
                "review": {"state": "unreviewed", "by": None, "at": None, "comment": None},
            }
        ],
        "missing": ["exact impact point"],
    }
    context["evidence"][0]["status"] = {
        "state": "verified",
        "reason": "matched landmarks",
        "by": "analyst",
        "at": "2022-03-05T10:00:00Z",
    }
    context["claims"] = [
        {
            "id": "c1",
            "claimant": "Ministry of Defence",
            "made_at": "2022-03-02",
            "text": "Only military targets were struck",
            "predicate": "only_military_targets",
            "result": "contradicted",
            "deciding_incidents": ["strike-1"],
            "explanation": "strike-1 hit a marketplace 1.6 km from the nearest recorded objective",
        },
    ]
    html = render_report(context)
    text = html_text(html)
    for expected in (
        "City hospital",
        "412 m",
        "Maxar scene 1040010074A5B300",
        "reviewed",
        "crater-photo was captured 3 h after",
        "API 51(4)(b)",
        "may constitute an indiscriminate attack",
        "Indicator present",
        "exact impact point",
        "verified",
        "matched landmarks",
        "Ministry of Defence",
        "contradicted",
    ):
        assert expected in text, expected
    assert 'class="marker protected"' in html and 'class="marker geolocation"' in html
    # The public version of these sections drops the check on sensitive evidence.
    context["incidents"][0]["checks"].append(
        {
            "check": "X",
            "severity": "info",
            "evidence": "statement-amira",
            "incident": "strike-1",
            "message": "statement-amira note",
        }
    )
    public = public_report(context)
    assert [c["evidence"] for c in public["incidents"][0]["checks"]] == ["crater-photo"]
    assert html_to_pdf(render_report(public)).startswith(b"%PDF-")


def test_redaction_replaces_protected_ids_inside_sentences() -> None:
    context: dict[str, Any] = {
        "sources": [
            {"id": "w-1", "kind": "witness", "description": "Jane Roe", "sensitive": False},
            {"id": "ngo", "kind": "researcher", "description": "NGO", "sensitive": False},
        ],
        "evidence": [],
        "incidents": [
            {
                "evidence": [],
                "reports": [{"source": "w-1", "quote": "I saw it"}],
                "figures": {"killed": {"notes": ["exactly 3 (w-1) vs exactly 4 (ngo)"]}},
            }
        ],
    }
    public = public_report(copy.deepcopy(context))
    assert public["sources"][0] == {
        "id": "protected-source-1",
        "kind": "witness",
        "reliability": None,
        "description": "protected source",
        "sensitive": True,
        "notes": None,
        "url": None,
    }
    assert public["incidents"][0]["figures"]["killed"]["notes"] == [
        "exactly 3 (protected-source-1) vs exactly 4 (ngo)"
    ]
    assert public["incidents"][0]["reports"][0] == {
        "source": "protected-source-1",
        "quote": None,
        "notes": None,
    }
    assert "Jane Roe" not in json.dumps(public)


def test_cli_writes_pdf_and_json_and_refuses_bad_input(demo: Path, tmp_path: Path) -> None:
    out = tmp_path / "public.pdf"
    done = run_cli(
        "report", "--case", str(demo), "--format", "pdf", "--public", "--out", str(out), "--json"
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["format"] == "pdf" and result["public"] is True
    assert out.read_bytes().startswith(b"%PDF-") and result["bytes"] == out.stat().st_size
    log = json.loads(run_cli("log", "--case", str(demo), "--json").stdout)
    assert log[-1]["action"] == "report"
    bad = run_cli("report", "--case", str(demo), "--format", "docx", "--out", str(tmp_path / "x"))
    assert bad.returncode != 0
    assert bad.stderr.strip().splitlines() == [
        "error: --format docx: unknown report format (available: html, pdf)"
    ]
    missing = run_cli("report", "--case", str(demo), "--out", str(tmp_path / "no" / "r.html"))
    assert missing.returncode != 0 and "does not exist" in missing.stderr
    after = json.loads(run_cli("log", "--case", str(demo), "--json").stdout)
    assert len(after) == len(log)  # nothing logged for a refused report
    assert not (tmp_path / "x").exists()


def test_a_report_needs_no_evidence_or_incidents(tmp_path: Path) -> None:
    with init_case(tmp_path / "empty") as case:
        html = render(case).decode("utf-8")
        assert "0 incidents" in html_text(html)
        with pytest.raises(CaseError, match=r"^format txt: unknown report format"):
            render(case, fmt="txt")
