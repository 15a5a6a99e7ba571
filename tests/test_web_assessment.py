"""Assessment and claims in the browser: an incident's indicators (rules with their
citations, facts, numbers, confidence, what would change them), a reviewer's sign-off
marked stale when the facts change, and the claims register with each claim evaluated.

Fast checks go through the test client; the two journeys run in Debian's Chromium."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Page, expect

from evidencelab.locker.case import open_case
from evidencelab.service.claims import list_claims
from evidencelab.service.incidents import incident_edit
from evidencelab.service.integrity.custody import custody_log
from test_web_support import Shots, browser_log_in, log_in, served

pytestmark = pytest.mark.long

INCIDENT = "vuhledar-2022-02-24"
SECTION = f"/incidents/{INCIDENT}/assessment"
SIGN_OFF = f"{SECTION}/sign-off"
CODE = "INACCURATE_WEAPON_IN_POPULATED_AREA"
HTMX = {"HX-Request": "true"}
CLAIM = {
    "claimant": "Ministry of Defence",
    "text": "No civilians were harmed.",
    "predicate": "no_civilian_casualties",
    "made_at": "2022-02-25",
    "source": "",
    "id": "",
}


def _events(case_root: Path, action: str | None = None) -> int:
    """How many custody events the case holds (of one action, if given)."""
    with open_case(case_root, actor="test") as case:
        return sum(1 for e in custody_log(case) if action in (None, e["action"]))


def _indicator(text: str, code: str) -> str:
    """The HTML of one indicator's card in a page."""
    match = re.search(rf'<article[^>]*id="indicator-{code}".*?</article>', text, re.S)
    assert match, f"no card for {code}"
    return match.group(0)


def _plain(text: str) -> str:
    """The text of some HTML as a reader sees it: no tags, spaces collapsed."""
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", text)))


def _edit_form_values(client: TestClient) -> dict[str, str]:
    """The incident's edit form as the browser would send it back unchanged."""
    page = client.get(f"/incidents/{INCIDENT}/edit").text
    values = {n: html.unescape(v) for n, v in re.findall(r'name="(\w+)" value="([^"]*)"', page)}
    for name, text in re.findall(r'name="(\w+)"[^>]*>([^<]*)</textarea>', page):
        values[name] = html.unescape(text)
    selected = re.search(r'name="weapon_confidence">.*?<option selected>(\w+)<', page, re.S)
    values["weapon_confidence"] = selected.group(1) if selected else ""
    return values


def test_incident_page_loads_the_section_which_shows_rules_facts_and_numbers(
    client: TestClient,
) -> None:
    log_in(client, "vic")
    incident_page = client.get(f"/incidents/{INCIDENT}").text
    assert f'hx-get="{SECTION}?signed="' in incident_page
    assert f'<a href="{SECTION}">' in incident_page  # without JavaScript, a link
    section = client.get(SECTION, headers=HTMX)
    assert section.status_code == 200
    assert "<html" not in section.text  # the section alone, for the incident page
    card = _plain(_indicator(section.text, CODE))
    assert "fires" in card and "confidence: high" in card
    assert "may constitute an indiscriminate attack" in card
    assert "API 51(4)(b)" in card  # the rule and where its text comes from
    assert "Source: Additional Protocol I, Art. 51(4)" in card and "reliability flag A" in card
    assert "Tochka" in card and "1467.2" in card  # a fact and its R90 (m)
    assert "better accuracy figures for the weapon" in card  # what would change it
    assert "Record sign-off" not in section.text  # a viewer may not sign off
    full = client.get(SECTION)
    assert "<html" in full.text and "Assessment: " in full.text


def test_a_viewer_reads_a_sensitive_source_as_withheld(client: TestClient) -> None:
    sensitive = "local-source-vuhledar"
    log_in(client, "ivan")
    assert sensitive in client.get(SECTION, headers=HTMX).text
    log_in(client, "vic")
    shown = client.get(SECTION, headers=HTMX).text
    assert sensitive not in shown
    assert "sources: amnesty-press-release-2022-02, withheld" in _plain(shown)


