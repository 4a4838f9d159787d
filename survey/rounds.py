"""The coordinator runs a round: create and edit it, open and close it, invite and remind,
hand out links, and work with one unit's submission (read, reopen, approve)."""
from __future__ import annotations

import csv
import io
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    after_this_request,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_babel import gettext as _, ngettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from . import mail
from .auth import coordinator_required, editor_required, user_actor
from .db import db, parse_id, utcnow
from .export import unit_workbook, unit_workbook_filename
from .forms import AnswersImportForm, AnswersUploadForm, MailTemplateForm, ReopenAssignmentForm, ReopenRoundForm, RoundForm
from .models import (
    MAIL_KINDS,
    Assignment,
    OutboxMessage,
    QuestionnaireVersion,
    Round,
    Unit,
    audit,
)
from .offline import (
    MAX_BYTES,
    OfflineFileError,
    apply_import,
    import_refusal,
    offline_template,
    plan_import,
    read_offline,
    template_filename,
)
from .questionnaires import QuestionnaireError, content_hash, parse
from .register import XLSX, keep_upload, upload_folder

bp = Blueprint("rounds", __name__, url_prefix="/samordning")


def actor() -> str:
    return user_actor(current_user)


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
                label = _("%(title)s – version %(version)s (ny, från filen %(file)s)",
                          title=found.title, version=found.version, file=path.name)
            except QuestionnaireError:
                label = _("%(file)s (ny fil; har fel, se flask --app survey questionnaire check)", file=path.name)
            choices.append((f"file:{path.name}", label))
    return choices


def scope_choices() -> list[tuple[str, str]]:
    units = db.session.scalars(select(Unit).where(Unit.is_active.is_(True)).order_by(Unit.name)).all()
    parents = {u.parent_id for u in units}
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
            audit("round_created", actor(), user_id=current_user.id, round_id=round_.id, details={"units": count})
            db.session.commit()
            flash(_("Omgången är skapad som utkast med %(n)s verksamheter. Öppna den när allt är klart.", n=count), "saved")
            return redirect(url_for("coordinator.round_status", round_id=round_.id), code=303)
    return render_template("rounds/form.html", form=form, round=None)


def fill_round(round_: Round, form: RoundForm) -> None:
    round_.name = form.name.data.strip()
    round_.opens_on = form.opens_on.data
    round_.closes_on = form.closes_on.data
    round_.instructions = form.instructions.data or ""
    scope = form.scope.data
    round_.scope_unit = db.session.get(Unit, unit_id) if (unit_id := parse_id(scope)) is not None else None


@bp.route("/omgang/<int:round_id>/fragor")
@coordinator_required
def questions(round_id: int):
    """The round's questionnaire as the contact persons see it, on one printable page."""
    return render_template("rounds/questions.html", round=db.get_or_404(Round, round_id))


@bp.route("/omgang/<int:round_id>/redigera", methods=["GET", "POST"])
@editor_required
def edit(round_id: int):
    round_ = db.get_or_404(Round, round_id)
    if round_.state == "archived":
        abort(404)
    form = round_form(round_)
    if round_.uses_answers:
        # Answers are tied to the questions and units of an opened round.
        form.questionnaire.choices = [(f"version:{round_.questionnaire_version_id}", round_.questionnaire_version.title)]
        form.questionnaire.data = f"version:{round_.questionnaire_version_id}"
        form.scope.data = str(round_.scope_unit_id or "")
    if form.validate_on_submit():
        version = chosen_version(form)
        if version is not None:
            round_.questionnaire_version = version
            fill_round(round_, form)
            added = round_.assign_participants() if not round_.uses_answers else 0
            audit("round_edited", actor(), user_id=current_user.id, round_id=round_.id, details={"units_added": added})
            db.session.commit()
            flash(_("Ändringarna är sparade."), "saved")
            return redirect(url_for("coordinator.round_status", round_id=round_.id), code=303)
    return render_template("rounds/form.html", form=form, round=round_)


