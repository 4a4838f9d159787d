"""Trends across the rounds of one questionnaire family, as plain numbers: what the trend pages chart and tabulate.

Rounds join on question keys whatever version each used (exports/history.py): a question a round's version did
not have is absent there ("fanns inte"), never a change. Every figure counts the answers sent in, of the units
given for each round; the caller chooses them through the visibility rule (access.py).
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from survey.access import visible_rounds, visible_units
from survey.exports.cells import NumberCell
from survey.exports.data import CHUNK, UnitRow, answers_of, earlier_rounds, entry_indexes
from survey.exports.history import ABSENT, NO_ANSWER, question_keys, unit_history
from survey.exports.rows import add_area_counts
from survey.extensions import db
from survey.followup.areas import round_counts
from survey.models import SENT_IN, Assignment, IndicatorValue, PlanIndicator, QuestionnaireVersion, Round, Unit, User
from survey.models.units import subtree_ids
from survey.questions.definition import Question, Questionnaire
from survey.questions.types.base import ChoiceTally, NumberTally, Tally

# The option sets whose entries are counted per option: the violence areas and the target groups.
COUNTED_SETS = ("valdsomraden", "malgrupper")


@dataclass
class Measure:
    """One figure over the rounds, oldest first: None where the question or option was not asked, or nobody answered."""

    label: str
    values: list[float | None]

    @property
    def change(self) -> float | None:
        """The newest round against the one before it."""
        if len(self.values) < 2 or self.values[-1] is None or self.values[-2] is None:
            return None
        return round(self.values[-1] - self.values[-2], 1)


@dataclass
class QuestionTrend:
    """A counted question: shares per option in per cent ("share"), or a mean ("mean") over the rounds."""

    key: str
    label: str
    kind: str
    asked: list[bool]
    answers: list[int]
    measures: list[Measure]
    span: float  # what a change is measured against when ranking moves: 100 for shares, a scale's range …
    unit: str = ""  # "%" for shares and means of percentages

    @property
    def missing(self) -> list[str]:
        """Per round, why a value may be missing: the question was not asked ("absent"), or not answered."""
        return ["unanswered" if asked else "absent" for asked in self.asked]

    @property
    def note(self) -> str:
        """ "ny fråga" when only the newest round asked it, "borttagen fråga" when the newest did not."""
        if len(self.asked) < 2:
            return ""
        if not self.asked[-1]:
            return "removed"
        if not any(self.asked[:-1]):
            return "new"
        return ""

    @property
    def maximum(self) -> float:
        """The end of the chart's axis."""
        if self.unit == "%":
            return 100
        found = [v for m in self.measures for v in m.values if v is not None]
        return max([self.span if self.kind == "mean" and self.span else 0, *found, 1])


@dataclass
class CountTrend:
    """A group's entries (good examples, development areas) naming each option of one option set, over the rounds."""

    group_key: str
    group_label: str
    field_label: str
    entries: list[int | None]  # None: the round's version had no such group
    measures: list[Measure]

    @property
    def missing(self) -> list[str]:
        return ["absent" if n is None else "" for n in self.entries]

    @property
    def maximum(self) -> float:
        return max([1, *(v for m in self.measures for v in m.values if v is not None)])


@dataclass
class FollowUpTrend:
    """Development areas per round: written in it; and last round's, followed up in it, and how many acted on."""

    written: list[int]
    followed_up: list[int | None]  # None: the round follows up no earlier round
    acted_on: list[int | None]

    @property
    def measures(self) -> list[Measure]:
        return [
            Measure("written", [float(n) for n in self.written]),
            Measure("followed_up", [None if n is None else float(n) for n in self.followed_up]),
            Measure("acted_on", [None if n is None else float(n) for n in self.acted_on]),
        ]

    @property
    def missing(self) -> list[str]:
        return ["no_follow_up" if n is None else "" for n in self.followed_up]

    @property
    def maximum(self) -> float:
        return max([1, *self.written, *(n for n in self.followed_up if n is not None)])


@dataclass
class IndicatorTrend:
    """One of the action plan's indicators: its responsible unit's value in each round, against its target."""

    indicator: PlanIndicator
    values: list[float | None]

    @property
    def missing(self) -> list[str]:
        return ["no_value"] * len(self.values)

    @property
    def measures(self) -> list[Measure]:
        return [Measure("value", self.values)]

    @property
    def met(self) -> list[bool | None]:
        return [self.indicator.met(value) for value in self.values]

    @property
    def maximum(self) -> float:
        if self.indicator.is_percent:
            return 100
        found = [v for v in self.values if v is not None]
        return max([1, *found, self.indicator.target or 0])


