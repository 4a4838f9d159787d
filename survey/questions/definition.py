"""Questionnaire definitions: TOML files loaded into frozen dataclasses, and their validation.

A questionnaire is data, not code: coordinators' questions change every year,
but every question keeps a stable ``key`` that answers, exports and
comparisons between rounds join on."""

from __future__ import annotations

import difflib
import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from survey.questions.option import Option, Translations
from survey.questions.types import TYPES, QuestionType

KEY_RE = re.compile(r"^[a-z][a-z0-9_]*$")
SLUG_RE = re.compile(r"^[a-z][a-z0-9-]*$")
BASE_LANGUAGE = "sv"  # every text is written in Swedish first; other languages are translations of it
# The texts of each part of a questionnaire that a translation may give in another language. In a file a
# translation is the text's key with the language's code after it: label_en = "…", help_ar = "…".
TEXTS = {
    "questionnaire": ("title", "intro"),
    "section": ("title", "help"),
    "question": ("label", "help", "unit", "min_label", "max_label", "entry_label"),
    "option": ("label",),
}
TRANSLATION_RE = re.compile(r"^(?P<text>[a-z_]+)_(?P<language>[a-z]{2,3})$")


@dataclass(frozen=True)
class Question:
    key: str
    type: str
    label: str
    help: str = ""
    required: bool = False
    options: tuple[Option, ...] = ()
    option_set: str | None = None
    min: float | None = None
    max: float | None = None
    integer: bool = False
    unit: str = ""
    min_label: str = ""
    max_label: str = ""
    max_length: int | None = None
    entry_label: str = ""
    fields: tuple[Question, ...] = ()
    follow_up: bool = False  # a group whose entries the next round follows up (development areas)
    public: bool = False  # a group's field that the public summary page may show (goda exempel)
    translations: Translations = ()
    language: str = field(default=BASE_LANGUAGE, compare=False)  # set by questions.languages.localized()

    @property
    def kind(self) -> QuestionType:
        """The question's type from the registry: everything that differs between types lives there."""
        return TYPES[self.type]

    @property
    def is_group(self) -> bool:
        return self.type == "group"

    @property
    def choices(self) -> tuple[Option, ...]:
        """The options a respondent picks from, for every type that has them."""
        return self.kind.choices(self)

    def as_text(self, value: Any) -> str:
        """An answer as a sentence reads it (pages, review, receipt); "" for no answer."""
        return "" if value is None else self.kind.as_text(self, value)

    def as_cell(self, value: Any) -> Any:
        """An answer as a workbook cell holds it (labels, real numbers and dates); None for no answer."""
        return None if value is None else self.kind.as_cell(self, value)

    def label_for(self, code: str) -> str:
        for option in self.choices:
            if option.code == code:
                return option.label
        return code


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    help: str
    questions: tuple[Question, ...]
    translations: Translations = ()
    language: str = field(default=BASE_LANGUAGE, compare=False)  # set by questions.languages.localized()


@dataclass(frozen=True)
class Questionnaire:
    id: str
    title: str
    version: str
    intro: str
    estimated_minutes: int | None
    sections: tuple[Section, ...]
    content_hash: str = field(default="", compare=False)
    translations: Translations = ()
    # The language its texts are shown in: Swedish as parsed; questions.languages.localized() makes the others.
    language: str = field(default=BASE_LANGUAGE, compare=False)

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)

    @property
    def questions(self) -> tuple[Question, ...]:
        """Top-level questions in order (groups included, their fields not)."""
        return tuple(q for s in self.sections for q in s.questions)

    @property
    def groups(self) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if q.is_group)

    def question(self, key: str) -> Question | None:
        return self._by_key.get(key)

    @cached_property
    def _by_key(self) -> dict[str, Question]:
        index = {}
        for q in self.questions:
            index[q.key] = q
            for f in q.fields:
                index[f.key] = f
        return index

    def group_of(self, field_key: str) -> Question | None:
        return next((g for g in self.groups if any(f.key == field_key for f in g.fields)), None)


