"""Logging in (password, then the second factor), logging out, keeping a session alive."""

from __future__ import annotations

from flask import current_app, flash, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from survey import limits
from survey.access import audit_by_user, safe_next, user_actor
from survey.accounts import bp
from survey.accounts.forms import ChangeOwnPasswordForm, ChangePasswordForm, LoginForm
from survey.db import utcnow
from survey.extensions import db
from survey.models import User, audit
from survey.security import stamp_session


@bp.route("/logga-in", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        attempt = limits.attempt(*limits.login_limits(email))
        user = User.authenticate(email, form.password.data)
        if user is not None:
            limits.forgive(attempt)
            session.clear()
            if user.totp_secret:
                session["pending_user_id"] = user.id
                session["pending_next"] = request.args.get("next")
                db.session.commit()
                return redirect(url_for("accounts.login_code"), code=303)
            login_user(user)
            stamp_session()
            user.last_login_dt = utcnow()
            audit("login", user_actor(user), user_id=user.id)
            db.session.commit()
            return redirect(safe_next(request.args.get("next")), code=303)
        audit("login_failed", email[:254], details={"address": limits.client_address()})
        db.session.commit()
        form.password.errors.append(_("E-postadressen eller lösenordet stämmer inte."))
    return render_template("auth/login.html", form=form)


@bp.route("/logga-ut", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        current_user.end_sessions()
        audit_by_user("logout")
        db.session.commit()
    logout_user()
    session.clear()
    flash(_("Du är utloggad."), "info")
    return redirect(url_for("accounts.login"), code=303)


@bp.route("/konto/losenord", methods=["GET", "POST"])
@login_required
def change_password():
    # After a one-time password the login itself was the proof; otherwise a borrowed session
    # must not be enough to take the account over.
    asks_current = not current_user.must_change_password
    form = ChangeOwnPasswordForm() if asks_current else ChangePasswordForm()
    if form.validate_on_submit() and (not asks_current or current_password_matches(form.current)):
        current_user.set_password(form.password.data)
        audit_by_user("password_changed")
        db.session.commit()
        login_user(current_user)  # this browser stays logged in; every other session has ended
        flash(_("Ditt nya lösenord är sparat."), "saved")
        return redirect(url_for("rounds.index"), code=303)
    return render_template("auth/change_password.html", form=form)


def current_password_matches(field) -> bool:
    """Whether the logged-in user typed their password; a wrong one counts as a failed login."""
    attempt = limits.attempt(*limits.login_limits(current_user.email))
    if current_user.check_password(field.data):
        limits.forgive(attempt)
        db.session.commit()
        return True
    audit_by_user("login_failed", details={"reauthentication": True})
    db.session.commit()
    field.errors.append(_("Lösenordet stämmer inte."))
    return False


@bp.route("/session/forlang", methods=["POST"])
def extend_session():
    """Called by the session warning's button: the request itself keeps the session alive."""
    if not session.get("_user_id") and not session.get("assignments"):
        return jsonify(ok=False), 401
    return jsonify(ok=True, idle_seconds=current_app.config["SESSION_IDLE_MINUTES"] * 60)
