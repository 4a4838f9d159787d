"""The audit log page: what was done, by whom, in words."""

from __future__ import annotations

from datetime import UTC, datetime, time

from flask import render_template, request
from flask_login import current_user
from sqlalchemy import func

from survey.access import editor_required, visible_audit_events
from survey.accounts import bp
from survey.accounts.audit_details import describe
from survey.db import LOCAL_TZ
from survey.extensions import db
from survey.forms import without_control_characters
from survey.models import ACTION_NAMES, AuditEvent


@bp.route("/samordning/logg")
@editor_required
def audit_log():
    """Who did what when, newest first, filtered by action, actor text and date; an admin reads every event,
    a coordinator the events of their part of the organisation and their own (access.visible_audit_events)."""
    action = without_control_characters(request.args.get("action", ""))[:64]
    who = without_control_characters(request.args.get("vem", ""))[:100]
    start = parse_day(request.args.get("fran"))
    end = parse_day(request.args.get("till"))
    page = max(request.args.get("sida", 1, type=int), 1)
    visible = visible_audit_events(current_user)
    query = visible
    if action:
        query = query.where(AuditEvent.action == action)
    if who:
        query = query.where(func.lower(AuditEvent.actor).contains(who.lower(), autoescape=True))
    if start:
        query = query.where(AuditEvent.occurred_dt >= start)
    if end:
        query = query.where(AuditEvent.occurred_dt < end.replace(hour=23, minute=59, second=59))
    events = db.session.scalars(query.order_by(AuditEvent.id.desc()).offset((page - 1) * 100).limit(101)).all()
    seen = visible.with_only_columns(AuditEvent.action).distinct().order_by(AuditEvent.action)
    actions = db.session.scalars(seen).all()
    return render_template(
        "accounts/audit_log.html",
        events=events[:100],
        details=describe(events[:100]),
        more=len(events) > 100,
        page=page,
        actions=actions,
        action_names=ACTION_NAMES,
        filters={
            "action": action,
            "vem": who,
            "fran": request.args.get("fran", ""),
            "till": request.args.get("till", ""),
        },
    )


def parse_day(text: str | None) -> datetime | None:
    try:
        day = datetime.strptime(text or "", "%Y-%m-%d")
    except ValueError:
        return None
    return datetime.combine(day.date(), time(), LOCAL_TZ).astimezone(UTC)
