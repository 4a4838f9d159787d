"""A questionnaire's problems as the coordinator's page shows them: where (sheet, row and column, or line)
and what, in plain Swedish.

The readers (definition.py, xlsform_reading.py, versions.py) write one English line per problem, which
the command line prints as it is; this module takes such a line apart into its place and its message
and says both in Swedish, message by message. A message not in the table keeps its English words
(its place is still given in Swedish); on an English page the original words are shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import get_locale

from survey.questions.definition import key_line

SHEET_PLACE = re.compile(
    r'^sheet "(?P<sheet>[^"]*)"(?:, row (?P<row>\d+))?'
    r"(?:, column (?:(?P<letter>[A-Z]+) \((?P<header>[^)]*)\)|(?P<absent>.+?) \(not in the sheet\)))?: "
)
TOML_PLACE = re.compile(
    r"^(?P<where>file|\[questionnaire\]|\[\[sections\]\]|\[option_sets\]|section \S+|option set \S+|[a-z][a-z0-9_]*): "
)
NOT_A_KEY = "får bara innehålla små bokstäver a–z, siffror och _ och måste börja med en bokstav"

# A spreadsheet's column that is not carried over (xlsform_cells.ignored_columns): why, in English → Swedish.
IGNORED_COLUMNS = {
    "conditions on when a question shows are not carried over: every question is always shown": (
        "villkor för när en fråga visas följer inte med: varje fråga visas alltid"
    ),
    "calculations are not carried over": "beräkningar följer inte med",
    "constraint messages are not carried over: the tool's own messages are shown": (
        "egna felmeddelanden för gränser följer inte med: verktygets egna meddelanden visas"
    ),
    "required messages are not carried over: the tool's own messages are shown": (
        "egna meddelanden för obligatoriska frågor följer inte med: verktygets egna meddelanden visas"
    ),
    "default answers are not carried over": "förvalda svar följer inte med",
    "choice filters are not carried over: every choice is offered": (
        "filter för svarsalternativ följer inte med: alla alternativ visas"
    ),
    "repeat counts are not carried over: a respondent adds as many entries as needed": (
        "antal upprepningar följer inte med: den som svarar lägger till så många som behövs"
    ),
    "read-only questions are not carried over": "skrivskyddade frågor följer inte med",
    "the column is not carried over": "kolumnen följer inte med",
    "translations of this column are not carried over": "översättningar av den här kolumnen följer inte med",
    "the language has no code: name it as in label::English (en)": (
        "språket saknar kod: skriv det som i label::English (en)"
    ),
}

# Why a row of a spreadsheet's type is left out (xlsform_cells.SKIPPED_TYPES), in English → Swedish.
SKIPPED_TYPES = {
    "metadata a phone records, not a question": "uppgifter som en telefon registrerar, ingen fråga",
    "a type with no counterpart in our questionnaires": "en typ som saknar motsvarighet i våra frågeformulär",
    "a calculated value, not a question": "ett beräknat värde, ingen fråga",
    "a hidden value, not a question": "ett dolt värde, ingen fråga",
    "a note asks nothing (a section's hint can hold its text)": (
        "en anteckning frågar ingenting (avsnittets hjälptext kan rymma texten)"
    ),
}

# (English message, as a pattern) → Swedish, with the pattern's groups in {0}, {1} …
SWEDISH: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p), s)
    for p, s in [
        (r"^invalid TOML: .*", "texten går inte att läsa som TOML (se efter citattecken, = och hakparenteser)"),
        (r"^table is missing$", "tabellen saknas"),
        (r"^unknown key '(.+)'(?: on line \d+)? \(did you mean '(.+)'\?\)$", "okänt fält '{0}' – menade du '{1}'?"),
        (r"^unknown key '(.+)'(?: on line \d+)? \(known: (.*)\)$", "okänt fält '{0}' (tillåtna: {1})"),
        (
            r"^id '(.*)' must match .*$",
            "id '{0}' får bara innehålla små bokstäver a–z, siffror och bindestreck och måste börja med en bokstav",
        ),
        (r"^(\w+) must be a positive whole number$", "{0} måste vara ett positivt heltal"),
        (r"^the questionnaire has no sections$", "formuläret har inga avsnitt"),
        (r"^(\w+) must be text$", "{0} måste vara text"),
        (r"^(\w+) is missing$", "{0} saknas"),
        (r"^(\w+) is empty$", "{0} är tom"),
        (r"^must be a table of option lists$", "måste vara en tabell med svarslistor"),
        (
            r"^options must be a list .*$",
            "options måste vara en lista med svarsalternativ (code och label) eller namnet på en svarslista",
        ),
        (r"^each option must be a table with code and label$", "varje svarsalternativ måste ha code och label"),
        (r"^option code (.*) must match .*$", "svarsalternativets kod {0} " + NOT_A_KEY),
        (r"^option (.*) has no label$", "svarsalternativet {0} saknar text (label)"),
        (r"^duplicate option code (.*)$", "svarsalternativets kod {0} finns två gånger"),
        (r"^must be a table$", "måste vara en tabell"),
        (r"^question key (.*) must match .*$", "frågans nyckel {0} " + NOT_A_KEY),
        (r"^key (.*) must match .*$", "nyckeln {0} " + NOT_A_KEY),
        (r"^duplicate section key$", "två avsnitt har samma nyckel"),
        (r"^section has no questions$", "avsnittet har inga frågor"),
        (r"^each question must be a table$", "varje fråga måste vara en tabell"),
        (r"^duplicate key \(question keys must be unique in the file\)$", "nyckeln används redan av en annan fråga"),
        (r"^unknown type (.*) \(one of: (.*)\)$", "okänd frågetyp {0} (tillåtna: {1})"),
        (r"^unknown type (.*) \(write (.*)\)$", "okänd frågetyp {0} (skriv {1})"),
        (r"^unknown type (.*)$", "okänd frågetyp {0}"),
        (r"^a group cannot contain another group$", "en grupp kan inte innehålla en annan grupp"),
        (r"^(\w+) must be true or false$", "{0} måste vara true eller false"),
        (r"^choice question without options$", "flervalsfrågan saknar svarsalternativ"),
        (r"^options refers to unknown option set (.*)$", "options pekar på svarslistan {0}, som inte finns"),
        (r"^choice question needs at least two options$", "en flervalsfråga behöver minst två svarsalternativ"),
        (r"^scale needs whole-number min and max$", "skalan behöver heltal som min och max"),
        (r"^scale needs 0 <= min < max <= 10$", "skalan behöver 0 ≤ min < max ≤ 10"),
        (r"^group has no fields$", "gruppen har inga fält"),
        (r"^(\w+) must be a number$", "{0} måste vara ett tal"),
        (r"^min is larger than max$", "min är större än max"),
        (r"^a percentage's min and max must lie within 0–100$", "en procentsats min och max måste ligga inom 0–100"),
        (r"^(.*) must be yes or no$", "{0} måste vara ja eller nej (yes/no)"),
        (r"^(.*) must be a whole number$", "{0} måste vara ett heltal"),
        (r"^(.*) must be a number$", "{0} måste vara ett tal"),
        (r"^(.*): a range here needs .*$", "{0}: en skala (range) behöver heltal som start och end, och step=1"),
        (r'^no sheet named "survey" .*$', 'bladet "survey" saknas (en rad per fråga)'),
        (r'^no sheet "settings" .*$', 'bladet "settings" med form_title, form_id och version saknas'),
        (
            r"^not a readable \.xlsx workbook .*$",
            "filen är ingen läsbar .xlsx-arbetsbok (spara den på nytt som .xlsx i Excel)",
        ),
        (r"^the choice belongs to no list .*$", "svarsalternativet hör inte till någon lista (list_name är tom)"),
        (r"^choice name (.*) must be lower-case .*$", "svarsalternativets namn {0} " + NOT_A_KEY),
        (
            r"^choice (.*) is in list (.*) twice \(first on row (\d+)\)$",
            "svarsalternativet {0} finns två gånger i listan {1} (första gången på rad {2})",
        ),
        (
            r"^list (.*): column question must name.*$",
            "listan {0}: kolumnen question ska på varje rad ange den enda fråga som använder listan, eller vara tom för en delad lista",
        ),
        (r"^the row has no type$", "raden saknar typ (type)"),
        (
            r"^a repeat inside a repeat cannot be carried over$",
            "en upprepning (repeat) inuti en annan kan inte föras över",
        ),
        (r"^begin (\w+) (.*) is never closed .*$", "begin {0} {1} avslutas aldrig (end {0} saknas)"),
        (r"^end (\w+) without a begin \w+ before it$", "end {0} utan begin {0} före"),
        (
            r"^end (\w+) where begin (\w+) (.*) of row (\d+) is still open .*$",
            "end {0} medan begin {1} {2} på rad {3} fortfarande är öppen (end {1} saknas)",
        ),
        (r"^name (.*) must be lower-case .*$", "namnet {0} " + NOT_A_KEY),
        (r"^names no choice list .*$", "ingen svarslista anges (skriv till exempel 'select_one ja_nej')"),
        (r"^unexpected (.*) after the list name$", "oväntat {0} efter svarslistans namn"),
        (r'^choice list (.*) does not exist in sheet "choices"$', 'svarslistan {0} finns inte på bladet "choices"'),
        (
            r"^name (.*) is used twice \(first on row (\d+)\)$",
            "namnet {0} används två gånger (första gången på rad {1})",
        ),
        (
            r"^does not apply to a question of type (\w+) \(give (\w+)\)$",
            "gäller inte en fråga av typen {0} (ange {1})",
        ),
        (r"^does not apply to a question of type (\w+)$", "gäller inte en fråga av typen {0}"),
        (
            r"^version (.*) is already stored with different content; .*$",
            "version {0} finns redan sparad med andra frågor: ge formuläret en ny versionsbeteckning (version)",
        ),
        (
            r"^type (\w+) in version (.*) cannot become (\w+) .*, e\.g\. (\w+)$",
            "typen {0} i version {1} kan inte bli {2} (svaren som redan finns skulle inte gå att läsa); "
            "ge frågan en ny nyckel, till exempel {3}",
        ),
        (r"^is not part of XLSForm and is ignored$", "hör inte till XLSForm och läses inte"),
        (r"^list (.*) is used by no question$", "listan {0} används inte av någon fråga"),
        (r"^no entry_label: each entry is called (.*)$", "entry_label saknas: varje post kallas {0}"),
        (r"^no (\w+): the end is labelled (.*)$", "{0} saknas: änden kallas {1}"),
        (r"^appearance (.*) is not carried over$", "appearance {0} förs inte över"),
        (r"^constraint (.*) is not carried over$", "villkoret (constraint) {0} förs inte över"),
        (r"^or_other is not carried over.*$", "or_other förs inte över: inget alternativ 'annat' läggs till"),
        (
            r"^questions outside any group are put in a section of their own \((.*)\) from here$",
            "frågor utanför en grupp läggs härifrån i ett eget avsnitt ({0})",
        ),
        (r"^unknown key '(.+)'$", "okänt fält '{0}'"),
        (
            r"^there is no column label: labels are read from (.*)$",
            "kolumnen label saknas: frågornas texter läses från {0}",
        ),
        *(
            (rf"^{re.escape(english)} \(rows? (.*)\)$", swedish + " (rad {0})")
            for english, swedish in IGNORED_COLUMNS.items()
        ),
        *(
            (rf"^([\w-]+): {re.escape(english)}; the row is left out$", "{0}: " + swedish + "; raden följer inte med")
            for english, swedish in SKIPPED_TYPES.items()
        ),
        (
            r"^the questionnaire was changed in the spreadsheet: .*$",
            "formuläret har ändrats i kalkylbladet: det sparas som ny TOML-text "
            "(kommentarer och uppställning i filen det exporterades från följer inte med)",
        ),
    ]
]


@dataclass(frozen=True)
class Problem:
    """One problem or warning: where it is ("" when the whole file), its line in the text if known, and what."""

    where: str
    message: str
    line: int | None = None


def in_swedish(message: str) -> str:
    for pattern, swedish in SWEDISH:
        if found := pattern.match(message):
            return swedish.format(*found.groups())
    return message


def sheet_place(found: re.Match[str]) -> str:
    where = f'bladet "{found["sheet"]}"'
    if found["row"]:
        where += f", rad {found['row']}"
    if found["letter"]:
        where += f", kolumn {found['letter']} ({found['header']})"
    elif found["absent"]:
        where += f", kolumn {found['absent']} (finns inte på bladet)"
    return where


def toml_place(where: str) -> str:
    for english, swedish in (("section ", "avsnitt "), ("option set ", "svarslistan ")):
        if where.startswith(english):
            return swedish + where.removeprefix(english)
    if where == "file":
        return "filen"
    return where if where.startswith("[") else f"frågan {where}"


def line_in(source: str, where: str, message: str) -> int | None:
    """The line of the text a TOML problem is on: named by the message, or where its table begins."""
    if named := re.search(r"(?:on line|at line) (\d+)", message):
        return int(named[1])
    if where == "[questionnaire]":
        return first_line(source, r"^\s*\[questionnaire\]")
    if where.startswith(("[", "option set ")) or where == "file":
        return None
    return first_line(source, key_line(where.removeprefix("section ")))


def first_line(source: str, pattern: str | None) -> int | None:
    if pattern is None:
        return None
    compiled = re.compile(pattern)
    return next((n for n, text in enumerate(source.splitlines(), start=1) if compiled.search(text)), None)


def readable(problem: str, name: str, source: str = "") -> Problem:
    """One line of a reader (``name: place: message``) as the page shows it; ``source`` is the TOML text,
    to find the line of a problem in it."""
    rest = problem.removeprefix(f"{name}: ")
    english = get_locale() is not None and get_locale().language == "en"
    if found := SHEET_PLACE.match(rest):
        message = rest[found.end() :]
        return Problem(
            rest[: found.end() - 2] if english else sheet_place(found), message if english else in_swedish(message)
        )
    if found := TOML_PLACE.match(rest):
        where, message = found["where"], rest[found.end() :]
        line = line_in(source, where, message)
        return Problem(where if english else toml_place(where), message if english else in_swedish(message), line)
    named = re.search(r"at line (\d+)", rest)  # a TOML syntax error names its line
    return Problem("", rest if english else in_swedish(rest), int(named[1]) if named else None)


def readable_all(problems: list[str], name: str, source: str = "") -> list[Problem]:
    return [readable(problem, name, source) for problem in problems]
