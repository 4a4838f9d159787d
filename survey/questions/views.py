"""The coordinator's questionnaire pages (/samordning/formular): the versions, an upload or an edited text
checked, the draft compared with the version the latest round used, previewed as the contact person sees
it, and saved as a new version. Every step is an audit event."""

from __future__ import annotations

import json
from dataclasses import replace
from io import BytesIO
from pathlib import Path
from types import SimpleNamespace

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import select
from wtforms import HiddenField, TextAreaField
from wtforms.validators import DataRequired, Length

from survey.access import audit_by_user, editor_required
from survey.exports.writer import XLSX
from survey.extensions import db
from survey.forms import Form
from survey.ids import parse_id
from survey.models import QuestionnaireVersion
from survey.questions import editing, languages
from survey.questions.definition import Questionnaire, Section
from survey.questions.forms import build_section_form
from survey.questions.versions import diff

bp = Blueprint("questions", __name__, url_prefix="/samordning/formular")

MAX_SOURCE_CHARACTERS = 500_000


class UploadForm(Form):
    file = FileField(
        _l("Frågeformulär som Excel-fil (.xlsx, XLSForm) eller TOML-text (.toml)"),
        validators=[FileRequired(_l("Välj en fil."))],
    )


class TextForm(Form):
    source = TextAreaField(
        _l("Formulärets text (TOML)"),
        validators=[
            DataRequired(_l("Skriv formulärets text.")),
            Length(max=MAX_SOURCE_CHARACTERS, message=_l("Texten är för lång (högst 500 000 tecken).")),
        ],
    )
    replaces = HiddenField()


class SaveForm(Form):
    pass


def version_or_404(version_id: int) -> QuestionnaireVersion:
    return db.get_or_404(QuestionnaireVersion, version_id)


def unused_or_none(version_id: object) -> QuestionnaireVersion | None:
    """The version a text replaces, if it is one nobody uses yet (a version in use is never changed)."""
    version = db.session.get(QuestionnaireVersion, parse_id(str(version_id or "")) or 0)
    return version if version is not None and not editing.in_use(version) else None


@bp.route("")
@editor_required
def index():
    versions = db.session.scalars(select(QuestionnaireVersion).order_by(QuestionnaireVersion.id.desc())).all()
    return render_template(
        "questions/index.html",
        versions=versions,
        counts=editing.round_counts(),
        rounds=editing.rounds_using(current_user, [v.id for v in versions]),
        draft=editing.current_draft(),
    )


@bp.route("/<int:version_id>")
@editor_required
def version(version_id: int):
    shown = version_or_404(version_id)
    return render_template(
        "questions/version.html",
        version=shown,
        used=editing.in_use(shown),
        rounds=editing.rounds_using(current_user, [shown.id]).get(shown.id, []),
    )


@bp.route("/<int:version_id>/fil.<format_>")
@editor_required
def download(version_id: int, format_: str):
    shown = version_or_404(version_id)
    if format_ not in ("xlsx", "toml"):
        abort(404)
    name = f"{shown.slug}-{shown.version}.{format_}"
    data, mimetype = shown.source.encode("utf-8"), "application/toml"
    if format_ == "xlsx":
        workbook, mimetype = editing.spreadsheet_of(shown.source), XLSX
        if workbook is None:
            flash(
                _("Den här versionen kan inte skrivas som Excel-fil utan att något ändras. Hämta den som TOML."),
                "error",
            )
            return redirect(url_for("questions.version", version_id=shown.id), code=303)
        data = workbook
    audit_by_user("questionnaire_exported", details={"version_id": shown.id, "format": format_})
    db.session.commit()
    return send_file(BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name)


@bp.route("/ladda-upp", methods=["GET", "POST"])
@editor_required
def upload():
    form = UploadForm()
    checked = None
    if form.validate_on_submit():
        file = form.file.data
        name = Path(file.filename or "").name[:200] or "formular"
        with file.stream:
            data = file.read(editing.MAX_UPLOAD_BYTES + 1)
        checked = editing.read_upload(name, data)
        audit_by_user(
            "questionnaire_uploaded",
            details={"file": name, "problems": len(checked.problems), "warnings": len(checked.warnings)},
        )
        db.session.commit()
        if checked.ok:
            editing.keep_draft(checked, name, None)
            return redirect(url_for("questions.draft"), code=303)
        if checked.source:  # a text that reads but has problems: fix it on the page, nothing lost
            text_form = TextForm(formdata=None, data={"source": checked.source})
            return render_template("questions/edit.html", form=text_form, checked=checked, replaces=None, name=name)
    return render_template("questions/upload.html", form=form, checked=checked)


