"""Importing the register: one workflow for the import page and `units import`.

The caller reads the file, calls `preview()` to show the plan (nothing written) and, when the plan
has no errors, `import_register()` to write it; then it commits once and reports.
"""

from __future__ import annotations

from survey.models import audit
from survey.register.imports import Plan, apply_plan, make_plan, read_rows


def preview(filename: str, data: bytes, visible: set[int] | None = None) -> Plan:
    """What importing the file would change, or its row-numbered errors. Raises RegisterFileError for an unreadable file.

    ``visible``: the units of the importer's scope (access.visible_unit_ids); a row outside it is an error.
    """
    return make_plan(read_rows(filename, data), visible)


def import_register(plan: Plan, *, actor: str, user_id: int | None = None) -> dict[str, int]:
    """Write a plan without errors and audit it; the caller commits. Returns the counts it reports."""
    counts = apply_plan(plan)
    audit("register_imported", actor, user_id=user_id, details=counts)
    return counts
