"""The audit log page: what was done, by whom, in words."""
from __future__ import annotations

from datetime import datetime, time, timezone

from flask import (
    render_template,
    request,
)
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from survey.access import admin_required
from survey.accounts import bp
from survey.db import LOCAL_TZ
from survey.extensions import db
from survey.forms import without_control_characters
from survey.models import AuditEvent

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
