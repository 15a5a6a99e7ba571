"""Case file fields for verification and assessment: geolocations, evidence status,
populated-area markings, hand-added context objects and claims."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from evidencelab.model import (
    CaseFileError,
    case_file_from_dict,
    case_file_to_dict,
    dump_case_file,
    load_case_text,
)

DOCUMENT = """
format: evidencelab/case@1
title: Fields added for verification and assessment
sources:
  - {id: release, kind: media}
evidence:
  - id: photo-1
    kind: photo
    source: release
    status: {state: verified, reason: landmarks match, by: reviewer, at: 2022-03-01T10:00:00Z}
    geolocations:
      - lat: 47.7801
        lon: 37.2502
        precision_m: 30
        method: satellite_landmark
        reference: Sentinel-2 scene of 2022-02-26
        reasoning: water tower and school roof line up
        author: analyst
        created_at: 2022-02-28T09:00:00Z
        review: {state: reviewed, by: reviewer, at: 2022-03-01T10:00:00Z, comment: agreed}
incidents:
  - id: strike-1
    title: Strike
    populated_area: {value: true, basis: a residential block was hit}
    geolocations:
      - {lat: 47.78, lon: 37.25, precision_m: 250, method: witness, author: analyst,
         reasoning: the witness names the street}
objects:
  - id: air-base
    kinds: [military_airfield]
    name: Air base
    lat: 49.84
    lon: 36.64722
    basis: named as the likely target in the release
    source: release
  - id: block
    kinds: [residential_building]
    geometry: {type: Point, coordinates: [36.69, 49.83722]}
    basis: the block that was hit
claims:
  - id: precision
    claimant: A ministry
    made_at: 2022-02-24
    text: Only precision weapons are used.
    predicate: only_precision_guided_weapons
    source: release
"""


def test_new_fields_survive_load_and_export_unchanged() -> None:
    case = load_case_text(DOCUMENT, "yaml", origin="case.yaml")
    assert case.evidence[0].status is not None
    assert case.evidence[0].status.state == "verified"
    assert case.evidence[0].geolocations[0].method == "satellite_landmark"
    assert case.incidents[0].populated_area is not None
    assert case.incidents[0].populated_area.value is True
    assert [o.id for o in case.objects] == ["air-base", "block"]
    assert case.claims[0].made_at == "2022-02-24"
    again = load_case_text(dump_case_file(case), "yaml", origin="again.yaml")
    assert again == case
    exported = case_file_to_dict(case)
    assert exported["objects"][1]["geometry"] == {"type": "Point", "coordinates": [36.69, 49.83722]}


def test_files_without_the_new_fields_export_without_empty_lists() -> None:
    data: dict[str, Any] = {
        "format": "evidencelab/case@1",
        "title": "Plain",
        "evidence": [{"id": "e", "kind": "photo"}],
        "incidents": [{"id": "i", "title": "t"}],
    }
    exported = case_file_to_dict(case_file_from_dict(data, origin="plain.yaml"))
    assert "objects" not in exported and "claims" not in exported
    assert "geolocations" not in exported["evidence"][0]
    assert "geolocations" not in exported["incidents"][0]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: d["evidence"][0]["geolocations"][0].update(method="guess"),
            "case.yaml: evidence[0].geolocations[0].method:",
        ),
        (
            lambda d: d["evidence"][0]["status"].pop("reason"),
            "case.yaml: evidence[0].status.reason: required for status 'verified'",
        ),
        (
            lambda d: d["claims"][0].update(source="nobody"),
            "case.yaml: claims[0].source: unknown source 'nobody'",
        ),
        (
            lambda d: d["objects"][1].pop("geometry"),
            "case.yaml: objects[1]: needs either lat and lon or a geometry",
        ),
        (
            lambda d: d["objects"].append(dict(d["objects"][0])),
            "case.yaml: objects[2].id: duplicate id 'air-base'",
        ),
        (
            lambda d: d["incidents"][0]["geolocations"][0].update(precision_m=0),
            "case.yaml: incidents[0].geolocations[0].precision_m:",
        ),
    ],
)
def test_bad_new_fields_are_named(change: Any, expected: str) -> None:
    data = yaml.safe_load(DOCUMENT)
    change(data)
    with pytest.raises(CaseFileError) as caught:
        case_file_from_dict(data, origin="case.yaml")
    assert any(line.startswith(expected) for line in str(caught.value).splitlines()), str(
        caught.value
    )