class QuestionnaireError(Exception):
    """A questionnaire file has problems; ``problems`` holds one readable line each."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def content_hash(source: str) -> str:
    return hashlib.sha256(source.encode("utf-8")).hexdigest()


def load_file(path: str | Path) -> Questionnaire:
    path = Path(path)
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise QuestionnaireError([f"{path}: cannot be read: {exc}"]) from None
    return parse(source, name=str(path))


@lru_cache(maxsize=32)
def parse(source: str, name: str = "<questionnaire>") -> Questionnaire:
    """Parse and validate TOML text; raise QuestionnaireError listing every problem."""
    try:
        data = tomllib.loads(source)
    except tomllib.TOMLDecodeError as exc:
        raise QuestionnaireError([f"{name}: invalid TOML: {exc}"]) from None
    builder = _Builder(name, source)
    questionnaire = builder.questionnaire(data, content_hash(source))
    if builder.problems:
        raise QuestionnaireError(builder.problems)
    return questionnaire


TOP_LEVEL_KEYS = frozenset({"questionnaire", "option_sets", "sections"})
QUESTIONNAIRE_KEYS = frozenset({"id", "title", "version", "intro", "estimated_minutes"})
SECTION_KEYS = frozenset({"key", "title", "help", "questions"})
QUESTION_KEYS = frozenset({"key", "type", "label", "help", "required"})  # every type's; a type adds its own
GROUP_FIELD_KEYS = frozenset({"public"})  # what a group's field may have beyond its type's
OPTION_KEYS = frozenset({"code", "label"})


def key_line(key: object) -> str | None:
    """A pattern for the line ``key = "<key>"`` that opens a section's or question's table."""
    return rf"^\s*key\s*=\s*[\"']{re.escape(key)}[\"']" if isinstance(key, str) else None


class _Builder:
    """Turns parsed TOML into dataclasses, collecting every problem instead of stopping at the first."""

    def __init__(self, name: str, source: str = ""):
        self.name = name
        self.lines = source.splitlines()
        self.problems: list[str] = []
        self.seen_keys: set[str] = set()
        self.option_sets: dict[str, tuple[Option, ...]] = {}

    def problem(self, where: str, message: str) -> None:
        self.problems.append(f"{self.name}: {where}: {message}")

    def unknown_keys(self, table: dict, known: set[str] | frozenset[str], where: str, after: str | None = None) -> None:
        """Name every key the table should not have, with its line and the closest known key:
        a misspelt ``requred = true`` would otherwise be ignored without a word."""
        for name in table:
            if name in known or self.is_translation(name, known):
                continue
            close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]!r}?)" if close else f" (known: {', '.join(sorted(known))})"
            line = self.line_of(name, after)
            self.problem(where, f"unknown key {name!r}" + (f" on line {line}" if line else "") + hint)

    @staticmethod
    def is_translation(name: str, known: set[str] | frozenset[str]) -> bool:
        """``label_en``: a text this table may have, in another language than Swedish."""
        match = TRANSLATION_RE.match(name)
        return bool(
            match
            and match["language"] != BASE_LANGUAGE
            and match["text"] in known
            and any(match["text"] in texts for texts in TEXTS.values())
        )

    def translations(self, table: dict, part: str, where: str) -> Translations:
        """The table's texts in other languages, as (language, text, translation)."""
        found = []
        for name, value in table.items():
            match = TRANSLATION_RE.match(name)
            if not match or match["text"] not in TEXTS[part] or match["language"] == BASE_LANGUAGE:
                continue
            if not isinstance(value, str):
                self.problem(where, f"{name} must be text")
            elif value.strip():
                found.append((match["language"], match["text"], value))
        return tuple(sorted(found))

    def line_of(self, name: str, after: str | None) -> int | None:
        """The line of ``name = …`` in the source: the first one after the line matching ``after``."""
        start = 0
        if after is not None:
            anchor = re.compile(after)
            start = next((n for n, line in enumerate(self.lines) if anchor.search(line)), 0)
        pattern = re.compile(rf"(?:^|[\s{{,])[\"']?{re.escape(name)}[\"']?\s*=")
        return next((n + 1 for n, line in enumerate(self.lines[start:], start=start) if pattern.search(line)), None)

    def questionnaire(self, data: dict, digest: str) -> Questionnaire:
        self.unknown_keys(data, TOP_LEVEL_KEYS, "file")
        meta = data.get("questionnaire")
        if not isinstance(meta, dict):
            self.problem("[questionnaire]", "table is missing")
            meta = {}
        self.unknown_keys(meta, QUESTIONNAIRE_KEYS, "[questionnaire]", after=r"^\s*\[questionnaire\]")
        slug = self.text(meta, "id", "[questionnaire]", required=True)
        if slug and not SLUG_RE.match(slug):
            self.problem("[questionnaire]", f"id {slug!r} must match [a-z][a-z0-9-]*")
        minutes = meta.get("estimated_minutes")
        if minutes is not None and (not isinstance(minutes, int) or isinstance(minutes, bool) or minutes <= 0):
            self.problem("[questionnaire]", "estimated_minutes must be a positive whole number")
            minutes = None
        self.read_option_sets(data.get("option_sets", {}))
        raw_sections = data.get("sections")
        if not isinstance(raw_sections, list) or not raw_sections:
            self.problem("[[sections]]", "the questionnaire has no sections")
            raw_sections = []
        section_keys: set[str] = set()
        sections = []
        for number, raw in enumerate(raw_sections, start=1):
            section = self.section(raw, number, section_keys)
            if section:
                sections.append(section)
        return Questionnaire(
            id=slug,
            title=self.text(meta, "title", "[questionnaire]", required=True),
            version=self.text(meta, "version", "[questionnaire]", required=True),
            intro=self.text(meta, "intro", "[questionnaire]"),
            estimated_minutes=minutes,
            sections=tuple(sections),
            content_hash=digest,
            translations=self.translations(meta, "questionnaire", "[questionnaire]"),
        )

    def text(self, table: dict, name: str, where: str, required: bool = False) -> str:
        value = table.get(name, "")
        if not isinstance(value, str):
            self.problem(where, f"{name} must be text")
            return ""
        if required and not value.strip():
            self.problem(where, f"{name} is missing")
        return value

    def read_option_sets(self, raw_sets) -> None:
        if not isinstance(raw_sets, dict):
            self.problem("[option_sets]", "must be a table of option lists")
            return
        for set_name, raw_options in raw_sets.items():
            self.option_sets[set_name] = self.options(raw_options, f"option set {set_name}")

    def options(self, raw_options, where: str) -> tuple[Option, ...]:
        if not isinstance(raw_options, list):
            self.problem(where, "options must be a list of {code, label} tables or the name of an option set")
            return ()
        options, codes = [], set()
        for raw in raw_options:
            if not isinstance(raw, dict):
                self.problem(where, "each option must be a table with code and label")
                continue
            code, label = raw.get("code"), raw.get("label")
            self.unknown_keys(raw, OPTION_KEYS, where, after=rf"^\s*code\s*=\s*[\"']{re.escape(str(code))}[\"']")
            if not isinstance(code, str) or not KEY_RE.match(code):
                self.problem(where, f"option code {code!r} must match [a-z][a-z0-9_]*")
                continue
            if not isinstance(label, str) or not label.strip():
                self.problem(where, f"option {code} has no label")
                continue
            if code in codes:
                self.problem(where, f"duplicate option code {code!r}")
                continue
            codes.add(code)
            options.append(Option(code, label, self.translations(raw, "option", f"{where}: option {code}")))
        return tuple(options)

    def section(self, raw, number: int, section_keys: set[str]) -> Section | None:
        if not isinstance(raw, dict):
            self.problem(f"section {number}", "must be a table")
            return None
        key = raw.get("key")
        where = f"section {key}" if isinstance(key, str) else f"section {number}"
        self.unknown_keys(raw, SECTION_KEYS, where, after=key_line(key))
        if not isinstance(key, str) or not KEY_RE.match(key):
            self.problem(where, f"key {key!r} must match [a-z][a-z0-9_]*")
        elif key in section_keys:
            self.problem(where, "duplicate section key")
        else:
            section_keys.add(key)
        raw_questions = raw.get("questions")
        if not isinstance(raw_questions, list) or not raw_questions:
            self.problem(where, "section has no questions")
            raw_questions = []
        questions = [q for q in (self.question(r, where) for r in raw_questions) if q]
        return Section(
            key=key if isinstance(key, str) else "",
            title=self.text(raw, "title", where, required=True),
            help=self.text(raw, "help", where),
            questions=tuple(questions),
            translations=self.translations(raw, "section", where),
        )

    def question(self, raw, where: str, in_group: bool = False) -> Question | None:
        if not isinstance(raw, dict):
            self.problem(where, "each question must be a table")
            return None
        key = raw.get("key")
        if not isinstance(key, str) or not KEY_RE.match(key):
            self.problem(where, f"question key {key!r} must match [a-z][a-z0-9_]*")
            return None
        if key in self.seen_keys:
            self.problem(key, "duplicate key (question keys must be unique in the file)")
            return None
        self.seen_keys.add(key)
        qtype = raw.get("type")
        if qtype not in TYPES:
            self.problem(key, f"unknown type {qtype!r} (one of: {', '.join(sorted(TYPES))})")
            return None
        if qtype == "group" and in_group:
            self.problem(key, "a group cannot contain another group")
            return None
        required = raw.get("required", False)
        if not isinstance(required, bool):
            self.problem(key, "required must be true or false")
            required = False
        public = raw.get("public", False)
        if not isinstance(public, bool):
            self.problem(key, "public must be true or false")
            public = False
        attrs = dict(
            key=key,
            type=qtype,
            label=self.text(raw, "label", key, required=True),
            help=self.text(raw, "help", key),
            required=required,
            public=public,
            translations=self.translations(raw, "question", key),
        )
        known = QUESTION_KEYS | TYPES[qtype].attributes | (GROUP_FIELD_KEYS if in_group else frozenset())
        self.unknown_keys(raw, known, key, after=key_line(key))
        attrs.update(TYPES[qtype].read(self, raw, key))
        return Question(**attrs)
