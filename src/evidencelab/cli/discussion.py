"""`evidencelab search`, `reindex`, `comment add|list|edit|delete` and `activity`: the
faces of the search and discussion services."""

from typing import Annotated

import typer
from rich.table import Table

from evidencelab.cli.common import CaseOpt, JsonOpt, app, open_case, out, print_json, user_errors

comment_app = typer.Typer(
    help="Comment threads on incidents and evidence items (not evidence: not in the custody log).",
    no_args_is_help=True,
)
app.add_typer(comment_app, name="comment")

UserOpt = Annotated[str, typer.Option("--user", help="The web user who writes or reads.")]
SensitiveOpt = Annotated[
    bool,
    typer.Option(
        "--sensitive/--not-sensitive",
        help="Whether the reader may see sensitive items and sources (the command line may).",
    ),
]


@app.command("search")
@user_errors
def search_command(
    text: Annotated[str, typer.Argument(help="Words: all must match; the last also as a prefix.")],
    kind: Annotated[
        list[str] | None,
        typer.Option(help="incident, weapon, evidence, source or metadata (repeatable)."),
    ] = None,
    date_from: Annotated[str | None, typer.Option(help="First day (YYYY-MM-DD).")] = None,
    date_to: Annotated[str | None, typer.Option(help="Last day (YYYY-MM-DD).")] = None,
    sensitive: SensitiveOpt = True,
    case_dir: CaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Search incidents, weapons, evidence, sources and metadata (Cyrillic and Latin
    spellings of a name meet: Vuhledar finds Вугледар)."""
    from evidencelab.service.search import search

    with open_case(case_dir) as case:
        results = search(
            case, text, sensitive=sensitive, kinds=kind, date_from=date_from, date_to=date_to
        )
    if as_json:
        print_json(results)
        return
    table = Table("kind", "id", "title", "field", "snippet")
    for group in results["groups"]:
        for hit in group["hits"]:
            snippet = "".join(
                f"[bold]{p['text']}[/bold]" if p["hit"] else p["text"].replace("[", r"\[")
                for p in hit["snippet"]
            )
            table.add_row(hit["kind"], hit["ref"], hit["title"], hit["field"] or "", snippet)
    out.print(table)
    out.print(f"{results['total']} found", highlight=False)


@app.command("reindex")
@user_errors
def reindex_command(case_dir: CaseOpt = None, as_json: JsonOpt = False) -> None:
    """Build the search index again from the records (derived data: no custody event)."""
    from evidencelab.service.search import rebuild_index

    with open_case(case_dir) as case:
        rebuilt = rebuild_index(case)
    if as_json:
        print_json(rebuilt)
    else:
        out.print(f"search index rebuilt: {rebuilt['entries']} entries", highlight=False)


@comment_app.command("add")
@user_errors
def comment_add(
    subject_kind: Annotated[str, typer.Argument(help="incident or evidence.")],
    subject_id: Annotated[str, typer.Argument(help="The incident's or item's id.")],
    body: Annotated[str, typer.Option(help="Plain text; @name mentions a user.")],
    user: UserOpt,
    case_dir: CaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Add a comment to the thread of an incident or evidence item."""
    from evidencelab.service.discussion.comments import add_comment

    with open_case(case_dir) as case:
        added = add_comment(case, user, subject_kind, subject_id, body, sensitive=True)
    if as_json:
        print_json(added)
    else:
        out.print(f"comment {added['id']} added to {subject_kind} {subject_id}", highlight=False)


@comment_app.command("list")
@user_errors
def comment_list(
    subject_kind: Annotated[str, typer.Argument(help="incident or evidence.")],
    subject_id: Annotated[str, typer.Argument(help="The incident's or item's id.")],
    case_dir: CaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The thread of an incident or evidence item, oldest first."""
    from evidencelab.service.discussion.comments import list_comments

    with open_case(case_dir) as case:
        thread = list_comments(case, subject_kind, subject_id, sensitive=True)
    if as_json:
        print_json(thread)
        return
    table = Table("id", "author", "written (UTC)", "comment")
    for c in thread:
        shown = "comment deleted" if c["deleted"] else c["body"] or ""
        table.add_row(str(c["id"]), c["author"], c["created_at"], shown)
    out.print(table)


@comment_app.command("edit")
@user_errors
def comment_edit(
    comment_id: Annotated[int, typer.Argument(help="The comment's number.")],
    body: Annotated[str, typer.Option(help="The new text.")],
    user: UserOpt,
    case_dir: CaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Replace the text of your own comment."""
    from evidencelab.service.discussion.comments import edit_comment

    with open_case(case_dir) as case:
        edited = edit_comment(case, comment_id, user, body)
    if as_json:
        print_json(edited)
    else:
        out.print(f"comment {comment_id} edited", highlight=False)


@comment_app.command("delete")
@user_errors
def comment_delete(
    comment_id: Annotated[int, typer.Argument(help="The comment's number.")],
    user: UserOpt,
    case_dir: CaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Delete your own comment ("comment deleted" stays in its place)."""
    from evidencelab.service.discussion.comments import delete_comment

    with open_case(case_dir) as case:
        deleted = delete_comment(case, comment_id, user)
    if as_json:
        print_json(deleted)
    else:
        out.print(f"comment {comment_id} deleted", highlight=False)


@app.command("activity")
@user_errors
def activity_command(
    user: UserOpt,
    seen: Annotated[bool, typer.Option(help="Then mark everything seen.")] = False,
    sensitive: SensitiveOpt = True,
    case_dir: CaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """What changed since the user last marked the feed seen: custody events by others and
    comments that mention the user."""
    from evidencelab.service.discussion.activity import activity, mark_seen

    with open_case(case_dir) as case:
        feed = activity(case, user, sensitive=sensitive)
        if seen:
            mark_seen(case, user, sensitive=sensitive)
    if as_json:
        print_json(feed)
        return
    for c in feed["mentions"]:
        out.print(f"{c['author']} mentioned you on {c['subject_kind']} {c['subject_id']}: "
                  f"{c['body']}", highlight=False, markup=False)  # fmt: skip
    table = Table("seq", "recorded (UTC)", "actor", "action", "subject")
    for e in feed["events"]:
        table.add_row(str(e["seq"]), e["recorded_at"], e["actor"], e["action"], e["subject"] or "")
    out.print(table)
    out.print(f"{feed['count']} new", highlight=False)
