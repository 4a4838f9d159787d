"""What the yearly report shows, gathered from the modules that already count it: the response per nämnd (exports),
the trends' figures (violence areas, development areas followed up, indicators), last year's development areas by
status (followup) and the action plan's activities (exports/plan_sheets.py). Nothing is counted here a second time.
"""

from __future__ import annotations

from dataclasses import dataclass

from survey.access import visible_units
from survey.exports.data import ExportOptions, UnitRow, answered, round_units
from survey.exports.plan_sheets import activity_reports
from survey.exports.rows import state_counts, with_share
from survey.followup.areas import FollowUpCounts, round_counts
from survey.models import ActivityReport, PlanActivity, Round, User
from survey.trends.figures import Trends, round_trends


@dataclass
class Response:
    """One nämnd's response (or the total): units invited, per state, and the share sent in (0–1)."""

    name: str
    invited: int
    submitted: int
    in_progress: int
    reopened: int
    not_started: int
    share: float

    @classmethod
    def of(cls, name: str, rows: list[UnitRow]) -> Response:
        return cls(name, *with_share(state_counts(rows)))


@dataclass
class Report:
    round: Round
    response: list[Response]
    total: Response
    trends: Trends
    # Last round's development areas, by what this round says of them: per nämnd and per violence area.
    followed_by_namnd: list[FollowUpCounts]
    followed_by_area: list[FollowUpCounts]
    activities: list[tuple[UnitRow, PlanActivity, ActivityReport | None]]

    @property
    def response_bars(self) -> list[tuple[str, list[float | None]]]:
        """The share sent in per nämnd, in per cent, for charts.bar_chart()."""
        return [(r.name, [round(100 * r.share, 1)]) for r in self.response]


def round_report(round_: Round, user: User | None) -> Report:
    """The report of ``round_`` as ``user`` may see it (None: the command line, the whole tree)."""
    options = ExportOptions(visible_units=None if user is None else visible_units(user))
    rows, _units = round_units(round_, options)
    per_namnd: dict[str, list[UnitRow]] = {}
    for row in rows:
        per_namnd.setdefault(row.namnd, []).append(row)
    sent_in = [(row.assignment, row.namnd) for row in answered(rows, options)]
    by_namnd, by_area = round_counts(round_, sent_in) if round_.previous_round_id else ([], [])
    return Report(
        round=round_,
        response=[Response.of(name, namnd_rows) for name, namnd_rows in per_namnd.items()],
        total=Response.of("", rows),
        trends=round_trends(round_, user),
        followed_by_namnd=by_namnd,
        followed_by_area=by_area,
        activities=activity_reports(round_, rows, options),
    )
