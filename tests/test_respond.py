"""The contact person's path: link, form, drafts, repeating groups, review, submit."""

import re

import pytest
from sqlalchemy import select

from helpers import FULL_FIRST_SECTION, fill_and_submit, open_form, post_form, status_of, stored
from survey.extensions import db
from survey.models import Assignment, AuditEvent, Round


def test_link_opens_a_session_and_redirects_to_a_url_without_the_token(client, world):
    response = open_form(client, world)
    assert response.headers["Location"] == f"/svar/{world.assignment_ids[0]}/"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    token = world.tokens[0]
    start = client.get(response.headers["Location"])
    assert start.status_code == 200
    page = start.get_data(as_text=True)
    assert "Centrum mot våld" in page and "Kartläggning 2026" in page
    assert "<strong>senast</strong>" in page  # the coordinator's instructions, as Markdown
    for url in ("/svar/1/", world.section_url("grund"), world.section_url("exempel")):
        assert token not in client.get(url).get_data(as_text=True)


def test_token_is_stored_only_as_a_hash(app, world):
    with app.app_context():
        assignment = db.session.get(Assignment, world.assignment_ids[0])
        [token] = assignment.tokens
        assert token.token_hash != world.tokens[0] and len(token.token_hash) == 64
        assert world.tokens[0] not in str(vars(token))
        assert Assignment.by_token(world.tokens[0]).id == assignment.id
    assert len(world.tokens[0]) >= 43  # 32 random bytes, 256 bits


def test_unknown_link_is_a_friendly_404(client, world):
    response = client.get("/svar/lank/inte-en-riktig-token")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "Länken fungerar inte" in page
    assert "samordnare@example.org" in page


def test_without_a_configured_address_no_staff_login_is_shown_to_the_public(app, client, world):
    app.config["COORDINATOR_EMAIL"] = ""
    page = client.get("/svar/lank/inte-en-riktig-token").get_data(as_text=True)
    assert "samordnare@example.org" not in page and "mailto:" not in page
    assert "Kontakta samordnaren för arbetet mot våld i din kommun" in page
    assert "samordnare@example.org" not in client.get("/tillganglighet").get_data(as_text=True)


def test_closed_round_link_is_a_friendly_410(app, client, world):
    with app.app_context():
        db.session.get(Round, world.round_id).state = "closed"
        db.session.commit()
    response = client.get(world.link())
    assert response.status_code == 410
    page = response.get_data(as_text=True)
    assert "<h1>Kartläggningen är avslutad</h1>" in page and "Länken fungerar inte" not in page
    assert "ny länk" not in page, "the link is fine; a new one would not help"


def test_a_mailed_link_keeps_the_earlier_ones_working(app, client, world):
    with app.app_context():
        mailed = db.session.get(Assignment, world.assignment_ids[0]).issue_token(keep_earlier=True)
        db.session.commit()
    assert client.get(world.link()).status_code == 303
    assert client.get(f"/svar/lank/{mailed}").status_code == 303


def test_reissued_link_revokes_the_old_one(app, client, world):
    with app.app_context():
        new_token = db.session.get(Assignment, world.assignment_ids[0]).issue_token()
        db.session.commit()
    assert client.get(world.link()).status_code == 404
    assert client.get(f"/svar/lank/{new_token}").status_code == 303


def test_someone_elses_assignment_is_a_404(client, world):
    open_form(client, world, 0)
    other = world.assignment_ids[1]
    for url in (f"/svar/{other}/", f"/svar/{other}/avsnitt/grund", f"/svar/{other}/granska", f"/svar/{other}/kvitto"):
        assert client.get(url).status_code == 404
    assert client.post(f"/svar/{other}/avsnitt/grund", data={"namn": "x"}).status_code == 404


def test_without_opening_the_link_nothing_is_reachable(client, world):
    assert client.get(f"/svar/{world.assignment_ids[0]}/").status_code == 404


