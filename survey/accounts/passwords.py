"""Passwords: the set-password links (forgotten password, new account)."""
from __future__ import annotations

from flask import (
    after_this_request,
    current_app,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from survey import limits, mail
from survey.access import user_actor
from survey.accounts import bp
from survey.accounts.forms import ChangePasswordForm, ForgotPasswordForm
from survey.extensions import db
from survey.models import User, audit

RESET_MAX_AGE = 3600
INVITATION_MAX_AGE = 3 * 24 * 3600


def password_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="set-password")


def password_link(user: User) -> str:
    """A link to choose a password; it dies when the password changes (so it works once)."""
    token = password_serializer().dumps({"id": user.id, "pw": user.password_hash[-12:]})
    return mail.public_url(url_for("accounts.set_password", token=token))


def user_from_link(token: str, max_age: int) -> User | None:
    try:
        data = password_serializer().loads(token, max_age=max_age)
    except (BadSignature, SignatureExpired):
        return None
    user = db.session.get(User, data.get("id")) if isinstance(data, dict) and isinstance(data.get("id"), int) else None
    if user is None or not user.is_active or user.password_hash[-12:] != data.get("pw"):
        return None
    return user


@bp.route("/konto/glomt-losenord", methods=["GET", "POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        limits.check(("reset-address", limits.client_address()), ("reset-account", email))
        limits.count(("reset-address", limits.client_address()), ("reset-account", email))
        user = User.by_email(email)
        if user is not None and user.is_active:
            mail.queue("password_reset", user.email, user.name, {"namn": user.name or user.email, "lank": password_link(user)},
                       user_id=user.id)
            audit("password_reset_requested", user_actor(user), user_id=user.id)
            after_this_request(mail.send_after_response)
        db.session.commit()
        # The same answer whether or not the address has an account.
        flash(_("Om adressen har ett konto får den strax ett e-postmeddelande med en länk. Länken gäller i en timme."), "info")
        return redirect(url_for("accounts.login"), code=303)
    return render_template("accounts/forgot_password.html", form=form)


@bp.route("/konto/nytt-losenord/<token>", methods=["GET", "POST"])
def set_password(token: str):
    user = user_from_link(token, INVITATION_MAX_AGE) if len(token) < 500 else None
    if user is None:
        return render_template("accounts/link_expired.html"), 410
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user.set_password(form.password.data)
        audit("password_set_by_link", user_actor(user), user_id=user.id)
        db.session.commit()
        flash(_("Ditt lösenord är sparat. Logga in med det."), "saved")
        return redirect(url_for("accounts.login"), code=303)
    return render_template("auth/change_password.html", form=form, via_link=True)
