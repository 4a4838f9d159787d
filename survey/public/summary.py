"""The public summary of a round: what the plan's web page may show once the coordinator publishes it.

Only aggregates and the good examples that are cleared and approved: never a unit's other answers, never
development areas by name. An example is cleared when its unit said yes: per example in questionnaires that ask
(``exempel_publicering``, and the unit's ``publicering`` not "nej"), per unit in older ones. It is shown once the
coordinator has approved it as it reads now, with only the fields the questionnaire marks public (an older
questionnaire that marks none: every field), every text through ``personal.redact()``.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from sqlalchemy import case, func, select

from survey.exports.data import CONSENT_KEY, CONSENT_YES, GOOD_EXAMPLES_KEY, UnitRow, round_units, stream_answers
from survey.exports.rows import add_area_counts, area_fields
from survey.extensions import db
from survey.models import SINGLE, Assignment, AssignmentStatus, ExampleApproval, Round, Unit
from survey.public.personal import redact, warnings
from survey.questions.definition import Question

EXAMPLE_CONSENT_KEY = "exempel_publicering"  # a field of the good examples: may this one be shown ("ja")
CONSENT_NO = "nej"
SEARCH_LENGTH = 200


@dataclass
class PublishedExample:
    assignment_id: int
    entry_index: int
    title: str
    unit: str
    namnd: str
    details: list[tuple[str, str]]  # (field label, value as shown, redacted), empty fields left out
    codes: dict[str, list[str]] = field(default_factory=dict)  # a public choice field's key → the codes chosen
    warnings: list[tuple[str, str]] = field(default_factory=list)  # for the coordinator: (kind, the words)
    approved: bool = False  # approved as it reads now
    approved_before: bool = False  # approved once, changed since

    @property
    def digest(self) -> str:
        """The SHA-256 of exactly what the public sees of it."""
        shown = [self.title, self.unit, self.namnd, self.details]
        return hashlib.sha256(json.dumps(shown, ensure_ascii=False).encode()).hexdigest()

    def matches(self, filters: ExampleFilters) -> bool:
        if any(code not in self.codes.get(key, []) for key, code in filters.choices.items()):
            return False
        if not filters.search:
            return True
        haystack = " ".join([self.title, self.unit, self.namnd, *(text for _label, text in self.details)])
        return filters.search.casefold() in haystack.casefold()


@dataclass
class ExampleFilters:
    search: str = ""
    choices: dict[str, str] = field(default_factory=dict)  # a public choice field's key → the code chosen

    @classmethod
    def from_args(cls, args: Mapping[str, str], filter_fields: list[Question]) -> ExampleFilters:
        """The filters from a GET query; a code that is no option of its field is left out."""
        choices = {}
        for question in filter_fields:
            code = args.get(question.key, "")
            if code in {o.code for o in question.choices}:
                choices[question.key] = code
        return cls(" ".join(args.get("q", "").split())[:SEARCH_LENGTH], choices)

    @property
    def active(self) -> bool:
        return bool(self.search or self.choices)


@dataclass
class PublicSummary:
    invited: int = 0
    submitted: int = 0
    per_namnd: dict[str, list[int]] = field(default_factory=dict)  # nämnd → [invited, submitted]
    area_columns: list[str] = field(default_factory=list)  # "Goda exempel", "Utvecklingsområden"
    areas: list[tuple[str, list[int]]] = field(default_factory=list)  # (violence area, count per column)
    examples: list[PublishedExample] = field(default_factory=list)  # approved, within the filters
    published_count: int = 0  # approved, before the filters
    filter_fields: list[Question] = field(default_factory=list)
    filters: ExampleFilters = field(default_factory=ExampleFilters)

    @property
    def share(self) -> float:
        return self.submitted / self.invited if self.invited else 0


def public_fields(group: Question) -> list[Question]:
    """The good examples' fields the public may see: those marked public, or every field where none is."""
    fields = [f for f in group.fields if f.key != EXAMPLE_CONSENT_KEY]
    return [f for f in fields if f.public] or fields


