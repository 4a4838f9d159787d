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
from survey.extensions import db
from survey.models import MailKind, Role, Setting, User


@bp.route("/samordning/konton")
@admin_required
def users():
    form = SecuritySettingsForm(require_totp=Setting.get("require_totp", False))
    everyone = db.session.scalars(select(User).order_by(User.email)).all()
    return render_template("accounts/users.html", users=everyone, settings_form=form)


@bp.route("/samordning/konton/nytt", methods=["GET", "POST"])
@admin_required
def create_user():
    form = UserForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        if User.by_email(email):
            form.email.errors.append(_("Det finns redan ett konto med den adressen."))
        else:
            user, _password = make_account(email, form.role.data, (form.name.data or "").strip())
            user.must_change_password = False  # the link sets the password; nobody knows the random one
            values = {
                "namn": user.name or email,
                "lank": password_link(user, MailKind.ACCOUNT_INVITATION),
                "roll": Role(user.role).label_in_swedish(),
            }
            mail.queue("account_invitation", email, user.name, values, user_id=user.id)
            audit_by_user("user_created", details={"email": email, "role": user.role})
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
    form = UserForm(obj=user)
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        other = User.by_email(email)
        if other is not None and other.id != user.id:
            form.email.errors.append(_("Det finns redan ett konto med den adressen."))
        elif user.id == current_user.id and form.role.data != "admin":
            form.role.errors.append(_("Du kan inte ta bort din egen administratörsroll."))
        else:
            changes = {k: v for k, v in (("email", email), ("role", form.role.data)) if getattr(user, k) != v}
            user.email, user.name, user.role = email, (form.name.data or "").strip(), form.role.data
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
