"""The register's pages: the tree of units, a unit and its contact persons, the register import."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from io import BytesIO

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from survey.access import (
    audit_by_user,
    contact_or_404,
    editor_required,
    scoped,
    staff_required,
    unit_or_404,
    user_actor,
    visible_unit_ids,
    visible_units,
)
from survey.exports.writer import XLSX
from survey.extensions import db
from survey.folding import PAGE_SIZE, Page, open_path, page_number, top_units, with_ancestors
from survey.ids import parse_id
from survey.models import Answer, Assignment, ContactPerson, Unit
from survey.models.units import UnitTree
from survey.register import bp, importing
from survey.register.forms import ContactForm, RegisterUploadForm, UnitForm
from survey.register.imports import Plan, template_workbook
from survey.register.uploads import confirm_upload, preview_upload


def all_units() -> list[Unit]:
    return list(
        db.session.scalars(
            select(Unit)
            .where(Unit.id.in_(visible_units(current_user)))
            .options(selectinload(Unit.contacts))
            .order_by(Unit.name)
        ).all()
    )


def subtree_ids(unit: Unit, units: list[Unit]) -> set[int]:
    """The ids below ``unit``: where it may not be moved, or the tree would loop."""
    return {u.id for u in UnitTree({u.id: u for u in units}).descendants(unit)}


def parent_choices(units: list[Unit], unit: Unit | None = None) -> list[tuple[str, str]]:
    """Every active unit it could be placed under (never itself or its own subtree); the top level only for
    those who see the whole tree. A unit at the top of a scope keeps the parent it has, outside the scope."""
    excluded = {unit.id, *subtree_ids(unit, units)} if unit else set()
    names = Counter(u.name.casefold() for u in units if u.is_active)
    if not scoped(current_user):
        first = [("", _("Ingen (översta nivån)"))]
    elif unit is not None and unit.parent_id not in {u.id for u in units}:
        first = [(str(unit.parent_id or ""), unit.parent.name if unit.parent else _("Ingen (översta nivån)"))]
    else:
        first = []
    return first + [
        (
            str(u.id),
            u.name
            if names[u.name.casefold()] == 1
            else f"{u.name} ({u.parent.name if u.parent else _('översta nivån')})",
        )
        for u in units
        if u.is_active and u.id not in excluded
    ]


@dataclass
class Listed:
    """A unit as the register lists it: with its contacts and how many units it holds (itself included)."""

    unit: Unit
    depth: int
    size: int
    contacts: list[ContactPerson]
    path: list[Unit] = field(default_factory=list)  # in search results: its ancestors, top first


@bp.route("/")
@staff_required
def index():
    """The tree folded: the top level, and the children of the part opened (?enhet=) and of its ancestors, the
    opened part's a page at a time; or, with ?q=, the units whose name or contact matches, a page at a time."""
    opened = parse_id(request.args.get("enhet"))
    words = " ".join(request.args.get("q", "")[:200].split())
    number = page_number(request.args.get("sida", type=int))
    visible = select(Unit).where(Unit.id.in_(visible_units(current_user)))
    total = db.session.scalar(select(func.count()).select_from(visible.subquery())) or 0
    path: list[int] = []
    if words:
        found = search_units(visible, words, number)
        tree = with_ancestors([u for u, _n in found], current_user)
        shown = [(u, 0, list(reversed(tree.ancestors(u)))) for u, _n in found]
    else:
        path = open_path(opened, current_user)
        # The top level and the children of each opened part but the last in full (a few each); the last one's
        # children a page at a time.
        around = db.session.scalars(visible.where(top_units(current_user) | Unit.parent_id.in_(path[:-1]))).all()
        found = []
        if path:
            children = visible.where(Unit.parent_id == path[-1]).add_columns(func.count().over())
            children = children.order_by(func.lower(Unit.name), Unit.id).limit(PAGE_SIZE)
            found = db.session.execute(children.offset((number - 1) * PAGE_SIZE)).all()
        units = {u.id: u for u in around} | {u.id: u for u, _n in found}
        shown = [(u, depth, []) for u, depth in UnitTree(units).outline()]
    ids = [u.id for u, _d, _p in shown]
    sizes = unit_sizes(ids)
    contacts: dict[int, list[ContactPerson]] = {}
    for contact in db.session.scalars(
        select(ContactPerson).where(ContactPerson.unit_id.in_(ids)).order_by(ContactPerson.name)
    ):
        contacts.setdefault(contact.unit_id, []).append(contact)
    listed = [Listed(u, depth, sizes.get(u.id, 1), contacts.get(u.id, []), p) for u, depth, p in shown]
    return render_template(
        "register/index.html",
        listed=listed,
        count=total,
        path=[item for item in listed if item.unit.id in path],
        words=words,
        page=Page([], found[0][1] if found else 0, number),
        opened=path[-1] if path else None,
    )


