"""The second factor (TOTP): enrolling, and the code step of logging in."""

from __future__ import annotations

import base64
import io

import pyotp
import qrcode
import qrcode.image.svg
from flask import flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user

from survey import limits
from survey.access import audit_by_user, safe_next, user_actor
from survey.accounts import bp
from survey.accounts.forms import ReplaceTotpForm, TotpForm
from survey.accounts.login import current_password_matches
from survey.db import utcnow
from survey.extensions import db
from survey.models import User, audit
from survey.security import stamp_session


@bp.route("/konto/tvastegs", methods=["GET", "POST"])
@login_required
def enrol_totp():
    """Set up the second factor: scan the QR code, confirm with a code (and, to replace one, the password)."""
    secret = session.get("totp_enrol") or pyotp.random_base32()
    session["totp_enrol"] = secret
    replacing = bool(current_user.totp_secret)
    form = ReplaceTotpForm() if replacing else TotpForm()
    if form.validate_on_submit() and (not replacing or current_password_matches(form.current)):
        if current_user.enrol_totp(secret, form.code.data):
            session.pop("totp_enrol", None)
            audit_by_user("totp_enrolled")
            db.session.commit()
            flash(_("Tvåstegsverifiering är påslagen för ditt konto."), "saved")
            return redirect(url_for("rounds.index"), code=303)
        form.code.errors.append(
            _("Koden stämmer inte. Kontrollera att telefonens klocka går rätt och försök med nästa kod.")
        )
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
        return redirect(url_for("accounts.login"))
    form = TotpForm()
    if form.validate_on_submit():
        attempt = limits.attempt(("code-account", user.email))
        if user.use_totp_code(form.code.data):
            limits.forgive(attempt)
            target = session.get("pending_next")
            session.clear()
            login_user(user)
            stamp_session()
            user.last_login_dt = utcnow()
            audit("login", user_actor(user), user_id=user.id, details={"second_factor": True})
            db.session.commit()
            return redirect(safe_next(target), code=303)
        audit("login_failed", user.email, user_id=user.id, details={"second_factor": True})
        db.session.commit()
        form.code.errors.append(_("Koden stämmer inte. Försök med nästa kod från appen."))
    return render_template("accounts/login_code.html", form=form)