def test_form_renders_every_question_type(client, world):
    open_form(client, world)
    page = client.get(world.section_url("grund")).get_data(as_text=True)
    assert 'name="namn" type="text"' in page
    assert "<textarea" in page and 'name="uppdrag"' in page and 'data-max-length="50"' in page
    assert "maxlength" not in page  # a browser would cut pasted text silently
    assert 'name="anstallda"' in page and 'inputmode="decimal"' in page
    assert page.count('type="radio" name="huvudomrade"') == 0 or 'name="huvudomrade" type="radio"' in page
    assert 'name="huvudomrade" type="radio" value="heder"' in page
    assert 'name="omraden" type="checkbox" value="sexuellt"' in page
    assert 'name="samverkan_betyg" type="radio" value="5"' in page and "Mycket bra" in page
    assert 'name="rutin" type="radio" value="delvis"' in page
    assert re.search(r'<input[^>]* name="utbildad"[^>]* type="text"', page) and "ÅÅÅÅ-MM-DD" in page
    assert "<legend>Våldsområden</legend>" in page
    assert "Avsnitt 1 av 2" in page


def test_draft_is_saved_and_shown_again(app, client, world):
    open_form(client, world)
    response = post_form(client, world.section_url("grund"), {**FULL_FIRST_SECTION, "action": "save"})
    assert response.status_code == 303
    assert response.headers["Location"] == world.section_url("grund") + "#main"  # back at the content, by "Sparat"
    values = stored(app, world.assignment_ids[0])
    assert values[("namn", 0)] == "Anna Andersson"
    assert values[("anstallda", 0)] == 1250
    assert values[("andel", 0)] == 12.5
    assert values[("omraden", 0)] == ["nara", "sexuellt"]
    assert values[("samverkan_betyg", 0)] == 4
    assert values[("utbildad", 0)] == "2026-03-01"
    assert status_of(app, world.assignment_ids[0]) == "in_progress"
    page = client.get(world.section_url("grund")).get_data(as_text=True)
    assert "Sparat kl." in page
    assert 'value="Anna Andersson"' in page
    assert 'value="1 250"' in page or 'value="1\xa0250"' in page
    assert 'value="12,5"' in page
    assert 'checked id="samverkan_betyg-3" name="samverkan_betyg" type="radio" value="4"' in page
    assert 'checked id="omraden-2" name="omraden" type="checkbox" value="sexuellt"' in page
    assert 'value="2026-03-01"' in page


def test_draft_survives_a_new_browser_session(app, client, world):
    open_form(client, world)
    post_form(client, world.section_url("grund"), {"namn": "Bo", "action": "save"})
    fresh = app.test_client()
    fresh.get(world.link())
    assert 'value="Bo"' in fresh.get(world.section_url("grund")).get_data(as_text=True)


