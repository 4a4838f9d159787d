"""The registry of question types, and the percent type on every surface a contact person, a
coordinator and the council see: form, autosave, review, receipt, printable questions, the council's
and the unit's workbooks, the offline template and its import, and the comparison with a round before."""

import io
from datetime import date, timedelta

import openpyxl
import pytest
from sqlalchemy import select

from helpers import DATA, World, login, post_form
from survey.extensions import db
from survey.models import Answer, Assignment, QuestionnaireVersion, Round, Unit
from survey.questions.definition import QuestionnaireError, parse
from survey.questions.types import TYPES
from survey.questions.types.base import QuestionType, register

MINIMAL = """
[questionnaire]
id = "t"
title = "T"
version = "1"

[[sections]]
key = "s"
title = "S"
"""
WIDGETS = {"radios", "checkboxes", "text", "textarea", "number", "date"}


def stored(app, assignment_id):
    with app.app_context():
        rows = db.session.scalars(select(Answer).where(Answer.assignment_id == assignment_id))
        return {(a.question_key, a.entry_index): a.value for a in rows}


def answer_first_section(client, world, **answers):
    """Open the first unit's link and save the first section with the given answers."""
    client.get(world.link())
    return post_form(client, world.section_url("grund"), {"action": "save", **answers})


def workbook_of(response):
    assert response.status_code == 200, response.status_code
    return openpyxl.load_workbook(io.BytesIO(response.data))


def cell_in_row(sheet, first_column_value, column):
    for row in sheet.iter_rows():
        if row[0].value == first_column_value:
            return row[column]
    raise AssertionError(f"no row {first_column_value!r} in {sheet.title}")


# --- the registry


def test_every_type_is_registered_with_what_the_pages_and_workbooks_need():
    assert {
        "short_text",
        "long_text",
        "number",
        "percent",
        "single_choice",
        "multiple_choice",
        "scale",
        "yes_partly_no",
        "date",
        "group",
    } == set(TYPES)
    for name, kind in TYPES.items():
        assert kind.name == name and kind.codebook_name
        assert kind.widget in WIDGETS or name == "group", name
        assert kind.blank in {"choices", "lines", "tall", ""}


def test_a_type_name_cannot_be_registered_twice():
    class AnotherPercent(QuestionType):
        name, codebook_name = "percent", "procent igen"

    with pytest.raises(ValueError, match="registered twice"):
        register(AnotherPercent)
    assert type(TYPES["percent"]).__name__ == "PercentType"


def test_an_unknown_type_fails_at_load_naming_the_file_and_the_key():
    with pytest.raises(QuestionnaireError) as error:
        parse(MINIMAL + '[[sections.questions]]\nkey = "andel"\ntype = "procent"\nlabel = "A"\n', name="fil.toml")
    assert error.value.problems == [
        "fil.toml: andel: unknown type 'procent' (one of: date, group, long_text, multiple_choice, number, "
        "percent, scale, short_text, single_choice, yes_partly_no)"
    ]


@pytest.mark.parametrize(
    "bounds, problem",
    [
        ("min = -5", "a percentage's min and max must lie within 0–100"),
        ("max = 120", "a percentage's min and max must lie within 0–100"),
        ("min = 60\nmax = 50", "min is larger than max"),
        ('max = "hundra"', "max must be a number"),
    ],
    ids=["below-zero", "above-hundred", "min-above-max", "max-not-a-number"],
)
def test_a_percentage_with_impossible_bounds_is_refused(bounds, problem):
    with pytest.raises(QuestionnaireError) as error:
        parse(MINIMAL + f'[[sections.questions]]\nkey = "a"\ntype = "percent"\nlabel = "A"\n{bounds}\n', name="f")
    assert f"f: a: {problem}" in error.value.problems


def test_a_percentage_lies_between_0_and_100_unless_narrowed():
    definition = parse(
        MINIMAL + '[[sections.questions]]\nkey = "a"\ntype = "percent"\nlabel = "A"\n'
        '[[sections.questions]]\nkey = "b"\ntype = "percent"\nlabel = "B"\nmin = 10\nmax = 90\n'
    )
    assert (definition.question("a").min, definition.question("a").max) == (0, 100)
    assert (definition.question("b").min, definition.question("b").max) == (10, 90)


