"""The contact person's side of a follow-up round: how to start the form, and last round's development areas."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.orm.exc import StaleDataError

from survey.access import contact_actor
from survey.extensions import db
from survey.followup.areas import earlier_areas, record
from survey.followup.forms import follow_up_form
from survey.followup.prefill import can_start_from_previous, start
from survey.models import FollowUpStatus, StartChoice, audit
from survey.respond.session import own_assignment

bp = Blueprint("followup", __name__)


@bp.route("/svar/<int:assignment_id>/borja", methods=["POST"])
def start_form(assignment_id: int):
    """Start a follow-up round's form from last round's answers, or blank."""
    assignment = own_assignment(assignment_id)
    choice = request.form.get("start", "")
    if choice not in set(StartChoice) or not can_start_from_previous(assignment):
        return redirect(url_for("respond.start", assignment_id=assignment.id), code=303)
    copied = start(assignment, StartChoice(choice))
    audit(
        "form_started",
        contact_actor(assignment),
        round_id=assignment.round_id,
        assignment_id=assignment.id,
        details={"from": choice, "answers": copied},
    )
    try:
        db.session.commit()
    except StaleDataError:  # the same choice made twice at once: the other press started it
        db.session.rollback()
        return redirect(url_for("respond.start", assignment_id=assignment.id), code=303)
    if copied:
        flash(
            ngettext(
                "%(num)d svar från förra omgången är ifyllt. Kontrollera det och tryck Spara på varje sida.",
                "%(num)d svar från förra omgången är ifyllda. Kontrollera dem och tryck Spara på varje sida.",
                copied,
            ),
            "saved",
        )
    first = assignment.definition.sections[0].key
    return redirect(url_for("respond.section", assignment_id=assignment.id, section_key=first), code=303)


@bp.route("/svar/<int:assignment_id>/uppfoljning", methods=["GET", "POST"])
def follow_up(assignment_id: int):
    """A status and a comment for each of last round's development areas."""
    assignment = own_assignment(assignment_id)
    areas = earlier_areas(assignment)
    if not areas:
        abort(404)
    posting = request.method == "POST" and assignment.is_editable
    form = follow_up_form(areas, formdata=request.form if posting else None)
    if posting and form.validate():
        changed = [
            area.name
            for area in areas
            if record(
                assignment,
                area,
                FollowUpStatus(form[f"{area.name}-status"].data) if form[f"{area.name}-status"].data else None,
                (form[f"{area.name}-comment"].data or "").strip(),
            )
        ]
        if changed:
            audit(
                "follow_up_saved",
                contact_actor(assignment),
                round_id=assignment.round_id,
                assignment_id=assignment.id,
                details={"areas": len(changed)},
            )
        db.session.commit()
        flash(_("Uppföljningen är sparad."), "saved")
        return redirect(url_for("followup.follow_up", assignment_id=assignment.id), code=303)
    return render_template("followup/areas.html", assignment=assignment, areas=areas, form=form)