def filter_fields(group: Question | None) -> list[Question]:
    """The public fields with options (violence area, target group, level): the page's filters."""
    return [f for f in public_fields(group) if f.choices] if group is not None and group.is_group else []


def public_summary(round_: Round, args: Mapping[str, str] | None = None) -> PublicSummary:
    """Response per nämnd, entries per violence area, and the approved good examples within the GET filters."""
    cached, examples = summarised(round_)
    summary = replace(cached)  # the filters are this request's; the cached summary stays as it was
    summary.filter_fields = filter_fields(round_.definition.question(GOOD_EXAMPLES_KEY))
    summary.filters = ExampleFilters.from_args(args or {}, summary.filter_fields)
    approved = [e for e in examples if e.approved]
    summary.published_count = len(approved)
    summary.examples = [e for e in approved if e.matches(summary.filters)]
    return summary


def cleared_examples(round_: Round) -> list[PublishedExample]:
    """Every example its unit cleared for publication, approved or not, with warnings: the coordinator's preview."""
    _summary, examples = summarised(round_)
    return examples


# The summaries computed in this process, each under the data version it was computed from (data_version()):
# any worker on any app server recomputes a round's summary once after its data changed, and never per hit.
_computed: dict[int, tuple[tuple, PublicSummary, list[PublishedExample]]] = {}
_computed_lock = threading.Lock()
KEPT_ROUNDS = 32  # summaries kept per process; the oldest goes first


def summarised(round_: Round) -> tuple[PublicSummary, list[PublishedExample]]:
    """summarise(round_), computed once per version of its data (never change what it returns: it is shared)."""
    version = data_version(round_)
    found = _computed.get(round_.id)
    if found is not None and found[0] == version:
        return found[1], found[2]
    summary, examples = summarise(round_)
    with _computed_lock:
        _computed.pop(round_.id, None)
        _computed[round_.id] = (version, summary, examples)
        while len(_computed) > KEPT_ROUNDS:
            _computed.pop(next(iter(_computed)))
    return summary, examples


def data_version(round_: Round) -> tuple:
    """What the summary is computed from, in one aggregate query that reads no answers and no texts.

    A submitted assignment's answers change only through saves that touch the assignment, which raises its
    ``version`` (optimistic locking); reopening, submitting and new units change the counts and sums; an
    approval given, changed or withdrawn changes the approvals' count, ids or latest time; a unit renamed,
    moved, added or (de)activated changes the units' sums (a name's length, as the summary shows names).
    """
    submitted = Assignment.status == AssignmentStatus.SUBMITTED
    of_round = Assignment.round_id == round_.id
    assignments = select(
        func.count(),
        func.sum(Assignment.unit_id),
        func.sum(case((submitted, Assignment.id), else_=0)),
        func.sum(case((submitted, Assignment.version), else_=0)),
        func.max(Assignment.submitted_dt),
    ).where(of_round)
    approvals = select(func.count(), func.sum(ExampleApproval.id), func.max(ExampleApproval.approved_dt)).where(
        ExampleApproval.assignment_id.in_(select(Assignment.id).where(of_round))
    )
    units = select(
        func.count(),
        func.max(Unit.id),
        func.sum(func.length(Unit.name) * Unit.id),
        func.sum(func.coalesce(Unit.parent_id, 0) * Unit.id),
        func.sum(case((Unit.is_active, Unit.id), else_=0)),
    )
    row = db.session.execute(
        select(*(column for query in (assignments, approvals, units) for column in scalars_of(query)))
    ).one()
    return (round_.created_dt, round_.questionnaire_version_id, round_.published_dt, *row)


