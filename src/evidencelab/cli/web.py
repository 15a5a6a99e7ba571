"""The web workbench: serve a case, manage users and API tokens."""

import getpass
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from evidencelab.cli.common import (
    ActorOpt,
    CaseOpt,
    JsonOpt,
    app,
    err,
    find_case_root,
    open_case,
    out,
    print_json,
    user_errors,
)
from evidencelab.locker.errors import CaseError

user_app = typer.Typer(help="Users of the web workbench.", no_args_is_help=True)
app.add_typer(user_app, name="user")
token_app = typer.Typer(help="API tokens for scripts.", no_args_is_help=True)
app.add_typer(token_app, name="token")


@app.command()
@user_errors
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    tiles: Annotated[
        str | None,
        typer.Option(help="Tile URL template for map basemaps (default: offline, no basemap)."),
    ] = None,
    tiles_attribution: Annotated[
        str, typer.Option(help="Attribution text the tile provider requires.")
    ] = "",
    max_upload_mb: Annotated[int, typer.Option(help="Largest upload accepted, in MiB.")] = 512,
    archive_max_members: Annotated[
        int, typer.Option(help="Most members a case archive on the import page may hold.")
    ] = 10_000,
    archive_max_mb: Annotated[
        int | None,
        typer.Option(help="Largest uncompressed case archive, in MiB (default: 4 x the upload)."),
    ] = None,
    secure_cookies: Annotated[
        str, typer.Option(help="auto (Secure over TLS or from a trusted proxy), always, never.")
    ] = "auto",
    trusted_proxy: Annotated[
        list[str] | None,
        typer.Option(help="Address of a reverse proxy whose X-Forwarded-* headers to trust."),
    ] = None,
    case_dir: CaseOpt = None,
) -> None:
    """Serve the case to browsers and scripts (FastAPI on uvicorn)."""
    import uvicorn

    from evidencelab.service.access import users
    from evidencelab.web import WebSettings, create_app

    if secure_cookies not in ("auto", "always", "never"):
        raise CaseError(f"--secure-cookies {secure_cookies!r}: must be auto, always or never")
    root = find_case_root(case_dir or Path.cwd())
    settings = WebSettings(
        tiles_url=tiles,
        tiles_attribution=tiles_attribution,
        max_upload_bytes=max_upload_mb * 1024 * 1024,
        secure_cookies=secure_cookies,
        trusted_proxies=tuple(trusted_proxy or ()),
        archive_max_members=archive_max_members,
        archive_max_bytes=archive_max_mb * 1024 * 1024 if archive_max_mb else None,
    )
    application = create_app(root, settings=settings)
    with open_case(root) as case:
        if not users.list_users(case):
            err.print(
                "no users yet: create the first with `evidencelab user add NAME --role admin`"
            )
    err.print(f"serving {root} on http://{host}:{port}/")
    uvicorn.run(application, host=host, port=port, proxy_headers=False, log_level="warning")


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Repeat password: ") != first:
        raise CaseError("password: the two entries differ")
    return first


@user_app.command("add")
@user_errors
def user_add(
    name: Annotated[str, typer.Argument(help="Login name.")],
    role: Annotated[str, typer.Option(help="admin, investigator, reviewer or viewer.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    case_dir: CaseOpt = None,
    actor: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Create a user (the password is asked for, or read from stdin)."""
    from evidencelab.service.access import users

    users.check_role(role)
    password = _read_password(password_stdin)
    with open_case(case_dir, actor=actor) as case:
        record = users.add_user(case, name, password, role)
    if as_json:
        print_json(record)
    else:
        out.print(f"added {record['name']} ({record['role']})")


@user_app.command("list")
@user_errors
def user_list(case_dir: CaseOpt = None, as_json: JsonOpt = False) -> None:
    """List users and their roles."""
    from evidencelab.service.access import users

    with open_case(case_dir) as case:
        records = users.list_users(case)
    if as_json:
        print_json(records)
        return
    table = Table("name", "role", "created", "state", "signed in since")
    for r in records:
        state = "disabled" if r["disabled"] else "active"
        table.add_row(r["name"], r["role"], r["created_at"], state, r["signed_in_since"] or "")
    out.print(table)


@user_app.command("role")
@user_errors
def user_role(
    name: Annotated[str, typer.Argument(help="Login name.")],
    role: Annotated[str, typer.Argument(help="admin, investigator, reviewer or viewer.")],
    case_dir: CaseOpt = None,
    actor: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Change a user's role (the last active admin cannot be demoted)."""
    from evidencelab.service.access import users

    with open_case(case_dir, actor=actor) as case:
        record = users.set_role(case, name, role)
    if as_json:
        print_json(record)
    else:
        out.print(f"{record['name']} is now {record['role']}")


@user_app.command("disable")
@user_errors
def user_disable(
    name: Annotated[str, typer.Argument(help="Login name.")],
    case_dir: CaseOpt = None,
    actor: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Disable a user: their sessions end and API tokens stop working at once."""
    from evidencelab.service.access import users

    with open_case(case_dir, actor=actor) as case:
        record = users.disable_user(case, name)
    if as_json:
        print_json(record)
    else:
        out.print(f"disabled {record['name']}")


@token_app.command("create")
@user_errors
def token_create(
    name: Annotated[str, typer.Argument(help="User the token acts as.")],
    case_dir: CaseOpt = None,
    actor: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Create an API token (shown once; send it as `Authorization: Bearer TOKEN`)."""
    from evidencelab.service.access import users

    with open_case(case_dir, actor=actor) as case:
        token = users.create_token(case, name)
    if as_json:
        print_json({"user": name, "token": token})
    else:
        out.print(token, highlight=False)
