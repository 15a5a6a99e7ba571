"""Trusted timestamps (RFC 3161) against a local time-stamping authority: a throwaway CA
and TSA certificate made with `openssl req`/`x509`, and `openssl ts -reply` behind a
loopback HTTP server built here. Ingest timestamps new items; `verify` checks every token
offline and names a tampered token, manifest, request or object."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from cli_helpers import run_cli
from local_tsa import POLICY, LocalTsa, local_tsa
from test_web_support import Shots, browser_log_in, client_for, log_in, served


@pytest.fixture(scope="module")
def tsa(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalTsa]:
    with local_tsa(tmp_path_factory.mktemp("tsa")) as authority:
        yield authority


# -- helpers ------------------------------------------------------------------------------


def cli(case: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, "--case", str(case))


def new_case(tmp_path: Path) -> Path:
    root = tmp_path / "case"
    assert run_cli("init", str(root)).returncode == 0
    return root


def add_authority(case: Path, name: str, url: str, root: Path) -> None:
    added = cli(case, "timestamp", "authority", "add", name, url, "--root", str(root))
    assert added.returncode == 0, added.stderr


def a_file(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def ingest(case: Path, path: Path) -> subprocess.CompletedProcess[str]:
    return cli(case, "ingest", str(path))


def query(case: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(case / "case.sqlite") as db:
        return db.execute(sql).fetchall()


def tamper(case: Path, sql: str, *params: object) -> None:
    """A change made outside evidencelab, straight into the database."""
    db = sqlite3.connect(case / "case.sqlite")
    with db:
        db.execute(sql, params)
    db.close()


def flipped(blob: bytes, at: int) -> bytes:
    changed = bytearray(blob)
    changed[at] ^= 0x01
    return bytes(changed)


def verify_lines(case: Path) -> tuple[int, list[str]]:
    result = cli(case, "verify")
    return result.returncode, result.stdout.splitlines()


@pytest.fixture
def stamped(tmp_path: Path, tsa: LocalTsa) -> Path:
    """A case with the local authority configured and one item ingested (timestamped)."""
    case = new_case(tmp_path)
    add_authority(case, "local", tsa.url, tsa.root)
    result = ingest(case, a_file(tmp_path, "one.bin", b"first item"))
    assert result.returncode == 0, result.stderr
    assert "timestamped by local: genTime " in result.stdout
    return case


# -- timestamping -------------------------------------------------------------------------


def test_ingest_timestamps_new_items_and_stores_every_part(stamped: Path) -> None:
    listed = json.loads(cli(stamped, "timestamp", "list", "--json").stdout)
    assert len(listed) == 1
    token = listed[0]
    assert token["authority"] == "local"
    assert token["policy"] == POLICY
    assert token["items"] == 1
    assert token["previous_manifest"] is None
    assert token["certificates"] == ["CN=Test TSA"]
    assert token["gen_time"].endswith("Z") and int(token["serial"]) >= 1
    (sha,) = query(stamped, "SELECT sha256 FROM evidence")[0]
    ((content, manifest_sha),) = query(stamped, "SELECT content, sha256 FROM timestamp_manifest")
    manifest = json.loads(content)
    assert manifest["items"] == [{"evidence": manifest["items"][0]["evidence"], "sha256": sha}]
    assert token["manifest_sha256"] == manifest_sha
    request, response, tok, nonce = query(
        stamped, "SELECT request_der, response_der, token_der, nonce FROM timestamp_token"
    )[0]
    assert isinstance(tok, bytes) and tok in response  # the token is the response's
    assert bytes.fromhex(manifest_sha) in request  # the request's imprint
    assert str(nonce) == token["nonce"]
    events = json.loads(cli(stamped, "log", "--json").stdout)
    logged = [e for e in events if e["action"] == "timestamp"]
    assert [e["subject"] for e in logged] == [manifest_sha]
    assert logged[0]["payload"]["serial"] == token["serial"]
    assert logged[0]["payload"]["gen_time"] == token["gen_time"]
    code, lines = verify_lines(stamped)
    assert code == 0, lines
    assert lines[0].startswith("intact:")


def test_timestamps_chain_and_nothing_new_is_said(stamped: Path, tmp_path: Path) -> None:
    nothing = cli(stamped, "timestamp")
    assert nothing.returncode == 0
    assert nothing.stdout.startswith("nothing to timestamp")
    assert ingest(stamped, a_file(tmp_path, "two.bin", b"second item")).returncode == 0
    first, second = query(
        stamped, "SELECT sha256, previous_sha256, item_count FROM timestamp_manifest ORDER BY id"
    )
    assert second[1] == first[0] and second[2] == 1
    assert verify_lines(stamped)[0] == 0


def test_flipped_byte_in_token_is_named(stamped: Path) -> None:
    (token,) = query(stamped, "SELECT token_der FROM timestamp_token")[0]
    assert isinstance(token, bytes)
    tamper(stamped, "UPDATE timestamp_token SET token_der = ?", flipped(token, len(token) - 3))
    code, lines = verify_lines(stamped)
    assert code == 1
    assert any(
        line.startswith("timestamp 1 (local, serial ") and "signature does not verify" in line
        for line in lines
    ), lines


def test_changed_manifest_is_named(stamped: Path) -> None:
    (content,) = query(stamped, "SELECT content FROM timestamp_manifest")[0]
    assert isinstance(content, bytes)
    tamper(stamped, "UPDATE timestamp_manifest SET content = ?", content.replace(b"[", b"[ ", 1))
    code, lines = verify_lines(stamped)
    assert code == 1
    assert any(
        line.startswith("timestamp manifest ") and "content changed" in line for line in lines
    )
    assert any("message imprint is not the manifest's SHA-256" in line for line in lines), lines


def test_changed_request_is_named(stamped: Path) -> None:
    (request,) = query(stamped, "SELECT request_der FROM timestamp_token")[0]
    assert isinstance(request, bytes)
    tamper(
        stamped, "UPDATE timestamp_token SET request_der = ?", flipped(request, len(request) - 1)
    )
    code, lines = verify_lines(stamped)
    assert code == 1
    assert any(line.startswith("timestamp 1 (local") and "request" in line for line in lines), lines


def test_replaced_object_is_named(stamped: Path) -> None:
    ((evidence_id, sha),) = query(stamped, "SELECT id, sha256 FROM evidence")
    path = stamped / "objects" / str(sha)[:2] / str(sha)[2:]
    path.chmod(0o644)
    path.write_bytes(b"other bytes")
    code, lines = verify_lines(stamped)
    assert code == 1
    assert any(
        line.startswith("timestamp manifest ")
        and f"evidence {evidence_id}: its object no longer holds the timestamped bytes" in line
        for line in lines
    ), lines


def test_wrong_root_fails_verification(tmp_path: Path, tsa: LocalTsa) -> None:
    case = new_case(tmp_path)
    add_authority(case, "misconfigured", tsa.url, tsa.other_root)
    assert ingest(case, a_file(tmp_path, "x.bin", b"x")).returncode == 0
    code, lines = verify_lines(case)
    assert code == 1
    assert any(
        line.startswith("timestamp 1 (misconfigured")
        and "certificate chain does not hold at genTime: unable to get local issuer" in line
        for line in lines
    ), lines


def test_unreachable_authority_records_nothing(tmp_path: Path, tsa: LocalTsa) -> None:
    case = new_case(tmp_path)
    add_authority(case, "down", tsa.unreachable_url, tsa.root)
    ingested = ingest(case, a_file(tmp_path, "y.bin", b"y"))
    assert ingested.returncode == 0  # the ingest stands
    assert ingested.stderr.startswith("warning: not timestamped by down: unreachable (")
    events = len(query(case, "SELECT seq FROM custody_event"))
    result = cli(case, "timestamp")
    assert result.returncode == 1
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"error: authority down ({tsa.unreachable_url}): unreachable")
    assert line.endswith("nothing recorded")
    assert query(case, "SELECT count(*) FROM timestamp_manifest") == [(0,)]
    assert query(case, "SELECT count(*) FROM timestamp_token") == [(0,)]
    assert len(query(case, "SELECT seq FROM custody_event")) == events


def test_second_authority_used_when_first_fails(tmp_path: Path, tsa: LocalTsa) -> None:
    case = new_case(tmp_path)
    add_authority(case, "busy", tsa.refusing_url, tsa.root)
    add_authority(case, "local", tsa.url, tsa.root)
    ingested = ingest(case, a_file(tmp_path, "z.bin", b"z"))
    assert ingested.returncode == 0
    assert "timestamped by local" in ingested.stdout
    assert "warning: not timestamped by busy: answered HTTP 503" in ingested.stderr
    assert query(case, "SELECT count(*) FROM timestamp_token") == [(1,)]
    assert verify_lines(case)[0] == 0


def test_named_authority_only(tmp_path: Path, tsa: LocalTsa) -> None:
    case = new_case(tmp_path)
    add_authority(case, "busy", tsa.refusing_url, tsa.root)
    assert ingest(case, a_file(tmp_path, "w.bin", b"w")).returncode == 0  # busy fails
    add_authority(case, "local", tsa.url, tsa.root)
    result = cli(case, "timestamp", "--tsa", tsa.url, "--json")
    assert result.returncode == 0, result.stderr
    run = json.loads(result.stdout)
    assert [t["authority"] for t in run["timestamps"]] == ["local"] and run["items"] == 1
    unknown = cli(case, "timestamp", "--tsa", "https://tsa.invalid/")
    assert unknown.returncode == 1
    assert unknown.stderr.strip() == (
        "error: --tsa https://tsa.invalid/: not a configured authority; add it with its root "
        "certificates"
    )


def test_authority_inputs_refused_in_one_line(tmp_path: Path, tsa: LocalTsa) -> None:
    case = new_case(tmp_path)
    events = query(case, "SELECT count(*) FROM custody_event")
    bad_url = cli(case, "timestamp", "authority", "add", "a", "ftp://x/", "--root", str(tsa.root))
    assert bad_url.stderr.strip() == (
        "error: --url ftp://x/: not an http:// or https:// address with a host"
    )
    not_pem = a_file(tmp_path, "not.pem", b"hello")
    bad_root = cli(case, "timestamp", "authority", "add", "a", tsa.url, "--root", str(not_pem))
    assert bad_root.stderr.strip() == f"error: --root {not_pem}: no PEM certificate in it"
    missing = cli(case, "timestamp", "authority", "add", "a", tsa.url, "--root", "nope.pem")
    assert missing.stderr.strip() == "error: --root nope.pem: no such file"
    assert {bad_url.returncode, bad_root.returncode, missing.returncode} == {1}
    assert query(case, "SELECT count(*) FROM custody_event") == events
    none = cli(case, "timestamp")
    assert none.returncode == 1
    assert none.stderr.strip() == "error: --tsa: no time-stamping authority is configured"


def test_removed_authority_is_kept_for_its_tokens(stamped: Path, tmp_path: Path) -> None:
    removed = cli(stamped, "timestamp", "authority", "remove", "local")
    assert removed.returncode == 0, removed.stderr
    listed = json.loads(cli(stamped, "timestamp", "authority", "list", "--json").stdout)
    assert listed[0]["name"] == "local" and listed[0]["removed_at"] is not None
    assert listed[0]["roots"] == ["CN=Test Root CA"]
    actions = [e["action"] for e in json.loads(cli(stamped, "log", "--json").stdout)]
    assert "timestamp_authority_add" in actions and "timestamp_authority_remove" in actions
    later = ingest(stamped, a_file(tmp_path, "later.bin", b"later"))
    assert "timestamped" not in later.stdout + later.stderr
    assert verify_lines(stamped)[0] == 0  # the old token still checks against its roots


# -- the workbench ------------------------------------------------------------------------


@pytest.fixture
def web_case(demo: Path, tsa: LocalTsa) -> Path:
    """The web demo with the local authority configured (its six items not yet stamped)."""
    add_authority(demo, "local", tsa.url, tsa.root)
    return demo


def test_page_lists_and_timestamps_now(web_case: Path) -> None:
    with client_for(web_case) as client:
        csrf = log_in(client, "ivan")
        before = client.get("/timestamps")
        assert before.status_code == 200
        assert "No timestamps recorded yet." in before.text and tsa_row(before.text, "local")
        done = client.post("/timestamps", data={"csrf_token": csrf})
        assert done.status_code == 303
        assert done.headers["location"] == "/timestamps?stamped=6"
        after = client.get(done.headers["location"]).text
        assert "6 new item(s) timestamped." in after
        (listed,) = client.get("/api/timestamps").json()
        assert listed["authority"] == "local" and listed["items"] == 6
        assert f"<td>{listed['serial']}</td>" in after and listed["gen_time"] in after
        assert f'<td>6</td><td><code title="{listed["manifest_sha256"]}">' in after
        again = client.post("/timestamps", data={"csrf_token": csrf})
        assert again.headers["location"] == "/timestamps?done=nothing"
        assert "Nothing to timestamp" in client.get(again.headers["location"]).text


def tsa_row(html: str, name: str) -> bool:
    return f"<strong>{name}</strong>" in html


def test_a_viewer_reads_but_cannot_timestamp(web_case: Path) -> None:
    with client_for(web_case) as client:
        csrf = log_in(client, "vic")
        page = client.get("/timestamps")
        assert page.status_code == 200 and "Timestamp new items now" not in page.text
        assert client.post("/timestamps", data={"csrf_token": csrf}).status_code == 403
        assert client.get("/api/timestamps").json() == []


def test_no_authority_answers_on_the_page(demo: Path, tsa: LocalTsa) -> None:
    add_authority(demo, "down", tsa.unreachable_url, tsa.root)
    with client_for(demo) as client:
        csrf = log_in(client, "ivan")
        refused = client.post("/timestamps", data={"csrf_token": csrf})
        assert refused.status_code == 400
        assert "Nothing was timestamped: authority down (" in refused.text
        assert client.get("/api/timestamps").json() == []


def test_page_at_desktop_and_phone_width(web_case: Path, page: Page, tmp_path: Path) -> None:
    shots = Shots(tmp_path)
    with served(web_case) as base:
        browser_log_in(page, base, "ivan")
        page.goto(base + "/timestamps")
        page.get_by_role("button", name="Timestamp new items now").click()
        expect(page.get_by_role("status")).to_have_text("6 new item(s) timestamped.")
        for width in (1366, 390):
            page.set_viewport_size({"width": width, "height": 900})
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"page wider than {width} px"
            shots(page, f"timestamps-{width}")
    shots.publish()
