"""The coordinator's round page, dashboard and unit page as issue 20's walk-through found them."""

import re
from datetime import timedelta

from sqlalchemy import select

from helpers import csrf_from, fill_and_submit, login, new_round_of_one_unit
from survey.db import utcnow
from survey.extensions import db
from survey.models import Assignment, OutboxMessage, Round


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def draft_round_of_one_unit(app, client) -> int:
    """A draft round (not yet opened) for one unit, made as the coordinator makes it."""
    new_round_of_one_unit(app, client)
    with app.app_context():
        return db.session.scalar(select(Round.id).where(Round.name == "Kultur 2027"))


def test_counts_on_the_round_page_agree_with_their_number(app, client, world):
    round_id = draft_round_of_one_unit(app, client)
    one = text_of(client.get(f"/samordning/omgang/{round_id}"))
    assert "0 av 1 verksamhet har skickat in" in one
    assert "Visar 1 av 1 verksamhet." in one
    assert "1 verksamheter" not in one
    three = text_of(client.get(f"/samordning/omgang/{world.round_id}"))
    assert "0 av 3 verksamheter har skickat in" in three
    assert "Visar 3 av 3 verksamheter." in three


def test_counts_on_the_round_page_agree_in_english_too(app, client, world):
    round_id = draft_round_of_one_unit(app, client)
    page = text_of(client.get(f"/samordning/omgang/{round_id}?lang=en"))
    assert "0 of 1 unit has submitted" in page
    assert "Showing 1 of 1 unit." in page


def test_a_draft_round_offers_opening_and_editing_not_publishing_or_downloads(app, client, world):
    round_id = draft_round_of_one_unit(app, client)
    response = client.get(f"/samordning/omgang/{round_id}")
    html = response.get_data(as_text=True)
    assert "Öppna omgången" in html and "Ändra omgången" in html
    assert "Publicera sammanställningen" not in html
    assert f"/samordning/omgang/{round_id}/sammanstallning.xlsx" not in html
    assert f"/samordning/omgang/{round_id}/rapport" not in html
    assert "Omgången är ett utkast" in text_of(response), "says plainly why there is nothing to download yet"


def test_the_server_refuses_publishing_and_downloads_of_a_draft_round_with_a_message(app, client, world):
    round_id = draft_round_of_one_unit(app, client)
    token = csrf_from(client.get(f"/samordning/omgang/{round_id}").get_data(as_text=True))
    published = client.post(
        f"/samordning/omgang/{round_id}/publicera", data={"csrf_token": token, "publish": "1"}, follow_redirects=True
    )
    assert published.status_code == 200
    assert "Öppna omgången innan sammanställningen publiceras." in text_of(published)
    with app.app_context():
        assert db.session.get(Round, round_id).published_dt is None
    for url in (
        f"/samordning/omgang/{round_id}/sammanstallning.xlsx",
        f"/samordning/omgang/{round_id}/rapport",
        f"/samordning/omgang/{round_id}/rapport.pdf",
    ):
        response = client.get(url)
        assert response.status_code == 303, url
        page = client.get(response.headers["Location"])
        assert "Omgången är ett utkast" in text_of(page), url


def press(client, round_id, action, data):
    token = csrf_from(client.get(f"/samordning/omgang/{round_id}").get_data(as_text=True))
    return client.post(f"/samordning/omgang/{round_id}/{action}", data={"csrf_token": token, **data})


def reminders_queued(app) -> int:
    with app.app_context():
        return len(db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "reminder")).all())


def test_before_any_invitation_only_inviting_is_offered_and_reminding_is_refused(app, client, world):
    login(client)
    html = client.get(f"/samordning/omgang/{world.round_id}").get_data(as_text=True)
    assert "Bjud in alla som inte bjudits in" in html
    assert "Påminn alla som inte skickat in" not in html
    response = press(client, world.round_id, "paminnelse", {"all": "1"})
    page = text_of(client.get(response.headers["Location"]))
    assert reminders_queued(app) == 0
    assert "Ingen har bjudits in än" in page


def test_a_reminder_goes_only_to_those_invited_and_not_submitted(app, client, world):
    fill_and_submit(app.test_client(), world, 2)
    with app.app_context():
        first = db.session.get(Assignment, world.assignment_ids[0])
        first.invited_dt = utcnow() - timedelta(days=10)
        db.session.get(Assignment, world.assignment_ids[2]).invited_dt = utcnow() - timedelta(days=10)
        db.session.commit()
    login(client)
    assert "Påminn alla som inte skickat in" in client.get(f"/samordning/omgang/{world.round_id}").get_data(
        as_text=True
    )
    press(client, world.round_id, "paminnelse", {"all": "1"})
    with app.app_context():
        reminded = {a.id for a in db.session.scalars(select(Assignment)) if a.reminder_count}
    assert reminded == {world.assignment_ids[0]}, "not the uninvited one, not the one that submitted"


def test_right_after_the_invitations_remind_all_says_when_they_went_and_sends_nothing(app, client, world):
    login(client)
    press(client, world.round_id, "inbjudan", {"all": "1"})
    page = text_of(client.get(f"/samordning/omgang/{world.round_id}"))
    assert re.search(r"Inbjudningarna skickades för \d+ \w+ sedan", page), "in the past, not 'om 1 sekund'"
    response = press(client, world.round_id, "paminnelse", {"all": "1"})
    assert reminders_queued(app) == 0
    text = text_of(response) if response.status_code == 200 else text_of(client.get(response.headers["Location"]))
    assert "bjöds in" in text or "Inbjudan skickades" in text


def test_a_submitted_units_page_offers_reopening_not_importing_and_the_server_refuses_an_import(app, client, world):
    fill_and_submit(app.test_client(), world, 0)
    login(client)
    unit_page = f"/samordning/svar/{world.assignment_ids[0]}"
    response = client.get(unit_page)
    html = response.get_data(as_text=True)
    assert f"/samordning/svar/{world.assignment_ids[0]}/importera" not in html
    assert "Öppna igen med kommentar" in html
    assert "Svaren är inskickade. Öppna dem igen innan du läser in en fil." in text_of(response)
    refused = client.get(f"{unit_page}/importera")
    assert refused.status_code == 200
    assert "Svaren är inskickade. Öppna dem igen innan du läser in en fil." in text_of(refused)
    assert 'type="file"' not in refused.get_data(as_text=True)
    other = client.get(f"/samordning/svar/{world.assignment_ids[1]}").get_data(as_text=True)
    assert f"/samordning/svar/{world.assignment_ids[1]}/importera" in other, "a unit still answering may import"
