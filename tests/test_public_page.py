"""The public page (issue 16, item 2): what a unit chose to publish and the coordinator approved, only the
fields the questionnaire marks public, and never an e-mail address or a phone number."""

import re
from io import BytesIO

import pytest
from openpyxl import load_workbook

from helpers import ROOT, World, login, post_form
from survey.db import utcnow
from survey.extensions import db
from survey.models import Assignment, Round
from survey.questions.definition import QuestionnaireError, parse

SMALL = """
[questionnaire]
id = "liten"
title = "Liten"
version = "1"

[[sections]]
key = "exempel"
title = "Exempel"

[[sections.questions]]
key = "goda_exempel"
type = "group"
label = "Goda exempel"
entry_label = "Exempel"
{group_extra}

[[sections.questions.fields]]
key = "rubrik"
type = "short_text"
label = "Rubrik"
{field_extra}
"""


def test_a_groups_field_may_be_marked_public():
    definition = parse(SMALL.format(group_extra="", field_extra="public = true"))
    assert definition.question("goda_exempel").fields[0].public is True


@pytest.mark.parametrize(
    ("group_extra", "field_extra", "problem"),
    [
        ("public = true", "", "public"),  # only a group's fields are public or not
        ("", 'public = "ja"', "public must be true or false"),
    ],
)
def test_public_is_refused_outside_a_group_or_when_not_true_or_false(group_extra, field_extra, problem):
    with pytest.raises(QuestionnaireError) as caught:
        parse(SMALL.format(group_extra=group_extra, field_extra=field_extra))
    assert problem in str(caught.value)


QUESTIONNAIRE = ROOT / "questionnaires" / "kartlaggning-vald.toml"
EMAIL_OR_PHONE = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+|(?:\+46|0)\d(?:[\s-]?\d){6,}")


def add_example(assignment, title, choice="ja", **fields):
    index = assignment.add_entry(assignment.definition.question("goda_exempel"))
    values = {("exempel_rubrik", index): title, ("exempel_kontaktuppgift", index): "kontakt@example.org"}
    values |= {(key, index): value for key, value in fields.items()}
    if choice:
        values[("exempel_publicering", index)] = choice
    assignment.save_values(values)
    return index


@pytest.fixture
def round_with_examples(app):
    """Three units: the first clears four examples (one with personal data typed into public fields), one not;
    the second says no for the whole unit; the third has not sent in. Published; nothing approved yet."""
    world = World(app, QUESTIONNAIRE)
    with app.app_context():
        first, second, third = (db.session.get(Assignment, i) for i in world.assignment_ids)
        first.save_values({("publicering", 0): "ja"})
        add_example(first, "Våga fråga", exempel_valdsomraden=["nara_relationer"], exempel_niva=["individ"])
        add_example(
            first,
            "Trygga skolvägar",
            exempel_valdsomraden=["heder"],
            exempel_beskrivning="Ring Anna Svensson på 070-123 45 67 eller mejla anna.svensson@umea.se.",
            exempel_samverkanspartner="Polisen, tel. 090-16 10 00",
        )
        add_example(first, "Utan besked", choice=None, exempel_valdsomraden=["heder"])
        add_example(first, "Inte för webben", choice="nej")
        first.submit()
        second.save_values({("publicering", 0): "nej"})
        add_example(second, "Enhetens nej gäller", exempel_valdsomraden=["heder"])
        second.submit()
        add_example(third, "Utkast som inte är inskickat")
        db.session.get(Round, world.round_id).published_dt = utcnow()
        db.session.commit()
    coordinator = app.test_client()
    login(coordinator)
    return world, coordinator


def approve(coordinator, world, title, approve_it="1"):
    page = coordinator.get(preview_url(world)).get_data(as_text=True)
    match = re.search(
        r'name="assignment_id" value="(\d+)">\s*<input type="hidden" name="entry_index" value="(\d+)">\s*'
        rf"<button[^>]*>[^<]*{re.escape(title)}",
        page,
    )
    assert match, f"{title} is not in the preview"
    data = {"assignment_id": match[1], "entry_index": match[2], "approve": approve_it}
    return post_form(coordinator, preview_url(world), data)


def preview_url(world):
    return f"/samordning/omgang/{world.round_id}/goda-exempel"


def public_responses(client, world, query=""):
    base = f"/sammanstallning/{world.round_id}"
    page = client.get(base + query).get_data(as_text=True)
    fragment = client.get(f"{base}/inbaddning{query}").get_data(as_text=True)
    book = load_workbook(BytesIO(client.get(f"{base}/goda-exempel.xlsx{query}").data))
    cells = " ".join(str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row if c)
    return page, fragment, cells


def test_only_cleared_and_approved_examples_reach_the_page_the_fragment_and_the_workbook(
    app, client, round_with_examples
):
    world, coordinator = round_with_examples
    for text in public_responses(client, world):
        assert "Våga fråga" not in text, "cleared but not approved yet"
    assert approve(coordinator, world, "Våga fråga").status_code == 303
    for text in public_responses(client, world):
        assert "Våga fråga" in text
        for hidden in ("Trygga skolvägar", "Utan besked", "Inte för webben", "Enhetens nej gäller", "Utkast"):
            assert hidden not in text
    preview = coordinator.get(preview_url(world)).get_data(as_text=True)
    assert "Utan besked" not in preview and "Inte för webben" not in preview and "Enhetens nej" not in preview
    approve(coordinator, world, "Våga fråga", approve_it="0")
    assert all("Våga fråga" not in text for text in public_responses(client, world))


