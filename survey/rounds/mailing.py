"""Mail for a round: invitations, reminders, the links file, editable templates, the outbox."""

from __future__ import annotations

from io import BytesIO

from flask import abort, after_this_request, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from survey import mail, reminders
from survey.access import (
    audit_by_user,
    editor_required,
    round_or_404,
    staff_required,
    user_actor,
    visible_assignments,
    visible_outbox,
)
from survey.db import LOCAL_TZ, utcnow
from survey.extensions import db
from survey.ids import parse_id
from survey.jobs.views import is_big
from survey.jobs.views import start as start_job
from survey.models import Assignment, JobKind, MailKind, OutboxMessage, Round, Unit
from survey.rounds import bp
from survey.rounds.forms import MailTemplateForm
from survey.rounds.lifecycle import refuse_links_if_draft
from survey.rounds.links import issue_links, links_file_text, links_filename


def selected_assignments(round_: Round, wanted) -> list[Assignment]:
    """The round's assignments named in the post (ids), or chosen by ``wanted`` when 'all' was pressed."""
    query = visible_assignments(current_user, round_).options(
        selectinload(Assignment.unit).selectinload(Unit.contacts), selectinload(Assignment.round)
    )
    if request.form.get("all"):
        return [a for a in db.session.scalars(query) if wanted(a)]
    ids = {parse_id(i) for i in request.form.getlist("assignment")} - {None}
    return list(db.session.scalars(query.where(Assignment.id.in_(ids)))) if ids else []


def refuse_unless_open(round_: Round):
    """Mail asks people to answer, so it waits until the round is open: the redirect back with a message, or None."""
    if round_.is_open:
        return None
    flash(_("Öppna omgången innan du skickar e-post."), "error")
    return redirect(url_for("rounds.round_status", round_id=round_.id), code=303)


def send_invitations(round_: Round):
    """'Bjud in' for the units ticked, or 'Bjud in alla' for those not invited yet; a big round's 'all' is a job."""
    if request.form.get("all") and is_big(round_):
        # Thousands of units: a job queues them a batch at a time, outside the request (survey/jobs/).
        job = start_job(JobKind.INVITATIONS, round_)
        return redirect(url_for("jobs.status", job_id=job.id), code=303)
    chosen = selected_assignments(round_, lambda a: a.invited_dt is None and not a.is_submitted)
    # A unit that has submitted (on the web or by an imported file) is never asked to answer again.
    already_in = sorted(a.unit.name for a in chosen if a.is_submitted)
    chosen = [a for a in chosen if not a.is_submitted]
    counts = mail.queue_assignment_mails(chosen, "invitation", current_user)
    queued = sum(counts.values())
    without_contact = [a.unit.name for a in chosen if not counts[a.id]]
    audit_by_user("invitations_queued", round_id=round_.id, details={"units": len(chosen), "messages": queued})
    db.session.commit()
    if already_in:
        flash(_("Har redan skickat in, fick inget meddelande: %(units)s", units=", ".join(already_in)), "info")
    if not chosen and not already_in:
        flash(_("Inga verksamheter valdes."), "warning")
    elif chosen:
        flash(queued_message(queued), "saved" if mail.is_configured() else "warning")
    if without_contact:
        flash(_("Saknar kontaktperson, fick inget meddelande: %(units)s", units=", ".join(without_contact)), "warning")
    send_after_this_request(warn=False)  # queued_message() has said whether they go now
    return redirect(url_for("rounds.round_status", round_id=round_.id), code=303)


NAMES_SHOWN = 20  # a longer list of units is cut, with how many more there are


def names_line(ids: list[int]) -> str:
    """The units' names, the first NAMES_SHOWN and how many more."""
    names = reminders.unit_names(ids, NAMES_SHOWN)
    if len(ids) > len(names):
        return ngettext(
            "%(names)s och %(num)d till", "%(names)s och %(num)d till", len(ids) - len(names), names=", ".join(names)
        )
    return ", ".join(names)


