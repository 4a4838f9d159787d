"""A round's lifecycle: create, edit, open, close, reopen, archive, publish; units joining late."""

from __future__ import annotations

from pathlib import Path

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from survey.access import (
    audit_by_user,
    editor_required,
    managed_round_or_404,
    round_or_404,
    scoped,
    staff_required,
    visible_units,
)
from survey.db import utcnow
from survey.extensions import db
from survey.ids import parse_id
from survey.models import QuestionnaireVersion, Round, Unit
from survey.questions.definition import QuestionnaireError, content_hash, parse
from survey.questions.languages import languages, missing, name
from survey.rounds import bp
from survey.rounds.forms import ReopenRoundForm, RoundForm


def questionnaire_choices() -> list[tuple[str, str]]:
    """Stored questionnaire versions, then files in questionnaires/ whose text is not stored yet."""
    versions = db.session.scalars(select(QuestionnaireVersion).order_by(QuestionnaireVersion.id.desc())).all()
    known = {v.content_hash for v in versions}
    choices = [(f"version:{v.id}", f"{v.title} – version {v.version}") for v in versions]
    folder = Path(current_app.root_path).parent / "questionnaires"
    for path in sorted(folder.glob("*.toml")):
        try:
            source = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if content_hash(source) not in known:
            try:
                found = parse(source, name=path.name)
                label = _(
                    "%(title)s – version %(version)s (ny, från filen %(file)s)",
                    title=found.title,
                    version=found.version,
                    file=path.name,
                )
            except QuestionnaireError:
                label = _("%(file)s (ny fil; har fel, se flask --app survey questionnaire check)", file=path.name)
            choices.append((f"file:{path.name}", label))
    return choices


def scope_choices() -> list[tuple[str, str]]:
    units = db.session.scalars(
        select(Unit).where(Unit.is_active.is_(True), Unit.id.in_(visible_units(current_user))).order_by(Unit.name)
    ).all()
    parents = {u.parent_id for u in units}
    if scoped(current_user):  # a round of their own part only: the units at the top of their scopes, and below
        tops = set(current_user.scope_unit_ids)
        top_first = sorted(units, key=lambda u: u.id not in tops)  # sorted() is stable: by name within each
        return [(str(u.id), u.name) for u in top_first if u.id in parents or u.id in tops]
    choices = [("", _("Hela organisationen"))]
    choices += [(str(u.id), u.name) for u in units if u.id in parents]
    return choices


def chosen_version(form: RoundForm) -> QuestionnaireVersion | None:
    kind, _sep, ref = form.questionnaire.data.partition(":")
    if kind == "version" and (version_id := parse_id(ref)) is not None:
        return db.session.get(QuestionnaireVersion, version_id)
    if kind == "file":
        path = Path(current_app.root_path).parent / "questionnaires" / Path(ref).name
        try:
            return QuestionnaireVersion.from_source(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, QuestionnaireError) as exc:
            form.questionnaire.errors.append(_("Filen kunde inte läsas: %(error)s", error=str(exc)[:300]))
    return None


def round_form(round_: Round | None = None) -> RoundForm:
    form = RoundForm(obj=round_)
    form.questionnaire.choices = questionnaire_choices()
    form.scope.choices = scope_choices()
    if round_ is not None and request.method == "GET":
        form.questionnaire.data = f"version:{round_.questionnaire_version_id}"
        form.scope.data = str(round_.scope_unit_id or "")
    elif request.method == "GET":
        # A new round starts from the questionnaire of the latest round, not from whichever version is listed first.
        latest = db.session.scalar(
            select(Round.questionnaire_version_id).order_by(Round.opens_on.desc(), Round.id.desc()).limit(1)
        )
        if latest is not None:
            form.questionnaire.data = f"version:{latest}"
    return form


@bp.route("/omgang/ny", methods=["GET", "POST"])
@editor_required
def create():
    form = round_form()
    if form.validate_on_submit():
        version = chosen_version(form)
        if version is not None:
            round_ = Round(state="draft", questionnaire_version=version)
            fill_round(round_, form)
            db.session.add(round_)
            db.session.flush()
            count = round_.assign_participants()
            audit_by_user("round_created", round_id=round_.id, details={"units": count})
            db.session.commit()
            flash(
                ngettext(
                    "Omgången är skapad som utkast med %(num)s verksamhet. Öppna den när allt är klart.",
                    "Omgången är skapad som utkast med %(num)s verksamheter. Öppna den när allt är klart.",
                    count,
                ),
                "saved",
            )
            return redirect(url_for("rounds.round_status", round_id=round_.id), code=303)
    return render_template("rounds/form.html", form=form, round=None)


def fill_round(round_: Round, form: RoundForm) -> None:
    round_.name = form.name.data.strip()
    round_.opens_on = form.opens_on.data
    round_.closes_on = form.closes_on.data
    round_.instructions = form.instructions.data or ""
    round_.reminder_days = form.reminder_days.data or []
    scope = form.scope.data
    unit_id = parse_id(scope)
    round_.scope_unit = (
        db.session.scalar(select(Unit).where(Unit.id == unit_id, Unit.id.in_(visible_units(current_user))))
        if unit_id is not None
        else None
    )


@bp.route("/omgang/<int:round_id>/fragor")
@staff_required
def questions(round_id: int):
    """The round's questionnaire as the contact persons see it, on one printable page, and for each language it
    is translated into the texts that still lack a translation (the contact persons read them in Swedish)."""
    round_ = round_or_404(round_id)
    definition = round_.definition
    untranslated = {language: missing(definition, language) for language in languages(definition)[1:]}
    return render_template("rounds/questions.html", round=round_, untranslated=untranslated, language_name=name)


