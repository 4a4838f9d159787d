"""The contact person uploads the filled-in offline template themselves, and the receipt link outlives the round."""

import io
import re
from datetime import datetime

import openpyxl
from sqlalchemy import select

from helpers import FULL_FIRST_SECTION, csrf_from, fill_and_submit, open_form, post_form, status_of, stored
from survey.extensions import db
from survey.models import AuditEvent, OutboxMessage, Round
from test_offline import add_entry, answer_cell, as_bytes, fill


def own_template(client, assignment_id):
    response = client.get(f"/svar/{assignment_id}/mall.xlsx")
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(response.data))


def upload(client, assignment_id, workbook, name="arbetsplatstraff.xlsx"):
    data = workbook if isinstance(workbook, bytes) else as_bytes(workbook)
    url = f"/svar/{assignment_id}/las-in"
    return post_form(client, url, {"file": (io.BytesIO(data), name)})


def confirm(client, assignment_id):
    return post_form(client, f"/svar/{assignment_id}/las-in/bekrafta", {}, page=f"/svar/{assignment_id}/las-in")


def test_the_start_page_offers_the_upload(client, world):
    open_form(client, world)
    start = client.get(f"/svar/{world.assignment_ids[0]}/").get_data(as_text=True)
    assert f'href="/svar/{world.assignment_ids[0]}/las-in"' in start
    page = client.get(f"/svar/{world.assignment_ids[0]}/las-in").get_data(as_text=True)
    assert "Ladda upp den ifyllda Excel-filen" in page and 'type="file"' in page


def test_a_contact_person_uploads_the_filled_template_after_a_preview(app, client, world):
    assignment_id = world.assignment_ids[0]
    open_form(client, world)
    workbook = own_template(client, assignment_id)
    fill(
        workbook,
        "Grunduppgifter",
        {
            "namn": "Anna Andersson",
            "huvudomrade": "Hedersrelaterat våld och förtryck",
            "utbildad": datetime(2026, 3, 1),
        },
    )
    add_entry(workbook, "Goda exempel", {"exempel_rubrik": "Våga fråga", "exempel_omraden:nara": "Ja"})
    add_entry(workbook, "Utvecklingsområden", {"utveckling_rubrik": "Rutiner", "utveckling_prioritet": "Hög"})

    preview = upload(client, assignment_id, workbook).get_data(as_text=True)
    assert "Filen har fel" not in preview, preview
    assert "Ingenting är sparat ännu." in preview
    assert "Gott exempel 1 (ny):" in preview and "Våga fråga" in preview
    shown = re.search(r"<caption[^>]*>(\d+) ändringar</caption>", preview).group(1)
    assert stored(app, assignment_id) == {}, "the preview writes nothing"

    response = confirm(client, assignment_id)
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/svar/{assignment_id}/granska")
    review = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"Svaren från filen är sparade: {shown} ändringar." in review
    answers = stored(app, assignment_id)
    assert answers[("namn", 0)] == "Anna Andersson" and "Våga fråga" in answers.values()
    assert status_of(app, assignment_id) == "in_progress", "submitting stays the review page's button"
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "answers_imported"))
        assert event.actor == f"kontaktperson för {world.unit_names[0]}" and event.user_id is None
        assert event.assignment_id == assignment_id and event.details["submitted"] is False

    again = confirm(client, assignment_id)
    assert "Inläsningen har gått ut" in client.get(again.headers["Location"]).get_data(as_text=True)


def test_errors_are_named_by_sheet_and_cell_and_nothing_is_saved(app, client, world):
    assignment_id = world.assignment_ids[0]
    open_form(client, world)
    post_form(client, world.section_url("grund"), {**FULL_FIRST_SECTION, "action": "save"})
    before = stored(app, assignment_id)
    workbook = own_template(client, assignment_id)
    fill(workbook, "Grunduppgifter", {"namn": "Någon annan", "anstallda": "många"})
    row = add_entry(workbook, "Utvecklingsområden", {"utveckling_rubrik": "Rutiner", "utveckling_prioritet": "Bråttom"})
    cell = answer_cell(workbook, "Grunduppgifter", "anstallda").coordinate

    response = upload(client, assignment_id, workbook)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Filen har fel – ingenting har sparats" in page
    assert f"Bladet ”Grunduppgifter”, cell {cell} (Antal anställda): Skriv ett heltal" in page
    assert re.search(rf"Bladet ”Utvecklingsområden”, cell [A-Z]+{row} \(Prioritet\): ”Bråttom” är inget av", page)
    assert "Spara svaren från filen" not in page, "nothing to confirm"
    assert confirm(client, assignment_id).status_code == 303
    assert stored(app, assignment_id) == before
    with app.app_context():
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "answers_imported")) is None


