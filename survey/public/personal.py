"""Personal data in public text: e-mail addresses and phone numbers taken out, and what looks like a name noticed.

``redact()`` is the one function every public rendering (the page, the fragment, the workbook) passes its text
through, whatever the questionnaire or the coordinator let through. ``warnings()`` is for the coordinator's
preview: it also notices what looks like a person's name, which cannot be taken out safely, only pointed at.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from flask_babel import lazy_gettext as _l

REDACTED = "[borttaget]"
# Deliberately wide: "namn@kommun.se", "namn (at) kommun.se", "namn[at]kommun.se".
EMAIL_RE = re.compile(
    r"[\w.+%-]+\s*(?:@|\(at\)|\[at\]|\(a\)|\bat\b)\s*[\w-]+(?:\s*\.\s*[\w-]+)*\s*\.\s*[a-z]{2,}", re.I
)
# A Swedish or international number: +46 or 00 or a leading 0, then digits with spaces, dashes, slashes, dots
# or brackets between them; seven digits or more in all (year spans such as 2024-2026 start with 2, not 0).
PHONE_RE = re.compile(r"(?<![\w+])(?:\+|00|0)\d?(?:[\s\-–/.()]{0,3}\d){6,}(?!\w)")
NAME_RE = re.compile(r"\b[A-ZÅÄÖÉÜ][a-zåäöéüè]+(?:[ -][A-ZÅÄÖÉÜ][a-zåäöéüè]+)+\b")

EMAIL, PHONE, NAME = "email", "phone", "name"
WARNINGS = {
    EMAIL: _l("ser ut att innehålla en e-postadress (den visas inte)"),
    PHONE: _l("ser ut att innehålla ett telefonnummer (det visas inte)"),
    NAME: _l("kan innehålla ett personnamn: %(words)s"),
}


def redact(text: str) -> str:
    """The text with every e-mail address and phone number replaced by [borttaget]."""
    return PHONE_RE.sub(REDACTED, EMAIL_RE.sub(REDACTED, text))


def warnings(text: str, known_names: Iterable[str] = ()) -> list[tuple[str, str]]:
    """What in ``text`` may be personal data: (kind, the words) for e-mail addresses, phone numbers, and runs of
    capitalised words that are not part of ``known_names`` (units, areas, anything public by nature)."""
    found = [(EMAIL, m.group()) for m in EMAIL_RE.finditer(text)]
    found += [(PHONE, m.group()) for m in PHONE_RE.finditer(EMAIL_RE.sub(" ", text))]
    known = " | ".join(known_names).casefold()
    found += [(NAME, m.group()) for m in NAME_RE.finditer(redact(text)) if m.group().casefold() not in known]
    return found
