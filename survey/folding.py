"""Lists of units that fold by part of the organisation, whatever the tree's size: the top level first, a part
opened on demand (``?enhet=<id>``: its ancestors stay open, so the path to it shows), long lists a page at a time.

Every function here is one SQL statement; the pages that use them (the round's dashboard, the register) keep a
query count that does not grow with the number of units. What the user may see is survey.access's word.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import ColumnElement, Select, select

from survey.access import visible_units
from survey.extensions import db
from survey.models import Unit, User
from survey.models.units import UnitTree

PAGE_SIZE = 50  # rows per page of a unit list

T = TypeVar("T")


@dataclass
class Page(Generic[T]):
    rows: list[T]
    found: int  # rows in the whole list, on every page
    number: int

    @property
    def count(self) -> int:
        return max(1, -(-self.found // PAGE_SIZE))


def page_number(value: int | None) -> int:
    return max(value or 1, 1)


def top_units(user: User | None) -> ColumnElement[bool]:
    """The highest units ``user`` may see: those whose parent they may not see (the tree's tops, or a scoped
    user's scope units; a scope unit below another of their scopes is no top)."""
    visible = visible_units(user)
    return Unit.id.in_(visible) & (Unit.parent_id.is_(None) | Unit.parent_id.not_in(visible))


def subtree(unit_ids) -> Select:
    """The ids of ``unit_ids`` and of every unit below them (UNION: a cycle in bad data ends the walk)."""
    below = select(Unit.id).where(Unit.id.in_(unit_ids)).cte(recursive=True)
    below = below.union(select(Unit.id).where(Unit.parent_id == below.c.id))
    return select(below.c.id)


def open_path(unit_id: int | None, user: User | None) -> list[int]:
    """The opened part and its ancestors that ``user`` may see, top first; empty for none, or one they may not
    see."""
    if unit_id is None:
        return []
    up = select(Unit.id, Unit.parent_id).where(Unit.id == unit_id).cte(recursive=True)
    up = up.union(select(Unit.id, Unit.parent_id).where(Unit.id == up.c.parent_id))
    query = select(up.c.id, up.c.parent_id).where(up.c.id.in_(visible_units(user)))
    parents = dict(db.session.execute(query).all())
    path: list[int] = []
    seen: set[int] = set()
    each = unit_id
    while each is not None and each in parents and each not in seen:
        seen.add(each)
        path.append(each)
        each = parents[each]
    return list(reversed(path))


def with_ancestors(units: list[Unit], user: User | None) -> UnitTree:
    """A tree of ``units`` and their ancestors that ``user`` may see, for each one's path (one query)."""
    parent_ids = {u.parent_id for u in units if u.parent_id is not None}
    if not parent_ids:
        return UnitTree({u.id: u for u in units})
    up = select(Unit.id, Unit.parent_id).where(Unit.id.in_(parent_ids)).cte(recursive=True)
    up = up.union(select(Unit.id, Unit.parent_id).where(Unit.id == up.c.parent_id))
    ancestors = select(Unit).where(Unit.id.in_(select(up.c.id)), Unit.id.in_(visible_units(user)))
    return UnitTree({u.id: u for u in db.session.scalars(ancestors)} | {u.id: u for u in units})
