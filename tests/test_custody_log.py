"""`evidencelab log --subject`: a subject's history includes the `records` events of the
transactions that wrote its rows, also those that changed several subjects at once."""

from __future__ import annotations

import json
from pathlib import Path

from cli_helpers import run_cli
from evidencelab.locker.case import open_case
from evidencelab.service.integrity.custody import custody_log

INCIDENT = "uman-2022-02-24"


def test_a_subject_history_holds_the_records_of_the_import_that_wrote_it(demo: Path) -> None:
    with open_case(demo) as case:
        history = custody_log(case, subject=INCIDENT)
        everything = custody_log(case)
    import_records = [e for e in history if e["action"] == "records" and e["subject"] is None]
    assert import_records, "the import wrote the incident in a transaction of many subjects"
    changed = [c for e in import_records for c in e["payload"]["changes"] if c["key"] == INCIDENT]
    assert {c["table"] for c in changed} >= {"incident"}
    unrelated = [e for e in history if e["subject"] not in (None, INCIDENT)]
    assert unrelated == []
    assert len(history) < len(everything)
    assert [e["seq"] for e in history] == sorted(e["seq"] for e in history)

    shown = run_cli("log", "--subject", INCIDENT, "--json", "--case", str(demo))
    assert shown.returncode == 0, shown.stderr
    assert [e["seq"] for e in json.loads(shown.stdout)] == [e["seq"] for e in history]
