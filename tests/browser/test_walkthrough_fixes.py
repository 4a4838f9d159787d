"""What the newcomer walk-through of issue 20 found in a real browser, each kept fixed."""

import re

from playwright.sync_api import expect


def test_saving_while_an_autosave_is_on_its_way_is_not_taken_for_a_colleague(live_server, page, world):
    """Typing, pausing three seconds and clicking "Spara och gå vidare" while the autosave is still on its way:
    the button's post must carry the version that autosave made, or the server reads our own autosave as a
    colleague's edit and says so."""
    held = []

    def hold_autosave_reply(route):
        request = route.request
        if request.method == "POST" and b'name="action"\r\n\r\nautosave' in (request.post_data_buffer or b""):
            held.append((route, route.fetch()))  # the server has saved; the page has not heard back yet
        else:
            route.continue_()

    page.goto(live_server + world.link())
    page.get_by_role("link", name="Börja fylla i").click()
    page.route(re.compile(r".*/avsnitt/.*"), hold_autosave_reply)
    page.get_by_label("Vem fyller i?").fill("Anna Andersson")
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(100)
    assert held, "the autosave went out"
    page.get_by_role("button", name="Spara och gå vidare").click()
    page.wait_for_timeout(500)
    route, reply = held.pop()
    route.fulfill(response=reply)
    expect(page.locator("h1")).not_to_have_text("Grunduppgifter", timeout=8000)
    expect(page.locator("main")).not_to_contain_text("En kollega har sparat")
    page.go_back()
    page.reload()
    expect(page.get_by_label("Vem fyller i?")).to_have_value("Anna Andersson")
