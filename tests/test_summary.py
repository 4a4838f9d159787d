"""The published summary page: aggregates and the good examples units agreed to publish and the coordinator
approved, nothing else."""

import pytest

from helpers import ROOT, World, login, post_form
from survey.extensions import db
from survey.models import Assignment, AuditEvent, Round
from survey.public.summary import cleared_examples
from survey.security import content_security_policy

QUESTIONNAIRE = ROOT / "questionnaires" / "kartlaggning-vald.toml"


def submit_with(assignment, consent, examples, developments=()):
    good, areas = assignment.definition.question("goda_exempel"), assignment.definition.question("utvecklingsomraden")
    assignment.save_values(
        {
            ("publicering", 0): consent,
            ("svarande_namn", 0): "Namn Namnsson",
            ("storsta_behov", 0): "Hemligt behov som inte ska publiceras",
        }
    )
    for title, codes in examples:
        index = assignment.add_entry(good)
        assignment.save_values(
            {
                ("exempel_rubrik", index): title,
                ("exempel_valdsomraden", index): codes,
                ("exempel_kontaktuppgift", index): "cmv@example.org",
                ("exempel_publicering", index): "ja",
            }
        )
    for title, codes in developments:
        index = assignment.add_entry(areas)
        assignment.save_values({("utveckling_rubrik", index): title, ("utveckling_valdsomraden", index): codes})
    assignment.submit()


@pytest.fixture
def published(app):
    world = World(app, QUESTIONNAIRE)
    with app.app_context():
        first, second, _third = (db.session.get(Assignment, i) for i in world.assignment_ids)
        submit_with(
            first,
            "ja",
            [("Våga fråga", ["nara_relationer", "heder"])],
            [("Rutin saknas för våldsutövare", ["nara_relationer"])],
        )
        submit_with(second, "nej", [("Exempel utan medgivande", ["sexuellt_vald"])])
        db.session.commit()
    coordinator = app.test_client()
    login(coordinator)
    page = f"/samordning/omgang/{world.round_id}"
    response = post_form(coordinator, f"{page}/publicera", {"publish": "1"}, page=page)
    assert response.status_code == 303
    approve_all(app, coordinator, world.round_id)
    return world, coordinator


def approve_all(app, coordinator, round_id):
    """The coordinator approves every cleared example in the preview."""
    preview = f"/samordning/omgang/{round_id}/goda-exempel"
    with app.app_context():
        examples = [(e.assignment_id, e.entry_index) for e in cleared_examples(db.session.get(Round, round_id))]
    for assignment_id, index in examples:
        data = {"assignment_id": assignment_id, "entry_index": index, "approve": "1"}
        assert post_form(coordinator, preview, data).status_code == 303


def test_nothing_is_public_until_the_coordinator_publishes(app, client):
    world = World(app, QUESTIONNAIRE)
    assert client.get(f"/sammanstallning/{world.round_id}").status_code == 404


def test_summary_shows_response_areas_and_only_consented_examples(app, client, published):
    world, _coordinator = published
    response = client.get(f"/sammanstallning/{world.round_id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "2 av 3 verksamheter har svarat (67" in html
    assert '<th scope="row">Individ- och familjenämnden</th><td>2</td><td>2</td>' in html
    # Goda exempel and utvecklingsområden per violence area, across everyone who submitted.
    assert '<th scope="row">Våld i nära relationer</th><td>1</td><td>1</td>' in html
    assert '<th scope="row">Sexuellt våld</th><td>1</td><td>0</td>' in html
    assert "Våga fråga" in html and "Centrum mot våld" in html
    assert "cmv@example.org" not in html, "the contact field is not public"
    assert "Exempel utan medgivande" not in html, "a unit that said no is not published"
    assert "Rutin saknas för våldsutövare" not in html and "Hemligt behov" not in html and "Namn Namnsson" not in html
    front = client.get("/").get_data(as_text=True)
    assert f'href="/sammanstallning/{world.round_id}">Kartläggning 2026</a>' in front


def test_a_reopened_units_unsent_edits_never_reach_the_public_page(app, client, published):
    world, _coordinator = published
    with app.app_context():
        first = db.session.get(Assignment, world.assignment_ids[0])
        first.reopen("Komplettera")
        index = first.entries(first.definition.question("goda_exempel"))[0]
        first.save_values({("exempel_rubrik", index): "UTKAST som inte är inskickat"})
        db.session.commit()
    html = client.get(f"/sammanstallning/{world.round_id}").get_data(as_text=True)
    assert "UTKAST" not in html and "Våga fråga" not in html, "gone until it is submitted again"
    assert "1 av 3 verksamheter har svarat" in html
    assert "preliminär" in html, "the round is still open"


def test_summary_page_may_be_framed_by_the_plans_web_page(app, client, published):
    world, _coordinator = published
    app.config["PUBLIC_FRAME_ANCESTORS"] = "https://www.umea.se"
    response = client.get(f"/sammanstallning/{world.round_id}")
    assert "frame-ancestors https://www.umea.se" in response.headers["Content-Security-Policy"]
    assert response.headers["Content-Security-Policy"] == content_security_policy(frame_ancestors="https://www.umea.se")
    assert "X-Frame-Options" not in response.headers
    other = client.get("/tillganglighet")
    assert "frame-ancestors 'none'" in other.headers["Content-Security-Policy"]
    assert other.headers["X-Frame-Options"] == "DENY"


def test_withdrawing_the_summary_and_the_audit_trail(app, client, published):
    world, coordinator = published
    page = f"/samordning/omgang/{world.round_id}"
    assert "Sluta publicera" in coordinator.get(page).get_data(as_text=True)
    post_form(coordinator, f"{page}/publicera", {"publish": "0"}, page=page)
    assert client.get(f"/sammanstallning/{world.round_id}").status_code == 404
    assert "/sammanstallning/" not in client.get("/").get_data(as_text=True)
    with app.app_context():
        actions = [
            e.action for e in db.session.query(AuditEvent).order_by(AuditEvent.id) if e.round_id == world.round_id
        ]
    assert actions[-3:] == ["summary_published", "example_approved", "summary_withdrawn"]
