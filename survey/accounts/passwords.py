"""Passwords: the set-password links (forgotten password, new account)."""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import after_this_request, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer

from survey import limits, mail
from survey.access import user_actor
from survey.accounts import bp
from survey.accounts.forms import ChangePasswordForm, ForgotPasswordForm
from survey.db import utcnow
from survey.extensions import db
from survey.ids import parse_id
from survey.models import MailKind, User, audit

# How long each kind of set-password link works; the mails say the same.
LINK_MAX_AGE = {MailKind.PASSWORD_RESET: timedelta(hours=1), MailKind.ACCOUNT_INVITATION: timedelta(days=3)}


class LinkExpired(Exception):
    """A genuine set-password link, used after its time."""


def password_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="set-password")


def password_link(user: User, kind: MailKind) -> str:
    """A link to choose a password, for as long as its kind allows; it ends any earlier link of the user,
    and a new password ends it (so it works once)."""
    user.password_link_nonce = secrets.token_urlsafe(16)
    token = password_serializer().dumps({"id": user.id, "kind": kind.value, "nonce": user.password_link_nonce})
    return mail.public_url(app_path("accounts.set_password", token=token))


def app_path(endpoint: str, **values) -> str:
    """A route's path inside the app, for a mailed link: PUBLIC_URL (with any prefix the site is served
    under) goes in front of it.

    Not url_for: it puts the request's script root in front, which a proxy, or gunicorn for requests
    from 127.0.0.1, takes from a SCRIPT_NAME header the client chose, so a crafted request could aim
    someone's reset link at another host. An adapter bound to no request knows only the routes.
    """
    return current_app.url_map.bind("localhost").build(endpoint, values)


def user_from_link(token: str) -> User | None:
    """The user a set-password link is for, if it is their newest and unused; raises LinkExpired if it is too old."""
    try:
        data, signed_dt = password_serializer().loads(token, return_timestamp=True)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("kind") not in tuple(LINK_MAX_AGE):
        return None
    user = db.session.get(User, user_id) if (user_id := parse_id(str(data.get("id")))) is not None else None
    if user is None or not user.is_active or not user.password_link_nonce:
        return None
    if not secrets.compare_digest(user.password_link_nonce, str(data.get("nonce"))):
        return None
    if utcnow() - signed_dt > LINK_MAX_AGE[MailKind(data["kind"])]:
        raise LinkExpired
    return user


@bp.route("/konto/glomt-losenord", methods=["GET", "POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        limits.attempt(("reset-address", limits.client_address()), ("reset-account", email))
        user = User.by_email(email)
        if user is not None and user.is_active:
            values = {"namn": user.name or user.email, "lank": password_link(user, MailKind.PASSWORD_RESET)}
            mail.queue(MailKind.PASSWORD_RESET, user.email, user.name, values, user_id=user.id)
            audit("password_reset_requested", user_actor(user), user_id=user.id)
            after_this_request(mail.send_after_response)
        db.session.commit()
        # The same answer whether or not the address has an account.
        flash(
            _("Om adressen har ett konto får den strax ett e-postmeddelande med en länk. Länken gäller i en timme."),
            "info",
        )
        return redirect(url_for("accounts.login"), code=303)
    return render_template("accounts/forgot_password.html", form=form)


@bp.route("/konto/nytt-losenord/<token>", methods=["GET", "POST"])
def set_password(token: str):
    try:
        user = user_from_link(token) if len(token) < 500 else None
    except LinkExpired:
        return render_template("accounts/link_expired.html", expired=True), 410
    if user is None:
        return render_template("accounts/link_expired.html", expired=False), 410
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user.set_password(form.password.data)
        audit("password_set_by_link", user_actor(user), user_id=user.id)
        db.session.commit()
        flash(_("Ditt lösenord är sparat. Logga in med det."), "saved")
        return redirect(url_for("accounts.login"), code=303)
    return render_template("auth/change_password.html", form=form, via_link=True)