def test_an_example_changed_after_approval_waits_for_a_new_approval(app, client, round_with_examples):
    world, coordinator = round_with_examples
    approve(coordinator, world, "Våga fråga")
    with app.app_context():
        first = db.session.get(Assignment, world.assignment_ids[0])
        first.reopen("Komplettera")
        index = first.entries(first.definition.question("goda_exempel"))[0]
        first.save_values({("exempel_beskrivning", index): "Ny text"})
        first.submit()
        db.session.commit()
    assert "Våga fråga" not in client.get(f"/sammanstallning/{world.round_id}").get_data(as_text=True)
    assert "Ändrat sedan du godkände det" in coordinator.get(preview_url(world)).get_data(as_text=True)


def test_no_email_address_or_phone_number_in_any_public_response(app, client, round_with_examples):
    world, coordinator = round_with_examples
    preview = coordinator.get(preview_url(world)).get_data(as_text=True)
    assert "ser ut att innehålla en e-postadress" in preview and "ser ut att innehålla ett telefonnummer" in preview
    assert "kan innehålla ett personnamn: Ring Anna Svensson" in preview
    approve(coordinator, world, "Trygga skolvägar")
    approve(coordinator, world, "Våga fråga")
    for text in public_responses(client, world):
        assert "Trygga skolvägar" in text and "[borttaget]" in text
        assert EMAIL_OR_PHONE.search(text) is None, EMAIL_OR_PHONE.search(text)
        assert "kontakt@example.org" not in text and "Kontaktuppgift" not in text


def test_filters_and_search_narrow_the_examples_without_javascript(app, client, round_with_examples):
    world, coordinator = round_with_examples
    approve(coordinator, world, "Våga fråga")
    approve(coordinator, world, "Trygga skolvägar")
    page, fragment, cells = public_responses(client, world, "?exempel_valdsomraden=heder")
    for text in (page, fragment, cells):
        assert "Trygga skolvägar" in text and "Våga fråga" not in text
    assert "1 av 2 exempel visas" in page and '<option value="heder" selected>' in page
    page, _fragment, cells = public_responses(client, world, "?q=V%C3%85GA")
    assert "Våga fråga" in page and "Trygga skolvägar" not in page and "Trygga" not in cells
    page, _fragment, _cells = public_responses(client, world, "?exempel_niva=individ&exempel_valdsomraden=nonsens")
    assert "Våga fråga" in page and "Trygga skolvägar" not in page, "an unknown code is no filter"
    assert '<form method="get" target="_self"' in page, "a plain GET form: no script needed"


def test_the_workbook_has_one_header_row_and_every_number_under_its_heading(app, client, round_with_examples):
    world, coordinator = round_with_examples
    approve(coordinator, world, "Våga fråga")
    response = client.get(f"/sammanstallning/{world.round_id}/goda-exempel.xlsx")
    assert response.status_code == 200
    book = load_workbook(BytesIO(response.data))
    assert book.sheetnames == ["Goda exempel", "Svar per nämnd", "Våldsområden"]
    for sheet in book:
        header, *rows = list(sheet.iter_rows(values_only=True))
        assert all(isinstance(h, str) and h for h in header), "one header row, every column named"
        assert rows and all(len(row) == len(header) for row in rows)
        assert sheet.freeze_panes == "A2"
    header, *rows = list(book["Goda exempel"].iter_rows(values_only=True))
    assert header[:3] == ("Rubrik", "Verksamhet", "Nämnd eller bolag") and rows[0][0] == "Våga fråga"
    assert list(book["Svar per nämnd"].iter_rows(values_only=True))[1:] == [
        ("AB Bostaden", 1, 0),
        ("Individ- och familjenämnden", 2, 2),
    ]
    areas = dict((row[0], row[1:]) for row in list(book["Våldsområden"].iter_rows(values_only=True))[1:])
    assert areas["Hedersrelaterat våld och förtryck"][0] == 3, "every submitted example counts, shown or not"


def test_the_page_puts_every_number_under_its_heading(app, client, round_with_examples):
    world, _coordinator = round_with_examples
    page = client.get(f"/sammanstallning/{world.round_id}").get_data(as_text=True)
    for table in re.findall(r"<table class=\"numbers\">.*?</table>", page, re.S):
        headings = re.findall(r'<th scope="col"( class="num")?>', table)
        assert all(h for h in headings[1:]), "numeric headings align right, as their numbers do"
        for row in re.findall(r"<tbody>(.*?)</tbody>", table, re.S)[0].split("</tr>")[:-1]:
            assert row.count("<td>") + row.count('<th scope="row">') == len(headings)
    assert '<svg class="trend-chart"' in page


def test_the_fragment_is_a_document_of_its_own_that_the_plans_site_may_frame(app, client, round_with_examples):
    world, _coordinator = round_with_examples
    app.config["PUBLIC_FRAME_ANCESTORS"] = "https://www.umea.se"
    response = client.get(f"/sammanstallning/{world.round_id}/inbaddning")
    html = response.get_data(as_text=True)
    assert "frame-ancestors https://www.umea.se" in response.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in response.headers
    assert '<base target="_top">' in html and "<header" not in html and "<footer" not in html


def test_unpublished_round_has_no_fragment_or_workbook(app, client):
    world = World(app, QUESTIONNAIRE)
    for path in ("", "/inbaddning", "/goda-exempel.xlsx"):
        assert client.get(f"/sammanstallning/{world.round_id}{path}").status_code == 404
