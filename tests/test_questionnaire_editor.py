"""The coordinator's questionnaire pages (/samordning/formular): upload or edit, problems in Swedish by
sheet, row and column or by line, the diff against the latest round's version, the preview as the
contact person sees it, and saving as a new version; versions in use are read-only."""

import re
import time
from datetime import date, timedelta
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from bombs import BOMBS
from helpers import add_account, csrf_from, login, post_form, staff_account
from survey.extensions import db
from survey.models import Answer, AuditEvent, QuestionnaireVersion, Round, Unit
from survey.questions.definition import QuestionnaireError, parse
from survey.questions.editing import read_upload
from survey.questions.problems import in_swedish, readable_all

EDITOR = "/samordning/formular"


def stored_source(app) -> str:
    with app.app_context():
        return db.session.scalar(select(QuestionnaireVersion)).source


def actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def upload(client, name: str, data: bytes, follow_redirects=False):
    token = csrf_from(client.get(f"{EDITOR}/ladda-upp").get_data(as_text=True))
    return client.post(
        f"{EDITOR}/ladda-upp",
        data={"csrf_token": token, "file": (BytesIO(data), name)},
        content_type="multipart/form-data",
        follow_redirects=follow_redirects,
    )


def check_text(client, source: str, replaces: str = "", follow_redirects=False):
    token = csrf_from(client.get(EDITOR).get_data(as_text=True))
    return client.post(
        f"{EDITOR}/kontrollera",
        data={"csrf_token": token, "source": source, "replaces": replaces},
        follow_redirects=follow_redirects,
    )


def save(client, follow_redirects=False):
    return post_form(client, f"{EDITOR}/utkast/spara", {}, follow_redirects=follow_redirects, page=EDITOR)


def test_upload_errors_fix_diff_preview_save(app, client, world):
    login(client)
    source = stored_source(app)
    broken = source.replace('version = "1"', 'version = "2"').replace('type = "short_text"', 'type = "kort_text"', 1)
    page = upload(client, "nasta-ar.toml", broken.encode()).get_data(as_text=True)
    # Errors: in Swedish, with the line, and the text kept to be fixed on the page.
    assert "Texten kan inte användas ännu" in page
    assert "frågan namn</strong> (rad 27): okänd frågetyp &#39;kort_text&#39;" in page
    assert "kort_text" in page.split("<textarea")[1]
    assert "okänd frågetyp &#39;kort_text&#39;" in page and "<br><code>key = &#34;namn&#34;</code>" in page
    # Fix: the text edited on the page.
    fixed = broken.replace('type = "kort_text"', 'type = "short_text"').replace(
        'label = "Vem fyller i?"', 'label = "Vem fyller i formuläret?"'
    )
    response = check_text(client, fixed)
    assert response.status_code == 303 and response.headers["Location"].endswith(f"{EDITOR}/utkast")
    # Diff against the version the latest round used.
    draft = client.get(f"{EDITOR}/utkast").get_data(as_text=True)
    assert "Skillnader mot version 1, som omgången Kartläggning 2026 använde" in draft
    assert "Ny frågetext, förut: Vem fyller i?" in draft
    # Preview: the contact person's section page, a banner, nothing stored.
    preview = client.get(f"{EDITOR}/utkast/avsnitt/grund").get_data(as_text=True)
    assert "Förhandsvisning" in preview and "Vem fyller i formuläret?" in preview
    assert f'action="{EDITOR}/utkast/avsnitt/grund"' in preview and "data-autosave" not in preview
    moved = post_form(client, f"{EDITOR}/utkast/avsnitt/grund", {"action": "next", "namn": "Jag"})
    assert moved.status_code == 303 and moved.headers["Location"].endswith(f"{EDITOR}/utkast/avsnitt/exempel")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Answer)) == 0
    # Save as a new version.
    saved = save(client, follow_redirects=True).get_data(as_text=True)
    assert "Version 2 av Alla frågetyper är sparad" in saved
    with app.app_context():
        versions = db.session.scalars(select(QuestionnaireVersion).order_by(QuestionnaireVersion.id)).all()
        assert [v.version for v in versions] == ["1", "2"]
        assert versions[1].definition.question("namn").label == "Vem fyller i formuläret?"
    assert list(dict.fromkeys(a for a in actions(app) if a.startswith("questionnaire_"))) == [
        "questionnaire_uploaded",
        "questionnaire_checked",
        "questionnaire_compared",
        "questionnaire_previewed",
        "questionnaire_saved",
    ]
    # The draft is gone once saved: saving twice stores nothing twice.
    assert save(client).headers["Location"].endswith(EDITOR)