@bp.route("/omgang/<int:round_id>/nya-verksamheter", methods=["POST"])
@editor_required
def add_newcomers(round_id: int):
    """Units added to the register after the round was opened get their forms too."""
    round_ = db.get_or_404(Round, round_id)
    added = round_.assign_participants() if round_.state in ("open", "closed") else 0
    if added:
        audit("round_edited", actor(), user_id=current_user.id, round_id=round_.id, details={"units_added": added})
    try:
        db.session.commit()
    except IntegrityError:  # the same button pressed twice at once: the other press added them
        db.session.rollback()
        added = 0
    flash(ngettext("%(num)d verksamhet har lagts till i omgången. Bjud in den när du är redo.",
                   "%(num)d verksamheter har lagts till i omgången. Bjud in dem när du är redo.", added), "saved")
    return redirect(url_for("coordinator.round_status", round_id=round_.id), code=303)


@bp.route("/omgang/<int:round_id>/status", methods=["POST"])
@editor_required
def change_state(round_id: int):
    round_ = db.get_or_404(Round, round_id)
    state = request.form.get("state", "")
    if state == "open" and round_.state == "closed":
        return redirect(url_for("rounds.reopen_round", round_id=round_.id), code=303)
    if not round_.can_become(state):
        flash(_("Omgången kan inte byta till det läget nu."), "error")
        return redirect(url_for("coordinator.round_status", round_id=round_.id), code=303)
    previous = round_.state
    if state == "open":
        round_.assign_participants()
    round_.change_state(state)
    audit("round_state_changed", actor(), user_id=current_user.id, round_id=round_.id, details={"from": previous, "to": state})
    db.session.commit()
    flash({"open": _("Omgången är öppen. Skicka inbjudningar när du är redo."),
           "closed": _("Omgången är stängd. Utkasten finns kvar men kan inte ändras."),
           "archived": _("Omgången är arkiverad.")}[state], "saved")
    return redirect(url_for("coordinator.round_status", round_id=round_.id), code=303)


@bp.route("/omgang/<int:round_id>/publicera", methods=["POST"])
@editor_required
def publish(round_id: int):
    """Publish or withdraw the round's public summary page (aggregates and consented good examples)."""
    round_ = db.get_or_404(Round, round_id)
    publish_it = request.form.get("publish") == "1"
    if publish_it and not round_.uses_answers:
        flash(_("Öppna omgången innan sammanställningen publiceras."), "error")
    else:
        round_.published_dt = utcnow() if publish_it else None
        audit("summary_published" if publish_it else "summary_withdrawn", actor(), user_id=current_user.id,
              round_id=round_.id)
        db.session.commit()
        flash(_("Sammanställningen är publicerad.") if publish_it else _("Sammanställningen är inte längre publicerad."),
              "saved")
    return redirect(url_for("coordinator.round_status", round_id=round_.id), code=303)


@bp.route("/omgang/<int:round_id>/oppna-igen", methods=["GET", "POST"])
@editor_required
def reopen_round(round_id: int):
    round_ = db.get_or_404(Round, round_id)
    if round_.state != "closed":
        abort(404)
    form = ReopenRoundForm()
    if form.validate_on_submit():
        round_.closes_on = form.closes_on.data
        round_.change_state("open")
        audit("round_state_changed", actor(), user_id=current_user.id, round_id=round_.id,
              details={"from": "closed", "to": "open", "closes_on": form.closes_on.data.isoformat()})
        db.session.commit()
        flash(_("Omgången är öppen igen."), "saved")
        return redirect(url_for("coordinator.round_status", round_id=round_.id), code=303)
    return render_template("rounds/reopen_round.html", form=form, round=round_)


def selected_assignments(round_: Round, wanted) -> list[Assignment]:
    """The round's assignments named in the post (ids), or chosen by ``wanted`` when 'all' was pressed."""
    query = (
        select(Assignment)
        .where(Assignment.round_id == round_.id)
        .options(selectinload(Assignment.unit).selectinload(Unit.contacts), selectinload(Assignment.tokens))
    )
    if request.form.get("all"):
        return [a for a in db.session.scalars(query) if wanted(a)]
    ids = {parse_id(i) for i in request.form.getlist("assignment")} - {None}
    return db.session.scalars(query.where(Assignment.id.in_(ids))).all() if ids else []