def search_units(visible: Select, words: str, number: int) -> list:
    """The units whose name or a contact's name or address holds ``words``, by name, one page (and the count)."""
    lowered = words.lower()
    contact = select(ContactPerson.id).where(
        ContactPerson.unit_id == Unit.id,
        func.lower(ContactPerson.name).contains(lowered, autoescape=True)
        | func.lower(ContactPerson.email).contains(lowered, autoescape=True),
    )
    query = visible.where(func.lower(Unit.name).contains(lowered, autoescape=True) | contact.exists())
    query = query.add_columns(func.count().over()).order_by(func.lower(Unit.name), Unit.id).limit(PAGE_SIZE)
    return list(db.session.execute(query.offset((number - 1) * PAGE_SIZE)).all())


def unit_sizes(ids: list[int]) -> dict[int, int]:
    """How many units each of ``ids`` holds, itself included (one query)."""
    if not ids:
        return {}
    walk = select(Unit.id.label("unit_id"), Unit.id.label("part_id")).where(Unit.id.in_(ids)).cte(recursive=True)
    walk = walk.union(select(Unit.id, walk.c.part_id).where(Unit.parent_id == walk.c.unit_id))
    return dict(db.session.execute(select(walk.c.part_id, func.count()).group_by(walk.c.part_id)).all())


@bp.route("/ny", methods=["GET", "POST"])
@editor_required
def create_unit():
    units = all_units()
    form = UnitForm()
    form.parent.choices = parent_choices(units)
    if request.method == "GET" and parse_id(request.args.get("under")) is not None:
        form.parent.data = request.args["under"]
    if form.validate_on_submit() and unique_name(form, units, None):
        unit = Unit(name=form.name.data.strip(), kind=form.kind.data, parent=chosen_parent(form))
        db.session.add(unit)
        db.session.flush()
        audit_by_user("unit_created", details={"unit": unit.id, "name": unit.name})
        db.session.commit()
        flash(_("%(name)s är tillagd.", name=unit.name), "saved")
        return redirect(url_for("register.unit", unit_id=unit.id), code=303)
    return render_template("register/unit_form.html", form=form, unit=None)


def chosen_parent(form: UnitForm) -> Unit | None:
    """The parent chosen among the form's choices (what the user may see, or the unit's own parent)."""
    parent_id = parse_id(form.parent.data)
    return db.session.get(Unit, parent_id) if parent_id is not None else None


def unique_name(form: UnitForm, units: list[Unit], unit: Unit | None) -> bool:
    """Names are unique among siblings: the import and the exports find units by name."""
    parent_id = parse_id(form.parent.data)
    name = form.name.data.strip().casefold()
    if any(u.name.casefold() == name and u.parent_id == parent_id and u is not unit for u in units):
        form.name.errors.append(_("Det finns redan en enhet med det namnet på samma plats."))
        return False
    return True


@bp.route("/<int:unit_id>", methods=["GET", "POST"])
@staff_required
def unit(unit_id: int):
    units = all_units()
    unit = next((u for u in units if u.id == unit_id), None) or abort(404)
    form = UnitForm(obj=unit) if request.method == "GET" else UnitForm()
    form.parent.choices = parent_choices(units, unit)
    if request.method == "GET":
        form.parent.data = str(unit.parent_id or "")
    if request.method == "POST":
        if not current_user.can_edit:
            abort(403)
        if form.validate_on_submit() and unique_name(form, units, unit):
            changes = {}
            new_parent = chosen_parent(form)
            if new_parent is not None and (new_parent.id == unit.id or new_parent.id in subtree_ids(unit, units)):
                form.parent.errors.append(_("En enhet kan inte ligga under sig själv."))
            else:
                for attribute, value in (
                    ("name", form.name.data.strip()),
                    ("kind", form.kind.data),
                    ("parent_id", new_parent.id if new_parent else None),
                ):
                    if getattr(unit, attribute) != value:
                        changes[attribute] = value
                        setattr(unit, attribute, value)
                audit_by_user("unit_changed", details={"unit": unit.id, **changes})
                db.session.commit()
                flash(_("Ändringarna är sparade."), "saved")
                return redirect(url_for("register.unit", unit_id=unit.id), code=303)
    return render_template(
        "register/unit.html",
        unit=unit,
        form=form,
        contact_form=ContactForm(prefix="contact"),
        has_answers=has_answers(unit),
    )


