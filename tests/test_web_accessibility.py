"""Accessibility and layout of every page, in Chromium: axe-core finds no serious or
critical violation at 1366 and at 390 px wide; at 390 px no page overflows sideways (wide
tables scroll inside their own wrapper), the header stays compact and each map is whole
and at least 200 px tall; at 1366 px the
header is one line; a skip link leads to the content, and Tab reaches every control of the
overview and the incident page with a visible focus.

The pages are every GET route of the app's route table that answers HTML, with the demo's
path samples (test_web_security.PATH_SAMPLES): a page added later is checked without a
change here, and a page the test cannot fill fails, naming it. One served app and one
browser serve the whole module.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from case_copies import copy_case
from evidencelab.web.app import route_table
from test_web_security import PATH_SAMPLES
from test_web_support import CHROMIUM, Shots, browser_log_in, client_for, served

pytestmark = pytest.mark.long

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
WIDE, NARROW = {"width": 1366, "height": 900}, {"width": 390, "height": 844}
# The header at 390 px: brand, navigation, search and the user on at most this many px.
COMPACT_HEADER_PX = 200
# A map at 390 px: at least this tall, and not wider than the screen.
MAP_MIN_HEIGHT_PX = 200
# Routes that answer a file or JSON, not a page.
NOT_PAGES = frozenset({"evidence_original", "evidence_derivative", "output_download"})
# Query strings that show a page in its fuller state.
PAGE_QUERIES = {"search_page": "?q=uman"}
SERIOUS = ("serious", "critical")
CONTROLS = (
    "a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]"
    ":not([tabindex='-1'])"
)


@pytest.fixture(scope="module")
def demo_copy(web_demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_case(web_demo_template, tmp_path_factory.mktemp("a11y") / "demo")


@pytest.fixture(scope="module")
def base_url(demo_copy: Path) -> Iterator[str]:
    with served(demo_copy) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def admin_page(browser: Browser, base_url: str) -> Iterator[Page]:
    """A page logged in as the admin, who may open every page."""
    context = browser.new_context(viewport=WIDE)
    page = context.new_page()
    browser_log_in(page, base_url, "alice")
    yield page
    context.close()


def page_routes(root: Path) -> list[tuple[str, str]]:
    """(route name, path template) of every GET route that is not the API or a file."""
    with client_for(root) as client:
        table = route_table(client.app.routes)  # type: ignore[attr-defined]
    return [
        (name, path)
        for name, path, methods in table
        if "GET" in methods and not path.startswith("/api/") and name not in NOT_PAGES
    ]


def concrete(name: str, path: str) -> str | None:
    """The path with the demo's samples, or None when a parameter has no sample."""
    for parameter in re.findall(r"{(\w+)}", path):
        if parameter not in PATH_SAMPLES:
            return None
        path = path.replace("{" + parameter + "}", PATH_SAMPLES[parameter])
    return path + PAGE_QUERIES.get(name, "")


