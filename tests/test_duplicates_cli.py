"""`evidencelab duplicates` and `evidencelab evidence similar` on a real case."""

from __future__ import annotations

import json
from pathlib import Path

from cli_helpers import run_cli

PDQ = Path(__file__).parent / "corpus" / "pdq-threatexchange"
ORIGINAL = next(PDQ.rglob("sample-b.jpg"))
EDIT = PDQ / "pdq" / "data" / "bridge-mods" / "blur-a-lot.jpg"
UNRELATED = PDQ / "pdq" / "data" / "reg-test-input" / "labelme-subset" / "q0122.jpg"


def test_groups_the_edit_with_its_original_and_not_the_unrelated_photo(tmp_path: Path) -> None:
    case = tmp_path / "case"
    assert run_cli("init", str(case)).returncode == 0
    for path, when in (
        (EDIT, "2022-02-25T09:00:00Z"),
        (ORIGINAL, "2022-02-24T09:00:00Z"),
        (UNRELATED, "2022-02-24T10:00:00Z"),
    ):
        ingested = run_cli("ingest", str(path), "--collected-at", when, "--case", str(case))
        assert ingested.returncode == 0
    ids = {
        e["original_name"]: e["id"]
        for e in json.loads(run_cli("evidence", "list", "--case", str(case), "--json").stdout)
    }
    [group] = json.loads(run_cli("duplicates", "--case", str(case), "--json").stdout)
    assert {m["evidence_id"] for m in group["members"]} == {
        ids["sample-b.jpg"],
        ids["blur-a-lot.jpg"],
    }
    assert group["reference"]["evidence_id"] == ids["sample-b.jpg"]  # collected a day earlier
    similar = json.loads(
        run_cli("evidence", "similar", ids["blur-a-lot.jpg"], "--case", str(case), "--json").stdout
    )
    assert [s["evidence_id"] for s in similar] == [ids["sample-b.jpg"]]
    assert similar[0]["distance_bits"] <= 31