def test_a_broken_spreadsheet_names_sheet_row_and_column_in_swedish(app, client, world, runner, tmp_path: Path):
    out = tmp_path / "every.xlsx"
    assert runner.invoke(args=["questionnaire", "export", "every-type@1", "-o", str(out)]).exit_code == 0
    book = load_workbook(out)
    sheet = book["survey"]
    types = [cell for cell in sheet["A"] if cell.value == "text"]
    types[0].value = "txt"
    data = BytesIO()
    book.save(data)
    login(client)
    page = upload(client, "every.xlsx", data.getvalue()).get_data(as_text=True)
    assert (
        f"bladet &#34;survey&#34;, rad {types[0].row}, kolumn A (type)</strong>: okänd frågetyp &#39;txt&#39;" in page
    )
    assert "rätta detta i filen och ladda upp den igen" in page
    assert actions(app)[-1] == "questionnaire_uploaded"


def test_other_files_are_refused_in_one_sentence(client, world):
    login(client)
    page = upload(client, "frågor.docx", b"PK\x03\x04 not a questionnaire").get_data(as_text=True)
    assert "Välj en fil som slutar på .xlsx (Excel) eller .toml." in page
    page = upload(client, "frågor.xlsx", b"PK\x03\x04 not a workbook").get_data(as_text=True)
    assert "filen är ingen läsbar .xlsx-arbetsbok" in page
    page = upload(client, "frågor.toml", "åäö".encode("latin-1")).get_data(as_text=True)
    assert "Filen är inte text i UTF-8." in page


def test_the_same_text_or_a_used_label_is_refused_with_a_clear_message(app, client, world):
    login(client)
    source = stored_source(app)
    page = check_text(client, source).get_data(as_text=True)
    assert "Exakt samma text finns redan sparad som Alla frågetyper, version 1." in page
    page = check_text(client, source.replace("Vem fyller i?", "Vem svarar?")).get_data(as_text=True)
    assert "version &#39;1&#39; finns redan sparad med andra frågor: ge formuläret en ny versionsbeteckning" in page
    assert "Vem svarar?" in page  # what was typed is still there


def test_a_version_in_use_cannot_be_changed(app, client, world):
    login(client)
    with app.app_context():
        version_id = db.session.scalar(select(QuestionnaireVersion.id))
    page = client.get(f"{EDITOR}/{version_id}").get_data(as_text=True)
    assert "Versionen används av en omgång och kan bara läsas." in page
    assert "Kartläggning 2026" in page and f"{EDITOR}/{version_id}/andra" not in page
    response = client.get(f"{EDITOR}/{version_id}/andra", follow_redirects=True)
    assert "kan inte ändras. Gör en kopia" in response.get_data(as_text=True)
    # Posting a text that claims to replace it is checked as a new version beside it, not instead of it.
    page = check_text(client, stored_source(app).replace("Vem fyller i?", "Ny"), replaces=str(version_id))
    assert "finns redan sparad med andra frågor" in page.get_data(as_text=True)


def test_an_unused_version_can_be_replaced_by_its_corrected_text(app, client, world):
    login(client)
    second = stored_source(app).replace('version = "1"', 'version = "2"')
    check_text(client, second)
    save(client)
    with app.app_context():
        unused = db.session.scalar(select(QuestionnaireVersion).where(QuestionnaireVersion.version == "2"))
        unused_id = unused.id
    page = client.get(f"{EDITOR}/{unused_id}").get_data(as_text=True)
    assert f"{EDITOR}/{unused_id}/andra" in page
    assert "Vem fyller i?" in client.get(f"{EDITOR}/{unused_id}/andra").get_data(as_text=True)
    response = check_text(client, second.replace("Vem fyller i?", "Vem svarar?"), replaces=str(unused_id))
    assert response.status_code == 303
    assert "ersätter det version 2" in client.get(f"{EDITOR}/utkast").get_data(as_text=True)
    save(client)
    with app.app_context():
        labels = {
            v.version: v.definition.question("namn").label for v in db.session.scalars(select(QuestionnaireVersion))
        }
    assert labels == {"1": "Vem fyller i?", "2": "Vem svarar?"}


