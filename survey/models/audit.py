"""The audit log: who did what, never answer text."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from survey.db import UTCDateTime, utcnow
from survey.extensions import Model, db

# What each action is called on the log page; every action the code audits has a name here.
ACTION_NAMES = {
    "answers_saved": _l("Svar sparade"),
    "form_started": _l("Formulär påbörjat (tomt eller från förra omgången)"),
    "follow_up_saved": _l("Uppföljning av utvecklingsområden sparad"),
    "plan_reported": _l("Handlingsplanens aktiviteter och indikatorer rapporterade"),
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
    "reminders_scheduled": _l("Automatiska påminnelser köade"),
    "mail_retried": _l("E-post skickad på nytt"),
    "mail_template_changed": _l("E-postmall ändrad"),
    "scope_voice_changed": _l("Avsändare och kontaktuppgifter för en del av organisationen ändrade"),
    "questionnaire_uploaded": _l("Frågeformulär uppladdat och kontrollerat"),
    "questionnaire_checked": _l("Frågeformulärets text kontrollerad"),
    "questionnaire_compared": _l("Utkast till frågeformulär jämfört med förra omgångens"),
    "questionnaire_previewed": _l("Utkast till frågeformulär förhandsvisat"),
    "questionnaire_saved": _l("Frågeformulär sparat som ny version"),
    "questionnaire_discarded": _l("Utkast till frågeformulär slängt"),
    "questionnaire_exported": _l("Frågeformulär hämtat som fil"),
    "round_created": _l("Omgång skapad"),
    "round_edited": _l("Omgång ändrad"),
    "round_state_changed": _l("Omgångens läge ändrat"),
    "summary_published": _l("Sammanställning publicerad"),
    "summary_withdrawn": _l("Sammanställning avpublicerad"),
    "example_approved": _l("Gott exempel godkänt för publicering"),
    "example_withdrawn": _l("Gott exempel inte längre godkänt för publicering"),
    "register_imported": _l("Register importerat"),
    "plan_imported": _l("Handlingsplan importerad"),
    "plan_item_created": _l("Aktivitet eller indikator i handlingsplanen skapad"),
    "plan_item_changed": _l("Aktivitet eller indikator i handlingsplanen ändrad"),
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
    "privacy_purged": _l("Gallring utförd"),
    "personal_data_exported": _l("Utdrag om en person hämtat"),
    "personal_data_erased": _l("En persons uppgifter raderade"),
}


class AuditEvent(Model):
    """Who did what, when. Never answer text, tokens or passwords."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_occurred_dt", "occurred_dt"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(300))
    action: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    round_id: Mapped[int | None] = mapped_column(ForeignKey("round.id"))
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignment.id"))
    details: Mapped[dict] = mapped_column(JSON, default=dict)


def audit(action: str, actor: str, **fields: Any) -> AuditEvent:
    event = AuditEvent(action=action, actor=actor, **fields)
    db.session.add(event)
    return event
