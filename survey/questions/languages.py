"""A questionnaire in another language than Swedish: every text translated where a translation is given,
the Swedish text where it is not (text by text), and the list of texts that still lack one.

Translations are part of a questionnaire's text (``label_en = "…"`` beside ``label = "…"`` in TOML,
``label::English (en)`` columns in a spreadsheet), so they are in its content hash: a version names
exactly what every contact person read, in every language. Adding or changing a translation makes a
new version, as any other change of a text does.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import Any

from flask import g, has_app_context

from survey.questions.definition import BASE_LANGUAGE, TEXTS, Question, Questionnaire, Section
from survey.questions.option import Option

# A language's name as a translation column of a spreadsheet names it ("label::English (en)"); a language
# not listed here is named by its code.
NAMES = {"sv": "Svenska", "en": "English", "ar": "العربية", "fi": "Suomi", "so": "Soomaali", "fa": "فارسی"}
XLSFORM_NAMES = {"sv": "Swedish", "en": "English", "ar": "Arabic", "fi": "Finnish", "so": "Somali", "fa": "Persian"}
RIGHT_TO_LEFT = frozenset({"ar", "fa", "he", "ur", "ps", "ckb"})
# The languages a contact person may choose to read a questionnaire in (shown in it when it has texts in them);
# the interface (buttons, headings, messages) has only INTERFACE and stays in one of them around the others.
OFFERED = tuple(NAMES)
INTERFACE = ("sv", "en")
LOCALIZED: dict[tuple[str, str], Questionnaire] = {}  # by (content hash, language): a version's text never changes


def name(language: str) -> str:
    """The language's own name for itself, for a link that switches to it."""
    return NAMES.get(language, language)


def direction(language: str) -> str:
    """ "rtl" for a language written right to left, else "ltr": the dir attribute of its texts."""
    return "rtl" if language in RIGHT_TO_LEFT else "ltr"


def is_offered(language: str) -> bool:
    return language in OFFERED


def page_language(shown: str, interface: str) -> str:
    """The language of a page showing a questionnaire in ``shown`` around an interface in ``interface``: the
    questionnaire's when the interface has no text of its own in it (an Arabic page with Swedish buttons),
    else the interface's."""
    return interface if shown in INTERFACE else shown


def text_language(part: Any, text: str, language: str | None = None) -> str:
    """The language one text of a part localized into ``language`` (by default the part's own) is shown in:
    that language, or Swedish where the text has no translation."""
    language = language or part.language
    if language == BASE_LANGUAGE or not getattr(part, text, ""):
        return language
    given = any(lang == language and name == text for lang, name, _t in part.translations)
    return language if given else BASE_LANGUAGE


def translated(part: Any, text: str, language: str) -> str:
    """One text of a part (questionnaire, section, question, option) in the language, or in Swedish when it has
    no translation."""
    swedish = getattr(part, text)
    if language == BASE_LANGUAGE:
        return swedish
    return next((t for lang, name, t in part.translations if lang == language and name == text), swedish)


def every_part(definition: Questionnaire):
    """(kind, part, where) for every part that has texts, in the questionnaire's order."""
    yield "questionnaire", definition, "[questionnaire]"
    for section in definition.sections:
        yield "section", section, f"section {section.key}"
        for question in section.questions:
            yield from question_parts(question)
            for field in question.fields:
                yield from question_parts(field)


def question_parts(question: Question):
    yield "question", question, question.key
    owner = f"option set {question.option_set}" if question.option_set else question.key
    for option in question.options:
        yield "option", option, f"{owner}: option {option.code}"


def languages(definition: Questionnaire) -> tuple[str, ...]:
    """Swedish, then every language some text is translated into, in alphabetical order."""
    found = {lang for _kind, part, _where in every_part(definition) for lang, _name, _text in part.translations}
    return (BASE_LANGUAGE, *sorted(found - {BASE_LANGUAGE}))


@dataclass(frozen=True)
class Missing:
    """A text that has no translation into the language: where it is, which text, and its Swedish wording."""

    where: str
    text: str
    swedish: str

    def __str__(self) -> str:
        shown = self.swedish if len(self.swedish) <= 60 else self.swedish[:57] + "…"
        return f"{self.where}: {self.text}: {shown!r}"


def missing(definition: Questionnaire, language: str) -> list[Missing]:
    """Every Swedish text without a translation into the language (empty texts need none)."""
    found = []
    for kind, part, where in every_part(definition):
        given = {name for lang, name, _text in part.translations if lang == language}
        for text in TEXTS[kind]:
            swedish = getattr(part, text, "")
            # A text without letters ("%", a percent question's unit) reads the same in every language.
            if isinstance(swedish, str) and any(c.isalpha() for c in swedish) and text not in given:
                found.append(Missing(where, text, swedish))
    return list(dict.fromkeys(found))  # an option set's options once, however many questions use it


def localized(definition: Questionnaire, language: str) -> Questionnaire:
    """The questionnaire with its texts in the language, each text that has no translation in Swedish; keys,
    types and everything else unchanged. Swedish, or a language it has no text in, is the definition itself."""
    if language == BASE_LANGUAGE or definition.language != BASE_LANGUAGE:
        return definition
    if not definition.content_hash:  # made in memory: nothing identifies its text to cache it by
        return translate_questionnaire(definition, language)
    key = (definition.content_hash, language)
    found = LOCALIZED.get(key)
    if found is None:
        found = LOCALIZED[key] = translate_questionnaire(definition, language)
    return found


SHOWING: ContextVar[str | None] = ContextVar("showing", default=None)


@contextmanager
def showing(language: str) -> Iterator[None]:
    """Within the block, Round.definition is in the language (a workbook written in English)."""
    token = SHOWING.set(language)
    try:
        yield
    finally:
        SHOWING.reset(token)


def shown_language() -> str:
    """The language questionnaires are shown in: within showing(), its language; on the contact person's pages,
    theirs (respond/language.py); everywhere else Swedish."""
    if (language := SHOWING.get()) is not None:
        return language
    return g.get("questionnaire_language", BASE_LANGUAGE) if has_app_context() else BASE_LANGUAGE


def texts_of(part: Any, kind: str, language: str) -> dict[str, Any]:
    return {text: translated(part, text, language) for text in TEXTS[kind] if hasattr(part, text)}


def translate_questionnaire(definition: Questionnaire, language: str) -> Questionnaire:
    if language not in languages(definition):
        return definition
    sections = tuple(translate_section(section, language) for section in definition.sections)
    return replace(definition, sections=sections, language=language, **texts_of(definition, "questionnaire", language))


def translate_section(section: Section, language: str) -> Section:
    questions = tuple(translate_question(question, language) for question in section.questions)
    return replace(section, questions=questions, language=language, **texts_of(section, "section", language))


def translate_question(question: Question, language: str) -> Question:
    options = question.choices if question.kind.fixed_options else question.options
    return replace(
        question,
        options=tuple(translate_option(option, language) for option in options),
        fields=tuple(translate_question(field, language) for field in question.fields),
        language=language,
        **texts_of(question, "question", language),
    )


def translate_option(option: Option, language: str) -> Option:
    return replace(option, label=translated(option, "label", language))
