"""The contact person's pages: the link, the start page, sections, review, submit, receipt."""

from __future__ import annotations

from flask import (
    abort,
    after_this_request,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from survey import limits, mail
from survey.exports.unit import unit_workbook, unit_workbook_filename
from survey.exports.writer import XLSX
from survey.extensions import csrf, db
from survey.followup.areas import without_status
from survey.followup.progress import progress
from survey.models import Assignment, audit
from survey.plan.reports import plan_report
from survey.questions.forms import build_section_form, field_name_of
from survey.respond import bp
from survey.respond.saving import navigation_url, render_section, save_with_retries, session_ended
from survey.respond.session import (
    SESSION_KEY,
    TOKEN_SHAPE,
    bind_session,
    contact_actor,
    group_entries,
    own_assignment,
    section_states,
)


@bp.route("/lank/<token>")
def open_link(token: str):
    """Trade the token for a session bound to its assignment, then leave the token behind."""
    assignment = Assignment.by_token(token) if TOKEN_SHAPE.fullmatch(token) else None
    if assignment is None:
        # Only unknown links count: a real one is always honoured, whatever others at the address guessed.
        limits.attempt(("link-address", limits.client_address()))
        return link_problem("unknown", 404)
    closed = assignment.round.state in ("closed", "archived")
    if closed and not assignment.is_submitted:
        return link_problem("closed", 410, assignment)
    if assignment.round.state not in ("open", "closed", "archived"):
        return link_problem("not_open", 404, assignment)
    bind_session(assignment, token)
    audit("link_opened", contact_actor(assignment), round_id=assignment.round_id, assignment_id=assignment.id)
    db.session.commit()
    # After the round has closed, the link (the receipt e-mail's) still shows what was submitted, read-only.
    target = "respond.receipt" if closed else "respond.start"
    response = redirect(url_for(target, assignment_id=assignment.id), code=303)
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def link_problem(reason: str, status: int, assignment: Assignment | None = None):
    response = Response(
        render_template(
            "respond/link_problem.html",
            reason=reason,
            assignment=assignment,
            coordinator_email=current_app.config["COORDINATOR_EMAIL"],
        ),
        status=status,
        mimetype="text/html",
    )
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.route("/<int:assignment_id>/")
def start(assignment_id: int):
    assignment = own_assignment(assignment_id)
    states = section_states(assignment)
    resume = next((key for key, state in states.items() if state != "complete"), None)
    return render_template(
        "respond/start.html",
        assignment=assignment,
        states=states,
        resume=resume,
        follow_up=progress(assignment),
        plan=plan_report(assignment),
    )


@bp.route("/<int:assignment_id>/avsnitt/<section_key>", methods=["GET", "POST"])
@csrf.exempt  # the form checks its own token, so an expired one re-renders the text instead of a 400 page
def section(assignment_id: int, section_key: str):
    if request.method == "POST" and not session.get(SESSION_KEY):
        return session_ended(assignment_id, section_key)
    assignment = own_assignment(assignment_id)
    current = assignment.definition.section(section_key) or abort(404)
    if request.method == "GET":
        entries = group_entries(assignment, current)
        form = build_section_form(current, entries, assignment.values())
        return render_section(assignment, current, form, entries, base=None)
    autosave = request.form.get("action") == "autosave"
    if not assignment.is_editable:
        if autosave:
            return jsonify(ok=False, message=_("Svaren är låsta och kan inte ändras.")), 409
        flash(_("Svaren är låsta och kan inte ändras."), "warning")
        return redirect(navigation_url(assignment, current, request.form.get("action", "")), code=303)
    return save_with_retries(assignment, current, autosave)


@bp.route("/<int:assignment_id>/avsnitt/<section_key>/ta-bort/<group_key>/<int:index>", methods=["GET", "POST"])
def remove_entry(assignment_id: int, section_key: str, group_key: str, index: int):
    assignment = own_assignment(assignment_id)
    current = assignment.definition.section(section_key) or abort(404)
    group = assignment.definition.question(group_key)
    if group is None or group not in current.questions or index not in assignment.entries(group):
        abort(404)
    back = url_for("respond.section", assignment_id=assignment.id, section_key=current.key)
    if request.method == "POST" and assignment.is_editable:
        if request.form.get("confirm") == "yes":
            assignment.remove_entry(group, index)
            audit(
                "answers_saved",
                contact_actor(assignment),
                round_id=assignment.round_id,
                assignment_id=assignment.id,
                details={"section": current.key, "removed_entry": [group.key, index]},
            )
            db.session.commit()
            flash(_("%(entry)s är borttaget.", entry=group.entry_label), "saved")
        return redirect(back, code=303)
    values = assignment.values()
    title = values.get((group.fields[0].key, index)) if group.fields else None
    return render_template(
        "respond/remove_entry.html",
        assignment=assignment,
        group=group,
        index=index,
        title=title,
        back=back,
        number=assignment.entries(group).index(index) + 1,  # as the card is numbered on the page
    )


@bp.route("/<int:assignment_id>/fragor")
def questions(assignment_id: int):
    """Every question on one page, to print and prepare with colleagues."""
    return render_template("respond/questions.html", assignment=own_assignment(assignment_id))


@bp.route("/<int:assignment_id>/granska")
def review(assignment_id: int):
    assignment = own_assignment(assignment_id)
    return render_template(
        "respond/review.html",
        assignment=assignment,
        values=assignment.values(),
        missing=assignment.missing_required(),
        follow_up=progress(assignment),
        plan=plan_report(assignment),
        field_name_of=field_name_of,  # each missing answer links to its field
    )


@bp.route("/<int:assignment_id>/skicka-in", methods=["POST"])
def submit(assignment_id: int):
    assignment = own_assignment(assignment_id)
    if not assignment.is_editable:
        flash(_("Svaren är redan inskickade eller omgången är stängd."), "warning")
        return redirect(url_for("respond.start", assignment_id=assignment.id), code=303)
    if assignment.missing_required():
        flash(_("Några obligatoriska frågor saknar svar. Fyll i dem och skicka sedan in."), "error")
        return redirect(url_for("respond.review", assignment_id=assignment.id), code=303)
    if without_status(assignment):
        flash(_("Ge varje utvecklingsområde från förra omgången en status och skicka sedan in."), "error")
        return redirect(url_for("respond.review", assignment_id=assignment.id), code=303)
    assignment.submit()
    sent_to = mail.queue_receipt(assignment)
    audit(
        "submitted",
        contact_actor(assignment),
        round_id=assignment.round_id,
        assignment_id=assignment.id,
        details={"messages": len(sent_to)},
    )
    db.session.commit()
    after_this_request(mail.send_after_response)
    return redirect(url_for("respond.receipt", assignment_id=assignment.id), code=303)


@bp.route("/<int:assignment_id>/kvitto")
def receipt(assignment_id: int):
    assignment = own_assignment(assignment_id)
    if not assignment.is_submitted:
        return redirect(url_for("respond.start", assignment_id=assignment.id), code=303)
    return render_template(
        "respond/receipt.html",
        assignment=assignment,
        plan=plan_report(assignment),
        receipt_sent_to=mail.receipt_addresses(assignment),
    )


@bp.route("/<int:assignment_id>/svar.xlsx")
def download_answers(assignment_id: int):
    """The unit's own answers as a workbook, to keep or to share in the unit."""
    assignment = own_assignment(assignment_id)
    return send_file(
        unit_workbook(assignment), as_attachment=True, download_name=unit_workbook_filename(assignment), mimetype=XLSX
    )