@bp.route("/<int:version_id>/kopia")
@editor_required
def copy(version_id: int):
    """A stored version's text to edit into a new version."""
    shown = version_or_404(version_id)
    form = TextForm(formdata=None, data={"source": shown.source})
    return render_template("questions/edit.html", form=form, checked=None, replaces=None, copied_from=shown)


@bp.route("/<int:version_id>/andra")
@editor_required
def change(version_id: int):
    """An unused version's text, edited to replace it; a version in use is read-only."""
    shown = version_or_404(version_id)
    if editing.in_use(shown):
        flash(
            _("Versionen används av en omgång och kan inte ändras. Gör en kopia och spara den som ny version."), "error"
        )
        return redirect(url_for("questions.version", version_id=shown.id), code=303)
    form = TextForm(formdata=None, data={"source": shown.source, "replaces": str(shown.id)})
    return render_template("questions/edit.html", form=form, checked=None, replaces=shown)


@bp.route("/kontrollera", methods=["POST"])
@editor_required
def check():
    form = TextForm()
    replaces = unused_or_none(form.replaces.data)
    checked = None
    if form.validate_on_submit():
        name = _("texten")
        checked = editing.check_text(form.source.data, name, replaces)
        audit_by_user(
            "questionnaire_checked",
            details={"problems": len(checked.problems), "replaces": replaces.id if replaces else None},
        )
        db.session.commit()
        if checked.ok:
            editing.keep_draft(checked, name, replaces)
            return redirect(url_for("questions.draft"), code=303)
    return render_template("questions/edit.html", form=form, checked=checked, replaces=replaces)


def draft_or_redirect():
    draft = editing.current_draft()
    if draft is None:
        flash(
            _("Det finns inget utkast (ett utkast sparas i två timmar). Ladda upp filen eller skriv texten igen."),
            "error",
        )
    return draft


@bp.route("/utkast")
@editor_required
def draft():
    draft = draft_or_redirect()
    if draft is None:
        return redirect(url_for("questions.index"), code=303)
    definition = draft.definition
    compared, latest_round = editing.compared_version(current_user, definition.id)
    audit_by_user("questionnaire_compared", details={"compared_with": compared.id if compared else None})
    db.session.commit()
    return render_template(
        "questions/draft.html",
        draft=draft,
        definition=definition,
        compared=compared,
        latest_round=latest_round,
        changes=diff(compared.definition, definition) if compared else [],
        replaces=db.session.get(QuestionnaireVersion, draft.replaces_id) if draft.replaces_id else None,
        form=SaveForm(),
    )


class DiscardForm(Form):
    draft = HiddenField()


@bp.route("/utkast/slang", methods=["GET", "POST"])
@editor_required
def discard():
    """Throw the draft away, after a confirmation: nothing of it is kept, the versions are as they were."""
    draft = draft_or_redirect()
    if draft is None:
        return redirect(url_for("questions.index"), code=303)
    form = DiscardForm()
    if request.method == "GET":
        form.draft.data = editing.draft_mark()
        return render_template("questions/discard.html", form=form, definition=draft.definition)
    if not form.validate_on_submit():
        flash(_("Formuläret hade gått ut. Tryck på Släng utkastet igen."), "error")
        return redirect(url_for("questions.discard"), code=303)
    definition = draft.definition
    if not editing.discard_draft(form.draft.data or ""):
        flash(_("Utkastet har bytts ut sedan sidan visades och är inte slängt. Se efter vad det är nu."), "warning")
        return redirect(url_for("questions.draft"), code=303)
    audit_by_user(
        "questionnaire_discarded",
        details={"questionnaire": definition.id, "version": definition.version, "name": draft.name},
    )
    db.session.commit()
    flash(_("Utkastet är slängt. Inget av det sparades."), "saved")
    return redirect(url_for("questions.index"), code=303)


@bp.route("/utkast/redigera")
@editor_required
def edit_draft():
    draft = draft_or_redirect()
    if draft is None:
        return redirect(url_for("questions.index"), code=303)
    form = TextForm(formdata=None, data={"source": draft.source, "replaces": str(draft.replaces_id or "")})
    replaces = unused_or_none(draft.replaces_id)
    return render_template("questions/edit.html", form=form, checked=None, replaces=replaces)


class Preview(SimpleNamespace):
    """What the contact person's section page reads of an assignment, for a draft: no unit, no answers."""


