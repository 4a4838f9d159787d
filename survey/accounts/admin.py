"""The admin's account list: create, edit, deactivate, reset the second factor; security settings."""

from __future__ import annotations

from flask import after_this_request, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from survey import mail
from survey.access import admin_required, audit_by_user
from survey.accounts import bp
from survey.accounts.forms import SecuritySettingsForm, UserForm
from survey.accounts.passwords import password_link
from survey.accounts.service import create_user as make_account
from survey.accounts.service import set_scope
from survey.extensions import db
from survey.models import MailKind, Role, Setting, Unit, User, UserScope
from survey.models.units import UnitTree


@bp.route("/samordning/konton")
@admin_required
def users():
    form = SecuritySettingsForm(require_totp=Setting.get("require_totp", False))
    everyone = db.session.scalars(select(User).order_by(User.email)).all()
    scoped = select(UserScope.unit_id)
    unit_names = {u.id: u.name for u in db.session.scalars(select(Unit).where(Unit.id.in_(scoped)))}
    scope_names = {u.id: ", ".join(sorted(unit_names[i] for i in u.scope_unit_ids)) for u in everyone}
    return render_template("accounts/users.html", users=everyone, settings_form=form, scope_names=scope_names)


def user_form(user: User | None = None) -> UserForm:
    """The account form, its scope chosen among every unit of the tree (indented under its parent)."""
    form = UserForm(obj=user)
    units = db.session.scalars(select(Unit)).all()
    form.scope.choices = [
        (unit.id, "\u2003" * depth + unit.name) for unit, depth in UnitTree({u.id: u for u in units}).outline()
    ]
    if user is not None and not form.is_submitted():
        form.scope.data = user.scope_unit_ids
    return form


def chosen_scope(form: UserForm) -> list[Unit] | None:
    """The units chosen as the account's scope, or None (and a message on the form) when the role cannot have one."""
    ids = form.scope.data or []
    if ids and form.role.data == Role.ADMIN:
        form.scope.errors.append(
            _("En administratör ser alltid hela organisationen. Välj ingen del, eller en annan roll.")
        )
        return None
    return list(db.session.scalars(select(Unit).where(Unit.id.in_(ids)))) if ids else []


@bp.route("/samordning/konton/nytt", methods=["GET", "POST"])
@admin_required
def create_user():
    form = user_form()
    if form.validate_on_submit() and (scope := chosen_scope(form)) is not None:
        email = form.email.data.strip().lower()
        if User.by_email(email):
            form.email.errors.append(_("Det finns redan ett konto med den adressen."))
        else:
            user, _password = make_account(email, form.role.data, (form.name.data or "").strip(), scope)
            user.must_change_password = False  # the link sets the password; nobody knows the random one
            values = {
                "namn": user.name or email,
                "lank": password_link(user, MailKind.ACCOUNT_INVITATION),
                "roll": Role(user.role).label_in_swedish(),
            }
            mail.queue("account_invitation", email, user.name, values, user_id=user.id)
            audit_by_user("user_created", details={"email": email, "role": user.role, "scope": user.scope_unit_ids})
            db.session.commit()
            after_this_request(mail.send_after_response)
            flash(
                _(
                    "Kontot är skapat. %(email)s får ett e-postmeddelande med en länk för att välja lösenord.",
                    email=email,
                ),
                "saved",
            )
            return redirect(url_for("accounts.users"), code=303)
    return render_template("accounts/user_form.html", form=form, user=None)


@bp.route("/samordning/konton/<int:user_id>", methods=["GET", "POST"])
@admin_required
def edit_user(user_id: int):
    user = db.get_or_404(User, user_id)
    form = user_form(user)
    if form.validate_on_submit() and (scope := chosen_scope(form)) is not None:
        email = form.email.data.strip().lower()
        other = User.by_email(email)
        if other is not None and other.id != user.id:
            form.email.errors.append(_("Det finns redan ett konto med den adressen."))
        elif user.id == current_user.id and form.role.data != "admin":
            form.role.errors.append(_("Du kan inte ta bort din egen administratörsroll."))
        else:
            changes = {k: v for k, v in (("email", email), ("role", form.role.data)) if getattr(user, k) != v}
            if sorted(user.scope_unit_ids) != sorted(unit.id for unit in scope):
                changes["scope"] = sorted(unit.id for unit in scope)
            user.email, user.name, user.role = email, (form.name.data or "").strip(), form.role.data
            set_scope(user, scope)
            audit_by_user("user_changed", details={"user": user.id, **changes})
            db.session.commit()
            flash(_("Kontot är sparat."), "saved")
            return redirect(url_for("accounts.users"), code=303)
    return render_template("accounts/user_form.html", form=form, user=user)


@bp.route("/samordning/konton/<int:user_id>/aktiv", methods=["POST"])
@admin_required
def toggle_user(user_id: int):
    user = db.get_or_404(User, user_id)
    if user.id == current_user.id:
        flash(_("Du kan inte stänga av ditt eget konto."), "error")
    else:
        user.is_enabled = not user.is_enabled
        audit_by_user("user_enabled" if user.is_enabled else "user_disabled", details={"user": user.id})
        db.session.commit()
        flash(_("Kontot är aktiverat.") if user.is_enabled else _("Kontot är avstängt."), "saved")
    return redirect(url_for("accounts.users"), code=303)


@bp.route("/samordning/konton/<int:user_id>/tvastegs", methods=["POST"])
@admin_required
def reset_totp(user_id: int):
    """For a user who lost their phone: they enrol again at next login."""
    user = db.get_or_404(User, user_id)
    user.totp_secret = None
    audit_by_user("totp_reset", details={"user": user.id})
    db.session.commit()
    flash(_("Tvåstegsverifieringen är återställd för %(email)s.", email=user.email), "saved")
    return redirect(url_for("accounts.users"), code=303)


@bp.route("/samordning/konton/installningar", methods=["POST"])
@admin_required
def security_settings():
    form = SecuritySettingsForm()
    if form.validate_on_submit():
        Setting.put("require_totp", bool(form.require_totp.data))
        audit_by_user("setting_changed", details={"require_totp": bool(form.require_totp.data)})
        db.session.commit()
        flash(_("Inställningen är sparad."), "saved")
    return redirect(url_for("accounts.users"), code=303)