def send_reminders(round_: Round):
    """'Påminn' for the units ticked, or 'Påminn alla': reminders.sort_out() chooses, as for the scheduled
    reminders; the units invited or reminded within the interval are reminded only once the coordinator confirms
    (``confirm``: "1" reminds them too, "ovriga" only the others). A big round's 'all' becomes a job once confirmed."""
    everyone = bool(request.form.get("all"))
    scope = visible_assignments(current_user, round_).with_only_columns(Assignment.id)
    if not everyone:
        scope = scope.where(Assignment.id.in_({parse_id(i) for i in request.form.getlist("assignment")} - {None}))
    today = utcnow().astimezone(LOCAL_TZ).date()
    sorting = reminders.sort_out(round_, today, scope)
    confirm = request.form.get("confirm")
    recent = sorting.ids[reminders.RECENT]
    if everyone and not sorting.chosen and not recent:
        flash(nobody_to_remind(round_), "warning")
        if 0 < sorting.count(reminders.NOT_INVITED) < sum(sorting.counts().values()):
            flash(not_invited_message(sorting), "warning")
        return redirect(url_for("rounds.round_status", round_id=round_.id), code=303)
    big = everyone and is_big(round_)
    if recent and confirm not in ("1", "ovriga"):
        # Nothing is sent yet: the coordinator chooses to remind them anyway, or only the others.
        return render_template(
            "rounds/confirm_reminder.html",
            round=round_,
            everyone=everyone,
            big=big,
            recent=[] if big else reminders.load(recent),
            others=[] if big else reminders.load(sorting.chosen),
            counts=sorting.counts(),
            not_invited=names_line(sorting.ids[reminders.NOT_INVITED]),
            days=current_app.config["REMINDER_INTERVAL_DAYS"],
        )
    anyway = confirm == "1"
    if big:
        # Thousands of units: a job queues them a batch at a time, outside the request (survey/jobs/).
        job = start_job(JobKind.REMINDERS, round_, recent=anyway)
        return redirect(url_for("jobs.status", job_id=job.id), code=303)
    chosen = reminders.load(sorting.chosen + (recent if anyway else []))
    counts = mail.queue_assignment_mails(chosen, "reminder", current_user)
    queued = sum(counts.values())
    audit_by_user("reminders_queued", round_id=round_.id, details={"units": len(chosen), "messages": queued})
    db.session.commit()
    if sorting.count(reminders.SUBMITTED) and not everyone:
        flash(
            _(
                "Har redan skickat in, fick inget meddelande: %(units)s",
                units=names_line(sorting.ids[reminders.SUBMITTED]),
            ),
            "info",
        )
    if not any(sorting.ids.values()):
        flash(_("Inga verksamheter valdes."), "warning")
    elif chosen:
        flash(queued_message(queued), "saved" if mail.is_configured() else "warning")
    if not anyway and recent:
        flash(recent_message(len(recent)), "info")
    if sorting.count(reminders.NOT_INVITED):
        flash(not_invited_message(sorting), "warning")
    without_contact = sorting.ids[reminders.WITHOUT_CONTACT] + [a.id for a in chosen if not counts[a.id]]
    if without_contact:
        flash(_("Saknar kontaktperson, fick inget meddelande: %(units)s", units=names_line(without_contact)), "warning")
    send_after_this_request(warn=False)  # queued_message() has said whether they go now
    return redirect(url_for("rounds.round_status", round_id=round_.id), code=303)


def not_invited_message(sorting: reminders.Sorting) -> str:
    return _("Inte inbjuden än, fick ingen påminnelse: %(units)s", units=names_line(sorting.ids[reminders.NOT_INVITED]))


def recent_message(count: int) -> str:
    return ngettext(
        "%(num)d verksamhet har fått en inbjudan eller påminnelse de senaste %(days)s dagarna och fick ingen nu.",
        "%(num)d verksamheter har fått en inbjudan eller påminnelse de senaste %(days)s dagarna och fick ingen nu.",
        count,
        days=current_app.config["REMINDER_INTERVAL_DAYS"],
    )


def nobody_to_remind(round_: Round) -> str:
    invited = visible_assignments(current_user, round_).where(Assignment.invited_dt.is_not(None)).exists()
    if not db.session.scalar(select(invited)):
        return _("Ingen har bjudits in än. Bjud in först: en påminnelse går bara till den som har fått en inbjudan.")
    return _("Alla som har bjudits in har skickat in: det finns ingen att påminna.")


def queued_message(count: int) -> str:
    """One message on what became of the queued mail: going now, or waiting for a mail server."""
    if mail.is_configured():
        return ngettext(
            "%(num)d meddelande ligger i utkorgen och skickas nu.",
            "%(num)d meddelanden ligger i utkorgen och skickas nu.",
            count,
        )
    return ngettext(
        "%(num)d meddelande väntar i utkorgen: ingen e-postserver är inställd (MAIL_SERVER), "
        "så det skickas när en är det.",
        "%(num)d meddelanden väntar i utkorgen: ingen e-postserver är inställd (MAIL_SERVER), "
        "så de skickas när en är det.",
        count,
    )


