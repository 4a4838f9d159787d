"""Coordinator accounts: log in, log out, choose a new password."""
from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user

from . import limits, login_manager
from .db import db, parse_id, utcnow
from .forms import ChangePasswordForm, LoginForm
from .models import Setting, User, audit

bp = Blueprint("auth", __name__)

login_manager.login_view = "auth.login"
login_manager.login_message = _l("Logga in för att se sidan.")
login_manager.login_message_category = "info"


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The user of a session id "<user id>:<generation>"; an ended generation is no user."""
    user_id, _sep, generation = session_id.partition(":")
    user_id, generation = parse_id(user_id), parse_id(generation)
    if user_id is None or generation is None:
        return None
    user = db.session.get(User, user_id)
    return user if user is not None and user.session_generation == generation else None


def user_actor(user: User) -> str:
    return f"{user.email} ({user.role})"


def role_required(*roles: str):
    """Logged in with one of ``roles`` and a password of their own (a one-time password is changed first).

    Anyone else logged in gets a 403; anyone not logged in goes to the login page.
    """

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.must_change_password:
                return redirect(url_for("auth.change_password"))
            if not current_user.totp_secret and Setting.get("require_totp", False):
                return redirect(url_for("accounts.enrol_totp"))
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


# Reading (status, answers, exports): every role. Changing anything: coordinators and admins.
coordinator_required = role_required("admin", "coordinator", "viewer")
editor_required = role_required("admin", "coordinator")
admin_required = role_required("admin")


def safe_next(target: str | None) -> str:
    """Only a local path, so a crafted login link cannot send the user elsewhere."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("coordinator.index")


@bp.route("/logga-in", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        limits.check(("login-address", limits.client_address()), ("login-account", email))
        user = User.by_email(email)
        if user is not None and user.is_active and user.check_password(form.password.data):
            session.clear()
            if user.totp_secret:
                session["pending_user_id"] = user.id
                session["pending_next"] = request.args.get("next")
                return redirect(url_for("accounts.login_code"), code=303)
            login_user(user)
            user.last_login_dt = utcnow()
            audit("login", user_actor(user), user_id=user.id)
            db.session.commit()
            return redirect(safe_next(request.args.get("next")), code=303)
        limits.count(("login-address", limits.client_address()), ("login-account", email))
        audit("login_failed", email[:254], details={"address": limits.client_address()})
        db.session.commit()
        form.password.errors.append(_("E-postadressen eller lösenordet stämmer inte."))
    return render_template("auth/login.html", form=form)


@bp.route("/logga-ut", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        current_user.end_sessions()
        audit("logout", user_actor(current_user), user_id=current_user.id)
        db.session.commit()
    logout_user()
    session.clear()
    flash(_("Du är utloggad."), "info")
    return redirect(url_for("auth.login"), code=303)


@bp.route("/konto/losenord", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        current_user.set_password(form.password.data)
        audit("password_changed", user_actor(current_user), user_id=current_user.id)
        db.session.commit()
        login_user(current_user)  # this browser stays logged in; every other session has ended
        flash(_("Ditt nya lösenord är sparat."), "saved")
        return redirect(url_for("coordinator.index"), code=303)
    return render_template("auth/change_password.html", form=form)


@bp.route("/session/forlang", methods=["POST"])
def extend_session():
    """Called by the session warning's button: the request itself keeps the session alive."""
    if not session.get("_user_id") and not session.get("assignments"):
        return jsonify(ok=False), 401
    return jsonify(ok=True, idle_seconds=current_app.config["SESSION_IDLE_MINUTES"] * 60)
