"""One unit's submission: read it, give a new link, reopen it with a comment, approve it."""

from __future__ import annotations

from flask import after_this_request, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from survey import mail
from survey.access import assignment_or_404, audit_by_user, editor_required, staff_required
from survey.extensions import db
from survey.models import Assignment, OutboxMessage
from survey.offline.plan import import_refusal
from survey.rounds import bp
from survey.rounds.forms import ReopenAssignmentForm
from survey.rounds.lifecycle import refuse_links_if_draft


def round_assignment(assignment_id: int) -> Assignment:
    return assignment_or_404(assignment_id)


@bp.route("/svar/<int:assignment_id>")
@staff_required
def assignment(assignment_id: int):
    assignment = round_assignment(assignment_id)
    return render_template(
        "rounds/assignment.html",
        assignment=assignment,
        values=assignment.values(),
        reopen_form=ReopenAssignmentForm(),
        import_refusal=import_refusal(assignment),
        messages=db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.assignment_id == assignment.id).order_by(OutboxMessage.id.desc())
        ).all(),
    )


@bp.route("/svar/<int:assignment_id>/ny-lank", methods=["POST"])
@editor_required
def new_link(assignment_id: int):
    assignment = round_assignment(assignment_id)
    if (refused := refuse_links_if_draft(assignment.round)) is not None:
        return refused
    token = assignment.issue_token()
    audit_by_user("link_issued", round_id=assignment.round_id, assignment_id=assignment.id)
    db.session.commit()
    return render_template("rounds/link.html", assignment=assignment, link=mail.contact_link(token))


@bp.route("/svar/<int:assignment_id>/oppna-igen", methods=["POST"])
@editor_required
def reopen_assignment(assignment_id: int):
    assignment = round_assignment(assignment_id)
    form = ReopenAssignmentForm()
    if not assignment.is_submitted:
        flash(_("Bara inskickade svar kan öppnas igen."), "error")
    elif form.validate_on_submit():
        assignment.reopen(form.comment.data.strip())
        mailed = 0
        if form.notify.data and assignment.round.is_open:
            mailed = mail.queue_assignment_mail(assignment, "reopened", current_user)
            after_this_request(mail.send_after_response)
        audit_by_user(
            "assignment_reopened",
            round_id=assignment.round_id,
            assignment_id=assignment.id,
            details={"messages": mailed},
        )
        db.session.commit()
        flash(_("Svaren är öppnade igen. Kontaktpersonen ser din kommentar nästa gång länken öppnas."), "saved")
        if mailed:
            flash(
                ngettext(
                    "%(num)d meddelande med kommentaren och länken ligger i utkorgen.",
                    "%(num)d meddelanden med kommentaren och länken ligger i utkorgen.",
                    mailed,
                ),
                "saved",
            )
        elif form.notify.data and not assignment.round.is_open:
            flash(
                _(
                    "Omgången är inte öppen, så inget e-postmeddelande skickades. Öppna omgången igen för att verksamheten ska kunna ändra svaren."
                ),
                "warning",
            )
        elif form.notify.data:
            flash(_("Verksamheten saknar kontaktperson, så inget e-postmeddelande skickades."), "warning")
    else:
        return render_template(
            "rounds/assignment.html", assignment=assignment, values=assignment.values(), reopen_form=form, messages=[]
        ), 200
    return redirect(url_for("rounds.assignment", assignment_id=assignment.id), code=303)


@bp.route("/svar/<int:assignment_id>/godkann", methods=["POST"])
@editor_required
def approve(assignment_id: int):
    assignment = round_assignment(assignment_id)
    if not assignment.is_submitted:
        flash(_("Bara inskickade svar kan godkännas."), "error")
    else:
        assignment.approve()
        audit_by_user("assignment_approved", round_id=assignment.round_id, assignment_id=assignment.id)
        db.session.commit()
        flash(_("Svaren är godkända."), "saved")
    return redirect(url_for("rounds.assignment", assignment_id=assignment.id), code=303)