def test_a_viewer_cannot_open_the_editor(app, client, world):
    add_account(app, "las@example.org", "viewer")
    login(client, "las@example.org")
    assert client.get(EDITOR).status_code == 403
    assert "Frågeformulär" not in client.get("/samordning").get_data(as_text=True)


def test_three_questions_changed_in_excel_and_a_round_started_with_them(app, client, world, runner, tmp_path: Path):
    """Done when: a coordinator changes three questions in Excel, previews the result and starts a round."""
    out = tmp_path / "every.xlsx"
    assert runner.invoke(args=["questionnaire", "export", "every-type@1", "-o", str(out)]).exit_code == 0
    book = load_workbook(out)
    survey = book["survey"]
    header = [cell.value for cell in survey[1]]
    name_column, label_column = header.index("name"), header.index("label")
    new_labels = {
        "namn": "Vem fyller i 2027?",
        "uppdrag": "Vad är ert uppdrag i dag?",
        "andel": "Andel av personalen som fått utbildning",
    }
    for row in survey.iter_rows(min_row=2):
        if row[name_column].value in new_labels:
            row[label_column].value = new_labels[row[name_column].value]
    settings = book["settings"]
    version_column = [cell.value for cell in settings[1]].index("version")
    settings.cell(row=2, column=version_column + 1, value="2027")
    data = BytesIO()
    book.save(data)
    login(client)
    response = upload(client, "fragor-2027.xlsx", data.getvalue())
    assert response.status_code == 303
    draft = client.get(f"{EDITOR}/utkast").get_data(as_text=True)
    assert "3 ändringar" in draft
    for label in new_labels.values():
        assert label in draft
    assert "Vad är ert uppdrag i dag?" in client.get(f"{EDITOR}/utkast/avsnitt/grund").get_data(as_text=True)
    save(client)
    with app.app_context():
        version_id = db.session.scalar(select(QuestionnaireVersion.id).where(QuestionnaireVersion.version == "2027"))
    form_page = client.get("/samordning/omgang/ny").get_data(as_text=True)
    assert f'value="version:{version_id}"' in form_page and "Alla frågetyper – version 2027" in form_page
    response = post_form(
        client,
        "/samordning/omgang/ny",
        {
            "name": "Kartläggning 2027",
            "questionnaire": f"version:{version_id}",
            "opens_on": "2027-01-10",
            "closes_on": "2027-02-28",
            "scope": "",
            "instructions": "",
        },
    )
    assert response.status_code == 303
    with app.app_context():
        created = db.session.scalar(select(Round).where(Round.name == "Kartläggning 2027"))
        assert created.questionnaire_version_id == version_id
        assert created.definition.question("andel").label == "Andel av personalen som fått utbildning"


def test_a_version_downloads_as_a_spreadsheet_that_loads_as_the_same_version(app, client, world):
    login(client)
    with app.app_context():
        version = db.session.scalar(select(QuestionnaireVersion))
        version_id, digest = version.id, version.content_hash
    data = client.get(f"{EDITOR}/{version_id}/fil.xlsx").data
    page = upload(client, "igen.xlsx", data).get_data(as_text=True)
    assert "Exakt samma text finns redan sparad" in page
    assert client.get(f"{EDITOR}/{version_id}/fil.toml").data.decode() == stored_source(app)
    assert "questionnaire_exported" in actions(app)
    assert digest


def test_a_scoped_coordinator_adds_versions_and_sees_only_their_rounds_using_one(app, client, world):
    """Versions are the whole organisation's (any round may use any one), so a coordinator of one part may add one;
    which rounds use a version is named within their part, and a version used outside it is read-only too."""
    with app.app_context():
        version = db.session.scalar(select(QuestionnaireVersion))
        version_id = version.id
        elsewhere = Round(
            name="Bolagens kartläggning",
            questionnaire_version=version,
            opens_on=date.today(),
            closes_on=date.today() + timedelta(days=30),
            state="draft",
        )
        bolag = db.session.scalar(select(Unit).where(Unit.name == "AB Bostaden"))
        elsewhere.assign(bolag)
        db.session.add(elsewhere)
        staff_account("soc@example.org", "coordinator", scope=["Socialtjänsten"])
        db.session.commit()
    login(client, "soc@example.org")
    page = client.get(EDITOR).get_data(as_text=True)
    assert "2 omgångar (kan inte ändras)" in page
    assert "Kartläggning 2026" in page and "Bolagens kartläggning" not in page
    assert "Bolagens kartläggning" not in client.get(f"{EDITOR}/{version_id}").get_data(as_text=True)
    assert check_text(client, stored_source(app).replace('version = "1"', 'version = "1b"')).status_code == 303
    assert "Version 1b av Alla frågetyper är sparad" in save(client, follow_redirects=True).get_data(as_text=True)