def send_mail(round_id: int, kind: str, wanted):
    round_ = db.get_or_404(Round, round_id)
    if not round_.is_open:
        flash(_("Öppna omgången innan du skickar e-post."), "error")
        return redirect(url_for("coordinator.round_status", round_id=round_.id), code=303)
    chosen = selected_assignments(round_, wanted)
    # A unit that has submitted (on the web or by an imported file) is never asked to answer again.
    already_in = sorted(a.unit.name for a in chosen if a.status == "submitted")
    chosen = [a for a in chosen if a.status != "submitted"]
    queued, without_contact = 0, []
    for assignment in chosen:
        count = mail.queue_assignment_mail(assignment, kind, current_user)
        queued += count
        if not count:
            without_contact.append(assignment.unit.name)
    audit(f"{kind}s_queued", actor(), user_id=current_user.id, round_id=round_.id,
          details={"units": len(chosen), "messages": queued})
    db.session.commit()
    if already_in:
        flash(_("Har redan skickat in, fick inget meddelande: %(units)s", units=", ".join(already_in)), "info")
    if not chosen and not already_in:
        flash(_("Inga verksamheter valdes."), "warning")
    elif chosen:
        flash(ngettext("%(num)d meddelande ligger i utkorgen och skickas nu.",
                       "%(num)d meddelanden ligger i utkorgen och skickas nu.", queued), "saved")
    if without_contact:
        flash(_("Saknar kontaktperson, fick inget meddelande: %(units)s", units=", ".join(without_contact)), "warning")
    send_after_this_request()
    return redirect(url_for("coordinator.round_status", round_id=round_.id), code=303)


def send_after_this_request() -> None:
    """Queued mail goes out once the response is on its way; say so when there is no server to take it."""
    after_this_request(mail.send_after_response)
    if not mail.is_configured():
        flash(_("Ingen e-postserver är inställd (MAIL_SERVER), så meddelandena väntar i utkorgen."), "warning")


@bp.route("/omgang/<int:round_id>/inbjudan", methods=["POST"])
@editor_required
def invite(round_id: int):
    return send_mail(round_id, "invitation", lambda a: a.invited_dt is None and a.status != "submitted")


@bp.route("/omgang/<int:round_id>/paminnelse", methods=["POST"])
@editor_required
def remind(round_id: int):
    return send_mail(round_id, "reminder", lambda a: a.status != "submitted")


@bp.route("/omgang/<int:round_id>/lankar.csv", methods=["POST"])
@editor_required
def links_csv(round_id: int):
    """New links for every unit, for municipalities that send mail themselves; earlier links stop working."""
    round_ = db.get_or_404(Round, round_id)
    assignments = db.session.scalars(
        select(Assignment).where(Assignment.round_id == round_.id)
        .options(selectinload(Assignment.unit).selectinload(Unit.contacts), selectinload(Assignment.tokens))
    ).all()
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow([_("Verksamhet"), _("Kontaktperson"), _("E-post"), _("Länk")])
    for assignment in sorted(assignments, key=lambda a: a.unit.name.casefold()):
        link = mail.public_url(f"/svar/lank/{assignment.issue_token()}")
        contacts = assignment.unit.contacts or [None]
        for contact in contacts:
            writer.writerow([assignment.unit.name, contact.name if contact else "", contact.email if contact else "", link])
    audit("links_issued", actor(), user_id=current_user.id, round_id=round_.id, details={"count": len(assignments)})
    db.session.commit()
    # Excel opens a semicolon CSV with a BOM as UTF-8 in Swedish locales.
    return Response(
        "\ufeff" + out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="lankar-omgang-{round_.id}.csv"'},
    )


def round_assignment(assignment_id: int) -> Assignment:
    return db.get_or_404(Assignment, assignment_id)


@bp.route("/svar/<int:assignment_id>")
@coordinator_required
def assignment(assignment_id: int):
    assignment = round_assignment(assignment_id)
    return render_template(
        "rounds/assignment.html",
        assignment=assignment,
        values=assignment.values(),
        reopen_form=ReopenAssignmentForm(),
        messages=db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.assignment_id == assignment.id).order_by(OutboxMessage.id.desc())
        ).all(),
    )


@bp.route("/svar/<int:assignment_id>/ny-lank", methods=["POST"])
@editor_required
def new_link(assignment_id: int):
    assignment = round_assignment(assignment_id)
    token = assignment.issue_token()
    audit("link_issued", actor(), user_id=current_user.id, round_id=assignment.round_id, assignment_id=assignment.id)
    db.session.commit()
    return render_template("rounds/link.html", assignment=assignment, link=mail.public_url(f"/svar/lank/{token}"))


