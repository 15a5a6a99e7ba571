"""Discussion: comments with mentions (not in the custody log), author-only edit and
delete, and the per-user activity feed since the last visit; the command line over it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from cli_helpers import run_cli
from evidencelab.locker.case import Case, open_case
from evidencelab.locker.errors import InputError
from evidencelab.service.discussion.activity import activity, activity_count, mark_seen
from evidencelab.service.discussion.comments import (
    MAX_LENGTH,
    add_comment,
    delete_comment,
    edit_comment,
    list_comments,
)
from evidencelab.service.evidence.sources import edit_source
from evidencelab.store.tables import CustodyEvent

INCIDENT = "vuhledar-2022-02-24"


def _events(case_root: Path) -> int:
    with open_case(case_root) as case, case.sessions() as session:
        return session.scalar(select(func.count()).select_from(CustodyEvent)) or 0


def test_a_comment_with_a_mention_is_listed_and_not_logged(demo: Path) -> None:
    before = _events(demo)
    with open_case(demo) as case:
        added = add_comment(
            case, "alice", "incident", INCIDENT, " @rita please check ", sensitive=True
        )
        thread = list_comments(case, "incident", INCIDENT, sensitive=False)
    assert added["mentions"] == ["rita"] and added["body"] == "@rita please check"
    assert [c["id"] for c in thread] == [added["id"]]
    assert _events(demo) == before  # discussion is not evidence


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("ask @nobody", "body @nobody: no such user to mention"),
        ("   ", "body: write something"),
        ("x" * (MAX_LENGTH + 1), f"body: {MAX_LENGTH + 1} characters; at most {MAX_LENGTH}"),
    ],
)
def test_bad_comments_are_refused_and_nothing_is_written(
    demo: Path, body: str, message: str
) -> None:
    with open_case(demo) as case:
        with pytest.raises(InputError) as error:
            add_comment(case, "alice", "incident", INCIDENT, body, sensitive=True)
        assert str(error.value) == message
        assert list_comments(case, "incident", INCIDENT, sensitive=True) == []


def test_only_the_author_edits_or_deletes_and_a_deleted_comment_keeps_its_place(
    demo: Path,
) -> None:
    with open_case(demo) as case:
        first = add_comment(case, "alice", "incident", INCIDENT, "first", sensitive=True)
        with pytest.raises(InputError, match="only its author may change it"):
            edit_comment(case, first["id"], "rita", "hijack")
        with pytest.raises(InputError, match="only its author may change it"):
            delete_comment(case, first["id"], "rita")
        assert edit_comment(case, first["id"], "alice", "first, @ivan")["mentions"] == ["ivan"]
        delete_comment(case, first["id"], "alice")
        thread = list_comments(case, "incident", INCIDENT, sensitive=True)
    assert thread[0]["deleted"] and thread[0]["body"] is None


def test_the_feed_holds_others_changes_and_mentions_since_the_last_visit(demo: Path) -> None:
    with open_case(demo, actor="ivan") as case:
        mark_seen(case, "rita", sensitive=False)
        assert activity(case, "rita", sensitive=False)["count"] == 0
        edit_source(case, "amnesty-press-release-2022-02", {"reliability": "low"})
        add_comment(case, "ivan", "incident", INCIDENT, "@rita the grade changed", sensitive=True)
        add_comment(case, "ivan", "incident", INCIDENT, "no mention", sensitive=True)
        feed = activity(case, "rita", sensitive=False)
        own = activity(case, "ivan", sensitive=False)
        mark_seen(case, "rita", sensitive=False)
        after = activity(case, "rita", sensitive=False)
    assert [e["action"] for e in feed["events"]] == ["source_edit"]
    assert feed["events"][0]["actor"] == "ivan" and feed["events"][0]["words"]
    assert [c["body"] for c in feed["mentions"]] == ["@rita the grade changed"]
    assert own["mentions"] == [] and all(e["actor"] != "ivan" for e in own["events"])
    assert after["count"] == 0


def test_the_count_beside_activity_is_the_feeds_count(demo: Path) -> None:
    def both(case: Case) -> tuple[int, int]:
        feed = activity(case, "rita", sensitive=False)["count"]
        return feed, activity_count(case, "rita", sensitive=False)

    with open_case(demo, actor="ivan") as case:
        never_seen = both(case)
        mark_seen(case, "rita", sensitive=False)
        seen = both(case)
        edit_source(case, "amnesty-press-release-2022-02", {"reliability": "low"})
        add_comment(case, "ivan", "incident", INCIDENT, "@rita look", sensitive=True)
        changed = both(case)
    feeds, counts = zip(never_seen, seen, changed, strict=True)
    assert counts == feeds
    assert feeds[0] > 0 and feeds[1:] == (0, 2)


def test_the_command_line_adds_lists_and_reads_the_feed(demo: Path) -> None:
    added = run_cli("comment", "add", "incident", INCIDENT, "--body", "hi @vic",
                    "--user", "alice", "--case", str(demo), "--json")  # fmt: skip
    assert added.returncode == 0, added.stderr
    listed = run_cli("comment", "list", "incident", INCIDENT, "--case", str(demo), "--json")
    assert [c["body"] for c in json.loads(listed.stdout)] == ["hi @vic"]
    feed = run_cli("activity", "--user", "vic", "--case", str(demo), "--json")
    assert json.loads(feed.stdout)["mentions"][0]["author"] == "alice"
    bad = run_cli("comment", "add", "incident", "nowhere", "--body", "x", "--user", "alice",
                  "--case", str(demo))  # fmt: skip
    assert bad.returncode == 1
    assert bad.stderr.strip().endswith("nowhere: no such incident")