def send_after_this_request(warn: bool = True) -> None:
    """Queued mail goes out once the response is on its way; say so (``warn``) when there is no server."""
    after_this_request(mail.send_after_response)
    if warn and not mail.is_configured():
        flash(_("Ingen e-postserver är inställd (MAIL_SERVER), så meddelandena väntar i utkorgen."), "warning")


@bp.route("/omgang/<int:round_id>/inbjudan", methods=["POST"])
@editor_required
def invite(round_id: int):
    round_ = round_or_404(round_id)
    return refuse_unless_open(round_) or send_invitations(round_)


@bp.route("/omgang/<int:round_id>/paminnelse", methods=["POST"])
@editor_required
def remind(round_id: int):
    round_ = round_or_404(round_id)
    return refuse_unless_open(round_) or send_reminders(round_)


@bp.route("/omgang/<int:round_id>/lankar.csv", methods=["POST"])
@editor_required
def links_csv(round_id: int):
    """New links for every unit, for municipalities that send mail themselves; earlier links stop working."""
    round_ = round_or_404(round_id)
    if (refused := refuse_links_if_draft(round_)) is not None:
        return refused
    if is_big(round_):
        job = start_job(JobKind.LINKS, round_)
        return redirect(url_for("jobs.status", job_id=job.id), code=303)
    text = links_file_text(issue_links(round_, user_actor(current_user), current_user))
    db.session.commit()
    # send_file: a round name with å or a space gets an ASCII filename= and a UTF-8 filename*= (RFC 6266).
    return send_file(
        BytesIO(text.encode()), mimetype="text/csv", as_attachment=True, download_name=links_filename(round_)
    )


@bp.route("/epost")
@staff_required
def mail_templates():
    return render_template("rounds/mail_templates.html", templates=[mail.template_for(k) for k in MailKind])


@bp.route("/epost/<kind>", methods=["GET", "POST"])
@editor_required
def edit_mail_template(kind: str):
    if kind not in tuple(MailKind):
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
            audit_by_user("mail_template_changed", details={"kind": kind})
            db.session.commit()
            flash(_("Mallen är sparad."), "saved")
            return redirect(url_for("rounds.mail_templates"), code=303)
    return render_template("rounds/mail_template.html", form=form, kind=kind, placeholders=mail.PLACEHOLDERS[kind])


@bp.route("/utkorg")
@staff_required
def outbox():
    messages = db.session.scalars(visible_outbox(current_user).order_by(OutboxMessage.id.desc()).limit(500)).all()
    return render_template("rounds/outbox.html", messages=messages, configured=mail.is_configured())


@bp.route("/utkorg/<int:message_id>")
@staff_required
def outbox_message(message_id: int):
    """One message as it was queued: recipient, state, the last error and the body (personal links left out)."""
    message = db.session.scalar(visible_outbox(current_user).where(OutboxMessage.id == message_id))
    if message is None:
        abort(404)
    return render_template(
        "rounds/outbox_message.html",
        message=message,
        assignment=db.session.get(Assignment, message.assignment_id) if message.assignment_id else None,
        body=mail.body_without_links(message.body),
        configured=mail.is_configured(),
    )


@bp.route("/utkorg/skicka", methods=["POST"])
@editor_required
def send_now():
    """Waiting and failed messages (or the one named by ``message``) are due at once, and go out after this response."""
    unsent = ("pending", "failed")
    one = None
    if "message" in request.form:
        one = parse_id(request.form["message"])
        message = db.session.scalar(visible_outbox(current_user).where(OutboxMessage.id == one)) if one else None
        if message is None:
            abort(404)
        if message.status not in unsent:
            flash(_("Meddelandet är redan skickat."), "info")
            return redirect(url_for("rounds.outbox_message", message_id=one), code=303)
        waiting = [message]
    else:
        waiting = db.session.scalars(visible_outbox(current_user).where(OutboxMessage.status.in_(unsent))).all()
    for message in waiting:
        if message.status == "failed":
            message.status, message.attempts = "pending", 0
        message.next_attempt_dt = utcnow()
    audit_by_user("mail_retried", details={"messages": len(waiting)})
    db.session.commit()
    flash(queued_message(len(waiting)), "saved" if mail.is_configured() else "warning")
    send_after_this_request(warn=False)  # queued_message() has said whether they go now
    if one is not None:
        return redirect(url_for("rounds.outbox_message", message_id=one), code=303)
    return redirect(url_for("rounds.outbox"), code=303)
