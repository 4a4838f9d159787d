"""The admin's pages: the retention purge (what would go, and a button), and one person's data."""

from __future__ import annotations

from io import BytesIO

from flask import flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from survey.access import admin_required, audit_by_user, user_actor
from survey.db import utcnow
from survey.exports.writer import XLSX
from survey.extensions import db
from survey.forms import without_control_characters
from survey.privacy import bp
from survey.privacy.retention import purge
from survey.privacy.rights import access_workbook, erase, gather, is_last_admin, normalised, record_export


@bp.route("/samordning/gallring", methods=["GET", "POST"])
@admin_required
def retention():
    """GET: what a purge would remove now, and what it keeps. POST: purge, audit, back to the list."""
    if request.method == "POST":
        outcomes = purge(utcnow())
        audit_by_user("privacy_purged", details={o.kind: o.removed for o in outcomes})
        db.session.commit()
        flash(_("Gallringen är gjord."), "saved")
        return redirect(url_for("privacy.retention"), code=303)
    outcomes = purge(utcnow(), dry_run=True)
    return render_template("privacy/retention.html", outcomes=outcomes, due=any(o.removed for o in outcomes))


def posted_email() -> str:
    return normalised(without_control_characters(request.form.get("email", "")))[:254]


@bp.route("/samordning/personuppgifter", methods=["GET", "POST"])
@admin_required
def person():
    """GET: a form for an address. POST: what is held about it, with the export and erase buttons."""
    if request.method == "GET":
        return render_template("privacy/person.html", held=None, email="")
    email = posted_email()
    if "@" not in email:
        flash(_("Skriv en e-postadress."), "error")
        return render_template("privacy/person.html", held=None, email=email)
    held = gather(email)
    return render_template(
        "privacy/person.html", held=held, email=email, last_admin=any(is_last_admin(user) for user in held.accounts)
    )


@bp.route("/samordning/personuppgifter/utdrag", methods=["POST"])
@admin_required
def access_export():
    """Everything held about the address as a workbook (the address is posted: it stays out of server logs)."""
    held = gather(posted_email())
    record_export(held, user_actor(current_user), current_user.id)
    db.session.commit()
    return send_file(
        BytesIO(access_workbook(held).getvalue()),
        mimetype=XLSX,
        as_attachment=True,
        download_name="personuppgifter.xlsx",
    )


@bp.route("/samordning/personuppgifter/radera", methods=["POST"])
@admin_required
def erase_person():
    email = posted_email()
    if request.form.get("confirm") != "yes" or "@" not in email:
        flash(_("Kryssa i att du vill radera uppgifterna."), "error")
        return redirect(url_for("privacy.person"), code=303)
    result = erase(email, user_actor(current_user))
    db.session.commit()
    flash(_("Uppgifterna är raderade. I loggen heter personen nu %(pseudonym)s.", pseudonym=result.pseudonym), "saved")
    return redirect(url_for("privacy.person"), code=303)
