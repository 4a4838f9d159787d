"""The register: the tree, editing units and contact persons, and import from .xlsx or .csv."""

import io
import os
import time
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select
from werkzeug.test import EnvironBuilder

from helpers import add_account, login, post_form
from survey.extensions import db
from survey.models import AuditEvent, ContactPerson, Unit


def unit_named(app, name):
    with app.app_context():
        return db.session.scalar(select(Unit).where(Unit.name == name))


def xlsx(rows) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


HEADER = ["Verksamhet", "Överordnad", "Typ", "Kontaktperson", "E-post"]


def upload(client, name, data):
    page = client.get("/samordning/register/import").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    builder = EnvironBuilder(
        path="/samordning/register/import", method="POST", data={"csrf_token": token, "file": (io.BytesIO(data), name)}
    )
    environ = builder.get_environ()  # a large body is spooled to a temporary file the builder owns
    try:
        return client.open(environ)
    finally:
        environ["wsgi.input"].close()
        builder.close()


def test_tree_shows_units_under_their_parents(app, client, world):
    login(client)
    top = client.get("/samordning/register/").get_data(as_text=True)
    assert "Individ- och familjenämnden</a>" in top and "Socialtjänsten</a>" not in top, "the top level first"
    assert "Visa 3 enheter under" in top, "the nämnd holds a förvaltning and its two verksamheter"
    with app.app_context():
        forvaltning = db.session.scalar(select(Unit.id).where(Unit.name == "Socialtjänsten"))
    page = client.get("/samordning/register/", query_string={"enhet": forvaltning}).get_data(as_text=True)
    assert page.index("Individ- och familjenämnden") < page.index("Socialtjänsten") < page.index("Centrum mot våld")
    assert "Kontakt Centrum mot våld" in page
    assert nesting_of(page, "Centrum mot våld") == ["Socialtjänsten", "Individ- och familjenämnden"]


def nesting_of(page: str, name: str) -> list[str]:
    """The names of the list items that hold ``name``'s item in the register tree, innermost first.

    Read with the standard library's parser, which keeps no depth limit (libxml2 stops at 256 levels).
    """
    from html.parser import HTMLParser

    class Items(HTMLParser):
        def __init__(self):
            super().__init__()
            self.open: list[list[str]] = []  # the list items open now, each with its link's text
            self.in_link = False
            self.found: list[str] | None = None

        def handle_starttag(self, tag, attrs):
            if tag == "li":
                self.open.append([])
            self.in_link = tag == "a" and bool(self.open)

        def handle_endtag(self, tag):
            if tag == "li":
                self.open.pop()
            self.in_link = False

        def handle_data(self, data):
            if self.in_link and not self.open[-1]:
                self.open[-1].append(data)
                if data == name:
                    self.found = [item[0] for item in reversed(self.open[:-1])]

    items = Items()
    items.feed(page[page.index('<nav class="unit-tree"') :])
    assert items.found is not None, f"{name} is not in the tree"
    return items.found


def test_the_tree_nests_each_unit_inside_its_parent_whatever_its_depth(app, client, world):
    with app.app_context():
        parent = db.session.scalar(select(Unit).where(Unit.name == "Centrum mot våld"))
        for depth in range(1, 1501):  # deeper than Python's recursion limit
            parent = Unit(name=f"Nivå {depth}", kind="verksamhet", parent=parent)
            db.session.add(parent)
        db.session.commit()
        deepest_parent = parent.parent_id
    login(client)
    response = client.get("/samordning/register/", query_string={"enhet": deepest_parent})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert nesting_of(page, "Nivå 1") == ["Centrum mot våld", "Socialtjänsten", "Individ- och familjenämnden"]
    assert nesting_of(page, "Nivå 1500")[:2] == ["Nivå 1499", "Nivå 1498"]
    assert len(nesting_of(page, "Nivå 1500")) == 1502
    assert nesting_of(page, "Individ- och familjenämnden") == [], "a nämnd is at the top"


def test_create_rename_move_and_deactivate_a_unit(app, client, world):
    login(client)
    parent = unit_named(app, "Socialtjänsten")
    post_form(
        client, "/samordning/register/ny", {"name": "Familjerätten", "kind": "verksamhet", "parent": str(parent.id)}
    )
    unit = unit_named(app, "Familjerätten")
    assert unit.parent_id == parent.id
    duplicate = post_form(
        client, "/samordning/register/ny", {"name": "familjerätten", "kind": "verksamhet", "parent": str(parent.id)}
    )
    assert "Det finns redan en enhet med det namnet på samma plats." in duplicate.get_data(as_text=True)
    top = unit_named(app, "Individ- och familjenämnden")
    post_form(
        client, f"/samordning/register/{unit.id}", {"name": "Familjerätt", "kind": "verksamhet", "parent": str(top.id)}
    )
    moved = unit_named(app, "Familjerätt")
    assert moved.parent_id == top.id
    post_form(client, f"/samordning/register/{moved.id}/aktiv", {}, page=f"/samordning/register/{moved.id}")
    assert unit_named(app, "Familjerätt").is_active is False
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action)).all()
        assert {"unit_created", "unit_changed", "unit_deactivated"} <= set(actions)