def has_answers(unit: Unit) -> bool:
    return (
        db.session.scalar(select(Answer.id).join(Assignment).where(Assignment.unit_id == unit.id).limit(1)) is not None
    )


@bp.route("/<int:unit_id>/aktiv", methods=["POST"])
@editor_required
def toggle_unit(unit_id: int):
    """Deactivate or activate; a unit is never deleted, so its answers in earlier rounds keep their unit."""
    unit = unit_or_404(unit_id)
    unit.is_active = not unit.is_active
    audit_by_user("unit_activated" if unit.is_active else "unit_deactivated", details={"unit": unit.id})
    db.session.commit()
    flash(
        _("%(name)s är aktiv igen.", name=unit.name)
        if unit.is_active
        else _("%(name)s är inaktiverad och tas inte med i nya omgångar.", name=unit.name),
        "saved",
    )
    return redirect(url_for("register.unit", unit_id=unit.id), code=303)


@bp.route("/<int:unit_id>/kontakt", methods=["POST"])
@editor_required
def add_contact(unit_id: int):
    units = all_units()
    unit = next((u for u in units if u.id == unit_id), None) or abort(404)
    form = ContactForm(prefix="contact")  # the unit's own form on the same page has a name field too
    if form.validate_on_submit():
        contact = ContactPerson(name=form.name.data.strip(), email=form.email.data.strip().lower())
        unit.contacts.append(contact)
        audit_by_user("contact_added", details={"unit": unit.id})
        db.session.commit()
        flash(_("%(name)s är tillagd som kontaktperson.", name=contact.name), "saved")
        return redirect(url_for("register.unit", unit_id=unit.id), code=303)
    unit_form = UnitForm(obj=unit)
    unit_form.parent.choices = parent_choices(units, unit)
    unit_form.parent.data = str(unit.parent_id or "")
    return render_template(
        "register/unit.html", unit=unit, form=unit_form, contact_form=form, has_answers=has_answers(unit)
    ), 200


@bp.route("/kontakt/<int:contact_id>", methods=["GET", "POST"])
@editor_required
def edit_contact(contact_id: int):
    contact = contact_or_404(contact_id)
    form = ContactForm(obj=contact)
    if form.validate_on_submit():
        contact.name, contact.email = form.name.data.strip(), form.email.data.strip().lower()
        audit_by_user("contact_changed", details={"unit": contact.unit_id})
        db.session.commit()
        flash(_("Kontaktpersonen är sparad."), "saved")
        return redirect(url_for("register.unit", unit_id=contact.unit_id), code=303)
    return render_template("register/contact_form.html", form=form, contact=contact)


@bp.route("/kontakt/<int:contact_id>/ta-bort", methods=["POST"])
@editor_required
def remove_contact(contact_id: int):
    contact = contact_or_404(contact_id)
    unit_id = contact.unit_id
    db.session.delete(contact)
    audit_by_user("contact_removed", details={"unit": unit_id})
    db.session.commit()
    flash(_("Kontaktpersonen är borttagen."), "saved")
    return redirect(url_for("register.unit", unit_id=unit_id), code=303)


@bp.route("/mall.xlsx")
@staff_required
def template():
    return send_file(
        BytesIO(template_workbook()), mimetype=XLSX, as_attachment=True, download_name="register-mall.xlsx"
    )


PENDING = "register_import"  # the session key of the upload waiting for confirmation


@bp.route("/import", methods=["GET", "POST"])
@editor_required
def import_register():
    """Upload → preview of the plan (nothing written) → confirm, which reads the same file again."""
    form = RegisterUploadForm()
    if form.validate_on_submit() and (previewed := preview_upload(form, PENDING, read_register)):
        plan, filename = previewed
        return render_template("register/preview.html", plan=plan, filename=filename)
    return render_template("register/import.html", form=form)


def read_register(filename: str, data: bytes) -> Plan:
    return importing.preview(filename, data, visible_unit_ids(current_user))


@bp.route("/import/bekrafta", methods=["POST"])
@editor_required
def confirm_import():
    counts = confirm_upload(PENDING, read_register, apply_register)
    if isinstance(counts, str):
        flash(counts, "error")
        return redirect(url_for("register.import_register"), code=303)
    flash(
        _(
            "Registret är importerat: %(created)s nya enheter, %(changed)s ändrade, %(contacts)s nya kontaktpersoner.",
            **counts,
        ),
        "saved",
    )
    return redirect(url_for("register.index"), code=303)


def apply_register(plan: Plan) -> dict:
    counts = importing.import_register(plan, actor=user_actor(current_user), user_id=current_user.id)
    db.session.commit()
    return counts
