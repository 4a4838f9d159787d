"""Roll-ups in a county: the parts of the tree a reader can look at one by one (a länsdel, a kommun, a nämnd), and
the parts of one level compared on the same questions — each part's share per option side by side.

The comparison is the trends' own figures (figures.trends) with the parts in place of the rounds: one series of
counted answers per part, all from the one round, so a share means the same on both pages.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select

from survey.access import visible_units
from survey.extensions import db
from survey.models import SENT_IN, Assignment, Round, Unit, UnitKind, User
from survey.models.states import NAMND_LEVEL
from survey.models.units import UnitTree
from survey.trends.figures import Trends, trends

# The levels a reader may compare the parts of, as the page's ?niva= names them.
COMPARED_LEVELS = {"lansdel": UnitKind.LANSDEL, "kommun": UnitKind.KOMMUN, "namnd": UnitKind.NAMND}
ROLL_UP_KINDS = (UnitKind.LANSDEL, UnitKind.KOMMUN, *NAMND_LEVEL)


def visible_tree(user: User | None) -> UnitTree:
    return UnitTree({u.id: u for u in db.session.scalars(select(Unit).where(Unit.id.in_(visible_units(user))))})


def roll_up_outline(user: User | None) -> list[tuple[Unit, int]]:
    """The parts a reader can choose on a trend page: every länsdel, kommun, nämnd (and bolag, region, police)
    they may see, in the tree's order, each with its depth among them (a kommun under its länsdel)."""
    tree = visible_tree(user)
    found = []
    for unit, _depth in tree.outline():
        if unit.kind in ROLL_UP_KINDS:
            depth = sum(1 for above in tree.ancestors(unit) if above.kind in ROLL_UP_KINDS)
            found.append((unit, depth))
    return found


@dataclass
class PartComparison:
    round: Round
    level: str
    parts: list[Unit]
    invited: list[int]  # per part, the units with a form in the round
    figures: Trends  # one series per part, in the parts' order

    @property
    def submitted(self) -> list[int]:
        return self.figures.submitted

    @property
    def shares(self):
        """The counted choice questions, each option's share per part."""
        return [trend for trend in self.figures.questions if trend.kind == "share"]


def compare_parts(round_: Round, user: User | None, level: str) -> PartComparison:
    """The round's answers sent in, per part of ``level`` the user may see (by name), on the same questions."""
    kind = COMPARED_LEVELS[level]
    tree = visible_tree(user)
    parts = sorted((u for u in tree.units.values() if u.kind == kind), key=lambda u: u.name.casefold())
    index = {part.id: i for i, part in enumerate(parts)}
    invited = [0] * len(parts)
    sent: list[list[int]] = [[] for _part in parts]
    for assignment_id, unit_id, status in db.session.execute(
        select(Assignment.id, Assignment.unit_id, Assignment.status)
        .where(Assignment.round_id == round_.id, Assignment.unit_id.in_(list(tree.units)))
        .order_by(Assignment.id)
    ):
        part = tree.rolled_up(tree.units[unit_id], (kind,))
        if part.id not in index:
            continue  # outside every part of the level: the region beside the municipalities
        invited[index[part.id]] += 1
        if status in SENT_IN:
            sent[index[part.id]].append(assignment_id)
    figures = trends([round_] * len(parts), sent, []) if parts else Trends([], [])
    return PartComparison(round_, level, parts, invited, figures)


def levels_present(user: User | None) -> dict[str, int]:
    """How many parts of each comparable level the user may see."""
    counts: dict[str, int] = defaultdict(int)
    kinds: dict[str, str] = {str(kind): name for name, kind in COMPARED_LEVELS.items()}
    for unit in visible_tree(user).units.values():
        if unit.kind in kinds:
            counts[kinds[unit.kind]] += 1
    return dict(counts)