@bp.route("/svar/<int:assignment_id>/oppna-igen", methods=["POST"])
@editor_required
def reopen_assignment(assignment_id: int):
    assignment = round_assignment(assignment_id)
    form = ReopenAssignmentForm()
    if assignment.status != "submitted":
        flash(_("Bara inskickade svar kan öppnas igen."), "error")
    elif form.validate_on_submit():
        assignment.reopen(form.comment.data.strip())
        mailed = 0
        if form.notify.data and assignment.round.is_open:
            mailed = mail.queue_assignment_mail(assignment, "reopened", current_user)
            after_this_request(mail.send_after_response)
        audit("assignment_reopened", actor(), user_id=current_user.id, round_id=assignment.round_id,
              assignment_id=assignment.id, details={"messages": mailed})
        db.session.commit()
        flash(_("Svaren är öppnade igen. Kontaktpersonen ser din kommentar nästa gång länken öppnas."), "saved")
        if mailed:
            flash(ngettext("%(num)d meddelande med kommentaren och länken ligger i utkorgen.",
                           "%(num)d meddelanden med kommentaren och länken ligger i utkorgen.", mailed), "saved")
        elif form.notify.data and not assignment.round.is_open:
            flash(_("Omgången är inte öppen, så inget e-postmeddelande skickades. Öppna omgången igen för att verksamheten ska kunna ändra svaren."), "warning")
        elif form.notify.data:
            flash(_("Verksamheten saknar kontaktperson, så inget e-postmeddelande skickades."), "warning")
    else:
        return render_template("rounds/assignment.html", assignment=assignment, values=assignment.values(),
                               reopen_form=form, messages=[]), 200
    return redirect(url_for("rounds.assignment", assignment_id=assignment.id), code=303)


@bp.route("/svar/<int:assignment_id>/godkann", methods=["POST"])
@editor_required
def approve(assignment_id: int):
    assignment = round_assignment(assignment_id)
    if assignment.status != "submitted":
        flash(_("Bara inskickade svar kan godkännas."), "error")
    else:
        assignment.approve()
        audit("assignment_approved", actor(), user_id=current_user.id, round_id=assignment.round_id, assignment_id=assignment.id)
        db.session.commit()
        flash(_("Svaren är godkända."), "saved")
    return redirect(url_for("rounds.assignment", assignment_id=assignment.id), code=303)


@bp.route("/epost")
@coordinator_required
def mail_templates():
    return render_template("rounds/mail_templates.html", templates=[mail.template_for(k) for k in MAIL_KINDS])


@bp.route("/epost/<kind>", methods=["GET", "POST"])
@editor_required
def edit_mail_template(kind: str):
    if kind not in MAIL_KINDS:
        abort(404)
    template = mail.template_for(kind)
    form = MailTemplateForm(obj=template)
    if form.validate_on_submit():
        problems = mail.template_problems(kind, form.subject.data, form.body.data)
        for field, messages in problems.items():
            getattr(form, field).errors.extend(messages)
        if not any(problems.values()):
            if template.id is None:
                db.session.add(template)
            template.subject, template.body = form.subject.data, form.body.data
            audit("mail_template_changed", actor(), user_id=current_user.id, details={"kind": kind})
            db.session.commit()
            flash(_("Mallen är sparad."), "saved")
            return redirect(url_for("rounds.mail_templates"), code=303)
    return render_template("rounds/mail_template.html", form=form, kind=kind, placeholders=mail.PLACEHOLDERS[kind])


@bp.route("/utkorg")
@coordinator_required
def outbox():
    messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(500)).all()
    return render_template("rounds/outbox.html", messages=messages, configured=mail.is_configured())


@bp.route("/utkorg/skicka", methods=["POST"])
@editor_required
def send_now():
    """Waiting and failed messages are due at once, and go out after this response."""
    waiting = db.session.scalars(select(OutboxMessage).where(OutboxMessage.status.in_(("pending", "failed")))).all()
    for message in waiting:
        if message.status == "failed":
            message.status, message.attempts = "pending", 0
        message.next_attempt_dt = utcnow()
    audit("mail_retried", actor(), user_id=current_user.id, details={"messages": len(waiting)})
    db.session.commit()
    flash(ngettext("%(num)d meddelande skickas nu.", "%(num)d meddelanden skickas nu.", len(waiting)), "saved")
    send_after_this_request()
    return redirect(url_for("rounds.outbox"), code=303)


# Excel back in: a unit's offline template, and importing it filled in.