BROKEN_TEXTS = [
    ('[questionnaire]\nid = "Fel id"\ntitle = ""\nversion = "1"\nestimated_minutes = -1\n', "no sections"),
    (
        '[questionnaire]\nid = "a"\ntitle = "A"\nversion = "1"\nrequred = 1\n[[sections]]\nkey = "s"\ntitle = "S"\n',
        "keys",
    ),
    (
        '[questionnaire]\nid = "a"\ntitle = "A"\nversion = "1"\n[[sections]]\nkey = "s"\ntitle = "S"\n'
        '[[sections.questions]]\nkey = "q"\ntype = "single_choice"\nlabel = "Q"\noptions = [{code = "ja", label = "Ja"}]\n'
        '[[sections.questions]]\nkey = "q"\ntype = "number"\nlabel = "Q2"\n'
        '[[sections.questions]]\nkey = "n"\ntype = "number"\nlabel = "N"\nmin = 5\nmax = 1\nrequired = "ja"\n'
        '[[sections.questions]]\nkey = "g"\ntype = "group"\nlabel = "G"\n'
        '[[sections.questions]]\nkey = "x"\ntype = "fritext"\nlabel = "X"\n'
        '[[sections.questions]]\nkey = "v"\ntype = "scale"\nlabel = "V"\nmin = 0\nmax = 20\n',
        "questions",
    ),
    ('[questionnaire\nid = "a"\n', "not toml"),
]


@pytest.mark.parametrize("source, _name", BROKEN_TEXTS, ids=[name for _source, name in BROKEN_TEXTS])
def test_every_problem_of_a_broken_text_is_said_in_swedish(app, source, _name):
    with app.test_request_context():
        with pytest.raises(QuestionnaireError) as raised:
            parse(source, name="texten")
        shown = readable_all(raised.value.problems, "texten", source)
    assert shown and all(in_swedish(p.message) == p.message for p in shown)  # already Swedish: nothing left to say
    english = [problem.removeprefix("texten: ") for problem in raised.value.problems]
    assert all(p.message not in line for p, line in zip(shown, english, strict=True)), shown
    assert all(p.line for p in shown if p.where.startswith("frågan ")), shown


def test_a_problem_in_the_text_names_its_line(app):
    source = stored_source_of_file().replace('type = "short_text"', 'type = "txt"', 1)
    with app.test_request_context():
        with pytest.raises(QuestionnaireError) as raised:
            parse(source, name="texten")
        (shown,) = readable_all(raised.value.problems, "texten", source)
    assert shown.where == "frågan namn" and shown.line == 27
    assert shown.message.startswith("okänd frågetyp 'txt' (tillåtna: ")
    assert source.splitlines()[shown.line - 1] == 'key = "namn"'


def stored_source_of_file() -> str:
    return (Path(__file__).parent / "data" / "every_type.toml").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["empty-rows", "many-shared-strings"])
def test_a_spreadsheet_bomb_is_refused_before_it_is_parsed(client, world, name):
    make, message = BOMBS[name]
    login(client)
    started = time.monotonic()
    page = upload(client, "bomb.xlsx", make()).get_data(as_text=True)
    assert message in page and "rätta detta i filen och ladda upp den igen" in page
    assert time.monotonic() - started < 5


def test_a_file_over_two_megabytes_is_refused(app):
    # The service, not the test client: werkzeug's client leaves a request body this large in an unclosed temp file.
    with app.test_request_context():
        checked = read_upload("stor.toml", b"#" * (2 * 1024 * 1024 + 10))
    assert [p.message for p in checked.problems] == [
        "Filen är större än 2 MB. Ett frågeformulär är sällan större än några hundra kB."
    ]


def test_a_text_that_is_not_toml_names_its_line(client, world):
    login(client)
    page = check_text(client, '[questionnaire]\nid = "a"\ntitle = "A\nversion = "1"\n').get_data(as_text=True)
    assert "<strong>Rad 3</strong>: texten går inte att läsa som TOML" in page
    assert "<code>title = &#34;A</code>" in page


