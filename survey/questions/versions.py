"""Questionnaire versions side by side: what changed between two, and whether a new one may be stored.

Answers of every round join on question keys, so a key must keep its kind of answer in every
version (a number may become a percentage, a short text a long one — not a text a number), and a
version label names one content only: a coordinator choosing "2026.2" must get one questionnaire.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select

from survey.extensions import db
from survey.questions.definition import Question, Questionnaire


@dataclass(frozen=True)
class Difference:
    """One way a question differs: ``aspect`` is label, type, options_added, options_removed, options_relabelled,
    now_required or no_longer_required; ``before``/``after`` the old and new label or type, or the option codes."""

    aspect: str
    before: str = ""
    after: str = ""

    def __str__(self) -> str:
        if self.aspect in ("label", "type"):
            shown = repr if self.aspect == "label" else str
            return f"{self.aspect}: {shown(self.before)} → {shown(self.after)}"
        if self.aspect.startswith("options_"):
            return f"{self.aspect.replace('_', ' ')}: {self.after}"
        return self.aspect.replace("_", " ")


@dataclass(frozen=True)
class Change:
    """One question's difference between two versions: ``kind`` is added, removed or changed."""

    kind: str
    key: str
    label: str
    details: tuple[Difference, ...] = ()

    def __str__(self) -> str:
        sign = {"added": "+", "removed": "-", "changed": "~"}[self.kind]
        return f"{sign} {self.key}: {self.label}" + "".join(f"\n    {detail}" for detail in self.details)


def every_question(definition: Questionnaire) -> dict[str, Question]:
    """Every question by key, group fields included, in the questionnaire's order."""
    found: dict[str, Question] = {}
    for question in definition.questions:
        found[question.key] = question
        found.update((field.key, field) for field in question.fields)
    return found


def diff(old: Questionnaire, new: Questionnaire) -> list[Change]:
    """Added, removed and changed questions (label, type, options, required), in the new version's order."""
    before, after = every_question(old), every_question(new)
    changes = [Change("added", key, question.label) for key, question in after.items() if key not in before]
    changes += [Change("removed", key, question.label) for key, question in before.items() if key not in after]
    for key, question in after.items():
        if key in before and (details := differences(before[key], question)):
            changes.append(Change("changed", key, question.label, details))
    order = {key: n for n, key in enumerate([*after, *before])}
    return sorted(changes, key=lambda change: order[change.key])


def differences(old: Question, new: Question) -> tuple[Difference, ...]:
    found = []
    if old.label != new.label:
        found.append(Difference("label", old.label, new.label))
    if old.type != new.type:
        found.append(Difference("type", old.type, new.type))
    old_options, new_options = {o.code: o.label for o in old.choices}, {o.code: o.label for o in new.choices}
    if old_options != new_options:
        added = [code for code in new_options if code not in old_options]
        removed = [code for code in old_options if code not in new_options]
        relabelled = [code for code in new_options if code in old_options and old_options[code] != new_options[code]]
        for aspect, codes in (
            ("options_added", added),
            ("options_removed", removed),
            ("options_relabelled", relabelled),
        ):
            if codes:
                found.append(Difference(aspect, after=", ".join(codes)))
    if old.required != new.required:
        found.append(Difference("now_required" if new.required else "no_longer_required"))
    return tuple(found)


def stored_versions(slug: str) -> list[tuple[str, str, Questionnaire]]:
    """(version label, content hash, definition) of every stored version of the questionnaire."""
    from survey.models import QuestionnaireVersion  # models import this package: import late

    rows = db.session.scalars(
        select(QuestionnaireVersion).where(QuestionnaireVersion.slug == slug).order_by(QuestionnaireVersion.id)
    )
    return [(row.version, row.content_hash, row.definition) for row in rows]


def conflicts_with_stored(
    definition: Questionnaire, stored: Iterable[tuple[str, str, Questionnaire]], name: str = "<questionnaire>"
) -> list[str]:
    """Why this version may not be stored beside the stored ones, one line each; empty if it may."""
    problems = []
    mine = every_question(definition)
    for version, digest, earlier in stored:
        if digest == definition.content_hash:
            continue  # the very same text: loading it again changes nothing
        if version == definition.version:
            problems.append(
                f"{name}: version {version!r} is already stored with different content; "
                "give this file a new version label"
            )
        for key, question in every_question(earlier).items():
            now = mine.get(key)
            if now is not None and now.kind.stored_as != question.kind.stored_as:
                problems.append(
                    f"{name}: {key}: type {question.type} in version {version} cannot become "
                    f"{now.type} (its answers would not read); give the question a new key, "
                    f"e.g. {key}_{now.type}"
                )
    return list(dict.fromkeys(problems))