def test_a_viewer_does_not_read_a_sensitive_source_s_hedged_words(
    client: TestClient, demo: Path
) -> None:
    quote = "two men are said to have died at the restaurant door"
    report = {
        "source": "local-source-vuhledar",
        "scope": "incident",
        "civilian": True,
        "killed": {"count": 2, "qualifier": "at_least"},
        "quote": quote,
    }
    with open_case(demo, actor="ivan") as case:
        incident_edit.add_casualty_report(case, "uman-2022-02-24", report)
    section = "/incidents/uman-2022-02-24/assessment"
    log_in(client, "ivan")
    shown = _plain(_indicator(client.get(section, headers=HTMX).text, "CIVILIAN_HARM"))
    assert f'The source hedges: "{quote}" (local-source-vuhledar).' in shown
    log_in(client, "vic")
    shown = _plain(_indicator(client.get(section, headers=HTMX).text, "CIVILIAN_HARM"))
    assert quote not in shown
    assert 'The source hedges: "withheld" (withheld).' in shown


def test_sign_off_goes_stale_when_the_place_is_edited(client: TestClient) -> None:
    token = log_in(client, "rita")
    signed = client.post(
        SIGN_OFF,
        data={"csrf_token": token, "code": CODE, "decision": "accepted", "comment": "R90 read"},
    )
    assert signed.status_code == 303
    assert signed.headers["location"] == f"/incidents/{INCIDENT}?signed={CODE}#assessment"
    shown = client.get(f"{SECTION}?signed={CODE}", headers=HTMX).text
    assert f"Sign-off recorded: {CODE} accepted by rita." in _plain(shown)
    assert "Signed off: accepted by rita" in _plain(_indicator(shown, CODE))

    token = log_in(client, "ivan")
    values = _edit_form_values(client)
    assert values["precision_m"] == "1500"
    edited = client.post(
        f"/incidents/{INCIDENT}/edit", data={**values, "precision_m": "300", "csrf_token": token}
    )
    assert edited.status_code == 303, edited.text
    log_in(client, "rita")
    card = _plain(_indicator(client.get(SECTION, headers=HTMX).text, CODE))
    assert "sign-off stale" in card
    assert "Sign-off stale: accepted by rita" in card and "It needs a new sign-off." in card


def test_a_refused_sign_off_keeps_what_was_typed_and_records_nothing(
    client: TestClient, demo: Path
) -> None:
    token = log_in(client, "rita")
    before = _events(demo)
    refused = client.post(
        SIGN_OFF, data={"csrf_token": token, "code": CODE, "decision": "rejected", "comment": " "}
    )
    assert refused.status_code == 400
    card = _indicator(refused.text, CODE)
    assert re.search(r"<details class=\"assess-signoff\" open>", card)
    assert 'value="rejected" checked' in card
    assert (
        f'<span class="error" id="so-{CODE}-comment-err">'
        "comment: a sign-off needs a comment saying why</span>"
    ) in card
    assert "<html" in refused.text  # the whole page, though the form came from a section
    tampered = client.post(
        SIGN_OFF, data={"csrf_token": token, "code": CODE, "decision": "maybe", "comment": "x"}
    )
    assert tampered.status_code == 400
    assert "decision &#39;maybe&#39;: must be accepted or rejected" in tampered.text
    unknown = client.post(
        SIGN_OFF, data={"csrf_token": token, "code": "NOPE", "decision": "accepted", "comment": "x"}
    )
    assert unknown.status_code == 400 and "indicator &#39;NOPE&#39;: unknown" in unknown.text
    assert client.get("/incidents/nope/assessment").status_code == 404
    missing = client.post(
        "/incidents/nope/assessment/sign-off",
        data={"csrf_token": token, "code": CODE, "decision": "accepted", "comment": "x"},
    )
    assert missing.status_code == 404
    assert _events(demo) == before


@pytest.mark.parametrize("name", ["ivan", "vic"])
def test_only_a_reviewer_signs_off(client: TestClient, demo: Path, name: str) -> None:
    token = log_in(client, name)
    before = _events(demo)
    answer = client.post(
        SIGN_OFF, data={"csrf_token": token, "code": CODE, "decision": "accepted", "comment": "x"}
    )
    assert answer.status_code == 403
    assert _events(demo) == before


