"""The one intake pipeline: the same steps whoever brings a file, and no state shared
between intakes running side by side in one process (the web app's threads)."""

from __future__ import annotations

import json
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from evidencelab.locker.case import Case
from evidencelab.locker.ingest import IngestRequest
from evidencelab.service.exchange.casefile import import_case_file
from evidencelab.service.intake import take_in
from evidencelab.service.integrity.verify import verify_whole_case
from evidencelab.store.tables import EvidenceItem
from evidencelab.store.tables.imagery import Scene

CORPUS = Path(__file__).parent / "corpus"
RASTER = CORPUS / "rasterio" / "RGB.byte.tif"
EDITED = next((CORPUS / "pdq-threatexchange").rglob("wee.jpg"))  # Software: Adobe Photoshop


def test_intakes_in_threads_of_one_process_each_store_their_file(
    case: Case, loose_files: list[Path]
) -> None:
    """Without a lock around ingest: each intake keeps its extractors to itself."""
    files = [*loose_files, EDITED]
    with ThreadPoolExecutor(max_workers=len(files)) as threads:
        intakes = list(
            threads.map(lambda path: take_in(case, [IngestRequest(path)], workers=1), files)
        )
    outcomes = [i.outcomes[0] for i in intakes]
    assert [o.status for o in outcomes] == ["new"] * len(files), [o.message for o in outcomes]
    with case.sessions() as session:
        stored = {item.original_name: item for item in session.query(EvidenceItem)}
    assert set(stored) == {path.name for path in files}
    assert stored[EDITED.name].metadata_raw, "the photo's metadata was extracted"
    assert {c["check"] for c in intakes[-1].checks} >= {"EDITING_SOFTWARE"}
    report = verify_whole_case(case)
    assert report.intact, report.problems


def test_a_case_file_import_records_scenes_and_runs_the_checks(case: Case, tmp_path: Path) -> None:
    folder = tmp_path / "incoming"
    (folder / "files").mkdir(parents=True)
    shutil.copy(RASTER, folder / "files" / RASTER.name)
    shutil.copy(EDITED, folder / "files" / EDITED.name)
    case_file = folder / "case.json"
    case_file.write_text(
        json.dumps(
            {
                "format": "evidencelab/case@1",
                "title": "intake",
                "sources": [{"id": "s1", "kind": "researcher"}],
                "evidence": [
                    {
                        "id": "raster",
                        "kind": "satellite",
                        "path": f"files/{RASTER.name}",
                        "source": "s1",
                    },
                    {
                        "id": "photo",
                        "kind": "photo",
                        "path": f"files/{EDITED.name}",
                        "source": "s1",
                    },
                ],
            }
        )
    )
    result = import_case_file(case, case_file)
    with case.sessions() as session:
        scenes = [scene.evidence_id for scene in session.query(Scene)]
    assert scenes == ["raster"]  # step 4, as for a file ingested from the command line
    assert result["checks"]["warning"] >= 1  # step 5: the photo's editing software
    again = import_case_file(case, case_file)
    assert again["checks"] == {"problem": 0, "warning": 0, "info": 0}  # nothing new stored