def a_draft(app, client) -> str:
    """A checked draft (version 2 of the stored questionnaire); the mark its discard form carries."""
    response = check_text(client, stored_source(app).replace('version = "1"', 'version = "2"'))
    assert response.status_code == 303
    page = client.get(f"{EDITOR}/utkast/slang").get_data(as_text=True)
    return re.search(r'name="draft" type="hidden" value="([^"]+)"', page)[1]


def test_a_draft_is_discarded_after_a_confirmation_and_an_audit_event(app, client, world):
    login(client)
    a_draft(app, client)
    draft = client.get(f"{EDITOR}/utkast").get_data(as_text=True)
    assert f'<a href="{EDITOR}/utkast/slang">Släng utkastet</a>' in draft
    confirm = client.get(f"{EDITOR}/utkast/slang").get_data(as_text=True)
    assert "Släng utkastet?" in confirm and "version 2, tas bort" in confirm and "Nej, behåll utkastet" in confirm
    assert client.get(f"{EDITOR}/utkast").status_code == 200, "asking is not discarding"
    response = post_form(client, f"{EDITOR}/utkast/slang", {"draft": a_draft(app, client)})
    assert response.status_code == 303 and response.headers["Location"].endswith(EDITOR)
    assert "Utkastet är slängt. Inget av det sparades." in client.get(EDITOR).get_data(as_text=True)
    assert client.get(f"{EDITOR}/utkast").status_code == 303, "no draft any more"
    with app.app_context():
        assert [v.version for v in db.session.scalars(select(QuestionnaireVersion))] == ["1"]
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "questionnaire_discarded"))
        assert event.details["version"] == "2"
    assert "questionnaire_saved" not in actions(app)


def test_a_discard_confirmed_for_a_draft_since_replaced_keeps_the_new_one(app, client, world):
    login(client)
    stale = a_draft(app, client)
    a_draft(app, client)  # checked again in another tab: a new draft
    response = post_form(client, f"{EDITOR}/utkast/slang", {"draft": stale})
    assert response.headers["Location"].endswith(f"{EDITOR}/utkast")
    page = client.get(f"{EDITOR}/utkast").get_data(as_text=True)
    assert "Utkastet har bytts ut sedan sidan visades och är inte slängt" in page


def test_a_draft_is_only_its_own_sessions_to_discard(app, client, world):
    login(client)
    a_draft(app, client)
    add_account(app, "annan@example.org", "coordinator")
    another = app.test_client()
    login(another, "annan@example.org")
    response = post_form(another, f"{EDITOR}/utkast/slang", {"draft": "anything.json"}, page=EDITOR)
    assert response.status_code == 303 and response.headers["Location"].endswith(EDITOR)
    assert client.get(f"{EDITOR}/utkast").status_code == 200, "the first coordinator's draft is still there"
    assert post_form(client, f"{EDITOR}/utkast/slang", {"draft": "x"}).headers["Location"].endswith("/utkast")


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("sv", "villkor för när en fråga visas följer inte med: varje fråga visas alltid (rad 8)"),
        ("en", "conditions on when a question shows are not carried over: every question is always shown (row 8)"),
    ],
)
def test_a_column_left_out_of_a_kobo_workbook_is_named_in_the_pages_language(client, world, lang, said):
    from test_xlsform import KOBO_CHOICES, KOBO_SETTINGS, KOBO_SURVEY, workbook

    login(client)
    client.get(f"{EDITOR}?lang={lang}")
    page = upload(client, "kobo.xlsx", workbook(KOBO_SURVEY, KOBO_CHOICES, KOBO_SETTINGS), True).get_data(as_text=True)
    assert said in page
    assert ("carried over" in page) == (lang == "en"), "no English words in the Swedish page"


def test_every_reason_a_spreadsheet_row_or_column_is_left_out_reads_in_swedish():
    from survey.questions.xlsform_cells import IGNORED_BECAUSE, SKIPPED_TYPES, TRANSLATION, UNNAMED_LANGUAGE

    for reason in [*IGNORED_BECAUSE.values(), "the column is not carried over", TRANSLATION, UNNAMED_LANGUAGE]:
        assert "följer inte med" in in_swedish(f"{reason} (rows 3, 4)") or "saknar kod" in in_swedish(
            f"{reason} (rows 3, 4)"
        ), reason
    for kind, reason in SKIPPED_TYPES.items():
        assert in_swedish(f"{kind}: {reason}; the row is left out").endswith("; raden följer inte med"), kind
