"""Year after year: a follow-up round made from a closed one, forms started from last round's answers,
copied answers confirmed or changed, and last round's development areas followed up (issue 15).

The history is built with the app's own functions (round 1 on an older version of the real
questionnaire) and then walked as the coordinator and a contact person would.
"""

import io
import re
from datetime import date, timedelta

import lxml.html
import openpyxl
import pytest
from sqlalchemy import select

from helpers import ROOT, login, post_form, staff_account
from survey.extensions import db
from survey.models import Answer, AnswerOrigin, Assignment, QuestionnaireVersion, Round, StartChoice, Unit
from survey.questions.definition import parse

CURRENT = (ROOT / "questionnaires" / "kartlaggning-vald.toml").read_text(encoding="utf-8")
OWNER_AND_DEADLINE = CURRENT[CURRENT.index('[[sections.questions.fields]]\nkey = "utveckling_ansvarig"') :]
OWNER_AND_DEADLINE = OWNER_AND_DEADLINE[
    : OWNER_AND_DEADLINE.index('[[sections.questions.fields]]\nkey = "utveckling_prioritet"')
]


STAFF_SUPPORT = CURRENT[CURRENT.index('[[sections.questions]]\nkey = "stod_till_personal"') :]
STAFF_SUPPORT = STAFF_SUPPORT[: STAFF_SUPPORT.index('[[sections.questions]]\nkey = "storsta_behov"')]


def older_version() -> str:
    """Last year's file: no follow-up flag, no owner or deadline, no question on staff support (added since),
    a question since removed, an option since removed."""
    source = CURRENT.replace('version = "2026.7"', 'version = "2025.1"', 1)
    source = source.replace("follow_up = true\n", "").replace(OWNER_AND_DEADLINE, "").replace(STAFF_SUPPORT, "")
    return (
        source
        + """
[[option_sets.valdsomraden]]
code = "gammalt_omrade"
label = "Ett område som tagits bort"

[[sections]]
key = "gammalt"
title = "Gammalt avsnitt"

[[sections.questions]]
key = "gammal_fraga"
type = "short_text"
label = "En fråga som tagits bort"
"""
    )


REQUIRED = {
    "svarande_namn": "Anna Andersson",
    "uppdrag": "Stöd och skydd",
    "malgrupper": ["utsatta"],
    "storsta_behov": "Utbildning",
    "publicering": "ja",
}


def add_entry(assignment: Assignment, group_key: str, fields: dict) -> int:
    group = assignment.definition.question(group_key)
    index = assignment.add_entry(group)
    assignment.save_values({(key, index): value for key, value in fields.items()})
    return index


class History:
    """Round 1 (closed, older version): two units in two nämnder, both submitted, with development areas."""

    def __init__(self, app):
        with app.app_context():
            social = Unit(name="Socialnämnden", kind="namnd")
            culture = Unit(name="Kulturnämnden", kind="namnd")
            centre = Unit(name="Centrum mot våld", kind="verksamhet", parent=social)
            library = Unit(name="Biblioteket", kind="verksamhet", parent=culture)
            db.session.add_all([social, culture, centre, library])
            version = QuestionnaireVersion.from_source(older_version())
            first = Round(
                name="Kartläggning 2025",
                questionnaire_version=version,
                opens_on=date(2025, 3, 1),
                closes_on=date(2025, 4, 1),
                state="open",
            )
            db.session.add(first)
            centre_answers, library_answers = first.assign(centre), first.assign(library)
            db.session.flush()
            centre_answers.save_values(
                {
                    **{(key, 0): value for key, value in REQUIRED.items()},
                    ("antal_medarbetare", 0): 40,
                    ("valdsomraden", 0): ["heder", "gammalt_omrade"],
                    ("vald_i_uppdraget", 0): "ja",
                    ("gammal_fraga", 0): "Svar på en fråga som inte finns längre",
                }
            )
            add_entry(
                centre_answers,
                "goda_exempel",
                {"exempel_rubrik": "Våga fråga", "exempel_beskrivning": "Vi frågar alla."},
            )
            add_entry(
                centre_answers,
                "utvecklingsomraden",
                {
                    "utveckling_rubrik": "Rutin för att fråga om våld saknas",
                    "utveckling_beskrivning": "Vi frågar inte.",
                    "utveckling_valdsomraden": ["heder"],
                },
            )
            add_entry(
                centre_answers,
                "utvecklingsomraden",
                {
                    "utveckling_rubrik": "Utbildning om sexuellt våld",
                    "utveckling_beskrivning": "Ingen har gått den.",
                    "utveckling_valdsomraden": ["heder", "sexuellt_vald"],
                },
            )
            library_answers.save_values({(key, 0): value for key, value in REQUIRED.items()})
            add_entry(
                library_answers,
                "utvecklingsomraden",
                {
                    "utveckling_rubrik": "Information på flera språk",
                    "utveckling_beskrivning": "Bara svenska i dag.",
                    "utveckling_valdsomraden": ["nara_relationer"],
                },
            )
            centre_answers.submit()
            library_answers.submit()
            first.state = "closed"
            staff_account("samordnare@example.org", "coordinator", "Samordnare")
            db.session.commit()
            self.first_round_id = first.id
            self.centre_id, self.library_id = centre.id, library.id