def axe_violations(page: Page) -> list[str]:
    """Each serious or critical axe-core violation: rule, impact, the first nodes."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text())  # evaluated by the browser, so the page's CSP allows it
    result: dict[str, Any] = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    found = []
    for violation in result["violations"]:
        if violation["impact"] in SERIOUS:
            targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:3]]
            found.append(f"{violation['id']} ({violation['impact']}): {'; '.join(targets)}")
    return found


def overflow(page: Page) -> str | None:
    """What sticks out past the right edge of a page (outside scrolling wrappers)."""
    return page.evaluate(
        """() => {
        const width = document.documentElement.clientWidth;
        if (document.documentElement.scrollWidth <= width + 1) return null;  // rounding
        const inScroller = (e) => { for (let p = e.parentElement; p; p = p.parentElement) {
            const x = getComputedStyle(p).overflowX;
            if (x === 'auto' || x === 'scroll' || x === 'hidden') return true; } return false; };
        const wide = [...document.querySelectorAll('body *')].filter(
            e => e.getBoundingClientRect().right > width + 1 && !inScroller(e));
        const names = wide.slice(0, 3).map(e => e.tagName.toLowerCase() +
            (e.id ? '#' + e.id : '') + (e.className && typeof e.className === 'string'
            ? '.' + e.className.trim().split(/\\s+/).join('.') : ''));
        return `${document.documentElement.scrollWidth} px wide: ${names.join(', ')}`;
    }"""
    )


def header_problem(page: Page, wide: bool) -> str | None:
    """At 1366 px: whether the header's parts and its navigation's items sit on one line
    (some horizontal line crosses all of them) with no link scrolled out of sight; at
    390 px: whether the header is compact."""
    return page.evaluate(
        """([wide, compact]) => {
        const header = document.querySelector('header.top');
        if (!wide) {
            const height = header.getBoundingClientRect().height;
            return height > compact ? `header ${Math.round(height)} px tall` : null;
        }
        const items = [...header.children, ...header.querySelectorAll('nav li')]
            .map(e => e.getBoundingClientRect()).filter(r => r.height > 0);
        if (Math.max(...items.map(r => r.top)) >= Math.min(...items.map(r => r.bottom)))
            return 'the header wraps';
        const nav = header.querySelector('nav');
        return nav && nav.scrollWidth > nav.clientWidth + 1
            ? `navigation links scrolled out of sight (${nav.scrollWidth} px in ${nav.clientWidth})`
            : null;
    }""",
        [wide, COMPACT_HEADER_PX],
    )


def map_problem(page: Page) -> str | None:
    """Whether each map of a narrow page is whole on the screen and tall enough to use."""
    return page.evaluate(
        """(least) => {
        const width = document.documentElement.clientWidth;
        for (const map of document.querySelectorAll('.leaflet-container')) {
            const r = map.getBoundingClientRect();
            if (r.left < 0 || r.right > width + 1 || r.height < least)
                return `map ${Math.round(r.width)}x${Math.round(r.height)} px`
                    + ` at x=${Math.round(r.left)}`;
        }
        return null;
    }""",
        MAP_MIN_HEIGHT_PX,
    )


def test_every_page_is_accessible_at_both_widths(
    admin_page: Page, base_url: str, demo_copy: Path, tmp_path: Path
) -> None:
    page, shots = admin_page, Shots(tmp_path)
    problems: list[str] = []
    pages = 0
    for name, template in page_routes(demo_copy):
        path = concrete(name, template)
        if path is None:
            problems.append(f"{name} {template}: add a sample to test_web_security.PATH_SAMPLES")
            continue
        # One load per page, checked wide and then narrowed: the pages lay out by CSS
        # alone (no script reads the width), so a resize shows what a phone would.
        page.set_viewport_size(WIDE)
        response = page.goto(base_url + path, wait_until="load")
        assert response is not None, path
        if not response.headers.get("content-type", "").startswith("text/html"):
            continue  # a file or data route, not a page
        pages += 1
        for viewport in (WIDE, NARROW):
            page.set_viewport_size(viewport)
            where = f"{name} {path} at {viewport['width']} px"
            problems += [f"{where}: {v}" for v in axe_violations(page)]
            header = header_problem(page, viewport is WIDE)
            if header:
                problems.append(f"{where}: {header}")
            if viewport is NARROW:
                shots(page, f"a11y-{name}-390")
                wide = overflow(page)
                if wide:
                    problems.append(f"{where}: overflows sideways, {wide}")
                cramped = map_problem(page)
                if cramped:
                    problems.append(f"{where}: {cramped}")
    shots.publish()
    print(f"{pages} pages checked")
    assert pages >= 25, "too few pages found in the route table"
    assert not problems, "\n".join(problems)


def test_skip_link_leads_to_the_content(admin_page: Page, base_url: str) -> None:
    page = admin_page
    page.set_viewport_size(WIDE)
    page.goto(base_url + "/", wait_until="networkidle")
    page.keyboard.press("Tab")
    skip = page.locator("a.skip")
    assert page.evaluate("document.activeElement.className") == "skip"
    box = skip.bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0, "skip link not shown on focus"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


@pytest.mark.parametrize("path", ["/", f"/incidents/{PATH_SAMPLES['incident_id']}"])
def test_tab_reaches_every_control_with_a_visible_focus(
    admin_page: Page, base_url: str, path: str
) -> None:
    page = admin_page
    page.set_viewport_size(WIDE)
    page.goto(base_url + path, wait_until="networkidle")
    expected = page.evaluate(
        """(selector) => {
        const shown = (e) => e.checkVisibility({visibilityProperty: true}) && !e.disabled
            && e.tabIndex >= 0 && !e.closest('[inert]');
        const all = [...document.querySelectorAll(selector)].filter(shown);
        all.forEach((e, i) => { e.dataset.kbd = String(i); });
        return all.length;
    }""",
        CONTROLS,
    )
    reached: set[str] = set()
    unmarked: list[str] = []
    for _ in range(expected + 20):
        page.keyboard.press("Tab")
        focus = page.evaluate(
            """() => { const e = document.activeElement; const s = getComputedStyle(e);
            return {kbd: e.dataset ? e.dataset.kbd : undefined, tag: e.tagName,
                    text: (e.textContent || e.name || '').trim().slice(0, 40),
                    ring: (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0)
                          || s.boxShadow !== 'none'
                          // a part inside a native control (a date field's calendar button)
                          // has the focus and Chromium's own ring, out of the page's reach
                          || !e.matches(':focus')}; }"""
        )
        if focus["kbd"] is None:
            continue  # the page body between passes, or a control added by a script
        reached.add(focus["kbd"])
        if not focus["ring"]:
            unmarked.append(f"{focus['tag']} {focus['text']!r}")
    missing = page.evaluate(
        """(reached) => [...document.querySelectorAll('[data-kbd]')]
            .filter(e => !reached.includes(e.dataset.kbd))
            .map(e => e.tagName + ' ' + (e.textContent || e.name || '').trim().slice(0, 40))""",
        sorted(reached),
    )
    assert expected > 10, f"{path}: only {expected} controls found"
    assert not missing, f"{path}: Tab never reaches: {missing}"
    assert not unmarked, f"{path}: no visible focus on: {sorted(set(unmarked))}"