def test_invalid_input_keeps_everything_typed_and_saves_the_valid_rest(app, client, world):
    open_form(client, world)
    response = post_form(
        client,
        world.section_url("grund"),
        {"namn": "Cecilia", "anstallda": "många", "andel": "140", "uppdrag": "x" * 51, "action": "next"},
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Det finns fel att rätta" in page
    # A whole number asked for: the message says so from the start, never "12,5" and then "no decimals".
    assert "Skriv ett heltal, till exempel 12." in page and "12 eller 12,5" not in page
    assert "Antal anställda – Skriv ett heltal" in page, "the summary names the question, then what to do"
    assert "Talet får inte vara större än 100." in page
    assert "Texten får vara högst 50 tecken, men är" in page
    assert 'value="många"' in page and 'value="140"' in page and "x" * 51 in page
    assert 'href="#anstallda"' in page
    values = stored(app, world.assignment_ids[0])
    assert values == {("namn", 0): "Cecilia"}


def test_required_questions_are_not_enforced_on_a_draft(app, client, world):
    open_form(client, world)
    response = post_form(client, world.section_url("grund"), {"uppdrag": "Bara detta", "action": "next"})
    assert response.status_code == 303
    assert response.headers["Location"] == world.section_url("exempel")


def test_group_entries_are_added_and_removed_without_javascript(app, client, world):
    open_form(client, world)
    url = world.section_url("exempel")
    first = post_form(client, url, {"action": "add:goda_exempel"})
    assert first.headers["Location"] == f"{url}#post-goda_exempel-1"
    post_form(client, url, {"exempel_rubrik-1": "Skolprojekt", "action": "add:goda_exempel"})
    post_form(
        client,
        url,
        {
            "exempel_rubrik-1": "Skolprojekt",
            "exempel_rubrik-2": "Frukostmöten",
            "exempel_omraden-2": ["heder"],
            "action": "save",
        },
    )
    page = client.get(url).get_data(as_text=True)
    assert "Gott exempel 1" in page and "Gott exempel 2" in page
    assert 'value="Skolprojekt"' in page and 'value="Frukostmöten"' in page

    asked = post_form(
        client,
        url,
        {
            "exempel_rubrik-1": "Skolprojekt",
            "exempel_rubrik-2": "Frukostmöten",
            "exempel_omraden-2": ["heder"],
            "action": "remove:goda_exempel:1",
        },
    )
    confirm_url = asked.headers["Location"]
    assert confirm_url == f"{url}/ta-bort/goda_exempel/1"
    confirm_page = client.get(confirm_url).get_data(as_text=True)
    assert "Vill du ta bort gott exempel 1?" in confirm_page and "Skolprojekt" in confirm_page
    assert len(stored(app, world.assignment_ids[0])) == 5  # nothing removed before confirming
    post_form(client, confirm_url, {"confirm": "yes"})
    values = stored(app, world.assignment_ids[0])
    assert values == {
        ("goda_exempel", 2): True,
        ("exempel_rubrik", 2): "Frukostmöten",
        ("exempel_omraden", 2): ["heder"],
    }
    page = client.get(url).get_data(as_text=True)
    assert "Skolprojekt" not in page and 'value="Frukostmöten"' in page


def test_declining_removal_keeps_the_entry(app, client, world):
    open_form(client, world)
    url = world.section_url("exempel")
    post_form(client, url, {"action": "add:goda_exempel"})
    post_form(client, f"{url}/ta-bort/goda_exempel/1", {"confirm": "no"})
    assert ("goda_exempel", 1) in stored(app, world.assignment_ids[0])


def test_expired_csrf_token_rerenders_the_text_instead_of_losing_it(app, client, world):
    open_form(client, world)
    response = client.post(
        world.section_url("grund"),
        data={"csrf_token": "stale", "namn": "Text som inte får försvinna", "action": "save"},
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "tryck på Spara igen" in page
    assert 'value="Text som inte får försvinna"' in page
    assert stored(app, world.assignment_ids[0]) == {}


def test_review_lists_missing_required_answers_and_blocks_submit(app, client, world):
    open_form(client, world)
    post_form(client, world.section_url("exempel"), {"action": "add:goda_exempel"})
    post_form(client, world.section_url("exempel"), {"action": "add:goda_exempel"})
    post_form(client, world.section_url("exempel"), {"exempel_omraden-2": ["nara"], "action": "save"})
    review = client.get(f"/svar/{world.assignment_ids[0]}/granska").get_data(as_text=True)
    assert "Obligatoriska frågor utan svar" in review
    missing = review[review.index("Obligatoriska frågor utan svar") : review.index("</ul>")]
    assert "Grunduppgifter: Vem fyller i?" in missing and "Grunduppgifter: Viktigaste våldsområdet" in missing
    # The half-filled card is named by section and number; the empty card asks for nothing.
    assert "Goda exempel: Gott exempel 2: Rubrik" in missing and "Gott exempel 1" not in missing
    assert 'href="/svar/1/avsnitt/exempel#exempel_rubrik-2"' in missing, "the link leads to the field itself"
    response = post_form(
        client, f"/svar/{world.assignment_ids[0]}/skicka-in", {}, page=f"/svar/{world.assignment_ids[0]}/granska"
    )
    assert response.headers["Location"] == f"/svar/{world.assignment_ids[0]}/granska"
    assert status_of(app, world.assignment_ids[0]) == "in_progress"


def test_an_empty_card_added_by_mistake_does_not_block_submitting_and_is_dropped(app, client, world):
    open_form(client, world)
    post_form(client, world.section_url("grund"), {**FULL_FIRST_SECTION, "action": "save"})
    post_form(client, world.section_url("exempel"), {"action": "add:goda_exempel"})
    response = post_form(
        client, f"/svar/{world.assignment_ids[0]}/skicka-in", {}, page=f"/svar/{world.assignment_ids[0]}/granska"
    )
    assert response.headers["Location"] == f"/svar/{world.assignment_ids[0]}/kvitto"
    assert not any(key == "goda_exempel" for key, _index in stored(app, world.assignment_ids[0]))


def test_submit_gives_a_receipt_and_locks_the_form(app, client, world):
    response = fill_and_submit(client, world)
    assert response.headers["Location"] == f"/svar/{world.assignment_ids[0]}/kvitto"
    receipt = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Tack! Svaren är inskickade" in receipt
    assert f"K{world.round_id}-" in receipt
    assert "Våga fråga" in receipt and "Hög" in receipt and "Delvis" in receipt
    assert "12,5 %" in receipt
    assert status_of(app, world.assignment_ids[0]) == "submitted"

    before = stored(app, world.assignment_ids[0])
    locked = post_form(client, world.section_url("grund"), {"namn": "Ändrat efteråt", "action": "save"})
    assert locked.status_code == 303
    assert stored(app, world.assignment_ids[0]) == before
    assert "disabled" in client.get(world.section_url("grund")).get_data(as_text=True)


def test_review_page_shows_labels_and_change_links(client, world):
    open_form(client, world)
    post_form(client, world.section_url("grund"), {**FULL_FIRST_SECTION, "action": "save"})
    review = client.get(f"/svar/{world.assignment_ids[0]}/granska").get_data(as_text=True)
    assert "Kontrollera dina svar" in review
    assert "Hedersrelaterat våld och förtryck" in review
    assert "Våld i nära relationer, Sexuellt våld" in review
    assert f'href="{world.section_url("grund")}"' in review


def test_saves_are_audited_without_answer_text(app, client, world):
    open_form(client, world)
    post_form(client, world.section_url("grund"), {"namn": "Hemlig text", "action": "save"})
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        actions = [e.action for e in events]
        assert actions == ["link_opened", "answers_saved"]
        assert events[1].details == {"section": "grund", "keys": ["namn"]}
        assert all("Hemlig" not in str(e.details) + e.actor for e in events)


def test_section_list_shows_progress(client, world):
    open_form(client, world)
    post_form(client, world.section_url("grund"), {"uppdrag": "Något", "action": "save"})
    start = client.get(f"/svar/{world.assignment_ids[0]}/").get_data(as_text=True)
    assert "Påbörjat" in start and "Ej påbörjat" in start
    assert "Fortsätt där du slutade" in start


def test_a_line_break_counts_as_one_character_as_in_the_browser(app, client, world):
    open_form(client, world)
    text = "\r\n".join(["x" * 9] * 5)  # 45 characters and 4 line breaks: 49 in the browser's counter
    response = post_form(client, world.section_url("grund"), {"uppdrag": text, "action": "save"})
    assert response.status_code == 303
    assert stored(app, world.assignment_ids[0])[("uppdrag", 0)] == text.replace("\r\n", "\n")


def test_a_date_that_does_not_exist_is_shown_back_with_a_message(app, client, world):
    open_form(client, world)
    response = post_form(
        client, world.section_url("grund"), {"namn": "Behålls", "utbildad": "2025-02-30", "action": "save"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Det datumet finns inte i kalendern." in page and 'value="2025-02-30"' in page
    assert stored(app, world.assignment_ids[0]) == {("namn", 0): "Behålls"}
    post_form(client, world.section_url("grund"), {"namn": "Behålls", "utbildad": "2026-3-1", "action": "save"})
    assert stored(app, world.assignment_ids[0])[("utbildad", 0)] == "2026-03-01"


def test_text_over_the_limit_is_shown_back_whole_not_cut(app, client, world):
    open_form(client, world)
    pasted = "Lång text " * 10
    response = post_form(client, world.section_url("grund"), {"uppdrag": pasted, "action": "save"})
    page = response.get_data(as_text=True)
    assert "Texten får vara högst 50 tecken, men är 100. Korta den och spara igen." in page and pasted.strip() in page
    assert ("uppdrag", 0) not in stored(app, world.assignment_ids[0])


def test_hostile_numbers_and_indexes_get_messages_not_errors(app, client, world):
    open_form(client, world)
    response = post_form(
        client, world.section_url("grund"), {"namn": "Behålls", "anstallda": "1E+400000", "action": "save"}
    )
    assert response.status_code == 200 and "Skriv ett heltal, till exempel 12." in response.get_data(as_text=True)
    odd = post_form(client, world.section_url("exempel"), {"action": "remove:goda_exempel:²"})
    assert odd.status_code == 303  # '²' passes isdigit() but not int(): once a 500
    assert stored(app, world.assignment_ids[0]) == {("namn", 0): "Behålls"}


def test_invalid_choices_and_dates_get_plain_swedish_messages(app, client, world):
    open_form(client, world)
    response = post_form(
        client,
        world.section_url("grund"),
        {
            "namn": "Behålls",
            "utbildad": "i våras",
            "huvudomrade": "hackad",
            "omraden": ["nara", "finns_inte"],
            "samverkan_betyg": "9",
            "action": "save",
        },
    )
    page = response.get_data(as_text=True)
    assert "Skriv datumet som ÅÅÅÅ-MM-DD, till exempel 2026-03-01, eller bara år och månad: 2026-03." in page
    assert page.count("Välj ett av alternativen som visas.") == 4  # two in the summary, two beside the fields
    assert "Välj bland alternativen som visas." in page
    assert 'value="i våras"' in page
    assert stored(app, world.assignment_ids[0]) == {("namn", 0): "Behålls"}


def test_going_back_to_the_start_page_saves_what_was_typed(app, client, world):
    open_form(client, world)
    page = client.get(world.section_url("grund")).get_data(as_text=True)
    assert 'value="start"' in page and "Spara och gå till startsidan" in page
    response = post_form(client, world.section_url("grund"), {"namn": "Anna", "action": "start"})
    assert response.status_code == 303 and response.headers["Location"] == f"/svar/{world.assignment_ids[0]}/"
    assert stored(app, world.assignment_ids[0]) == {("namn", 0): "Anna"}


def test_the_questions_can_be_printed_blank_before_answering(client, world):
    open_form(client, world)
    start = client.get(f"/svar/{world.assignment_ids[0]}/").get_data(as_text=True)
    assert f'href="/svar/{world.assignment_ids[0]}/fragor"' in start
    page = client.get(f"/svar/{world.assignment_ids[0]}/fragor").get_data(as_text=True)
    assert "1. Grunduppgifter" in page and "2. Goda exempel" in page
    assert "Vem fyller i?" in page and "Fritext, högst 50 tecken." in page
    assert "<li>Hedersrelaterat våld och förtryck</li>" in page and "Markera alla som stämmer:" in page
    assert "Ett heltal (st), minst 0, högst 5" in page
    assert "Ett värde från 1 (Inte alls) till 5 (Mycket bra)." in page
    assert "För varje gott exempel:" in page and "Prioritet" in page


def test_the_header_and_footer_of_a_form_page_save_before_leaving(app, client, world):
    open_form(client, world)
    page = client.get(world.section_url("grund")).get_data(as_text=True)
    assert 'value="start"' in page and 'value="leave:accessibility"' in page  # the logo leads to the form's start
    response = post_form(client, world.section_url("grund"), {"namn": "Anna", "action": "leave:accessibility"})
    assert response.status_code == 303 and response.headers["Location"] == "/tillganglighet"
    assert stored(app, world.assignment_ids[0]) == {("namn", 0): "Anna"}


def test_switching_language_on_a_form_page_saves_first(app, client, world):
    open_form(client, world)
    page = client.get(world.section_url("grund")).get_data(as_text=True)
    assert 'form="section-form" name="action" value="lang:en"' in page
    response = post_form(client, world.section_url("grund"), {"namn": "Anna", "action": "lang:en"})
    assert response.status_code == 303 and response.headers["Location"] == world.section_url("grund") + "?lang=en"
    assert stored(app, world.assignment_ids[0]) == {("namn", 0): "Anna"}
    assert '<html lang="en">' in client.get(response.headers["Location"]).get_data(as_text=True)


@pytest.mark.parametrize(
    "typed, kept",
    [
        ("2026-03-01", "2026-03-01"),
        ("20260301", "2026-03-01"),
        ("1/3 2026", "2026-03-01"),
        ("3.5.2026", "2026-05-03"),
        ("2025-10", "2025-10-01"),
    ],
    ids=["iso", "digits", "day-first", "dots", "year-and-month"],
)
def test_a_date_is_taken_as_people_write_it(app, client, world, typed, kept):
    open_form(client, world)
    response = post_form(client, world.section_url("grund"), {"namn": "Anna", "utbildad": typed, "action": "save"})
    assert response.status_code == 303
    assert stored(app, world.assignment_ids[0])[("utbildad", 0)] == kept


def test_the_date_format_stays_visible_beside_the_field(client, world):
    open_form(client, world)
    page = client.get(world.section_url("grund")).get_data(as_text=True)
    assert "Ett datum, ÅÅÅÅ-MM-DD, till exempel 2026-03-01." in page
    assert 'aria-describedby="utbildad-format"' in page


def test_an_approximate_number_is_the_number(app, client, world):
    open_form(client, world)
    response = post_form(
        client, world.section_url("grund"), {"namn": "Anna", "anstallda": "ca 1 200", "action": "save"}
    )
    assert response.status_code == 303
    assert stored(app, world.assignment_ids[0])[("anstallda", 0)] == 1200