@dataclass
class Trends:
    rounds: list[Round]
    assignments: list[list[int]]  # the assignments counted, per round
    questions: list[QuestionTrend] = field(default_factory=list)
    counts: list[CountTrend] = field(default_factory=list)
    follow_up: FollowUpTrend | None = None
    indicators: list[IndicatorTrend] = field(default_factory=list)

    @property
    def submitted(self) -> list[int]:
        return [len(ids) for ids in self.assignments]

    def moved(self, limit: int = 8) -> list[tuple[QuestionTrend, Measure]]:
        """The figures that moved most since the round before, each change measured against its question's span."""
        found = [
            (trend, measure)
            for trend in self.questions
            for measure in trend.measures
            if measure.change is not None and measure.change != 0
        ]
        found.sort(key=lambda pair: -abs(pair[1].change or 0) / (pair[0].span or 1))
        return found[:limit]


def trends(rounds: list[Round], assignments: list[list[int]], indicators: list[PlanIndicator]) -> Trends:
    """The figures of the given rounds (oldest first), each counting the answers of the given assignments."""
    definitions = [round_.definition for round_ in rounds]
    result = Trends(rounds, assignments)
    keys = [(key, newest) for key, newest in question_keys(definitions) if not newest.is_group and newest.kind.counted]
    tallies = [round_tallies(d, [key for key, _newest in keys]) for d in definitions]
    groups = [{group.key: group for group in d.groups} for d in definitions]
    entries: list[Counter] = [Counter() for _r in rounds]
    named: list[dict[tuple[str, str], int]] = [defaultdict(int) for _r in rounds]
    pairs = [counted_fields(d) for d in definitions]
    for i, ids in enumerate(assignments):
        for values in round_values(ids):
            for (key, index), value in values.items():
                tally = tallies[i].get(key)
                if tally is not None and index == 0 and value is not None:
                    tally.add(value)
            for key in groups[i]:
                entries[i][key] += len(entry_indexes(values, key))
            add_area_counts(named[i], pairs[i], values)
    result.questions = [question_trend(key, newest, definitions, tallies) for key, newest in keys]
    result.counts = count_trends(definitions, groups, entries, named)
    result.follow_up = follow_up_trend(rounds, assignments, entries)
    result.indicators = indicator_trends(indicators, assignments)
    return result


def round_tallies(definition: Questionnaire, keys: list[str]) -> dict[str, Tally]:
    """A tally for each key the round's version asks as a counted top-level question."""
    found = {}
    for key in keys:
        question = top_level(definition, key)
        tally = question.kind.tally(question) if question is not None else None
        if tally is not None:
            found[key] = tally
    return found


def top_level(definition: Questionnaire, key: str) -> Question | None:
    question = definition.question(key)
    return question if question is not None and question in definition.questions else None


def round_values(ids: list[int]):
    """Each assignment's answers, a chunk of assignments at a time."""
    for start in range(0, len(ids), CHUNK):
        part = ids[start : start + CHUNK]
        found = answers_of(part)
        for assignment_id in part:
            yield found.get(assignment_id, {})


def counted_fields(definition: Questionnaire) -> list[tuple[Question, Question]]:
    """(group, field) for every group field naming violence areas or target groups."""
    return [(g, f) for g in definition.groups for f in g.fields if f.option_set in COUNTED_SETS]


def question_trend(
    key: str, newest: Question, definitions: list[Questionnaire], tallies: list[dict[str, Tally]]
) -> QuestionTrend:
    per_round = [t.get(key) for t in tallies]
    asked = [t is not None for t in per_round]
    sample = next(t for t in reversed(per_round) if t is not None)
    if isinstance(sample, ChoiceTally) and not sample.with_mean:
        codes = option_labels(key, definitions)
        measures = [Measure(label, [share(t, code) for t in per_round]) for code, label in codes]
        answers = [t.given if isinstance(t, ChoiceTally) else 0 for t in per_round]
        return QuestionTrend(key, newest.label, "share", asked, answers, measures, 100, "%")
    if isinstance(sample, ChoiceTally):  # a scale: its mean
        low, high = newest.min or 0, newest.max or 0
        measures = [Measure("mean", [choice_mean(t) for t in per_round])]
        answers = [t.given if isinstance(t, ChoiceTally) else 0 for t in per_round]
        return QuestionTrend(key, newest.label, "mean", asked, answers, measures, (high - low) or 1)
    numbers = [t.numbers if isinstance(t, NumberTally) else [] for t in per_round]
    means = [round(statistics.fmean(n), 1) if n else None for n in numbers]
    unit = "%" if newest.unit == "%" else ""
    found = [m for m in means if m is not None]
    span = 100 if unit else max([abs(m) for m in found] + [1])
    return QuestionTrend(
        key, newest.label, "mean", asked, [len(n) for n in numbers], [Measure("mean", means)], span, unit
    )