@bp.route("/omgang/<int:round_id>/redigera", methods=["GET", "POST"])
@editor_required
def edit(round_id: int):
    round_ = managed_round_or_404(round_id)
    if round_.state == "archived":
        abort(404)
    form = round_form(round_)
    if round_.uses_answers:
        # Answers are tied to the questions and units of an opened round.
        form.questionnaire.choices = [
            (f"version:{round_.questionnaire_version_id}", round_.questionnaire_version.title)
        ]
        form.questionnaire.data = f"version:{round_.questionnaire_version_id}"
        form.scope.data = str(round_.scope_unit_id or "")
    if form.validate_on_submit():
        version = chosen_version(form)
        if version is not None:
            round_.questionnaire_version = version
            fill_round(round_, form)
            added = round_.assign_participants() if not round_.uses_answers else 0
            audit_by_user("round_edited", round_id=round_.id, details={"units_added": added})
            db.session.commit()
            flash(_("Ändringarna är sparade."), "saved")
            return redirect(url_for("rounds.round_status", round_id=round_.id), code=303)
    return render_template("rounds/form.html", form=form, round=round_)


@bp.route("/omgang/<int:round_id>/nya-verksamheter", methods=["POST"])
@editor_required
def add_newcomers(round_id: int):
    """Units added to the register after the round was opened get their forms too."""
    round_ = managed_round_or_404(round_id)
    added = round_.assign_participants() if round_.state in ("open", "closed") else 0
    if added:
        audit_by_user("round_edited", round_id=round_.id, details={"units_added": added})
    try:
        db.session.commit()
    except IntegrityError:  # the same button pressed twice at once: the other press added them
        db.session.rollback()
        added = 0
    flash(
        ngettext(
            "%(num)d verksamhet har lagts till i omgången. Bjud in den när du är redo.",
            "%(num)d verksamheter har lagts till i omgången. Bjud in dem när du är redo.",
            added,
        ),
        "saved",
    )
    return redirect(url_for("rounds.round_status", round_id=round_.id), code=303)


@bp.route("/omgang/<int:round_id>/status", methods=["POST"])
@editor_required
def change_state(round_id: int):
    round_ = managed_round_or_404(round_id)
    state = request.form.get("state", "")
    if state == "open" and round_.state == "closed":
        return redirect(url_for("rounds.reopen_round", round_id=round_.id), code=303)
    if not round_.can_become(state):
        flash(_("Omgången kan inte byta till det läget nu."), "error")
        return redirect(url_for("rounds.round_status", round_id=round_.id), code=303)
    previous = round_.state
    if state == "open":
        round_.assign_participants()
    round_.change_state(state)
    audit_by_user("round_state_changed", round_id=round_.id, details={"from": previous, "to": state})
    db.session.commit()
    flash(
        {
            "open": _("Omgången är öppen. Skicka inbjudningar när du är redo."),
            "closed": _("Omgången är stängd. Utkasten finns kvar men kan inte ändras."),
            "archived": _("Omgången är arkiverad."),
        }[state],
        "saved",
    )
    return redirect(url_for("rounds.round_status", round_id=round_.id), code=303)


def refuse_if_draft(round_: Round, message: str | None = None):
    """A draft has no answers yet: its workbook, report and public page wait until it is opened, and so do its
    links. The redirect back to the round page with a message saying so, or None when the round has been opened."""
    if round_.uses_answers:
        return None
    flash(
        message
        or _("Omgången är ett utkast: ingen har fått formuläret än. Öppna omgången för att få svar att sammanställa."),
        "error",
    )
    return redirect(url_for("rounds.round_status", round_id=round_.id), code=303)


def refuse_links_if_draft(round_: Round):
    """New links wait until the round is opened: a draft's link would lead to a form nobody may fill in yet."""
    return refuse_if_draft(round_, _("Omgången är ett utkast: öppna den innan du delar ut länkar."))


@bp.route("/omgang/<int:round_id>/publicera", methods=["POST"])
@editor_required
def publish(round_id: int):
    """Publish or withdraw the round's public summary page (aggregates and consented good examples)."""
    round_ = managed_round_or_404(round_id)
    publish_it = request.form.get("publish") == "1"
    if publish_it and not round_.uses_answers:
        flash(_("Öppna omgången innan sammanställningen publiceras."), "error")
    else:
        round_.published_dt = utcnow() if publish_it else None
        audit_by_user("summary_published" if publish_it else "summary_withdrawn", round_id=round_.id)
        db.session.commit()
        flash(
            _("Sammanställningen är publicerad.") if publish_it else _("Sammanställningen är inte längre publicerad."),
            "saved",
        )
    return redirect(url_for("rounds.round_status", round_id=round_.id), code=303)


@bp.route("/omgang/<int:round_id>/oppna-igen", methods=["GET", "POST"])
@editor_required
def reopen_round(round_id: int):
    round_ = managed_round_or_404(round_id)
    if round_.state != "closed":
        abort(404)
    form = ReopenRoundForm()
    if form.validate_on_submit():
        round_.closes_on = form.closes_on.data
        round_.change_state("open")
        audit_by_user(
            "round_state_changed",
            round_id=round_.id,
            details={"from": "closed", "to": "open", "closes_on": form.closes_on.data.isoformat()},
        )
        db.session.commit()
        flash(_("Omgången är öppen igen."), "saved")
        return redirect(url_for("rounds.round_status", round_id=round_.id), code=303)
    return render_template("rounds/reopen_round.html", form=form, round=round_)
