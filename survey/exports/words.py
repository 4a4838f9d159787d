"""The workbook's own words in English: sheet names, column headings and the values the workbook itself writes
(statuses, yes and no, measures), for a workbook written in English. Keys, codes and the questionnaire's texts
are not here: keys never change, and the questionnaire's texts come translated from the questionnaire itself
(questions.languages). A word without an English entry stays Swedish (tests/test_translations.py finds them).
"""

from __future__ import annotations

from typing import Any

from survey.questions.definition import BASE_LANGUAGE

ENGLISH = {
    # sheets
    "Översikt": "Overview",
    "Om sammanställningen": "About this workbook",
    "Per fråga": "Per question",
    "Våldsområden": "Areas of violence",
    "Svar": "Answers",
    "Flerval": "Multiple choice",
    "Ej inkommit": "Not received",
    "Frågor": "Questions",
    "Uppföljning": "Follow-up",
    "Från förra omgången": "From the last round",
    "Indikatorer": "Indicators",
    "Aktiviteter": "Activities",
    "Över tid": "Over time",
    "Jämförelse": "Comparison",
    "Jämförelse våldsområden": "Comparison of areas of violence",
    "Översikt per kommun": "Overview per municipality",
    "Översikt per länsdel": "Overview per part of the county",
    "Andel svar per nämnd": "Share of answers per committee",
    "Andel svar per kommun": "Share of answers per municipality",
    "Andel svar per länsdel": "Share of answers per part of the county",
    # headings
    "Nämnd": "Committee",
    "Kommun": "Municipality",
    "Länsdel": "Part of the county",
    "Enhet": "Unit",
    "Status": "Status",
    "Inskickad": "Submitted",
    "Inbjudna": "Invited",
    "Inskickade": "Submitted",
    "Påbörjade": "Started",
    "Återöppnade": "Reopened",
    "Ej påbörjade": "Not started",
    "Svarsfrekvens": "Response rate",
    "Kartläggning": "Mapping",
    "Frågeformulär": "Questionnaire",
    "Version": "Version",
    "Skapad": "Created",
    "Urval": "Selection",
    "Får publiceras": "May be published",
    "Avsnitt": "Section",
    "Nyckel": "Key",
    "Fråga": "Question",
    "Svarsalternativ eller mått": "Option or measure",
    "Antal": "Count",
    "Andel": "Share",
    "Kontaktperson": "Contact person",
    "E-post": "E-mail",
    "Påminnelser": "Reminders",
    "Senast påmind": "Last reminded",
    "Senast aktiv": "Last active",
    "Grupp": "Group",
    "Typ": "Type",
    "Obligatorisk": "Required",
    "Alternativ (kod = text)": "Options (code = text)",
    "Utvecklingsområde": "Area for development",
    "Kommentar": "Comment",
    "Från omgång": "From round",
    "Indikator": "Indicator",
    "Måttenhet": "Unit of measure",
    "Ansvarig": "Responsible",
    "Målvärde": "Target",
    "Riktning": "Direction",
    "Målet nått": "Target met",
    "Delmål": "Sub-goal",
    "Aktivitet": "Activity",
    "Period": "Period",
    "Ändrat sedan förra omgången": "Changed since the last round",
    "Ändrat": "Changed",
    "Våldsområde": "Area of violence",
    "förändring": "change",
    # values the workbook writes
    "ja": "yes",
    "nej": "no",
    "Ja": "Yes",
    "Nej": "No",
    "(svarade inte)": "(did not answer)",
    "Antal svar": "Number of answers",
    "Summa": "Sum",
    "Medelvärde": "Mean",
    "Median": "Median",
    "Lägsta": "Lowest",
    "Högsta": "Highest",
    "ett val": "one choice",
    "ja/delvis/nej": "yes/partly/no",
    "skala": "scale",
    "flera val": "multiple choice",
    "datum": "date",
    "upprepad grupp": "repeating group",
    "tal": "number",
    "procent": "percent",
    "kort text": "short text",
    "lång text": "long text",
    "Alla nämnder och bolag": "All committees and companies",
    "inskickade svar och utkast": "submitted answers and drafts",
    "inskickade svar (även de som öppnats igen för komplettering)": "submitted answers (also those reopened for completion)",
    "Frågeformuläret har inga våldsområden att jämföra.": "The questionnaire has no areas of violence to compare.",
    # one unit's workbook
    "Referens": "Reference",
    "antal": "number",
}
# Headings that begin with a word and go on with a name: "Svar Kartläggning 2025".
PREFIXES = {"Svar ": "Answers "}
# The columns whose values the workbook writes itself (not answers), so they are translated too.
VALUE_COLUMNS = frozenset(
    {"Status", "Typ", "Obligatorisk", "Svarsalternativ eller mått", "Ändrat", "Ändrat sedan förra omgången"}
    | {"Får publiceras", "Målet nått"}
)


WORDS = {"en": (ENGLISH, PREFIXES)}  # by language; one without an entry keeps the Swedish words
LANGUAGES = (BASE_LANGUAGE, *WORDS)


def workbook_language(requested: str | None) -> str:
    """The language a download asks for (?lang=en), Swedish for none or one the workbook is not written in."""
    return requested if requested in LANGUAGES else BASE_LANGUAGE


def word(text: Any, language: str) -> Any:
    """A heading, sheet name or value of the workbook's own in the language ("Våldsområden: förändring" part by
    part); anything else as it is."""
    if language not in WORDS or not isinstance(text, str):
        return text
    words, prefixes = WORDS[language]
    if text in words:
        return words[text]
    head, colon, rest = text.partition(": ")
    if colon:
        return f"{word(head, language)}: {word(rest, language)}"
    for prefix, translated in prefixes.items():
        if text.startswith(prefix):
            return translated + text.removeprefix(prefix)
    return text
