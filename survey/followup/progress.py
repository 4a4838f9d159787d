"""Where a form of a follow-up round stands: the start choice, copied answers not yet confirmed, earlier areas."""

from __future__ import annotations

from dataclasses import dataclass

from survey.followup.areas import EarlierArea, earlier_areas
from survey.followup.prefill import can_start_from_previous, unconfirmed
from survey.models import Assignment


@dataclass
class FollowUpProgress:
    offer_start_choice: bool  # the start page asks: last round's answers, or blank?
    unconfirmed: int  # copied answers not yet confirmed or changed
    areas: list[EarlierArea]  # last round's development areas

    @property
    def without_status(self) -> list[EarlierArea]:
        return [area for area in self.areas if area.status is None]


def progress(assignment: Assignment) -> FollowUpProgress | None:
    """None outside a follow-up round."""
    if assignment.round.previous_round_id is None:
        return None
    return FollowUpProgress(
        can_start_from_previous(assignment), len(unconfirmed(assignment)), earlier_areas(assignment)
    )
