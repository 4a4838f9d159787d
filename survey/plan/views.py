"""The coordinator's pages of the action plan: its activities and indicators, their forms, the import."""

from __future__ import annotations

from io import BytesIO

from flask import flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from survey.access import audit_by_user, editor_required, staff_required, user_actor, visible_unit_ids
from survey.exports.writer import XLSX
from survey.extensions import db
from survey.ids import parse_id
from survey.models import PlanActivity, PlanIndicator, Unit
from survey.plan import bp, importing, items
from survey.plan.forms import ActivityForm, IndicatorForm, PlanUploadForm
from survey.register.uploads import confirm_upload, preview_upload

PENDING = "plan_import"


@bp.route("/samordning/plan")
@staff_required
def index():
    return render_template(
        "plan/index.html", activities=items.activities(current_user), indicators=items.indicators(current_user)
    )


def chosen_unit(form) -> Unit:
    """The unit chosen among the form's choices, which hold only units the user may see (and the item's own)."""
    unit_id = parse_id(form.unit.data)
    assert unit_id is not None, "a required choice among ids"
    return db.session.get_one(Unit, unit_id)


@bp.route("/samordning/plan/aktivitet/ny", methods=["GET", "POST"])
@editor_required
def create_activity():
    return activity_page(None)


@bp.route("/samordning/plan/aktivitet/<int:activity_id>", methods=["GET", "POST"])
@editor_required
def edit_activity(activity_id: int):
    return activity_page(items.activity_or_404(activity_id, current_user))


def activity_page(activity: PlanActivity | None):
    form = ActivityForm(obj=activity) if request.method == "GET" and activity else ActivityForm()
    form.unit.choices = items.unit_choices(items.responsible_units(current_user), activity.unit if activity else None)
    if request.method == "GET" and activity is not None:
        form.unit.data = str(activity.unit_id)
    if form.validate_on_submit():
        creating = activity is None
        activity = activity or PlanActivity()
        activity.name, activity.goal = form.name.data.strip(), (form.goal.data or "").strip()
        activity.unit = chosen_unit(form)
        activity.start_year, activity.end_year, activity.is_active = (
            form.start_year.data,
            form.end_year.data,
            form.is_active.data,
        )
        db.session.add(activity)
        db.session.flush()
        audit_by_user(
            "plan_item_created" if creating else "plan_item_changed",
            details={"activity": activity.id, "unit": activity.unit_id},
        )
        db.session.commit()
        flash(_("Aktiviteten %(name)s är sparad.", name=activity.name), "saved")
        return redirect(url_for("plan.index"), code=303)
    return render_template("plan/activity_form.html", form=form, activity=activity)


@bp.route("/samordning/plan/indikator/ny", methods=["GET", "POST"])
@editor_required
def create_indicator():
    return indicator_page(None)


@bp.route("/samordning/plan/indikator/<int:indicator_id>", methods=["GET", "POST"])
@editor_required
def edit_indicator(indicator_id: int):
    return indicator_page(items.indicator_or_404(indicator_id, current_user))


def indicator_page(indicator: PlanIndicator | None):
    form = IndicatorForm(obj=indicator) if request.method == "GET" and indicator else IndicatorForm()
    form.unit.choices = items.unit_choices(items.responsible_units(current_user), indicator.unit if indicator else None)
    activities = items.activities(current_user)
    form.activity.choices = items.activity_choices(activities)
    if request.method == "GET" and indicator is not None:
        form.unit.data = str(indicator.unit_id)
        form.activity.data = str(indicator.activity_id or "")
    if form.validate_on_submit():
        creating = indicator is None
        indicator = indicator or PlanIndicator()
        indicator.name, indicator.measure = form.name.data.strip(), form.measure.data.strip()
        indicator.target, indicator.direction = form.target.data, form.direction.data
        indicator.unit = chosen_unit(form)
        activity_id = parse_id(form.activity.data)
        indicator.activity = next((a for a in activities if a.id == activity_id), None)
        indicator.is_active = form.is_active.data
        db.session.add(indicator)
        db.session.flush()
        audit_by_user(
            "plan_item_created" if creating else "plan_item_changed",
            details={"indicator": indicator.id, "unit": indicator.unit_id},
        )
        db.session.commit()
        flash(_("Indikatorn %(name)s är sparad.", name=indicator.name), "saved")
        return redirect(url_for("plan.index"), code=303)
    return render_template("plan/indicator_form.html", form=form, indicator=indicator)


@bp.route("/samordning/plan/mall.xlsx")
@staff_required
def template():
    return send_file(
        BytesIO(importing.template_workbook()),
        mimetype=XLSX,
        as_attachment=True,
        download_name="handlingsplan-mall.xlsx",
    )


@bp.route("/samordning/plan/import", methods=["GET", "POST"])
@editor_required
def import_plan():
    """Upload → preview (nothing written) → confirm, which reads the same file again, as the register import does."""
    form = PlanUploadForm()
    if form.validate_on_submit() and (previewed := preview_upload(form, PENDING, read_plan)):
        plan, filename = previewed
        return render_template("plan/preview.html", plan=plan, filename=filename)
    return render_template("plan/import.html", form=form, headings=importing.HEADINGS)


def read_plan(filename: str, data: bytes) -> importing.ImportPlan:
    return importing.preview(filename, data, visible_unit_ids(current_user))


@bp.route("/samordning/plan/import/bekrafta", methods=["POST"])
@editor_required
def confirm_import():
    counts = confirm_upload(PENDING, read_plan, apply_plan)
    if isinstance(counts, str):
        flash(counts, "error")
        return redirect(url_for("plan.import_plan"), code=303)
    flash(_("Handlingsplanen är importerad: %(created)s nya, %(changed)s ändrade.", **counts), "saved")
    return redirect(url_for("plan.index"), code=303)


def apply_plan(plan: importing.ImportPlan) -> dict:
    counts = importing.import_plan(plan, actor=user_actor(current_user), user_id=current_user.id)
    db.session.commit()
    return counts