def test_claims_register_shows_each_claim_evaluated(client: TestClient) -> None:
    log_in(client, "vic")
    answer = client.get("/claims").text
    page = _plain(answer)
    assert "contradicted Ministry of Defence of the Russian Federation, 2022-02-24" in page
    assert f'<a href="/incidents/{INCIDENT}#assessment">{INCIDENT}</a>' in answer
    assert "weapons outside the precise branch were identified" in page
    assert "Add a claim" not in page  # a viewer may not add one


def test_a_claim_is_checked_confirmed_then_added_and_evaluated(
    client: TestClient, demo: Path
) -> None:
    token = log_in(client, "ivan")
    before = _events(demo)
    checked = client.post("/claims", data={**CLAIM, "csrf_token": token})
    assert checked.status_code == 200
    assert "Add this claim to the register?" in checked.text
    assert 'name="id" value="ministry-of-defence"' in checked.text
    assert _events(demo) == before  # nothing recorded before the confirmation
    added = client.post(
        "/claims",
        data={**CLAIM, "id": "ministry-of-defence", "confirmed": "yes", "csrf_token": token},
    )
    assert added.status_code == 303
    assert (
        added.headers["location"] == "/claims?added=ministry-of-defence#claim-ministry-of-defence"
    )
    page = _plain(client.get("/claims?added=ministry-of-defence").text)
    assert "Claim ministry-of-defence added to the register and evaluated: contradicted." in page
    card = page[page.index("No civilians were harmed.") :]
    assert "at least 4 killed, 10 injured" in card  # Vuhledar decides it
    assert _events(demo, "claim_add") == 2  # the demo's and this one


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("made_at", "yesterday", "made_at 'yesterday': not a date (YYYY-MM-DD) or an ISO 8601"),
        ("made_at", "2022-02-24T10:00", "made_at '2022-02-24T10:00': needs a UTC offset"),
        ("claimant", " ", "claimant: must not be empty"),
        ("predicate", "everything_fine", "predicate 'everything_fine': unknown"),
        ("source", "amnesty-typo", "source 'amnesty-typo': not in this case"),
        ("id", "precision-weapons-claim", "id precision-weapons-claim: already in the case"),
    ],
)
def test_a_bad_claim_is_refused_beside_its_field_with_the_values_kept(
    client: TestClient, demo: Path, field: str, value: str, message: str
) -> None:
    token = log_in(client, "ivan")
    before = _events(demo)
    for confirmed in ("", "yes"):  # refused at the check and at the confirmation alike
        answer = client.post(
            "/claims", data={**CLAIM, field: value, "confirmed": confirmed, "csrf_token": token}
        )
        assert answer.status_code == 400
        beside = re.search(rf'<span class="error" id="cl-{field}-err">([^<]*)</span>', answer.text)
        assert beside and message in html.unescape(beside.group(1))
        assert 'value="Ministry of Defence"' in answer.text or field == "claimant"
        assert "No civilians were harmed.</textarea>" in answer.text or field == "text"
    assert _events(demo) == before
    with open_case(demo, actor="test") as case:
        assert [c["id"] for c in list_claims(case)] == ["precision-weapons-claim"]


def test_only_an_editor_adds_a_claim(client: TestClient, demo: Path) -> None:
    token = log_in(client, "rita")
    answer = client.post("/claims", data={**CLAIM, "confirmed": "yes", "csrf_token": token})
    assert answer.status_code == 403
    with open_case(demo, actor="test") as case:
        assert len(list_claims(case)) == 1


def _no_overflow(page: Page, within: str) -> None:
    """Nothing in ``within`` (a CSS selector) reaches past the page's width (tables scroll
    inside their box, and so does the header's navigation); on the pages of this part,
    ``within`` is the whole body."""
    size = page.viewport_size
    assert size is not None
    wider = page.evaluate(
        """([within, width]) => [...document.querySelectorAll(within + " *")]
        .filter(e => e.getBoundingClientRect().right > width + 1)
        .filter(e => !e.parentElement.closest(".assess-scroll, header.top nav"))
        .map(e => e.tagName + "." + e.className + ": " + (e.textContent || "").slice(0, 60))""",
        [within, size["width"]],
    )
    assert wider == []
    if within == "body":
        assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]


