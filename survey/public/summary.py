"""The public summary of a round: what the plan's web page may show once the coordinator publishes it.

Only aggregates and the good examples whose unit said yes to publication: never
a unit's other answers, never development areas by name."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from survey.exports.data import CONSENT_KEY, CONSENT_YES, GOOD_EXAMPLES_KEY, UnitRow, round_units, stream_answers
from survey.exports.rows import add_area_counts, area_fields
from survey.models import SINGLE, Round


@dataclass
class PublishedExample:
    title: str
    unit: str
    namnd: str
    details: list[tuple[str, Any]]  # (field label, value as shown), empty fields left out


@dataclass
class PublicSummary:
    invited: int = 0
    submitted: int = 0
    per_namnd: dict[str, list[int]] = field(default_factory=dict)  # nämnd → [invited, submitted]
    area_columns: list[str] = field(default_factory=list)  # "Goda exempel", "Utvecklingsområden"
    areas: list[tuple[str, list[int]]] = field(default_factory=list)  # (violence area, count per column)
    examples: list[PublishedExample] = field(default_factory=list)

    @property
    def share(self) -> float:
        return self.submitted / self.invited if self.invited else 0


def public_summary(round_: Round) -> PublicSummary:
    """Response per nämnd, entries per violence area, and the good examples cleared for publication."""
    rows, _units = round_units(round_)
    summary = PublicSummary(invited=len(rows))
    for row in rows:
        invited_and_submitted = summary.per_namnd.setdefault(row.namnd, [0, 0])
        invited_and_submitted[0] += 1
        invited_and_submitted[1] += row.assignment.is_submitted
    # Only answers as they stand submitted: a reopened unit's edits are unsent drafts, and the
    # public must never see them (not even a consent changed in a draft). It returns on resubmitting.
    submitted = [row for row in rows if row.assignment.is_submitted]
    summary.submitted = len(submitted)
    definition = round_.definition
    pairs = area_fields(definition)
    group = definition.question(GOOD_EXAMPLES_KEY)
    keys = {CONSENT_KEY} | {key for g, f in pairs for key in (g.key, f.key)}
    if group is not None and group.is_group:
        keys |= {group.key, *(f.key for f in group.fields)}
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for row, values in stream_answers(submitted, keys):
        add_area_counts(counts, pairs, values)
        if group is not None and values.get((CONSENT_KEY, SINGLE)) == CONSENT_YES:
            summary.examples += published_examples(group, row, values)
    if pairs:
        summary.area_columns = [g.label for g, _f in pairs]
        summary.areas = [(area.label, [counts[(g.key, area.code)] for g, _f in pairs]) for area in pairs[0][1].options]
    return summary


def published_examples(group, row: UnitRow, values) -> list[PublishedExample]:
    examples = []
    for index in sorted(i for key, i in values if key == group.key):
        shown = [(f, f.as_text(values.get((f.key, index)))) for f in group.fields]
        shown = [(f, text) for f, text in shown if text]
        if not shown:
            continue
        (_first, title), rest = shown[0], shown[1:]
        examples.append(PublishedExample(title, row.unit.name, row.namnd, [(f.label, text) for f, text in rest]))
    return examples
