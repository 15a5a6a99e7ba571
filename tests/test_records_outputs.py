"""The records the outputs, exchange and demo services return (the report's context, an
import's result, a bundle's manifest and custody log, a weapon name resolved) are exactly
what their types declare: a real result, validated strictly against its type and written
back through it, comes out as the same JSON, key for key and in the same order."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any, get_type_hints

import pytest
from pydantic import TypeAdapter

from case_copies import DemoTemplate, copy_case
from evidencelab.analysis.munition_names import ResolutionRecord
from evidencelab.locker.case import Case, init_case, open_case
from evidencelab.service.assessment.munitions import resolve_record
from evidencelab.service.demo import DemoBuilt, build_demo
from evidencelab.service.exchange.case_archive import import_case_archive
from evidencelab.service.exchange.records import ArchiveImport
from evidencelab.service.outputs.bundle import HEAD, LOG, MANIFEST, write_bundle
from evidencelab.service.outputs.records import (
    BundleManifest,
    HeadFile,
    LoggedEvent,
    ReportContext,
)
from evidencelab.service.outputs.report import report_context
from evidencelab.service.reading import CaseDocument, _case_document
from test_records_context_imagery import assert_record
from test_report_imagery import pair_case  # noqa: F401 (a fixture)


@pytest.fixture
def built(demo_template: DemoTemplate, tmp_path: Path) -> tuple[Path, DemoBuilt]:
    """A copy of the demo case, built again (a no-op import and a fresh report)."""
    root = copy_case(demo_template.root, tmp_path / "demo-case")
    return root, build_demo(root)


def assert_around_summary(record_type: Any, value: Mapping[str, Any]) -> None:
    """`value` is of its type, and its keys and every part but the case summary are as
    `assert_record` wants them. (The summary is the incidents' CaseSummary, checked here
    for its types only.)"""
    TypeAdapter(record_type).validate_python(value, strict=True)
    assert list(value) == list(record_type.__annotations__)
    for key, declared in get_type_hints(record_type).items():
        if key != "summary":
            assert_record(declared, value[key])


def test_demo_and_report_records(built: tuple[Path, DemoBuilt]) -> None:
    root, result = built
    assert_around_summary(DemoBuilt, result)
    assert result["imported"]["evidence"]["new"] == 0  # built again: nothing new
    with open_case(root) as case:
        context = report_context(case)
        assert_around_summary(ReportContext, context)
        assert context["incidents"] and context["evidence"]  # the records were checked
        # The case-file document keeps the case's own extra fields beside the declared
        # ones, so only the declared ones are checked here.
        TypeAdapter(CaseDocument).validate_python(_case_document(case), strict=True)


def test_report_chips(pair_case: tuple[Case, str, str]) -> None:  # noqa: F811
    case, _before, _after = pair_case
    context = report_context(case)
    assert_around_summary(ReportContext, context)
    chips = context["incidents"][0]["imagery"]
    assert chips and all("image" in c and "path" not in c for c in chips)
    assert any(a["text"] for c in chips for a in c["annotations"])


def test_archive_import_record(built: tuple[Path, DemoBuilt], tmp_path: Path) -> None:
    root, _result = built
    archive = tmp_path / "demo.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        for path in sorted((root / "inputs").rglob("*")):
            bundle.write(path, path.relative_to(root / "inputs").as_posix())
    with init_case(tmp_path / "fresh") as case:
        imported = import_case_archive(case, archive)
    assert_record(ArchiveImport, imported)
    assert imported["imported"]["evidence"]["new"] > 0


def test_bundle_manifest_and_log(built: tuple[Path, DemoBuilt], tmp_path: Path) -> None:
    root, _result = built
    with open_case(root) as case:
        internal = write_bundle(case, tmp_path / "internal.zip")
        public = write_bundle(case, tmp_path / "public.zip", public=True)
    assert public.redacted_events > 0  # so that a withheld line is checked too
    for bundle in (internal.path, public.path):
        with zipfile.ZipFile(bundle) as archive:
            assert_record(BundleManifest, json.loads(archive.read(MANIFEST)))
            assert_canonical(HeadFile, json.loads(archive.read(HEAD)))
            for line in archive.read(LOG).decode("utf-8").splitlines():
                assert_canonical(LoggedEvent, json.loads(line))


def assert_canonical(record_type: Any, value: Any) -> None:
    """As `assert_record`, for a record written as canonical JSON (keys sorted)."""
    adapter: TypeAdapter[Any] = TypeAdapter(record_type)
    shown = adapter.dump_python(adapter.validate_python(value, strict=True), mode="json")
    assert json.dumps(shown, sort_keys=True) == json.dumps(value, sort_keys=True)


@pytest.mark.parametrize("text", ["9K79-1 Tochka-U with 9N123K warhead", "Tochka or Smerch"])
def test_resolution_record(text: str) -> None:
    assert_record(ResolutionRecord, resolve_record(text))