def preview_assignment(definition: Questionnaire) -> Preview:
    return Preview(
        id=0,
        version=0,
        definition=definition,
        unit=SimpleNamespace(name=_("Exempelverksamheten")),
        is_editable=True,
        status="not_started",
        reopen_comment=None,
    )


def preview_target(definition: Questionnaire, current: Section, action: str) -> str | None:
    """Where a button of the preview leads: the section it names, or None to stay (and show what was typed)."""
    keys = [s.key for s in definition.sections]
    position = keys.index(current.key)
    verb, _sep, argument = action.partition(":")
    if verb == "next" and position + 1 < len(keys):
        return keys[position + 1]
    if verb == "previous" and position > 0:
        return keys[position - 1]
    if verb == "goto" and argument in keys:
        return argument
    if verb in ("review", "start", "leave", "lang"):
        return ""  # off the form: back to the draft
    return None


@bp.route("/utkast/avsnitt/<section_key>", methods=["GET", "POST"])
@editor_required
def preview(section_key: str):
    """A section of the draft as the contact person sees it, in any language the draft has (?sprak=en; ?lang
    would change the coordinator's own interface), with the texts that lack a translation listed; buttons move
    between sections, nothing is stored."""
    draft = draft_or_redirect()
    if draft is None:
        return redirect(url_for("questions.index"), code=303)
    offered = languages.languages(draft.definition)
    language = request.args.get("sprak", "")
    language = language if language in offered else languages.BASE_LANGUAGE
    definition = languages.localized(draft.definition, language)
    current = definition.section(section_key) or abort(404)
    sprak = None if language == languages.BASE_LANGUAGE else language  # url_for leaves a None out
    entries = {q.key: [1] for q in current.questions if q.is_group}  # one entry shown, as after "Lägg till"
    if request.method == "POST":
        target = preview_target(definition, current, request.form.get("action", ""))
        if target == "":
            return redirect(url_for("questions.draft"), code=303)
        if target is not None:
            return redirect(url_for("questions.preview", section_key=target, sprak=sprak), code=303)
        form = build_section_form(current, entries, {}, formdata=request.form)
        form.validate()  # the messages the contact person would get; nothing is kept
    else:
        form = build_section_form(current, entries, {})
        audit_by_user("questionnaire_previewed", details={"section": current.key, "language": language})
        db.session.commit()
    return render_template(
        "questions/preview.html",
        assignment=preview_assignment(definition),
        section=current,
        form=form,
        entries=entries,
        states={s.key: "empty" for s in definition.sections},
        position=[s.key for s in definition.sections].index(current.key),
        saved=False,
        conflicts={},
        base="",
        carried=set(),
        entries_json=json.dumps(entries),
        preview_action=url_for("questions.preview", section_key=current.key, sprak=sprak),
        preview_language=language,
        preview_languages=[(code, languages.name(code), languages.direction(code)) for code in offered],
        untranslated=untranslated_in(draft.definition, current, language),
    )


def untranslated_in(definition: Questionnaire, section: Section, language: str) -> list[languages.Missing]:
    """The texts of one section (its own, its questions' and their options') without a translation."""
    if language == languages.BASE_LANGUAGE:
        return []
    alone = replace(definition, sections=(section,))
    return [m for m in languages.missing(alone, language) if m.where != "[questionnaire]"]


@bp.route("/utkast/spara", methods=["POST"])
@editor_required
def save():
    form = SaveForm()
    if not form.validate_on_submit():
        flash(_("Formuläret hade gått ut. Tryck på Spara igen."), "error")
        return redirect(url_for("questions.draft"), code=303)
    draft = editing.current_draft()
    if draft is None:
        draft_or_redirect()
        return redirect(url_for("questions.index"), code=303)
    try:
        saved, replaced = editing.save_draft(draft)
        db.session.flush()
    except editing.SaveRefused as exc:
        db.session.rollback()
        flash(
            " ".join([str(exc), *(f"{p.where}: {p.message}" if p.where else p.message for p in exc.problems)]), "error"
        )
        return redirect(url_for("questions.draft"), code=303)
    editing.take_draft()
    audit_by_user(
        "questionnaire_saved",
        details={
            "version_id": saved.id,
            "questionnaire": saved.slug,
            "version": saved.version,
            "replaced": replaced.id if replaced else None,
        },
    )
    db.session.commit()
    flash(
        _(
            "Version %(version)s av %(title)s är sparad. Nu kan du skapa en omgång med den.",
            version=saved.version,
            title=saved.title,
        ),
        "saved",
    )
    return redirect(url_for("questions.version", version_id=saved.id), code=303)