# --- the contact person's pages


@pytest.mark.parametrize("typed, kept", [("40", 40), ("40 %", 40), ("12,5%", 12.5), ("0", 0), ("100", 100)])
def test_a_percentage_is_typed_with_or_without_the_sign_and_decimals(app, client, world, typed, kept):
    response = answer_first_section(client, world, andel=typed)
    assert response.status_code == 303
    assert stored(app, world.assignment_ids[0])[("andel", 0)] == kept


@pytest.mark.parametrize(
    "typed, message",
    [
        ("140", "Talet får inte vara större än 100."),
        ("-1", "Talet får inte vara mindre än 0."),
        ("ungefär hälften", "Skriv ett tal, till exempel 12 eller 12,5."),
    ],
    ids=["above-100", "below-0", "not-a-number"],
)
def test_a_percentage_outside_0_to_100_gets_a_message_and_keeps_what_was_typed(app, client, world, typed, message):
    response = answer_first_section(client, world, andel=typed)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and message in page
    assert f'value="{typed}"' in page
    assert ("andel", 0) not in stored(app, world.assignment_ids[0])


def test_autosave_keeps_a_percentage(app, client, world):
    client.get(world.link())
    response = post_form(client, world.section_url("grund"), {"action": "autosave", "andel": "33,3 %"})
    assert response.status_code == 200 and response.is_json
    assert stored(app, world.assignment_ids[0])[("andel", 0)] == 33.3


def test_review_receipt_and_printable_questions_show_a_percentage_as_people_write_it(app, client, world):
    answer_first_section(client, world, andel="12,5")
    assignment_id = world.assignment_ids[0]
    review = client.get(f"/svar/{assignment_id}/granska").get_data(as_text=True)
    assert "12,5 %" in review
    questions = client.get(f"/svar/{assignment_id}/fragor").get_data(as_text=True)
    assert "En andel i procent, från 0 till 100. Decimaler går bra." in questions
    with app.app_context():
        assignment = db.session.get(Assignment, assignment_id)
        assignment.submit()
        db.session.commit()
    assert "12,5 %" in client.get(f"/svar/{assignment_id}/kvitto").get_data(as_text=True)


def test_the_section_page_says_the_percentage_bounds_beside_the_field(client, world):
    client.get(world.link())
    page = client.get(world.section_url("grund")).get_data(as_text=True)
    assert "En andel i procent, från 0 till 100. Decimaler går bra." in page and '<span class="unit">%</span>' in page


# --- workbooks


@pytest.fixture
def submitted_share(app, world):
    """The first unit has submitted 12.5 % trained staff."""
    with app.app_context():
        assignment = db.session.get(Assignment, world.assignment_ids[0])
        assignment.save_values({("andel", 0): 12.5, ("namn", 0): "Anna", ("huvudomrade", 0): "heder"})
        assignment.submit()
        db.session.commit()
    return world


def test_the_council_workbook_holds_a_percentage_as_excels_own(client, submitted_share):
    login(client)
    workbook = workbook_of(client.get(f"/samordning/omgang/{submitted_share.round_id}/sammanstallning.xlsx"))
    keys = [cell.value for cell in workbook["Svar"][1]]
    cell = workbook["Svar"].cell(row=2, column=keys.index("andel") + 1)  # one header row
    assert cell.value == 0.125 and cell.number_format == "0.0%"
    per_question = {(row[1].value, row[3].value): row[4] for row in workbook["Per fråga"].iter_rows(min_row=2)}
    mean = per_question[("andel", "Medelvärde")]
    assert mean.value == 0.125 and mean.number_format == "0.0%"
    assert ("andel", "Summa") not in per_question
    codebook = {row[0].value: row[4].value for row in workbook["Frågor"].iter_rows(min_row=2)}
    assert codebook["andel"] == "procent"