def test_a_file_that_is_not_a_template_gets_a_message(client, world):
    open_form(client, world)
    response = upload(client, world.assignment_ids[0], b"PK\x03\x04 not really a workbook", name="svar.xlsx")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Excel-arbetsbok" in page


def test_another_units_template_is_refused(client, world):
    other = app_client_for(world, client, 1)
    workbook = own_template(other, world.assignment_ids[1])
    open_form(client, world)
    page = upload(client, world.assignment_ids[0], workbook).get_data(as_text=True)
    assert f"Filen är mallen för ”{world.unit_names[1]}”, inte för ”{world.unit_names[0]}”" in page
    assert "Spara svaren från filen" not in page


def app_client_for(world, client, n):
    other = client.application.test_client()
    open_form(other, world, n)
    return other


def test_no_upload_after_submitting(app, client, world):
    assignment_id = world.assignment_ids[0]
    open_form(client, world)
    token = csrf_from(client.get(f"/svar/{assignment_id}/las-in").get_data(as_text=True))  # a tab left open
    workbook = own_template(client, assignment_id)  # downloaded before submitting
    fill_and_submit(client, world)
    before = stored(app, assignment_id)
    page = client.get(f"/svar/{assignment_id}/las-in").get_data(as_text=True)
    assert "Svaren är inskickade och kan inte ändras med en fil" in page and 'type="file"' not in page
    start = client.get(f"/svar/{assignment_id}/").get_data(as_text=True)
    assert "/las-in" not in start
    fill(workbook, "Grunduppgifter", {"namn": "Någon annan"})
    response = client.post(
        f"/svar/{assignment_id}/las-in", data={"csrf_token": token, "file": (io.BytesIO(as_bytes(workbook)), "a.xlsx")}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Spara svaren från filen" not in page and "kan inte ändras" in page
    assert stored(app, assignment_id) == before


def test_an_upload_waiting_when_the_round_closes_is_not_saved(app, client, world):
    assignment_id = world.assignment_ids[0]
    open_form(client, world)
    workbook = own_template(client, assignment_id)
    fill(workbook, "Grunduppgifter", {"namn": "Anna"})
    token = csrf_from(upload(client, assignment_id, workbook).get_data(as_text=True))
    with app.app_context():
        db.session.get(Round, world.round_id).state = "closed"
        db.session.commit()
    response = client.post(f"/svar/{assignment_id}/las-in/bekrafta", data={"csrf_token": token})
    assert "Omgången är stängd" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert stored(app, assignment_id) == {}


def test_the_receipt_link_shows_the_submitted_answers_after_the_round_closes(app, world):
    assignment_id = world.assignment_ids[0]
    fill_and_submit(app.test_client(), world)
    with app.app_context():
        body = db.session.scalar(select(OutboxMessage.body).where(OutboxMessage.kind == "receipt"))
        link = re.search(r"https?://[^/\s]+(/svar/lank/\S+)", body).group(1)
        assert "även sedan omgången har stängt" in body
        db.session.get(Round, world.round_id).state = "closed"
        db.session.commit()

    later = app.test_client()  # another day, another browser
    response = later.get(link)
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/svar/{assignment_id}/kvitto")
    receipt = later.get(response.headers["Location"]).get_data(as_text=True)
    assert "Tack! Svaren är inskickade" in receipt and "Våga fråga" in receipt
    start = later.get(f"/svar/{assignment_id}/").get_data(as_text=True)
    assert "Omgången är stängd; du kan läsa svaren men inte ändra dem." in start
    assert later.get(f"/svar/{assignment_id}/svar.xlsx").status_code == 200
    saved = post_form(later, world.section_url("grund"), {**FULL_FIRST_SECTION, "namn": "Ändrat", "action": "save"})
    assert saved.status_code == 303
    assert stored(app, assignment_id)[("namn", 0)] == "Anna Andersson", "read-only"


def test_an_unsubmitted_units_link_still_says_the_round_is_closed(app, client, world):
    with app.app_context():
        db.session.get(Round, world.round_id).state = "closed"
        db.session.commit()
    response = client.get(world.link(0))
    assert response.status_code == 410 and "avslutad" in response.get_data(as_text=True)