@bp.route("/svar/<int:assignment_id>/mall.xlsx")
@editor_required
def offline_template_download(assignment_id: int):
    assignment = round_assignment(assignment_id)
    audit("template_downloaded", actor(), user_id=current_user.id, round_id=assignment.round_id, assignment_id=assignment.id)
    db.session.commit()
    return send_file(io.BytesIO(offline_template(assignment)), mimetype=XLSX, as_attachment=True,
                     download_name=template_filename(assignment))


@bp.route("/svar/<int:assignment_id>/svar.xlsx")
@coordinator_required
def unit_workbook_download(assignment_id: int):
    assignment = round_assignment(assignment_id)
    return send_file(unit_workbook(assignment), mimetype=XLSX, as_attachment=True,
                     download_name=unit_workbook_filename(assignment))


@bp.route("/svar/<int:assignment_id>/importera", methods=["GET", "POST"])
@editor_required
def import_answers(assignment_id: int):
    """Upload → preview of every change (nothing written) → confirm, which reads the same file again."""
    assignment = round_assignment(assignment_id)
    form = AnswersUploadForm()
    refusal = import_refusal(assignment)
    if request.method == "POST":
        take_pending_import(assignment.id)  # a new upload replaces whatever waited for confirmation
    if refusal is None and form.validate_on_submit():
        upload = form.file.data
        with upload.stream:
            data = upload.read(MAX_BYTES + 1)
        try:
            plan = plan_import(assignment, read_offline(data))
        except OfflineFileError as exc:
            form.file.errors.append(str(exc))
        else:
            if plan.ok:
                stored = keep_upload(data, ".xlsx")
                session["answers_import"] = {"file": stored, "assignment": assignment.id}
            return render_template("rounds/import_preview.html", assignment=assignment, plan=plan,
                                   filename=Path(upload.filename or "").name, form=AnswersImportForm())
    return render_template("rounds/import_answers.html", assignment=assignment, form=form, refusal=refusal)


def take_pending_import(assignment_id: int) -> bytes | None:
    """The uploaded file waiting for confirmation, taken off the session and the disk: one confirmation per upload."""
    pending = session.pop("answers_import", None)
    if not pending:
        return None
    path = upload_folder() / Path(pending["file"]).name
    try:
        data = path.read_bytes() if pending.get("assignment") == assignment_id else None
    except OSError:
        data = None
    path.unlink(missing_ok=True)
    return data


@bp.route("/svar/<int:assignment_id>/importera/bekrafta", methods=["POST"])
@editor_required
def confirm_answers_import(assignment_id: int):
    assignment = round_assignment(assignment_id)
    form = AnswersImportForm()
    data = take_pending_import(assignment.id)
    refusal = import_refusal(assignment)
    if refusal or data is None or not form.validate_on_submit():
        flash(refusal or _("Inläsningen har gått ut. Ladda upp filen igen."), "error")
        return redirect(url_for("rounds.import_answers", assignment_id=assignment.id), code=303)
    try:
        plan = plan_import(assignment, read_offline(data))
    except OfflineFileError as exc:
        plan = None
        flash(str(exc), "error")
    if plan is None or not plan.ok:
        if plan is not None:
            flash(_("Filen har fel och kan inte läsas in."), "error")
        return redirect(url_for("rounds.import_answers", assignment_id=assignment.id), code=303)
    counts = apply_import(assignment, plan)
    missing = assignment.missing_required() if form.mark_submitted.data else []
    if missing:
        db.session.rollback()
        flash(_("Svaren kan inte markeras som inskickade: %(n)s obligatoriska frågor saknar svar. Läs in filen utan att markera den som inskickad, eller komplettera filen.", n=len(missing)), "error")
        return redirect(url_for("rounds.import_answers", assignment_id=assignment.id), code=303)
    if form.mark_submitted.data:
        assignment.submit()
    audit("answers_imported", actor(), user_id=current_user.id, round_id=assignment.round_id, assignment_id=assignment.id,
          details={**counts, "changes": len(plan.changes), "submitted": bool(form.mark_submitted.data)})
    db.session.commit()
    # The same count as the preview's table, so the coordinator sees that what was shown is what was done.
    flash(ngettext("Svaren är inlästa: %(num)s ändring.", "Svaren är inlästa: %(num)s ändringar.", len(plan.changes)), "saved")
    return redirect(url_for("rounds.assignment", assignment_id=assignment.id), code=303)
