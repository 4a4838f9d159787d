"""Accounts: the admin's list of users, e-mailed set-password links, the second factor, the audit log."""
from __future__ import annotations

import base64
import io
from datetime import datetime, time, timezone

import pyotp
import qrcode
import qrcode.image.svg
from flask import Blueprint, after_this_request, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user, login_required, login_user
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select

from . import limits, mail
from .auth import admin_required, safe_next, user_actor
from .db import LOCAL_TZ, db, utcnow
from .forms import ChangePasswordForm, without_control_characters, ForgotPasswordForm, SecuritySettingsForm, TotpForm, UserForm
from .models import AuditEvent, Setting, User, audit

bp = Blueprint("accounts", __name__)
RESET_MAX_AGE = 3600
INVITATION_MAX_AGE = 3 * 24 * 3600
ROLE_NAMES = {"admin": "administratör", "coordinator": "samordnare", "viewer": "läsare"}


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
        return redirect(url_for("auth.login"), code=303)
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
        return redirect(url_for("auth.login"), code=303)
    return render_template("auth/change_password.html", form=form, via_link=True)


@bp.route("/samordning/konton")
@admin_required
def users():
    form = SecuritySettingsForm(require_totp=Setting.get("require_totp", False))
    everyone = db.session.scalars(select(User).order_by(User.email)).all()
    return render_template("accounts/users.html", users=everyone, settings_form=form, role_names=ROLE_NAMES)


@bp.route("/samordning/konton/nytt", methods=["GET", "POST"])
@admin_required
def create_user():
    form = UserForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        if User.by_email(email):
            form.email.errors.append(_("Det finns redan ett konto med den adressen."))
        else:
            from .cli import create_user as make_account

            user, _password = make_account(email, form.role.data, (form.name.data or "").strip())
            user.must_change_password = False  # the link sets the password; nobody knows the random one
            values = {"namn": user.name or email, "lank": password_link(user), "roll": ROLE_NAMES[user.role]}
            mail.queue("account_invitation", email, user.name, values, user_id=user.id)
            audit("user_created", user_actor(current_user), user_id=current_user.id, details={"email": email, "role": user.role})
            db.session.commit()
            after_this_request(mail.send_after_response)
            flash(_("Kontot är skapat. %(email)s får ett e-postmeddelande med en länk för att välja lösenord.", email=email), "saved")
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
            audit("user_changed", user_actor(current_user), user_id=current_user.id, details={"user": user.id, **changes})
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
        audit("user_enabled" if user.is_enabled else "user_disabled", user_actor(current_user),
              user_id=current_user.id, details={"user": user.id})
        db.session.commit()
        flash(_("Kontot är aktiverat.") if user.is_enabled else _("Kontot är avstängt."), "saved")
    return redirect(url_for("accounts.users"), code=303)


@bp.route("/samordning/konton/<int:user_id>/tvastegs", methods=["POST"])
@admin_required
def reset_totp(user_id: int):
    """For a user who lost their phone: they enrol again at next login."""
    user = db.get_or_404(User, user_id)
    user.totp_secret = None
    audit("totp_reset", user_actor(current_user), user_id=current_user.id, details={"user": user.id})
    db.session.commit()
    flash(_("Tvåstegsverifieringen är återställd för %(email)s.", email=user.email), "saved")
    return redirect(url_for("accounts.users"), code=303)


@bp.route("/samordning/konton/installningar", methods=["POST"])
@admin_required
def security_settings():
    form = SecuritySettingsForm()
    if form.validate_on_submit():
        Setting.put("require_totp", bool(form.require_totp.data))
        audit("setting_changed", user_actor(current_user), user_id=current_user.id,
              details={"require_totp": bool(form.require_totp.data)})
        db.session.commit()
        flash(_("Inställningen är sparad."), "saved")
    return redirect(url_for("accounts.users"), code=303)


@bp.route("/konto/tvastegs", methods=["GET", "POST"])
@login_required
def enrol_totp():
    """Set up the second factor: scan the QR code, confirm with a code."""
    secret = session.get("totp_enrol") or pyotp.random_base32()
    session["totp_enrol"] = secret
    form = TotpForm()
    if form.validate_on_submit():
        if pyotp.TOTP(secret).verify(form.code.data.strip(), valid_window=1):
            current_user.totp_secret = secret
            session.pop("totp_enrol", None)
            audit("totp_enrolled", user_actor(current_user), user_id=current_user.id)
            db.session.commit()
            flash(_("Tvåstegsverifiering är påslagen för ditt konto."), "saved")
            return redirect(url_for("coordinator.index"), code=303)
        form.code.errors.append(_("Koden stämmer inte. Kontrollera att telefonens klocka går rätt och försök med nästa kod."))
    uri = pyotp.TOTP(secret).provisioning_uri(name=current_user.email, issuer_name="Kartläggning")
    return render_template("accounts/enrol_totp.html", form=form, secret=secret, qr=qr_data_uri(uri))