@pytest.fixture
def history(app):
    return History(app)


def create_follow_up(client, history) -> int:
    url = f"/samordning/omgang/{history.first_round_id}/uppfoljning"
    today = date.today()
    response = post_form(
        client,
        url,
        {
            "name": "Kartläggning 2026",
            "questionnaire": "file:kartlaggning-vald.toml",
            "opens_on": today.isoformat(),
            "closes_on": (today + timedelta(days=30)).isoformat(),
            "scope": "",
            "instructions": "",
        },
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    return int(re.search(r"/omgang/(\d+)$", response.headers["Location"]).group(1))


def open_round(client, round_id: int) -> None:
    page = f"/samordning/omgang/{round_id}"
    post_form(client, f"{page}/status", {"state": "open"}, page=page)


def contact_link(app, round_id: int, unit_id: int) -> tuple[int, str]:
    with app.app_context():
        assignment = db.session.scalar(
            select(Assignment).where(Assignment.round_id == round_id, Assignment.unit_id == unit_id)
        )
        token = assignment.issue_token()
        db.session.commit()
        return assignment.id, f"/svar/lank/{token}"


def origins(app, assignment_id: int) -> dict[str, str | None]:
    with app.app_context():
        rows = db.session.scalars(select(Answer).where(Answer.assignment_id == assignment_id, Answer.entry_index == 0))
        return {a.question_key: a.origin for a in rows}


def stored_values(app, assignment_id: int) -> dict:
    with app.app_context():
        return db.session.get(Assignment, assignment_id).values()


@pytest.fixture
def follow_up(app, client, history):
    """Round 2, a follow-up of round 1 on the current questionnaire, open; the coordinator logged in."""
    login(client)
    round_id = create_follow_up(client, history)
    open_round(client, round_id)
    return round_id


def test_the_follow_up_form_shows_the_differences_and_the_new_round_follows_the_old(app, client, history):
    login(client)
    page = client.get(f"/samordning/omgang/{history.first_round_id}").get_data(as_text=True)
    assert "Skapa uppföljningsomgång" in page
    form = client.get(f"/samordning/omgang/{history.first_round_id}/uppfoljning").get_data(as_text=True)
    assert 'value="Kartläggning 2025 – uppföljning"' in form
    assert "version 2026.7 (ny, från filen kartlaggning-vald.toml)" in form
    text = " ".join(lxml.html.fromstring(form).text_content().split())
    assert "Ny fråga: Vem ansvarar? utveckling_ansvarig" in text
    assert "Ny fråga: Klart senast utveckling_klart" in text
    assert "Borttagen fråga: En fråga som tagits bort gammal_fraga" in text
    assert "Borttagna svarsalternativ: gammalt_omrade" in text

    round_id = create_follow_up(client, history)
    with app.app_context():
        second = db.session.get(Round, round_id)
        assert second.previous_round_id == history.first_round_id and second.state == "draft"
        assert second.questionnaire_version.version == "2026.7"
        assert {a.unit.name for a in second.assignments} == {"Centrum mot våld", "Biblioteket"}


def test_an_open_round_cannot_be_followed_up_yet(app, client, history):
    with app.app_context():
        db.session.get(Round, history.first_round_id).state = "open"
        db.session.commit()
    login(client)
    response = client.get(f"/samordning/omgang/{history.first_round_id}/uppfoljning", follow_redirects=True)
    assert "Stäng omgången innan du skapar en uppföljningsomgång." in response.get_data(as_text=True)


def test_starting_from_last_rounds_answers_copies_what_still_fits(app, client, history, follow_up):
    assignment_id, link = contact_link(app, follow_up, history.centre_id)
    contact = app.test_client()
    contact.get(link)
    start = contact.get(f"/svar/{assignment_id}/").get_data(as_text=True)
    assert "Hur vill ni börja?" in start and "Börja med förra omgångens svar" in start

    response = post_form(contact, f"/svar/{assignment_id}/borja", {"start": "previous"}, page=f"/svar/{assignment_id}/")
    assert response.status_code == 303
    values = stored_values(app, assignment_id)
    assert values[("antal_medarbetare", 0)] == 40
    assert values[("valdsomraden", 0)] == ["heder"], "an option that is gone does not come along"
    assert ("gammal_fraga", 0) not in values, "a removed question does not come along"
    assert values[("exempel_rubrik", 1)] == "Våga fråga", "good examples come along"
    assert not any(key == "utveckling_rubrik" for key, _i in values), "development areas are followed up instead"
    assert set(origins(app, assignment_id).values()) == {AnswerOrigin.PREVIOUS}
    with app.app_context():
        assert db.session.get(Assignment, assignment_id).start_choice == StartChoice.PREVIOUS

    again = contact.get(f"/svar/{assignment_id}/").get_data(as_text=True)
    assert "Hur vill ni börja?" not in again, "the choice is made once"
    assert "svar från förra omgången är ännu inte bekräftade" in again


def test_starting_blank_copies_nothing(app, client, history, follow_up):
    assignment_id, link = contact_link(app, follow_up, history.library_id)
    contact = app.test_client()
    contact.get(link)
    post_form(contact, f"/svar/{assignment_id}/borja", {"start": "blank"}, page=f"/svar/{assignment_id}/")
    assert stored_values(app, assignment_id) == {}
    page = contact.get(f"/svar/{assignment_id}/").get_data(as_text=True)
    assert "Hur vill ni börja?" not in page and "Förra omgångens utvecklingsområden" in page


def test_saving_a_page_confirms_what_it_showed_and_marks_what_changed(app, client, history, follow_up):
    assignment_id, link = contact_link(app, follow_up, history.centre_id)
    contact = app.test_client()
    contact.get(link)
    post_form(contact, f"/svar/{assignment_id}/borja", {"start": "previous"}, page=f"/svar/{assignment_id}/")
    section = f"/svar/{assignment_id}/avsnitt/om_verksamheten"
    page = contact.get(section).get_data(as_text=True)
    assert page.count("Från förra omgången. Ändra om det inte stämmer längre.") == 6
    assert re.search(r'aria-describedby="[^"]*antal_medarbetare-carried[^"]*"', page), "the mark is read with the field"

    autosaved = post_form(
        contact,
        section,
        {
            **REQUIRED,
            "antal_medarbetare": "40",
            "valdsomraden": ["heder"],
            "vald_i_uppdraget": "ja",
            "action": "autosave",
        },
    )
    assert autosaved.status_code == 200
    assert origins(app, assignment_id)["antal_medarbetare"] == AnswerOrigin.PREVIOUS, "an autosave confirms nothing"

    post_form(
        contact,
        section,
        {**REQUIRED, "antal_medarbetare": "45", "valdsomraden": ["heder"], "vald_i_uppdraget": "ja", "action": "save"},
    )
    found = origins(app, assignment_id)
    assert found["antal_medarbetare"] == AnswerOrigin.CHANGED
    assert found["svarande_namn"] == found["valdsomraden"] == found["vald_i_uppdraget"] == AnswerOrigin.CONFIRMED
    assert "Från förra omgången. Ändra" not in contact.get(section).get_data(as_text=True)
    other = contact.get(f"/svar/{assignment_id}/avsnitt/ovrigt").get_data(as_text=True)
    assert "Från förra omgången. Ändra om det inte stämmer längre." in other, "other pages are still to be looked at"


def follow_up_fields(page: str) -> list[str]:
    """The name stems of the follow-up page's areas, in page order (each status radio repeats it)."""
    return list(dict.fromkeys(re.findall(r'name="(area-\d+-utvecklingsomraden-\d+)-status"', page)))


def test_last_rounds_development_areas_need_a_status_before_submitting(app, client, history, follow_up):
    assignment_id, link = contact_link(app, follow_up, history.centre_id)
    contact = app.test_client()
    contact.get(link)
    post_form(contact, f"/svar/{assignment_id}/borja", {"start": "previous"}, page=f"/svar/{assignment_id}/")

    review = contact.get(f"/svar/{assignment_id}/granska").get_data(as_text=True)
    assert "Utvecklingsområden från förra omgången utan status" in review
    assert "Rutin för att fråga om våld saknas" in review and "Utbildning om sexuellt våld" in review
    refused = post_form(contact, f"/svar/{assignment_id}/skicka-in", {}, page=f"/svar/{assignment_id}/granska")
    assert refused.headers["Location"].endswith("/granska")
    with app.app_context():
        assert not db.session.get(Assignment, assignment_id).is_submitted

    url = f"/svar/{assignment_id}/uppfoljning"
    page = contact.get(url).get_data(as_text=True)
    assert "Rutin för att fråga om våld saknas" in page and "Vi frågar inte." in page
    first, second = follow_up_fields(page)
    too_long = post_form(contact, url, {f"{first}-status": "atgardat", f"{first}-comment": "x" * 4001})
    assert too_long.status_code == 200 and "Högst 4000 tecken." in too_long.get_data(as_text=True)
    kept = lxml.html.fromstring(too_long.get_data(as_text=True))
    assert kept.xpath(f'//input[@name="{first}-status" and @value="atgardat"]')[0].checked, "what was chosen is kept"
    post_form(
        contact,
        url,
        {
            f"{first}-status": "atgardat",
            f"{first}-comment": "Rutinen är antagen.",
            f"{second}-status": "pagar",
            f"{second}-comment": "",
        },
    )
    assert "Alla har fått status." in contact.get(f"/svar/{assignment_id}/").get_data(as_text=True)
    submitted = post_form(contact, f"/svar/{assignment_id}/skicka-in", {}, page=f"/svar/{assignment_id}/granska")
    assert submitted.headers["Location"].endswith("/kvitto")


def test_the_dashboard_and_the_workbook_count_what_was_acted_on(app, client, history, follow_up):
    assignment_id, link = contact_link(app, follow_up, history.centre_id)
    contact = app.test_client()
    contact.get(link)
    post_form(contact, f"/svar/{assignment_id}/borja", {"start": "previous"}, page=f"/svar/{assignment_id}/")
    section = f"/svar/{assignment_id}/avsnitt/om_verksamheten"
    post_form(contact, section, {**REQUIRED, "antal_medarbetare": "45", "valdsomraden": ["heder"], "action": "save"})
    url = f"/svar/{assignment_id}/uppfoljning"
    first, second = follow_up_fields(contact.get(url).get_data(as_text=True))
    post_form(contact, url, {f"{first}-status": "atgardat", f"{first}-comment": "Klart.", f"{second}-status": "pagar"})
    post_form(contact, f"/svar/{assignment_id}/skicka-in", {}, page=f"/svar/{assignment_id}/granska")

    dashboard = lxml.html.fromstring(client.get(f"/samordning/omgang/{follow_up}").get_data(as_text=True))
    section_text = " ".join(dashboard.get_element_by_id("follow-up-heading").getparent().text_content().split())
    assert "2 av 3 utvecklingsområden från Kartläggning 2025 är åtgärdade eller pågår." in section_text

    def table(caption):
        found = dashboard.xpath(f'//table[caption="{caption}"]')[0]
        return {
            row.xpath("th")[0].text_content(): [cell.text_content() for cell in row.xpath("td")]
            for row in found.xpath("tbody/tr")
        }

    # columns: total, Åtgärdat, Pågår, Ej påbörjat, Inte längre aktuellt, no status yet, acted on
    assert table("Per nämnd") == {
        "Kulturnämnden": ["1", "0", "0", "0", "0", "1", "0"],
        "Socialnämnden": ["2", "1", "1", "0", "0", "0", "2"],
    }
    by_area = table("Per våldsområde")
    assert by_area["Hedersrelaterat våld och förtryck"] == ["2", "1", "1", "0", "0", "0", "2"]
    assert by_area["Sexuellt våld"] == ["1", "0", "1", "0", "0", "0", "1"]
    assert by_area["Våld i nära relationer"] == ["1", "0", "0", "0", "0", "1", "0"]

    response = client.get(f"/samordning/omgang/{follow_up}/sammanstallning.xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(response.data))
    rows = [list(row) for row in workbook["Uppföljning"].iter_rows(values_only=True)]
    assert rows[0] == ["Nämnd", "Enhet", "Utvecklingsområde", "Våldsområden", "Status", "Kommentar", "Från omgång"]
    assert rows[1:] == [
        [
            "Kulturnämnden",
            "Biblioteket",
            "Information på flera språk",
            "Våld i nära relationer",
            "Ingen status ännu",
            None,
            "Kartläggning 2025",
        ],
        [
            "Socialnämnden",
            "Centrum mot våld",
            "Rutin för att fråga om våld saknas",
            "Hedersrelaterat våld och förtryck",
            "Åtgärdat",
            "Klart.",
            "Kartläggning 2025",
        ],
        [
            "Socialnämnden",
            "Centrum mot våld",
            "Utbildning om sexuellt våld",
            "Hedersrelaterat våld och förtryck; Sexuellt våld",
            "Pågår",
            None,
            "Kartläggning 2025",
        ],
    ]
    carried = {row[2]: row for row in workbook["Från förra omgången"].iter_rows(min_row=2, values_only=True)}
    assert carried["antal_medarbetare"][4:] == (45, "Ändrat")
    assert carried["svarande_namn"][4:] == ("Anna Andersson", "Bekräftat")
    assert carried["publicering"][5] == "Från förra omgången", "a page never saved stays unconfirmed"
    assert "Jämförelse" in workbook.sheetnames, "the round it follows up is the one compared with"


@pytest.mark.parametrize(
    ("key", "value", "carried"),
    [
        ("antal_medarbetare", 40, 40),
        ("andel_utbildade", 120, None),  # a percentage over 100 does not fit
        ("andel_utbildade", 35.5, 35.5),
        ("valdsomraden", ["heder", "borta"], ["heder"]),
        ("valdsomraden", ["borta"], None),
        ("samverkan_fungerar", 4, 4),
        ("samverkan_fungerar", 9, None),
        ("publicering", "kanske", None),
        ("senaste_utbildning", "2025-10-01", "2025-10-01"),
        ("uppdrag", "Stöd", "Stöd"),
    ],
)
def test_a_stored_answer_is_carried_over_only_if_it_still_fits(app, key, value, carried):
    question = parse(CURRENT).question(key)
    with app.test_request_context():
        assert question.kind.carry_over(question, value) == carried


def close_and_follow_up(client, round_id: int) -> int:
    page = f"/samordning/omgang/{round_id}"
    post_form(client, f"{page}/status", {"state": "closed"}, page=page)
    today = date.today()
    response = post_form(
        client,
        f"{page}/uppfoljning",
        {
            "name": "Kartläggning 2027",
            "questionnaire": f"version:{questionnaire_version_of(client.application, round_id)}",
            "opens_on": (today + timedelta(days=1)).isoformat(),
            "closes_on": (today + timedelta(days=31)).isoformat(),
            "scope": "",
            "instructions": "",
        },
    )
    new_round = int(re.search(r"/omgang/(\d+)$", response.headers["Location"]).group(1))
    open_round(client, new_round)
    return new_round


def questionnaire_version_of(app, round_id: int) -> int:
    with app.app_context():
        return db.session.get(Round, round_id).questionnaire_version_id


def submit_from_previous(app, round_id: int, unit_id: int, changes: dict) -> None:
    assignment_id, link = contact_link(app, round_id, unit_id)
    contact = app.test_client()
    contact.get(link)
    post_form(contact, f"/svar/{assignment_id}/borja", {"start": "previous"}, page=f"/svar/{assignment_id}/")
    with app.app_context():
        db.session.get(Assignment, assignment_id).save_values({(k, 0): v for k, v in changes.items()})
        db.session.commit()
    url = f"/svar/{assignment_id}/uppfoljning"
    page = contact.get(url)
    if page.status_code == 200:
        fields = follow_up_fields(page.get_data(as_text=True))
        post_form(contact, url, {f"{name}-status": "pagar" for name in fields})
    response = post_form(contact, f"/svar/{assignment_id}/skicka-in", {}, page=f"/svar/{assignment_id}/granska")
    assert response.headers["Location"].endswith("/kvitto"), "submitted"


def test_every_earlier_round_is_compared_on_question_keys(app, client, history, follow_up):
    submit_from_previous(app, follow_up, history.centre_id, {"antal_medarbetare": 45, "stod_till_personal": "ja"})
    third = close_and_follow_up(client, follow_up)
    submit_from_previous(app, third, history.centre_id, {"stod_till_personal": "delvis"})

    workbook = openpyxl.load_workbook(io.BytesIO(client.get(f"/samordning/omgang/{third}/sammanstallning.xlsx").data))
    rows = list(workbook["Över tid"].iter_rows(values_only=True))
    assert rows[0] == (
        "Nämnd", "Enhet", "Nyckel", "Fråga", "Kartläggning 2025", "Kartläggning 2026", "Kartläggning 2027",
        "Ändrat sedan förra omgången",
    )  # fmt: skip
    centre = {row[2]: row[4:] for row in rows[1:] if row[1] == "Centrum mot våld"}
    assert centre["antal_medarbetare"] == (40, 45, 45, "nej")
    assert centre["stod_till_personal"] == ("(fanns inte)", "Ja", "Delvis", "ja"), "added in 2026: not a change then"
    assert centre["gammal_fraga"] == ("Svar på en fråga som inte finns längre", "(fanns inte)", "(fanns inte)", None)
    assert centre["goda_exempel"] == (1, 1, 1, "nej"), "groups compare by their number of entries"
    library = {row[2]: row[4:] for row in rows[1:] if row[1] == "Biblioteket"}
    assert library == {}, "a unit that sent nothing in this round is not counted in it"

    second = openpyxl.load_workbook(io.BytesIO(client.get(f"/samordning/omgang/{follow_up}/sammanstallning.xlsx").data))
    compared = {row[2]: row[4:] for row in second["Jämförelse"].iter_rows(min_row=2, values_only=True)}
    assert compared["gammal_fraga"] == ("Svar på en fråga som inte finns längre", "(fanns inte)", "borttagen fråga")
    assert compared["stod_till_personal"] == ("(fanns inte)", "Ja", "ny fråga")
    assert compared["antal_medarbetare"] == (40, 45, "ja")
