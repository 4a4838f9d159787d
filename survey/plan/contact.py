"""The contact person's page of the action plan: each activity's status and each indicator's value this round."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from survey.access import contact_actor
from survey.extensions import db
from survey.models import audit
from survey.plan import bp
from survey.plan.forms import report_form
from survey.plan.reports import plan_report, record_activity, record_indicator
from survey.respond.session import own_assignment


@bp.route("/svar/<int:assignment_id>/handlingsplan", methods=["GET", "POST"])
def report(assignment_id: int):
    """A status and comment per activity the unit is responsible for, a value and comment per indicator."""
    assignment = own_assignment(assignment_id)
    found = plan_report(assignment)
    if not found:
        abort(404)
    posting = request.method == "POST" and assignment.is_editable
    form = report_form(found.activities, found.indicators, formdata=request.form if posting else None)
    if posting and form.validate():
        changed = 0
        for activity, stored in found.activities:
            name = f"activity-{activity.id}"
            status = form[f"{name}-status"].data or None
            changed += record_activity(
                assignment, activity, stored, status, (form[f"{name}-comment"].data or "").strip()
            )
        for indicator, value in found.indicators:
            name = f"indicator-{indicator.id}"
            changed += record_indicator(
                assignment, indicator, value, form[f"{name}-value"].data, (form[f"{name}-comment"].data or "").strip()
            )
        if changed:
            audit(
                "plan_reported",
                contact_actor(assignment),
                round_id=assignment.round_id,
                assignment_id=assignment.id,
                details={"items": changed},
            )
        db.session.commit()
        flash(_("Rapporten om handlingsplanen är sparad."), "saved")
        return redirect(url_for("plan.report", assignment_id=assignment.id), code=303)
    return render_template("plan/report.html", assignment=assignment, report=found, form=form)