def qr_data_uri(text: str) -> str:
    buffer = io.BytesIO()
    qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage).save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


@bp.route("/logga-in/kod", methods=["GET", "POST"])
def login_code():
    """The second step of logging in, for accounts with a second factor."""
    user = db.session.get(User, session.get("pending_user_id") or 0)
    if user is None or not user.totp_secret:
        return redirect(url_for("auth.login"))
    form = TotpForm()
    if form.validate_on_submit():
        limits.check(("code-account", user.email))
        totp = pyotp.TOTP(user.totp_secret)
        if totp.verify(form.code.data.strip(), valid_window=1):
            target = session.get("pending_next")
            session.clear()
            login_user(user)
            user.last_login_dt = utcnow()
            audit("login", user_actor(user), user_id=user.id, details={"second_factor": True})
            db.session.commit()
            return redirect(safe_next(target), code=303)
        limits.count(("code-account", user.email))
        audit("login_failed", user.email, user_id=user.id, details={"second_factor": True})
        db.session.commit()
        form.code.errors.append(_("Koden stämmer inte. Försök med nästa kod från appen."))
    return render_template("accounts/login_code.html", form=form)


ACTION_NAMES = {
    "answers_saved": _l("Svar sparade"),
    "answers_imported": _l("Svar inlästa från Excel"),
    "submitted": _l("Svar inskickade"),
    "assignment_reopened": _l("Svar öppnade igen"),
    "assignment_approved": _l("Svar godkända"),
    "link_opened": _l("Personlig länk öppnad"),
    "link_issued": _l("Ny länk till en verksamhet"),
    "links_issued": _l("Nya länkar till alla (CSV)"),
    "template_downloaded": _l("Svarsmall hämtad"),
    "invitations_queued": _l("Inbjudningar köade"),
    "reminders_queued": _l("Påminnelser köade"),
    "mail_retried": _l("E-post skickad på nytt"),
    "mail_template_changed": _l("E-postmall ändrad"),
    "round_created": _l("Omgång skapad"),
    "round_edited": _l("Omgång ändrad"),
    "round_state_changed": _l("Omgångens läge ändrat"),
    "summary_published": _l("Sammanställning publicerad"),
    "summary_withdrawn": _l("Sammanställning avpublicerad"),
    "register_imported": _l("Register importerat"),
    "unit_created": _l("Enhet skapad"),
    "unit_changed": _l("Enhet ändrad"),
    "unit_activated": _l("Enhet aktiverad"),
    "unit_deactivated": _l("Enhet inaktiverad"),
    "contact_added": _l("Kontaktperson tillagd"),
    "contact_changed": _l("Kontaktperson ändrad"),
    "contact_removed": _l("Kontaktperson borttagen"),
    "login": _l("Inloggning"),
    "login_failed": _l("Misslyckad inloggning"),
    "logout": _l("Utloggning"),
    "password_changed": _l("Lösenord bytt"),
    "password_reset_requested": _l("Nytt lösenord begärt"),
    "password_set_by_link": _l("Lösenord valt via länk"),
    "totp_enrolled": _l("Tvåstegsverifiering påslagen"),
    "totp_reset": _l("Tvåstegsverifiering nollställd"),
    "user_created": _l("Konto skapat"),
    "user_changed": _l("Konto ändrat"),
    "user_enabled": _l("Konto aktiverat"),
    "user_disabled": _l("Konto avstängt"),
    "setting_changed": _l("Inställning ändrad"),
    "demo_loaded": _l("Demodata inläst"),
}


@bp.route("/samordning/logg")
@admin_required
def audit_log():
    """Who did what when, newest first, filtered by action, actor text and date."""
    action = without_control_characters(request.args.get("action", ""))[:64]
    who = without_control_characters(request.args.get("vem", ""))[:100]
    start = parse_day(request.args.get("fran"))
    end = parse_day(request.args.get("till"))
    page = max(request.args.get("sida", 1, type=int), 1)
    query = select(AuditEvent)
    if action:
        query = query.where(AuditEvent.action == action)
    if who:
        query = query.where(func.lower(AuditEvent.actor).contains(who.lower(), autoescape=True))
    if start:
        query = query.where(AuditEvent.occurred_dt >= start)
    if end:
        query = query.where(AuditEvent.occurred_dt < end.replace(hour=23, minute=59, second=59))
    events = db.session.scalars(query.order_by(AuditEvent.id.desc()).offset((page - 1) * 100).limit(101)).all()
    actions = db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)).all()
    return render_template("accounts/audit_log.html", events=events[:100], more=len(events) > 100, page=page,
                           actions=actions, action_names=ACTION_NAMES, filters={"action": action, "vem": who,
                                                     "fran": request.args.get("fran", ""), "till": request.args.get("till", "")})


def parse_day(text: str | None) -> datetime | None:
    try:
        day = datetime.strptime(text or "", "%Y-%m-%d")
    except ValueError:
        return None
    return datetime.combine(day.date(), time(), LOCAL_TZ).astimezone(timezone.utc)