def option_labels(key: str, definitions: list[Questionnaire]) -> list[tuple[str, str]]:
    """(code, label) of every option any version gave the question, the newest version's order and wording first."""
    found: dict[str, str] = {}
    for definition in reversed(definitions):
        question = definition.question(key)
        for option in question.choices if question is not None else ():
            found.setdefault(option.code, option.label)
    return list(found.items())


def share(tally: Tally | None, code: str) -> float | None:
    """The option's share of the answers given, in per cent; None when the question was not asked or not answered."""
    if not isinstance(tally, ChoiceTally) or not tally.given:
        return None
    if code not in {option.code for option in tally.options}:
        return None
    return round(100 * tally.chosen.get(code, 0) / tally.given, 1)


def choice_mean(tally: Tally | None) -> float | None:
    if not isinstance(tally, ChoiceTally) or not tally.given:
        return None
    return round(sum(int(code) * n for code, n in tally.chosen.items()) / tally.given, 1)


def count_trends(
    definitions: list[Questionnaire],
    groups: list[dict[str, Question]],
    entries: list[Counter],
    named: list[dict[tuple[str, str], int]],
) -> list[CountTrend]:
    found = []
    newest_pairs: dict[tuple[str, str], tuple[Question, Question]] = {}
    for definition in reversed(definitions):
        for group, item in counted_fields(definition):
            newest_pairs.setdefault((group.key, item.key), (group, item))
    for (group_key, field_key), (group, item) in newest_pairs.items():
        codes = option_labels(field_key, definitions)
        measures = [
            Measure(
                label,
                [float(named[i][(group_key, code)]) if group_key in groups[i] else None for i in range(len(groups))],
            )
            for code, label in codes
        ]
        totals = [entries[i][group_key] if group_key in groups[i] else None for i in range(len(groups))]
        found.append(CountTrend(group_key, group.label, item.label, totals, measures))
    return found


def follow_up_trend(rounds: list[Round], assignments: list[list[int]], entries: list[Counter]) -> FollowUpTrend | None:
    """Development areas are the groups the newest version follows up; without one there is nothing to follow."""
    keys = {group.key for group in rounds[-1].definition.groups if group.follow_up}
    if not keys:
        return None
    written = [sum(counter[key] for key in keys) for counter in entries]
    followed_up: list[int | None] = []
    acted_on: list[int | None] = []
    for round_, ids in zip(rounds, assignments, strict=True):
        if round_.previous_round_id is None:
            followed_up.append(None)
            acted_on.append(None)
            continue
        chosen = list(db.session.scalars(select(Assignment).where(Assignment.id.in_(ids)))) if ids else []
        by_namnd, _by_area = round_counts(round_, [(assignment, "") for assignment in chosen])
        followed_up.append(sum(counts.total for counts in by_namnd))
        acted_on.append(sum(counts.acted_on for counts in by_namnd))
    return FollowUpTrend(written, followed_up, acted_on)


def indicator_trends(indicators: list[PlanIndicator], assignments: list[list[int]]) -> list[IndicatorTrend]:
    """Each indicator's value in each round, from its responsible unit's assignment there (sent in)."""
    if not indicators:
        return []
    round_of = {assignment_id: i for i, ids in enumerate(assignments) for assignment_id in ids}
    found: dict[int, list[float | None]] = {indicator.id: [None] * len(assignments) for indicator in indicators}
    if round_of:
        for value in db.session.scalars(
            select(IndicatorValue).where(
                IndicatorValue.assignment_id.in_(list(round_of)),
                IndicatorValue.indicator_id.in_([indicator.id for indicator in indicators]),
            )
        ):
            found[value.indicator_id][round_of[value.assignment_id]] = value.value
    return [IndicatorTrend(indicator, found[indicator.id]) for indicator in indicators]


# What a reader sees: the rounds of the family they may see, and in each the answers of their units only.


def family(round_: Round, user: User | None) -> list[Round]:
    """The round and every earlier opened round of its questionnaire family the user may see, oldest first."""
    visible = set(db.session.scalars(visible_rounds(user)))
    return [r for r in earlier_rounds(round_) if r.id in visible] + [round_]


