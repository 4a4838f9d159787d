"""The language the contact person reads the questionnaire in: the one they chose, else the interface's.

A questionnaire may be translated into languages the interface does not have (Arabic, say): those
are chosen on the start page with ?lang=ar, which leaves the interface as it was. Every page of the
contact person's shows the questionnaire in that language through Assignment.definition
(questions.languages.localized), each text without a translation in Swedish.
"""

from __future__ import annotations

import re

from flask import g, request, session
from flask_babel import get_locale
from markupsafe import Markup

from survey.questions import languages
from survey.questions.definition import Question, Questionnaire, Section
from survey.respond import bp

LANGUAGE_KEY = "questionnaire_language"
CODE_RE = re.compile(r"^[a-z]{2,3}$")


@bp.before_request
def choose_language() -> None:
    requested = request.args.get("lang", "")
    if CODE_RE.match(requested):
        session[LANGUAGE_KEY] = requested
    g.questionnaire_language = session.get(LANGUAGE_KEY) or interface_language()


def interface_language() -> str:
    locale = get_locale()
    return locale.language if locale is not None else languages.BASE_LANGUAGE


@bp.app_template_global()
def text_language(part: Questionnaire | Section | Question) -> Markup:
    """The lang and dir attributes of a questionnaire's, section's or question's texts, when they are in another
    language than the page around them (Arabic texts on a Swedish page: lang="ar" dir="rtl")."""
    language = part.language
    if language == interface_language():
        return Markup("")
    return Markup(' lang="{}" dir="{}"').format(language, languages.direction(language))


@bp.app_template_global()
def questionnaire_languages(definition: Questionnaire) -> list[tuple[str, str, str]]:
    """(code, name, direction) of every language the questionnaire can be read in, for the choice on the start
    page."""
    return [(code, languages.name(code), languages.direction(code)) for code in languages.languages(definition)]
