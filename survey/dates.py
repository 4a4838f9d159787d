"""How a moment reads to a contact person: "3 december 2026 kl. 15.20" in Swedish, "3 December 2026 at 15:20" in
English, in local time (BABEL_DEFAULT_TIMEZONE, Europe/Stockholm) without seconds or a zone's abbreviation. The
one helper for such timestamps: the ``moment`` template filter (the receipt, the start page, the published
summary) and the receipt mail's {inskickat}. Coordinators' tables keep the compact ``datetimeformat("short")``."""

from __future__ import annotations

from datetime import datetime

from flask_babel import format_date, gettext, to_user_timezone


def format_moment(moment: datetime) -> str:
    local = to_user_timezone(moment)
    return gettext(
        "%(date)s kl. %(hour)s.%(minute)s",
        date=format_date(local, "d MMMM y"),
        hour=f"{local.hour:02d}",
        minute=f"{local.minute:02d}",
    )
