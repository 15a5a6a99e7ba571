"""The user and token commands: add (password from stdin), list, disable, token create."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from cli_helpers import ACTOR, run_cli
from evidencelab.locker.case import Case
from evidencelab.service.access import users
from evidencelab.service.integrity.custody import custody_log


def _user_add(
    case_root: Path, name: str, role: str, password: str
) -> subprocess.CompletedProcess[str]:
    return run_cli(
        *("user", "add", name, "--role", role, "--password-stdin", "--json"),
        *("--case", str(case_root)),
        stdin=password + "\n",
    )


def test_first_admin_list_token_and_disable(case: Case) -> None:
    root = str(case.root)
    added = _user_add(case.root, "alice", "admin", "correct horse battery")
    assert added.returncode == 0, added.stderr
    assert json.loads(added.stdout) | {"created_at": None} == {
        "name": "alice",
        "role": "admin",
        "created_at": None,
        "disabled": False,
    }
    assert users.authenticate(case, "alice", "correct horse battery", client="t") is not None
    listed = run_cli("user", "list", "--json", "--case", root)
    assert [u["name"] for u in json.loads(listed.stdout)] == ["alice"]
    token = json.loads(run_cli("token", "create", "alice", "--json", "--case", root).stdout)
    principal = users.token_principal(case, token["token"])
    assert principal is not None and principal.role == "admin"
    refused = run_cli("user", "disable", "alice", "--json", "--case", root)
    assert refused.returncode == 1
    assert "last active admin" in refused.stderr
    assert users.token_principal(case, token["token"]) is not None
    assert _user_add(case.root, "bea", "admin", "another long password").returncode == 0
    disabled = run_cli("user", "disable", "alice", "--json", "--case", root)
    assert json.loads(disabled.stdout)["disabled"] is True
    assert users.token_principal(case, token["token"]) is None
    actions = [(e["action"], e["actor"], e["subject"]) for e in custody_log(case)]
    assert ("user_add", ACTOR, "alice") in actions
    assert ("user_disable", ACTOR, "alice") in actions
    log_text = json.dumps(custody_log(case))
    assert "correct horse battery" not in log_text and token["token"] not in log_text


def test_bad_input_is_one_line_and_changes_nothing(case: Case) -> None:
    for name, role, password, message in (
        ("bob", "boss", "long enough password", "role 'boss'"),
        ("bob", "viewer", "short", "at least 10 characters"),
        ("../bob", "viewer", "long enough password", "user '../bob'"),
    ):
        result = _user_add(case.root, name, role, password)
        assert result.returncode == 1
        assert message in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    assert users.list_users(case) == []
    _user_add(case.root, "bob", "viewer", "long enough password")
    again = _user_add(case.root, "bob", "viewer", "long enough password")
    assert again.returncode == 1 and "already exists" in again.stderr


def test_role_change_is_logged_and_the_last_admin_keeps_the_role(case: Case) -> None:
    root = str(case.root)
    assert _user_add(case.root, "alice", "admin", "correct horse battery").returncode == 0
    assert _user_add(case.root, "bob", "viewer", "long enough password").returncode == 0
    promoted = run_cli("user", "role", "bob", "investigator", "--json", "--case", root)
    assert promoted.returncode == 0, promoted.stderr
    assert json.loads(promoted.stdout)["role"] == "investigator"
    refused = run_cli("user", "role", "alice", "viewer", "--case", root)
    assert refused.returncode == 1 and "last active admin" in refused.stderr
    unknown = run_cli("user", "role", "bob", "boss", "--case", root)
    assert unknown.returncode == 1 and len(unknown.stderr.strip().splitlines()) == 1
    roles = {u["name"]: u["role"] for u in users.list_users(case)}
    assert roles == {"alice": "admin", "bob": "investigator"}
    [event] = [e for e in custody_log(case) if e["action"] == "user_role"]
    assert event["subject"] == "bob"
    assert event["payload"] == {"role": "investigator", "previous": "viewer"}