def test_a_unit_cannot_be_moved_under_itself(app, client, world):
    login(client)
    top = unit_named(app, "Individ- och familjenämnden")
    below = unit_named(app, "Centrum mot våld")
    response = post_form(
        client, f"/samordning/register/{top.id}", {"name": top.name, "kind": "namnd", "parent": str(below.id)}
    )
    assert response.status_code == 200
    assert unit_named(app, "Individ- och familjenämnden").parent_id is None


def test_contact_persons_are_added_edited_and_removed(app, client, world):
    login(client)
    unit = unit_named(app, "Äldreområdet")
    url = f"/samordning/register/{unit.id}"
    bad = post_form(client, f"{url}/kontakt", {"contact-name": "Eva", "contact-email": "inte-en-adress"}, page=url)
    assert "Skriv en giltig e-postadress" in bad.get_data(as_text=True)
    post_form(client, f"{url}/kontakt", {"contact-name": "Eva Ek", "contact-email": "Eva.Ek@Example.org"}, page=url)
    with app.app_context():
        contact = db.session.scalar(select(ContactPerson).where(ContactPerson.name == "Eva Ek"))
        assert contact.email == "eva.ek@example.org"
    post_form(client, f"/samordning/register/kontakt/{contact.id}", {"name": "Eva Ekström", "email": "eva@example.org"})
    post_form(client, f"/samordning/register/kontakt/{contact.id}/ta-bort", {}, page=url)
    with app.app_context():
        assert db.session.get(ContactPerson, contact.id) is None


def test_import_preview_then_confirm_in_one_transaction(app, client, world):
    login(client)
    data = xlsx(
        [
            HEADER,
            ["Kultur- och fritidsnämnden", "", "nämnd", "", ""],
            ["Fritidsgårdar", "Kultur- och fritidsnämnden", "verksamhet", "Omar Ali", "omar@example.org"],
            ["Fritidsgårdar", "Kultur- och fritidsnämnden", "verksamhet", "Lisa Berg", "lisa@example.org"],
            ["Äldreområdet", "Individ- och familjenämnden", "verksamhet", "", ""],
        ]
    )
    preview = upload(client, "register.xlsx", data).get_data(as_text=True)
    assert "Nya enheter (2)" in preview and "Ändras (1)" in preview and "Nya kontaktpersoner (2)" in preview
    assert "flyttas till Individ- och familjenämnden" in preview
    assert unit_named(app, "Fritidsgårdar") is None  # nothing written before confirming
    post_form(client, "/samordning/register/import/bekrafta", {}, page="/samordning/register/")
    unit = unit_named(app, "Fritidsgårdar")
    with app.app_context():
        unit = db.session.get(Unit, unit.id)
        assert unit.parent.name == "Kultur- och fritidsnämnden" and unit.parent.kind == "namnd"
        assert sorted(c.email for c in unit.contacts) == ["lisa@example.org", "omar@example.org"]
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "register_imported")).details == {
            "created": 2,
            "changed": 1,
            "contacts": 2,
        }


def test_import_preview_of_a_file_full_of_errors_writes_nothing(app, client, world):
    login(client)
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(Unit))
    data = (
        "Verksamhet;Överordnad;Typ;Kontaktperson;E-post\n"
        ";Socialtjänsten;verksamhet;;\n"
        "Ny enhet;Finns inte;verksamhet;;\n"
        "Skola A;Skola B;verksamhet;;\n"
        "Skola B;Skola A;verksamhet;;\n"
        "Dubblett;;nämnd;;\n"
        "Dubblett;Socialtjänsten;verksamhet;;\n"
        "Konstig;;avdelning;;\n"
        "Med fel adress;;verksamhet;Per;per@\n"
    ).encode()
    page = upload(client, "register.csv", data).get_data(as_text=True)
    assert "Filen har fel – ingenting har sparats" in page
    for row, text in (
        (2, "Namnet på verksamheten saknas."),
        (3, "Den överordnade ”Finns inte” finns inte"),
        (4, "Skola A ingår i en slinga"),
        (5, "Skola B ingår i en slinga"),
        (7, "Dubblett finns redan på rad 6"),
        (8, "Okänd typ ”avdelning”"),
        (9, "Ogiltig e-postadress: per@."),
    ):
        assert f"<td>{row}</td><td>{text}" in page, (row, text)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Unit)) == before


def test_units_with_the_same_name_are_told_apart(app, client, world):
    login(client)
    for parent in ("Individ- och familjenämnden", "AB Bostaden"):
        post_form(
            client,
            "/samordning/register/ny",
            {"name": "Stab", "kind": "forvaltning", "parent": str(unit_named(app, parent).id)},
        )
    form = client.get("/samordning/register/ny").get_data(as_text=True)
    assert ">Stab (Individ- och familjenämnden)</option>" in form and ">Stab (AB Bostaden)</option>" in form
    assert ">Socialtjänsten</option>" in form, "a name used once is shown as it is"
    data = "Verksamhet;Överordnad;Typ;Kontaktperson;E-post\nNy enhet;Stab;verksamhet;;\n".encode()
    page = upload(client, "register.csv", data).get_data(as_text=True)
    assert (
        "<td>2</td><td>Den överordnade ”Stab” finns flera gånger i registret (under AB Bostaden, "
        "Individ- och familjenämnden). Ge dem olika namn i registret och läs in filen igen."
    ) in page


