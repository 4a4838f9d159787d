"""No page offers what its server would refuse: a submitted unit's template, a draft round's links."""

from sqlalchemy import func, select

from helpers import csrf_from, fill_and_submit, login, new_round_of_one_unit
from survey.extensions import db
from survey.models import AccessToken, Assignment, Round

TEMPLATE_OFFER = "Ladda ned svarsmall för att svara i Excel"


def test_a_submitted_units_page_offers_no_template_and_its_route_says_why(app, client, world):
    fill_and_submit(app.test_client(), world)
    login(client)
    unit_page = f"/samordning/svar/{world.assignment_ids[0]}"
    page = client.get(unit_page).get_data(as_text=True)
    assert TEMPLATE_OFFER not in page
    assert "Öppna dem igen innan du läser in en fil" in page
    response = client.get(f"{unit_page}/mall.xlsx")
    assert response.status_code == 303 and response.headers["Location"].endswith(unit_page)
    assert "Öppna dem igen innan du läser in en fil" in client.get(unit_page).get_data(as_text=True)
    # A unit still answering gets both.
    other = f"/samordning/svar/{world.assignment_ids[1]}"
    assert TEMPLATE_OFFER in client.get(other).get_data(as_text=True)
    assert client.get(f"{other}/mall.xlsx").mimetype.endswith("spreadsheetml.sheet")


def test_the_contact_person_gets_no_template_once_submitted(app, client, world):
    fill_and_submit(client, world)
    assignment_id = world.assignment_ids[0]
    start = client.get(f"/svar/{assignment_id}").get_data(as_text=True)
    assert "Alla frågor som Excel-fil" not in start
    response = client.get(f"/svar/{assignment_id}/mall.xlsx", follow_redirects=True)
    assert "Svaren är inskickade och kan inte ändras med en fil" in response.get_data(as_text=True)


def draft_round(app, client) -> tuple[int, int]:
    new_round_of_one_unit(app, client)
    with app.app_context():
        round_ = db.session.scalars(select(Round).where(Round.name == "Kultur 2027")).one()
        return round_.id, db.session.scalars(select(Assignment.id).where(Assignment.round_id == round_.id)).one()


def tokens(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AccessToken))


def test_a_draft_round_offers_no_links_and_refuses_them(app, client, world):
    round_id, assignment_id = draft_round(app, client)
    page = client.get(f"/samordning/omgang/{round_id}").get_data(as_text=True)
    assert "Ladda ned nya länkar för alla" not in page
    before = tokens(app)
    response = client.post(f"/samordning/omgang/{round_id}/lankar.csv", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 303
    assert "öppna den innan du delar ut länkar" in client.get(response.headers["Location"]).get_data(as_text=True)
    unit_page = client.get(f"/samordning/svar/{assignment_id}").get_data(as_text=True)
    assert "Skapa ny länk" not in unit_page
    response = client.post(f"/samordning/svar/{assignment_id}/ny-lank", data={"csrf_token": csrf_from(unit_page)})
    assert response.status_code == 303
    assert tokens(app) == before
    # Once opened, the same offers are there.
    page = client.get(f"/samordning/omgang/{world.round_id}").get_data(as_text=True)
    assert "Ladda ned nya länkar för alla" in page
