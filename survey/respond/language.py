"""The language the contact person reads the questionnaire in: the one they chose, else the interface's.

A questionnaire may be translated into languages the interface does not have (Arabic, say): those
are chosen with ?lang=ar on any of the contact person's pages (the start page lists them), which leaves
the interface as it was. Every page of the contact person's shows the questionnaire in that language
through Assignment.definition (questions.languages.localized) and is a page in that language (lang="ar"
dir="rtl"), its interface texts marked as Swedish or English; each text without a translation is in
Swedish and marked so.
"""

from __future__ import annotations

from flask import g, request, session
from flask_babel import get_locale
from markupsafe import Markup

from survey.questions import languages
from survey.questions.definition import Question, Questionnaire, Section
from survey.respond import bp

LANGUAGE_KEY = "questionnaire_language"


@bp.before_request
def choose_language() -> None:
    requested = request.args.get("lang", "")
    if languages.is_offered(requested):
        session[LANGUAGE_KEY] = requested
    g.questionnaire_language = session.get(LANGUAGE_KEY) or interface_code()


@bp.app_template_global()
def text_language(part: Questionnaire | Section | Question, text: str | None = None) -> Markup:
    """The lang and dir attributes of a questionnaire's, section's or question's texts (or of its one ``text``,
    "label" say), when they are in another language than the page around them: a label without a translation
    on an English or Arabic page is marked lang="sv" (dir="ltr")."""
    language = languages.text_language(part, text) if text else part.language
    return attributes(language, page_language_of(part))


@bp.app_template_global()
def page_language(definition: Questionnaire) -> Markup:
    """The lang (and for a right-to-left language dir) attributes of a page showing the questionnaire."""
    language = page_language_of(definition)
    direction = languages.direction(language)
    if direction == "rtl":
        return Markup('lang="{}" dir="rtl"').format(language)
    return Markup('lang="{}"').format(language)


@bp.app_template_global()
def option_language(question: Question, code: str) -> dict[str, str]:
    """The lang and dir of an option's label, as keyword arguments of its WTForms label, when it is in another
    language than the page (a choice without a translation)."""
    option = next((o for o in question.options if o.code == code), None)
    language = languages.text_language(option, "label", question.language) if option else question.language
    if language == page_language_of(question):
        return {}
    return {"lang": language, "dir": languages.direction(language)}


@bp.app_template_global()
def interface_language(part: Questionnaire | Section | Question) -> Markup:
    """The attributes that mark the interface's texts (buttons, headings) on a page in the questionnaire's
    language, when that is another than the interface's (Swedish buttons on an Arabic page)."""
    return attributes(interface_code(), page_language_of(part))


def interface_code() -> str:
    locale = get_locale()
    return locale.language if locale is not None else languages.BASE_LANGUAGE


def page_language_of(part: Questionnaire | Section | Question) -> str:
    return languages.page_language(part.language, interface_code())


def attributes(language: str, around: str) -> Markup:
    if language == around:
        return Markup("")
    return Markup(' lang="{}" dir="{}"').format(language, languages.direction(language))


@bp.app_template_global()
def questionnaire_languages(definition: Questionnaire) -> list[tuple[str, str, str]]:
    """(code, name, direction) of every language the questionnaire can be read in, for the choice on the start
    page."""
    return [(code, languages.name(code), languages.direction(code)) for code in languages.languages(definition)]