def test_uploads_that_are_never_confirmed_are_not_kept(app, client, world):
    """The files hold names and addresses: one with errors is never stored, a cancelled one goes within hours."""
    login(client)
    folder = Path(app.config["UPLOAD_DIR"])
    upload(client, "register.csv", "Verksamhet;Överordnad\nNy;Finns inte\n".encode())
    assert not list(folder.glob("*")), "a file with errors cannot be confirmed, so it is not kept"
    upload(client, "register.csv", "Verksamhet;Överordnad\nNy enhet;\n".encode())
    [waiting] = folder.glob("*")
    hours_ago = time.time() - 3 * 60 * 60
    os.utime(waiting, (hours_ago, hours_ago))  # left behind by a cancelled preview
    other = app.test_client()
    login(other)
    upload(other, "register.csv", "Verksamhet;Överordnad\nAnnan enhet;\n".encode())
    assert not waiting.exists() and len(list(folder.glob("*"))) == 1
    [kept] = folder.glob("*")
    assert kept.stat().st_mode & 0o777 == 0o600, "names and addresses: readable by the app's user only"


def test_the_upload_sweep_touches_only_its_own_files(app, client, world):
    """UPLOAD_DIR pointed at a shared folder by mistake must not lose anyone else's files."""
    login(client)
    folder = Path(app.config["UPLOAD_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    foreign = folder / "kartlaggning.sqlite"
    foreign.write_bytes(b"not ours")
    hours_ago = time.time() - 3 * 60 * 60
    os.utime(foreign, (hours_ago, hours_ago))
    upload(client, "register.csv", "Verksamhet;Överordnad\nNy enhet;\n".encode())
    assert foreign.exists()


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("register.pdf", b"%PDF-1.4", "Filen måste vara ett Excel-ark (.xlsx) eller en CSV-fil (.csv)."),
        ("register.xlsx", b"not a zip at all", "Filen kunde inte läsas som ett Excel-ark (.xlsx)."),
        ("register.csv", b"Enhet;Budget\nA;1\n", "Okända kolumner: Budget."),
        ("register.csv", b"x" * (2 * 1024 * 1024 + 10), "Filen är för stor"),
    ],
)
def test_bad_uploads_get_a_clear_message(client, world, name, data, message):
    login(client)
    response = upload(client, name, data)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)


def test_template_download_has_the_columns_and_a_kind_dropdown(client, world):
    login(client)
    response = client.get("/samordning/register/mall.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    assert [c.value for c in sheet[1]] == HEADER
    assert sheet.data_validations.dataValidation[0].formula1 == '"nämnd,förvaltning,verksamhet,bolag"'


def test_a_viewer_cannot_change_the_register(app, world):
    add_account(app, "las@example.org", "viewer")
    client = app.test_client()
    login(client, "las@example.org")
    unit = unit_named(app, "Äldreområdet")
    assert client.get("/samordning/register/").status_code == 200
    token = client.get(f"/samordning/register/{unit.id}").get_data(as_text=True)
    assert "Lägg till kontaktperson" not in token
    csrf = (
        client.get("/samordning/register/").get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
    )
    assert (
        client.post(
            f"/samordning/register/{unit.id}", data={"csrf_token": csrf, "name": "x", "kind": "bolag"}
        ).status_code
        == 403
    )
    assert client.post(f"/samordning/register/{unit.id}/aktiv", data={"csrf_token": csrf}).status_code == 403
    assert client.get("/samordning/register/import").status_code == 403


def test_cli_import_with_dry_run_then_for_real(app, runner, world, tmp_path):
    path = tmp_path / "register.xlsx"
    path.write_bytes(xlsx([HEADER, ["Bygglov", "", "verksamhet", "Kim", "kim@example.org"]]))
    dry = runner.invoke(args=["units", "import", str(path), "--dry-run"])
    assert dry.exit_code == 0 and "create\tBygglov\tverksamhet" in dry.output and "Dry run" in dry.output
    assert unit_named(app, "Bygglov") is None
    real = runner.invoke(args=["units", "import", str(path)])
    assert real.exit_code == 0 and "Imported." in real.output
    assert unit_named(app, "Bygglov") is not None


def test_cli_import_reports_row_errors_without_traceback(runner, world, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("Verksamhet,Överordnad\nA,Saknas\n", encoding="utf-8")
    result = runner.invoke(args=["units", "import", str(path)])
    assert result.exit_code == 1
    assert f"{path}: row 2: Den överordnade ”Saknas” finns inte i registret eller filen." in result.output
    assert "Traceback" not in result.output
    missing = runner.invoke(args=["units", "import", str(tmp_path / "nope.xlsx")])
    assert missing.exit_code == 1 and "cannot be read" in missing.output