def _both_widths(page: Page, shots: Shots, name: str, within: str = "body") -> None:
    shots(page, f"{name}-1366")
    page.set_viewport_size({"width": 390, "height": 844})
    _no_overflow(page, within)
    shots(page, f"{name}-390")
    page.set_viewport_size({"width": 1366, "height": 900})


def test_a_reviewer_signs_off_an_indicator_and_sees_it_go_stale_after_an_edit(
    demo: Path, page: Page, tmp_path: Path
) -> None:
    shots = Shots(tmp_path)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.set_viewport_size({"width": 1366, "height": 900})
    with served(demo) as base:
        browser_log_in(page, base, "rita")
        page.goto(f"{base}/incidents/{INCIDENT}")
        card = page.locator(f"#indicator-{CODE}")
        expect(card).to_contain_text("may constitute an indiscriminate attack")
        expect(card.locator(".assess-review")).to_have_text("not signed off")
        card.get_by_text("Sign off this indicator").click()
        card.get_by_label("Comment (why)").fill("Checked the Tochka figures against the release")
        card.get_by_role("button", name="Record sign-off").click()
        expect(page.get_by_role("status")).to_have_text(
            f"Sign-off recorded: {CODE} accepted by rita."
        )
        expect(card.locator(".assess-review")).to_have_text("accepted")
        _both_widths(page, shots, "assessment-signed", "#assessment")
        page.get_by_role("button", name="Log out").click()

        browser_log_in(page, base, "ivan")
        page.goto(f"{base}/incidents/{INCIDENT}/edit")
        page.get_by_label("Precision (m)").fill("300")
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Vuhledar")
        page.get_by_role("button", name="Log out").click()

        browser_log_in(page, base, "rita")
        page.goto(f"{base}/incidents/{INCIDENT}#assessment")
        expect(card.locator(".assess-review")).to_have_text("sign-off stale")
        expect(card.locator(".assess-stale")).to_contain_text("Sign-off stale: accepted by rita")
        card.scroll_into_view_if_needed()
        _both_widths(page, shots, "assessment-stale", "#assessment")
    shots.publish()
    assert errors == []


def test_a_claim_added_on_the_claims_page_is_evaluated(
    demo: Path, page: Page, tmp_path: Path
) -> None:
    shots = Shots(tmp_path)
    page.set_viewport_size({"width": 1366, "height": 900})
    with served(demo) as base:
        browser_log_in(page, base, "ivan")
        page.get_by_role("link", name="Claims", exact=True).click()
        form = page.locator("#add-claim")
        form.get_by_label("Claimant").fill("Ministry of Defence")
        form.get_by_label("Claim, as made").fill("No civilians were harmed.")
        form.get_by_label("Tested as").select_option("no_civilian_casualties")
        form.get_by_label("Made at").fill("25 February")
        form.get_by_role("button", name="Check the claim").click()
        expect(page.locator("#cl-made_at-err")).to_contain_text("made_at '25 February'")
        expect(form.get_by_label("Claimant")).to_have_value("Ministry of Defence")
        form.get_by_label("Made at").fill("2022-02-25")
        form.get_by_role("button", name="Check the claim").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Add this claim to the register?")
        _both_widths(page, shots, "claim-confirm")
        page.get_by_role("button", name="Add the claim").click()
        expect(page.get_by_role("status")).to_contain_text("evaluated: contradicted")
        claim = page.locator("#claim-ministry-of-defence")
        expect(claim.locator(".assess-result")).to_have_text("contradicted")
        expect(claim).to_contain_text("at least 4 killed, 10 injured")
        _both_widths(page, shots, "claims")
        claim.get_by_role("link", name=INCIDENT).click()
        expect(page.locator("#indicator-CIVILIAN_HARM")).to_be_visible()
    shots.publish()
