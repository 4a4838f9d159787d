"""The register: units (nämnd, förvaltning, verksamhet, bolag; in a county also kommun, länsdel, the top and the
outside authorities) in a tree, and their contact persons."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Select, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.db import UTCDateTime, utcnow
from survey.extensions import Model, db
from survey.models.states import COUNTY_TOPS, NAMND_LEVEL, UnitKind, _in


class Unit(Model):
    """A node of the municipality's organisation: nämnd → förvaltning → verksamhet, or a bolag."""

    __tablename__ = "unit"
    __table_args__ = (CheckConstraint(_in("kind", UnitKind), name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    parent: Mapped[Unit | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Unit]] = relationship(back_populates="parent", order_by="Unit.name")
    contacts: Mapped[list[ContactPerson]] = relationship(back_populates="unit", order_by="ContactPerson.name")

    def __repr__(self) -> str:
        return f"<Unit {self.id} {self.name!r}>"


class ContactPerson(Model):
    """The person a unit names to answer for it; a unit may have several."""

    __tablename__ = "contact_person"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[Unit] = relationship(back_populates="contacts")


class ScopeVoice(Model):
    """How one part of the tree speaks to its contact persons: the mail's sender name and reply-to address, the
    manual (Markdown) and the contact details on the start page. A unit's contact person hears the nearest part's
    voice up the tree; what a part leaves empty comes from further up, and at the top from the app's settings."""

    __tablename__ = "scope_voice"

    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"), primary_key=True)
    sender_name: Mapped[str] = mapped_column(String(200), default="")
    reply_to: Mapped[str] = mapped_column(String(254), default="")
    manual: Mapped[str] = mapped_column(Text, default="")
    contact_details: Mapped[str] = mapped_column(Text, default="")
    updated_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    unit: Mapped[Unit] = relationship()


def subtree_ids(unit_id: int) -> Select:
    """The ids of the unit and everything below it, in one recursive query (UNION ends a cycle in bad data)."""
    below = select(Unit.id).where(Unit.id == unit_id).cte(recursive=True)
    below = below.union(select(Unit.id).where(Unit.parent_id == below.c.id))
    return select(below.c.id)


def participating_units(root: Unit | None = None, every_unit: list[Unit] | None = None) -> list[Unit]:
    """The units that answer: active units without active children, in ``root``'s subtree (or everywhere)."""
    if every_unit is None:
        every_unit = list(db.session.scalars(select(Unit).where(Unit.is_active.is_(True))))
    return UnitTree({u.id: u for u in every_unit if u.is_active}).leaves(root)


class UnitTree:
    """Walks over the unit tree from units already loaded (by id), with the one guard against a cycle in bad data.

    Build it once per request: ``UnitTree({u.id: u for u in units})``. A parent outside the mapping ends a walk.
    """

    def __init__(self, units: Mapping[int, Unit]):
        self.units = units
        self._children: dict[int | None, list[Unit]] | None = None

    def ancestors(self, unit: Unit) -> list[Unit]:
        """Parent first, up to the top; each unit once even if the data has a cycle."""
        found, seen = [], {unit.id}
        parent_id = unit.parent_id
        while parent_id is not None and parent_id in self.units and parent_id not in seen:
            seen.add(parent_id)
            found.append(self.units[parent_id])
            parent_id = self.units[parent_id].parent_id
        return found

    def top(self, unit: Unit) -> Unit:
        """The nämnd, bolag or outside authority the unit belongs to (itself if it is one), else its kommun, else
        the top of its tree."""
        chain = [unit, *self.ancestors(unit)]
        return self.nearest(chain, NAMND_LEVEL) or self.nearest(chain, (UnitKind.KOMMUN,)) or chain[-1]

    @staticmethod
    def nearest(chain: list[Unit], kinds: tuple[str, ...]) -> Unit | None:
        return next((u for u in chain if u.kind in kinds), None)

    def rolled_up(self, unit: Unit, kinds: tuple[str, ...]) -> Unit:
        """The unit a roll-up at a level counts ``unit`` towards: its nearest unit of one of ``kinds`` (itself if it
        is one); one outside that level (the region beside the municipalities, a kommun in no länsdel) counts
        towards its highest unit below the county's top, so every unit is in exactly one row of the level."""
        chain = [unit, *self.ancestors(unit)]
        below_top = [u for u in chain if u.kind not in COUNTY_TOPS] or chain
        return self.nearest(chain, kinds) or below_top[-1]

    def children(self, unit: Unit) -> list[Unit]:
        if self._children is None:
            self._children = {}
            for each in sorted(self.units.values(), key=lambda u: u.name.casefold()):
                self._children.setdefault(each.parent_id, []).append(each)
        return self._children.get(unit.id, [])

    def descendants(self, unit: Unit) -> list[Unit]:
        """Everything below the unit, each once."""
        found, seen, stack = [], {unit.id}, list(self.children(unit))
        while stack:
            each = stack.pop()
            if each.id not in seen:
                seen.add(each.id)
                found.append(each)
                stack.extend(self.children(each))
        return found

    def tops(self) -> list[Unit]:
        """The units whose parent is not in the tree, by name."""
        return sorted(
            (u for u in self.units.values() if u.parent_id not in self.units), key=lambda u: u.name.casefold()
        )

    def in_order(self) -> list[Unit]:
        """Every unit reached from the tops, each parent before its children, siblings by name; each once."""
        return [unit for unit, _depth in self.outline()]

    def outline(self) -> list[tuple[Unit, int]]:
        """``in_order()`` with each unit's depth below its top (0): what an indented list needs, without recursion."""
        found, seen, stack = [], set(), [(top, 0) for top in reversed(self.tops())]
        while stack:
            each, depth = stack.pop()
            if each.id not in seen:
                seen.add(each.id)
                found.append((each, depth))
                stack.extend((child, depth + 1) for child in reversed(self.children(each)))
        return found

    def leaves(self, root: Unit | None = None) -> list[Unit]:
        """The units of the tree without children in it, in ``root``'s subtree (root too) or everywhere, by name."""
        candidates = list(self.units.values()) if root is None else [root, *self.descendants(root)]
        return sorted(
            (u for u in candidates if u.id in self.units and not self.children(u)), key=lambda u: u.name.casefold()
        )