def test_the_unit_workbook_holds_a_percentage_as_excels_own(client, submitted_share):
    login(client)
    workbook = workbook_of(client.get(f"/samordning/svar/{submitted_share.assignment_ids[0]}/svar.xlsx"))
    [cell] = [row[3] for row in workbook["Svar"].iter_rows() if row[1].value == "andel"]
    assert cell.value == 0.125 and cell.number_format == "0.0%"


# --- the offline template and its import


def test_the_offline_template_formats_the_answer_as_a_percentage_and_reads_40_back_as_40(app, client, world):
    login(client)
    assignment_id = world.assignment_ids[0]
    workbook = workbook_of(client.get(f"/samordning/svar/{assignment_id}/mall.xlsx"))
    sheet = workbook["Grunduppgifter"]
    answer = cell_in_row(sheet, "andel", 2)
    hint = cell_in_row(sheet, "andel", 3)
    assert answer.number_format == "0.0%"
    assert hint.value == "En andel i procent, från 0 till 100. Decimaler går bra."
    rules = [rule for rule in sheet.data_validations.dataValidation if answer.coordinate in str(rule.sqref)]
    assert [rule.type for rule in rules] == ["decimal"]
    answer.value = 0.4  # what Excel keeps when 40 is typed into a cell formatted as a percentage
    buffer = io.BytesIO()
    workbook.save(buffer)
    url = f"/samordning/svar/{assignment_id}/importera"
    preview = post_form(client, url, {"file": (io.BytesIO(buffer.getvalue()), "ifylld.xlsx")}).get_data(as_text=True)
    assert "Filen har fel" not in preview and "40 %" in preview
    post_form(client, url + "/bekrafta", {}, page=url)
    assert stored(app, assignment_id)[("andel", 0)] == 40


def test_a_share_counted_as_a_number_in_per_cent_still_reads_40_percent_as_40():
    """Rounds on questionnaires from before the percent type asked for a number with the unit %."""
    definition = parse(MINIMAL + '[[sections.questions]]\nkey = "a"\ntype = "number"\nlabel = "A"\nunit = "%"\n')
    question = definition.question("a")
    assert question.kind.from_cell(question, 0.4, percent_format=True) == "40.0"
    assert question.kind.from_cell(question, 0.4, percent_format=False) == "0.4"


# --- comparison with an earlier round


def world_with_an_earlier_round(app) -> World:
    """The test world, plus last year's closed round on the version that asked for 'andel' as a number."""
    world = World(app)
    source = (DATA / "every_type.toml").read_text(encoding="utf-8")
    old_source = source.replace('version = "1"', 'version = "0"').replace(
        'key = "andel"\ntype = "percent"\n', 'key = "andel"\ntype = "number"\nunit = "%"\n'
    )
    assert old_source != source
    with app.app_context():
        unit = db.session.scalar(select(Unit).where(Unit.name == "Centrum mot våld"))
        earlier = Round(
            name="Kartläggning 2025",
            questionnaire_version=QuestionnaireVersion.from_source(old_source),
            opens_on=date.today() - timedelta(days=365),
            closes_on=date.today() - timedelta(days=335),
            state="closed",
        )
        db.session.add(earlier)
        before = earlier.assign(unit)
        now = db.session.get(Assignment, world.assignment_ids[0])
        before.save_values({("andel", 0): 40, ("omraden", 0): ["nara", "heder"], ("anstallda", 0): 10})
        now.save_values({("andel", 0): 40, ("omraden", 0): ["heder", "nara"], ("anstallda", 0): 12})
        before.submit()
        now.submit()
        db.session.commit()
    return world


def test_the_comparison_sees_no_change_in_the_same_share_or_in_the_same_choices_reordered(app, client):
    world = world_with_an_earlier_round(app)
    login(client)
    workbook = workbook_of(client.get(f"/samordning/omgang/{world.round_id}/sammanstallning.xlsx"))
    changed = {
        row[2].value: (row[4].value, row[5].value, row[6].value)
        for row in workbook["Jämförelse"].iter_rows(min_row=2)
        if row[1].value == "Centrum mot våld"
    }
    assert changed["andel"][2] == "nej"
    assert changed["omraden"][2] == "nej", "the same areas picked in another order are no change"
    assert changed["anstallda"] == (10, 12, "ja")