def scalars_of(query) -> list:
    """Each column of a one-row aggregate query as a scalar subquery, so several tables' aggregates are one
    statement."""
    return [query.with_only_columns(column).scalar_subquery() for column in query.selected_columns]


def summarise(round_: Round) -> tuple[PublicSummary, list[PublishedExample]]:
    rows, units = round_units(round_)
    summary = PublicSummary(invited=len(rows))
    for row in rows:
        invited_and_submitted = summary.per_namnd.setdefault(row.namnd, [0, 0])
        invited_and_submitted[0] += 1
        invited_and_submitted[1] += row.assignment.is_submitted
    # Only answers as they stand submitted: a reopened unit's edits are unsent drafts, and the public must
    # never see them (not even a consent changed in a draft). It returns on resubmitting and approving again.
    submitted = [row for row in rows if row.assignment.is_submitted]
    summary.submitted = len(submitted)
    definition = round_.definition
    pairs = area_fields(definition)
    group = definition.question(GOOD_EXAMPLES_KEY)
    keys = {CONSENT_KEY} | {key for g, f in pairs for key in (g.key, f.key)}
    if group is not None and group.is_group:
        keys |= {group.key, *(f.key for f in group.fields)}
    counts: dict[tuple[str, str], int] = defaultdict(int)
    examples: list[PublishedExample] = []
    known = [u.name for u in units.values()] + [o.label for f in definition.questions for o in f.choices]
    for row, values in stream_answers(submitted, keys):
        add_area_counts(counts, pairs, values)
        if group is not None and group.is_group:
            examples += cleared(group, row, values, known)
    if pairs:
        summary.area_columns = [g.label for g, _f in pairs]
        summary.areas = [(area.label, [counts[(g.key, area.code)] for g, _f in pairs]) for area in pairs[0][1].options]
    mark_approvals(examples)
    return summary, examples


def cleared(group: Question, row: UnitRow, values, known: list[str]) -> list[PublishedExample]:
    """The unit's examples it said may be published, rendered as the public sees them."""
    unit_consent = values.get((CONSENT_KEY, SINGLE))
    per_example = any(f.key == EXAMPLE_CONSENT_KEY for f in group.fields)
    if per_example and unit_consent == CONSENT_NO or not per_example and unit_consent != CONSENT_YES:
        return []
    shown_fields = public_fields(group)
    examples = []
    for index in sorted(i for key, i in values if key == group.key):
        if per_example and values.get((EXAMPLE_CONSENT_KEY, index)) != CONSENT_YES:
            continue
        raw = [(f, f.as_text(values.get((f.key, index)))) for f in shown_fields]
        raw = [(f, text) for f, text in raw if text]
        if not raw:
            continue
        (_first, title), rest = raw[0], raw[1:]
        example = PublishedExample(
            row.assignment.id,
            index,
            redact(title),
            row.unit.name,
            row.namnd,
            [(f.label, redact(text)) for f, text in rest],
            {f.key: chosen_codes(values.get((f.key, index))) for f in shown_fields if f.choices},
            [found for _f, text in raw if not _f.choices for found in warnings(text, known)],
        )
        examples.append(example)
    return examples


def chosen_codes(value) -> list[str]:
    """A choice answer's codes: a list for multiple choice, one code for single choice, none unanswered."""
    if value is None:
        return []
    return [str(code) for code in value] if isinstance(value, list) else [str(value)]


def mark_approvals(examples: list[PublishedExample]) -> None:
    """Mark each example approved if the coordinator approved exactly what it shows now (one query)."""
    ids = {e.assignment_id for e in examples}
    if not ids:
        return
    approvals = {
        (a.assignment_id, a.entry_index): a.content_sha256
        for a in db.session.scalars(select(ExampleApproval).where(ExampleApproval.assignment_id.in_(ids)))
    }
    for example in examples:
        digest = approvals.get((example.assignment_id, example.entry_index))
        example.approved = digest == example.digest
        example.approved_before = digest is not None and not example.approved