def sent_in(rounds: list[Round], units) -> list[list[int]]:
    """Per round, the assignments sent in of the given units (a select of unit ids)."""
    rows = db.session.execute(
        select(Assignment.round_id, Assignment.id)
        .where(
            Assignment.round_id.in_([r.id for r in rounds]),
            Assignment.status.in_(SENT_IN),
            Assignment.unit_id.in_(units),
        )
        .order_by(Assignment.id)
    ).all()
    by_round: dict[int, list[int]] = defaultdict(list)
    for round_id, assignment_id in rows:
        by_round[round_id].append(assignment_id)
    return [by_round[r.id] for r in rounds]


def round_trends(round_: Round, user: User | None, root: Unit | None = None) -> Trends:
    """The round against every earlier round of its family: the user's units' answers, or those of one part of
    the tree (``root`` and everything below it: a länsdel, a kommun, a nämnd), which the caller checked is visible."""
    rounds = family(round_, user)
    units = visible_units(user) if root is None else subtree_ids(root.id)
    indicators = db.session.scalars(
        select(PlanIndicator)
        .where(PlanIndicator.is_active, PlanIndicator.unit_id.in_(units))
        .order_by(PlanIndicator.name, PlanIndicator.id)
    ).all()
    return trends(rounds, sent_in(rounds, units), list(indicators))


def unit_trends(assignment: Assignment, user: User | None) -> Trends:
    """One unit across the rounds of its assignment's family."""
    rounds = family(assignment.round, user)
    units = select(Assignment.unit_id).where(Assignment.id == assignment.id)
    indicators = db.session.scalars(
        select(PlanIndicator)
        .where(PlanIndicator.is_active, PlanIndicator.unit_id == assignment.unit_id)
        .order_by(PlanIndicator.name, PlanIndicator.id)
    ).all()
    return trends(rounds, sent_in(rounds, units), list(indicators))


def newest_rounds(user: User | None) -> list[Round]:
    """The newest opened round of each questionnaire family the user may see, by the family's title."""
    found: dict[str, Round] = {}
    for round_ in db.session.scalars(
        select(Round)
        .join(QuestionnaireVersion)
        .where(Round.id.in_(visible_rounds(user)), Round.state != "draft")
        .order_by(Round.opens_on.desc(), Round.id.desc())
    ):
        found.setdefault(round_.questionnaire_version.slug, round_)
    return sorted(found.values(), key=lambda r: r.questionnaire_version.title.casefold())


# The workbook's own Swedish words in sheet 'Över tid' (exports/history.py), as a page says them in its language.
ANSWER_WORDS = {ABSENT: _l("(fanns inte)"), NO_ANSWER: _l("(svarade inte)")}
CHANGE_WORDS = {
    **ANSWER_WORDS,
    "ja": _l("ja"),
    "nej": _l("nej"),
    "ny fråga": _l("ny fråga"),
    "borttagen fråga": _l("borttagen fråga"),
    "svarade inte förra omgången": _l("svarade inte förra omgången"),
}


def unit_answers(assignment: Assignment, found: Trends, number: Callable[[float], str]) -> list[list[Any]]:
    """One unit's answer to every question key in every round, as sheet 'Över tid' gives it: key, question,
    an answer per round (a group's number of entries), and whether it changed since the round before; the
    sheet's own words in the page's language."""
    definitions = [r.definition for r in found.rounds]
    ids = [ids[0] if ids else None for ids in found.assignments]
    values = answers_of([i for i in ids if i is not None])
    per_round = [None if i is None else values.get(i, {}) for i in ids]
    row = UnitRow(assignment, "", assignment.unit, [])
    return [
        [
            *(page_word(cell, ANSWER_WORDS) or shown(cell, number) for cell in line[2:-1]),
            page_word(line[-1], CHANGE_WORDS) or line[-1],
        ]
        for line in unit_history(row, question_keys(definitions), definitions, per_round)
    ]


def page_word(cell: Any, words: dict[str, Any]) -> Any:
    return words.get(cell) if isinstance(cell, str) else None


def shown(cell: Any, number: Callable[[float], str]) -> Any:
    """A workbook cell as a page shows it: a percentage in per cent, numbers in the reader's locale."""
    if isinstance(cell, NumberCell):
        return f"{number(round(cell.value * 100, 1))} %"
    if isinstance(cell, (int, float)) and not isinstance(cell, bool):
        return number(cell)
    return "" if cell is None else str(cell)
