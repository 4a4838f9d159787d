"""A newcomer's walk that nobody has to keep a list for: from the demo's start pages, follow every link of both
roles (GET only, downloads left out) and check each kind of page once, at 320 CSS pixels and on a desktop:
it loads (no 4xx or 5xx), nothing scrolls sideways outside a table's own box, the browser logs no error, and
axe-core finds no WCAG 2.1 A/AA violation. A page added later is walked without anyone adding it here."""

import re
from collections import deque
from urllib.parse import urlsplit

import pytest
from test_accessibility import log_in, violations
from test_narrow_screens import OVERFLOWING, demo

DOWNLOADS = re.compile(r"\.(xlsx|csv|pdf|zip|toml|json|txt)$|/logga-ut")
MOST_PAGES = 150  # a bound, so a link that makes new links (a calendar, say) cannot walk for ever


def shape(url: str) -> str:
    """A kind of page: its path with ids as N and the names of its query's fields, so that seventeen units'
    pages are one kind, and the dashboard filtered by status another."""
    parts = urlsplit(url)
    fields = sorted({pair.split("=", 1)[0] for pair in parts.query.split("&") if pair})
    return re.sub(r"/\d+(?=/|$)", "/N", parts.path) + ("?" + "&".join(fields) if fields else "")


def links_on(page, origin: str, within: str) -> list[str]:
    """The page's links to walk: within the role's part, no downloads, no language switch (the same page again)."""
    hrefs = page.locator("a[href]").evaluate_all("links => links.map(a => a.href.split('#')[0])")
    return [
        h
        for h in hrefs
        if h.startswith(origin + within) and not DOWNLOADS.search(urlsplit(h).path) and "lang=" not in urlsplit(h).query
    ]


def walk(page, starts: list[str], origin: str, within: str) -> dict[str, list[str]]:
    """Breadth first from ``starts``, one page of each kind; what is wrong with each page, by its path."""
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    found: dict[str, list[str]] = {}
    seen = {shape(start) for start in starts}
    queue = deque(starts)
    while queue and len(found) < MOST_PAGES:
        url = queue.popleft()
        errors.clear()
        response = page.goto(url)
        problems = [f"HTTP {response.status}"] if response is None or response.status >= 400 else []
        problems += [f"sideways: {e}" for e in page.evaluate(OVERFLOWING)]
        problems += [f"console: {e}" for e in errors]
        found[url.removeprefix(origin)] = problems
        for link in links_on(page, origin, within):
            if shape(link) not in seen:
                seen.add(shape(link))
                queue.append(link)
    return found


def check_axe(page, origin: str, paths: list[str]) -> dict[str, list[str]]:
    found = {}
    for path in paths:
        page.goto(origin + path)
        found[path] = violations(page)
    return found


@pytest.fixture(params=[True, False], ids=["with JavaScript", "without JavaScript"])
def phone(browser, request):
    context = browser.new_context(
        locale="sv-SE", viewport={"width": 320, "height": 640}, java_script_enabled=request.param
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def with_javascript(request) -> bool:
    """axe needs a page's script, and checks the same pages whichever way they were walked: once is enough."""
    return request.node.callspec.params["phone"]


def report(found: dict[str, list[str]]) -> str:
    return "\n".join(f"{path}: {problems[:6]}" for path, problems in found.items() if problems)


def test_every_page_a_coordinator_can_reach_loads_reflows_and_passes_axe(
    app, runner, live_server, phone, page, request
):
    demo(app, runner)
    log_in(phone, live_server, "admin-test@example.org")
    walked = walk(phone, [live_server + "/samordning/"], live_server, "/samordning")
    # The demo reaches the register, a round's pages, the outbox, accounts and the log: this is a walk, not a visit.
    assert len(walked) >= 30, sorted(walked)
    assert not report(walked), report(walked)
    if with_javascript(request):
        log_in(page, live_server, "admin-test@example.org")
        found = check_axe(page, live_server, list(walked))
        assert not report(found), report(found)


def test_every_page_a_contact_person_can_reach_loads_reflows_and_passes_axe(
    app, runner, live_server, phone, page, request
):
    links = demo(app, runner)
    link = links["Centrum mot våld"].replace("http://127.0.0.1:5000", live_server)
    phone.goto(link)
    # The review page is reached by a button (it saves first), not a link.
    walked = walk(phone, [phone.url, phone.url.rstrip("/") + "/granska"], live_server, "/svar")
    assert len(walked) >= 10, sorted(walked)
    assert not report(walked), report(walked)
    if with_javascript(request):
        page.goto(link)
        found = check_axe(page, live_server, list(walked))
        assert not report(found), report(found)
